#!/usr/bin/env python3
"""Issue 12 items 1 and 2: the explorer served by yuchaind, opened in a real browser.

A 4-validator consortium gets real traffic through the wallet: a policy with alert rules,
a consent, two paid uses under it, an asset and one derived from it, certification, a
listing, a bid and a deal (a price index point and a deal_amount alert), a credit record.
Then Debian's headless Chromium, driven over the DevTools protocol (a pipe: no websocket
needed), opens every page of /explorer/ on node0 and the test asserts what a person would
read there: the height, the validators and the primary, the consent id, the user's name
and the fee in yuan, the asset's provenance graph, the price chart's point equal to the
node's price_index, the alert and the credit record, Chinese labels after the language
switch (remembered across a reload), the search box. Any console message, uncaught
exception or browser log error fails the test. Each page's screenshot is saved under
YC_BUILD_DIR/artifacts/explorer/ (printed in the log). The receipt the transaction page
offers for download verifies offline with `yuchain-wallet verify-receipt`.

The HTTP side: Content-Type per asset, the Content-Security-Policy (no inline script in
the page), 404 for unknown names and for traversal attempts.

Skipped (77) only when `chromium` is not installed (scripts/test installs it).
"""

import base64
import hashlib
import http.client
import json
import os
import re
import shutil
import subprocess
import threading
import time
import urllib.parse

import yccluster
import yctest
from yctest import Skip, TestFailure, check, check_eq, log, to_int

BASE_PORT = 27200
ENT_NAME = "重庆公交集团有限公司"
EVIL_NAME = "Mallory <img src=x onerror=alert(1)><script>alert(2)</script>"
PAGE_TIMEOUT = 45   # seconds for a page to render (generous: ASan nodes on a busy machine)


def digest(tag):
    return hashlib.sha256(tag.encode()).hexdigest()


class Browser:
    """Headless Chromium over the DevTools protocol on a pipe (--remote-debugging-pipe:
    NUL-terminated JSON messages; the browser reads fd 3 and writes fd 4)."""

    def __init__(self, t, exe):
        self.t = t
        self.profile = os.path.join(t.tmp, "chromium-profile")
        to_child_r, self.to_child_w = os.pipe()
        self.from_child_r, from_child_w = os.pipe()

        def setup():
            os.dup2(to_child_r, 3)
            os.dup2(from_child_w, 4)

        argv = [exe, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--no-default-browser-check", "--disable-extensions", "--disable-sync",
                "--remote-debugging-pipe", "--user-data-dir=" + self.profile,
                "--window-size=1280,900", "about:blank"]
        self.stderr = open(os.path.join(t.tmp, "chromium.log"), "wb")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.stderr,
                                     stderr=self.stderr, preexec_fn=setup, pass_fds=(3, 4),
                                     start_new_session=True)
        os.close(to_child_r)
        os.close(from_child_w)
        self.next_id = 1
        self.replies = {}
        self.events = []
        self.cv = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.session = None

    def attach(self):
        """A page target to drive (the browser started in the background meanwhile)."""
        tid = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": tid,
                                                           "flatten": True})["sessionId"]
        for m in ("Page.enable", "Runtime.enable", "Log.enable"):
            self.call(m, session=True)
        self.metrics(900)

    def _read(self):
        buf = b""
        while True:
            try:
                chunk = os.read(self.from_child_r, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                with self.cv:
                    self.replies["eof"] = True
                    self.cv.notify_all()
                return
            buf += chunk
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                msg = json.loads(raw.decode("utf-8"))
                with self.cv:
                    if "id" in msg:
                        self.replies[msg["id"]] = msg
                    else:
                        self.events.append(msg)
                    self.cv.notify_all()

    def call(self, method, params=None, session=False, timeout=30):
        mid = self.next_id
        self.next_id += 1
        msg = {"id": mid, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session
        os.write(self.to_child_w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        with self.cv:
            while mid not in self.replies:
                if self.replies.get("eof"):
                    raise TestFailure("chromium exited (log: %s)" % self.stderr.name)
                left = deadline - time.monotonic()
                check(left > 0, "DevTools %s: no answer in %ds", method, timeout)
                self.cv.wait(left)
            r = self.replies.pop(mid)
        check("error" not in r, "DevTools %s: %r", method, r.get("error"))
        return r["result"]

    def js(self, expr):
        r = self.call("Runtime.evaluate", {"expression": expr, "returnByValue": True},
                      session=True)
        check("exceptionDetails" not in r, "evaluating %s: %r", expr, r.get("exceptionDetails"))
        return r["result"].get("value")

    def metrics(self, height):
        self.call("Emulation.setDeviceMetricsOverride", {"width": 1280, "height": height,
                                                         "deviceScaleFactor": 1,
                                                         "mobile": False}, session=True)

    def wait(self, expr, what, timeout=PAGE_TIMEOUT):
        deadline = time.monotonic() + timeout
        while True:
            v = self.js(expr)
            if v:
                return v
            check(time.monotonic() < deadline, "%s: not there after %ds", what, timeout)
            time.sleep(0.1)

    def load(self, url, page):
        """A fresh document at url; waits until the explorer rendered `page`."""
        self.call("Page.navigate", {"url": url}, session=True)
        return self.rendered(page)

    def rendered(self, page):
        self.wait("(() => { const m = document.getElementById('main'); return m && "
                  "m.dataset.ready === '1' && m.dataset.page; })()", "page " + page)
        got = self.js("document.getElementById('main').dataset.page")
        err = self.js("(document.getElementById('page-error') || {}).textContent || ''")
        check(got == page and not err, "expected page %s, got %s: %s", page, got, err)
        return self.js("document.documentElement.outerHTML")

    def text(self, selector):
        return self.js("Array.from(document.querySelectorAll(%s)).map(e => e.textContent)"
                       % json.dumps(selector))

    def attrs(self, selector, name):
        return self.js("Array.from(document.querySelectorAll(%s)).map(e => e.getAttribute(%s))"
                       % (json.dumps(selector), json.dumps(name)))

    def screenshot(self, path):
        h = self.js("Math.ceil(document.documentElement.scrollHeight)") or 900
        self.metrics(max(900, min(int(h), 6000)))
        time.sleep(0.2)
        png = self.call("Page.captureScreenshot", {"format": "png"}, session=True)["data"]
        self.metrics(900)
        with open(path, "wb") as f:
            f.write(base64.b64decode(png))
        log("screenshot: %s" % path)

    def problems(self):
        """Console messages, uncaught exceptions and browser log errors so far."""
        out = []
        with self.cv:
            evs, self.events = self.events, []
        for e in evs:
            m, p = e.get("method"), e.get("params", {})
            if m == "Runtime.consoleAPICalled":
                out.append("console.%s: %s" % (p.get("type"), " ".join(
                    str(a.get("value", a.get("description", ""))) for a in p.get("args", []))))
            elif m == "Runtime.exceptionThrown":
                d = p.get("exceptionDetails", {})
                out.append("exception: %s %s" % (d.get("text"), d.get("exception", {})
                                                 .get("description", "")))
            elif m == "Log.entryAdded":
                en = p.get("entry", {})
                if en.get("level") in ("error", "warning"):
                    out.append("log %s (%s): %s %s" % (en.get("level"), en.get("source"),
                                                       en.get("text"), en.get("url", "")))
        return out

    def close(self):
        try:
            self.call("Browser.close", timeout=5)
        except Exception:  # closing anyway
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        os.close(self.to_child_w)
        self.stderr.close()


def http_checks(port):
    """Content types, the CSP, 404s, no traversal (raw paths: http.client does not
    normalise them)."""
    def get(path):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        c.request("GET", path)
        r = c.getresponse()
        body = r.read()
        c.close()
        return r.status, r.getheader("Content-Type"), r.getheader("Content-Security-Policy"), body

    st, ct, csp, body = get("/explorer/")
    check_eq((st, ct), (200, "text/html; charset=utf-8"), "GET /explorer/")
    check(csp and "script-src 'self'" in csp and "default-src 'none'" in csp
          and "unsafe-inline" not in csp, "CSP of /explorer/: %r", csp)
    html = body.decode()
    check(not re.search(r"<script(?![^>]*\bsrc=)", html), "index.html has an inline script")
    check(not re.search(r"<[^>]+\son[a-z]+=", html), "index.html has an inline event handler")
    check_eq(get("/explorer")[0], 200, "GET /explorer")
    for name, typ in (("explorer.js", "text/javascript; charset=utf-8"),
                      ("explorer.css", "text/css; charset=utf-8"),
                      ("icon.svg", "image/svg+xml")):
        st, ct, csp, _ = get("/explorer/" + name)
        check_eq((st, ct), (200, typ), "GET /explorer/" + name)
        check(csp, "CSP on /explorer/%s", name)
    for bad in ("/explorer/nope.js", "/explorer/../status", "/explorer/%2e%2e/status",
                "/explorer/./explorer.js", "/explorer//explorer.js", "/explorer/x/explorer.js",
                "/explorer/explorer.js%00", "/explorerx"):
        st = get(bad)[0]
        check(st == 404, "GET %s: %d, expected 404", bad, st)


def parallel(*fns):
    """Runs fns in threads (transactions of different senders); raises the first error."""
    errs = []

    def one(f):
        try:
            f()
        except BaseException as e:  # re-raised below, in the test's thread
            errs.append(e)

    ths = [threading.Thread(target=one, args=(f,)) for f in fns]
    for th in ths:
        th.start()
    for th in ths:
        th.join()
    if errs:
        raise errs[0]


def run(t):
    t.require("yuchaind", "yuchain-wallet", "yuchain-audit")
    exe = shutil.which("chromium")
    if not exe:
        raise Skip("chromium is not installed (apt-get install chromium; scripts/test does)")
    t0 = time.monotonic()
    c = yccluster.Cluster(t, validators=4, base_port=BASE_PORT, options={"notice-blocks": 1})
    c.start()
    b = Browser(t, exe)   # starts while the traffic runs
    try:
        body(t, c, b)
    finally:
        b.close()
    t.number("total_s", round(time.monotonic() - t0, 1))


def body(t, c, b):
    t0 = time.monotonic()
    node = c.nodes[0]
    rpc = node.rpc
    port = c.base + 100
    w = t.wallet(node)
    addr = {k: w.address(k) for k in ("exchange", "agency", "regulator", "alice", "bob",
                                      "processor")}

    def send(*args, frm):
        return w.send(*args, frm=frm, expect_status="committed")

    # Real traffic: two registrations, policy, consent and uses, assets, a deal, a credit
    # record; independent senders in parallel. One name is Chinese; one is markup, which
    # the pages must show as text.
    def registrations():
        for key, name, role in (("ent", ENT_NAME, "enterprise"),
                                ("mallory", EVIL_NAME, "individual")):
            addr[key] = w.new(key)
            send("register", "--for", addr[key], "--role", role, "--name", name,
                 "--jurisdiction", "CN-CQ", frm="exchange")

    ids = {}
    parallel(registrations,
             lambda: send("policy", "set", "--alert-amount", 5000, "--alert-accounts",
                          addr["processor"], frm="regulator"),
             lambda: ids.update(consent=send(
                 "consent", "grant", "--to", addr["processor"], "--categories", "health",
                 "--purposes", "research", "--operations", "use", "--until", "+30d",
                 "--fee-per-use", 250, frm="alice")["id"]))
    consent = ids["consent"]

    def uses_of_alice():
        ids["uses"] = [send("usage", "record", "--consent", consent, "--purpose", "research",
                            "--operation", "use", "--category", "health", "--input",
                            digest("in%d" % i), frm="processor")["id"] for i in range(2)]

    def assets():
        ids["a1"] = send("asset", "register", "--digest", digest("bus-flow"), "--title",
                         "Bus passenger flow 2026", "--catalog", "transport.flow", "--source",
                         "enterprise", "--grade", "general", "--sector", "transport",
                         frm="ent")["id"]
        ids["a2"] = send("asset", "register", "--digest", digest("bus-od"), "--title",
                         "Bus origin-destination matrix", "--catalog", "transport.od",
                         "--source", "enterprise", "--grade", "general", "--sector",
                         "transport", "--parents", ids["a1"], frm="ent")["id"]

    parallel(uses_of_alice, assets,
             lambda: ids.update(credit=send(
                 "credit", "record", addr["bob"], "--severity", "warning", "--reason",
                 "late_filing", "--evidence", digest("case-1"), frm="regulator")["id"]))
    uses, a1, a2, credit = ids["uses"], ids["a1"], ids["a2"], ids["credit"]
    until = max(to_int(rpc.call("asset", {"id": a})["notice_until"]) for a in (a1, a2))
    k = 0
    while node.height() <= until:
        k += 1
        send("evidence", "anchor", "--digest", digest("tick%d" % k), "--kind", "tick",
             frm="agency")
    send("asset", "certify", a1, frm="exchange")
    send("asset", "certify", a2, frm="exchange")
    listing = send("market", "list", a1, "--offer", "hold", "--price", 12000, "--sector",
                   "transport", frm="ent")["id"]
    bid = send("market", "bid", listing, "--price", 12345, frm="processor")["id"]
    deal = send("market", "accept", bid, frm="ent")["id"]
    listing2 = send("market", "list", a2, "--offer", "operate", "--price", 8000, "--sector",
                    "transport", frm="ent")["id"]
    t.number("traffic_s", round(time.monotonic() - t0, 1))
    tip = node.height()
    points = rpc.call("price_index")["points"]
    check_eq(len(points), 1, "price index points")

    http_checks(port)

    art = os.path.join(t.build_dir, "artifacts", "explorer")
    os.makedirs(art, exist_ok=True)
    log("artifacts: %s" % art)
    base = "http://127.0.0.1:%d/explorer/" % port
    b.attach()
    visit = [0]
    problems = []

    def page(frag, kind, shot):
        visit[0] += 1
        t1 = time.monotonic()
        b.load("%s?visit=%d#%s" % (base, visit[0], frag), kind)
        b.screenshot(os.path.join(art, shot + ".png"))
        p = b.problems()
        problems.extend("%s: %s" % (frag, x) for x in p)
        log("page %s rendered in %.2fs%s" % (frag, time.monotonic() - t1,
                                             "" if not p else "; problems: %r" % p))

    # The chain: height, validators, the primary, recent blocks, the charts.
    page("/", "chain", "chain")
    h = to_int(b.text("#tile-height .value")[0].replace(",", ""))
    check(h >= tip, "chain page height %d < %d", h, tip)
    check_eq(sorted(b.attrs("[data-validator]", "data-validator")),
             ["node0", "node1", "node2", "node3"], "validators listed")
    check_eq(len(b.text("[data-validator] .badge.primary")), 1, "one primary marked")
    check(len(b.attrs("#chart-throughput rect.bar", "data-value")) == 10,
          "throughput chart bars")
    check(sum(float(v) for v in b.attrs("#chart-throughput rect.bar", "data-value")) > 0,
          "throughput chart shows the traffic")
    check(len(b.attrs("#chart-interval circle.pt", "data-height")) >= 1,
          "commit interval chart points")
    check(str(tip) in b.attrs("[data-height]", "data-height"), "block %d listed", tip)
    check(listing2 in b.attrs("[data-tx]", "data-tx"), "the latest transaction listed")

    # The account: who used my data, by name, with the fee in yuan; balance in yuan.
    page("/account/" + addr["alice"], "account", "account")
    check_eq(b.text("#account-name")[0], "Alice", "account name")
    check_eq(b.attrs("[data-consent]", "data-consent"), [consent], "consent listed by id")
    check_eq(sorted(b.attrs("[data-use]", "data-use")), sorted(uses), "uses listed")
    rows = b.text("[data-use]")
    check(all("Western Data Processing Co." in r and "2.50 yuan" in r and "research" in r
              for r in rows), "a use names the user, the purpose and the fee: %r", rows)
    bal = to_int(rpc.call("account", {"address": addr["alice"]})["balance"])
    want = "{:,}.{:02d} yuan".format(bal // 100, bal % 100)
    check_eq(b.text("#tile-balance .value")[0], want, "balance in yuan")

    # The transaction: decoded, its proof, and a receipt that verifies offline.
    page("/tx/" + consent, "chain", "tx")
    href = b.attrs("#receipt-download", "href")[0]
    check(href.startswith("data:application/json"), "receipt link: %r", href[:60])
    receipt = os.path.join(t.tmp, "receipt.json")
    with open(receipt, "w") as f:
        f.write(urllib.parse.unquote(href.split(",", 1)[1]))
    r = w.run("verify-receipt", receipt, "--genesis",
              os.path.join(node.home, "config", "genesis.json"), expect=0, json_out=False)
    log("verify-receipt: %s" % r.out.strip().splitlines()[0] if r.out.strip() else r.err)
    body = " ".join(b.text("main"))
    check("Western Data Processing Co." in body and "health" in body,
          "the decoded body names the processor and the category")

    # A name holding markup is shown as text, never run or parsed.
    page("/account/" + addr["mallory"], "account", "account-markup")
    check_eq(b.text("#account-name"), [EVIL_NAME], "a markup name shown as text")
    check_eq(b.js("document.querySelectorAll('main img, main script').length"), 0,
             "elements made from a ledger string")

    # The block of the deal.
    dh = to_int(rpc.call("tx", {"id": deal})["height"])
    page("/block/%d" % dh, "chain", "block")
    check_eq(b.attrs("#block-title", "data-height"), [str(dh)], "block page height")
    check(any(deal[:16] in x for x in b.text("main a.mono")), "the deal in its block")

    # The asset: rights, provenance graph with its derived asset and its buyer.
    page("/asset/" + a1, "market", "asset")
    check_eq(b.text("#asset-title")[0], "Bus passenger flow 2026", "asset title")
    ids = b.attrs("#provenance g.node", "data-id")
    check(a1 in ids and a2 in ids and addr["processor"] in ids,
          "provenance graph nodes: %r", ids)
    check(len(b.attrs("#provenance path.edge", "data-from")) >= 2, "provenance edges")
    check_eq(b.attrs("[data-right=hold] .who", "data-address"), [addr["processor"]],
             "the hold right went to the buyer")
    check_eq(b.text("[data-right=process] .who .name"), [ENT_NAME],
             "the registrant keeps the processing right, named in Chinese")

    # The market: the price chart's point is the node's price index.
    page("/market", "market", "market")
    p0 = points[0]
    got = b.js("Array.from(document.querySelectorAll('#price-index circle.pt')).map(c => "
               "[c.dataset.sector, c.dataset.period, c.dataset.vwap, c.dataset.count])")
    check_eq(got, [[p0["sector"], p0["period"], p0["vwap"], p0["count"]]],
             "price chart points")
    check_eq(p0["vwap"], "12345", "vwap of the one deal")
    check_eq(b.attrs("[data-deal]", "data-deal"), [deal], "the deal listed")
    check_eq(b.attrs("[data-listing]", "data-listing"), [listing2], "the open listing")
    check(ENT_NAME in " ".join(b.text("[data-listing]")), "the seller named")

    # Supervision: the alert, the credit record, the policy.
    page("/supervision", "supervision", "supervision")
    kinds = b.attrs("[data-alert]", "data-alert")
    check("deal_amount" in kinds and "watched_account" in kinds, "alerts: %r", kinds)
    check_eq(b.attrs("[data-credit]", "data-credit"), [credit], "credit record listed")
    check("Bob" in " ".join(b.text("[data-credit]")), "the credit record names Bob")

    # Chinese: the switch, remembered across a reload.
    b.js("document.getElementById('main').removeAttribute('data-ready'); "
         "document.getElementById('lang').click()")
    b.rendered("supervision")
    check_eq(b.js("document.documentElement.lang"), "zh-CN", "language after the switch")
    visit[0] += 1
    b.load("%s?visit=%d#/account/%s" % (base, visit[0], addr["alice"]), "account")
    check("谁用了我的数据" in " ".join(b.text("h2")), "Chinese heading after a reload")
    check(any("2.50 元" in r for r in b.text("[data-use]")), "fees in 元")
    b.screenshot(os.path.join(art, "account-zh.png"))
    visit[0] += 1
    b.load("%s?visit=%d#/" % (base, visit[0]), "chain")
    check("验证节点" in " ".join(b.text("h2")), "Chinese chain page")
    b.screenshot(os.path.join(art, "chain-zh.png"))
    b.js("localStorage.removeItem('yc.lang')")

    # The search box: an asset id, then a height.
    for q, want_hash, kind in ((a2, "#/asset/" + a2, "market"),
                               (str(dh), "#/block/%d" % dh, "chain")):
        b.js("document.getElementById('main').removeAttribute('data-ready'); "
             "document.getElementById('search-input').value = %s; "
             "document.getElementById('search').requestSubmit()" % json.dumps(q))
        b.rendered(kind)
        check_eq(b.js("location.hash"), want_hash, "search for %s" % q)
    problems.extend(b.problems())
    check(not problems, "browser console / log problems: %r", problems)
    t.number("pages", visit[0])


if __name__ == "__main__":
    yctest.main(run)
