/*
 * sim_byz.c — byzantine validators (TESTING.md B3). A byzantine instance holds one
 * validator key and runs the real state machine, but the simulator rewrites what
 * leaves it: different proposals for different peers, double votes, garbage, bad
 * signatures, huge views, invalid prepared certificates, replays, PREPARE bytes
 * relabelled as COMMIT. Messages that no correct node may accept are marked
 * must_refuse, and the receiving honest node must answer them with an error code.
 */
#include <stdlib.h>
#include <string.h>

#include "sim_int.h"
#include "yc/alloc.h"

static void to_each(struct sim *s, int i, uint32_t to, const uint8_t *p, size_t len,
                    bool must_refuse)
{
    sim__send(s, i, to, p, len, must_refuse);
}

static void remember(struct sim *s, struct inst *in, const uint8_t *msg, size_t len)
{
    uint32_t k = in->nseen < 16 ? in->nseen++ : (uint32_t)sim_range(&s->rng, 0, 15);
    uint8_t *copy = malloc(len);
    if (copy == NULL) {
        abort();
    }
    memcpy(copy, msg, len);
    free(in->seen[k]);
    in->seen[k] = copy;
    in->seen_len[k] = len;
}

void sim__byz_seen(struct sim *s, int i, const uint8_t *msg, size_t len)
{
    struct inst *in = &s->inst[i];
    if (in->byz == SIM_BYZ_REPLAY && sim_chance(&s->rng, 0.3)) {
        remember(s, in, msg, len);
    }
}

/* The signature bytes of a message: find the 65-byte bin after the last "sig" key (the
 * message's own: a PRE-PREPARE's block, whose transactions have "sig" keys too, sorts
 * before it). */
static uint8_t *flip_sig(const uint8_t *msg, size_t len, size_t *outlen)
{
    static const uint8_t key[] = {0xa3, 's', 'i', 'g', 0xc4, YC_SIG_LEN};
    uint8_t *copy = malloc(len);
    if (copy == NULL) {
        abort();
    }
    memcpy(copy, msg, len);
    for (size_t k = len >= sizeof key + YC_SIG_LEN ? len - sizeof key - YC_SIG_LEN + 1 : 0;
         k-- > 0;) {
        if (memcmp(copy + k, key, sizeof key) == 0) {
            copy[k + sizeof key + 10] ^= 0x01;
            *outlen = len;
            return copy;
        }
    }
    free(copy);
    return NULL;
}

static void equivocate(struct sim *s, int i, uint32_t to, const uint8_t *msg, size_t len,
                       const struct sim_vote *v)
{
    struct inst *in = &s->inst[i];
    uint8_t *alt = NULL;
    size_t alen = 0;
    if (v->type == 1) {
        uint8_t d[YC_HASH_LEN];
        size_t blen;
        uint8_t *blk = sim_block(s->c, v->height, v->view, in->vid, in->chain[v->height - 1].hash,
                                 in->chain[v->height - 1].time_ms + 7 + s->now, true, &blen, d);
        alt = sim_craft_vote(s->c, 1, in->vid, v->height, v->view, d, blk, blen, &alen);
        yc_free(blk);
    } else if (v->type == 2 || v->type == 3) {
        uint8_t d[YC_HASH_LEN];
        for (int k = 0; k < YC_HASH_LEN; k++) {
            d[k] = (uint8_t)sim_rand(&s->rng);
        }
        alt = sim_craft_vote(s->c, v->type, in->vid, v->height, v->view, d, NULL, 0, &alen);
    }
    if (alt == NULL) {
        to_each(s, i, to, msg, len, false);
        return;
    }
    for (int d = 0; d < s->ninst; d++) {
        uint32_t dv = s->inst[d].vid;
        if (d == i || dv == in->vid || (to != PBFT_BROADCAST && dv != to)) {
            continue;
        }
        /* some peers get one version, some the other, some both (evidence) */
        bool a = sim_chance(&s->rng, 0.5);
        bool b = !a || sim_chance(&s->rng, 0.4);
        if (a) {
            sim__send_inst(s, i, d, EV_MSG, in->vid, alt, alen, 0, false);
        }
        if (b) {
            sim__send_inst(s, i, d, EV_MSG, in->vid, msg, len, 0, false);
        }
    }
    yc_free(alt);
}

void sim__byz_outgoing(struct sim *s, int i, uint32_t to, const uint8_t *msg, size_t len)
{
    struct inst *in = &s->inst[i];
    struct sim_vote v;
    bool parsed = sim_parse(msg, len, &v);
    uint8_t *bad;
    size_t blen;

    switch (in->byz) {
    case SIM_BYZ_SILENT:
        return;
    case SIM_BYZ_EQUIVOCATE:
        if (parsed) {
            equivocate(s, i, to, msg, len, &v);
            return;
        }
        break;
    case SIM_BYZ_GARBAGE:
        if ((bad = flip_sig(msg, len, &blen)) != NULL) {
            to_each(s, i, to, bad, blen, true);
            free(bad);
        }
        if (len > 8) {
            to_each(s, i, to, msg, len - 1 - (size_t)sim_range(&s->rng, 0, 7), true);
        }
        break;
    case SIM_BYZ_PHASE_SWAP:
        if (parsed && v.type == 2) {
            bad = sim_retype(msg, len, "commit", &blen);
            if (bad != NULL) {
                to_each(s, i, to, bad, blen, true);
                yc_free(bad);
            }
        } else if (parsed && v.type == 1) {
            bad = sim_retype(msg, len, "prepare", &blen);
            if (bad != NULL) {
                to_each(s, i, to, bad, blen, true);
                yc_free(bad);
            }
        }
        break;
    case SIM_BYZ_REPLAY:
        remember(s, in, msg, len);
        break;
    default:
        break;
    }
    to_each(s, i, to, msg, len, false);
}

static void garbage(struct sim *s, int i)
{
    struct inst *in = &s->inst[i];
    uint8_t buf[96];
    size_t len = (size_t)sim_range(&s->rng, 1, sizeof buf);
    uint8_t d[YC_HASH_LEN] = {0};
    uint8_t *m;
    size_t mlen;
    uint32_t other = (in->vid + 1) % s->p->n;

    for (size_t k = 0; k < len; k++) {
        buf[k] = (uint8_t)sim_rand(&s->rng);
    }
    if (sim_chance(&s->rng, 0.5)) {
        buf[0] = 0x86; /* looks like a map of 6 */
    }
    to_each(s, i, PBFT_BROADCAST, buf, len, true);
    /* a genuine message of another validator, passed off by this one */
    d[0] = (uint8_t)sim_rand(&s->rng);
    m = sim_craft_vote(s->c, 2, other, in->cur_height ? in->cur_height : 1, in->cur_view, d, NULL,
                       0, &mlen);
    to_each(s, i, PBFT_BROADCAST, m, mlen, true);
    yc_free(m);
}

static void huge_view(struct sim *s, int i)
{
    struct inst *in = &s->inst[i];
    uint64_t h = in->cur_height ? in->cur_height : 1;
    uint8_t d[YC_HASH_LEN] = {1};
    uint8_t *m;
    size_t mlen;
    uint32_t n = s->p->n;

    /* a valid VIEW-CHANGE to a huge view: stored as this validator's latest, but
     * alone it must move nobody */
    m = sim_craft_vc(s->c, in->vid, h, (1ull << 31) + sim_range(&s->rng, 0, 1000), false, 0, NULL,
                     NULL, 0, "prepare", NULL, 0, &mlen);
    to_each(s, i, PBFT_BROADCAST, m, mlen, false);
    yc_free(m);
    /* beyond the largest view a message may carry */
    m = sim_craft_vc(s->c, in->vid, h, 1ull << 40, false, 0, NULL, NULL, 0, "prepare", NULL, 0,
                     &mlen);
    to_each(s, i, PBFT_BROADCAST, m, mlen, true);
    yc_free(m);
    /* votes far ahead of any view in use */
    m = sim_craft_vote(s->c, 3, in->vid, h, in->cur_view + 1000, d, NULL, 0, &mlen);
    to_each(s, i, PBFT_BROADCAST, m, mlen, true);
    yc_free(m);
    /* a NEW-VIEW for a huge view, carrying only its own VIEW-CHANGE */
    if (n > 1) {
        uint64_t view = (1ull << 30) + sim_range(&s->rng, 0, 1000);
        uint8_t *vc;
        size_t vclen;
        while (pbft_primary(n, h, view) != in->vid) {
            view++;
        }
        vc = sim_craft_vc(s->c, in->vid, h, view, false, 0, NULL, NULL, 0, "prepare", NULL, 0,
                          &vclen);
        m = sim_craft_nv(s->c, in->vid, h, view, &vc, &vclen, 1, NULL, NULL, 0, &mlen);
        to_each(s, i, PBFT_BROADCAST, m, mlen, true);
        yc_free(m);
        yc_free(vc);
    }
}

static void bad_pcert(struct sim *s, int i)
{
    struct inst *in = &s->inst[i];
    uint64_t h = in->cur_height ? in->cur_height : 1;
    uint64_t v = in->cur_view + 1;
    uint32_t n = s->p->n;
    uint32_t q = yc_quorum(n);
    uint32_t signers[YC_MAX_VALIDATORS];
    uint8_t d[YC_HASH_LEN];
    size_t blen, mlen;
    uint8_t *blk, *m;
    int variant = (int)sim_range(&s->rng, 0, 2);

    blk = sim_block(s->c, h, 0, pbft_primary(n, h, 0), in->chain[h - 1].hash,
                    in->chain[h - 1].time_ms + 3, true, &blen, d);
    if (variant == 0) {
        /* too few signatures: only its own */
        signers[0] = in->vid;
        m = sim_craft_vc(s->c, in->vid, h, v, true, 0, d, signers, 1, "prepare", blk, blen, &mlen);
    } else if (variant == 1) {
        /* q genuine signatures, but COMMIT-phase ones: no PREPARE certificate */
        for (uint32_t k = 0; k < q; k++) {
            signers[k] = k;
        }
        m = sim_craft_vc(s->c, in->vid, h, v, true, 0, d, signers, q, "commit", blk, blen, &mlen);
    } else {
        /* a certificate whose block is another one */
        uint8_t d2[YC_HASH_LEN];
        size_t b2len;
        uint8_t *b2 = sim_block(s->c, h, 0, pbft_primary(n, h, 0), in->chain[h - 1].hash,
                                in->chain[h - 1].time_ms + 5, true, &b2len, d2);
        signers[0] = in->vid;
        m = sim_craft_vc(s->c, in->vid, h, v, true, 0, d, signers, 1, "prepare", b2, b2len, &mlen);
        yc_free(b2);
    }
    to_each(s, i, PBFT_BROADCAST, m, mlen, true);
    yc_free(m);
    yc_free(blk);
}

static void replay(struct sim *s, int i)
{
    struct inst *in = &s->inst[i];
    struct sim_vote v;
    uint32_t k;
    if (in->nseen == 0) {
        return;
    }
    k = (uint32_t)sim_range(&s->rng, 0, in->nseen - 1);
    if (!sim_parse(in->seen[k], in->seen_len[k], &v)) {
        return;
    }
    to_each(s, i, PBFT_BROADCAST, in->seen[k], in->seen_len[k], v.from != in->vid);
}

void sim__byz_act(struct sim *s, int i)
{
    switch (s->inst[i].byz) {
    case SIM_BYZ_GARBAGE:
        garbage(s, i);
        break;
    case SIM_BYZ_HUGE_VIEW:
        huge_view(s, i);
        break;
    case SIM_BYZ_BAD_PCERT:
        bad_pcert(s, i);
        break;
    case SIM_BYZ_REPLAY:
        replay(s, i);
        break;
    default:
        break;
    }
}
