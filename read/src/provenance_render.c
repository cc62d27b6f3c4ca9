/*
 * provenance_render.c — writes a provenance graph (provenance_int.h) as JSON, Graphviz
 * DOT, W3C PROV-JSON or text (provenance.h).
 *
 * Conventions follow the RPC (docs/rpc.md): integers as decimal strings in JSON, ids and
 * digests lowercase hex, accounts yc1… addresses, times RFC 3339 UTC. Text taken from
 * transactions (titles, codes) is escaped for each format: JSON escapes, DOT quoted
 * strings with `"` and `\` escaped, control characters never written raw.
 *
 * Output errors are sticky (struct w): write freely, check once at the end.
 */
#include <stdio.h>
#include <string.h>

#include "provenance_int.h"
#include "yc/alloc.h"
#include "yc/bech32.h"
#include "yc/json.h"

struct w {
    struct yc_buf *b;
    int err;
};

static void raw(struct w *w, const char *s, size_t n)
{
    if (w->err == YC_OK && n > 0) {
        w->err = yc_buf_append(w->b, s, n);
    }
}

static void put(struct w *w, const char *s)
{
    raw(w, s, strlen(s));
}

static void putf_u64(struct w *w, uint64_t v)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v);
    raw(w, tmp, n > 0 ? (size_t)n : 0);
}

/* ---- value forms ---- */

static void hex_of(char out[2 * YC_HASH_LEN + 1], const uint8_t id[YC_HASH_LEN])
{
    yc_hex(out, id, YC_HASH_LEN);
}

static void addr_of(char out[YC_ADDR_MAX], const uint8_t pub[YC_PUBKEY_LEN])
{
    if (yc_addr_encode(out, pub) != YC_OK) {
        /* a key without an address form is shown as hex (never expected) */
        yc_hex(out, pub, YC_PUBKEY_LEN > 49 ? 49 : YC_PUBKEY_LEN);
    }
}

/* An address shortened for people, beside a name (yc_addr_short). */
static void short_addr_of(char out[YC_ADDR_SHORT_MAX], const uint8_t pub[YC_PUBKEY_LEN])
{
    char a[YC_ADDR_MAX];
    addr_of(a, pub);
    yc_addr_short(out, a);
}

/* JSON string of bytes s[0..n) (valid UTF-8 from decoded state; controls escaped). */
static void jstr_n(struct w *w, const char *s, size_t n)
{
    raw(w, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            raw(w, e, 2);
        } else if (c < 0x20) {
            char e[8];
            snprintf(e, sizeof e, "\\u%04x", c);
            raw(w, e, 6);
        } else {
            raw(w, (const char *)&s[i], 1);
        }
    }
    raw(w, "\"", 1);
}

static void jstr(struct w *w, const char *s)
{
    jstr_n(w, s, strlen(s));
}

static void jslice(struct w *w, const struct yc_slice *s)
{
    jstr_n(w, s->len > 0 ? s->p : "", s->len);
}

static void jhex(struct w *w, const uint8_t id[YC_HASH_LEN])
{
    char h[2 * YC_HASH_LEN + 1];
    hex_of(h, id);
    jstr(w, h);
}

static void jaddr(struct w *w, const uint8_t pub[YC_PUBKEY_LEN])
{
    char a[YC_ADDR_MAX];
    addr_of(a, pub);
    jstr(w, a);
}

static void ju64(struct w *w, uint64_t v)
{
    raw(w, "\"", 1);
    putf_u64(w, v);
    raw(w, "\"", 1);
}

/* As yc_json_time: RFC 3339, null beyond YC_JSON_TIME_LAST. */
static void jtime(struct w *w, uint64_t ms)
{
    char t[32];
    if (ms > YC_JSON_TIME_LAST) {
        put(w, "null");
        return;
    }
    yc_time_rfc3339(t, ms);
    jstr(w, t);
}

static void jlist(struct w *w, const struct yc_list *l)
{
    raw(w, "[", 1);
    for (uint32_t i = 0; i < l->n; i++) {
        if (i > 0) {
            raw(w, ",", 1);
        }
        jslice(w, &l->items[i]);
    }
    raw(w, "]", 1);
}

/* "key": */
static void jkey(struct w *w, const char *k, bool first)
{
    if (!first) {
        raw(w, ",", 1);
    }
    jstr(w, k);
    raw(w, ":", 1);
}

static const char *rel_name(enum prov_rel r)
{
    return r == PROV_SELF ? "self" : r == PROV_ANCESTOR ? "ancestor" : "descendant";
}

/* ---- json ---- */

static void json_asset(struct w *w, const struct prov_graph *g, const struct prov_asset *pa)
{
    const struct yc_asset *a = &pa->a;

    raw(w, "{", 1);
    jkey(w, "id", true);
    jhex(w, pa->id);
    jkey(w, "relation", false);
    jstr(w, rel_name(pa->rel));
    jkey(w, "title", false);
    jslice(w, &a->title);
    jkey(w, "digest", false);
    jhex(w, a->digest);
    jkey(w, "version", false);
    ju64(w, a->version);
    jkey(w, "catalog", false);
    jslice(w, &a->catalog);
    jkey(w, "source", false);
    jslice(w, &a->source);
    jkey(w, "grade", false);
    jslice(w, &a->grade);
    jkey(w, "openness", false);
    jslice(w, &a->openness);
    jkey(w, "sector", false);
    jslice(w, &a->sector);
    jkey(w, "status", false);
    jstr(w, yc_asset_status(a, g->height));
    jkey(w, "certificate", false);
    if (a->certificate.len > 0) {
        jslice(w, &a->certificate);
    } else {
        put(w, "null");
    }
    jkey(w, "registrant", false);
    jaddr(w, a->registrant);
    jkey(w, "registered_at", false);
    ju64(w, a->registered_at);
    jkey(w, "time", false);
    jtime(w, a->time_ms);
    jkey(w, "parents", false);
    raw(w, "[", 1);
    for (uint32_t i = 0; i < a->nparents; i++) {
        if (i > 0) {
            raw(w, ",", 1);
        }
        jhex(w, a->parents[i]);
    }
    raw(w, "]", 1);
    jkey(w, "contributors", false);
    raw(w, "[", 1);
    for (uint32_t i = 0; i < a->ncontributors; i++) {
        raw(w, i > 0 ? ",{" : "{", i > 0 ? 2 : 1);
        jkey(w, "account", true);
        jaddr(w, a->contributors[i].pub);
        jkey(w, "bps", false);
        ju64(w, a->contributors[i].bps);
        raw(w, "}", 1);
    }
    raw(w, "]", 1);
    jkey(w, "usage", false);
    if (a->has_usage) {
        jhex(w, a->usage);
    } else {
        put(w, "null");
    }
    jkey(w, "rights", false);
    raw(w, "{", 1);
    for (unsigned r = 0; r < YC_RIGHT_COUNT; r++) {
        jkey(w, yc_right_name((enum yc_right)r), r == 0);
        jaddr(w, pa->holders[r]);
    }
    raw(w, "}}", 2);
}

static void json_license(struct w *w, const struct prov_graph *g, const struct prov_license *pl)
{
    const struct yc_license *l = &pl->l;

    raw(w, "{", 1);
    jkey(w, "id", true);
    jhex(w, pl->id);
    jkey(w, "asset", false);
    jhex(w, l->asset);
    jkey(w, "right", false);
    jslice(w, &l->right);
    jkey(w, "licensor", false);
    jaddr(w, l->licensor);
    jkey(w, "licensee", false);
    jaddr(w, l->licensee);
    jkey(w, "purposes", false);
    jlist(w, &l->purposes);
    jkey(w, "operations", false);
    jlist(w, &l->operations);
    jkey(w, "visibility", false);
    jslice(w, &l->visibility);
    jkey(w, "fee", false);
    ju64(w, l->fee);
    jkey(w, "max_uses", false);
    ju64(w, l->max_uses);
    jkey(w, "uses", false);
    ju64(w, l->uses);
    jkey(w, "not_before", false);
    ju64(w, l->not_before);
    jkey(w, "until", false);
    ju64(w, l->until);
    jkey(w, "until_time", false);
    jtime(w, l->until);
    jkey(w, "granted_at", false);
    ju64(w, l->granted_at);
    jkey(w, "revoked_at", false);
    if (l->revoked_at != 0) {
        ju64(w, l->revoked_at);
    } else {
        put(w, "null");
    }
    jkey(w, "status", false);
    jstr(w, yc_license_status(l, g->time_ms));
    raw(w, "}", 1);
}

static void json_use(struct w *w, const struct prov_use *pu)
{
    const struct yc_usage *u = &pu->u;

    raw(w, "{", 1);
    jkey(w, "id", true);
    jhex(w, pu->id);
    jkey(w, "asset", false);
    jhex(w, u->asset);
    jkey(w, "license", false);
    jhex(w, u->authority);
    jkey(w, "user", false);
    jaddr(w, u->user);
    jkey(w, "licensor", false);
    jaddr(w, u->subject);
    jkey(w, "purpose", false);
    jslice(w, &u->purpose);
    jkey(w, "operation", false);
    jslice(w, &u->operation);
    jkey(w, "fee", false);
    ju64(w, u->fee);
    jkey(w, "height", false);
    ju64(w, u->height);
    jkey(w, "time", false);
    jtime(w, u->time_ms);
    jkey(w, "input", false);
    if (u->has_input) {
        jhex(w, u->input);
    } else {
        put(w, "null");
    }
    jkey(w, "output", false);
    if (u->has_output) {
        jhex(w, u->output);
    } else {
        put(w, "null");
    }
    raw(w, "}", 1);
}

static void json_deal(struct w *w, const struct prov_deal *pd)
{
    const struct yc_deal *d = &pd->d;

    raw(w, "{", 1);
    jkey(w, "id", true);
    jhex(w, pd->id);
    jkey(w, "asset", false);
    jhex(w, d->asset);
    jkey(w, "listing", false);
    jhex(w, d->listing);
    jkey(w, "offer", false);
    jslice(w, &d->offer);
    jkey(w, "seller", false);
    jaddr(w, d->seller);
    jkey(w, "buyer", false);
    jaddr(w, d->buyer);
    jkey(w, "price", false);
    ju64(w, d->price);
    jkey(w, "fee", false);
    ju64(w, d->fee);
    jkey(w, "cross_border", false);
    put(w, d->cross_border ? "true" : "false");
    jkey(w, "height", false);
    ju64(w, d->height);
    jkey(w, "time", false);
    jtime(w, d->time_ms);
    raw(w, "}", 1);
}

static void render_json(struct w *w, const struct prov_graph *g)
{
    raw(w, "{", 1);
    jkey(w, "id", true);
    jhex(w, g->assets[0].id);
    jkey(w, "height", false);
    ju64(w, g->height);
    jkey(w, "time", false);
    jtime(w, g->time_ms);
    jkey(w, "truncated", false);
    put(w, g->truncated ? "true" : "false");
    jkey(w, "assets", false);
    raw(w, "[", 1);
    for (size_t i = 0; i < g->nassets; i++) {
        if (i > 0) {
            raw(w, ",", 1);
        }
        json_asset(w, g, &g->assets[i]);
    }
    raw(w, "]", 1);
    jkey(w, "derivations", false);
    raw(w, "[", 1);
    bool first = true;
    for (size_t i = 0; i < g->nassets; i++) {
        const struct yc_asset *a = &g->assets[i].a;
        for (uint32_t k = 0; k < a->nparents; k++) {
            if (yc__prov_find_asset(g, a->parents[k]) < 0) {
                continue;
            }
            raw(w, first ? "{" : ",{", first ? 1 : 2);
            first = false;
            jkey(w, "product", true);
            jhex(w, g->assets[i].id);
            jkey(w, "source", false);
            jhex(w, a->parents[k]);
            raw(w, "}", 1);
        }
    }
    raw(w, "]", 1);
    jkey(w, "licenses", false);
    raw(w, "[", 1);
    for (size_t i = 0; i < g->nlic; i++) {
        if (i > 0) {
            raw(w, ",", 1);
        }
        json_license(w, g, &g->lic[i]);
    }
    raw(w, "]", 1);
    jkey(w, "uses", false);
    raw(w, "[", 1);
    for (size_t i = 0; i < g->nuses; i++) {
        if (i > 0) {
            raw(w, ",", 1);
        }
        json_use(w, &g->uses[i]);
    }
    raw(w, "]", 1);
    jkey(w, "deals", false);
    raw(w, "[", 1);
    for (size_t i = 0; i < g->ndeals; i++) {
        if (i > 0) {
            raw(w, ",", 1);
        }
        json_deal(w, &g->deals[i]);
    }
    raw(w, "]}", 2);
}

/* ---- dot ---- */

/* A DOT quoted string: `"` and `\` escaped, controls as spaces, "\n" from '\n'. */
static void dstr_n(struct w *w, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', c};
            raw(w, e, 2);
        } else if ((unsigned char)c < 0x20) {
            raw(w, " ", 1);
        } else {
            raw(w, &c, 1);
        }
    }
}

static void dslice(struct w *w, const struct yc_slice *s)
{
    dstr_n(w, s->len > 0 ? s->p : "", s->len);
}

static void short_hex(char out[17], const uint8_t id[YC_HASH_LEN])
{
    yc_hex(out, id, 8);
}

static void dnode(struct w *w, const char *kind, const uint8_t id[YC_HASH_LEN])
{
    char h[2 * YC_HASH_LEN + 1];
    hex_of(h, id);
    raw(w, "\"", 1);
    put(w, kind);
    raw(w, "_", 1);
    put(w, h);
    raw(w, "\"", 1);
}

static void dagent(struct w *w, const uint8_t pub[YC_PUBKEY_LEN])
{
    char a[YC_ADDR_MAX];
    addr_of(a, pub);
    put(w, "\"agent_");
    put(w, a);
    raw(w, "\"", 1);
}

static void dot_assets(struct w *w, const struct prov_graph *g)
{
    for (size_t i = 0; i < g->nassets; i++) {
        const struct prov_asset *pa = &g->assets[i];
        char sh[17];
        short_hex(sh, pa->id);
        put(w, "  ");
        dnode(w, "asset", pa->id);
        put(w, " [shape=box, style=filled, fillcolor=\"");
        put(w, pa->rel == PROV_SELF ? "#f6d55c" : "#dbe8f6");
        put(w, "\", label=\"");
        dslice(w, &pa->a.title);
        put(w, "\\nasset ");
        put(w, sh);
        put(w, " v");
        putf_u64(w, pa->a.version);
        put(w, "\\n");
        dslice(w, &pa->a.grade);
        put(w, " · ");
        put(w, yc_asset_status(&pa->a, g->height));
        if (pa->a.certificate.len > 0) {
            put(w, " · ");
            dslice(w, &pa->a.certificate);
        }
        put(w, "\"];\n");
        for (uint32_t k = 0; k < pa->a.nparents; k++) {
            if (yc__prov_find_asset(g, pa->a.parents[k]) < 0) {
                continue;
            }
            put(w, "  ");
            dnode(w, "asset", pa->id);
            put(w, " -> ");
            dnode(w, "asset", pa->a.parents[k]);
            put(w, " [label=\"wasDerivedFrom\"];\n");
        }
        for (unsigned r = 0; r < YC_RIGHT_COUNT; r++) {
            put(w, "  ");
            dnode(w, "asset", pa->id);
            put(w, " -> ");
            dagent(w, pa->holders[r]);
            put(w, " [style=dotted, label=\"");
            put(w, yc_right_name((enum yc_right)r));
            put(w, "\"];\n");
        }
        if (pa->a.has_usage && yc__prov_find_use(g, pa->a.usage) >= 0) {
            put(w, "  ");
            dnode(w, "asset", pa->id);
            put(w, " -> ");
            dnode(w, "use", pa->a.usage);
            put(w, " [label=\"wasGeneratedBy\"];\n");
        }
    }
}

static void dot_activity(struct w *w, const struct prov_graph *g)
{
    for (size_t i = 0; i < g->nlic; i++) {
        const struct yc_license *l = &g->lic[i].l;
        char sh[17];
        short_hex(sh, g->lic[i].id);
        put(w, "  ");
        dnode(w, "license", g->lic[i].id);
        put(w, " [shape=note, label=\"license ");
        put(w, sh);
        put(w, "\\n");
        dslice(w, &l->visibility);
        put(w, " · ");
        for (uint32_t k = 0; k < l->operations.n; k++) {
            put(w, k > 0 ? "," : "");
            dslice(w, &l->operations.items[k]);
        }
        put(w, "\\n");
        put(w, yc_license_status(l, g->time_ms));
        put(w, "\"];\n  ");
        dnode(w, "license", g->lic[i].id);
        put(w, " -> ");
        dnode(w, "asset", l->asset);
        put(w, " [style=dashed, label=\"licenses\"];\n  ");
        dnode(w, "license", g->lic[i].id);
        put(w, " -> ");
        dagent(w, l->licensee);
        put(w, " [style=dashed, label=\"licensee\"];\n");
    }
    for (size_t i = 0; i < g->nuses; i++) {
        const struct yc_usage *u = &g->uses[i].u;
        char sh[17];
        short_hex(sh, g->uses[i].id);
        put(w, "  ");
        dnode(w, "use", g->uses[i].id);
        put(w, " [shape=ellipse, label=\"use ");
        put(w, sh);
        put(w, "\\n");
        dslice(w, &u->operation);
        put(w, " for ");
        dslice(w, &u->purpose);
        put(w, "\\nheight ");
        putf_u64(w, u->height);
        put(w, "\"];\n  ");
        dnode(w, "use", g->uses[i].id);
        put(w, " -> ");
        dnode(w, "asset", u->asset);
        put(w, " [label=\"used\"];\n");
        if (yc__prov_find_license(g, u->authority) >= 0) {
            put(w, "  ");
            dnode(w, "use", g->uses[i].id);
            put(w, " -> ");
            dnode(w, "license", u->authority);
            put(w, " [style=dotted, label=\"under\"];\n");
        }
        put(w, "  ");
        dnode(w, "use", g->uses[i].id);
        put(w, " -> ");
        dagent(w, u->user);
        put(w, " [label=\"wasAssociatedWith\"];\n");
    }
    for (size_t i = 0; i < g->ndeals; i++) {
        const struct yc_deal *d = &g->deals[i].d;
        char sh[17];
        short_hex(sh, g->deals[i].id);
        put(w, "  ");
        dnode(w, "deal", g->deals[i].id);
        put(w, " [shape=hexagon, style=filled, fillcolor=\"#e3f4e1\", label=\"deal ");
        put(w, sh);
        put(w, "\\n");
        dslice(w, &d->offer);
        put(w, " · ");
        putf_u64(w, d->price / 100);
        raw(w, ".", 1);
        putf_u64(w, d->price % 100 / 10);
        putf_u64(w, d->price % 10);
        put(w, " yuan\\nheight ");
        putf_u64(w, d->height);
        put(w, "\"];\n  ");
        dnode(w, "deal", g->deals[i].id);
        put(w, " -> ");
        dnode(w, "asset", d->asset);
        put(w, " [label=\"used\"];\n  ");
        dnode(w, "deal", g->deals[i].id);
        put(w, " -> ");
        dagent(w, d->seller);
        put(w, " [label=\"seller\"];\n  ");
        dnode(w, "deal", g->deals[i].id);
        put(w, " -> ");
        dagent(w, d->buyer);
        put(w, " [label=\"buyer\"];\n");
    }
}

/* The font of the graph: a CJK-capable family (Chinese titles and names), which the
 * install step provides (fonts-wqy-microhei); where it is missing, fontconfig picks
 * another. */
#define DOT_FONT "WenQuanYi Micro Hei"

static void render_dot(struct w *w, const struct prov_graph *g)
{
    put(w, "digraph provenance {\n  rankdir=BT;\n  node [fontname=\"" DOT_FONT "\", fontsize=10];\n"
           "  edge [fontname=\"" DOT_FONT "\", fontsize=9];\n");
    if (g->truncated) {
        put(w, "  label=\"(graph truncated)\";\n");
    }
    dot_assets(w, g);
    dot_activity(w, g);
    for (size_t i = 0; i < g->nagents; i++) {
        const struct prov_agent *ag = &g->agents[i];
        char shrt[YC_ADDR_SHORT_MAX];
        /* the name on top, the address shortened below it (the node id keeps it whole) */
        short_addr_of(shrt, ag->pub);
        put(w, "  ");
        dagent(w, ag->pub);
        put(w, " [shape=house, label=\"");
        if (ag->name.len > 0) {
            dslice(w, &ag->name);
            put(w, "\\n");
        }
        put(w, shrt);
        put(w, "\"];\n");
    }
    put(w, "}\n");
}

/* ---- prov-json ---- */

static void pqn(struct w *w, const char *kind, const uint8_t id[YC_HASH_LEN])
{
    char h[2 * YC_HASH_LEN + 1];
    hex_of(h, id);
    raw(w, "\"yc:", 4);
    put(w, kind);
    raw(w, "_", 1);
    put(w, h);
    raw(w, "\"", 1);
}

static void pagent(struct w *w, const uint8_t pub[YC_PUBKEY_LEN])
{
    char a[YC_ADDR_MAX];
    addr_of(a, pub);
    put(w, "\"yc:account_");
    put(w, a);
    raw(w, "\"", 1);
}

static void ptype(struct w *w, const char *qname)
{
    put(w, "\"prov:type\":{\"$\":\"");
    put(w, qname);
    put(w, "\",\"type\":\"prov:QUALIFIED_NAME\"}");
}

/* One relation record "_:<prefix><n>":{...}, with a comma before all but the first. */
struct rel {
    struct w *w;
    const char *prefix;
    unsigned n;
};

static void rel_open(struct rel *r)
{
    if (r->n > 0) {
        raw(r->w, ",", 1);
    }
    r->n++;
    put(r->w, "\"_:");
    put(r->w, r->prefix);
    putf_u64(r->w, r->n);
    put(r->w, "\":{");
}

static void prov_entities(struct w *w, const struct prov_graph *g)
{
    put(w, "\"entity\":{");
    for (size_t i = 0; i < g->nassets; i++) {
        const struct prov_asset *pa = &g->assets[i];
        if (i > 0) {
            raw(w, ",", 1);
        }
        pqn(w, "asset", pa->id);
        raw(w, ":{", 2);
        ptype(w, "yc:DataAsset");
        put(w, ",\"prov:label\":");
        jslice(w, &pa->a.title);
        put(w, ",\"yc:digest\":");
        jhex(w, pa->a.digest);
        put(w, ",\"yc:grade\":");
        jslice(w, &pa->a.grade);
        put(w, ",\"yc:source\":");
        jslice(w, &pa->a.source);
        put(w, ",\"yc:status\":");
        jstr(w, yc_asset_status(&pa->a, g->height));
        put(w, ",\"yc:relation\":");
        jstr(w, rel_name(pa->rel));
        if (pa->a.certificate.len > 0) {
            put(w, ",\"yc:certificate\":");
            jslice(w, &pa->a.certificate);
        }
        raw(w, "}", 1);
    }
    for (size_t i = 0; i < g->nlic; i++) {
        const struct yc_license *l = &g->lic[i].l;
        raw(w, ",", g->nassets + i > 0 ? 1 : 0);
        pqn(w, "license", g->lic[i].id);
        raw(w, ":{", 2);
        ptype(w, "yc:License");
        put(w, ",\"yc:visibility\":");
        jslice(w, &l->visibility);
        put(w, ",\"yc:operations\":");
        jlist(w, &l->operations);
        put(w, ",\"yc:purposes\":");
        jlist(w, &l->purposes);
        put(w, ",\"yc:status\":");
        jstr(w, yc_license_status(l, g->time_ms));
        raw(w, "}", 1);
    }
    raw(w, "}", 1);
}

static void prov_activities(struct w *w, const struct prov_graph *g)
{
    put(w, ",\"activity\":{");
    for (size_t i = 0; i < g->nassets; i++) {
        if (i > 0) {
            raw(w, ",", 1);
        }
        pqn(w, "registration", g->assets[i].id);
        raw(w, ":{", 2);
        ptype(w, "yc:Registration");
        put(w, ",\"prov:startTime\":");
        jtime(w, g->assets[i].a.time_ms);
        put(w, ",\"yc:height\":");
        ju64(w, g->assets[i].a.registered_at);
        raw(w, "}", 1);
    }
    for (size_t i = 0; i < g->nuses; i++) {
        const struct yc_usage *u = &g->uses[i].u;
        raw(w, ",", g->nassets + i > 0 ? 1 : 0);
        pqn(w, "use", g->uses[i].id);
        raw(w, ":{", 2);
        ptype(w, "yc:Use");
        put(w, ",\"prov:startTime\":");
        jtime(w, u->time_ms);
        put(w, ",\"yc:operation\":");
        jslice(w, &u->operation);
        put(w, ",\"yc:purpose\":");
        jslice(w, &u->purpose);
        put(w, ",\"yc:height\":");
        ju64(w, u->height);
        raw(w, "}", 1);
    }
    for (size_t i = 0; i < g->ndeals; i++) {
        const struct yc_deal *d = &g->deals[i].d;
        raw(w, ",", g->nassets + g->nuses + i > 0 ? 1 : 0);
        pqn(w, "deal", g->deals[i].id);
        raw(w, ":{", 2);
        ptype(w, "yc:Deal");
        put(w, ",\"prov:startTime\":");
        jtime(w, d->time_ms);
        put(w, ",\"yc:offer\":");
        jslice(w, &d->offer);
        put(w, ",\"yc:price\":");
        ju64(w, d->price);
        put(w, ",\"yc:height\":");
        ju64(w, d->height);
        raw(w, "}", 1);
    }
    raw(w, "}", 1);
}

static void prov_agents(struct w *w, const struct prov_graph *g)
{
    put(w, ",\"agent\":{");
    for (size_t i = 0; i < g->nagents; i++) {
        const struct prov_agent *ag = &g->agents[i];
        char a[YC_ADDR_MAX];
        addr_of(a, ag->pub);
        if (i > 0) {
            raw(w, ",", 1);
        }
        pagent(w, ag->pub);
        raw(w, ":{", 2);
        ptype(w, "prov:Organization");
        put(w, ",\"yc:address\":");
        jstr(w, a);
        if (ag->name.len > 0) {
            put(w, ",\"prov:label\":");
            jslice(w, &ag->name);
        }
        raw(w, "}", 1);
    }
    raw(w, "}", 1);
}

static void prov_relations(struct w *w, const struct prov_graph *g)
{
    struct rel r = {w, "d", 0};

    put(w, ",\"wasDerivedFrom\":{");
    for (size_t i = 0; i < g->nassets; i++) {
        const struct yc_asset *a = &g->assets[i].a;
        for (uint32_t k = 0; k < a->nparents; k++) {
            if (yc__prov_find_asset(g, a->parents[k]) < 0) {
                continue;
            }
            rel_open(&r);
            put(w, "\"prov:generatedEntity\":");
            pqn(w, "asset", g->assets[i].id);
            put(w, ",\"prov:usedEntity\":");
            pqn(w, "asset", a->parents[k]);
            raw(w, "}", 1);
        }
    }
    put(w, "},\"used\":{");
    r = (struct rel){w, "u", 0};
    for (size_t i = 0; i < g->nuses; i++) {
        const struct yc_usage *u = &g->uses[i].u;
        rel_open(&r);
        put(w, "\"prov:activity\":");
        pqn(w, "use", g->uses[i].id);
        put(w, ",\"prov:entity\":");
        pqn(w, "asset", u->asset);
        put(w, ",\"prov:time\":");
        jtime(w, u->time_ms);
        raw(w, "}", 1);
        if (yc__prov_find_license(g, u->authority) >= 0) {
            rel_open(&r);
            put(w, "\"prov:activity\":");
            pqn(w, "use", g->uses[i].id);
            put(w, ",\"prov:entity\":");
            pqn(w, "license", u->authority);
            put(w, ",\"prov:role\":{\"$\":\"yc:authority\",\"type\":\"prov:QUALIFIED_NAME\"}}");
        }
    }
    for (size_t i = 0; i < g->ndeals; i++) {
        rel_open(&r);
        put(w, "\"prov:activity\":");
        pqn(w, "deal", g->deals[i].id);
        put(w, ",\"prov:entity\":");
        pqn(w, "asset", g->deals[i].d.asset);
        put(w, ",\"prov:time\":");
        jtime(w, g->deals[i].d.time_ms);
        raw(w, "}", 1);
    }
    put(w, "},\"wasGeneratedBy\":{");
    r = (struct rel){w, "g", 0};
    for (size_t i = 0; i < g->nassets; i++) {
        const struct prov_asset *pa = &g->assets[i];
        bool by_use = pa->a.has_usage && yc__prov_find_use(g, pa->a.usage) >= 0;
        rel_open(&r);
        put(w, "\"prov:entity\":");
        pqn(w, "asset", pa->id);
        put(w, ",\"prov:activity\":");
        pqn(w, "registration", pa->id);
        put(w, ",\"prov:time\":");
        jtime(w, pa->a.time_ms);
        raw(w, "}", 1);
        if (by_use) {
            rel_open(&r);
            put(w, "\"prov:entity\":");
            pqn(w, "asset", pa->id);
            put(w, ",\"prov:activity\":");
            pqn(w, "use", pa->a.usage);
            raw(w, "}", 1);
        }
    }
    put(w, "},\"wasAssociatedWith\":{");
    r = (struct rel){w, "a", 0};
    for (size_t i = 0; i < g->nassets; i++) {
        rel_open(&r);
        put(w, "\"prov:activity\":");
        pqn(w, "registration", g->assets[i].id);
        put(w, ",\"prov:agent\":");
        pagent(w, g->assets[i].a.registrant);
        raw(w, "}", 1);
    }
    for (size_t i = 0; i < g->nuses; i++) {
        rel_open(&r);
        put(w, "\"prov:activity\":");
        pqn(w, "use", g->uses[i].id);
        put(w, ",\"prov:agent\":");
        pagent(w, g->uses[i].u.user);
        raw(w, "}", 1);
    }
    for (size_t i = 0; i < g->ndeals; i++) {
        for (int side = 0; side < 2; side++) {
            rel_open(&r);
            put(w, "\"prov:activity\":");
            pqn(w, "deal", g->deals[i].id);
            put(w, ",\"prov:agent\":");
            pagent(w, side == 0 ? g->deals[i].d.seller : g->deals[i].d.buyer);
            put(w, side == 0
                       ? ",\"prov:role\":{\"$\":\"yc:seller\",\"type\":\"prov:QUALIFIED_NAME\"}}"
                       : ",\"prov:role\":{\"$\":\"yc:buyer\",\"type\":\"prov:QUALIFIED_NAME\"}}");
        }
    }
    put(w, "},\"wasAttributedTo\":{");
    r = (struct rel){w, "t", 0};
    for (size_t i = 0; i < g->nassets; i++) {
        rel_open(&r);
        put(w, "\"prov:entity\":");
        pqn(w, "asset", g->assets[i].id);
        put(w, ",\"prov:agent\":");
        pagent(w, g->assets[i].holders[YC_RIGHT_HOLD]);
        raw(w, "}", 1);
    }
    for (size_t i = 0; i < g->nlic; i++) {
        rel_open(&r);
        put(w, "\"prov:entity\":");
        pqn(w, "license", g->lic[i].id);
        put(w, ",\"prov:agent\":");
        pagent(w, g->lic[i].l.licensor);
        raw(w, "}", 1);
    }
    raw(w, "}", 1);
}

static void render_prov(struct w *w, const struct prov_graph *g)
{
    put(w, "{\"prefix\":{\"yc\":\"urn:yuchain:\"},");
    prov_entities(w, g);
    prov_activities(w, g);
    prov_agents(w, g);
    prov_relations(w, g);
    put(w, "}\n");
}

/* ---- text ---- */

/* Text as it is, control characters as spaces. */
static void tslice(struct w *w, const struct yc_slice *s)
{
    for (size_t i = 0; i < s->len; i++) {
        char c = (unsigned char)s->p[i] < 0x20 ? ' ' : s->p[i];
        raw(w, &c, 1);
    }
}

/* An account for people: "Name (yc1abcdefg…uvwxyz)" when it has a registered name, else
 * its whole address. */
static void tagent(struct w *w, const struct prov_graph *g, const uint8_t pub[YC_PUBKEY_LEN])
{
    char a[YC_ADDR_MAX];
    addr_of(a, pub);
    for (size_t i = 0; i < g->nagents; i++) {
        const struct prov_agent *ag = &g->agents[i];
        if (memcmp(ag->pub, pub, YC_PUBKEY_LEN) == 0 && ag->name.len > 0) {
            char shrt[YC_ADDR_SHORT_MAX];
            short_addr_of(shrt, pub);
            tslice(w, &ag->name);
            put(w, " (");
            put(w, shrt);
            put(w, ")");
            return;
        }
    }
    put(w, a);
}

static void tline_asset(struct w *w, const struct prov_graph *g, const struct prov_asset *pa)
{
    char h[2 * YC_HASH_LEN + 1];
    const struct yc_asset *x = &pa->a;

    hex_of(h, pa->id);
    put(w, rel_name(pa->rel));
    put(w, " asset ");
    put(w, h);
    put(w, "\n  title: ");
    tslice(w, &x->title);
    put(w, "\n  status: ");
    put(w, yc_asset_status(x, g->height));
    if (x->certificate.len > 0) {
        put(w, ", certificate ");
        tslice(w, &x->certificate);
    }
    put(w, "\n  grade ");
    tslice(w, &x->grade);
    put(w, ", source ");
    tslice(w, &x->source);
    put(w, ", openness ");
    tslice(w, &x->openness);
    put(w, ", sector ");
    tslice(w, &x->sector);
    put(w, ", catalog ");
    tslice(w, &x->catalog);
    hex_of(h, x->digest);
    put(w, "\n  digest ");
    put(w, h);
    put(w, " (version ");
    putf_u64(w, x->version);
    put(w, ")\n  registered at height ");
    putf_u64(w, x->registered_at);
    put(w, " by ");
    tagent(w, g, x->registrant);
    for (unsigned r = 0; r < YC_RIGHT_COUNT; r++) {
        put(w, r == 0 ? "\n  rights: " : ", ");
        put(w, yc_right_name((enum yc_right)r));
        put(w, " ");
        tagent(w, g, pa->holders[r]);
    }
    for (uint32_t k = 0; k < x->nparents; k++) {
        hex_of(h, x->parents[k]);
        put(w, k == 0 ? "\n  derived from: " : ", ");
        put(w, h);
    }
    put(w, "\n");
}

static void render_text(struct w *w, const struct prov_graph *g)
{
    char h[2 * YC_HASH_LEN + 1], t[32];

    put(w, "provenance at height ");
    putf_u64(w, g->height);
    put(w, g->truncated ? " (truncated)\n" : "\n");
    for (size_t i = 0; i < g->nassets; i++) {
        tline_asset(w, g, &g->assets[i]);
    }
    for (size_t i = 0; i < g->nlic; i++) {
        const struct yc_license *l = &g->lic[i].l;
        hex_of(h, g->lic[i].id);
        put(w, "license ");
        put(w, h);
        put(w, " (");
        put(w, yc_license_status(l, g->time_ms));
        put(w, ")\n  ");
        tagent(w, g, l->licensor);
        put(w, " -> ");
        tagent(w, g, l->licensee);
        put(w, ", ");
        tslice(w, &l->visibility);
        put(w, ", operations ");
        for (uint32_t k = 0; k < l->operations.n; k++) {
            put(w, k > 0 ? "," : "");
            tslice(w, &l->operations.items[k]);
        }
        put(w, ", purposes ");
        for (uint32_t k = 0; k < l->purposes.n; k++) {
            put(w, k > 0 ? "," : "");
            tslice(w, &l->purposes.items[k]);
        }
        put(w, ", fee ");
        putf_u64(w, l->fee);
        put(w, ", uses ");
        putf_u64(w, l->uses);
        if (l->max_uses != 0) {
            put(w, "/");
            putf_u64(w, l->max_uses);
        }
        hex_of(h, l->asset);
        put(w, "\n  on asset ");
        put(w, h);
        put(w, "\n");
    }
    for (size_t i = 0; i < g->nuses; i++) {
        const struct yc_usage *u = &g->uses[i].u;
        hex_of(h, g->uses[i].id);
        yc_time_rfc3339(t, u->time_ms);
        put(w, "use ");
        put(w, h);
        put(w, " at height ");
        putf_u64(w, u->height);
        put(w, " (");
        put(w, t);
        put(w, ")\n  by ");
        tagent(w, g, u->user);
        put(w, ": ");
        tslice(w, &u->operation);
        put(w, " for ");
        tslice(w, &u->purpose);
        put(w, ", fee ");
        putf_u64(w, u->fee);
        hex_of(h, u->authority);
        put(w, "\n  under license ");
        put(w, h);
        hex_of(h, u->asset);
        put(w, " of asset ");
        put(w, h);
        put(w, "\n");
    }
    for (size_t i = 0; i < g->ndeals; i++) {
        const struct yc_deal *d = &g->deals[i].d;
        hex_of(h, g->deals[i].id);
        yc_time_rfc3339(t, d->time_ms);
        put(w, "deal ");
        put(w, h);
        put(w, " at height ");
        putf_u64(w, d->height);
        put(w, " (");
        put(w, t);
        put(w, ")\n  ");
        tagent(w, g, d->seller);
        put(w, " -> ");
        tagent(w, g, d->buyer);
        put(w, ": ");
        tslice(w, &d->offer);
        put(w, " for ");
        putf_u64(w, d->price);
        put(w, " fen (fee ");
        putf_u64(w, d->fee);
        put(w, d->cross_border ? " fen, cross-border)" : " fen)");
        hex_of(h, d->asset);
        put(w, "\n  of asset ");
        put(w, h);
        put(w, "\n");
    }
}

int yc__prov_render(const struct prov_graph *g, enum yc_prov_format f, struct yc_buf *out)
{
    struct w w = {out, YC_OK};

    if (g->nassets == 0) {
        return YC_EINVAL;
    }
    switch (f) {
    case YC_PROV_JSON:
        render_json(&w, g);
        raw(&w, "\n", 1);
        break;
    case YC_PROV_DOT:
        render_dot(&w, g);
        break;
    case YC_PROV_PROVJSON:
        render_prov(&w, g);
        break;
    case YC_PROV_TEXT:
        render_text(&w, g);
        break;
    default:
        return YC_EINVAL;
    }
    return w.err;
}
