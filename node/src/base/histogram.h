/*
 * histogram.h — a Prometheus histogram with fixed buckets, for /metrics (ops.c).
 *
 * Observations are counted in the first bucket whose upper bound holds them (the +Inf
 * bucket is `count`); the exposition turns them into the cumulative `_bucket{le=…}`
 * series with `_sum` and `_count`. The loop thread only.
 */
#ifndef YC_NODE_HISTOGRAM_H
#define YC_NODE_HISTOGRAM_H

#include <stddef.h>
#include <stdint.h>

#define YC_HIST_MAX_BUCKETS 16

struct yc_hist {
    const double *le;                 /* upper bounds, increasing; NULL: unused */
    size_t n;                         /* how many (at most YC_HIST_MAX_BUCKETS) */
    uint64_t in[YC_HIST_MAX_BUCKETS]; /* observations <= le[i] and > le[i-1] */
    uint64_t count;
    double sum;
};

/* The bucket bounds used by the node. */
extern const double YC_HIST_LATENCY_S[13]; /* 5 ms .. 60 s: commit latency */
extern const double YC_HIST_STORE_S[12];   /* 1 ms .. 10 s: storing a block */
extern const double YC_HIST_RPC_S[13];     /* 0.5 ms .. 30 s: an RPC call */
extern const double YC_HIST_BLOCK_TXS[10]; /* 0 .. 5000 transactions per block */

/* Counts v (negative values count as 0) with the bucket bounds le[0..n). */
void yc_hist_observe(struct yc_hist *h, const double *le, size_t n, double v);
/* The same with one of the bound arrays above (its length taken from its type). */
#define YC_HIST_OBSERVE(h, le, v) yc_hist_observe((h), (le), sizeof(le) / sizeof((le)[0]), (v))

#endif
