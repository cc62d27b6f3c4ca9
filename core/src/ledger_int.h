/*
 * ledger_int.h — internals shared by the ledger's files (not installed).
 *
 *   tx.c         field readers and writers used by every schema decoder and encoder
 *                (tx bodies, state objects)
 *   objects.c    syntax checks of codes and jurisdictions, plumbing of the state objects
 *   ledger.c     the execution environment, account helpers, the type dispatch table
 *   exec_*.c     the rules of one group of transaction types each
 *
 * Adding a transaction type: an X entry in tx.h's YC_TX_TYPES and its body struct, one
 * row in txschema.c's SCHEMAS, a handler in an exec_<group>.c declared below, and one
 * line in ledger.c's HANDLERS table.
 */
#ifndef YC_LEDGER_INT_H
#define YC_LEDGER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/codec.h"
#include "yc/ledger.h"
#include "yc/objects.h"
#include "yc/state.h"
#include "yc/tx.h"

/* ---- control flow of the decoders ---- */

/* Returns x's code from the enclosing function unless it is YC_OK (x is evaluated once). */
#define YC__TRY(x)          \
    do {                    \
        int rc_ = (x);      \
        if (rc_ != YC_OK) { \
            return rc_;     \
        }                   \
    } while (0)

/* Returns `err` from the enclosing function unless x is YC_OK: how the decoders of stored
 * objects turn any schema failure into YC_ECORRUPT. */
#define YC__TRY_AS(x, err)  \
    do {                    \
        if ((x) != YC_OK) { \
            return (err);   \
        }                   \
    } while (0)

/* An optional field: sets *has, then runs `read` (an expression yielding a code) if the
 * key was there; returns from the enclosing function on an unknown key or a failed read. */
#define YC__OPT(d, left, key, has, read)            \
    do {                                            \
        int r_ = yc__field_opt((d), (left), (key)); \
        if (r_ < 0) {                               \
            return r_;                              \
        }                                           \
        *(has) = r_ == 1;                           \
        if (r_ == 1) {                              \
            YC__TRY(read);                          \
        }                                           \
    } while (0)

/* ---- field readers (tx.c). All return YC_EBADFIELD on a type or size mismatch. ---- */

/* Consumes the required key `key` (sorted order); YC_EBADFIELD if absent or unknown before. */
YC_WUR int yc__field_req(struct yc_dec *d, uint32_t *left, const char *key);
/* Optional key: 1 consumed, 0 absent, YC_EBADFIELD on an unknown key before it. */
YC_WUR int yc__field_opt(struct yc_dec *d, uint32_t *left, const char *key);
/* A str of minlen..maxlen bytes into *s (borrowed). */
YC_WUR int yc__dec_text(struct yc_dec *d, struct yc_slice *s, size_t minlen, size_t maxlen);
/* An array of at most YC_LIST_MAX strs (YC_ETOOMANY beyond), each at most maxlen bytes. */
YC_WUR int yc__dec_list(struct yc_dec *d, struct yc_list *l, size_t maxlen);
/* A bin of exactly n bytes; `err` is returned for a bin of another size. */
YC_WUR int yc__dec_fixed(struct yc_dec *d, uint8_t *out, size_t n, int err);
/* An array of at most `max` bins (YC_ETOOMANY beyond) of exactly n bytes each (YC_EBADFIELD
 * otherwise), written back to back from out (room for max of them: uint8_t[max][n]);
 * *count is set on success only. */
YC_WUR int yc__dec_bins(struct yc_dec *d, void *out, size_t n, uint32_t max, uint32_t *count);
/* A public key: 33 bytes with a known scheme byte (YC_EBADKEY otherwise). Whether it is
 * a point of the curve is checked by yc_tx_verify: its offset is noted in d->keylog
 * (YC_ETOOMANY beyond YC_TX_MAX_BODY_KEYS). */
YC_WUR int yc__dec_pub(struct yc_dec *d, uint8_t out[YC_PUBKEY_LEN]);
/* A required key (as yc__field_req) and its value (as the reader of the same shape). */
YC_WUR int yc__req_u64(struct yc_dec *d, uint32_t *left, const char *key, uint64_t *v);
YC_WUR int yc__req_text(struct yc_dec *d, uint32_t *left, const char *key, struct yc_slice *s,
                        size_t minlen, size_t maxlen);
YC_WUR int yc__req_list(struct yc_dec *d, uint32_t *left, const char *key, struct yc_list *l,
                        size_t maxlen);
YC_WUR int yc__req_fixed(struct yc_dec *d, uint32_t *left, const char *key, uint8_t *out, size_t n,
                         int err);
YC_WUR int yc__req_pub(struct yc_dec *d, uint32_t *left, const char *key,
                       uint8_t out[YC_PUBKEY_LEN]);
/* An optional key (as yc__field_opt) and, if present, a bin of exactly n bytes (as
 * yc__dec_fixed); *has says which. */
YC_WUR int yc__opt_fixed(struct yc_dec *d, uint32_t *left, const char *key, bool *has, uint8_t *out,
                         size_t n, int err);
/* An optional key and, if present, a str of 1..maxlen bytes (absent is how empty is
 * written, so that there is one encoding); *s is left as it was when absent. */
YC_WUR int yc__opt_text(struct yc_dec *d, uint32_t *left, const char *key, struct yc_slice *s,
                        size_t maxlen);
/* Writers for the same shapes. */
void yc__enc_slice(struct yc_enc *e, const struct yc_slice *s);
void yc__enc_list(struct yc_enc *e, const struct yc_list *l);
/* A map entry: the key `key`, then the value. */
void yc__put_u64(struct yc_enc *e, const char *key, uint64_t v);
void yc__put_bin(struct yc_enc *e, const char *key, const uint8_t *p, size_t n);
void yc__put_slice(struct yc_enc *e, const char *key, const struct yc_slice *s);
void yc__put_list(struct yc_enc *e, const char *key, const struct yc_list *l);

/* Reads the fields of schema s from d's body map (its header read, *left pairs left) into
 * *b; *present gets a bit per field on the wire (txschema.c). */
struct yc_tx_schema;
YC_WUR int yc__schema_decode(struct yc_dec *d, uint32_t *left, const struct yc_tx_schema *s,
                             union yc_tx_body *b, uint64_t *present);

/* ---- syntax (objects.c) ---- */

/* [a-z0-9_.:-]{1,64}: categories, purposes, kinds. */
bool yc__is_code(const struct yc_slice *s);
/* [A-Z]{2}(-[A-Z0-9]{1,3})?: CN, CN-CQ, SG. */
bool yc__is_jurisdiction(const struct yc_slice *s);
bool yc__slice_eq(const struct yc_slice *s, const char *cstr);
/* True iff list contains an item equal to s. */
bool yc__list_has(const struct yc_list *l, const struct yc_slice *s);

/* ---- state objects (objects.c) ---- */

/* Room taken at once for encoding a state object (most fit: one allocation, not a
 * buffer grown from 64 bytes three times). */
#define OBJ_BUF_START 512u

/* The account's encoding in two steps, for a writer with room of its own (yc__acct_store):
 * its size (YC_EINVAL for what yc_account_encode refuses), then its bytes into out[0..size). */
YC_WUR int yc__account_size(const struct yc_account *a, size_t *n);
void yc__account_put(const struct yc_account *a, uint8_t *out);
/* The largest account yc__acct_store writes (its encoding; YC_ELIMIT past it). */
#define ACCT_STORE_MAX 4096u

/* prefix ‖ a[0..alen) into key (room for both); returns the key's length. a may be NULL
 * when alen is 0. */
size_t yc__key_join(uint8_t *key, const char *prefix, const uint8_t *a, size_t alen);
/* Opens stored object bytes p[0..len) for reading: canonical check, then the top-level
 * map into d and *left. YC_OK or YC_ECORRUPT (also for p NULL). */
YC_WUR int yc__obj_open(struct yc_dec *d, uint32_t *left, const uint8_t *p, size_t len);

/* ---- execution environment (ledger.c) ---- */

struct yc__env {
    yc_overlay *o;                 /* the transaction's own child overlay */
    const struct yc_exec_ctx *ctx; /* height, block time, genesis */
    const struct yc_tx *tx;
    uint32_t index;    /* position in the block */
    enum yc_role role; /* sender's role; YC_ROLE_NONE for a self-registration */
};

/* Rules of one type. `check` holds the role rules that admission can test without
 * state beyond the sender (NULL: none); execution runs `check`, then `exec`, with the
 * sender's nonce already advanced in e->o (except for a self-registration). */
typedef int (*yc__check_fn)(const struct yc__env *e);
/* True for the roles that register accounts: the exchange and agencies (DESIGN.md §5). */
bool yc__is_registrar(enum yc_role r);
/* Writes the words of a refusal into e->ctx->why (if any; printf format) and returns
 * `code`, so a rule reads `return yc__refuse(e, YC_EBADFIELD, "…", …);`. */
int yc__refuse(const struct yc__env *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
typedef int (*yc__exec_fn)(const struct yc__env *e);

/*
 * Account helpers over an overlay. Decoded slices borrow the overlay's value: they
 * are dead once that account is stored again, so callers load, change, store, and
 * never hold a loaded account across a store of the same key.
 */
/* YC_OK, YC_EUNKNOWNACCT, YC_ECORRUPT, or a local failure. */
YC_WUR int yc__acct_load(yc_overlay *o, const uint8_t pub[YC_PUBKEY_LEN], struct yc_account *a);
YC_WUR int yc__acct_store(yc_overlay *o, const uint8_t pub[YC_PUBKEY_LEN],
                          const struct yc_account *a);
/* Moves balance: debit → YC_EBALANCE, credit → YC_EOVERFLOW, unknown → YC_EUNKNOWNACCT. */
YC_WUR int yc__acct_debit(yc_overlay *o, const uint8_t pub[YC_PUBKEY_LEN], uint64_t amount);
YC_WUR int yc__acct_credit(yc_overlay *o, const uint8_t pub[YC_PUBKEY_LEN], uint64_t amount);
/* YC_OK if registered, YC_EUNKNOWNACCT if not. */
YC_WUR int yc__acct_exists(yc_overlay *o, const uint8_t pub[YC_PUBKEY_LEN]);
/* YC_OK if the key holds a value, YC_ENOTFOUND if not, or a local failure. */
YC_WUR int yc__key_exists(yc_overlay *o, const uint8_t *key, size_t klen);
/* Puts an empty value (index entries). */
YC_WUR int yc__put_empty(yc_overlay *o, const uint8_t *key, size_t klen);

/* ---- handlers (exec_*.c) ---- */

/* exec_account.c */
int yc__check_account_register(const struct yc__env *e);
int yc__exec_account_register(const struct yc__env *e);
int yc__check_account_update(const struct yc__env *e);
int yc__exec_account_update(const struct yc__env *e);
/* exec_token.c */
int yc__check_token_exchange(const struct yc__env *e);
int yc__exec_token_issue(const struct yc__env *e);
int yc__exec_token_transfer(const struct yc__env *e);
int yc__exec_token_redeem(const struct yc__env *e);
/* exec_consent.c */
/* Loads consent `id` (slices borrow the overlay's value): YC_EUNKNOWNCONSENT if absent. */
YC_WUR int yc__consent_load(yc_overlay *o, const uint8_t id[YC_HASH_LEN], struct yc_consent *c);
YC_WUR int yc__consent_store(yc_overlay *o, const uint8_t id[YC_HASH_LEN],
                             const struct yc_consent *c);
int yc__check_consent_grant(const struct yc__env *e);
int yc__exec_consent_grant(const struct yc__env *e);
int yc__exec_consent_revoke(const struct yc__env *e);
/* exec_evidence.c */
int yc__exec_usage_record(const struct yc__env *e);
int yc__exec_evidence_anchor(const struct yc__env *e);
/* exec_asset.c */
/* Loads asset `id` (slices borrow the overlay's value): YC_EUNKNOWNASSET if absent. */
YC_WUR int yc__asset_load(yc_overlay *o, const uint8_t id[YC_HASH_LEN], struct yc_asset *a);
YC_WUR int yc__asset_store(yc_overlay *o, const uint8_t id[YC_HASH_LEN], const struct yc_asset *a);
/* Holder of right r of asset id into holder: YC_OK, YC_EUNKNOWNASSET, or a local failure. */
YC_WUR int yc__right_holder(yc_overlay *o, const uint8_t id[YC_HASH_LEN], enum yc_right r,
                            uint8_t holder[YC_PUBKEY_LEN]);
/* The sender of e holds right r of asset id (into holder): YC_OK, YC_ENOTAUTH if another
 * account does, or yc__right_holder's failure. */
YC_WUR int yc__sender_holds(const struct yc__env *e, const uint8_t id[YC_HASH_LEN], enum yc_right r,
                            uint8_t holder[YC_PUBKEY_LEN]);
/* Sets right r of asset id to `holder` (since `height`) and moves its holder index
 * entry from old_holder (NULL: none yet). */
YC_WUR int yc__set_right(yc_overlay *o, const uint8_t id[YC_HASH_LEN], enum yc_right r,
                         const uint8_t *old_holder, const uint8_t holder[YC_PUBKEY_LEN],
                         uint64_t height);
/* True iff role r may hold rights over assets (register, receive a right). */
bool yc__role_may_hold(enum yc_role r);
/* Account `pub` is registered and not frozen: YC_OK, YC_EUNKNOWNACCT, YC_EFROZEN. */
YC_WUR int yc__acct_active(yc_overlay *o, const uint8_t pub[YC_PUBKEY_LEN], enum yc_role *role);
int yc__check_asset_register(const struct yc__env *e);
int yc__exec_asset_register(const struct yc__env *e);
int yc__exec_asset_object(const struct yc__env *e);
int yc__check_exchange(const struct yc__env *e);
int yc__exec_asset_resolve(const struct yc__env *e);
int yc__exec_asset_certify(const struct yc__env *e);
int yc__exec_asset_update(const struct yc__env *e);
int yc__exec_asset_retire(const struct yc__env *e);
/* exec_right.c */
int yc__exec_right_transfer(const struct yc__env *e);
int yc__exec_right_license(const struct yc__env *e);
int yc__exec_license_revoke(const struct yc__env *e);
/* The rules of a license as the authority of e's usage.record; on success the use is
 * counted, the fee paid to the licensor, and *asset / *licensor / *fee describe it. */
YC_WUR int yc__use_license(const struct yc__env *e, uint8_t asset[YC_HASH_LEN],
                           uint8_t licensor[YC_PUBKEY_LEN], uint64_t *fee);
/* exec_carry.c */
int yc__check_carry_request(const struct yc__env *e);
int yc__exec_carry_request(const struct yc__env *e);
int yc__exec_carry_close(const struct yc__env *e);

/* ---- market, finance and supervision ---- */

struct yc_policy;

/* Reads and decodes the object at key with `dec` (slices borrow the overlay's value):
 * YC_OK, YC_ENOTFOUND, YC_ECORRUPT, or a local failure. */
YC_WUR int yc__obj_get(yc_overlay *o, const uint8_t *key, size_t klen,
                       int (*dec)(void *obj, const uint8_t *p, size_t len), void *obj);
/* Encodes obj with `enc` and puts it under key. */
YC_WUR int yc__obj_put(yc_overlay *o, const uint8_t *key, size_t klen, const void *obj,
                       int (*enc)(const void *obj, struct yc_buf *out));
/* prefix(who) ‖ tail[0..tlen) → "" (index entries). */
YC_WUR int yc__put_index(yc_overlay *o, size_t (*prefix)(uint8_t *, const uint8_t *),
                         const uint8_t *who, const uint8_t *tail, size_t tlen);

/* exec_right.c */
/* True iff role r may take a license. */
bool yc__role_may_license(enum yc_role r);
/* A live, certified asset: YC_OK, YC_ECLOSED (void), YC_ERETIRED, YC_ENOTCERTIFIED. */
YC_WUR int yc__asset_tradable(const struct yc_asset *a);
/* Writes license `id` and its index entries (by asset, by licensee). */
YC_WUR int yc__license_put(yc_overlay *o, const uint8_t id[YC_HASH_LEN],
                           const struct yc_license *l);

/* exec_supervise.c: the regulator's types and the checks every other group shares */
int yc__check_regulator(const struct yc__env *e);
int yc__exec_policy_set(const struct yc__env *e);
int yc__exec_export_assess(const struct yc__env *e);
int yc__exec_credit_record(const struct yc__env *e);
int yc__exec_credit_restore(const struct yc__env *e);
int yc__exec_credit_object(const struct yc__env *e);
int yc__exec_credit_resolve(const struct yc__env *e);
/* The policy in force into *p (version 0 and empty lists when none was ever set); slices
 * borrow the overlay's value until "policy" is written. */
YC_WUR int yc__policy_load(yc_overlay *o, struct yc_policy *p);
/*
 * The negative list of policy p against what a transaction touches: the asset (its
 * catalog code equal to a banned category or starting with a banned prefix; NULL: none),
 * data categories (NULL: none), the parties, and the destination jurisdiction (NULL:
 * none). YC_OK or YC_ENEGLIST.
 */
YC_WUR int yc__neglist_check(const struct yc_policy *p, const struct yc_asset *a,
                             const struct yc_list *categories, const uint8_t *const *parties,
                             size_t nparties, const struct yc_slice *dest);
/* Where data goes: from one party to another, and whether that crosses the border. */
struct yc__border {
    bool cross;                 /* a party's jurisdiction is outside CN */
    char dest[YC_CODE_MAX + 1]; /* destination jurisdiction (the foreign party's) */
    size_t dest_len;
    bool has_assessment; /* the export approval relied on */
    uint8_t assessment[YC_HASH_LEN];
};
/*
 * The grade rules of data of asset `asset` (grade g) moving from `from` to `to`: a move
 * is cross-border when either party is outside CN; core data never crosses (YC_ECOREDATA);
 * important data crosses only with an approved, unexpired export assessment for the
 * asset and the destination (the receiving party's jurisdiction if foreign, else the
 * sender's) (YC_EEXPORTREQ). Fills *out. asset may be NULL (no grade: only *out).
 */
YC_WUR int yc__border_check(const struct yc__env *e, const uint8_t *asset, enum yc_grade g,
                            const uint8_t from[YC_PUBKEY_LEN], const uint8_t to[YC_PUBKEY_LEN],
                            struct yc__border *out);
/* Writes one alert of `kind` for e's transaction under policy p. */
YC_WUR int yc__alert(const struct yc__env *e, const struct yc_policy *p, const char *kind,
                     const uint8_t *account, const uint8_t *asset, uint64_t amount);
/* The alerts of a movement of data: cross_border (if p asks and cross), important_data
 * (if p asks and g is important), deal_amount (if amount > p's threshold). */
YC_WUR int yc__alert_movement(const struct yc__env *e, const struct yc_policy *p, bool cross,
                              enum yc_grade g, const uint8_t *asset, const uint8_t *account,
                              uint64_t amount);
/* After any successful transaction: a watched_account alert if the policy names the
 * sender (ledger.c). */
YC_WUR int yc__alert_watch(const struct yc__env *e);
/* The supply counter: adds to issued / redeemed (token.issue, token.redeem). */
YC_WUR int yc__supply_add(yc_overlay *o, uint64_t issued, uint64_t redeemed);

/* exec_pledge.c */
int yc__exec_pledge_create(const struct yc__env *e);
int yc__exec_pledge_close(const struct yc__env *e); /* release, enforce */
/* YC_OK if asset's hold right is not pledged, YC_EPLEDGED if it is. */
YC_WUR int yc__asset_unpledged(yc_overlay *o, const uint8_t asset[YC_HASH_LEN]);

/* exec_market.c */
int yc__exec_market_list(const struct yc__env *e);
int yc__check_appraiser(const struct yc__env *e);
int yc__exec_market_appraise(const struct yc__env *e);
int yc__exec_market_bid(const struct yc__env *e);
int yc__exec_market_accept(const struct yc__env *e);
int yc__exec_market_cancel(const struct yc__env *e);

/* exec_valset.c */
/* The sender is the organisation account of a validator in force (YC_ENOTAUTH). */
int yc__check_validator_org(const struct yc__env *e);
int yc__exec_validator_propose(const struct yc__env *e);
int yc__exec_validator_approve(const struct yc__env *e);
int yc__exec_validator_withdraw(const struct yc__env *e);

#endif
