/*
 * conn: the connection layer between the request logic and the transport
 * vtable. A connection is reused only when keep-alive is on, it goes to the
 * same scheme, host and port (through the same proxy), and the idle
 * connection is still quiet: a peer that closed it or sent unsolicited bytes
 * has ended it (RFC 9112 §9.3, §9.2). https runs TLS (transport_tls) over the
 * handle's transport, either straight to the origin or, through a proxy, in
 * the tunnel that tunnel.c opened.
 */
#define _POSIX_C_SOURCE 200809L
#include "conn.h"
#include "deadline.h"
#include "hx.h"

#include <stdio.h>
#include <string.h>

void conn_close(httpref *h)
{
    if (h->connected) {
        h->io.close(h->io.ctx);
        h->connected = 0;
    }
    h->rpos = h->rlen = 0;
}

const char *conn_why(const httpref *h)
{
    const httpref_transport *t = h->connected ? &h->io : &h->tr;
    return t->strerror ? t->strerror(t->ctx) : NULL;
}

httpref_code conn_timeout(httpref *h, httpref_code rc, deadline_kind which)
{
    if (rc != HTTPREF_E_TIMEOUT)
        return rc;
    if (which == DEADLINE_TOTAL)
        return err_set(&h->err, HTTPREF_E_DEADLINE, -1, "total time limit reached%s", "");
    if (which == DEADLINE_HEAD)
        return err_set(&h->err, HTTPREF_E_TIMEOUT, -1, "response head not received within the header deadline%s",
                       "");
    return err_set(&h->err, HTTPREF_E_TIMEOUT, -1, "%s", h->io.strerror ? h->io.strerror(h->io.ctx) : "timeout");
}

/* the time the connect (and the handshake after it) may take: the per-operation
 * or total deadline, cut by the connect timeout; *which says which binds */
static int connect_ms(const httpref *h, const exchange *x, deadline_kind *which)
{
    int t = deadline_wait_ms(&x->dl, which);
    if (h->connect_timeout_ms > 0 && h->connect_timeout_ms < t) {
        t = (int)h->connect_timeout_ms;
        *which = DEADLINE_OPERATION;
    }
    return t;
}

/* a kept connection that may carry the next request */
static int reusable(httpref *h, const char *key)
{
    if (!h->connected || !h->keepalive || strcmp(key, h->conn_key))
        return 0;
    if (h->io.ctx == &h->tls && tls_pending(&h->tls))
        return 0;
    return !(h->tr.ctx == &h->tcp && tcp_idle_unusable(&h->tcp));
}

static httpref_code open_failed(httpref *h, httpref_code rc, deadline_kind which, const char *why)
{
    if (rc == HTTPREF_E_CONNECT_TIMEOUT && which == DEADLINE_TOTAL)
        return err_set(&h->err, HTTPREF_E_DEADLINE, -1, "total time limit reached while connecting%s", "");
    return err_set(&h->err, rc, -1, "%s", why && *why ? why : httpref_strerror(rc));
}

httpref_code conn_start_tls(httpref *h, exchange *x, const char *pre, size_t pre_len)
{
    deadline_kind which;
    int t = connect_ms(h, x, &which);
    httpref_code rc = t ? tls_start(&h->tls, &h->tls_cfg, &h->tr, x->u->host, pre, pre_len, t)
                        : HTTPREF_E_CONNECT_TIMEOUT;
    if (rc != HTTPREF_OK) {
        h->connected = 0; /* tls_start closed the inner connection */
        return open_failed(h, rc, which, t ? h->tls.err : NULL);
    }
    tls_transport(&h->io, &h->tls);
    if (h->trace) {
        char line[600];
        int n = snprintf(line, sizeof line, "TLS with %s: ", x->u->host);
        tls_describe(&h->tls, line + n, sizeof line - (size_t)n);
        h->trace(h->trace_ud, '*', line, strlen(line));
    }
    return HTTPREF_OK;
}

httpref_code conn_open(httpref *h, exchange *x)
{
    const url *u = x->u, *peer = x->proxy ? x->proxy : x->u;
    char key[sizeof h->conn_key];
    snprintf(key, sizeof key, "%s://%s:%u via %s:%u", u->https ? "https" : "http", u->host, u->port,
             x->proxy ? x->proxy->host : "-", x->proxy ? x->proxy->port : 0);
    x->reused = x->tunnel = 0;
    if (reusable(h, key)) {
        x->reused = 1;
        return HTTPREF_OK;
    }
    conn_close(h);
    httpref_code rc = u->https ? tls_prepare(&h->tls, &h->tls_cfg) : HTTPREF_OK;
    if (rc != HTTPREF_OK)
        return err_set(&h->err, rc, -1, "%s", h->tls.err);
    char port[8];
    snprintf(port, sizeof port, "%u", peer->port);
    deadline_kind which;
    int t = connect_ms(h, x, &which);
    rc = t ? h->tr.connect(h->tr.ctx, peer->host, port, t) : HTTPREF_E_CONNECT_TIMEOUT;
    if (rc != HTTPREF_OK)
        return open_failed(h, rc, which, h->tr.strerror ? h->tr.strerror(h->tr.ctx) : NULL);
    h->io = h->tr;
    h->connected = 1;
    snprintf(h->conn_key, sizeof h->conn_key, "%s", key);
    if (u->https && x->proxy) { /* tunnel.c sends the CONNECT, then conn_start_tls */
        x->tunnel = 1;
        return HTTPREF_OK;
    }
    return u->https ? conn_start_tls(h, x, NULL, 0) : HTTPREF_OK;
}

httpref_code conn_send(httpref *h, exchange *x, const char *p, size_t n)
{
    deadline_kind which;
    int t = deadline_wait_ms(&x->dl, &which);
    httpref_code rc = t ? h->io.send(h->io.ctx, p, n, t) : HTTPREF_E_TIMEOUT;
    if (rc == HTTPREF_E_SEND || rc == HTTPREF_E_TRANSPORT)
        return err_set(&h->err, rc, -1, "%s", h->io.strerror ? h->io.strerror(h->io.ctx) : "send failed");
    return conn_timeout(h, rc, which);
}

httpref_code conn_recv(httpref *h, exchange *x, char *buf, size_t cap, size_t *got, deadline_kind *which)
{
    int t = deadline_wait_ms(&x->dl, which);
    *got = 0;
    return t ? h->io.recv(h->io.ctx, buf, cap, got, t) : HTTPREF_E_TIMEOUT;
}
