/*
 * names.h — accounts as people read them in the audit's reports: the registered name,
 * from the replayed (verified) state, beside the address.
 *
 * JSON keeps the whole address under its key and adds "<key>_name" (the name, "" when the
 * account has none or is not registered); text shows "Name (yc1abcdefg…uvwxyz)", or the
 * whole address when there is no name. Names are ledger data: control characters are
 * escaped by JSON and shown as '?' in text (yc_text_for_terminal).
 */
#ifndef YC_AUDIT_NAMES_H
#define YC_AUDIT_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "yc/state.h"
#include "yc/tx.h"

#define AUDIT_WHO_MAX (YC_NAME_MAX + 48)

/* The registered name of account pub in the verified state st into out (cap bytes): "" if
 * none. */
void audit_account_name(const struct yc_state_src *st, const uint8_t pub[YC_PUBKEY_LEN], char *out,
                        size_t cap);

/* The addresses and names of the accounts a long run of rows names (export), each
 * encoded and read once: a cache by the exact 33 key bytes over the verified state st. */
struct audit_namer;
/* NULL on ENOMEM. */
struct audit_namer *audit_namer_create(const struct yc_state_src *st);
void audit_namer_destroy(struct audit_namer *n);
/* pub's yc1 address and its audit_account_name, through the cache; both strings stay valid
 * until the next call. */
void audit_namer_get(struct audit_namer *n, const uint8_t pub[YC_PUBKEY_LEN], const char **addr,
                     const char **name);

/* For every object of array arr and each key of keys (NULL-terminated) holding a yc1
 * address, adds "<key>_name". */
void audit_add_names(json_t *arr, const struct yc_state_src *st, const char *const *keys);

/* "Name (yc1abcdefg…uvwxyz)" from o's address under key and its "<key>_name"; the
 * address alone without a name; "" when o has no address there. Returns out. */
const char *audit_who(json_t *o, const char *key, char out[AUDIT_WHO_MAX]);

#endif
