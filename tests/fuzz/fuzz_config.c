/*
 * fuzz_config.c — the node.conf parser, yc_config_parse_text (node/src/base/config.h;
 * TESTING.md D1).
 *
 * Properties, any violation aborts:
 * - parsing never crashes, hangs or reads out of bounds (the text is not NUL-terminated,
 *   lines may be longer than libinih's buffer); a refusal is YC_ECONFIG or YC_ENOMEM with
 *   a NUL-terminated, non-empty message;
 * - when it accepts, the settings survive rendering: parsing yc_config_render's text
 *   over the defaults renders to the same text again (render(parse(render(c))) ==
 *   render(c)), so `yuchaind init` never writes a file that means something else.
 */
/* yc-fuzz-link: yc_node */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *why, const char *a, const char *b) __attribute__((noreturn));

static void fail(const char *why, const char *a, const char *b)
{
    fprintf(stderr, "fuzz_config: %s\n", why);
    if (a != NULL) {
        fprintf(stderr, "--- first:\n%s\n", a);
    }
    if (b != NULL) {
        fprintf(stderr, "--- second:\n%s\n", b);
    }
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char empty[1] = {0};
    struct yc_config c, c2;
    char err[512];

    yc_config_default(&c);
    memset(err, 'x', sizeof err);
    int rc = yc_config_parse_text(&c, size > 0 ? (const char *)data : empty, size, "fuzz.conf", err,
                                  sizeof err);
    if (rc != YC_OK) {
        if ((rc != YC_ECONFIG && rc != YC_ENOMEM) || memchr(err, '\0', sizeof err) == NULL ||
            err[0] == '\0') {
            fail("a refusal without its code or message", NULL, NULL);
        }
        return 0;
    }
    char *text = yc_config_render(&c);
    if (text == NULL) {
        fail("yc_config_render failed on accepted settings", NULL, NULL);
    }
    yc_config_default(&c2);
    if (yc_config_parse_text(&c2, text, strlen(text), "rendered.conf", err, sizeof err) != YC_OK) {
        fail("the rendered text of accepted settings is refused", err, text);
    }
    char *text2 = yc_config_render(&c2);
    if (text2 == NULL || strcmp(text, text2) != 0) {
        fail("parsing the rendered text changes the settings", text, text2);
    }
    free(text2);
    free(text);
    return 0;
}
