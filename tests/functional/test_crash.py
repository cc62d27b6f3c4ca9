#!/usr/bin/env python3
"""kill -9 the node during load, restart: the same committed state (A6/C1-style, one node).

Signed transfers and consent grants (from `ycbench --emit`) are submitted in batches
while a watcher records every block the node reports (height, hash, state root, tx
ids): a transaction seen in a block is acknowledged as committed. At a seeded random
moment the node is killed with SIGKILL, twice. After each restart: the node is at
least as high as it was seen, every block seen before has the same hash and state
root, every acknowledged transaction is still there at the same height, nothing is
doubled; the transactions not yet committed are submitted again and all commit. At
the end the checker reads the chain, the node stops cleanly, and `yuchain-audit
replay` passes on its data.
"""

import threading
import time

import yctest
from yctest import check, check_eq, to_int

ACCOUNTS, ROUNDS, BATCH, KILLS = 100, 30, 50, 2


class Watcher(threading.Thread):
    """Follows the node's chain; remembers every block seen (height → hash, root, txs)."""

    def __init__(self, t, node, ops_by_id):
        super().__init__(daemon=True)
        self.t, self.node, self.ops_by_id = t, node, ops_by_id
        self.seen = {}   # height -> (hash, state_root, [txids])
        self.stop_flag = threading.Event()
        self.lock = threading.Lock()
        self.errors = 0

    def poll_once(self):
        rpc = yctest.RpcClient(self.node.rpc_url, timeout=5)
        asked = time.monotonic()
        try:
            tip = to_int(rpc.get_ok("status")["height"])
        except (yctest.Unreachable, yctest.RpcError):
            self.errors += 1
            return
        self.t.checker.observe_height(self.node, tip, asked)
        h = max(self.seen) + 1 if self.seen else 1
        while h <= tip:
            try:
                b = rpc.call("block", {"height": str(h)})
            except (yctest.Unreachable, yctest.RpcError):
                self.errors += 1
                return
            with self.lock:
                self.seen[h] = (b["hash"], b["header"]["state_root"], list(b["txs"]))
                for txid in b["txs"]:
                    op = self.ops_by_id.get(txid)
                    if op is not None and op.outcome != "ok":
                        self.t.checker.ok(op, txid, h)
                    self.t.checker.observe_tx(self.node, txid, "committed")
            h += 1

    def run(self):
        while not self.stop_flag.is_set():
            self.poll_once()
            time.sleep(0.02)


def submit(node, txs, ops_by_id, sent, stop, stats):
    """Sends txs in batches until done or `stop` is set; counts admissions and errors."""
    rpc = yctest.RpcClient(node.rpc_url, timeout=10)
    for i in range(0, len(txs), BATCH):
        if stop.is_set():
            return
        chunk = txs[i:i + BATCH]
        now = time.monotonic()
        for x in chunk:  # latency counts from the first submission
            if x["id"] not in sent:
                sent.add(x["id"])
                ops_by_id[x["id"]].t_invoke = now
        try:
            res = rpc.call("broadcast_txs", {"txs": [x["hex"] for x in chunk]})["results"]
        except (yctest.Unreachable, yctest.RpcError, KeyError):
            stats["send_errors"] += 1
            return
        for one in res:
            c = one.get("code")
            stats[c] = stats.get(c, 0) + 1


def run(t):
    t.require("yuchaind", "yuchain-audit", "ycbench")
    node = t.start_dev_node()
    txs = t.emit_txs(node, accounts=ACCOUNTS, rounds=ROUNDS, processors=2)
    txs.sort(key=lambda x: (x["nonce"], x["acct"]))  # rounds in order: nonces never skip
    ops_by_id = {}
    for x in txs:
        op = t.checker.invoke(x["type"], via="acct%d" % x["acct"])
        op.txid = x["id"]
        ops_by_id[x["id"]] = op
    watcher = Watcher(t, node, ops_by_id)
    watcher.start()

    recover_secs = []
    acked_at_kill = []
    sent = set()
    stats = {"send_errors": 0}
    for k in range(KILLS + 1):
        unsettled = [x for x in txs if ops_by_id[x["id"]].outcome != "ok"]
        if not unsettled:
            break
        stop = threading.Event()
        th = threading.Thread(target=submit, args=(node, unsettled, ops_by_id, sent, stop, stats),
                              daemon=True)
        th.start()
        if k < KILLS:
            # Kill at a seeded moment while the load runs.
            time.sleep(t.rng.uniform(0.1, 0.8))
            with watcher.lock:
                before = dict(watcher.seen)
            acked = sum(1 for o in ops_by_id.values() if o.outcome == "ok")
            acked_at_kill.append(acked)
            t.checker.fault("kill -9 #%d at height %d (%d of %d txs acknowledged)"
                            % (k + 1, max(before) if before else 0, acked, len(txs)))
            node.kill9()
            stop.set()
            th.join(30)
            with watcher.lock:
                seen = dict(watcher.seen)
            t0 = time.monotonic()
            node.start()
            recover_secs.append(round(time.monotonic() - t0, 3))
            # Same committed state as seen before the kill.
            tip = node.height()
            check(tip >= (max(seen) if seen else 0), "height went down after restart: %d < %d",
                  tip, max(seen) if seen else 0)
            for h, (bh, root, ids) in sorted(seen.items()):
                b = node.rpc.call("block", {"height": str(h)})
                check_eq((b["hash"], b["header"]["state_root"], b["txs"]), (bh, root, ids),
                         "block %d after restart #%d" % (h, k + 1))
        else:
            th.join(120)
            # Wait until every transaction is committed.
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                watcher.poll_once()
                if all(o.outcome == "ok" for o in ops_by_id.values()):
                    break
                time.sleep(0.1)

    watcher.stop_flag.set()
    watcher.join(10)
    missing = [o.txid for o in ops_by_id.values() if o.outcome != "ok"]
    check(not missing, "%d transactions never committed, e.g. %s", len(missing), missing[:3])

    chains = t.checker.check_chains([node])
    tip = max(chains[node.name])
    check_eq(node.stop(), 0, "clean exit after the crashes")
    t0 = time.monotonic()
    r = t.audit("replay", "--home", node.home, "--json", expect=0)
    replay = time.monotonic() - t0
    check(r.json.get("ok") is True and to_int(r.json["blocks"]) == tip, "replay: %r", r)

    t.number("txs", len(txs))
    t.number("kills", len(acked_at_kill))
    t.number("acknowledged_at_each_kill", acked_at_kill)
    t.number("restart_to_ready_s", recover_secs)
    t.number("height", tip)
    t.number("admission_codes", stats)
    t.number("replay_s", round(replay, 3))


if __name__ == "__main__":
    yctest.main(run)
