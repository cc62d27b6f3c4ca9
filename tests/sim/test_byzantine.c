/*
 * test_byzantine.c — TESTING.md B3: up to f validators misbehave (silent, equivocating
 * primary, garbage and bad signatures, huge views, invalid prepared certificates,
 * old-view and old-height replays, PREPARE bytes sent as COMMIT, blocks that do not
 * execute) on a mildly faulty network. The honest ones stay safe and, once the
 * network is whole, live; every crafted bad message is refused with an error code.
 */
#include "sim.h"

static void make(struct sim_params *p, uint64_t seed)
{
    static const uint32_t sizes[] = {4, 4, 5, 7};
    struct sim_rng r = {seed ^ 0x62797aull};
    uint32_t f, nbyz;
    sim_params_default(p, sizes[sim_range(&r, 0, 3)]);
    f = yc_faults(p->n);
    nbyz = (uint32_t)sim_range(&r, 1, f);
    for (uint32_t k = 0; k < nbyz; k++) {
        uint32_t v = (uint32_t)sim_range(&r, 0, p->n - 1);
        /* seeds walk the behaviours in turn so that each one gets its share */
        p->byz[v] = (enum sim_byz)(1 + (seed + k) % (SIM_BYZ_COUNT - 1));
    }
    p->drop = (double)sim_range(&r, 0, 10) / 100.0;
    p->dup = (double)sim_range(&r, 0, 10) / 100.0;
    p->delay_max_ms = sim_range(&r, 5, 150);
    p->partitions = (uint32_t)sim_range(&r, 0, 2);
    p->fault_ms = sim_range(&r, 500, 2500);
    p->base_timeout_ms = sim_range(&r, 400, 1000);
    p->propose_delay_ms = 80;
    p->min_height = 3;
}

int main(int argc, char **argv)
{
    (void)argc;
    sim_set_program(argv[0]);
    int failed = sim_sweep("byzantine", make, 300000, 2500);
    sim_chain_free_all();
    return failed == 0 ? 0 : 1;
}
