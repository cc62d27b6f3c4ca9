#!/usr/bin/env python3
"""Issue 11 items 1-4 (TESTING.md F4, F5): an audit that trusts nothing but genesis.

On one `yuchaind dev` ledger (a transfer, a consent, a revoked consent), through the real
`yuchain-audit`:

- anchoring: without --genesis/--genesis-hash the text says NOT ANCHORED and the JSON
  "anchored": false; --require-anchor exits 77; --genesis-hash of the published hash
  anchors; a wrong hash, or --node with another chain's --genesis, exits 78 and still
  prints one JSON object with --json;
- evidence untouched (F5): every file of the home is hashed before and after replay,
  replay --at, subject, violations, export and trace: not one byte changes;
- stored state tampered (F4) on a copy, through LevelDB itself (ctypes on libleveldb):
  a balance, a consent's revoked_at and a deleted index entry are each named by object
  and field with both values, and counted; exit 1;
- a block deleted from the middle: block_missing at that height;
- a byte flipped inside a table file (checksum not mended): storage_corrupt naming the
  file and the damaged block, exit 1, not a ledger fault and not ok.
"""

import ctypes
import ctypes.util
import glob
import hashlib
import json
import os
import re
import shutil
import socket
import time

import yctest
from yctest import check, check_eq, to_int

EX_OK, EX_FAIL, EX_NOPERM, EX_CONFIG, EX_IOERR = 0, 1, 77, 78, 74


def free_base(t):
    """A base port P in 25600..25699 with P, P+100 and P+200 free (this test's range)."""
    for _ in range(200):
        base = t.rng.randrange(25600, 25700)
        ok = True
        for port in (base, base + 100, base + 200):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                ok = False
            finally:
                s.close()
        if ok:
            return base
    raise yctest.TestFailure("no free port block in 25600..25999")


def tree_hash(root):
    """SHA-256 over every file's relative path, mode and bytes, and every directory."""
    h = hashlib.sha256()
    for d, dirs, files in os.walk(root):
        dirs.sort()
        h.update(b"D" + os.path.relpath(d, root).encode())
        for f in sorted(files):
            p = os.path.join(d, f)
            h.update(b"F" + os.path.relpath(p, root).encode())
            if os.path.islink(p):
                h.update(b"L" + os.readlink(p).encode())
                continue
            h.update(oct(os.stat(p).st_mode).encode())
            with open(p, "rb") as fh:
                h.update(hashlib.sha256(fh.read()).digest())
    return h.hexdigest()


# ---- LevelDB through its C API (libleveldb), standard library only ------------------


class LevelDB:
    def __init__(self, path):
        name = ctypes.util.find_library("leveldb") or "libleveldb.so.1d"
        lib = ctypes.CDLL(name)
        vp, cp, sz = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t
        errp = ctypes.POINTER(ctypes.c_char_p)
        lib.leveldb_options_create.restype = vp
        lib.leveldb_open.restype = vp
        lib.leveldb_open.argtypes = [vp, cp, errp]
        lib.leveldb_readoptions_create.restype = vp
        lib.leveldb_writeoptions_create.restype = vp
        lib.leveldb_get.restype = ctypes.POINTER(ctypes.c_char)
        lib.leveldb_get.argtypes = [vp, vp, cp, sz, ctypes.POINTER(sz), errp]
        lib.leveldb_put.argtypes = [vp, vp, cp, sz, cp, sz, errp]
        lib.leveldb_delete.argtypes = [vp, vp, cp, sz, errp]
        lib.leveldb_close.argtypes = [vp]
        lib.leveldb_free.argtypes = [vp]
        lib.leveldb_options_set_compression.argtypes = [vp, ctypes.c_int]
        self.lib = lib
        opts = lib.leveldb_options_create()
        lib.leveldb_options_set_compression(opts, 0)
        err = ctypes.c_char_p()
        self.db = lib.leveldb_open(opts, path.encode(), ctypes.byref(err))
        check(not err.value, "leveldb_open %s: %s" % (path, err.value))
        self.r = lib.leveldb_readoptions_create()
        self.w = lib.leveldb_writeoptions_create()

    def get(self, key):
        n = ctypes.c_size_t()
        err = ctypes.c_char_p()
        p = self.lib.leveldb_get(self.db, self.r, key, len(key), ctypes.byref(n),
                                 ctypes.byref(err))
        check(not err.value, "leveldb_get: %s" % err.value)
        if not p:
            return None
        v = ctypes.string_at(p, n.value)
        self.lib.leveldb_free(ctypes.cast(p, ctypes.c_void_p))
        return v

    def put(self, key, val):
        err = ctypes.c_char_p()
        self.lib.leveldb_put(self.db, self.w, key, len(key), val, len(val), ctypes.byref(err))
        check(not err.value, "leveldb_put: %s" % err.value)

    def delete(self, key):
        err = ctypes.c_char_p()
        self.lib.leveldb_delete(self.db, self.w, key, len(key), ctypes.byref(err))
        check(not err.value, "leveldb_delete: %s" % err.value)

    def close(self):
        self.lib.leveldb_close(self.db)


# ---- bech32m addresses and MessagePack unsigned integers -----------------------------

_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _polymod(values):
    gen = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3]
    chk = 1
    for v in values:
        b = chk >> 25
        chk = (chk & 0x1ffffff) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if ((b >> i) & 1) else 0
    return chk


def addr_pub(addr):
    """The 33-byte key (scheme byte 1 = BIP-340) of a yc1… address."""
    data = [_CHARSET.index(c) for c in addr[3:]]
    check(_polymod([ord(x) >> 5 for x in "yc"] + [0] + [ord(x) & 31 for x in "yc"] + data)
          == 0x2bc830a3, "bad address %s" % addr)
    acc, bits, out = 0, 0, bytearray()
    for v in data[:-6]:
        acc = (acc << 5) | v
        bits += 5
        while bits >= 8:
            bits -= 8
            out.append((acc >> bits) & 0xff)
    check(len(out) == 32, "address payload of %d bytes" % len(out))
    return b"\x01" + bytes(out)


def mp_uint(v):
    if v < 0x80:
        return bytes([v])
    for tag, n in ((0xcc, 1), (0xcd, 2), (0xce, 4), (0xcf, 8)):
        if v < 1 << (8 * n):
            return bytes([tag]) + v.to_bytes(n, "big")


def mp_uint_at(b, i):
    """(value, length) of the MessagePack unsigned integer at b[i]."""
    tag = b[i]
    if tag < 0x80:
        return tag, 1
    n = {0xcc: 1, 0xcd: 2, 0xce: 4, 0xcf: 8}[tag]
    return int.from_bytes(b[i + 1:i + 1 + n], "big"), 1 + n


def set_field(value, field, new):
    """A canonical map value with the unsigned integer `field` set to `new`."""
    k = bytes([0xa0 | len(field)]) + field.encode()
    at = value.find(k)
    check(at >= 0, "no field %s in %r" % (field, value))
    old, n = mp_uint_at(value, at + len(k))
    return value[:at + len(k)] + mp_uint(new) + value[at + len(k) + n:], old


def copy_home(t, home, label):
    dst = os.path.join(t.tmp, "copy-" + label)
    shutil.copytree(home, dst, ignore=shutil.ignore_patterns(".lock", ".cookie"))
    return dst


def replay(t, *args, expect):
    r = t.audit("replay", *args, "--json", "--quiet", expect=expect)
    check(isinstance(r.json, dict), "replay --json printed no single object: %r", r)
    check_eq(len([ln for ln in r.out.splitlines() if ln.strip()]), 1,
             "lines of JSON on stdout")
    return r.json


def run(t):
    t.require("yuchaind", "yuchain-wallet", "yuchain-audit")
    home = os.path.join(t.tmp, "dev")
    node = yctest.Node(t, "dev", home, free_base(t))
    t.nodes.append(node)
    node.start()
    w = t.wallet(node)
    alice, bob, proc = (w.address(k) for k in ("alice", "bob", "processor"))
    w.send("transfer", "--to", bob, "--amount", 500, frm="alice", expect_status="committed")
    kept = w.send("consent", "grant", "--to", proc, "--categories", "health", "--purposes",
                  "research", "--operations", "use", "--until", "+30d", frm="alice",
                  expect_status="committed")
    gone = w.send("consent", "grant", "--to", proc, "--categories", "financial", "--purposes",
                  "research", "--operations", "use", "--until", "+30d", frm="alice",
                  expect_status="committed")
    w.send("consent", "revoke", gone["id"], frm="alice", expect_status="committed")
    w.send("transfer", "--to", alice, "--amount", 7, frm="bob", expect_status="committed")
    tip = to_int(node.status()["height"])
    check(tip >= 5, "expected at least 5 blocks, have %d" % tip)
    alice_acct = node.account(alice)
    genesis_file = os.path.join(home, "config", "genesis.json")
    with open(genesis_file) as f:
        genesis = json.load(f)

    # ---- anchoring, against the running node ----------------------------------------
    j = replay(t, "--node", node.rpc_url, expect=EX_OK)
    check(j["ok"] is True and j["anchored"] is False, "unanchored node replay: %r" % j)
    r = t.audit("replay", "--node", node.rpc_url, "--quiet", expect=EX_OK)
    check("NOT ANCHORED" in r.out, "text output does not say NOT ANCHORED: %r" % r.out)
    check(re.search(r"^OK \(NOT ANCHORED\): ", r.out, re.M), "OK line: %r" % r.out)
    j = replay(t, "--node", node.rpc_url, "--require-anchor", expect=EX_NOPERM)
    check(j["ok"] is False and j["code"] == "not_anchored" and j["anchored"] is False,
          "--require-anchor unanchored: %r" % j)
    other = dict(genesis)
    other["chain_id"] = genesis["chain_id"] + "-other"
    other_file = os.path.join(t.tmp, "other-genesis.json")
    with open(other_file, "w") as f:
        json.dump(other, f)
    j = replay(t, "--node", node.rpc_url, "--genesis", other_file, expect=EX_CONFIG)
    check(j["ok"] is False and j["code"] and "the node serves genesis" in j["reason"],
          "another chain's --genesis: %r" % j)
    j = replay(t, "--node", node.rpc_url, "--genesis", genesis_file, "--require-anchor",
               expect=EX_OK)
    check(j["anchored"] is True and j["ok"] is True, "anchored by file: %r" % j)
    ghash = j["genesis_hash"]

    # A node running on the home: refused, and the home is not touched by the attempt.
    j = replay(t, "--home", home, expect=EX_IOERR)
    check("in use" in j["reason"], "replay of a running node's home: %r" % j)

    check_eq(node.stop(), 0, "node exit code")
    copies = {k: copy_home(t, home, k) for k in ("state", "block", "table")}

    # ---- evidence untouched (F5) --------------------------------------------------------
    before = tree_hash(home)
    t0 = time.monotonic()
    r = t.audit("replay", "--home", home, "--quiet", expect=EX_OK)
    check("NOT ANCHORED" in r.out, "home replay text lacks NOT ANCHORED: %r" % r.out)
    check("nothing in the home was written" in r.out, "no word on the private copy: %r"
          % r.out)
    j = replay(t, "--home", home, "--genesis-hash", ghash, "--require-anchor", expect=EX_OK)
    check(j["ok"] is True and j["anchored"] is True, "anchored home replay: %r" % j)
    check(j["storage"]["private_copy"] is True and j["storage"]["tables"] >= 1,
          "storage report: %r" % j.get("storage"))
    j = replay(t, "--home", home, "--genesis-hash", "00" * 32, expect=EX_CONFIG)
    check(j["ok"] is False and "not to the --genesis-hash" in j["reason"],
          "a wrong --genesis-hash: %r" % j)
    t.audit("subject", alice, "--home", home, "--quiet", expect=EX_OK)
    t.audit("violations", "--home", home, "--quiet", expect=EX_OK)
    t.audit("export", "--home", home, "--format", "jsonl", "--quiet", expect=EX_OK)
    t.audit("trace", "00" * 32, "--home", home, "--quiet", expect=EX_FAIL)  # no such asset
    t.audit("replay", "--home", home, "--at", tip, "--quiet", expect=EX_OK)
    replay_secs = time.monotonic() - t0
    check_eq(tree_hash(home), before, "hash of the home before and after the audits")

    # ---- stored state tampered (F4) ---------------------------------------------------
    db = LevelDB(os.path.join(copies["state"], "data"))
    akey = b"s/account/" + addr_pub(alice)
    val, old_balance = set_field(db.get(akey), "balance", to_int(alice_acct["balance"]) + 500)
    db.put(akey, val)
    ckey = b"s/consent/" + bytes.fromhex(kept["id"])
    cval, _ = set_field(db.get(ckey), "revoked_at", 3)
    db.put(ckey, cval)
    ikey = b"s/idx/consent_subject/" + addr_pub(alice) + bytes.fromhex(gone["id"])
    check(db.get(ikey) is not None, "index entry %r not found" % ikey)
    db.delete(ikey)
    db.close()
    name = alice_acct.get("name")
    want = [
        "account %s (%s) balance: stored %d, replayed %d"
        % (alice, name, old_balance + 500, old_balance),
        "consent %s revoked_at: stored 3, replayed 0" % kept["id"],
        "index consent_subject: entry for consent %s (subject %s) missing from the stored "
        "state" % (gone["id"], alice),
    ]
    j = replay(t, "--home", copies["state"], expect=EX_FAIL)
    check_eq(j["code"], "state_mismatch", "code of a tampered state")
    check_eq(j["differences_total"], 3, "differences counted")
    got = sorted(d["text"] for d in j["differences"])
    check_eq(got, sorted(want), "the differences in words")
    bal = [d for d in j["differences"] if d["field"] == "balance"][0]
    check_eq((bal["stored"], bal["replayed"]), (str(old_balance + 500), str(old_balance)),
             "balance difference fields")
    r = t.audit("replay", "--home", copies["state"], "--quiet", expect=EX_FAIL)
    check(re.search(r"^FAILED at height %d: state_mismatch: 3 differences between the node's "
                    r"stored state \(\d+ keys\) and the replayed state \(\d+ keys\)$" % tip,
                    r.out, re.M), "FAILED line: %r" % r.out)
    for line in want:
        check("\n  " + line + "\n" in r.out, "text lacks %r: %r" % (line, r.out))

    # ---- a block deleted from the middle -------------------------------------------------
    mid = tip // 2
    db = LevelDB(os.path.join(copies["block"], "data"))
    db.delete(b"b/" + mid.to_bytes(8, "big"))
    db.close()
    j = replay(t, "--home", copies["block"], expect=EX_FAIL)
    check_eq(j["reason"], "block_missing: block %d is not in the ledger (tip %d)" % (mid, tip),
             "reason for a deleted block")
    check_eq(j["height"], mid, "height of the deleted block")
    check_eq(j["blocks"], mid - 1, "blocks verified below it")

    # ---- a byte flipped inside a table, checksum not mended --------------------------------
    data = os.path.join(copies["table"], "data")
    tables = sorted(glob.glob(os.path.join(data, "*.ldb")) + glob.glob(os.path.join(data, "*.sst")))
    check(tables, "no table file in %s" % data)
    victim = tables[0]
    with open(victim, "r+b") as f:
        f.seek(20)
        b = f.read(1)
        f.seek(20)
        f.write(bytes([b[0] ^ 0x01]))
    j = replay(t, "--home", copies["table"], expect=EX_FAIL)
    check_eq(j["code"], "storage_corrupt", "code of a damaged table")
    pat = (r"storage_corrupt: the storage is damaged: %s, at byte 0: data block of \d+ bytes: "
           r"checksum mismatch\. This is damage to the node's files, not a fault of the ledger"
           % re.escape(victim))
    check(re.match(pat, j["reason"]), "damaged table reason: %r" % j["reason"])
    check(j["ok"] is False and j["height"] is None, "a damaged table: %r" % j)

    t.number("height", tip)
    t.number("audit_seconds_untouched", round(replay_secs, 2))


if __name__ == "__main__":
    yctest.main(run)
