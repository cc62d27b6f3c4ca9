/*
 * bech32.h — bech32m (BIP-350) addresses: "yc1" + 32-byte x-only public key.
 */
#ifndef YC_BECH32_H
#define YC_BECH32_H

#include <stddef.h>
#include <stdint.h>

#include "yc/err.h"

#define YC_ADDR_HRP "yc"
#define YC_ADDR_MAX 100 /* buffer size that always fits an address and its NUL */

/* Generic bech32m encode of 8-bit data under `hrp`. Returns YC_OK or YC_ELIMIT (out too small). */
YC_WUR int yc_bech32m_encode(char *out, size_t outlen, const char *hrp, const uint8_t *data,
                             size_t len);
/* Generic decode: checks the bech32m checksum, case, hrp; data up to *len bytes.
 * Returns YC_OK or YC_EBADADDR. */
YC_WUR int yc_bech32m_decode(const char *s, char *hrp_out, size_t hrp_cap, uint8_t *data,
                             size_t *len);

/* Address of a 33-byte public key (scheme byte must be BIP-340). */
YC_WUR int yc_addr_encode(char out[YC_ADDR_MAX], const uint8_t pub[33]);
/* Parses "yc1…" into a 33-byte public key (scheme byte set). Returns YC_OK or YC_EBADADDR. */
YC_WUR int yc_addr_decode(uint8_t pub[33], const char *s);

#endif
