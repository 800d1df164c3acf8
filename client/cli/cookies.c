/*
 * cookies: -b/--cookie and -c/--cookie-jar with curl's Netscape cookie file
 * and the RFC 6265 rules. -b NAME=VALUE[; ...] is sent as it is; -b FILE
 * loads a cookie file; -c FILE writes every cookie kept (session ones with
 * expiry 0) when the run ends. A Set-Cookie is read from every response
 * head (each hop of a redirect too, against that hop's host and path); a
 * request carries the unexpired cookies whose domain and path match it
 * (§5.1.3, §5.1.4), longer paths first (§5.4), never a Secure one over
 * http. A Domain the request host does not domain-match is refused (§5.3
 * step 6; there is no public-suffix list, so "Domain=com" from a host
 * under .com is accepted: as curl without libpsl). The library removes
 * Cookie when a redirect leaves the origin, so no cookie reaches another
 * host; a cookie set by a redirect's hop goes with the next URL of the
 * command line, not with the next hop (the hops share one set of fields).
 */
#define _XOPEN_SOURCE 700 /* strptime */
#define _DEFAULT_SOURCE /* timegm */
#include "cookies.h"
#include "hx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct cookie {
    char *domain, *path, *name, *value;
    int tailmatch, secure, httponly;
    long long expires; /* 0 = session */
} cookie;

struct cookie_jar {
    cookie c[CLI_MAX_COOKIES];
    int n;
    char host[256], path[1024]; /* the request the next response head answers */
};

static void drop(cookie_jar *j, int i)
{
    free(j->c[i].domain);
    free(j->c[i].path);
    free(j->c[i].name);
    free(j->c[i].value);
    memmove(&j->c[i], &j->c[i + 1], (size_t)(j->n - i - 1) * sizeof j->c[0]); /* the order is kept: -c writes it */
    j->n--;
}

/* keep k (its strings now the jar's), replacing the cookie of the same name, domain and path */
static void keep(cookie_jar *j, cookie k, long long now)
{
    for (int i = 0; i < j->n; i++)
        if (!strcmp(j->c[i].name, k.name) && !hx_casecmp(j->c[i].domain, k.domain) && !strcmp(j->c[i].path, k.path)) {
            drop(j, i);
            break;
        }
    if ((k.expires && k.expires <= now) || j->n == CLI_MAX_COOKIES || !k.domain || !k.path || !k.name || !k.value) {
        cookie_jar tmp = {.n = 1};
        tmp.c[0] = k;
        drop(&tmp, 0); /* expired (a deletion), no room, or out of memory */
        return;
    }
    j->c[j->n++] = k;
}

/* §5.1.3: host equals domain, or ends with "." domain and is not an IP address */
static int domain_match(const char *host, const char *domain, int tail)
{
    size_t h = strlen(host), d = strlen(domain);
    if (!hx_casecmp(host, domain))
        return 1;
    if (!tail || h <= d || host[h - d - 1] != '.' || hx_casecmp(host + h - d, domain))
        return 0;
    return host[strspn(host, "0123456789.")] != 0;
}

/* §5.1.4 */
static int path_match(const char *req, const char *path)
{
    size_t n = strlen(path);
    return !strncmp(req, path, n) && (req[n] == 0 || path[n - 1] == '/' || req[n] == '/');
}

/* §5.1.4 default-path: the request path up to its last '/', "/" when there is none past the first */
static char *default_path(const char *req)
{
    const char *q = req + strcspn(req, "?#");
    const char *last = req;
    for (const char *p = req; p < q; p++)
        if (*p == '/')
            last = p;
    if (req[0] != '/' || last == req)
        return strdup("/");
    return strndup(req, (size_t)(last - req));
}

static long long parse_date(const char *v)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *forms[] = {"%a, %d %b %Y %H:%M:%S", "%a, %d-%b-%Y %H:%M:%S", "%a %b %d %H:%M:%S %Y"};
    for (size_t i = 0; i < 3; i++)
        if (strptime(v, forms[i], &tm))
            return (long long)timegm(&tm);
    return -1;
}

/* one attribute of a Set-Cookie (§5.2); 0 = take the cookie, -1 = refuse it */
static int attribute(cookie *k, const char *a, size_t n, const char *host, long long now)
{
    const char *eq = memchr(a, '=', n);
    size_t kn = eq ? (size_t)(eq - a) : n;
    char v[512];
    snprintf(v, sizeof v, "%.*s", eq ? (int)(n - kn - 1) : 0, eq ? eq + 1 : "");
    if (kn == 7 && !hx_ncasecmp(a, "max-age", 7) && (v[0] == '-' || (v[0] >= '0' && v[0] <= '9')))
        k->expires = atoll(v) <= 0 ? 1 : now + atoll(v);
    else if (kn == 7 && !hx_ncasecmp(a, "expires", 7) && !k->expires && parse_date(v) >= 0)
        k->expires = parse_date(v) > 0 ? parse_date(v) : 1;
    else if (kn == 6 && !hx_ncasecmp(a, "domain", 6) && v[0]) {
        const char *d = v[0] == '.' ? v + 1 : v;
        if (!domain_match(host, d, 1))
            return -1; /* §5.3 step 6: a domain the host does not belong to */
        free(k->domain);
        k->domain = strdup(d);
        k->tailmatch = 1;
    } else if (kn == 4 && !hx_ncasecmp(a, "path", 4) && v[0] == '/') {
        free(k->path);
        k->path = strdup(v);
    } else if (kn == 6 && !hx_ncasecmp(a, "secure", 6))
        k->secure = 1;
    else if (kn == 8 && !hx_ncasecmp(a, "httponly", 8))
        k->httponly = 1;
    return 0;
}

static size_t trim(const char **s, size_t n)
{
    while (n && (**s == ' ' || **s == '\t')) {
        (*s)++;
        n--;
    }
    while (n && ((*s)[n - 1] == ' ' || (*s)[n - 1] == '\t'))
        n--;
    return n;
}

/* a Set-Cookie value (§5.2) from a response to host and path */
static void set_cookie(cookie_jar *j, const char *v, size_t len, const char *host, const char *path)
{
    long long now = (long long)time(NULL);
    size_t first = 0;
    while (first < len && v[first] != ';')
        first++;
    const char *eq = memchr(v, '=', first);
    if (!eq)
        return; /* §5.2 step 2: no '=', no cookie */
    const char *name = v, *val = eq + 1;
    size_t nn = trim(&name, (size_t)(eq - v)), vn = trim(&val, (size_t)(v + first - val));
    if (!nn)
        return;
    cookie k = {strdup(host), default_path(path), strndup(name, nn), strndup(val, vn), 0, 0, 0, 0};
    for (size_t i = first; i < len;) { /* v[i] is the ';' before an attribute */
        size_t end = i + 1;
        while (end < len && v[end] != ';')
            end++;
        const char *a = v + i + 1;
        size_t an = trim(&a, end - i - 1);
        if (an && attribute(&k, a, an, host, now) < 0) {
            k.expires = 1; /* refused: dropped by keep() */
            break;
        }
        i = end;
    }
    keep(j, k, now);
}

cookie_jar *cookies_new(void)
{
    return calloc(1, sizeof(cookie_jar));
}

/* one line of a Netscape cookie file: domain, tailmatch, path, secure, expires, name, value */
static void load_line(cookie_jar *j, char *line, long long now)
{
    int httponly = !strncmp(line, "#HttpOnly_", 10);
    if (httponly)
        line += 10;
    if (line[0] == '#' || !line[0])
        return;
    char *f[7];
    int n = 0;
    for (char *save = NULL, *t = strtok_r(line, "\t\r\n", &save); t && n < 7; t = strtok_r(NULL, "\t\r\n", &save))
        f[n++] = t;
    if (n < 6)
        return;
    const char *domain = f[0][0] == '.' ? f[0] + 1 : f[0];
    cookie k = {strdup(domain), strdup(f[2]), strdup(f[5]), strdup(n == 7 ? f[6] : ""), !strcmp(f[1], "TRUE"),
                !strcmp(f[3], "TRUE"), httponly, atoll(f[4])};
    keep(j, k, now);
}

int cookies_load(cookie_jar *j, const char *path)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
    if (!f)
        return -1;
    char line[8192];
    long long now = (long long)time(NULL);
    while (fgets(line, sizeof line, f))
        load_line(j, line, now);
    if (f != stdin)
        fclose(f);
    return 0;
}

int cookies_save(const cookie_jar *j, const char *path)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
    if (!f)
        return -1;
    fprintf(f, "# Netscape HTTP Cookie File\n# https://curl.se/docs/http-cookies.html\n"
               "# This file was generated by httpref! Edit at your own risk.\n\n");
    for (int i = j->n - 1; i >= 0; i--) { /* the newest first, as curl writes them */
        const cookie *k = &j->c[i];
        fprintf(f, "%s%s%s\t%s\t%s\t%s\t%lld\t%s\t%s\n", k->httponly ? "#HttpOnly_" : "", k->tailmatch ? "." : "",
                k->domain, k->tailmatch ? "TRUE" : "FALSE", k->path, k->secure ? "TRUE" : "FALSE", k->expires,
                k->name, k->value);
    }
    return f == stdout ? fflush(f) : fclose(f);
}

/* longer paths first, then the earlier created (§5.4 step 2): the jar keeps creation order */
static int by_path(const void *a, const void *b)
{
    const cookie *p = *(const cookie *const *)a, *q = *(const cookie *const *)b;
    size_t x = strlen(p->path), y = strlen(q->path);
    return x < y ? 1 : x > y ? -1 : p < q ? -1 : p > q;
}

char *cookies_header(const cookie_jar *j, const char *host, const char *path)
{
    const cookie *m[CLI_MAX_COOKIES];
    int n = 0;
    long long now = (long long)time(NULL);
    for (int i = 0; i < j->n; i++) {
        const cookie *k = &j->c[i];
        if (!k->secure && (!k->expires || k->expires > now) && domain_match(host, k->domain, k->tailmatch) &&
            path_match(path, k->path))
            m[n++] = k;
    }
    if (!n)
        return NULL;
    qsort(m, (size_t)n, sizeof m[0], by_path);
    hx_buf b = {0};
    for (int i = 0; i < n; i++) {
        hx_buf_adds(&b, i ? "; " : "");
        hx_buf_adds(&b, m[i]->name);
        hx_buf_adds(&b, "=");
        hx_buf_adds(&b, m[i]->value);
    }
    hx_buf_add(&b, "", 1);
    return b.p;
}

/* the request line's path and the Host of a request head */
static void note_request(cookie_jar *j, const char *d, size_t n)
{
    const char *sp = memchr(d, ' ', n), *sp2 = sp ? memchr(sp + 1, ' ', n - (size_t)(sp + 1 - d)) : NULL;
    if (!sp2)
        return;
    const char *t = sp + 1;
    if (!strncmp(t, "http://", 7)) /* absolute-form through a proxy */
        t = memchr(t + 7, '/', (size_t)(sp2 - t - 7)) ? memchr(t + 7, '/', (size_t)(sp2 - t - 7)) : sp2;
    snprintf(j->path, sizeof j->path, "%.*s", (int)(sp2 - t), t);
    for (size_t k = 0; k + 6 < n; k++)
        if (d[k] == '\n' && !hx_ncasecmp(d + k + 1, "host:", 5)) {
            const char *h = d + k + 6;
            while (*h == ' ')
                h++;
            size_t hn = strcspn(h, ":\r\n"); /* without the port: cookies ignore it (§8.5) */
            snprintf(j->host, sizeof j->host, "%.*s", (int)hn, h);
        }
}

void cookies_trace(cookie_jar *j, char dir, const char *d, size_t n)
{
    if (dir == '>') {
        note_request(j, d, n);
        return;
    }
    for (size_t k = 0; k + 12 < n; k++) {
        if (d[k] != '\n' || hx_ncasecmp(d + k + 1, "set-cookie:", 11))
            continue;
        const char *v = d + k + 12;
        size_t vn = 0;
        while (v + vn < d + n && v[vn] != '\r' && v[vn] != '\n')
            vn++;
        set_cookie(j, v, vn, j->host, j->path[0] ? j->path : "/");
    }
}

void cookies_free(cookie_jar *j)
{
    while (j && j->n)
        drop(j, j->n - 1);
    free(j);
}
