/*
 * transport_tls: TLS through OpenSSL, layered over another httpref_transport
 * (curl's connection filters): the records go through a BIO whose read and
 * write are the inner transport's recv and send, so the same code runs over
 * the default TCP transport, a CONNECT tunnel (whose first bytes may already
 * sit in the receive buffer, PX-06) and a custom transport such as the Lua
 * binding's `create` socket. Every inner call is bounded by what is left of
 * the current operation's time, so the handshake is bounded by the connect
 * (or total) deadline and no step blocks longer than its timeout.
 *
 * Strict by default: the chain must lead to a trusted CA and the
 * certificate must name the host (RFC 9110 §4.3.4, RFC 6125), IP literals
 * against iPAddress entries; SNI for names only (RFC 6066 §3). An EOF
 * without close_notify is an error, never the end of a body (RFC 8446 §6.1:
 * a truncation attack looks just like it; FR-36).
 */
#define _POSIX_C_SOURCE 200809L
#include "transport_tls.h"
#include "hx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef HTTPREF_HAVE_TLS

int tls_available(void)
{
    return 0;
}

httpref_code tls_prepare(tls_ctx *t, const tls_config *cfg)
{
    (void)cfg;
    snprintf(t->err, sizeof t->err, "https needs a build with TLS (cmake -DHTTPREF_TLS=ON and libssl-dev)");
    return HTTPREF_E_URL_SCHEME;
}

httpref_code tls_start(tls_ctx *t, const tls_config *cfg, const httpref_transport *inner, const char *host,
                       const char *pre, size_t pre_len, int timeout_ms)
{
    (void)cfg, (void)host, (void)pre, (void)pre_len, (void)timeout_ms;
    inner->close(inner->ctx);
    snprintf(t->err, sizeof t->err, "https needs a build with TLS (cmake -DHTTPREF_TLS=ON and libssl-dev)");
    return HTTPREF_E_URL_SCHEME;
}

void tls_transport(httpref_transport *tr, tls_ctx *t)
{
    (void)tr, (void)t;
}

void tls_describe(const tls_ctx *t, char *buf, size_t cap)
{
    (void)t;
    snprintf(buf, cap, "no TLS in this build");
}

int tls_pending(const tls_ctx *t)
{
    (void)t;
    return 0;
}

void tls_reset(tls_ctx *t)
{
    (void)t;
}

#else

#include <arpa/inet.h>
#include <limits.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

int tls_available(void)
{
    return 1;
}

/* ---- the BIO: OpenSSL's records over the inner transport ---- */

static BIO_METHOD *bio_method;
static CRYPTO_ONCE bio_once = CRYPTO_ONCE_STATIC_INIT;

static int left_ms(const tls_ctx *t)
{
    int64_t ms = t->until - hx_now_ms();
    return ms < 1 ? 0 : ms > INT_MAX ? INT_MAX : (int)ms;
}

/* the inner transport failed: keep its code and its words */
static int inner_failed(tls_ctx *t, httpref_code rc)
{
    const char *why = t->inner.strerror ? t->inner.strerror(t->inner.ctx) : NULL;
    t->io_rc = rc;
    snprintf(t->err, sizeof t->err, "%s", why && *why ? why : httpref_strerror(rc));
    return -1;
}

static int bio_read(BIO *b, char *buf, int len)
{
    tls_ctx *t = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    if (len <= 0)
        return 0;
    if (t->pre_pos < t->pre_len) { /* the tunnel's first bytes, read with the CONNECT reply */
        size_t n = t->pre_len - t->pre_pos < (size_t)len ? t->pre_len - t->pre_pos : (size_t)len;
        memcpy(buf, t->pre + t->pre_pos, n);
        t->pre_pos += n;
        return (int)n;
    }
    int ms = left_ms(t);
    size_t got = 0;
    if (!ms) {
        t->io_rc = HTTPREF_E_TIMEOUT;
        snprintf(t->err, sizeof t->err, "no TLS data received in time");
        return -1;
    }
    httpref_code rc = t->inner.recv(t->inner.ctx, buf, (size_t)len, &got, ms);
    if (rc != HTTPREF_OK)
        return inner_failed(t, rc);
    if (got == 0)
        t->inner_eof = 1;
    return (int)got;
}

static int bio_write(BIO *b, const char *buf, int len)
{
    tls_ctx *t = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    int ms = left_ms(t);
    if (!ms) {
        t->io_rc = HTTPREF_E_TIMEOUT;
        snprintf(t->err, sizeof t->err, "no progress sending TLS records in time");
        return -1;
    }
    httpref_code rc = len > 0 ? t->inner.send(t->inner.ctx, buf, (size_t)len, ms) : HTTPREF_OK;
    return rc == HTTPREF_OK ? len : inner_failed(t, rc);
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    (void)b, (void)num, (void)ptr;
    return cmd == BIO_CTRL_FLUSH; /* writes go out at once: nothing to flush */
}

static int bio_create(BIO *b)
{
    BIO_set_init(b, 1);
    return 1;
}

static void make_bio_method(void)
{
    bio_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "httpref transport");
    if (bio_method) {
        BIO_meth_set_read(bio_method, bio_read);
        BIO_meth_set_write(bio_method, bio_write);
        BIO_meth_set_ctrl(bio_method, bio_ctrl);
        BIO_meth_set_create(bio_method, bio_create);
    }
}

#if defined(__GNUC__)
/* the method lives as long as the code it points into: when a dlopen'ed user of
 * the library (the Lua binding's core.so) is unloaded at lua_close, the pointer
 * goes with it, and LeakSanitizer rightly calls the method a leak */
__attribute__((destructor)) static void free_bio_method(void)
{
    BIO_meth_free(bio_method);
    bio_method = NULL;
}
#endif

/* ---- the context: trust store and protocol floor, once per handle ---- */

static const char *last_ssl_error(char *buf, size_t cap)
{
    unsigned long e = ERR_peek_last_error();
    if (!e)
        return "no further detail from OpenSSL";
    ERR_error_string_n(e, buf, cap);
    return buf;
}

static httpref_code make_ctx(tls_ctx *t, const tls_config *cfg)
{
    static const unsigned char alpn[] = "\x08http/1.1";
    char why[160];
    SSL_CTX *c = SSL_CTX_new(TLS_client_method());
    if (!c || !CRYPTO_THREAD_run_once(&bio_once, make_bio_method) || !bio_method) {
        SSL_CTX_free(c);
        snprintf(t->err, sizeof t->err, "TLS setup failed: %.160s", last_ssl_error(why, sizeof why));
        return HTTPREF_E_TLS_SETUP;
    }
    SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION); /* RFC 8996: no TLS 1.0/1.1 */
    SSL_CTX_set_verify(c, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_alpn_protos(c, alpn, sizeof alpn - 1);
    SSL_CTX_set_read_ahead(c, 1); /* one inner read may carry several records */
    int ok = cfg->ca_file || cfg->ca_path ? SSL_CTX_load_verify_locations(c, cfg->ca_file, cfg->ca_path)
                                          : SSL_CTX_set_default_verify_paths(c);
    if (ok != 1) {
        snprintf(t->err, sizeof t->err, "cannot load the CA %s %.100s: %.120s", cfg->ca_file ? "file" : "directory",
                 cfg->ca_file ? cfg->ca_file : cfg->ca_path ? cfg->ca_path : "(default)",
                 last_ssl_error(why, sizeof why));
        SSL_CTX_free(c);
        return HTTPREF_E_TLS_SETUP;
    }
    t->ssl_ctx = c;
    t->cfg = cfg;
    return HTTPREF_OK;
}

httpref_code tls_prepare(tls_ctx *t, const tls_config *cfg)
{
    if (t->ssl_ctx && t->cfg != cfg)
        tls_reset(t);
    return t->ssl_ctx ? HTTPREF_OK : make_ctx(t, cfg);
}

void tls_reset(tls_ctx *t)
{
    free(t->pre);
    t->pre = NULL;
    SSL_CTX_free(t->ssl_ctx);
    t->ssl_ctx = NULL;
}

/* ---- the handshake ---- */

static int is_ip_literal(const char *host)
{
    unsigned char a[16];
    return inet_pton(AF_INET, host, a) == 1 || inet_pton(AF_INET6, host, a) == 1;
}

/* the certificate check, the name (or address) it must carry, SNI */
static int setup_ssl(tls_ctx *t, const char *host)
{
    SSL *s = SSL_new(t->ssl_ctx);
    BIO *b = s ? BIO_new(bio_method) : NULL;
    if (!b) {
        SSL_free(s);
        return -1;
    }
    BIO_set_data(b, t);
    SSL_set_bio(s, b, b);
    t->ssl = s;
    int ip = is_ip_literal(host);
    if (!ip && SSL_set_tlsext_host_name(s, host) != 1) /* SNI carries DNS names only (RFC 6066 §3) */
        return -1;
    if (t->cfg->insecure) {
        SSL_set_verify(s, SSL_VERIFY_NONE, NULL);
        return 0;
    }
    X509_VERIFY_PARAM *vp = SSL_get0_param(s);
    X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    return (ip ? X509_VERIFY_PARAM_set1_ip_asc(vp, host) : X509_VERIFY_PARAM_set1_host(vp, host, 0)) == 1 ? 0 : -1;
}

/* why SSL_connect failed, as the code the caller sees */
static httpref_code handshake_failed(tls_ctx *t, const char *host, int timeout_ms)
{
    char why[160];
    long v = SSL_get_verify_result(t->ssl);
    if (t->io_rc == HTTPREF_E_TIMEOUT) {
        snprintf(t->err, sizeof t->err, "TLS handshake with %.80s did not finish within %d ms", host, timeout_ms);
        return HTTPREF_E_CONNECT_TIMEOUT;
    }
    if (v == X509_V_ERR_HOSTNAME_MISMATCH || v == X509_V_ERR_IP_ADDRESS_MISMATCH) {
        snprintf(t->err, sizeof t->err, "the certificate of %.80s does not name it: %.60s (use the name it was "
                 "issued for, or -k at your own risk)", host, X509_verify_cert_error_string(v));
        return HTTPREF_E_TLS_VERIFY;
    }
    if (v != X509_V_OK) {
        snprintf(t->err, sizeof t->err, "the certificate of %.80s is not trusted: %.80s (give its CA with --cacert)",
                 host, X509_verify_cert_error_string(v));
        return HTTPREF_E_TLS_VERIFY;
    }
    if (t->io_rc != HTTPREF_OK) {
        char inner[sizeof t->err];
        memcpy(inner, t->err, sizeof inner);
        snprintf(t->err, sizeof t->err, "TLS handshake with %.80s failed: %.140s", host, inner);
    } else if (t->inner_eof) {
        snprintf(t->err, sizeof t->err, "%.80s closed the connection during the TLS handshake", host);
    } else {
        snprintf(t->err, sizeof t->err, "TLS handshake with %.80s failed: %.140s", host,
                 last_ssl_error(why, sizeof why));
    }
    return HTTPREF_E_TLS_HANDSHAKE;
}

static void drop_ssl(tls_ctx *t)
{
    SSL_free(t->ssl); /* frees the BIO too */
    t->ssl = NULL;
    free(t->pre);
    t->pre = NULL;
    t->pre_pos = t->pre_len = 0;
    t->inner.close(t->inner.ctx);
}

httpref_code tls_start(tls_ctx *t, const tls_config *cfg, const httpref_transport *inner, const char *host,
                       const char *pre, size_t pre_len, int timeout_ms)
{
    t->inner = *inner;
    free(t->pre); /* a copy: the receive buffer they came from is about to be reused */
    t->pre = pre_len ? malloc(pre_len) : NULL;
    t->pre_pos = 0;
    t->pre_len = t->pre ? pre_len : 0;
    if (t->pre)
        memcpy(t->pre, pre, pre_len);
    t->io_rc = HTTPREF_OK;
    t->inner_eof = 0;
    t->err[0] = 0;
    httpref_code rc = tls_prepare(t, cfg);
    if (rc != HTTPREF_OK) {
        inner->close(inner->ctx);
        return rc;
    }
    ERR_clear_error();
    if (setup_ssl(t, host)) {
        char why[160];
        snprintf(t->err, sizeof t->err, "TLS setup for %.80s failed: %.140s", host, last_ssl_error(why, sizeof why));
        drop_ssl(t);
        return HTTPREF_E_TLS_SETUP;
    }
    t->until = hx_now_ms() + timeout_ms;
    if (SSL_connect(t->ssl) == 1)
        return HTTPREF_OK; /* any tunnel bytes left are the server's next records: still fed first */
    rc = handshake_failed(t, host, timeout_ms);
    drop_ssl(t);
    return rc;
}

/* ---- the vtable over an established session ---- */

static httpref_code tls_connect(void *ctx, const char *host, const char *port, int timeout_ms)
{
    (void)ctx, (void)host, (void)port, (void)timeout_ms;
    return HTTPREF_E_INTERNAL; /* tls_start connects; this vtable is for the session only */
}

static httpref_code tls_send(void *ctx, const char *buf, size_t len, int timeout_ms)
{
    tls_ctx *t = ctx;
    t->until = hx_now_ms() + timeout_ms;
    t->io_rc = HTTPREF_OK;
    ERR_clear_error();
    while (len) {
        int n = SSL_write(t->ssl, buf, len > INT_MAX ? INT_MAX : (int)len);
        if (n <= 0) {
            char why[160];
            if (t->io_rc != HTTPREF_OK)
                return t->io_rc == HTTPREF_E_RECV ? HTTPREF_E_SEND : t->io_rc;
            snprintf(t->err, sizeof t->err, "TLS send failed: %.160s", last_ssl_error(why, sizeof why));
            return t->io_rc = HTTPREF_E_SEND;
        }
        buf += n;
        len -= (size_t)n;
    }
    return HTTPREF_OK;
}

static httpref_code tls_recv(void *ctx, char *buf, size_t cap, size_t *got, int timeout_ms)
{
    tls_ctx *t = ctx;
    t->until = hx_now_ms() + timeout_ms;
    t->io_rc = HTTPREF_OK;
    *got = 0;
    ERR_clear_error();
    int n = SSL_read(t->ssl, buf, cap > INT_MAX ? INT_MAX : (int)cap);
    if (n > 0) {
        *got = (size_t)n;
        return HTTPREF_OK;
    }
    if (SSL_get_error(t->ssl, n) == SSL_ERROR_ZERO_RETURN)
        return HTTPREF_OK; /* close_notify: the orderly end (*got = 0) */
    if (t->io_rc != HTTPREF_OK)
        return t->io_rc;
    if (t->inner_eof) {
        snprintf(t->err, sizeof t->err, "the server closed the TLS connection without close_notify "
                 "(a truncation attack looks the same)");
        return t->io_rc = HTTPREF_E_TLS_TRUNCATED;
    }
    char why[160];
    snprintf(t->err, sizeof t->err, "TLS receive failed: %.160s", last_ssl_error(why, sizeof why));
    return t->io_rc = HTTPREF_E_RECV; /* also marks the session dead: no close_notify after a fatal error */
}

static void tls_close(void *ctx)
{
    tls_ctx *t = ctx;
    if (!t->ssl)
        return;
    if (t->io_rc == HTTPREF_OK && !t->inner_eof) {
        t->until = hx_now_ms() + 200; /* close_notify goes out or not; nobody waits for the answer */
        SSL_shutdown(t->ssl);
    }
    drop_ssl(t);
}

static const char *tls_strerror(void *ctx)
{
    return ((tls_ctx *)ctx)->err;
}

void tls_transport(httpref_transport *tr, tls_ctx *t)
{
    tr->ctx = t;
    tr->connect = tls_connect;
    tr->send = tls_send;
    tr->recv = tls_recv;
    tr->close = tls_close;
    tr->strerror = tls_strerror;
}

int tls_pending(const tls_ctx *t)
{
    return t->ssl && (SSL_has_pending(t->ssl) || t->pre_pos < t->pre_len);
}

void tls_describe(const tls_ctx *t, char *buf, size_t cap)
{
    char subject[200] = "?", issuer[200] = "?";
    X509 *cert = t->ssl ? SSL_get1_peer_certificate(t->ssl) : NULL;
    if (cert) {
        X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof subject);
        X509_NAME_oneline(X509_get_issuer_name(cert), issuer, sizeof issuer);
        X509_free(cert);
    }
    snprintf(buf, cap, "%s %s; certificate subject %s, issuer %s; %s", t->ssl ? SSL_get_version(t->ssl) : "?",
             t->ssl ? SSL_get_cipher(t->ssl) : "?", subject, issuer,
             t->cfg && t->cfg->insecure ? "NOT verified (--insecure)" : "verified, name matches");
}

#endif
