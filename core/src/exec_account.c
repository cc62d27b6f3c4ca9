/*
 * exec_account.c — account.register and account.update (DESIGN.md §5, accounts).
 *
 * Individuals register themselves (nonce 0; the new account starts at nonce 1, the
 * registration having used nonce 0). Every other role is registered by the exchange
 * or an agency; nobody registers an exchange on chain (exchanges come from genesis).
 * A new account has balance 0, credit "good" and registered_at = the block height.
 */
#include <string.h>

#include "ledger_int.h"

static bool is_registrar(enum yc_role r)
{
    return r == YC_ROLE_EXCHANGE || r == YC_ROLE_AGENCY;
}

static bool name_ok(const struct yc_slice *s)
{
    return s->len >= 1 && s->len <= YC_NAME_MAX;
}

int yc__check_account_register(const struct yc__env *e)
{
    const struct yc_body_account_register *b = &e->tx->b.account_register;
    enum yc_role role = yc_role_from_name(b->role.p, b->role.len);

    if (e->role != YC_ROLE_NONE && !is_registrar(e->role)) {
        return YC_ENOTAUTH;
    }
    if (role == YC_ROLE_NONE) {
        return YC_EBADROLE;
    }
    if (e->role == YC_ROLE_NONE) {
        /* self-registration: organisations are registered by the exchange or an agency */
        return role == YC_ROLE_INDIVIDUAL ? YC_OK : YC_ENOTAUTH;
    }
    return role == YC_ROLE_EXCHANGE ? YC_ENOTAUTH : YC_OK;
}

int yc__exec_account_register(const struct yc__env *e)
{
    const struct yc_body_account_register *b = &e->tx->b.account_register;
    bool self = e->role == YC_ROLE_NONE;
    const uint8_t *target = self ? e->tx->sender : b->account;
    int rc;

    if (!self) {
        rc = yc__acct_exists(e->o, target);
        if (rc == YC_OK) {
            return YC_EALREADYREG;
        }
        if (rc != YC_EUNKNOWNACCT) {
            return rc;
        }
    }
    if (!yc__is_jurisdiction(&b->jurisdiction) || !name_ok(&b->name)) {
        return YC_EBADFIELD;
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
    const struct yc_body_account_update *b = &e->tx->b.account_update;
    bool other = b->has_account && memcmp(b->account, e->tx->sender, YC_PUBKEY_LEN) != 0;

    return other && !is_registrar(e->role) ? YC_ENOTAUTH : YC_OK;
}

int yc__exec_account_update(const struct yc__env *e)
{
    const struct yc_body_account_update *b = &e->tx->b.account_update;
    const uint8_t *target = b->has_account ? b->account : e->tx->sender;
    struct yc_account a;
    int rc;

    if (!b->has_jurisdiction && !b->has_name) {
        return YC_EBADFIELD; /* nothing to update */
    }
    if ((b->has_jurisdiction && !yc__is_jurisdiction(&b->jurisdiction)) ||
        (b->has_name && !name_ok(&b->name))) {
        return YC_EBADFIELD;
    }
    rc = yc__acct_load(e->o, target, &a);
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
