/*
 * build_valset.c — the bodies of `validator propose add|remove|replace-key`,
 * `validator approve` and `validator withdraw` (validator-set governance; docs/formats.md,
 * "Validator-set governance"), written through the body schema (yc_tx_body_encode).
 *
 * Syntax is checked here (keys, addresses, ids, the name's length) before anything is
 * signed; who may propose, and whether the change applies to the set, are the ledger's
 * rules, and its verdict names what is wrong.
 */
#include <string.h>

#include "wallet.h"
#include "yc/genesis.h"
#include "yc/txschema.h"

#define TRYX(x)                \
    do {                       \
        int ex_ = (x);         \
        if (ex_ != YC_EXIT_OK) \
            return ex_;        \
    } while (0)

static bool is(const struct wallet_args *a, const char *words)
{
    return strcmp(a->cmd->words, words) == 0;
}

/* Marks the optional field `key` of type t present. */
static void present(enum yc_tx_type t, const char *key, uint64_t *mask)
{
    uint32_t i;
    if (yc_tx_schema_field(yc_tx_schema(t), key, &i) != NULL)
        *mask |= UINT64_C(1) << i;
}

static int build_propose(const struct wallet_args *a, struct yc_buf *body)
{
    const enum yc_tx_type t = YC_TX_VALIDATOR_PROPOSE;
    union yc_tx_body b;
    uint64_t mask = 0;
    struct yc_body_validator_propose *p = &b.validator_propose;

    memset(&b, 0, sizeof b);
    TRYX(wallet_parse_addr(a->pos[0], "validator key", p->pub));
    if (is(a, "validator propose add")) {
        p->action = (struct yc_slice){"add", 3};
        size_t n = strlen(a->val[O_NAME]);
        if (n < 1 || n > YC_VALIDATOR_NAME_MAX) {
            wallet_err("--name: %zu bytes; a validator's name has 1 to %d", n,
                       YC_VALIDATOR_NAME_MAX);
            return YC_EXIT_DATAERR;
        }
        p->name = (struct yc_slice){a->val[O_NAME], n};
        present(t, "name", &mask);
        TRYX(wallet_parse_addr(a->val[O_ORG], "--org", p->org));
        present(t, "org", &mask);
    } else if (is(a, "validator propose remove")) {
        p->action = (struct yc_slice){"remove", 6};
    } else {
        p->action = (struct yc_slice){"replace_key", 11};
        TRYX(wallet_parse_addr(a->val[O_NEW_KEY], "--new-key", p->new_pub));
        present(t, "new_pub", &mask);
    }
    return wallet_body_error(yc_tx_body_encode(body, t, &b, mask), a->cmd->words);
}

bool wallet_build_valset_body(const struct wallet_args *a, enum yc_tx_type *type,
                              struct yc_buf *body, int *ex)
{
    if (is(a, "validator propose add") || is(a, "validator propose remove") ||
        is(a, "validator propose replace-key")) {
        *type = YC_TX_VALIDATOR_PROPOSE;
        *ex = build_propose(a, body);
    } else if (is(a, "validator approve") || is(a, "validator withdraw")) {
        union yc_tx_body b;
        memset(&b, 0, sizeof b);
        *type = is(a, "validator approve") ? YC_TX_VALIDATOR_APPROVE : YC_TX_VALIDATOR_WITHDRAW;
        *ex = wallet_parse_hash(a->pos[0], "proposal id", b.validator_ref.proposal);
        if (*ex == YC_EXIT_OK)
            *ex = wallet_body_error(yc_tx_body_encode(body, *type, &b, 0), a->cmd->words);
    } else {
        return false;
    }
    return true;
}
