#!/usr/bin/env python3
"""A consortium on hosts of their own: each validator in its own network namespace with
its own IP address, keys from the genesis ceremony (docs/operator.md, "Joining a
consortium").

Network: a bridge in a namespace of its own (so the host's bridge filtering never sees
the traffic), one namespace per validator joined to it by a veth pair with its address
10.A.B.11, .12, .13, and a veth from the test's namespace (10.A.B.1) to reach their RPC.
Every name carries the test's pid, so parallel runs do not collide; everything is removed
at the end, failure included. Without root or `ip` the test skips (77), saying why; the
loopback tests cover the rest on such machines.

Ceremony: each organisation (the exchange, two agencies) runs `yuchaind keys` in its own
home; one assembles the genesis (`genesis new`, `add-validator` ×3, `add-account` for the
exchange's wallet key, `finalize`); each checks the hash with `init --genesis-hash`, its
node.conf naming the other two as KEY@IP:27600. Each node starts inside its namespace
with `ip netns exec`, every listener on its own IP and the same ports as the others.

Must hold: each validator is connected to the other two, from their own addresses
(net_info); the consent scenario through a wallet talking to a node's IP commits
(the exchange registers alice and a processor, alice grants a consent, the processor
records a use under it) and every node reports the use; after kill -9 of the primary,
a transfer sent to a survivor commits, and both survivors hold the same blocks.
"""

import os
import shutil
import subprocess
import time

import yctest
from yctest import Skip, check, check_eq, to_int

ORGS = [("exchange", "Chongqing Data Exchange"), ("agency1", "Chongqing Big Data Bureau"),
        ("agency2", "Sichuan Data Bureau")]
P2P, RPC, OPS = 27600, 27700, 27800


def ip(*args, check_rc=True):
    r = subprocess.run(["ip"] + list(args), capture_output=True, text=True, timeout=30)
    if check_rc and r.returncode != 0:
        raise yctest.TestFailure("ip %s: %s" % (" ".join(args), r.stderr.strip()))
    return r


class Net:
    """The namespaces, links and addresses of one run; remove() undoes all of it."""

    def __init__(self, n):
        pid = os.getpid()
        self.hub = "yc%dhub" % pid
        self.ns = ["yc%dn%d" % (pid, i) for i in range(n)]
        self.host_if = "ycv%dh" % pid
        self.made = []  # namespaces made
        used = ip("-4", "addr").stdout + ip("-4", "route").stdout
        for k in range(250):
            a, b = 100 + (pid + k) % 100, (pid // 100 + k) % 250 + 1
            if "10.%d.%d." % (a, b) not in used:
                break
        self.prefix = "10.%d.%d." % (a, b)
        self.host_ip = self.prefix + "1"
        self.ips = [self.prefix + str(11 + i) for i in range(n)]

    def make(self):
        if os.geteuid() != 0:
            raise Skip("network namespaces need root (CAP_NET_ADMIN); the loopback cluster "
                       "tests cover the rest")
        if shutil.which("ip") is None:
            raise Skip("no `ip` command (iproute2) to make network namespaces")
        r = ip("netns", "add", self.hub, check_rc=False)
        if r.returncode != 0:
            raise Skip("cannot make a network namespace: %s" % r.stderr.strip())
        self.made.append(self.hub)
        ip("-n", self.hub, "link", "add", "br0", "type", "bridge")
        ip("-n", self.hub, "link", "set", "br0", "up")
        # the test's own leg: host_if here, its peer on the bridge
        ip("link", "add", self.host_if, "type", "veth", "peer", "name", "h0", "netns", self.hub)
        ip("addr", "add", self.host_ip + "/24", "dev", self.host_if)
        ip("link", "set", self.host_if, "up")
        ip("-n", self.hub, "link", "set", "h0", "master", "br0", "up")
        for i, ns in enumerate(self.ns):
            ip("netns", "add", ns)
            self.made.append(ns)
            ip("-n", ns, "link", "set", "lo", "up")
            ip("-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", "v%d" % i,
               "netns", self.hub)
            ip("-n", ns, "addr", "add", self.ips[i] + "/24", "dev", "eth0")
            ip("-n", ns, "link", "set", "eth0", "up")
            ip("-n", self.hub, "link", "set", "v%d" % i, "master", "br0", "up")
        yctest.log("netns: hub %s, validators %s at %s, test at %s"
                   % (self.hub, self.ns, self.ips, self.host_ip))

    def remove(self):
        ip("link", "del", self.host_if, check_rc=False)
        for ns in reversed(self.made):
            r = ip("netns", "del", ns, check_rc=False)
            if r.returncode != 0:
                yctest.log("netns: cannot remove %s: %s" % (ns, r.stderr.strip()))
        self.made = []


class NsNode(yctest.Node):
    """A `yuchaind start` inside a network namespace, reached at its own IP."""

    def __init__(self, t, name, home, ns, addr):
        super().__init__(t, name, home, P2P)
        self.ns, self.addr = ns, addr
        self.rpc_url = "http://%s:%d" % (addr, RPC)
        self.ops_url = "http://%s:%d" % (addr, OPS)
        self.rpc = yctest.RpcClient(self.rpc_url)

    def start(self, wait=True):
        argv = ["ip", "netns", "exec", self.ns, self.t.bin("yuchaind"), "start", "--home",
                self.home]
        self.starts += 1
        with open(self.log_path, "ab") as logf:
            logf.write(("\n==== start #%d: %s\n" % (self.starts, " ".join(argv))).encode())
            logf.flush()
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=logf,
                                         stderr=subprocess.STDOUT, env=self.t.env,
                                         preexec_fn=yctest._child_setup)
        self.t._procs.append(self.proc)
        if wait:
            self.wait_ready()
        return self


def wait_for(what, fn, timeout):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            v = fn()
            if v:
                return v
        except (yctest.Unreachable, yctest.RpcError) as e:
            last = e
        time.sleep(0.2)
    raise yctest.TestFailure("%s: not within %ds (last error: %s)" % (what, timeout, last))


def ceremony(t, net, wallet_dir, exchange_addr):
    """Keys in each home, one genesis, each home initialized with the agreed hash."""
    y = t.bin("yuchaind")
    parts, homes, keys = [], [], []
    for name, org in ORGS:
        home = os.path.join(t.tmp, name)
        r = t.run_cli([y, "keys", "--home", home, "--org", org, "--name", name, "--json"],
                      expect=0)
        path = os.path.join(t.tmp, name + ".public.json")
        with open(path, "w") as f:
            f.write(r.out)
        parts.append(path)
        homes.append(home)
        keys.append(r.json["pub_key"])
    g = os.path.join(t.tmp, "genesis.json")
    t.run_cli([y, "genesis", "new", "--chain-id", "cq-netns", "--out", g], expect=0)
    for p in parts:
        t.run_cli([y, "genesis", "add-validator", "--genesis", g, "--from", p], expect=0)
    t.run_cli([y, "genesis", "add-account", "--genesis", g, "--name", "Chongqing Data Exchange",
               "--pub", exchange_addr, "--role", "exchange", "--balance", "100000000"],
              expect=0)
    h = t.run_cli([y, "genesis", "finalize", "--genesis", g], expect=0).out.strip()
    for i, home in enumerate(homes):
        me = net.ips[i]
        peers = ",".join("%s@%s:%d" % (keys[j], net.ips[j], P2P)
                         for j in range(len(homes)) if j != i)
        r = t.run_cli([y, "init", "--home", home, "--genesis", g, "--genesis-hash", h,
                       "--p2p.laddr", "%s:%d" % (me, P2P), "--p2p.persistent_peers", peers,
                       "--rpc.laddr", "%s:%d" % (me, RPC), "--rpc.public", "true",
                       "--instrumentation.prometheus_listen_addr", "%s:%d" % (me, OPS),
                       "--instrumentation.public", "true",
                       "--consensus.timeout_propose", "1s"], expect=0)
        check("validator %d" % i in r.err, "init of %s: %r" % (ORGS[i][0], r.err))
    return homes, h


def run(t):
    t.require("yuchaind", "yuchain-wallet")
    net = Net(len(ORGS))
    try:
        net.make()
        scenario(t, net)
    finally:
        for n in t.nodes:
            n.kill9()
        net.remove()


def scenario(t, net):
    wdir = os.path.join(t.tmp, "wallet")
    os.makedirs(wdir, mode=0o700)
    pwfile = os.path.join(wdir, "PASSWORD")
    with open(pwfile, "w") as f:
        f.write("netns-test-passphrase\n")
    w = yctest.Wallet(t, wdir, pwfile, "http://%s:%d" % (net.ips[1], RPC))
    addr = {k: w.new(k) for k in ("exchange", "alice", "processor")}
    homes, ghash = ceremony(t, net, wdir, addr["exchange"])

    nodes = [NsNode(t, ORGS[i][0], homes[i], net.ns[i], net.ips[i]) for i in range(len(ORGS))]
    t.nodes.extend(nodes)
    t0 = time.monotonic()
    for n in nodes:
        n.start(wait=False)
    for n in nodes:
        n.wait_ready()
        check_eq(n.status()["genesis_hash"], ghash, "%s genesis hash" % n.name)

    def meshed():
        for n in nodes:
            peers = n.rpc.get_ok("net_info").get("peers", [])
            hosts = sorted(p["address"].rsplit(":", 1)[0] for p in peers)
            if hosts != sorted(x.addr for x in nodes if x is not n):
                return False
        return True
    wait_for("every validator connected to the other two from their own addresses", meshed,
             60)
    t.number("mesh_s", round(time.monotonic() - t0, 1))

    # the consent scenario, the wallet talking to agency1's node at its own IP
    w.send("register", "--for", addr["alice"], "--role", "individual", "--name", "Alice",
           frm="exchange", expect_status="committed")
    w.send("register", "--for", addr["processor"], "--role", "processor", "--name",
           "Western Data Processing Co.", frm="exchange", expect_status="committed")
    g = w.send("consent", "grant", "--to", addr["processor"], "--categories", "health",
               "--purposes", "research", "--operations", "use", "--until", "+30d",
               frm="alice", expect_status="committed")
    u = w.send("usage", "record", "--consent", g["id"], "--purpose", "research", "--operation",
               "use", "--category", "health", frm="processor", expect_status="committed")
    for n in nodes:
        n.wait_height(to_int(u["height"]), timeout=30)
        uses = n.rpc.call("usage", {"subject": addr["alice"]})
        text = str(uses)
        check(u["id"] in text or g["id"] in text, "%s: usage of alice lacks the use: %r"
              % (n.name, uses))

    # kill -9 of the primary, then a transfer through a survivor commits
    st = nodes[0].status()
    primary = nodes[int(st["primary"])]
    survivors = [n for n in nodes if n is not primary]
    h0 = max(n.height() for n in survivors)
    primary.kill9()
    t1 = time.monotonic()
    w.node_url = survivors[0].rpc_url
    tr = w.send("transfer", "--to", addr["alice"], "--amount", "100", frm="exchange",
                expect_status="committed")
    t.number("commit_after_kill_s", round(time.monotonic() - t1, 1))
    check(to_int(tr["height"]) > h0, "the transfer committed at %s, not after %d"
          % (tr["height"], h0))
    top = to_int(tr["height"])
    for n in survivors:
        n.wait_height(top, timeout=30)
    hashes = [[n.rpc.get_ok("block", height=h)["hash"] for h in range(1, top + 1)]
              for n in survivors]
    check_eq(hashes[0], hashes[1], "the survivors' blocks 1..%d" % top)
    t.number("height", top)


if __name__ == "__main__":
    yctest.main(run)
