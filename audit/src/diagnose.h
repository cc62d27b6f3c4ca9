/*
 * diagnose.h — names why a stored block failed yc_block_decode (diagnose.c).
 */
#ifndef YC_AUDIT_DIAGNOSE_H
#define YC_AUDIT_DIAGNOSE_H

#include <stddef.h>
#include <stdint.h>

#include "replay.h"

/*
 * Given bytes that yc_block_decode refused with `decode_err`, returns the reason
 * (AUDIT_BAD_BLOCK, AUDIT_BAD_TX_ROOT or AUDIT_BAD_RESULT_ROOT) and writes an explanation
 * into out. Allocates only to decode the transactions and outcomes; never fails (falls
 * back to the decoder's code).
 */
enum audit_reason audit_diagnose_block(const uint8_t *bytes, size_t len, int decode_err, char *out,
                                       size_t outlen);

#endif
