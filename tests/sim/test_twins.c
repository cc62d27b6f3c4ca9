/*
 * test_twins.c — TESTING.md B1, the Twins method: one validator key is run by two
 * instances with separate state (both run the honest code, so together they are a
 * byzantine validator that equivocates naturally). Each of 6–10 rounds samples a
 * partition of all instances; then the network heals. No two honest validators may
 * commit different blocks, ever; once whole, every honest validator must progress.
 */
#include "sim.h"

static void make(struct sim_params *p, uint64_t seed)
{
    static const uint32_t sizes[] = {4, 4, 4, 5, 7};
    struct sim_rng r = {seed ^ 0x7477696e73ull};
    sim_params_default(p, sizes[sim_range(&r, 0, 4)]);
    p->ntwins = 1;
    p->twins[0] = (uint32_t)sim_range(&r, 0, p->n - 1);
    p->rounds = (uint32_t)sim_range(&r, 6, 10);
    p->round_ms = sim_range(&r, 200, 700);
    p->base_timeout_ms = sim_range(&r, 300, 800);
    p->delay_max_ms = sim_range(&r, 5, 60);
    p->drop = sim_chance(&r, 0.3) ? 0.05 : 0.0;
    p->propose_delay_ms = 60;
    p->min_height = 2;
}

int main(int argc, char **argv)
{
    (void)argc;
    sim_set_program(argv[0]);
    int failed = sim_sweep("twins", make, 200000, 2500);
    sim_chain_free_all();
    return failed == 0 ? 0 : 1;
}
