/* url: RFC 3986 references and http URLs, as the client needs them. */
#ifndef HTTPREF_URL_H
#define HTTPREF_URL_H

#include <stddef.h>
#include "httpref.h"

/* the five components of RFC 3986 §3 (Appendix B split); NULL = undefined */
typedef struct uri_parts {
    const char *scheme, *authority, *path, *query, *fragment;
    size_t scheme_len, authority_len, path_len, query_len, fragment_len;
} uri_parts;

void uri_split(const char *s, uri_parts *p);

/* RFC 3986 §5.2: target of reference ref against the absolute base; a new
 * malloc'd string, or NULL when out of memory. */
char *uri_resolve(const char *base, const char *ref);

/* RFC 3986 §5.2.4 on buf[0..len), in place; returns the new length. */
size_t uri_remove_dot_segments(char *buf, size_t len);

/* An absolute http URL, validated and split. All strings are NUL-terminated
 * and owned by the struct (url_free). path_query is the request-target in
 * origin-form: path (at least "/") and "?query", percent-escaped so that no
 * SP, CTL or non-ASCII byte is ever raw. */
typedef struct url {
    char *host;        /* lowercase; IPv6 without brackets */
    int ipv6;
    int https;         /* the scheme is https (else http) */
    unsigned port;     /* 80 (http) or 443 (https) when absent */
    int port_given;
    char *user;        /* percent-decoded; NULL when the URL has no userinfo */
    char *password;    /* percent-decoded; "" when absent */
    char *path_query;
    char *fragment;    /* without '#'; NULL when absent */
    char *authority;   /* host[:port] for Host and absolute-form (no userinfo) */
} url;

/* Parse an absolute http or https URL. On failure returns a URL error code and
 * writes what was wrong into detail. */
httpref_code url_parse(const char *s, url *u, char *detail, size_t detail_len);
void url_free(url *u);
/* same scheme, host and port (RFC 9110 §4.3.1: the origin) */
int url_same_origin(const url *a, const url *b);

#endif
