/*
 * enums.h — the one table of the enumerations a transaction body uses (roles, consent
 * and license operations, grades, sources, openness, visibility, rights, offers, the
 * outcomes of an objection, an export assessment and a credit objection, credit
 * severities), the default code lists of data categories and purposes that genesis
 * ships (grouped the way GB/T 35273 groups personal information), and "did you mean"
 * suggestions by edit distance.
 *
 * The execution rules (core/src/exec_*.c), the wallet's checks before signing and every
 * `--help` line that lists allowed values read this one table, so a value is allowed in
 * one place and described with the same words everywhere. Wire values are the strings;
 * an enumeration's order is its numbering where core has an enum for it (yc_role: index
 * + 1; yc_right: index; yc_grade: index + 1) and is never reordered.
 *
 * Thread-safety: constant tables and pure functions; no globals, no allocation.
 */
#ifndef YC_ENUMS_H
#define YC_ENUMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* X(ID, "name"): the enumerations. The name is what the enumeration is, for messages. */
#define YC_ENUM_TABLE(X)                                   \
    X(YC_ENUM_ROLE, "role")                                \
    X(YC_ENUM_CONSENT_OP, "consent operation")             \
    X(YC_ENUM_LICENSE_OP, "license operation")             \
    X(YC_ENUM_USAGE_OP, "usage operation")                 \
    X(YC_ENUM_GRADE, "grade")                              \
    X(YC_ENUM_SOURCE, "source")                            \
    X(YC_ENUM_OPENNESS, "openness")                        \
    X(YC_ENUM_VISIBILITY, "visibility")                    \
    X(YC_ENUM_RIGHT, "right")                              \
    X(YC_ENUM_OFFER, "offer")                              \
    X(YC_ENUM_OBJECTION_OUTCOME, "objection outcome")      \
    X(YC_ENUM_EXPORT_OUTCOME, "export assessment outcome") \
    X(YC_ENUM_CREDIT_SEVERITY, "credit severity")          \
    X(YC_ENUM_CREDIT_OUTCOME, "credit objection outcome")  \
    X(YC_ENUM_VALSET_ACTION, "validator-set action")

enum yc_enum_id {
#define YC_ENUM_ID_(id, name) id,
    YC_ENUM_TABLE(YC_ENUM_ID_)
#undef YC_ENUM_ID_
        YC_ENUM_COUNT
};

struct yc_enum {
    const char *name;          /* "consent operation" */
    const char *const *values; /* the allowed wire values, in their fixed order */
    size_t n;
};

/* The enumeration `id`, or NULL if id is out of range. */
const struct yc_enum *yc_enum_get(enum yc_enum_id id);

/* Index of the value s[0..len) (exact, case-sensitive) in enumeration id, or -1. */
int yc_enum_find(enum yc_enum_id id, const char *s, size_t len);

/* True iff s[0..len) is a value of enumeration id. */
bool yc_enum_has(enum yc_enum_id id, const char *s, size_t len);

/*
 * Writes the allowed values of id as "a, b, c" into out (outlen bytes, NUL-terminated,
 * truncated if short; out may be NULL when outlen is 0). Returns the length the full
 * list needs (without the NUL), like snprintf.
 */
size_t yc_enum_list(enum yc_enum_id id, char *out, size_t outlen);

/* ---- code lists (data categories and purposes) ---- */

/* The two code lists of a chain. */
enum yc_code_kind { YC_CODES_CATEGORY = 0, YC_CODES_PURPOSE = 1 };

/* One entry of a default code list: the code and its group (GB/T 35273 for categories). */
struct yc_code_default {
    const char *code;
    const char *group;
};

/* The default list of kind k (*n gets its length): what genesis holds when it names no
 * list of its own. */
const struct yc_code_default *yc_codes_default(enum yc_code_kind k, size_t *n);

/* "category" or "purpose". */
const char *yc_code_kind_name(enum yc_code_kind k);

/*
 * True iff code c[0..clen) is known given a listed code k[0..klen): equal to it, or a
 * refinement of it (k followed by '.' or ':' and more, e.g. health.steps under health).
 */
bool yc_code_covers(const char *k, size_t klen, const char *c, size_t clen);

/* ---- suggestions ---- */

#define YC_SUGGEST_MAX 3

/* Collects the candidates nearest to a wrong value (edit distance, case-insensitive), at
 * most YC_SUGGEST_MAX of them. Candidates are borrowed: they must outlive the struct. */
struct yc_suggest {
    const char *s;
    size_t len;
    unsigned best; /* distance of the picks so far */
    unsigned n;
    const char *pick[YC_SUGGEST_MAX];
    size_t picklen[YC_SUGGEST_MAX];
};

void yc_suggest_init(struct yc_suggest *sg, const char *s, size_t len);
/* Considers candidate c[0..clen): kept if it is at least as near as the best so far and
 * near enough to be a plausible typo (distance at most max(2, len/3)). */
void yc_suggest_add(struct yc_suggest *sg, const char *c, size_t clen);
/* Considers every value of enumeration id. */
void yc_suggest_enum(struct yc_suggest *sg, enum yc_enum_id id);
/* Writes the picks as "a", "a or b", "a, b or c" into out (NUL-terminated); returns the
 * number of picks (0: nothing near, out gets ""). */
unsigned yc_suggest_write(const struct yc_suggest *sg, char *out, size_t outlen);

/*
 * The words for a value that is not one of enumeration id, for messages everywhere:
 * "FIELD: 'VALUE' is not one of a, b, c" (VALUE clipped to 64 bytes, non-printable
 * bytes as '?'). Returns the length needed, like snprintf.
 */
size_t yc_enum_refusal(char *out, size_t outlen, const char *field, enum yc_enum_id id,
                       const char *s, size_t len);

/* Levenshtein distance of a and b compared case-insensitively, capped at 255 (strings
 * longer than 64 bytes compare as far apart as their length difference allows). */
unsigned yc_edit_distance(const char *a, size_t alen, const char *b, size_t blen);

#endif
