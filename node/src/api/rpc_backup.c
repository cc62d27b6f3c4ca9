/*
 * rpc_backup.c — the admin method `backup`: a consistent copy of the running node's home
 * (docs/operator.md, "Backups"; `yuchaind backup` calls it).
 *
 * {"out": DIR} (an absolute path that does not exist yet) becomes a home (backup.h). The
 * copy runs on a libuv worker thread; the node keeps committing meanwhile. One backup at
 * a time; a node that stops waits for it to finish.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <uv.h>

#include "backup.h"
#include "rpc_impl.h"
#include "yc/store.h"

struct backup_job {
    uv_work_t w;
    struct rpc_call *c;
    struct rpc_req *q;
    store *st;
    char out[YC_BACKUP_PATH_MAX + 1];
    char config[4096];
    int rc;
    char err[512];
    struct store_backup_info info;
    double seconds;
};

static bool g_backup_running; /* the loop thread only */

static void backup_work(uv_work_t *w)
{
    struct backup_job *j = w->data;
    j->rc = yc_backup_home(j->config, j->st, j->out, &j->info, &j->seconds, j->err, sizeof j->err);
}

static void backup_done(uv_work_t *w, int status)
{
    struct backup_job *j = w->data;
    g_backup_running = false;
    if (status != 0 && j->rc == YC_OK) {
        j->rc = YC_EIO;
        snprintf(j->err, sizeof j->err, "the backup was cancelled");
    }
    if (yc__rpc_alive(j->c)) {
        if (j->rc == YC_OK) {
            char hash[2 * YC_HASH_LEN + 1], height[24], keys[24], bytes[24];
            yc_hex(hash, j->info.tip.hash, YC_HASH_LEN);
            snprintf(height, sizeof height, "%llu", (unsigned long long)j->info.tip.height);
            snprintf(keys, sizeof keys, "%llu", (unsigned long long)j->info.keys);
            snprintf(bytes, sizeof bytes, "%llu", (unsigned long long)j->info.bytes);
            yc__rpc_ok(j->c, json_pack("{s:s, s:s, s:s, s:s, s:s, s:f}", "out", j->out, "height",
                                       height, "hash", hash, "keys", keys, "bytes", bytes,
                                       "seconds", j->seconds));
        } else {
            yc__rpc_fail(j->c, j->rc == YC_EEXIST ? RPC_INVALID_PARAMS : RPC_INTERNAL, j->rc,
                         j->err);
        }
    }
    yc__rpc_release(j->q);
    free(j);
}

void yc__rpc_backup(struct rpc_call *c, json_t *params)
{
    const char *out = NULL;
    size_t len = 0;
    if (!yc__rpc_param_str(c, params, "out", true, &out, &len))
        return;
    if (len == 0 || out[0] != '/' || len > YC_BACKUP_PATH_MAX || strlen(out) != len) {
        yc__rpc_bad_param(c, "out", "expected an absolute directory path (at most 3800 bytes)");
        return;
    }
    struct stat st;
    if (stat(out, &st) == 0) {
        yc__rpc_failf(c, RPC_INVALID_PARAMS, YC_EEXIST,
                      "out: %s already exists: a backup goes to a new directory", out);
        return;
    }
    if (g_backup_running) {
        yc__rpc_fail(c, RPC_INTERNAL, YC_EBUSY,
                     "a backup is already running; try again when "
                     "it has finished");
        return;
    }
    struct backup_job *j = calloc(1, sizeof *j);
    if (j == NULL) {
        yc__rpc_fail(c, RPC_INTERNAL, YC_ENOMEM, NULL);
        return;
    }
    memcpy(j->out, out, len + 1);
    snprintf(j->config, sizeof j->config, "%s", yc_node_config_dir(c->node));
    j->st = yc_node_store(c->node);
    j->c = c;
    j->w.data = j;
    j->q = yc__rpc_hold(c);
    int rc = uv_queue_work(yc_node_loop(c->node), &j->w, backup_work, backup_done);
    if (rc != 0) {
        yc__rpc_release(j->q);
        free(j);
        yc__rpc_failf(c, RPC_INTERNAL, YC_EIO, "cannot start the backup: %s", uv_strerror(rc));
        return;
    }
    g_backup_running = true;
}
