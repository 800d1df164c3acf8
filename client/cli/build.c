/*
 * build: the command line as libhttpref sees it. Options go on the handle
 * once (they hold for every URL); each URL gets its own httpref_request over
 * the same fields. A new flag that maps to a library option is one line in
 * build_handle; one that changes the request, one in build_request.
 */
#define _POSIX_C_SOURCE 200809L
#include "build.h"
#include "hx.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

httpref *build_handle(const cli_config *c)
{
    httpref *h = httpref_new();
    if (!h)
        return NULL;
    httpref_setopt(h, HTTPREF_OPT_KEEPALIVE, c->keepalive);
    httpref_setopt(h, HTTPREF_OPT_LENIENT, (long)c->lenient);
    if (c->recv_spin >= 0)
        httpref_setopt(h, HTTPREF_OPT_RECV_SPIN, c->recv_spin);
    if (c->max_time > 0)
        httpref_setopt(h, HTTPREF_OPT_DEADLINE_MS, (long)(c->max_time * 1000));
    if (c->connect_timeout > 0)
        httpref_setopt(h, HTTPREF_OPT_CONNECT_TIMEOUT_MS, (long)(c->connect_timeout * 1000));
    if (c->user_agent)
        httpref_set_user_agent(h, *c->user_agent ? c->user_agent : NULL);
    return h;
}

void build_fields(cli_config *c, char **auth)
{
    *auth = NULL;
    if (c->user) {
        char *b = hx_base64_encode(c->user, strlen(c->user));
        size_t n = strlen(b) + 8;
        *auth = malloc(n);
        snprintf(*auth, n, "Basic %s", b);
        free(b);
        if (c->nfields < CLI_MAX_HEADERS) {
            c->fields[c->nfields].name = "Authorization";
            c->fields[c->nfields++].value = *auth;
        }
    }
    int has_ct = 0;
    for (size_t i = 0; i < c->nfields; i++)
        if (!hx_casecmp(c->fields[i].name, "content-type"))
            has_ct = 1;
    if ((c->data || c->data_file) && !has_ct && c->nfields < CLI_MAX_HEADERS) {
        c->fields[c->nfields].name = "Content-Type"; /* the seed's simple form */
        c->fields[c->nfields++].value = "application/x-www-form-urlencoded";
    }
}

static long file_source_read(void *ud, char *buf, size_t cap)
{
    size_t n = fread(buf, 1, cap, (FILE *)ud);
    return ferror((FILE *)ud) ? -1 : (long)n;
}

int build_request(const cli_config *c, const char *url, httpref_request *q, FILE **src)
{
    memset(q, 0, sizeof *q);
    *src = NULL;
    q->url = url;
    q->method = c->method ? c->method : c->head ? "HEAD" : (c->data || c->data_file) ? "POST" : NULL;
    q->headers = c->fields;
    q->nheaders = c->nfields;
    q->redirect = c->follow;
    q->max_redirects = c->max_redirs;
    q->proxy = c->proxy;
    q->source_length = -1;
    if (c->data) {
        q->body = c->data;
        q->body_len = strlen(c->data);
    } else if (c->data_file) {
        *src = strcmp(c->data_file, "-") ? fopen(c->data_file, "rb") : stdin;
        if (!*src) {
            fprintf(stderr, "httpref: cannot read %s: %s\n", c->data_file, strerror(errno));
            return CLI_EXIT_USAGE;
        }
        if (*src != stdin && fseek(*src, 0, SEEK_END) == 0) {
            q->source_length = ftell(*src);
            rewind(*src);
        }
        q->source = file_source_read;
        q->source_ud = *src;
    }
    return 0;
}
