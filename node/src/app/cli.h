/*
 * cli.h — yuchaind's command line (DESIGN.md §10): a table of subcommands, each with
 * its --help; parsing is kept apart from acting. Exit codes are those of
 * util/include/yc/cliutil.h (0 ok, 1 failed, 2 usage, 74 I/O, 78 configuration).
 */
#ifndef YC_CLI_H
#define YC_CLI_H

/* Runs yuchaind with its arguments; returns the process exit code. */
int yc_cli_main(int argc, char **argv);

#endif
