"""ycp2p — a Yuchain p2p peer in Python 3 standard library only, for hostile-peer tests.

It speaks the transport of docs/p2p.md from the outside: the three-message handshake
(ephemeral X25519 keys as libsodium's crypto_kx uses them, each side signing the
transcript with BIP-340 Schnorr over secp256k1), then ChaCha20-Poly1305-IETF frames.
Everything is implemented here from the specifications, slowly but exactly:

- secp256k1 and BIP-340 signing / verification (BIP-340 reference algorithm);
- X25519 (RFC 7748) and crypto_kx session keys (BLAKE2b-512 over q ‖ client_pk ‖
  server_pk: the client's rx key is the first half, its tx key the second);
- ChaCha20, Poly1305 and their AEAD (RFC 8439);
- canonical MessagePack for PBFT messages (docs/design/pbft.md §4) and the vote hash.

So a test can authenticate as a validator whose key it holds (a genesis validator that
is not running) or as an unknown key (an observer, when allowed), and then send what an
honest node never would: tampered, oversized or malformed frames, messages its role may
not send, consensus messages for other heights, views, phases or chains. `self_test()`
checks the primitives against published vectors (RFC 7748, RFC 8439, BIP-340) first,
so a failure of the test is never a bug of this file.
"""

import errno
import hashlib
import heapq
import os
import queue
import random
import selectors
import socket
import struct
import threading
import time

# ---- secp256k1 / BIP-340 ---------------------------------------------------------------

P = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
G = (0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798,
     0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8)


def _jac_double(p):
    x, y, z = p
    if y == 0:
        return (0, 0, 0)
    ysq = y * y % P
    s = 4 * x * ysq % P
    m = 3 * x * x % P
    nx = (m * m - 2 * s) % P
    ny = (m * (s - nx) - 8 * ysq * ysq) % P
    nz = 2 * y * z % P
    return (nx, ny, nz)


def _jac_add(p, q):
    if p[2] == 0:
        return q
    if q[2] == 0:
        return p
    x1, y1, z1 = p
    x2, y2, z2 = q
    z1s, z2s = z1 * z1 % P, z2 * z2 % P
    u1, u2 = x1 * z2s % P, x2 * z1s % P
    s1, s2 = y1 * z2s * z2 % P, y2 * z1s * z1 % P
    if u1 == u2:
        return _jac_double(p) if s1 == s2 else (0, 0, 0)
    h, r = (u2 - u1) % P, (s2 - s1) % P
    h2 = h * h % P
    h3 = h * h2 % P
    u1h2 = u1 * h2 % P
    nx = (r * r - h3 - 2 * u1h2) % P
    ny = (r * (u1h2 - nx) - s1 * h3) % P
    nz = h * z1 * z2 % P
    return (nx, ny, nz)


def _to_affine(p):
    if p[2] == 0:
        return None
    zi = pow(p[2], -1, P)
    return (p[0] * zi * zi % P, p[1] * zi * zi * zi % P)


def point_mul(pt, k):
    """k·pt in affine coordinates (None is the point at infinity)."""
    if pt is None:
        return None
    r = (0, 0, 0)
    a = (pt[0], pt[1], 1)
    while k:
        if k & 1:
            r = _jac_add(r, a)
        a = _jac_double(a)
        k >>= 1
    return _to_affine(r)


def point_add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return _to_affine(_jac_add((a[0], a[1], 1), (b[0], b[1], 1)))


def tagged_hash(tag, msg):
    t = hashlib.sha256(tag.encode()).digest()
    return hashlib.sha256(t + t + msg).digest()


def lift_x(x):
    if x >= P:
        return None
    ysq = (pow(x, 3, P) + 7) % P
    y = pow(ysq, (P + 1) // 4, P)
    if y * y % P != ysq:
        return None
    return (x, y if y % 2 == 0 else P - y)


def xonly(secret32):
    """The 32-byte x-only public key of a secret key."""
    return point_mul(G, int.from_bytes(secret32, "big"))[0].to_bytes(32, "big")


def schnorr_sign(secret32, msg, aux32=b"\0" * 32):
    d0 = int.from_bytes(secret32, "big")
    if not 1 <= d0 < N:
        raise ValueError("secret key out of range")
    pt = point_mul(G, d0)
    d = d0 if pt[1] % 2 == 0 else N - d0
    t = (d ^ int.from_bytes(tagged_hash("BIP0340/aux", aux32), "big")).to_bytes(32, "big")
    px = pt[0].to_bytes(32, "big")
    k0 = int.from_bytes(tagged_hash("BIP0340/nonce", t + px + msg), "big") % N
    if k0 == 0:
        raise ValueError("nonce is zero")
    r = point_mul(G, k0)
    k = k0 if r[1] % 2 == 0 else N - k0
    rx = r[0].to_bytes(32, "big")
    e = int.from_bytes(tagged_hash("BIP0340/challenge", rx + px + msg), "big") % N
    return rx + ((k + e * d) % N).to_bytes(32, "big")


def schnorr_verify(pub32, msg, sig64):
    if len(pub32) != 32 or len(sig64) != 64:
        return False
    pt = lift_x(int.from_bytes(pub32, "big"))
    r = int.from_bytes(sig64[:32], "big")
    s = int.from_bytes(sig64[32:], "big")
    if pt is None or r >= P or s >= N:
        return False
    e = int.from_bytes(tagged_hash("BIP0340/challenge", sig64[:32] + pub32 + msg), "big") % N
    rr = point_add(point_mul(G, s), point_mul((pt[0], P - pt[1]), e))
    return rr is not None and rr[1] % 2 == 0 and rr[0] == r


SCHEME_BIP340 = 0x01


def yc_pub(secret32):
    """A Yuchain public key: scheme byte, then the x-only key (33 bytes)."""
    return bytes([SCHEME_BIP340]) + xonly(secret32)


def yc_sign(secret32, msg32, aux32=b"\0" * 32):
    """A Yuchain signature: scheme byte, then BIP-340 (65 bytes)."""
    return bytes([SCHEME_BIP340]) + schnorr_sign(secret32, msg32, aux32)


def yc_verify(pub33, msg32, sig65):
    return (len(pub33) == 33 and len(sig65) == 65 and pub33[0] == SCHEME_BIP340
            and sig65[0] == SCHEME_BIP340 and schnorr_verify(pub33[1:], msg32, sig65[1:]))


def yc_hash_tagged(tag, chain_id, data):
    """H(tag, chain, m) = SHA-256(len8 ‖ tag ‖ len8 ‖ chain_id ‖ m) (core/src/hash.c)."""
    t, c = tag.encode(), chain_id.encode()
    return hashlib.sha256(bytes([len(t)]) + t + bytes([len(c)]) + c + data).digest()


# ---- X25519 and crypto_kx ----------------------------------------------------------------

_P25519 = 2 ** 255 - 19
_A24 = 121665


def x25519(k32, u32):
    k = bytearray(k32)
    k[0] &= 248
    k[31] &= 127
    k[31] |= 64
    k = int.from_bytes(k, "little")
    u = int.from_bytes(u32, "little") & ((1 << 255) - 1)
    x1, x2, z2, x3, z3, swap = u, 1, 0, u, 1, 0
    p = _P25519
    for t in reversed(range(255)):
        kt = (k >> t) & 1
        swap ^= kt
        if swap:
            x2, x3, z2, z3 = x3, x2, z3, z2
        swap = kt
        a, b = (x2 + z2) % p, (x2 - z2) % p
        aa, bb = a * a % p, b * b % p
        e = (aa - bb) % p
        c, d = (x3 + z3) % p, (x3 - z3) % p
        da, cb = d * a % p, c * b % p
        x3 = (da + cb) ** 2 % p
        z3 = x1 * (da - cb) ** 2 % p
        x2 = aa * bb % p
        z2 = e * (aa + _A24 * e) % p
    if swap:
        x2, x3, z2, z3 = x3, x2, z3, z2
    return (x2 * pow(z2, p - 2, p) % p).to_bytes(32, "little")


def x25519_keypair(seed=None):
    sk = seed or os.urandom(32)
    return sk, x25519(sk, (9).to_bytes(32, "little"))


def kx_client_keys(client_pk, client_sk, server_pk):
    """(rx, tx) as crypto_kx_client_session_keys; ValueError on a low-order point."""
    q = x25519(client_sk, server_pk)
    if q == b"\0" * 32:
        raise ValueError("low-order point")
    h = hashlib.blake2b(q + client_pk + server_pk, digest_size=64).digest()
    return h[:32], h[32:]


# ---- ChaCha20-Poly1305 (RFC 8439) ----------------------------------------------------------

def _rotl(v, c):
    return ((v << c) & 0xFFFFFFFF) | (v >> (32 - c))


def _qr(s, a, b, c, d):
    s[a] = (s[a] + s[b]) & 0xFFFFFFFF
    s[d] = _rotl(s[d] ^ s[a], 16)
    s[c] = (s[c] + s[d]) & 0xFFFFFFFF
    s[b] = _rotl(s[b] ^ s[c], 12)
    s[a] = (s[a] + s[b]) & 0xFFFFFFFF
    s[d] = _rotl(s[d] ^ s[a], 8)
    s[c] = (s[c] + s[d]) & 0xFFFFFFFF
    s[b] = _rotl(s[b] ^ s[c], 7)


def chacha20_block(key, counter, nonce):
    st = ([0x61707865, 0x3320646E, 0x79622D32, 0x6B206574]
          + list(struct.unpack("<8I", key)) + [counter & 0xFFFFFFFF]
          + list(struct.unpack("<3I", nonce)))
    w = list(st)
    for _ in range(10):
        _qr(w, 0, 4, 8, 12)
        _qr(w, 1, 5, 9, 13)
        _qr(w, 2, 6, 10, 14)
        _qr(w, 3, 7, 11, 15)
        _qr(w, 0, 5, 10, 15)
        _qr(w, 1, 6, 11, 12)
        _qr(w, 2, 7, 8, 13)
        _qr(w, 3, 4, 9, 14)
    return struct.pack("<16I", *[(w[i] + st[i]) & 0xFFFFFFFF for i in range(16)])


def chacha20_xor(key, counter, nonce, data):
    out = bytearray(len(data))
    for i in range(0, len(data), 64):
        ks = chacha20_block(key, counter + i // 64, nonce)
        chunk = data[i:i + 64]
        out[i:i + len(chunk)] = bytes(a ^ b for a, b in zip(chunk, ks))
    return bytes(out)


def poly1305(key, msg):
    r = int.from_bytes(key[:16], "little") & 0x0FFFFFFC0FFFFFFC0FFFFFFC0FFFFFFF
    s = int.from_bytes(key[16:], "little")
    p = (1 << 130) - 5
    acc = 0
    for i in range(0, len(msg), 16):
        n = int.from_bytes(msg[i:i + 16] + b"\x01", "little")
        acc = (acc + n) * r % p
    return ((acc + s) & ((1 << 128) - 1)).to_bytes(16, "little")


def _pad16(b):
    return b"\0" * (-len(b) % 16)


def aead_encrypt(key, nonce, plaintext, aad):
    otk = chacha20_block(key, 0, nonce)[:32]
    ct = chacha20_xor(key, 1, nonce, plaintext)
    mac = poly1305(otk, aad + _pad16(aad) + ct + _pad16(ct)
                   + struct.pack("<QQ", len(aad), len(ct)))
    return ct + mac


def aead_decrypt(key, nonce, ciphertext, aad):
    """The plaintext, or None if the tag does not verify."""
    if len(ciphertext) < 16:
        return None
    ct, tag = ciphertext[:-16], ciphertext[-16:]
    otk = chacha20_block(key, 0, nonce)[:32]
    mac = poly1305(otk, aad + _pad16(aad) + ct + _pad16(ct)
                   + struct.pack("<QQ", len(aad), len(ct)))
    if mac != tag:
        return None
    return chacha20_xor(key, 1, nonce, ct)


# ---- canonical MessagePack (the subset PBFT messages use) -----------------------------

def mp_pack(v):
    if isinstance(v, bool) or v is None:
        raise TypeError("no bool/nil in canonical messages")
    if isinstance(v, int):
        if v < 0:
            raise TypeError("unsigned only")
        if v < 0x80:
            return bytes([v])
        if v <= 0xFF:
            return b"\xcc" + bytes([v])
        if v <= 0xFFFF:
            return b"\xcd" + struct.pack(">H", v)
        if v <= 0xFFFFFFFF:
            return b"\xce" + struct.pack(">I", v)
        return b"\xcf" + struct.pack(">Q", v)
    if isinstance(v, str):
        b = v.encode()
        if len(b) < 32:
            return bytes([0xA0 | len(b)]) + b
        if len(b) <= 0xFF:
            return b"\xd9" + bytes([len(b)]) + b
        return b"\xda" + struct.pack(">H", len(b)) + b
    if isinstance(v, (bytes, bytearray)):
        if len(v) <= 0xFF:
            return b"\xc4" + bytes([len(v)]) + bytes(v)
        if len(v) <= 0xFFFF:
            return b"\xc5" + struct.pack(">H", len(v)) + bytes(v)
        return b"\xc6" + struct.pack(">I", len(v)) + bytes(v)
    if isinstance(v, (list, tuple)):
        if len(v) < 16:
            head = bytes([0x90 | len(v)])
        else:
            head = b"\xdc" + struct.pack(">H", len(v))
        return head + b"".join(mp_pack(x) for x in v)
    if isinstance(v, dict):
        items = sorted((k.encode(), k, x) for k, x in v.items())
        head = bytes([0x80 | len(items)]) if len(items) < 16 else \
            b"\xde" + struct.pack(">H", len(items))
        return head + b"".join(mp_pack(k) + mp_pack(x) for _, k, x in items)
    raise TypeError("cannot pack %r" % type(v))


def vote_body(phase, height, view, digest):
    return {"digest": digest, "height": height, "phase": phase, "view": view}


def vote_hash(chain_id, phase, height, view, digest):
    """yc_vote_hash: H("yuchain/pbft/v1", chain, {digest, height, phase, view})."""
    return yc_hash_tagged("yuchain/pbft/v1", chain_id,
                          mp_pack(vote_body(phase, height, view, digest)))


def consensus_vote(secret, chain_id, frm, mtype, phase, height, view, digest, sign_phase=None,
                   sign_chain=None):
    """A signed PREPARE/COMMIT message (msgpack bytes), optionally signed for another phase
    or chain than the body says (to be refused)."""
    h = vote_hash(sign_chain or chain_id, sign_phase or phase, height, view, digest)
    return mp_pack({"body": vote_body(phase, height, view, digest), "from": frm,
                    "sig": yc_sign(secret, h), "type": mtype})


# ---- the peer --------------------------------------------------------------------------

MSG_CONSENSUS, MSG_TX, MSG_BLOCK_REQ, MSG_BLOCK_RESP, MSG_PING, MSG_PONG = 1, 2, 3, 4, 5, 6
MSG_PROPOSAL_IDS, MSG_TX_REQ, MSG_TX_RESP = 7, 8, 9
P2P_VERSION = 2            # the hello's version byte (docs/p2p.md)
MAX_FRAME = 9 << 20        # PBFT_MAX_MSG_BYTES: plaintext bytes of one frame
HELLO_LEN, REPLY_LEN, AUTH_LEN = 65, 130, 98


class Closed(Exception):
    """The node closed the connection."""


class Peer:
    """One TCP connection to a node; `handshake()` makes it an authenticated session."""

    def __init__(self, port, chain_id, secret=None, host="127.0.0.1", timeout=10):
        self.chain_id = chain_id
        self.secret = secret or os.urandom(32)
        self.pub = yc_pub(self.secret)
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rx_key = self.tx_key = None
        self.rx_ctr = self.tx_ctr = 0
        self.peer_pub = None
        self.inbox = queue.Queue()
        self.reader = None
        self.closed = threading.Event()
        self.pongs = queue.Queue()

    # raw bytes
    def send_raw(self, b):
        self.sock.sendall(b)

    def recv_exact(self, n, timeout=10):
        self.sock.settimeout(timeout)
        buf = b""
        while len(buf) < n:
            try:
                d = self.sock.recv(n - len(buf))
            except (ConnectionResetError, BrokenPipeError):
                raise Closed()
            if not d:
                raise Closed()
            buf += d
        return buf

    def wait_closed(self, timeout=5):
        """True if the node closes the connection within `timeout` (reading and discarding)."""
        if self.reader is not None:
            return self.closed.wait(timeout)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                d = self.sock.recv(65536)
            except socket.timeout:
                continue
            except (ConnectionResetError, BrokenPipeError, OSError):
                return True
            if not d:
                return True
        return False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    # handshake
    def hello(self, eph_sk=None, eph_pk=None, version=P2P_VERSION, chain_tag=None):
        if eph_pk is None:
            eph_sk, eph_pk = x25519_keypair(eph_sk)
        self.eph_sk, self.eph_pk = eph_sk, eph_pk
        tag = chain_tag or hashlib.sha256(self.chain_id.encode()).digest()
        self.send_raw(bytes([version]) + tag + eph_pk)

    def transcript(self, eph_i, eph_r):
        return hashlib.sha256(b"yuchain/p2p/v1" + hashlib.sha256(self.chain_id.encode()).digest()
                              + eph_i + eph_r).digest()

    def read_reply(self):
        """Reads and checks the responder's reply; returns (eph_r, pub_r, signature ok)."""
        r = self.recv_exact(REPLY_LEN)
        eph_r, pub_r, sig_r = r[:32], r[32:65], r[65:]
        t = self.transcript(self.eph_pk, eph_r)
        ok = yc_verify(pub_r, yc_hash_tagged("yuchain/p2p/v1", self.chain_id,
                                             t + b"R" + pub_r), sig_r)
        self.eph_r, self.peer_pub = eph_r, pub_r
        return eph_r, pub_r, ok

    def send_auth(self, transcript=None, pub=None, secret=None):
        t = transcript or self.transcript(self.eph_pk, self.eph_r)
        pub = pub or self.pub
        h = yc_hash_tagged("yuchain/p2p/v1", self.chain_id, t + b"I" + pub)
        self.send_raw(pub + yc_sign(secret or self.secret, h))

    def handshake(self, reader=True):
        """Full handshake as the initiator; starts the frame reader. Returns the node's key."""
        self.hello()
        _, pub_r, ok = self.read_reply()
        if not ok:
            raise ValueError("the node's handshake signature does not verify")
        self.rx_key, self.tx_key = kx_client_keys(self.eph_pk, self.eph_sk, self.eph_r)
        self.send_auth()
        if reader:
            self.start_reader()
        return pub_r

    # frames
    @staticmethod
    def _nonce(ctr):
        return b"\0\0\0\0" + struct.pack("<Q", ctr)

    def seal(self, mtype, payload, tamper=None):
        pt = bytes([mtype]) + payload if mtype is not None else payload
        hdr = struct.pack(">I", len(pt) + 16)
        ct = bytearray(aead_encrypt(self.tx_key, self._nonce(self.tx_ctr), pt, hdr))
        self.tx_ctr += 1
        if tamper is not None:
            ct[tamper % len(ct)] ^= 0x01
        return hdr + bytes(ct)

    def send(self, mtype, payload=b"", tamper=None):
        self.send_raw(self.seal(mtype, payload, tamper))

    def _read_frame(self):
        hdr = self.recv_exact(4, timeout=3600)
        n = struct.unpack(">I", hdr)[0]
        if n < 16 or n > MAX_FRAME + 16:
            raise ValueError("node sent a frame of %d bytes" % n)
        ct = self.recv_exact(n, timeout=60)
        pt = aead_decrypt(self.rx_key, self._nonce(self.rx_ctr), ct, hdr)
        if pt is None:
            raise ValueError("node's frame fails authentication")
        self.rx_ctr += 1
        return pt[0], pt[1:]

    def start_reader(self):
        def loop():
            try:
                while True:
                    t, p = self._read_frame()
                    if t == MSG_PONG:
                        self.pongs.put((time.monotonic(), p))
                    else:
                        self.inbox.put((t, p))
            except (Closed, OSError, ValueError) as e:
                self.inbox.put((None, repr(e)))
            finally:
                self.closed.set()
        self.reader = threading.Thread(target=loop, daemon=True)
        self.reader.start()

    def ping(self, timeout=5):
        """Sends a PING; returns the seconds until its PONG, or None."""
        token = os.urandom(8)
        payload = b"\x01" + struct.pack(">Q", 0) + token * 4  # a status-shaped payload
        t0 = time.monotonic()
        self.send(MSG_PING, payload)
        deadline = t0 + timeout
        while time.monotonic() < deadline:
            try:
                t, p = self.pongs.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if p == payload:
                return t - t0
        return None

    def wait_message(self, mtype, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                t, p = self.inbox.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if t is None:
                raise Closed(p)
            if t == mtype:
                return p
        return None


class SilentFlood:
    """Connections that never send a byte: `per_port` to each port, each reopened as soon
    as the node closes it (a refused connect is retried after 50 ms). The p2p slot flood
    of issue 10, on one thread with a selector. Counters: `opened` (connects that
    succeeded), `closed_by_node`, `refused`; `held()` is the number open now."""

    RETRY_S = 0.05

    def __init__(self, ports, per_port, host="127.0.0.1"):
        self.slots = [p for p in ports for _ in range(per_port)]
        self.host = host
        self.opened = self.closed_by_node = self.refused = 0
        self._held = 0
        self._stop = threading.Event()
        self._th = None

    def held(self):
        return self._held

    def start(self):
        self._th = threading.Thread(target=self._run, daemon=True)
        self._th.start()
        return self

    def stop(self):
        self._stop.set()
        if self._th is not None:
            self._th.join(10)

    def _open(self, sel, retry, slot):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        err = s.connect_ex((self.host, self.slots[slot]))
        if err not in (0, errno.EINPROGRESS):
            s.close()
            self.refused += 1
            heapq.heappush(retry, (time.monotonic() + self.RETRY_S, slot))
            return
        sel.register(s, selectors.EVENT_WRITE, (slot, False))

    def _run(self):
        sel = selectors.DefaultSelector()
        retry = []
        for i in range(len(self.slots)):
            self._open(sel, retry, i)
        while not self._stop.is_set():
            now = time.monotonic()
            while retry and retry[0][0] <= now:
                self._open(sel, retry, heapq.heappop(retry)[1])
            wait = min(0.05, max(0.0, retry[0][0] - now)) if retry else 0.05
            for key, ev in (sel.select(wait) if sel.get_map() else ()):
                s, (slot, established) = key.fileobj, key.data
                if not established:  # the connect finished, or failed
                    if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) != 0:
                        sel.unregister(s)
                        s.close()
                        self.refused += 1
                        heapq.heappush(retry, (time.monotonic() + self.RETRY_S, slot))
                    else:
                        self.opened += 1
                        self._held += 1
                        sel.modify(s, selectors.EVENT_READ, (slot, True))
                    continue
                try:
                    gone = s.recv(4096) == b""
                except BlockingIOError:
                    gone = False
                except OSError:
                    gone = True
                if gone:  # the node closed it: open another at once
                    sel.unregister(s)
                    s.close()
                    self._held -= 1
                    self.closed_by_node += 1
                    self._open(sel, retry, slot)
            if not sel.get_map() and not retry:
                break
        for key in list(sel.get_map().values()):
            key.fileobj.close()
        sel.close()


JUNK_KINDS = ("nothing", "a few random bytes", "hello-sized or longer junk",
              "a hello for another chain", "a valid hello")


def junk_connections(ports, count, seconds, chain_id, seed, threads=8, host="127.0.0.1"):
    """`count` connections spread over `ports`, started at an even pace over `seconds`;
    each sends one of JUNK_KINDS (weights 30/25/20/15/10), then is closed, half of them
    with a reset. Returns {kind: n, "errors": n, "seconds": s, "per_second": r}."""
    tag = hashlib.sha256(chain_id.encode()).digest()
    other = hashlib.sha256(b"not-" + chain_id.encode()).digest()
    weights = (30, 25, 20, 15, 10)
    out = {k: 0 for k in JUNK_KINDS}
    out["errors"] = 0
    lock = threading.Lock()
    t0 = time.monotonic()

    def worker(w):
        rng = random.Random(seed * 1000003 + w)
        counts = {k: 0 for k in JUNK_KINDS}
        errors = 0
        for j in range(w, count, threads):
            delay = t0 + j * seconds / count - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            kind = rng.choices(JUNK_KINDS, weights)[0]
            if kind == "nothing":
                data = b""
            elif kind == "a few random bytes":
                data = rng.randbytes(rng.randint(1, HELLO_LEN - 1))
            elif kind == "hello-sized or longer junk":
                data = rng.randbytes(rng.randint(HELLO_LEN, 512))
            elif kind == "a hello for another chain":
                data = bytes([P2P_VERSION]) + other + rng.randbytes(32)
            else:
                data = bytes([P2P_VERSION]) + tag + rng.randbytes(32)
            try:
                s = socket.create_connection((host, ports[j % len(ports)]), timeout=5)
                if rng.random() < 0.5:
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                if data:
                    s.sendall(data)
                s.close()
                counts[kind] += 1
            except OSError:
                errors += 1
        with lock:
            for k, v in counts.items():
                out[k] += v
            out["errors"] += errors
    ths = [threading.Thread(target=worker, args=(w,), daemon=True) for w in range(threads)]
    for th in ths:
        th.start()
    for th in ths:
        th.join()
    out["seconds"] = round(time.monotonic() - t0, 2)
    out["per_second"] = round(count / max(out["seconds"], 0.001), 1)
    return out


def read_list(buf, pos):
    """list = n:u32 ‖ n × (len:u32 ‖ bytes) (docs/sync.md) → (items, new position)."""
    n = struct.unpack(">I", buf[pos:pos + 4])[0]
    pos += 4
    items = []
    for _ in range(n):
        ln = struct.unpack(">I", buf[pos:pos + 4])[0]
        items.append(buf[pos + 4:pos + 4 + ln])
        pos += 4 + ln
    return items, pos


# ---- known-answer checks -----------------------------------------------------------------

def self_test():
    """Checks the primitives against published vectors; raises AssertionError."""
    # RFC 7748 §5.2, first vector
    k = bytes.fromhex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4")
    u = bytes.fromhex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c")
    assert x25519(k, u).hex() == \
        "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"
    # RFC 8439 §2.8.2 AEAD
    key = bytes(range(0x80, 0xA0))
    nonce = bytes.fromhex("070000004041424344454647")
    aad = bytes.fromhex("50515253c0c1c2c3c4c5c6c7")
    pt = (b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip "
          b"for the future, sunscreen would be it.")
    ct = aead_encrypt(key, nonce, pt, aad)
    assert ct[-16:].hex() == "1ae10b594f09e26a7e902ecbd0600691"
    assert ct[:16].hex() == "d31a8d34648e60db7b86afbc53ef7ec2"
    assert aead_decrypt(key, nonce, ct, aad) == pt
    bad = bytearray(ct)
    bad[3] ^= 1
    assert aead_decrypt(key, nonce, bytes(bad), aad) is None
    # BIP-340 test vector 1
    sk = bytes.fromhex("B7E151628AED2A6ABF7158809CF4F3C762E7160F38B4DA56A784D9045190CFEF")
    msg = bytes.fromhex("243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89")
    aux = bytes.fromhex("0000000000000000000000000000000000000000000000000000000000000001")
    sig = schnorr_sign(sk, msg, aux)
    assert xonly(sk).hex().upper() == \
        "DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659"
    assert sig.hex().upper() == (
        "6896BD60EEAE296DB48A229FF71DFE071BDE413E6D43F917DC8DCF8C78DE3341"
        "8906D11AC976ABCCB20B091292BFF4EA897EFCB639EA871CFA95F6DE339E4B0A")
    assert schnorr_verify(xonly(sk), msg, sig)
    assert not schnorr_verify(xonly(sk), msg, sig[:63] + bytes([sig[63] ^ 1]))
    # crypto_kx: both sides derive crossed keys
    a_sk, a_pk = x25519_keypair()
    b_sk, b_pk = x25519_keypair()
    rx, tx = kx_client_keys(a_pk, a_sk, b_pk)
    h = hashlib.blake2b(x25519(b_sk, a_pk) + a_pk + b_pk, digest_size=64).digest()
    assert (h[:32], h[32:]) == (rx, tx)
