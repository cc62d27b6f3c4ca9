#!/usr/bin/env python3
"""The command-line contract of DESIGN.md §10 for the three programs.

--help (top level and per command) and --version; exit codes 0 success, 1 failed
operation, 2 usage, 65 bad input data, 69 node unreachable, 74 file I/O, 77 wrong
passphrase or missing credential, 78 configuration; --json prints data on stdout (one
object for a sent transaction: id, status, height, code, message) and messages on
stderr; passphrases from --password-file or --password-stdin, never a flag value;
a second node on the same home refuses to start. Configuration (issue 10): node.conf
lines far over libinih's 200-byte default are read whole and an over-long one is refused
with its line number; an explicit --rpc.laddr wins over --base-port (testnet refuses it);
an operations or RPC listener on a non-loopback address is warned about at start unless
its `public` option is set, and the p2p listener on 0.0.0.0 is not.
"""

import json
import os
import re
import socket
import urllib.error
import urllib.request

import yctest
from yctest import check, check_eq, check_tx_json, to_int

WALLET_COMMANDS = (["new"], ["list"], ["address"], ["balance"], ["register"], ["transfer"],
                   ["token", "issue"], ["consent", "grant"], ["consent", "revoke"],
                   ["consent", "list"], ["usage"], ["usage", "record"], ["tx", "sign"],
                   ["tx", "send"], ["evidence", "anchor"])


def run(t):
    t.require("yuchaind", "yuchain-wallet", "yuchain-audit")
    nodebin, walletbin, auditbin = (t.bin(n) for n in ("yuchaind", "yuchain-wallet",
                                                       "yuchain-audit"))
    counts = {"help": 0, "exit_codes": 0}

    # --help and --version, before any node exists.
    for b in (nodebin, walletbin, auditbin):
        r = t.run_cli([b, "--help"], expect=0)
        check(re.search(r"usage", r.out + r.err, re.I), "%s --help prints no usage: %r", b, r)
        r = t.run_cli([b, "--version"], expect=0)
        check(re.search(r"\d+\.\d+\.\d+", r.out), "%s --version prints no version: %r", b, r)
        counts["help"] += 2
    r = t.run_cli([nodebin, "version"], expect=0)
    check(re.search(r"\d+\.\d+\.\d+", r.out), "yuchaind version: %r", r)
    for cmd in WALLET_COMMANDS:
        r = t.run_cli([walletbin] + cmd + ["--help"], expect=0)
        check(r.out.strip(), "`yuchain-wallet %s --help` printed nothing on stdout", " ".join(cmd))
        counts["help"] += 1
    for cmd in (["init"], ["dev"], ["start"], ["show-node-id"], ["version"]):  # issue 2
        t.run_cli([nodebin] + cmd + ["--help"], expect=0)
        counts["help"] += 1
    for cmd in (["replay"], ["subject"]):
        t.run_cli([auditbin] + cmd + ["--help"], expect=0)
        counts["help"] += 1

    # Usage errors: 2.
    for argv in ([walletbin, "no-such-command"], [nodebin, "no-such-command"],
                 [auditbin, "no-such-command"], [walletbin, "--no-such-flag", "list"],
                 [auditbin, "replay"]):
        r = t.run_cli(argv, expect=yctest.EX_USAGE)
        check(r.err.strip(), "usage error without a message on stderr: %r", r)
        counts["exit_codes"] += 1
    # A command or option in the wrong case: the one meant is named.
    r = t.run_cli([walletbin, "Consent", "list"], expect=yctest.EX_USAGE)
    check("did you mean 'consent'?" in r.err, "`Consent` without a hint: %r", r)
    r = t.run_cli([walletbin, "transfer", "--Amount", "5"], expect=yctest.EX_USAGE)
    check("did you mean --amount?" in r.err, "`--Amount` without a hint: %r", r)
    counts["exit_codes"] += 2
    # An argument a subcommand does not take: the message, then the subcommand's synopsis.
    source = ["--node", "http://127.0.0.1:1"]
    for cmd, extra in ((["replay"], source), (["subject"], source),
                       (["trace"], source), (["violations"], source),
                       (["export"], source + ["--format", "jsonl"]),
                       (["sync"], source + ["--genesis-hash", "00" * 32, "--db", t.tmp])):
        r = t.run_cli([auditbin] + cmd + extra + ["one", "two"], expect=yctest.EX_USAGE)
        check("usage: yuchain-audit %s" % cmd[0] in r.err,
              "`%s` with extra arguments prints no synopsis: %r", cmd[0], r)
        counts["exit_codes"] += 1
    # A wrong value of export's --format is named with what is allowed.
    r = t.run_cli([auditbin, "export", "--node", "http://127.0.0.1:1", "--format", "xml"],
                  expect=yctest.EX_USAGE)
    check("--format xml: expected csv or jsonl" in r.err, "export --format xml: %r", r)
    counts["exit_codes"] += 1
    # Arguments first: a malformed proposal id in a wallet without a key is 65, not 77.
    nokeys = os.path.join(t.tmp, "no-keys")
    os.makedirs(nokeys)
    r = t.run_cli([walletbin, "--wallet-dir", nokeys, "validator", "approve", "BADID"],
                  expect=yctest.EX_DATAERR)
    check("proposal id" in r.err, "the malformed id is not named: %r", r)
    counts["exit_codes"] += 1

    node = t.start_dev_node()
    w = t.wallet(node)
    bob = w.address("bob")
    alice = w.address("alice")

    # Missing or malformed arguments of a sending command.
    w.run("transfer", "--amount", "5", frm="alice", expect=yctest.EX_USAGE)
    w.run("transfer", "--to", bob, frm="alice", expect=yctest.EX_USAGE)
    w.run("transfer", "--to", bob, "--amount", "five", frm="alice",
          expect=(yctest.EX_USAGE, yctest.EX_DATAERR))
    r = w.run("transfer", "--to", "yc1notanaddress", "--amount", "5", frm="alice",
              expect=yctest.EX_DATAERR)
    check(r.err.strip(), "bad address without a message: %r", r)
    w.run("consent", "grant", "--to", bob, "--categories", "health", "--purposes", "research",
          "--operations", "use", "--until", "not-a-time", frm="alice",
          expect=(yctest.EX_USAGE, yctest.EX_DATAERR))
    w.run("usage", "record", "--consent", "xyz", "--purpose", "p", "--operation", "use",
          frm="alice", expect=(yctest.EX_USAGE, yctest.EX_DATAERR))
    # A number's message says what is wrong with it: too large, a leading zero.
    r = w.run("transfer", "--to", bob, "--amount", "9" * 25, frm="alice",
              expect=yctest.EX_DATAERR)
    check("--amount" in r.err and "at most 18446744073709551615" in r.err,
          "an amount beyond uint64 without its limit: %r", r)
    r = w.run("transfer", "--to", bob, "--amount", "0999", frm="alice",
              expect=yctest.EX_DATAERR)
    check("leading zero" in r.err, "a leading zero not named: %r", r)
    # A zero duration: the message says what a duration is.
    r = w.run("market", "bid", "00" * 32, "--price", "100", "--expires", "+0s", frm="bob",
              expect=yctest.EX_DATAERR)
    check("--expires" in r.err and "whole number above 0" in r.err, "--expires +0s: %r", r)
    # An empty answer still says so in text.
    r = w.run("usage", "--asset", "00" * 32, frm="alice", json_out=False, expect=0)
    check("no recorded use" in r.err, "usage --asset with no use prints nothing: %r", r)
    r = w.run("carry", "list", frm="alice", json_out=False, expect=0)
    check("no carries" in r.err, "carry list with none prints nothing: %r", r)
    counts["exit_codes"] += 11

    # --json: one object on stdout for a sent transaction; waits for commit by default.
    nonce0 = to_int(node.account(alice)["nonce"])
    r = w.run("transfer", "--to", bob, "--amount", "5", frm="alice", expect=0)
    check(isinstance(r.json, dict), "--json printed no object: %r", r)
    check_tx_json(r.json, r)
    check_eq(r.json["status"], "committed", "default waits for commit")
    check_eq(to_int(node.account(alice)["nonce"]), nonce0 + 1, "alice's nonce after transfer")
    json.loads(r.out)  # exactly one JSON document on stdout
    r = w.run("transfer", "--to", bob, "--amount", str(10 ** 15), frm="alice",
              expect=yctest.EX_FAILED)
    check_tx_json(r.json, r)
    check_eq((r.json["status"], r.json["code"]), ("refused", "insufficient_balance"),
             "refused transfer (admission runs the type's rules)")
    check("balance" in r.json["message"], "the refusal says the balance: %r", r.json)
    # Without --json the outcome is still reported, with its code.
    r = w.run("transfer", "--to", bob, "--amount", str(10 ** 15), frm="alice", json_out=False,
              expect=yctest.EX_FAILED)
    check("insufficient_balance" in r.out + r.err, "text output lacks the code: %r", r)
    for args in (["list"], ["balance"], ["address"]):
        r = w.run(*args, frm="alice", expect=0)
        check(r.json is not None, "`%s --json` is not JSON: %r", " ".join(args), r)
    counts["exit_codes"] += 4

    # 69: node unreachable (a closed port).
    closed = "http://127.0.0.1:%d" % (node.base_port + 300)
    r = w.run("balance", frm="alice", node_url=closed, expect=yctest.EX_UNAVAILABLE)
    check(r.err.strip(), "unreachable without a message: %r", r)
    w.run("transfer", "--to", bob, "--amount", "1", frm="alice", node_url=closed,
          expect=yctest.EX_UNAVAILABLE)
    t.audit("replay", "--node", closed, expect=yctest.EX_UNAVAILABLE)
    counts["exit_codes"] += 3

    # 77: wrong passphrase; nothing is sent.
    wrong = os.path.join(t.tmp, "wrong-pass")
    with open(wrong, "w") as f:
        f.write("definitely not the passphrase\n")
    n1 = to_int(node.account(alice)["nonce"])
    r = w.run("transfer", "--to", bob, "--amount", "1", frm="alice", password_file=wrong,
              expect=yctest.EX_NOPERM)
    check(r.err.strip(), "wrong passphrase without a message: %r", r)
    check_eq(to_int(node.account(alice)["nonce"]), n1, "nonce after a wrong passphrase")
    # Missing credential: no file, no --password-stdin, no terminal.
    w.run("transfer", "--to", bob, "--amount", "1", frm="alice", password_file="",
          expect=yctest.EX_NOPERM)
    missing = os.path.join(t.tmp, "no-such-file")
    r = w.run("transfer", "--to", bob, "--amount", "1", frm="alice", password_file=missing,
              expect=yctest.EX_IOERR)
    check(missing in r.err and "No such file" in r.err,
          "a missing --password-file is not named with why: %r", r)
    empty = os.path.join(t.tmp, "empty-pass")
    open(empty, "w").close()
    r = w.run("new", "carol", password_file=empty, expect=yctest.EX_NOPERM)
    check(empty in r.err and "empty" in r.err, "an empty --password-file is not named: %r", r)
    # --password-stdin works.
    with open(node.password_file, "rb") as f:
        pw = f.read()
    r = w.run("transfer", "--to", bob, "--amount", "1", frm="alice", password_file="",
              extra_global=["--password-stdin"], stdin=pw, expect=0)
    check_eq(r.json["status"], "committed", "transfer with --password-stdin")
    counts["exit_codes"] += 5

    # Audit against the live node.
    r = t.audit("replay", "--node", node.rpc_url, "--json", expect=0)
    check(r.json.get("ok") is True, "audit replay --node: %r", r)
    for k in ("ok", "blocks", "txs", "height", "reason"):
        check(k in r.json, "audit replay --json lacks %r: %r", k, r)

    # yuchaind: show-node-id; a second node on the same home refuses to start.
    st = node.status()
    r = t.run_cli([nodebin, "show-node-id", "--home", node.home], expect=0)
    check(st["node_id"] in r.out, "show-node-id %r != status node_id %s", r.out, st["node_id"])
    r = t.run_cli([nodebin, "start", "--home", node.home], timeout=30)
    check(r.rc != 0, "a second node on the same home started: %r", r)
    check(r.err.strip(), "second node refused without a message: %r", r)
    check(node.running(), "the first node died when a second one tried its home")
    yctest.log("second node on the same home: exit %d: %s" % (r.rc, r.err.strip()[:200]))
    r = t.run_cli([nodebin, "start", "--home", os.path.join(t.tmp, "no-such-home")],
                  timeout=30)
    check(r.rc in (yctest.EX_CONFIG, yctest.EX_IOERR), "start on a missing home: %r", r)
    bad_home = os.path.join(t.tmp, "bad-conf-home")
    t.run_cli([nodebin, "init", "--home", bad_home], expect=0)
    with open(os.path.join(bad_home, "config", "node.conf"), "a") as f:
        f.write("\n[rpc]\nthis line is not ini\n")
    r = t.run_cli([nodebin, "start", "--home", bad_home], timeout=30)
    check_eq(r.rc, yctest.EX_CONFIG, "start with a broken node.conf")
    counts["exit_codes"] += 4

    check_eq(node.stop(), 0, "clean exit")
    counts["exit_codes"] += config_surprises(t, nodebin)
    t.number("help_checks", counts["help"])
    t.number("exit_code_checks", counts["exit_codes"])


def reachable(url):
    try:
        with urllib.request.urlopen(url, timeout=5):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def config_surprises(t, nodebin):
    """Long node.conf lines, --rpc.laddr against --base-port, the non-loopback warning."""
    home = os.path.join(t.tmp, "conf-home")
    t.run_cli([nodebin, "init", "--home", home], expect=0)
    conf = os.path.join(home, "config", "node.conf")
    with open(conf) as f:
        text = f.read()
    # 16 peers on one line (about 270 bytes, past libinih's 200-byte default); loopback
    # addresses nobody listens on, so the dialer fails fast and harmlessly
    base = t.free_base_port()
    peers = ",".join("127.0.0.1:%d" % (base + 300 + i) for i in range(16))
    check(len(peers) > 250, "the peers line is not long: %d", len(peers))
    long_text = text.replace('persistent_peers = ""', 'persistent_peers = "%s"' % peers)
    check(long_text != text, "node.conf has no persistent_peers line to replace")
    with open(conf, "w") as f:
        f.write(long_text)

    # --base-port Q for the listeners, but an explicit --rpc.laddr wins for the RPC; the
    # operations listener on 0.0.0.0 is warned about, p2p on 0.0.0.0:Q is not
    q = t.free_base_port()
    node = yctest.Node(t, "conf", home, base)
    t.nodes.append(node)
    ops_addr = "0.0.0.0:%d" % (q + 200)
    node.start("--base-port", str(q), "--rpc.laddr", "127.0.0.1:%d" % (base + 100),
               "--instrumentation.prometheus_listen_addr", ops_addr, command="start")
    check(reachable("http://127.0.0.1:%d/livez" % (q + 200)), "operations not on --base-port+200")
    check(not reachable("http://127.0.0.1:%d/status" % (q + 100)),
          "the RPC went to --base-port+100 although --rpc.laddr was given")
    st = node.status()  # node.rpc_url is the --rpc.laddr address
    check("height" in st, "status over --rpc.laddr: %r", st)
    check_eq(node.stop(), 0, "clean exit of the long-line node")
    with open(node.log_path) as f:
        log_text = f.read()
    check("WARN  config: instrumentation.prometheus_listen_addr %s is not a loopback address"
          % ops_addr in log_text, "no warning for operations on %s:\n%s", ops_addr,
          node.log_tail())
    check(log_text.count("is not a loopback address") == 1,
          "a loopback RPC or the p2p listener was warned about:\n%s", node.log_tail())
    check("127.0.0.1:%d" % (base + 315) in log_text, "the last peer of the long line is "
          "missing from the start-up line:\n%s", node.log_tail())
    # with [instrumentation] public = true the same address is meant: no warning
    start_at = len(log_text)
    node.start("--base-port", str(q), "--rpc.laddr", "127.0.0.1:%d" % (base + 100),
               "--instrumentation.prometheus_listen_addr", ops_addr,
               "--instrumentation.public", "true", command="start")
    check_eq(node.stop(), 0, "clean exit with instrumentation.public")
    with open(node.log_path) as f:
        check("is not a loopback address" not in f.read()[start_at:],
              "warned although [instrumentation] public = true:\n%s", node.log_tail())

    # the operations port taken by another program: the message says so and names the option
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen(1)
        taken = "127.0.0.1:%d" % held.getsockname()[1]
        r = t.run_cli([nodebin, "start", "--home", home, "--base-port", str(q),
                       "--instrumentation.prometheus_listen_addr", taken], timeout=60)
    check(r.rc != 0, "started with its operations port taken: %r", r)
    check("cannot serve operations on %s" % taken in r.err and "is the port in use?" in r.err
          and "--instrumentation.prometheus_listen_addr" in r.err,
          "a taken operations port is not explained: %r", r.err[-600:])

    # a line over 64 KiB is refused with its number, never cut
    with open(conf, "w") as f:
        f.write(long_text + "\n# " + "x" * 65540 + "\n")
    nlines = long_text.count("\n") + 2
    r = t.run_cli([nodebin, "start", "--home", home], timeout=30)
    check_eq(r.rc, yctest.EX_CONFIG, "start with a line over 64 KiB")
    check("node.conf:%d: line longer than 65536 bytes" % nlines in r.err,
          "the over-long line is not named: %r", r.err[-400:])

    # testnet gives each node its own ports: an explicit listener address is a usage error
    r = t.run_cli([nodebin, "testnet", "--validators", "1", "--out",
                   os.path.join(t.tmp, "tn-laddr"), "--rpc.laddr", "127.0.0.1:1"],
                  expect=yctest.EX_USAGE)
    check("--base-port" in r.err, "testnet --rpc.laddr: no hint at --base-port: %r", r.err)
    for cmd in ("init", "dev", "start"):
        r = t.run_cli([nodebin, cmd, "--help"], expect=0)
        check("wins over" in r.out, "`yuchaind %s --help` does not say --rpc.laddr wins over "
              "--base-port", cmd)
    return 7


if __name__ == "__main__":
    yctest.main(run)
