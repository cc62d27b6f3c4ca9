/*
 * receipt.c — reading, writing and verifying receipts (receipt.h, docs/wallet.md).
 *
 * The file is untrusted: every member is checked for presence, type and exact length
 * before anything is decoded, arrays are capped (validators and signatures at
 * YC_MAX_VALIDATORS, siblings at YC_MERKLE_MAX_DEPTH), and unknown members are refused.
 * Verification uses only core's checks (yc_tx_decode, yc_tx_verify, the signed-tx and
 * result leaf hashes, yc_merkle_verify, the tagged block hash, yc_cert_verify) and the genesis loader of storage/, so a
 * receipt is accepted exactly when the node and the audit tool would accept its parts.
 * The certificate is checked against the validators of a genesis whose hash has been
 * recomputed: the stated validator list is only ever compared, never trusted.
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
static int parse_outcome(struct receipt *r, json_t *root, char *err, size_t errlen)
{
    const char *st = json_string_value(json_object_get(root, "status"));
    const char *code = json_string_value(json_object_get(root, "code"));
    if (st == NULL || (strcmp(st, "committed") != 0 && strcmp(st, "failed") != 0))
        return bad(err, errlen, "status: expected \"committed\" or \"failed\"");
    r->status_failed = strcmp(st, "failed") == 0;
    if (code == NULL)
        return bad(err, errlen, "code: expected \"ok\" or an error code");
    r->outcome = strcmp(code, "ok") == 0 ? YC_OK : yc_err_from_name(code);
    if (!yc_outcome_valid(r->outcome))
        return bad(err, errlen,
                   "code: \"%.64s\" is not \"ok\" nor an error code a transaction "
                   "can fail with",
                   code);
    return YC_OK;
}

static int parse_cert(struct receipt *r, json_t *root, char *err, size_t errlen)
{
    static const char *const members[] = {"view", "signatures", NULL};
    static const char *const sig_members[] = {"validator", "sig", NULL};
    json_t *c = json_object_get(root, "certificate"), *sigs, *s;
    size_t i;
    if (exact_members(c, "certificate", members, err, errlen) != YC_OK ||
        dec_str(c, "view", UINT64_MAX, &r->cert.view, err, errlen) != YC_OK ||
        array_of(c, "signatures", YC_MAX_VALIDATORS, &sigs, err, errlen) != YC_OK)
        return YC_EBADFIELD;
    json_array_foreach(sigs, i, s)
    {
        char path[64];
        snprintf(path, sizeof path, "certificate.signatures[%zu]", i);
        if (exact_members(s, path, sig_members, err, errlen) != YC_OK)
            return YC_EBADFIELD;
        if (small_int(s, "validator", UINT32_MAX, &r->cert.sigs[i].validator, err, errlen) !=
                YC_OK ||
            hex_fixed(s, "sig", r->cert.sigs[i].sig, YC_SIG_LEN, err, errlen) != YC_OK)
            return bad(err, errlen, "%s: expected {\"validator\": index, \"sig\": %d hex digits}",
                       path, 2 * YC_SIG_LEN);
    }
    r->cert.nsigs = (uint32_t)json_array_size(sigs);
    return YC_OK;
}

static int parse_members(struct receipt *r, json_t *root, char *err, size_t errlen)
{
    if (exact_members(root, "receipt", RECEIPT_MEMBERS, err, errlen) != YC_OK)
        return YC_EBADFIELD;
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
        rc = hex_fixed(root, "tx_id", r->tx_id, YC_HASH_LEN, err, errlen);
    if (rc == YC_OK)
        rc = hex_var(root, "tx", YC_TX_MAX_BYTES, &r->tx, &r->tx_len, err, errlen);
    if (rc == YC_OK)
        rc = parse_outcome(r, root, err, errlen);
    if (rc == YC_OK)
        rc = dec_str(root, "height", UINT64_MAX, &r->height, err, errlen);
    if (rc == YC_OK)
        rc = parse_proof(&r->proof, root, "proof", err, errlen);
    if (rc == YC_OK)
        rc = parse_proof(&r->result_proof, root, "result_proof", err, errlen);
    uint8_t *hdr = NULL;
    if (rc == YC_OK)
        rc = hex_var(root, "header_raw", RECEIPT_HEADER_MAX, &hdr, &r->header_len, err, errlen);
    if (rc == YC_OK)
        memcpy(r->header, hdr, r->header_len);
    free(hdr);
    if (rc == YC_OK)
        rc = hex_fixed(root, "block_hash", r->block_hash, YC_HASH_LEN, err, errlen);
    if (rc == YC_OK)
        rc = parse_cert(r, root, err, errlen);
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
    free(r->tx);
    yc_genesis_cleanup(&r->genesis);
    memset(r, 0, sizeof *r);
}

/* ---- writing ---- */

/* A copy of member `key` of o, or NULL (absent or ENOMEM). */
static json_t *copy_member(json_t *o, const char *key)
{
    return json_deep_copy(json_object_get(o, key));
}

json_t *receipt_compose(json_t *tx_proof, const struct yc_genesis *g)
{
    char *text = yc_genesis_json_dump(g);
    json_t *doc = text != NULL ? json_loads(text, 0, NULL) : NULL;
    free(text);
    json_t *vals = json_array();
    for (uint32_t i = 0; vals != NULL && i < g->nvalidators; i++)
        json_array_append_new(vals,
                              json_pack("{s:I, s:o}", "index", (json_int_t)i, "pub_key",
                                        txfile_json_hex(g->validators[i].pub, YC_PUBKEY_LEN)));
    /* json_pack steals the "o" values, also on failure; a NULL one makes it fail */
    return json_pack(
        "{s:i, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
        "s:o}",
        "version", RECEIPT_VERSION, "chain_id", copy_member(tx_proof, "chain_id"), "genesis_hash",
        txfile_json_hex(g->hash, YC_HASH_LEN), "genesis", doc, "validators", vals, "tx_id",
        copy_member(tx_proof, "id"), "tx", copy_member(tx_proof, "tx"), "status",
        copy_member(tx_proof, "status"), "code", copy_member(tx_proof, "code"), "height",
        copy_member(tx_proof, "height"), "proof", copy_member(tx_proof, "proof"), "result_proof",
        copy_member(tx_proof, "result_proof"), "header_raw", copy_member(tx_proof, "header_raw"),
        "block_hash", copy_member(tx_proof, "block_hash"), "certificate",
        copy_member(tx_proof, "certificate"));
}

static json_t *u64_json(uint64_t v)
{
    char s[24];
    snprintf(s, sizeof s, "%llu", (unsigned long long)v);
    return json_string(s);
}

static json_t *proof_json(const struct yc_merkle_proof *p)
{
    json_t *sibs = json_array();
    for (uint32_t i = 0; sibs != NULL && i < p->nsiblings; i++)
        json_array_append_new(sibs, txfile_json_hex(p->siblings[i], YC_HASH_LEN));
    return json_pack("{s:o, s:o, s:o}", "index", u64_json(p->index), "count", u64_json(p->count),
                     "siblings", sibs);
}

char *receipt_render(const struct receipt *r)
{
    json_t *vals = json_array(), *sigs = json_array();
    for (uint32_t i = 0; vals != NULL && i < r->nvalidators; i++)
        json_array_append_new(vals, json_pack("{s:I, s:o}", "index", (json_int_t)i, "pub_key",
                                              txfile_json_hex(r->validators[i], YC_PUBKEY_LEN)));
    for (uint32_t i = 0; sigs != NULL && i < r->cert.nsigs; i++)
        json_array_append_new(sigs, json_pack("{s:I, s:o}", "validator",
                                              (json_int_t)r->cert.sigs[i].validator, "sig",
                                              txfile_json_hex(r->cert.sigs[i].sig, YC_SIG_LEN)));
    char *gtext = yc_genesis_json_dump(&r->genesis);
    json_t *doc = gtext != NULL ? json_loads(gtext, 0, NULL) : NULL;
    free(gtext);
    json_t *root = json_pack(
        "{s:i, s:s, s:o, s:o, s:o, s:o, s:o, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:{s:o, s:o}}",
        "version", RECEIPT_VERSION, "chain_id", r->chain_id, "genesis_hash",
        txfile_json_hex(r->genesis_hash, YC_HASH_LEN), "genesis", doc, "validators", vals, "tx_id",
        txfile_json_hex(r->tx_id, YC_HASH_LEN), "tx", txfile_json_hex(r->tx, r->tx_len), "status",
        r->status_failed ? "failed" : "committed", "code", yc_err_name(r->outcome), "height",
        u64_json(r->height), "proof", proof_json(&r->proof), "result_proof",
        proof_json(&r->result_proof), "header_raw", txfile_json_hex(r->header, r->header_len),
        "block_hash", txfile_json_hex(r->block_hash, YC_HASH_LEN), "certificate", "view",
        u64_json(r->cert.view), "signatures", sigs);
    if (root == NULL)
        return NULL;
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
static bool check_tx(const struct receipt *r, struct yc_tx *tx, struct receipt_verdict *v)
{
    char a[2 * YC_HASH_LEN + 1], b[2 * YC_HASH_LEN + 1];
    int rc = yc_tx_decode(tx, r->tx, r->tx_len);
    if (rc != YC_OK)
        return fail(v, "tx", "the tx bytes do not decode: %s (%s)", yc_strerror(rc),
                    yc_err_name(rc));
    if (memcmp(tx->id, r->tx_id, YC_HASH_LEN) != 0) {
        hex32(a, tx->id);
        hex32(b, r->tx_id);
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
static bool check_outcome(const struct receipt *r, const struct yc_tx *tx,
                          const struct yc_block_header *h, struct receipt_verdict *v)
{
    uint8_t leaf[YC_HASH_LEN];
    if (r->status_failed != (r->outcome != YC_OK))
        return fail(v, "outcome", "the status says %s but the code is %s",
                    r->status_failed ? "failed" : "committed", yc_err_name(r->outcome));
    if (r->result_proof.count != h->tx_count || r->result_proof.index != r->proof.index)
        return fail(v, "result_root",
                    "the result proof is for position %u of %u, the tx is at %u of %u",
                    r->result_proof.index, r->result_proof.count, r->proof.index, h->tx_count);
    yc_result_hash(leaf, r->chain_id, tx->id, r->outcome);
    if (!yc_merkle_verify(h->result_root, r->chain_id, leaf, &r->result_proof))
        return fail(v, "result_root",
                    "the outcome %s of this tx does not prove into the header's result_root "
                    "(the outcome was changed, or the result proof is wrong)",
                    r->outcome == YC_OK ? "committed" : yc_err_name(r->outcome));
    return true;
}

/* The block checks: header decodes on this chain, the two proofs, block hash, height. */
static bool check_block(const struct receipt *r, const struct yc_tx *tx, struct receipt_verdict *v)
{
    struct yc_block_header *h = &v->header;
    uint8_t hash[YC_HASH_LEN], leaf[YC_HASH_LEN];
    if (yc_header_decode(r->header, r->header_len, h) != YC_OK)
        return fail(v, "header", "header_raw is not a canonical block header of format %u",
                    YC_BLOCK_VERSION);
    if (strcmp(h->chain_id, r->chain_id) != 0)
        return fail(v, "chain", "the header is for chain '%s', the receipt for '%s'", h->chain_id,
                    r->chain_id);
    if (r->proof.count != h->tx_count)
        return fail(v, "tx_root", "the proof is for a block of %u txs, the header counts %u",
                    r->proof.count, h->tx_count);
    yc_signed_tx_hash(leaf, r->chain_id, tx);
    if (!yc_merkle_verify(h->tx_root, r->chain_id, leaf, &r->proof))
        return fail(v, "tx_root",
                    "the signed tx does not prove into the header's tx_root (a signature or "
                    "co-signature was added, changed or stripped, or the proof is wrong)");
    if (!check_outcome(r, tx, h, v))
        return false;
    yc_hash_tagged(hash, YC_TAG_BLOCK, r->chain_id, r->header, r->header_len);
    if (memcmp(hash, r->block_hash, YC_HASH_LEN) != 0) {
        char a[2 * YC_HASH_LEN + 1];
        hex32(a, hash);
        return fail(v, "block_hash", "the header hashes to %s, not the stated block hash", a);
    }
    if (h->height != r->height)
        return fail(v, "height", "the header is at height %llu, the receipt states %llu",
                    (unsigned long long)h->height, (unsigned long long)r->height);
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

/* Says why yc_cert_verify refused c (it answers only yes or no). */
static bool cert_failure(const struct yc_cert *c, const struct yc_genesis *g,
                         const struct receipt *r, struct receipt_verdict *v)
{
    uint8_t vote[YC_HASH_LEN];
    if (c->nsigs < v->quorum)
        return fail(v, "certificate", "%u COMMIT signatures, a quorum is %u of %u validators",
                    c->nsigs, v->quorum, g->nvalidators);
    yc_vote_hash(vote, g->chain_id, "commit", r->height, c->view, r->block_hash);
    for (uint32_t i = 0; i < c->nsigs; i++) {
        uint32_t idx = c->sigs[i].validator;
        if (idx >= g->nvalidators)
            return fail(v, "certificate", "signature %u names validator %u; the genesis has %u", i,
                        idx, g->nvalidators);
        if (i > 0 && idx <= c->sigs[i - 1].validator)
            return fail(v, "certificate", "signatures not in validator order, or repeated");
        if (!yc_sig_verify(c->sigs[i].sig, vote, g->validators[idx].pub))
            return fail(v, "certificate",
                        "the signature of validator %u (%s) is not its COMMIT vote for this block",
                        idx, g->validators[idx].name);
    }
    return fail(v, "certificate", "the certificate does not verify");
}

bool receipt_verify(const struct receipt *r, const struct receipt_trust *trust,
                    struct receipt_verdict *v, struct yc_tx *txout)
{
    struct yc_tx tx;
    const struct yc_genesis *g = NULL;
    memset(v, 0, sizeof *v);
    memset(&tx, 0, sizeof tx);
    bool ok = check_tx(r, &tx, v) && check_block(r, &tx, v) && check_genesis(r, trust, &g, v);
    if (ok) {
        v->nvalidators = g->nvalidators;
        v->quorum = yc_quorum(g->nvalidators);
        if (yc_cert_verify(&r->cert, g, r->height, r->block_hash) != YC_OK)
            ok = cert_failure(&r->cert, g, r, v);
        else
            v->signers = r->cert.nsigs;
    }
    if (ok && txout != NULL)
        *txout = tx;
    else
        yc_tx_cleanup(&tx);
    return ok;
}

/* ---- summary ---- */

static json_t *time_json(uint64_t ms)
{
    char t[YC_TIME_STR_MAX];
    yc_time_format(t, ms);
    return json_string(t);
}

static json_t *addr_json(const uint8_t pub[YC_PUBKEY_LEN])
{
    char addr[YC_ADDR_MAX];
    return yc_addr_encode(addr, pub) == YC_OK ? json_string(addr) : NULL;
}

static json_t *list_json(const struct yc_list *l)
{
    json_t *a = json_array();
    for (uint32_t i = 0; a != NULL && i < l->n && i < YC_LIST_MAX; i++)
        json_array_append_new(a, json_stringn(l->items[i].p, l->items[i].len));
    return a;
}

json_t *receipt_summary(const struct receipt *r, const struct yc_tx *tx,
                        const struct yc_block_header *h)
{
    const char *type = yc_tx_type_name(tx->type);
    json_t *o = json_pack(
        "{s:o, s:s, s:o, s:s, s:s, s:o, s:o, s:o, s:o, s:s, s:o}", "id",
        txfile_json_hex(tx->id, YC_HASH_LEN), "type", type ? type : "?", "sender",
        addr_json(tx->sender), "status", r->outcome == YC_OK ? "committed" : "failed", "code",
        yc_err_name(r->outcome), "height", u64_json(r->height), "index", u64_json(r->proof.index),
        "block_hash", txfile_json_hex(r->block_hash, YC_HASH_LEN), "block_time",
        time_json(h->time_ms), "chain_id", r->chain_id, "genesis_hash",
        txfile_json_hex(r->genesis_hash, YC_HASH_LEN));
    if (o == NULL)
        return NULL;
    if (tx->type == YC_TX_CONSENT_GRANT) {
        const struct yc_body_consent_grant *c = &tx->b.consent_grant;
        json_object_set_new(o, "processor", addr_json(c->processor));
        json_object_set_new(o, "categories", list_json(&c->categories));
        json_object_set_new(o, "purposes", list_json(&c->purposes));
        json_object_set_new(o, "operations", list_json(&c->operations));
        json_object_set_new(o, "not_before",
                            c->not_before > 0 ? time_json(c->not_before) : json_null());
        json_object_set_new(o, "until", time_json(c->until));
    } else if (tx->type == YC_TX_CONSENT_REVOKE) {
        json_object_set_new(o, "consent",
                            txfile_json_hex(tx->b.consent_revoke.consent, YC_HASH_LEN));
    }
    return o;
}
