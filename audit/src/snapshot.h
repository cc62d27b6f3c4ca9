/*
 * snapshot.h — the audit's private copy of a node's database, so that auditing a home
 * changes no byte in it (TESTING.md F5).
 *
 * LevelDB writes whenever it opens a database, even to read it: a new MANIFEST and log,
 * its LOCK and LOG files, and the old log folded into a table. So the audit never opens
 * the home's database: it makes a private directory under $TMPDIR (default /tmp),
 * hard-links the table files (*.ldb, *.sst) into it where the file system allows, copies
 * every other file (CURRENT, MANIFEST-*, *.log, LOG), opens that, and removes it at the
 * end. Hard links are safe here because LevelDB never writes into an existing table
 * file: it writes new tables and deletes (unlinks) obsolete ones, and unlinking a link in
 * the copy leaves the home's file as it was. New files are created with O_TRUNC, so only
 * the tables the current manifest names are linked (their numbers are below the next
 * file number, so never handed out again); a table it does not name is left out. Where
 * linking fails (another file system, read-only media) the table is copied.
 *
 * Thread-safety: one thread per snapshot.
 */
#ifndef YC_AUDIT_SNAPSHOT_H
#define YC_AUDIT_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/err.h"

struct audit_snapshot {
    char *dir;        /* the private copy (malloc'ed); NULL when none */
    uint32_t linked;  /* table files hard-linked */
    uint32_t copied;  /* files copied */
    uint32_t skipped; /* tables no version names (garbage LevelDB deletes): left out */
    uint64_t bytes;   /* bytes copied */
};

/*
 * True if a process holds LevelDB's lock on `data_dir` (a node runs on it): tested with
 * F_GETLK on data_dir/LOCK opened read-only, which takes no lock and writes nothing.
 */
/* Writes a printf-style message into msg[msglen] when msg is not NULL (the audit's way of
 * returning a reason beside an error code). */
void audit_msgf(char *msg, size_t msglen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

bool audit_db_locked(const char *data_dir);

/*
 * Makes the private copy of `data_dir`. Returns YC_OK (s filled), YC_ECONFIG (no
 * database there: no CURRENT file), YC_EIO or YC_ENOMEM with msg; on failure nothing is
 * left behind and s->dir is NULL.
 */
YC_WUR int audit_snapshot_make(struct audit_snapshot *s, const char *data_dir, char *msg,
                               size_t msglen);

/* Removes the private copy and its files; safe on a zeroed or removed snapshot. */
void audit_snapshot_remove(struct audit_snapshot *s);

#endif
