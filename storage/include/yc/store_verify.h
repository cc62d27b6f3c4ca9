/*
 * store_verify.h — checks a LevelDB directory's files against their own checksums,
 * reading only (docs/storage.md; LevelDB's table_format.md and log_format.md).
 *
 * LevelDB verifies a table block's CRC only when a read asks for it, and never looks at
 * blocks nobody reads; a byte flipped outside any value read (another height's block, a
 * key, an index entry) would go unnoticed. This check reads every file a database is
 * made of, as bytes, and verifies everything that carries a checksum:
 *
 *   CURRENT        names the manifest; the manifest's version edits name the live tables
 *                  and logs. Only those are the database (a table no edit names, such as
 *                  a compaction's unfinished output, is ignored and counted), and each of
 *                  them must be there.
 *   *.ldb, *.sst   the footer's magic number; the metaindex and index blocks; every data
 *                  block the index names (each block's 5-byte trailer: masked CRC32C of
 *                  its contents and its compression type byte)
 *   *.log,         every physical record of the write-ahead log and of the manifest
 *   MANIFEST-*     (masked CRC32C of type and payload). A record cut short by the end of
 *                  the file is the torn tail of an interrupted write, which LevelDB itself
 *                  ignores: it ends the check of that file without a finding.
 *
 * It opens files read-only and never writes, locks or renames anything, so it may run on
 * evidence. It does not parse keys or values: that a checksummed value is the right one is
 * for the ledger's own verification (hashes, signatures, certificates, state roots).
 *
 * Thread-safety: no shared state.
 */
#ifndef YC_STORE_VERIFY_H
#define YC_STORE_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/err.h"

/* The first damage found. */
struct store_damage {
    char file[256];  /* the file's name within the directory, e.g. "000005.ldb" */
    uint64_t offset; /* byte offset of the damaged block or record */
    char what[200];  /* e.g. "data block of 4012 bytes: checksum mismatch" */
};

struct store_verify_stats {
    uint32_t tables, logs, manifests; /* files checked, by kind */
    uint32_t ignored;                 /* files the database does not use (a table no version
                                       * names, such as the unfinished output of a compaction
                                       * interrupted by a shutdown; an obsolete log or
                                       * manifest): LevelDB deletes them at its next open */
    uint64_t blocks;                  /* table blocks verified (data, index, metaindex) */
    uint64_t records;                 /* log and manifest records verified */
    uint64_t bytes;                   /* bytes read */
};

/*
 * Checks every table, log and manifest file in `dir` (not its subdirectories). Returns
 * YC_OK (stats filled), YC_ECORRUPT (*damage names the first damaged file and place; the
 * other files may not have been checked), YC_ENOTFOUND (no such directory) or YC_EIO
 * (errbuf says which file could not be read). stats and damage may be NULL.
 */
YC_WUR int store_verify_files(const char *dir, struct store_verify_stats *stats,
                              struct store_damage *damage, char *errbuf, size_t errlen);

/* The files a database is made of, from its current manifest. */
struct store_files {
    char manifest[64];   /* "MANIFEST-000026" */
    uint64_t log_number; /* logs numbered >= this (or prev_log_number) are live */
    uint64_t prev_log_number;
    uint64_t next_file; /* the next file number LevelDB will use */
    uint64_t *tables;   /* numbers of the live tables (yc_malloc'ed) */
    size_t ntables;
};

/*
 * Reads CURRENT and the manifest it names (checking the manifest's checksums). Returns
 * YC_OK (*f filled; free with store_files_cleanup), YC_ENOTFOUND (no CURRENT: not a
 * database), YC_ECORRUPT (*damage says where), YC_EIO or YC_ENOMEM (errbuf).
 */
YC_WUR int store_live_files(const char *dir, struct store_files *f, struct store_damage *damage,
                            char *errbuf, size_t errlen);
void store_files_cleanup(struct store_files *f);
/* True if `name` is a table (NNNNNN.ldb or .sst) that f lists as live. */
bool store_files_is_live_table(const struct store_files *f, const char *name);

/* Masked CRC32C as LevelDB stores it (exposed for tests that forge or check records). */
uint32_t store_masked_crc32c(const uint8_t *p, size_t n);

#endif
