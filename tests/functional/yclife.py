"""yclife — shared pieces of the transaction life-cycle tests (issue 9; TESTING.md G1, G2, G5).

Every admitted transaction ends at one height, committed or failed (DESIGN.md §3); a
mistake is either refused at admission, with a message that names the field and what
is allowed, or recorded in a block as failed with its code. Whatever happened, the
sender's next transaction commits at once and no mempool keeps anything.

`Report` collects named checks (pass / FAIL / skip, with the reason) so that one run
tells which parts of the contract hold, instead of stopping at the first that does
not; `Report.finish()` prints the table and fails the test if any check failed.

`Mistakes` sends transactions through the real `yuchain-wallet --json` and classifies
their outcome: refused by the wallet's own pre-sign check (exit 65), refused at
admission (exit 1, status `refused`), failed at execution (exit 1, status `failed`,
with a height), committed. Every outcome is also recorded in the shared checker's
history: committed as acknowledged; refused as refused (it must never appear in a
block); failed as failed at its height (the checker verifies that the block there
records it with that code), and checked here too, on every node.
"""

import json
import os
import re
import socket
import subprocess
import threading
import time
import urllib.request

import yctest
from yctest import EX_DATAERR, EX_FAILED, EX_OK, RpcError, TestFailure, Unreachable, log, to_int

HERE = os.path.dirname(os.path.abspath(__file__))
ENDED = ("committed", "failed")
FINAL = ("committed", "failed", "refused", "expired")
TX_STATUSES = ("committed", "failed", "refused", "expired", "pending")


# ---------------------------------------------------------------------------------------
# the table of generic messages (core/include/yc/err.h): a refusal whose words are only
# these does not say what to do


def generic_messages():
    path = os.path.join(HERE, "..", "..", "core", "include", "yc", "err.h")
    out = {}
    try:
        with open(path) as f:
            for m in re.finditer(r'X\(\s*YC_\w+\s*,\s*-?\d+\s*,\s*"([a-z_]+)"\s*,\s*"([^"]*)"\)',
                                 f.read()):
                out[m.group(1)] = m.group(2)
    except OSError:
        pass
    return out


GENERIC = generic_messages()


# ---------------------------------------------------------------------------------------
# the report


class Report:
    """Named checks with their outcome; prints a table; fails at the end if any failed."""

    def __init__(self, t):
        self.t = t
        self.rows = []  # (name, "pass" | "FAIL" | "skip", detail)

    def ok(self, name, detail=""):
        self.rows.append((name, "pass", detail))
        log("CHECK pass  %s %s" % (name, detail))

    def fail(self, name, detail):
        self.rows.append((name, "FAIL", detail))
        log("CHECK FAIL  %s: %s" % (name, detail))

    def skip(self, name, detail):
        self.rows.append((name, "skip", detail))
        log("CHECK skip  %s: %s" % (name, detail))

    def check(self, name, cond, detail_ok="", detail_fail=""):
        if cond:
            self.ok(name, detail_ok)
        else:
            self.fail(name, detail_fail or detail_ok)
        return bool(cond)

    def failed(self):
        return [r for r in self.rows if r[1] == "FAIL"]

    def finish(self):
        print("==== checks (%d: %d pass, %d FAIL, %d skip) ===="
              % (len(self.rows), sum(1 for r in self.rows if r[1] == "pass"),
                 len(self.failed()), sum(1 for r in self.rows if r[1] == "skip")))
        for name, res, detail in self.rows:
            d = detail if len(detail) < 400 else detail[:400] + "…"
            print("  %-4s  %-44s %s" % (res, name, d))
        bad = self.failed()
        if bad:
            raise TestFailure("%d check(s) failed: %s" % (len(bad), ", ".join(r[0] for r in bad)))


# ---------------------------------------------------------------------------------------
# one wallet result


class Res:
    """What one wallet command that sends a transaction produced."""

    def __init__(self, cli, label):
        self.cli = cli
        self.label = label
        self.rc = cli.rc
        j = cli.json if isinstance(cli.json, dict) else {}
        self.j = j
        self.id = j.get("id")
        self.status = j.get("status")
        self.code = j.get("code")
        self.height = j.get("height")
        self.message = j.get("message") or ""
        self.err = cli.err.strip()
        self.secs = cli.secs
        self.presign = self.rc == EX_DATAERR  # the wallet's own check, before signing
        if self.presign and not self.status:
            self.status = "refused"

    @property
    def words(self):
        """Everything the user was told: the JSON message and stderr."""
        return (self.message + "\n" + self.err).strip()

    def brief(self):
        return ("rc=%d status=%s code=%s height=%s message=%r stderr=%r"
                % (self.rc, self.status, self.code, self.height, self.message[:300],
                   self.err[-300:]))


def words_name(text, field_words, allowed_words, min_allowed=None):
    """(ok, why): the text names one of field_words and the allowed words."""
    low = text.lower()
    missing = []
    if field_words and not any(f.lower() in low for f in field_words):
        missing.append("the field (%s)" % "|".join(field_words))
    if allowed_words:
        hit = [a for a in allowed_words if a.lower() in low]
        need = len(allowed_words) if min_allowed is None else min_allowed
        if len(hit) < need:
            missing.append("what is allowed (%s; found %s)" % (", ".join(allowed_words), hit))
    return (not missing), ("lacks " + " and ".join(missing)) if missing else "names them"


def is_generic(res):
    """The message is only the generic table text of its code (or empty)."""
    m = res.message.strip().rstrip(".")
    if not m:
        return True
    g = GENERIC.get(res.code or "", None)
    return g is not None and m == g.rstrip(".")


# ---------------------------------------------------------------------------------------
# sending and judging


class Mistakes:
    """Sends transactions through the wallet and judges their life cycle on `nodes`."""

    def __init__(self, t, w, nodes, report, next_bound_s=5.0):
        self.t = t
        self.w = w
        self.nodes = list(nodes)
        self.r = report
        self.next_bound_s = next_bound_s
        self.failed_ids = {}    # txid -> (code, height)
        self.refused_ids = {}   # txid -> code
        self.next_times = {}    # label -> seconds
        self.rr = 0

    def live(self):
        return [n for n in self.nodes if n.running() and not getattr(n, "paused", False)]

    def node_url(self, rotate):
        if not rotate:
            return None
        live = self.live()
        n = live[self.rr % len(live)]
        self.rr += 1
        return n.rpc_url

    def send(self, *args, frm, label=None, no_wait=False, rotate=False, node_url=None):
        """Runs one wallet command that sends a transaction; records it in the history."""
        op = self.t.checker.invoke(label or " ".join(str(a) for a in args[:2]), via=frm)
        argv = list(args) + (["--no-wait"] if no_wait else [])
        cli = self.w.run(*argv, frm=frm, node_url=node_url or self.node_url(rotate))
        res = Res(cli, label)
        if res.status == "committed":
            self.t.checker.ok(op, res.id, to_int(res.height))
        elif res.status == "refused" and res.id:
            self.t.checker.failed(op, res.id, res.code)  # no height: refused, never in a block
        elif res.status == "failed" and res.id and res.height is not None:
            # in its block, recorded as failed with this code (the checker verifies it)
            self.t.checker.failed(op, res.id, res.code, to_int(res.height))
        else:
            self.t.checker.unknown(op, res.id)
        log("%s: %s" % (label or args[0], res.brief()))
        return res

    # ---- the tx method on every node ----
    def tx_everywhere(self, txid):
        out = {}
        for n in self.live():
            try:
                out[n.name] = n.rpc.call("tx", {"id": txid}, timeout=5)
            except (RpcError, Unreachable) as e:
                out[n.name] = {"status": "error", "error": str(e)}
        return out

    def wait_ended(self, txid, timeout=8.0, nodes=None):
        """Polls `tx` until every node says it ended; returns {node: tx json}."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.tx_everywhere(txid)
            if nodes is not None:
                got = {k: v for k, v in got.items() if k in nodes}
            if all(v.get("status") in FINAL + ("rejected",) for v in got.values()):
                return got
            if time.monotonic() > deadline:
                return got
            time.sleep(0.05)

    def mempools(self):
        out = {}
        for n in self.live():
            try:
                out[n.name] = to_int(n.rpc.call("num_unconfirmed_txs", timeout=5)["total"])
            except (RpcError, Unreachable, KeyError, TypeError) as e:
                out[n.name] = "error: %s" % e
        return out

    def wait_mempools_empty(self, timeout=4.0):
        deadline = time.monotonic() + timeout
        while True:
            m = self.mempools()
            if all(v == 0 for v in m.values()):
                return True, m
            if time.monotonic() > deadline:
                return False, m
            time.sleep(0.1)

    # ---- the outcome of one mistake ----
    def judge(self, label, res, field_words=(), allowed_words=(), min_allowed=None,
              expect_codes=None):
        """Refused (naming the field and what is allowed) or failed (at a height, with
        its code); never committed, never left pending, never `rejected`."""
        r = self.r
        if res.status == "committed":
            rec = self.block_outcome(res.id, res.height)
            if rec not in (None, "ok"):
                r.fail(label + ": outcome", "reported committed/ok, but block %s records %r "
                       "for it (the wallet and the tx method must say failed with that code): "
                       "%s" % (res.height, rec, res.brief()))
            else:
                r.fail(label + ": outcome", "the mistake was COMMITTED (block records %r): %s"
                       % (rec, res.brief()))
            return
        if res.presign:
            r.ok(label + ": outcome", "refused by the wallet before signing (exit 65)")
        elif res.status == "refused":
            ok = res.rc == EX_FAILED and res.code not in (None, "ok") and res.height is None
            r.check(label + ": outcome", ok, "refused at admission, code %s" % res.code,
                    "refused but: %s" % res.brief())
            if res.id:
                self.refused_ids[res.id] = res.code
                got = self.tx_everywhere(res.id)
                sts = {k: (v.get("status"), v.get("code")) for k, v in got.items()}
                r.check(label + ": tx method says refused, never pending",
                        all(s in ("refused", "unknown") for s, _ in sts.values())
                        and any(s == "refused" and c == res.code for s, c in sts.values()),
                        "%r" % sts, "%r (expected refused/%s where sent, unknown elsewhere)"
                        % (sts, res.code))
        elif res.status == "failed":
            ok = (res.rc == EX_FAILED and res.code not in (None, "ok", "pending")
                  and res.height is not None)
            r.check(label + ": outcome", ok,
                    "failed at height %s, code %s" % (res.height, res.code),
                    "failed but: %s" % res.brief())
            if res.id:
                self.failed_ids[res.id] = (res.code, res.height)
                self.check_failed_tx(label, res.id, res.code, res.height)
        else:
            r.fail(label + ": outcome",
                   "status %r is not refused/failed (contract: DESIGN §10 --json status is "
                   "committed|failed|refused|expired|pending): %s" % (res.status, res.brief()))
            if res.id:
                st = self.tx_everywhere(res.id)
                log("%s: tx method says %s" % (label, json.dumps(
                    {k: (v.get("status"), v.get("code"), v.get("height")) for k, v in st.items()})))
        if expect_codes and res.code is not None and not res.presign:
            r.check(label + ": code", res.code in expect_codes, "code %s" % res.code,
                    "code %s, expected one of %s" % (res.code, "|".join(expect_codes)))
        # the words
        if field_words or allowed_words:
            ok, why = words_name(res.words, field_words, allowed_words, min_allowed)
            if ok and not res.presign and is_generic(res) and not res.err:
                ok, why = False, "only the generic message"
            r.check(label + ": words", ok, "%r" % res.words[:200],
                    "%s: %r" % (why, res.words[:300]))

    def block_outcome(self, txid, height):
        """The outcome block `height` records for txid (None if it records none)."""
        if not txid or height is None:
            return None
        try:
            b = self.live()[0].rpc.call("block", {"height": str(height)})
        except (RpcError, Unreachable, IndexError):
            return None
        return find_outcome(b, txid)

    def check_failed_tx(self, label, txid, code, height):
        """`tx` on a failed id: failed, its code and height, on every node; in the block."""
        got = self.wait_ended(txid, timeout=5)
        bad = {k: (v.get("status"), v.get("code"), v.get("height")) for k, v in got.items()
               if not (v.get("status") == "failed" and v.get("code") == code
                       and str(v.get("height")) == str(height))}
        self.r.check(label + ": tx method says failed", not bad,
                     "failed, %s, height %s on %d node(s)" % (code, height, len(got)),
                     "expected failed/%s/%s, got %r" % (code, height, bad))
        # in the block at that height, as failed
        try:
            b = self.live()[0].rpc.call("block", {"height": str(height)})
        except (RpcError, Unreachable) as e:
            self.r.fail(label + ": in its block", "block %s: %s" % (height, e))
            return
        txs = b.get("txs", [])
        self.r.check(label + ": in its block", txid in txs,
                     "block %s lists it (index %d)" % (height, txs.index(txid) if txid in txs else -1),
                     "block %s does not list the failed tx %s: %r" % (height, txid, txs))
        outcome = find_outcome(b, txid)
        if outcome is None:
            log("%s: block %s JSON keys %s: no per-tx outcome found" % (label, height,
                                                                         sorted(b.keys())))
        else:
            self.r.check(label + ": block records failed", outcome not in ("ok", "committed"),
                         "outcome %r" % (outcome,), "block records %r for a failed tx" % (outcome,))

    # ---- a consent revoked and used in the same block ----
    def race_revoke_and_use(self, attempt, subject, processor, cat, purpose, rv_url, use_url):
        """Grants a consent, then sends its revoke (to rv_url) and a use under it (to
        use_url) back to back with `tx send --no-wait`; both must END. Returns the use's
        status (committed, failed, refused) or None."""
        t, w, rep = self.t, self.w, self.r
        p_addr = w.address(processor)
        g = self.send("consent", "grant", "--to", p_addr, "--categories", cat,
                      "--purposes", purpose, "--operations", "use", "--until", "+30d",
                      frm=subject, label="race%d grant" % attempt, node_url=rv_url)
        if g.status != "committed":
            rep.fail("race %d: grant commits" % attempt, g.brief())
            return None
        cid = g.id
        rv_file = os.path.join(t.tmp, "revoke%d.json" % attempt)
        use_file = os.path.join(t.tmp, "use%d.json" % attempt)
        w.run("consent", "revoke", cid, "--out", rv_file, frm=subject, expect=0,
              node_url=rv_url)
        w.run("usage", "record", "--consent", cid, "--purpose", purpose, "--operation", "use",
              "--category", cat, "--out", use_file, frm=processor, expect=0, node_url=use_url)
        with open(rv_file) as f:
            rv_id = json.load(f)["id"]
        with open(use_file) as f:
            use_id = json.load(f)["id"]
        self.last_race = {"use_id": use_id, "use_file": use_file, "use_url": use_url,
                          "rv_id": rv_id}
        op_rv = t.checker.invoke("race revoke", via=subject)
        op_use = t.checker.invoke("race use", via=processor)

        def argv(url, path, wait):
            return [t.bin("yuchain-wallet"), "--wallet-dir", w.wallet_dir, "--node", url,
                    "--json", "tx", "send", path] + ([] if wait else ["--no-wait"])
        t0 = time.monotonic()
        # the revoke returns once admitted; the use's sender waits for its end
        # (broadcast_tx_commit), so that the wallet's own report of it is checked too
        p1 = subprocess.Popen(argv(rv_url, rv_file, False), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=t.env)
        time.sleep(0.02)
        p2 = subprocess.Popen(argv(use_url, use_file, True), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=t.env)
        o1, e1 = p1.communicate(timeout=30)
        o2, e2 = p2.communicate(timeout=30)
        log("race %d: revoke send rc=%d %s %s" % (attempt, p1.returncode, o1.decode().strip(),
                                                  e1.decode().strip()[-200:]))
        log("race %d: use send rc=%d %s %s" % (attempt, p2.returncode, o2.decode().strip(),
                                               e2.decode().strip()[-200:]))
        got_rv = self.wait_ended(rv_id, timeout=8)
        got_use = self.wait_ended(use_id, timeout=8)
        secs = time.monotonic() - t0

        def summ(got):
            return json.dumps({k: (v.get("status"), v.get("code"), v.get("height"))
                               for k, v in got.items()})
        log("race %d after %.2fs: revoke %s; use %s" % (attempt, secs, summ(got_rv),
                                                        summ(got_use)))
        s_rv = {v.get("status") for v in got_rv.values()}
        # a refused tx is never gossiped: the other nodes may not know it (unknown); an
        # ended one (committed, failed) is in a block, so every node must say the same
        s_use = {(v.get("status"), v.get("code"), v.get("height")) for v in got_use.values()}
        known = {s for s in s_use if s[0] != "unknown"}
        if len(known) == 1 and next(iter(known))[0] == "refused":
            s_use = known
        one_rv = next(iter(got_rv.values()))
        sent_to = [n.name for n in self.live() if n.rpc_url == use_url]
        one_use = got_use.get(sent_to[0]) if sent_to else None
        if one_use is None:
            one_use = next(iter(got_use.values()))
        if one_rv.get("status") == "committed":
            t.checker.ok(op_rv, rv_id, to_int(one_rv["height"]))
        else:
            t.checker.unknown(op_rv, rv_id)
        us = one_use.get("status")
        if us == "committed":
            t.checker.ok(op_use, use_id, to_int(one_use["height"]))
        elif us in ("refused", "rejected") and not one_use.get("height"):
            t.checker.failed(op_use, use_id, one_use.get("code"))
        elif us == "failed" and one_use.get("height") is not None:
            t.checker.failed(op_use, use_id, one_use.get("code"), to_int(one_use["height"]))
        else:
            t.checker.unknown(op_use, use_id)
        rep.check("race %d: revoke ends committed" % attempt, s_rv == {"committed"},
                  "at height %s" % one_rv.get("height"), "revoke: %s" % summ(got_rv))
        ended = us in ("committed", "failed", "refused") and len(s_use) == 1
        rep.check("race %d: use ends (same on every node)" % attempt, ended,
                  "%s (code %s, height %s; revoke at %s)" % (us, one_use.get("code"),
                                                            one_use.get("height"),
                                                            one_rv.get("height")),
                  "use did not end as committed|failed|refused within 8 s: %s" % summ(got_use))
        if us == "committed":
            rec = self.block_outcome(use_id, one_use.get("height"))
            rep.check("race %d: a use reported committed is ok in its block" % attempt,
                      rec in (None, "ok"), "block records %r" % (rec,),
                      "tx says committed/ok but block %s records %r for the use"
                      % (one_use.get("height"), rec))
            if rec not in (None, "ok"):
                us = "failed (misreported)"
        try:
            wj = json.loads(o2.decode().strip().splitlines()[-1])
        except (ValueError, IndexError):
            wj = {}
        if us in ("committed", "failed", "refused"):
            want_rc = EX_OK if us == "committed" else EX_FAILED
            rep.check("race %d: the use's wallet (waiting) reports %s" % (attempt, us),
                      wj.get("status") == us and p2.returncode == want_rc
                      and wj.get("code") == one_use.get("code")
                      and str(wj.get("height")) == str(one_use.get("height")),
                      "rc=%d %s" % (p2.returncode, o2.decode().strip()[:200]),
                      "expected %s/%s/%s exit %d; got rc=%d %s %s"
                      % (us, one_use.get("code"), one_use.get("height"), want_rc,
                         p2.returncode, o2.decode().strip()[:300], e2.decode().strip()[-200:]))
        if us == "failed":
            # words of a failure at execution (issue 9, item 4: "every refusal, at
            # admission or execution, names the field and what is allowed")
            msg = (wj.get("message") or one_use.get("message") or "").strip()
            fake = Res.__new__(Res)
            fake.message, fake.code = msg, one_use.get("code")
            if is_generic(fake):
                rep.skip("race %d: the failed use's message has words" % attempt,
                         "GAP (not asserted): a failure at execution carries only the generic "
                         "text of its code, %r, where an admission refusal of the same rule "
                         "names the consent" % msg)
            else:
                rep.ok("race %d: the failed use's message has words" % attempt, repr(msg))
            rep.check("race %d: failed use is consent_revoked" % attempt,
                      one_use.get("code") == "consent_revoked", "code %s" % one_use.get("code"))
            self.failed_ids[use_id] = (one_use.get("code"), one_use.get("height"))
            self.check_failed_tx("race %d use" % attempt, use_id, one_use.get("code"),
                                 one_use.get("height"))
            r = w.run("tx", "status", use_id, node_url=use_url)
            j = r.json if isinstance(r.json, dict) else {}
            rep.check("race %d: wallet tx status says failed" % attempt,
                      j.get("status") == "failed" and j.get("code") == one_use.get("code")
                      and r.rc == EX_FAILED and str(j.get("height")) == str(one_use.get("height")),
                      "rc=%d %s" % (r.rc, r.out.strip()[:200]),
                      "rc=%d out=%r" % (r.rc, r.out.strip()[:300]))
        return us

    def next_commits(self, label, frm, args, rotate=False):
        """The sender's next transaction commits; prints and bounds the time."""
        t0 = time.monotonic()
        res = self.send(*args, frm=frm, label=label + " next", rotate=rotate)
        secs = time.monotonic() - t0
        if res.status != "committed" and res.id and res.status == "pending":
            got = self.wait_ended(res.id, timeout=max(0.5, self.next_bound_s - secs))
            sts = {v.get("status") for v in got.values()}
            if sts == {"committed"}:
                secs = time.monotonic() - t0
                res.status = "committed"
        self.next_times[label] = round(secs, 3)
        self.r.check(label + ": next tx commits", res.status == "committed"
                     and secs <= self.next_bound_s,
                     "committed in %.3fs" % secs,
                     "%s after %.2fs (bound %.1fs): %s" % (res.status, secs, self.next_bound_s,
                                                          res.brief()))
        return res

    def mempools_empty(self, label):
        ok, m = self.wait_mempools_empty()
        self.r.check(label + ": mempools empty", ok, "%r" % m, "still held: %r" % m)
        if not ok:
            for n in self.live():
                try:
                    u = n.rpc.call("unconfirmed_txs", {"limit": "10"}, timeout=5)
                    log("%s unconfirmed: %s" % (n.name, json.dumps(u)[:600]))
                except (RpcError, Unreachable):
                    pass


def find_outcome(block, txid):
    """The outcome a block's JSON records for txid, if it records any (None if not)."""
    for key in ("results", "outcomes", "tx_results", "codes"):
        v = block.get(key)
        if isinstance(v, list):
            txs = block.get("txs", [])
            for i, item in enumerate(v):
                if isinstance(item, dict):
                    if item.get("id") == txid or (i < len(txs) and txs[i] == txid
                                                  and "id" not in item):
                        return item.get("code", item.get("status", item.get("outcome")))
                elif i < len(txs) and txs[i] == txid:
                    return item
        if isinstance(v, dict) and txid in v:
            x = v[txid]
            return x.get("code", x) if isinstance(x, dict) else x
    return None


# ---------------------------------------------------------------------------------------
# node.conf and metrics


def read_conf(home):
    """{section: {key: raw value string}} of HOME/config/node.conf."""
    out, sec = {}, None
    with open(os.path.join(home, "config", "node.conf")) as f:
        for line in f:
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            m = re.match(r"\[(\w+)\]", s)
            if m:
                sec = out.setdefault(m.group(1), {})
                continue
            m = re.match(r"(\w+)\s*=\s*(.*)", s)
            if m and sec is not None:
                sec[m.group(1)] = m.group(2).strip().strip('"')
    return out


def set_conf(home, section, key, value):
    """Sets `key = value` (a raw TOML value) in node.conf's section; adds it if absent."""
    path = os.path.join(home, "config", "node.conf")
    with open(path) as f:
        lines = f.read().split("\n")
    sec, done, at = None, False, None
    for i, line in enumerate(lines):
        s = line.strip()
        m = re.match(r"\[(\w+)\]", s)
        if m:
            if sec == section and not done:
                at = i
            sec = m.group(1)
            continue
        if sec == section and re.match(r"%s\s*=" % re.escape(key), s):
            lines[i] = "%s = %s" % (key, value)
            done = True
    if not done:
        if at is None:
            if sec == section:
                at = len(lines)
            else:
                lines += ["[%s]" % section]
                at = len(lines)
        lines.insert(at, "%s = %s" % (key, value))
    with open(path + ".tmp", "w") as f:
        f.write("\n".join(lines))
    os.replace(path + ".tmp", path)


def conf_duration_value(key, seconds):
    """The node.conf / command-line value of a time option: whole seconds for a key
    named *_seconds (or *_s), else a duration string."""
    if key.endswith("_seconds") or key.endswith("_s"):
        return str(int(seconds))
    return "%ds" % seconds


def duration_s(v):
    """'250ms', '3s', '1m', '1h' (or a bare number of seconds) in seconds."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*", str(v))
    if not m:
        raise TestFailure("not a duration: %r" % (v,))
    n = float(m.group(1))
    return n * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, None: 1}[m.group(2)]


def conf_keys_like(conf, section, *needles):
    """Keys of a node.conf section whose name contains any of needles."""
    return {k: v for k, v in conf.get(section, {}).items() if any(n in k for n in needles)}


def metrics(node):
    try:
        return node.metrics()
    except Exception as e:  # numbers only
        return {"error": str(e)}


def metric(m, name):
    try:
        return float(m.get(name, 0))
    except (TypeError, ValueError):
        return 0.0


class Events:
    """Collects (event, data) from a node's `GET /events` stream in a thread."""

    def __init__(self, node):
        self.url = node.rpc_url + "/events"
        self.out = []
        self.stop = threading.Event()
        self.th = threading.Thread(target=self._run, daemon=True)
        self.th.start()
        time.sleep(0.2)  # connected before anything is sent

    def _run(self):
        try:
            with urllib.request.urlopen(self.url, timeout=30) as resp:
                event = None
                for raw in resp:
                    line = raw.decode("utf-8").rstrip("\r\n")
                    if line.startswith("event:"):
                        event = line[6:].strip()
                    elif line.startswith("data:") and event is not None:
                        self.out.append((event, json.loads(line[5:].strip())))
                        event = None
                    if self.stop.is_set():
                        return
        except (OSError, socket.timeout, ValueError):
            return

    def tx_events(self, txid):
        return [d for e, d in list(self.out) if e == "tx" and d.get("id") == txid]
