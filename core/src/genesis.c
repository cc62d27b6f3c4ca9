/*
 * genesis.c — the genesis struct: defaults, validation, canonical encoding, hash,
 * and the PBFT fault and quorum sizes.
 *
 * Encoding (sorted keys; see docs/formats.md):
 *   {accounts: [{balance, jurisdiction, name, pub, role}, …], chain_id,
 *    codes: {categories: [code, …], purposes: [code, …]}, genesis_time,
 *    params: {exchange_fee_bps, max_block_bytes, max_block_txs, max_time_drift_ms,
 *             notice_blocks, open_registration, valset_delay, valset_expiry},
 *    validators: [{name, org, pub}, …]}
 * Accounts, validators and codes keep their given order (the validator order is the
 * primary rotation). An empty code list is replaced by its default list before hashing,
 * so the encoding always names the lists in force. The genesis state (the accounts,
 * nonce 0, credit "good") is written by yc_genesis_state.
 */
#include <string.h>

#include "ledger_int.h"
#include "yc/alloc.h"
#include "yc/codec.h"
#include "yc/genesis.h"
#include "yc/objects.h"

void yc_params_default(struct yc_params *p)
{
    p->max_block_txs = 2000;
    p->max_block_bytes = 4u << 20;
    p->max_time_drift_ms = 10000;
    p->notice_blocks = 100;
    p->exchange_fee_bps = 0;
    p->open_registration = false;
    p->valset_delay = 2;
    p->valset_expiry = 100000;
}

void yc_code_list_default(struct yc_code_list *l, enum yc_code_kind k)
{
    size_t n;
    const struct yc_code_default *d = yc_codes_default(k, &n);

    memset(l, 0, sizeof *l);
    for (size_t i = 0; i < n && i < YC_CODES_MAX; i++) {
        size_t len = strlen(d[i].code);
        memcpy(l->codes[i], d[i].code, len + 1);
        l->n++;
    }
}

bool yc_code_list_covers(const struct yc_code_list *l, const char *c, size_t len)
{
    for (uint32_t i = 0; i < l->n && i < YC_CODES_MAX; i++) {
        const char *k = l->codes[i];
        if (k[0] != c[0]) {
            continue; /* most codes differ at once: skip them before measuring them */
        }
        size_t kl = strnlen(k, YC_CODE_MAX + 1);
        if (kl <= len && yc_code_covers(k, kl, c, len)) {
            return true;
        }
    }
    return false;
}

static bool code_listed(const struct yc_code_list *l, uint32_t upto, const char *c, size_t len)
{
    for (uint32_t i = 0; i < upto; i++) {
        if (strnlen(l->codes[i], YC_CODE_MAX + 1) == len && memcmp(l->codes[i], c, len) == 0) {
            return true;
        }
    }
    return false;
}

int yc_code_list_add(struct yc_code_list *l, const char *c, size_t len)
{
    struct yc_slice s = {c, len};

    if (l == NULL || c == NULL) {
        return YC_EINVAL;
    }
    if (!yc__is_code(&s) || code_listed(l, l->n, c, len)) {
        return YC_ECONFIG;
    }
    if (l->n >= YC_CODES_MAX) {
        return YC_ELIMIT;
    }
    memcpy(l->codes[l->n], c, len);
    l->codes[l->n][len] = '\0';
    l->n++;
    return YC_OK;
}

/* Every entry a code, no two equal. */
static bool code_list_ok(const struct yc_code_list *l)
{
    if (l->n > YC_CODES_MAX) {
        return false;
    }
    for (uint32_t i = 0; i < l->n; i++) {
        size_t len = strnlen(l->codes[i], YC_CODE_MAX + 1);
        struct yc_slice s = {l->codes[i], len};
        if (len > YC_CODE_MAX || !yc__is_code(&s) || code_listed(l, i, l->codes[i], len)) {
            return false;
        }
    }
    return true;
}

static void enc_code_list(struct yc_enc *e, const char *key, const struct yc_code_list *l)
{
    uint32_t n = l->n > YC_CODES_MAX ? YC_CODES_MAX : l->n;

    yc_enc_cstr(e, key);
    yc_enc_array(e, n);
    for (uint32_t i = 0; i < n; i++) {
        yc_enc_str(e, l->codes[i], strnlen(l->codes[i], sizeof l->codes[i]));
    }
}

void yc_genesis_cleanup(struct yc_genesis *g)
{
    if (g == NULL) {
        return;
    }
    yc_free(g->accounts);
    memset(g, 0, sizeof *g);
}

uint32_t yc_faults(uint32_t n)
{
    return n == 0 ? 0 : (n - 1) / 3;
}

uint32_t yc_quorum(uint32_t n)
{
    /* ceil((n + f + 1) / 2); with no validators nothing can reach it */
    if (n == 0) {
        return 1;
    }
    uint64_t s = (uint64_t)n + yc_faults(n) + 1;
    return (uint32_t)((s + 1) / 2);
}

int yc_genesis_validator_index(const struct yc_genesis *g, const uint8_t pub[YC_PUBKEY_LEN])
{
    if (g == NULL || pub == NULL) {
        return -1;
    }
    for (uint32_t i = 0; i < g->nvalidators && i < YC_MAX_VALIDATORS; i++) {
        if (memcmp(g->validators[i].pub, pub, YC_PUBKEY_LEN) == 0) {
            return (int)i;
        }
    }
    return -1;
}

/* Length of a NUL-terminated field of `size` bytes, or size if it is not terminated. */
static size_t field_len(const char *s, size_t size)
{
    return strnlen(s, size);
}

static bool chain_id_ok(const char *s)
{
    size_t n = field_len(s, YC_CHAIN_ID_MAX + 1);
    if (n < 1 || n > YC_CHAIN_ID_MAX) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-')) {
            return false;
        }
    }
    return true;
}

/* Index of the genesis account with key pub, or -1. */
static int account_index(const struct yc_genesis *g, const uint8_t pub[YC_PUBKEY_LEN])
{
    for (uint32_t i = 0; i < g->naccounts; i++) {
        if (memcmp(g->accounts[i].pub, pub, YC_PUBKEY_LEN) == 0) {
            return (int)i;
        }
    }
    return -1;
}

/* Gives every validator without an organisation account (all zero) the first account of
 * role exchange (check_accounts has made sure there is one). */
static void default_orgs(struct yc_genesis *g)
{
    static const uint8_t zero[YC_PUBKEY_LEN] = {0};
    const uint8_t *exchange = NULL;

    for (uint32_t i = 0; i < g->naccounts && exchange == NULL; i++) {
        const char *r = g->accounts[i].role;
        if (yc_role_from_name(r, field_len(r, sizeof g->accounts[i].role)) == YC_ROLE_EXCHANGE) {
            exchange = g->accounts[i].pub;
        }
    }
    for (uint32_t i = 0; i < g->nvalidators && exchange != NULL; i++) {
        if (memcmp(g->validators[i].org, zero, YC_PUBKEY_LEN) == 0) {
            memcpy(g->validators[i].org, exchange, YC_PUBKEY_LEN);
        }
    }
}

static int check_validators(const struct yc_genesis *g)
{
    if (g->nvalidators < 1 || g->nvalidators > YC_MAX_VALIDATORS) {
        return YC_ECONFIG;
    }
    for (uint32_t i = 0; i < g->nvalidators; i++) {
        const struct yc_validator *v = &g->validators[i];
        size_t nl = field_len(v->name, sizeof v->name);
        if (nl < 1 || nl >= sizeof v->name) {
            return YC_ECONFIG;
        }
        if (!yc_pubkey_valid(v->pub)) {
            return YC_EBADKEY;
        }
        if (account_index(g, v->org) < 0) {
            return YC_ECONFIG;
        }
        for (uint32_t j = 0; j < i; j++) {
            if (memcmp(g->validators[j].pub, v->pub, YC_PUBKEY_LEN) == 0) {
                return YC_ECONFIG;
            }
        }
    }
    return YC_OK;
}

static int check_accounts(const struct yc_genesis *g)
{
    bool exchange = false;

    if (g->naccounts > YC_GENESIS_MAX_ACCOUNTS || (g->naccounts > 0 && g->accounts == NULL)) {
        return YC_ECONFIG;
    }
    for (uint32_t i = 0; i < g->naccounts; i++) {
        const struct yc_genesis_account *a = &g->accounts[i];
        size_t rl = field_len(a->role, sizeof a->role);
        size_t nl = field_len(a->name, sizeof a->name);
        struct yc_slice jur = {a->jurisdiction, field_len(a->jurisdiction, sizeof a->jurisdiction)};
        enum yc_role role = yc_role_from_name(a->role, rl);
        if (role == YC_ROLE_NONE || nl < 1 || nl > YC_NAME_MAX || !yc__is_jurisdiction(&jur)) {
            return YC_ECONFIG;
        }
        if (!yc_pubkey_valid(a->pub)) {
            return YC_EBADKEY;
        }
        for (uint32_t j = 0; j < i; j++) {
            if (memcmp(g->accounts[j].pub, a->pub, YC_PUBKEY_LEN) == 0) {
                return YC_ECONFIG;
            }
        }
        exchange = exchange || role == YC_ROLE_EXCHANGE;
    }
    return exchange ? YC_OK : YC_ECONFIG;
}

int yc_genesis_encode(const struct yc_genesis *g, struct yc_buf *out)
{
    struct yc_enc e;

    if (g == NULL || out == NULL || (g->naccounts > 0 && g->accounts == NULL) ||
        g->nvalidators > YC_MAX_VALIDATORS) {
        return YC_EINVAL;
    }
    yc_enc_init(&e, out);
    yc_enc_map(&e, 6);
    yc_enc_cstr(&e, "accounts");
    yc_enc_array(&e, g->naccounts);
    for (uint32_t i = 0; i < g->naccounts; i++) {
        const struct yc_genesis_account *a = &g->accounts[i];
        yc_enc_map(&e, 5);
        yc_enc_cstr(&e, "balance");
        yc_enc_uint(&e, a->balance);
        yc_enc_cstr(&e, "jurisdiction");
        yc_enc_str(&e, a->jurisdiction, field_len(a->jurisdiction, sizeof a->jurisdiction));
        yc_enc_cstr(&e, "name");
        yc_enc_str(&e, a->name, field_len(a->name, sizeof a->name));
        yc_enc_cstr(&e, "pub");
        yc_enc_bin(&e, a->pub, YC_PUBKEY_LEN);
        yc_enc_cstr(&e, "role");
        yc_enc_str(&e, a->role, field_len(a->role, sizeof a->role));
    }
    yc_enc_cstr(&e, "chain_id");
    yc_enc_str(&e, g->chain_id, field_len(g->chain_id, sizeof g->chain_id));
    yc_enc_cstr(&e, "codes");
    yc_enc_map(&e, 2);
    enc_code_list(&e, "categories", &g->codes.categories);
    enc_code_list(&e, "purposes", &g->codes.purposes);
    yc_enc_cstr(&e, "genesis_time");
    yc_enc_uint(&e, g->genesis_time_ms);
    yc_enc_cstr(&e, "params");
    yc_enc_map(&e, 8);
    yc_enc_cstr(&e, "exchange_fee_bps");
    yc_enc_uint(&e, g->params.exchange_fee_bps);
    yc_enc_cstr(&e, "max_block_bytes");
    yc_enc_uint(&e, g->params.max_block_bytes);
    yc_enc_cstr(&e, "max_block_txs");
    yc_enc_uint(&e, g->params.max_block_txs);
    yc_enc_cstr(&e, "max_time_drift_ms");
    yc_enc_uint(&e, g->params.max_time_drift_ms);
    yc_enc_cstr(&e, "notice_blocks");
    yc_enc_uint(&e, g->params.notice_blocks);
    yc_enc_cstr(&e, "open_registration");
    yc_enc_bool(&e, g->params.open_registration);
    yc_enc_cstr(&e, "valset_delay");
    yc_enc_uint(&e, g->params.valset_delay);
    yc_enc_cstr(&e, "valset_expiry");
    yc_enc_uint(&e, g->params.valset_expiry);
    yc_enc_cstr(&e, "validators");
    yc_enc_array(&e, g->nvalidators);
    for (uint32_t i = 0; i < g->nvalidators; i++) {
        const struct yc_validator *v = &g->validators[i];
        yc_enc_map(&e, 3);
        yc_enc_cstr(&e, "name");
        yc_enc_str(&e, v->name, field_len(v->name, sizeof v->name));
        yc_enc_cstr(&e, "org");
        yc_enc_bin(&e, v->org, YC_PUBKEY_LEN);
        yc_enc_cstr(&e, "pub");
        yc_enc_bin(&e, v->pub, YC_PUBKEY_LEN);
    }
    return yc_enc_finish(&e);
}

int yc_genesis_finalize(struct yc_genesis *g)
{
    struct yc_buf b;
    int rc;

    if (g == NULL) {
        return YC_EINVAL;
    }
    if (!chain_id_ok(g->chain_id) || g->params.max_block_txs == 0 ||
        g->params.max_block_bytes == 0 || g->params.exchange_fee_bps > 10000 ||
        g->params.valset_delay < 1 || g->params.valset_delay > 1000 ||
        g->params.valset_expiry < 1 || g->params.valset_expiry > 1000000000) {
        return YC_ECONFIG;
    }
    if ((rc = check_accounts(g)) != YC_OK) {
        return rc;
    }
    default_orgs(g);
    if ((rc = check_validators(g)) != YC_OK) {
        return rc;
    }
    if (g->codes.categories.n == 0) {
        yc_code_list_default(&g->codes.categories, YC_CODES_CATEGORY);
    }
    if (g->codes.purposes.n == 0) {
        yc_code_list_default(&g->codes.purposes, YC_CODES_PURPOSE);
    }
    if (!code_list_ok(&g->codes.categories) || !code_list_ok(&g->codes.purposes)) {
        return YC_ECONFIG;
    }
    yc_buf_init(&b, 0);
    rc = yc_genesis_encode(g, &b);
    if (rc == YC_OK) {
        yc_hash_tagged(g->hash, YC_TAG_GENESIS, g->chain_id, b.data, b.len);
    }
    yc_buf_cleanup(&b);
    return rc;
}

int yc_genesis_state(yc_overlay *o, const struct yc_genesis *g, uint8_t root[YC_HASH_LEN])
{
    static const uint8_t zero[YC_HASH_LEN] = {0};
    const struct yc_write *w;
    struct yc_buf b;
    size_t n;
    int rc = YC_OK;

    if (o == NULL || g == NULL || root == NULL || (g->naccounts > 0 && g->accounts == NULL)) {
        return YC_EINVAL;
    }
    yc_buf_init(&b, 0);
    for (uint32_t i = 0; i < g->naccounts && rc == YC_OK; i++) {
        const struct yc_genesis_account *ga = &g->accounts[i];
        struct yc_account a = {
            .balance = ga->balance,
            .credit = {"good", 4},
            .jurisdiction = {ga->jurisdiction,
                             field_len(ga->jurisdiction, sizeof ga->jurisdiction)},
            .name = {ga->name, field_len(ga->name, sizeof ga->name)},
            .nonce = 0,
            .registered_at = 0,
            .role = yc_role_from_name(ga->role, field_len(ga->role, sizeof ga->role)),
        };
        uint8_t key[YC_KEY_MAX];
        size_t klen = yc_key_account(key, ga->pub);
        yc_buf_reset(&b);
        rc = yc_account_encode(&a, &b);
        if (rc == YC_OK) {
            rc = yc_overlay_put(o, key, klen, b.data, b.len);
        }
    }
    yc_buf_cleanup(&b);
    if (rc == YC_OK) {
        rc = yc_overlay_writes(o, &w, &n);
    }
    if (rc == YC_OK) {
        yc_state_root_next(root, g->chain_id, zero, w, n);
    }
    return rc;
}
