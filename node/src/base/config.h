/*
 * config.h — the node's settings (config/node.conf, DESIGN.md §9).
 *
 * One option table drives everything: built-in defaults, node.conf parsing (libinih),
 * the environment (YUCHAIN_<SECTION>_<KEY>, e.g. YUCHAIN_RPC_LADDR), command-line
 * overrides (--<section>.<key> VALUE, e.g. --rpc.laddr) and the commented node.conf
 * written by init. Precedence: command line > environment > node.conf > default.
 *
 * node.conf keeps to the common ground of INI and TOML: [section], key = "string",
 * key = 123, key = true; durations as "20ms", "3s", "1m" (or plain milliseconds);
 * lists as one comma-separated string. Unknown sections or keys are refused with the
 * line number, and so is any line longer than YC_CFG_LINE_MAX (libinih is given a
 * buffer that size; Debian's default of 200 bytes is not used): a truncated line is
 * never accepted.
 *
 * Not thread-safe: load once at start-up.
 */
#ifndef YC_CONFIG_H
#define YC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "yc/err.h"

#define YC_CFG_ADDR_MAX 128
#define YC_CFG_LIST_MAX 8192  /* a list value (persistent_peers): ~100 DNS host:port */
#define YC_CFG_PATH_MAX 1024  /* a file named in node.conf */
#define YC_CFG_LINE_MAX 65536 /* a node.conf line, newline excluded; longer is refused */

/* Default ports; node i of a local testnet adds i, --base-port P moves them to P+i,
 * P+100+i, P+200+i. */
#define YC_PORT_P2P 27600
#define YC_PORT_RPC 27700
#define YC_PORT_OPS 27800

struct yc_config {
    /* [rpc] */
    char rpc_laddr[YC_CFG_ADDR_MAX];
    uint64_t rpc_max_body_bytes;
    uint64_t rpc_max_header_bytes;
    uint64_t rpc_max_open_connections;
    uint64_t rpc_max_batch;
    uint64_t rpc_timeout_broadcast_tx_commit_ms;
    uint64_t rpc_idle_timeout_ms;
    uint64_t rpc_max_connections_per_source;
    uint64_t rpc_max_body_bytes_in_flight;
    uint64_t rpc_header_timeout_ms;
    uint64_t rpc_body_timeout_ms;
    uint64_t rpc_body_min_rate; /* bytes/s */
    bool rpc_public;            /* a non-loopback laddr is meant: no start-up warning */
    char rpc_cors_allowed_origins[YC_CFG_LIST_MAX]; /* browser origins allowed (CORS) */
    char rpc_tls_cert_file[YC_CFG_PATH_MAX];        /* "": plain HTTP; relative: to config/ */
    char rpc_tls_key_file[YC_CFG_PATH_MAX];
    char rpc_tls_client_ca_file[YC_CFG_PATH_MAX]; /* "": no client certificates asked */
    char rpc_tls_min_version[8];                  /* "1.2" | "1.3" */
    /* [p2p] */
    char p2p_laddr[YC_CFG_ADDR_MAX];
    char p2p_persistent_peers[YC_CFG_LIST_MAX];
    bool p2p_allow_observers;               /* accept unknown keys as observers (block sync only) */
    uint64_t p2p_max_inbound_handshakes;    /* unidentified inbound connections at once */
    uint64_t p2p_max_handshakes_per_source; /* of which from one address (IPv6: a /64) */
    uint64_t p2p_handshake_timeout_ms;      /* connect + handshake */
    uint64_t p2p_max_observers;             /* identified inbound observers */
    /* [consensus] */
    uint64_t cons_timeout_propose_ms; /* base view timeout; doubles with each view */
    bool cons_create_empty_blocks;
    uint64_t cons_create_empty_blocks_interval_ms;
    uint64_t cons_batch_delay_ms;  /* oldest pending tx waits at most this long */
    uint64_t cons_batch_max_txs;   /* also capped by genesis max_block_txs */
    uint64_t cons_batch_max_bytes; /* also capped by genesis max_block_bytes */
    uint64_t cons_max_msgs_per_view;
    /* [mempool] */
    uint64_t mp_size;                /* max transactions */
    uint64_t mp_max_txs_bytes;       /* max total bytes */
    uint64_t mp_max_nonce_gap;       /* a tx's nonce may lead the account's by this much */
    uint64_t mp_max_txs_per_sender;  /* pending transactions of one sender */
    uint64_t mp_ttl_seconds;         /* a pending tx expires this long after it arrived */
    uint64_t mp_cache_size;          /* verified-signature cache entries */
    uint64_t mp_rejected_cache_size; /* recent refusals (and expiries) remembered for `tx` */
    uint64_t mp_max_pending_verify;  /* signature checks queued on the worker pool */
    /* [storage] */
    uint64_t st_state_cache_bytes; /* committed state kept in memory (store_state_cache) */
    /* [instrumentation] */
    bool prometheus;
    char prometheus_listen_addr[YC_CFG_ADDR_MAX];
    bool prometheus_public; /* a non-loopback listen addr is meant: no warning */
    char prometheus_tls_cert_file[YC_CFG_PATH_MAX]; /* as the [rpc] tls_* options */
    char prometheus_tls_key_file[YC_CFG_PATH_MAX];
    char prometheus_tls_client_ca_file[YC_CFG_PATH_MAX];
    char prometheus_tls_min_version[8];
    uint64_t ready_max_stall_ms; /* /readyz fails when work waited this long without a
                                       * commit; 0: never */
    /* [log] */
    char log_level[16];
    char log_format[8]; /* "text" | "json" */
};

/* Fills every option with its built-in default. */
void yc_config_default(struct yc_config *c);

/*
 * Sets option `section`.`key` from its text form (quotes allowed around any value).
 * Returns YC_OK, or YC_ECONFIG with a message (naming the option, not the origin)
 * in err.
 */
YC_WUR int yc_config_set(struct yc_config *c, const char *section, const char *key,
                         const char *value, char *err, size_t errlen);

/* True if "section.key" names an option (for --section.key command-line flags). */
bool yc_config_has_option(const char *dotted);

/*
 * Applies an INI text (`origin` names it in messages, e.g. the path). Returns YC_OK or
 * YC_ECONFIG with "origin:LINE: problem" in err. The text need not be NUL-terminated.
 */
YC_WUR int yc_config_parse_text(struct yc_config *c, const char *text, size_t len,
                                const char *origin, char *err, size_t errlen);

/*
 * Applies the file at path. A missing file is YC_ENOTFOUND (callers decide if that
 * is fine); unreadable YC_EIO; invalid YC_ECONFIG. Messages in err.
 */
YC_WUR int yc_config_load_file(struct yc_config *c, const char *path, char *err, size_t errlen);

/* Applies every YUCHAIN_<SECTION>_<KEY> variable that is set. YC_OK or YC_ECONFIG. */
YC_WUR int yc_config_apply_env(struct yc_config *c, char *err, size_t errlen);

/* One command-line override: "section.key" and its value. */
struct yc_config_override {
    const char *option;
    const char *value;
};

/*
 * The whole precedence chain: defaults, then the file (missing is fine when
 * `file_optional`), then the environment, then the overrides in order.
 */
YC_WUR int yc_config_resolve(struct yc_config *c, const char *path, bool file_optional,
                             const struct yc_config_override *ov, size_t nov, char *err,
                             size_t errlen);

/* Writes node.conf text for `c`: every option with a comment and its default.
 * Returns a malloc'ed NUL-terminated string (caller frees) or NULL on ENOMEM. */
char *yc_config_render(const struct yc_config *c);

/* Prints the list of options (section.key, default, env name) for --help. */
void yc_config_print_options(FILE *out);

/* True if `addr` ("host:port", tcp:// prefix allowed) binds only a loopback address:
 * 127.0.0.0/8, [::1] or localhost. 0.0.0.0, [::], other addresses and names are not. */
bool yc_config_addr_is_loopback(const char *addr);

/* Logs a warning for each of the RPC and operations listeners bound to a non-loopback
 * address unless its `public` option says it is meant ([rpc] public,
 * [instrumentation] public). The p2p listener is never warned about: validators listen
 * on 0.0.0.0. Returns how many warnings were logged. */
int yc_config_warn_exposed(const struct yc_config *c);

/* Writes "host:port" with `port` into out (for --base-port). */
void yc_config_addr_with_port(char *out, size_t outlen, const char *host, unsigned port);

#endif
