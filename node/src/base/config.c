/*
 * config.c — node.conf, environment and command-line options from one table
 * (see config.h).
 *
 * The file goes through libinih's ini_parse_stream with our own line reader. Debian's
 * libinih reads lines into a 200-byte stack buffer unless told otherwise at run time:
 * for the parse we switch it to one heap buffer of YC_CFG_LINE_MAX + 2 bytes (the line,
 * its newline, the NUL) and restore its settings after. The reader still knows the size
 * of that buffer (the `num` it is handed) and stops the parse, remembering the line
 * number, when a line would not fit: libinih on its own would cut the line and read the
 * rest as a new line; we never let that happen.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "config.h"
#include "log.h"

#define CONFIG_FILE_MAX (1u << 20)

enum opt_type { OPT_STR, OPT_UINT, OPT_BOOL, OPT_DUR, OPT_ADDR, OPT_LEVEL };

struct opt {
    const char *section;
    const char *key;
    enum opt_type type;
    size_t off;
    size_t size; /* strings: buffer size */
    const char *def;
    uint64_t min, max;
    const char *help;
};

#define F(field) offsetof(struct yc_config, field), sizeof(((struct yc_config *)0)->field)
#define U64MAX UINT64_MAX

static const struct opt opts[] = {
    {"rpc", "laddr", OPT_ADDR, F(rpc_laddr), "127.0.0.1:27700", 0, 0,
     "JSON-RPC / HTTP API listener, host:port (tcp:// prefix allowed)."},
    {"rpc", "max_body_bytes", OPT_UINT, F(rpc_max_body_bytes), "8388608", 1024, 64u << 20,
     "Largest request body accepted, in bytes; larger ones get 413."},
    {"rpc", "max_header_bytes", OPT_UINT, F(rpc_max_header_bytes), "16384", 1024, 1u << 20,
     "Largest request header block accepted, in bytes."},
    {"rpc", "max_open_connections", OPT_UINT, F(rpc_max_open_connections), "256", 1, 65536,
     "Concurrent API connections; at the limit a newcomer closes a lingering or idle "
     "one, else the incomplete request nearest its deadline; refused only if none."},
    {"rpc", "max_connections_per_source", OPT_UINT, F(rpc_max_connections_per_source), "32", 1,
     65536,
     "Concurrent API connections from one address (an IPv6 /64 counts as one), "
     "loopback included; more are refused. Raise it behind a reverse proxy."},
    {"rpc", "max_body_bytes_in_flight", OPT_UINT, F(rpc_max_body_bytes_in_flight), "67108864",
     1u << 20, 1u << 30,
     "Bytes of request bodies held at once over all connections (bodies "
     "up to 64 KiB not counted); beyond it 503 with Retry-After. At least max_body_bytes."},
    {"rpc", "max_batch", OPT_UINT, F(rpc_max_batch), "1000", 1, 100000,
     "Entries in one JSON-RPC batch or broadcast_txs call."},
    {"rpc", "timeout_broadcast_tx_commit", OPT_DUR, F(rpc_timeout_broadcast_tx_commit_ms), "10s", 1,
     600000, "Longest wait of broadcast_tx_commit for the commit."},
    {"rpc", "idle_timeout", OPT_DUR, F(rpc_idle_timeout_ms), "60s", 100, 3600000,
     "An idle keep-alive connection is closed after this."},
    {"rpc", "header_timeout", OPT_DUR, F(rpc_header_timeout_ms), "10s", 100, 600000,
     "A request's line and headers must arrive within this of the connection opening (or "
     "of its first byte on a kept-alive connection); 408 otherwise."},
    {"rpc", "body_timeout", OPT_DUR, F(rpc_body_timeout_ms), "10s", 100, 600000,
     "Longest pause within a request body, and its grace before body_min_rate applies; "
     "408 otherwise."},
    {"rpc", "body_min_rate", OPT_UINT, F(rpc_body_min_rate), "32768", 1, 1u << 30,
     "Bytes per second a request body must average once body_timeout has passed."},
    {"rpc", "cors_allowed_origins", OPT_STR, F(rpc_cors_allowed_origins), "", 0, 0,
     "Browser pages of these origins (comma-separated, e.g. https://explorer.example.org; "
     "* for any) may read the API's answers (CORS); empty: none."},
    {"rpc", "tls_cert_file", OPT_STR, F(rpc_tls_cert_file), "", 0, 0,
     "Serve the API over TLS (https) with this PEM certificate chain; needs tls_key_file. "
     "Relative to the home's config/. Empty: plain HTTP. Re-read on SIGHUP."},
    {"rpc", "tls_key_file", OPT_STR, F(rpc_tls_key_file), "", 0, 0,
     "The certificate's PEM private key, unencrypted; keep it mode 0600."},
    {"rpc", "tls_client_ca_file", OPT_STR, F(rpc_tls_client_ca_file), "", 0, 0,
     "With TLS: require a client certificate signed by a CA in this PEM file; empty: none "
     "asked."},
    {"rpc", "tls_min_version", OPT_STR, F(rpc_tls_min_version), "1.2", 0, 0,
     "Oldest TLS version accepted: 1.2 or 1.3."},
    {"rpc", "public", OPT_BOOL, F(rpc_public), "false", 0, 0,
     "The API is meant to be reachable from other hosts: no start-up warning when laddr is "
     "not a loopback address."},
    {"p2p", "laddr", OPT_ADDR, F(p2p_laddr), "0.0.0.0:27600", 0, 0,
     "Peer-to-peer listener, host:port."},
    {"p2p", "persistent_peers", OPT_STR, F(p2p_persistent_peers), "", 0, 0,
     "Peers to keep connected, comma-separated KEY@host:port list (KEY@ optional: the peer's "
     "yc1 key, a validator's genesis pub_key; another key there is refused). Empty: dial "
     "nobody (the genesis holds no addresses)."},
    {"p2p", "allow_observers", OPT_BOOL, F(p2p_allow_observers), "false", 0, 0,
     "Accept nodes whose key is not a validator's as observers (block sync only)."},
    {"p2p", "max_inbound_handshakes", OPT_UINT, F(p2p_max_inbound_handshakes), "64", 1, 4096,
     "Inbound connections not yet identified (mid-handshake) at once; a newcomer beyond it "
     "evicts the one that got least far, oldest first. Validators, once identified, never "
     "count."},
    {"p2p", "max_handshakes_per_source", OPT_UINT, F(p2p_max_handshakes_per_source), "16", 1, 4096,
     "Of those, from one address (IPv6: one /64); a newcomer beyond it evicts one of "
     "the same address. At most max_inbound_handshakes."},
    {"p2p", "handshake_timeout", OPT_DUR, F(p2p_handshake_timeout_ms), "5s", 100, 60000,
     "A connection not identified this long after it opened is closed."},
    {"p2p", "max_observers", OPT_UINT, F(p2p_max_observers), "16", 1, 4096,
     "Inbound observer connections (with allow_observers); more are refused."},
    {"consensus", "timeout_propose", OPT_DUR, F(cons_timeout_propose_ms), "3s", 50, 3600000,
     "Base view timeout of a height; it doubles with each view change."},
    {"consensus", "create_empty_blocks", OPT_BOOL, F(cons_create_empty_blocks), "false", 0, 0,
     "Propose blocks without transactions (every create_empty_blocks_interval)."},
    {"consensus", "create_empty_blocks_interval", OPT_DUR, F(cons_create_empty_blocks_interval_ms),
     "1s", 1, 3600000, "Interval between empty blocks when create_empty_blocks is true."},
    {"consensus", "batch_delay", OPT_DUR, F(cons_batch_delay_ms), "20ms", 0, 60000,
     "The primary proposes once the oldest pending transaction has waited this long."},
    {"consensus", "batch_max_txs", OPT_UINT, F(cons_batch_max_txs), "2000", 1, 1000000,
     "Transactions that fill a batch (and a block); genesis max_block_txs caps it."},
    {"consensus", "batch_max_bytes", OPT_UINT, F(cons_batch_max_bytes), "4194304", 1024, 8u << 20,
     "Bytes that fill a batch; genesis max_block_bytes caps it."},
    {"consensus", "max_msgs_per_view", OPT_UINT, F(cons_max_msgs_per_view), "4096", 16, 1000000,
     "Consensus messages kept per (height, view)."},
    {"mempool", "size", OPT_UINT, F(mp_size), "50000", 1, 10000000,
     "Most transactions held; more are refused with mempool_full."},
    {"mempool", "max_txs_bytes", OPT_UINT, F(mp_max_txs_bytes), "134217728", 65536, U64MAX,
     "Most bytes of transactions held."},
    {"mempool", "max_nonce_gap", OPT_UINT, F(mp_max_nonce_gap), "64", 0, 1000000,
     "How far a transaction's nonce may lead its sender's next nonce; further is bad_nonce."},
    {"mempool", "max_txs_per_sender", OPT_UINT, F(mp_max_txs_per_sender), "64", 1, 10000000,
     "Most transactions of one sender held; more are refused with mempool_full."},
    {"mempool", "ttl_seconds", OPT_UINT, F(mp_ttl_seconds), "120", 1, 86400,
     "A transaction not in a block this many seconds after it arrived expires."},
    {"mempool", "cache_size", OPT_UINT, F(mp_cache_size), "100000", 16, 100000000,
     "Verified signatures remembered, so each is checked once."},
    {"mempool", "rejected_cache_size", OPT_UINT, F(mp_rejected_cache_size), "10000", 16, 10000000,
     "Refused (and as many expired) transaction ids remembered for the tx method."},
    {"mempool", "max_pending_verify", OPT_UINT, F(mp_max_pending_verify), "10000", 1, 10000000,
     "Submitted transactions waiting for their signature check."},
    {"storage", "state_cache_bytes", OPT_UINT, F(st_state_cache_bytes), "33554432", 0,
     (uint64_t)1 << 40,
     "Committed state (accounts and objects read by blocks and admission) kept in memory "
     "across blocks, at most this many bytes; 0: none, every read goes to LevelDB."},
    {"instrumentation", "prometheus", OPT_BOOL, F(prometheus), "true", 0, 0,
     "Serve the operations listener (/metrics, /livez, /readyz, /version)."},
    {"instrumentation", "prometheus_listen_addr", OPT_ADDR, F(prometheus_listen_addr),
     "127.0.0.1:27800", 0, 0, "Operations listener, host:port."},
    {"instrumentation", "public", OPT_BOOL, F(prometheus_public), "false", 0, 0,
     "The operations listener is meant to be reachable from other hosts: no start-up "
     "warning when prometheus_listen_addr is not a loopback address."},
    {"instrumentation", "tls_cert_file", OPT_STR, F(prometheus_tls_cert_file), "", 0, 0,
     "Serve the operations listener over TLS with this PEM certificate chain, as [rpc] "
     "tls_cert_file; empty: plain HTTP."},
    {"instrumentation", "tls_key_file", OPT_STR, F(prometheus_tls_key_file), "", 0, 0,
     "Its PEM private key, unencrypted; keep it mode 0600."},
    {"instrumentation", "tls_client_ca_file", OPT_STR, F(prometheus_tls_client_ca_file), "", 0, 0,
     "With TLS: require a client certificate (the scraper's) signed by a CA in this file."},
    {"instrumentation", "tls_min_version", OPT_STR, F(prometheus_tls_min_version), "1.2", 0, 0,
     "Oldest TLS version accepted: 1.2 or 1.3."},
    {"instrumentation", "ready_max_stall", OPT_DUR, F(ready_max_stall_ms), "30s", 0, 86400000,
     "/readyz answers 503 once a transaction ready for a block has waited this long and no "
     "block was committed meanwhile (0: never)."},
    {"log", "format", OPT_STR, F(log_format), "text", 0, 0,
     "Log lines on stderr as text or json (one object a line: time, level, component, "
     "msg). A running node re-reads [log] on SIGHUP."},
    {"log", "level", OPT_LEVEL, F(log_level), "info", 0, 0,
     "Log level on stderr: error, warn, info or debug."},
};

#define NOPTS (sizeof opts / sizeof opts[0])

static void errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A CORS allow-list: "*" or origins "scheme://host[:port]" (no path, no spaces inside),
 * separated by commas and spaces; empty is fine. */
static bool valid_origins(const char *v)
{
    for (const char *p = v; *p != '\0';) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t n = strcspn(p, ", ");
        if (n == 0)
            break;
        if (!(n == 1 && p[0] == '*')) {
            const char *sep = memchr(p, ':', n);
            if (sep == NULL || sep == p || sep + 3 > p + n || sep[1] != '/' || sep[2] != '/' ||
                sep + 3 == p + n || memchr(sep + 3, '/', (size_t)(p + n - sep - 3)) != NULL)
                return false;
            for (size_t i = 0; i < n; i++)
                if ((unsigned char)p[i] < 0x21 || (unsigned char)p[i] > 0x7e)
                    return false;
        }
        p += n;
    }
    return true;
}

static void errf(char *err, size_t errlen, const char *fmt, ...)
{
    if (err == NULL || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static const struct opt *find_opt(const char *section, const char *key)
{
    for (size_t i = 0; i < NOPTS; i++) {
        if (strcmp(opts[i].section, section) == 0 && strcmp(opts[i].key, key) == 0)
            return &opts[i];
    }
    return NULL;
}

bool yc_config_has_option(const char *dotted)
{
    const char *dot = strchr(dotted, '.');
    if (dot == NULL || (size_t)(dot - dotted) >= 32)
        return false;
    char section[32];
    memcpy(section, dotted, (size_t)(dot - dotted));
    section[dot - dotted] = '\0';
    return find_opt(section, dot + 1) != NULL;
}

/*
 * Strips surrounding blanks, one pair of double quotes, and a trailing comment
 * (# or ; after the value). Writes at most outlen-1 bytes. Returns false if a quote
 * is unterminated, text follows the closing quote, or the value does not fit.
 */
static bool unquote(const char *in, char *out, size_t outlen)
{
    while (*in == ' ' || *in == '\t')
        in++;
    const char *start, *end;
    if (*in == '"') {
        start = in + 1;
        end = strchr(start, '"');
        if (end == NULL)
            return false;
        const char *rest = end + 1;
        while (*rest == ' ' || *rest == '\t' || *rest == '\r' || *rest == '\n')
            rest++;
        if (*rest != '\0' && *rest != '#' && *rest != ';')
            return false;
        if (memchr(start, '\\', (size_t)(end - start)) != NULL)
            return false; /* escapes are not supported: keep TOML and INI agreeing */
    } else {
        start = in;
        end = in;
        for (const char *p = in; *p != '\0'; p++) {
            if ((*p == '#' || *p == ';') && (p == in || p[-1] == ' ' || p[-1] == '\t'))
                break;
            if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
                end = p + 1;
        }
        /* a bare value may not hold what its quoted form could not: keeps render → parse exact */
        if (memchr(start, '"', (size_t)(end - start)) != NULL ||
            memchr(start, '\\', (size_t)(end - start)) != NULL)
            return false;
    }
    size_t n = (size_t)(end - start);
    if (n >= outlen)
        return false;
    memcpy(out, start, n);
    out[n] = '\0';
    return true;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    if (*s < '0' || *s > '9')
        return false;
    uint64_t v = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        uint64_t d = (uint64_t)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (*s != '\0')
        return false;
    *out = v;
    return true;
}

/* "250ms", "3s", "2m", "1h" or bare milliseconds. */
static bool parse_duration(const char *s, uint64_t *ms)
{
    char num[32];
    size_t i = 0;
    while (s[i] >= '0' && s[i] <= '9' && i < sizeof num - 1) {
        num[i] = s[i];
        i++;
    }
    num[i] = '\0';
    uint64_t v, mul;
    if (i == 0 || !parse_u64(num, &v))
        return false;
    const char *unit = s + i;
    if (*unit == '\0' || strcmp(unit, "ms") == 0)
        mul = 1;
    else if (strcmp(unit, "s") == 0)
        mul = 1000;
    else if (strcmp(unit, "m") == 0)
        mul = 60000;
    else if (strcmp(unit, "h") == 0)
        mul = 3600000;
    else
        return false;
    if (v > UINT64_MAX / mul)
        return false;
    *ms = v * mul;
    return true;
}

/* host:port with an optional tcp:// prefix; host non-empty (IPv6 in brackets). */
static bool valid_addr(const char *s)
{
    if (strncmp(s, "tcp://", 6) == 0)
        s += 6;
    const char *colon = strrchr(s, ':');
    if (colon == NULL || colon == s)
        return false;
    uint64_t port;
    return parse_u64(colon + 1, &port) && port >= 1 && port <= 65535;
}

static int set_opt(struct yc_config *c, const struct opt *o, const char *raw, char *err,
                   size_t errlen)
{
    char v[YC_CFG_LIST_MAX];
    if (!unquote(raw, v, sizeof v)) {
        errf(err, errlen,
             "%s.%s: malformed value (unterminated quote, text after it, "
             "backslash, or longer than %zu bytes)",
             o->section, o->key, sizeof v - 1);
        return YC_ECONFIG;
    }
    char *field = (char *)c + o->off;
    switch (o->type) {
    case OPT_STR:
    case OPT_ADDR:
    case OPT_LEVEL: {
        if (strlen(v) >= o->size) {
            errf(err, errlen, "%s.%s: value longer than %zu bytes", o->section, o->key,
                 o->size - 1);
            return YC_ECONFIG;
        }
        enum yc_log_format lf;
        if (o->off == offsetof(struct yc_config, log_format) && !yc_log_format_parse(v, &lf)) {
            errf(err, errlen, "%s.%s: \"%s\" is not text or json", o->section, o->key, v);
            return YC_ECONFIG;
        }
        if (o->off == offsetof(struct yc_config, rpc_cors_allowed_origins) && !valid_origins(v)) {
            errf(err, errlen,
                 "%s.%s: \"%s\" is not a comma-separated list of origins "
                 "(scheme://host[:port], no path) or *",
                 o->section, o->key, v);
            return YC_ECONFIG;
        }
        if ((o->off == offsetof(struct yc_config, rpc_tls_min_version) ||
             o->off == offsetof(struct yc_config, prometheus_tls_min_version)) &&
            strcmp(v, "1.2") != 0 && strcmp(v, "1.3") != 0) {
            errf(err, errlen, "%s.%s: \"%s\" is not 1.2 or 1.3", o->section, o->key, v);
            return YC_ECONFIG;
        }
        if (o->type == OPT_ADDR && !valid_addr(v)) {
            errf(err, errlen, "%s.%s: \"%s\" is not host:port (port 1-65535)", o->section, o->key,
                 v);
            return YC_ECONFIG;
        }
        enum yc_log_level lvl;
        if (o->type == OPT_LEVEL && !yc_log_level_parse(v, &lvl)) {
            errf(err, errlen, "%s.%s: \"%s\" is not one of error, warn, info, debug", o->section,
                 o->key, v);
            return YC_ECONFIG;
        }
        memcpy(field, v, strlen(v) + 1);
        return YC_OK;
    }
    case OPT_BOOL:
        if (strcmp(v, "true") == 0) {
            *(bool *)(void *)field = true;
        } else if (strcmp(v, "false") == 0) {
            *(bool *)(void *)field = false;
        } else {
            errf(err, errlen, "%s.%s: \"%s\" is not true or false", o->section, o->key, v);
            return YC_ECONFIG;
        }
        return YC_OK;
    case OPT_UINT:
    case OPT_DUR: {
        uint64_t x;
        bool ok = o->type == OPT_UINT ? parse_u64(v, &x) : parse_duration(v, &x);
        if (!ok) {
            errf(err, errlen, "%s.%s: \"%s\" is not %s", o->section, o->key, v,
                 o->type == OPT_UINT ? "a non-negative integer"
                                     : "a duration such as \"250ms\", \"3s\" or \"1m\"");
            return YC_ECONFIG;
        }
        if (x < o->min || x > o->max) {
            errf(err, errlen, "%s.%s: %s is out of range [%llu, %llu]%s", o->section, o->key, v,
                 (unsigned long long)o->min, (unsigned long long)o->max,
                 o->type == OPT_DUR ? " ms" : "");
            return YC_ECONFIG;
        }
        memcpy(field, &x, sizeof x);
        return YC_OK;
    }
    }
    return YC_EINVAL;
}

void yc_config_default(struct yc_config *c)
{
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < NOPTS; i++) {
        int rc = set_opt(c, &opts[i], opts[i].def, NULL, 0);
        (void)rc; /* the table's defaults are valid (checked by the unit test) */
    }
}

int yc_config_set(struct yc_config *c, const char *section, const char *key, const char *value,
                  char *err, size_t errlen)
{
    const struct opt *o = find_opt(section, key);
    if (o == NULL) {
        errf(err, errlen, "unknown option %s.%s", section, key);
        return YC_ECONFIG;
    }
    return set_opt(c, o, value, err, errlen);
}

/* ---- node.conf through libinih ---- */

struct ini_stream {
    const char *p, *end;
    int line;       /* number of the line last handed to libinih */
    int long_line;  /* first line too long for libinih's buffer, 0 if none */
    size_t bufsize; /* libinih's line buffer, as seen by the reader */
};

struct ini_state {
    struct yc_config *c;
    struct ini_stream *st;
    const char *origin;
    char *err;
    size_t errlen;
    bool failed;
};

static char *conf_read_line(char *str, int num, void *stream)
{
    struct ini_stream *st = stream;
    if (st->p >= st->end || st->long_line != 0 || num < 2)
        return NULL;
    const char *nl = memchr(st->p, '\n', (size_t)(st->end - st->p));
    size_t len = nl != NULL ? (size_t)(nl - st->p) + 1 : (size_t)(st->end - st->p);
    st->line++;
    st->bufsize = (size_t)num;
    if (len > (size_t)num - 1) {
        st->long_line = st->line; /* stop: libinih would split this line */
        return NULL;
    }
    memcpy(str, st->p, len);
    str[len] = '\0';
    st->p += len;
    return str;
}

static int conf_on_option(void *user, const char *section, const char *name, const char *value)
{
    struct ini_state *s = user;
    if (s->failed)
        return 0;
    char msg[300];
    int rc;
    if (name == NULL || value == NULL) {
        return 1;
    } else if (section == NULL || section[0] == '\0') {
        snprintf(msg, sizeof msg, "option \"%s\" outside a [section]", name);
        rc = YC_ECONFIG;
    } else {
        rc = yc_config_set(s->c, section, name, value, msg, sizeof msg);
    }
    if (rc != YC_OK) {
        errf(s->err, s->errlen, "%s:%d: %s", s->origin, s->st->line, msg);
        s->failed = true;
        return 0;
    }
    return 1;
}

int yc_config_parse_text(struct yc_config *c, const char *text, size_t len, const char *origin,
                         char *err, size_t errlen)
{
    if (memchr(text, '\0', len) != NULL) {
        errf(err, errlen, "%s: contains a NUL byte; not a text file", origin);
        return YC_ECONFIG;
    }
    struct ini_stream st = {.p = text, .end = text + len};
    struct ini_state s = {.c = c, .st = &st, .origin = origin, .err = err, .errlen = errlen};
    /* libinih's process-wide settings, for this parse only (config.h: not thread-safe) */
    bool use_stack = ini_use_stack, allow_realloc = ini_allow_realloc;
    int max_line = ini_max_line, initial_alloc = ini_initial_alloc;
    ini_use_stack = false;
    ini_allow_realloc = false;
    ini_max_line = YC_CFG_LINE_MAX + 2;
    ini_initial_alloc = YC_CFG_LINE_MAX + 2;
    int rc = ini_parse_stream(conf_read_line, &st, conf_on_option, &s);
    ini_use_stack = use_stack;
    ini_allow_realloc = allow_realloc;
    ini_max_line = max_line;
    ini_initial_alloc = initial_alloc;
    if (st.long_line != 0) {
        errf(err, errlen,
             "%s:%d: line longer than %zu bytes; shorten it (a list such as "
             "persistent_peers may not exceed its own limit either)",
             origin, st.long_line, st.bufsize > 1 ? st.bufsize - 2 : 0);
        return YC_ECONFIG;
    }
    if (s.failed)
        return YC_ECONFIG;
    if (rc == -2) {
        errf(err, errlen, "%s: out of memory", origin);
        return YC_ENOMEM;
    }
    if (rc != 0) {
        errf(err, errlen, "%s:%d: syntax error (expected [section] or key = value)", origin, rc);
        return YC_ECONFIG;
    }
    return YC_OK;
}

int yc_config_load_file(struct yc_config *c, const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        errf(err, errlen, "%s: %s", path, strerror(errno));
        return errno == ENOENT ? YC_ENOTFOUND : YC_EIO;
    }
    char *buf = malloc(CONFIG_FILE_MAX + 1);
    if (buf == NULL) {
        close(fd);
        return YC_ENOMEM;
    }
    size_t len = 0;
    for (;;) {
        ssize_t r = read(fd, buf + len, CONFIG_FILE_MAX + 1 - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            errf(err, errlen, "%s: %s", path, strerror(errno));
            free(buf);
            close(fd);
            return YC_EIO;
        }
        if (r == 0)
            break;
        len += (size_t)r;
        if (len > CONFIG_FILE_MAX) {
            errf(err, errlen, "%s: larger than %u bytes", path, CONFIG_FILE_MAX);
            free(buf);
            close(fd);
            return YC_ECONFIG;
        }
    }
    close(fd);
    int rc = yc_config_parse_text(c, buf, len, path, err, errlen);
    free(buf);
    return rc;
}

static void env_name(char *out, size_t outlen, const struct opt *o)
{
    snprintf(out, outlen, "YUCHAIN_%s_%s", o->section, o->key);
    for (char *p = out; *p != '\0'; p++)
        *p = (char)toupper((unsigned char)*p);
}

int yc_config_apply_env(struct yc_config *c, char *err, size_t errlen)
{
    for (size_t i = 0; i < NOPTS; i++) {
        char name[96];
        env_name(name, sizeof name, &opts[i]);
        const char *v = getenv(name);
        if (v == NULL)
            continue;
        char msg[300];
        if (set_opt(c, &opts[i], v, msg, sizeof msg) != YC_OK) {
            errf(err, errlen, "environment %s: %s", name, msg);
            return YC_ECONFIG;
        }
    }
    return YC_OK;
}

int yc_config_resolve(struct yc_config *c, const char *path, bool file_optional,
                      const struct yc_config_override *ov, size_t nov, char *err, size_t errlen)
{
    yc_config_default(c);
    if (path != NULL) {
        int rc = yc_config_load_file(c, path, err, errlen);
        if (rc == YC_ENOTFOUND && file_optional)
            rc = YC_OK;
        if (rc != YC_OK)
            return rc == YC_ENOTFOUND ? YC_ECONFIG : rc;
    }
    int rc = yc_config_apply_env(c, err, errlen);
    if (rc != YC_OK)
        return rc;
    for (size_t i = 0; i < nov; i++) {
        const char *dot = strchr(ov[i].option, '.');
        char section[32];
        if (dot == NULL || (size_t)(dot - ov[i].option) >= sizeof section) {
            errf(err, errlen, "unknown option --%s", ov[i].option);
            return YC_ECONFIG;
        }
        memcpy(section, ov[i].option, (size_t)(dot - ov[i].option));
        section[dot - ov[i].option] = '\0';
        char msg[300];
        if (yc_config_set(c, section, dot + 1, ov[i].value, msg, sizeof msg) != YC_OK) {
            errf(err, errlen, "--%s: %s", ov[i].option, msg);
            return YC_ECONFIG;
        }
    }
    return YC_OK;
}

/* ---- rendering ---- */

static void format_value(char *out, size_t outlen, const struct yc_config *c, const struct opt *o)
{
    const char *field = (const char *)c + o->off;
    uint64_t x;
    switch (o->type) {
    case OPT_STR:
    case OPT_ADDR:
    case OPT_LEVEL:
        snprintf(out, outlen, "\"%s\"", field);
        break;
    case OPT_BOOL:
        snprintf(out, outlen, "%s", *(const bool *)(const void *)field ? "true" : "false");
        break;
    case OPT_UINT:
        memcpy(&x, field, sizeof x);
        snprintf(out, outlen, "%llu", (unsigned long long)x);
        break;
    case OPT_DUR:
        memcpy(&x, field, sizeof x);
        if (x != 0 && x % 3600000 == 0)
            snprintf(out, outlen, "\"%lluh\"", (unsigned long long)(x / 3600000));
        else if (x != 0 && x % 60000 == 0)
            snprintf(out, outlen, "\"%llum\"", (unsigned long long)(x / 60000));
        else if (x != 0 && x % 1000 == 0)
            snprintf(out, outlen, "\"%llus\"", (unsigned long long)(x / 1000));
        else
            snprintf(out, outlen, "\"%llums\"", (unsigned long long)x);
        break;
    }
}

/* Appends `text` as "# " comment lines of at most RENDER_WIDTH columns, cut between words
 * (a word longer than a line gets a line of its own). Stops quietly at `cap`: the caller
 * sees len >= cap. */
#define RENDER_WIDTH 99
static void put_comment(char *out, size_t cap, size_t *len, const char *text)
{
    const char *p = text;
    while (*p != '\0' && *len < cap) {
        size_t col = 2, n = 0; /* "# " */
        for (;;) {             /* take whole words while they fit */
            size_t w = strcspn(p + n + (n > 0), " ");
            size_t add = w + (n > 0);
            if (n > 0 && col + add > RENDER_WIDTH)
                break;
            n += add;
            col += add;
            if (p[n] == '\0')
                break;
        }
        *len += (size_t)snprintf(out + *len, cap - *len, "# %.*s\n", (int)n, p);
        p += n;
        while (*p == ' ')
            p++;
    }
}

char *yc_config_render(const struct yc_config *c)
{
    size_t cap = 65536 + 2 * YC_CFG_LIST_MAX, len = 0;
    char *out = malloc(cap);
    if (out == NULL)
        return NULL;
    struct yc_config defaults;
    yc_config_default(&defaults);
    len += (size_t)snprintf(
        out + len, cap - len,
        "# node.conf: Yuchain node settings (INI that is also valid TOML).\n"
        "# Every option is listed with its built-in default. Precedence: command line\n"
        "# (--section.key VALUE) > environment (YUCHAIN_SECTION_KEY) > this file > default.\n"
        "# Durations: \"250ms\", \"3s\", \"1m\", \"1h\". Lists: one comma-separated string.\n"
        "# Lines may be up to %d bytes long; longer ones are refused.\n",
        YC_CFG_LINE_MAX);
    const char *section = "";
    for (size_t i = 0; i < NOPTS; i++) {
        const struct opt *o = &opts[i];
        char dv[YC_CFG_LIST_MAX + 8], cv[YC_CFG_LIST_MAX + 8];
        format_value(dv, sizeof dv, &defaults, o);
        format_value(cv, sizeof cv, c, o);
        if (strcmp(section, o->section) != 0) {
            section = o->section;
            len += (size_t)snprintf(out + len, cap - len, "\n[%s]\n", section);
        }
        char env[96], where[sizeof dv + sizeof env + 32];
        env_name(env, sizeof env, o);
        snprintf(where, sizeof where, "Default: %s. Environment: %s.", dv, env);
        put_comment(out, cap, &len, o->help);
        put_comment(out, cap, &len, where);
        if (len < cap)
            len += (size_t)snprintf(out + len, cap - len, "%s = %s\n", o->key, cv);
        if (len >= cap) {
            free(out);
            return NULL;
        }
    }
    return out;
}

void yc_config_print_options(FILE *out)
{
    struct yc_config d;
    yc_config_default(&d);
    for (size_t i = 0; i < NOPTS; i++) {
        char dv[YC_CFG_LIST_MAX + 8];
        format_value(dv, sizeof dv, &d, &opts[i]);
        fprintf(out, "  --%s.%s VALUE  (default %s)\n", opts[i].section, opts[i].key, dv);
    }
}

bool yc_config_addr_is_loopback(const char *addr)
{
    if (strncmp(addr, "tcp://", 6) == 0)
        addr += 6;
    const char *colon = strrchr(addr, ':');
    size_t hlen = colon != NULL ? (size_t)(colon - addr) : strlen(addr);
    char host[YC_CFG_ADDR_MAX];
    if (hlen >= sizeof host)
        return false;
    memcpy(host, addr, hlen);
    host[hlen] = '\0';
    if (strcmp(host, "[::1]") == 0 || strcmp(host, "::1") == 0 ||
        strcasecmp(host, "localhost") == 0)
        return true;
    /* 127.a.b.c: four decimal parts of at most 255, the first 127 */
    unsigned part[4], k = 0;
    const char *p = host;
    while (k < 4) {
        if (*p < '0' || *p > '9')
            return false;
        unsigned v = 0;
        int digits = 0;
        while (*p >= '0' && *p <= '9' && digits < 4) {
            v = v * 10 + (unsigned)(*p++ - '0');
            digits++;
        }
        if (digits > 3 || v > 255)
            return false;
        part[k++] = v;
        if (k < 4 && *p++ != '.')
            return false;
    }
    return *p == '\0' && part[0] == 127;
}

int yc_config_warn_exposed(const struct yc_config *c)
{
    int n = 0;
    if (!c->rpc_public && !yc_config_addr_is_loopback(c->rpc_laddr)) {
        yc_log_warn("config",
                    "rpc.laddr %s is not a loopback address: the API (transactions "
                    "in, the ledger out) can be reached from other hosts. If that is meant, "
                    "set [rpc] public = true (--rpc.public true); else listen on 127.0.0.1 "
                    "behind a reverse proxy with TLS",
                    c->rpc_laddr);
        n++;
    }
    if (c->prometheus && !c->prometheus_public &&
        !yc_config_addr_is_loopback(c->prometheus_listen_addr)) {
        yc_log_warn("config",
                    "instrumentation.prometheus_listen_addr %s is not a loopback "
                    "address: /metrics and /readyz can be reached from other hosts. If that is "
                    "meant, set [instrumentation] public = true (--instrumentation.public "
                    "true); else listen on 127.0.0.1",
                    c->prometheus_listen_addr);
        n++;
    }
    return n;
}

void yc_config_addr_with_port(char *out, size_t outlen, const char *host, unsigned port)
{
    snprintf(out, outlen, "%s:%u", host, port);
}
