/* cookies: -b/-c, curl's Netscape cookie file with RFC 6265's matching rules. */
#ifndef HTTPREF_CLI_COOKIES_H
#define HTTPREF_CLI_COOKIES_H

#include <stddef.h>
#include "cli.h"

typedef struct cookie_jar cookie_jar;

cookie_jar *cookies_new(void);
/* read / write a Netscape cookie file (- = stdin / stdout); 0 or -1 */
int cookies_load(cookie_jar *j, const char *path);
int cookies_save(const cookie_jar *j, const char *path);
/* the Cookie value for a request to host and path (malloc'd), NULL when none matches */
char *cookies_header(const cookie_jar *j, const char *host, const char *path);
/* a traced head: a request's ('>') host and path, a response's ('<') Set-Cookie fields */
void cookies_trace(cookie_jar *j, char dir, const char *data, size_t len);
void cookies_free(cookie_jar *j);

#endif
