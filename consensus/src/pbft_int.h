/*
 * pbft_int.h — internals of the PBFT state machine, shared by the .c files of consensus/src.
 *
 * Files: pbft.c (entry points: life cycle, inputs), state.c (view slots, blocks, own
 * votes), normal.c (PRE-PREPARE, PREPARE, COMMIT rules), viewchange.c (VIEW-CHANGE,
 * NEW-VIEW, the f+1 rule), journal.c (restoring from the journal), wire.c (message
 * and record grammars, docs/design/pbft.md §4–5), sign.c (deterministic signing, the
 * verified-signature cache), out.c (the ready queue and hand-off).
 *
 * Invariants kept across the files:
 *   - every vote this node signs goes through pbft__vote(), which consults `myvotes`
 *     (restored from the journal) and refuses a second digest for one (view, phase);
 *   - a journal record is queued before the message that carries its vote, and
 *     pbft_ready() hands out records before messages (persist-before-send);
 *   - nothing from the network is trusted before its signature has been checked;
 *     no input from the network reaches an assert.
 */
#ifndef YC_PBFT_INT_H
#define YC_PBFT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/block.h"
#include "yc/buf.h"
#include "yc/codec.h"
#include "yc/pbft.h"

#define PBFT_SLOTS 4               /* view slots kept per height: cur-1 .. cur+2 */
#define PBFT_AHEAD 2               /* votes up to cur+2 are kept for later */
#define PBFT_MAX_VIEW (1ull << 32) /* larger views are refused as malformed */
#define PBFT_BLOCKS 12             /* blocks remembered per height */
#define PBFT_MAX_MYVOTES 4096      /* own votes per height; more are refused */
#define PBFT_SIGCACHE 512          /* verified-signature cache entries */
#define PBFT_FUTURE_PER_PEER 6     /* buffered messages per peer for height + 1 */
#define PBFT_MAX_TIMEOUT_SHIFT 3   /* view timeout stops doubling at base << 3 (DESIGN §7: 8x) */

enum pbft_type {
    PBFT_T_NONE = 0,
    PBFT_T_PREPREPARE = 1,
    PBFT_T_PREPARE = 2,
    PBFT_T_COMMIT = 3,
    PBFT_T_VIEWCHANGE = 4,
    PBFT_T_NEWVIEW = 5,
    PBFT_T_PREPARED = 6, /* journal only */
};

enum pbft_phase { PH_PREPARE = 0, PH_COMMIT = 1 };

enum pbft_check { CHK_UNKNOWN = 0, CHK_PENDING, CHK_OK, CHK_BAD };

/* ---- decoded wire values (pointers into the checked input) ---- */

struct pbft_wpcert {
    uint64_t view;
    uint8_t digest[YC_HASH_LEN];
    uint32_t nsigs;
    uint32_t idx[YC_MAX_VALIDATORS];
    const uint8_t *sig[YC_MAX_VALIDATORS]; /* 65 bytes each */
};

struct pbft_wvc { /* a VIEW-CHANGE body */
    uint64_t height, view;
    bool has_pc;
    struct pbft_wpcert pc;
};

struct pbft_wnvc { /* one VIEW-CHANGE carried inside a NEW-VIEW */
    uint32_t from;
    const uint8_t *body;
    size_t body_len;
    const uint8_t *sig;
};

struct pbft_wmsg {
    enum pbft_type type;
    uint32_t from;
    const uint8_t *block; /* NULL when absent */
    size_t block_len;
    const uint8_t *body; /* raw signed body */
    size_t body_len;
    const uint8_t *sig;  /* 65 bytes; NULL for a prepared record */
    const uint8_t *vote; /* NEW-VIEW: the primary's prepare signature, or NULL */
    /* body fields */
    uint64_t height, view;
    bool has_digest;
    uint8_t digest[YC_HASH_LEN];
    bool has_pc; /* VIEW-CHANGE, prepared record */
    struct pbft_wpcert pc;
    uint32_t nvcs; /* NEW-VIEW */
    struct pbft_wnvc vcs[YC_MAX_VALIDATORS];
};

/* ---- node state ---- */

struct pbft_vslot { /* one validator's vote of one phase in one view */
    bool has;
    bool evidence; /* a conflicting vote was already reported */
    uint8_t digest[YC_HASH_LEN];
    uint8_t sig[YC_SIG_LEN];
};

struct pbft_view {
    bool used;
    uint64_t view;
    bool has_pp; /* a proposal for this view is in the block table */
    uint8_t pp_digest[YC_HASH_LEN];
    bool nv_ok;    /* views > 0: a NEW-VIEW was accepted (or restored) */
    bool nv_fixed; /* the NEW-VIEW names nv_digest */
    uint8_t nv_digest[YC_HASH_LEN];
    bool nv_sent;  /* we are this view's primary and sent its NEW-VIEW */
    bool prepared; /* we hold a prepared certificate of this view */
    uint32_t nmsgs;
    struct pbft_vslot *votes[2]; /* [phase][validator] */
};

struct pbft_block {
    bool used;
    uint8_t digest[YC_HASH_LEN];
    uint8_t *bytes;
    size_t len;
    uint64_t hview;     /* header view */
    uint32_t hproposer; /* header proposer */
    enum pbft_check check;
    bool journaled; /* these bytes are in this height's journal */
    uint64_t seq;   /* insertion order, for eviction */
};

struct pbft_vcent { /* the latest VIEW-CHANGE of one validator at this height */
    bool has;
    uint64_t view;
    uint8_t *body;
    size_t body_len;
    uint8_t sig[YC_SIG_LEN];
    bool has_pc;
    uint64_t pc_view;
    uint8_t pc_digest[YC_HASH_LEN];
};

struct pbft_pcert { /* a prepared certificate held by this node */
    bool has;
    uint64_t view;
    uint8_t digest[YC_HASH_LEN];
    uint32_t nsigs;
    uint32_t idx[YC_MAX_VALIDATORS];
    uint8_t sigs[YC_MAX_VALIDATORS][YC_SIG_LEN];
};

struct pbft_myvote {
    uint64_t view;
    uint8_t phase;
    uint8_t digest[YC_HASH_LEN];
};

struct pbft_future { /* a message for height + 1, kept until this height is decided */
    uint32_t from;
    uint8_t *bytes;
    size_t len;
};

struct pbft_out { /* one batch of outputs (see pbft_ready) */
    struct pbft_record *records;
    size_t nrecords, caprecords;
    struct pbft_msg *msgs;
    size_t nmsgs, capmsgs;
    struct pbft_proposal *proposals;
    size_t nproposals, capproposals;
    struct pbft_evidence *evidence;
    size_t nevidence, capevidence;
    bool has_commit;
    struct pbft_commit commit;
};

struct pbft_node {
    const struct yc_genesis *g; /* chain id */
    const yc_signer *signer;
    struct yc_valset vs;    /* the set in force at `height` */
    uint32_t n, f, q, self; /* vs.n, its faults and quorum, own index in vs */
    uint64_t base_timeout_ms;
    uint32_t max_msgs_cfg; /* pbft_config.max_msgs_per_view */
    uint32_t max_msgs;
    enum pbft_mutant mutant;

    uint64_t height;
    uint8_t prev_hash[YC_HASH_LEN];
    uint64_t view;
    bool in_vc; /* sent VIEW-CHANGE(view), NEW-VIEW(view) not yet accepted */
    uint64_t view_start_ms;
    uint64_t now_ms;
    bool decided;    /* the commit of this height was handed out */
    bool want;       /* last reported want_proposal */
    bool want_dirty; /* want_proposal became true since the last ready */
    bool idle;       /* pbft_set_idle: the driver has no work waiting */
    uint64_t view_changes;
    uint64_t peer_height;

    /* per-validator arrays below hold YC_MAX_VALIDATORS entries, so a new set needs no
     * reallocation; entries at n and above stay zero */
    struct pbft_view slots[PBFT_SLOTS];
    struct pbft_block blocks[PBFT_BLOCKS];
    uint64_t block_seq;
    struct pbft_vcent *vcs; /* [YC_MAX_VALIDATORS] */
    struct pbft_pcert prepared;
    struct pbft_myvote *myvotes;
    size_t nmyvotes, capmyvotes;
    uint32_t nevidence_height; /* evidence items reported at this height */

    uint8_t (*sigcache)[YC_HASH_LEN]; /* [PBFT_SIGCACHE] */
    uint32_t sigcache_next, sigcache_len;

    struct pbft_future *future; /* [YC_MAX_VALIDATORS * PBFT_FUTURE_PER_PEER] */
    size_t nfuture;
    size_t *future_bytes; /* [YC_MAX_VALIDATORS] buffered bytes per peer */

    struct pbft_out pending;  /* produced since the last pbft_ready */
    struct pbft_out inflight; /* handed out by pbft_ready, freed by pbft_advance */
};

/* ---- wire.c ---- */
extern const char *const pbft__type_name[];
/* Decodes a message or journal record (canonical check included). Returns YC_OK,
 * YC_EBADMSG, or a codec error. `n` bounds validator indices. */
int pbft__decode(struct pbft_wmsg *m, const uint8_t *p, size_t len, uint32_t n);
/* Decodes a vote body (PRE-PREPARE, PREPARE, COMMIT) of phase `phase` (ids.c too). */
int pbft__decode_vote_body(const uint8_t *p, size_t len, const char *phase, uint64_t *height,
                           uint64_t *view, uint8_t digest[YC_HASH_LEN]);
/* Decodes a VIEW-CHANGE body (already canonical-checked as part of a message). */
int pbft__decode_vc_body(struct pbft_wvc *vc, const uint8_t *p, size_t len, uint32_t n);
/* Body encoders (append to out). */
int pbft__enc_vote_body(struct yc_buf *out, enum pbft_phase ph, uint64_t h, uint64_t v,
                        const uint8_t digest[YC_HASH_LEN]);
int pbft__enc_vc_body(struct yc_buf *out, uint64_t h, uint64_t v, const struct pbft_pcert *pc);
int pbft__enc_nv_body(struct yc_buf *out, uint64_t h, uint64_t v, const uint8_t *digest,
                      const struct pbft_vcent *const *vcs, const uint32_t *from, uint32_t nvcs);
/* Envelope: {block?, body, from, sig, type, vote?}. */
int pbft__enc_msg(struct yc_buf *out, enum pbft_type t, uint32_t from, const uint8_t *block,
                  size_t block_len, const uint8_t *body, size_t body_len,
                  const uint8_t sig[YC_SIG_LEN], const uint8_t *vote);
/* Journal record of a prepared certificate: {block?, height, prepared, type}. */
int pbft__enc_prepared(struct yc_buf *out, uint64_t h, const struct pbft_pcert *pc,
                       const uint8_t *block, size_t block_len);
const char *pbft__phase_name(enum pbft_phase ph);

/* ---- sign.c ---- */
/* Signs msg32 with aux = H("yuchain/pbft/aux/v1", chain, msg32). */
int pbft__sign(pbft_node *n, uint8_t sig[YC_SIG_LEN], const uint8_t msg32[YC_HASH_LEN]);
/* Verifies validator v's signature over msg32, through the node's cache. */
bool pbft__verify(pbft_node *n, uint32_t v, const uint8_t msg32[YC_HASH_LEN],
                  const uint8_t sig[YC_SIG_LEN]);
void pbft__vote_hash(const pbft_node *n, uint8_t out[YC_HASH_LEN], enum pbft_phase ph, uint64_t v,
                     const uint8_t digest[YC_HASH_LEN]);
void pbft__body_hash(const pbft_node *n, uint8_t out[YC_HASH_LEN], const uint8_t *body, size_t len);

/* ---- out.c ---- */
int pbft__out_record(pbft_node *n, const uint8_t *p, size_t len);
int pbft__out_msg(pbft_node *n, uint32_t to, const uint8_t *p, size_t len);
int pbft__out_proposal(pbft_node *n, uint64_t view, const struct pbft_block *b);
int pbft__out_evidence(pbft_node *n, uint32_t validator, uint8_t *a, size_t alen, uint8_t *b,
                       size_t blen);
void pbft__out_free(struct pbft_out *o);
bool pbft__out_empty(const struct pbft_out *o);

/* ---- pbft.c ---- */
uint32_t pbft__quorum(const pbft_node *n);
bool pbft__mutant(const pbft_node *n, enum pbft_mutant m);
uint64_t pbft__timeout(const pbft_node *n, uint64_t view);

/* ---- state.c ---- */
/* The slot of `view`, or NULL; with create, a new one if the view is in the kept
 * window [view - 1, view + PBFT_AHEAD] (reusing a slot outside it). */
struct pbft_view *pbft__slot(pbft_node *n, uint64_t view, bool create);
void pbft__slot_clear(pbft_node *n, struct pbft_view *s);
uint32_t pbft__count_votes(const pbft_node *n, const struct pbft_view *s, enum pbft_phase ph,
                           const uint8_t digest[YC_HASH_LEN]);
struct pbft_block *pbft__block_find(pbft_node *n, const uint8_t digest[YC_HASH_LEN]);
/* Decodes a proposal's header and checks it (chain, height, parent, proposer of its
 * header view), stores a copy of the block; *out gets the entry. The body is the
 * driver's to decode and check (pbft_block_checked). Returns YC_OK, YC_EBADBLOCK, YC_ELIMIT, YC_ENOMEM. */
int pbft__block_add(pbft_node *n, const uint8_t *bytes, size_t len, const uint8_t *want_digest,
                    struct pbft_block **out);
const struct pbft_myvote *pbft__myvote(const pbft_node *n, uint64_t view, enum pbft_phase ph);
/* Signs this node's vote and, if `emit`, queues it (record first, then message; a vote
 * cast before is re-sent, not re-recorded). `block` (may be NULL) makes it a
 * PRE-PREPARE. Without `emit` the caller journals and sends the signature inside its
 * own message (NEW-VIEW). Returns YC_OK, YC_EEXIST if a different digest was signed for
 * (view, phase) already, or an error. *sig_out (optional) gets the signature. */
int pbft__vote(pbft_node *n, enum pbft_phase ph, uint64_t view, const uint8_t digest[YC_HASH_LEN],
               const struct pbft_block *block, bool emit, uint8_t *sig_out);
int pbft__remember_vote(pbft_node *n, uint64_t view, enum pbft_phase ph,
                        const uint8_t digest[YC_HASH_LEN]);
/* Stores validator i's verified vote in slot s; reports a conflicting one as evidence.
 * Returns YC_OK, YC_EEXIST (duplicate), YC_EBADMSG (conflict). */
int pbft__store_vote(pbft_node *n, struct pbft_view *s, enum pbft_phase ph, uint32_t i,
                     const uint8_t digest[YC_HASH_LEN], const uint8_t sig[YC_SIG_LEN]);

/* ---- normal.c ---- */
void pbft__enter_view(pbft_node *n, uint64_t view, bool in_vc);
/* Applies every rule until nothing changes; updates want_proposal. */
void pbft__progress(pbft_node *n);

/* ---- viewchange.c ---- */
int pbft__on_viewchange(pbft_node *n, const struct pbft_wmsg *m, const uint8_t *raw, size_t len);
int pbft__on_newview(pbft_node *n, const struct pbft_wmsg *m);
/* Checks a prepared certificate against this height's validators and quorum. */
int pbft__check_pcert(pbft_node *n, const struct pbft_wpcert *pc);
/* Starts a view change to `view` (> current). */
int pbft__start_vc(pbft_node *n, uint64_t view);
/* Validators (this node included) whose latest VIEW-CHANGE is for the current view or
 * a later one. */
uint32_t pbft__vc_support(const pbft_node *n);
/* Sends this node's VIEW-CHANGE for the current view again (journaled already). */
int pbft__resend_vc(pbft_node *n);
/* f+1 rule and NEW-VIEW building; return true when something changed. */
bool pbft__vc_progress(pbft_node *n);
void pbft__vc_clear(pbft_node *n);

/* ---- journal.c ---- */
int pbft__restore(pbft_node *n, const struct pbft_record *journal, size_t njournal);

#endif
