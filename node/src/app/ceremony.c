/*
 * ceremony.c — `yuchaind keys` and `yuchaind genesis …` (see ceremony.h).
 *
 * A draft genesis is the genesis.json document with "draft": true (storage/genesis_json.h).
 * Every change goes through the same parser as a node's genesis: the draft is dumped to
 * JSON, the new validator or account appended, and the result parsed again, so a change
 * is refused with the message a node would give (the field named as a path) and a draft
 * never holds what a node could not read. Secret keys never leave the key files: `keys`
 * writes them (0600) and prints only the public key and a signature.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "ceremony.h"
#include "keyfile.h"
#include "yc/bech32.h"
#include "yc/cliutil.h"
#include "yc/codec.h"
#include "yc/genesis_json.h"
#include "yc/hash.h"
#include "yc/timefmt.h"

#define PUBLIC_TYPE "yuchain-validator-keys"
#define PUBLIC_MAX (64u << 10) /* a public part file larger than this is refused */
#define ORG_MAX 128

static int say(const char *cmd, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int say(const char *cmd, int code, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "yuchaind %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return code;
}

/* H("yuchain/validator-keys/v1", "", {name, org, pub}): what the public part's sig signs. */
static int claim_hash(uint8_t out[YC_HASH_LEN], const char *org, const char *name,
                      const uint8_t pub[YC_PUBKEY_LEN])
{
    struct yc_buf b;
    struct yc_enc e;
    yc_buf_init(&b, 0);
    yc_enc_init(&e, &b);
    yc_enc_map(&e, 3);
    yc_enc_cstr(&e, "name");
    yc_enc_cstr(&e, name);
    yc_enc_cstr(&e, "org");
    yc_enc_cstr(&e, org);
    yc_enc_cstr(&e, "pub");
    yc_enc_bin(&e, pub, YC_PUBKEY_LEN);
    int rc = yc_enc_finish(&e);
    if (rc == YC_OK)
        yc_hash_tagged(out, YC_TAG_VALIDATOR_KEYS, "", b.data, b.len);
    yc_buf_cleanup(&b);
    return rc;
}

static bool text_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    return n >= 1 && n <= max && yc_utf8_valid((const uint8_t *)s, n);
}

/* ---- keys ---- */

/* Writes a new key file at path unless one is there; *made says whether it was written. */
static int ensure_key(const char *path, const char *kind, bool *made)
{
    *made = false;
    if (access(path, F_OK) == 0)
        return YC_OK;
    uint8_t sk[YC_SECKEY_LEN];
    yc_keyfile_generate(sk);
    int rc = yc_keyfile_write(path, kind, sk);
    sodium_memzero(sk, sizeof sk);
    *made = rc == YC_OK;
    return rc;
}

int yc_ceremony_keys(const struct yc_home *h, const char *org, const char *name, bool json)
{
    const char *cmd = "keys";
    if (name == NULL)
        name = org;
    if (!text_ok(org, ORG_MAX))
        return say(cmd, YC_EXIT_USAGE,
                   "--org \"%s\": need 1 to %d bytes of UTF-8 text (the "
                   "organisation's name)",
                   org, ORG_MAX);
    if (!text_ok(name, 64))
        return say(cmd, YC_EXIT_USAGE,
                   "--name \"%s\": need 1 to 64 bytes of UTF-8 text (the "
                   "validator's name in the genesis; it defaults to --org)",
                   name);
    if (sodium_init() < 0)
        return YC_EXIT_FAIL;
    if (yc_dir_ensure(h->dir, true) != YC_OK || yc_dir_ensure(h->config_dir, true) != YC_OK)
        return say(cmd, YC_EXIT_IOERR, "cannot create %s (%s): check the parent's permissions",
                   h->config_dir, strerror(errno));
    bool made_v, made_n;
    int rc = ensure_key(h->validator_key, "validator", &made_v);
    if (rc == YC_OK)
        rc = ensure_key(h->node_key, "node", &made_n);
    if (rc != YC_OK)
        return say(cmd, YC_EXIT_IOERR, "cannot write the key files in %s: %s", h->config_dir,
                   yc_strerror(rc));
    char err[512];
    yc_signer *s = NULL;
    uint8_t pub[YC_PUBKEY_LEN], msg[YC_HASH_LEN], sig[YC_SIG_LEN], aux[32];
    rc = yc_keyfile_load(h->validator_key, &s, pub, err, sizeof err);
    if (rc != YC_OK)
        return say(cmd, rc == YC_EIO ? YC_EXIT_IOERR : YC_EXIT_CONFIG, "%s", err);
    randombytes_buf(aux, sizeof aux);
    rc = claim_hash(msg, org, name, pub);
    if (rc == YC_OK)
        rc = yc_sig_sign(s, sig, msg, aux);
    yc_signer_destroy(s);
    if (rc != YC_OK)
        return say(cmd, YC_EXIT_FAIL, "cannot sign the public part: %s", yc_strerror(rc));
    char addr[YC_ADDR_MAX], sighex[2 * YC_SIG_LEN + 1];
    if (yc_addr_encode(addr, pub) != YC_OK)
        return YC_EXIT_FAIL;
    yc_hex(sighex, sig, sizeof sig);
    json_t *doc = json_pack("{s:s,s:i,s:s,s:s,s:s,s:s}", "type", PUBLIC_TYPE, "version", 1, "org",
                            org, "name", name, "pub_key", addr, "sig", sighex);
    if (doc == NULL)
        return YC_EXIT_FAIL;
    fprintf(stderr,
            "%s validator and node keys in %s (0600; never copy or send them).\n"
            "Send this public part to the organisation that assembles the genesis "
            "(yuchaind genesis add-validator --from FILE).\n",
            made_v || made_n ? "Made the" : "Kept the existing", h->config_dir);
    if (json)
        return yc_print_json_line(doc);
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(doc);
    if (text == NULL)
        return YC_EXIT_FAIL;
    printf("%s\n", text);
    free(text);
    return fflush(stdout) == 0 ? YC_EXIT_OK : YC_EXIT_FAIL;
}

/* ---- the public part ---- */

struct public_part {
    char org[ORG_MAX + 1];
    char name[65];
    char pub_key[YC_ADDR_MAX];
    uint8_t pub[YC_PUBKEY_LEN];
};

static int public_str(const char *cmd, const char *from, json_t *o, const char *key, char *out,
                      size_t cap)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v))
        return say(cmd, YC_EXIT_DATAERR, "%s: %s: %s", from, key,
                   v == NULL ? "missing" : "must be a string");
    const char *s = json_string_value(v);
    if (json_string_length(v) != strlen(s) || !text_ok(s, cap - 1))
        return say(cmd, YC_EXIT_DATAERR, "%s: %s: need 1 to %zu bytes of UTF-8 text", from, key,
                   cap - 1);
    memcpy(out, s, strlen(s) + 1);
    return 0;
}

/* Reads and checks the public part in `from` (fields, key, signature). Returns 0 or an
 * exit code, with the message printed. */
static int read_public(const char *cmd, const char *from, struct public_part *p)
{
    char *data = NULL;
    size_t len = 0;
    int rc = yc_file_read(from, PUBLIC_MAX, &data, &len);
    if (rc != YC_OK)
        return say(cmd, rc == YC_ELIMIT ? YC_EXIT_DATAERR : YC_EXIT_IOERR, "cannot read %s: %s",
                   from, rc == YC_ELIMIT ? "larger than 64 KiB" : yc_strerror(rc));
    json_error_t je;
    json_t *o = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
    free(data);
    if (!json_is_object(o)) {
        json_decref(o);
        return say(cmd, YC_EXIT_DATAERR, "%s: not the JSON object `yuchaind keys` prints (%s)",
                   from, o == NULL ? je.text : "not an object");
    }
    static const char *const keys[] = {"type", "version", "org", "name", "pub_key", "sig"};
    const char *k;
    json_t *v;
    int code = 0;
    json_object_foreach(o, k, v)
    {
        bool known = false;
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
            known = known || strcmp(k, keys[i]) == 0;
        if (!known && code == 0)
            code = say(cmd, YC_EXIT_DATAERR,
                       "%s: unknown field \"%s\" (a public part has type, "
                       "version, org, name, pub_key and sig)",
                       from, k);
    }
    json_t *type = json_object_get(o, "type"), *ver = json_object_get(o, "version");
    if (code == 0 && (!json_is_string(type) || strcmp(json_string_value(type), PUBLIC_TYPE) != 0))
        code = say(cmd, YC_EXIT_DATAERR,
                   "%s: type: must be \"%s\" (the output of `yuchaind "
                   "keys`)",
                   from, PUBLIC_TYPE);
    if (code == 0 && (!json_is_integer(ver) || json_integer_value(ver) != 1))
        code = say(cmd, YC_EXIT_DATAERR, "%s: version: must be 1", from);
    char sighex[2 * YC_SIG_LEN + 2];
    if (code == 0)
        code = public_str(cmd, from, o, "org", p->org, sizeof p->org);
    if (code == 0)
        code = public_str(cmd, from, o, "name", p->name, sizeof p->name);
    if (code == 0)
        code = public_str(cmd, from, o, "pub_key", p->pub_key, sizeof p->pub_key);
    if (code == 0)
        code = public_str(cmd, from, o, "sig", sighex, sizeof sighex);
    json_decref(o);
    if (code != 0)
        return code;
    if (yc_addr_decode(p->pub, p->pub_key) != YC_OK || !yc_pubkey_valid(p->pub))
        return say(cmd, YC_EXIT_DATAERR, "%s: pub_key: \"%s\" is not a valid yc1 key address", from,
                   p->pub_key);
    uint8_t sig[YC_SIG_LEN], msg[YC_HASH_LEN];
    if (strlen(sighex) != 2 * YC_SIG_LEN ||
        yc_unhex(sig, sizeof sig, sighex, strlen(sighex)) != YC_OK)
        return say(cmd, YC_EXIT_DATAERR, "%s: sig: need %d hex digits (a 65-byte signature)", from,
                   2 * YC_SIG_LEN);
    if (claim_hash(msg, p->org, p->name, p->pub) != YC_OK || !yc_sig_verify(sig, msg, p->pub))
        return say(cmd, YC_EXIT_DATAERR,
                   "%s: sig: does not verify with pub_key %s over org and "
                   "name: the file was changed after `yuchaind keys` made it, or not made by the "
                   "key's holder; ask the organisation for it again",
                   from, p->pub_key);
    return 0;
}

/* ---- drafts ---- */

/* Loads `file` as a draft or a final genesis. Returns 0 or an exit code (printed). */
static int load_any(const char *cmd, const char *file, struct yc_genesis *g, bool *draft)
{
    char err[600];
    int rc = yc_genesis_json_load_ex(g, file, YC_GJ_DRAFT, draft, err, sizeof err);
    if (rc == YC_OK)
        return 0;
    return say(cmd, rc == YC_EIO ? YC_EXIT_IOERR : YC_EXIT_DATAERR, "%s", err);
}

static int load_draft(const char *cmd, const char *file, struct yc_genesis *g)
{
    bool draft;
    int code = load_any(cmd, file, g, &draft);
    if (code != 0 || draft)
        return code;
    char hex[2 * YC_HASH_LEN + 1];
    yc_hex(hex, g->hash, YC_HASH_LEN);
    yc_genesis_cleanup(g);
    return say(cmd, YC_EXIT_DATAERR,
               "%s is finalized (genesis hash %s): a finalized genesis "
               "never changes; assemble a new one with `yuchaind genesis new`",
               file, hex);
}

/* Appends `item` (stolen) to the draft's array `key` and re-reads the result into *out,
 * which the parser checks as a node would. Returns 0 or an exit code (printed). */
static int draft_append(const char *cmd, const struct yc_genesis *g, const char *key, json_t *item,
                        struct yc_genesis *out)
{
    char *text = yc_genesis_json_dump_ex(g, true);
    json_t *root = text != NULL ? json_loads(text, 0, NULL) : NULL;
    free(text);
    json_t *arr = root != NULL ? json_object_get(root, key) : NULL;
    if (arr == NULL || item == NULL || json_array_append_new(arr, item) != 0) {
        json_decref(root);
        return say(cmd, YC_EXIT_FAIL, "out of memory");
    }
    text = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    if (text == NULL)
        return say(cmd, YC_EXIT_FAIL, "out of memory");
    char err[600];
    bool draft;
    int rc =
        yc_genesis_json_parse_ex(out, text, strlen(text), YC_GJ_DRAFT, &draft, err, sizeof err);
    free(text);
    if (rc != YC_OK)
        return say(cmd, YC_EXIT_DATAERR, "%s", err);
    return 0;
}

static int save_draft(const char *cmd, const struct yc_genesis *g, const char *file)
{
    int rc = yc_genesis_json_save_ex(g, file, true);
    if (rc != YC_OK)
        return say(cmd, YC_EXIT_IOERR, "cannot write %s: %s", file, yc_strerror(rc));
    return 0;
}

int yc_ceremony_genesis_new(const struct yc_genesis_new_opts *o)
{
    const char *cmd = "genesis new";
    json_t *root = json_object(), *params = json_object();
    if (root == NULL || params == NULL) {
        json_decref(root);
        json_decref(params);
        return YC_EXIT_FAIL;
    }
    json_object_set_new(root, "draft", json_true());
    json_object_set_new(root, "chain_id", json_string(o->chain_id));
    if (o->time != NULL) {
        json_object_set_new(root, "genesis_time", json_string(o->time));
    } else {
        char ms[24];
        snprintf(ms, sizeof ms, "%llu", (unsigned long long)yc_time_now_ms());
        json_object_set_new(root, "genesis_time_ms", json_string(ms));
    }
    const char *names[] = {"max_block_txs", "max_block_bytes", "max_time_drift_ms", "notice_blocks",
                           "exchange_fee_bps"};
    const char *values[] = {o->max_block_txs, o->max_block_bytes, o->max_time_drift_ms,
                            o->notice_blocks, o->exchange_fee_bps};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (values[i] != NULL)
            json_object_set_new(params, names[i], json_string(values[i]));
    }
    json_object_set_new(params, "open_registration", json_boolean(o->open_registration));
    json_object_set_new(root, "params", params);
    json_object_set_new(root, "validators", json_array());
    json_object_set_new(root, "accounts", json_array());
    char *text = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    if (text == NULL)
        return YC_EXIT_FAIL;
    struct yc_genesis g;
    char err[600];
    bool draft;
    int rc = yc_genesis_json_parse_ex(&g, text, strlen(text), YC_GJ_DRAFT, &draft, err, sizeof err);
    free(text);
    if (rc != YC_OK)
        return say(cmd, rc == YC_ENOMEM ? YC_EXIT_FAIL : YC_EXIT_USAGE, "%s", err);
    text = yc_genesis_json_dump_ex(&g, true);
    rc = text != NULL ? YC_OK : YC_ENOMEM;
    if (rc == YC_OK) {
        size_t n = strlen(text);
        text[n] = '\n'; /* the dump's NUL becomes the file's last newline */
        rc = yc_file_write_atomic(o->out, text, n + 1, 0644, false);
    }
    free(text);
    char when[32];
    yc_time_rfc3339(when, g.genesis_time_ms);
    yc_genesis_cleanup(&g);
    if (rc == YC_EEXIST)
        return say(cmd, YC_EXIT_FAIL,
                   "%s exists: a draft is never written over; choose another "
                   "--out or remove it",
                   o->out);
    if (rc != YC_OK)
        return say(cmd, YC_EXIT_IOERR, "cannot write %s: %s", o->out, yc_strerror(rc));
    fprintf(stderr,
            "Started the draft genesis %s (chain %s, genesis time %s). Add the "
            "validators (genesis add-validator) and accounts (genesis add-account), "
            "then finalize it.\n",
            o->out, o->chain_id, when);
    if (o->json)
        return yc_print_json_line(json_pack("{s:s,s:s,s:s}", "file", o->out, "chain_id",
                                            o->chain_id, "genesis_time", when));
    return YC_EXIT_OK;
}

int yc_ceremony_add_validator(const char *file, const char *from, const char *org_account,
                              bool json)
{
    const char *cmd = "genesis add-validator";
    struct public_part p;
    uint8_t org[YC_PUBKEY_LEN];
    if (org_account != NULL && (yc_addr_decode(org, org_account) != YC_OK || !yc_pubkey_valid(org)))
        return say(cmd, YC_EXIT_DATAERR,
                   "--org-account \"%s\": not a valid yc1 address (the account of the "
                   "organisation that approves validator-set changes for this validator)",
                   org_account);
    int code = read_public(cmd, from, &p);
    struct yc_genesis g, g2;
    if (code == 0)
        code = load_draft(cmd, file, &g);
    if (code != 0)
        return code;
    for (uint32_t i = 0; i < g.nvalidators; i++) {
        const struct yc_validator *v = &g.validators[i];
        if (memcmp(v->pub, p.pub, YC_PUBKEY_LEN) == 0)
            code = say(cmd, YC_EXIT_DATAERR,
                       "%s: pub_key %s is already validators[%u] (\"%s\") "
                       "of %s: each validator is added once",
                       from, p.pub_key, i, v->name, file);
        else if (strcmp(v->name, p.name) == 0)
            code = say(cmd, YC_EXIT_DATAERR,
                       "%s: name \"%s\" is already validators[%u]'s in %s: "
                       "ask the organisation for a public part with another name (yuchaind "
                       "keys --name NAME)",
                       from, p.name, i, file);
        if (code != 0) {
            yc_genesis_cleanup(&g);
            return code;
        }
    }
    if (g.nvalidators >= YC_MAX_VALIDATORS) {
        yc_genesis_cleanup(&g);
        return say(cmd, YC_EXIT_DATAERR,
                   "%s already has %d validators, the most a chain may "
                   "have",
                   file, YC_MAX_VALIDATORS);
    }
    json_t *val = json_pack("{s:s,s:s}", "name", p.name, "pub_key", p.pub_key);
    if (val != NULL && org_account != NULL)
        json_object_set_new(val, "org", json_string(org_account));
    code = draft_append(cmd, &g, "validators", val, &g2);
    yc_genesis_cleanup(&g);
    uint32_t n = 0;
    if (code == 0) {
        code = save_draft(cmd, &g2, file);
        n = g2.nvalidators;
        yc_genesis_cleanup(&g2);
    }
    if (code != 0)
        return code;
    fprintf(stderr, "Added validator %u \"%s\" (%s, %s) to %s.\n", n - 1, p.name, p.org, p.pub_key,
            file);
    if (json)
        return yc_print_json_line(json_pack("{s:s,s:i,s:s,s:s,s:s,s:i}", "file", file, "index",
                                            (int)(n - 1), "name", p.name, "org", p.org, "pub_key",
                                            p.pub_key, "validators", (int)n));
    return YC_EXIT_OK;
}

int yc_ceremony_add_account(const char *file, const struct yc_genesis_account_opts *o, bool json)
{
    const char *cmd = "genesis add-account";
    struct yc_genesis g, g2;
    int code = load_draft(cmd, file, &g);
    if (code != 0)
        return code;
    json_t *acct = json_pack("{s:s,s:s,s:s,s:s,s:s}", "address", o->pub, "role",
                             o->role != NULL ? o->role : "individual", "name", o->name,
                             "jurisdiction", o->jurisdiction != NULL ? o->jurisdiction : "CN-CQ",
                             "balance", o->balance != NULL ? o->balance : "0");
    code = draft_append(cmd, &g, "accounts", acct, &g2);
    yc_genesis_cleanup(&g);
    uint32_t n = 0;
    if (code == 0) {
        code = save_draft(cmd, &g2, file);
        n = g2.naccounts;
        yc_genesis_cleanup(&g2);
    }
    if (code != 0)
        return code;
    fprintf(stderr, "Added account %u \"%s\" (%s) to %s.\n", n - 1, o->name, o->pub, file);
    if (json)
        return yc_print_json_line(json_pack("{s:s,s:i,s:s,s:i}", "file", file, "index",
                                            (int)(n - 1), "address", o->pub, "accounts", (int)n));
    return YC_EXIT_OK;
}

static int print_hash(const char *file, const struct yc_genesis *g, bool json, const char *verb)
{
    char hex[2 * YC_HASH_LEN + 1];
    yc_hex(hex, g->hash, YC_HASH_LEN);
    if (verb != NULL)
        fprintf(stderr,
                "%s %s: chain %s, %u validators, %u accounts. Every organisation checks "
                "this genesis hash before starting: yuchaind genesis hash %s, or "
                "yuchaind init --genesis %s --genesis-hash %s\n",
                verb, file, g->chain_id, g->nvalidators, g->naccounts, file, file, hex);
    if (json)
        return yc_print_json_line(json_pack("{s:s,s:s,s:s,s:i,s:i}", "file", file, "chain_id",
                                            g->chain_id, "genesis_hash", hex, "validators",
                                            (int)g->nvalidators, "accounts", (int)g->naccounts));
    printf("%s\n", hex);
    return fflush(stdout) == 0 ? YC_EXIT_OK : YC_EXIT_FAIL;
}

int yc_ceremony_finalize(const char *file, bool json)
{
    const char *cmd = "genesis finalize";
    struct yc_genesis g, fin;
    bool draft;
    int code = load_any(cmd, file, &g, &draft);
    if (code != 0)
        return code;
    if (!draft) {
        code = print_hash(file, &g, json, "Already finalized");
        yc_genesis_cleanup(&g);
        return code;
    }
    char *text = yc_genesis_json_dump_ex(&g, false);
    yc_genesis_cleanup(&g);
    if (text == NULL)
        return YC_EXIT_FAIL;
    char err[600];
    int rc = yc_genesis_json_parse(&fin, text, strlen(text), err, sizeof err);
    free(text);
    if (rc != YC_OK)
        return say(cmd, YC_EXIT_DATAERR, "%s is not complete: %s", file, err);
    rc = yc_genesis_json_save(&fin, file);
    if (rc != YC_OK) {
        yc_genesis_cleanup(&fin);
        return say(cmd, YC_EXIT_IOERR, "cannot write %s: %s", file, yc_strerror(rc));
    }
    code = print_hash(file, &fin, json, "Finalized");
    yc_genesis_cleanup(&fin);
    return code;
}

int yc_ceremony_check_hash(const struct yc_genesis *g, const char *file, const char *expect,
                           char *err, size_t errlen)
{
    uint8_t want[YC_HASH_LEN];
    char hex[2 * YC_HASH_LEN + 1];
    if (strlen(expect) != 2 * YC_HASH_LEN ||
        yc_unhex(want, sizeof want, expect, strlen(expect)) != YC_OK) {
        snprintf(err, errlen,
                 "--genesis-hash \"%s\": need 64 hex digits (what `yuchaind "
                 "genesis finalize` printed)",
                 expect);
        return YC_EBADFIELD;
    }
    if (sodium_memcmp(want, g->hash, YC_HASH_LEN) == 0)
        return YC_OK;
    yc_hex(hex, g->hash, YC_HASH_LEN);
    snprintf(err, errlen,
             "%s hashes to %s, not to the agreed --genesis-hash %s: this is not "
             "the consortium's genesis (changed, or another draft); get the finalized file "
             "again and compare",
             file, hex, expect);
    return YC_EWRONGCHAIN;
}

int yc_ceremony_hash(const char *file, const char *expect, bool json)
{
    const char *cmd = "genesis hash";
    struct yc_genesis g;
    char err[600];
    int rc = yc_genesis_json_load(&g, file, err, sizeof err);
    if (rc != YC_OK)
        return say(cmd, rc == YC_EIO ? YC_EXIT_IOERR : YC_EXIT_DATAERR, "%s", err);
    int code = 0;
    if (expect != NULL) {
        rc = yc_ceremony_check_hash(&g, file, expect, err, sizeof err);
        if (rc != YC_OK)
            code = say(cmd, rc == YC_EBADFIELD ? YC_EXIT_USAGE : YC_EXIT_FAIL, "%s", err);
        else
            fprintf(stderr, "%s matches the agreed genesis hash.\n", file);
    }
    if (code == 0)
        code = print_hash(file, &g, json, NULL);
    yc_genesis_cleanup(&g);
    return code;
}
