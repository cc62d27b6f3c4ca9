/*
 * explorer.c — serves the explorer's embedded assets (explorer.h) at /explorer/.
 *
 * Only names present in the generated table are ever answered, compared byte for byte
 * with the rest of the path: there is no file system behind it, so "..", "%2e%2e",
 * sub-directories and anything else unknown are simply 404. Every answer carries a
 * strict Content-Security-Policy: scripts and styles only from this origin (no inline
 * script, no eval), data only from this origin's RPC, no frames, no forms; images from
 * this origin or data: URLs (the receipt download link is a data: URL, the charts are
 * inline SVG elements, not images).
 */
#include <string.h>

#include "explorer.h"

#define PREFIX "/explorer"
#define PREFIX_LEN (sizeof(PREFIX) - 1)

#define SECURITY_HEADERS                                                                 \
    "Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'; " \
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "    \
    "frame-ancestors 'none'\r\n"                                                         \
    "X-Content-Type-Options: nosniff\r\n"                                                \
    "X-Frame-Options: DENY\r\n"                                                          \
    "Referrer-Policy: no-referrer\r\n"

static const struct {
    const char *ext;
    const char *type;
} g_types[] = {
    {".html", "text/html; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".json", "application/json"},
    {".png", "image/png"},
};

static const char *content_type(const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof(g_types) / sizeof(g_types[0]); i++) {
        size_t e = strlen(g_types[i].ext);
        if (n > e && strcmp(name + n - e, g_types[i].ext) == 0)
            return g_types[i].type;
    }
    return "application/octet-stream";
}

bool yc_explorer_is_path(const char *path)
{
    return strncmp(path, PREFIX, PREFIX_LEN) == 0 &&
           (path[PREFIX_LEN] == 0 || path[PREFIX_LEN] == '/');
}

static const struct yc__explorer_asset *find(const char *name)
{
    for (size_t i = 0; i < yc__explorer_nassets; i++) {
        if (strcmp(yc__explorer_assets[i].name, name) == 0)
            return &yc__explorer_assets[i];
    }
    return NULL;
}

void yc_explorer_serve(yc_http_conn *conn, const char *path)
{
    if (!yc_explorer_is_path(path)) {
        static const char nf[] = "not found\n";
        yc_http_respond(conn, 404, "text/plain; charset=utf-8", nf, sizeof(nf) - 1,
                        SECURITY_HEADERS);
        return;
    }
    /* index.html names its assets by absolute path, so it works at both */
    const char *name = path[PREFIX_LEN] == 0 ? "" : path + PREFIX_LEN + 1;
    if (*name == 0)
        name = "index.html";
    const struct yc__explorer_asset *a = find(name);
    if (!a) {
        static const char nf[] = "no such explorer file\n";
        yc_http_respond(conn, 404, "text/plain; charset=utf-8", nf, sizeof(nf) - 1,
                        SECURITY_HEADERS);
        return;
    }
    yc_http_respond(conn, 200, content_type(a->name), a->data, a->len, SECURITY_HEADERS);
}
