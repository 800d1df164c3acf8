/*
 * tunnel: https through an http proxy (RFC 9110 §9.3.6). The CONNECT goes
 * on the plain connection to the proxy; its reply is read like any head
 * (1xx skipped, HTTP/1.0 fine: PX-12). Only a 2xx makes a tunnel, and then
 * the reply has no content whatever its fields say (RFC 9112 §6.3 rule 2,
 * PX-03): the bytes after its head are already the origin's TLS records
 * (PX-06) and go to the handshake first. Any other status is the proxy's
 * answer, handed back as the response (PX-04, PX-10).
 */
#define _POSIX_C_SOURCE 200809L
#include "tunnel.h"
#include "conn.h"
#include "receive.h"
#include "request.h"
#include "response.h"

#include <string.h>

httpref_code tunnel_open(httpref *h, exchange *x)
{
    hx_buf head = {0};
    httpref_code rc = req_build_connect(&head, x->u, x->proxy, h->user_agent);
    if (rc == HTTPREF_OK) {
        if (h->trace)
            h->trace(h->trace_ud, '>', head.p, head.len);
        rc = conn_send(h, x, head.p, head.len);
    }
    hx_buf_free(&head);
    const char *method = x->method;
    x->method = "CONNECT"; /* what the reply answers (a 2xx has no content) */
    if (rc == HTTPREF_OK)
        rc = receive_head(h, x);
    x->method = method;
    if (rc != HTTPREF_OK) {
        conn_close(h);
        return rc;
    }
    if (h->resp.status < 200 || h->resp.status > 299) {
        x->proxy_answer = 1;
        return HTTPREF_OK;
    }
    response_free(&h->resp); /* the origin's response comes next */
    size_t pos = h->rpos, len = h->rlen;
    h->rpos = h->rlen = 0;
    return conn_start_tls(h, x, h->rbuf + pos, len - pos);
}
