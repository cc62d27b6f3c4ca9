/*
 * txstate.c — the names of a transaction's life-cycle states and of the code each
 * reports (node.h), shared by the `tx` method, broadcast_tx_commit and the event
 * stream so that all three say the same words; and the reasons a gossiped transaction
 * was not admitted, as /metrics labels them. Pure: no node state.
 */
#include "node.h"
#include "yc/err.h"

const char *yc_tx_state_name(enum yc_tx_state s)
{
    switch (s) {
    case YC_TXS_PENDING:
        return "pending";
    case YC_TXS_COMMITTED:
        return "committed";
    case YC_TXS_FAILED:
        return "failed";
    case YC_TXS_REFUSED:
        return "refused";
    case YC_TXS_EXPIRED:
        return "expired";
    default:
        return "unknown";
    }
}

bool yc_tx_state_is_final(enum yc_tx_state s)
{
    return s == YC_TXS_COMMITTED || s == YC_TXS_FAILED || s == YC_TXS_REFUSED ||
           s == YC_TXS_EXPIRED;
}

const char *yc_tx_status_code(const struct yc_tx_status *st)
{
    switch (st->state) {
    case YC_TXS_COMMITTED:
        return "ok";
    case YC_TXS_PENDING:
        return "pending";
    case YC_TXS_UNKNOWN:
        return "unknown";
    case YC_TXS_EXPIRED:
        return yc_err_name(YC_EEXPIRED);
    default:
        return yc_err_name(st->code);
    }
}

const char *yc_tx_status_message(const struct yc_tx_status *st)
{
    switch (st->state) {
    case YC_TXS_COMMITTED:
        return yc_strerror(YC_OK);
    case YC_TXS_PENDING:
        return "in the mempool, waiting to be put in a block";
    case YC_TXS_UNKNOWN:
        return "this node does not know the transaction (never received here, or forgotten)";
    case YC_TXS_EXPIRED:
        return "not put in a block within mempool.ttl_seconds of its arrival: dropped, its "
               "nonce unused; send it again once its sender's earlier nonces are in, or "
               "replace it";
    case YC_TXS_REFUSED:
    case YC_TXS_FAILED:
        return st->why != NULL && st->why[0] != '\0' ? st->why : yc_strerror(st->code);
    default:
        return yc_strerror(st->code);
    }
}

const char *yc_gossip_drop_name(enum yc_gossip_drop r)
{
    switch (r) {
    case YC_GOSSIP_DROP_DUPLICATE:
        return "duplicate";
    case YC_GOSSIP_DROP_MEMPOOL_FULL:
        return "mempool_full";
    case YC_GOSSIP_DROP_REFUSED:
        return "refused";
    case YC_GOSSIP_DROP_MALFORMED:
        return "malformed";
    default:
        return "other";
    }
}

enum yc_gossip_drop yc_gossip_drop_reason(int code)
{
    switch (code) {
    case YC_EDUPTX:
        return YC_GOSSIP_DROP_DUPLICATE;
    case YC_EMEMPOOLFULL:
    case YC_ELIMIT:
        return YC_GOSSIP_DROP_MEMPOOL_FULL;
    case YC_EWRONGCHAIN:
    case YC_EUNKNOWNTYPE:
        return YC_GOSSIP_DROP_MALFORMED;
    default:
        break;
    }
    if (code <= YC_EDECODE && code >= YC_EBADKEY) /* the codec's codes, -20 to -28 */
        return YC_GOSSIP_DROP_MALFORMED;
    if (code < YC_OK && code >= YC_EBUSY) /* out of memory, I/O, busy (stopping) */
        return YC_GOSSIP_DROP_OTHER;
    return YC_GOSSIP_DROP_REFUSED;
}
