/*
 * provenance_render.c — writes a provenance graph (provenance_int.h) as Graphviz DOT or
 * text (provenance.h); JSON and PROV-JSON are provenance_json.c's.
 *
 * Conventions follow the RPC (docs/rpc.md): ids and digests lowercase hex, accounts yc1…
 * addresses, times RFC 3339 UTC. Text taken from transactions (titles, codes) is escaped
 * for each format: DOT quoted strings with `"` and `\` escaped, control characters never
 * written raw.
 *
 * Output errors are sticky (struct w): write freely, check once at the end.
 */
#include <stdio.h>
#include <string.h>

#include "provenance_int.h"
#include "yc/alloc.h"
#include "yc/bech32.h"

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
    put(w, yc__prov_rel_name(pa->rel));
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
    case YC_PROV_PROVJSON:
        return yc__prov_render_json(g, f == YC_PROV_PROVJSON, out);
    case YC_PROV_DOT:
        render_dot(&w, g);
        break;
    case YC_PROV_TEXT:
        render_text(&w, g);
        break;
    default:
        return YC_EINVAL;
    }
    return w.err;
}
