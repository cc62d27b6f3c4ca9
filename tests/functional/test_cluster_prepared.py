#!/usr/bin/env python3
"""A8: a validator prepared but not committed crashes; the primary is killed; no fork.

Forced with real processes and signals only (no fault hook needed). Four validators,
quorum 3; at a quiescent height H the primary A of (H+1, view 0) is known, and the
others are called B, C, D:

1. SIGSTOP C and D; submit transactions: A proposes block X (PRE-PREPARE) and B
   PREPAREs it — two of the three votes needed, so nobody can prepare yet;
2. SIGSTOP A and B; SIGCONT C: C reads A's PRE-PREPARE and B's PREPARE from its
   socket, votes, is **prepared** (it journals the prepared certificate) and sends its
   COMMIT, which lands in the buffers of stopped or doomed processes only;
3. kill -9 C (prepared, not committed), kill -9 the primary A, and kill -9 D (whose
   unread socket buffer held X: it restarts knowing nothing of it);
4. SIGCONT B; restart C and D. B, C, D are exactly a quorum, so the VIEW-CHANGEs of
   the new view include C's, with its prepared certificate.

Must hold: C's restart resumes its journal for H+1 with the prepared certificate (at
least 3 records: PREPARE, certificate, COMMIT — this is how the test knows the case was
really forced; if it was not, the round is retried at the next height, up to 3
times); height H+1 commits on B, C, D and its block is X — proposed by A in view 0,
whatever view certifies it (the prepared block survives into the new view: a block
proposed by the new primary would name it as proposer); no node logs evidence; A
restarts and catches up; the shared checker finds nothing; `yuchain-audit replay`
verifies every node's data (F1).
"""

import re
import time

import yccluster
import yctest
from yctest import check, check_eq, to_int

BASE_PORT = 24400
N = 4


def journal_records(node, height):
    """Records the node logged resuming for `height` at its last start, or 0."""
    text = node.log_text().split("==== start #")[-1]
    m = re.search(r"resumed (\d+) consensus journal records at height %d\b" % height, text)
    return int(m.group(1)) if m else 0


def attempt(t, c, load, k):
    h = load.settle()
    a = c.validators[(h + 1) % N]
    b = c.validators[(h + 2) % N]
    cc = c.validators[(h + 3) % N]
    d = c.validators[(h + 4) % N]
    label = "attempt %d at height %d: A=%s B=%s C=%s D=%s" % (k, h + 1, a.name, b.name,
                                                               cc.name, d.name)
    t.checker.fault(label)
    cc.pause()
    d.pause()
    load.send_now(5, b)
    time.sleep(1.0)           # A proposes, B prepares; the view timer (2 s) has not fired
    a.pause()
    b.pause()
    cc.resume()
    time.sleep(1.5)           # C votes, is prepared, journals, sends COMMIT nowhere useful
    c.kill9([cc, a, d])
    t.checker.fault("C prepared, then kill -9 C, A, D")
    b.resume()
    t0 = time.monotonic()
    c.start([cc, d])
    recs = journal_records(cc, h + 1)
    yctest.log("%s resumed %d journal records at height %d" % (cc.name, recs, h + 1))
    c.wait_height(h + 1, [b, cc, d], timeout=30, what="height %d after the crash" % (h + 1))
    secs = time.monotonic() - t0
    blk = c.block(h + 1, [b])
    proposer, hview = int(blk["header"]["proposer"]), to_int(blk["header"]["view"])
    cview = to_int(blk["certificate"]["view"])
    yctest.log("height %d: proposer %d, header view %d, certificate view %d, %d txs"
               % (h + 1, proposer, hview, cview, len(blk["txs"])))
    forced = recs >= 3
    if forced:
        check_eq((proposer, hview), (a.index, 0),
                 "block %d (proposer, header view): the block C prepared in view 0 must "
                 "survive" % (h + 1))
        # view 0 could not decide it: A was stopped before it could commit, D never saw X
        check(cview >= 1, "block %d certified in view 0 without A's or D's COMMIT", h + 1)
        t.number("prepared_height", h + 1)
        t.number("certificate_view", cview)
        t.number("commit_after_crash_s", round(secs, 2))
    c.start([a])
    c.wait_height(c.max_height(), [a], timeout=30, what="%s catch-up" % a.name)
    return forced


def run(t):
    t.require("yuchaind", "yuchain-audit", "ycbench")
    c = yccluster.Cluster(t, validators=N, base_port=BASE_PORT,
                          options={"consensus.timeout_propose": "2s"})
    c.start()
    load = yccluster.Load(c, accounts=40, rounds=10, processors=1, rate=60)
    load.start()
    load.wait_acked(40, timeout=30)
    forced = False
    for k in range(1, 4):
        forced = attempt(t, c, load, k)
        t.number("attempts", k)
        if forced:
            break
        yctest.log("attempt %d: C was not prepared at the crash; retrying" % k)
    check(forced, "could not force a prepared-not-committed validator in 3 attempts")
    load.drain(timeout=60)
    c.wait_converged(timeout=30)
    load.stop()
    chains = c.check()
    load.report()
    c.audit_all(chains)


if __name__ == "__main__":
    yctest.main(run)
