/*
 * test_cliutil.c — CLI helpers: TIME parsing (RFC 3339 and relative), decimal numbers,
 * passphrase input from a file and from stdin, whole-file reads with a cap, atomic writes
 * (including a writer killed with SIGKILL mid-loop: the old or the new file survives,
 * TESTING.md E7), exit codes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "helper_tmp.h"
#include "yc/cliutil.h"
#include "yc/timefmt.h"

static void expect_time(const char *s, uint64_t now, uint64_t want)
{
    uint64_t got = 1;
    int rc = yc_time_parse(s, now, &got);
    if (rc != YC_OK)
        fail_msg("'%s' refused (%d)", s, rc);
    if (got != want)
        fail_msg("'%s' -> %llu, want %llu", s, (unsigned long long)got, (unsigned long long)want);
}

static void expect_bad_time(const char *s)
{
    uint64_t got = 1;
    if (yc_time_parse(s, 1000, &got) != YC_EBADFIELD)
        fail_msg("'%s' accepted", s);
    assert_int_equal(got, 0);
}

static void test_time_rfc3339(void **state)
{
    (void)state;
    expect_time("1970-01-01T00:00:00Z", 0, 0);
    expect_time("2026-11-28T01:02:03.456Z", 0, 1795827723456u);
    expect_time("2026-11-28T01:02:03Z", 0, 1795827723000u);
    expect_time("2026-11-28t01:02:03.4z", 0, 1795827723400u);
    expect_time("2026-11-28 01:02:03.456789Z", 0, 1795827723456u);
    expect_time("2026-11-28T09:02:03.456+08:00", 0, 1795827723456u);
    expect_time("2026-11-27T20:02:03.456-05:00", 0, 1795827723456u);
    expect_time("2000-02-29T00:00:00Z", 0, 951782400000u);
    expect_time("2024-12-31T23:59:59.999Z", 0, 1735689599999u);
    expect_time("9999-12-31T23:59:59.999Z", 0, 253402300799999u);

    expect_bad_time("");
    expect_bad_time("2026-11-28");
    expect_bad_time("2026-11-28T01:02:03"); /* no offset */
    expect_bad_time("2026-11-28T01:02Z");
    expect_bad_time("2026-13-01T00:00:00Z");
    expect_bad_time("2026-00-01T00:00:00Z");
    expect_bad_time("2026-02-29T00:00:00Z"); /* not a leap year */
    expect_bad_time("1900-02-29T00:00:00Z");
    expect_bad_time("2026-04-31T00:00:00Z");
    expect_bad_time("2026-11-28T24:00:00Z");
    expect_bad_time("2026-11-28T23:60:00Z");
    expect_bad_time("2026-11-28T23:59:60Z"); /* leap seconds refused */
    expect_bad_time("1969-12-31T23:59:59Z");
    expect_bad_time("1970-01-01T00:00:00+00:01"); /* before the epoch */
    expect_bad_time("2026-11-28T01:02:03.Z");
    expect_bad_time("2026-11-28T01:02:03Zjunk");
    expect_bad_time("2026-11-28T01:02:03+0800");
    expect_bad_time("2026-11-28T01:02:03+24:00");
    expect_bad_time("26-11-28T01:02:03Z");
}

static void test_time_relative(void **state)
{
    (void)state;
    uint64_t now = 1795827723456u;
    expect_time("+30d", now, now + 30ull * 86400000u);
    expect_time("+2h", now, now + 2ull * 3600000u);
    expect_time("+15m", now, now + 15ull * 60000u);
    expect_time("+10s", now, now + 10000u);
    expect_time("+1d", 0, 86400000u);
    expect_bad_time("+");
    expect_bad_time("+d");
    expect_bad_time("+0d");
    expect_bad_time("+10");
    expect_bad_time("+10w");
    expect_bad_time("+10dd");
    expect_bad_time("+-1d");
    expect_bad_time("+ 1d");
    expect_bad_time("+99999999999999999999d");
    expect_bad_time("+9999999999999999d"); /* overflows in ms */
    uint64_t got;
    assert_int_equal(yc_time_parse("+1s", UINT64_MAX - 10, &got), YC_EBADFIELD);
}

static void test_time_format(void **state)
{
    (void)state;
    char buf[YC_TIME_STR_MAX];
    yc_time_rfc3339(buf, 0);
    assert_string_equal(buf, "1970-01-01T00:00:00.000Z");
    yc_time_rfc3339(buf, 1795827723456u);
    assert_string_equal(buf, "2026-11-28T01:02:03.456Z");
    yc_time_rfc3339(buf, 951782400000u);
    assert_string_equal(buf, "2000-02-29T00:00:00.000Z");
    yc_time_rfc3339(buf, UINT64_MAX);
    assert_string_equal(buf, "9999-12-31T23:59:59.999Z");
    /* format and parse agree on random values */
    srand(12345);
    for (int i = 0; i < 1000; i++) {
        uint64_t v = ((uint64_t)rand() << 20 ^ (uint64_t)rand()) % 253402300800000u;
        uint64_t back;
        yc_time_rfc3339(buf, v);
        assert_int_equal(yc_time_parse(buf, 0, &back), YC_OK);
        assert_int_equal(back, v);
    }
    assert_true(yc_time_now_ms() > 1600000000000u);
}

static void test_parse_u64(void **state)
{
    (void)state;
    uint64_t v;
    assert_int_equal(yc_parse_u64("0", &v), YC_OK);
    assert_int_equal(v, 0);
    assert_int_equal(yc_parse_u64("18446744073709551615", &v), YC_OK);
    assert_true(v == UINT64_MAX);
    assert_int_equal(yc_parse_u64("18446744073709551616", &v), YC_EBADFIELD);
    assert_int_equal(yc_parse_u64("", &v), YC_EBADFIELD);
    assert_int_equal(yc_parse_u64("01", &v), YC_EBADFIELD);
    assert_int_equal(yc_parse_u64("-1", &v), YC_EBADFIELD);
    assert_int_equal(yc_parse_u64("+1", &v), YC_EBADFIELD);
    assert_int_equal(yc_parse_u64("1 ", &v), YC_EBADFIELD);
    assert_int_equal(yc_parse_u64("1e3", &v), YC_EBADFIELD);
}

static void write_text(const char *path, const char *s)
{
    assert_int_equal(yc_file_write_atomic(path, s, strlen(s), 0600, true), YC_OK);
}

static void test_pass_from_file_and_stdin(void **state)
{
    (void)state;
    char dir[4096], path[4200];
    tmp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/pw", dir);
    struct yc_pass_src src = {.file = path};
    char *pw = NULL;
    size_t n = 0;

    write_text(path, "hunter2\nsecond line\n");
    assert_int_equal(yc_pass_read(&src, NULL, false, false, &pw, &n), YC_OK);
    assert_int_equal(n, 7);
    assert_string_equal(pw, "hunter2");
    yc_pass_free(pw);

    write_text(path, "with spaces  \r\n");
    assert_int_equal(yc_pass_read(&src, NULL, false, false, &pw, &n), YC_OK);
    assert_string_equal(pw, "with spaces  ");
    yc_pass_free(pw);

    write_text(path, "no newline");
    assert_int_equal(yc_pass_read(&src, NULL, false, false, &pw, &n), YC_OK);
    assert_string_equal(pw, "no newline");
    yc_pass_free(pw);

    write_text(path, "\n");
    assert_int_equal(yc_pass_read(&src, NULL, false, false, &pw, &n), YC_EPASSPHRASE);
    assert_null(pw);
    assert_int_equal(yc_pass_read(&src, NULL, false, true, &pw, &n), YC_OK);
    assert_int_equal(n, 0);
    yc_pass_free(pw);

    char big[YC_PASS_MAX + 10];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    write_text(path, big);
    assert_int_equal(yc_pass_read(&src, NULL, false, false, &pw, &n), YC_ELIMIT);

    src.file = "/nonexistent/pw";
    assert_int_equal(yc_pass_read(&src, NULL, false, false, &pw, &n), YC_EIO);

    /* stdin: a pipe */
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    assert_true(write(fds[1], "piped\nrest", 10) == 10);
    close(fds[1]);
    int saved = dup(STDIN_FILENO);
    dup2(fds[0], STDIN_FILENO);
    close(fds[0]);
    struct yc_pass_src in = {.use_stdin = true};
    int rc = yc_pass_read(&in, NULL, false, false, &pw, &n);
    /* only the first line is consumed: the rest stays readable */
    char rest[8] = {0};
    ssize_t r = read(STDIN_FILENO, rest, sizeof rest - 1);
    dup2(saved, STDIN_FILENO);
    close(saved);
    assert_int_equal(rc, YC_OK);
    assert_string_equal(pw, "piped");
    yc_pass_free(pw);
    assert_int_equal(r, 4);
    assert_string_equal(rest, "rest");
    tmp_dir_remove(dir);
}

static void test_file_read(void **state)
{
    (void)state;
    char dir[4096], path[4200];
    tmp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/f", dir);
    char *data = NULL;
    size_t n = 0;
    assert_int_equal(yc_file_read(path, 100, &data, &n), YC_ENOTFOUND);
    write_text(path, "0123456789");
    assert_int_equal(yc_file_read(path, 10, &data, &n), YC_OK);
    assert_int_equal(n, 10);
    assert_string_equal(data, "0123456789");
    free(data);
    assert_int_equal(yc_file_read(path, 9, &data, &n), YC_ELIMIT);
    assert_null(data);
    assert_int_equal(yc_file_read(dir, 100, &data, &n), YC_EIO); /* a directory */
    tmp_dir_remove(dir);
}

static void test_atomic_write(void **state)
{
    (void)state;
    char dir[4096], path[4200];
    tmp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/sub/f", dir);
    assert_int_equal(yc_file_write_atomic(path, "x", 1, 0600, true), YC_EIO); /* no dir */
    snprintf(path, sizeof path, "%s/sub", dir);
    assert_int_equal(yc_dir_ensure(path, true), YC_OK);
    assert_int_equal(yc_dir_ensure(path, true), YC_OK);
    snprintf(path, sizeof path, "%s/sub/f", dir);
    assert_int_equal(yc_file_write_atomic(path, "one", 3, 0640, false), YC_OK);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    assert_int_equal(yc_file_write_atomic(path, "two", 3, 0600, false), YC_EEXIST);
    assert_int_equal(yc_file_write_atomic(path, "three", 5, 0600, true), YC_OK);
    char *data;
    size_t n;
    assert_int_equal(yc_file_read(path, 100, &data, &n), YC_OK);
    assert_string_equal(data, "three");
    free(data);
    assert_int_equal(yc_dir_ensure(path, false), YC_ECONFIG); /* a file, not a dir */
    tmp_dir_remove(dir);
}

/* A child rewrites one file in a loop, alternating two contents of different lengths;
 * SIGKILL at a random moment must leave one of them whole. */
static void test_atomic_write_killed(void **state)
{
    (void)state;
    char dir[4096], path[4200];
    tmp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/key.json", dir);
    static char a[20000], b[7000];
    memset(a, 'a', sizeof a);
    memset(b, 'b', sizeof b);
    assert_int_equal(yc_file_write_atomic(path, a, sizeof a, 0600, true), YC_OK);
    unsigned seed = (unsigned)time(NULL);
    printf("# seed %u\n", seed);
    srand(seed);
    for (int round = 0; round < 5; round++) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            for (int i = 0;; i++) {
                if (yc_file_write_atomic(path, i % 2 ? a : b, i % 2 ? sizeof a : sizeof b, 0600,
                                         true) != YC_OK)
                    _exit(3);
            }
        }
        usleep((useconds_t)(1000 + rand() % 20000));
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        assert_true(WIFSIGNALED(status));
        char *data;
        size_t n;
        assert_int_equal(yc_file_read(path, 1 << 20, &data, &n), YC_OK);
        if (n == sizeof a)
            assert_memory_equal(data, a, n);
        else if (n == sizeof b)
            assert_memory_equal(data, b, n);
        else
            fail_msg("partial file of %zu bytes", n);
        free(data);
    }
    tmp_dir_remove(dir);
}

static void test_exit_codes(void **state)
{
    (void)state;
    assert_int_equal(yc_exit_code(YC_OK), 0);
    assert_int_equal(yc_exit_code(YC_EBADNONCE), 1);
    assert_int_equal(yc_exit_code(YC_ECONSENTREVOKED), 1);
    assert_int_equal(yc_exit_code(YC_EINVAL), 2);
    assert_int_equal(yc_exit_code(YC_EBADADDR), 65);
    assert_int_equal(yc_exit_code(YC_EDECODE), 65);
    assert_int_equal(yc_exit_code(YC_EUNREACHABLE), 69);
    assert_int_equal(yc_exit_code(YC_EIO), 74);
    assert_int_equal(yc_exit_code(YC_EPASSPHRASE), 77);
    assert_int_equal(yc_exit_code(YC_ECONFIG), 78);
}

/* Ledger text for a terminal: controls and bidi overrides as '?', a name ending in a
 * multi-byte character kept whole, a cut never inside a character. */
static void test_text_for_terminal(void **state)
{
    (void)state;
    char out[64];
    yc_text_for_terminal(out, sizeof out,
                         "Alice \x1b[2J\xe2\x80\xae"
                         "Chen\x7f\xc2\x85");
    assert_string_equal(out, "Alice ?[2J?Chen??");
    yc_text_for_terminal(out, sizeof out, "\xe9\x87\x8d\xe5\xba\x86\xe6\x95\xb0\xe6\x8d\xae");
    assert_string_equal(out, "\xe9\x87\x8d\xe5\xba\x86\xe6\x95\xb0\xe6\x8d\xae"); /* 重庆数据 */
    char small[6]; /* room for one 3-byte character and 2 bytes of the next */
    yc_text_for_terminal(small, sizeof small, "\xe9\x87\x8d\xe5\xba\x86");
    assert_string_equal(small, "\xe9\x87\x8d");
    yc_text_for_terminal(small, sizeof small, "abcdefgh");
    assert_string_equal(small, "abcde");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_rfc3339),
        cmocka_unit_test(test_time_relative),
        cmocka_unit_test(test_time_format),
        cmocka_unit_test(test_parse_u64),
        cmocka_unit_test(test_pass_from_file_and_stdin),
        cmocka_unit_test(test_file_read),
        cmocka_unit_test(test_atomic_write),
        cmocka_unit_test(test_atomic_write_killed),
        cmocka_unit_test(test_exit_codes),
        cmocka_unit_test(test_text_for_terminal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
