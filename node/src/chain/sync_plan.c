/*
 * sync_plan.c — block-sync request planning (see sync_plan.h).
 */
#include <string.h>

#include "sync_plan.h"

void yc__sync_plan_init(struct yc_sync_plan *p, uint32_t batch, uint64_t timeout_ms,
                        uint64_t grace_ms, uint64_t penalty_ms)
{
    memset(p, 0, sizeof *p);
    p->batch = batch > 0 ? batch : 1;
    p->timeout_ms = timeout_ms;
    p->grace_ms = grace_ms;
    p->penalty_ms = penalty_ms;
}

static struct yc_sync_peer *find(struct yc_sync_plan *p, uint64_t id)
{
    for (size_t i = 0; i < p->npeers; i++) {
        if (p->peers[i].id == id)
            return &p->peers[i];
    }
    return NULL;
}

void yc__sync_plan_peer(struct yc_sync_plan *p, uint64_t id, uint64_t height)
{
    struct yc_sync_peer *s = find(p, id);
    if (s == NULL) {
        if (p->npeers >= YC_SYNC_MAX_PEERS)
            return;
        s = &p->peers[p->npeers++];
        memset(s, 0, sizeof *s);
        s->id = id;
    }
    s->height = height;
    s->known = true;
}

void yc__sync_plan_peer_gone(struct yc_sync_plan *p, uint64_t id)
{
    for (size_t i = 0; i < p->npeers; i++) {
        if (p->peers[i].id != id)
            continue;
        p->peers[i] = p->peers[p->npeers - 1];
        p->npeers--;
        if (p->rr > p->npeers)
            p->rr = 0;
        break;
    }
    if (p->inflight && p->req_peer == id)
        p->inflight = false;
}

void yc__sync_plan_hint(struct yc_sync_plan *p, uint64_t height)
{
    if (height > p->hint)
        p->hint = height;
}

uint64_t yc__sync_plan_target(const struct yc_sync_plan *p)
{
    uint64_t t = p->hint;
    for (size_t i = 0; i < p->npeers; i++) {
        if (p->peers[i].known && p->peers[i].height > t)
            t = p->peers[i].height;
    }
    return t;
}

bool yc__sync_plan_behind(struct yc_sync_plan *p, uint64_t tip, uint64_t now)
{
    uint64_t target = yc__sync_plan_target(p);
    if (target <= tip) {
        p->gap_tip = 0;
        return false;
    }
    if (target - tip >= 2)
        return true;
    /* one block behind: only if it lasts with our tip standing still */
    if (p->gap_tip != tip + 1) {
        p->gap_tip = tip + 1;
        p->behind_since = now;
        return p->grace_ms == 0;
    }
    return now - p->behind_since >= p->grace_ms;
}

/* Picks an eligible peer reporting a tip above ours, round-robin; else, when only the
 * hint says we are behind, any eligible peer whose tip is unknown. */
static struct yc_sync_peer *pick(struct yc_sync_plan *p, uint64_t tip, uint64_t now)
{
    struct yc_sync_peer *fallback = NULL;
    for (size_t k = 0; k < p->npeers; k++) {
        size_t i = (p->rr + k) % p->npeers;
        struct yc_sync_peer *s = &p->peers[i];
        if (now < s->penalty_until)
            continue;
        if (s->known && s->height > tip) {
            p->rr = i + 1;
            return s;
        }
        if (!s->known && fallback == NULL)
            fallback = s;
    }
    return fallback;
}

bool yc__sync_plan_next(struct yc_sync_plan *p, uint64_t tip, uint64_t now, uint64_t *peer,
                        uint64_t *from, uint32_t *count)
{
    if (p->inflight && now >= p->req_deadline) {
        struct yc_sync_peer *s = find(p, p->req_peer);
        if (s != NULL)
            s->penalty_until = now + p->penalty_ms;
        p->inflight = false;
    }
    bool behind = yc__sync_plan_behind(p, tip, now);
    if (p->inflight || !(behind || (p->eager && yc__sync_plan_target(p) > tip)))
        return false;
    struct yc_sync_peer *s = pick(p, tip, now);
    if (s == NULL)
        return false;
    uint64_t target = yc__sync_plan_target(p);
    if (s->known && s->height < target)
        target = s->height; /* ask this peer only for what it has */
    uint64_t want = target - tip;
    uint32_t n = want < p->batch ? (uint32_t)want : p->batch;
    p->inflight = true;
    p->req_peer = s->id;
    p->req_from = tip + 1;
    p->req_count = n;
    p->req_deadline = now + p->timeout_ms;
    *peer = s->id;
    *from = tip + 1;
    *count = n;
    return true;
}

bool yc__sync_plan_matches(const struct yc_sync_plan *p, uint64_t peer, uint64_t from)
{
    return p->inflight && p->req_peer == peer && p->req_from == from;
}

void yc__sync_plan_done(struct yc_sync_plan *p, bool ok, uint32_t nblocks, uint64_t now)
{
    if (!p->inflight)
        return;
    p->inflight = false;
    struct yc_sync_peer *s = find(p, p->req_peer);
    if (s == NULL)
        return;
    if (!ok) {
        s->penalty_until = now + p->penalty_ms;
    } else if (nblocks == 0) {
        s->height = p->req_from - 1; /* it has nothing past our tip, whatever it said */
        s->known = true;
        if (p->hint >= p->req_from)
            p->hint = p->req_from - 1; /* an unconfirmed hint must not keep us "behind" */
    }
}
