/*
 * fuzz_genesis_json.c — the genesis.json parser, yc_genesis_json_parse (TESTING.md D1).
 *
 * A regulator replays a ledger trusting only this file, so it must never crash the
 * parser, whatever it holds. Properties, any violation aborts:
 * - parsing never crashes, hangs or reads out of bounds (the text is not NUL-terminated);
 *   a refusal is YC_ECONFIG or YC_ENOMEM with a NUL-terminated, non-empty message;
 * - when it accepts, the genesis is finalized: dumping it and parsing the dump gives the
 *   same genesis hash, and dumping that again gives the same text
 *   (dump(parse(dump(g))) == dump(g)).
 */
/* yc-fuzz-link: yc_store */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "yc/genesis_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct yc_genesis g, g2;
    char err[256];

    memset(err, 'x', sizeof err);
    int rc = yc_genesis_json_parse(&g, (const char *)data, size, err, sizeof err);
    if (rc != YC_OK) {
        if ((rc != YC_ECONFIG && rc != YC_ENOMEM) || memchr(err, '\0', sizeof err) == NULL ||
            (rc == YC_ECONFIG && err[0] == '\0')) {
            abort();
        }
        return 0;
    }
    char *text = yc_genesis_json_dump(&g);
    if (text == NULL) {
        abort();
    }
    if (yc_genesis_json_parse(&g2, text, strlen(text), err, sizeof err) != YC_OK ||
        memcmp(g.hash, g2.hash, YC_HASH_LEN) != 0) {
        abort();
    }
    char *text2 = yc_genesis_json_dump(&g2);
    if (text2 == NULL || strcmp(text, text2) != 0) {
        abort();
    }
    free(text2);
    free(text);
    yc_genesis_cleanup(&g2);
    yc_genesis_cleanup(&g);
    return 0;
}
