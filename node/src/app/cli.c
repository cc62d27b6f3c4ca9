/*
 * cli.c — yuchaind subcommands: init, dev, testnet, start, backup, show-node-id, keys,
 * genesis new|add-validator|add-account|finalize|hash, version (see cli.h).
 *
 * Every command takes --help. Options are "--name VALUE" or "--name=VALUE"; any
 * node.conf option can also be given as --<section>.<key> VALUE (highest precedence,
 * DESIGN.md §9). Messages go to stderr, data (ids, versions, --json) to stdout.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "backup.h"
#include "ceremony.h"
#include "chain.h"
#include "cli.h"
#include "config.h"
#include "home.h"
#include "keyfile.h"
#include "log.h"
#include "run.h"
#include "yc/bech32.h"
#include "yc/cliutil.h"
#include "yc/genesis_json.h"

#define MAX_OVERRIDES 64

struct args {
    const char *home;
    const char *chain_id;
    const char *genesis;
    const char *exchange;
    const char *name;
    const char *base_port;
    const char *notice_blocks;                 /* dev, testnet: --notice-blocks N */
    const char *validators;                    /* testnet */
    const char *observers;                     /* testnet */
    const char *out;                           /* testnet, backup */
    const char *rpc;                           /* backup: the running node's RPC URL */
    const char *org;                           /* keys */
    const char *genesis_hash;                  /* init, genesis hash: the agreed hash */
    const char *from;                          /* genesis add-validator: a public part */
    const char *org_account;                   /* genesis add-validator: its organisation */
    const char *pub;                           /* genesis add-account */
    const char *role, *jurisdiction, *balance; /* genesis add-account */
    const char *time;                          /* genesis new */
    const char *max_block_txs, *max_block_bytes, *max_time_drift_ms, *exchange_fee_bps;
    const char *pos;        /* the one positional argument of a command taking FILE */
    bool open_registration; /* genesis new */
    bool json;
    bool help;
    bool closed_registration; /* dev, testnet: --closed-registration */
    struct yc_config_override ov[MAX_OVERRIDES];
    char ov_names[MAX_OVERRIDES][96]; /* storage of ov[i].option */
    char port_addrs[3][64];           /* storage of the --base-port values */
    size_t nov;
};

struct cmd {
    const char *name;
    const char *summary;
    const char *usage;   /* options text after "yuchaind NAME" */
    const char *allowed; /* space-separated option names taken by this command */
    bool overrides;      /* accepts --section.key options */
    int (*run)(struct args *a);
};

static int cmd_init(struct args *a);
static int cmd_dev(struct args *a);
static int cmd_testnet(struct args *a);
static int cmd_start(struct args *a);
static int cmd_show_node_id(struct args *a);
static int cmd_version(struct args *a);
static int cmd_backup(struct args *a);
static int cmd_keys(struct args *a);
static int cmd_genesis_new(struct args *a);
static int cmd_genesis_add_validator(struct args *a);
static int cmd_genesis_add_account(struct args *a);
static int cmd_genesis_finalize(struct args *a);
static int cmd_genesis_hash(struct args *a);

static const struct cmd cmds[] = {
    {"init", "create a node home: keys, node.conf and a one-validator genesis",
     "--home DIR [--chain-id ID] [--name NAME] [--exchange ADDRESS |\n"
     "             --genesis FILE [--genesis-hash HEX]] [--base-port P] [--SECTION.KEY VALUE "
     "...]\n\n"
     "Creates DIR/config (node.conf with every option and its default, genesis.json,\n"
     "node_key.json, validator_key.json) and DIR/data; key files already there (from\n"
     "`yuchaind keys`) are kept. Without --genesis the new chain has this node as its only\n"
     "validator and one exchange account: the address given with --exchange, or a new key\n"
     "in DIR/wallet (passphrase in DIR/wallet/PASSWORD). With --genesis FILE the home\n"
     "joins that chain: as a validator if FILE names the home's validator key, otherwise\n"
     "as an observer. --genesis-hash HEX refuses FILE unless it hashes to HEX (the hash\n"
     "the consortium agreed on; exit 1 naming both). Put the other validators in\n"
     "[p2p] persistent_peers (KEY@host:port; the genesis holds no addresses).\n"
     "Options given as --SECTION.KEY go into node.conf.\n"
     "--base-port P sets the three listeners to P (p2p), P+100 (RPC) and P+200\n"
     "(operations); an explicit --p2p.laddr, --rpc.laddr or\n"
     "--instrumentation.prometheus_listen_addr wins over it for that listener.\n",
     "home chain-id name exchange genesis genesis-hash base-port", true, cmd_init},
    {"dev", "run a one-validator chain with funded demo accounts, for trying it out",
     "--home DIR [--base-port P] [--chain-id ID] [--notice-blocks N]\n"
     "             [--closed-registration] [--SECTION.KEY VALUE ...]\n\n"
     "Creates DIR on first use: a one-validator chain whose genesis funds the accounts\n"
     "exchange, agency, regulator, alice, bob and processor, with their keystores in\n"
     "DIR/wallet and the passphrase in DIR/wallet/PASSWORD (trying-out only). Then runs\n"
     "the node in the foreground like `start`. --base-port P puts p2p, RPC and\n"
     "operations on P, P+100 and P+200 (default 27600, 27700, 27800); an explicit\n"
     "--p2p.laddr, --rpc.laddr or --instrumentation.prometheus_listen_addr wins over it\n"
     "for that listener. --notice-blocks N\n"
     "sets the genesis public notice period of asset registrations (default 100).\n"
     "The genesis sets open_registration: any key may register itself as an individual\n"
     "without a registrar; --closed-registration writes it false (real-name registration\n"
     "through the exchange or an agency, as on a production chain).\n",
     "home base-port chain-id notice-blocks closed-registration", true, cmd_dev},
    {"testnet", "create the homes of a local consortium: N validators, M observers",
     "--validators N --out DIR [--observers M] [--chain-id ID] [--base-port P]\n"
     "             [--notice-blocks N] [--closed-registration] [--json]\n"
     "             [--SECTION.KEY VALUE ...]\n\n"
     "Creates DIR/node0 ... DIR/node{N+M-1} (validators first, then observers) sharing one\n"
     "genesis whose validators are node0..node{N-1}, and the keystores of\n"
     "the genesis accounts exchange, agency, regulator, alice, bob and processor in\n"
     "DIR/wallet (passphrase in DIR/wallet/PASSWORD: trying-out only). Node i listens on\n"
     "127.0.0.1: p2p P+i, RPC P+100+i, operations P+200+i (P defaults to 27600); its\n"
     "node.conf names the other validators as persistent_peers (KEY@127.0.0.1:P+j; the\n"
     "genesis holds no addresses), and with observers the\n"
     "validators get allow_observers = true. Options given as --SECTION.KEY go into every\n"
     "node.conf. Start each node with `yuchaind start --home DIR/nodeI`, or all of them\n"
     "with scripts/localnet. Prints a table of the nodes (--json: one object). The genesis\n"
     "sets open_registration (self-registration without a registrar); --closed-registration\n"
     "writes it false. The listener addresses are per node: --p2p.laddr, --rpc.laddr and\n"
     "--instrumentation.prometheus_listen_addr are refused (use --base-port).\n",
     "validators observers out chain-id base-port notice-blocks closed-registration json", true,
     cmd_testnet},
    {"start", "run the node of a home in the foreground until SIGINT or SIGTERM",
     "[--home DIR] [--base-port P] [--SECTION.KEY VALUE ...]\n\n"
     "DIR defaults to $YUCHAIN_HOME, else ~/.yuchain. Settings: command line >\n"
     "environment (YUCHAIN_SECTION_KEY) > DIR/config/node.conf > defaults.\n"
     "--base-port P puts p2p, RPC and operations on P, P+100 and P+200 for this run; an\n"
     "explicit --p2p.laddr, --rpc.laddr or --instrumentation.prometheus_listen_addr\n"
     "wins over it for that listener. An RPC or operations listener on a non-loopback\n"
     "address is warned about at start unless [rpc] public / [instrumentation] public is\n"
     "true (the p2p listener on 0.0.0.0 is normal for a validator).\n",
     "home base-port", true, cmd_start},
    {"backup", "copy a node's home consistently, while it runs or stopped",
     "[--home DIR] --out NEW_DIR [--rpc URL] [--json]\n\n"
     "Makes NEW_DIR (which must not exist) a home: its config/ (genesis.json, node.conf,\n"
     "the key files, 0600) and data/, the database as of one instant (whole blocks with\n"
     "their state, indexes and consensus journal), reopened and checked. A running node\n"
     "makes the copy itself (the admin method `backup`, with the home's .cookie) and keeps\n"
     "committing; its RPC address comes from node.conf and the environment, or --rpc URL\n"
     "when it was started with another. A stopped home is copied here, under its lock.\n"
     "Restore by starting the copy (`yuchaind start --home NEW_DIR`) in place of the\n"
     "original, never beside it: one validator key must never run twice.\n",
     "home out rpc json", false, cmd_backup},
    {"show-node-id", "print the node id (the address of its node key)",
     "[--home DIR] [--json]\n\n"
     "With --json also prints the validator key's address, if the home has one.\n",
     "home json", false, cmd_show_node_id},
    {"keys", "make this organisation's validator and node keys; print their public part",
     "--home DIR --org NAME [--name NAME] [--json]\n\n"
     "The first step of joining a consortium (docs/operator.md, \"Joining a consortium\").\n"
     "Makes DIR/config/validator_key.json and DIR/config/node_key.json (0600) unless they\n"
     "exist, and prints the public part as JSON on stdout: type, version, org, name (the\n"
     "validator's name in the genesis; default: --org, at most 64 bytes), pub_key (the\n"
     "validator key, which is also the node's p2p identity) and sig, a signature by the\n"
     "validator key over org, name and pub_key that proves its holder made the file.\n"
     "Send that file to the organisation assembling the genesis; the key files never\n"
     "leave DIR. Run it again to print the public part again (the keys are kept).\n"
     "--json prints it on one line.\n",
     "home org name json", false, cmd_keys},
    {"genesis new", "start a draft genesis: chain id, genesis time, parameters",
     "--chain-id ID --out FILE [--time TIME] [--max-block-txs N] [--max-block-bytes N]\n"
     "             [--max-time-drift-ms N] [--notice-blocks N] [--exchange-fee-bps N]\n"
     "             [--open-registration] [--json]\n\n"
     "Writes FILE (which must not exist): a genesis.json marked \"draft\": true, with no\n"
     "validators and no accounts yet. ID: 1 to 64 of A-Z a-z 0-9 . _ -. TIME: RFC 3339\n"
     "(default: now). The options set params.max_block_txs (1..65536, default 2000),\n"
     "params.max_block_bytes (1024..4194304, default 4194304), params.max_time_drift_ms\n"
     "(0..86400000, default 10000), params.notice_blocks (default 100) and\n"
     "params.exchange_fee_bps (0..10000, default 0); --open-registration lets any key\n"
     "register itself (test chains; default: real-name registration through a registrar).\n"
     "The code lists are the defaults (docs/domain.md), written out. See docs/storage.md.\n",
     "chain-id out time max-block-txs max-block-bytes max-time-drift-ms notice-blocks "
     "exchange-fee-bps open-registration json",
     false, cmd_genesis_new},
    {"genesis add-validator", "add a validator to a draft genesis from its public part",
     "--genesis FILE --from PUBLIC.json [--org-account ADDRESS] [--json]\n\n"
     "Reads PUBLIC.json (what `yuchaind keys` printed), checks its fields and its\n"
     "signature, and appends the validator (its name and pub_key) to the draft FILE. The\n"
     "order of addition is the validator order. ADDRESS (yc1…) is the account of the\n"
     "organisation that proposes and approves validator-set changes for this validator\n"
     "(its `org`); it must be one of the genesis accounts when the genesis is finalized\n"
     "(default: the first account of role exchange). Refused: a changed or forged public\n"
     "part (sig does not verify), a key or name already in FILE, an ADDRESS that is not a\n"
     "yc1 address, a finalized FILE, more than 64 validators (exit 65).\n",
     "genesis from org-account json", false, cmd_genesis_add_validator},
    {"genesis add-account", "add an account to a draft genesis",
     "--genesis FILE --name NAME --pub ADDRESS [--role ROLE] [--jurisdiction CODE]\n"
     "             [--balance FEN] [--json]\n\n"
     "Appends an account registered from genesis on: NAME its display name (1..128\n"
     "bytes), ADDRESS its yc1 key address (from `yuchain-wallet new`), ROLE one of\n"
     "individual, enterprise, processor, data_merchant, broker, appraiser, custodian,\n"
     "financial, exchange, agency, regulator (default individual), CODE its jurisdiction\n"
     "such as CN, CN-CQ or SG (default CN-CQ), FEN its balance (default 0). A finalized\n"
     "genesis needs at least one account of role exchange. Errors name the field (exit 65).\n",
     "genesis name pub role jurisdiction balance json", false, cmd_genesis_add_account},
    {"genesis finalize", "check a draft genesis completely, make it final, print its hash",
     "--genesis FILE [--json]\n\n"
     "Checks everything a node checks (at least one validator, an exchange account, every\n"
     "field), removes the draft mark and prints the genesis hash on stdout (--json:\n"
     "file, chain_id, genesis_hash, validators, accounts). A final genesis never changes:\n"
     "send FILE and the hash to every organisation, which checks it with `genesis hash`\n"
     "or `init --genesis-hash`. On a finalized FILE it prints the hash again. An\n"
     "incomplete draft is refused naming what is missing (exit 65).\n",
     "genesis json", false, cmd_genesis_finalize},
    {"genesis hash", "print the hash of a finalized genesis; check it against the agreed one",
     "FILE | --genesis FILE [--genesis-hash HEX] [--json]\n\n"
     "Re-derives the genesis hash of FILE (a node's config/genesis.json or the file the\n"
     "consortium sent) and prints it. With --genesis-hash HEX, exits 1 naming both hashes\n"
     "when they differ. A draft is refused (exit 65): it has no hash until finalized.\n",
     "genesis genesis-hash json FILE", false, cmd_genesis_hash},
    {"version", "print the version", "[--json]\n", "json", false, cmd_version},
};

#define NCMDS (sizeof cmds / sizeof cmds[0])

static void print_main_help(FILE *out)
{
    fprintf(out,
            "yuchaind %s: Yuchain ledger node (validator or observer)\n\n"
            "Usage: yuchaind COMMAND [OPTIONS]\n\nCommands:\n",
            YC_VERSION);
    for (size_t i = 0; i < NCMDS; i++)
        fprintf(out, "  %-22s %s\n", cmds[i].name, cmds[i].summary);
    fprintf(out, "\n`yuchaind COMMAND --help` shows a command's options. `yuchaind --version`\n"
                 "prints the version. Exit codes: 0 ok, 1 failed, 2 usage, 74 I/O error,\n"
                 "78 configuration error. See docs/operator.md.\n");
}

static void print_cmd_help(const struct cmd *c, FILE *out)
{
    fprintf(out, "yuchaind %s: %s\n\nUsage: yuchaind %s %s", c->name, c->summary, c->name,
            c->usage);
    if (c->overrides) {
        fprintf(out, "\nnode.conf options (also YUCHAIN_SECTION_KEY in the environment):\n");
        yc_config_print_options(out);
    }
}

static bool allowed(const struct cmd *c, const char *opt)
{
    size_t len = strlen(opt);
    for (const char *p = c->allowed; *p != '\0';) {
        size_t w = strcspn(p, " ");
        if (w == len && strncmp(p, opt, len) == 0)
            return true;
        p += w;
        while (*p == ' ')
            p++;
    }
    return false;
}

static int usage_error(const struct cmd *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int usage_error(const struct cmd *c, const char *fmt, ...)
{
    fprintf(stderr, "yuchaind %s: ", c->name);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nRun `yuchaind %s --help` for its options.\n", c->name);
    return YC_EXIT_USAGE;
}

static int parse_args(const struct cmd *c, int argc, char **argv, struct args *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            a->help = true;
            return 0;
        }
        if (strncmp(arg, "--", 2) != 0) {
            if (a->pos == NULL && allowed(c, "FILE")) {
                a->pos = arg;
                continue;
            }
            return usage_error(c, "unexpected argument \"%s\"", arg);
        }
        char name[96];
        const char *eq = strchr(arg + 2, '=');
        size_t nlen = eq != NULL ? (size_t)(eq - arg - 2) : strlen(arg + 2);
        if (nlen == 0 || nlen >= sizeof name)
            return usage_error(c, "unknown option %s", arg);
        memcpy(name, arg + 2, nlen);
        name[nlen] = '\0';
        if (strcmp(name, "closed-registration") == 0 && allowed(c, "closed-registration")) {
            if (eq != NULL)
                return usage_error(c, "--closed-registration takes no value (%s)", arg);
            a->closed_registration = true;
            continue;
        }
        if (strcmp(name, "open-registration") == 0 && allowed(c, "open-registration")) {
            if (eq != NULL)
                return usage_error(c, "--open-registration takes no value (%s)", arg);
            a->open_registration = true;
            continue;
        }
        if (strcmp(name, "json") == 0 && allowed(c, "json")) {
            if (eq != NULL)
                return usage_error(c, "--json takes no value (%s)", arg);
            a->json = true;
            continue;
        }
        bool dotted = strchr(name, '.') != NULL;
        if (dotted ? !c->overrides || !yc_config_has_option(name) : !allowed(c, name))
            return usage_error(c, "unknown option --%s", name);
        const char *value = eq != NULL ? eq + 1 : NULL;
        if (value == NULL) {
            if (i + 1 >= argc)
                return usage_error(c, "option --%s needs a value", name);
            value = argv[++i];
        }
        if (dotted) {
            if (a->nov >= MAX_OVERRIDES)
                return usage_error(c, "too many options (%s)", name);
            memcpy(a->ov_names[a->nov], name, nlen + 1);
            a->ov[a->nov].option = a->ov_names[a->nov];
            a->ov[a->nov].value = value;
            a->nov++;
            continue;
        }
        if (strcmp(name, "home") == 0)
            a->home = value;
        else if (strcmp(name, "chain-id") == 0)
            a->chain_id = value;
        else if (strcmp(name, "genesis") == 0)
            a->genesis = value;
        else if (strcmp(name, "exchange") == 0)
            a->exchange = value;
        else if (strcmp(name, "name") == 0)
            a->name = value;
        else if (strcmp(name, "base-port") == 0)
            a->base_port = value;
        else if (strcmp(name, "notice-blocks") == 0)
            a->notice_blocks = value;
        else if (strcmp(name, "validators") == 0)
            a->validators = value;
        else if (strcmp(name, "observers") == 0)
            a->observers = value;
        else if (strcmp(name, "out") == 0)
            a->out = value;
        else if (strcmp(name, "rpc") == 0)
            a->rpc = value;
        else if (strcmp(name, "org") == 0)
            a->org = value;
        else if (strcmp(name, "genesis-hash") == 0)
            a->genesis_hash = value;
        else if (strcmp(name, "from") == 0)
            a->from = value;
        else if (strcmp(name, "org-account") == 0)
            a->org_account = value;
        else if (strcmp(name, "pub") == 0)
            a->pub = value;
        else if (strcmp(name, "role") == 0)
            a->role = value;
        else if (strcmp(name, "jurisdiction") == 0)
            a->jurisdiction = value;
        else if (strcmp(name, "balance") == 0)
            a->balance = value;
        else if (strcmp(name, "time") == 0)
            a->time = value;
        else if (strcmp(name, "max-block-txs") == 0)
            a->max_block_txs = value;
        else if (strcmp(name, "max-block-bytes") == 0)
            a->max_block_bytes = value;
        else if (strcmp(name, "max-time-drift-ms") == 0)
            a->max_time_drift_ms = value;
        else if (strcmp(name, "exchange-fee-bps") == 0)
            a->exchange_fee_bps = value;
    }
    return 0;
}

static bool has_override(const struct args *a, const char *option)
{
    for (size_t i = 0; i < a->nov; i++) {
        if (strcmp(a->ov[i].option, option) == 0)
            return true;
    }
    return false;
}

/* Applies --base-port as overrides (appended last: they win over node.conf and env). A
 * listener given explicitly (--p2p.laddr, --rpc.laddr,
 * --instrumentation.prometheus_listen_addr) keeps its address: the explicit option wins. */
static int apply_base_port(const struct cmd *c, struct args *a, unsigned *port)
{
    *port = 0;
    if (a->base_port == NULL)
        return 0;
    uint64_t p;
    if (yc_parse_u64(a->base_port, &p) != YC_OK || p < 1 || p > 65535 - 200)
        return usage_error(c, "--base-port %s: need a port from 1 to 65335", a->base_port);
    *port = (unsigned)p;
    char(*bufs)[64] = a->port_addrs;
    const char *names[3] = {"p2p.laddr", "rpc.laddr", "instrumentation.prometheus_listen_addr"};
    yc_config_addr_with_port(bufs[0], sizeof bufs[0], "0.0.0.0", *port);
    yc_config_addr_with_port(bufs[1], sizeof bufs[1], "127.0.0.1", *port + 100);
    yc_config_addr_with_port(bufs[2], sizeof bufs[2], "127.0.0.1", *port + 200);
    for (int i = 0; i < 3; i++) {
        if (has_override(a, names[i]))
            continue;
        if (a->nov >= MAX_OVERRIDES)
            return usage_error(c, "too many options (%s)", names[i]);
        a->ov[a->nov].option = names[i];
        a->ov[a->nov].value = bufs[i];
        a->nov++;
    }
    return 0;
}

static int home_of(const struct args *a, struct yc_home *h)
{
    if (yc_home_resolve(h, a->home) != YC_OK) {
        fprintf(stderr, "yuchaind: the home path is too long or HOME is unset; pass --home "
                        "DIR\n");
        return YC_EXIT_USAGE;
    }
    return 0;
}

/* node.conf values for a new home: defaults plus the command line (no env: a
 * variable set while trying something should not end up in a file). */
static int new_home_config(const struct cmd *c, const struct args *a, struct yc_config *cfg)
{
    char err[512];
    yc_config_default(cfg);
    for (size_t i = 0; i < a->nov; i++) {
        char section[32];
        const char *dot = strchr(a->ov[i].option, '.');
        size_t slen = (size_t)(dot - a->ov[i].option);
        if (slen >= sizeof section)
            return usage_error(c, "unknown option --%s", a->ov[i].option);
        memcpy(section, a->ov[i].option, slen);
        section[slen] = '\0';
        if (yc_config_set(cfg, section, dot + 1, a->ov[i].value, err, sizeof err) != YC_OK) {
            fprintf(stderr, "yuchaind %s: --%s: %s\n", c->name, a->ov[i].option, err);
            return YC_EXIT_CONFIG;
        }
    }
    return 0;
}

static int exit_for_init(int rc)
{
    switch (rc) {
    case YC_EEXIST:
        return YC_EXIT_FAIL;
    case YC_ECONFIG:
    case YC_EBADADDR:
        return YC_EXIT_CONFIG;
    default:
        return yc_exit_code(rc);
    }
}

/* After init --genesis: whether the home's validator key is in the genesis. */
static void print_role(const struct yc_home *h)
{
    char err[512];
    struct yc_genesis g;
    yc_signer *s = NULL;
    uint8_t pub[YC_PUBKEY_LEN];
    char addr[YC_ADDR_MAX] = "?";
    if (yc_genesis_json_load(&g, h->genesis, err, sizeof err) != YC_OK)
        return;
    int idx = -1;
    if (yc_keyfile_load(h->validator_key, &s, pub, err, sizeof err) == YC_OK) {
        yc_signer_destroy(s);
        idx = yc_genesis_validator_index(&g, pub);
        if (yc_addr_encode(addr, pub) != YC_OK)
            snprintf(addr, sizeof addr, "?");
    }
    if (idx >= 0)
        fprintf(stderr, "This node is validator %d (\"%s\") of chain %s.\n", idx,
                g.validators[idx].name, g.chain_id);
    else
        fprintf(stderr,
                "This node is an observer of chain %s: its validator key %s is not in "
                "the genesis (run `yuchaind keys` before the genesis is assembled to "
                "join as a validator).\n",
                g.chain_id, addr);
    yc_genesis_cleanup(&g);
}

static int cmd_init(struct args *a)
{
    const struct cmd *c = &cmds[0];
    unsigned port;
    int code = apply_base_port(c, a, &port);
    struct yc_home h;
    struct yc_config cfg;
    if (code == 0)
        code = home_of(a, &h);
    if (code == 0)
        code = new_home_config(c, a, &cfg);
    if (code != 0)
        return code;
    if (a->genesis != NULL && (a->exchange != NULL || a->chain_id != NULL))
        return usage_error(c, "%s",
                           "--genesis joins an existing chain: it excludes "
                           "--exchange and --chain-id");
    if (a->genesis_hash != NULL && a->genesis == NULL)
        return usage_error(c, "%s", "--genesis-hash checks the file given with --genesis");
    struct yc_init_opts o = {.chain_id = a->chain_id,
                             .genesis_file = a->genesis,
                             .genesis_hash = a->genesis_hash,
                             .exchange = a->exchange,
                             .name = a->name,
                             .config = &cfg};
    char err[512] = "";
    int rc = yc_chain_init_home(&h, &o, err, sizeof err);
    if (rc != YC_OK) {
        fprintf(stderr, "yuchaind init: %s\n", err[0] ? err : yc_strerror(rc));
        return rc == YC_EBADFIELD ? YC_EXIT_USAGE : exit_for_init(rc);
    }
    fprintf(stderr, "Initialized %s.\n", h.dir);
    if (a->genesis != NULL) {
        print_role(&h);
        if (a->genesis_hash == NULL)
            fprintf(stderr,
                    "Check the genesis hash against the one the consortium agreed on: "
                    "yuchaind genesis hash %s\n",
                    h.genesis);
    }
    if (a->genesis == NULL && a->exchange == NULL)
        fprintf(stderr, "The exchange account's key is in %s (passphrase in %s/PASSWORD).\n",
                h.wallet, h.wallet);
    fprintf(stderr, "Start it with: yuchaind start --home %s\n", h.dir);
    return 0;
}

static void rpc_url(char *out, size_t outlen, const char *laddr)
{
    if (strncmp(laddr, "tcp://", 6) == 0)
        laddr += 6;
    const char *colon = strrchr(laddr, ':');
    size_t hostlen = colon != NULL ? (size_t)(colon - laddr) : 0;
    if (hostlen == 0 || (hostlen == 7 && strncmp(laddr, "0.0.0.0", 7) == 0))
        snprintf(out, outlen, "http://127.0.0.1%s", colon != NULL ? colon : ":27700");
    else
        snprintf(out, outlen, "http://%s", laddr);
}

static void dev_banner(yc_node *n, const struct yc_config *cfg, void *ctx)
{
    const struct yc_home *h = ctx;
    char url[200], ops[200];
    rpc_url(url, sizeof url, cfg->rpc_laddr);
    rpc_url(ops, sizeof ops, cfg->prometheus_listen_addr);
    const struct yc_genesis *g = yc_node_genesis(n);
    printf("\nYuchain dev chain \"%s\" is running (one validator).\n"
           "  home        %s\n"
           "  RPC         %s\n",
           g->chain_id, h->dir, url);
    if (cfg->prometheus)
        printf("  operations  %s/metrics\n", ops);
    printf("  wallet      %s (exchange, agency, regulator, alice, bob, processor)\n"
           "  passphrase  %s/PASSWORD\n\n"
           "Try:\n"
           "  curl -s %s/status\n"
           "  yuchain-wallet --wallet-dir %s --password-file %s/PASSWORD --node %s "
           "--from alice balance\n\n"
           "Stop with Ctrl-C.\n\n",
           h->wallet, h->wallet, url, h->wallet, h->wallet, url);
    fflush(stdout);
}

static int cmd_dev(struct args *a)
{
    const struct cmd *c = &cmds[1];
    unsigned port;
    int code = apply_base_port(c, a, &port);
    struct yc_home h;
    struct yc_config cfg;
    if (code == 0)
        code = home_of(a, &h);
    if (code == 0)
        code = new_home_config(c, a, &cfg);
    if (code != 0)
        return code;
    if (!yc_home_initialized(&h)) {
        struct yc_init_opts o = {.chain_id = a->chain_id,
                                 .config = &cfg,
                                 .dev = true,
                                 .closed_registration = a->closed_registration};
        if (a->notice_blocks != NULL) {
            if (yc_parse_u64(a->notice_blocks, &o.notice_blocks) != YC_OK ||
                o.notice_blocks > UINT32_MAX)
                return usage_error(c, "--notice-blocks %s: need 0 to 4294967295", a->notice_blocks);
            o.set_notice_blocks = true;
        }
        char err[512] = "";
        int rc = yc_chain_init_home(&h, &o, err, sizeof err);
        if (rc != YC_OK) {
            fprintf(stderr, "yuchaind dev: %s\n", err[0] ? err : yc_strerror(rc));
            return exit_for_init(rc);
        }
        fprintf(stderr, "Created a dev chain in %s.\n", h.dir);
    } else if (a->chain_id != NULL) {
        fprintf(stderr, "yuchaind dev: %s already holds a chain; --chain-id is ignored\n", h.dir);
    }
    struct yc_run_opts ro = {
        .home = h.dir, .ov = a->ov, .nov = a->nov, .on_started = dev_banner, .ctx = &h};
    return yc_node_run(&ro);
}

static int parse_count(const struct cmd *c, const char *opt, const char *v, unsigned max,
                       unsigned *out)
{
    uint64_t x;
    if (yc_parse_u64(v, &x) != YC_OK || x > max)
        return usage_error(c, "--%s %s: need a number from 0 to %u", opt, v, max);
    *out = (unsigned)x;
    return 0;
}

static int cmd_testnet(struct args *a)
{
    const struct cmd *c = &cmds[2];
    if (a->validators == NULL || a->out == NULL)
        return usage_error(c, "%s", "--validators N and --out DIR are required");
    struct yc_testnet_opts o = {.out = a->out,
                                .chain_id = a->chain_id,
                                .base_port = YC_PORT_P2P,
                                .closed_registration = a->closed_registration};
    int code = parse_count(c, "validators", a->validators, YC_MAX_VALIDATORS, &o.validators);
    if (code == 0 && a->observers != NULL)
        code = parse_count(c, "observers", a->observers, YC_TESTNET_MAX_OBSERVERS, &o.observers);
    if (code == 0 && a->base_port != NULL)
        code = parse_count(c, "base-port", a->base_port, 65535 - 200, &o.base_port);
    if (code == 0 && a->notice_blocks != NULL) {
        if (yc_parse_u64(a->notice_blocks, &o.notice_blocks) != YC_OK ||
            o.notice_blocks > UINT32_MAX)
            return usage_error(c, "--notice-blocks %s: need 0 to 4294967295", a->notice_blocks);
        o.set_notice_blocks = true;
    }
    if (code != 0)
        return code;
    if (o.validators == 0)
        return usage_error(c, "%s", "--validators must be at least 1");
    static const char *const listeners[] = {"p2p.laddr", "rpc.laddr",
                                            "instrumentation.prometheus_listen_addr"};
    for (size_t i = 0; i < 3; i++) {
        if (has_override(a, listeners[i]))
            return usage_error(c,
                               "--%s: testnet gives each node its own ports on 127.0.0.1; "
                               "move them with --base-port P",
                               listeners[i]);
    }
    struct yc_config cfg;
    code = new_home_config(c, a, &cfg);
    if (code != 0)
        return code;
    o.config = &cfg;
    struct yc_testnet_node *nodes = calloc(o.validators + o.observers, sizeof *nodes);
    if (nodes == NULL)
        return YC_EXIT_FAIL;
    char err[512] = "";
    int rc = yc_chain_testnet(&o, nodes, err, sizeof err);
    if (rc != YC_OK) {
        free(nodes);
        fprintf(stderr, "yuchaind testnet: %s\n", err[0] ? err : yc_strerror(rc));
        return rc == YC_EINVAL ? YC_EXIT_USAGE : exit_for_init(rc);
    }
    unsigned total = o.validators + o.observers;
    if (a->json) {
        json_t *arr = json_array();
        for (unsigned i = 0; arr != NULL && i < total; i++)
            json_array_append_new(
                arr, json_pack("{s:s,s:s,s:s,s:i,s:i,s:i}", "name", nodes[i].name, "role",
                               nodes[i].validator ? "validator" : "observer", "home", nodes[i].home,
                               "p2p_port", (int)nodes[i].p2p_port, "rpc_port",
                               (int)nodes[i].rpc_port, "ops_port", (int)nodes[i].ops_port));
        char wallet[PATH_MAX + 8];
        snprintf(wallet, sizeof wallet, "%s/wallet", a->out);
        json_t *doc = json_pack("{s:o?,s:s,s:s}", "nodes", arr, "wallet", wallet, "chain_id",
                                a->chain_id != NULL ? a->chain_id : "yuchain-testnet");
        free(nodes);
        return yc_print_json_line(doc);
    }
    printf("Testnet \"%s\" in %s: %u validator%s, %u observer%s.\n\n",
           a->chain_id != NULL ? a->chain_id : "yuchain-testnet", a->out, o.validators,
           o.validators == 1 ? "" : "s", o.observers, o.observers == 1 ? "" : "s");
    printf("  %-7s %-10s %-6s %-23s %-31s %s\n", "node", "role", "p2p", "RPC", "operations",
           "home");
    for (unsigned i = 0; i < total; i++) {
        char rpc[64], ops[64];
        snprintf(rpc, sizeof rpc, "http://127.0.0.1:%u", nodes[i].rpc_port);
        snprintf(ops, sizeof ops, "http://127.0.0.1:%u/metrics", nodes[i].ops_port);
        printf("  %-7s %-10s %-6u %-23s %-31s %s\n", nodes[i].name,
               nodes[i].validator ? "validator" : "observer", nodes[i].p2p_port, rpc, ops,
               nodes[i].home);
    }
    printf("\nWallet: %s/wallet (exchange, agency, regulator, alice, bob, processor), "
           "passphrase in %s/wallet/PASSWORD.\n"
           "Start each node with: yuchaind start --home %s/nodeI   (or scripts/localnet up)\n",
           a->out, a->out, a->out);
    free(nodes);
    return 0;
}

static int cmd_start(struct args *a)
{
    const struct cmd *c = &cmds[3];
    unsigned port;
    int code = apply_base_port(c, a, &port);
    struct yc_home h;
    if (code == 0)
        code = home_of(a, &h);
    if (code != 0)
        return code;
    struct yc_run_opts ro = {.home = h.dir, .ov = a->ov, .nov = a->nov};
    return yc_node_run(&ro);
}

static int cmd_show_node_id(struct args *a)
{
    struct yc_home h;
    int code = home_of(a, &h);
    if (code != 0)
        return code;
    char err[512] = "";
    yc_signer *s = NULL;
    uint8_t pub[YC_PUBKEY_LEN], vpub[YC_PUBKEY_LEN];
    int rc = yc_keyfile_load(h.node_key, &s, pub, err, sizeof err);
    if (rc != YC_OK) {
        fprintf(stderr, "yuchaind show-node-id: %s%s\n", err,
                rc == YC_ENOTFOUND ? " (create the home with `yuchaind init`)" : "");
        return rc == YC_EIO ? YC_EXIT_IOERR : YC_EXIT_CONFIG;
    }
    yc_signer_destroy(s);
    char id[YC_ADDR_MAX], vaddr[YC_ADDR_MAX] = "";
    if (yc_addr_encode(id, pub) != YC_OK)
        return YC_EXIT_CONFIG;
    if (yc_keyfile_load(h.validator_key, &s, vpub, err, sizeof err) == YC_OK) {
        yc_signer_destroy(s);
        if (yc_addr_encode(vaddr, vpub) != YC_OK)
            vaddr[0] = '\0';
    }
    if (a->json) {
        json_t *o = json_pack("{s:s}", "node_id", id);
        if (o != NULL && vaddr[0] != '\0')
            json_object_set_new(o, "validator_address", json_string(vaddr));
        return yc_print_json_line(o);
    }
    printf("%s\n", id);
    return 0;
}

static int cmd_backup(struct args *a)
{
    struct yc_home h;
    int code = home_of(a, &h);
    if (code != 0)
        return code;
    if (a->out == NULL || a->out[0] == '\0') {
        fprintf(stderr, "yuchaind backup: --out NEW_DIR is required (see --help)\n");
        return YC_EXIT_USAGE;
    }
    return yc_backup_cli(&h, a->out, a->rpc, a->json);
}

static int cmd_keys(struct args *a)
{
    struct yc_home h;
    if (a->org == NULL)
        return usage_error(&cmds[7], "%s", "--org NAME (the organisation's name) is required");
    if (a->home == NULL)
        return usage_error(&cmds[7], "%s",
                           "--home DIR is required (the home the node will "
                           "run from)");
    int code = home_of(a, &h);
    if (code != 0)
        return code;
    return yc_ceremony_keys(&h, a->org, a->name, a->json);
}

static int cmd_genesis_new(struct args *a)
{
    if (a->chain_id == NULL || a->out == NULL)
        return usage_error(&cmds[8], "%s", "--chain-id ID and --out FILE are required");
    struct yc_genesis_new_opts o = {.chain_id = a->chain_id,
                                    .out = a->out,
                                    .time = a->time,
                                    .max_block_txs = a->max_block_txs,
                                    .max_block_bytes = a->max_block_bytes,
                                    .max_time_drift_ms = a->max_time_drift_ms,
                                    .notice_blocks = a->notice_blocks,
                                    .exchange_fee_bps = a->exchange_fee_bps,
                                    .open_registration = a->open_registration,
                                    .json = a->json};
    return yc_ceremony_genesis_new(&o);
}

static int cmd_genesis_add_validator(struct args *a)
{
    if (a->genesis == NULL || a->from == NULL)
        return usage_error(&cmds[9], "%s", "--genesis FILE and --from PUBLIC.json are required");
    return yc_ceremony_add_validator(a->genesis, a->from, a->org_account, a->json);
}

static int cmd_genesis_add_account(struct args *a)
{
    if (a->genesis == NULL || a->name == NULL || a->pub == NULL)
        return usage_error(&cmds[10], "%s",
                           "--genesis FILE, --name NAME and --pub ADDRESS are "
                           "required");
    struct yc_genesis_account_opts o = {.name = a->name,
                                        .pub = a->pub,
                                        .role = a->role,
                                        .jurisdiction = a->jurisdiction,
                                        .balance = a->balance};
    return yc_ceremony_add_account(a->genesis, &o, a->json);
}

static int cmd_genesis_finalize(struct args *a)
{
    if (a->genesis == NULL)
        return usage_error(&cmds[11], "%s", "--genesis FILE is required");
    return yc_ceremony_finalize(a->genesis, a->json);
}

static int cmd_genesis_hash(struct args *a)
{
    if ((a->genesis == NULL) == (a->pos == NULL))
        return usage_error(&cmds[12], "%s", "name the genesis once: FILE or --genesis FILE");
    return yc_ceremony_hash(a->genesis != NULL ? a->genesis : a->pos, a->genesis_hash, a->json);
}

static void print_genesis_help(FILE *out)
{
    fprintf(out, "yuchaind genesis: assemble a consortium's genesis (docs/operator.md, "
                 "\"Joining a consortium\")\n\nUsage: yuchaind genesis VERB [OPTIONS]\n\n"
                 "Verbs:\n");
    for (size_t i = 0; i < NCMDS; i++) {
        if (strncmp(cmds[i].name, "genesis ", 8) == 0)
            fprintf(out, "  %-14s %s\n", cmds[i].name + 8, cmds[i].summary);
    }
    fprintf(out, "\n`yuchaind genesis VERB --help` shows a verb's options.\n");
}

static int cmd_version(struct args *a)
{
    if (a->json)
        printf("{\"version\":\"%s\"}\n", YC_VERSION);
    else
        printf("yuchaind %s\n", YC_VERSION);
    return 0;
}

int yc_cli_main(int argc, char **argv)
{
    if (argc < 2) {
        print_main_help(stderr);
        return YC_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        print_main_help(stdout);
        return 0;
    }
    if (strcmp(name, "--version") == 0)
        name = "version";
    char full[32];
    int skip = 2;
    if (strcmp(name, "genesis") == 0) {
        if (argc < 3 || strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0) {
            print_genesis_help(argc < 3 ? stderr : stdout);
            return argc < 3 ? YC_EXIT_USAGE : 0;
        }
        snprintf(full, sizeof full, "genesis %.20s", argv[2]);
        name = full;
        skip = 3;
    }
    for (size_t i = 0; i < NCMDS; i++) {
        if (strcmp(cmds[i].name, name) != 0)
            continue;
        struct args a;
        int code = parse_args(&cmds[i], argc - skip, argv + skip, &a);
        if (code != 0)
            return code;
        if (a.help) {
            print_cmd_help(&cmds[i], stdout);
            return 0;
        }
        return cmds[i].run(&a);
    }
    fprintf(stderr, "yuchaind: unknown command \"%s\"\n\n", name);
    if (skip == 3)
        print_genesis_help(stderr);
    else
        print_main_help(stderr);
    return YC_EXIT_USAGE;
}
