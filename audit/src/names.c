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

#define NAMER_SLOTS 4096

struct namer_slot {
    bool used;
    uint8_t pub[YC_PUBKEY_LEN];
    char name[YC_NAME_MAX + 1];
};

struct audit_namer {
    const struct yc_state_src *st;
    struct namer_slot slots[NAMER_SLOTS];
};

struct audit_namer *audit_namer_create(const struct yc_state_src *st)
{
    struct audit_namer *n = yc_calloc(1, sizeof *n);
    if (n != NULL)
        n->st = st;
    return n;
}

void audit_namer_destroy(struct audit_namer *n)
{
    yc_free(n);
}

void audit_namer_name(struct audit_namer *n, const uint8_t pub[YC_PUBKEY_LEN], char *out,
                      size_t cap)
{
    uint32_t k = ((uint32_t)pub[1] | (uint32_t)pub[2] << 8) % NAMER_SLOTS;
    struct namer_slot *s = &n->slots[k];
    if (!s->used || memcmp(s->pub, pub, YC_PUBKEY_LEN) != 0) {
        audit_account_name(n->st, pub, s->name, sizeof s->name);
        memcpy(s->pub, pub, YC_PUBKEY_LEN);
        s->used = true;
    }
    snprintf(out, cap, "%s", s->name);
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
