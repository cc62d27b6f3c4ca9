/*
 * query_receipt.c — `receipt ID` (a tx that ended in a block, committed or failed, with the
 * proofs of its signed bytes and its outcome, from the node's tx_proof and genesis) and
 * `verify-receipt FILE` (offline: never contacts a node).
 *
 * `receipt` verifies what it writes (unanchored: the genesis the node served) so that a
 * receipt that would not verify is never handed out. `verify-receipt` exits 0 when every
 * check passes (also for a failed transaction: the receipt then proves that it failed,
 * and says so), 1 naming the first check that failed, 65 when the file is not a receipt.
 * Format and trust rule: docs/wallet.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "receipt.h"
#include "wallet.h"
#include "yc/genesis_json.h"

/* Prints a summary object as "  key  value" lines (arrays comma-joined, null as "-"). */
static void print_summary(FILE *f, json_t *sum)
{
    const char *key;
    json_t *v;
    json_object_foreach(sum, key, v)
    {
        fprintf(f, "  %-13s", key);
        if (json_is_array(v)) {
            size_t i;
            json_t *item;
            json_array_foreach(v, i, item)
                fprintf(f, "%s%s", i > 0 ? "," : " ", json_string_value(item));
            fputc('\n', f);
        } else if (json_is_string(v)) {
            fprintf(f, " %s\n", json_string_value(v));
        } else if (json_is_integer(v)) {
            fprintf(f, " %lld\n", (long long)json_integer_value(v));
        } else {
            fprintf(f, " -\n");
        }
    }
}

/* A proven change and where it was fixed (its last transaction), for sorting. */
struct fixed_change {
    json_t *change;
    uint64_t height, index;
};

static int by_fixing(const void *a, const void *b)
{
    const struct fixed_change *x = a, *y = b;
    if (x->height != y->height)
        return x->height < y->height ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static uint64_t dec_member(json_t *o, const char *key)
{
    uint64_t v = 0;
    const char *s = json_string_value(json_object_get(o, key));
    return s != NULL && yc_parse_u64(s, &v) == YC_OK ? v : 0;
}

/*
 * The validator-set changes in force by `height` (the node's valset_history), each as the
 * tx_proof parts of its transactions, in the order they were fixed, set as
 * doc["valset_changes"] when there are any. Exit code.
 */
static int fetch_changes(const struct wallet *w, uint64_t height, json_t *doc)
{
    json_t *hist = NULL;
    char to[24];
    snprintf(to, sizeof to, "%llu", (unsigned long long)height);
    int ex = wallet_rpc(w, "valset_history", json_pack("{s:s}", "to", to), 0, &hist, NULL);
    if (ex != YC_EXIT_OK)
        return ex;
    json_t *list = json_object_get(hist, "changes"), *c;
    size_t n = json_array_size(list), i;
    struct fixed_change *fc = n > 0 ? calloc(n, sizeof *fc) : NULL;
    if (n > RECEIPT_MAX_CHANGES) {
        wallet_err("the chain made %zu validator-set changes; a receipt proves at most %d", n,
                   RECEIPT_MAX_CHANGES);
        ex = YC_EXIT_DATAERR;
    } else if (n > 0 && fc == NULL) {
        wallet_err("out of memory");
        ex = YC_EXIT_FAIL;
    }
    json_array_foreach(list, i, c)
    {
        json_t *txs = json_array(), *id;
        size_t k;
        if (ex != YC_EXIT_OK || txs == NULL) {
            json_decref(txs);
            break;
        }
        fc[i].change = json_pack("{s:o}", "txs", txs);
        json_array_foreach(json_object_get(c, "txs"), k, id)
        {
            json_t *proof = NULL;
            ex = wallet_rpc(w, "tx_proof", json_pack("{s:O}", "id", id), 0, &proof, NULL);
            json_t *part = ex == YC_EXIT_OK ? receipt_compose_part(proof) : NULL;
            if (ex == YC_EXIT_OK && part == NULL) {
                wallet_err("the node's tx_proof answer for a validator-set change is malformed");
                ex = YC_EXIT_DATAERR;
            }
            if (part != NULL) {
                fc[i].height = dec_member(proof, "height");
                fc[i].index = dec_member(json_object_get(proof, "proof"), "index");
                json_array_append_new(txs, part);
            }
            json_decref(proof);
            if (ex != YC_EXIT_OK)
                break;
        }
    }
    if (ex == YC_EXIT_OK && n > 0) {
        qsort(fc, n, sizeof *fc, by_fixing);
        json_t *arr = json_array();
        for (i = 0; arr != NULL && i < n; i++) {
            json_array_append(arr, fc[i].change);
        }
        json_object_set_new(doc, "valset_changes", arr);
    }
    for (i = 0; i < n && fc != NULL; i++)
        json_decref(fc[i].change);
    free(fc);
    json_decref(hist);
    return ex;
}

/* Fetches tx_proof for id and the chain's genesis, and builds the receipt. Exit code. */
static int fetch_receipt(const struct wallet *w, const char *idhex, struct receipt *r)
{
    json_t *proof = NULL, *gdoc = NULL;
    struct wallet_remote_err re;
    int ex = wallet_rpc(w, "tx_proof", json_pack("{s:s}", "id", idhex), 0, &proof, &re);
    if (ex == YC_EXIT_FAIL) {
        if (strcmp(re.code, "not_found") == 0)
            wallet_err("transaction %s is not in a block yet (neither committed nor failed; "
                       "see `yuchain-wallet tx status %s`)",
                       idhex, idhex);
        else
            wallet_err("the node refused tx_proof: %s (%s)", re.message, re.code);
        return ex;
    }
    if (ex != YC_EXIT_OK)
        return ex;
    ex = wallet_rpc(w, "genesis", NULL, 0, &gdoc, NULL);
    char *text = ex == YC_EXIT_OK ? json_dumps(gdoc, JSON_COMPACT) : NULL;
    json_decref(gdoc);
    struct yc_genesis g;
    char err[512];
    memset(&g, 0, sizeof g);
    if (ex == YC_EXIT_OK && text == NULL) {
        wallet_err("out of memory");
        ex = YC_EXIT_FAIL;
    } else if (ex == YC_EXIT_OK &&
               yc_genesis_json_parse(&g, text, strlen(text), err, sizeof err) != YC_OK) {
        wallet_err("the node's genesis is invalid: %s", err);
        ex = YC_EXIT_DATAERR;
    }
    free(text);
    json_t *doc = ex == YC_EXIT_OK ? receipt_compose(proof, &g) : NULL;
    if (ex == YC_EXIT_OK && doc != NULL)
        ex = fetch_changes(w, dec_member(proof, "height"), doc);
    if (ex == YC_EXIT_OK && receipt_from_json(r, doc, err, sizeof err) != YC_OK) {
        wallet_err("the node's tx_proof answer is malformed: %s", doc == NULL ? "a member is "
                                                                                "missing"
                                                                              : err);
        ex = YC_EXIT_DATAERR;
    }
    json_decref(doc);
    json_decref(proof);
    yc_genesis_cleanup(&g);
    return ex;
}

int cmd_receipt(struct wallet *w, const struct wallet_args *a)
{
    uint8_t id[YC_HASH_LEN];
    char idhex[2 * YC_HASH_LEN + 1];
    struct receipt *r = calloc(1, sizeof *r);
    int ex = r != NULL ? wallet_parse_hash(a->pos[0], "transaction id", id) : YC_EXIT_FAIL;
    if (ex != YC_EXIT_OK) {
        if (r == NULL)
            wallet_err("out of memory");
        free(r);
        return ex;
    }
    yc_hex(idhex, id, YC_HASH_LEN);
    ex = fetch_receipt(w, idhex, r);
    struct receipt_trust none = {.kind = RECEIPT_ANCHOR_NONE};
    struct receipt_verdict v;
    struct yc_tx tx;
    memset(&tx, 0, sizeof tx);
    if (ex == YC_EXIT_OK && memcmp(r->own.tx_id, id, YC_HASH_LEN) != 0) {
        wallet_err("the node answered tx_proof with another transaction");
        ex = YC_EXIT_DATAERR;
    } else if (ex == YC_EXIT_OK && !receipt_verify(r, &none, &v, &tx)) {
        wallet_err("the node's proof of %s does not verify (%s: %s); no receipt written", idhex,
                   v.check, v.message);
        ex = YC_EXIT_FAIL;
    }
    char *text = ex == YC_EXIT_OK ? receipt_render(r) : NULL;
    json_t *sum = ex == YC_EXIT_OK ? receipt_summary(r, &tx, &v.header) : NULL;
    if (ex == YC_EXIT_OK && (text == NULL || sum == NULL)) {
        wallet_err("out of memory");
        ex = YC_EXIT_FAIL;
    } else if (ex == YC_EXIT_OK && a->set[O_OUT]) {
        int rc = yc_file_write_atomic(a->val[O_OUT], text, strlen(text), 0644, true);
        if (rc != YC_OK) {
            wallet_err("cannot write %s: %s", a->val[O_OUT], yc_strerror(rc));
            ex = YC_EXIT_IOERR;
        } else if (w->json) {
            json_object_set_new(sum, "file", json_string(a->val[O_OUT]));
            wallet_print_json(sum);
        } else {
            puts(idhex);
            fprintf(stderr, "wrote the receipt of %s to %s:\n", idhex, a->val[O_OUT]);
            print_summary(stderr, sum);
        }
    } else if (ex == YC_EXIT_OK) {
        fputs(text, stdout);
        if (!w->json) {
            fprintf(stderr, "receipt of %s:\n", idhex);
            print_summary(stderr, sum);
        }
    }
    json_decref(sum);
    free(text);
    yc_tx_cleanup(&tx);
    receipt_cleanup(r);
    free(r);
    return ex;
}

/* Resolves --genesis / --genesis-hash into *t (g holds a loaded file). Exit code. */
static int load_trust(const struct wallet_args *a, struct receipt_trust *t, struct yc_genesis *g)
{
    memset(t, 0, sizeof *t);
    if (a->set[O_GENESIS] && a->set[O_GENESIS_HASH]) {
        wallet_err("give --genesis FILE or --genesis-hash HEX, not both");
        return YC_EXIT_USAGE;
    }
    if (a->set[O_GENESIS_HASH]) {
        t->kind = RECEIPT_ANCHOR_HASH;
        return wallet_parse_hash(a->val[O_GENESIS_HASH], "--genesis-hash", t->hash);
    }
    if (a->set[O_GENESIS]) {
        char err[600];
        int rc = yc_genesis_json_load(g, a->val[O_GENESIS], err, sizeof err);
        if (rc != YC_OK) {
            wallet_err("--genesis: %s", err);
            return rc == YC_EIO ? YC_EXIT_IOERR : YC_EXIT_DATAERR;
        }
        t->kind = RECEIPT_ANCHOR_FILE;
        t->genesis = g;
    }
    return YC_EXIT_OK;
}

/* Reads and parses the receipt file. Exit code (74 unreadable, 65 not a receipt). */
static int load_receipt(const struct wallet *w, const char *path, struct receipt *r)
{
    char *text = NULL;
    size_t len = 0;
    char err[600];
    int rc = yc_file_read(path, RECEIPT_MAX_BYTES, &text, &len);
    if (rc == YC_ELIMIT) {
        snprintf(err, sizeof err, "larger than %zu bytes", RECEIPT_MAX_BYTES);
    } else if (rc != YC_OK) {
        wallet_err("cannot read %s: %s", path,
                   rc == YC_ENOTFOUND ? "no such file" : yc_strerror(rc));
        return YC_EXIT_IOERR;
    } else {
        rc = receipt_parse(r, text, len, err, sizeof err);
        free(text);
    }
    if (rc == YC_OK)
        return YC_EXIT_OK;
    wallet_err("%s is not a receipt this wallet reads: %s", path, err);
    if (w->json) {
        json_t *o = json_pack("{s:b, s:s, s:s}", "ok", 0, "check", "format", "message", err);
        wallet_print_json(o);
        json_decref(o);
    }
    return rc == YC_ENOMEM ? YC_EXIT_FAIL : YC_EXIT_DATAERR;
}

/* Prints the outcome of a verification; returns the exit code. */
static int report_verdict(const struct wallet *w, const struct wallet_args *a,
                          const struct receipt *r, const struct receipt_verdict *v,
                          const struct yc_tx *tx)
{
    if (v->check != NULL) {
        wallet_err("the receipt does NOT verify: check '%s' failed: %s", v->check, v->message);
        if (w->json) {
            json_t *o =
                json_pack("{s:b, s:s, s:s}", "ok", 0, "check", v->check, "message", v->message);
            wallet_print_json(o);
            json_decref(o);
        }
        return YC_EXIT_FAIL;
    }
    json_t *sum = receipt_summary(r, tx, &v->header);
    if (sum == NULL) {
        wallet_err("out of memory");
        return YC_EXIT_FAIL;
    }
    const char *anchor = a->set[O_GENESIS]        ? "genesis_file"
                         : a->set[O_GENESIS_HASH] ? "genesis_hash"
                                                  : "none";
    char signed_by[96], anchor_text[4200];
    snprintf(signed_by, sizeof signed_by, "%u of %u validators (quorum %u)", v->signers,
             v->nvalidators, v->quorum);
    if (a->set[O_GENESIS])
        snprintf(anchor_text, sizeof anchor_text, "the genesis file %s", a->val[O_GENESIS]);
    else if (a->set[O_GENESIS_HASH])
        snprintf(anchor_text, sizeof anchor_text, "the genesis hash given");
    else
        snprintf(anchor_text, sizeof anchor_text,
                 "NOT ANCHORED: trusted the validator set embedded in the receipt itself");
    if (w->json) {
        json_t *o =
            json_pack("{s:b, s:b, s:s, s:i, s:i, s:i}", "ok", 1, "anchored",
                      a->set[O_GENESIS] || a->set[O_GENESIS_HASH], "anchor", anchor, "signers",
                      (int)v->signers, "validators", (int)v->nvalidators, "quorum", (int)v->quorum);
        json_object_update(o, sum);
        wallet_print_json(o);
        json_decref(o);
    } else if (r->own.outcome != YC_OK) {
        printf("receipt verified: %s %s FAILED with %s at height %llu (%s); it changed nothing "
               "but its sender's nonce\n",
               json_string_value(json_object_get(sum, "type")),
               json_string_value(json_object_get(sum, "id")), yc_err_name(r->own.outcome),
               (unsigned long long)r->own.height, yc_strerror(r->own.outcome));
        print_summary(stdout, sum);
        printf("  %-13s %s\n  %-13s %s\n", "signed_by", signed_by, "anchored_by", anchor_text);
    } else {
        printf("receipt verified: %s %s committed at height %llu\n",
               json_string_value(json_object_get(sum, "type")),
               json_string_value(json_object_get(sum, "id")), (unsigned long long)r->own.height);
        print_summary(stdout, sum);
        printf("  %-13s %s\n  %-13s %s\n", "signed_by", signed_by, "anchored_by", anchor_text);
    }
    if (strcmp(anchor, "none") == 0)
        fprintf(stderr,
                "warning: not anchored: the certificate was checked against the validator set "
                "embedded in the receipt itself. Compare genesis hash %s with one you trust, or "
                "verify with --genesis FILE or --genesis-hash HEX.\n",
                json_string_value(json_object_get(sum, "genesis_hash")));
    json_decref(sum);
    return YC_EXIT_OK;
}

int cmd_verify_receipt(struct wallet *w, const struct wallet_args *a)
{
    struct yc_genesis g;
    struct receipt_trust trust;
    memset(&g, 0, sizeof g);
    int ex = load_trust(a, &trust, &g);
    struct receipt *r = ex == YC_EXIT_OK ? calloc(1, sizeof *r) : NULL;
    if (ex == YC_EXIT_OK && r == NULL) {
        wallet_err("out of memory");
        ex = YC_EXIT_FAIL;
    }
    if (ex == YC_EXIT_OK)
        ex = load_receipt(w, a->pos[0], r);
    if (ex == YC_EXIT_OK) {
        struct receipt_verdict v;
        struct yc_tx tx;
        memset(&tx, 0, sizeof tx);
        receipt_verify(r, &trust, &v, &tx);
        ex = report_verdict(w, a, r, &v, &tx);
        yc_tx_cleanup(&tx);
    }
    receipt_cleanup(r);
    free(r);
    yc_genesis_cleanup(&g);
    return ex;
}
