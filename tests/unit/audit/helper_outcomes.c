/*
 * helper_outcomes.c — see helper_outcomes.h. Everything goes through core as the node's
 * producer does it: yc_exec_tx_outcome per tx, yc_block_header_seal, COMMIT votes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "yc/alloc.h"
#include "yc/codec.h"
#include "yc/ledger.h"

#include "helper_outcomes.h"

void tout_commit(struct tchain *c, store *s, const struct yc_tx *txs, uint32_t ntx,
                 const int *lie, int *outcomes)
{
    struct yc_state_src src = store_state_src(s);
    yc_overlay *o = NULL;
    assert_int_equal(yc_overlay_create(&o, &src), YC_OK);
    struct yc_block_header h;
    memset(&h, 0, sizeof h);
    snprintf(h.chain_id, sizeof h.chain_id, "%s", c->g.chain_id);
    h.height = c->height + 1;
    h.proposer = (uint32_t)(h.height % c->nval);
    h.time_ms = c->time_ms + 1000;
    memcpy(h.prev_hash, c->prev_hash, YC_HASH_LEN);
    int results[16];
    assert_true(ntx <= 16);
    struct yc_exec_ctx ctx = {.g = &c->g, .height = h.height, .time_ms = h.time_ms};
    for (uint32_t i = 0; i < ntx; i++) {
        int rc = yc_exec_tx_outcome(o, &ctx, &txs[i], i, &results[i]);
        if (rc != YC_OK)
            fail_msg("tx %u cannot stand in block %llu: %s", i, (unsigned long long)h.height,
                     yc_err_name(rc));
        if (outcomes != NULL)
            outcomes[i] = results[i];
    }
    const int *rec = lie != NULL ? lie : results;
    assert_int_equal(yc_block_header_seal(&h, txs, rec, ntx), YC_OK);
    const struct yc_write *w = NULL;
    size_t nw = 0;
    assert_int_equal(yc_overlay_writes(o, &w, &nw), YC_OK);
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
    struct yc_block b;
    assert_int_equal(yc_block_decode(&b, enc.data, enc.len), YC_OK);
    assert_int_equal(store_commit_block(s, &b, w, nw), YC_OK);
    yc_block_cleanup(&b);
    yc_buf_cleanup(&enc);
    yc_overlay_destroy(o);
    c->height = h.height;
    memcpy(c->prev_hash, hash, YC_HASH_LEN);
    memcpy(c->prev_root, h.state_root, YC_HASH_LEN);
    c->time_ms = h.time_ms;
}

static void sign(struct tchain *c, enum yc_tx_type type, const yc_signer *who, uint64_t nonce,
                 struct yc_buf *body, struct yc_tx *out)
{
    struct yc_buf enc;
    uint8_t aux[32] = {0}, id[YC_HASH_LEN];
    yc_buf_init(&enc, 0);
    assert_int_equal(yc_tx_build_signed(&enc, id, c->g.chain_id, type, who, nonce, body->data,
                                        body->len, aux),
                     YC_OK);
    assert_int_equal(yc_tx_decode(out, enc.data, enc.len), YC_OK);
    yc_buf_cleanup(&enc);
    yc_buf_cleanup(body);
}

void tout_tx_revoke(struct tchain *c, const uint8_t consent[YC_HASH_LEN], struct yc_tx *out)
{
    struct yc_buf body;
    struct yc_enc e;
    yc_buf_init(&body, 0);
    yc_enc_init(&e, &body);
    yc_enc_map(&e, 1);
    yc_enc_cstr(&e, "consent");
    yc_enc_bin(&e, consent, YC_HASH_LEN);
    assert_int_equal(yc_enc_finish(&e), YC_OK);
    sign(c, YC_TX_CONSENT_REVOKE, c->alice, c->alice_nonce++, &body, out);
}

void tout_tx_register(struct tchain *c, uint32_t keyno, struct yc_tx *out)
{
    uint8_t sk[YC_SECKEY_LEN];
    yc_signer *who = NULL;
    tchain_seckey(sk, 'a', keyno);
    assert_int_equal(yc_signer_create(&who, sk), YC_OK);
    struct yc_buf body;
    struct yc_enc e;
    yc_buf_init(&body, 0);
    yc_enc_init(&e, &body);
    yc_enc_map(&e, 3);
    yc_enc_cstr(&e, "jurisdiction");
    yc_enc_cstr(&e, "CN-CQ");
    yc_enc_cstr(&e, "name");
    yc_enc_cstr(&e, "Bob");
    yc_enc_cstr(&e, "role");
    yc_enc_cstr(&e, "individual");
    assert_int_equal(yc_enc_finish(&e), YC_OK);
    struct yc_tx plain;
    sign(c, YC_TX_ACCOUNT_REGISTER, who, 0, &body, &plain);
    yc_signer_destroy(who);
    tout_tx_recosign(&plain, false, c->exchange, out);
    yc_tx_cleanup(&plain);
}

void tout_tx_recosign(const struct yc_tx *in, bool strip, const yc_signer *add,
                      struct yc_tx *out)
{
    struct yc_cosig cs[YC_TX_MAX_COSIGS];
    uint32_t k = 0;
    for (uint32_t i = 0; !strip && i < in->ncosigs; i++)
        cs[k++] = in->cosigs[i];
    if (add != NULL) {
        uint8_t aux[32] = {3};
        yc_signer_pubkey(add, cs[k].pub);
        assert_int_equal(yc_sig_sign(add, cs[k].sig, in->id, aux), YC_OK);
        k++;
    }
    for (uint32_t i = 1; i < k; i++) /* sorted by key, as the envelope wants */
        for (uint32_t j = i; j > 0 && memcmp(cs[j - 1].pub, cs[j].pub, YC_PUBKEY_LEN) > 0; j--) {
            struct yc_cosig t = cs[j];
            cs[j] = cs[j - 1];
            cs[j - 1] = t;
        }
    char chain[YC_CHAIN_ID_MAX + 1];
    snprintf(chain, sizeof chain, "%.*s", (int)in->chain_id.len, in->chain_id.p);
    struct yc_buf enc;
    yc_buf_init(&enc, 0);
    assert_int_equal(yc_tx_encode_signed(&enc, chain, in->type, in->sender, in->nonce, in->body,
                                         in->body_len, in->sig, cs, k),
                     YC_OK);
    assert_int_equal(yc_tx_decode(out, enc.data, enc.len), YC_OK);
    assert_memory_equal(out->id, in->id, YC_HASH_LEN);
    yc_buf_cleanup(&enc);
}
