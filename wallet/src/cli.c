/*
 * cli.c — yuchain-wallet's tables (options, commands), configuration resolution
 * (flags > environment > defaults), key selection, argument value parsers and the
 * dispatcher.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wallet.h"
#include "yc/bech32.h"

const struct wallet_opt_def WALLET_OPTS[O_COUNT] = {
    [O_WALLET_DIR] = {"wallet-dir", "DIR",
                      "wallet directory (env YUCHAIN_WALLET_DIR; default ~/.yuchain-wallet)"},
    [O_NODE] = {"node", "URL",
                "node RPC address, http:// or https://, a path allowed (env YUCHAIN_NODE; "
                "default " WALLET_DEFAULT_NODE ")"},
    [O_TOKEN_FILE] = {"token-file", "FILE",
                      "send the bearer token on FILE's first line to the node (env "
                      "YUCHAIN_NODE_TOKEN_FILE)"},
    [O_CACERT] = {"cacert", "FILE",
                  "verify an https node against the CA certificate(s) in FILE instead of the "
                  "system's (env YUCHAIN_NODE_CACERT)"},
    [O_CERT] = {"cert", "FILE",
                "TLS client certificate (PEM) for an https node that asks for one (env "
                "YUCHAIN_NODE_CERT)"},
    [O_KEY] = {"key", "FILE",
               "the TLS client certificate's private key, PEM, unencrypted (default: in the "
               "--cert file; env YUCHAIN_NODE_KEY)"},
    [O_FROM] = {"from", "NAME", "key to act with (default: the only key in the wallet)"},
    [O_PASSWORD_FILE] = {"password-file", "FILE", "read the passphrase from FILE's first line"},
    [O_PASSWORD_STDIN] = {"password-stdin", NULL, "read the passphrase from stdin's first line"},
    [O_JSON] = {"json", NULL, "machine output: one JSON object on stdout"},
    [O_NO_WAIT] = {"no-wait", NULL, "return after admission instead of waiting for commit"},
    [O_HELP] = {"help", NULL, "show help"},
    [O_VERSION] = {"version", NULL, "show the version"},
    [O_OUT] = {"out", "FILE", "write to FILE: a tx file instead of sending (receipt: the receipt)"},
    [O_UNSIGNED] = {"unsigned", NULL, "with --out: leave it unsigned (no passphrase needed)"},
    [O_CHAIN_ID] = {"chain-id", "ID", "chain id (default: asked from the node)"},
    [O_NONCE] = {"nonce", "N", "sender nonce (default: asked from the node)"},
    [O_KDF] = {"kdf", "LEVEL", "key derivation cost: moderate (default) or interactive"},
    [O_ROLE] = {"role", "ROLE", "account role"},
    [O_NAME] = {"name", "TEXT", "display name"},
    [O_JURISDICTION] = {"jurisdiction", "CODE", "jurisdiction, e.g. CN-CQ"},
    [O_FOR] = {"for", "ADDRESS", "register another account (exchange, agency)"},
    [O_TO] = {"to", "ADDRESS", "recipient, processor or licensee"},
    [O_AMOUNT] = {"amount", "FEN", "amount in fen (0.01 CNY), > 0"},
    [O_MEMO] = {"memo", "TEXT", "a short note"},
    [O_CATEGORIES] = {"categories", "C[,C...]",
                      "data categories: codes of the chain's list, e.g. health, location "
                      "(docs/domain.md, Code lists)"},
    [O_PURPOSES] = {"purposes", "P[,P...]",
                    "purposes: codes of the chain's list, e.g. research, marketing "
                    "(docs/domain.md, Code lists)"},
    [O_OPERATIONS] = {"operations", "O[,O...]", "operations allowed"},
    [O_UNTIL] = {"until", "TIME", "end of validity: RFC 3339 or +30d/+2h/+15m/+10s"},
    [O_NOT_BEFORE] = {"not-before", "TIME", "start of validity (default: at once)"},
    [O_FEE_PER_USE] = {"fee-per-use", "FEN", "fee paid to you for each recorded use"},
    [O_MAX_USES] = {"max-uses", "N", "maximum number of uses (default unlimited)"},
    [O_RETENTION_DAYS] = {"retention-days", "N", "retention period in days"},
    [O_ONWARD_TRANSFER] = {"onward-transfer", NULL, "allow onward transfer to third parties"},
    [O_CONSENT] = {"consent", "ID", "the consent relied on"},
    [O_LICENSE] = {"license", "ID", "the license relied on"},
    [O_PURPOSE] = {"purpose", "P", "purpose of the use (a code of the chain's list)"},
    [O_OPERATION] = {"operation", "O",
                     "operation of the use (a consent's: collect, hold, host, use; a "
                     "license's: the rest)"},
    [O_CATEGORY] = {"category", "C", "data category used (a code of the chain's list)"},
    [O_INPUT] = {"input", "DIGEST", "SHA-256 of the input (64 hex digits)"},
    [O_OUTPUT] = {"output", "DIGEST", "SHA-256 of the output (64 hex digits)"},
    [O_DIGEST] = {"digest", "HEX", "SHA-256 of the evidence (64 hex digits)"},
    [O_KIND] = {"kind", "CODE", "kind of evidence, e.g. dcmm_assessment"},
    [O_REF] = {"ref", "ID", "id of a referenced object"},
    [O_NOTE] = {"note", "TEXT", "a short note"},
    [O_SUBJECT] = {"subject", "ADDRESS", "data subject (default: your key's address)"},
    [O_PROCESSOR] = {"processor", "ADDRESS", "list consents given to this processor instead"},
    [O_TITLE] = {"title", "TEXT", "title of the data asset"},
    [O_CATALOG] = {"catalog", "CODE", "catalog code of the data asset"},
    [O_SOURCE] = {"source", "SOURCE", "source of the data"},
    [O_GRADE] = {"grade", "GRADE", "grade of the data"},
    [O_OPENNESS] = {"openness", "O", "openness"},
    [O_SECTOR] = {"sector", "CODE", "sector, e.g. transport"},
    [O_PARENTS] = {"parents", "ID[,ID...]", "assets this one is derived from"},
    [O_CONTRIBUTORS] = {"contributors", "ADDR:BPS[,...]",
                        "contributors and shares in basis points summing to 10000"},
    [O_USAGE] = {"usage", "ID", "the recorded use whose output this asset is"},
    [O_REASON] = {"reason", "CODE", "reason code"},
    [O_EVIDENCE] = {"evidence", "DIGEST", "SHA-256 of the evidence (64 hex digits)"},
    [O_OUTCOME] = {"outcome", "OUTCOME", "the decision"},
    [O_RIGHT] = {"right", "RIGHT", "the right to transfer"},
    [O_VISIBILITY] = {"visibility", "V", "visibility (invisible: usable, never exported)"},
    [O_FEE] = {"fee", "FEN", "fee per use paid to you (default 0)"},
    [O_HOLDER] = {"holder", "ADDRESS", "holder of the data or assets"},
    [O_PACKAGE] = {"package", "DIGEST", "SHA-256 of the carried package (64 hex digits)"},
    [O_FORMAT] = {"format", "F", "json (default), dot or prov-json"},
    [O_ASSET] = {"asset", "ID",
                 "the data asset (usage: its uses instead; carry request: the asset carried)"},
    [O_OFFER] = {"offer", "OFFER", "what is sold: a right (hold, operate) or a license"},
    [O_PRICE] = {"price", "FEN", "price in fen (0.01 CNY), > 0"},
    [O_VALUE] = {"value", "FEN", "appraised value in fen"},
    [O_METHOD] = {"method", "CODE", "appraisal method, e.g. income, cost, market"},
    [O_REPORT] = {"report", "DIGEST", "SHA-256 of the report (64 hex digits)"},
    [O_EXPIRES] = {"expires", "TIME", "when the bid lapses"},
    [O_BID] = {"bid", "ID", "the bid"},
    [O_LISTING] = {"listing", "ID", "the listing"},
    [O_DUE] = {"due", "TIME", "when the pledgee may enforce: RFC 3339 or +30d/+2h/..."},
    [O_POLICY_VERSION] = {"policy-version", "N",
                          "the new version (default: the node's current version + 1)"},
    [O_BANNED_CATEGORIES] = {"banned-categories", "C[,C...]",
                             "banned data categories (catalog codes, carry categories)"},
    [O_BANNED_PREFIXES] = {"banned-prefixes", "P[,P...]", "banned catalog-code prefixes"},
    [O_BANNED_ACCOUNTS] = {"banned-accounts", "ADDR[,ADDR...]", "banned accounts"},
    [O_BANNED_JURISDICTIONS] = {"banned-jurisdictions", "J[,J...]",
                                "banned destination jurisdictions"},
    [O_ALERT_AMOUNT] = {"alert-amount", "FEN", "alert on deals above this price"},
    [O_ALERT_CROSS_BORDER] = {"alert-cross-border", NULL,
                              "alert on cross-border deals, licenses and carries"},
    [O_ALERT_IMPORTANT] = {"alert-important", NULL, "alert on uses of important data"},
    [O_ALERT_ACCOUNTS] = {"alert-accounts", "ADDR[,ADDR...]", "alert on any act of these"},
    [O_ADD_CATEGORIES] = {"add-categories", "C[,C...]",
                          "data-category codes added to the chain's code list (genesis "
                          "codes.categories; additions stay in every later version)"},
    [O_ADD_PURPOSES] = {"add-purposes", "P[,P...]",
                        "purpose codes added to the chain's code list (genesis codes.purposes)"},
    [O_DESTINATION] = {"destination", "JURISDICTION", "destination outside CN, e.g. SG"},
    [O_SEVERITY] = {"severity", "S", "severity of the finding"},
    [O_ORG] = {"org", "ADDRESS",
               "the organisation account that proposes and approves validator-set changes for "
               "the new validator"},
    [O_NEW_KEY] = {"new-key", "KEY", "the validator key (yc1…) that replaces KEY"},
    [O_HEIGHT] = {"height", "H", "the set in force at height H (default: the next block's)"},
    [O_GENESIS] = {"genesis", "FILE", "trust this genesis.json (e.g. HOME/config/genesis.json)"},
    [O_GENESIS_HASH] = {"genesis-hash", "HEX", "trust the genesis with this hash (64 hex digits)"},
};

#define B OPTBIT
const struct wallet_cmd WALLET_CMDS[] = {
    {"new", "NAME", 1, 1, B(O_KDF), 0, cmd_new, "create a key; prints its address", YC_TX_NONE},
    {"list", "", 0, 0, 0, 0, cmd_list, "list the keys and their addresses", YC_TX_NONE},
    {"address", "[NAME]", 0, 1, 0, 0, cmd_address, "print a key's address", YC_TX_NONE},
    {"balance", "[ADDRESS]", 0, 1, 0, 0, cmd_balance,
     "print an account's balance in yuan (--json: fen)", YC_TX_NONE},
    {"register", "", 0, 0, OPTS_TX, 0, cmd_build, "register an account (yourself by default)",
     YC_TX_ACCOUNT_REGISTER},
    {"account update", "", 0, 0, OPTS_TX, 0, cmd_build,
     "change the name or jurisdiction of your account (or of --for ADDRESS: the exchange, an "
     "agency)",
     YC_TX_ACCOUNT_UPDATE},
    {"transfer", "", 0, 0, OPTS_TX, 0, cmd_build, "transfer tokens", YC_TX_TOKEN_TRANSFER},
    {"token issue", "", 0, 0, OPTS_TX, 0, cmd_build, "issue tokens (the exchange)",
     YC_TX_TOKEN_ISSUE},
    {"token redeem", "", 0, 0, OPTS_TX, 0, cmd_build, "redeem tokens from your balance",
     YC_TX_TOKEN_REDEEM},
    {"consent grant", "", 0, 0, OPTS_TX, 0, cmd_build,
     "consent to a processor using your data; prints the consent id", YC_TX_CONSENT_GRANT},
    {"consent revoke", "ID", 1, 1, OPTS_TX, 0, cmd_build, "revoke a consent you granted",
     YC_TX_CONSENT_REVOKE},
    {"consent list", "", 0, 0, B(O_SUBJECT) | B(O_PROCESSOR), 0, cmd_consent_list,
     "list consents you granted (or given to --processor)", YC_TX_NONE},
    {"usage", "", 0, 0, B(O_SUBJECT) | B(O_ASSET), 0, cmd_usage,
     "who used your data (or --asset ID), when, for what", YC_TX_NONE},
    {"usage record", "", 0, 0, OPTS_TX, 0, cmd_build,
     "record a use of data under a consent or license", YC_TX_USAGE_RECORD},
    {"evidence anchor", "", 0, 0, OPTS_TX, 0, cmd_build, "anchor the digest of a piece of evidence",
     YC_TX_EVIDENCE_ANCHOR},
    {"asset register", "", 0, 0, OPTS_TX, 0, cmd_build,
     "register a data asset (public notice follows); prints its id", YC_TX_ASSET_REGISTER},
    {"asset object", "ID", 1, 1, OPTS_TX, 0, cmd_build,
     "object to a registration during its notice; prints the objection id", YC_TX_ASSET_OBJECT},
    {"asset resolve", "OBJECTION", 1, 1, OPTS_TX, 0, cmd_build,
     "resolve an objection (the exchange)", YC_TX_ASSET_RESOLVE},
    {"asset certify", "ID", 1, 1, OPTS_TX, 0, cmd_build,
     "certify an asset after its notice (the exchange)", YC_TX_ASSET_CERTIFY},
    {"asset update", "ID", 1, 1, OPTS_TX, 0, cmd_build,
     "register a new version of an asset you hold", YC_TX_ASSET_UPDATE},
    {"asset retire", "ID", 1, 1, OPTS_TX, 0, cmd_build, "retire an asset you hold",
     YC_TX_ASSET_RETIRE},
    {"asset show", "ID", 1, 1, 0, 0, cmd_asset_show,
     "an asset: rights, certificate, objections, versions, licenses", YC_TX_NONE},
    {"asset list", "", 0, 0, B(O_HOLDER), 0, cmd_asset_list,
     "assets whose rights you (or --holder) hold", YC_TX_NONE},
    {"asset provenance", "ID", 1, 1, B(O_FORMAT), 0, cmd_asset_provenance,
     "ancestry, descendants, licenses and uses of an asset", YC_TX_NONE},
    {"asset transfer", "ID", 1, 1, OPTS_TX, 0, cmd_build,
     "transfer one right (hold, process, operate) you hold", YC_TX_RIGHT_TRANSFER},
    {"asset license", "ID", 1, 1, OPTS_TX, 0, cmd_build,
     "license the use of an asset (operations: compute, model, verify, query, export); "
     "prints the license id",
     YC_TX_RIGHT_LICENSE},
    {"license revoke", "ID", 1, 1, OPTS_TX, 0, cmd_build, "revoke a license you granted",
     YC_TX_LICENSE_REVOKE},
    {"carry request", "", 0, 0, OPTS_TX, 0, cmd_build,
     "ask --holder to carry your data of --categories to --to; prints the carry id",
     YC_TX_CARRY_REQUEST},
    {"carry complete", "ID", 1, 1, OPTS_TX, 0, cmd_build,
     "complete a carry asked of you, with the package digest", YC_TX_CARRY_COMPLETE},
    {"carry reject", "ID", 1, 1, OPTS_TX, 0, cmd_build,
     "reject a carry asked of you, with a reason code", YC_TX_CARRY_REJECT},
    {"carry list", "", 0, 0, B(O_SUBJECT) | B(O_HOLDER), 0, cmd_carry_list,
     "carries you asked for (or asked of --holder)", YC_TX_NONE},
    {"market list", "ASSET", 1, 1, OPTS_TX, 0, cmd_build,
     "offer a right (hold, operate) or a license of an asset for sale; prints the listing id",
     YC_TX_MARKET_LIST},
    {"market appraise", "LISTING", 1, 1, OPTS_TX, 0, cmd_build, "appraise a listing (appraisers)",
     YC_TX_MARKET_APPRAISE},
    {"market bid", "LISTING", 1, 1, OPTS_TX, 0, cmd_build,
     "bid on a listing; the price is held in escrow; prints the bid id", YC_TX_MARKET_BID},
    {"market accept", "BID", 1, 1, OPTS_TX, 0, cmd_build,
     "accept a bid on your listing: settles the deal", YC_TX_MARKET_ACCEPT},
    {"market cancel", "", 0, 0, OPTS_TX, 0, cmd_build,
     "cancel your listing (--listing ID) or your bid (--bid ID)", YC_TX_MARKET_CANCEL},
    {"market show", "LISTING", 1, 1, 0, 0, cmd_market_show,
     "a listing with its appraisals, bids and deal", YC_TX_NONE},
    {"market listings", "", 0, 0, B(O_ASSET), 0, cmd_market_listings,
     "open listings (or every listing of --asset)", YC_TX_NONE},
    {"market index", "", 0, 0, B(O_SECTOR), 0, cmd_market_index,
     "the price index: deals per sector and day", YC_TX_NONE},
    {"pledge create", "ASSET", 1, 1, OPTS_TX, 0, cmd_build,
     "pledge your hold right to --to (a financial institution, which co-signs: use --out "
     "FILE, then `tx sign FILE` by the pledgee)",
     YC_TX_PLEDGE_CREATE},
    {"pledge release", "ID", 1, 1, OPTS_TX, 0, cmd_build, "release a pledge (the pledgee)",
     YC_TX_PLEDGE_RELEASE},
    {"pledge enforce", "ID", 1, 1, OPTS_TX, 0, cmd_build,
     "take the pledged hold right after the due time (the pledgee)", YC_TX_PLEDGE_ENFORCE},
    {"pledge list", "", 0, 0, B(O_ASSET) | B(O_HOLDER), 0, cmd_pledge_list,
     "pledges of --asset, or of a party (--holder, default you)", YC_TX_NONE},
    {"policy set", "", 0, 0, OPTS_TX, 0, cmd_policy_set,
     "publish the next policy version: negative list, alert rules and code-list additions "
     "(regulators)",
     YC_TX_POLICY_SET},
    {"policy show", "", 0, 0, B(O_POLICY_VERSION), 0, cmd_policy_show,
     "the policy in force (or --policy-version N)", YC_TX_NONE},
    {"export assess", "ASSET", 1, 1, OPTS_TX, 0, cmd_build,
     "assess exporting an asset to a destination: approved (with --until) or denied "
     "(regulators)",
     YC_TX_EXPORT_ASSESS},
    {"credit record", "ADDRESS", 1, 1, OPTS_TX, 0, cmd_build,
     "record a credit finding about an account (regulators); prints its id", YC_TX_CREDIT_RECORD},
    {"credit object", "ID", 1, 1, OPTS_TX, 0, cmd_build, "object to a finding about you",
     YC_TX_CREDIT_OBJECT},
    {"credit resolve", "ID", 1, 1, OPTS_TX, 0, cmd_build,
     "decide an objection: uphold or withdraw (regulators)", YC_TX_CREDIT_RESOLVE},
    {"credit restore", "ID", 1, 1, OPTS_TX, 0, cmd_build,
     "credit repair: lift a finding (regulators)", YC_TX_CREDIT_RESTORE},
    {"credit show", "[ADDRESS]", 0, 1, 0, 0, cmd_credit_show,
     "an account's credit status and public history", YC_TX_NONE},
    {"validator propose add", "KEY", 1, 1, OPTS_TX, 0, cmd_build,
     "propose adding validator KEY (yc1…) with its organisation account (validators' "
     "organisations); prints the proposal id",
     YC_TX_VALIDATOR_PROPOSE},
    {"validator propose remove", "KEY", 1, 1, OPTS_TX, 0, cmd_build,
     "propose removing validator KEY (validators' organisations); prints the proposal id",
     YC_TX_VALIDATOR_PROPOSE},
    {"validator propose replace-key", "KEY", 1, 1, OPTS_TX, 0, cmd_build,
     "propose replacing validator KEY by --new-key, keeping its place (validators' "
     "organisations); prints the proposal id",
     YC_TX_VALIDATOR_PROPOSE},
    {"validator approve", "ID", 1, 1, OPTS_TX, 0, cmd_build,
     "approve a validator-set proposal (validators' organisations); a quorum of the set in "
     "force fixes the change",
     YC_TX_VALIDATOR_APPROVE},
    {"validator withdraw", "ID", 1, 1, OPTS_TX, 0, cmd_build,
     "withdraw your validator-set proposal while it is open", YC_TX_VALIDATOR_WITHDRAW},
    {"validator set", "", 0, 0, B(O_HEIGHT), 0, cmd_validator_set,
     "the validator set in force, the changes fixed to come, and the open proposals", YC_TX_NONE},
    {"validator proposal", "ID", 1, 1, 0, 0, cmd_validator_proposal,
     "a validator-set proposal: its change, approvals, weight and status", YC_TX_NONE},
    {"tx sign", "FILE", 1, 1, 0, 0, cmd_tx_sign,
     "sign a tx file (the sender's signature, or a co-signature)", YC_TX_NONE},
    {"tx send", "FILE", 1, 1, 0, 0, cmd_tx_send, "submit a signed tx file", YC_TX_NONE},
    {"tx status", "ID", 1, 1, 0, 0, cmd_tx_status, "show a transaction's status", YC_TX_NONE},
    {"receipt", "ID", 1, 1, B(O_OUT), 0, cmd_receipt,
     "a receipt of a committed tx (a consent, say) with its inclusion proof, to check offline",
     YC_TX_NONE},
    {"verify-receipt", "FILE", 1, 1, B(O_GENESIS) | B(O_GENESIS_HASH), 0, cmd_verify_receipt,
     "check a receipt offline, against --genesis FILE or --genesis-hash HEX", YC_TX_NONE},
    {NULL, NULL, 0, 0, 0, 0, NULL, NULL, YC_TX_NONE},
};
#undef B

void wallet_err(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("yuchain-wallet: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void wallet_info(const struct wallet *w, const char *fmt, ...)
{
    if (w->json)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void wallet_print_json(json_t *v)
{
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (text != NULL) {
        puts(text);
        free(text);
    }
}

int wallet_init(struct wallet *w, const struct wallet_args *a)
{
    memset(w, 0, sizeof *w);
    const char *dir = a->set[O_WALLET_DIR] ? a->val[O_WALLET_DIR] : getenv("YUCHAIN_WALLET_DIR");
    if (dir != NULL && dir[0] != '\0') {
        if (strlen(dir) >= sizeof w->dir) {
            wallet_err("wallet directory path too long");
            return YC_EXIT_CONFIG;
        }
        strcpy(w->dir, dir);
    } else {
        const char *home = getenv("HOME");
        if (home == NULL || home[0] == '\0') {
            wallet_err("HOME is not set: give --wallet-dir DIR or set YUCHAIN_WALLET_DIR");
            return YC_EXIT_CONFIG;
        }
        int k = snprintf(w->dir, sizeof w->dir, "%s/%s", home, WALLET_DEFAULT_DIR);
        if (k < 0 || (size_t)k >= sizeof w->dir) {
            wallet_err("wallet directory path too long");
            return YC_EXIT_CONFIG;
        }
    }
    const char *node = a->set[O_NODE] ? a->val[O_NODE] : getenv("YUCHAIN_NODE");
    w->node = node != NULL && node[0] != '\0' ? node : WALLET_DEFAULT_NODE;
    struct yc_url u;
    if (yc_url_parse(&u, w->node) != YC_OK) {
        wallet_err("--node: bad URL '%s': expected http://HOST:PORT or "
                   "https://HOST[:PORT][/PATH]",
                   w->node);
        return YC_EXIT_CONFIG;
    }
    char why[256];
    int hrc = yc_http_opts_load(&w->http, a->set[O_TOKEN_FILE] ? a->val[O_TOKEN_FILE] : NULL,
                                a->set[O_CACERT] ? a->val[O_CACERT] : NULL, why, sizeof why);
    if (hrc == YC_OK && (a->set[O_CERT] || a->set[O_KEY]))
        hrc = yc_http_opts_client_cert(&w->http, a->set[O_CERT] ? a->val[O_CERT] : NULL,
                                       a->set[O_KEY] ? a->val[O_KEY] : NULL, why, sizeof why);
    if (hrc != YC_OK) {
        wallet_err("%s", why);
        return hrc == YC_EIO ? YC_EXIT_IOERR : YC_EXIT_CONFIG;
    }
    w->from = a->set[O_FROM] ? a->val[O_FROM] : NULL;
    w->pass.file = a->set[O_PASSWORD_FILE] ? a->val[O_PASSWORD_FILE] : NULL;
    w->pass.use_stdin = a->set[O_PASSWORD_STDIN];
    if (w->pass.file != NULL && w->pass.use_stdin) {
        wallet_err("give either --password-file or --password-stdin, not both");
        return YC_EXIT_USAGE;
    }
    w->json = a->set[O_JSON];
    w->no_wait = a->set[O_NO_WAIT];
    w->now_ms = yc_time_now_ms();
    return YC_EXIT_OK;
}

int wallet_pick_key(const struct wallet *w, char *name, uint8_t pub[YC_PUBKEY_LEN])
{
    if (w->from != NULL) {
        if (!yc_keystore_name_valid(w->from)) {
            wallet_err("'%s' is not a valid key name", w->from);
            return YC_EXIT_USAGE;
        }
        strcpy(name, w->from);
    } else {
        char **names = NULL;
        size_t n = 0;
        int rc = yc_keystore_list(w->dir, &names, &n);
        if (rc != YC_OK) {
            wallet_err("cannot read wallet directory %s: %s", w->dir, yc_strerror(rc));
            return YC_EXIT_IOERR;
        }
        if (n != 1) {
            yc_keystore_free_list(names, n);
            if (n == 0) {
                wallet_err("no key in %s: create one with `yuchain-wallet new NAME` "
                           "(or give --wallet-dir)",
                           w->dir);
                return YC_EXIT_NOPERM;
            }
            wallet_err("%zu keys in %s: choose one with --from NAME", n, w->dir);
            return YC_EXIT_USAGE;
        }
        strcpy(name, names[0]);
        yc_keystore_free_list(names, n);
    }
    int rc = yc_keystore_pubkey(w->dir, name, pub);
    if (rc == YC_ENOTFOUND) {
        wallet_err("no key '%s' in %s (see `yuchain-wallet list`)", name, w->dir);
        return YC_EXIT_NOPERM;
    }
    if (rc != YC_OK) {
        wallet_err("key '%s' in %s is unreadable: %s", name, w->dir, yc_strerror(rc));
        return yc_exit_code(rc);
    }
    return YC_EXIT_OK;
}

int wallet_pass_failed(const struct wallet *w, int rc, bool new_key)
{
    const char *file = w->pass.file;
    if (rc == YC_EIO && file != NULL) {
        /* yc_pass_read keeps no errno: ask the file system what is wrong with the file */
        struct stat st;
        const char *why = stat(file, &st) != 0      ? strerror(errno)
                          : S_ISDIR(st.st_mode)     ? "it is a directory"
                          : access(file, R_OK) != 0 ? strerror(errno)
                                                    : "it cannot be read";
        wallet_err("--password-file: cannot read '%s': %s", file, why);
    } else if (rc == YC_EIO && w->pass.use_stdin) {
        wallet_err("--password-stdin: cannot read standard input");
    } else if (rc == YC_ELIMIT) {
        wallet_err("the passphrase is longer than %d bytes", YC_PASS_MAX);
    } else if (rc == YC_EPASSPHRASE && file != NULL) {
        wallet_err("--password-file: the first line of '%s' is empty: the passphrase is that "
                   "line",
                   file);
    } else if (rc == YC_EPASSPHRASE && w->pass.use_stdin) {
        wallet_err("--password-stdin: the first line of standard input is empty: the "
                   "passphrase is that line");
    } else if (rc == YC_EPASSPHRASE) {
        wallet_err(new_key ? "no passphrase (empty, entries differ, or no terminal: use "
                             "--password-file FILE or --password-stdin)"
                           : "no passphrase: no terminal to ask on; use --password-file FILE "
                             "or --password-stdin");
    } else {
        wallet_err("cannot read the passphrase: %s", yc_strerror(rc));
    }
    return rc == YC_EIO ? YC_EXIT_IOERR : YC_EXIT_NOPERM;
}

int wallet_open_key(const struct wallet *w, const char *name, yc_signer **out)
{
    char *pass = NULL;
    size_t plen = 0;
    char prompt[128];
    snprintf(prompt, sizeof prompt, "Passphrase for key '%s': ", name);
    int rc = yc_pass_read(&w->pass, prompt, false, true, &pass, &plen);
    if (rc != YC_OK)
        return wallet_pass_failed(w, rc, false);
    rc = yc_keystore_open(w->dir, name, pass, plen, out);
    yc_pass_free(pass);
    if (rc == YC_EPASSPHRASE) {
        wallet_err("wrong passphrase for key '%s' (or the key file was altered)", name);
        return YC_EXIT_NOPERM;
    }
    if (rc != YC_OK) {
        wallet_err("cannot open key '%s': %s", name, yc_strerror(rc));
        return rc == YC_ENOTFOUND ? YC_EXIT_NOPERM : yc_exit_code(rc);
    }
    return YC_EXIT_OK;
}

int wallet_parse_addr(const char *s, const char *what, uint8_t pub[YC_PUBKEY_LEN])
{
    if (yc_addr_decode(pub, s) != YC_OK) {
        wallet_err("%s: '%s' is not a valid yc1 address (mistyped?)", what, s);
        return YC_EXIT_DATAERR;
    }
    return YC_EXIT_OK;
}

int wallet_parse_hash(const char *s, const char *what, uint8_t out[YC_HASH_LEN])
{
    if (yc_unhex(out, YC_HASH_LEN, s, strlen(s)) != YC_OK) {
        wallet_err("%s: expected 64 hex digits, got '%s'", what, s);
        return YC_EXIT_DATAERR;
    }
    return YC_EXIT_OK;
}

int wallet_parse_u64(const char *s, const char *what, bool positive, uint64_t *out)
{
    if (yc_parse_u64(s, out) != YC_OK || (positive && *out == 0)) {
        /* digits only: a leading zero, or too many digits, is what is wrong */
        bool digits = s[0] != '\0' && strspn(s, "0123456789") == strlen(s);
        if (digits && s[0] == '0' && s[1] != '\0')
            wallet_err("%s: '%s' has a leading zero: write the number without it", what, s);
        else if (digits && s[0] != '0')
            wallet_err("%s: '%s' is too large: at most %" PRIu64, what, s, UINT64_MAX);
        else
            wallet_err("%s: expected a%s whole number, got '%s'", what, positive ? " positive" : "",
                       s);
        return YC_EXIT_DATAERR;
    }
    return YC_EXIT_OK;
}

int wallet_main(int argc, char **argv)
{
    struct wallet_args a;
    char err[256];
    if (wallet_args_parse(argc, argv, &a, err, sizeof err) != 0) {
        wallet_err("%s", err);
        return YC_EXIT_USAGE;
    }
    if (a.set[O_HELP]) {
        wallet_usage(a.cmd);
        return YC_EXIT_OK;
    }
    if (a.set[O_VERSION]) {
        printf("yuchain-wallet %s\n", YC_VERSION);
        return YC_EXIT_OK;
    }
    if (sodium_init() < 0) {
        wallet_err("libsodium failed to initialize");
        return YC_EXIT_FAIL;
    }
    struct wallet w;
    int rc = wallet_init(&w, &a);
    if (rc != YC_EXIT_OK)
        return rc;
    rc = a.cmd->run(&w, &a);
    wallet_names_free(&w);
    return rc;
}
