/*
 * helper_asset.h — body builders for the issue-4 transaction types (assets, rights,
 * licenses, carries) and a few steps the asset tests share, on top of helper_ledger.h.
 *
 * Builders reset `out` and write one canonical body map; failures are test failures.
 */
#ifndef YC_TEST_HELPER_ASSET_H
#define YC_TEST_HELPER_ASSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "helper_ledger.h"

struct hb_contrib {
    const uint8_t *pub;
    uint64_t bps;
};

struct hb_asset {
    const char *title, *catalog, *source, *grade, *openness, *sector; /* NULL: a default */
    const uint8_t *digest; /* NULL: 32 bytes of digest_byte */
    uint8_t digest_byte;
    size_t dlen; /* 0: 32 */
    const uint8_t (*parents)[YC_HASH_LEN];
    uint32_t nparents; /* 0: no "parents" field */
    struct hb_contrib contrib[YC_CONTRIBUTORS_MAX + 2];
    uint32_t ncontrib;    /* 0: the `self` key with 10 000 bps */
    const uint8_t *self;  /* default contributor */
    const uint8_t *usage; /* NULL: omitted */
};
void hb_asset_register(struct yc_buf *out, const struct hb_asset *a);
void hb_asset_object(struct yc_buf *out, const uint8_t asset[YC_HASH_LEN], const uint8_t *evidence,
                     size_t elen, const char *reason);
void hb_asset_resolve(struct yc_buf *out, const uint8_t objection[YC_HASH_LEN], const char *outcome,
                      const char *note);
/* asset.certify (reason NULL) or asset.retire. */
void hb_asset_ref(struct yc_buf *out, const uint8_t asset[YC_HASH_LEN], const char *reason);
void hb_asset_update(struct yc_buf *out, const uint8_t asset[YC_HASH_LEN],
                     const uint8_t digest[YC_HASH_LEN], const char *note,
                     const uint8_t (*parents)[YC_HASH_LEN], int nparents /* -1: omitted */,
                     const char *title);
void hb_right_transfer(struct yc_buf *out, const uint8_t asset[YC_HASH_LEN], const char *right,
                       const uint8_t *to);

struct hb_license {
    const uint8_t *asset, *licensee;
    const char *operations[YC_LIST_MAX + 2]; /* NULL-terminated */
    const char *purposes[YC_LIST_MAX + 2];
    const char *visibility;
    uint64_t fee, max_uses, not_before, until; /* 0: omitted (until: required) */
};
void hb_right_license(struct yc_buf *out, const struct hb_license *l);
void hb_license_revoke(struct yc_buf *out, const uint8_t id[YC_HASH_LEN]);
void hb_carry_request(struct yc_buf *out, const char *const *categories, const uint8_t *holder,
                      const uint8_t *recipient);
void hb_carry_complete(struct yc_buf *out, const uint8_t carry[YC_HASH_LEN], const uint8_t *package,
                       size_t plen);
void hb_carry_reject(struct yc_buf *out, const uint8_t carry[YC_HASH_LEN], const char *reason);

/* ---- shared steps ---- */

/* Registers a general/public asset of digest byte `d` by `who` (asserts success). */
void ta_register(struct tchain *tc, uint32_t who, uint8_t d, const char *grade,
                 const uint8_t (*parents)[YC_HASH_LEN], uint32_t nparents, uint8_t id[YC_HASH_LEN]);
/* Commits blocks until the notice of every asset registered so far is over. */
void ta_pass_notice(struct tchain *tc);
/* The exchange certifies asset id (asserts success). */
void ta_certify(struct tchain *tc, const uint8_t id[YC_HASH_LEN]);
/* Reads and decodes an object from the open block's view (slices borrow the overlay). */
int ta_asset(struct tchain *tc, const uint8_t id[YC_HASH_LEN], struct yc_asset *a);
int ta_license(struct tchain *tc, const uint8_t id[YC_HASH_LEN], struct yc_license *l);
int ta_carry(struct tchain *tc, const uint8_t id[YC_HASH_LEN], struct yc_carry *c);
int ta_objection(struct tchain *tc, const uint8_t id[YC_HASH_LEN], struct yc_objection *o);
/* Holder of right r of asset id (asserts it exists). */
void ta_holder(struct tchain *tc, const uint8_t id[YC_HASH_LEN], enum yc_right r,
               uint8_t pub[YC_PUBKEY_LEN]);
/* True iff the open block's view holds key. */
bool ta_has_key(struct tchain *tc, const uint8_t *key, size_t klen);

#define TA_NOTICE 2 /* notice_blocks of the asset tests' chain */

#endif
