/*
 * pbft_drive.h — a minimal, deterministic driver for one PBFT node, shared by the
 * pbft_msg harness and the corpus generator (so a generated seed replays exactly).
 *
 * The driver does what the node's driver does, without I/O: it persists records to an
 * in-memory journal (those of the current height), hands messages to a callback,
 * answers every proposal at once with the current verdict, and on a commit calls
 * pbft_decided with the committed digest. A restart destroys the node and creates it
 * again from the journal, as a crashed validator would.
 */
#ifndef YC_FUZZ_PBFT_DRIVE_H
#define YC_FUZZ_PBFT_DRIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/genesis.h"
#include "yc/pbft.h"

#define FZ_JOURNAL_MAX 8192 /* records kept per height; more is a driver failure */

/* Called for every message the node sends (to: index or PBFT_BROADCAST). */
typedef void (*fz_send_cb)(void *ctx, uint32_t from, uint32_t to, const uint8_t *msg, size_t len);

struct fz_drive {
    pbft_node *node;
    struct pbft_config cfg;
    uint32_t self;             /* the node's validator index */
    uint64_t height;           /* height being decided (the node's) */
    uint8_t prev[YC_HASH_LEN]; /* hash of the last decided block (genesis hash first) */
    uint8_t **rec;             /* journal of this height */
    size_t *rec_len;
    size_t nrec;
    bool verdict_ok;    /* answer to proposals */
    bool want_proposal; /* the node waits for a block from its driver */
    uint64_t view;      /* the node's view after the last pump */
    uint64_t decided;   /* heights decided so far */
    uint64_t now;       /* last time given to the node */
    fz_send_cb send;
    void *ctx;
};

/* Creates the node `self` at height 1 (prev = genesis hash). Returns YC_OK or the
 * pbft_create error. */
int fz_drive_init(struct fz_drive *d, const struct yc_genesis *g, uint32_t self,
                  const yc_signer *signer, uint64_t now, fz_send_cb send, void *ctx);
/* Destroys the node and frees the journal. */
void fz_drive_cleanup(struct fz_drive *d);
/* Takes every ready of the node, in order: journal, messages, proposals, commit. */
void fz_drive_pump(struct fz_drive *d);
/* Crash and restart from the journal. Returns YC_OK or the pbft_create error. */
int fz_drive_restart(struct fz_drive *d);

/* Encodes an empty proposal for (height, view) by `proposer` on top of prev into a
 * yc_malloc'ed buffer (*len bytes); the caller frees it with yc_free. */
uint8_t *fz_block(const struct yc_genesis *g, uint64_t height, uint64_t view, uint32_t proposer,
                  const uint8_t prev[YC_HASH_LEN], uint64_t time_ms, size_t *len);

#endif
