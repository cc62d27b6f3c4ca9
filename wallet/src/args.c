/*
 * args.c — parsing the wallet's command line (tables in cli.c). Parsing only: nothing is
 * read, opened or sent here.
 */
#include "args.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "yc/cliutil.h"
#include "yc/enums.h"
#include "yc/txschema.h"
#include "yc/tx.h"

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

/* The option `arg` names when its case is ignored (--Amount: amount), or -1. */
static int find_opt_nocase(const char *arg)
{
    const char *name = arg + 2;
    size_t n = strcspn(name, "=");
    for (int i = 0; i < O_COUNT; i++) {
        if (strlen(WALLET_OPTS[i].name) == n && strncasecmp(WALLET_OPTS[i].name, name, n) == 0)
            return i;
    }
    return -1;
}

/* How many of c's words argv[i..] starts with (0 when the first differs). */
static int words_matched(const struct wallet_cmd *c, int argc, char **argv, int i)
{
    const char *w = c->words;
    int nw = 0;
    while (*w != '\0') {
        size_t len = strcspn(w, " ");
        if (i + nw >= argc || strlen(argv[i + nw]) != len || strncmp(argv[i + nw], w, len) != 0)
            break;
        nw++;
        w += len;
        while (*w == ' ')
            w++;
    }
    return nw;
}

/* The error for argv[i..] that names no command. When its first words name a group of
 * commands ("consent", "validator propose"), it names the group and lists what may
 * follow; else the first word is unknown. */
static void unknown_command(int argc, char **argv, int i, char *err, size_t errlen)
{
    int m = 0;
    for (const struct wallet_cmd *c = WALLET_CMDS; c->words != NULL; c++) {
        int k = words_matched(c, argc, argv, i);
        m = k > m ? k : m;
    }
    if (m == 0) {
        /* the same word in another case (Consent): name the command meant */
        size_t len = strlen(argv[i]);
        for (const struct wallet_cmd *c = WALLET_CMDS; c->words != NULL; c++) {
            if (strcspn(c->words, " ") == len && strncasecmp(c->words, argv[i], len) == 0) {
                snprintf(err, errlen,
                         "unknown command '%s': commands are lowercase; did you mean '%.*s'?",
                         argv[i], (int)len, c->words);
                return;
            }
        }
        snprintf(err, errlen, "unknown command '%s' (see --help)", argv[i]);
        return;
    }
    size_t len = 0;
    char group[128] = "";
    for (int k = 0; k < m; k++)
        len += (size_t)snprintf(group + len, len < sizeof group ? sizeof group - len : 0, "%s%s",
                                k ? " " : "", argv[i + k]);
    bool given = i + m < argc && argv[i + m][0] != '-';
    int n = given ? snprintf(err, errlen, "unknown command '%s %s': '%s' is followed by one of ",
                             group, argv[i + m], group)
                  : snprintf(err, errlen, "'%s' needs one of ", group);
    size_t at = n > 0 ? (size_t)n : 0;
    const char *last = NULL;
    size_t last_len = 0;
    for (const struct wallet_cmd *c = WALLET_CMDS; c->words != NULL && at < errlen; c++) {
        if (words_matched(c, argc, argv, i) != m)
            continue;
        const char *w = c->words; /* skip the group's m words to the next one */
        for (int k = 0; k < m; k++) {
            w += strcspn(w, " ");
            w += strspn(w, " ");
        }
        size_t wl = strcspn(w, " ");
        if (wl == 0 || (last != NULL && wl == last_len && strncmp(w, last, wl) == 0))
            continue; /* the group itself is a command, or the same next word again */
        n = snprintf(err + at, errlen - at, "%s%.*s", last != NULL ? ", " : "", (int)wl, w);
        at += n > 0 ? (size_t)n : 0;
        last = w;
        last_len = wl;
    }
    if (at < errlen)
        snprintf(err + at, errlen - at, " (see --help)");
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
            wallet_optmask allowed = OPTS_GLOBAL | wallet_cmd_opts(a->cmd, NULL);
            if (o < 0) {
                int near = find_opt_nocase(arg);
                if (near >= 0)
                    snprintf(err, errlen,
                             "unknown option %s: options are lowercase; did you mean --%s?", arg,
                             WALLET_OPTS[near].name);
                else
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
                unknown_command(argc, argv, i, err, errlen);
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
    wallet_optmask required;
    (void)wallet_cmd_opts(a->cmd, &required);
    for (int o = 0; o < O_COUNT; o++) {
        if ((required & OPTBIT(o)) != 0 && !a->set[o]) {
            snprintf(err, errlen, "'%s' needs --%s %s", a->cmd->words, WALLET_OPTS[o].name,
                     WALLET_OPTS[o].metavar != NULL ? WALLET_OPTS[o].metavar : "");
            return 2;
        }
    }
    return 0;
}

/* Options whose items are codes of the chain's code lists (syntax checked here; the node
 * checks that they are known). */
static bool is_code_opt(int o)
{
    return o == O_CATEGORIES || o == O_PURPOSES || o == O_CATEGORY || o == O_PURPOSE;
}

static bool is_list_opt(int o)
{
    return o == O_OPERATIONS || o == O_CATEGORIES || o == O_PURPOSES;
}

static bool code_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == ':' ||
           c == '-';
}

/* One item v[0..n) of option o: 0, or YC_EXIT_DATAERR with words in err. */
static int check_item(const struct wallet_args *a, int o, const char *v, size_t n, char *err,
                      size_t errlen)
{
    char field[64], shown[YC_CODE_MAX + 1];
    int id = wallet_opt_enum(a->cmd, o);
    snprintf(field, sizeof field, "--%s", WALLET_OPTS[o].name);
    if (n == 0)
        return 0; /* empty items are the builders' to refuse */
    if (id >= 0) {
        if (yc_enum_has((enum yc_enum_id)id, v, n))
            return 0;
        char near[200];
        struct yc_suggest sg;
        size_t w = yc_enum_refusal(err, errlen, field, (enum yc_enum_id)id, v, n);
        yc_suggest_init(&sg, v, n);
        yc_suggest_enum(&sg, (enum yc_enum_id)id);
        if (yc_suggest_write(&sg, near, sizeof near) > 0 && w < errlen)
            snprintf(err + w, errlen - w, "; did you mean %s?", near);
        return YC_EXIT_DATAERR;
    }
    if (!is_code_opt(o))
        return 0;
    bool ok = n <= YC_CODE_MAX, fixable = ok;
    for (size_t i = 0; i < n && i < YC_CODE_MAX; i++) {
        char c = v[i];
        char lc = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
        ok = ok && code_char(c);
        fixable = fixable && code_char(lc);
        shown[i] = (unsigned char)c >= 0x20 && (unsigned char)c < 0x7f ? c : '?';
    }
    shown[n < YC_CODE_MAX ? n : YC_CODE_MAX] = '\0';
    if (ok)
        return 0;
    if (fixable) {
        char low[YC_CODE_MAX + 1];
        for (size_t i = 0; i < n; i++)
            low[i] = v[i] >= 'A' && v[i] <= 'Z' ? (char)(v[i] - 'A' + 'a') : v[i];
        low[n] = '\0';
        snprintf(err, errlen,
                 "%s: '%s' is not a code (lowercase a-z, 0-9, _ . : -); did you mean %s?", field,
                 shown, low);
    } else {
        snprintf(err, errlen, "%s: '%s' is not a code (1 to %d of lowercase a-z, 0-9, _ . : -)",
                 field, shown, YC_CODE_MAX);
    }
    return YC_EXIT_DATAERR;
}

int wallet_check_values(const struct wallet_args *a, char *err, size_t errlen)
{
    err[0] = '\0';
    for (int o = 0; o < O_COUNT; o++) {
        if (!a->set[o] || a->val[o] == NULL || (wallet_opt_enum(a->cmd, o) < 0 && !is_code_opt(o)))
            continue;
        const char *v = a->val[o];
        if (!is_list_opt(o)) {
            int rc = check_item(a, o, v, strlen(v), err, errlen);
            if (rc != 0)
                return rc;
            continue;
        }
        while (true) {
            size_t n = strcspn(v, ",");
            int rc = check_item(a, o, v, n, err, errlen);
            if (rc != 0)
                return rc;
            if (v[n] == '\0')
                break;
            v += n + 1;
        }
    }
    return 0;
}

/* One option's line of help; f: the body field it gives (its allowed values, limits and
 * default shown), or NULL. */
static void print_opt(int o, const struct yc_field *f, const char *def, bool required)
{
    char left[64], values[256] = "", limits[64] = "", dflt[96] = "";
    if (WALLET_OPTS[o].metavar != NULL)
        snprintf(left, sizeof left, "--%s %s", WALLET_OPTS[o].name, WALLET_OPTS[o].metavar);
    else
        snprintf(left, sizeof left, "--%s", WALLET_OPTS[o].name);
    if (f != NULL && f->enum_id >= 0) {
        char list[200];
        (void)yc_enum_list((enum yc_enum_id)f->enum_id, list, sizeof list);
        snprintf(values, sizeof values, "; %s of: %s", f->kind == YC_FK_LIST ? "any" : "one", list);
    } else if (f != NULL && f->kind == YC_FK_TEXT) {
        snprintf(limits, sizeof limits, "; at most %u bytes", f->max);
    } else if (f != NULL && f->kind == YC_FK_LIST) {
        snprintf(limits, sizeof limits, "; at most %d items of at most %u bytes", YC_LIST_MAX,
                 f->max);
    } else if (f != NULL &&
               (f->kind == YC_FK_IDS || f->kind == YC_FK_PUBS || f->kind == YC_FK_SHARES)) {
        snprintf(limits, sizeof limits, "; at most %u", f->max);
    }
    if (def != NULL)
        snprintf(dflt, sizeof dflt, " (default %s)", def);
    printf("  %-28s %s%s%s%s%s\n", left, WALLET_OPTS[o].help, values, limits, dflt,
           required ? " (required)" : "");
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
                print_opt(o, NULL, NULL, false);
        printf("\n`yuchain-wallet COMMAND --help` shows a command's options. Exit codes: 0 ok,\n"
               "1 rejected/failed, 2 usage, 65 bad input, 69 node unreachable, 74 file I/O,\n"
               "77 wrong passphrase or missing key, 78 configuration. Guide: docs/wallet.md\n");
        return;
    }
    wallet_optmask required, opts = wallet_cmd_opts(cmd, &required), fields = 0;
    const struct yc_tx_schema *s = wallet_cmd_schema(cmd);
    printf("usage: yuchain-wallet [GLOBAL OPTIONS] %s%s%s%s\n\n%s\n", cmd->words,
           cmd->posargs[0] != '\0' ? " " : "", cmd->posargs, opts != 0 ? " [OPTIONS]" : "",
           cmd->summary);
    if (s != NULL) {
        /* the fields of the body, in its order, from its schema */
        printf("\noptions (the fields of the %s body):\n", yc_tx_type_name(s->type));
        for (uint32_t i = 0; i < s->nfields; i++) {
            const char *def;
            bool need;
            int o = wallet_field_source(cmd, &s->fields[i], NULL, &def, &need);
            if (o == WALLET_SRC_POS)
                printf("  %-28s the %s\n", cmd->posargs, def != NULL ? def : s->fields[i].key);
            if (o < 0)
                continue;
            print_opt(o, &s->fields[i], def, need);
            fields |= OPTBIT(o);
        }
    }
    /* the transaction options are listed as a group when a command takes them all */
    wallet_optmask own = ((opts & OPTS_TX) == OPTS_TX ? opts & ~OPTS_TX : opts) & ~fields;
    if (own != 0) {
        printf("\noptions:\n");
        for (int o = 0; o < O_COUNT; o++)
            if ((own & OPTBIT(o)) != 0)
                print_opt(o, NULL, NULL, (required & OPTBIT(o)) != 0);
    }
    if ((opts & OPTS_TX) == OPTS_TX) {
        printf("\ntransaction options:\n");
        for (int o = 0; o < O_COUNT; o++)
            if ((OPTS_TX & OPTBIT(o)) != 0)
                print_opt(o, NULL, NULL, false);
    }
    printf("\nglobal options:\n");
    for (int o = 0; o < O_COUNT; o++)
        if ((OPTS_GLOBAL & OPTBIT(o)) != 0)
            print_opt(o, NULL, NULL, false);
}
