/*
 * test_receipt.c — consent receipts built with core's own functions for a 4-validator
 * genesis made here: a signed consent.grant (with a co-signature) at index 1 of a 3-tx
 * block, the Merkle paths of its signed bytes to tx_root and of its outcome to result_root,
 * the header (block format 2) and a commit certificate signed by 3 of the 4 validators,
 * composed from a node-shaped tx_proof answer. The receipt verifies (anchored by hash, by
 * genesis, or not at all); a failed transaction's receipt verifies as failed; each single
 * tampering (TESTING.md F6: a signature or co-signature added, changed or stripped, an
 * outcome changed) is refused naming the check that caught it; a whole
 * chain forged with other validators verifies only unanchored; hostile files (oversized,
 * malformed, over every cap) are refused by the parser; and the `verify-receipt` command
 * exits 0 / 1 / 2 / 65 / 74 as docs/wallet.md says.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "receipt.h"
#include "txfile.h"
#include "wallet.h"
#include "yc/alloc.h"
#include "yc/bech32.h"
#include "yc/json.h"
#include "yc/txschema.h"

#define CHAIN "receipt-test"
#define HEIGHT 7
#define NVAL 4

static yc_signer *alice, *exchange, *pledgee, *validators[NVAL], *outsiders[NVAL];
static uint8_t proc_pub[YC_PUBKEY_LEN];
static uint8_t real_genesis_hash[YC_HASH_LEN];
static char tmpdir[64];

static yc_signer *mk(uint8_t seed)
{
    uint8_t sec[32] = {0};
    sec[31] = seed;
    sec[0] = 0x5a;
    yc_signer *s = NULL;
    return yc_signer_create(&s, sec) == YC_OK ? s : NULL;
}

/* A genesis whose validators are vals[0..NVAL), with one exchange account. */
static void make_genesis(struct yc_genesis *g, yc_signer *const *vals)
{
    memset(g, 0, sizeof *g);
    strcpy(g->chain_id, CHAIN);
    g->genesis_time_ms = 1790000000000ull;
    yc_params_default(&g->params);
    g->nvalidators = NVAL;
    for (int i = 0; i < NVAL; i++) {
        snprintf(g->validators[i].name, sizeof g->validators[i].name, "v%d", i);
        yc_signer_pubkey(vals[i], g->validators[i].pub);
    }
    g->accounts = yc_malloc(sizeof *g->accounts);
    assert_non_null(g->accounts);
    memset(g->accounts, 0, sizeof *g->accounts);
    g->naccounts = 1;
    yc_signer_pubkey(exchange, g->accounts[0].pub);
    strcpy(g->accounts[0].role, "exchange");
    strcpy(g->accounts[0].name, "exchange");
    strcpy(g->accounts[0].jurisdiction, "CN-CQ");
    assert_int_equal(yc_genesis_finalize(g), YC_OK);
}

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    alice = mk(1);
    exchange = mk(2);
    pledgee = mk(4);
    yc_signer *proc = mk(3);
    if (alice == NULL || exchange == NULL || proc == NULL || pledgee == NULL)
        return -1;
    yc_signer_pubkey(proc, proc_pub);
    yc_signer_destroy(proc);
    for (int i = 0; i < NVAL; i++) {
        validators[i] = mk((uint8_t)(10 + i));
        outsiders[i] = mk((uint8_t)(20 + i));
        if (validators[i] == NULL || outsiders[i] == NULL)
            return -1;
    }
    struct yc_genesis g;
    make_genesis(&g, validators);
    memcpy(real_genesis_hash, g.hash, YC_HASH_LEN);
    yc_genesis_cleanup(&g);
    snprintf(tmpdir, sizeof tmpdir, "/tmp/yc-test-receipt-XXXXXX");
    return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    yc_signer_destroy(alice);
    yc_signer_destroy(exchange);
    yc_signer_destroy(pledgee);
    for (int i = 0; i < NVAL; i++) {
        yc_signer_destroy(validators[i]);
        yc_signer_destroy(outsiders[i]);
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Signs a transaction of `type` with body b; appends its bytes' hex and id. */
static void sign_tx(yc_signer *s, enum yc_tx_type type, uint64_t nonce, const struct yc_buf *b,
                    json_t **hex, uint8_t id[YC_HASH_LEN])
{
    uint8_t aux[32] = {7};
    struct yc_buf out;
    yc_buf_init(&out, YC_TX_MAX_BYTES);
    assert_int_equal(yc_tx_build_signed(&out, id, CHAIN, type, s, nonce, b->data, b->len, aux),
                     YC_OK);
    *hex = yc_json_hex(out.data, out.len);
    yc_buf_cleanup(&out);
}

/* The signed bytes `hex` (a JSON string, stolen) with co-signatures by cos[0..n) over
 * its id added to those it has (n 0: all of them removed). Returns the new hex. */
static json_t *recosign(json_t *hex, yc_signer *const *cos, uint32_t n)
{
    const char *h = json_string_value(hex);
    size_t len = strlen(h) / 2;
    uint8_t *bytes = malloc(len);
    struct yc_tx tx;
    assert_int_equal(yc_unhex(bytes, len, h, 2 * len), YC_OK);
    assert_int_equal(yc_tx_decode(&tx, bytes, len), YC_OK);
    free(bytes);
    struct yc_cosig cs[YC_TX_MAX_COSIGS];
    uint32_t k = 0;
    for (uint32_t i = 0; n > 0 && i < tx.ncosigs; i++)
        cs[k++] = tx.cosigs[i];
    for (uint32_t i = 0; i < n; i++, k++) {
        uint8_t aux[32] = {9};
        yc_signer_pubkey(cos[i], cs[k].pub);
        assert_int_equal(yc_sig_sign(cos[i], cs[k].sig, tx.id, aux), YC_OK);
    }
    /* sorted by key, as the canonical envelope wants */
    for (uint32_t i = 1; i < k; i++)
        for (uint32_t j = i; j > 0 && memcmp(cs[j - 1].pub, cs[j].pub, YC_PUBKEY_LEN) > 0; j--) {
            struct yc_cosig t = cs[j];
            cs[j] = cs[j - 1];
            cs[j - 1] = t;
        }
    char chain[YC_CHAIN_ID_MAX + 1];
    snprintf(chain, sizeof chain, "%.*s", (int)tx.chain_id.len, tx.chain_id.p);
    struct yc_buf out;
    yc_buf_init(&out, YC_TX_MAX_BYTES);
    assert_int_equal(yc_tx_encode_signed(&out, chain, tx.type, tx.sender, tx.nonce, tx.body,
                                         tx.body_len, tx.sig, cs, k),
                     YC_OK);
    json_t *r = yc_json_hex(out.data, out.len);
    yc_buf_cleanup(&out);
    yc_tx_cleanup(&tx);
    json_decref(hex);
    return r;
}

static void decode_hex_tx(json_t *hex, struct yc_tx *tx)
{
    const char *h = json_string_value(hex);
    size_t len = strlen(h) / 2;
    uint8_t *bytes = malloc(len);
    assert_int_equal(yc_unhex(bytes, len, h, 2 * len), YC_OK);
    assert_int_equal(yc_tx_decode(tx, bytes, len), YC_OK);
    free(bytes);
}

static json_t *proof_j(const struct yc_merkle_proof *p)
{
    json_t *sibs = json_array();
    char ix[16], cn[16];
    for (uint32_t i = 0; i < p->nsiblings; i++)
        json_array_append_new(sibs, yc_json_hex(p->siblings[i], YC_HASH_LEN));
    snprintf(ix, sizeof ix, "%u", p->index);
    snprintf(cn, sizeof cn, "%u", p->count);
    return json_pack("{s:s, s:s, s:o}", "index", ix, "count", cn, "siblings", sibs);
}

/*
 * The receipt of a consent.grant at index 1 of a block of 3 on a chain whose validators are
 * vals, co-signed by `pledgee` (as a type that calls for a co-signature would be), ending
 * with `outcome` (YC_OK: committed; a verdict: failed); the certificate is signed by the
 * validators whose bit is set in `signers`.
 */
static json_t *build_outcome(yc_signer *const *vals, unsigned signers, int outcome)
{
    struct yc_genesis g;
    make_genesis(&g, vals);
    uint8_t ids[3][YC_HASH_LEN];
    json_t *txhex[3];
    struct yc_buf b;
    yc_buf_init(&b, YC_TX_MAX_BYTES);
    union yc_tx_body body;
    memset(&body, 0, sizeof body);
    struct yc_body_consent_grant *cg = &body.consent_grant;
    static const char *const cats[] = {"health", "fitness"};
    for (uint32_t i = 0; i < 2; i++)
        cg->categories.items[cg->categories.n++] = (struct yc_slice){cats[i], strlen(cats[i])};
    cg->purposes.items[cg->purposes.n++] = (struct yc_slice){"research", 8};
    cg->operations.items[cg->operations.n++] = (struct yc_slice){"use", 3};
    cg->jurisdiction = (struct yc_slice){"CN-CQ", 5};
    cg->until = 1900000000000ull;
    memcpy(cg->processor, proc_pub, YC_PUBKEY_LEN);
    assert_int_equal(yc_tx_body_encode(&b, YC_TX_CONSENT_GRANT, &body,
                                       yc_tx_body_present(YC_TX_CONSENT_GRANT, &body)),
                     YC_OK);
    sign_tx(alice, YC_TX_CONSENT_GRANT, 0, &b, &txhex[1], ids[1]);
    txhex[1] = recosign(txhex[1], &pledgee, 1);
    for (int i = 0; i < 3; i += 2) {
        b.len = 0;
        memset(&body, 0, sizeof body);
        body.token.has_to = true;
        memcpy(body.token.to, proc_pub, YC_PUBKEY_LEN);
        body.token.amount = 100u + (unsigned)i;
        assert_int_equal(yc_tx_body_encode(&b, YC_TX_TOKEN_ISSUE, &body,
                                           yc_tx_body_present(YC_TX_TOKEN_ISSUE, &body)),
                         YC_OK);
        sign_tx(exchange, YC_TX_TOKEN_ISSUE, (uint64_t)i, &b, &txhex[i], ids[i]);
    }
    yc_buf_cleanup(&b);
    struct yc_tx txs[3];
    for (int i = 0; i < 3; i++)
        decode_hex_tx(txhex[i], &txs[i]);
    int results[3] = {YC_OK, outcome, YC_OK};

    struct yc_block_header h;
    memset(&h, 0, sizeof h);
    strcpy(h.chain_id, CHAIN);
    h.height = HEIGHT;
    h.proposer = 3;
    h.time_ms = 1795000000000ull;
    h.version = YC_BLOCK_VERSION;
    memset(h.prev_hash, 0x11, YC_HASH_LEN);
    memset(h.state_root, 0x22, YC_HASH_LEN);
    h.tx_count = 3;
    assert_int_equal(yc_block_tx_root(h.tx_root, CHAIN, txs, 3), YC_OK);
    assert_int_equal(yc_block_result_root(h.result_root, CHAIN, txs, results, 3), YC_OK);
    uint8_t leaves[3][YC_HASH_LEN], rleaves[3][YC_HASH_LEN];
    for (int i = 0; i < 3; i++) {
        yc_signed_tx_hash(leaves[i], CHAIN, &txs[i]);
        yc_result_hash(rleaves[i], CHAIN, txs[i].id, results[i]);
        yc_tx_cleanup(&txs[i]);
    }
    struct yc_merkle_proof proof, rproof;
    assert_int_equal(yc_merkle_prove(&proof, CHAIN, (const uint8_t(*)[YC_HASH_LEN])leaves, 3, 1),
                     YC_OK);
    assert_int_equal(yc_merkle_prove(&rproof, CHAIN, (const uint8_t(*)[YC_HASH_LEN])rleaves, 3, 1),
                     YC_OK);
    struct yc_buf hdr;
    yc_buf_init(&hdr, 4096);
    assert_int_equal(yc_header_encode(&h, &hdr), YC_OK);
    uint8_t hash[YC_HASH_LEN], vote[YC_HASH_LEN];
    assert_int_equal(yc_header_hash(&h, hash), YC_OK);
    yc_vote_hash(vote, CHAIN, "commit", HEIGHT, 0, hash);

    json_t *sigs = json_array();
    for (int i = 0; i < NVAL; i++) {
        if ((signers & (1u << i)) == 0)
            continue;
        uint8_t sig[YC_SIG_LEN], aux[32] = {(uint8_t)i};
        assert_int_equal(yc_sig_sign(vals[i], sig, vote, aux), YC_OK);
        json_array_append_new(
            sigs, json_pack("{s:i, s:o}", "validator", i, "sig", yc_json_hex(sig, YC_SIG_LEN)));
    }
    /* the node's tx_proof answer (docs/rpc.md) */
    json_t *tp =
        json_pack("{s:o, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:{s:s, s:o}, "
                  "s:o}",
                  "id", yc_json_hex(ids[1], YC_HASH_LEN), "chain_id", CHAIN, "height", "7", "index",
                  "1", "status", outcome == YC_OK ? "committed" : "failed", "code",
                  yc_err_name(outcome), "tx", txhex[1], "proof", proof_j(&proof), "result_proof",
                  proof_j(&rproof), "header_raw", yc_json_hex(hdr.data, hdr.len), "certificate",
                  "view", "0", "signatures", sigs, "block_hash", yc_json_hex(hash, YC_HASH_LEN));
    assert_non_null(tp);
    json_decref(txhex[0]);
    json_decref(txhex[2]);
    yc_buf_cleanup(&hdr);
    json_t *doc = receipt_compose(tp, &g);
    assert_non_null(doc);
    json_decref(tp);
    yc_genesis_cleanup(&g);
    return doc;
}

static json_t *build(yc_signer *const *vals, unsigned signers)
{
    return build_outcome(vals, signers, YC_OK);
}

static json_t *good(void)
{
    return build(validators, 0xb); /* validators 0, 1 and 3 */
}

/* Renders doc (stolen) as text and parses it back: the path every file takes. */
static int parse_doc(json_t *doc, struct receipt *r, char *err, size_t errlen)
{
    char *text = json_dumps(doc, JSON_INDENT(1));
    json_decref(doc);
    assert_non_null(text);
    int rc = receipt_parse(r, text, strlen(text), err, errlen);
    free(text);
    return rc;
}

/* Verifies doc (stolen) under trust; returns the failed check's name, or NULL if verified. */
static const char *verify_doc(json_t *doc, const struct receipt_trust *trust, char *msg,
                              size_t msglen)
{
    struct receipt r;
    char err[512];
    int rc = parse_doc(doc, &r, err, sizeof err);
    if (rc != YC_OK)
        print_message("parse: %s\n", err);
    assert_int_equal(rc, YC_OK);
    struct receipt_verdict v;
    struct yc_tx tx;
    bool ok = receipt_verify(&r, trust, &v, &tx);
    if (msg != NULL)
        snprintf(msg, msglen, "%s", v.message);
    if (ok)
        yc_tx_cleanup(&tx);
    receipt_cleanup(&r);
    assert_true(ok == (v.check == NULL));
    return v.check;
}

static const struct receipt_trust NO_ANCHOR = {.kind = RECEIPT_ANCHOR_NONE};

static struct receipt_trust hash_anchor(const uint8_t h[YC_HASH_LEN])
{
    struct receipt_trust t = {.kind = RECEIPT_ANCHOR_HASH};
    memcpy(t.hash, h, YC_HASH_LEN);
    return t;
}

/* Flips one bit of the hex string member `key` of o at hex digit `pos` (from the end if
 * negative). */
static void flip(json_t *o, const char *key, long pos)
{
    const char *s = json_string_value(json_object_get(o, key));
    assert_non_null(s);
    char *c = strdup(s);
    size_t n = strlen(c), at = pos >= 0 ? (size_t)pos : n - (size_t)(-pos);
    assert_true(at < n);
    c[at] = c[at] == '0' ? '1' : '0';
    json_object_set_new(o, key, json_string(c));
    free(c);
}

/* Hex digit offset of `needle` (hex) in member `key`'s hex string; fails if absent. */
static long hex_offset(json_t *o, const char *key, const char *needle)
{
    const char *s = json_string_value(json_object_get(o, key));
    const char *p = strstr(s, needle);
    assert_non_null(p);
    assert_true((p - s) % 2 == 0);
    return (long)(p - s);
}

static void test_good_receipt_verifies(void **state)
{
    (void)state;
    struct yc_genesis g;
    make_genesis(&g, validators);
    assert_memory_equal(real_genesis_hash, g.hash, YC_HASH_LEN);

    struct receipt r;
    char err[512];
    assert_int_equal(parse_doc(good(), &r, err, sizeof err), YC_OK);
    assert_int_equal(r.nvalidators, NVAL);
    assert_int_equal(r.own.cert.nsigs, 3);
    assert_int_equal(r.own.proof.nsiblings, 2);
    assert_memory_equal(r.genesis.hash, g.hash, YC_HASH_LEN);

    struct receipt_verdict v;
    struct yc_tx tx;
    assert_true(receipt_verify(&r, &NO_ANCHOR, &v, &tx));
    assert_null(v.check);
    assert_int_equal(v.signers, 3);
    assert_int_equal(v.nvalidators, 4);
    assert_int_equal(v.quorum, 3);
    assert_int_equal(v.header.height, HEIGHT);
    json_t *sum = receipt_summary(&r, &tx, &v.header);
    assert_string_equal(json_string_value(json_object_get(sum, "type")), "consent.grant");
    assert_string_equal(json_string_value(json_object_get(sum, "height")), "7");
    assert_string_equal(json_string_value(json_object_get(sum, "index")), "1");
    char proc[YC_ADDR_MAX];
    assert_int_equal(yc_addr_encode(proc, proc_pub), YC_OK);
    assert_string_equal(json_string_value(json_object_get(sum, "processor")), proc);
    assert_string_equal(json_string_value(json_array_get(json_object_get(sum, "categories"), 1)),
                        "fitness"); /* in the order given */
    /* a consent's times as the node shows them: ms, and RFC 3339 beside */
    assert_string_equal(json_string_value(json_object_get(sum, "until")), "1900000000000");
    assert_string_equal(json_string_value(json_object_get(sum, "until_time")),
                        "2030-03-17T17:46:40.000Z");
    json_decref(sum);
    yc_tx_cleanup(&tx);

    struct receipt_trust t = hash_anchor(g.hash);
    assert_true(receipt_verify(&r, &t, &v, NULL));
    t = (struct receipt_trust){.kind = RECEIPT_ANCHOR_FILE, .genesis = &g};
    assert_true(receipt_verify(&r, &t, &v, NULL));

    /* rendering and parsing again gives the same receipt, byte for byte */
    char *t1 = receipt_render(&r);
    struct receipt r2;
    assert_int_equal(receipt_parse(&r2, t1, strlen(t1), err, sizeof err), YC_OK);
    char *t2 = receipt_render(&r2);
    assert_string_equal(t1, t2);
    assert_int_equal(t1[strlen(t1) - 1], '\n');
    free(t1);
    free(t2);
    receipt_cleanup(&r2);
    receipt_cleanup(&r);
    yc_genesis_cleanup(&g);
}

static void want_check(json_t *doc, const struct receipt_trust *t, const char *check,
                       const char *in_message)
{
    char msg[512];
    const char *got = verify_doc(doc, t, msg, sizeof msg);
    if (got == NULL || strcmp(got, check) != 0 || strstr(msg, in_message) == NULL)
        print_message("want %s (\"%s\"), got %s: %s\n", check, in_message, got ? got : "ok", msg);
    assert_non_null(got);
    assert_string_equal(got, check);
    assert_non_null(strstr(msg, in_message));
}

/* Sets the stated tx_id to the id of the (tampered) tx bytes. */
static void set_tx_id(json_t *d)
{
    const char *h = json_string_value(json_object_get(d, "tx"));
    size_t n = strlen(h) / 2;
    uint8_t *bytes = malloc(n);
    struct yc_tx tx;
    assert_int_equal(yc_unhex(bytes, n, h, 2 * n), YC_OK);
    assert_int_equal(yc_tx_decode(&tx, bytes, n), YC_OK);
    json_object_set_new(d, "tx_id", yc_json_hex(tx.id, YC_HASH_LEN));
    yc_tx_cleanup(&tx);
    free(bytes);
}

static void test_tampered_tx(void **state)
{
    (void)state;
    /* a byte of the signature: decodes, same id, signature fails */
    json_t *d = good();
    flip(d, "tx", hex_offset(d, "tx", "a3736967c441") + 12 + 20);
    want_check(d, &NO_ANCHOR, "signature", "signature");
    /* a byte of the body ("health" → "hualth"): another id than the stated one */
    d = good();
    flip(d, "tx", hex_offset(d, "tx", "6865616c7468") + 3);
    want_check(d, &NO_ANCHOR, "tx", "id");
    /* ... and with the stated id changed to match, the sender's signature no longer does */
    d = good();
    flip(d, "tx", hex_offset(d, "tx", "6865616c7468") + 3);
    set_tx_id(d);
    want_check(d, &NO_ANCHOR, "signature", "signature"); /* the signature covers the id */
    /* truncated: does not decode */
    d = good();
    const char *h = json_string_value(json_object_get(d, "tx"));
    char *cut = strndup(h, strlen(h) - 2);
    json_object_set_new(d, "tx", json_string(cut));
    free(cut);
    want_check(d, &NO_ANCHOR, "tx", "do not decode");
}

static void test_tampered_proof_and_header(void **state)
{
    (void)state;
    /* a sibling */
    json_t *d = good();
    flip(json_object_get(d, "proof"), "index", 0); /* "1" -> "0" */
    want_check(d, &NO_ANCHOR, "tx_root", "tx_root");
    d = good();
    json_t *sibs = json_object_get(json_object_get(d, "proof"), "siblings");
    char *s = strdup(json_string_value(json_array_get(sibs, 0)));
    s[5] = s[5] == 'a' ? 'b' : 'a';
    json_array_set_new(sibs, 0, json_string(s));
    free(s);
    want_check(d, &NO_ANCHOR, "tx_root", "tx_root");
    /* the header: its state root (hash changes), its tx root (proof fails), its height */
    d = good();
    flip(d, "header_raw", hex_offset(d, "header_raw", "2222") + 10);
    want_check(d, &NO_ANCHOR, "block_hash", "hashes to");
    d = good();
    flip(d, "header_raw", hex_offset(d, "header_raw", "a774785f726f6f74c420") + 20 + 6);
    want_check(d, &NO_ANCHOR, "tx_root", "tx_root");
    d = good();
    flip(d, "header_raw", 1); /* not a map of 11 any more */
    want_check(d, &NO_ANCHOR, "header", "canonical");
    /* the block hash */
    d = good();
    flip(d, "block_hash", 17);
    want_check(d, &NO_ANCHOR, "block_hash", "hashes to");
    /* the stated height */
    d = good();
    json_object_set_new(d, "height", json_string("8"));
    want_check(d, &NO_ANCHOR, "height", "height 7");
}

/* F6: what the certificate binds through tx_root: every signature and co-signature. */
static void test_cosignature_added_changed_stripped(void **state)
{
    (void)state;
    /* stripped: the id and the sender's signature still hold, the signed bytes do not */
    json_t *d = good();
    json_object_set_new(d, "tx", recosign(json_incref(json_object_get(d, "tx")), NULL, 0));
    want_check(d, &NO_ANCHOR, "tx_root", "co-signature was added, changed or stripped");
    /* added: a second co-signature, itself valid, that was not in the block */
    d = good();
    json_object_set_new(d, "tx", recosign(json_incref(json_object_get(d, "tx")), &exchange, 1));
    want_check(d, &NO_ANCHOR, "tx_root", "co-signature was added, changed or stripped");
    /* changed: a bit of the co-signature */
    d = good();
    struct yc_tx tx;
    decode_hex_tx(json_object_get(d, "tx"), &tx);
    char cosig_hex[2 * YC_SIG_LEN + 1];
    yc_hex(cosig_hex, tx.cosigs[0].sig, YC_SIG_LEN);
    yc_tx_cleanup(&tx);
    flip(d, "tx", hex_offset(d, "tx", cosig_hex) + 10);
    want_check(d, &NO_ANCHOR, "signature", "");
    /* the sender's signature replaced by another valid-looking one: signature check */
    d = good();
    flip(d, "tx", hex_offset(d, "tx", "a3736967c441") + 12 + 40);
    want_check(d, &NO_ANCHOR, "signature", "");
}

/* The outcome is bound by result_root: flipping it is caught; a failure proves as one. */
static void test_outcome(void **state)
{
    (void)state;
    /* committed → claimed failed */
    json_t *d = good();
    json_object_set_new(d, "status", json_string("failed"));
    json_object_set_new(d, "code", json_string("insufficient_balance"));
    want_check(d, &NO_ANCHOR, "result_root", "does not prove into the header's result_root");
    /* status and code that disagree */
    d = good();
    json_object_set_new(d, "status", json_string("failed"));
    want_check(d, &NO_ANCHOR, "outcome", "status says failed but the code is ok");
    /* the result proof at another position than the tx's */
    d = good();
    json_object_set_new(json_object_get(d, "result_proof"), "index", json_string("2"));
    want_check(d, &NO_ANCHOR, "result_root", "position 2");

    /* a failed transaction's receipt verifies, as failed */
    json_t *f = build_outcome(validators, 0xb, YC_EBALANCE);
    struct receipt r;
    char err[512];
    assert_int_equal(parse_doc(json_deep_copy(f), &r, err, sizeof err), YC_OK);
    assert_int_equal(r.own.outcome, YC_EBALANCE);
    struct receipt_verdict v;
    struct yc_tx tx;
    struct receipt_trust t = hash_anchor(real_genesis_hash);
    assert_true(receipt_verify(&r, &t, &v, &tx));
    json_t *sum = receipt_summary(&r, &tx, &v.header);
    assert_string_equal(json_string_value(json_object_get(sum, "status")), "failed");
    assert_string_equal(json_string_value(json_object_get(sum, "code")), "insufficient_balance");
    json_decref(sum);
    yc_tx_cleanup(&tx);
    receipt_cleanup(&r);
    /* ... and cannot be passed off as a success */
    d = json_deep_copy(f);
    json_object_set_new(d, "status", json_string("committed"));
    json_object_set_new(d, "code", json_string("ok"));
    want_check(d, &t, "result_root", "does not prove");
    /* ... nor as another failure */
    d = f;
    json_object_set_new(d, "code", json_string("frozen"));
    want_check(d, &t, "result_root", "the outcome frozen");
}

static void test_tampered_certificate(void **state)
{
    (void)state;
    /* only 2 signatures of 4 */
    json_t *d = build(validators, 0x3);
    want_check(d, &NO_ANCHOR, "certificate", "quorum is 3 of 4");
    /* one signature dropped from a good certificate */
    d = good();
    json_array_remove(json_object_get(json_object_get(d, "certificate"), "signatures"), 2);
    want_check(d, &NO_ANCHOR, "certificate", "2 COMMIT signatures");
    /* validator 3's signature made by a key not in the genesis */
    json_t *forged = build(outsiders, 0x8);
    json_t *fsig =
        json_array_get(json_object_get(json_object_get(forged, "certificate"), "signatures"), 0);
    d = good();
    json_array_set(json_object_get(json_object_get(d, "certificate"), "signatures"), 2, fsig);
    json_decref(forged);
    want_check(d, &NO_ANCHOR, "certificate", "validator 3 (v3)");
    /* a validator index outside the set */
    d = good();
    json_t *s2 =
        json_array_get(json_object_get(json_object_get(d, "certificate"), "signatures"), 2);
    json_object_set_new(s2, "validator", json_integer(9));
    want_check(d, &NO_ANCHOR, "certificate", "names validator 9");
    /* the same signature twice */
    d = good();
    json_t *sigs = json_object_get(json_object_get(d, "certificate"), "signatures");
    json_array_set(sigs, 1, json_array_get(sigs, 0));
    want_check(d, &NO_ANCHOR, "certificate", "repeated");
    /* another view than the one signed */
    d = good();
    json_object_set_new(json_object_get(d, "certificate"), "view", json_string("1"));
    want_check(d, &NO_ANCHOR, "certificate", "validator 0");
}

static void test_genesis_anchor(void **state)
{
    (void)state;
    uint8_t other[YC_HASH_LEN];
    memcpy(other, real_genesis_hash, YC_HASH_LEN);
    other[0] ^= 1;
    struct receipt_trust wrong = hash_anchor(other), right = hash_anchor(real_genesis_hash);
    want_check(good(), &wrong, "genesis", "not the trusted");

    /* a whole chain forged with other validators verifies only when not anchored */
    json_t *forged = build(outsiders, 0x7);
    assert_null(verify_doc(json_deep_copy(forged), &NO_ANCHOR, NULL, 0));
    want_check(json_deep_copy(forged), &right, "genesis", "not the trusted");
    struct yc_genesis g;
    make_genesis(&g, validators);
    struct receipt_trust file = {.kind = RECEIPT_ANCHOR_FILE, .genesis = &g};
    want_check(forged, &file, "genesis", "genesis file hashes to");
    yc_genesis_cleanup(&g);

    /* the listed validators must be the genesis's */
    json_t *d = good();
    json_t *v1 = json_array_get(json_object_get(d, "validators"), 1);
    uint8_t pub[YC_PUBKEY_LEN];
    yc_signer_pubkey(outsiders[1], pub);
    json_object_set_new(v1, "pub_key", yc_json_hex(pub, YC_PUBKEY_LEN));
    want_check(d, &right, "genesis", "validator 1");
    /* the embedded genesis must hash to the stated hash */
    d = good();
    json_t *gv = json_array_get(json_object_get(json_object_get(d, "genesis"), "validators"), 2);
    json_object_set_new(gv, "name", json_string("mallory"));
    want_check(d, &NO_ANCHOR, "genesis", "embedded genesis hashes to");
    /* a stated genesis hash that is not the embedded genesis's */
    d = good();
    flip(d, "genesis_hash", 0);
    want_check(d, &NO_ANCHOR, "genesis", "embedded genesis hashes to");
}

/* Parses doc (stolen); expects failure with `code` and a message containing `in_err`. */
static void expect_bad(json_t *doc, int code, const char *in_err)
{
    struct receipt r;
    char err[512];
    int rc = parse_doc(doc, &r, err, sizeof err);
    if (rc != code || strstr(err, in_err) == NULL)
        print_message("want %d (\"%s\"), got %d: %s\n", code, in_err, rc, err);
    assert_int_equal(rc, code);
    assert_non_null(strstr(err, in_err));
    receipt_cleanup(&r); /* cleared on failure: a no-op */
}

static json_t *repeat_array(json_t *item, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append(a, item);
    json_decref(item);
    return a;
}

static void test_malformed(void **state)
{
    (void)state;
    struct receipt r;
    char err[512];
    /* not JSON, not an object, oversized */
    assert_int_equal(receipt_parse(&r, "{\"version\":", 11, err, sizeof err), YC_EDECODE);
    assert_int_equal(receipt_parse(&r, "[1]", 3, err, sizeof err), YC_EDECODE);
    assert_int_equal(receipt_parse(&r, "{\"a\":1,\"a\":2}", 13, err, sizeof err), YC_EDECODE);
    size_t big = RECEIPT_MAX_BYTES + 1;
    char *huge = malloc(big);
    memset(huge, ' ', big);
    assert_int_equal(receipt_parse(&r, huge, big, err, sizeof err), YC_ELIMIT);
    free(huge);

    json_t *d = good();
    json_object_set_new(d, "version", json_integer(1)); /* the format before outcomes */
    expect_bad(d, YC_EBADFIELD, "version");
    d = good();
    json_object_set_new(d, "status", json_string("pending"));
    expect_bad(d, YC_EBADFIELD, "status");
    d = good();
    json_object_set_new(d, "code", json_string("no_such_code"));
    expect_bad(d, YC_EBADFIELD, "code");
    d = good();
    json_object_del(d, "result_proof");
    expect_bad(d, YC_EBADFIELD, "missing member \"result_proof\"");
    d = good();
    json_object_del(d, "block_hash");
    expect_bad(d, YC_EBADFIELD, "missing member \"block_hash\"");
    d = good();
    json_object_set_new(d, "extra", json_true());
    expect_bad(d, YC_EBADFIELD, "unknown member");
    d = good();
    json_object_set_new(d, "chain_id", json_string(""));
    expect_bad(d, YC_EBADFIELD, "chain_id");
    /* hex: uppercase, wrong length, odd length, not a string */
    d = good();
    char *up = strdup(json_string_value(json_object_get(d, "block_hash")));
    for (char *p = up; *p; p++)
        if (*p >= 'a' && *p <= 'f')
            *p = (char)(*p - 'a' + 'A');
    json_object_set_new(d, "block_hash", json_string(up));
    free(up);
    expect_bad(d, YC_EBADFIELD, "block_hash");
    d = good();
    json_object_set_new(d, "genesis_hash", json_string("abcd"));
    expect_bad(d, YC_EBADFIELD, "genesis_hash");
    d = good();
    json_object_set_new(d, "tx", json_string("abc"));
    expect_bad(d, YC_EBADFIELD, "tx");
    d = good();
    json_object_set_new(d, "tx_id", json_integer(5));
    expect_bad(d, YC_EBADFIELD, "tx_id");
    /* caps: a tx over 64 KiB, a header over 1 KiB, 33 siblings, 65 validators, 65 sigs */
    d = good();
    char *longhex = malloc(2 * YC_TX_MAX_BYTES + 3);
    memset(longhex, 'a', 2 * YC_TX_MAX_BYTES + 2);
    longhex[2 * YC_TX_MAX_BYTES + 2] = '\0';
    json_object_set_new(d, "tx", json_string(longhex));
    expect_bad(d, YC_EBADFIELD, "tx");
    d = good();
    longhex[2 * RECEIPT_HEADER_MAX + 2] = '\0';
    json_object_set_new(d, "header_raw", json_string(longhex));
    free(longhex);
    expect_bad(d, YC_EBADFIELD, "header_raw");
    d = good();
    json_t *p = json_object_get(d, "proof");
    json_object_set_new(
        p, "siblings",
        repeat_array(json_string(json_string_value(json_object_get(d, "block_hash"))),
                     YC_MERKLE_MAX_DEPTH + 1));
    expect_bad(d, YC_EBADFIELD, "siblings");
    d = good();
    json_object_set_new(json_object_get(d, "proof"), "index", json_string("3"));
    expect_bad(d, YC_EBADFIELD, "proof: index 3");
    d = good();
    json_object_set_new(json_object_get(d, "proof"), "count", json_string("-1"));
    expect_bad(d, YC_EBADFIELD, "count");
    d = good();
    json_object_set_new(
        d, "validators",
        repeat_array(json_deep_copy(json_array_get(json_object_get(d, "validators"), 0)),
                     YC_MAX_VALIDATORS + 1));
    expect_bad(d, YC_EBADFIELD, "validators");
    d = good();
    json_t *vals = json_object_get(d, "validators");
    json_object_set_new(json_array_get(vals, 2), "index", json_integer(1));
    expect_bad(d, YC_EBADFIELD, "validators[2].index");
    d = good();
    json_t *c = json_object_get(d, "certificate");
    json_object_set_new(
        c, "signatures",
        repeat_array(json_deep_copy(json_array_get(json_object_get(c, "signatures"), 0)),
                     YC_MAX_VALIDATORS + 1));
    expect_bad(d, YC_EBADFIELD, "signatures");
    d = good();
    c = json_object_get(d, "certificate");
    json_object_set_new(json_array_get(json_object_get(c, "signatures"), 0), "validator",
                        json_integer(-1));
    expect_bad(d, YC_EBADFIELD, "certificate.signatures[0]");
    d = good();
    json_object_set_new(d, "genesis", json_string("not a document"));
    expect_bad(d, YC_EBADFIELD, "genesis");
    d = good();
    json_object_set_new(json_object_get(d, "genesis"), "chain_id", json_integer(3));
    expect_bad(d, YC_EBADFIELD, "genesis: ");
}

/* Runs the wallet program in-process with stdout to a file; returns its exit code. */
static int wallet(const char *a1, const char *a2, const char *a3, const char *a4)
{
    char wdir[128];
    snprintf(wdir, sizeof wdir, "--wallet-dir=%s/w", tmpdir);
    char *argv[8] = {"yuchain-wallet", wdir,       "--json",   (char *)a1,
                     (char *)a2,       (char *)a3, (char *)a4, NULL};
    int argc = 3;
    while (argc < 7 && argv[argc] != NULL)
        argc++;
    fflush(stdout);
    return wallet_main(argc, argv);
}

static void write_file(const char *path, const char *text)
{
    assert_int_equal(yc_file_write_atomic(path, text, strlen(text), 0644, true), YC_OK);
}

static void test_verify_command(void **state)
{
    (void)state;
    char path[128], bad[128], gpath[128], hex[2 * YC_HASH_LEN + 1], other[2 * YC_HASH_LEN + 1];
    snprintf(path, sizeof path, "%s/receipt.json", tmpdir);
    snprintf(bad, sizeof bad, "%s/bad.json", tmpdir);
    snprintf(gpath, sizeof gpath, "%s/genesis.json", tmpdir);
    struct receipt r;
    char err[512];
    json_t *d = good();
    char *gtext = json_dumps(json_object_get(d, "genesis"), JSON_INDENT(2));
    write_file(gpath, gtext);
    free(gtext);
    assert_int_equal(parse_doc(d, &r, err, sizeof err), YC_OK);
    char *text = receipt_render(&r);
    write_file(path, text);
    free(text);
    yc_hex(hex, r.genesis_hash, YC_HASH_LEN);
    memcpy(other, hex, sizeof other);
    other[0] = other[0] == '0' ? '1' : '0';
    receipt_cleanup(&r);

    assert_int_equal(wallet("verify-receipt", path, NULL, NULL), YC_EXIT_OK);
    assert_int_equal(wallet("verify-receipt", path, "--genesis-hash", hex), YC_EXIT_OK);
    assert_int_equal(wallet("verify-receipt", path, "--genesis", gpath), YC_EXIT_OK);
    assert_int_equal(wallet("verify-receipt", path, "--genesis-hash", other), YC_EXIT_FAIL);
    assert_int_equal(wallet("verify-receipt", path, "--genesis-hash", "xyz"), YC_EXIT_DATAERR);
    assert_int_equal(wallet("verify-receipt", path, "--genesis", bad), YC_EXIT_IOERR);
    assert_int_equal(wallet("verify-receipt", bad, NULL, NULL), YC_EXIT_IOERR);
    write_file(bad, "{\"version\": 1}");
    assert_int_equal(wallet("verify-receipt", bad, NULL, NULL), YC_EXIT_DATAERR);
    assert_int_equal(wallet("verify-receipt", path, "--genesis", bad), YC_EXIT_DATAERR);
    d = good();
    flip(d, "block_hash", 3);
    text = json_dumps(d, 0);
    json_decref(d);
    write_file(bad, text);
    free(text);
    assert_int_equal(wallet("verify-receipt", bad, NULL, NULL), YC_EXIT_FAIL);
    /* a failed transaction's receipt: verified (exit 0), and said to have failed */
    assert_int_equal(parse_doc(build_outcome(validators, 0xb, YC_ENOTAUTH), &r, err, sizeof err),
                     YC_OK);
    text = receipt_render(&r);
    receipt_cleanup(&r);
    write_file(bad, text);
    free(text);
    char out[160];
    snprintf(out, sizeof out, "%s/out.json", tmpdir);
    fflush(stdout);
    int saved = dup(1);
    FILE *o = fopen(out, "w");
    assert_non_null(o);
    dup2(fileno(o), 1);
    int ex = wallet("verify-receipt", bad, "--genesis", gpath);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    fclose(o);
    assert_int_equal(ex, YC_EXIT_OK);
    json_t *res = json_load_file(out, 0, NULL);
    assert_non_null(res);
    assert_true(json_is_true(json_object_get(res, "ok")));
    assert_string_equal(json_string_value(json_object_get(res, "status")), "failed");
    assert_string_equal(json_string_value(json_object_get(res, "code")), "not_authorized");
    json_decref(res);
    char opt[200];
    snprintf(opt, sizeof opt, "--genesis=%s", gpath);
    assert_int_equal(wallet("verify-receipt", path, opt, "--genesis-hash=00"), YC_EXIT_USAGE);
}

/* ---- receipts across validator-set changes ---- */

/* The tx_proof answer of signed tx `txhex` (stolen), alone in a committed block at height h,
 * certified by the signers of set[0..n) whose bit is in `signers` (index = position). */
static json_t *one_tx_block(json_t *txhex, uint64_t h, yc_signer *const *set, unsigned n,
                            unsigned signers)
{
    struct yc_tx tx;
    decode_hex_tx(txhex, &tx);
    struct yc_block_header hd;
    memset(&hd, 0, sizeof hd);
    strcpy(hd.chain_id, CHAIN);
    hd.height = h;
    hd.time_ms = 1795000000000ull + h;
    hd.version = YC_BLOCK_VERSION;
    hd.tx_count = 1;
    int ok = YC_OK;
    assert_int_equal(yc_block_tx_root(hd.tx_root, CHAIN, &tx, 1), YC_OK);
    assert_int_equal(yc_block_result_root(hd.result_root, CHAIN, &tx, &ok, 1), YC_OK);
    uint8_t leaf[1][YC_HASH_LEN], rleaf[1][YC_HASH_LEN], hash[YC_HASH_LEN], vote[YC_HASH_LEN];
    yc_signed_tx_hash(leaf[0], CHAIN, &tx);
    yc_result_hash(rleaf[0], CHAIN, tx.id, YC_OK);
    struct yc_merkle_proof proof, rproof;
    assert_int_equal(yc_merkle_prove(&proof, CHAIN, (const uint8_t(*)[YC_HASH_LEN])leaf, 1, 0),
                     YC_OK);
    assert_int_equal(yc_merkle_prove(&rproof, CHAIN, (const uint8_t(*)[YC_HASH_LEN])rleaf, 1, 0),
                     YC_OK);
    struct yc_buf hdr;
    yc_buf_init(&hdr, 4096);
    assert_int_equal(yc_header_encode(&hd, &hdr), YC_OK);
    assert_int_equal(yc_header_hash(&hd, hash), YC_OK);
    yc_vote_hash(vote, CHAIN, "commit", h, 0, hash);
    json_t *sigs = json_array();
    for (unsigned i = 0; i < n; i++) {
        if ((signers & (1u << i)) == 0)
            continue;
        uint8_t sig[YC_SIG_LEN], aux[32] = {(uint8_t)i};
        assert_int_equal(yc_sig_sign(set[i], sig, vote, aux), YC_OK);
        json_array_append_new(sigs, json_pack("{s:i, s:o}", "validator", (int)i, "sig",
                                              yc_json_hex(sig, YC_SIG_LEN)));
    }
    char hs[24];
    snprintf(hs, sizeof hs, "%llu", (unsigned long long)h);
    json_t *tp = json_pack("{s:o, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:{s:s, s:o}, s:o}",
                           "id", yc_json_hex(tx.id, YC_HASH_LEN), "chain_id", CHAIN, "height", hs,
                           "index", "0", "status", "committed", "code", "ok", "tx", txhex, "proof",
                           proof_j(&proof), "result_proof", proof_j(&rproof), "header_raw",
                           yc_json_hex(hdr.data, hdr.len), "certificate", "view", "0", "signatures",
                           sigs, "block_hash", yc_json_hex(hash, YC_HASH_LEN));
    assert_non_null(tp);
    yc_tx_cleanup(&tx);
    yc_buf_cleanup(&hdr);
    return tp;
}

/*
 * Genesis: validators 0..3, of the organisations exchange (0, 1) and alice (2, 3),
 * valset_delay 2. At height 5 the exchange proposes replacing validator 3's key by
 * outsiders[0] (weight 2 of quorum 3), at height 6 alice approves (weight 4): fixed at 6,
 * in force from 8. The receipt is of a token issue at `h`, certified by validators 0, 1
 * and 3 of the set in force there (with outsiders[0] as validator 3 from height 8).
 */
static json_t *changed_receipt(uint64_t h, bool with_changes, bool with_approval)
{
    struct yc_genesis g;
    make_genesis(&g, validators);
    yc_genesis_cleanup(&g);
    memset(&g, 0, sizeof g);
    strcpy(g.chain_id, CHAIN);
    g.genesis_time_ms = 1790000000000ull;
    yc_params_default(&g.params);
    g.nvalidators = NVAL;
    g.accounts = yc_calloc(2, sizeof *g.accounts);
    assert_non_null(g.accounts);
    g.naccounts = 2;
    yc_signer *orgs[2] = {exchange, alice};
    for (int i = 0; i < 2; i++) {
        yc_signer_pubkey(orgs[i], g.accounts[i].pub);
        strcpy(g.accounts[i].role, i == 0 ? "exchange" : "agency");
        strcpy(g.accounts[i].name, i == 0 ? "exchange" : "agency");
        strcpy(g.accounts[i].jurisdiction, "CN-CQ");
    }
    for (int i = 0; i < NVAL; i++) {
        snprintf(g.validators[i].name, sizeof g.validators[i].name, "v%d", i);
        yc_signer_pubkey(validators[i], g.validators[i].pub);
        yc_signer_pubkey(orgs[i / 2], g.validators[i].org);
    }
    assert_int_equal(yc_genesis_finalize(&g), YC_OK);

    union yc_tx_body body;
    uint32_t at;
    struct yc_buf b;
    json_t *hex;
    uint8_t pid[YC_HASH_LEN], id[YC_HASH_LEN];
    yc_buf_init(&b, YC_TX_MAX_BYTES);
    memset(&body, 0, sizeof body);
    body.validator_propose.action = (struct yc_slice){"replace_key", 11};
    yc_signer_pubkey(validators[3], body.validator_propose.pub);
    yc_signer_pubkey(outsiders[0], body.validator_propose.new_pub);
    assert_non_null(yc_tx_schema_field(yc_tx_schema(YC_TX_VALIDATOR_PROPOSE), "new_pub", &at));
    assert_int_equal(yc_tx_body_encode(&b, YC_TX_VALIDATOR_PROPOSE, &body, 1ull << at), YC_OK);
    sign_tx(exchange, YC_TX_VALIDATOR_PROPOSE, 0, &b, &hex, pid);
    json_t *propose = one_tx_block(hex, 5, validators, NVAL, 0x7);
    memset(&body, 0, sizeof body);
    memcpy(body.validator_ref.proposal, pid, YC_HASH_LEN);
    b.len = 0;
    assert_int_equal(yc_tx_body_encode(&b, YC_TX_VALIDATOR_APPROVE, &body, 0), YC_OK);
    sign_tx(alice, YC_TX_VALIDATOR_APPROVE, 0, &b, &hex, id);
    json_t *approve = one_tx_block(hex, 6, validators, NVAL, 0xb);
    b.len = 0;
    memset(&body, 0, sizeof body);
    body.token.has_to = true;
    memcpy(body.token.to, proc_pub, YC_PUBKEY_LEN);
    body.token.amount = 5;
    assert_int_equal(yc_tx_body_encode(&b, YC_TX_TOKEN_ISSUE, &body,
                                       yc_tx_body_present(YC_TX_TOKEN_ISSUE, &body)),
                     YC_OK);
    sign_tx(exchange, YC_TX_TOKEN_ISSUE, 1, &b, &hex, id);
    yc_signer *now[NVAL] = {validators[0], validators[1], validators[2],
                            h >= 8 ? outsiders[0] : validators[3]};
    json_t *own = one_tx_block(hex, h, now, NVAL, 0xb);
    json_t *doc = receipt_compose(own, &g);
    json_decref(own);
    assert_non_null(doc);
    json_t *txs = json_array();
    json_array_append_new(txs, receipt_compose_part(propose));
    if (with_approval)
        json_array_append_new(txs, receipt_compose_part(approve));
    if (with_changes)
        json_object_set_new(doc, "valset_changes", json_pack("[{s:o}]", "txs", txs));
    else
        json_decref(txs);
    json_decref(propose);
    json_decref(approve);
    yc_buf_cleanup(&b);
    yc_genesis_cleanup(&g);
    return doc;
}

static void test_receipt_after_a_set_change(void **state)
{
    (void)state;
    char msg[600];
    /* the change proven: the new key's signature counts from height 8 on */
    assert_null(verify_doc(changed_receipt(9, true, true), &NO_ANCHOR, msg, sizeof msg));
    /* rendered and read again, it still verifies */
    struct receipt r;
    char err[256];
    assert_int_equal(parse_doc(changed_receipt(9, true, true), &r, err, sizeof err), YC_OK);
    assert_int_equal(r.nchanges, 1);
    assert_int_equal(r.changes[0].ntxs, 2);
    char *text = receipt_render(&r);
    receipt_cleanup(&r);
    assert_non_null(text);
    assert_int_equal(receipt_parse(&r, text, strlen(text), err, sizeof err), YC_OK);
    struct receipt_verdict v;
    assert_true(receipt_verify(&r, &NO_ANCHOR, &v, NULL));
    assert_int_equal(v.nvalidators, NVAL);
    receipt_cleanup(&r);
    free(text);
    /* without the change, the new key is no validator of the genesis */
    want_check(changed_receipt(9, false, true), &NO_ANCHOR, "certificate", "validator 3 (v3)");
    /* without the approval, the proposal alone weighs 2 of the quorum 3 */
    want_check(changed_receipt(9, true, false), &NO_ANCHOR, "valset_changes",
               "reach the quorum at no transaction");
    /* before height 8 the old key signs, and the change does not matter yet */
    assert_null(verify_doc(changed_receipt(7, true, true), &NO_ANCHOR, msg, sizeof msg));
    /* an approval whose certificate was tampered with */
    json_t *d = changed_receipt(9, true, true);
    json_t *ap = json_array_get(
        json_object_get(json_array_get(json_object_get(d, "valset_changes"), 0), "txs"), 1);
    json_object_set_new(json_object_get(ap, "certificate"), "view", json_string("1"));
    want_check(d, &NO_ANCHOR, "valset_changes", "txs[1]: certificate");
    /* a change listed with an unknown member */
    d = changed_receipt(9, true, true);
    json_object_set_new(json_array_get(json_object_get(d, "valset_changes"), 0), "x", json_true());
    expect_bad(d, YC_EBADFIELD, "valset_changes[0]");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_receipt_verifies),
        cmocka_unit_test(test_tampered_tx),
        cmocka_unit_test(test_tampered_proof_and_header),
        cmocka_unit_test(test_cosignature_added_changed_stripped),
        cmocka_unit_test(test_outcome),
        cmocka_unit_test(test_tampered_certificate),
        cmocka_unit_test(test_genesis_anchor),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_verify_command),
        cmocka_unit_test(test_receipt_after_a_set_change),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
