/*
 * cliutil.c — exit codes, passphrase input, TIME arguments, numbers, whole-file reads
 * and atomic writes for the command-line programs.
 *
 * Invariants: the terminal's echo setting is restored on every path out of the
 * passphrase prompt; passphrase bytes only ever sit in sodium_malloc'ed memory (the
 * line is read byte by byte straight into it, never through stdio buffers); an atomic
 * write never leaves a partially written file at the final path.
 */
#include "yc/cliutil.h"
#include "yc/timefmt.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

int yc_exit_code(int err)
{
    switch (err) {
    case YC_OK:
        return YC_EXIT_OK;
    case YC_EIO:
    case YC_ENOTFOUND:
        return YC_EXIT_IOERR;
    case YC_EDECODE:
    case YC_ETRAILING:
    case YC_ETOODEEP:
    case YC_ETOOLARGE:
    case YC_EUTF8:
    case YC_EBADFIELD:
    case YC_EBADADDR:
    case YC_EBADKEY:
    case YC_ECORRUPT:
    case YC_ELIMIT:
        return YC_EXIT_DATAERR;
    case YC_EUNREACHABLE:
        return YC_EXIT_UNAVAILABLE;
    case YC_EPASSPHRASE:
        return YC_EXIT_NOPERM;
    case YC_ECONFIG:
        return YC_EXIT_CONFIG;
    case YC_EINVAL:
        return YC_EXIT_USAGE;
    default:
        return YC_EXIT_FAIL;
    }
}

/* ---- passphrases ---- */

/*
 * Reads one line from fd into buf (cap bytes including the NUL), byte by byte so that
 * nothing beyond the line is consumed or buffered outside the secure buffer. Strips
 * "\n" or "\r\n". Returns YC_OK, YC_ELIMIT, YC_EIO. End of input ends the line.
 */
static int read_line_fd(int fd, char *buf, size_t cap, size_t *len)
{
    size_t n = 0;
    for (;;) {
        char c;
        ssize_t r = read(fd, &c, 1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return YC_EIO;
        }
        if (r == 0 || c == '\n')
            break;
        if (n + 1 >= cap)
            return YC_ELIMIT;
        buf[n++] = c;
    }
    if (n > 0 && buf[n - 1] == '\r')
        n--;
    buf[n] = '\0';
    *len = n;
    return YC_OK;
}

/* Prompts on the terminal fd and reads a line with echo off. */
static int read_tty_noecho(int fd, const char *prompt, char *buf, size_t cap, size_t *len)
{
    struct termios old, quiet;
    if (tcgetattr(fd, &old) != 0)
        return YC_EPASSPHRASE;
    quiet = old;
    quiet.c_lflag &= (tcflag_t) ~(ECHO | ECHOE | ECHOK | ECHONL);
    /* Block the job-control and interrupt signals while echo is off so that the mode is
     * always restored; a pending SIGINT is delivered after tcsetattr below. */
    sigset_t block, saved;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTSTP);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGQUIT);
    sigprocmask(SIG_BLOCK, &block, &saved);
    if (write(fd, prompt, strlen(prompt)) < 0) {
        /* the prompt is cosmetic; reading still works */
    }
    int rc = YC_OK;
    if (tcsetattr(fd, TCSAFLUSH, &quiet) != 0)
        rc = YC_EIO;
    if (rc == YC_OK)
        rc = read_line_fd(fd, buf, cap, len);
    tcsetattr(fd, TCSAFLUSH, &old);
    if (write(fd, "\n", 1) < 0) {
        /* cosmetic */
    }
    sigprocmask(SIG_SETMASK, &saved, NULL);
    return rc;
}

void yc_pass_free(char *pass)
{
    if (pass != NULL)
        sodium_free(pass); /* sodium_free wipes before unmapping */
}

int yc_pass_read(const struct yc_pass_src *src, const char *prompt, bool confirm, bool allow_empty,
                 char **out, size_t *len)
{
    if (out == NULL || len == NULL)
        return YC_EINVAL;
    *out = NULL;
    *len = 0;
    if (sodium_init() < 0)
        return YC_ENOMEM;
    char *buf = sodium_malloc(YC_PASS_MAX + 2);
    if (buf == NULL)
        return YC_ENOMEM;
    size_t n = 0;
    int rc;
    if (src != NULL && src->file != NULL) {
        int fd = open(src->file, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            rc = YC_EIO;
        } else {
            rc = read_line_fd(fd, buf, YC_PASS_MAX + 1, &n);
            close(fd);
        }
    } else if (src != NULL && src->use_stdin) {
        rc = read_line_fd(STDIN_FILENO, buf, YC_PASS_MAX + 1, &n);
    } else {
        int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (fd < 0) {
            rc = YC_EPASSPHRASE; /* no terminal: the credential is missing */
        } else {
            rc = read_tty_noecho(fd, prompt != NULL ? prompt : "Passphrase: ", buf, YC_PASS_MAX + 1,
                                 &n);
            if (rc == YC_OK && confirm) {
                char *again = sodium_malloc(YC_PASS_MAX + 2);
                size_t n2 = 0;
                if (again == NULL) {
                    rc = YC_ENOMEM;
                } else {
                    rc = read_tty_noecho(fd, "Repeat passphrase: ", again, YC_PASS_MAX + 1, &n2);
                    if (rc == YC_OK && (n2 != n || sodium_memcmp(buf, again, n) != 0))
                        rc = YC_EPASSPHRASE;
                    sodium_free(again);
                }
            }
            close(fd);
        }
    }
    if (rc == YC_OK && n == 0 && !allow_empty)
        rc = YC_EPASSPHRASE;
    if (rc != YC_OK) {
        sodium_free(buf);
        return rc;
    }
    *out = buf;
    *len = n;
    return YC_OK;
}

/* ---- time ---- */

uint64_t yc_time_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int yc_time_parse(const char *s, uint64_t now_ms, uint64_t *out_ms)
{
    if (out_ms == NULL)
        return YC_EINVAL;
    *out_ms = 0;
    if (s == NULL)
        return YC_EBADFIELD;
    if (s[0] != '+')
        return yc_time_parse_rfc3339(s, strlen(s), YC_TIME_SPACE | YC_TIME_FROM_1970, out_ms);
    const char *p = s + 1;
    uint64_t n = 0;
    size_t nd = 0;
    while (*p >= '0' && *p <= '9') {
        unsigned dgt = (unsigned)(*p - '0');
        if (n > (UINT64_MAX - dgt) / 10)
            return YC_EBADFIELD;
        n = n * 10 + dgt;
        nd++;
        p++;
    }
    if (nd == 0 || n == 0 || p[0] == '\0' || p[1] != '\0')
        return YC_EBADFIELD;
    uint64_t unit;
    switch (p[0]) {
    case 'd':
        unit = 86400000u;
        break;
    case 'h':
        unit = 3600000u;
        break;
    case 'm':
        unit = 60000u;
        break;
    case 's':
        unit = 1000u;
        break;
    default:
        return YC_EBADFIELD;
    }
    if (n > UINT64_MAX / unit || n * unit > UINT64_MAX - now_ms)
        return YC_EBADFIELD;
    *out_ms = now_ms + n * unit;
    return YC_OK;
}

int yc_parse_u64(const char *s, uint64_t *out)
{
    if (out == NULL)
        return YC_EINVAL;
    *out = 0;
    if (s == NULL || s[0] == '\0' || (s[0] == '0' && s[1] != '\0'))
        return YC_EBADFIELD;
    uint64_t v = 0;
    for (const char *p = s; *p != '\0'; p++) {
        if (*p < '0' || *p > '9')
            return YC_EBADFIELD;
        unsigned dgt = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - dgt) / 10)
            return YC_EBADFIELD;
        v = v * 10 + dgt;
    }
    *out = v;
    return YC_OK;
}

/* ---- files ---- */

int yc_file_read(const char *path, size_t max, char **data, size_t *len)
{
    if (data == NULL || len == NULL || path == NULL)
        return YC_EINVAL;
    *data = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? YC_ENOTFOUND : YC_EIO;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return YC_EIO;
    }
    if ((uint64_t)st.st_size > max) {
        close(fd);
        return YC_ELIMIT;
    }
    /* Read up to max+1 bytes whatever fstat said: the file may grow meanwhile. */
    size_t cap = (size_t)st.st_size + 1;
    char *buf = malloc(cap + 1);
    if (buf == NULL) {
        close(fd);
        return YC_ENOMEM;
    }
    size_t n = 0;
    for (;;) {
        if (n == cap) {
            if (cap > max) {
                free(buf);
                close(fd);
                return YC_ELIMIT;
            }
            size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
            char *nb = realloc(buf, ncap + 1);
            if (nb == NULL) {
                free(buf);
                close(fd);
                return YC_ENOMEM;
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            free(buf);
            close(fd);
            return YC_EIO;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    if (n > max) {
        free(buf);
        return YC_ELIMIT;
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return YC_OK;
}

/* Splits path into its directory (".") and base name parts, into dir (cap bytes). */
static int path_dir(const char *path, char *dir, size_t cap, const char **base)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL) {
        if (cap < 2)
            return YC_EINVAL;
        strcpy(dir, ".");
        *base = path;
        return YC_OK;
    }
    size_t n = (size_t)(slash - path);
    if (n == 0)
        n = 1; /* "/file" */
    if (n + 1 > cap)
        return YC_EINVAL;
    memcpy(dir, path, n);
    dir[n] = '\0';
    *base = slash + 1;
    return YC_OK;
}

int yc_dir_sync(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return YC_EIO;
    int rc = fsync(fd) == 0 ? YC_OK : YC_EIO;
    close(fd);
    return rc;
}

static int write_all(int fd, const void *data, size_t len)
{
    const unsigned char *p = data;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return YC_EIO;
        }
        p += w;
        len -= (size_t)w;
    }
    return YC_OK;
}

int yc_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
                         bool overwrite)
{
    if (path == NULL || (data == NULL && len > 0))
        return YC_EINVAL;
    char dir[PATH_MAX];
    const char *base;
    if (path_dir(path, dir, sizeof dir, &base) != YC_OK || base[0] == '\0')
        return YC_EINVAL;
    char tmp[PATH_MAX];
    int k = snprintf(tmp, sizeof tmp, "%s/.%s.tmp.XXXXXX", dir, base);
    if (k < 0 || (size_t)k >= sizeof tmp)
        return YC_EINVAL;
    int fd = mkstemp(tmp);
    if (fd < 0)
        return YC_EIO;
    (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
    int rc = YC_OK;
    if (fchmod(fd, mode) != 0)
        rc = YC_EIO;
    if (rc == YC_OK)
        rc = write_all(fd, data, len);
    if (rc == YC_OK && fsync(fd) != 0)
        rc = YC_EIO;
    if (close(fd) != 0 && rc == YC_OK)
        rc = YC_EIO;
    if (rc == YC_OK) {
        if (overwrite) {
            if (rename(tmp, path) != 0)
                rc = YC_EIO;
        } else {
            /* link() fails with EEXIST instead of replacing: no check-then-act race. */
            if (link(tmp, path) != 0)
                rc = errno == EEXIST ? YC_EEXIST : YC_EIO;
            unlink(tmp);
        }
    }
    if (rc != YC_OK) {
        unlink(tmp);
        return rc;
    }
    return yc_dir_sync(dir);
}

int yc_dir_ensure(const char *path, bool private_dir)
{
    if (path == NULL || path[0] == '\0')
        return YC_EINVAL;
    char buf[PATH_MAX];
    size_t n = strlen(path);
    if (n >= sizeof buf)
        return YC_EINVAL;
    memcpy(buf, path, n + 1);
    /* Create missing parents first, each 0700. */
    for (size_t i = 1; i < n; i++) {
        if (buf[i] != '/')
            continue;
        buf[i] = '\0';
        if (mkdir(buf, 0700) != 0 && errno != EEXIST) {
            return YC_EIO;
        }
        buf[i] = '/';
    }
    bool created = false;
    if (mkdir(path, 0700) == 0) {
        created = true;
    } else if (errno != EEXIST) {
        return YC_EIO;
    }
    struct stat st;
    if (stat(path, &st) != 0)
        return YC_EIO;
    if (!S_ISDIR(st.st_mode))
        return YC_ECONFIG;
    if (private_dir && (created || (st.st_mode & 077) != 0)) {
        if (st.st_uid != geteuid())
            return YC_ECONFIG;
        if (chmod(path, 0700) != 0)
            return YC_EIO;
    }
    return YC_OK;
}

int yc_print_json_line(json_t *o)
{
    char *text = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (text == NULL)
        return YC_EXIT_FAIL;
    int rc = printf("%s\n", text) < 0 ? YC_EXIT_FAIL : YC_EXIT_OK;
    free(text);
    return rc;
}

void yc_text_for_terminal(char *out, size_t cap, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0;
    if (cap == 0)
        return;
    while (*p != '\0' && n + 1 < cap) {
        if (*p < 0x20 || *p == 0x7f) {
            out[n++] = '?';
            p++;
        } else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
            out[n++] = '?';
            p += 2;
        } else if (p[0] == 0xe2 && ((p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae) ||
                                    (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9))) {
            out[n++] = '?';
            p += 3;
        } else {
            out[n++] = (char)*p++;
        }
    }
    if (*p != '\0') { /* cut: drop a character whose bytes did not all fit */
        size_t lead = n;
        while (lead > 0 && ((unsigned char)out[lead - 1] & 0xc0) == 0x80)
            lead--;
        if (lead > 0 && ((unsigned char)out[lead - 1] & 0xc0) == 0xc0) {
            unsigned char c = (unsigned char)out[lead - 1];
            size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
            if (n - (lead - 1) < len)
                n = lead - 1;
        }
    }
    out[n] = '\0';
}
