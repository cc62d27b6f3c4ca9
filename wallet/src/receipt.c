/*
 * receipt.c — reading, writing and verifying receipts (receipt.h, docs/wallet.md).
 *
 * The file is untrusted: every member is checked for presence, type and exact length
 * before anything is decoded, arrays are capped (validators and signatures at
 * YC_MAX_VALIDATORS, siblings at YC_MERKLE_MAX_DEPTH), and unknown members are refused.
 * Verification uses only core's checks (yc_tx_decode, yc_tx_verify, the signed-tx and
 * result leaf hashes, yc_merkle_verify, the tagged block hash, yc_cert_check against the set
 * in force, yc_gov_set_apply for the proven set changes) and the genesis loader of
 * storage/, so a receipt is accepted exactly when the node and the audit tool would accept
 * its parts. Certificates are checked against the validators of a genesis whose hash has
 * been recomputed, changed only by the set changes the receipt proves: the stated
 * validator list is only ever compared, never trusted.
 */
#include "receipt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "txfile.h"
#include "yc/bech32.h"
#include "yc/cliutil.h"
#include "yc/codec.h"
#include "yc/genesis_json.h"
#include "yc/gov.h"
#include "yc/json.h"

/* ---- parsing ---- */

static int bad(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int bad(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return YC_EBADFIELD;
}

/* Refuses an object that is not exactly the members of the NULL-terminated `names`. */
static int exact_members(json_t *o, const char *path, const char *const *names, char *err,
                         size_t errlen)
{
    if (!json_is_object(o))
        return bad(err, errlen, "%s: expected an object", path);
    size_t n = 0;
    for (; names[n] != NULL; n++)
        if (json_object_get(o, names[n]) == NULL)
            return bad(err, errlen, "%s: missing member \"%s\"", path, names[n]);
    if (json_object_size(o) != n)
        return bad(err, errlen, "%s: unknown member (expected only %zu)", path, n);
    return YC_OK;
}

/* Exactly 2*n lowercase hex digits into out. */
static int hex_fixed(json_t *o, const char *key, uint8_t *out, size_t n, char *err, size_t errlen)
{
    json_t *v = json_object_get(o, key);
    const char *s = json_string_value(v);
    if (s == NULL || json_string_length(v) != 2 * n || strspn(s, "0123456789abcdef") != 2 * n ||
        yc_unhex(out, n, s, 2 * n) != YC_OK)
        return bad(err, errlen, "%s: expected %zu lowercase hex digits", key, 2 * n);
    return YC_OK;
}

/* Lowercase hex of 1..max bytes; *out is malloc'ed. */
static int hex_var(json_t *o, const char *key, size_t max, uint8_t **out, size_t *n, char *err,
                   size_t errlen)
{
    json_t *v = json_object_get(o, key);
    const char *s = json_string_value(v);
    size_t hl = s != NULL ? json_string_length(v) : 0;
    *out = NULL;
    if (s == NULL || hl == 0 || hl % 2 != 0 || hl / 2 > max || strspn(s, "0123456789abcdef") != hl)
        return bad(err, errlen, "%s: expected 2 to %zu lowercase hex digits", key, 2 * max);
    *out = malloc(hl / 2);
    if (*out == NULL)
        return YC_ENOMEM;
    *n = hl / 2;
    return yc_unhex(*out, *n, s, hl);
}

/* A decimal string no larger than max. */
static int dec_str(json_t *o, const char *key, uint64_t max, uint64_t *out, char *err,
                   size_t errlen)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (s == NULL || yc_parse_u64(s, out) != YC_OK || *out > max)
        return bad(err, errlen, "%s: expected a decimal string up to %llu", key,
                   (unsigned long long)max);
    return YC_OK;
}

/* A JSON integer in [0, max). */
static int small_int(json_t *o, const char *key, uint64_t max, uint32_t *out, char *err,
                     size_t errlen)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0 || (uint64_t)json_integer_value(v) >= max)
        return bad(err, errlen, "%s: expected an integer below %llu", key, (unsigned long long)max);
    *out = (uint32_t)json_integer_value(v);
    return YC_OK;
}

/* An array of at most max elements. */
static int array_of(json_t *o, const char *key, size_t max, json_t **out, char *err, size_t errlen)
{
    *out = json_object_get(o, key);
    if (!json_is_array(*out) || json_array_size(*out) > max)
        return bad(err, errlen, "%s: expected an array of at most %zu", key, max);
    return YC_OK;
}

static const char *const RECEIPT_MEMBERS[] = {
    "version",    "chain_id",   "genesis_hash", "genesis", "validators", "tx_id",
    "tx",         "status",     "code",         "height",  "proof",      "result_proof",
    "header_raw", "block_hash", "certificate",  NULL};

static int parse_genesis(struct receipt *r, json_t *root, char *err, size_t errlen)
{
    json_t *doc = json_object_get(root, "genesis");
    if (!json_is_object(doc))
        return bad(err, errlen, "genesis: expected the genesis.json document (an object)");
    char *text = json_dumps(doc, JSON_COMPACT);
    if (text == NULL)
        return YC_ENOMEM;
    char gerr[400];
    int rc = yc_genesis_json_parse(&r->genesis, text, strlen(text), gerr, sizeof gerr);
    free(text);
    if (rc == YC_ENOMEM)
        return rc;
    if (rc != YC_OK)
        return bad(err, errlen, "genesis: %s", gerr);
    json_t *vals, *v;
    size_t i;
    if (array_of(root, "validators", YC_MAX_VALIDATORS, &vals, err, errlen) != YC_OK)
        return YC_EBADFIELD;
    if (json_array_size(vals) == 0)
        return bad(err, errlen, "validators: empty");
    static const char *const members[] = {"index", "pub_key", NULL};
    json_array_foreach(vals, i, v)
    {
        uint32_t index;
        char path[48];
        snprintf(path, sizeof path, "validators[%zu]", i);
        if (exact_members(v, path, members, err, errlen) != YC_OK)
            return YC_EBADFIELD;
        if (small_int(v, "index", YC_MAX_VALIDATORS, &index, err, errlen) != YC_OK || index != i)
            return bad(err, errlen, "%s.index: expected %zu (validators in index order)", path, i);
        if (hex_fixed(v, "pub_key", r->validators[i], YC_PUBKEY_LEN, err, errlen) != YC_OK)
            return bad(err, errlen, "%s.pub_key: expected %d lowercase hex digits", path,
                       2 * YC_PUBKEY_LEN);
    }
    r->nvalidators = (uint32_t)json_array_size(vals);
    return YC_OK;
}

/* A Merkle proof member {"index","count","siblings"} of root into *out. */
static int parse_proof(struct yc_merkle_proof *out, json_t *root, const char *key, char *err,
                       size_t errlen)
{
    static const char *const members[] = {"index", "count", "siblings", NULL};
    json_t *p = json_object_get(root, key), *sibs, *s;
    uint64_t index, count;
    size_t i;
    if (exact_members(p, key, members, err, errlen) != YC_OK ||
        dec_str(p, "index", UINT32_MAX, &index, err, errlen) != YC_OK ||
        dec_str(p, "count", UINT32_MAX, &count, err, errlen) != YC_OK)
        return YC_EBADFIELD;
    if (index >= count)
        return bad(err, errlen, "%s: index %llu is not below count %llu", key,
                   (unsigned long long)index, (unsigned long long)count);
    if (array_of(p, "siblings", YC_MERKLE_MAX_DEPTH, &sibs, err, errlen) != YC_OK)
        return YC_EBADFIELD;
    json_array_foreach(sibs, i, s)
    {
        const char *h = json_string_value(s);
        if (h == NULL || json_string_length(s) != 2 * YC_HASH_LEN ||
            strspn(h, "0123456789abcdef") != 2 * YC_HASH_LEN ||
            yc_unhex(out->siblings[i], YC_HASH_LEN, h, 2 * YC_HASH_LEN) != YC_OK)
            return bad(err, errlen, "%s.siblings[%zu]: expected %d lowercase hex digits", key, i,
                       2 * YC_HASH_LEN);
    }
    out->index = (uint32_t)index;
    out->count = (uint32_t)count;
    out->nsiblings = (uint32_t)json_array_size(sibs);
    return YC_OK;
}

/* "status" (committed | failed) and "code" ("ok" or an error code a tx can fail with).
 * Whether the two agree is a verification check ("outcome"), not a shape check. */
static int parse_outcome(struct receipt_part *p, json_t *root, char *err, size_t errlen)
{
    const char *st = json_string_value(json_object_get(root, "status"));
    const char *code = json_string_value(json_object_get(root, "code"));
    if (st == NULL || (strcmp(st, "committed") != 0 && strcmp(st, "failed") != 0))
        return bad(err, errlen, "status: expected \"committed\" or \"failed\"");
    p->status_failed = strcmp(st, "failed") == 0;
    if (code == NULL)
        return bad(err, errlen, "code: expected \"ok\" or an error code");
    p->outcome = strcmp(code, "ok") == 0 ? YC_OK : yc_err_from_name(code);
    if (!yc_outcome_valid(p->outcome))
        return bad(err, errlen,
                   "code: \"%.64s\" is not \"ok\" nor an error code a transaction "
                   "can fail with",
                   code);
    return YC_OK;
}

static int parse_cert(struct receipt_part *p, json_t *root, char *err, size_t errlen)
{
    static const char *const members[] = {"view", "signatures", NULL};
    static const char *const sig_members[] = {"validator", "sig", NULL};
    json_t *c = json_object_get(root, "certificate"), *sigs, *s;
    size_t i;
    if (exact_members(c, "certificate", members, err, errlen) != YC_OK ||
        dec_str(c, "view", UINT64_MAX, &p->cert.view, err, errlen) != YC_OK ||
        array_of(c, "signatures", YC_MAX_VALIDATORS, &sigs, err, errlen) != YC_OK)
        return YC_EBADFIELD;
    json_array_foreach(sigs, i, s)
    {
        char path[64];
        snprintf(path, sizeof path, "certificate.signatures[%zu]", i);
        if (exact_members(s, path, sig_members, err, errlen) != YC_OK)
            return YC_EBADFIELD;
        if (small_int(s, "validator", UINT32_MAX, &p->cert.sigs[i].validator, err, errlen) !=
                YC_OK ||
            hex_fixed(s, "sig", p->cert.sigs[i].sig, YC_SIG_LEN, err, errlen) != YC_OK)
            return bad(err, errlen, "%s: expected {\"validator\": index, \"sig\": %d hex digits}",
                       path, 2 * YC_SIG_LEN);
    }
    p->cert.nsigs = (uint32_t)json_array_size(sigs);
    return YC_OK;
}

/* The members of a proven transaction (the receipt's own, or one of a set change) in o. */
static int parse_part(struct receipt_part *p, json_t *o, char *err, size_t errlen)
{
    int rc = hex_fixed(o, "tx_id", p->tx_id, YC_HASH_LEN, err, errlen);
    if (rc == YC_OK)
        rc = hex_var(o, "tx", YC_TX_MAX_BYTES, &p->tx, &p->tx_len, err, errlen);
    if (rc == YC_OK)
        rc = parse_outcome(p, o, err, errlen);
    if (rc == YC_OK)
        rc = dec_str(o, "height", UINT64_MAX, &p->height, err, errlen);
    if (rc == YC_OK)
        rc = parse_proof(&p->proof, o, "proof", err, errlen);
    if (rc == YC_OK)
        rc = parse_proof(&p->result_proof, o, "result_proof", err, errlen);
    uint8_t *hdr = NULL;
    if (rc == YC_OK)
        rc = hex_var(o, "header_raw", RECEIPT_HEADER_MAX, &hdr, &p->header_len, err, errlen);
    if (rc == YC_OK)
        memcpy(p->header, hdr, p->header_len);
    free(hdr);
    if (rc == YC_OK)
        rc = hex_fixed(o, "block_hash", p->block_hash, YC_HASH_LEN, err, errlen);
    if (rc == YC_OK)
        rc = parse_cert(p, o, err, errlen);
    return rc;
}

static const char *const PART_MEMBERS[] = {
    "tx_id",        "tx",         "status",     "code",        "height", "proof",
    "result_proof", "header_raw", "block_hash", "certificate", NULL};

/* "valset_changes": [{"txs": [part, …]}, …] (optional). */
static int parse_changes(struct receipt *r, json_t *root, char *err, size_t errlen)
{
    json_t *arr = json_object_get(root, "valset_changes"), *c;
    size_t i, total = 0;
    if (arr == NULL)
        return YC_OK;
    if (array_of(root, "valset_changes", RECEIPT_MAX_CHANGES, &arr, err, errlen) != YC_OK)
        return YC_EBADFIELD;
    r->changes = calloc(json_array_size(arr) + 1, sizeof *r->changes);
    if (r->changes == NULL)
        return YC_ENOMEM;
    static const char *const members[] = {"txs", NULL};
    json_array_foreach(arr, i, c)
    {
        char path[64], perr[400];
        json_t *txs, *t;
        size_t k;
        snprintf(path, sizeof path, "valset_changes[%zu]", i);
        if (exact_members(c, path, members, err, errlen) != YC_OK)
            return YC_EBADFIELD;
        if (array_of(c, "txs", YC_PROPOSAL_APPROVALS_MAX, &txs, perr, sizeof perr) != YC_OK ||
            json_array_size(txs) == 0)
            return bad(err, errlen, "%s.txs: expected 1 to %d transactions", path,
                       YC_PROPOSAL_APPROVALS_MAX);
        total += json_array_size(txs);
        if (total > RECEIPT_MAX_CHANGE_TXS)
            return bad(err, errlen, "valset_changes: more than %d transactions in all",
                       RECEIPT_MAX_CHANGE_TXS);
        struct receipt_change *ch = &r->changes[r->nchanges++];
        ch->txs = calloc(json_array_size(txs), sizeof *ch->txs);
        if (ch->txs == NULL)
            return YC_ENOMEM;
        json_array_foreach(txs, k, t)
        {
            char tpath[96];
            snprintf(tpath, sizeof tpath, "%s.txs[%zu]", path, k);
            if (exact_members(t, tpath, PART_MEMBERS, err, errlen) != YC_OK)
                return YC_EBADFIELD;
            int rc = parse_part(&ch->txs[k], t, perr, sizeof perr);
            ch->ntxs = (uint32_t)k + 1;
            if (rc != YC_OK)
                return rc == YC_ENOMEM ? rc : bad(err, errlen, "%s.%s", tpath, perr);
        }
    }
    return YC_OK;
}

static int parse_members(struct receipt *r, json_t *root, char *err, size_t errlen)
{
    /* valset_changes is the one optional member */
    size_t n = 0;
    for (; RECEIPT_MEMBERS[n] != NULL; n++)
        if (json_object_get(root, RECEIPT_MEMBERS[n]) == NULL)
            return bad(err, errlen, "receipt: missing member \"%s\"", RECEIPT_MEMBERS[n]);
    if (json_object_size(root) != n + (json_object_get(root, "valset_changes") != NULL))
        return bad(err, errlen,
                   "receipt: unknown member (expected only %zu and "
                   "\"valset_changes\")",
                   n);
    json_t *ver = json_object_get(root, "version");
    if (!json_is_integer(ver) || json_integer_value(ver) != RECEIPT_VERSION)
        return bad(err, errlen, "version: unknown receipt version (this wallet reads %d)",
                   RECEIPT_VERSION);
    json_t *chain = json_object_get(root, "chain_id");
    size_t clen = json_string_length(chain);
    if (!json_is_string(chain) || clen == 0 || clen > YC_CHAIN_ID_MAX ||
        strlen(json_string_value(chain)) != clen)
        return bad(err, errlen, "chain_id: expected 1 to %d characters", YC_CHAIN_ID_MAX);
    memcpy(r->chain_id, json_string_value(chain), clen + 1);
    int rc = hex_fixed(root, "genesis_hash", r->genesis_hash, YC_HASH_LEN, err, errlen);
    if (rc == YC_OK)
        rc = parse_genesis(r, root, err, errlen);
    if (rc == YC_OK)
        rc = parse_part(&r->own, root, err, errlen);
    if (rc == YC_OK)
        rc = parse_changes(r, root, err, errlen);
    return rc;
}

int receipt_from_json(struct receipt *r, json_t *root, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    err[0] = '\0';
    if (!json_is_object(root)) {
        snprintf(err, errlen, "not a JSON object");
        return YC_EDECODE;
    }
    int rc = parse_members(r, root, err, errlen);
    if (rc != YC_OK) {
        if (rc == YC_ENOMEM)
            snprintf(err, errlen, "out of memory");
        receipt_cleanup(r);
    }
    return rc;
}

int receipt_parse(struct receipt *r, const char *text, size_t len, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    if (len > RECEIPT_MAX_BYTES) {
        snprintf(err, errlen, "larger than %zu bytes", RECEIPT_MAX_BYTES);
        return YC_ELIMIT;
    }
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(root)) {
        snprintf(err, errlen, "not a JSON object (line %d: %s)", jerr.line,
                 root == NULL ? jerr.text : "not an object");
        json_decref(root);
        return YC_EDECODE;
    }
    int rc = receipt_from_json(r, root, err, errlen);
    json_decref(root);
    return rc;
}

void receipt_cleanup(struct receipt *r)
{
    if (r == NULL)
        return;
    free(r->own.tx);
    for (uint32_t i = 0; r->changes != NULL && i < r->nchanges; i++) {
        for (uint32_t k = 0; k < r->changes[i].ntxs; k++)
            free(r->changes[i].txs[k].tx);
        free(r->changes[i].txs);
    }
    free(r->changes);
    yc_genesis_cleanup(&r->genesis);
    memset(r, 0, sizeof *r);
}

/* ---- writing ---- */

/* A copy of member `key` of o, or NULL (absent or ENOMEM). */
static json_t *copy_member(json_t *o, const char *key)
{
    return json_deep_copy(json_object_get(o, key));
}

json_t *receipt_compose_part(json_t *tx_proof)
{
    return json_pack(
        "{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "tx_id", copy_member(tx_proof, "id"),
        "tx", copy_member(tx_proof, "tx"), "status", copy_member(tx_proof, "status"), "code",
        copy_member(tx_proof, "code"), "height", copy_member(tx_proof, "height"), "proof",
        copy_member(tx_proof, "proof"), "result_proof", copy_member(tx_proof, "result_proof"),
        "header_raw", copy_member(tx_proof, "header_raw"), "block_hash",
        copy_member(tx_proof, "block_hash"), "certificate", copy_member(tx_proof, "certificate"));
}

json_t *receipt_compose(json_t *tx_proof, const struct yc_genesis *g)
{
    char *text = yc_genesis_json_dump(g);
    json_t *doc = text != NULL ? json_loads(text, 0, NULL) : NULL;
    free(text);
    json_t *vals = json_array();
    for (uint32_t i = 0; vals != NULL && i < g->nvalidators; i++)
        json_array_append_new(vals, json_pack("{s:I, s:o}", "index", (json_int_t)i, "pub_key",
                                              yc_json_hex(g->validators[i].pub, YC_PUBKEY_LEN)));
    /* json_pack steals the "o" values, also on failure; a NULL one makes it fail */
    json_t *root = json_pack("{s:i, s:o, s:o, s:o, s:o}", "version", RECEIPT_VERSION, "chain_id",
                             copy_member(tx_proof, "chain_id"), "genesis_hash",
                             yc_json_hex(g->hash, YC_HASH_LEN), "genesis", doc, "validators", vals);
    json_t *part = receipt_compose_part(tx_proof);
    if (root == NULL || part == NULL || json_object_update(root, part) != 0) {
        json_decref(root);
        json_decref(part);
        return NULL;
    }
    json_decref(part);
    return root;
}

/* The members of a proven transaction, in grammar order, set on o. */
static void part_json(json_t *o, const struct receipt_part *p)
{
    json_t *sigs = json_array();
    for (uint32_t i = 0; sigs != NULL && i < p->cert.nsigs; i++)
        json_array_append_new(sigs, json_pack("{s:I, s:o}", "validator",
                                              (json_int_t)p->cert.sigs[i].validator, "sig",
                                              yc_json_hex(p->cert.sigs[i].sig, YC_SIG_LEN)));
    json_object_set_new(o, "tx_id", yc_json_hex(p->tx_id, YC_HASH_LEN));
    json_object_set_new(o, "tx", yc_json_hex(p->tx, p->tx_len));
    json_object_set_new(o, "status", json_string(p->status_failed ? "failed" : "committed"));
    json_object_set_new(o, "code", json_string(yc_err_name(p->outcome)));
    json_object_set_new(o, "height", yc_json_u64(p->height));
    json_object_set_new(o, "proof", yc_json_proof(&p->proof));
    json_object_set_new(o, "result_proof", yc_json_proof(&p->result_proof));
    json_object_set_new(o, "header_raw", yc_json_hex(p->header, p->header_len));
    json_object_set_new(o, "block_hash", yc_json_hex(p->block_hash, YC_HASH_LEN));
    json_object_set_new(
        o, "certificate",
        json_pack("{s:o, s:o}", "view", yc_json_u64(p->cert.view), "signatures", sigs));
}

char *receipt_render(const struct receipt *r)
{
    json_t *vals = json_array();
    for (uint32_t i = 0; vals != NULL && i < r->nvalidators; i++)
        json_array_append_new(vals, json_pack("{s:I, s:o}", "index", (json_int_t)i, "pub_key",
                                              yc_json_hex(r->validators[i], YC_PUBKEY_LEN)));
    char *gtext = yc_genesis_json_dump(&r->genesis);
    json_t *doc = gtext != NULL ? json_loads(gtext, 0, NULL) : NULL;
    free(gtext);
    json_t *root = json_pack("{s:i, s:s, s:o, s:o, s:o}", "version", RECEIPT_VERSION, "chain_id",
                             r->chain_id, "genesis_hash", yc_json_hex(r->genesis_hash, YC_HASH_LEN),
                             "genesis", doc, "validators", vals);
    if (root == NULL)
        return NULL;
    part_json(root, &r->own);
    if (r->nchanges > 0) {
        json_t *changes = json_array();
        for (uint32_t i = 0; changes != NULL && i < r->nchanges; i++) {
            json_t *txs = json_array();
            for (uint32_t k = 0; txs != NULL && k < r->changes[i].ntxs; k++) {
                json_t *t = json_object();
                if (t != NULL)
                    part_json(t, &r->changes[i].txs[k]);
                json_array_append_new(txs, t);
            }
            json_array_append_new(changes, json_pack("{s:o}", "txs", txs));
        }
        json_object_set_new(root, "valset_changes", changes);
    }
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    return txfile_add_newline(text);
}

/* ---- verification ---- */

static bool fail(struct receipt_verdict *v, const char *check, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool fail(struct receipt_verdict *v, const char *check, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->message, sizeof v->message, fmt, ap);
    va_end(ap);
    v->check = check;
    return false;
}

static void hex32(char out[2 * YC_HASH_LEN + 1], const uint8_t h[YC_HASH_LEN])
{
    yc_hex(out, h, YC_HASH_LEN);
}

/* The tx checks: decodes, is the stated one, on the receipt's chain, signed. */
static bool check_tx(const struct receipt *r, const struct receipt_part *p, struct yc_tx *tx,
                     struct receipt_verdict *v)
{
    char a[2 * YC_HASH_LEN + 1], b[2 * YC_HASH_LEN + 1];
    int rc = yc_tx_decode(tx, p->tx, p->tx_len);
    if (rc != YC_OK)
        return fail(v, "tx", "the tx bytes do not decode: %s (%s)", yc_strerror(rc),
                    yc_err_name(rc));
    if (memcmp(tx->id, p->tx_id, YC_HASH_LEN) != 0) {
        hex32(a, tx->id);
        hex32(b, p->tx_id);
        return fail(v, "tx", "the tx bytes have id %s, the receipt states %s", a, b);
    }
    if (tx->chain_id.len != strlen(r->chain_id) ||
        memcmp(tx->chain_id.p, r->chain_id, tx->chain_id.len) != 0)
        return fail(v, "chain", "the tx is for chain '%.*s', the receipt for '%s'",
                    (int)tx->chain_id.len, tx->chain_id.p, r->chain_id);
    rc = yc_tx_verify(tx, r->chain_id);
    if (rc != YC_OK)
        return fail(v, "signature", "%s (%s)", yc_strerror(rc), yc_err_name(rc));
    return true;
}

/* The outcome checks: the stated status agrees with the stated code, and (id, outcome)
 * proves into the header's result_root at the tx's own position. */
static bool check_outcome(const struct receipt *r, const struct receipt_part *p,
                          const struct yc_tx *tx, const struct yc_block_header *h,
                          struct receipt_verdict *v)
{
    uint8_t leaf[YC_HASH_LEN];
    if (p->status_failed != (p->outcome != YC_OK))
        return fail(v, "outcome", "the status says %s but the code is %s",
                    p->status_failed ? "failed" : "committed", yc_err_name(p->outcome));
    if (p->result_proof.count != h->tx_count || p->result_proof.index != p->proof.index)
        return fail(v, "result_root",
                    "the result proof is for position %u of %u, the tx is at %u of %u",
                    p->result_proof.index, p->result_proof.count, p->proof.index, h->tx_count);
    yc_result_hash(leaf, r->chain_id, tx->id, p->outcome);
    if (!yc_merkle_verify(h->result_root, r->chain_id, leaf, &p->result_proof))
        return fail(v, "result_root",
                    "the outcome %s of this tx does not prove into the header's result_root "
                    "(the outcome was changed, or the result proof is wrong)",
                    p->outcome == YC_OK ? "committed" : yc_err_name(p->outcome));
    return true;
}

/* The block checks: header decodes on this chain, the two proofs, block hash, height. */
static bool check_block(const struct receipt *r, const struct receipt_part *p,
                        const struct yc_tx *tx, struct yc_block_header *h,
                        struct receipt_verdict *v)
{
    uint8_t hash[YC_HASH_LEN], leaf[YC_HASH_LEN];
    if (yc_header_decode(p->header, p->header_len, h) != YC_OK)
        return fail(v, "header", "header_raw is not a canonical block header of format %u",
                    YC_BLOCK_VERSION);
    if (strcmp(h->chain_id, r->chain_id) != 0)
        return fail(v, "chain", "the header is for chain '%s', the receipt for '%s'", h->chain_id,
                    r->chain_id);
    if (p->proof.count != h->tx_count)
        return fail(v, "tx_root", "the proof is for a block of %u txs, the header counts %u",
                    p->proof.count, h->tx_count);
    yc_signed_tx_hash(leaf, r->chain_id, tx);
    if (!yc_merkle_verify(h->tx_root, r->chain_id, leaf, &p->proof))
        return fail(v, "tx_root",
                    "the signed tx does not prove into the header's tx_root (a signature or "
                    "co-signature was added, changed or stripped, or the proof is wrong)");
    if (!check_outcome(r, p, tx, h, v))
        return false;
    yc_hash_tagged(hash, YC_TAG_BLOCK, r->chain_id, p->header, p->header_len);
    if (memcmp(hash, p->block_hash, YC_HASH_LEN) != 0) {
        char a[2 * YC_HASH_LEN + 1];
        hex32(a, hash);
        return fail(v, "block_hash", "the header hashes to %s, not the stated block hash", a);
    }
    if (h->height != p->height)
        return fail(v, "height", "the header is at height %llu, the receipt states %llu",
                    (unsigned long long)h->height, (unsigned long long)p->height);
    return true;
}

/* The genesis checks; *out gets the genesis whose validators the certificate must have. */
static bool check_genesis(const struct receipt *r, const struct receipt_trust *trust,
                          const struct yc_genesis **out, struct receipt_verdict *v)
{
    char a[2 * YC_HASH_LEN + 1], b[2 * YC_HASH_LEN + 1];
    const struct yc_genesis *g = &r->genesis;
    hex32(b, r->genesis_hash);
    if (memcmp(g->hash, r->genesis_hash, YC_HASH_LEN) != 0) {
        hex32(a, g->hash);
        return fail(v, "genesis", "the embedded genesis hashes to %s, not the stated %s", a, b);
    }
    if (strcmp(g->chain_id, r->chain_id) != 0)
        return fail(v, "genesis", "the genesis is for chain '%s', the receipt for '%s'",
                    g->chain_id, r->chain_id);
    if (r->nvalidators != g->nvalidators)
        return fail(v, "genesis", "%u validators listed, the genesis has %u", r->nvalidators,
                    g->nvalidators);
    for (uint32_t i = 0; i < g->nvalidators; i++)
        if (memcmp(r->validators[i], g->validators[i].pub, YC_PUBKEY_LEN) != 0)
            return fail(v, "genesis", "validator %u listed is not the genesis's validator %u", i,
                        i);
    if (trust->kind == RECEIPT_ANCHOR_FILE) {
        if (memcmp(trust->genesis->hash, r->genesis_hash, YC_HASH_LEN) != 0) {
            hex32(a, trust->genesis->hash);
            return fail(v, "genesis",
                        "the receipt is for genesis %s; the trusted genesis file hashes to %s "
                        "(another chain?)",
                        b, a);
        }
        g = trust->genesis;
    } else if (trust->kind == RECEIPT_ANCHOR_HASH &&
               memcmp(trust->hash, r->genesis_hash, YC_HASH_LEN) != 0) {
        hex32(a, trust->hash);
        return fail(v, "genesis", "the receipt is for genesis %s, not the trusted %s", b, a);
    }
    *out = g;
    return true;
}

/* Says why yc_cert_check refused c against set `set` (v->check "certificate"). */
static bool cert_failure(const struct yc_cert *c, const struct yc_gov_set *set,
                         const struct receipt *r, const struct receipt_part *p, const char *check,
                         struct receipt_verdict *v)
{
    uint8_t vote[YC_HASH_LEN];
    uint32_t quorum = yc_quorum(set->n);
    if (c->nsigs < quorum)
        return fail(v, check,
                    "%u COMMIT signatures, a quorum is %u of %u validators (the set in force at "
                    "height %llu)",
                    c->nsigs, quorum, set->n, (unsigned long long)p->height);
    yc_vote_hash(vote, r->chain_id, "commit", p->height, c->view, p->block_hash);
    for (uint32_t i = 0; i < c->nsigs; i++) {
        uint32_t idx = c->sigs[i].validator;
        if (idx >= set->n)
            return fail(v, check, "signature %u names validator %u; the set in force has %u", i,
                        idx, set->n);
        if (i > 0 && idx <= c->sigs[i - 1].validator)
            return fail(v, check, "signatures not in validator order, or repeated");
        if (!yc_sig_verify(c->sigs[i].sig, vote, set->v[idx].pub))
            return fail(v, check,
                        "the signature of validator %u (%s) is not its COMMIT vote for this block",
                        idx, set->v[idx].name);
    }
    return fail(v, check, "the certificate does not verify");
}

/* The sets a verifier knows: the genesis set, then one record per proven change. */
struct known_sets {
    uint32_t n;
    struct yc_gov_set *s; /* room for nchanges + 1 */
};

static const struct yc_gov_set *set_at(const struct known_sets *k, uint64_t height)
{
    const struct yc_gov_set *best = &k->s[0];
    for (uint32_t i = 1; i < k->n; i++)
        if (k->s[i].from <= height)
            best = &k->s[i];
    return best;
}

/* The certificate of part p against the set in force at its height. */
static bool check_cert(const struct receipt *r, const struct receipt_part *p,
                       const struct known_sets *k, const char *check, struct receipt_verdict *v)
{
    const struct yc_gov_set *set = set_at(k, p->height);
    struct yc_valset vs;
    yc_gov_set_keys(set, &vs);
    if (yc_cert_check(&p->cert, &vs, r->chain_id, p->height, p->block_hash, NULL) != YC_OK)
        return cert_failure(&p->cert, set, r, p, check, v);
    return true;
}

/* One transaction of change i: proven as the receipt's own, committed, certified by the set
 * in force at its height; *tx gets it decoded. */
static bool check_change_tx(const struct receipt *r, uint32_t i, uint32_t j,
                            const struct known_sets *k, struct yc_tx *tx, struct receipt_verdict *v)
{
    const struct receipt_part *p = &r->changes[i].txs[j];
    struct yc_block_header h;
    struct receipt_verdict sub;
    memset(&sub, 0, sizeof sub);
    memset(tx, 0, sizeof *tx);
    if (!check_tx(r, p, tx, &sub) || !check_block(r, p, tx, &h, &sub) ||
        !check_cert(r, p, k, "certificate", &sub))
        return fail(v, "valset_changes", "valset_changes[%u].txs[%u]: %s: %s", i, j, sub.check,
                    sub.message);
    if (p->outcome != YC_OK)
        return fail(v, "valset_changes", "valset_changes[%u].txs[%u]: it failed (%s)", i, j,
                    yc_err_name(p->outcome));
    return true;
}

/*
 * Re-derives every proven change by the ledger's rules (docs/formats.md, "Validator-set
 * governance"): change i is a validator.propose and the validator.approve txs of it, in
 * ledger order, each committed and certified by the set in force at its height; the last
 * one is the first at which the approving organisations weigh a quorum of the set in
 * force; the change, applied to the set known last, is in force from its height +
 * valset_delay. Changes are in the order they were fixed.
 */
static bool check_changes(const struct receipt *r, const struct yc_genesis *g, struct known_sets *k,
                          struct receipt_verdict *v)
{
    uint64_t last_h = 0, last_i = 0;
    yc_gov_set_genesis(&k->s[0], g);
    k->n = 1;
    for (uint32_t i = 0; i < r->nchanges; i++) {
        const struct receipt_change *c = &r->changes[i];
        struct yc_tx prop, tx;
        uint8_t orgs[YC_PROPOSAL_APPROVALS_MAX][YC_PUBKEY_LEN];
        bool ok = check_change_tx(r, i, 0, k, &prop, v);
        if (ok && prop.type != YC_TX_VALIDATOR_PROPOSE)
            ok = fail(v, "valset_changes", "valset_changes[%u].txs[0] is not a validator.propose",
                      i);
        for (uint32_t j = 0; ok && j < c->ntxs; j++) {
            const struct receipt_part *p = &c->txs[j];
            const struct yc_tx *t = &prop;
            if (j > 0 && (ok = check_change_tx(r, i, j, k, &tx, v)))
                t = &tx;
            if (ok && j > 0 &&
                (tx.type != YC_TX_VALIDATOR_APPROVE ||
                 memcmp(tx.b->validator_ref.proposal, prop.id, YC_HASH_LEN) != 0))
                ok = fail(v, "valset_changes",
                          "valset_changes[%u].txs[%u] is not a validator.approve of txs[0]", i, j);
            for (uint32_t q = 0; ok && q < j; q++)
                if (memcmp(orgs[q], t->sender, YC_PUBKEY_LEN) == 0)
                    ok = fail(v, "valset_changes",
                              "valset_changes[%u].txs[%u]: the same organisation twice", i, j);
            /* in ledger order within the change; the changes in the order they were fixed */
            const struct receipt_part *prev = j > 0 ? &c->txs[j - 1] : NULL;
            if (ok && prev != NULL &&
                (p->height < prev->height ||
                 (p->height == prev->height && p->proof.index <= prev->proof.index)))
                ok = fail(v, "valset_changes",
                          "valset_changes[%u].txs[%u]: not after the transaction before it", i, j);
            if (ok && j + 1 == c->ntxs && i > 0 &&
                (p->height < last_h || (p->height == last_h && p->proof.index <= last_i)))
                ok = fail(v, "valset_changes",
                          "valset_changes[%u]: not fixed after valset_changes[%u]", i, i - 1);
            if (ok) {
                memcpy(orgs[j], t->sender, YC_PUBKEY_LEN);
                if (j + 1 == c->ntxs) {
                    last_h = p->height;
                    last_i = p->proof.index;
                }
                const struct yc_gov_set *now = set_at(k, p->height);
                bool fixed = yc_gov_weight(now, (const uint8_t(*)[YC_PUBKEY_LEN])orgs, j + 1) >=
                             yc_quorum(now->n);
                if (fixed != (j + 1 == c->ntxs))
                    ok = fail(v, "valset_changes",
                              "valset_changes[%u]: the approvals reach the quorum %s (txs[%u] of "
                              "%u)",
                              i, fixed ? "before the last transaction" : "at no transaction", j,
                              c->ntxs);
                if (ok && j > 0 && p->height > c->txs[0].height + g->params.valset_expiry)
                    ok = fail(v, "valset_changes",
                              "valset_changes[%u].txs[%u]: after the proposal expired", i, j);
            }
            if (j > 0)
                yc_tx_cleanup(&tx);
        }
        if (ok) {
            const struct yc_body_validator_propose *b = &prop.b->validator_propose;
            struct yc_gov_change ch = {.action = b->action,
                                       .pub = b->pub,
                                       .new_pub = b->has_new_pub ? b->new_pub : NULL,
                                       .org = b->has_org ? b->org : NULL,
                                       .name = b->name};
            uint64_t from = c->txs[c->ntxs - 1].height + g->params.valset_delay;
            struct yc_gov_set *latest = &k->s[k->n - 1];
            struct yc_gov_set *next = latest->from == from ? latest : &k->s[k->n];
            if (yc_gov_set_apply(latest, &ch, next, NULL, NULL) != YC_OK)
                ok = fail(v, "valset_changes",
                          "valset_changes[%u]: the change does not apply to the set from "
                          "height %llu",
                          i, (unsigned long long)latest->from);
            if (ok) {
                next->from = from;
                if (next != latest)
                    k->n++;
            }
        }
        yc_tx_cleanup(&prop);
        if (!ok)
            return false;
    }
    return true;
}

bool receipt_verify(const struct receipt *r, const struct receipt_trust *trust,
                    struct receipt_verdict *v, struct yc_tx *txout)
{
    struct yc_tx tx;
    const struct yc_genesis *g = NULL;
    struct known_sets k = {0, NULL};
    memset(v, 0, sizeof *v);
    memset(&tx, 0, sizeof tx);
    bool ok = check_tx(r, &r->own, &tx, v) && check_block(r, &r->own, &tx, &v->header, v) &&
              check_genesis(r, trust, &g, v);
    if (ok) {
        k.s = malloc(((size_t)r->nchanges + 1) * sizeof *k.s);
        ok = k.s != NULL ? check_changes(r, g, &k, v) : fail(v, "valset_changes", "out of memory");
    }
    if (ok) {
        const struct yc_gov_set *set = set_at(&k, r->own.height);
        v->nvalidators = set->n;
        v->quorum = yc_quorum(set->n);
        ok = check_cert(r, &r->own, &k, "certificate", v);
        if (ok)
            v->signers = r->own.cert.nsigs;
    }
    free(k.s);
    if (ok && txout != NULL)
        *txout = tx;
    else
        yc_tx_cleanup(&tx);
    return ok;
}

/* ---- summary ---- */

json_t *receipt_summary(const struct receipt *r, const struct yc_tx *tx,
                        const struct yc_block_header *h)
{
    const char *type = yc_tx_type_name(tx->type);
    json_t *o = json_pack(
        "{s:o, s:s, s:o, s:s, s:s, s:o, s:o, s:o, s:o, s:s, s:o}", "id",
        yc_json_hex(tx->id, YC_HASH_LEN), "type", type ? type : "?", "sender",
        yc_json_addr(tx->sender), "status", r->own.outcome == YC_OK ? "committed" : "failed",
        "code", yc_err_name(r->own.outcome), "height", yc_json_u64(r->own.height), "index",
        yc_json_u64(r->own.proof.index), "block_hash", yc_json_hex(r->own.block_hash, YC_HASH_LEN),
        "block_time", yc_json_time(h->time_ms), "chain_id", r->chain_id, "genesis_hash",
        yc_json_hex(r->genesis_hash, YC_HASH_LEN));
    if (o == NULL)
        return NULL;
    if (tx->type == YC_TX_CONSENT_GRANT) {
        const struct yc_body_consent_grant *c = &tx->b->consent_grant;
        json_object_set_new(o, "processor", yc_json_addr(c->processor));
        json_object_set_new(o, "categories", yc_json_list(&c->categories));
        json_object_set_new(o, "purposes", yc_json_list(&c->purposes));
        json_object_set_new(o, "operations", yc_json_list(&c->operations));
        json_object_set_new(o, "not_before", yc_json_u64(c->not_before));
        json_object_set_new(o, "not_before_time", yc_json_time(c->not_before));
        json_object_set_new(o, "until", yc_json_u64(c->until));
        json_object_set_new(o, "until_time", yc_json_time(c->until));
    } else if (tx->type == YC_TX_CONSENT_REVOKE) {
        json_object_set_new(o, "consent", yc_json_hex(tx->b->consent_revoke.consent, YC_HASH_LEN));
    }
    return o;
}
