/*
 * httpc.c — blocking HTTP/1.1 client over POSIX sockets, and a JSON-RPC 2.0 call on top.
 *
 * Invariants: every wait is a poll() bounded by the one request deadline (and connect by
 * YC_HTTP_CONNECT_TIMEOUT_MS as well); bytes kept never exceed YC_HTTP_MAX_HEADER for the
 * head plus `max_bytes` for the decoded body (chunk framing is read through a small
 * window, never accumulated); a response that ends before its declared length is an
 * error, never a short success.
 */
#include "yc/httpc.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- URLs ---- */

int yc_url_parse(struct yc_url *u, const char *url)
{
    if (u == NULL || url == NULL)
        return YC_EINVAL;
    memset(u, 0, sizeof *u);
    if (strncasecmp(url, "http://", 7) != 0 || strlen(url) >= YC_HTTP_URL_MAX)
        return YC_ECONFIG;
    const char *p = url + 7;
    const char *host_end;
    const char *after;
    if (*p == '[') {
        const char *close = strchr(p, ']');
        if (close == NULL)
            return YC_ECONFIG;
        p++;
        host_end = close;
        after = close + 1;
    } else {
        host_end = p + strcspn(p, ":/?#");
        after = host_end;
    }
    size_t hlen = (size_t)(host_end - p);
    if (hlen == 0 || hlen >= sizeof u->host)
        return YC_ECONFIG;
    memcpy(u->host, p, hlen);
    u->host[hlen] = '\0';
    if (*after == ':') {
        after++;
        size_t plen = strspn(after, "0123456789");
        if (plen == 0 || plen > 5)
            return YC_ECONFIG;
        memcpy(u->port, after, plen);
        u->port[plen] = '\0';
        long port = strtol(u->port, NULL, 10);
        if (port < 1 || port > 65535)
            return YC_ECONFIG;
        after += plen;
    } else {
        strcpy(u->port, "80");
    }
    if (*after == '\0') {
        strcpy(u->path, "/");
    } else if (*after == '/' || *after == '?') {
        if (*after == '?')
            snprintf(u->path, sizeof u->path, "/%s", after);
        else
            snprintf(u->path, sizeof u->path, "%s", after);
        /* The path goes into the request line verbatim: no controls or spaces. */
        for (const char *q = u->path; *q != '\0'; q++)
            if ((unsigned char)*q <= ' ' || *q == 0x7f)
                return YC_ECONFIG;
        char *hash = strchr(u->path, '#');
        if (hash != NULL)
            *hash = '\0';
    } else {
        return YC_ECONFIG;
    }
    return YC_OK;
}

/* ---- time ---- */

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int remaining(int64_t deadline)
{
    int64_t left = deadline - mono_ms();
    if (left <= 0)
        return 0;
    return left > INT32_MAX ? INT32_MAX : (int)left;
}

/* Waits for `events` on fd until the deadline. Returns YC_OK or YC_EUNREACHABLE. */
static int wait_fd(int fd, short events, int64_t deadline)
{
    for (;;) {
        int left = remaining(deadline);
        if (left == 0)
            return YC_EUNREACHABLE;
        struct pollfd pfd = {.fd = fd, .events = events};
        int r = poll(&pfd, 1, left);
        if (r > 0)
            return YC_OK;
        if (r == 0)
            return YC_EUNREACHABLE;
        if (errno != EINTR)
            return YC_EUNREACHABLE;
    }
}

/* ---- connection ---- */

static int connect_one(const struct addrinfo *ai, int64_t deadline)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0)
        return -1;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
        return fd;
    if (errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    int64_t cdl = mono_ms() + YC_HTTP_CONNECT_TIMEOUT_MS;
    if (cdl > deadline)
        cdl = deadline;
    if (wait_fd(fd, POLLOUT, cdl) != YC_OK) {
        close(fd);
        return -1;
    }
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 || soerr != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int open_conn(const struct yc_url *u, int64_t deadline, int *out)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    /* getaddrinfo cannot be bounded by our deadline; numeric hosts and /etc/hosts answer
     * at once, which is what the CLIs use in practice. */
    if (getaddrinfo(u->host, u->port, &hints, &res) != 0 || res == NULL)
        return YC_EUNREACHABLE;
    int fd = -1;
    for (struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
        if (remaining(deadline) == 0)
            break;
        fd = connect_one(ai, deadline);
    }
    freeaddrinfo(res);
    if (fd < 0)
        return YC_EUNREACHABLE;
    *out = fd;
    return YC_OK;
}

static int send_all(int fd, const char *p, size_t len, int64_t deadline)
{
    while (len > 0) {
        ssize_t w = send(fd, p, len, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                int rc = wait_fd(fd, POLLOUT, deadline);
                if (rc != YC_OK)
                    return rc;
                continue;
            }
            return YC_EUNREACHABLE;
        }
        p += w;
        len -= (size_t)w;
    }
    return YC_OK;
}

/* ---- reading ---- */

/* A receive window over the socket: bytes arrive into `buf`, consumers take from it. */
struct reader {
    int fd;
    int64_t deadline;
    char buf[8192];
    size_t start, end; /* unread bytes are buf[start..end) */
    bool eof;
};

/* Reads more bytes into the window (compacting it). Returns YC_OK (possibly setting
 * eof) or YC_EUNREACHABLE. */
static int fill(struct reader *r)
{
    if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
    if (r->end == sizeof r->buf)
        return YC_OK;
    for (;;) {
        ssize_t n = recv(r->fd, r->buf + r->end, sizeof r->buf - r->end, 0);
        if (n > 0) {
            r->end += (size_t)n;
            return YC_OK;
        }
        if (n == 0) {
            r->eof = true;
            return YC_OK;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            int rc = wait_fd(r->fd, POLLIN, r->deadline);
            if (rc != YC_OK)
                return rc;
            continue;
        }
        return YC_EUNREACHABLE;
    }
}

/* Reads one line ending in CRLF (or LF) into line (cap bytes, NUL-terminated, ending
 * stripped). *budget is decremented by the bytes consumed (header cap).
 * Returns YC_OK, YC_EDECODE (EOF or line too long), YC_ELIMIT, YC_EUNREACHABLE. */
static int read_line(struct reader *r, char *line, size_t cap, size_t *budget)
{
    size_t n = 0;
    for (;;) {
        while (r->start < r->end) {
            char c = r->buf[r->start++];
            if (*budget == 0)
                return YC_ELIMIT;
            (*budget)--;
            if (c == '\n') {
                if (n > 0 && line[n - 1] == '\r')
                    n--;
                line[n] = '\0';
                return YC_OK;
            }
            if (n + 1 >= cap)
                return YC_EDECODE;
            line[n++] = c;
        }
        if (r->eof)
            return YC_EDECODE;
        int rc = fill(r);
        if (rc != YC_OK)
            return rc;
    }
}

/* A growable body buffer with a hard cap. */
struct body {
    char *p;
    size_t len, alloc, cap;
};

static int body_append(struct body *b, const char *p, size_t n)
{
    if (n > b->cap - b->len)
        return YC_ELIMIT;
    if (b->len + n + 1 > b->alloc) {
        size_t na = b->alloc ? b->alloc : 4096;
        while (na < b->len + n + 1)
            na *= 2;
        if (na > b->cap + 1)
            na = b->cap + 1;
        char *np = realloc(b->p, na);
        if (np == NULL)
            return YC_ENOMEM;
        b->p = np;
        b->alloc = na;
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0';
    return YC_OK;
}

/* Copies exactly n body bytes (or until EOF if n is SIZE_MAX). */
static int read_body_bytes(struct reader *r, struct body *b, size_t n)
{
    bool to_eof = n == SIZE_MAX;
    while (n > 0) {
        if (r->start == r->end) {
            if (r->eof)
                return to_eof ? YC_OK : YC_EDECODE;
            int rc = fill(r);
            if (rc != YC_OK)
                return rc;
            continue;
        }
        size_t avail = r->end - r->start;
        size_t take = avail < n ? avail : n;
        int rc = body_append(b, r->buf + r->start, take);
        if (rc != YC_OK)
            return rc;
        r->start += take;
        if (!to_eof)
            n -= take;
    }
    return YC_OK;
}

static int read_chunked(struct reader *r, struct body *b)
{
    char line[256];
    for (;;) {
        size_t budget = sizeof line + 2;
        int rc = read_line(r, line, sizeof line, &budget);
        if (rc != YC_OK)
            return rc == YC_ELIMIT ? YC_EDECODE : rc;
        /* chunk-size [; extensions] */
        char *end = NULL;
        errno = 0;
        if (!((line[0] >= '0' && line[0] <= '9') || (line[0] >= 'a' && line[0] <= 'f') ||
              (line[0] >= 'A' && line[0] <= 'F')))
            return YC_EDECODE;
        unsigned long long sz = strtoull(line, &end, 16);
        if (errno != 0 || (*end != '\0' && *end != ';' && *end != ' ' && *end != '\t'))
            return YC_EDECODE;
        if (sz == 0)
            break;
        if (sz > b->cap - b->len)
            return YC_ELIMIT;
        rc = read_body_bytes(r, b, (size_t)sz);
        if (rc != YC_OK)
            return rc;
        budget = 4;
        rc = read_line(r, line, sizeof line, &budget);
        if (rc != YC_OK || line[0] != '\0')
            return rc == YC_OK || rc == YC_ELIMIT ? YC_EDECODE : rc;
    }
    /* Trailer fields until the empty line; bounded like the header. */
    size_t budget = YC_HTTP_MAX_HEADER;
    for (;;) {
        int rc = read_line(r, line, sizeof line, &budget);
        if (rc != YC_OK)
            return rc == YC_ELIMIT ? YC_EDECODE : rc;
        if (line[0] == '\0')
            return YC_OK;
    }
}

static int
read_response(struct reader *r, bool head_only, size_t max_bytes, struct yc_http_response *resp)
{
    char line[YC_HTTP_MAX_HEADER];
    size_t budget = YC_HTTP_MAX_HEADER;
    int rc = read_line(r, line, sizeof line, &budget);
    if (rc != YC_OK)
        return rc == YC_ELIMIT ? YC_EDECODE : (r->eof ? YC_EUNREACHABLE : rc);
    int status = 0;
    if (strncmp(line, "HTTP/1.", 7) != 0 || (line[7] != '0' && line[7] != '1') || line[8] != ' ' ||
        sscanf(line + 9, "%3d", &status) != 1 || status < 100 || status > 599)
        return YC_EDECODE;

    bool chunked = false, has_len = false;
    unsigned long long clen = 0;
    for (;;) {
        rc = read_line(r, line, sizeof line, &budget);
        if (rc != YC_OK)
            return rc == YC_ELIMIT ? YC_EDECODE : rc;
        if (line[0] == '\0')
            break;
        char *colon = strchr(line, ':');
        if (colon == NULL)
            return YC_EDECODE;
        *colon = '\0';
        char *val = colon + 1;
        while (*val == ' ' || *val == '\t')
            val++;
        size_t vl = strlen(val);
        while (vl > 0 && (val[vl - 1] == ' ' || val[vl - 1] == '\t'))
            val[--vl] = '\0';
        if (strcasecmp(line, "Content-Length") == 0) {
            char *end = NULL;
            errno = 0;
            if (val[0] < '0' || val[0] > '9')
                return YC_EDECODE;
            unsigned long long v = strtoull(val, &end, 10);
            if (errno != 0 || *end != '\0' || (has_len && v != clen))
                return YC_EDECODE;
            clen = v;
            has_len = true;
        } else if (strcasecmp(line, "Transfer-Encoding") == 0) {
            if (strcasecmp(val, "chunked") != 0)
                return YC_EDECODE; /* other codings are not supported */
            chunked = true;
        }
    }
    if (status >= 100 && status < 200)
        return YC_EDECODE; /* we never send Expect: a 1xx is a protocol error here */

    struct body b = {.cap = max_bytes};
    rc = body_append(&b, "", 0);
    if (rc == YC_OK && b.p == NULL) {
        b.p = malloc(1);
        if (b.p == NULL)
            rc = YC_ENOMEM;
        else
            b.p[0] = '\0';
    }
    bool no_body = head_only || status == 204 || status == 304;
    if (rc == YC_OK && !no_body) {
        if (chunked)
            rc = read_chunked(r, &b);
        else if (has_len)
            rc = clen > max_bytes ? YC_ELIMIT : read_body_bytes(r, &b, (size_t)clen);
        else
            rc = read_body_bytes(r, &b, SIZE_MAX);
    }
    if (rc != YC_OK) {
        free(b.p);
        return rc;
    }
    resp->status = status;
    resp->body = b.p;
    resp->len = b.len;
    return YC_OK;
}

static int request(const char *method,
                   const char *url,
                   const char *body,
                   size_t len,
                   int timeout_ms,
                   size_t max_bytes,
                   struct yc_http_response *resp)
{
    if (resp == NULL || url == NULL || (body == NULL && len > 0) || timeout_ms <= 0)
        return YC_EINVAL;
    memset(resp, 0, sizeof *resp);
    struct yc_url *u = malloc(sizeof *u);
    if (u == NULL)
        return YC_ENOMEM;
    int rc = yc_url_parse(u, url);
    if (rc != YC_OK) {
        free(u);
        return rc;
    }
    int64_t deadline = mono_ms() + timeout_ms;
    int fd = -1;
    rc = open_conn(u, deadline, &fd);
    if (rc != YC_OK) {
        free(u);
        return rc;
    }
    bool v6 = strchr(u->host, ':') != NULL;
    char head[YC_HTTP_URL_MAX + 512];
    int k = snprintf(head, sizeof head,
                     "%s %s HTTP/1.1\r\nHost: %s%s%s:%s\r\nUser-Agent: yuchain/%s\r\n"
                     "Accept: application/json\r\nConnection: close\r\n",
                     method, u->path, v6 ? "[" : "", u->host, v6 ? "]" : "", u->port, YC_VERSION);
    if (k >= 0 && (size_t)k < sizeof head && body != NULL)
        k += snprintf(head + k, sizeof head - (size_t)k,
                      "Content-Type: application/json\r\nContent-Length: %zu\r\n", len);
    if (k >= 0 && (size_t)k < sizeof head)
        k += snprintf(head + k, sizeof head - (size_t)k, "\r\n");
    free(u);
    if (k < 0 || (size_t)k >= sizeof head) {
        close(fd);
        return YC_ECONFIG;
    }
    rc = send_all(fd, head, (size_t)k, deadline);
    if (rc == YC_OK && len > 0)
        rc = send_all(fd, body, len, deadline);
    if (rc == YC_OK) {
        struct reader *r = malloc(sizeof *r);
        if (r == NULL) {
            rc = YC_ENOMEM;
        } else {
            r->fd = fd;
            r->deadline = deadline;
            r->start = r->end = 0;
            r->eof = false;
            rc = read_response(r, strcmp(method, "HEAD") == 0, max_bytes, resp);
            free(r);
        }
    }
    close(fd);
    return rc;
}

int yc_http_post(const char *url,
                 const char *body,
                 size_t len,
                 int timeout_ms,
                 size_t max_bytes,
                 struct yc_http_response *resp)
{
    return request("POST", url, body != NULL ? body : "", len, timeout_ms, max_bytes, resp);
}

int yc_http_get(const char *url, int timeout_ms, size_t max_bytes, struct yc_http_response *resp)
{
    return request("GET", url, NULL, 0, timeout_ms, max_bytes, resp);
}

void yc_http_response_free(struct yc_http_response *r)
{
    if (r == NULL)
        return;
    free(r->body);
    memset(r, 0, sizeof *r);
}

/* ---- JSON-RPC ---- */

static void
set_err(char *code, size_t code_len, char *msg, size_t msg_len, const char *c, const char *m)
{
    if (code != NULL && code_len > 0)
        snprintf(code, code_len, "%s", c);
    if (msg != NULL && msg_len > 0)
        snprintf(msg, msg_len, "%s", m);
}

int yc_rpc_call_timeout(const char *node_url,
                        const char *method,
                        json_t *params,
                        int timeout_ms,
                        json_t **result,
                        char *err_code,
                        size_t err_code_len,
                        char *err_msg,
                        size_t err_msg_len)
{
    if (result != NULL)
        *result = NULL;
    set_err(err_code, err_code_len, err_msg, err_msg_len, "", "");
    if (node_url == NULL || method == NULL || result == NULL) {
        json_decref(params);
        return YC_EINVAL;
    }
    json_t *req = json_pack("{s:s, s:i, s:s, s:o}", "jsonrpc", "2.0", "id", 1, "method", method,
                            "params", params != NULL ? params : json_object());
    if (req == NULL)
        return YC_ENOMEM;
    char *text = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    if (text == NULL)
        return YC_ENOMEM;
    struct yc_http_response resp;
    int rc =
        yc_http_post(node_url, text, strlen(text), timeout_ms > 0 ? timeout_ms : YC_RPC_TIMEOUT_MS,
                     YC_RPC_MAX_RESPONSE, &resp);
    free(text);
    if (rc != YC_OK) {
        char m[256];
        snprintf(m, sizeof m, "%s (%s)", yc_strerror(rc), node_url);
        set_err(err_code, err_code_len, err_msg, err_msg_len, yc_err_name(rc), m);
        return rc;
    }
    json_error_t jerr;
    json_t *root = json_loadb(resp.body, resp.len, 0, &jerr);
    int status = resp.status;
    yc_http_response_free(&resp);
    if (!json_is_object(root)) {
        json_decref(root);
        char m[128];
        snprintf(m, sizeof m, "the node answered HTTP %d without a JSON-RPC object", status);
        set_err(err_code, err_code_len, err_msg, err_msg_len, yc_err_name(YC_EDECODE), m);
        return YC_EDECODE;
    }
    json_t *err = json_object_get(root, "error");
    if (err != NULL && !json_is_null(err)) {
        const char *code = json_string_value(json_object_get(json_object_get(err, "data"), "code"));
        const char *m = json_string_value(json_object_get(err, "message"));
        set_err(err_code, err_code_len, err_msg, err_msg_len,
                code != NULL ? code : yc_err_name(YC_EREMOTE), m != NULL ? m : "remote error");
        json_decref(root);
        return YC_EREMOTE;
    }
    json_t *res = json_object_get(root, "result");
    if (res == NULL) {
        json_decref(root);
        set_err(err_code, err_code_len, err_msg, err_msg_len, yc_err_name(YC_EDECODE),
                "JSON-RPC response without result or error");
        return YC_EDECODE;
    }
    *result = json_incref(res);
    json_decref(root);
    return YC_OK;
}

int yc_rpc_call(const char *node_url,
                const char *method,
                json_t *params,
                json_t **result,
                char *err_code,
                size_t err_code_len,
                char *err_msg,
                size_t err_msg_len)
{
    return yc_rpc_call_timeout(node_url, method, params, 0, result, err_code, err_code_len, err_msg,
                               err_msg_len);
}
