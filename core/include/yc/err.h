/*
 * err.h — the one error table of Yuchain.
 *
 * Every fallible function returns `int`: YC_OK (0) or a negative `enum yc_err`.
 * Codes that a rejected transaction carries are part of the protocol: nodes and
 * auditors compare the *name* (`yc_err_name`), so a name once published never
 * changes meaning, and numbers are never reused (they may reach disk in tx outcomes).
 *
 * Thread-safety: all functions here are pure and reentrant.
 */
#ifndef YC_ERR_H
#define YC_ERR_H

#define YC_WUR __attribute__((warn_unused_result))

/* X(ENUM, number, "stable_name", "human message") — append only. */
#define YC_ERR_TABLE(X)                                                                  \
    X(YC_OK, 0, "ok", "success")                                                         \
    /* caller mistakes and local resources */                                            \
    X(YC_EINVAL, -1, "invalid_argument", "invalid argument (caller error)")              \
    X(YC_ENOMEM, -2, "out_of_memory", "out of memory")                                   \
    X(YC_EIO, -3, "io_error", "storage or file I/O failed")                              \
    X(YC_ENOTFOUND, -4, "not_found", "no such object")                                   \
    X(YC_ELIMIT, -5, "limit_exceeded", "a fixed size or count limit was exceeded")       \
    X(YC_EEXIST, -6, "exists", "already exists")                                         \
    X(YC_ECORRUPT, -7, "corrupt", "stored data is corrupt")                              \
    X(YC_ECONFIG, -8, "config_error", "configuration error")                             \
    X(YC_EBUSY, -9, "busy", "resource busy or locked")                                   \
    /* decoding untrusted bytes */                                                       \
    X(YC_EDECODE, -20, "bad_encoding", "malformed or non-canonical encoding")            \
    X(YC_ETRAILING, -21, "trailing_bytes", "trailing bytes after the encoded value")     \
    X(YC_ETOODEEP, -22, "too_deep", "nesting deeper than allowed")                       \
    X(YC_ETOOLARGE, -23, "too_large", "length beyond the allowed maximum")               \
    X(YC_EUTF8, -24, "bad_utf8", "string is not valid UTF-8")                            \
    X(YC_EBODYTOOLARGE, -25, "body_too_large", "request body larger than allowed")       \
    X(YC_EBADFIELD, -26, "bad_field", "a field is missing, unknown or has a bad value")  \
    X(YC_EBADADDR, -27, "bad_address", "not a valid yc1 address")                        \
    X(YC_EBADKEY, -28, "bad_key", "public key invalid or not on the curve")              \
    /* transaction admission and execution: stable protocol codes */                     \
    X(YC_EBADSIG, -40, "bad_signature", "signature does not verify")                     \
    X(YC_EBADNONCE, -41, "bad_nonce", "nonce is not the sender's next sequence number")  \
    X(YC_EUNKNOWNACCT, -42, "unknown_account", "account is not registered")              \
    X(YC_ENOTAUTH, -43, "not_authorized", "sender is not allowed to do this")            \
    X(YC_ECONSENTREVOKED, -44, "consent_revoked", "the consent has been revoked")        \
    X(YC_EOUTOFSCOPE, -45, "out_of_scope", "purpose, category or operation not covered") \
    X(YC_EEXPIRED, -46, "expired", "authority is expired or not yet valid")              \
    X(YC_EFROZEN, -47, "frozen", "account is frozen")                                    \
    X(YC_ECOREDATA, -48, "core_data", "core-grade data cannot do this")                  \
    X(YC_ENEGLIST, -49, "negative_list", "forbidden by the negative list")               \
    X(YC_EEXPORTREQ, -50, "export_assessment_required", "export assessment required")    \
    X(YC_EBALANCE, -51, "insufficient_balance", "balance too low")                       \
    X(YC_EPLEDGED, -52, "pledged", "the right is pledged")                               \
    X(YC_EWRONGCHAIN, -53, "wrong_chain", "transaction is for another chain")            \
    X(YC_EUNKNOWNTYPE, -54, "unknown_type", "unknown transaction type")                  \
    X(YC_EDUPTX, -55, "duplicate_tx", "transaction already known")                       \
    X(YC_EOVERFLOW, -56, "overflow", "amount arithmetic would overflow")                 \
    X(YC_EALREADYREG, -57, "already_registered", "account already registered")           \
    X(YC_EUNKNOWNCONSENT, -58, "unknown_consent", "no such consent")                     \
    X(YC_ENOUSESLEFT, -59, "no_uses_left", "maximum number of uses reached")             \
    X(YC_EMEMPOOLFULL, -60, "mempool_full", "mempool is full, retry later")              \
    X(YC_EBADTIME, -61, "bad_time", "time window is invalid")                            \
    X(YC_EBADROLE, -62, "bad_role", "unknown or unsuitable role")                        \
    X(YC_ETOOMANY, -63, "too_many", "too many items in a list")                          \
    X(YC_EUNKNOWNASSET, -64, "unknown_asset", "no such asset")                           \
    X(YC_EDUPASSET, -65, "duplicate_asset", "an asset with this digest is registered")   \
    X(YC_EBADSHARES, -66, "bad_shares", "contributor shares do not sum to 10000")        \
    X(YC_EGRADELOW, -67, "grade_too_low", "grade lower than a parent's grade")           \
    X(YC_ENOTICEOPEN, -68, "notice_open", "the public notice period is not over")        \
    X(YC_EOBJECTIONOPEN, -69, "objection_open", "an objection is still open")            \
    X(YC_EUNKNOWNLICENSE, -70, "unknown_license", "no such license")                     \
    X(YC_ELICENSEREVOKED, -71, "license_revoked", "the license has been revoked")        \
    X(YC_ERETIRED, -72, "retired", "the asset is retired")                               \
    X(YC_ENOTCERTIFIED, -73, "not_certified", "the asset is not certified")              \
    X(YC_EBADCOSIG, -74, "bad_cosignature", "a required co-signature is missing or bad") \
    X(YC_EUNKNOWNOBJ, -75, "unknown_object", "no such object")                           \
    X(YC_ECLOSED, -76, "closed", "already closed or settled")                            \
    X(YC_ECYCLE, -77, "cycle", "parents would form a cycle")                             \
    X(YC_EBADDIGEST, -78, "bad_digest", "digest must be 32 bytes")                       \
    X(YC_EBLOCKFULL, -79, "block_full", "block limits reached")                          \
    X(YC_ENOTDUE, -80, "not_due", "the pledge is not due yet")                           \
    X(YC_EBADVERSION, -81, "bad_version", "not the next policy version")                 \
    X(YC_EUNKNOWNCODE, -82, "unknown_code", "not a code of the chain's code lists")      \
    X(YC_EVALSET, -83, "bad_valset_change", "the validator set cannot change this way")  \
    X(YC_EAPPROVED, -84, "already_approved", "this organisation already approved it")    \
    /* consensus and blocks */                                                           \
    X(YC_EBADBLOCK, -90, "bad_block", "block is invalid")                                \
    X(YC_EBADCERT, -91, "bad_certificate", "commit certificate is invalid")              \
    X(YC_EBADMSG, -92, "bad_message", "consensus message is invalid")                    \
    X(YC_ESTALE, -93, "stale", "message for an old height or view")                      \
    X(YC_EDIVERGED, -94, "diverged", "state root differs from the block's")              \
    /* clients (wallet, audit --node): mapped to exit codes by the CLIs */               \
    X(YC_EPASSPHRASE, -100, "wrong_passphrase", "wrong passphrase")                      \
    X(YC_EUNREACHABLE, -101, "node_unreachable", "node unreachable or timed out")        \
    X(YC_EREMOTE, -102, "remote_error", "the node answered with an error")

enum yc_err {
#define YC_ERR_ENUM_(e, n, name, msg) e = n,
    YC_ERR_TABLE(YC_ERR_ENUM_)
#undef YC_ERR_ENUM_
};

/* Returns the stable snake_case name of `err` ("bad_nonce"); "unknown_error" if none. */
const char *yc_err_name(int err);

/* Returns a short English message for `err`; never NULL. */
const char *yc_strerror(int err);

/* Returns the code whose stable name is `name`, or YC_EINVAL if none matches. */
int yc_err_from_name(const char *name);

#endif
