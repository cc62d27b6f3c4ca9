/*
 * helper_market.c — see helper_market.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helper_market.h"
#include "yc/codec.h"

/* ---- parties ---- */

static yc_signer *signer_of(struct tmarket *m, uint32_t who)
{
    if (who >= TM_APPRAISER) {
        assert_true(who < TM_END);
        return m->x[who - TM_APPRAISER];
    }
    assert_true(who < TC_NKEYS);
    return m->tc.keys[who];
}

const uint8_t *tm_pub(struct tmarket *m, uint32_t who)
{
    if (who >= TM_APPRAISER) {
        assert_true(who < TM_END);
        return m->xpub[who - TM_APPRAISER];
    }
    assert_true(who < TC_NKEYS);
    return m->tc.pub[who];
}

int tm_get(struct tmarket *m, const uint8_t *key, size_t klen, const uint8_t **v, size_t *vlen)
{
    return yc_overlay_get(m->tc.blk, key, klen, v, vlen);
}

static bool registered(struct tmarket *m, uint32_t who)
{
    uint8_t key[YC_KEY_MAX];
    const uint8_t *v;
    size_t vlen;
    return tm_get(m, key, yc_key_account(key, tm_pub(m, who)), &v, &vlen) == YC_OK;
}

struct yc_account tm_account(struct tmarket *m, uint32_t who)
{
    uint8_t key[YC_KEY_MAX];
    const uint8_t *v;
    size_t vlen;
    struct yc_account a;
    assert_int_equal(tm_get(m, key, yc_key_account(key, tm_pub(m, who)), &v, &vlen), YC_OK);
    assert_int_equal(yc_account_decode(&a, v, vlen), YC_OK);
    return a;
}

uint64_t tm_balance(struct tmarket *m, uint32_t who)
{
    return registered(m, who) ? tm_account(m, who).balance : 0;
}

static uint64_t nonce_of(struct tmarket *m, uint32_t who)
{
    return registered(m, who) ? tm_account(m, who).nonce : 0;
}

int tm_send_cosigned(struct tmarket *m, uint32_t who, enum yc_tx_type type,
                     const struct yc_buf *body, const uint32_t *cosigners, uint32_t ncos,
                     uint8_t id[YC_HASH_LEN])
{
    static const uint8_t aux[32] = {0};
    struct tchain *tc = &m->tc;
    uint8_t pub[YC_PUBKEY_LEN], txid[YC_HASH_LEN], sig[YC_SIG_LEN];
    struct yc_cosig cos[YC_TX_MAX_COSIGS];
    struct yc_buf ub, sb;
    struct yc_tx tx;
    uint64_t nonce = nonce_of(m, who);
    yc_signer *s = signer_of(m, who);

    assert_true(ncos <= YC_TX_MAX_COSIGS);
    yc_signer_pubkey(s, pub);
    yc_buf_init(&ub, 0);
    yc_buf_init(&sb, 0);
    assert_int_equal(
        yc_tx_encode_unsigned(&ub, tc->g.chain_id, type, pub, nonce, body->data, body->len), YC_OK);
    yc_tx_id(txid, tc->g.chain_id, ub.data, ub.len);
    assert_int_equal(yc_sig_sign(s, sig, txid, aux), YC_OK);
    for (uint32_t i = 0; i < ncos; i++) {
        yc_signer *c = signer_of(m, cosigners[i]);
        yc_signer_pubkey(c, cos[i].pub);
        assert_int_equal(yc_sig_sign(c, cos[i].sig, txid, aux), YC_OK);
    }
    assert_int_equal(yc_tx_encode_signed(&sb, tc->g.chain_id, type, pub, nonce, body->data,
                                         body->len, sig, cos, ncos),
                     YC_OK);
    int drc = yc_tx_decode(&tx, sb.data, sb.len);
    if (drc != YC_OK) {
        fail_msg("%s: decode %s", yc_tx_type_name(type), yc_err_name(drc));
    }
    assert_int_equal(yc_tx_verify(&tx, tc->g.chain_id), YC_OK);
    if (id != NULL) {
        memcpy(id, tx.id, YC_HASH_LEN);
    }
    int rc = tc_exec(tc, &tx);
    yc_tx_cleanup(&tx);
    yc_buf_cleanup(&ub);
    yc_buf_cleanup(&sb);
    return rc;
}

void tm_expect_cosigned(struct tmarket *m, uint32_t who, enum yc_tx_type type,
                        const struct yc_buf *body, const uint32_t *cosigners, uint32_t ncos,
                        int code, uint8_t id[YC_HASH_LEN])
{
    uint8_t before[YC_HASH_LEN], after[YC_HASH_LEN];
    tc_fingerprint(&m->tc, before);
    int rc = tm_send_cosigned(m, who, type, body, cosigners, ncos, id);
    if (rc != code) {
        fail_msg("%s from party %u: got %s, want %s", yc_tx_type_name(type), who, yc_err_name(rc),
                 yc_err_name(code));
    }
    if (code != YC_OK) {
        tc_fingerprint(&m->tc, after);
        assert_memory_equal(before, after, YC_HASH_LEN);
    }
}

void tm_expect(struct tmarket *m, uint32_t who, enum yc_tx_type type, const struct yc_buf *body,
               int code, uint8_t id[YC_HASH_LEN])
{
    tm_expect_cosigned(m, who, type, body, NULL, 0, code, id);
}

/* Registers extra party `who` (by the exchange) and funds it. */
static void add_party(struct tmarket *m, uint32_t who, const char *role, const char *jur,
                      uint64_t funds)
{
    struct tchain *tc = &m->tc;
    hb_register(&m->body, tm_pub(m, who), role, role, jur);
    tm_expect(m, TC_EXCHANGE, YC_TX_ACCOUNT_REGISTER, &m->body, YC_OK, NULL);
    if (funds > 0) {
        hb_token(&m->body, tm_pub(m, who), funds);
        tm_expect(m, TC_EXCHANGE, YC_TX_TOKEN_ISSUE, &m->body, YC_OK, NULL);
    }
    (void)tc;
}

static void register_asset(struct tmarket *m, uint32_t who, uint8_t d, const char *grade,
                           const uint8_t (*parents)[YC_HASH_LEN], uint32_t np,
                           uint8_t id[YC_HASH_LEN])
{
    struct hb_asset a = {.title = "Traffic flow",
                         .catalog = "traffic.flow",
                         .source = "public",
                         .grade = grade,
                         .sector = "transport",
                         .digest_byte = d,
                         .self = tm_pub(m, who),
                         .parents = parents,
                         .nparents = np};
    if (who == TC_ENTERPRISE && parents == NULL && strcmp(grade, "general") == 0) {
        a.ncontrib = 3;
        a.contrib[0] = (struct hb_contrib){tm_pub(m, TC_ENTERPRISE), 6000};
        a.contrib[1] = (struct hb_contrib){tm_pub(m, TC_ALICE), 3000};
        a.contrib[2] = (struct hb_contrib){tm_pub(m, TC_BOB), 1000};
    }
    hb_asset_register(&m->body, &a);
    tm_expect(m, who, YC_TX_ASSET_REGISTER, &m->body, YC_OK, id);
}

void tm_init(struct tmarket *m, uint32_t fee_bps)
{
    memset(m, 0, sizeof *m);
    struct tchain *tc = &m->tc;
    tc_init(tc);
    tc->g.params.notice_blocks = TA_NOTICE;
    tc->g.params.exchange_fee_bps = fee_bps;
    yc_buf_init(&m->body, 0);
    for (uint32_t i = 0; i < TM_NEXTRA; i++) {
        m->x[i] = h_signer(200 + i);
        yc_signer_pubkey(m->x[i], m->xpub[i]);
    }
    add_party(m, TM_APPRAISER, "appraiser", "CN-CQ", 0);
    add_party(m, TM_APPRAISER2, "appraiser", "CN-SC", 0);
    add_party(m, TM_BANK, "financial", "CN-CQ", 0);
    add_party(m, TM_FOREIGN, "enterprise", "SG", 100000);
    add_party(m, TM_BUYER, "data_merchant", "CN-SC", 100000);
    register_asset(m, TC_ENTERPRISE, 0x11, "general", NULL, 0, m->asset);
    register_asset(m, TC_ENTERPRISE, 0x12, "important", NULL, 0, m->important);
    register_asset(m, TC_ENTERPRISE, 0x13, "core", NULL, 0, m->core);
    uint8_t p[1][YC_HASH_LEN];
    memcpy(p[0], m->asset, YC_HASH_LEN);
    register_asset(m, TC_PROCESSOR, 0x14, "general", (const uint8_t(*)[YC_HASH_LEN])p, 1,
                   m->product);
    ta_pass_notice(tc);
    ta_certify(tc, m->asset);
    ta_certify(tc, m->important);
    ta_certify(tc, m->core);
    ta_certify(tc, m->product);
    tc_commit(tc);
}

void tm_cleanup(struct tmarket *m)
{
    for (uint32_t i = 0; i < TM_NEXTRA; i++) {
        yc_signer_destroy(m->x[i]);
    }
    yc_buf_cleanup(&m->body);
    tc_cleanup(&m->tc);
}

/* ---- bodies ---- */

void tm_list_body(struct tmarket *m, const uint8_t asset[YC_HASH_LEN], const char *offer,
                  uint64_t price, const char *sector, const struct tm_terms *t)
{
    struct hm h;
    hm_init(&h);
    hm_bin(&h, "asset", asset, YC_HASH_LEN);
    hm_str(&h, "offer", offer);
    hm_u64(&h, "price", price);
    hm_str(&h, "sector", sector);
    if (t != NULL) {
        hm_list(&h, "operations", t->operations);
        hm_list(&h, "purposes", t->purposes);
        hm_str(&h, "visibility", t->visibility);
        hm_u64(&h, "until", t->until);
        if (t->fee != 0) {
            hm_u64(&h, "fee", t->fee);
        }
        if (t->max_uses != 0) {
            hm_u64(&h, "max_uses", t->max_uses);
        }
    }
    hm_finish(&h, YC_TX_MARKET_LIST, &m->body);
}

void tm_bid_body(struct tmarket *m, const uint8_t listing[YC_HASH_LEN], uint64_t price,
                 uint64_t expires)
{
    struct hm h;
    hm_init(&h);
    hm_u64(&h, "expires", expires);
    hm_bin(&h, "listing", listing, YC_HASH_LEN);
    hm_u64(&h, "price", price);
    hm_finish(&h, YC_TX_MARKET_BID, &m->body);
}

void tm_id_body(struct tmarket *m, enum yc_tx_type type, const char *key,
                const uint8_t id[YC_HASH_LEN])
{
    struct hm h;
    hm_init(&h);
    hm_bin(&h, key, id, YC_HASH_LEN);
    hm_finish(&h, type, &m->body);
}

void tm_list(struct tmarket *m, uint32_t who, const uint8_t asset[YC_HASH_LEN], const char *offer,
             uint64_t price, uint8_t id[YC_HASH_LEN])
{
    tm_list_body(m, asset, offer, price, "transport", NULL);
    tm_expect(m, who, YC_TX_MARKET_LIST, &m->body, YC_OK, id);
}

void tm_bid(struct tmarket *m, uint32_t who, const uint8_t listing[YC_HASH_LEN], uint64_t price,
            uint8_t id[YC_HASH_LEN])
{
    tm_bid_body(m, listing, price, m->tc.time_ms + 3600 * 1000);
    tm_expect(m, who, YC_TX_MARKET_BID, &m->body, YC_OK, id);
}

static uint64_t policy_version(struct tmarket *m)
{
    uint8_t key[YC_KEY_MAX];
    const uint8_t *v;
    size_t vlen;
    struct yc_policy p;
    if (tm_get(m, key, yc_key_policy(key), &v, &vlen) != YC_OK) {
        return 0;
    }
    assert_int_equal(yc_policy_decode(&p, v, vlen), YC_OK);
    return p.version;
}

void tm_policy(struct tmarket *m, struct hm *h, int code)
{
    hm_u64(h, "version", policy_version(m) + 1);
    hm_finish(h, YC_TX_POLICY_SET, &m->body);
    tm_expect(m, TC_REGULATOR, YC_TX_POLICY_SET, &m->body, code, NULL);
}

void tm_assess(struct tmarket *m, const uint8_t asset[YC_HASH_LEN], const char *dest,
               const char *outcome, uint64_t until)
{
    struct hm h;
    uint8_t report[YC_HASH_LEN];
    memset(report, 0x77, sizeof report);
    hm_init(&h);
    hm_bin(&h, "asset", asset, YC_HASH_LEN);
    hm_str(&h, "destination", dest);
    hm_str(&h, "outcome", outcome);
    hm_bin(&h, "report", report, YC_HASH_LEN);
    hm_u64(&h, "until", until);
    hm_finish(&h, YC_TX_EXPORT_ASSESS, &m->body);
    tm_expect(m, TC_REGULATOR, YC_TX_EXPORT_ASSESS, &m->body, YC_OK, NULL);
}

void tm_credit(struct tmarket *m, uint32_t who, const char *severity, uint8_t id[YC_HASH_LEN])
{
    struct hm h;
    uint8_t ev[YC_HASH_LEN];
    memset(ev, 0x66, sizeof ev);
    hm_init(&h);
    hm_bin(&h, "account", tm_pub(m, who), YC_PUBKEY_LEN);
    hm_bin(&h, "evidence", ev, YC_HASH_LEN);
    hm_str(&h, "reason", "late_delivery");
    hm_str(&h, "severity", severity);
    hm_finish(&h, YC_TX_CREDIT_RECORD, &m->body);
    tm_expect(m, TC_REGULATOR, YC_TX_CREDIT_RECORD, &m->body, YC_OK, id);
}

/* ---- readers ---- */

bool tm_is(const struct yc_slice *s, const char *cstr)
{
    size_t n = strlen(cstr);
    return s->len == n && (n == 0 || memcmp(s->p, cstr, n) == 0);
}

#define READER(fn, T, keyfn, dec)                                    \
    int fn(struct tmarket *m, const uint8_t id[YC_HASH_LEN], T *out) \
    {                                                                \
        uint8_t key[YC_KEY_MAX];                                     \
        const uint8_t *v;                                            \
        size_t vlen;                                                 \
        int rc = tm_get(m, key, keyfn(key, id), &v, &vlen);          \
        return rc == YC_OK ? dec(out, v, vlen) : rc;                 \
    }
READER(tm_listing, struct yc_listing, yc_key_listing, yc_listing_decode)
READER(tm_bid_get, struct yc_bid, yc_key_bid, yc_bid_decode)
READER(tm_deal, struct yc_deal, yc_key_deal, yc_deal_decode)
READER(tm_pledge, struct yc_pledge, yc_key_pledge, yc_pledge_decode)
READER(tm_credit_get, struct yc_credit, yc_key_credit, yc_credit_decode)
#undef READER

struct count_ctx {
    const char *kind;
    size_t n;
    uint64_t sum;
};

static int count_alert(void *vctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct count_ctx *c = vctx;
    struct yc_alert a;
    (void)key;
    (void)klen;
    assert_int_equal(yc_alert_decode(&a, val, vlen), YC_OK);
    if (c->kind == NULL ||
        (a.kind.len == strlen(c->kind) && memcmp(a.kind.p, c->kind, a.kind.len) == 0)) {
        c->n++;
    }
    return 0;
}

size_t tm_alert_count(struct tmarket *m, const char *kind)
{
    uint8_t prefix[YC_KEY_MAX];
    struct count_ctx c = {.kind = kind};
    tc_commit(&m->tc);
    struct yc_state_src src = mem_state_src(m->tc.ms);
    assert_int_equal(src.scan(src.ctx, prefix, yc_key_prefix(prefix, "alert/"), count_alert, &c),
                     YC_OK);
    return c.n;
}

static int sum_balance(void *vctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct count_ctx *c = vctx;
    struct yc_account a;
    (void)key;
    (void)klen;
    assert_int_equal(yc_account_decode(&a, val, vlen), YC_OK);
    c->sum += a.balance;
    return 0;
}

static int sum_escrow(void *vctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct count_ctx *c = vctx;
    struct yc_bid b;
    (void)key;
    (void)klen;
    assert_int_equal(yc_bid_decode(&b, val, vlen), YC_OK);
    c->sum += b.escrow;
    return 0;
}

uint64_t tm_money(struct tmarket *m)
{
    uint8_t prefix[YC_KEY_MAX];
    struct count_ctx c = {0};
    tc_commit(&m->tc);
    struct yc_state_src src = mem_state_src(m->tc.ms);
    assert_int_equal(src.scan(src.ctx, prefix, yc_key_prefix(prefix, "account/"), sum_balance, &c),
                     YC_OK);
    assert_int_equal(src.scan(src.ctx, prefix, yc_key_prefix(prefix, "bid/"), sum_escrow, &c),
                     YC_OK);
    return c.sum;
}

static int print_breach(void *ctx, const char *rule, const uint8_t *id, const char *detail)
{
    size_t *n = ctx;
    char hex[2 * YC_HASH_LEN + 1] = "-";
    if (id != NULL) {
        yc_hex(hex, id, YC_HASH_LEN);
    }
    print_message("breach %s %s: %s\n", rule, hex, detail);
    (*n)++;
    return 0;
}

size_t tm_check(struct tmarket *m)
{
    size_t n = 0;
    uint64_t checked = 0;
    tc_commit(&m->tc);
    struct yc_state_src src = mem_state_src(m->tc.ms);
    assert_int_equal(yc_market_check(&src, &m->tc.g, print_breach, &n, &checked), YC_OK);
    assert_true(checked > 0);
    return n;
}
