/*
 * snapshot.c — the private copy of a database (snapshot.h).
 *
 * The home is only ever read: files are opened O_RDONLY, the lock is tested (F_GETLK),
 * never taken. Everything written goes under the private directory made by mkdtemp.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "yc/store_verify.h"

#include "snapshot.h"

void audit_msgf(char *msg, size_t msglen, const char *fmt, ...)
{
    if (msg == NULL || msglen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, msglen, fmt, ap);
    va_end(ap);
}

static char *path_join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = malloc(n);
    if (p != NULL)
        snprintf(p, n, "%s/%s", a, b);
    return p;
}

bool audit_db_locked(const char *data_dir)
{
    char *p = path_join(data_dir, "LOCK");
    if (p == NULL)
        return false;
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    free(p);
    if (fd < 0)
        return false;
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    bool locked = fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
    close(fd);
    return locked;
}

static bool ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

/* Copies src to dst (created exclusively, 0600). Returns 0 or an errno. */
static int copy_file(const char *src, const char *dst, uint64_t *bytes)
{
    int in = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (in < 0)
        return errno;
    int out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (out < 0) {
        int e = errno;
        close(in);
        return e;
    }
    char buf[65536];
    int err = 0;
    for (;;) {
        ssize_t r = read(in, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            err = errno;
            break;
        }
        if (r == 0)
            break;
        for (ssize_t w = 0; w < r;) {
            ssize_t k = write(out, buf + w, (size_t)(r - w));
            if (k < 0 && errno == EINTR)
                continue;
            if (k < 0) {
                err = errno;
                break;
            }
            w += k;
        }
        if (err != 0)
            break;
        *bytes += (uint64_t)r;
    }
    close(in);
    if (close(out) != 0 && err == 0)
        err = errno;
    return err;
}

int audit_snapshot_make(struct audit_snapshot *s, const char *data_dir, char *msg, size_t msglen)
{
    memset(s, 0, sizeof *s);
    char *current = path_join(data_dir, "CURRENT");
    if (current == NULL)
        return YC_ENOMEM;
    struct stat sb;
    int have = stat(current, &sb) == 0 && S_ISREG(sb.st_mode);
    free(current);
    if (!have) {
        audit_msgf(msg, msglen, "no database in %s (no CURRENT file): is this a node's home?",
                   data_dir);
        return YC_ECONFIG;
    }
    const char *tmp = getenv("TMPDIR");
    if (tmp == NULL || tmp[0] == '\0')
        tmp = "/tmp";
    s->dir = path_join(tmp, "yuchain-audit-XXXXXX");
    if (s->dir == NULL)
        return YC_ENOMEM;
    if (mkdtemp(s->dir) == NULL) {
        audit_msgf(msg, msglen, "cannot make a private copy of the database under %s: %s", tmp,
                   strerror(errno));
        free(s->dir);
        s->dir = NULL;
        return YC_EIO;
    }
    /* Only the tables the current manifest names are linked: a table it does not name
     * (a compaction's unfinished output) may carry a number LevelDB hands out again, and
     * LevelDB creates new files with O_TRUNC: through a link that would truncate the
     * home's file. Such garbage is not copied at all (LevelDB would delete it). */
    struct store_files live;
    struct store_damage dmg;
    char lerr[300];
    int lrc = store_live_files(data_dir, &live, &dmg, lerr, sizeof lerr);
    if (lrc != YC_OK) {
        if (lrc == YC_ECORRUPT)
            audit_msgf(msg, msglen, "%s/%s is damaged at byte %llu: %s", data_dir, dmg.file,
                       (unsigned long long)dmg.offset, dmg.what);
        else
            audit_msgf(msg, msglen, "%s", lerr);
        audit_snapshot_remove(s);
        return lrc == YC_ENOTFOUND ? YC_ECONFIG : lrc;
    }
    DIR *d = opendir(data_dir);
    if (d == NULL) {
        audit_msgf(msg, msglen, "cannot list %s: %s", data_dir, strerror(errno));
        audit_snapshot_remove(s);
        return YC_EIO;
    }
    int rc = YC_OK;
    struct dirent *e;
    while (rc == YC_OK && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "LOCK") == 0)
            continue;
        char *src = path_join(data_dir, e->d_name);
        char *dst = path_join(s->dir, e->d_name);
        if (src == NULL || dst == NULL) {
            rc = YC_ENOMEM;
        } else if (lstat(src, &sb) != 0 || !S_ISREG(sb.st_mode)) {
            /* LevelDB keeps only regular files here; anything else is not read */
        } else if (ends_with(e->d_name, ".ldb") || ends_with(e->d_name, ".sst")) {
            if (!store_files_is_live_table(&live, e->d_name)) {
                s->skipped++;
            } else if (link(src, dst) == 0) {
                s->linked++;
            } else {
                int err2 = copy_file(src, dst, &s->bytes);
                if (err2 != 0) {
                    audit_msgf(msg, msglen, "cannot copy %s into the private copy %s: %s", src,
                               s->dir, strerror(err2));
                    rc = YC_EIO;
                } else {
                    s->copied++;
                }
            }
        } else {
            int err = copy_file(src, dst, &s->bytes);
            if (err != 0) {
                audit_msgf(msg, msglen, "cannot copy %s into the private copy %s: %s", src, s->dir,
                           strerror(err));
                rc = YC_EIO;
            } else {
                s->copied++;
            }
        }
        free(src);
        free(dst);
    }
    closedir(d);
    store_files_cleanup(&live);
    if (rc != YC_OK)
        audit_snapshot_remove(s);
    return rc;
}

void audit_snapshot_remove(struct audit_snapshot *s)
{
    if (s == NULL || s->dir == NULL)
        return;
    DIR *d = opendir(s->dir);
    if (d != NULL) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char *p = path_join(s->dir, e->d_name);
            if (p != NULL)
                unlink(p);
            free(p);
        }
        closedir(d);
    }
    rmdir(s->dir);
    free(s->dir);
    s->dir = NULL;
}
