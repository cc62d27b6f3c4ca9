/*
 * provenance_int.h — the provenance graph shared by provenance.c (gathering it from
 * state) and provenance_render.c (writing it out). Not installed.
 *
 * Every stored value read is an owned yc_malloc'ed copy (`val`); the decoded struct
 * beside it borrows from it, so both live and die together.
 */
#ifndef YC_PROVENANCE_INT_H
#define YC_PROVENANCE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/buf.h"
#include "yc/market.h"
#include "yc/objects.h"
#include "yc/provenance.h"

enum prov_rel { PROV_SELF = 0, PROV_ANCESTOR = 1, PROV_DESCENDANT = 2 };

struct prov_asset {
    uint8_t id[YC_HASH_LEN];
    uint8_t *val; /* owned */
    struct yc_asset a;
    enum prov_rel rel;
    uint8_t holders[YC_RIGHT_COUNT][YC_PUBKEY_LEN];
};

struct prov_license {
    uint8_t id[YC_HASH_LEN];
    uint8_t *val; /* owned */
    struct yc_license l;
};

struct prov_use {
    uint8_t id[YC_HASH_LEN];
    uint8_t *val; /* owned */
    struct yc_usage u;
};

struct prov_deal {
    uint8_t id[YC_HASH_LEN];
    uint8_t *val; /* owned */
    struct yc_deal d;
};

/* An account the graph names (registrant, holder, licensor, licensee, user), with its
 * registered name when it has one (people read names, not addresses). */
struct prov_agent {
    uint8_t pub[YC_PUBKEY_LEN];
    uint8_t *val;         /* owned: the account record, or NULL if not registered */
    struct yc_slice name; /* borrows from val; empty when none */
};

/* Most agents a graph can name: a registrant and three holders per asset, two parties
 * per license, a user per use, a seller and a buyer per deal. */
#define PROV_MAX_AGENTS \
    (4 * YC_PROV_MAX_ASSETS + 2 * YC_PROV_MAX_LICENSES + YC_PROV_MAX_USES + 2 * YC_PROV_MAX_DEALS)

struct prov_graph {
    uint64_t height, time_ms;  /* the state's last block */
    struct prov_asset *assets; /* [0] is the asset asked about */
    size_t nassets, cap_assets;
    struct prov_license *lic;
    size_t nlic, cap_lic;
    struct prov_use *uses;
    size_t nuses, cap_uses;
    struct prov_deal *deals; /* the market deals of the graph's assets */
    size_t ndeals, cap_deals;
    struct prov_agent *agents; /* each account once, in first-mention order */
    size_t nagents;
    bool truncated;
};

/* Index of asset id in g, or -1. */
long yc__prov_find_asset(const struct prov_graph *g, const uint8_t id[YC_HASH_LEN]);
/* Index of license id in g, or -1. */
long yc__prov_find_license(const struct prov_graph *g, const uint8_t id[YC_HASH_LEN]);
/* Index of use id in g, or -1. */
long yc__prov_find_use(const struct prov_graph *g, const uint8_t id[YC_HASH_LEN]);

/* "self", "ancestor" or "descendant". */
const char *yc__prov_rel_name(enum prov_rel r);

/* Writers (provenance_render.c): append g in one format to out. */
YC_WUR int yc__prov_render(const struct prov_graph *g, enum yc_prov_format f, struct yc_buf *out);
/* The JSON writers (provenance_json.c): g as JSON (prov false) or W3C PROV-JSON (prov
 * true), one compact line, appended to out. YC_OK, YC_ENOMEM, or yc_buf_append's
 * YC_ELIMIT. */
YC_WUR int yc__prov_render_json(const struct prov_graph *g, bool prov, struct yc_buf *out);

#endif
