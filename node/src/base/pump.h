/*
 * pump.h — work deferred to the next turn of the event loop, the node's one way to
 * defer (docs/design/node.md §2).
 *
 * The callback rule: a function that starts something (a signature check, a submit, a
 * watch on a final tx, a gossip flush) never calls its callback before it returns; what
 * is ready at once is posted here and run on the next loop turn, after the caller has
 * returned. Callers therefore need no re-entrancy guards and no defensive copies.
 *
 * An item is embedded in its owner (no allocation, so posting cannot fail) and posting
 * an item that is already queued does nothing: each item runs at most once per turn.
 * Items posted while the pump runs wait for the next turn, so I/O is never starved.
 * Loop thread only.
 */
#ifndef YC_PUMP_H
#define YC_PUMP_H

#include <stdbool.h>

#include <uv.h>

struct yc_pump_item {
    void (*fn)(struct yc_pump_item *it); /* set by the owner before posting */
    struct yc_pump_item *next;
    bool queued;
};

struct yc_pump {
    uv_idle_t idle; /* active while items are queued: the loop polls without blocking */
    struct yc_pump_item *head, *tail;
    struct yc_pump_item *running; /* the rest of the turn being run */
    bool open;
};

/* Initializes the pump on loop. Returns 0 or a libuv error. */
int yc_pump_init(struct yc_pump *p, uv_loop_t *loop);
/* Runs it->fn(it) on the next turn; a no-op when it is queued already or the pump is closed. */
void yc_pump_post(struct yc_pump *p, struct yc_pump_item *it);
/* Takes it out of the queue if it is there (its owner is going away). */
void yc_pump_cancel(struct yc_pump *p, struct yc_pump_item *it);
/* Closes the handle; queued items are dropped (not run). */
void yc_pump_close(struct yc_pump *p);

#endif
