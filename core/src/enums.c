/*
 * enums.c — the table of enumerations (enums.h), the default code lists genesis ships,
 * and suggestions by edit distance.
 *
 * Invariants: the order of roles, rights and grades is their number in objects.h
 * (index + 1, index, index + 1) and never changes; every default code is a valid code
 * ([a-z0-9_.:-]{1,64}) and appears once in its list. Pure: snprintf is the only libc
 * formatting used.
 */
#include <stdio.h>
#include <string.h>

#include "yc/enums.h"
#include "yc/objects.h"

/* ---- the enumerations ---- */

#define N_(a) (sizeof(a) / sizeof((a)[0]))

static const char *const ROLES[] = {
#define YC_ROLE_VALUE_(e, n, name) name,
    YC_ROLES(YC_ROLE_VALUE_)
#undef YC_ROLE_VALUE_
};
static const char *const CONSENT_OPS[] = {"collect", "hold", "host", "use"};
static const char *const LICENSE_OPS[] = {"compute", "model", "verify", "query", "export"};
/* a use is under a consent (its operations) or a license (its operations) */
static const char *const USAGE_OPS[] = {"collect", "hold",   "host",  "use",   "compute",
                                        "model",   "verify", "query", "export"};
static const char *const GRADES[] = {"general", "important", "core"};
static const char *const SOURCES[] = {"public", "enterprise", "personal"};
static const char *const OPENNESS[] = {"open", "conditional", "closed"};
static const char *const VISIBILITY[] = {"visible", "invisible"};
static const char *const RIGHTS[] = {"hold", "process", "operate"};
static const char *const OFFERS[] = {"hold", "operate", "license"};
static const char *const OBJECTION_OUTCOMES[] = {"upheld", "dismissed"};
static const char *const EXPORT_OUTCOMES[] = {"approved", "denied"};
static const char *const SEVERITIES[] = {"warning", "restricted", "frozen"};
static const char *const CREDIT_OUTCOMES[] = {"uphold", "withdraw"};
static const char *const VALSET_ACTIONS[] = {"add", "remove", "replace_key"};

static const struct yc_enum ENUMS[YC_ENUM_COUNT] = {
    [YC_ENUM_ROLE] = {"role", ROLES, N_(ROLES)},
    [YC_ENUM_CONSENT_OP] = {"consent operation", CONSENT_OPS, N_(CONSENT_OPS)},
    [YC_ENUM_LICENSE_OP] = {"license operation", LICENSE_OPS, N_(LICENSE_OPS)},
    [YC_ENUM_USAGE_OP] = {"usage operation", USAGE_OPS, N_(USAGE_OPS)},
    [YC_ENUM_GRADE] = {"grade", GRADES, N_(GRADES)},
    [YC_ENUM_SOURCE] = {"source", SOURCES, N_(SOURCES)},
    [YC_ENUM_OPENNESS] = {"openness", OPENNESS, N_(OPENNESS)},
    [YC_ENUM_VISIBILITY] = {"visibility", VISIBILITY, N_(VISIBILITY)},
    [YC_ENUM_RIGHT] = {"right", RIGHTS, N_(RIGHTS)},
    [YC_ENUM_OFFER] = {"offer", OFFERS, N_(OFFERS)},
    [YC_ENUM_OBJECTION_OUTCOME] = {"objection outcome", OBJECTION_OUTCOMES, N_(OBJECTION_OUTCOMES)},
    [YC_ENUM_EXPORT_OUTCOME] = {"export assessment outcome", EXPORT_OUTCOMES, N_(EXPORT_OUTCOMES)},
    [YC_ENUM_CREDIT_SEVERITY] = {"credit severity", SEVERITIES, N_(SEVERITIES)},
    [YC_ENUM_CREDIT_OUTCOME] = {"credit objection outcome", CREDIT_OUTCOMES, N_(CREDIT_OUTCOMES)},
    [YC_ENUM_VALSET_ACTION] = {"validator-set action", VALSET_ACTIONS, N_(VALSET_ACTIONS)},
};

const struct yc_enum *yc_enum_get(enum yc_enum_id id)
{
    return (unsigned)id < YC_ENUM_COUNT ? &ENUMS[id] : NULL;
}

int yc_enum_find(enum yc_enum_id id, const char *s, size_t len)
{
    const struct yc_enum *en = yc_enum_get(id);

    if (en == NULL || (s == NULL && len > 0)) {
        return -1;
    }
    for (size_t i = 0; i < en->n; i++) {
        const char *v = en->values[i];
        if (strlen(v) == len && (len == 0 || memcmp(v, s, len) == 0)) {
            return (int)i;
        }
    }
    return -1;
}

bool yc_enum_has(enum yc_enum_id id, const char *s, size_t len)
{
    return yc_enum_find(id, s, len) >= 0;
}

/* Appends s to out[*pos..outlen) (truncating, always NUL-terminated); *pos counts the
 * full length. */
static void put(char *out, size_t outlen, size_t *pos, const char *s, size_t n)
{
    if (*pos + 1 < outlen) {
        size_t room = outlen - 1 - *pos;
        memcpy(out + *pos, s, n < room ? n : room);
    }
    *pos += n;
    if (outlen > 0) {
        out[*pos < outlen - 1 ? *pos : outlen - 1] = '\0';
    }
}

size_t yc_enum_list(enum yc_enum_id id, char *out, size_t outlen)
{
    const struct yc_enum *en = yc_enum_get(id);
    size_t pos = 0;

    if (out == NULL) {
        outlen = 0;
    }
    if (outlen > 0) {
        out[0] = '\0';
    }
    if (en == NULL) {
        return 0;
    }
    for (size_t i = 0; i < en->n; i++) {
        if (i > 0) {
            put(out, outlen, &pos, ", ", 2);
        }
        put(out, outlen, &pos, en->values[i], strlen(en->values[i]));
    }
    return pos;
}

size_t yc_enum_refusal(char *out, size_t outlen, const char *field, enum yc_enum_id id,
                       const char *s, size_t len)
{
    char shown[65], list[256];
    size_t n = len > 64 ? 64 : len;
    int w;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        shown[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    shown[n] = '\0';
    (void)yc_enum_list(id, list, sizeof list);
    if (len == 0) {
        w = snprintf(out, outlen, "%s: missing; one of %s", field, list);
    } else {
        w = snprintf(out, outlen, "%s: '%s' is not one of %s", field, shown, list);
    }
    return w < 0 ? 0 : (size_t)w;
}

/* ---- default code lists ---- */

/* Data categories, grouped as GB/T 35273-2020 (Appendix A) groups personal information.
 * A code may be refined below a listed one (health.steps, location:city). */
static const struct yc_code_default CATEGORIES[] = {
    /* basic personal data (个人基本资料) */
    {"basic", "basic"},
    {"name", "basic"},
    {"birth_date", "basic"},
    {"gender", "basic"},
    {"ethnicity", "basic"},
    {"nationality", "basic"},
    {"address", "basic"},
    {"phone", "basic"},
    {"email", "basic"},
    {"marital_status", "basic"},
    /* identity (个人身份信息) */
    {"identity", "identity"},
    {"id_card", "identity"},
    {"passport", "identity"},
    {"social_security", "identity"},
    {"driver_license", "identity"},
    /* biometric (个人生物识别信息) */
    {"biometric", "biometric"},
    {"face", "biometric"},
    {"fingerprint", "biometric"},
    {"voiceprint", "biometric"},
    {"iris", "biometric"},
    {"genetic", "biometric"},
    /* online identity (网络身份标识信息) */
    {"online_identity", "online identity"},
    {"credential", "online identity"},
    /* health and physiology (个人健康生理信息) */
    {"health", "health and physiology"},
    {"medical_record", "health and physiology"},
    {"test_result", "health and physiology"},
    {"fitness", "health and physiology"},
    {"reproductive", "health and physiology"},
    /* education and work (个人教育工作信息) */
    {"education", "education and work"},
    {"employment", "education and work"},
    /* financial and property (个人财产信息) */
    {"financial", "financial and property"},
    {"bank_account", "financial and property"},
    {"credit_history", "financial and property"},
    {"transactions", "financial and property"},
    {"income", "financial and property"},
    {"property", "financial and property"},
    {"insurance", "financial and property"},
    /* communication (个人通信信息) */
    {"communication", "communication"},
    {"call_log", "communication"},
    {"message", "communication"},
    /* contacts (联系人信息) */
    {"contacts", "contacts"},
    /* online behaviour (个人上网记录) */
    {"online_behavior", "online behaviour"},
    {"browsing", "online behaviour"},
    {"search_history", "online behaviour"},
    {"app_usage", "online behaviour"},
    {"purchase_history", "online behaviour"},
    /* device (个人常用设备信息) */
    {"device", "device"},
    {"device_id", "device"},
    {"app_list", "device"},
    /* location and trajectory (个人位置信息) */
    {"location", "location and trajectory"},
    {"trajectory", "location and trajectory"},
    {"accommodation", "location and trajectory"},
    {"travel", "location and trajectory"},
    /* minors (儿童个人信息: under 14) */
    {"minor", "minors"},
    /* other sensitive information (其他信息) */
    {"religion", "other"},
    {"sexual_orientation", "other"},
    {"criminal_record", "other"},
};

/* Purposes of processing, grouped by the interest they serve. */
static const struct yc_code_default PURPOSES[] = {
    /* providing the service the person asked for */
    {"service_delivery", "service"},
    {"account_management", "service"},
    {"customer_support", "service"},
    {"payment", "service"},
    {"delivery", "service"},
    /* finance and risk */
    {"credit_scoring", "finance and risk"},
    {"risk_control", "finance and risk"},
    {"fraud_prevention", "finance and risk"},
    {"insurance", "finance and risk"},
    /* commercial */
    {"marketing", "commercial"},
    {"advertising", "commercial"},
    {"personalization", "commercial"},
    {"product_improvement", "commercial"},
    {"recruitment", "commercial"},
    /* research, statistics and planning */
    {"research", "research and planning"},
    {"statistics", "research and planning"},
    {"model_training", "research and planning"},
    {"demand_forecast", "research and planning"},
    {"planning", "research and planning"},
    /* public interest */
    {"public_service", "public interest"},
    {"public_health", "public interest"},
    {"healthcare", "public interest"},
    {"education", "public interest"},
    {"emergency", "public interest"},
    /* compliance and security */
    {"legal_compliance", "compliance and security"},
    {"security", "compliance and security"},
    {"audit", "compliance and security"},
};

const struct yc_code_default *yc_codes_default(enum yc_code_kind k, size_t *n)
{
    if (k == YC_CODES_PURPOSE) {
        *n = N_(PURPOSES);
        return PURPOSES;
    }
    *n = N_(CATEGORIES);
    return CATEGORIES;
}

const char *yc_code_kind_name(enum yc_code_kind k)
{
    return k == YC_CODES_PURPOSE ? "purpose" : "category";
}

bool yc_code_covers(const char *k, size_t klen, const char *c, size_t clen)
{
    if (klen == 0 || clen < klen || memcmp(k, c, klen) != 0) {
        return false;
    }
    return clen == klen || c[klen] == '.' || c[klen] == ':';
}

/* ---- suggestions ---- */

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

unsigned yc_edit_distance(const char *a, size_t alen, const char *b, size_t blen)
{
    unsigned row[65];
    size_t diff = alen > blen ? alen - blen : blen - alen;

    if (alen > 64 || blen > 64) {
        return diff > 255 ? 255u : (unsigned)diff;
    }
    for (size_t j = 0; j <= blen; j++) {
        row[j] = (unsigned)j;
    }
    for (size_t i = 1; i <= alen; i++) {
        unsigned diag = row[0];
        row[0] = (unsigned)i;
        for (size_t j = 1; j <= blen; j++) {
            unsigned up = row[j];
            unsigned best = diag + (lower(a[i - 1]) == lower(b[j - 1]) ? 0u : 1u);
            if (up + 1 < best) {
                best = up + 1;
            }
            if (row[j - 1] + 1 < best) {
                best = row[j - 1] + 1;
            }
            row[j] = best;
            diag = up;
        }
    }
    return row[blen] > 255 ? 255u : row[blen];
}

void yc_suggest_init(struct yc_suggest *sg, const char *s, size_t len)
{
    memset(sg, 0, sizeof *sg);
    sg->s = s;
    sg->len = len;
    sg->best = 256;
}

void yc_suggest_add(struct yc_suggest *sg, const char *c, size_t clen)
{
    unsigned limit = sg->len / 3 > 2 ? (unsigned)(sg->len / 3) : 2u;
    unsigned d = yc_edit_distance(sg->s, sg->len, c, clen);

    /* a prefix typed short ("heal" for health) is near too */
    if (d > limit && sg->len >= 3 && clen > sg->len &&
        yc_edit_distance(sg->s, sg->len, c, sg->len) == 0) {
        d = limit;
    }
    if (d > limit || d > sg->best) {
        return;
    }
    for (unsigned i = 0; i < sg->n; i++) {
        if (sg->picklen[i] == clen && memcmp(sg->pick[i], c, clen) == 0) {
            return;
        }
    }
    if (d < sg->best) {
        sg->best = d;
        sg->n = 0;
    }
    if (sg->n < YC_SUGGEST_MAX) {
        sg->pick[sg->n] = c;
        sg->picklen[sg->n] = clen;
        sg->n++;
    }
}

void yc_suggest_enum(struct yc_suggest *sg, enum yc_enum_id id)
{
    const struct yc_enum *en = yc_enum_get(id);

    for (size_t i = 0; en != NULL && i < en->n; i++) {
        yc_suggest_add(sg, en->values[i], strlen(en->values[i]));
    }
}

unsigned yc_suggest_write(const struct yc_suggest *sg, char *out, size_t outlen)
{
    size_t pos = 0;

    if (out == NULL) {
        outlen = 0;
    }
    if (outlen > 0) {
        out[0] = '\0';
    }
    for (unsigned i = 0; i < sg->n; i++) {
        if (i > 0) {
            bool last = i + 1 == sg->n;
            put(out, outlen, &pos, last ? " or " : ", ", last ? 4 : 2);
        }
        put(out, outlen, &pos, sg->pick[i], sg->picklen[i]);
    }
    return sg->n;
}
