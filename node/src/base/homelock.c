/*
 * homelock.c — the home's .lock and .cookie (see home.h).
 *
 * The lock is flock(2) on .lock: the kernel drops it when the process dies, so a
 * crashed node never leaves a stale lock; the pid written inside only serves the
 * message shown to a second node. flock locks belong to the open file description,
 * so even a second open in the same process conflicts.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "home.h"
#include "yc/cliutil.h"

int yc_home_lock(const struct yc_home *h, int *fd, char *err, size_t errlen)
{
    *fd = -1;
    int f = open(h->lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (f < 0) {
        snprintf(err, errlen, "cannot open %s: %s", h->lock, strerror(errno));
        return YC_EIO;
    }
    if (flock(f, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        if (e == EWOULDBLOCK) {
            char pid[32] = "";
            ssize_t r = pread(f, pid, sizeof pid - 1, 0);
            pid[r > 0 ? r : 0] = '\0';
            pid[strcspn(pid, "\n")] = '\0';
            snprintf(err, errlen,
                     "home %s is in use by another yuchaind (pid %s); stop it "
                     "first or choose another --home",
                     h->dir, pid[0] ? pid : "unknown");
            close(f);
            return YC_EBUSY;
        }
        snprintf(err, errlen, "cannot lock %s: %s", h->lock, strerror(e));
        close(f);
        return YC_EIO;
    }
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(f, 0) != 0 || pwrite(f, pid, (size_t)n, 0) != n) {
        snprintf(err, errlen, "cannot write %s: %s", h->lock, strerror(errno));
        close(f);
        return YC_EIO;
    }
    *fd = f;
    return YC_OK;
}

void yc_home_unlock(int fd)
{
    if (fd >= 0)
        close(fd); /* closing the last descriptor releases the flock */
}

int yc_home_write_cookie(const struct yc_home *h, char hex[65])
{
    uint8_t raw[32];
    if (sodium_init() < 0)
        return YC_EIO;
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(hex, 65, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    /* unlink first: a cookie left by a crash may have other permissions */
    if (unlink(h->cookie) != 0 && errno != ENOENT)
        return YC_EIO;
    return yc_file_write_atomic(h->cookie, hex, 64, 0600, true);
}

void yc_home_remove_cookie(const struct yc_home *h)
{
    unlink(h->cookie);
}
