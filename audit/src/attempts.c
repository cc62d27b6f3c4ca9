/*
 * attempts.c — the failed attempts of verified blocks (attempts.h).
 *
 * Invariant: a record is made only for a transaction the verified block itself records as
 * failed, with the block's code; the re-execution here must reach the same outcome (it is
 * the same function on the same state), and a disagreement is reported as YC_EDIVERGED
 * rather than papered over.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yc/json.h"
#include "yc/ledger.h"
#include "yc/objects.h"
#include "yc/tx.h"

#include "attempts.h"

const char *audit_attempt_rule(enum yc_tx_type type, int code)
{
    switch (code) {
    case YC_EFROZEN:
        return "frozen_account";
    case YC_ECOREDATA:
        return "core_data";
    case YC_ENEGLIST:
        return "negative_list";
    case YC_EEXPORTREQ:
        return "export_without_assessment";
    case YC_EPLEDGED:
        return "pledged_right";
    default:
        break;
    }
    if (type != YC_TX_USAGE_RECORD)
        return NULL;
    switch (code) {
    case YC_EUNKNOWNCONSENT:
    case YC_EUNKNOWNLICENSE:
    case YC_ENOTAUTH:
        return "use_without_authority";
    case YC_ECONSENTREVOKED:
    case YC_ELICENSEREVOKED:
        return "use_after_revocation";
    case YC_EEXPIRED:
        return "use_outside_validity";
    case YC_EOUTOFSCOPE:
        return "use_outside_scope";
    case YC_ENOUSESLEFT:
        return "use_without_uses_left";
    default:
        return NULL;
    }
}

static void copy_slice(char *out, size_t n, const struct yc_slice *s)
{
    size_t k = s->len < n - 1 ? s->len : n - 1;
    if (k > 0)
        memcpy(out, s->p, k);
    out[k] = '\0';
}

/* The consent or license a use names, as it stood just before the use (in `o`). */
static void note_authority(struct audit_attempt *r, const struct yc_tx *tx, yc_overlay *o)
{
    const struct yc_body_usage_record *u = &tx->b->usage_record;
    uint8_t key[YC_KEY_MAX];
    size_t kl;
    const uint8_t *v;
    size_t vl;
    copy_slice(r->purpose, sizeof r->purpose, &u->purpose);
    copy_slice(r->operation, sizeof r->operation, &u->operation);
    copy_slice(r->category, sizeof r->category, &u->category);
    if (u->has_consent) {
        struct yc_consent c;
        r->authority_kind = "consent";
        memcpy(r->authority, u->consent, YC_HASH_LEN);
        kl = yc_key_consent(key, u->consent);
        if (yc_overlay_get(o, key, kl, &v, &vl) == YC_OK && v != NULL &&
            yc_consent_decode(&c, v, vl) == YC_OK) {
            r->has_subject = true;
            memcpy(r->subject, c.subject, YC_PUBKEY_LEN);
        }
    } else if (u->has_license) {
        struct yc_license l;
        r->authority_kind = "license";
        memcpy(r->authority, u->license, YC_HASH_LEN);
        kl = yc_key_license(key, u->license);
        if (yc_overlay_get(o, key, kl, &v, &vl) == YC_OK && v != NULL &&
            yc_license_decode(&l, v, vl) == YC_OK) {
            r->has_asset = true;
            memcpy(r->asset, l.asset, YC_HASH_LEN);
        }
    }
}

static int grow(struct audit_attempts *at)
{
    if (at->n < at->cap)
        return YC_OK;
    if (at->cap >= AUDIT_ATTEMPTS_MAX)
        return YC_ELIMIT;
    size_t cap = at->cap ? at->cap * 2 : 64;
    struct audit_attempt *a = realloc(at->a, cap * sizeof *a);
    if (a == NULL)
        return YC_ENOMEM;
    at->a = a;
    at->cap = cap;
    return YC_OK;
}

int audit_attempts_add(struct audit_attempts *at, const struct audit_attempt *a)
{
    int rc = grow(at);
    if (rc == YC_OK)
        at->a[at->n++] = *a;
    return rc;
}

/* Whether block b holds a failure worth a record. */
static bool wanted(const struct audit_attempts *at, const struct yc_block *b)
{
    for (uint32_t i = 0; i < b->ntx; i++) {
        if (b->results[i] != YC_OK &&
            (at->all || audit_attempt_rule(b->txs[i].type, b->results[i]) != NULL))
            return true;
    }
    return false;
}

int audit_attempts_note(struct audit_attempts *at, const struct yc_genesis *g,
                        const struct yc_block *b, memstate *before)
{
    if (b->ntx == 0 || b->results == NULL || !wanted(at, b))
        return YC_OK;
    struct yc_state_src src = memstate_src(before);
    yc_overlay *o = NULL;
    int rc = yc_overlay_create(&o, &src);
    if (rc != YC_OK)
        return rc;
    char why[sizeof at->a[0].why];
    struct yc_exec_ctx ctx = {.g = g,
                              .height = b->hdr.height,
                              .time_ms = b->hdr.time_ms,
                              .why = why,
                              .whylen = sizeof why};
    for (uint32_t i = 0; i < b->ntx && rc == YC_OK; i++) {
        const struct yc_tx *tx = &b->txs[i];
        int code = b->results[i];
        const char *rule = code != YC_OK ? audit_attempt_rule(tx->type, code) : NULL;
        struct audit_attempt r;
        bool keep = code != YC_OK && (at->all || rule != NULL);
        if (keep) {
            memset(&r, 0, sizeof r);
            if (tx->type == YC_TX_USAGE_RECORD)
                note_authority(&r, tx, o); /* before the tx: the authority it relied on */
        }
        why[0] = '\0';
        int outcome = YC_OK;
        rc = yc_exec_tx_outcome(o, &ctx, tx, i, &outcome);
        if (rc == YC_OK && outcome != code)
            rc = YC_EDIVERGED; /* cannot happen after yc_exec_block accepted the block */
        if (rc != YC_OK || !keep)
            continue;
        r.height = b->hdr.height;
        r.index = i;
        r.time_ms = b->hdr.time_ms;
        memcpy(r.id, tx->id, YC_HASH_LEN);
        r.type = tx->type;
        memcpy(r.sender, tx->sender, YC_PUBKEY_LEN);
        r.code = code;
        r.rule = rule;
        snprintf(r.why, sizeof r.why, "%s", why);
        rc = audit_attempts_add(at, &r);
    }
    yc_overlay_destroy(o);
    return rc;
}

static json_t *str_or_null(const char *s)
{
    return s != NULL && s[0] != '\0' ? json_string(s) : json_null();
}

json_t *audit_attempt_json(const struct audit_attempt *a)
{
    const char *type = yc_tx_type_name(a->type);
    bool use = a->authority_kind != NULL;
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    json_object_set_new(o, "rule", str_or_null(a->rule));
    json_object_set_new(o, "code", json_string(yc_err_name(a->code)));
    json_object_set_new(o, "message", json_string(yc_strerror(a->code)));
    json_object_set_new(o, "why", str_or_null(a->why));
    json_object_set_new(o, "height", yc_json_u64(a->height));
    json_object_set_new(o, "index", yc_json_u64(a->index));
    json_object_set_new(o, "tx", yc_json_hex(a->id, YC_HASH_LEN));
    json_object_set_new(o, "type", json_string(type != NULL ? type : "?"));
    json_object_set_new(o, "time", yc_json_time(a->time_ms));
    json_object_set_new(o, "sender", yc_json_addr(a->sender));
    json_object_set_new(o, "authority_kind", str_or_null(a->authority_kind));
    json_object_set_new(o, "authority", yc_json_id_or_null(use, a->authority));
    json_object_set_new(o, "subject", a->has_subject ? yc_json_addr(a->subject) : json_null());
    json_object_set_new(o, "asset", yc_json_id_or_null(a->has_asset, a->asset));
    json_object_set_new(o, "purpose", use ? str_or_null(a->purpose) : json_null());
    json_object_set_new(o, "operation", use ? str_or_null(a->operation) : json_null());
    json_object_set_new(o, "category", use ? str_or_null(a->category) : json_null());
    return o;
}

void audit_attempts_cleanup(struct audit_attempts *at)
{
    free(at->a);
    at->a = NULL;
    at->n = at->cap = 0;
}
