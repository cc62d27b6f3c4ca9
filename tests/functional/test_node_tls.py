#!/usr/bin/env python3
"""TLS on the node's own RPC listener ([rpc] tls_cert_file, tls_key_file,
tls_client_ca_file), with a throwaway CA made by `openssl`. Must hold:
- the wallet with --cacert reaches the node over https (a balance, a transfer that
  commits); the event stream and the explorer work over https; without --cacert the
  wallet exits 78 naming the certificate; plain http:// to the TLS port gets a plain 400
  saying to use https (wallet exit 78) and the node goes on serving;
- a handshake that never finishes (a silent client, half a ClientHello) is cut at the
  request head's deadline (header_timeout), while others are served;
- failed handshakes are counted by reason in /metrics; a key file readable by others is
  warned about;
- SIGHUP reads a renewed certificate: new connections get it; a broken one is refused
  and the old one stays;
- a missing certificate file or a key that does not match stops the start with exit 78,
  naming the option and the file;
- with tls_client_ca_file, a wallet without a client certificate, or with one of another
  CA, exits 77; with --cert/--key (or YUCHAIN_NODE_CERT/_KEY, also for yuchain-audit) it
  works; the operations listener ([instrumentation] tls_*) serves /metrics over https to
  a scraper with a client certificate only.
"""

import os
import shutil
import signal
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request

import yctest
from yctest import check, check_eq, log

HEADER_TIMEOUT_S = 2


def openssl(*args):
    r = subprocess.run(["openssl"] + list(args), capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, "openssl %s failed: %s", args[0], r.stderr)


def make_pki(d):
    """A CA; a server certificate for 127.0.0.1 and a client certificate signed by it; a
    self-signed client certificate of another CA. Returns {name: path}."""
    p = {k: os.path.join(d, k) for k in ("ca.crt", "ca.key", "srv.crt", "srv.key", "srv.csr",
                                         "cli.crt", "cli.key", "cli.csr", "rogue.crt",
                                         "rogue.key", "ext")}
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", p["ca.key"], "-out", p["ca.crt"], "-days", "2",
            "-subj", "/CN=yuchain-test-ca")
    with open(p["ext"], "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    for who, cn in (("srv", "127.0.0.1"), ("cli", "auditor")):
        openssl("req", *ec, "-keyout", p[who + ".key"], "-out", p[who + ".csr"], "-subj",
                "/CN=" + cn)
    sign_server(p)
    openssl("x509", "-req", "-in", p["cli.csr"], "-CA", p["ca.crt"], "-CAkey", p["ca.key"],
            "-CAcreateserial", "-out", p["cli.crt"], "-days", "2")
    openssl("req", "-x509", *ec, "-keyout", p["rogue.key"], "-out", p["rogue.crt"], "-days",
            "2", "-subj", "/CN=rogue")
    return p


def sign_server(p):
    """(Re)issues the server certificate: each issue has a new serial number."""
    openssl("x509", "-req", "-in", p["srv.csr"], "-CA", p["ca.crt"], "-CAkey", p["ca.key"],
            "-CAcreateserial", "-out", p["srv.crt"], "-days", "2", "-extfile", p["ext"])


def client_ctx(p, cert=False):
    ctx = ssl.create_default_context(cafile=p["ca.crt"])
    if cert:
        ctx.load_cert_chain(p["cli.crt"], p["cli.key"])
    return ctx


class HttpsRpc(yctest.RpcClient):
    """The test framework's JSON-RPC client over https with the test CA."""

    def __init__(self, url, ctx):
        super().__init__(url)
        self.ctx = ctx

    def _open(self, req, timeout):
        try:
            with urllib.request.urlopen(req, timeout=timeout or self.timeout,
                                        context=self.ctx) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()
        except (urllib.error.URLError, ConnectionError, socket.timeout, OSError) as e:
            raise yctest.Unreachable("%s: %s" % (self.url, e))


def use_https(node, ctx):
    node.rpc_url = node.rpc_url.replace("http://", "https://")
    node.rpc = HttpsRpc(node.rpc_url, ctx)


def served_cert(port, p):
    """The DER certificate a new connection is given."""
    ctx = client_ctx(p, cert=True)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        with ctx.wrap_socket(s, server_hostname="127.0.0.1") as ts:
            return ts.getpeercert(binary_form=True)


def half_client_hello():
    """The first half of a real ClientHello."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out)
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    hello = out.read()
    check(len(hello) > 100 and hello[0] == 0x16, "a ClientHello: %r", hello[:8])
    return hello[:len(hello) // 2]


def wait_closed(sock, timeout):
    """Seconds until the server closed sock (EOF or reset); fails after timeout."""
    t0 = time.monotonic()
    sock.settimeout(timeout)
    try:
        while True:
            if not sock.recv(4096):
                break
    except ConnectionResetError:
        pass
    except socket.timeout:
        raise yctest.TestFailure("the server kept a stalled handshake open over %ds" % timeout)
    return time.monotonic() - t0


def wait_log(node, text, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(node.log_path, "rb") as f:
            if text in f.read().decode("utf-8", "replace"):
                return
        time.sleep(0.1)
    raise yctest.TestFailure("no %r in the log\n%s" % (text, node.log_tail()))


def run(t):
    t.require("yuchaind", "yuchain-wallet", "yuchain-audit")
    if shutil.which("openssl") is None:
        raise yctest.Skip("openssl is not installed (needed to make the test's certificates)")
    p = make_pki(t.tmp)
    os.chmod(p["srv.key"], 0o640)
    tls_args = ("--rpc.tls_cert_file", p["srv.crt"], "--rpc.tls_key_file", p["srv.key"],
                "--rpc.header_timeout", "%ds" % HEADER_TIMEOUT_S)
    node = t.start_dev_node("tls", *tls_args, wait=False)
    use_https(node, client_ctx(p))
    node.wait_ready()
    wait_log(node, "may be read by group or others")
    port = int(node.rpc_url.rsplit(":", 1)[1])
    w = t.wallet(node)
    bob = w.address("bob")

    def wallet(*args, expect, url=node.rpc_url, extra=(), env=None):
        argv = [t.bin("yuchain-wallet"), "--wallet-dir", node.wallet_dir, "--password-file",
                node.password_file, "--node", url] + list(extra) + list(args)
        return t.run_cli(argv, expect=expect, env=env)

    ca = ("--cacert", p["ca.crt"])
    r = wallet("--from", "alice", "balance", expect=0, extra=ca)
    check_eq(r.out.strip(), "100,000.00 yuan", "alice's balance over https")

    # the event stream over https sees the transfer's tx and block events
    stream = urllib.request.urlopen(node.rpc_url + "/events", timeout=30,
                                    context=client_ctx(p))
    check_eq(stream.readline().strip(), b": stream open", "the stream's first line")
    r = wallet("--from", "alice", "--json", "transfer", "--to", bob, "--amount", "250",
               expect=0, extra=ca)
    check_eq(r.json["status"], "committed", "a transfer over https")
    seen = set()
    while not {b"event: tx", b"event: block"} <= seen:
        seen.add(stream.readline().strip())
    stream.close()
    with urllib.request.urlopen(node.rpc_url + "/explorer/", timeout=30,
                                context=client_ctx(p)) as resp:
        check(b"<html" in resp.read(), "the explorer's page over https")

    r = wallet("--from", "alice", "balance", expect=yctest.EX_CONFIG)
    check("certificate" in r.err.lower(), "without --cacert: names the certificate: %r", r.err)
    r = wallet("--from", "alice", "balance", expect=yctest.EX_CONFIG,
               url=node.rpc_url.replace("https://", "http://"))
    check("https" in r.err, "plain http to the TLS port says to use https: %r", r.err)
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(b"GET /status HTTP/1.1\r\nHost: x\r\n\r\n")
        got = b""
        while True:
            b = s.recv(4096)
            if not b:
                break
            got += b
    check(got.startswith(b"HTTP/1.1 400 ") and b"https://" in got,
          "plain HTTP gets a plain 400 naming https: %r", got[:300])

    # handshakes that never finish: cut at the head's deadline; others are served meanwhile
    silent = socket.create_connection(("127.0.0.1", port), timeout=30)
    half = socket.create_connection(("127.0.0.1", port), timeout=30)
    half.sendall(half_client_hello())
    t0 = time.monotonic()
    r = wallet("--from", "alice", "balance", expect=0, extra=ca)
    check_eq(r.out.strip(), "99,997.50 yuan", "served while two handshakes stall")
    for name, sock in (("silent", silent), ("half ClientHello", half)):
        wait_closed(sock, 60)
        sock.close()
        log("%s connection closed %.2fs after it opened" % (name, time.monotonic() - t0))
    check(time.monotonic() - t0 >= HEADER_TIMEOUT_S * 0.8,
          "the stalled handshakes were closed before header_timeout")
    m = node.metrics()

    def fails(reason):
        return m.get('yuchain_rpc_tls_handshake_failures_total{reason="%s"}' % reason, 0)

    check(fails("timeout") >= 1, "a handshake timeout counted: %r", fails("timeout"))
    check(fails("not_tls") >= 2, "plain HTTP counted twice: %r", fails("not_tls"))
    check(fails("protocol") + fails("closed") >= 1, "the client that refused the certificate")
    check(m.get("yuchain_rpc_tls_handshakes_total", 0) >= 4, "handshakes counted")

    # SIGHUP: a renewed certificate for new connections; a broken one is refused
    before = served_cert(port, p)
    sign_server(p)
    node.signal(signal.SIGHUP)
    wait_log(node, "key read again")
    after = served_cert(port, p)
    check(after != before, "after SIGHUP a new connection gets the renewed certificate")
    good = open(p["srv.crt"]).read()
    with open(p["srv.crt"], "w") as f:
        f.write("not a certificate\n")
    node.signal(signal.SIGHUP)
    wait_log(node, "the RPC listener keeps its certificate")
    check_eq(served_cert(port, p), after, "a broken renewal keeps the certificate")
    with open(p["srv.crt"], "w") as f:
        f.write(good)
    check_eq(node.stop(), 0, "clean exit")

    # bad files stop the start, naming the option and the file
    start = [t.bin("yuchaind"), "start", "--home", node.home]
    missing = os.path.join(t.tmp, "missing.crt")
    r = t.run_cli(start + ["--rpc.tls_cert_file", missing], expect=yctest.EX_CONFIG)
    check("rpc.tls_cert_file" in r.err and missing in r.err, "a missing certificate: %r", r.err)
    r = t.run_cli(start + ["--rpc.tls_key_file", p["cli.key"]], expect=yctest.EX_CONFIG)
    check("rpc.tls_key_file" in r.err and "does not match" in r.err, "a foreign key: %r", r.err)

    # client certificates required, on both listeners
    node.start("--rpc.tls_client_ca_file", p["ca.crt"], "--instrumentation.tls_cert_file",
               p["srv.crt"], "--instrumentation.tls_key_file", p["srv.key"],
               "--instrumentation.tls_client_ca_file", p["ca.crt"], wait=False)
    use_https(node, client_ctx(p, cert=True))
    node.wait_ready()
    ops = node.ops_url.replace("http://", "https://") + "/metrics"
    try:
        urllib.request.urlopen(ops, timeout=30, context=client_ctx(p)).read()
        raise yctest.TestFailure("/metrics answered a scraper without a client certificate")
    except (urllib.error.URLError, ConnectionError, ssl.SSLError):
        pass
    r = wallet("--from", "alice", "balance", expect=yctest.EX_NOPERM, extra=ca)
    check("certificate" in r.err and "--cert" in r.err, "no client certificate: %r", r.err)
    r = wallet("--from", "alice", "balance", expect=yctest.EX_NOPERM,
               extra=ca + ("--cert", p["rogue.crt"], "--key", p["rogue.key"]))
    check("certificate" in r.err, "a client certificate of another CA: %r", r.err)
    r = wallet("--from", "alice", "balance", expect=0,
               extra=ca + ("--cert", p["cli.crt"], "--key", p["cli.key"]))
    check_eq(r.out.strip(), "99,997.50 yuan", "with a client certificate")
    env = dict(t.env, YUCHAIN_NODE_CACERT=p["ca.crt"], YUCHAIN_NODE_CERT=p["cli.crt"],
               YUCHAIN_NODE_KEY=p["cli.key"])
    r = t.run_cli([t.bin("yuchain-audit"), "replay", "--node", node.rpc_url, "--genesis",
                   os.path.join(node.home, "config", "genesis.json"), "--json"], expect=0,
                  env=env)
    check(r.json.get("ok") is True, "audit replay with a client certificate: %r", r.json)
    with urllib.request.urlopen(ops, timeout=30, context=client_ctx(p, cert=True)) as resp:
        text = resp.read().decode()
    m = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            k, v = line.rsplit(None, 1)
            m[k] = float(v)
    check(fails("client_cert") >= 2, "refused client certificates counted: %r",
          fails("client_cert"))
    check_eq(node.stop(), 0, "clean exit")


if __name__ == "__main__":
    yctest.main(run)
