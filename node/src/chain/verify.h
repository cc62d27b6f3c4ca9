/*
 * verify.h — signature checks off the event loop, each done once per node.
 *
 * Checks (yc_tx_verify: chain id, sender signature, co-signatures) run on libuv's
 * worker pool (uv_queue_work). A bounded cache remembers the txs that verified,
 * keyed by SHA-256(secret ‖ id ‖ sig ‖ cosigs) under a secret each verifier draws: a tx
 * admitted to the mempool is not verified again when a block holding it is validated,
 * and a different signature over the same id is never taken for a verified one. A tx whose check is already queued or running is
 * not checked again: a later check waits for that one's verdict. The cache is only
 * touched on the loop thread.
 *
 * Jobs in flight hold pointers to the caller's txs: they must stay valid until the
 * callback. Loop thread only (except the work itself).
 */
#ifndef YC_VERIFY_H
#define YC_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "pump.h"
#include "yc/err.h"
#include "yc/tx.h"

typedef struct yc_verifier yc_verifier;

/*
 * Called on the loop thread: code YC_OK (all verified), else the first failure's
 * code (YC_EWRONGCHAIN, YC_EBADSIG, YC_EBADCOSIG) and its index in the batch.
 */
typedef void (*yc_verify_cb)(void *ctx, int code, size_t bad_index);

/* Creates a verifier for chain_id (copied), answering on loop through pump (which outlives
 * it). Returns YC_OK, YC_EINVAL, YC_ENOMEM. */
YC_WUR int yc_verifier_create(yc_verifier **out, uv_loop_t *loop, struct yc_pump *pump,
                              const char *chain_id, size_t cache_size, size_t max_pending);
/* Frees; call only once no job is in flight (after the loop has run out). NULL no-op. */
void yc_verifier_destroy(yc_verifier *v);

/* True if tx (with exactly this signature) is known valid. Counts a cache hit. */
bool yc_verifier_cached(yc_verifier *v, const struct yc_tx *tx);

/*
 * Verifies the txs of txs[0..n) not already cached, on the worker pool; cb is called
 * once on the loop thread, never from inside this call (when all were cached, on the
 * next turn, through the pump).
 * Verified ones enter the cache. Returns YC_OK (cb will be / was called) or YC_ELIMIT
 * (max_pending jobs in flight) / YC_ENOMEM, cb not called.
 */
YC_WUR int yc_verifier_check(yc_verifier *v, const struct yc_tx *txs, size_t n, yc_verify_cb cb,
                             void *ctx);
/* Totals for /metrics: signatures checked on the pool, and cache hits. */
void yc_verifier_counters(const yc_verifier *v, uint64_t *verified, uint64_t *hits);
/* Cancels queued jobs that have not started (their cb gets YC_EIO), at shutdown. */
void yc_verifier_cancel_all(yc_verifier *v);

#endif
