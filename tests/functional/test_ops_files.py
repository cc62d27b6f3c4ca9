#!/usr/bin/env python3
"""The operations files stay true to the node: ops/prometheus/alerts.yml and
ops/grafana/yuchain.json against what a running node exports.

Must hold:
- `promtool check rules` accepts the alert rules and `promtool test rules` passes
  ops/prometheus/alerts_test.yml (each alert fires when it should and not otherwise);
- a live node's /metrics passes `promtool check metrics`, has histograms (commit
  latency, transactions per block, RPC latency by method) and the process_* family;
- every metric the alerts and the dashboard use (yuchain_*, process_*; the _bucket,
  _sum and _count of a histogram) is one the node exports, so no panel or alert watches
  a name that does not exist;
- the dashboard is valid JSON with unique panel ids and a Prometheus query in each panel;
- CORS: with `[rpc] cors_allowed_origins` naming a page's origin, answers (and the event
  stream, and a preflight) carry Access-Control-Allow-Origin for that origin only, never
  credentials; a malformed list is refused at start (exit 78). Off by default;
- logs: `[log] format = "json"` and a level changed in node.conf take effect on SIGHUP
  (one JSON object a line, debug lines appear); a node.conf that no longer parses is
  reported and the settings stay.
Needs promtool (Debian's `prometheus` package, installed by scripts/lib/deps.sh); skipped
with the reason without it.
"""

import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.request

import yctest
from yctest import check, log

HERE = os.path.dirname(os.path.abspath(__file__))
OPS = os.path.abspath(os.path.join(HERE, "..", "..", "ops"))
RULES = os.path.join(OPS, "prometheus", "alerts.yml")
RULE_TESTS = os.path.join(OPS, "prometheus", "alerts_test.yml")
DASHBOARD = os.path.join(OPS, "grafana", "yuchain.json")
NAME = re.compile(r"\b((?:yuchain|process)_[a-z0-9_]+)")


def promtool(*args, stdin=None):
    r = subprocess.run(["promtool"] + list(args), input=stdin, capture_output=True, text=True,
                       timeout=120)
    return r.returncode, r.stdout + r.stderr


def exported(text):
    """Metric names a scrape exposes, with a histogram's series names."""
    names = set()
    for m in re.finditer(r"^# TYPE (\S+) (\S+)$", text, re.M):
        names.add(m.group(1))
        if m.group(2) == "histogram":
            names.update(m.group(1) + s for s in ("_bucket", "_sum", "_count"))
    return names


def run(t):
    t.require("yuchaind", "yuchain-wallet")
    if shutil.which("promtool") is None:
        raise yctest.Skip("promtool is not installed (Debian package prometheus)")
    rc, out = promtool("check", "rules", RULES)
    check(rc == 0, "promtool check rules: %s", out)
    rc, out = promtool("test", "rules", RULE_TESTS)
    check(rc == 0, "promtool test rules: %s", out)
    log("alert rules: checked and tested")

    explorer = "https://explorer.example.org"
    node = t.start_dev_node("dev", "--rpc.cors_allowed_origins", explorer + ", http://127.0.0.1:9")
    w = t.wallet(node)
    w.send("transfer", "--to", w.address("bob"), "--amount", "5", frm="alice",
           expect_status="committed")
    node.rpc.get_ok("status")
    with urllib.request.urlopen(node.ops_url + "/metrics", timeout=10) as r:
        scrape = r.read().decode()
    rc, out = promtool("check", "metrics", stdin=scrape)
    check(rc == 0, "promtool check metrics: %s", out)
    have = exported(scrape)
    for h in ("yuchain_commit_latency_seconds", "yuchain_block_txs",
              "yuchain_rpc_request_seconds"):
        check(re.search(r"^# TYPE %s histogram$" % h, scrape, re.M), "no histogram %s", h)
    check(re.search(r'^yuchain_rpc_request_seconds_count\{method="status"\} [1-9]', scrape,
                    re.M), "RPC latency is not counted by method")
    for p in ("process_cpu_seconds_total", "process_resident_memory_bytes",
              "process_open_fds", "process_start_time_seconds"):
        check(p in have, "no %s", p)

    with open(RULES) as f:
        rules = f.read()
    with open(DASHBOARD) as f:
        dash = json.load(f)
    ids = [p["id"] for p in dash["panels"]]
    check(len(ids) == len(set(ids)), "dashboard panel ids repeat: %r", ids)
    exprs = []
    for p in dash["panels"]:
        targets = [x.get("expr", "") for x in p.get("targets", [])]
        check(targets and all(targets), "panel %r has no query", p.get("title"))
        exprs += targets
    used = set(NAME.findall(rules)) | set(NAME.findall("\n".join(exprs)))
    missing = sorted(n for n in used if n not in have)
    check(not missing, "the alerts or the dashboard use metrics the node does not export: %r",
          missing)
    log("dashboard: %d panels; alerts and dashboard use %d metric names, all exported"
        % (len(ids), len(used)))
    t.number("metric_families", len([n for n in have if not n.endswith(("_bucket", "_sum",
                                                                          "_count"))]))

    def head(method, path, origin, extra=None):
        c = http.client.HTTPConnection("127.0.0.1", node.base_port + 100, timeout=10)
        hdrs = {"Origin": origin} if origin else {}
        hdrs.update(extra or {})
        c.request(method, path, headers=hdrs)
        r = c.getresponse()
        if path != "/events":
            r.read()
        h = {k.lower(): v for k, v in r.getheaders()}
        c.close()
        return r.status, h

    st, h = head("GET", "/status", explorer)
    check(st == 200 and h.get("access-control-allow-origin") == explorer
          and h.get("vary") == "Origin", "CORS for an allowed origin: %r", h)
    check("access-control-allow-credentials" not in h, "credentials never allowed: %r", h)
    st, h = head("GET", "/status", "https://evil.example.com")
    check("access-control-allow-origin" not in h, "no CORS for another origin: %r", h)
    st, h = head("OPTIONS", "/", explorer, {"Access-Control-Request-Method": "POST"})
    check(st == 204 and "POST" in h.get("access-control-allow-methods", "")
          and "Content-Type" in h.get("access-control-allow-headers", ""),
          "a preflight: %d %r", st, h)
    st, h = head("GET", "/events", explorer)
    check(st == 200 and h.get("access-control-allow-origin") == explorer,
          "CORS on the event stream: %r", h)

    # logs: JSON and debug on SIGHUP, from node.conf
    conf = os.path.join(node.home, "config", "node.conf")
    with open(conf) as f:
        original = f.read()
    text = re.sub(r"(?m)^\s*#?\s*format\s*=.*$", 'format = "json"', original)
    text = re.sub(r"(?m)^\s*#?\s*level\s*=.*$", 'level = "debug"', text)
    check('format = "json"' in text and 'level = "debug"' in text,
          "node.conf has no [log] format/level lines to edit")
    with open(conf, "w") as f:
        f.write(text)
    node.signal(signal.SIGHUP)
    w.send("transfer", "--to", w.address("bob"), "--amount", "6", frm="alice",
           expect_status="committed")
    time.sleep(0.5)
    lines = [x for x in node.log_tail(400).splitlines() if x.startswith("{")]
    objs = []
    for x in lines:
        try:
            objs.append(json.loads(x))
        except ValueError:
            check(False, "a log line that is not JSON: %r", x)
    check(any(o.get("component") == "node" and "SIGHUP" in o.get("msg", "") for o in objs),
          "the SIGHUP line in JSON: %r", lines[-5:])
    check(any(o.get("level") == "debug" for o in objs), "debug lines after SIGHUP")
    check(all(set(o) == {"time", "level", "component", "msg"} for o in objs),
          "JSON log lines have time, level, component, msg: %r", objs[:3])
    with open(conf, "w") as f:
        f.write(text + "\n[log]\nlevel = \"loud\"\n")
    node.signal(signal.SIGHUP)
    time.sleep(0.5)
    tail = node.log_tail(50)
    check("stay as they were" in tail and "loud" in tail, "a bad node.conf on SIGHUP: %s",
          tail[-600:])
    with open(conf, "w") as f:
        f.write(original)
    node.stop()
    r = t.run_cli([t.bin("yuchaind"), "start", "--home", node.home,
                   "--rpc.cors_allowed_origins", "explorer.example.org/x"],
                  expect=yctest.EX_CONFIG)
    check("cors_allowed_origins" in r.err, "a malformed allow-list: %r", r.err)


if __name__ == "__main__":
    yctest.main(run)
