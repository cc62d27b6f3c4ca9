/*
 * trace.c — `yuchain-audit trace ID`: the provenance of a data asset (its ancestry,
 * descendants, every license and every use) from the audit's own replayed state,
 * rendered by the read side (read/include/yc/provenance.h) exactly as the node's `provenance`
 * RPC renders it, so the two can be compared byte for byte.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yc/cliutil.h"
#include "yc/hash.h"
#include "yc/provenance.h"

#include "cli.h"

#define TRACE_MAX_BYTES ((size_t)64 << 20)
#define TRACE_MAX_ARGS 64

static const char TRACE_USAGE[] =
    "usage: yuchain-audit trace ID (--home DIR | --node URL | --db DIR) [--format F]\n"
    "                           [--genesis FILE]\n"
    "\n"
    "Replays and verifies the whole ledger (as `replay` does), then prints, from the\n"
    "replayed state, the provenance of data asset ID (64 hex digits): the asset, its\n"
    "ancestry and descendants, their rights and holders, every license granted on them\n"
    "and every use recorded under those licenses.\n"
    "\n"
    "  --home DIR, --node URL, --genesis FILE   as for `replay`\n"
    "  --genesis-hash HEX, --require-anchor     as for `replay` (unanchored: a warning)\n"
    "  --db DIR     answer from the audit index kept by `sync` instead of replaying (the\n"
    "               same answer at its height; --genesis/--genesis-hash must match it)\n"
    "  --format F   text (default), json, dot (Graphviz) or prov-json (W3C PROV-JSON);\n"
    "               json, dot and prov-json are byte for byte what the node's\n"
    "               `provenance` method computes at the same height\n"
    "  --json       same as --format json\n"
    "  --quiet      no progress display\n"
    "\n"
    "Exit status: 0 printed, 1 the ledger failed verification or has no such asset,\n"
    "2 usage, 65 bad id, 69 node unreachable, 74 I/O error, 78 configuration error.\n";

/* Takes --format out of argv (the common parser does not know it). Returns 0 or 2. */
static int take_format(int *argc, char **argv, const char **fmt)
{
    int out = 1;
    for (int i = 1; i < *argc; i++) {
        if (strcmp(argv[i], "--format") == 0) {
            if (i + 1 >= *argc) {
                audit_errorf("trace: --format needs a value");
                return YC_EXIT_USAGE;
            }
            *fmt = argv[++i];
        } else if (strncmp(argv[i], "--format=", 9) == 0) {
            *fmt = argv[i] + 9;
        } else {
            argv[out++] = argv[i];
        }
    }
    argv[out] = NULL;
    *argc = out;
    return 0;
}

int audit_cmd_trace(int argc, char **argv)
{
    char *args[TRACE_MAX_ARGS + 1];
    const char *fname = NULL;
    enum yc_prov_format f = YC_PROV_TEXT;

    if (argc > TRACE_MAX_ARGS) {
        audit_errorf("trace: too many arguments");
        return YC_EXIT_USAGE;
    }
    memcpy(args, argv, (size_t)argc * sizeof *args);
    args[argc] = NULL;
    int ex = take_format(&argc, args, &fname);
    if (ex != 0)
        return ex;
    struct audit_common c;
    bool help;
    ex = audit_parse_common(argc, args, TRACE_USAGE, &c, &help);
    if (ex != 0 || help) {
        if (help)
            fputs(TRACE_USAGE, stdout);
        return ex;
    }
    if (c.json)
        f = YC_PROV_JSON;
    if (fname != NULL && yc_prov_format_from_name(fname, &f) != YC_OK) {
        audit_errorf("trace: --format %s: expected text, json, dot or prov-json", fname);
        return YC_EXIT_USAGE;
    }
    if (argc - optind != 1) {
        return audit_usage_errorf(TRACE_USAGE, "trace: give exactly one asset ID");
    }
    const char *idhex = args[optind];
    uint8_t id[YC_HASH_LEN];
    if (yc_unhex(id, YC_HASH_LEN, idhex, strlen(idhex)) != YC_OK) {
        audit_errorf("%s is not an asset id (64 hex digits)", idhex);
        return YC_EXIT_DATAERR;
    }

    struct audit_ledger L = {0};
    ex = audit_ledger_open(&c, 0, &L);
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
    struct yc_buf out;
    yc_buf_init(&out, TRACE_MAX_BYTES);
    int rc = yc_provenance_render(&L.st, id, L.res.height, L.res.time_ms, f, &out);
    uint64_t height = L.res.height;
    audit_ledger_close(&L);
    if (rc == YC_OK) {
        fwrite(out.data, 1, out.len, stdout);
        ex = ferror(stdout) ? YC_EXIT_IOERR : YC_EXIT_OK;
    } else if (rc == YC_EUNKNOWNASSET) {
        audit_errorf("no asset %s on this ledger (at height %llu)", idhex,
                     (unsigned long long)height);
        ex = YC_EXIT_FAIL;
    } else {
        audit_errorf("cannot trace %s: %s (%s)", idhex, yc_strerror(rc), yc_err_name(rc));
        ex = YC_EXIT_FAIL;
    }
    yc_buf_cleanup(&out);
    return ex;
}
