/*
 * helper_p2p.h — a harness for the p2p transport tests: several p2p instances on
 * loopback ports in one uv loop, recording what each receives; and a "raw" peer driven
 * with blocking sockets from a thread, to speak the wire protocol badly on purpose.
 *
 * Keys are deterministic: validator i has secret key bytes all equal to i + 1; an
 * "outsider" key (not in the genesis) uses 0x77.
 */
#ifndef YC_HELPER_P2P_H
#define YC_HELPER_P2P_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "p2p.h"
#include "p2p_secure.h"
#include "yc/genesis.h"

#define P2PT_MAX_NODES 8
#define P2PT_MAX_MSGS 256
#define P2PT_CHAIN "yc-p2p-test"

struct p2pt_msg {
    uint64_t peer;
    uint32_t from;
    uint8_t type;
    size_t len;
    uint8_t head[64]; /* first bytes of the payload */
};

struct p2pt_node {
    struct p2pt_net *net;
    p2p *p;
    yc_signer *signer;
    uint32_t connects, disconnects;
    uint64_t last_connect_peer;
    size_t nmsgs; /* total received (msgs keeps the first P2PT_MAX_MSGS) */
    struct p2pt_msg msgs[P2PT_MAX_MSGS];
    /* optional hook invoked after recording a message */
    void (*on_msg)(struct p2pt_node *nd, const struct p2pt_msg *m, const uint8_t *payload);
    void *user;
};

struct p2pt_net {
    uv_loop_t loop;
    struct yc_pump pump;
    uv_timer_t tick;
    struct yc_genesis g;
    uint32_t nval;
    uint16_t ports[P2PT_MAX_NODES + 2]; /* one per validator, then spare ports */
    struct p2pt_node nodes[P2PT_MAX_NODES + 2];
};

/* Makes a loop and a genesis of nval validators, validator i listening (once started) on
 * 127.0.0.1:ports[i]. */
void p2pt_net_init(struct p2pt_net *n, uint32_t nval);
/* Stops every instance, runs the loop dry, closes it, frees keys. */
void p2pt_net_cleanup(struct p2pt_net *n);

/* A free loopback TCP port (bound to port 0 and released). */
uint16_t p2pt_free_port(void);
/* Makes signer for validator i (i < 0x76) or the outsider key (P2PT_OUTSIDER). */
#define P2PT_OUTSIDER 0x76u
yc_signer *p2pt_signer(uint32_t i);

/*
 * Fills cfg for node slot `slot` using key `key_index` (a validator index or
 * P2P_OUTSIDER), listening on ports[slot], dialling every other validator
 * (persistent_peers KEY@127.0.0.1:ports[i]), with the harness callbacks, short backoffs
 * and a fixed seed. The caller may change fields, then call p2pt_start.
 */
void p2pt_config(struct p2pt_net *n, uint32_t slot, uint32_t key_index, struct p2p_config *cfg);
/* Creates and starts slot `slot` with cfg; asserts success. */
void p2pt_start(struct p2pt_net *n, uint32_t slot, const struct p2p_config *cfg);
/* Starts slot i as validator i with the default config. */
void p2pt_start_default(struct p2pt_net *n, uint32_t i);
/* Stops slot i (p2p_stop) and forgets its counters' instance. */
void p2pt_stop(struct p2pt_net *n, uint32_t slot);

/* Runs the loop until pred(n, arg) is true or timeout_ms pass; returns pred's last value. */
typedef bool (*p2pt_pred)(struct p2pt_net *n, void *arg);
bool p2pt_run_until(struct p2pt_net *n, p2pt_pred pred, void *arg, uint64_t timeout_ms);
/* Runs the loop for ms milliseconds. */
void p2pt_run_for(struct p2pt_net *n, uint64_t ms);
/* Predicate: every started slot among validators 0..nval-1 sees all other started ones. */
bool p2pt_full_mesh(struct p2pt_net *n, void *arg);
/* Count of messages of `type` from `from` received by slot `slot`. */
size_t p2pt_count(const struct p2pt_net *n, uint32_t slot, uint32_t from, uint8_t type);

/* ---- raw peer (blocking sockets; use from a thread while the loop runs) ---- */

/* Connects to 127.0.0.1:port with 5 s send/receive timeouts; -1 on failure. */
int p2pt_raw_connect(uint16_t port);
/* Writes all bytes (MSG_NOSIGNAL); false on error. */
bool p2pt_raw_write(int fd, const void *buf, size_t len);
/* Runs the initiator side of the handshake with `me`; fills *sess. */
bool p2pt_raw_handshake(int fd, const yc_signer *me, struct p2p_session *sess, uint32_t max_frame);
/* Seals `type ‖ payload` and writes it. */
bool p2pt_raw_send(int fd, struct p2p_session *sess, uint8_t type, const uint8_t *payload,
                   size_t len);
/* Reads one frame and opens it into out (cap bytes); *len gets the plaintext length. */
bool p2pt_raw_recv(int fd, struct p2p_session *sess, uint8_t *out, size_t cap, size_t *len);
/* Reads and discards until EOF or error (true) or timeout_ms passes (false). */
bool p2pt_raw_closed_within(int fd, uint64_t timeout_ms);

/* Runs fn(arg) on a thread; p2pt_thread_done tells when it returned. */
struct p2pt_thread {
    void *tid; /* pthread_t, opaque here */
    atomic_int done;
    void (*fn)(void *arg);
    void *arg;
};
void p2pt_thread_start(struct p2pt_thread *t, void (*fn)(void *), void *arg);
void p2pt_thread_join(struct p2pt_thread *t);
/* Predicate for p2pt_run_until: arg is a struct p2pt_thread *. */
bool p2pt_thread_done(struct p2pt_net *n, void *arg);

uint64_t p2pt_now_ms(void);

#endif
