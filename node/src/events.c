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
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "node_internal.h"

struct yc_node_watch {
    yc_node *n;
    uint8_t id[YC_HASH_LEN];
    yc_watch_cb cb;
    void *ctx;
    uv_timer_t timer;
    bool linked;                         /* in the id chain */
    bool closing;
    struct yc_node_watch *next_same;     /* id chain */
    struct yc_node_watch *prev_all, *next_all;
};

struct yc_node_sub {
    yc_event_cb cb;
    void *ctx;
    bool dead;
    struct yc_node_sub *next;
};

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
    uv_timer_stop(&w->timer);
    uv_close((uv_handle_t *)&w->timer, watch_closed_cb);
}

static void watch_timeout_cb(uv_timer_t *t)
{
    struct yc_node_watch *w = t->data;
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
    /* an already-final tx is answered from the loop, never from inside this call */
    uv_timer_start(&w->timer, watch_timeout_cb, final ? 0 : timeout_ms, 0);
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

void yc__node_tx_final(yc_node *n, const uint8_t id[YC_HASH_LEN], const struct yc_tx_status *st)
{
    char hex[2 * YC_HASH_LEN + 1], json[1024], msg[640];
    yc_hex(hex, id, YC_HASH_LEN);
    json_escape(msg, sizeof msg, yc_tx_status_message(st));
    int len = snprintf(json, sizeof json,
                       "{\"id\":\"%s\",\"status\":\"%s\",\"code\":\"%s\",\"message\":\"%s\"",
                       hex, yc_tx_state_name(st->state), yc_tx_status_code(st), msg);
    if (len > 0 && (size_t)len < sizeof json &&
        (st->state == YC_TXS_COMMITTED || st->state == YC_TXS_FAILED))
        len += snprintf(json + len, sizeof json - (size_t)len,
                        ",\"height\":\"%" PRIu64 "\",\"index\":\"%" PRIu32 "\"", st->height,
                        st->index);
    if (len > 0 && (size_t)len + 2 <= sizeof json) {
        json[len] = '}';
        json[len + 1] = '\0';
        if (!n->stopping)
            yc__node_publish(n, "tx", json);
    }

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

void yc__node_publish(yc_node *n, const char *kind, const char *json)
{
    n->dispatching++;
    for (struct yc_node_sub *s = n->subs; s != NULL; s = s->next) {
        if (!s->dead)
            s->cb(s->ctx, kind, json);
    }
    n->dispatching--;
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
