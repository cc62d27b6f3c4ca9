/*
 * fixture.c — see fixture.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "yc/alloc.h"
#include "yc/buf.h"
#include "yc/codec.h"

yc_signer *fz_signer(uint32_t i)
{
    uint8_t sk[YC_SECKEY_LEN] = {0};
    yc_signer *s = NULL;

    sk[YC_SECKEY_LEN - 1] = (uint8_t)(i + 1);
    if (i >= 255 || yc_signer_create(&s, sk) != YC_OK) {
        abort();
    }
    return s;
}

void fz_pub(uint32_t i, uint8_t pub[YC_PUBKEY_LEN])
{
    yc_signer *s = fz_signer(i);
    yc_signer_pubkey(s, pub);
    yc_signer_destroy(s);
}

void fz_genesis(struct yc_genesis *g, uint32_t n)
{
    static const char *const roles[] = {"exchange", "agency", "regulator", "individual",
                                        "processor"};
    const uint32_t nacc = (uint32_t)(sizeof roles / sizeof roles[0]);

    if (n == 0 || n > YC_MAX_VALIDATORS) {
        abort();
    }
    memset(g, 0, sizeof *g);
    snprintf(g->chain_id, sizeof g->chain_id, "%s", FZ_CHAIN);
    g->genesis_time_ms = FZ_TIME0;
    g->nvalidators = n;
    for (uint32_t i = 0; i < n; i++) {
        fz_pub(i, g->validators[i].pub);
        snprintf(g->validators[i].name, sizeof g->validators[i].name, "v%u", i);
    }
    g->naccounts = nacc;
    g->accounts = yc_calloc(nacc, sizeof *g->accounts);
    if (g->accounts == NULL) {
        abort();
    }
    for (uint32_t i = 0; i < nacc; i++) {
        /* account keys 100.. so they never collide with validator keys */
        fz_pub(100 + i, g->accounts[i].pub);
        snprintf(g->accounts[i].role, sizeof g->accounts[i].role, "%s", roles[i]);
        snprintf(g->accounts[i].name, sizeof g->accounts[i].name, "%s %u", roles[i], i);
        snprintf(g->accounts[i].jurisdiction, sizeof g->accounts[i].jurisdiction, "CN-CQ");
        g->accounts[i].balance = 1000000u * (i + 1);
    }
    yc_params_default(&g->params);
    g->params.open_registration = true; /* a dev chain: individuals self-register */
    if (yc_genesis_finalize(g) != YC_OK) {
        abort();
    }
}

void fz_aux(uint8_t out[32], uint64_t counter)
{
    memset(out, 0xa5, 32);
    for (int i = 0; i < 8; i++) {
        out[i] = (uint8_t)(counter >> (8 * i));
    }
}

static void sign_into(struct yc_tx *out, uint32_t who, enum yc_tx_type type, uint64_t nonce,
                      const struct yc_buf *body)
{
    yc_signer *s = fz_signer(who);
    struct yc_buf b;
    uint8_t id[YC_HASH_LEN], aux[32];

    fz_aux(aux, who);
    yc_buf_init(&b, 0);
    if (yc_tx_build_signed(&b, id, FZ_CHAIN, type, s, nonce, body->data, body->len, aux) != YC_OK ||
        yc_tx_decode(out, b.data, b.len) != YC_OK) {
        abort();
    }
    yc_buf_cleanup(&b);
    yc_signer_destroy(s);
}

void fz_chain_txs(struct yc_tx out[2])
{
    uint8_t proc[YC_PUBKEY_LEN];
    struct yc_buf body;
    struct yc_enc e;

    fz_pub(104, proc);
    yc_buf_init(&body, 0);
    yc_enc_init(&e, &body);
    yc_enc_map(&e, 7);
    yc_enc_cstr(&e, "categories");
    yc_enc_array(&e, 1);
    yc_enc_cstr(&e, "health");
    yc_enc_cstr(&e, "fee_per_use");
    yc_enc_uint(&e, 3);
    yc_enc_cstr(&e, "jurisdiction");
    yc_enc_cstr(&e, "CN-CQ");
    yc_enc_cstr(&e, "operations");
    yc_enc_array(&e, 1);
    yc_enc_cstr(&e, "use");
    yc_enc_cstr(&e, "processor");
    yc_enc_bin(&e, proc, YC_PUBKEY_LEN);
    yc_enc_cstr(&e, "purposes");
    yc_enc_array(&e, 1);
    yc_enc_cstr(&e, "research");
    yc_enc_cstr(&e, "until");
    yc_enc_uint(&e, FZ_TIME0 + 86400000ull * 365);
    if (yc_enc_finish(&e) != YC_OK) {
        abort();
    }
    sign_into(&out[0], 103, YC_TX_CONSENT_GRANT, 0, &body);

    yc_buf_reset(&body);
    yc_enc_init(&e, &body);
    yc_enc_map(&e, 4);
    yc_enc_cstr(&e, "category");
    yc_enc_cstr(&e, "health");
    yc_enc_cstr(&e, "consent");
    yc_enc_bin(&e, out[0].id, YC_HASH_LEN);
    yc_enc_cstr(&e, "operation");
    yc_enc_cstr(&e, "use");
    yc_enc_cstr(&e, "purpose");
    yc_enc_cstr(&e, "research");
    if (yc_enc_finish(&e) != YC_OK) {
        abort();
    }
    sign_into(&out[1], 104, YC_TX_USAGE_RECORD, 0, &body);
    yc_buf_cleanup(&body);
}
