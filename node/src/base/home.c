/*
 * home.c — home layout and creation (see home.h).
 *
 * Creation order makes a half-written home detectable: directories, keys, node.conf,
 * and genesis.json LAST, since "initialized" means "has a genesis". A crash midway
 * leaves a home that init can simply be run on again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "home.h"
#include "yc/cliutil.h"
#include "keyfile.h"
#include "yc/genesis_json.h"

static int join(char *out, const char *dir, const char *rel)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    int w = snprintf(out, PATH_MAX, "%.*s/%s", (int)n, dir, rel);
    return w < 0 || w >= PATH_MAX ? YC_ELIMIT : YC_OK;
}

int yc_home_paths(struct yc_home *h, const char *dir)
{
    memset(h, 0, sizeof *h);
    if (dir == NULL || dir[0] == '\0' || strlen(dir) >= PATH_MAX - 64)
        return YC_ELIMIT;
    snprintf(h->dir, sizeof h->dir, "%s", dir);
    int rc = YC_OK;
    rc |= join(h->config_dir, dir, "config");
    rc |= join(h->node_conf, dir, "config/node.conf");
    rc |= join(h->genesis, dir, "config/genesis.json");
    rc |= join(h->node_key, dir, "config/node_key.json");
    rc |= join(h->validator_key, dir, "config/validator_key.json");
    rc |= join(h->data, dir, "data");
    rc |= join(h->cookie, dir, ".cookie");
    rc |= join(h->lock, dir, ".lock");
    rc |= join(h->wallet, dir, "wallet");
    return rc == YC_OK ? YC_OK : YC_ELIMIT;
}

int yc_home_resolve(struct yc_home *h, const char *arg)
{
    if (arg != NULL && arg[0] != '\0')
        return yc_home_paths(h, arg);
    const char *env = getenv("YUCHAIN_HOME");
    if (env != NULL && env[0] != '\0')
        return yc_home_paths(h, env);
    const char *home = getenv("HOME");
    char dir[PATH_MAX];
    if (home == NULL || home[0] == '\0' ||
        (size_t)snprintf(dir, sizeof dir, "%s/.yuchain", home) >= sizeof dir)
        return YC_ELIMIT;
    return yc_home_paths(h, dir);
}

bool yc_home_initialized(const struct yc_home *h)
{
    return access(h->genesis, F_OK) == 0;
}

int yc_home_create(const struct yc_home *h, const struct yc_home_spec *spec, char *err,
                   size_t errlen)
{
    if (yc_home_initialized(h)) {
        snprintf(err, errlen, "%s already holds a chain (%s exists); use another --home", h->dir,
                 h->genesis);
        return YC_EEXIST;
    }
    const char *dirs[] = {h->dir, h->config_dir, h->data};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        if (yc_dir_ensure(dirs[i], true) != YC_OK) {
            snprintf(err, errlen,
                     "cannot create directory %s (%s): check the parent's "
                     "permissions",
                     dirs[i], strerror(errno));
            return YC_EIO;
        }
    }
    int rc = spec->node_sk != NULL ? yc_keyfile_write(h->node_key, "node", spec->node_sk) : YC_OK;
    if (rc == YC_OK && spec->validator_sk != NULL)
        rc = yc_keyfile_write(h->validator_key, "validator", spec->validator_sk);
    if (rc != YC_OK) {
        snprintf(err, errlen, "cannot write key files in %s: %s", h->config_dir,
                 rc == YC_EIO ? strerror(errno) : yc_strerror(rc));
        return rc == YC_EBADKEY ? YC_EINVAL : rc;
    }
    char *conf = yc_config_render(spec->config);
    if (conf == NULL)
        return YC_ENOMEM;
    rc = yc_file_write_atomic(h->node_conf, conf, strlen(conf), 0600, true);
    free(conf);
    if (rc != YC_OK) {
        snprintf(err, errlen, "cannot write %s: %s", h->node_conf, strerror(errno));
        return YC_EIO;
    }
    rc = yc_genesis_json_save(spec->genesis, h->genesis);
    if (rc != YC_OK) {
        snprintf(err, errlen, "cannot write %s: %s", h->genesis, yc_strerror(rc));
        return rc;
    }
    return YC_OK;
}
