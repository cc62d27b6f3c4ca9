/*
 * json_asset.c — the JSON of the data-asset objects of committed state (objects.h):
 * assets, their rights, objections and versions, licenses and carries (json.h). The
 * node's `asset`, `assets` and `carries` methods print these; docs/rpc.md lists them.
 */
#include <jansson.h>

#include "yc/json.h"
#include "yc/objects.h"

json_t *yc_json_asset(const uint8_t id[YC_HASH_LEN], const struct yc_asset *a, uint64_t height)
{
    json_t *o = json_object();
    json_t *parents = json_array(), *contrib = json_array();
    if (!o || !parents || !contrib) {
        json_decref(o);
        json_decref(parents);
        json_decref(contrib);
        return NULL;
    }
    for (uint32_t i = 0; i < a->nparents; i++)
        json_array_append_new(parents, yc_json_hex(a->parents[i], YC_HASH_LEN));
    for (uint32_t i = 0; i < a->ncontributors; i++)
        json_array_append_new(contrib, json_pack("{s:o*,s:o*}", "account",
                                                 yc_json_addr(a->contributors[i].pub), "bps",
                                                 yc_json_u64(a->contributors[i].bps)));
    json_object_set_new(o, "id", yc_json_hex(id, YC_HASH_LEN));
    json_object_set_new(o, "title", yc_json_slice(&a->title));
    json_object_set_new(o, "digest", yc_json_hex(a->digest, YC_HASH_LEN));
    json_object_set_new(o, "version", yc_json_u64(a->version));
    json_object_set_new(o, "catalog", yc_json_slice(&a->catalog));
    json_object_set_new(o, "source", yc_json_slice(&a->source));
    json_object_set_new(o, "grade", yc_json_slice(&a->grade));
    json_object_set_new(o, "openness", yc_json_slice(&a->openness));
    json_object_set_new(o, "sector", yc_json_slice(&a->sector));
    json_object_set_new(o, "status", json_string(yc_asset_status(a, height)));
    json_object_set_new(o, "certificate", yc_json_slice_or_null(&a->certificate));
    json_object_set_new(o, "certified_at", yc_json_u64_or_null(a->certified_at));
    json_object_set_new(o, "registrant", yc_json_addr(a->registrant));
    json_object_set_new(o, "registered_at", yc_json_u64(a->registered_at));
    json_object_set_new(o, "notice_until", yc_json_u64(a->notice_until));
    json_object_set_new(o, "time", yc_json_time(a->time_ms));
    json_object_set_new(o, "objections_open", yc_json_u64(a->objections_open));
    json_object_set_new(o, "retired_at", yc_json_u64_or_null(a->retired_at));
    json_object_set_new(o, "voided_at", yc_json_u64_or_null(a->voided_at));
    json_object_set_new(o, "usage", yc_json_id_or_null(a->has_usage, a->usage));
    json_object_set_new(o, "parents", parents);
    json_object_set_new(o, "contributors", contrib);
    return o;
}

json_t *yc_json_asset_held(const uint8_t id[YC_HASH_LEN], const struct yc_asset *a, uint64_t height)
{
    return json_pack("{s:o*,s:o*,s:o*,s:s,s:o*,s:o*,s:[]}", "id", yc_json_hex(id, YC_HASH_LEN),
                     "title", yc_json_slice(&a->title), "grade", yc_json_slice(&a->grade), "status",
                     yc_asset_status(a, height), "certificate",
                     yc_json_slice_or_null(&a->certificate), "registered_at",
                     yc_json_u64(a->registered_at), "rights");
}

json_t *yc_json_right(const struct yc_right_rec *r)
{
    return json_pack("{s:o*,s:o*}", "holder", yc_json_addr(r->holder), "since",
                     yc_json_u64(r->since));
}

json_t *yc_json_objection(const uint8_t id[YC_HASH_LEN], const struct yc_objection *ob)
{
    return json_pack("{s:o*,s:o*,s:o*,s:o*,s:o*,s:o*,s:o*,s:o*}", "id",
                     yc_json_hex(id, YC_HASH_LEN), "objector", yc_json_addr(ob->objector), "reason",
                     yc_json_slice(&ob->reason), "evidence", yc_json_hex(ob->evidence, YC_HASH_LEN),
                     "filed_at", yc_json_u64(ob->filed_at), "outcome", yc_json_slice(&ob->outcome),
                     "resolved_at", yc_json_u64_or_null(ob->resolved_at), "note",
                     yc_json_slice_or_null(&ob->note));
}

json_t *yc_json_asset_version(uint64_t version, const struct yc_asset_version *v)
{
    return json_pack("{s:o*,s:o*,s:o*,s:o*,s:o*}", "version", yc_json_u64(version), "digest",
                     yc_json_hex(v->digest, YC_HASH_LEN), "height", yc_json_u64(v->height), "time",
                     yc_json_time(v->time_ms), "note", yc_json_slice_or_null(&v->note));
}

json_t *yc_json_license(const uint8_t id[YC_HASH_LEN], const struct yc_license *l, uint64_t now_ms)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "id", yc_json_hex(id, YC_HASH_LEN));
    json_object_set_new(o, "asset", yc_json_hex(l->asset, YC_HASH_LEN));
    json_object_set_new(o, "right", yc_json_slice(&l->right));
    json_object_set_new(o, "licensor", yc_json_addr(l->licensor));
    json_object_set_new(o, "licensee", yc_json_addr(l->licensee));
    json_object_set_new(o, "purposes", yc_json_list(&l->purposes));
    json_object_set_new(o, "operations", yc_json_list(&l->operations));
    json_object_set_new(o, "visibility", yc_json_slice(&l->visibility));
    json_object_set_new(o, "fee", yc_json_u64(l->fee));
    json_object_set_new(o, "max_uses", yc_json_u64(l->max_uses));
    json_object_set_new(o, "uses", yc_json_u64(l->uses));
    json_object_set_new(o, "not_before", yc_json_u64(l->not_before));
    json_object_set_new(o, "until", yc_json_u64(l->until));
    json_object_set_new(o, "until_time", yc_json_time(l->until));
    json_object_set_new(o, "granted_at", yc_json_u64(l->granted_at));
    json_object_set_new(o, "revoked_at", yc_json_u64_or_null(l->revoked_at));
    json_object_set_new(o, "status", json_string(yc_license_status(l, now_ms)));
    return o;
}

json_t *yc_json_carry(const uint8_t id[YC_HASH_LEN], const struct yc_carry *k)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "id", yc_json_hex(id, YC_HASH_LEN));
    json_object_set_new(o, "subject", yc_json_addr(k->subject));
    json_object_set_new(o, "holder", yc_json_addr(k->holder));
    json_object_set_new(o, "recipient", yc_json_addr(k->recipient));
    json_object_set_new(o, "categories", yc_json_list(&k->categories));
    json_object_set_new(o, "asset", yc_json_id_or_null(k->has_asset, k->asset));
    json_object_set_new(o, "status", yc_json_slice(&k->status));
    json_object_set_new(o, "requested_at", yc_json_u64(k->requested_at));
    json_object_set_new(o, "closed_at", yc_json_u64_or_null(k->closed_at));
    json_object_set_new(o, "package", yc_json_id_or_null(k->has_package, k->package));
    json_object_set_new(o, "reason", yc_json_slice_or_null(&k->reason));
    return o;
}
