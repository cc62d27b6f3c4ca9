#!/usr/bin/env python3
"""Proposals by transaction ids: a backup that missed gossip fetches what it lacks and votes.

Two validators (a quorum needs both, so every block needs node1's vote). node1 starts
with the test fault `gossip_drop=600`: it ignores 60% of the transactions it receives by
gossip, as if they had never reached it (needs a -DYC_TEST_HOOKS=ON build; skipped, exit
77, otherwise). The load goes to node0 only, so node0's proposals hold transactions
node1 does not have: it must ask node0 for them by id (docs/design/pbft.md §4a) before it
can check the block and vote. Must hold: every transaction commits; node1 fetched
transactions (`yuchain_proposal_txs_fetched_total` > 0) and found the others
(`yuchain_proposal_txs_resolved_total` > 0); each node refused no proposal by ids; the
shared checker finds nothing and `yuchain-audit replay` verifies both nodes' data.
"""

import yccluster
import yctest
from yctest import check

BASE_PORT = 23600


def run(t):
    t.require("yuchaind", "yuchain-audit", "ycbench")
    yccluster.require_fault_hook(t)
    c = yccluster.Cluster(t, validators=2, base_port=BASE_PORT,
                          options={"consensus.timeout_propose": "1s"})
    v0, v1 = c.validators
    c.start([v0], wait=False)
    c.start([v1], env={"YUCHAIN_TEST_FAULT": "gossip_drop=600"}, wait=False)
    v0.wait_ready()
    v1.wait_ready()

    load = yccluster.Load(c, accounts=60, rounds=4, processors=1, rate=100)
    load.exclude.add(v1.name)
    load.start()
    load.drain(timeout=120)
    c.wait_converged(timeout=30)
    load.stop()

    m1 = v1.metrics()
    fetched = m1.get("yuchain_proposal_txs_fetched_total", 0)
    resolved = m1.get("yuchain_proposal_txs_resolved_total", 0)
    check(fetched > 0, "node1 fetched no transaction of a proposal (resolved %d)", resolved)
    check(resolved > 0, "node1 found no transaction of a proposal in its mempool")
    t.number("node1_txs_fetched", int(fetched))
    t.number("node1_txs_resolved", int(resolved))
    t.number("node1_fetches", int(m1.get("yuchain_proposal_fetches_total", 0)))
    t.number("node1_whole_requests", int(m1.get("yuchain_proposal_wholes_total", 0)))
    for x in c.validators:
        check(x.log_count("proposal by ids from validator") == 0,
              "%s refused a proposal by ids:\n%s", x.name, x.log_tail(20))
    chains = c.check()
    c.audit_all(chains)


if __name__ == "__main__":
    yctest.main(run)
