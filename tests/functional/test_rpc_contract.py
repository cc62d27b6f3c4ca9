#!/usr/bin/env python3
"""The RPC contract of docs/rpc.md and DESIGN.md §9 against a real `yuchaind dev`.

Each method in both forms (JSON-RPC 2.0 POST / and GET /<method>?k=v), the `status`
fields, error objects with `data.code`, batches, the operations listener, the event
stream, and abuse (D4: oversized body and headers, deep JSON, invalid UTF-8, huge
batches, bad transactions): refused with a specific code, and the node keeps running
and committing.
"""

import http.client
import json
import re
import socket
import time

import yctest
from yctest import RpcError, check, check_eq, to_int

HEX64 = re.compile(r"[0-9a-f]{64}")
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")
DEC = re.compile(r"0|[1-9][0-9]*")
METHODS = ("status", "health", "genesis", "broadcast_tx_async", "broadcast_tx_sync",
           "broadcast_tx_commit", "broadcast_txs", "tx", "tx_proof", "block", "blockchain",
           "account", "consents", "usage", "unconfirmed_txs", "num_unconfirmed_txs", "valset",
           "valset_proposal")


def is_dec(v):
    return isinstance(v, str) and DEC.fullmatch(v) is not None


def expect_error(fn, data_codes, rpc_codes=None, what=""):
    """Calls fn(); it must raise RpcError with data.code in data_codes."""
    try:
        res = fn()
    except RpcError as e:
        if data_codes is None:
            check(e.data_code, "%s: error without data.code (%s)", what, e)
        else:
            check(e.data_code in data_codes, "%s: data.code %r not in %r (%s)", what,
                  e.data_code, data_codes, e)
        if rpc_codes is not None:
            check(e.code in rpc_codes, "%s: error.code %r not in %r", what, e.code, rpc_codes)
        return e
    raise yctest.TestFailure("%s: expected an error %r, got %r" % (what, data_codes, res))


def check_status(st, chain_id=None):
    for k in ("chain_id", "node_id", "role", "height", "view", "primary", "last_block_hash",
              "last_block_time", "last_block_time_ms", "state_root", "catching_up", "peers",
              "validator_index", "version"):
        check(k in st, "status lacks %r: %r", k, st)
    check(is_dec(st["height"]) and is_dec(st["view"]), "height/view not decimal strings: %r", st)
    check(is_dec(st["last_block_time_ms"]), "last_block_time_ms not a decimal string: %r", st)
    check(isinstance(st["primary"], int) and isinstance(st["peers"], int), "numbers: %r", st)
    check(isinstance(st["validator_index"], int), "validator_index: %r", st)
    check(isinstance(st["catching_up"], bool), "catching_up not boolean: %r", st)
    check_eq(st["role"], "validator", "role of the dev node")
    check(HEX64.fullmatch(st["last_block_hash"]), "last_block_hash: %r", st)
    check(HEX64.fullmatch(st["state_root"]), "state_root: %r", st)
    check(RFC3339.fullmatch(st["last_block_time"]), "last_block_time not RFC 3339 UTC: %r", st)
    check(st["node_id"].startswith("yc1"), "node_id not an address: %r", st)
    if chain_id:
        check_eq(st["chain_id"], chain_id, "chain_id")


def check_block(b, h):
    for k in ("height", "hash", "header", "txs", "certificate"):
        check(k in b, "block lacks %r: %r", k, b)
    check_eq(b["height"], str(h), "block height (decimal string)")
    check(HEX64.fullmatch(b["hash"]), "block hash: %r", b)
    hdr = b["header"]
    for k in ("chain_id", "height", "view", "proposer", "time", "time_ms", "prev_hash",
              "tx_root", "state_root", "tx_count"):
        check(k in hdr, "header lacks %r: %r", k, hdr)
    check(RFC3339.fullmatch(hdr["time"]), "header time: %r", hdr)
    check_eq(to_int(hdr["tx_count"]), len(b["txs"]), "tx_count vs txs")
    for txid in b["txs"]:
        check(HEX64.fullmatch(txid), "tx id: %r", txid)
    sigs = b["certificate"].get("signatures")
    check(isinstance(sigs, list) and len(sigs) >= 1, "certificate has no signatures: %r", b)
    for s in sigs:
        check("validator" in s and "sig" in s, "certificate signature: %r", s)


def raw_request(node, data, timeout=10):
    """Sends raw bytes on a new connection; returns (http status or None, body bytes)."""
    host, port = node.rpc_url.replace("http://", "").split(":")
    s = socket.create_connection((host, int(port)), timeout=timeout)
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        buf = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                buf += chunk
                if b"\r\n\r\n" in buf:
                    head, _, body = buf.partition(b"\r\n\r\n")
                    m = re.search(rb"content-length:\s*(\d+)", head, re.I)
                    if m and len(body) >= int(m.group(1)):
                        break
        except (ConnectionResetError, socket.timeout):
            pass
    finally:
        s.close()
    m = re.match(rb"HTTP/1\.[01] (\d{3})", buf)
    return (int(m.group(1)) if m else None), buf


def post_big(node, size):
    """POSTs a JSON body of `size` bytes; returns the HTTP status or None (closed)."""
    filler = b"x" * max(0, size - 80)
    body = b'{"jsonrpc":"2.0","id":1,"method":"status","params":{"pad":"' + filler + b'"}}'
    head = ("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Content-Length: %d\r\n\r\n" % len(body)).encode()
    status, _ = raw_request(node, head + body, timeout=30)
    return status


def run(t):
    t.require("yuchaind", "yuchain-wallet", "ycbench")
    node = t.start_dev_node()
    rpc = node.rpc
    w = t.wallet(node)
    st0 = rpc.call("status")
    check_status(st0)
    chain = st0["chain_id"]
    alice = w.address("alice")

    # GET / lists the methods.
    status, body = rpc.get("")
    check_eq(status, 200, "GET / status")
    text = json.dumps(body) if not isinstance(body, bytes) else body.decode("utf-8", "replace")
    for m in METHODS:
        check(m in text, "GET / does not list %s", m)

    # status, health, genesis: GET and POST.
    check_status(rpc.get_ok("status"), chain)
    check_eq(rpc.call("health"), {}, "health (POST)")
    check_eq(rpc.get_ok("health"), {}, "health (GET)")
    gen = rpc.call("genesis")
    check_eq(gen, rpc.get_ok("genesis"), "genesis GET vs POST")
    check_eq(gen.get("chain_id"), chain, "genesis chain_id")
    check_eq(len(gen.get("validators", [])), 1, "validators in the dev genesis")
    check(any(a.get("role") == "exchange" for a in gen.get("accounts", [])), "no exchange")

    # valset: the genesis set from state, its organisation (the exchange by default)
    vs = rpc.get_ok("valset")
    check_eq((vs["set"]["from"], vs["set"]["count"], vs["set"]["quorum"], vs["changes"],
              vs["proposals"], vs["valset_delay"]), ("1", 1, 1, [], [], "2"), "valset: %r" % vs)
    ex_acct = next(a["address"] for a in gen["accounts"] if a["role"] == "exchange")
    check_eq(vs["set"]["validators"][0]["org"], ex_acct, "valset org")
    expect_error(lambda: rpc.call("valset", {"height": "1000000"}), ("invalid_argument",),
                 (-32602,), "valset beyond tip + valset_delay")
    expect_error(lambda: rpc.call("valset_proposal", {"id": "00" * 32}), ("unknown_object",),
                 (-32004,), "valset_proposal unknown")

    # Fresh signed transactions (ycbench registers and funds their senders first).
    txs = t.emit_txs(node, accounts=10, rounds=1, seed=t.rng.randrange(1, 1 << 30))
    check_eq(len(txs), 10, "emitted transactions")
    h0 = node.height()

    r = rpc.get_ok("broadcast_tx_async", tx=txs[0]["hex"])
    check_eq((r.get("id"), r.get("status")), (txs[0]["id"], "pending"), "async (GET)")
    r = rpc.call("broadcast_tx_async", {"tx": txs[1]["hex"]})
    check_eq((r.get("id"), r.get("status")), (txs[1]["id"], "pending"), "async (POST)")
    r = rpc.get_ok("broadcast_tx_sync", tx=txs[2]["hex"])
    check_eq((r.get("id"), r.get("status"), r.get("code")), (txs[2]["id"], "pending", "pending"),
             "sync (GET)")
    r = rpc.call("broadcast_tx_sync", {"tx": txs[3]["hex"]})
    check_eq((r.get("id"), r.get("status"), r.get("code")), (txs[3]["id"], "pending", "pending"),
             "sync (POST)")
    n = rpc.call("num_unconfirmed_txs")
    for k in ("count", "total", "total_bytes"):
        check(is_dec(n.get(k)), "num_unconfirmed_txs.%s not decimal: %r", k, n)
    u = rpc.get_ok("unconfirmed_txs", limit=5)
    check(is_dec(u.get("count")) and isinstance(u.get("txs"), list), "unconfirmed_txs: %r", u)
    check(len(u["txs"]) <= 5, "unconfirmed_txs ignores limit: %r", u)
    for k in ("count", "total", "total_bytes"):
        check(k in rpc.get_ok("num_unconfirmed_txs"), "num_unconfirmed_txs (GET) lacks %s", k)
    check("txs" in rpc.call("unconfirmed_txs", {"limit": "2"}), "unconfirmed_txs (POST)")

    t0 = time.monotonic()
    r = rpc.get_ok("broadcast_tx_commit", tx=txs[4]["hex"])
    commit_ms = (time.monotonic() - t0) * 1000
    check_eq((r.get("status"), r.get("code")), ("committed", "ok"), "commit (GET): %r" % r)
    check(is_dec(r.get("height")) and is_dec(str(r.get("index"))), "commit height/index: %r", r)
    r = rpc.call("broadcast_tx_commit", {"tx": txs[5]["hex"]})
    check_eq((r.get("status"), r.get("code")), ("committed", "ok"), "commit (POST): %r" % r)
    batch = [x["hex"] for x in txs[6:]]
    r = rpc.call("broadcast_txs", {"txs": batch})
    res = r.get("results")
    check(isinstance(res, list) and len(res) == len(batch), "broadcast_txs results: %r", r)
    for x, one in zip(txs[6:], res):
        check_eq(one.get("id"), x["id"], "broadcast_txs result order")
        check_eq((one.get("status"), one.get("code")), ("pending", "pending"),
                 "broadcast_txs admission of %s" % x["id"])
    ops = []
    for x in txs:
        op = t.checker.invoke("rpc " + x["type"], via="acct%d" % x["acct"])
        op.txid = x["id"]
        ops.append(op)

    # Everything commits; `tx` in both forms.
    deadline = time.monotonic() + 30
    pending = {x["id"] for x in txs}
    while pending and time.monotonic() < deadline:
        for txid in list(pending):
            s = rpc.call("tx", {"id": txid})
            t.checker.observe_tx(node, txid, s["status"])
            if s["status"] == "committed":
                pending.discard(txid)
        time.sleep(0.05)
    check(not pending, "not committed within 30 s: %r", pending)
    for op in ops:
        s = rpc.call("tx", {"id": op.txid})
        t.checker.ok(op, op.txid, to_int(s["height"]))
    one = txs[4]
    tg, tp = rpc.get_ok("tx", id=one["id"]), rpc.call("tx", {"id": one["id"]})
    check_eq(tg, tp, "tx GET vs POST")
    for k in ("id", "status", "code", "message", "height", "index", "tx"):
        check(k in tp, "tx lacks %r: %r", k, tp)
    check_eq(tp["code"], "ok", "code of a committed tx")
    dec = tp["tx"]
    for k in ("type", "sender", "nonce", "chain_id", "body"):
        check(k in dec, "decoded tx lacks %r: %r", k, dec)
    check_eq(dec["type"], one["type"], "decoded type")
    check_eq(dec["nonce"], str(one["nonce"]), "decoded nonce (decimal string)")
    check_eq(dec["chain_id"], chain, "decoded chain_id")
    check(dec["sender"].startswith("yc1"), "decoded sender: %r", dec)
    unk = rpc.call("tx", {"id": "ab" * 32})
    check_eq(unk.get("status"), "unknown", "status of an unknown tx id")

    # tx_proof, block (json and raw), blockchain.
    height = to_int(tp["height"])
    pf = rpc.call("tx_proof", {"id": one["id"]})
    check_eq(pf, rpc.get_ok("tx_proof", id=one["id"]), "tx_proof GET vs POST")
    for k in ("id", "height", "index", "tx", "proof", "header", "header_raw", "certificate",
              "block_hash"):
        check(k in pf, "tx_proof lacks %r: %r", k, pf)
    check_eq(to_int(pf["height"]), height, "tx_proof height")
    check_eq(str(pf["proof"]["index"]), str(tp["index"]), "tx_proof index")
    blk = rpc.call("block", {"height": str(height)})
    check_eq(blk, rpc.get_ok("block", height=height), "block GET vs POST")
    check_block(blk, height)
    check(one["id"] in blk["txs"], "committed tx not in its block")
    check_eq(pf["block_hash"], blk["hash"], "tx_proof block_hash")
    check_eq(str(pf["proof"]["count"]), str(blk["header"]["tx_count"]), "tx_proof count")
    raw = rpc.call("block", {"height": str(height), "format": "raw"})
    check_eq(raw, rpc.get_ok("block", height=height, format="raw"), "raw block GET vs POST")
    check_eq(raw.get("hash"), blk["hash"], "raw block hash")
    check(re.fullmatch(r"([0-9a-f]{2})+", raw.get("raw", "")), "raw block not hex")
    check(bytes.fromhex(pf["tx"]) in bytes.fromhex(raw["raw"]), "tx bytes not in the raw block")
    tip = node.height()
    bc = rpc.call("blockchain", {"min": "1", "max": str(tip)})
    check_eq(bc, rpc.get_ok("blockchain", min=1, max=tip), "blockchain GET vs POST")
    check_eq(to_int(bc["last_height"]), tip, "blockchain last_height")
    hs = [to_int(b["height"]) for b in bc["blocks"]]
    check_eq(hs, list(range(tip, 0, -1))[:len(hs)], "blockchain newest first")
    for b in bc["blocks"]:
        for k in ("height", "hash", "time", "tx_count"):
            check(k in b, "blockchain entry lacks %r", k)
    try:  # a range over 100: refused, or clamped to at most 100 blocks
        wide = rpc.call("blockchain", {"min": "1", "max": "500"})
        check(len(wide["blocks"]) <= 100, "blockchain returned %d blocks", len(wide["blocks"]))
    except RpcError as e:
        check(e.data_code in ("bad_field", "limit_exceeded"), "blockchain over 100: %s", e)

    # account, consents, usage.
    acct = rpc.call("account", {"address": alice})
    check_eq(acct, rpc.get_ok("account", address=alice), "account GET vs POST")
    for k in ("address", "role", "name", "jurisdiction", "nonce", "balance", "credit",
              "registered_at"):
        check(k in acct, "account lacks %r: %r", k, acct)
    check(is_dec(acct["balance"]) and is_dec(acct["nonce"]), "account numbers: %r", acct)
    granted = [x for x in txs if x["type"] == "consent.grant"]
    check(granted, "no consent grant among the emitted transactions")
    gtx = rpc.call("tx", {"id": granted[0]["id"]})["tx"]
    subj, proc = gtx["sender"], gtx["body"]["processor"]
    cs = rpc.call("consents", {"subject": subj})
    check_eq(cs, rpc.get_ok("consents", subject=subj), "consents GET vs POST")
    check(any(c["id"] == granted[0]["id"] for c in cs["consents"]), "consent not listed")
    c0 = [c for c in cs["consents"] if c["id"] == granted[0]["id"]][0]
    for k in ("id", "subject", "processor", "categories", "purposes", "operations", "until",
              "fee_per_use", "max_uses", "uses", "granted_at", "status"):
        check(k in c0, "consent lacks %r: %r", k, c0)
    check_eq(c0["status"], "active", "consent status")
    # one form per field (docs/formats.md "Times in JSON"): as_of is a height everywhere,
    # a carried time is ms with its _time beside it
    check(is_dec(cs["as_of"]) and RFC3339.fullmatch(cs["as_of_time"]),
          "consents as_of (height) and as_of_time (RFC 3339): %r", cs)
    check(is_dec(c0["until"]) and RFC3339.fullmatch(c0["until_time"]),
          "consent until (ms) and until_time (RFC 3339): %r", c0)
    check(any(c["id"] == granted[0]["id"]
              for c in rpc.call("consents", {"processor": proc})["consents"]),
          "consent not listed by processor")
    us = rpc.call("usage", {"subject": subj})
    check_eq(us, rpc.get_ok("usage", subject=subj), "usage GET vs POST")
    check(isinstance(us.get("usage"), list), "usage result: %r", us)
    for u in us["usage"]:
        check("asset" in u and is_dec(u["time_ms"]) and RFC3339.fullmatch(u["time"]),
              "a use as every listing shows it (asset, time, time_ms): %r", u)

    # Errors carry data.code.
    expect_error(lambda: rpc.call("no_such_method"), None, (-32601,), "unknown method")
    status, body = rpc.get("no_such_method")
    check_eq(status, 404, "GET unknown method")
    status, body = rpc.post_raw(b'{"jsonrpc":"2.0","id":1,"method":')
    check(isinstance(body, dict) and body.get("error", {}).get("code") == -32700,
          "parse error: %r", body)
    status, body = rpc.post_raw(b'{"jsonrpc":"2.0","id":1}')
    check(isinstance(body, dict) and body.get("error", {}).get("code") == -32600,
          "invalid request: %r", body)
    expect_error(lambda: rpc.call("account"), ("bad_field",), (-32602,), "account without address")
    status, body = rpc.get("account")
    check_eq(status, 400, "GET account without address")
    check_eq(body["error"]["data"]["code"], "bad_field", "GET error data.code")
    expect_error(lambda: rpc.call("account", {"address": "yc1notanaddress"}),
                 ("bad_field", "bad_address"), (-32602,), "malformed address")
    stranger = w.new("stranger")
    expect_error(lambda: rpc.call("account", {"address": stranger}), ("not_found",),
                 what="unregistered account")
    status, body = rpc.get("account", address=stranger)
    check_eq(status, 404, "GET unregistered account")
    expect_error(lambda: rpc.call("block", {"height": str(tip + 1000)}), ("not_found",),
                 what="block beyond the tip")
    expect_error(lambda: rpc.call("broadcast_tx_sync", {"tx": "zz"}),
                 ("bad_field", "bad_encoding"), what="tx not hex")
    expect_error(lambda: rpc.call("broadcast_tx_sync", {"tx": "c0"}),
                 ("bad_encoding", "bad_field", "unknown_type"), what="tx not a tx")
    fresh = t.emit_txs(node, accounts=2, rounds=1, seed=t.rng.randrange(1 << 30, 1 << 31))
    bad = bytearray(bytes.fromhex(fresh[0]["hex"]))
    sig_at = bad.find(b"\xa3sig\xc4\x41")  # key "sig", then bin8 of 65 bytes
    check(sig_at > 0, "no sig key in the signed tx")
    bad[sig_at + 6 + 10] ^= 0x01  # inside the BIP-340 signature
    expect_error(lambda: rpc.call("broadcast_tx_sync", {"tx": bad.hex()}), ("bad_signature",),
                 (-32000,), "flipped signature")
    other = t.emit_txs(node, accounts=2, rounds=1, seed=t.rng.randrange(1 << 29, 1 << 30),
                       chain_id="another-chain")
    expect_error(lambda: rpc.call("broadcast_tx_sync", {"tx": other[0]["hex"]}),
                 ("wrong_chain",), (-32000,), "tx for another chain")
    status, body = rpc.get("broadcast_tx_sync", tx=other[0]["hex"])
    check(status >= 400 and body["error"]["data"]["code"] == "wrong_chain",
          "GET wrong chain: %r", body)

    # Batches.
    status, body = rpc.post_raw(json.dumps([
        {"jsonrpc": "2.0", "id": 7, "method": "health", "params": {}},
        {"jsonrpc": "2.0", "id": 8, "method": "status", "params": {}}]).encode())
    check(isinstance(body, list) and len(body) == 2, "batch reply: %r", body)
    check_eq(sorted(x.get("id") for x in body), [7, 8], "batch reply ids")

    # D4: abuse. Each is refused (4xx/error or a closed connection); the node runs on.
    results = {}
    results["oversized_body"] = post_big(node, 9 * 1024 * 1024)
    check(results["oversized_body"] in (413, None), "9 MiB body answered %r",
          results["oversized_body"])
    st, _ = raw_request(node, b"GET /status HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 65536 +
                        b"\r\n\r\n")
    results["oversized_header"] = st
    check(st is None or 400 <= st < 500, "64 KiB header answered %r", st)
    deep = b'{"jsonrpc":"2.0","id":1,"method":"status","params":' + b"[" * 10000 + \
        b"]" * 10000 + b"}"
    status, body = rpc.post_raw(deep)
    results["deep_json"] = status
    check(status >= 400 or (isinstance(body, dict) and "error" in body), "deep JSON: %r",
          body if isinstance(body, dict) else status)
    status, body = rpc.post_raw(b'{"jsonrpc":"2.0","id":1,"method":"st\xff\xfeatus"}')
    results["bad_utf8"] = status
    check(status >= 400 or (isinstance(body, dict) and "error" in body), "invalid UTF-8: %r",
          body)
    huge = json.dumps([{"jsonrpc": "2.0", "id": i, "method": "health"}
                       for i in range(5000)]).encode()
    status, body = rpc.post_raw(huge)
    results["huge_batch"] = status
    check(status >= 400 or (isinstance(body, dict) and "error" in body) or
          (isinstance(body, list) and len(body) <= 1000), "5000-entry batch: %r",
          body if isinstance(body, dict) else status)
    slow = []
    for _ in range(20):  # slow connections: open, send half a request line, leave
        s = socket.create_connection(("127.0.0.1", node.base_port + 100), timeout=5)
        s.sendall(b"GET /sta")
        slow.append(s)
    check_status(rpc.call("status"), chain)
    for s in slow:
        s.close()
    t.number("abuse_http_status", results)

    # Operations listener.
    for path, want in (("/livez", 200), ("/readyz", 200), ("/version", 200)):
        c = http.client.HTTPConnection("127.0.0.1", node.base_port + 200, timeout=10)
        c.request("GET", path)
        resp = c.getresponse()
        data = resp.read()
        check_eq(resp.status, want, "ops %s" % path)
        if path == "/version":
            v = json.loads(data)
            check("version" in v and v.get("chain_id") == chain, "/version: %r", v)
        c.close()
    m = node.metrics()
    check(any(k.startswith("yuchain_") for k in m), "no yuchain_ metrics")
    check(any(k.startswith("yuchain_") and k.endswith("_total") for k in m), "no _total counter")

    # The event stream sees the next block.
    c = http.client.HTTPConnection("127.0.0.1", node.base_port + 100, timeout=20)
    c.request("GET", "/events")
    resp = c.getresponse()
    check_eq(resp.status, 200, "GET /events")
    check("text/event-stream" in (resp.getheader("Content-Type") or ""), "events content type")
    r = rpc.call("broadcast_tx_commit", {"tx": fresh[1]["hex"]})
    check_eq(r.get("status"), "committed", "tx for the event stream")
    got = None
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        line = resp.fp.readline().decode("utf-8", "replace").strip()
        if line == "event: block":
            while not line.startswith("data:"):  # an "id: H:K" line comes first
                line = resp.fp.readline().decode("utf-8", "replace").strip()
            got = json.loads(line[len("data:"):])
            break
    c.close()
    check(got is not None and "height" in got, "no block event: %r", got)

    # Still alive and committing; the history holds.
    check(node.running(), "node died during the abuse")
    check(node.height() > h0, "no progress")
    t.checker.check_chains([node])
    check_eq(node.stop(), 0, "clean exit")
    t.number("broadcast_tx_commit_ms", round(commit_ms, 1))
    t.number("height", tip)


if __name__ == "__main__":
    yctest.main(run)
