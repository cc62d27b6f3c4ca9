/*
 * helper_pbft.c — see helper_pbft.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper_pbft.h"
#include "yc/alloc.h"

void fx_init(struct fx *fx, uint32_t n)
{
    memset(fx, 0, sizeof *fx);
    fx->n = n;
    snprintf(fx->g.chain_id, sizeof fx->g.chain_id, "test-chain");
    fx->g.genesis_time_ms = 1700000000000ull;
    fx->g.nvalidators = n;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t sk[YC_SECKEY_LEN] = {0};
        sk[31] = (uint8_t)(i + 1);
        if (yc_signer_create(&fx->signers[i], sk) != YC_OK) {
            abort();
        }
        yc_signer_pubkey(fx->signers[i], fx->g.validators[i].pub);
        snprintf(fx->g.validators[i].name, sizeof fx->g.validators[i].name, "v%u", i);
    }
    fx->g.naccounts = 1;
    fx->g.accounts = yc_calloc(1, sizeof *fx->g.accounts);
    memcpy(fx->g.accounts[0].pub, fx->g.validators[0].pub, YC_PUBKEY_LEN);
    snprintf(fx->g.accounts[0].role, sizeof fx->g.accounts[0].role, "exchange");
    snprintf(fx->g.accounts[0].name, sizeof fx->g.accounts[0].name, "exchange");
    snprintf(fx->g.accounts[0].jurisdiction, sizeof fx->g.accounts[0].jurisdiction, "CN-CQ");
    yc_params_default(&fx->g.params);
    if (yc_genesis_finalize(&fx->g) != YC_OK) {
        abort();
    }
}

void fx_cleanup(struct fx *fx)
{
    for (uint32_t i = 0; i < fx->n; i++) {
        yc_signer_destroy(fx->signers[i]);
    }
    yc_genesis_cleanup(&fx->g);
}

struct pbft_config fx_config(const struct fx *fx, uint32_t self)
{
    struct pbft_config c;
    memset(&c, 0, sizeof c);
    c.genesis = &fx->g;
    c.signer = fx->signers[self];
    c.base_timeout_ms = 1000;
    c.max_msgs_per_view = 0;
    c.mutant = PBFT_MUTANT_NONE;
    return c;
}

uint8_t *fx_block(const struct fx *fx, uint64_t height, uint64_t view, uint32_t proposer,
                  const uint8_t prev[YC_HASH_LEN], uint64_t time_ms, size_t *len,
                  uint8_t digest[YC_HASH_LEN])
{
    struct yc_block_header h;
    struct yc_buf b;
    uint8_t *out;

    memset(&h, 0, sizeof h);
    snprintf(h.chain_id, sizeof h.chain_id, "%s", fx->g.chain_id);
    h.height = height;
    h.view = view;
    h.proposer = proposer;
    h.time_ms = time_ms;
    memcpy(h.prev_hash, prev, YC_HASH_LEN);
    h.state_root[0] = (uint8_t)time_ms;
    h.tx_count = 0;
    h.version = YC_BLOCK_VERSION;
    yc_buf_init(&b, 0);
    if (yc_block_encode(&b, &h, NULL, NULL, 0, NULL) != YC_OK ||
        yc_header_hash(&h, digest) != YC_OK) {
        abort();
    }
    yc_buf_take(&b, &out, len);
    return out;
}

bool fx_drain(pbft_node *n, struct fx_ready *r)
{
    struct pbft_ready rd;
    memset(r, 0, sizeof *r);
    if (!pbft_has_ready(n)) {
        return false;
    }
    pbft_ready(n, &rd);
    if (rd.nrecords > 64 || rd.nmsgs > 64 || rd.nproposals > 8) {
        abort();
    }
    r->nrecords = rd.nrecords;
    for (size_t i = 0; i < rd.nrecords; i++) {
        r->records[i] = yc_memdup(rd.records[i].bytes, rd.records[i].len);
        r->record_len[i] = rd.records[i].len;
    }
    r->nmsgs = rd.nmsgs;
    for (size_t i = 0; i < rd.nmsgs; i++) {
        r->msgs[i] = yc_memdup(rd.msgs[i].bytes, rd.msgs[i].len);
        r->msg_len[i] = rd.msgs[i].len;
        r->msg_to[i] = rd.msgs[i].to;
    }
    r->nproposals = rd.nproposals;
    for (size_t i = 0; i < rd.nproposals; i++) {
        r->proposals[i] = rd.proposals[i];
        r->proposals[i].block = yc_memdup(rd.proposals[i].block, rd.proposals[i].len);
    }
    r->nevidence = rd.nevidence;
    r->has_commit = rd.has_commit;
    if (rd.has_commit) {
        r->commit = rd.commit;
        r->commit.block = yc_memdup(rd.commit.block, rd.commit.len);
    }
    r->want_proposal = rd.want_proposal;
    r->height = rd.height;
    r->view = rd.view;
    pbft_advance(n);
    return true;
}

void fx_ready_free(struct fx_ready *r)
{
    for (size_t i = 0; i < r->nrecords; i++) {
        yc_free(r->records[i]);
    }
    for (size_t i = 0; i < r->nmsgs; i++) {
        yc_free(r->msgs[i]);
    }
    for (size_t i = 0; i < r->nproposals; i++) {
        yc_free((void *)r->proposals[i].block);
    }
    if (r->has_commit) {
        yc_free((void *)r->commit.block);
    }
    memset(r, 0, sizeof *r);
}

/* ---- cluster ---- */

void cl_init(struct cluster *c, uint32_t n)
{
    memset(c, 0, sizeof *c);
    fx_init(&c->fx, n);
    c->n = n;
    c->autopropose = true;
    c->height = 1;
    c->now = 1000;
    memcpy(c->prev, c->fx.g.hash, YC_HASH_LEN);
    for (uint32_t i = 0; i < n; i++) {
        struct pbft_config cfg = fx_config(&c->fx, i);
        if (pbft_create(&c->nodes[i], &cfg, 1, c->prev, NULL, 0, c->now) != YC_OK) {
            abort();
        }
    }
}

void cl_drop_all(struct cluster *c)
{
    for (size_t k = 0; k < c->nq; k++) {
        yc_free(c->q[k].bytes);
    }
    c->nq = 0;
}

void cl_cleanup(struct cluster *c)
{
    cl_drop_all(c);
    for (uint32_t i = 0; i < c->n; i++) {
        pbft_destroy(c->nodes[i]);
        for (size_t k = 0; k < c->njournal[i]; k++) {
            yc_free(c->journal[i][k]);
        }
        if (c->committed[i]) {
            yc_free((void *)c->commit[i].block);
        }
    }
    fx_cleanup(&c->fx);
}

static void enqueue(struct cluster *c, uint32_t from, uint32_t to, const uint8_t *b, size_t len)
{
    if (c->nq >= CL_MAXQ) {
        abort();
    }
    c->q[c->nq].from = from;
    c->q[c->nq].to = to;
    c->q[c->nq].bytes = yc_memdup(b, len);
    c->q[c->nq].len = len;
    c->nq++;
}

void cl_pump(struct cluster *c)
{
    bool again = true;
    while (again) {
        again = false;
        for (uint32_t i = 0; i < c->n; i++) {
            struct pbft_ready rd;
            pbft_node *nd = c->nodes[i];
            bool want;
            uint64_t view;
            if (nd == NULL || !pbft_has_ready(nd)) {
                continue;
            }
            again = true;
            pbft_ready(nd, &rd);
            for (size_t k = 0; k < rd.nrecords; k++) {
                if (c->njournal[i] >= 64) {
                    abort();
                }
                c->journal[i][c->njournal[i]] = yc_memdup(rd.records[k].bytes, rd.records[k].len);
                c->journal_len[i][c->njournal[i]] = rd.records[k].len;
                c->njournal[i]++;
            }
            for (size_t k = 0; k < rd.nmsgs && !c->mute[i]; k++) {
                for (uint32_t j = 0; j < c->n; j++) {
                    if (j != i && (rd.msgs[k].to == PBFT_BROADCAST || rd.msgs[k].to == j)) {
                        enqueue(c, i, j, rd.msgs[k].bytes, rd.msgs[k].len);
                    }
                }
            }
            c->nevidence[i] += rd.nevidence;
            if (rd.has_commit && !c->committed[i]) {
                c->committed[i] = true;
                c->commit[i] = rd.commit;
                c->commit[i].block = yc_memdup(rd.commit.block, rd.commit.len);
            }
            want = rd.want_proposal;
            view = rd.view;
            c->want[i] = want;
            {
                struct pbft_proposal props[8];
                size_t np = rd.nproposals < 8 ? rd.nproposals : 8;
                if (np > 0) {
                    memcpy(props, rd.proposals, np * sizeof *props);
                }
                pbft_advance(nd);
                for (size_t k = 0; k < np; k++) {
                    int rc = pbft_block_checked(nd, props[k].height, props[k].view, props[k].digest,
                                                !c->reject_blocks, c->now);
                    (void)rc;
                }
            }
            if (want && c->autopropose) {
                uint8_t d[YC_HASH_LEN];
                size_t len;
                uint8_t *b = fx_block(&c->fx, c->height, view, i, c->prev, c->now + i, &len, d);
                int rc = pbft_propose(nd, b, len, c->now);
                (void)rc;
                yc_free(b);
            }
        }
    }
}

void cl_run(struct cluster *c)
{
    size_t head = 0;
    cl_pump(c);
    while (head < c->nq) {
        struct cl_msg m = c->q[head++];
        if (c->nodes[m.to] != NULL) {
            int rc = pbft_step(c->nodes[m.to], m.from, m.bytes, m.len, c->now);
            (void)rc;
        }
        yc_free(m.bytes);
        cl_pump(c);
        if (head == c->nq) {
            c->nq = 0;
            head = 0;
        }
    }
    if (head > 0) {
        memmove(c->q, c->q + head, (c->nq - head) * sizeof *c->q);
        c->nq -= head;
    }
}

void cl_tick(struct cluster *c, uint64_t ms)
{
    c->now += ms;
    for (uint32_t i = 0; i < c->n; i++) {
        if (c->nodes[i] != NULL) {
            pbft_tick(c->nodes[i], c->now);
        }
    }
    cl_pump(c);
}

void cl_restart(struct cluster *c, uint32_t i)
{
    struct pbft_config cfg = fx_config(&c->fx, i);
    struct pbft_record recs[64];
    for (size_t k = 0; k < c->njournal[i]; k++) {
        recs[k].bytes = c->journal[i][k];
        recs[k].len = c->journal_len[i][k];
    }
    pbft_destroy(c->nodes[i]);
    c->nodes[i] = NULL;
    if (pbft_create(&c->nodes[i], &cfg, c->height, c->prev, recs, c->njournal[i], c->now) !=
        YC_OK) {
        abort();
    }
}

#include "pbft_int.h"

int fx_msg_type(const uint8_t *b, size_t len, uint32_t n, uint64_t *view)
{
    struct pbft_wmsg *m = yc_malloc(sizeof *m);
    int t = -1;
    if (m != NULL && pbft__decode(m, b, len, n) == YC_OK) {
        t = (int)m->type;
        if (view != NULL) {
            *view = m->view;
        }
    }
    yc_free(m);
    return t;
}

void cl_drop_type(struct cluster *c, int type)
{
    size_t k = 0;
    for (size_t j = 0; j < c->nq; j++) {
        if (type == 0 || fx_msg_type(c->q[j].bytes, c->q[j].len, c->n, NULL) == type) {
            yc_free(c->q[j].bytes);
        } else {
            c->q[k++] = c->q[j];
        }
    }
    c->nq = k;
}

uint8_t *fx_vote_msg(const struct fx *fx, int type, uint32_t from, uint64_t h, uint64_t v,
                     const uint8_t digest[YC_HASH_LEN], const uint8_t *block, size_t blen,
                     size_t *len)
{
    enum pbft_phase ph = type == PBFT_T_COMMIT ? PH_COMMIT : PH_PREPARE;
    struct yc_buf body, msg;
    uint8_t hh[YC_HASH_LEN], sig[YC_SIG_LEN], aux[32] = {7};
    uint8_t *out;
    yc_buf_init(&body, 0);
    yc_buf_init(&msg, 0);
    if (pbft__enc_vote_body(&body, ph, h, v, digest) != YC_OK) {
        abort();
    }
    yc_vote_hash(hh, fx->g.chain_id, pbft__phase_name(ph), h, v, digest);
    if (yc_sig_sign(fx->signers[from], sig, hh, aux) != YC_OK ||
        pbft__enc_msg(&msg, (enum pbft_type)type, from, block, blen, body.data, body.len, sig,
                      NULL) != YC_OK) {
        abort();
    }
    yc_buf_cleanup(&body);
    yc_buf_take(&msg, &out, len);
    return out;
}
