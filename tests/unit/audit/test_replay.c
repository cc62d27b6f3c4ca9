/*
 * test_replay.c — the audit's replay engine on real chains (TESTING.md F1, F2).
 *
 * Each test builds a 4-validator chain (quorum 3) of certified blocks in a temporary
 * node home, then damages it the way F2 lists — a flipped byte, a deleted block,
 * reordered blocks, a certificate one signature short, a duplicated signer, a signer
 * outside the validator set — plus a bad tx signature, a block whose state root lies
 * and a node state that disagrees with its blocks, and checks that the replay names
 * exactly the damaged height and the reason. F6 and block format 2: a co-signature
 * added to or stripped from a stored block, a signature changed, a recorded outcome
 * changed, and a certified block whose recorded outcome is not what execution gives; a
 * chain with failed transactions replays, counting them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <leveldb/c.h>

#include "yc/alloc.h"
#include "yc/bech32.h"
#include "yc/objects.h"
#include "yc/store.h"

#include "../../../storage/src/store_keys.h"
#include "helper_outcomes.h"
#include "replay.h"
#include "source.h"

#define NBLOCKS 6
#define TXS_PER_BLOCK 3

struct fix {
    char home[4096];
    char data[4200];
    struct tchain c;
};

/* A home of len blocks, block i + 1 holding ntx[i] transactions (ntx NULL: TXS_PER_BLOCK). */
static void make_fix(struct fix *f, const uint32_t *ntx, int len)
{
    memset(f, 0, sizeof *f);
    tdir_make(f->home, sizeof f->home);
    snprintf(f->data, sizeof f->data, "%s/data", f->home);
    tchain_init(&f->c, 4);
    tchain_make_home(&f->c, f->home);
    store *s = NULL;
    char err[512];
    assert_int_equal(store_open(&s, f->data, false, &f->c.g, err, sizeof err), YC_OK);
    for (int i = 0; i < len; i++)
        tchain_commit_next(&f->c, s, ntx != NULL ? ntx[i] : TXS_PER_BLOCK);
    store_close(s);
}

static int setup(void **state)
{
    static struct fix f;
    make_fix(&f, NULL, NBLOCKS);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fix *f = *state;
    tchain_cleanup(&f->c);
    tdir_remove(f->home);
    return 0;
}

/* Replays the fixture's home; returns the result (asserts the replay ran). */
static struct audit_result replay_home(struct fix *f, uint64_t to)
{
    struct audit_src src;
    char msg[700] = "";
    int rc = audit_src_open_home(&src, f->home, NULL, NULL, msg, sizeof msg);
    if (rc != YC_OK)
        fail_msg("open home: %s", msg);
    memstate *m = NULL;
    assert_int_equal(memstate_create(&m), YC_OK);
    struct audit_opts o = {.to = to, .check_end = true};
    struct audit_result res;
    rc = audit_replay(&src.genesis, &src.src, &o, m, &res, msg, sizeof msg);
    if (rc != YC_OK)
        fail_msg("replay: %s", msg);
    memstate_destroy(m);
    audit_src_close(&src);
    return res;
}

static void expect_failure(struct fix *f, uint64_t height, enum audit_reason reason,
                           const char *needle)
{
    struct audit_result r = replay_home(f, 0);
    if (r.ok || r.fail_height != height || r.reason != reason ||
        (needle != NULL && strstr(r.detail, needle) == NULL))
        fail_msg("expected height %llu %s (\"%s\"), got ok=%d height %llu %s: %s",
                 (unsigned long long)height, audit_reason_name(reason), needle ? needle : "", r.ok,
                 (unsigned long long)r.fail_height, audit_reason_name(r.reason), r.detail);
    assert_int_equal(r.blocks, height - 1); /* everything before it verified */
    assert_int_equal(r.height, height - 1);
}

/* ---- raw access to the closed database (key grammar of docs/storage.md) ---- */

static leveldb_t *raw_open(struct fix *f)
{
    leveldb_options_t *o = leveldb_options_create();
    char *err = NULL;
    leveldb_t *db = leveldb_open(o, f->data, &err);
    leveldb_options_destroy(o);
    if (err != NULL)
        fail_msg("leveldb_open: %s", err);
    return db;
}

static uint8_t *raw_get(leveldb_t *db, const uint8_t *key, size_t klen, size_t *len)
{
    leveldb_readoptions_t *ro = leveldb_readoptions_create();
    char *err = NULL;
    char *v = leveldb_get(db, ro, (const char *)key, klen, len, &err);
    leveldb_readoptions_destroy(ro);
    assert_null(err);
    assert_non_null(v);
    uint8_t *copy = yc_memdup(v, *len);
    leveldb_free(v);
    return copy;
}

static void raw_put(leveldb_t *db, const uint8_t *key, size_t klen, const uint8_t *v, size_t len)
{
    leveldb_writeoptions_t *wo = leveldb_writeoptions_create();
    char *err = NULL;
    if (v != NULL)
        leveldb_put(db, wo, (const char *)key, klen, (const char *)v, len, &err);
    else
        leveldb_delete(db, wo, (const char *)key, klen, &err);
    leveldb_writeoptions_destroy(wo);
    assert_null(err);
}

static uint8_t *get_block_raw(struct fix *f, uint64_t h, size_t *len)
{
    leveldb_t *db = raw_open(f);
    uint8_t k[SK_MAX];
    size_t kl = sk_block(k, h);
    uint8_t *b = raw_get(db, k, kl, len);
    leveldb_close(db);
    return b;
}

static void put_block_raw(struct fix *f, uint64_t h, const uint8_t *bytes, size_t len)
{
    leveldb_t *db = raw_open(f);
    uint8_t k[SK_MAX];
    size_t kl = sk_block(k, h);
    raw_put(db, k, kl, bytes, len);
    leveldb_close(db);
}

/* Replaces block h by the same header and txs with another certificate. */
static void recertify(struct fix *f, uint64_t h, const struct yc_cert *cert)
{
    size_t len;
    uint8_t *raw = get_block_raw(f, h, &len);
    struct yc_block b;
    assert_int_equal(yc_block_decode(&b, raw, len), YC_OK);
    yc_free(raw);
    struct yc_buf out;
    yc_buf_init(&out, 0);
    assert_int_equal(yc_block_encode(&out, &b.hdr, b.txs, b.results, b.ntx, cert), YC_OK);
    put_block_raw(f, h, out.data, out.len);
    yc_buf_cleanup(&out);
    yc_block_cleanup(&b);
}

static void block_hash_at(struct fix *f, uint64_t h, uint8_t hash[YC_HASH_LEN])
{
    size_t len;
    uint8_t *raw = get_block_raw(f, h, &len);
    struct yc_block b;
    assert_int_equal(yc_block_decode(&b, raw, len), YC_OK);
    memcpy(hash, b.hash, YC_HASH_LEN);
    yc_block_cleanup(&b);
    yc_free(raw);
}

/* ---- the tests ---- */

static void test_intact_chain_verifies(void **state)
{
    struct fix *f = *state;
    struct audit_result r = replay_home(f, 0);
    if (!r.ok)
        fail_msg("height %llu %s: %s", (unsigned long long)r.fail_height,
                 audit_reason_name(r.reason), r.detail);
    assert_int_equal(r.blocks, NBLOCKS);
    assert_int_equal(r.target, NBLOCKS);
    assert_int_equal(r.txs, NBLOCKS * TXS_PER_BLOCK);
    assert_int_equal(r.by_type[YC_TX_TOKEN_TRANSFER], NBLOCKS * 2);
    assert_int_equal(r.by_type[YC_TX_EVIDENCE_ANCHOR], NBLOCKS);
    assert_memory_equal(r.state_root, f->c.prev_root, YC_HASH_LEN);
    assert_memory_equal(r.hash, f->c.prev_hash, YC_HASH_LEN);

    r = replay_home(f, 3);
    assert_true(r.ok);
    assert_int_equal(r.blocks, 3);
    /* beyond the tip, the next block is missing */
    r = replay_home(f, NBLOCKS + 2);
    assert_false(r.ok);
    assert_int_equal(r.fail_height, NBLOCKS + 1);
    assert_int_equal(r.reason, AUDIT_BLOCK_MISSING);
}

static void test_flipped_byte(void **state)
{
    struct fix *f = *state;
    size_t len;
    uint8_t *raw = get_block_raw(f, 3, &len);
    raw[len / 2] ^= 0x01;
    put_block_raw(f, 3, raw, len);
    yc_free(raw);
    struct audit_result r = replay_home(f, 0);
    assert_false(r.ok);
    assert_int_equal(r.fail_height, 3);
    assert_int_equal(r.blocks, 2);
    printf("flipped byte at %zu of %zu: %s: %s\n", len / 2, len, audit_reason_name(r.reason),
           r.detail);
}

static void test_flipped_byte_everywhere(void **state)
{
    /* Every single-bit flip of block 2 is caught at height 2, whatever field it hits. */
    struct fix *f = *state;
    size_t len;
    uint8_t *orig = get_block_raw(f, 2, &len);
    uint8_t *raw = yc_memdup(orig, len);
    for (size_t i = 0; i < len; i += 7) {
        memcpy(raw, orig, len);
        raw[i] ^= (uint8_t)(1u << (i % 8));
        put_block_raw(f, 2, raw, len);
        struct audit_result r = replay_home(f, 2);
        if (r.ok || r.fail_height != 2)
            fail_msg("flip at byte %zu of %zu: ok=%d height %llu", i, len, r.ok,
                     (unsigned long long)r.fail_height);
    }
    yc_free(raw);
    yc_free(orig);
}

static void test_deleted_block(void **state)
{
    struct fix *f = *state;
    put_block_raw(f, 4, NULL, 0);
    expect_failure(f, 4, AUDIT_BLOCK_MISSING, "block 4");
}

static void test_deleted_tip_block(void **state)
{
    struct fix *f = *state;
    put_block_raw(f, NBLOCKS, NULL, 0);
    expect_failure(f, NBLOCKS, AUDIT_BLOCK_MISSING, NULL);
}

static void test_reordered_blocks(void **state)
{
    struct fix *f = *state;
    size_t l3, l4;
    uint8_t *b3 = get_block_raw(f, 3, &l3);
    uint8_t *b4 = get_block_raw(f, 4, &l4);
    put_block_raw(f, 3, b4, l4);
    put_block_raw(f, 4, b3, l3);
    yc_free(b3);
    yc_free(b4);
    expect_failure(f, 3, AUDIT_WRONG_HEIGHT, "says height 4");
}

static void test_cert_one_short(void **state)
{
    struct fix *f = *state;
    uint8_t hash[YC_HASH_LEN];
    block_hash_at(f, 5, hash);
    const uint32_t idx[] = {0, 2};
    struct yc_cert cert;
    tchain_cert(&f->c, &cert, 5, 0, hash, idx, 2);
    recertify(f, 5, &cert);
    expect_failure(f, 5, AUDIT_BAD_CERTIFICATE, "2 signatures, a quorum of 3 of 4");
}

static void test_cert_duplicated_signer(void **state)
{
    struct fix *f = *state;
    uint8_t hash[YC_HASH_LEN];
    block_hash_at(f, 2, hash);
    const uint32_t idx[] = {0, 1, 1};
    struct yc_cert cert;
    tchain_cert(&f->c, &cert, 2, 0, hash, idx, 3);
    recertify(f, 2, &cert);
    expect_failure(f, 2, AUDIT_BAD_CERTIFICATE, "validator 1 (v1) signs twice");
}

static void test_cert_signer_outside_set(void **state)
{
    struct fix *f = *state;
    uint8_t hash[YC_HASH_LEN], vote[YC_HASH_LEN], aux[32] = {0}, sk[YC_SECKEY_LEN];
    block_hash_at(f, 3, hash);
    const uint32_t idx[] = {0, 1};
    struct yc_cert cert;
    tchain_cert(&f->c, &cert, 3, 0, hash, idx, 2);
    /* a fifth key, not in the genesis, signs a valid COMMIT vote as "validator 4" */
    yc_signer *outsider = NULL;
    tchain_seckey(sk, 'v', 4);
    assert_int_equal(yc_signer_create(&outsider, sk), YC_OK);
    yc_vote_hash(vote, f->c.g.chain_id, "commit", 3, 0, hash);
    cert.sigs[2].validator = 4;
    assert_int_equal(yc_sig_sign(outsider, cert.sigs[2].sig, vote, aux), YC_OK);
    cert.nsigs = 3;
    yc_signer_destroy(outsider);
    recertify(f, 3, &cert);
    expect_failure(f, 3, AUDIT_BAD_CERTIFICATE, "signer 4 is not in the validator set");
}

static void test_cert_forged_signature(void **state)
{
    struct fix *f = *state;
    uint8_t hash[YC_HASH_LEN];
    block_hash_at(f, 4, hash);
    const uint32_t idx[] = {0, 1, 3};
    struct yc_cert cert;
    tchain_cert(&f->c, &cert, 4, 0, hash, idx, 3);
    cert.sigs[1].sig[20] ^= 0x40; /* validator 1's signature damaged */
    recertify(f, 4, &cert);
    expect_failure(f, 4, AUDIT_BAD_CERTIFICATE, "validator 1 (v1) does not verify");

    /* a certificate for another height is no certificate for this one */
    tchain_cert(&f->c, &cert, 5, 0, hash, idx, 3);
    recertify(f, 4, &cert);
    expect_failure(f, 4, AUDIT_BAD_CERTIFICATE, "does not verify");
}

static void test_bad_tx_signature(void **state)
{
    /* The signature is in the signed bytes that tx_root binds: changing it breaks tx_root,
     * and the diagnosis names the transaction whose signature no longer verifies. */
    struct fix *f = *state;
    size_t len;
    uint8_t *raw = get_block_raw(f, 3, &len);
    struct yc_block b;
    assert_int_equal(yc_block_decode(&b, raw, len), YC_OK);
    yc_free(raw);
    /* re-sign tx 1's envelope with a damaged signature: its id, the tx root, the header
     * hash and so the certificate stay valid */
    struct yc_tx *t = &b.txs[1];
    uint8_t sig[YC_SIG_LEN];
    memcpy(sig, t->sig, YC_SIG_LEN);
    sig[33] ^= 0x01;
    struct yc_buf txb, out;
    yc_buf_init(&txb, 0);
    yc_buf_init(&out, 0);
    char chain[YC_CHAIN_ID_MAX + 1];
    snprintf(chain, sizeof chain, "%.*s", (int)t->chain_id.len, t->chain_id.p);
    assert_int_equal(yc_tx_encode_signed(&txb, chain, t->type, t->sender, t->nonce, t->body,
                                         t->body_len, sig, NULL, 0),
                     YC_OK);
    struct yc_tx forged;
    assert_int_equal(yc_tx_decode(&forged, txb.data, txb.len), YC_OK);
    assert_memory_equal(forged.id, t->id, YC_HASH_LEN);
    yc_tx_cleanup(t);
    *t = forged;
    assert_int_equal(yc_block_encode(&out, &b.hdr, b.txs, b.results, b.ntx, &b.cert), YC_OK);
    put_block_raw(f, 3, out.data, out.len);
    yc_buf_cleanup(&txb);
    yc_buf_cleanup(&out);
    yc_block_cleanup(&b);
    expect_failure(f, 3, AUDIT_BAD_TX_ROOT, "transaction 1's signature does not verify");
    expect_failure(f, 3, AUDIT_BAD_TX_ROOT,
                   "tx_root does not match the signed transactions (a signature or "
                   "co-signature was added, changed or stripped");
}

/* Replaces tx i of stored block h by `tx` (same header, same certificate). */
static void replace_tx(struct fix *f, uint64_t h, uint32_t i, const struct yc_tx *tx)
{
    size_t len;
    uint8_t *raw = get_block_raw(f, h, &len);
    struct yc_block b;
    assert_int_equal(yc_block_decode(&b, raw, len), YC_OK);
    yc_free(raw);
    assert_true(i < b.ntx);
    struct yc_tx old = b.txs[i];
    b.txs[i] = *tx;
    struct yc_buf out;
    yc_buf_init(&out, 0);
    assert_int_equal(yc_block_encode(&out, &b.hdr, b.txs, b.results, b.ntx, &b.cert), YC_OK);
    put_block_raw(f, h, out.data, out.len);
    yc_buf_cleanup(&out);
    b.txs[i] = old;
    yc_block_cleanup(&b);
}

static struct yc_tx stored_tx(struct fix *f, uint64_t h, uint32_t i)
{
    size_t len;
    uint8_t *raw = get_block_raw(f, h, &len);
    struct yc_block b;
    assert_int_equal(yc_block_decode(&b, raw, len), YC_OK);
    yc_free(raw);
    struct yc_tx t;
    assert_int_equal(yc_tx_decode(&t, b.txs[i].bytes, b.txs[i].len), YC_OK);
    yc_block_cleanup(&b);
    return t;
}

static void test_cosignature_added(void **state)
{
    /* F6: a valid co-signature, by a key of the genesis, added to a stored transaction:
     * every signature verifies and the id is unchanged, but tx_root no longer holds. */
    struct fix *f = *state;
    struct yc_tx t = stored_tx(f, 4, 1), forged;
    tout_tx_recosign(&t, false, f->c.alice, &forged);
    assert_int_equal(yc_tx_verify(&forged, f->c.g.chain_id), YC_OK);
    replace_tx(f, 4, 1, &forged);
    yc_tx_cleanup(&t);
    yc_tx_cleanup(&forged);
    expect_failure(f, 4, AUDIT_BAD_TX_ROOT, "co-signature was added, changed or stripped");
}

/* A chain of NBLOCKS blocks plus block NBLOCKS+1: a registration co-signed by the exchange
 * (a registrar); returns that height. */
static uint64_t add_cosigned_block(struct fix *f)
{
    store *s = NULL;
    char err[512];
    assert_int_equal(store_open(&s, f->data, false, &f->c.g, err, sizeof err), YC_OK);
    tchain_resume(&f->c, s);
    struct yc_tx reg;
    tout_tx_register(&f->c, 7, &reg);
    assert_int_equal(reg.ncosigs, 1);
    int out[1];
    tchain_commit_outcomes(&f->c, s, &reg, 1, NULL, out);
    assert_int_equal(out[0], YC_OK);
    yc_tx_cleanup(&reg);
    store_close(s);
    return f->c.height;
}

static void test_cosignature_stripped(void **state)
{
    struct fix *f = *state;
    uint64_t h = add_cosigned_block(f);
    struct audit_result r = replay_home(f, 0);
    assert_true(r.ok);
    struct yc_tx t = stored_tx(f, h, 0), stripped;
    tout_tx_recosign(&t, true, NULL, &stripped);
    assert_int_equal(stripped.ncosigs, 0);
    replace_tx(f, h, 0, &stripped);
    yc_tx_cleanup(&t);
    yc_tx_cleanup(&stripped);
    expect_failure(f, h, AUDIT_BAD_TX_ROOT, "co-signature was added, changed or stripped");
}

static void test_cosignature_changed(void **state)
{
    struct fix *f = *state;
    uint64_t h = add_cosigned_block(f);
    struct yc_tx t = stored_tx(f, h, 0);
    ((struct yc_cosig *)(uintptr_t)t.cosigs)[0].sig[10] ^= 0x20; /* t's own allocation */
    struct yc_tx changed;
    tout_tx_recosign(&t, false, NULL, &changed);
    replace_tx(f, h, 0, &changed);
    yc_tx_cleanup(&t);
    yc_tx_cleanup(&changed);
    expect_failure(f, h, AUDIT_BAD_TX_ROOT, "transaction 0's co-signature does not verify");
}

static void test_outcome_changed(void **state)
{
    /* A stored block whose recorded outcome was edited: result_root no longer holds. */
    struct fix *f = *state;
    size_t len;
    uint8_t *raw = get_block_raw(f, 5, &len);
    struct yc_block b;
    assert_int_equal(yc_block_decode(&b, raw, len), YC_OK);
    yc_free(raw);
    b.results[2] = YC_EBALANCE;
    struct yc_buf out;
    yc_buf_init(&out, 0);
    assert_int_equal(yc_block_encode(&out, &b.hdr, b.txs, b.results, b.ntx, &b.cert), YC_OK);
    put_block_raw(f, 5, out.data, out.len);
    yc_buf_cleanup(&out);
    yc_block_cleanup(&b);
    expect_failure(f, 5, AUDIT_BAD_RESULT_ROOT, "result_root does not match the recorded outcomes");
}

static void test_certified_false_outcome(void **state)
{
    /* A quorum certified a block that records a transfer as failed although it succeeds:
     * roots and certificate hold; re-deriving the outcome does not. */
    struct fix *f = *state;
    store *s = NULL;
    char err[512];
    assert_int_equal(store_open(&s, f->data, false, &f->c.g, err, sizeof err), YC_OK);
    tchain_resume(&f->c, s);
    struct yc_tx txs[2];
    tchain_tx_consent(&f->c, &txs[0]);
    tchain_tx_usage(&f->c, txs[0].id, &txs[1]);
    const int lie[2] = {YC_OK, YC_EBALANCE};
    tchain_commit_outcomes(&f->c, s, txs, 2, lie, NULL);
    yc_tx_cleanup(&txs[0]);
    yc_tx_cleanup(&txs[1]);
    store_close(s);
    expect_failure(f, NBLOCKS + 1, AUDIT_WRONG_OUTCOME,
                   "transaction 1's recorded outcome insufficient_balance differs from its "
                   "execution: ok");
}

static void test_failed_use_replays(void **state)
{
    /* Alice grants, revokes; the exchange then uses her data under the revoked consent: the
     * use is recorded as failed, consumes the nonce, and the chain verifies. */
    struct fix *f = *state;
    store *s = NULL;
    char err[512];
    assert_int_equal(store_open(&s, f->data, false, &f->c.g, err, sizeof err), YC_OK);
    tchain_resume(&f->c, s);
    struct yc_tx txs[3];
    tchain_tx_consent(&f->c, &txs[0]);
    tout_tx_revoke(&f->c, txs[0].id, &txs[1]);
    tchain_tx_usage(&f->c, txs[0].id, &txs[2]);
    int out[3];
    tchain_commit_outcomes(&f->c, s, txs, 3, NULL, out);
    assert_int_equal(out[0], YC_OK);
    assert_int_equal(out[1], YC_OK);
    assert_int_equal(out[2], YC_ECONSENTREVOKED);
    for (int i = 0; i < 3; i++)
        yc_tx_cleanup(&txs[i]);
    store_close(s);
    struct audit_result r = replay_home(f, 0);
    if (!r.ok)
        fail_msg("%s: %s", audit_reason_name(r.reason), r.detail);
    assert_int_equal(r.txs, NBLOCKS * TXS_PER_BLOCK + 3);
    assert_int_equal(r.failed, 1);
    assert_int_equal(r.by_type[YC_TX_USAGE_RECORD], 1);
}

static void test_lying_state_root(void **state)
{
    /* A block certified by a quorum whose state root is not what its txs produce. */
    struct fix *f = *state;
    store *s = NULL;
    char err[512];
    assert_int_equal(store_open(&s, f->data, false, &f->c.g, err, sizeof err), YC_OK);
    struct yc_state_src src = store_state_src(s);
    struct tblock tb;
    tchain_next(&f->c, &src, 2, &tb);
    struct yc_block_header h = tb.b.hdr;
    h.state_root[0] ^= 0xff;
    uint8_t hash[YC_HASH_LEN];
    assert_int_equal(yc_header_hash(&h, hash), YC_OK);
    const uint32_t idx[] = {1, 2, 3};
    struct yc_cert cert;
    tchain_cert(&f->c, &cert, h.height, 0, hash, idx, 3);
    struct yc_buf out;
    yc_buf_init(&out, 0);
    assert_int_equal(yc_block_encode(&out, &h, tb.b.txs, tb.b.results, tb.b.ntx, &cert), YC_OK);
    struct yc_block bad;
    assert_int_equal(yc_block_decode(&bad, out.data, out.len), YC_OK);
    const struct yc_write *w;
    size_t nw;
    assert_int_equal(yc_overlay_writes(tb.o, &w, &nw), YC_OK);
    assert_int_equal(store_commit_block(s, &bad, w, nw), YC_OK);
    yc_block_cleanup(&bad);
    yc_buf_cleanup(&out);
    tblock_cleanup(&tb);
    store_close(s);
    expect_failure(f, NBLOCKS + 1, AUDIT_DIVERGED, "re-execution gives");
}

static void test_node_state_tampered(void **state)
{
    /* Blocks intact, but the node's stored state (what its RPC serves) was altered. */
    struct fix *f = *state;
    leveldb_t *db = raw_open(f);
    uint8_t sk[YC_KEY_MAX], k[SK_MAX];
    size_t skl = yc_key_account(sk, f->c.alice_pub);
    size_t kl = sk_state(k, sk, skl);
    size_t len;
    uint8_t *v = raw_get(db, k, kl, &len);
    struct yc_account a;
    assert_int_equal(yc_account_decode(&a, v, len), YC_OK);
    uint64_t was = a.balance;
    a.balance += 1000000;
    struct yc_buf out;
    yc_buf_init(&out, 0);
    assert_int_equal(yc_account_encode(&a, &out), YC_OK);
    raw_put(db, k, kl, out.data, out.len);
    yc_buf_cleanup(&out);
    yc_free(v);
    leveldb_close(db);

    struct audit_result r = replay_home(f, 0);
    assert_false(r.ok);
    assert_int_equal(r.reason, AUDIT_STATE_MISMATCH);
    assert_int_equal(r.fail_height, NBLOCKS);
    assert_int_equal(r.blocks, NBLOCKS); /* every block itself verified */
    /* the difference in words: object, field, both values; and an index entry the node
     * holds that the ledger never wrote */
    assert_int_equal(r.diff_total, 1);
    assert_int_equal(r.ndiffs, 1);
    char addr[YC_ADDR_MAX], want[400], num[32];
    assert_int_equal(yc_addr_encode(addr, f->c.alice_pub), YC_OK);
    snprintf(want, sizeof want, "account %s", addr);
    assert_non_null(strstr(r.diffs[0].object, want));
    assert_string_equal(r.diffs[0].field, "balance");
    snprintf(num, sizeof num, "%llu", (unsigned long long)(was + 1000000));
    assert_string_equal(r.diffs[0].stored, num);
    snprintf(num, sizeof num, "%llu", (unsigned long long)was);
    assert_string_equal(r.diffs[0].replayed, num);
    snprintf(want, sizeof want, " balance: stored %llu, replayed %llu",
             (unsigned long long)(was + 1000000), (unsigned long long)was);
    assert_non_null(strstr(r.diffs[0].text, want));
    db = raw_open(f);
    uint8_t ik[SK_MAX];
    memcpy(sk, "idx/consent_subject/", 20);
    memcpy(sk + 20, f->c.alice_pub, YC_PUBKEY_LEN);
    memset(sk + 20 + YC_PUBKEY_LEN, 0xab, YC_HASH_LEN);
    kl = sk_state(ik, sk, 20 + YC_PUBKEY_LEN + YC_HASH_LEN);
    raw_put(db, ik, kl, (const uint8_t *)"", 0);
    leveldb_close(db);
    r = replay_home(f, 0);
    assert_int_equal(r.diff_total, 2);
    bool seen = false;
    for (uint32_t i = 0; i < r.ndiffs; i++)
        seen |=
            strstr(r.diffs[i].text, "index consent_subject: entry for consent abababab") != NULL &&
            strstr(r.diffs[i].text, "never written by the ledger") != NULL;
    assert_true(seen);
    /* replaying only part of the chain makes no claim about the node's state */
    r = replay_home(f, 2);
    assert_true(r.ok);
}

static void test_signatures_on_threads(void **state)
{
    /* Blocks of 12 transactions: their signatures are checked on several threads
     * (replay.c, verify_sigs); 1, 2 and 5 threads give the same verdict and state. */
    (void)state;
    struct fix g;
    memset(&g, 0, sizeof g);
    tdir_make(g.home, sizeof g.home);
    snprintf(g.data, sizeof g.data, "%s/data", g.home);
    tchain_init(&g.c, 4);
    tchain_make_home(&g.c, g.home);
    store *s = NULL;
    char err[512];
    assert_int_equal(store_open(&s, g.data, false, &g.c.g, err, sizeof err), YC_OK);
    for (int i = 0; i < 3; i++)
        tchain_commit_next(&g.c, s, 12);
    store_close(s);
    uint8_t root[YC_HASH_LEN];
    const unsigned threads[] = {1, 2, 5};
    for (size_t k = 0; k < 3; k++) {
        struct audit_src src;
        char msg[700] = "";
        assert_int_equal(audit_src_open_home(&src, g.home, NULL, NULL, msg, sizeof msg), YC_OK);
        memstate *m = NULL;
        assert_int_equal(memstate_create(&m), YC_OK);
        struct audit_opts o = {.threads = threads[k], .check_end = true};
        static struct audit_result res;
        assert_int_equal(audit_replay(&src.genesis, &src.src, &o, m, &res, msg, sizeof msg), YC_OK);
        if (!res.ok)
            fail_msg("%u threads: %s: %s", threads[k], audit_reason_name(res.reason), res.detail);
        assert_int_equal(res.txs, 36);
        if (k == 0)
            memcpy(root, res.state_root, YC_HASH_LEN);
        assert_memory_equal(root, res.state_root, YC_HASH_LEN);
        memstate_destroy(m);
        audit_src_close(&src);
    }
    tchain_cleanup(&g.c);
    tdir_remove(g.home);
}

static void test_node_indexes_tampered(void **state)
{
    /* Blocks and state intact, but the node's block and tx indexes (what `tx` and
     * `tx_proof` answer from) altered: an entry moved, one deleted, one invented; and a
     * transaction's entry deleted. */
    struct fix *f = *state;
    size_t len;
    uint8_t *raw = get_block_raw(f, 3, &len);
    struct yc_block b;
    assert_int_equal(yc_block_decode(&b, raw, len), YC_OK);
    leveldb_t *db = raw_open(f);
    uint8_t k[SK_MAX], v[16];
    size_t kl = sk_tx(k, b.txs[1].id);
    sk_put_u64(v, 4);
    sk_put_u32(v + 8, 1);
    sk_put_u32(v + 12, 0);
    raw_put(db, k, kl, v, 16);
    kl = sk_hash(k, b.hash);
    raw_put(db, k, kl, NULL, 0);
    kl = sk_tx(k, b.txs[0].id);
    raw_put(db, k, kl, NULL, 0);
    uint8_t fake[YC_HASH_LEN];
    memset(fake, 0xcd, sizeof fake);
    kl = sk_tx(k, fake);
    raw_put(db, k, kl, v, 16);
    leveldb_close(db);
    struct audit_result r = replay_home(f, 0);
    assert_false(r.ok);
    assert_int_equal(r.reason, AUDIT_STATE_MISMATCH);
    assert_int_equal(r.diff_total, 4);
    char id[2 * YC_HASH_LEN + 1], want[4][400];
    yc_hex(id, b.txs[1].id, YC_HASH_LEN);
    snprintf(want[0], sizeof want[0],
             "tx index: entry for tx %s: stored height 4, index 1, outcome ok, replayed height "
             "3, index 1, outcome ok",
             id);
    yc_hex(id, b.hash, YC_HASH_LEN);
    snprintf(want[1], sizeof want[1],
             "block index: entry for block %s (height 3) missing from the stored state", id);
    snprintf(want[2], sizeof want[2],
             "tx index: %d entries in the stored state, the ledger has %d transactions: 1 "
             "entry for transactions that are not in the ledger",
             NBLOCKS * TXS_PER_BLOCK, NBLOCKS * TXS_PER_BLOCK);
    yc_hex(id, b.txs[0].id, YC_HASH_LEN);
    snprintf(want[3], sizeof want[3],
             "tx index: entry for tx %s (height 3, index 0, outcome ok) missing from the "
             "stored state",
             id);
    for (int w = 0; w < 4; w++) {
        bool seen = false;
        for (uint32_t i = 0; i < r.ndiffs; i++)
            seen |= strcmp(r.diffs[i].text, want[w]) == 0;
        if (!seen)
            fail_msg("no difference \"%s\"; first: \"%s\"", want[w], r.diffs[0].text);
    }
    yc_block_cleanup(&b);
    yc_free(raw);
}

static void test_block_index_in_height_order(void **state)
{
    /* The block index (hash -> height) is checked in one pass over it after the tip
     * (source.c, block_index_check); its differences are still worded block by block in
     * height order: block 1's entry deleted, block 2's moved to height 5, block 4's
     * malformed. */
    struct fix *f = *state;
    char want[3][400];
    const uint64_t heights[3] = {1, 2, 4};
    uint8_t hash[3][YC_HASH_LEN];
    for (int i = 0; i < 3; i++) {
        size_t len;
        uint8_t *raw = get_block_raw(f, heights[i], &len);
        struct yc_block b;
        assert_int_equal(yc_block_decode(&b, raw, len), YC_OK);
        memcpy(hash[i], b.hash, YC_HASH_LEN);
        yc_block_cleanup(&b);
        yc_free(raw);
    }
    leveldb_t *db = raw_open(f);
    for (int i = 0; i < 3; i++) {
        uint8_t k[SK_MAX], v[8];
        size_t kl = sk_hash(k, hash[i]);
        char id[2 * YC_HASH_LEN + 1];
        yc_hex(id, hash[i], YC_HASH_LEN);
        if (i == 0) {
            raw_put(db, k, kl, NULL, 0);
            snprintf(want[i], sizeof want[i],
                     "block index: entry for block %s (height 1) missing from the stored state",
                     id);
        } else {
            sk_put_u64(v, 5);
            raw_put(db, k, kl, v, i == 1 ? 8 : 3);
            snprintf(want[i], sizeof want[i],
                     "block index: entry for block %s height: stored %s, replayed %llu", id,
                     i == 1 ? "5" : "(malformed)", (unsigned long long)heights[i]);
        }
    }
    leveldb_close(db);
    struct audit_result r = replay_home(f, 0);
    assert_false(r.ok);
    assert_int_equal(r.reason, AUDIT_STATE_MISMATCH);
    assert_int_equal(r.diff_total, 3);
    for (int i = 0; i < 3; i++)
        assert_string_equal(r.diffs[i].text, want[i]);
}

/* A chain whose first blocks hold no transaction (a validator-set change or an empty
 * block can come first) replays: noting a block of no transaction for the tx index is
 * not "out of memory" (source.c once read the still-empty record array as a failed
 * allocation). */
static void test_empty_first_blocks(void **state)
{
    (void)state;
    static struct fix f;
    const uint32_t ntx[3] = {0, 0, TXS_PER_BLOCK};
    make_fix(&f, ntx, 3);
    struct audit_result r = replay_home(&f, 0);
    assert_true(r.ok);
    assert_int_equal(r.height, 3);
    tchain_cleanup(&f.c);
    tdir_remove(f.home);
}

/*
 * A chain that replaces validator 3's key: the exchange's proposal in block 2 is fixed
 * there (the exchange is every genesis validator's organisation) and in force from block 4
 * (valset_delay 2). Every block is signed by all four validators of the set in force at its
 * height, so from block 4 on validator 3's signature is the new key's: the replay must
 * take each block's set from its replayed state. Negative control: block 4 signed by the
 * old key is a bad certificate at height 4.
 */
static void test_set_change_replays(void **state)
{
    (void)state;
    static struct fix f;
    memset(&f, 0, sizeof f);
    tdir_make(f.home, sizeof f.home);
    snprintf(f.data, sizeof f.data, "%s/data", f.home);
    tchain_init(&f.c, 4);
    tchain_make_home(&f.c, f.home);
    f.c.signers = 4;
    store *s = NULL;
    char err[512];
    assert_int_equal(store_open(&s, f.data, false, &f.c.g, err, sizeof err), YC_OK);
    tchain_commit_next(&f.c, s, 1);
    uint8_t sk[YC_SECKEY_LEN], new_pub[YC_PUBKEY_LEN];
    yc_signer *old_key = f.c.val[3], *new_key = NULL;
    tchain_seckey(sk, 'v', 99);
    assert_int_equal(yc_signer_create(&new_key, sk), YC_OK);
    yc_signer_pubkey(new_key, new_pub);
    struct yc_tx tx;
    tchain_tx_replace_key(&f.c, 3, new_pub, &tx);
    tchain_commit_txs(&f.c, s, &tx, 1); /* height 2: fixed, in force from 4 */
    yc_tx_cleanup(&tx);
    tchain_commit_next(&f.c, s, 1); /* 3: still the old key */
    f.c.val[3] = new_key;
    tchain_commit_next(&f.c, s, 1); /* 4, 5: the new key */
    tchain_commit_next(&f.c, s, 1);
    store_close(s);

    struct audit_result r = replay_home(&f, 0);
    if (!r.ok)
        fail_msg("the chain that changed its set does not replay: height %llu %s: %s",
                 (unsigned long long)r.fail_height, audit_reason_name(r.reason), r.detail);
    assert_int_equal(r.blocks, 5);

    /* block 4 certified by the old key instead */
    f.c.val[3] = old_key;
    uint8_t hash[YC_HASH_LEN];
    block_hash_at(&f, 4, hash);
    struct yc_cert cert;
    const uint32_t all[4] = {0, 1, 2, 3};
    tchain_cert(&f.c, &cert, 4, 0, hash, all, 4);
    recertify(&f, 4, &cert);
    expect_failure(&f, 4, AUDIT_BAD_CERTIFICATE, NULL);
    yc_signer_destroy(new_key);
    teardown((void **)&(struct fix *){&f});
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_change_replays),
        cmocka_unit_test_setup_teardown(test_intact_chain_verifies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flipped_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flipped_byte_everywhere, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deleted_block, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deleted_tip_block, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reordered_blocks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cert_one_short, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cert_duplicated_signer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cert_signer_outside_set, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cert_forged_signature, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_tx_signature, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cosignature_added, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cosignature_stripped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cosignature_changed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outcome_changed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_certified_false_outcome, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_use_replays, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lying_state_root, setup, teardown),
        cmocka_unit_test_setup_teardown(test_node_state_tampered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_node_indexes_tampered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_block_index_in_height_order, setup, teardown),
        cmocka_unit_test(test_empty_first_blocks),
        cmocka_unit_test(test_signatures_on_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
