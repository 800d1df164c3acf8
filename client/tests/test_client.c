/*
 * test_client: httpref_perform end to end against scripted loopback servers
 * (loopback.h: a thread per server, a script of raw replies, every byte the
 * client sent recorded for assertions).
 */
#define _POSIX_C_SOURCE 200809L
#include "request.h"
#include "httpref.h"
#include "tap.h"
#include "hx.h"
#include "loopback.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* every retry (request 1, 2...) carries the expected Authorization, and never Basic for Digest */
static int auth_sent(const server *s, const char *want)
{
    char line[512];
    snprintf(line, sizeof line, "\r\nAuthorization: %s", want ? want : "Basic dTpw\r\n");
    for (size_t i = 1; i < s->nreq; i++) {
        const char *r = req(s, i);
        if (!strstr(r, line) || (want && strstr(r, "Authorization: Basic")))
            return 0;
    }
    return 1;
}

typedef struct sinkbuf {
    hx_buf got;
    int ends, calls, abort_at;
} sinkbuf;

static int sink(void *ud, const char *d, size_t n)
{
    sinkbuf *b = ud;
    if (!d && !n)
        return b->ends++, 0;
    if (++b->calls >= b->abort_at && b->abort_at)
        return 1;
    hx_buf_add(&b->got, d, n);
    return 0;
}

static int body_is(const sinkbuf *b, const char *want)
{
    return b->got.len == strlen(want) && (!b->got.len || !memcmp(b->got.p, want, b->got.len));
}

/* one server, one client: the common shape of a case */
typedef struct fixture {
    server s;
    httpref *h;
    httpref_request q;
    httpref_response r;
    sinkbuf b;
    char url[200];
} fixture;

static httpref *client(void)
{
    httpref *h = httpref_new();
    httpref_setopt(h, HTTPREF_OPT_TIMEOUT_MS, 2000);
    return h;
}

static void fx_start(fixture *f, const step *steps, size_t n, const char *path)
{
    memset(f, 0, sizeof *f);
    srv_start(&f->s, steps, n);
    f->h = client();
    snprintf(f->url, sizeof f->url, "http://127.0.0.1:%d%s", f->s.port, path);
    f->q.url = f->url;
    f->q.redirect = -1;
    f->q.max_redirects = -1;
    f->q.sink = sink;
    f->q.sink_ud = &f->b;
}

static void fx_keepalive(fixture *f, const step *steps, size_t n, const char *path)
{
    fx_start(f, steps, n, path);
    httpref_setopt(f->h, HTTPREF_OPT_KEEPALIVE, 1);
}

static void fx_body(fixture *f, const char *method, const char *body)
{
    f->q.method = method;
    f->q.body = body;
    f->q.body_len = body ? strlen(body) : 0;
}

static httpref_code fx_go(fixture *f)
{
    return httpref_perform(f->h, &f->q, &f->r);
}

/* perform, then wait for the server to finish its script */
static httpref_code fx_run(fixture *f)
{
    httpref_code rc = fx_go(f);
    srv_join(&f->s);
    return rc;
}

static void fx_end(fixture *f)
{
    srv_join(&f->s);
    httpref_free(f->h);
    free(f->s.log.p);
    free(f->b.got.p);
}

/* a failure: the expected code, and a reason in words */
static void fails(httpref *h, httpref_code rc, httpref_code want, const char *what)
{
    const char *why = httpref_last_error_reason(h);
    ok(rc == want && why && *why, "%s -> %s (got %s: \"%s\")", what, httpref_code_name(want),
       httpref_code_name(rc), why ? why : "(null)");
}

/* clang-format off */
#define S(reply) {(reply), 0, 0, CLOSE}
#define HOLD(reply) {(reply), 0, WAIT_MS, CLOSE} /* a body the client waited for would time out */
#define HALF(reply) {(reply), 0, 0, SHUT}        /* half-close: the body ends at EOF */
/* clang-format on */
#define N(a) (sizeof(a) / sizeof((a)[0]))
#define R200(body) "HTTP/1.1 200 OK\r\nContent-Length: " #body "\r\n\r\n"
#define R302(loc) "HTTP/1.1 302 Found\r\nLocation: " loc "\r\nContent-Length: 0\r\n\r\n"

/* ---- one request, one outcome: the table ---- */

enum { FOLLOW = 1, NEVER = 2 };

typedef struct scen {
    const char *what;
    step st[3];
    size_t n;           /* steps; 0: one */
    int no_server;      /* refused before connecting: no step at all */
    const char *method; /* NULL: GET */
    const char *body;   /* in-memory request body */
    const char *userinfo;
    int redirect; /* 0: default, FOLLOW, NEVER */
    long max_body;
    int abort_sink, auth_retry;
    httpref_code rc;
    int status;
    const char *got; /* the body the sink must see (NULL: unchecked) */
    size_t nreq;     /* requests the server must see (0: unchecked) */
    const char *auth; /* AUTH_RETRY: the retry's Authorization starts so (NULL: Basic dTpw) */
} scen;

/* a 2xx/3xx/4xx returned with this body; returned after exactly one request; a failure */
/* clang-format off */
#define GOT(w, step_, code, body) {.what = (w), .st = {step_}, .status = (code), .got = (body)}
#define ONE(w, reply, code) {.what = (w), .st = {S(reply)}, .status = (code), .nreq = 1}
#define ERR(w, reply, err) {.what = (w), .st = {S(reply)}, .rc = (err)}
#define R401 "HTTP/1.1 401 No\r\nWWW-Authenticate: Basic realm=\"r\"\r\nContent-Length: 0\r\n\r\n"
#define CHUNKED "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"

static const scen table[] = {
    /* bodies */
    GOT("read-until-close body", HALF("HTTP/1.1 200 OK\r\nContent-Type: a/b\r\n\r\nuntil close"), 200, "until close"),
    GOT("HTTP/1.0 close-delimited body", S("HTTP/1.0 200 OK\r\n\r\nold"), 200, "old"),
    GOT("204 has no body", HOLD("HTTP/1.1 204 No Content\r\n\r\n"), 204, ""),
    GOT("304 has no body despite Content-Length",
        HOLD("HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n"), 304, ""),
    GOT("1xx skipped",
        S("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" R200(2) "ok"), 200, "ok"),
    {.what = "HEAD: no body despite Content-Length", .st = {HOLD("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")},
     .method = "HEAD", .status = 200, .got = ""},
    /* redirects not followed, or refused */
    {.what = "redirect=0 returns the 302", .st = {S(R302("/b"))}, .redirect = NEVER, .status = 302, .nreq = 1},
    ONE("302 without Location returned", "HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n", 302),
    ONE("300 not followed", "HTTP/1.1 300 Choices\r\nLocation: /b\r\nContent-Length: 0\r\n\r\n", 300),
    {.what = "POST's 303 returned by default (LuaSocket)",
     .st = {S("HTTP/1.1 303 See Other\r\nLocation: /b\r\nContent-Length: 0\r\n\r\n")},
     .method = "POST", .body = "data", .status = 303, .nreq = 1},
    ERR("redirect to ftp", R302("ftp://127.0.0.1/"), HTTPREF_E_REDIRECT_REFUSED),
    ERR("redirect with userinfo", R302("http://x:y@127.0.0.1/"), HTTPREF_E_REDIRECT_REFUSED),
    ERR("two different Locations", "HTTP/1.1 302 F\r\nLocation: /b\r\nLocation: /c\r\nContent-Length: 0\r\n\r\n",
        HTTPREF_E_BAD_LOCATION),
    ERR("a -> a", R302("/a"), HTTPREF_E_REDIRECT_LOOP),
    {.what = "a -> b -> a", .st = {S(R302("/b")), S(R302("/a"))}, .n = 2, .rc = HTTPREF_E_REDIRECT_LOOP, .nreq = 2},
    /* auth: by default the URL's credentials go pre-emptively, so a 401 is final after one request */
    ONE("401 + Basic challenge, no credentials", R401, 401),
    {.what = "401 + Basic challenge, credentials sent", .st = {S(R401)}, .userinfo = "u:p@", .status = 401, .nreq = 1},
    /* AUTH_RETRY=1: credentials wait for a Basic challenge, then one retry */
    {.what = "AUTH_RETRY: 401 Basic, then 200", .st = {S(R401), S(R200(2) "in")}, .n = 2, .userinfo = "u:p@",
     .auth_retry = 1, .status = 200, .got = "in", .nreq = 2},
    {.what = "AUTH_RETRY: a second 401 is final", .st = {S(R401), S(R401)}, .n = 2, .userinfo = "u:p@",
     .auth_retry = 1, .status = 401, .nreq = 2},
    /* AU-27: a Digest-only challenge gets Digest, never Basic (RFC 7616) */
    {.what = "AUTH_RETRY: a Digest-only challenge is answered with Digest", .n = 2,
     .st = {S("HTTP/1.1 401 No\r\nWWW-Authenticate: Digest realm=\"r\", nonce=\"n\"\r\nContent-Length: 0\r\n\r\n"),
            S(R200(2) "in")},
     .userinfo = "u:p@", .auth_retry = 1, .status = 200, .nreq = 2,
     .auth = "Digest username=\"u\", realm=\"r\", uri=\"/a\", algorithm=MD5, nonce=\"n\", response=\""},
    {.what = "AUTH_RETRY: SHA-256 chosen over MD5 and Basic, qop=auth", .n = 2,
     .st = {S("HTTP/1.1 401 No\r\nWWW-Authenticate: Basic realm=\"r\"\r\n"
              "WWW-Authenticate: Digest realm=\"r\", nonce=\"m\", qop=\"auth\"\r\n"
              "WWW-Authenticate: Digest realm=\"r\", nonce=\"s\", qop=\"auth,auth-int\", algorithm=SHA-256, "
              "opaque=\"o\"\r\nContent-Length: 0\r\n\r\n"),
            S(R200(2) "in")},
     .userinfo = "u:p@", .auth_retry = 1, .status = 200, .nreq = 2,
     .auth = "Digest username=\"u\", realm=\"r\", uri=\"/a\", algorithm=SHA-256, nonce=\"s\", nc=00000001, "
             "cnonce=\""},
    {.what = "AUTH_RETRY: a stale nonce gets one more try", .n = 3,
     .st = {S("HTTP/1.1 401 No\r\nWWW-Authenticate: Digest realm=\"r\", nonce=\"1\"\r\nContent-Length: 0\r\n\r\n"),
            S("HTTP/1.1 401 No\r\nWWW-Authenticate: Digest realm=\"r\", nonce=\"2\", stale=true\r\n"
              "Content-Length: 0\r\n\r\n"),
            S(R200(2) "in")},
     .userinfo = "u:p@", .auth_retry = 1, .status = 200, .nreq = 3, .auth = "Digest username=\"u\""},
    {.what = "AUTH_RETRY: a Digest 401 that is not stale is final", .n = 2,
     .st = {S("HTTP/1.1 401 No\r\nWWW-Authenticate: Digest realm=\"r\", nonce=\"1\"\r\nContent-Length: 0\r\n\r\n"),
            S("HTTP/1.1 401 No\r\nWWW-Authenticate: Digest realm=\"r\", nonce=\"2\"\r\nContent-Length: 0\r\n\r\n")},
     .userinfo = "u:p@", .auth_retry = 1, .status = 401, .nreq = 2, .auth = "Digest username=\"u\""},
    {.what = "AUTH_RETRY: a malformed challenge list is answered by nothing",
     .st = {S("HTTP/1.1 401 No\r\nWWW-Authenticate: Basic realm=\"r, Digest\r\nContent-Length: 0\r\n\r\n")},
     .userinfo = "u:p@", .auth_retry = 1, .status = 401, .nreq = 1},
    {.what = "AUTH_RETRY: Basic after Digest in one field", .n = 2, .userinfo = "u:p@", .auth_retry = 1,
     .st = {S("HTTP/1.1 401 No\r\nWWW-Authenticate: Digest realm=\"r\", Basic realm=\"r\"\r\n"
              "Content-Length: 0\r\n\r\n"),
            S(R200(2) "in")}, .status = 200, .nreq = 2},
    {.what = "AUTH_RETRY without credentials: 401 is final", .st = {S(R401)}, .auth_retry = 1, .status = 401,
     .nreq = 1},
    /* failures */
    ERR("incomplete body", R200(10) "abc", HTTPREF_E_INCOMPLETE),
    ERR("incomplete chunked body", CHUNKED "5\r\nhel", HTTPREF_E_INCOMPLETE),
    ERR("incomplete head", "HTTP/1.1 200 OK\r\nContent-", HTTPREF_E_INCOMPLETE),
    ERR("empty reply", NULL, HTTPREF_E_EMPTY_REPLY),
    ERR("conflicting Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        HTTPREF_E_CONFLICTING_CONTENT_LENGTH),
    ERR("bad chunk size", CHUNKED "zz\r\n", HTTPREF_E_BAD_CHUNK_SIZE),
    ERR("not HTTP", "SSH-2.0-OpenSSH_9.2\r\n", HTTPREF_E_NOT_HTTP),
    ERR("unexpected 101", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n", HTTPREF_E_UNEXPECTED_101),
    {.what = "body over MAX_BODY", .st = {S(R200(10) "0123456789")}, .max_body = 4, .rc = HTTPREF_E_BODY_TOO_LARGE},
    {.what = "the sink returns non-zero", .st = {S(R200(10) "0123456789")}, .abort_sink = 1, .rc = HTTPREF_E_SINK},
    {.what = "GET with a body", .no_server = 1, .body = "abc", .rc = HTTPREF_E_BODY_NOT_ALLOWED},
    {.what = "bad method", .no_server = 1, .method = "GE T", .rc = HTTPREF_E_BAD_METHOD},
};
/* clang-format on */

static void test_table(void)
{
    for (size_t i = 0; i < N(table); i++) {
        const scen *c = &table[i];
        fixture f;
        fx_start(&f, c->st, c->no_server ? 0 : c->n ? c->n : 1, "/a");
        if (c->userinfo)
            snprintf(f.url, sizeof f.url, "http://%s127.0.0.1:%d/a", c->userinfo, f.s.port);
        fx_body(&f, c->method, c->body);
        f.q.redirect = c->redirect == FOLLOW ? 1 : c->redirect == NEVER ? 0 : -1;
        f.b.abort_at = c->abort_sink;
        if (c->auth_retry)
            httpref_setopt(f.h, HTTPREF_OPT_AUTH_RETRY, 1);
        if (c->max_body)
            httpref_setopt(f.h, HTTPREF_OPT_MAX_BODY, c->max_body);
        int64_t t0 = hx_now_ms();
        httpref_code rc = fx_run(&f);
        int64_t took = hx_now_ms() - t0;
        const char *why = httpref_last_error_reason(f.h);
        int good = rc == c->rc && took < 1500 && (rc == HTTPREF_OK || *why) &&
                   (!c->nreq || (f.s.nreq == c->nreq && f.s.pending == 0)) &&
                   (!c->no_server || (f.s.conns == 0 && f.s.pending == 0)) &&
                   (rc < HTTPREF_E_BAD_STATUS_LINE || rc > HTTPREF_E_NOT_HTTP ||
                    httpref_last_error_offset(f.h) >= 0);
        if (rc == HTTPREF_OK)
            good = good && f.r.status == c->status && (!c->got || body_is(&f.b, c->got));
        /* the held-back credentials: absent from the first request, present in the retry */
        if (c->auth_retry && c->userinfo && f.s.nreq >= 1)
            good = good && !strstr(req(&f.s, 0), "Authorization") && auth_sent(&f.s, c->auth);
        ok(good, "%s -> %s %d (got %s %d \"%s\", %zu requests, %lld ms)", c->what, httpref_code_name(c->rc),
           c->status, httpref_code_name(rc), f.r.status, why, f.s.nreq, (long long)took);
        fx_end(&f);
    }
}

/* ---- responses in detail ---- */

typedef struct tracebuf {
    hx_buf out, in;
} tracebuf;

static void trace(void *ud, char dir, const char *d, size_t n)
{
    tracebuf *t = ud;
    hx_buf_add(dir == '>' ? &t->out : &t->in, d, n);
}

static void test_simple(void)
{
#define HEAD200                                                                                              \
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Dup: a\r\nContent-Length: 5\r\nx-dup: b\r\n\r\n"
    static const step sc[] = {S("HTTP/1.1 100 Continue\r\n\r\n" HEAD200 "hello")};
    fixture f;
    tracebuf tb;
    memset(&tb, 0, sizeof tb);
    fx_start(&f, sc, 1, "/path?q=1");
    httpref_set_trace(f.h, trace, &tb);
    httpref_code rc = fx_run(&f);
    const httpref_response *r = &f.r;
    ok(rc == HTTPREF_OK && !*httpref_last_error_reason(f.h), "perform succeeds (%s)", httpref_code_name(rc));
    ok(r->status == 200 && !strcmp(r->reason, "OK") && r->version_major == 1 && r->version_minor == 1,
       "status 200, reason OK, HTTP/1.1");
    ok(!strcmp(r->status_line, "HTTP/1.1 200 OK"), "status_line without CRLF (%s)", r->status_line);
    ok(r->nfields == 4 && !strcmp(r->fields[0].name, "Content-Type") && !strcmp(r->fields[1].name, "X-Dup") &&
           !strcmp(r->fields[3].name, "x-dup") && !strcmp(r->fields[3].value, "b") &&
           r->fields[3].value_len == 1,
       "fields in raw order and original case");
    ok(r->njoined == 3 && !strcmp(r->joined[0].name, "content-type") && !strcmp(r->joined[1].name, "x-dup") &&
           !strcmp(r->joined[1].value, "a, b") && r->joined[1].value_len == 4 &&
           !strcmp(r->joined[2].name, "content-length") && !strcmp(r->joined[2].value, "5"),
       "joined view: lowercase, duplicates joined with \", \"");
    ok(r->content_length == 5 && r->body_bytes == 5, "content_length and body_bytes 5");
    ok(body_is(&f.b, "hello") && f.b.ends == 1, "sink got \"hello\" then one end mark");
    ok(r->effective_url && !strcmp(r->effective_url, f.url) && r->redirects == 0 && r->reused_connection == 0,
       "effective_url is the request URL, no redirect, fresh connection");
    char want[300];
    snprintf(want, sizeof want,
             "GET /path?q=1 HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUser-Agent: httpref/" HTTPREF_VERSION
             "\r\nTE: trailers\r\nConnection: close, TE\r\n\r\n",
             f.s.port);
    ok(!strcmp(req(&f.s, 0), want), "the server got exactly the default head");
    ok(f.s.conns == 1 && f.s.nreq == 1 && f.s.pending == 0, "one connection, one request");
    ok(tb.out.len == f.s.log.len && !memcmp(tb.out.p, f.s.log.p, tb.out.len),
       "trace '>' bytes equal the bytes the server received");
    ok(tb.in.p && !strcmp(tb.in.p, "HTTP/1.1 100 Continue\r\n\r\n" HEAD200),
       "trace '<' saw the 1xx and the final head");
    fx_end(&f);
    free(tb.out.p);
    free(tb.in.p);

    static const step chunked[] = {S("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n"
                                     "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Sum: abc\r\n\r\n")};
    fx_start(&f, chunked, 1, "/");
    rc = fx_run(&f);
    ok(rc == HTTPREF_OK && body_is(&f.b, "hello world") && f.r.body_bytes == 11 && f.r.content_length == -1,
       "chunked body reassembled, content_length -1");
    ok(f.r.ntrailers == 1 && !strcmp(f.r.trailers[0].name, "X-Sum") && !strcmp(f.r.trailers[0].value, "abc"),
       "chunked trailers exposed");
    fx_end(&f);
}

/* ---- redirects followed ---- */

/* 301, 302, 303, 307, 308 with a relative or an absolute Location, followed for GET */
static void redirects_each_code(void)
{
    static const int codes[] = {301, 302, 303, 307, 308};
    fixture f;
    httpref_code rc;
    for (size_t i = 0; i < N(codes); i++) {
        char r1[300], want_url[200];
        int absolute = codes[i] >= 307;
        step st[] = {S(r1), S(R200(1) "B")};
        fx_start(&f, st, 2, "/a");
        snprintf(want_url, sizeof want_url, "http://127.0.0.1:%d/b?x=1", f.s.port);
        snprintf(r1, sizeof r1, "HTTP/1.1 %d Moved\r\nLocation: %s\r\nContent-Length: 5\r\n\r\nmoved",
                 codes[i], absolute ? want_url : "b?x=1");
        rc = fx_run(&f);
        ok(rc == HTTPREF_OK && f.r.status == 200 && f.r.redirects == 1 && body_is(&f.b, "B") &&
               !strcmp(f.r.effective_url, want_url) && !strncmp(req(&f.s, 1), "GET /b?x=1 HTTP/1.1\r\n", 21),
           "%d with %s Location followed for GET, its body not in the sink (%s)", codes[i],
           absolute ? "absolute" : "relative", httpref_code_name(rc));
        fx_end(&f);
    }
}

/* max_redirects, and the default limit of 5 */
static void redirects_limit(void)
{
    fixture f;
    httpref_code rc;
    static const step chain[] = {S(R302("/1")), S(R302("/2")), S(R302("/3")), S(R200(0))};
    fx_start(&f, chain, N(chain) - 1, "/0");
    f.q.max_redirects = 2;
    rc = fx_run(&f);
    fails(f.h, rc, HTTPREF_E_TOO_MANY_REDIRECTS, "a third redirect over max_redirects=2");
    ok(f.s.nreq == 3 && f.s.pending == 0, "stopped after three requests (%zu)", f.s.nreq);
    fx_end(&f);
    fx_start(&f, chain, N(chain), "/0");
    rc = fx_run(&f);
    ok(rc == HTTPREF_OK && f.r.redirects == 3 && f.s.nreq == 4,
       "three redirects within the default limit of 5");
    fx_end(&f);
}

/* HTTPREF_OPT_REDIRECT_LAST: the limit and a loop end in the last 3xx, as LuaSocket's */
static void redirects_last(void)
{
    fixture f;
    httpref_code rc;
    static const step moved[] = {S(R302("/1")),
                                 S("HTTP/1.1 302 Found\r\nLocation: /2\r\nContent-Length: 5\r\n\r\nmoved")};
    fx_start(&f, moved, N(moved), "/0");
    f.q.max_redirects = 1;
    httpref_setopt(f.h, HTTPREF_OPT_REDIRECT_LAST, 1);
    rc = fx_run(&f);
    ok(rc == HTTPREF_OK && f.r.status == 302 && f.r.redirects == 1 && body_is(&f.b, "moved") && f.s.nreq == 2,
       "REDIRECT_LAST: the 302 past max_redirects=1 is the response, its body in the sink (%s)",
       httpref_code_name(rc));
    fx_end(&f);
    static const step loop[] = {S(R302("/b")), S(R302("/a"))};
    fx_start(&f, loop, N(loop), "/a");
    httpref_setopt(f.h, HTTPREF_OPT_REDIRECT_LAST, 1);
    rc = fx_run(&f);
    ok(rc == HTTPREF_OK && f.r.status == 302 && f.r.redirects == 1 && f.s.nreq == 2,
       "REDIRECT_LAST: a -> b -> a ends in b's 302, no third request (%s)", httpref_code_name(rc));
    fx_end(&f);
}

static void redirects_unsafe_method(void)
{
    fixture f;
    httpref_code rc;
    /* an unsafe method follows only when asked: 303 makes it GET without the body, 307 replays it */
    static const char *const unsafe[][2] = {{"303", "GET /b HTTP/1.1\r\n"}, {"307", "POST /b HTTP/1.1\r\n"}};
    for (int i = 0; i < 2; i++) {
        char r1[100];
        snprintf(r1, sizeof r1, "HTTP/1.1 %s X\r\nLocation: /b\r\nContent-Length: 0\r\n\r\n", unsafe[i][0]);
        step st[] = {S(r1), S(R200(0))};
        fx_start(&f, st, 2, "/a");
        fx_body(&f, "POST", "data");
        f.q.redirect = 1;
        rc = fx_run(&f);
        ok(rc == HTTPREF_OK && strstr(req(&f.s, 0), "\r\n\r\ndata") &&
               !strncmp(req(&f.s, 1), unsafe[i][1], strlen(unsafe[i][1])) &&
               !strstr(req(&f.s, 1), "\r\n\r\ndata") == !i && !strstr(req(&f.s, 1), "Content-Length") == !i,
           "redirect=1: POST + %s -> %.4s%s", unsafe[i][0], unsafe[i][1],
           i ? "with the body" : "without the body");
        fx_end(&f);
    }
}

static void redirects_credentials(void)
{
    fixture f;
    httpref_code rc;
    /* credentials stay with their origin: kept on a same-origin hop, dropped on a cross-origin one */
    server other;
    static const step plain[] = {S(R200(0))};
    char loc[300];
    srv_start(&other, plain, 1);
    snprintf(loc, sizeof loc, R302("http://127.0.0.1:%d/c"), other.port);
    step cross[] = {S(R302("/b")), S(loc)};
    fx_start(&f, cross, 2, "/a");
    snprintf(f.url, sizeof f.url, "http://user:pa%%20ss@127.0.0.1:%d/a", f.s.port);
    rc = fx_run(&f);
    srv_join(&other);
    ok(rc == HTTPREF_OK && f.r.redirects == 2 &&
           strstr(req(&f.s, 0), "\r\nAuthorization: Basic dXNlcjpwYSBzcw==\r\n") &&
           strstr(req(&f.s, 1), "\r\nAuthorization: Basic dXNlcjpwYSBzcw==\r\n") &&
           !strstr(req(&other, 0), "Authorization") && strstr(req(&other, 0), "GET /c HTTP/1.1\r\n"),
       "Basic from the URL (decoded), kept on a same-origin hop, dropped cross-origin");
    fx_end(&f);
    free(other.log.p);
}

static void test_redirects(void)
{
    redirects_each_code();
    redirects_limit();
    redirects_last();
    redirects_unsafe_method();
    redirects_credentials();
}

/* ---- connections ---- */

static void test_keepalive(void)
{
    fixture f;
    httpref_code rc1, rc2;
    static const step two[] = {{R200(3) "one", 0, 0, KEEP}, S(R200(3) "two")};
    fx_keepalive(&f, two, 2, "/");
    rc1 = fx_go(&f);
    int reused1 = f.r.reused_connection;
    rc2 = fx_run(&f);
    ok(rc1 == HTTPREF_OK && rc2 == HTTPREF_OK && body_is(&f.b, "onetwo"), "two performs succeed");
    ok(f.s.conns == 1 && f.s.nreq == 2 && f.s.pending == 0 && reused1 == 0 && f.r.reused_connection == 1,
       "one connection carried both requests; reused_connection 0 then 1");
    ok(strstr(req(&f.s, 0), "\r\nConnection: TE\r\n") != NULL, "keep-alive request sends Connection: TE");
    fx_end(&f);

    /* the server's word, its version, stray bytes or its close end the connection (LINGER: left open, unread)
     */
    static const step closing[][2] = {
        {{"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", 0, 0, LINGER}, S(R200(0))},
        {{"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", 0, 0, LINGER}, S(R200(0))},
        {{R200(0) "extra bytes after the message", 0, 0, LINGER}, S(R200(0))},
        {S(R200(0)), S(R200(0))}};
    static const char *const why[] = {"Connection: close", "HTTP/1.0", "bytes past the message",
                                      "idle close"};
    for (size_t i = 0; i < N(closing); i++) {
        fx_keepalive(&f, closing[i], 2, "/");
        rc1 = fx_go(&f);
        hx_sleep_ms(20);
        rc2 = fx_run(&f);
        ok(rc1 == HTTPREF_OK && rc2 == HTTPREF_OK && f.s.conns == 2 && f.s.nreq == 2 && f.s.pending == 0 &&
               f.r.reused_connection == 0,
           "%s: the second request opens a new connection", why[i]);
        fx_end(&f);
    }

    /* stale: the server reads the request on the kept connection, then closes without a word */
    static const step stale[] = {{R200(1) "1", 0, 0, KEEP}, S(NULL), S(R200(1) "2")};
    fx_keepalive(&f, stale, 3, "/");
    rc1 = fx_go(&f);
    rc2 = fx_run(&f);
    ok(rc1 == HTTPREF_OK && rc2 == HTTPREF_OK && body_is(&f.b, "12") && f.s.conns == 2 && f.s.nreq == 3 &&
           f.r.reused_connection == 0,
       "GET on a stale kept connection retried once on a new one (%s)", httpref_code_name(rc2));
    fx_end(&f);
    fx_keepalive(&f, stale, 2, "/");
    rc1 = fx_go(&f);
    fx_body(&f, "POST", "x");
    rc2 = fx_run(&f);
    fails(f.h, rc2, HTTPREF_E_EMPTY_REPLY, "POST on a stale kept connection is not retried");
    ok(rc1 == HTTPREF_OK && f.s.conns == 1 && f.s.pending == 0, "no second connection for the POST");
    fx_end(&f);

    /* a same-origin redirect rides the kept connection */
    static const step hop[] = {{R302("/b"), 0, 0, KEEP}, S(R200(0))};
    fx_keepalive(&f, hop, 2, "/a");
    rc1 = fx_run(&f);
    ok(rc1 == HTTPREF_OK && f.r.redirects == 1 && f.s.conns == 1 && f.r.reused_connection == 1,
       "keep-alive redirect reuses the connection");
    fx_end(&f);
}

/* ---- request bodies ---- */

typedef struct src {
    const char *const *pieces; /* NULL-terminated */
    size_t i;
    int fail; /* return -1 instead of the end */
    size_t big, given;
} src;

static long source(void *ud, char *buf, size_t cap)
{
    src *s = ud;
    if (s->big) {
        size_t n = s->big - s->given < cap ? s->big - s->given : cap;
        memset(buf, 'z', n);
        s->given += n;
        return (long)n;
    }
    if (!s->pieces[s->i])
        return s->fail ? -1 : 0;
    size_t n = strlen(s->pieces[s->i]);
    memcpy(buf, s->pieces[s->i++], n);
    return (long)n;
}

static void fx_source(fixture *f, const char *method, src *s, int64_t length)
{
    static const step plain[] = {S(R200(0))};
    fx_start(f, plain, 1, "/up");
    f->q.method = method;
    f->q.source = source;
    f->q.source_ud = s;
    f->q.source_length = length;
}

/* small chunks reach the sink gathered (one call per read), big ones whole */
static void test_gathered_chunks(void)
{
    static char reply[8192];
    size_t n = (size_t)snprintf(reply, sizeof reply, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 200; i++)
        n += (size_t)snprintf(reply + n, sizeof reply - n, "a\r\n0123456789\r\n");
    snprintf(reply + n, sizeof reply - n, "0\r\n\r\n");
    const step st[] = {S(reply)};
    fixture f;
    fx_start(&f, st, 1, "/a");
    httpref_code rc = fx_run(&f);
    ok(rc == HTTPREF_OK && f.b.got.len == 2000 && f.b.calls <= 3 && f.b.ends == 1,
       "200 ten-byte chunks: 2000 bytes in %d sink calls (at most 3), one end", f.b.calls);
    fx_end(&f);
    /* a sink that stops at its first call stops a gathered body too */
    static char many[160000];
    n = (size_t)snprintf(many, sizeof many, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 9000; i++)
        n += (size_t)snprintf(many + n, sizeof many - n, "a\r\n0123456789\r\n");
    snprintf(many + n, sizeof many - n, "0\r\n\r\n");
    const step st2[] = {S(many)};
    fx_start(&f, st2, 1, "/a");
    f.b.abort_at = 1;
    rc = fx_run(&f);
    ok(rc == HTTPREF_E_SINK && f.b.calls == 1,
       "90000 gathered bytes, the sink stops at call 1: SINK (got %s, %d calls)", httpref_code_name(rc),
       f.b.calls);
    fx_end(&f);
}

static void test_bodies(void)
{
    fixture f;
    static const char *const abc[] = {"abc", "defgh", NULL};
    httpref_code rc;

    static const struct {
        const char *what, *method;
        int fail;
        size_t big;
        int64_t length;
        httpref_code want;
        const char *sent; /* must appear in the request */
    } up[] = {{"unknown length sent chunked", "POST", 0, 0, -1, HTTPREF_OK,
               "\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n5\r\ndefgh\r\n0\r\n\r\n"},
              {"known length sent with Content-Length", "PUT", 0, 0, 8, HTTPREF_OK,
               "\r\nContent-Length: 8\r\n\r\nabcdefgh"},
              {"200 KB sent in 64 KB chunks", "POST", 0, 200000, -1, HTTPREF_OK, "\r\n\r\n10000\r\nzzzz"},
              {"source returns -1 (chunked)", "POST", 1, 0, -1, HTTPREF_E_SOURCE, NULL},
              {"source returns -1 (Content-Length)", "POST", 1, 0, 100, HTTPREF_E_SOURCE, NULL},
              {"source ends short of source_length", "POST", 0, 0, 9, HTTPREF_E_SOURCE, NULL},
              {"source gives more than source_length", "POST", 0, 0, 4, HTTPREF_E_SOURCE, NULL}};
    for (size_t i = 0; i < N(up); i++) {
        src s = {abc, 0, up[i].fail, up[i].big, 0};
        fx_source(&f, up[i].method, &s, up[i].length);
        rc = fx_run(&f);
        if (up[i].want != HTTPREF_OK)
            fails(f.h, rc, up[i].want, up[i].what);
        else
            ok(rc == HTTPREF_OK && f.s.nreq == 1 && strstr(req(&f.s, 0), up[i].sent) &&
                   (up[i].length < 0) == (strstr(req(&f.s, 0), "Transfer-Encoding") != NULL),
               "%s", up[i].what);
        fx_end(&f);
    }

    static const step plain[] = {S(R200(0))};
    static const char bin[] = "a\0b\r\nc";
    fx_start(&f, plain, 1, "/up");
    fx_body(&f, "POST", NULL);
    f.q.body = bin;
    f.q.body_len = sizeof bin - 1;
    rc = fx_run(&f);
    ok(rc == HTTPREF_OK && strstr(req(&f.s, 0), "\r\nContent-Length: 6\r\n\r\na") &&
           !memcmp(f.s.log.p + f.s.log.len - 6, bin, 6),
       "in-memory body with NUL sent byte for byte");
    fx_end(&f);

    static const httpref_field cl[] = {{"Content-Length", 0, "9", 0}};
    fx_start(&f, plain, 0, "/");
    fx_body(&f, "POST", "abc");
    f.q.headers = cl;
    f.q.nheaders = 1;
    fails(f.h, fx_run(&f), HTTPREF_E_BAD_FIELD_VALUE, "caller Content-Length disagrees with the body");
    ok(f.s.conns == 0 && f.s.pending == 0, "nothing connected");
    fx_end(&f);
}

/* ---- failures before or around the exchange ---- */

static void test_failures(void)
{
    fixture f;
    httpref_code rc;

    /* every wait is bounded: a silent or trickling server costs about 300 ms */
    static const step silent[] = {{NULL, 0, WAIT_MS, CLOSE}};
    static const step trickle[] = {
        {R200(60) "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 20, 0, CLOSE}};
    static const step slowhead[] = {
        {"HTTP/1.1 200 OK\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n", 20, 0, CLOSE}};
    static const struct {
        const char *what;
        const step *script;
        httpref_option opt;
        httpref_code want;
        const char *reason;
    } slow[] = {{"server never answers", silent, HTTPREF_OPT_TIMEOUT_MS, HTTPREF_E_TIMEOUT, "300 ms"},
                {"trickling server past the total deadline", trickle, HTTPREF_OPT_DEADLINE_MS,
                 HTTPREF_E_DEADLINE, "total time"},
                {"trickling head past the header deadline", slowhead, HTTPREF_OPT_HEADER_DEADLINE_MS,
                 HTTPREF_E_TIMEOUT, "header deadline"}};
    for (size_t i = 0; i < N(slow); i++) {
        fx_start(&f, slow[i].script, 1, "/");
        httpref_setopt(f.h, slow[i].opt, 300);
        int64_t t0 = hx_now_ms();
        rc = fx_go(&f);
        int64_t took = hx_now_ms() - t0;
        fails(f.h, rc, slow[i].want, slow[i].what);
        ok(took >= 250 && took < 1500 && strstr(httpref_last_error_reason(f.h), slow[i].reason),
           "gave up after about 300 ms (%lld), saying why", (long long)took);
        fx_end(&f);
    }

    /* a server with no script, joined: its port no longer listens */
    server dead;
    srv_start(&dead, NULL, 0);
    srv_join(&dead);
    free(dead.log.p);
    httpref *h = client();
    httpref_response r;
    char dead_url[100];
    snprintf(dead_url, sizeof dead_url, "http://127.0.0.1:%d/", dead.port);
    httpref_request q = {.url = dead_url, .redirect = -1, .max_redirects = -1};
    fails(h, httpref_perform(h, &q, &r), HTTPREF_E_CONNECT, "connection refused");

    static const struct {
        const char *what, *url, *proxy;
        httpref_code want;
    } early[] = {{"malformed URL", "http://h/x\r\ny", NULL, HTTPREF_E_URL},
                 {"ftp URL", "ftp://127.0.0.1/", NULL, HTTPREF_E_URL_SCHEME},
                 {"bad port", "http://127.0.0.1:99999/", NULL, HTTPREF_E_URL_PORT},
                 {"bad proxy URL", "http://127.0.0.1/", "ftp://p/", HTTPREF_E_PROXY}};
    for (size_t i = 0; i < N(early); i++) {
        q.url = early[i].url;
        q.proxy = early[i].proxy;
        fails(h, httpref_perform(h, &q, &r), early[i].want, early[i].what);
    }
    ok(httpref_setopt(h, HTTPREF_OPT_TIMEOUT_MS, 0) == HTTPREF_E_BAD_OPTION &&
           httpref_setopt(h, HTTPREF_OPT_LENIENT, 1L << 20) == HTTPREF_E_BAD_OPTION &&
           httpref_setopt(h, (httpref_option)99, 1) == HTTPREF_E_BAD_OPTION &&
           httpref_set_user_agent(h, "bad\r\nua") == HTTPREF_E_BAD_FIELD_VALUE,
       "bad option values refused");
    httpref_free(h);
}

/* ---- a custom transport: canned bytes, no socket ---- */

typedef struct fake {
    const char *reply;
    size_t pos, piece;
    char host[64], port[8];
    hx_buf sent;
    int connects, closes;
    httpref_code recv_rc;
} fake;

static httpref_code fake_connect(void *ctx, const char *host, const char *port, int timeout_ms)
{
    fake *f = ctx;
    snprintf(f->host, sizeof f->host, "%s", host);
    snprintf(f->port, sizeof f->port, "%s", port);
    f->connects++;
    return timeout_ms > 0 ? HTTPREF_OK : HTTPREF_E_INTERNAL;
}

static httpref_code fake_send(void *ctx, const char *p, size_t len, int timeout_ms)
{
    hx_buf_add(&((fake *)ctx)->sent, p, len);
    return timeout_ms > 0 ? HTTPREF_OK : HTTPREF_E_INTERNAL;
}

static httpref_code fake_recv(void *ctx, char *p, size_t cap, size_t *got, int timeout_ms)
{
    fake *f = ctx;
    size_t n = strlen(f->reply) - f->pos;
    n = n < f->piece ? n : f->piece;
    n = n < cap ? n : cap;
    memcpy(p, f->reply + f->pos, n);
    f->pos += n;
    *got = n;
    return f->recv_rc ? f->recv_rc : timeout_ms > 0 ? HTTPREF_OK : HTTPREF_E_INTERNAL;
}

static void fake_close(void *ctx)
{
    ((fake *)ctx)->closes++;
}

static const char *fake_strerror(void *ctx)
{
    return ((fake *)ctx)->recv_rc ? "fake transport broke" : NULL;
}

static void test_transport(void)
{
    fake fk = {.reply = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\nX-Fake: 1\r\n\r\ncanned", .piece = 3};
    httpref_transport tr = {&fk, fake_connect, fake_send, fake_recv, fake_close, fake_strerror};
    httpref *h = client();
    tracebuf tb;
    sinkbuf b;
    memset(&tb, 0, sizeof tb);
    memset(&b, 0, sizeof b);
    ok(httpref_set_transport(h, &tr) == HTTPREF_OK, "custom transport accepted");
    httpref_set_trace(h, trace, &tb);
    httpref_request q = {
        .url = "http://example.invalid/x", .sink = sink, .sink_ud = &b, .redirect = -1, .max_redirects = -1};
    httpref_response r;
    httpref_code rc = httpref_perform(h, &q, &r);
    ok(rc == HTTPREF_OK && r.status == 200 && body_is(&b, "canned") && r.nfields == 2,
       "canned response through the custom transport, 3 bytes at a time (%s)", httpref_code_name(rc));
    ok(fk.connects == 1 && !strcmp(fk.host, "example.invalid") && !strcmp(fk.port, "80") && fk.closes == 1,
       "connect got host and port, close called once");
    ok(fk.sent.p && !strncmp(fk.sent.p, "GET /x HTTP/1.1\r\nHost: example.invalid\r\n", 40),
       "the transport got the request");
    ok(tb.out.len == fk.sent.len && !memcmp(tb.out.p, fk.sent.p, fk.sent.len),
       "trace '>' saw exactly the request bytes");
    ok(tb.in.p && !strcmp(tb.in.p, "HTTP/1.1 200 OK\r\nContent-Length: 6\r\nX-Fake: 1\r\n\r\n"),
       "trace '<' saw the response head, not the body");

    /* through a proxy: the transport is asked for the proxy, the target goes in absolute-form */
    fake px = {.reply = "HTTP/1.1 204 No Content\r\n\r\n", .piece = 64};
    tr.ctx = &px;
    httpref_set_transport(h, &tr);
    q.url = "http://example.invalid:8080/p";
    q.proxy = "http://pu:pp@proxy.invalid:3128";
    rc = httpref_perform(h, &q, &r);
    ok(rc == HTTPREF_OK && !strcmp(px.host, "proxy.invalid") && !strcmp(px.port, "3128") && px.sent.p &&
           !strncmp(px.sent.p, "GET http://example.invalid:8080/p HTTP/1.1\r\n", 44) &&
           strstr(px.sent.p, "Proxy-Authorization: Basic cHU6cHA=\r\n"),
       "proxy: connect to the proxy, absolute-form, Proxy-Authorization");

    fake broken = {.reply = "", .piece = 1, .recv_rc = HTTPREF_E_TRANSPORT};
    tr.ctx = &broken;
    httpref_set_transport(h, &tr);
    q.proxy = NULL;
    fails(h, httpref_perform(h, &q, &r), HTTPREF_E_TRANSPORT, "the custom transport fails");
    ok(!strcmp(httpref_last_error_reason(h), "fake transport broke"), "its strerror is the reason");

    httpref_transport half = {&fk, fake_connect, NULL, fake_recv, fake_close, NULL};
    ok(httpref_set_transport(h, &half) == HTTPREF_E_BAD_OPTION, "a transport without send refused");
    httpref_free(h);
    hx_buf *all[] = {&b.got, &fk.sent, &px.sent, &broken.sent, &tb.out, &tb.in};
    for (size_t i = 0; i < N(all); i++)
        free(all[i]->p);
}

int main(void)
{
    subtest("table", test_table);
    subtest("simple", test_simple);
    subtest("redirects", test_redirects);
    subtest("keepalive", test_keepalive);
    subtest("bodies", test_bodies);
    subtest("gathered chunks", test_gathered_chunks);
    subtest("failures", test_failures);
    subtest("transport", test_transport);
    return done_testing();
}
