/*
 * query_valset.c — `validator set` and `validator proposal`: the validator set in force
 * (from the node's state), the changes fixed to come, and governance proposals. With
 * --json the node's answer is printed as it is; otherwise a short summary per line
 * (wallet_ask).
 */
#include <stdio.h>
#include <string.h>

#include "wallet.h"

static void set_lines(struct wallet *w, const char *what, json_t *set)
{
    size_t i;
    json_t *v;
    printf("%s from height %s: %lld validators, quorum %lld\n", what, wallet_str(set, "from", "?"),
           (long long)json_integer_value(json_object_get(set, "count")),
           (long long)json_integer_value(json_object_get(set, "quorum")));
    json_array_foreach(json_object_get(set, "validators"), i, v)
    {
        printf("  %lld %s %s org=%s\n", (long long)json_integer_value(json_object_get(v, "index")),
               wallet_str(v, "name", "?"), wallet_str(v, "id", "?"),
               wallet_who(w, wallet_str(v, "org", "?")));
    }
}

static void proposal_line(struct wallet *w, json_t *p)
{
    const char *action = wallet_str(p, "action", "?");
    printf("%s %s %s %s", wallet_str(p, "id", "?"), wallet_str(p, "status", "?"), action,
           wallet_str(p, "pub_key", "?"));
    if (strcmp(action, "add") == 0)
        printf(" name=%s org=%s", wallet_str(p, "name", "?"),
               wallet_who(w, wallet_str(p, "org", "?")));
    if (strcmp(action, "replace_key") == 0)
        printf(" new=%s", wallet_str(p, "new_pub_key", "?"));
    printf(" weight=%lld/%lld proposer=%s expires=%s",
           (long long)json_integer_value(json_object_get(p, "weight")),
           (long long)json_integer_value(json_object_get(p, "quorum")),
           wallet_who(w, wallet_str(p, "proposer", "?")), wallet_str(p, "expires", "?"));
    if (json_string_value(json_object_get(p, "effect")) != NULL)
        printf(" in-force-from=%s", wallet_str(p, "effect", "?"));
    printf("\n");
}

static void show_valset(struct wallet *w, json_t *res)
{
    size_t i;
    json_t *x;
    char what[64];
    snprintf(what, sizeof what, "in force at height %s", wallet_str(res, "at", "?"));
    set_lines(w, what, json_object_get(res, "set"));
    json_array_foreach(json_object_get(res, "changes"), i, x) set_lines(w, "next", x);
    json_array_foreach(json_object_get(res, "proposals"), i, x) proposal_line(w, x);
}

int cmd_validator_set(struct wallet *w, const struct wallet_args *a)
{
    json_t *params = json_object();
    if (a->set[O_HEIGHT]) {
        uint64_t h;
        int ex = wallet_parse_u64(a->val[O_HEIGHT], "--height", true, &h);
        if (ex != YC_EXIT_OK) {
            json_decref(params);
            return ex;
        }
        json_object_set_new(params, "height", json_integer((json_int_t)h));
    }
    return wallet_ask(w, "valset", params, show_valset);
}

int cmd_validator_proposal(struct wallet *w, const struct wallet_args *a)
{
    uint8_t id[YC_HASH_LEN];
    char hex[2 * YC_HASH_LEN + 1];
    int ex = wallet_parse_hash(a->pos[0], "proposal id", id);
    if (ex != YC_EXIT_OK)
        return ex;
    yc_hex(hex, id, sizeof id);
    return wallet_ask(w, "valset_proposal", json_pack("{s:s}", "id", hex), proposal_line);
}
