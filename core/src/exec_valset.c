/*
 * exec_valset.c — validator-set governance (yc/gov.h): validator.propose,
 * validator.approve, validator.withdraw.
 *
 * Who: the organisation account of a validator of the set in force at the block's height
 * (check_validator_org, also at admission). A proposal counts its proposer's approval;
 * its weight is the number of validators of the set in force whose organisation approved.
 * When the weight reaches that set's quorum (yc_quorum(n)), the change is fixed in this
 * block at height H: the set known last (which may already hold changes fixed earlier and
 * not yet in force) with the change applied is recorded in force from H + valset_delay.
 * A change is checked against the set known last when proposed and again when fixed.
 * A proposal ends applied, withdrawn (by its proposer), or expired (not fixed by height
 * created + valset_expiry; readers see it so, nothing is written).
 */
#include <string.h>

#include "exec_words.h"
#include "yc/alloc.h"
#include "yc/gov.h"

/* Bytes of the largest governance object (the valset_heights list at its cap). */
#define GOV_OBJ_MAX (16u + 9u * YC_VALSET_CHANGES_MAX)

/* The two sets a rule looks at. */
struct sets {
    struct yc_gov_set now;    /* in force at the block's height */
    struct yc_gov_set latest; /* known last (in force from latest.from on) */
};

static int load_sets(const struct yc__env *e, struct sets **out)
{
    struct yc_state_src src = yc_overlay_src(e->o);
    struct sets *s = yc_malloc(sizeof *s);
    int rc;

    *out = NULL;
    if (s == NULL) {
        return YC_ENOMEM;
    }
    rc = yc_gov_set_at(&src, e->ctx->g, e->ctx->height, &s->now);
    if (rc == YC_OK) {
        rc = yc_gov_set_at(&src, e->ctx->g, UINT64_MAX, &s->latest);
    }
    if (rc != YC_OK) {
        yc_free(s);
        return rc;
    }
    *out = s;
    return YC_OK;
}

int yc__check_validator_org(const struct yc__env *e)
{
    struct yc_state_src src = yc_overlay_src(e->o);
    struct yc_gov_set *now = yc_malloc(sizeof *now);
    int rc;

    if (now == NULL) {
        return YC_ENOMEM;
    }
    rc = yc_gov_set_at(&src, e->ctx->g, e->ctx->height, now);
    if (rc == YC_OK && !yc_gov_set_has_org(now, e->tx->sender)) {
        char a[YC_ADDR_MAX];
        if (yc__wants_why(e)) {
            yc__addr(a, e->tx->sender);
        }
        rc = yc__refuse(e, YC_ENOTAUTH,
                        "sender: %s is not the organisation account of a validator in force "
                        "at height %llu (%u validators since height %llu): only they propose "
                        "and approve validator-set changes",
                        yc__wants_why(e) ? a : "", (unsigned long long)e->ctx->height, now->n,
                        (unsigned long long)now->from);
    }
    yc_free(now);
    return rc;
}

/* ---- the change ---- */

/* yc_gov_set_apply, refusing with YC_EVALSET in words naming the field. */
static int apply_change(const struct yc__env *e, const struct yc_gov_set *latest,
                        const struct yc_gov_change *c, struct yc_gov_set *out)
{
    enum yc_gov_refusal why;
    int at;
    char a[YC_ADDR_MAX] = "";
    unsigned long long from = (unsigned long long)latest->from;
    int rc = yc_gov_set_apply(latest, c, out, &why, &at);

    if (rc != YC_EVALSET) {
        return rc;
    }
    if (yc__wants_why(e)) {
        yc__addr(a, why == YC_GOV_NEW_KEY_IN_SET ? c->new_pub : c->pub);
    }
    switch (why) {
    case YC_GOV_KEY_IN_SET:
        return yc__refuse(e, rc, "pub: %s is already validator \"%s\" of the set from height %llu",
                          a, latest->v[at].name, from);
    case YC_GOV_SET_FULL:
        return yc__refuse(e, rc,
                          "action: the set from height %llu has %u validators, the most a chain "
                          "may have",
                          from, latest->n);
    case YC_GOV_KEY_NOT_IN_SET:
        return yc__refuse(e, rc,
                          "pub: %s is not a validator of the set from height %llu (%u "
                          "validators)",
                          a, from, latest->n);
    case YC_GOV_LAST:
        return yc__refuse(e, rc,
                          "pub: %s is the only validator of the set from height %llu: a set "
                          "keeps at least 1",
                          a, from);
    case YC_GOV_NEW_KEY_IN_SET:
        return yc__refuse(e, rc,
                          "new_pub: %s is already the key of validator \"%s\" of the set from "
                          "height %llu",
                          a, latest->v[at].name, from);
    default:
        return yc__refuse(e, rc, "action: not a change of the set");
    }
}

/* ---- stored objects ---- */

static int put_encoded(yc_overlay *o, const uint8_t *key, size_t klen, struct yc_buf *b, int rc)
{
    if (rc == YC_OK) {
        rc = yc_overlay_put(o, key, klen, b->data, b->len);
    }
    yc_buf_cleanup(b);
    return rc;
}

static int proposal_put(yc_overlay *o, const uint8_t id[YC_HASH_LEN], const struct yc_proposal *p)
{
    uint8_t key[YC_KEY_MAX];
    size_t klen = yc_key_proposal(key, id);
    struct yc_buf b;

    yc_buf_init(&b, GOV_OBJ_MAX);
    return put_encoded(o, key, klen, &b, yc_proposal_encode(p, &b));
}

/* The recorded `from` heights into *hs (yc_malloc'ed, room for one more; caller frees). */
static int heights_load(yc_overlay *o, uint64_t **hs, uint32_t *n)
{
    uint8_t key[YC_KEY_MAX];
    size_t klen = yc_key_valset_heights(key);
    const uint8_t *v;
    size_t vlen;
    struct yc_dec d;
    uint32_t left;
    int rc = yc_overlay_get(o, key, klen, &v, &vlen);

    *hs = NULL;
    *n = 0;
    if (rc == YC_ENOTFOUND) {
        v = NULL;
    } else if (rc != YC_OK) {
        return rc;
    } else if (yc__obj_open(&d, &left, v, vlen) != YC_OK ||
               yc__field_req(&d, &left, "from") != YC_OK || yc_dec_array(&d, n) != YC_OK ||
               *n > YC_VALSET_CHANGES_MAX) {
        return YC_ECORRUPT;
    }
    *hs = yc_calloc((size_t)*n + 1, sizeof **hs);
    if (*hs == NULL) {
        return YC_ENOMEM;
    }
    for (uint32_t i = 0; v != NULL && i < *n; i++) {
        if (yc_dec_uint(&d, &(*hs)[i]) != YC_OK) {
            return YC_ECORRUPT;
        }
    }
    return YC_OK;
}

static int heights_store(yc_overlay *o, const uint64_t *hs, uint32_t n)
{
    uint8_t key[YC_KEY_MAX];
    size_t klen = yc_key_valset_heights(key);
    struct yc_buf b;
    struct yc_enc enc;

    yc_buf_init(&b, GOV_OBJ_MAX);
    yc_enc_init(&enc, &b);
    yc_enc_map(&enc, 1);
    yc_enc_cstr(&enc, "from");
    yc_enc_array(&enc, n);
    for (uint32_t i = 0; i < n; i++) {
        yc_enc_uint(&enc, hs[i]);
    }
    return put_encoded(o, key, klen, &b, yc_enc_finish(&enc));
}

/* Records `set` in force from `from`: a new record, appended to valset_heights, unless the
 * last record already starts there (a change fixed earlier in the same block). */
static int record_set(const struct yc__env *e, struct yc_gov_set *set, uint64_t from)
{
    uint8_t key[YC_KEY_MAX];
    size_t klen = yc_key_valset(key, from);
    uint64_t *hs;
    uint32_t n;
    struct yc_buf b;
    int rc = heights_load(e->o, &hs, &n);

    if (rc == YC_OK && n > 0 && hs[n - 1] > from) {
        rc = YC_ECORRUPT; /* records only ever move forward */
    }
    if (rc == YC_OK && (n == 0 || hs[n - 1] != from)) {
        if (n >= YC_VALSET_CHANGES_MAX) {
            rc =
                yc__refuse(e, YC_ETOOMANY,
                           "the chain has recorded %u validator-set changes, the most it keeps", n);
        } else {
            hs[n] = from;
            rc = heights_store(e->o, hs, n + 1);
        }
    }
    yc_free(hs);
    if (rc != YC_OK) {
        return rc;
    }
    set->from = from;
    yc_buf_init(&b, GOV_OBJ_MAX);
    return put_encoded(e->o, key, klen, &b, yc_gov_set_encode(set, &b));
}

/* Fixes proposal p if its approvals weigh a quorum of the set in force: the change is
 * applied to the set known last and recorded from height + valset_delay. */
static int maybe_fix(const struct yc__env *e, struct sets *s, struct yc_proposal *p)
{
    struct yc_gov_set *next;
    struct yc_gov_change c = {.action = p->action,
                              .pub = p->pub,
                              .new_pub = p->has_new_pub ? p->new_pub : NULL,
                              .org = p->has_org ? p->org : NULL,
                              .name = p->name};
    int rc;

    if (yc_gov_weight(&s->now, (const uint8_t(*)[YC_PUBKEY_LEN])p->approvals, p->napprovals) <
        yc_quorum(s->now.n)) {
        return YC_OK;
    }
    next = yc_malloc(sizeof *next);
    if (next == NULL) {
        return YC_ENOMEM;
    }
    rc = apply_change(e, &s->latest, &c, next);
    if (rc == YC_OK) {
        uint64_t from = e->ctx->height + e->ctx->g->params.valset_delay;
        rc = record_set(e, next, from);
        p->status = (struct yc_slice){"applied", 7};
        p->effect = from;
        p->ended = e->ctx->height;
    }
    yc_free(next);
    return rc;
}

/* ---- the types ---- */

int yc__exec_validator_propose(const struct yc__env *e)
{
    const struct yc_body_validator_propose *b = &e->tx->b->validator_propose;
    struct yc_gov_change c = {.action = b->action,
                              .pub = b->pub,
                              .new_pub = b->has_new_pub ? b->new_pub : NULL,
                              .org = b->has_org ? b->org : NULL,
                              .name = b->name};
    struct yc_gov_set *tried = NULL;
    struct yc_proposal *p = NULL;
    struct sets *s = NULL;
    int rc;

    if ((rc = yc__need_enum(e, "action", YC_ENUM_VALSET_ACTION, &b->action)) != YC_OK) {
        return rc;
    }
    if (b->has_org && (rc = yc__need_active(e, "org", b->org, NULL)) != YC_OK) {
        return rc;
    }
    if ((rc = load_sets(e, &s)) != YC_OK) {
        return rc;
    }
    tried = yc_malloc(sizeof *tried);
    p = yc_calloc(1, sizeof *p);
    rc = tried == NULL || p == NULL ? YC_ENOMEM : apply_change(e, &s->latest, &c, tried);
    if (rc == YC_OK) {
        p->action = b->action;
        p->napprovals = 1;
        memcpy(p->approvals[0], e->tx->sender, YC_PUBKEY_LEN);
        p->created = e->ctx->height;
        p->expires = e->ctx->height + e->ctx->g->params.valset_expiry;
        p->name = b->name;
        p->has_new_pub = b->has_new_pub;
        memcpy(p->new_pub, b->new_pub, YC_PUBKEY_LEN);
        p->has_org = b->has_org;
        memcpy(p->org, b->org, YC_PUBKEY_LEN);
        memcpy(p->proposer, e->tx->sender, YC_PUBKEY_LEN);
        memcpy(p->pub, b->pub, YC_PUBKEY_LEN);
        p->status = (struct yc_slice){"open", 4};
        rc = maybe_fix(e, s, p);
    }
    if (rc == YC_OK) {
        rc = proposal_put(e->o, e->tx->id, p);
    }
    if (rc == YC_OK) {
        uint8_t key[YC_KEY_MAX];
        size_t klen = yc_key_idx_proposal(key, e->ctx->height, e->index);
        rc = yc_overlay_put(e->o, key, klen, e->tx->id, YC_HASH_LEN);
    }
    yc_free(tried);
    yc_free(p);
    yc_free(s);
    return rc;
}

/* Loads the proposal a ref names and checks it is open: YC_EUNKNOWNOBJ, YC_ECLOSED,
 * YC_EEXPIRED with words. p's slices borrow the overlay's value. */
static int load_open(const struct yc__env *e, const uint8_t id[YC_HASH_LEN], struct yc_proposal *p)
{
    uint8_t key[YC_KEY_MAX];
    size_t klen = yc_key_proposal(key, id);
    char hex[YC__HEX_MAX] = "";
    const uint8_t *v;
    size_t vlen;
    int rc = yc_overlay_get(e->o, key, klen, &v, &vlen);

    if (yc__wants_why(e)) {
        yc__hex(hex, id, YC_HASH_LEN);
    }
    if (rc == YC_ENOTFOUND) {
        return yc__refuse(e, YC_EUNKNOWNOBJ, "proposal: no validator-set proposal %s", hex);
    }
    if (rc != YC_OK || (rc = yc_proposal_decode(p, v, vlen)) != YC_OK) {
        return rc;
    }
    const char *status = yc_proposal_status(p, e->ctx->height);
    if (strcmp(status, "applied") == 0) {
        return yc__refuse(e, YC_ECLOSED,
                          "proposal: %s was applied at height %llu (in force from height %llu)",
                          hex, (unsigned long long)p->ended, (unsigned long long)p->effect);
    }
    if (strcmp(status, "withdrawn") == 0) {
        return yc__refuse(e, YC_ECLOSED, "proposal: %s was withdrawn at height %llu", hex,
                          (unsigned long long)p->ended);
    }
    if (strcmp(status, "expired") == 0) {
        return yc__refuse(e, YC_EEXPIRED,
                          "proposal: %s expired after height %llu (made at height %llu; "
                          "valset_expiry %llu blocks)",
                          hex, (unsigned long long)p->expires, (unsigned long long)p->created,
                          (unsigned long long)e->ctx->g->params.valset_expiry);
    }
    return YC_OK;
}

int yc__exec_validator_approve(const struct yc__env *e)
{
    const uint8_t *id = e->tx->b->validator_ref.proposal;
    struct yc_proposal *p = yc_malloc(sizeof *p);
    struct sets *s = NULL;
    int rc = p == NULL ? YC_ENOMEM : load_open(e, id, p);

    for (uint32_t i = 0; rc == YC_OK && i < p->napprovals; i++) {
        if (memcmp(p->approvals[i], e->tx->sender, YC_PUBKEY_LEN) == 0) {
            char a[YC_ADDR_MAX] = "";
            if (yc__wants_why(e)) {
                yc__addr(a, e->tx->sender);
            }
            rc = yc__refuse(e, YC_EAPPROVED, "proposal: %s already approved it", a);
        }
    }
    if (rc == YC_OK && p->napprovals >= YC_PROPOSAL_APPROVALS_MAX) {
        rc = yc__refuse(e, YC_ETOOMANY, "proposal: it has %u approvals, the most it keeps",
                        p->napprovals);
    }
    if (rc == YC_OK) {
        memcpy(p->approval_txs[p->napprovals - 1], e->tx->id, YC_HASH_LEN);
        memcpy(p->approvals[p->napprovals++], e->tx->sender, YC_PUBKEY_LEN);
        rc = load_sets(e, &s);
    }
    if (rc == YC_OK) {
        rc = maybe_fix(e, s, p);
    }
    if (rc == YC_OK) {
        rc = proposal_put(e->o, id, p);
    }
    yc_free(s);
    yc_free(p);
    return rc;
}

int yc__exec_validator_withdraw(const struct yc__env *e)
{
    const uint8_t *id = e->tx->b->validator_ref.proposal;
    struct yc_proposal *p = yc_malloc(sizeof *p);
    int rc = p == NULL ? YC_ENOMEM : load_open(e, id, p);

    if (rc == YC_OK && memcmp(p->proposer, e->tx->sender, YC_PUBKEY_LEN) != 0) {
        char a[YC_ADDR_MAX] = "";
        if (yc__wants_why(e)) {
            yc__addr(a, p->proposer);
        }
        rc = yc__refuse(e, YC_ENOTAUTH,
                        "sender: only the organisation that proposed it (%s) may withdraw it", a);
    }
    if (rc == YC_OK) {
        p->status = (struct yc_slice){"withdrawn", 9};
        p->ended = e->ctx->height;
        rc = proposal_put(e->o, id, p);
    }
    yc_free(p);
    return rc;
}
