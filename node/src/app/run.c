/*
 * run.c — start-up and shutdown of a node (see run.h).
 *
 * Start-up acquires in order: config, .lock, genesis and keys, the store, the loop
 * and its parts, .cookie, the driver, the p2p transport and block sync, the listeners,
 * the signal handlers. Shutdown (SIGINT/SIGTERM) stops accepting work first —
 * listeners, the transport, driver timers, watches —
 * lets the loop run out so every close callback frees its memory, then releases
 * the rest in reverse order. The same teardown serves a start-up that failed midway.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "keyfile.h"
#include "log.h"
#include "net.h"
#include "node_internal.h"
#include "role.h"
#include "rpc.h"
#include "run.h"
#include "yc/bech32.h"
#include "yc/cliutil.h"
#include "yc/genesis_json.h"

static int exit_for(int rc)
{
    switch (rc) {
    case YC_ECONFIG:
    case YC_EBADKEY:
        return YC_EXIT_CONFIG;
    case YC_EIO:
    case YC_ECORRUPT:
        return YC_EXIT_IOERR;
    default:
        return YC_EXIT_FAIL;
    }
}

static void node_stop(yc_node *n, const char *why)
{
    if (n->stopping)
        return;
    n->stopping = true;
    yc_log_info("node", "stopping (%s)", why);
    yc_rpc_stop(n->rpc);
    yc_rpc_stop(n->ops);
    n->rpc = n->ops = NULL;
    yc__net_stop(n);
    yc__driver_stop(n->drv);
    yc__events_stop(n);
    yc__submit_stop(n);
    uv_close((uv_handle_t *)&n->sigint, NULL);
    uv_close((uv_handle_t *)&n->sigterm, NULL);
    uv_close((uv_handle_t *)&n->sighup, NULL);
}

static void signal_cb(uv_signal_t *h, int signum)
{
    node_stop(h->data, signum == SIGINT ? "SIGINT" : "SIGTERM");
}

static void apply_log_settings(const struct yc_config *c)
{
    enum yc_log_level lvl = YC_LOG_INFO;
    enum yc_log_format fmt = YC_LOG_TEXT;
    (void)yc_log_level_parse(c->log_level, &lvl);
    (void)yc_log_format_parse(c->log_format, &fmt);
    yc_log_set_level(lvl);
    yc_log_set_format(fmt);
}

/* SIGHUP: the [log] settings and the listeners' TLS certificates and keys again, by the
 * same precedence as at start (node.conf, the environment, the command line); everything
 * else needs a restart. */
static void sighup_cb(uv_signal_t *h, int signum)
{
    (void)signum;
    yc_node *n = h->data;
    struct yc_config c;
    char err[512] = "";
    int rc = yc_config_resolve(&c, n->home.node_conf, true, n->run_opts->ov, n->run_opts->nov, err,
                               sizeof err);
    if (rc != YC_OK) {
        yc_log_warn("node", "SIGHUP: %s: the log settings stay as they were", err);
        return;
    }
    apply_log_settings(&c);
    yc_log_info("node",
                "SIGHUP: log level %s, format %s (node.conf, environment, command "
                "line); other settings apply at the next start",
                yc_log_level_name(yc_log_get_level()), yc_log_format_name(yc_log_get_format()));
    yc_rpc *listeners[] = {n->rpc, n->ops};
    for (size_t i = 0; i < 2; i++)
        if (listeners[i] != NULL &&
            yc_rpc_tls_reload(listeners[i], &c, n->home.config_dir, err, sizeof err) != YC_OK)
            yc_log_warn("node", "SIGHUP: %s: the %s listener keeps its certificate", err,
                        i == 0 ? "RPC" : "operations");
}

static void teardown(yc_node *n)
{
    if (n->started) {
        if (!n->stopping)
            node_stop(n, "start-up failed");
        uv_run(n->loop, UV_RUN_DEFAULT); /* listeners, timers, queued work run out */
        yc__events_free(n);              /* closes the remaining watch timers */
        yc__submit_free(n);
        yc_pump_close(&n->pump);         /* nothing is left to post */
        uv_run(n->loop, UV_RUN_DEFAULT); /* their close callbacks free them */
        if (uv_loop_close(n->loop) != 0)
            yc_log_warn("node", "event loop closed with handles still open");
    }
    yc__net_free(n);
    yc__driver_destroy(n->drv);
    yc__role_free(n);
    yc_verifier_destroy(n->ver);
    yc_mempool_destroy(n->mp);
    yc_overlay_destroy(n->precheck);
    yc_idmap_cleanup(&n->inflight);
    yc_idmap_cleanup(&n->watches);
    if (n->st != NULL)
        store_close(n->st);
    if (n->cookie[0] != '\0')
        yc_home_remove_cookie(&n->home);
    yc_signer_destroy(n->node_signer);
    yc_signer_destroy(n->val_signer);
    yc_genesis_cleanup(&n->genesis);
    yc_home_unlock(n->lock_fd);
    yc_httpd_tls_destroy(n->rpc_tls);
    yc_httpd_tls_destroy(n->ops_tls);
    free(n->loop);
}

/* Loads config, takes the lock, reads genesis and keys. Returns an exit code. */
static int open_home(yc_node *n, const struct yc_run_opts *o)
{
    char err[512] = "";
    if (yc_home_resolve(&n->home, o->home) != YC_OK) {
        yc_log_error("node", "home directory path is too long or unset; pass --home DIR");
        return YC_EXIT_CONFIG;
    }
    if (!yc_home_initialized(&n->home)) {
        yc_log_error("node",
                     "%s holds no chain (no %s); create one with `yuchaind init --home "
                     "%s` or `yuchaind dev --home %s`",
                     n->home.dir, n->home.genesis, n->home.dir, n->home.dir);
        return YC_EXIT_CONFIG;
    }
    int rc = yc_config_resolve(&n->cfg, n->home.node_conf, true, o->ov, o->nov, err, sizeof err);
    if (rc != YC_OK) {
        yc_log_error("node", "configuration: %s", err);
        return exit_for(rc == YC_ENOTFOUND ? YC_ECONFIG : rc);
    }
    apply_log_settings(&n->cfg);
    n->run_opts = o;                       /* for SIGHUP: the command line keeps its precedence */
    (void)yc_config_warn_exposed(&n->cfg); /* RPC or operations reachable from other hosts */
    rc = yc_rpc_tls_load(&n->rpc_tls, &n->cfg, false, n->home.config_dir, err, sizeof err);
    if (rc == YC_OK && n->cfg.prometheus)
        rc = yc_rpc_tls_load(&n->ops_tls, &n->cfg, true, n->home.config_dir, err, sizeof err);
    if (rc != YC_OK) {
        yc_log_error("node", "cannot serve TLS: %s", err);
        return exit_for(rc);
    }

    rc = yc_home_lock(&n->home, &n->lock_fd, err, sizeof err);
    if (rc != YC_OK) {
        yc_log_error("node", "%s", err);
        return rc == YC_EBUSY ? YC_EXIT_FAIL : YC_EXIT_IOERR;
    }
    rc = yc_genesis_json_load(&n->genesis, n->home.genesis, err, sizeof err);
    if (rc != YC_OK) {
        yc_log_error("node", "genesis %s: %s", n->home.genesis, err);
        return exit_for(rc);
    }
    rc = yc_keyfile_load(n->home.node_key, &n->node_signer, n->node_pub, err, sizeof err);
    if (rc != YC_OK) {
        yc_log_error("node", "node key: %s", err);
        return exit_for(rc == YC_ENOTFOUND ? YC_ECONFIG : rc);
    }
    if (yc_addr_encode(n->node_id, n->node_pub) != YC_OK)
        return YC_EXIT_CONFIG;
    n->validator_index = UINT32_MAX; /* known once the tip is (open_node, role.h) */
    rc = yc_keyfile_load(n->home.validator_key, &n->val_signer, n->val_pub, err, sizeof err);
    if (rc != YC_OK && rc != YC_ENOTFOUND) {
        yc_log_error("node", "validator key: %s", err);
        return exit_for(rc);
    }
    return YC_EXIT_OK;
}

/* Store, loop, mempool, verifier, cookie, driver. Returns an exit code. */
static int open_node(yc_node *n)
{
    char err[512] = "";
    int rc = store_open(&n->st, n->home.data, true, &n->genesis, err, sizeof err);
    if (rc != YC_OK) {
        n->st = NULL;
        if (rc == YC_ECONFIG)
            yc_log_error("node", "%s: %s (the data belongs to another genesis?)", n->home.data,
                         err);
        else if (rc == YC_EBUSY)
            yc_log_error("node", "%s is in use by another process: %s", n->home.data, err);
        else
            yc_log_error("node", "cannot open the database in %s: %s (%s)", n->home.data, err,
                         yc_err_name(rc));
        return rc == YC_EBUSY ? YC_EXIT_FAIL : exit_for(rc);
    }
    rc = store_state_cache(n->st, (size_t)n->cfg.st_state_cache_bytes);
    if (rc != YC_OK) {
        yc_log_error("node",
                     "cannot keep %llu bytes of state in memory ([storage] "
                     "state_cache_bytes): %s",
                     (unsigned long long)n->cfg.st_state_cache_bytes, yc_err_name(rc));
        return YC_EXIT_FAIL;
    }
    rc = store_tip(n->st, &n->tip);
    if (rc != YC_OK) {
        yc_log_error("node", "cannot read the tip from %s: %s", n->home.data, yc_err_name(rc));
        return YC_EXIT_IOERR;
    }
    yc__role_init(n); /* the set in force at tip + 1, and this node's place in it */
    if (n->val_signer != NULL && n->validator_index == UINT32_MAX)
        yc_log_warn("node",
                    "validator key %s is not in the validator set of height %llu: running as "
                    "an observer until the consortium adds it (it votes from the height the "
                    "change takes effect)",
                    n->home.validator_key, (unsigned long long)n->tip.height + 1);
    struct yc_mempool_limits ml = {
        .max_txs = n->cfg.mp_size,
        .max_bytes = n->cfg.mp_max_txs_bytes,
        .max_nonce_gap = n->cfg.mp_max_nonce_gap,
        .max_rejected = n->cfg.mp_rejected_cache_size,
        .max_per_sender = n->cfg.mp_max_txs_per_sender,
    };
    struct yc_state_src src = store_state_src(n->st);
    n->loop = calloc(1, sizeof *n->loop);
    if (n->loop == NULL || uv_loop_init(n->loop) != 0) {
        free(n->loop);
        n->loop = NULL;
        return YC_EXIT_FAIL;
    }
    n->started = true;
    uv_signal_init(n->loop, &n->sigint);
    uv_signal_init(n->loop, &n->sigterm);
    uv_signal_init(n->loop, &n->sighup);
    n->sigint.data = n->sigterm.data = n->sighup.data = n;
    if (yc_pump_init(&n->pump, n->loop) != 0) {
        yc_log_error("node", "cannot start the event loop's pump");
        return YC_EXIT_FAIL;
    }
    if (yc_mempool_create(&n->mp, &ml) != YC_OK ||
        yc_verifier_create(&n->ver, n->loop, &n->pump, n->genesis.chain_id, n->cfg.mp_cache_size,
                           n->cfg.mp_max_pending_verify) != YC_OK ||
        yc_overlay_create(&n->precheck, &src) != YC_OK ||
        yc_idmap_init(&n->inflight, YC_HASH_LEN) != YC_OK ||
        yc_idmap_init(&n->watches, YC_HASH_LEN) != YC_OK || yc__submit_start(n) != YC_OK) {
        yc_log_error("node", "out of memory at start-up");
        return YC_EXIT_FAIL;
    }
    rc = yc_home_write_cookie(&n->home, n->cookie);
    if (rc != YC_OK) {
        n->cookie[0] = '\0';
        yc_log_error("node", "cannot write %s", n->home.cookie);
        return YC_EXIT_IOERR;
    }
    if (n->validator_index != UINT32_MAX) {
        rc = yc__driver_create(&n->drv, n);
        if (rc != YC_OK) {
            yc_log_error("node", "cannot start consensus at height %llu: %s",
                         (unsigned long long)n->tip.height + 1, yc_err_name(rc));
            return exit_for(rc);
        }
    }
    rc = yc__net_start(n);
    if (rc != YC_OK)
        return exit_for(rc);
    return YC_EXIT_OK;
}

static int open_listeners(yc_node *n)
{
    struct yc_rpc_config rc;
    yc_rpc_config_default(&rc);
    rc.laddr = n->cfg.rpc_laddr;
    rc.max_body_bytes = n->cfg.rpc_max_body_bytes;
    rc.max_header_bytes = n->cfg.rpc_max_header_bytes;
    rc.max_connections = (uint32_t)n->cfg.rpc_max_open_connections;
    rc.max_batch = (uint32_t)n->cfg.rpc_max_batch;
    rc.commit_timeout_ms = n->cfg.rpc_timeout_broadcast_tx_commit_ms;
    rc.idle_timeout_ms = n->cfg.rpc_idle_timeout_ms;
    rc.max_connections_per_source = (uint32_t)n->cfg.rpc_max_connections_per_source;
    rc.max_body_bytes_in_flight = n->cfg.rpc_max_body_bytes_in_flight;
    rc.header_timeout_ms = n->cfg.rpc_header_timeout_ms;
    rc.body_timeout_ms = n->cfg.rpc_body_timeout_ms;
    rc.body_min_rate = n->cfg.rpc_body_min_rate;
    rc.cors_origins = n->cfg.rpc_cors_allowed_origins;
    rc.tls = n->rpc_tls; /* the listener owns it now */
    n->rpc_tls = NULL;
    int r = yc_rpc_start(&n->rpc, n, &rc);
    if (r != YC_OK) {
        n->rpc = NULL;
        yc_log_error("node",
                     "cannot serve RPC on %s (%s): is the port in use? choose another "
                     "with --rpc.laddr or [rpc] laddr",
                     rc.laddr, yc_err_name(r));
        return exit_for(r);
    }
    if (n->cfg.prometheus) {
        r = yc_ops_start(&n->ops, n, n->cfg.prometheus_listen_addr, n->ops_tls);
        n->ops_tls = NULL; /* the listener owns it now */
        if (r != YC_OK) {
            n->ops = NULL;
            yc_log_error("node",
                         "cannot serve operations on %s (%s): is the port in use? choose "
                         "another with --instrumentation.prometheus_listen_addr or "
                         "[instrumentation] prometheus_listen_addr",
                         n->cfg.prometheus_listen_addr, yc_err_name(r));
            return exit_for(r);
        }
    }
    return YC_EXIT_OK;
}

int yc_node_run(const struct yc_run_opts *o)
{
    yc_node *n = calloc(1, sizeof *n);
    if (n == NULL)
        return YC_EXIT_FAIL;
    n->lock_fd = -1;
    signal(SIGPIPE, SIG_IGN);
    int code = open_home(n, o);
    if (code == YC_EXIT_OK)
        code = open_node(n);
    if (code == YC_EXIT_OK)
        code = open_listeners(n);
    if (code == YC_EXIT_OK) {
        uv_signal_start(&n->sigint, signal_cb, SIGINT);
        uv_signal_start(&n->sigterm, signal_cb, SIGTERM);
        uv_signal_start(&n->sighup, sighup_cb, SIGHUP);
        yc_log_info("node", "started: chain %s, %s%s, height %llu, node id %s, RPC %s%s",
                    n->genesis.chain_id,
                    n->validator_index != UINT32_MAX ? "validator " : "observer",
                    n->validator_index != UINT32_MAX ? yc__role_name(n, n->validator_index) : "",
                    (unsigned long long)n->tip.height, n->node_id, n->cfg.rpc_laddr,
                    n->cfg.rpc_tls_cert_file[0] != '\0' ? " (TLS)" : "");
        if (o->on_started != NULL)
            o->on_started(n, &n->cfg, o->ctx);
        uv_run(n->loop, UV_RUN_DEFAULT);
        code = n->exit_code;
        yc_log_info("node", "stopped at height %llu", (unsigned long long)n->tip.height);
    }
    teardown(n);
    free(n);
    return code;
}
