/*
 * helper_codec.h — shared by the codec tests and the codec fuzz harness: re-encoding a
 * decoded value through the public reader and writer, and a seeded generator of
 * random canonical values.
 */
#ifndef YC_TEST_HELPER_CODEC_H
#define YC_TEST_HELPER_CODEC_H

#include <stdint.h>

#include "yc/codec.h"

/*
 * Reads one value from d with the yc_dec_* functions and writes it again with the
 * yc_enc_* functions. Returns YC_OK, the reader's YC_EBADFIELD, YC_ETOODEEP past
 * `max_depth` levels, or the writer's error.
 */
int helper_reencode(struct yc_dec *d, struct yc_enc *e, uint32_t max_depth);

/* xorshift64* state; never 0. */
struct helper_rng {
    uint64_t s;
};

void helper_rng_seed(struct helper_rng *r, uint64_t seed);
uint64_t helper_rng_next(struct helper_rng *r);
/* Uniform-ish in [0, n) (n > 0). */
uint64_t helper_rng_below(struct helper_rng *r, uint64_t n);

/*
 * Writes one random canonical value (sorted unique string keys, valid UTF-8, every
 * header width exercised) of nesting at most max_depth.
 */
void helper_gen_value(struct helper_rng *r, struct yc_enc *e, uint32_t max_depth);

#endif
