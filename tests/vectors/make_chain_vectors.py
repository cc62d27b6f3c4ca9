#!/usr/bin/env python3
"""Makes tests/vectors/chain-v2.json (docs/formats.md, "Test vectors") from a fresh
`yuchaind dev` chain: block 1 is a token transfer (alice to bob), block 2 a consent grant
(alice to processor), and the receipt is `yuchain-wallet receipt` of that grant.

Run it after a change to a hashed format, then check the result with
`ctest -R audit_test_vectors`:

    tests/vectors/make_chain_vectors.py BUILD_DIR [OUT]   # OUT: tests/vectors/chain-v2.json

A new chain has new keys and a new genesis time, so every hash in the file changes.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
DESCRIPTION = ("Yuchain test vectors (block format 2): a genesis, two certified blocks and a "
               "consent receipt, made by a yuchaind dev chain. A third-party verifier must "
               "compute every hash below from the bytes given (docs/formats.md, 'Test "
               "vectors'); tests/unit/audit/test_vectors.c checks them with this code.")


def free_base():
    for base in range(30200, 32000, 7):
        try:
            for port in (base, base + 100, base + 200):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
    sys.exit("no free ports")


def get(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        doc = json.load(r)
    return doc.get("result", doc)


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    build = os.path.abspath(sys.argv[1])
    out = sys.argv[2] if len(sys.argv) == 3 else os.path.join(HERE, "chain-v2.json")
    yuchaind = os.path.join(build, "node", "yuchaind")
    wallet_bin = os.path.join(build, "wallet", "yuchain-wallet")
    tmp = tempfile.mkdtemp(prefix="yc-vectors-")
    base = free_base()
    rpc = "http://127.0.0.1:%d" % (base + 100)
    home = os.path.join(tmp, "home")
    node = subprocess.Popen([yuchaind, "dev", "--home", home, "--base-port", str(base)],
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, "log"), "w"))
    try:
        for _ in range(300):
            try:
                get(rpc + "/status")
                break
            except OSError:
                time.sleep(0.1)
        wdir = os.path.join(home, "wallet")

        def wallet(*args):
            r = subprocess.run([wallet_bin, "--wallet-dir", wdir, "--password-file",
                                os.path.join(wdir, "PASSWORD"), "--node", rpc, "--json"]
                               + list(args), capture_output=True, text=True, check=True)
            return json.loads(r.stdout)

        bob = wallet("address", "bob")["address"]
        processor = wallet("address", "processor")["address"]
        wallet("--from", "alice", "transfer", "--to", bob, "--amount", "1500")
        grant = wallet("--from", "alice", "consent", "grant", "--to", processor,
                       "--categories", "health", "--purposes", "research", "--operations",
                       "use", "--until", "2030-01-01T00:00:00Z", "--fee-per-use", "10")
        receipt_file = os.path.join(tmp, "receipt.json")
        wallet("--from", "alice", "receipt", grant["id"], "--out", receipt_file)
        status = get(rpc + "/status")
        blocks = []
        for h in (1, 2):
            j = get(rpc + "/block?height=%d" % h)
            raw = get(rpc + "/block?height=%d&format=raw" % h)
            blocks.append({"height": h, "hash": j["hash"],
                           "state_root": j["header"]["state_root"],
                           "tx_root": j["header"]["tx_root"],
                           "result_root": j["header"]["result_root"],
                           "txs": j["txs"], "results": j["results"], "raw": raw["raw"]})
        if int(status["height"]) != 2 or [len(b["txs"]) for b in blocks] != [1, 1]:
            sys.exit("expected two blocks of one transaction each, got height %s" %
                     status["height"])
        with open(os.path.join(home, "config", "genesis.json")) as f:
            genesis = json.load(f)
        with open(receipt_file) as f:
            receipt = json.load(f)
        doc = {"description": DESCRIPTION, "genesis": genesis,
               "genesis_hash": status["genesis_hash"], "blocks": blocks, "receipt": receipt}
        with open(out, "w") as f:
            json.dump(doc, f, indent=1, ensure_ascii=False)
            f.write("\n")
        print("wrote %s (genesis %s)" % (out, status["genesis_hash"]))
    finally:
        node.send_signal(signal.SIGTERM)
        node.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
