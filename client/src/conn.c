/*
 * conn: the connection layer between the request logic and the transport
 * vtable. A connection is reused only when keep-alive is on, it goes to the
 * same host and port, and (TCP) the idle socket is still quiet: a peer that
 * closed it or sent unsolicited bytes has ended it (RFC 9112 §9.3, §9.2).
 */
#define _POSIX_C_SOURCE 200809L
#include "conn.h"
#include "deadline.h"

#include <stdio.h>
#include <string.h>

void conn_close(httpref *h)
{
    if (h->connected) {
        h->tr.close(h->tr.ctx);
        h->connected = 0;
    }
    h->rpos = h->rlen = 0;
}

const char *conn_why(const httpref *h)
{
    return h->tr.strerror ? h->tr.strerror(h->tr.ctx) : NULL;
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
    return err_set(&h->err, HTTPREF_E_TIMEOUT, -1, "%s", h->tr.strerror ? h->tr.strerror(h->tr.ctx) : "timeout");
}

httpref_code conn_open(httpref *h, exchange *x, const url *peer)
{
    char key[sizeof h->conn_key];
    snprintf(key, sizeof key, "%s:%u", peer->host, peer->port);
    x->reused = 0;
    if (h->connected && h->keepalive && !strcmp(key, h->conn_key) &&
        !(h->tr.ctx == &h->tcp && tcp_idle_unusable(&h->tcp))) {
        x->reused = 1;
        return HTTPREF_OK;
    }
    conn_close(h);
    char port[8];
    snprintf(port, sizeof port, "%u", peer->port);
    deadline_kind which;
    int t = deadline_wait_ms(&x->dl, &which);
    if (h->connect_timeout_ms > 0 && h->connect_timeout_ms < t) {
        t = (int)h->connect_timeout_ms;
        which = DEADLINE_OPERATION;
    }
    httpref_code rc = t ? h->tr.connect(h->tr.ctx, peer->host, port, t) : HTTPREF_E_CONNECT_TIMEOUT;
    if (rc != HTTPREF_OK) {
        const char *why = conn_why(h);
        if (rc == HTTPREF_E_CONNECT_TIMEOUT && which == DEADLINE_TOTAL)
            return err_set(&h->err, HTTPREF_E_DEADLINE, -1, "total time limit reached while connecting%s", "");
        return err_set(&h->err, rc, -1, "%s", why && *why ? why : httpref_strerror(rc));
    }
    h->connected = 1;
    snprintf(h->conn_key, sizeof h->conn_key, "%s", key);
    return HTTPREF_OK;
}

httpref_code conn_send(httpref *h, exchange *x, const char *p, size_t n)
{
    deadline_kind which;
    int t = deadline_wait_ms(&x->dl, &which);
    httpref_code rc = t ? h->tr.send(h->tr.ctx, p, n, t) : HTTPREF_E_TIMEOUT;
    if (rc == HTTPREF_E_SEND || rc == HTTPREF_E_TRANSPORT)
        return err_set(&h->err, rc, -1, "%s", h->tr.strerror ? h->tr.strerror(h->tr.ctx) : "send failed");
    return conn_timeout(h, rc, which);
}

httpref_code conn_recv(httpref *h, exchange *x, char *buf, size_t cap, size_t *got, deadline_kind *which)
{
    int t = deadline_wait_ms(&x->dl, which);
    *got = 0;
    return t ? h->tr.recv(h->tr.ctx, buf, cap, got, t) : HTTPREF_E_TIMEOUT;
}
