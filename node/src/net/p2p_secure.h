/*
 * p2p_secure.h — the authenticated, encrypted node-to-node channel (DESIGN.md §7),
 * without sockets: byte strings in, byte strings out, so it is tested directly.
 *
 * Handshake (three fixed-size messages, grammar in docs/p2p.md):
 *   hello = u8 version(1) ‖ chain_tag[32] ‖ eph_i[32]                initiator → responder
 *   reply = eph_r[32] ‖ pub_r[33] ‖ sig_r[65]                        responder → initiator
 *   auth  = pub_i[33] ‖ sig_i[65]                                    initiator → responder
 * chain_tag = SHA-256(chain_id); T = SHA-256("yuchain/p2p/v1" ‖ chain_tag ‖ eph_i ‖ eph_r);
 * sig_r signs H(YC_TAG_P2P, chain_id, T ‖ "R" ‖ pub_r), sig_i signs H(…, T ‖ "I" ‖ pub_i),
 * each with the node's long-term key (validator key, or node key for an observer). Both
 * signatures cover both ephemeral keys, so a man in the middle who swaps them breaks the
 * signature; the session keys come from crypto_kx over the ephemeral keys (low-order
 * points make crypto_kx fail, and the handshake with it).
 *
 * Frames after the handshake: u32be(clen) ‖ ChaCha20-Poly1305-IETF ciphertext of clen
 * bytes (plaintext + 16-byte tag), nonce = 0x00000000 ‖ u64le(counter) per direction,
 * the 4-byte header as associated data. A frame whose declared length exceeds the
 * maximum is refused before anything is allocated; any MAC failure ends the session.
 *
 * Thread-safety: a handshake or session belongs to one connection on one thread.
 */
#ifndef YC_P2P_SECURE_H
#define YC_P2P_SECURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "yc/err.h"
#include "yc/hash.h"
#include "yc/keys.h"

#define YC_TAG_P2P "yuchain/p2p/v1"
#define P2P_VERSION 2 /* 2: message types 7-9, proposals by tx ids (docs/p2p.md) */
#define P2P_HELLO_LEN (1 + 32 + 32)
#define P2P_REPLY_LEN (32 + YC_PUBKEY_LEN + YC_SIG_LEN)
#define P2P_AUTH_LEN (YC_PUBKEY_LEN + YC_SIG_LEN)
#define P2P_FRAME_HDR 4
#define P2P_MAC_LEN 16

enum p2p_hs_state {
    P2P_HS_START = 0,
    P2P_HS_SENT_HELLO,
    P2P_HS_SENT_REPLY,
    P2P_HS_DONE,
    P2P_HS_FAILED
};

struct p2p_session {
    uint8_t rx_key[crypto_kx_SESSIONKEYBYTES];
    uint8_t tx_key[crypto_kx_SESSIONKEYBYTES];
    uint64_t rx_ctr, tx_ctr;
    uint8_t peer_pub[YC_PUBKEY_LEN]; /* authenticated long-term key of the peer */
    uint32_t max_frame;              /* maximum plaintext bytes of one frame */
};

struct p2p_hs {
    enum p2p_hs_state state;
    bool initiator;
    char chain_id[YC_CHAIN_ID_MAX + 1];
    uint8_t chain_tag[32];
    uint8_t eph_pk[crypto_kx_PUBLICKEYBYTES];
    uint8_t eph_sk[crypto_kx_SECRETKEYBYTES];
    uint8_t peer_eph[crypto_kx_PUBLICKEYBYTES];
    uint8_t transcript[32];
};

/*
 * Starts a handshake. `eph_seed` is 32 fresh random bytes (randombytes_buf in the
 * node; fixed in tests). Returns YC_OK or YC_EINVAL (chain id too long).
 */
int p2p_hs_init(struct p2p_hs *hs, bool initiator, const char *chain_id,
                const uint8_t eph_seed[32]);
/* Wipes the ephemeral secret. */
void p2p_hs_cleanup(struct p2p_hs *hs);

/* Initiator: writes hello. */
int p2p_hs_hello(struct p2p_hs *hs, uint8_t out[P2P_HELLO_LEN]);
/* Responder: reads hello (YC_EBADMSG: wrong version or chain), writes reply signed by `me`. */
int p2p_hs_on_hello(struct p2p_hs *hs, const uint8_t *in, size_t len, const yc_signer *me,
                    uint8_t out[P2P_REPLY_LEN]);
/* Initiator: checks reply (YC_EBADSIG), writes auth, fills *sess (peer_pub = responder). */
int p2p_hs_on_reply(struct p2p_hs *hs, const uint8_t *in, size_t len, const yc_signer *me,
                    uint8_t out[P2P_AUTH_LEN], struct p2p_session *sess, uint32_t max_frame);
/* Responder: checks auth (YC_EBADSIG), fills *sess (peer_pub = initiator). */
int p2p_hs_on_auth(struct p2p_hs *hs, const uint8_t *in, size_t len, struct p2p_session *sess,
                   uint32_t max_frame);

/* Wipes the session keys. */
void p2p_session_cleanup(struct p2p_session *s);

/* Bytes a sealed frame of `len` plaintext bytes takes. */
size_t p2p_sealed_len(size_t len);
/* Seals `len` bytes into out (p2p_sealed_len(len) bytes). YC_ELIMIT if len > max_frame. */
int p2p_seal(struct p2p_session *s, const uint8_t *msg, size_t len, uint8_t *out);
/*
 * Reads a frame header: *clen gets the ciphertext length that follows. Returns YC_OK,
 * or YC_ETOOLARGE when the declared length is over max_frame + MAC (or under the MAC):
 * the caller drops the connection without reading or allocating the body.
 */
int p2p_frame_len(const struct p2p_session *s, const uint8_t hdr[P2P_FRAME_HDR], size_t *clen);
/* Opens header+ciphertext (P2P_FRAME_HDR + clen bytes) into out (clen - 16 bytes).
 * YC_EBADMSG on a MAC failure: the session must end. */
int p2p_open(struct p2p_session *s, const uint8_t *frame, size_t len, uint8_t *out, size_t *outlen);

#endif
