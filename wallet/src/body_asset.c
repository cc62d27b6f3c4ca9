/*
 * body_asset.c — canonical bodies of the issue-4 types (assets, rights, licenses,
 * carries; fields in core/include/yc/tx.h). Keys are emitted sorted by body_map;
 * optional fields at their defaults are omitted, so each body has one encoding.
 * Pure: only the values given. Rules (codes, roles, shares) are checked by the ledger;
 * here only sizes, so the node's verdict names what is wrong.
 */
#include <string.h>

#include "body.h"
#include "yc/codec.h"

static int finish(struct body_map *m, struct yc_buf *out)
{
    int rc = body_map_finish(m, out);
    body_map_cleanup(m);
    return rc;
}

static bool too_long(const char *s, size_t max)
{
    return s != NULL && strlen(s) > max;
}

int body_asset_register(struct yc_buf *out, const struct asset_register_args *a)
{
    if (a == NULL || a->title == NULL || a->catalog == NULL || a->source == NULL ||
        a->grade == NULL || a->openness == NULL || a->sector == NULL)
        return YC_EINVAL;
    if (a->nparents > YC_PARENTS_MAX || a->ncontributors > YC_CONTRIBUTORS_MAX)
        return YC_ETOOMANY;
    if (a->title[0] == '\0' || too_long(a->title, YC_NAME_MAX) ||
        too_long(a->catalog, YC_CODE_MAX) || too_long(a->source, YC_CODE_MAX) ||
        too_long(a->grade, YC_CODE_MAX) || too_long(a->openness, YC_CODE_MAX) ||
        too_long(a->sector, YC_CODE_MAX))
        return YC_EBADFIELD;
    struct body_map m;
    body_map_init(&m);
    body_put_bin(&m, "digest", a->digest, YC_HASH_LEN);
    body_put_str(&m, "title", a->title);
    body_put_str(&m, "catalog", a->catalog);
    body_put_str(&m, "source", a->source);
    body_put_str(&m, "grade", a->grade);
    body_put_str(&m, "openness", a->openness);
    body_put_str(&m, "sector", a->sector);
    if (a->nparents > 0)
        body_put_bins(&m, "parents", a->parents, YC_HASH_LEN, a->nparents);
    struct yc_buf b;
    struct yc_enc e;
    yc_buf_init(&b, YC_TX_MAX_BYTES);
    yc_enc_init(&e, &b);
    yc_enc_array(&e, a->ncontributors);
    for (uint32_t i = 0; i < a->ncontributors; i++) {
        yc_enc_array(&e, 2);
        yc_enc_bin(&e, a->contributors[i].pub, YC_PUBKEY_LEN);
        yc_enc_uint(&e, a->contributors[i].bps);
    }
    int rc = yc_enc_finish(&e);
    if (rc == YC_OK)
        body_put_raw(&m, "contributors", b.data, b.len);
    yc_buf_cleanup(&b);
    if (a->usage != NULL)
        body_put_bin(&m, "usage", a->usage, YC_HASH_LEN);
    if (rc != YC_OK) {
        body_map_cleanup(&m);
        return rc;
    }
    return finish(&m, out);
}

int body_asset_object(struct yc_buf *out, const uint8_t asset[YC_HASH_LEN],
                      const uint8_t evidence[YC_HASH_LEN], const char *reason)
{
    if (reason == NULL)
        return YC_EINVAL;
    if (too_long(reason, YC_CODE_MAX))
        return YC_EBADFIELD;
    struct body_map m;
    body_map_init(&m);
    body_put_bin(&m, "asset", asset, YC_HASH_LEN);
    body_put_bin(&m, "evidence", evidence, YC_HASH_LEN);
    body_put_str(&m, "reason", reason);
    return finish(&m, out);
}

int body_asset_resolve(struct yc_buf *out, const uint8_t objection[YC_HASH_LEN],
                       const char *outcome, const char *note)
{
    if (outcome == NULL)
        return YC_EINVAL;
    if (too_long(outcome, YC_CODE_MAX) ||
        (note != NULL && (note[0] == '\0' || too_long(note, YC_NAME_MAX))))
        return YC_EBADFIELD;
    struct body_map m;
    body_map_init(&m);
    body_put_bin(&m, "objection", objection, YC_HASH_LEN);
    body_put_str(&m, "outcome", outcome);
    if (note != NULL)
        body_put_str(&m, "note", note);
    return finish(&m, out);
}

int body_asset_ref(struct yc_buf *out, const uint8_t asset[YC_HASH_LEN], const char *reason)
{
    if (reason != NULL && (reason[0] == '\0' || too_long(reason, YC_CODE_MAX)))
        return YC_EBADFIELD;
    struct body_map m;
    body_map_init(&m);
    body_put_bin(&m, "asset", asset, YC_HASH_LEN);
    if (reason != NULL)
        body_put_str(&m, "reason", reason);
    return finish(&m, out);
}

int body_asset_update(struct yc_buf *out, const struct asset_update_args *u)
{
    if (u == NULL)
        return YC_EINVAL;
    if (u->nparents > YC_PARENTS_MAX)
        return YC_ETOOMANY;
    if ((u->note != NULL && (u->note[0] == '\0' || too_long(u->note, YC_NAME_MAX))) ||
        (u->title != NULL && (u->title[0] == '\0' || too_long(u->title, YC_NAME_MAX))))
        return YC_EBADFIELD;
    struct body_map m;
    body_map_init(&m);
    body_put_bin(&m, "asset", u->asset, YC_HASH_LEN);
    body_put_bin(&m, "digest", u->digest, YC_HASH_LEN);
    if (u->note != NULL)
        body_put_str(&m, "note", u->note);
    if (u->has_parents)
        body_put_bins(&m, "parents", u->parents, YC_HASH_LEN, u->nparents);
    if (u->title != NULL)
        body_put_str(&m, "title", u->title);
    return finish(&m, out);
}

int body_right_transfer(struct yc_buf *out, const uint8_t asset[YC_HASH_LEN], const char *right,
                        const uint8_t to[YC_PUBKEY_LEN])
{
    if (right == NULL)
        return YC_EINVAL;
    if (too_long(right, YC_CODE_MAX))
        return YC_EBADFIELD;
    struct body_map m;
    body_map_init(&m);
    body_put_bin(&m, "asset", asset, YC_HASH_LEN);
    body_put_str(&m, "right", right);
    body_put_bin(&m, "to", to, YC_PUBKEY_LEN);
    return finish(&m, out);
}

int body_right_license(struct yc_buf *out, const struct right_license_args *l)
{
    if (l == NULL || l->purposes == NULL || l->operations == NULL || l->visibility == NULL)
        return YC_EINVAL;
    if (too_long(l->visibility, YC_CODE_MAX))
        return YC_EBADFIELD;
    struct body_map m;
    body_map_init(&m);
    body_put_bin(&m, "asset", l->asset, YC_HASH_LEN);
    body_put_bin(&m, "licensee", l->licensee, YC_PUBKEY_LEN);
    body_put_list(&m, "purposes", l->purposes);
    body_put_list(&m, "operations", l->operations);
    body_put_str(&m, "visibility", l->visibility);
    body_put_uint(&m, "until", l->until);
    if (l->fee != 0)
        body_put_uint(&m, "fee", l->fee);
    if (l->max_uses != 0)
        body_put_uint(&m, "max_uses", l->max_uses);
    if (l->not_before != 0)
        body_put_uint(&m, "not_before", l->not_before);
    return finish(&m, out);
}

int body_license_revoke(struct yc_buf *out, const uint8_t license[YC_HASH_LEN])
{
    struct body_map m;
    body_map_init(&m);
    body_put_bin(&m, "license", license, YC_HASH_LEN);
    return finish(&m, out);
}

int body_carry_request(struct yc_buf *out, const char *categories,
                       const uint8_t holder[YC_PUBKEY_LEN], const uint8_t recipient[YC_PUBKEY_LEN],
                       const uint8_t *asset)
{
    if (categories == NULL)
        return YC_EINVAL;
    struct body_map m;
    body_map_init(&m);
    if (asset != NULL)
        body_put_bin(&m, "asset", asset, YC_HASH_LEN);
    body_put_list(&m, "categories", categories);
    body_put_bin(&m, "holder", holder, YC_PUBKEY_LEN);
    body_put_bin(&m, "recipient", recipient, YC_PUBKEY_LEN);
    return finish(&m, out);
}

int body_carry_complete(struct yc_buf *out, const uint8_t carry[YC_HASH_LEN],
                        const uint8_t package[YC_HASH_LEN])
{
    struct body_map m;
    body_map_init(&m);
    body_put_bin(&m, "carry", carry, YC_HASH_LEN);
    body_put_bin(&m, "package", package, YC_HASH_LEN);
    return finish(&m, out);
}

int body_carry_reject(struct yc_buf *out, const uint8_t carry[YC_HASH_LEN], const char *reason)
{
    if (reason == NULL)
        return YC_EINVAL;
    if (too_long(reason, YC_CODE_MAX))
        return YC_EBADFIELD;
    struct body_map m;
    body_map_init(&m);
    body_put_bin(&m, "carry", carry, YC_HASH_LEN);
    body_put_str(&m, "reason", reason);
    return finish(&m, out);
}
