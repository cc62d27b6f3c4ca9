#!/usr/bin/env python3
"""A11: a validator down for many blocks, and a new observer, catch up by block sync.

Four validators (small blocks, so that heights go fast) and one observer that is not
started at first. Under load, one validator is killed with SIGKILL and stays down
while the others make at least 150 blocks (more than two sync batches of 64;
view timeout 400 ms, as every fourth height's primary is the dead one). Then it
restarts and the observer starts for the first time (from genesis). Must hold: both
reach the others' height by block sync — each synced block's certificate is checked
against the genesis validators before it is stored (sync.md), which the audit replay
of their data checks again afterwards (F1) — the restarted validator then takes part
in consensus again (the consortium commits with any one other validator stopped), and
the shared checker over all five chains finds nothing.
"""

import time

import yccluster
import yctest
from yctest import check

BASE_PORT = 24800
BEHIND = 150


def run(t):
    t.require("yuchaind", "yuchain-audit", "ycbench")
    c = yccluster.Cluster(t, validators=4, observers=1, base_port=BASE_PORT,
                          options={"consensus.timeout_propose": "400ms",
                                   "consensus.batch_max_txs": 10})
    obs = c.observers[0]
    c.start(c.validators)
    load = yccluster.Load(c, accounts=100, rounds=40, processors=2, rate=250)
    load.start()
    load.wait_acked(200, timeout=30)

    lag = c.validators[1]
    others = [x for x in c.validators if x is not lag]
    h_kill = c.max_height(others)
    t.checker.fault("kill -9 %s at height %d" % (lag.name, h_kill))
    c.kill9([lag])
    c.wait_height(h_kill + BEHIND, others, timeout=60, what="others, %d blocks on" % BEHIND)
    target = c.max_height(others)

    t0 = time.monotonic()
    lag.start()
    obs.start()
    t.checker.fault("restart %s and start observer %s at height %d" % (lag.name, obs.name,
                                                                       target))
    h_lag = lag.height()
    catching = lag.status().get("catching_up")
    c.wait_height(target, [lag], timeout=60, what="%s catch-up" % lag.name)
    lag_s = time.monotonic() - t0
    c.wait_height(target, [obs], timeout=60, what="observer catch-up")
    obs_s = time.monotonic() - t0
    t.number("blocks_behind", target - h_lag)
    t.number("catching_up_right_after_restart", catching)
    t.number("validator_catch_up_s", round(lag_s, 2))
    t.number("observer_catch_up_s", round(obs_s, 2))
    t.number("blocks_synced_per_s", round((target - h_lag) / lag_s, 1))

    # it votes again: with another validator stopped, commits need it
    load.wait_acked(load.acked() + 100, timeout=30)
    stopped = others[0]
    stopped.pause()
    load.exclude.add(stopped.name)
    t.checker.fault("SIGSTOP %s: %s's vote is needed" % (stopped.name, lag.name))
    h = c.max_height([lag])
    c.wait_height(h + 3, [x for x in c.validators if x is not stopped], timeout=30,
                  what="commits needing the caught-up validator")
    stopped.resume()
    load.exclude.clear()

    load.drain(timeout=60)
    c.wait_converged(timeout=30)
    load.stop()
    synced = lag.log_count("sync: at height")
    check(synced > 0, "%s logged no block sync", lag.name)
    chains = c.check()
    load.report()
    c.audit_all(chains)


if __name__ == "__main__":
    yctest.main(run)
