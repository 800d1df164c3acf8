/*
 * build: the command line as libhttpref sees it. Options go on the handle
 * once (they hold for every URL); each URL gets its own httpref_request over
 * the same fields. A new flag that maps to a library option is one line in
 * build_handle; one that changes the request, one in build_request. A value
 * the library refuses is the error it names (exit status = its number), said
 * with the flag that gave it: never dropped for a default.
 */
#define _POSIX_C_SOURCE 200809L
#include "build.h"
#include "form.h"
#include "hx.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* a library setter's refusal, said with the flag that caused it */
static httpref_code refused(httpref_code rc, const char *flag)
{
    if (rc != HTTPREF_OK)
        fprintf(stderr, "httpref: %s refused: %s (%s)\n", flag, httpref_strerror(rc), httpref_code_name(rc));
    return rc;
}

static httpref_code set_options(httpref *h, const cli_config *c)
{
    httpref_code rc = HTTPREF_OK;
    if (!rc)
        rc = refused(httpref_setopt(h, HTTPREF_OPT_KEEPALIVE, c->keepalive), "--keepalive");
    if (!rc)
        rc = refused(httpref_setopt(h, HTTPREF_OPT_LENIENT, (long)c->lenient), "--lenient");
    if (!rc && c->recv_spin >= 0)
        rc = refused(httpref_setopt(h, HTTPREF_OPT_RECV_SPIN, c->recv_spin), "--recv-spin");
    if (!rc && c->max_time > 0)
        rc = refused(httpref_setopt(h, HTTPREF_OPT_DEADLINE_MS, (long)(c->max_time * 1000)), "-m");
    if (!rc && c->connect_timeout > 0)
        rc = refused(httpref_setopt(h, HTTPREF_OPT_CONNECT_TIMEOUT_MS, (long)(c->connect_timeout * 1000)),
                     "--connect-timeout");
    if (!rc && c->http10)
        rc = refused(httpref_setopt(h, HTTPREF_OPT_HTTP10, 1), "--http1.0");
    if (!rc && c->user_agent)
        rc = refused(httpref_set_user_agent(h, *c->user_agent ? c->user_agent : NULL), "-A");
    if (!rc && c->anyauth)
        rc = refused(httpref_setopt(h, HTTPREF_OPT_AUTH_RETRY, 1), "--anyauth");
    if (!rc && (c->cacert || c->capath))
        rc = refused(httpref_set_ca(h, c->cacert, c->capath), "--cacert");
    if (!rc)
        rc = refused(httpref_setopt(h, HTTPREF_OPT_REDIRECT_DOWNGRADE, c->redirect_downgrade), "--redirect-downgrade");
    if (!rc && c->insecure) { /* said once, like curl's warning: this is no longer a checked connection */
        rc = refused(httpref_setopt(h, HTTPREF_OPT_INSECURE, 1), "-k");
        if (!c->silent)
            fprintf(stderr, "httpref: warning: --insecure: https certificates and host names are not checked\n");
    }
    return rc;
}

httpref *build_handle(const cli_config *c, httpref_code *rc)
{
    httpref *h = httpref_new();
    *rc = h ? set_options(h, c) : HTTPREF_E_NOMEM;
    if (*rc != HTTPREF_OK) {
        httpref_free(h);
        return NULL;
    }
    return h;
}

static int has_field(const cli_config *c, const char *name)
{
    for (size_t i = 0; i < c->nfields; i++)
        if (!hx_casecmp(c->fields[i].name, name))
            return 1;
    return 0;
}

/* a field the command line implies, unless -H gave (or removed) that name */
static void add_default(cli_config *c, const char *name, const char *value)
{
    if (!has_field(c, name) && c->nfields < CLI_MAX_HEADERS) {
        c->fields[c->nfields].name = name;
        c->fields[c->nfields++].value = value;
    }
}

/* -u: the same rule as userinfo in a URL (BAD_CREDENTIALS): no control
 * byte, so none can reach the wire or the base64 a proxy logs. curl prompts
 * for a missing password; httpref sends it empty. */
static httpref_code basic_auth(const cli_config *c, char **auth)
{
    for (const char *p = c->user; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return refused(HTTPREF_E_BAD_CREDENTIALS, "-u");
    size_t n = strlen(c->user);
    char *pair = malloc(n + 2);
    if (!pair)
        return HTTPREF_E_NOMEM;
    snprintf(pair, n + 2, "%s%s", c->user, strchr(c->user, ':') ? "" : ":");
    char *b = hx_base64_encode(pair, strlen(pair));
    free(pair);
    if (!b)
        return HTTPREF_E_NOMEM;
    n = strlen(b) + 8;
    *auth = malloc(n);
    if (*auth)
        snprintf(*auth, n, "Basic %s", b);
    free(b);
    return *auth ? HTTPREF_OK : HTTPREF_E_NOMEM;
}

httpref_code build_fields(cli_config *c, char **auth, char **range)
{
    *auth = *range = NULL;
    if (c->user) {
        httpref_code rc = basic_auth(c, auth);
        if (rc != HTTPREF_OK)
            return rc;
        if (!c->anyauth) /* --anyauth: the credentials go in the URL, for the library's challenge answer */
            add_default(c, "Authorization", *auth);
    }
    if (c->range) {
        size_t n = strlen(c->range) + 8;
        *range = malloc(n);
        if (!*range)
            return HTTPREF_E_NOMEM;
        snprintf(*range, n, "bytes=%s", c->range);
        add_default(c, "Range", *range);
    }
    if (c->json) { /* curl's --json: both fields, unless -H gave them */
        add_default(c, "Content-Type", "application/json");
        add_default(c, "Accept", "application/json");
    }
    if ((c->body_given && !c->get) || c->data_file)
        add_default(c, "Content-Type", "application/x-www-form-urlencoded"); /* curl's -d */
    add_default(c, "Accept", "*/*"); /* curl's default */
    if (c->compressed)
        add_default(c, "Accept-Encoding", "gzip, deflate");
    /* no "TE: trailers": the command line shows no trailer, so it asks for none, as curl;
     * -H 'TE: trailers' puts it back (the library and the adapter keep LuaSocket's) */
    add_default(c, "TE", NULL);
    return HTTPREF_OK;
}

static long file_source_read(void *ud, char *buf, size_t cap)
{
    size_t n = fread(buf, 1, cap, (FILE *)ud);
    return ferror((FILE *)ud) ? -1 : (long)n;
}

/* -T / --data-binary @FILE: streamed, with its length when it has one (else chunked) */
static int open_source(const char *path, cli_req *r)
{
    r->src = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!r->src) {
        fprintf(stderr, "httpref: cannot read %s: %s\n", path, strerror(errno));
        return CLI_EXIT_USAGE;
    }
    if (r->src != stdin && fseek(r->src, 0, SEEK_END) == 0) {
        r->q.source_length = ftell(r->src);
        rewind(r->src);
    }
    r->q.source = file_source_read;
    r->q.source_ud = r->src;
    return 0;
}

/* s percent-encoded (RFC 3986 §2.1): everything but unreserved bytes */
static void escape_to(hx_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        char e[4];
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || strchr("-._~", ch)) {
            hx_buf_add(b, (const char *)&ch, 1);
        } else {
            snprintf(e, sizeof e, "%%%02X", ch);
            hx_buf_add(b, e, 3);
        }
    }
}

/* --anyauth: -u's credentials as the URL's userinfo, which the library holds
 * back until a 401 names its scheme (a URL with its own userinfo keeps it) */
static int userinfo_url(const char *url, const char *user, cli_req *r)
{
    const char *auth = strstr(url, "://");
    if (!auth || memchr(auth + 3, '@', strcspn(auth + 3, "/?#")))
        return 0;
    const char *colon = strchr(user, ':');
    size_t ulen = colon ? (size_t)(colon - user) : strlen(user);
    hx_buf b = {0};
    hx_buf_add(&b, url, (size_t)(auth + 3 - url));
    escape_to(&b, user, ulen);
    hx_buf_add(&b, ":", 1);
    if (colon)
        escape_to(&b, colon + 1, strlen(colon + 1));
    hx_buf_add(&b, "@", 1);
    hx_buf_adds(&b, auth + 3);
    if (b.oom) {
        hx_buf_free(&b);
        return HTTPREF_E_NOMEM;
    }
    r->url = b.p;
    r->q.url = r->url;
    return 0;
}

/* curl's -T FILE URL/: the file's name is appended to a URL ending in '/' */
static int upload_url(const char *url, const char *file, cli_req *r)
{
    size_t n = strlen(url);
    if (!n || url[n - 1] != '/' || !strcmp(file, "-"))
        return 0;
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    r->url = malloc(n + strlen(base) + 1);
    if (!r->url)
        return HTTPREF_E_NOMEM;
    snprintf(r->url, n + strlen(base) + 1, "%s%s", url, base);
    r->q.url = r->url;
    return 0;
}

/* -G: the data as the URL's query ('?' or '&' before it), the fragment kept after it */
static int get_url(const char *url, const cli_config *c, cli_req *r)
{
    size_t n = strlen(url), frag = strcspn(url, "#"), size = n + c->body_len + 2;
    r->url = malloc(size);
    if (!r->url)
        return HTTPREF_E_NOMEM;
    const char *sep = memchr(url, '?', frag) ? "&" : "?";
    snprintf(r->url, size, "%.*s%s%s%s", (int)frag, url, c->body_len ? sep : "", c->body, url + frag);
    r->q.url = r->url;
    return 0;
}

/* this request's own field name: value, in place of the command line's of that name
 * (force) or only when it has none; the request's fields become its own copy */
static void req_field(cli_req *r, const char *name, const char *value, int force)
{
    size_t n = 0, given = 0;
    for (size_t i = 0; i < r->q.nheaders; i++) {
        int same = !hx_casecmp(r->q.headers[i].name, name);
        given |= same;
        if (!same || !force)
            r->fields[n++] = r->q.headers[i];
    }
    if ((force || !given) && n < sizeof r->fields / sizeof r->fields[0]) {
        r->fields[n].name = name;
        r->fields[n++].value = value;
    }
    r->q.headers = r->fields;
    r->q.nheaders = n;
}

/* -F: the multipart body as the request's source, its Content-Type unless -H gave one */
static int form_request(const cli_config *c, cli_req *r)
{
    int64_t size;
    r->form = form_build(c, &size);
    if (!r->form)
        return CLI_EXIT_USAGE;
    r->q.source = form_read;
    r->q.source_ud = r->form;
    r->q.source_length = size;
    req_field(r, "Content-Type", form_content_type(r->form), 0);
    return 0;
}

int build_request(const cli_config *c, const char *url, cli_req *r)
{
    memset(r, 0, sizeof *r);
    httpref_request *q = &r->q;
    q->url = url;
    int body = (c->body_given && !c->get) || c->data_file || c->nforms;
    const char *implied = c->upload ? "PUT" : c->head ? "HEAD" : body ? "POST" : NULL;
    q->method = c->method ? c->method : implied;
    q->headers = c->fields;
    q->nheaders = c->nfields;
    /* curl: no -L, no following (the 3xx is the answer); -L follows any method as RFC 9110 says */
    q->redirect = c->follow ? 1 : 0;
    q->max_redirects = c->max_redirs < 0 ? 1000000 : c->max_redirs;
    q->proxy = c->proxy;
    q->source_length = -1;
    if (c->anyauth && c->user) {
        int st = userinfo_url(url, c->user, r);
        if (st)
            return st;
    }
    if (c->upload) {
        char *base = r->url; /* -T appends to the URL as it now stands */
        int st = upload_url(r->url ? r->url : url, c->upload, r);
        if (base != r->url)
            free(base);
        return st ? st : open_source(c->upload, r);
    }
    if (c->nforms)
        return form_request(c, r);
    if (c->body_given && c->get)
        return get_url(url, c, r);
    if (c->body_given) {
        q->body = c->body;
        q->body_len = c->body_len;
    } else if (c->data_file) {
        return open_source(c->data_file, r);
    }
    return 0;
}

void build_field(cli_req *r, const char *name, const char *value)
{
    req_field(r, name, value, 0);
}

/* the host (without port or userinfo, lowercase not needed: matching folds case) and path of an http URL */
void cli_url_host_path(const char *url, char *host, size_t hcap, char *path, size_t pcap)
{
    const char *a = strstr(url, "://");
    a = a ? a + 3 : url;
    size_t an = strcspn(a, "/?#");
    const char *at = memchr(a, '@', an);
    const char *h = at ? at + 1 : a;
    size_t hn = (size_t)(a + an - h);
    const char *colon = h[0] == '[' ? memchr(h, ']', hn) : memchr(h, ':', hn);
    if (colon && h[0] == '[')
        colon++;
    snprintf(host, hcap, "%.*s", (int)(colon ? (size_t)(colon - h) : hn), h);
    const char *p = a + an;
    snprintf(path, pcap, "%.*s", (int)strcspn(p, "?#"), *p == '/' ? p : "/");
}

int build_resume(cli_req *r, int64_t offset)
{
    snprintf(r->range, sizeof r->range, "bytes=%lld-", (long long)offset);
    req_field(r, "Range", r->range, 1);
    return 0;
}


void build_request_free(cli_req *r)
{
    if (r->src && r->src != stdin)
        fclose(r->src);
    free(r->url);
    form_free(r->form);
    r->form = NULL;
    r->src = NULL;
    r->url = NULL;
}
