/*
 * body.h — transaction bodies as canonical msgpack maps (field names and types from
 * core/include/yc/tx.h), built from already parsed values. Pure: no I/O, no clock.
 *
 * A `struct body_map` collects fields in any order and writes them with keys sorted
 * bytewise (yc_key_cmp), as the canonical form requires; a field added twice is
 * refused. Optional fields at their default value are left out, so that a body has
 * exactly one encoding.
 */
#ifndef YC_WALLET_BODY_H
#define YC_WALLET_BODY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/buf.h"
#include "yc/hash.h"
#include "yc/keys.h"
#include "yc/tx.h"

#define BODY_MAX_FIELDS 16

struct body_map {
    struct {
        const char *key;   /* static string */
        struct yc_buf val; /* one encoded value */
    } f[BODY_MAX_FIELDS];
    size_t n;
    int err; /* first error, sticky */
};

void body_map_init(struct body_map *m);
void body_map_cleanup(struct body_map *m);
void body_put_str(struct body_map *m, const char *key, const char *s);
void body_put_uint(struct body_map *m, const char *key, uint64_t v);
void body_put_bool(struct body_map *m, const char *key, bool v);
void body_put_bin(struct body_map *m, const char *key, const uint8_t *p, size_t n);
/* An array of strings from a comma-separated list ("a,b,c"): items trimmed of spaces,
 * empty items refused (YC_EBADFIELD), duplicates dropped (first kept), at most
 * YC_LIST_MAX items (YC_ETOOMANY), each at most YC_CODE_MAX bytes (YC_EBADFIELD). */
void body_put_list(struct body_map *m, const char *key, const char *csv);
/* A value already encoded as one canonical msgpack value (arrays of digests, pairs). */
void body_put_raw(struct body_map *m, const char *key, const uint8_t *p, size_t n);
/* An array of n bins of `size` bytes each, stored back to back at items (ids, keys). */
void body_put_bins(struct body_map *m, const char *key, const void *items, size_t size, uint32_t n);
/* Writes the map into out (appending). Returns the first error or YC_OK. */
int body_map_finish(struct body_map *m, struct yc_buf *out);

/* ---- one builder per type; every text argument is NUL-terminated ---- */

/* account.register: account may be NULL (the sender registers itself). */
int body_account_register(struct yc_buf *out, const uint8_t *account, const char *role,
                          const char *name, const char *jurisdiction);
/* token.issue / token.transfer (to required) / token.redeem (to NULL); memo optional. */
int body_token(struct yc_buf *out, enum yc_tx_type type, const uint8_t *to, uint64_t amount,
               const char *memo);

struct consent_grant_args {
    uint8_t processor[YC_PUBKEY_LEN];
    const char *categories, *purposes, *operations; /* comma-separated */
    const char *jurisdiction;
    uint64_t not_before, until; /* Unix ms */
    uint64_t fee_per_use, max_uses, retention_days;
    bool onward_transfer;
};
int body_consent_grant(struct yc_buf *out, const struct consent_grant_args *g);
int body_consent_revoke(struct yc_buf *out, const uint8_t consent[YC_HASH_LEN]);

struct usage_record_args {
    const uint8_t *consent, *license; /* exactly one, YC_HASH_LEN bytes */
    const char *purpose, *operation;
    const char *category;          /* optional (NULL) */
    const uint8_t *input, *output; /* optional digests */
};
int body_usage_record(struct yc_buf *out, const struct usage_record_args *u);

int body_evidence_anchor(struct yc_buf *out, const uint8_t digest[YC_HASH_LEN], const char *kind,
                         const uint8_t *ref, const char *note);

/* ---- assets, rights, licenses, carries (body_asset.c) ---- */

struct asset_register_args {
    uint8_t digest[YC_HASH_LEN];
    const char *title, *catalog, *source, *grade, *openness, *sector;
    uint32_t nparents;
    uint8_t parents[YC_PARENTS_MAX][YC_HASH_LEN];
    uint32_t ncontributors; /* 1..YC_CONTRIBUTORS_MAX */
    struct yc_contributor contributors[YC_CONTRIBUTORS_MAX];
    const uint8_t *usage; /* optional: the recorded use whose output this is */
};
int body_asset_register(struct yc_buf *out, const struct asset_register_args *a);
int body_asset_object(struct yc_buf *out, const uint8_t asset[YC_HASH_LEN],
                      const uint8_t evidence[YC_HASH_LEN], const char *reason);
int body_asset_resolve(struct yc_buf *out, const uint8_t objection[YC_HASH_LEN],
                       const char *outcome, const char *note);
/* asset.certify (reason NULL) and asset.retire (reason optional). */
int body_asset_ref(struct yc_buf *out, const uint8_t asset[YC_HASH_LEN], const char *reason);

struct asset_update_args {
    uint8_t asset[YC_HASH_LEN], digest[YC_HASH_LEN];
    const char *note, *title; /* optional */
    bool has_parents;
    uint32_t nparents;
    uint8_t parents[YC_PARENTS_MAX][YC_HASH_LEN];
};
int body_asset_update(struct yc_buf *out, const struct asset_update_args *u);
int body_right_transfer(struct yc_buf *out, const uint8_t asset[YC_HASH_LEN], const char *right,
                        const uint8_t to[YC_PUBKEY_LEN]);

struct right_license_args {
    uint8_t asset[YC_HASH_LEN];
    uint8_t licensee[YC_PUBKEY_LEN];
    const char *purposes, *operations; /* comma-separated */
    const char *visibility;
    uint64_t fee, max_uses, not_before, until;
};
int body_right_license(struct yc_buf *out, const struct right_license_args *l);
int body_license_revoke(struct yc_buf *out, const uint8_t license[YC_HASH_LEN]);
/* asset: the data asset carried (optional, NULL), for the grade rules of the border. */
int body_carry_request(struct yc_buf *out, const char *categories,
                       const uint8_t holder[YC_PUBKEY_LEN], const uint8_t recipient[YC_PUBKEY_LEN],
                       const uint8_t *asset);
int body_carry_complete(struct yc_buf *out, const uint8_t carry[YC_HASH_LEN],
                        const uint8_t package[YC_HASH_LEN]);
int body_carry_reject(struct yc_buf *out, const uint8_t carry[YC_HASH_LEN], const char *reason);

/* ---- market, pledges, supervision (body_market.c) ---- */

struct market_list_args {
    uint8_t asset[YC_HASH_LEN];
    const char *offer, *sector;
    uint64_t price;
    /* license offers only (NULL / 0 otherwise) */
    const char *operations, *purposes, *visibility; /* comma-separated lists */
    uint64_t until, fee, max_uses;
};
int body_market_list(struct yc_buf *out, const struct market_list_args *l);
int body_market_appraise(struct yc_buf *out, const uint8_t listing[YC_HASH_LEN], const char *method,
                         const uint8_t report[YC_HASH_LEN], uint64_t value);
int body_market_bid(struct yc_buf *out, const uint8_t listing[YC_HASH_LEN], uint64_t price,
                    uint64_t expires);
/* A body of one id field: market.accept {bid}, market.cancel {bid} or {listing},
 * pledge.release / pledge.enforce {pledge}. */
int body_one_id(struct yc_buf *out, const char *key, const uint8_t id[YC_HASH_LEN]);
int body_pledge_create(struct yc_buf *out, const uint8_t asset[YC_HASH_LEN],
                       const uint8_t pledgee[YC_PUBKEY_LEN], uint64_t amount, uint64_t due);

struct policy_args {
    uint64_t version;
    const char *banned_categories, *banned_prefixes, *banned_jurisdictions; /* csv or NULL */
    uint32_t nbanned, nalert;
    uint8_t banned[YC_POLICY_ACCOUNTS_MAX][YC_PUBKEY_LEN];
    uint8_t alert[YC_POLICY_ACCOUNTS_MAX][YC_PUBKEY_LEN];
    uint64_t alert_amount; /* 0: none */
    bool alert_cross_border, alert_important;
    const char *add_categories, *add_purposes; /* code-list additions, csv or NULL */
};
int body_policy_set(struct yc_buf *out, const struct policy_args *p);
int body_export_assess(struct yc_buf *out, const uint8_t asset[YC_HASH_LEN],
                       const char *destination, const char *outcome,
                       const uint8_t report[YC_HASH_LEN], uint64_t until);
int body_credit_record(struct yc_buf *out, const uint8_t account[YC_PUBKEY_LEN],
                       const uint8_t evidence[YC_HASH_LEN], const char *reason,
                       const char *severity);
/* credit.object (evidence and reason), credit.resolve (outcome, note?), credit.restore
 * (note?); unused arguments NULL. */
int body_credit_ref(struct yc_buf *out, enum yc_tx_type type, const uint8_t credit[YC_HASH_LEN],
                    const uint8_t *evidence, const char *reason, const char *outcome,
                    const char *note);

#endif
