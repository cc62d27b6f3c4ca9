/*
 * helper_chain.c — real chains for tests (see helper_chain.h). Everything goes through
 * core exactly as the node does it: txs signed and decoded, executed with yc_exec_tx
 * into an overlay, the state root chained with yc_state_root_next, the header hashed,
 * COMMIT votes signed over yc_vote_hash and the block encoded and decoded again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "yc/alloc.h"
#include "yc/genesis_json.h"
#include "yc/ledger.h"
#include "yc/objects.h"
#include "yc/txschema.h"

#include "helper_chain.h"

void tchain_seckey(uint8_t sk[YC_SECKEY_LEN], char fam, uint32_t i)
{
    uint8_t seed[16] = "yc-test-key";
    seed[11] = (uint8_t)fam;
    seed[12] = (uint8_t)(i >> 24);
    seed[13] = (uint8_t)(i >> 16);
    seed[14] = (uint8_t)(i >> 8);
    seed[15] = (uint8_t)i;
    yc_sha256(sk, seed, sizeof seed);
}

static yc_signer *make_signer(char fam, uint32_t i, uint8_t pub[YC_PUBKEY_LEN])
{
    uint8_t sk[YC_SECKEY_LEN];
    yc_signer *s = NULL;
    tchain_seckey(sk, fam, i);
    assert_int_equal(yc_signer_create(&s, sk), YC_OK);
    yc_signer_pubkey(s, pub);
    return s;
}

void tchain_init(struct tchain *c, uint32_t nval)
{
    memset(c, 0, sizeof *c);
    assert_true(nval >= 1 && nval <= YC_MAX_VALIDATORS);
    struct yc_genesis *g = &c->g;
    snprintf(g->chain_id, sizeof g->chain_id, "%s", TCHAIN_CHAIN_ID);
    g->genesis_time_ms = TCHAIN_GENESIS_MS;
    yc_params_default(&g->params);
    g->params.open_registration = true; /* a dev chain: individuals self-register */
    c->nval = nval;
    g->nvalidators = nval;
    for (uint32_t i = 0; i < nval; i++) {
        c->val[i] = make_signer('v', i, g->validators[i].pub);
        snprintf(g->validators[i].name, sizeof g->validators[i].name, "v%u", i);
    }
    c->exchange = make_signer('a', 0, c->exchange_pub);
    c->alice = make_signer('a', 1, c->alice_pub);
    g->naccounts = 2;
    g->accounts = yc_calloc(2, sizeof *g->accounts);
    assert_non_null(g->accounts);
    memcpy(g->accounts[0].pub, c->exchange_pub, YC_PUBKEY_LEN);
    strcpy(g->accounts[0].role, "exchange");
    strcpy(g->accounts[0].name, "Test Exchange");
    strcpy(g->accounts[0].jurisdiction, "CN-CQ");
    g->accounts[0].balance = 1000000000000ull;
    memcpy(g->accounts[1].pub, c->alice_pub, YC_PUBKEY_LEN);
    strcpy(g->accounts[1].role, "individual");
    strcpy(g->accounts[1].name, "Alice");
    strcpy(g->accounts[1].jurisdiction, "CN-SC");
    assert_int_equal(yc_genesis_finalize(g), YC_OK);

    c->height = 0;
    memcpy(c->prev_hash, g->hash, YC_HASH_LEN);
    tchain_genesis_root(c, c->prev_root);
    c->time_ms = g->genesis_time_ms;
    c->signers = yc_quorum(nval);
}

void tchain_cleanup(struct tchain *c)
{
    for (uint32_t i = 0; i < c->nval; i++)
        yc_signer_destroy(c->val[i]);
    yc_signer_destroy(c->exchange);
    yc_signer_destroy(c->alice);
    yc_genesis_cleanup(&c->g);
    memset(c, 0, sizeof *c);
}

static int empty_get(void *ctx, const uint8_t *key, size_t klen, uint8_t **val, size_t *vlen)
{
    (void)ctx;
    (void)key;
    (void)klen;
    *val = NULL;
    *vlen = 0;
    return YC_ENOTFOUND;
}

void tchain_genesis_root(const struct tchain *c, uint8_t root[YC_HASH_LEN])
{
    struct yc_state_src empty = {.get = empty_get, .ctx = NULL};
    yc_overlay *o = NULL;
    assert_int_equal(yc_overlay_create(&o, &empty), YC_OK);
    assert_int_equal(yc_genesis_state(o, &c->g, root), YC_OK);
    yc_overlay_destroy(o);
}

/* Signed tx number i of block `height`: transfers to alice and evidence anchors. */
static void make_tx(struct tchain *c, uint64_t height, uint32_t i, struct yc_tx *tx)
{
    union yc_tx_body b;
    enum yc_tx_type type;
    memset(&b, 0, sizeof b);
    if (i % 2 == 0) {
        type = YC_TX_TOKEN_TRANSFER;
        b.token.amount = 100 + height;
        b.token.has_to = true;
        memcpy(b.token.to, c->alice_pub, YC_PUBKEY_LEN);
    } else {
        uint8_t seed[12];
        memcpy(seed, &height, 8);
        memcpy(seed + 8, &i, 4);
        type = YC_TX_EVIDENCE_ANCHOR;
        yc_sha256(b.evidence_anchor.digest, seed, sizeof seed);
        b.evidence_anchor.kind = (struct yc_slice){"test_anchor", 11};
    }
    tchain_sign(c, type, c->exchange, c->exchange_nonce++, &b, tx);
}

void tchain_cert(const struct tchain *c, struct yc_cert *cert, uint64_t height, uint64_t view,
                 const uint8_t hash[YC_HASH_LEN], const uint32_t *idx, uint32_t n)
{
    uint8_t vote[YC_HASH_LEN], aux[32] = {0};
    memset(cert, 0, sizeof *cert);
    cert->view = view;
    yc_vote_hash(vote, c->g.chain_id, "commit", height, view, hash);
    for (uint32_t i = 0; i < n; i++) {
        cert->sigs[i].validator = idx[i];
        assert_int_equal(yc_sig_sign(c->val[idx[i]], cert->sigs[i].sig, vote, aux), YC_OK);
    }
    cert->nsigs = n;
}

void tchain_next_txs(struct tchain *c, const struct yc_state_src *base, const struct yc_tx *txs,
                     uint32_t ntx, struct tblock *out)
{
    int *outcomes = ntx > 0 ? yc_calloc(ntx, sizeof *outcomes) : NULL;
    tchain_next_outcomes(c, base, txs, ntx, NULL, outcomes, out);
    for (uint32_t i = 0; i < ntx; i++)
        if (outcomes[i] != YC_OK)
            fail_msg("tx %u of block %llu: %s", i, (unsigned long long)c->height,
                     yc_err_name(outcomes[i]));
    yc_free(outcomes);
}

void tchain_next_outcomes(struct tchain *c, const struct yc_state_src *base,
                          const struct yc_tx *txs, uint32_t ntx, const int *lie, int *outcomes,
                          struct tblock *out)
{
    int *results = ntx > 0 ? yc_calloc(ntx, sizeof *results) : NULL;
    assert_true(ntx == 0 || results != NULL);
    memset(out, 0, sizeof *out);
    assert_int_equal(yc_overlay_create(&out->o, base), YC_OK);
    struct yc_block_header h;
    memset(&h, 0, sizeof h);
    snprintf(h.chain_id, sizeof h.chain_id, "%s", c->g.chain_id);
    h.height = c->height + 1;
    h.view = 0;
    h.proposer = (uint32_t)(h.height % c->nval);
    h.time_ms = c->time_ms + 1000;
    memcpy(h.prev_hash, c->prev_hash, YC_HASH_LEN);
    struct yc_exec_ctx ctx = {.g = &c->g, .height = h.height, .time_ms = h.time_ms};
    for (uint32_t i = 0; i < ntx; i++) {
        int rc = yc_exec_tx_outcome(out->o, &ctx, &txs[i], i, &results[i]);
        if (rc != YC_OK)
            fail_msg("tx %u cannot stand in block %llu: %s", i, (unsigned long long)h.height,
                     yc_err_name(rc));
        if (outcomes != NULL)
            outcomes[i] = results[i];
    }
    const int *rec = lie != NULL ? lie : results; /* what the block records */
    assert_int_equal(yc_block_header_seal(&h, txs, rec, ntx), YC_OK);
    const struct yc_write *w = NULL;
    size_t nw = 0;
    assert_int_equal(yc_overlay_writes(out->o, &w, &nw), YC_OK);
    yc_state_root_next(h.state_root, c->g.chain_id, c->prev_root, w, nw);

    uint8_t hash[YC_HASH_LEN];
    assert_int_equal(yc_header_hash(&h, hash), YC_OK);
    uint32_t idx[YC_MAX_VALIDATORS];
    for (uint32_t i = 0; i < c->signers; i++)
        idx[i] = i;
    struct yc_cert cert;
    tchain_cert(c, &cert, h.height, h.view, hash, idx, c->signers);

    struct yc_buf enc;
    yc_buf_init(&enc, 0);
    assert_int_equal(yc_block_encode(&enc, &h, txs, rec, ntx, &cert), YC_OK);
    assert_int_equal(yc_block_decode(&out->b, enc.data, enc.len), YC_OK);
    assert_memory_equal(out->b.hash, hash, YC_HASH_LEN);
    yc_buf_cleanup(&enc);
    yc_free(results);

    c->height = h.height;
    memcpy(c->prev_hash, hash, YC_HASH_LEN);
    memcpy(c->prev_root, h.state_root, YC_HASH_LEN);
    c->time_ms = h.time_ms;
}

void tchain_next(struct tchain *c, const struct yc_state_src *base, uint32_t ntx,
                 struct tblock *out)
{
    struct yc_tx *txs = ntx > 0 ? yc_calloc(ntx, sizeof *txs) : NULL;
    for (uint32_t i = 0; i < ntx; i++)
        make_tx(c, c->height + 1, i, &txs[i]);
    tchain_next_txs(c, base, txs, ntx, out);
    for (uint32_t i = 0; i < ntx; i++)
        yc_tx_cleanup(&txs[i]);
    yc_free(txs);
}

void tchain_sign(const struct tchain *c, enum yc_tx_type type, const yc_signer *who, uint64_t nonce,
                 const union yc_tx_body *b, struct yc_tx *out)
{
    struct yc_buf body, enc;
    uint8_t aux[32] = {0}, id[YC_HASH_LEN];
    yc_buf_init(&body, 0);
    yc_buf_init(&enc, 0);
    assert_int_equal(yc_tx_body_encode(&body, type, b, yc_tx_body_present(type, b)), YC_OK);
    assert_int_equal(
        yc_tx_build_signed(&enc, id, c->g.chain_id, type, who, nonce, body.data, body.len, aux),
        YC_OK);
    assert_int_equal(yc_tx_decode(out, enc.data, enc.len), YC_OK);
    yc_buf_cleanup(&body);
    yc_buf_cleanup(&enc);
}

void tchain_tx_consent(struct tchain *c, struct yc_tx *out)
{
    union yc_tx_body b;
    struct yc_body_consent_grant *g = &b.consent_grant;
    memset(&b, 0, sizeof b);
    g->categories.items[g->categories.n++] = (struct yc_slice){"health", 6};
    g->fee_per_use = 5;
    g->jurisdiction = (struct yc_slice){"CN-CQ", 5};
    g->max_uses = 10;
    g->operations.items[g->operations.n++] = (struct yc_slice){"use", 3};
    memcpy(g->processor, c->exchange_pub, YC_PUBKEY_LEN);
    g->purposes.items[g->purposes.n++] = (struct yc_slice){"research", 8};
    g->until = c->time_ms + 86400000ull;
    tchain_sign(c, YC_TX_CONSENT_GRANT, c->alice, c->alice_nonce++, &b, out);
}

void tchain_tx_replace_key(struct tchain *c, uint32_t idx, const uint8_t new_pub[YC_PUBKEY_LEN],
                           struct yc_tx *out)
{
    union yc_tx_body b;
    struct yc_body_validator_propose *p = &b.validator_propose;
    memset(&b, 0, sizeof b);
    p->action = (struct yc_slice){"replace_key", 11};
    p->has_new_pub = true;
    memcpy(p->new_pub, new_pub, YC_PUBKEY_LEN);
    memcpy(p->pub, c->g.validators[idx].pub, YC_PUBKEY_LEN);
    tchain_sign(c, YC_TX_VALIDATOR_PROPOSE, c->exchange, c->exchange_nonce++, &b, out);
}

void tchain_body_usage(union yc_tx_body *b, const uint8_t consent[YC_HASH_LEN], const char *purpose)
{
    struct yc_body_usage_record *u = &b->usage_record;
    memset(b, 0, sizeof *b);
    u->category = (struct yc_slice){"health", 6};
    u->has_consent = true;
    memcpy(u->consent, consent, YC_HASH_LEN);
    u->operation = (struct yc_slice){"use", 3};
    u->purpose = (struct yc_slice){purpose, strlen(purpose)};
}

void tchain_tx_usage(struct tchain *c, const uint8_t consent[YC_HASH_LEN], struct yc_tx *out)
{
    union yc_tx_body b;
    tchain_body_usage(&b, consent, "research");
    tchain_sign(c, YC_TX_USAGE_RECORD, c->exchange, c->exchange_nonce++, &b, out);
}

void tchain_commit_txs(struct tchain *c, store *s, const struct yc_tx *txs, uint32_t ntx)
{
    tchain_commit_outcomes(c, s, txs, ntx, NULL, NULL);
}

void tchain_commit_outcomes(struct tchain *c, store *s, const struct yc_tx *txs, uint32_t ntx,
                            const int *lie, int *outcomes)
{
    struct yc_state_src src = store_state_src(s);
    struct tblock tb;
    tchain_next_outcomes(c, &src, txs, ntx, lie, outcomes, &tb);
    const struct yc_write *w = NULL;
    size_t nw = 0;
    assert_int_equal(yc_overlay_writes(tb.o, &w, &nw), YC_OK);
    assert_int_equal(store_commit_block(s, &tb.b, w, nw), YC_OK);
    tblock_cleanup(&tb);
}

void tblock_cleanup(struct tblock *t)
{
    yc_block_cleanup(&t->b);
    yc_overlay_destroy(t->o);
    t->o = NULL;
}

void tchain_commit_next(struct tchain *c, store *s, uint32_t ntx)
{
    struct yc_state_src src = store_state_src(s);
    struct tblock tb;
    tchain_next(c, &src, ntx, &tb);
    const struct yc_write *w = NULL;
    size_t nw = 0;
    assert_int_equal(yc_overlay_writes(tb.o, &w, &nw), YC_OK);
    assert_int_equal(store_commit_block(s, &tb.b, w, nw), YC_OK);
    tblock_cleanup(&tb);
}

static uint64_t stored_nonce(store *s, const uint8_t pub[YC_PUBKEY_LEN])
{
    uint8_t key[YC_KEY_MAX];
    size_t kl = yc_key_account(key, pub);
    uint8_t *val = NULL;
    size_t vlen = 0;
    assert_int_equal(store_get_state(s, key, kl, &val, &vlen), YC_OK);
    struct yc_account a;
    assert_int_equal(yc_account_decode(&a, val, vlen), YC_OK);
    uint64_t nonce = a.nonce;
    yc_free(val);
    return nonce;
}

void tchain_resume(struct tchain *c, store *s)
{
    struct store_tip tip;
    assert_int_equal(store_tip(s, &tip), YC_OK);
    c->height = tip.height;
    memcpy(c->prev_hash, tip.hash, YC_HASH_LEN);
    memcpy(c->prev_root, tip.state_root, YC_HASH_LEN);
    c->time_ms = tip.time_ms;
    c->exchange_nonce = stored_nonce(s, c->exchange_pub);
    c->alice_nonce = stored_nonce(s, c->alice_pub);
}

void tdir_make(char *buf, size_t len)
{
    const char *base = getenv("TMPDIR");
    snprintf(buf, len, "%s/yc-test-XXXXXX", base != NULL && *base ? base : "/tmp");
    assert_non_null(mkdtemp(buf));
}

void tdir_remove(const char *dir)
{
    char cmd[4200];
    if (dir == NULL || strncmp(dir, "/", 1) != 0 || strstr(dir, "yc-test-") == NULL)
        return; /* only ever our own temporary trees */
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

void tchain_make_home(const struct tchain *c, const char *home)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/config", home);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/config/genesis.json", home);
    assert_int_equal(yc_genesis_json_save(&c->g, path), YC_OK);
    snprintf(path, sizeof path, "%s/data", home);
    store *s = NULL;
    char err[512];
    int rc = store_open(&s, path, true, &c->g, err, sizeof err);
    if (rc != YC_OK)
        fail_msg("store_open: %s", err);
    store_close(s);
}

int tfix_setup(void **state)
{
    static struct tfix f;
    memset(&f, 0, sizeof f);
    tdir_make(f.dir, sizeof f.dir);
    tchain_init(&f.c, 4);
    *state = &f;
    return 0;
}

int tfix_teardown(void **state)
{
    struct tfix *f = *state;
    tchain_cleanup(&f->c);
    tdir_remove(f->dir);
    return 0;
}

store *tfix_open(struct tfix *f, bool create)
{
    store *s = NULL;
    char err[512] = "";
    int rc = store_open(&s, f->dir, create, &f->c.g, err, sizeof err);
    if (rc != YC_OK)
        fail_msg("store_open: %s (%s)", yc_err_name(rc), err);
    return s;
}
