# ports.sh — free loopback ports for local nodes. Sourced by scripts/bench and
# scripts/audit-bench (bash).

# yc_free_base_port N: prints a base port P such that P+i (p2p), P+100+i (RPC) and
# P+200+i (operations) are free on 127.0.0.1 for i in 0..N-1, the layout of
# `yuchaind testnet --base-port` and `yuchaind dev --base-port`. P is drawn below the
# kernel's ephemeral ports (32768-), so that outgoing connections do not take them.
yc_free_base_port()
{
    python3 - "$1" <<'PY'
import random, socket, sys
n = int(sys.argv[1])
for _ in range(500):
    p = random.randrange(20000, 32400)
    try:
        for i in range(n):
            for port in (p + i, p + 100 + i, p + 200 + i):
                s = socket.socket(); s.bind(("127.0.0.1", port)); s.close()
        print(p); break
    except OSError:
        pass
else:
    sys.exit("no free base port found for %d node(s)" % n)
PY
}
