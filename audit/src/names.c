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

/* An open-addressing table of entry numbers by the exact 33 key bytes, doubled when half
 * full, over a growing array of entries, up to NAMER_MAX entries (about 66 MiB); beyond
 * that, or out of memory, an account not yet seen is read from the state each time
 * (correct, only slower). */
#define NAMER_FIRST 1024u
#define NAMER_MAX (1u << 18)

struct namer_entry {
    uint8_t pub[YC_PUBKEY_LEN];
    char addr[YC_ADDR_MAX];
    char name[YC_NAME_MAX + 1];
};

struct audit_namer {
    const struct yc_state_src *st;
    uint32_t *slots; /* 0: empty, else 1 + the entry's number */
    size_t cap;      /* slots, a power of two */
    struct namer_entry *e;
    size_t n, ecap;          /* entries held, room */
    struct namer_entry once; /* the answer when the cache cannot take it */
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
    yc_free(n->e);
    yc_free(n);
}

/* The slot holding pub, or the empty slot where it belongs. */
static uint32_t *namer_slot(uint32_t *slots, size_t cap, const struct namer_entry *e,
                            const uint8_t pub[YC_PUBKEY_LEN])
{
    uint64_t h; /* the key's x coordinate is uniformly distributed: its bytes are a hash */
    memcpy(&h, pub + 1, sizeof h);
    size_t i = (size_t)h & (cap - 1);
    while (slots[i] != 0 && memcmp(e[slots[i] - 1].pub, pub, YC_PUBKEY_LEN) != 0)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

/* Makes room for one more entry; false if there is none to be had. */
static bool namer_room(struct audit_namer *n)
{
    if (n->n >= NAMER_MAX)
        return false;
    if (2 * (n->n + 1) > n->cap) {
        size_t cap = n->cap * 2;
        uint32_t *slots = yc_calloc(cap, sizeof *slots);
        if (slots == NULL)
            return false;
        for (size_t i = 0; i < n->n; i++)
            *namer_slot(slots, cap, n->e, n->e[i].pub) = (uint32_t)i + 1;
        yc_free(n->slots);
        n->slots = slots;
        n->cap = cap;
    }
    if (n->n == n->ecap) {
        size_t ecap = n->ecap > 0 ? 2 * n->ecap : 256;
        struct namer_entry *e = yc_realloc(n->e, ecap * sizeof *e);
        if (e == NULL)
            return false;
        n->e = e;
        n->ecap = ecap;
    }
    return true;
}

void audit_namer_get(struct audit_namer *n, const uint8_t pub[YC_PUBKEY_LEN], const char **addr,
                     const char **name)
{
    uint32_t *s = namer_slot(n->slots, n->cap, n->e, pub);
    struct namer_entry *e;
    if (*s != 0) {
        e = &n->e[*s - 1];
    } else {
        bool keep = namer_room(n);
        e = keep ? &n->e[n->n] : &n->once;
        memcpy(e->pub, pub, YC_PUBKEY_LEN);
        if (yc_addr_encode(e->addr, pub) != YC_OK)
            yc_hex(e->addr, pub, YC_HASH_LEN); /* cannot happen for a stored key */
        audit_account_name(n->st, pub, e->name, sizeof e->name);
        if (keep) {
            n->n++;
            *namer_slot(n->slots, n->cap, n->e, pub) = (uint32_t)n->n;
        }
    }
    *addr = e->addr;
    *name = e->name;
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
