/*
 * role.c — the validator set in force and this node's role in it (see role.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "log.h"
#include "net.h"
#include "producer.h"
#include "role.h"
#include "sync.h"
#include "yc/bech32.h"
#include "yc/cliutil.h"
#include "yc/gov.h"

#define ADDR_NAME_CHARS 16 /* of a yc1 address, when no name is recorded */

/* Copies a NUL-terminated name, cut to fit (snprintf "%s" between two members of the one
 * node struct trips gcc's -Wrestrict at -O2). */
static void set_name(char *dst, size_t size, const char *src)
{
    size_t len = strnlen(src, size - 1);
    memcpy(dst, src, len);
    dst[len] = '\0';
}

/* Names from the ledger's record of the set (the name given when a validator was
 * added), else the genesis, else the start of the key's address. */
static void name_keys(yc_node *n)
{
    struct yc_gov_set gs;
    struct yc_state_src src = store_state_src(n->st);
    if (yc_gov_set_at(&src, &n->genesis, n->tip.height + 1, &gs) != YC_OK)
        gs.n = 0; /* names only: the set itself was read by yc__node_valset */
    for (uint32_t i = 0; i < n->vs.n; i++) {
        int k = yc_gov_set_index(&gs, n->vs.keys[i]);
        int g = yc_genesis_validator_index(&n->genesis, n->vs.keys[i]);
        char addr[YC_ADDR_MAX];
        if (k >= 0 && gs.v[k].name[0] != '\0')
            set_name(n->vnames[i], sizeof n->vnames[i], gs.v[k].name);
        else if (g >= 0)
            set_name(n->vnames[i], sizeof n->vnames[i], n->genesis.validators[g].name);
        else if (yc_addr_encode(addr, n->vs.keys[i]) == YC_OK)
            snprintf(n->vnames[i], sizeof n->vnames[i], "%.*s…", ADDR_NAME_CHARS, addr);
        else
            set_name(n->vnames[i], sizeof n->vnames[i], "?");
    }
}

static uint32_t own_index(const yc_node *n)
{
    if (n->val_signer == NULL)
        return UINT32_MAX;
    int i = yc_valset_index(&n->vs, n->val_pub);
    return i < 0 ? UINT32_MAX : (uint32_t)i;
}

/* The keys of the latest set the chain has fixed (changes approved for later heights
 * applied) that are not in n->vs. True if they differ from n->pending. */
static bool read_pending(yc_node *n)
{
    struct yc_valset later;
    yc__node_valset(n, UINT64_MAX, &later);
    uint8_t keys[YC_MAX_VALIDATORS][YC_PUBKEY_LEN];
    uint32_t k = 0;
    for (uint32_t i = 0; i < later.n && i < YC_MAX_VALIDATORS; i++)
        if (yc_valset_index(&n->vs, later.keys[i]) < 0)
            memcpy(keys[k++], later.keys[i], YC_PUBKEY_LEN);
    bool changed = k != n->npending || memcmp(keys, n->pending, (size_t)k * YC_PUBKEY_LEN) != 0;
    memcpy(n->pending, keys, (size_t)k * YC_PUBKEY_LEN);
    n->npending = k;
    return changed;
}

void yc__role_init(yc_node *n)
{
    yc__node_valset(n, n->tip.height + 1, &n->vs);
    name_keys(n);
    n->validator_index = own_index(n);
    (void)read_pending(n);
    n->metrics.validators = n->vs.n;
}

const char *yc__role_name(const yc_node *n, uint32_t index)
{
    return index < n->vs.n ? n->vnames[index] : "?";
}

/* This node's key left the set: its driver stops; it follows the chain as an observer. */
static void retire_driver(yc_node *n)
{
    struct yc_driver **r = realloc(n->retired, (n->nretired + 1) * sizeof *r);
    if (r == NULL) /* cannot keep it for later: the process ends rather than vote on */
        yc__node_fatal(n, YC_EXIT_FAIL, "out of memory leaving the validator set");
    n->retired = r;
    yc__driver_stop(n->drv);
    n->retired[n->nretired++] = n->drv;
    n->drv = NULL;
}

static void log_set(yc_node *n, uint64_t height)
{
    char list[1024];
    size_t len = 0;
    list[0] = '\0';
    for (uint32_t i = 0; i < n->vs.n && len < sizeof list - 80; i++) {
        int k = snprintf(list + len, sizeof list - len, "%s%u %s", i ? ", " : "", i, n->vnames[i]);
        if (k > 0)
            len += (size_t)k;
    }
    char self[128];
    if (n->validator_index != UINT32_MAX)
        snprintf(self, sizeof self, "this node is validator %u", n->validator_index);
    else if (n->val_signer != NULL)
        snprintf(self, sizeof self, "this node's validator key is not in it (observer)");
    else
        snprintf(self, sizeof self, "this node is an observer");
    yc_log_info("node",
                "validator set changes at height %" PRIu64 ": %u validators, quorum %u: %s; %s",
                height, n->vs.n, n->vs.quorum, list, self);
}

void yc__role_follow(yc_node *n)
{
    uint64_t height = n->tip.height + 1;
    struct yc_valset next;
    yc__node_valset(n, height, &next);
    bool changed = !yc_valset_same(&next, &n->vs);
    uint32_t was = n->validator_index;
    if (changed) {
        n->vs = next;
        name_keys(n);
        n->validator_index = own_index(n);
        n->metrics.validators = n->vs.n;
        n->metrics.validator_set_changes_total++;
        log_set(n, height);
    }
    bool pending_changed = read_pending(n);
    if (changed || pending_changed)
        yc__net_set_validators(n);
    if (pending_changed && n->npending > 0)
        yc_log_info("node",
                    "%u validator key(s) join the set at a later height: accepted as "
                    "peers from now on",
                    n->npending);
    if (!changed || n->stopping)
        return;
    if (was != UINT32_MAX && n->validator_index == UINT32_MAX && n->drv != NULL) {
        yc_log_warn("node",
                    "this node's validator key left the validator set at height %" PRIu64
                    ": it no longer votes and follows the chain as an observer",
                    height);
        retire_driver(n);
        yc__sync_set_observer(n->sync, true);
    } else if (was == UINT32_MAX && n->validator_index != UINT32_MAX && n->drv == NULL) {
        int rc = yc__driver_create(&n->drv, n);
        if (rc != YC_OK) /* a validator that cannot vote must not pass for one */
            yc__node_fatal(n, rc == YC_ENOMEM ? YC_EXIT_FAIL : YC_EXIT_IOERR,
                           "cannot start consensus at height %" PRIu64 " after joining the "
                           "validator set: %s",
                           height, yc_err_name(rc));
        yc_log_warn("node",
                    "this node's validator key joined the validator set at height %" PRIu64
                    ": it votes from now on as validator %u",
                    height, n->validator_index);
        yc__sync_set_observer(n->sync, false);
    }
}

void yc__role_free(yc_node *n)
{
    for (size_t i = 0; i < n->nretired; i++)
        yc__driver_destroy(n->retired[i]);
    free(n->retired);
    n->retired = NULL;
    n->nretired = 0;
}
