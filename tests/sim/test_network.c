/*
 * test_network.c — n = 1, 4, 5, 7 honest validators on a faulty network: drop,
 * delay and reordering, duplication, random partitions, then heal. Safety after every
 * delivery; liveness (every validator reaches the goal height) after healing.
 */
#include <stdbool.h>
#include <stdio.h>

#include "sim.h"

static const uint32_t sizes[] = {1, 4, 4, 5, 7};

static void make(struct sim_params *p, uint64_t seed)
{
    struct sim_rng r = {seed ^ 0x6e6574776f726bull};
    sim_params_default(p, sizes[sim_range(&r, 0, 4)]);
    p->drop = (double)sim_range(&r, 0, 30) / 100.0;
    p->dup = (double)sim_range(&r, 0, 20) / 100.0;
    p->delay_min_ms = sim_range(&r, 1, 10);
    p->delay_max_ms = p->delay_min_ms + sim_range(&r, 0, 400);
    p->partitions = (uint32_t)sim_range(&r, 0, 4);
    p->fault_ms = sim_range(&r, 500, 4000);
    p->min_height = sim_range(&r, 2, 4);
}

/* COMMITs lost in flight: some validators decide while the others, prepared, change
 * views without them; block sync is slow, so the view change has to be right. (The
 * same set-up catches two of the mutants in test_negative.c.) */
static void lossy(struct sim_params *p, uint64_t seed)
{
    struct sim_rng r = {seed ^ 0x6c6f7373ull};
    sim_params_default(p, sim_chance(&r, 0.7) ? 4 : 7);
    p->drop = (double)sim_range(&r, 25, 50) / 100.0;
    p->fault_ms = sim_range(&r, 2000, 5000);
    p->base_timeout_ms = sim_range(&r, 100, 300);
    p->delay_max_ms = sim_range(&r, 5, 40);
    p->propose_delay_ms = 20;
    p->max_height = 12;
    p->sync_ms = 3000;
}

int main(int argc, char **argv)
{
    (void)argc;
    sim_set_program(argv[0]);
    int failed = sim_sweep("network", make, 100000, 3000);
    failed += sim_sweep("lossy", lossy, 150000, 500);
    sim_chain_free_all();
    return failed == 0 ? 0 : 1;
}
