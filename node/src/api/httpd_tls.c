/*
 * httpd_tls.c — TLS for the HTTP server (httpd.h): the server-wide setup read from the
 * certificate, key and client CA files, and each connection's session, driven through
 * two memory BIOs so that OpenSSL never touches the socket: encrypted bytes read by
 * libuv are written into `rbio`, SSL_read decrypts them into the connection's rbuf,
 * and whatever TLS wants sent (handshake, alerts, records of a response) is taken out
 * of `wbio` and handed to uv_write.
 *
 * Invariants:
 * - Input is bounded: the socket is read only while nothing undecrypted is held
 *   (rbio empty, no decrypted record bytes waiting), so a connection holds at most one
 *   read (TLS_CBUF) plus OpenSSL's one-record buffer beyond its rbuf.
 * - wbio never holds more than one record: every producer drains it at once.
 * - No application data is written before the handshake completed (there is no request
 *   to answer before); a plain-HTTP client is answered in plain text and never reaches
 *   OpenSSL.
 * - A handshake failure is counted at most once per connection (`ended`).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "httpd.h"
#include "httpd_int.h"
#include "log.h"
#include "yc/err.h"

#define TLS_CBUF 16384u          /* one socket read of encrypted bytes */
#define TLS_RECORD 16384u        /* plaintext per TLS record */
#define TLS_RECORD_OVERHEAD 256u /* generous bound on a record's header, IV, tag, padding */

const char *const yc_httpd_tls_fail_names[5] = {"client_cert", "protocol", "not_tls", "timeout",
                                                "closed"};

struct yc_httpd_tls {
    SSL_CTX *ctx;
};

struct yc__tls_conn {
    SSL *ssl;
    BIO *rbio, *wbio;    /* owned by ssl */
    bool got_bytes;      /* the client sent something */
    bool done;           /* the handshake completed */
    bool failed;         /* a fatal TLS error: no close_notify */
    bool plain;          /* not TLS: answered in plain text, then closed */
    bool ended;          /* a failure was counted (or the handshake completed) */
    char cbuf[TLS_CBUF]; /* encrypted bytes just read */
};

/* ---- the server-wide setup ---- */

/* The reason of OpenSSL's last error (and the queue emptied), or `dflt`. */
static const char *ssl_reason(char *buf, size_t cap, const char *dflt)
{
    unsigned long e = ERR_peek_error(); /* the first: the most specific */
    if (e == 0) {
        snprintf(buf, cap, "%s", dflt);
    } else {
        const char *r = ERR_reason_error_string(e);
        snprintf(buf, cap, "%s", r != NULL ? r : dflt);
    }
    ERR_clear_error();
    return buf;
}

/* An encrypted key is refused rather than asked for on the terminal. */
static int no_passphrase_cb(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return 0;
}

/* Whether `path` can be opened for reading; else a sentence naming the option. */
static bool readable(const char *section, const char *key, const char *path, char *err,
                     size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(err, errlen, "%s.%s: cannot read %s: %s", section, key, path, strerror(errno));
        return false;
    }
    fclose(f);
    return true;
}

static void warn_key_mode(const char *section, const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0 && (st.st_mode & 077) != 0)
        yc_log_warn("tls",
                    "%s.tls_key_file %s may be read by group or others (mode %04o): "
                    "chmod 600 %s",
                    section, path, (unsigned)(st.st_mode & 07777), path);
}

static void warn_validity(const char *section, const char *path, SSL_CTX *ctx)
{
    X509 *x = SSL_CTX_get0_certificate(ctx);
    if (x == NULL)
        return;
    if (X509_cmp_current_time(X509_get0_notAfter(x)) < 0)
        yc_log_warn("tls", "%s.tls_cert_file %s has expired: clients will refuse it", section,
                    path);
    else if (X509_cmp_current_time(X509_get0_notBefore(x)) > 0)
        yc_log_warn("tls", "%s.tls_cert_file %s is not valid yet: clients will refuse it", section,
                    path);
}

static int configure(SSL_CTX *ctx, const struct yc_httpd_tls_files *f, char *err, size_t errlen)
{
    const char *sec = f->section != NULL ? f->section : "rpc";
    char why[160];
    int minv = TLS1_2_VERSION;
    if (f->min_version != NULL && f->min_version[0] != '\0') {
        if (strcmp(f->min_version, "1.3") == 0) {
            minv = TLS1_3_VERSION;
        } else if (strcmp(f->min_version, "1.2") != 0) {
            snprintf(err, errlen, "%s.tls_min_version: \"%s\" is not 1.2 or 1.3", sec,
                     f->min_version);
            return YC_ECONFIG;
        }
    }
    if (SSL_CTX_set_min_proto_version(ctx, minv) != 1 ||
        SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM:ECDHE+CHACHA20") != 1 ||
        SSL_CTX_set_num_tickets(ctx, 0) != 1) {
        snprintf(err, errlen, "%s: cannot set up TLS: %s", sec,
                 ssl_reason(why, sizeof why, "OpenSSL refused the settings"));
        return YC_ECONFIG;
    }
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                 SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);

    if (f->cert_file == NULL || f->cert_file[0] == '\0' || f->key_file == NULL ||
        f->key_file[0] == '\0') {
        snprintf(err, errlen, "%s.tls_cert_file and %s.tls_key_file: TLS needs both", sec, sec);
        return YC_ECONFIG;
    }
    if (!readable(sec, "tls_cert_file", f->cert_file, err, errlen))
        return YC_ECONFIG;
    if (SSL_CTX_use_certificate_chain_file(ctx, f->cert_file) != 1) {
        snprintf(err, errlen, "%s.tls_cert_file: %s holds no usable PEM certificate (%s)", sec,
                 f->cert_file, ssl_reason(why, sizeof why, "unreadable"));
        return YC_ECONFIG;
    }
    if (!readable(sec, "tls_key_file", f->key_file, err, errlen))
        return YC_ECONFIG;
    BIO *kb = BIO_new_file(f->key_file, "r");
    EVP_PKEY *key = kb != NULL ? PEM_read_bio_PrivateKey(kb, NULL, no_passphrase_cb, NULL) : NULL;
    BIO_free(kb);
    if (key == NULL) {
        snprintf(err, errlen,
                 "%s.tls_key_file: %s holds no usable unencrypted PEM private key "
                 "(%s)",
                 sec, f->key_file, ssl_reason(why, sizeof why, "unreadable"));
        return YC_ECONFIG;
    }
    int used = SSL_CTX_use_PrivateKey(ctx, key); /* checks it against the certificate */
    EVP_PKEY_free(key);
    if (used != 1) {
        ERR_clear_error();
        snprintf(err, errlen,
                 "%s.tls_key_file: the key in %s does not match the certificate "
                 "in %s (%s.tls_cert_file)",
                 sec, f->key_file, f->cert_file, sec);
        return YC_ECONFIG;
    }
    warn_key_mode(sec, f->key_file);
    warn_validity(sec, f->cert_file, ctx);

    if (f->client_ca_file != NULL && f->client_ca_file[0] != '\0') {
        if (!readable(sec, "tls_client_ca_file", f->client_ca_file, err, errlen))
            return YC_ECONFIG;
        STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(f->client_ca_file);
        if (names == NULL || SSL_CTX_load_verify_locations(ctx, f->client_ca_file, NULL) != 1) {
            sk_X509_NAME_pop_free(names, X509_NAME_free);
            snprintf(err, errlen,
                     "%s.tls_client_ca_file: %s holds no usable PEM CA "
                     "certificate (%s)",
                     sec, f->client_ca_file, ssl_reason(why, sizeof why, "no certificate found"));
            return YC_ECONFIG;
        }
        SSL_CTX_set_client_CA_list(ctx, names); /* takes names */
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
        SSL_CTX_set_verify_depth(ctx, 8);
    }
    ERR_clear_error();
    return YC_OK;
}

int yc_httpd_tls_load(yc_httpd_tls **out, const struct yc_httpd_tls_files *f, char *err,
                      size_t errlen)
{
    *out = NULL;
    if (errlen > 0)
        err[0] = '\0';
    yc_httpd_tls *t = calloc(1, sizeof *t);
    if (t == NULL)
        return YC_ENOMEM;
    t->ctx = SSL_CTX_new(TLS_server_method());
    if (t->ctx == NULL) {
        ERR_clear_error();
        free(t);
        return YC_ENOMEM;
    }
    int rc = configure(t->ctx, f, err, errlen);
    if (rc != YC_OK) {
        yc_httpd_tls_destroy(t);
        return rc;
    }
    *out = t;
    return YC_OK;
}

void yc_httpd_tls_destroy(yc_httpd_tls *t)
{
    if (t == NULL)
        return;
    SSL_CTX_free(t->ctx); /* sessions hold their own reference */
    free(t);
}

/* ---- one connection ---- */

int yc__httpd_tls_accept(yc_http_conn *c, yc_httpd_tls *t)
{
    struct yc__tls_conn *s = calloc(1, sizeof *s);
    if (s == NULL)
        return YC_ENOMEM;
    s->ssl = SSL_new(t->ctx);
    s->rbio = BIO_new(BIO_s_mem());
    s->wbio = BIO_new(BIO_s_mem());
    if (s->ssl == NULL || s->rbio == NULL || s->wbio == NULL) {
        BIO_free(s->rbio);
        BIO_free(s->wbio);
        SSL_free(s->ssl);
        free(s);
        ERR_clear_error();
        return YC_ENOMEM;
    }
    /* An empty BIO means "more to come", not EOF: the socket says when it ends. */
    BIO_set_mem_eof_return(s->rbio, -1);
    BIO_set_mem_eof_return(s->wbio, -1);
    SSL_set_bio(s->ssl, s->rbio, s->wbio);
    SSL_set_accept_state(s->ssl);
    c->tls = s;
    return YC_OK;
}

void yc__httpd_tls_free(yc_http_conn *c)
{
    if (c->tls == NULL)
        return;
    SSL_free(c->tls->ssl); /* frees both BIOs */
    free(c->tls);
    c->tls = NULL;
}

bool yc__httpd_tls_on(const yc_http_conn *c)
{
    return c->tls != NULL && !c->tls->plain;
}

uv_buf_t yc__httpd_tls_read_buf(yc_http_conn *c)
{
    return uv_buf_init(c->tls->cbuf, TLS_CBUF);
}

bool yc__httpd_tls_holds_input(const yc_http_conn *c)
{
    const struct yc__tls_conn *s = c->tls;
    return BIO_ctrl_pending(s->rbio) > 0 || SSL_pending(s->ssl) > 0;
}

static void count_failure(yc_http_conn *c, int reason, const char *detail)
{
    struct yc__tls_conn *s = c->tls;
    if (s->ended)
        return;
    s->ended = true;
    c->srv->cfg.counters->tls_handshake_failures_total[reason]++;
    if (yc_log_enabled(YC_LOG_DEBUG)) {
        struct sockaddr_storage peer;
        int plen = (int)sizeof peer;
        char ip[64] = "?";
        if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&peer, &plen) == 0)
            (void)uv_ip_name((const struct sockaddr *)&peer, ip, sizeof ip);
        yc_log_debug("tls", "handshake with %s failed (%s)%s%s", ip,
                     yc_httpd_tls_fail_names[reason], detail != NULL ? ": " : "",
                     detail != NULL ? detail : "");
    }
}

void yc__httpd_tls_note_end(yc_http_conn *c, bool timed_out)
{
    struct yc__tls_conn *s = c->tls;
    if (s == NULL || s->ended || !s->got_bytes || c->srv->stopping)
        return;
    count_failure(c, timed_out ? YC_HTTPD_TLS_FAIL_TIMEOUT : YC_HTTPD_TLS_FAIL_CLOSED, NULL);
}

/* Sends what wbio holds. Returns YC_OK or the error of a failed write (closed). */
static int flush(yc_http_conn *c)
{
    size_t n = BIO_ctrl_pending(c->tls->wbio);
    if (n == 0)
        return YC_OK;
    struct wreq *w = malloc(sizeof *w + n);
    if (w == NULL) {
        yc__httpd_conn_close(c);
        return YC_ENOMEM;
    }
    int got = BIO_read(c->tls->wbio, w->data, (int)n);
    if (got <= 0 || (size_t)got != n) {
        free(w);
        yc__httpd_conn_close(c);
        return YC_EIO;
    }
    return yc__httpd_write_submit(c, w, n, false);
}

/* Plain HTTP (or anything else) on the TLS port: say so in plain text, or just close. */
static void not_tls(yc_http_conn *c)
{
    struct yc__tls_conn *s = c->tls;
    unsigned char b = (unsigned char)s->cbuf[0];
    count_failure(c, YC_HTTPD_TLS_FAIL_NOT_TLS, b >= 'A' && b <= 'Z' ? "plain HTTP" : NULL);
    if (b >= 'A' && b <= 'Z') {
        s->plain = true;
        yc__httpd_conn_error(c, 400, YC_ECONFIG,
                             "this port speaks HTTPS (TLS): use an https:// URL");
    } else {
        yc__httpd_conn_close(c);
    }
}

bool yc__httpd_tls_input(yc_http_conn *c, size_t n)
{
    struct yc__tls_conn *s = c->tls;
    if (s->plain || n == 0)
        return false;
    if (!s->got_bytes) {
        s->got_bytes = true;
        /* Every TLS connection opens with a handshake record (content type 22). */
        if ((unsigned char)s->cbuf[0] != 0x16) {
            not_tls(c);
            return false;
        }
    }
    if (BIO_write(s->rbio, s->cbuf, (int)n) != (int)n) {
        ERR_clear_error();
        yc__httpd_conn_close(c);
        return false;
    }
    return true;
}

/* A fatal TLS error: send the alert OpenSSL queued, then close after it. */
static void fatal(yc_http_conn *c, int ssl_err)
{
    struct yc__tls_conn *s = c->tls;
    char why[160];
    bool no_cert = ERR_GET_REASON(ERR_peek_error()) == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE;
    ssl_reason(why, sizeof why, ssl_err == SSL_ERROR_SYSCALL ? "unexpected end" : "TLS error");
    if (!s->done) {
        long v = SSL_get_verify_result(s->ssl);
        bool cert = v != X509_V_OK || no_cert;
        count_failure(c, cert ? YC_HTTPD_TLS_FAIL_CLIENT_CERT : YC_HTTPD_TLS_FAIL_PROTOCOL,
                      v != X509_V_OK ? X509_verify_cert_error_string(v) : why);
    } else {
        yc_log_debug("tls", "session ended: %s", why);
    }
    s->failed = true;
    if (flush(c) == YC_OK)
        yc__httpd_conn_linger(c);
}

size_t yc__httpd_tls_fill(yc_http_conn *c)
{
    struct yc__tls_conn *s = c->tls;
    if (s->plain || s->failed)
        return 0;
    size_t added = 0;
    while (c->rlen < RBUF_SIZE) {
        int want = (int)(RBUF_SIZE - c->rlen);
        int n = SSL_read(s->ssl, c->rbuf + c->rlen, want);
        if (n > 0) {
            c->rlen += (size_t)n;
            added += (size_t)n;
            continue;
        }
        int e = SSL_get_error(s->ssl, n);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
            break;
        if (e == SSL_ERROR_ZERO_RETURN) {
            /* close_notify: the client is done, as at EOF */
            ERR_clear_error();
            yc__httpd_tls_note_end(c, false);
            yc__httpd_conn_close(c);
            return 0;
        }
        fatal(c, e);
        return 0;
    }
    if (!s->done && SSL_is_init_finished(s->ssl)) {
        s->done = true;
        s->ended = true;
        c->srv->cfg.counters->tls_handshakes_total++;
    }
    if (flush(c) != YC_OK)
        return 0;
    return added;
}

int yc__httpd_tls_write(yc_http_conn *c, const char *a, size_t alen, const void *b, size_t blen,
                        bool defer_close)
{
    struct yc__tls_conn *s = c->tls;
    size_t total = alen + blen;
    if (!s->done || s->failed || total > SIZE_MAX / 2)
        return yc__httpd_write_failed(c, defer_close);
    size_t cap = total + (total / TLS_RECORD + 2) * TLS_RECORD_OVERHEAD + BIO_ctrl_pending(s->wbio);
    struct wreq *w = malloc(sizeof *w + cap);
    if (w == NULL)
        return yc__httpd_write_failed(c, defer_close);
    size_t len = 0;
    char chunk[TLS_RECORD];
    size_t off = 0; /* in a ‖ b */
    while (off < total || BIO_ctrl_pending(s->wbio) > 0) {
        if (off < total) {
            /* one record's worth of a ‖ b, copied only where it spans both */
            size_t n = total - off < TLS_RECORD ? total - off : TLS_RECORD;
            const char *p;
            if (off + n <= alen) {
                p = a + off;
            } else if (off >= alen) {
                p = (const char *)b + (off - alen);
            } else {
                memcpy(chunk, a + off, alen - off);
                memcpy(chunk + (alen - off), b, n - (alen - off));
                p = chunk;
            }
            if (SSL_write(s->ssl, p, (int)n) != (int)n) {
                ERR_clear_error();
                s->failed = true;
                free(w);
                return yc__httpd_write_failed(c, defer_close);
            }
            off += n;
        }
        size_t pend = BIO_ctrl_pending(s->wbio);
        if (pend > cap - len) {
            size_t ncap = len + pend + (total - off) +
                          (total - off) / TLS_RECORD * TLS_RECORD_OVERHEAD + TLS_RECORD_OVERHEAD;
            struct wreq *nw = realloc(w, sizeof *nw + ncap);
            if (nw == NULL) {
                free(w);
                return yc__httpd_write_failed(c, defer_close);
            }
            w = nw;
            cap = ncap;
        }
        if (pend > 0 && BIO_read(s->wbio, w->data + len, (int)pend) != (int)pend) {
            ERR_clear_error();
            free(w);
            return yc__httpd_write_failed(c, defer_close);
        }
        len += pend;
    }
    return yc__httpd_write_submit(c, w, len, defer_close);
}

void yc__httpd_tls_close_notify(yc_http_conn *c)
{
    struct yc__tls_conn *s = c->tls;
    if (s == NULL || s->plain || s->failed || !s->done)
        return;
    (void)SSL_shutdown(s->ssl); /* queues close_notify; the client's is not awaited */
    ERR_clear_error();
    (void)flush(c);
}
