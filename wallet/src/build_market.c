/*
 * build_market.c — the bodies of `market list|appraise|bid|accept|cancel`,
 * `pledge create|release|enforce`, `policy set`, `export assess` and
 * `credit record|object|resolve|restore` from their parsed options (pure: no I/O beyond
 * messages, no clock but now_ms); and `policy set`, which asks the node for the current
 * policy version when --policy-version is not given.
 *
 * Syntax is checked here (ids, digests, addresses, amounts, times) so that a typo is
 * caught before anything is signed; the rules (roles, grades, the negative list, credit)
 * are the ledger's, and its verdict names what is wrong.
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

#define BID_DEFAULT_LIFE_MS (7ull * 86400000) /* a bid lapses after a week by default */

static bool is(const struct wallet_args *a, const char *words)
{
    return strcmp(a->cmd->words, words) == 0;
}

static const char *opt(const struct wallet_args *a, enum wallet_opt o)
{
    return a->set[o] ? a->val[o] : NULL;
}

/* "ADDR,ADDR,…" into at most YC_POLICY_ACCOUNTS_MAX keys. */
static int parse_addrs(const char *csv, const char *what, uint8_t (*pubs)[YC_PUBKEY_LEN],
                       uint32_t *n)
{
    char buf[YC_POLICY_ACCOUNTS_MAX * (YC_ADDR_MAX + 2) + 1];
    *n = 0;
    if (strlen(csv) >= sizeof buf) {
        wallet_err("%s: at most %d addresses", what, YC_POLICY_ACCOUNTS_MAX);
        return YC_EXIT_DATAERR;
    }
    strcpy(buf, csv);
    for (char *save = NULL, *tok = strtok_r(buf, ", ", &save); tok != NULL;
         tok = strtok_r(NULL, ", ", &save)) {
        if (*n == YC_POLICY_ACCOUNTS_MAX) {
            wallet_err("%s: at most %d addresses", what, YC_POLICY_ACCOUNTS_MAX);
            return YC_EXIT_DATAERR;
        }
        TRYX(wallet_parse_addr(tok, what, pubs[(*n)++]));
    }
    return YC_EXIT_OK;
}

static int build_list(const struct wallet_args *a, uint64_t now_ms, struct yc_buf *body)
{
    struct market_list_args l;
    memset(&l, 0, sizeof l);
    TRYX(wallet_parse_hash(a->pos[0], "asset id", l.asset));
    TRYX(wallet_parse_u64(a->val[O_PRICE], "--price", true, &l.price));
    l.offer = a->val[O_OFFER];
    l.sector = a->set[O_SECTOR] ? a->val[O_SECTOR] : "general";
    bool license = strcmp(l.offer, "license") == 0;
    bool terms = a->set[O_OPERATIONS] || a->set[O_PURPOSES] || a->set[O_VISIBILITY] ||
                 a->set[O_UNTIL] || a->set[O_FEE] || a->set[O_MAX_USES];
    if (!license && terms) {
        wallet_err("--operations, --purposes, --visibility, --until, --fee and --max-uses are "
                   "the terms of a license offer (--offer license)");
        return YC_EXIT_USAGE;
    }
    if (license) {
        if (!a->set[O_OPERATIONS] || !a->set[O_PURPOSES] || !a->set[O_UNTIL]) {
            wallet_err("a license offer needs --operations, --purposes and --until");
            return YC_EXIT_USAGE;
        }
        l.operations = a->val[O_OPERATIONS];
        l.purposes = a->val[O_PURPOSES];
        l.visibility = a->set[O_VISIBILITY] ? a->val[O_VISIBILITY] : "invisible";
        TRYX(wallet_parse_time(a, O_UNTIL, now_ms, &l.until));
        if (a->set[O_FEE])
            TRYX(wallet_parse_u64(a->val[O_FEE], "--fee", false, &l.fee));
        if (a->set[O_MAX_USES])
            TRYX(wallet_parse_u64(a->val[O_MAX_USES], "--max-uses", false, &l.max_uses));
    }
    return wallet_body_error(body_market_list(body, &l), a->cmd->words);
}

static int build_policy(const struct wallet_args *a, struct yc_buf *body)
{
    struct policy_args *p = calloc(1, sizeof *p);
    int ex = YC_EXIT_OK;
    if (p == NULL) {
        wallet_err("out of memory");
        return YC_EXIT_FAIL;
    }
    if (!a->set[O_POLICY_VERSION]) {
        wallet_err("policy set: --policy-version is missing");
        ex = YC_EXIT_USAGE;
    } else {
        ex = wallet_parse_u64(a->val[O_POLICY_VERSION], "--policy-version", true, &p->version);
    }
    p->banned_categories = opt(a, O_BANNED_CATEGORIES);
    p->banned_prefixes = opt(a, O_BANNED_PREFIXES);
    p->banned_jurisdictions = opt(a, O_BANNED_JURISDICTIONS);
    p->add_categories = opt(a, O_ADD_CATEGORIES);
    p->add_purposes = opt(a, O_ADD_PURPOSES);
    p->alert_cross_border = a->set[O_ALERT_CROSS_BORDER];
    p->alert_important = a->set[O_ALERT_IMPORTANT];
    if (ex == YC_EXIT_OK && a->set[O_BANNED_ACCOUNTS])
        ex = parse_addrs(a->val[O_BANNED_ACCOUNTS], "--banned-accounts", p->banned, &p->nbanned);
    if (ex == YC_EXIT_OK && a->set[O_ALERT_ACCOUNTS])
        ex = parse_addrs(a->val[O_ALERT_ACCOUNTS], "--alert-accounts", p->alert, &p->nalert);
    if (ex == YC_EXIT_OK && a->set[O_ALERT_AMOUNT])
        ex = wallet_parse_u64(a->val[O_ALERT_AMOUNT], "--alert-amount", true, &p->alert_amount);
    if (ex == YC_EXIT_OK)
        ex = wallet_body_error(body_policy_set(body, p), a->cmd->words);
    free(p);
    return ex;
}

static int build_credit(const struct wallet_args *a, enum yc_tx_type t, struct yc_buf *body)
{
    uint8_t id[YC_HASH_LEN], ev[YC_HASH_LEN];
    if (t == YC_TX_CREDIT_RECORD) {
        uint8_t account[YC_PUBKEY_LEN];
        TRYX(wallet_parse_addr(a->pos[0], "account", account));
        TRYX(wallet_parse_hash(a->val[O_EVIDENCE], "--evidence", ev));
        return wallet_body_error(
            body_credit_record(body, account, ev, a->val[O_REASON], a->val[O_SEVERITY]),
            a->cmd->words);
    }
    TRYX(wallet_parse_hash(a->pos[0], "credit record id", id));
    if (t == YC_TX_CREDIT_OBJECT)
        TRYX(wallet_parse_hash(a->val[O_EVIDENCE], "--evidence", ev));
    return wallet_body_error(body_credit_ref(body, t, id, t == YC_TX_CREDIT_OBJECT ? ev : NULL,
                                             opt(a, O_REASON), opt(a, O_OUTCOME), opt(a, O_NOTE)),
                             a->cmd->words);
}

bool wallet_build_market_body(const struct wallet_args *a, uint64_t now_ms, enum yc_tx_type *type,
                              struct yc_buf *body, int *ex)
{
    uint8_t id[YC_HASH_LEN], d[YC_HASH_LEN], pub[YC_PUBKEY_LEN];
    uint64_t v, t;

    if (is(a, "market list")) {
        *type = YC_TX_MARKET_LIST;
        *ex = build_list(a, now_ms, body);
    } else if (is(a, "market appraise")) {
        *type = YC_TX_MARKET_APPRAISE;
        *ex = wallet_parse_hash(a->pos[0], "listing id", id);
        if (*ex == YC_EXIT_OK)
            *ex = wallet_parse_hash(a->val[O_REPORT], "--report", d);
        if (*ex == YC_EXIT_OK)
            *ex = wallet_parse_u64(a->val[O_VALUE], "--value", true, &v);
        if (*ex == YC_EXIT_OK)
            *ex = wallet_body_error(body_market_appraise(body, id, a->val[O_METHOD], d, v),
                                    a->cmd->words);
    } else if (is(a, "market bid")) {
        *type = YC_TX_MARKET_BID;
        t = now_ms + BID_DEFAULT_LIFE_MS;
        *ex = wallet_parse_hash(a->pos[0], "listing id", id);
        if (*ex == YC_EXIT_OK)
            *ex = wallet_parse_u64(a->val[O_PRICE], "--price", true, &v);
        if (*ex == YC_EXIT_OK && a->set[O_EXPIRES])
            *ex = wallet_parse_time(a, O_EXPIRES, now_ms, &t);
        if (*ex == YC_EXIT_OK)
            *ex = wallet_body_error(body_market_bid(body, id, v, t), a->cmd->words);
    } else if (is(a, "market accept")) {
        *type = YC_TX_MARKET_ACCEPT;
        *ex = wallet_parse_hash(a->pos[0], "bid id", id);
        if (*ex == YC_EXIT_OK)
            *ex = wallet_body_error(body_one_id(body, "bid", id), a->cmd->words);
    } else if (is(a, "market cancel")) {
        *type = YC_TX_MARKET_CANCEL;
        if (a->set[O_BID] == a->set[O_LISTING]) {
            wallet_err("market cancel: give exactly one of --bid ID or --listing ID");
            *ex = YC_EXIT_USAGE;
            return true;
        }
        bool bid = a->set[O_BID];
        *ex = wallet_parse_hash(a->val[bid ? O_BID : O_LISTING], bid ? "--bid" : "--listing", id);
        if (*ex == YC_EXIT_OK)
            *ex = wallet_body_error(body_one_id(body, bid ? "bid" : "listing", id), a->cmd->words);
    } else if (is(a, "pledge create")) {
        *type = YC_TX_PLEDGE_CREATE;
        *ex = wallet_parse_hash(a->pos[0], "asset id", id);
        if (*ex == YC_EXIT_OK)
            *ex = wallet_parse_addr(a->val[O_TO], "--to", pub);
        if (*ex == YC_EXIT_OK)
            *ex = wallet_parse_u64(a->val[O_AMOUNT], "--amount", true, &v);
        if (*ex == YC_EXIT_OK)
            *ex = wallet_parse_time(a, O_DUE, now_ms, &t);
        if (*ex == YC_EXIT_OK)
            *ex = wallet_body_error(body_pledge_create(body, id, pub, v, t), a->cmd->words);
    } else if (is(a, "pledge release") || is(a, "pledge enforce")) {
        *type = is(a, "pledge release") ? YC_TX_PLEDGE_RELEASE : YC_TX_PLEDGE_ENFORCE;
        *ex = wallet_parse_hash(a->pos[0], "pledge id", id);
        if (*ex == YC_EXIT_OK)
            *ex = wallet_body_error(body_one_id(body, "pledge", id), a->cmd->words);
    } else if (is(a, "policy set")) {
        *type = YC_TX_POLICY_SET;
        *ex = build_policy(a, body);
    } else if (is(a, "export assess")) {
        *type = YC_TX_EXPORT_ASSESS;
        t = 0;
        *ex = wallet_parse_hash(a->pos[0], "asset id", id);
        if (*ex == YC_EXIT_OK)
            *ex = wallet_parse_hash(a->val[O_REPORT], "--report", d);
        if (*ex == YC_EXIT_OK && a->set[O_UNTIL])
            *ex = wallet_parse_time(a, O_UNTIL, now_ms, &t);
        if (*ex == YC_EXIT_OK && t == 0 && strcmp(a->val[O_OUTCOME], "approved") == 0) {
            wallet_err("export assess: an approval needs --until TIME");
            *ex = YC_EXIT_USAGE;
        }
        if (*ex == YC_EXIT_OK)
            *ex = wallet_body_error(
                body_export_assess(body, id, a->val[O_DESTINATION], a->val[O_OUTCOME], d, t),
                a->cmd->words);
    } else if (is(a, "credit record")) {
        *type = YC_TX_CREDIT_RECORD;
        *ex = build_credit(a, *type, body);
    } else if (is(a, "credit object")) {
        *type = YC_TX_CREDIT_OBJECT;
        *ex = build_credit(a, *type, body);
    } else if (is(a, "credit resolve")) {
        *type = YC_TX_CREDIT_RESOLVE;
        *ex = build_credit(a, *type, body);
    } else if (is(a, "credit restore")) {
        *type = YC_TX_CREDIT_RESTORE;
        *ex = build_credit(a, *type, body);
    } else {
        return false;
    }
    return true;
}

int cmd_policy_set(struct wallet *w, const struct wallet_args *a)
{
    if (a->set[O_POLICY_VERSION])
        return cmd_build(w, a);
    json_t *res = NULL;
    int ex = wallet_rpc(w, "policy", json_object(), 0, &res, NULL);
    if (ex != YC_EXIT_OK)
        return ex;
    uint64_t cur = 0;
    const char *vs = json_string_value(json_object_get(res, "version"));
    if (vs == NULL || yc_parse_u64(vs, &cur) != YC_OK || cur == UINT64_MAX) {
        json_decref(res);
        wallet_err("the node's `policy` answer has no usable version");
        return YC_EXIT_DATAERR;
    }
    json_decref(res);
    char next[24];
    snprintf(next, sizeof next, "%llu", (unsigned long long)(cur + 1));
    struct wallet_args copy = *a;
    copy.set[O_POLICY_VERSION] = true;
    copy.val[O_POLICY_VERSION] = next;
    return cmd_build(w, &copy);
}
