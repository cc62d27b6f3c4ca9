/*
 * pump.c — the next-turn queue (see pump.h).
 *
 * A uv_idle handle is active while something is queued: libuv runs idle callbacks on
 * every turn before polling, and polls without blocking while one is active, so a
 * posted item runs on the very next turn, after the I/O callbacks of this one.
 */
#include <stddef.h>

#include "pump.h"

static void run_cb(uv_idle_t *h)
{
    struct yc_pump *p = h->data;
    p->running = p->head; /* this turn's items; posts made by them go to the next turn */
    p->head = p->tail = NULL;
    uv_idle_stop(&p->idle);
    while (p->running != NULL) {
        struct yc_pump_item *it = p->running;
        p->running = it->next;
        it->next = NULL;
        it->queued = false;
        it->fn(it);
    }
}

int yc_pump_init(struct yc_pump *p, uv_loop_t *loop)
{
    *p = (struct yc_pump){0};
    int rc = uv_idle_init(loop, &p->idle);
    if (rc != 0)
        return rc;
    p->idle.data = p;
    p->open = true;
    return 0;
}

void yc_pump_post(struct yc_pump *p, struct yc_pump_item *it)
{
    if (it->queued || !p->open)
        return;
    it->queued = true;
    it->next = NULL;
    if (p->tail != NULL)
        p->tail->next = it;
    else
        p->head = it;
    p->tail = it;
    uv_idle_start(&p->idle, run_cb);
}

static bool unlink_from(struct yc_pump_item **head, struct yc_pump_item **tail,
                        struct yc_pump_item *it)
{
    struct yc_pump_item *prev = NULL;
    for (struct yc_pump_item **pp = head; *pp != NULL; prev = *pp, pp = &(*pp)->next) {
        if (*pp == it) {
            *pp = it->next;
            if (tail != NULL && *tail == it)
                *tail = prev;
            return true;
        }
    }
    return false;
}

void yc_pump_cancel(struct yc_pump *p, struct yc_pump_item *it)
{
    if (!it->queued)
        return;
    if (!unlink_from(&p->head, &p->tail, it))
        (void)unlink_from(&p->running, NULL, it);
    if (p->head == NULL && p->open)
        uv_idle_stop(&p->idle);
    it->next = NULL;
    it->queued = false;
}

void yc_pump_close(struct yc_pump *p)
{
    if (!p->open)
        return;
    p->open = false;
    for (struct yc_pump_item *it = p->head; it != NULL; it = it->next)
        it->queued = false;
    for (struct yc_pump_item *it = p->running; it != NULL; it = it->next)
        it->queued = false;
    p->head = p->tail = p->running = NULL;
    uv_close((uv_handle_t *)&p->idle, NULL);
}
