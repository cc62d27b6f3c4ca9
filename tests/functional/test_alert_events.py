#!/usr/bin/env python3
"""The event stream: alerts, ids, resuming, filters (docs/rpc.md "Events").

Alerts reach the stream: a regulator's policy watches an account; that account's next act
raises an alert that `GET /events` streams as `event: alert`, that the `alerts` RPC
serves, and that `yuchain-audit violations` lists from its own replay.

Ids and resuming: every event of a committed block carries `id: H:K` (its transactions,
then the block, then its alerts); only refusals and expiries have none. A stream
opened with `?after=0:end` replays from the store exactly the events the live stream
sent (same kinds, ids and data); `Last-Event-ID` wins over `?after=`; `?types=` and
`?account=` filter; a bad parameter is answered 400 naming it.
"""

import json
import socket
import threading
import time
import urllib.error
import urllib.request

import yctest
from yctest import check, check_eq


def read_events(url, out, stop, query="", headers=None, until=None):
    """Collects (event, data) pairs from an SSE stream until `stop` is set (or the event
    with id `until` arrived); with ids (event, id, data) goes to out_ids if given."""
    try:
        req = urllib.request.Request(url + "/events" + query, headers=headers or {})
        with urllib.request.urlopen(req, timeout=30) as resp:
            event, eid = None, None
            for raw in resp:
                line = raw.decode("utf-8").rstrip("\r\n")
                if line.startswith("event:"):
                    event, eid = line[6:].strip(), None
                elif line.startswith("id:"):
                    eid = line[3:].strip()
                elif line.startswith("data:") and event is not None:
                    out.append((event, eid, json.loads(line[5:].strip())))
                    event = None
                    if until is not None and eid == until:
                        return
                if stop.is_set():
                    return
    except (OSError, socket.timeout, ValueError):
        return


def stream(url, query="", headers=None, until=None, secs=5.0):
    """The events of one stream, read until the event with id `until` (or for `secs`)."""
    out, stop = [], threading.Event()
    th = threading.Thread(target=read_events, args=(url, out, stop, query, headers, until),
                          daemon=True)
    th.start()
    th.join(secs)
    stop.set()
    return list(out)


def http_status(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


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
        alerts = [d for (e, _, d) in events if e == "alert"]
        if alerts:
            break
        time.sleep(0.2)
    check_eq(len(alerts), 1, "alert events streamed (only alice's act is watched)")
    a = alerts[0]
    check_eq(a["kind"], "watched_account", "alert kind")
    check_eq(a["tx"], j["id"], "alert names the transaction")
    check_eq(a["account"], alice, "alert names the account")
    check_eq(a["height"], j["height"], "alert height")

    served = node.rpc.get_ok("alerts")["alerts"]
    check_eq([x["tx"] for x in served], [j["id"]], "alerts RPC")

    # ---- ids: H:K in the block's order ----
    tip = node.height()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not any(
            e == "block" and d["height"] == str(tip) for (e, _, d) in events):
        time.sleep(0.2)
    time.sleep(0.5)
    stop.set()
    live = list(events)
    for (e, eid, d) in live:
        check(eid is not None or (e == "tx" and d["status"] in ("refused", "expired")),
              "an event without an id that is not a refusal or an expiry: %s %r", e, d)
    for (e, eid, d) in live:
        if eid is None:
            continue
        h, k = eid.split(":")
        check_eq(h, d["height"], "the id %s's height (%s event)" % (eid, e))
        if e == "tx":
            check_eq(k, d["index"], "a tx event's ordinal is its index")
        elif e == "block":
            check_eq(k, d["tx_count"], "a block event's ordinal is its tx count")
    alert_ev = [x for x in live if x[0] == "alert"][0]
    block_of_alert = [x for x in live if x[0] == "block" and x[2]["height"] == j["height"]][0]
    check_eq(alert_ev[1], "%s:%d" % (j["height"], int(block_of_alert[2]["tx_count"]) + 1),
             "the alert's id follows its block's event")

    # ---- the replay is the live stream, from the store ----
    with_ids = [x for x in live if x[1] is not None]
    last = with_ids[-1][1]
    first_h = int(with_ids[0][1].split(":")[0])
    replayed = stream(node.rpc_url, "?after=%d:end" % (first_h - 1), until=last)
    check_eq(replayed, with_ids, "events replayed with ?after= (kind, id, data)")
    # the header wins over ?after=, as when EventSource reconnects
    mid = with_ids[len(with_ids) // 2][1]
    again = stream(node.rpc_url, "?after=0:end", headers={"Last-Event-ID": mid}, until=last)
    check_eq(again, with_ids[len(with_ids) // 2 + 1:], "events after Last-Event-ID %s" % mid)

    # ---- filters ----
    only_bob = stream(node.rpc_url, "?after=0:end&types=tx&account=" + bob, secs=3)
    check(only_bob and all(e == "tx" for (e, _, _) in only_bob),
          "?types=tx gives tx events only: %r", only_bob)
    check(all(d["id"] != j["id"] for (_, _, d) in only_bob), "alice's tx not in bob's stream")
    blocks_only = stream(node.rpc_url, "?after=0:end&types=block", secs=3)
    check(blocks_only and all(e == "block" for (e, _, _) in blocks_only), "?types=block")
    for query, field in (("?types=blocks", "types"), ("?account=yc1nope", "account"),
                         ("?after=7", "after"), ("?frm=1", "frm")):
        code, body = http_status(node.rpc_url + "/events" + query)
        check(code == 400 and field in body, "/events%s: expected 400 naming %s, got %d %s",
              query, field, code, body)

    node.stop()
    r = t.audit("violations", "--home", node.home, "--json", expect=0)
    check(j["id"] in r.out, "violations lists the alert: %r", r)
    t.number("alert_events", len(alerts))


if __name__ == "__main__":
    yctest.main(run)
