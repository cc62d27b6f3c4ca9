#!/usr/bin/env python3
"""The genesis ceremony through the real `yuchaind` (docs/operator.md, "Joining a
consortium"), without starting nodes.

Three organisations (the exchange and two agencies) each run `keys` in their own home:
key files 0600, the printed public part carries no secret, a second run keeps the keys.
One assembles: `genesis new`, `add-validator` of each part, `add-account`, `finalize`;
every party re-derives the hash (`genesis hash`, `init --genesis-hash`). Each mistake is
refused with the field named and what is allowed, and the draft is left as it was: a
bad chain id, a draft written over, a changed or forged public part (signature), an
unknown or missing field, a validator added twice, a name taken, an unknown role,
finalize of an incomplete draft (no validator; no exchange account), a change to a
finalized genesis, a draft or an old genesis with validator addresses given to init,
a wrong --genesis-hash (init writes nothing). Then init with the keys' home makes a
validator, a home without them an observer.
"""

import json
import os

import yctest
from yctest import check, check_eq

EX_DATAERR, EX_USAGE, EX_FAILED = 65, 2, 1


def run(t):
    y = t.bin("yuchaind")
    tmp = t.tmp

    def yd(*args, expect=0):
        return t.run_cli([y] + [str(a) for a in args], expect=expect)

    def refused(args, code, *needles):
        r = yd(*args, expect=code)
        for n in needles:
            check(n in r.err, "%s: message lacks %r: %r", " ".join(map(str, args[:2])), n, r.err)
        return r

    orgs = [("exchange", "Chongqing Data Exchange"), ("agency1", "Chongqing Big Data Bureau"),
            ("agency2", "Sichuan Data Bureau")]
    parts = {}
    for name, org in orgs:
        home = os.path.join(tmp, name)
        r = yd("keys", "--home", home, "--org", org, "--name", name)
        doc = json.loads(r.out)
        check_eq(sorted(doc), ["name", "org", "pub_key", "sig", "type", "version"],
                 "public part members")
        check_eq((doc["org"], doc["name"]), (org, name), "public part org and name")
        for f in ("validator_key.json", "node_key.json"):
            path = os.path.join(home, "config", f)
            check_eq(oct(os.stat(path).st_mode & 0o777), oct(0o600), f + " mode")
            with open(path) as fh:
                secret = json.load(fh)["secret_key"]
            check(secret not in r.out and secret not in r.err, "keys printed a secret key")
        again = yd("keys", "--home", home, "--org", org, "--name", name, "--json")
        check_eq(json.loads(again.out)["pub_key"], doc["pub_key"], "keys run again: same key")
        path = os.path.join(tmp, name + ".json")
        with open(path, "w") as fh:
            fh.write(r.out)
        parts[name] = (path, doc)
    refused(["keys", "--home", os.path.join(tmp, "x"), "--org", "A" * 70], EX_USAGE, "--name")

    g = os.path.join(tmp, "genesis.json")
    refused(["genesis", "new", "--chain-id", "cq consortium", "--out", g], EX_USAGE,
            "chain_id", "letters, digits")
    check(not os.path.exists(g), "a refused genesis new wrote a file")
    refused(["genesis", "new", "--chain-id", "cq", "--out", g, "--max-block-txs", "0"],
            EX_USAGE, "params.max_block_txs", "1..65536")
    yd("genesis", "new", "--chain-id", "cq-consortium", "--out", g, "--time",
       "2026-12-01T08:00:00+08:00", "--notice-blocks", "10")
    refused(["genesis", "new", "--chain-id", "cq-consortium", "--out", g], EX_FAILED, "exists")
    refused(["genesis", "finalize", "--genesis", g], EX_DATAERR, "not complete", "validators")

    for name, _ in orgs:
        r = yd("genesis", "add-validator", "--genesis", g, "--from", parts[name][0], "--json")
        check_eq(json.loads(r.out)["name"], name, "add-validator --json name")

    def snapshot():
        with open(g) as fh:
            return fh.read()

    before = snapshot()
    refused(["genesis", "add-validator", "--genesis", g, "--from", parts["agency1"][0]],
            EX_DATAERR, "already validators[1]")
    refused(["genesis", "add-validator", "--genesis", g, "--from", parts["agency1"][0],
             "--org-account", "yc1nope"], EX_DATAERR, "--org-account \"yc1nope\"")
    # a changed part: the org renamed, a name swapped, the key replaced by another's
    for field, value in (("org", "Evil Corp"), ("name", "agency9"),
                         ("pub_key", parts["exchange"][1]["pub_key"])):
        doc = dict(parts["agency2"][1])
        doc[field] = value
        bad = os.path.join(tmp, "bad.json")
        with open(bad, "w") as fh:
            json.dump(doc, fh)
        refused(["genesis", "add-validator", "--genesis", g, "--from", bad], EX_DATAERR,
                "sig: does not verify")
    for doc, needle in (({**parts["agency2"][1], "address": "10.0.0.1:27600"}, "unknown field"),
                        ({k: v for k, v in parts["agency2"][1].items() if k != "sig"},
                         "sig: missing")):
        with open(bad, "w") as fh:
            json.dump(doc, fh)
        refused(["genesis", "add-validator", "--genesis", g, "--from", bad], EX_DATAERR, needle)
    # the same name under another key
    other = os.path.join(tmp, "other")
    r = yd("keys", "--home", other, "--org", "Other", "--name", "agency1")
    with open(bad, "w") as fh:
        fh.write(r.out)
    refused(["genesis", "add-validator", "--genesis", g, "--from", bad], EX_DATAERR,
            "name \"agency1\" is already")
    check_eq(snapshot(), before, "the draft after refused add-validator")

    refused(["genesis", "finalize", "--genesis", g], EX_DATAERR, "not complete",
            "role \"exchange\"")
    ex_addr = parts["exchange"][1]["pub_key"]  # any valid key address will do
    refused(["genesis", "add-account", "--genesis", g, "--name", "Exchange", "--pub", ex_addr,
             "--role", "king"], EX_DATAERR, "role \"king\"", "exchange, agency")
    refused(["genesis", "add-account", "--genesis", g, "--name", "Exchange", "--pub", "yc1nope",
             "--role", "exchange"], EX_DATAERR, "accounts[0].address")
    check_eq(snapshot(), before, "the draft after refused add-account")
    yd("genesis", "add-account", "--genesis", g, "--name", "Chongqing Data Exchange", "--pub",
       ex_addr, "--role", "exchange", "--balance", "1000000")
    # a draft is not a genesis yet
    refused(["genesis", "hash", g], EX_DATAERR, "draft", "genesis finalize")
    refused(["init", "--home", os.path.join(tmp, "exchange"), "--genesis", g], 78, "draft")

    r = yd("genesis", "finalize", "--genesis", g, "--json")
    fin = json.loads(r.out)
    check_eq((fin["validators"], fin["accounts"], fin["chain_id"]), (3, 1, "cq-consortium"),
             "finalize --json")
    h = fin["genesis_hash"]
    check_eq(yd("genesis", "hash", g).out.strip(), h, "genesis hash FILE")
    check_eq(yd("genesis", "finalize", "--genesis", g).out.strip(), h, "finalize again")
    with open(g) as fh:
        doc = json.load(fh)
    check("draft" not in doc, "a finalized genesis is marked draft")
    check_eq([v["name"] for v in doc["validators"]], ["exchange", "agency1", "agency2"],
             "validator order")
    # no --org-account given: the exchange's account approves for every validator, written
    # out by finalize (docs/formats.md, genesis.json -> the hashed genesis)
    check(all(sorted(v) == ["name", "org", "pub_key"] for v in doc["validators"]),
          "validators carry other than name, org and key: %r" % doc["validators"])
    check(all(v["org"] == ex_addr for v in doc["validators"]),
          "validators' org is not the exchange account: %r" % doc["validators"])
    check_eq(doc["genesis_time"], "2026-12-01T00:00:00.000Z", "genesis time in UTC")
    refused(["genesis", "add-account", "--genesis", g, "--name", "X", "--pub", ex_addr],
            EX_DATAERR, "finalized", h)

    wrong = h[:-1] + ("0" if h[-1] != "0" else "1")
    refused(["genesis", "hash", "--genesis", g, "--genesis-hash", wrong], EX_FAILED, h, wrong)
    yd("genesis", "hash", "--genesis", g, "--genesis-hash", h.upper())
    home = os.path.join(tmp, "exchange")
    refused(["init", "--home", home, "--genesis", g, "--genesis-hash", wrong], EX_FAILED, h,
            wrong)
    check(not os.path.exists(os.path.join(home, "config", "genesis.json")),
          "init with a wrong hash wrote a genesis")
    refused(["init", "--home", home, "--genesis", g, "--genesis-hash", "abc"], EX_USAGE,
            "64 hex digits")

    # an old genesis (validator addresses) is refused, naming the field and where it went
    old = dict(doc)
    old["validators"] = [dict(v, address="127.0.0.1:27600") for v in doc["validators"]]
    oldf = os.path.join(tmp, "old-genesis.json")
    with open(oldf, "w") as fh:
        json.dump(old, fh)
    refused(["init", "--home", os.path.join(tmp, "old"), "--genesis", oldf], 78,
            "validators[0].address", "persistent_peers")

    for i, (name, _) in enumerate(orgs):
        r = yd("init", "--home", os.path.join(tmp, name), "--genesis", g, "--genesis-hash", h)
        check("validator %d (\"%s\")" % (i, name) in r.err, "init of %s: %r" % (name, r.err))
        check_eq(yd("genesis", "hash", os.path.join(tmp, name, "config", "genesis.json"))
                 .out.strip(), h, "the home's genesis hash")
    r = yd("init", "--home", os.path.join(tmp, "watcher"), "--genesis", g, "--genesis-hash", h)
    check("observer" in r.err, "init without keys: %r" % r.err)


if __name__ == "__main__":
    yctest.main(run)
