/*
 * receive: drive the sans-I/O reader from the transport, stream the body
 * to the sink, and keep a copy of the final head (and trailers) for the
 * caller. The head's field pointers point into the receive buffer only
 * while its event is handled, so it is copied at once.
 */
#define _POSIX_C_SOURCE 200809L
#include "client_internal.h"
#include "hx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DRAIN_LIMIT (1u << 20) /* a redirect's body beyond this: close rather than read it */
#ifndef RECV_CHUNK
#define RECV_CHUNK (32u * 1024u) /* largest single read (see the read below) */
#endif
/* body pieces smaller than this are gathered (up to COALESCE_CAP) and given
 * to the sink together before the next read: the sink's contract is "bytes in
 * order", never one call per chunk, and a Lua sink per 256-byte chunk was the
 * binding's cost (tools/bench) */
#define COALESCE_MIN (8u * 1024u)
#define COALESCE_CAP (64u * 1024u)

httpref_code client_buffers(httpref *h)
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
    httpref_close(h);
    snprintf(h->detail, sizeof h->detail, "the body sink aborted the transfer");
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

void client_free_response(httpref *h)
{
    free(h->head_mem);
    free(h->trailer_mem);
    free(h->joined_mem);
    free(h->effective_url);
    free(h->fields);
    free(h->joined);
    free(h->trailers);
    h->head_mem = h->trailer_mem = h->joined_mem = h->effective_url = NULL;
    h->fields = h->joined = h->trailers = NULL;
    h->nfields = h->njoined = h->ntrailers = 0;
    h->body_bytes = 0;
    h->content_length = -1;
    h->status = 0;
}

/* copy fields into one allocation of NUL-terminated strings */
static httpref_code copy_fields(const httpref_field *src, size_t n, httpref_field **out, char **mem)
{
    size_t total = 1;
    for (size_t i = 0; i < n; i++)
        total += src[i].name_len + src[i].value_len + 2;
    char *m = malloc(total), *p = m;
    httpref_field *f = calloc(n ? n : 1, sizeof *f);
    if (!m || !f) {
        free(m);
        free(f);
        return HTTPREF_E_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        f[i].name = p;
        f[i].name_len = src[i].name_len;
        memcpy(p, src[i].name, src[i].name_len);
        p += src[i].name_len;
        *p++ = 0;
        f[i].value = p;
        f[i].value_len = src[i].value_len;
        memcpy(p, src[i].value, src[i].value_len);
        p += src[i].value_len;
        *p++ = 0;
    }
    *p = 0;
    free(*out);
    free(*mem);
    *out = f;
    *mem = m;
    return HTTPREF_OK;
}

/* the LuaSocket view: lowercase names, repeated fields joined with ", " in order */
static httpref_code build_joined(httpref *h)
{
    size_t total = 1;
    for (size_t i = 0; i < h->nfields; i++)
        total += h->fields[i].name_len + h->fields[i].value_len + 4;
    char *m = malloc(total), *p = m;
    httpref_field *j = calloc(h->nfields ? h->nfields : 1, sizeof *j);
    size_t nj = 0;
    if (!m || !j) {
        free(m);
        free(j);
        return HTTPREF_E_NOMEM;
    }
    for (size_t i = 0; i < h->nfields; i++) {
        const httpref_field *f = &h->fields[i];
        int seen = 0;
        for (size_t k = 0; k < i; k++)
            if (h->fields[k].name_len == f->name_len && !hx_ncasecmp(h->fields[k].name, f->name, f->name_len))
                seen = 1;
        if (seen)
            continue;
        j[nj].name = p;
        j[nj].name_len = f->name_len;
        for (size_t c = 0; c < f->name_len; c++)
            *p++ = (char)((f->name[c] >= 'A' && f->name[c] <= 'Z') ? f->name[c] + 32 : f->name[c]);
        *p++ = 0;
        j[nj].value = p;
        for (size_t k = i; k < h->nfields; k++) {
            const httpref_field *g = &h->fields[k];
            if (g->name_len != f->name_len || hx_ncasecmp(g->name, f->name, f->name_len))
                continue;
            if (p != j[nj].value) {
                memcpy(p, ", ", 2);
                p += 2;
            }
            memcpy(p, g->value, g->value_len);
            p += g->value_len;
        }
        j[nj].value_len = (size_t)(p - j[nj].value);
        *p++ = 0;
        nj++;
    }
    free(h->joined);
    free(h->joined_mem);
    h->joined = j;
    h->joined_mem = m;
    h->njoined = nj;
    return HTTPREF_OK;
}

static httpref_code store_head(httpref *h, const h1_head *head)
{
    /* the status line and reason are stored as two extra "fields" at the end of head_mem */
    httpref_field extra[128 + 2];
    size_t n = head->nfields;
    httpref_field *all = n + 1 <= 128 ? extra : malloc((n + 1) * sizeof *all);
    if (!all)
        return HTTPREF_E_NOMEM;
    memcpy(all, head->fields, n * sizeof *all);
    all[n].name = head->status_line;
    all[n].name_len = head->status_line_len;
    all[n].value = head->reason;
    all[n].value_len = head->reason_len;
    httpref_code rc = copy_fields(all, n + 1, &h->fields, &h->head_mem);
    if (all != extra)
        free(all);
    if (rc != HTTPREF_OK)
        return rc;
    h->nfields = n;
    h->status_line = h->fields[n].name;
    h->reason = h->fields[n].value;
    h->status = head->status;
    h->vmaj = head->version_major;
    h->vmin = head->version_minor;
    return build_joined(h);
}

void client_fill_response(httpref *h, httpref_response *r, int hops, int reused)
{
    r->status = h->status;
    r->version_major = h->vmaj;
    r->version_minor = h->vmin;
    r->reason = h->reason;
    r->status_line = h->status_line;
    r->fields = h->fields;
    r->nfields = h->nfields;
    r->joined = h->joined;
    r->njoined = h->njoined;
    r->trailers = h->trailers;
    r->ntrailers = h->ntrailers;
    r->content_length = h->content_length;
    r->body_bytes = h->body_bytes;
    r->redirects = hops;
    r->effective_url = h->effective_url;
    r->reused_connection = reused;
}

static httpref_code reader_failed(httpref *h, const exchange *x, const h1_reader *r)
{
    (void)flush_body(h, x); /* the good bytes before the fault, as without gathering */
    httpref_close(h);
    snprintf(h->detail, sizeof h->detail, "%s", r->error_detail[0] ? r->error_detail : httpref_strerror(r->error));
    h->err_off = r->error_offset;
    return r->error;
}

httpref_code client_receive(httpref *h, exchange *x)
{
    h1_reader r;
    int discard = 0;
    uint64_t discarded = 0;
    x->header_deadline = h->header_deadline_ms ? hx_now_ms() + h->header_deadline_ms : 0;
    h1_reader_init(&r, &h->lim, h->lenient, !strcmp(x->method, "HEAD"), h->pfields, h->pcap);
    x->next_url = NULL;
    for (;;) {
        const char *data = NULL;
        size_t dlen = 0, used = 0;
        h1_event ev = h1_reader_feed(&r, h->rbuf + h->rpos, h->rlen - h->rpos, &used, &data, &dlen);
        switch (ev) {
        case H1_EV_INTERIM:
            if (h->trace)
                h->trace(h->trace_ud, '<', h->rbuf + h->rpos, used);
            break;
        case H1_EV_HEAD: {
            if (h->trace && used)
                h->trace(h->trace_ud, '<', h->rbuf + h->rpos, used);
            httpref_code rc = store_head(h, &r.head);
            if (rc != HTTPREF_OK) {
                httpref_close(h);
                return rc;
            }
            x->header_deadline = 0;
            h->content_length = r.framing == H1_FRAMING_LENGTH ? (int64_t)r.content_length : -1;
            rc = client_plan_redirect(h, x);
            if (rc != HTTPREF_OK) {
                httpref_close(h);
                return rc;
            }
            discard = x->next_url != NULL;
            break;
        }
        case H1_EV_BODY:
            if (discard) {
                discarded += dlen;
                if (discarded > DRAIN_LIMIT) { /* not worth reading: the next hop opens anew */
                    httpref_close(h);
                    return HTTPREF_OK;
                }
            } else {
                if (deliver_body(h, x, data, dlen))
                    return sink_aborted(h);
                h->body_bytes += dlen;
            }
            break;
        case H1_EV_TRAILERS: {
            httpref_code rc = copy_fields(r.trailers, r.ntrailers, &h->trailers, &h->trailer_mem);
            if (rc != HTTPREF_OK) {
                httpref_close(h);
                return rc;
            }
            h->ntrailers = r.ntrailers;
            break;
        }
        case H1_EV_DONE:
            h->rpos += used;
            if (!discard && flush_body(h, x))
                return sink_aborted(h);
            if (!discard && x->req->sink)
                x->req->sink(x->req->sink_ud, NULL, 0);
            /* bytes past the framed message are never a response: drop the connection (FR-06, CN-05) */
            if (r.must_close || !h->keepalive || h->rpos != h->rlen)
                httpref_close(h);
            h->rpos = h->rlen = 0;
            return HTTPREF_OK;
        case H1_EV_ERROR:
            return reader_failed(h, x, &r);
        case H1_EV_NEED_MORE: {
            h->rpos += used;
            if (h->rpos == h->rlen) {
                h->rpos = h->rlen = 0;
            } else if (h->rpos > 0 && h->rcap - h->rlen < 65536) {
                memmove(h->rbuf, h->rbuf + h->rpos, h->rlen - h->rpos);
                h->rlen -= h->rpos;
                h->rpos = 0;
            }
            if (h->rlen == h->rcap) { /* only an endless run of leading CRLFs gets here */
                httpref_close(h);
                snprintf(h->detail, sizeof h->detail, "response head larger than the receive buffer");
                return HTTPREF_E_HEADER_TOO_LARGE;
            }
            /* about to wait for bytes: the sink gets what has been gathered */
            if (flush_body(h, x))
                return sink_aborted(h);
            int which;
            int t = client_wait_ms(h, x, &which);
            size_t got = 0;
            /* reads of at most RECV_CHUNK: a bigger one lands outside the L2
             * cache and the copy out of the kernel gets slower (tools/bench) */
            size_t want = h->rcap - h->rlen < RECV_CHUNK ? h->rcap - h->rlen : RECV_CHUNK;
            httpref_code rc = t ? h->tr.recv(h->tr.ctx, h->rbuf + h->rlen, want, &got, t) : HTTPREF_E_TIMEOUT;
            if (rc != HTTPREF_OK) {
                const char *why = h->tr.strerror ? h->tr.strerror(h->tr.ctx) : NULL;
                size_t had = h->rlen; /* httpref_close empties the buffer */
                httpref_close(h);
                if (rc == HTTPREF_E_TIMEOUT)
                    return client_timeout(h, rc, which);
                snprintf(h->detail, sizeof h->detail, "%s", why && *why ? why : httpref_strerror(rc));
                /* a reset before any byte of the response is an empty reply (retried if allowed) */
                if (rc == HTTPREF_E_RECV && r.offset == 0 && had == 0 && !h->status)
                    return HTTPREF_E_EMPTY_REPLY;
                if (rc == HTTPREF_E_RECV && !(r.framing == H1_FRAMING_UNTIL_CLOSE && h->status))
                    return HTTPREF_E_RECV;
                return rc;
            }
            if (got == 0) {
                ev = h1_reader_eof(&r);
                if (ev == H1_EV_ERROR)
                    return reader_failed(h, x, &r);
                httpref_close(h);
                h->rpos = h->rlen = 0;
                if (!discard && x->req->sink)
                    x->req->sink(x->req->sink_ud, NULL, 0);
                return HTTPREF_OK;
            }
            h->rlen += got;
            continue;
        }
        }
        h->rpos += used;
    }
}
