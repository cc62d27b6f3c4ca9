/*
 * fuzz_objects.c — the state object decoders of core/include/yc/objects.h (TESTING.md D1).
 *
 * State bytes come from LevelDB, and a node or the audit tool reading a copy of someone
 * else's data directory must survive any bytes there. Every input goes through every
 * decoder. Properties, any violation aborts:
 * - no decoder crashes, hangs or reads out of bounds, on any bytes; a refusal is
 *   YC_ECORRUPT (objects.c: a stored object that does not decode is corrupt);
 * - when a decoder accepts, the matching encoder writes the input back byte for byte
 *   (encode(decode(b)) == b: every object has exactly one encoding);
 * - the account's decoder, which checks canonical form in its one pass, accepts exactly
 *   what yc_canon_check and the field readers accept, with the same fields
 *   (helper_account.c).
 */
/* yc-fuzz-link: yc_core */
/* yc-fuzz-src: ../unit/core/helper_account.c */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "helper_account.h"
#include "yc/buf.h"
#include "yc/objects.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One object kind: decode into a struct of that kind, encode it again. */
#define OBJ_KINDS(X)                          \
    X(account, struct yc_account)             \
    X(consent, struct yc_consent)             \
    X(usage, struct yc_usage)                 \
    X(evidence, struct yc_evidence)           \
    X(asset, struct yc_asset)                 \
    X(asset_version, struct yc_asset_version) \
    X(right, struct yc_right_rec)             \
    X(objection, struct yc_objection)         \
    X(license, struct yc_license)             \
    X(carry, struct yc_carry)

#define OBJ_CHECK_(name, type)                                          \
    static void check_##name(const uint8_t *data, size_t size)          \
    {                                                                   \
        type v;                                                         \
        struct yc_buf out;                                              \
        int rc = yc_##name##_decode(&v, data, size);                    \
        if (rc != YC_OK) {                                              \
            if (rc != YC_ECORRUPT) {                                    \
                abort();                                                \
            }                                                           \
            return;                                                     \
        }                                                               \
        yc_buf_init(&out, size + 1);                                    \
        if (yc_##name##_encode(&v, &out) != YC_OK || out.len != size || \
            memcmp(out.data, data, size) != 0) {                        \
            abort();                                                    \
        }                                                               \
        yc_buf_cleanup(&out);                                           \
    }
OBJ_KINDS(OBJ_CHECK_)
#undef OBJ_CHECK_

static void check_account_two_steps(const uint8_t *data, size_t size)
{
    struct yc_account a, b;
    int ra = yc_account_decode(&a, data, size);
    int rb = helper_account_decode_2step(&b, data, size);
    if (ra != rb || (ra == YC_OK && !helper_account_same(&a, &b))) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_account_two_steps(data, size);
#define OBJ_CALL_(name, type) check_##name(data, size);
    OBJ_KINDS(OBJ_CALL_)
#undef OBJ_CALL_
    return 0;
}
