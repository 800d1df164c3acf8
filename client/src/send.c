/*
 * send: the request head and body onto the connection. A small in-memory
 * body goes out with the head (one write, one segment); a streamed body is
 * checked against its declared length (never padded, never cut silently:
 * RQ-22's rule) or sent chunked.
 */
#include "send.h"
#include "conn.h"
#include "hx.h"
#include "request.h"

#include <stdio.h>
#include <string.h>

#define SMALL_BODY 16384 /* sent in the head's write */
#define SOURCE_READ 65536

/* a streamed body of known length: exactly that many bytes */
static httpref_code send_counted(httpref *h, exchange *x, char *buf)
{
    const httpref_request *q = x->req;
    uint64_t sent = 0;
    for (;;) {
        long n = q->source(q->source_ud, buf, SOURCE_READ);
        if (n < 0)
            return err_set(&h->err, HTTPREF_E_SOURCE, -1, "the body source failed%s", "");
        if (n == 0) {
            if (sent != (uint64_t)x->body_len)
                return err_set(&h->err, HTTPREF_E_SOURCE, -1,
                               "the body source ended before the declared Content-Length%s", "");
            return HTTPREF_OK;
        }
        if (sent + (uint64_t)n > (uint64_t)x->body_len)
            return err_set(&h->err, HTTPREF_E_SOURCE, -1,
                           "the body source gave more than the declared Content-Length%s", "");
        httpref_code rc = conn_send(h, x, buf, (size_t)n);
        if (rc != HTTPREF_OK)
            return rc;
        sent += (uint64_t)n;
    }
}

/* chunk = chunk-size CRLF chunk-data CRLF; last-chunk = "0" CRLF CRLF (RFC 9112 §7.1).
 * buf has 16 bytes of room before and 2 after each read for the framing */
static httpref_code send_chunked(httpref *h, exchange *x, char *buf)
{
    const httpref_request *q = x->req;
    for (;;) {
        long n = q->source(q->source_ud, buf + 16, SOURCE_READ);
        if (n < 0)
            return err_set(&h->err, HTTPREF_E_SOURCE, -1, "the body source failed%s", "");
        if (n == 0)
            return conn_send(h, x, "0\r\n\r\n", 5);
        char line[20];
        int k = snprintf(line, sizeof line, "%lx\r\n", (unsigned long)n);
        memcpy(buf + 16 - k, line, (size_t)k);
        memcpy(buf + 16 + n, "\r\n", 2);
        httpref_code rc = conn_send(h, x, buf + 16 - k, (size_t)(k + n + 2));
        if (rc != HTTPREF_OK)
            return rc;
    }
}

static httpref_code send_body(httpref *h, exchange *x)
{
    const httpref_request *q = x->req;
    if (x->body_len == REQ_BODY_NONE)
        return HTTPREF_OK;
    if (q->body)
        return q->body_len ? conn_send(h, x, q->body, q->body_len) : HTTPREF_OK;
    char buf[SOURCE_READ + 32];
    return x->body_len >= 0 ? send_counted(h, x, buf + 16) : send_chunked(h, x, buf);
}

httpref_code send_request(httpref *h, exchange *x, const char *head, size_t n)
{
    const httpref_request *q = x->req;
    if (q->body && x->body_len >= 0 && q->body_len <= SMALL_BODY && q->body_len > 0) {
        hx_buf both = {0};
        hx_buf_add(&both, head, n);
        hx_buf_add(&both, q->body, q->body_len);
        httpref_code rc = both.oom ? HTTPREF_E_NOMEM : conn_send(h, x, both.p, both.len);
        hx_buf_free(&both);
        return rc;
    }
    httpref_code rc = conn_send(h, x, head, n);
    return rc == HTTPREF_OK ? send_body(h, x) : rc;
}
