/*
 * err.c — names and messages of the error table in yc/err.h.
 *
 * Everything is generated from YC_ERR_TABLE, so a code, its stable name and its
 * message cannot drift apart. Lookups are linear: the table is short and these
 * functions are called on error paths and when parsing names from the API.
 */
#include <string.h>

#include "yc/err.h"

struct err_entry {
    int code;
    const char *name;
    const char *msg;
};

static const struct err_entry err_table[] = {
#define YC_ERR_ENTRY_(e, n, name, msg) {n, name, msg},
    YC_ERR_TABLE(YC_ERR_ENTRY_)
#undef YC_ERR_ENTRY_
};

#define ERR_COUNT (sizeof(err_table) / sizeof(err_table[0]))

static const struct err_entry *err_find(int err)
{
    for (size_t i = 0; i < ERR_COUNT; i++) {
        if (err_table[i].code == err) {
            return &err_table[i];
        }
    }
    return NULL;
}

const char *yc_err_name(int err)
{
    const struct err_entry *e = err_find(err);
    return e != NULL ? e->name : "unknown_error";
}

const char *yc_strerror(int err)
{
    const struct err_entry *e = err_find(err);
    return e != NULL ? e->msg : "unknown error";
}

int yc_err_from_name(const char *name)
{
    if (name == NULL) {
        return YC_EINVAL;
    }
    for (size_t i = 0; i < ERR_COUNT; i++) {
        if (strcmp(err_table[i].name, name) == 0) {
            return err_table[i].code;
        }
    }
    return YC_EINVAL;
}
