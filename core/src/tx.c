/*
 * tx.c — the transaction envelope and the typed bodies: strict schema decoding,
 * encoding, id, signing and verification.
 *
 * Decoding order: size cap, canonical check (nothing allocated before it), the envelope
 * fields in sorted key order, then the body through its type's schema (txschema.c),
 * all read in place into a draft on the stack; then the id, and yc_tx_copy of the draft
 * makes the tx's one allocation (its private copy of the bytes, the typed body sized
 * for its type, cosigs, key offsets) with every slice pointing into it. Schemas are
 * strict: an unknown key (wherever it sorts) or a missing required key is
 * YC_EBADFIELD. The id is recomputed from the unsigned envelope, so it never depends on
 * `sig` or `cosigs`.
 */
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ledger_int.h"
#include "yc/alloc.h"
#include "yc/codec.h"
#include "yc/hash.h"
#include "yc/keys.h"
#include "yc/tx.h"
#include "yc/txschema.h"

/* Depth: envelope → body → list → item, with room for later types; items: bodies and
 * lists are far smaller, but a later type's list may be longer than YC_LIST_MAX. */
static const struct yc_limits TX_LIMITS = {
    .max_depth = 8, .max_items = 256, .max_strlen = YC_TX_MAX_BYTES};

/* ---- type names ---- */

const char *yc_tx_type_name(enum yc_tx_type t)
{
    switch (t) {
#define YC_TX_NAME_(e, n, name) \
    case e:                     \
        return name;
        YC_TX_TYPES(YC_TX_NAME_)
#undef YC_TX_NAME_
    default:
        return NULL;
    }
}

enum yc_tx_type yc_tx_type_from_name(const char *s, size_t len)
{
#define YC_TX_FROM_(e, n, name)                                              \
    if (s != NULL && len == sizeof(name) - 1 && memcmp(s, name, len) == 0) { \
        return e;                                                            \
    }
    YC_TX_TYPES(YC_TX_FROM_)
#undef YC_TX_FROM_
    return YC_TX_NONE;
}

/* ---- field readers ---- */

/* Markers of d->want for a key that is missing or unknown (compared by address). */
static const char WANT_MISSING[] = "present";
static const char WANT_UNKNOWN[] = "known";

int yc__field_req(struct yc_dec *d, uint32_t *left, const char *key)
{
    int r = yc_dec_field(d, left, key);

    d->key = key;
    if (r == 1) {
        return YC_OK;
    }
    d->want = r == 0 ? WANT_MISSING : WANT_UNKNOWN;
    return YC_EBADFIELD;
}

int yc__field_opt(struct yc_dec *d, uint32_t *left, const char *key)
{
    int r = yc_dec_field(d, left, key);

    d->key = key;
    if (r < 0) {
        d->want = WANT_UNKNOWN;
        return YC_EBADFIELD;
    }
    return r;
}

/* What a string of at most maxlen bytes is, for words (static text: no formatting). */
static const char *want_text(size_t minlen, size_t maxlen)
{
    if (maxlen == YC_CODE_MAX) {
        return minlen > 0 ? "a non-empty string of at most 64 bytes"
                          : "a string of at most 64 bytes";
    }
    if (maxlen == YC_NAME_MAX) {
        return minlen > 0 ? "a non-empty string of at most 128 bytes"
                          : "a string of at most 128 bytes";
    }
    return "a string";
}

int yc__dec_text(struct yc_dec *d, struct yc_slice *s, size_t minlen, size_t maxlen)
{
    const char *p;
    size_t n;

    if (yc_dec_str(d, &p, &n) != YC_OK || n < minlen || n > maxlen) {
        d->want = want_text(minlen, maxlen);
        return YC_EBADFIELD;
    }
    s->p = p;
    s->len = n;
    return YC_OK;
}

int yc__dec_list(struct yc_dec *d, struct yc_list *l, size_t maxlen)
{
    uint32_t n;

    memset(l, 0, sizeof *l);
    if (yc_dec_array(d, &n) != YC_OK) {
        d->want = "a list of strings";
        return YC_EBADFIELD;
    }
    if (n > YC_LIST_MAX) {
        d->want = "at most 16 items";
        return YC_ETOOMANY;
    }
    for (uint32_t i = 0; i < n; i++) {
        int rc = yc__dec_text(d, &l->items[i], 0, maxlen);
        if (rc != YC_OK) {
            return rc;
        }
    }
    l->n = n;
    return YC_OK;
}

int yc__dec_fixed(struct yc_dec *d, uint8_t *out, size_t n, int err)
{
    const uint8_t *p;
    size_t len;

    int bad = yc_dec_bin(d, &p, &len) != YC_OK ? YC_EBADFIELD : len != n ? err : YC_OK;

    if (bad != YC_OK) {
        d->want = n == YC_HASH_LEN     ? "a 32-byte id or digest (bin)"
                  : n == YC_PUBKEY_LEN ? "a 33-byte public key (bin)"
                  : n == YC_SIG_LEN    ? "a 64-byte signature (bin)"
                                       : "a byte string of the right size";
        return bad;
    }
    memcpy(out, p, n);
    return YC_OK;
}

int yc__dec_bins(struct yc_dec *d, void *out, size_t n, uint32_t max, uint32_t *count)
{
    uint8_t *p = out;
    uint32_t k;

    if (yc_dec_array(d, &k) != YC_OK) {
        d->want = "a list of byte strings";
        return YC_EBADFIELD;
    }
    if (k > max) {
        d->want = "fewer items (the list is over its limit)";
        return YC_ETOOMANY;
    }
    for (uint32_t i = 0; i < k; i++) {
        YC__TRY(yc__dec_fixed(d, p + (size_t)i * n, n, YC_EBADFIELD));
    }
    *count = k;
    return YC_OK;
}

int yc__dec_pub(struct yc_dec *d, uint8_t out[YC_PUBKEY_LEN])
{
    YC__TRY(yc__dec_fixed(d, out, YC_PUBKEY_LEN, YC_EBADFIELD));
    if (out[0] != YC_SCHEME_BIP340) {
        d->want = "a public key of a known scheme (first byte 0x01: bip340)";
        return YC_EBADKEY;
    }
    struct yc_keylog *log = d->keylog;
    if (log != NULL) {
        if (log->n == YC_TX_MAX_BODY_KEYS) {
            return YC_ETOOMANY;
        }
        log->off[log->n++] = (uint16_t)(d->pos - YC_PUBKEY_LEN);
    }
    return YC_OK;
}

int yc__req_u64(struct yc_dec *d, uint32_t *left, const char *key, uint64_t *v)
{
    YC__TRY(yc__field_req(d, left, key));
    if (yc_dec_uint(d, v) != YC_OK) {
        d->want = "an unsigned integer";
        return YC_EBADFIELD;
    }
    return YC_OK;
}

int yc__req_text(struct yc_dec *d, uint32_t *left, const char *key, struct yc_slice *s,
                 size_t minlen, size_t maxlen)
{
    YC__TRY(yc__field_req(d, left, key));
    return yc__dec_text(d, s, minlen, maxlen);
}

int yc__req_list(struct yc_dec *d, uint32_t *left, const char *key, struct yc_list *l,
                 size_t maxlen)
{
    YC__TRY(yc__field_req(d, left, key));
    return yc__dec_list(d, l, maxlen);
}

int yc__req_fixed(struct yc_dec *d, uint32_t *left, const char *key, uint8_t *out, size_t n,
                  int err)
{
    YC__TRY(yc__field_req(d, left, key));
    return yc__dec_fixed(d, out, n, err);
}

int yc__req_pub(struct yc_dec *d, uint32_t *left, const char *key, uint8_t out[YC_PUBKEY_LEN])
{
    YC__TRY(yc__field_req(d, left, key));
    return yc__dec_pub(d, out);
}

int yc__opt_fixed(struct yc_dec *d, uint32_t *left, const char *key, bool *has, uint8_t *out,
                  size_t n, int err)
{
    YC__OPT(d, left, key, has, yc__dec_fixed(d, out, n, err));
    return YC_OK;
}

int yc__opt_text(struct yc_dec *d, uint32_t *left, const char *key, struct yc_slice *s,
                 size_t maxlen)
{
    bool has;

    YC__OPT(d, left, key, &has, yc__dec_text(d, s, 1, maxlen));
    return YC_OK;
}

void yc__enc_slice(struct yc_enc *e, const struct yc_slice *s)
{
    yc_enc_str(e, s->len > 0 ? s->p : "", s->len);
}

void yc__enc_list(struct yc_enc *e, const struct yc_list *l)
{
    yc_enc_array(e, l->n);
    for (uint32_t i = 0; i < l->n; i++) {
        yc__enc_slice(e, &l->items[i]);
    }
}

void yc__put_u64(struct yc_enc *e, const char *key, uint64_t v)
{
    yc_enc_cstr(e, key);
    yc_enc_uint(e, v);
}

void yc__put_bin(struct yc_enc *e, const char *key, const uint8_t *p, size_t n)
{
    yc_enc_cstr(e, key);
    yc_enc_bin(e, p, n);
}

void yc__put_slice(struct yc_enc *e, const char *key, const struct yc_slice *s)
{
    yc_enc_cstr(e, key);
    yc__enc_slice(e, s);
}

void yc__put_list(struct yc_enc *e, const char *key, const struct yc_list *l)
{
    yc_enc_cstr(e, key);
    yc__enc_list(e, l);
}

/*
 * A decode's workspace, on the stack: the tx's fields pointing into the caller's bytes,
 * and room for the largest body, cosigs and key offsets. Only what a decode writes is
 * cleared (the envelope's fields, the type's member of the body); yc_tx_copy then
 * moves what the tx has into the one allocation it owns.
 */
struct draft {
    struct yc_tx tx;
    union yc_tx_body body;
    struct yc_cosig cosigs[YC_TX_MAX_COSIGS];
    struct yc_keylog keys;
    /* Where the unsigned envelope's parts lie in the signed bytes (offsets): the keys
     * from "body" to the chain id's end, from "nonce" to the sender's end, and "type"
     * to the end. Canonical bytes in sorted key order: the unsigned bytes are a map
     * header of 5 pairs and these three runs, as yc_tx_encode_unsigned writes them. */
    size_t keys_at, chain_end, nonce_at, sig_at, type_at;
};

static int decode_body(struct draft *w, struct yc_dec *dp)
{
    const struct yc_tx_schema *schema = yc_tx_schema(w->tx.type);
    struct yc_dec d;
    uint32_t left;
    int rc;

    if (schema == NULL) {
        return YC_EUNKNOWNTYPE;
    }
    memset(&w->body, 0, schema->size); /* absent optional fields read as 0 */
    w->keys.n = 0;
    yc_dec_init(&d, w->tx.body, w->tx.body_len);
    d.keylog = &w->keys;
    d.key = NULL;
    d.want = NULL;
    rc = yc_dec_map(&d, &left);
    if (rc == YC_OK) {
        rc = yc__schema_decode(&d, &left, schema, &w->body, &w->tx.body_present);
    }
    /* a key left over sorts after every known one: unknown field */
    if (rc == YC_OK && (left != 0 || !yc_dec_done(&d))) {
        d.key = NULL;
        d.want = WANT_UNKNOWN;
        rc = YC_EBADFIELD;
    }
    if (rc != YC_OK && dp != NULL) {
        d.keylog = NULL; /* the draft's, gone with it */
        *dp = d;
    }
    return rc;
}

/* ---- envelope ---- */

static bool chain_id_valid(const char *p, size_t n)
{
    if (n < 1 || n > YC_CHAIN_ID_MAX) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok) {
            return false;
        }
    }
    return true;
}

static int decode_cosigs(struct yc_dec *d, struct draft *w)
{
    uint32_t n;

    YC__TRY(yc_dec_array(d, &n) == YC_OK ? YC_OK : YC_EBADFIELD);
    if (n == 0) {
        return YC_EBADFIELD; /* absent ≡ none: one encoding only */
    }
    if (n > YC_TX_MAX_COSIGS) {
        return YC_ETOOMANY;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t two;
        struct yc_cosig *c = &w->cosigs[i];
        if (yc_dec_array(d, &two) != YC_OK || two != 2) {
            return YC_EBADFIELD;
        }
        YC__TRY(yc__dec_pub(d, c->pub));
        YC__TRY(yc__dec_fixed(d, c->sig, YC_SIG_LEN, YC_EBADFIELD));
        if (i > 0 && memcmp(w->cosigs[i - 1].pub, c->pub, YC_PUBKEY_LEN) >= 0) {
            return YC_EBADFIELD; /* sorted by key, unique */
        }
    }
    w->tx.ncosigs = n;
    return YC_OK;
}

/* The envelope from w->tx.bytes through *d (the caller's: after a failure it tells where). */
static int decode_envelope(struct draft *w, struct yc_dec *d)
{
    struct yc_tx *tx = &w->tx;
    uint32_t left;
    const char *s;
    size_t n;
    int r;

    yc_dec_init(d, tx->bytes, tx->len);
    d->key = NULL;
    d->want = NULL;
    if (yc_dec_map(d, &left) != YC_OK) {
        d->want = "a map";
        return YC_EBADFIELD;
    }
    w->keys_at = d->pos;
    YC__TRY(yc__field_req(d, &left, "body"));
    if (yc_dec_peek(d) != YC_MT_MAP) {
        d->want = "a map";
        return YC_EBADFIELD;
    }
    YC__TRY(yc_dec_skip(d, &tx->body, &tx->body_len));
    YC__TRY(yc__field_req(d, &left, "chain_id"));
    if (yc_dec_str(d, &s, &n) != YC_OK || !chain_id_valid(s, n)) {
        d->want = "a chain id of 1 to 64 of A-Z a-z 0-9 . _ -";
        return YC_EBADFIELD;
    }
    tx->chain_id.p = s;
    tx->chain_id.len = n;
    w->chain_end = d->pos;
    if ((r = yc__field_opt(d, &left, "cosigs")) < 0) {
        return r;
    }
    if (r == 1) {
        YC__TRY(decode_cosigs(d, w));
    }
    w->nonce_at = d->pos;
    YC__TRY(yc__req_u64(d, &left, "nonce", &tx->nonce));
    YC__TRY(yc__req_pub(d, &left, "sender", tx->sender));
    w->sig_at = d->pos;
    YC__TRY(yc__req_fixed(d, &left, "sig", tx->sig, YC_SIG_LEN, YC_EBADFIELD));
    w->type_at = d->pos;
    YC__TRY(yc__field_req(d, &left, "type"));
    if (yc_dec_str(d, &s, &n) != YC_OK) {
        d->want = "a string";
        return YC_EBADFIELD;
    }
    tx->type = yc_tx_type_from_name(s, n);
    if (tx->type == YC_TX_NONE) {
        d->want = "a known transaction type";
        return YC_EUNKNOWNTYPE;
    }
    if (left != 0 || !yc_dec_done(d)) {
        d->key = NULL;
        d->want = WANT_UNKNOWN;
        return YC_EBADFIELD;
    }
    return YC_OK;
}

/* Copies the tx's chain id into a NUL-terminated buffer. */
static void chain_cstr(char out[YC_CHAIN_ID_MAX + 1], const struct yc_slice *s)
{
    size_t n = s->len > YC_CHAIN_ID_MAX ? YC_CHAIN_ID_MAX : s->len;
    memcpy(out, s->p, n);
    out[n] = '\0';
}

/* The id: yc_tx_id of the unsigned bytes, hashed as the runs of the signed bytes they
 * are made of (nothing encoded, nothing allocated). */
static void compute_id(struct draft *w)
{
    static const uint8_t map5 = 0x85; /* fixmap of 5 pairs */
    const uint8_t *s = w->tx.bytes;
    char chain[YC_CHAIN_ID_MAX + 1];
    struct yc_sha256_ctx c;

    chain_cstr(chain, &w->tx.chain_id);
    yc_hash_tagged_init(&c, YC_TAG_TX, chain);
    yc_sha256_update(&c, &map5, 1);
    yc_sha256_update(&c, s + w->keys_at, w->chain_end - w->keys_at);
    yc_sha256_update(&c, s + w->nonce_at, w->sig_at - w->nonce_at);
    yc_sha256_update(&c, s + w->type_at, w->tx.len - w->type_at);
    yc_sha256_final(&c, w->tx.id);
}

/* Where a decode failed, for yc_tx_decode_why. */
enum stage { STAGE_SIZE, STAGE_CANON, STAGE_ENVELOPE, STAGE_BODY, STAGE_OTHER };

static int decode(struct yc_tx *tx, const uint8_t *bytes, size_t len, struct yc_dec *d,
                  enum stage *stage)
{
    struct draft w;
    int rc;

    if (tx == NULL || (bytes == NULL && len > 0)) {
        return YC_EINVAL;
    }
    memset(tx, 0, sizeof *tx);
    *stage = STAGE_SIZE;
    if (len > YC_TX_MAX_BYTES) {
        return YC_ETOOLARGE;
    }
    *stage = STAGE_CANON;
    rc = yc_canon_check(bytes, len, &TX_LIMITS);
    if (rc != YC_OK) {
        return rc;
    }
    /* read in place; the tx's own copy is made once the whole of it is known */
    memset(&w.tx, 0, sizeof w.tx);
    w.tx.bytes = (uint8_t *)(uintptr_t)bytes; /* only read */
    w.tx.len = len;
    *stage = STAGE_ENVELOPE;
    rc = decode_envelope(&w, d);
    if (rc == YC_OK) {
        *stage = STAGE_BODY;
        rc = decode_body(&w, d);
    }
    if (rc == YC_OK) {
        *stage = STAGE_OTHER;
        compute_id(&w);
        w.tx.b = &w.body;
        w.tx.cosigs = w.cosigs;
        w.tx.body_keys.n = w.keys.n;
        w.tx.body_keys.off = w.keys.off;
        rc = yc_tx_copy(tx, &w.tx);
    }
    return rc;
}

int yc_tx_decode(struct yc_tx *tx, const uint8_t *bytes, size_t len)
{
    struct yc_dec d;
    enum stage stage;
    int rc = decode(tx, bytes, len, &d, &stage);

    if (rc != YC_OK && tx != NULL) {
        yc_tx_cleanup(tx);
    }
    return rc;
}

/* The key that sorts next in d's map (the unknown field), clipped, into out. */
static void next_key(const struct yc_dec *d, char *out, size_t outlen)
{
    struct yc_dec c = *d;
    const char *k;
    size_t n;

    out[0] = '\0';
    if (yc_dec_str(&c, &k, &n) != YC_OK) {
        return;
    }
    if (n >= outlen) {
        n = outlen - 1;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)k[i];
        out[i] = ch >= 0x20 && ch < 0x7f && ch != '\'' ? (char)ch : '?';
    }
    out[n] = '\0';
}

static const char *type_words(enum yc_mtype t)
{
    switch (t) {
    case YC_MT_NIL:
        return "nil";
    case YC_MT_BOOL:
        return "a boolean";
    case YC_MT_UINT:
        return "an unsigned integer";
    case YC_MT_INT:
        return "a negative integer";
    case YC_MT_STR:
        return "a string";
    case YC_MT_BIN:
        return "a byte string";
    case YC_MT_ARRAY:
        return "a list";
    case YC_MT_MAP:
        return "a map";
    default:
        return "nothing";
    }
}

/* The words of decode's refusal rc at `stage`, with d where it stopped (d reads the
 * caller's bytes, which the decode reads in place). */
static int refusal_words(int rc, enum stage stage, const struct yc_dec *dp, size_t len, char *why,
                         size_t whylen)
{
    struct yc_dec d = *dp;
    char key[80], sect[96];

    why[0] = '\0';
    if (rc == YC_OK || rc == YC_EINVAL || rc == YC_ENOMEM) {
        return rc;
    }
    if (stage == STAGE_SIZE) {
        (void)snprintf(why, whylen, "transaction: %zu bytes; at most %u", len,
                       (unsigned)YC_TX_MAX_BYTES);
        return rc;
    }
    if (stage == STAGE_CANON) {
        (void)snprintf(why, whylen, "transaction: not one canonical MessagePack value (%s)",
                       yc_strerror(rc));
        return rc;
    }
    if (stage != STAGE_ENVELOPE && stage != STAGE_BODY) {
        (void)snprintf(why, whylen, "transaction: %s", yc_strerror(rc));
        return rc;
    }
    const char *section = stage == STAGE_BODY ? "body" : "";
    if (d.want == WANT_UNKNOWN) {
        next_key(&d, key, sizeof key);
        (void)snprintf(why, whylen, "%s%sunknown field '%s'", section, *section ? ": " : "", key);
        return rc;
    }
    if (d.want == WANT_MISSING) {
        (void)snprintf(why, whylen, "%s%smissing field '%s'", section, *section ? ": " : "",
                       d.key != NULL ? d.key : "?");
        return rc;
    }
    if (d.key != NULL) {
        (void)snprintf(sect, sizeof sect, "%s%s%s", section, *section ? "." : "", d.key);
    } else {
        (void)snprintf(sect, sizeof sect, "%s", *section ? section : "transaction");
    }
    if (rc == YC_EUNKNOWNTYPE) {
        (void)snprintf(why, whylen,
                       "%s: not a transaction type (yuchain-wallet --help lists "
                       "them)",
                       sect);
    } else if (rc == YC_ETOOMANY && d.want != NULL) {
        (void)snprintf(why, whylen, "%s: %s", sect, d.want);
    } else if (d.want != NULL) {
        (void)snprintf(why, whylen, "%s: expected %s", sect, d.want);
    } else {
        (void)snprintf(why, whylen, "%s: %s is not allowed here (%s)", sect,
                       type_words(yc_dec_peek(&d)), yc_strerror(rc));
    }
    return rc;
}

int yc_tx_decode_why(struct yc_tx *tx, const uint8_t *bytes, size_t len, char *why, size_t whylen)
{
    struct yc_dec d = {0};
    enum stage stage = STAGE_OTHER;
    int rc = decode(tx, bytes, len, &d, &stage);

    if (why != NULL && whylen > 0) {
        (void)refusal_words(rc, stage, &d, len, why, whylen);
    }
    if (rc != YC_OK && tx != NULL) {
        yc_tx_cleanup(tx);
    }
    return rc;
}

/* The head of a tx's allocation, before its bytes: the structs that share it. */
struct yc_txmem {
    atomic_uint refs;
};

/* Bytes before tx->bytes in the allocation: the head, rounded so that what follows is
 * aligned as the allocator aligns. */
#define MEM_HEAD                                                                     \
    ((sizeof(struct yc_txmem) + _Alignof(max_align_t) - 1) / _Alignof(max_align_t) * \
     _Alignof(max_align_t))

void yc_tx_cleanup(struct yc_tx *tx)
{
    if (tx == NULL) {
        return;
    }
    if (tx->mem == NULL) {
        yc_free(tx->bytes);
    } else if (atomic_fetch_sub_explicit(&tx->mem->refs, 1, memory_order_acq_rel) == 1) {
        yc_free(tx->mem);
    }
    memset(tx, 0, sizeof *tx);
}

/* Points s, if it points into [from, from + len), at the same offset of to. */
static void rebase(struct yc_slice *s, const uint8_t *from, size_t len, const uint8_t *to)
{
    const uint8_t *p = (const uint8_t *)s->p;
    if (p != NULL && p >= from && p < from + len) {
        s->p = (const char *)(to + (p - from));
    }
}

/* Where the parts of a tx lie in its allocation (offsets from tx->bytes). */
struct layout {
    size_t body, cosigs, keys, total;
};

static size_t round_up(size_t n, size_t to)
{
    return (n + to - 1) / to * to;
}

static struct layout layout_of(size_t len, size_t body_size, uint32_t ncosigs, uint32_t nkeys)
{
    struct layout l;

    l.body = round_up(len, _Alignof(union yc_tx_body));
    l.cosigs = l.body + body_size;
    l.keys = round_up(l.cosigs + (size_t)ncosigs * sizeof(struct yc_cosig), _Alignof(uint16_t));
    l.total = l.keys + (size_t)nkeys * sizeof(uint16_t);
    return l;
}

int yc_tx_copy(struct yc_tx *dst, const struct yc_tx *src)
{
    if (dst == NULL || src == NULL || (src->bytes == NULL && src->len > 0) ||
        src->ncosigs > YC_TX_MAX_COSIGS || (src->ncosigs > 0 && src->cosigs == NULL) ||
        src->body_keys.n > YC_TX_MAX_BODY_KEYS ||
        (src->body_keys.n > 0 && src->body_keys.off == NULL)) {
        return YC_EINVAL;
    }
    if (src->mem != NULL) { /* immutable: shared, one more reference */
        atomic_fetch_add_explicit(&src->mem->refs, 1, memory_order_relaxed);
        *dst = *src;
        return YC_OK;
    }
    /* the typed body, when there is one, is its type's member of the union */
    const struct yc_tx_schema *sc = src->b != NULL ? yc_tx_schema(src->type) : NULL;
    if (src->b != NULL && sc == NULL) {
        return YC_EINVAL;
    }
    struct layout l =
        layout_of(src->len, sc != NULL ? sc->size : 0, src->ncosigs, src->body_keys.n);
    struct yc_txmem *mem = yc_malloc(MEM_HEAD + l.total);
    if (mem == NULL) {
        memset(dst, 0, sizeof *dst);
        return YC_ENOMEM;
    }
    atomic_init(&mem->refs, 1);
    uint8_t *m = (uint8_t *)mem + MEM_HEAD;
    *dst = *src;
    dst->mem = mem;
    dst->bytes = m;
    if (src->len > 0) {
        memcpy(m, src->bytes, src->len);
    }
    rebase(&dst->chain_id, src->bytes, src->len, m);
    if (src->body != NULL) {
        dst->body = m + (src->body - src->bytes);
    }
    dst->cosigs = NULL;
    if (src->ncosigs > 0) {
        memcpy(m + l.cosigs, src->cosigs, src->ncosigs * sizeof *src->cosigs);
        dst->cosigs = (const struct yc_cosig *)(const void *)(m + l.cosigs);
    }
    dst->body_keys.off = NULL;
    if (src->body_keys.n > 0) {
        memcpy(m + l.keys, src->body_keys.off, src->body_keys.n * sizeof(uint16_t));
        dst->body_keys.off = (const uint16_t *)(const void *)(m + l.keys);
    }
    if (sc == NULL) {
        return YC_OK;
    }
    memcpy(m + l.body, src->b, sc->size);
    dst->b = (const union yc_tx_body *)(const void *)(m + l.body);
    /* the body's borrowed fields are its TEXT and LIST ones (txschema.h) */
    for (uint32_t i = 0; i < sc->nfields; i++) {
        const struct yc_field *f = &sc->fields[i];
        uint8_t *at = m + l.body + f->off;
        if (f->kind == YC_FK_TEXT) {
            rebase((struct yc_slice *)(void *)at, src->bytes, src->len, m);
        } else if (f->kind == YC_FK_LIST) {
            struct yc_list *li = (struct yc_list *)(void *)at;
            for (uint32_t k = 0; k < li->n && k < YC_LIST_MAX; k++) {
                rebase(&li->items[k], src->bytes, src->len, m);
            }
        }
    }
    return YC_OK;
}

/* ---- signatures ---- */

const uint8_t *yc_tx_body_key(const struct yc_tx *tx, uint32_t i)
{
    if (tx == NULL || i >= tx->body_keys.n || tx->body_len < YC_PUBKEY_LEN ||
        tx->body_keys.off[i] > tx->body_len - YC_PUBKEY_LEN) {
        return NULL;
    }
    return tx->body + tx->body_keys.off[i];
}

int yc_tx_verify_hinted(const struct yc_tx *tx, const char *chain_id, struct yc_tx_keyhint *hint)
{
    if (tx == NULL || chain_id == NULL) {
        return YC_EINVAL;
    }
    size_t n = strlen(chain_id);
    if (tx->chain_id.len != n || memcmp(tx->chain_id.p, chain_id, n) != 0) {
        return YC_EWRONGCHAIN;
    }
    if (hint == NULL || !hint->body_valid) {
        for (uint32_t i = 0; i < tx->body_keys.n; i++) {
            const uint8_t *k = yc_tx_body_key(tx, i);
            if (k == NULL || !yc_pubkey_valid(k)) {
                return YC_EBADKEY;
            }
        }
    }
    struct yc_parsed_key parsed;
    const struct yc_parsed_key *sender = &parsed;
    if (hint != NULL && hint->sender_parsed) {
        sender = &hint->sender;
    } else if (!yc_pubkey_parse(&parsed, tx->sender)) {
        return YC_EBADKEY;
    }
    if (!yc_sig_verify_parsed(tx->sig, tx->id, sender)) {
        return YC_EBADSIG;
    }
    if (hint != NULL && !hint->sender_parsed) {
        hint->sender = parsed;
        hint->sender_parsed = true;
    }
    /* a cosigner's key is parsed by its signature check: looked at alone only on failure */
    for (uint32_t i = 0; i < tx->ncosigs; i++) {
        if (!yc_sig_verify(tx->cosigs[i].sig, tx->id, tx->cosigs[i].pub)) {
            return yc_pubkey_valid(tx->cosigs[i].pub) ? YC_EBADCOSIG : YC_EBADKEY;
        }
    }
    return YC_OK;
}

int yc_tx_verify(const struct yc_tx *tx, const char *chain_id)
{
    return yc_tx_verify_hinted(tx, chain_id, NULL);
}

/* ---- encoding ---- */

static int encode_envelope(struct yc_buf *out, const char *chain_id, enum yc_tx_type type,
                           const uint8_t sender[YC_PUBKEY_LEN], uint64_t nonce, const uint8_t *body,
                           size_t body_len, const uint8_t *sig, const struct yc_cosig *cosigs,
                           uint32_t ncosigs)
{
    const char *tname = yc_tx_type_name(type);
    const struct yc_cosig *order[YC_TX_MAX_COSIGS];
    struct yc_enc e;
    uint32_t npairs = 5;

    if (out == NULL || chain_id == NULL || tname == NULL || sender == NULL || body == NULL ||
        body_len == 0 || ncosigs > YC_TX_MAX_COSIGS || (ncosigs > 0 && cosigs == NULL)) {
        return YC_EINVAL;
    }
    /* cosigs are written sorted by public key (insertion sort of at most 4) */
    for (uint32_t i = 0; i < ncosigs; i++) {
        uint32_t j = i;
        while (j > 0 && memcmp(order[j - 1]->pub, cosigs[i].pub, YC_PUBKEY_LEN) > 0) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = &cosigs[i];
    }
    if (sig != NULL) {
        npairs += 1 + (ncosigs > 0 ? 1u : 0u);
    }
    yc_enc_init(&e, out);
    yc_enc_map(&e, npairs);
    yc_enc_cstr(&e, "body");
    yc_enc_raw(&e, body, body_len);
    yc_enc_cstr(&e, "chain_id");
    yc_enc_cstr(&e, chain_id);
    if (sig != NULL && ncosigs > 0) {
        yc_enc_cstr(&e, "cosigs");
        yc_enc_array(&e, ncosigs);
        for (uint32_t i = 0; i < ncosigs; i++) {
            yc_enc_array(&e, 2);
            yc_enc_bin(&e, order[i]->pub, YC_PUBKEY_LEN);
            yc_enc_bin(&e, order[i]->sig, YC_SIG_LEN);
        }
    }
    yc_enc_cstr(&e, "nonce");
    yc_enc_uint(&e, nonce);
    yc_enc_cstr(&e, "sender");
    yc_enc_bin(&e, sender, YC_PUBKEY_LEN);
    if (sig != NULL) {
        yc_enc_cstr(&e, "sig");
        yc_enc_bin(&e, sig, YC_SIG_LEN);
    }
    yc_enc_cstr(&e, "type");
    yc_enc_cstr(&e, tname);
    return yc_enc_finish(&e);
}

int yc_tx_encode_unsigned(struct yc_buf *out, const char *chain_id, enum yc_tx_type type,
                          const uint8_t sender[YC_PUBKEY_LEN], uint64_t nonce, const uint8_t *body,
                          size_t body_len)
{
    return encode_envelope(out, chain_id, type, sender, nonce, body, body_len, NULL, NULL, 0);
}

void yc_tx_id(uint8_t id[YC_HASH_LEN], const char *chain_id, const uint8_t *unsigned_bytes,
              size_t len)
{
    yc_hash_tagged(id, YC_TAG_TX, chain_id, unsigned_bytes, len);
}

int yc_tx_encode_signed(struct yc_buf *out, const char *chain_id, enum yc_tx_type type,
                        const uint8_t sender[YC_PUBKEY_LEN], uint64_t nonce, const uint8_t *body,
                        size_t body_len, const uint8_t sig[YC_SIG_LEN],
                        const struct yc_cosig *cosigs, uint32_t ncosigs)
{
    if (sig == NULL) {
        return YC_EINVAL;
    }
    return encode_envelope(out, chain_id, type, sender, nonce, body, body_len, sig, cosigs,
                           ncosigs);
}

int yc_tx_build_signed(struct yc_buf *out, uint8_t id[YC_HASH_LEN], const char *chain_id,
                       enum yc_tx_type type, const yc_signer *s, uint64_t nonce,
                       const uint8_t *body, size_t body_len, const uint8_t aux32[32])
{
    uint8_t pub[YC_PUBKEY_LEN];
    uint8_t sig[YC_SIG_LEN];
    struct yc_buf ub;
    int rc;

    if (out == NULL || id == NULL || s == NULL || aux32 == NULL) {
        return YC_EINVAL;
    }
    yc_signer_pubkey(s, pub);
    yc_buf_init(&ub, YC_TX_MAX_BYTES);
    rc = yc_tx_encode_unsigned(&ub, chain_id, type, pub, nonce, body, body_len);
    if (rc == YC_OK) {
        yc_tx_id(id, chain_id, ub.data, ub.len);
        rc = yc_sig_sign(s, sig, id, aux32);
    }
    yc_buf_cleanup(&ub);
    if (rc == YC_OK) {
        rc = yc_tx_encode_signed(out, chain_id, type, pub, nonce, body, body_len, sig, NULL, 0);
    }
    return rc;
}
