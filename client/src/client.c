/*
 * client: one request end to end, on top of url, request, the transport
 * vtable and the sans-I/O reader.
 *
 *   url_parse -> req_build_head -> transport send (head, body)
 *        -> transport recv -> h1_reader_feed -> events -> sink
 *        -> redirect? (RFC 9110 §15.4) -> next hop, or the response
 *
 * The receive buffer is fixed for the handle's life (head limit + 256 KiB):
 * a head must fit in it contiguously, body bytes pass through it to the
 * sink, so memory stays constant whatever the body size. A connection is
 * kept only after a cleanly framed response without "close" and with no
 * byte left over (RFC 9112 §9.3, §6.3 last paragraph).
 */
#define _POSIX_C_SOURCE 200809L
#include "httpref.h"
#include "client_internal.h"
#include "h1_parse.h"
#include "request.h"
#include "transport_tcp.h"
#include "url.h"
#include "hx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static httpref_code fail(httpref *h, httpref_code code, int64_t off, const char *fmt, const char *arg)
{
    snprintf(h->detail, sizeof h->detail, fmt, arg ? arg : "");
    if (!h->detail[0])
        snprintf(h->detail, sizeof h->detail, "%s", httpref_strerror(code));
    h->err_off = off;
    return code;
}

httpref *httpref_new(void)
{
    httpref *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->timeout_ms = 60000;
    h->connect_timeout_ms = -1;
    h->header_deadline_ms = 30000;
    h->auth_retry = 0; /* LuaSocket: URL credentials go pre-emptively */
    /* on one CPU a spinning reader only takes time from the sender */
    h->tcp.spin = sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 100 : 0;
    h1_limits_default(&h->lim);
    h->user_agent = strdup("httpref/" HTTPREF_VERSION);
    tcp_transport_init(&h->tr, &h->tcp);
    h->err_off = -1;
    return h;
}

void httpref_close(httpref *h)
{
    if (h && h->connected) {
        h->tr.close(h->tr.ctx);
        h->connected = 0;
    }
    if (h)
        h->rpos = h->rlen = 0;
}

void httpref_free(httpref *h)
{
    if (!h)
        return;
    httpref_close(h);
    client_free_response(h);
    free(h->rbuf);
    free(h->cbuf);
    free(h->pfields);
    free(h->user_agent);
    free(h);
}

httpref_code httpref_setopt(httpref *h, httpref_option opt, long v)
{
    if (!h)
        return HTTPREF_E_BAD_OPTION;
    int nonneg = v >= 0, pos = v > 0;
    switch (opt) {
    case HTTPREF_OPT_TIMEOUT_MS:
        if (!pos)
            return HTTPREF_E_BAD_OPTION;
        h->timeout_ms = v;
        return HTTPREF_OK;
    case HTTPREF_OPT_CONNECT_TIMEOUT_MS:
        h->connect_timeout_ms = pos ? v : -1;
        return HTTPREF_OK;
    case HTTPREF_OPT_DEADLINE_MS:
        if (!nonneg)
            return HTTPREF_E_BAD_OPTION;
        h->deadline_ms = v;
        return HTTPREF_OK;
    case HTTPREF_OPT_HEADER_DEADLINE_MS:
        if (!nonneg)
            return HTTPREF_E_BAD_OPTION;
        h->header_deadline_ms = v;
        return HTTPREF_OK;
    case HTTPREF_OPT_MAX_STATUS_LINE:
    case HTTPREF_OPT_MAX_FIELD_LINE:
    case HTTPREF_OPT_MAX_HEADER_BYTES:
    case HTTPREF_OPT_MAX_FIELDS:
    case HTTPREF_OPT_MAX_INTERIM:
    case HTTPREF_OPT_MAX_CHUNK_EXT:
        if (!pos || v > (1L << 24))
            return HTTPREF_E_BAD_OPTION;
        if (h->rbuf) /* the receive buffer is sized from the limits on first use */
            return HTTPREF_E_BAD_OPTION;
        if (opt == HTTPREF_OPT_MAX_STATUS_LINE)
            h->lim.max_status_line = (size_t)v;
        else if (opt == HTTPREF_OPT_MAX_FIELD_LINE)
            h->lim.max_field_line = (size_t)v;
        else if (opt == HTTPREF_OPT_MAX_HEADER_BYTES)
            h->lim.max_header_bytes = (size_t)v;
        else if (opt == HTTPREF_OPT_MAX_FIELDS)
            h->lim.max_fields = (size_t)v;
        else if (opt == HTTPREF_OPT_MAX_INTERIM)
            h->lim.max_interim = (unsigned)v;
        else
            h->lim.max_chunk_ext = (size_t)v;
        return HTTPREF_OK;
    case HTTPREF_OPT_MAX_BODY:
        if (!nonneg)
            return HTTPREF_E_BAD_OPTION;
        h->lim.max_body = (uint64_t)v;
        return HTTPREF_OK;
    case HTTPREF_OPT_KEEPALIVE:
        h->keepalive = v != 0;
        return HTTPREF_OK;
    case HTTPREF_OPT_LENIENT:
        if (v < 0 || (v & ~(long)HTTPREF_LENIENT_ALL))
            return HTTPREF_E_BAD_OPTION;
        h->lenient = (unsigned)v;
        return HTTPREF_OK;
    case HTTPREF_OPT_AUTH_RETRY:
        h->auth_retry = v != 0;
        return HTTPREF_OK;
    case HTTPREF_OPT_REDIRECT_UNSAFE:
        h->redirect_unsafe = v != 0;
        return HTTPREF_OK;
    case HTTPREF_OPT_RECV_SPIN:
        if (!nonneg || v > 100000)
            return HTTPREF_E_BAD_OPTION;
        h->tcp.spin = (int)v;
        return HTTPREF_OK;
    case HTTPREF_OPT_REDIRECT_LAST:
        h->redirect_last = v != 0;
        return HTTPREF_OK;
    }
    return HTTPREF_E_BAD_OPTION;
}

httpref_code httpref_set_user_agent(httpref *h, const char *ua)
{
    char *copy = NULL;
    if (ua) {
        if (!req_is_field_value(ua, strlen(ua))) /* the rule of the caller's own fields */
            return HTTPREF_E_BAD_FIELD_VALUE;
        copy = strdup(ua);
        if (!copy)
            return HTTPREF_E_NOMEM;
    }
    free(h->user_agent);
    h->user_agent = copy;
    return HTTPREF_OK;
}

httpref_code httpref_set_transport(httpref *h, const httpref_transport *t)
{
    httpref_close(h);
    if (t) {
        if (!t->connect || !t->send || !t->recv || !t->close)
            return HTTPREF_E_BAD_OPTION;
        h->tr = *t;
    } else {
        tcp_transport_init(&h->tr, &h->tcp);
    }
    return HTTPREF_OK;
}

void httpref_set_trace(httpref *h, httpref_trace_fn fn, void *ud)
{
    h->trace = fn;
    h->trace_ud = ud;
}

const char *httpref_last_error_reason(const httpref *h)
{
    return h && h->detail[0] ? h->detail : "";
}

int64_t httpref_last_error_offset(const httpref *h)
{
    return h ? h->err_off : -1;
}

/* the time a blocking step may take: the per-operation timeout, cut short
 * by the header deadline and the total deadline; *which says which binds.
 * 0 when a deadline has already passed: a server that never lets the socket
 * run dry must not outlive it (poll would always find data) */
int client_wait_ms(httpref *h, const exchange *x, int *which)
{
    int64_t now = hx_now_ms(), t = h->timeout_ms;
    *which = 0;
    if (x->header_deadline && x->header_deadline - now < t) {
        t = x->header_deadline - now;
        *which = 2;
    }
    if (x->deadline && x->deadline - now < t) {
        t = x->deadline - now;
        *which = 1;
    }
    return t < 1 ? 0 : (int)t;
}

httpref_code client_timeout(httpref *h, httpref_code rc, int which)
{
    if (rc != HTTPREF_E_TIMEOUT)
        return rc;
    if (which == 1)
        return fail(h, HTTPREF_E_DEADLINE, -1, "total time limit reached%s", "");
    if (which == 2)
        return fail(h, HTTPREF_E_TIMEOUT, -1, "response head not received within the header deadline%s", "");
    return fail(h, HTTPREF_E_TIMEOUT, -1, "%s", h->tr.strerror ? h->tr.strerror(h->tr.ctx) : "timeout");
}

static int idempotent(const char *m)
{
    return !strcmp(m, "GET") || !strcmp(m, "HEAD") || !strcmp(m, "PUT") || !strcmp(m, "DELETE") ||
           !strcmp(m, "OPTIONS") || !strcmp(m, "TRACE");
}

/* connect to the peer of this hop (the proxy when there is one), reusing a
 * kept-alive connection to the same peer */
static httpref_code ensure_connection(httpref *h, exchange *x, const url *peer)
{
    char key[sizeof h->conn_key];
    snprintf(key, sizeof key, "%s:%u", peer->host, peer->port);
    x->reused = 0;
    if (h->connected && h->keepalive && !strcmp(key, h->conn_key) &&
        !(h->tr.ctx == &h->tcp && tcp_idle_unusable(&h->tcp))) {
        x->reused = 1;
        return HTTPREF_OK;
    }
    httpref_close(h);
    char port[8];
    snprintf(port, sizeof port, "%u", peer->port);
    int which, t = client_wait_ms(h, x, &which);
    if (h->connect_timeout_ms > 0 && h->connect_timeout_ms < t) {
        t = (int)h->connect_timeout_ms;
        which = 0;
    }
    httpref_code rc = t ? h->tr.connect(h->tr.ctx, peer->host, port, t) : HTTPREF_E_CONNECT_TIMEOUT;
    if (rc != HTTPREF_OK) {
        const char *why = h->tr.strerror ? h->tr.strerror(h->tr.ctx) : NULL;
        if (rc == HTTPREF_E_CONNECT_TIMEOUT && which == 1)
            return fail(h, HTTPREF_E_DEADLINE, -1, "total time limit reached while connecting%s", "");
        return fail(h, rc, -1, "%s", why && *why ? why : httpref_strerror(rc));
    }
    h->connected = 1;
    snprintf(h->conn_key, sizeof h->conn_key, "%s", key);
    return HTTPREF_OK;
}

static httpref_code send_all(httpref *h, exchange *x, const char *p, size_t n)
{
    int which, t = client_wait_ms(h, x, &which);
    httpref_code rc = t ? h->tr.send(h->tr.ctx, p, n, t) : HTTPREF_E_TIMEOUT;
    if (rc == HTTPREF_E_SEND || rc == HTTPREF_E_TRANSPORT)
        return fail(h, rc, -1, "%s", h->tr.strerror ? h->tr.strerror(h->tr.ctx) : "send failed");
    return client_timeout(h, rc, which);
}

/* the body: in memory, or streamed from the source with Content-Length
 * (checked: never pad, never truncate silently, RQ-22) or chunked */
static httpref_code send_body(httpref *h, exchange *x)
{
    const httpref_request *q = x->req;
    if (x->body_len == -2)
        return HTTPREF_OK;
    if (q->body)
        return q->body_len ? send_all(h, x, q->body, q->body_len) : HTTPREF_OK;
    char buf[65536 + 32];
    uint64_t sent = 0;
    for (;;) {
        long n = q->source(q->source_ud, buf + 16, 65536);
        if (n < 0)
            return fail(h, HTTPREF_E_SOURCE, -1, "the body source failed%s", "");
        if (x->body_len >= 0) {
            if (n == 0) {
                if (sent != (uint64_t)x->body_len)
                    return fail(h, HTTPREF_E_SOURCE, -1,
                                "the body source ended before the declared Content-Length%s", "");
                return HTTPREF_OK;
            }
            if (sent + (uint64_t)n > (uint64_t)x->body_len)
                return fail(h, HTTPREF_E_SOURCE, -1,
                            "the body source gave more than the declared Content-Length%s", "");
            httpref_code rc = send_all(h, x, buf + 16, (size_t)n);
            if (rc != HTTPREF_OK)
                return rc;
            sent += (uint64_t)n;
            continue;
        }
        /* chunk = chunk-size CRLF chunk-data CRLF; last-chunk = "0" CRLF CRLF (RFC 9112 §7.1) */
        if (n == 0)
            return send_all(h, x, "0\r\n\r\n", 5);
        char line[20];
        int k = snprintf(line, sizeof line, "%lx\r\n", (unsigned long)n);
        memcpy(buf + 16 - k, line, (size_t)k);
        memcpy(buf + 16 + n, "\r\n", 2);
        httpref_code rc = send_all(h, x, buf + 16 - k, (size_t)(k + n + 2));
        if (rc != HTTPREF_OK)
            return rc;
    }
}

static httpref_code one_exchange(httpref *h, exchange *x)
{
    hx_buf head = {0};
    int64_t caller_cl = -1;
    const url *peer = x->proxy ? x->proxy : x->u;
    req_spec s = {x->method,           x->u,         x->proxy,      x->req->headers, x->req->nheaders,
                  x->drop_credentials, x->drop_host, h->user_agent, h->keepalive,    x->body_len,
                  x->withhold_credentials};
    httpref_code rc = req_build_head(&head, &s, &caller_cl, h->detail, sizeof h->detail);
    if (rc != HTTPREF_OK) {
        hx_buf_free(&head);
        h->err_off = -1;
        return rc;
    }
    if (caller_cl >= 0 && x->req->body && (uint64_t)caller_cl != x->req->body_len) {
        hx_buf_free(&head);
        return fail(h, HTTPREF_E_BAD_FIELD_VALUE, -1, "the caller's Content-Length disagrees with the body%s",
                    "");
    }
    for (int attempt = 0;; attempt++) {
        rc = ensure_connection(h, x, peer);
        if (rc != HTTPREF_OK)
            break;
        if (h->trace)
            h->trace(h->trace_ud, '>', head.p, head.len);
        /* a small in-memory body goes out with the head: one write, one segment */
        if (x->req->body && x->body_len >= 0 && x->req->body_len <= 16384 && x->req->body_len > 0) {
            hx_buf both = {0};
            hx_buf_add(&both, head.p, head.len);
            hx_buf_add(&both, x->req->body, x->req->body_len);
            rc = both.oom ? HTTPREF_E_NOMEM : send_all(h, x, both.p, both.len);
            hx_buf_free(&both);
        } else {
            rc = send_all(h, x, head.p, head.len);
            if (rc == HTTPREF_OK)
                rc = send_body(h, x);
        }
        int send_failed = rc == HTTPREF_E_SEND;
        if (rc != HTTPREF_OK && !send_failed)
            break;
        char send_why[sizeof h->detail];
        if (send_failed) /* kept: the receive attempt below overwrites the detail */
            snprintf(send_why, sizeof send_why, "%s", h->detail);
        rc = client_receive(h, x);
        if (send_failed && rc != HTTPREF_OK) {
            rc = HTTPREF_E_SEND; /* no early response (CN-14) either: the send failure is the story */
            snprintf(h->detail, sizeof h->detail, "%s", send_why);
            h->err_off = -1;
        }
        /* a kept-alive connection the server had already closed: retry once,
         * only for an idempotent, replayable request (RFC 9112 §9.3.1; CN-07/08) */
        if ((rc == HTTPREF_E_EMPTY_REPLY || rc == HTTPREF_E_SEND) && x->reused && attempt == 0 &&
            idempotent(x->method) && !x->req->source) {
            httpref_close(h);
            continue;
        }
        break;
    }
    if (rc != HTTPREF_OK)
        httpref_close(h);
    hx_buf_free(&head);
    return rc;
}

/* follow the redirect in the stored head, if the rules say so: fills
 * x->next_url, or leaves it NULL to return this response */
/* a 401 whose WWW-Authenticate offers Basic (RFC 7617 §2): the auth scheme is
 * the first token of a challenge, case-insensitive */
static int offers_basic(const httpref *h)
{
    for (size_t i = 0; i < h->nfields; i++) {
        const httpref_field *f = &h->fields[i];
        if (f->name_len != 16 || hx_ncasecmp(f->name, "www-authenticate", 16))
            continue;
        for (size_t k = 0; k + 5 <= f->value_len; k++) {
            int starts = k == 0 || f->value[k - 1] == ' ' || f->value[k - 1] == ',' || f->value[k - 1] == '\t';
            int ends = k + 5 == f->value_len || f->value[k + 5] == ' ' || f->value[k + 5] == ',';
            if (starts && ends && !hx_ncasecmp(f->value + k, "basic", 5))
                return 1;
        }
    }
    return 0;
}

/* HTTPREF_OPT_AUTH_RETRY: the URL's credentials were held back; a Basic
 * challenge gets the same request again, once, with them */
static int plan_auth_retry(httpref *h, exchange *x)
{
    if (h->status != 401 || !x->withhold_credentials || !x->u->user || x->drop_credentials)
        return 0;
    if (x->req->source || !offers_basic(h)) /* a streamed body cannot be sent twice */
        return 0;
    x->next_url = strdup(x->cur_url);
    if (!x->next_url)
        return -1;
    x->next_method = x->method;
    x->auth_retry = 1;
    return 1;
}

static httpref_code plan_redirect(httpref *h, exchange *x)
{
    x->next_url = NULL;
    int st = h->status;
    int ar = plan_auth_retry(h, x);
    if (ar)
        return ar < 0 ? HTTPREF_E_NOMEM : HTTPREF_OK;
    if (st != 301 && st != 302 && st != 303 && st != 307 && st != 308)
        return HTTPREF_OK; /* 300, 304, 305, 306... are not followed (RD-31..35) */
    if (x->req->redirect == 0)
        return HTTPREF_OK;
    const httpref_field *loc = NULL;
    for (size_t i = 0; i < h->nfields; i++) {
        const httpref_field *f = &h->fields[i];
        if (f->name_len == 8 && !hx_ncasecmp(f->name, "location", 8)) {
            if (loc && (loc->value_len != f->value_len || memcmp(loc->value, f->value, f->value_len)))
                return fail(h, HTTPREF_E_BAD_LOCATION, -1, "two Location fields with different values%s", "");
            loc = f;
        }
    }
    if (!loc || loc->value_len == 0)
        return HTTPREF_OK; /* RD-09, RD-10: no Location, no redirect */
    int safe = !strcmp(x->method, "GET") || !strcmp(x->method, "HEAD");
    int replayable = !x->req->source;
    if (!safe && !(x->req->redirect == 1 || h->redirect_unsafe))
        return HTTPREF_OK; /* an unsafe method's 3xx goes back to the caller by default */
    if (!safe && (st == 307 || st == 308 || strcmp(x->method, "POST")) && !replayable)
        return HTTPREF_OK; /* the body cannot be sent again */
    if (x->hops >= x->max_redirects) /* HTTPREF_OPT_REDIRECT_LAST: this 3xx is the response */
        return h->redirect_last ? HTTPREF_OK
                                : fail(h, HTTPREF_E_TOO_MANY_REDIRECTS, -1, "more redirects than the limit (%s)",
                                       x->limit_text);
    char *target = uri_resolve(x->cur_url, loc->value);
    if (!target)
        return HTTPREF_E_NOMEM;
    uri_parts p;
    uri_split(target, &p);
    if (!p.scheme || p.scheme_len != 4 || hx_ncasecmp(p.scheme, "http", 4)) {
        httpref_code rc = fail(h, HTTPREF_E_REDIRECT_REFUSED, -1,
                               "redirect to \"%.120s\" refused: only http is followed", target);
        free(target);
        return rc;
    }
    uri_parts lp; /* userinfo in the Location itself: the request URL's own credentials are not its doing */
    uri_split(loc->value, &lp);
    if (lp.authority && memchr(lp.authority, '@', lp.authority_len)) {
        free(target);
        return fail(h, HTTPREF_E_REDIRECT_REFUSED, -1,
                    "redirect target carries credentials (RFC 9110 §4.2.4)%s", "");
    }
    /* a Location without a fragment inherits the request's (RFC 9110 §10.2.2) */
    uri_parts cur;
    uri_split(x->cur_url, &cur);
    if (!p.fragment && cur.fragment) {
        size_t n = strlen(target) + cur.fragment_len + 2;
        char *t2 = malloc(n);
        if (!t2) {
            free(target);
            return HTTPREF_E_NOMEM;
        }
        snprintf(t2, n, "%s#%.*s", target, (int)cur.fragment_len, cur.fragment);
        free(target);
        target = t2;
    }
    /* 303 -> GET (HEAD stays HEAD); 301/302 POST -> GET (RFC 9110 §15.4.2-4); 307/308 keep all */
    const char *method = x->method;
    if ((st == 303 && strcmp(method, "HEAD")) || ((st == 301 || st == 302) && !strcmp(method, "POST")))
        method = "GET";
    /* a cycle: the same method on the same URL again (RFC 9110 §15.4 SHOULD detect) */
    for (int i = 0; i < x->nvisited; i++) {
        if (!strcmp(x->visited[i], target) && !strcmp(x->visited_method[i], method)) {
            httpref_code rc = h->redirect_last ? HTTPREF_OK :
                fail(h, HTTPREF_E_REDIRECT_LOOP, -1, "redirect loop back to \"%.120s\"", target);
            free(target);
            return rc;
        }
    }
    x->next_url = target;
    x->next_method = method;
    return HTTPREF_OK;
}

httpref_code httpref_perform(httpref *h, const httpref_request *req, httpref_response *resp)
{
    if (!h || !req || !req->url || !resp)
        return HTTPREF_E_BAD_OPTION;
    h->detail[0] = 0;
    h->err_off = -1;
    client_free_response(h);
    memset(resp, 0, sizeof *resp);
    if (client_buffers(h) != HTTPREF_OK)
        return HTTPREF_E_NOMEM;
    exchange x;
    memset(&x, 0, sizeof x);
    x.req = req;
    x.max_redirects = req->max_redirects >= 0 ? req->max_redirects : 5;
    snprintf(x.limit_text, sizeof x.limit_text, "%d", x.max_redirects);
    x.deadline = h->deadline_ms ? hx_now_ms() + h->deadline_ms : 0;
    x.method = req->method ? req->method : "GET";
    x.body_len = req->body ? (int64_t)req->body_len : req->source ? req->source_length : -2;
    if (req->source && x.body_len < -1)
        x.body_len = -1;
    url orig, proxy, u;
    memset(&proxy, 0, sizeof proxy);
    httpref_code rc = url_parse(req->url, &orig, h->detail, sizeof h->detail);
    if (rc != HTTPREF_OK) {
        url_free(&orig);
        return rc;
    }
    if (req->proxy) {
        rc = url_parse(req->proxy, &proxy, h->detail, sizeof h->detail);
        if (rc != HTTPREF_OK) {
            url_free(&orig);
            url_free(&proxy);
            return rc == HTTPREF_E_BAD_CREDENTIALS ? rc : HTTPREF_E_PROXY;
        }
        x.proxy = &proxy;
    }
    x.cur_url = strdup(req->url);
    if (!x.cur_url) {
        url_free(&orig);
        url_free(&proxy);
        return HTTPREF_E_NOMEM;
    }
    for (;;) {
        rc = url_parse(x.cur_url, &u, h->detail, sizeof h->detail);
        if (rc != HTTPREF_OK) {
            if (x.hops)
                rc = HTTPREF_E_BAD_LOCATION;
            url_free(&u);
            break;
        }
        /* credentials go only where they came from: same origin as the first URL */
        x.drop_credentials = x.hops > 0 && !url_same_origin(&u, &orig);
        x.withhold_credentials = h->auth_retry && !x.auth_done;
        x.drop_host = x.hops > 0;
        if (x.hops > 0 && !x.drop_credentials && orig.user && !u.user) {
            u.user = strdup(orig.user);
            u.password = strdup(orig.password ? orig.password : "");
        }
        x.u = &u;
        if (x.nvisited < MAX_VISITED) {
            x.visited[x.nvisited] = strdup(x.cur_url);
            x.visited_method[x.nvisited++] = x.method;
        }
        rc = one_exchange(h, &x);
        url_free(&u);
        if (rc != HTTPREF_OK || !x.next_url)
            break;
        free(x.cur_url);
        x.cur_url = x.next_url;
        x.next_url = NULL;
        if (strcmp(x.next_method, x.method) && !strcmp(x.next_method, "GET")) {
            x.body_len = -2; /* the method changed to GET: the body goes */
            x.body_dropped = 1;
        }
        x.method = x.next_method;
        if (x.auth_retry) { /* the same request again with credentials: not a redirect hop */
            x.auth_retry = 0;
            x.auth_done = 1;
            continue;
        }
        x.hops++;
    }
    url_free(&orig);
    url_free(&proxy);
    for (int i = 0; i < x.nvisited; i++)
        free(x.visited[i]);
    if (rc == HTTPREF_OK) {
        h->effective_url = x.cur_url;
        client_fill_response(h, resp, x.hops, x.reused);
    } else {
        free(x.cur_url);
        free(x.next_url);
    }
    return rc;
}

/* exported to receive.c: the redirect decision is taken at the head */
httpref_code client_plan_redirect(httpref *h, exchange *x)
{
    return plan_redirect(h, x);
}
