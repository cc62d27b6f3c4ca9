#!/usr/bin/env python3
"""Validator-set governance through the wallet and the RPC, without changing the set
(docs/operator.md "Changing the validator set", docs/formats.md "Validator-set governance").

A 4-validator testnet, whose validator I's organisation account is the keystore orgI:
`validator set` shows the set in force with each organisation; an account that is no
validator's organisation cannot propose (not_authorized, with words); org0 proposes
removing node3 (weight 1 of the quorum 3, open), cannot approve it again
(already_approved), org1 approves (weight 2, still open); org2 cannot withdraw it, org0
does (withdrawn), and a late approval is refused (closed); a change that does not apply
(adding a key already in the set, or with an unregistered organisation) is refused naming
the field. The set never changes, so the chain keeps committing with its genesis set, and
`yuchain-audit replay` verifies every node's chain after a clean stop. (Changes that are
applied, with the switch of sets, are test_cluster_valset.py's.)
"""

import yccluster
import yctest
from yctest import check, check_eq, to_int

BASE_PORT = 22600


def refused(w, frm, args, code, words):
    """Sends a governance tx that the node must refuse or fail with `code` and `words`."""
    r = w.run(*args, frm=frm)
    j = r.json if isinstance(r.json, dict) else {}
    text = r.out + r.err
    check(r.rc == 1 and (j.get("code") == code or code in text),
          "%s: expected %s, got exit %d: %r", " ".join(args[:3]), code, r.rc, r)
    check(words in text, "%s: the refusal lacks %r: %r", " ".join(args[:3]), words, text)


def run(t):
    t.require("yuchaind", "yuchain-wallet", "yuchain-audit")
    c = yccluster.Cluster(t, validators=4, base_port=BASE_PORT)
    c.start()
    w = t.wallet(c.validators[0])
    orgs = [w.address("org%d" % i) for i in range(4)]

    vs = w.run("validator", "set", expect=0).json
    check_eq((vs["set"]["count"], vs["set"]["quorum"], vs["changes"], vs["proposals"]),
             (4, 3, [], []), "validator set")
    check_eq([v["org"] for v in vs["set"]["validators"]], orgs, "each validator's organisation")
    node3 = vs["set"]["validators"][3]["id"]
    node2 = vs["set"]["validators"][2]["id"]

    refused(w, "alice", ["validator", "propose", "remove", node3], "not_authorized",
            "is not the organisation account of a validator in force")
    refused(w, "org0", ["validator", "propose", "add", node2, "--name", "again", "--org",
                        orgs[1]], "bad_valset_change", "is already validator")
    refused(w, "org0", ["validator", "propose", "add", w.address("bob"), "--name", "nobody",
                        "--org", w.new("unregistered")], "unknown_account", "org")

    j = w.send("validator", "propose", "remove", node3, frm="org0", expect_status="committed")
    pid = j["id"]
    p = w.run("validator", "proposal", pid, expect=0).json
    check_eq((p["status"], p["weight"], p["quorum"], p["approvals"]), ("open", 1, 3, [orgs[0]]),
             "the proposal after proposing")
    refused(w, "org0", ["validator", "approve", pid], "already_approved", "already approved")
    w.send("validator", "approve", pid, frm="org1", expect_status="committed")
    p = w.run("validator", "proposal", pid, expect=0).json
    check_eq((p["status"], p["weight"], len(p["approval_txs"])), ("open", 2, 1),
             "the proposal after one approval")
    vs = w.run("validator", "set", expect=0).json
    check_eq([x["id"] for x in vs["proposals"]], [pid], "the open proposals")
    refused(w, "org2", ["validator", "withdraw", pid], "not_authorized",
            "only the organisation that proposed it")
    w.send("validator", "withdraw", pid, frm="org0", expect_status="committed")
    refused(w, "org2", ["validator", "approve", pid], "closed", "was withdrawn at height")
    p = w.run("validator", "proposal", pid, expect=0).json
    check_eq(p["status"], "withdrawn", "the withdrawn proposal")
    check(to_int(p["ended"]) > 0, "a withdrawn proposal has no end height: %r", p)

    vs = w.run("validator", "set", expect=0).json
    check_eq((vs["set"]["count"], vs["set"]["from"], vs["changes"], vs["proposals"]),
             (4, "1", [], []), "the set after the withdrawal")
    hist = c.validators[1].rpc.call("valset_history")
    check_eq(hist["changes"], [], "valset_history with no change applied")

    c.audit_all(c.check())


if __name__ == "__main__":
    yctest.main(run)
