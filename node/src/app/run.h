/*
 * run.h — running a node on a home until SIGINT/SIGTERM (`yuchaind start`, `dev`).
 */
#ifndef YC_RUN_H
#define YC_RUN_H

#include <stddef.h>

#include "config.h"
#include "node.h"

struct yc_run_opts {
    const char *home;                    /* NULL: $YUCHAIN_HOME, else ~/.yuchain */
    const struct yc_config_override *ov; /* command-line options, highest precedence */
    size_t nov;
    /* Called once the listeners are up (e.g. to print how to reach the node). */
    void (*on_started)(yc_node *n, const struct yc_config *cfg, void *ctx);
    void *ctx;
};

/*
 * Opens the home (config, lock, keys, genesis, store), starts the consensus driver
 * and the listeners, and runs the loop until a stop signal; then closes everything,
 * removes the cookie and releases the lock. Returns the process exit code: 0 after a
 * clean stop, 78 configuration error, 74 I/O error, 1 other failure (such as the
 * home being in use). A storage write failure while running exits 74 directly.
 */
int yc_node_run(const struct yc_run_opts *o);

#endif
