/*
 * bech32.h — bech32m (BIP-350) strings and addresses: "yc1" + 32-byte x-only public key.
 *
 * Strings are at most 90 characters (BIP-173), entirely lowercase or entirely
 * uppercase; encoders always emit lowercase. Format in docs/formats.md.
 *
 * Thread-safety: pure functions, no globals.
 */
#ifndef YC_BECH32_H
#define YC_BECH32_H

#include <stddef.h>
#include <stdint.h>

#include "yc/err.h"

#define YC_ADDR_HRP "yc"
#define YC_ADDR_MAX 100 /* buffer size that always fits an address and its NUL */

/*
 * Generic bech32m encode of 8-bit data[0..len) under `hrp` (lowercase, 1..83 chars of
 * US-ASCII 33..126), NUL-terminated into out[0..outlen).
 * Returns YC_OK, YC_ELIMIT (out too small or the string would exceed 90 characters),
 * YC_EINVAL (bad hrp, NULL arguments).
 */
YC_WUR int yc_bech32m_encode(char *out, size_t outlen, const char *hrp, const uint8_t *data,
                             size_t len);
/*
 * Generic decode: checks length, case, characters, separator and the bech32m
 * checksum; converts the data back to bytes (padding must be zero and under 5 bits).
 * hrp_out (capacity hrp_cap, NUL-terminated, lowercased) gets the hrp; data gets at
 * most *len bytes and *len is set to their number.
 * Returns YC_OK, YC_EBADADDR (any defect, or a buffer too small), YC_EINVAL (NULLs).
 */
YC_WUR int yc_bech32m_decode(const char *s, char *hrp_out, size_t hrp_cap, uint8_t *data,
                             size_t *len);

/* As yc_bech32m_encode, but data5 holds 5-bit values (each < 32) used as they are. */
YC_WUR int yc_bech32m_encode5(char *out, size_t outlen, const char *hrp, const uint8_t *data5,
                              size_t len);
/* As yc_bech32m_decode, but data5 gets the raw 5-bit values (no 5-to-8 conversion). */
YC_WUR int yc_bech32m_decode5(const char *s, char *hrp_out, size_t hrp_cap, uint8_t *data5,
                              size_t *len);

/*
 * Address of a 33-byte public key (scheme byte must be BIP-340). out gets a
 * NUL-terminated lowercase "yc1…" string. Returns YC_OK or YC_EINVAL.
 */
YC_WUR int yc_addr_encode(char out[YC_ADDR_MAX], const uint8_t pub[33]);

#define YC_ADDR_SHORT_MAX 24 /* buffer size of a shortened address and its NUL */
/* An address shortened for people, beside a name: its first 10 characters, an ellipsis
 * (U+2026), its last 6 ("yc1abcdefg…uvwxyz"); a string of 16 characters or fewer is
 * copied as it is. The whole address stays in every machine format. */
void yc_addr_short(char out[YC_ADDR_SHORT_MAX], const char *addr);
/*
 * Parses "yc1…" into a 33-byte public key (scheme byte set). Refuses another hrp,
 * a bad checksum (so a typo is caught), a payload that is not 32 bytes and a key off
 * the curve. Returns YC_OK or YC_EBADADDR (pub zeroed), YC_EINVAL (pub NULL).
 */
YC_WUR int yc_addr_decode(uint8_t pub[33], const char *s);

#endif
