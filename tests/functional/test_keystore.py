#!/usr/bin/env python3
"""E7 through the wallet CLI: the keystore fails closed.

A key made with `new` in a fresh wallet directory (0700, file 0600) signs once its
passphrase is given. Then, with the real file changed, every attempt to sign must be
refused (exit 65 or 77, or 74 for an unreadable file) and nothing may reach the chain:
a wrong passphrase; each field of the file altered in one character; KDF parameters
lowered; raw bytes flipped across the file; the file truncated. Restoring the original
file makes it work again (so the refusals came from the tampering). Finally `new` is
killed with SIGKILL at random moments: afterwards the key file is absent or whole.
"""

import json
import os
import signal
import stat
import subprocess
import time

import yctest
from yctest import check, check_eq, to_int

REFUSED = (yctest.EX_DATAERR, yctest.EX_NOPERM, yctest.EX_IOERR)
HEXCH = "0123456789abcdef"
B64CH = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def alter_char(s, rng):
    """The string with one character replaced by another of the same alphabet."""
    if not s:
        return "x"
    i = rng.randrange(len(s))
    alphabet = HEXCH if all(c in HEXCH for c in s.lower()) else B64CH
    if s[i] not in alphabet:
        alphabet = "abcdefghijklmnopqrstuvwxyz"
    c = s[i]
    while c == s[i]:
        c = rng.choice(alphabet)
    return s[:i] + c + s[i + 1:]


def leaves(obj, path=()):
    """Yields (path, value) of every string or number inside a JSON value."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from leaves(v, path + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from leaves(v, path + (i,))
    elif isinstance(obj, (str, int)) and not isinstance(obj, bool):
        yield path, obj


def set_path(obj, path, value):
    for p in path[:-1]:
        obj = obj[p]
    obj[path[-1]] = value


def run(t):
    t.require("yuchaind", "yuchain-wallet")
    node = t.start_dev_node()
    wd = os.path.join(t.tmp, "wallet-e7")
    pf = os.path.join(t.tmp, "pass-e7")
    with open(pf, "w") as f:
        f.write("correct horse battery staple\n")
    w = t.wallet(node, wallet_dir=wd, password_file=pf)
    addr = w.new("k1")
    path = os.path.join(wd, "k1.json")
    check_eq(stat.S_IMODE(os.stat(wd).st_mode), 0o700, "wallet dir mode")
    check_eq(stat.S_IMODE(os.stat(path).st_mode), 0o600, "key file mode")
    with open(path, "rb") as f:
        original = f.read()
    doc = json.loads(original)
    check(addr in original.decode(), "key file does not name its address")
    counts = {"refused": 0, "attempts": 0}

    def attempt(label, content=None, password_file=None):
        """Tries to sign with k1 given a (tampered) file; returns the exit code."""
        if content is not None:
            with open(path, "wb") as f:
                f.write(content)
            os.chmod(path, 0o600)
        nonce = to_int(node.account(addr)["nonce"]) if registered[0] else None
        r = w.run("transfer", "--to", bob, "--amount", "1", frm="k1",
                  password_file=password_file)
        counts["attempts"] += 1
        check(r.rc in REFUSED, "%s: not refused (exit %d): %r", label, r.rc, r)
        check(r.err.strip(), "%s: refused without a message", label)
        if registered[0]:
            check_eq(to_int(node.account(addr)["nonce"]), nonce, "%s: nonce" % label)
        counts["refused"] += 1
        return r.rc

    # The intact key signs (a self-registration, which needs no funds).
    registered = [False]
    j = w.send("register", "--role", "individual", "--name", "E7", "--jurisdiction", "CN-CQ",
               frm="k1", expect_status="committed")
    registered[0] = True
    bob = t.wallet(node).address("bob")
    yctest.log("k1 %s registered in block %s" % (addr, j["height"]))

    # Wrong passphrase.
    wrong = os.path.join(t.tmp, "wrong")
    with open(wrong, "w") as f:
        f.write("correct horse battery stapler\n")
    check_eq(attempt("wrong passphrase", password_file=wrong), yctest.EX_NOPERM,
             "exit code for a wrong passphrase")

    # Each field altered by one character (values stay well-formed).
    codes = {}
    for fpath, value in leaves(doc):
        d = json.loads(original)
        if isinstance(value, int):
            set_path(d, fpath, value + 1)
        else:
            set_path(d, fpath, alter_char(value, t.rng))
        label = "field %s altered" % "/".join(map(str, fpath))
        codes[label] = attempt(label, json.dumps(d).encode())

    # KDF parameters lowered (any numeric field whose name mentions ops or mem).
    for fpath, value in leaves(doc):
        name = "/".join(map(str, fpath)).lower()
        if isinstance(value, int) and ("ops" in name or "mem" in name or "iter" in name):
            d = json.loads(original)
            set_path(d, fpath, max(1, value // 8))
            codes["kdf %s lowered" % name] = attempt("kdf %s lowered" % name,
                                                    json.dumps(d).encode())

    # Raw bytes flipped across the file.
    positions = sorted(t.rng.sample(range(len(original)), min(24, len(original))))
    for pos in positions:
        b = bytearray(original)
        b[pos] ^= 1 << t.rng.randrange(8)
        attempt("byte %d flipped" % pos, bytes(b))

    # Truncated.
    for n in (0, 1, len(original) // 2, len(original) - 2):
        attempt("truncated to %d bytes" % n, original[:n])

    # Restored: works again.
    with open(path, "wb") as f:
        f.write(original)
    r = w.run("register", "--role", "individual", "--name", "E7 again", "--jurisdiction",
              "CN-CQ", frm="k1", expect=yctest.EX_FAILED)
    check_eq(r.json.get("code"), "already_registered", "restored key signs again")

    # kill -9 while `new` saves: the file is absent or whole, never partial.
    # The kills land around the end of an uninterrupted `new` (KDF, then the write).
    t0 = time.monotonic()
    w.new("timing")
    dur = time.monotonic() - t0
    survived = 0
    for i in range(8):
        name = "crash%d" % i
        argv = [t.bin("yuchain-wallet"), "--wallet-dir", wd, "--password-file", pf, "--json",
                "new", name, "--kdf", "interactive"]
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             stdin=subprocess.DEVNULL, env=t.env, preexec_fn=yctest._child_setup)
        time.sleep(t.rng.uniform(0.6 * dur, 1.1 * dur))
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()
        kp = os.path.join(wd, name + ".json")
        if os.path.exists(kp):
            survived += 1
            with open(kp, "rb") as f:
                json.loads(f.read())  # whole JSON
            r = w.run("address", name, expect=0)
            check(yctest.find_address(r.json if r.json is not None else r.out),
                  "key %s saved but unusable: %r", name, r)
            r = w.run("register", "--role", "individual", "--name", name, "--jurisdiction",
                      "CN-CQ", frm=name)
            check_eq(r.rc, 0, "key %s saved before the kill signs" % name)
    leftovers = [f for f in os.listdir(wd) if f.startswith(".") and ".tmp" in f]

    check_eq(node.stop(), 0, "clean exit")
    t.number("refused_attempts", counts["refused"])
    t.number("field_alterations", len(codes))
    t.number("exit_codes_seen", sorted(set(codes.values())))
    t.number("kill9_new_survived", survived)
    t.number("kill9_stray_temp_files", len(leftovers))


if __name__ == "__main__":
    yctest.main(run)
