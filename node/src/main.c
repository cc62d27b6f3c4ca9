/*
 * main.c — yuchaind: the Yuchain ledger node. Everything is in cli.c.
 */
#include "cli.h"

int main(int argc, char **argv)
{
    return yc_cli_main(argc, argv);
}
