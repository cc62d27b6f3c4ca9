#!/usr/bin/env python3
"""Issue 2 end to end on one validator (`yuchaind dev`), through the real CLIs.

Register (self-registration; a processor registered by the exchange), issue tokens,
grant consent with a per-use fee, record a use (fee paid), revoke, a later use refused
with consent_revoked, `usage` shows who used the data; restart (SIGTERM, start again)
and see the same state; `yuchain-audit replay` passes on the stopped node's data; a
byte flipped in a stored block of a copy makes replay exit 1 naming that height (F2),
for a block stored in a LevelDB table and one still in the write-ahead log.
"""

import os
import shutil
import stat
import time

import ldbpatch
import yctest
from yctest import check, check_eq, to_int

DEMO_KEYS = ("exchange", "agency", "regulator", "alice", "bob", "processor")
CATEGORY, PURPOSE, OPERATION = "health", "research", "use"
FEE = 250
ISSUE = 100000


def usage_entries(j):
    """The list of uses in a `usage` --json answer (a list, or {"usage": [...]})."""
    if isinstance(j, list):
        return j
    check(isinstance(j, dict), "usage --json is not an object or list: %r", j)
    for k in ("usage", "uses", "items"):
        if isinstance(j.get(k), list):
            return j[k]
    raise yctest.TestFailure("usage --json has no list of uses: %r" % (j,))


def consent_entries(j):
    if isinstance(j, list):
        return j
    check(isinstance(j, dict), "consent list --json is not an object or list: %r", j)
    for k in ("consents", "items"):
        if isinstance(j.get(k), list):
            return j[k]
    raise yctest.TestFailure("consent list --json has no list: %r" % (j,))


def check_demo_home(node):
    wd = node.wallet_dir
    check(os.path.isdir(wd), "dev did not write the wallet dir %s", wd)
    check_eq(stat.S_IMODE(os.stat(wd).st_mode) & 0o077, 0, "wallet dir group/other bits")
    check(os.path.isfile(node.password_file), "dev did not write %s", node.password_file)
    for k in DEMO_KEYS:
        p = os.path.join(wd, k + ".json")
        check(os.path.isfile(p), "dev did not write the keystore %s", p)
        check_eq(stat.S_IMODE(os.stat(p).st_mode) & 0o077, 0, "keystore %s mode" % k)
    for f in ("config/node.conf", "config/genesis.json", "config/node_key.json",
              "config/validator_key.json"):
        check(os.path.isfile(os.path.join(node.home, f)), "home lacks %s", f)
    for f in ("config/node_key.json", "config/validator_key.json"):
        mode = stat.S_IMODE(os.stat(os.path.join(node.home, f)).st_mode)
        check_eq(mode & 0o077, 0, "%s mode" % f)
    check(os.path.isfile(os.path.join(node.home, ".cookie")), "no .cookie while running")


def snapshot(node, addrs):
    st = node.status()
    return {
        "height": to_int(st["height"]),
        "last_block_hash": st["last_block_hash"],
        "state_root": st["state_root"],
        "chain_id": st["chain_id"],
        "accounts": {n: {k: node.account(a).get(k) for k in ("balance", "nonce", "role")}
                     for n, a in sorted(addrs.items())},
    }


def copy_home(t, home, label):
    """A copy of a stopped node's home, as a regulator would receive it."""
    copy = os.path.join(t.tmp, "copy-" + label)
    shutil.copytree(home, copy, ignore=shutil.ignore_patterns(".lock", ".cookie"))
    return copy


def offset_in(raw, marker, skip):
    """Offset in raw of the byte `skip` bytes after the first `marker`."""
    at = raw.find(marker)
    check(at >= 0, "marker %r not in the raw block", marker)
    return at + len(marker) + skip


def tamper_and_replay(t, copy, label, height, raw, rel):
    """Flips the byte at raw[rel] of block `height` inside copy/data; replays the copy."""
    data = os.path.join(copy, "data")
    where = ldbpatch.locate(data, raw)
    flips = ldbpatch.flip_value_byte(data, raw, lambda start, length: start + rel)
    if not flips:
        # The value may straddle two log records: flip inside a window of it instead.
        lo = max(0, rel - 24)
        flips = ldbpatch.flip_value_byte(data, raw[lo:lo + 48],
                                         lambda start, length: start + rel - lo)
    check(flips, "block %d's bytes were not found in %s (looked in .log and .ldb files)",
          height, data)
    yctest.log("F2 %s: block %d found in %s; flipped byte %d of %d: %s"
               % (label, height, where, rel, len(raw), flips))
    t0 = time.monotonic()
    r = t.audit("replay", "--home", copy, "--json", expect=1)
    secs = time.monotonic() - t0
    j = r.json
    check(isinstance(j, dict), "audit replay --json printed no object: %r", r)
    check(j.get("ok") is False, "replay of a tampered copy says ok: %r", r)
    check_eq(to_int(j.get("height")), height, "height named by replay (%s)" % label)
    check(j.get("reason"), "replay names no reason: %r", r)
    yctest.log("F2 %s: replay exit 1 at height %s: %s (%.2fs)" % (label, j["height"],
                                                                 j["reason"], secs))
    r2 = t.audit("replay", "--home", copy, expect=1)
    check(str(height) in r2.out + r2.err, "replay's text output does not name height %d: %r",
          height, r2)
    return "%s [%s]" % (j["reason"], ",".join(k for _, k in where) or "window")


def run(t):
    t.require("yuchaind", "yuchain-wallet", "yuchain-audit")
    node = t.start_dev_node()
    check_demo_home(node)
    w = t.wallet(node)

    st = node.status()
    yctest.log("dev chain %s at height %s" % (st["chain_id"], st["height"]))

    listed = w.run("list", expect=0)
    for k in DEMO_KEYS:
        check(k in listed.out, "`list` lacks demo key %s: %r", k, listed)

    addrs = {k: w.address(k) for k in DEMO_KEYS}
    addrs["alice2"] = w.new("alice2")
    addrs["proc2"] = w.new("proc2")
    addrs["org3"] = w.new("org3")
    alice2, proc2 = addrs["alice2"], addrs["proc2"]

    # Demo accounts are registered and funded at genesis.
    check(node.balance(addrs["alice"]) > 0, "demo account alice is not funded")
    check_eq(w.balance("alice"), node.balance(addrs["alice"]), "wallet vs RPC balance of alice")

    # Registration: an individual registers itself; the exchange registers a processor.
    w.send("register", "--role", "individual", "--name", "Alice Two",
           "--jurisdiction", "CN-CQ", frm="alice2", expect_status="committed")
    w.send("register", "--role", "processor", "--name", "Proc Two", "--jurisdiction",
           "CN-CQ", "--for", proc2, frm="exchange", expect_status="committed")
    check_eq(node.account(alice2)["role"], "individual", "alice2's role")
    check_eq(node.account(proc2)["role"], "processor", "proc2's role")
    j = w.send("register", "--role", "processor", "--name", "Self Proclaimed",
               "--jurisdiction", "CN-CQ", frm="org3", expect_status="rejected")
    check(j["code"] in ("not_authorized", "bad_role"),
          "an organisation registering itself: code %r" % j["code"])
    again = w.send("register", "--role", "individual", "--name", "Alice Again",
                   "--jurisdiction", "CN-CQ", frm="alice2", expect_status="rejected")
    yctest.log("second registration refused with %s" % again["code"])

    # Settlement tokens: the exchange issues to the processor.
    w.send("token", "issue", "--to", proc2, "--amount", ISSUE, frm="exchange",
           expect_status="committed")
    check_eq(node.balance(proc2), ISSUE, "proc2 balance after issue")
    check_eq(w.balance("proc2"), ISSUE, "wallet balance of proc2")
    check_eq(node.balance(alice2), 0, "alice2 starts with nothing")

    # Consent with a per-use fee.
    g = w.send("consent", "grant", "--to", proc2, "--categories", CATEGORY,
               "--purposes", PURPOSE, "--operations", OPERATION, "--until", "+30d",
               "--fee-per-use", FEE, frm="alice2", expect_status="committed")
    consent_id, grant_height = g["id"], to_int(g["height"])
    cl = consent_entries(w.run("consent", "list", frm="alice2", expect=0).json)
    mine = [c for c in cl if c.get("id") == consent_id]
    check(len(mine) == 1, "consent list lacks %s: %r", consent_id, cl)
    check_eq(mine[0].get("status"), "active", "status of the new consent")
    rc = node.rpc.call("consents", {"subject": alice2})["consents"]
    check_eq(len(rc), 1, "consents of alice2 over RPC")
    check_eq(rc[0]["processor"], proc2, "consent processor")
    check_eq(to_int(rc[0]["fee_per_use"]), FEE, "consent fee_per_use")
    byproc = node.rpc.call("consents", {"processor": proc2})["consents"]
    check_eq([c["id"] for c in byproc], [consent_id], "consents by processor")

    # A use inside the consent pays the fee; one outside its scope is refused.
    digest_in, digest_out = "11" * 32, "22" * 32
    u = w.send("usage", "record", "--consent", consent_id, "--purpose", PURPOSE,
               "--operation", OPERATION, "--category", CATEGORY, "--input", digest_in,
               "--output", digest_out, frm="proc2", expect_status="committed")
    check_eq(node.balance(alice2), FEE, "subject's balance after one paid use")
    check_eq(node.balance(proc2), ISSUE - FEE, "processor's balance after one paid use")
    check_eq(w.balance("alice2"), FEE, "wallet balance of alice2")
    w.send("usage", "record", "--consent", consent_id, "--purpose", "marketing",
           "--operation", OPERATION, "--category", CATEGORY, frm="proc2",
           expect_status="rejected", expect_code="out_of_scope")
    check_eq(node.balance(alice2), FEE, "no fee for a refused use")

    # Revoke; a later use is refused with consent_revoked and pays nothing.
    w.send("consent", "revoke", consent_id, frm="alice2", expect_status="committed")
    r = w.run("usage", "record", "--consent", consent_id, "--purpose", PURPOSE,
              "--operation", OPERATION, "--category", CATEGORY, frm="proc2")
    check_eq(r.rc, yctest.EX_FAILED, "exit code of a use after revocation")
    check(isinstance(r.json, dict), "no --json object: %r", r)
    check_eq(r.json.get("code"), "consent_revoked", "code of a use after revocation")
    check_eq(r.json.get("status"), "refused", "status of a use after revocation (admission)")
    check("consent" in (r.json.get("message") or ""), "the refusal names the consent: %r", r.json)
    op = t.checker.invoke("usage record (revoked)", via="proc2")
    t.checker.refused(op, r.json.get("id"), "consent_revoked")
    check_eq(node.balance(alice2), FEE, "no fee after revocation")
    check_eq(node.balance(proc2), ISSUE - FEE, "processor pays nothing after revocation")
    st_c = node.rpc.call("consents", {"subject": alice2})["consents"][0]
    check_eq(st_c["status"], "revoked", "consent status after revoke")

    # Who used my data.
    uses = usage_entries(w.run("usage", frm="alice2", expect=0).json)
    check_eq(len(uses), 1, "uses of alice2's data (wallet)")
    check_eq(uses[0].get("user"), proc2, "who used the data")
    check_eq(uses[0].get("purpose"), PURPOSE, "purpose of the use")
    ru = node.rpc.call("usage", {"subject": alice2})["usage"]
    check_eq(len(ru), 1, "uses of alice2's data (RPC)")
    check_eq(ru[0]["authority"], consent_id, "authority of the use")
    check_eq(ru[0]["id"], u["id"], "id of the use")
    check_eq(to_int(ru[0]["fee"]), FEE, "fee of the use")

    # Plain transfer, and one beyond the balance.
    w.send("transfer", "--to", addrs["bob"], "--amount", 100, frm="alice2",
           expect_status="committed")
    w.send("transfer", "--to", addrs["bob"], "--amount", 10 ** 12, frm="alice2",
           expect_status="rejected", expect_code="insufficient_balance")
    check_eq(node.balance(alice2), FEE - 100, "alice2 after transfer")

    raw_grant = bytes.fromhex(node.rpc.call("block", {"height": str(grant_height),
                                                      "format": "raw"})["raw"])
    grant_proof = node.rpc.call("tx_proof", {"id": consent_id})

    # Restart: SIGTERM, start again, same state.
    registered = {k: v for k, v in addrs.items() if k != "org3"}
    before = snapshot(node, registered)
    rc = node.stop()
    check_eq(rc, 0, "exit code after SIGTERM")
    check(not os.path.exists(os.path.join(node.home, ".cookie")), ".cookie left after exit")
    node.start()
    after = snapshot(node, registered)
    check_eq(after, before, "state after restart")
    yctest.log("restart: same height %d, hash %s, state root %s"
               % (after["height"], after["last_block_hash"], after["state_root"]))

    # The same signed transaction again, after the restart: refused (E4).
    try:
        node.rpc.call("broadcast_tx_sync", {"tx": grant_proof["tx"]})
        raise yctest.TestFailure("a committed tx was admitted again")
    except yctest.RpcError as e:
        check(e.data_code in ("duplicate_tx", "bad_nonce"), "replayed tx refused with %s", e)

    # One block after the restart (its bytes are likely still in LevelDB's log).
    p = w.send("transfer", "--to", alice2, "--amount", 7, frm="bob",
               expect_status="committed")
    post_height = to_int(p["height"])
    check(post_height > before["height"], "a block after the restart")
    raw_post = bytes.fromhex(node.rpc.call("block", {"height": str(post_height),
                                                     "format": "raw"})["raw"])
    # A copy taken now, while the node runs idle, holds that block in LevelDB's log (as
    # after a crash at this instant); a clean stop may fold the log into a table.
    live_copy = copy_home(t, node.home, "txsig")

    chains = t.checker.check_chains([node])
    tip = max(chains[node.name]) if chains[node.name] else 0
    ntx = sum(len(b.get("txs", [])) for b in chains[node.name].values())
    check_eq(node.stop(), 0, "exit code after the second SIGTERM")
    # Copies first: opening the original (replay) folds LevelDB's log into a table, and
    # one tampered copy should still hold its block in the log.
    copies = {k: copy_home(t, node.home, k) for k in ("cert", "decode")}
    copies["txsig"] = live_copy

    # Audit replay of the stopped node's data.
    t0 = time.monotonic()
    r = t.audit("replay", "--home", node.home, "--json", expect=0)
    replay_secs = time.monotonic() - t0
    check(isinstance(r.json, dict) and r.json.get("ok") is True, "replay not ok: %r", r)
    check_eq(to_int(r.json["blocks"]), tip, "blocks replayed")
    check_eq(to_int(r.json["txs"]), ntx, "transactions replayed")

    # F2: one flipped byte in a stored block: in the certificate's signature (the block
    # that recorded the grant, in a LevelDB table), in a transaction's signature (the
    # block after the restart, still in LevelDB's log), and mid-block (not decodable).
    reasons = [
        tamper_and_replay(t, copies["cert"], "cert-sig", grant_height, raw_grant,
                          offset_in(raw_grant, b"\xa4sigs", 0) + 5 + 10),
        tamper_and_replay(t, copies["txsig"], "tx-sig", post_height, raw_post,
                          offset_in(raw_post, b"\xa3sig\xc4\x41", 1 + 10)),
        tamper_and_replay(t, copies["decode"], "mid-block", grant_height, raw_grant,
                          len(raw_grant) // 2),
    ]
    # The original data still replays.
    t.audit("replay", "--home", node.home, "--json", expect=0)

    t.number("height", tip)
    t.number("txs_committed", ntx)
    t.number("ops", len(t.checker.ops))
    t.number("replay_seconds", round(replay_secs, 3))
    t.number("f2_reasons", reasons)


if __name__ == "__main__":
    yctest.main(run)
