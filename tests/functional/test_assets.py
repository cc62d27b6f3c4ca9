#!/usr/bin/env python3
"""Issue 4 end to end on one validator: the life of a dataset, through the real CLIs.

Organisations registered by the exchange; public data registered by the agency; an
objection filed and dismissed; certified after the notice period; a derived product
registered with the original as parent (the grade rule enforced); an invisible license
to a processor; uses recorded (fees paid); an `export` use refused; the license revoked
and the next use refused; the hold right transferred; a carry requested and completed;
the provenance of the product shows all of it; Graphviz `dot` accepts the DOT; the
PROV-JSON parses; `yuchain-audit replay` and `trace` agree with the node.

The dev chain is made with `--notice-blocks 3` so that notices end after a few blocks;
cheap evidence anchors produce those blocks.
"""

import json
import os
import shutil
import subprocess

import yctest
from yctest import check, check_eq, to_int

NOTICE = 3
FEE = 120


def digest(tag):
    """A stand-in SHA-256 (64 hex digits) for a file the test does not need to have."""
    import hashlib
    return hashlib.sha256(tag.encode()).hexdigest()


class Scenario:
    def __init__(self, t, node, w):
        self.t, self.node, self.w = t, node, w
        self.ticks = 0

    def send(self, *args, frm, ok=True, code=None):
        j = self.w.send(*args, frm=frm, expect_status="committed" if ok else "rejected",
                        expect_code=code)
        return j

    def tick_past(self, height):
        """Commits cheap transactions until the chain is at least at `height`."""
        while self.node.height() < height:
            self.ticks += 1
            self.send("evidence", "anchor", "--digest", digest("tick%d" % self.ticks),
                      "--kind", "tick", frm="regulator")

    def certify_after_notice(self, asset_id):
        a = self.node.rpc.call("asset", {"id": asset_id})
        self.tick_past(to_int(a["notice_until"]))
        self.send("asset", "certify", asset_id, frm="exchange")
        a = self.node.rpc.call("asset", {"id": asset_id})
        check_eq(a["status"], "certified", "status after certification")
        check(a["certificate"] and a["certificate"].startswith("YC-"),
              "certificate number: %r" % a["certificate"])
        return a


def run(t):
    t.require("yuchaind", "yuchain-wallet", "yuchain-audit")
    node = t.start_dev_node("dev", "--notice-blocks", str(NOTICE))
    w = t.wallet(node)
    s = Scenario(t, node, w)
    rpc = node.rpc

    addr = {k: w.address(k) for k in ("exchange", "agency", "regulator", "alice", "processor")}
    for k in ("bank", "lab", "vault"):
        addr[k] = w.new(k)

    # Organisations are registered by the exchange, with their roles.
    s.send("register", "--for", addr["bank"], "--role", "enterprise", "--name", "Bank of Yu",
           frm="exchange")
    s.send("register", "--for", addr["lab"], "--role", "processor", "--name", "Model Lab",
           frm="exchange")
    s.send("register", "--for", addr["vault"], "--role", "custodian", "--name", "Data Vault",
           frm="exchange")
    s.send("token", "issue", "--to", addr["lab"], "--amount", 100000, frm="exchange")
    # An individual holds no assets.
    s.send("asset", "register", "--digest", digest("alice-data"), "--title", "My data",
           "--catalog", "c01", "--source", "personal", "--grade", "general", "--sector", "health",
           frm="alice", ok=False, code="not_authorized")

    # Public data, registered by the agency: in notice.
    raw = s.send("asset", "register", "--digest", digest("bus-lines-2026"), "--title",
                 "Chongqing bus lines 2026", "--catalog", "transport.bus", "--source", "public",
                 "--grade", "important", "--openness", "open", "--sector", "transport",
                 frm="agency")
    raw_id = raw["id"]
    a = rpc.call("asset", {"id": raw_id})
    check_eq(a["status"], "notice", "status of a new registration")
    for r in ("hold", "process", "operate"):
        check_eq(a["rights"][r]["holder"], addr["agency"], "holder of %s" % r)
    # one digest, one registration
    s.send("asset", "register", "--digest", digest("bus-lines-2026"), "--title", "Copy",
           "--catalog", "transport.bus", "--source", "public", "--grade", "important",
           "--sector", "transport", frm="bank", ok=False, code="duplicate_asset")
    s.send("asset", "certify", raw_id, frm="exchange", ok=False, code="notice_open")

    # An objection during the notice, dismissed by the exchange.
    obj = s.send("asset", "object", raw_id, "--reason", "not_the_source", "--evidence",
                 digest("complaint.pdf"), frm="alice")
    s.send("asset", "resolve", obj["id"], "--outcome", "dismissed", frm="agency", ok=False,
           code="not_authorized")
    a = rpc.call("asset", {"id": raw_id})
    s.tick_past(to_int(a["notice_until"]))
    s.send("asset", "certify", raw_id, frm="exchange", ok=False, code="objection_open")
    s.send("asset", "resolve", obj["id"], "--outcome", "dismissed", "--note", "source verified",
           frm="exchange")
    a = s.certify_after_notice(raw_id)
    check_eq(a["objections"][0]["outcome"], "dismissed", "objection outcome")

    # A derived product: the grade rule holds (at least its parent's grade).
    s.send("asset", "register", "--digest", digest("bus-demand-model"), "--title",
           "Bus demand model", "--catalog", "transport.model", "--source", "enterprise",
           "--grade", "general", "--sector", "transport", "--parents", raw_id, frm="bank",
           ok=False, code="grade_too_low")
    prod = s.send("asset", "register", "--digest", digest("bus-demand-model"), "--title",
                  "Bus demand model", "--catalog", "transport.model", "--source", "enterprise",
                  "--grade", "important", "--sector", "transport", "--parents", raw_id,
                  "--contributors", "%s:7000,%s:3000" % (addr["bank"], addr["agency"]),
                  frm="bank")
    prod_id = prod["id"]
    check_eq(rpc.call("asset", {"id": raw_id})["children"], [prod_id], "children of the source")
    # not certified yet: no license
    s.send("asset", "license", prod_id, "--to", addr["lab"], "--purposes", "demand_forecast",
           "--operations", "compute,model", "--until", "+30d", frm="bank", ok=False,
           code="not_certified")
    s.certify_after_notice(prod_id)

    # An invisible license to the processor: usable, never exported.
    s.send("asset", "license", prod_id, "--to", addr["lab"], "--purposes", "demand_forecast",
           "--operations", "compute,export", "--until", "+30d", frm="bank", ok=False,
           code="bad_field")
    lic = s.send("asset", "license", prod_id, "--to", addr["lab"], "--purposes",
                 "demand_forecast", "--operations", "compute,model", "--visibility", "invisible",
                 "--until", "+30d", "--fee", FEE, "--max-uses", 10, frm="bank")
    lic_id = lic["id"]
    bank0, lab0 = node.balance(addr["bank"]), node.balance(addr["lab"])
    u1 = s.send("usage", "record", "--license", lic_id, "--purpose", "demand_forecast",
                "--operation", "compute", "--input", digest("bus-demand-model"), frm="lab")
    out = digest("forecast-2026-q3")
    u2 = s.send("usage", "record", "--license", lic_id, "--purpose", "demand_forecast",
                "--operation", "model", "--output", out, frm="lab")
    check_eq(node.balance(addr["bank"]), bank0 + 2 * FEE, "licensor paid per use")
    check_eq(node.balance(addr["lab"]), lab0 - 2 * FEE, "licensee charged per use")
    s.send("usage", "record", "--license", lic_id, "--purpose", "demand_forecast",
           "--operation", "export", frm="lab", ok=False, code="out_of_scope")
    s.send("usage", "record", "--license", lic_id, "--purpose", "demand_forecast",
           "--operation", "compute", frm="alice", ok=False, code="not_authorized")
    uses = rpc.call("usage", {"asset": prod_id})["usage"]
    check_eq([u["id"] for u in uses], [u1["id"], u2["id"]], "uses of the product")
    r = w.run("usage", "--asset", prod_id, frm="lab", expect=0)
    check_eq(len(r.json["usage"]), 2, "wallet usage --asset")

    # The license revoked: the next use is refused.
    s.send("license", "revoke", lic_id, frm="lab", ok=False, code="not_authorized")
    s.send("license", "revoke", lic_id, frm="bank")
    s.send("usage", "record", "--license", lic_id, "--purpose", "demand_forecast",
           "--operation", "compute", frm="lab", ok=False, code="license_revoked")
    check_eq(node.balance(addr["bank"]), bank0 + 2 * FEE, "no fee for refused uses")

    # The hold right moves alone.
    s.send("asset", "transfer", prod_id, "--right", "hold", "--to", addr["alice"], frm="bank",
           ok=False, code="bad_role")
    s.send("asset", "transfer", prod_id, "--right", "hold", "--to", addr["vault"], frm="bank")
    a = rpc.call("asset", {"id": prod_id})
    check_eq(a["rights"]["hold"]["holder"], addr["vault"], "hold right after transfer")
    check_eq(a["rights"]["operate"]["holder"], addr["bank"], "operate right stays")
    held = rpc.call("assets", {"holder": addr["vault"]})["assets"]
    check_eq([(x["id"], x["rights"]) for x in held], [(prod_id, ["hold"])], "assets of vault")
    r = w.run("asset", "show", prod_id, frm="vault", expect=0)
    check_eq(r.json["rights"]["hold"]["holder"], addr["vault"], "wallet asset show")
    s.send("asset", "update", prod_id, "--digest", digest("bus-demand-model-v2"), "--note",
           "retrained", frm="bank", ok=False, code="not_authorized")
    s.send("asset", "update", prod_id, "--digest", digest("bus-demand-model-v2"), "--note",
           "retrained", frm="vault")
    check_eq(to_int(rpc.call("asset", {"id": prod_id})["version"]), 2, "version after update")

    # A carry: alice asks the bank to move her transaction data to the lab.
    c = s.send("carry", "request", "--holder", addr["bank"], "--to", addr["lab"],
               "--categories", "transactions,contacts", frm="alice")
    s.send("carry", "complete", c["id"], "--package", digest("alice-package"), frm="lab",
           ok=False, code="not_authorized")
    s.send("carry", "complete", c["id"], "--package", digest("alice-package"), frm="bank")
    carries = rpc.call("carries", {"subject": addr["alice"]})["carries"]
    check_eq([(x["id"], x["status"]) for x in carries], [(c["id"], "completed")],
             "carries of alice")
    check_eq(carries[0]["package"], digest("alice-package"), "carry package digest")
    check_eq(carries[0]["asset"], None, "a carry of categories names no asset")
    r = w.run("carry", "list", frm="alice", expect=0)
    check_eq(r.json["carries"][0]["status"], "completed", "wallet carry list")
    s.send("carry", "reject", c["id"], "--reason", "too_late", frm="bank", ok=False,
           code="closed")

    # Evidence may reference an asset, a license or a carry.
    for ref in (prod_id, lic_id, c["id"]):
        s.send("evidence", "anchor", "--digest", digest("audit-" + ref), "--kind",
               "dcmm_assessment", "--ref", ref, frm="regulator")

    # Provenance of the product: its source, its uses and license, all there.
    g = rpc.call("provenance", {"id": prod_id})
    rel = {x["id"]: x["relation"] for x in g["assets"]}
    check_eq(rel, {prod_id: "self", raw_id: "ancestor"}, "assets in the provenance")
    check_eq(g["derivations"], [{"product": prod_id, "source": raw_id}], "derivations")
    check_eq([x["id"] for x in g["licenses"]], [lic_id], "licenses in the provenance")
    check_eq(g["licenses"][0]["status"], "revoked", "license status in the provenance")
    check_eq([x["id"] for x in g["uses"]], [u1["id"], u2["id"]], "uses in the provenance")
    back = rpc.call("provenance", {"id": raw_id})
    check(any(x["id"] == prod_id and x["relation"] == "descendant" for x in back["assets"]),
          "the source's provenance lacks the product: %r" % back)

    dot = rpc.call("provenance", {"id": prod_id, "format": "dot"})["dot"]
    check(dot.startswith("digraph provenance {"), "DOT text: %r" % dot[:80])
    prov = rpc.call("provenance", {"id": prod_id, "format": "prov-json"})
    for k in ("prefix", "entity", "activity", "agent", "wasDerivedFrom", "used",
              "wasGeneratedBy", "wasAssociatedWith"):
        check(k in prov, "PROV-JSON lacks %s" % k)
    check("yc:asset_" + prod_id in prov["entity"], "PROV-JSON entity of the product")
    check("yc:use_" + u2["id"] in prov["activity"], "PROV-JSON activity of a use")
    derived = list(prov["wasDerivedFrom"].values())
    check_eq(derived, [{"prov:generatedEntity": "yc:asset_" + prod_id,
                        "prov:usedEntity": "yc:asset_" + raw_id}], "PROV wasDerivedFrom")
    r = w.run("asset", "provenance", prod_id, "--format", "dot", frm="bank", json_out=False,
              expect=0)
    check_eq(r.out, dot, "wallet asset provenance --format dot")

    # Bad input to the new methods: specific codes, the node keeps serving.
    st, body = rpc.get("asset", id="00" * 32)
    check_eq((st, body["error"]["data"]["code"]), (404, "unknown_asset"), "GET unknown asset")
    st, body = rpc.get("provenance", id=prod_id, format="svg")
    check_eq((st, body["error"]["data"]["code"]), (400, "bad_field"), "provenance format=svg")
    st, body = rpc.get("asset", id="zz")
    check_eq(st, 400, "asset with a malformed id")
    st, body = rpc.get("carries", subject=addr["alice"], holder=addr["bank"])
    check_eq(st, 400, "carries with both subject and holder")
    st, body = rpc.get("usage", subject=addr["alice"], asset=prod_id)
    check_eq(st, 400, "usage with both subject and asset")
    check_eq(rpc.get_ok("asset", id=prod_id)["id"], prod_id, "GET /asset after bad input")

    dot_bin = shutil.which("dot")
    if dot_bin is None:
        yctest.log("SKIP of one check: Graphviz `dot` is not installed; DOT not rendered")
    else:
        p = subprocess.run([dot_bin, "-Tsvg"], input=dot.encode(), capture_output=True,
                           timeout=60)
        check_eq(p.returncode, 0, "dot -Tsvg exit (stderr %r)" % p.stderr[-400:])
        check(b"<svg" in p.stdout, "dot produced no SVG")
        yctest.log("dot -Tsvg accepted the DOT (%d bytes of SVG)" % len(p.stdout))
        # the graph's font is there, and it has the Chinese glyphs (scripts/lib/deps.sh
        # installs it): Chinese titles and names are not empty boxes
        fc = shutil.which("fc-list")
        if fc is not None:
            fonts = subprocess.run([fc, ":lang=zh", "family"], capture_output=True, text=True,
                                   timeout=60).stdout
            check("WenQuanYi Micro Hei" in fonts,
                  "the DOT font (WenQuanYi Micro Hei) with Chinese glyphs is not installed: %r"
                  % fonts[:200])
        check('fontname="WenQuanYi Micro Hei"' in dot, "the DOT names its CJK font")

    # The audit tool replays the ledger and traces the product to the same answer.
    height = node.height()
    j = t.audit("replay", "--node", node.rpc_url, "--json", "--quiet", expect=0).json
    check(j.get("ok") is True, "audit replay: %r" % j)
    check_eq(to_int(j.get("blocks")), height, "audit replayed every block to the tip")
    tr = t.audit("trace", prod_id, "--node", node.rpc_url, "--format", "dot", "--quiet",
                 expect=0)
    check_eq(tr.out, dot, "audit trace --format dot vs the node's provenance")
    tr = t.audit("trace", prod_id, "--node", node.rpc_url, "--format", "prov-json", "--quiet",
                 expect=0)
    check_eq(json.loads(tr.out), prov, "audit trace --format prov-json vs the node")
    tr = t.audit("trace", prod_id, "--node", node.rpc_url, "--format", "json", "--quiet",
                 expect=0)
    check_eq(json.loads(tr.out), g, "audit trace --format json vs the node")
    tr = t.audit("trace", prod_id, "--node", node.rpc_url, "--quiet", expect=0)
    check("Bus demand model" in tr.out and raw_id in tr.out, "trace text: %r" % tr.out[:300])
    t.audit("trace", "00" * 32, "--node", node.rpc_url, "--quiet", expect=1)

    # On the stopped node's data too.
    node.stop()
    j = t.audit("replay", "--home", node.home, "--json", "--quiet", expect=0).json
    check(j.get("ok") is True, "audit replay --home: %r" % j)
    tr = t.audit("trace", prod_id, "--home", node.home, "--format", "dot", "--quiet", expect=0)
    check_eq(tr.out, dot, "audit trace --home vs the node")
    t.number("blocks", height)
    t.number("notice_ticks", s.ticks)


if __name__ == "__main__":
    yctest.main(run)
