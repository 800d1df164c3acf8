/* conn: the handle's one connection through its transport: open or reuse, send, receive, close. */
#ifndef HTTPREF_CONN_H
#define HTTPREF_CONN_H

#include <stddef.h>
#include "client_internal.h"

/* connect to x->u (through x->proxy when set), reusing a kept-alive
 * connection to the same scheme, host and port; sets x->reused. For https,
 * the TLS handshake too, except through a proxy: then x->tunnel is set and
 * the caller sends the CONNECT, then calls conn_start_tls */
httpref_code conn_open(httpref *h, exchange *x);
/* TLS with x->u over the open connection, pre[0..pre_len) (bytes already
 * read past the CONNECT reply) fed to it first */
httpref_code conn_start_tls(httpref *h, exchange *x, const char *pre, size_t pre_len);
/* all of p[0..n), within the deadlines */
httpref_code conn_send(httpref *h, exchange *x, const char *p, size_t n);
/* one read of at most cap bytes into buf (*got = 0: orderly EOF), within the
 * deadlines; *which says which one bound the wait. Nothing is closed or
 * explained here: the caller knows what a failure means at its point */
httpref_code conn_recv(httpref *h, exchange *x, char *buf, size_t cap, size_t *got, deadline_kind *which);
/* a transport timeout explained by the limit that bound it (other codes pass through) */
httpref_code conn_timeout(httpref *h, httpref_code rc, deadline_kind which);
/* the transport's words for its last failure, or NULL */
const char *conn_why(const httpref *h);
/* close the connection, if any, and empty the receive buffer */
void conn_close(httpref *h);

#endif
