/*
 * names.c — accounts by their registered names in the audit's reports (names.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "names.h"
#include "yc/alloc.h"
#include "yc/bech32.h"
#include "yc/cliutil.h"
#include "yc/objects.h"

void audit_account_name(const struct yc_state_src *st, const uint8_t pub[YC_PUBKEY_LEN], char *out,
                        size_t cap)
{
    uint8_t k[YC_KEY_MAX];
    size_t kl = yc_key_account(k, pub);
    uint8_t *v = NULL;
    size_t vl;
    struct yc_account a;
    out[0] = '\0';
    if (st->get(st->ctx, k, kl, &v, &vl) == YC_OK && yc_account_decode(&a, v, vl) == YC_OK) {
        size_t n = a.name.len < cap - 1 ? a.name.len : cap - 1;
        memcpy(out, a.name.p, n);
        out[n] = '\0';
    }
    yc_free(v);
}

/* An open-addressing table over records packed one after the other in an arena: the 33
 * key bytes, the address's length (a byte), the address and the name, each with its NUL
 * (about 110 bytes for a bench account: two cache lines, where a fixed entry took five).
 * A slot holds 32 more bits of the key (a tag: a probe reads a record only when its tag
 * agrees) and the record's offset + 1 (0: empty). The table doubles when half full, up to
 * NAMER_MAX records (at most about 69 MiB); beyond that, or out of memory, an account not
 * yet seen is read from the state each time (correct, only slower). A question looks up
 * one or two accounts a row in no order (export: 480,000 rows over 16,000 accounts), so
 * what a look-up costs is the cache lines it misses. */
#define NAMER_FIRST 1024u
#define NAMER_MAX (1u << 18)
#define REC_ADDR (YC_PUBKEY_LEN + 1) /* where a record's address starts */

struct namer_entry {
    uint8_t pub[YC_PUBKEY_LEN];
    char addr[YC_ADDR_MAX];
    char name[YC_NAME_MAX + 1];
};

struct audit_namer {
    const struct yc_state_src *st;
    uint64_t *slots; /* tag << 32 | (offset + 1) */
    size_t cap;      /* slots, a power of two */
    char *arena;
    size_t used, room;       /* bytes of the arena */
    size_t n;                /* records */
    struct namer_entry once; /* an account being added; the answer if the cache is full */
};

struct audit_namer *audit_namer_create(const struct yc_state_src *st)
{
    struct audit_namer *n = yc_calloc(1, sizeof *n);
    if (n == NULL)
        return NULL;
    n->slots = yc_calloc(NAMER_FIRST, sizeof *n->slots);
    if (n->slots == NULL) {
        yc_free(n);
        return NULL;
    }
    n->st = st;
    n->cap = NAMER_FIRST;
    return n;
}

void audit_namer_destroy(struct audit_namer *n)
{
    if (n == NULL)
        return;
    yc_free(n->slots);
    yc_free(n->arena);
    yc_free(n);
}

static uint32_t namer_tag(const uint8_t pub[YC_PUBKEY_LEN])
{
    uint32_t t;
    memcpy(&t, pub + 9, sizeof t);
    return t;
}

/* The slot holding pub, or the empty slot where it belongs. */
static uint64_t *namer_slot(uint64_t *slots, size_t cap, const char *arena,
                            const uint8_t pub[YC_PUBKEY_LEN])
{
    uint64_t h; /* the key's x coordinate is uniformly distributed: its bytes are a hash */
    memcpy(&h, pub + 1, sizeof h);
    uint32_t tag = namer_tag(pub);
    size_t i = (size_t)h & (cap - 1);
    while (slots[i] != 0 && ((uint32_t)(slots[i] >> 32) != tag ||
                             memcmp(arena + (uint32_t)slots[i] - 1, pub, YC_PUBKEY_LEN) != 0))
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static size_t rec_len(const char *rec)
{
    size_t alen = (uint8_t)rec[YC_PUBKEY_LEN];
    return REC_ADDR + alen + 1 + strlen(rec + REC_ADDR + alen + 1) + 1;
}

/* Makes room for one more record of len bytes; false if there is none to be had. */
static bool namer_room(struct audit_namer *n, size_t len)
{
    if (n->n >= NAMER_MAX)
        return false;
    if (2 * (n->n + 1) > n->cap) {
        size_t cap = n->cap * 2;
        uint64_t *slots = yc_calloc(cap, sizeof *slots);
        if (slots == NULL)
            return false;
        for (size_t off = 0; off < n->used; off += rec_len(n->arena + off)) {
            const uint8_t *pub = (const uint8_t *)n->arena + off;
            *namer_slot(slots, cap, n->arena, pub) = (uint64_t)namer_tag(pub) << 32 | (off + 1);
        }
        yc_free(n->slots);
        n->slots = slots;
        n->cap = cap;
    }
    if (n->used + len > n->room) {
        size_t room = n->room > 0 ? 2 * n->room : (size_t)1 << 15;
        while (room < n->used + len)
            room *= 2;
        char *a = yc_realloc(n->arena, room);
        if (a == NULL)
            return false;
        n->arena = a;
        n->room = room;
    }
    return true;
}

void audit_namer_get(struct audit_namer *n, const uint8_t pub[YC_PUBKEY_LEN], const char **addr,
                     const char **name)
{
    uint64_t *s = namer_slot(n->slots, n->cap, n->arena, pub);
    if (*s != 0) {
        const char *rec = n->arena + (uint32_t)*s - 1;
        *addr = rec + REC_ADDR;
        *name = rec + REC_ADDR + (uint8_t)rec[YC_PUBKEY_LEN] + 1;
        return;
    }
    struct namer_entry *e = &n->once;
    memcpy(e->pub, pub, YC_PUBKEY_LEN);
    if (yc_addr_encode(e->addr, pub) != YC_OK)
        yc_hex(e->addr, pub, YC_HASH_LEN); /* cannot happen for a stored key */
    audit_account_name(n->st, pub, e->name, sizeof e->name);
    *addr = e->addr;
    *name = e->name;
    size_t alen = strlen(e->addr), nlen = strlen(e->name);
    size_t len = REC_ADDR + alen + 1 + nlen + 1;
    if (!namer_room(n, len))
        return;
    char *rec = n->arena + n->used;
    memcpy(rec, pub, YC_PUBKEY_LEN);
    rec[YC_PUBKEY_LEN] = (char)alen; /* an address is shorter than YC_ADDR_MAX (100) */
    memcpy(rec + REC_ADDR, e->addr, alen + 1);
    memcpy(rec + REC_ADDR + alen + 1, e->name, nlen + 1);
    *namer_slot(n->slots, n->cap, n->arena, pub) = (uint64_t)namer_tag(pub) << 32 | (n->used + 1);
    n->used += len;
    n->n++;
    *addr = rec + REC_ADDR;
    *name = rec + REC_ADDR + alen + 1;
}

void audit_add_names(json_t *arr, const struct yc_state_src *st, const char *const *keys)
{
    size_t i;
    json_t *o;
    json_array_foreach(arr, i, o)
    {
        for (const char *const *k = keys; *k != NULL; k++) {
            const char *addr = json_string_value(json_object_get(o, *k));
            uint8_t pub[YC_PUBKEY_LEN];
            if (addr == NULL || yc_addr_decode(pub, addr) != YC_OK)
                continue;
            char name[YC_NAME_MAX + 1], key[64];
            audit_account_name(st, pub, name, sizeof name);
            snprintf(key, sizeof key, "%s_name", *k);
            json_object_set_new(o, key, json_string(name));
        }
    }
}

const char *audit_who(json_t *o, const char *key, char out[AUDIT_WHO_MAX])
{
    char nk[64];
    snprintf(nk, sizeof nk, "%s_name", key);
    const char *addr = json_string_value(json_object_get(o, key));
    const char *name = json_string_value(json_object_get(o, nk));
    out[0] = '\0';
    if (addr == NULL)
        return out;
    if (name == NULL || name[0] == '\0') {
        snprintf(out, AUDIT_WHO_MAX, "%.100s", addr);
        return out;
    }
    char safe[YC_NAME_MAX + 1], shrt[YC_ADDR_SHORT_MAX];
    yc_text_for_terminal(safe, sizeof safe, name);
    yc_addr_short(shrt, addr);
    snprintf(out, AUDIT_WHO_MAX, "%s (%s)", safe, shrt);
    return out;
}
