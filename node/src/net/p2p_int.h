/*
 * p2p_int.h — internals shared by p2p.c (transport, dialling, identification, API) and
 * p2p_conn.c (one connection: handshake, frame assembly, write queue, close).
 *
 * Memory: the p2p object and each connection are freed only from libuv close callbacks
 * (or getaddrinfo callbacks); `refs` counts the handles and requests still pending, and
 * the object goes away when it is stopping and refs reaches 0.
 *
 * Slots: an accepted connection is `pending_in` (in the unidentified pool, counted in
 * p->npending and in its source's record) from accept until its handshake ends or it
 * closes, or until it is evicted: then it is `lingering` (p->nlinger) until its handshake
 * ends or it closes; an identified inbound observer is `counted_observer` (p->nobservers_in) until
 * it closes. A pending inbound connection allocates its secrets and ephemeral key only
 * once its whole hello has arrived, so a silent or junk connection costs little.
 */
#ifndef YC_P2P_INT_H
#define YC_P2P_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdint.h>

#include <uv.h>

#include "p2p.h"
#include "p2p_secure.h"
#include "yc/block.h"

#define P2P_READ_CHUNK (64u << 10) /* shared read buffer */
#define P2P_KEEP_RBUF (256u << 10) /* a larger assembly buffer is freed after its frame */
#define P2P_DRAIN_MS 2000          /* how long a replaced connection may drain */

enum p2p_conn_state {
    P2P_C_CONNECTING = 0, /* outbound TCP connect in progress */
    P2P_C_HANDSHAKE,      /* handshake messages */
    P2P_C_OPEN,           /* identified, frames flow */
    P2P_C_DRAINING,       /* replaced: no sends, reads delivered until EOF or timer */
};

struct p2p_dialer;

/* How far an unidentified inbound connection got: evictions take the least first. */
enum p2p_progress {
    P2P_PROG_NONE = 0, /* nothing received */
    P2P_PROG_BYTES,    /* part of a hello received (or waiting in the socket) */
    P2P_PROG_REPLIED,  /* a valid hello answered: waiting for the auth */
};

/* A source of unidentified inbound connections: an IPv4 address or an IPv6 /64. Its key
 * is a family byte (4 or 6, 0 when unknown) then 4 or 8 address bytes, zero-padded. */
#define P2P_SRC_KEY_LEN 9
struct p2p_src {
    struct p2p_src *next;
    uint8_t key[P2P_SRC_KEY_LEN];
    uint32_t n; /* pending inbound connections from it */
};

/* Secrets of one connection, kept in sodium_malloc'ed memory. */
struct p2p_secrets {
    struct p2p_hs hs;
    struct p2p_session sess;
};

struct p2p_conn {
    struct p2p *p;
    struct p2p_conn *prev, *next; /* p->conns */
    uv_tcp_t tcp;
    uv_timer_t timer; /* handshake timeout, drain limit, eviction linger */
    uv_connect_t creq;
    struct yc_pump_item doom_item; /* closes a doomed connection on the next turn */
    int open_handles;              /* tcp and timer not yet closed */
    uint64_t id;
    enum p2p_conn_state state;
    bool outbound;
    bool closing;
    bool active;               /* the connection in use for its peer (callbacks fired) */
    bool doomed;               /* dropped from an API call; closed by doom_item */
    bool identified;           /* handshake done, validator/peer_pub set */
    const char *doom_why;      /* static text */
    bool doom_violation;       /* the doom is for a protocol breach (counted, warned) */
    bool pending_in;           /* in the unidentified inbound pool (p->npending, src) */
    bool lingering;            /* evicted from the pool, closing soon (p->nlinger) */
    bool counted_observer;     /* an identified inbound observer (p->nobservers_in) */
    uint8_t progress;          /* inbound handshake: enum p2p_progress */
    struct p2p_src *src;       /* source address record while pending_in */
    struct p2p_dialer *dialer; /* outbound only, NULL once detached */
    struct p2p_secrets *sec;   /* NULL for an inbound connection until its hello */
    uint32_t validator;        /* index in p->vs or P2P_OBSERVER, once identified */
    bool member;               /* its key is in p->vs or pending: may send consensus and
                                  * transactions, holds no observer slot */
    uint8_t peer_pub[YC_PUBKEY_LEN];
    char addr[P2P_ADDR_MAX];
    /* assembly of the unit being read (handshake message or whole frame) */
    uint8_t *rbuf;
    size_t rlen, rcap, rneed;
    size_t queued; /* bytes handed to uv_write and not yet completed */
    uint64_t msgs_in, msgs_out, bytes_in, bytes_out;
};

struct p2p_dialer {
    struct p2p *p;
    char host[P2P_ADDR_MAX];
    char port[8];
    char addr[P2P_ADDR_MAX]; /* as configured, for logs */
    uv_timer_t timer;
    uv_getaddrinfo_t gai;
    bool resolving;
    bool idle; /* the target is connected another way: wait for a kick */
    struct p2p_conn *conn;
    bool has_pub; /* pub: the key expected or last reached there */
    bool pinned;  /* pub was configured (KEY@host:port): another key there
                                     is refused */
    bool is_self; /* the address is our own: never redialled */
    uint8_t pub[YC_PUBKEY_LEN];
    uint32_t attempts;
};

struct p2p {
    uv_loop_t *loop;
    struct yc_pump *pump;
    const yc_signer *signer;
    struct yc_valset vs; /* the validator set in force: indices are positions in it */
    uint8_t joining[YC_MAX_VALIDATORS][YC_PUBKEY_LEN]; /* keys joining at a known height */
    uint32_t njoining;
    char chain_id[YC_CHAIN_ID_MAX + 1];
    uint8_t self_pub[YC_PUBKEY_LEN];
    uint32_t self_index;
    bool allow_observers;
    uint32_t max_frame, max_inbound_hs, max_hs_per_source, max_observers;
    size_t max_queue;
    uint32_t hs_timeout_ms, backoff_min_ms, backoff_max_ms;
    uint64_t rng;
    p2p_recv_cb on_recv;
    p2p_peer_cb on_connect, on_disconnect;
    void *ctx;

    char listen_host[P2P_ADDR_MAX];
    char listen_port_s[8];
    bool has_listener;
    uv_tcp_t listener;
    uint16_t listen_port;

    struct p2p_dialer *dialers;
    size_t ndialers;

    struct p2p_conn *conns; /* every open connection */
    uint32_t nconns;
    uint32_t npending;      /* unidentified inbound connections (the pool) */
    uint32_t nlinger;       /* evicted ones not closed yet (at most max_inbound_hs) */
    uint32_t linger_ms;     /* how long an evicted one may still finish its handshake */
    uint32_t nobservers_in; /* identified inbound observers */
    struct p2p_src *srcs;   /* sources with pending connections */
    uint64_t pressure_at;   /* loop time of the last slot-pressure warning */
    uint64_t pressure_evicted, pressure_refused; /* counters as of that warning */
    uint64_t hsfail_at, hsfail_logged; /* the last failed-handshake warning, and the count */
    struct p2p_conn *by_validator[YC_MAX_VALIDATORS]; /* active connection per validator */
    uint64_t next_id;
    struct p2p_stats stats; /* peers/validators/observers/connections kept live */

    bool started, stopping;
    size_t refs; /* handles and requests still open */
    uint8_t rdbuf[P2P_READ_CHUNK];
#ifdef YC_TEST_HOOKS
    uint64_t fault_blocked;
    uint32_t fault_drop_permille;
#endif
};

/* p2p.c */
uint64_t yc__p2p_rand(struct p2p *p);
/* Releases one reference; frees the object when stopping and none remain. */
void yc__p2p_unref(struct p2p *p);
/* Handshake finished on c (c->sec->sess filled): identify, dedupe, activate or close. */
void yc__p2p_identify(struct p2p_conn *c);
/* c is closing: free its slots, detach from indexes, fire on_disconnect if active,
 * notify its dialer. */
void yc__p2p_conn_closing(struct p2p_conn *c);
/* A decrypted frame's plaintext from c (type byte included, len >= 1 checked by caller). */
void yc__p2p_deliver(struct p2p_conn *c, const uint8_t *plain, size_t len);

/* p2p_slots.c */
/* The source key of address sa (NULL or another family: the "unknown" source). */
void yc__p2p_source_key(const struct sockaddr *sa, uint8_t key[P2P_SRC_KEY_LEN]);
/*
 * Puts the accepted connection nc (from sa, may be NULL) in the unidentified pool,
 * evicting others until the caps hold again. False on ENOMEM (nc is not in the pool; the
 * caller closes it).
 */
bool yc__p2p_admit(struct p2p_conn *nc, const struct sockaddr *sa);
/* c's handshake is done: it leaves the pool, or the lingering set. */
void yc__p2p_unpend(struct p2p_conn *c);
/*
 * c was identified as an inbound observer: takes a slot of the observer share and
 * returns true, or returns false (counted as refused) when the share is full and c does
 * not replace a connection of the same key (`replacing`).
 */
bool yc__p2p_observer_slot(struct p2p_conn *c, bool replacing);
/* c is closing: gives back whatever slot it holds. */
void yc__p2p_slots_release(struct p2p_conn *c);
/*
 * c's handshake failed (a violation: bad hello or signature, timeout, refused key). Logs
 * it at debug, and at warn with the count since the last such warning at most once per
 * 10 s: strangers cannot flood the log.
 */
void yc__p2p_note_failed_handshake(struct p2p_conn *c, const char *why);
/* True when a message to/from validator v is dropped by the fault hook (tests only). */
bool yc__p2p_fault_drops(struct p2p *p, uint32_t v);

/* p2p_conn.c */
/* Allocates a connection, initialises its handles and links it; NULL on ENOMEM. */
struct p2p_conn *yc__p2p_conn_new(struct p2p *p, bool outbound);
/* Starts the handshake on a connected socket (reads, timer, hello if initiator). */
void yc__p2p_conn_begin(struct p2p_conn *c);
/* Closes c (idempotent). violation: a protocol breach, counted and logged as such. */
void yc__p2p_conn_close(struct p2p_conn *c, const char *why, bool violation);
/* Seals `type ‖ bytes` and queues it. YC_OK, or an error after which c is doomed. */
int yc__p2p_conn_send(struct p2p_conn *c, uint8_t type, const uint8_t *bytes, size_t len);
/* Marks c to be closed on the next turn (used from API calls: no callbacks inside);
 * violation as for yc__p2p_conn_close. */
void yc__p2p_conn_doom(struct p2p_conn *c, const char *why, bool violation);
/* Closes c (not a violation) once ms pass unless it is identified by then. */
void yc__p2p_conn_linger(struct p2p_conn *c, uint32_t ms);
/* Stops sending on c, flushes and closes it once the peer closes or P2P_DRAIN_MS pass. */
void yc__p2p_conn_drain(struct p2p_conn *c);

#endif
