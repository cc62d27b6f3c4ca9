/*
 * main.c — yuchain-audit: replay and verify a Yuchain ledger from its genesis
 * (docs/audit.md). Everything lives in yc_audit (cli.c) so the tests drive the same code.
 */
#include "cli.h"

int main(int argc, char **argv)
{
    return audit_main(argc, argv);
}
