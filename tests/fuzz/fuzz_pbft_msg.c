/*
 * fuzz_pbft_msg.c — the PBFT state machine fed untrusted consensus messages
 * (TESTING.md D1; the byzantine cases of B3 and the restarts of B4, by mutation).
 *
 * The node under test is validator 0 of the fixture's 4-validator chain (fixture.h).
 * The input is a script of records, each
 *     op u8 ‖ dt u8 ‖ len u16be ‖ len bytes
 * The clock first advances by dt × 20 ms (and the node ticks), then by op:
 *     0x00–0x1f  pbft_step from validator op (4..31 test the sender check)
 *     0x20–0x3f  the same after re-signing the message in place with the fixture's keys
 *                (outer signature by its "from", a NEW-VIEW's vote, the VIEW-CHANGEs a
 *                NEW-VIEW carries and the PREPAREs of every prepared certificate, each by
 *                the validator it names): mutated content then carries valid signatures,
 *                as it would from byzantine validators (up to all three others)
 *     0x40–0x7f  pbft_propose with the bytes (as the driver of a primary would)
 *     0x80–0xbf  crash and restart from the journal (the bytes are ignored)
 *     0xc0–0xff  set the verdict given to later proposals: ok iff op is odd
 * and the driver (pbft_drive.c) takes every ready at once. Seeds from make_corpus.c are
 * real runs of 4 validators as seen by validator 0, so mutations start deep in the
 * protocol (prepared, committed, view changes, NEW-VIEW).
 *
 * Properties, any violation aborts:
 * - pbft_step, pbft_propose, pbft_tick and restarts never crash, hang or read out of
 *   bounds, whatever the bytes;
 * - the node never signs two different digests for one (height, view, phase), across
 *   restarts too (its PRE-PREPARE and a NEW-VIEW's vote count as its PREPARE);
 * - memory allocated through yc_malloc stays bounded while it runs, and all of it is
 *   returned when the node is destroyed (no leak).
 */
/* yc-fuzz-link: yc_pbft */
/* yc-fuzz-src: fixture.c pbft_drive.c */
#include <malloc.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "pbft_drive.h"
#include "yc/alloc.h"
#include "yc/block.h"
#include "yc/codec.h"
#include "yc/hash.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define MAX_RECORDS 512
#define MAX_VOTES 8192
#define TICK_MS 20u
#define MEM_BASE ((size_t)32 << 20) /* bound on live bytes: base + MEM_PER_BYTE × input */
#define MEM_PER_BYTE 64u

static struct yc_genesis genesis;
static yc_signer *signers[FZ_NVAL]; /* [0] is the node under test */

/* ---- a counting allocator (malloc_usable_size, so blocks from before also work) ---- */

static size_t live_bytes;
static size_t peak_bytes;

static void *count_realloc(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    size_t old = ptr != NULL ? malloc_usable_size(ptr) : 0;
    if (size == 0) {
        free(ptr);
        live_bytes -= old;
        return NULL;
    }
    void *p = realloc(ptr, size);
    if (p == NULL) {
        return NULL;
    }
    live_bytes = live_bytes - old + malloc_usable_size(p);
    if (live_bytes > peak_bytes) {
        peak_bytes = live_bytes;
    }
    return p;
}

/* ---- the equivocation check over what validator 0 sends ---- */

struct vote {
    uint64_t height, view;
    int phase; /* 0 prepare, 1 commit */
    uint8_t digest[YC_HASH_LEN];
};

static struct vote votes[MAX_VOTES];
static size_t nvotes;

static bool key_is(const char *k, size_t klen, const char *want)
{
    return klen == strlen(want) && memcmp(k, want, klen) == 0;
}

/* Reads a vote out of a body map {digest, height, phase, view, …}; false if it is none. */
static bool body_vote(const uint8_t *p, size_t len, struct vote *v)
{
    struct yc_dec d;
    uint32_t n;
    bool has_digest = false, has_h = false, has_v = false;

    v->phase = -1;
    yc_dec_init(&d, p, len);
    if (yc_dec_map(&d, &n) != YC_OK) {
        return false;
    }
    for (uint32_t i = 0; i < n; i++) {
        const char *k, *s;
        size_t klen, slen;
        if (yc_dec_str(&d, &k, &klen) != YC_OK) {
            return false;
        }
        if (key_is(k, klen, "digest")) {
            has_digest = yc_dec_bin_fixed(&d, v->digest, YC_HASH_LEN) == YC_OK;
        } else if (key_is(k, klen, "height")) {
            has_h = yc_dec_uint(&d, &v->height) == YC_OK;
        } else if (key_is(k, klen, "view")) {
            has_v = yc_dec_uint(&d, &v->view) == YC_OK;
        } else if (key_is(k, klen, "phase")) {
            if (yc_dec_str(&d, &s, &slen) != YC_OK) {
                return false;
            }
            /* a NEW-VIEW with a digest carries the new primary's PREPARE */
            v->phase = key_is(s, slen, "prepare") || key_is(s, slen, "newview") ? 0
                       : key_is(s, slen, "commit")                              ? 1
                                                                                : -1;
        } else if (yc_dec_skip(&d, NULL, NULL) != YC_OK) {
            return false;
        }
    }
    return has_digest && has_h && has_v && v->phase >= 0;
}

static void on_send(void *ctx, uint32_t from, uint32_t to, const uint8_t *msg, size_t len)
{
    struct yc_dec d;
    uint32_t n;
    struct vote v;

    (void)ctx;
    (void)to;
    if (from != 0) {
        abort();
    }
    yc_dec_init(&d, msg, len);
    if (yc_dec_map(&d, &n) != YC_OK) {
        abort(); /* our own messages are canonical maps */
    }
    for (uint32_t i = 0; i < n; i++) {
        const char *k;
        const uint8_t *body;
        size_t klen, blen;
        if (yc_dec_str(&d, &k, &klen) != YC_OK || yc_dec_skip(&d, &body, &blen) != YC_OK) {
            abort();
        }
        if (!key_is(k, klen, "body") || !body_vote(body, blen, &v)) {
            continue;
        }
        for (size_t j = 0; j < nvotes; j++) {
            if (votes[j].height == v.height && votes[j].view == v.view &&
                votes[j].phase == v.phase) {
                if (memcmp(votes[j].digest, v.digest, YC_HASH_LEN) != 0) {
                    fprintf(stderr, "equivocation: height %llu view %llu phase %d\n",
                            (unsigned long long)v.height, (unsigned long long)v.view, v.phase);
                    abort();
                }
                return;
            }
        }
        if (nvotes < MAX_VOTES) {
            votes[nvotes++] = v;
        }
    }
}

/* ---- re-signing a message in place (op 0x20–0x3f) ---- */

/* Signs msg32 as validator v into sig (65 bytes inside the message copy). */
static void sign_as(uint64_t v, uint8_t *sig, const uint8_t msg32[YC_HASH_LEN])
{
    uint8_t aux[32] = {0};
    if (v < FZ_NVAL && yc_sig_sign(signers[v], sig, msg32, aux) != YC_OK) {
        abort();
    }
}

/* Where the fields of one map are; any field may be missing (NULL / has_ false). */
struct fields {
    const uint8_t *body, *block, *digest, *sig, *vote, *prepared, *vcs;
    size_t body_len, prepared_len, vcs_len;
    bool has_from, has_height, has_view;
    uint64_t from, height, view;
    const char *phase, *type;
    size_t phase_len, type_len;
};

/* Reads a map's fields of interest; false if it is no map or a value does not read. */
static bool read_fields(const uint8_t *p, size_t len, struct fields *f)
{
    struct yc_dec d;
    uint32_t n;

    memset(f, 0, sizeof *f);
    yc_dec_init(&d, p, len);
    if (yc_dec_map(&d, &n) != YC_OK) {
        return false;
    }
    for (uint32_t i = 0; i < n; i++) {
        const char *k;
        const uint8_t *v;
        size_t klen, vlen;
        if (yc_dec_str(&d, &k, &klen) != YC_OK) {
            return false;
        }
        if (key_is(k, klen, "from")) {
            f->has_from = yc_dec_uint(&d, &f->from) == YC_OK;
            continue;
        }
        if (key_is(k, klen, "height")) {
            f->has_height = yc_dec_uint(&d, &f->height) == YC_OK;
            continue;
        }
        if (key_is(k, klen, "view")) {
            f->has_view = yc_dec_uint(&d, &f->view) == YC_OK;
            continue;
        }
        if (key_is(k, klen, "phase") || key_is(k, klen, "type")) {
            const char *sv;
            size_t sl;
            if (yc_dec_str(&d, &sv, &sl) != YC_OK) {
                return false;
            }
            if (k[0] == 'p') {
                f->phase = sv;
                f->phase_len = sl;
            } else {
                f->type = sv;
                f->type_len = sl;
            }
            continue;
        }
        size_t at = d.pos;
        if (yc_dec_skip(&d, &v, &vlen) != YC_OK) {
            return false;
        }
        /* bin values: the payload is the last bytes of the encoded value */
        if ((key_is(k, klen, "sig") || key_is(k, klen, "vote")) && vlen == 2 + YC_SIG_LEN &&
            p[at] == 0xc4) {
            *(key_is(k, klen, "sig") ? &f->sig : &f->vote) = v + 2;
        } else if (key_is(k, klen, "digest") && vlen == 2 + YC_HASH_LEN && p[at] == 0xc4) {
            f->digest = v + 2;
        } else if (key_is(k, klen, "body")) {
            f->body = v;
            f->body_len = vlen;
        } else if (key_is(k, klen, "prepared")) {
            f->prepared = v;
            f->prepared_len = vlen;
        } else if (key_is(k, klen, "vcs")) {
            f->vcs = v;
            f->vcs_len = vlen;
        }
    }
    return true;
}

/* pcert {digest, sigs: [[idx, sig65]…], view}: each PREPARE signature by its validator. */
static void resign_pcert(const uint8_t *p, size_t len, uint64_t height)
{
    struct fields f;
    struct yc_dec d;
    uint32_t n;
    uint8_t h[YC_HASH_LEN];

    if (!read_fields(p, len, &f) || f.digest == NULL || !f.has_view) {
        return;
    }
    yc_vote_hash(h, genesis.chain_id, "prepare", height, f.view, f.digest);
    /* find "sigs" again: walk the map */
    yc_dec_init(&d, p, len);
    if (yc_dec_map(&d, &n) != YC_OK) {
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        const char *k;
        size_t klen;
        uint32_t cnt;
        if (yc_dec_str(&d, &k, &klen) != YC_OK) {
            return;
        }
        if (!key_is(k, klen, "sigs")) {
            if (yc_dec_skip(&d, NULL, NULL) != YC_OK) {
                return;
            }
            continue;
        }
        if (yc_dec_array(&d, &cnt) != YC_OK) {
            return;
        }
        for (uint32_t j = 0; j < cnt; j++) {
            uint32_t two;
            uint64_t idx;
            const uint8_t *sig;
            size_t slen;
            if (yc_dec_array(&d, &two) != YC_OK || two != 2 || yc_dec_uint(&d, &idx) != YC_OK ||
                yc_dec_bin(&d, &sig, &slen) != YC_OK) {
                return;
            }
            if (slen == YC_SIG_LEN) {
                sign_as(idx, (uint8_t *)sig, h);
            }
        }
        return;
    }
}

/* A VIEW-CHANGE body: its prepared certificate's PREPAREs. */
static void resign_vc_body(const uint8_t *p, size_t len)
{
    struct fields f;
    if (read_fields(p, len, &f) && f.prepared != NULL && f.has_height) {
        resign_pcert(f.prepared, f.prepared_len, f.height);
    }
}

/* NEW-VIEW vcs: [[from, vc-body, sig65]…]: each VIEW-CHANGE, inside out. */
static void resign_vcs(const uint8_t *p, size_t len)
{
    struct yc_dec d;
    uint32_t cnt;

    yc_dec_init(&d, p, len);
    if (yc_dec_array(&d, &cnt) != YC_OK) {
        return;
    }
    for (uint32_t j = 0; j < cnt; j++) {
        uint32_t three;
        uint64_t from;
        const uint8_t *body, *sig;
        size_t blen, slen;
        uint8_t h[YC_HASH_LEN];
        if (yc_dec_array(&d, &three) != YC_OK || three != 3 || yc_dec_uint(&d, &from) != YC_OK ||
            yc_dec_skip(&d, &body, &blen) != YC_OK || yc_dec_bin(&d, &sig, &slen) != YC_OK) {
            return;
        }
        resign_vc_body(body, blen);
        if (slen == YC_SIG_LEN) {
            yc_hash_tagged(h, YC_TAG_PBFT, genesis.chain_id, body, blen);
            sign_as(from, (uint8_t *)sig, h);
        }
    }
}

/* Re-signs msg (a private, writable copy) in place; lengths never change. */
static void resign(uint8_t *msg, size_t len)
{
    struct fields m, b;
    uint8_t h[YC_HASH_LEN];

    if (!read_fields(msg, len, &m) || m.body == NULL || m.type == NULL || !m.has_from ||
        !read_fields(m.body, m.body_len, &b)) {
        return;
    }
    bool vote = key_is(m.type, m.type_len, "preprepare") || key_is(m.type, m.type_len, "prepare") ||
                key_is(m.type, m.type_len, "commit");
    if (vote) {
        if (b.digest == NULL || !b.has_height || !b.has_view || b.phase == NULL) {
            return;
        }
        char phase[16];
        size_t pl = b.phase_len < sizeof phase - 1 ? b.phase_len : sizeof phase - 1;
        memcpy(phase, b.phase, pl);
        phase[pl] = '\0';
        yc_vote_hash(h, genesis.chain_id, phase, b.height, b.view, b.digest);
    } else {
        if (b.vcs != NULL) {
            resign_vcs(b.vcs, b.vcs_len);
        }
        if (b.prepared != NULL && b.has_height) {
            resign_pcert(b.prepared, b.prepared_len, b.height);
        }
        if (m.vote != NULL && b.digest != NULL && b.has_height && b.has_view) {
            yc_vote_hash(h, genesis.chain_id, "prepare", b.height, b.view, b.digest);
            sign_as(m.from, (uint8_t *)m.vote, h);
        }
        yc_hash_tagged(h, YC_TAG_PBFT, genesis.chain_id, m.body, m.body_len);
    }
    if (m.sig != NULL) {
        sign_as(m.from, (uint8_t *)m.sig, h);
    }
}

/* Signers live in sodium_malloc'ed memory, which LeakSanitizer does not scan: free them
 * at exit so that what they point to is not reported as leaked. */
static void cleanup(void)
{
    for (uint32_t i = 0; i < FZ_NVAL; i++) {
        yc_signer_destroy(signers[i]);
    }
    yc_genesis_cleanup(&genesis);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_genesis(&genesis, FZ_NVAL);
    for (uint32_t i = 0; i < FZ_NVAL; i++) {
        signers[i] = fz_signer(i);
    }
    atexit(cleanup);
    return 0;
}

static uint16_t get_u16be(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const yc_allocator counting = {count_realloc, NULL};
    struct fz_drive d;
    size_t off = 0;
    size_t bound = MEM_BASE + MEM_PER_BYTE * size;

    nvotes = 0;
    yc_alloc_set(&counting);
    size_t live0 = live_bytes;
    peak_bytes = live_bytes;
    if (fz_drive_init(&d, &genesis, 0, signers[0], FZ_TIME0 + 1000, on_send, NULL) != YC_OK) {
        abort();
    }
    fz_drive_pump(&d);
    for (int r = 0; r < MAX_RECORDS && size - off >= 4; r++) {
        uint8_t op = data[off];
        uint8_t dt = data[off + 1];
        size_t len = get_u16be(data + off + 2);
        off += 4;
        if (len > size - off) {
            len = size - off;
        }
        const uint8_t *p = data + off;
        off += len;

        if (dt > 0) {
            d.now += (uint64_t)dt * TICK_MS;
            pbft_tick(d.node, d.now);
        }
        if (op < 0x20) {
            int rc = pbft_step(d.node, op, p, len, d.now);
            (void)rc; /* refusals are expected; what matters is what follows */
        } else if (op < 0x40) {
            uint8_t *copy = malloc(len > 0 ? len : 1);
            if (copy == NULL) {
                abort();
            }
            memcpy(copy, p, len);
            resign(copy, len);
            int rc = pbft_step(d.node, op & 0x1f, copy, len, d.now);
            (void)rc;
            free(copy);
        } else if (op < 0x80) {
            int rc = pbft_propose(d.node, p, len, d.now);
            (void)rc;
        } else if (op < 0xc0) {
            fz_drive_pump(&d); /* persist what is pending, as a driver does before a crash */
            if (fz_drive_restart(&d) != YC_OK) {
                abort(); /* its own journal must always restore */
            }
        } else {
            d.verdict_ok = (op & 1) != 0;
        }
        fz_drive_pump(&d);
        if (live_bytes - live0 > bound) {
            fprintf(stderr, "pbft: %zu bytes live after record %d (bound %zu)\n",
                    live_bytes - live0, r, bound);
            abort();
        }
    }
    if (getenv("YC_FUZZ_TRACE") != NULL) { /* to check that seeds still reach deep states */
        fprintf(stderr,
                "pbft_msg: decided %llu heights, at height %llu view %llu, %zu votes "
                "signed, peak %zu bytes\n",
                (unsigned long long)d.decided, (unsigned long long)d.height,
                (unsigned long long)d.view, nvotes, peak_bytes - live0);
    }
    fz_drive_cleanup(&d);
    if (live_bytes != live0) {
        fprintf(stderr, "pbft: %zu bytes leaked\n", live_bytes - live0);
        abort();
    }
    yc_alloc_set(NULL);
    return 0;
}
