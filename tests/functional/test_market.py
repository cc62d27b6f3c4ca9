#!/usr/bin/env python3
"""Issue 5 end to end on one validator: the market and its supervision, through the real CLIs.

A dev chain whose genesis charges an exchange fee of 2.5 %; organisations registered by
the exchange; three certified assets. A listing with two appraisals and two bids: one bid
accepted, the other released, the contributors paid by share and the fee paid to the
exchange. A core-grade asset refused at listing. An important-grade asset refused to a
foreign buyer, then sold to it after an export assessment. The negative list refusing a
category. A frozen seller refused, objecting, restored, then trading again. A pledge
(co-signed offline by the bank with `tx sign`) blocking a transfer, then enforced after its
due time. The price index served by the node equal to what `yuchain-audit export`
recomputes from its own replay; `yuchain-audit violations` reporting no breach and listing
the alerts the policy raised; the CSV export RFC 4180 with a BOM.
"""

import csv
import hashlib
import io
import json
import os
import random
import shutil
import socket
import time

import yctest
from yctest import check, check_eq, to_int

NOTICE = 2
FEE_BPS = 250


def digest(tag):
    return hashlib.sha256(tag.encode()).hexdigest()


def low_base_port(rng):
    """A base port P below 32768 with P, P+100 and P+200 free."""
    for _ in range(200):
        base = rng.randrange(20000, 32000)
        socks = []
        try:
            for host, port in (("0.0.0.0", base), ("127.0.0.1", base + 100),
                               ("127.0.0.1", base + 200)):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                socks.append(s)
                s.bind((host, port))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise yctest.TestFailure("no free port block below 32768")


class Scenario:
    def __init__(self, t, node, w):
        self.t, self.node, self.w = t, node, w
        self.ticks = 0

    def send(self, *args, frm, ok=True, code=None):
        return self.w.send(*args, frm=frm, expect_status="committed" if ok else "rejected",
                           expect_code=code)

    def tick_past(self, height):
        while self.node.height() < height:
            self.ticks += 1
            self.send("evidence", "anchor", "--digest", digest("tick%d" % self.ticks), "--kind",
                      "tick", frm="agency")

    def register_asset(self, frm, tag, grade, catalog, contributors=None):
        args = ["asset", "register", "--digest", digest(tag), "--title", tag, "--catalog",
                catalog, "--source", "enterprise", "--grade", grade, "--sector", "transport"]
        if contributors:
            args += ["--contributors", contributors]
        return self.send(*args, frm=frm)["id"]

    def certify(self, ids):
        top = max(to_int(self.node.rpc.call("asset", {"id": i})["notice_until"]) for i in ids)
        self.tick_past(top)
        for i in ids:
            self.send("asset", "certify", i, frm="exchange")


def start_fee_chain(t):
    """A dev chain made with the exchange fee set in its genesis before the first block."""
    home = os.path.join(t.tmp, "dev")
    node = yctest.Node(t, "dev", home, low_base_port(t.rng))
    t.nodes.append(node)
    node.start("--notice-blocks", str(NOTICE))
    node.stop()
    gpath = os.path.join(home, "config", "genesis.json")
    with open(gpath) as f:
        g = json.load(f)
    g.setdefault("params", {})["exchange_fee_bps"] = FEE_BPS
    with open(gpath, "w") as f:
        json.dump(g, f, indent=2)
    shutil.rmtree(os.path.join(home, "data"))
    node.start(command="start")
    return node


def run(t):
    t.require("yuchaind", "yuchain-wallet", "yuchain-audit")
    node = start_fee_chain(t)
    w = t.wallet(node)
    s = Scenario(t, node, w)
    rpc = node.rpc

    addr = {k: w.address(k) for k in ("exchange", "agency", "regulator", "alice", "bob",
                                      "processor")}
    orgs = (("ent", "enterprise", "CN-CQ"), ("app1", "appraiser", "CN-CQ"),
            ("app2", "appraiser", "CN-SC"), ("buyer", "data_merchant", "CN-SC"),
            ("sgco", "enterprise", "SG"), ("bank", "financial", "CN-CQ"))
    for name, role, jur in orgs:
        addr[name] = w.new(name)
        s.send("register", "--for", addr[name], "--role", role, "--name", name,
               "--jurisdiction", jur, frm="exchange")
    for name in ("buyer", "sgco", "processor"):
        s.send("token", "issue", "--to", addr[name], "--amount", 1000000, frm="exchange")

    # The regulator's policy: alert rules first (a category ban comes later).
    alerts = ("--alert-amount", 5000, "--alert-cross-border", "--alert-important",
              "--alert-accounts", addr["buyer"])
    s.send("policy", "set", *alerts, frm="regulator")
    check_eq(to_int(rpc.call("policy")["version"]), 1, "policy version")

    shares = "%s:6000,%s:3000,%s:1000" % (addr["ent"], addr["alice"], addr["bob"])
    a_gen = s.register_asset("ent", "bus-flow", "general", "transport.flow", shares)
    a_imp = s.register_asset("ent", "od-matrix", "important", "transport.od")
    a_core = s.register_asset("ent", "grid-core", "core", "energy.grid")
    a_cat = s.register_asset("ent", "credit-scores", "general", "finance.credit")
    a_pl = s.register_asset("ent", "fleet-log", "general", "transport.fleet")
    s.certify([a_gen, a_imp, a_core, a_cat, a_pl])

    # Core data is never listed.
    s.send("market", "list", a_core, "--offer", "hold", "--price", 1000, "--sector", "energy",
           frm="ent", ok=False, code="core_data")

    # A listing, two appraisals, two bids; one accepted, the other released.
    lst = s.send("market", "list", a_gen, "--offer", "hold", "--price", 12000, "--sector",
                 "transport", frm="ent")["id"]
    for app, value in (("app1", 11000), ("app2", 12500)):
        s.send("market", "appraise", lst, "--value", value, "--method", "income", "--report",
               digest("report-" + app), frm=app)
    s.send("market", "appraise", lst, "--value", 1, "--method", "income", "--report",
           digest("x"), frm="buyer", ok=False, code="not_authorized")
    b1 = s.send("market", "bid", lst, "--price", 9000, "--expires", "+1h", frm="buyer")["id"]
    b2 = s.send("market", "bid", lst, "--price", 10001, frm="processor")["id"]
    li = rpc.call("listing", {"id": lst})
    check_eq(len(li["appraisal_list"]), 2, "appraisals of the listing")
    check_eq(sorted(li["open_bids"]), sorted([b1, b2]), "open bids")
    before = {k: node.balance(addr[k]) for k in ("ent", "alice", "bob", "exchange", "buyer",
                                                 "processor")}
    check_eq(before["buyer"], 1000000 - 9000, "the bid's price held in escrow")
    s.send("market", "accept", b2, frm="processor", ok=False, code="not_authorized")
    deal = s.send("market", "accept", b2, frm="ent")["id"]
    after = {k: node.balance(addr[k]) for k in before}
    fee = 10001 * FEE_BPS // 10000
    net = 10001 - fee
    paid = {"alice": net * 3000 // 10000, "bob": net * 1000 // 10000}
    ent_share = net * 6000 // 10000
    rest = net - paid["alice"] - paid["bob"] - ent_share
    check_eq(after["exchange"] - before["exchange"], fee, "exchange fee")
    check_eq(after["alice"] - before["alice"], paid["alice"], "alice's share")
    check_eq(after["bob"] - before["bob"], paid["bob"], "bob's share")
    check_eq(after["ent"] - before["ent"], ent_share + rest, "seller's share and remainder")
    check_eq(after["buyer"] - before["buyer"], 9000, "the other bid released")
    check_eq(after["processor"], before["processor"], "the winning bid paid from escrow")
    li = rpc.call("listing", {"id": lst})
    check_eq(li["status"], "sold", "listing after the deal")
    check_eq({b["id"]: b["status"] for b in li["bids"]}, {b1: "released", b2: "accepted"},
             "bids after the deal")
    check_eq(li["deal_detail"]["id"], deal, "deal of the listing")
    check_eq(rpc.call("asset", {"id": a_gen})["rights"]["hold"]["holder"], addr["processor"],
             "the hold right moved to the buyer")
    # the deal is in the asset's provenance: JSON, DOT (by name) and PROV-JSON
    prov = rpc.call("provenance", {"id": a_gen})
    pd = [d for d in prov["deals"] if d["id"] == deal]
    check(len(pd) == 1 and pd[0]["price"] == "10001" and pd[0]["buyer"] == addr["processor"]
          and pd[0]["seller"] == addr["ent"], "the deal in the provenance: %r" % prov["deals"])
    dot = rpc.call("provenance", {"id": a_gen, "format": "dot"})["dot"]
    check('"deal_%s"' % deal in dot and "100.01 yuan" in dot, "the deal in the DOT: %s" % dot)
    pj = rpc.call("provenance", {"id": a_gen, "format": "prov-json"})
    check("yc:deal_" + deal in pj["activity"], "the deal as a PROV activity")

    # Important data to a foreign buyer: refused, then allowed after an export assessment.
    lst2 = s.send("market", "list", a_imp, "--offer", "license", "--price", 3000, "--sector",
                  "transport", "--operations", "compute,query", "--purposes", "planning",
                  "--until", "+30d", frm="ent")["id"]
    s.send("market", "bid", lst2, "--price", 3000, frm="sgco", ok=False,
           code="export_assessment_required")
    s.send("export", "assess", a_imp, "--destination", "SG", "--outcome", "approved", "--until",
           "+1d", "--report", digest("export-report"), frm="exchange", ok=False,
           code="not_authorized")
    s.send("export", "assess", a_imp, "--destination", "SG", "--outcome", "approved", "--until",
           "+1d", "--report", digest("export-report"), frm="regulator")
    b3 = s.send("market", "bid", lst2, "--price", 3000, frm="sgco")["id"]
    d2 = s.send("market", "accept", b3, frm="ent")["id"]
    dd = rpc.call("listing", {"id": lst2})["deal_detail"]
    check(dd["cross_border"] is True and dd["destination"] == "SG" and dd["license"],
          "cross-border deal: %r" % dd)
    check_eq(dd["id"], d2, "deal id")

    # The negative list: a banned category cannot be listed.
    s.send("policy", "set", *alerts, "--banned-categories", "finance.credit", frm="regulator")
    s.send("market", "list", a_cat, "--offer", "hold", "--price", 500, "--sector", "finance",
           frm="ent", ok=False, code="negative_list")
    pol = rpc.call("policy")
    check_eq(pol["negative_list"]["categories"], ["finance.credit"], "policy negative list")
    check_eq(rpc.call("policy", {"version": "1"})["negative_list"]["categories"], [],
             "policy version 1 kept")

    # A frozen seller: refused, objects, restored, trades again.
    cr = s.send("credit", "record", addr["ent"], "--severity", "frozen", "--reason",
                "fraud_suspected", "--evidence", digest("case-17"), frm="regulator")["id"]
    check_eq(rpc.call("credit", {"address": addr["ent"]})["status"], "frozen", "credit status")
    s.send("market", "list", a_pl, "--offer", "hold", "--price", 800, "--sector", "transport",
           frm="ent", ok=False, code="frozen")
    s.send("credit", "object", cr, "--reason", "mistaken_identity", "--evidence",
           digest("ent-defence"), frm="ent")
    s.send("credit", "restore", cr, "--note", "evidence withdrawn", frm="regulator")
    hist = rpc.call("credit", {"address": addr["ent"]})
    check_eq((hist["status"], [r["status"] for r in hist["records"]]), ("good", ["restored"]),
             "credit history after restoration")
    check_eq(hist["records"][0]["objection"]["reason"], "mistaken_identity", "objection kept")
    lst3 = s.send("market", "list", a_pl, "--offer", "operate",
                  "--price", 700, "--sector", "logistics", frm="ent")["id"]
    b4 = s.send("market", "bid", lst3, "--price", 650, frm="buyer")["id"]
    d3 = s.send("market", "accept", b4, frm="ent")["id"]

    # A pledge, co-signed offline by the bank; it blocks a transfer; enforced when due.
    txf = os.path.join(t.tmp, "pledge.tx")
    # due 20 s after the wallet's clock at create: room for the five calls before it on a
    # loaded machine, and a wait until then measured from when create returned
    w.run("pledge", "create", a_pl, "--to", addr["bank"], "--amount", 500000, "--due", "+20s",
          "--out", txf, "--unsigned", frm="ent", expect=0)
    due_by = time.time() + 20
    w.run("tx", "sign", txf, frm="bank", expect=0)
    w.run("tx", "sign", txf, frm="ent", expect=0)
    pl = w.run("tx", "send", txf, frm="ent", expect=0).json
    check_eq(pl["status"], "committed", "pledge sent from the tx file")
    pledge = pl["id"]
    ps = rpc.call("pledges", {"asset": a_pl})["pledges"]
    check_eq([(p["id"], p["status"]) for p in ps], [(pledge, "active")], "pledges of the asset")
    check_eq(rpc.call("asset", {"id": a_pl})["pledges"], ps, "the asset lists its pledges")
    s.send("asset", "transfer", a_pl, "--right", "hold", "--to", addr["buyer"], frm="ent",
           ok=False, code="pledged")
    s.send("pledge", "enforce", pledge, frm="bank", ok=False, code="not_due")
    time.sleep(max(0.0, due_by + 1 - time.time()))
    s.send("pledge", "enforce", pledge, frm="bank")
    check_eq(rpc.call("asset", {"id": a_pl})["rights"]["hold"]["holder"], addr["bank"],
             "the pledged hold right went to the bank")

    # The price index: the node's and the one the audit recomputes from its replay.
    idx = rpc.call("price_index")["points"]
    check_eq(sum(to_int(p["count"]) for p in idx), 3, "deals in the price index")
    r = w.run("market", "index", frm="ent", expect=0)
    check_eq(r.json["points"], idx, "wallet market index")
    ex = t.audit("export", "--node", node.rpc_url, "--format", "jsonl", "--kind",
                 "price_index", "--quiet", expect=0)
    rows = [json.loads(line) for line in ex.out.splitlines() if line.strip()]
    mine = [{k: p[k] for k in ("sector", "period", "count", "volume", "vwap", "high", "low",
                                "last_height", "last_tx")} for p in idx]
    theirs = [{"sector": x["sector"], "period": x["period"], "count": x["count"],
               "volume": x["volume"], "vwap": x["vwap"], "high": x["high"], "low": x["low"],
               "last_height": x["height"], "last_tx": x["tx"]} for x in rows]
    check_eq(theirs, mine, "price index: node vs audit")

    # Violations: none; the alerts the policy raised are listed.
    v = t.audit("violations", "--node", node.rpc_url, "--json", "--quiet", expect=0).json
    check(v["ok"] is True and v["breaches"] == [], "violations: %r" % v)
    kinds = sorted(set(a["kind"] for a in v["alerts"]))
    check_eq(kinds, ["cross_border", "deal_amount", "important_data", "watched_account"],
             "alert kinds")
    # The same objects, field for field (read/ renders both; the audit adds account names).
    node_alerts = rpc.call("alerts", {"limit": 1000})["alerts"]
    check_eq(node_alerts,
             [{k: x for k, x in a.items() if not k.endswith("_name")} for a in v["alerts"]],
             "alerts: node vs audit")
    check(any(a["kind"] == "deal_amount" and a["tx"] == deal for a in v["alerts"]),
          "the 10001-fen deal raised deal_amount")
    txt = t.audit("violations", "--node", node.rpc_url, "--quiet", expect=0).out
    check("Breaches: 0" in txt and "OK: no breach" in txt, "violations text: %r" % txt[-400:])

    # CSV export: RFC 4180 with a BOM; every row names its height and transaction.
    ex = t.run_cli([t.bin("yuchain-audit"), "export", "--node", node.rpc_url, "--format", "csv",
                    "--kind", "deals", "--bom", "--quiet"], expect=0)
    raw = ex.out
    check(raw.startswith("\ufeff"), "CSV starts with a BOM")
    check("\r\n" in raw, "CSV lines end in CRLF")
    table = list(csv.DictReader(io.StringIO(raw[1:], newline="")))
    check_eq(sorted(row["tx"] for row in table), sorted([deal, d2, d3]), "deals exported")
    for row in table:
        tx = rpc.call("tx", {"id": row["tx"]})
        check_eq((tx["status"], to_int(tx["height"])), ("committed", to_int(row["height"])),
                 "an exported deal checked against the chain")
        for side in ("buyer", "seller"):  # each account beside its registered name
            check_eq(row[side + "_name"], rpc.call("account", {"address": row[side]})["name"],
                     "the exported %s's name" % side)
    outdir = os.path.join(t.tmp, "export")
    t.audit("export", "--node", node.rpc_url, "--format", "csv", "--out", outdir, "--quiet",
            expect=0)
    for kind in ("deals", "consents", "uses", "carries", "credit", "price_index"):
        check(os.path.exists(os.path.join(outdir, kind + ".csv")), "export of %s" % kind)
    with open(os.path.join(outdir, "credit.csv"), newline="") as f:
        cr_rows = list(csv.DictReader(f))
    check_eq([(x["tx"], x["status"]) for x in cr_rows], [(cr, "restored")], "credit export")

    ex = t.audit("export", "--node", node.rpc_url, "--format", "jsonl", "--quiet", expect=0)
    rows = [json.loads(line) for line in ex.out.splitlines() if line.strip()]
    check_eq(sorted(set(r["kind"] for r in rows)),
             ["credit", "deals", "price_index"], "kinds in the JSONL export")
    check(all("height" in r and "tx" in r for r in rows), "every row names height and tx")
    ex = t.audit("export", "--node", node.rpc_url, "--format", "jsonl", "--from-time",
                 "2000-01-01T00:00:00Z", "--to-time", "2000-01-02T00:00:00Z", "--quiet",
                 expect=0)
    check_eq(ex.out.strip(), "", "a time window without rows")
    t.audit("export", "--node", node.rpc_url, "--format", "csv", "--quiet", expect=2)

    # The audit replays every block on the stopped node's data too.
    height = node.height()
    node.stop()
    j = t.audit("replay", "--home", node.home, "--json", "--quiet", expect=0).json
    check(j.get("ok") is True and to_int(j["blocks"]) == height, "audit replay --home: %r" % j)
    v = t.audit("violations", "--home", node.home, "--json", "--quiet", expect=0).json
    check(v["ok"] is True, "violations --home: %r" % v)
    t.number("blocks", height)
    t.number("alerts", len(v["alerts"]))


if __name__ == "__main__":
    yctest.main(run)
