/*
 * fuzz_p2p_frame.c — the node-to-node channel's parsers (node/src/net/p2p_secure.h;
 * TESTING.md D1, and the malformed frames of D2 and the handshakes of E5, by mutation).
 *
 * A fixed handshake between validator 0 (initiator) and validator 1 (responder) with
 * fixed ephemeral seeds gives fixed sessions. The first input byte picks what the rest
 * is fed to (mode = byte % 4):
 *   0  a stream of frames into the responder's session: p2p_frame_len on each header,
 *      then p2p_open on header + ciphertext, until the input ends or a frame is refused
 *      (as p2p_conn.c does: a refused frame ends the connection);
 *   1  p2p_hs_on_hello on a fresh responder;
 *   2  p2p_hs_on_reply on the initiator that sent the fixed hello;
 *   3  p2p_hs_on_auth on the responder that answered the fixed hello.
 *
 * Properties, any violation aborts:
 * - no function crashes or reads out of bounds, whatever the bytes;
 * - p2p_frame_len refuses (before anything is allocated) every declared length under
 *   the MAC or over max_frame + MAC, and accepts the others;
 * - a frame that opens is exactly what sealing its plaintext gives with the sender's
 *   session at the same counter (encode(decode(b)) == b; no second form of a frame);
 * - a handshake step that refuses leaves the handshake FAILED (every later step is
 *   refused); one that accepts authenticates exactly the key in the message.
 */
/* yc-fuzz-link: yc_node */
/* yc-fuzz-src: fixture.c */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "fixture.h"
#include "p2p_secure.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define MAX_FRAME FZ_P2P_MAX_FRAME

static yc_signer *sig_i, *sig_r;
static struct p2p_hs hs_r_fresh;   /* responder before hello */
static struct p2p_hs hs_i_hello;   /* initiator after sending hello */
static struct p2p_hs hs_r_replied; /* responder after answering hello */
static struct p2p_session sess_i, sess_r;

/* Signers live in sodium_malloc'ed memory, which LeakSanitizer does not scan: free them at
 * exit so that what they point to is not reported as leaked. */
static void cleanup(void)
{
    yc_signer_destroy(sig_i);
    yc_signer_destroy(sig_r);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    uint8_t seed_i[32], seed_r[32];
    uint8_t hello[P2P_HELLO_LEN], reply[P2P_REPLY_LEN], auth[P2P_AUTH_LEN];
    struct p2p_hs hs_i;

    (void)argc;
    (void)argv;
    if (sodium_init() < 0) {
        abort();
    }
    sig_i = fz_signer(0);
    sig_r = fz_signer(1);
    atexit(cleanup);
    memset(seed_i, FZ_P2P_SEED_I, sizeof seed_i);
    memset(seed_r, FZ_P2P_SEED_R, sizeof seed_r);
    if (p2p_hs_init(&hs_i, true, FZ_CHAIN, seed_i) != YC_OK ||
        p2p_hs_init(&hs_r_fresh, false, FZ_CHAIN, seed_r) != YC_OK ||
        p2p_hs_hello(&hs_i, hello) != YC_OK) {
        abort();
    }
    hs_i_hello = hs_i;
    hs_r_replied = hs_r_fresh;
    if (p2p_hs_on_hello(&hs_r_replied, hello, sizeof hello, sig_r, reply) != YC_OK) {
        abort();
    }
    struct p2p_hs r = hs_r_replied;
    if (p2p_hs_on_reply(&hs_i, reply, sizeof reply, sig_i, auth, &sess_i, MAX_FRAME) != YC_OK ||
        p2p_hs_on_auth(&r, auth, sizeof auth, &sess_r, MAX_FRAME) != YC_OK) {
        abort();
    }
    return 0;
}

static uint32_t get_u32be(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void frames(const uint8_t *data, size_t size)
{
    struct p2p_session rx = sess_r; /* the responder receives */
    struct p2p_session tx = sess_i; /* what the initiator would have sealed */
    size_t off = 0;

    while (size - off >= P2P_FRAME_HDR) {
        size_t clen;
        uint32_t declared = get_u32be(data + off);
        int rc = p2p_frame_len(&rx, data + off, &clen);
        bool in_range = declared >= P2P_MAC_LEN && declared <= MAX_FRAME + P2P_MAC_LEN;
        if ((rc == YC_OK) != in_range || (rc == YC_OK && clen != declared)) {
            abort();
        }
        if (rc != YC_OK || clen > size - off - P2P_FRAME_HDR) {
            return; /* dropped before reading the body / the stream ends mid-frame */
        }
        size_t flen = P2P_FRAME_HDR + clen;
        uint8_t *plain = malloc(clen);
        uint8_t *again = malloc(flen);
        size_t plen;
        if (plain == NULL || again == NULL) {
            abort();
        }
        rc = p2p_open(&rx, data + off, flen, plain, &plen);
        if (rc == YC_OK) {
            if (plen != clen - P2P_MAC_LEN || p2p_sealed_len(plen) != flen ||
                p2p_seal(&tx, plain, plen, again) != YC_OK ||
                memcmp(again, data + off, flen) != 0) {
                abort();
            }
        } else if (rc != YC_EBADMSG || plen != 0) {
            abort();
        }
        free(plain);
        free(again);
        if (rc != YC_OK) {
            return; /* a MAC failure ends the session */
        }
        off += flen;
    }
}

/* After a refusal, the handshake is FAILED and refuses everything. */
static void check_failed(struct p2p_hs *hs, const uint8_t *in, size_t len)
{
    uint8_t out[P2P_REPLY_LEN + P2P_AUTH_LEN];
    struct p2p_session s;
    if (hs->state != P2P_HS_FAILED) {
        abort();
    }
    if (p2p_hs_on_hello(hs, in, len, sig_r, out) == YC_OK ||
        p2p_hs_on_reply(hs, in, len, sig_i, out, &s, MAX_FRAME) == YC_OK ||
        p2p_hs_on_auth(hs, in, len, &s, MAX_FRAME) == YC_OK) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t out[P2P_REPLY_LEN];
    struct p2p_session s;
    struct p2p_hs hs;
    int rc;

    if (size == 0) {
        return 0;
    }
    const uint8_t *in = data + 1;
    size_t len = size - 1;
    switch (data[0] % 4) {
    case 0:
        frames(in, len);
        break;
    case 1:
        hs = hs_r_fresh;
        rc = p2p_hs_on_hello(&hs, in, len, sig_r, out);
        if (rc != YC_OK) {
            check_failed(&hs, in, len);
        } else if (hs.state != P2P_HS_SENT_REPLY || len != P2P_HELLO_LEN) {
            abort();
        }
        break;
    case 2:
        hs = hs_i_hello;
        rc = p2p_hs_on_reply(&hs, in, len, sig_i, out, &s, MAX_FRAME);
        if (rc != YC_OK) {
            check_failed(&hs, in, len);
        } else if (hs.state != P2P_HS_DONE || len != P2P_REPLY_LEN ||
                   memcmp(s.peer_pub, in + 32, YC_PUBKEY_LEN) != 0 || s.max_frame != MAX_FRAME) {
            abort();
        }
        p2p_session_cleanup(&s);
        break;
    default:
        hs = hs_r_replied;
        rc = p2p_hs_on_auth(&hs, in, len, &s, MAX_FRAME);
        if (rc != YC_OK) {
            check_failed(&hs, in, len);
        } else if (hs.state != P2P_HS_DONE || len != P2P_AUTH_LEN ||
                   memcmp(s.peer_pub, in, YC_PUBKEY_LEN) != 0) {
            abort();
        }
        p2p_session_cleanup(&s);
        break;
    }
    return 0;
}
