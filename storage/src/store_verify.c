/*
 * store_verify.c — every checksum of a LevelDB directory, verified from the bytes on
 * disk (store_verify.h). Formats: LevelDB 1.23 doc/table_format.md and log_format.md.
 *
 * Reads with pread on descriptors opened O_RDONLY; nothing is written. Every length read
 * from a file is checked against the file's size before it is used, so a damaged file
 * yields a finding, never an out-of-bounds read or an unbounded allocation (a block is
 * read only if it lies inside the file, and at most STORE_VERIFY_MAX_BLOCK bytes).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "yc/alloc.h"
#include "yc/store_verify.h"

#define TABLE_MAGIC 0xdb4775248b80fb57ull
#define FOOTER_LEN 48
#define TRAILER_LEN 5
#define LOG_BLOCK 32768
#define LOG_HEADER 7
/* Larger than any block LevelDB writes with our options (4 KiB blocks, values of at most
 * a block's bytes, YC_BLOCK_MAX_BYTES), so a larger handle is itself a finding. */
#define STORE_VERIFY_MAX_BLOCK ((uint64_t)256 << 20)

/* ---- CRC32C (Castagnoli), LevelDB's masking ---- */

static uint32_t crc_table[256];
static bool crc_ready;

static void crc_init(void)
{
    if (crc_ready)
        return;
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        crc_table[i] = c;
    }
    crc_ready = true;
}

static uint32_t crc_extend(uint32_t crc, const uint8_t *p, size_t n)
{
    crc ^= 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++)
        crc = crc_table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
    return crc ^ 0xFFFFFFFFu;
}

static uint32_t mask(uint32_t c)
{
    return ((c >> 15) | (c << 17)) + 0xa282ead8u;
}

#if defined(__x86_64__)
/* The same CRC with the SSE 4.2 instruction, 8 bytes at a time (a replay checks every
 * byte of the home: about a twentieth of the table's work). */
__attribute__((target("sse4.2"))) static uint32_t crc_extend_hw(uint32_t crc, const uint8_t *p,
                                                                size_t n)
{
    uint64_t c = crc ^ 0xFFFFFFFFu;
    for (; n >= 8; n -= 8, p += 8) {
        uint64_t v;
        memcpy(&v, p, sizeof v);
        c = __builtin_ia32_crc32di(c, v);
    }
    uint32_t c32 = (uint32_t)c;
    for (; n > 0; n--, p++)
        c32 = __builtin_ia32_crc32qi(c32, *p);
    return c32 ^ 0xFFFFFFFFu;
}
#endif

uint32_t store_masked_crc32c(const uint8_t *p, size_t n)
{
#if defined(__x86_64__)
    if (__builtin_cpu_supports("sse4.2"))
        return mask(crc_extend_hw(0, p, n));
#endif
    crc_init();
    return mask(crc_extend(0, p, n));
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* Varint of at most 10 bytes within [*pos, n). */
static bool varint(const uint8_t *p, size_t n, size_t *pos, uint64_t *v)
{
    uint64_t r = 0;
    for (unsigned shift = 0; shift < 64 && *pos < n; shift += 7) {
        uint8_t b = p[(*pos)++];
        r |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = r;
            return true;
        }
    }
    return false;
}

/* ---- one check ---- */

struct vctx {
    const char *dir;
    const char *name; /* the file being checked */
    int fd;
    uint64_t size;
    struct store_verify_stats *st;
    struct store_damage *dmg;
    char *errbuf;
    size_t errlen;
};

static int damagef(struct vctx *v, uint64_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int damagef(struct vctx *v, uint64_t off, const char *fmt, ...)
{
    if (v->dmg != NULL) {
        snprintf(v->dmg->file, sizeof v->dmg->file, "%s", v->name);
        v->dmg->offset = off;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(v->dmg->what, sizeof v->dmg->what, fmt, ap);
        va_end(ap);
    }
    return YC_ECORRUPT;
}

static int read_at(struct vctx *v, uint8_t *buf, size_t n, uint64_t off)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(v->fd, buf + got, n - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            if (v->errbuf != NULL && v->errlen > 0)
                snprintf(v->errbuf, v->errlen, "cannot read %s/%s: %s", v->dir, v->name,
                         r < 0 ? strerror(errno) : "file shrank while being read");
            return YC_EIO;
        }
        got += (size_t)r;
    }
    if (v->st != NULL)
        v->st->bytes += n;
    return YC_OK;
}

/* Snappy (format_description.txt) into a buffer of the declared size; false if the
 * stream is malformed. Only index and metaindex blocks are decompressed (to find the
 * blocks they name); a data block's checksum covers its compressed bytes. */
static bool snappy_uncompress(const uint8_t *src, size_t n, uint8_t **out, size_t *outlen)
{
    size_t pos = 0, o = 0;
    uint64_t ulen;
    if (!varint(src, n, &pos, &ulen) || ulen > STORE_VERIFY_MAX_BLOCK)
        return false;
    uint8_t *dst = yc_malloc(ulen > 0 ? (size_t)ulen : 1);
    if (dst == NULL)
        return false;
    while (pos < n) {
        uint8_t tag = src[pos++];
        size_t len, off = 0;
        if ((tag & 3) == 0) {
            len = (size_t)(tag >> 2) + 1;
            if (len > 60) {
                size_t nb = len - 60;
                if (pos + nb > n)
                    goto bad;
                len = 0;
                for (size_t i = 0; i < nb; i++)
                    len |= (size_t)src[pos + i] << (8 * i);
                len += 1;
                pos += nb;
            }
            if (pos + len > n || o + len > ulen)
                goto bad;
            memcpy(dst + o, src + pos, len);
            pos += len;
            o += len;
            continue;
        }
        if ((tag & 3) == 1) {
            if (pos + 1 > n)
                goto bad;
            len = 4 + ((tag >> 2) & 7);
            off = ((size_t)(tag >> 5) << 8) | src[pos++];
        } else if ((tag & 3) == 2) {
            if (pos + 2 > n)
                goto bad;
            len = (size_t)(tag >> 2) + 1;
            off = (size_t)src[pos] | (size_t)src[pos + 1] << 8;
            pos += 2;
        } else {
            if (pos + 4 > n)
                goto bad;
            len = (size_t)(tag >> 2) + 1;
            off = le32(src + pos);
            pos += 4;
        }
        if (off == 0 || off > o || o + len > ulen)
            goto bad;
        for (size_t i = 0; i < len; i++, o++)
            dst[o] = dst[o - off];
    }
    if (o != ulen)
        goto bad;
    *out = dst;
    *outlen = o;
    return true;
bad:
    yc_free(dst);
    return false;
}

/* Reads and checks the block at (off, size) of a table; on YC_OK and contents != NULL,
 * *contents holds its uncompressed contents (yc_free). */
static int table_block(struct vctx *v, uint64_t off, uint64_t size, const char *kind,
                       uint8_t **contents, size_t *clen)
{
    if (contents != NULL)
        *contents = NULL;
    if (size > STORE_VERIFY_MAX_BLOCK || off > v->size - FOOTER_LEN ||
        size + TRAILER_LEN > v->size - FOOTER_LEN - off)
        return damagef(v, off, "%s block of %llu bytes lies outside the file (%llu bytes)", kind,
                       (unsigned long long)size, (unsigned long long)v->size);
    uint8_t *buf = yc_malloc((size_t)size + TRAILER_LEN);
    if (buf == NULL)
        return YC_ENOMEM;
    int rc = read_at(v, buf, (size_t)size + TRAILER_LEN, off);
    if (rc != YC_OK) {
        yc_free(buf);
        return rc;
    }
    uint32_t want = le32(buf + size + 1);
    uint32_t got = store_masked_crc32c(buf, (size_t)size + 1);
    if (want != got) {
        yc_free(buf);
        return damagef(v, off, "%s block of %llu bytes: checksum mismatch", kind,
                       (unsigned long long)size);
    }
    if (v->st != NULL)
        v->st->blocks++;
    uint8_t type = buf[size];
    if (contents == NULL) {
        yc_free(buf);
        return YC_OK;
    }
    if (type == 0) {
        *contents = buf;
        *clen = (size_t)size;
        return YC_OK;
    }
    if (type == 1 && snappy_uncompress(buf, (size_t)size, contents, clen)) {
        yc_free(buf);
        return YC_OK;
    }
    yc_free(buf);
    return damagef(v, off, "%s block of %llu bytes: compression type %u cannot be read", kind,
                   (unsigned long long)size, type);
}

/* Walks a block of handles (index or metaindex) and checks each block it names. */
static int table_children(struct vctx *v, uint64_t boff, const uint8_t *b, size_t n,
                          const char *kind, const char *child)
{
    if (n < 4)
        return damagef(v, boff, "%s block too short for its restart count", kind);
    uint32_t nr = le32(b + n - 4);
    if ((uint64_t)nr * 4 + 4 > n)
        return damagef(v, boff, "%s block: %u restarts do not fit in %zu bytes", kind, nr, n);
    size_t limit = n - 4 - (size_t)nr * 4, pos = 0;
    while (pos < limit) {
        uint64_t shared, nonshared, vlen, hoff, hsize;
        if (!varint(b, limit, &pos, &shared) || !varint(b, limit, &pos, &nonshared) ||
            !varint(b, limit, &pos, &vlen) || nonshared > limit - pos ||
            vlen > limit - pos - nonshared)
            return damagef(v, boff, "%s block: an entry runs past the block", kind);
        pos += (size_t)nonshared;
        size_t vp = pos, vend = pos + (size_t)vlen;
        if (!varint(b, vend, &vp, &hoff) || !varint(b, vend, &vp, &hsize))
            return damagef(v, boff, "%s block: an entry's block handle is malformed", kind);
        int rc = table_block(v, hoff, hsize, child, NULL, NULL);
        if (rc != YC_OK)
            return rc;
        pos = vend;
    }
    return YC_OK;
}

static int check_table(struct vctx *v)
{
    uint8_t f[FOOTER_LEN];
    if (v->size < FOOTER_LEN)
        return damagef(v, 0, "%llu bytes: shorter than a table's footer",
                       (unsigned long long)v->size);
    int rc = read_at(v, f, FOOTER_LEN, v->size - FOOTER_LEN);
    if (rc != YC_OK)
        return rc;
    if (le64(f + 40) != TABLE_MAGIC)
        return damagef(v, v->size - FOOTER_LEN, "the footer's magic number is wrong");
    size_t pos = 0;
    uint64_t moff, msize, ioff, isize;
    if (!varint(f, 40, &pos, &moff) || !varint(f, 40, &pos, &msize) ||
        !varint(f, 40, &pos, &ioff) || !varint(f, 40, &pos, &isize))
        return damagef(v, v->size - FOOTER_LEN, "the footer's block handles are malformed");
    uint8_t *b = NULL;
    size_t n = 0;
    rc = table_block(v, moff, msize, "metaindex", &b, &n);
    if (rc == YC_OK)
        rc = table_children(v, moff, b, n, "metaindex", "meta");
    yc_free(b);
    if (rc != YC_OK)
        return rc;
    rc = table_block(v, ioff, isize, "index", &b, &n);
    if (rc == YC_OK)
        rc = table_children(v, ioff, b, n, "index", "data");
    yc_free(b);
    if (rc == YC_OK && v->st != NULL)
        v->st->tables++;
    return rc;
}

static int check_log(struct vctx *v, bool manifest)
{
    uint8_t *buf = yc_malloc(LOG_BLOCK);
    if (buf == NULL)
        return YC_ENOMEM;
    int rc = YC_OK;
    for (uint64_t boff = 0; boff < v->size && rc == YC_OK; boff += LOG_BLOCK) {
        size_t blen = v->size - boff < LOG_BLOCK ? (size_t)(v->size - boff) : LOG_BLOCK;
        bool last = boff + blen >= v->size;
        rc = read_at(v, buf, blen, boff);
        if (rc != YC_OK)
            break;
        size_t pos = 0;
        while (pos + LOG_HEADER <= blen) {
            uint32_t len = (uint32_t)buf[pos + 4] | (uint32_t)buf[pos + 5] << 8;
            uint8_t type = buf[pos + 6];
            if (type == 0 && len == 0)
                break; /* zero fill (preallocated space): the rest of the block is unused */
            if (pos + LOG_HEADER + len > blen) {
                if (last)
                    break; /* a torn tail: LevelDB drops it too */
                rc = damagef(v, boff + pos, "%s record of %u bytes runs past its 32 KiB block",
                             manifest ? "manifest" : "log", len);
                break;
            }
            if (type < 1 || type > 4) {
                rc = damagef(v, boff + pos, "%s record of unknown type %u",
                             manifest ? "manifest" : "log", type);
                break;
            }
            if (le32(buf + pos) != store_masked_crc32c(buf + pos + 6, (size_t)len + 1)) {
                rc = damagef(v, boff + pos, "%s record of %u bytes: checksum mismatch",
                             manifest ? "manifest" : "log", len);
                break;
            }
            if (v->st != NULL)
                v->st->records++;
            pos += LOG_HEADER + len;
        }
    }
    yc_free(buf);
    if (rc == YC_OK && v->st != NULL && !manifest)
        v->st->logs++;
    return rc;
}

/* ---- the current manifest ---- */

/* The number of a file named NNNNNN.ext (digits, a dot, then `ext`), or false. */
static bool file_number(const char *name, const char *ext, uint64_t *num)
{
    uint64_t n = 0;
    const char *p = name;
    if (*p < '0' || *p > '9')
        return false;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (n > UINT64_MAX / 10 - 1)
            return false;
        n = n * 10 + (uint64_t)(*p - '0');
    }
    if (*p != '.' || strcmp(p + 1, ext) != 0)
        return false;
    *num = n;
    return true;
}

static bool lp_skip(const uint8_t *p, size_t n, size_t *pos)
{
    uint64_t len;
    if (!varint(p, n, pos, &len) || len > n - *pos)
        return false;
    *pos += (size_t)len;
    return true;
}

static int add_table(struct store_files *f, size_t *cap, uint64_t num)
{
    for (size_t i = 0; i < f->ntables; i++)
        if (f->tables[i] == num)
            return YC_OK;
    if (f->ntables == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        uint64_t *t = yc_realloc(f->tables, nc * sizeof *t);
        if (t == NULL)
            return YC_ENOMEM;
        f->tables = t;
        *cap = nc;
    }
    f->tables[f->ntables++] = num;
    return YC_OK;
}

static void del_table(struct store_files *f, uint64_t num)
{
    for (size_t i = 0; i < f->ntables; i++) {
        if (f->tables[i] == num) {
            f->tables[i] = f->tables[--f->ntables];
            return;
        }
    }
}

/* Applies one VersionEdit (LevelDB db/version_edit.cc). False if malformed. */
static bool apply_edit(struct store_files *f, size_t *cap, const uint8_t *p, size_t n, int *rc)
{
    size_t pos = 0;
    while (pos < n) {
        uint64_t tag, a, b;
        if (!varint(p, n, &pos, &tag))
            return false;
        switch (tag) {
        case 1: /* comparator name */
            if (!lp_skip(p, n, &pos))
                return false;
            break;
        case 2:
            if (!varint(p, n, &pos, &f->log_number))
                return false;
            break;
        case 3:
            if (!varint(p, n, &pos, &f->next_file))
                return false;
            break;
        case 4: /* last sequence */
            if (!varint(p, n, &pos, &a))
                return false;
            break;
        case 5: /* compact pointer: level, internal key */
            if (!varint(p, n, &pos, &a) || !lp_skip(p, n, &pos))
                return false;
            break;
        case 6: /* deleted file: level, number */
            if (!varint(p, n, &pos, &a) || !varint(p, n, &pos, &b))
                return false;
            del_table(f, b);
            break;
        case 7: /* new file: level, number, size, smallest, largest */
            if (!varint(p, n, &pos, &a) || !varint(p, n, &pos, &b) || !varint(p, n, &pos, &a) ||
                !lp_skip(p, n, &pos) || !lp_skip(p, n, &pos))
                return false;
            *rc = add_table(f, cap, b);
            if (*rc != YC_OK)
                return true;
            break;
        case 9:
            if (!varint(p, n, &pos, &f->prev_log_number))
                return false;
            break;
        default:
            return false;
        }
    }
    return true;
}

#define MANIFEST_MAX ((uint64_t)64 << 20)

/* Reads the (checksum-checked) manifest of v and applies its edits to f. */
static int parse_manifest(struct vctx *v, struct store_files *f)
{
    if (v->size > MANIFEST_MAX)
        return damagef(v, 0, "manifest of %llu bytes, more than this tool reads",
                       (unsigned long long)v->size);
    uint8_t *buf = yc_malloc(v->size > 0 ? (size_t)v->size : 1);
    uint8_t *rec = yc_malloc(v->size > 0 ? (size_t)v->size : 1);
    size_t cap = 0, rlen = 0;
    bool in_rec = false;
    int rc = buf == NULL || rec == NULL ? YC_ENOMEM : read_at(v, buf, (size_t)v->size, 0);
    for (uint64_t boff = 0; rc == YC_OK && boff < v->size; boff += LOG_BLOCK) {
        size_t blen = v->size - boff < LOG_BLOCK ? (size_t)(v->size - boff) : LOG_BLOCK;
        const uint8_t *b = buf + boff;
        size_t pos = 0;
        while (rc == YC_OK && pos + LOG_HEADER <= blen) {
            uint32_t len = (uint32_t)b[pos + 4] | (uint32_t)b[pos + 5] << 8;
            uint8_t type = b[pos + 6];
            if ((type == 0 && len == 0) || pos + LOG_HEADER + len > blen)
                break;
            const uint8_t *payload = b + pos + LOG_HEADER;
            if (type == 1 || type == 2) {
                rlen = 0;
                in_rec = true;
            }
            if (in_rec && type >= 1 && type <= 4) {
                memcpy(rec + rlen, payload, len);
                rlen += len;
            }
            if (in_rec && (type == 1 || type == 4)) {
                int arc = YC_OK;
                if (!apply_edit(f, &cap, rec, rlen, &arc))
                    rc = damagef(v, boff + pos, "a version edit does not decode");
                else
                    rc = arc;
                in_rec = false;
            }
            pos += LOG_HEADER + len;
        }
    }
    yc_free(buf);
    yc_free(rec);
    return rc;
}

static int open_file(struct vctx *v);

int store_live_files(const char *dir, struct store_files *f, struct store_damage *damage,
                     char *errbuf, size_t errlen)
{
    crc_init();
    memset(f, 0, sizeof *f);
    if (damage != NULL)
        memset(damage, 0, sizeof *damage);
    struct vctx v = {
        .dir = dir, .name = "CURRENT", .fd = -1, .dmg = damage, .errbuf = errbuf, .errlen = errlen};
    char cur[80] = "";
    size_t n = strlen(dir) + 16;
    char *path = yc_malloc(n);
    if (path == NULL)
        return YC_ENOMEM;
    snprintf(path, n, "%s/CURRENT", dir);
    FILE *fp = fopen(path, "re");
    int e = errno;
    yc_free(path);
    if (fp == NULL) {
        if (errbuf != NULL && errlen > 0)
            snprintf(errbuf, errlen, "cannot read %s/CURRENT: %s", dir, strerror(e));
        return e == ENOENT ? YC_ENOTFOUND : YC_EIO;
    }
    size_t got = fread(cur, 1, sizeof cur - 1, fp);
    fclose(fp);
    cur[got] = '\0';
    size_t cl = strlen(cur);
    if (cl < 2 || cur[cl - 1] != '\n' || strncmp(cur, "MANIFEST-", 9) != 0 || cl > 40)
        return damagef(&v, 0, "does not name a manifest");
    cur[cl - 1] = '\0';
    char *dash = cur + 9;
    for (char *c = dash; *c; c++)
        if (*c < '0' || *c > '9')
            return damagef(&v, 0, "does not name a manifest");
    snprintf(f->manifest, sizeof f->manifest, "%.40s", cur);
    v.name = f->manifest;
    int rc = open_file(&v);
    if (rc == YC_OK) {
        rc = check_log(&v, true);
        if (rc == YC_OK)
            rc = parse_manifest(&v, f);
        close(v.fd);
    }
    if (rc != YC_OK)
        store_files_cleanup(f);
    return rc;
}

void store_files_cleanup(struct store_files *f)
{
    if (f == NULL)
        return;
    yc_free(f->tables);
    memset(f, 0, sizeof *f);
}

bool store_files_is_live_table(const struct store_files *f, const char *name)
{
    uint64_t num;
    if (!file_number(name, "ldb", &num) && !file_number(name, "sst", &num))
        return false;
    for (size_t i = 0; i < f->ntables; i++)
        if (f->tables[i] == num)
            return true;
    return false;
}

/* Opens v->name in v->dir read-only; sets v->fd and v->size. */
static int open_file(struct vctx *v)
{
    int dfd = open(v->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    v->fd = dfd < 0 ? -1 : openat(dfd, v->name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    const char *why = NULL;
    struct stat sb;
    if (v->fd < 0 || fstat(v->fd, &sb) != 0)
        why = strerror(errno);
    else if (!S_ISREG(sb.st_mode))
        why = "not a regular file";
    if (dfd >= 0)
        close(dfd);
    if (why != NULL) {
        if (v->fd >= 0)
            close(v->fd);
        v->fd = -1;
        if (v->errbuf != NULL && v->errlen > 0)
            snprintf(v->errbuf, v->errlen, "cannot read %s/%s: %s", v->dir, v->name, why);
        return YC_EIO;
    }
    v->size = (uint64_t)sb.st_size;
    return YC_OK;
}

/* Checks one file of the database if it is live (else counts it as ignored). */
static int check_file(struct vctx *v, const struct store_files *live)
{
    uint64_t num = 0;
    bool table = store_files_is_live_table(live, v->name);
    bool log =
        file_number(v->name, "log", &num) &&
        (num >= live->log_number || (live->prev_log_number != 0 && num == live->prev_log_number));
    if (strcmp(v->name, live->manifest) == 0)
        return YC_OK; /* checked while reading it */
    if (!table && !log) {
        if (v->st != NULL &&
            (file_number(v->name, "ldb", &num) || file_number(v->name, "sst", &num) ||
             file_number(v->name, "log", &num) || strncmp(v->name, "MANIFEST-", 9) == 0))
            v->st->ignored++;
        return YC_OK;
    }
    int rc = open_file(v);
    if (rc != YC_OK)
        return rc;
    rc = table ? check_table(v) : check_log(v, false);
    close(v->fd);
    v->fd = -1;
    return rc;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int store_verify_files(const char *dir, struct store_verify_stats *stats,
                       struct store_damage *damage, char *errbuf, size_t errlen)
{
    if (dir == NULL)
        return YC_EINVAL;
    crc_init();
    if (stats != NULL)
        memset(stats, 0, sizeof *stats);
    if (damage != NULL)
        memset(damage, 0, sizeof *damage);
    if (errbuf != NULL && errlen > 0)
        errbuf[0] = '\0';
    DIR *d = opendir(dir);
    if (d == NULL) {
        int e = errno;
        if (errbuf != NULL && errlen > 0)
            snprintf(errbuf, errlen, "cannot list %s: %s", dir, strerror(e));
        return e == ENOENT ? YC_ENOTFOUND : YC_EIO;
    }
    /* names sorted, so that the first finding is the same on every run */
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = YC_OK;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            char **nn = yc_realloc(names, nc * sizeof *nn);
            if (nn == NULL) {
                rc = YC_ENOMEM;
                break;
            }
            names = nn;
            cap = nc;
        }
        names[n] = yc_malloc(strlen(e->d_name) + 1);
        if (names[n] == NULL) {
            rc = YC_ENOMEM;
            break;
        }
        strcpy(names[n++], e->d_name);
    }
    closedir(d);
    if (rc == YC_OK && n > 0)
        qsort(names, n, sizeof *names, cmp_names);
    struct vctx v = {
        .dir = dir, .fd = -1, .st = stats, .dmg = damage, .errbuf = errbuf, .errlen = errlen};
    struct store_files live;
    memset(&live, 0, sizeof live);
    if (rc == YC_OK) {
        rc = store_live_files(dir, &live, damage, errbuf, errlen);
        if (rc == YC_OK && stats != NULL)
            stats->manifests++;
    }
    size_t seen = 0;
    for (size_t i = 0; i < n && rc == YC_OK; i++) {
        v.name = names[i];
        if (store_files_is_live_table(&live, names[i]))
            seen++;
        rc = check_file(&v, &live);
    }
    if (rc == YC_OK && seen != live.ntables) {
        /* name the first live table that is not there */
        for (size_t t = 0; t < live.ntables && rc == YC_OK; t++) {
            char want[40];
            bool found = false;
            for (const char *ext = "ldb";; ext = "sst") {
                snprintf(want, sizeof want, "%06llu.%s", (unsigned long long)live.tables[t], ext);
                for (size_t i = 0; i < n && !found; i++)
                    found = strcmp(names[i], want) == 0;
                if (found || strcmp(ext, "sst") == 0)
                    break;
            }
            if (!found) {
                v.name = live.manifest;
                snprintf(want, sizeof want, "%06llu.ldb", (unsigned long long)live.tables[t]);
                rc = damagef(&v, 0, "names table %s, which is missing", want);
            }
        }
    }
    store_files_cleanup(&live);
    if (rc == YC_ENOMEM && errbuf != NULL && errlen > 0 && errbuf[0] == '\0')
        snprintf(errbuf, errlen, "out of memory while checking %s", dir);
    for (size_t i = 0; i < n; i++)
        yc_free(names[i]);
    yc_free(names);
    return rc;
}
