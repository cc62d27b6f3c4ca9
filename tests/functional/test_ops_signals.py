#!/usr/bin/env python3
"""Issue 10 item 3: the node says what is wrong (logs, metrics, /readyz).

Four validators (view timeout 1 s, `instrumentation.ready_max_stall` 3 s) under a light
load. Checked, in order:

- tx gossip is counted: `yuchain_gossip_txs_sent_total` and `..._received_total` are
  non-zero across the validators, `yuchain_gossip_txs_dropped_total` has its `reason`
  labels, and `/metrics` passes `promtool check metrics` when promtool is installed;
- the primary of the next height is stopped: the others log the lost peer, then a
  `view change at height H: view V -> V+1` line at warn naming the timeout and the
  suspected primary, and commit again (in a higher view);
- a second validator is stopped (2 of 4 down: no quorum) while work is submitted: a live
  node's `/readyz` turns 503 with `consensus stalled` and its reason in the body, the
  stall and the missing quorum of peers are logged at warn, and
  `yuchain_mempool_oldest_pending_seconds` grows;
- both come back: commits resume, `/readyz` is 200 again, the end of the stall, the
  peers found again (`back after N s`) and the quorum of peers back are logged, and the
  shared checker finds the chains consistent.

Bounds are generous (tens of seconds for what takes a few): they guard against a hang,
not a slow machine. The numbers printed (time to the view change, to 503, to 200) are
reports, not thresholds.
"""

import shutil
import subprocess
import time
import urllib.error
import urllib.request

import yccluster
import yctest
from yctest import check

BASE_PORT = 26800
STALL_S = 3


def get(url, timeout=5):
    """(status, body) of a GET; HTTP errors are answers too."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def wait_for(fn, timeout, what):
    t0 = time.monotonic()
    while True:
        v = fn()
        if v:
            return v, time.monotonic() - t0
        if time.monotonic() - t0 > timeout:
            raise yctest.TestFailure("%s: not within %d s" % (what, timeout))
        time.sleep(0.2)


def lines_with(nodes, since, needle):
    return [(x.name, ln) for x in nodes for ln in x.log_lines_since(since) if needle in ln]


def wait_log(nodes, since, needle, what, timeout=15):
    """Waits for a log line (lines are written by timers: up to a second or two late)."""
    return wait_for(lambda: lines_with(nodes, since, needle), timeout, what)[0]


def check_metrics(t, c):
    ms = {x.name: x.metrics() for x in c.validators}
    sent = sum(m.get("yuchain_gossip_txs_sent_total", 0) for m in ms.values())
    recv = sum(m.get("yuchain_gossip_txs_received_total", 0) for m in ms.values())
    check(sent > 0 and recv > 0, "tx gossip not counted: sent %d, received %d", sent, recv)
    for reason in ("duplicate", "mempool_full", "refused", "malformed", "other"):
        key = 'yuchain_gossip_txs_dropped_total{reason="%s"}' % reason
        check(all(key in m for m in ms.values()), "no %s in /metrics", key)
    for key in ('yuchain_mempool_refused_total{reason="full"}',
                "yuchain_mempool_oldest_pending_seconds"):
        check(all(key in m for m in ms.values()), "no %s in /metrics", key)
    t.number("gossip_txs_sent", int(sent))
    t.number("gossip_txs_received", int(recv))
    t.number("gossip_txs_dropped", int(sum(v for m in ms.values() for k, v in m.items()
                                           if k.startswith("yuchain_gossip_txs_dropped_total"))))
    promtool = shutil.which("promtool")
    if promtool is None:
        t.number("promtool", "not installed: skipped")
        return
    _, text = get(c.validators[0].ops_url + "/metrics")
    r = subprocess.run([promtool, "check", "metrics"], input=text.encode(),
                       capture_output=True, timeout=60)
    check(r.returncode == 0, "promtool check metrics: %s %s", r.stdout.decode(),
          r.stderr.decode())
    t.number("promtool", "ok")


def run(t):
    t.require("yuchaind", "ycbench")
    c = yccluster.Cluster(t, validators=4, base_port=BASE_PORT,
                          options={"consensus.timeout_propose": "1s",
                                   "instrumentation.ready_max_stall": "%ds" % STALL_S})
    c.start()
    load = yccluster.Load(c, accounts=20, rounds=40, rate=60)
    load.start()
    load.wait_acked(60, timeout=60)
    load.pause()
    # everything sent is committed: the chain is idle, so the next height has no block yet
    load.wait_acked(load.cursor, timeout=60)
    check_metrics(t, c)
    for x in c.validators:
        check(get(x.ops_url + "/readyz")[0] == 200, "%s not ready under a light load", x.name)

    # -- the primary of the next height stops: a view change, logged with its cause --
    h, p, _ = c.primary()
    victim = c.validators[p]
    others = [x for x in c.validators if x is not victim]
    since = time.time() - 0.01
    t.checker.fault("stop primary %s before height %d" % (victim.name, h))
    c.stop([victim])
    load.exclude.add(victim.name)
    load.resume()
    t0 = time.monotonic()
    c.wait_height(h, others, timeout=40, what="height %d without its primary" % h)
    t.number("stopped_primary_to_commit_s", round(time.monotonic() - t0, 2))
    load.pause()
    vc = [ln for _, ln in lines_with(others, since, "view change at height %d: view" % h)]
    check(vc, "no view-change line at height %d on %s", h, [x.name for x in others])
    suspect = "primary %d (%s) suspected" % (p, victim.name)
    check(any("WARN" in ln and "timeout" in ln and suspect in ln for ln in vc),
          "no view-change line names the timeout and %r: %s", suspect, vc[:4])
    lost = lines_with(others, since, "validator %d (%s) disconnected: 2 of 3 validator peers"
                      % (p, victim.name))
    check(len(lost) >= 3, "the lost primary is not logged by every other validator: %s", lost)
    t.number("view_change_lines", len(vc))

    # -- a second validator stops: no quorum, work waits, /readyz says why --
    second = others[0]
    rest = others[1:]
    since = time.time() - 0.01
    t.checker.fault("stop %s too: 2 of 4 down" % second.name)
    c.stop([second])
    load.exclude.add(second.name)
    load.resume()
    watcher = rest[0]
    t0 = time.monotonic()
    (status, body), took = wait_for(
        lambda: (lambda r: r if r[0] == 503 else None)(get(watcher.ops_url + "/readyz")),
        timeout=STALL_S + 30, what="/readyz 503 with 2 of 4 validators down")
    t.number("stall_to_503_s", round(took, 2))
    check("consensus stalled" in body and "no block committed" in body
          and "instrumentation.ready_max_stall" in body,
          "/readyz 503 without the reason: %r", body)
    load.pause()
    g1 = watcher.metrics()["yuchain_mempool_oldest_pending_seconds"]
    time.sleep(1.5)
    g2 = watcher.metrics()["yuchain_mempool_oldest_pending_seconds"]
    check(g2 >= STALL_S and g2 > g1, "oldest-pending gauge not moving: %.3f then %.3f", g1, g2)
    check(watcher.metrics().get("yuchain_ready") == 0, "yuchain_ready is not 0 while stalled")
    wait_log([watcher], since, "WARN  driver: consensus stalled",
             "the stall logged at warn on %s" % watcher.name)
    wait_log([watcher], since, "WARN  net: only 1 of 3 validator peers connected, fewer than "
             "the 2 a quorum needs", "the lost quorum of peers logged at warn on %s"
             % watcher.name)
    t.number("oldest_pending_s_while_stalled", round(g2, 1))

    # -- both come back: commits resume, /readyz ok again, the peers found again --
    since = time.time() - 0.01
    stalled_at = c.max_height(rest)
    t.checker.fault("start %s and %s" % (victim.name, second.name))
    c.start([victim, second])
    load.exclude.clear()
    load.resume()
    t0 = time.monotonic()
    c.wait_height(stalled_at + 1, rest, timeout=60, what="commits after the quorum is back")
    _, took = wait_for(lambda: get(watcher.ops_url + "/readyz")[0] == 200, timeout=30,
                       what="/readyz 200 after the quorum is back")
    t.number("quorum_back_to_200_s", round(time.monotonic() - t0, 2))
    wait_log([watcher], since, "driver: no longer stalled",
             "the end of the stall logged on %s" % watcher.name)
    wait_log(rest, since, "connected (back after", "a peer found again logged with how long "
             "it was away")
    wait_log([watcher], since, "validator peers connected again: a quorum can form",
             "the quorum of peers back logged on %s" % watcher.name)

    load.drain(timeout=60)
    c.wait_converged(timeout=30)
    load.stop()
    c.check()
    load.report()


if __name__ == "__main__":
    yctest.main(run)
