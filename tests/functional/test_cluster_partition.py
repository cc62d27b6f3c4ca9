#!/usr/bin/env python3
"""A4: partitions — isolate one validator; split 2 | 2; flapping; heal.

Needs the transport's test-only fault hook (a build configured with
-DYC_TEST_HOOKS=ON): each node is told, through HOME/test_fault and SIGUSR2, which
validators to cut off; messages to and from them are dropped while the connections
stay up (docs/operator.md, "Test-only fault hook"). Without the hook the test is
skipped (exit 77); run it with

    YC_BUILD_DIR=/path/to/build-with-hooks python3 tests/functional/test_cluster_partition.py

Four validators (view timeout 1 s) under steady load. Must hold:
- one isolated: the three others keep committing; the isolated one commits nothing
  after the cut; after healing it catches up;
- 2 | 2: after the cut has reached every node, **no block above the highest height
  at the cut appears anywhere and no transaction commits** for 8 s (stall, never fork;
  a node that lagged may still fetch a block committed before the cut from its own
  side); after healing, commits resume,
  within a bounded time (reported; must be under 40 s with a 1 s base timeout);
- flapping (each validator in turn cut off for 1.5 s): every transaction still commits;
- throughout and at the end: the shared checker finds nothing; `yuchain-audit replay`
  verifies every node's data (F1).
"""

import time

import yccluster
import yctest
from yctest import check, check_eq

BASE_PORT = 23200
SETTLE_S = 1.0
SPLIT_S = 8.0
RESUME_BOUND_S = 40.0


def run(t):
    t.require("yuchaind", "yuchain-audit", "ycbench")
    yccluster.require_fault_hook(t)
    c = yccluster.Cluster(t, validators=4, base_port=BASE_PORT,
                          options={"consensus.timeout_propose": "1s"})
    c.start()
    load = yccluster.Load(c, accounts=100, rounds=40, processors=2, rate=100)
    load.start()
    load.wait_acked(200, timeout=30)
    v = c.validators

    # ---- isolate one ----
    lone = v[3]
    load.exclude.add(lone.name)  # clients on the majority side
    c.partition([[0, 1, 2], [3]])
    time.sleep(SETTLE_S)
    h_lone = c.heights([lone])[lone.name]
    h_major = c.max_height(v[:3])
    time.sleep(6.0)
    check_eq(c.heights([lone])[lone.name], h_lone, "isolated %s's height" % lone.name)
    h_major2 = c.max_height(v[:3])
    check(h_major2 >= h_major + 3, "majority made %d blocks in 6 s with one isolated",
          h_major2 - h_major)
    t.number("isolated_majority_blocks", h_major2 - h_major)
    c.heal()
    load.exclude.clear()
    t0 = time.monotonic()
    c.wait_height(c.max_height(v[:3]) + 1, [lone], timeout=30, what="isolated node after heal")
    t.number("isolated_catch_up_s", round(time.monotonic() - t0, 2))

    # ---- split 2 | 2 ----
    load.wait_acked(load.acked() + 100, timeout=30)
    c.partition([[0, 1], [2, 3]])
    time.sleep(SETTLE_S)
    hs = c.heights(v)
    top = max(hs.values())
    time.sleep(SPLIT_S)
    hs2 = c.heights(v)
    # A node that lagged at the cut may still fetch a block its side already holds
    # (it was committed before the cut); nothing above the highest height may appear.
    check_eq(max(hs2.values()), top,
             "highest height during the 2 | 2 split (nothing may commit anywhere); "
             "before %r, after %r" % (hs, hs2))
    for name, h in hs2.items():
        check(h >= hs[name], "%s's height went back from %d to %d", name, hs[name], h)
    late = [o.txid for o in load.ops.values() if o.outcome == "ok" and o.height > top]
    check_eq(late, [], "transactions committed above height %d during the 2 | 2 split" % top)
    c.heal()
    t0 = time.monotonic()
    c.wait_height(top + 1, v, timeout=RESUME_BOUND_S, what="commits after healing 2 | 2")
    resume_s = time.monotonic() - t0
    t.number("split_heights", hs)
    t.number("split_resume_s", round(resume_s, 2))

    # ---- flapping ----
    for i in range(4):
        others = [j for j in range(4) if j != i]
        c.partition([others, [i]])
        time.sleep(1.5)
        c.heal()
        time.sleep(0.5)

    load.drain(timeout=90)
    c.wait_converged(timeout=30)
    load.stop()
    chains = c.check()
    load.report()
    c.audit_all(chains)


if __name__ == "__main__":
    yctest.main(run)
