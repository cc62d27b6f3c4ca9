/*
 * sim_int.h — internals shared by sim_core.c (network, drivers, checks) and sim_byz.c
 * (byzantine behaviours).
 */
#ifndef YC_SIM_INT_H
#define YC_SIM_INT_H

#include "sim.h"
#include "yc/driver.h"

enum ev_kind {
    EV_MSG = 1,
    EV_TICK,
    EV_SYNC,
    EV_STATUS,
    EV_BLOCK,
    EV_RESTART,
    EV_BYZ,
    EV_ROUND,
    EV_HEAL,
    EV_WAKE,   /* the driver's timer (yc_drv_io.arm) */
    EV_CHECKED /* a proposal's verdict (yc_drv_io.check), fed back */
};

struct ev {
    uint64_t t, seq;
    enum ev_kind kind;
    int dst, src;  /* instances (-1: none) */
    uint32_t from; /* sender's key id, as the authenticated transport says */
    uint8_t *data;
    size_t len;
    uint64_t arg;
    bool must_refuse; /* crafted bad message: the receiver must not accept it */
};

struct jrec {
    uint64_t height;
    uint8_t *bytes;
    size_t len;
};

struct chainent {
    uint8_t hash[YC_HASH_LEN];
    uint64_t time_ms;
    uint8_t *block;
    size_t len;
    struct yc_cert *cert;
};

struct sim;
struct sim_io { /* which instance of which run a driver effect is for */
    struct sim *s;
    int i;
};

struct inst {
    uint32_t vid; /* key id (its validator index while no set changed) */
    bool honest;  /* its key is honest: checked for safety, equivocation, liveness */
    enum sim_byz byz;
    yc_drv *drv;        /* NULL while crashed, and for a silent validator or an observer */
    struct sim_io io;   /* the driver's effects' context */
    uint8_t *built;     /* the last block it built (yc_malloc'ed) */
    bool crash_pending; /* the power is cut once the current input returns */
    bool alive;
    struct jrec *journal;
    size_t njournal, capjournal;
    uint64_t height; /* committed */
    struct chainent chain[SIM_MAX_HEIGHT + 1];
    uint32_t group;                /* partition */
    uint64_t cur_height, cur_view; /* its driver's position */
    uint64_t proposals;            /* blocks proposed, to vary times */
    uint64_t vc_seen;              /* view changes reported by the current driver */
    uint8_t *seen[16];             /* replay memory (byzantine) */
    size_t seen_len[16];
    uint32_t nseen;
};

#define SIM_VOTES 8192
struct votekey {
    bool used;
    uint32_t vid;
    uint8_t phase;
    uint64_t height, view;
    uint8_t digest[YC_HASH_LEN];
};

struct sim {
    const struct sim_params *p;
    struct sim_rng rng;
    const struct sim_chain *c;
    struct yc_valset sets[SIM_MAX_CHANGES + 1]; /* genesis's, then each change's */
    struct inst inst[SIM_MAX_INST];
    int ninst;
    struct ev *heap;
    size_t nheap, capheap;
    uint64_t now, seq;
    double drop, dup;
    uint64_t dmin, dmax;
    bool faults; /* fault phase still on */
    uint64_t heal_at, goal, deadline;
    bool has_committed[SIM_MAX_HEIGHT + 1];
    uint8_t committed[SIM_MAX_HEIGHT + 1][YC_HASH_LEN];
    int committed_by[SIM_MAX_HEIGHT + 1];
    struct votekey *votes;
    uint8_t certs_ok[64][YC_HASH_LEN]; /* certificates already verified (by hash) */
    uint32_t ncerts_ok;
    struct sim_result *res;
    bool stop;
};

void sim__push(struct sim *s, struct ev e);
/* The validator set in force at height h; as instance in sees it (the late-switch
 * negative control sees each set one height late). */
const struct yc_valset *sim__set_at(const struct sim *s, uint64_t h);
const struct yc_valset *sim__inst_set(const struct sim *s, const struct inst *in, uint64_t h);
/* Index of key id `key` in vs, or -1. */
int sim__key_index(const struct sim *s, const struct yc_valset *vs, uint32_t key);
/* Sends bytes from instance src to validator `to` (its index in the set src is at, or
 * PBFT_BROADCAST) through the faulty network. */
void sim__send(struct sim *s, int src, uint32_t to, const uint8_t *p, size_t len, bool must_refuse);
/* Same, but to one instance. */
void sim__send_inst(struct sim *s, int src, int dst, enum ev_kind kind, uint32_t from,
                    const uint8_t *p, size_t len, uint64_t arg, bool must_refuse);
void sim__fail(struct sim *s, bool *flag, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void sim__log(const struct sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* sim_byz.c */
/* A byzantine instance's node wants to send msg: decide what actually goes out. */
void sim__byz_outgoing(struct sim *s, int i, uint32_t to, const uint8_t *msg, size_t len);
/* Periodic misbehaviour. */
void sim__byz_act(struct sim *s, int i);
/* Remember a received message (replay). */
void sim__byz_seen(struct sim *s, int i, const uint8_t *msg, size_t len);

#endif
