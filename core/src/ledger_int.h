/*
 * ledger_int.h — internals shared by the ledger's files (not installed).
 *
 *   tx.c         field readers used by every schema decoder (tx bodies, state objects)
 *   objects.c    syntax checks of codes and jurisdictions, object writers
 *   ledger.c     the execution environment, account helpers, the type dispatch table
 *   exec_*.c     the rules of one group of transaction types each
 *
 * Adding a transaction type: an X entry in tx.h's YC_TX_TYPES, a body decoder in
 * tx.c's BODY table, a handler in an exec_<group>.c declared below, and one line in
 * ledger.c's HANDLERS table.
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
/* Writers for the same shapes. */
void yc__enc_slice(struct yc_enc *e, const struct yc_slice *s);
void yc__enc_list(struct yc_enc *e, const struct yc_list *l);

/* Body decoders of the issue-4 types (tx_body_asset.c), named by tx.c's BODY table. */
#define YC__BODY_DECL(name)                                                                        \
    int name(struct yc_dec *d, uint32_t *left, enum yc_tx_type t, union yc_tx_body *u)
YC__BODY_DECL(yc__body_asset_register);
YC__BODY_DECL(yc__body_asset_object);
YC__BODY_DECL(yc__body_asset_resolve);
YC__BODY_DECL(yc__body_asset_ref); /* certify, retire */
YC__BODY_DECL(yc__body_asset_update);
YC__BODY_DECL(yc__body_right_transfer);
YC__BODY_DECL(yc__body_right_license);
YC__BODY_DECL(yc__body_license_revoke);
YC__BODY_DECL(yc__body_carry_request);
YC__BODY_DECL(yc__body_carry_close); /* complete, reject */
#undef YC__BODY_DECL

/* ---- syntax (objects.c) ---- */

/* [a-z0-9_.:-]{1,64}: categories, purposes, kinds. */
bool yc__is_code(const struct yc_slice *s);
/* [A-Z]{2}(-[A-Z0-9]{1,3})?: CN, CN-CQ, SG. */
bool yc__is_jurisdiction(const struct yc_slice *s);
bool yc__slice_eq(const struct yc_slice *s, const char *cstr);
/* True iff every item is a code and no two items are equal. */
bool yc__is_code_set(const struct yc_list *l);
/* True iff list contains an item equal to s. */
bool yc__list_has(const struct yc_list *l, const struct yc_slice *s);

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

#endif
