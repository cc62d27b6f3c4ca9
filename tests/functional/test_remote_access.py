#!/usr/bin/env python3
"""Remote access: the wallet and the audit tool reach a node over https, under a path
prefix, with a bearer token — through a TLS reverse proxy, as an organisation would put
one in front of its node — and a wrong URL is never read as "no such account".

The proxy (here, in Python) terminates TLS with a certificate made for this test by
`openssl` (its own CA), serves the node under /yuchain/ only, and wants
`Authorization: Bearer <token>`. Must hold:
- through the proxy: `balance` answers, a transfer commits, `yuchain-audit replay`
  verifies the chain (the token and CA from YUCHAIN_NODE_TOKEN_FILE / _CACERT);
- without the CA: exit 78 naming the certificate; without the token: exit 77 naming the
  token; a wrong path behind the proxy (404 page): exit 78 "is it a Yuchain node's RPC
  address"; a wrong path at the node itself (JSON-RPC "method not found"): exit 78 —
  never balance 0 with exit 0;
- a malformed token file is refused before anything is sent (exit 78).
"""

import http.server
import os
import shutil
import ssl
import subprocess
import threading
import urllib.error
import urllib.request

import yctest
from yctest import check, check_eq, log

PREFIX = "/yuchain/"
TOKEN = "consortium-7f3a9c"


def make_cert(d):
    """A self-signed certificate for 127.0.0.1 (it is its own CA)."""
    key, crt = os.path.join(d, "proxy.key"), os.path.join(d, "proxy.crt")
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", crt,
                        "-days", "2", "-subj", "/CN=yuchain-test-proxy",
                        "-addext", "subjectAltName=IP:127.0.0.1"],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, "openssl req failed: %s", r.stderr)
    return key, crt


def proxy(node_url, key, crt):
    """A TLS reverse proxy: PREFIX -> node, bearer token required."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def forward(self):
            if self.headers.get("Authorization") != "Bearer " + TOKEN:
                self.send_response(401)
                self.send_header("WWW-Authenticate", "Bearer")
                self.send_header("Content-Length", "13")
                self.end_headers()
                self.wfile.write(b"unauthorized\n")
                return
            if not self.path.startswith(PREFIX):
                body = b"<html><body>404 Not Found</body></html>"
                self.send_response(404)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            n = int(self.headers.get("Content-Length") or 0)
            data = self.rfile.read(n) if n else None
            req = urllib.request.Request(node_url + "/" + self.path[len(PREFIX):], data=data,
                                         method=self.command)
            if data is not None:
                req.add_header("Content-Type", "application/json")
            try:
                with urllib.request.urlopen(req, timeout=30) as r:
                    status, body = r.status, r.read()
            except urllib.error.HTTPError as e:
                status, body = e.code, e.read()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = forward
        do_POST = forward

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(crt, key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def run(t):
    t.require("yuchaind", "yuchain-wallet", "yuchain-audit")
    if shutil.which("openssl") is None:
        raise yctest.Skip("openssl is not installed (needed to make the proxy's certificate)")
    node = t.start_dev_node()
    key, crt = make_cert(t.tmp)
    srv = proxy(node.rpc_url, key, crt)
    remote = "https://127.0.0.1:%d%s" % (srv.server_address[1], PREFIX)
    token_file = os.path.join(t.tmp, "token")
    with open(token_file, "w") as f:
        f.write(TOKEN + "\n")
    w = t.wallet(node)

    def wallet(*args, expect, node_url=remote, extra=()):
        argv = [t.bin("yuchain-wallet"), "--wallet-dir", node.wallet_dir, "--password-file",
                node.password_file, "--node", node_url] + list(extra) + list(args)
        return t.run_cli(argv, expect=expect)

    tls = ("--cacert", crt, "--token-file", token_file)
    r = wallet("--from", "alice", "balance", expect=0, extra=tls)
    check_eq(r.out.strip(), "100,000.00 yuan", "alice's balance through the proxy")
    r = wallet("--from", "alice", "--json", "transfer", "--to", w.address("bob"), "--amount", "250",
               expect=0, extra=tls)
    check_eq(r.json["status"], "committed", "a transfer through the proxy")

    r = wallet("--from", "alice", "balance", expect=yctest.EX_CONFIG,
               extra=("--token-file", token_file))
    check("certificate" in r.err.lower(), "without the CA: names the certificate: %r", r.err)
    r = wallet("--from", "alice", "balance", expect=yctest.EX_NOPERM, extra=("--cacert", crt))
    check("token" in r.err, "without the token: names the token: %r", r.err)
    r = wallet("--from", "alice", "balance", expect=yctest.EX_CONFIG, extra=tls,
               node_url=remote.replace(PREFIX, "/wrong/"))
    check("Yuchain node's RPC address" in r.err, "a wrong path behind the proxy: %r", r.err)
    check(r.out.strip() == "", "a wrong path prints no balance: %r", r.out)
    r = wallet("--from", "alice", "balance", expect=yctest.EX_CONFIG,
               node_url=node.rpc_url + "/not-the-rpc")
    check("no JSON-RPC method" in r.err or "Yuchain node's RPC address" in r.err,
          "a wrong path at the node: %r", r.err)
    bad = os.path.join(t.tmp, "bad-token")
    with open(bad, "w") as f:
        f.write("two words\n")
    r = wallet("--from", "alice", "balance", expect=yctest.EX_CONFIG,
               extra=("--cacert", crt, "--token-file", bad))
    check("token" in r.err, "a malformed token file: %r", r.err)

    # the wallet and the audit tool take both from the environment too
    env = dict(t.env, YUCHAIN_NODE_TOKEN_FILE=token_file, YUCHAIN_NODE_CACERT=crt)
    r = t.run_cli([t.bin("yuchain-wallet"), "--wallet-dir", node.wallet_dir, "--node", remote,
                   "--json", "balance", w.address("bob")], expect=0, env=env)
    check_eq(r.json["balance"], "10000250", "bob's balance through the proxy (environment)")
    r = t.run_cli([t.bin("yuchain-audit"), "replay", "--node", remote, "--genesis",
                   os.path.join(node.home, "config", "genesis.json"), "--json"], expect=0,
                  env=env)
    check(r.json.get("ok") is True, "audit replay through the proxy: %r", r.json)
    log("wallet and audit reached the node over https under %s with a bearer token" % PREFIX)
    srv.shutdown()
    check_eq(node.stop(), 0, "clean exit")


if __name__ == "__main__":
    yctest.main(run)
