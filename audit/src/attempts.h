/*
 * attempts.h — failed attempts: transactions recorded in a block as failed (DESIGN.md §3),
 * collected while the replay verifies the ledger, for `violations`, `export` and
 * `subject` (docs/audit.md).
 *
 * A failed transaction changed nothing but its sender's nonce, so the state keeps no trace
 * of it: the collector reads each verified block's outcomes, re-executes the block once
 * more on the state before it (only when the block holds a failure) to learn each
 * refusal's words and the consent or license a use relied on as it stood at that moment,
 * and keeps one record per failure. Every outcome is core's (yc_exec_tx_outcome), the
 * same function yc_exec_block ran; the re-execution only adds the words.
 *
 * A failure "matters to a regulator" (it has a `rule`) when it is an attempted use of
 * data outside an authority (usage.record refused: no such consent or license, revoked,
 * expired or not yet valid, outside its purposes, operations or categories, no uses
 * left), an act by a frozen account, or an attempt on core-grade data, the negative list
 * or an export without assessment. Other failures (a transfer beyond the balance, a
 * certification during the notice) have rule NULL: they are exported, not listed.
 *
 * Thread-safety: one collector per thread.
 */
#ifndef YC_AUDIT_ATTEMPTS_H
#define YC_AUDIT_ATTEMPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "yc/block.h"
#include "yc/genesis.h"
#include "yc/hash.h"
#include "yc/keys.h"

#include "memstate.h"

#define AUDIT_ATTEMPTS_MAX 4000000u /* records kept; beyond: YC_ELIMIT */

struct audit_attempt {
    uint64_t height;
    uint32_t index;
    uint64_t time_ms;
    uint8_t id[YC_HASH_LEN];
    enum yc_tx_type type;
    uint8_t sender[YC_PUBKEY_LEN];
    int code;         /* the verdict it failed with */
    const char *rule; /* static; NULL when it does not matter to a regulator */
    char why[256];    /* the refusal's words ("" if none) */
    /* usage.record only */
    const char *authority_kind; /* "consent" | "license" | NULL */
    uint8_t authority[YC_HASH_LEN];
    bool has_subject; /* the consent exists: whose data */
    uint8_t subject[YC_PUBKEY_LEN];
    bool has_asset; /* the license exists: which asset */
    uint8_t asset[YC_HASH_LEN];
    char purpose[64], operation[32], category[64];
};

struct audit_attempts {
    struct audit_attempt *a; /* malloc'ed */
    size_t n, cap;
    bool all; /* keep every failure (export), not only those with a rule */
};

/* The rule a failure of `type` with `code` breaks, or NULL (see above). */
const char *audit_attempt_rule(enum yc_tx_type type, int code);

/*
 * Notes the failures of verified block b; `before` is the state before b (b's writes not
 * yet applied). Returns YC_OK, YC_ENOMEM, YC_ELIMIT, or a local error of re-execution.
 */
YC_WUR int audit_attempts_note(struct audit_attempts *at, const struct yc_genesis *g,
                               const struct yc_block *b, memstate *before);

/* Appends a copy of *a. YC_OK, YC_ENOMEM, YC_ELIMIT (AUDIT_ATTEMPTS_MAX records). */
YC_WUR int audit_attempts_add(struct audit_attempts *at, const struct audit_attempt *a);

/* One record as a JSON object {"rule","code","message","why","height","index","tx","type",
 * "time","sender","authority_kind","authority","subject","asset","purpose","operation",
 * "category"} (height and index as decimal strings, as the node renders a position in the
 * ledger, yc/json.h; absent values null). NULL on ENOMEM. */
json_t *audit_attempt_json(const struct audit_attempt *a);

/* Frees the records; the struct may be reused. */
void audit_attempts_cleanup(struct audit_attempts *at);

#endif
