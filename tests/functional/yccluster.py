"""yccluster — a local consortium of real `yuchaind` processes for the cluster tests.

Builds on yctest (its TestContext, Node, RpcClient and the shared checker of
TESTING.md). A `Cluster` runs `yuchaind testnet --validators N [--observers M] --out
DIR --base-port P --json`, starts every node with `yuchaind start --home DIR/nodeI`, and
lets a test stop (SIGTERM), kill -9, SIGSTOP and SIGCONT individual nodes, partition
them through the transport's test-only fault hook (builds with -DYC_TEST_HOOKS=ON),
follow every node's chain while it runs, and at the end check all of them with the
shared checker and replay each node's data with `yuchain-audit replay` (F1).

A `Load` submits pre-signed transactions (from `ycbench --emit`) at a steady rate to the
live validators and resubmits what has not committed (after a crash the transactions
held only by the dead node are gone, and later nonces of the same senders wait for
them). A transaction counts as acknowledged (ok) the first time the watcher sees it in
a committed block on any node; every node's blocks are compared with what was seen
before, on every node, as they appear (divergence, a block changing under a node, a
height going down, a committed transaction later reported otherwise).

Ports: node i uses P+i (p2p), P+100+i (RPC), P+200+i (operations). Each test passes its
own preferred P below 32768 (out of Linux's ephemeral range, so outgoing connections
never take them); if that block is busy the next free block of the same kind is used.
"""

import datetime
import json
import os
import random
import signal
import socket
import subprocess
import threading
import time
import traceback

import yctest
from yctest import RpcClient, RpcError, Skip, TestFailure, Unreachable, check, log, to_int

FAULT_MARKER = b"TEST FAULT from"
EVIDENCE_MARKER = "evidence: validator"


def _ports_free(base, count):
    socks = []
    try:
        for off in (0, 100, 200):
            for i in range(count):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                socks.append(s)
                # as libuv's listeners do: a port in TIME_WAIT is free to listen on
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("127.0.0.1", base + off + i))
        return True
    except OSError:
        return False
    finally:
        for s in socks:
            s.close()


def pick_base_port(preferred, count):
    """`preferred` if its three port blocks are free, else the next free one below 32768."""
    cands = [preferred] + [p for p in range(20000, 32400, 400) if p != preferred]
    for p in cands:
        if p + 200 + count < 32768 and _ports_free(p, count):
            if p != preferred:
                log("base port %d busy; using %d" % (preferred, p))
            return p
    raise TestFailure("no free port block below 32768")


def has_fault_hook(t):
    """Whether the yuchaind under test was built with the transport fault hook."""
    try:
        with open(t.bin("yuchaind"), "rb") as f:
            return FAULT_MARKER in f.read()
    except OSError:
        return False


def require_fault_hook(t):
    """Skips (77) unless yuchaind has the fault hook (a -DYC_TEST_HOOKS=ON build)."""
    if not has_fault_hook(t):
        raise Skip("%s has no transport fault hook: configure a build with "
                   "-DYC_TEST_HOOKS=ON and run this test with YC_BUILD_DIR set to it"
                   % t.bin("yuchaind"))


class ClusterNode(yctest.Node):
    """One node of a cluster: `yuchaind start --home DIR/nodeI`."""

    def __init__(self, cluster, index, role, home, base):
        super().__init__(cluster.t, "node%d" % index, home, base)
        self.cluster = cluster
        self.index = index
        self.role = role
        self.paused = False
        self.seen = {}      # height -> (hash, state_root, tuple(txids), cert view, proposer)
        self._tl = threading.local()
        self.vc_before = 0  # view changes counted by earlier runs of this node
        self.vc_last = 0
        self.meant_down = True  # stopped or killed by the test (not crashed)

    @property
    def wallet_dir(self):
        return self.cluster.wallet_dir

    @property
    def password_file(self):
        return self.cluster.password_file

    @property
    def fast(self):
        """An RPC client with a short timeout, one per thread (RpcClient is not thread-safe)."""
        c = getattr(self._tl, "client", None)
        if c is None:
            c = self._tl.client = RpcClient(self.rpc_url, timeout=2)
        return c

    @property
    def up(self):
        return self.running() and not self.paused

    def start(self, wait=True, env=None):
        """Starts the node (its home exists); `env` adds variables (e.g. a test fault)."""
        self.vc_before += self.vc_last
        self.vc_last = 0
        e = dict(self.t.env)
        e.update(self.cluster.env)
        e.update(env or {})
        self.env = e
        self.paused = False
        self.meant_down = False
        return yctest.Node.start(self, wait=wait, command="start")

    def crashed(self):
        """The exit code if the process ended without the test stopping it, else None."""
        if self.proc is None or self.meant_down:
            return None
        return self.proc.poll()

    def sample_view_changes(self):
        try:
            m = self.metrics()
            self.vc_last = int(m.get("yuchain_view_changes_total", 0))
        except Exception:  # a number only
            pass

    def view_changes(self):
        return self.vc_before + self.vc_last

    def pause(self):
        """SIGSTOP: the process freezes with its sockets open."""
        os.kill(self.proc.pid, signal.SIGSTOP)
        self.paused = True
        log("%s: SIGSTOP" % self.name)

    def resume(self):
        os.kill(self.proc.pid, signal.SIGCONT)
        self.paused = False
        log("%s: SIGCONT" % self.name)

    def stop(self, timeout=30):
        if self.paused:
            self.resume()
        if self.running():
            self.sample_view_changes()
        self.meant_down = True
        return yctest.Node.stop(self, timeout)

    def kill9(self):
        if self.up:
            self.sample_view_changes()
        self.meant_down = True
        yctest.Node.kill9(self)
        self.paused = False

    def try_status(self):
        """status, or None if the node does not answer quickly (checks heights)."""
        asked = time.monotonic()
        try:
            st = self.fast.get_ok("status")
        except (Unreachable, RpcError, ValueError, TypeError):
            return None
        self.t.checker.observe_height(self, to_int(st["height"]), asked)
        return st

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def log_count(self, needle):
        return self.log_text().count(needle)

    def log_lines_since(self, wall_time):
        """Log lines stamped at or after `wall_time` (time.time()); stamps are UTC RFC 3339."""
        out = []
        for ln in self.log_text().splitlines():
            try:
                ts = datetime.datetime.strptime(ln[:23], "%Y-%m-%dT%H:%M:%S.%f").replace(
                    tzinfo=datetime.timezone.utc).timestamp()
            except ValueError:
                continue
            if ts >= wall_time:
                out.append(ln)
        return out


class Cluster:
    """A local consortium made by `yuchaind testnet`, run as separate processes."""

    def __init__(self, t, validators, observers=0, base_port=25000, options=None,
                 chain_id=None, env=None):
        t.require("yuchaind", "yuchain-audit")
        self.t = t
        self.env = dict(env or {})
        self.out = os.path.join(t.tmp, "net")
        self.base = pick_base_port(base_port, validators + observers)
        argv = [t.bin("yuchaind"), "testnet", "--validators", str(validators),
                "--out", self.out, "--base-port", str(self.base), "--json"]
        if observers:
            argv += ["--observers", str(observers)]
        if chain_id:
            argv += ["--chain-id", chain_id]
        for k, v in (options or {}).items():
            argv += ["--" + k, str(v)]
        r = t.run_cli(argv, expect=0)
        info = r.json
        check(isinstance(info, dict) and len(info.get("nodes", [])) == validators + observers,
              "testnet --json: %r", r)
        self.wallet_dir = info["wallet"]
        self.password_file = os.path.join(self.wallet_dir, "PASSWORD")
        self.chain_id = info["chain_id"]
        self.nodes = []
        for i, nd in enumerate(info["nodes"]):
            check(nd["name"] == "node%d" % i and nd["rpc_port"] == nd["p2p_port"] + 100
                  and nd["ops_port"] == nd["p2p_port"] + 200 and nd["p2p_port"] == self.base + i,
                  "testnet node %d: %r", i, nd)
            self.nodes.append(ClusterNode(self, i, nd["role"], nd["home"], nd["p2p_port"]))
        t.nodes.extend(self.nodes)
        with open(os.path.join(self.nodes[0].home, "config", "genesis.json")) as f:
            self.genesis = json.load(f)
        self.n = validators
        self.f = (validators - 1) // 3
        self.q = -(-(validators + self.f + 1) // 2)
        self.lock = threading.Lock()
        self.canon = {}   # height -> block hash first seen on any node
        log("cluster: %d validators (f=%d, quorum %d), %d observers, base port %d, chain %s"
            % (self.n, self.f, self.q, observers, self.base, self.chain_id))

    # ---- membership ----
    @property
    def validators(self):
        return [x for x in self.nodes if x.role == "validator"]

    @property
    def observers(self):
        return [x for x in self.nodes if x.role != "validator"]

    def live(self, validators_only=False):
        return [x for x in (self.validators if validators_only else self.nodes) if x.up]

    # ---- processes ----
    def start(self, nodes=None, env=None, wait=True):
        nodes = self.nodes if nodes is None else nodes
        for x in nodes:
            x.start(wait=False, env=env)
        if wait:
            for x in nodes:
                x.wait_ready()

    def stop(self, nodes=None):
        """SIGTERM to every given node at once, then each must exit 0."""
        nodes = [x for x in (self.nodes if nodes is None else nodes) if x.running()]
        self.check_alive()
        for x in nodes:
            if x.paused:
                x.resume()
            x.sample_view_changes()
            x.meant_down = True
        t0 = time.monotonic()
        for x in nodes:
            x.proc.send_signal(signal.SIGTERM)
        for x in nodes:
            try:
                rc = x.proc.wait(max(1, 30 - (time.monotonic() - t0)))
            except subprocess.TimeoutExpired:
                x.kill9()
                raise TestFailure("%s did not stop within 30 s of SIGTERM\n%s"
                                  % (x.name, x.log_tail()))
            check(rc == 0, "%s exited with %d on SIGTERM\n%s", x.name, rc, x.log_tail())
        log("stopped %s in %.2fs" % (",".join(x.name for x in nodes), time.monotonic() - t0))

    def kill9(self, nodes):
        """SIGKILL to every given node at once (each its own process group), then reap."""
        nodes = [x for x in nodes if x.running()]
        for x in nodes:
            if x.up:
                x.sample_view_changes()
        self.check_alive()
        for x in nodes:
            x.meant_down = True
            try:
                os.killpg(x.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for x in nodes:
            x.proc.wait()
            x.paused = False
        log("killed -9 %s" % ",".join(x.name for x in nodes))

    def check_alive(self):
        """Fails if a node exited that the test did not stop or kill (a crash, an abort)."""
        for x in self.nodes:
            rc = x.crashed()
            if rc is not None:
                x.meant_down = True
                raise TestFailure("%s exited on its own with %d\n%s" % (x.name, rc,
                                                                     x.log_tail(40)))

    # ---- observation ----
    def primary(self):
        """(next height, its primary's index, view) as a live validator reports them."""
        for x in self.live(validators_only=True):
            st = x.try_status()
            if st is not None:
                return to_int(st["height"]) + 1, int(st["primary"]), to_int(st["view"])
        raise TestFailure("no live validator answers status")

    def heights(self, nodes=None):
        out = {}
        for x in (self.live() if nodes is None else nodes):
            st = x.try_status()
            out[x.name] = to_int(st["height"]) if st else None
        return out

    def max_height(self, nodes=None):
        hs = [h for h in self.heights(nodes).values() if h is not None]
        return max(hs) if hs else 0

    def wait_height(self, h, nodes=None, timeout=30, what=None):
        """Every given (default: live) node reaches height h; returns the seconds taken."""
        t0 = time.monotonic()
        nodes = self.live() if nodes is None else nodes
        while True:
            hs = self.heights(nodes)
            if all(v is not None and v >= h for v in hs.values()):
                return time.monotonic() - t0
            if time.monotonic() - t0 > timeout:
                self.check_alive()
                raise TestFailure("%s: not all at height %d within %ds: %r"
                                  % (what or "wait_height", h, timeout, hs))
            time.sleep(0.1)

    def wait_converged(self, nodes=None, timeout=30):
        """All given nodes report the same height and tip hash (no view of progress)."""
        nodes = self.live() if nodes is None else nodes
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            sts = [x.try_status() for x in nodes]
            if all(sts):
                tips = {(st["height"], st["last_block_hash"]) for st in sts}
                if len(tips) == 1:
                    return to_int(sts[0]["height"])
                last = tips
            time.sleep(0.1)
        self.check_alive()
        raise TestFailure("nodes did not converge within %ds: %r" % (timeout, last))

    def view_changes(self):
        for x in self.nodes:
            if x.up:
                x.sample_view_changes()
        return max(x.view_changes() for x in self.nodes)

    def evidence(self):
        """Conflicting signed votes any node logged as evidence (equivocations)."""
        out = []
        for x in self.nodes:
            for line in x.log_text().splitlines():
                if EVIDENCE_MARKER in line:
                    out.append("%s logged: %s" % (x.name, line.strip()))
        return out

    def record_block(self, node, h, b):
        """Remembers block h of `node`; a changed block or a divergence is a violation."""
        cert = b.get("certificate") or {}
        summ = (b["hash"], b["header"]["state_root"], tuple(b.get("txs", [])),
                to_int(cert.get("view", 0)), int(b["header"].get("proposer", -1)))
        with self.lock:
            prev = node.seen.get(h)
            if prev is not None and prev[:3] != summ[:3]:
                self.t.checker.violations.append(
                    "%s: block %d changed from %s to %s" % (node.name, h, prev[0], summ[0]))
            node.seen[h] = summ
            c = self.canon.setdefault(h, summ[0])
            if c != summ[0]:
                self.t.checker.violations.append(
                    "divergence seen during the run at height %d: %s has %s, another node %s"
                    % (h, node.name, summ[0], c))
        return summ

    def verify_seen(self, node):
        """After a restart: every block seen on `node` before is still there, unchanged."""
        with self.lock:
            seen = dict(node.seen)
        for h in sorted(seen):
            b = node.rpc.call("block", {"height": str(h)})
            self.record_block(node, h, b)
        return len(seen)

    def block(self, h, nodes=None):
        for x in (self.live() if nodes is None else nodes):
            try:
                return x.fast.call("block", {"height": str(h)})
            except (Unreachable, RpcError):
                continue
        raise TestFailure("no live node serves block %d" % h)

    # ---- the transport fault hook (test builds) ----
    def set_fault(self, node, text, timeout=5):
        """Writes HOME/test_fault and sends SIGUSR2; waits until the node logs the change."""
        before = node.log_count(FAULT_MARKER.decode())
        path = os.path.join(node.home, "test_fault")
        with open(path + ".tmp", "w") as f:
            f.write(text + "\n")
        os.replace(path + ".tmp", path)
        os.kill(node.proc.pid, signal.SIGUSR2)
        deadline = time.monotonic() + timeout
        while node.log_count(FAULT_MARKER.decode()) <= before:
            if time.monotonic() > deadline:
                raise TestFailure("%s did not apply test fault %r\n%s"
                                  % (node.name, text, node.log_tail(20)))
            time.sleep(0.02)

    def partition(self, groups):
        """Cuts every link between validators of different groups (lists of indices)."""
        where = {}
        for g, members in enumerate(groups):
            for i in members:
                where[i] = g
        for x in self.validators:
            if not x.up:
                continue
            others = [str(i) for i in range(self.n) if where.get(i) != where.get(x.index)]
            self.set_fault(x, "block=" + ",".join(others) if others else "")
        self.t.checker.fault("partition %s" % " | ".join(
            ",".join("node%d" % i for i in g) for g in groups))

    def heal(self):
        for x in self.validators:
            if x.up:
                self.set_fault(x, "")
        self.t.checker.fault("heal")

    # ---- the end of a run ----
    def check(self, nodes=None):
        """The shared checker over every given (default: running) node's chain."""
        self.check_alive()
        nodes = self.live() if nodes is None else nodes
        return self.t.checker.check_chains(nodes, evidence=self.evidence(),
                                           view_changes=self.view_changes())

    def audit_all(self, chains=None, nodes=None):
        """F1: stops the nodes, then `yuchain-audit replay --home` over each node's data.

        Every block, signature, certificate (against the genesis validators) and state
        root is re-verified; each replay must reach the node's tip. `nodes`: those that
        ran (default: all).
        """
        nodes = self.nodes if nodes is None else nodes
        self.stop()
        secs = []
        for x in nodes:
            t0 = time.monotonic()
            r = self.t.audit("replay", "--home", x.home, "--json", expect=0)
            secs.append(round(time.monotonic() - t0, 2))
            j = r.json
            check(isinstance(j, dict) and j.get("ok") is True, "%s: replay: %r", x.name, r)
            tip = max(chains[x.name]) if chains and chains.get(x.name) else x.last_height
            check(int(j["blocks"]) == tip, "%s: replay verified %s blocks, tip %d: %r",
                  x.name, j["blocks"], tip, r)
        print("audit: replay ok on %d nodes (blocks %s)" % (
            len(nodes), ",".join(str(x.last_height) for x in nodes)))
        self.t.number("audit_replay_s", secs)


class Load:
    """Pre-signed transactions submitted at a steady rate; a watcher follows every chain."""

    def __init__(self, cluster, accounts=100, rounds=10, processors=1, rate=200, batch=20,
                 via=None):
        self.c = cluster
        t = self.t = cluster.t
        via = via or cluster.validators[0]
        t0 = time.monotonic()
        self.txs = t.emit_txs(via, accounts=accounts, rounds=rounds, processors=processors)
        self.txs.sort(key=lambda x: (x["nonce"], x["acct"]))  # nonces never skip
        # the emitter's own commits (registrations, funding) are part of the chain
        self.setup_s = round(time.monotonic() - t0, 2)
        self.ops = {}
        for x in self.txs:
            op = t.checker.invoke(x["type"], via="acct%d" % x["acct"])
            op.txid = x["id"]
            self.ops[x["id"]] = op
        self.by_id = {x["id"]: x for x in self.txs}
        self.rate = rate
        self.batch = batch
        self.cursor = 0
        self.last_sent = {}      # txid -> monotonic time of the last submission
        self.stats = {"send_errors": 0}
        self.exclude = set()     # node names not to submit to
        self.submitting = threading.Event()
        self.stop_flag = threading.Event()
        self.rng = random.Random(t.seed ^ 0x5eed)
        self.rr = 0
        self.tx_checks = 0
        self.threads = []
        self.clients = {}
        self.thread_errors = []

    # ---- targets ----
    def targets(self):
        return [x for x in self.c.validators if x.up and x.name not in self.exclude]

    def _send(self, chunk, node=None):
        if node is None:
            tg = self.targets()
            if not tg:
                return False
            node = tg[self.rr % len(tg)]
            self.rr += 1
        now = time.monotonic()
        for x in chunk:
            op = self.ops[x["id"]]
            if x["id"] not in self.last_sent:
                op.t_invoke = now  # latency counts from the first submission
            self.last_sent[x["id"]] = now
        rpc = self.clients.get(node.name)
        if rpc is None:  # the submitter's own clients: RpcClient is not thread-safe
            rpc = self.clients[node.name] = RpcClient(node.rpc_url, timeout=5)
        try:
            res = rpc.call("broadcast_txs", {"txs": [x["hex"] for x in chunk]})["results"]
        except (Unreachable, RpcError, KeyError, TypeError):
            self.stats["send_errors"] += 1
            return False
        for one in res:
            code = one.get("code") if isinstance(one, dict) else None
            self.stats[code] = self.stats.get(code, 0) + 1
        return True

    def _stale(self, age):
        now = time.monotonic()
        out = []
        for txid, ts in list(self.last_sent.items()):
            if self.ops[txid].outcome != "ok" and now - ts > age:
                out.append(self.by_id[txid])
        out.sort(key=lambda x: (x["nonce"], x["acct"]))
        return out

    def _guarded(self, fn):
        """Runs a thread's loop; an unexpected error is recorded, shown, and retried."""
        while not self.stop_flag.is_set():
            try:
                fn()
                return
            except Exception:  # a bug of the test or an unexpected reply: never silent
                err = traceback.format_exc()
                self.thread_errors.append(err)
                log("load thread error (retrying):\n%s" % err)
                time.sleep(0.5)

    def _submit_loop(self):
        interval = self.batch / float(self.rate)
        next_t = time.monotonic()
        last_sweep = time.monotonic()
        while not self.stop_flag.is_set():
            if not self.submitting.is_set():
                self.submitting.wait(0.1)
                next_t = time.monotonic()
                continue
            now = time.monotonic()
            if now - last_sweep > 3.0:
                last_sweep = now
                stale = self._stale(3.0)[:1000]
                for i in range(0, len(stale), 250):
                    self._send(stale[i:i + 250])
            if self.cursor < len(self.txs):
                if now >= next_t:
                    chunk = self.txs[self.cursor:self.cursor + self.batch]
                    if self._send(chunk):
                        self.cursor += len(chunk)
                    next_t += interval
                    if next_t < now - 1.0:
                        next_t = now  # fell behind (a stalled RPC): do not burst
                time.sleep(max(0.0, min(0.05, next_t - time.monotonic())))
            else:
                time.sleep(0.1)

    def _poll_node(self, x):
        st = x.try_status()
        if st is None:
            return
        tip = to_int(st["height"])
        with self.c.lock:
            h = (max(x.seen) + 1) if x.seen else 1
        end = min(tip, h + 200)
        while h <= end and not self.stop_flag.is_set():
            try:
                b = x.fast.call("block", {"height": str(h)})
            except (Unreachable, RpcError):
                return
            self.c.record_block(x, h, b)
            for txid in b.get("txs", []):
                op = self.ops.get(txid)
                if op is not None and op.outcome != "ok":
                    self.t.checker.ok(op, txid, h)
                self.t.checker.observe_tx(x, txid, "committed")
            h += 1

    def _check_some_txs(self, x):
        """A committed transaction must stay committed, at the same height, on every node."""
        acked = [o for o in self.ops.values() if o.outcome == "ok"]
        for op in self.rng.sample(acked, min(3, len(acked))):
            with self.c.lock:
                if not x.seen or max(x.seen) < op.height:
                    continue  # this node has not reached it yet
            try:
                r = x.fast.call("tx", {"id": op.txid})
            except (Unreachable, RpcError):
                return
            self.tx_checks += 1
            status = r.get("status") if isinstance(r, dict) else None
            self.t.checker.observe_tx(x, op.txid, status)
            if status != "committed" or to_int(r.get("height")) != op.height:
                self.t.checker.violations.append(
                    "%s: tx %s committed at %d reported %s at %s"
                    % (x.name, op.txid, op.height, status, r.get("height")))

    def _watch_loop(self):
        last_tx_check = 0.0
        while not self.stop_flag.is_set():
            for x in self.c.nodes:
                if x.up:
                    self._poll_node(x)
            if time.monotonic() - last_tx_check > 2.0:
                last_tx_check = time.monotonic()
                for x in self.c.nodes:
                    if x.up:
                        self._check_some_txs(x)
            time.sleep(0.05)

    # ---- control ----
    def start(self, submitting=True):
        for fn in (self._submit_loop, self._watch_loop):
            th = threading.Thread(target=self._guarded, args=(fn,), daemon=True)
            th.start()
            self.threads.append(th)
        if submitting:
            self.submitting.set()
        return self

    def pause(self):
        self.submitting.clear()

    def resume(self):
        self.submitting.set()

    def stop(self):
        self.stop_flag.set()
        self.submitting.set()
        for th in self.threads:
            th.join(15)

    def acked(self):
        return sum(1 for o in self.ops.values() if o.outcome == "ok")

    def sent_all(self):
        return self.cursor >= len(self.txs)

    def wait_acked(self, n, timeout):
        """Waits until at least n transactions are acknowledged; returns seconds taken."""
        t0 = time.monotonic()
        while self.acked() < n:
            if time.monotonic() - t0 > timeout:
                raise TestFailure("only %d of %d transactions acknowledged after %ds"
                                  % (self.acked(), n, timeout))
            time.sleep(0.1)
        return time.monotonic() - t0

    def send_now(self, count, node):
        """Submits the next `count` transactions to `node` at once (submitter paused)."""
        check(not self.submitting.is_set(), "send_now while the submitter runs")
        chunk = self.txs[self.cursor:self.cursor + count]
        check(chunk, "no transactions left to send")
        check(self._send(chunk, node), "%s refused a broadcast_txs" % node.name)
        self.cursor += len(chunk)
        return [x["id"] for x in chunk]

    def settle(self, timeout=30):
        """Pauses the submitter; waits until all sent are committed and nodes agree."""
        self.pause()
        t0 = time.monotonic()
        while self.acked() < self.cursor:
            if time.monotonic() - t0 > timeout:
                raise TestFailure("%d sent transactions not committed after %ds"
                                  % (self.cursor - self.acked(), timeout))
            time.sleep(0.1)
        return self.c.wait_converged(timeout=max(5, timeout - (time.monotonic() - t0)))

    def drain(self, timeout=60):
        """Everything sent and committed (resubmitting what is stale); fails otherwise."""
        self.resume()
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if self.sent_all() and self.acked() == len(self.ops):
                return time.monotonic() - t0
            time.sleep(0.2)
        self.c.check_alive()
        missing = [o.txid for o in self.ops.values() if o.outcome != "ok"]
        raise TestFailure("%d of %d transactions not committed %ds after the faults ended "
                          "(e.g. %s); heights %r; load thread errors: %d"
                          % (len(missing), len(self.ops), timeout, missing[:3],
                             self.c.heights(), len(self.thread_errors)))

    def report(self):
        check(not self.thread_errors, "load threads hit %d unexpected errors, first:\n%s",
              len(self.thread_errors), self.thread_errors[:1])
        self.t.number("txs", len(self.txs))
        self.t.number("admission_codes", self.stats)
        self.t.number("tx_status_checks", self.tx_checks)
        self.t.number("emit_setup_s", self.setup_s)
