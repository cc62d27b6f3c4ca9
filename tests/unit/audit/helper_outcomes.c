/*
 * helper_outcomes.c — see helper_outcomes.h: the transactions the audit's outcome tests
 * need (blocks holding them: tchain_commit_outcomes, tests/unit/storage/helper_chain.h).
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

static void sign(struct tchain *c, enum yc_tx_type type, const yc_signer *who, uint64_t nonce,
                 struct yc_buf *body, struct yc_tx *out)
{
    struct yc_buf enc;
    uint8_t aux[32] = {0}, id[YC_HASH_LEN];
    yc_buf_init(&enc, 0);
    assert_int_equal(
        yc_tx_build_signed(&enc, id, c->g.chain_id, type, who, nonce, body->data, body->len, aux),
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

void tout_tx_recosign(const struct yc_tx *in, bool strip, const yc_signer *add, struct yc_tx *out)
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
