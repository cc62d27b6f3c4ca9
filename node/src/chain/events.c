/*
 * events.c — tx watches (broadcast_tx_commit) and event subscribers (GET /events).
 *
 * A watch lives in two lists: the chain of watches for its tx id (in the `watches`
 * map) and the node-wide list used at shutdown. Its memory is freed only in its
 * timer's close callback (libuv rule). While the node stops, watch timers are merely
 * stopped, so that listeners closing their connections can still unwatch; the
 * remaining ones are closed and freed after the loop has run out (yc__events_free).
 *
 * Subscribers may unsubscribe from inside their own callback: during a dispatch a
 * removed subscriber is only marked dead and freed once the dispatch is over.
 *
 * The events of a committed block (its transactions', its own, its alerts') are formatted
 * here once, for the live dispatch and for a stream's replay (yc_node_block_events).
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "node_internal.h"
#include "yc/alloc.h"
#include "yc/bech32.h"
#include "yc/market.h"
#include "yc/objects.h"
#include "yc/store.h"
#include "yc/timefmt.h"

struct yc_node_watch {
    yc_node *n;
    uint8_t id[YC_HASH_LEN];
    yc_watch_cb cb;
    void *ctx;
    uv_timer_t timer;
    struct yc_pump_item final_item; /* already final when watched: answered on the next turn */
    bool linked;                    /* in the id chain */
    bool closing;
    struct yc_node_watch *next_same; /* id chain */
    struct yc_node_watch *prev_all, *next_all;
};

struct yc_node_sub {
    yc_event_cb cb;
    void *ctx;
    bool dead;
    struct yc_node_sub *next;
};

static void sweep_subs(yc_node *n);

static void watch_closed_cb(uv_handle_t *h)
{
    free(h->data);
}

/* Takes w out of its id chain (if linked). */
static void unlink_same(yc_node *n, struct yc_node_watch *w)
{
    if (!w->linked)
        return;
    w->linked = false;
    struct yc_node_watch *head = yc_idmap_get(&n->watches, w->id);
    if (head == w) {
        if (w->next_same != NULL) {
            if (yc_idmap_put(&n->watches, w->id, w->next_same) != YC_OK)
                abort(); /* replacing an existing key allocates nothing */
        } else {
            (void)yc_idmap_del(&n->watches, w->id);
        }
    } else {
        for (struct yc_node_watch *p = head; p != NULL; p = p->next_same) {
            if (p->next_same == w) {
                p->next_same = w->next_same;
                break;
            }
        }
    }
    w->next_same = NULL;
}

/* Takes w out of everything and closes its timer (freed in the close callback). */
static void watch_release(yc_node *n, struct yc_node_watch *w)
{
    unlink_same(n, w);
    if (w->prev_all != NULL)
        w->prev_all->next_all = w->next_all;
    else
        n->all_watches = w->next_all;
    if (w->next_all != NULL)
        w->next_all->prev_all = w->prev_all;
    w->prev_all = w->next_all = NULL;
    w->closing = true;
    yc_pump_cancel(&n->pump, &w->final_item);
    uv_timer_stop(&w->timer);
    uv_close((uv_handle_t *)&w->timer, watch_closed_cb);
}

static void watch_answer(struct yc_node_watch *w)
{
    yc_node *n = w->n;
    struct yc_tx_status st;
    yc_node_tx_status(n, w->id, &st);
    if (st.state == YC_TXS_UNKNOWN)
        st.state = YC_TXS_PENDING; /* the wait ran out: report it still pending */
    yc_watch_cb cb = w->cb;
    void *ctx = w->ctx;
    uint8_t id[YC_HASH_LEN];
    memcpy(id, w->id, sizeof id);
    watch_release(n, w);
    cb(ctx, id, &st);
}

static void watch_timeout_cb(uv_timer_t *t)
{
    watch_answer(t->data);
}

static void watch_final_cb(struct yc_pump_item *it)
{
    watch_answer((struct yc_node_watch *)((char *)it - offsetof(struct yc_node_watch, final_item)));
}

yc_node_watch *yc_node_watch_tx(yc_node *n, const uint8_t id[YC_HASH_LEN], uint64_t timeout_ms,
                                yc_watch_cb cb, void *ctx)
{
    if (n->stopping)
        return NULL;
    struct yc_node_watch *w = calloc(1, sizeof *w);
    if (w == NULL)
        return NULL;
    w->n = n;
    memcpy(w->id, id, YC_HASH_LEN);
    w->cb = cb;
    w->ctx = ctx;
    if (uv_timer_init(n->loop, &w->timer) != 0) {
        free(w);
        return NULL;
    }
    w->timer.data = w;
    struct yc_tx_status st;
    yc_node_tx_status(n, id, &st);
    bool final = yc_tx_state_is_final(st.state);
    if (!final) {
        struct yc_node_watch *head = yc_idmap_get(&n->watches, id);
        w->next_same = head;
        if (yc_idmap_put(&n->watches, id, w) != YC_OK) {
            uv_close((uv_handle_t *)&w->timer, watch_closed_cb);
            return NULL;
        }
        w->linked = true;
    }
    w->next_all = n->all_watches;
    if (n->all_watches != NULL)
        n->all_watches->prev_all = w;
    n->all_watches = w;
    /* an already-final tx is answered on the next turn, never from inside this call */
    if (final) {
        w->final_item.fn = watch_final_cb;
        yc_pump_post(&n->pump, &w->final_item);
    } else {
        uv_timer_start(&w->timer, watch_timeout_cb, timeout_ms, 0);
    }
    return w;
}

void yc_node_unwatch(yc_node *n, yc_node_watch *w)
{
    if (w == NULL || w->closing)
        return;
    watch_release(n, w);
}

/* Writes s into out as the body of a JSON string (quotes and controls escaped). */
static void json_escape(char *out, size_t cap, const char *s)
{
    size_t k = 0;
    for (; *s != '\0' && k + 7 < cap; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            out[k++] = '\\';
            out[k++] = (char)ch;
        } else if (ch < 0x20) {
            k += (size_t)snprintf(out + k, cap - k, "\\u%04x", ch);
        } else {
            out[k++] = (char)ch;
        }
    }
    out[k] = '\0';
}

/* The JSON of a tx event; returns false if it does not fit (never for a valid status). */
static bool tx_event_json(char *json, size_t cap, const uint8_t id[YC_HASH_LEN],
                          const struct yc_tx_status *st)
{
    char hex[2 * YC_HASH_LEN + 1], msg[640];
    yc_hex(hex, id, YC_HASH_LEN);
    json_escape(msg, sizeof msg, yc_tx_status_message(st));
    int len =
        snprintf(json, cap, "{\"id\":\"%s\",\"status\":\"%s\",\"code\":\"%s\",\"message\":\"%s\"",
                 hex, yc_tx_state_name(st->state), yc_tx_status_code(st), msg);
    if (len > 0 && (size_t)len < cap &&
        (st->state == YC_TXS_COMMITTED || st->state == YC_TXS_FAILED))
        len += snprintf(json + len, cap - (size_t)len,
                        ",\"height\":\"%" PRIu64 "\",\"index\":\"%" PRIu32 "\"", st->height,
                        st->index);
    if (len <= 0 || (size_t)len + 2 > cap)
        return false;
    json[len] = '}';
    json[len + 1] = '\0';
    return true;
}

/* The event of a tx outcome, its id "H:index" when it is in a block. */
static bool tx_event(struct yc_node_event *ev, char *json, size_t cap, char *id, size_t idcap,
                     const uint8_t txid[YC_HASH_LEN], const uint8_t *sender,
                     const struct yc_tx_status *st)
{
    bool in_block = st->state == YC_TXS_COMMITTED || st->state == YC_TXS_FAILED;
    if (in_block)
        snprintf(id, idcap, "%" PRIu64 ":%" PRIu32, st->height, st->index);
    *ev = (struct yc_node_event){
        .kind = "tx", .id = in_block ? id : NULL, .json = json, .sender = sender};
    return tx_event_json(json, cap, txid, st);
}

/* Whether any subscriber would receive an event: the JSON of a transaction's outcome is
 * written only then (a block's transactions each have one). */
static bool has_subscriber(const yc_node *n)
{
    for (const struct yc_node_sub *s = n->subs; s != NULL; s = s->next) {
        if (!s->dead)
            return true;
    }
    return false;
}

static void publish(yc_node *n, const struct yc_node_event *ev)
{
    n->dispatching++;
    for (struct yc_node_sub *s = n->subs; s != NULL; s = s->next) {
        if (!s->dead)
            s->cb(s->ctx, ev);
    }
    n->dispatching--;
    if (n->dispatching == 0)
        sweep_subs(n);
}

void yc__node_tx_final(yc_node *n, const uint8_t id[YC_HASH_LEN], const uint8_t *sender,
                       const struct yc_tx_status *st)
{
    char json[1024], evid[48];
    struct yc_node_event ev;
    if (!n->stopping && has_subscriber(n) &&
        tx_event(&ev, json, sizeof json, evid, sizeof evid, id, sender, st))
        publish(n, &ev);

    struct yc_node_watch *w = yc_idmap_get(&n->watches, id);
    while (w != NULL && !n->stopping) {
        unlink_same(n, w); /* the next head is now in the map */
        yc_watch_cb cb = w->cb;
        void *ctx = w->ctx;
        watch_release(n, w);
        cb(ctx, id, st);
        w = yc_idmap_get(&n->watches, id);
    }
}

void yc__node_block_tx_status(yc_node *n, const struct yc_block *b, uint32_t i,
                              struct yc_tx_status *st)
{
    int outcome = b->results != NULL ? b->results[i] : YC_OK;
    *st = (struct yc_tx_status){.state = outcome == YC_OK ? YC_TXS_COMMITTED : YC_TXS_FAILED,
                                .code = outcome,
                                .height = b->hdr.height,
                                .index = i};
    int code;
    const char *why = NULL;
    if (outcome != YC_OK && yc_mempool_rejected_why(n->mp, b->txs[i].id, &code, &why) &&
        code == outcome)
        st->why = why;
}

/* ---- a block's own event and its alerts' ---- */

static void block_event_json(char *json, size_t cap, const struct yc_block *b)
{
    char hash[2 * YC_HASH_LEN + 1], when[32];
    yc_hex(hash, b->hash, YC_HASH_LEN);
    yc_time_rfc3339(when, b->hdr.time_ms);
    snprintf(json, cap,
             "{\"height\":\"%" PRIu64 "\",\"hash\":\"%s\",\"tx_count\":\"%" PRIu32
             "\",\"time\":\"%s\"}",
             b->hdr.height, hash, b->ntx, when);
}

/* The alerts of one block, in key order (index, seq), as events after its block event. */
struct alert_walk {
    uint64_t height;
    uint64_t ordinal; /* of the next alert: tx_count + 1 + j */
    int64_t after;    /* only ordinals above this */
    yc_event_cb cb;   /* NULL: publish to the subscribers */
    void *ctx;
    yc_node *n;
};

static int alert_event_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val,
                          size_t vlen)
{
    struct alert_walk *aw = ctx;
    struct yc_alert a;
    char json[1024], tx[2 * YC_HASH_LEN + 1], asset[2 * YC_HASH_LEN + 1] = "", when[32];
    char account[YC_ADDR_MAX] = "", id[48];
    (void)key;
    (void)klen;
    uint64_t ordinal = aw->ordinal++;
    if (yc_alert_decode(&a, val, vlen) != YC_OK) {
        yc_log_error("events", "stored alert of height %" PRIu64 " does not decode", aw->height);
        return 0;
    }
    if ((int64_t)ordinal <= aw->after)
        return 0;
    yc_hex(tx, a.tx, YC_HASH_LEN);
    if (a.has_asset)
        yc_hex(asset, a.asset, YC_HASH_LEN);
    if (a.has_account && yc_addr_encode(account, a.account) != YC_OK)
        account[0] = 0;
    yc_time_rfc3339(when, a.time_ms);
    snprintf(json, sizeof json,
             "{\"kind\":\"%.*s\",\"type\":\"%.*s\",\"tx\":\"%s\",\"height\":\"%" PRIu64
             "\",\"index\":\"%" PRIu64
             "\",\"account\":\"%s\",\"asset\":\"%s\",\"amount\":\"%" PRIu64
             "\",\"policy_version\":\"%" PRIu64 "\",\"time\":\"%s\"}",
             (int)a.kind.len, a.kind.p, (int)a.type.len, a.type.p, tx, a.height, a.index, account,
             asset, a.amount, a.policy_version, when);
    snprintf(id, sizeof id, "%" PRIu64 ":%" PRIu64, aw->height, ordinal);
    struct yc_node_event ev = {
        .kind = "alert", .id = id, .json = json, .account = a.has_account ? a.account : NULL};
    if (aw->cb != NULL)
        aw->cb(aw->ctx, &ev);
    else
        publish(aw->n, &ev);
    return 0;
}

/* The block event (unless its ordinal is not above `after`), then its alerts'. */
static int block_and_alerts(yc_node *n, const struct yc_block *b, int64_t after, yc_event_cb cb,
                            void *ctx)
{
    char json[512], id[48];
    if ((int64_t)b->ntx > after) {
        block_event_json(json, sizeof json, b);
        snprintf(id, sizeof id, "%" PRIu64 ":%" PRIu32, b->hdr.height, b->ntx);
        struct yc_node_event ev = {.kind = "block", .id = id, .json = json};
        if (cb != NULL)
            cb(ctx, &ev);
        else
            publish(n, &ev);
    }
    struct alert_walk aw = {.height = b->hdr.height,
                            .ordinal = (uint64_t)b->ntx + 1,
                            .after = after,
                            .cb = cb,
                            .ctx = ctx,
                            .n = n};
    uint8_t prefix[YC_KEY_MAX];
    size_t plen = yc_key_alert(prefix, b->hdr.height, 0, 0) - 5; /* drop index and seq */
    int rc = store_scan_state(n->st, prefix, plen, 0, alert_event_cb, &aw);
    if (rc != YC_OK)
        yc_log_error("events", "reading the alerts of height %" PRIu64 " failed: %s", b->hdr.height,
                     yc_err_name(rc));
    return rc;
}

void yc__node_publish_block(yc_node *n, const struct yc_block *b)
{
    (void)block_and_alerts(n, b, -1, NULL, NULL);
}

int yc_node_block_events(yc_node *n, uint64_t height, int64_t after, yc_event_cb cb, void *ctx)
{
    uint8_t *bytes = NULL;
    size_t len = 0;
    int rc = store_get_block(n->st, height, &bytes, &len);
    if (rc != YC_OK)
        return rc;
    struct yc_block b;
    rc = yc_block_decode_trusted(&b, bytes, len); /* this node stored it */
    yc_free(bytes);
    if (rc != YC_OK)
        return YC_ECORRUPT;
    for (uint32_t i = 0; i < b.ntx; i++) {
        if ((int64_t)i <= after)
            continue;
        struct yc_tx_status st;
        char json[1024], id[48];
        struct yc_node_event ev;
        yc__node_block_tx_status(n, &b, i, &st);
        if (tx_event(&ev, json, sizeof json, id, sizeof id, b.txs[i].id, b.txs[i].sender, &st))
            cb(ctx, &ev);
    }
    rc = block_and_alerts(n, &b, after, cb, ctx);
    yc_block_cleanup(&b);
    return rc;
}

yc_node_sub *yc_node_subscribe(yc_node *n, yc_event_cb cb, void *ctx)
{
    if (n->stopping)
        return NULL;
    struct yc_node_sub *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->cb = cb;
    s->ctx = ctx;
    s->next = n->subs;
    n->subs = s;
    return s;
}

static void sweep_subs(yc_node *n)
{
    struct yc_node_sub **pp = &n->subs;
    while (*pp != NULL) {
        if ((*pp)->dead) {
            struct yc_node_sub *dead = *pp;
            *pp = dead->next;
            free(dead);
        } else {
            pp = &(*pp)->next;
        }
    }
}

void yc_node_unsubscribe(yc_node *n, yc_node_sub *s)
{
    if (s == NULL)
        return;
    s->dead = true;
    if (n->dispatching == 0)
        sweep_subs(n);
}

void yc__events_stop(yc_node *n)
{
    for (struct yc_node_watch *w = n->all_watches; w != NULL; w = w->next_all)
        uv_timer_stop(&w->timer);
}

void yc__events_free(yc_node *n)
{
    while (n->all_watches != NULL)
        watch_release(n, n->all_watches); /* freed by the close callbacks of the next run */
    struct yc_node_sub *s = n->subs;
    while (s != NULL) {
        struct yc_node_sub *next = s->next;
        free(s);
        s = next;
    }
    n->subs = NULL;
}
