/*
 * test_negative.c — TESTING.md B1n: controls that MUST be caught. A simulator that
 * catches nothing proves nothing, so each of these broken set-ups has to make the
 * checker fire (a fork between honest validators, or an honest key equivocating):
 *   - Twins of 2 keys out of 4 (more than f byzantine);
 *   - mutants built into yc_pbft_test (YC_TEST_HOOKS) and run by every validator:
 *     quorum one too small; NEW-VIEW ignoring the highest prepared certificate;
 *     COMMIT sent without a prepared quorum; the vote journal ignored on restart.
 * Seeds are fixed; each control runs until it is caught a few times.
 */
#include <stdio.h>

#include "sim.h"

static void twins2(struct sim_params *p, uint64_t seed)
{
    struct sim_rng r = {seed ^ 0x74776f74ull};
    sim_params_default(p, 4);
    p->ntwins = 2;
    p->twins[0] = (uint32_t)sim_range(&r, 0, 3);
    p->twins[1] = (p->twins[0] + 1 + (uint32_t)sim_range(&r, 0, 2)) % 4;
    p->rounds = (uint32_t)sim_range(&r, 6, 10);
    p->round_ms = sim_range(&r, 200, 700);
    p->base_timeout_ms = sim_range(&r, 300, 800);
    p->delay_max_ms = sim_range(&r, 5, 60);
    p->propose_delay_ms = 60;
}

/* sampled partitions among honest (mutant) validators, as in Twins */
static void partitions(struct sim_params *p, uint64_t seed, enum pbft_mutant m)
{
    struct sim_rng r = {seed ^ 0x6d7574ull};
    sim_params_default(p, 4);
    p->mutant = m;
    p->rounds = (uint32_t)sim_range(&r, 6, 10);
    p->round_ms = sim_range(&r, 100, 700);
    p->base_timeout_ms = sim_range(&r, 200, 800);
    p->delay_max_ms = sim_range(&r, 5, 80);
    p->drop = (double)sim_range(&r, 0, 30) / 100.0;
    p->propose_delay_ms = 40;
}

static void small_quorum(struct sim_params *p, uint64_t seed)
{
    partitions(p, seed, PBFT_MUTANT_SMALL_QUORUM);
}

/* commits lost in flight: some validators commit while the others, prepared, change
 * views without them */
static void lossy(struct sim_params *p, uint64_t seed, enum pbft_mutant m)
{
    struct sim_rng r = {seed ^ 0x6c6f7373ull};
    sim_params_default(p, 4);
    p->mutant = m;
    p->drop = (double)sim_range(&r, 25, 50) / 100.0;
    p->fault_ms = sim_range(&r, 2000, 5000);
    p->base_timeout_ms = sim_range(&r, 100, 300);
    p->delay_max_ms = sim_range(&r, 5, 40);
    p->propose_delay_ms = 20;
    p->max_height = 12;
    p->sync_ms = 3000; /* slow block sync: lagging validators change views instead */
}

static void nv_no_prepared(struct sim_params *p, uint64_t seed)
{
    lossy(p, seed, PBFT_MUTANT_NEWVIEW_NO_PREPARED);
}

static void commit_without_prepare(struct sim_params *p, uint64_t seed)
{
    lossy(p, seed, PBFT_MUTANT_COMMIT_WITHOUT_PREPARE);
}

static void forget_journal(struct sim_params *p, uint64_t seed)
{
    struct sim_rng r = {seed ^ 0x666f72ull};
    sim_params_default(p, 4);
    p->mutant = PBFT_MUTANT_FORGET_JOURNAL;
    p->crash_per_record = 0.3;
    p->restart_min_ms = 5;
    p->restart_max_ms = 200;
    p->delay_max_ms = sim_range(&r, 5, 60);
    p->fault_ms = 2000;
    p->propose_delay_ms = 40;
}

int main(int argc, char **argv)
{
    (void)argc;
    sim_set_program(argv[0]);
    struct {
        const char *name;
        sim_make_cb make;
        uint64_t base;
    } controls[] = {
        {"negative_twins2", twins2, 500000},
        {"negative_small_quorum", small_quorum, 510000},
        {"negative_newview_no_prepared", nv_no_prepared, 520000},
        {"negative_commit_without_prepare", commit_without_prepare, 530000},
        {"negative_forget_journal", forget_journal, 540000},
    };
    int missed = 0;
    for (size_t k = 0; k < sizeof controls / sizeof controls[0]; k++) {
        if (sim_sweep_negative(controls[k].name, controls[k].make, controls[k].base, 1500, 3,
                               false) == 0) {
            missed++;
        }
    }
    sim_chain_free_all();
    if (missed > 0) {
        printf("%d negative control(s) NOT caught\n", missed);
    }
    return missed == 0 ? 0 : 1;
}
