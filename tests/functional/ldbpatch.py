"""ldbpatch — flip one byte of a stored value inside a LevelDB directory's files.

Used by the F2 tests (TESTING.md) to tamper with a stored block the way someone with
access to a copy of the data directory could: the byte is changed in the files on
disk and LevelDB's own checksums are recomputed, so LevelDB reads the tampered value
without complaint and only Yuchain's verification (hashes, signatures, certificates,
state roots) can notice. Standard library only.

The value is found by content: the caller passes bytes known to be inside it (e.g.
the raw block from the `block` RPC with format=raw). Both kinds of files are handled:

- write-ahead logs (*.log): 32 KiB blocks of physical records, each with a 7-byte
  header (masked CRC32C of type+payload, 16-bit length, type). The bytes are looked
  for in each record's payload (values inside a WriteBatch are stored verbatim); the
  record's CRC is recomputed.
- tables (*.ldb, *.sst): the footer points to the index block, whose entries point to
  the data blocks. Each block is followed by a 5-byte trailer (compression type,
  masked CRC32C of contents+type). Blocks may be Snappy-compressed (Debian's LevelDB
  is built with Snappy and compresses by default): the block is decompressed here,
  searched, and only a byte that the compressed stream stores as a literal is flipped
  (so the change stays local), then the trailer CRC is recomputed.

Formats: leveldb/doc/log_format.md and table_format.md; Snappy's format_description.txt.
"""

import os
import struct

# ---- CRC32C (Castagnoli), as LevelDB masks it ---------------------------------------

_CRC_TABLE = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _CRC_TABLE.append(_c)


def crc32c(data, crc=0):
    crc ^= 0xFFFFFFFF
    t = _CRC_TABLE
    for b in data:
        crc = t[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc(data):
    c = crc32c(data)
    return ((((c >> 15) | (c << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


# ---- varints and Snappy --------------------------------------------------------------


def _varint(buf, pos):
    shift, v = 0, 0
    while True:
        b = buf[pos]
        pos += 1
        v |= (b & 0x7F) << shift
        if not b & 0x80:
            return v, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


def snappy_decompress(src):
    """Returns (output bytes, literal map): map[out offset] = src offset for literals."""
    n, pos = _varint(src, 0)
    out = bytearray()
    lit = {}
    while pos < len(src):
        tag = src[pos]
        pos += 1
        kind = tag & 3
        if kind == 0:
            ln = tag >> 2
            if ln >= 60:
                nb = ln - 59
                ln = int.from_bytes(src[pos:pos + nb], "little")
                pos += nb
            ln += 1
            for k in range(ln):
                lit[len(out) + k] = pos + k
            out += src[pos:pos + ln]
            pos += ln
            continue
        if kind == 1:
            ln = 4 + ((tag >> 2) & 7)
            off = ((tag >> 5) << 8) | src[pos]
            pos += 1
        elif kind == 2:
            ln = (tag >> 2) + 1
            off = int.from_bytes(src[pos:pos + 2], "little")
            pos += 2
        else:
            ln = (tag >> 2) + 1
            off = int.from_bytes(src[pos:pos + 4], "little")
            pos += 4
        if off == 0 or off > len(out):
            raise ValueError("bad snappy copy offset")
        for _ in range(ln):  # copies may overlap their own output
            out.append(out[-off])
    if len(out) != n:
        raise ValueError("snappy length mismatch")
    return bytes(out), lit


# ---- tables ----------------------------------------------------------------------------

_TABLE_MAGIC = 0xDB4775248B80FB57


def _block_entries(block):
    """Yields the values of a table block's entries (keys are not needed here)."""
    nrestarts = struct.unpack_from("<I", block, len(block) - 4)[0]
    end = len(block) - 4 * (nrestarts + 1)
    pos = 0
    while pos < end:
        _shared, pos = _varint(block, pos)
        nonshared, pos = _varint(block, pos)
        vlen, pos = _varint(block, pos)
        pos += nonshared
        yield block[pos:pos + vlen]
        pos += vlen


def _patch_table(data, needle, choose):
    """Patches `data` (bytearray of a table file) in place; returns the number of flips."""
    if len(data) < 48 or struct.unpack_from("<Q", data, len(data) - 8)[0] != _TABLE_MAGIC:
        return 0
    pos = len(data) - 48
    _mo, pos = _varint(data, pos)
    _ms, pos = _varint(data, pos)
    io, pos = _varint(data, pos)
    isz, pos = _varint(data, pos)
    index = _read_block(data, io, isz)[0]
    flips = 0
    for handle in _block_entries(index):
        off, p = _varint(handle, 0)
        size, _ = _varint(handle, p)
        contents, ctype, litmap = _read_block(data, off, size)
        at = contents.find(needle)
        while at >= 0:
            target = choose(at, len(needle))
            if ctype == 1:
                # only a literal byte can be flipped locally; look for one near the target
                cand = [i for i in range(at, at + len(needle)) if i in litmap]
                if not cand:
                    break
                i = min(cand, key=lambda x: abs(x - target))
                src_off = off + litmap[i]
            else:
                src_off = off + target
            data[src_off] ^= 0x01
            raw = bytes(data[off:off + size]) + bytes([data[off + size]])
            struct.pack_into("<I", data, off + size + 1, masked_crc(raw))
            flips += 1
            contents, ctype, litmap = _read_block(data, off, size)
            at = contents.find(needle, at + len(needle))
    return flips


def _read_block(data, off, size):
    raw = bytes(data[off:off + size])
    ctype = data[off + size]
    if ctype == 0:
        return raw, 0, None
    if ctype == 1:
        out, lit = snappy_decompress(raw)
        return out, 1, lit
    raise ValueError("unknown block compression %d" % ctype)


# ---- logs ------------------------------------------------------------------------------

_LOG_BLOCK = 32768


def _patch_log(data, needle, choose):
    flips = 0
    pos = 0
    while pos + 7 <= len(data):
        left = _LOG_BLOCK - pos % _LOG_BLOCK
        if left < 7:
            pos += left
            continue
        length = struct.unpack_from("<H", data, pos + 4)[0]
        rtype = data[pos + 6]
        if rtype == 0 and length == 0:
            pos += left  # zero-filled (preallocated) tail of a block
            continue
        payload_off = pos + 7
        payload = bytes(data[payload_off:payload_off + length])
        at = payload.find(needle)
        changed = False
        while at >= 0:
            data[payload_off + choose(at, len(needle))] ^= 0x01
            changed = True
            flips += 1
            at = payload.find(needle, at + len(needle))
        if changed:
            crc = masked_crc(bytes([rtype]) + bytes(data[payload_off:payload_off + length]))
            struct.pack_into("<I", data, pos, crc)
        pos = payload_off + length
    return flips


# ---- entry point ---------------------------------------------------------------------


def flip_value_byte(db_dir, needle, choose=None):
    """Flips one byte of every occurrence of `needle` in db_dir's log and table files.

    `choose(start, length)` returns the absolute offset (within the decompressed
    container) to flip; the default is the middle of the needle. Returns a list of
    (file name, number of flips); raises ValueError if a file cannot be parsed.
    """
    if choose is None:
        def choose(start, length):
            return start + length // 2
    done = []
    for name in sorted(os.listdir(db_dir)):
        path = os.path.join(db_dir, name)
        if name.endswith(".log"):
            patch = _patch_log
        elif name.endswith(".ldb") or name.endswith(".sst"):
            patch = _patch_table
        else:
            continue
        with open(path, "rb") as f:
            data = bytearray(f.read())
        n = patch(data, needle, choose)
        if n:
            with open(path, "wb") as f:
                f.write(data)
            done.append((name, n))
    return done


def locate(db_dir, needle):
    """Lists (file name, kind) of files whose (decompressed) contents hold `needle`."""
    found = []
    for name in sorted(os.listdir(db_dir)):
        path = os.path.join(db_dir, name)
        with open(path, "rb") as f:
            data = bytearray(f.read())
        if name.endswith(".log") and _patch_log(bytearray(data), needle, lambda a, b: a):
            found.append((name, "log"))
        elif (name.endswith(".ldb") or name.endswith(".sst")) and \
                _patch_table(bytearray(data), needle, lambda a, b: a):
            found.append((name, "table"))
    return found
