/*
 * receive: drive the sans-I/O reader (h1_reader) from the connection: the
 * final head first (receive_head), then, once client.c has decided what the
 * response means, its body (receive_body), streamed to the sink. Bytes wait
 * in the handle's fixed receive buffer: a head must fit in it contiguously,
 * body bytes pass through, so memory stays constant whatever the body size.
 */
#define _POSIX_C_SOURCE 200809L
#include "receive.h"
#include "conn.h"
#include "deadline.h"
#include "response.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DRAIN_LIMIT (1u << 20) /* a redirect's body beyond this: close rather than read it */
#ifndef RECV_CHUNK
#define RECV_CHUNK (32u * 1024u) /* largest single read (see need_more) */
#endif
/* body pieces smaller than this are gathered (up to COALESCE_CAP) and given
 * to the sink together before the next read: the sink's contract is "bytes in
 * order", never one call per chunk, and a Lua sink per 256-byte chunk was the
 * binding's cost (tools/bench) */
#define COALESCE_MIN (8u * 1024u)
#define COALESCE_CAP (64u * 1024u)

httpref_code receive_buffers(httpref *h)
{
    if (h->rbuf)
        return HTTPREF_OK;
    h->rcap = h->lim.max_header_bytes + h->lim.max_status_line + 262144;
    h->rbuf = malloc(h->rcap);
    h->pcap = h->lim.max_fields;
    h->pfields = calloc(h->pcap, sizeof *h->pfields);
    h->cbuf = malloc(COALESCE_CAP);
    h->clen = 0;
    return h->rbuf && h->pfields && h->cbuf ? HTTPREF_OK : HTTPREF_E_NOMEM;
}

/* hand the gathered body bytes to the sink; non-zero when it aborts */
static int flush_body(httpref *h, const exchange *x)
{
    size_t n = h->clen;
    h->clen = 0;
    return n && x->req->sink && x->req->sink(x->req->sink_ud, h->cbuf, n);
}

/* the sink said stop: drop what was gathered and the connection */
static httpref_code sink_aborted(httpref *h)
{
    h->clen = 0;
    conn_close(h);
    snprintf(h->err.detail, sizeof h->err.detail, "the body sink aborted the transfer");
    return HTTPREF_E_SINK;
}

/* one piece of body: small ones are gathered, big ones go straight through */
static int deliver_body(httpref *h, const exchange *x, const char *data, size_t dlen)
{
    if (!x->req->sink)
        return 0;
    if (dlen < COALESCE_MIN) {
        if (h->clen + dlen > COALESCE_CAP && flush_body(h, x))
            return 1;
        memcpy(h->cbuf + h->clen, data, dlen);
        h->clen += dlen;
        return 0;
    }
    return flush_body(h, x) || x->req->sink(x->req->sink_ud, data, dlen);
}

/* the end of the body for the sink (len 0, data NULL) */
static void end_body(const exchange *x, int discard)
{
    if (!discard && x->req->sink)
        x->req->sink(x->req->sink_ud, NULL, 0);
}

static httpref_code reader_failed(httpref *h, const exchange *x)
{
    const h1_reader *r = &x->rd;
    (void)flush_body(h, x); /* the good bytes before the fault, as without gathering */
    conn_close(h);
    snprintf(h->err.detail, sizeof h->err.detail, "%s",
             r->error_detail[0] ? r->error_detail : httpref_strerror(r->error));
    h->err.off = r->error_offset;
    h->err.lenient = r->error_lenient;
    return r->error;
}

/* a failed read: the code that tells what it meant at this point */
static httpref_code recv_failed(httpref *h, const exchange *x, httpref_code rc, deadline_kind which)
{
    const char *why = conn_why(h);
    size_t had = h->rlen; /* conn_close empties the buffer */
    conn_close(h);
    if (rc == HTTPREF_E_TIMEOUT)
        return conn_timeout(h, rc, which);
    snprintf(h->err.detail, sizeof h->err.detail, "%s", why && *why ? why : httpref_strerror(rc));
    /* a reset (or, over TLS, a bare FIN) before any byte of the response is an
     * empty reply (retried if allowed). The reader's head, not h->resp, says
     * whether this exchange saw one: h->resp still holds the previous hop's
     * 401 or 3xx when a kept connection was reset under its retry */
    if ((rc == HTTPREF_E_RECV || rc == HTTPREF_E_TLS_TRUNCATED) && x->rd.offset == 0 && had == 0 &&
        !x->rd.head.status)
        return HTTPREF_E_EMPTY_REPLY;
    if (rc == HTTPREF_E_RECV && !(x->rd.framing == H1_FRAMING_UNTIL_CLOSE && h->resp.status))
        return HTTPREF_E_RECV;
    return rc;
}

/* the reader wants more bytes: keep the unconsumed ones contiguous (compacting
 * when the tail runs short), give the sink what was gathered, and read. At an
 * orderly EOF the reader decides whether the message ended (*ended = 1) */
static httpref_code need_more(httpref *h, exchange *x, size_t used, int discard, int *ended)
{
    h->rpos += used;
    if (h->rpos == h->rlen) {
        h->rpos = h->rlen = 0;
    } else if (h->rpos > 0 && h->rcap - h->rlen < 65536) {
        memmove(h->rbuf, h->rbuf + h->rpos, h->rlen - h->rpos);
        h->rlen -= h->rpos;
        h->rpos = 0;
    }
    if (h->rlen == h->rcap) { /* only an endless run of leading CRLFs gets here */
        conn_close(h);
        snprintf(h->err.detail, sizeof h->err.detail, "response head larger than the receive buffer");
        return HTTPREF_E_HEADER_TOO_LARGE;
    }
    if (flush_body(h, x)) /* about to wait for bytes: the sink gets what has been gathered */
        return sink_aborted(h);
    deadline_kind which;
    size_t got;
    /* reads of at most RECV_CHUNK: a bigger one lands outside the L2 cache and
     * the copy out of the kernel gets slower (tools/bench) */
    size_t want = h->rcap - h->rlen < RECV_CHUNK ? h->rcap - h->rlen : RECV_CHUNK;
    httpref_code rc = conn_recv(h, x, h->rbuf + h->rlen, want, &got, &which);
    if (rc != HTTPREF_OK)
        return recv_failed(h, x, rc, which);
    if (got == 0) {
        if (h1_reader_eof(&x->rd) == H1_EV_ERROR)
            return reader_failed(h, x);
        conn_close(h);
        h->rpos = h->rlen = 0;
        end_body(x, discard);
        *ended = 1;
        return HTTPREF_OK;
    }
    h->rlen += got;
    return HTTPREF_OK;
}

httpref_code receive_head(httpref *h, exchange *x)
{
    x->dl.head = deadline_in(h->header_deadline_ms);
    h1_reader_init(&x->rd, &h->lim, h->lenient, !strcmp(x->method, "HEAD"), h->pfields, h->pcap);
    for (;;) {
        const char *data = NULL;
        size_t dlen = 0, used = 0;
        int ended = 0;
        h1_event ev = h1_reader_feed(&x->rd, h->rbuf + h->rpos, h->rlen - h->rpos, &used, &data, &dlen);
        if (ev == H1_EV_NEED_MORE) {
            httpref_code rc = need_more(h, x, used, 0, &ended);
            if (rc != HTTPREF_OK || ended) /* an EOF before the head is always an error */
                return rc;
            continue;
        }
        if (ev == H1_EV_ERROR)
            return reader_failed(h, x);
        if (h->trace && (ev == H1_EV_INTERIM || used))
            h->trace(h->trace_ud, '<', h->rbuf + h->rpos, used);
        if (ev == H1_EV_HEAD) {
            httpref_code rc = response_store_head(&h->resp, &x->rd.head);
            if (rc != HTTPREF_OK) {
                conn_close(h);
                return rc;
            }
            x->dl.head = 0;
            h->resp.content_length = x->rd.framing == H1_FRAMING_LENGTH ? (int64_t)x->rd.content_length : -1;
            h->rpos += used;
            return HTTPREF_OK;
        }
        h->rpos += used; /* H1_EV_INTERIM: skipped */
    }
}

/* the message is complete: the sink hears the end, and the connection stays
 * only when it may: bytes past the framed message are never a response, so
 * they end it (RFC 9112 §6.3 last paragraph; FR-06, CN-05) */
static httpref_code body_done(httpref *h, const exchange *x, size_t used, int discard)
{
    h->rpos += used;
    if (!discard && flush_body(h, x))
        return sink_aborted(h);
    end_body(x, discard);
    if (x->rd.must_close || !h->keepalive || h->http10 || h->rpos != h->rlen)
        conn_close(h);
    h->rpos = h->rlen = 0;
    return HTTPREF_OK;
}

httpref_code receive_body(httpref *h, exchange *x, int discard)
{
    uint64_t discarded = 0;
    for (;;) {
        const char *data = NULL;
        size_t dlen = 0, used = 0;
        int ended = 0;
        httpref_code rc;
        switch (h1_reader_feed(&x->rd, h->rbuf + h->rpos, h->rlen - h->rpos, &used, &data, &dlen)) {
        case H1_EV_BODY:
            if (discard) {
                discarded += dlen;
                if (discarded > DRAIN_LIMIT) { /* not worth reading: the next hop opens anew */
                    conn_close(h);
                    return HTTPREF_OK;
                }
                break;
            }
            if (deliver_body(h, x, data, dlen))
                return sink_aborted(h);
            h->resp.body_bytes += dlen;
            break;
        case H1_EV_TRAILERS:
            rc = response_store_trailers(&h->resp, x->rd.trailers, x->rd.ntrailers);
            if (rc != HTTPREF_OK) {
                conn_close(h);
                return rc;
            }
            break;
        case H1_EV_DONE:
            return body_done(h, x, used, discard);
        case H1_EV_ERROR:
            return reader_failed(h, x);
        case H1_EV_NEED_MORE:
            rc = need_more(h, x, used, discard, &ended);
            if (rc != HTTPREF_OK || ended)
                return rc;
            continue;
        case H1_EV_INTERIM:
        case H1_EV_HEAD: /* not after the final head */
            break;
        }
        h->rpos += used;
    }
}
