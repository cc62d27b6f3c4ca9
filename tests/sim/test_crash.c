/*
 * test_crash.c — TESTING.md B4: validators crash right after persisting a journal
 * record (before or after sending the vote it holds), lose all memory but the journal
 * and their chain, and restart. Never may one key sign two digests for one (height,
 * view, phase); safety always; liveness once all are back and the network is whole.
 */
#include "sim.h"

static void make(struct sim_params *p, uint64_t seed)
{
    static const uint32_t sizes[] = {1, 4, 4, 5, 7};
    struct sim_rng r = {seed ^ 0x6372617368ull};
    sim_params_default(p, sizes[sim_range(&r, 0, 4)]);
    p->crash_per_record = (double)sim_range(&r, 5, 35) / 100.0;
    p->restart_min_ms = 20;
    p->restart_max_ms = sim_range(&r, 100, 2000);
    p->drop = (double)sim_range(&r, 0, 10) / 100.0;
    p->delay_max_ms = sim_range(&r, 5, 100);
    p->partitions = (uint32_t)sim_range(&r, 0, 2);
    p->fault_ms = sim_range(&r, 500, 3000);
    p->base_timeout_ms = sim_range(&r, 400, 1000);
    p->propose_delay_ms = 80;
    p->min_height = 3;
}

int main(int argc, char **argv)
{
    (void)argc;
    sim_set_program(argv[0]);
    int failed = sim_sweep("crash", make, 400000, 2500);
    sim_chain_free_all();
    return failed == 0 ? 0 : 1;
}
