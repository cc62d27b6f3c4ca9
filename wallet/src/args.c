/*
 * args.c — parsing the wallet's command line (tables in cli.c). Parsing only: nothing is
 * read, opened or sent here.
 */
#include "args.h"

#include <stdio.h>
#include <string.h>

/* Finds the option named by arg ("--name" or "--name=value"); *value gets the inline
 * value or NULL. Returns the option id or -1. */
static int find_opt(const char *arg, const char **value)
{
    const char *name = arg + 2;
    const char *eq = strchr(name, '=');
    size_t n = eq != NULL ? (size_t)(eq - name) : strlen(name);
    *value = eq != NULL ? eq + 1 : NULL;
    for (int i = 0; i < O_COUNT; i++) {
        if (strlen(WALLET_OPTS[i].name) == n && strncmp(WALLET_OPTS[i].name, name, n) == 0)
            return i;
    }
    return -1;
}

/* Matches the command words at argv[*i..]; advances *i past them. */
static const struct wallet_cmd *match_cmd(int argc, char **argv, int *i)
{
    const struct wallet_cmd *best = NULL;
    int best_words = 0;
    for (const struct wallet_cmd *c = WALLET_CMDS; c->words != NULL; c++) {
        /* split c->words on spaces and compare with consecutive argv words */
        const char *w = c->words;
        int k = *i, nw = 0;
        bool ok = true;
        while (*w != '\0') {
            size_t len = strcspn(w, " ");
            if (k >= argc || strlen(argv[k]) != len || strncmp(argv[k], w, len) != 0) {
                ok = false;
                break;
            }
            k++;
            nw++;
            w += len;
            while (*w == ' ')
                w++;
        }
        if (ok && nw > best_words) {
            best = c;
            best_words = nw;
        }
    }
    if (best != NULL)
        *i += best_words;
    return best;
}

int wallet_args_parse(int argc, char **argv, struct wallet_args *a, char *err, size_t errlen)
{
    memset(a, 0, sizeof *a);
    err[0] = '\0';
    bool in_cmd = false, opts_done = false;
    for (int i = 1; i < argc;) {
        const char *arg = argv[i];
        if (!opts_done && strcmp(arg, "--") == 0) {
            opts_done = true;
            i++;
            continue;
        }
        if (!opts_done && (strcmp(arg, "-h") == 0)) {
            a->set[O_HELP] = true;
            a->val[O_HELP] = "";
            i++;
            continue;
        }
        if (!opts_done && strncmp(arg, "--", 2) == 0) {
            const char *inl;
            int o = find_opt(arg, &inl);
            wallet_optmask allowed = OPTS_GLOBAL | (a->cmd != NULL ? a->cmd->opts : 0);
            if (o < 0) {
                snprintf(err, errlen, "unknown option %s", arg);
                return 2;
            }
            if ((allowed & OPTBIT(o)) == 0) {
                if (a->cmd != NULL)
                    snprintf(err, errlen, "'%s' does not take --%s", a->cmd->words,
                             WALLET_OPTS[o].name);
                else
                    snprintf(err, errlen, "--%s belongs after a command", WALLET_OPTS[o].name);
                return 2;
            }
            if (a->set[o]) {
                snprintf(err, errlen, "--%s given twice", WALLET_OPTS[o].name);
                return 2;
            }
            const char *val = "";
            if (WALLET_OPTS[o].metavar != NULL) {
                if (inl != NULL) {
                    val = inl;
                } else if (i + 1 < argc) {
                    val = argv[++i];
                } else {
                    snprintf(err, errlen, "--%s needs a value (%s)", WALLET_OPTS[o].name,
                             WALLET_OPTS[o].metavar);
                    return 2;
                }
            } else if (inl != NULL) {
                snprintf(err, errlen, "--%s takes no value", WALLET_OPTS[o].name);
                return 2;
            }
            a->set[o] = true;
            a->val[o] = val;
            i++;
            continue;
        }
        if (!in_cmd) {
            a->cmd = match_cmd(argc, argv, &i);
            if (a->cmd == NULL) {
                if (a->set[O_HELP])
                    return 0; /* `--help nonsense`: general help */
                snprintf(err, errlen, "unknown command '%s' (see --help)", arg);
                return 2;
            }
            in_cmd = true;
            continue;
        }
        if (a->npos >= WALLET_MAX_POS || a->npos >= a->cmd->max_pos) {
            snprintf(err, errlen, "unexpected argument '%s' for '%s'", arg, a->cmd->words);
            return 2;
        }
        a->pos[a->npos++] = arg;
        i++;
    }
    if (a->set[O_HELP] || a->set[O_VERSION])
        return 0;
    if (a->cmd == NULL) {
        snprintf(err, errlen, "no command given (see --help)");
        return 2;
    }
    if (a->npos < a->cmd->min_pos) {
        snprintf(err, errlen, "'%s' needs %s", a->cmd->words, a->cmd->posargs);
        return 2;
    }
    for (int o = 0; o < O_COUNT; o++) {
        if ((a->cmd->required & OPTBIT(o)) != 0 && !a->set[o]) {
            snprintf(err, errlen, "'%s' needs --%s %s", a->cmd->words, WALLET_OPTS[o].name,
                     WALLET_OPTS[o].metavar != NULL ? WALLET_OPTS[o].metavar : "");
            return 2;
        }
    }
    return 0;
}

static void print_opt(int o, bool required)
{
    char left[64];
    if (WALLET_OPTS[o].metavar != NULL)
        snprintf(left, sizeof left, "--%s %s", WALLET_OPTS[o].name, WALLET_OPTS[o].metavar);
    else
        snprintf(left, sizeof left, "--%s", WALLET_OPTS[o].name);
    printf("  %-28s %s%s\n", left, WALLET_OPTS[o].help, required ? " (required)" : "");
}

void wallet_usage(const struct wallet_cmd *cmd)
{
    if (cmd == NULL) {
        printf("usage: yuchain-wallet [GLOBAL OPTIONS] COMMAND [ARGS]\n\n"
               "Keys in an encrypted keystore; build, sign and submit Yuchain transactions.\n\n"
               "commands:\n");
        for (const struct wallet_cmd *c = WALLET_CMDS; c->words != NULL; c++) {
            char left[64];
            snprintf(left, sizeof left, "%s %s", c->words, c->posargs);
            printf("  %-28s %s\n", left, c->summary);
        }
        printf("\nglobal options (before or after the command):\n");
        for (int o = 0; o < O_COUNT; o++)
            if ((OPTS_GLOBAL & OPTBIT(o)) != 0)
                print_opt(o, false);
        printf("\n`yuchain-wallet COMMAND --help` shows a command's options. Exit codes: 0 ok,\n"
               "1 rejected/failed, 2 usage, 65 bad input, 69 node unreachable, 74 file I/O,\n"
               "77 wrong passphrase or missing key, 78 configuration. Guide: docs/wallet.md\n");
        return;
    }
    printf("usage: yuchain-wallet [GLOBAL OPTIONS] %s%s%s%s\n\n%s\n", cmd->words,
           cmd->posargs[0] != '\0' ? " " : "", cmd->posargs, cmd->opts != 0 ? " [OPTIONS]" : "",
           cmd->summary);
    /* the transaction options are listed as a group when a command takes them all */
    wallet_optmask own = (cmd->opts & OPTS_TX) == OPTS_TX ? cmd->opts & ~OPTS_TX : cmd->opts;
    if (own != 0) {
        printf("\noptions:\n");
        for (int o = 0; o < O_COUNT; o++)
            if ((own & OPTBIT(o)) != 0)
                print_opt(o, (cmd->required & OPTBIT(o)) != 0);
    }
    if ((cmd->opts & OPTS_TX) == OPTS_TX) {
        printf("\ntransaction options:\n");
        for (int o = 0; o < O_COUNT; o++)
            if ((OPTS_TX & OPTBIT(o)) != 0)
                print_opt(o, false);
    }
    printf("\nglobal options:\n");
    for (int o = 0; o < O_COUNT; o++)
        if ((OPTS_GLOBAL & OPTBIT(o)) != 0)
            print_opt(o, false);
}
