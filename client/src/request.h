/* request: serialise a request head; refuse anything malformed before it can reach the wire. */
#ifndef HTTPREF_REQUEST_H
#define HTTPREF_REQUEST_H

#include <stddef.h>
#include <stdint.h>
#include "httpref.h"
#include "hx.h"
#include "url.h"


/* body_len of a request: these two, or >= 0 for a Content-Length */
enum { REQ_BODY_NONE = -2, REQ_BODY_CHUNKED = -1 };

/* what to send */
typedef struct req_spec {
    const char *method;
    const url *target;
    const url *proxy;              /* NULL: direct, origin-form */
    const httpref_field *headers;  /* caller fields; a NULL value removes a default */
    size_t nheaders;
    int drop_credentials;          /* cross-origin redirect: drop Authorization, Cookie, Proxy-Authorization */
    int drop_host;                 /* redirect: the caller's Host no longer applies */
    const char *user_agent;        /* NULL: none */
    int keepalive;
    int64_t body_len;              /* REQ_BODY_NONE, REQ_BODY_CHUNKED or the Content-Length */
    int withhold_userinfo;         /* HTTPREF_OPT_AUTH_RETRY's first try: no Basic from the URL yet */
    int drop_referer;              /* after https, an http request: no caller Referer (RFC 9110 §10.1.3) */
    const char *authorization;     /* the client's own answer to a challenge (Digest), instead of Basic */
    int http10;                    /* HTTPREF_OPT_HTTP10: "HTTP/1.0" in the request line */
    int drop_content;              /* a redirect changed the method to GET: no content-specific fields */
} req_spec;

/* field-value bytes (RFC 9110 §5.5): no CR, LF, NUL or other CTL; HTAB allowed */
int req_is_field_value(const char *s, size_t n);

/* Validate the caller's method and fields (RFC 9110 §5.1, §5.5, §9.1). */
httpref_code req_validate(const char *method, const httpref_field *headers, size_t n, char *detail, size_t dlen);

/* Serialise the head into out. The caller's Content-Length, if any, is
 * returned in *caller_cl (-1 when absent) so the client can check the body. */
httpref_code req_build_head(hx_buf *out, const req_spec *s, int64_t *caller_cl, char *detail, size_t dlen);

/* The CONNECT request that opens a tunnel to target through proxy (RFC 9110
 * §9.3.6): authority-form, Host, User-Agent, Basic proxy credentials from the
 * proxy URL; no caller field (PX-08: they are meant for the origin). */
httpref_code req_build_connect(hx_buf *out, const url *target, const url *proxy, const char *user_agent);

#endif
