#!/usr/bin/env python3
"""A2: kill -9 the primary, then a backup, under load; restart each; it catches up.

Four validators (view timeout 1 s) under steady load. Twice — first the validator that
is primary of the next height, then one that is not — the node is killed with SIGKILL
and stays down for about 6 s while the load goes on to the three others. Must hold:
commits continue with one (≤ f) validator down, through view changes at the heights
whose primary is the dead node; the restarted node still has every block it was seen
to have, reaches the others' height by block sync and takes part again; in the end
every transaction commits, the shared checker finds nothing, and `yuchain-audit
replay` verifies every node's data (F1).
"""

import time

import yccluster
import yctest
from yctest import check

BASE_PORT = 22400
DOWN_S = 6.0


def outage(t, c, load, victim, label):
    """Kills `victim`, checks progress without it, restarts it, checks it catches up."""
    others = [x for x in c.validators if x is not victim]
    h_kill = c.max_height(others)
    acked = load.acked()
    t.checker.fault("kill -9 %s (%s) at height %d" % (victim.name, label, h_kill))
    c.kill9([victim])
    time.sleep(DOWN_S)
    h_mid = c.max_height(others)
    acked_mid = load.acked()
    # one down of four: commits continue (and the dead node's heights change views)
    check(h_mid >= h_kill + 4, "%s down: only %d blocks in %.0f s (height %d -> %d)",
          victim.name, h_mid - h_kill, DOWN_S, h_kill, h_mid)
    check(acked_mid > acked, "%s down: no transaction committed", victim.name)
    t0 = time.monotonic()
    victim.start()
    t.checker.fault("restart %s" % victim.name)
    h_restart = victim.height()
    target = c.max_height(others)
    n_seen = c.verify_seen(victim)
    c.wait_height(target, [victim], timeout=30, what="%s catch-up" % victim.name)
    catch_s = time.monotonic() - t0
    # and it takes part again: it follows new blocks too
    c.wait_height(target + 2, [victim], timeout=30, what="%s following" % victim.name)
    t.number("%s_blocks_while_down" % label, h_mid - h_kill)
    t.number("%s_txs_acked_while_down" % label, acked_mid - acked)
    t.number("%s_blocks_behind_at_restart" % label, target - h_restart)
    t.number("%s_catch_up_s" % label, round(catch_s, 2))
    yctest.log("%s back: %d blocks re-verified, caught up from %d to %d in %.2fs"
               % (victim.name, n_seen, h_restart, target, catch_s))


def run(t):
    t.require("yuchaind", "yuchain-audit", "ycbench")
    c = yccluster.Cluster(t, validators=4, base_port=BASE_PORT,
                          options={"consensus.timeout_propose": "1s"})
    c.start()
    load = yccluster.Load(c, accounts=100, rounds=40, processors=2, rate=150)
    load.start()
    load.wait_acked(300, timeout=30)

    _, p, _ = c.primary()
    primary = c.validators[p]
    load.exclude.add(primary.name)
    outage(t, c, load, primary, "primary")
    load.exclude.clear()
    load.wait_acked(load.acked() + 200, timeout=30)

    _, p, _ = c.primary()
    backup = [x for x in c.validators if x.index not in (p, primary.index)][0]
    load.exclude.add(backup.name)
    outage(t, c, load, backup, "backup")
    load.exclude.clear()

    load.drain(timeout=60)
    c.wait_converged(timeout=30)
    load.stop()
    chains = c.check()
    load.report()
    c.audit_all(chains)


if __name__ == "__main__":
    yctest.main(run)
