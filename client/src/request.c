/*
 * request: the request head, byte for byte. Defaults are LuaSocket's
 * (User-Agent, "TE: trailers", "Connection: close, TE"), each overridden
 * case-insensitively by a caller field. Nothing malformed reaches the wire:
 * a method, field name or value with CR, LF, NUL or another CTL is refused
 * before a connection is even opened (RQ-06..08, SEC-08).
 */
#define _POSIX_C_SOURCE 200809L
#include "request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_tchar(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int is_token(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!is_tchar((unsigned char)*s))
            return 0;
    return 1;
}

/* a field's value length: value_len when the caller set it (a value may
 * then hold a NUL, which must be seen to be refused), else strlen */
static size_t value_length(const httpref_field *f)
{
    return f->value_len ? f->value_len : strlen(f->value);
}

/* field-value = *field-content: VCHAR, obs-text, SP, HTAB; never CR, LF,
 * NUL or another CTL, so a value can neither end the line nor fold it */
int req_is_field_value(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return 0;
    }
    return 1;
}

/* fields that may appear once (RFC 9110 §5.3: a sender MUST NOT repeat a non-list field) */
static int is_singleton(const char *name)
{
    static const char *const one[] = {"host",
                                      "content-length",
                                      "content-type",
                                      "authorization",
                                      "proxy-authorization",
                                      "user-agent",
                                      "referer",
                                      "from",
                                      "max-forwards",
                                      "if-modified-since",
                                      "if-unmodified-since",
                                      "range",
                                      "transfer-encoding"};
    for (size_t i = 0; i < sizeof one / sizeof one[0]; i++)
        if (!hx_casecmp(name, one[i]))
            return 1;
    return 0;
}

/* the caller's bytes as they may appear in an error detail: printable ASCII
 * kept, anything else as \xHH, at most 40 bytes (a refused CR LF must not
 * reach a log line raw) */
static const char *shown(char *dst, size_t cap, const char *src)
{
    size_t o = 0;
    for (size_t i = 0; src && src[i] && i < 40 && o + 5 < cap; i++) {
        unsigned char c = (unsigned char)src[i];
        if (c >= 0x20 && c < 0x7f && c != '\\')
            dst[o++] = (char)c;
        else
            o += (size_t)snprintf(dst + o, cap - o, "\\x%02x", c);
    }
    dst[o] = 0;
    return dst;
}

httpref_code req_validate(const char *method, const httpref_field *headers, size_t n, char *detail,
                          size_t dlen)
{
    char esc[200];
    /* method = token (RFC 9110 §9.1) */
    if (!method || !is_token(method)) {
        snprintf(detail, dlen, "method is not a token (RFC 9110 §9.1)");
        return HTTPREF_E_BAD_METHOD;
    }
    for (size_t i = 0; i < n; i++) {
        if (!headers[i].name || !is_token(headers[i].name) ||
            (headers[i].name_len && headers[i].name_len != strlen(headers[i].name))) {
            snprintf(detail, dlen, "request field name \"%s\" is not a token (RFC 9110 §5.1)",
                     shown(esc, sizeof esc, headers[i].name));
            return HTTPREF_E_BAD_FIELD_NAME;
        }
        if (headers[i].value && !req_is_field_value(headers[i].value, value_length(&headers[i]))) {
            snprintf(detail, dlen, "value of request field %s holds CR, LF, NUL or a control character",
                     shown(esc, sizeof esc, headers[i].name));
            return HTTPREF_E_BAD_FIELD_VALUE;
        }
        if (headers[i].value && is_singleton(headers[i].name)) {
            for (size_t j = i + 1; j < n; j++) {
                if (headers[j].value && !hx_casecmp(headers[i].name, headers[j].name)) {
                    snprintf(detail, dlen, "request field %.40s given twice (RFC 9110 §5.3)",
                             headers[i].name);
                    return HTTPREF_E_DUPLICATE_FIELD;
                }
            }
        }
    }
    return HTTPREF_OK;
}

/* the caller's field of that name: index, or -1; *removed when its value is NULL */
static long caller_field(const req_spec *s, const char *name, int *removed)
{
    for (size_t i = 0; i < s->nheaders; i++) {
        if (!hx_casecmp(s->headers[i].name, name)) {
            if (removed)
                *removed = s->headers[i].value == NULL;
            return (long)i;
        }
    }
    if (removed)
        *removed = 0;
    return -1;
}

/* RFC 9110 §15.4 item 5: the fields that described the body a redirect to GET dropped */
static int content_specific(const char *name)
{
    static const char *const names[] = {"content-type",     "content-encoding", "content-language",
                                        "content-location", "content-length",   "digest",
                                        "last-modified"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!hx_casecmp(name, names[i]))
            return 1;
    return 0;
}

static int dropped(const req_spec *s, const char *name)
{
    if (s->drop_content && content_specific(name))
        return 1;
    if (s->drop_credentials && (!hx_casecmp(name, "authorization") || !hx_casecmp(name, "cookie") ||
                                !hx_casecmp(name, "proxy-authorization")))
        return 1;
    if (s->drop_referer && !hx_casecmp(name, "referer"))
        return 1;
    return s->drop_host && !hx_casecmp(name, "host");
}

static void field(hx_buf *b, const char *name, const char *value)
{
    hx_buf_adds(b, name);
    hx_buf_add(b, ": ", 2);
    hx_buf_adds(b, value);
    hx_buf_add(b, "\r\n", 2);
}

/* a caller's field: exactly the value_length() bytes req_validate checked */
static void caller_field_line(hx_buf *b, const httpref_field *f)
{
    hx_buf_adds(b, f->name);
    hx_buf_add(b, ": ", 2);
    hx_buf_add(b, f->value, value_length(f));
    hx_buf_add(b, "\r\n", 2);
}

static int basic(hx_buf *b, const char *name, const char *user, const char *pass)
{
    size_t n = strlen(user) + strlen(pass) + 2;
    char *cred = malloc(n), *enc;
    if (!cred)
        return -1;
    snprintf(cred, n, "%s:%s", user, pass);
    enc = hx_base64_encode(cred, strlen(cred));
    free(cred);
    if (!enc)
        return -1;
    hx_buf_adds(b, name);
    hx_buf_adds(b, ": Basic ");
    hx_buf_adds(b, enc);
    hx_buf_add(b, "\r\n", 2);
    free(enc);
    return 0;
}

/* what the caller may not ask for: a field req_validate refuses, content on a
 * method without it, a Content-Length that is not 1*DIGIT (its value goes to
 * *caller_cl, -1 when none), a Transfer-Encoding other than chunked */
static httpref_code req_check(const req_spec *s, int64_t *caller_cl, char *detail, size_t dlen)
{
    httpref_code rc = req_validate(s->method, s->headers, s->nheaders, detail, dlen);
    int removed;
    long i;
    if (rc != HTTPREF_OK)
        return rc;
    int body_ok = strcmp(s->method, "GET") && strcmp(s->method, "HEAD") && strcmp(s->method, "TRACE");
    if (s->body_len != REQ_BODY_NONE && !body_ok) {
        snprintf(detail, dlen, "a %s request carries no content (RFC 9110 §9.3.1; RQ-23)", s->method);
        return HTTPREF_E_BODY_NOT_ALLOWED;
    }
    *caller_cl = -1;
    i = caller_field(s, "content-length", &removed);
    if (i >= 0 && !removed) {
        const char *v = s->headers[i].value;
        int64_t n = 0;
        if (!*v || strlen(v) > 18 || strspn(v, "0123456789") != strlen(v)) {
            char esc[200];
            snprintf(detail, dlen, "request Content-Length \"%s\" is not 1*DIGIT", shown(esc, sizeof esc, v));
            return HTTPREF_E_BAD_FIELD_VALUE;
        }
        for (; *v; v++)
            n = n * 10 + (*v - '0');
        *caller_cl = n;
    }
    i = caller_field(s, "transfer-encoding", &removed);
    if (i >= 0 && !removed && hx_casecmp(s->headers[i].value, "chunked")) {
        snprintf(detail, dlen, "request Transfer-Encoding other than chunked is not supported");
        return HTTPREF_E_BAD_FIELD_VALUE;
    }
    return HTTPREF_OK;
}

/* request-line = method SP request-target SP HTTP-version (RFC 9112 §3) */
static void request_line(hx_buf *out, const req_spec *s)
{
    hx_buf_adds(out, s->method);
    hx_buf_add(out, " ", 1);
    if (s->proxy) { /* absolute-form to a proxy (RFC 9112 §3.2.2) */
        hx_buf_adds(out, "http://");
        hx_buf_adds(out, s->target->authority);
    }
    hx_buf_adds(out, s->target->path_query);
    hx_buf_adds(out, s->http10 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n");
}

/* Host, User-Agent, TE and Connection: the caller's where given, else ours */
static void default_fields(hx_buf *out, const req_spec *s)
{
    int removed;
    /* Host first (RFC 9110 §7.2 SHOULD), exactly once (RQ-21) */
    long i = s->drop_host ? -1 : caller_field(s, "host", &removed);
    if (i < 0)
        field(out, "Host", s->target->authority);
    else if (!removed)
        caller_field_line(out, &s->headers[i]);
    if (s->user_agent && caller_field(s, "user-agent", NULL) < 0)
        field(out, "User-Agent", s->user_agent);
    int te_removed;
    if (caller_field(s, "te", &te_removed) < 0)
        field(out, "TE", "trailers");
    /* "TE" is a connection option, so it is listed in Connection (RFC 9112 §7.4),
     * unless the caller removed TE */
    if (caller_field(s, "connection", NULL) < 0) {
        if (!te_removed)
            field(out, "Connection", s->keepalive ? "TE" : "close, TE");
        else if (!s->keepalive)
            field(out, "Connection", "close");
    }
}

/* Authorization and Proxy-Authorization unless the caller gave them; -1 when
 * out of memory */
static int credential_fields(hx_buf *out, const req_spec *s)
{
    /* Basic credentials from the URL's userinfo, sent pre-emptively as LuaSocket does (RFC 7617 §2) */
    if (s->authorization && !s->drop_credentials && caller_field(s, "authorization", NULL) < 0)
        field(out, "Authorization", s->authorization); /* a Digest answer (auth_digest.c) */
    else if (s->target->user && !s->drop_credentials && !s->withhold_userinfo &&
             caller_field(s, "authorization", NULL) < 0 && basic(out, "Authorization", s->target->user,
                                                                 s->target->password))
        return -1;
    if (s->proxy && s->proxy->user && caller_field(s, "proxy-authorization", NULL) < 0) {
        if (basic(out, "Proxy-Authorization", s->proxy->user, s->proxy->password))
            return -1;
    }
    return 0;
}

/* the caller's other fields, then the body's framing, which is always ours */
static void caller_fields_and_framing(hx_buf *out, const req_spec *s)
{
    for (size_t k = 0; k < s->nheaders; k++) {
        const httpref_field *f = &s->headers[k];
        if (!f->value || !hx_casecmp(f->name, "host") || dropped(s, f->name) ||
            !hx_casecmp(f->name, "content-length") || !hx_casecmp(f->name, "transfer-encoding"))
            continue;
        caller_field_line(out, f);
    }
    if (s->body_len >= 0) {
        char n[32];
        snprintf(n, sizeof n, "%lld", (long long)s->body_len);
        field(out, "Content-Length", n);
    } else if (s->body_len == REQ_BODY_CHUNKED) {
        field(out, "Transfer-Encoding", "chunked");
    }
}

httpref_code req_build_head(hx_buf *out, const req_spec *s, int64_t *caller_cl, char *detail, size_t dlen)
{
    httpref_code rc = req_check(s, caller_cl, detail, dlen);
    if (rc != HTTPREF_OK)
        return rc;
    request_line(out, s);
    default_fields(out, s);
    if (credential_fields(out, s))
        return HTTPREF_E_NOMEM;
    caller_fields_and_framing(out, s);
    hx_buf_add(out, "\r\n", 2);
    return out->oom ? HTTPREF_E_NOMEM : HTTPREF_OK;
}

httpref_code req_build_connect(hx_buf *out, const url *target, const url *proxy, const char *user_agent)
{
    char authority[300];
    /* authority-form, the port always given (RFC 9112 §3.2.3, PX-02) */
    snprintf(authority, sizeof authority, target->ipv6 ? "[%s]:%u" : "%s:%u", target->host, target->port);
    hx_buf_adds(out, "CONNECT ");
    hx_buf_adds(out, authority);
    hx_buf_adds(out, " HTTP/1.1\r\n");
    field(out, "Host", authority);
    if (user_agent)
        field(out, "User-Agent", user_agent);
    /* the proxy's credentials, for the proxy: here and never inside the tunnel (PX-07) */
    if (proxy->user && basic(out, "Proxy-Authorization", proxy->user, proxy->password))
        return HTTPREF_E_NOMEM;
    hx_buf_add(out, "\r\n", 2);
    return out->oom ? HTTPREF_E_NOMEM : HTTPREF_OK;
}
