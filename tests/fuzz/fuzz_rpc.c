/*
 * fuzz_rpc.c — the node's HTTP server and JSON-RPC layer, end to end (node/src/api/httpd.h,
 * rpc.h; TESTING.md D1 and the request abuse of D4, by mutation).
 *
 * The HTTP parser and the JSON-RPC request handling have no pure entry point (they are
 * static in httpd_conn.c and rpc.c, driven by libuv), so the harness drives the real
 * listener: yc_rpc_start on 127.0.0.1 with a port of its own, over the fake node of the
 * RPC unit tests (tests/unit/node/rpcfake_node.c) holding a real LevelDB store with one
 * committed block (a consent grant and a use of it, fixture.c). Each input is written as
 * is on a fresh connection, which is then half-closed; the harness reads until the server
 * closes. Small limits (64 KiB bodies, 8-entry batches, 20 ms commit wait) put every
 * refusal within reach.
 *
 * Properties, any violation aborts:
 * - no crash, out-of-bounds access, leak or hang in the server, whatever the bytes;
 * - whatever the server sends starts with an HTTP/1.1 status line, and never 500 (the
 *   handler failed to answer, or an internal error on a healthy node);
 * - the server closes the connection after the client went away (no descriptor or
 *   connection is kept: yc_httpd_connections returns to 0).
 */
/* yc-fuzz-link: yc_node */
/* yc-fuzz-src: fixture.c */
#define _XOPEN_SOURCE 700 /* nftw */
#include <ftw.h>
#include <signal.h>

#include "../unit/node/rpcfake_node.c"

#include "fixture.h"
#include "rpc.h"
#include "rpc_impl.h"
#include "yc/block.h"
#include "yc/ledger.h"
#include "yc/merkle.h"
#include "yc/state.h"
#include "yc/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define WAIT_NS (2000ull * 1000 * 1000) /* how long the server gets to answer and close */

static uv_loop_t loop;
static struct yc_node node;
static yc_rpc *rpc;
static uint16_t port;
static char dir[64];

static void die(const char *why) __attribute__((noreturn));

static void die(const char *why)
{
    fprintf(stderr, "fuzz_rpc: %s\n", why);
    abort();
}

/* Block 1: the fixture's two transactions, executed by core and certified by validator 0. */
static void commit_block(store *st)
{
    struct yc_tx txs[2];
    struct store_tip tip;
    struct yc_block_header h;
    struct yc_block blk;
    struct yc_cert cert;
    struct yc_buf bb;
    yc_overlay *o;
    const struct yc_write *w;
    size_t nw;
    uint8_t hash[YC_HASH_LEN], vote[YC_HASH_LEN], aux[32] = {0};

    fz_chain_txs(txs);
    if (store_tip(st, &tip) != YC_OK) {
        die("store_tip");
    }
    struct yc_state_src src = store_state_src(st);
    struct yc_exec_ctx ctx = {.g = &node.g, .height = 1, .time_ms = FZ_TIME0 + 1000};
    if (yc_overlay_create(&o, &src) != YC_OK || yc_exec_tx(o, &ctx, &txs[0], 0) != YC_OK ||
        yc_exec_tx(o, &ctx, &txs[1], 1) != YC_OK || yc_overlay_writes(o, &w, &nw) != YC_OK) {
        die("executing the fixture's block");
    }
    memset(&h, 0, sizeof h);
    snprintf(h.chain_id, sizeof h.chain_id, "%s", node.g.chain_id);
    h.height = 1;
    h.time_ms = ctx.time_ms;
    memcpy(h.prev_hash, tip.hash, YC_HASH_LEN);
    if (yc_block_header_seal(&h, txs, NULL, 2) != YC_OK) {
        die("roots");
    }
    yc_state_root_next(h.state_root, node.g.chain_id, tip.state_root, w, nw);
    memset(&cert, 0, sizeof cert);
    cert.nsigs = 1;
    yc_signer *v = fz_signer(0);
    if (yc_header_hash(&h, hash) != YC_OK) {
        die("header hash");
    }
    yc_vote_hash(vote, node.g.chain_id, "commit", 1, 0, hash);
    if (yc_sig_sign(v, cert.sigs[0].sig, vote, aux) != YC_OK) {
        die("sign");
    }
    yc_signer_destroy(v);
    yc_buf_init(&bb, 0);
    if (yc_block_encode(&bb, &h, txs, NULL, 2, &cert) != YC_OK ||
        yc_block_decode(&blk, bb.data, bb.len) != YC_OK ||
        store_commit_block(st, &blk, w, nw) != YC_OK) {
        die("committing the fixture's block");
    }
    yc_buf_cleanup(&bb);
    yc_block_cleanup(&blk);
    yc_overlay_destroy(o);

    node.status.height = 1;
    node.status.last_block_time_ms = ctx.time_ms;
    node.has_known = true;
    memcpy(node.known_id, txs[0].id, YC_HASH_LEN);
    node.known_status.state = YC_TXS_COMMITTED;
    node.known_status.height = 1;
    node.known_status.index = 0;
    yc_tx_cleanup(&txs[0]);
    yc_tx_cleanup(&txs[1]);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void cleanup(void)
{
    yc_rpc_stop(rpc);
    fk_pump(&loop, 20);
    store_close(node.st);
    node.st = NULL;
    fk_cleanup(&node);
    fk_pump(&loop, 5);
    (void)uv_loop_close(&loop);
    (void)nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    struct yc_rpc_config c;
    char err[256];
    store *st;

    (void)argc;
    (void)argv;
    signal(SIGPIPE, SIG_IGN);
    if (uv_loop_init(&loop) != 0) {
        die("uv_loop_init");
    }
    fk_init(&node, &loop);
    yc_genesis_cleanup(&node.g);
    fz_genesis(&node.g, 1);
    node.status.chain_id = node.g.chain_id;
    snprintf(dir, sizeof dir, "/tmp/yc-fuzz-rpc-XXXXXX");
    if (mkdtemp(dir) == NULL) {
        die("mkdtemp");
    }
    if (store_open(&st, dir, true, &node.g, err, sizeof err) != YC_OK) {
        die(err);
    }
    node.st = st;
    commit_block(st);

    yc_rpc_config_default(&c);
    c.laddr = "127.0.0.1:0";
    c.max_body_bytes = 64u << 10;
    c.max_header_bytes = 4u << 10;
    c.max_batch = 8;
    c.commit_timeout_ms = 20;
    c.max_connections = 16;
    if (yc_rpc_start(&rpc, &node, &c) != YC_OK) {
        die("yc_rpc_start");
    }
    port = yc_rpc_port(rpc);
    atexit(cleanup);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char head[16];
    size_t got = 0;
    bool closed = false;

    int fd = fk_connect(port);
    if (fd < 0) {
        die("cannot connect to the listener");
    }
    /* The server may answer and close before reading everything (413, 431): a failed
     * send is fine, the connection is then gone. */
    (void)fk_send(&loop, fd, data, size);
    (void)shutdown(fd, SHUT_WR);

    uint64_t end = uv_hrtime() + WAIT_NS;
    while (!closed && uv_hrtime() < end) {
        char buf[16384];
        uv_run(&loop, UV_RUN_NOWAIT);
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n > 0) {
            if (got < sizeof head) {
                size_t k = (size_t)n < sizeof head - got ? (size_t)n : sizeof head - got;
                memcpy(head + got, buf, k);
            }
            got += (size_t)n;
        } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
            closed = true;
        } else {
            struct pollfd pfd = {.fd = fd, .events = POLLIN};
            (void)poll(&pfd, 1, 1);
        }
    }
    close(fd);
    if (getenv("YC_FUZZ_TRACE") != NULL) { /* to check what the seeds reach */
        fprintf(stderr, "fuzz_rpc: %zu bytes in, %zu bytes out: %.12s\n", size, got,
                got >= 12 ? head : "(nothing)");
    }
    if (!closed) {
        die("the server kept a half-closed connection open");
    }
    if (got > 0 && (got < 12 || memcmp(head, "HTTP/1.1 ", 9) != 0)) {
        die("the answer does not start with an HTTP/1.1 status line");
    }
    if (got >= 12 && memcmp(head + 9, "500", 3) == 0) {
        die("500 Internal Server Error");
    }
    end = uv_hrtime() + WAIT_NS;
    while (yc_httpd_connections(rpc->httpd) > 0) {
        if (uv_hrtime() > end) {
            die("a connection stays open after the client closed it");
        }
        uv_run(&loop, UV_RUN_NOWAIT);
    }
    uv_run(&loop, UV_RUN_NOWAIT); /* the fake node's deferred callbacks */
    return 0;
}
