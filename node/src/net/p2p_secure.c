/*
 * p2p_secure.c — handshake and frame sealing of the node-to-node channel.
 *
 * Invariants: no session exists before both long-term signatures verified over a
 * transcript that contains both ephemeral keys; counters only grow, so a nonce is
 * never reused under one key; a failed step moves the handshake to FAILED and every
 * later call refuses.
 */
#include <string.h>

#include "p2p_secure.h"

static void put_u32be(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get_u32be(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void make_nonce(uint8_t nonce[crypto_aead_chacha20poly1305_IETF_NPUBBYTES], uint64_t ctr)
{
    memset(nonce, 0, crypto_aead_chacha20poly1305_IETF_NPUBBYTES);
    for (int i = 0; i < 8; i++)
        nonce[4 + i] = (uint8_t)(ctr >> (8 * i));
}

/* T = SHA-256(tag ‖ chain_tag ‖ eph_i ‖ eph_r) */
static void make_transcript(struct p2p_hs *hs, const uint8_t eph_i[32], const uint8_t eph_r[32])
{
    struct yc_sha256_ctx st;
    yc_sha256_init(&st);
    yc_sha256_update(&st, (const uint8_t *)YC_TAG_P2P, strlen(YC_TAG_P2P));
    yc_sha256_update(&st, hs->chain_tag, 32);
    yc_sha256_update(&st, eph_i, 32);
    yc_sha256_update(&st, eph_r, 32);
    yc_sha256_final(&st, hs->transcript);
}

/* The hash a side signs: H(p2p tag, chain, T ‖ role ‖ pub). */
static void signed_hash(const struct p2p_hs *hs, char role, const uint8_t pub[YC_PUBKEY_LEN],
                        uint8_t out[32])
{
    uint8_t buf[32 + 1 + YC_PUBKEY_LEN];
    memcpy(buf, hs->transcript, 32);
    buf[32] = (uint8_t)role;
    memcpy(buf + 33, pub, YC_PUBKEY_LEN);
    yc_hash_tagged(out, YC_TAG_P2P, hs->chain_id, buf, sizeof buf);
}

static int fail(struct p2p_hs *hs, int err)
{
    hs->state = P2P_HS_FAILED;
    sodium_memzero(hs->eph_sk, sizeof hs->eph_sk);
    return err;
}

int p2p_hs_init(struct p2p_hs *hs, bool initiator, const char *chain_id, const uint8_t eph_seed[32])
{
    size_t n = strlen(chain_id);
    memset(hs, 0, sizeof *hs);
    if (n == 0 || n > YC_CHAIN_ID_MAX)
        return YC_EINVAL;
    memcpy(hs->chain_id, chain_id, n);
    hs->initiator = initiator;
    yc_sha256(hs->chain_tag, (const uint8_t *)chain_id, n);
    if (crypto_kx_seed_keypair(hs->eph_pk, hs->eph_sk, eph_seed) != 0)
        return YC_EINVAL;
    hs->state = P2P_HS_START;
    return YC_OK;
}

void p2p_hs_cleanup(struct p2p_hs *hs)
{
    sodium_memzero(hs, sizeof *hs);
}

int p2p_hs_hello(struct p2p_hs *hs, uint8_t out[P2P_HELLO_LEN])
{
    if (!hs->initiator || hs->state != P2P_HS_START)
        return YC_EINVAL;
    out[0] = P2P_VERSION;
    memcpy(out + 1, hs->chain_tag, 32);
    memcpy(out + 33, hs->eph_pk, 32);
    hs->state = P2P_HS_SENT_HELLO;
    return YC_OK;
}

int p2p_hs_on_hello(struct p2p_hs *hs, const uint8_t *in, size_t len, const yc_signer *me,
                    uint8_t out[P2P_REPLY_LEN])
{
    uint8_t pub[YC_PUBKEY_LEN], h[32], aux[32];
    if (hs->initiator || hs->state != P2P_HS_START)
        return YC_EINVAL;
    if (len != P2P_HELLO_LEN || in[0] != P2P_VERSION ||
        sodium_memcmp(in + 1, hs->chain_tag, 32) != 0)
        return fail(hs, YC_EBADMSG);
    memcpy(hs->peer_eph, in + 33, 32);
    make_transcript(hs, hs->peer_eph, hs->eph_pk);
    yc_signer_pubkey(me, pub);
    signed_hash(hs, 'R', pub, h);
    memcpy(aux, hs->transcript, 32); /* BIP-340 aux: any value is safe; the nonce is keyed */
    memcpy(out, hs->eph_pk, 32);
    memcpy(out + 32, pub, YC_PUBKEY_LEN);
    if (yc_sig_sign(me, out + 32 + YC_PUBKEY_LEN, h, aux) != YC_OK)
        return fail(hs, YC_EINVAL);
    hs->state = P2P_HS_SENT_REPLY;
    return YC_OK;
}

int p2p_hs_on_reply(struct p2p_hs *hs, const uint8_t *in, size_t len, const yc_signer *me,
                    uint8_t out[P2P_AUTH_LEN], struct p2p_session *sess, uint32_t max_frame)
{
    uint8_t h[32], aux[32], pub[YC_PUBKEY_LEN];
    const uint8_t *peer_pub = in + 32;
    memset(sess, 0, sizeof *sess);
    if (!hs->initiator || hs->state != P2P_HS_SENT_HELLO)
        return YC_EINVAL;
    if (len != P2P_REPLY_LEN)
        return fail(hs, YC_EBADMSG);
    memcpy(hs->peer_eph, in, 32);
    make_transcript(hs, hs->eph_pk, hs->peer_eph);
    signed_hash(hs, 'R', peer_pub, h);
    if (!yc_sig_verify(in + 32 + YC_PUBKEY_LEN, h, peer_pub))
        return fail(hs, YC_EBADSIG);
    if (crypto_kx_client_session_keys(sess->rx_key, sess->tx_key, hs->eph_pk, hs->eph_sk,
                                      hs->peer_eph) != 0)
        return fail(hs, YC_EBADMSG);
    yc_signer_pubkey(me, pub);
    signed_hash(hs, 'I', pub, h);
    memcpy(aux, hs->transcript, 32);
    memcpy(out, pub, YC_PUBKEY_LEN);
    if (yc_sig_sign(me, out + YC_PUBKEY_LEN, h, aux) != YC_OK) {
        p2p_session_cleanup(sess);
        return fail(hs, YC_EINVAL);
    }
    memcpy(sess->peer_pub, peer_pub, YC_PUBKEY_LEN);
    sess->max_frame = max_frame;
    sodium_memzero(hs->eph_sk, sizeof hs->eph_sk);
    hs->state = P2P_HS_DONE;
    return YC_OK;
}

int p2p_hs_on_auth(struct p2p_hs *hs, const uint8_t *in, size_t len, struct p2p_session *sess,
                   uint32_t max_frame)
{
    uint8_t h[32];
    memset(sess, 0, sizeof *sess);
    if (hs->initiator || hs->state != P2P_HS_SENT_REPLY)
        return YC_EINVAL;
    if (len != P2P_AUTH_LEN)
        return fail(hs, YC_EBADMSG);
    signed_hash(hs, 'I', in, h);
    if (!yc_sig_verify(in + YC_PUBKEY_LEN, h, in))
        return fail(hs, YC_EBADSIG);
    if (crypto_kx_server_session_keys(sess->rx_key, sess->tx_key, hs->eph_pk, hs->eph_sk,
                                      hs->peer_eph) != 0)
        return fail(hs, YC_EBADMSG);
    memcpy(sess->peer_pub, in, YC_PUBKEY_LEN);
    sess->max_frame = max_frame;
    sodium_memzero(hs->eph_sk, sizeof hs->eph_sk);
    hs->state = P2P_HS_DONE;
    return YC_OK;
}

void p2p_session_cleanup(struct p2p_session *s)
{
    sodium_memzero(s, sizeof *s);
}

size_t p2p_sealed_len(size_t len)
{
    return P2P_FRAME_HDR + len + P2P_MAC_LEN;
}

int p2p_seal(struct p2p_session *s, const uint8_t *msg, size_t len, uint8_t *out)
{
    uint8_t nonce[crypto_aead_chacha20poly1305_IETF_NPUBBYTES];
    unsigned long long clen = 0;
    if (len > s->max_frame || s->tx_ctr == UINT64_MAX)
        return YC_ELIMIT;
    put_u32be(out, (uint32_t)(len + P2P_MAC_LEN));
    make_nonce(nonce, s->tx_ctr);
    if (crypto_aead_chacha20poly1305_ietf_encrypt(out + P2P_FRAME_HDR, &clen, msg, len, out,
                                                  P2P_FRAME_HDR, NULL, nonce, s->tx_key) != 0)
        return YC_EINVAL;
    s->tx_ctr++;
    return YC_OK;
}

int p2p_frame_len(const struct p2p_session *s, const uint8_t hdr[P2P_FRAME_HDR], size_t *clen)
{
    uint32_t n = get_u32be(hdr);
    *clen = 0;
    if (n < P2P_MAC_LEN || (uint64_t)n > (uint64_t)s->max_frame + P2P_MAC_LEN)
        return YC_ETOOLARGE;
    *clen = n;
    return YC_OK;
}

int p2p_open(struct p2p_session *s, const uint8_t *frame, size_t len, uint8_t *out, size_t *outlen)
{
    uint8_t nonce[crypto_aead_chacha20poly1305_IETF_NPUBBYTES];
    unsigned long long mlen = 0;
    size_t clen;
    *outlen = 0;
    if (len < P2P_FRAME_HDR || p2p_frame_len(s, frame, &clen) != YC_OK ||
        clen != len - P2P_FRAME_HDR || s->rx_ctr == UINT64_MAX)
        return YC_EBADMSG;
    make_nonce(nonce, s->rx_ctr);
    if (crypto_aead_chacha20poly1305_ietf_decrypt(out, &mlen, NULL, frame + P2P_FRAME_HDR, clen,
                                                  frame, P2P_FRAME_HDR, nonce, s->rx_key) != 0)
        return YC_EBADMSG;
    s->rx_ctr++;
    *outlen = (size_t)mlen;
    return YC_OK;
}
