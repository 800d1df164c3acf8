/*
 * client: one request end to end, read top-down as the protocol goes
 * (LuaSocket's trequest): per hop, send the request line, fields and body;
 * receive the status line and fields; decide (redirect.c); receive the body;
 * then the next hop or the response.
 *
 *   url_parse -> req_build_head -> conn_open [-> tunnel_open] -> send_request
 *        -> receive_head -> redirect_plan -> receive_body (sink or drain)
 *        -> next hop (RFC 9110 §15.4), or the response
 *
 * A connection is kept only after a cleanly framed response without "close"
 * and with no byte left over (RFC 9112 §9.3, §6.3 last paragraph); that is
 * receive.c's call. Everything here calls down: conn, send, receive,
 * redirect, request, url, response.
 */
#define _POSIX_C_SOURCE 200809L
#include "httpref.h"
#include "client_internal.h"
#include "conn.h"
#include "deadline.h"
#include "hx.h"
#include "receive.h"
#include "redirect.h"
#include "request.h"
#include "response.h"
#include "send.h"
#include "tunnel.h"
#include "url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the request line and fields of this hop, checked against the caller's own
 * Content-Length */
static httpref_code build_head(httpref *h, const exchange *x, hx_buf *head)
{
    int64_t caller_cl = -1;
    const url *proxy = x->u->https ? NULL : x->proxy; /* https: origin-form inside the tunnel */
    req_spec s = {x->method,           x->u,         proxy,         x->req->headers, x->req->nheaders,
                  x->drop_credentials, x->drop_host, h->user_agent, h->keepalive,    x->body_len,
                  x->withhold_credentials || x->auth_used == AUTH_SCHEME_DIGEST, /* never Basic for Digest */
                  x->drop_referer,
                  x->auth_used == AUTH_SCHEME_DIGEST && x->authorization[0] ? x->authorization : NULL,
                  h->http10, x->drop_content};
    if (h->http10) { /* HTTP/1.0 has no chunked and no persistent connection by default */
        if (x->body_len == REQ_BODY_CHUNKED)
            return err_set(&h->err, HTTPREF_E_BAD_OPTION, -1, "HTTP/1.0 needs a body of known length%s", "");
        s.keepalive = 0;
    }
    httpref_code rc = req_build_head(head, &s, &caller_cl, h->err.detail, sizeof h->err.detail);
    if (rc != HTTPREF_OK) {
        h->err.off = -1;
        h->err.lenient = 0;
        return rc;
    }
    if (caller_cl >= 0 && x->req->body && (uint64_t)caller_cl != x->req->body_len)
        return err_set(&h->err, HTTPREF_E_BAD_FIELD_VALUE, -1, "the caller's Content-Length disagrees with the body%s",
                       "");
    return HTTPREF_OK;
}

/* status line and fields, the decision on them, then the body (to the sink,
 * or drained when a redirect follows) */
static httpref_code receive_response(httpref *h, exchange *x)
{
    free(x->next.url); /* a retried attempt decides anew */
    x->next.url = NULL;
    httpref_code rc = receive_head(h, x);
    if (rc != HTTPREF_OK)
        return rc;
    rc = redirect_plan(&h->resp, &h->redirect, x, &h->err);
    if (rc != HTTPREF_OK) {
        conn_close(h);
        return rc;
    }
    return receive_body(h, x, x->next.url != NULL);
}

/* after the send: a send the server cut short may still leave a response to
 * read (an early error answer, CN-14: RFC 9112 §9.5 lets a server answer
 * before the request ends); without one, the send failure is the story */
static httpref_code receive_after_send(httpref *h, exchange *x, httpref_code sent)
{
    if (sent != HTTPREF_OK && sent != HTTPREF_E_SEND)
        return sent;
    char send_why[sizeof h->err.detail];
    if (sent == HTTPREF_E_SEND) /* kept: the receive attempt overwrites the detail */
        snprintf(send_why, sizeof send_why, "%s", h->err.detail);
    httpref_code rc = receive_response(h, x);
    if (sent == HTTPREF_E_SEND && rc != HTTPREF_OK) {
        rc = HTTPREF_E_SEND;
        snprintf(h->err.detail, sizeof h->err.detail, "%s", send_why);
        h->err.off = -1;
        h->err.lenient = 0;
    }
    return rc;
}

/* a new connection, or a kept one; through a proxy for https, the CONNECT
 * tunnel first. *answered: the proxy refused the tunnel and its response
 * (read to its end) is the answer */
static httpref_code open_connection(httpref *h, exchange *x, int *answered)
{
    *answered = 0;
    x->proxy_answer = 0;
    httpref_code rc = conn_open(h, x);
    if (rc != HTTPREF_OK || !x->tunnel)
        return rc;
    rc = tunnel_open(h, x);
    if (rc != HTTPREF_OK || !x->proxy_answer)
        return rc;
    *answered = 1;
    free(x->next.url);
    x->next.url = NULL;
    rc = receive_body(h, x, 0);
    conn_close(h); /* never reused: it is no tunnel */
    return rc;
}

/* one request and its response on one connection */
static httpref_code one_exchange(httpref *h, exchange *x)
{
    hx_buf head = {0};
    httpref_code rc = build_head(h, x, &head);
    if (rc != HTTPREF_OK) { /* refused before anything is sent: a kept connection stays */
        hx_buf_free(&head);
        return rc;
    }
    for (int attempt = 0; rc == HTTPREF_OK; attempt++) {
        int answered;
        rc = open_connection(h, x, &answered);
        if (rc != HTTPREF_OK || answered)
            break;
        if (h->trace)
            h->trace(h->trace_ud, '>', head.p, head.len);
        rc = receive_after_send(h, x, send_request(h, x, head.p, head.len));
        /* a kept-alive connection the server had already closed: once more on a
         * new one, when the request may be resent (CN-07/08: RFC 9112 §9.3.1) */
        if ((rc == HTTPREF_E_EMPTY_REPLY || rc == HTTPREF_E_SEND) && x->reused && attempt == 0 &&
            redirect_may_resend(x->method, x->req->source != NULL)) {
            conn_close(h);
            rc = HTTPREF_OK;
            continue;
        }
        break;
    }
    if (rc != HTTPREF_OK)
        conn_close(h);
    hx_buf_free(&head);
    return rc;
}

/* the exchange state for the first hop: parsed URL and proxy, deadlines, body framing */
static httpref_code start(httpref *h, const httpref_request *req, exchange *x, url *orig, url *proxy)
{
    memset(x, 0, sizeof *x);
    memset(proxy, 0, sizeof *proxy);
    x->req = req;
    x->max_redirects = req->max_redirects >= 0 ? req->max_redirects : 5;
    snprintf(x->limit_text, sizeof x->limit_text, "%d", x->max_redirects);
    x->dl.op_ms = h->timeout_ms;
    x->dl.total = deadline_in(h->deadline_ms);
    x->method = req->method ? req->method : "GET";
    x->body_len = req->body ? (int64_t)req->body_len : req->source ? req->source_length : REQ_BODY_NONE;
    if (req->source && x->body_len < REQ_BODY_CHUNKED)
        x->body_len = REQ_BODY_CHUNKED;
    httpref_code rc = url_parse(req->url, orig, h->err.detail, sizeof h->err.detail);
    if (rc != HTTPREF_OK)
        return rc;
    if (req->proxy) {
        rc = url_parse(req->proxy, proxy, h->err.detail, sizeof h->err.detail);
        if (rc != HTTPREF_OK)
            return rc == HTTPREF_E_BAD_CREDENTIALS ? rc : HTTPREF_E_PROXY;
        x->proxy = proxy;
    }
    x->cur_url = strdup(req->url);
    return x->cur_url ? HTTPREF_OK : HTTPREF_E_NOMEM;
}

/* 16 random bytes as hex, the Digest client nonce (RFC 7616 §3.4: unpredictable) */
static void make_cnonce(char out[33])
{
    unsigned char b[16];
    FILE *f = fopen("/dev/urandom", "rb");
    size_t got = f ? fread(b, 1, sizeof b, f) : 0;
    if (f)
        fclose(f);
    if (got != sizeof b) { /* no urandom: the clock and the address space, hashed */
        char seed[64];
        snprintf(seed, sizeof seed, "%lld %p", (long long)hx_now_ms(), (void *)b);
        hx_md5_hex(seed, strlen(seed), out);
        return;
    }
    for (size_t i = 0; i < sizeof b; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* the Digest answer for this hop: the nonce count goes on while the server
 * repeats a nonce, and starts at 1 for a new one */
static void digest_answer(httpref *h, exchange *x, const url *u)
{
    char cnonce[33];
    x->authorization[0] = 0;
    if (x->auth_used != AUTH_SCHEME_DIGEST || !u->user || x->drop_credentials)
        return;
    if (strcmp(h->digest_nonce, x->digest.nonce)) {
        snprintf(h->digest_nonce, sizeof h->digest_nonce, "%s", x->digest.nonce);
        h->digest_nc = 0;
    }
    make_cnonce(cnonce);
    if (auth_digest_answer(&x->digest, u->user, u->password ? u->password : "", x->method, u->path_query,
                           ++h->digest_nc, cnonce, x->authorization, sizeof x->authorization))
        x->authorization[0] = 0; /* too long to send: the request goes without, and gets its 401 */
}

/* this hop's target u: what it may carry (redirect_drops_credentials), and a
 * note of where the chain has been, for loop detection */
static void prepare_hop(httpref *h, exchange *x, url *u, const url *orig)
{
    x->drop_credentials = redirect_drops_credentials(u, orig, x->hops);
    x->drop_referer = x->was_https && !u->https;
    x->was_https |= u->https;
    x->withhold_credentials = h->auth_retry && !x->auth_done;
    x->drop_host = x->hops > 0;
    if (x->hops > 0 && !x->drop_credentials && orig->user && !u->user) {
        u->user = strdup(orig->user);
        u->password = strdup(orig->password ? orig->password : "");
    }
    x->u = u;
    digest_answer(h, x, u);
    if (x->nvisited < MAX_VISITED) {
        x->visited[x->nvisited] = strdup(x->cur_url);
        x->visited_method[x->nvisited++] = x->method;
    }
}

/* move to the decided next request: a method changed to GET drops the body
 * (RFC 9110 §15.4.2-4); an auth retry is the same request, not a hop */
static void next_hop(exchange *x)
{
    free(x->cur_url);
    x->cur_url = x->next.url;
    x->next.url = NULL;
    if (strcmp(x->next.method, x->method) && !strcmp(x->next.method, "GET")) {
        x->body_len = REQ_BODY_NONE;
        x->drop_content = 1;
    }
    x->method = x->next.method;
    if (x->next.auth_retry) {
        x->next.auth_retry = 0;
        x->auth_stale_done = x->auth_done; /* a second retry is the stale-nonce one */
        x->auth_done = 1;
        x->auth_used = x->auth_next;
        return;
    }
    x->hops++;
}

static httpref_code follow_hops(httpref *h, exchange *x, const url *orig)
{
    for (;;) {
        url u;
        httpref_code rc = url_parse(x->cur_url, &u, h->err.detail, sizeof h->err.detail);
        if (rc != HTTPREF_OK) {
            url_free(&u);
            return x->hops ? HTTPREF_E_BAD_LOCATION : rc;
        }
        prepare_hop(h, x, &u, orig);
        rc = one_exchange(h, x);
        url_free(&u);
        if (rc != HTTPREF_OK || !x->next.url)
            return rc;
        next_hop(x);
    }
}

httpref_code httpref_perform(httpref *h, const httpref_request *req, httpref_response *resp)
{
    if (!h || !req || !req->url || !resp)
        return HTTPREF_E_BAD_OPTION;
    h->err.detail[0] = 0;
    h->err.off = -1;
    h->err.lenient = 0;
    response_free(&h->resp);
    memset(resp, 0, sizeof *resp);
    if (receive_buffers(h) != HTTPREF_OK)
        return HTTPREF_E_NOMEM;
    exchange x;
    url orig, proxy;
    httpref_code rc = start(h, req, &x, &orig, &proxy);
    if (rc == HTTPREF_OK)
        rc = follow_hops(h, &x, &orig);
    url_free(&orig);
    url_free(&proxy);
    for (int i = 0; i < x.nvisited; i++)
        free(x.visited[i]);
    if (rc == HTTPREF_OK) {
        h->resp.effective_url = x.cur_url;
        response_fill(&h->resp, resp, x.hops, x.reused);
    } else {
        free(x.cur_url);
        free(x.next.url);
    }
    return rc;
}
