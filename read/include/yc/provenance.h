/*
 * provenance.h — the history of a data asset, computed once, here, so that the node's
 * `provenance` RPC and `yuchain-audit trace` give the same answer (DESIGN.md §9, §10).
 *
 * From committed state (a yc_state_src with a `scan` callback) it gathers the asset,
 * its ancestry (parents, their parents, …), its descendants (the products derived from
 * it, theirs, …), each of those assets' rights and holders, every license granted on
 * them and every use recorded under those licenses, then renders the graph as
 *
 *   json       the graph as one JSON object (docs/rpc.md, `provenance`)
 *   dot        a Graphviz digraph (accepted by `dot`)
 *   prov-json  W3C PROV-JSON: assets and licenses are entities, registrations and uses
 *              activities, accounts agents; wasDerivedFrom, used, wasGeneratedBy,
 *              wasAssociatedWith, wasAttributedTo
 *   text       a report for people (yuchain-audit trace)
 *
 * The walk is bounded (YC_PROV_MAX_*); past a bound the graph is cut and says so
 * (`truncated`). Output is deterministic: the same state gives the same bytes.
 *
 * Pure: reads only through `src`, allocates with yc_malloc. Thread-safety: reentrant.
 */
#ifndef YC_PROVENANCE_H
#define YC_PROVENANCE_H

#include <stddef.h>
#include <stdint.h>

#include "yc/buf.h"
#include "yc/err.h"
#include "yc/hash.h"
#include "yc/timefmt.h"
#include "yc/state.h"

#define YC_PROV_MAX_ASSETS 256    /* assets in one graph */
#define YC_PROV_MAX_LICENSES 1024 /* licenses in one graph */
#define YC_PROV_MAX_USES 4096     /* uses in one graph */
#define YC_PROV_MAX_DEALS 1024    /* market deals in one graph */

enum yc_prov_format {
    YC_PROV_JSON = 0,
    YC_PROV_DOT = 1,
    YC_PROV_PROVJSON = 2,
    YC_PROV_TEXT = 3,
};

/* The format named "json", "dot", "prov-json" or "text" into *f: YC_OK or YC_EINVAL. */
YC_WUR int yc_prov_format_from_name(const char *name, enum yc_prov_format *f);

/*
 * Renders the provenance of asset `id` in format f, appending to `out` (its cap bounds
 * the output: YC_ELIMIT beyond). `height` and `time_ms` are those of the state's last
 * block: statuses (notice, license expiry) are computed at that point, never from a
 * clock. Returns YC_OK; YC_EUNKNOWNASSET if no such asset; YC_EINVAL (NULL argument,
 * src->scan NULL, unknown format); YC_ECORRUPT (a stored object does not decode or an
 * index names a missing object); YC_EIO; YC_ENOMEM; YC_ELIMIT.
 */
YC_WUR int yc_provenance_render(const struct yc_state_src *src, const uint8_t id[YC_HASH_LEN],
                                uint64_t height, uint64_t time_ms, enum yc_prov_format f,
                                struct yc_buf *out);

#endif
