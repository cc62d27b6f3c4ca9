#!/usr/bin/env python3
"""A3: SIGSTOP a validator for 10 s, then SIGCONT — a backup, then the primary.

Four validators (view timeout 1 s) under steady load. A frozen process keeps its
sockets open: its peers see no error, only silence, and when it resumes it acts on
timers that expired long ago and sends messages of views the others have left.
Must hold, for each pause: the three others keep committing (for the primary, after a
view change: blocks certified in a view above 0 appear); after SIGCONT the node
catches up and takes part again; no node logs evidence of conflicting votes (the
resumed node does not equivocate); the stale-view messages it sends are refused
(counted by the others' `consensus message ... refused` or `stale` log lines when
present, reported as a number); in the end every transaction commits, the shared
checker finds nothing, and `yuchain-audit replay` verifies every node's data (F1).
"""

import time

import yccluster
import yctest
from yctest import check

BASE_PORT = 22800
PAUSE_S = 10.0


def pause(t, c, load, victim, label):
    others = [x for x in c.validators if x is not victim]
    h0 = c.max_height(others)
    views0 = {x.name: set(s[3] for s in x.seen.values()) for x in others}
    t.checker.fault("SIGSTOP %s (%s) at height %d for %.0f s" % (victim.name, label, h0, PAUSE_S))
    load.exclude.add(victim.name)
    victim.pause()
    time.sleep(PAUSE_S)
    h1 = c.max_height(others)
    check(h1 >= h0 + 4, "%s stopped: only %d blocks in %.0f s", victim.name, h1 - h0, PAUSE_S)
    victim.resume()
    resumed_at = time.time() - 0.01
    t.checker.fault("SIGCONT %s" % victim.name)
    load.exclude.discard(victim.name)
    t0 = time.monotonic()
    target = c.max_height(others)
    c.wait_height(target + 3, c.validators, timeout=30, what="after SIGCONT %s" % victim.name)
    t.number("%s_blocks_while_stopped" % label, h1 - h0)
    t.number("%s_resume_to_follow_s" % label, round(time.monotonic() - t0, 2))
    # what the others refused from it after it resumed (stale heights and views; the
    # stale ones are logged at debug)
    tag = "consensus message from validator %d" % victim.index
    refused = {x.name: sum(1 for ln in x.log_lines_since(resumed_at)
                           if tag in ln and ("stale" in ln or "refused" in ln))
               for x in others}
    t.number("%s_msgs_refused_after_resume" % label, refused)
    return h0, h1


def run(t):
    t.require("yuchaind", "yuchain-audit", "ycbench")
    # debug logs name each stale consensus message a node refuses
    c = yccluster.Cluster(t, validators=4, base_port=BASE_PORT,
                          options={"consensus.timeout_propose": "1s", "log.level": "debug"})
    c.start()
    load = yccluster.Load(c, accounts=100, rounds=40, processors=2, rate=120)
    load.start()
    load.wait_acked(200, timeout=30)

    _, p, _ = c.primary()
    backup = c.validators[(p + 2) % 4]
    pause(t, c, load, backup, "backup")

    load.wait_acked(load.acked() + 100, timeout=30)
    _, p, _ = c.primary()
    primary = c.validators[p]
    h0, h1 = pause(t, c, load, primary, "primary")
    # the stopped primary's heights were decided after view changes
    vc_blocks = [h for h in range(h0 + 1, h1 + 1)
                 if c.block(h)["certificate"]["view"] not in ("0", 0)]
    check(vc_blocks, "no block certified in a view above 0 while the primary was stopped")
    t.number("primary_stopped_heights_after_view_change", len(vc_blocks))

    load.drain(timeout=60)
    c.wait_converged(timeout=30)
    load.stop()
    chains = c.check()
    load.report()
    c.audit_all(chains)


if __name__ == "__main__":
    yctest.main(run)
