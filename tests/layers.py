#!/usr/bin/env python3
"""layers.py — no include cycle between the node's groups of files, and no deferral
outside the pump.

The node's sources sit in one folder per group, node/src/GROUP/, and GROUPS below names
each group's files (file name without its extension): a file outside its group's folder
fails the check, so the table and the folders cannot drift apart. The check reads every #include "..." line, turns each
include of another group's file into an edge between the groups, and fails when the
groups' graph has a cycle, printing it with one include line per edge; it also fails
when a file is in no group, so a new file must be given one.

It also keeps the node's one way to defer (docs/design/node.md §2): outside the pump
(base/pump.c, pump.h) no file may use a uv_idle or uv_check handle or start a timer
with a literal 0 ms timeout (`uv_timer_start(t, cb, 0, 0)`): work for the next turn is
posted to the pump. A timer armed through a variable that may be 0 (a deadline already due)
is a timer, not a deferral, and passes.

The groups, lowest first (an include may go only down this list, which is what makes
the graph acyclic; the check itself only forbids cycles):
  base   leaf pieces every group reads: logging, the id map, histograms, the next-turn
         pump, and the node's settings and home (config, home, keyfile), which start-up
         fills in and every part reads
  net    the peer-to-peer transport: connections, handshake, slots, message framing
  chain  mempool, signature checks, the consensus driver's shell, block production,
         block sync, events, admission, the node's messages over the transport (net.c),
         the node's state (node.c), its role in the validator set (role.c) and backups
         of its store
  api    the HTTP server, the JSON-RPC and operations listeners, the explorer's assets
  app    start-up and the command line: main, cli, run, chain and home creation,
         the genesis ceremony, testnet

Usage: layers.py SOURCE_DIR
"""
import os
import re
import sys

GROUPS = {
    "base": "log idmap histogram config home homelock keyfile pump",
    "net": "p2p p2p_conn p2p_int p2p_secure p2p_slots netmsg",
    "chain": "mempool verify driver producer sync sync_plan events submit node "
             "node_internal txstate net backup role",
    "api": "httpd httpd_conn httpd_int httpd_tls rpc rpc_admin rpc_backup rpc_events "
           "rpc_impl rpc_json rpc_methods_asset rpc_methods_chain rpc_methods_info "
           "rpc_methods_market rpc_methods_net rpc_methods_state rpc_methods_tx "
           "rpc_params rpc_tls ops explorer",
    "app": "main cli run chain ceremony testnet",
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
# a deferral that bypasses the pump: an idle or check handle, or a 0 ms one-shot timer
DEFERRAL = re.compile(r'\buv_(idle|check)_\w+|\buv_timer_start\s*\([^;]*,\s*0\s*,\s*0\s*\)')
PUMP = (os.path.join("base", "pump.c"), os.path.join("base", "pump.h"))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: layers.py SOURCE_DIR")
    root = os.path.join(sys.argv[1], "node", "src")
    group_of = {}
    for g, names in GROUPS.items():
        for name in names.split():
            group_of[name] = g
    files = []
    for d, _, names in os.walk(root):
        files += [os.path.join(d, n) for n in names if n.endswith((".c", ".h"))]
    unplaced = sorted({os.path.relpath(f, root) for f in files
                       if os.path.splitext(os.path.basename(f))[0] not in group_of})
    if unplaced:
        print("layers: files in no group (add each to GROUPS in tests/layers.py):")
        for f in unplaced:
            print("  " + f)
        return 1
    misplaced = sorted(os.path.relpath(f, root) for f in files
                       if os.path.basename(os.path.dirname(f))
                       != group_of[os.path.splitext(os.path.basename(f))[0]])
    if misplaced:
        print("layers: files outside their group's folder (node/src/GROUP/, GROUPS in "
              "tests/layers.py):")
        for f in misplaced:
            print("  %s (group %s)" % (f, group_of[os.path.splitext(os.path.basename(f))[0]]))
        return 1
    deferrals = []
    for f in sorted(files):
        if os.path.relpath(f, root) in PUMP:
            continue
        with open(f, encoding="utf-8") as fh:
            for no, line in enumerate(fh, 1):
                if DEFERRAL.search(line):
                    deferrals.append("%s:%d: %s" % (os.path.relpath(f, root), no, line.strip()))
    if deferrals:
        print("layers: deferrals outside the pump (post a yc_pump_item instead, "
              "node/src/base/pump.h):")
        for d in deferrals:
            print("  " + d)
        return 1
    edges = {}  # (from group, to group) -> first include line making it
    for f in sorted(files):
        src = group_of[os.path.splitext(os.path.basename(f))[0]]
        with open(f, encoding="utf-8") as fh:
            for no, line in enumerate(fh, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                if "/" in m.group(1):
                    continue  # another module's header (yc/...)
                name = os.path.splitext(os.path.basename(m.group(1)))[0]
                dst = group_of.get(name)
                if dst is not None and dst != src and (src, dst) not in edges:
                    edges[(src, dst)] = "%s:%d: %s" % (os.path.relpath(f, root), no,
                                                       line.strip())
    graph = {g: sorted(b for (a, b) in edges if a == g) for g in GROUPS}
    # depth-first search for a cycle: a group met again while still on the path
    state = {g: 0 for g in GROUPS}  # 0 unseen, 1 on the path, 2 done
    path = []

    def visit(g):
        state[g] = 1
        path.append(g)
        for h in graph[g]:
            if state[h] == 1:
                return path[path.index(h):] + [h]
            if state[h] == 0:
                cyc = visit(h)
                if cyc:
                    return cyc
        path.pop()
        state[g] = 2
        return None

    for g in GROUPS:
        if state[g] == 0:
            cyc = visit(g)
            if cyc:
                print("layers: the groups include each other in a cycle: " + " -> ".join(cyc))
                for a, b in zip(cyc, cyc[1:]):
                    print("  %s -> %s: %s" % (a, b, edges[(a, b)]))
                return 1
    print("layers: ok (%d files in %d groups, no cycle, no deferral outside the pump)"
          % (len(files), len(GROUPS)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
