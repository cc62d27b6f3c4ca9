/*
 * statediff.h — the differences between a node's stored state and the audit's replayed
 * state, in words (TESTING.md F4).
 *
 * Every key of either side is compared (objects and secondary indexes alike). A
 * difference is told by object and field with both values:
 *
 *   account yc1qx… (alice) balance: stored 10000500, replayed 10000000
 *   consent 3f2a…: revoked_at: stored 0, replayed 15
 *   index consent_subject: entry for consent 3f2a… (subject yc1…) missing from the stored state
 *   account yc1…: in the stored state, never written by the ledger
 *
 * Values are canonical MessagePack maps (core/include/yc/objects.h); a field is rendered
 * by its type (integers in decimal, strings quoted, 33-byte keys as yc1… addresses, other
 * byte strings in hex). The first AUDIT_MAX_DIFFS are kept in the result, all are counted.
 *
 * Thread-safety: one thread.
 */
#ifndef YC_AUDIT_STATEDIFF_H
#define YC_AUDIT_STATEDIFF_H

#include <stddef.h>
#include <stdint.h>

#include "yc/store.h"

#include "memstate.h"
#include "replay.h"

/* Records one difference in res (kept if fewer than AUDIT_MAX_DIFFS are, always counted).
 * Any string may be NULL ("" kept). */
void audit_diff_note(struct audit_result *res, const char *object, const char *field,
                     const char *stored, const char *replayed, const char *text);

/*
 * Compares every state key of `st` with `m`. Returns YC_OK (identical), YC_EDIVERGED
 * (res holds the differences; msg a one-line summary), YC_EIO (reading the store; msg
 * says why) or YC_ENOMEM.
 */
YC_WUR int audit_state_diff(store *st, memstate *m, struct audit_result *res, char *msg,
                            size_t msglen);

/* Renders a state key as words ("account yc1…", "index consent_subject: entry for consent
 * 3f2a… (subject yc1…)"); `val` (may be NULL) is a value of it, for an account's name. */
void audit_key_words(char *out, size_t outlen, const uint8_t *key, size_t klen, const uint8_t *val,
                     size_t vlen);

#endif
