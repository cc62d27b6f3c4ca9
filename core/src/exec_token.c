/*
 * exec_token.c — token.issue, token.transfer, token.redeem (DESIGN.md §5, settlement).
 *
 * Balances are u64 fen. Only the exchange creates (issue) or destroys (redeem) money;
 * a transfer moves it, so the total supply changes by exactly the amounts issued
 * minus the amounts redeemed. Arithmetic that would overflow is refused (overflow).
 * The `supply` object counts both, so that conservation is checkable from state.
 */
#include "exec_words.h"
#include "ledger_int.h"

int yc__check_token_exchange(const struct yc__env *e)
{
    return e->role == YC_ROLE_EXCHANGE ? YC_OK
                                       : yc__refuse_role(e, "only the exchange issues and "
                                                            "redeems tokens");
}

/* An issue or a transfer: the recipient is registered (else YC_EUNKNOWNACCT), then the
 * amount is not zero (else YC_EBADFIELD). */
static int check_payment(const struct yc__env *e)
{
    const struct yc_body_token *b = &e->tx->b->token;
    int rc = yc__need_account(e, "to", b->to);

    if (rc != YC_OK) {
        return rc;
    }
    return b->amount == 0 ? yc__refuse(e, YC_EBADFIELD, "amount: 0 fen; more than 0 is needed")
                          : YC_OK;
}

int yc__exec_token_issue(const struct yc__env *e)
{
    const struct yc_body_token *b = &e->tx->b->token;
    int rc = check_payment(e);

    if (rc != YC_OK) {
        return rc;
    }
    rc = yc__credit(e, "amount", b->to, b->amount);
    return rc == YC_OK ? yc__supply_add(e->o, b->amount, 0) : rc;
}

int yc__exec_token_transfer(const struct yc__env *e)
{
    const struct yc_body_token *b = &e->tx->b->token;
    int rc = check_payment(e);

    if (rc != YC_OK) {
        return rc;
    }
    /* debit first: a transfer to oneself then nets to zero */
    rc = yc__debit(e, "amount", e->tx->sender, b->amount);
    if (rc != YC_OK) {
        return rc;
    }
    return yc__credit(e, "amount", b->to, b->amount);
}

int yc__exec_token_redeem(const struct yc__env *e)
{
    const struct yc_body_token *b = &e->tx->b->token;

    int rc;

    if (b->amount == 0) {
        return yc__refuse(e, YC_EBADFIELD, "amount: 0 fen; more than 0 is needed");
    }
    rc = yc__debit(e, "amount", e->tx->sender, b->amount);
    return rc == YC_OK ? yc__supply_add(e->o, 0, b->amount) : rc;
}
