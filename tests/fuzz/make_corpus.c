/*
 * make_corpus.c — writes the seed corpora of the fuzz harnesses (TESTING.md D1).
 *
 *   fuzz_make_corpus OUTDIR      (scripts/fuzz --seeds regenerates tests/fuzz/corpus)
 *
 * Every seed is made by the real encoders with the fixture's keys (fixture.h), so the
 * harnesses start from inputs that pass every check, signatures included, and mutation
 * explores the refusals around them. Existing files of the same name are overwritten;
 * other files (crash regressions kept by hand) are left alone. Deterministic except the
 * keystore seed written through yc_keystore_import (random salt and nonce).
 *
 * Seeds, by harness:
 *   tx, block     one signed tx of each kind (with cosigs too), and for every type of the
 *                 body schema (txschema.h) one with only its required fields and one with
 *                 every field it allows (schema_<type>_min, _full); blocks with 0, 1 and
 *                 many txs, with and without a valid 3-of-4 commit certificate
 *   ledger        blocks' worth of transactions by the genesis accounts, executable in order
 *   objects       one encoded account, consent, usage and evidence
 *   genesis_json  the fixture's genesis as yc_genesis_json_dump writes it, and by hand
 *   keystore      files sealed under the harness's fixed key, and a real one
 *   pbft_msg      what validator 0 sees in runs of 4 validators: normal case over four
 *                 heights (validator 0 proposing the fourth), a view change with the
 *                 primary crashed, and a restart of validator 0 in the middle of a height
 *   p2p_frame     sealed frames of the fixed session, and the three handshake messages
 *   config        the rendered default node.conf and small hand-written ones
 *   rpc           HTTP requests: JSON-RPC calls, batches, GET methods, bad requests
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "config.h"
#include "fixture.h"
#include "helper_ledger.h"
#include "p2p_secure.h"
#include "pbft_drive.h"
#include "yc/alloc.h"
#include "yc/bech32.h"
#include "yc/block.h"
#include "yc/codec.h"
#include "yc/genesis_json.h"
#include "yc/keystore.h"
#include "yc/objects.h"
#include "yc/pbft.h"
#include "yc/enums.h"
#include "yc/tx.h"
#include "yc/txschema.h"

static const char *outdir;
static unsigned nwritten;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "make_corpus: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(1);
}

static void seed(const char *harness, const char *name, const void *p, size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", outdir, harness);
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        die("mkdir %s: %s", path, strerror(errno));
    }
    snprintf(path, sizeof path, "%s/%s/%s", outdir, harness, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || (len > 0 && fwrite(p, 1, len, f) != len) || fclose(f) != 0) {
        die("write %s: %s", path, strerror(errno));
    }
    nwritten++;
}

static void seed_str(const char *harness, const char *name, const char *s)
{
    seed(harness, name, s, strlen(s));
}

static void check(int rc, const char *what)
{
    if (rc != YC_OK) {
        die("%s: %s", what, yc_err_name(rc));
    }
}

/* ---- transactions and blocks ---- */

#define NTX_MAX 16

struct txset {
    struct yc_tx tx[NTX_MAX];
    uint32_t n;
};

/* Signs body as key `who` (nonce given), writes the seed, keeps the decoded tx. */
static void make_tx(struct txset *ts, const char *name, uint32_t who, enum yc_tx_type type,
                    uint64_t nonce, const struct yc_buf *body)
{
    yc_signer *s = fz_signer(who);
    struct yc_buf out;
    uint8_t id[YC_HASH_LEN], aux[32];

    fz_aux(aux, ts->n);
    yc_buf_init(&out, 0);
    check(yc_tx_build_signed(&out, id, FZ_CHAIN, type, s, nonce, body->data, body->len, aux), name);
    seed("tx", name, out.data, out.len);
    if (ts->n < NTX_MAX) {
        check(yc_tx_decode(&ts->tx[ts->n++], out.data, out.len), name);
    }
    yc_buf_cleanup(&out);
    yc_signer_destroy(s);
}

/* A tx with two co-signatures (the envelope allows them on any type). */
static void make_cosigned(struct txset *ts, const struct yc_buf *body)
{
    yc_signer *s = fz_signer(103), *c1 = fz_signer(104), *c2 = fz_signer(100);
    struct yc_cosig cs[2];
    struct yc_buf ub, out;
    uint8_t pub[YC_PUBKEY_LEN], id[YC_HASH_LEN], sig[YC_SIG_LEN], aux[32];

    fz_aux(aux, 77);
    yc_signer_pubkey(s, pub);
    yc_buf_init(&ub, 0);
    yc_buf_init(&out, 0);
    check(yc_tx_encode_unsigned(&ub, FZ_CHAIN, YC_TX_TOKEN_TRANSFER, pub, 3, body->data, body->len),
          "cosigned unsigned");
    yc_tx_id(id, FZ_CHAIN, ub.data, ub.len);
    check(yc_sig_sign(s, sig, id, aux), "sign");
    yc_signer_pubkey(c1, cs[0].pub);
    check(yc_sig_sign(c1, cs[0].sig, id, aux), "cosign");
    yc_signer_pubkey(c2, cs[1].pub);
    check(yc_sig_sign(c2, cs[1].sig, id, aux), "cosign");
    check(yc_tx_encode_signed(&out, FZ_CHAIN, YC_TX_TOKEN_TRANSFER, pub, 3, body->data, body->len,
                              sig, cs, 2),
          "cosigned");
    seed("tx", "token_transfer_cosigned", out.data, out.len);
    if (ts->n < NTX_MAX) {
        check(yc_tx_decode(&ts->tx[ts->n++], out.data, out.len), "cosigned decode");
    }
    yc_buf_cleanup(&ub);
    yc_buf_cleanup(&out);
    yc_signer_destroy(s);
    yc_signer_destroy(c1);
    yc_signer_destroy(c2);
}

/* Field i of a body set to a valid value of its kind: the first allowed value of an
 * enumeration, "x" for other texts, 1 for integers, one item for lists. */
static void fill_field(union yc_tx_body *b, const struct yc_field *f, const uint8_t *pub)
{
    uint8_t *base = (uint8_t *)b;
    void *v = base + f->off;
    const struct yc_enum *en = f->enum_id >= 0 ? yc_enum_get((enum yc_enum_id)f->enum_id) : NULL;
    struct yc_slice text = {en != NULL ? en->values[0] : "x", 0};

    text.len = strlen(text.p);
    switch ((enum yc_field_kind)f->kind) {
    case YC_FK_TEXT:
        *(struct yc_slice *)v = text;
        break;
    case YC_FK_U64:
        *(uint64_t *)v = 1;
        break;
    case YC_FK_BOOL:
        *(bool *)v = true;
        break;
    case YC_FK_ID:
    case YC_FK_DIGEST:
    case YC_FK_IDS:
        memset(v, 0x5a, YC_HASH_LEN);
        break;
    case YC_FK_PUB:
    case YC_FK_PUBS:
        memcpy(v, pub, YC_PUBKEY_LEN);
        break;
    case YC_FK_LIST:
        ((struct yc_list *)v)->n = 1;
        ((struct yc_list *)v)->items[0] = text;
        break;
    case YC_FK_SHARES:
        memcpy(((struct yc_contributor *)v)->pub, pub, YC_PUBKEY_LEN);
        ((struct yc_contributor *)v)->bps = YC_SHARES_TOTAL;
        break;
    }
    if (f->count_off >= 0) {
        *(uint32_t *)(void *)(base + f->count_off) = 1;
    }
    if (f->has_off >= 0) {
        *(bool *)(void *)(base + f->has_off) = true;
    }
}

/* Whether the body of schema s with the required fields and the optional ones in `want`
 * encodes (a rule across fields may refuse it); if so it is in out. */
static bool encode_fields(const struct yc_tx_schema *s, uint64_t want, const uint8_t *pub,
                          struct yc_buf *out)
{
    union yc_tx_body b;
    memset(&b, 0, sizeof b);
    for (uint32_t i = 0; i < s->nfields; i++) {
        if (s->fields[i].required || (want >> i & 1u) != 0) {
            fill_field(&b, &s->fields[i], pub);
        }
    }
    yc_buf_reset(out);
    return yc_tx_body_encode(out, s->type, &b, yc_tx_body_present(s->type, &b)) == YC_OK;
}

/* The body of schema s with the fewest (full: the most) optional fields that encodes:
 * every subset of the optional fields is tried, since a rule across fields (exactly one
 * of two, fields an action needs or refuses) may refuse some. */
static void encode_schema_body(const struct yc_tx_schema *s, bool full, const uint8_t *pub,
                               struct yc_buf *out)
{
    uint32_t opt[64], nopt = 0;
    uint64_t best = 0;
    int best_n = -1;

    for (uint32_t i = 0; i < s->nfields; i++) {
        if (!s->fields[i].required) {
            opt[nopt++] = i;
        }
    }
    if (nopt > 16) {
        die("%s: too many optional fields to try", yc_tx_type_name(s->type));
    }
    for (uint32_t m = 0; m < (1u << nopt); m++) {
        uint64_t want = 0;
        int n = __builtin_popcount(m);
        for (uint32_t k = 0; k < nopt; k++) {
            want |= (m >> k & 1u) != 0 ? UINT64_C(1) << opt[k] : 0;
        }
        if ((best_n < 0 || (full ? n > best_n : n < best_n)) && encode_fields(s, want, pub, out)) {
            best = want;
            best_n = n;
        }
    }
    if (best_n < 0 || !encode_fields(s, best, pub, out)) {
        die("%s: no body of its schema encodes", yc_tx_type_name(s->type));
    }
}

/* For every type of the schema table, its smallest and its largest body, signed. */
static void make_schema_txs(void)
{
    uint8_t pub[YC_PUBKEY_LEN], id[YC_HASH_LEN], aux[32];
    yc_signer *signer = fz_signer(103);
    struct yc_buf body, out;
    const struct yc_tx_schema *s;

    fz_pub(105, pub);
    yc_buf_init(&body, 0);
    yc_buf_init(&out, 0);
    for (size_t n = 0; (s = yc_tx_schema_at(n)) != NULL; n++) {
        for (int full = 0; full < 2; full++) {
            char name[96];
            size_t k = (size_t)snprintf(name, sizeof name, "schema_%s", yc_tx_type_name(s->type));
            for (size_t i = 0; i < k; i++) {
                name[i] = name[i] == '.' ? '_' : name[i];
            }
            snprintf(name + k, sizeof name - k, full ? "_full" : "_min");
            encode_schema_body(s, full != 0, pub, &body);
            fz_aux(aux, 1000 + 2 * n + (size_t)full);
            yc_buf_reset(&out);
            check(yc_tx_build_signed(&out, id, FZ_CHAIN, s->type, signer, n, body.data, body.len,
                                     aux),
                  name);
            seed("tx", name, out.data, out.len);
        }
    }
    yc_buf_cleanup(&body);
    yc_buf_cleanup(&out);
    yc_signer_destroy(signer);
}

static void make_txs(struct txset *ts)
{
    uint8_t alice[YC_PUBKEY_LEN], bob[YC_PUBKEY_LEN], proc[YC_PUBKEY_LEN];
    uint8_t digest[YC_HASH_LEN], ref[YC_HASH_LEN];
    struct yc_buf b;

    fz_pub(103, alice);
    fz_pub(105, bob);
    fz_pub(104, proc);
    memset(digest, 0xd1, sizeof digest);
    memset(ref, 0x7e, sizeof ref);
    yc_buf_init(&b, 0);

    hb_register(&b, NULL, "individual", "Bob", "CN-SC");
    make_tx(ts, "account_register_self", 105, YC_TX_ACCOUNT_REGISTER, 0, &b);
    hb_register(&b, proc, "processor", "Chongqing Data Processing Co.", "CN-CQ");
    make_tx(ts, "account_register_by_exchange", 100, YC_TX_ACCOUNT_REGISTER, 0, &b);
    hb_update(&b, NULL, "Alice W.", "SG");
    make_tx(ts, "account_update", 103, YC_TX_ACCOUNT_UPDATE, 0, &b);
    hb_token(&b, alice, 250000);
    make_tx(ts, "token_issue", 100, YC_TX_TOKEN_ISSUE, 1, &b);
    hb_token(&b, bob, 1234);
    make_tx(ts, "token_transfer", 103, YC_TX_TOKEN_TRANSFER, 1, &b);
    hb_token(&b, NULL, 99);
    make_tx(ts, "token_redeem", 100, YC_TX_TOKEN_REDEEM, 2, &b);

    struct hb_grant g;
    memset(&g, 0, sizeof g);
    g.processor = proc;
    g.categories[0] = "health.records";
    g.categories[1] = "location";
    g.purposes[0] = "research";
    g.operations[0] = "collect";
    g.operations[1] = "use";
    g.jurisdiction = "CN-CQ";
    g.until = FZ_TIME0 + 86400000ull * 365;
    hb_grant(&b, &g);
    make_tx(ts, "consent_grant_minimal", 103, YC_TX_CONSENT_GRANT, 2, &b);
    g.not_before = FZ_TIME0 + 1000;
    g.fee_per_use = 5;
    g.max_uses = 10;
    g.retention_days = 30;
    g.onward_transfer = true;
    hb_grant(&b, &g);
    make_tx(ts, "consent_grant_full", 103, YC_TX_CONSENT_GRANT, 3, &b);
    hb_revoke(&b, ts->tx[ts->n - 1].id);
    make_tx(ts, "consent_revoke", 103, YC_TX_CONSENT_REVOKE, 4, &b);

    struct hb_usage u;
    memset(&u, 0, sizeof u);
    u.consent = ts->tx[ts->n - 3].id;
    u.purpose = "research";
    u.operation = "use";
    hb_usage(&b, &u);
    make_tx(ts, "usage_record_minimal", 104, YC_TX_USAGE_RECORD, 1, &b);
    u.category = "location";
    u.input = digest;
    u.output = ref;
    hb_usage(&b, &u);
    make_tx(ts, "usage_record_full", 104, YC_TX_USAGE_RECORD, 2, &b);
    u.consent = NULL;
    u.license = ref;
    hb_usage(&b, &u);
    make_tx(ts, "usage_record_license", 104, YC_TX_USAGE_RECORD, 3, &b);

    hb_anchor(&b, digest, sizeof digest, "dcmm_assessment", NULL, NULL);
    make_tx(ts, "evidence_anchor_minimal", 102, YC_TX_EVIDENCE_ANCHOR, 0, &b);
    hb_anchor(&b, digest, sizeof digest, "carry_receipt", "a note: 数据 ✓", ref);
    make_tx(ts, "evidence_anchor_full", 102, YC_TX_EVIDENCE_ANCHOR, 1, &b);

    hb_token(&b, bob, 7);
    make_cosigned(ts, &b);
    yc_buf_cleanup(&b);
}

/* Block at `height` holding txs[0..n), with a certificate by validators 0, 1, 3 if `cert`. */
static void make_block(const struct txset *ts, const char *name, uint64_t height, uint32_t first,
                       uint32_t n, bool cert, const struct yc_genesis *g)
{
    struct yc_block_header h;
    struct yc_cert c;
    struct yc_buf out;
    uint8_t hash[YC_HASH_LEN], vote[YC_HASH_LEN], aux[32];
    static const uint32_t signers[3] = {0, 1, 3};

    memset(&h, 0, sizeof h);
    snprintf(h.chain_id, sizeof h.chain_id, "%s", FZ_CHAIN);
    h.height = height;
    h.view = height % 2;
    h.proposer = (uint32_t)((height + h.view) % FZ_NVAL);
    h.time_ms = FZ_TIME0 + 1000 * height;
    memset(h.prev_hash, (int)height, sizeof h.prev_hash);
    memset(h.state_root, 0x5e, sizeof h.state_root);
    h.tx_count = n;
    check(yc_block_header_seal(&h, ts->tx + first, NULL, n), "roots");
    check(yc_header_hash(&h, hash), "header hash");
    memset(&c, 0, sizeof c);
    if (cert) {
        c.view = h.view;
        c.nsigs = 3;
        yc_vote_hash(vote, FZ_CHAIN, "commit", height, c.view, hash);
        for (uint32_t i = 0; i < 3; i++) {
            yc_signer *s = fz_signer(signers[i]);
            fz_aux(aux, 1000 + i);
            c.sigs[i].validator = signers[i];
            check(yc_sig_sign(s, c.sigs[i].sig, vote, aux), "cert sign");
            yc_signer_destroy(s);
        }
        check(yc_cert_verify(&c, g, height, hash), "cert verify");
    }
    yc_buf_init(&out, 0);
    check(yc_block_encode(&out, &h, ts->tx + first, NULL, n, cert ? &c : NULL), name);
    seed("block", name, out.data, out.len);
    yc_buf_cleanup(&out);
}

static void make_blocks(const struct txset *ts, const struct yc_genesis *g)
{
    make_block(ts, "empty_proposal", 1, 0, 0, false, g);
    make_block(ts, "empty_certified", 2, 0, 0, true, g);
    make_block(ts, "one_tx_certified", 3, 3, 1, true, g);
    make_block(ts, "many_txs_proposal", 4, 0, ts->n, false, g);
    make_block(ts, "many_txs_certified", 5, 0, ts->n, true, g);
}

/* ---- a block's worth of transactions for the ledger harness ---- */

static void ledger_tx(struct yc_buf *script, uint32_t who, enum yc_tx_type type, uint64_t nonce,
                      const struct yc_buf *body, uint8_t id[YC_HASH_LEN])
{
    yc_signer *s = fz_signer(who);
    struct yc_buf out;
    uint8_t aux[32];

    fz_aux(aux, nonce);
    yc_buf_init(&out, 0);
    check(yc_tx_build_signed(&out, id, FZ_CHAIN, type, s, nonce, body->data, body->len, aux),
          "ledger tx");
    uint8_t hdr[2] = {(uint8_t)(out.len >> 8), (uint8_t)out.len};
    check(yc_buf_append(script, hdr, 2), "script");
    check(yc_buf_append(script, out.data, out.len), "script");
    yc_buf_cleanup(&out);
    yc_signer_destroy(s);
}

/* Keys as in fz_genesis: 100 exchange, 102 regulator, 103 individual, 104 processor;
 * 105 registers itself. */
static void make_ledger(void)
{
    uint8_t p103[YC_PUBKEY_LEN], p104[YC_PUBKEY_LEN], p105[YC_PUBKEY_LEN];
    uint8_t grant[YC_HASH_LEN], id[YC_HASH_LEN], digest[YC_HASH_LEN];
    struct yc_buf b, script;

    fz_pub(103, p103);
    fz_pub(104, p104);
    fz_pub(105, p105);
    memset(digest, 0xd1, sizeof digest);
    yc_buf_init(&b, 0);
    yc_buf_init(&script, 0);

    hb_register(&b, NULL, "individual", "Bob", "CN-SC");
    ledger_tx(&script, 105, YC_TX_ACCOUNT_REGISTER, 0, &b, id);
    hb_token(&b, p103, 250000);
    ledger_tx(&script, 100, YC_TX_TOKEN_ISSUE, 0, &b, id);
    hb_token(&b, p105, 1234);
    ledger_tx(&script, 103, YC_TX_TOKEN_TRANSFER, 0, &b, id);
    seed("ledger", "register_issue_transfer", script.data, script.len);

    struct hb_grant g;
    memset(&g, 0, sizeof g);
    g.processor = p104;
    g.categories[0] = "health";
    g.purposes[0] = "research";
    g.operations[0] = "use";
    g.jurisdiction = "CN-CQ";
    g.until = FZ_TIME0 + 86400000ull * 365;
    g.fee_per_use = 5;
    g.max_uses = 2;
    hb_grant(&b, &g);
    ledger_tx(&script, 103, YC_TX_CONSENT_GRANT, 1, &b, grant);
    struct hb_usage u;
    memset(&u, 0, sizeof u);
    u.consent = grant;
    u.purpose = "research";
    u.operation = "use";
    u.category = "health";
    u.input = digest;
    hb_usage(&b, &u);
    ledger_tx(&script, 104, YC_TX_USAGE_RECORD, 0, &b, id);
    hb_token(&b, NULL, 99);
    ledger_tx(&script, 100, YC_TX_TOKEN_REDEEM, 1, &b, id);
    hb_anchor(&b, digest, sizeof digest, "dcmm_assessment", "note", grant);
    ledger_tx(&script, 102, YC_TX_EVIDENCE_ANCHOR, 0, &b, id);
    hb_update(&b, NULL, "Alice W.", "SG");
    ledger_tx(&script, 103, YC_TX_ACCOUNT_UPDATE, 2, &b, id);
    hb_revoke(&b, grant);
    ledger_tx(&script, 103, YC_TX_CONSENT_REVOKE, 3, &b, id);
    hb_usage(&b, &u);
    ledger_tx(&script, 104, YC_TX_USAGE_RECORD, 1, &b, id); /* refused: revoked */
    seed("ledger", "consent_lifecycle", script.data, script.len);
    yc_buf_cleanup(&script);
    yc_buf_cleanup(&b);
}

/* ---- state objects ---- */

static struct yc_slice sl(const char *s)
{
    struct yc_slice r = {s, strlen(s)};
    return r;
}

/* The objects of issue 4: an asset (derived, certified), a version, a right, an
 * objection, a license and a carry. */
static void make_asset_objects(struct yc_buf *out)
{
    struct yc_asset a;
    memset(&a, 0, sizeof a);
    a.catalog = sl("transport.model");
    a.certificate = sl("YC-12-0");
    a.certified_at = 12;
    a.ncontributors = 2;
    fz_pub(104, a.contributors[0].pub);
    a.contributors[0].bps = 7000;
    fz_pub(105, a.contributors[1].pub);
    a.contributors[1].bps = 3000;
    memset(a.digest, 0xd2, sizeof a.digest);
    a.grade = sl("important");
    a.notice_until = 8;
    a.openness = sl("conditional");
    a.nparents = 1;
    memset(a.parents[0], 0xa1, sizeof a.parents[0]);
    a.registered_at = 5;
    fz_pub(104, a.registrant);
    a.sector = sl("transport");
    a.source = sl("enterprise");
    a.time_ms = FZ_TIME0 + 5000;
    a.title = sl("Bus demand model");
    a.has_usage = true;
    memset(a.usage, 0x5e, sizeof a.usage);
    a.version = 2;
    yc_buf_reset(out);
    check(yc_asset_encode(&a, out), "asset");
    seed("objects", "asset", out->data, out->len);

    struct yc_asset_version v = {.height = 5, .note = sl("retrained"), .time_ms = FZ_TIME0};
    memset(v.digest, 0xd3, sizeof v.digest);
    yc_buf_reset(out);
    check(yc_asset_version_encode(&v, out), "asset_version");
    seed("objects", "asset_version", out->data, out->len);

    struct yc_right_rec r = {.since = 9};
    fz_pub(105, r.holder);
    yc_buf_reset(out);
    check(yc_right_encode(&r, out), "right");
    seed("objects", "right", out->data, out->len);

    struct yc_objection o = {.filed_at = 6,
                             .note = sl("source verified"),
                             .outcome = sl("dismissed"),
                             .reason = sl("not_the_source"),
                             .resolved_at = 9};
    memset(o.asset, 0xa1, sizeof o.asset);
    memset(o.evidence, 0xe1, sizeof o.evidence);
    fz_pub(103, o.objector);
    yc_buf_reset(out);
    check(yc_objection_encode(&o, out), "objection");
    seed("objects", "objection", out->data, out->len);

    struct yc_license l = {.fee = 120,
                           .granted_at = 13,
                           .max_uses = 10,
                           .not_before = FZ_TIME0,
                           .revoked_at = 15,
                           .right = sl("operate"),
                           .until = FZ_TIME0 + 86400000,
                           .uses = 2,
                           .visibility = sl("invisible")};
    memset(l.asset, 0xa2, sizeof l.asset);
    fz_pub(106, l.licensee);
    fz_pub(104, l.licensor);
    l.operations.n = 2;
    l.operations.items[0] = sl("compute");
    l.operations.items[1] = sl("model");
    l.purposes.n = 1;
    l.purposes.items[0] = sl("demand_forecast");
    yc_buf_reset(out);
    check(yc_license_encode(&l, out), "license");
    seed("objects", "license", out->data, out->len);

    struct yc_carry c = {
        .closed_at = 20, .has_package = true, .requested_at = 18, .status = sl("completed")};
    c.categories.n = 1;
    c.categories.items[0] = sl("transactions");
    fz_pub(104, c.holder);
    memset(c.package, 0xc4, sizeof c.package);
    fz_pub(106, c.recipient);
    fz_pub(103, c.subject);
    yc_buf_reset(out);
    check(yc_carry_encode(&c, out), "carry");
    seed("objects", "carry", out->data, out->len);
}

static void make_objects(void)
{
    struct yc_buf out;
    yc_buf_init(&out, 0);

    struct yc_account a;
    memset(&a, 0, sizeof a);
    a.balance = 1000000;
    a.credit = sl("good");
    a.jurisdiction = sl("CN-CQ");
    a.name = sl("Chongqing Data Exchange");
    a.nonce = 42;
    a.registered_at = 0;
    a.role = YC_ROLE_EXCHANGE;
    check(yc_account_encode(&a, &out), "account");
    seed("objects", "account", out.data, out.len);

    struct yc_consent c;
    memset(&c, 0, sizeof c);
    c.categories.n = 2;
    c.categories.items[0] = sl("health.records");
    c.categories.items[1] = sl("location");
    c.fee_per_use = 5;
    c.granted_at = 7;
    c.jurisdiction = sl("CN-CQ");
    c.max_uses = 10;
    c.not_before = FZ_TIME0;
    c.onward_transfer = true;
    c.operations.n = 1;
    c.operations.items[0] = sl("use");
    fz_pub(104, c.processor);
    c.purposes.n = 1;
    c.purposes.items[0] = sl("research");
    c.retention_days = 30;
    c.revoked_at = 9;
    fz_pub(103, c.subject);
    c.until = FZ_TIME0 + 86400000;
    c.uses = 3;
    yc_buf_reset(&out);
    check(yc_consent_encode(&c, &out), "consent");
    seed("objects", "consent", out.data, out.len);

    struct yc_usage u;
    memset(&u, 0, sizeof u);
    memset(u.authority, 0xa7, sizeof u.authority);
    u.authority_kind = sl("consent");
    u.category = sl("location");
    u.fee = 5;
    u.height = 8;
    u.has_input = true;
    memset(u.input, 0x11, sizeof u.input);
    u.operation = sl("use");
    u.purpose = sl("research");
    fz_pub(103, u.subject);
    u.time_ms = FZ_TIME0 + 8000;
    fz_pub(104, u.user);
    yc_buf_reset(&out);
    check(yc_usage_encode(&u, &out), "usage");
    seed("objects", "usage", out.data, out.len);

    struct yc_evidence e;
    memset(&e, 0, sizeof e);
    memset(e.digest, 0xd1, sizeof e.digest);
    e.height = 4;
    e.kind = sl("dcmm_assessment");
    e.note = sl("level 3");
    e.has_ref = true;
    memset(e.ref, 0x7e, sizeof e.ref);
    fz_pub(102, e.sender);
    e.time_ms = FZ_TIME0 + 4000;
    yc_buf_reset(&out);
    check(yc_evidence_encode(&e, &out), "evidence");
    seed("objects", "evidence", out.data, out.len);
    make_asset_objects(&out);
    yc_buf_cleanup(&out);
}

/* ---- genesis.json ---- */

static void make_genesis(void)
{
    struct yc_genesis g;
    char *text;

    fz_genesis(&g, FZ_NVAL);
    text = yc_genesis_json_dump(&g);
    if (text == NULL) {
        die("genesis dump");
    }
    seed_str("genesis_json", "fixture_4", text);
    free(text);
    yc_genesis_cleanup(&g);
    fz_genesis(&g, 1);
    text = yc_genesis_json_dump(&g);
    if (text == NULL) {
        die("genesis dump");
    }
    seed_str("genesis_json", "fixture_1", text);

    /* the same file, compact, with only genesis_time and parameters as strings */
    char addr[YC_ADDR_MAX], acc[YC_ADDR_MAX];
    char buf[2048];
    check(yc_addr_encode(addr, g.validators[0].pub), "addr");
    check(yc_addr_encode(acc, g.accounts[0].pub), "addr");
    snprintf(buf, sizeof buf,
             "{\"chain_id\":\"%s\",\"genesis_time\":\"2023-11-14T22:13:20Z\","
             "\"params\":{\"max_block_txs\":\"100\",\"max_block_bytes\":1048576},"
             "\"validators\":[{\"name\":\"v0\",\"pub_key\":\"%s\"}],"
             "\"accounts\":[{\"address\":\"%s\",\"role\":\"exchange\",\"name\":\"Ex\","
             "\"jurisdiction\":\"CN-CQ\",\"balance\":\"18446744073709551615\"}]}",
             FZ_CHAIN, addr, acc);
    seed_str("genesis_json", "compact", buf);
    free(text);
    yc_genesis_cleanup(&g);
}

/* ---- keystore ---- */

static void hex(char *out, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        snprintf(out + 2 * i, 3, "%02x", p[i]);
    }
}

/* A keystore file for key `addr_key` whose ciphertext seals key `secret_key`'s secret
 * under the fixed sealing key (they differ for the key-mismatch seed). */
static void keystore_sealed(const char *seedname, const char *name, uint32_t addr_key,
                            uint32_t secret_key)
{
    struct yc_keystore_file f;
    uint8_t key[32], sk[YC_SECKEY_LEN] = {0};
    char aad[1024], salt[64], nonce[64], ct[128], text[2048];
    size_t aadlen;
    unsigned long long clen = 0;

    memset(&f, 0, sizeof f);
    f.version = YC_KEYSTORE_VERSION;
    snprintf(f.name, sizeof f.name, "%s", name);
    fz_pub(addr_key, f.pub);
    check(yc_addr_encode(f.address, f.pub), "addr");
    f.opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
    f.memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
    memset(f.salt, 0x5a, sizeof f.salt);
    memset(f.nonce, 0x4e, sizeof f.nonce);
    check(yc_keystore_aad(&f, aad, sizeof aad, &aadlen), "aad");
    sk[YC_SECKEY_LEN - 1] = (uint8_t)(secret_key + 1); /* fixture.c's key numbering */
    memset(key, FZ_SEAL_KEY_BYTE, sizeof key);
    if (crypto_aead_xchacha20poly1305_ietf_encrypt(f.ciphertext, &clen, sk, sizeof sk,
                                                   (const uint8_t *)aad, aadlen, NULL, f.nonce,
                                                   key) != 0 ||
        clen != sizeof f.ciphertext) {
        die("seal");
    }
    hex(salt, f.salt, sizeof f.salt);
    hex(nonce, f.nonce, sizeof f.nonce);
    hex(ct, f.ciphertext, sizeof f.ciphertext);
    snprintf(text, sizeof text,
             "{\n  \"version\": 1,\n  \"name\": \"%s\",\n  \"address\": \"%s\",\n"
             "  \"kdf\": {\n    \"alg\": \"%s\",\n    \"opslimit\": %llu,\n"
             "    \"memlimit\": %llu,\n    \"salt\": \"%s\"\n  },\n"
             "  \"cipher\": {\n    \"alg\": \"%s\",\n    \"nonce\": \"%s\"\n  },\n"
             "  \"ciphertext\": \"%s\"\n}\n",
             f.name, f.address, YC_KEYSTORE_KDF_ALG, (unsigned long long)f.opslimit,
             (unsigned long long)f.memlimit, salt, YC_KEYSTORE_CIPHER_ALG, nonce, ct);
    struct yc_keystore_file back;
    check(yc_keystore_parse(&back, text, strlen(text)), "keystore seed parses");
    seed_str("keystore", seedname, text);
}

static void make_keystore(void)
{
    char dir[] = "/tmp/yc-fuzz-ks-XXXXXX";
    char path[256];
    uint8_t sk[YC_SECKEY_LEN] = {0}, pub[YC_PUBKEY_LEN];

    keystore_sealed("sealed_fixed_key", "alice", 103, 103);
    keystore_sealed("sealed_key_mismatch", "mallory.v2", 103, 104);

    /* a real file, as the wallet writes it (random salt and nonce) */
    if (mkdtemp(dir) == NULL) {
        die("mkdtemp: %s", strerror(errno));
    }
    sk[YC_SECKEY_LEN - 1] = 9;
    check(yc_keystore_import(dir, "bob", sk, "pass", 4, true, pub), "keystore import");
    snprintf(path, sizeof path, "%s/bob.json", dir);
    FILE *f = fopen(path, "rb");
    char text[YC_KEYSTORE_FILE_MAX];
    size_t n = f != NULL ? fread(text, 1, sizeof text, f) : 0;
    if (f == NULL || n == 0) {
        die("read %s", path);
    }
    fclose(f);
    seed("keystore", "wallet_written", text, n);
    unlink(path);
    rmdir(dir);
}

/* ---- pbft: runs of 4 validators, as validator 0 sees them ---- */

#define SIM_QMAX 4096

struct simmsg {
    uint32_t from, to;
    uint8_t *bytes;
    size_t len;
};

struct sim {
    struct yc_genesis g;
    yc_signer *signers[FZ_NVAL];
    struct fz_drive d[FZ_NVAL];
    bool crashed[FZ_NVAL];
    struct simmsg q[SIM_QMAX];
    size_t qhead, qtail;
    uint64_t now;
    uint64_t proposed_h[FZ_NVAL], proposed_v[FZ_NVAL]; /* last (h, v) each proposed for, +1 */
    bool resign;          /* validator 0's steps use the harness's re-signing op (0x20 | from) */
    struct yc_buf script; /* validator 0's inputs, in the harness's record format */
};

static void sim_send(void *ctx, uint32_t from, uint32_t to, const uint8_t *msg, size_t len)
{
    struct sim *s = ctx;
    for (uint32_t t = 0; t < FZ_NVAL; t++) {
        if (t == from || (to != PBFT_BROADCAST && to != t)) {
            continue;
        }
        if (s->qtail - s->qhead >= SIM_QMAX) {
            die("pbft sim: queue full");
        }
        struct simmsg *m = &s->q[s->qtail++ % SIM_QMAX];
        m->from = from;
        m->to = t;
        m->bytes = yc_memdup(msg, len);
        m->len = len;
    }
}

/* Appends a record to validator 0's script and advances validator 0's clock by its dt,
 * exactly as the harness will. */
static void record(struct sim *s, uint8_t op, const uint8_t *p, size_t len)
{
    uint64_t dt = (s->now - s->d[0].now) / 20;
    while (dt > 255) { /* long gaps: several no-op records (verdict ok again) */
        uint8_t hdr[4] = {0xc1, 255, 0, 0};
        check(yc_buf_append(&s->script, hdr, 4), "script");
        s->d[0].now += 255 * 20;
        pbft_tick(s->d[0].node, s->d[0].now);
        fz_drive_pump(&s->d[0]);
        dt -= 255;
    }
    if (len > 0xffff) {
        die("pbft sim: record of %zu bytes", len);
    }
    uint8_t hdr[4] = {op, (uint8_t)dt, (uint8_t)(len >> 8), (uint8_t)len};
    check(yc_buf_append(&s->script, hdr, 4), "script");
    if (len > 0) {
        check(yc_buf_append(&s->script, p, len), "script");
    }
    /* exactly what the harness does with the record's dt */
    if (dt > 0) {
        s->d[0].now += dt * 20;
        pbft_tick(s->d[0].node, s->d[0].now);
    }
}

static void sim_propose(struct sim *s, uint32_t i)
{
    struct fz_drive *d = &s->d[i];
    if (s->crashed[i] || !d->want_proposal ||
        (s->proposed_h[i] == d->height + 1 && s->proposed_v[i] == d->view + 1)) {
        return;
    }
    size_t len;
    uint8_t *b = fz_block(&s->g, d->height, d->view, i, d->prev, FZ_TIME0 + 1000 * d->height, &len);
    s->proposed_h[i] = d->height + 1;
    s->proposed_v[i] = d->view + 1;
    if (i == 0) {
        record(s, 0x40, b, len);
    } else {
        d->now = s->now;
    }
    int rc = pbft_propose(d->node, b, len, d->now);
    (void)rc;
    fz_drive_pump(d);
    yc_free(b);
}

static void sim_init(struct sim *s)
{
    memset(s, 0, sizeof *s);
    fz_genesis(&s->g, FZ_NVAL);
    s->now = FZ_TIME0 + 1000;
    yc_buf_init(&s->script, 0);
    for (uint32_t i = 0; i < FZ_NVAL; i++) {
        s->signers[i] = fz_signer(i);
        check(fz_drive_init(&s->d[i], &s->g, i, s->signers[i], s->now, sim_send, s), "create");
    }
    for (uint32_t i = 0; i < FZ_NVAL; i++) {
        fz_drive_pump(&s->d[i]);
    }
}

static void sim_cleanup(struct sim *s)
{
    while (s->qhead < s->qtail) {
        yc_free(s->q[s->qhead++ % SIM_QMAX].bytes);
    }
    for (uint32_t i = 0; i < FZ_NVAL; i++) {
        fz_drive_cleanup(&s->d[i]);
        yc_signer_destroy(s->signers[i]);
    }
    yc_genesis_cleanup(&s->g);
    yc_buf_cleanup(&s->script);
}

static uint64_t sim_decided(const struct sim *s)
{
    uint64_t best = 0;
    for (uint32_t i = 0; i < FZ_NVAL; i++) {
        if (!s->crashed[i] && s->d[i].decided > best) {
            best = s->d[i].decided;
        }
    }
    return best;
}

/* Delivers messages and advances time until a validator decided `heights` heights.
 * With restart_at >= 0, validator 0 crashes and restarts from its journal once, when it
 * has decided restart_at heights and journaled a vote of the next one (what it lost in
 * memory it gets back only by block sync, which is the node's job, not PBFT's). */
static void sim_run(struct sim *s, uint64_t heights, int64_t restart_at)
{
    bool restarted = false;
    for (int steps = 0;
         steps < 100000 && (restart_at < 0 ? s->d[0].decided : sim_decided(s)) < heights; steps++) {
        for (uint32_t i = 0; i < FZ_NVAL; i++) {
            sim_propose(s, i);
        }
        if (restart_at >= 0 && !restarted && s->d[0].decided == (uint64_t)restart_at &&
            s->d[0].nrec > 0) {
            restarted = true;
            record(s, 0x80, NULL, 0);
            fz_drive_pump(&s->d[0]);
            check(fz_drive_restart(&s->d[0]), "restart");
            fz_drive_pump(&s->d[0]);
        }
        if (s->qhead < s->qtail) {
            struct simmsg m = s->q[s->qhead++ % SIM_QMAX];
            struct fz_drive *d = &s->d[m.to];
            if (!s->crashed[m.to]) {
                if (m.to == 0) {
                    record(s, (uint8_t)(m.from | (s->resign ? 0x20u : 0u)), m.bytes, m.len);
                } else {
                    d->now = s->now;
                }
                int rc = pbft_step(d->node, m.from, m.bytes, m.len, d->now);
                (void)rc;
                fz_drive_pump(d);
            }
            yc_free(m.bytes);
            continue;
        }
        s->now += 100;
        for (uint32_t i = 1; i < FZ_NVAL; i++) {
            if (!s->crashed[i]) {
                s->d[i].now = s->now;
                pbft_tick(s->d[i].node, s->now);
                fz_drive_pump(&s->d[i]);
            }
        }
        if (s->now - s->d[0].now >= 500) {
            record(s, 0xc1, NULL, 0);
            fz_drive_pump(&s->d[0]);
        }
    }
    if (sim_decided(s) < heights || (restart_at < 0 && s->d[0].decided < heights)) {
        for (uint32_t i = 0; i < FZ_NVAL; i++) {
            fprintf(stderr, "  v%u: height %llu view %llu decided %llu%s\n", i,
                    (unsigned long long)s->d[i].height, (unsigned long long)s->d[i].view,
                    (unsigned long long)s->d[i].decided, s->crashed[i] ? " (down)" : "");
        }
        die("pbft sim: validator 0 decided %llu of %llu heights",
            (unsigned long long)s->d[0].decided, (unsigned long long)heights);
    }
}

static void make_pbft(void)
{
    struct sim *s = malloc(sizeof *s);
    if (s == NULL) {
        die("out of memory");
    }
    /* normal case: heights 1..4, validator 0 is the primary of height 4 */
    sim_init(s);
    sim_run(s, 4, -1);
    seed("pbft_msg", "normal_4_heights", s->script.data, s->script.len);
    sim_cleanup(s);

    /* the same, as steps that the harness re-signs (its mutations keep valid signatures) */
    sim_init(s);
    s->resign = true;
    sim_run(s, 4, -1);
    seed("pbft_msg", "normal_4_heights_resigned", s->script.data, s->script.len);
    sim_cleanup(s);

    /* the primary of height 1 (validator 1) is down: view change to view 1 */
    sim_init(s);
    s->crashed[1] = true;
    sim_run(s, 2, -1);
    seed("pbft_msg", "viewchange_primary_down", s->script.data, s->script.len);
    sim_cleanup(s);
    sim_init(s);
    s->crashed[1] = true;
    s->resign = true;
    sim_run(s, 2, -1);
    seed("pbft_msg", "viewchange_primary_down_resigned", s->script.data, s->script.len);
    sim_cleanup(s);

    /* validator 0 crashes and restarts from its journal in the middle of height 2 */
    sim_init(s);
    sim_run(s, 3, 1);
    seed("pbft_msg", "restart_mid_height", s->script.data, s->script.len);
    sim_cleanup(s);

    free(s);
}

/* ---- p2p ---- */

static void make_p2p(void)
{
    yc_signer *si = fz_signer(0), *sr = fz_signer(1);
    struct p2p_hs hi, hr;
    struct p2p_session a, b;
    uint8_t seed_i[32], seed_r[32];
    uint8_t hello[1 + P2P_HELLO_LEN], reply[1 + P2P_REPLY_LEN], auth[1 + P2P_AUTH_LEN];
    struct yc_buf frames;

    memset(seed_i, FZ_P2P_SEED_I, sizeof seed_i);
    memset(seed_r, FZ_P2P_SEED_R, sizeof seed_r);
    hello[0] = 1;
    reply[0] = 2;
    auth[0] = 3;
    check(p2p_hs_init(&hi, true, FZ_CHAIN, seed_i), "hs");
    check(p2p_hs_init(&hr, false, FZ_CHAIN, seed_r), "hs");
    check(p2p_hs_hello(&hi, hello + 1), "hello");
    check(p2p_hs_on_hello(&hr, hello + 1, P2P_HELLO_LEN, sr, reply + 1), "on_hello");
    check(p2p_hs_on_reply(&hi, reply + 1, P2P_REPLY_LEN, si, auth + 1, &a, FZ_P2P_MAX_FRAME),
          "on_reply");
    check(p2p_hs_on_auth(&hr, auth + 1, P2P_AUTH_LEN, &b, FZ_P2P_MAX_FRAME), "on_auth");
    seed("p2p_frame", "hs_hello", hello, sizeof hello);
    seed("p2p_frame", "hs_reply", reply, sizeof reply);
    seed("p2p_frame", "hs_auth", auth, sizeof auth);

    /* frames: empty, small typed messages, one of the maximum size */
    static const size_t sizes[] = {0, 1, 5, 200, FZ_P2P_MAX_FRAME};
    uint8_t *plain = calloc(1, FZ_P2P_MAX_FRAME);
    uint8_t *sealed = malloc(p2p_sealed_len(FZ_P2P_MAX_FRAME));
    if (plain == NULL || sealed == NULL) {
        die("out of memory");
    }
    yc_buf_init(&frames, 0);
    uint8_t mode = 0;
    check(yc_buf_append(&frames, &mode, 1), "frames");
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        memset(plain, (int)(i + 1), sizes[i]);
        check(p2p_seal(&a, plain, sizes[i], sealed), "seal");
        check(yc_buf_append(&frames, sealed, p2p_sealed_len(sizes[i])), "frames");
        if (i == 2) {
            seed("p2p_frame", "frames_3", frames.data, frames.len);
        }
    }
    seed("p2p_frame", "frames_all", frames.data, frames.len);
    /* a valid frame, then a header declaring more than the maximum */
    static const uint8_t big[4] = {0x00, 0x01, 0x00, 0x11};
    check(yc_buf_append(&frames, big, sizeof big), "frames");
    seed("p2p_frame", "frames_then_oversized", frames.data, frames.len);
    yc_buf_cleanup(&frames);
    free(plain);
    free(sealed);
    p2p_session_cleanup(&a);
    p2p_session_cleanup(&b);
    p2p_hs_cleanup(&hi);
    p2p_hs_cleanup(&hr);
    yc_signer_destroy(si);
    yc_signer_destroy(sr);
}

/* ---- node.conf ---- */

static void make_config(void)
{
    struct yc_config c;
    yc_config_default(&c);
    char *text = yc_config_render(&c);
    if (text == NULL) {
        die("render");
    }
    seed_str("config", "rendered_default", text);
    free(text);
    seed_str("config", "small",
             "[rpc]\nladdr = \"tcp://127.0.0.1:27701\"\nmax_body_bytes = 1048576\n\n"
             "[p2p]\nladdr = \"0.0.0.0:27601\"\n"
             "persistent_peers = \"127.0.0.1:27600,127.0.0.1:27602\"\n\n"
             "[consensus]\ntimeout_propose = \"3s\"\ncreate_empty_blocks = false\n\n"
             "[mempool]\nsize = 5000\n\n[instrumentation]\nprometheus = true\n\n"
             "[log]\nlevel = \"debug\"\n");
    seed_str("config", "comments_and_spaces",
             "; a comment\n# another\n\n  [ rpc ]  \n  max_batch=10 ; trailing\n"
             "timeout_broadcast_tx_commit = 250ms\r\n");
}

/* ---- HTTP / JSON-RPC ---- */

static void rpc_post(const char *name, const char *body)
{
    char buf[8192];
    snprintf(buf, sizeof buf,
             "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
             "Content-Length: %zu\r\n\r\n%s",
             strlen(body), body);
    seed_str("rpc", name, buf);
}

/* Seeds name what the rpc harness's store holds: block 1 with fz_chain_txs. */
static void make_rpc(const struct txset *ts)
{
    char hexbuf[2 * 4096 + 1], idhex[2 * YC_HASH_LEN + 1], body[8192 + 256];
    char alice[YC_ADDR_MAX], proc[YC_ADDR_MAX];
    struct yc_tx chain[2];
    const struct yc_tx *tx = &ts->tx[3];
    uint8_t pub[YC_PUBKEY_LEN];

    fz_chain_txs(chain);
    fz_pub(103, pub);
    check(yc_addr_encode(alice, pub), "addr");
    fz_pub(104, pub);
    check(yc_addr_encode(proc, pub), "addr");

    rpc_post("status", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"status\",\"params\":{}}");
    rpc_post("health_positional", "{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"health\","
                                  "\"params\":[]}");
    rpc_post("batch", "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"status\"},"
                      "{\"jsonrpc\":\"2.0\",\"method\":\"health\"},"
                      "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"nope\"},1]");
    rpc_post("genesis", "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"genesis\"}");
    rpc_post("num_unconfirmed", "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":"
                                "\"num_unconfirmed_txs\"}");
    rpc_post("unconfirmed", "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"unconfirmed_txs\","
                            "\"params\":{\"limit\":\"5\"}}");
    hex(hexbuf, tx->bytes, tx->len);
    snprintf(body, sizeof body,
             "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"broadcast_tx_sync\",\"params\":"
             "{\"tx\":\"%s\"}}",
             hexbuf);
    rpc_post("broadcast_tx_sync", body);
    snprintf(body, sizeof body,
             "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"broadcast_tx_async\",\"params\":"
             "[\"%s\"]}",
             hexbuf);
    rpc_post("broadcast_tx_async", body);
    snprintf(body, sizeof body,
             "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"broadcast_tx_commit\",\"params\":"
             "{\"tx\":\"%s\",\"timeout_ms\":\"5\"}}",
             hexbuf);
    rpc_post("broadcast_tx_commit", body);
    snprintf(body, sizeof body,
             "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"broadcast_txs\",\"params\":"
             "{\"txs\":[\"%s\",\"00\"]}}",
             hexbuf);
    rpc_post("broadcast_txs", body);
    hex(idhex, chain[0].id, YC_HASH_LEN);
    snprintf(body, sizeof body,
             "{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"tx\",\"params\":{\"id\":\"%s\"}}", idhex);
    rpc_post("tx", body);
    hex(idhex, chain[1].id, YC_HASH_LEN);
    snprintf(body, sizeof body,
             "{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"tx_proof\",\"params\":[\"%s\"]}", idhex);
    rpc_post("tx_proof", body);
    snprintf(body, sizeof body,
             "{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"account\",\"params\":"
             "{\"address\":\"%s\"}}",
             alice);
    rpc_post("account", body);
    snprintf(body, sizeof body,
             "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"consents\",\"params\":"
             "{\"subject\":\"%s\"}},{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"consents\","
             "\"params\":{\"processor\":\"%s\",\"limit\":1}},{\"jsonrpc\":\"2.0\",\"id\":3,"
             "\"method\":\"usage\",\"params\":{\"subject\":\"%s\"}}]",
             alice, proc, alice);
    rpc_post("consents_usage_batch", body);
    rpc_post("block_raw", "{\"jsonrpc\":\"2.0\",\"id\":12,\"method\":\"block\",\"params\":"
                          "{\"height\":\"1\",\"format\":\"raw\"}}");
    rpc_post("block_json", "{\"jsonrpc\":\"2.0\",\"id\":12,\"method\":\"block\",\"params\":"
                           "[1]}");
    rpc_post("blockchain", "{\"jsonrpc\":\"2.0\",\"id\":13,\"method\":\"blockchain\","
                           "\"params\":{\"min\":0,\"max\":\"2\"}}");
    rpc_post("bad_json", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":");
    rpc_post("deep", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1"
                     "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]");
    rpc_post("bad_utf8", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"st\xc3\x28tus\"}");
    seed_str("rpc", "get_root", "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    seed_str("rpc", "get_status", "GET /status HTTP/1.1\r\nHost: x\r\n\r\n");
    snprintf(body, sizeof body, "GET /account?address=%s HTTP/1.1\r\nHost: x\r\n\r\n", alice);
    seed_str("rpc", "get_account", body);
    hex(idhex, chain[0].id, YC_HASH_LEN);
    snprintf(body, sizeof body, "GET /tx?id=\"%s\" HTTP/1.1\r\nHost: x\r\n\r\n", idhex);
    seed_str("rpc", "get_tx_quoted", body);
    seed_str("rpc", "get_blockchain",
             "GET /blockchain?min=1&max=%2210%22 HTTP/1.1\r\nHost: x\r\n\r\n");
    snprintf(body, sizeof body,
             "GET /consents?subject=%s&limit=3 HTTP/1.1\r\nHost: x\r\n\r\n"
             "GET /usage?subject=%%zz HTTP/1.1\r\nHost: x\r\n\r\n"
             "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
             alice);
    seed_str("rpc", "get_pipelined", body);
    seed_str("rpc", "get_events", "GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
    seed_str("rpc", "chunked",
             "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
             "1a\r\n{\"jsonrpc\":\"2.0\",\"id\":1,\r\n"
             "13\r\n\"method\":\"status\"}\r\n0\r\n\r\n");
    seed_str("rpc", "bearer_cookie",
             "POST / HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer 00112233445566778899aabbccdd"
             "eeff00112233445566778899aabbccddeeff\r\nContent-Length: 42\r\n\r\n"
             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"status\"}");
    seed_str("rpc", "body_too_large",
             "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 9999999\r\n\r\n{");
    seed_str("rpc", "bad_method", "PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
    seed_str("rpc", "http10", "GET /health HTTP/1.0\r\n\r\n");
    yc_tx_cleanup(&chain[0]);
    yc_tx_cleanup(&chain[1]);
}

int main(int argc, char **argv)
{
    struct txset ts;
    struct yc_genesis g;

    if (argc != 2) {
        fprintf(stderr, "usage: %s OUTDIR   (writes OUTDIR/<harness>/<seed>)\n", argv[0]);
        return 2;
    }
    outdir = argv[1];
    if (mkdir(outdir, 0755) != 0 && errno != EEXIST) {
        die("mkdir %s: %s", outdir, strerror(errno));
    }
    if (sodium_init() < 0) {
        die("sodium_init");
    }
    memset(&ts, 0, sizeof ts);
    fz_genesis(&g, FZ_NVAL);
    make_txs(&ts);
    make_schema_txs();
    make_blocks(&ts, &g);
    make_ledger();
    make_objects();
    make_genesis();
    make_keystore();
    make_pbft();
    make_p2p();
    make_config();
    make_rpc(&ts);
    for (uint32_t i = 0; i < ts.n; i++) {
        yc_tx_cleanup(&ts.tx[i]);
    }
    yc_genesis_cleanup(&g);
    printf("make_corpus: %u seeds written under %s\n", nwritten, outdir);
    return 0;
}
