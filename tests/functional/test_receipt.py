#!/usr/bin/env python3
"""Consent receipts end to end on one validator (`yuchaind dev`), through the real wallet.

Grant a consent and revoke another, `receipt ID --out F` for each (and to stdout), stop
the node, then `verify-receipt F` offline: against HOME/config/genesis.json, against the
node's genesis hash, and unanchored (exit 0, saying "not anchored"). A receipt (version 2)
proves the signed bytes into tx_root and the outcome into result_root. Tampered copies (a
byte of the tx signature, of the header's tx_root and state_root, of the block hash, of a
certificate signature, the stated height, the outcome claimed failed, the tx's result
proof) exit 1 naming the failed check; another chain's
genesis (a second dev node's) is refused by hash and by file; a file that is not a
receipt exits 65, a missing one 74.
"""

import json
import os

import yctest
from yctest import check, check_eq, to_int


def flip_hex(s, at):
    """s with the hex digit at `at` changed."""
    return s[:at] + ("1" if s[at] == "0" else "0") + s[at + 1:]


def offset(s, needle, skip):
    """Hex digit offset `skip` past `needle` (hex) in s."""
    i = s.find(needle)
    check(i >= 0 and i % 2 == 0, "%r not found in %r", needle, s[:80])
    return i + len(needle) + skip


def write_json(path, doc):
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)


def run(t):
    t.require("yuchaind", "yuchain-wallet")
    node = t.start_dev_node()
    w = t.wallet(node)
    proc = w.address("processor")
    grant = ["consent", "grant", "--to", proc, "--categories", "health,fitness", "--purposes",
             "research", "--operations", "use", "--until", "+30d"]
    g = w.send(*grant, frm="alice", expect_status="committed")
    cid = g["id"]
    other = w.send(*grant, frm="alice", expect_status="committed")
    rv = w.send("consent", "revoke", other["id"], frm="alice", expect_status="committed")

    # receipt --out F: --json prints the summary.
    f_grant = os.path.join(t.tmp, "grant.receipt.json")
    r = w.run("receipt", cid, "--out", f_grant, expect=0)
    s = r.json
    check(isinstance(s, dict), "receipt --json printed no object: %r", r)
    check_eq(s.get("type"), "consent.grant", "receipt summary type")
    check_eq(s.get("id"), cid, "receipt summary id")
    check_eq(to_int(s.get("height")), to_int(g["height"]), "receipt summary height")
    check_eq(s.get("processor"), proc, "receipt summary processor")
    check_eq(s.get("categories"), ["health", "fitness"], "receipt summary categories")
    check_eq(s.get("file"), f_grant, "receipt summary file")
    with open(f_grant) as f:
        receipt = json.load(f)
    check_eq(receipt.get("version"), 2, "receipt version")
    check_eq((receipt.get("status"), receipt.get("code")), ("committed", "ok"), "receipt outcome")
    check(isinstance(receipt.get("result_proof"), dict), "receipt has no result_proof: %r",
          sorted(receipt))
    check_eq(receipt.get("tx_id"), cid, "receipt tx_id")
    check_eq(oct(os.stat(f_grant).st_mode & 0o777), oct(0o644), "receipt file mode")
    f_revoke = os.path.join(t.tmp, "revoke.receipt.json")
    r = w.run("receipt", rv["id"], "--out", f_revoke, expect=0)
    check_eq(r.json.get("type"), "consent.revoke", "revoke receipt type")
    check_eq(r.json.get("consent"), other["id"], "revoke receipt names the consent")
    # Without --out the receipt itself goes to stdout (text mode: the summary on stderr).
    r = w.run("receipt", cid, expect=0)
    check_eq(r.json, receipt, "receipt --json on stdout is the receipt")
    r = w.run("receipt", cid, json_out=False, expect=0)
    check_eq(json.loads(r.out), receipt, "receipt on stdout is the receipt")
    check("consent.grant" in r.err and proc in r.err, "no summary on stderr: %r", r)
    # Not committed, and not an id.
    w.run("receipt", "ab" * 32, expect=yctest.EX_FAILED)
    w.run("receipt", "nope", expect=yctest.EX_DATAERR)

    genesis_hash = node.status()["genesis_hash"]
    check_eq(receipt["genesis_hash"], genesis_hash, "receipt genesis hash")
    gfile = os.path.join(node.home, "config", "genesis.json")
    # Another chain: a second dev node's genesis.
    other_node = t.start_dev_node("other")
    other_hash = other_node.status()["genesis_hash"]
    other_gfile = os.path.join(other_node.home, "config", "genesis.json")
    check(other_hash != genesis_hash, "two dev chains share a genesis hash")
    check_eq(other_node.stop(), 0, "other node exit code")
    check_eq(node.stop(), 0, "node exit code")

    # Offline from here on: the node is stopped.
    v = w.run("verify-receipt", f_grant, "--genesis", gfile, expect=0)
    check(v.json.get("ok") is True and v.json.get("anchored") is True, "--genesis: %r", v)
    check_eq((v.json.get("signers"), v.json.get("validators")), (1, 1), "signers of validators")
    check_eq(v.json.get("type"), "consent.grant", "verified type")
    verify_secs = v.secs
    v = w.run("verify-receipt", f_grant, "--genesis-hash", genesis_hash, expect=0)
    check_eq(v.json.get("anchor"), "genesis_hash", "anchor by hash")
    w.run("verify-receipt", f_revoke, "--genesis", gfile, expect=0)
    v = w.run("verify-receipt", f_grant, expect=0)
    check(v.json.get("anchored") is False, "unanchored verify says anchored: %r", v)
    check("not anchored" in v.err and genesis_hash in v.err, "no 'not anchored' warning: %r", v)
    v = w.run("verify-receipt", f_grant, json_out=False, expect=0)
    check("NOT ANCHORED" in v.out and genesis_hash in v.out, "text output: %r", v)
    check("1 of 1 validators" in v.out and cid in v.out, "text output: %r", v)

    # Another chain's genesis, by hash and by file.
    for opt, val in (("--genesis-hash", other_hash), ("--genesis", other_gfile)):
        v = w.run("verify-receipt", f_grant, opt, val, expect=yctest.EX_FAILED)
        check_eq(v.json.get("check"), "genesis", "check failed with another chain's %s" % opt)
        check("genesis" in v.err, "no message naming the genesis: %r", v)

    # Tampered copies: each exits 1 naming its check.
    sig_at = offset(receipt["tx"], "a3736967c441", 20)
    cases = [
        ("tx signature", lambda d: d.update(tx=flip_hex(d["tx"], sig_at)), "signature"),
        ("tx_root", lambda d: d.update(header_raw=flip_hex(
            d["header_raw"], offset(d["header_raw"], "a774785f726f6f74c420", 6))), "tx_root"),
        ("outcome", lambda d: d.update(status="failed", code="consent_revoked"), "result_root"),
        ("status", lambda d: d.update(status="failed"), "outcome"),
        ("result proof", lambda d: d["result_proof"].update(
            index=str((to_int(d["result_proof"]["index"]) + 1) % max(
                1, to_int(d["result_proof"]["count"])))) if to_int(
                    d["result_proof"]["count"]) > 1 else d.update(code="frozen", status="failed"),
         "result_root"),
        ("state_root", lambda d: d.update(header_raw=flip_hex(
            d["header_raw"], offset(d["header_raw"], "aa73746174655f726f6f74c420", 4))),
         "block_hash"),
        ("block hash", lambda d: d.update(block_hash=flip_hex(d["block_hash"], 9)),
         "block_hash"),
        ("height", lambda d: d.update(height=str(to_int(d["height"]) + 1)), "height"),
        ("certificate", lambda d: d["certificate"]["signatures"][0].update(
            sig=flip_hex(d["certificate"]["signatures"][0]["sig"], 40)), "certificate"),
        ("no signatures", lambda d: d["certificate"].update(signatures=[]), "certificate"),
    ]
    for name, mutate, want in cases:
        doc = json.loads(json.dumps(receipt))
        mutate(doc)
        path = os.path.join(t.tmp, "tampered-%s.json" % name.replace(" ", "-"))
        write_json(path, doc)
        v = w.run("verify-receipt", path, "--genesis", gfile, expect=yctest.EX_FAILED)
        check_eq(v.json.get("check"), want, "check that caught the tampered %s" % name)
        check("'%s' failed" % want in v.err, "stderr does not name the check: %r", v)

    # Not a receipt (65), no file (74).
    doc = dict(receipt, version=1)
    bad = os.path.join(t.tmp, "v1.json")
    write_json(bad, doc)
    v = w.run("verify-receipt", bad, expect=yctest.EX_DATAERR)
    check("version" in v.err, "unknown version not named: %r", v)
    with open(bad, "w") as f:
        f.write("not json")
    w.run("verify-receipt", bad, expect=yctest.EX_DATAERR)
    w.run("verify-receipt", os.path.join(t.tmp, "missing.json"), expect=yctest.EX_IOERR)

    t.number("receipt_bytes", os.path.getsize(f_grant))
    t.number("verify_seconds", round(verify_secs, 3))
    t.number("tamper_cases", len(cases))
    t.number("height", to_int(rv["height"]))


if __name__ == "__main__":
    yctest.main(run)
