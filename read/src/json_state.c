/*
 * json_state.c — the JSON of the objects of committed state (objects.h) that more than
 * one program shows: accounts, consents and uses (json.h). The node's `account`,
 * `consents` and `usage` methods and `yuchain-audit subject` print these, field for field.
 */
#include <jansson.h>

#include "yc/json.h"
#include "yc/objects.h"

json_t *yc_json_account(const uint8_t pub[YC_PUBKEY_LEN], const struct yc_account *a,
                        const uint64_t *pending_nonce)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    const char *role = yc_role_name(a->role);
    json_object_set_new(o, "address", yc_json_addr(pub));
    json_object_set_new(o, "role", role ? json_string(role) : json_null());
    json_object_set_new(o, "name", yc_json_slice(&a->name));
    json_object_set_new(o, "jurisdiction", yc_json_slice(&a->jurisdiction));
    json_object_set_new(o, "nonce", yc_json_u64(a->nonce));
    if (pending_nonce != NULL)
        json_object_set_new(o, "pending_nonce",
                            yc_json_u64(*pending_nonce < a->nonce ? a->nonce : *pending_nonce));
    json_object_set_new(o, "balance", yc_json_u64(a->balance));
    json_object_set_new(o, "credit", yc_json_slice(&a->credit));
    json_object_set_new(o, "registered_at", yc_json_u64(a->registered_at));
    return o;
}

json_t *yc_json_consent(const uint8_t id[YC_HASH_LEN], const struct yc_consent *c, uint64_t now_ms)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "id", yc_json_hex(id, YC_HASH_LEN));
    json_object_set_new(o, "subject", yc_json_addr(c->subject));
    json_object_set_new(o, "processor", yc_json_addr(c->processor));
    json_object_set_new(o, "categories", yc_json_list(&c->categories));
    json_object_set_new(o, "purposes", yc_json_list(&c->purposes));
    json_object_set_new(o, "operations", yc_json_list(&c->operations));
    json_object_set_new(o, "jurisdiction", yc_json_slice(&c->jurisdiction));
    json_object_set_new(o, "not_before", yc_json_u64(c->not_before));
    json_object_set_new(o, "not_before_time", yc_json_time(c->not_before));
    json_object_set_new(o, "until", yc_json_u64(c->until));
    json_object_set_new(o, "until_time", yc_json_time(c->until));
    json_object_set_new(o, "fee_per_use", yc_json_u64(c->fee_per_use));
    json_object_set_new(o, "max_uses", yc_json_u64(c->max_uses));
    json_object_set_new(o, "uses", yc_json_u64(c->uses));
    json_object_set_new(o, "retention_days", yc_json_u64(c->retention_days));
    json_object_set_new(o, "onward_transfer", json_boolean(c->onward_transfer));
    json_object_set_new(o, "granted_at", yc_json_u64(c->granted_at));
    json_object_set_new(o, "revoked_at", yc_json_u64_or_null(c->revoked_at));
    json_object_set_new(o, "status", json_string(yc_consent_status(c, now_ms)));
    return o;
}

json_t *yc_json_usage(const uint8_t id[YC_HASH_LEN], const struct yc_usage *u)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "id", yc_json_hex(id, YC_HASH_LEN));
    json_object_set_new(o, "asset", yc_json_id_or_null(u->has_asset, u->asset));
    json_object_set_new(o, "authority", yc_json_hex(u->authority, YC_HASH_LEN));
    json_object_set_new(o, "authority_kind", yc_json_slice(&u->authority_kind));
    json_object_set_new(o, "user", yc_json_addr(u->user));
    json_object_set_new(o, "subject", yc_json_addr(u->subject));
    json_object_set_new(o, "purpose", yc_json_slice(&u->purpose));
    json_object_set_new(o, "operation", yc_json_slice(&u->operation));
    json_object_set_new(o, "category", yc_json_slice(&u->category));
    json_object_set_new(o, "fee", yc_json_u64(u->fee));
    json_object_set_new(o, "height", yc_json_u64(u->height));
    json_object_set_new(o, "time", yc_json_time(u->time_ms));
    json_object_set_new(o, "time_ms", yc_json_u64(u->time_ms));
    json_object_set_new(o, "input", yc_json_id_or_null(u->has_input, u->input));
    json_object_set_new(o, "output", yc_json_id_or_null(u->has_output, u->output));
    return o;
}
