/* transport_tls: TLS (OpenSSL) as a layer over any httpref_transport, itself a transport. */
#ifndef HTTPREF_TRANSPORT_TLS_H
#define HTTPREF_TRANSPORT_TLS_H

#include <stddef.h>
#include <stdint.h>
#include "httpref.h"

/* what the caller asked of verification (httpref_set_ca, HTTPREF_OPT_INSECURE) */
typedef struct tls_config {
    char *ca_file, *ca_path; /* NULL: the system's default trust store */
    int insecure;            /* 1: no certificate or host name check (-k) */
} tls_config;

typedef struct tls_ctx {
    void *ssl_ctx, *ssl;       /* SSL_CTX *, SSL * (void: no OpenSSL in this header) */
    const tls_config *cfg;     /* ssl_ctx was built from it (tls_reset when it changes) */
    httpref_transport inner;   /* the TCP (or custom) connection under the TLS records */
    char *pre;                 /* tunnel bytes read with the CONNECT reply, fed first (PX-06) */
    size_t pre_pos, pre_len;
    int64_t until;             /* hx_now_ms() bound of the current send/recv/handshake */
    httpref_code io_rc;        /* the inner transport's failure, if it was one */
    int inner_eof;             /* the inner transport saw an orderly EOF */
    char err[256];
} tls_ctx;

/* 1 when this build has TLS (HTTPREF_TLS), else 0 */
int tls_available(void);

/* the SSL_CTX for cfg (trust store loaded), built once: a CA that cannot be
 * loaded fails here, before any connection (TLS_SETUP; URL_SCHEME without TLS) */
httpref_code tls_prepare(tls_ctx *t, const tls_config *cfg);

/* Handshake with host over the connected inner transport, pre[0..pre_len)
 * read first, verifying the certificate chain and the name (or IP literal)
 * unless cfg->insecure, all within timeout_ms. Then tls_transport gives the
 * vtable that sends and receives through it. On failure the inner
 * transport is closed and t->err says why (TLS_HANDSHAKE, TLS_VERIFY,
 * TLS_SETUP, or the inner transport's own timeout or error code). */
httpref_code tls_start(tls_ctx *t, const tls_config *cfg, const httpref_transport *inner, const char *host,
                       const char *pre, size_t pre_len, int timeout_ms);

/* the vtable over t: send, recv (got 0 only after close_notify; an EOF
 * without it is HTTPREF_E_TLS_TRUNCATED), close (close_notify, then the inner
 * close), strerror */
void tls_transport(httpref_transport *tr, tls_ctx *t);

/* one line for -v: protocol, cipher, the certificate's subject and issuer */
void tls_describe(const tls_ctx *t, char *buf, size_t cap);

/* decrypted bytes or a close are waiting on an idle connection: it cannot be reused */
int tls_pending(const tls_ctx *t);

/* free the SSL_CTX (the configuration changed, or the handle goes) */
void tls_reset(tls_ctx *t);

#endif
