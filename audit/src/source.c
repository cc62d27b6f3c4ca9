/*
 * source.c — the two ledger sources of the audit (source.h): a node home on disk and a
 * node's JSON-RPC. Neither is trusted: they only hand over bytes that replay.c checks
 * against the genesis. The genesis itself comes from a file the auditor names (or the
 * home's), or from the node, whose hash the report prints for comparison with the
 * published one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "yc/alloc.h"
#include "yc/block.h"
#include "yc/cliutil.h"
#include "yc/genesis_json.h"
#include "yc/httpc.h"

#include "source.h"
#include "statediff.h"

/* ---- home ---- */

static int home_tip(void *ctx, uint64_t *height, char *msg, size_t msglen)
{
    struct audit_src *s = ctx;
    struct store_tip tip;
    int rc = store_tip(s->st, &tip);
    if (rc != YC_OK) {
        audit_msgf(msg, msglen, "reading the tip: %s", yc_strerror(rc));
        return rc;
    }
    *height = tip.height;
    return YC_OK;
}

static int home_block(void *ctx, uint64_t height, uint8_t **bytes, size_t *len, char *msg,
                      size_t msglen)
{
    struct audit_src *s = ctx;
    int rc = store_get_block(s->st, height, bytes, len);
    if (rc == YC_ECORRUPT || rc == YC_EIO)
        audit_msgf(msg, msglen, "%s", store_last_error(s->st));
    return rc;
}

/* arr (of n records of `size` bytes in *cap) with room for `more` records: arr itself, or
 * a larger copy (*cap updated); NULL when out of memory (arr is left as it was). */
/* arr with room for `more` records after its n; NULL only when out of memory (the first
 * call allocates even for more == 0: a chain's first block may hold no transaction). */
static void *grow_recs(void *arr, size_t size, size_t n, size_t *cap, size_t more)
{
    if (*cap > 0 && more <= *cap - n)
        return arr;
    size_t c = *cap > 0 ? *cap : 4096;
    while (c - n < more)
        c *= 2;
    void *t = yc_realloc(arr, c * size);
    if (t != NULL)
        *cap = c;
    return t;
}

/* The node's own indexes of a verified block, noted here and checked after the tip in one
 * pass over each index: hash -> height (block_index_check), and for each transaction
 * id -> (height, index, outcome), what the `tx` and `tx_proof` methods answer from
 * (tx_index_check). A look-up per block or per transaction reads and checksums a table
 * block of the index each time. */
static int home_check_block(void *ctx, const struct yc_block *b, struct audit_result *res,
                            char *msg, size_t msglen)
{
    struct audit_src *s = ctx;
    (void)res;
    struct audit_blockrec *br =
        grow_recs(s->blockrecs, sizeof *br, s->nblockrecs, &s->blockrecs_cap, 1);
    if (br != NULL)
        s->blockrecs = br;
    struct audit_txrec *tr =
        br != NULL ? grow_recs(s->txrecs, sizeof *tr, s->ntxrecs, &s->txrecs_cap, b->ntx) : NULL;
    if (tr == NULL) {
        audit_msgf(msg, msglen, "noting the block for the block and tx indexes: out of memory");
        return YC_ENOMEM;
    }
    s->txrecs = tr;
    br = &s->blockrecs[s->nblockrecs++];
    memcpy(br->hash, b->hash, YC_HASH_LEN);
    br->height = b->hdr.height;
    for (uint32_t i = 0; i < b->ntx; i++) {
        struct audit_txrec *t = &s->txrecs[s->ntxrecs++];
        memcpy(t->id, b->txs[i].id, YC_HASH_LEN);
        t->height = b->hdr.height;
        t->index = i;
        t->outcome = b->results[i];
    }
    s->blocks_seen++;
    s->txs_seen += b->ntx;
    return YC_OK;
}

enum { BLOCKREC_MISSING, BLOCKREC_MALFORMED, BLOCKREC_STORED };

static int blockrec_by_hash(const void *x, const void *y)
{
    return memcmp(((const struct audit_blockrec *)x)->hash,
                  ((const struct audit_blockrec *)y)->hash, YC_HASH_LEN);
}

static int blockrec_by_height(const void *x, const void *y)
{
    uint64_t a = ((const struct audit_blockrec *)x)->height;
    uint64_t b = ((const struct audit_blockrec *)y)->height;
    return a < b ? -1 : a > b;
}

struct block_merge {
    struct audit_blockrec *r; /* sorted by hash */
    size_t n, at;
};

/* One entry of the stored block index (in hash order) against the replayed blocks: those
 * before it have none; one with its hash takes what it holds. */
static int block_merge_cb(void *ctx, const uint8_t hash[YC_HASH_LEN], uint64_t height,
                          bool malformed)
{
    struct block_merge *m = ctx;
    while (m->at < m->n && memcmp(m->r[m->at].hash, hash, YC_HASH_LEN) < 0)
        m->r[m->at++].state = BLOCKREC_MISSING;
    if (m->at < m->n && memcmp(m->r[m->at].hash, hash, YC_HASH_LEN) == 0) {
        m->r[m->at].state = malformed ? BLOCKREC_MALFORMED : BLOCKREC_STORED;
        m->r[m->at++].stored = height;
    }
    return 0;
}

/* Every replayed block's entry in the stored block index, in one pass over it; the
 * differences are noted in height order (the order of the blocks). */
static int block_index_check(struct audit_src *s, struct audit_result *res, char *msg,
                             size_t msglen)
{
    qsort(s->blockrecs, s->nblockrecs, sizeof *s->blockrecs, blockrec_by_hash);
    struct block_merge m = {.r = s->blockrecs, .n = s->nblockrecs};
    int rc = store_scan_block_index(s->st, block_merge_cb, &m);
    if (rc != YC_OK) {
        audit_msgf(msg, msglen, "reading the block index: %s", store_last_error(s->st));
        return rc;
    }
    while (m.at < m.n)
        m.r[m.at++].state = BLOCKREC_MISSING;
    qsort(s->blockrecs, s->nblockrecs, sizeof *s->blockrecs, blockrec_by_height);
    for (size_t i = 0; i < s->nblockrecs; i++) {
        const struct audit_blockrec *b = &s->blockrecs[i];
        if (b->state == BLOCKREC_STORED && b->stored == b->height)
            continue;
        char id[2 * YC_HASH_LEN + 1], obj[200], a[120], r[120], text[600];
        yc_hex(id, b->hash, YC_HASH_LEN);
        snprintf(obj, sizeof obj, "block index: entry for block %s", id);
        snprintf(r, sizeof r, "%llu", (unsigned long long)b->height);
        if (b->state == BLOCKREC_MISSING) {
            snprintf(text, sizeof text, "%s (height %llu) missing from the stored state", obj,
                     (unsigned long long)b->height);
            audit_diff_note(res, obj, "height", "(absent)", r, text);
        } else {
            snprintf(a, sizeof a, b->state == BLOCKREC_STORED ? "%llu" : "(malformed)",
                     (unsigned long long)b->stored);
            snprintf(text, sizeof text, "%s height: stored %s, replayed %s", obj, a, r);
            audit_diff_note(res, obj, "height", a, r, text);
        }
    }
    return YC_OK;
}

static int txrec_cmp(const void *x, const void *y)
{
    return memcmp(((const struct audit_txrec *)x)->id, ((const struct audit_txrec *)y)->id,
                  YC_HASH_LEN);
}

static const char *outcome_word(int outcome)
{
    return outcome == YC_OK ? "ok" : yc_err_name(outcome);
}

/* Notes a replayed transaction's tx index entry as absent (loc NULL and !malformed),
 * malformed, or different from where the replay found it. */
static void tx_index_note(struct audit_result *res, const struct audit_txrec *t,
                          const struct store_txloc *loc, bool malformed)
{
    if (loc != NULL && loc->height == t->height && loc->index == t->index &&
        loc->outcome == t->outcome)
        return;
    char id[2 * YC_HASH_LEN + 1], obj[200], a[120], r[120], text[600];
    yc_hex(id, t->id, YC_HASH_LEN);
    snprintf(obj, sizeof obj, "tx index: entry for tx %s", id);
    snprintf(r, sizeof r, "height %llu, index %u, outcome %s", (unsigned long long)t->height,
             t->index, outcome_word(t->outcome));
    if (malformed) {
        snprintf(text, sizeof text, "%s: stored (malformed), replayed %s", obj, r);
        audit_diff_note(res, obj, "", "(malformed)", r, text);
    } else if (loc == NULL) {
        snprintf(text, sizeof text, "%s (%s) missing from the stored state", obj, r);
        audit_diff_note(res, obj, "", "(absent)", r, text);
    } else {
        snprintf(a, sizeof a, "height %llu, index %u, outcome %s", (unsigned long long)loc->height,
                 loc->index, outcome_word(loc->outcome));
        snprintf(text, sizeof text, "%s: stored %s, replayed %s", obj, a, r);
        audit_diff_note(res, obj, "", a, r, text);
    }
}

struct tx_merge {
    struct audit_result *res;
    const struct audit_txrec *t; /* sorted by id */
    size_t n, at;
    uint64_t matched; /* stored entries whose id a replayed transaction has */
};

/* One entry of the stored tx index (in id order) against the replayed transactions:
 * those before it are missing from the index; one with its id is compared with it (the
 * entries no replayed transaction has are counted by index_counts). */
static int tx_merge_cb(void *ctx, const uint8_t txid[YC_HASH_LEN], const struct store_txloc *loc)
{
    struct tx_merge *m = ctx;
    for (; m->at < m->n && memcmp(m->t[m->at].id, txid, YC_HASH_LEN) < 0; m->at++)
        tx_index_note(m->res, &m->t[m->at], NULL, false);
    if (m->at < m->n && memcmp(m->t[m->at].id, txid, YC_HASH_LEN) == 0)
        m->matched++;
    for (; m->at < m->n && memcmp(m->t[m->at].id, txid, YC_HASH_LEN) == 0; m->at++)
        tx_index_note(m->res, &m->t[m->at], loc, loc == NULL);
    return 0;
}

/* Every replayed transaction's entry in the stored tx index, in one pass over it. */
static int tx_index_check(struct audit_src *s, struct audit_result *res, char *msg, size_t msglen)
{
    qsort(s->txrecs, s->ntxrecs, sizeof *s->txrecs, txrec_cmp);
    struct tx_merge m = {.res = res, .t = s->txrecs, .n = s->ntxrecs};
    int rc = store_scan_txlocs(s->st, tx_merge_cb, &m);
    if (rc != YC_OK) {
        audit_msgf(msg, msglen, "reading the tx index: %s", store_last_error(s->st));
        return rc;
    }
    for (; m.at < m.n; m.at++)
        tx_index_note(res, &m.t[m.at], NULL, false);
    s->txs_matched = m.matched;
    return YC_OK;
}

/* Entries of the block and tx indexes for blocks or transactions the ledger does not
 * hold: for the block index, those beyond one per block (each block's entry was checked
 * in home_check_block); for the tx index, those no replayed transaction matched
 * (tx_index_check). */
static int index_counts(struct audit_src *s, struct audit_result *res, char *msg, size_t msglen)
{
    static const struct {
        const char *prefix, *name, *what;
    } idx[] = {{"h/", "block index", "blocks"}, {"t/", "tx index", "transactions"}};
    for (size_t k = 0; k < 2; k++) {
        uint64_t n = 0, want = k == 0 ? s->blocks_seen : s->txs_seen;
        int rc = store_count_keys(s->st, (const uint8_t *)idx[k].prefix, 2, &n);
        if (rc != YC_OK) {
            audit_msgf(msg, msglen, "reading the %s: %s", idx[k].name, store_last_error(s->st));
            return rc;
        }
        uint64_t extra = k == 0 ? (n > want ? n - want : 0) : n - s->txs_matched;
        if (extra > 0) {
            char a[40], r[40], text[400];
            snprintf(a, sizeof a, "%llu entries", (unsigned long long)n);
            snprintf(r, sizeof r, "%llu entries", (unsigned long long)want);
            snprintf(text, sizeof text,
                     "%s: %llu entries in the stored state, the ledger has %llu %s: %llu "
                     "entr%s for %s that are not in the ledger",
                     idx[k].name, (unsigned long long)n, (unsigned long long)want, idx[k].what,
                     (unsigned long long)extra, extra == 1 ? "y" : "ies", idx[k].what);
            audit_diff_note(res, idx[k].name, "entries", a, r, text);
        }
    }
    return YC_OK;
}

/* Compares a stored tip field with the replayed one, noting a difference. */
static void tip_field(struct audit_result *res, const char *field, const char *stored,
                      const char *replayed)
{
    if (strcmp(stored, replayed) == 0)
        return;
    char text[600];
    snprintf(text, sizeof text, "tip record %s: stored %s, replayed %s", field, stored, replayed);
    audit_diff_note(res, "tip record", field, stored, replayed, text);
}

/* The stored tip and every stored state key must be what the replay produced. */
static int home_check_end(void *ctx, memstate *state, uint64_t height,
                          const uint8_t hash[YC_HASH_LEN], const uint8_t root[YC_HASH_LEN],
                          struct audit_result *res, char *msg, size_t msglen)
{
    struct audit_src *s = ctx;
    struct store_tip tip;
    int rc = store_tip(s->st, &tip);
    if (rc != YC_OK)
        return rc;
    char a[2 * YC_HASH_LEN + 1], b[2 * YC_HASH_LEN + 1];
    rc = block_index_check(s, res, msg, msglen);
    if (rc != YC_OK)
        return rc;
    rc = tx_index_check(s, res, msg, msglen);
    if (rc != YC_OK)
        return rc;
    rc = index_counts(s, res, msg, msglen);
    if (rc != YC_OK)
        return rc;
    uint64_t before = res->diff_total;
    snprintf(a, sizeof a, "%llu", (unsigned long long)tip.height);
    snprintf(b, sizeof b, "%llu", (unsigned long long)height);
    tip_field(res, "height", a, b);
    yc_hex(a, tip.hash, YC_HASH_LEN);
    yc_hex(b, hash, YC_HASH_LEN);
    tip_field(res, "hash", a, b);
    yc_hex(a, tip.state_root, YC_HASH_LEN);
    yc_hex(b, root, YC_HASH_LEN);
    tip_field(res, "state_root", a, b);
    uint64_t tipdiffs = res->diff_total - before;
    char why[300] = "";
    rc = audit_state_diff(s->st, state, res, why, sizeof why);
    if (rc != YC_OK && rc != YC_EDIVERGED) {
        audit_msgf(msg, msglen, "%s", why);
        return rc;
    }
    /* differences outside the state's keys: the block and tx indexes (noted while
     * replaying, and counted just now) and the tip record */
    uint64_t other = before + tipdiffs;
    if (rc == YC_OK && other == 0)
        return YC_OK;
    if (rc == YC_OK || other > 0) {
        uint64_t total = res->diff_total;
        audit_msgf(
            msg, msglen,
            "%llu difference%s between the node's stored state (its tip record, block and tx "
            "indexes, objects and indexes) and the replayed ledger%s",
            (unsigned long long)total, total == 1 ? "" : "s",
            total > AUDIT_MAX_DIFFS ? "; the first 10 follow" : "");
    } else {
        audit_msgf(msg, msglen, "%s", why);
    }
    return YC_EDIVERGED;
}

/* Checks the published hash, if one was given, and records how the genesis is anchored. */
static int anchor(struct audit_src *s, const char *genesis_file, const uint8_t *genesis_hash,
                  const char *whose, char *msg, size_t msglen)
{
    if (genesis_hash != NULL && memcmp(genesis_hash, s->genesis.hash, YC_HASH_LEN) != 0) {
        char a[2 * YC_HASH_LEN + 1], b[2 * YC_HASH_LEN + 1];
        yc_hex(a, s->genesis.hash, YC_HASH_LEN);
        yc_hex(b, genesis_hash, YC_HASH_LEN);
        audit_msgf(msg, msglen,
                   "genesis: %s hashes to %s, not to the --genesis-hash %s: this is another chain, "
                   "or not the published genesis",
                   whose, a, b);
        return YC_ECONFIG;
    }
    s->anchored = genesis_file != NULL || genesis_hash != NULL;
    s->anchor = genesis_file != NULL && genesis_hash != NULL ? "genesis file and hash"
                : genesis_file != NULL                       ? "genesis file"
                : genesis_hash != NULL                       ? "genesis hash"
                                                             : NULL;
    return YC_OK;
}

int audit_src_open_home(struct audit_src *s, const char *home, const char *genesis_file,
                        const uint8_t *genesis_hash, char *msg, size_t msglen)
{
    memset(s, 0, sizeof *s);
    size_t n = strlen(home) + 64;
    char *path = malloc(n);
    if (path == NULL)
        return YC_ENOMEM;
    char err[600];
    int rc;
    if (genesis_file == NULL)
        snprintf(path, n, "%s/config/genesis.json", home);
    rc = yc_genesis_json_load(&s->genesis, genesis_file != NULL ? genesis_file : path, err,
                              sizeof err);
    if (rc != YC_OK) {
        audit_msgf(msg, msglen, "genesis: %s", err);
        free(path);
        return rc;
    }
    rc = anchor(s, genesis_file, genesis_hash, genesis_file != NULL ? genesis_file : path, msg,
                msglen);
    snprintf(path, n, "%s/data", home);
    if (rc == YC_OK && audit_db_locked(path)) {
        audit_msgf(msg, msglen,
                   "the database %s is in use (is a node running on this home?); stop it, or audit "
                   "a copy",
                   path);
        rc = YC_EBUSY;
    }
    /* every file against its own checksums, read in place (nothing is written) */
    struct store_damage dmg;
    if (rc == YC_OK) {
        rc = store_verify_files(path, &s->verified, &dmg, err, sizeof err);
        if (rc == YC_ECORRUPT)
            audit_msgf(msg, msglen,
                       "the storage is damaged: %s/%s, at byte %llu: %s. This is damage to the "
                       "node's files, not a fault of the ledger; nothing in them can be trusted "
                       "until it is restored from another copy or another node",
                       path, dmg.file, (unsigned long long)dmg.offset, dmg.what);
        else if (rc == YC_ENOTFOUND) {
            audit_msgf(msg, msglen, "no database in %s: is this a node's home?", path);
            rc = YC_ECONFIG;
        } else if (rc != YC_OK)
            audit_msgf(msg, msglen, "%s", err);
    }
    if (rc == YC_OK)
        rc = audit_snapshot_make(&s->snap, path, msg, msglen);
    if (rc == YC_OK) {
        rc = store_open_ex(&s->st, s->snap.dir, STORE_READ_ONLY | STORE_NO_CHECK | STORE_VERIFY,
                           &s->genesis, err, sizeof err);
        if (rc != YC_OK)
            audit_msgf(msg, msglen, "%s (in the private copy of %s)", err, path);
        if (rc == YC_ENOTFOUND)
            rc = YC_ECONFIG;
    }
    free(path);
    if (rc != YC_OK) {
        audit_src_close(s);
        return rc;
    }
    s->src.tip = home_tip;
    s->src.get_block = home_block;
    s->src.check_end = home_check_end;
    s->src.check_block = home_check_block;
    s->src.ctx = s;
    return YC_OK;
}

/* ---- node ---- */

static int rpc(struct audit_src *s, const char *method, json_t *params, json_t **result, char *msg,
               size_t msglen)
{
    char code[64] = "", text[256] = "";
    int rc = yc_rpc_call(s->node_url, method, params, result, code, sizeof code, text, sizeof text);
    if (rc == YC_EREMOTE && strcmp(code, "not_found") == 0)
        return YC_ENOTFOUND;
    if (rc == YC_EUNREACHABLE)
        audit_msgf(msg, msglen,
                   "cannot reach the node at %s (%s); is it running, and is --node right?",
                   s->node_url, text[0] ? text : yc_strerror(rc));
    else if (rc == YC_EREMOTE)
        audit_msgf(msg, msglen, "the node at %s refused `%s`: %s (%s)", s->node_url, method,
                   text[0] ? text : yc_strerror(rc), code);
    else if (rc != YC_OK)
        audit_msgf(msg, msglen, "asking the node at %s for `%s`: %s", s->node_url, method,
                   text[0] ? text : yc_strerror(rc));
    return rc;
}

/* A height in a result: a decimal string (the RPC convention) or a JSON integer. */
static bool json_u64(json_t *v, uint64_t *out)
{
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *out = (uint64_t)json_integer_value(v);
        return true;
    }
    return json_is_string(v) && yc_parse_u64(json_string_value(v), out) == YC_OK;
}

static int node_tip(void *ctx, uint64_t *height, char *msg, size_t msglen)
{
    struct audit_src *s = ctx;
    json_t *res = NULL;
    int rc = rpc(s, "status", NULL, &res, msg, msglen);
    if (rc == YC_ENOTFOUND)
        rc = YC_EREMOTE;
    if (rc != YC_OK)
        return rc;
    bool ok = json_u64(json_object_get(res, "height"), height);
    json_decref(res);
    if (!ok) {
        audit_msgf(msg, msglen, "%s: status has no height", s->node_url);
        return YC_EREMOTE;
    }
    return YC_OK;
}

static int node_block(void *ctx, uint64_t height, uint8_t **bytes, size_t *len, char *msg,
                      size_t msglen)
{
    struct audit_src *s = ctx;
    char hs[24];
    snprintf(hs, sizeof hs, "%llu", (unsigned long long)height);
    json_t *params = json_pack("{s:s, s:s}", "height", hs, "format", "raw");
    json_t *res = NULL;
    *bytes = NULL;
    *len = 0;
    if (params == NULL)
        return YC_ENOMEM;
    int rc = rpc(s, "block", params, &res, msg, msglen);
    if (rc != YC_OK)
        return rc;
    json_t *raw = json_object_get(res, "raw");
    if (!json_is_string(raw) || json_string_length(raw) % 2 != 0 || json_string_length(raw) == 0 ||
        json_string_length(raw) / 2 > YC_BLOCK_MAX_BYTES) {
        json_decref(res);
        audit_msgf(msg, msglen, "the node's answer holds no raw block of acceptable size");
        return YC_ECORRUPT;
    }
    size_t n = json_string_length(raw) / 2;
    uint8_t *b = yc_malloc(n);
    if (b == NULL) {
        json_decref(res);
        return YC_ENOMEM;
    }
    if (yc_unhex(b, n, json_string_value(raw), 2 * n) != YC_OK) {
        yc_free(b);
        json_decref(res);
        audit_msgf(msg, msglen, "the node's raw block is not hex");
        return YC_ECORRUPT;
    }
    json_decref(res);
    *bytes = b;
    *len = n;
    return YC_OK;
}

int audit_src_open_node(struct audit_src *s, const char *url, const char *genesis_file,
                        const uint8_t *genesis_hash, char *msg, size_t msglen)
{
    memset(s, 0, sizeof *s);
    struct yc_url u;
    if (yc_url_parse(&u, url) != YC_OK) {
        audit_msgf(msg, msglen, "--node %s: not an http://host:port URL", url);
        return YC_ECONFIG;
    }
    s->node_url = strdup(url);
    if (s->node_url == NULL)
        return YC_ENOMEM;
    json_t *res = NULL;
    int rc = rpc(s, "genesis", NULL, &res, msg, msglen);
    if (rc == YC_ENOTFOUND)
        rc = YC_EREMOTE;
    if (rc != YC_OK) {
        audit_src_close(s);
        return rc;
    }
    char *text = json_dumps(res, JSON_COMPACT);
    json_decref(res);
    if (text == NULL) {
        audit_src_close(s);
        return YC_ENOMEM;
    }
    struct yc_genesis served;
    char err[600];
    rc = yc_genesis_json_parse(&served, text, strlen(text), err, sizeof err);
    free(text);
    if (rc != YC_OK) {
        audit_msgf(msg, msglen, "the node's genesis is invalid: %s", err);
        audit_src_close(s);
        return rc;
    }
    if (genesis_file == NULL) {
        s->genesis = served;
    } else {
        rc = yc_genesis_json_load(&s->genesis, genesis_file, err, sizeof err);
        if (rc == YC_OK && memcmp(s->genesis.hash, served.hash, YC_HASH_LEN) != 0) {
            char a[2 * YC_HASH_LEN + 1], b[2 * YC_HASH_LEN + 1];
            yc_hex(a, served.hash, YC_HASH_LEN);
            yc_hex(b, s->genesis.hash, YC_HASH_LEN);
            snprintf(err, sizeof err, "the node serves genesis %s, %s hashes to %s", a,
                     genesis_file, b);
            rc = YC_ECONFIG;
        }
        yc_genesis_cleanup(&served);
        if (rc != YC_OK) {
            audit_msgf(msg, msglen, "genesis: %s", err);
            audit_src_close(s);
            return rc;
        }
    }
    rc = anchor(s, genesis_file, genesis_hash,
                genesis_file != NULL ? genesis_file : "the genesis the node serves", msg, msglen);
    if (rc != YC_OK) {
        audit_src_close(s);
        return rc;
    }
    s->src.tip = node_tip;
    s->src.get_block = node_block;
    s->src.check_end = NULL;
    s->src.ctx = s;
    return YC_OK;
}

void audit_src_close(struct audit_src *s)
{
    if (s == NULL)
        return;
    store_close(s->st);
    audit_snapshot_remove(&s->snap);
    free(s->node_url);
    yc_free(s->txrecs);
    yc_free(s->blockrecs);
    yc_genesis_cleanup(&s->genesis);
    memset(s, 0, sizeof *s);
}
