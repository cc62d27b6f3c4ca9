/*
 * rpc_json.h — the RPC's own JSON helpers (docs/rpc.md, "Conventions"): decimal u64
 * parameters and event-stream lines. The JSON forms of ledger values (integers, hex,
 * addresses, times, transactions, headers…) are the read side's, read/include/yc/json.h,
 * included here for the RPC's files.
 *
 * Threading: pure functions, any thread.
 */
#ifndef YC_RPC_JSON_H
#define YC_RPC_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "yc/json.h"

/*
 * Parses a decimal u64 of exactly s[0..len): digits only, no sign, no leading zeros
 * (except "0"), no overflow. Returns YC_OK or YC_EBADFIELD.
 */
int yc_rjson_parse_u64(const char *s, size_t len, uint64_t *out);

/*
 * Replaces every CR and LF of a compact-JSON text by a space (JSON whitespace only:
 * inside strings they are escaped), so it fits one SSE data line. In place.
 */
void yc_rjson_one_line(char *s);

#endif
