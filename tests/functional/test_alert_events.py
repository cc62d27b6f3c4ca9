#!/usr/bin/env python3
"""Alerts reach the event stream (issue 5): a regulator's policy watches an account; that
account's next act raises an alert that `GET /events` streams as `event: alert`, that the
`alerts` RPC serves, and that `yuchain-audit violations` lists from its own replay.
"""

import json
import socket
import threading
import time
import urllib.request

import yctest
from yctest import check, check_eq


def read_events(url, out, stop):
    """Collects (event, data) pairs from an SSE stream until `stop` is set."""
    try:
        with urllib.request.urlopen(url + "/events", timeout=30) as resp:
            event = None
            for raw in resp:
                line = raw.decode("utf-8").rstrip("\r\n")
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event is not None:
                    out.append((event, json.loads(line[5:].strip())))
                    event = None
                if stop.is_set():
                    return
    except (OSError, socket.timeout, ValueError):
        return


def run(t):
    node = t.start_dev_node()
    w = t.wallet(node)
    alice, bob = w.address("alice"), w.address("bob")
    events, stop = [], threading.Event()
    reader = threading.Thread(target=read_events, args=(node.rpc_url, events, stop), daemon=True)
    reader.start()
    time.sleep(0.5)

    w.send("policy", "set", "--alert-accounts", alice, frm="regulator", expect_status="committed")
    j = w.send("transfer", "--to", bob, "--amount", "7", frm="alice", expect_status="committed")
    w.send("transfer", "--to", alice, "--amount", "1", frm="bob", expect_status="committed")

    deadline = time.monotonic() + 10
    alerts = []
    while time.monotonic() < deadline:
        alerts = [d for (e, d) in events if e == "alert"]
        if alerts:
            break
        time.sleep(0.2)
    stop.set()
    check_eq(len(alerts), 1, "alert events streamed (only alice's act is watched)")
    a = alerts[0]
    check_eq(a["kind"], "watched_account", "alert kind")
    check_eq(a["tx"], j["id"], "alert names the transaction")
    check_eq(a["account"], alice, "alert names the account")
    check_eq(a["height"], j["height"], "alert height")

    served = node.rpc.get_ok("alerts")["alerts"]
    check_eq([x["tx"] for x in served], [j["id"]], "alerts RPC")

    node.stop()
    r = t.audit("violations", "--home", node.home, "--json", expect=0)
    check(j["id"] in r.out, "violations lists the alert: %r", r)
    t.number("alert_events", len(alerts))


if __name__ == "__main__":
    yctest.main(run)
