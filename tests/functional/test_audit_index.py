#!/usr/bin/env python3
"""Issue 11 item 6: the audit index (`yuchain-audit sync --db`), questions answered from it.

On one `yuchaind dev` ledger (transfers, consents, a revocation, a use), through the real
`yuchain-audit`:

- `sync --node` from the genesis, then, after new blocks, an incremental sync that
  verifies only them (from_height is the index's previous tip);
- after the node stops: subject, violations, export and trace answer from `--db` exactly
  as from a full replay of the home (stdout byte for byte, text and --json, and the exit
  code), and say on stderr which index, height and genesis they answered from;
- a sync from another chain's node into the index: refused (78), naming both genesis hashes;
- a source whose stored block at the index's tip height was altered: diverged_source at
  that height (1), and the index is unchanged (a question still answers at its height);
- kill -9 in the middle of a sync (test hook: a pause after each synced batch of one
  block): the index holds a prefix; the next sync resumes from it and the answers equal
  those of the index synced in one go;
- an altered tip record: a question refuses (storage_corrupt); an altered state entry:
  `sync --verify-index` refuses (its digest no longer matches).
"""

import json
import os
import shutil
import signal
import subprocess
import time

import yctest
from test_audit_evidence import LevelDB, free_base
from yctest import check, check_eq, log, to_int

EX_OK, EX_FAIL, EX_CONFIG = 0, 1, 78


def questions(alice):
    """Each question's arguments (the source options are added)."""
    return [
        ("subject", alice, "--json"),
        ("subject", alice),
        ("violations", "--json"),
        ("violations",),
        ("export", "--format", "jsonl"),
        ("export", "--format", "csv", "--kind", "consents"),
        ("export", "--format", "csv", "--kind", "uses"),
        ("trace", "00" * 32),
    ]


def same_answers(t, alice, source, db):
    """Every question from `source` (replayed) and from the index: equal stdout and exit."""
    for q in questions(alice):
        full = t.audit(*q, *source, "--quiet")
        fast = t.audit(*q, "--db", db, "--quiet")
        check_eq(fast.rc, full.rc, "exit code of %s from the index" % (q,))
        check_eq(fast.out, full.out, "stdout of %s from the index" % (q,))
        check("answered from the audit index %s at height" % db in fast.err,
              "%s from the index does not say what it answered from: %r" % (q, fast.err))


def sync(t, *args, expect):
    r = t.audit("sync", *args, "--json", expect=expect)
    check(isinstance(r.json, dict), "sync --json printed no single object: %r" % r)
    return r.json


def run(t):
    t.require("yuchaind", "yuchain-wallet", "yuchain-audit")
    home = os.path.join(t.tmp, "dev")
    node = yctest.Node(t, "dev", home, free_base(t))
    t.nodes.append(node)
    node.start()
    w = t.wallet(node)
    alice, bob, proc = (w.address(k) for k in ("alice", "bob", "processor"))
    genesis = os.path.join(home, "config", "genesis.json")
    db = os.path.join(t.tmp, "index")

    w.send("transfer", "--to", bob, "--amount", 500, frm="alice", expect_status="committed")
    kept = w.send("consent", "grant", "--to", proc, "--categories", "health", "--purposes",
                  "research", "--operations", "use", "--until", "+30d", frm="alice",
                  expect_status="committed")
    j = sync(t, "--node", node.rpc_url, "--genesis", genesis, "--db", db, expect=EX_OK)
    first = j["height"]
    check(j["ok"] is True and j["from_height"] == 0 and first >= 2 and j["anchored"] is True,
          "first sync: %r" % j)
    ghash = j["genesis_hash"]

    gone = w.send("consent", "grant", "--to", proc, "--categories", "financial", "--purposes",
                  "research", "--operations", "use", "--until", "+30d", frm="alice",
                  expect_status="committed")
    w.send("consent", "revoke", gone["id"], frm="alice", expect_status="committed")
    w.send("usage", "record", "--consent", kept["id"], "--purpose", "research", "--operation",
           "use", "--category", "health", frm="processor", expect_status="committed")
    w.send("transfer", "--to", alice, "--amount", 7, frm="bob", expect_status="committed")
    tip = to_int(node.status()["height"])
    t0 = time.monotonic()
    j = sync(t, "--node", node.rpc_url, "--genesis-hash", ghash, "--db", db, expect=EX_OK)
    check(j["from_height"] == first and j["height"] == tip and j["blocks"] == tip - first,
          "incremental sync from %d to %d: %r" % (first, tip, j))
    t.number("incremental_sync_s", round(time.monotonic() - t0, 2))
    j = sync(t, "--node", node.rpc_url, "--genesis-hash", ghash, "--db", db, expect=EX_OK)
    check(j["blocks"] == 0 and j["height"] == tip, "a sync with nothing new: %r" % j)

    # the audit shows the subject's account, consents and uses field for field as the node
    # does (one renderer, read/; the audit adds the parties' names as "<key>_name")
    def unnamed(objs):
        return [{k: v for k, v in o.items() if not k.endswith("_name")} for o in objs]
    r = t.audit("subject", alice, "--db", db, "--json", "--quiet", expect=EX_OK).json
    check_eq(r["height"], str(tip), "the index's height")
    check_eq(unnamed(r["consents"]), node.rpc.call("consents", {"subject": alice})["consents"],
             "a subject's consents: audit vs node")
    check_eq(unnamed(r["usage"]), node.rpc.call("usage", {"subject": alice})["usage"],
             "a subject's uses: audit vs node")
    acct = node.rpc.call("account", {"address": alice})
    acct.pop("pending_nonce")
    check_eq(r["account"], acct, "a subject's account: audit vs node")

    # another chain's node: refused, both genesis hashes named
    other = yctest.Node(t, "other", os.path.join(t.tmp, "other"), free_base(t))
    t.nodes.append(other)
    other.start()
    ogenesis = os.path.join(other.home, "config", "genesis.json")
    ohash = t.audit("replay", "--node", other.rpc_url, "--genesis", ogenesis, "--json",
                    "--quiet", expect=EX_OK).json["genesis_hash"]
    check(ohash != ghash, "the second dev chain has the same genesis")
    j = sync(t, "--node", other.rpc_url, "--genesis", ogenesis, "--db", db, expect=EX_CONFIG)
    check(j["ok"] is False and "anchored to genesis %s" % ghash in j["reason"]
          and ohash in j["reason"], "another genesis: %r" % j)
    check_eq(other.stop(), 0, "other node's exit code")
    check_eq(node.stop(), 0, "node exit code")

    # the answers from the index are the full replay's
    t0 = time.monotonic()
    same_answers(t, alice, ("--home", home), db)
    t.number("questions_both_ways_s", round(time.monotonic() - t0, 2))

    # a source whose block at the index's tip was altered: refused at that height
    bad = os.path.join(t.tmp, "altered")
    shutil.copytree(home, bad, ignore=shutil.ignore_patterns(".lock", ".cookie"))
    ldb = LevelDB(os.path.join(bad, "data"))
    key = b"b/" + tip.to_bytes(8, "big")
    blk = bytearray(ldb.get(key))
    blk[len(blk) // 2] ^= 0x01
    ldb.put(key, bytes(blk))
    ldb.close()
    j = sync(t, "--home", bad, "--genesis", genesis, "--db", db, expect=EX_FAIL)
    check(j["code"] == "diverged_source" and j["height"] == tip
          and "block at height %d" % tip in j["reason"], "altered source: %r" % j)
    r = t.audit("subject", alice, "--db", db, "--json", "--quiet", expect=EX_OK)
    check_eq(r.json["height"], str(tip), "the index's height after the refused sync")

    # kill -9 in the middle of a sync, then resume
    db2 = os.path.join(t.tmp, "index-killed")
    if not test_hooks_built():
        log("kill -9 mid-sync: skipped, this build has no test hooks (-DYC_TEST_HOOKS=ON, "
            "as ./scripts/test builds); the index is made by a whole sync instead")
        sync(t, "--home", home, "--genesis", genesis, "--db", db2, expect=EX_OK)
    else:
        env = dict(t.env, YC_TEST_AUDIT_SYNC_PAUSE_MS="400")
        argv = [t.bin("yuchain-audit"), "sync", "--home", home, "--genesis", genesis, "--db", db2,
                "--quiet"]
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        try:
            committed = 0
            while committed < 3:
                line = p.stderr.readline().decode()
                check(line != "", "sync ended before its third batch (built without "
                      "YC_TEST_HOOKS?), exit %s" % p.poll())
                if "test hook: committed height" in line:
                    committed = int(line.split()[-1])
            p.send_signal(signal.SIGKILL)
        finally:
            p.wait()
        check_eq(p.returncode, -signal.SIGKILL, "the interrupted sync's end")
        j = sync(t, "--home", home, "--genesis", genesis, "--db", db2, expect=EX_OK)
        check(committed <= j["from_height"] < tip and j["height"] == tip,
              "resumed sync (killed after height %d): %r" % (committed, j))
    for q in questions(alice)[::2]:
        a = t.audit(*q, "--db", db, "--quiet")
        b = t.audit(*q, "--db", db2, "--quiet")
        check_eq((b.rc, b.out), (a.rc, a.out), "%s from the resumed index" % (q,))

    # the index itself altered: the tip record (a question refuses), a state entry (sync)
    ldb = LevelDB(db2)
    rec = bytearray(ldb.get(b"m/tip"))
    rec[20] ^= 0x01
    ldb.put(b"m/tip", bytes(rec))
    ldb.close()
    r = t.audit("subject", alice, "--db", db2, "--json", "--quiet", expect=EX_FAIL)
    check(r.json["code"] == "storage_corrupt" and "tip record fails its check" in r.json["reason"],
          "altered tip record: %r" % r.json)
    ldb = LevelDB(db)
    ldb.put(b"s/account/" + b"\x01" + b"\x00" * 32, b"\x80")
    ldb.close()
    sync(t, "--home", home, "--genesis", genesis, "--db", db, expect=EX_OK)  # cheap checks
    j = sync(t, "--home", home, "--genesis", genesis, "--db", db, "--verify-index",
             expect=EX_FAIL)
    check(j["code"] == "storage_corrupt" and "does not match the digest" in j["reason"],
          "altered index state: %r" % j)

    t.number("height", tip)


def test_hooks_built():
    """Whether the build under test has the test-only hooks (its CMake cache says)."""
    try:
        with open(os.path.join(os.environ["YC_BUILD_DIR"], "CMakeCache.txt")) as f:
            return "YC_TEST_HOOKS:BOOL=ON" in f.read()
    except (KeyError, OSError):
        return False


if __name__ == "__main__":
    yctest.main(run)
