/*
 * index.c — the audit index on LevelDB (index.h).
 *
 * Invariant: the committed tip record describes exactly the committed "s/", "b/" and "a/"
 * entries: both are written in one synced batch, and nothing else writes them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <leveldb/c.h>
#include <sodium.h>

#include "yc/alloc.h"
#include "yc/genesis_json.h"

#include "index.h"
#include "snapshot.h"

#define TIP_LEN (4 + YC_HASH_LEN + 8 + YC_HASH_LEN + YC_HASH_LEN + 8 + 8 + 8 + 8 + YC_HASH_LEN)
#define TIP_RECORD_LEN (TIP_LEN + YC_HASH_LEN)
#define KEY_STATE_MAX 4096

static const char K_VERSION[] = "m/version";
static const char K_GENESIS[] = "m/genesis";
static const char K_TIP[] = "m/tip";

struct audit_index {
    leveldb_t *db;
    leveldb_options_t *opts;
    leveldb_readoptions_t *ropts;
    leveldb_writeoptions_t *wsync;
    const leveldb_snapshot_t *snap;
    char *dir;
    leveldb_writebatch_t *wb;
    size_t pending_bytes;
    uint64_t pending_blocks;
    struct audit_index_tip tip; /* after the pending batch */
    char err[300];              /* the last LevelDB error, for a state read */
};

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 3; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

/* LevelDB's message to a code: corruption, a held lock, or I/O. */
static int ldb_code(const char *e)
{
    if (strncmp(e, "Corruption", 10) == 0)
        return YC_ECORRUPT;
    if (strstr(e, "lock") != NULL || strstr(e, "LOCK") != NULL)
        return YC_EBUSY;
    return YC_EIO;
}

static int ldb_err(audit_index *x, char *e, char *msg, size_t msglen)
{
    int rc = ldb_code(e);
    snprintf(x->err, sizeof x->err, "%s", e);
    audit_msgf(msg, msglen, "the audit index %s: %s", x->dir, e);
    leveldb_free(e);
    return rc;
}

/* Reads key with checksums verified (through the snapshot when one is taken). */
static int get_raw(audit_index *x, const void *key, size_t klen, char **val, size_t *vlen,
                   char *msg, size_t msglen)
{
    char *e = NULL;
    *val = leveldb_get(x->db, x->ropts, key, klen, vlen, &e);
    if (e != NULL)
        return ldb_err(x, e, msg, msglen);
    return *val == NULL ? YC_ENOTFOUND : YC_OK;
}

void audit_index_close(audit_index *x)
{
    if (x == NULL)
        return;
    if (x->snap != NULL)
        leveldb_release_snapshot(x->db, x->snap);
    if (x->wb != NULL)
        leveldb_writebatch_destroy(x->wb);
    if (x->db != NULL)
        leveldb_close(x->db);
    if (x->opts != NULL)
        leveldb_options_destroy(x->opts);
    if (x->ropts != NULL)
        leveldb_readoptions_destroy(x->ropts);
    if (x->wsync != NULL)
        leveldb_writeoptions_destroy(x->wsync);
    free(x->dir);
    free(x);
}

/* True if the database holds any key (a database that is not an audit index). */
static bool has_any_key(audit_index *x)
{
    leveldb_iterator_t *it = leveldb_create_iterator(x->db, x->ropts);
    leveldb_iter_seek_to_first(it);
    bool any = leveldb_iter_valid(it);
    leveldb_iter_destroy(it);
    return any;
}

int audit_index_open(audit_index **out, const char *dir, bool create, char *msg, size_t msglen)
{
    *out = NULL;
    if (sodium_init() < 0)
        return YC_ENOMEM;
    audit_index *x = calloc(1, sizeof *x);
    if (x == NULL || (x->dir = strdup(dir)) == NULL) {
        free(x);
        return YC_ENOMEM;
    }
    struct stat sb;
    if (stat(dir, &sb) != 0) {
        if (!create) {
            audit_msgf(msg, msglen,
                       "no audit index in %s (run `yuchain-audit sync … --db %s` first)", dir, dir);
            audit_index_close(x);
            return YC_ENOTFOUND;
        }
        if (mkdir(dir, 0700) != 0) {
            audit_msgf(msg, msglen, "cannot create the audit index directory %s: %s", dir,
                       strerror(errno));
            audit_index_close(x);
            return YC_EIO;
        }
    }
    x->opts = leveldb_options_create();
    x->ropts = leveldb_readoptions_create();
    x->wsync = leveldb_writeoptions_create();
    x->wb = leveldb_writebatch_create();
    leveldb_options_set_create_if_missing(x->opts, create ? 1 : 0);
    leveldb_options_set_paranoid_checks(x->opts, 1);
    leveldb_options_set_compression(x->opts, leveldb_no_compression);
    leveldb_options_set_write_buffer_size(x->opts, (size_t)32 << 20);
    leveldb_readoptions_set_verify_checksums(x->ropts, 1);
    leveldb_writeoptions_set_sync(x->wsync, 1);
    char *e = NULL;
    x->db = leveldb_open(x->opts, dir, &e);
    if (e != NULL) {
        int rc = ldb_code(e);
        if (!create && strstr(e, "does not exist") != NULL) {
            audit_msgf(msg, msglen,
                       "no audit index in %s (run `yuchain-audit sync … --db %s` first)", dir, dir);
            rc = YC_ENOTFOUND;
        } else if (rc == YC_EBUSY) {
            audit_msgf(msg, msglen, "the audit index %s is in use (is a sync running on it?): %s",
                       dir, e);
        } else {
            audit_msgf(msg, msglen, "cannot open the audit index %s: %s", dir, e);
        }
        leveldb_free(e);
        x->db = NULL;
        audit_index_close(x);
        return rc;
    }
    char *v = NULL;
    size_t vl = 0;
    int rc = get_raw(x, K_VERSION, strlen(K_VERSION), &v, &vl, msg, msglen);
    if (rc == YC_ENOTFOUND && has_any_key(x)) {
        audit_msgf(msg, msglen,
                   "%s holds a database that is not an audit index (no %s key): "
                   "give --db a directory of its own",
                   dir, K_VERSION);
        rc = YC_ECONFIG;
    } else if (rc == YC_ENOTFOUND && !create) {
        audit_msgf(msg, msglen, "no audit index in %s (run `yuchain-audit sync … --db %s` first)",
                   dir, dir);
    } else if (rc == YC_ENOTFOUND) {
        rc = YC_OK; /* new: audit_index_init writes the version */
    } else if (rc == YC_OK && (vl != 4 || get_u32((const uint8_t *)v) != AUDIT_INDEX_VERSION)) {
        audit_msgf(msg, msglen,
                   "%s is an audit index of another version (%s); this tool reads "
                   "version %u: sync into a new directory",
                   dir, vl == 4 ? "unknown" : "malformed", AUDIT_INDEX_VERSION);
        rc = YC_ECONFIG;
    }
    leveldb_free(v);
    if (rc != YC_OK) {
        audit_index_close(x);
        return rc;
    }
    *out = x;
    return YC_OK;
}

/* ---- the tip record ---- */

static void tip_encode(uint8_t out[TIP_RECORD_LEN], const struct audit_index_tip *t)
{
    uint8_t *p = out;
    put_u32(p, AUDIT_INDEX_VERSION);
    p += 4;
    memcpy(p, t->genesis_hash, YC_HASH_LEN);
    p += YC_HASH_LEN;
    put_u64(p, t->height);
    p += 8;
    memcpy(p, t->hash, YC_HASH_LEN);
    p += YC_HASH_LEN;
    memcpy(p, t->state_root, YC_HASH_LEN);
    p += YC_HASH_LEN;
    put_u64(p, t->time_ms);
    p += 8;
    put_u64(p, t->txs);
    p += 8;
    put_u64(p, t->failed);
    p += 8;
    put_u64(p, t->keys);
    p += 8;
    memcpy(p, t->digest, YC_HASH_LEN);
    p += YC_HASH_LEN;
    yc_sha256(p, out, TIP_LEN);
}

int audit_index_tip(audit_index *x, struct audit_index_tip *t, char *msg, size_t msglen)
{
    char *v = NULL;
    size_t vl = 0;
    memset(t, 0, sizeof *t);
    int rc = get_raw(x, K_TIP, strlen(K_TIP), &v, &vl, msg, msglen);
    if (rc != YC_OK)
        return rc;
    const uint8_t *p = (const uint8_t *)v;
    uint8_t check[YC_HASH_LEN];
    if (vl == TIP_RECORD_LEN)
        yc_sha256(check, p, TIP_LEN);
    if (vl != TIP_RECORD_LEN || get_u32(p) != AUDIT_INDEX_VERSION ||
        memcmp(check, p + TIP_LEN, YC_HASH_LEN) != 0) {
        leveldb_free(v);
        audit_msgf(msg, msglen,
                   "the audit index %s: its tip record fails its check (%zu bytes): the "
                   "index was altered or damaged; sync into a new directory",
                   x->dir, vl);
        return YC_ECORRUPT;
    }
    p += 4;
    memcpy(t->genesis_hash, p, YC_HASH_LEN);
    p += YC_HASH_LEN;
    t->height = get_u64(p);
    p += 8;
    memcpy(t->hash, p, YC_HASH_LEN);
    p += YC_HASH_LEN;
    memcpy(t->state_root, p, YC_HASH_LEN);
    p += YC_HASH_LEN;
    t->time_ms = get_u64(p);
    p += 8;
    t->txs = get_u64(p);
    p += 8;
    t->failed = get_u64(p);
    p += 8;
    t->keys = get_u64(p);
    p += 8;
    memcpy(t->digest, p, YC_HASH_LEN);
    leveldb_free(v);
    return YC_OK;
}

/* ---- block entries ---- */

static void block_key(uint8_t k[10], uint64_t h)
{
    k[0] = 'b';
    k[1] = '/';
    put_u64(k + 2, h);
}

int audit_index_block(audit_index *x, uint64_t h, uint8_t hash[YC_HASH_LEN], uint64_t *time_ms)
{
    uint8_t k[10];
    char *v = NULL;
    size_t vl = 0;
    block_key(k, h);
    int rc = get_raw(x, k, sizeof k, &v, &vl, NULL, 0);
    if (rc != YC_OK)
        return rc;
    if (vl != YC_HASH_LEN + 8) {
        leveldb_free(v);
        return YC_ECORRUPT;
    }
    memcpy(hash, v, YC_HASH_LEN);
    *time_ms = get_u64((const uint8_t *)v + YC_HASH_LEN);
    leveldb_free(v);
    return YC_OK;
}

/* Iterates over keys starting with prefix, in order, calling cb until non-zero. */
typedef int (*raw_cb)(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen);

static int scan_raw(audit_index *x, const uint8_t *prefix, size_t plen, raw_cb cb, void *ctx)
{
    leveldb_iterator_t *it = leveldb_create_iterator(x->db, x->ropts);
    int rc = 0;
    for (leveldb_iter_seek(it, (const char *)prefix, plen); leveldb_iter_valid(it) && rc == 0;
         leveldb_iter_next(it)) {
        size_t kl = 0, vl = 0;
        const char *k = leveldb_iter_key(it, &kl);
        if (kl < plen || memcmp(k, prefix, plen) != 0)
            break;
        const char *v = leveldb_iter_value(it, &vl);
        rc = cb(ctx, (const uint8_t *)k, kl, (const uint8_t *)v, vl);
    }
    char *e = NULL;
    leveldb_iter_get_error(it, &e);
    leveldb_iter_destroy(it);
    if (e != NULL)
        return ldb_err(x, e, NULL, 0);
    return rc;
}

struct blocks_ctx {
    audit_index_block_cb cb;
    void *ctx;
};

static int block_entry(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct blocks_ctx *b = ctx;
    if (klen != 10 || vlen != YC_HASH_LEN + 8)
        return YC_ECORRUPT;
    return b->cb(b->ctx, get_u64(key + 2), val, get_u64(val + YC_HASH_LEN));
}

int audit_index_blocks(audit_index *x, audit_index_block_cb cb, void *ctx)
{
    struct blocks_ctx b = {.cb = cb, .ctx = ctx};
    return scan_raw(x, (const uint8_t *)"b/", 2, block_entry, &b);
}

int audit_index_check(audit_index *x, struct audit_index_tip *tip, struct yc_genesis *g, char *msg,
                      size_t msglen)
{
    memset(g, 0, sizeof *g);
    if (x->snap != NULL)
        leveldb_release_snapshot(x->db, x->snap);
    x->snap = leveldb_create_snapshot(x->db);
    leveldb_readoptions_set_snapshot(x->ropts, x->snap);
    int rc = audit_index_tip(x, tip, msg, msglen);
    if (rc == YC_ENOTFOUND) {
        audit_msgf(msg, msglen,
                   "the audit index %s holds no verified block yet (run `yuchain-audit "
                   "sync` on it)",
                   x->dir);
        return YC_ECORRUPT;
    }
    if (rc != YC_OK)
        return rc;
    char *v = NULL;
    size_t vl = 0;
    rc = get_raw(x, K_GENESIS, strlen(K_GENESIS), &v, &vl, msg, msglen);
    if (rc == YC_ENOTFOUND) {
        audit_msgf(msg, msglen, "the audit index %s has a tip but no genesis: it was altered",
                   x->dir);
        return YC_ECORRUPT;
    }
    if (rc != YC_OK)
        return rc;
    char err[400];
    rc = yc_genesis_json_parse(g, v, vl, err, sizeof err);
    leveldb_free(v);
    if (rc == YC_ENOMEM)
        return rc;
    if (rc != YC_OK || memcmp(g->hash, tip->genesis_hash, YC_HASH_LEN) != 0) {
        if (rc == YC_OK)
            yc_genesis_cleanup(g);
        memset(g, 0, sizeof *g);
        audit_msgf(
            msg, msglen, "the audit index %s: its stored genesis %s: the index was altered", x->dir,
            rc == YC_OK ? "does not hash to its tip record's genesis hash" : "does not parse");
        return YC_ECORRUPT;
    }
    uint8_t hash[YC_HASH_LEN];
    uint64_t t = 0;
    x->err[0] = '\0';
    rc = audit_index_block(x, tip->height, hash, &t);
    const char *what = NULL;
    if (rc == YC_OK && (memcmp(hash, tip->hash, YC_HASH_LEN) != 0 || t != tip->time_ms))
        what = "the block entry at its tip height differs from its tip";
    else if (rc == YC_ENOTFOUND || (rc == YC_ECORRUPT && x->err[0] == '\0'))
        what = "no valid block entry at its tip height";
    if (rc == YC_OK && what == NULL) {
        uint8_t next[10];
        block_key(next, tip->height + 1);
        leveldb_iterator_t *it = leveldb_create_iterator(x->db, x->ropts);
        leveldb_iter_seek(it, (const char *)next, sizeof next);
        if (leveldb_iter_valid(it)) {
            size_t kl = 0;
            const char *k = leveldb_iter_key(it, &kl);
            if (kl >= 2 && k[0] == 'b' && k[1] == '/')
                what = "it holds a block entry beyond its tip";
        }
        leveldb_iter_destroy(it);
    }
    if (rc == YC_OK && what == NULL)
        return YC_OK;
    yc_genesis_cleanup(g);
    memset(g, 0, sizeof *g);
    if (what == NULL) { /* LevelDB's own error: a checksum, or I/O */
        audit_msgf(msg, msglen, "the audit index %s: %s", x->dir, x->err);
        return rc;
    }
    audit_msgf(msg, msglen,
               "the audit index %s is inconsistent: %s (tip height %llu): the index was "
               "altered or damaged; sync into a new directory",
               x->dir, what, (unsigned long long)tip->height);
    return YC_ECORRUPT;
}

/* ---- attempts ---- */

#define ATT_FIXED \
    (8 + YC_HASH_LEN + 2 + YC_PUBKEY_LEN + 4 + 1 + YC_HASH_LEN + YC_PUBKEY_LEN + YC_HASH_LEN)
#define F_CONSENT 1u
#define F_LICENSE 2u
#define F_SUBJECT 4u
#define F_ASSET 8u

static size_t put_str(uint8_t *p, const char *s)
{
    size_t n = strlen(s);
    p[0] = (uint8_t)(n >> 8);
    p[1] = (uint8_t)n;
    memcpy(p + 2, s, n);
    return 2 + n;
}

static size_t attempt_encode(uint8_t *out, const struct audit_attempt *a)
{
    uint8_t *p = out;
    put_u64(p, a->time_ms);
    p += 8;
    memcpy(p, a->id, YC_HASH_LEN);
    p += YC_HASH_LEN;
    p[0] = (uint8_t)((unsigned)a->type >> 8);
    p[1] = (uint8_t)a->type;
    p += 2;
    memcpy(p, a->sender, YC_PUBKEY_LEN);
    p += YC_PUBKEY_LEN;
    put_u32(p, (uint32_t)a->code);
    p += 4;
    unsigned f = 0;
    if (a->authority_kind != NULL && strcmp(a->authority_kind, "consent") == 0)
        f |= F_CONSENT;
    else if (a->authority_kind != NULL)
        f |= F_LICENSE;
    f |= a->has_subject ? F_SUBJECT : 0;
    f |= a->has_asset ? F_ASSET : 0;
    *p++ = (uint8_t)f;
    memcpy(p, a->authority, YC_HASH_LEN);
    p += YC_HASH_LEN;
    memcpy(p, a->subject, YC_PUBKEY_LEN);
    p += YC_PUBKEY_LEN;
    memcpy(p, a->asset, YC_HASH_LEN);
    p += YC_HASH_LEN;
    p += put_str(p, a->why);
    p += put_str(p, a->purpose);
    p += put_str(p, a->operation);
    p += put_str(p, a->category);
    return (size_t)(p - out);
}

static bool get_str(const uint8_t **p, const uint8_t *end, char *out, size_t cap)
{
    if (end - *p < 2)
        return false;
    size_t n = (size_t)(*p)[0] << 8 | (*p)[1];
    if (n >= cap || (size_t)(end - *p - 2) < n)
        return false;
    memcpy(out, *p + 2, n);
    out[n] = '\0';
    *p += 2 + n;
    return true;
}

static bool attempt_decode(struct audit_attempt *a, const uint8_t *key, size_t klen,
                           const uint8_t *val, size_t vlen)
{
    memset(a, 0, sizeof *a);
    if (klen != 2 + 8 + 4 || vlen < ATT_FIXED)
        return false;
    a->height = get_u64(key + 2);
    a->index = get_u32(key + 10);
    const uint8_t *p = val, *end = val + vlen;
    a->time_ms = get_u64(p);
    p += 8;
    memcpy(a->id, p, YC_HASH_LEN);
    p += YC_HASH_LEN;
    a->type = (enum yc_tx_type)((unsigned)p[0] << 8 | p[1]);
    p += 2;
    memcpy(a->sender, p, YC_PUBKEY_LEN);
    p += YC_PUBKEY_LEN;
    a->code = (int)get_u32(p);
    p += 4;
    unsigned f = *p++;
    a->authority_kind = f & F_CONSENT ? "consent" : f & F_LICENSE ? "license" : NULL;
    a->has_subject = (f & F_SUBJECT) != 0;
    a->has_asset = (f & F_ASSET) != 0;
    memcpy(a->authority, p, YC_HASH_LEN);
    p += YC_HASH_LEN;
    memcpy(a->subject, p, YC_PUBKEY_LEN);
    p += YC_PUBKEY_LEN;
    memcpy(a->asset, p, YC_HASH_LEN);
    p += YC_HASH_LEN;
    a->rule = audit_attempt_rule(a->type, a->code);
    return get_str(&p, end, a->why, sizeof a->why) &&
           get_str(&p, end, a->purpose, sizeof a->purpose) &&
           get_str(&p, end, a->operation, sizeof a->operation) &&
           get_str(&p, end, a->category, sizeof a->category) && p == end;
}

static int attempt_entry(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val,
                         size_t vlen)
{
    struct audit_attempts *at = ctx;
    struct audit_attempt a;
    if (!attempt_decode(&a, key, klen, val, vlen))
        return YC_ECORRUPT;
    if (!at->all && a.rule == NULL)
        return 0;
    return audit_attempts_add(at, &a);
}

int audit_index_attempts(audit_index *x, struct audit_attempts *at)
{
    return scan_raw(x, (const uint8_t *)"a/", 2, attempt_entry, at);
}

/* ---- the state ---- */

/* The index's key of state key `key`: "s/" key. Returns its length. */
static size_t state_key(uint8_t k[2 + KEY_STATE_MAX], const uint8_t *key, size_t klen)
{
    k[0] = 's';
    k[1] = '/';
    memcpy(k + 2, key, klen);
    return klen + 2;
}

static int state_get(void *ctx, const uint8_t *key, size_t klen, uint8_t **val, size_t *vlen)
{
    audit_index *x = ctx;
    *val = NULL;
    *vlen = 0;
    if (klen > KEY_STATE_MAX)
        return YC_ENOTFOUND;
    uint8_t k[2 + KEY_STATE_MAX];
    char *v = NULL;
    size_t vl = 0;
    int rc = get_raw(x, k, state_key(k, key, klen), &v, &vl, NULL, 0);
    if (rc != YC_OK)
        return rc;
    *val = yc_memdup(v, vl);
    leveldb_free(v);
    if (*val == NULL && vl > 0)
        return YC_ENOMEM;
    *vlen = vl;
    return YC_OK;
}

struct visit_ctx {
    yc_state_visit_cb visit;
    void *vctx;
};

static int state_entry(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct visit_ctx *v = ctx;
    return v->visit(v->vctx, key + 2, klen - 2, val, vlen);
}

static int state_scan(void *ctx, const uint8_t *prefix, size_t plen, yc_state_visit_cb visit,
                      void *vctx)
{
    audit_index *x = ctx;
    if (plen > KEY_STATE_MAX)
        return YC_OK;
    uint8_t k[2 + KEY_STATE_MAX];
    struct visit_ctx v = {.visit = visit, .vctx = vctx};
    int rc = scan_raw(x, k, state_key(k, prefix, plen), state_entry, &v);
    return rc > 0 ? YC_OK : rc;
}

struct yc_state_src audit_index_state(audit_index *x)
{
    struct yc_state_src s = {.get = state_get, .ctx = x, .scan = state_scan};
    return s;
}

/* digest ± SHA-256(u32be klen ‖ key ‖ u32be vlen ‖ value), modulo 2^256 */
static void digest_add(uint8_t d[YC_HASH_LEN], const uint8_t *key, size_t klen, const uint8_t *val,
                       size_t vlen, bool sub)
{
    struct yc_sha256_ctx st;
    uint8_t n[4], h[YC_HASH_LEN];
    yc_sha256_init(&st);
    put_u32(n, (uint32_t)klen);
    yc_sha256_update(&st, n, 4);
    yc_sha256_update(&st, key, klen);
    put_u32(n, (uint32_t)vlen);
    yc_sha256_update(&st, n, 4);
    yc_sha256_update(&st, val, vlen);
    yc_sha256_final(&st, h);
    unsigned carry = 0;
    for (int i = YC_HASH_LEN - 1; i >= 0; i--) {
        unsigned v;
        if (sub) {
            v = (unsigned)d[i] - h[i] - carry;
            carry = v > 0xff ? 1 : 0;
        } else {
            v = (unsigned)d[i] + h[i] + carry;
            carry = v >> 8;
        }
        d[i] = (uint8_t)v;
    }
}

struct verify_ctx {
    uint64_t keys;
    uint8_t digest[YC_HASH_LEN];
};

static int verify_entry(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct verify_ctx *v = ctx;
    digest_add(v->digest, key + 2, klen - 2, val, vlen, false);
    v->keys++;
    return 0;
}

int audit_index_verify_state(audit_index *x, const struct audit_index_tip *tip, char *msg,
                             size_t msglen)
{
    struct verify_ctx v = {0};
    x->err[0] = '\0';
    int rc = scan_raw(x, (const uint8_t *)"s/", 2, verify_entry, &v);
    if (rc != YC_OK) {
        audit_msgf(msg, msglen, "the audit index %s: reading its state: %s", x->dir,
                   x->err[0] ? x->err : yc_strerror(rc));
        return rc;
    }
    if (v.keys != tip->keys || memcmp(v.digest, tip->digest, YC_HASH_LEN) != 0) {
        audit_msgf(msg, msglen,
                   "the audit index %s: its state (%llu keys) does not match the digest "
                   "its tip record holds (%llu keys): the index was altered or damaged "
                   "since it was written; sync into a new directory",
                   x->dir, (unsigned long long)v.keys, (unsigned long long)tip->keys);
        return YC_ECORRUPT;
    }
    return YC_OK;
}

/* ---- writing ---- */

static void batch_put(audit_index *x, const void *k, size_t kl, const void *v, size_t vl)
{
    leveldb_writebatch_put(x->wb, (const char *)k, kl, (const char *)v, vl);
    x->pending_bytes += kl + vl + 8;
}

int audit_index_init(audit_index *x, const struct yc_genesis *g, memstate *m,
                     const uint8_t root[YC_HASH_LEN], char *msg, size_t msglen)
{
    char *json = yc_genesis_json_dump(g);
    if (json == NULL)
        return YC_ENOMEM;
    uint8_t ver[4];
    put_u32(ver, AUDIT_INDEX_VERSION);
    batch_put(x, K_VERSION, strlen(K_VERSION), ver, 4);
    batch_put(x, K_GENESIS, strlen(K_GENESIS), json, strlen(json));
    free(json);
    memset(&x->tip, 0, sizeof x->tip);
    memcpy(x->tip.genesis_hash, g->hash, YC_HASH_LEN);
    memcpy(x->tip.hash, g->hash, YC_HASH_LEN);
    memcpy(x->tip.state_root, root, YC_HASH_LEN);
    x->tip.time_ms = g->genesis_time_ms;
    struct memstate_kv *kv = NULL;
    size_t n = 0;
    int rc = memstate_sorted(m, NULL, 0, &kv, &n);
    if (rc != YC_OK)
        return rc;
    uint8_t k[2 + KEY_STATE_MAX];
    for (size_t i = 0; i < n; i++) {
        if (kv[i].klen > KEY_STATE_MAX)
            continue; /* cannot happen: core's keys are at most YC_KEY_MAX */
        batch_put(x, k, state_key(k, kv[i].key, kv[i].klen), kv[i].val, kv[i].vlen);
        digest_add(x->tip.digest, kv[i].key, kv[i].klen, kv[i].val, kv[i].vlen, false);
        x->tip.keys++;
    }
    yc_free(kv);
    uint8_t bk[10], bv[YC_HASH_LEN + 8];
    block_key(bk, 0);
    memcpy(bv, g->hash, YC_HASH_LEN);
    put_u64(bv + YC_HASH_LEN, g->genesis_time_ms);
    batch_put(x, bk, sizeof bk, bv, sizeof bv);
    return audit_index_commit(x, msg, msglen);
}

void audit_index_begin(audit_index *x, const struct audit_index_tip *tip)
{
    x->tip = *tip;
}

int audit_index_put_writes(audit_index *x, memstate *before, const struct yc_write *w, size_t n)
{
    uint8_t k[2 + KEY_STATE_MAX];
    for (size_t i = 0; i < n; i++) {
        if (w[i].klen > KEY_STATE_MAX)
            return YC_ELIMIT; /* cannot happen: core's keys are at most YC_KEY_MAX */
        const uint8_t *old = NULL;
        size_t ol = 0;
        int rc = memstate_get(before, w[i].key, w[i].klen, &old, &ol);
        if (rc == YC_OK) {
            digest_add(x->tip.digest, w[i].key, w[i].klen, old, ol, true);
            x->tip.keys--;
        } else if (rc != YC_ENOTFOUND) {
            return rc;
        }
        size_t kl = state_key(k, w[i].key, w[i].klen);
        if (w[i].del) {
            leveldb_writebatch_delete(x->wb, (const char *)k, kl);
            x->pending_bytes += kl + 8;
            continue;
        }
        batch_put(x, k, kl, w[i].val, w[i].vlen);
        digest_add(x->tip.digest, w[i].key, w[i].klen, w[i].val, w[i].vlen, false);
        x->tip.keys++;
    }
    return YC_OK;
}

int audit_index_put_block(audit_index *x, const struct yc_block *b, const struct audit_attempt *at,
                          size_t n)
{
    uint8_t bk[10], bv[YC_HASH_LEN + 8];
    block_key(bk, b->hdr.height);
    memcpy(bv, b->hash, YC_HASH_LEN);
    put_u64(bv + YC_HASH_LEN, b->hdr.time_ms);
    batch_put(x, bk, sizeof bk, bv, sizeof bv);
    uint8_t *buf = malloc(ATT_FIXED + 4 * (2 + 256));
    if (buf == NULL && n > 0)
        return YC_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        uint8_t ak[14];
        ak[0] = 'a';
        ak[1] = '/';
        put_u64(ak + 2, at[i].height);
        put_u32(ak + 10, at[i].index);
        size_t len = attempt_encode(buf, &at[i]);
        batch_put(x, ak, sizeof ak, buf, len);
    }
    free(buf);
    x->tip.height = b->hdr.height;
    memcpy(x->tip.hash, b->hash, YC_HASH_LEN);
    memcpy(x->tip.state_root, b->hdr.state_root, YC_HASH_LEN);
    x->tip.time_ms = b->hdr.time_ms;
    x->tip.txs += b->ntx;
    for (uint32_t i = 0; i < b->ntx; i++)
        x->tip.failed += b->results[i] != YC_OK;
    x->pending_blocks++;
    return YC_OK;
}

size_t audit_index_pending_bytes(const audit_index *x)
{
    return x->pending_bytes;
}

uint64_t audit_index_pending_blocks(const audit_index *x)
{
    return x->pending_blocks;
}

const struct audit_index_tip *audit_index_pending_tip(const audit_index *x)
{
    return &x->tip;
}

int audit_index_commit(audit_index *x, char *msg, size_t msglen)
{
    uint8_t rec[TIP_RECORD_LEN];
    tip_encode(rec, &x->tip);
    leveldb_writebatch_put(x->wb, K_TIP, strlen(K_TIP), (const char *)rec, sizeof rec);
    char *e = NULL;
    leveldb_write(x->db, x->wsync, x->wb, &e);
    leveldb_writebatch_clear(x->wb);
    x->pending_bytes = 0;
    x->pending_blocks = 0;
    if (e != NULL)
        return ldb_err(x, e, msg, msglen);
    return YC_OK;
}
