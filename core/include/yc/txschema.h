/*
 * txschema.h — the one description of every transaction body (DESIGN.md §5, grammar in
 * docs/formats.md): for each type, its fields in wire (sorted key) order, each with its
 * key, the member of union yc_tx_body it lives in, its kind, whether it is required,
 * its limits and the enumeration of its allowed values (enums.h).
 *
 * yc_tx_decode reads every body through this table, and yc_tx_body_encode writes the
 * canonical bytes of a decoded or built body from it, so encode(decode(b)) == b for every
 * accepted body. Allowed values are listed here for the ones who describe a field (help,
 * renderings); they are rules, applied by the exec_*.c files, not by the decoder.
 *
 * Adding a transaction type (the recipe; nothing else encodes or decodes a body):
 *   1. core: its X entry in tx.h's YC_TX_TYPES and its body struct in union yc_tx_body;
 *      its fields (sorted by key) and one row in txschema.c's SCHEMAS naming its member
 *      (plus a `rule` if a rule spans fields). The decoder, the encoder, the RPC's JSON
 *      of the body, the fuzz corpus (tests/fuzz/fixture.c) and core_test_txschema's
 *      encode(decode(x)) == x follow from the row.
 *   2. core: its handler (check and exec) in an exec_<group>.c and one line in ledger.c's
 *      HANDLERS table.
 *   3. wallet: one line in cli.c's WALLET_CMDS naming the type. Each field is given by
 *      the option named like its key ('_' read as '-'); a key no option has yet needs
 *      its WALLET_OPTS entry (metavar and help), and a field given by the command's
 *      argument, by an option of another name or with a default needs a row in
 *      txcmd.c's BINDINGS. Options, required ones, allowed values, limits and --help
 *      come from the schema (wallet_test_build checks that every type has a command and
 *      every field a source).
 *   Tests build bodies with yc_tx_body_encode (yc_tx_body_present gives the mask of a
 *   body filled in by hand).
 *
 * Thread-safety: constant tables and pure functions.
 */
#ifndef YC_TXSCHEMA_H
#define YC_TXSCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/buf.h"
#include "yc/err.h"
#include "yc/tx.h"

/* What a field's value is on the wire and in union yc_tx_body. */
enum yc_field_kind {
    YC_FK_TEXT,   /* str of min..max bytes; struct yc_slice */
    YC_FK_U64,    /* unsigned integer; uint64_t */
    YC_FK_BOOL,   /* boolean; bool */
    YC_FK_ID,     /* bin 32, an object's id (wrong size: YC_EBADFIELD); uint8_t[32] */
    YC_FK_DIGEST, /* bin 32, a content digest (wrong size: YC_EBADDIGEST); uint8_t[32] */
    YC_FK_PUB,    /* bin 33, a public key (scheme byte checked: YC_EBADKEY); uint8_t[33] */
    YC_FK_LIST,   /* array of at most YC_LIST_MAX str of at most max bytes; struct yc_list */
    YC_FK_IDS,    /* array of at most max bin 32; uint8_t[max][32] and a uint32_t count */
    YC_FK_PUBS,   /* array of at most max bin 33; uint8_t[max][33] and a uint32_t count */
    YC_FK_SHARES, /* array of at most max [bin 33, uint]; struct yc_contributor[max], count */
};

#define YC_FIELD_NONE (-1) /* has_off / count_off / enum_id: none */

struct yc_field {
    const char *key;   /* the wire key */
    uint8_t kind;      /* enum yc_field_kind */
    bool required;     /* absent: YC_EBADFIELD; optional ones absent read as 0 / empty */
    uint16_t min;      /* TEXT: fewest bytes */
    uint16_t max;      /* TEXT, LIST items: most bytes; IDS, PUBS, SHARES: most items */
    uint16_t off;      /* offset of the value in union yc_tx_body */
    int16_t has_off;   /* offset of a bool set when the key is on the wire, or NONE */
    int16_t count_off; /* IDS, PUBS, SHARES: offset of the uint32_t count */
    int16_t enum_id;   /* TEXT, LIST: enum yc_enum_id of the allowed values, or NONE */
    uint8_t show;      /* enum yc_field_show: when a rendering (JSON) shows the field */
    bool time;         /* U64: a block time in ms; renderings add "<key>_time" (RFC 3339) */
};

/* When a rendering of a decoded body shows a field. */
enum yc_field_show {
    YC_SHOW_PRESENT = 0, /* required, or optional and on the wire */
    YC_SHOW_ALWAYS,      /* an absent optional field shows its default (0, false, []) */
    YC_SHOW_NONZERO,     /* only when not 0 / empty, whether on the wire or not */
};

struct yc_tx_schema {
    enum yc_tx_type type;
    const struct yc_field *fields; /* sorted by key, as on the wire */
    uint32_t nfields;              /* at most 64 (a bit each in a presence mask) */
    uint32_t size;                 /* bytes of its member of union yc_tx_body: every
                                    * field, has-flag and count lies within them */
    /* A rule across fields the decoder applies after reading them all (exactly one of
     * two, a field a type needs): NULL when met, else the words of the refusal
     * (YC_EBADFIELD). NULL: no such rule. */
    const char *(*rule)(enum yc_tx_type t, const union yc_tx_body *b);
};

/* The schema of type t, or NULL for an unknown type. */
const struct yc_tx_schema *yc_tx_schema(enum yc_tx_type t);

/* The i-th schema (every type in YC_TX_TYPES order), or NULL when i is past the last. */
const struct yc_tx_schema *yc_tx_schema_at(size_t i);

/* The field `key` (NUL-terminated) of schema s and its index in *index, or NULL. */
const struct yc_field *yc_tx_schema_field(const struct yc_tx_schema *s, const char *key,
                                          uint32_t *index);

/*
 * The presence mask of a body built in memory (for yc_tx_body_encode): bit i set for
 * every optional field i with a has-flag that is set, and for every optional field
 * without one whose value is not 0, false or empty (an absent such field reads as that,
 * so that leaving it out is its one encoding). 0 for an unknown type.
 */
uint64_t yc_tx_body_present(enum yc_tx_type t, const union yc_tx_body *b);

/*
 * Appends the canonical body map of type t to out: every required field of s and the
 * optional field i iff bit i of `present` is set (struct yc_tx's body_present after a
 * decode; has-flags are not read). The bytes written are then decoded with the schema:
 * what the decoder would refuse is refused here with its code (YC_EBADFIELD,
 * YC_EBADDIGEST, YC_EBADKEY, YC_ETOOMANY, YC_EUNKNOWNTYPE) and out is left as it was.
 * YC_ELIMIT / YC_ENOMEM from out.
 */
YC_WUR int yc_tx_body_encode(struct yc_buf *out, enum yc_tx_type t, const union yc_tx_body *b,
                             uint64_t present);

#endif
