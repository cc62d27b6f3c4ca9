/*
 * test_rpc_state.c — the methods that read committed data (block, blockchain, tx,
 * tx_proof, account, consents, usage) against a real LevelDB store holding a block
 * built and executed with core: a consent grant and a use of it. The proof returned by
 * tx_proof is checked with core's verifier, as a wallet would check it offline.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>
#include <ftw.h>
#include <jansson.h>

#include "rpcfake_node.c"

#include "rpc.h"
#include "yc/ledger.h"
#include "yc/merkle.h"
#include "yc/objects.h"
#include "yc/state.h"
#include "yc/store.h"
#include "yc/txschema.h"

struct env {
    uv_loop_t loop;
    struct yc_node node;
    yc_rpc *rpc;
    uint16_t port;
    char dir[64];
    uint8_t alice[YC_PUBKEY_LEN], proc[YC_PUBKEY_LEN];
    char alice_addr[YC_ADDR_MAX], proc_addr[YC_ADDR_MAX];
    struct yc_block blk;
    uint8_t grant_id[YC_HASH_LEN], use_id[YC_HASH_LEN];
};

static void set_account(struct yc_genesis_account *a, uint8_t seed, const char *role,
                        const char *name, uint64_t balance)
{
    yc_signer *s;
    fk_signer(&s, seed);
    yc_signer_pubkey(s, a->pub);
    yc_signer_destroy(s);
    snprintf(a->role, sizeof(a->role), "%s", role);
    snprintf(a->name, sizeof(a->name), "%s", name);
    snprintf(a->jurisdiction, sizeof(a->jurisdiction), "CN-CQ");
    a->balance = balance;
}

/* Body u of `type` written through the schema, signed by key `seed` and decoded. */
static void signed_tx(struct env *e, uint8_t seed, uint64_t nonce, enum yc_tx_type type,
                      const union yc_tx_body *u, struct yc_tx *out)
{
    yc_signer *s;
    fk_signer(&s, seed);
    struct yc_buf body, b;
    yc_buf_init(&body, 0);
    yc_buf_init(&b, 0);
    assert_int_equal(yc_tx_body_encode(&body, type, u, yc_tx_body_present(type, u)), YC_OK);
    uint8_t id[YC_HASH_LEN], aux[32] = {0};
    assert_int_equal(
        yc_tx_build_signed(&b, id, e->node.g.chain_id, type, s, nonce, body.data, body.len, aux),
        YC_OK);
    assert_int_equal(yc_tx_decode(out, b.data, b.len), YC_OK);
    yc_buf_cleanup(&body);
    yc_buf_cleanup(&b);
    yc_signer_destroy(s);
}

static void build_chain(struct env *e)
{
    /* genesis: exchange (seed 2), alice (3, individual), processor (4) */
    struct yc_genesis *g = &e->node.g;
    yc_free(g->accounts);
    g->accounts = yc_calloc(3, sizeof(*g->accounts));
    g->naccounts = 3;
    set_account(&g->accounts[0], 2, "exchange", "Exchange", 1000);
    set_account(&g->accounts[1], 3, "individual", "Alice", 500);
    set_account(&g->accounts[2], 4, "processor", "Proc", 900);
    assert_int_equal(yc_genesis_finalize(g), YC_OK);
    memcpy(e->alice, g->accounts[1].pub, YC_PUBKEY_LEN);
    memcpy(e->proc, g->accounts[2].pub, YC_PUBKEY_LEN);
    assert_int_equal(yc_addr_encode(e->alice_addr, e->alice), YC_OK);
    assert_int_equal(yc_addr_encode(e->proc_addr, e->proc), YC_OK);

    snprintf(e->dir, sizeof(e->dir), "/tmp/yc-rpcstate-XXXXXX");
    assert_non_null(mkdtemp(e->dir));
    char err[256];
    store *st;
    assert_int_equal(store_open(&st, e->dir, true, g, err, sizeof(err)), YC_OK);
    e->node.st = st;
    struct store_tip tip;
    assert_int_equal(store_tip(st, &tip), YC_OK);
    uint64_t t = tip.time_ms + 1000;

    /* tx 0: alice grants the processor a consent; tx 1: the processor uses it */
    struct yc_tx txs[2];
    union yc_tx_body u;
    struct yc_body_consent_grant *cg = &u.consent_grant;
    memset(&u, 0, sizeof u);
    cg->categories.items[cg->categories.n++] = (struct yc_slice){"health", 6};
    cg->fee_per_use = 3;
    cg->jurisdiction = (struct yc_slice){"CN-CQ", 5};
    cg->operations.items[cg->operations.n++] = (struct yc_slice){"use", 3};
    memcpy(cg->processor, e->proc, YC_PUBKEY_LEN);
    cg->purposes.items[cg->purposes.n++] = (struct yc_slice){"research", 8};
    cg->until = t + 86400000;
    signed_tx(e, 3, 0, YC_TX_CONSENT_GRANT, &u, &txs[0]);
    memcpy(e->grant_id, txs[0].id, YC_HASH_LEN);
    struct yc_body_usage_record *r = &u.usage_record;
    memset(&u, 0, sizeof u);
    r->category = (struct yc_slice){"health", 6};
    r->has_consent = true;
    memcpy(r->consent, e->grant_id, YC_HASH_LEN);
    r->operation = (struct yc_slice){"use", 3};
    r->purpose = (struct yc_slice){"research", 8};
    signed_tx(e, 4, 0, YC_TX_USAGE_RECORD, &u, &txs[1]);
    memcpy(e->use_id, txs[1].id, YC_HASH_LEN);

    /* execute, commit with a one-validator certificate */
    yc_overlay *o;
    struct yc_state_src src = store_state_src(st);
    assert_int_equal(yc_overlay_create(&o, &src), YC_OK);
    struct yc_exec_ctx ctx = {.g = g, .height = 1, .time_ms = t};
    for (uint32_t i = 0; i < 2; i++)
        assert_int_equal(yc_exec_tx(o, &ctx, &txs[i], i), YC_OK);
    const struct yc_write *w;
    size_t nw;
    assert_int_equal(yc_overlay_writes(o, &w, &nw), YC_OK);
    struct yc_block_header h;
    memset(&h, 0, sizeof(h));
    snprintf(h.chain_id, sizeof(h.chain_id), "%s", g->chain_id);
    h.height = 1;
    h.time_ms = t;
    memcpy(h.prev_hash, tip.hash, YC_HASH_LEN);
    assert_int_equal(yc_block_header_seal(&h, txs, NULL, 2), YC_OK);
    yc_state_root_next(h.state_root, g->chain_id, tip.state_root, w, nw);
    uint8_t hash[YC_HASH_LEN], vote[YC_HASH_LEN], aux[32] = {0};
    assert_int_equal(yc_header_hash(&h, hash), YC_OK);
    yc_vote_hash(vote, g->chain_id, "commit", 1, 0, hash);
    struct yc_cert *cert = calloc(1, sizeof(*cert));
    cert->nsigs = 1;
    yc_signer *v;
    fk_signer(&v, 1);
    assert_int_equal(yc_sig_sign(v, cert->sigs[0].sig, vote, aux), YC_OK);
    yc_signer_destroy(v);
    struct yc_buf bb;
    yc_buf_init(&bb, 0);
    assert_int_equal(yc_block_encode(&bb, &h, txs, NULL, 2, cert), YC_OK);
    free(cert);
    assert_int_equal(yc_block_decode(&e->blk, bb.data, bb.len), YC_OK);
    yc_buf_cleanup(&bb);
    assert_int_equal(store_commit_block(st, &e->blk, w, nw), YC_OK);
    yc_overlay_destroy(o);
    yc_tx_cleanup(&txs[0]);
    yc_tx_cleanup(&txs[1]);

    e->node.status.height = 1;
    e->node.status.last_block_time_ms = t;
    /* the fake's tx status knows the grant */
    e->node.has_known = true;
    memcpy(e->node.known_id, e->grant_id, YC_HASH_LEN);
    e->node.known_status.state = YC_TXS_COMMITTED;
    e->node.known_status.height = 1;
    e->node.known_status.index = 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int setup(void **state)
{
    struct env *e = calloc(1, sizeof(*e));
    uv_loop_init(&e->loop);
    fk_init(&e->node, &e->loop);
    build_chain(e);
    struct yc_rpc_config c;
    yc_rpc_config_default(&c);
    c.laddr = "127.0.0.1:0";
    assert_int_equal(yc_rpc_start(&e->rpc, &e->node, &c), YC_OK);
    e->port = yc_rpc_port(e->rpc);
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    struct env *e = *state;
    yc_rpc_stop(e->rpc);
    fk_pump(&e->loop, 10);
    store_close(e->node.st);
    yc_block_cleanup(&e->blk);
    fk_cleanup(&e->node);
    fk_pump(&e->loop, 5);
    uv_loop_close(&e->loop);
    nftw(e->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    free(e);
    return 0;
}

static json_t *get(struct env *e, const char *path, int *status)
{
    struct fk_resp r;
    *status = fk_http(&e->loop, e->port, "GET", path, NULL, &r);
    json_t *j = r.body_len ? json_loads(r.body, 0, NULL) : NULL;
    fk_resp_free(&r);
    return j;
}

static const char *s_of(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void test_block_and_blockchain(void **state)
{
    struct env *e = *state;
    char hash[65], path[128];
    fk_hex(hash, e->blk.hash, YC_HASH_LEN);
    int st;
    json_t *b = get(e, "/block?height=1", &st);
    assert_int_equal(st, 200);
    assert_string_equal(s_of(b, "hash"), hash);
    assert_string_equal(s_of(json_object_get(b, "header"), "tx_count"), "2");
    assert_int_equal(json_array_size(json_object_get(b, "txs")), 2);
    json_t *cert = json_object_get(b, "certificate");
    assert_int_equal(json_array_size(json_object_get(cert, "signatures")), 1);
    json_decref(b);
    json_t *tipb = get(e, "/block", &st); /* default: the tip */
    assert_string_equal(s_of(tipb, "hash"), hash);
    json_decref(tipb);
    b = get(e, "/block?height=1&format=raw", &st);
    assert_string_equal(s_of(b, "hash"), hash);
    char *raw = malloc(2 * e->blk.len + 1);
    fk_hex(raw, e->blk.bytes, e->blk.len);
    assert_string_equal(s_of(b, "raw"), raw);
    free(raw);
    json_decref(b);
    b = get(e, "/block?height=1&format=xml", &st);
    assert_int_equal(st, 400);
    json_decref(b);
    b = get(e, "/block?height=0", &st);
    assert_int_equal(st, 404);
    json_decref(b);
    b = get(e, "/blockchain?min=0&max=999", &st);
    assert_int_equal(st, 200);
    assert_string_equal(s_of(b, "last_height"), "1");
    json_t *bl = json_object_get(b, "blocks");
    assert_int_equal(json_array_size(bl), 1);
    assert_string_equal(s_of(json_array_get(bl, 0), "hash"), hash); /* header-only path */
    json_decref(b);
    snprintf(path, sizeof(path), "/blockchain");
    b = get(e, path, &st);
    assert_int_equal(json_array_size(json_object_get(b, "blocks")), 1);
    json_decref(b);
}

static void test_tx_and_proof(void **state)
{
    struct env *e = *state;
    char id[65], path[160];
    fk_hex(id, e->grant_id, YC_HASH_LEN);
    snprintf(path, sizeof(path), "/tx?id=%s", id);
    int st;
    json_t *t = get(e, path, &st);
    assert_string_equal(s_of(t, "status"), "committed");
    assert_string_equal(s_of(t, "height"), "1");
    assert_string_equal(s_of(t, "index"), "0");
    json_t *tx = json_object_get(t, "tx");
    assert_string_equal(s_of(tx, "type"), "consent.grant");
    assert_string_equal(s_of(tx, "sender"), e->alice_addr);
    json_t *body = json_object_get(tx, "body");
    assert_string_equal(s_of(body, "processor"), e->proc_addr);
    assert_string_equal(s_of(body, "fee_per_use"), "3");
    assert_string_equal(json_string_value(json_array_get(json_object_get(body, "purposes"), 0)),
                        "research");
    json_decref(t);

    /* tx_proof of the second tx (found through the store's tx index) */
    fk_hex(id, e->use_id, YC_HASH_LEN);
    snprintf(path, sizeof(path), "/tx_proof?id=%s", id);
    json_t *p = get(e, path, &st);
    assert_int_equal(st, 200);
    assert_string_equal(s_of(p, "index"), "1");
    json_t *pr = json_object_get(p, "proof");
    struct yc_merkle_proof proof;
    memset(&proof, 0, sizeof(proof));
    proof.index = (uint32_t)strtoul(s_of(pr, "index"), NULL, 10);
    proof.count = (uint32_t)strtoul(s_of(pr, "count"), NULL, 10);
    json_t *sib = json_object_get(pr, "siblings");
    proof.nsiblings = (uint32_t)json_array_size(sib);
    for (uint32_t i = 0; i < proof.nsiblings; i++) {
        const char *h = json_string_value(json_array_get(sib, i));
        assert_int_equal(yc_unhex(proof.siblings[i], YC_HASH_LEN, h, strlen(h)), YC_OK);
    }
    uint8_t root[YC_HASH_LEN];
    const char *rh = s_of(json_object_get(p, "header"), "tx_root");
    assert_int_equal(yc_unhex(root, YC_HASH_LEN, rh, 64), YC_OK);
    /* the leaf is the hash of the full signed bytes the proof carries (block format 2) */
    const char *txhex = s_of(p, "tx");
    size_t txlen = strlen(txhex) / 2;
    uint8_t *txb = malloc(txlen);
    assert_int_equal(yc_unhex(txb, txlen, txhex, strlen(txhex)), YC_OK);
    struct yc_tx ptx;
    assert_int_equal(yc_tx_decode(&ptx, txb, txlen), YC_OK);
    assert_memory_equal(ptx.id, e->use_id, YC_HASH_LEN);
    uint8_t leaf[YC_HASH_LEN];
    yc_signed_tx_hash(leaf, e->node.g.chain_id, &ptx);
    yc_tx_cleanup(&ptx);
    free(txb);
    assert_true(yc_merkle_verify(root, e->node.g.chain_id, leaf, &proof));
    assert_false(yc_merkle_verify(root, e->node.g.chain_id, e->use_id, &proof));
    assert_string_equal(s_of(p, "status"), "committed");
    assert_string_equal(s_of(p, "code"), "ok");
    /* header_raw hashes to block_hash */
    const char *hr = s_of(p, "header_raw");
    size_t hl = strlen(hr) / 2;
    uint8_t *hb = malloc(hl);
    assert_int_equal(yc_unhex(hb, hl, hr, strlen(hr)), YC_OK);
    uint8_t bh[YC_HASH_LEN];
    yc_hash_tagged(bh, YC_TAG_BLOCK, e->node.g.chain_id, hb, hl);
    free(hb);
    char bhex[65];
    fk_hex(bhex, bh, YC_HASH_LEN);
    assert_string_equal(s_of(p, "block_hash"), bhex);
    json_decref(p);
    /* not committed: 404 not_found */
    snprintf(path, sizeof(path), "/tx_proof?id=%064d", 0);
    p = get(e, path, &st);
    assert_int_equal(st, 404);
    json_decref(p);
}

static void test_account_consents_usage(void **state)
{
    struct env *e = *state;
    char path[256];
    int st;
    snprintf(path, sizeof(path), "/account?address=%s", e->alice_addr);
    json_t *a = get(e, path, &st);
    assert_int_equal(st, 200);
    assert_string_equal(s_of(a, "role"), "individual");
    assert_string_equal(s_of(a, "nonce"), "1");
    assert_string_equal(s_of(a, "balance"), "503"); /* 500 + one use at 3 fen */
    assert_string_equal(s_of(a, "registered_at"), "0");
    json_decref(a);
    /* a valid address nobody registered */
    yc_signer *s;
    fk_signer(&s, 99);
    uint8_t pub[YC_PUBKEY_LEN];
    yc_signer_pubkey(s, pub);
    yc_signer_destroy(s);
    char addr[YC_ADDR_MAX];
    assert_int_equal(yc_addr_encode(addr, pub), YC_OK);
    snprintf(path, sizeof(path), "/account?address=%s", addr);
    a = get(e, path, &st);
    assert_int_equal(st, 404);
    json_decref(a);

    char gid[65];
    fk_hex(gid, e->grant_id, YC_HASH_LEN);
    snprintf(path, sizeof(path), "/consents?subject=%s", e->alice_addr);
    json_t *c = get(e, path, &st);
    json_t *list = json_object_get(c, "consents");
    assert_int_equal(json_array_size(list), 1);
    json_t *k = json_array_get(list, 0);
    assert_string_equal(s_of(k, "id"), gid);
    assert_string_equal(s_of(k, "status"), "active");
    assert_string_equal(s_of(k, "uses"), "1");
    assert_string_equal(s_of(k, "processor"), e->proc_addr);
    assert_true(json_is_null(json_object_get(k, "revoked_at")));
    json_decref(c);
    snprintf(path, sizeof(path), "/consents?processor=%s&limit=5", e->proc_addr);
    c = get(e, path, &st);
    assert_int_equal(json_array_size(json_object_get(c, "consents")), 1);
    json_decref(c);
    snprintf(path, sizeof(path), "/consents?processor=%s", e->alice_addr);
    c = get(e, path, &st);
    assert_int_equal(json_array_size(json_object_get(c, "consents")), 0);
    json_decref(c);
    snprintf(path, sizeof(path), "/consents?processor=%s&subject=%s", e->proc_addr, e->alice_addr);
    c = get(e, path, &st);
    assert_int_equal(st, 400);
    json_decref(c);

    snprintf(path, sizeof(path), "/usage?subject=%s", e->alice_addr);
    json_t *u = get(e, path, &st);
    json_t *ul = json_object_get(u, "usage");
    assert_int_equal(json_array_size(ul), 1);
    json_t *use = json_array_get(ul, 0);
    assert_string_equal(s_of(use, "authority"), gid);
    assert_string_equal(s_of(use, "authority_kind"), "consent");
    assert_string_equal(s_of(use, "user"), e->proc_addr);
    assert_string_equal(s_of(use, "fee"), "3");
    assert_string_equal(s_of(use, "height"), "1");
    assert_true(json_is_null(json_object_get(use, "input")));
    json_decref(u);
    /* usage by asset (issue 4): served; a consent id names no asset, so no uses */
    snprintf(path, sizeof(path), "/usage?asset=%s", gid);
    u = get(e, path, &st);
    assert_int_equal(st, 200);
    assert_int_equal(json_array_size(json_object_get(u, "usage")), 0);
    json_decref(u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_block_and_blockchain),
        cmocka_unit_test(test_tx_and_proof),
        cmocka_unit_test(test_account_consents_usage),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
