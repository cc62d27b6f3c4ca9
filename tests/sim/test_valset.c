/*
 * test_valset.c — validator-set changes (DESIGN.md §7, docs/formats.md "Validator
 * set"): the set changes at fixed heights, as governance transactions make it change
 * (a key added, a key removed, a key replaced in place), while validators crash and
 * restart, the network drops and partitions, a validator stays silent (so view changes
 * happen at and across the switch heights), or a key is run by Twins. Every node
 * switches at exactly the height in force; every certificate is checked against the
 * set of its height; a removed key's instance stops voting and follows the chain as an
 * observer, an added key's instance starts voting once it has the block before.
 *
 * Negative control: one instance takes each set a height late. With one such instance
 * quorum intersection still prevents a fork, but it commits with the old set's quorum
 * and signers, which the certificate check against the set in force must catch.
 */
#include <stdio.h>

#include "sim.h"

/* 4 validators → add key 4 → remove key 0 → replace key 2 by key 5, from height a. */
static void schedule(struct sim_params *p, struct sim_rng *r)
{
    uint64_t a = sim_range(r, 2, 4), b = a + sim_range(r, 1, 3), c = b + sim_range(r, 1, 3);
    static const struct sim_change add = {0, 5, {0, 1, 2, 3, 4}};
    static const struct sim_change rem = {0, 4, {1, 2, 3, 4}};
    static const struct sim_change rep = {0, 4, {1, 5, 3, 4}};
    p->changes[0] = add;
    p->changes[0].height = a;
    p->changes[1] = rem;
    p->changes[1].height = b;
    p->changes[2] = rep;
    p->changes[2].height = c;
    p->nchanges = 3;
    p->min_height = c + 2;
    p->max_height = c + 3;
}

static void crashes(struct sim_params *p, uint64_t seed)
{
    struct sim_rng r = {seed ^ 0x76616c63ull};
    sim_params_default(p, 4);
    schedule(p, &r);
    p->crash_per_record = (double)sim_range(&r, 5, 25) / 100.0;
    p->restart_min_ms = 20;
    p->restart_max_ms = sim_range(&r, 100, 1500);
    p->drop = (double)sim_range(&r, 0, 10) / 100.0;
    p->delay_max_ms = sim_range(&r, 5, 100);
    p->partitions = (uint32_t)sim_range(&r, 0, 2);
    p->fault_ms = sim_range(&r, 500, 3000);
    p->base_timeout_ms = sim_range(&r, 300, 800);
    p->propose_delay_ms = 60;
}

/* a silent key (the one removed, or one that stays): its turns as primary end in view
 * changes, at the switch heights too */
static void viewchanges(struct sim_params *p, uint64_t seed)
{
    static const uint32_t silent[] = {0, 1, 3};
    struct sim_rng r = {seed ^ 0x76616c76ull};
    sim_params_default(p, 4);
    schedule(p, &r);
    p->byz[silent[sim_range(&r, 0, 2)]] = SIM_BYZ_SILENT;
    p->drop = (double)sim_range(&r, 0, 15) / 100.0;
    p->delay_max_ms = sim_range(&r, 5, 80);
    p->partitions = (uint32_t)sim_range(&r, 0, 1);
    p->fault_ms = sim_range(&r, 500, 2500);
    p->base_timeout_ms = sim_range(&r, 200, 600);
    p->propose_delay_ms = 40;
}

/* Twins of a key that is in every set */
static void twins(struct sim_params *p, uint64_t seed)
{
    static const uint32_t keys[] = {1, 3};
    struct sim_rng r = {seed ^ 0x76616c74ull};
    sim_params_default(p, 4);
    schedule(p, &r);
    p->ntwins = 1;
    p->twins[0] = keys[sim_range(&r, 0, 1)];
    p->rounds = (uint32_t)sim_range(&r, 6, 10);
    p->round_ms = sim_range(&r, 200, 700);
    p->base_timeout_ms = sim_range(&r, 300, 800);
    p->delay_max_ms = sim_range(&r, 5, 60);
    p->drop = sim_chance(&r, 0.3) ? 0.05 : 0.0;
    p->propose_delay_ms = 60;
}

/* negative control: key 1's instance switches a height late */
static void late(struct sim_params *p, uint64_t seed)
{
    struct sim_rng r = {seed ^ 0x6c617465ull};
    sim_params_default(p, 4);
    schedule(p, &r);
    p->late_switch = true;
    p->late_key = 1;
    p->delay_max_ms = sim_range(&r, 5, 60);
    p->base_timeout_ms = sim_range(&r, 300, 800);
    p->propose_delay_ms = 40;
}

int main(int argc, char **argv)
{
    (void)argc;
    sim_set_program(argv[0]);
    int failed = sim_sweep("valset_crash", crashes, 600000, 400);
    failed += sim_sweep("valset_viewchange", viewchanges, 610000, 400);
    failed += sim_sweep("valset_twins", twins, 620000, 400);
    if (sim_sweep_negative("negative_valset_late", late, 630000, 200, 3, true) == 0) {
        printf("the late-switch negative control was NOT caught\n");
        failed++;
    }
    sim_chain_free_all();
    return failed == 0 ? 0 : 1;
}
