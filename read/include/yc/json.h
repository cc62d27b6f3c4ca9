/*
 * json.h — the JSON form of ledger values, one for every program that shows them: the
 * node's RPC, yuchain-audit and yuchain-wallet (docs/rpc.md, "Conventions"; the fields
 * that carry times: docs/formats.md, "Times in JSON").
 *
 * 64-bit integers are decimal strings, byte strings lowercase hex, public keys yc1…
 * addresses, times RFC 3339 UTC with milliseconds ("2026-11-28T01:02:03.456Z", JSON null
 * beyond year 9999). Every constructor returns a new jansson reference (the caller owns
 * it), or NULL on allocation failure; jansson's *_set_new functions accept NULL and fail
 * without leaking, so results can be nested directly.
 *
 * Threading: pure functions, any thread.
 */
#ifndef YC_JSON_H
#define YC_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "yc/block.h"
#include "yc/keys.h"
#include "yc/market.h"
#include "yc/merkle.h"
#include "yc/objects.h"
#include "yc/tx.h"

/* The last time yc_json_time writes as a string: 9999-12-31T23:59:59.999Z. */
#define YC_JSON_TIME_LAST UINT64_C(253402300799999)

/* "1234". */
json_t *yc_json_u64(uint64_t v);
/* yc_json_u64, or JSON null for 0 (a height or time not set yet). */
json_t *yc_json_u64_or_null(uint64_t v);
/* Lowercase hex of p[0..len). */
json_t *yc_json_hex(const uint8_t *p, size_t len);
/* "yc1…" of a 33-byte public key; the key's hex if it has no address form. */
json_t *yc_json_addr(const uint8_t pub[YC_PUBKEY_LEN]);
/* RFC 3339 string of Unix milliseconds (yc_time_rfc3339), or JSON null beyond
 * YC_JSON_TIME_LAST. */
json_t *yc_json_time(uint64_t ms);
/* A borrowed UTF-8 slice as a JSON string (null if not valid UTF-8). */
json_t *yc_json_slice(const struct yc_slice *s);
/* yc_json_slice, or JSON null for an empty text (an optional text not given). */
json_t *yc_json_slice_or_null(const struct yc_slice *s);
/* The hex of a 32-byte id if `has`, else JSON null (an optional reference not set). */
json_t *yc_json_id_or_null(bool has, const uint8_t id[YC_HASH_LEN]);
/* A list of slices as an array of strings. */
json_t *yc_json_list(const struct yc_list *l);

/* The decoded transaction: {"id","type","chain_id","sender","nonce","body",
 * "sig","cosigs"?}; body fields per type (docs/rpc.md). */
json_t *yc_json_tx(const struct yc_tx *tx);
/* The typed body of tx as an object, from its schema (txschema.h): fields in wire order,
 * each shown as the schema's `show` says, a block time with its "<key>_time". */
json_t *yc_json_tx_body(const struct yc_tx *tx);
/* {"chain_id","height","view","proposer","time","time_ms","prev_hash","tx_root",
 *  "result_root","state_root","tx_count","version"}. */
json_t *yc_json_header(const struct yc_block_header *h);
/* {"view","signatures":[{"validator","sig"}]}. */
json_t *yc_json_cert(const struct yc_cert *c);
/* {"index","count","siblings":[hex…]}. */
json_t *yc_json_proof(const struct yc_merkle_proof *p);

/* ---- objects of committed state (objects.h) ---- */

/* The account of key pub: {"address","role","name","jurisdiction","nonce",
 * "pending_nonce"?,"balance","credit","registered_at"}; "pending_nonce" (the greater of
 * *pending_nonce and the account's nonce) only if pending_nonce is not NULL (the node's
 * mempool knows it, a replay does not); "role" null if the role has no name. */
json_t *yc_json_account(const uint8_t pub[YC_PUBKEY_LEN], const struct yc_account *a,
                        const uint64_t *pending_nonce);
/* Consent `id`: {"id","subject","processor","categories","purposes","operations",
 * "jurisdiction","not_before","not_before_time","until","until_time","fee_per_use",
 * "max_uses","uses","retention_days","onward_transfer","granted_at","revoked_at",
 * "status"}; "revoked_at" null if not revoked; "status" (yc_consent_status) at the block
 * time now_ms. */
json_t *yc_json_consent(const uint8_t id[YC_HASH_LEN], const struct yc_consent *c, uint64_t now_ms);
/* Use `id`: {"id","asset","authority","authority_kind","user","subject","purpose",
 * "operation","category","fee","height","time","time_ms","input","output"}; "asset",
 * "input", "output" null when the use has none (a use under a consent names no asset). */
json_t *yc_json_usage(const uint8_t id[YC_HASH_LEN], const struct yc_usage *u);

/* ---- data assets (objects.h; json_asset.c) ---- */

/* Asset `id`: {"id","title","digest","version","catalog","source","grade","openness",
 * "sector","status","certificate","certified_at","registrant","registered_at",
 * "notice_until","time","objections_open","retired_at","voided_at","usage","parents",
 * "contributors":[{"account","bps"}]}; "status" (yc_asset_status) at height; absent
 * certificate, usage and heights not set yet null. */
json_t *yc_json_asset(const uint8_t id[YC_HASH_LEN], const struct yc_asset *a, uint64_t height);
/* The short form of a listing of assets: {"id","title","grade","status","certificate",
 * "registered_at","rights":[]}, the caller appending the names of the rights held. */
json_t *yc_json_asset_held(const uint8_t id[YC_HASH_LEN], const struct yc_asset *a,
                           uint64_t height);
/* A right's record: {"holder","since"}. */
json_t *yc_json_right(const struct yc_right_rec *r);
/* Objection `id`: {"id","objector","reason","evidence","filed_at","outcome","resolved_at",
 * "note"}. */
json_t *yc_json_objection(const uint8_t id[YC_HASH_LEN], const struct yc_objection *ob);
/* Version `version` of an asset: {"version","digest","height","time","note"}. */
json_t *yc_json_asset_version(uint64_t version, const struct yc_asset_version *v);
/* License `id`: {"id","asset","right","licensor","licensee","purposes","operations",
 * "visibility","fee","max_uses","uses","not_before","until","until_time","granted_at",
 * "revoked_at","status"}; "status" (yc_license_status) at block time now_ms. */
json_t *yc_json_license(const uint8_t id[YC_HASH_LEN], const struct yc_license *l, uint64_t now_ms);
/* Carry request `id`: {"id","subject","holder","recipient","categories","asset","status",
 * "requested_at","closed_at","package","reason"}. */
json_t *yc_json_carry(const uint8_t id[YC_HASH_LEN], const struct yc_carry *k);

/* ---- the market and its supervision (market.h; json_market.c) ---- */

/* Listing `id`: {"id","asset","seller","offer","price","sector","status","listed_at",
 * "time","closed_at","appraisals","open_bids","deal","terms"}; "terms" null unless a
 * license is offered. */
json_t *yc_json_listing(const uint8_t id[YC_HASH_LEN], const struct yc_listing *l);
/* Bid `id`: {"id","listing","bidder","price","escrow","expires","expires_time","height",
 * "closed_at","status"}; "status" (yc_bid_status) at block time now_ms. */
json_t *yc_json_bid(const uint8_t id[YC_HASH_LEN], const struct yc_bid *b, uint64_t now_ms);
/* Appraisal `id`: {"id","appraiser","value","method","report","height","time"}. */
json_t *yc_json_appraisal(const uint8_t id[YC_HASH_LEN], const struct yc_appraisal *a);
/* Deal `id`: {"id","listing","bid","asset","offer","seller","buyer","price","fee",
 * "exchange","payouts":[{"account","amount"}],"sector","cross_border","destination",
 * "assessment","license","policy_version","height","index","time"}. */
json_t *yc_json_deal(const uint8_t id[YC_HASH_LEN], const struct yc_deal *d);
/* Pledge `id`: {"id","asset","pledgor","pledgee","amount","due","due_time","status",
 * "created_at","closed_at"}. */
json_t *yc_json_pledge(const uint8_t id[YC_HASH_LEN], const struct yc_pledge *p);
/* A policy version: {"version","height","regulator","negative_list","alerts",
 * "codes_added"} (version 0, nothing set yet: regulator null, empty lists). */
json_t *yc_json_policy(const struct yc_policy *p);
/* Credit record `id`: {"id","account","severity","reason","evidence","regulator","status",
 * "height","time","resolved_at","note","objection"}. */
json_t *yc_json_credit(const uint8_t id[YC_HASH_LEN], const struct yc_credit *c);
/* An alert: {"kind","tx","type","height","index","time","account","asset","amount",
 * "policy_version"}; the node's `alerts` method and `yuchain-audit violations` alike. */
json_t *yc_json_alert(const struct yc_alert *a);
/* A point of the price index: {"sector","period","period_start","count","volume","vwap",
 * "high","low","last_height","last_tx"}. */
json_t *yc_json_price_point(const struct yc_price_point *pp);

#endif
