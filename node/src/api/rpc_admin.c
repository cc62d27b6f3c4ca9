/*
 * rpc_admin.c — the admin credential check (DESIGN.md §9): admin methods need the
 * header "Authorization: Bearer <contents of HOME/.cookie>". The cookie is random and
 * new at each start; the comparison does not branch on its bytes.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "rpc_impl.h"

bool yc__rpc_admin_ok(const char *cookie, const char *authorization)
{
    if (!cookie || !authorization)
        return false;
    size_t cl = strlen(cookie);
    if (cl == 0 || strncasecmp(authorization, "Bearer ", 7) != 0)
        return false;
    const char *tok = authorization + 7;
    while (*tok == ' ')
        tok++;
    size_t tl = strlen(tok);
    while (tl > 0 && (tok[tl - 1] == ' ' || tok[tl - 1] == '\t'))
        tl--;
    /* The length is not secret (the cookie is fixed-size hex); its bytes are. */
    if (tl != cl)
        return false;
    volatile unsigned char diff = 0;
    for (size_t i = 0; i < cl; i++)
        diff |= (unsigned char)(tok[i] ^ cookie[i]);
    return diff == 0;
}
