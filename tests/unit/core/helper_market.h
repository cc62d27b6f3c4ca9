/*
 * helper_market.h — test support for the issue-5 types (market, pledges, supervision) on
 * top of helper_ledger.h (bodies: hm_*) and helper_asset.h: extra parties (appraisers, a bank, a foreign buyer)
 * with their own keys, transactions with co-signatures, and readers of the new objects.
 *
 * Failures inside helpers are test failures (cmocka asserts); senders return the
 * ledger's code so tests can check refusals.
 */
#ifndef YC_TEST_HELPER_MARKET_H
#define YC_TEST_HELPER_MARKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "helper_asset.h"
#include "yc/market.h"

/* ---- parties ---- */

/* Parties are tc key numbers (TC_EXCHANGE…) or these extra ones, registered by tm_init. */
enum {
    TM_APPRAISER = 100, /* appraiser, CN-CQ */
    TM_APPRAISER2,      /* appraiser, CN-SC */
    TM_BANK,            /* financial, CN-CQ */
    TM_FOREIGN,         /* enterprise, SG, 100 000 fen */
    TM_BUYER,           /* data_merchant, CN-SC, 100 000 fen */
    TM_END
};
#define TM_NEXTRA (TM_END - TM_APPRAISER)

struct tmarket {
    struct tchain tc;
    yc_signer *x[TM_NEXTRA];
    uint8_t xpub[TM_NEXTRA][YC_PUBKEY_LEN];
    struct yc_buf body;
    uint8_t asset[YC_HASH_LEN];     /* certified, general, sector "transport", catalog
                                     * "traffic.flow", of TC_ENTERPRISE; contributors
                                     * enterprise 6000, alice 3000, bob 1000 bps */
    uint8_t important[YC_HASH_LEN]; /* certified, important, of TC_ENTERPRISE */
    uint8_t core[YC_HASH_LEN];      /* certified, core, of TC_ENTERPRISE */
    uint8_t product[YC_HASH_LEN];   /* certified product of TC_PROCESSOR, parent `asset` */
};

/* A chain with notice 2 blocks and an exchange fee of `fee_bps`; registers and funds
 * the extra parties; registers and certifies the four assets. */
void tm_init(struct tmarket *m, uint32_t fee_bps);
void tm_cleanup(struct tmarket *m);
const uint8_t *tm_pub(struct tmarket *m, uint32_t who);
uint64_t tm_balance(struct tmarket *m, uint32_t who);
struct yc_account tm_account(struct tmarket *m, uint32_t who); /* slices borrow */

/* Builds, signs (and co-signs by cosigners[0..ncos)), executes with the sender's next
 * nonce; *id (optional) gets the id. Returns the ledger's code. */
int tm_send_cosigned(struct tmarket *m, uint32_t who, enum yc_tx_type type,
                     const struct yc_buf *body, const uint32_t *cosigners, uint32_t ncos,
                     uint8_t id[YC_HASH_LEN]);
/* tm_send_cosigned without co-signers, asserting the outcome is `code`; for a refusal
 * also that nothing was written. */
void tm_expect(struct tmarket *m, uint32_t who, enum yc_tx_type type, const struct yc_buf *body,
               int code, uint8_t id[YC_HASH_LEN]);
/* Same with co-signers. */
void tm_expect_cosigned(struct tmarket *m, uint32_t who, enum yc_tx_type type,
                        const struct yc_buf *body, const uint32_t *cosigners, uint32_t ncos,
                        int code, uint8_t id[YC_HASH_LEN]);

/* ---- bodies ---- */

/* market.list of a hold/operate offer (terms NULL) or a license offer. */
struct tm_terms {
    const char *operations[4], *purposes[4], *visibility;
    uint64_t until, fee, max_uses;
};
void tm_list_body(struct tmarket *m, const uint8_t asset[YC_HASH_LEN], const char *offer,
                  uint64_t price, const char *sector, const struct tm_terms *terms);
void tm_bid_body(struct tmarket *m, const uint8_t listing[YC_HASH_LEN], uint64_t price,
                 uint64_t expires);
/* A body of type `type` with one id field `key` (accept, cancel, pledge release, ...). */
void tm_id_body(struct tmarket *m, enum yc_tx_type type, const char *key,
                const uint8_t id[YC_HASH_LEN]);

/* Lists (asserting success) and returns the listing id. */
void tm_list(struct tmarket *m, uint32_t who, const uint8_t asset[YC_HASH_LEN], const char *offer,
             uint64_t price, uint8_t id[YC_HASH_LEN]);
/* Bids (asserting success), expiring in one hour. */
void tm_bid(struct tmarket *m, uint32_t who, const uint8_t listing[YC_HASH_LEN], uint64_t price,
            uint8_t id[YC_HASH_LEN]);
/* policy.set by the regulator with the next version: fields of the map the test gives
 * (m's body is the caller's hm, finished here). Asserts `code`. */
void tm_policy(struct tmarket *m, struct hm *h, int code);
/* export.assess by the regulator (asserting success). */
void tm_assess(struct tmarket *m, const uint8_t asset[YC_HASH_LEN], const char *dest,
               const char *outcome, uint64_t until);
/* credit.record by the regulator (asserting success). */
void tm_credit(struct tmarket *m, uint32_t who, const char *severity, uint8_t id[YC_HASH_LEN]);

/* ---- readers (open block view; slices borrow the overlay) ---- */
/* True iff slice s equals the C string. */
bool tm_is(const struct yc_slice *s, const char *cstr);
int tm_get(struct tmarket *m, const uint8_t *key, size_t klen, const uint8_t **v, size_t *vlen);
int tm_listing(struct tmarket *m, const uint8_t id[YC_HASH_LEN], struct yc_listing *l);
int tm_bid_get(struct tmarket *m, const uint8_t id[YC_HASH_LEN], struct yc_bid *b);
int tm_deal(struct tmarket *m, const uint8_t id[YC_HASH_LEN], struct yc_deal *d);
int tm_pledge(struct tmarket *m, const uint8_t id[YC_HASH_LEN], struct yc_pledge *p);
int tm_credit_get(struct tmarket *m, const uint8_t id[YC_HASH_LEN], struct yc_credit *c);
/* Number of alert/ entries in the open block's view (committed ones and this block's). */
size_t tm_alert_count(struct tmarket *m, const char *kind);
/* Σ balances of every party + Σ escrow of open bids (committed state + open block). */
uint64_t tm_money(struct tmarket *m);
/* Runs yc_market_check on the committed state (commits the open block first); returns
 * the number of breaches (printed). */
size_t tm_check(struct tmarket *m);

#endif
