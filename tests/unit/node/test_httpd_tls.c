/*
 * test_httpd_tls.c — TLS on the HTTP server (node/src/api/httpd_tls.c) on a real libuv loop,
 * with certificates made here by OpenSSL: keep-alive and pipelined requests and an
 * answer of many records over one session; an event stream; plain HTTP at the TLS port
 * answered in plain text, other bytes closed; handshakes that stall (silent, half a
 * record) closed at the head's deadline and counted; client certificates required
 * (none, another CA's, the right one); the per-source, body and head limits over TLS;
 * a new certificate for new connections (yc_httpd_set_tls); and the loader's refusals,
 * naming the option and the file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>

#include <cmocka.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "rpcfake_node.c"

#include "httpd.h"

#define BIG_LEN 200000u /* an answer of many TLS records */

/* ---- certificates ---- */

struct pki {
    char dir[64];
    char ca_crt[128], srv_crt[128], srv_key[128], cli_crt[128], cli_key[128];
    char rogue_crt[128], rogue_key[128], srv2_crt[128], srv2_key[128];
};

static EVP_PKEY *new_key(void)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    assert_non_null(k);
    return k;
}

/* A certificate for `key` named `cn`, signed by (issuer, ikey), or self-signed. */
static X509 *new_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *ikey, long serial,
                      bool server)
{
    X509 *x = X509_new();
    assert_non_null(x);
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
    X509_gmtime_adj(X509_getm_notBefore(x), -60);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, key);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : name);
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
    X509_EXTENSION *ext =
        X509V3_EXT_conf_nid(NULL, &v3, server ? NID_subject_alt_name : NID_basic_constraints,
                            server           ? "IP:127.0.0.1"
                            : issuer == NULL ? "critical,CA:TRUE"
                                             : "CA:FALSE");
    assert_non_null(ext);
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    assert_true(X509_sign(x, issuer != NULL ? ikey : key, EVP_sha256()) > 0);
    return x;
}

static void write_pem(const char *path, X509 *x, EVP_PKEY *k)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    if (x != NULL)
        assert_true(PEM_write_X509(f, x) == 1);
    if (k != NULL)
        assert_true(PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) == 1);
    fclose(f);
    chmod(path, 0600);
}

static void pki_make(struct pki *p)
{
    snprintf(p->dir, sizeof p->dir, "/tmp/yc-tls-XXXXXX");
    assert_non_null(mkdtemp(p->dir));
#define PATH(f, n) snprintf(p->f, sizeof p->f, "%s/" n, p->dir)
    PATH(ca_crt, "ca.crt");
    PATH(srv_crt, "srv.crt");
    PATH(srv_key, "srv.key");
    PATH(cli_crt, "cli.crt");
    PATH(cli_key, "cli.key");
    PATH(rogue_crt, "rogue.crt");
    PATH(rogue_key, "rogue.key");
    PATH(srv2_crt, "srv2.crt");
    PATH(srv2_key, "srv2.key");
#undef PATH
    EVP_PKEY *cak = new_key(), *sk = new_key(), *ck = new_key(), *rk = new_key(), *s2k = new_key();
    X509 *ca = new_cert(cak, "test ca", NULL, NULL, 1, false);
    X509 *srv = new_cert(sk, "127.0.0.1", ca, cak, 2, true);
    X509 *cli = new_cert(ck, "client", ca, cak, 3, false);
    X509 *rogue = new_cert(rk, "rogue", NULL, NULL, 4, false);
    X509 *srv2 = new_cert(s2k, "127.0.0.1", ca, cak, 5, true);
    write_pem(p->ca_crt, ca, NULL);
    write_pem(p->srv_crt, srv, NULL);
    write_pem(p->srv_key, NULL, sk);
    write_pem(p->cli_crt, cli, NULL);
    write_pem(p->cli_key, NULL, ck);
    write_pem(p->rogue_crt, rogue, NULL);
    write_pem(p->rogue_key, NULL, rk);
    write_pem(p->srv2_crt, srv2, NULL);
    write_pem(p->srv2_key, NULL, s2k);
    X509 *xs[] = {ca, srv, cli, rogue, srv2};
    EVP_PKEY *ks[] = {cak, sk, ck, rk, s2k};
    for (size_t i = 0; i < 5; i++) {
        X509_free(xs[i]);
        EVP_PKEY_free(ks[i]);
    }
}

static void pki_remove(struct pki *p)
{
    const char *files[] = {p->ca_crt,    p->srv_crt,   p->srv_key,  p->cli_crt, p->cli_key,
                           p->rogue_crt, p->rogue_key, p->srv2_crt, p->srv2_key};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        unlink(files[i]);
    rmdir(p->dir);
}

/* ---- the server ---- */

struct srv {
    uv_loop_t loop;
    struct yc_pump pump;
    yc_httpd *h;
    uint16_t port;
    int closed;
    yc_http_conn *stream;
    struct yc_httpd_counters k;
};

static void on_cancel(void *ctx)
{
    ((struct srv *)ctx)->stream = NULL;
}

static void handler(void *ctx, yc_http_conn *c, const struct yc_http_req *req)
{
    struct srv *s = ctx;
    if (strcmp(req->path, "/big") == 0) {
        char *b = malloc(BIG_LEN);
        assert_non_null(b);
        for (size_t i = 0; i < BIG_LEN; i++)
            b[i] = (char)('a' + i % 26);
        yc_http_respond(c, 200, "text/plain", b, BIG_LEN, NULL);
        free(b);
        return;
    }
    if (strcmp(req->path, "/sse") == 0) {
        s->stream = c;
        assert_int_equal(yc_http_sse_begin(c, on_cancel, s), YC_OK);
        return;
    }
    char out[256];
    int n = snprintf(out, sizeof out, "ok:%s", req->path);
    yc_http_respond(c, 200, "text/plain", out, (size_t)n, NULL);
}

static void on_closed(void *ctx)
{
    ((struct srv *)ctx)->closed++;
}

static void srv_start_cfg(struct srv *s, const struct pki *p, const char *client_ca,
                          struct yc_httpd_config *cfg_in)
{
    memset(s, 0, sizeof *s);
    uv_loop_init(&s->loop);
    assert_int_equal(yc_pump_init(&s->pump, &s->loop), 0);
    struct yc_httpd_tls_files f = {.section = "rpc",
                                   .cert_file = p->srv_crt,
                                   .key_file = p->srv_key,
                                   .client_ca_file = client_ca};
    struct yc_httpd_config cfg = *cfg_in;
    cfg.counters = &s->k;
    char err[512];
    assert_int_equal(yc_httpd_tls_load(&cfg.tls, &f, err, sizeof err), YC_OK);
    assert_int_equal(yc_httpd_start(&s->h, &s->loop, &s->pump, "127.0.0.1:0", &cfg, handler, s),
                     YC_OK);
    assert_true(yc_httpd_has_tls(s->h));
    s->port = yc_httpd_port(s->h);
}

static void srv_start(struct srv *s, const struct pki *p, const char *client_ca,
                      uint64_t header_timeout_ms)
{
    struct yc_httpd_config cfg;
    yc_httpd_config_default(&cfg);
    cfg.header_timeout_ms = header_timeout_ms;
    srv_start_cfg(s, p, client_ca, &cfg);
}

static void srv_stop(struct srv *s)
{
    yc_httpd_stop(s->h, on_closed, s);
    fk_pump(&s->loop, 20);
    assert_int_equal(s->closed, 1);
    yc_pump_close(&s->pump);
    fk_pump(&s->loop, 1);
    assert_int_equal(uv_loop_close(&s->loop), 0);
}

/* ---- a TLS client on a non-blocking socket, pumping the server's loop ---- */

struct cl {
    int fd;
    SSL_CTX *ctx;
    SSL *ssl;
};

/* Runs op until it succeeds (>0), fails for good, or 5 s pass. */
static int cl_retry(struct srv *s, struct cl *c, int (*op)(SSL *, void *, int), void *buf, int len)
{
    uint64_t end = uv_hrtime() + 5000000000ull;
    for (;;) {
        int n = op(c->ssl, buf, len);
        if (n > 0)
            return n;
        int e = SSL_get_error(c->ssl, n);
        if ((e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) || uv_hrtime() > end) {
            ERR_clear_error();
            return -1;
        }
        uv_run(&s->loop, UV_RUN_NOWAIT);
        struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
        poll(&pfd, 1, 1);
    }
}

static int op_connect(SSL *ssl, void *buf, int len)
{
    (void)buf;
    (void)len;
    return SSL_connect(ssl);
}

static int op_read(SSL *ssl, void *buf, int len)
{
    return SSL_read(ssl, buf, len);
}

static int op_write(SSL *ssl, void *buf, int len)
{
    return SSL_write(ssl, buf, len);
}

/* Connects and shakes hands, with the client certificate (crt, key) if given. Returns
 * whether the handshake finished from the client's side. */
static bool cl_open(struct srv *s, struct cl *c, const struct pki *p, const char *crt,
                    const char *key)
{
    memset(c, 0, sizeof *c);
    c->fd = fk_connect(s->port);
    assert_true(c->fd >= 0);
    c->ctx = SSL_CTX_new(TLS_client_method());
    assert_non_null(c->ctx);
    assert_int_equal(SSL_CTX_load_verify_locations(c->ctx, p->ca_crt, NULL), 1);
    SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
    if (crt != NULL) {
        assert_int_equal(SSL_CTX_use_certificate_file(c->ctx, crt, SSL_FILETYPE_PEM), 1);
        assert_int_equal(SSL_CTX_use_PrivateKey_file(c->ctx, key, SSL_FILETYPE_PEM), 1);
    }
    c->ssl = SSL_new(c->ctx);
    assert_non_null(c->ssl);
    SSL_set_fd(c->ssl, c->fd);
    return cl_retry(s, c, op_connect, NULL, 0) > 0;
}

static void cl_close(struct srv *s, struct cl *c)
{
    SSL_free(c->ssl);
    SSL_CTX_free(c->ctx);
    close(c->fd);
    fk_pump(&s->loop, 2);
}

static void cl_send(struct srv *s, struct cl *c, const char *text)
{
    assert_int_equal(cl_retry(s, c, op_write, (void *)text, (int)strlen(text)), (int)strlen(text));
}

/* Reads one response with a Content-Length; returns the status, the body in *body
 * (malloc'ed) or 0 if the connection ended first. */
static int cl_response(struct srv *s, struct cl *c, char **body, size_t *blen)
{
    size_t cap = BIG_LEN + 4096, have = 0;
    char *buf = malloc(cap + 1);
    assert_non_null(buf);
    char *end = NULL;
    size_t want = SIZE_MAX;
    while (have < want) {
        /* the head a byte at a time, so a pipelined next answer stays unread */
        int n = cl_retry(s, c, op_read, buf + have, want == SIZE_MAX ? 1 : (int)(want - have));
        if (n <= 0)
            break;
        have += (size_t)n;
        buf[have] = 0;
        if (want == SIZE_MAX && (end = strstr(buf, "\r\n\r\n")) != NULL) {
            const char *cl = strstr(buf, "\r\nContent-Length: ");
            assert_non_null(cl);
            want = (size_t)(end + 4 - buf) + strtoul(cl + 18, NULL, 10);
            assert_true(want <= cap);
        }
    }
    int status = 0;
    if (want != SIZE_MAX && have == want)
        status = atoi(buf + 9);
    if (body != NULL && end != NULL) {
        *blen = have - (size_t)(end + 4 - buf);
        *body = malloc(*blen + 1);
        memcpy(*body, end + 4, *blen);
        (*body)[*blen] = 0;
    }
    free(buf);
    return status;
}

/* ---- tests ---- */

static void test_keepalive_pipelining_big_answer(void **state)
{
    struct pki *p = *state;
    struct srv s;
    srv_start(&s, p, NULL, 0);
    struct cl c;
    assert_true(cl_open(&s, &c, p, NULL, NULL));
    cl_send(&s, &c,
            "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n"
            "GET /big HTTP/1.1\r\nHost: x\r\n\r\n");
    char *body;
    size_t blen;
    assert_int_equal(cl_response(&s, &c, &body, &blen), 200);
    assert_string_equal(body, "ok:/a");
    free(body);
    assert_int_equal(cl_response(&s, &c, &body, &blen), 200);
    assert_string_equal(body, "ok:/b");
    free(body);
    assert_int_equal(cl_response(&s, &c, &body, &blen), 200);
    assert_int_equal(blen, BIG_LEN);
    for (size_t i = 0; i < BIG_LEN; i++)
        assert_int_equal(body[i], 'a' + i % 26);
    free(body);
    cl_send(&s, &c, "GET /again HTTP/1.1\r\nHost: x\r\n\r\n"); /* same connection */
    assert_int_equal(cl_response(&s, &c, &body, &blen), 200);
    assert_string_equal(body, "ok:/again");
    free(body);
    assert_int_equal(s.k.tls_handshakes_total, 1);
    assert_int_equal(s.k.connections_total, 1);
    cl_close(&s, &c);
    srv_stop(&s);
}

static void test_event_stream(void **state)
{
    struct pki *p = *state;
    struct srv s;
    srv_start(&s, p, NULL, 0);
    struct cl c;
    assert_true(cl_open(&s, &c, p, NULL, NULL));
    cl_send(&s, &c, "GET /sse HTTP/1.1\r\nHost: x\r\n\r\n");
    char buf[4096] = "";
    size_t have = 0;
    while (strstr(buf, ": stream open") == NULL) {
        int n = cl_retry(&s, &c, op_read, buf + have, (int)(sizeof buf - 1 - have));
        assert_true(n > 0);
        have += (size_t)n;
        buf[have] = 0;
    }
    assert_non_null(s.stream);
    assert_int_equal(yc_http_sse_send(s.stream, "block", "{\"height\":\"7\"}"), YC_OK);
    while (strstr(buf, "data: {\"height\":\"7\"}\n\n") == NULL) {
        int n = cl_retry(&s, &c, op_read, buf + have, (int)(sizeof buf - 1 - have));
        assert_true(n > 0);
        have += (size_t)n;
        buf[have] = 0;
    }
    assert_non_null(strstr(buf, "event: block\n"));
    cl_close(&s, &c);
    fk_pump(&s.loop, 20);
    assert_null(s.stream); /* the client left: the stream's cancel ran */
    srv_stop(&s);
}

static void test_not_tls(void **state)
{
    struct pki *p = *state;
    struct srv s;
    srv_start(&s, p, NULL, 0);
    int fd = fk_connect(s.port);
    assert_true(fk_send(&s.loop, fd, "GET /status HTTP/1.1\r\nHost: x\r\n\r\n", 34));
    struct fk_resp r;
    assert_int_equal(fk_read_response(&s.loop, fd, &r, 5000), 400);
    assert_non_null(strstr(r.body, "use an https:// URL"));
    assert_non_null(strstr(r.body, "\"config_error\""));
    fk_resp_free(&r);
    assert_true(fk_wait_closed(&s.loop, fd, 5000));
    close(fd);
    fd = fk_connect(s.port); /* neither TLS nor HTTP: closed without a word */
    static const char junk[] = {0, 1, 2, 3};
    assert_true(fk_send(&s.loop, fd, junk, sizeof junk));
    char b[16];
    assert_int_equal(fk_read_some(&s.loop, fd, b, sizeof b, 5000), 0);
    assert_true(fk_wait_closed(&s.loop, fd, 5000));
    close(fd);
    assert_int_equal(s.k.tls_handshake_failures_total[YC_HTTPD_TLS_FAIL_NOT_TLS], 2);
    struct cl c; /* others are served meanwhile */
    assert_true(cl_open(&s, &c, p, NULL, NULL));
    cl_send(&s, &c, "GET /x HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_int_equal(cl_response(&s, &c, NULL, NULL), 200);
    cl_close(&s, &c);
    srv_stop(&s);
}

static void test_stalled_handshakes(void **state)
{
    struct pki *p = *state;
    struct srv s;
    srv_start(&s, p, NULL, 300);
    int silent = fk_connect(s.port);
    int half = fk_connect(s.port);
    /* a handshake record header announcing 512 bytes, and only 20 of them */
    static const char part[25] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03};
    assert_true(fk_send(&s.loop, half, part, sizeof part));
    uint64_t t0 = uv_hrtime();
    fk_pump(&s.loop, 100);
    assert_int_equal(yc_httpd_connections(s.h), 2); /* still open before the deadline */
    assert_true(fk_wait_closed(&s.loop, half, 5000));
    assert_true(fk_wait_closed(&s.loop, silent, 5000));
    assert_true(uv_hrtime() - t0 >= 250000000ull);
    close(silent);
    close(half);
    /* the one that sent bytes counts; a silent connection is no handshake */
    assert_int_equal(s.k.tls_handshake_failures_total[YC_HTTPD_TLS_FAIL_TIMEOUT], 1);
    assert_int_equal(s.k.tls_handshakes_total, 0);
    srv_stop(&s);
}

static void test_client_certificates(void **state)
{
    struct pki *p = *state;
    struct srv s;
    srv_start(&s, p, p->ca_crt, 0);
    struct cl c;
    /* none: TLS 1.3 refuses it after the client's side of the handshake */
    if (cl_open(&s, &c, p, NULL, NULL)) {
        cl_send(&s, &c, "GET /x HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_int_equal(cl_response(&s, &c, NULL, NULL), 0);
    }
    cl_close(&s, &c);
    if (cl_open(&s, &c, p, p->rogue_crt, p->rogue_key)) { /* another CA's */
        cl_send(&s, &c, "GET /x HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_int_equal(cl_response(&s, &c, NULL, NULL), 0);
    }
    cl_close(&s, &c);
    fk_pump(&s.loop, 20);
    assert_int_equal(s.k.tls_handshake_failures_total[YC_HTTPD_TLS_FAIL_CLIENT_CERT], 2);
    assert_true(cl_open(&s, &c, p, p->cli_crt, p->cli_key));
    cl_send(&s, &c, "GET /x HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_int_equal(cl_response(&s, &c, NULL, NULL), 200);
    cl_close(&s, &c);
    assert_int_equal(s.k.tls_handshakes_total, 1);
    srv_stop(&s);
}

/* The hostile-client limits over TLS: per source, body size, body pause, head size. */
static void test_limits_over_tls(void **state)
{
    struct pki *p = *state;
    struct yc_httpd_config cfg;
    yc_httpd_config_default(&cfg);
    cfg.max_connections_per_source = 2;
    cfg.max_body_bytes = 1000;
    cfg.max_header_bytes = 2048;
    cfg.body_timeout_ms = 300;
    struct srv s;
    srv_start_cfg(&s, p, NULL, &cfg);
    struct cl a, b, c;
    assert_true(cl_open(&s, &a, p, NULL, NULL));
    assert_true(cl_open(&s, &b, p, NULL, NULL));
    assert_false(cl_open(&s, &c, p, NULL, NULL)); /* a third from 127.0.0.1 */
    cl_close(&s, &c);
    assert_int_equal(s.k.connections_refused_per_source_total, 1);
    char *body;
    size_t blen;
    cl_send(&s, &a, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n");
    assert_int_equal(cl_response(&s, &a, &body, &blen), 413);
    assert_non_null(strstr(body, "body_too_large"));
    free(body);
    cl_send(&s, &b, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc");
    assert_int_equal(cl_response(&s, &b, &body, &blen), 408); /* the body paused */
    free(body);
    cl_close(&s, &a);
    cl_close(&s, &b);
    assert_true(cl_open(&s, &a, p, NULL, NULL));
    char head[4096];
    snprintf(head, sizeof head, "GET / HTTP/1.1\r\nX-Pad: %03000d\r\n\r\n", 0);
    cl_send(&s, &a, head);
    assert_int_equal(cl_response(&s, &a, NULL, NULL), 431);
    cl_close(&s, &a);
    srv_stop(&s);
}

static long served_serial(struct srv *s, const struct pki *p)
{
    struct cl c;
    assert_true(cl_open(s, &c, p, NULL, NULL));
    X509 *x = SSL_get1_peer_certificate(c.ssl);
    assert_non_null(x);
    long serial = ASN1_INTEGER_get(X509_get0_serialNumber(x));
    X509_free(x);
    cl_close(s, &c);
    return serial;
}

static void test_new_certificate(void **state)
{
    struct pki *p = *state;
    struct srv s;
    srv_start(&s, p, NULL, 0);
    struct cl old;
    assert_true(cl_open(&s, &old, p, NULL, NULL));
    assert_int_equal(served_serial(&s, p), 2);
    struct yc_httpd_tls_files f = {.cert_file = p->srv2_crt, .key_file = p->srv2_key};
    yc_httpd_tls *t;
    char err[512];
    assert_int_equal(yc_httpd_tls_load(&t, &f, err, sizeof err), YC_OK);
    assert_int_equal(yc_httpd_set_tls(s.h, t), YC_OK);
    assert_int_equal(served_serial(&s, p), 5);
    cl_send(&s, &old, "GET /x HTTP/1.1\r\nHost: x\r\n\r\n"); /* the open one goes on */
    assert_int_equal(cl_response(&s, &old, NULL, NULL), 200);
    cl_close(&s, &old);
    srv_stop(&s);
}

static void expect_refused(const struct yc_httpd_tls_files *f, const char *a, const char *b)
{
    yc_httpd_tls *t = (yc_httpd_tls *)(uintptr_t)1;
    char err[512];
    assert_int_equal(yc_httpd_tls_load(&t, f, err, sizeof err), YC_ECONFIG);
    assert_null(t);
    if (strstr(err, a) == NULL || (b != NULL && strstr(err, b) == NULL))
        fail_msg("\"%s\" lacks \"%s\" / \"%s\"", err, a, b != NULL ? b : "");
}

static void test_load_refusals(void **state)
{
    struct pki *p = *state;
    struct yc_httpd_tls_files f = {
        .section = "rpc", .cert_file = "/nonexistent/x.crt", .key_file = p->srv_key};
    expect_refused(&f, "rpc.tls_cert_file", "/nonexistent/x.crt");
    f.cert_file = p->srv_crt;
    f.key_file = p->cli_key;
    expect_refused(&f, "rpc.tls_key_file", "does not match");
    f.key_file = p->srv_crt; /* a certificate where the key should be */
    expect_refused(&f, "rpc.tls_key_file", "private key");
    f.key_file = p->srv_key;
    f.cert_file = p->srv_key;
    expect_refused(&f, "rpc.tls_cert_file", p->srv_key);
    f.cert_file = p->srv_crt;
    f.client_ca_file = p->srv_key;
    expect_refused(&f, "rpc.tls_client_ca_file", p->srv_key);
    f.client_ca_file = NULL;
    f.min_version = "1.1";
    expect_refused(&f, "rpc.tls_min_version", NULL);
    f.min_version = "1.3";
    f.key_file = "";
    expect_refused(&f, "rpc.tls_key_file", NULL);
    f.key_file = p->srv_key;
    yc_httpd_tls *t;
    char err[512];
    assert_int_equal(yc_httpd_tls_load(&t, &f, err, sizeof err), YC_OK);
    yc_httpd_tls_destroy(t);
}

static int setup(void **state)
{
    static struct pki p;
    pki_make(&p);
    *state = &p;
    return 0;
}

static int teardown(void **state)
{
    pki_remove(*state);
    return 0;
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keepalive_pipelining_big_answer),
        cmocka_unit_test(test_event_stream),
        cmocka_unit_test(test_not_tls),
        cmocka_unit_test(test_stalled_handshakes),
        cmocka_unit_test(test_client_certificates),
        cmocka_unit_test(test_new_certificate),
        cmocka_unit_test(test_limits_over_tls),
        cmocka_unit_test(test_load_refusals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
