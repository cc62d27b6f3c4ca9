/*
 * cli.c — yuchain-audit's entry point, the subcommand table, the `replay` command and
 * what the commands share (opening the source, running the replay with progress).
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "yc/cliutil.h"
#include "yc/tx.h"

#include "cli.h"

#define PROG "yuchain-audit"

void audit_errorf(const char *fmt, ...)
{
    va_list ap;
    fputs(PROG ": ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int audit_exit_for(int rc)
{
    switch (rc) {
    case YC_OK:
        return YC_EXIT_OK;
    case YC_EIO:
    case YC_EBUSY:
        return YC_EXIT_IOERR;
    case YC_ECONFIG:
        return YC_EXIT_CONFIG;
    case YC_EUNREACHABLE:
    case YC_EREMOTE:
        return YC_EXIT_UNAVAILABLE;
    default:
        return YC_EXIT_FAIL;
    }
}

/* ---- progress (terminal only, at most five updates a second) ---- */

struct progress {
    bool on;
    uint64_t last_ms;
    bool shown;
};

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void progress_cb(void *ctx, uint64_t height, uint64_t target)
{
    struct progress *p = ctx;
    uint64_t now = mono_ms();
    if (!p->on || (now - p->last_ms < 200 && height != target))
        return;
    p->last_ms = now;
    p->shown = true;
    fprintf(stderr, "\rreplaying block %llu of %llu (%3u%%)", (unsigned long long)height,
            (unsigned long long)target,
            (unsigned)(target > 0 ? height * 100 / target : 100));
    fflush(stderr);
}

static int note_time(void *ctx, uint64_t height, uint64_t time_ms)
{
    struct audit_times *t = ctx;
    if (height >= t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        while (cap <= height)
            cap *= 2;
        uint64_t *n = realloc(t->t, cap * sizeof *n);
        if (n == NULL)
            return YC_ENOMEM;
        t->t = n;
        t->cap = cap;
    }
    t->t[height] = time_ms;
    t->n = height + 1;
    return YC_OK;
}

int audit_run(const struct audit_common *c, uint64_t to, struct audit_src *src,
              memstate **state, struct audit_result *res)
{
    return audit_run_times(c, to, src, state, res, NULL);
}

static int note_attempts(void *ctx, const struct yc_genesis *g, const struct yc_block *b,
                         memstate *before)
{
    return audit_attempts_note(ctx, g, b, before);
}

int audit_run_times(const struct audit_common *c, uint64_t to, struct audit_src *src,
                    memstate **state, struct audit_result *res, struct audit_times *times)
{
    return audit_run_full(c, to, src, state, res, times, NULL);
}

int audit_run_full(const struct audit_common *c, uint64_t to, struct audit_src *src,
                   memstate **state, struct audit_result *res, struct audit_times *times,
                   struct audit_attempts *attempts)
{
    char msg[700] = "";
    int rc;
    *state = NULL;
    memset(res, 0, sizeof *res);
    if (c->home != NULL)
        rc = audit_src_open_home(src, c->home, c->genesis, msg, sizeof msg);
    else
        rc = audit_src_open_node(src, c->node, c->genesis, msg, sizeof msg);
    if (rc == YC_ECORRUPT) {
        res->ok = false;
        res->reason = AUDIT_STORAGE_CORRUPT;
        snprintf(res->detail, sizeof res->detail, "%s", msg);
        return 0;
    }
    if (rc != YC_OK) {
        audit_errorf("%s", msg);
        return audit_exit_for(rc);
    }
    rc = memstate_create(state);
    if (rc != YC_OK) {
        audit_src_close(src);
        audit_errorf("out of memory");
        return YC_EXIT_FAIL;
    }
    struct progress pr = {.on = !c->quiet && isatty(STDERR_FILENO)};
    struct audit_opts o = {
        .to = to, .check_end = true, .progress = progress_cb, .progress_ctx = &pr};
    if (attempts != NULL) {
        o.block_verified = note_attempts;
        o.verified_ctx = attempts;
    }
    if (times != NULL) {
        rc = note_time(times, 0, src->genesis.genesis_time_ms);
        if (rc != YC_OK) {
            memstate_destroy(*state);
            *state = NULL;
            audit_src_close(src);
            audit_errorf("out of memory");
            return YC_EXIT_FAIL;
        }
        o.block_done = note_time;
        o.block_ctx = times;
    }
    rc = audit_replay(&src->genesis, &src->src, &o, *state, res, msg, sizeof msg);
    if (pr.shown)
        fputs("\r\033[K", stderr);
    if (rc != YC_OK) {
        audit_errorf("%s (after %llu verified blocks)", msg, (unsigned long long)res->blocks);
        memstate_destroy(*state);
        *state = NULL;
        audit_src_close(src);
        return audit_exit_for(rc);
    }
    return 0;
}

/* ---- replay: summary and report ---- */

static void hex32(char out[2 * YC_HASH_LEN + 1], const uint8_t h[YC_HASH_LEN])
{
    yc_hex(out, h, YC_HASH_LEN);
}

static char *summary_text(const struct audit_common *c, const struct yc_genesis *g,
                          const struct audit_result *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL)
        return NULL;
    char h[2 * YC_HASH_LEN + 1], t[YC_TIME_STR_MAX];
    if (g != NULL) {
        hex32(h, g->hash);
        fprintf(f, "Yuchain audit of chain %s\n", g->chain_id);
        fprintf(f, "  genesis hash    %s\n", h);
        fprintf(f, "  validators      %u (quorum %u)\n", g->nvalidators,
                yc_quorum(g->nvalidators));
    }
    fprintf(f, "  source          %s %s\n", c->home != NULL ? "home" : "node",
            c->home != NULL ? c->home : c->node);
    if (r->blocks > 0)
        fprintf(f, "  blocks          %llu verified (heights 1..%llu)\n",
                (unsigned long long)r->blocks, (unsigned long long)r->height);
    else
        fprintf(f, "  blocks          0 verified\n");
    fprintf(f, "  transactions    %llu (%llu committed, %llu failed: outcome re-derived, only "
               "the nonce used)\n",
            (unsigned long long)r->txs, (unsigned long long)(r->txs - r->failed),
            (unsigned long long)r->failed);
    for (int i = 0; i < AUDIT_MAX_TYPE; i++) {
        const char *name = yc_tx_type_name((enum yc_tx_type)i);
        if (r->by_type[i] > 0 && name != NULL)
            fprintf(f, "    %-22s %llu\n", name, (unsigned long long)r->by_type[i]);
    }
    if (g != NULL) {
        hex32(h, r->hash);
        yc_time_format(t, r->time_ms);
        fprintf(f, "  last verified   height %llu, hash %s, time %s\n",
                (unsigned long long)r->height, h, t);
        hex32(h, r->state_root);
        fprintf(f, "  state root      %s\n", h);
    }
    if (r->ok)
        fprintf(f, "OK: every block, signature, certificate, outcome, result root and state "
                   "root up to height %llu verified against the genesis\n",
                (unsigned long long)r->height);
    else if (r->fail_height > 0)
        fprintf(f, "FAILED at height %llu: %s: %s\n", (unsigned long long)r->fail_height,
                audit_reason_name(r->reason), r->detail);
    else
        fprintf(f, "FAILED: %s: %s\n", audit_reason_name(r->reason), r->detail);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static json_t *summary_json(const struct yc_genesis *g, const struct audit_result *r)
{
    char h[2 * YC_HASH_LEN + 1], t[YC_TIME_STR_MAX];
    json_t *o = json_object();
    json_object_set_new(o, "ok", json_boolean(r->ok));
    json_object_set_new(o, "blocks", json_integer((json_int_t)r->blocks));
    json_object_set_new(o, "txs", json_integer((json_int_t)r->txs));
    json_object_set_new(o, "failed", json_integer((json_int_t)r->failed));
    if (r->ok) {
        json_object_set_new(o, "height", json_null());
        json_object_set_new(o, "reason", json_null());
        json_object_set_new(o, "code", json_null());
    } else {
        char reason[840];
        snprintf(reason, sizeof reason, "%s: %s", audit_reason_name(r->reason), r->detail);
        json_object_set_new(o, "height", r->fail_height > 0
                                             ? json_integer((json_int_t)r->fail_height)
                                             : json_null());
        json_object_set_new(o, "reason", json_string(reason));
        json_object_set_new(o, "code", json_string(audit_reason_name(r->reason)));
    }
    json_t *types = json_object();
    for (int i = 0; i < AUDIT_MAX_TYPE; i++) {
        const char *name = yc_tx_type_name((enum yc_tx_type)i);
        if (r->by_type[i] > 0 && name != NULL)
            json_object_set_new(types, name, json_integer((json_int_t)r->by_type[i]));
    }
    json_object_set_new(o, "txs_by_type", types);
    if (g != NULL) {
        json_object_set_new(o, "chain_id", json_string(g->chain_id));
        hex32(h, g->hash);
        json_object_set_new(o, "genesis_hash", json_string(h));
        json_t *last = json_object();
        json_object_set_new(last, "height", json_integer((json_int_t)r->height));
        hex32(h, r->hash);
        json_object_set_new(last, "hash", json_string(h));
        hex32(h, r->state_root);
        json_object_set_new(last, "state_root", json_string(h));
        yc_time_format(t, r->time_ms);
        json_object_set_new(last, "time", json_string(t));
        json_object_set_new(o, "verified", last);
    }
    return o;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static const char REPLAY_USAGE[] =
    "usage: " PROG " replay (--home DIR | --node URL) [--genesis FILE] [--to H]\n"
    "                     [--report FILE] [--json] [--quiet]\n"
    "\n"
    "Replays the ledger from its genesis, trusting nothing but the genesis: every block's\n"
    "height and link, proposer and time, every transaction signature and co-signature, the\n"
    "tx root over the signed bytes, the result root over the recorded outcomes, the commit\n"
    "certificate against the genesis validators, and, by re-executing every transaction,\n"
    "each one's outcome (committed, or failed with its code) and the state root. Stops at\n"
    "the first failure, naming its height and the check.\n"
    "\n"
    "  --home DIR      a stopped node's home, or a copy (reads DIR/config/genesis.json\n"
    "                  and DIR/data; writes nothing of its own)\n"
    "  --node URL      a running node's RPC, e.g. http://127.0.0.1:27700\n"
    "  --genesis FILE  the genesis to trust (default: the home's; with --node, the node's\n"
    "                  genesis must equal this file's)\n"
    "  --to H          stop after height H (default: the ledger's tip)\n"
    "  --report FILE   also write the report to FILE (JSON if FILE ends in .json)\n"
    "  --json          print one JSON object\n"
    "                  {\"ok\",\"blocks\",\"txs\",\"failed\",\"height\",\"reason\",\"code\",…}\n"
    "  --quiet         no progress display\n"
    "\n"
    "Exit status: 0 verified, 1 verification failed, 2 usage, 69 node unreachable,\n"
    "74 I/O error, 78 configuration error (bad genesis, another chain's data).\n";

/* Prints the synopsis of a usage text (up to its first blank line) to stderr. */
static void synopsis(const char *usage_text)
{
    const char *end = strstr(usage_text, "\n\n");
    fprintf(stderr, "%.*s\n", end != NULL ? (int)(end - usage_text) : (int)strlen(usage_text),
            usage_text);
}

/* Parses the options every ledger command takes; returns 0, or 2 after a message. */
static int parse_common(int argc, char **argv, const char *usage, struct audit_common *c,
                        uint64_t *to, const char **report, bool *help)
{
    enum { O_HOME = 1, O_NODE, O_GENESIS, O_TO, O_REPORT, O_JSON, O_QUIET, O_HELP };
    static const struct option opts[] = {
        {"home", required_argument, NULL, O_HOME},     {"node", required_argument, NULL, O_NODE},
        {"genesis", required_argument, NULL, O_GENESIS}, {"to", required_argument, NULL, O_TO},
        {"report", required_argument, NULL, O_REPORT}, {"json", no_argument, NULL, O_JSON},
        {"quiet", no_argument, NULL, O_QUIET},         {"help", no_argument, NULL, O_HELP},
        {NULL, 0, NULL, 0}};
    memset(c, 0, sizeof *c);
    *help = false;
    optind = 0; /* full re-initialisation (glibc), so audit_main can run again */
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case O_HOME:
            c->home = optarg;
            break;
        case O_NODE:
            c->node = optarg;
            break;
        case O_GENESIS:
            c->genesis = optarg;
            break;
        case O_TO:
            if (to == NULL) {
                audit_errorf("--to is not an option of this command; see --help");
                return YC_EXIT_USAGE;
            }
            if (yc_parse_u64(optarg, to) != YC_OK || *to == 0) {
                audit_errorf("--to %s: expected a height >= 1", optarg);
                return YC_EXIT_USAGE;
            }
            break;
        case O_REPORT:
            if (report == NULL) {
                audit_errorf("--report is not an option of this command; see --help");
                return YC_EXIT_USAGE;
            }
            *report = optarg;
            break;
        case O_JSON:
            c->json = true;
            break;
        case O_QUIET:
            c->quiet = true;
            break;
        case 'h':
        case O_HELP:
            *help = true;
            return 0;
        default:
            if (ch == '?' && optopt > ' ' && optopt < 0x7f)
                audit_errorf("option -%c is unknown or needs a value; see --help", optopt);
            else
                audit_errorf("%s: unknown option, or it needs a value; see --help",
                             argv[optind - 1]);
            synopsis(usage);
            return YC_EXIT_USAGE;
        }
    }
    if ((c->home == NULL) == (c->node == NULL)) {
        audit_errorf("give exactly one of --home DIR and --node URL");
        synopsis(usage);
        return YC_EXIT_USAGE;
    }
    return 0;
}

static int cmd_replay(int argc, char **argv)
{
    struct audit_common c;
    uint64_t to = 0;
    const char *report = NULL;
    bool help;
    int ex = parse_common(argc, argv, REPLAY_USAGE, &c, &to, &report, &help);
    if (ex != 0 || help) {
        if (help)
            fputs(REPLAY_USAGE, stdout);
        return ex;
    }
    if (optind < argc) {
        audit_errorf("replay: unexpected argument \"%s\"", argv[optind]);
        synopsis(REPLAY_USAGE);
        return YC_EXIT_USAGE;
    }

    struct audit_src src;
    memstate *state = NULL;
    struct audit_result res;
    ex = audit_run(&c, to, &src, &state, &res);
    if (ex != 0)
        return ex;
    const struct yc_genesis *g = state != NULL ? &src.genesis : NULL;

    if (c.json) {
        json_t *o = summary_json(g, &res);
        char *text = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        if (text != NULL)
            printf("%s\n", text);
        free(text);
        if (!res.ok && res.fail_height > 0)
            audit_errorf("verification failed at height %llu: %s: %s",
                         (unsigned long long)res.fail_height, audit_reason_name(res.reason),
                         res.detail);
        else if (!res.ok)
            audit_errorf("verification failed: %s: %s", audit_reason_name(res.reason),
                         res.detail);
    } else {
        char *text = summary_text(&c, g, &res);
        if (text != NULL)
            fputs(text, stdout);
        free(text);
    }
    fflush(stdout);

    ex = res.ok ? YC_EXIT_OK : YC_EXIT_FAIL;
    if (report != NULL) {
        char *text;
        if (ends_with(report, ".json")) {
            json_t *o = summary_json(g, &res);
            text = json_dumps(o, JSON_INDENT(2));
            json_decref(o);
        } else {
            text = summary_text(&c, g, &res);
        }
        int rc = text != NULL ? yc_file_write_atomic(report, text, strlen(text), 0644, true)
                              : YC_ENOMEM;
        free(text);
        if (rc != YC_OK) {
            audit_errorf("cannot write the report %s: %s", report, yc_strerror(rc));
            ex = YC_EXIT_IOERR;
        }
    }
    memstate_destroy(state);
    audit_src_close(&src);
    return ex;
}

/* ---- the table ---- */

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command COMMANDS[] = {
    {"replay", cmd_replay, "verify the whole ledger from its genesis"},
    {"subject", audit_cmd_subject, "a data subject's consents and every use of their data"},
    {"trace", audit_cmd_trace, "the provenance of a data asset: sources, products, uses"},
    {"violations", audit_cmd_violations,
     "re-check every market and supervision rule; list breaches, alerts, failed attempts"},
    {"export", audit_cmd_export,
     "deals, consents, uses, carries, credit, price index, failed attempts as CSV or JSONL"},
};

static void usage(FILE *f)
{
    fputs("usage: " PROG " [--version] [--help] COMMAND [OPTIONS]\n"
          "\n"
          "The regulator's tool: replays a Yuchain ledger from its genesis and checks every\n"
          "signature, certificate and state root, without trusting the node.\n"
          "\n"
          "Commands:\n",
          f);
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        fprintf(f, "  %-10s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
    fputs("\n'" PROG " COMMAND --help' describes a command. Guide: docs/audit.md.\n", f);
}

int audit_main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return YC_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("%s %s\n", PROG, YC_VERSION);
        return YC_EXIT_OK;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return YC_EXIT_OK;
    }
    if (strcmp(cmd, "help") == 0) {
        if (argc < 3) {
            usage(stdout);
            return YC_EXIT_OK;
        }
        static char help_opt[] = "--help";
        char *sub[] = {argv[2], help_opt, NULL};
        for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++) {
            if (strcmp(argv[2], COMMANDS[i].name) == 0)
                return COMMANDS[i].run(2, sub);
        }
        audit_errorf("no command \"%s\"", argv[2]);
        return YC_EXIT_USAGE;
    }
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++) {
        if (strcmp(cmd, COMMANDS[i].name) == 0)
            return COMMANDS[i].run(argc - 1, argv + 1);
    }
    audit_errorf("unknown command \"%s\"", cmd);
    usage(stderr);
    return YC_EXIT_USAGE;
}

int audit_parse_common(int argc, char **argv, const char *usage_text, struct audit_common *c,
                       bool *help)
{
    return parse_common(argc, argv, usage_text, c, NULL, NULL, help);
}
