/*
 * txschema.c — the schema of every transaction body (txschema.h), and the one decoder and
 * the one encoder that read and write bodies from it.
 *
 * Decoding: the body map's keys in sorted order; an unknown key (wherever it sorts) or a
 * missing required key is YC_EBADFIELD, a value of the wrong type YC_EBADFIELD, a digest
 * of the wrong size YC_EBADDIGEST, a public key of an unknown scheme YC_EBADKEY, a list
 * beyond its cap YC_ETOOMANY. Checks of types, presence and size limits only: the rules
 * that give a refusal its protocol code (roles, codes, jurisdictions, time windows,
 * shares) live in the exec_*.c files.
 */
#include <string.h>

#include "ledger_int.h"
#include "yc/codec.h"
#include "yc/enums.h"
#include "yc/genesis.h"
#include "yc/keys.h"
#include "yc/txschema.h"

/* ---- the table ---- */

#define B_(m) ((uint16_t)offsetof(union yc_tx_body, m))
#define H_(m) ((int16_t)offsetof(union yc_tx_body, m))
#define NO_ YC_FIELD_NONE
#define F_(key, kind, req, min, max, m, has, count, en, show, time) \
    {                                                               \
        key, kind, req, min, max, B_(m), has, count, en, show, time \
    }
#define SP_ YC_SHOW_PRESENT

/* Required fields. */
#define R_TEXT(k, m, max, en) F_(k, YC_FK_TEXT, true, 0, max, m, NO_, NO_, en, SP_, false)
#define R_U64(k, m) F_(k, YC_FK_U64, true, 0, 0, m, NO_, NO_, NO_, SP_, false)
#define R_TIME(k, m) F_(k, YC_FK_U64, true, 0, 0, m, NO_, NO_, NO_, SP_, true)
#define R_ID(k, m) F_(k, YC_FK_ID, true, 0, 0, m, NO_, NO_, NO_, SP_, false)
#define R_DIGEST(k, m) F_(k, YC_FK_DIGEST, true, 0, 0, m, NO_, NO_, NO_, SP_, false)
#define R_DIGEST_HAS(k, m, h) F_(k, YC_FK_DIGEST, true, 0, 0, m, H_(h), NO_, NO_, SP_, false)
#define R_PUB(k, m) F_(k, YC_FK_PUB, true, 0, 0, m, NO_, NO_, NO_, SP_, false)
#define R_LIST(k, m, en) F_(k, YC_FK_LIST, true, 0, YC_CODE_MAX, m, NO_, NO_, en, SP_, false)
#define R_SHARES(k, m, n, max) F_(k, YC_FK_SHARES, true, 0, max, m, NO_, H_(n), NO_, SP_, false)
/* Optional fields: absent reads as 0, false or empty (an optional text without a has-flag
 * is non-empty when present, so that absent and empty are one encoding). `show`: when a
 * rendering shows the field (enum yc_field_show). */
#define O_TEXT(k, m, max, en) F_(k, YC_FK_TEXT, false, 1, max, m, NO_, NO_, en, SP_, false)
#define O_TEXT_HAS(k, m, h, max) F_(k, YC_FK_TEXT, false, 0, max, m, H_(h), NO_, NO_, SP_, false)
#define O_U64(k, m, show) F_(k, YC_FK_U64, false, 0, 0, m, NO_, NO_, NO_, show, false)
#define O_BOOL(k, m, show) F_(k, YC_FK_BOOL, false, 0, 0, m, NO_, NO_, NO_, show, false)
#define O_ID(k, m, h) F_(k, YC_FK_ID, false, 0, 0, m, H_(h), NO_, NO_, SP_, false)
#define O_DIGEST(k, m, h) F_(k, YC_FK_DIGEST, false, 0, 0, m, H_(h), NO_, NO_, SP_, false)
#define O_PUB(k, m, h) F_(k, YC_FK_PUB, false, 0, 0, m, H_(h), NO_, NO_, SP_, false)
#define O_LIST(k, m, en, show) \
    F_(k, YC_FK_LIST, false, 0, YC_CODE_MAX, m, NO_, NO_, en, show, false)
#define O_LIST_HAS(k, m, h, en) \
    F_(k, YC_FK_LIST, false, 0, YC_CODE_MAX, m, H_(h), NO_, en, SP_, false)
#define O_IDS(k, m, n, h, max, show) F_(k, YC_FK_IDS, false, 0, max, m, h, H_(n), NO_, show, false)
#define O_PUBS(k, m, n, max, show) F_(k, YC_FK_PUBS, false, 0, max, m, NO_, H_(n), NO_, show, false)
#define ALWAYS_ YC_SHOW_ALWAYS
#define NONZERO_ YC_SHOW_NONZERO

static const struct yc_field ACCOUNT_REGISTER[] = {
    O_PUB("account", account_register.account, account_register.has_account),
    R_TEXT("jurisdiction", account_register.jurisdiction, YC_CODE_MAX, NO_),
    R_TEXT("name", account_register.name, YC_NAME_MAX, NO_),
    R_TEXT("role", account_register.role, YC_CODE_MAX, YC_ENUM_ROLE),
};
static const struct yc_field ACCOUNT_UPDATE[] = {
    O_PUB("account", account_update.account, account_update.has_account),
    O_TEXT_HAS("jurisdiction", account_update.jurisdiction, account_update.has_jurisdiction,
               YC_CODE_MAX),
    O_TEXT_HAS("name", account_update.name, account_update.has_name, YC_NAME_MAX),
};
static const struct yc_field TOKEN[] = {
    R_U64("amount", token.amount),
    O_TEXT("memo", token.memo, YC_NAME_MAX, NO_),
    O_PUB("to", token.to, token.has_to),
};
static const struct yc_field CONSENT_GRANT[] = {
    R_LIST("categories", consent_grant.categories, NO_),
    O_U64("fee_per_use", consent_grant.fee_per_use, ALWAYS_),
    R_TEXT("jurisdiction", consent_grant.jurisdiction, YC_CODE_MAX, NO_),
    O_U64("max_uses", consent_grant.max_uses, ALWAYS_),
    O_U64("not_before", consent_grant.not_before, ALWAYS_),
    O_BOOL("onward_transfer", consent_grant.onward_transfer, ALWAYS_),
    R_LIST("operations", consent_grant.operations, YC_ENUM_CONSENT_OP),
    R_PUB("processor", consent_grant.processor),
    R_LIST("purposes", consent_grant.purposes, NO_),
    O_U64("retention_days", consent_grant.retention_days, ALWAYS_),
    R_TIME("until", consent_grant.until),
};
static const struct yc_field CONSENT_REVOKE[] = {
    R_ID("consent", consent_revoke.consent),
};
static const struct yc_field USAGE_RECORD[] = {
    O_TEXT("category", usage_record.category, YC_CODE_MAX, NO_),
    O_ID("consent", usage_record.consent, usage_record.has_consent),
    O_DIGEST("input", usage_record.input, usage_record.has_input),
    O_ID("license", usage_record.license, usage_record.has_license),
    R_TEXT("operation", usage_record.operation, YC_CODE_MAX, YC_ENUM_USAGE_OP),
    O_DIGEST("output", usage_record.output, usage_record.has_output),
    R_TEXT("purpose", usage_record.purpose, YC_CODE_MAX, NO_),
};
static const struct yc_field EVIDENCE_ANCHOR[] = {
    R_DIGEST("digest", evidence_anchor.digest),
    R_TEXT("kind", evidence_anchor.kind, YC_CODE_MAX, NO_),
    O_TEXT("note", evidence_anchor.note, YC_NAME_MAX, NO_),
    O_ID("ref", evidence_anchor.ref, evidence_anchor.has_ref),
};
static const struct yc_field CARRY_REQUEST[] = {
    O_ID("asset", carry_request.asset, carry_request.has_asset),
    R_LIST("categories", carry_request.categories, NO_),
    R_PUB("holder", carry_request.holder),
    R_PUB("recipient", carry_request.recipient),
};
static const struct yc_field CARRY_COMPLETE[] = {
    R_ID("carry", carry_close.carry),
    R_DIGEST_HAS("package", carry_close.package, carry_close.has_package),
};
static const struct yc_field CARRY_REJECT[] = {
    R_ID("carry", carry_close.carry),
    R_TEXT("reason", carry_close.reason, YC_CODE_MAX, NO_),
};
static const struct yc_field ASSET_REGISTER[] = {
    R_TEXT("catalog", asset_register.catalog, YC_CODE_MAX, NO_),
    R_SHARES("contributors", asset_register.contributors, asset_register.ncontributors,
             YC_CONTRIBUTORS_MAX),
    R_DIGEST("digest", asset_register.digest),
    R_TEXT("grade", asset_register.grade, YC_CODE_MAX, YC_ENUM_GRADE),
    R_TEXT("openness", asset_register.openness, YC_CODE_MAX, YC_ENUM_OPENNESS),
    O_IDS("parents", asset_register.parents, asset_register.nparents, NO_, YC_PARENTS_MAX,
          NONZERO_),
    R_TEXT("sector", asset_register.sector, YC_CODE_MAX, NO_),
    R_TEXT("source", asset_register.source, YC_CODE_MAX, YC_ENUM_SOURCE),
    R_TEXT("title", asset_register.title, YC_NAME_MAX, NO_),
    O_ID("usage", asset_register.usage, asset_register.has_usage),
};
static const struct yc_field ASSET_OBJECT[] = {
    R_ID("asset", asset_object.asset),
    R_DIGEST("evidence", asset_object.evidence),
    R_TEXT("reason", asset_object.reason, YC_CODE_MAX, NO_),
};
static const struct yc_field ASSET_RESOLVE[] = {
    O_TEXT("note", asset_resolve.note, YC_NAME_MAX, NO_),
    R_ID("objection", asset_resolve.objection),
    R_TEXT("outcome", asset_resolve.outcome, YC_CODE_MAX, YC_ENUM_OBJECTION_OUTCOME),
};
static const struct yc_field ASSET_CERTIFY[] = {
    R_ID("asset", asset_ref.asset),
};
static const struct yc_field ASSET_UPDATE[] = {
    R_ID("asset", asset_update.asset),
    R_DIGEST("digest", asset_update.digest),
    O_TEXT("note", asset_update.note, YC_NAME_MAX, NO_),
    O_IDS("parents", asset_update.parents, asset_update.nparents, H_(asset_update.has_parents),
          YC_PARENTS_MAX, SP_),
    O_TEXT("title", asset_update.title, YC_NAME_MAX, NO_),
};
static const struct yc_field ASSET_RETIRE[] = {
    R_ID("asset", asset_ref.asset),
    O_TEXT("reason", asset_ref.reason, YC_CODE_MAX, NO_),
};
static const struct yc_field RIGHT_TRANSFER[] = {
    R_ID("asset", right_transfer.asset),
    R_TEXT("right", right_transfer.right, YC_CODE_MAX, YC_ENUM_RIGHT),
    R_PUB("to", right_transfer.to),
};
static const struct yc_field RIGHT_LICENSE[] = {
    R_ID("asset", right_license.asset),
    O_U64("fee", right_license.fee, ALWAYS_),
    R_PUB("licensee", right_license.licensee),
    O_U64("max_uses", right_license.max_uses, ALWAYS_),
    O_U64("not_before", right_license.not_before, ALWAYS_),
    R_LIST("operations", right_license.operations, YC_ENUM_LICENSE_OP),
    R_LIST("purposes", right_license.purposes, NO_),
    R_TIME("until", right_license.until),
    R_TEXT("visibility", right_license.visibility, YC_CODE_MAX, YC_ENUM_VISIBILITY),
};
static const struct yc_field LICENSE_REVOKE[] = {
    R_ID("license", license_revoke.license),
};
static const struct yc_field MARKET_LIST[] = {
    R_ID("asset", market_list.asset),
    O_U64("fee", market_list.fee, NONZERO_),
    O_U64("max_uses", market_list.max_uses, NONZERO_),
    R_TEXT("offer", market_list.offer, YC_CODE_MAX, YC_ENUM_OFFER),
    O_LIST_HAS("operations", market_list.operations, market_list.has_operations,
               YC_ENUM_LICENSE_OP),
    R_U64("price", market_list.price),
    O_LIST_HAS("purposes", market_list.purposes, market_list.has_purposes, NO_),
    R_TEXT("sector", market_list.sector, YC_CODE_MAX, NO_),
    O_U64("until", market_list.until, NONZERO_),
    O_TEXT("visibility", market_list.visibility, YC_CODE_MAX, YC_ENUM_VISIBILITY),
};
static const struct yc_field MARKET_APPRAISE[] = {
    R_ID("listing", market_appraise.listing),
    R_TEXT("method", market_appraise.method, YC_CODE_MAX, NO_),
    R_DIGEST("report", market_appraise.report),
    R_U64("value", market_appraise.value),
};
static const struct yc_field MARKET_BID[] = {
    R_TIME("expires", market_bid.expires),
    R_ID("listing", market_bid.listing),
    R_U64("price", market_bid.price),
};
static const struct yc_field MARKET_ACCEPT[] = {
    R_ID("bid", market_accept.bid),
};
static const struct yc_field MARKET_CANCEL[] = {
    O_ID("bid", market_cancel.bid, market_cancel.has_bid),
    O_ID("listing", market_cancel.listing, market_cancel.has_listing),
};
static const struct yc_field PLEDGE_CREATE[] = {
    R_U64("amount", pledge_create.amount),
    R_ID("asset", pledge_create.asset),
    R_TIME("due", pledge_create.due),
    R_PUB("pledgee", pledge_create.pledgee),
};
static const struct yc_field PLEDGE_REF[] = {
    R_ID("pledge", pledge_ref.pledge),
};
static const struct yc_field POLICY_SET[] = {
    O_PUBS("alert_accounts", policy_set.alert_accounts, policy_set.nalert_accounts,
           YC_POLICY_ACCOUNTS_MAX, ALWAYS_),
    O_U64("alert_amount", policy_set.alert_amount, ALWAYS_),
    O_BOOL("alert_cross_border", policy_set.alert_cross_border, ALWAYS_),
    O_BOOL("alert_important", policy_set.alert_important, ALWAYS_),
    O_PUBS("banned_accounts", policy_set.banned_accounts, policy_set.nbanned_accounts,
           YC_POLICY_ACCOUNTS_MAX, ALWAYS_),
    O_LIST("banned_catalog_prefixes", policy_set.banned_catalog_prefixes, NO_, ALWAYS_),
    O_LIST("banned_categories", policy_set.banned_categories, NO_, ALWAYS_),
    O_LIST("banned_jurisdictions", policy_set.banned_jurisdictions, NO_, ALWAYS_),
    O_LIST("categories", policy_set.categories, NO_, SP_),
    O_LIST("purposes", policy_set.purposes, NO_, SP_),
    R_U64("version", policy_set.version),
};
static const struct yc_field EXPORT_ASSESS[] = {
    R_ID("asset", export_assess.asset),
    R_TEXT("destination", export_assess.destination, YC_CODE_MAX, NO_),
    R_TEXT("outcome", export_assess.outcome, YC_CODE_MAX, YC_ENUM_EXPORT_OUTCOME),
    R_DIGEST("report", export_assess.report),
    R_TIME("until", export_assess.until),
};
static const struct yc_field CREDIT_RECORD[] = {
    R_PUB("account", credit_record.account),
    R_DIGEST("evidence", credit_record.evidence),
    R_TEXT("reason", credit_record.reason, YC_CODE_MAX, NO_),
    R_TEXT("severity", credit_record.severity, YC_CODE_MAX, YC_ENUM_CREDIT_SEVERITY),
};
static const struct yc_field CREDIT_RESTORE[] = {
    R_ID("credit", credit_ref.credit),
    O_TEXT("note", credit_ref.note, YC_NAME_MAX, NO_),
};
static const struct yc_field CREDIT_OBJECT[] = {
    R_ID("credit", credit_ref.credit),
    R_DIGEST_HAS("evidence", credit_ref.evidence, credit_ref.has_evidence),
    R_TEXT("reason", credit_ref.reason, YC_CODE_MAX, NO_),
};
static const struct yc_field CREDIT_RESOLVE[] = {
    R_ID("credit", credit_ref.credit),
    O_TEXT("note", credit_ref.note, YC_NAME_MAX, NO_),
    R_TEXT("outcome", credit_ref.outcome, YC_CODE_MAX, YC_ENUM_CREDIT_OUTCOME),
};

static const struct yc_field VALIDATOR_PROPOSE[] = {
    R_TEXT("action", validator_propose.action, YC_CODE_MAX, YC_ENUM_VALSET_ACTION),
    O_TEXT("name", validator_propose.name, YC_VALIDATOR_NAME_MAX, NO_),
    O_PUB("new_pub", validator_propose.new_pub, validator_propose.has_new_pub),
    O_PUB("org", validator_propose.org, validator_propose.has_org),
    R_PUB("pub", validator_propose.pub),
};
static const struct yc_field VALIDATOR_REF[] = {
    R_ID("proposal", validator_ref.proposal),
};

/* ---- rules across fields ---- */

/* issue and transfer name a recipient; redeem burns from the sender's own balance */
static const char *rule_token(enum yc_tx_type t, const union yc_tx_body *b)
{
    if (t == YC_TX_TOKEN_REDEEM) {
        return b->token.has_to ? "no 'to' (a redeem burns the sender's own tokens)" : NULL;
    }
    return b->token.has_to ? NULL : "a 'to' (the recipient)";
}

/* a use relies on exactly one authority */
static const char *rule_usage(enum yc_tx_type t, const union yc_tx_body *b)
{
    (void)t;
    return b->usage_record.has_consent != b->usage_record.has_license
               ? NULL
               : "exactly one of 'consent' and 'license'";
}

/* one thing is cancelled at a time */
static const char *rule_cancel(enum yc_tx_type t, const union yc_tx_body *b)
{
    (void)t;
    return b->market_cancel.has_bid != b->market_cancel.has_listing
               ? NULL
               : "exactly one of 'bid' and 'listing'";
}

/* each action names exactly the fields it needs (an unknown action is the rule's to refuse) */
static const char *rule_validator(enum yc_tx_type t, const union yc_tx_body *b)
{
    const struct yc_body_validator_propose *p = &b->validator_propose;
    (void)t;
    if (yc__slice_eq(&p->action, "add")) {
        return p->name.len > 0 && p->has_org && !p->has_new_pub
                   ? NULL
                   : "'name' and 'org' and no 'new_pub' for action add";
    }
    if (yc__slice_eq(&p->action, "remove")) {
        return p->name.len == 0 && !p->has_org && !p->has_new_pub
                   ? NULL
                   : "no 'name', 'org' or 'new_pub' for action remove (only 'pub')";
    }
    if (yc__slice_eq(&p->action, "replace_key")) {
        return p->has_new_pub && p->name.len == 0 && !p->has_org
                   ? NULL
                   : "'new_pub' and no 'name' or 'org' for action replace_key";
    }
    return NULL;
}

#define S_(type, fields, m, rule)                                                                \
    {                                                                                            \
        type, fields, sizeof fields / sizeof fields[0], sizeof(((union yc_tx_body *)0)->m), rule \
    }

/* One row per type, in YC_TX_TYPES order. */
static const struct yc_tx_schema SCHEMAS[] = {
    S_(YC_TX_ACCOUNT_REGISTER, ACCOUNT_REGISTER, account_register, NULL),
    S_(YC_TX_ACCOUNT_UPDATE, ACCOUNT_UPDATE, account_update, NULL),
    S_(YC_TX_TOKEN_ISSUE, TOKEN, token, rule_token),
    S_(YC_TX_TOKEN_TRANSFER, TOKEN, token, rule_token),
    S_(YC_TX_TOKEN_REDEEM, TOKEN, token, rule_token),
    S_(YC_TX_CONSENT_GRANT, CONSENT_GRANT, consent_grant, NULL),
    S_(YC_TX_CONSENT_REVOKE, CONSENT_REVOKE, consent_revoke, NULL),
    S_(YC_TX_USAGE_RECORD, USAGE_RECORD, usage_record, rule_usage),
    S_(YC_TX_EVIDENCE_ANCHOR, EVIDENCE_ANCHOR, evidence_anchor, NULL),
    S_(YC_TX_CARRY_REQUEST, CARRY_REQUEST, carry_request, NULL),
    S_(YC_TX_CARRY_COMPLETE, CARRY_COMPLETE, carry_close, NULL),
    S_(YC_TX_CARRY_REJECT, CARRY_REJECT, carry_close, NULL),
    S_(YC_TX_ASSET_REGISTER, ASSET_REGISTER, asset_register, NULL),
    S_(YC_TX_ASSET_OBJECT, ASSET_OBJECT, asset_object, NULL),
    S_(YC_TX_ASSET_RESOLVE, ASSET_RESOLVE, asset_resolve, NULL),
    S_(YC_TX_ASSET_CERTIFY, ASSET_CERTIFY, asset_ref, NULL),
    S_(YC_TX_ASSET_UPDATE, ASSET_UPDATE, asset_update, NULL),
    S_(YC_TX_ASSET_RETIRE, ASSET_RETIRE, asset_ref, NULL),
    S_(YC_TX_RIGHT_TRANSFER, RIGHT_TRANSFER, right_transfer, NULL),
    S_(YC_TX_RIGHT_LICENSE, RIGHT_LICENSE, right_license, NULL),
    S_(YC_TX_LICENSE_REVOKE, LICENSE_REVOKE, license_revoke, NULL),
    S_(YC_TX_MARKET_LIST, MARKET_LIST, market_list, NULL),
    S_(YC_TX_MARKET_APPRAISE, MARKET_APPRAISE, market_appraise, NULL),
    S_(YC_TX_MARKET_BID, MARKET_BID, market_bid, NULL),
    S_(YC_TX_MARKET_ACCEPT, MARKET_ACCEPT, market_accept, NULL),
    S_(YC_TX_MARKET_CANCEL, MARKET_CANCEL, market_cancel, rule_cancel),
    S_(YC_TX_PLEDGE_CREATE, PLEDGE_CREATE, pledge_create, NULL),
    S_(YC_TX_PLEDGE_RELEASE, PLEDGE_REF, pledge_ref, NULL),
    S_(YC_TX_PLEDGE_ENFORCE, PLEDGE_REF, pledge_ref, NULL),
    S_(YC_TX_POLICY_SET, POLICY_SET, policy_set, NULL),
    S_(YC_TX_EXPORT_ASSESS, EXPORT_ASSESS, export_assess, NULL),
    S_(YC_TX_CREDIT_RECORD, CREDIT_RECORD, credit_record, NULL),
    S_(YC_TX_CREDIT_RESTORE, CREDIT_RESTORE, credit_ref, NULL),
    S_(YC_TX_CREDIT_OBJECT, CREDIT_OBJECT, credit_ref, NULL),
    S_(YC_TX_CREDIT_RESOLVE, CREDIT_RESOLVE, credit_ref, NULL),
    S_(YC_TX_VALIDATOR_PROPOSE, VALIDATOR_PROPOSE, validator_propose, rule_validator),
    S_(YC_TX_VALIDATOR_APPROVE, VALIDATOR_REF, validator_ref, NULL),
    S_(YC_TX_VALIDATOR_WITHDRAW, VALIDATOR_REF, validator_ref, NULL),
};

const struct yc_tx_schema *yc_tx_schema_at(size_t i)
{
    return i < sizeof SCHEMAS / sizeof SCHEMAS[0] ? &SCHEMAS[i] : NULL;
}

const struct yc_tx_schema *yc_tx_schema(enum yc_tx_type t)
{
    for (size_t i = 0; i < sizeof SCHEMAS / sizeof SCHEMAS[0]; i++) {
        if (SCHEMAS[i].type == t) {
            return &SCHEMAS[i];
        }
    }
    return NULL;
}

const struct yc_field *yc_tx_schema_field(const struct yc_tx_schema *s, const char *key,
                                          uint32_t *index)
{
    for (uint32_t i = 0; s != NULL && key != NULL && i < s->nfields; i++) {
        if (strcmp(s->fields[i].key, key) == 0) {
            if (index != NULL) {
                *index = i;
            }
            return &s->fields[i];
        }
    }
    return NULL;
}

/* ---- decoding ---- */

static const char *want_items(uint32_t max)
{
    return max == 16 ? "at most 16 items" : "fewer items (the list is over its limit)";
}

/* An array of at most f->max items; *n gets the count. */
static int dec_items(struct yc_dec *d, const struct yc_field *f, const char *what, uint32_t *n)
{
    if (yc_dec_array(d, n) != YC_OK) {
        d->want = what;
        return YC_EBADFIELD;
    }
    if (*n > f->max) {
        d->want = want_items(f->max);
        return YC_ETOOMANY;
    }
    return YC_OK;
}

static int dec_shares(struct yc_dec *d, const struct yc_field *f, struct yc_contributor *c,
                      uint32_t *count)
{
    uint32_t n;

    YC__TRY(dec_items(d, f, "a list of [public key, basis points] pairs", &n));
    for (uint32_t i = 0; i < n; i++) {
        uint32_t two;
        if (yc_dec_array(d, &two) != YC_OK || two != 2) {
            d->want = "a [public key, basis points] pair";
            return YC_EBADFIELD;
        }
        YC__TRY(yc__dec_pub(d, c[i].pub));
        if (yc_dec_uint(d, &c[i].bps) != YC_OK) {
            d->want = "basis points (an unsigned integer)";
            return YC_EBADFIELD;
        }
    }
    *count = n;
    return YC_OK;
}

static int dec_value(struct yc_dec *d, const struct yc_field *f, uint8_t *base)
{
    void *v = base + f->off;
    uint32_t *count = f->count_off >= 0 ? (uint32_t *)(void *)(base + f->count_off) : NULL;
    uint32_t n;

    switch ((enum yc_field_kind)f->kind) {
    case YC_FK_TEXT:
        return yc__dec_text(d, v, f->min, f->max);
    case YC_FK_U64:
        if (yc_dec_uint(d, v) != YC_OK) {
            d->want = "an unsigned integer";
            return YC_EBADFIELD;
        }
        return YC_OK;
    case YC_FK_BOOL:
        if (yc_dec_bool(d, v) != YC_OK) {
            d->want = "a boolean";
            return YC_EBADFIELD;
        }
        return YC_OK;
    case YC_FK_ID:
        return yc__dec_fixed(d, v, YC_HASH_LEN, YC_EBADFIELD);
    case YC_FK_DIGEST:
        return yc__dec_fixed(d, v, YC_HASH_LEN, YC_EBADDIGEST);
    case YC_FK_PUB:
        return yc__dec_pub(d, v);
    case YC_FK_LIST:
        return yc__dec_list(d, v, f->max);
    case YC_FK_IDS:
        YC__TRY(dec_items(d, f, "a list of byte strings", &n));
        for (uint32_t i = 0; i < n; i++) {
            YC__TRY(yc__dec_fixed(d, (uint8_t *)v + (size_t)i * YC_HASH_LEN, YC_HASH_LEN,
                                  YC_EBADFIELD));
        }
        *count = n;
        return YC_OK;
    case YC_FK_PUBS:
        YC__TRY(dec_items(d, f, "a list of public keys", &n));
        for (uint32_t i = 0; i < n; i++) {
            YC__TRY(yc__dec_pub(d, (uint8_t *)v + (size_t)i * YC_PUBKEY_LEN));
        }
        *count = n;
        return YC_OK;
    case YC_FK_SHARES:
        return dec_shares(d, f, v, count);
    }
    return YC_EINVAL;
}

int yc__schema_decode(struct yc_dec *d, uint32_t *left, const struct yc_tx_schema *s,
                      union yc_tx_body *b, uint64_t *present)
{
    uint8_t *base = (uint8_t *)b;

    *present = 0;
    for (uint32_t i = 0; i < s->nfields; i++) {
        const struct yc_field *f = &s->fields[i];
        if (f->required) {
            YC__TRY(yc__field_req(d, left, f->key));
        } else {
            int r = yc__field_opt(d, left, f->key);
            if (r < 0) {
                return r;
            }
            if (r == 0) {
                continue;
            }
        }
        if (f->has_off >= 0) {
            *(bool *)(void *)(base + f->has_off) = true;
        }
        *present |= UINT64_C(1) << i;
        YC__TRY(dec_value(d, f, base));
    }
    if (s->rule != NULL) {
        const char *why = s->rule(s->type, b);
        if (why != NULL) {
            d->key = NULL;
            d->want = why;
            return YC_EBADFIELD;
        }
    }
    return YC_OK;
}

/* ---- encoding ---- */

static void enc_value(struct yc_enc *e, const struct yc_field *f, const uint8_t *base)
{
    const void *v = base + f->off;
    uint32_t n = f->count_off >= 0 ? *(const uint32_t *)(const void *)(base + f->count_off) : 0;

    switch ((enum yc_field_kind)f->kind) {
    case YC_FK_TEXT:
        yc__enc_slice(e, v);
        break;
    case YC_FK_U64:
        yc_enc_uint(e, *(const uint64_t *)v);
        break;
    case YC_FK_BOOL:
        yc_enc_bool(e, *(const bool *)v);
        break;
    case YC_FK_ID:
    case YC_FK_DIGEST:
        yc_enc_bin(e, v, YC_HASH_LEN);
        break;
    case YC_FK_PUB:
        yc_enc_bin(e, v, YC_PUBKEY_LEN);
        break;
    case YC_FK_LIST:
        yc__enc_list(e, v);
        break;
    case YC_FK_IDS:
    case YC_FK_PUBS: {
        size_t size = f->kind == YC_FK_IDS ? YC_HASH_LEN : YC_PUBKEY_LEN;
        yc_enc_array(e, n);
        for (uint32_t i = 0; i < n; i++) {
            yc_enc_bin(e, (const uint8_t *)v + (size_t)i * size, size);
        }
        break;
    }
    case YC_FK_SHARES: {
        const struct yc_contributor *c = v;
        yc_enc_array(e, n);
        for (uint32_t i = 0; i < n; i++) {
            yc_enc_array(e, 2);
            yc_enc_bin(e, c[i].pub, YC_PUBKEY_LEN);
            yc_enc_uint(e, c[i].bps);
        }
        break;
    }
    }
}

/* Whether the counts of b's lists fit their arrays (the encoder reads no further). */
static bool counts_fit(const struct yc_tx_schema *s, const uint8_t *base)
{
    for (uint32_t i = 0; i < s->nfields; i++) {
        const struct yc_field *f = &s->fields[i];
        if (f->kind == YC_FK_LIST &&
            ((const struct yc_list *)(const void *)(base + f->off))->n > YC_LIST_MAX) {
            return false;
        }
        if (f->count_off >= 0 && *(const uint32_t *)(const void *)(base + f->count_off) > f->max) {
            return false;
        }
    }
    return true;
}

/* The body in p[0..len) decodes with schema s (and is canonical). */
static int check_encoded(const struct yc_tx_schema *s, const uint8_t *p, size_t len)
{
    static const struct yc_limits lim = {
        .max_depth = 8, .max_items = 256, .max_strlen = YC_TX_MAX_BYTES};
    union yc_tx_body scratch;
    struct yc_keylog keys = {0};
    struct yc_dec d;
    uint32_t left;
    uint64_t present;

    YC__TRY(yc_canon_check(p, len, &lim));
    memset(&scratch, 0, s->size);
    yc_dec_init(&d, p, len);
    d.keylog = &keys;
    YC__TRY(yc_dec_map(&d, &left));
    YC__TRY(yc__schema_decode(&d, &left, s, &scratch, &present));
    return left == 0 && yc_dec_done(&d) ? YC_OK : YC_EBADFIELD;
}

/* Whether the value of field f in b is not 0, false or empty. */
static bool nonzero(const struct yc_field *f, const uint8_t *base)
{
    const void *v = base + f->off;
    static const uint8_t zero[YC_PUBKEY_LEN];

    switch ((enum yc_field_kind)f->kind) {
    case YC_FK_TEXT:
        return ((const struct yc_slice *)v)->len > 0;
    case YC_FK_U64:
        return *(const uint64_t *)v != 0;
    case YC_FK_BOOL:
        return *(const bool *)v;
    case YC_FK_ID:
    case YC_FK_DIGEST:
        return memcmp(v, zero, YC_HASH_LEN) != 0;
    case YC_FK_PUB:
        return memcmp(v, zero, YC_PUBKEY_LEN) != 0;
    case YC_FK_LIST:
        return ((const struct yc_list *)v)->n > 0;
    case YC_FK_IDS:
    case YC_FK_PUBS:
    case YC_FK_SHARES:
        return *(const uint32_t *)(const void *)(base + f->count_off) > 0;
    }
    return false;
}

uint64_t yc_tx_body_present(enum yc_tx_type t, const union yc_tx_body *b)
{
    const struct yc_tx_schema *s = yc_tx_schema(t);
    const uint8_t *base = (const uint8_t *)b;
    uint64_t present = 0;

    for (uint32_t i = 0; s != NULL && b != NULL && i < s->nfields; i++) {
        const struct yc_field *f = &s->fields[i];
        bool on =
            f->has_off >= 0 ? *(const bool *)(const void *)(base + f->has_off) : nonzero(f, base);
        if (!f->required && on) {
            present |= UINT64_C(1) << i;
        }
    }
    return present;
}

int yc_tx_body_encode(struct yc_buf *out, enum yc_tx_type t, const union yc_tx_body *b,
                      uint64_t present)
{
    const struct yc_tx_schema *s = yc_tx_schema(t);
    const uint8_t *base = (const uint8_t *)b;
    struct yc_enc e;
    uint32_t npairs = 0;
    size_t start;
    int rc;

    if (out == NULL || b == NULL) {
        return YC_EINVAL;
    }
    if (s == NULL) {
        return YC_EUNKNOWNTYPE;
    }
    if (!counts_fit(s, base)) {
        return YC_ETOOMANY;
    }
    for (uint32_t i = 0; i < s->nfields; i++) {
        if (s->fields[i].required || (present >> i & 1u) != 0) {
            npairs++;
        }
    }
    start = out->len;
    yc_enc_init(&e, out);
    yc_enc_map(&e, npairs);
    for (uint32_t i = 0; i < s->nfields; i++) {
        const struct yc_field *f = &s->fields[i];
        if (f->required || (present >> i & 1u) != 0) {
            yc_enc_cstr(&e, f->key);
            enc_value(&e, f, base);
        }
    }
    rc = yc_enc_finish(&e);
    if (rc == YC_OK) {
        rc = check_encoded(s, out->data + start, out->len - start);
    }
    if (rc != YC_OK) {
        out->len = start;
    }
    return rc;
}
