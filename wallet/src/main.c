/*
 * main.c — yuchain-wallet's entry point; everything else is in the yc_wallet library so
 * that tests can drive it (cli.c, build.c, query.c, node.c, body.c, txfile.c, args.c).
 */
#include "wallet.h"

int main(int argc, char **argv)
{
    return wallet_main(argc, argv);
}
