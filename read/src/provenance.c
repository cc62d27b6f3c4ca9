/*
 * provenance.c — gathers the provenance graph of an asset from committed state
 * (provenance.h): the asset, its ancestors (through each asset's parent list), its
 * descendants (through idx/asset_parent scans), each one's rights, the licenses on
 * them (idx/license_asset) and the uses recorded under those (idx/usage_asset).
 *
 * Order is deterministic: the asset first, then ancestors breadth-first in parent-list
 * order, then descendants breadth-first in key order; licenses and uses follow the
 * order of their assets and, within one asset, index key order (uses by height).
 * Bounds: YC_PROV_MAX_*; beyond them the graph is cut and `truncated` set.
 */
#include <string.h>

#include "provenance_int.h"
#include "yc/alloc.h"

/* ---- growable arrays ---- */

static int grow(void **arr, size_t *cap, size_t n, size_t elem, size_t max)
{
    size_t ncap;
    void *p;

    if (n < *cap) {
        return YC_OK;
    }
    if (n >= max) {
        return YC_ELIMIT;
    }
    ncap = *cap == 0 ? 16 : *cap * 2;
    if (ncap > max) {
        ncap = max;
    }
    p = yc_realloc(*arr, ncap * elem);
    if (p == NULL) {
        return YC_ENOMEM;
    }
    *arr = p;
    *cap = ncap;
    return YC_OK;
}

const char *yc__prov_rel_name(enum prov_rel r)
{
    return r == PROV_SELF ? "self" : r == PROV_ANCESTOR ? "ancestor" : "descendant";
}

long yc__prov_find_asset(const struct prov_graph *g, const uint8_t id[YC_HASH_LEN])
{
    for (size_t i = 0; i < g->nassets; i++) {
        if (memcmp(g->assets[i].id, id, YC_HASH_LEN) == 0) {
            return (long)i;
        }
    }
    return -1;
}

long yc__prov_find_license(const struct prov_graph *g, const uint8_t id[YC_HASH_LEN])
{
    for (size_t i = 0; i < g->nlic; i++) {
        if (memcmp(g->lic[i].id, id, YC_HASH_LEN) == 0) {
            return (long)i;
        }
    }
    return -1;
}

long yc__prov_find_use(const struct prov_graph *g, const uint8_t id[YC_HASH_LEN])
{
    for (size_t i = 0; i < g->nuses; i++) {
        if (memcmp(g->uses[i].id, id, YC_HASH_LEN) == 0) {
            return (long)i;
        }
    }
    return -1;
}

static void graph_cleanup(struct prov_graph *g)
{
    for (size_t i = 0; i < g->nassets; i++) {
        yc_free(g->assets[i].val);
    }
    for (size_t i = 0; i < g->nlic; i++) {
        yc_free(g->lic[i].val);
    }
    for (size_t i = 0; i < g->nuses; i++) {
        yc_free(g->uses[i].val);
    }
    for (size_t i = 0; i < g->ndeals; i++) {
        yc_free(g->deals[i].val);
    }
    for (size_t i = 0; i < g->nagents; i++) {
        yc_free(g->agents[i].val);
    }
    yc_free(g->deals);
    yc_free(g->assets);
    yc_free(g->lic);
    yc_free(g->uses);
    yc_free(g->agents);
    memset(g, 0, sizeof *g);
}

/* Reads key into an owned copy: YC_OK, YC_ENOTFOUND, YC_EIO, YC_ENOMEM. */
static int read_key(const struct yc_state_src *src, const uint8_t *key, size_t klen, uint8_t **val,
                    size_t *vlen)
{
    *val = NULL;
    *vlen = 0;
    return src->get(src->ctx, key, klen, val, vlen);
}

/* ---- assets ---- */

static int load_rights(const struct yc_state_src *src, struct prov_asset *pa)
{
    for (unsigned r = 0; r < YC_RIGHT_COUNT; r++) {
        uint8_t key[YC_KEY_MAX];
        size_t klen = yc_key_right(key, pa->id, (enum yc_right)r);
        uint8_t *v;
        size_t vlen;
        struct yc_right_rec rec;
        int rc = read_key(src, key, klen, &v, &vlen);
        if (rc == YC_ENOTFOUND) {
            return YC_ECORRUPT; /* every asset has its three rights */
        }
        if (rc != YC_OK) {
            return rc;
        }
        rc = yc_right_decode(&rec, v, vlen);
        if (rc == YC_OK) {
            memcpy(pa->holders[r], rec.holder, YC_PUBKEY_LEN);
        }
        yc_free(v);
        if (rc != YC_OK) {
            return rc;
        }
    }
    return YC_OK;
}

/*
 * Adds asset id with relation rel unless already present. YC_OK (also when present or
 * when the bound cut it: then g->truncated), YC_ENOTFOUND if no such asset, or a
 * failure.
 */
static int add_asset(const struct yc_state_src *src, struct prov_graph *g,
                     const uint8_t id[YC_HASH_LEN], enum prov_rel rel)
{
    uint8_t key[YC_KEY_MAX];
    size_t klen = yc_key_asset(key, id);
    struct prov_asset *pa;
    size_t vlen;
    int rc;

    if (yc__prov_find_asset(g, id) >= 0) {
        return YC_OK;
    }
    rc = grow((void **)&g->assets, &g->cap_assets, g->nassets, sizeof *g->assets,
              YC_PROV_MAX_ASSETS);
    if (rc == YC_ELIMIT) {
        g->truncated = true;
        return YC_OK;
    }
    if (rc != YC_OK) {
        return rc;
    }
    pa = &g->assets[g->nassets];
    memset(pa, 0, sizeof *pa);
    memcpy(pa->id, id, YC_HASH_LEN);
    pa->rel = rel;
    rc = read_key(src, key, klen, &pa->val, &vlen);
    if (rc != YC_OK) {
        return rc;
    }
    rc = yc_asset_decode(&pa->a, pa->val, vlen);
    if (rc == YC_OK) {
        rc = load_rights(src, pa);
    }
    if (rc != YC_OK) {
        yc_free(pa->val);
        return rc;
    }
    g->nassets++;
    return YC_OK;
}

/* Ancestors: breadth-first over the parent lists of the assets already gathered. */
static int walk_ancestors(const struct yc_state_src *src, struct prov_graph *g)
{
    for (size_t i = 0; i < g->nassets; i++) {
        for (uint32_t k = 0; k < g->assets[i].a.nparents; k++) {
            uint8_t parent[YC_HASH_LEN];
            /* copy: add_asset may move g->assets */
            memcpy(parent, g->assets[i].a.parents[k], YC_HASH_LEN);
            int rc = add_asset(src, g, parent, PROV_ANCESTOR);
            if (rc != YC_OK) {
                return rc == YC_ENOTFOUND ? YC_ECORRUPT : rc;
            }
        }
    }
    return YC_OK;
}

/* Ids found by an index scan: the last 32 bytes of the key, or the value. */
struct id_scan {
    uint8_t (*ids)[YC_HASH_LEN];
    size_t n, cap, max;
    bool value_is_id;
    bool cut;
};

static int collect_id(void *vctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct id_scan *s = vctx;
    const uint8_t *id;

    if (s->value_is_id) {
        if (vlen != YC_HASH_LEN) {
            return YC_ECORRUPT;
        }
        id = val;
    } else {
        if (klen < YC_HASH_LEN) {
            return YC_ECORRUPT;
        }
        id = key + klen - YC_HASH_LEN;
    }
    int rc = grow((void **)&s->ids, &s->cap, s->n, YC_HASH_LEN, s->max);
    if (rc == YC_ELIMIT) {
        s->cut = true;
        return 1;
    }
    if (rc != YC_OK) {
        return rc;
    }
    memcpy(s->ids[s->n++], id, YC_HASH_LEN);
    return 0;
}

/* Scans prefix(who) and collects at most max ids into *s (caller frees s->ids). */
static int scan_ids(const struct yc_state_src *src, size_t (*prefix)(uint8_t *, const uint8_t *),
                    const uint8_t *who, bool value_is_id, size_t max, struct id_scan *s)
{
    uint8_t key[YC_KEY_MAX];
    size_t klen = prefix(key, who);

    memset(s, 0, sizeof *s);
    s->value_is_id = value_is_id;
    s->max = max;
    int rc = src->scan(src->ctx, key, klen, collect_id, s);
    return rc > 0 ? YC_OK : rc;
}

static int walk_descendants(const struct yc_state_src *src, struct prov_graph *g)
{
    /* assets gathered so far are the root and its ancestors; children of the root
     * and of each descendant found after it are descendants */
    size_t first_desc = g->nassets;

    for (size_t i = 0; i < g->nassets; i++) {
        if (i != 0 && i < first_desc) {
            continue; /* an ancestor */
        }
        uint8_t parent[YC_HASH_LEN];
        struct id_scan s;
        memcpy(parent, g->assets[i].id, YC_HASH_LEN);
        int rc = scan_ids(src, yc_key_idx_asset_parent, parent, false, YC_PROV_MAX_ASSETS, &s);
        for (size_t k = 0; rc == YC_OK && k < s.n; k++) {
            rc = add_asset(src, g, s.ids[k], PROV_DESCENDANT);
            if (rc == YC_ENOTFOUND) {
                rc = YC_ECORRUPT;
            }
        }
        if (s.cut) {
            g->truncated = true;
        }
        yc_free(s.ids);
        if (rc != YC_OK) {
            return rc;
        }
    }
    return YC_OK;
}

/* ---- licenses and uses ---- */

static int add_license(const struct yc_state_src *src, struct prov_graph *g,
                       const uint8_t id[YC_HASH_LEN])
{
    uint8_t key[YC_KEY_MAX];
    size_t klen = yc_key_license(key, id);
    struct prov_license *pl;
    size_t vlen;
    int rc = grow((void **)&g->lic, &g->cap_lic, g->nlic, sizeof *g->lic, YC_PROV_MAX_LICENSES);

    if (rc == YC_ELIMIT) {
        g->truncated = true;
        return YC_OK;
    }
    if (rc != YC_OK) {
        return rc;
    }
    pl = &g->lic[g->nlic];
    memset(pl, 0, sizeof *pl);
    memcpy(pl->id, id, YC_HASH_LEN);
    rc = read_key(src, key, klen, &pl->val, &vlen);
    if (rc == YC_OK) {
        rc = yc_license_decode(&pl->l, pl->val, vlen);
        if (rc != YC_OK) {
            yc_free(pl->val);
        }
    }
    if (rc == YC_OK) {
        g->nlic++;
    }
    return rc == YC_ENOTFOUND ? YC_ECORRUPT : rc;
}

static int add_use(const struct yc_state_src *src, struct prov_graph *g,
                   const uint8_t id[YC_HASH_LEN])
{
    uint8_t key[YC_KEY_MAX];
    size_t klen = yc_key_usage(key, id);
    struct prov_use *pu;
    size_t vlen;
    int rc = grow((void **)&g->uses, &g->cap_uses, g->nuses, sizeof *g->uses, YC_PROV_MAX_USES);

    if (rc == YC_ELIMIT) {
        g->truncated = true;
        return YC_OK;
    }
    if (rc != YC_OK) {
        return rc;
    }
    pu = &g->uses[g->nuses];
    memset(pu, 0, sizeof *pu);
    memcpy(pu->id, id, YC_HASH_LEN);
    rc = read_key(src, key, klen, &pu->val, &vlen);
    if (rc == YC_OK) {
        rc = yc_usage_decode(&pu->u, pu->val, vlen);
        if (rc != YC_OK) {
            yc_free(pu->val);
        }
    }
    if (rc == YC_OK) {
        g->nuses++;
    }
    return rc == YC_ENOTFOUND ? YC_ECORRUPT : rc;
}

static int add_deal(const struct yc_state_src *src, struct prov_graph *g,
                    const uint8_t id[YC_HASH_LEN])
{
    uint8_t key[YC_KEY_MAX];
    size_t klen = yc_key_deal(key, id);
    struct prov_deal *pd;
    size_t vlen;
    int rc =
        grow((void **)&g->deals, &g->cap_deals, g->ndeals, sizeof *g->deals, YC_PROV_MAX_DEALS);

    if (rc == YC_ELIMIT) {
        g->truncated = true;
        return YC_OK;
    }
    if (rc != YC_OK) {
        return rc;
    }
    pd = &g->deals[g->ndeals];
    memset(pd, 0, sizeof *pd);
    memcpy(pd->id, id, YC_HASH_LEN);
    rc = read_key(src, key, klen, &pd->val, &vlen);
    if (rc == YC_OK) {
        rc = yc_deal_decode(&pd->d, pd->val, vlen);
        if (rc != YC_OK) {
            yc_free(pd->val);
        }
    }
    if (rc == YC_OK) {
        g->ndeals++;
    }
    return rc == YC_ENOTFOUND ? YC_ECORRUPT : rc;
}

static int gather_activity(const struct yc_state_src *src, struct prov_graph *g)
{
    for (size_t i = 0; i < g->nassets; i++) {
        uint8_t id[YC_HASH_LEN];
        struct id_scan s;
        int rc;

        memcpy(id, g->assets[i].id, YC_HASH_LEN);
        rc = scan_ids(src, yc_key_idx_license_asset, id, false, YC_PROV_MAX_LICENSES, &s);
        for (size_t k = 0; rc == YC_OK && k < s.n; k++) {
            rc = add_license(src, g, s.ids[k]);
        }
        g->truncated |= s.cut;
        yc_free(s.ids);
        if (rc != YC_OK) {
            return rc;
        }
        rc = scan_ids(src, yc_key_idx_usage_asset, id, true, YC_PROV_MAX_USES, &s);
        for (size_t k = 0; rc == YC_OK && k < s.n; k++) {
            rc = add_use(src, g, s.ids[k]);
        }
        g->truncated |= s.cut;
        yc_free(s.ids);
        if (rc != YC_OK) {
            return rc;
        }
        rc = scan_ids(src, yc_key_idx_deal_asset, id, false, YC_PROV_MAX_DEALS, &s);
        for (size_t k = 0; rc == YC_OK && k < s.n; k++) {
            rc = add_deal(src, g, s.ids[k]);
        }
        g->truncated |= s.cut;
        yc_free(s.ids);
        if (rc != YC_OK) {
            return rc;
        }
    }
    return YC_OK;
}

/* ---- entry points ---- */

int yc_prov_format_from_name(const char *name, enum yc_prov_format *f)
{
    static const struct {
        const char *name;
        enum yc_prov_format f;
    } names[] = {{"json", YC_PROV_JSON},
                 {"dot", YC_PROV_DOT},
                 {"prov-json", YC_PROV_PROVJSON},
                 {"text", YC_PROV_TEXT}};

    if (name == NULL || f == NULL) {
        return YC_EINVAL;
    }
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(name, names[i].name) == 0) {
            *f = names[i].f;
            return YC_OK;
        }
    }
    return YC_EINVAL;
}

/* ---- agents ---- */

static void agent_add(struct prov_graph *g, const uint8_t *pub)
{
    for (size_t i = 0; i < g->nagents; i++) {
        if (memcmp(g->agents[i].pub, pub, YC_PUBKEY_LEN) == 0) {
            return;
        }
    }
    if (g->nagents < PROV_MAX_AGENTS) { /* the bound covers every mention: never cut */
        memcpy(g->agents[g->nagents++].pub, pub, YC_PUBKEY_LEN);
    }
}

/* Every account the graph names, once, in first-mention order, with its name. */
static int gather_agents(const struct yc_state_src *src, struct prov_graph *g)
{
    g->agents = yc_calloc(PROV_MAX_AGENTS, sizeof *g->agents);
    if (g->agents == NULL) {
        return YC_ENOMEM;
    }
    for (size_t i = 0; i < g->nassets; i++) {
        agent_add(g, g->assets[i].a.registrant);
        for (unsigned r = 0; r < YC_RIGHT_COUNT; r++) {
            agent_add(g, g->assets[i].holders[r]);
        }
    }
    for (size_t i = 0; i < g->nlic; i++) {
        agent_add(g, g->lic[i].l.licensor);
        agent_add(g, g->lic[i].l.licensee);
    }
    for (size_t i = 0; i < g->nuses; i++) {
        agent_add(g, g->uses[i].u.user);
    }
    for (size_t i = 0; i < g->ndeals; i++) {
        agent_add(g, g->deals[i].d.seller);
        agent_add(g, g->deals[i].d.buyer);
    }
    for (size_t i = 0; i < g->nagents; i++) {
        struct prov_agent *ag = &g->agents[i];
        uint8_t key[YC_KEY_MAX];
        size_t klen = yc_key_account(key, ag->pub);
        size_t vlen;
        struct yc_account acct;
        int rc = read_key(src, key, klen, &ag->val, &vlen);
        if (rc == YC_ENOTFOUND) {
            continue; /* named by a record but not registered: shown by address */
        }
        if (rc != YC_OK) {
            return rc;
        }
        rc = yc_account_decode(&acct, ag->val, vlen);
        if (rc != YC_OK) {
            return rc;
        }
        ag->name = acct.name;
    }
    return YC_OK;
}

int yc_provenance_render(const struct yc_state_src *src, const uint8_t id[YC_HASH_LEN],
                         uint64_t height, uint64_t time_ms, enum yc_prov_format f,
                         struct yc_buf *out)
{
    struct prov_graph g;
    int rc;

    if (src == NULL || src->get == NULL || src->scan == NULL || id == NULL || out == NULL ||
        (unsigned)f > (unsigned)YC_PROV_TEXT) {
        return YC_EINVAL;
    }
    memset(&g, 0, sizeof g);
    g.height = height;
    g.time_ms = time_ms;
    rc = add_asset(src, &g, id, PROV_SELF);
    if (rc == YC_ENOTFOUND) {
        rc = YC_EUNKNOWNASSET;
    }
    if (rc == YC_OK) {
        rc = walk_ancestors(src, &g);
    }
    if (rc == YC_OK) {
        rc = walk_descendants(src, &g);
    }
    if (rc == YC_OK) {
        rc = gather_activity(src, &g);
    }
    if (rc == YC_OK) {
        rc = gather_agents(src, &g);
    }
    if (rc == YC_OK) {
        rc = yc__prov_render(&g, f, out);
    }
    graph_cleanup(&g);
    return rc;
}
