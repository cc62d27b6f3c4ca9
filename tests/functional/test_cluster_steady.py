#!/usr/bin/env python3
"""A1: four validators and one observer under steady load, no fault (TESTING.md A1, F1).

Signed transfers and consent grants are submitted at a steady rate, round-robin to the
four validators, for about 15 s. Must hold: every transaction commits, the shared
checker finds nothing (no divergence between the five chains, nothing lost, doubled
or rejected-and-present, no time travel, no equivocation), no view change happens on
any validator (metric, and every certificate is of view 0), every validator sees its
three peers, `validators` and `net_info` describe the consortium, the observer follows
the chain and refuses broadcasts (not_authorized), and after a clean stop
`yuchain-audit replay --home` verifies every node's data.
"""

import time

import yccluster
import yctest
from yctest import RpcError, check, check_eq, to_int

BASE_PORT = 22000
ACCOUNTS, ROUNDS, RATE = 150, 20, 200   # 3,000 txs at 200 tx/s: about 15 s


def run(t):
    t.require("yuchaind", "yuchain-audit", "ycbench")
    c = yccluster.Cluster(t, validators=4, observers=1, base_port=BASE_PORT)
    c.start()
    obs = c.observers[0]

    # the consortium as the RPC describes it
    for x in c.validators:
        v = x.rpc.call("validators")
        check_eq(int(v["count"]), 4, "validators.count")
        check_eq(int(v["quorum"]), 3, "validators.quorum")
        check_eq([int(e["index"]) for e in v["validators"]], [0, 1, 2, 3], "validator indices")
        check_eq([e["self"] for e in v["validators"]], [e == x.index for e in range(4)],
                 "%s: validators.self" % x.name)
    deadline = time.monotonic() + 20
    while True:
        peers = {x.name: len(x.rpc.call("net_info")["peers"]) for x in c.nodes}
        if all(peers[x.name] >= 3 for x in c.validators) and peers[obs.name] >= 1:
            break
        check(time.monotonic() < deadline, "peers not connected after 20 s: %r", peers)
        time.sleep(0.2)
    st = obs.status()
    check_eq(st["role"], "observer", "observer's status.role")

    load = yccluster.Load(c, accounts=ACCOUNTS, rounds=ROUNDS, processors=2, rate=RATE)
    h0 = c.max_height()
    vc0 = {x.name: x.metrics().get("yuchain_view_changes_total", 0) for x in c.validators}
    t0 = time.monotonic()
    load.start()

    # the observer refuses writes
    try:
        obs.rpc.call("broadcast_tx_sync", {"tx": load.txs[0]["hex"]})
        raise yctest.TestFailure("an observer accepted broadcast_tx_sync")
    except RpcError as e:
        check_eq(e.data_code, "not_authorized", "observer broadcast error code")

    load.drain(timeout=90)
    run_s = time.monotonic() - t0
    tip = c.wait_converged(timeout=20)
    load.stop()

    for x in c.validators:
        m = x.metrics()
        check_eq(m.get("yuchain_view_changes_total", 0), vc0[x.name],
                 "%s: view changes under steady load" % x.name)
        ni = x.rpc.call("net_info")
        vals = sorted(int(p["validator_index"]) for p in ni["peers"] if p["role"] == "validator")
        check_eq(vals, [i for i in range(4) if i != x.index], "%s: validator peers" % x.name)
        check_eq(m.get("yuchain_peers", 0), float(len(ni["peers"])), "%s: peers" % x.name)
    chains = c.check()
    for h, b in chains["node0"].items():
        check_eq(to_int(b["certificate"]["view"]), 0, "certificate view of block %d" % h)
        check(len(b["certificate"]["signatures"]) >= c.q, "block %d: %d signatures",
              h, len(b["certificate"]["signatures"]))
    t.number("blocks_under_load", tip - h0)
    t.number("load_s", round(run_s, 2))
    t.number("committed_tx_per_s", round(len(load.txs) / run_s, 1))
    t.number("observer_height", obs.last_height)
    load.report()
    c.audit_all(chains)


if __name__ == "__main__":
    yctest.main(run)
