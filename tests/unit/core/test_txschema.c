/*
 * test_txschema.c — the schema table of the transaction bodies (txschema.h): one row per
 * type, keys in wire order, and encode(decode(b)) == b for every type, over bodies made
 * at random from the table (every optional field present or not, values at their
 * limits), over the same bodies with bytes changed or cut (refused, or re-encoded byte
 * for byte), and over the tx fuzz corpus. The encoder refuses what the decoder would.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "yc/buf.h"
#include "yc/enums.h"
#include "yc/keys.h"
#include "yc/tx.h"
#include "yc/txschema.h"

#define CHAIN "schema-test"

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static uint32_t below(uint32_t n)
{
    return n == 0 ? 0 : (uint32_t)(rnd() % n);
}

/* Where the texts of a generated body live. */
struct arena {
    char bytes[16384];
    size_t used;
};

static struct yc_slice gen_text(struct arena *a, size_t min, size_t max, int enum_id)
{
    struct yc_slice s;
    const struct yc_enum *en = enum_id >= 0 ? yc_enum_get((enum yc_enum_id)enum_id) : NULL;
    if (en != NULL && below(4) != 0) {
        const char *v = en->values[below((uint32_t)en->n)];
        s.p = v;
        s.len = strlen(v);
        return s;
    }
    /* the limits themselves are the likeliest lengths */
    size_t len = below(3) == 0 ? min : below(3) == 0 ? max : min + below((uint32_t)(max - min + 1));
    assert_true(a->used + len <= sizeof a->bytes);
    char *p = a->bytes + a->used;
    for (size_t i = 0; i < len; i++) {
        p[i] = (char)('a' + below(26));
    }
    if (len > 2 && below(4) == 0) {
        memcpy(p, "\xe6\xb8\x9d", 3); /* a multi-byte character */
    }
    a->used += len;
    s.p = len > 0 ? p : NULL;
    s.len = len;
    return s;
}

static void gen_bytes(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t)rnd();
    }
}

static void gen_pub(uint8_t *p)
{
    gen_bytes(p, YC_PUBKEY_LEN);
    p[0] = YC_SCHEME_BIP340;
}

static uint64_t gen_u64(void)
{
    switch (below(4)) {
    case 0:
        return 0;
    case 1:
        return below(200);
    case 2:
        return UINT64_MAX;
    default:
        return rnd() >> below(64);
    }
}

static void gen_field(const struct yc_field *f, uint8_t *base, struct arena *a)
{
    void *v = base + f->off;
    uint32_t n = below((uint32_t)f->max + 1);

    switch ((enum yc_field_kind)f->kind) {
    case YC_FK_TEXT:
        *(struct yc_slice *)v = gen_text(a, f->min, f->max, f->enum_id);
        break;
    case YC_FK_U64:
        *(uint64_t *)v = gen_u64();
        break;
    case YC_FK_BOOL:
        *(bool *)v = below(2) != 0;
        break;
    case YC_FK_ID:
    case YC_FK_DIGEST:
        gen_bytes(v, YC_HASH_LEN);
        break;
    case YC_FK_PUB:
        gen_pub(v);
        break;
    case YC_FK_LIST: {
        struct yc_list *l = v;
        l->n = below(YC_LIST_MAX + 1);
        for (uint32_t i = 0; i < l->n; i++) {
            l->items[i] = gen_text(a, 0, f->max, f->enum_id);
        }
        break;
    }
    case YC_FK_IDS:
        gen_bytes(v, (size_t)n * YC_HASH_LEN);
        *(uint32_t *)(void *)(base + f->count_off) = n;
        break;
    case YC_FK_PUBS:
        for (uint32_t i = 0; i < n; i++) {
            gen_pub((uint8_t *)v + (size_t)i * YC_PUBKEY_LEN);
        }
        *(uint32_t *)(void *)(base + f->count_off) = n;
        break;
    case YC_FK_SHARES: {
        struct yc_contributor *c = v;
        for (uint32_t i = 0; i < n; i++) {
            gen_pub(c[i].pub);
            c[i].bps = gen_u64();
        }
        *(uint32_t *)(void *)(base + f->count_off) = n;
        break;
    }
    }
}

/* A random body of schema s that its rule accepts, encoded into out; *present its mask. */
static void gen_body(const struct yc_tx_schema *s, struct arena *a, union yc_tx_body *b,
                     uint64_t *present, struct yc_buf *out)
{
    for (int tries = 0; tries < 100; tries++) {
        memset(b, 0, sizeof *b);
        a->used = 0;
        *present = 0;
        for (uint32_t i = 0; i < s->nfields; i++) {
            const struct yc_field *f = &s->fields[i];
            if (!f->required && below(2) == 0) {
                continue;
            }
            if (!f->required) {
                *present |= UINT64_C(1) << i;
            }
            if (f->has_off >= 0) {
                *((uint8_t *)b + f->has_off) = 1;
            }
            gen_field(f, (uint8_t *)b, a);
        }
        if (s->rule != NULL && s->rule(s->type, b) != NULL) {
            continue;
        }
        yc_buf_reset(out);
        assert_int_equal(yc_tx_body_encode(out, s->type, b, *present), YC_OK);
        return;
    }
    fail_msg("%s: no body its rule accepts in 100 tries", yc_tx_type_name(s->type));
}

/* Wraps body bytes into a signed envelope (the signature is not checked by decoding). */
static void wrap(struct yc_buf *tx, enum yc_tx_type t, const struct yc_buf *body)
{
    uint8_t sender[YC_PUBKEY_LEN], sig[YC_SIG_LEN];
    memset(sender, 0x22, sizeof sender);
    sender[0] = YC_SCHEME_BIP340;
    memset(sig, 0x33, sizeof sig);
    yc_buf_reset(tx);
    assert_int_equal(
        yc_tx_encode_signed(tx, CHAIN, t, sender, 7, body->data, body->len, sig, NULL, 0), YC_OK);
}

/* If bytes decode, their body re-encodes from the decoded fields byte for byte. */
static bool roundtrip(const uint8_t *bytes, size_t len)
{
    struct yc_tx tx;
    struct yc_buf again;

    if (yc_tx_decode(&tx, bytes, len) != YC_OK) {
        return false;
    }
    yc_buf_init(&again, 0);
    int rc = yc_tx_body_encode(&again, tx.type, tx.b, tx.body_present);
    if (rc != YC_OK || again.len != tx.body_len || memcmp(again.data, tx.body, again.len) != 0) {
        fail_msg("%s: encode(decode(b)) != b (rc %d)", yc_tx_type_name(tx.type), rc);
    }
    yc_buf_cleanup(&again);
    yc_tx_cleanup(&tx);
    return true;
}

static void test_table_shape(void **state)
{
    (void)state;
    size_t n = 0;
    const enum yc_tx_type types[] = {
#define T_(e, num, name) e,
        YC_TX_TYPES(T_)
#undef T_
    };
    for (const struct yc_tx_schema *s; (s = yc_tx_schema_at(n)) != NULL; n++) {
        /* one row per type, in YC_TX_TYPES order */
        assert_true(n < sizeof types / sizeof types[0]);
        assert_int_equal(s->type, types[n]);
        assert_ptr_equal(yc_tx_schema(s->type), s);
        assert_true(s->nfields > 0 && s->nfields <= 64);
        for (uint32_t i = 0; i < s->nfields; i++) {
            const struct yc_field *f = &s->fields[i];
            uint32_t at;
            /* strictly sorted as the canonical encoding sorts keys */
            if (i > 0) {
                const char *p = s->fields[i - 1].key;
                size_t pl = strlen(p), kl = strlen(f->key);
                int c = memcmp(p, f->key, pl < kl ? pl : kl);
                assert_true(c < 0 || (c == 0 && pl < kl));
            }
            assert_ptr_equal(yc_tx_schema_field(s, f->key, &at), f);
            assert_int_equal(at, i);
            assert_true(f->enum_id == YC_FIELD_NONE ||
                        (f->enum_id >= 0 && f->enum_id < YC_ENUM_COUNT));
            assert_true(f->enum_id == YC_FIELD_NONE || f->kind == YC_FK_TEXT ||
                        f->kind == YC_FK_LIST);
            assert_true((f->count_off >= 0) ==
                        (f->kind == YC_FK_IDS || f->kind == YC_FK_PUBS || f->kind == YC_FK_SHARES));
            assert_true(f->min <= f->max || f->kind != YC_FK_TEXT);
            /* a decoded tx holds only `size` bytes of the union: every field, has-flag
             * and count must lie within them */
            size_t vsize[] = {
                [YC_FK_TEXT] = sizeof(struct yc_slice),
                [YC_FK_U64] = sizeof(uint64_t),
                [YC_FK_BOOL] = sizeof(bool),
                [YC_FK_ID] = YC_HASH_LEN,
                [YC_FK_DIGEST] = YC_HASH_LEN,
                [YC_FK_PUB] = YC_PUBKEY_LEN,
                [YC_FK_LIST] = sizeof(struct yc_list),
                [YC_FK_IDS] = (size_t)f->max * YC_HASH_LEN,
                [YC_FK_PUBS] = (size_t)f->max * YC_PUBKEY_LEN,
                [YC_FK_SHARES] = (size_t)f->max * sizeof(struct yc_contributor),
            };
            assert_true(f->kind < sizeof vsize / sizeof vsize[0]);
            assert_true(f->off + vsize[f->kind] <= s->size);
            assert_true(f->has_off < 0 || (size_t)f->has_off + sizeof(bool) <= s->size);
            assert_true(f->count_off < 0 || (size_t)f->count_off + sizeof(uint32_t) <= s->size);
        }
        assert_true(s->size > 0 && s->size <= sizeof(union yc_tx_body));
    }
    assert_int_equal(n, sizeof types / sizeof types[0]);
    assert_null(yc_tx_schema(YC_TX_NONE));
}

static void test_roundtrip_generated(void **state)
{
    (void)state;
    static struct arena a;
    static union yc_tx_body b;
    struct yc_buf body, tx;
    uint64_t present;
    yc_buf_init(&body, 0);
    yc_buf_init(&tx, 0);
    for (size_t k = 0; yc_tx_schema_at(k) != NULL; k++) {
        const struct yc_tx_schema *s = yc_tx_schema_at(k);
        uint64_t seen = 0;
        for (int round = 0; round < 300; round++) {
            gen_body(s, &a, &b, &present, &body);
            seen |= present;
            wrap(&tx, s->type, &body);
            if (!roundtrip(tx.data, tx.len)) {
                fail_msg("%s: a generated body is refused", yc_tx_type_name(s->type));
            }
            /* changed or cut: refused, or re-encoded byte for byte */
            for (int m = 0; m < 8; m++) {
                uint8_t *p = tx.data;
                size_t len = tx.len;
                size_t at = below((uint32_t)len);
                uint8_t old = p[at];
                if (m == 7) {
                    (void)roundtrip(p, at);
                    continue;
                }
                p[at] = m < 4 ? (uint8_t)(old ^ (1u << below(8))) : (uint8_t)rnd();
                (void)roundtrip(p, len);
                p[at] = old;
            }
        }
        /* every optional field was on the wire at least once (but a redeem's 'to', which
         * its rule refuses) */
        for (uint32_t i = 0; i < s->nfields && s->type != YC_TX_TOKEN_REDEEM; i++) {
            assert_true(s->fields[i].required || (seen >> i & 1u) != 0);
        }
    }
    yc_buf_cleanup(&body);
    yc_buf_cleanup(&tx);
}

static void test_encoder_refuses(void **state)
{
    (void)state;
    static union yc_tx_body b;
    struct yc_buf out;
    yc_buf_init(&out, 0);
    assert_int_equal(yc_buf_append(&out, "x", 1), YC_OK);

    /* a required public key of an unknown scheme */
    memset(&b, 0, sizeof b);
    b.consent_grant.until = 5;
    assert_int_equal(yc_tx_body_encode(&out, YC_TX_CONSENT_GRANT, &b, 0), YC_EBADKEY);
    assert_int_equal(out.len, 1); /* left as it was */
    b.consent_grant.processor[0] = YC_SCHEME_BIP340;
    assert_int_equal(yc_tx_body_encode(&out, YC_TX_CONSENT_GRANT, &b, 0), YC_OK);
    assert_true(out.len > 1);

    /* a list over its cap; a text over its limit; a rule across fields */
    out.len = 1;
    b.consent_grant.purposes.n = YC_LIST_MAX + 1;
    assert_int_equal(yc_tx_body_encode(&out, YC_TX_CONSENT_GRANT, &b, 0), YC_ETOOMANY);
    memset(&b, 0, sizeof b);
    static char name[YC_NAME_MAX + 1];
    memset(name, 'n', sizeof name);
    b.account_register.name.p = name;
    b.account_register.name.len = sizeof name;
    assert_int_equal(yc_tx_body_encode(&out, YC_TX_ACCOUNT_REGISTER, &b, 0), YC_EBADFIELD);
    memset(&b, 0, sizeof b);
    assert_int_equal(yc_tx_body_encode(&out, YC_TX_MARKET_CANCEL, &b, 0), YC_EBADFIELD);
    assert_int_equal(yc_tx_body_encode(&out, YC_TX_NONE, &b, 0), YC_EUNKNOWNTYPE);
    assert_int_equal(out.len, 1);
    yc_buf_cleanup(&out);
}

/* The refusal words of a rule across fields name what the type needs. */
static void test_rule_words(void **state)
{
    (void)state;
    static union yc_tx_body b;
    struct yc_buf body, tx;
    struct yc_tx t;
    char why[200];
    yc_buf_init(&body, 0);
    yc_buf_init(&tx, 0);
    memset(&b, 0, sizeof b);
    b.token.amount = 5;
    assert_int_equal(yc_tx_body_encode(&body, YC_TX_TOKEN_REDEEM, &b, 0), YC_OK);
    wrap(&tx, YC_TX_TOKEN_ISSUE, &body); /* an issue without a recipient */
    assert_int_equal(yc_tx_decode_why(&t, tx.data, tx.len, why, sizeof why), YC_EBADFIELD);
    assert_string_equal(why, "body: expected a 'to' (the recipient)");
    yc_buf_cleanup(&body);
    yc_buf_cleanup(&tx);
}

/* Every input of the tx fuzz corpus that decodes re-encodes byte for byte. */
static void test_roundtrip_corpus(void **state)
{
    (void)state;
    const char *dir = "fuzz/corpus/tx";
    DIR *dp = opendir(dir);
    struct dirent *de;
    int decoded = 0;
    assert_non_null(dp);
    while ((de = readdir(dp)) != NULL) {
        char path[512];
        static uint8_t buf[YC_TX_MAX_BYTES + 1];
        if (de->d_name[0] == '.') {
            continue;
        }
        (void)snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        size_t n = fread(buf, 1, sizeof buf, f);
        (void)fclose(f);
        decoded += roundtrip(buf, n) ? 1 : 0;
    }
    (void)closedir(dp);
    assert_true(decoded >= 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_shape),      cmocka_unit_test(test_roundtrip_generated),
        cmocka_unit_test(test_encoder_refuses),  cmocka_unit_test(test_rule_words),
        cmocka_unit_test(test_roundtrip_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
