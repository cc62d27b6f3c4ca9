/*
 * txcmd.c — the body of every command that builds a transaction, through the body schema
 * (yc/txschema.h). Pure: no I/O beyond messages, no clock but now_ms.
 *
 * A command names its transaction type (WALLET_CMDS' `type`). Each field of that type's
 * schema is given by the option named like its key, '_' read as '-' (not_before from
 * --not-before); a BINDINGS row lists only what differs from that rule: a field given by
 * the command's positional argument or by an option of another name, a default, a
 * field the command leaves out or fixes (validator propose add|remove|replace-key build one
 * type, each with its own row), an integer that must be positive. The value is parsed
 * by the field's kind (text, integer or time, flag, id, digest, address, list) and
 * checked against the field's limits, naming the option and what it allows; the
 * schema's rule across fields is checked with the options' names; the core's encoder
 * (yc_tx_body_encode) writes the canonical body. The options a command takes, which of
 * them it needs, their allowed values and the defaults that --help shows come from the
 * same place.
 *
 * The rules that give a refusal its protocol code (roles, shares, grades, notice) are the
 * ledger's, and its verdict names what is wrong; a few rules across options that would
 * otherwise only be refused by the ledger are checked here (CHECKS) so that a typo is
 * caught before anything is signed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wallet.h"
#include "yc/codec.h"
#include "yc/txschema.h"

#define BID_DEFAULT_LIFE "+7d" /* a bid lapses after a week by default */

#define BY_KEY 0  /* the option named like the key */
#define POS (-1)  /* the command's positional argument */
#define NONE (-2) /* not offered: the field is left out, or is `def` whatever is typed */

enum {
    F_POSITIVE = 1, /* an integer > 0 */
    F_REQUIRED = 2, /* needed on the command line although optional in the body */
    F_ZERO = 4,     /* optional on the command line although required in the body: 0 */
    F_SENDER = 8,   /* absent: the sender (a text: its key's name; shares: all its own) */
    F_FILLED = 16,  /* required in the body but filled in by the command (policy set) */
};

struct bind {
    const char *key; /* the field */
    int opt;         /* BY_KEY, POS, NONE or an enum wallet_opt */
    const char *def; /* absent: this value, as if typed (POS: the argument's name in
                      * messages, else "<key> id" for an id and the key otherwise) */
    unsigned flags;
};

#define BINDS_MAX 6

struct binding {
    enum yc_tx_type type;
    const char *words; /* the command, when several build the type; NULL: all of them */
    struct bind b[BINDS_MAX];
};

/* What differs from "the option named like the key, required iff the field is". */
static const struct binding BINDINGS[] = {
    {YC_TX_ACCOUNT_REGISTER,
     NULL,
     {{"account", O_FOR, NULL, 0},
      {"jurisdiction", BY_KEY, WALLET_DEFAULT_JURISDICTION, 0},
      {"name", BY_KEY, NULL, F_SENDER},
      {"role", BY_KEY, "individual", 0}}},
    {YC_TX_ACCOUNT_UPDATE, NULL, {{"account", O_FOR, NULL, 0}}},
    {YC_TX_TOKEN_ISSUE,
     NULL,
     {{"amount", BY_KEY, NULL, F_POSITIVE}, {"to", BY_KEY, NULL, F_REQUIRED}}},
    {YC_TX_TOKEN_TRANSFER,
     NULL,
     {{"amount", BY_KEY, NULL, F_POSITIVE}, {"to", BY_KEY, NULL, F_REQUIRED}}},
    {YC_TX_TOKEN_REDEEM, NULL, {{"amount", BY_KEY, NULL, F_POSITIVE}, {"to", NONE, NULL, 0}}},
    {YC_TX_CONSENT_GRANT,
     NULL,
     {{"jurisdiction", BY_KEY, WALLET_DEFAULT_JURISDICTION, 0}, {"processor", O_TO, NULL, 0}}},
    {YC_TX_CONSENT_REVOKE, NULL, {{"consent", POS, NULL, 0}}},
    {YC_TX_CARRY_REQUEST, NULL, {{"recipient", O_TO, NULL, 0}}},
    {YC_TX_CARRY_COMPLETE, NULL, {{"carry", POS, NULL, 0}}},
    {YC_TX_CARRY_REJECT, NULL, {{"carry", POS, NULL, 0}}},
    {YC_TX_ASSET_REGISTER,
     NULL,
     {{"contributors", BY_KEY, NULL, F_SENDER}, {"openness", BY_KEY, "conditional", 0}}},
    {YC_TX_ASSET_OBJECT, NULL, {{"asset", POS, NULL, 0}}},
    {YC_TX_ASSET_RESOLVE, NULL, {{"objection", POS, NULL, 0}}},
    {YC_TX_ASSET_CERTIFY, NULL, {{"asset", POS, NULL, 0}}},
    {YC_TX_ASSET_UPDATE, NULL, {{"asset", POS, NULL, 0}}},
    {YC_TX_ASSET_RETIRE, NULL, {{"asset", POS, NULL, 0}}},
    {YC_TX_RIGHT_TRANSFER, NULL, {{"asset", POS, NULL, 0}}},
    {YC_TX_RIGHT_LICENSE,
     NULL,
     {{"asset", POS, NULL, 0},
      {"licensee", O_TO, NULL, 0},
      {"visibility", BY_KEY, "invisible", 0}}},
    {YC_TX_LICENSE_REVOKE, NULL, {{"license", POS, NULL, 0}}},
    {YC_TX_MARKET_LIST,
     NULL,
     {{"asset", POS, NULL, 0},
      {"price", BY_KEY, NULL, F_POSITIVE},
      {"sector", BY_KEY, "general", 0}}},
    {YC_TX_MARKET_APPRAISE, NULL, {{"listing", POS, NULL, 0}, {"value", BY_KEY, NULL, F_POSITIVE}}},
    {YC_TX_MARKET_BID,
     NULL,
     {{"expires", BY_KEY, BID_DEFAULT_LIFE, 0},
      {"listing", POS, NULL, 0},
      {"price", BY_KEY, NULL, F_POSITIVE}}},
    {YC_TX_MARKET_ACCEPT, NULL, {{"bid", POS, NULL, 0}}},
    {YC_TX_PLEDGE_CREATE,
     NULL,
     {{"amount", BY_KEY, NULL, F_POSITIVE}, {"asset", POS, NULL, 0}, {"pledgee", O_TO, NULL, 0}}},
    {YC_TX_PLEDGE_RELEASE, NULL, {{"pledge", POS, NULL, 0}}},
    {YC_TX_PLEDGE_ENFORCE, NULL, {{"pledge", POS, NULL, 0}}},
    {YC_TX_POLICY_SET,
     NULL,
     {{"alert_amount", BY_KEY, NULL, F_POSITIVE},
      {"banned_catalog_prefixes", O_BANNED_PREFIXES, NULL, 0},
      {"categories", O_ADD_CATEGORIES, NULL, 0},
      {"purposes", O_ADD_PURPOSES, NULL, 0},
      {"version", O_POLICY_VERSION, NULL, F_POSITIVE | F_FILLED}}},
    {YC_TX_EXPORT_ASSESS, NULL, {{"asset", POS, NULL, 0}, {"until", BY_KEY, NULL, F_ZERO}}},
    {YC_TX_CREDIT_RECORD, NULL, {{"account", POS, "account", 0}}},
    {YC_TX_CREDIT_RESTORE, NULL, {{"credit", POS, "credit record id", 0}}},
    {YC_TX_CREDIT_OBJECT, NULL, {{"credit", POS, "credit record id", 0}}},
    {YC_TX_CREDIT_RESOLVE, NULL, {{"credit", POS, "credit record id", 0}}},
    {YC_TX_VALIDATOR_PROPOSE,
     "validator propose add",
     {{"action", NONE, "add", 0},
      {"name", BY_KEY, NULL, F_REQUIRED},
      {"new_pub", NONE, NULL, 0},
      {"org", BY_KEY, NULL, F_REQUIRED},
      {"pub", POS, "validator key", 0}}},
    {YC_TX_VALIDATOR_PROPOSE,
     "validator propose remove",
     {{"action", NONE, "remove", 0},
      {"name", NONE, NULL, 0},
      {"new_pub", NONE, NULL, 0},
      {"org", NONE, NULL, 0},
      {"pub", POS, "validator key", 0}}},
    {YC_TX_VALIDATOR_PROPOSE,
     "validator propose replace-key",
     {{"action", NONE, "replace_key", 0},
      {"name", NONE, NULL, 0},
      {"new_pub", O_NEW_KEY, NULL, F_REQUIRED},
      {"org", NONE, NULL, 0},
      {"pub", POS, "validator key", 0}}},
    {YC_TX_VALIDATOR_APPROVE, NULL, {{"proposal", POS, NULL, 0}}},
    {YC_TX_VALIDATOR_WITHDRAW, NULL, {{"proposal", POS, NULL, 0}}},
};

/* The binding of field `key` in command c: its command's row before its type's. */
static const struct bind *bind_of(const struct wallet_cmd *c, const char *key)
{
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < sizeof BINDINGS / sizeof BINDINGS[0]; i++) {
            const struct binding *r = &BINDINGS[i];
            if ((int)r->type != c->type ||
                (pass == 0 ? r->words == NULL || strcmp(r->words, c->words) != 0
                           : r->words != NULL))
                continue;
            for (size_t j = 0; j < BINDS_MAX && r->b[j].key != NULL; j++)
                if (strcmp(r->b[j].key, key) == 0)
                    return &r->b[j];
        }
    }
    return NULL;
}

/* The option named like key ('_' read as '-'), or -1. */
static int opt_by_key(const char *key)
{
    for (int o = 0; o < O_COUNT; o++) {
        const char *n = WALLET_OPTS[o].name;
        size_t i = 0;
        while (n[i] != '\0' && (key[i] == n[i] || (key[i] == '_' && n[i] == '-')))
            i++;
        if (n[i] == '\0' && key[i] == '\0')
            return o;
    }
    return -1;
}

const struct yc_tx_schema *wallet_cmd_schema(const struct wallet_cmd *c)
{
    return c != NULL && c->type != YC_TX_NONE ? yc_tx_schema((enum yc_tx_type)c->type) : NULL;
}

/* The source of field f (wallet_field_source) and its binding's flags. */
static int source(const struct wallet_cmd *c, const struct yc_field *f, const char **def,
                  unsigned *flags)
{
    const struct bind *b = bind_of(c, f->key);
    *def = b != NULL ? b->def : NULL;
    *flags = b != NULL ? b->flags : 0;
    if (b != NULL && b->opt == POS)
        return WALLET_SRC_POS;
    if (b != NULL && b->opt == NONE)
        return WALLET_SRC_NONE;
    if (b != NULL && b->opt != BY_KEY)
        return b->opt;
    int o = opt_by_key(f->key);
    return o >= 0 ? o : WALLET_SRC_UNKNOWN;
}

/* Whether the command line must give field f. */
static bool needed(const struct yc_field *f, const char *def, unsigned flags)
{
    if ((flags & F_REQUIRED) != 0)
        return true;
    return f->required && def == NULL && (flags & (F_ZERO | F_SENDER | F_FILLED)) == 0;
}

int wallet_field_source(const struct wallet_cmd *cmd, const struct yc_field *f, const char **def,
                        const char **shown, bool *required)
{
    const char *d;
    unsigned flags;
    int o = source(cmd, f, &d, &flags);
    if (def != NULL)
        *def = d;
    if (shown != NULL)
        *shown = d != NULL                                            ? d
                 : (flags & F_SENDER) != 0 && f->kind == YC_FK_SHARES ? "you, 10000"
                 : (flags & F_SENDER) != 0                            ? "the key's name"
                                                                      : NULL;
    if (required != NULL)
        *required = needed(f, d, flags);
    return o;
}

wallet_optmask wallet_cmd_opts(const struct wallet_cmd *c, wallet_optmask *required)
{
    const struct yc_tx_schema *s = wallet_cmd_schema(c);
    wallet_optmask opts = c != NULL ? c->opts : 0, req = c != NULL ? c->required : 0;
    for (uint32_t i = 0; s != NULL && i < s->nfields; i++) {
        bool need;
        int o = wallet_field_source(c, &s->fields[i], NULL, NULL, &need);
        if (o < 0)
            continue;
        opts |= OPTBIT(o);
        if (need)
            req |= OPTBIT(o);
    }
    if (required != NULL)
        *required = req;
    return opts;
}

int wallet_opt_enum(const struct wallet_cmd *cmd, int o)
{
    const struct yc_tx_schema *s = wallet_cmd_schema(cmd);
    for (uint32_t i = 0; s != NULL && i < s->nfields; i++)
        if (wallet_field_source(cmd, &s->fields[i], NULL, NULL, NULL) == o)
            return s->fields[i].enum_id;
    return -1;
}

/* ---- filling a body from the command line ---- */

struct fill {
    const struct wallet_args *a;
    const struct yc_tx_schema *s;
    const char *sender_name;
    const uint8_t *sender;
    uint64_t now_ms;
    union yc_tx_body *b;
};

#define TRYX(x)                \
    do {                       \
        int ex_ = (x);         \
        if (ex_ != YC_EXIT_OK) \
            return ex_;        \
    } while (0)

static int check_text(const char *what, const char *p, size_t n, const struct yc_field *f)
{
    if (n < f->min) {
        wallet_err("%s: empty; give 1 to %u bytes", what, f->max);
        return YC_EXIT_DATAERR;
    }
    if (n > f->max) {
        wallet_err("%s: %zu bytes; at most %u", what, n, f->max);
        return YC_EXIT_DATAERR;
    }
    if (!yc_utf8_valid((const uint8_t *)p, n)) {
        wallet_err("%s: not valid UTF-8", what);
        return YC_EXIT_DATAERR;
    }
    return YC_EXIT_OK;
}

/* "a, b,c": items trimmed of spaces and tabs, empty items refused, duplicates dropped
 * (the first kept), at most YC_LIST_MAX items of at most f->max bytes. */
static int parse_list(const char *what, const char *csv, const struct yc_field *f,
                      struct yc_list *l)
{
    l->n = 0;
    for (const char *s = csv;; s++) {
        size_t len = strcspn(s, ",");
        const char *p = s;
        size_t n = len;
        while (n > 0 && (*p == ' ' || *p == '\t')) {
            p++;
            n--;
        }
        while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (n == 0) {
            wallet_err("%s: an empty item in '%s' (items are separated by commas)", what, csv);
            return YC_EXIT_DATAERR;
        }
        char item[80];
        snprintf(item, sizeof item, "%s item", what);
        struct yc_field one = *f;
        one.min = 1;
        TRYX(check_text(item, p, n, &one));
        bool dup = false;
        for (uint32_t i = 0; i < l->n; i++)
            dup = dup || (l->items[i].len == n && memcmp(l->items[i].p, p, n) == 0);
        if (!dup) {
            if (l->n == YC_LIST_MAX) {
                wallet_err("%s: at most %d items", what, YC_LIST_MAX);
                return YC_EXIT_DATAERR;
            }
            l->items[l->n].p = p;
            l->items[l->n++].len = n;
        }
        s += len;
        if (*s == '\0')
            return YC_EXIT_OK;
    }
}

/* "X,X,…" (commas or spaces between) into at most f->max items of `size` bytes at out,
 * each parsed by `one`; shares ("ADDRESS:BPS") when size is 0. */
static int parse_items(const char *what, const char *csv, const struct yc_field *f, void *out,
                       uint32_t *count)
{
    char *buf = strdup(csv);
    int ex = YC_EXIT_OK;
    uint32_t n = 0;
    if (buf == NULL) {
        wallet_err("out of memory");
        return YC_EXIT_FAIL;
    }
    for (char *save = NULL, *tok = strtok_r(buf, ", ", &save); tok != NULL && ex == YC_EXIT_OK;
         tok = strtok_r(NULL, ", ", &save)) {
        if (n == f->max) {
            wallet_err("%s: at most %u items", what, f->max);
            ex = YC_EXIT_DATAERR;
        } else if (f->kind == YC_FK_IDS) {
            ex = wallet_parse_hash(tok, what, (uint8_t *)out + (size_t)n++ * YC_HASH_LEN);
        } else if (f->kind == YC_FK_PUBS) {
            ex = wallet_parse_addr(tok, what, (uint8_t *)out + (size_t)n++ * YC_PUBKEY_LEN);
        } else {
            struct yc_contributor *c = (struct yc_contributor *)out + n++;
            char *colon = strrchr(tok, ':');
            char share[80];
            if (colon == NULL) {
                wallet_err("%s: '%s' is not ADDRESS:BPS", what, tok);
                ex = YC_EXIT_DATAERR;
                break;
            }
            *colon = '\0';
            snprintf(share, sizeof share, "%s share", what);
            ex = wallet_parse_addr(tok, what, c->pub);
            if (ex == YC_EXIT_OK)
                ex = wallet_parse_u64(colon + 1, share, false, &c->bps);
        }
    }
    free(buf);
    *count = n;
    return ex;
}

/* The value v of field i (from `what`: "--to", "asset id") into the body. */
static int put(struct fill *x, uint32_t i, const char *what, const char *v, int o, unsigned flags)
{
    const struct yc_field *f = &x->s->fields[i];
    uint8_t *base = (uint8_t *)x->b;
    void *val = base + f->off;
    uint32_t *count = f->count_off >= 0 ? (uint32_t *)(void *)(base + f->count_off) : NULL;

    switch ((enum yc_field_kind)f->kind) {
    case YC_FK_TEXT: {
        struct yc_slice *sl = val;
        TRYX(check_text(what, v, strlen(v), f));
        sl->p = v;
        sl->len = strlen(v);
        break;
    }
    case YC_FK_U64: {
        uint64_t *u = val;
        if (o >= 0 && WALLET_OPTS[o].metavar != NULL && strcmp(WALLET_OPTS[o].metavar, "TIME") == 0)
            TRYX(wallet_parse_time(what, v, x->now_ms, u));
        else
            TRYX(wallet_parse_u64(v, what, (flags & F_POSITIVE) != 0, u));
        break;
    }
    case YC_FK_BOOL:
        *(bool *)val = true;
        break;
    case YC_FK_ID:
    case YC_FK_DIGEST:
        TRYX(wallet_parse_hash(v, what, val));
        break;
    case YC_FK_PUB:
        TRYX(wallet_parse_addr(v, what, val));
        break;
    case YC_FK_LIST:
        TRYX(parse_list(what, v, f, val));
        break;
    case YC_FK_IDS:
    case YC_FK_PUBS:
    case YC_FK_SHARES:
        TRYX(parse_items(what, v, f, val, count));
        break;
    }
    if (f->has_off >= 0)
        *(bool *)(void *)(base + f->has_off) = true;
    return YC_EXIT_OK;
}

static int fill_field(struct fill *x, uint32_t i)
{
    const struct yc_field *f = &x->s->fields[i];
    const struct wallet_cmd *c = x->a->cmd;
    const char *def;
    unsigned flags;
    char what[64];
    int o = source(c, f, &def, &flags);

    if (o == WALLET_SRC_NONE)
        return def != NULL ? put(x, i, f->key, def, o, flags) : YC_EXIT_OK;
    if (o == WALLET_SRC_UNKNOWN) {
        wallet_err("'%s': no option gives the field '%s'", c->words, f->key);
        return YC_EXIT_FAIL;
    }
    if (o == WALLET_SRC_POS && x->a->npos == 0) {
        wallet_err("'%s' needs %s", c->words, c->posargs);
        return YC_EXIT_USAGE;
    }
    if (o == WALLET_SRC_POS) {
        if (def != NULL)
            snprintf(what, sizeof what, "%s", def);
        else
            snprintf(what, sizeof what, f->kind == YC_FK_ID ? "%s id" : "%s", f->key);
        return put(x, i, what, x->a->pos[0], o, flags);
    }
    snprintf(what, sizeof what, "--%s", WALLET_OPTS[o].name);
    if (x->a->set[o])
        return put(x, i, what, x->a->val[o], o, flags);
    if (def != NULL)
        return put(x, i, what, def, o, flags);
    if ((flags & F_SENDER) != 0 && f->kind == YC_FK_SHARES) {
        struct yc_contributor *sh = (struct yc_contributor *)(void *)((uint8_t *)x->b + f->off);
        memcpy(sh->pub, x->sender, YC_PUBKEY_LEN);
        sh->bps = YC_SHARES_TOTAL;
        *(uint32_t *)(void *)((uint8_t *)x->b + f->count_off) = 1;
        return YC_EXIT_OK;
    }
    if ((flags & F_SENDER) != 0)
        return put(x, i, what, x->sender_name, o, flags);
    if ((flags & F_REQUIRED) != 0 || (f->required && (flags & F_ZERO) == 0)) {
        wallet_err("'%s' needs --%s %s", c->words, WALLET_OPTS[o].name,
                   WALLET_OPTS[o].metavar != NULL ? WALLET_OPTS[o].metavar : "");
        return YC_EXIT_USAGE;
    }
    return YC_EXIT_OK; /* absent: 0, false or empty */
}

/* The schema's rule across fields (yc_tx_schema's `rule`) with the options' names for
 * the quoted keys: "usage record needs exactly one of --consent and --license". */
static int check_rule(const struct fill *x)
{
    const char *why = x->s->rule != NULL ? x->s->rule(x->s->type, x->b) : NULL;
    char words[256];
    size_t n = 0;
    if (why == NULL)
        return YC_EXIT_OK;
    for (const char *p = why; *p != '\0' && n + 1 < sizeof words; p++) {
        const char *end = *p == '\'' ? strchr(p + 1, '\'') : NULL;
        const struct yc_field *f = NULL;
        if (end != NULL) {
            char key[48];
            snprintf(key, sizeof key, "%.*s", (int)(end - p - 1), p + 1);
            f = yc_tx_schema_field(x->s, key, NULL);
        }
        int o = f != NULL ? wallet_field_source(x->a->cmd, f, NULL, NULL, NULL) : -1;
        if (o >= 0) {
            int k = snprintf(words + n, sizeof words - n, "--%s", WALLET_OPTS[o].name);
            n = k > 0 && (size_t)k < sizeof words - n ? n + (size_t)k : sizeof words - 1;
            p = end;
        } else {
            words[n++] = *p;
        }
    }
    words[n] = '\0';
    wallet_err("%s needs %s", x->a->cmd->words, words);
    return YC_EXIT_USAGE;
}

/* ---- rules across options (CHECKS) ---- */

static int check_register(const struct wallet_args *a, union yc_tx_body *b)
{
    (void)b;
    if (a->set[O_FOR] && !a->set[O_NAME]) {
        wallet_err("register --for ADDRESS needs --name TEXT");
        return YC_EXIT_USAGE;
    }
    return YC_EXIT_OK;
}

/* consent grant, asset license: a window that is not empty */
static int check_window(const struct wallet_args *a, union yc_tx_body *b)
{
    bool grant = a->cmd->type == YC_TX_CONSENT_GRANT;
    uint64_t from = grant ? b->consent_grant.not_before : b->right_license.not_before;
    uint64_t until = grant ? b->consent_grant.until : b->right_license.until;
    if (until <= from) {
        wallet_err("--until must be later than --not-before");
        return YC_EXIT_DATAERR;
    }
    return YC_EXIT_OK;
}

/* market list: the terms belong to a license offer, which needs them */
static int check_listing(const struct wallet_args *a, union yc_tx_body *b)
{
    bool license =
        b->market_list.offer.len == 7 && memcmp(b->market_list.offer.p, "license", 7) == 0;
    bool terms = a->set[O_OPERATIONS] || a->set[O_PURPOSES] || a->set[O_VISIBILITY] ||
                 a->set[O_UNTIL] || a->set[O_FEE] || a->set[O_MAX_USES];
    if (!license && terms) {
        wallet_err("--operations, --purposes, --visibility, --until, --fee and --max-uses are "
                   "the terms of a license offer (--offer license)");
        return YC_EXIT_USAGE;
    }
    if (license && (!a->set[O_OPERATIONS] || !a->set[O_PURPOSES] || !a->set[O_UNTIL])) {
        wallet_err("a license offer needs --operations, --purposes and --until");
        return YC_EXIT_USAGE;
    }
    if (license && !a->set[O_VISIBILITY]) {
        b->market_list.visibility.p = "invisible";
        b->market_list.visibility.len = strlen("invisible");
    }
    return YC_EXIT_OK;
}

static int check_export(const struct wallet_args *a, union yc_tx_body *b)
{
    if (b->export_assess.until == 0 && strcmp(a->val[O_OUTCOME], "approved") == 0) {
        wallet_err("export assess: an approval needs --until TIME");
        return YC_EXIT_USAGE;
    }
    return YC_EXIT_OK;
}

static const struct {
    enum yc_tx_type type;
    int (*check)(const struct wallet_args *a, union yc_tx_body *b);
} CHECKS[] = {
    {YC_TX_ACCOUNT_REGISTER, check_register}, {YC_TX_CONSENT_GRANT, check_window},
    {YC_TX_RIGHT_LICENSE, check_window},      {YC_TX_MARKET_LIST, check_listing},
    {YC_TX_EXPORT_ASSESS, check_export},
};

int wallet_build_body(const struct wallet_args *a, const char *sender_name,
                      const uint8_t sender[YC_PUBKEY_LEN], uint64_t now_ms, enum yc_tx_type *type,
                      struct yc_buf *body)
{
    char err[512];
    int ex;
    const struct yc_tx_schema *s = wallet_cmd_schema(a->cmd);
    if (s == NULL) {
        wallet_err("'%s' does not build a transaction", a->cmd->words);
        return YC_EXIT_USAGE;
    }
    /* enumerations and code formats from the one table, before anything is signed */
    if ((ex = wallet_check_values(a, err, sizeof err)) != 0) {
        wallet_err("%s", err);
        return ex;
    }
    struct fill x = {a, s, sender_name, sender, now_ms, calloc(1, sizeof(union yc_tx_body))};
    if (x.b == NULL) {
        wallet_err("out of memory");
        return YC_EXIT_FAIL;
    }
    *type = s->type;
    ex = YC_EXIT_OK;
    for (uint32_t i = 0; i < s->nfields && ex == YC_EXIT_OK; i++)
        ex = fill_field(&x, i);
    if (ex == YC_EXIT_OK)
        ex = check_rule(&x);
    for (size_t i = 0; i < sizeof CHECKS / sizeof CHECKS[0] && ex == YC_EXIT_OK; i++)
        if (CHECKS[i].type == s->type)
            ex = CHECKS[i].check(a, x.b);
    if (ex == YC_EXIT_OK) {
        int rc = yc_tx_body_encode(body, s->type, x.b, yc_tx_body_present(s->type, x.b));
        if (rc != YC_OK) {
            wallet_err("%s: the body does not encode: %s (%s)", a->cmd->words, yc_strerror(rc),
                       yc_err_name(rc));
            ex = rc == YC_ENOMEM ? YC_EXIT_FAIL : YC_EXIT_DATAERR;
        }
    }
    free(x.b);
    return ex;
}

/* ---- policy set ---- */

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
