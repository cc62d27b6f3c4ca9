/*
 * list.c — lists of objects through a secondary index (list.h): one walk for every
 * index and object kind; what differs is where the entry holds the id, which key the
 * object lives at, and how it is decoded and shown.
 */
#include <string.h>

#include "yc/alloc.h"
#include "yc/json.h"
#include "yc/list.h"
#include "yc/objects.h"

struct walk {
    const struct yc_state_src *src;
    size_t plen;
    size_t left;      /* entries still to visit */
    bool id_in_value; /* usage indexes: the value is the id; consent indexes: the key ends in it */
    /* Reads, decodes and renders object id into *o: YC_OK, YC_ECORRUPT, YC_ENOMEM, YC_EIO. */
    int (*show)(struct walk *w, const uint8_t id[YC_HASH_LEN], json_t **o);
    uint64_t now_ms;
    json_t *out;
    int err;
};

/* Reads the value at the object key and decodes it with dec into obj; *val (owned) backs
 * the decoded slices. A missing object is YC_ECORRUPT: the index names it. */
static int read_obj(struct walk *w, const uint8_t *key, size_t klen, uint8_t **val,
                    int (*dec)(void *obj, const uint8_t *p, size_t n), void *obj)
{
    size_t vlen = 0;
    *val = NULL;
    int rc = w->src->get(w->src->ctx, key, klen, val, &vlen);
    if (rc == YC_ENOTFOUND || (rc == YC_OK && dec(obj, *val, vlen) != YC_OK))
        rc = YC_ECORRUPT;
    return rc;
}

static int dec_consent(void *obj, const uint8_t *p, size_t n)
{
    return yc_consent_decode(obj, p, n);
}

static int dec_usage(void *obj, const uint8_t *p, size_t n)
{
    return yc_usage_decode(obj, p, n);
}

static int show_consent(struct walk *w, const uint8_t id[YC_HASH_LEN], json_t **o)
{
    uint8_t key[YC_KEY_MAX], *val;
    struct yc_consent c;
    int rc = read_obj(w, key, yc_key_consent(key, id), &val, dec_consent, &c);
    if (rc == YC_OK && (*o = yc_json_consent(id, &c, w->now_ms)) == NULL)
        rc = YC_ENOMEM;
    yc_free(val);
    return rc;
}

static int show_usage(struct walk *w, const uint8_t id[YC_HASH_LEN], json_t **o)
{
    uint8_t key[YC_KEY_MAX], *val;
    struct yc_usage u;
    int rc = read_obj(w, key, yc_key_usage(key, id), &val, dec_usage, &u);
    if (rc == YC_OK && (*o = yc_json_usage(id, &u)) == NULL)
        rc = YC_ENOMEM;
    yc_free(val);
    return rc;
}

static int visit(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct walk *w = ctx;
    const uint8_t *id = NULL;
    json_t *o = NULL;

    if (w->left == 0)
        return 1;
    if (w->id_in_value && vlen == YC_HASH_LEN)
        id = val;
    else if (!w->id_in_value && klen == w->plen + YC_HASH_LEN)
        id = key + w->plen;
    w->err = id != NULL ? w->show(w, id, &o) : YC_ECORRUPT;
    if (w->err == YC_OK && json_array_append_new(w->out, o) != 0)
        w->err = YC_ENOMEM;
    if (w->err != YC_OK)
        return 1;
    w->left--;
    return 0;
}

static int walk(struct walk *w, const uint8_t *prefix)
{
    if (w->src == NULL || w->src->scan == NULL || prefix == NULL || w->out == NULL)
        return YC_EINVAL;
    int rc = w->src->scan(w->src->ctx, prefix, w->plen, visit, w);
    return rc != YC_OK ? rc : w->err;
}

int yc_list_consents(const struct yc_state_src *src, const uint8_t *prefix, size_t plen,
                     size_t limit, uint64_t now_ms, json_t *out)
{
    struct walk w = {.src = src,
                     .plen = plen,
                     .left = limit,
                     .show = show_consent,
                     .now_ms = now_ms,
                     .out = out};
    return walk(&w, prefix);
}

int yc_list_usage(const struct yc_state_src *src, const uint8_t *prefix, size_t plen, size_t limit,
                  json_t *out)
{
    struct walk w = {.src = src,
                     .plen = plen,
                     .left = limit,
                     .id_in_value = true,
                     .show = show_usage,
                     .out = out};
    return walk(&w, prefix);
}
