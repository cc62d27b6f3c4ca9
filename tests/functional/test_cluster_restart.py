#!/usr/bin/env python3
"""A6: stop all and start all; kill -9 all at once (twice); resume from disk.

Four validators (view timeout 1 s) under steady load. First every node gets SIGTERM at
once (each must exit 0) and all are started again; then, twice, at a seeded moment
under load, every node is killed with SIGKILL at once and all are started again.
Must hold after each restart: every node still has every block it was seen to have,
unchanged (nothing committed is lost, no different block at a committed height), no
height goes down, and the consortium commits again from where it stopped (each node's
consensus journal resumed); in the end every transaction commits, the shared checker
finds nothing, and `yuchain-audit replay` verifies every node's data (F1).

"Commits again" is judged by new transactions committing, so the load must outlast the
restarts: the submitter is held while the nodes are down (their time to start and
re-verify depends on the machine, not on the load), and each restart checks that
transactions are left to commit. Before, on a loaded machine, the whole load could be
committed before the second kill -9, and nothing was left to commit after it.
"""

import time

import yccluster
import yctest
from yctest import check

BASE_PORT = 23600


def restart_all(t, c, load, label):
    t0 = time.monotonic()
    c.start()
    check(not load.sent_all(), "%s: the load ran out before the restart (%d of %d sent): "
          "the test is sized too small for this machine", label, load.cursor, len(load.txs))
    load.resume()
    # the height to pass is read before the stored blocks are re-verified, which takes
    # seconds under ASan: read after, it could be the height where the load had run out
    h = c.max_height()
    acked = load.acked()
    verified = sum(c.verify_seen(x) for x in c.nodes)
    c.wait_height(h + 2, timeout=40, what="commits after %s" % label)
    load.wait_acked(acked + 1, timeout=30)
    secs = round(time.monotonic() - t0, 2)
    t.number("%s_restart_to_commit_s" % label, secs)
    yctest.log("%s: %d stored blocks re-verified; committing again after %.2fs"
               % (label, verified, secs))


def run(t):
    t.require("yuchaind", "yuchain-audit", "ycbench")
    c = yccluster.Cluster(t, validators=4, base_port=BASE_PORT,
                          options={"consensus.timeout_propose": "1s"})
    c.start()
    load = yccluster.Load(c, accounts=100, rounds=60, processors=2, rate=150)
    load.start()
    load.wait_acked(300, timeout=30)

    t.checker.fault("SIGTERM all at height %d" % c.max_height())
    c.stop()
    load.pause()
    restart_all(t, c, load, "stop_all")

    for k in range(2):
        time.sleep(t.rng.uniform(1.0, 3.0))
        h = c.max_height()
        t.checker.fault("kill -9 all #%d at height %d (%d acknowledged)"
                        % (k + 1, h, load.acked()))
        c.kill9(c.nodes)
        load.pause()
        restart_all(t, c, load, "kill_all_%d" % (k + 1))
    # how many restarts found votes of an undecided height in the journal (a kill in the
    # middle of a height; test_cluster_prepared forces it)
    t.number("journal_resumptions", sum(x.log_count("consensus journal records")
                                        for x in c.nodes))

    load.drain(timeout=60)
    c.wait_converged(timeout=30)
    load.stop()
    chains = c.check()
    check(all(max(chains[x.name]) >= x.last_height for x in c.nodes), "heights went down")
    load.report()
    c.audit_all(chains)


if __name__ == "__main__":
    yctest.main(run)
