/*
 * sim_util.c — the simulator's RNG, fixed chains and keys, simulated blocks, and the
 * seed sweeps with failure reporting and YC_SEED replay.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim.h"
#include "yc/alloc.h"
#include "yc/hash.h"
#include "yc/txschema.h"

uint64_t sim_rand(struct sim_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint64_t sim_range(struct sim_rng *r, uint64_t lo, uint64_t hi)
{
    if (hi <= lo) {
        return lo;
    }
    return lo + sim_rand(r) % (hi - lo + 1);
}

bool sim_chance(struct sim_rng *r, double p)
{
    if (p <= 0) {
        return false;
    }
    return (double)(sim_rand(r) >> 11) / 9007199254740992.0 < p;
}

static struct sim_chain *chains[YC_MAX_VALIDATORS + 1];

const struct sim_chain *sim_chain_get(uint32_t n)
{
    struct sim_chain *c;
    if (n == 0 || n > YC_MAX_VALIDATORS) {
        abort();
    }
    if (chains[n] != NULL) {
        return chains[n];
    }
    c = calloc(1, sizeof *c);
    if (c == NULL) {
        abort();
    }
    snprintf(c->g.chain_id, sizeof c->g.chain_id, "sim-%u", n);
    c->g.genesis_time_ms = 1700000000000ull;
    c->g.nvalidators = n;
    for (uint32_t i = 0; i < n + SIM_SPARE_KEYS; i++) {
        uint8_t sk[YC_SECKEY_LEN] = {0};
        sk[0] = 0x5a;
        sk[31] = (uint8_t)(i + 1);
        if (yc_signer_create(&c->signers[i], sk) != YC_OK) {
            abort();
        }
        yc_signer_pubkey(c->signers[i], c->pubs[i]);
    }
    for (uint32_t i = 0; i < n; i++) {
        memcpy(c->g.validators[i].pub, c->pubs[i], YC_PUBKEY_LEN);
        snprintf(c->g.validators[i].name, sizeof c->g.validators[i].name, "v%u", i);
    }
    c->g.naccounts = 1;
    c->g.accounts = yc_calloc(1, sizeof *c->g.accounts);
    if (c->g.accounts == NULL) {
        abort();
    }
    memcpy(c->g.accounts[0].pub, c->g.validators[0].pub, YC_PUBKEY_LEN);
    snprintf(c->g.accounts[0].role, sizeof c->g.accounts[0].role, "exchange");
    snprintf(c->g.accounts[0].name, sizeof c->g.accounts[0].name, "exchange");
    snprintf(c->g.accounts[0].jurisdiction, sizeof c->g.accounts[0].jurisdiction, "CN-CQ");
    yc_params_default(&c->g.params);
    if (yc_genesis_finalize(&c->g) != YC_OK) {
        abort();
    }
    /* a transfer by validator 0's account, signed once; only its shape and outcome matter */
    {
        static const uint8_t aux[32] = {0};
        union yc_tx_body b;
        struct yc_buf body, tx;
        uint8_t id[YC_HASH_LEN];
        memset(&b, 0, sizeof b);
        b.token.amount = 1;
        b.token.has_to = true;
        memcpy(b.token.to, c->g.validators[n - 1].pub, YC_PUBKEY_LEN);
        yc_buf_init(&body, 0);
        yc_buf_init(&tx, 0);
        if (yc_tx_body_encode(&body, YC_TX_TOKEN_TRANSFER, &b,
                              yc_tx_body_present(YC_TX_TOKEN_TRANSFER, &b)) != YC_OK ||
            yc_tx_build_signed(&tx, id, c->g.chain_id, YC_TX_TOKEN_TRANSFER, c->signers[0], 0,
                               body.data, body.len, aux) != YC_OK ||
            yc_tx_decode(&c->tx, tx.data, tx.len) != YC_OK) {
            abort();
        }
        yc_buf_cleanup(&body);
        yc_buf_cleanup(&tx);
    }
    chains[n] = c;
    return c;
}

void sim_chain_free_all(void)
{
    for (uint32_t n = 0; n <= YC_MAX_VALIDATORS; n++) {
        struct sim_chain *c = chains[n];
        if (c == NULL) {
            continue;
        }
        for (uint32_t i = 0; i < n + SIM_SPARE_KEYS; i++) {
            yc_signer_destroy(c->signers[i]);
        }
        yc_tx_cleanup(&c->tx);
        yc_genesis_cleanup(&c->g);
        free(c);
        chains[n] = NULL;
    }
}

void sim_state_root(uint8_t out[YC_HASH_LEN], uint64_t height, const uint8_t prev[YC_HASH_LEN])
{
    uint8_t buf[8 + YC_HASH_LEN];
    for (int i = 0; i < 8; i++) {
        buf[i] = (uint8_t)(height >> (56 - 8 * i));
    }
    memcpy(buf + 8, prev, YC_HASH_LEN);
    yc_hash_tagged(out, "yuchain/sim/state/v1", "", buf, sizeof buf);
}

int sim_outcome(uint64_t height)
{
    return height % 2 == 0 ? YC_EBALANCE : YC_OK;
}

uint8_t *sim_block(const struct sim_chain *c, uint64_t height, uint64_t view, uint32_t proposer,
                   const uint8_t prev[YC_HASH_LEN], uint64_t time_ms, bool valid, size_t *len,
                   uint8_t digest[YC_HASH_LEN])
{
    struct yc_block_header h;
    struct yc_buf b;
    uint8_t *out;

    memset(&h, 0, sizeof h);
    snprintf(h.chain_id, sizeof h.chain_id, "%s", c->g.chain_id);
    h.height = height;
    h.view = view;
    h.proposer = proposer;
    h.time_ms = time_ms;
    memcpy(h.prev_hash, prev, YC_HASH_LEN);
    sim_state_root(h.state_root, height, prev);
    if (!valid) {
        h.state_root[0] ^= 0xff;
    }
    int outcome = sim_outcome(height);
    yc_buf_init(&b, 0);
    if (yc_block_header_seal(&h, &c->tx, &outcome, 1) != YC_OK ||
        yc_block_encode(&b, &h, &c->tx, &outcome, 1, NULL) != YC_OK ||
        yc_header_hash(&h, digest) != YC_OK) {
        abort();
    }
    yc_buf_take(&b, &out, len);
    return out;
}

static const char *program = "sim_test_…";

void sim_set_program(const char *argv0)
{
    if (argv0 != NULL) {
        program = argv0;
    }
}

/* YC_SEED selects one seed; YC_FAMILY (optional) the family, when an executable runs
 * several. Returns 1 to replay `family` with *seed, -1 to skip it, 0 to sweep. */
static int env_seed(const char *family, uint64_t *seed)
{
    const char *s = getenv("YC_SEED");
    const char *f = getenv("YC_FAMILY");
    if (s == NULL || *s == '\0') {
        return 0;
    }
    if (f != NULL && *f != '\0' && strcmp(f, family) != 0) {
        return -1;
    }
    *seed = strtoull(s, NULL, 0);
    return 1;
}

static void report(const char *family, uint64_t seed, const struct sim_result *r)
{
    printf("FAIL %s seed=%llu: %s%s%s%s%s%s— %s\n", family, (unsigned long long)seed,
           r->safety ? "safety " : "", r->equivocation ? "equivocation " : "",
           r->liveness ? "liveness " : "", r->refusal ? "refusal " : "", r->error ? "error " : "",
           r->badcert ? "certificate " : "", r->why);
    printf("     replay: YC_SEED=%llu YC_FAMILY=%s %s\n", (unsigned long long)seed, family,
           program);
}

int sim_sweep(const char *family, sim_make_cb make, uint64_t base, uint32_t count)
{
    struct sim_params p;
    struct sim_result r;
    uint64_t seed;
    int failed = 0;
    uint64_t heights = 0, vcs = 0, maxview = 0, crashes = 0, refused = 0, evidence = 0;
    clock_t t0 = clock();

    switch (env_seed(family, &seed)) {
    case -1:
        return 0;
    case 0:
        break;
    default: {
        make(&p, seed);
        p.verbose = true;
        bool ok = sim_run(&p, seed, &r);
        if (!ok) {
            report(family, seed, &r);
        }
        printf("%s seed=%llu: %s (heights %llu, view changes %llu, max view %llu)\n", family,
               (unsigned long long)seed, ok ? "ok" : "FAILED", (unsigned long long)r.heights,
               (unsigned long long)r.view_changes, (unsigned long long)r.max_view);
        return ok ? 0 : 1;
    }
    }
    for (uint32_t i = 0; i < count; i++) {
        seed = base + i;
        make(&p, seed);
        if (!sim_run(&p, seed, &r)) {
            report(family, seed, &r);
            failed++;
        }
        heights += r.heights;
        vcs += r.view_changes;
        maxview = r.max_view > maxview ? r.max_view : maxview;
        crashes += r.crashes;
        refused += r.refused;
        evidence += r.evidence;
    }
    printf("%s: %u scenarios (seeds %llu..%llu), %d failed; committed heights %llu, view "
           "changes %llu, max view %llu, crashes %llu, refused %llu, evidence %llu; %.1f s\n",
           family, count, (unsigned long long)base, (unsigned long long)(base + count - 1), failed,
           (unsigned long long)heights, (unsigned long long)vcs, (unsigned long long)maxview,
           (unsigned long long)crashes, (unsigned long long)refused, (unsigned long long)evidence,
           (double)(clock() - t0) / CLOCKS_PER_SEC);
    return failed;
}

static bool caught_by(const struct sim_result *r, bool badcert)
{
    return r->safety || r->equivocation || (badcert && r->badcert);
}

uint32_t sim_sweep_negative(const char *family, sim_make_cb make, uint64_t base, uint32_t count,
                            uint32_t need, bool badcert)
{
    struct sim_params p;
    struct sim_result r;
    uint32_t caught = 0, ran = 0;
    uint64_t first = 0;
    uint64_t one;

    switch (env_seed(family, &one)) {
    case -1:
        return 1;
    case 0:
        break;
    default:
        make(&p, one);
        p.verbose = true;
        caught = !sim_run(&p, one, &r) && caught_by(&r, badcert);
        printf("%s seed=%llu: %s — %s\n", family, (unsigned long long)one,
               caught ? "caught" : "not caught", r.why);
        return 1; /* replaying one seed is not a verdict on the control */
    }

    for (uint32_t i = 0; i < count && caught < need; i++) {
        uint64_t seed = base + i;
        make(&p, seed);
        ran++;
        if (!sim_run(&p, seed, &r) && caught_by(&r, badcert)) {
            if (caught == 0) {
                first = seed;
                printf("%s: caught at seed %llu: %s%s%s— %s\n", family, (unsigned long long)seed,
                       r.safety ? "safety " : "", r.equivocation ? "equivocation " : "",
                       r.badcert ? "certificate " : "", r.why);
            }
            caught++;
        }
    }
    printf("%s: negative control caught in %u of %u scenarios%s\n", family, caught, ran,
           caught > 0 ? "" : " — NOT CAUGHT: the simulator proves nothing");
    (void)first;
    return caught;
}
