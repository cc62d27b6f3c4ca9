/*
 * sim.h — a deterministic simulator of PBFT validators (TESTING.md B1, B1n, B3, B4).
 *
 * Every validator instance runs the real state machine (consensus/include/yc/pbft.h)
 * behind the driver yuchaind runs (consensus/include/yc/driver.h), whose effects are the
 * simulator's: persist the journal records, send the messages, execute proposals, store
 * commits (checking each certificate with yc_cert_verify), build blocks, and
 * block-sync from peers.
 * The network is an event queue in simulated milliseconds with a seeded RNG: drop,
 * delay (hence reordering), duplicate, partitions and heal. Instances crash (losing
 * everything but their journal and chain) and restart. Byzantine instances hold a
 * validator key and misbehave (sim_byz.c). One seed fixes the whole run.
 *
 * Checked as the run goes: safety (no two honest instances store different blocks
 * at one height) after every delivery, equivocation (no honest key signs two digests
 * for one height, view and phase, read from the messages actually sent), refusal of
 * crafted bad messages; after the network heals, liveness (every honest instance
 * reaches the goal height before a deadline).
 */
#ifndef YC_SIM_H
#define YC_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/block.h"
#include "yc/genesis.h"
#include "yc/keys.h"
#include "yc/pbft.h"

#define SIM_MAX_INST 16
#define SIM_MAX_HEIGHT 64
#define SIM_SPARE_KEYS 2 /* keys beyond genesis's validators, for validators added later */
#define SIM_MAX_CHANGES 4

enum sim_byz {
    SIM_HONEST = 0,
    SIM_BYZ_SILENT,     /* never sends anything */
    SIM_BYZ_EQUIVOCATE, /* as primary, different blocks to different peers; double votes */
    SIM_BYZ_GARBAGE,    /* random bytes, flipped bits (bad signatures), wrong sender */
    SIM_BYZ_HUGE_VIEW,  /* signed messages with huge view numbers */
    SIM_BYZ_BAD_PCERT,  /* VIEW-CHANGEs with invalid prepared certificates, bad NEW-VIEWs */
    SIM_BYZ_REPLAY,     /* replays old-view and old-height messages */
    SIM_BYZ_PHASE_SWAP, /* PREPARE bytes sent as COMMIT */
    SIM_BYZ_BAD_BLOCK,  /* as primary, proposes blocks that do not execute */
    SIM_BYZ_COUNT
};

/* From `height` on, the validator set is keys[0..n) (key ids: 0..n-1 are genesis's
 * validators, then SIM_SPARE_KEYS spare keys), as a governance change would make it. */
struct sim_change {
    uint64_t height;
    uint32_t n;
    uint32_t keys[8];
};

struct sim_params {
    uint32_t n;        /* validators at genesis */
    uint32_t twins[4]; /* validator indices run by two instances */
    uint32_t ntwins;
    enum sim_byz byz[YC_MAX_VALIDATORS];        /* per validator */
    enum pbft_mutant mutant;                    /* for every instance */
    struct sim_change changes[SIM_MAX_CHANGES]; /* validator-set changes, by height */
    uint32_t nchanges;
    bool late_switch;  /* negative control: the instance of key late_key takes */
    uint32_t late_key; /* each set one height after it is in force */
    uint64_t base_timeout_ms;
    /* network during the fault phase */
    double drop, dup;
    uint64_t delay_min_ms, delay_max_ms;
    uint32_t partitions; /* random partition changes during the fault phase */
    uint32_t rounds;     /* Twins: rounds, each with a sampled partition */
    uint64_t round_ms;
    uint64_t fault_ms; /* length of the fault phase (rounds override) */
    /* crashes */
    double crash_per_record; /* chance to crash right after persisting a record */
    uint64_t restart_min_ms, restart_max_ms;
    uint64_t propose_delay_ms; /* a primary proposes this long after being asked */
    uint64_t sync_ms;          /* block-sync announcement period */
    /* goal */
    uint64_t min_height;  /* heights every honest instance must reach */
    uint64_t max_height;  /* primaries stop proposing beyond (goal excepted) */
    uint64_t deadline_ms; /* after healing */
    bool verbose;
};

struct sim_result {
    bool safety;       /* violated */
    bool equivocation; /* an honest key signed two digests */
    bool liveness;     /* goal not reached */
    bool refusal;      /* a crafted bad message was accepted */
    bool error;        /* the driver saw an impossible output or return code */
    bool badcert;      /* a committed block's certificate or parent link fails to verify */
    char why[256];
    uint64_t heights, deliveries, view_changes, max_view, crashes, refused, evidence;
};

/* Runs one scenario. Returns true when no check failed. */
bool sim_run(const struct sim_params *p, uint64_t seed, struct sim_result *res);

/* ---- shared pieces (sim_*.c) ---- */

/* splitmix64 */
struct sim_rng {
    uint64_t s;
};
uint64_t sim_rand(struct sim_rng *r);
uint64_t sim_range(struct sim_rng *r, uint64_t lo, uint64_t hi); /* inclusive */
bool sim_chance(struct sim_rng *r, double p);

/* The fixed genesis and keys of an n-validator chain (built once per n): key id k < n is
 * validator k of genesis, keys n .. n + SIM_SPARE_KEYS - 1 are spares. */
struct sim_chain {
    struct yc_genesis g;
    yc_signer *signers[YC_MAX_VALIDATORS + SIM_SPARE_KEYS];
    uint8_t pubs[YC_MAX_VALIDATORS + SIM_SPARE_KEYS][YC_PUBKEY_LEN];
    struct yc_tx tx; /* the one transaction every simulated block carries */
};
const struct sim_chain *sim_chain_get(uint32_t n);
void sim_chain_free_all(void);

/* The state root a valid simulated block must carry. */
void sim_state_root(uint8_t out[YC_HASH_LEN], uint64_t height, const uint8_t prev[YC_HASH_LEN]);
/* The outcome a valid simulated block records for its transaction at `height` (ok, or a
 * failure every other height), so that replicas agree on outcomes, not only on roots. */
int sim_outcome(uint64_t height);
/* Encodes a proposal with the chain's one transaction and its outcome (yc_malloc'ed);
 * `valid` false gives a wrong state root. */
uint8_t *sim_block(const struct sim_chain *c, uint64_t height, uint64_t view, uint32_t proposer,
                   const uint8_t prev[YC_HASH_LEN], uint64_t time_ms, bool valid, size_t *len,
                   uint8_t digest[YC_HASH_LEN]);

/* Wire (docs/design/pbft.md §4), written independently of consensus/. */
struct sim_vote {
    int type; /* 1 preprepare, 2 prepare, 3 commit, 4 viewchange, 5 newview */
    uint32_t from;
    uint64_t height, view;
    bool has_digest;
    uint8_t digest[YC_HASH_LEN]; /* the signed vote's digest (NEW-VIEW: its PREPARE) */
    bool prepare_vote;           /* the message carries a PREPARE-phase vote signature */
};
/* Parses the fields the checker needs. Returns false if it is not a valid message. */
bool sim_parse(const uint8_t *p, size_t len, struct sim_vote *v);
/* Signed vote message of validator `from` (a PRE-PREPARE when block != NULL). */
uint8_t *sim_craft_vote(const struct sim_chain *c, int type, uint32_t from, uint64_t height,
                        uint64_t view, const uint8_t digest[YC_HASH_LEN], const uint8_t *block,
                        size_t block_len, size_t *len);
/* VIEW-CHANGE of `from` to `view`, with an optional certificate (sigs of `signers`
 * over the `phase` vote of (height, pc_view, digest)) and block. */
uint8_t *sim_craft_vc(const struct sim_chain *c, uint32_t from, uint64_t height, uint64_t view,
                      bool has_pc, uint64_t pc_view, const uint8_t digest[YC_HASH_LEN],
                      const uint32_t *signers, uint32_t nsigners, const char *phase,
                      const uint8_t *block, size_t block_len, size_t *len);
/* NEW-VIEW of `from` for `view` carrying the given VIEW-CHANGE messages' bodies. */
uint8_t *sim_craft_nv(const struct sim_chain *c, uint32_t from, uint64_t height, uint64_t view,
                      uint8_t *const *vcs, const size_t *vc_lens, uint32_t nvcs,
                      const uint8_t *digest, const uint8_t *block, size_t block_len, size_t *len);
/* Re-encodes a message with its envelope "type" replaced (for phase swaps). */
uint8_t *sim_retype(const uint8_t *p, size_t len, const char *type, size_t *outlen);

/* Scenario families: sampled parameters per seed. */
void sim_params_default(struct sim_params *p, uint32_t n);

/* Runs `count` seeds from `base` through `make` (which fills params from the seed).
 * Prints each failing seed with its reason and the replay command; with env YC_SEED
 * (and optionally YC_FAMILY) set, runs only that seed, verbosely. Returns the number of
 * failing seeds. */
typedef void (*sim_make_cb)(struct sim_params *p, uint64_t seed);
/* Names the executable in replay hints (argv[0]). */
void sim_set_program(const char *argv0);
int sim_sweep(const char *family, sim_make_cb make, uint64_t base, uint32_t count);
/* Negative control: runs up to `count` seeds until `need` are caught (a fork or an
 * equivocation; with `badcert`, also a commit whose certificate fails against the set in
 * force at its height); returns the number caught. */
uint32_t sim_sweep_negative(const char *family, sim_make_cb make, uint64_t base, uint32_t count,
                            uint32_t need, bool badcert);

#endif
