/*
 * exec_carry.c — data portability (DESIGN.md §5, evidence; docs/domain.md):
 * carry.request by the data subject, carry.complete / carry.reject by the holder.
 *
 * A carry is kept under carry/<tx id> with an index entry by subject and one by
 * holder, so the subject sees every step and the holder sees what it must answer.
 * A carry is closed once (completed with the package digest, or rejected with a
 * reason code) and never deleted.
 *
 * A carry names, optionally, the data asset carried; a carry to or from a
 * party outside CN is cross-border, so core data never goes and important data goes
 * only with an export approval (exec_supervise.c). The negative list (categories,
 * parties, destination) and the alert rules apply when it is requested and again when
 * it completes, under the policy of that moment.
 */
#include <string.h>

#include "exec_words.h"
#include "ledger_int.h"
#include "yc/market.h"

static int enc_carry(const void *c, struct yc_buf *b)
{
    return yc_carry_encode(c, b);
}

static int carry_store(yc_overlay *o, const uint8_t id[YC_HASH_LEN], const struct yc_carry *c)
{
    uint8_t key[YC_KEY_MAX];
    return yc__obj_put(o, key, yc_key_carry(key, id), c, enc_carry);
}

/*
 * The supervision rules of moving `categories` (and asset, if named) from holder to
 * recipient for subject: the asset exists and is live, the border, the negative list,
 * then the alerts of the movement.
 */
static int supervise(const struct yc__env *e, bool has_asset, const uint8_t *asset,
                     const struct yc_list *categories, const uint8_t *subject,
                     const uint8_t *holder, const uint8_t *recipient)
{
    struct yc_policy pol;
    struct yc_asset a;
    struct yc__border bd;
    enum yc_grade g = YC_GRADE_NONE;
    const uint8_t *parties[3] = {subject, holder, recipient};
    int rc;

    if (has_asset) {
        rc = yc__load_asset(e, "asset", asset, &a);
        if (rc != YC_OK) {
            return rc;
        }
        if (a.voided_at != 0) {
            char h[YC__HEX_MAX];
            yc__hex(h, asset, YC_HASH_LEN);
            return yc__refuse(e, YC_ECLOSED,
                              "asset %s is void: an objection was upheld at "
                              "height %llu",
                              h, (unsigned long long)a.voided_at);
        }
        g = yc_grade_from_name(a.grade.p, a.grade.len);
    }
    rc = yc__border_check(e, has_asset ? asset : NULL, g, holder, recipient, &bd);
    if (rc == YC_OK) {
        rc = yc__policy_load(e->o, &pol);
    }
    if (rc == YC_OK) {
        struct yc_slice dest = {bd.dest, bd.dest_len};
        rc = yc__neglist_why(e, &pol, has_asset ? &a : NULL, categories, parties, 3,
                             bd.cross ? &dest : NULL);
    }
    if (rc == YC_OK) {
        rc = yc__alert_movement(e, &pol, bd.cross, g, has_asset ? asset : NULL, recipient, 0);
    }
    return rc;
}

int yc__check_carry_request(const struct yc__env *e)
{
    if (e->role == YC_ROLE_INDIVIDUAL || e->role == YC_ROLE_ENTERPRISE) {
        return YC_OK;
    }
    return yc__refuse_role(e, "the data subject (an individual or an enterprise) asks for "
                              "its data to be carried");
}

int yc__exec_carry_request(const struct yc__env *e)
{
    const struct yc_body_carry_request *b = &e->tx->b->carry_request;
    struct yc_account h;
    int rc;

    if ((rc = yc__need_code_set(e, "categories", &b->categories, true)) != YC_OK) {
        return rc;
    }
    if (memcmp(b->holder, e->tx->sender, YC_PUBKEY_LEN) == 0) {
        return yc__refuse(e, YC_EBADFIELD, "holder: the sender itself; name who holds the data");
    }
    if (memcmp(b->holder, b->recipient, YC_PUBKEY_LEN) == 0) {
        return yc__refuse(e, YC_EBADFIELD,
                          "recipient: the holder itself; name where the data "
                          "goes");
    }
    rc = yc__need_account(e, "holder", b->holder);
    if (rc == YC_OK) {
        rc = yc__acct_load(e->o, b->holder, &h);
    }
    if (rc != YC_OK) {
        return rc;
    }
    /* data is carried out of an organisation, never out of a person */
    if (h.role == YC_ROLE_INDIVIDUAL) {
        return yc__refuse(e, YC_EBADROLE,
                          "holder: an individual; data is carried out of an organisation");
    }
    rc = yc__need_account(e, "recipient", b->recipient);
    if (rc == YC_OK) {
        rc = supervise(e, b->has_asset, b->asset, &b->categories, e->tx->sender, b->holder,
                       b->recipient);
    }
    if (rc == YC_OK) {
        /* the chain's code list (after every other rule) */
        rc = yc__need_known_set(e, YC_CODES_CATEGORY, "categories", &b->categories);
    }
    if (rc != YC_OK) {
        return rc;
    }
    struct yc_carry c = {
        .has_asset = b->has_asset,
        .categories = b->categories,
        .requested_at = e->ctx->height,
        .status = {"requested", 9},
    };
    memcpy(c.asset, b->asset, YC_HASH_LEN);
    memcpy(c.holder, b->holder, YC_PUBKEY_LEN);
    memcpy(c.recipient, b->recipient, YC_PUBKEY_LEN);
    memcpy(c.subject, e->tx->sender, YC_PUBKEY_LEN);
    rc = carry_store(e->o, e->tx->id, &c);
    if (rc == YC_OK) {
        rc = yc__put_index(e->o, yc_key_idx_carry_subject, e->tx->sender, e->tx->id, YC_HASH_LEN);
    }
    if (rc == YC_OK) {
        rc = yc__put_index(e->o, yc_key_idx_carry_holder, b->holder, e->tx->id, YC_HASH_LEN);
    }
    return rc;
}

int yc__exec_carry_close(const struct yc__env *e)
{
    const struct yc_body_carry_close *b = &e->tx->b->carry_close;
    bool complete = e->tx->type == YC_TX_CARRY_COMPLETE;
    uint8_t key[YC_KEY_MAX];
    size_t klen = yc_key_carry(key, b->carry);
    const uint8_t *v;
    size_t vlen;
    struct yc_carry c;
    int rc;

    char h[YC__HEX_MAX];

    if (!complete && (rc = yc__need_code(e, "reason", &b->reason)) != YC_OK) {
        return rc;
    }
    yc__hex(h, b->carry, YC_HASH_LEN);
    rc = yc_overlay_get(e->o, key, klen, &v, &vlen);
    if (rc == YC_ENOTFOUND) {
        return yc__refuse(e, YC_EUNKNOWNOBJ, "carry: no such carry request %s", h);
    }
    if (rc == YC_OK) {
        rc = yc_carry_decode(&c, v, vlen);
    }
    if (rc != YC_OK) {
        return rc;
    }
    if (memcmp(c.holder, e->tx->sender, YC_PUBKEY_LEN) != 0) {
        return yc__refuse(e, YC_ENOTAUTH, "carry %s: only the holder of the data answers it", h);
    }
    if (c.closed_at != 0) {
        return yc__refuse(e, YC_ECLOSED, "carry %s: already %.*s at height %llu", h,
                          (int)c.status.len, c.status.p, (unsigned long long)c.closed_at);
    }
    if (complete) {
        /* the data moves now: the rules of this moment apply */
        rc = supervise(e, c.has_asset, c.asset, &c.categories, c.subject, c.holder, c.recipient);
        if (rc != YC_OK) {
            return rc;
        }
    }
    c.closed_at = e->ctx->height;
    if (complete) {
        c.status = (struct yc_slice){"completed", 9};
        c.has_package = true;
        memcpy(c.package, b->package, YC_HASH_LEN);
    } else {
        c.status = (struct yc_slice){"rejected", 8};
        c.reason = b->reason;
    }
    return carry_store(e->o, b->carry, &c);
}
