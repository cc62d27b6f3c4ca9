/*
 * helper_tmp.h — temporary directories for the util tests.
 */
#ifndef YC_TEST_HELPER_TMP_H
#define YC_TEST_HELPER_TMP_H

#include <stddef.h>

/* Creates a fresh private directory under $TMPDIR (or /tmp) and writes its path into out
 * (cap bytes). Aborts the test program if that fails. */
void tmp_dir(char *out, size_t cap);

/* Removes `path` and everything under it (best effort). */
void tmp_dir_remove(const char *path);

#endif
