/*
 * exec_words.c — the shared checks of the execution rules that refuse in words
 * (exec_words.h): enumerations and codes from the one table (yc/enums.h), the chain's
 * code lists (genesis plus what policy.set added), accounts, balances and assets.
 *
 * Invariant: each check returns exactly the code its rule always returned; words are
 * formatted only on a refusal and only when the caller asked for them. Pure: snprintf
 * through yc__refuse is the only formatting.
 */
#include <string.h>

#include "exec_words.h"
#include "yc/timefmt.h"

bool yc__wants_why(const struct yc__env *e)
{
    return e != NULL && e->ctx != NULL && e->ctx->why != NULL && e->ctx->whylen > 0;
}

void yc__hex(char out[YC__HEX_MAX], const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";

    if (n > YC_PUBKEY_LEN) {
        n = YC_PUBKEY_LEN;
    }
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

void yc__addr(char out[YC_ADDR_MAX], const uint8_t pub[YC_PUBKEY_LEN])
{
    if (yc_addr_encode(out, pub) != YC_OK) {
        yc__hex(out, pub, YC_PUBKEY_LEN);
    }
}

void yc__shown(char out[YC_CODE_MAX + 1], const struct yc_slice *s)
{
    size_t n = s->len > YC_CODE_MAX ? YC_CODE_MAX : s->len;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s->p[i];
        out[i] = c >= 0x20 && c < 0x7f && c != '\'' ? (char)c : '?';
    }
    out[n] = '\0';
}

/* ---- values ---- */

int yc__need_enum(const struct yc__env *e, const char *field, enum yc_enum_id id,
                  const struct yc_slice *s)
{
    return yc__need_enum_code(e, YC_EBADFIELD, field, id, s);
}

int yc__need_enum_code(const struct yc__env *e, int code, const char *field, enum yc_enum_id id,
                       const struct yc_slice *s)
{
    char words[512], near[200];
    struct yc_suggest sg;

    if (yc_enum_has(id, s->p, s->len)) {
        return YC_OK;
    }
    if (!yc__wants_why(e)) {
        return code;
    }
    (void)yc_enum_refusal(words, sizeof words, field, id, s->p, s->len);
    yc_suggest_init(&sg, s->p, s->len);
    yc_suggest_enum(&sg, id);
    if (s->len > 0 && yc_suggest_write(&sg, near, sizeof near) > 0) {
        return yc__refuse(e, code, "%s; did you mean %s?", words, near);
    }
    return yc__refuse(e, code, "%s", words);
}

static bool slice_same(const struct yc_slice *a, const struct yc_slice *b)
{
    return a->len == b->len && (a->len == 0 || memcmp(a->p, b->p, a->len) == 0);
}

/* The index of the first item of l equal to an earlier one, or l->n. */
static uint32_t first_duplicate(const struct yc_list *l)
{
    for (uint32_t i = 0; i < l->n; i++) {
        for (uint32_t j = 0; j < i; j++) {
            if (slice_same(&l->items[i], &l->items[j])) {
                return i;
            }
        }
    }
    return l->n;
}

static int refuse_duplicate(const struct yc__env *e, const char *field, const struct yc_list *l,
                            uint32_t i)
{
    char v[YC_CODE_MAX + 1];

    yc__shown(v, &l->items[i]);
    return yc__refuse(e, YC_EBADFIELD, "%s: '%s' is named twice", field, v);
}

int yc__need_enum_set(const struct yc__env *e, const char *field, enum yc_enum_id id,
                      const struct yc_list *l)
{
    char list[256];
    uint32_t dup;

    if (l->n == 0) {
        (void)yc_enum_list(id, list, sizeof list);
        return yc__refuse(e, YC_EBADFIELD, "%s: empty; name at least one of %s", field, list);
    }
    for (uint32_t i = 0; i < l->n; i++) {
        YC__TRY(yc__need_enum(e, field, id, &l->items[i]));
    }
    dup = first_duplicate(l);
    return dup < l->n ? refuse_duplicate(e, field, l, dup) : YC_OK;
}

int yc__need_code(const struct yc__env *e, const char *field, const struct yc_slice *s)
{
    char v[YC_CODE_MAX + 1], low[YC_CODE_MAX + 1];

    if (yc__is_code(s)) {
        return YC_OK;
    }
    if (!yc__wants_why(e)) {
        return YC_EBADFIELD;
    }
    if (s->len == 0) {
        return yc__refuse(e, YC_EBADFIELD, "%s: empty; a code is 1 to %d of a-z 0-9 _ . : -", field,
                          YC_CODE_MAX);
    }
    if (s->len > YC_CODE_MAX) {
        return yc__refuse(e, YC_EBADFIELD, "%s: a code is at most %d bytes (%zu given)", field,
                          YC_CODE_MAX, s->len);
    }
    yc__shown(v, s);
    for (size_t i = 0; i < s->len; i++) {
        char c = s->p[i];
        low[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    low[s->len] = '\0';
    struct yc_slice ls = {low, s->len};
    if (yc__is_code(&ls)) {
        return yc__refuse(e, YC_EBADFIELD,
                          "%s: '%s' is not a code (lowercase a-z, 0-9, _ . : -); did you mean %s?",
                          field, v, low);
    }
    return yc__refuse(e, YC_EBADFIELD, "%s: '%s' is not a code (lowercase a-z, 0-9, _ . : -)",
                      field, v);
}

int yc__need_code_set(const struct yc__env *e, const char *field, const struct yc_list *l,
                      bool nonempty)
{
    uint32_t dup;

    if (nonempty && l->n == 0) {
        return yc__refuse(e, YC_EBADFIELD, "%s: empty; name at least one code", field);
    }
    for (uint32_t i = 0; i < l->n; i++) {
        YC__TRY(yc__need_code(e, field, &l->items[i]));
    }
    dup = first_duplicate(l);
    return dup < l->n ? refuse_duplicate(e, field, l, dup) : YC_OK;
}

int yc__need_jurisdiction(const struct yc__env *e, const char *field, const struct yc_slice *s)
{
    char v[YC_CODE_MAX + 1];

    if (yc__is_jurisdiction(s)) {
        return YC_OK;
    }
    yc__shown(v, s);
    return yc__refuse(e, YC_EBADFIELD,
                      "%s: '%s' is not a jurisdiction (a country code, optionally with a region: "
                      "CN, CN-CQ, SG)",
                      field, v);
}

int yc__need_name(const struct yc__env *e, const char *field, const struct yc_slice *s)
{
    if (s->len >= 1 && s->len <= YC_NAME_MAX) {
        return YC_OK;
    }
    return yc__refuse(e, YC_EBADFIELD, "%s: %zu bytes; 1 to %d allowed", field, s->len,
                      YC_NAME_MAX);
}

int yc__need_window(const struct yc__env *e, const char *field, uint64_t not_before, uint64_t until)
{
    char tu[32], tb[32];

    if (until > not_before && until > e->ctx->time_ms) {
        return YC_OK;
    }
    if (!yc__wants_why(e)) {
        return YC_EBADTIME;
    }
    yc_time_rfc3339(tu, until);
    if (until <= not_before) {
        yc_time_rfc3339(tb, not_before);
        return yc__refuse(e, YC_EBADTIME, "%s: %s is not after not_before %s", field, tu, tb);
    }
    yc_time_rfc3339(tb, e->ctx->time_ms);
    return yc__refuse(e, YC_EBADTIME, "%s: %s is not after the block time %s", field, tu, tb);
}

void yc__list_text(char *out, size_t outlen, const struct yc_list *l)
{
    size_t pos = 0;

    if (outlen == 0) {
        return;
    }
    out[0] = '\0';
    for (uint32_t i = 0; i < l->n; i++) {
        char v[YC_CODE_MAX + 1];
        yc__shown(v, &l->items[i]);
        size_t need = strlen(v) + (i > 0 ? 2 : 0);
        if (pos + need + 1 > outlen) {
            break;
        }
        if (i > 0) {
            memcpy(out + pos, ", ", 2);
            pos += 2;
        }
        memcpy(out + pos, v, strlen(v) + 1);
        pos += strlen(v);
    }
}

int yc__need_in(const struct yc__env *e, int code, const char *field, const struct yc_slice *s,
                const struct yc_list *allowed, const char *whose)
{
    char v[YC_CODE_MAX + 1], list[YC_LIST_MAX * (YC_CODE_MAX + 2) + 1], near[256];
    struct yc_suggest sg;

    if (yc__list_has(allowed, s)) {
        return YC_OK;
    }
    if (!yc__wants_why(e)) {
        return code;
    }
    yc__shown(v, s);
    yc__list_text(list, sizeof list, allowed);
    yc_suggest_init(&sg, s->p, s->len);
    for (uint32_t i = 0; i < allowed->n; i++) {
        yc_suggest_add(&sg, allowed->items[i].p, allowed->items[i].len);
    }
    if (yc_suggest_write(&sg, near, sizeof near) > 0) {
        return yc__refuse(e, code,
                          "%s: '%s' is not covered by %s, which allows %s; did you mean %s?", field,
                          v, whose, list, near);
    }
    return yc__refuse(e, code, "%s: '%s' is not covered by %s, which allows %s", field, v, whose,
                      list);
}

/* ---- code lists ---- */

static const struct yc_code_list *genesis_list(const struct yc_genesis *g, enum yc_code_kind k)
{
    return k == YC_CODES_PURPOSE ? &g->codes.purposes : &g->codes.categories;
}

static const struct yc_code_adds *policy_adds(const struct yc_policy *p, enum yc_code_kind k)
{
    return k == YC_CODES_PURPOSE ? &p->purposes : &p->categories;
}

/* In genesis's list (its default list when genesis names none). */
static bool genesis_knows(const struct yc_genesis *g, enum yc_code_kind k, const struct yc_slice *s)
{
    const struct yc_code_list *l = genesis_list(g, k);

    if (l->n > 0) {
        return yc_code_list_covers(l, s->p, s->len);
    }
    size_t n;
    const struct yc_code_default *d = yc_codes_default(k, &n);
    for (size_t i = 0; i < n; i++) {
        if (yc_code_covers(d[i].code, strlen(d[i].code), s->p, s->len)) {
            return true;
        }
    }
    return false;
}

bool yc__code_known(const struct yc_genesis *g, const struct yc_policy *p, enum yc_code_kind k,
                    const struct yc_slice *s)
{
    if (s->len == 0) {
        return false;
    }
    if (genesis_knows(g, k, s)) {
        return true;
    }
    if (p != NULL) {
        const struct yc_code_adds *a = policy_adds(p, k);
        for (uint32_t i = 0; i < a->n; i++) {
            if (yc_code_covers(a->items[i].p, a->items[i].len, s->p, s->len)) {
                return true;
            }
        }
    }
    return false;
}

static int refuse_unknown(const struct yc__env *e, enum yc_code_kind k, const char *field,
                          const struct yc_slice *s, const struct yc_policy *p)
{
    const struct yc_code_list *l = genesis_list(e->ctx->g, k);
    const char *what = yc_code_kind_name(k);
    char v[YC_CODE_MAX + 1], near[256];
    struct yc_suggest sg;

    if (!yc__wants_why(e)) {
        return YC_EUNKNOWNCODE;
    }
    yc__shown(v, s);
    yc_suggest_init(&sg, s->p, s->len);
    if (l->n > 0) {
        for (uint32_t i = 0; i < l->n && i < YC_CODES_MAX; i++) {
            yc_suggest_add(&sg, l->codes[i], strnlen(l->codes[i], YC_CODE_MAX + 1));
        }
    } else {
        size_t n;
        const struct yc_code_default *d = yc_codes_default(k, &n);
        for (size_t i = 0; i < n; i++) {
            yc_suggest_add(&sg, d[i].code, strlen(d[i].code));
        }
    }
    const struct yc_code_adds *a = policy_adds(p, k);
    for (uint32_t i = 0; i < a->n; i++) {
        yc_suggest_add(&sg, a->items[i].p, a->items[i].len);
    }
    if (yc_suggest_write(&sg, near, sizeof near) > 0) {
        return yc__refuse(e, YC_EUNKNOWNCODE, "%s: '%s' is not a known %s; did you mean %s?", field,
                          v, what, near);
    }
    return yc__refuse(e, YC_EUNKNOWNCODE,
                      "%s: '%s' is not a known %s (the chain's code lists are in its genesis; "
                      "the regulator adds codes with policy.set)",
                      field, v, what);
}

int yc__need_known_set(const struct yc__env *e, enum yc_code_kind k, const char *field,
                       const struct yc_list *l)
{
    struct yc_policy pol;
    bool loaded = false;
    int rc;

    for (uint32_t i = 0; i < l->n; i++) {
        if (genesis_knows(e->ctx->g, k, &l->items[i])) {
            continue;
        }
        /* the policy only when genesis does not know a code: the common path reads
         * nothing */
        if (!loaded) {
            rc = yc__policy_load(e->o, &pol);
            if (rc != YC_OK) {
                return rc;
            }
            loaded = true;
        }
        if (!yc__code_known(e->ctx->g, &pol, k, &l->items[i])) {
            return refuse_unknown(e, k, field, &l->items[i], &pol);
        }
    }
    return YC_OK;
}

int yc__need_known(const struct yc__env *e, enum yc_code_kind k, const char *field,
                   const struct yc_slice *s)
{
    struct yc_list l = {.n = 1};

    l.items[0] = *s;
    return yc__need_known_set(e, k, field, &l);
}

/* ---- accounts, money, assets ---- */

int yc__need_account(const struct yc__env *e, const char *field, const uint8_t pub[YC_PUBKEY_LEN])
{
    char a[YC_ADDR_MAX];
    int rc = yc__acct_exists(e->o, pub);

    if (rc != YC_EUNKNOWNACCT || !yc__wants_why(e)) {
        return rc;
    }
    yc__addr(a, pub);
    return yc__refuse(e, rc, "%s: account %s is not registered", field, a);
}

int yc__need_active(const struct yc__env *e, const char *field, const uint8_t pub[YC_PUBKEY_LEN],
                    enum yc_role *role)
{
    char a[YC_ADDR_MAX];
    int rc = yc__acct_active(e->o, pub, role);

    if ((rc != YC_EUNKNOWNACCT && rc != YC_EFROZEN) || !yc__wants_why(e)) {
        return rc;
    }
    yc__addr(a, pub);
    if (rc == YC_EFROZEN) {
        return yc__refuse(e, rc,
                          "%s: account %s is frozen by a credit finding; it may not trade or "
                          "license until the regulator restores it",
                          field, a);
    }
    return yc__refuse(e, rc, "%s: account %s is not registered", field, a);
}

int yc__debit(const struct yc__env *e, const char *field, const uint8_t pub[YC_PUBKEY_LEN],
              uint64_t amount)
{
    char a[YC_ADDR_MAX];
    struct yc_account acct;
    int rc = yc__acct_debit(e->o, pub, amount);

    if ((rc != YC_EBALANCE && rc != YC_EUNKNOWNACCT) || !yc__wants_why(e)) {
        return rc;
    }
    yc__addr(a, pub);
    if (rc == YC_EUNKNOWNACCT || yc__acct_load(e->o, pub, &acct) != YC_OK) {
        return yc__refuse(e, rc, "%s: account %s is not registered", field, a);
    }
    return yc__refuse(e, rc, "%s: %llu fen exceeds the balance %llu fen of %s", field,
                      (unsigned long long)amount, (unsigned long long)acct.balance, a);
}

int yc__credit(const struct yc__env *e, const char *field, const uint8_t pub[YC_PUBKEY_LEN],
               uint64_t amount)
{
    char a[YC_ADDR_MAX];
    int rc = yc__acct_credit(e->o, pub, amount);

    if ((rc != YC_EOVERFLOW && rc != YC_EUNKNOWNACCT) || !yc__wants_why(e)) {
        return rc;
    }
    yc__addr(a, pub);
    if (rc == YC_EUNKNOWNACCT) {
        return yc__refuse(e, rc, "%s: account %s is not registered", field, a);
    }
    return yc__refuse(e, rc, "%s: %llu fen more would overflow the balance of %s", field,
                      (unsigned long long)amount, a);
}

int yc__load_asset(const struct yc__env *e, const char *field, const uint8_t id[YC_HASH_LEN],
                   struct yc_asset *a)
{
    char h[YC__HEX_MAX];
    int rc = yc__asset_load(e->o, id, a);

    if (rc != YC_EUNKNOWNASSET || !yc__wants_why(e)) {
        return rc;
    }
    yc__hex(h, id, YC_HASH_LEN);
    return yc__refuse(e, rc, "%s: no such asset %s", field, h);
}

int yc__need_holder(const struct yc__env *e, const uint8_t id[YC_HASH_LEN], enum yc_right r,
                    uint8_t holder[YC_PUBKEY_LEN])
{
    char h[YC__HEX_MAX], a[YC_ADDR_MAX];
    int rc = yc__sender_holds(e, id, r, holder);

    if (rc != YC_ENOTAUTH || !yc__wants_why(e)) {
        return rc;
    }
    yc__hex(h, id, YC_HASH_LEN);
    yc__addr(a, holder);
    return yc__refuse(e, rc, "asset %s: the sender does not hold its %s right (%s does)", h,
                      yc_right_name(r), a);
}

int yc__need_tradable(const struct yc__env *e, const uint8_t id[YC_HASH_LEN],
                      const struct yc_asset *a)
{
    char h[YC__HEX_MAX];
    int rc = yc__asset_tradable(a);

    if (rc == YC_OK || !yc__wants_why(e)) {
        return rc;
    }
    yc__hex(h, id, YC_HASH_LEN);
    if (rc == YC_ECLOSED) {
        return yc__refuse(e, rc, "asset %s is void: an objection was upheld at height %llu", h,
                          (unsigned long long)a->voided_at);
    }
    if (rc == YC_ERETIRED) {
        return yc__refuse(e, rc, "asset %s was retired at height %llu", h,
                          (unsigned long long)a->retired_at);
    }
    if (e->ctx->height < a->notice_until) {
        return yc__refuse(e, rc,
                          "asset %s is not certified: its public notice ends at height %llu "
                          "(now %llu), then the exchange certifies it",
                          h, (unsigned long long)a->notice_until,
                          (unsigned long long)e->ctx->height);
    }
    return yc__refuse(e, rc, "asset %s is not certified yet: the exchange certifies it", h);
}

int yc__need_unpledged(const struct yc__env *e, const uint8_t id[YC_HASH_LEN])
{
    char h[YC__HEX_MAX];
    int rc = yc__asset_unpledged(e->o, id);

    if (rc != YC_EPLEDGED || !yc__wants_why(e)) {
        return rc;
    }
    yc__hex(h, id, YC_HASH_LEN);
    return yc__refuse(e, rc, "asset %s: its hold right is pledged; the pledgee releases it first",
                      h);
}

int yc__refuse_role(const struct yc__env *e, const char *who)
{
    const char *have = yc_role_name(e->role);
    const char *type = yc_tx_type_name(e->tx->type);

    return yc__refuse(e, YC_ENOTAUTH, "sender: %s%s may not send %s; %s",
                      have != NULL ? "an account of role " : "an unregistered key",
                      have != NULL ? have : "", type != NULL ? type : "this type", who);
}
