#!/usr/bin/env python3
"""Validator-set changes on a running consortium (issue 13 item 2; docs/operator.md,
"Changing the validator set"), under a steady load.

Four validators and two observer homes given validator keys of their own (`yuchaind
keys` in the home), started as observers. The organisations (org0..org3) propose and
approve adding the first; at the effect height its node turns validator and its votes
appear in certificates. Then they remove validator 3: its node turns observer and sends
no consensus message any more while blocks keep committing. Then they replace validator
2's key by the second new key: node2 stops voting, the second new node votes in its
place. Validator 1 is down through both and catches up by block sync across them
(each block's certificate against the set of its height), then votes again. Every
node's chain passes the shared checker and `yuchain-audit replay` of every
home (each certificate against the set in force at its height).
"""

import json
import os
import re
import time

import yccluster
import yctest
from yctest import check, check_eq, log, to_int

BASE_PORT = 27000


def wait_for(what, pred, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.2)
    raise yctest.TestFailure("timed out waiting for " + what)


def role(x):
    try:
        return x.rpc.call("status")["role"]
    except Exception:  # noqa: BLE001 — a busy node answers later
        return None


def signers(x, h):
    b = x.rpc.call("block", {"height": str(h)})
    return {int(s["validator"]) for s in b["certificate"]["signatures"]}


def run(t):
    t.require("yuchaind", "yuchain-wallet", "yuchain-audit", "ycbench")
    # empty blocks: a change takes effect at its height even when no transaction waits;
    # a short view timeout: heights whose primary is down (node1, below) pass quickly
    c = yccluster.Cluster(t, validators=4, observers=2, base_port=BASE_PORT,
                          options={"consensus.create_empty_blocks": "true",
                                   "consensus.timeout_propose": "1s"})
    v0, v2, v3, new, repl = c.nodes[0], c.nodes[2], c.nodes[3], c.nodes[4], c.nodes[5]
    keys = []
    for x, name in ((new, "five"), (repl, "six")):
        r = t.run_cli([t.bin("yuchaind"), "keys", "--home", x.home, "--org", "Org " + name,
                       "--name", name, "--json"], expect=0)
        keys.append(json.loads(r.out)["pub_key"])
    new_key, repl_key = keys
    # the sixth must reach the fifth (added after the genesis): its operator lists it
    conf = os.path.join(repl.home, "config", "node.conf")
    with open(conf) as f:
        text = f.read()
    text = re.sub(r'^(persistent_peers = ".*)"$',
                  lambda m: '%s,%s@127.0.0.1:%d"' % (m.group(1), new_key, new.base_port), text,
                  count=1, flags=re.M)
    check(new_key in text, "node5's persistent_peers not extended")
    with open(conf, "w") as f:
        f.write(text)
    c.start()
    check_eq((role(new), role(repl)), ("observer", "observer"), "the new keys' nodes at start")
    w = t.wallet(v0, wallet_dir=c.wallet_dir, password_file=c.password_file)
    load = yccluster.Load(c, accounts=20, rounds=16, processors=1, rate=12)
    load.exclude.update((new.name, repl.name))
    load.start()
    load.wait_acked(20, timeout=60)

    # add the fifth: proposed by org0 (its own approval), approved by org1 and org2 (3 of 4)
    j = w.send("validator", "propose", "add", new_key, "--name", "five", "--org",
               w.address("org0"), frm="org0", expect_status="committed")
    pid = j["id"]
    for o in ("org1", "org2"):
        j = w.send("validator", "approve", pid, frm=o, expect_status="committed")
    fixed = to_int(j["height"])
    wait_for("the fifth node to vote", lambda: role(new) == "validator", 60)
    h_add = c.max_height(c.validators) + 1
    c.wait_height(h_add + 3, c.validators, timeout=60, what="commits after the addition")
    check(any(4 in signers(v0, h) for h in range(h_add, h_add + 4)),
          "the fifth validator signed none of blocks %d..%d", h_add, h_add + 3)
    t.number("add_fixed_at", fixed)
    log("fifth validator votes from about height %d" % h_add)

    # validator 1 sits out the next two changes (4 of 5 up, then 3 of 4: a quorum each)
    v1 = c.nodes[1]
    c.stop([v1])
    # remove validator 3: weights org0 (validators 0 and 4) + org1 + org2 = 4 of 5
    gen_keys = [v["pub_key"] for v in c.genesis["validators"]]
    j = w.send("validator", "propose", "remove", gen_keys[3], frm="org0",
               expect_status="committed")
    pid = j["id"]
    for o in ("org1", "org2"):
        j = w.send("validator", "approve", pid, frm=o, expect_status="committed")
    load.exclude.add(v3.name)
    wait_for("validator 3 to leave", lambda: role(v3) == "observer", 60)
    sent = v3.metrics().get("yuchain_consensus_messages_sent_total", 0)
    h_rm = c.max_height([v0]) + 1
    c.wait_height(h_rm + 3, [v0, v2, new], timeout=60,
                  what="commits after the removal")
    check_eq(v3.metrics().get("yuchain_consensus_messages_sent_total", 0), sent,
             "consensus messages sent by the removed validator's node")
    check(v3.log_count("left the validator set") >= 1, "node3 did not log leaving the set")
    for h in range(h_rm + 1, h_rm + 4):  # 4 validators now: 0, 1, 2 and the fifth at 3
        check(signers(v0, h) <= {0, 1, 2, 3}, "block %d: a signer outside the set of 4", h)
    vs = v0.rpc.call("validators")
    check_eq((to_int(vs["count"]), to_int(vs["quorum"])), (4, 3), "validators after removal")
    check_eq(vs["validators"][3]["id"], new_key, "the fifth key's place after the removal")

    # replace validator 2's key: org0 (validators 0 and the fifth) + org1 = 3 of 4
    j = w.send("validator", "propose", "replace-key", gen_keys[2], "--new-key", repl_key,
               frm="org0", expect_status="committed")
    w.send("validator", "approve", j["id"], frm="org1", expect_status="committed")
    load.exclude.add(v2.name)
    wait_for("the new key's node to vote", lambda: role(repl) == "validator", 60)
    check_eq(role(v2), "observer", "node2 after its key was replaced")
    sent = v2.metrics().get("yuchain_consensus_messages_sent_total", 0)
    h_rp = c.max_height([v0]) + 1
    c.wait_height(h_rp + 3, [v0, new, repl], timeout=60,
                  what="commits after the key replacement")
    check_eq(v2.metrics().get("yuchain_consensus_messages_sent_total", 0), sent,
             "consensus messages sent by the replaced key's node")
    check(any(2 in signers(v0, h) for h in range(h_rp + 1, h_rp + 4)),
          "the new key (index 2) signed none of blocks %d..%d", h_rp + 1, h_rp + 3)
    vs = v0.rpc.call("validators")
    check_eq([v["id"] for v in vs["validators"]][2], repl_key, "index 2 after the replacement")

    # validator 1 back: syncs across the removal and the replacement, then votes again
    h_back = c.max_height([v0])
    c.start([v1])
    c.wait_height(h_back, [v1], timeout=60, what="node1's block sync across two changes")
    check_eq(role(v1), "validator", "node1 after catching up")
    check(v1.log_count("validator set changes at height") >= 2,
          "node1 did not follow both changes while syncing")
    h_v1 = c.max_height([v0]) + 1
    wait_for("node1's vote in a certificate",
             lambda: any(1 in signers(v0, h) for h in range(h_v1, c.max_height([v0]) + 1)), 60)

    load.drain(timeout=90)
    c.wait_converged(timeout=30)
    load.stop()
    chains = c.check()
    load.report()
    # F1 as Cluster.audit_all, except that empty blocks go on after the check: each
    # replay must reach at least the height the checker saw
    c.stop()
    for x in c.nodes:
        j = t.audit("replay", "--home", x.home, "--json", expect=0).json
        check(isinstance(j, dict) and j.get("ok") is True, "%s: replay: %r", x.name, j)
        check(int(j["blocks"]) >= max(chains[x.name]), "%s: replay verified %s blocks, %d seen",
              x.name, j["blocks"], max(chains[x.name]))


if __name__ == "__main__":
    yctest.main(run)
