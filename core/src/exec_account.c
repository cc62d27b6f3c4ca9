/*
 * exec_account.c — account.register and account.update (DESIGN.md §5, accounts).
 *
 * Individuals register themselves (nonce 0; the new account starts at nonce 1, the
 * registration having used nonce 0). Every other role is registered by the exchange
 * or an agency; nobody registers an exchange on chain (exchanges come from genesis).
 * A new account has balance 0, credit "good" and registered_at = the block height.
 */
#include <string.h>

#include "exec_words.h"
#include "ledger_int.h"

int yc__check_account_register(const struct yc__env *e)
{
    const struct yc_body_account_register *b = &e->tx->b->account_register;
    enum yc_role role = yc_role_from_name(b->role.p, b->role.len);

    if (e->role != YC_ROLE_NONE && !yc__is_registrar(e->role)) {
        return yc__refuse_role(e, "the exchange or an agency registers accounts for others");
    }
    if (role == YC_ROLE_NONE) {
        return yc__need_enum_code(e, YC_EBADROLE, "role", YC_ENUM_ROLE, &b->role);
    }
    if (e->role == YC_ROLE_NONE) {
        /* self-registration: organisations are registered by the exchange or an agency */
        if (role == YC_ROLE_INDIVIDUAL) {
            return YC_OK;
        }
        return yc__refuse(e, YC_ENOTAUTH,
                          "role: an account of role %s is registered by the exchange or an "
                          "agency; a key registers itself only as an individual",
                          yc_role_name(role));
    }
    if (role == YC_ROLE_EXCHANGE) {
        return yc__refuse(e, YC_ENOTAUTH,
                          "role: an exchange account comes from genesis, never from a "
                          "registration");
    }
    return YC_OK;
}

int yc__exec_account_register(const struct yc__env *e)
{
    const struct yc_body_account_register *b = &e->tx->b->account_register;
    bool self = e->role == YC_ROLE_NONE;
    const uint8_t *target = self ? e->tx->sender : b->account;
    int rc;

    if (!self) {
        rc = yc__acct_exists(e->o, target);
        if (rc == YC_OK) {
            char a[YC_ADDR_MAX];
            yc__addr(a, target);
            return yc__refuse(e, YC_EALREADYREG, "account: %s is already registered", a);
        }
        if (rc != YC_EUNKNOWNACCT) {
            return rc;
        }
    }
    if ((rc = yc__need_jurisdiction(e, "jurisdiction", &b->jurisdiction)) != YC_OK ||
        (rc = yc__need_name(e, "name", &b->name)) != YC_OK) {
        return rc;
    }
    struct yc_account a = {
        .balance = 0,
        .credit = {"good", 4},
        .jurisdiction = b->jurisdiction,
        .name = b->name,
        .nonce = self ? 1 : 0,
        .registered_at = e->ctx->height,
        .role = yc_role_from_name(b->role.p, b->role.len),
    };
    return yc__acct_store(e->o, target, &a);
}

int yc__check_account_update(const struct yc__env *e)
{
    const struct yc_body_account_update *b = &e->tx->b->account_update;
    bool other = b->has_account && memcmp(b->account, e->tx->sender, YC_PUBKEY_LEN) != 0;

    if (other && !yc__is_registrar(e->role)) {
        return yc__refuse(e, YC_ENOTAUTH,
                          "account: only the exchange or an agency updates another account");
    }
    return YC_OK;
}

int yc__exec_account_update(const struct yc__env *e)
{
    const struct yc_body_account_update *b = &e->tx->b->account_update;
    const uint8_t *target = b->has_account ? b->account : e->tx->sender;
    struct yc_account a;
    int rc;

    if (!b->has_jurisdiction && !b->has_name) {
        /* nothing to update */
        return yc__refuse(e, YC_EBADFIELD, "body: name at least one of jurisdiction, name");
    }
    if ((b->has_jurisdiction &&
         (rc = yc__need_jurisdiction(e, "jurisdiction", &b->jurisdiction)) != YC_OK) ||
        (b->has_name && (rc = yc__need_name(e, "name", &b->name)) != YC_OK)) {
        return rc;
    }
    rc = yc__need_account(e, "account", target);
    if (rc == YC_OK) {
        rc = yc__acct_load(e->o, target, &a);
    }
    if (rc != YC_OK) {
        return rc;
    }
    if (b->has_jurisdiction) {
        a.jurisdiction = b->jurisdiction;
    }
    if (b->has_name) {
        a.name = b->name;
    }
    return yc__acct_store(e->o, target, &a);
}
