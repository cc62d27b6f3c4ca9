/*
 * fuzz_ledger.c — the state machine fed decoded transactions (core/include/yc/ledger.h).
 *
 * Execution does not check signatures (the node and the audit tool verify first), so
 * every field of a transaction that decodes is reachable here: amounts, ids, roles,
 * windows, nonces. The input is a block's worth of transactions, each u16be(len) ‖ bytes,
 * executed in order by yc_exec_tx at height 1 on the fixture's genesis state (fixture.c:
 * exchange 100, agency 101, regulator 102, individual 103, processor 104).
 *
 * Properties, any violation aborts:
 * - yc_exec_tx never crashes and returns YC_OK or a verdict on the transaction, never a
 *   local failure (YC_ECORRUPT would mean the ledger cannot read what it wrote itself);
 * - a refused transaction writes nothing (the block's writes are unchanged);
 * - money is neither created nor destroyed: the balances of all accounts add up to the
 *   genesis total plus what token.issue created minus what token.redeem destroyed;
 * - yc_exec_finish computes a root over whatever was written.
 */
/* yc-fuzz-link: yc_core */
/* yc-fuzz-src: fixture.c */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "yc/ledger.h"
#include "yc/objects.h"
#include "yc/state.h"
#include "yc/tx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define MAX_TXS 64

static struct yc_genesis genesis;
static yc_overlay *genesis_state; /* read-only after init: every block reads through it */
static uint8_t genesis_root[YC_HASH_LEN];
static uint64_t genesis_total;

static void fail(const char *why, int code) __attribute__((noreturn));

static void fail(const char *why, int code)
{
    fprintf(stderr, "fuzz_ledger: %s (%s)\n", why, yc_err_name(code));
    abort();
}

static int empty_get(void *ctx, const uint8_t *key, size_t klen, uint8_t **val, size_t *vlen)
{
    (void)ctx;
    (void)key;
    (void)klen;
    *val = NULL;
    *vlen = 0;
    return YC_ENOTFOUND;
}

static void cleanup(void)
{
    yc_overlay_destroy(genesis_state);
    yc_genesis_cleanup(&genesis);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    struct yc_state_src empty = {.get = empty_get};

    (void)argc;
    (void)argv;
    fz_genesis(&genesis, FZ_NVAL);
    if (yc_overlay_create(&genesis_state, &empty) != YC_OK ||
        yc_genesis_state(genesis_state, &genesis, genesis_root) != YC_OK) {
        fail("genesis state", YC_OK);
    }
    for (uint32_t i = 0; i < genesis.naccounts; i++) {
        genesis_total += genesis.accounts[i].balance;
    }
    atexit(cleanup);
    return 0;
}

/* A digest of the block's writes, to see that a refusal changed nothing. */
static void fingerprint(yc_overlay *o, uint8_t out[YC_HASH_LEN], size_t *n)
{
    static const uint8_t zero[YC_HASH_LEN] = {0};
    const struct yc_write *w;
    if (yc_overlay_writes(o, &w, n) != YC_OK) {
        fail("yc_overlay_writes", YC_ENOMEM);
    }
    yc_state_root_next(out, genesis.chain_id, zero, w, *n);
}

/* Sum of all balances: every account written by the block, plus the genesis accounts it
 * did not write. False if the sum does not fit in u64 (then it cannot be checked). */
static bool total(yc_overlay *o, uint64_t *sum)
{
    static const char prefix[] = "account/";
    const size_t plen = sizeof prefix - 1;
    const struct yc_write *w;
    size_t n;
    bool overflow = false;

    if (yc_overlay_writes(o, &w, &n) != YC_OK) {
        fail("yc_overlay_writes", YC_ENOMEM);
    }
    *sum = 0;
    for (size_t i = 0; i < n; i++) {
        struct yc_account acc;
        if (w[i].klen != plen + YC_PUBKEY_LEN || memcmp(w[i].key, prefix, plen) != 0) {
            continue;
        }
        if (w[i].del) {
            fail("an account was deleted", YC_OK);
        }
        if (yc_account_decode(&acc, w[i].val, w[i].vlen) != YC_OK) {
            fail("an account the ledger wrote does not read back", YC_ECORRUPT);
        }
        overflow |= *sum + acc.balance < *sum;
        *sum += acc.balance;
    }
    for (uint32_t g = 0; g < genesis.naccounts; g++) {
        bool written = false;
        for (size_t i = 0; i < n && !written; i++) {
            written = w[i].klen == plen + YC_PUBKEY_LEN && memcmp(w[i].key, prefix, plen) == 0 &&
                      memcmp(w[i].key + plen, genesis.accounts[g].pub, YC_PUBKEY_LEN) == 0;
        }
        if (!written) {
            overflow |= *sum + genesis.accounts[g].balance < *sum;
            *sum += genesis.accounts[g].balance;
        }
    }
    return !overflow;
}

static uint16_t get_u16be(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct yc_state_src base = yc_overlay_src(genesis_state);
    struct yc_exec_ctx ctx = {.g = &genesis, .height = 1, .time_ms = FZ_TIME0 + 1000};
    yc_overlay *o;
    uint64_t issued = 0, redeemed = 0;
    bool money_checkable = true;
    size_t off = 0;
    bool trace = getenv("YC_FUZZ_TRACE") != NULL;

    if (yc_overlay_create(&o, &base) != YC_OK) {
        fail("out of memory", YC_ENOMEM);
    }
    for (uint32_t index = 0; index < MAX_TXS && size - off >= 2; index++) {
        size_t len = get_u16be(data + off);
        off += 2;
        if (len > size - off) {
            len = size - off;
        }
        struct yc_tx tx;
        int rc = yc_tx_decode(&tx, data + off, len);
        off += len;
        if (rc != YC_OK) {
            continue;
        }
        uint8_t before[YC_HASH_LEN], after[YC_HASH_LEN];
        size_t nbefore, nafter;
        fingerprint(o, before, &nbefore);
        rc = yc_exec_tx(o, &ctx, &tx, index);
        if (trace) { /* to check that seeds still execute */
            fprintf(stderr, "fuzz_ledger: tx %u %s: %s\n", index, yc_tx_type_name(tx.type),
                    yc_err_name(rc));
        }
        if (rc == YC_ENOMEM || rc == YC_EIO || rc == YC_ECORRUPT || rc == YC_EINVAL) {
            fail("a local failure from yc_exec_tx on an in-memory state", rc);
        }
        if (rc != YC_OK) {
            fingerprint(o, after, &nafter);
            if (nafter != nbefore || memcmp(before, after, YC_HASH_LEN) != 0) {
                fail("a refused transaction wrote state", rc);
            }
        } else if (tx.type == YC_TX_TOKEN_ISSUE) {
            money_checkable &= issued + tx.b->token.amount >= issued;
            issued += tx.b->token.amount;
        } else if (tx.type == YC_TX_TOKEN_REDEEM) {
            money_checkable &= redeemed + tx.b->token.amount >= redeemed;
            redeemed += tx.b->token.amount;
        }
        uint64_t sum;
        if (money_checkable && total(o, &sum) && genesis_total + issued >= genesis_total &&
            sum != genesis_total + issued - redeemed) {
            fprintf(stderr, "fuzz_ledger: balances add up to %llu, expected %llu + %llu - %llu\n",
                    (unsigned long long)sum, (unsigned long long)genesis_total,
                    (unsigned long long)issued, (unsigned long long)redeemed);
            fail("money was created or destroyed", rc);
        }
        yc_tx_cleanup(&tx);
    }
    uint8_t root[YC_HASH_LEN];
    int rc = yc_exec_finish(o, genesis.chain_id, genesis_root, root);
    if (rc != YC_OK) {
        fail("yc_exec_finish", rc);
    }
    yc_overlay_destroy(o);
    return 0;
}
