/*
 * main.c — yuchain-audit: replay and verify a Yuchain ledger from its genesis
 * (docs/audit.md). Everything lives in yc_audit (cli.c) so the tests drive the same code.
 */
#include <stdlib.h> /* first: it defines __GLIBC__ (features.h), which the next test needs */
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "cli.h"

int main(int argc, char **argv)
{
#ifdef __GLIBC__
    /* As yuchaind (node/src/app/main.c): a replay decodes blocks of thousands of
     * transactions into arrays of several MiB, one after another; these keep them on the
     * heap instead of an mmap and a munmap (and their page faults) each. */
    (void)mallopt(M_MMAP_THRESHOLD, 32 << 20);
    (void)mallopt(M_TRIM_THRESHOLD, 64 << 20);
#endif
    return audit_main(argc, argv);
}
