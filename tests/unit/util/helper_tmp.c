/*
 * helper_tmp.c — temporary directories for the util tests (mkdtemp + recursive removal).
 */
#define _XOPEN_SOURCE 700 /* nftw */

#include "helper_tmp.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void tmp_dir(char *out, size_t cap)
{
    const char *base = getenv("TMPDIR");
    if (base == NULL || base[0] == '\0')
        base = "/tmp";
    int k = snprintf(out, cap, "%s/yc-test-XXXXXX", base);
    if (k < 0 || (size_t)k >= cap || mkdtemp(out) == NULL) {
        perror("mkdtemp");
        abort();
    }
}

static int rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void tmp_dir_remove(const char *path)
{
    (void)nftw(path, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}
