/*
 * ledger.c — the state machine's frame: the dispatch table by transaction type, the
 * envelope rules every transaction obeys (known sender, nonce order, chain), the
 * account helpers the handlers share, admission pre-checks and block execution.
 *
 * Invariant: a transaction executes in its own child overlay that is merged into the
 * caller's overlay only when every rule passed, so a refusal leaves state unchanged
 * whatever the handler had written before it refused.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ledger_int.h"
#include "yc/alloc.h"
#include "yc/ledger.h"
#include "yc/merkle.h"

/*
 * One line per type. `check` holds the role rules that admission tests too (run
 * before `exec`, NULL for none). Issues adding types add a line here.
 */
static const struct handler {
    enum yc_tx_type type;
    yc__check_fn check;
    yc__exec_fn exec;
} HANDLERS[] = {
    {YC_TX_ACCOUNT_REGISTER, yc__check_account_register, yc__exec_account_register},
    {YC_TX_ACCOUNT_UPDATE, yc__check_account_update, yc__exec_account_update},
    {YC_TX_TOKEN_ISSUE, yc__check_token_exchange, yc__exec_token_issue},
    {YC_TX_TOKEN_TRANSFER, NULL, yc__exec_token_transfer},
    {YC_TX_TOKEN_REDEEM, yc__check_token_exchange, yc__exec_token_redeem},
    {YC_TX_CONSENT_GRANT, yc__check_consent_grant, yc__exec_consent_grant},
    {YC_TX_CONSENT_REVOKE, NULL, yc__exec_consent_revoke},
    {YC_TX_USAGE_RECORD, NULL, yc__exec_usage_record},
    {YC_TX_EVIDENCE_ANCHOR, NULL, yc__exec_evidence_anchor},
    {YC_TX_CARRY_REQUEST, yc__check_carry_request, yc__exec_carry_request},
    {YC_TX_CARRY_COMPLETE, NULL, yc__exec_carry_close},
    {YC_TX_CARRY_REJECT, NULL, yc__exec_carry_close},
    {YC_TX_ASSET_REGISTER, yc__check_asset_register, yc__exec_asset_register},
    {YC_TX_ASSET_OBJECT, NULL, yc__exec_asset_object},
    {YC_TX_ASSET_RESOLVE, yc__check_exchange, yc__exec_asset_resolve},
    {YC_TX_ASSET_CERTIFY, yc__check_exchange, yc__exec_asset_certify},
    {YC_TX_ASSET_UPDATE, NULL, yc__exec_asset_update},
    {YC_TX_ASSET_RETIRE, NULL, yc__exec_asset_retire},
    {YC_TX_RIGHT_TRANSFER, NULL, yc__exec_right_transfer},
    {YC_TX_RIGHT_LICENSE, NULL, yc__exec_right_license},
    {YC_TX_LICENSE_REVOKE, NULL, yc__exec_license_revoke},
    {YC_TX_MARKET_LIST, NULL, yc__exec_market_list},
    {YC_TX_MARKET_APPRAISE, yc__check_appraiser, yc__exec_market_appraise},
    {YC_TX_MARKET_BID, NULL, yc__exec_market_bid},
    {YC_TX_MARKET_ACCEPT, NULL, yc__exec_market_accept},
    {YC_TX_MARKET_CANCEL, NULL, yc__exec_market_cancel},
    {YC_TX_PLEDGE_CREATE, NULL, yc__exec_pledge_create}, /* pledgee's cosig: the envelope */
    {YC_TX_PLEDGE_RELEASE, NULL, yc__exec_pledge_close},
    {YC_TX_PLEDGE_ENFORCE, NULL, yc__exec_pledge_close},
    {YC_TX_POLICY_SET, yc__check_regulator, yc__exec_policy_set},
    {YC_TX_EXPORT_ASSESS, yc__check_regulator, yc__exec_export_assess},
    {YC_TX_CREDIT_RECORD, yc__check_regulator, yc__exec_credit_record},
    {YC_TX_CREDIT_RESTORE, yc__check_regulator, yc__exec_credit_restore},
    {YC_TX_CREDIT_OBJECT, NULL, yc__exec_credit_object},
    {YC_TX_CREDIT_RESOLVE, yc__check_regulator, yc__exec_credit_resolve},
    {YC_TX_VALIDATOR_PROPOSE, yc__check_validator_org, yc__exec_validator_propose},
    {YC_TX_VALIDATOR_APPROVE, yc__check_validator_org, yc__exec_validator_approve},
    {YC_TX_VALIDATOR_WITHDRAW, yc__check_validator_org, yc__exec_validator_withdraw},
};

static const struct handler *handler_for(enum yc_tx_type t)
{
    for (size_t i = 0; i < sizeof HANDLERS / sizeof HANDLERS[0]; i++) {
        if (HANDLERS[i].type == t) {
            return &HANDLERS[i];
        }
    }
    return NULL;
}

int yc__refuse(const struct yc__env *e, int code, const char *fmt, ...)
{
    va_list ap;

    if (e != NULL && e->ctx != NULL && e->ctx->why != NULL && e->ctx->whylen > 0) {
        va_start(ap, fmt);
        (void)vsnprintf(e->ctx->why, e->ctx->whylen, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* ---- account helpers ---- */

int yc__acct_load(yc_overlay *o, const uint8_t pub[YC_PUBKEY_LEN], struct yc_account *a)
{
    uint8_t key[YC_KEY_MAX];
    size_t klen = yc_key_account(key, pub);
    const uint8_t *v;
    size_t vlen;
    int rc = yc_overlay_get(o, key, klen, &v, &vlen);

    if (rc == YC_ENOTFOUND) {
        return YC_EUNKNOWNACCT;
    }
    if (rc != YC_OK) {
        return rc;
    }
    return yc_account_decode(a, v, vlen);
}

int yc__acct_store(yc_overlay *o, const uint8_t pub[YC_PUBKEY_LEN], const struct yc_account *a)
{
    uint8_t key[YC_KEY_MAX];
    size_t klen = yc_key_account(key, pub);
    uint8_t val[ACCT_STORE_MAX];
    size_t vlen;
    int rc = yc__account_size(a, &vlen);

    if (rc != YC_OK) {
        return rc;
    }
    if (vlen > sizeof val) {
        return YC_ELIMIT;
    }
    yc__account_put(a, val);
    return yc_overlay_put(o, key, klen, val, vlen);
}

int yc__acct_exists(yc_overlay *o, const uint8_t pub[YC_PUBKEY_LEN])
{
    uint8_t key[YC_KEY_MAX];
    size_t klen = yc_key_account(key, pub);
    int rc = yc__key_exists(o, key, klen);
    return rc == YC_ENOTFOUND ? YC_EUNKNOWNACCT : rc;
}

int yc__acct_debit(yc_overlay *o, const uint8_t pub[YC_PUBKEY_LEN], uint64_t amount)
{
    struct yc_account a;
    int rc = yc__acct_load(o, pub, &a);

    if (rc != YC_OK) {
        return rc;
    }
    if (a.balance < amount) {
        return YC_EBALANCE;
    }
    a.balance -= amount;
    return yc__acct_store(o, pub, &a);
}

int yc__acct_credit(yc_overlay *o, const uint8_t pub[YC_PUBKEY_LEN], uint64_t amount)
{
    struct yc_account a;
    int rc = yc__acct_load(o, pub, &a);

    if (rc != YC_OK) {
        return rc;
    }
    if (a.balance > UINT64_MAX - amount) {
        return YC_EOVERFLOW;
    }
    a.balance += amount;
    return yc__acct_store(o, pub, &a);
}

int yc__key_exists(yc_overlay *o, const uint8_t *key, size_t klen)
{
    const uint8_t *v;
    size_t vlen;
    return yc_overlay_get(o, key, klen, &v, &vlen);
}

int yc__put_empty(yc_overlay *o, const uint8_t *key, size_t klen)
{
    return yc_overlay_put(o, key, klen, NULL, 0);
}

/* ---- envelope rules ---- */

static bool is_self_register(const struct yc_tx *tx)
{
    if (tx->type != YC_TX_ACCOUNT_REGISTER) {
        return false; /* (the body holds only its own type's member) */
    }
    const struct yc_body_account_register *b = &tx->b->account_register;
    return !b->has_account || memcmp(b->account, tx->sender, YC_PUBKEY_LEN) == 0;
}

static bool chain_matches(const struct yc_tx *tx, const struct yc_genesis *g)
{
    size_t n = strnlen(g->chain_id, sizeof g->chain_id);
    return tx->chain_id.len == n && memcmp(tx->chain_id.p, g->chain_id, n) == 0;
}

/* Checks the sender and nonce, sets env->role, and (when `bump`) writes the sender's
 * next nonce into env->o. Self-registration: the account must not exist, nonce 0. */
static int check_sender(struct yc__env *env, bool bump, uint64_t *gap)
{
    const struct yc_tx *tx = env->tx;
    struct yc_account a;
    int rc;

    *gap = 0;
    if (is_self_register(tx)) {
        rc = yc__acct_exists(env->o, tx->sender);
        if (rc == YC_OK) {
            return yc__refuse(env, YC_EALREADYREG, "sender: this key is already registered");
        }
        if (rc != YC_EUNKNOWNACCT) {
            return rc;
        }
        env->role = YC_ROLE_NONE;
        /* The account (nonce 1) is created by the handler. */
        return tx->nonce == 0 ? YC_OK
                              : yc__refuse(env, YC_EBADNONCE,
                                           "nonce: a self-registration has nonce 0, not %llu",
                                           (unsigned long long)tx->nonce);
    }
    rc = yc__acct_load(env->o, tx->sender, &a);
    if (rc == YC_EUNKNOWNACCT) {
        return yc__refuse(env, rc, "sender: not a registered account; register it first");
    }
    if (rc != YC_OK) {
        return rc;
    }
    env->role = a.role;
    if (!bump) {
        if (tx->nonce < a.nonce) {
            return yc__refuse(env, YC_EBADNONCE,
                              "nonce: %llu is already used; the sender's next nonce is %llu",
                              (unsigned long long)tx->nonce, (unsigned long long)a.nonce);
        }
        *gap = tx->nonce - a.nonce;
        return YC_OK;
    }
    if (tx->nonce != a.nonce || a.nonce == UINT64_MAX) {
        return yc__refuse(env, YC_EBADNONCE, "nonce: %llu is not the sender's next nonce %llu",
                          (unsigned long long)tx->nonce, (unsigned long long)a.nonce);
    }
    a.nonce++;
    return yc__acct_store(env->o, tx->sender, &a);
}

static bool has_cosigner(const struct yc_tx *tx, const uint8_t pub[YC_PUBKEY_LEN])
{
    for (uint32_t i = 0; i < tx->ncosigs; i++) {
        if (memcmp(tx->cosigs[i].pub, pub, YC_PUBKEY_LEN) == 0) {
            return true;
        }
    }
    return false;
}

bool yc__is_registrar(enum yc_role r)
{
    return r == YC_ROLE_EXCHANGE || r == YC_ROLE_AGENCY;
}

/* The co-signers a type calls for (DESIGN.md §5): a pledge's pledgee; a registrar (the
 * exchange or an agency) on a self-registration, which needs one unless genesis sets
 * open_registration. Anyone else's co-signature is refused: co-signatures are outside
 * the tx id, so a stranger could otherwise add one to somebody's transaction. */
static int check_cosigners(struct yc__env *env)
{
    const struct yc_tx *tx = env->tx;
    uint32_t registrars = 0;

    for (uint32_t i = 0; i < tx->ncosigs; i++) {
        const uint8_t *pub = tx->cosigs[i].pub;
        if (tx->type == YC_TX_PLEDGE_CREATE &&
            memcmp(pub, tx->b->pledge_create.pledgee, YC_PUBKEY_LEN) == 0) {
            continue;
        }
        if (is_self_register(tx)) {
            struct yc_account a;
            int rc = yc__acct_load(env->o, pub, &a);
            if (rc != YC_OK && rc != YC_EUNKNOWNACCT) {
                return rc;
            }
            if (rc == YC_OK && yc__is_registrar(a.role) && registrars == 0) {
                registrars++;
                continue;
            }
            return yc__refuse(env, YC_EBADCOSIG,
                              "cosigs: co-signer %u is not a registrar (a registered exchange "
                              "or agency account); a registration takes one registrar's "
                              "co-signature",
                              (unsigned)i);
        }
        return yc__refuse(env, YC_EBADCOSIG,
                          "cosigs: co-signer %u is not a party to this %s transaction "
                          "(only a pledge.create takes a co-signature, by its pledgee, and a "
                          "self-registration, by a registrar)",
                          (unsigned)i, yc_tx_type_name(tx->type));
    }
    if (tx->type == YC_TX_PLEDGE_CREATE && !has_cosigner(tx, tx->b->pledge_create.pledgee)) {
        return yc__refuse(env, YC_EBADCOSIG,
                          "cosigs: a pledge.create needs its pledgee's co-signature");
    }
    if (is_self_register(tx) && registrars == 0 && !env->ctx->g->params.open_registration) {
        return yc__refuse(env, YC_ENOTAUTH,
                          "registration: this chain registers accounts under their real names: "
                          "a registrar (the exchange or an agency) must send the registration "
                          "or co-sign it");
    }
    return YC_OK;
}

/* The envelope every transaction obeys before its type's rules: the co-signers it calls
 * for, a known sender (or a self-registration) and its nonce (see check_sender). */
static int check_envelope(struct yc__env *env, bool bump, uint64_t *gap)
{
    int rc = check_cosigners(env);
    return rc == YC_OK ? check_sender(env, bump, gap) : rc;
}

/* The handler of tx's type (YC_EUNKNOWNTYPE if none), for a tx of genesis g's chain
 * (YC_EWRONGCHAIN otherwise). */
static int handler_checked(const struct yc_tx *tx, const struct yc_genesis *g,
                           const struct handler **h)
{
    *h = handler_for(tx->type);
    if (*h == NULL) {
        return YC_EUNKNOWNTYPE;
    }
    return chain_matches(tx, g) ? YC_OK : YC_EWRONGCHAIN;
}

static int run(struct yc__env *env, const struct handler *h)
{
    uint64_t gap;
    int rc = check_envelope(env, true, &gap);

    if (rc == YC_OK && h->check != NULL) {
        rc = h->check(env);
    }
    if (rc == YC_OK) {
        rc = h->exec(env);
    }
    if (rc == YC_OK) {
        /* the policy's "any act of a named account" alert (exec_supervise.c) */
        rc = yc__alert_watch(env);
    }
    return rc;
}

int yc_exec_tx(yc_overlay *o, const struct yc_exec_ctx *ctx, const struct yc_tx *tx, uint32_t index)
{
    const struct handler *h;
    yc_overlay *child;
    int rc;

    /* height 0 is genesis; revoked_at and registered_at rely on blocks being >= 1 */
    if (o == NULL || ctx == NULL || ctx->g == NULL || tx == NULL || ctx->height == 0) {
        return YC_EINVAL;
    }
    rc = handler_checked(tx, ctx->g, &h);
    if (rc != YC_OK) {
        return rc;
    }
    rc = yc_overlay_child(&child, o);
    if (rc != YC_OK) {
        return rc;
    }
    struct yc__env env = {.o = child, .ctx = ctx, .tx = tx, .index = index};
    rc = run(&env, h);
    if (rc == YC_OK) {
        rc = yc_overlay_merge(child, o);
    }
    yc_overlay_destroy(child);
    return rc;
}

int yc_exec_tx_outcome(yc_overlay *o, const struct yc_exec_ctx *ctx, const struct yc_tx *tx,
                       uint32_t index, int *outcome)
{
    yc_overlay *child;
    uint64_t gap;
    int rc;

    if (outcome == NULL) {
        return YC_EINVAL;
    }
    *outcome = YC_OK;
    rc = yc_exec_tx(o, ctx, tx, index);
    if (rc == YC_OK || !yc_err_is_verdict(rc) || is_self_register(tx)) {
        return rc; /* committed; a local failure; or a registration that created nothing */
    }
    /* Refused: if the envelope holds (the tx is the sender's next, its co-signers are
     * the ones its type calls for), the failure is recorded and consumes the nonce. */
    int env_rc = yc_overlay_child(&child, o);
    if (env_rc != YC_OK) {
        return env_rc;
    }
    struct yc__env env = {.o = child, .ctx = ctx, .tx = tx, .index = index};
    struct yc_exec_ctx quiet = *ctx;
    quiet.why = NULL; /* keep the words of the rule that refused */
    env.ctx = &quiet;
    env_rc = handler_for(tx->type) == NULL ? YC_EUNKNOWNTYPE
             : chain_matches(tx, ctx->g)   ? check_envelope(&env, true, &gap)
                                           : YC_EWRONGCHAIN;
    if (env_rc == YC_OK) {
        env_rc = yc_overlay_merge(child, o);
        if (env_rc == YC_OK) {
            *outcome = rc;
        }
    } else if (yc_err_is_verdict(env_rc)) {
        env_rc = rc; /* the envelope itself fails: report the first refusal */
    }
    yc_overlay_destroy(child);
    return env_rc;
}

int yc_exec_precheck(yc_overlay *o, const struct yc_exec_ctx *ctx, const struct yc_tx *tx,
                     uint64_t *gap)
{
    const struct handler *h;
    uint64_t g = 0;
    int rc;

    if (gap != NULL) {
        *gap = 0;
    }
    if (o == NULL || ctx == NULL || ctx->g == NULL || tx == NULL) {
        return YC_EINVAL;
    }
    rc = handler_checked(tx, ctx->g, &h);
    if (rc != YC_OK) {
        return rc;
    }
    /* Reads only: `o` may cache what it read, but gets no writes. */
    struct yc__env env = {.o = o, .ctx = ctx, .tx = tx, .index = 0};
    rc = check_envelope(&env, false, &g);
    if (rc == YC_OK && h->check != NULL) {
        rc = h->check(&env);
    }
    if (rc == YC_OK && gap != NULL) {
        *gap = g;
    }
    return rc;
}

bool yc_err_is_verdict(int err)
{
    /* decoding of untrusted bytes (-20..-39) and transaction rules (-40..-89), except
     * the node's own capacity limits, which say nothing about the tx */
    if (err == YC_EMEMPOOLFULL || err == YC_EBLOCKFULL) {
        return false;
    }
    return err <= YC_EDECODE && err > YC_EBADBLOCK;
}

int yc_exec_finish(yc_overlay *o, const char *chain_id, const uint8_t prev_root[YC_HASH_LEN],
                   uint8_t root[YC_HASH_LEN])
{
    const struct yc_write *w;
    size_t n;
    int rc;

    if (o == NULL || chain_id == NULL || prev_root == NULL || root == NULL) {
        return YC_EINVAL;
    }
    rc = yc_overlay_writes(o, &w, &n);
    if (rc == YC_OK) {
        yc_state_root_next(root, chain_id, prev_root, w, n);
    }
    return rc;
}

int yc_exec_block(yc_overlay *o, const struct yc_genesis *g, const struct yc_block *b,
                  const uint8_t prev_root[YC_HASH_LEN], uint32_t *bad_index)
{
    return yc_exec_block_report(o, g, b, prev_root, bad_index, NULL, NULL);
}

int yc_exec_block_report(yc_overlay *o, const struct yc_genesis *g, const struct yc_block *b,
                         const uint8_t prev_root[YC_HASH_LEN], uint32_t *bad_index,
                         yc_exec_failed_cb failed_cb, void *cb_ctx)
{
    uint8_t root[YC_HASH_LEN];
    char why[320];
    int rc;

    if (bad_index != NULL) {
        *bad_index = 0;
    }
    if (o == NULL || g == NULL || b == NULL || prev_root == NULL ||
        (b->ntx > 0 && (b->txs == NULL || b->results == NULL))) {
        return YC_EINVAL;
    }
    if (strncmp(b->hdr.chain_id, g->chain_id, sizeof g->chain_id) != 0 ||
        b->ntx != b->hdr.tx_count || b->hdr.version != YC_BLOCK_VERSION) {
        return YC_EBADBLOCK;
    }
    /* tx_root and result_root bind b->txs and b->results: yc_block_decode checked them */
    struct yc_exec_ctx ctx = {.g = g,
                              .height = b->hdr.height,
                              .time_ms = b->hdr.time_ms,
                              .why = failed_cb != NULL ? why : NULL,
                              .whylen = sizeof why};
    for (uint32_t i = 0; i < b->ntx; i++) {
        int outcome;
        why[0] = '\0';
        rc = yc_exec_tx_outcome(o, &ctx, &b->txs[i], i, &outcome);
        if (rc == YC_OK && outcome != b->results[i]) {
            rc = YC_EBADBLOCK; /* the block records another outcome than its execution */
        }
        if (rc == YC_OK && outcome != YC_OK && failed_cb != NULL) {
            failed_cb(cb_ctx, i, outcome, why);
        }
        if (rc != YC_OK) {
            if (bad_index != NULL) {
                *bad_index = i;
            }
            return yc_err_is_verdict(rc) ? YC_EBADBLOCK : rc;
        }
    }
    rc = yc_exec_finish(o, g->chain_id, prev_root, root);
    if (rc != YC_OK) {
        return rc;
    }
    return memcmp(root, b->hdr.state_root, YC_HASH_LEN) == 0 ? YC_OK : YC_EDIVERGED;
}
