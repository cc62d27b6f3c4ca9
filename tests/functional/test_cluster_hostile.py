#!/usr/bin/env python3
"""E4, E5, D2 (and D3's handshake timeout) against running validators, from Python.

A testnet of five validators and one observer home, of which only validators 0–3
run (quorum 4 of 5: every running validator's vote is needed, so any harm done to one
of them shows as a stall). The test holds the keys of validator 4 (its home is never
started) and makes its own random keys; tests/functional/ycp2p.py speaks the
transport from the outside (handshake, X25519, ChaCha20-Poly1305, BIP-340, all in
stdlib Python, checked against published vectors first). Validators 0–2 accept unknown
keys as observers (the testnet default with observers); validator 3 runs with
`allow_observers = false`. Light load runs throughout.

E5 (transport), each must fail closed — the connection is closed, nothing answered:
garbage instead of a hello; a wrong version; a wrong chain tag; a plaintext frame
instead of a hello (no plaintext fallback); low-order X25519 points (0 and 1) as the
ephemeral key; a man in the middle's swapped ephemeral key (our auth signs another
transcript); an unknown key at a validator that does not allow observers; a frame with
one ciphertext byte flipped; a replayed frame. The node's own handshake signature is
checked here and must verify against its genesis key.

D2 (hostile frames after a valid handshake, as an observer): a header split into
single bytes (then answered); a declared length over the maximum (closed before any
body is sent) and one under the MAC size; an unknown type; an empty plaintext; a
consensus, a tx, a proposal-by-ids, a tx-request and a tx-response message from an
observer; malformed, trailing-byte and huge-count
block-sync payloads (dropped; the connection still answers); a valid block request
(the blocks served must equal the RPC's raw blocks); and 80 maximum-size (9 MiB) junk
frames, 4 connections at a time, while another peer pings: every pong within 2 s,
the node's resident memory bounded (peak growth reported, must stay under 200 MiB
for 720 MiB of junk), consensus going on.

E4 (consensus messages, as validator 4): a COMMIT for a decided height, PREPAREs for
a height far ahead and for a view far ahead, a PREPARE relabelled as a COMMIT (type and
phase disagree) and a COMMIT carrying a PREPARE signature, a vote signed for another
chain, a vote claiming to be from validator 0, a bad signature, and malformed msgpack
(a declared 4-billion-item array, deep nesting, trailing bytes). Each must be refused
(node1 logs one refusal per message: `stale` at debug, `refused: <code>` at warn), the
session stays up, the consortium keeps committing, and no certificate ever holds a
signature of validator 4.

Frames the transport checks after the handshake are also covered, with more cases,
by the C unit tests tests/unit/node/test_p2p_hostile.c.

At the end: the shared checker over the four chains; every certificate of node0's
chain verified here in Python against the genesis keys; `yuchain-audit replay` over
the four validators' data (F1).
"""

import json
import os
import struct
import threading
import time

import yccluster
import ycp2p
import yctest
from yctest import check, check_eq, log, to_int

BASE_PORT = 25200
JUNK_FRAMES, JUNK_PARALLEL = 80, 4
RSS_BOUND_MIB = 200


def closed_without_reply(peer, timeout=3.0):
    """Reads until the node closes; returns the bytes it sent meanwhile (None if still open)."""
    got = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        peer.sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            d = peer.sock.recv(65536)
        except OSError as e:
            if isinstance(e, TimeoutError) or "timed out" in str(e):
                continue
            return got
        if not d:
            return got
        got += d
    return None


def validator_keys(node):
    """The genesis validators' 33-byte keys, as the `validators` RPC gives them."""
    vs = node.rpc.call("validators")["validators"]
    return [bytes.fromhex(v["pub_key"]) for v in sorted(vs, key=lambda v: int(v["index"]))]


def rss_kib(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1])
    return out


def e5_transport(t, c, chain, v0, v3):
    port0 = v0.base_port
    gen_pub0 = validator_keys(v0)[0]
    results = {}

    def refused(name, peer, timeout=3.0):
        got = closed_without_reply(peer, timeout)
        check(got is not None, "E5 %s: connection still open after %.0f s", name, timeout)
        check(got == b"", "E5 %s: the node answered %d bytes", name, len(got or b""))
        peer.close()
        results[name] = "closed"

    p = ycp2p.Peer(port0, chain)
    p.send_raw(os.urandom(ycp2p.HELLO_LEN))
    refused("garbage hello", p)
    p = ycp2p.Peer(port0, chain)
    p.hello(version=1)  # a node of before proposals by tx ids
    refused("wrong version", p)
    p = ycp2p.Peer(port0, chain)
    p.hello(chain_tag=ycp2p.hashlib.sha256(b"another-chain").digest())
    refused("wrong chain tag", p)
    p = ycp2p.Peer(port0, chain)
    plain = b"\x05\x01" + bytes(8) + bytes(32)
    p.send_raw((struct.pack(">I", len(plain)) + plain).ljust(ycp2p.HELLO_LEN, b"\0"))
    refused("plaintext frame instead of a hello", p)

    # the node's handshake: its key is its genesis key and its signature verifies here
    p = ycp2p.Peer(port0, chain)
    p.hello()
    _, pub_r, ok = p.read_reply()
    check_eq(pub_r, gen_pub0, "node0's handshake key")
    check(ok, "node0's handshake signature does not verify (BIP-340, in Python)")
    # a man in the middle swapped our ephemeral key: our auth signs another transcript
    p.send_auth(transcript=p.transcript(os.urandom(32), p.eph_r))
    refused("swapped ephemeral key (MITM)", p)

    for name, point in (("low-order point 0", bytes(32)),
                        ("low-order point 1", (1).to_bytes(32, "little"))):
        p = ycp2p.Peer(port0, chain)
        p.hello(eph_sk=bytes(32), eph_pk=point)
        _, _, ok = p.read_reply()
        check(ok, "reply signature")
        p.send_auth()
        refused(name, p)

    # an unknown key where observers are not allowed: refused once identified
    p = ycp2p.Peer(v3.base_port, chain)
    p.handshake(reader=True)
    check(p.wait_closed(3), "E5 unknown key: node3 (allow_observers=false) kept the connection")
    results["unknown key at node3"] = "closed"

    # tampered and replayed frames on a working session
    p = ycp2p.Peer(port0, chain)
    p.handshake()
    check(p.ping() is not None, "no pong on a fresh observer session")
    p.send(ycp2p.MSG_PING, b"\x01" + bytes(40), tamper=7)
    check(p.wait_closed(3), "E5: a frame with a flipped ciphertext byte did not close it")
    results["flipped ciphertext byte"] = "closed"
    p = ycp2p.Peer(port0, chain)
    p.handshake()
    frame = p.seal(ycp2p.MSG_PING, b"\x01" + bytes(40))
    p.send_raw(frame)
    p.send_raw(frame)
    check(p.wait_closed(3), "E5: a replayed frame did not close the connection")
    results["replayed frame"] = "closed"
    t.number("e5_refused", sorted(results))


def handshake_timeouts(c, chain, port):
    """D3: silent and dripping clients are closed at the handshake timeout (5 s)."""
    out = {}

    def silent():
        p = ycp2p.Peer(port, chain)
        t0 = time.monotonic()
        out["silent"] = (closed_without_reply(p, 12) == b"", time.monotonic() - t0)

    def drip():
        p = ycp2p.Peer(port, chain)
        t0 = time.monotonic()
        hello = bytes([ycp2p.P2P_VERSION]) + os.urandom(64)
        try:
            for b in hello:
                p.send_raw(bytes([b]))
                time.sleep(0.25)
        except OSError:
            pass
        out["drip"] = (True, time.monotonic() - t0)
    ths = [threading.Thread(target=f, daemon=True) for f in (silent, drip)]
    for th in ths:
        th.start()
    return ths, out


def d2_frames(t, c, chain, v0):
    port0 = v0.base_port
    res = {}

    def fresh():
        p = ycp2p.Peer(port0, chain)
        p.handshake()
        return p

    # a header split into single bytes is reassembled
    p = fresh()
    frame = p.seal(ycp2p.MSG_PING, b"\x01" + bytes(8) + b"split-header-test".ljust(32, b"."))
    for i in range(6):
        p.send_raw(frame[i:i + 1])
        time.sleep(0.05)
    p.send_raw(frame[6:])
    deadline = time.monotonic() + 3
    got = None
    while time.monotonic() < deadline and got is None:
        try:
            got = p.pongs.get(timeout=0.2)
        except Exception:
            pass
    check(got is not None, "D2: a frame sent byte by byte was not answered")
    res["split header"] = "answered"

    # the transport closes each of these at once
    for name, raw in (("length over the maximum", struct.pack(">I", 0x7FFFFFFF)),
                      ("length under the MAC size", struct.pack(">I", 5))):
        p = fresh()
        p.send_raw(raw)
        check(p.wait_closed(2), "D2 %s: still open", name)
        res[name] = "closed"
    for name, mtype, payload in (("unknown type 10", 10, b"x"),
                                 ("type 0", 0, b"x"),
                                 ("empty plaintext", None, b""),
                                 ("consensus message from an observer", 1, b"\x80"),
                                 ("tx gossip from an observer", 2, b"\x01" + bytes(4)),
                                 ("proposal by ids from an observer", 7, b"\x80"),
                                 ("tx request from an observer", 8, b"\x80"),
                                 ("tx response from an observer", 9, b"\x80")):
        p = fresh()
        p.send(mtype, payload)
        check(p.wait_closed(3), "D2 %s: still open", name)
        res[name] = "closed"

    # malformed block-sync payloads are dropped; the session goes on
    p = fresh()
    for name, mtype, payload in (
            ("block request declaring a huge msgpack array", 3, b"\xdd\xff\x00\x00\x00"),
            ("block request with trailing bytes", 3, b"\x01" + struct.pack(">QI", 1, 1) + b"\0"),
            ("block request from 0", 3, b"\x01" + struct.pack(">QI", 0, 1)),
            ("unrequested block response declaring 2^32-1 blocks", 4,
             b"\x01" + struct.pack(">QI", 1, 0xFFFFFFFF)),
            ("status of the wrong size", 5, b"\x01\x02")):
        p.send(mtype, payload)
        res[name] = "dropped"
    if p.closed.is_set():
        res["malformed sync payloads"] = "connection closed"
    else:
        check(p.ping() is not None, "D2: no pong after malformed sync payloads")
    # the one request an observer may make is served, from the store
    p = fresh()
    p.send(ycp2p.MSG_BLOCK_REQ, b"\x01" + struct.pack(">QI", 1, 3))
    body = p.wait_message(ycp2p.MSG_BLOCK_RESP, timeout=5)
    check(body is not None and body[0] == 1, "D2: no block response to a valid request")
    frm = struct.unpack(">Q", body[1:9])[0]
    blocks, end = ycp2p.read_list(body, 9)
    check(frm == 1 and len(blocks) == 3 and end == len(body), "block response shape")
    for i, raw in enumerate(blocks):
        rpc = v0.rpc.call("block", {"height": str(1 + i), "format": "raw"})
        want = rpc.get("raw") if isinstance(rpc, dict) else rpc
        check(isinstance(want, str) and raw.hex() == want,
              "block %d served by sync differs from the RPC's raw block", i + 1)
    res["valid block request"] = "3 blocks, equal to the RPC's"
    # block requests beyond 8 a second from one peer are ignored, and counted
    throttled0 = v0.metrics().get("yuchain_sync_requests_throttled_total", 0)
    p = fresh()
    for _ in range(20):
        p.send(ycp2p.MSG_BLOCK_REQ, b"\x01" + struct.pack(">QI", 1, 1))
    answered = 0
    while p.wait_message(ycp2p.MSG_BLOCK_RESP, timeout=0.5) is not None:
        answered += 1
    throttled = v0.metrics().get("yuchain_sync_requests_throttled_total", 0) - throttled0
    check(1 <= answered <= 16, "D2: %d of 20 block requests in a burst answered", answered)
    check(throttled >= 4 and answered + throttled == 20,
          "D2: %d throttled, %d answered of a burst of 20", throttled, answered)
    res["burst of 20 block requests"] = "%d answered, %d ignored" % (answered, throttled)
    t.number("d2_cases", res)


def d2_junk_flood(t, c, chain, v0):
    """80 maximum-size junk frames on authenticated connections; another peer pings."""
    port0 = v0.base_port
    junk = os.urandom(1 << 20) * 9 + os.urandom(16)   # 9 MiB + MAC: the largest frame
    check_eq(len(junk), ycp2p.MAX_FRAME + 16, "junk size")
    pinger = ycp2p.Peer(port0, chain)
    pinger.handshake()
    rss0 = rss_kib(v0.pid)
    h0 = c.max_height([v0])
    lat, missed = [], [0]
    stop = threading.Event()

    def ping_loop():
        while not stop.is_set():
            d = pinger.ping(timeout=2.0)
            if d is None:
                missed[0] += 1
            else:
                lat.append(d)
            time.sleep(0.1)
    pt = threading.Thread(target=ping_loop, daemon=True)
    pt.start()
    peak = [rss0.get("VmRSS", 0)]
    not_closed = []
    lock = threading.Lock()
    remaining = list(range(JUNK_FRAMES))

    def flood():
        while True:
            with lock:
                if not remaining:
                    return
                remaining.pop()
            p = ycp2p.Peer(port0, chain)
            p.handshake(reader=False)
            try:
                p.send_raw(struct.pack(">I", len(junk)))
                p.send_raw(junk)
            except OSError:
                pass
            if not p.wait_closed(30):   # closing is what is checked, not how fast (load, ASan)
                not_closed.append(1)
            p.close()
            try:
                peak[0] = max(peak[0], rss_kib(v0.pid).get("VmRSS", 0))
            except OSError:
                pass
    t0 = time.monotonic()
    ths = [threading.Thread(target=flood, daemon=True) for _ in range(JUNK_PARALLEL)]
    for th in ths:
        th.start()
    for th in ths:
        th.join(300)
    secs = time.monotonic() - t0
    stop.set()
    pt.join(5)
    rss1 = rss_kib(v0.pid)
    h1 = c.max_height([v0])
    growth = (max(rss1.get("VmHWM", 0), peak[0]) - rss0.get("VmRSS", 0)) / 1024.0
    t.number("junk_frames", JUNK_FRAMES)
    t.number("junk_s", round(secs, 2))
    t.number("junk_pings", len(lat))
    t.number("junk_pong_max_ms", round(max(lat) * 1000, 1) if lat else None)
    t.number("junk_node0_rss_kib_before_after", [rss0.get("VmRSS"), rss1.get("VmRSS")])
    t.number("junk_node0_peak_growth_mib", round(growth, 1))
    t.number("junk_heights_during", h1 - h0)
    check(not not_closed, "D2: %d junk-frame connections were not closed", len(not_closed))
    check(missed[0] == 0, "D2: %d pings of the other peer unanswered within 2 s", missed[0])
    check(lat and max(lat) < 2.0, "D2: pong latency %r", max(lat) if lat else None)
    check(growth < RSS_BOUND_MIB, "D2: node0 grew by %.0f MiB under junk frames", growth)
    check(not pinger.closed.is_set(), "D2: the pinging peer was disconnected")
    pinger.close()


def e4_consensus(t, c, chain, v1, secret4):
    """Bad consensus messages from validator 4 (whose key we hold) to node1."""
    p = ycp2p.Peer(v1.base_port, chain, secret=secret4)
    p.handshake()
    time.sleep(0.5)
    check(p.ping() is not None, "validator-4 session not answered")
    st = v1.status()
    h = to_int(st["height"])
    blk = v1.rpc.call("block", {"height": str(h)})
    digest = bytes.fromhex(blk["hash"])
    rnd = os.urandom(32)
    s = secret4
    msgs = [
        ("COMMIT for the decided height %d" % h,
         ycp2p.consensus_vote(s, chain, 4, "commit", "commit", h, 0, digest)),
        ("PREPARE for height +50",
         ycp2p.consensus_vote(s, chain, 4, "prepare", "prepare", h + 50, 0, rnd)),
        ("PREPARE for view 1000",
         ycp2p.consensus_vote(s, chain, 4, "prepare", "prepare", h + 1, 1000, rnd)),
        ("PREPARE relabelled as COMMIT",
         ycp2p.consensus_vote(s, chain, 4, "commit", "prepare", h + 1, 0, rnd)),
        ("COMMIT carrying a PREPARE signature",
         ycp2p.consensus_vote(s, chain, 4, "commit", "commit", h + 1, 0, rnd,
                              sign_phase="prepare")),
        ("vote signed for another chain",
         ycp2p.consensus_vote(s, chain, 4, "prepare", "prepare", h + 1, 0, rnd,
                              sign_chain="another-chain")),
        ("vote claiming to be from validator 0",
         ycp2p.consensus_vote(s, chain, 0, "prepare", "prepare", h + 1, 0, rnd)),
        ("vote signed by another key",
         ycp2p.consensus_vote(os.urandom(32), chain, 4, "prepare", "prepare", h + 1, 0, rnd)),
        ("msgpack array declaring 2^32-1 items", b"\xdd\xff\xff\xff\xff"),
        ("msgpack nested 200 deep", b"\x91" * 200 + b"\x00"),
        ("a valid-looking message with a trailing byte",
         ycp2p.consensus_vote(s, chain, 4, "prepare", "prepare", h + 1, 0, rnd) + b"\0"),
    ]
    since = time.time() - 0.01
    for _, m in msgs:
        p.send(ycp2p.MSG_CONSENSUS, m)
        time.sleep(0.05)
    time.sleep(1.0)
    tag = "consensus message from validator 4"
    lines = [ln for ln in v1.log_lines_since(since) if tag in ln]
    log("node1's refusals of validator 4's messages:\n  " + "\n  ".join(lines))
    check_eq(len(lines), len(msgs), "refusals logged by node1 for %d bad consensus messages"
             % len(msgs))
    check(all("stale" in ln or "refused" in ln for ln in lines), "refusal lines: %r", lines)
    check(p.ping() is not None, "E4: the validator-4 session stopped answering")
    t.number("e4_messages_refused", len(lines))
    t.number("e4_refusal_codes", sorted({ln.rsplit(":", 1)[-1].strip() if "refused" in ln
                                         else "stale" for ln in lines}))
    return p


def verify_certificates(t, c, chain, chains):
    """Every certificate of node0's chain, checked here against the genesis keys."""
    keys = validator_keys(c.validators[0])
    n = 0
    for h, b in sorted(chains["node0"].items()):
        cert = b["certificate"]
        view = to_int(cert["view"])
        msg = ycp2p.vote_hash(chain, "commit", h, view, bytes.fromhex(b["hash"]))
        signers = [int(s["validator"]) for s in cert["signatures"]]
        check(len(set(signers)) >= c.q and signers == sorted(set(signers)),
              "block %d: signers %r", h, signers)
        check(4 not in signers, "block %d: validator 4 (the test's key) signed it", h)
        for s in cert["signatures"]:
            check(ycp2p.yc_verify(keys[int(s["validator"])], msg, bytes.fromhex(s["sig"])),
                  "block %d: signature of validator %s does not verify", h, s["validator"])
            n += 1
    t.number("certificate_signatures_verified_in_python", n)


def run(t):
    t.require("yuchaind", "yuchain-audit", "ycbench")
    ycp2p.self_test()
    # in sanitizer builds, keep ASan's quarantine of freed memory (256 MiB by default) out
    # of the memory measured under junk frames; other builds ignore the variable
    asan = os.environ.get("ASAN_OPTIONS", "")
    c = yccluster.Cluster(t, validators=5, observers=1, base_port=BASE_PORT,
                          options={"log.level": "debug"},
                          env={"ASAN_OPTIONS": (asan + ":" if asan else "")
                               + "quarantine_size_mb=16"})
    running = c.validators[:4]
    v0, v1, v3 = running[0], running[1], running[3]
    c.start(running[:3])
    c.start([v3], env={"YUCHAIN_P2P_ALLOW_OBSERVERS": "false"})
    with open(os.path.join(c.validators[4].home, "config", "validator_key.json")) as f:
        secret4 = bytes.fromhex(json.load(f)["secret_key"])
    chain = c.chain_id

    load = yccluster.Load(c, accounts=40, rounds=25, processors=1, rate=25)
    load.exclude.add(c.validators[4].name)
    load.start()
    load.wait_acked(20, timeout=30)

    ths, timeouts = handshake_timeouts(c, chain, v0.base_port)
    e5_transport(t, c, chain, v0, v3)
    d2_frames(t, c, chain, v0)
    h0 = c.max_height(running)
    v4 = e4_consensus(t, c, chain, v1, secret4)
    d2_junk_flood(t, c, chain, v0)
    for th in ths:
        th.join(15)
    for k in ("silent", "drip"):
        check(k in timeouts and timeouts[k][0], "D3 %s client: %r", k, timeouts.get(k))
        check(3.0 <= timeouts[k][1] <= 10.0, "D3 %s client closed after %.1f s", k,
              timeouts[k][1])
    t.number("d3_closed_after_s", {k: round(v[1], 2) for k, v in timeouts.items()})

    # the consortium kept committing through all of it
    c.wait_height(h0 + 3, running, timeout=30, what="commits after the hostile peers")
    load.drain(timeout=60)
    c.wait_converged(running, timeout=30)
    check(not v4.closed.is_set(), "the validator-4 session was dropped")
    v4.close()
    load.stop()
    chains = c.check(running)
    verify_certificates(t, c, chain, chains)
    load.report()
    c.audit_all(chains, nodes=running)


if __name__ == "__main__":
    yctest.main(run)
