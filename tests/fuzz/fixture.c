/*
 * fixture.c — see fixture.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "yc/alloc.h"
#include "yc/buf.h"
#include "yc/txschema.h"

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

/* Body u of `type` written through the schema, signed by key `who` and decoded. */
static void sign_into(struct yc_tx *out, uint32_t who, enum yc_tx_type type, uint64_t nonce,
                      const union yc_tx_body *u)
{
    yc_signer *s = fz_signer(who);
    struct yc_buf body, b;
    uint8_t id[YC_HASH_LEN], aux[32];

    fz_aux(aux, who);
    yc_buf_init(&body, 0);
    yc_buf_init(&b, 0);
    if (yc_tx_body_encode(&body, type, u, yc_tx_body_present(type, u)) != YC_OK ||
        yc_tx_build_signed(&b, id, FZ_CHAIN, type, s, nonce, body.data, body.len, aux) != YC_OK ||
        yc_tx_decode(out, b.data, b.len) != YC_OK) {
        abort();
    }
    yc_buf_cleanup(&body);
    yc_buf_cleanup(&b);
    yc_signer_destroy(s);
}

void fz_chain_txs(struct yc_tx out[2])
{
    union yc_tx_body u;
    struct yc_body_consent_grant *g = &u.consent_grant;
    struct yc_body_usage_record *r = &u.usage_record;

    memset(&u, 0, sizeof u);
    g->categories.items[g->categories.n++] = (struct yc_slice){"health", 6};
    g->fee_per_use = 3;
    g->jurisdiction = (struct yc_slice){"CN-CQ", 5};
    g->operations.items[g->operations.n++] = (struct yc_slice){"use", 3};
    fz_pub(104, g->processor);
    g->purposes.items[g->purposes.n++] = (struct yc_slice){"research", 8};
    g->until = FZ_TIME0 + 86400000ull * 365;
    sign_into(&out[0], 103, YC_TX_CONSENT_GRANT, 0, &u);

    memset(&u, 0, sizeof u);
    r->category = (struct yc_slice){"health", 6};
    r->has_consent = true;
    memcpy(r->consent, out[0].id, YC_HASH_LEN);
    r->operation = (struct yc_slice){"use", 3};
    r->purpose = (struct yc_slice){"research", 8};
    sign_into(&out[1], 104, YC_TX_USAGE_RECORD, 0, &u);
}
