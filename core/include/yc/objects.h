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
 * Assets, rights, licenses and carries:
 *
 *   asset/<id32>                                   → asset
 *   asset_version/<id32><u64be version>            → version (1 = the registration)
 *   right/<id32><u8 right>                         → right (0 hold, 1 process, 2 operate)
 *   objection/<id32>                               → objection
 *   license/<id32>                                 → license
 *   carry/<id32>                                   → carry
 *   idx/asset_digest/<digest32>                    → asset id (32 bytes): one digest, one asset
 *   idx/asset_holder/<pub33><id32><u8 right>       → ""
 *   idx/asset_parent/<parent32><child32>           → ""
 *   idx/objection_asset/<asset32><objection32>     → ""
 *   idx/license_asset/<asset32><license32>         → ""
 *   idx/license_licensee/<pub33><license32>        → ""
 *   idx/usage_asset/<asset32><u64be height><u32be index> → usage id (32 bytes)
 *   idx/carry_subject/<pub33><carry32>             → ""
 *   idx/carry_holder/<pub33><carry32>              → ""
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
#define YC_ROLES(X)                              \
    X(YC_ROLE_INDIVIDUAL, 1, "individual")       \
    X(YC_ROLE_ENTERPRISE, 2, "enterprise")       \
    X(YC_ROLE_PROCESSOR, 3, "processor")         \
    X(YC_ROLE_DATA_MERCHANT, 4, "data_merchant") \
    X(YC_ROLE_BROKER, 5, "broker")               \
    X(YC_ROLE_APPRAISER, 6, "appraiser")         \
    X(YC_ROLE_CUSTODIAN, 7, "custodian")         \
    X(YC_ROLE_FINANCIAL, 8, "financial")         \
    X(YC_ROLE_EXCHANGE, 9, "exchange")           \
    X(YC_ROLE_AGENCY, 10, "agency")              \
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
    uint64_t granted_at; /* height */
    struct yc_slice jurisdiction;
    uint64_t max_uses; /* 0 = unlimited */
    uint64_t not_before;
    bool onward_transfer;
    struct yc_list operations;
    uint8_t processor[YC_PUBKEY_LEN];
    struct yc_list purposes;
    uint64_t retention_days;
    uint64_t revoked_at; /* height, 0 = not revoked */
    uint8_t subject[YC_PUBKEY_LEN];
    uint64_t until;
    uint64_t uses; /* recorded uses so far */
};

struct yc_usage {
    bool has_asset; /* "asset" (uses under a license): the asset used */
    uint8_t asset[YC_HASH_LEN];
    uint8_t authority[YC_HASH_LEN]; /* consent or license id */
    struct yc_slice authority_kind; /* "consent" | "license" */
    struct yc_slice category;
    uint64_t fee; /* fen paid to the subject */
    uint64_t height;
    bool has_input, has_output;
    uint8_t input[YC_HASH_LEN], output[YC_HASH_LEN];
    struct yc_slice operation;
    struct yc_slice purpose;
    uint8_t subject[YC_PUBKEY_LEN]; /* whose data (consent subject or asset holder) */
    uint64_t time_ms;
    uint8_t user[YC_PUBKEY_LEN]; /* who used it (processor / licensee) */
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
/* The nonce of an encoded account alone, its other fields skipped unchecked (for a reader
 * that needs nothing else: admission's "may this tx be in a block already"); YC_ECORRUPT
 * if p is not a map with an unsigned `nonce`. */
YC_WUR int yc_account_nonce(const uint8_t *p, size_t len, uint64_t *nonce);
YC_WUR int yc_consent_encode(const struct yc_consent *c, struct yc_buf *out);
YC_WUR int yc_consent_decode(struct yc_consent *c, const uint8_t *p, size_t len);
YC_WUR int yc_usage_encode(const struct yc_usage *u, struct yc_buf *out);
YC_WUR int yc_usage_decode(struct yc_usage *u, const uint8_t *p, size_t len);
YC_WUR int yc_evidence_encode(const struct yc_evidence *e, struct yc_buf *out);
YC_WUR int yc_evidence_decode(struct yc_evidence *e, const uint8_t *p, size_t len);

/* ---- assets, rights, licenses, carries ---- */

/* The three rights of an asset (wire form: the name; key byte: the number). */
enum yc_right { YC_RIGHT_HOLD = 0, YC_RIGHT_PROCESS = 1, YC_RIGHT_OPERATE = 2, YC_RIGHT_COUNT = 3 };
/* "hold", "process", "operate", or NULL. */
const char *yc_right_name(enum yc_right r);
/* The right of a name, or YC_RIGHT_COUNT if none. */
enum yc_right yc_right_from_name(const char *s, size_t len);

/* Grades in increasing order (a derived asset's grade is at least each parent's). */
enum yc_grade {
    YC_GRADE_NONE = 0,
    YC_GRADE_GENERAL = 1,
    YC_GRADE_IMPORTANT = 2,
    YC_GRADE_CORE = 3
};
enum yc_grade yc_grade_from_name(const char *s, size_t len);

struct yc_asset {
    struct yc_slice catalog;     /* "catalog": catalog code */
    struct yc_slice certificate; /* "certificate" (present once certified): YC-<h>-<i> */
    uint64_t certified_at;       /* "certified_at": height, 0 = not certified */
    uint32_t ncontributors;      /* "contributors": [[pub, bps]…] */
    struct yc_contributor contributors[YC_CONTRIBUTORS_MAX];
    uint8_t digest[YC_HASH_LEN]; /* "digest": the current version's digest */
    struct yc_slice grade;       /* "grade" */
    uint64_t notice_until;       /* "notice_until": first height after the notice period */
    uint64_t objections_open;    /* "objections_open": objections not yet resolved */
    struct yc_slice openness;    /* "openness" */
    uint32_t nparents;           /* "parents": asset ids */
    uint8_t parents[YC_PARENTS_MAX][YC_HASH_LEN];
    uint64_t registered_at;            /* "registered_at": height */
    uint8_t registrant[YC_PUBKEY_LEN]; /* "registrant" */
    uint64_t retired_at;               /* "retired_at": height, 0 = not retired */
    struct yc_slice sector;            /* "sector" */
    struct yc_slice source;            /* "source" */
    uint64_t time_ms;                  /* "time": block time of the registration */
    struct yc_slice title;             /* "title" */
    bool has_usage;                    /* "usage" (optional): the use that produced it */
    uint8_t usage[YC_HASH_LEN];
    uint64_t version;   /* "version": current version number, 1 = registration */
    uint64_t voided_at; /* "voided_at": height an objection was upheld, 0 = valid */
};

struct yc_asset_version {
    uint8_t digest[YC_HASH_LEN]; /* "digest" */
    uint64_t height;             /* "height" */
    struct yc_slice note;        /* "note" (optional) */
    uint64_t time_ms;            /* "time" */
};

struct yc_right_rec {
    uint8_t holder[YC_PUBKEY_LEN]; /* "holder" */
    uint64_t since;                /* "since": height it was last granted or moved */
};

struct yc_objection {
    uint8_t asset[YC_HASH_LEN];      /* "asset" */
    uint8_t evidence[YC_HASH_LEN];   /* "evidence": digest */
    uint64_t filed_at;               /* "filed_at": height */
    struct yc_slice note;            /* "note" (optional): the resolution's note */
    uint8_t objector[YC_PUBKEY_LEN]; /* "objector" */
    struct yc_slice outcome;         /* "outcome": open | upheld | dismissed */
    struct yc_slice reason;          /* "reason": code */
    uint64_t resolved_at;            /* "resolved_at": height, 0 = open */
};

struct yc_license {
    uint8_t asset[YC_HASH_LEN];      /* "asset" */
    uint64_t fee;                    /* "fee": fen per use, paid to the licensor */
    uint64_t granted_at;             /* "granted_at": height */
    uint8_t licensee[YC_PUBKEY_LEN]; /* "licensee" */
    uint8_t licensor[YC_PUBKEY_LEN]; /* "licensor": holder of the right when granted */
    uint64_t max_uses;               /* "max_uses": 0 = unlimited */
    uint64_t not_before;             /* "not_before": ms */
    struct yc_list operations;       /* "operations" */
    struct yc_list purposes;         /* "purposes" */
    uint64_t revoked_at;             /* "revoked_at": height, 0 = not revoked */
    struct yc_slice right;           /* "right": the right it was granted under */
    uint64_t until;                  /* "until": ms */
    uint64_t uses;                   /* "uses" */
    struct yc_slice visibility;      /* "visibility": visible | invisible */
};

struct yc_carry {
    bool has_asset; /* "asset" (optional): the asset carried */
    uint8_t asset[YC_HASH_LEN];
    struct yc_list categories;     /* "categories" */
    uint64_t closed_at;            /* "closed_at": height, 0 = open */
    uint8_t holder[YC_PUBKEY_LEN]; /* "holder" */
    bool has_package;              /* "package" (completed) */
    uint8_t package[YC_HASH_LEN];
    struct yc_slice reason;           /* "reason" (rejected) */
    uint8_t recipient[YC_PUBKEY_LEN]; /* "recipient" */
    uint64_t requested_at;            /* "requested_at": height */
    struct yc_slice status;           /* "status": requested | completed | rejected */
    uint8_t subject[YC_PUBKEY_LEN];   /* "subject" */
};

size_t yc_key_asset(uint8_t *key, const uint8_t id[YC_HASH_LEN]);
size_t yc_key_asset_version(uint8_t *key, const uint8_t id[YC_HASH_LEN], uint64_t version);
/* Prefix of every version of asset id. */
size_t yc_key_asset_versions(uint8_t *key, const uint8_t id[YC_HASH_LEN]);
size_t yc_key_right(uint8_t *key, const uint8_t id[YC_HASH_LEN], enum yc_right r);
size_t yc_key_objection(uint8_t *key, const uint8_t id[YC_HASH_LEN]);
size_t yc_key_license(uint8_t *key, const uint8_t id[YC_HASH_LEN]);
size_t yc_key_carry(uint8_t *key, const uint8_t id[YC_HASH_LEN]);
/* Index prefixes: prefix + the 32-byte digest/id or 33-byte account (then the entry's tail). */
size_t yc_key_idx_asset_digest(uint8_t *key, const uint8_t digest[YC_HASH_LEN]);
size_t yc_key_idx_asset_holder(uint8_t *key, const uint8_t pub[YC_PUBKEY_LEN]);
size_t yc_key_idx_asset_parent(uint8_t *key, const uint8_t parent[YC_HASH_LEN]);
size_t yc_key_idx_objection_asset(uint8_t *key, const uint8_t asset[YC_HASH_LEN]);
size_t yc_key_idx_license_asset(uint8_t *key, const uint8_t asset[YC_HASH_LEN]);
size_t yc_key_idx_license_licensee(uint8_t *key, const uint8_t pub[YC_PUBKEY_LEN]);
size_t yc_key_idx_usage_asset(uint8_t *key, const uint8_t asset[YC_HASH_LEN]);
size_t yc_key_idx_carry_subject(uint8_t *key, const uint8_t pub[YC_PUBKEY_LEN]);
size_t yc_key_idx_carry_holder(uint8_t *key, const uint8_t pub[YC_PUBKEY_LEN]);

YC_WUR int yc_asset_encode(const struct yc_asset *a, struct yc_buf *out);
YC_WUR int yc_asset_decode(struct yc_asset *a, const uint8_t *p, size_t len);
YC_WUR int yc_asset_version_encode(const struct yc_asset_version *v, struct yc_buf *out);
YC_WUR int yc_asset_version_decode(struct yc_asset_version *v, const uint8_t *p, size_t len);
YC_WUR int yc_right_encode(const struct yc_right_rec *r, struct yc_buf *out);
YC_WUR int yc_right_decode(struct yc_right_rec *r, const uint8_t *p, size_t len);
YC_WUR int yc_objection_encode(const struct yc_objection *o, struct yc_buf *out);
YC_WUR int yc_objection_decode(struct yc_objection *o, const uint8_t *p, size_t len);
YC_WUR int yc_license_encode(const struct yc_license *l, struct yc_buf *out);
YC_WUR int yc_license_decode(struct yc_license *l, const uint8_t *p, size_t len);
YC_WUR int yc_carry_encode(const struct yc_carry *c, struct yc_buf *out);
YC_WUR int yc_carry_decode(struct yc_carry *c, const uint8_t *p, size_t len);

/* Asset status at height h (the tip): "void", "retired", "certified", "notice" (inside
 * the public notice period) or "registered" (notice over, not certified yet). */
const char *yc_asset_status(const struct yc_asset *a, uint64_t h);
/* License status at block time t: "revoked", "expired", "pending", "exhausted", "active". */
const char *yc_license_status(const struct yc_license *l, uint64_t t_ms);

/* Consent status at block time t: "active", "revoked", "expired", "pending" (before
 * not_before) or "exhausted" (max uses reached). */
const char *yc_consent_status(const struct yc_consent *c, uint64_t t_ms);

#endif
