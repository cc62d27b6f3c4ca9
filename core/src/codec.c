/*
 * codec.c — canonical MessagePack: checker, writer, pull-reader.
 *
 * The checker (`yc_canon_check`) is the gate for untrusted bytes. It walks the input
 * once, recursing at most `max_depth` (itself capped at YC_CODEC_DEPTH_CEILING)
 * levels, allocates nothing, and for every length or count compares the claim with
 * the configured limit and with the bytes that remain *before* reading the payload:
 * a 5-byte `dd ff 00 00 00` claiming 4 billion elements is refused at once. Canonical
 * means "what msgpack-c's packer emits for this value": the shortest header for every
 * integer, length and count (msgpack_pack_* pick it), no floats, no ext, map keys
 * strings in strictly increasing bytewise order, strings valid UTF-8.
 *
 * The writer drives msgpack-c's msgpack_packer with a callback that appends to a
 * capped yc_buf; errors are sticky in `struct yc_enc`.
 *
 * The reader never reads past `len`, even over unchecked input; a value of the wrong
 * type or a truncated one returns YC_EBADFIELD and leaves the position unchanged.
 */
#include <string.h>

#include <arpa/inet.h>

/* msgpack-c's sysdep.h byte-swaps through ntohs/ntohl, which glibc only inlines when
 * optimizing; otherwise they are library calls that the purity check (rightly) does not
 * expect in yc_core. A byte swap needs no library: use the compiler's. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#undef ntohs
#undef ntohl
#define ntohs(x) __builtin_bswap16(x)
#define ntohl(x) __builtin_bswap32(x)
#endif

#include <msgpack/pack.h>

#include "yc/codec.h"

/* ---- one header ---- */

struct head {
    enum yc_mtype type;
    uint64_t u;  /* UINT value; STR/BIN length; ARRAY count; MAP pairs; BOOL 0/1 */
    int64_t i;   /* INT (negative) value */
    size_t size; /* bytes of the header itself */
    bool canon;  /* header is the shortest encoding of its value */
};

static uint64_t load_be(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t k = 0; k < n; k++) {
        v = (v << 8) | p[k];
    }
    return v;
}

/* Sign-extends an n-byte big-endian two's-complement value (n in 1, 2, 4, 8). */
static int64_t load_be_signed(const uint8_t *p, size_t n)
{
    uint64_t v = load_be(p, n);
    if (n < 8 && (v >> (8 * n - 1)) != 0) {
        v |= ~(uint64_t)0 << (8 * n);
    }
    int64_t r;
    memcpy(&r, &v, sizeof r); /* two's complement reinterpretation, no UB */
    return r;
}

/*
 * Parses the header at p[pos..len). Returns YC_OK, or YC_EDECODE if the header is
 * truncated. Unknown and unsupported types (floats, ext, 0xc1) come back as
 * YC_MT_OTHER with size 1.
 */
static int read_head(const uint8_t *p, size_t len, size_t pos, struct head *h)
{
    if (pos >= len) {
        return YC_EDECODE;
    }
    size_t left = len - pos;
    uint8_t b = p[pos];
    const uint8_t *q = p + pos + 1;
    size_t n = 0; /* bytes of the big-endian field after the type byte */
    h->u = 0;
    h->i = 0;
    h->size = 1;
    h->canon = true;

    if (b <= 0x7f) {
        h->type = YC_MT_UINT;
        h->u = b;
        return YC_OK;
    }
    if (b >= 0xe0) {
        h->type = YC_MT_INT;
        h->i = (int64_t)b - 256;
        return YC_OK;
    }
    if (b <= 0x8f) {
        h->type = YC_MT_MAP;
        h->u = b & 0x0fu;
        return YC_OK;
    }
    if (b <= 0x9f) {
        h->type = YC_MT_ARRAY;
        h->u = b & 0x0fu;
        return YC_OK;
    }
    if (b <= 0xbf) {
        h->type = YC_MT_STR;
        h->u = b & 0x1fu;
        return YC_OK;
    }
    uint64_t min = 0; /* smallest value for which this header is the shortest */
    switch (b) {
    case 0xc0:
        h->type = YC_MT_NIL;
        return YC_OK;
    case 0xc2:
    case 0xc3:
        h->type = YC_MT_BOOL;
        h->u = b == 0xc3;
        return YC_OK;
    case 0xc4:
        h->type = YC_MT_BIN;
        n = 1;
        min = 0;
        break;
    case 0xc5:
        h->type = YC_MT_BIN;
        n = 2;
        min = 1u << 8;
        break;
    case 0xc6:
        h->type = YC_MT_BIN;
        n = 4;
        min = 1u << 16;
        break;
    case 0xcc:
        h->type = YC_MT_UINT;
        n = 1;
        min = 1u << 7;
        break;
    case 0xcd:
        h->type = YC_MT_UINT;
        n = 2;
        min = 1u << 8;
        break;
    case 0xce:
        h->type = YC_MT_UINT;
        n = 4;
        min = 1u << 16;
        break;
    case 0xcf:
        h->type = YC_MT_UINT;
        n = 8;
        min = (uint64_t)1 << 32;
        break;
    case 0xd0:
        h->type = YC_MT_INT;
        n = 1;
        min = 32;
        break;
    case 0xd1:
        h->type = YC_MT_INT;
        n = 2;
        min = 1u << 7;
        break;
    case 0xd2:
        h->type = YC_MT_INT;
        n = 4;
        min = 1u << 15;
        break;
    case 0xd3:
        h->type = YC_MT_INT;
        n = 8;
        min = (uint64_t)1 << 31;
        break;
    case 0xd9:
        h->type = YC_MT_STR;
        n = 1;
        min = 32;
        break;
    case 0xda:
        h->type = YC_MT_STR;
        n = 2;
        min = 1u << 8;
        break;
    case 0xdb:
        h->type = YC_MT_STR;
        n = 4;
        min = 1u << 16;
        break;
    case 0xdc:
        h->type = YC_MT_ARRAY;
        n = 2;
        min = 16;
        break;
    case 0xdd:
        h->type = YC_MT_ARRAY;
        n = 4;
        min = 1u << 16;
        break;
    case 0xde:
        h->type = YC_MT_MAP;
        n = 2;
        min = 16;
        break;
    case 0xdf:
        h->type = YC_MT_MAP;
        n = 4;
        min = 1u << 16;
        break;
    default: /* 0xc1, ext 0xc7-0xc9 and 0xd4-0xd8, float 0xca-0xcb */
        h->type = YC_MT_OTHER;
        h->canon = false;
        return YC_OK;
    }
    if (left - 1 < n) {
        return YC_EDECODE;
    }
    h->size = 1 + n;
    if (h->type == YC_MT_INT) {
        h->i = load_be_signed(q, n);
        /* Shortest form: only values below -min need this width (smaller magnitudes and
         * non-negative values have shorter or unsigned encodings). */
        h->canon = h->i < -(int64_t)min;
    } else {
        h->u = load_be(q, n);
        h->canon = h->u >= min;
    }
    return YC_OK;
}

/* ---- checker ---- */

struct walker {
    const uint8_t *p;
    size_t len;
    size_t pos;
    const struct yc_limits *lim;
    uint32_t max_depth;
};

static int walk_value(struct walker *w, uint32_t depth);

/* Checks a str or bin payload of h->u bytes after its header; advances past both. */
static int walk_bytes(struct walker *w, const struct head *h)
{
    if (h->u > w->lim->max_strlen) {
        return YC_ETOOLARGE;
    }
    size_t rem = w->len - w->pos - h->size;
    if (h->u > rem) {
        return YC_EDECODE;
    }
    const uint8_t *s = w->p + w->pos + h->size;
    if (h->type == YC_MT_STR && !yc_utf8_valid(s, (size_t)h->u)) {
        return YC_EUTF8;
    }
    w->pos += h->size + (size_t)h->u;
    return YC_OK;
}

static int walk_container(struct walker *w, const struct head *h, uint32_t depth)
{
    if (depth >= w->max_depth) {
        return YC_ETOODEEP;
    }
    if (h->u > w->lim->max_items) {
        return YC_ETOOLARGE;
    }
    w->pos += h->size;
    /* Every element takes at least one byte: refuse impossible counts up front. */
    uint64_t min_bytes = h->type == YC_MT_MAP ? 2 * h->u : h->u;
    if (min_bytes > w->len - w->pos) {
        return YC_EDECODE;
    }
    const uint8_t *prev = NULL;
    size_t prevlen = 0;
    for (uint64_t k = 0; k < h->u; k++) {
        int rc;
        if (h->type == YC_MT_MAP) {
            struct head kh;
            rc = read_head(w->p, w->len, w->pos, &kh);
            if (rc != YC_OK) {
                return rc;
            }
            if (kh.type != YC_MT_STR || !kh.canon) {
                return YC_EDECODE;
            }
            const uint8_t *key = w->p + w->pos + kh.size;
            rc = walk_bytes(w, &kh);
            if (rc != YC_OK) {
                return rc;
            }
            if (prev != NULL &&
                yc_key_cmp((const char *)prev, prevlen, (const char *)key, (size_t)kh.u) >= 0) {
                return YC_EDECODE; /* unsorted or duplicate key */
            }
            prev = key;
            prevlen = (size_t)kh.u;
        }
        rc = walk_value(w, depth + 1);
        if (rc != YC_OK) {
            return rc;
        }
    }
    return YC_OK;
}

static int walk_value(struct walker *w, uint32_t depth)
{
    struct head h;
    int rc = read_head(w->p, w->len, w->pos, &h);
    if (rc != YC_OK) {
        return rc;
    }
    if (!h.canon) {
        return YC_EDECODE;
    }
    switch (h.type) {
    case YC_MT_STR:
    case YC_MT_BIN:
        return walk_bytes(w, &h);
    case YC_MT_ARRAY:
    case YC_MT_MAP:
        return walk_container(w, &h, depth);
    default:
        w->pos += h.size;
        return YC_OK;
    }
}

int yc_canon_check(const uint8_t *buf, size_t len, const struct yc_limits *lim)
{
    static const struct yc_limits def = YC_LIMITS_DEFAULT;
    if (buf == NULL && len > 0) {
        return YC_EINVAL;
    }
    struct walker w = {buf, len, 0, lim != NULL ? lim : &def, 0};
    w.max_depth =
        w.lim->max_depth > YC_CODEC_DEPTH_CEILING ? YC_CODEC_DEPTH_CEILING : w.lim->max_depth;
    int rc = walk_value(&w, 0);
    if (rc != YC_OK) {
        return rc;
    }
    return w.pos == len ? YC_OK : YC_ETRAILING;
}

/* ---- writer ---- */

static int enc_write_cb(void *data, const char *buf, size_t len)
{
    struct yc_enc *e = data;
    if (e->err != YC_OK) {
        return -1;
    }
    int rc = yc_buf_append(e->out, buf, len);
    if (rc != YC_OK) {
        e->err = rc;
        return -1;
    }
    return 0;
}

static bool enc_ready(struct yc_enc *e, msgpack_packer *pk)
{
    if (e == NULL || e->err != YC_OK) {
        return false;
    }
    msgpack_packer_init(pk, e, enc_write_cb);
    return true;
}

static void enc_fail(struct yc_enc *e, int err)
{
    if (e->err == YC_OK) {
        e->err = err;
    }
}

void yc_enc_init(struct yc_enc *e, struct yc_buf *out)
{
    e->out = out;
    e->err = out != NULL ? YC_OK : YC_EINVAL;
}

void yc_enc_map(struct yc_enc *e, uint32_t npairs)
{
    msgpack_packer pk;
    if (enc_ready(e, &pk)) {
        (void)msgpack_pack_map(&pk, npairs);
    }
}

void yc_enc_array(struct yc_enc *e, uint32_t n)
{
    msgpack_packer pk;
    if (enc_ready(e, &pk)) {
        (void)msgpack_pack_array(&pk, n);
    }
}

void yc_enc_uint(struct yc_enc *e, uint64_t v)
{
    msgpack_packer pk;
    if (enc_ready(e, &pk)) {
        (void)msgpack_pack_uint64(&pk, v);
    }
}

void yc_enc_int(struct yc_enc *e, int64_t v)
{
    msgpack_packer pk;
    if (enc_ready(e, &pk)) {
        (void)msgpack_pack_int64(&pk, v);
    }
}

void yc_enc_bool(struct yc_enc *e, bool v)
{
    msgpack_packer pk;
    if (enc_ready(e, &pk)) {
        (void)(v ? msgpack_pack_true(&pk) : msgpack_pack_false(&pk));
    }
}

void yc_enc_nil(struct yc_enc *e)
{
    msgpack_packer pk;
    if (enc_ready(e, &pk)) {
        (void)msgpack_pack_nil(&pk);
    }
}

void yc_enc_str(struct yc_enc *e, const char *s, size_t len)
{
    msgpack_packer pk;
    if (!enc_ready(e, &pk)) {
        return;
    }
    if ((s == NULL && len > 0) || len > UINT32_MAX || !yc_utf8_valid((const uint8_t *)s, len)) {
        enc_fail(e, YC_EINVAL);
        return;
    }
    if (msgpack_pack_str(&pk, len) == 0 && len > 0) {
        (void)msgpack_pack_str_body(&pk, s, len);
    }
}

void yc_enc_cstr(struct yc_enc *e, const char *s)
{
    if (s == NULL) {
        if (e != NULL) {
            enc_fail(e, YC_EINVAL);
        }
        return;
    }
    yc_enc_str(e, s, strlen(s));
}

void yc_enc_bin(struct yc_enc *e, const uint8_t *p, size_t len)
{
    msgpack_packer pk;
    if (!enc_ready(e, &pk)) {
        return;
    }
    if ((p == NULL && len > 0) || len > UINT32_MAX) {
        enc_fail(e, YC_EINVAL);
        return;
    }
    if (msgpack_pack_bin(&pk, len) == 0 && len > 0) {
        (void)msgpack_pack_bin_body(&pk, p, len);
    }
}

void yc_enc_raw(struct yc_enc *e, const uint8_t *p, size_t len)
{
    if (e == NULL || e->err != YC_OK) {
        return;
    }
    if (p == NULL && len > 0) {
        enc_fail(e, YC_EINVAL);
        return;
    }
    int rc = yc_buf_append(e->out, p, len);
    if (rc != YC_OK) {
        enc_fail(e, rc);
    }
}

int yc_enc_finish(const struct yc_enc *e)
{
    return e == NULL ? YC_EINVAL : e->err;
}

/* ---- reader ---- */

void yc_dec_init(struct yc_dec *d, const uint8_t *p, size_t len)
{
    d->p = p;
    d->len = p != NULL ? len : 0;
    d->pos = 0;
    d->keylog = NULL;
}

bool yc_dec_done(const struct yc_dec *d)
{
    return d->pos >= d->len;
}

enum yc_mtype yc_dec_peek(const struct yc_dec *d)
{
    struct head h;
    if (d->pos >= d->len) {
        return YC_MT_NONE;
    }
    if (read_head(d->p, d->len, d->pos, &h) != YC_OK) {
        return YC_MT_OTHER;
    }
    return h.type;
}

/* Reads the header at the current position if it has type t; does not advance. */
static int dec_head(const struct yc_dec *d, enum yc_mtype t, struct head *h)
{
    if (read_head(d->p, d->len, d->pos, h) != YC_OK || h->type != t) {
        return YC_EBADFIELD;
    }
    return YC_OK;
}

static int dec_count(struct yc_dec *d, enum yc_mtype t, uint32_t *n)
{
    struct head h;
    if (dec_head(d, t, &h) != YC_OK) {
        return YC_EBADFIELD;
    }
    *n = (uint32_t)h.u; /* array/map counts are at most 32 bits on the wire */
    d->pos += h.size;
    return YC_OK;
}

int yc_dec_map(struct yc_dec *d, uint32_t *npairs)
{
    return dec_count(d, YC_MT_MAP, npairs);
}

int yc_dec_array(struct yc_dec *d, uint32_t *n)
{
    return dec_count(d, YC_MT_ARRAY, n);
}

int yc_dec_uint(struct yc_dec *d, uint64_t *v)
{
    struct head h;
    if (dec_head(d, YC_MT_UINT, &h) != YC_OK) {
        return YC_EBADFIELD;
    }
    *v = h.u;
    d->pos += h.size;
    return YC_OK;
}

int yc_dec_int(struct yc_dec *d, int64_t *v)
{
    struct head h;
    if (read_head(d->p, d->len, d->pos, &h) != YC_OK) {
        return YC_EBADFIELD;
    }
    if (h.type == YC_MT_INT) {
        *v = h.i;
    } else if (h.type == YC_MT_UINT && h.u <= (uint64_t)INT64_MAX) {
        *v = (int64_t)h.u;
    } else {
        return YC_EBADFIELD;
    }
    d->pos += h.size;
    return YC_OK;
}

int yc_dec_bool(struct yc_dec *d, bool *v)
{
    struct head h;
    if (dec_head(d, YC_MT_BOOL, &h) != YC_OK) {
        return YC_EBADFIELD;
    }
    *v = h.u != 0;
    d->pos += h.size;
    return YC_OK;
}

int yc_dec_nil(struct yc_dec *d)
{
    struct head h;
    if (dec_head(d, YC_MT_NIL, &h) != YC_OK) {
        return YC_EBADFIELD;
    }
    d->pos += h.size;
    return YC_OK;
}

static int dec_bytes(struct yc_dec *d, enum yc_mtype t, const uint8_t **p, size_t *len)
{
    struct head h;
    if (dec_head(d, t, &h) != YC_OK) {
        return YC_EBADFIELD;
    }
    size_t rem = d->len - d->pos - h.size;
    if (h.u > rem) {
        return YC_EBADFIELD;
    }
    *p = d->p + d->pos + h.size;
    *len = (size_t)h.u;
    d->pos += h.size + (size_t)h.u;
    return YC_OK;
}

int yc_dec_str(struct yc_dec *d, const char **s, size_t *len)
{
    const uint8_t *p;
    int rc = dec_bytes(d, YC_MT_STR, &p, len);
    if (rc == YC_OK) {
        *s = (const char *)p;
    }
    return rc;
}

int yc_dec_bin(struct yc_dec *d, const uint8_t **p, size_t *len)
{
    return dec_bytes(d, YC_MT_BIN, p, len);
}

int yc_dec_bin_fixed(struct yc_dec *d, uint8_t *out, size_t n)
{
    struct yc_dec save = *d;
    const uint8_t *p;
    size_t len;
    if (dec_bytes(d, YC_MT_BIN, &p, &len) != YC_OK) {
        return YC_EBADFIELD;
    }
    if (len != n) {
        *d = save;
        return YC_EBADFIELD;
    }
    if (n > 0) {
        memcpy(out, p, n);
    }
    return YC_OK;
}

int yc_dec_skip(struct yc_dec *d, const uint8_t **start, size_t *len)
{
    /* Iterative: `pending` counts values still to skip, so hostile nesting cannot
     * exhaust the stack. Each value takes at least one byte, so more pending values
     * than remaining bytes means truncated input. */
    size_t pos = d->pos;
    uint64_t pending = 1;
    while (pending > 0) {
        struct head h;
        if (pending > d->len - pos || read_head(d->p, d->len, pos, &h) != YC_OK) {
            return YC_EBADFIELD;
        }
        pending--;
        switch (h.type) {
        case YC_MT_STR:
        case YC_MT_BIN:
            if (h.u > d->len - pos - h.size) {
                return YC_EBADFIELD;
            }
            pos += h.size + (size_t)h.u;
            break;
        case YC_MT_ARRAY:
            pending += h.u;
            pos += h.size;
            break;
        case YC_MT_MAP:
            pending += 2 * h.u;
            pos += h.size;
            break;
        case YC_MT_OTHER:
            return YC_EBADFIELD;
        default:
            pos += h.size;
            break;
        }
    }
    if (start != NULL) {
        *start = d->p + d->pos;
    }
    if (len != NULL) {
        *len = pos - d->pos;
    }
    d->pos = pos;
    return YC_OK;
}

int yc_dec_field(struct yc_dec *d, uint32_t *left, const char *key)
{
    if (*left == 0) {
        return 0;
    }
    struct yc_dec peek = *d;
    const char *k;
    size_t klen;
    if (yc_dec_str(&peek, &k, &klen) != YC_OK) {
        return YC_EBADFIELD;
    }
    int c = yc_key_cmp(k, klen, key, strlen(key));
    if (c == 0) {
        *d = peek;
        (*left)--;
        return 1;
    }
    return c < 0 ? YC_EBADFIELD : 0;
}

int yc_key_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int c = n > 0 ? memcmp(a, b, n) : 0;
    if (c != 0) {
        return c;
    }
    return alen < blen ? -1 : (alen > blen ? 1 : 0);
}

bool yc_utf8_valid(const uint8_t *p, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint8_t c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        uint8_t lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            if (c == 0xe0) {
                lo = 0xa0; /* overlong below U+0800 */
            } else if (c == 0xed) {
                hi = 0x9f; /* surrogates U+D800..U+DFFF */
            }
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            if (c == 0xf0) {
                lo = 0x90; /* overlong below U+10000 */
            } else if (c == 0xf4) {
                hi = 0x8f; /* above U+10FFFF */
            }
        } else {
            return false; /* continuation byte, overlong lead C0/C1, or F5..FF */
        }
        if (len - i - 1 < n) {
            return false;
        }
        if (p[i + 1] < lo || p[i + 1] > hi) {
            return false;
        }
        for (size_t k = 2; k <= n; k++) {
            if (p[i + k] < 0x80 || p[i + k] > 0xbf) {
                return false;
            }
        }
        i += n + 1;
    }
    return true;
}
