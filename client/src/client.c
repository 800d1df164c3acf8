/*
 * client: one request end to end, read top-down as the protocol goes
 * (LuaSocket's trequest): per hop, send the request line, fields and body;
 * receive the status line and fields; decide (redirect.c); receive the body;
 * then the next hop or the response.
 *
 *   url_parse -> req_build_head -> conn_open -> send_request
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
#include "url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the request line and fields of this hop, checked against the caller's own
 * Content-Length */
static httpref_code build_head(httpref *h, const exchange *x, hx_buf *head)
{
    int64_t caller_cl = -1;
    req_spec s = {x->method,           x->u,         x->proxy,      x->req->headers, x->req->nheaders,
                  x->drop_credentials, x->drop_host, h->user_agent, h->keepalive,    x->body_len,
                  x->withhold_credentials};
    httpref_code rc = req_build_head(head, &s, &caller_cl, h->err.detail, sizeof h->err.detail);
    if (rc != HTTPREF_OK) {
        h->err.off = -1;
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
    }
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
        rc = conn_open(h, x, x->proxy ? x->proxy : x->u);
        if (rc != HTTPREF_OK)
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

/* this hop's target u: what it may carry (redirect_drops_credentials), and a
 * note of where the chain has been, for loop detection */
static void prepare_hop(httpref *h, exchange *x, url *u, const url *orig)
{
    x->drop_credentials = redirect_drops_credentials(u, orig, x->hops);
    x->withhold_credentials = h->auth_retry && !x->auth_done;
    x->drop_host = x->hops > 0;
    if (x->hops > 0 && !x->drop_credentials && orig->user && !u->user) {
        u->user = strdup(orig->user);
        u->password = strdup(orig->password ? orig->password : "");
    }
    x->u = u;
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
    if (strcmp(x->next.method, x->method) && !strcmp(x->next.method, "GET"))
        x->body_len = REQ_BODY_NONE;
    x->method = x->next.method;
    if (x->next.auth_retry) {
        x->next.auth_retry = 0;
        x->auth_done = 1;
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
