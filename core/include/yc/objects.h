/*
 * objects.h — state objects, their keys and canonical encodings (DESIGN.md §6;
 * grammar in docs/formats.md). Every value is a canonical msgpack map with the
 * field names below as keys. Index entries map to an empty value unless noted.
 *
 *   account/<pub33>                                → account
 *   consent/<id32>                                 → consent
 *   usage/<id32>                                   → usage
 *   evidence/<id32>                                → evidence
 *   idx/consent_subject/<pub33><id32>              → ""
 *   idx/consent_processor/<pub33><id32>            → ""
 *   idx/usage_subject/<pub33><u64be height><u32be index>  → usage id (32 bytes)
 *   idx/usage_authority/<id32><u64be height><u32be index> → usage id (32 bytes)
 *
 * Decoded structs borrow: slices point into the encoded bytes, which must outlive them.
 */
#ifndef YC_OBJECTS_H
#define YC_OBJECTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/buf.h"
#include "yc/err.h"
#include "yc/hash.h"
#include "yc/tx.h"

#define YC_KEY_MAX 128

/* Roles (DESIGN §5). Wire form is the name. */
#define YC_ROLES(X)                                                                    \
    X(YC_ROLE_INDIVIDUAL, 1, "individual")                                             \
    X(YC_ROLE_ENTERPRISE, 2, "enterprise")                                             \
    X(YC_ROLE_PROCESSOR, 3, "processor")                                               \
    X(YC_ROLE_DATA_MERCHANT, 4, "data_merchant")                                       \
    X(YC_ROLE_BROKER, 5, "broker")                                                     \
    X(YC_ROLE_APPRAISER, 6, "appraiser")                                               \
    X(YC_ROLE_CUSTODIAN, 7, "custodian")                                               \
    X(YC_ROLE_FINANCIAL, 8, "financial")                                               \
    X(YC_ROLE_EXCHANGE, 9, "exchange")                                                 \
    X(YC_ROLE_AGENCY, 10, "agency")                                                    \
    X(YC_ROLE_REGULATOR, 11, "regulator")

enum yc_role {
    YC_ROLE_NONE = 0,
#define YC_ROLE_ENUM_(e, n, name) e = n,
    YC_ROLES(YC_ROLE_ENUM_)
#undef YC_ROLE_ENUM_
};
const char *yc_role_name(enum yc_role r);
enum yc_role yc_role_from_name(const char *s, size_t len);

struct yc_account {
    uint64_t balance;       /* "balance" fen */
    struct yc_slice credit; /* "credit": "good" | "warning" | "restricted" | "frozen" */
    struct yc_slice jurisdiction;
    struct yc_slice name;
    uint64_t nonce;         /* next expected nonce */
    uint64_t registered_at; /* height (0 = genesis) */
    enum yc_role role;      /* "role" as its name */
};

struct yc_consent {
    struct yc_list categories;
    uint64_t fee_per_use;
    uint64_t granted_at;  /* height */
    struct yc_slice jurisdiction;
    uint64_t max_uses;    /* 0 = unlimited */
    uint64_t not_before;
    bool onward_transfer;
    struct yc_list operations;
    uint8_t processor[YC_PUBKEY_LEN];
    struct yc_list purposes;
    uint64_t retention_days;
    uint64_t revoked_at;  /* height, 0 = not revoked */
    uint8_t subject[YC_PUBKEY_LEN];
    uint64_t until;
    uint64_t uses;        /* recorded uses so far */
};

struct yc_usage {
    uint8_t authority[YC_HASH_LEN]; /* consent or license id */
    struct yc_slice authority_kind; /* "consent" | "license" */
    struct yc_slice category;
    uint64_t fee;                   /* fen paid to the subject */
    uint64_t height;
    bool has_input, has_output;
    uint8_t input[YC_HASH_LEN], output[YC_HASH_LEN];
    struct yc_slice operation;
    struct yc_slice purpose;
    uint8_t subject[YC_PUBKEY_LEN]; /* whose data (consent subject or asset holder) */
    uint64_t time_ms;
    uint8_t user[YC_PUBKEY_LEN];    /* who used it (processor / licensee) */
};

struct yc_evidence {
    uint8_t digest[YC_HASH_LEN];
    uint64_t height;
    struct yc_slice kind;
    struct yc_slice note;
    bool has_ref;
    uint8_t ref[YC_HASH_LEN];
    uint8_t sender[YC_PUBKEY_LEN];
    uint64_t time_ms;
};

/* Key builders: write into key[YC_KEY_MAX], return the key length. */
size_t yc_key_account(uint8_t *key, const uint8_t pub[YC_PUBKEY_LEN]);
size_t yc_key_consent(uint8_t *key, const uint8_t id[YC_HASH_LEN]);
size_t yc_key_usage(uint8_t *key, const uint8_t id[YC_HASH_LEN]);
size_t yc_key_evidence(uint8_t *key, const uint8_t id[YC_HASH_LEN]);
/* Index prefixes (for range scans): prefix + the 33-byte account or 32-byte id. */
size_t yc_key_idx_consent_subject(uint8_t *key, const uint8_t pub[YC_PUBKEY_LEN]);
size_t yc_key_idx_consent_processor(uint8_t *key, const uint8_t pub[YC_PUBKEY_LEN]);
size_t yc_key_idx_usage_subject(uint8_t *key, const uint8_t pub[YC_PUBKEY_LEN]);
size_t yc_key_idx_usage_authority(uint8_t *key, const uint8_t id[YC_HASH_LEN]);

YC_WUR int yc_account_encode(const struct yc_account *a, struct yc_buf *out);
YC_WUR int yc_account_decode(struct yc_account *a, const uint8_t *p, size_t len);
YC_WUR int yc_consent_encode(const struct yc_consent *c, struct yc_buf *out);
YC_WUR int yc_consent_decode(struct yc_consent *c, const uint8_t *p, size_t len);
YC_WUR int yc_usage_encode(const struct yc_usage *u, struct yc_buf *out);
YC_WUR int yc_usage_decode(struct yc_usage *u, const uint8_t *p, size_t len);
YC_WUR int yc_evidence_encode(const struct yc_evidence *e, struct yc_buf *out);
YC_WUR int yc_evidence_decode(struct yc_evidence *e, const uint8_t *p, size_t len);

/* Consent status at block time t: "active", "revoked", "expired", "pending" (before
 * not_before) or "exhausted" (max uses reached). */
const char *yc_consent_status(const struct yc_consent *c, uint64_t t_ms);

#endif
