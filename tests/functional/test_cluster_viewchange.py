#!/usr/bin/env python3
"""A7: kill the primary, then the next primary during the view change.

Seven validators (f = 2, quorum 5; view timeout 1 s, doubling per view), so that two
dead primaries still leave a quorum. Each round starts quiescent at height H (every
transaction sent is committed), so the primary of H+1 in view v is (H+1+v) mod 7:

1. "during": the primary of view 0 is killed, a few transactions are submitted to a
   live validator, and as soon as any live validator reports view 1 (the view change
   has begun) the primary of view 1 is killed too;
2. "before": both are killed before the first view timer can expire, so view 1 surely
   has a dead primary.

Must hold in each round: H+1 is committed by every live validator within a bound
(views 0 and 1 last 1 s and 2 s), in a view whose primary is alive and honest (view
≥ 2 in round 2; round 1 reports the view reached — 1 if the second kill came after
the NEW-VIEW), so nobody stays stuck; the killed nodes restart and catch up; in the
end every transaction commits, the shared checker finds nothing, and `yuchain-audit
replay` verifies every node's data (F1).
"""

import time

import yccluster
import yctest
from yctest import check, to_int

BASE_PORT = 24000
N = 7
COMMIT_BOUND_S = 25.0


def one_round(t, c, load, label, during):
    h = load.settle()
    p1 = c.validators[(h + 1) % N]
    p2 = c.validators[(h + 2) % N]
    t.checker.fault("%s: kill -9 %s (primary of %d/0)" % (label, p1.name, h + 1))
    c.kill9([p1])
    live = [x for x in c.validators if x.up]
    t0 = time.monotonic()
    load.send_now(10, live[0])
    if during:
        saw = None
        while saw is None:
            check(time.monotonic() - t0 < 10, "no view change began within 10 s")
            for x in live:
                if x is p2:
                    continue
                st = x.try_status()
                if st and (to_int(st["view"]) >= 1 or to_int(st["height"]) > h):
                    saw = (x.name, st["view"], st["height"])
                    break
        t.checker.fault("%s: kill -9 %s (primary of %d/1) as %s reports view %s height %s"
                        % (label, p2.name, h + 1, saw[0], saw[1], saw[2]))
    else:
        t.checker.fault("%s: kill -9 %s (primary of %d/1) before any view timeout"
                        % (label, p2.name, h + 1))
    kill2_ms = int(time.time() * 1000)
    c.kill9([p2])
    live = [x for x in c.validators if x.up]
    c.wait_height(h + 1, live, timeout=COMMIT_BOUND_S, what="%s: height %d" % (label, h + 1))
    secs = time.monotonic() - t0
    blk = c.block(h + 1)
    view = to_int(blk["certificate"]["view"])
    proposer = int(blk["header"]["proposer"])
    # In "during", p2 may have proposed in view 1 before the kill landed (its proposal then
    # commits with the five left): that is the view-1 case the docstring allows. Its
    # block time (p2's clock, this machine) must then precede the kill.
    p2_before_kill = (during and proposer == p2.index and view == 1
                      and to_int(blk["header"]["time_ms"]) <= kill2_ms + 1000)
    check(proposer not in (p1.index, p2.index) or view == 0 or p2_before_kill,
          "block %d proposed by a killed node %d in view %d (time %s, second kill at %d)",
          h + 1, proposer, view, blk["header"].get("time_ms"), kill2_ms)
    if not during:
        check(view >= 2, "%s: height %d certified in view %d with both primaries dead",
              label, h + 1, view)
    t.number("%s_commit_after_kill_s" % label, round(secs, 2))
    t.number("%s_certificate_view" % label, view)
    # the consortium goes on, then the two restart and catch up
    load.resume()
    load.wait_acked(load.acked() + 50, timeout=30)
    c.start([p1, p2])
    t.checker.fault("%s: restart %s, %s" % (label, p1.name, p2.name))
    c.wait_height(c.max_height() + 1, [p1, p2], timeout=30, what="%s: catch-up" % label)


def run(t):
    t.require("yuchaind", "yuchain-audit", "ycbench")
    c = yccluster.Cluster(t, validators=N, base_port=BASE_PORT,
                          options={"consensus.timeout_propose": "1s"})
    c.start()
    load = yccluster.Load(c, accounts=70, rounds=20, processors=2, rate=70)
    load.start()
    load.wait_acked(100, timeout=30)
    one_round(t, c, load, "during", during=True)
    one_round(t, c, load, "before", during=False)
    load.drain(timeout=60)
    c.wait_converged(timeout=30)
    load.stop()
    chains = c.check()
    load.report()
    c.audit_all(chains)


if __name__ == "__main__":
    yctest.main(run)
