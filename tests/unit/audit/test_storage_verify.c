/*
 * test_storage_verify.c — the audit's reading of a node's files without writing them
 * (issue 11 items 2 and 3; TESTING.md F4, F5): store_verify_files checks every live
 * table, log and the manifest against their own checksums and names a damaged file; a
 * table no version names (a compaction's unfinished output) and a torn log tail are not
 * damage; a live table that is missing is. audit_snapshot_make links only the live
 * tables, leaves the rest of the home as it was, and removes its copy.
 */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "yc/store.h"
#include "yc/store_verify.h"

#include "helper_outcomes.h"
#include "snapshot.h"

struct fix {
    char home[4096];
    char data[4200];
    struct tchain c;
};

static int setup(void **state)
{
    static struct fix f;
    memset(&f, 0, sizeof f);
    tdir_make(f.home, sizeof f.home);
    snprintf(f.data, sizeof f.data, "%s/data", f.home);
    tchain_init(&f.c, 1);
    tchain_make_home(&f.c, f.home);
    store *s = NULL;
    char err[512];
    assert_int_equal(store_open(&s, f.data, false, &f.c.g, err, sizeof err), YC_OK);
    for (int i = 0; i < 3; i++)
        tchain_commit_next(&f.c, s, 2);
    store_close(s); /* the memtable goes into a table */
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fix *f = *state;
    tchain_cleanup(&f->c);
    tdir_remove(f->home);
    return 0;
}

/* The name of the first file of `dir` ending in `ext` (sorted), into out. */
static bool first_with(const char *dir, const char *ext, char *out, size_t outlen)
{
    struct dirent **list;
    int n = scandir(dir, &list, NULL, alphasort);
    bool found = false;
    for (int i = 0; i < n; i++) {
        size_t l = strlen(list[i]->d_name), m = strlen(ext);
        if (!found && l > m && strcmp(list[i]->d_name + l - m, ext) == 0) {
            snprintf(out, outlen, "%s", list[i]->d_name);
            found = true;
        }
        free(list[i]);
    }
    free(list);
    return found;
}

static void path_of(char *out, size_t outlen, const char *dir, const char *name)
{
    int n = snprintf(out, outlen, "%s/%s", dir, name);
    assert_true(n > 0 && (size_t)n < outlen);
}

static void flip(const char *path, off_t at)
{
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    uint8_t b;
    assert_int_equal(pread(fd, &b, 1, at), 1);
    b ^= 0x10;
    assert_int_equal(pwrite(fd, &b, 1, at), 1);
    close(fd);
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void test_intact_and_garbage_ignored(void **state)
{
    struct fix *f = *state;
    struct store_verify_stats st;
    struct store_damage d;
    char err[300], p[4400];
    assert_int_equal(store_verify_files(f->data, &st, &d, err, sizeof err), YC_OK);
    assert_true(st.tables >= 1);
    assert_int_equal(st.manifests, 1);
    assert_int_equal(st.ignored, 0);
    /* an unfinished table of an interrupted compaction: not part of the database */
    path_of(p, sizeof p, f->data, "999999.ldb");
    write_file(p, "half a table");
    assert_int_equal(store_verify_files(f->data, &st, &d, err, sizeof err), YC_OK);
    assert_int_equal(st.ignored, 1);
    /* the private copy links the live tables only, and leaves the home as it was */
    struct audit_snapshot snap;
    char msg[300];
    assert_int_equal(audit_snapshot_make(&snap, f->data, msg, sizeof msg), YC_OK);
    assert_int_equal(snap.linked, st.tables);
    assert_int_equal(snap.skipped, 1);
    char q[4400];
    path_of(q, sizeof q, snap.dir, "999999.ldb");
    assert_int_not_equal(access(q, F_OK), 0);
    path_of(q, sizeof q, snap.dir, "CURRENT");
    assert_int_equal(access(q, F_OK), 0);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", snap.dir);
    audit_snapshot_remove(&snap);
    assert_null(snap.dir);
    assert_int_not_equal(access(dir, F_OK), 0);
    struct stat sb;
    assert_int_equal(stat(p, &sb), 0);
    assert_int_equal(sb.st_size, 12);
}

static void test_flipped_table_byte_named(void **state)
{
    struct fix *f = *state;
    char name[256], p[4400], err[300];
    assert_true(first_with(f->data, ".ldb", name, sizeof name));
    path_of(p, sizeof p, f->data, name);
    flip(p, 30);
    struct store_damage d;
    assert_int_equal(store_verify_files(f->data, NULL, &d, err, sizeof err), YC_ECORRUPT);
    assert_string_equal(d.file, name);
    assert_int_equal(d.offset, 0);
    assert_non_null(strstr(d.what, "data block of "));
    assert_non_null(strstr(d.what, "checksum mismatch"));
    flip(p, 30);
    assert_int_equal(store_verify_files(f->data, NULL, &d, err, sizeof err), YC_OK);
    /* the footer */
    struct stat sb;
    assert_int_equal(stat(p, &sb), 0);
    flip(p, sb.st_size - 1);
    assert_int_equal(store_verify_files(f->data, NULL, &d, err, sizeof err), YC_ECORRUPT);
    assert_string_equal(d.what, "the footer's magic number is wrong");
}

static void test_log_damage_and_torn_tail(void **state)
{
    struct fix *f = *state;
    /* a block committed and not compacted: it stays in the write-ahead log */
    store *s = NULL;
    char err[512], name[256], p[4400];
    assert_int_equal(store_open(&s, f->data, false, &f->c.g, err, sizeof err), YC_OK);
    tchain_commit_next(&f->c, s, 2);
    /* the store stays open (as a crashed node's would be found), so the block is still
     * in the log; verification reads the files and takes no lock */
    assert_true(first_with(f->data, ".log", name, sizeof name));
    path_of(p, sizeof p, f->data, name);
    struct stat sb;
    assert_int_equal(stat(p, &sb), 0);
    assert_true(sb.st_size > 20);
    struct store_damage d;
    assert_int_equal(store_verify_files(f->data, NULL, &d, err, sizeof err), YC_OK);
    /* a flipped byte inside a record is damage */
    flip(p, 12);
    assert_int_equal(store_verify_files(f->data, NULL, &d, err, sizeof err), YC_ECORRUPT);
    assert_string_equal(d.file, name);
    assert_int_equal(d.offset, 0);
    assert_non_null(strstr(d.what, "log record of "));
    assert_non_null(strstr(d.what, "checksum mismatch"));
    flip(p, 12);
    /* a torn tail (the last record cut short) is what LevelDB drops: not damage */
    assert_int_equal(truncate(p, sb.st_size - 3), 0);
    assert_int_equal(store_verify_files(f->data, NULL, &d, err, sizeof err), YC_OK);
    store_close(s);
}

static void test_missing_table_named(void **state)
{
    struct fix *f = *state;
    char name[256], p[4400], err[300];
    assert_true(first_with(f->data, ".ldb", name, sizeof name));
    path_of(p, sizeof p, f->data, name);
    assert_int_equal(unlink(p), 0);
    struct store_damage d;
    assert_int_equal(store_verify_files(f->data, NULL, &d, err, sizeof err), YC_ECORRUPT);
    assert_int_equal(strncmp(d.file, "MANIFEST-", 9), 0);
    char want[300];
    snprintf(want, sizeof want, "names table %s, which is missing", name);
    assert_string_equal(d.what, want);
    /* no database at all */
    char none[4400];
    path_of(none, sizeof none, f->home, "nothing");
    assert_int_equal(store_verify_files(none, NULL, &d, err, sizeof err), YC_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_intact_and_garbage_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flipped_table_byte_named, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_damage_and_torn_tail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_table_named, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
