#!/usr/bin/env python3
"""Issue 9, G1 on one validator (`yuchaind dev`): every transaction ends.

Each ordinary mistake of the issue, made through the real `yuchain-wallet --json`:
`consent grant --operations compute`, `--categories Health`, `--categories heath`,
`--purposes resarch` (unknown codes: the nearest known code suggested), a consent to
oneself, `usage record` under an unknown consent and outside its purpose, a transfer
beyond the balance, a consent whose `--until` has passed, and the exchange's
`asset certify` before the notice ends. For each, must hold: refused (by the wallet's
own check before signing, exit 65, or at admission, exit 1 and status `refused`) with
words that name the field and what is allowed (the values, the limit, the time), or
failed (exit 1, status `failed`, recorded at a height with its code, and `tx` says so);
never committed, never `pending` with code `ok`. Either way the same sender's next
transaction commits at once (time printed; bounded by a poll of a few seconds) and
the mempool is empty afterwards.

Also: a registration and, at once, a consent grant from the same new key (no wait in
between) are both admitted and commit; a consent revoked and used in the same block
(the revoke and the use sent back to back with `--no-wait`, on a node restarted with a
300 ms batch delay so that both land in one block) both END, whichever order they
took; when the use failed, `tx`, `tx status`, the waiting wallet and the event stream
say `failed` with its code and height, and the same signed bytes sent again are not
admitted. A transfer after a nonce gap expires within `[mempool] ttl_seconds` (set to
EXPIRE_S on the restart): `tx` and `tx status` say `expired` and the sender's next
transaction, with the wallet's default nonce, commits. At the end the shared checker
reads the chain, `yuchain-audit replay --node` passes while the node runs and
`replay --home` after it stops.
"""

import json
import os
import time

import yclife
import yctest
from yctest import check, to_int

OPERATIONS = ("collect", "hold", "host", "use")
CAT, PURPOSE = "health", "research"
EXPIRE_S = 4


def digest(tag):
    import hashlib
    return hashlib.sha256(tag.encode()).hexdigest()


def genesis_codes(node):
    """Category and purpose code lists in genesis, if it ships them (else None)."""
    try:
        with open(os.path.join(node.home, "config", "genesis.json")) as f:
            g = json.load(f)
    except (OSError, ValueError):
        return None
    found = {}

    def walk(x, path):
        if isinstance(x, dict):
            for k, v in x.items():
                walk(v, path + (k,))
        elif isinstance(x, list) and x and all(isinstance(i, (str, dict)) for i in x):
            key = "/".join(path).lower()
            for what in ("categor", "purpose"):
                if what in key:
                    codes = []
                    for i in x:
                        if isinstance(i, str):
                            codes.append(i)
                        elif isinstance(i, dict):
                            for ck in ("code", "id", "name"):
                                if isinstance(i.get(ck), str):
                                    codes.append(i[ck])
                                    break
                            for sub in i.values():
                                if isinstance(sub, list):
                                    codes += [s if isinstance(s, str) else s.get("code", "")
                                              for s in sub if isinstance(s, (str, dict))]
                    found.setdefault(what, []).extend(c for c in codes if c)
            for i, v in enumerate(x):
                walk(v, path + (str(i),))
    walk(g, ())
    return found or None


def run(t):
    t.require("yuchaind", "yuchain-wallet", "yuchain-audit")
    node = t.start_dev_node("dev")
    w = t.wallet(node)
    rep = yclife.Report(t)
    m = yclife.Mistakes(t, w, [node], rep, next_bound_s=5.0)
    addr = {k: w.address(k) for k in ("exchange", "agency", "alice", "bob", "processor")}
    yctest.log("seed %d; dev chain at height %s" % (t.seed, node.status()["height"]))

    codes = genesis_codes(node)
    yctest.log("genesis code lists: %s" % (
        {k: (len(v), v[:12]) for k, v in codes.items()} if codes else "none"))
    if codes:
        for what, want in (("categor", CAT), ("purpose", PURPOSE)):
            if codes.get(what) and want not in codes[what]:
                rep.fail("code lists: %s in genesis" % want,
                         "the default %s list lacks %r (the issue's own examples): %s"
                         % (what, want, codes[what][:20]))

    nexts = {
        "alice": ["transfer", "--to", addr["bob"], "--amount", 1],
        "processor": ["transfer", "--to", addr["alice"], "--amount", 1],
        "exchange": ["transfer", "--to", addr["alice"], "--amount", 1],
    }

    def mistake(label, frm, args, field, allowed, min_allowed=None, codes_ok=None):
        res = m.send(*args, frm=frm, label=label)
        m.judge(label, res, field, allowed, min_allowed, codes_ok)
        m.next_commits(label, frm, nexts[frm])
        m.mempools_empty(label)
        return res

    grant = ["consent", "grant", "--to", addr["processor"], "--until", "+30d"]

    # 1. an operation that consents do not have
    mistake("operations compute", "alice",
            grant + ["--categories", CAT, "--purposes", PURPOSE, "--operations", "compute"],
            ("operation",), OPERATIONS)
    # 2. a capital letter in a category code
    mistake("categories Health", "alice",
            grant + ["--categories", "Health", "--purposes", PURPOSE, "--operations", "use"],
            ("categor",), (CAT,))
    # 3, 4. unknown codes: the nearest known code is suggested
    mistake("categories heath", "alice",
            grant + ["--categories", "heath", "--purposes", PURPOSE, "--operations", "use"],
            ("categor",), (CAT,))
    mistake("purposes resarch", "alice",
            grant + ["--categories", CAT, "--purposes", "resarch", "--operations", "use"],
            ("purpose",), (PURPOSE,))
    # 5. a consent to oneself
    mistake("consent to oneself", "alice",
            ["consent", "grant", "--to", addr["alice"], "--until", "+30d", "--categories", CAT,
             "--purposes", PURPOSE, "--operations", "use"],
            ("processor", "--to", "self", "own", "subject"), ())
    # 6. a use under an unknown consent
    unknown = "%064x" % t.rng.getrandbits(256)
    mistake("usage under unknown consent", "processor",
            ["usage", "record", "--consent", unknown, "--purpose", PURPOSE, "--operation", "use"],
            ("consent",), (), codes_ok=("unknown_consent",))
    # 7. a use outside the consent's purpose
    g = m.send(*(grant + ["--categories", CAT, "--purposes", PURPOSE, "--operations", "use"]),
               frm="alice", label="valid grant")
    rep.check("a valid consent grant commits", g.status == "committed", "height %s" % g.height,
              g.brief())
    if g.status == "committed":
        mistake("usage outside purpose", "processor",
                ["usage", "record", "--consent", g.id, "--purpose", "marketing",
                 "--operation", "use", "--category", CAT],
                ("purpose",), (PURPOSE,), codes_ok=("out_of_scope",))
    # 8. a transfer beyond the balance
    bal = node.balance(addr["alice"])
    mistake("transfer beyond balance", "alice",
            ["transfer", "--to", addr["bob"], "--amount", bal + 1],
            ("amount", "balance"), (str(bal),), codes_ok=("insufficient_balance",))
    # 9. a consent whose --until has passed
    mistake("until passed", "alice",
            grant[:-2] + ["--until", "2020-01-01T00:00:00Z", "--categories", CAT,
                          "--purposes", PURPOSE, "--operations", "use"],
            ("until",), ("2020-01-01",))
    # 10. the exchange certifies before the notice ends
    reg = m.send("asset", "register", "--digest", digest("lifecycle-%d" % t.seed), "--title",
                 "Bus lines", "--catalog", "transport.bus", "--source", "public", "--grade",
                 "general", "--openness", "open", "--sector", "transport", frm="agency",
                 label="asset register")
    rep.check("asset register commits", reg.status == "committed", "height %s" % reg.height,
              reg.brief())
    if reg.status == "committed":
        a = node.rpc.call("asset", {"id": reg.id})
        nu = str(a.get("notice_until"))
        mistake("certify during notice", "exchange", ["asset", "certify", reg.id],
                ("notice",), (nu,), codes_ok=("notice_open",))

    # A registration and, at once, a consent grant from the same new key: both admitted.
    w.new("fresh")
    r1 = m.send("register", "--name", "Fresh Key", frm="fresh", no_wait=True,
                label="pipeline register")
    r2 = m.send(*(grant + ["--categories", CAT, "--purposes", PURPOSE, "--operations", "use"]),
                frm="fresh", no_wait=True, label="pipeline grant")
    rep.check("pipeline: registration admitted", r1.rc == 0 and r1.status in ("pending",
                                                                          "committed"),
              r1.status, r1.brief())
    rep.check("pipeline: grant right after it admitted",
              r2.rc == 0 and r2.status in ("pending", "committed"), r2.status,
              "%s (the wallet's nonce or admission of the pending registration)" % r2.brief())
    for label, res in (("registration", r1), ("grant", r2)):
        if res.id and res.status in ("pending", "committed"):
            got = m.wait_ended(res.id, timeout=6)
            st = {v.get("status") for v in got.values()}
            rep.check("pipeline: %s commits" % label, st == {"committed"}, "committed",
                      "%r" % got)
    m.mempools_empty("pipeline")

    # Revoke and use in one block: restart with a batch delay so both land together (and
    # a short mempool time limit, if node.conf has one, for the expiry below).
    ttl = yclife.conf_keys_like(yclife.read_conf(node.home), "mempool", "ttl", "expir")
    ttl_key = sorted(ttl)[0] if ttl else None
    yctest.log("node.conf [mempool] time limit: %s" % (ttl or "none"))
    node.stop()
    extra = (["--mempool." + ttl_key, yclife.conf_duration_value(ttl_key, EXPIRE_S)]
             if ttl_key else [])
    node.start("--consensus.batch_delay", "300ms", *extra)
    events = yclife.Events(node)
    outcomes = []
    for attempt in range(1, 4):
        s = m.race_revoke_and_use(attempt, "alice", "processor", CAT, PURPOSE, node.rpc_url,
                                  node.rpc_url)
        outcomes.append(s)
        m.next_commits("race %d processor" % attempt, "processor", nexts["processor"])
        m.next_commits("race %d alice" % attempt, "alice", nexts["alice"])
        m.mempools_empty("race %d" % attempt)
        if s and s.startswith("failed"):
            break
    t.number("race_use_outcomes", outcomes)
    if not any(s and s.startswith("failed") for s in outcomes):
        rep.skip("race: a use failed at execution",
                 "the use was never ordered after the revoke in one block in %d tries "
                 "(outcomes %s): the failed-at-execution path was not exercised"
                 % (len(outcomes), outcomes))

    # The event stream reports each tx's end once: the failed use as failed.
    last = getattr(m, "last_race", None)
    if last and m.failed_ids.get(last["use_id"]):
        code, height = m.failed_ids[last["use_id"]]
        deadline = time.monotonic() + 3
        while not events.tx_events(last["use_id"]) and time.monotonic() < deadline:
            time.sleep(0.05)
        evs = events.tx_events(last["use_id"])
        rep.check("events: the failed use is streamed as failed", len(evs) == 1
                  and evs[0].get("status") == "failed" and evs[0].get("code") == code
                  and str(evs[0].get("height")) == str(height), "%r" % evs,
                  "expected one tx event failed/%s/%s, got %r" % (code, height, evs))
        rv = events.tx_events(last["rv_id"])
        rep.check("events: the revoke is streamed as committed",
                  [e.get("status") for e in rv] == ["committed"], "%r" % rv, "%r" % rv)
    events.stop.set()
    # An id that ended is never admitted again: resubmit the failed use.
    if last and m.failed_ids.get(last["use_id"]):
        code, height = m.failed_ids[last["use_id"]]
        r = w.run("tx", "send", last["use_file"], "--no-wait")
        yctest.log("resubmitted the failed use: rc=%d %s %s" % (r.rc, r.out.strip(),
                                                                r.err.strip()[-200:]))
        ok, mp = m.wait_mempools_empty(timeout=1.0)
        st = node.rpc.call("tx", {"id": last["use_id"]})
        rep.check("a failed id is not admitted again", ok and st.get("status") == "failed"
                  and str(st.get("height")) == str(height),
                  "resubmission: rc=%d; tx still failed at %s; mempool %r" % (r.rc, height, mp),
                  "resubmission rc=%d %s; mempool %r; tx %r" % (
                      r.rc, r.out.strip(), mp, {k: st.get(k) for k in ("status", "code",
                                                                      "height")}))
    # Expiry: a transaction that can never be ordered (a nonce gap) expires; `tx` and the
    # wallet say `expired`; the sender's next transaction then commits.
    if ttl_key:
        bob_nonce = to_int(node.account(addr["bob"])["nonce"])
        path = os.path.join(t.tmp, "gap.json")
        w.run("transfer", "--to", addr["alice"], "--amount", 1, "--nonce", bob_nonce + 1,
              "--out", path, frm="bob", expect=0)
        with open(path) as f:
            gap_id = json.load(f)["id"]
        r = w.run("tx", "send", path, "--no-wait")
        rep.check("expiry: a future-nonce tx is admitted", r.rc == 0, r.out.strip(),
                  "rc=%d %s %s" % (r.rc, r.out.strip(), r.err.strip()))
        got = m.wait_ended(gap_id, timeout=EXPIRE_S + 10)
        st = got.get(node.name, {})
        rep.check("expiry: tx says expired within %ds (+10 s)" % EXPIRE_S,
                  st.get("status") == "expired", "expired",
                  "%r" % {k: st.get(k) for k in ("status", "code", "height")})
        r = w.run("tx", "status", gap_id)
        j = r.json if isinstance(r.json, dict) else {}
        rep.check("expiry: wallet tx status says expired (exit 1)",
                  j.get("status") == "expired" and r.rc == 1, "rc=%d %s" % (r.rc, r.out.strip()),
                  "rc=%d %s" % (r.rc, r.out.strip()))
        m.mempools_empty("expiry")
        nb = m.send("transfer", "--to", addr["alice"], "--amount", 1, frm="bob",
                    label="expiry: bob next")
        rep.check("expiry: the sender's next tx (default nonce) commits",
                  nb.status == "committed", "height %s" % nb.height, nb.brief())
    else:
        rep.fail("expiry: node.conf has a mempool time limit",
                 "no [mempool] key like ttl/expiry in %s"
                 % sorted(yclife.read_conf(node.home).get("mempool", {})))

    t.number("next_tx_commit_s", m.next_times)

    # the shared checker; replay over RPC while running, then over the stopped home
    node.stop()
    node.start()
    t.checker.check_chains([node])
    r = t.audit("replay", "--node", node.rpc_url, "--json")
    j = r.json if isinstance(r.json, dict) else {}
    rep.check("audit replay --node", r.rc == 0 and j.get("ok") is True,
              "%s blocks, %s txs" % (j.get("blocks"), j.get("txs")), "%r" % r)
    tip = node.height()
    node.stop()
    r = t.audit("replay", "--home", node.home, "--json")
    j = r.json if isinstance(r.json, dict) else {}
    rep.check("audit replay --home", r.rc == 0 and j.get("ok") is True
              and to_int(j.get("blocks", -1)) == tip,
              "%s blocks (tip %d), %s txs" % (j.get("blocks"), tip, j.get("txs")), "%r" % r)
    rep.finish()


if __name__ == "__main__":
    yctest.main(run)
