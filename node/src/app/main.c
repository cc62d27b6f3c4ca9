/*
 * main.c — yuchaind: the Yuchain ledger node. Everything is in cli.c.
 */
#include <stdlib.h> /* first: it defines __GLIBC__ (features.h), which the next test needs */
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "cli.h"

int main(int argc, char **argv)
{
#ifdef __GLIBC__
    /* A node allocates and frees blocks of up to 8 MiB many times a second. glibc's
     * defaults serve those with mmap/munmap (each first touch a page fault) and give
     * freed memory back at every free past 128 KiB; keeping them on the heap cost
     * 8-10% less CPU per transaction in scripts/bench (docs/performance.md). */
    (void)mallopt(M_MMAP_THRESHOLD, 32 << 20);
    (void)mallopt(M_TRIM_THRESHOLD, 64 << 20);
#endif
    return yc_cli_main(argc, argv);
}
