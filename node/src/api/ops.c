/*
 * ops.c — the operations listener (DESIGN.md §9): /metrics in the Prometheus text
 * format, /livez, /readyz (503 naming the failing checks) and /version.
 *
 * Metric names start with yuchain_, carry their unit (_bytes, _seconds) and counters
 * end in _total. Labels are only ever fixed vocabularies (RPC method names, HTTP
 * statuses, drop reasons): never an account, person, consent or transaction id, which
 * would both leak who does what and make the series count unbounded.
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <http_parser.h>

#include "httpd.h"
#include "rpc_impl.h"
#include "yc/buf.h"
#include "yc/err.h"
#include "yc/genesis.h"
#include "yc/hash.h"

#define METRICS_CAP ((size_t)1 << 20)
#define PROM_CTYPE "text/plain; version=0.0.4; charset=utf-8"

struct out {
    struct yc_buf b;
    int err;
};

static void outf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void outf(struct out *o, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(line)) {
        o->err = YC_ELIMIT;
        return;
    }
    if (o->err == YC_OK)
        o->err = yc_buf_append(&o->b, line, (size_t)n);
}

static void metric(struct out *o, const char *name, const char *type, const char *help, uint64_t v)
{
    outf(o, "# HELP %s %s\n# TYPE %s %s\n%s %" PRIu64 "\n", name, help, name, type, name, v);
}

/* A histogram: the cumulative buckets, _sum and _count; `label` ("method=\"x\"") or NULL;
 * the HELP and TYPE lines only when `head`. */
static void hist(struct out *o, const char *name, const char *help, const char *label,
                 const struct yc_hist *h, const double *le, size_t n, bool head)
{
    if (head)
        outf(o, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
    uint64_t cum = 0;
    for (size_t i = 0; i < n; i++) {
        cum += h->le != NULL && i < h->n ? h->in[i] : 0;
        outf(o, "%s_bucket{%s%sle=\"%g\"} %" PRIu64 "\n", name, label ? label : "",
             label ? "," : "", le[i], cum);
    }
    outf(o, "%s_bucket{%s%sle=\"+Inf\"} %" PRIu64 "\n", name, label ? label : "", label ? "," : "",
         h->count);
    if (label) {
        outf(o, "%s_sum{%s} %.6f\n%s_count{%s} %" PRIu64 "\n", name, label, h->sum, name, label,
             h->count);
    } else {
        outf(o, "%s_sum %.6f\n%s_count %" PRIu64 "\n", name, h->sum, name, h->count);
    }
}

#define HIST(o, name, help, label, h, le, head) \
    hist((o), (name), (help), (label), (h), (le), sizeof(le) / sizeof((le)[0]), (head))

/* The process_* family of Prometheus clients, from /proc (Linux). */
static void metrics_process(struct out *o)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0) {
        double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                     (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
        outf(o,
             "# HELP process_cpu_seconds_total Total user and system CPU time spent in "
             "seconds.\n# TYPE process_cpu_seconds_total counter\n"
             "process_cpu_seconds_total %.3f\n",
             cpu);
    }
    long page = sysconf(_SC_PAGESIZE);
    unsigned long long vsize = 0, rss = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f != NULL) {
        if (fscanf(f, "%llu %llu", &vsize, &rss) == 2 && page > 0) {
            metric(o, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.",
                   (uint64_t)vsize * (uint64_t)page);
            metric(o, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
                   (uint64_t)rss * (uint64_t)page);
        }
        fclose(f);
    }
    uint64_t fds = 0;
    DIR *d = opendir("/proc/self/fd");
    if (d != NULL) {
        for (struct dirent *e = readdir(d); e != NULL; e = readdir(d))
            if (e->d_name[0] != '.')
                fds++;
        closedir(d);
        metric(o, "process_open_fds", "gauge", "Number of open file descriptors.",
               fds > 0 ? fds - 1 : 0); /* less the directory's own */
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
        metric(o, "process_max_fds", "gauge", "Maximum number of open file descriptors.",
               rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : (uint64_t)rl.rlim_cur);
    /* start time: field 22 of /proc/self/stat (clock ticks after boot) + btime */
    unsigned long long start_ticks = 0, btime = 0;
    f = fopen("/proc/self/stat", "r");
    if (f != NULL) {
        char buf[1024];
        size_t k = fread(buf, 1, sizeof buf - 1, f);
        buf[k] = '\0';
        fclose(f);
        const char *p = strrchr(buf, ')'); /* the command name may hold spaces */
        for (int field = 2; p != NULL && field < 22; field++)
            p = strchr(p + 1, ' ');
        if (p != NULL)
            start_ticks = strtoull(p + 1, NULL, 10);
    }
    f = fopen("/proc/stat", "r");
    if (f != NULL) {
        char line[256];
        while (fgets(line, sizeof line, f) != NULL)
            if (sscanf(line, "btime %llu", &btime) == 1)
                break;
        fclose(f);
    }
    long hz = sysconf(_SC_CLK_TCK);
    if (btime > 0 && hz > 0)
        outf(o,
             "# HELP process_start_time_seconds Start time of the process since unix epoch "
             "in seconds.\n# TYPE process_start_time_seconds gauge\n"
             "process_start_time_seconds %.2f\n",
             (double)btime + (double)start_ticks / (double)hz);
}

static void metrics_node(struct out *o, yc_node *n)
{
    const struct yc_node_metrics *m = yc_node_metrics(n);
    struct yc_node_status st;
    memset(&st, 0, sizeof(st));
    yc_node_status(n, &st);
    if (m) {
        metric(o, "yuchain_blocks_committed_total", "counter", "Blocks committed since start.",
               m->blocks_committed_total);
        metric(o, "yuchain_txs_committed_total", "counter", "Transactions committed since start.",
               m->txs_committed_total);
        metric(o, "yuchain_txs_rejected_total", "counter",
               "Transactions rejected (admission or execution) since start.",
               m->txs_rejected_total);
        metric(o, "yuchain_txs_received_total", "counter",
               "Transactions submitted or gossiped to this node since start.",
               m->txs_received_total);
        metric(o, "yuchain_sig_verifications_total", "counter",
               "Signature verifications performed.", m->sig_verifications_total);
        metric(o, "yuchain_sig_cache_hits_total", "counter",
               "Signature checks answered from the verification cache.", m->sig_cache_hits_total);
        metric(o, "yuchain_mempool_txs", "gauge", "Transactions waiting in the mempool.",
               m->mempool_txs);
        metric(o, "yuchain_mempool_bytes", "gauge", "Bytes of transactions in the mempool.",
               m->mempool_bytes);
        metric(o, "yuchain_view_changes_total", "counter", "PBFT view changes since start.",
               m->view_changes_total);
        metric(o, "yuchain_p2p_messages_received_total", "counter",
               "Peer-to-peer messages received.", m->p2p_msgs_in_total);
        metric(o, "yuchain_p2p_messages_sent_total", "counter", "Peer-to-peer messages sent.",
               m->p2p_msgs_out_total);
        metric(o, "yuchain_p2p_received_bytes_total", "counter", "Peer-to-peer bytes received.",
               m->p2p_bytes_in_total);
        metric(o, "yuchain_p2p_sent_bytes_total", "counter", "Peer-to-peer bytes sent.",
               m->p2p_bytes_out_total);
        outf(o, "# HELP yuchain_p2p_received_payload_bytes_total Peer-to-peer message bytes "
                "received (decrypted, the type byte left out), by message type.\n"
                "# TYPE yuchain_p2p_received_payload_bytes_total counter\n");
        for (uint8_t t = P2P_MSG_MIN; t <= P2P_MSG_MAX; t++)
            outf(o, "yuchain_p2p_received_payload_bytes_total{type=\"%s\"} %" PRIu64 "\n",
                 p2p_msg_type_name(t), m->p2p_payload_in_total[t]);
        metric(o, "yuchain_consensus_height", "gauge", "Height being decided by consensus.",
               m->consensus_height);
        metric(o, "yuchain_consensus_messages_received_total", "counter",
               "Consensus messages received from validators.", m->consensus_msgs_received_total);
        metric(o, "yuchain_consensus_messages_refused_total", "counter",
               "Consensus messages refused (stale, malformed, bad signature, caps).",
               m->consensus_msgs_refused_total);
        metric(o, "yuchain_consensus_messages_sent_total", "counter",
               "Consensus messages sent (one per message, to one validator or all).",
               m->consensus_msgs_sent_total);
        metric(o, "yuchain_gossip_txs_sent_total", "counter",
               "Transactions gossiped to the validators.", m->gossip_txs_sent_total);
        metric(o, "yuchain_gossip_txs_received_total", "counter",
               "Transactions received by gossip.", m->gossip_txs_received_total);
        metric(o, "yuchain_proposal_txs_resolved_total", "counter",
               "Transactions of proposals received by id and found here.",
               m->proposal_txs_resolved_total);
        metric(o, "yuchain_proposal_txs_fetched_total", "counter",
               "Transactions of proposals received by id and fetched from the primary.",
               m->proposal_txs_fetched_total);
        metric(o, "yuchain_proposal_fetches_total", "counter",
               "Requests sent for the missing transactions of a proposal.",
               m->proposal_fetches_total);
        metric(o, "yuchain_proposal_wholes_total", "counter",
               "Requests sent for a whole proposal (a fetch timed out or fell short, or the "
               "transactions held gave another tx root).",
               m->proposal_wholes_total);
        metric(o, "yuchain_gossip_txs_admitted_total", "counter",
               "Transactions received by gossip that were new here and admitted.",
               m->gossip_txs_admitted_total);
        outf(o, "# HELP yuchain_gossip_txs_dropped_total Transactions received by gossip and "
                "not admitted, by reason.\n# TYPE yuchain_gossip_txs_dropped_total counter\n");
        for (int r = 0; r < YC_GOSSIP_DROP_N; r++)
            outf(o, "yuchain_gossip_txs_dropped_total{reason=\"%s\"} %" PRIu64 "\n",
                 yc_gossip_drop_name((enum yc_gossip_drop)r), m->gossip_txs_dropped_total[r]);
        outf(o,
             "# HELP yuchain_mempool_refused_total Transactions refused by the mempool's "
             "limits, by reason (full: mempool.size or max_txs_bytes; sender_full: "
             "max_txs_per_sender).\n# TYPE yuchain_mempool_refused_total counter\n"
             "yuchain_mempool_refused_total{reason=\"full\"} %" PRIu64 "\n"
             "yuchain_mempool_refused_total{reason=\"sender_full\"} %" PRIu64 "\n",
             m->mempool_refused_full_total, m->mempool_refused_sender_total);
        metric(o, "yuchain_txs_expired_total", "counter",
               "Transactions expired: not in a block within mempool.ttl_seconds.",
               m->txs_expired_total);
        outf(o,
             "# HELP yuchain_mempool_oldest_pending_seconds Time the oldest transaction in the "
             "mempool has waited (0 when empty).\n# TYPE yuchain_mempool_oldest_pending_seconds "
             "gauge\nyuchain_mempool_oldest_pending_seconds %.3f\n",
             m->mempool_oldest_pending_seconds);
        metric(o, "yuchain_sync_requests_total", "counter", "Block-sync requests sent.",
               m->sync_requests_total);
        metric(o, "yuchain_sync_blocks_total", "counter",
               "Blocks applied from block sync (certificate checked).", m->sync_blocks_total);
        metric(o, "yuchain_sync_responses_refused_total", "counter",
               "Block-sync responses refused (bad block or certificate).", m->sync_refused_total);
        metric(o, "yuchain_sync_blocks_served_total", "counter",
               "Blocks sent to peers that were syncing.", m->sync_blocks_served_total);
        metric(o, "yuchain_sync_requests_throttled_total", "counter",
               "Block requests ignored: the peer asked more than 8 times in a second.",
               m->sync_requests_throttled_total);
        metric(o, "yuchain_validators", "gauge",
               "Validators in the set in force at the height being decided.", m->validators);
        metric(o, "yuchain_validator_set_changes_total", "counter",
               "Changes of the validator set followed by this node since it started.",
               m->validator_set_changes_total);
        metric(o, "yuchain_p2p_validator_peers", "gauge", "Connected validator peers.",
               m->p2p_validator_peers);
        metric(o, "yuchain_p2p_observer_peers", "gauge", "Connected observer peers.",
               m->p2p_observer_peers);
        metric(o, "yuchain_p2p_peers_dropped_total", "counter",
               "Peers disconnected for a protocol violation or a full send queue.",
               m->p2p_peers_dropped_total);
        metric(o, "yuchain_p2p_handshakes_failed_total", "counter",
               "Failed, timed-out or refused p2p handshakes.", m->p2p_handshakes_failed_total);
        metric(o, "yuchain_p2p_connections_evicted_total", "counter",
               "Unidentified inbound p2p connections evicted for a newcomer (pool or source "
               "full).",
               m->p2p_conns_evicted_total);
        metric(o, "yuchain_p2p_connections_refused_total", "counter",
               "Inbound p2p observers refused: max_observers reached.", m->p2p_conns_refused_total);
        outf(o,
             "# HELP yuchain_last_block_commit_seconds Time to store the last committed block "
             "(encode and one synced write).\n# TYPE yuchain_last_block_commit_seconds "
             "gauge\nyuchain_last_block_commit_seconds %.6f\n",
             m->last_block_commit_seconds);
        HIST(o, "yuchain_commit_latency_seconds",
             "From a block's time (its proposal, by the primary's clock) to its commit here.", NULL,
             &m->commit_latency_seconds, YC_HIST_LATENCY_S, true);
        HIST(o, "yuchain_block_store_seconds",
             "Time to store a committed block (encode and one synced write).", NULL,
             &m->block_store_seconds, YC_HIST_STORE_S, true);
        HIST(o, "yuchain_block_txs", "Transactions per committed block.", NULL, &m->block_txs,
             YC_HIST_BLOCK_TXS, true);
        metric(o, "yuchain_storage_free_bytes", "gauge",
               "Bytes free for the node on the file system of its data directory.",
               m->storage_free_bytes);
        metric(o, "yuchain_storage_size_bytes", "gauge",
               "Size of the file system of the node's data directory, in bytes.",
               m->storage_size_bytes);
    }
    metric(o, "yuchain_block_height", "gauge", "Height of the last committed block.", st.height);
    metric(o, "yuchain_consensus_view", "gauge", "Current PBFT view.", st.view);
    metric(o, "yuchain_last_block_timestamp_seconds", "gauge",
           "Block time of the last committed block (Unix seconds).", st.last_block_time_ms / 1000);
    metric(o, "yuchain_peers", "gauge", "Connected peers.", st.peers);
    metric(o, "yuchain_catching_up", "gauge", "1 while the node is syncing blocks from peers.",
           st.catching_up ? 1 : 0);
    char why[8];
    metric(o, "yuchain_ready", "gauge", "1 when /readyz succeeds.",
           yc_node_ready(n, why, sizeof(why)) ? 1 : 0);
}

static void metrics_rpc(struct out *o)
{
    const struct yc__rpc_stats *s = yc__rpc_stats();
    const struct yc_httpd_counters *h = yc__rpc_http_counters();
    size_t nm;
    const struct rpc_method *ms = yc__rpc_methods(&nm);
    metric(o, "yuchain_rpc_http_requests_total", "counter", "HTTP requests to the RPC listener.",
           s->http_requests_total);
    metric(o, "yuchain_rpc_connections_total", "counter", "RPC connections accepted.",
           h->connections_total);
    metric(o, "yuchain_rpc_connections_refused_total", "counter",
           "RPC connections closed at once: max_open_connections reached, none to evict.",
           h->connections_refused_total);
    metric(o, "yuchain_rpc_connections_refused_per_source_total", "counter",
           "RPC connections closed at once: their source had max_connections_per_source.",
           h->connections_refused_per_source_total);
    metric(o, "yuchain_rpc_connections_evicted_total", "counter",
           "RPC connections closed to make room for a newcomer (lingering, idle, or the "
           "incomplete request nearest its deadline).",
           h->connections_evicted_total);
    metric(o, "yuchain_rpc_bodies_refused_busy_total", "counter",
           "RPC requests answered 503 because max_body_bytes_in_flight was reached.",
           h->bodies_refused_busy_total);
    metric(o, "yuchain_rpc_body_bytes_in_flight", "gauge",
           "Bytes of RPC request bodies being received, counted against "
           "max_body_bytes_in_flight.",
           h->body_bytes_in_flight);
    outf(o, "# HELP yuchain_rpc_calls_total RPC method calls, by method.\n"
            "# TYPE yuchain_rpc_calls_total counter\n");
    for (size_t i = 0; i < nm && i < RPC_STATS_METHODS; i++)
        outf(o, "yuchain_rpc_calls_total{method=\"%s\"} %" PRIu64 "\n", ms[i].name,
             s->method_calls_total[i]);
    outf(o, "# HELP yuchain_rpc_errors_total RPC method calls answered with an error, by "
            "method.\n# TYPE yuchain_rpc_errors_total counter\n");
    for (size_t i = 0; i < nm && i < RPC_STATS_METHODS; i++)
        outf(o, "yuchain_rpc_errors_total{method=\"%s\"} %" PRIu64 "\n", ms[i].name,
             s->method_errors_total[i]);
    metric(o, "yuchain_rpc_unknown_method_total", "counter", "Calls of methods that do not exist.",
           s->unknown_method_total);
    for (size_t i = 0; i < nm && i < RPC_STATS_METHODS; i++) {
        char label[80];
        snprintf(label, sizeof label, "method=\"%s\"", ms[i].name);
        HIST(o, "yuchain_rpc_request_seconds",
             "RPC calls from their start to their answer (a broadcast_tx_commit waits for its "
             "block), by method.",
             label, &s->method_seconds[i], YC_HIST_RPC_S, i == 0);
    }
    static const char *const statuses[] = {"400", "408", "413", "431", "503"};
    outf(o, "# HELP yuchain_rpc_http_errors_total Requests refused by the HTTP layer, by "
            "status.\n# TYPE yuchain_rpc_http_errors_total counter\n");
    for (size_t i = 0; i < 5; i++)
        outf(o, "yuchain_rpc_http_errors_total{status=\"%s\"} %" PRIu64 "\n", statuses[i],
             h->errors_total[i]);
    metric(o, "yuchain_rpc_event_streams_dropped_total", "counter",
           "Event-stream clients dropped for falling behind.", h->streams_dropped_total);
    metric(o, "yuchain_rpc_tls_handshakes_total", "counter",
           "TLS handshakes completed on the RPC listener.", h->tls_handshakes_total);
    outf(o, "# HELP yuchain_rpc_tls_handshake_failures_total TLS handshakes on the RPC "
            "listener that failed, by reason.\n"
            "# TYPE yuchain_rpc_tls_handshake_failures_total counter\n");
    for (size_t i = 0; i < 5; i++)
        outf(o, "yuchain_rpc_tls_handshake_failures_total{reason=\"%s\"} %" PRIu64 "\n",
             yc_httpd_tls_fail_names[i], h->tls_handshake_failures_total[i]);
    metric(o, "yuchain_rpc_events_sent_total", "counter", "Events queued to stream clients.",
           s->events_sent_total);
}

static void serve_metrics(yc_rpc *r, yc_http_conn *conn)
{
    struct out o;
    yc_buf_init(&o.b, METRICS_CAP);
    o.err = YC_OK;
    metrics_node(&o, r->node);
    metrics_rpc(&o);
    metrics_process(&o);
    outf(&o,
         "# HELP yuchain_build_info Build version.\n# TYPE yuchain_build_info gauge\n"
         "yuchain_build_info{version=\"%s\"} 1\n",
         YC_VERSION);
    if (o.err != YC_OK) {
        static const char msg[] = "metrics unavailable\n";
        yc_http_respond(conn, 500, "text/plain", msg, sizeof(msg) - 1, NULL);
    } else {
        yc_http_respond(conn, 200, PROM_CTYPE, o.b.data, o.b.len, NULL);
    }
    yc_buf_cleanup(&o.b);
}

static void serve_readyz(yc_rpc *r, yc_http_conn *conn)
{
    char why[200] = "";
    if (yc_node_ready(r->node, why, sizeof(why))) {
        static const char ok[] = "ok\n";
        yc_http_respond(conn, 200, "text/plain", ok, sizeof(ok) - 1, NULL);
        return;
    }
    struct yc_node_status st;
    memset(&st, 0, sizeof(st));
    yc_node_status(r->node, &st);
    char body[512];
    int n = snprintf(body, sizeof(body), "%s[-]node failed: %s\nreadyz check failed\n",
                     st.catching_up ? "[-]sync failed: catching up with peers\n" : "",
                     why[0] ? why : "not ready");
    if (n < 0 || (size_t)n >= sizeof(body))
        n = (int)strlen(body);
    yc_http_respond(conn, 503, "text/plain", body, (size_t)n, NULL);
}

static void serve_version(yc_rpc *r, yc_http_conn *conn)
{
    const struct yc_genesis *g = yc_node_genesis(r->node);
    char hash[2 * YC_HASH_LEN + 1] = "";
    if (g)
        yc_hex(hash, g->hash, YC_HASH_LEN);
    json_t *o = json_pack("{s:s,s:s,s:s}", "version", YC_VERSION, "chain_id", g ? g->chain_id : "",
                          "genesis_hash", hash);
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!s) {
        static const char msg[] = "out of memory\n";
        yc_http_respond(conn, 500, "text/plain", msg, sizeof(msg) - 1, NULL);
        return;
    }
    yc_http_respond(conn, 200, "application/json", s, strlen(s), NULL);
    free(s);
}

void yc__ops_handle(yc_rpc *r, yc_http_conn *conn, const struct yc_http_req *req)
{
    if (req->method != HTTP_GET && req->method != HTTP_HEAD) {
        static const char msg[] = "method not allowed\n";
        yc_http_respond(conn, 405, "text/plain", msg, sizeof(msg) - 1, "Allow: GET, HEAD\r\n");
        return;
    }
    if (strcmp(req->path, "/metrics") == 0) {
        serve_metrics(r, conn);
    } else if (strcmp(req->path, "/livez") == 0) {
        static const char ok[] = "ok\n";
        yc_http_respond(conn, 200, "text/plain", ok, sizeof(ok) - 1, NULL);
    } else if (strcmp(req->path, "/readyz") == 0) {
        serve_readyz(r, conn);
    } else if (strcmp(req->path, "/version") == 0) {
        serve_version(r, conn);
    } else {
        static const char msg[] = "not found: try /metrics, /livez, /readyz, /version\n";
        yc_http_respond(conn, 404, "text/plain", msg, sizeof(msg) - 1, NULL);
    }
}
