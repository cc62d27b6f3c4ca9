/*
 * sim_wire.c — the consensus message grammar of docs/design/pbft.md §4, written
 * again from the document (not from consensus/): the checker reads the votes that
 * honest validators actually sent, and byzantine instances craft messages by hand.
 */
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "yc/alloc.h"
#include "yc/codec.h"
#include "yc/hash.h"

static const char *const type_names[] = {"",       "preprepare", "prepare",
                                         "commit", "viewchange", "newview"};

static bool key_is(const char *k, size_t klen, const char *lit)
{
    return klen == strlen(lit) && memcmp(k, lit, klen) == 0;
}

/* Reads {digest?, height, view} (and ignores other keys) of a body map. */
static bool parse_body(const uint8_t *p, size_t len, struct sim_vote *v)
{
    struct yc_dec d;
    uint32_t pairs;
    bool has_h = false, has_v = false;
    yc_dec_init(&d, p, len);
    if (yc_dec_map(&d, &pairs) != YC_OK) {
        return false;
    }
    for (uint32_t i = 0; i < pairs; i++) {
        const char *k;
        size_t klen;
        if (yc_dec_str(&d, &k, &klen) != YC_OK) {
            return false;
        }
        if (key_is(k, klen, "digest")) {
            if (yc_dec_bin_fixed(&d, v->digest, YC_HASH_LEN) != YC_OK) {
                return false;
            }
            v->has_digest = true;
        } else if (key_is(k, klen, "height")) {
            has_h = yc_dec_uint(&d, &v->height) == YC_OK;
        } else if (key_is(k, klen, "view")) {
            has_v = yc_dec_uint(&d, &v->view) == YC_OK;
        } else if (yc_dec_skip(&d, NULL, NULL) != YC_OK) {
            return false;
        }
    }
    return has_h && has_v;
}

bool sim_parse(const uint8_t *p, size_t len, struct sim_vote *v)
{
    static const struct yc_limits lim = {
        .max_depth = 10, .max_items = 64, .max_strlen = YC_BLOCK_MAX_BYTES};
    struct yc_dec d;
    uint32_t pairs;
    const uint8_t *body = NULL;
    size_t body_len = 0;
    bool has_vote = false;
    uint64_t from = UINT64_MAX;

    memset(v, 0, sizeof *v);
    if (yc_canon_check(p, len, &lim) != YC_OK) {
        return false;
    }
    yc_dec_init(&d, p, len);
    if (yc_dec_map(&d, &pairs) != YC_OK) {
        return false;
    }
    for (uint32_t i = 0; i < pairs; i++) {
        const char *k, *s;
        size_t klen, slen;
        if (yc_dec_str(&d, &k, &klen) != YC_OK) {
            return false;
        }
        if (key_is(k, klen, "body")) {
            if (yc_dec_skip(&d, &body, &body_len) != YC_OK) {
                return false;
            }
        } else if (key_is(k, klen, "from")) {
            if (yc_dec_uint(&d, &from) != YC_OK) {
                return false;
            }
        } else if (key_is(k, klen, "type")) {
            if (yc_dec_str(&d, &s, &slen) != YC_OK) {
                return false;
            }
            for (int t = 1; t <= 5; t++) {
                if (key_is(s, slen, type_names[t])) {
                    v->type = t;
                }
            }
        } else if (key_is(k, klen, "vote")) {
            has_vote = true;
            if (yc_dec_skip(&d, NULL, NULL) != YC_OK) {
                return false;
            }
        } else if (yc_dec_skip(&d, NULL, NULL) != YC_OK) {
            return false;
        }
    }
    if (v->type == 0 || body == NULL || from > UINT32_MAX) {
        return false;
    }
    v->from = (uint32_t)from;
    if (!parse_body(body, body_len, v)) {
        return false;
    }
    if (v->type == 4) {
        v->has_digest = false; /* a VIEW-CHANGE's digest is a certificate's, not a vote */
    }
    v->prepare_vote = v->type == 1 || v->type == 2 || (v->type == 5 && has_vote);
    return v->type != 5 || !has_vote || v->has_digest;
}

/* ---- crafting ---- */

static void vote_body(struct yc_buf *b, const char *phase, uint64_t h, uint64_t v,
                      const uint8_t digest[YC_HASH_LEN])
{
    struct yc_enc e;
    yc_enc_init(&e, b);
    yc_enc_map(&e, 4);
    yc_enc_cstr(&e, "digest");
    yc_enc_bin(&e, digest, YC_HASH_LEN);
    yc_enc_cstr(&e, "height");
    yc_enc_uint(&e, h);
    yc_enc_cstr(&e, "phase");
    yc_enc_cstr(&e, phase);
    yc_enc_cstr(&e, "view");
    yc_enc_uint(&e, v);
    if (yc_enc_finish(&e) != YC_OK) {
        abort();
    }
}

static void sign(const struct sim_chain *c, uint32_t who, uint8_t sig[YC_SIG_LEN],
                 const uint8_t msg[YC_HASH_LEN])
{
    uint8_t aux[32];
    yc_sha256(aux, msg, YC_HASH_LEN);
    if (yc_sig_sign(c->signers[who], sig, msg, aux) != YC_OK) {
        abort();
    }
}

static uint8_t *envelope(const char *type, uint32_t from, const uint8_t *block, size_t block_len,
                         const struct yc_buf *body, const uint8_t sig[YC_SIG_LEN],
                         const uint8_t *vote, size_t *len)
{
    struct yc_buf b;
    struct yc_enc e;
    uint8_t *out;
    yc_buf_init(&b, 0);
    yc_enc_init(&e, &b);
    yc_enc_map(&e, 4u + (block != NULL) + (vote != NULL));
    if (block != NULL) {
        yc_enc_cstr(&e, "block");
        yc_enc_bin(&e, block, block_len);
    }
    yc_enc_cstr(&e, "body");
    yc_enc_raw(&e, body->data, body->len);
    yc_enc_cstr(&e, "from");
    yc_enc_uint(&e, from);
    yc_enc_cstr(&e, "sig");
    yc_enc_bin(&e, sig, YC_SIG_LEN);
    yc_enc_cstr(&e, "type");
    yc_enc_cstr(&e, type);
    if (vote != NULL) {
        yc_enc_cstr(&e, "vote");
        yc_enc_bin(&e, vote, YC_SIG_LEN);
    }
    if (yc_enc_finish(&e) != YC_OK) {
        abort();
    }
    yc_buf_take(&b, &out, len);
    return out;
}

uint8_t *sim_craft_vote(const struct sim_chain *c, int type, uint32_t from, uint64_t height,
                        uint64_t view, const uint8_t digest[YC_HASH_LEN], const uint8_t *block,
                        size_t block_len, size_t *len)
{
    const char *phase = type == 3 ? "commit" : "prepare";
    uint8_t h[YC_HASH_LEN], sig[YC_SIG_LEN];
    struct yc_buf body;
    uint8_t *out;
    yc_buf_init(&body, 0);
    vote_body(&body, phase, height, view, digest);
    yc_vote_hash(h, c->g.chain_id, phase, height, view, digest);
    sign(c, from, sig, h);
    out = envelope(type_names[type], from, block, block_len, &body, sig, NULL, len);
    yc_buf_cleanup(&body);
    return out;
}

uint8_t *sim_craft_vc(const struct sim_chain *c, uint32_t from, uint64_t height, uint64_t view,
                      bool has_pc, uint64_t pc_view, const uint8_t digest[YC_HASH_LEN],
                      const uint32_t *signers, uint32_t nsigners, const char *phase,
                      const uint8_t *block, size_t block_len, size_t *len)
{
    uint8_t h[YC_HASH_LEN], sig[YC_SIG_LEN];
    struct yc_buf body;
    struct yc_enc e;
    uint8_t *out;

    yc_buf_init(&body, 0);
    yc_enc_init(&e, &body);
    yc_enc_map(&e, has_pc ? 4 : 3);
    yc_enc_cstr(&e, "height");
    yc_enc_uint(&e, height);
    yc_enc_cstr(&e, "phase");
    yc_enc_cstr(&e, "viewchange");
    if (has_pc) {
        yc_vote_hash(h, c->g.chain_id, phase, height, pc_view, digest);
        yc_enc_cstr(&e, "prepared");
        yc_enc_map(&e, 3);
        yc_enc_cstr(&e, "digest");
        yc_enc_bin(&e, digest, YC_HASH_LEN);
        yc_enc_cstr(&e, "sigs");
        yc_enc_array(&e, nsigners);
        for (uint32_t i = 0; i < nsigners; i++) {
            uint8_t s[YC_SIG_LEN];
            sign(c, signers[i], s, h);
            yc_enc_array(&e, 2);
            yc_enc_uint(&e, signers[i]);
            yc_enc_bin(&e, s, YC_SIG_LEN);
        }
        yc_enc_cstr(&e, "view");
        yc_enc_uint(&e, pc_view);
    }
    yc_enc_cstr(&e, "view");
    yc_enc_uint(&e, view);
    if (yc_enc_finish(&e) != YC_OK) {
        abort();
    }
    yc_hash_tagged(h, YC_TAG_PBFT, c->g.chain_id, body.data, body.len);
    sign(c, from, sig, h);
    out = envelope("viewchange", from, has_pc ? block : NULL, block_len, &body, sig, NULL, len);
    yc_buf_cleanup(&body);
    return out;
}

/* Extracts the raw body and the sig of a message. */
static bool split(const uint8_t *p, size_t len, const uint8_t **body, size_t *body_len,
                  const uint8_t **sig)
{
    struct yc_dec d;
    uint32_t pairs;
    *body = NULL;
    *sig = NULL;
    yc_dec_init(&d, p, len);
    if (yc_dec_map(&d, &pairs) != YC_OK) {
        return false;
    }
    for (uint32_t i = 0; i < pairs; i++) {
        const char *k;
        size_t klen, slen;
        if (yc_dec_str(&d, &k, &klen) != YC_OK) {
            return false;
        }
        if (key_is(k, klen, "body")) {
            if (yc_dec_skip(&d, body, body_len) != YC_OK) {
                return false;
            }
        } else if (key_is(k, klen, "sig")) {
            if (yc_dec_bin(&d, sig, &slen) != YC_OK || slen != YC_SIG_LEN) {
                return false;
            }
        } else if (yc_dec_skip(&d, NULL, NULL) != YC_OK) {
            return false;
        }
    }
    return *body != NULL && *sig != NULL;
}

uint8_t *sim_craft_nv(const struct sim_chain *c, uint32_t from, uint64_t height, uint64_t view,
                      uint8_t *const *vcs, const size_t *vc_lens, uint32_t nvcs,
                      const uint8_t *digest, const uint8_t *block, size_t block_len, size_t *len)
{
    uint8_t h[YC_HASH_LEN], sig[YC_SIG_LEN], vote[YC_SIG_LEN];
    struct yc_buf body;
    struct yc_enc e;
    uint8_t *out;

    yc_buf_init(&body, 0);
    yc_enc_init(&e, &body);
    yc_enc_map(&e, digest != NULL ? 5 : 4);
    if (digest != NULL) {
        yc_enc_cstr(&e, "digest");
        yc_enc_bin(&e, digest, YC_HASH_LEN);
    }
    yc_enc_cstr(&e, "height");
    yc_enc_uint(&e, height);
    yc_enc_cstr(&e, "phase");
    yc_enc_cstr(&e, "newview");
    yc_enc_cstr(&e, "vcs");
    yc_enc_array(&e, nvcs);
    for (uint32_t i = 0; i < nvcs; i++) {
        struct sim_vote v;
        const uint8_t *b, *s;
        size_t blen;
        if (!sim_parse(vcs[i], vc_lens[i], &v) || !split(vcs[i], vc_lens[i], &b, &blen, &s)) {
            abort();
        }
        yc_enc_array(&e, 3);
        yc_enc_uint(&e, v.from);
        yc_enc_raw(&e, b, blen);
        yc_enc_bin(&e, s, YC_SIG_LEN);
    }
    yc_enc_cstr(&e, "view");
    yc_enc_uint(&e, view);
    if (yc_enc_finish(&e) != YC_OK) {
        abort();
    }
    yc_hash_tagged(h, YC_TAG_PBFT, c->g.chain_id, body.data, body.len);
    sign(c, from, sig, h);
    if (digest != NULL) {
        yc_vote_hash(h, c->g.chain_id, "prepare", height, view, digest);
        sign(c, from, vote, h);
    }
    out = envelope("newview", from, digest != NULL ? block : NULL, block_len, &body, sig,
                   digest != NULL ? vote : NULL, len);
    yc_buf_cleanup(&body);
    return out;
}

uint8_t *sim_retype(const uint8_t *p, size_t len, const char *type, size_t *outlen)
{
    struct yc_dec d;
    struct yc_buf b;
    struct yc_enc e;
    uint32_t pairs;
    uint8_t *out;

    yc_dec_init(&d, p, len);
    if (yc_dec_map(&d, &pairs) != YC_OK) {
        return NULL;
    }
    yc_buf_init(&b, 0);
    yc_enc_init(&e, &b);
    yc_enc_map(&e, pairs);
    for (uint32_t i = 0; i < pairs; i++) {
        const char *k;
        size_t klen;
        const uint8_t *v;
        size_t vlen;
        if (yc_dec_str(&d, &k, &klen) != YC_OK || yc_dec_skip(&d, &v, &vlen) != YC_OK) {
            yc_buf_cleanup(&b);
            return NULL;
        }
        yc_enc_str(&e, k, klen);
        if (key_is(k, klen, "type")) {
            yc_enc_cstr(&e, type);
        } else {
            yc_enc_raw(&e, v, vlen);
        }
    }
    if (yc_enc_finish(&e) != YC_OK) {
        yc_buf_cleanup(&b);
        return NULL;
    }
    yc_buf_take(&b, &out, outlen);
    return out;
}
