/*
 * rpc.h — the RPC listener (JSON-RPC 2.0 POST / and GET /<method>, GET /events SSE)
 * and the operations listener (/metrics, /livez, /readyz, /version). DESIGN.md §9.
 * Both run on the node's loop; all limits are fixed at start.
 */
#ifndef YC_RPC_H
#define YC_RPC_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "httpd.h"
#include "node.h"

struct yc_rpc_config {
    const char *laddr;                   /* "tcp://127.0.0.1:27700" or "127.0.0.1:27700" */
    size_t max_body_bytes;               /* default 8 MiB */
    size_t max_header_bytes;             /* default 16 KiB */
    uint32_t max_connections;            /* default 256 */
    uint32_t max_batch;                  /* JSON-RPC batch entries, default 1000 */
    uint64_t commit_timeout_ms;          /* broadcast_tx_commit wait, default 10000 */
    uint64_t idle_timeout_ms;            /* keep-alive idle close, default 60000 */
    uint32_t max_connections_per_source; /* default 32 */
    size_t max_body_bytes_in_flight;     /* default 64 MiB; raised to max_body_bytes */
    uint64_t header_timeout_ms;          /* default 10000 */
    uint64_t body_timeout_ms;            /* default 10000 */
    uint64_t body_min_rate;              /* bytes/s, default 32768 */
    const char *cors_origins;            /* CORS allow-list (httpd.h), NULL/"": none */
    yc_httpd_tls *tls;                   /* NULL: plain HTTP; else TLS (owned by the
                                          * listener from yc_rpc_start on) */
};

typedef struct yc_rpc yc_rpc;

/* Fills defaults. */
void yc_rpc_config_default(struct yc_rpc_config *c);
/* Binds and listens. Returns YC_OK, YC_ECONFIG (bad address) or YC_EIO (bind failed). */
int yc_rpc_start(yc_rpc **out, yc_node *n, const struct yc_rpc_config *c);
/* Same server type for the operations listener (laddr and tls, NULL for plain HTTP and
 * owned by the listener from here on; other fields defaulted). */
int yc_ops_start(yc_rpc **out, yc_node *n, const char *laddr, yc_httpd_tls *tls);
/*
 * The TLS setup that `c`'s tls_* options name (rpc_tls.c): [rpc]'s, or [instrumentation]'s
 * when `ops`; relative paths taken from `config_dir`. *out is NULL when TLS is not asked
 * for (no tls_cert_file, tls_key_file or tls_client_ca_file). Returns YC_OK, or
 * YC_ECONFIG / YC_ENOMEM with a sentence naming the option and the file in err.
 */
YC_WUR int yc_rpc_tls_load(yc_httpd_tls **out, const struct yc_config *c, bool ops,
                           const char *config_dir, char *err, size_t errlen);
/*
 * SIGHUP: reads the listener's certificate and key again (rpc_tls.c). New connections use them,
 * open ones keep theirs. Returns YC_OK (logged), or an error with a sentence in err:
 * YC_ECONFIG (a file is bad, or TLS was turned on or off: that needs a restart); the
 * listener then keeps what it had.
 */
YC_WUR int yc_rpc_tls_reload(yc_rpc *r, const struct yc_config *c, const char *config_dir,
                             char *err, size_t errlen);
/* TCP port the listener is bound to (useful when laddr asked for port 0); 0 for NULL. */
uint16_t yc_rpc_port(const yc_rpc *r);
/* Closes listeners and connections; memory freed in close callbacks. NULL is a no-op.
 * Pending commit waits and event streams are cancelled before it returns (their
 * yc_node_unwatch / yc_node_unsubscribe calls happen inside), so call it before the
 * node's watch and subscription tables go away, then run the loop to let handles close. */
void yc_rpc_stop(yc_rpc *r);

#endif
