/*
 * backup.c — a home copied consistently (backup.h), for the admin method `backup` of a
 * running node (rpc_backup.c, on a worker thread) and for `yuchaind backup` of a stopped
 * one (cli.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "backup.h"
#include "config.h"
#include "yc/cliutil.h"
#include "yc/hash.h"
#include "yc/httpc.h"

/* Copies src to dst (created exclusively with `mode`). A missing src is skipped when
 * `optional` (an observer has no validator key). */
static int copy_file(const char *src, const char *dst, mode_t mode, bool optional, char *err,
                     size_t errlen)
{
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        if (optional && errno == ENOENT)
            return YC_OK;
        snprintf(err, errlen, "cannot read %s: %s", src, strerror(errno));
        return YC_EIO;
    }
    int out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (out < 0) {
        snprintf(err, errlen, "cannot create %s: %s", dst, strerror(errno));
        close(in);
        return YC_EIO;
    }
    char buf[65536];
    int rc = YC_OK;
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n == 0)
            break;
        if (n < 0 || write(out, buf, (size_t)n) != n) {
            snprintf(err, errlen, "copying %s: %s", src, strerror(errno));
            rc = YC_EIO;
            break;
        }
    }
    if (rc == YC_OK && fsync(out) != 0) {
        snprintf(err, errlen, "syncing %s: %s", dst, strerror(errno));
        rc = YC_EIO;
    }
    close(in);
    close(out);
    return rc;
}

int yc_backup_home(const char *config_dir, store *st, const char *out,
                   struct store_backup_info *info, double *seconds, char *err, size_t errlen)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char dir[YC_BACKUP_PATH_MAX + 16], src[4200], dst[YC_BACKUP_PATH_MAX + 64];
    if (strlen(out) > YC_BACKUP_PATH_MAX || strlen(config_dir) > 4096) {
        snprintf(err, errlen, "out: the path is longer than %d bytes", YC_BACKUP_PATH_MAX);
        return YC_ELIMIT;
    }
    if (mkdir(out, 0700) != 0) {
        snprintf(err, errlen, "out: cannot create %s: %s", out, strerror(errno));
        return errno == EEXIST ? YC_EEXIST : YC_EIO;
    }
    snprintf(dir, sizeof dir, "%s/config", out);
    if (mkdir(dir, 0700) != 0) {
        snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
        return YC_EIO;
    }
    static const struct {
        const char *name;
        mode_t mode;
        bool optional;
    } files[] = {{"genesis.json", 0644, false},
                 {"node.conf", 0644, true},
                 {"node_key.json", 0600, false},
                 {"validator_key.json", 0600, true}};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(src, sizeof src, "%s/%s", config_dir, files[i].name);
        snprintf(dst, sizeof dst, "%s/%s", dir, files[i].name);
        int rc = copy_file(src, dst, files[i].mode, files[i].optional, err, errlen);
        if (rc != YC_OK)
            return rc;
    }
    snprintf(dir, sizeof dir, "%s/data", out);
    int rc = store_backup(st, dir, info, err, errlen);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    *seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    return rc;
}

/* ---- yuchaind backup ---- */

static int print_result(const char *home, const char *out, const char *how, const char *height,
                        const char *hash, const char *keys, const char *bytes, double secs,
                        bool json)
{
    if (json)
        return yc_print_json_line(json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f}", "home",
                                            home, "out", out, "how", how, "height", height, "hash",
                                            hash, "keys", keys, "bytes", bytes, "seconds", secs));
    printf("backed up %s (%s) into %s: height %s, block %s, %s entries, %s bytes, %.2f s\n"
           "restore: yuchaind start --home %s (in place of the original, never beside it)\n",
           home, how, out, height, hash, keys, bytes, secs, out);
    return YC_EXIT_OK;
}

static int backup_stopped(const struct yc_home *h, const char *out, bool json)
{
    char err[512] = "";
    store *st = NULL;
    int rc = store_open_ex(&st, h->data, STORE_READ_ONLY, NULL, err, sizeof err);
    if (rc != YC_OK) {
        fprintf(stderr, "yuchaind backup: cannot open %s: %s\n", h->data, err);
        return rc == YC_EIO ? YC_EXIT_IOERR : YC_EXIT_CONFIG;
    }
    struct store_backup_info info;
    double secs = 0;
    rc = yc_backup_home(h->config_dir, st, out, &info, &secs, err, sizeof err);
    store_close(st);
    if (rc != YC_OK) {
        fprintf(stderr, "yuchaind backup: %s\n", err);
        return rc == YC_EEXIST || rc == YC_ELIMIT ? YC_EXIT_USAGE : YC_EXIT_IOERR;
    }
    char hash[2 * YC_HASH_LEN + 1], height[24], keys[24], bytes[24];
    yc_hex(hash, info.tip.hash, YC_HASH_LEN);
    snprintf(height, sizeof height, "%llu", (unsigned long long)info.tip.height);
    snprintf(keys, sizeof keys, "%llu", (unsigned long long)info.keys);
    snprintf(bytes, sizeof bytes, "%llu", (unsigned long long)info.bytes);
    return print_result(h->dir, out, "stopped node", height, hash, keys, bytes, secs, json);
}

static int backup_running(const struct yc_home *h, const char *out, const char *rpc_url, bool json)
{
    char err[512] = "", url[YC_HTTP_URL_MAX];
    struct yc_http_opts o;
    memset(&o, 0, sizeof o);
    FILE *f = fopen(h->cookie, "r");
    if (f == NULL || fgets(o.token, sizeof o.token, f) == NULL) {
        fprintf(stderr,
                "yuchaind backup: the node on %s runs but its admin cookie %s cannot "
                "be read (run this as the node's user)\n",
                h->dir, h->cookie);
        if (f != NULL)
            fclose(f);
        return YC_EXIT_NOPERM;
    }
    fclose(f);
    o.token[strcspn(o.token, "\r\n")] = '\0';
    if (rpc_url != NULL) {
        snprintf(url, sizeof url, "%s", rpc_url);
    } else {
        struct yc_config cfg;
        if (yc_config_resolve(&cfg, h->node_conf, true, NULL, 0, err, sizeof err) != YC_OK) {
            fprintf(stderr, "yuchaind backup: %s\n", err);
            return YC_EXIT_CONFIG;
        }
        const char *laddr = cfg.rpc_laddr;
        if (strncmp(laddr, "tcp://", 6) == 0)
            laddr += 6;
        snprintf(url, sizeof url, "http://%.2000s", laddr);
    }
    json_t *res = NULL;
    char code[64], msg[512];
    int rc = yc_rpc_call_opts(url, &o, "backup", json_pack("{s:s}", "out", out), 3600000, &res,
                              code, sizeof code, msg, sizeof msg);
    memset(&o, 0, sizeof o);
    if (rc != YC_OK) {
        fprintf(stderr, "yuchaind backup: the node at %s: %s (%s)%s\n", url, msg, code,
                rc == YC_EUNREACHABLE ? "; give its RPC address with --rpc URL" : "");
        return rc == YC_EUNREACHABLE ? YC_EXIT_UNAVAILABLE
               : rc == YC_ENOTAUTH   ? YC_EXIT_NOPERM
               : rc == YC_ECONFIG    ? YC_EXIT_CONFIG
                                     : YC_EXIT_FAIL;
    }
    const char *height = json_string_value(json_object_get(res, "height"));
    const char *hash = json_string_value(json_object_get(res, "hash"));
    const char *keys = json_string_value(json_object_get(res, "keys"));
    const char *bytes = json_string_value(json_object_get(res, "bytes"));
    double secs = json_number_value(json_object_get(res, "seconds"));
    int ex = print_result(h->dir, out, "running node", height ? height : "?", hash ? hash : "?",
                          keys ? keys : "?", bytes ? bytes : "?", secs, json);
    json_decref(res);
    return ex;
}

int yc_backup_cli(const struct yc_home *h, const char *out, const char *rpc_url, bool json)
{
    char abs[PATH_MAX];
    if (out[0] == '/') {
        snprintf(abs, sizeof abs, "%s", out);
    } else {
        char cwd[PATH_MAX];
        if (getcwd(cwd, sizeof cwd) == NULL) {
            fprintf(stderr, "yuchaind backup: cannot read the working directory\n");
            return YC_EXIT_IOERR;
        }
        if ((size_t)snprintf(abs, sizeof abs, "%s/%s", cwd, out) >= sizeof abs) {
            fprintf(stderr, "yuchaind backup: --out: the path is too long\n");
            return YC_EXIT_USAGE;
        }
    }
    if (strlen(abs) > YC_BACKUP_PATH_MAX) {
        fprintf(stderr, "yuchaind backup: --out: the path is longer than %d bytes\n",
                YC_BACKUP_PATH_MAX);
        return YC_EXIT_USAGE;
    }
    struct stat st;
    if (stat(abs, &st) == 0) {
        fprintf(stderr,
                "yuchaind backup: --out: %s already exists: a backup goes to a new "
                "directory\n",
                abs);
        return YC_EXIT_USAGE;
    }
    if (!yc_home_initialized(h)) {
        fprintf(stderr, "yuchaind backup: %s is not a node home (no config/genesis.json)\n",
                h->dir);
        return YC_EXIT_CONFIG;
    }
    int fd = -1;
    char err[512] = "";
    int rc = yc_home_lock(h, &fd, err, sizeof err);
    if (rc == YC_OK) { /* stopped: copy it here; the lock keeps a node from starting */
        int ex = backup_stopped(h, abs, json);
        yc_home_unlock(fd);
        return ex;
    }
    if (rc == YC_EBUSY)
        return backup_running(h, abs, rpc_url, json);
    fprintf(stderr, "yuchaind backup: %s\n", err);
    return YC_EXIT_IOERR;
}
