/*
 * wire.c — the PBFT message and journal record grammars (docs/design/pbft.md §4–5).
 *
 *   msg      = map { ?"block": bin, "body": body, "from": uint, "sig": bin65,
 *                    "type": str, ?"vote": bin65 }
 *   prepared = map { ?"block": bin, "height": uint, "prepared": pcert, "type": "prepared" }
 *
 * Decoding is strict: one canonical value (yc_canon_check), known keys only, every
 * field of the type present and no other, validator indices below n, views below
 * PBFT_MAX_VIEW, lists sorted and unique. Nothing here checks signatures or blocks:
 * that is the state machine's job once it knows which key and which height apply.
 */
#include <string.h>

#include "pbft_int.h"

const char *const pbft__type_name[] = {"",           "preprepare", "prepare", "commit",
                                       "viewchange", "newview",    "prepared"};

static const char *const phase_names[] = {"prepare", "commit"};

const char *pbft__phase_name(enum pbft_phase ph)
{
    return phase_names[ph == PH_COMMIT ? 1 : 0];
}

#define CHECK(x)               \
    do {                       \
        if ((x) != YC_OK) {    \
            return YC_EBADMSG; \
        }                      \
    } while (0)

static bool str_eq(const char *s, size_t len, const char *lit)
{
    return len == strlen(lit) && memcmp(s, lit, len) == 0;
}

/* Reads a required key; YC_EBADMSG when absent or out of order. */
static int need(struct yc_dec *d, uint32_t *left, const char *key)
{
    return yc_dec_field(d, left, key) == 1 ? YC_OK : YC_EBADMSG;
}

/* Optional key: 1 present, 0 absent, <0 error. */
static int opt(struct yc_dec *d, uint32_t *left, const char *key)
{
    int r = yc_dec_field(d, left, key);
    return r < 0 ? YC_EBADMSG : r;
}

static int dec_sig(struct yc_dec *d, const uint8_t **sig)
{
    size_t len;
    CHECK(yc_dec_bin(d, sig, &len));
    return len == YC_SIG_LEN ? YC_OK : YC_EBADMSG;
}

static int dec_view(struct yc_dec *d, uint64_t *v)
{
    CHECK(yc_dec_uint(d, v));
    return *v < PBFT_MAX_VIEW ? YC_OK : YC_EBADMSG;
}

static int dec_height(struct yc_dec *d, uint64_t *h)
{
    CHECK(yc_dec_uint(d, h));
    return *h >= 1 ? YC_OK : YC_EBADMSG;
}

static int dec_phase(struct yc_dec *d, const char *want)
{
    const char *s;
    size_t len;
    CHECK(yc_dec_str(d, &s, &len));
    return str_eq(s, len, want) ? YC_OK : YC_EBADMSG;
}

/* pcert = map { "digest": bin32, "sigs": [[uint, bin65], …] (indices increasing),
 *               "view": uint } */
static int dec_pcert(struct yc_dec *d, struct pbft_wpcert *pc, uint32_t n)
{
    uint32_t left;
    uint32_t cnt;

    CHECK(yc_dec_map(d, &left));
    CHECK(need(d, &left, "digest"));
    CHECK(yc_dec_bin_fixed(d, pc->digest, YC_HASH_LEN));
    CHECK(need(d, &left, "sigs"));
    CHECK(yc_dec_array(d, &cnt));
    if (cnt > n || cnt > YC_MAX_VALIDATORS) {
        return YC_EBADMSG;
    }
    pc->nsigs = cnt;
    for (uint32_t i = 0; i < cnt; i++) {
        uint32_t two;
        uint64_t idx;
        CHECK(yc_dec_array(d, &two));
        if (two != 2) {
            return YC_EBADMSG;
        }
        CHECK(yc_dec_uint(d, &idx));
        if (idx >= n || (i > 0 && idx <= pc->idx[i - 1])) {
            return YC_EBADMSG;
        }
        pc->idx[i] = (uint32_t)idx;
        CHECK(dec_sig(d, &pc->sig[i]));
    }
    CHECK(need(d, &left, "view"));
    CHECK(dec_view(d, &pc->view));
    return left == 0 ? YC_OK : YC_EBADMSG;
}

/* vote-body = map { "digest": bin32, "height": uint, "phase": str, "view": uint } */
int pbft__decode_vote_body(const uint8_t *p, size_t len, const char *phase, uint64_t *height,
                           uint64_t *view, uint8_t digest[YC_HASH_LEN])
{
    struct yc_dec d;
    uint32_t left;

    yc_dec_init(&d, p, len);
    CHECK(yc_dec_map(&d, &left));
    CHECK(need(&d, &left, "digest"));
    CHECK(yc_dec_bin_fixed(&d, digest, YC_HASH_LEN));
    CHECK(need(&d, &left, "height"));
    CHECK(dec_height(&d, height));
    CHECK(need(&d, &left, "phase"));
    CHECK(dec_phase(&d, phase));
    CHECK(need(&d, &left, "view"));
    CHECK(dec_view(&d, view));
    return left == 0 && yc_dec_done(&d) ? YC_OK : YC_EBADMSG;
}

static int dec_vote_body(struct pbft_wmsg *m, const char *phase)
{
    m->has_digest = true;
    return pbft__decode_vote_body(m->body, m->body_len, phase, &m->height, &m->view, m->digest);
}

/* vc-body = map { "height": uint, "phase": "viewchange", ?"prepared": pcert, "view": uint } */
int pbft__decode_vc_body(struct pbft_wvc *vc, const uint8_t *p, size_t len, uint32_t n)
{
    struct yc_dec d;
    uint32_t left;
    int r;

    memset(vc, 0, sizeof *vc);
    yc_dec_init(&d, p, len);
    CHECK(yc_dec_map(&d, &left));
    CHECK(need(&d, &left, "height"));
    CHECK(dec_height(&d, &vc->height));
    CHECK(need(&d, &left, "phase"));
    CHECK(dec_phase(&d, "viewchange"));
    r = opt(&d, &left, "prepared");
    if (r < 0) {
        return YC_EBADMSG;
    }
    if (r == 1) {
        vc->has_pc = true;
        CHECK(dec_pcert(&d, &vc->pc, n));
    }
    CHECK(need(&d, &left, "view"));
    CHECK(dec_view(&d, &vc->view));
    if (vc->view == 0 || (vc->has_pc && vc->pc.view >= vc->view)) {
        return YC_EBADMSG;
    }
    return left == 0 && yc_dec_done(&d) ? YC_OK : YC_EBADMSG;
}

/* nv-body = map { ?"digest": bin32, "height": uint, "phase": "newview",
 *                 "vcs": [[uint, vc-body, bin65], …] (senders increasing), "view": uint } */
static int dec_nv_body(struct pbft_wmsg *m, uint32_t n)
{
    struct yc_dec d;
    uint32_t left;
    uint32_t cnt;
    int r;

    yc_dec_init(&d, m->body, m->body_len);
    CHECK(yc_dec_map(&d, &left));
    r = opt(&d, &left, "digest");
    if (r < 0) {
        return YC_EBADMSG;
    }
    if (r == 1) {
        m->has_digest = true;
        CHECK(yc_dec_bin_fixed(&d, m->digest, YC_HASH_LEN));
    }
    CHECK(need(&d, &left, "height"));
    CHECK(dec_height(&d, &m->height));
    CHECK(need(&d, &left, "phase"));
    CHECK(dec_phase(&d, "newview"));
    CHECK(need(&d, &left, "vcs"));
    CHECK(yc_dec_array(&d, &cnt));
    if (cnt > n || cnt > YC_MAX_VALIDATORS) {
        return YC_EBADMSG;
    }
    m->nvcs = cnt;
    for (uint32_t i = 0; i < cnt; i++) {
        uint32_t three;
        uint64_t from;
        struct pbft_wnvc *e = &m->vcs[i];
        CHECK(yc_dec_array(&d, &three));
        if (three != 3) {
            return YC_EBADMSG;
        }
        CHECK(yc_dec_uint(&d, &from));
        if (from >= n || (i > 0 && from <= m->vcs[i - 1].from)) {
            return YC_EBADMSG;
        }
        e->from = (uint32_t)from;
        if (yc_dec_peek(&d) != YC_MT_MAP) {
            return YC_EBADMSG;
        }
        CHECK(yc_dec_skip(&d, &e->body, &e->body_len));
        CHECK(dec_sig(&d, &e->sig));
    }
    CHECK(need(&d, &left, "view"));
    CHECK(dec_view(&d, &m->view));
    if (m->view == 0) {
        return YC_EBADMSG;
    }
    return left == 0 && yc_dec_done(&d) ? YC_OK : YC_EBADMSG;
}

static enum pbft_type type_of(const char *s, size_t len)
{
    for (int t = PBFT_T_PREPREPARE; t <= PBFT_T_PREPARED; t++) {
        if (str_eq(s, len, pbft__type_name[t])) {
            return (enum pbft_type)t;
        }
    }
    return PBFT_T_NONE;
}

int pbft__decode(struct pbft_wmsg *m, const uint8_t *p, size_t len, uint32_t n)
{
    static const struct yc_limits lim = {
        .max_depth = 10, .max_items = YC_MAX_VALIDATORS, .max_strlen = YC_BLOCK_MAX_BYTES};
    struct yc_dec d;
    uint32_t left;
    uint64_t from = UINT64_MAX;
    bool has_height = false;
    const char *ts;
    size_t tlen;
    int r;
    int rc;

    memset(m, 0, offsetof(struct pbft_wmsg, vcs));
    m->nvcs = 0;
    if (p == NULL || len == 0) {
        return YC_EBADMSG;
    }
    if (len > PBFT_MAX_MSG_BYTES) {
        return YC_ETOOLARGE;
    }
    rc = yc_canon_check(p, len, &lim);
    if (rc != YC_OK) {
        return rc;
    }
    yc_dec_init(&d, p, len);
    CHECK(yc_dec_map(&d, &left));
    if ((r = opt(&d, &left, "block")) < 0) {
        return YC_EBADMSG;
    }
    if (r == 1) {
        CHECK(yc_dec_bin(&d, &m->block, &m->block_len));
        if (m->block == NULL || m->block_len == 0) {
            return YC_EBADMSG;
        }
    }
    if ((r = opt(&d, &left, "body")) < 0) {
        return YC_EBADMSG;
    }
    if (r == 1) {
        if (yc_dec_peek(&d) != YC_MT_MAP) {
            return YC_EBADMSG;
        }
        CHECK(yc_dec_skip(&d, &m->body, &m->body_len));
    }
    if ((r = opt(&d, &left, "from")) < 0) {
        return YC_EBADMSG;
    }
    if (r == 1) {
        CHECK(yc_dec_uint(&d, &from));
        if (from >= n) {
            return YC_EBADMSG;
        }
        m->from = (uint32_t)from;
    }
    if ((r = opt(&d, &left, "height")) < 0) {
        return YC_EBADMSG;
    }
    if (r == 1) {
        has_height = true;
        CHECK(dec_height(&d, &m->height));
    }
    if ((r = opt(&d, &left, "prepared")) < 0) {
        return YC_EBADMSG;
    }
    if (r == 1) {
        m->has_pc = true;
        CHECK(dec_pcert(&d, &m->pc, n));
    }
    if ((r = opt(&d, &left, "sig")) < 0) {
        return YC_EBADMSG;
    }
    if (r == 1) {
        CHECK(dec_sig(&d, &m->sig));
    }
    CHECK(need(&d, &left, "type"));
    CHECK(yc_dec_str(&d, &ts, &tlen));
    m->type = type_of(ts, tlen);
    if ((r = opt(&d, &left, "vote")) < 0) {
        return YC_EBADMSG;
    }
    if (r == 1) {
        CHECK(dec_sig(&d, &m->vote));
    }
    if (left != 0 || !yc_dec_done(&d) || m->type == PBFT_T_NONE) {
        return YC_EBADMSG;
    }

    if (m->type == PBFT_T_PREPARED) {
        if (!has_height || !m->has_pc || m->body != NULL || from != UINT64_MAX || m->sig != NULL ||
            m->vote != NULL) {
            return YC_EBADMSG;
        }
        m->view = m->pc.view;
        memcpy(m->digest, m->pc.digest, YC_HASH_LEN);
        m->has_digest = true;
        return YC_OK;
    }
    if (has_height || m->has_pc || m->body == NULL || from == UINT64_MAX || m->sig == NULL) {
        return YC_EBADMSG;
    }
    switch (m->type) {
    case PBFT_T_PREPREPARE:
        if (m->block == NULL || m->vote != NULL) {
            return YC_EBADMSG;
        }
        return dec_vote_body(m, "prepare");
    case PBFT_T_PREPARE:
    case PBFT_T_COMMIT:
        if (m->block != NULL || m->vote != NULL) {
            return YC_EBADMSG;
        }
        return dec_vote_body(m, pbft__type_name[m->type]);
    case PBFT_T_VIEWCHANGE: {
        struct pbft_wvc vc;
        if (m->vote != NULL) {
            return YC_EBADMSG;
        }
        rc = pbft__decode_vc_body(&vc, m->body, m->body_len, n);
        if (rc != YC_OK) {
            return rc;
        }
        /* the block travels exactly when a prepared certificate does */
        if (vc.has_pc != (m->block != NULL)) {
            return YC_EBADMSG;
        }
        m->height = vc.height;
        m->view = vc.view;
        m->has_pc = vc.has_pc;
        m->pc = vc.pc;
        if (vc.has_pc) {
            memcpy(m->digest, vc.pc.digest, YC_HASH_LEN);
            m->has_digest = true;
        }
        return YC_OK;
    }
    case PBFT_T_NEWVIEW:
        rc = dec_nv_body(m, n);
        if (rc != YC_OK) {
            return rc;
        }
        if ((m->block != NULL) != m->has_digest || (m->vote != NULL) != m->has_digest) {
            return YC_EBADMSG;
        }
        return YC_OK;
    default:
        return YC_EBADMSG;
    }
}

/* ---- encoders ---- */

static void enc_key(struct yc_enc *e, const char *k)
{
    yc_enc_cstr(e, k);
}

int pbft__enc_vote_body(struct yc_buf *out, enum pbft_phase ph, uint64_t h, uint64_t v,
                        const uint8_t digest[YC_HASH_LEN])
{
    struct yc_enc e;
    yc_enc_init(&e, out);
    yc_enc_map(&e, 4);
    enc_key(&e, "digest");
    yc_enc_bin(&e, digest, YC_HASH_LEN);
    enc_key(&e, "height");
    yc_enc_uint(&e, h);
    enc_key(&e, "phase");
    yc_enc_cstr(&e, pbft__phase_name(ph));
    enc_key(&e, "view");
    yc_enc_uint(&e, v);
    return yc_enc_finish(&e);
}

static void enc_pcert(struct yc_enc *e, const struct pbft_pcert *pc)
{
    yc_enc_map(e, 3);
    enc_key(e, "digest");
    yc_enc_bin(e, pc->digest, YC_HASH_LEN);
    enc_key(e, "sigs");
    yc_enc_array(e, pc->nsigs);
    for (uint32_t i = 0; i < pc->nsigs; i++) {
        yc_enc_array(e, 2);
        yc_enc_uint(e, pc->idx[i]);
        yc_enc_bin(e, pc->sigs[i], YC_SIG_LEN);
    }
    enc_key(e, "view");
    yc_enc_uint(e, pc->view);
}

int pbft__enc_vc_body(struct yc_buf *out, uint64_t h, uint64_t v, const struct pbft_pcert *pc)
{
    struct yc_enc e;
    bool has = pc != NULL && pc->has;
    yc_enc_init(&e, out);
    yc_enc_map(&e, has ? 4 : 3);
    enc_key(&e, "height");
    yc_enc_uint(&e, h);
    enc_key(&e, "phase");
    yc_enc_cstr(&e, "viewchange");
    if (has) {
        enc_key(&e, "prepared");
        enc_pcert(&e, pc);
    }
    enc_key(&e, "view");
    yc_enc_uint(&e, v);
    return yc_enc_finish(&e);
}

int pbft__enc_nv_body(struct yc_buf *out, uint64_t h, uint64_t v, const uint8_t *digest,
                      const struct pbft_vcent *const *vcs, const uint32_t *from, uint32_t nvcs)
{
    struct yc_enc e;
    yc_enc_init(&e, out);
    yc_enc_map(&e, digest != NULL ? 5 : 4);
    if (digest != NULL) {
        enc_key(&e, "digest");
        yc_enc_bin(&e, digest, YC_HASH_LEN);
    }
    enc_key(&e, "height");
    yc_enc_uint(&e, h);
    enc_key(&e, "phase");
    yc_enc_cstr(&e, "newview");
    enc_key(&e, "vcs");
    yc_enc_array(&e, nvcs);
    for (uint32_t i = 0; i < nvcs; i++) {
        yc_enc_array(&e, 3);
        yc_enc_uint(&e, from[i]);
        yc_enc_raw(&e, vcs[i]->body, vcs[i]->body_len);
        yc_enc_bin(&e, vcs[i]->sig, YC_SIG_LEN);
    }
    enc_key(&e, "view");
    yc_enc_uint(&e, v);
    return yc_enc_finish(&e);
}

int pbft__enc_msg(struct yc_buf *out, enum pbft_type t, uint32_t from, const uint8_t *block,
                  size_t block_len, const uint8_t *body, size_t body_len,
                  const uint8_t sig[YC_SIG_LEN], const uint8_t *vote)
{
    struct yc_enc e;
    yc_enc_init(&e, out);
    yc_enc_map(&e, 4u + (block != NULL) + (vote != NULL));
    if (block != NULL) {
        enc_key(&e, "block");
        yc_enc_bin(&e, block, block_len);
    }
    enc_key(&e, "body");
    yc_enc_raw(&e, body, body_len);
    enc_key(&e, "from");
    yc_enc_uint(&e, from);
    enc_key(&e, "sig");
    yc_enc_bin(&e, sig, YC_SIG_LEN);
    enc_key(&e, "type");
    yc_enc_cstr(&e, pbft__type_name[t]);
    if (vote != NULL) {
        enc_key(&e, "vote");
        yc_enc_bin(&e, vote, YC_SIG_LEN);
    }
    return yc_enc_finish(&e);
}

int pbft__enc_prepared(struct yc_buf *out, uint64_t h, const struct pbft_pcert *pc,
                       const uint8_t *block, size_t block_len)
{
    struct yc_enc e;
    yc_enc_init(&e, out);
    yc_enc_map(&e, block != NULL ? 4 : 3);
    if (block != NULL) {
        enc_key(&e, "block");
        yc_enc_bin(&e, block, block_len);
    }
    enc_key(&e, "height");
    yc_enc_uint(&e, h);
    enc_key(&e, "prepared");
    enc_pcert(&e, pc);
    enc_key(&e, "type");
    yc_enc_cstr(&e, "prepared");
    return yc_enc_finish(&e);
}
