/*
 * fuzz_codec.c — canonical MessagePack (TESTING.md D1).
 *
 * Properties, any violation aborts:
 * - yc_canon_check never crashes, hangs or allocates past its input, on any bytes;
 * - when it accepts, the pull-reader skips exactly one value spanning the whole input,
 *   and reading it back field by field and writing it again with the encoder gives
 *   the input byte for byte (encode(decode(b)) == b);
 * - the reader never reads out of bounds on unchecked input either.
 */
/* yc-fuzz-link: yc_core */
/* yc-fuzz-src: ../unit/core/helper_codec.c */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "helper_codec.h"
#include "yc/codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct yc_limits lim = YC_LIMITS_DEFAULT;
    struct yc_dec d;
    struct yc_enc e;
    struct yc_buf out;

    /* The reader over raw bytes: bounded, whatever it returns. */
    yc_dec_init(&d, data, size);
    int skipped = yc_dec_skip(&d, NULL, NULL);
    yc_buf_init(&out, 4 * size + 64);
    yc_enc_init(&e, &out);
    yc_dec_init(&d, data, size);
    int reencoded = helper_reencode(&d, &e, lim.max_depth);
    yc_buf_cleanup(&out);

    if (yc_canon_check(data, size, &lim) != YC_OK) {
        return 0;
    }
    if (skipped != YC_OK || reencoded != YC_OK) {
        abort(); /* canonical input must be readable */
    }
    const uint8_t *start = NULL;
    size_t len = 0;
    yc_dec_init(&d, data, size);
    if (yc_dec_skip(&d, &start, &len) != YC_OK || start != data || len != size ||
        !yc_dec_done(&d)) {
        abort();
    }
    yc_buf_init(&out, size);
    yc_enc_init(&e, &out);
    yc_dec_init(&d, data, size);
    if (helper_reencode(&d, &e, lim.max_depth) != YC_OK || !yc_dec_done(&d) || out.len != size ||
        memcmp(out.data, data, size) != 0) {
        abort();
    }
    yc_buf_cleanup(&out);
    return 0;
}
