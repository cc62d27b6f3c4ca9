/*
 * explorer.h — the ledger explorer's static assets (HTML, CSS, JavaScript, an icon),
 * built into yuchaind and served read-only at /explorer/ on the RPC listener
 * (docs/explorer.md). The pages fetch all their data from the node's own RPC.
 *
 * The asset table is generated at build time by explorer/embed.cmake from the files of
 * explorer/ (node/CMakeLists.txt); nothing is read from disk or the network at run time.
 *
 * Threading: the node's loop thread (httpd's handler).
 */
#ifndef YC_EXPLORER_H
#define YC_EXPLORER_H

#include <stdbool.h>
#include <stddef.h>

#include "httpd.h"

/* One embedded file: its name under /explorer/ (no '/'), bytes and length. */
struct yc__explorer_asset {
    const char *name;
    const unsigned char *data;
    size_t len;
};

/* The generated table (explorer_assets.c) and its length. */
extern const struct yc__explorer_asset yc__explorer_assets[];
extern const size_t yc__explorer_nassets;

/* Whether `path` (a request path, not decoded) is the explorer's: "/explorer" or
 * "/explorer/…". */
bool yc_explorer_is_path(const char *path);

/*
 * Answers a GET or HEAD of an explorer path: "/explorer" and "/explorer/" are
 * index.html, "/explorer/NAME" the embedded file NAME; any other path (unknown names,
 * sub-directories, "..", percent-encoded bytes) gets 404. The query is not looked at. Every answer carries the explorer's
 * Content-Security-Policy and nosniff headers.
 */
void yc_explorer_serve(yc_http_conn *conn, const char *path);

#endif
