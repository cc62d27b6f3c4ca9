/*
 * rpc_tls.c — the TLS of the RPC and operations listeners from node.conf ([rpc] and
 * [instrumentation] tls_cert_file, tls_key_file, tls_client_ca_file, tls_min_version):
 * loaded at start, read again on SIGHUP so a renewed certificate takes effect without a
 * restart (rpc.h). The TLS itself is httpd_tls.c's.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "httpd.h"
#include "log.h"
#include "rpc.h"
#include "rpc_impl.h"

/* One listener's options. */
struct tls_opts {
    const char *section;
    const char *cert, *key, *ca, *min_version;
};

static struct tls_opts opts_of(const struct yc_config *c, bool ops)
{
    if (ops)
        return (struct tls_opts){"instrumentation", c->prometheus_tls_cert_file,
                                 c->prometheus_tls_key_file, c->prometheus_tls_client_ca_file,
                                 c->prometheus_tls_min_version};
    return (struct tls_opts){"rpc", c->rpc_tls_cert_file, c->rpc_tls_key_file,
                             c->rpc_tls_client_ca_file, c->rpc_tls_min_version};
}

/* `path` as given when absolute or empty, else below config_dir. false if too long. */
static bool resolve(char *out, size_t cap, const char *config_dir, const char *path)
{
    int n = path[0] == '\0' || path[0] == '/' ? snprintf(out, cap, "%s", path)
                                              : snprintf(out, cap, "%s/%s", config_dir, path);
    return n >= 0 && (size_t)n < cap;
}

static bool tls_asked(const struct tls_opts *o)
{
    return o->cert[0] != '\0' || o->key[0] != '\0' || o->ca[0] != '\0';
}

int yc_rpc_tls_load(yc_httpd_tls **out, const struct yc_config *c, bool ops, const char *config_dir,
                    char *err, size_t errlen)
{
    *out = NULL;
    struct tls_opts o = opts_of(c, ops);
    if (!tls_asked(&o))
        return YC_OK;
    char cert[2 * YC_CFG_PATH_MAX], key[2 * YC_CFG_PATH_MAX], ca[2 * YC_CFG_PATH_MAX];
    if (!resolve(cert, sizeof cert, config_dir, o.cert) ||
        !resolve(key, sizeof key, config_dir, o.key) || !resolve(ca, sizeof ca, config_dir, o.ca)) {
        snprintf(err, errlen, "%s.tls_*_file: a path below %s is too long", o.section, config_dir);
        return YC_ECONFIG;
    }
    struct yc_httpd_tls_files f = {
        .section = o.section,
        .cert_file = cert,
        .key_file = key,
        .client_ca_file = ca,
        .min_version = o.min_version,
    };
    return yc_httpd_tls_load(out, &f, err, errlen);
}

int yc_rpc_tls_reload(yc_rpc *r, const struct yc_config *c, const char *config_dir, char *err,
                      size_t errlen)
{
    struct tls_opts o = opts_of(c, r->ops);
    if (tls_asked(&o) != yc_httpd_has_tls(r->httpd)) {
        snprintf(err, errlen, "turning TLS %s on the %s listener needs a restart",
                 tls_asked(&o) ? "on" : "off", r->ops ? "operations" : "RPC");
        return YC_ECONFIG;
    }
    if (!tls_asked(&o))
        return YC_OK;
    yc_httpd_tls *t;
    int rc = yc_rpc_tls_load(&t, c, r->ops, config_dir, err, errlen);
    if (rc != YC_OK)
        return rc;
    rc = yc_httpd_set_tls(r->httpd, t);
    if (rc != YC_OK) {
        snprintf(err, errlen, "the %s listener does not serve TLS", r->ops ? "operations" : "RPC");
        return rc;
    }
    yc_log_info("rpc",
                "SIGHUP: %s.tls_cert_file %s and its key read again: new connections "
                "use them",
                o.section, o.cert);
    return YC_OK;
}
