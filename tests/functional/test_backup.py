#!/usr/bin/env python3
"""`yuchaind backup`: a consistent copy of a running node's home, restorable with `start`.

Must hold:
- backing up a running node under steady load: the node keeps committing, the copy holds
  whole blocks (its tip is a block the node committed, with the same hash), and
  `yuchain-audit replay --home COPY` verifies it from the genesis;
- the copy starts as the node (the original stopped first): same chain, same tip, and
  it commits new transactions;
- a stopped home is backed up too (under its lock), and replays;
- mistakes are refused with the field named: an existing --out (exit 2), no --out
  (exit 2), a directory that is no home (exit 78), the admin method without the cookie
  (-32001), a relative path given to the method (bad_field).
"""

import json
import os
import threading
import time

import yctest
from yctest import check, check_eq, log, to_int


def run(t):
    t.require("yuchaind", "yuchain-wallet", "yuchain-audit")
    node = t.start_dev_node()
    w = t.wallet(node)
    bob = w.address("bob")
    stop = threading.Event()
    sent = []

    def load():
        while not stop.is_set():
            r = w.run("transfer", "--to", bob, "--amount", "1", "--no-wait", frm="alice",
                      expect=None)
            sent.append(r.rc)
            time.sleep(0.1)

    th = threading.Thread(target=load, daemon=True)
    th.start()
    node.wait_height(3, timeout=60)
    copy = os.path.join(t.tmp, "copy-running")
    r = t.run_cli([t.bin("yuchaind"), "backup", "--home", node.home, "--out", copy, "--json"],
                  expect=0)
    b = r.json
    log("backup of the running node: %r" % b)
    check_eq(b["how"], "running node", "how the copy was made")
    h = to_int(b["height"])
    check(h >= 3, "the copy's height %d" % h)
    time.sleep(1.0)
    stop.set()
    th.join(30)
    check(node.height() > h, "the node went on committing during and after the backup")
    blk = node.rpc.get_ok("block", height=str(h))
    check_eq(blk["hash"], b["hash"], "the copy's tip is the block the node committed at %d" % h)
    for f in ("genesis.json", "node_key.json", "validator_key.json"):
        check(os.path.isfile(os.path.join(copy, "config", f)), "the copy lacks config/%s" % f)
    mode = os.stat(os.path.join(copy, "config", "validator_key.json")).st_mode & 0o777
    check_eq(mode, 0o600, "the copied validator key's mode")
    rep = t.audit("replay", "--home", copy, "--json", "--quiet", expect=0).json
    check(rep.get("ok") is True and to_int(rep.get("blocks")) == h,
          "audit replay of the copy: %r" % rep)

    # mistakes
    r = t.run_cli([t.bin("yuchaind"), "backup", "--home", node.home, "--out", copy],
                  expect=yctest.EX_USAGE)
    check("already exists" in r.err, "an existing --out: %r" % r.err)
    r = t.run_cli([t.bin("yuchaind"), "backup", "--home", node.home], expect=yctest.EX_USAGE)
    check("--out" in r.err, "no --out: %r" % r.err)
    r = t.run_cli([t.bin("yuchaind"), "backup", "--home", t.tmp, "--out",
                   os.path.join(t.tmp, "x")], expect=yctest.EX_CONFIG)
    check("not a node home" in r.err, "not a home: %r" % r.err)
    try:
        node.rpc.call("backup", {"out": os.path.join(t.tmp, "nope")})
        check(False, "backup without the cookie was answered")
    except yctest.RpcError as e:
        check_eq(e.code, -32001, "backup without the admin cookie")
    with open(os.path.join(node.home, ".cookie")) as f:
        cookie = f.read().strip()
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "backup",
                       "params": {"out": "relative/dir"}}).encode()
    _, resp = node.rpc.post_raw(body, headers={"Authorization": "Bearer " + cookie})
    err = resp.get("error", {}) if isinstance(resp, dict) else {}
    check(err.get("data", {}).get("code") == "bad_field" and "out" in err.get("message", ""),
          "a relative path: %r" % resp)

    # restore: stop the original, start the copy in its place
    check_eq(node.stop(), 0, "the original stops")
    restored = yctest.Node(t, "restored", copy, node.base_port)
    t.nodes.append(restored)
    restored.start("--base-port", str(node.base_port), command="start")
    check(restored.height() >= h, "the restored node's height")
    check_eq(restored.rpc.get_ok("block", height=str(h))["hash"], b["hash"],
             "the restored node serves the copied block")
    w2 = t.wallet(restored, wallet_dir=node.wallet_dir, password_file=node.password_file)
    j = w2.send("transfer", "--to", bob, "--amount", "2", frm="alice", expect_status="committed")
    check(to_int(j["height"]) > h, "the restored node commits")
    check_eq(restored.stop(), 0, "the restored node stops")

    # a stopped home
    copy2 = os.path.join(t.tmp, "copy-stopped")
    r = t.run_cli([t.bin("yuchaind"), "backup", "--home", copy, "--out", copy2, "--json"],
                  expect=0)
    check_eq(r.json["how"], "stopped node", "the stopped home is copied here")
    check(to_int(r.json["height"]) > h, "the stopped copy has the restored node's blocks")
    rep = t.audit("replay", "--home", copy2, "--json", "--quiet", expect=0).json
    check(rep.get("ok") is True, "audit replay of the stopped copy: %r" % rep)
    t.number("backup_height", h)
    t.number("backup_seconds", b["seconds"])


if __name__ == "__main__":
    yctest.main(run)
