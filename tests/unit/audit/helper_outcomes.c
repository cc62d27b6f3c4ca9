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
#include "yc/ledger.h"

#include "helper_outcomes.h"

void tout_tx_revoke(struct tchain *c, const uint8_t consent[YC_HASH_LEN], struct yc_tx *out)
{
    union yc_tx_body b;
    memset(&b, 0, sizeof b);
    memcpy(b.consent_revoke.consent, consent, YC_HASH_LEN);
    tchain_sign(c, YC_TX_CONSENT_REVOKE, c->alice, c->alice_nonce++, &b, out);
}

void tout_tx_register(struct tchain *c, uint32_t keyno, struct yc_tx *out)
{
    uint8_t sk[YC_SECKEY_LEN];
    yc_signer *who = NULL;
    tchain_seckey(sk, 'a', keyno);
    assert_int_equal(yc_signer_create(&who, sk), YC_OK);
    union yc_tx_body b;
    memset(&b, 0, sizeof b);
    b.account_register.jurisdiction = (struct yc_slice){"CN-CQ", 5};
    b.account_register.name = (struct yc_slice){"Bob", 3};
    b.account_register.role = (struct yc_slice){"individual", 10};
    struct yc_tx plain;
    tchain_sign(c, YC_TX_ACCOUNT_REGISTER, who, 0, &b, &plain);
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
