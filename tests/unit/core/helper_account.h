/*
 * helper_account.h — the account decoder as two steps (yc_canon_check, then the public
 * pull-reader field by field), shared by the account tests and the objects fuzz harness:
 * yc_account_decode checks canonical form in its one pass and must accept exactly what
 * this accepts, with the same fields.
 */
#ifndef YC_TEST_HELPER_ACCOUNT_H
#define YC_TEST_HELPER_ACCOUNT_H

#include <stddef.h>
#include <stdint.h>

#include "yc/objects.h"

/* YC_OK with *a filled, or YC_ECORRUPT. */
int helper_account_decode_2step(struct yc_account *a, const uint8_t *p, size_t len);

/* True if a and b hold the same fields (strings compared as bytes and as positions:
 * both decoders point into the same input). */
int helper_account_same(const struct yc_account *a, const struct yc_account *b);

#endif
