/*
 * codec.h — canonical MessagePack (DESIGN.md §4, grammar in docs/formats.md).
 *
 * Canonical form: shortest encoding of every integer and length; no floats, no ext
 * types; map keys are strings, unique, sorted by their UTF-8 bytes (memcmp on the
 * common prefix, then the shorter first); strings valid UTF-8; nesting depth and
 * every length bounded by `struct yc_limits`; no trailing bytes.
 *
 * Decoding untrusted bytes is two steps: `yc_canon_check` walks the whole input
 * once, allocating nothing, and rejects anything non-canonical or over a limit
 * (a claimed length larger than the bytes that remain is refused before anything
 * is read); then a `struct yc_dec` pull-reader extracts typed fields with zero
 * copies (pointers into the input). The reader assumes checked input but still
 * never reads out of bounds: a type mismatch returns YC_EBADFIELD.
 *
 * Encoding writes into a capped `struct yc_buf` through msgpack-c's packer, with a
 * sticky error: call the yc_enc_* functions freely, then check `yc_enc_finish`.
 * The writer emits keys in the order given; callers emit them sorted.
 *
 * Thread-safety: none needed; no globals.
 */
#ifndef YC_CODEC_H
#define YC_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/buf.h"
#include "yc/err.h"

struct yc_limits {
    uint32_t max_depth;  /* containers nested deeper than this are refused */
    uint32_t max_items;  /* elements of one array or pairs of one map */
    uint32_t max_strlen; /* bytes of one str or bin */
};

/* Hard ceiling on max_depth: the checker recurses once per level (larger values are
 * treated as this). */
#define YC_CODEC_DEPTH_CEILING 64

/* Limits used for transactions, blocks and consensus messages. */
#define YC_LIMITS_DEFAULT \
    ((struct yc_limits){.max_depth = 16, .max_items = 65536, .max_strlen = 1u << 20})

/*
 * Checks that buf[0..len) is exactly one canonical value within `lim` (NULL: the
 * default limits). Allocates nothing. A top-level container is at depth 1; a
 * container at depth > max_depth is refused.
 * Returns YC_OK, YC_EDECODE (malformed or truncated, float, ext, non-shortest, key
 * order/dup, non-string key, a count or length larger than the bytes that remain),
 * YC_EUTF8, YC_ETOODEEP, YC_ETOOLARGE (count > max_items or length > max_strlen),
 * YC_ETRAILING (bytes after the value), YC_EINVAL (buf NULL with len > 0).
 */
YC_WUR int yc_canon_check(const uint8_t *buf, size_t len, const struct yc_limits *lim);

/* ---- writer ---- */

struct yc_enc {
    struct yc_buf *out; /* not owned */
    int err;            /* first error, sticky */
};

/* Starts writing at the end of `out` (not owned; must outlive e). out NULL: YC_EINVAL. */
void yc_enc_init(struct yc_enc *e, struct yc_buf *out);
/* Container headers: the caller then writes `npairs` key/value pairs (keys sorted,
 * unique) or `n` values. */
void yc_enc_map(struct yc_enc *e, uint32_t npairs);
void yc_enc_array(struct yc_enc *e, uint32_t n);
/* Integers in their shortest form. */
void yc_enc_uint(struct yc_enc *e, uint64_t v);
void yc_enc_int(struct yc_enc *e, int64_t v);
void yc_enc_bool(struct yc_enc *e, bool v);
void yc_enc_nil(struct yc_enc *e);
/* A string of len bytes; invalid UTF-8 or len > UINT32_MAX sets YC_EINVAL. */
void yc_enc_str(struct yc_enc *e, const char *s, size_t len);
void yc_enc_cstr(struct yc_enc *e, const char *s); /* NUL-terminated */
/* A byte string; len > UINT32_MAX sets YC_EINVAL. */
void yc_enc_bin(struct yc_enc *e, const uint8_t *p, size_t len);
/* Appends bytes that already are one canonical value (e.g. a nested signed tx). */
void yc_enc_raw(struct yc_enc *e, const uint8_t *p, size_t len);
/* Returns the first error (YC_ELIMIT, YC_ENOMEM, YC_EINVAL) or YC_OK. */
YC_WUR int yc_enc_finish(const struct yc_enc *e);

/* ---- reader (over checked input) ---- */

enum yc_mtype {
    YC_MT_NONE = 0, /* end of input */
    YC_MT_NIL,
    YC_MT_BOOL,
    YC_MT_UINT,
    YC_MT_INT, /* negative integer */
    YC_MT_STR,
    YC_MT_BIN,
    YC_MT_ARRAY,
    YC_MT_MAP,
    YC_MT_OTHER
};

struct yc_keylog; /* yc/tx.h */

struct yc_dec {
    const uint8_t *p; /* not owned */
    size_t len;
    size_t pos;
    /* Where a transaction body's decoder notes the public keys it reads, so that their
     * curve check is done once, by yc_tx_verify (NULL: not noted). */
    struct yc_keylog *keylog;
    /* What a schema decoder is reading, for words on failure (yc_tx_decode_why): the map
     * key being read (or looked for) and what its value must be. Set by the field helpers
     * of tx.c as they go (two stores, no formatting); not set by yc_dec_init: a decoder
     * that wants them clears them first. */
    const char *key;
    const char *want;
};

/* Reads p[0..len) (not owned; must outlive d). */
void yc_dec_init(struct yc_dec *d, const uint8_t *p, size_t len);
/* Type of the next value (YC_MT_NONE at the end, YC_MT_OTHER if unsupported or its
 * header is truncated). */
enum yc_mtype yc_dec_peek(const struct yc_dec *d);
/* True when every byte has been consumed. */
bool yc_dec_done(const struct yc_dec *d);
/* Each returns YC_OK or YC_EBADFIELD (wrong type / out of bounds), advancing on success
 * and leaving the position unchanged on failure. */
YC_WUR int yc_dec_map(struct yc_dec *d, uint32_t *npairs);
YC_WUR int yc_dec_array(struct yc_dec *d, uint32_t *n);
YC_WUR int yc_dec_uint(struct yc_dec *d, uint64_t *v);
/* A negative integer, or a non-negative one up to INT64_MAX. */
YC_WUR int yc_dec_int(struct yc_dec *d, int64_t *v);
YC_WUR int yc_dec_bool(struct yc_dec *d, bool *v);
YC_WUR int yc_dec_nil(struct yc_dec *d);
/* Zero-copy: *s points into the input, not NUL-terminated. */
YC_WUR int yc_dec_str(struct yc_dec *d, const char **s, size_t *len);
YC_WUR int yc_dec_bin(struct yc_dec *d, const uint8_t **p, size_t *len);
/* Reads a bin of exactly `n` bytes into out. */
YC_WUR int yc_dec_bin_fixed(struct yc_dec *d, uint8_t *out, size_t n);
/* Skips one whole value; *start and *len (optional) get its raw span. Iterative: safe on
 * unchecked input of any nesting. */
YC_WUR int yc_dec_skip(struct yc_dec *d, const uint8_t **start, size_t *len);

/*
 * Map field helper for decoders of fixed schemas. Call with the number of pairs
 * left (*left, decremented when a key is consumed) and the expected key, in
 * sorted order. Returns 1 if the next key equals `key` (key consumed, value next),
 * 0 if the field is absent (nothing consumed), YC_EBADFIELD if the next key sorts
 * before `key` (an unknown field: strict schemas refuse it).
 */
YC_WUR int yc_dec_field(struct yc_dec *d, uint32_t *left, const char *key);

/* Compares two map keys in canonical order: <0, 0, >0. */
int yc_key_cmp(const char *a, size_t alen, const char *b, size_t blen);
/* Returns true if p[0..len) is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
bool yc_utf8_valid(const uint8_t *p, size_t len);

#endif
