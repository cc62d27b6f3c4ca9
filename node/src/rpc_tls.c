/*
 * rpc_tls.c — the RPC listener's TLS from node.conf ([rpc] tls_cert_file, tls_key_file,
 * tls_client_ca_file, tls_min_version): loaded at start, read again on SIGHUP so a
 * renewed certificate takes effect without a restart (rpc.h). The TLS itself is
 * httpd_tls.c's.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "httpd.h"
#include "log.h"
#include "rpc.h"
#include "rpc_impl.h"

/* `path` as given when absolute or empty, else below config_dir. false if too long. */
static bool resolve(char *out, size_t cap, const char *config_dir, const char *path)
{
    int n = path[0] == '\0' || path[0] == '/' ? snprintf(out, cap, "%s", path)
                                              : snprintf(out, cap, "%s/%s", config_dir, path);
    return n >= 0 && (size_t)n < cap;
}

static bool tls_asked(const struct yc_config *c)
{
    return c->rpc_tls_cert_file[0] != '\0' || c->rpc_tls_key_file[0] != '\0' ||
           c->rpc_tls_client_ca_file[0] != '\0';
}

int yc_rpc_tls_load(yc_httpd_tls **out, const struct yc_config *c, const char *config_dir,
                    char *err, size_t errlen)
{
    *out = NULL;
    if (!tls_asked(c))
        return YC_OK;
    char cert[2 * YC_CFG_PATH_MAX], key[2 * YC_CFG_PATH_MAX], ca[2 * YC_CFG_PATH_MAX];
    if (!resolve(cert, sizeof cert, config_dir, c->rpc_tls_cert_file) ||
        !resolve(key, sizeof key, config_dir, c->rpc_tls_key_file) ||
        !resolve(ca, sizeof ca, config_dir, c->rpc_tls_client_ca_file)) {
        snprintf(err, errlen, "rpc.tls_*_file: a path below %s is too long", config_dir);
        return YC_ECONFIG;
    }
    struct yc_httpd_tls_files f = {
        .section = "rpc",
        .cert_file = cert,
        .key_file = key,
        .client_ca_file = ca,
        .min_version = c->rpc_tls_min_version,
    };
    return yc_httpd_tls_load(out, &f, err, errlen);
}

int yc_rpc_tls_reload(yc_rpc *r, const struct yc_config *c, const char *config_dir, char *err,
                      size_t errlen)
{
    if (tls_asked(c) != yc_httpd_has_tls(r->httpd)) {
        snprintf(err, errlen, "turning TLS %s on the RPC listener needs a restart",
                 tls_asked(c) ? "on" : "off");
        return YC_ECONFIG;
    }
    if (!tls_asked(c))
        return YC_OK;
    yc_httpd_tls *t;
    int rc = yc_rpc_tls_load(&t, c, config_dir, err, errlen);
    if (rc != YC_OK)
        return rc;
    rc = yc_httpd_set_tls(r->httpd, t);
    if (rc != YC_OK) {
        snprintf(err, errlen, "the RPC listener does not serve TLS");
        return rc;
    }
    yc_log_info("rpc", "SIGHUP: TLS certificate %s and key read again: new connections use "
                "them", c->rpc_tls_cert_file);
    return YC_OK;
}
