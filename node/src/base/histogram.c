/*
 * histogram.c — fixed-bucket histograms (histogram.h).
 */
#include "histogram.h"

const double YC_HIST_LATENCY_S[13] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                      1,     2.5,  5,     10,   30,  60};
const double YC_HIST_STORE_S[12] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                    0.1,   0.25,   0.5,   1,    2.5,   10};
const double YC_HIST_RPC_S[13] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                  0.1,    0.25,  0.5,    1,     5,    30};
const double YC_HIST_BLOCK_TXS[10] = {0, 1, 10, 50, 100, 250, 500, 1000, 2000, 5000};

void yc_hist_observe(struct yc_hist *h, const double *le, size_t n, double v)
{
    if (h->le == NULL) {
        h->le = le;
        h->n = n < YC_HIST_MAX_BUCKETS ? n : YC_HIST_MAX_BUCKETS;
    }
    if (!(v > 0))
        v = 0; /* negative, or NaN */
    for (size_t i = 0; i < h->n; i++) {
        if (v <= h->le[i]) {
            h->in[i]++;
            break;
        }
    }
    h->count++;
    h->sum += v;
}
