/*
 * helper_pbft.h — fixtures for the consensus unit tests: a genesis of n validators
 * with fixed keys, their signers, proposal blocks, and a ready-draining helper.
 */
#ifndef HELPER_PBFT_H
#define HELPER_PBFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/block.h"
#include "yc/genesis.h"
#include "yc/keys.h"
#include "yc/pbft.h"

struct fx {
    struct yc_genesis g;
    yc_signer *signers[YC_MAX_VALIDATORS];
    uint32_t n;
};

/* Genesis "test-chain" with n validators whose secret keys are 1, 2, …, n. */
void fx_init(struct fx *fx, uint32_t n);
void fx_cleanup(struct fx *fx);
struct pbft_config fx_config(const struct fx *fx, uint32_t self);
/* Encodes an empty proposal (heap, caller frees with yc_free) and its digest. */
uint8_t *fx_block(const struct fx *fx, uint64_t height, uint64_t view, uint32_t proposer,
                  const uint8_t prev[YC_HASH_LEN], uint64_t time_ms, size_t *len,
                  uint8_t digest[YC_HASH_LEN]);

/* A copy of one ready, owned by the test. */
struct fx_ready {
    size_t nrecords, nmsgs, nproposals, nevidence;
    uint8_t *records[64];
    size_t record_len[64];
    uint8_t *msgs[64];
    size_t msg_len[64];
    uint32_t msg_to[64];
    struct pbft_proposal proposals[8];
    bool has_commit;
    struct pbft_commit commit;
    bool want_proposal;
    uint64_t height, view;
};
/* Reads the node's ready (if any), copies it, advances. Returns false if none. */
bool fx_drain(pbft_node *n, struct fx_ready *r);
void fx_ready_free(struct fx_ready *r);

#endif

/* ---- a small cluster driven by hand (FIFO delivery, no faults unless asked) ---- */

#define CL_MAXQ 4096
struct cl_msg {
    uint32_t from, to;
    uint8_t *bytes;
    size_t len;
};
struct cluster {
    struct fx fx;
    uint32_t n;
    pbft_node *nodes[8];
    bool mute[8];       /* drop everything this node sends */
    bool autopropose;   /* propose when asked */
    bool reject_blocks; /* answer every proposal with ok = false */
    struct cl_msg q[CL_MAXQ];
    size_t nq;
    uint8_t *journal[8][64];
    size_t journal_len[8][64];
    size_t njournal[8];
    bool committed[8];
    struct pbft_commit commit[8]; /* block pointer owned here */
    size_t nevidence[8];
    bool want[8];
    uint64_t now;
    uint64_t height; /* the height all nodes are at */
    uint8_t prev[YC_HASH_LEN];
};
void cl_init(struct cluster *c, uint32_t n);
void cl_cleanup(struct cluster *c);
/* Handles every node's ready: journal, queue messages, answer proposals, propose,
 * keep commits. */
void cl_pump(struct cluster *c);
/* Delivers queued messages in order until none is left. */
void cl_run(struct cluster *c);
/* Advances every node's clock by ms and ticks it. */
void cl_tick(struct cluster *c, uint64_t ms);
/* Restarts node i from its journal (at the cluster's height). */
void cl_restart(struct cluster *c, uint32_t i);
/* Drops every queued message. */
void cl_drop_all(struct cluster *c);

/* Type of a message (1 preprepare … 5 newview) and its view, via the real decoder. */
int fx_msg_type(const uint8_t *b, size_t len, uint32_t n, uint64_t *view);
/* Removes queued messages of `type` (0: all) from the cluster queue. */
void cl_drop_type(struct cluster *c, int type);
/* Signed vote message by validator `from` (PRE-PREPARE when block != NULL). */
uint8_t *fx_vote_msg(const struct fx *fx, int type, uint32_t from, uint64_t h, uint64_t v,
                     const uint8_t digest[YC_HASH_LEN], const uint8_t *block, size_t blen,
                     size_t *len);
