/*
 * provenance_json.c — a provenance graph (provenance_int.h) as JSON (docs/rpc.md,
 * `provenance`) and as W3C PROV-JSON, built with the JSON forms of every other ledger
 * value (yc/json.h) and written by jansson, as the node's RPC writes its answers.
 *
 * A value or member that cannot be allocated marks the build failed (struct jb) instead
 * of leaving a hole in the graph: the caller gets YC_ENOMEM, never a graph with a
 * member missing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "provenance_int.h"
#include "yc/bech32.h"
#include "yc/json.h"

struct jb {
    bool oom;
};

/* o[k] = v (v's reference taken); a NULL v or o, or a failed set, marks the build. */
static void set(struct jb *b, json_t *o, const char *k, json_t *v)
{
    if (v == NULL || json_object_set_new(o, k, v) != 0)
        b->oom = true;
}

/* Appends v to a (its reference taken), as set. */
static void push(struct jb *b, json_t *a, json_t *v)
{
    if (v == NULL || json_array_append_new(a, v) != 0)
        b->oom = true;
}

/* Sets parent[key] = o and returns o, borrowed (parent holds it), to be filled further;
 * NULL if either is NULL or the set fails (the build marked, o released). */
static json_t *adopt(struct jb *b, json_t *parent, const char *key, json_t *o)
{
    if (o == NULL || json_object_set(parent, key, o) != 0) {
        json_decref(o);
        b->oom = true;
        return NULL;
    }
    json_decref(o);
    return o;
}

/* A new object or array; NULL marks the build. */
static json_t *obj(struct jb *b)
{
    json_t *o = json_object();
    b->oom |= o == NULL;
    return o;
}

static json_t *arr(struct jb *b)
{
    json_t *a = json_array();
    b->oom |= a == NULL;
    return a;
}

static json_t *hex32(const uint8_t id[YC_HASH_LEN])
{
    return yc_json_hex(id, YC_HASH_LEN);
}

/* ---- json ---- */

static json_t *asset_json(struct jb *b, const struct prov_graph *g, const struct prov_asset *pa)
{
    const struct yc_asset *a = &pa->a;
    json_t *o = obj(b), *parents = arr(b), *contrib = arr(b), *rights = obj(b);

    set(b, o, "id", hex32(pa->id));
    set(b, o, "relation", json_string(yc__prov_rel_name(pa->rel)));
    set(b, o, "title", yc_json_slice(&a->title));
    set(b, o, "digest", hex32(a->digest));
    set(b, o, "version", yc_json_u64(a->version));
    set(b, o, "catalog", yc_json_slice(&a->catalog));
    set(b, o, "source", yc_json_slice(&a->source));
    set(b, o, "grade", yc_json_slice(&a->grade));
    set(b, o, "openness", yc_json_slice(&a->openness));
    set(b, o, "sector", yc_json_slice(&a->sector));
    set(b, o, "status", json_string(yc_asset_status(a, g->height)));
    set(b, o, "certificate", yc_json_slice_or_null(&a->certificate));
    set(b, o, "registrant", yc_json_addr(a->registrant));
    set(b, o, "registered_at", yc_json_u64(a->registered_at));
    set(b, o, "time", yc_json_time(a->time_ms));
    for (uint32_t i = 0; i < a->nparents; i++)
        push(b, parents, hex32(a->parents[i]));
    set(b, o, "parents", parents);
    for (uint32_t i = 0; i < a->ncontributors; i++) {
        json_t *c = obj(b);
        set(b, c, "account", yc_json_addr(a->contributors[i].pub));
        set(b, c, "bps", yc_json_u64(a->contributors[i].bps));
        push(b, contrib, c);
    }
    set(b, o, "contributors", contrib);
    set(b, o, "usage", yc_json_id_or_null(a->has_usage, a->usage));
    for (unsigned r = 0; r < YC_RIGHT_COUNT; r++)
        set(b, rights, yc_right_name((enum yc_right)r), yc_json_addr(pa->holders[r]));
    set(b, o, "rights", rights);
    return o;
}

/* A use as the graph shows it: the license it relied on, the licensor it paid. */
static json_t *use_json(struct jb *b, const struct prov_use *pu)
{
    const struct yc_usage *u = &pu->u;
    json_t *o = obj(b);

    set(b, o, "id", hex32(pu->id));
    set(b, o, "asset", hex32(u->asset));
    set(b, o, "license", hex32(u->authority));
    set(b, o, "user", yc_json_addr(u->user));
    set(b, o, "licensor", yc_json_addr(u->subject));
    set(b, o, "purpose", yc_json_slice(&u->purpose));
    set(b, o, "operation", yc_json_slice(&u->operation));
    set(b, o, "fee", yc_json_u64(u->fee));
    set(b, o, "height", yc_json_u64(u->height));
    set(b, o, "time", yc_json_time(u->time_ms));
    set(b, o, "input", yc_json_id_or_null(u->has_input, u->input));
    set(b, o, "output", yc_json_id_or_null(u->has_output, u->output));
    return o;
}

static json_t *deal_json(struct jb *b, const struct prov_deal *pd)
{
    const struct yc_deal *d = &pd->d;
    json_t *o = obj(b);

    set(b, o, "id", hex32(pd->id));
    set(b, o, "asset", hex32(d->asset));
    set(b, o, "listing", hex32(d->listing));
    set(b, o, "offer", yc_json_slice(&d->offer));
    set(b, o, "seller", yc_json_addr(d->seller));
    set(b, o, "buyer", yc_json_addr(d->buyer));
    set(b, o, "price", yc_json_u64(d->price));
    set(b, o, "fee", yc_json_u64(d->fee));
    set(b, o, "cross_border", json_boolean(d->cross_border));
    set(b, o, "height", yc_json_u64(d->height));
    set(b, o, "time", yc_json_time(d->time_ms));
    return o;
}

static json_t *graph_json(struct jb *b, const struct prov_graph *g)
{
    json_t *o = obj(b), *assets = arr(b), *der = arr(b), *lic = arr(b), *uses = arr(b),
           *deals = arr(b);

    set(b, o, "id", hex32(g->assets[0].id));
    set(b, o, "height", yc_json_u64(g->height));
    set(b, o, "time", yc_json_time(g->time_ms));
    set(b, o, "truncated", json_boolean(g->truncated));
    for (size_t i = 0; i < g->nassets; i++)
        push(b, assets, asset_json(b, g, &g->assets[i]));
    set(b, o, "assets", assets);
    for (size_t i = 0; i < g->nassets; i++) {
        const struct yc_asset *a = &g->assets[i].a;
        for (uint32_t k = 0; k < a->nparents; k++) {
            if (yc__prov_find_asset(g, a->parents[k]) < 0)
                continue;
            json_t *d = obj(b);
            set(b, d, "product", hex32(g->assets[i].id));
            set(b, d, "source", hex32(a->parents[k]));
            push(b, der, d);
        }
    }
    set(b, o, "derivations", der);
    for (size_t i = 0; i < g->nlic; i++)
        push(b, lic, yc_json_license(g->lic[i].id, &g->lic[i].l, g->time_ms));
    set(b, o, "licenses", lic);
    for (size_t i = 0; i < g->nuses; i++)
        push(b, uses, use_json(b, &g->uses[i]));
    set(b, o, "uses", uses);
    for (size_t i = 0; i < g->ndeals; i++)
        push(b, deals, deal_json(b, &g->deals[i]));
    set(b, o, "deals", deals);
    return o;
}

/* ---- prov-json ---- */

/* Room for a qualified name: "yc:registration_" and 64 hex digits, or "yc:account_" and
 * an address. */
#define QN_MAX (16 + YC_ADDR_MAX)

/* The qualified name "yc:<kind>_<hex id>" of a node of the graph, into out. */
static const char *qn(char out[QN_MAX], const char *kind, const uint8_t id[YC_HASH_LEN])
{
    char h[2 * YC_HASH_LEN + 1];
    yc_hex(h, id, YC_HASH_LEN);
    snprintf(out, QN_MAX, "yc:%s_%s", kind, h);
    return out;
}

/* "yc:account_<yc1 address>" (the key's hex if it has no address form). */
static const char *qn_agent(char out[QN_MAX], const uint8_t pub[YC_PUBKEY_LEN])
{
    char a[YC_ADDR_MAX];
    if (yc_addr_encode(a, pub) != YC_OK)
        yc_hex(a, pub, YC_PUBKEY_LEN > 49 ? 49 : YC_PUBKEY_LEN);
    snprintf(out, QN_MAX, "yc:account_%s", a);
    return out;
}

/* {"$": name, "type": "prov:QUALIFIED_NAME"}. */
static json_t *qualified(const char *name)
{
    return json_pack("{s:s,s:s}", "$", name, "type", "prov:QUALIFIED_NAME");
}

/* A new record of kind `type` set at parent[key]. */
static json_t *record(struct jb *b, json_t *parent, const char *key, const char *type)
{
    json_t *r = obj(b);
    set(b, r, "prov:type", qualified(type));
    return adopt(b, parent, key, r);
}

static void prov_entities(struct jb *b, const struct prov_graph *g, json_t *ent)
{
    char q[QN_MAX];
    for (size_t i = 0; i < g->nassets; i++) {
        const struct prov_asset *pa = &g->assets[i];
        json_t *r = record(b, ent, qn(q, "asset", pa->id), "yc:DataAsset");
        set(b, r, "prov:label", yc_json_slice(&pa->a.title));
        set(b, r, "yc:digest", hex32(pa->a.digest));
        set(b, r, "yc:grade", yc_json_slice(&pa->a.grade));
        set(b, r, "yc:source", yc_json_slice(&pa->a.source));
        set(b, r, "yc:status", json_string(yc_asset_status(&pa->a, g->height)));
        set(b, r, "yc:relation", json_string(yc__prov_rel_name(pa->rel)));
        if (pa->a.certificate.len > 0)
            set(b, r, "yc:certificate", yc_json_slice(&pa->a.certificate));
    }
    for (size_t i = 0; i < g->nlic; i++) {
        const struct yc_license *l = &g->lic[i].l;
        json_t *r = record(b, ent, qn(q, "license", g->lic[i].id), "yc:License");
        set(b, r, "yc:visibility", yc_json_slice(&l->visibility));
        set(b, r, "yc:operations", yc_json_list(&l->operations));
        set(b, r, "yc:purposes", yc_json_list(&l->purposes));
        set(b, r, "yc:status", json_string(yc_license_status(l, g->time_ms)));
    }
}

static void prov_activities(struct jb *b, const struct prov_graph *g, json_t *act)
{
    char q[QN_MAX];
    for (size_t i = 0; i < g->nassets; i++) {
        json_t *r = record(b, act, qn(q, "registration", g->assets[i].id), "yc:Registration");
        set(b, r, "prov:startTime", yc_json_time(g->assets[i].a.time_ms));
        set(b, r, "yc:height", yc_json_u64(g->assets[i].a.registered_at));
    }
    for (size_t i = 0; i < g->nuses; i++) {
        const struct yc_usage *u = &g->uses[i].u;
        json_t *r = record(b, act, qn(q, "use", g->uses[i].id), "yc:Use");
        set(b, r, "prov:startTime", yc_json_time(u->time_ms));
        set(b, r, "yc:operation", yc_json_slice(&u->operation));
        set(b, r, "yc:purpose", yc_json_slice(&u->purpose));
        set(b, r, "yc:height", yc_json_u64(u->height));
    }
    for (size_t i = 0; i < g->ndeals; i++) {
        const struct yc_deal *d = &g->deals[i].d;
        json_t *r = record(b, act, qn(q, "deal", g->deals[i].id), "yc:Deal");
        set(b, r, "prov:startTime", yc_json_time(d->time_ms));
        set(b, r, "yc:offer", yc_json_slice(&d->offer));
        set(b, r, "yc:price", yc_json_u64(d->price));
        set(b, r, "yc:height", yc_json_u64(d->height));
    }
}

static void prov_agents(struct jb *b, const struct prov_graph *g, json_t *agents)
{
    char q[QN_MAX];
    for (size_t i = 0; i < g->nagents; i++) {
        const struct prov_agent *ag = &g->agents[i];
        json_t *r = record(b, agents, qn_agent(q, ag->pub), "prov:Organization");
        set(b, r, "yc:address", yc_json_addr(ag->pub));
        if (ag->name.len > 0)
            set(b, r, "prov:label", yc_json_slice(&ag->name));
    }
}

/* The relation records of one kind, "_:<prefix><n>" numbered from 1. */
struct rel {
    struct jb *b;
    json_t *set;
    const char *prefix;
    unsigned n;
};

/* A new record {a: qa, b: qb} (the names are qualified names of the graph). */
static json_t *rel_add(struct rel *r, const char *ka, const char *qa, const char *kb,
                       const char *qb)
{
    char key[32];
    snprintf(key, sizeof key, "_:%s%u", r->prefix, ++r->n);
    json_t *o = obj(r->b);
    set(r->b, o, ka, json_string(qa));
    set(r->b, o, kb, json_string(qb));
    return adopt(r->b, r->set, key, o);
}

static void prov_derived(struct jb *b, const struct prov_graph *g, json_t *out)
{
    struct rel r = {b, out, "d", 0};
    char q1[QN_MAX], q2[QN_MAX];
    for (size_t i = 0; i < g->nassets; i++) {
        const struct yc_asset *a = &g->assets[i].a;
        for (uint32_t k = 0; k < a->nparents; k++) {
            if (yc__prov_find_asset(g, a->parents[k]) < 0)
                continue;
            rel_add(&r, "prov:generatedEntity", qn(q1, "asset", g->assets[i].id), "prov:usedEntity",
                    qn(q2, "asset", a->parents[k]));
        }
    }
}

static void prov_used(struct jb *b, const struct prov_graph *g, json_t *out)
{
    struct rel r = {b, out, "u", 0};
    char q1[QN_MAX], q2[QN_MAX];
    for (size_t i = 0; i < g->nuses; i++) {
        const struct yc_usage *u = &g->uses[i].u;
        json_t *o = rel_add(&r, "prov:activity", qn(q1, "use", g->uses[i].id), "prov:entity",
                            qn(q2, "asset", u->asset));
        set(b, o, "prov:time", yc_json_time(u->time_ms));
        if (yc__prov_find_license(g, u->authority) >= 0) {
            o = rel_add(&r, "prov:activity", q1, "prov:entity", qn(q2, "license", u->authority));
            set(b, o, "prov:role", qualified("yc:authority"));
        }
    }
    for (size_t i = 0; i < g->ndeals; i++) {
        json_t *o = rel_add(&r, "prov:activity", qn(q1, "deal", g->deals[i].id), "prov:entity",
                            qn(q2, "asset", g->deals[i].d.asset));
        set(b, o, "prov:time", yc_json_time(g->deals[i].d.time_ms));
    }
}

static void prov_generated(struct jb *b, const struct prov_graph *g, json_t *out)
{
    struct rel r = {b, out, "g", 0};
    char q1[QN_MAX], q2[QN_MAX];
    for (size_t i = 0; i < g->nassets; i++) {
        const struct prov_asset *pa = &g->assets[i];
        json_t *o = rel_add(&r, "prov:entity", qn(q1, "asset", pa->id), "prov:activity",
                            qn(q2, "registration", pa->id));
        set(b, o, "prov:time", yc_json_time(pa->a.time_ms));
        if (pa->a.has_usage && yc__prov_find_use(g, pa->a.usage) >= 0)
            rel_add(&r, "prov:entity", q1, "prov:activity", qn(q2, "use", pa->a.usage));
    }
}

static void prov_associated(struct jb *b, const struct prov_graph *g, json_t *out)
{
    struct rel r = {b, out, "a", 0};
    char q1[QN_MAX], q2[QN_MAX];
    for (size_t i = 0; i < g->nassets; i++)
        rel_add(&r, "prov:activity", qn(q1, "registration", g->assets[i].id), "prov:agent",
                qn_agent(q2, g->assets[i].a.registrant));
    for (size_t i = 0; i < g->nuses; i++)
        rel_add(&r, "prov:activity", qn(q1, "use", g->uses[i].id), "prov:agent",
                qn_agent(q2, g->uses[i].u.user));
    for (size_t i = 0; i < g->ndeals; i++) {
        json_t *o = rel_add(&r, "prov:activity", qn(q1, "deal", g->deals[i].id), "prov:agent",
                            qn_agent(q2, g->deals[i].d.seller));
        set(b, o, "prov:role", qualified("yc:seller"));
        o = rel_add(&r, "prov:activity", q1, "prov:agent", qn_agent(q2, g->deals[i].d.buyer));
        set(b, o, "prov:role", qualified("yc:buyer"));
    }
}

static void prov_attributed(struct jb *b, const struct prov_graph *g, json_t *out)
{
    struct rel r = {b, out, "t", 0};
    char q1[QN_MAX], q2[QN_MAX];
    for (size_t i = 0; i < g->nassets; i++)
        rel_add(&r, "prov:entity", qn(q1, "asset", g->assets[i].id), "prov:agent",
                qn_agent(q2, g->assets[i].holders[YC_RIGHT_HOLD]));
    for (size_t i = 0; i < g->nlic; i++)
        rel_add(&r, "prov:entity", qn(q1, "license", g->lic[i].id), "prov:agent",
                qn_agent(q2, g->lic[i].l.licensor));
}

static json_t *graph_prov(struct jb *b, const struct prov_graph *g)
{
    static const struct {
        const char *key;
        void (*fill)(struct jb *, const struct prov_graph *, json_t *);
    } PARTS[] = {
        {"entity", prov_entities},
        {"activity", prov_activities},
        {"agent", prov_agents},
        {"wasDerivedFrom", prov_derived},
        {"used", prov_used},
        {"wasGeneratedBy", prov_generated},
        {"wasAssociatedWith", prov_associated},
        {"wasAttributedTo", prov_attributed},
    };
    json_t *o = obj(b);
    set(b, o, "prefix", json_pack("{s:s}", "yc", "urn:yuchain:"));
    for (size_t i = 0; i < sizeof PARTS / sizeof PARTS[0]; i++) {
        json_t *part = obj(b);
        if (part != NULL)
            PARTS[i].fill(b, g, part);
        set(b, o, PARTS[i].key, part);
    }
    return o;
}

int yc__prov_render_json(const struct prov_graph *g, bool prov, struct yc_buf *out)
{
    struct jb b = {false};
    json_t *o = prov ? graph_prov(&b, g) : graph_json(&b, g);
    char *text = b.oom ? NULL : json_dumps(o, JSON_COMPACT);
    json_decref(o);
    int rc = text != NULL ? yc_buf_append(out, text, strlen(text)) : YC_ENOMEM;
    if (rc == YC_OK)
        rc = yc_buf_append(out, "\n", 1);
    free(text);
    return rc;
}
