/*
 * redirect: what to follow, what to drop, what to resend. Pure decisions on
 * the stored response and the request's state: no I/O and no handle, so
 * client.c reads as the protocol does and asks these at its decision points.
 *
 *   301/302/303/307/308 with one Location  -> follow (RFC 9110 §15.4), if
 *     the request allows it (GET/HEAD by default; others on request), the
 *     body can be sent again when it must be, the hop limit is not reached,
 *     the target is http or https without userinfo (https -> http only when
 *     allowed: HTTPREF_OPT_REDIRECT_DOWNGRADE), and it is not a loop
 *   303 -> GET (HEAD stays HEAD); 301/302 POST -> GET; 307/308 keep all
 *   300, 304, 305, 306 and a 3xx without Location -> the response itself
 */
#define _POSIX_C_SOURCE 200809L
#include "redirect.h"
#include "hx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int redirect_drops_credentials(const url *target, const url *first, int hops)
{
    return hops > 0 && !url_same_origin(target, first);
}

int redirect_may_resend(const char *method, int streamed_body)
{
    static const char *const idempotent[] = {"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"};
    if (streamed_body)
        return 0;
    for (size_t i = 0; i < sizeof idempotent / sizeof *idempotent; i++)
        if (!strcmp(method, idempotent[i]))
            return 1;
    return 0;
}

/* HTTPREF_OPT_AUTH_RETRY: the URL's credentials were held back; a 401 gets
 * the same request again, once, answering its strongest challenge we speak
 * (auth_choose: Digest SHA-256, Digest MD5, Basic), and once more when a
 * Digest answer came back stale (RFC 7616 §3.3: a new nonce, not wrong
 * credentials). A streamed body cannot be sent twice. */
static auth_scheme wants_auth_retry(const stored_response *r, exchange *x)
{
    if (r->status != 401 || !x->u->user || x->drop_credentials || x->req->source)
        return AUTH_SCHEME_NONE;
    int stale_again = x->auth_done && !x->auth_stale_done && x->auth_used == AUTH_SCHEME_DIGEST;
    if (!x->withhold_credentials && !stale_again)
        return AUTH_SCHEME_NONE;
    auth_scheme s = auth_choose(r->fields, r->nfields, &x->digest);
    if (stale_again && !(s == AUTH_SCHEME_DIGEST && x->digest.stale))
        return AUTH_SCHEME_NONE;
    return s;
}

static int is_redirect_status(int st)
{
    return st == 301 || st == 302 || st == 303 || st == 307 || st == 308;
}

/* the Location field, NULL when absent; two with different values are an error */
static httpref_code location(const stored_response *r, err_state *err, const httpref_field **loc)
{
    *loc = NULL;
    for (size_t i = 0; i < r->nfields; i++) {
        const httpref_field *f = &r->fields[i];
        if (f->name_len == 8 && !hx_ncasecmp(f->name, "location", 8)) {
            if (*loc && ((*loc)->value_len != f->value_len || memcmp((*loc)->value, f->value, f->value_len)))
                return err_set(err, HTTPREF_E_BAD_LOCATION, -1, "two Location fields with different values%s", "");
            *loc = f;
        }
    }
    return HTTPREF_OK;
}

/* whether the method and body allow following at all: an unsafe method's
 * 3xx goes back to the caller unless asked, and a body that cannot be sent
 * again (a source) is never replayed */
static int method_allows(const exchange *x, const redirect_policy *pol, int st)
{
    int safe = !strcmp(x->method, "GET") || !strcmp(x->method, "HEAD");
    int replayable = !x->req->source;
    if (!safe && !(x->req->redirect == 1 || pol->unsafe))
        return 0;
    if (!safe && (st == 307 || st == 308 || strcmp(x->method, "POST")) && !replayable)
        return 0;
    return 1;
}

/* the target of loc against the current URL, checked: http or https, never
 * from https down to http unless pol->downgrade, no userinfo
 * in the Location itself (RFC 9110 §4.2.4), and a Location without a fragment
 * inherits the request's (RFC 9110 §10.2.2). *target is NULL on an error. */
static httpref_code resolve_target(const exchange *x, const redirect_policy *pol, const httpref_field *loc,
                                   err_state *err, char **target)
{
    char *t = uri_resolve(x->cur_url, loc->value);
    *target = NULL;
    if (!t)
        return HTTPREF_E_NOMEM;
    uri_parts p, lp, cur;
    uri_split(t, &p);
    int http = p.scheme && p.scheme_len == 4 && !hx_ncasecmp(p.scheme, "http", 4);
    int https = p.scheme && p.scheme_len == 5 && !hx_ncasecmp(p.scheme, "https", 5);
    if (!http && !https) {
        httpref_code rc = err_set(err, HTTPREF_E_REDIRECT_REFUSED, -1,
                                  "redirect to \"%.120s\" refused: only http and https are followed", t);
        free(t);
        return rc;
    }
    if (http && x->u->https && !pol->downgrade) { /* SEC-11, AU-23: RFC 9110 §17.16.1 */
        httpref_code rc = err_set(err, HTTPREF_E_REDIRECT_REFUSED, -1,
                                  "redirect from https to \"%.120s\" refused: the next request would travel in clear "
                                  "(HTTPREF_OPT_REDIRECT_DOWNGRADE, --redirect-downgrade, allows it)", t);
        free(t);
        return rc;
    }
    uri_split(loc->value, &lp); /* the request URL's own credentials are not the Location's doing */
    if (lp.authority && memchr(lp.authority, '@', lp.authority_len)) {
        free(t);
        return err_set(err, HTTPREF_E_REDIRECT_REFUSED, -1, "redirect target carries credentials (RFC 9110 §4.2.4)%s",
                       "");
    }
    uri_split(x->cur_url, &cur);
    if (!p.fragment && cur.fragment) {
        size_t n = strlen(t) + cur.fragment_len + 2;
        char *t2 = malloc(n);
        if (!t2) {
            free(t);
            return HTTPREF_E_NOMEM;
        }
        snprintf(t2, n, "%s#%.*s", t, (int)cur.fragment_len, cur.fragment);
        free(t);
        t = t2;
    }
    *target = t;
    return HTTPREF_OK;
}

/* a cycle: the same method on the same URL again (RFC 9110 §15.4 SHOULD detect) */
static int visited(const exchange *x, const char *target, const char *method)
{
    for (int i = 0; i < x->nvisited; i++)
        if (!strcmp(x->visited[i], target) && !strcmp(x->visited_method[i], method))
            return 1;
    return 0;
}

httpref_code redirect_plan(const stored_response *r, const redirect_policy *pol, exchange *x, err_state *err)
{
    int st = r->status;
    const httpref_field *loc;
    x->next.url = NULL;
    x->auth_next = wants_auth_retry(r, x);
    if (x->auth_next != AUTH_SCHEME_NONE) {
        x->next.url = strdup(x->cur_url);
        if (!x->next.url)
            return HTTPREF_E_NOMEM;
        x->next.method = x->method;
        x->next.auth_retry = 1;
        return HTTPREF_OK;
    }
    if (!is_redirect_status(st) || x->req->redirect == 0)
        return HTTPREF_OK; /* 300, 304, 305, 306... are not followed (RD-31..35: RFC 9110 §15.4.1, .5, .6, .7) */
    httpref_code rc = location(r, err, &loc);
    if (rc != HTTPREF_OK || !loc || loc->value_len == 0)
        return rc; /* no Location, no redirect (RD-09, RD-10: the 3xx is the response) */
    if (!method_allows(x, pol, st))
        return HTTPREF_OK;
    if (x->hops >= x->max_redirects) /* HTTPREF_OPT_REDIRECT_LAST: this 3xx is the response */
        return pol->last ? HTTPREF_OK
                         : err_set(err, HTTPREF_E_TOO_MANY_REDIRECTS, -1, "more redirects than the limit (%s)",
                                   x->limit_text);
    char *target;
    rc = resolve_target(x, pol, loc, err, &target);
    if (rc != HTTPREF_OK)
        return rc;
    const char *method = x->method;
    if ((st == 303 && strcmp(method, "HEAD")) || ((st == 301 || st == 302) && !strcmp(method, "POST")))
        method = "GET";
    if (visited(x, target, method)) {
        rc = pol->last ? HTTPREF_OK
                       : err_set(err, HTTPREF_E_REDIRECT_LOOP, -1, "redirect loop back to \"%.120s\"", target);
        free(target);
        return rc;
    }
    x->next.url = target;
    x->next.method = method;
    return HTTPREF_OK;
}
