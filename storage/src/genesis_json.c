/*
 * genesis_json.c — config/genesis.json ↔ struct yc_genesis (format in docs/storage.md).
 *
 * Parsing is strict: unknown fields are refused, every value is checked for type,
 * range and length, and every message names the field as a path
 * ("accounts[3].balance: ..."), so an operator can fix the file without guessing.
 * The chain is identified by the genesis hash, which core computes over the canonical
 * msgpack form (yc_genesis_finalize): whitespace and key order in the JSON never
 * change it. Saving is atomic (temp file, fsync, rename, fsync of the directory).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "yc/alloc.h"
#include "yc/bech32.h"
#include "yc/block.h"
#include "yc/genesis_json.h"
#include "yc/timefmt.h"
#include "yc/objects.h"

#define GJ_MAX_TEXT ((size_t)16 << 20) /* a genesis.json larger than this is refused */

struct gj {
    char *errbuf;
    size_t errlen;
};

static int fail(struct gj *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct gj *c, const char *fmt, ...)
{
    if (c->errbuf != NULL && c->errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->errbuf, c->errlen, fmt, ap);
        va_end(ap);
    }
    return YC_ECONFIG;
}

/* ---- field helpers ---- */

/* Refuses keys of `obj` not in the NULL-terminated `allowed` list. */
static int only_keys(struct gj *c, json_t *obj, const char *path, const char *const *allowed)
{
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v)
    {
        bool ok = false;
        for (size_t i = 0; allowed[i] != NULL; i++)
            ok = ok || strcmp(k, allowed[i]) == 0;
        if (!ok)
            return fail(c, "%s%sunknown field \"%s\"", path, *path ? ": " : "", k);
    }
    return YC_OK;
}

/* Copies a string field into out (cap bytes incl. NUL). required=false leaves out "" if
 * absent. min_len applies when present or required. */
static int get_str(struct gj *c, json_t *obj, const char *path, const char *key, char *out,
                   size_t cap, bool required, size_t min_len)
{
    json_t *v = json_object_get(obj, key);
    out[0] = '\0';
    if (v == NULL) {
        if (required)
            return fail(c, "%s%s: missing", path, key);
        return YC_OK;
    }
    if (!json_is_string(v))
        return fail(c, "%s%s: must be a string", path, key);
    size_t n = json_string_length(v);
    const char *s = json_string_value(v);
    if (memchr(s, '\0', n) != NULL)
        return fail(c, "%s%s: contains a NUL character", path, key);
    if (n < min_len)
        return fail(c, "%s%s: must not be empty", path, key);
    if (n >= cap)
        return fail(c, "%s%s: longer than %zu bytes", path, key, cap - 1);
    memcpy(out, s, n + 1);
    return YC_OK;
}

/* Decimal string without sign or leading zeros, at most UINT64_MAX. */
static bool parse_u64_dec(const char *s, size_t n, uint64_t *out)
{
    if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        unsigned dgt = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - dgt) / 10)
            return false;
        v = v * 10 + dgt;
    }
    *out = v;
    return true;
}

static int get_dec(struct gj *c, json_t *v, const char *path, const char *key, uint64_t *out)
{
    if (!json_is_string(v))
        return fail(c, "%s%s: must be a decimal string such as \"1000\"", path, key);
    if (!parse_u64_dec(json_string_value(v), json_string_length(v), out))
        return fail(c,
                    "%s%s: \"%s\" is not a decimal integer in 0..18446744073709551615 "
                    "(no sign, no leading zeros)",
                    path, key, json_string_value(v));
    return YC_OK;
}

/* A parameter: JSON integer or decimal string, within [min, max]. */
static int get_param(struct gj *c, json_t *params, const char *key, uint64_t min, uint64_t max,
                     uint64_t *out)
{
    json_t *v = json_object_get(params, key);
    if (v == NULL)
        return YC_OK;
    uint64_t x;
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (i < 0)
            return fail(c, "params.%s: must not be negative", key);
        x = (uint64_t)i;
    } else if (json_is_string(v)) {
        int rc = get_dec(c, v, "params.", key, &x);
        if (rc != YC_OK)
            return rc;
    } else {
        return fail(c, "params.%s: must be an integer", key);
    }
    if (x < min || x > max)
        return fail(c, "params.%s: %llu is outside %llu..%llu", key, (unsigned long long)x,
                    (unsigned long long)min, (unsigned long long)max);
    *out = x;
    return YC_OK;
}

static int parse_params(struct gj *c, json_t *p, struct yc_params *out)
{
    yc_params_default(out);
    if (p == NULL)
        return YC_OK;
    if (!json_is_object(p))
        return fail(c, "params: must be an object");
    static const char *const keys[] = {"max_block_txs", "max_block_bytes",  "max_time_drift_ms",
                                       "notice_blocks", "exchange_fee_bps", "open_registration",
                                       "valset_delay",  "valset_expiry",    NULL};
    int rc = only_keys(c, p, "params", keys);
    uint64_t v;
    if (rc != YC_OK)
        return rc;
    json_t *open = json_object_get(p, "open_registration");
    if (open != NULL) {
        if (!json_is_boolean(open))
            return fail(c, "params.open_registration: must be true or false");
        out->open_registration = json_is_true(open);
    }
    v = out->max_block_txs;
    if ((rc = get_param(c, p, "max_block_txs", 1, 65536, &v)) != YC_OK)
        return rc;
    out->max_block_txs = (uint32_t)v;
    v = out->max_block_bytes;
    if ((rc = get_param(c, p, "max_block_bytes", 1024, YC_BLOCK_MAX_BYTES / 2, &v)) != YC_OK)
        return rc;
    out->max_block_bytes = (uint32_t)v;
    v = out->max_time_drift_ms;
    if ((rc = get_param(c, p, "max_time_drift_ms", 0, 86400000u, &v)) != YC_OK)
        return rc;
    out->max_time_drift_ms = v;
    v = out->notice_blocks;
    if ((rc = get_param(c, p, "notice_blocks", 0, UINT32_MAX, &v)) != YC_OK)
        return rc;
    out->notice_blocks = v;
    v = out->exchange_fee_bps;
    if ((rc = get_param(c, p, "exchange_fee_bps", 0, 10000, &v)) != YC_OK)
        return rc;
    out->exchange_fee_bps = (uint32_t)v;
    v = out->valset_delay;
    if ((rc = get_param(c, p, "valset_delay", 1, 1000, &v)) != YC_OK)
        return rc;
    out->valset_delay = v;
    v = out->valset_expiry;
    if ((rc = get_param(c, p, "valset_expiry", 1, 1000000000, &v)) != YC_OK)
        return rc;
    out->valset_expiry = v;
    return YC_OK;
}

static int parse_validators(struct gj *c, json_t *arr, bool draft, struct yc_genesis *g)
{
    if (arr == NULL && draft)
        return YC_OK;
    if (arr == NULL)
        return fail(c, "validators: missing (at least one validator is needed)");
    if (!json_is_array(arr))
        return fail(c, "validators: must be an array");
    size_t n = json_array_size(arr);
    if ((n == 0 && !draft) || n > YC_MAX_VALIDATORS)
        return fail(c, "validators: %zu validators, need 1..%d", n, YC_MAX_VALIDATORS);
    static const char *const keys[] = {"name", "pub_key", "org", NULL};
    for (size_t i = 0; i < n; i++) {
        char path[48];
        snprintf(path, sizeof path, "validators[%zu].", i);
        json_t *v = json_array_get(arr, i);
        struct yc_validator *val = &g->validators[i];
        if (!json_is_object(v))
            return fail(c, "validators[%zu]: must be an object", i);
        char ppath[48];
        snprintf(ppath, sizeof ppath, "validators[%zu]", i);
        if (json_object_get(v, "address") != NULL)
            return fail(c,
                        "%saddress: network addresses are not part of the genesis (moving a "
                        "host must not change the chain): remove it and list the validator "
                        "in node.conf [p2p] persistent_peers as KEY@host:port",
                        path);
        int rc = only_keys(c, v, ppath, keys);
        if (rc != YC_OK)
            return rc;
        if ((rc = get_str(c, v, path, "name", val->name, sizeof val->name, true, 1)) != YC_OK)
            return rc;
        char addr[YC_ADDR_MAX];
        if ((rc = get_str(c, v, path, "pub_key", addr, sizeof addr, true, 1)) != YC_OK)
            return rc;
        if (yc_addr_decode(val->pub, addr) != YC_OK || !yc_pubkey_valid(val->pub))
            return fail(c, "%spub_key: \"%s\" is not a valid yc1 address (bech32m)", path, addr);
        for (size_t j = 0; j < i; j++) {
            if (memcmp(g->validators[j].pub, val->pub, YC_PUBKEY_LEN) == 0)
                return fail(c, "%spub_key: same key as validators[%zu]", path, j);
        }
        /* optional: absent, the first account of role exchange approves for it */
        if (json_object_get(v, "org") != NULL) {
            if ((rc = get_str(c, v, path, "org", addr, sizeof addr, true, 1)) != YC_OK)
                return rc;
            if (yc_addr_decode(val->org, addr) != YC_OK || !yc_pubkey_valid(val->org))
                return fail(c, "%sorg: \"%s\" is not a valid yc1 address (bech32m)", path, addr);
        }
        g->nvalidators = (uint32_t)(i + 1);
    }
    return YC_OK;
}

/* [A-Z]{2}(-[A-Z0-9]{1,3})?, as core checks it (CN, CN-CQ, SG). */
static bool valid_jurisdiction(const char *s)
{
    size_t n = strlen(s);
    if (n != 2 && (n < 4 || n > 6))
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        bool upper = ch >= 'A' && ch <= 'Z', digit = ch >= '0' && ch <= '9';
        if (i < 2 ? !upper : (i == 2 ? ch != '-' : !(upper || digit)))
            return false;
    }
    return true;
}

static int parse_accounts(struct gj *c, json_t *arr, bool draft, struct yc_genesis *g)
{
    if (arr == NULL && draft)
        return YC_OK;
    if (arr == NULL)
        return fail(c, "accounts: missing (an account with role \"exchange\" is needed)");
    if (!json_is_array(arr))
        return fail(c, "accounts: must be an array");
    size_t n = json_array_size(arr);
    if (n > YC_GENESIS_MAX_ACCOUNTS)
        return fail(c, "accounts: %zu accounts, at most %d", n, YC_GENESIS_MAX_ACCOUNTS);
    if (n > 0) {
        g->accounts = yc_calloc(n, sizeof *g->accounts);
        if (g->accounts == NULL)
            return YC_ENOMEM;
    }
    static const char *const keys[] = {"address", "role", "name", "jurisdiction", "balance", NULL};
    bool exchange = false;
    for (size_t i = 0; i < n; i++) {
        char path[48], ppath[48];
        snprintf(path, sizeof path, "accounts[%zu].", i);
        snprintf(ppath, sizeof ppath, "accounts[%zu]", i);
        json_t *v = json_array_get(arr, i);
        struct yc_genesis_account *a = &g->accounts[i];
        if (!json_is_object(v))
            return fail(c, "accounts[%zu]: must be an object", i);
        int rc = only_keys(c, v, ppath, keys);
        if (rc != YC_OK)
            return rc;
        char addr[YC_ADDR_MAX];
        if ((rc = get_str(c, v, path, "address", addr, sizeof addr, true, 1)) != YC_OK)
            return rc;
        if (yc_addr_decode(a->pub, addr) != YC_OK || !yc_pubkey_valid(a->pub))
            return fail(c, "%saddress: \"%s\" is not a valid yc1 address (bech32m)", path, addr);
        if ((rc = get_str(c, v, path, "role", a->role, sizeof a->role, true, 1)) != YC_OK)
            return rc;
        enum yc_role role = yc_role_from_name(a->role, strlen(a->role));
        if (role == YC_ROLE_NONE) {
            char roles[256] = "";
            size_t rl = 0;
#define GJ_ROLE_(e, n, name)                                                              \
    rl += (size_t)snprintf(roles + rl, rl < sizeof roles ? sizeof roles - rl : 0, "%s%s", \
                           rl > 0 ? ", " : "", name);
            YC_ROLES(GJ_ROLE_)
#undef GJ_ROLE_
            return fail(c, "%srole: unknown role \"%s\" (one of %s)", path, a->role, roles);
        }
        exchange = exchange || role == YC_ROLE_EXCHANGE;
        if ((rc = get_str(c, v, path, "name", a->name, sizeof a->name, true, 1)) != YC_OK)
            return rc;
        if ((rc = get_str(c, v, path, "jurisdiction", a->jurisdiction, sizeof a->jurisdiction, true,
                          1)) != YC_OK)
            return rc;
        if (!valid_jurisdiction(a->jurisdiction))
            return fail(c, "%sjurisdiction: \"%s\" is not a code such as CN, CN-CQ or SG", path,
                        a->jurisdiction);
        json_t *bal = json_object_get(v, "balance");
        a->balance = 0;
        if (bal != NULL && (rc = get_dec(c, bal, path, "balance", &a->balance)) != YC_OK)
            return rc;
        for (size_t j = 0; j < i; j++) {
            if (memcmp(g->accounts[j].pub, a->pub, YC_PUBKEY_LEN) == 0)
                return fail(c, "%saddress: same account as accounts[%zu]", path, j);
        }
        g->naccounts = (uint32_t)(i + 1);
    }
    if (!exchange && !draft)
        return fail(c, "accounts: no account has role \"exchange\" (one is required)");
    return YC_OK;
}

/* One code list of "codes": an array of distinct codes; absent = the default list. */
static int parse_code_list(struct gj *c, json_t *codes, const char *key, enum yc_code_kind kind,
                           struct yc_code_list *out)
{
    json_t *arr = json_object_get(codes, key);
    yc_code_list_default(out, kind);
    if (arr == NULL)
        return YC_OK;
    if (!json_is_array(arr))
        return fail(c, "codes.%s: must be an array of codes", key);
    size_t n = json_array_size(arr);
    if (n == 0 || n > YC_CODES_MAX)
        return fail(c, "codes.%s: %zu codes, need 1..%d (omit it for the default list)", key, n,
                    YC_CODES_MAX);
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(arr, i);
        if (!json_is_string(v))
            return fail(c, "codes.%s[%zu]: must be a string", key, i);
        const char *s = json_string_value(v);
        size_t len = json_string_length(v);
        int rc = yc_code_list_add(out, s, len);
        if (rc == YC_ECONFIG)
            return fail(c,
                        "codes.%s[%zu]: \"%s\" is not a code (1 to 64 of a-z 0-9 _ . : -) or "
                        "is listed twice",
                        key, i, s);
        if (rc != YC_OK)
            return fail(c, "codes.%s: more than %d codes", key, YC_CODES_MAX);
    }
    return YC_OK;
}

static int parse_codes(struct gj *c, json_t *codes, struct yc_codes *out)
{
    static const char *const keys[] = {"categories", "purposes", NULL};
    if (codes == NULL) {
        yc_code_list_default(&out->categories, YC_CODES_CATEGORY);
        yc_code_list_default(&out->purposes, YC_CODES_PURPOSE);
        return YC_OK;
    }
    if (!json_is_object(codes))
        return fail(c, "codes: must be an object {\"categories\": [...], \"purposes\": [...]}");
    int rc = only_keys(c, codes, "codes", keys);
    if (rc == YC_OK)
        rc = parse_code_list(c, codes, "categories", YC_CODES_CATEGORY, &out->categories);
    if (rc == YC_OK)
        rc = parse_code_list(c, codes, "purposes", YC_CODES_PURPOSE, &out->purposes);
    return rc;
}

/* Every validator's organisation account, when given, is one of the genesis accounts
 * (a draft may list it before its account). */
static int check_orgs(struct gj *c, bool draft, const struct yc_genesis *g)
{
    static const uint8_t zero[YC_PUBKEY_LEN] = {0};
    for (uint32_t i = 0; i < g->nvalidators && !draft; i++) {
        const uint8_t *org = g->validators[i].org;
        bool found = memcmp(org, zero, YC_PUBKEY_LEN) == 0;
        for (uint32_t j = 0; j < g->naccounts && !found; j++)
            found = memcmp(g->accounts[j].pub, org, YC_PUBKEY_LEN) == 0;
        if (!found) {
            char addr[YC_ADDR_MAX];
            if (yc_addr_encode(addr, org) != YC_OK)
                addr[0] = '\0';
            return fail(c,
                        "validators[%u].org: %s is not one of the genesis accounts (the "
                        "organisation that approves validator-set changes for this validator "
                        "must have an account in the genesis)",
                        i, addr);
        }
    }
    return YC_OK;
}

static bool valid_chain_id(const char *s)
{
    if (*s == '\0')
        return false;
    for (; *s; s++) {
        char ch = *s;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == '-'))
            return false;
    }
    return true;
}

static int parse_root(struct gj *c, json_t *root, unsigned flags, bool *draft, struct yc_genesis *g)
{
    if (!json_is_object(root))
        return fail(c, "the genesis document must be a JSON object");
    static const char *const keys[] = {"chain_id", "genesis_time", "genesis_time_ms",
                                       "params",   "validators",   "accounts",
                                       "codes",    "draft",        NULL};
    int rc = only_keys(c, root, "", keys);
    if (rc != YC_OK)
        return rc;
    json_t *d = json_object_get(root, "draft");
    if (d != NULL && !json_is_true(d))
        return fail(c, "draft: must be true when present (a finalized genesis has no draft "
                       "field)");
    *draft = d != NULL;
    if (*draft && !(flags & YC_GJ_DRAFT))
        return fail(c, "draft: this genesis is still being assembled; finalize it with "
                       "`yuchaind genesis finalize --genesis FILE` and check its hash");
    if ((rc = get_str(c, root, "", "chain_id", g->chain_id, sizeof g->chain_id, true, 1)) != YC_OK)
        return rc;
    if (!valid_chain_id(g->chain_id))
        return fail(c, "chain_id: \"%s\" may hold only letters, digits, '.', '_' and '-'",
                    g->chain_id);

    json_t *t = json_object_get(root, "genesis_time");
    json_t *tms = json_object_get(root, "genesis_time_ms");
    if (t == NULL && tms == NULL)
        return fail(c, "genesis_time: missing (RFC 3339, e.g. \"2026-01-01T00:00:00Z\")");
    uint64_t from_text = 0, from_ms = 0;
    if (t != NULL) {
        if (!json_is_string(t) ||
            yc_time_parse_rfc3339(json_string_value(t), strlen(json_string_value(t)), 0,
                                  &from_text) != YC_OK)
            return fail(c, "genesis_time: not an RFC 3339 time such as "
                           "\"2026-01-01T00:00:00Z\"");
    }
    if (tms != NULL && (rc = get_dec(c, tms, "", "genesis_time_ms", &from_ms)) != YC_OK)
        return rc;
    if (t != NULL && tms != NULL && from_text != from_ms)
        return fail(c, "genesis_time_ms: %llu disagrees with genesis_time (%llu ms)",
                    (unsigned long long)from_ms, (unsigned long long)from_text);
    g->genesis_time_ms = tms != NULL ? from_ms : from_text;

    if ((rc = parse_params(c, json_object_get(root, "params"), &g->params)) != YC_OK)
        return rc;
    if ((rc = parse_codes(c, json_object_get(root, "codes"), &g->codes)) != YC_OK)
        return rc;
    if ((rc = parse_validators(c, json_object_get(root, "validators"), *draft, g)) != YC_OK)
        return rc;
    if ((rc = parse_accounts(c, json_object_get(root, "accounts"), *draft, g)) != YC_OK)
        return rc;
    return check_orgs(c, *draft, g);
}

int yc_genesis_json_parse(struct yc_genesis *g, const char *text, size_t len, char *errbuf,
                          size_t errlen)
{
    bool draft;
    return yc_genesis_json_parse_ex(g, text, len, 0, &draft, errbuf, errlen);
}

int yc_genesis_json_parse_ex(struct yc_genesis *g, const char *text, size_t len, unsigned flags,
                             bool *draft, char *errbuf, size_t errlen)
{
    struct gj c = {.errbuf = errbuf, .errlen = errlen};
    if (errbuf != NULL && errlen > 0)
        errbuf[0] = '\0';
    if (g == NULL || text == NULL || draft == NULL)
        return YC_EINVAL;
    memset(g, 0, sizeof *g);
    *draft = false;
    if (len > GJ_MAX_TEXT)
        return fail(&c, "genesis document larger than %zu bytes", GJ_MAX_TEXT);
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL)
        return fail(&c, "not valid JSON at line %d, column %d: %s", jerr.line, jerr.column,
                    jerr.text);
    int rc = parse_root(&c, root, flags, draft, g);
    json_decref(root);
    if (rc == YC_OK && !*draft) {
        rc = yc_genesis_finalize(g);
        if (rc != YC_OK)
            rc = fail(&c,
                      "the genesis is inconsistent (%s): check the validator and account "
                      "keys and roles",
                      yc_err_name(rc));
    }
    if (rc != YC_OK)
        yc_genesis_cleanup(g);
    return rc == YC_ENOMEM ? YC_ENOMEM : (rc == YC_OK ? YC_OK : YC_ECONFIG);
}

int yc_genesis_json_load(struct yc_genesis *g, const char *path, char *errbuf, size_t errlen)
{
    bool draft;
    return yc_genesis_json_load_ex(g, path, 0, &draft, errbuf, errlen);
}

int yc_genesis_json_load_ex(struct yc_genesis *g, const char *path, unsigned flags, bool *draft,
                            char *errbuf, size_t errlen)
{
    if (g == NULL || path == NULL || draft == NULL)
        return YC_EINVAL;
    *draft = false;
    memset(g, 0, sizeof *g);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        if (errbuf != NULL && errlen > 0)
            snprintf(errbuf, errlen, "cannot open %s: %s", path, strerror(errno));
        return YC_EIO;
    }
    char *text = malloc(GJ_MAX_TEXT + 1);
    if (text == NULL) {
        fclose(f);
        return YC_ENOMEM;
    }
    size_t n = fread(text, 1, GJ_MAX_TEXT + 1, f);
    int rerr = ferror(f);
    fclose(f);
    if (rerr) {
        free(text);
        if (errbuf != NULL && errlen > 0)
            snprintf(errbuf, errlen, "cannot read %s", path);
        return YC_EIO;
    }
    int rc;
    if (n > GJ_MAX_TEXT) {
        if (errbuf != NULL && errlen > 0)
            snprintf(errbuf, errlen, "%s: larger than %zu bytes", path, GJ_MAX_TEXT);
        rc = YC_ECONFIG;
    } else {
        char msg[400];
        rc = yc_genesis_json_parse_ex(g, text, n, flags, draft, msg, sizeof msg);
        if (rc != YC_OK && errbuf != NULL && errlen > 0)
            snprintf(errbuf, errlen, "%s: %s", path, msg);
    }
    free(text);
    return rc;
}

static json_t *dump_obj(const struct yc_genesis *g, bool draft)
{
    json_t *root = json_object();
    char buf[YC_ADDR_MAX > 32 ? YC_ADDR_MAX : 32];
    if (draft)
        json_object_set_new(root, "draft", json_true());
    json_object_set_new(root, "chain_id", json_string(g->chain_id));
    yc_time_rfc3339(buf, g->genesis_time_ms);
    json_object_set_new(root, "genesis_time", json_string(buf));
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)g->genesis_time_ms);
    json_object_set_new(root, "genesis_time_ms", json_string(buf));

    json_t *p = json_object();
    json_object_set_new(p, "max_block_txs", json_integer(g->params.max_block_txs));
    json_object_set_new(p, "max_block_bytes", json_integer(g->params.max_block_bytes));
    json_object_set_new(p, "max_time_drift_ms",
                        json_integer((json_int_t)g->params.max_time_drift_ms));
    json_object_set_new(p, "notice_blocks", json_integer((json_int_t)g->params.notice_blocks));
    json_object_set_new(p, "exchange_fee_bps", json_integer(g->params.exchange_fee_bps));
    json_object_set_new(p, "open_registration", json_boolean(g->params.open_registration));
    json_object_set_new(p, "valset_delay", json_integer((json_int_t)g->params.valset_delay));
    json_object_set_new(p, "valset_expiry", json_integer((json_int_t)g->params.valset_expiry));
    json_object_set_new(root, "params", p);

    /* the code lists in force, always written out (an empty list means the default) */
    json_t *codes = json_object();
    for (int k = 0; k < 2; k++) {
        struct yc_code_list def;
        const struct yc_code_list *l = k == 0 ? &g->codes.categories : &g->codes.purposes;
        if (l->n == 0) {
            yc_code_list_default(&def, k == 0 ? YC_CODES_CATEGORY : YC_CODES_PURPOSE);
            l = &def;
        }
        json_t *arr = json_array();
        for (uint32_t i = 0; i < l->n && i < YC_CODES_MAX; i++)
            json_array_append_new(arr, json_string(l->codes[i]));
        json_object_set_new(codes, k == 0 ? "categories" : "purposes", arr);
    }
    json_object_set_new(root, "codes", codes);

    json_t *vals = json_array();
    for (uint32_t i = 0; i < g->nvalidators; i++) {
        const struct yc_validator *v = &g->validators[i];
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(v->name));
        if (yc_addr_encode(buf, v->pub) != YC_OK)
            buf[0] = '\0';
        json_object_set_new(o, "pub_key", json_string(buf));
        static const uint8_t zero[YC_PUBKEY_LEN] = {0};
        if (memcmp(v->org, zero, YC_PUBKEY_LEN) != 0 && yc_addr_encode(buf, v->org) == YC_OK)
            json_object_set_new(o, "org", json_string(buf));
        json_array_append_new(vals, o);
    }
    json_object_set_new(root, "validators", vals);

    json_t *accts = json_array();
    for (uint32_t i = 0; i < g->naccounts; i++) {
        const struct yc_genesis_account *a = &g->accounts[i];
        json_t *o = json_object();
        if (yc_addr_encode(buf, a->pub) != YC_OK)
            buf[0] = '\0';
        json_object_set_new(o, "address", json_string(buf));
        json_object_set_new(o, "role", json_string(a->role));
        json_object_set_new(o, "name", json_string(a->name));
        json_object_set_new(o, "jurisdiction", json_string(a->jurisdiction));
        snprintf(buf, sizeof buf, "%llu", (unsigned long long)a->balance);
        json_object_set_new(o, "balance", json_string(buf));
        json_array_append_new(accts, o);
    }
    json_object_set_new(root, "accounts", accts);
    return root;
}

char *yc_genesis_json_dump(const struct yc_genesis *g)
{
    return yc_genesis_json_dump_ex(g, false);
}

char *yc_genesis_json_dump_ex(const struct yc_genesis *g, bool draft)
{
    if (g == NULL)
        return NULL;
    json_t *root = dump_obj(g, draft);
    if (root == NULL)
        return NULL;
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    return text;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return YC_EIO;
        }
        p += w;
        n -= (size_t)w;
    }
    return YC_OK;
}

int yc_genesis_json_save(const struct yc_genesis *g, const char *path)
{
    return yc_genesis_json_save_ex(g, path, false);
}

int yc_genesis_json_save_ex(const struct yc_genesis *g, const char *path, bool draft)
{
    if (g == NULL || path == NULL)
        return YC_EINVAL;
    char *text = yc_genesis_json_dump_ex(g, draft);
    if (text == NULL)
        return YC_ENOMEM;
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    char *dir = malloc(plen + 2);
    if (tmp == NULL || dir == NULL) {
        free(text);
        free(tmp);
        free(dir);
        return YC_ENOMEM;
    }
    snprintf(tmp, plen + 16, "%s.tmp.XXXXXX", path);
    memcpy(dir, path, plen + 1);
    char *slash = strrchr(dir, '/');
    if (slash == NULL)
        strcpy(dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';

    int rc = YC_EIO;
    int fd = mkstemp(tmp);
    if (fd >= 0) {
        rc = write_all(fd, text, strlen(text));
        if (rc == YC_OK)
            rc = write_all(fd, "\n", 1);
        if (rc == YC_OK && fchmod(fd, 0644) != 0)
            rc = YC_EIO;
        if (rc == YC_OK && fsync(fd) != 0)
            rc = YC_EIO;
        if (close(fd) != 0)
            rc = YC_EIO;
        if (rc == YC_OK && rename(tmp, path) != 0)
            rc = YC_EIO;
        if (rc != YC_OK)
            unlink(tmp);
        if (rc == YC_OK) {
            int dfd = open(dir, O_RDONLY | O_DIRECTORY);
            if (dfd < 0 || fsync(dfd) != 0)
                rc = YC_EIO;
            if (dfd >= 0)
                close(dfd);
        }
    }
    free(text);
    free(tmp);
    free(dir);
    return rc;
}
