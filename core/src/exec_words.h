/*
 * exec_words.h — the words of a refusal (not installed): the checks the exec_*.c rules
 * share that refuse with a sentence naming the field, what was given and what is
 * allowed, through yc__refuse (ledger_int.h). The code returned is always the rule's
 * stable code; the words are for people and are written only when the caller asked for
 * them (yc_exec_ctx.why), so the checks cost nothing extra on the path that passes.
 *
 *   exec_words.c     formatting (ids, addresses, times), enumerations, codes and the
 *                    chain's code lists, accounts, balances, assets
 *   exec_supervise.c yc__neglist_why (the negative list with the item it bans)
 */
#ifndef YC_EXEC_WORDS_H
#define YC_EXEC_WORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger_int.h"
#include "yc/bech32.h"
#include "yc/enums.h"
#include "yc/market.h"

/* Room for a 32-byte id or 33-byte key in hex and its NUL. */
#define YC__HEX_MAX (2 * YC_PUBKEY_LEN + 1)

/* True iff e's caller wants the words of a refusal. */
bool yc__wants_why(const struct yc__env *e);
/* Lowercase hex of p[0..n) (n <= 33) into out. */
void yc__hex(char out[YC__HEX_MAX], const uint8_t *p, size_t n);
/* The yc1… address of a key (its hex if it is not a BIP-340 key). */
void yc__addr(char out[YC_ADDR_MAX], const uint8_t pub[YC_PUBKEY_LEN]);
/* Text of a slice for messages: at most 64 bytes, non-printable bytes as '?'. */
void yc__shown(char out[YC_CODE_MAX + 1], const struct yc_slice *s);

/* ---- values ---- */

/* s is a value of enumeration id: YC_OK, or YC_EBADFIELD with "FIELD: 'x' is not one of …". */
YC_WUR int yc__need_enum(const struct yc__env *e, const char *field, enum yc_enum_id id,
                         const struct yc_slice *s);
/* The same, refusing with `code` (YC_EBADROLE for a role). */
YC_WUR int yc__need_enum_code(const struct yc__env *e, int code, const char *field,
                              enum yc_enum_id id, const struct yc_slice *s);
/* l is a non-empty set of values of id (each once): YC_OK or YC_EBADFIELD with words. */
YC_WUR int yc__need_enum_set(const struct yc__env *e, const char *field, enum yc_enum_id id,
                             const struct yc_list *l);
/* s is a code ([a-z0-9_.:-]{1,64}): YC_OK or YC_EBADFIELD with words (and the lowercase
 * form suggested when that is a code). */
YC_WUR int yc__need_code(const struct yc__env *e, const char *field, const struct yc_slice *s);
/* l is a set of codes, non-empty when `nonempty`: YC_OK or YC_EBADFIELD with words. */
YC_WUR int yc__need_code_set(const struct yc__env *e, const char *field, const struct yc_list *l,
                             bool nonempty);
/* s is a jurisdiction (CN, CN-CQ, SG): YC_OK or YC_EBADFIELD with words. */
YC_WUR int yc__need_jurisdiction(const struct yc__env *e, const char *field,
                                 const struct yc_slice *s);
/* A display name or title of 1..YC_NAME_MAX bytes: YC_OK or YC_EBADFIELD with words. */
YC_WUR int yc__need_name(const struct yc__env *e, const char *field, const struct yc_slice *s);
/* A time window: until > not_before and until > block time; YC_OK or YC_EBADTIME naming
 * both times. */
YC_WUR int yc__need_window(const struct yc__env *e, const char *field, uint64_t not_before,
                           uint64_t until);

/* The items of l as "a, b, c" (clipped to fit) into out. */
void yc__list_text(char *out, size_t outlen, const struct yc_list *l);
/* s is an item of `allowed`: YC_OK, or `code` with "FIELD: 'x' is not covered by WHOSE,
 * which allows a, b; did you mean a?" (whose: "consent <hex>", "license <hex>"). */
YC_WUR int yc__need_in(const struct yc__env *e, int code, const char *field,
                       const struct yc_slice *s, const struct yc_list *allowed, const char *whose);

/* ---- the chain's code lists ---- */

/*
 * Every code of s (a category or purpose code, syntax already checked) is a code of the
 * chain's list of kind k: genesis's list, or a refinement of one of its codes, or a code
 * policy.set added. YC_OK, YC_EUNKNOWNCODE with "FIELD: 'heath' is not a known category;
 * did you mean health?", or a local failure.
 */
YC_WUR int yc__need_known(const struct yc__env *e, enum yc_code_kind k, const char *field,
                          const struct yc_slice *s);
YC_WUR int yc__need_known_set(const struct yc__env *e, enum yc_code_kind k, const char *field,
                              const struct yc_list *l);
/* True iff code s is in the chain's list of kind k under genesis g and policy p (p NULL:
 * genesis only). */
bool yc__code_known(const struct yc_genesis *g, const struct yc_policy *p, enum yc_code_kind k,
                    const struct yc_slice *s);

/* ---- accounts, money, assets ---- */

/* pub is registered: YC_OK, YC_EUNKNOWNACCT ("FIELD: account yc1… is not registered"), or
 * a local failure. */
YC_WUR int yc__need_account(const struct yc__env *e, const char *field,
                            const uint8_t pub[YC_PUBKEY_LEN]);
/* yc__acct_active with words: FIELD names whose account (sender, buyer, …). */
YC_WUR int yc__need_active(const struct yc__env *e, const char *field,
                           const uint8_t pub[YC_PUBKEY_LEN], enum yc_role *role);
/* Moves `amount` out of pub's balance (yc__acct_debit) with words on YC_EBALANCE:
 * "FIELD: 5000 fen exceeds the balance 1200 fen of yc1…". */
YC_WUR int yc__debit(const struct yc__env *e, const char *field, const uint8_t pub[YC_PUBKEY_LEN],
                     uint64_t amount);
/* yc__acct_credit with words on YC_EOVERFLOW / YC_EUNKNOWNACCT. */
YC_WUR int yc__credit(const struct yc__env *e, const char *field, const uint8_t pub[YC_PUBKEY_LEN],
                      uint64_t amount);
/* yc__asset_load with words on YC_EUNKNOWNASSET ("FIELD: no such asset <hex>"). */
YC_WUR int yc__load_asset(const struct yc__env *e, const char *field, const uint8_t id[YC_HASH_LEN],
                          struct yc_asset *a);
/* yc__sender_holds with words on YC_ENOTAUTH (who holds the right instead). */
YC_WUR int yc__need_holder(const struct yc__env *e, const uint8_t id[YC_HASH_LEN], enum yc_right r,
                           uint8_t holder[YC_PUBKEY_LEN]);
/* yc__asset_tradable with words (void, retired, not certified: since when, until when). */
YC_WUR int yc__need_tradable(const struct yc__env *e, const uint8_t id[YC_HASH_LEN],
                             const struct yc_asset *a);
/* yc__asset_unpledged with words. */
YC_WUR int yc__need_unpledged(const struct yc__env *e, const uint8_t id[YC_HASH_LEN]);
/* A role check of type rules: YC_ENOTAUTH with "sender: a ROLE may not send TYPE; WHO". */
YC_WUR int yc__refuse_role(const struct yc__env *e, const char *who);

/* YC_EUNKNOWNCONSENT with "FIELD <hex>: no such consent" (exec_consent.c). */
int yc__refuse_consent(const struct yc__env *e, const char *field, const uint8_t id[YC_HASH_LEN]);

/* ---- supervision (exec_supervise.c) ---- */

/* yc__neglist_check with words naming the banned item and the policy version. */
YC_WUR int yc__neglist_why(const struct yc__env *e, const struct yc_policy *p,
                           const struct yc_asset *a, const struct yc_list *categories,
                           const uint8_t *const *parties, size_t nparties,
                           const struct yc_slice *dest);

#endif
