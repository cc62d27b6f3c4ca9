/*
 * rpc_json.h — JSON forms of ledger values for the RPC (docs/rpc.md, "Conventions").
 *
 * 64-bit integers are decimal strings, byte strings lowercase hex, public keys yc1…
 * addresses, times RFC 3339 UTC with milliseconds ("2026-11-28T01:02:03.456Z").
 * Every constructor returns a new jansson reference (the caller owns it), or NULL on
 * allocation failure; jansson's *_set_new functions accept NULL and fail without
 * leaking, so results can be nested directly.
 *
 * Threading: pure functions, any thread.
 */
#ifndef YC_RPC_JSON_H
#define YC_RPC_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "yc/block.h"
#include "yc/keys.h"
#include "yc/merkle.h"
#include "yc/tx.h"

/* Buffer size for yc_rjson_time_fmt: "YYYY-MM-DDTHH:MM:SS.mmmZ" plus room for big years. */
#define YC_RJSON_TIME_MAX 40

/* "1234". */
json_t *yc_rjson_u64(uint64_t v);
/* yc_rjson_u64, or JSON null for 0 (a height or time not set yet). */
json_t *yc_rjson_u64_or_null(uint64_t v);
/* Lowercase hex of p[0..len). */
json_t *yc_rjson_hex(const uint8_t *p, size_t len);
/* "yc1…" of a 33-byte public key; the key's hex if it has no address form. */
json_t *yc_rjson_addr(const uint8_t pub[YC_PUBKEY_LEN]);
/*
 * Formats Unix milliseconds as RFC 3339 UTC into out. Returns YC_OK, or YC_ELIMIT if
 * the time is beyond year 9999 (out then holds "").
 */
int yc_rjson_time_fmt(char out[YC_RJSON_TIME_MAX], uint64_t ms);
/* RFC 3339 string of ms, or JSON null beyond year 9999. */
json_t *yc_rjson_time(uint64_t ms);
/* A borrowed UTF-8 slice as a JSON string (null if not valid UTF-8). */
json_t *yc_rjson_slice(const struct yc_slice *s);
/* A list of slices as an array of strings. */
json_t *yc_rjson_list(const struct yc_list *l);

/* The decoded transaction: {"id","type","chain_id","sender","nonce","body",
 * "sig","cosigs"?}; body fields per type (docs/rpc.md). */
json_t *yc_rjson_tx(const struct yc_tx *tx);
/* The typed body of tx as an object, from its schema (txschema.h): fields in wire order,
 * each shown as the schema's `show` says, a block time with its "<key>_time". */
json_t *yc_rjson_tx_body(const struct yc_tx *tx);
/* {"chain_id","height","view","proposer","time","time_ms","prev_hash","tx_root",
 *  "state_root","tx_count"}. */
json_t *yc_rjson_header(const struct yc_block_header *h);
/* {"view","signatures":[{"validator","sig"}]}. */
json_t *yc_rjson_cert(const struct yc_cert *c);
/* {"index","count","siblings":[hex…]}. */
json_t *yc_rjson_proof(const struct yc_merkle_proof *p);

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
