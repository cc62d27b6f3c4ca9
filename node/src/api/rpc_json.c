/*
 * rpc_json.c — the RPC's own JSON: decimal parameters and event-stream lines (see
 * rpc_json.h). The JSON forms of ledger values are the read side's (yc/json.h).
 */
#include <stdint.h>

#include "rpc_json.h"

int yc_rjson_parse_u64(const char *s, size_t len, uint64_t *out)
{
    if (len == 0 || len > 20 || (len > 1 && s[0] == '0'))
        return YC_EBADFIELD;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return YC_EBADFIELD;
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return YC_EBADFIELD;
        v = v * 10 + d;
    }
    *out = v;
    return YC_OK;
}

void yc_rjson_one_line(char *s)
{
    for (; *s; s++) {
        if (*s == '\n' || *s == '\r')
            *s = ' ';
    }
}
