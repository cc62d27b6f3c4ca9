/*
 * market.c — `yuchain-audit violations` and `yuchain-audit export`: the regulator's view
 * of the market and its supervision, from the audit's own replayed state.
 *
 * violations: the replay re-executes every transaction of the ledger under core's rules
 *   (a transaction that breaks one is a failed replay, reported as a breach with its
 *   height); then core's whole-state check (yc_market_check: money, escrow, settlement,
 *   grades, export approvals, the negative list in force at each deal, the price index
 *   recomputed from the deals, pledges, credit) runs over the replayed state; then every
 *   alert the policy's rules raised is listed, and every failed attempt that matters to a
 *   regulator (attempts.h: uses outside a consent or license, after revocation or expiry,
 *   without uses left; acts of frozen accounts; core data, the negative list, exports
 *   without assessment). A failed attempt is evidence, not a breach: the ledger refused
 *   it. Exit 0 with no breach, 1 otherwise.
 *
 * export: deals, consents, uses, carries, credit records, the price index and every failed
 *   transaction (failed_attempts, with the rule it breaks when it matters) as RFC 4180
 *   CSV (CRLF, quoted where needed, optional UTF-8 BOM) or JSON Lines, each row with the
 *   height and the id of the transaction it comes from, so that a row can be checked
 *   against the chain; optionally limited to a window of block time.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "yc/alloc.h"
#include "yc/codec.h"
#include "yc/cliutil.h"
#include "yc/json.h"
#include "yc/market.h"
#include "yc/objects.h"
#include "yc/timefmt.h"

#include "cli.h"
#include "names.h"

#define MAX_ARGS 64

/* ---- small formatters ---- */

static void hex(char out[2 * YC_HASH_LEN + 1], const uint8_t *p)
{
    yc_hex(out, p, YC_HASH_LEN);
}

/* Takes `--name VALUE` / `--name=VALUE` / a bare `--flag` out of argv, which the common
 * parser does not know. Returns 0 or 2. */
struct extra {
    const char *name;
    bool flag;
    const char **val; /* value, or "" for a set flag */
};

static int take_extras(int *argc, char **argv, struct extra *ex, size_t nex)
{
    int out = 1;
    for (int i = 1; i < *argc; i++) {
        bool taken = false;
        for (size_t k = 0; k < nex && !taken; k++) {
            size_t n = strlen(ex[k].name);
            if (strncmp(argv[i], "--", 2) != 0 || strncmp(argv[i] + 2, ex[k].name, n) != 0)
                continue;
            const char *rest = argv[i] + 2 + n;
            if (ex[k].flag && rest[0] == '\0') {
                *ex[k].val = "";
                taken = true;
            } else if (!ex[k].flag && rest[0] == '=') {
                *ex[k].val = rest + 1;
                taken = true;
            } else if (!ex[k].flag && rest[0] == '\0') {
                if (i + 1 >= *argc) {
                    audit_errorf("--%s needs a value", ex[k].name);
                    return YC_EXIT_USAGE;
                }
                *ex[k].val = argv[++i];
                taken = true;
            }
        }
        if (!taken)
            argv[out++] = argv[i];
    }
    argv[out] = NULL;
    *argc = out;
    return 0;
}

/* ---- violations ---- */

static const char VIOLATIONS_USAGE[] =
    "usage: yuchain-audit violations (--home DIR | --node URL | --db DIR) [--genesis FILE]\n"
    "                                [--json]\n"
    "\n"
    "Re-checks every rule of the market and its supervision over the whole history:\n"
    "replays and verifies the ledger from its genesis, re-executing every transaction under\n"
    "the ledger's rules (a transaction that breaks one is a breach, with its height); then\n"
    "checks the replayed state as a whole: money conserved (balances plus escrow equal the\n"
    "genesis plus issued minus redeemed), escrows, settlements, no core-grade data traded,\n"
    "export approvals behind every cross-border deal of important data, the negative list\n"
    "in force at each deal, the price index recomputed from the deals, pledges, credit.\n"
    "Lists every breach (none is expected), every alert the policy's rules raised, and\n"
    "every failed attempt that matters to a regulator: a transaction the ledger recorded as\n"
    "failed because it broke a rule — a use of data outside a consent or license (none,\n"
    "revoked, expired, out of its scope, no uses left), an act of a frozen account, core-\n"
    "grade data, the negative list, an export without assessment, a pledged right. The\n"
    "ledger refused them (they changed nothing), so they are evidence, not breaches.\n"
    "\n"
    "  --home DIR, --node URL, --genesis FILE   as for `replay`\n"
    "  --genesis-hash HEX, --require-anchor     as for `replay` (unanchored: a warning)\n"
    "  --db DIR  answer from the audit index kept by `sync` instead of replaying (the\n"
    "            same answer at its height; --genesis/--genesis-hash must match its anchor)\n"
    "  --json    print one JSON object {\"ok\",\"height\",\"blocks\",\"txs\",\"failed\",\n"
    "            \"checked\",\"breaches\":[{\"rule\",\"id\",\"detail\",\"height\"}],\n"
    "            \"alerts\":[…],\"failed_attempts\":[{\"rule\",\"code\",\"height\",\"tx\",…}]}\n"
    "  --quiet   no progress display\n"
    "\n"
    "Exit status: 0 no breach, 1 a breach (or a ledger that fails verification), 2 usage,\n"
    "69 node unreachable, 74 I/O error, 78 configuration error.\n";

struct breaches {
    json_t *arr;
};

static int on_breach(void *ctx, const char *rule, const uint8_t *id, const char *detail)
{
    struct breaches *b = ctx;
    char h[2 * YC_HASH_LEN + 1];
    if (id != NULL)
        hex(h, id);
    json_array_append_new(b->arr, json_pack("{s:s,s:s?,s:s,s:n}", "rule", rule, "id",
                                            id != NULL ? h : NULL, "detail", detail, "height"));
    return 0;
}

struct alerts {
    json_t *arr;
    int err;
};

static int alert_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct alerts *al = ctx;
    struct yc_alert a;
    (void)key;
    (void)klen;
    if (yc_alert_decode(&a, val, vlen) != YC_OK) {
        al->err = YC_ECORRUPT;
        return 1;
    }
    json_array_append_new(al->arr, yc_json_alert(&a)); /* as the node's `alerts` */
    return 0;
}

static void print_violations(json_t *o)
{
    json_t *br = json_object_get(o, "breaches"), *al = json_object_get(o, "alerts"), *x;
    size_t i;
    printf("Replayed %lld blocks, %lld transactions (%lld recorded as failed): every "
           "transaction re-executed under the ledger's rules, every outcome re-derived\n",
           (long long)json_integer_value(json_object_get(o, "blocks")),
           (long long)json_integer_value(json_object_get(o, "txs")),
           (long long)json_integer_value(json_object_get(o, "failed")));
    printf("State checks: %lld objects examined\n",
           (long long)json_integer_value(json_object_get(o, "checked")));
    printf("Breaches: %zu\n", json_array_size(br));
    json_array_foreach(br, i, x)
    {
        json_t *h = json_object_get(x, "height");
        printf("  %s", json_string_value(json_object_get(x, "rule")));
        if (json_is_integer(h))
            printf(" at height %lld", (long long)json_integer_value(h));
        if (json_is_string(json_object_get(x, "id")))
            printf(" %s", json_string_value(json_object_get(x, "id")));
        printf(": %s\n", json_string_value(json_object_get(x, "detail")));
    }
    printf("Alerts: %zu\n", json_array_size(al));
    json_array_foreach(al, i, x)
    {
        printf("  height %s tx %s %s (%s)", json_string_value(json_object_get(x, "height")),
               json_string_value(json_object_get(x, "tx")),
               json_string_value(json_object_get(x, "kind")),
               json_string_value(json_object_get(x, "type")));
        char who[AUDIT_WHO_MAX];
        if (json_is_string(json_object_get(x, "account")))
            printf(" account %s", audit_who(x, "account", who));
        if (json_is_string(json_object_get(x, "asset")))
            printf(" asset %s", json_string_value(json_object_get(x, "asset")));
        const char *amount = json_string_value(json_object_get(x, "amount"));
        if (amount != NULL && strcmp(amount, "0") != 0)
            printf(" amount %s", amount);
        printf("\n");
    }
    json_t *fa = json_object_get(o, "failed_attempts");
    printf("Failed attempts refused by the ledger: %zu\n", json_array_size(fa));
    json_array_foreach(fa, i, x)
    {
        char who[AUDIT_WHO_MAX];
        printf("  %s at height %s tx %s (%s by %s): %s",
               json_string_value(json_object_get(x, "rule")),
               json_string_value(json_object_get(x, "height")),
               json_string_value(json_object_get(x, "tx")),
               json_string_value(json_object_get(x, "type")), audit_who(x, "sender", who),
               json_string_value(json_object_get(x, "code")));
        if (json_is_string(json_object_get(x, "authority")))
            printf(", under %s %s", json_string_value(json_object_get(x, "authority_kind")),
                   json_string_value(json_object_get(x, "authority")));
        if (json_is_string(json_object_get(x, "subject")))
            printf(", data of %s", audit_who(x, "subject", who));
        if (json_is_string(json_object_get(x, "why")))
            printf("\n      %s", json_string_value(json_object_get(x, "why")));
        printf("\n");
    }
    printf("%s\n",
           json_is_true(json_object_get(o, "ok")) ? "OK: no breach" : "FAILED: breaches found");
}

int audit_cmd_violations(int argc, char **argv)
{
    struct audit_common c;
    bool help;
    int ex = audit_parse_common(argc, argv, VIOLATIONS_USAGE, &c, &help);
    if (ex != 0 || help) {
        if (help)
            fputs(VIOLATIONS_USAGE, stdout);
        return ex;
    }
    if (optind != argc) {
        return audit_usage_errorf(VIOLATIONS_USAGE, "violations: unexpected argument \"%s\"",
                                  argv[optind]);
    }
    struct audit_ledger L = {0};
    ex = audit_ledger_open(&c, AUDIT_WANT_ATTEMPTS, &L);
    if (ex != 0)
        return ex;
    const struct audit_result *res = &L.res;
    json_t *o = json_object();
    json_t *fa = json_array();
    for (size_t i = 0; i < L.at.n; i++)
        json_array_append_new(fa, audit_attempt_json(&L.at.a[i]));
    struct breaches b = {.arr = json_array()};
    struct alerts al = {.arr = json_array()};
    uint64_t checked = 0;
    int rc = YC_OK;
    if (!res->ok) {
        /* the replay itself refused: a rule broken (tx_rejected) or a forged ledger */
        char detail[1100];
        snprintf(detail, sizeof detail, "%s: %s", audit_reason_name(res->reason), res->detail);
        json_array_append_new(b.arr,
                              json_pack("{s:s,s:n,s:s,s:I}", "rule", "replay", "id", "detail",
                                        detail, "height", (json_int_t)res->fail_height));
    } else {
        rc = yc_market_check(&L.st, L.g, on_breach, &b, &checked);
        if (rc == YC_OK) {
            uint8_t prefix[YC_KEY_MAX];
            size_t pl = yc_key_prefix(prefix, "alert/");
            rc = L.st.scan(L.st.ctx, prefix, pl, alert_cb, &al);
            if (rc == YC_OK)
                rc = al.err;
        }
        static const char *const alert_keys[] = {"account", NULL};
        static const char *const attempt_keys[] = {"sender", "subject", NULL};
        audit_add_names(al.arr, &L.st, alert_keys);
        audit_add_names(fa, &L.st, attempt_keys);
    }
    struct audit_result r = *res;
    res = &r;
    audit_ledger_close(&L);
    if (rc != YC_OK) {
        json_decref(o);
        json_decref(b.arr);
        json_decref(al.arr);
        json_decref(fa);
        audit_errorf("cannot check the replayed state: %s (%s)", yc_strerror(rc), yc_err_name(rc));
        return YC_EXIT_FAIL;
    }
    bool ok = json_array_size(b.arr) == 0;
    json_object_set_new(o, "ok", json_boolean(ok));
    json_object_set_new(o, "height", json_integer((json_int_t)res->height));
    json_object_set_new(o, "blocks", json_integer((json_int_t)res->blocks));
    json_object_set_new(o, "txs", json_integer((json_int_t)res->txs));
    json_object_set_new(o, "failed", json_integer((json_int_t)res->failed));
    json_object_set_new(o, "checked", json_integer((json_int_t)checked));
    json_object_set_new(o, "breaches", b.arr);
    json_object_set_new(o, "alerts", al.arr);
    json_object_set_new(o, "failed_attempts", fa);
    if (c.json) {
        char *text = json_dumps(o, JSON_COMPACT);
        if (text != NULL)
            puts(text);
        free(text);
    } else {
        print_violations(o);
    }
    json_decref(o);
    if (ferror(stdout))
        return YC_EXIT_IOERR;
    return ok ? YC_EXIT_OK : YC_EXIT_FAIL;
}

/* ---- export ---- */

static const char EXPORT_USAGE[] =
    "usage: yuchain-audit export (--home DIR | --node URL | --db DIR) --format csv|jsonl\n"
    "                            [--kind K] [--out DIR] [--from-time T] [--to-time T] [--bom]\n"
    "\n"
    "Replays and verifies the whole ledger (as `replay` does), then exports from the\n"
    "replayed state the records a regulator files: deals, consents, uses, carries, credit\n"
    "records, the price index, and failed attempts (every transaction the ledger recorded\n"
    "as failed, with its code and, when it matters to a regulator, the rule it breaks).\n"
    "Every row carries the height and the id of the transaction it comes from (for the\n"
    "price index: of the last deal it counts), so a row can be checked against the chain\n"
    "with `tx_proof` (which proves a failure as well as a success).\n"
    "\n"
    "  --format F      csv (RFC 4180: CRLF line ends, fields quoted when needed) or jsonl\n"
    "                  (one JSON object per line, with a \"kind\" field)\n"
    "  --kind K        deals, consents, uses, carries, credit, price_index, failed_attempts\n"
    "                  or all (default);\n"
    "                  CSV to stdout takes one kind at a time\n"
    "  --out DIR       write DIR/<kind>.csv or DIR/<kind>.jsonl for each kind instead\n"
    "  --from-time T, --to-time T   only rows whose block time t is from <= t < to\n"
    "                  (RFC 3339, e.g. 2026-01-01T00:00:00Z; for the price index, the start\n"
    "                  of the period)\n"
    "  --bom           start CSV with a UTF-8 byte order mark, for spreadsheet programs\n"
    "  --home DIR, --node URL, --genesis FILE, --quiet   as for `replay`\n"
    "  --genesis-hash HEX, --require-anchor     as for `replay` (unanchored: a warning)\n"
    "  --db DIR        answer from the audit index kept by `sync` instead of replaying (the\n"
    "                  same rows at its height; --genesis/--genesis-hash must match it)\n"
    "\n"
    "Exit status: 0 exported, 1 the ledger failed verification, 2 usage, 69 node\n"
    "unreachable, 74 I/O error, 78 configuration error.\n";

enum col_type { C_STR, C_U64, C_BOOL };

struct col {
    const char *name;
    enum col_type type;
    char sval[512]; /* C_STR: the text (addresses, hex, codes, joined lists) */
    uint64_t uval;
    bool bval;
    bool null;
    char nbuf[64]; /* the name when built ("<account column>_name") */
};

#define MAX_COLS 40

struct row {
    struct col c[MAX_COLS];
    size_t n;
};

static void row_reset(struct row *r)
{
    r->n = 0;
}

static struct col *col_add(struct row *r, const char *name, enum col_type t)
{
    struct col *c = &r->c[r->n++];
    c->name = name;
    c->type = t;
    c->null = false;
    c->sval[0] = '\0';
    return c;
}

/* Copies len bytes of p into c->sval, cut to what it holds (511 bytes). */
static void col_copy(struct col *c, const char *p, size_t len)
{
    size_t n = len < sizeof c->sval - 1 ? len : sizeof c->sval - 1;
    if (n > 0)
        memcpy(c->sval, p, n);
    c->sval[n] = '\0';
}

static void col_str(struct row *r, const char *name, const char *v)
{
    struct col *c = col_add(r, name, C_STR);
    if (v == NULL)
        c->null = true;
    else
        col_copy(c, v, strlen(v));
}

static void col_slice(struct row *r, const char *name, const struct yc_slice *s)
{
    col_copy(col_add(r, name, C_STR), (const char *)s->p, s->len);
}

/* The items joined with ';', cut to what sval holds (511 bytes). */
static void col_list(struct row *r, const char *name, const struct yc_list *l)
{
    struct col *c = col_add(r, name, C_STR);
    size_t off = 0, room = sizeof c->sval - 1;
    for (uint32_t i = 0; i < l->n && off < room; i++) {
        if (i > 0)
            c->sval[off++] = ';';
        size_t len = l->items[i].len < room - off ? l->items[i].len : room - off;
        if (len > 0)
            memcpy(c->sval + off, l->items[i].p, len);
        off += len;
    }
    c->sval[off] = '\0';
}

static void col_hex(struct row *r, const char *name, const uint8_t *p)
{
    struct col *c = col_add(r, name, C_STR);
    if (p == NULL)
        c->null = true;
    else
        hex(c->sval, p);
}

/* An account: its address under `name`, its registered name under "<name>_name" (empty
 * when it has none; both null when there is no account). */
static void col_addr(struct row *r, struct audit_namer *names, const char *name, const uint8_t *pub)
{
    struct col *c = col_add(r, name, C_STR);
    size_t nl = strlen(name);
    struct col *cn = col_add(r, NULL, C_STR);
    if (nl > sizeof cn->nbuf - sizeof "_name")
        nl = sizeof cn->nbuf - sizeof "_name";
    memcpy(cn->nbuf, name, nl);
    memcpy(cn->nbuf + nl, "_name", sizeof "_name");
    cn->name = cn->nbuf;
    if (pub == NULL) {
        c->null = cn->null = true;
    } else {
        const char *a, *n;
        audit_namer_get(names, pub, &a, &n);
        col_copy(c, a, strlen(a));
        col_copy(cn, n, strlen(n));
    }
}

static void col_u64(struct row *r, const char *name, uint64_t v)
{
    col_add(r, name, C_U64)->uval = v;
}

static void col_bool(struct row *r, const char *name, bool v)
{
    col_add(r, name, C_BOOL)->bval = v;
}

static void col_time(struct row *r, const char *name, uint64_t ms)
{
    struct col *c = col_add(r, name, C_STR);
    yc_time_rfc3339(c->sval, ms);
}

/* The output, written through a buffer of its own (millions of small pieces). */
struct out {
    FILE *f;
    size_t n;
    char buf[1 << 16];
};

static void out_flush(struct out *o)
{
    if (o->n > 0)
        fwrite(o->buf, 1, o->n, o->f);
    o->n = 0;
}

static void out_put(struct out *o, const char *p, size_t len)
{
    if (len > sizeof o->buf - o->n) {
        out_flush(o);
        if (len > sizeof o->buf) {
            fwrite(p, 1, len, o->f);
            return;
        }
    }
    memcpy(o->buf + o->n, p, len);
    o->n += len;
}

static void out_str(struct out *o, const char *s)
{
    out_put(o, s, strlen(s));
}

static void out_u64(struct out *o, uint64_t v)
{
    char b[24];
    size_t i = sizeof b;
    do {
        b[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    out_put(o, b + i, sizeof b - i);
}

/* RFC 4180: quote a field containing a comma, quote, CR or LF; double the quotes. */
static void csv_field(struct out *o, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        out_str(o, s);
        return;
    }
    out_put(o, "\"", 1);
    for (; *s; s++) {
        if (*s == '"')
            out_put(o, "\"", 1);
        out_put(o, s, 1);
    }
    out_put(o, "\"", 1);
}

/* A JSON string as jansson's compact dump writes it: '"', '\\' and control characters
 * escaped (\b \f \n \r \t, else \u00XX), everything else as is. */
static void json_str(struct out *o, const char *s)
{
    out_put(o, "\"", 1);
    const char *run = s;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch >= 0x20 && ch != '"' && ch != '\\')
            continue;
        out_put(o, run, (size_t)(s - run));
        run = s + 1;
        char e[8];
        switch (ch) {
        case '"':
            out_put(o, "\\\"", 2);
            break;
        case '\\':
            out_put(o, "\\\\", 2);
            break;
        case '\b':
            out_put(o, "\\b", 2);
            break;
        case '\f':
            out_put(o, "\\f", 2);
            break;
        case '\n':
            out_put(o, "\\n", 2);
            break;
        case '\r':
            out_put(o, "\\r", 2);
            break;
        case '\t':
            out_put(o, "\\t", 2);
            break;
        default:
            snprintf(e, sizeof e, "\\u%04X", ch);
            out_put(o, e, 6);
        }
    }
    out_put(o, run, (size_t)(s - run));
    out_put(o, "\"", 1);
}

/* True if s is printable ASCII without '"' or '\\' (almost every value: addresses, hex,
 * times, codes), which json_str would write as it is; its length in *len. One pass instead
 * of a UTF-8 check, a length and json_str's scan. */
static bool json_plain(const char *s, size_t *len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    for (; p[i] != 0; i++)
        if (p[i] < 0x20 || p[i] > 0x7e || p[i] == '"' || p[i] == '\\')
            return false;
    *len = i;
    return true;
}

struct sink {
    const char *format; /* "csv" | "jsonl" */
    const struct audit_attempts *attempts;
    struct out *o;
    bool header_done;
    const char *kind;
    uint64_t from, to; /* time window */
    const struct audit_times *times;
    struct audit_namer *state; /* account names from the verified state */
    uint64_t rows;
};

static void emit(struct sink *s, const struct row *r, uint64_t t)
{
    if (t < s->from || t >= s->to)
        return;
    s->rows++;
    struct out *o = s->o;
    if (strcmp(s->format, "csv") == 0) {
        if (!s->header_done) {
            for (size_t i = 0; i < r->n; i++) {
                if (i > 0)
                    out_put(o, ",", 1);
                csv_field(o, r->c[i].name);
            }
            out_put(o, "\r\n", 2);
            s->header_done = true;
        }
        for (size_t i = 0; i < r->n; i++) {
            const struct col *c = &r->c[i];
            if (i > 0)
                out_put(o, ",", 1);
            if (c->null)
                continue;
            if (c->type == C_U64)
                out_u64(o, c->uval);
            else if (c->type == C_BOOL)
                out_str(o, c->bval ? "true" : "false");
            else
                csv_field(o, c->sval);
        }
        out_put(o, "\r\n", 2);
        return;
    }
    /* one JSON object, its members in column order; 64-bit integers travel as decimal
     * strings; a text that is not UTF-8 (cut inside a character at 511 bytes) is left
     * out, as jansson, which wrote these lines before, left it out */
    out_str(o, "{\"kind\":");
    json_str(o, s->kind);
    for (size_t i = 0; i < r->n; i++) {
        const struct col *c = &r->c[i];
        size_t len = 0;
        bool plain = !c->null && c->type == C_STR && json_plain(c->sval, &len);
        if (!c->null && c->type == C_STR && !plain &&
            !yc_utf8_valid((const uint8_t *)c->sval, strlen(c->sval)))
            continue;
        /* the member's name: a column name, plain ASCII written as it is */
        out_put(o, ",\"", 2);
        out_str(o, c->name);
        out_put(o, "\":", 2);
        if (plain) {
            out_put(o, "\"", 1);
            out_put(o, c->sval, len);
            out_put(o, "\"", 1);
        } else if (c->null) {
            out_str(o, "null");
        } else if (c->type == C_U64) {
            out_put(o, "\"", 1);
            out_u64(o, c->uval);
            out_put(o, "\"", 1);
        } else if (c->type == C_BOOL) {
            out_str(o, c->bval ? "true" : "false");
        } else {
            json_str(o, c->sval);
        }
    }
    out_put(o, "}\n", 2);
}

/* Block time of height h (0 if beyond the replay: cannot happen for stored objects). */
static uint64_t time_at(const struct sink *s, uint64_t h)
{
    return h < s->times->n ? s->times->t[h] : 0;
}

struct scan_ctx {
    struct sink *s;
    struct audit_namer *state;
    int err;
};

static int deal_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct scan_ctx *x = ctx;
    struct yc_deal d;
    struct row r;
    if (klen < YC_HASH_LEN || yc_deal_decode(&d, val, vlen) != YC_OK) {
        x->err = YC_ECORRUPT;
        return 1;
    }
    row_reset(&r);
    col_u64(&r, "height", d.height);
    col_hex(&r, "tx", key + klen - YC_HASH_LEN);
    col_time(&r, "time", d.time_ms);
    col_hex(&r, "listing", d.listing);
    col_hex(&r, "bid", d.bid);
    col_hex(&r, "asset", d.asset);
    col_slice(&r, "offer", &d.offer);
    col_addr(&r, x->state, "seller", d.seller);
    col_addr(&r, x->state, "buyer", d.buyer);
    col_u64(&r, "price", d.price);
    col_u64(&r, "fee", d.fee);
    col_slice(&r, "sector", &d.sector);
    col_bool(&r, "cross_border", d.cross_border);
    if (d.destination.len > 0)
        col_slice(&r, "destination", &d.destination);
    else
        col_str(&r, "destination", NULL);
    col_hex(&r, "assessment", d.has_assessment ? d.assessment : NULL);
    col_hex(&r, "license", d.has_license ? d.license : NULL);
    col_u64(&r, "policy_version", d.policy_version);
    emit(x->s, &r, d.time_ms);
    return 0;
}

static int consent_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct scan_ctx *x = ctx;
    struct yc_consent c;
    struct row r;
    if (klen < YC_HASH_LEN || yc_consent_decode(&c, val, vlen) != YC_OK) {
        x->err = YC_ECORRUPT;
        return 1;
    }
    uint64_t t = time_at(x->s, c.granted_at);
    row_reset(&r);
    col_u64(&r, "height", c.granted_at);
    col_hex(&r, "tx", key + klen - YC_HASH_LEN);
    col_time(&r, "time", t);
    col_addr(&r, x->state, "subject", c.subject);
    col_addr(&r, x->state, "processor", c.processor);
    col_list(&r, "categories", &c.categories);
    col_list(&r, "purposes", &c.purposes);
    col_list(&r, "operations", &c.operations);
    col_slice(&r, "jurisdiction", &c.jurisdiction);
    col_time(&r, "not_before", c.not_before);
    col_time(&r, "until", c.until);
    col_u64(&r, "fee_per_use", c.fee_per_use);
    col_u64(&r, "max_uses", c.max_uses);
    col_u64(&r, "uses", c.uses);
    col_u64(&r, "revoked_at", c.revoked_at);
    col_str(&r, "status",
            yc_consent_status(&c, x->s->times->n > 0 ? x->s->times->t[x->s->times->n - 1] : 0));
    emit(x->s, &r, t);
    return 0;
}

static int usage_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct scan_ctx *x = ctx;
    struct yc_usage u;
    struct row r;
    if (klen < YC_HASH_LEN || yc_usage_decode(&u, val, vlen) != YC_OK) {
        x->err = YC_ECORRUPT;
        return 1;
    }
    row_reset(&r);
    col_u64(&r, "height", u.height);
    col_hex(&r, "tx", key + klen - YC_HASH_LEN);
    col_time(&r, "time", u.time_ms);
    col_addr(&r, x->state, "user", u.user);
    col_addr(&r, x->state, "subject", u.subject);
    col_slice(&r, "authority_kind", &u.authority_kind);
    col_hex(&r, "authority", u.authority);
    col_hex(&r, "asset", u.has_asset ? u.asset : NULL);
    col_slice(&r, "purpose", &u.purpose);
    col_slice(&r, "operation", &u.operation);
    col_slice(&r, "category", &u.category);
    col_u64(&r, "fee", u.fee);
    col_hex(&r, "input", u.has_input ? u.input : NULL);
    col_hex(&r, "output", u.has_output ? u.output : NULL);
    emit(x->s, &r, u.time_ms);
    return 0;
}

static int carry_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct scan_ctx *x = ctx;
    struct yc_carry c;
    struct row r;
    if (klen < YC_HASH_LEN || yc_carry_decode(&c, val, vlen) != YC_OK) {
        x->err = YC_ECORRUPT;
        return 1;
    }
    uint64_t t = time_at(x->s, c.requested_at);
    row_reset(&r);
    col_u64(&r, "height", c.requested_at);
    col_hex(&r, "tx", key + klen - YC_HASH_LEN);
    col_time(&r, "time", t);
    col_addr(&r, x->state, "subject", c.subject);
    col_addr(&r, x->state, "holder", c.holder);
    col_addr(&r, x->state, "recipient", c.recipient);
    col_hex(&r, "asset", c.has_asset ? c.asset : NULL);
    col_list(&r, "categories", &c.categories);
    col_slice(&r, "status", &c.status);
    col_u64(&r, "closed_at", c.closed_at);
    col_hex(&r, "package", c.has_package ? c.package : NULL);
    if (c.reason.len > 0)
        col_slice(&r, "reason", &c.reason);
    else
        col_str(&r, "reason", NULL);
    emit(x->s, &r, t);
    return 0;
}

static int credit_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct scan_ctx *x = ctx;
    struct yc_credit c;
    struct row r;
    if (klen < YC_HASH_LEN || yc_credit_decode(&c, val, vlen) != YC_OK) {
        x->err = YC_ECORRUPT;
        return 1;
    }
    row_reset(&r);
    col_u64(&r, "height", c.height);
    col_hex(&r, "tx", key + klen - YC_HASH_LEN);
    col_time(&r, "time", c.time_ms);
    col_addr(&r, x->state, "account", c.account);
    col_slice(&r, "severity", &c.severity);
    col_slice(&r, "reason", &c.reason);
    col_hex(&r, "evidence", c.evidence);
    col_addr(&r, x->state, "regulator", c.regulator);
    col_slice(&r, "status", &c.status);
    col_u64(&r, "resolved_at", c.resolved_at);
    if (c.has_objection)
        col_slice(&r, "objection_reason", &c.objection_reason);
    else
        col_str(&r, "objection_reason", NULL);
    if (c.note.len > 0)
        col_slice(&r, "note", &c.note);
    else
        col_str(&r, "note", NULL);
    emit(x->s, &r, c.time_ms);
    return 0;
}

static int price_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct scan_ctx *x = ctx;
    struct yc_price_point p;
    struct row r;
    (void)key;
    (void)klen;
    if (yc_price_decode(&p, val, vlen) != YC_OK) {
        x->err = YC_ECORRUPT;
        return 1;
    }
    row_reset(&r);
    col_u64(&r, "height", p.last_height);
    col_hex(&r, "tx", p.last_tx);
    col_time(&r, "time", p.period);
    col_slice(&r, "sector", &p.sector);
    col_u64(&r, "period", p.period);
    col_u64(&r, "count", p.count);
    col_u64(&r, "volume", p.volume);
    col_u64(&r, "vwap", p.vwap);
    col_u64(&r, "high", p.high);
    col_u64(&r, "low", p.low);
    emit(x->s, &r, p.period);
    return 0;
}

/* Failed attempts come from the blocks (the state keeps no trace of them), in ledger
 * order; `rule` is empty when the failure does not matter to a regulator. */
static void export_attempts(struct sink *s)
{
    struct row r;
    for (size_t i = 0; i < s->attempts->n; i++) {
        const struct audit_attempt *a = &s->attempts->a[i];
        bool use = a->authority_kind != NULL;
        const char *type = yc_tx_type_name(a->type);
        row_reset(&r);
        col_u64(&r, "height", a->height);
        col_hex(&r, "tx", a->id);
        col_time(&r, "time", a->time_ms);
        col_u64(&r, "index", a->index);
        col_str(&r, "type", type != NULL ? type : "?");
        col_addr(&r, s->state, "sender", a->sender);
        col_str(&r, "code", yc_err_name(a->code));
        col_str(&r, "rule", a->rule);
        col_str(&r, "authority_kind", a->authority_kind);
        col_hex(&r, "authority", use ? a->authority : NULL);
        col_addr(&r, s->state, "subject", a->has_subject ? a->subject : NULL);
        col_hex(&r, "asset", a->has_asset ? a->asset : NULL);
        col_str(&r, "purpose", use && a->purpose[0] ? a->purpose : NULL);
        col_str(&r, "operation", use && a->operation[0] ? a->operation : NULL);
        col_str(&r, "category", use && a->category[0] ? a->category : NULL);
        col_str(&r, "why", a->why[0] ? a->why : NULL);
        emit(s, &r, a->time_ms);
    }
}

static const struct {
    const char *kind;
    const char *prefix; /* NULL: not from the state (failed attempts) */
    yc_state_visit_cb cb;
} KINDS[] = {
    {"deals", "deal/", deal_cb},      {"consents", "consent/", consent_cb},
    {"uses", "usage/", usage_cb},     {"carries", "carry/", carry_cb},
    {"credit", "credit/", credit_cb}, {"price_index", "price_index/", price_cb},
    {"failed_attempts", NULL, NULL},
};
#define NKINDS (sizeof KINDS / sizeof KINDS[0])

static int export_kind(struct sink *s, const struct yc_state_src *state, size_t k, bool bom)
{
    struct scan_ctx x = {.s = s, .state = s->state};
    uint8_t prefix[YC_KEY_MAX];
    s->kind = KINDS[k].kind;
    s->header_done = false;
    if (bom && strcmp(s->format, "csv") == 0)
        out_str(s->o, "\xEF\xBB\xBF");
    if (KINDS[k].prefix == NULL) {
        export_attempts(s);
        return YC_OK;
    }
    size_t pl = yc_key_prefix(prefix, KINDS[k].prefix);
    int rc = state->scan(state->ctx, prefix, pl, KINDS[k].cb, &x);
    return rc == YC_OK ? x.err : rc;
}

static int parse_window(const char *from, const char *to, uint64_t *f, uint64_t *t)
{
    uint64_t now = yc_time_now_ms();
    *f = 0;
    *t = UINT64_MAX;
    if (from != NULL && yc_time_parse(from, now, f) != YC_OK) {
        audit_errorf("--from-time %s: expected RFC 3339, e.g. 2026-01-01T00:00:00Z", from);
        return YC_EXIT_USAGE;
    }
    if (to != NULL && yc_time_parse(to, now, t) != YC_OK) {
        audit_errorf("--to-time %s: expected RFC 3339, e.g. 2026-01-01T00:00:00Z", to);
        return YC_EXIT_USAGE;
    }
    return 0;
}

int audit_cmd_export(int argc, char **argv)
{
    char *args[MAX_ARGS + 1];
    const char *format = NULL, *kind = NULL, *outdir = NULL, *from = NULL, *to = NULL, *bom = NULL;
    struct extra extras[] = {
        {"format", false, &format},  {"kind", false, &kind},  {"out", false, &outdir},
        {"from-time", false, &from}, {"to-time", false, &to}, {"bom", true, &bom},
    };
    if (argc > MAX_ARGS) {
        audit_errorf("export: too many arguments");
        return YC_EXIT_USAGE;
    }
    memcpy(args, argv, (size_t)argc * sizeof *args);
    args[argc] = NULL;
    int ex = take_extras(&argc, args, extras, sizeof extras / sizeof extras[0]);
    if (ex != 0)
        return ex;
    struct audit_common c;
    bool help;
    ex = audit_parse_common(argc, args, EXPORT_USAGE, &c, &help);
    if (ex != 0 || help) {
        if (help)
            fputs(EXPORT_USAGE, stdout);
        return ex;
    }
    if (optind != argc) {
        return audit_usage_errorf(EXPORT_USAGE, "export: unexpected argument \"%s\"", args[optind]);
    }
    if (format == NULL)
        return audit_usage_errorf(EXPORT_USAGE,
                                  "export: --format csv or --format jsonl is required");
    if (strcmp(format, "csv") != 0 && strcmp(format, "jsonl") != 0)
        return audit_usage_errorf(EXPORT_USAGE, "export: --format %s: expected csv or jsonl",
                                  format);
    size_t only = NKINDS; /* NKINDS: all */
    if (kind != NULL && strcmp(kind, "all") != 0) {
        for (size_t k = 0; k < NKINDS; k++)
            if (strcmp(kind, KINDS[k].kind) == 0)
                only = k;
        if (only == NKINDS) {
            audit_errorf("export: --kind %s: expected deals, consents, uses, carries, credit, "
                         "price_index, failed_attempts or all",
                         kind);
            return YC_EXIT_USAGE;
        }
    }
    if (strcmp(format, "csv") == 0 && only == NKINDS && outdir == NULL) {
        audit_errorf("export: CSV to stdout holds one kind: give --kind K, or --out DIR for "
                     "one file per kind");
        return YC_EXIT_USAGE;
    }
    struct sink s = {.format = format};
    ex = parse_window(from, to, &s.from, &s.to);
    if (ex != 0)
        return ex;

    bool want_attempts = only == NKINDS || KINDS[only].prefix == NULL;
    struct audit_ledger L = {.at = {.all = true}};
    ex = audit_ledger_open(&c, AUDIT_WANT_TIMES | (want_attempts ? AUDIT_WANT_ATTEMPTS : 0u), &L);
    if (ex != 0)
        return ex;
    if (!L.res.ok) {
        audit_json_refused(&c, &L.res);
        audit_errorf("the ledger fails verification at height %llu: %s: %s; nothing from it "
                     "can be trusted",
                     (unsigned long long)L.res.fail_height, audit_reason_name(L.res.reason),
                     L.res.detail);
        audit_ledger_close(&L);
        return YC_EXIT_FAIL;
    }
    s.attempts = &L.at;
    s.state = audit_namer_create(&L.st);
    s.times = &L.times;
    s.o = yc_malloc(sizeof *s.o);
    int rc = s.state != NULL && s.o != NULL ? YC_OK : YC_ENOMEM;
    if (rc == YC_OK && outdir != NULL && mkdir(outdir, 0755) != 0) {
        struct stat st;
        if (stat(outdir, &st) != 0 || !S_ISDIR(st.st_mode)) {
            audit_errorf("export: cannot create directory %s", outdir);
            rc = YC_EIO;
        }
    }
    for (size_t k = 0; k < NKINDS && rc == YC_OK; k++) {
        if (only != NKINDS && k != only)
            continue;
        FILE *f = stdout;
        if (outdir != NULL) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s.%s", outdir, KINDS[k].kind, format);
            f = fopen(path, "w");
            if (f == NULL) {
                audit_errorf("export: cannot write %s", path);
                rc = YC_EIO;
                break;
            }
        }
        s.o->f = f;
        s.o->n = 0;
        rc = export_kind(&s, &L.st, k, bom != NULL);
        out_flush(s.o);
        if (f != stdout && fclose(f) != 0 && rc == YC_OK)
            rc = YC_EIO;
    }
    uint64_t height = L.res.height;
    audit_namer_destroy(s.state);
    yc_free(s.o);
    audit_ledger_close(&L);
    if (rc == YC_EIO || ferror(stdout))
        return YC_EXIT_IOERR;
    if (rc != YC_OK) {
        audit_errorf("export: %s (%s)", yc_strerror(rc), yc_err_name(rc));
        return YC_EXIT_FAIL;
    }
    if (!c.quiet)
        fprintf(stderr, "exported %llu row(s) up to height %llu\n", (unsigned long long)s.rows,
                (unsigned long long)height);
    return YC_EXIT_OK;
}
