"""yctest — the functional test framework of Yuchain (Python 3 standard library only).

A test starts real `yuchaind` processes in temporary homes on free loopback ports,
drives the real `yuchain-wallet` and `yuchain-audit` command lines and the JSON-RPC
API, records a client history, and at the end checks every node's chain with the
shared checker of TESTING.md. Everything it starts is cleaned up: each node runs in
its own process group (killed at exit, on SIGINT/SIGTERM, and by the kernel if the
test process itself dies), and the temporary directory is removed unless the test
failed or YC_KEEP_TMP=1.

Exit codes: 0 passed, 1 failed, 77 skipped (binaries not built).

Environment:
  YC_BUILD_DIR   build tree holding node/yuchaind, wallet/yuchain-wallet,
                 audit/yuchain-audit (set by ctest; else the newest ../../build*)
  YC_KEEP_TMP=1  keep the temporary directory
  YC_TEST_SEED   seed for randomized choices (printed; default: time based)
  YC_TEST_TIMEOUT  overall deadline in seconds (default 840, under ctest's 900)

Usage in a test file:

    import yctest
    def run(t):
        node = t.start_dev_node()
        w = t.wallet(node)
        ...
    if __name__ == "__main__":
        yctest.main(run)
"""

import atexit
import bisect
import ctypes
import glob
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

SKIP = 77

# Exit codes of the three programs (DESIGN.md §10).
EX_OK = 0
EX_FAILED = 1
EX_USAGE = 2
EX_DATAERR = 65
EX_UNAVAILABLE = 69
EX_IOERR = 74
EX_NOPERM = 77
EX_CONFIG = 78

HERE = os.path.dirname(os.path.abspath(__file__))


class Skip(Exception):
    """Raised to skip the test (exit 77)."""


class TestFailure(AssertionError):
    """A checked condition did not hold."""


class RpcError(Exception):
    """A JSON-RPC error object, or an HTTP error status on a GET."""

    def __init__(self, code, message, data_code=None, http_status=None, body=None):
        super().__init__("%s (%s): %s" % (data_code, code, message))
        self.code = code
        self.message = message
        self.data_code = data_code
        self.http_status = http_status
        self.body = body


class Unreachable(Exception):
    """The node did not answer (refused, reset, timeout)."""


# ---------------------------------------------------------------------------------------
# small helpers


def log(msg):
    """Prints a timestamped line to stdout (ctest shows it on failure)."""
    sys.stdout.write("[%8.3f] %s\n" % (time.monotonic() - _T0, msg))
    sys.stdout.flush()


_T0 = time.monotonic()


def check(cond, msg, *args):
    """Fails the test with msg % args unless cond."""
    if not cond:
        raise TestFailure(msg % args if args else msg)


def check_eq(a, b, what):
    if a != b:
        raise TestFailure("%s: expected %r, got %r" % (what, b, a))


def to_int(v):
    """64-bit integers travel as decimal strings (DESIGN §9); accept numbers too."""
    if isinstance(v, bool) or v is None:
        raise TestFailure("expected an integer, got %r" % (v,))
    return int(v)


def percentile(values, p):
    """Nearest-rank percentile of a list (None if empty)."""
    if not values:
        return None
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


def find_address(obj):
    """The first bech32m `yc1…` string inside a JSON value (or text), or None."""
    if isinstance(obj, str):
        m = re.search(r"\byc1[02-9ac-hj-np-z]{20,}\b", obj)
        return m.group(0) if m else None
    if isinstance(obj, dict):
        for k in ("address", "addr"):
            if isinstance(obj.get(k), str) and obj[k].startswith("yc1"):
                return obj[k]
        obj = list(obj.values())
    if isinstance(obj, list):
        for v in obj:
            a = find_address(v)
            if a:
                return a
    return None


def _free_port_block(rng):
    """A base port P with P (any address), P+100 and P+200 (loopback) free."""
    for _ in range(200):
        base = rng.randrange(20000, 32400)  # below the ephemeral ports (32768-)
        ok = True
        socks = []
        try:
            for host, port in (("0.0.0.0", base), ("127.0.0.1", base + 100),
                               ("127.0.0.1", base + 200)):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                socks.append(s)
                s.bind((host, port))
        except OSError:
            ok = False
        finally:
            for s in socks:
                s.close()
        if ok:
            return base
    raise TestFailure("no free port block found")


def _find_build_dir():
    env = os.environ.get("YC_BUILD_DIR")
    if env:
        return env
    cands = []
    for d in glob.glob(os.path.join(HERE, "..", "..", "build*")):
        b = os.path.join(d, "node", "yuchaind")
        if os.path.isfile(b):
            cands.append((os.path.getmtime(b), os.path.abspath(d)))
    return max(cands)[1] if cands else None


_libc = None


def _child_setup():
    """In the child before exec: own process group, die with the test process."""
    os.setsid()
    global _libc
    try:
        if _libc is None:
            _libc = ctypes.CDLL("libc.so.6", use_errno=True)
        _libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


# ---------------------------------------------------------------------------------------
# JSON-RPC client


class RpcClient:
    """JSON-RPC 2.0 over POST / and the GET /<method>?k=v form (docs/rpc.md)."""

    def __init__(self, url, timeout=30):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._id = 0

    def _open(self, req, timeout):
        try:
            with urllib.request.urlopen(req, timeout=timeout or self.timeout) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()
        except (urllib.error.URLError, ConnectionError, socket.timeout, OSError) as e:
            raise Unreachable("%s: %s" % (self.url, e))

    def post_raw(self, body, timeout=None, headers=None):
        """POSTs bytes to /; returns (http status, parsed JSON or raw bytes)."""
        h = {"Content-Type": "application/json"}
        h.update(headers or {})
        req = urllib.request.Request(self.url + "/", data=body, headers=h, method="POST")
        status, data = self._open(req, timeout)
        try:
            return status, json.loads(data.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return status, data

    def call(self, method, params=None, timeout=None):
        """Calls `method`; returns the result or raises RpcError."""
        self._id += 1
        req = {"jsonrpc": "2.0", "id": self._id, "method": method, "params": params or {}}
        status, resp = self.post_raw(json.dumps(req).encode(), timeout)
        if not isinstance(resp, dict):
            raise RpcError(None, "non-JSON reply (HTTP %d): %r" % (status, resp[:200]),
                           http_status=status)
        if "error" in resp and resp["error"] is not None:
            e = resp["error"]
            data = e.get("data") or {}
            raise RpcError(e.get("code"), e.get("message"),
                           data.get("code") if isinstance(data, dict) else None,
                           http_status=status, body=resp)
        check(resp.get("jsonrpc") == "2.0", "reply lacks jsonrpc 2.0: %r", resp)
        check(resp.get("id") == self._id, "reply id %r != %r", resp.get("id"), self._id)
        return resp.get("result")

    def get(self, method, timeout=None, **params):
        """GET /<method>?k=v; returns (http status, parsed JSON or raw bytes)."""
        q = urllib.parse.urlencode({k: str(v) for k, v in params.items()})
        url = self.url + "/" + method + ("?" + q if q else "")
        status, data = self._open(urllib.request.Request(url), timeout)
        try:
            return status, json.loads(data.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return status, data

    def get_ok(self, method, **params):
        """GET form that must succeed (HTTP 200); returns the result object."""
        status, body = self.get(method, **params)
        if status != 200:
            err = body.get("error", {}) if isinstance(body, dict) else {}
            data = err.get("data") or {}
            raise RpcError(err.get("code"), err.get("message", body), data.get("code"),
                           http_status=status, body=body)
        return body


# ---------------------------------------------------------------------------------------
# processes


class Node:
    """One `yuchaind` process and its home."""

    def __init__(self, t, name, home, base_port):
        self.t = t
        self.name = name
        self.home = home
        self.base_port = base_port
        self.rpc_url = "http://127.0.0.1:%d" % (base_port + 100)
        self.ops_url = "http://127.0.0.1:%d" % (base_port + 200)
        self.rpc = RpcClient(self.rpc_url)
        self.proc = None
        self.log_path = os.path.join(t.tmp, "%s.log" % name)
        self.starts = 0
        self.last_height = 0  # the highest height this client has seen (time-travel check)
        self.heights_done = []  # Checker.observe_height's record
        self.env = None       # environment of the process (None: the test's)

    @property
    def wallet_dir(self):
        return os.path.join(self.home, "wallet")

    @property
    def password_file(self):
        return os.path.join(self.wallet_dir, "PASSWORD")

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def start(self, *args, wait=True, command="dev"):
        """Starts `yuchaind COMMAND --home HOME --base-port P ARGS` (dev by default)."""
        check(self.proc is None or self.proc.poll() is not None, "%s already running", self.name)
        argv = [self.t.bin("yuchaind"), command, "--home", self.home]
        if command in ("dev", "testnet"):
            argv += ["--base-port", str(self.base_port)]
        argv += list(args)
        self.starts += 1
        logf = open(self.log_path, "ab")
        logf.write(("\n==== start #%d: %s\n" % (self.starts, " ".join(argv))).encode())
        logf.flush()
        log("%s: start: %s" % (self.name, " ".join(argv)))
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=logf,
                                     stderr=subprocess.STDOUT,
                                     env=self.env if self.env is not None else self.t.env,
                                     preexec_fn=_child_setup)
        logf.close()
        self.t._procs.append(self.proc)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=60):
        """Waits until GET /status answers with a height; fails if the process exits."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise TestFailure("%s exited with %d while starting\n%s"
                                  % (self.name, self.proc.returncode, self.log_tail()))
            try:
                st = self.rpc.get_ok("status")
                if isinstance(st, dict) and "height" in st:
                    log("%s: ready at height %s (pid %d)" % (self.name, st["height"],
                                                             self.proc.pid))
                    return st
            except (Unreachable, RpcError) as e:
                last = e
            time.sleep(0.1)
        raise TestFailure("%s not ready after %ds (last: %s)\n%s"
                          % (self.name, timeout, last, self.log_tail()))

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=30):
        """SIGTERM, wait for a clean exit; returns the exit code."""
        if not self.running():
            return self.proc.returncode if self.proc else None
        t0 = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill9()
            raise TestFailure("%s did not stop within %ds of SIGTERM\n%s"
                              % (self.name, timeout, self.log_tail()))
        log("%s: stopped (exit %d) in %.2fs" % (self.name, rc, time.monotonic() - t0))
        return rc

    def kill9(self):
        """SIGKILL the node's process group and reap it."""
        if self.running():
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
            log("%s: killed -9" % self.name)

    def signal(self, sig):
        os.kill(self.proc.pid, sig)

    def log_tail(self, n=60):
        try:
            with open(self.log_path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
        except OSError:
            return "(no log)"
        return "---- %s log (last %d lines) ----\n%s\n----" % (
            self.name, min(n, len(lines)), "\n".join(lines[-n:]))

    def status(self):
        """GET /status, with the height-never-goes-down check of this client's view."""
        asked = time.monotonic()
        st = self.rpc.get_ok("status")
        h = to_int(st["height"])
        self.t.checker.observe_height(self, h, asked)
        return st

    def height(self):
        return to_int(self.status()["height"])

    def wait_height(self, h, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.height() >= h:
                return
            time.sleep(0.05)
        raise TestFailure("%s did not reach height %d in %ds" % (self.name, h, timeout))

    def account(self, address):
        return self.rpc.call("account", {"address": address})

    def balance(self, address):
        return to_int(self.account(address)["balance"])

    def metrics(self):
        """Parses /metrics (Prometheus text) into {name{labels}: float}."""
        with urllib.request.urlopen(self.ops_url + "/metrics", timeout=10) as r:
            text = r.read().decode()
        out = {}
        for line in text.splitlines():
            if not line or line.startswith("#"):
                continue
            parts = line.rsplit(None, 1)
            if len(parts) == 2:
                try:
                    out[parts[0]] = float(parts[1])
                except ValueError:
                    pass
        return out


class CliResult:
    """Outcome of one CLI run: rc, stdout, stderr and stdout parsed as JSON (or None)."""

    def __init__(self, argv, rc, out, err, secs):
        self.argv = argv
        self.rc = rc
        self.out = out
        self.err = err
        self.secs = secs
        self.json = None
        s = out.strip()
        if s:
            try:
                self.json = json.loads(s)
            except ValueError:
                # Some commands may print several JSON lines; keep the last object.
                for line in reversed(s.splitlines()):
                    try:
                        self.json = json.loads(line)
                        break
                    except ValueError:
                        continue

    def __repr__(self):
        return "CliResult(rc=%d, argv=%s,\n  stdout=%r,\n  stderr=%r)" % (
            self.rc, " ".join(self.argv), self.out[-2000:], self.err[-2000:])


class Wallet:
    """`yuchain-wallet` with a wallet directory, a passphrase file and a node URL."""

    def __init__(self, t, wallet_dir, password_file, node_url):
        self.t = t
        self.wallet_dir = wallet_dir
        self.password_file = password_file
        self.node_url = node_url
        self._addr = {}

    def run(self, *args, frm=None, json_out=True, password_file=None, node_url=None,
            stdin=None, expect=None, timeout=120, extra_global=()):
        """Runs the wallet; `expect` (an int or tuple) checks the exit code."""
        argv = [self.t.bin("yuchain-wallet"), "--wallet-dir", self.wallet_dir,
                "--node", node_url or self.node_url]
        pf = self.password_file if password_file is None else password_file
        if pf:
            argv += ["--password-file", pf]
        if frm:
            argv += ["--from", frm]
        if json_out:
            argv.append("--json")
        argv += list(extra_global)
        argv += [str(a) for a in args]
        return self.t.run_cli(argv, stdin=stdin, expect=expect, timeout=timeout)

    def new(self, name, kdf="interactive"):
        """Creates key NAME (the cheaper argon2id level by default: tests make many)."""
        r = self.run("new", name, *(["--kdf", kdf] if kdf else []), expect=0)
        addr = find_address(r.json if r.json is not None else r.out)
        check(addr, "`new %s` printed no address: %r", name, r)
        self._addr[name] = addr
        return addr

    def address(self, name):
        if name not in self._addr:
            r = self.run("address", name, expect=0)
            addr = find_address(r.json if r.json is not None else r.out)
            check(addr, "`address %s` printed no address: %r", name, r)
            self._addr[name] = addr
        return self._addr[name]

    def balance(self, name=None, address=None):
        args = ["balance"] + ([address] if address else [])
        r = self.run(*args, frm=name, expect=0)
        j = r.json
        if isinstance(j, dict):
            for k in ("balance", "amount"):
                if k in j:
                    return to_int(j[k])
        if isinstance(j, (int, str)):
            return to_int(j)
        raise TestFailure("`balance` --json has no balance: %r" % r)

    def send(self, *args, frm, expect_status=None, expect_code=None, op=None):
        """Runs a command that sends a transaction; records it in the checker's history.

        Returns the parsed --json object {"id", "status", "height", "code", "message"}.
        """
        hist = self.t.checker.invoke(op or " ".join(str(a) for a in args[:2]), via=frm)
        r = self.run(*args, frm=frm)
        j = r.json
        if r.rc in (EX_OK, EX_FAILED) and isinstance(j, dict) and "status" in j:
            check_tx_json(j, r)
            if j["status"] == "committed":
                self.t.checker.ok(hist, j["id"], to_int(j["height"]))
            elif j["status"] == "failed":
                self.t.checker.failed(hist, j.get("id"), j.get("code"), to_int(j["height"]))
            elif j["status"] in ("refused", "expired"):
                self.t.checker.refused(hist, j.get("id"), j.get("code"))
            else:
                self.t.checker.unknown(hist, j.get("id"))
        else:
            self.t.checker.unknown(hist, None)
        if expect_status is not None:
            # "rejected": did not commit — refused at admission or failed in its block
            want = ("refused", "failed") if expect_status == "rejected" else (expect_status,)
            check(isinstance(j, dict) and j.get("status") in want,
                  "expected status %s: %r", expect_status, r)
        if expect_code is not None:
            check(isinstance(j, dict) and j.get("code") == expect_code,
                  "expected code %s: %r", expect_code, r)
        if expect_status == "committed":
            check_eq(r.rc, EX_OK, "exit code of a committed tx")
        if expect_status == "rejected":
            check_eq(r.rc, EX_FAILED, "exit code of a rejected tx")
        return j


def check_tx_json(j, r=None):
    """The --json object of a command that sends a transaction (DESIGN §10)."""
    for k in ("id", "status", "height", "code", "message"):
        check(k in j, "tx --json lacks %r: %r", k, r or j)
    check(j["status"] in ("committed", "failed", "refused", "expired", "pending"),
          "bad status %r", j)
    if j["status"] == "committed":
        check_eq(j["code"], "ok", "code of a committed tx")
    else:
        check(j["code"] != "ok", "code ok with status %r", j)
    if j["status"] in ("committed", "failed"):
        check(j["height"] is not None, "no height for an ended tx: %r", j)
    if j["id"] is not None:
        check(re.fullmatch(r"[0-9a-f]{64}", j["id"]), "tx id not 64 lowercase hex: %r", j)


# ---------------------------------------------------------------------------------------
# the checker of TESTING.md


class Op:
    __slots__ = ("n", "kind", "via", "t_invoke", "t_done", "outcome", "txid", "height", "code")

    def __init__(self, n, kind, via):
        self.n = n
        self.kind = kind
        self.via = via
        self.t_invoke = time.monotonic()
        self.t_done = None
        self.outcome = None  # "ok" | "failed" (in a block) | "refused" | "unknown"
        self.txid = None
        self.height = None
        self.code = None


class Checker:
    """Client history and the end-of-test chain checks (TESTING.md, "The checker").

    History: invoke → ok (committed; acknowledged) / failed (recorded as failed at a
    height) / refused (refused at admission, or expired) / unknown (timeout, crash,
    pending), with monotonic times. At the end, every given node's
    chain is read and checked for divergence, lost or doubled writes, rejected
    transactions present, time travel (a committed tx later reported otherwise; a
    node's height going down) and equivocation (one validator signing two digests
    for one height, view and phase, as seen in the stored certificates).
    """

    def __init__(self, t):
        self.t = t
        self.ops = []
        self.faults = []        # (monotonic time, description)
        self.tx_seen = {}       # (node name, txid) -> "committed" once seen committed
        self.violations = []    # time travel seen during the run
        self.lock = threading.Lock()  # observations come from several threads
        self.result = None

    # history
    def invoke(self, kind, via=None):
        op = Op(len(self.ops), kind, via)
        self.ops.append(op)
        return op

    def _done(self, op, outcome, txid, height=None, code=None):
        op.t_done = time.monotonic()
        op.outcome = outcome
        op.txid = txid
        op.height = height
        op.code = code

    def ok(self, op, txid, height=None):
        self._done(op, "ok", txid, height, "ok")

    def failed(self, op, txid, code, height=None):
        """Did not commit: with a height, ended in that block as failed (its outcome
        recorded there); without, refused (never in a block)."""
        if height is None:
            self.refused(op, txid, code)
        else:
            self._done(op, "failed", txid, height, code)

    def refused(self, op, txid, code):
        """Never in a block: refused at admission, or expired."""
        self._done(op, "refused", txid, None, code)

    def unknown(self, op, txid):
        self._done(op, "unknown", txid)

    def fault(self, desc):
        self.faults.append((time.monotonic(), desc))
        log("fault: %s" % desc)

    # observations during the run
    def observe_height(self, node, h, asked):
        """Node `node` answered height `h` to a request sent at monotonic time `asked`.
        Time travel is a lower height than one an answer had shown before this request
        was sent; requests in flight together (several threads poll one node) may come
        back in either order."""
        with self.lock:
            done = node.heights_done  # (monotonic time recorded, highest height so far)
            i = bisect.bisect_left(done, (asked,)) - 1
            if i >= 0 and h < done[i][1]:
                self.violations.append("time travel: %s height %d after %d"
                                       % (node.name, h, done[i][1]))
            node.last_height = max(node.last_height, h)
            done.append((time.monotonic(), node.last_height))

    def observe_tx(self, node, txid, status):
        key = (node.name, txid)
        if self.tx_seen.get(key) == "committed" and status != "committed":
            self.violations.append("time travel: %s reported tx %s committed, then %s"
                                   % (node.name, txid, status))
        if status == "committed":
            self.tx_seen[key] = "committed"

    # the chain
    @staticmethod
    def read_chain(node):
        """{height: block json} for heights 1..tip of a running node."""
        asked = time.monotonic()
        tip = to_int(node.rpc.get_ok("status")["height"])
        node.t.checker.observe_height(node, tip, asked)
        chain = {}
        for h in range(1, tip + 1):
            chain[h] = node.rpc.call("block", {"height": str(h)})
        return chain

    def check_chains(self, nodes, validators=None, evidence=(), view_changes=None):
        """Reads every node's chain and checks it; prints the numbers; fails on any.

        `evidence`: equivocations found outside the stored certificates (e.g. the
        conflicting votes a node logged as evidence), one description each; they count
        as equivocations. `view_changes`: the number to report when the caller counted
        them itself (node metrics restart at zero when a node restarts).
        """
        chains = {n.name: self.read_chain(n) for n in nodes}
        problems = list(self.violations)

        # divergence: same height, different hash or state root
        divergent = set()
        heights = sorted({h for c in chains.values() for h in c})
        for h in heights:
            seen = {}
            for name, c in chains.items():
                if h in c:
                    b = c[h]
                    seen[name] = (b["hash"], b["header"]["state_root"])
            if len(set(seen.values())) > 1:
                divergent.add(h)
                problems.append("divergence at height %d: %r" % (h, seen))

        # block integrity within each chain: heights, links
        for name, c in chains.items():
            for h, b in c.items():
                if to_int(b["height"]) != h or to_int(b["header"]["height"]) != h:
                    problems.append("%s: block %d reports height %s" % (name, h, b["height"]))
                if h > 1 and h - 1 in c and b["header"]["prev_hash"] != c[h - 1]["hash"]:
                    problems.append("%s: block %d prev_hash does not link" % (name, h))

        # lost / doubled / rejected-present writes, per node
        lost, doubled, rejected_present = set(), set(), set()
        for name, c in chains.items():
            where, outcome_at = {}, {}
            for h, b in c.items():
                results = b.get("results") or []
                for i, txid in enumerate(b.get("txs", [])):
                    where.setdefault(txid, []).append((h, i))
                    outcome_at[(h, i)] = results[i] if i < len(results) else None
            for txid, locs in where.items():
                if len(locs) > 1:
                    doubled.add(txid)
                    problems.append("%s: tx %s applied twice at %r" % (name, txid, locs))
            for op in self.ops:
                if op.outcome == "ok" and op.txid:
                    if op.txid not in where:
                        lost.add(op.txid)
                        problems.append("%s: acknowledged tx %s (%s) missing"
                                        % (name, op.txid, op.kind))
                    elif op.height is not None and where[op.txid][0][0] != op.height:
                        problems.append("%s: tx %s committed at %d, acknowledged at %d"
                                        % (name, op.txid, where[op.txid][0][0], op.height))
                if op.outcome == "ok" and op.txid in where and \
                        outcome_at.get(where[op.txid][0]) not in (None, "ok"):
                    problems.append("%s: acknowledged tx %s is recorded as failed (%s)"
                                    % (name, op.txid, outcome_at.get(where[op.txid][0])))
                if op.outcome == "refused" and op.txid and op.txid in where:
                    rejected_present.add(op.txid)
                    problems.append("%s: refused tx %s (%s) is in block %r"
                                    % (name, op.txid, op.code, where[op.txid]))
                if op.outcome == "failed" and op.txid:
                    if op.txid not in where:
                        lost.add(op.txid)
                        problems.append("%s: failed tx %s (%s) missing from the chain"
                                        % (name, op.txid, op.code))
                    elif outcome_at.get(where[op.txid][0]) not in (None, op.code):
                        problems.append("%s: failed tx %s recorded as %s, reported %s"
                                        % (name, op.txid, outcome_at.get(where[op.txid][0]),
                                           op.code))

        # equivocation: one validator, two digests, same (height, view, phase=commit)
        votes = {}
        equivocations = set()
        for name, c in chains.items():
            for h, b in c.items():
                cert = b.get("certificate") or {}
                v = str(cert.get("view", b["header"].get("view")))
                for s in cert.get("signatures", []):
                    key = (h, v, "commit", str(s.get("validator")))
                    prev = votes.setdefault(key, b["hash"])
                    if prev != b["hash"]:
                        equivocations.add(key)
                        problems.append("equivocation: validator %s signed %s and %s at %r"
                                        % (key[3], prev, b["hash"], key[:3]))

        for e in evidence:
            equivocations.add(e)
            problems.append("equivocation: %s" % e)

        # numbers
        ok = [o for o in self.ops if o.outcome == "ok"]
        failed = [o for o in self.ops if o.outcome in ("failed", "refused")]
        unknown = [o for o in self.ops if o.outcome not in ("ok", "failed", "refused")]
        lat = [o.t_done - o.t_invoke for o in ok]
        span = (max(o.t_done for o in ok) - min(o.t_invoke for o in ok)) if ok else 0
        views, metric_vc = [], 0
        for n in nodes:
            try:
                views.append(to_int(n.rpc.get_ok("status")["view"]))
                m = n.metrics()
                metric_vc = max(metric_vc, int(m.get("yuchain_view_changes_total", 0)))
            except Exception:  # numbers only; never a reason to fail
                pass
        # a block certified in a view above 0 was decided after a view change
        for c in chains.values():
            for b in c.values():
                try:
                    views.append(to_int((b.get("certificate") or {}).get("view", 0)))
                except TestFailure:
                    pass
        view_changes = metric_vc if view_changes is None else view_changes
        self.result = {
            "seed": self.t.seed,
            "faults": [d for _, d in self.faults],
            "ops_ok": len(ok), "ops_failed": len(failed), "ops_unknown": len(unknown),
            "divergent_heights": len(divergent), "lost": len(lost), "doubled": len(doubled),
            "rejected_present": len(rejected_present), "equivocations": len(equivocations),
            "time_travel": len(self.violations),
            "commits_per_s": (len(ok) / span) if span > 0 else 0.0,
            "p50_commit_ms": (percentile(lat, 50) or 0) * 1000,
            "p99_commit_ms": (percentile(lat, 99) or 0) * 1000,
            "view_changes": view_changes, "highest_view": max(views) if views else 0,
            "heights": {n: len(c) for n, c in chains.items()},
        }
        r = self.result
        print("checker: seed=%s faults=%s" % (r["seed"], r["faults"] or "none"))
        print("checker: ops ok=%d failed=%d unknown=%d" % (r["ops_ok"], r["ops_failed"],
                                                         r["ops_unknown"]))
        print("checker: divergent_heights=%d lost=%d doubled=%d rejected_present=%d "
              "equivocations=%d time_travel=%d"
              % (r["divergent_heights"], r["lost"], r["doubled"], r["rejected_present"],
                 r["equivocations"], r["time_travel"]))
        print("checker: commits/s=%.1f p50=%.1fms p99=%.1fms view_changes=%d highest_view=%d "
              "heights=%s" % (r["commits_per_s"], r["p50_commit_ms"], r["p99_commit_ms"],
                              r["view_changes"], r["highest_view"], r["heights"]))
        sys.stdout.flush()
        if problems:
            raise TestFailure("checker found %d problem(s) (seed %s):\n  %s"
                              % (len(problems), self.t.seed, "\n  ".join(problems[:30])))
        return chains


# ---------------------------------------------------------------------------------------
# the test context


class TestContext:
    """What a test function gets: binaries, temp dir, ports, nodes, wallets, checker."""

    def __init__(self, name):
        self.name = name
        self.build_dir = _find_build_dir()
        seed = os.environ.get("YC_TEST_SEED")
        self.seed = int(seed) if seed else int(time.time() * 1000) % 1000000007
        self.rng = random.Random(self.seed)
        self.tmp = tempfile.mkdtemp(prefix="yctest-%s-" % name)
        self.nodes = []
        self._procs = []
        self.numbers = {}
        self.checker = Checker(self)
        env = dict(os.environ)
        for k in list(env):
            if k.startswith("YUCHAIN_"):
                del env[k]  # never let the caller's node, home or wallet leak in
        env["HOME"] = os.path.join(self.tmp, "userhome")
        os.makedirs(env["HOME"], exist_ok=True)
        self.env = env

    def bin(self, name):
        sub = {"yuchaind": "node", "yuchain-wallet": "wallet", "yuchain-audit": "audit",
               "ycbench": os.path.join("tests", "bench")}[name]
        return os.path.join(self.build_dir, sub, name)

    def require(self, *names):
        """Skips (77) unless the named binaries exist."""
        if not self.build_dir:
            raise Skip("no build directory (set YC_BUILD_DIR)")
        for n in names:
            if not os.access(self.bin(n), os.X_OK):
                raise Skip("%s not built in %s" % (n, self.build_dir))

    def free_base_port(self):
        return _free_port_block(self.rng)

    def start_dev_node(self, name="dev", *args, wait=True):
        """A one-validator `yuchaind dev` node in a fresh home under the temp dir."""
        self.require("yuchaind")
        home = os.path.join(self.tmp, name)
        node = Node(self, name, home, self.free_base_port())
        self.nodes.append(node)
        node.start(*args, wait=wait)
        return node

    def wallet(self, node, wallet_dir=None, password_file=None):
        """A wallet on node's demo wallet dir (or another dir) with its PASSWORD file."""
        self.require("yuchain-wallet")
        return Wallet(self, wallet_dir or node.wallet_dir,
                      node.password_file if password_file is None else password_file,
                      node.rpc_url)

    def run_cli(self, argv, stdin=None, expect=None, timeout=120, env=None):
        """Runs a CLI to completion; checks the exit code against `expect`."""
        t0 = time.monotonic()
        try:
            kw = {"input": stdin} if stdin is not None else {"stdin": subprocess.DEVNULL}
            p = subprocess.run(argv, capture_output=True, timeout=timeout, env=env or self.env,
                               preexec_fn=_child_setup, **kw)
        except subprocess.TimeoutExpired:
            raise TestFailure("timed out after %ds: %s" % (timeout, " ".join(argv)))
        r = CliResult(argv, p.returncode, p.stdout.decode("utf-8", "replace"),
                      p.stderr.decode("utf-8", "replace"), time.monotonic() - t0)
        shown = [os.path.basename(argv[0])] + [a for a in argv[1:] if not a.startswith("/")]
        log("cli: %s -> %d (%.2fs)" % (" ".join(shown)[:160], r.rc, r.secs))
        if expect is not None:
            want = expect if isinstance(expect, tuple) else (expect,)
            check(r.rc in want, "exit code %d, expected %s: %r", r.rc, want, r)
        return r

    def audit(self, *args, expect=None, timeout=300):
        self.require("yuchain-audit")
        return self.run_cli([self.bin("yuchain-audit")] + [str(a) for a in args],
                            expect=expect, timeout=timeout)

    def emit_txs(self, node, accounts=4, rounds=1, processors=1, seed=None, chain_id=None,
                 timeout=300):
        """Fresh signed transactions from `ycbench --emit` (tests/bench/ycbench.c).

        ycbench registers `accounts` accounts derived from `seed` and funds them through
        the node (committed), then returns, without sending them, `rounds` signed
        transactions per account: token transfers and consent grants, account i's at
        nonces 1..rounds. Each is a dict {id, type, acct, nonce, hex}.
        """
        self.require("ycbench")
        seed = self.rng.randrange(1, 1 << 31) if seed is None else seed
        path = os.path.join(self.tmp, "emit-%d.txt" % seed)
        argv = [self.bin("ycbench"), "--node", node.rpc_url, "--wallet-dir", node.wallet_dir,
                "--password-file", node.password_file, "--accounts", str(accounts),
                "--processors", str(processors), "--rounds", str(rounds), "--seed", str(seed),
                "--emit", path, "--quiet"]
        if chain_id:
            argv += ["--chain-id", chain_id]
        self.run_cli(argv, expect=0, timeout=timeout)
        out = []
        with open(path) as f:
            for line in f:
                txid, typ, acct, nonce, hexs = line.split()
                out.append({"id": txid, "type": typ, "acct": int(acct), "nonce": int(nonce),
                            "hex": hexs})
        return out

    def number(self, key, value):
        """Records a number the test reports (printed at the end, never a threshold)."""
        self.numbers[key] = value
        log("number: %s = %s" % (key, value))

    def cleanup(self, keep):
        for p in self._procs:
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    pass
        self._procs = []
        if keep:
            print("kept temporary directory: %s" % self.tmp)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


_ctx = None


def _on_signal(signum, frame):
    raise SystemExit(128 + signum)


def _on_alarm(signum, frame):
    raise TestFailure("test deadline (YC_TEST_TIMEOUT) passed")


def main(fn, name=None):
    """Runs fn(t) with a fresh TestContext; exits 0 / 1 / 77."""
    global _ctx
    name = name or os.path.splitext(os.path.basename(sys.argv[0]))[0]
    t = TestContext(name)
    _ctx = t
    keep = os.environ.get("YC_KEEP_TMP") == "1"
    state = {"failed": True}
    atexit.register(lambda: t.cleanup(keep or state["failed"]))
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(int(os.environ.get("YC_TEST_TIMEOUT", "840")))
    print("%s: seed=%d build=%s tmp=%s" % (name, t.seed, t.build_dir, t.tmp))
    sys.stdout.flush()
    rc = 1
    try:
        t.require("yuchaind")
        fn(t)
        state["failed"] = False
        rc = 0
    except Skip as e:
        print("SKIPPED: %s" % e)
        state["failed"] = False
        rc = SKIP
    except Exception:
        traceback.print_exc(file=sys.stdout)
        for n in t.nodes:
            print(n.log_tail())
        print("FAILED (seed %d; replay with YC_TEST_SEED=%d)" % (t.seed, t.seed))
    finally:
        signal.alarm(0)
        if t.numbers:
            print("numbers: " + json.dumps(t.numbers, sort_keys=True))
        if rc == 0:
            print("PASSED")
        sys.stdout.flush()
    sys.exit(rc)
