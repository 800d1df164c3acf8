/*
 * url: RFC 3986 split, resolve and remove_dot_segments, plus the checks an
 * http URL must pass before anything is sent (RFC 9110 §4.2.1, §4.2.4).
 */
#define _POSIX_C_SOURCE 200809L
#include "url.h"
#include "hx.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* RFC 3986 Appendix B: ^(([^:/?#]+):)?(//([^/?#]*))?([^?#]*)(\?([^#]*))?(#(.*))? */
void uri_split(const char *s, uri_parts *p)
{
    memset(p, 0, sizeof *p);
    const char *c = s + strcspn(s, ":/?#");
    /* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
    if (*c == ':' && c > s && ((*s | 32) >= 'a' && (*s | 32) <= 'z')) {
        int ok = 1;
        for (const char *k = s; k < c; k++)
            if (!((*k | 32) >= 'a' && (*k | 32) <= 'z') && !(*k >= '0' && *k <= '9') && !strchr("+-.", *k))
                ok = 0;
        if (ok) {
            p->scheme = s;
            p->scheme_len = (size_t)(c - s);
            s = c + 1;
        }
    }
    if (s[0] == '/' && s[1] == '/') {
        s += 2;
        p->authority = s;
        p->authority_len = strcspn(s, "/?#");
        s += p->authority_len;
    }
    p->path = s;
    p->path_len = strcspn(s, "?#");
    s += p->path_len;
    if (*s == '?') {
        p->query = ++s;
        p->query_len = strcspn(s, "#");
        s += p->query_len;
    }
    if (*s == '#') {
        p->fragment = ++s;
        p->fragment_len = strlen(s);
    }
}

int httpref_uri_authority(const char *uri, size_t *start, size_t *len)
{
    uri_parts p;
    uri_split(uri, &p);
    if (!p.authority)
        return 0;
    *start = (size_t)(p.authority - uri);
    *len = p.authority_len;
    return 1;
}

/* RFC 3986 §5.2.4, the output-buffer formulation, in place (output never
 * outruns input) */
size_t uri_remove_dot_segments(char *buf, size_t len)
{
    size_t in = 0, out = 0;
    while (in < len) {
        size_t rest = len - in;
        const char *p = buf + in;
        if (rest >= 3 && !memcmp(p, "../", 3)) {
            in += 3; /* A */
        } else if (rest >= 2 && !memcmp(p, "./", 2)) {
            in += 2;
        } else if (rest >= 3 && !memcmp(p, "/./", 3)) {
            in += 2; /* B: "/./" -> "/" */
        } else if (rest == 2 && !memcmp(p, "/.", 2)) {
            in += 1;
            buf[in] = '/';
        } else if ((rest >= 4 && !memcmp(p, "/../", 4)) || (rest == 3 && !memcmp(p, "/..", 3))) {
            /* C: drop the last output segment */
            if (rest == 3) {
                in += 2;
                buf[in] = '/';
            } else {
                in += 3;
            }
            while (out > 0 && buf[out - 1] != '/')
                out--;
            if (out > 0)
                out--;
        } else if ((rest == 1 && p[0] == '.') || (rest == 2 && !memcmp(p, "..", 2))) {
            in = len; /* D */
        } else {
            /* E: move the first segment (with its leading "/") to the output */
            size_t k = 1;
            while (k < rest && p[k] != '/')
                k++;
            if (p[0] != '/') {
                k = 0;
                while (k < rest && p[k] != '/')
                    k++;
            }
            memmove(buf + out, p, k);
            out += k;
            in += k;
        }
    }
    buf[out] = 0;
    return out;
}

static char *cat(char *dst, const char *src, size_t n)
{
    memcpy(dst, src, n);
    return dst + n;
}

char *uri_resolve(const char *base, const char *ref)
{
    uri_parts b, r;
    uri_split(base, &b);
    uri_split(ref, &r);
    size_t cap = strlen(base) + strlen(ref) + 8;
    char *out = malloc(cap), *o = out, *path;
    if (!out)
        return NULL;
    /* scheme */
    const uri_parts *auth_from, *query_from;
    const char *pth = NULL;
    size_t pth_len = 0;
    int merge = 0;
    if (r.scheme) {
        o = cat(o, r.scheme, r.scheme_len);
        auth_from = &r;
        query_from = &r;
        pth = r.path;
        pth_len = r.path_len;
    } else {
        o = cat(o, b.scheme ? b.scheme : "", b.scheme_len);
        if (r.authority) {
            auth_from = &r;
            query_from = &r;
            pth = r.path;
            pth_len = r.path_len;
        } else {
            auth_from = &b;
            if (r.path_len == 0) {
                pth = b.path;
                pth_len = b.path_len;
                query_from = r.query ? &r : &b;
            } else {
                query_from = &r;
                if (r.path[0] == '/') {
                    pth = r.path;
                    pth_len = r.path_len;
                } else {
                    merge = 1;
                }
            }
        }
    }
    *o++ = ':';
    if (auth_from->authority) {
        o = cat(o, "//", 2);
        o = cat(o, auth_from->authority, auth_from->authority_len);
    }
    path = o;
    if (merge) {
        /* §5.2.3 merge */
        if (b.authority && b.path_len == 0) {
            *o++ = '/';
        } else {
            size_t k = b.path_len;
            while (k > 0 && b.path[k - 1] != '/')
                k--;
            o = cat(o, b.path, k);
        }
        o = cat(o, r.path, r.path_len);
    } else {
        o = cat(o, pth, pth_len);
    }
    *o = 0;
    if (!(r.path_len == 0 && !r.scheme && !r.authority)) /* an empty reference keeps the base path as it is */
        o = path + uri_remove_dot_segments(path, (size_t)(o - path));
    if (query_from->query) {
        *o++ = '?';
        o = cat(o, query_from->query, query_from->query_len);
    }
    if (r.fragment) {
        *o++ = '#';
        o = cat(o, r.fragment, r.fragment_len);
    }
    *o = 0;
    return out;
}

static int hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 32);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* percent-decode into a new string; -1 when the result holds a CTL */
static int unescape(const char *s, size_t n, char **out)
{
    char *d = malloc(n + 1), *o = d;
    int ctl = 0;
    if (!d)
        return -2;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%' && i + 2 < n && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
            c = (unsigned char)(hex(s[i + 1]) * 16 + hex(s[i + 2]));
            i += 2;
        }
        if (c < 0x20 || c == 0x7f)
            ctl = 1;
        *o++ = (char)c;
    }
    *o = 0;
    *out = d;
    return ctl ? -1 : 0;
}

/* bytes allowed raw in a request-target: unreserved / sub-delims / ":" / "@"
 * / "/" / "?" and valid "%HH" (RFC 3986 §3.3, §3.4); the rest is escaped
 * (RFC 9112 §3.2: no whitespace; RD-18, RD-37, RQ-09) */
static size_t escape_target(const char *s, size_t n, char *out)
{
    static const char ok[] = "-._~!$&'()*+,;=:@/?";
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int raw = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  (c && strchr(ok, c));
        if (c == '%' && i + 2 < n && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0)
            raw = 1; /* a valid escape stays; a lone '%' becomes %25 */
        if (raw) {
            if (out)
                out[o] = (char)c;
            o++;
        } else {
            if (out)
                snprintf(out + o, 4, "%%%02X", c);
            o += 3;
        }
    }
    return o;
}

static httpref_code bad(char *detail, size_t dlen, httpref_code code, const char *what)
{
    snprintf(detail, dlen, "%s", what);
    return code;
}

/* the whole URL: no control byte, an http or https scheme, an authority */
static httpref_code url_scheme(const char *s, uri_parts *p, url *u, char *detail, size_t dlen)
{
    /* nothing that could end a line or a string may enter a request (SEC-08) */
    for (const char *c = s; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            return bad(detail, dlen, HTTPREF_E_URL, "control character (CR, LF, TAB...) in the URL");
    uri_split(s, p);
    if (!p->scheme)
        return bad(detail, dlen, HTTPREF_E_URL, "URL has no scheme (expected http://host/...)");
    /* http and https only (RFC 9110 §4.2.1, §4.2.2); whether https can be
     * fetched is the client's question (a build without TLS refuses it) */
    u->https = p->scheme_len == 5 && !hx_ncasecmp(p->scheme, "https", 5);
    if (!(p->scheme_len == 4 && !hx_ncasecmp(p->scheme, "http", 4)) && !u->https)
        return bad(detail, dlen, HTTPREF_E_URL_SCHEME, "only http and https URLs are supported");
    u->port = u->https ? 443 : 80;
    if (!p->authority || p->authority_len == 0)
        return bad(detail, dlen, HTTPREF_E_URL_HOST, "URL has an empty host (RFC 9110 §4.2.1)");
    return HTTPREF_OK;
}

/* authority = [ userinfo "@" ] host [ ":" port ]: the userinfo, decoded into
 * u->user and u->password; *a moves past its "@" */
static httpref_code url_userinfo(url *u, const char **a, const char *ae, char *detail, size_t dlen)
{
    const char *at = NULL;
    for (const char *c = *a; c < ae; c++)
        if (*c == '@')
            at = c; /* the last '@': a raw '@' cannot be in host */
    if (!at)
        return HTTPREF_OK;
    /* userinfo = *( unreserved / pct-encoded / sub-delims / ":" ) (RFC 3986 §3.2.1): a '\\' or a
     * second '@' here is where parsers disagree about the host (SEC-19, curl CVE-2022-27780) */
    for (const char *c = *a; c < at; c++)
        if (!isalnum((unsigned char)*c) && !strchr("-._~%!$&'()*+,;=:", *c))
            return bad(detail, dlen, HTTPREF_E_URL,
                       "userinfo holds a character RFC 3986 §3.2.1 does not allow ('@', '\\', ...)");
    const char *colon = memchr(*a, ':', (size_t)(at - *a));
    int r1 = unescape(*a, (size_t)((colon ? colon : at) - *a), &u->user);
    int r2 = colon ? unescape(colon + 1, (size_t)(at - colon - 1), &u->password) : unescape("", 0, &u->password);
    if (r1 == -2 || r2 == -2)
        return HTTPREF_E_NOMEM;
    if (r1 || r2 || strchr(u->user, ':'))
        return bad(detail, dlen, HTTPREF_E_BAD_CREDENTIALS,
                   "credentials hold a control character or the user-id a ':' (RFC 7617 §2)");
    *a = at + 1;
    return HTTPREF_OK;
}

/* IP-literal = "[" IPv6address "]" from a: the address at [*hs, *he), *a past the "]" */
static httpref_code url_ipv6(url *u, const char **a, const char *ae, const char **hs, const char **he, char *detail,
                             size_t dlen)
{
    *he = memchr(*a, ']', (size_t)(ae - *a));
    if (!*he)
        return bad(detail, dlen, HTTPREF_E_URL_HOST, "IPv6 literal without ']'");
    char v6[64];
    size_t n = (size_t)(*he - *a - 1);
    if (n == 0 || n >= sizeof v6)
        return bad(detail, dlen, HTTPREF_E_URL_HOST, "invalid IPv6 literal");
    memcpy(v6, *a + 1, n);
    v6[n] = 0;
    unsigned char tmp[16];
    if (inet_pton(AF_INET6, v6, tmp) != 1)
        return bad(detail, dlen, HTTPREF_E_URL_HOST, "invalid IPv6 literal");
    u->ipv6 = 1;
    *hs = *a + 1;
    *a = *he + 1;
    return HTTPREF_OK;
}

/* reg-name without pct-encoding (NE-08: %2F would hide a separator), RFC 1035's lengths */
static httpref_code url_reg_name(const char *hs, size_t hlen, char *detail, size_t dlen)
{
    size_t label = 0;
    if (hlen > 253)
        return bad(detail, dlen, HTTPREF_E_URL_HOST, "host name longer than 253 characters (RFC 1035)");
    for (size_t i = 0; i < hlen; i++) {
        char c = hs[i];
        if (c == '.') {
            label = 0;
            continue;
        }
        if (++label > 63)
            return bad(detail, dlen, HTTPREF_E_URL_HOST, "host label longer than 63 characters (RFC 1035)");
        if (!((c | 32) >= 'a' && (c | 32) <= 'z') && !(c >= '0' && c <= '9') && c != '-' && c != '_')
            return bad(detail, dlen, HTTPREF_E_URL_HOST, "invalid character in host name");
    }
    return HTTPREF_OK;
}

/* host from *a: checked and copied lowercase into u->host; *a moves past it */
static httpref_code url_host(url *u, const char **a, const char *ae, char *detail, size_t dlen)
{
    const char *hs = *a, *he;
    if (**a == '[') {
        httpref_code rc = url_ipv6(u, a, ae, &hs, &he, detail, dlen);
        if (rc != HTTPREF_OK)
            return rc;
    } else {
        he = *a;
        while (he < ae && *he != ':')
            he++;
        *a = he;
    }
    size_t hlen = (size_t)(he - hs);
    if (hlen == 0)
        return bad(detail, dlen, HTTPREF_E_URL_HOST, "URL has an empty host (RFC 9110 §4.2.1)");
    if (!u->ipv6) {
        httpref_code rc = url_reg_name(hs, hlen, detail, dlen);
        if (rc != HTTPREF_OK)
            return rc;
    }
    u->host = malloc(hlen + 1);
    if (!u->host)
        return HTTPREF_E_NOMEM;
    for (size_t i = 0; i < hlen; i++)
        u->host[i] = (char)((hs[i] >= 'A' && hs[i] <= 'Z') ? hs[i] + 32 : hs[i]);
    u->host[hlen] = 0;
    return HTTPREF_OK;
}

/* [ ":" port ] at [a, ae); port = *DIGIT, empty means default (RFC 3986 §3.2.3) */
static httpref_code url_port(url *u, const char *a, const char *ae, char *detail, size_t dlen)
{
    if (a >= ae)
        return HTTPREF_OK;
    if (*a != ':')
        return bad(detail, dlen, HTTPREF_E_URL_HOST, "garbage after the host");
    if (++a >= ae)
        return HTTPREF_OK;
    unsigned long v = 0;
    for (const char *c = a; c < ae; c++) {
        if (*c < '0' || *c > '9' || v > 65535)
            return bad(detail, dlen, HTTPREF_E_URL_PORT, "port is not a number in 1..65535");
        v = v * 10 + (unsigned long)(*c - '0');
    }
    if (v == 0 || v > 65535)
        return bad(detail, dlen, HTTPREF_E_URL_PORT, "port is not a number in 1..65535");
    u->port = (unsigned)v;
    u->port_given = 1;
    return HTTPREF_OK;
}

/* origin-form = absolute-path [ "?" query ]; an empty path is "/" (RFC 9112 §3.2.1);
 * the fragment is kept apart, never sent */
static httpref_code url_target(url *u, const uri_parts *p)
{
    size_t n = escape_target(p->path, p->path_len, NULL) +
               (p->query ? 1 + escape_target(p->query, p->query_len, NULL) : 0);
    u->path_query = malloc(n + 2);
    if (!u->path_query)
        return HTTPREF_E_NOMEM;
    size_t o = 0;
    if (p->path_len == 0 || p->path[0] != '/')
        u->path_query[o++] = '/';
    o += escape_target(p->path, p->path_len, u->path_query + o);
    if (p->query) {
        u->path_query[o++] = '?';
        o += escape_target(p->query, p->query_len, u->path_query + o);
    }
    u->path_query[o] = 0;
    if (p->fragment) {
        u->fragment = strndup(p->fragment, p->fragment_len);
        if (!u->fragment)
            return HTTPREF_E_NOMEM;
    }
    return HTTPREF_OK;
}

/* Host = uri-host [ ":" port ]; port only when not the default (RQ-04, NE-13) */
static httpref_code url_authority(url *u)
{
    size_t cap = strlen(u->host) + 16;
    u->authority = malloc(cap);
    if (!u->authority)
        return HTTPREF_E_NOMEM;
    if (u->port_given && u->port != (u->https ? 443u : 80u))
        snprintf(u->authority, cap, u->ipv6 ? "[%s]:%u" : "%s:%u", u->host, u->port);
    else
        snprintf(u->authority, cap, u->ipv6 ? "[%s]" : "%s", u->host);
    return HTTPREF_OK;
}

httpref_code url_parse(const char *s, url *u, char *detail, size_t dlen)
{
    uri_parts p;
    memset(u, 0, sizeof *u);
    u->port = 80;
    httpref_code rc = url_scheme(s, &p, u, detail, dlen);
    if (rc != HTTPREF_OK)
        return rc;
    const char *a = p.authority, *ae = p.authority + p.authority_len;
    rc = url_userinfo(u, &a, ae, detail, dlen);
    if (rc == HTTPREF_OK)
        rc = url_host(u, &a, ae, detail, dlen);
    if (rc == HTTPREF_OK)
        rc = url_port(u, a, ae, detail, dlen);
    if (rc == HTTPREF_OK)
        rc = url_target(u, &p);
    if (rc == HTTPREF_OK)
        rc = url_authority(u);
    return rc;
}

void url_free(url *u)
{
    free(u->host);
    free(u->user);
    free(u->password);
    free(u->path_query);
    free(u->fragment);
    free(u->authority);
    memset(u, 0, sizeof *u);
}

int url_same_origin(const url *a, const url *b)
{
    return a->https == b->https && strcmp(a->host, b->host) == 0 && a->port == b->port;
}
