/*
 * helper_account.c — see helper_account.h.
 */
#include <string.h>

#include "helper_account.h"
#include "yc/codec.h"

static int field(struct yc_dec *d, uint32_t *left, const char *key)
{
    return yc_dec_field(d, left, key) == 1 ? YC_OK : YC_ECORRUPT;
}

static int u64(struct yc_dec *d, uint32_t *left, const char *key, uint64_t *v)
{
    if (field(d, left, key) != YC_OK || yc_dec_uint(d, v) != YC_OK) {
        return YC_ECORRUPT;
    }
    return YC_OK;
}

static int text(struct yc_dec *d, uint32_t *left, const char *key, struct yc_slice *s,
                size_t minlen, size_t maxlen)
{
    const char *p;
    size_t n;
    if (field(d, left, key) != YC_OK || yc_dec_str(d, &p, &n) != YC_OK || n < minlen ||
        n > maxlen) {
        return YC_ECORRUPT;
    }
    s->p = p;
    s->len = n;
    return YC_OK;
}

int helper_account_decode_2step(struct yc_account *a, const uint8_t *p, size_t len)
{
    static const struct yc_limits lim = YC_LIMITS_DEFAULT;
    struct yc_dec d;
    uint32_t left;
    struct yc_slice role;

    memset(a, 0, sizeof *a);
    if (p == NULL || yc_canon_check(p, len, &lim) != YC_OK) {
        return YC_ECORRUPT;
    }
    yc_dec_init(&d, p, len);
    if (yc_dec_map(&d, &left) != YC_OK || u64(&d, &left, "balance", &a->balance) != YC_OK ||
        text(&d, &left, "credit", &a->credit, 1, YC_CODE_MAX) != YC_OK ||
        text(&d, &left, "jurisdiction", &a->jurisdiction, 0, YC_CODE_MAX) != YC_OK ||
        text(&d, &left, "name", &a->name, 0, YC_NAME_MAX) != YC_OK ||
        u64(&d, &left, "nonce", &a->nonce) != YC_OK ||
        u64(&d, &left, "registered_at", &a->registered_at) != YC_OK ||
        text(&d, &left, "role", &role, 1, YC_CODE_MAX) != YC_OK) {
        return YC_ECORRUPT;
    }
    a->role = yc_role_from_name(role.p, role.len);
    return a->role == YC_ROLE_NONE || left != 0 ? YC_ECORRUPT : YC_OK;
}

static int slice_same(const struct yc_slice *a, const struct yc_slice *b)
{
    return a->p == b->p && a->len == b->len;
}

int helper_account_same(const struct yc_account *a, const struct yc_account *b)
{
    return a->balance == b->balance && slice_same(&a->credit, &b->credit) &&
           slice_same(&a->jurisdiction, &b->jurisdiction) && slice_same(&a->name, &b->name) &&
           a->nonce == b->nonce && a->registered_at == b->registered_at && a->role == b->role;
}
