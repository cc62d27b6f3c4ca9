/*
 * build_asset.c — the bodies of `asset register|object|resolve|certify|update|retire|
 * transfer|license`, `license revoke` and `carry request|complete|reject` from their
 * parsed options (pure: no I/O beyond messages, no clock but now_ms).
 *
 * Syntax is checked here (ids, digests, addresses, lists, times) so that a typo is
 * caught before anything is signed; the rules (roles, shares, grades, notice) are the
 * ledger's, and its verdict names what is wrong.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "body.h"
#include "wallet.h"

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

/* "ID,ID,…" into ids (at most YC_PARENTS_MAX). */
static int parse_ids(const char *csv, const char *what, uint8_t (*ids)[YC_HASH_LEN], uint32_t *n)
{
    char buf[YC_PARENTS_MAX * (2 * YC_HASH_LEN + 2) + 1];
    *n = 0;
    if (strlen(csv) >= sizeof buf) {
        wallet_err("%s: at most %d ids", what, YC_PARENTS_MAX);
        return YC_EXIT_DATAERR;
    }
    strcpy(buf, csv);
    for (char *save = NULL, *tok = strtok_r(buf, ", ", &save); tok != NULL;
         tok = strtok_r(NULL, ", ", &save)) {
        if (*n == YC_PARENTS_MAX) {
            wallet_err("%s: at most %d ids", what, YC_PARENTS_MAX);
            return YC_EXIT_DATAERR;
        }
        TRYX(wallet_parse_hash(tok, what, ids[(*n)++]));
    }
    return YC_EXIT_OK;
}

/* "ADDR:BPS,…" into contributors. */
static int parse_contributors(const char *csv, struct asset_register_args *r)
{
    char buf[YC_CONTRIBUTORS_MAX * (YC_ADDR_MAX + 8)];
    r->ncontributors = 0;
    if (strlen(csv) >= sizeof buf) {
        wallet_err("--contributors: at most %d entries", YC_CONTRIBUTORS_MAX);
        return YC_EXIT_DATAERR;
    }
    strcpy(buf, csv);
    for (char *save = NULL, *tok = strtok_r(buf, ", ", &save); tok != NULL;
         tok = strtok_r(NULL, ", ", &save)) {
        char *colon = strrchr(tok, ':');
        if (colon == NULL) {
            wallet_err("--contributors: '%s' is not ADDRESS:BPS", tok);
            return YC_EXIT_DATAERR;
        }
        if (r->ncontributors == YC_CONTRIBUTORS_MAX) {
            wallet_err("--contributors: at most %d entries", YC_CONTRIBUTORS_MAX);
            return YC_EXIT_DATAERR;
        }
        *colon = '\0';
        struct yc_contributor *c = &r->contributors[r->ncontributors++];
        TRYX(wallet_parse_addr(tok, "--contributors", c->pub));
        TRYX(wallet_parse_u64(colon + 1, "--contributors share", false, &c->bps));
    }
    return YC_EXIT_OK;
}

static int build_register(const struct wallet_args *a, const uint8_t sender[YC_PUBKEY_LEN],
                          struct yc_buf *body)
{
    struct asset_register_args *r = calloc(1, sizeof *r);
    uint8_t usage[YC_HASH_LEN];
    int ex = YC_EXIT_OK;
    if (r == NULL) {
        wallet_err("out of memory");
        return YC_EXIT_FAIL;
    }
    r->title = a->val[O_TITLE];
    r->catalog = a->val[O_CATALOG];
    r->source = a->val[O_SOURCE];
    r->grade = a->val[O_GRADE];
    r->openness = a->set[O_OPENNESS] ? a->val[O_OPENNESS] : "conditional";
    r->sector = a->val[O_SECTOR];
    ex = wallet_parse_hash(a->val[O_DIGEST], "--digest", r->digest);
    if (ex == YC_EXIT_OK && a->set[O_PARENTS])
        ex = parse_ids(a->val[O_PARENTS], "--parents", r->parents, &r->nparents);
    if (ex == YC_EXIT_OK && a->set[O_CONTRIBUTORS]) {
        ex = parse_contributors(a->val[O_CONTRIBUTORS], r);
    } else if (ex == YC_EXIT_OK) {
        r->ncontributors = 1;
        memcpy(r->contributors[0].pub, sender, YC_PUBKEY_LEN);
        r->contributors[0].bps = YC_SHARES_TOTAL;
    }
    if (ex == YC_EXIT_OK && a->set[O_USAGE]) {
        ex = wallet_parse_hash(a->val[O_USAGE], "--usage", usage);
        r->usage = usage;
    }
    if (ex == YC_EXIT_OK)
        ex = wallet_body_error(body_asset_register(body, r), a->cmd->words);
    free(r);
    return ex;
}

static int build_update(const struct wallet_args *a, struct yc_buf *body)
{
    struct asset_update_args *u = calloc(1, sizeof *u);
    if (u == NULL) {
        wallet_err("out of memory");
        return YC_EXIT_FAIL;
    }
    int ex = wallet_parse_hash(a->pos[0], "asset id", u->asset);
    if (ex == YC_EXIT_OK)
        ex = wallet_parse_hash(a->val[O_DIGEST], "--digest", u->digest);
    if (ex == YC_EXIT_OK && a->set[O_PARENTS]) {
        u->has_parents = true;
        ex = parse_ids(a->val[O_PARENTS], "--parents", u->parents, &u->nparents);
    }
    u->note = a->set[O_NOTE] ? a->val[O_NOTE] : NULL;
    u->title = a->set[O_TITLE] ? a->val[O_TITLE] : NULL;
    if (ex == YC_EXIT_OK)
        ex = wallet_body_error(body_asset_update(body, u), a->cmd->words);
    free(u);
    return ex;
}

static int build_license(const struct wallet_args *a, uint64_t now_ms, struct yc_buf *body)
{
    struct right_license_args l;
    memset(&l, 0, sizeof l);
    TRYX(wallet_parse_hash(a->pos[0], "asset id", l.asset));
    TRYX(wallet_parse_addr(a->val[O_TO], "--to", l.licensee));
    l.purposes = a->val[O_PURPOSES];
    l.operations = a->val[O_OPERATIONS];
    l.visibility = a->set[O_VISIBILITY] ? a->val[O_VISIBILITY] : "invisible";
    TRYX(wallet_parse_time(a, O_UNTIL, now_ms, &l.until));
    if (a->set[O_NOT_BEFORE])
        TRYX(wallet_parse_time(a, O_NOT_BEFORE, now_ms, &l.not_before));
    if (l.until <= l.not_before) {
        wallet_err("--until must be later than --not-before");
        return YC_EXIT_DATAERR;
    }
    if (a->set[O_FEE])
        TRYX(wallet_parse_u64(a->val[O_FEE], "--fee", false, &l.fee));
    if (a->set[O_MAX_USES])
        TRYX(wallet_parse_u64(a->val[O_MAX_USES], "--max-uses", false, &l.max_uses));
    return wallet_body_error(body_right_license(body, &l), a->cmd->words);
}

/* Commands whose only positional is an id and whose body needs little else. */
static int build_by_id(const struct wallet_args *a, enum yc_tx_type t, struct yc_buf *body)
{
    uint8_t id[YC_HASH_LEN], d[YC_HASH_LEN], to[YC_PUBKEY_LEN];
    const char *reason = a->set[O_REASON] ? a->val[O_REASON] : NULL;
    TRYX(wallet_parse_hash(a->pos[0],
                           t == YC_TX_ASSET_RESOLVE                               ? "objection id"
                           : t == YC_TX_LICENSE_REVOKE                            ? "license id"
                           : t == YC_TX_CARRY_COMPLETE || t == YC_TX_CARRY_REJECT ? "carry id"
                                                                                  : "asset id",
                           id));
    switch (t) {
    case YC_TX_ASSET_OBJECT:
        TRYX(wallet_parse_hash(a->val[O_EVIDENCE], "--evidence", d));
        return wallet_body_error(body_asset_object(body, id, d, reason), a->cmd->words);
    case YC_TX_ASSET_RESOLVE:
        return wallet_body_error(
            body_asset_resolve(body, id, a->val[O_OUTCOME], a->set[O_NOTE] ? a->val[O_NOTE] : NULL),
            a->cmd->words);
    case YC_TX_ASSET_CERTIFY:
        return wallet_body_error(body_asset_ref(body, id, NULL), a->cmd->words);
    case YC_TX_ASSET_RETIRE:
        return wallet_body_error(body_asset_ref(body, id, reason), a->cmd->words);
    case YC_TX_RIGHT_TRANSFER:
        TRYX(wallet_parse_addr(a->val[O_TO], "--to", to));
        return wallet_body_error(body_right_transfer(body, id, a->val[O_RIGHT], to), a->cmd->words);
    case YC_TX_LICENSE_REVOKE:
        return wallet_body_error(body_license_revoke(body, id), a->cmd->words);
    case YC_TX_CARRY_COMPLETE:
        TRYX(wallet_parse_hash(a->val[O_PACKAGE], "--package", d));
        return wallet_body_error(body_carry_complete(body, id, d), a->cmd->words);
    case YC_TX_CARRY_REJECT:
        return wallet_body_error(body_carry_reject(body, id, reason), a->cmd->words);
    default:
        return YC_EXIT_USAGE;
    }
}

bool wallet_build_asset_body(const struct wallet_args *a, const uint8_t sender[YC_PUBKEY_LEN],
                             uint64_t now_ms, enum yc_tx_type *type, struct yc_buf *body, int *ex)
{
    static const struct {
        const char *words;
        enum yc_tx_type type;
    } by_id[] = {
        {"asset object", YC_TX_ASSET_OBJECT},     {"asset resolve", YC_TX_ASSET_RESOLVE},
        {"asset certify", YC_TX_ASSET_CERTIFY},   {"asset retire", YC_TX_ASSET_RETIRE},
        {"asset transfer", YC_TX_RIGHT_TRANSFER}, {"license revoke", YC_TX_LICENSE_REVOKE},
        {"carry complete", YC_TX_CARRY_COMPLETE}, {"carry reject", YC_TX_CARRY_REJECT},
    };
    for (size_t i = 0; i < sizeof by_id / sizeof by_id[0]; i++) {
        if (is(a, by_id[i].words)) {
            *type = by_id[i].type;
            *ex = build_by_id(a, *type, body);
            return true;
        }
    }
    if (is(a, "asset register")) {
        *type = YC_TX_ASSET_REGISTER;
        *ex = build_register(a, sender, body);
    } else if (is(a, "asset update")) {
        *type = YC_TX_ASSET_UPDATE;
        *ex = build_update(a, body);
    } else if (is(a, "asset license")) {
        *type = YC_TX_RIGHT_LICENSE;
        *ex = build_license(a, now_ms, body);
    } else if (is(a, "carry request")) {
        uint8_t holder[YC_PUBKEY_LEN], to[YC_PUBKEY_LEN], asset[YC_HASH_LEN];
        *type = YC_TX_CARRY_REQUEST;
        *ex = wallet_parse_addr(a->val[O_HOLDER], "--holder", holder);
        if (*ex == YC_EXIT_OK)
            *ex = wallet_parse_addr(a->val[O_TO], "--to", to);
        if (*ex == YC_EXIT_OK && a->set[O_ASSET])
            *ex = wallet_parse_hash(a->val[O_ASSET], "--asset", asset);
        if (*ex == YC_EXIT_OK)
            *ex = wallet_body_error(body_carry_request(body, a->val[O_CATEGORIES], holder, to,
                                                       a->set[O_ASSET] ? asset : NULL),
                                    a->cmd->words);
    } else {
        return false;
    }
    return true;
}
