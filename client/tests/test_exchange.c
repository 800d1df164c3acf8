/*
 * test_exchange: httpref_perform through a scripted custom transport, for
 * the paths a loopback server cannot steer: what connect, send and recv
 * return (timeouts, resets, transport errors, a missing strerror), how each
 * option changes the outcome, redirects whose rules need a fresh connection
 * per hop, and the receive buffer's edges (drained redirect bodies, buffer
 * compaction, a head that cannot fit). No sockets: every case is fast and
 * deterministic; the few sleeps are there to cross a deadline on purpose.
 */
#define _POSIX_C_SOURCE 200809L
#include "request.h"
#include "httpref.h"
#include "tap.h"
#include "hx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAXCONN 3

/* one connection of the script: what connect and send return, what recv delivers */
typedef struct conn {
    httpref_code connect_rc, send_rc;
    const char *pieces[3]; /* in order, each by as many recv calls as the buffer needs */
    httpref_code end_rc;   /* after the pieces: HTTPREF_OK is an orderly EOF */
    int connect_sleep_ms, recv_sleep_ms;
    int send_ok; /* sends that succeed before send_rc applies */
} conn;

typedef struct script {
    const conn *c;
    size_t n;
    int cur, connects, closes, connect_timeout, sends;
    size_t piece, off;
    int slept;
    const char *why; /* what strerror says (NULL allowed) */
    hx_buf sent[MAXCONN];
    size_t delivered[MAXCONN];
} script;

static httpref_code sc_connect(void *ctx, const char *host, const char *port, int timeout_ms)
{
    script *s = ctx;
    (void)host, (void)port;
    s->cur = s->connects++;
    s->piece = s->off = 0;
    s->slept = s->sends = 0;
    s->connect_timeout = timeout_ms;
    if ((size_t)s->cur >= s->n)
        return HTTPREF_E_CONNECT; /* more connections than scripted */
    if (s->c[s->cur].connect_sleep_ms)
        hx_sleep_ms(s->c[s->cur].connect_sleep_ms);
    return s->c[s->cur].connect_rc;
}

static httpref_code sc_send(void *ctx, const char *buf, size_t len, int timeout_ms)
{
    script *s = ctx;
    (void)timeout_ms;
    hx_buf_add(&s->sent[s->cur], buf, len);
    return s->sends++ < s->c[s->cur].send_ok ? HTTPREF_OK : s->c[s->cur].send_rc;
}

static httpref_code sc_recv(void *ctx, char *buf, size_t cap, size_t *got, int timeout_ms)
{
    script *s = ctx;
    const conn *c = &s->c[s->cur];
    (void)timeout_ms;
    *got = 0;
    if (c->recv_sleep_ms && !s->slept++)
        hx_sleep_ms(c->recv_sleep_ms);
    if (s->piece >= 3 || !c->pieces[s->piece])
        return c->end_rc;
    size_t left = strlen(c->pieces[s->piece]) - s->off;
    size_t n = left < cap ? left : cap;
    memcpy(buf, c->pieces[s->piece] + s->off, n);
    s->off += n;
    if (s->off == strlen(c->pieces[s->piece])) {
        s->piece++;
        s->off = 0;
    }
    *got = n;
    s->delivered[s->cur] += n;
    return HTTPREF_OK;
}

static void sc_close(void *ctx)
{
    ((script *)ctx)->closes++;
}

static const char *sc_strerror(void *ctx)
{
    return ((script *)ctx)->why;
}

typedef struct sinkbuf {
    hx_buf got;
    int ends;
} sinkbuf;

static int sink(void *ud, const char *d, size_t n)
{
    sinkbuf *b = ud;
    if (!d && !n)
        b->ends++;
    else
        hx_buf_add(&b->got, d, n);
    return 0;
}

typedef struct src {
    const char *data;
    size_t pos;
} src;

static long source(void *ud, char *buf, size_t cap)
{
    src *s = ud;
    size_t n = strlen(s->data + s->pos);
    n = n < cap ? n : cap;
    memcpy(buf, s->data + s->pos, n);
    s->pos += n;
    return (long)n;
}

/* ---- the table: one perform per row ---- */

enum { DEFAULT = 0, FOLLOW, NEVER };
enum { WHY_NULL = 0, WHY_EMPTY, WHY_TEXT, NO_STRERROR };

typedef struct xcase {
    const char *what;
    conn c[MAXCONN];
    size_t n; /* connections scripted; 0: one */
    const char *url, *proxy;
    const char *method, *body, *stream; /* in-memory body, or a streamed one */
    httpref_field hdr;                  /* one caller field (name NULL: none) */
    int no_sink;
    int64_t stream_length;
    int redirect, why;
    httpref_option opt[2];
    long val[2];
    /* expected */
    httpref_code rc;
    int status;
    const char *got;    /* what the sink saw (NULL: unchecked) */
    const char *reason; /* in the reason; OWN: exactly httpref_strerror(rc) (NULL: unchecked) */
    int connects;       /* connect calls (0: unchecked, NONE: not one) */
    int connect_ms;     /* the timeout connect got (0: unchecked) */
    const char *sent;   /* in the bytes sent on the last connection (NULL: unchecked) */
    const char *effective;
    const char *todo; /* a known library bug: TAP TODO */
} xcase;

#define OWN "\001"
#define NONE (-1)
#define URL "http://example.invalid/a"
#define SL "HTTP/1.1 200 OK\r\n"
#define R200(body) "HTTP/1.1 200 OK\r\nContent-Length: " #body "\r\n\r\n"
#define R30X(code, loc) "HTTP/1.1 " #code " Moved\r\nLocation: " loc "\r\nContent-Length: 0\r\n\r\n"
#define CHUNKED "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
#define R401 "HTTP/1.1 401 No\r\nWWW-Authenticate: Basic realm=\"r\"\r\nContent-Length: 0\r\n\r\n"
/* clang-format off */
#define REPLY(...) {HTTPREF_OK, HTTPREF_OK, {__VA_ARGS__}, HTTPREF_OK, 0, 0, 0}
#define RECV_THEN(rc, ...) {HTTPREF_OK, HTTPREF_OK, {__VA_ARGS__}, rc, 0, 0, 0}
#define SEND_FAILS(rc, ...) {HTTPREF_OK, rc, {__VA_ARGS__}, HTTPREF_OK, 0, 0, 0}
#define CONNECT_FAILS(rc) {rc, HTTPREF_OK, {NULL}, HTTPREF_OK, 0, 0, 0}
#define SEND_FAILS_AFTER(n, rc) {HTTPREF_OK, rc, {NULL}, HTTPREF_OK, 0, 0, n}
/* clang-format on */

static const xcase table[] = {
    /* send: a failure is told with the transport's words, or the code's own text without them */
    {.what = "send fails, transport without strerror",
     .c = {SEND_FAILS(HTTPREF_E_SEND, NULL)},
     .why = NO_STRERROR,
     .rc = HTTPREF_E_SEND},
    {.what = "send fails, transport without strerror: the reason says so",
     .c = {SEND_FAILS(HTTPREF_E_SEND, NULL)},
     .why = NO_STRERROR,
     .rc = HTTPREF_E_SEND,
     .reason = "send failed"},
    {.what = "send fails with a transport error, strerror NULL",
     .c = {SEND_FAILS(HTTPREF_E_TRANSPORT, NULL)},
     .rc = HTTPREF_E_TRANSPORT,
     .reason = OWN},
    /* CN-14: a response that came before the send failed is the answer */
    {.what = "send fails after an early response",
     .c = {SEND_FAILS(HTTPREF_E_SEND, R200(2) "ok")},
     .rc = HTTPREF_OK,
     .status = 200,
     .got = "ok"},
    /* recv: timeouts told by which limit bound the wait */
    {.what = "recv times out, transport without strerror",
     .c = {RECV_THEN(HTTPREF_E_TIMEOUT, NULL)},
     .why = NO_STRERROR,
     .rc = HTTPREF_E_TIMEOUT,
     .reason = "timeout"},
    {.what = "recv times out, strerror NULL",
     .c = {RECV_THEN(HTTPREF_E_TIMEOUT, NULL)},
     .rc = HTTPREF_E_TIMEOUT,
     .reason = OWN},
    {.what = "recv times out under the total deadline",
     .c = {RECV_THEN(HTTPREF_E_TIMEOUT, SL)},
     .opt = {HTTPREF_OPT_DEADLINE_MS},
     .val = {1000},
     .rc = HTTPREF_E_DEADLINE,
     .reason = "total time limit"},
    {.what = "recv times out under the header deadline",
     .c = {RECV_THEN(HTTPREF_E_TIMEOUT, SL)},
     .opt = {HTTPREF_OPT_HEADER_DEADLINE_MS},
     .val = {1000},
     .rc = HTTPREF_E_TIMEOUT,
     .reason = "header deadline"},
    {.what = "no header deadline at all",
     .c = {REPLY(R200(2) "ok")},
     .opt = {HTTPREF_OPT_HEADER_DEADLINE_MS},
     .rc = HTTPREF_OK,
     .status = 200,
     .got = "ok"},
    /* recv: a reset before any byte is an empty reply (retried on a reused connection), later it is RECV */
    {.what = "reset before any byte",
     .c = {RECV_THEN(HTTPREF_E_RECV, NULL)},
     .why = WHY_TEXT,
     .rc = HTTPREF_E_EMPTY_REPLY,
     .reason = "scripted"},
    {.what = "reset inside a body",
     .c = {RECV_THEN(HTTPREF_E_RECV, R200(10) "abc")},
     .why = WHY_TEXT,
     .rc = HTTPREF_E_RECV,
     .reason = "scripted"},
    {.what = "reset inside the head",
     .c = {RECV_THEN(HTTPREF_E_RECV, SL)},
     .why = WHY_TEXT,
     .rc = HTTPREF_E_RECV,
     .reason = "scripted"},
    {.what = "reset inside a close-delimited body",
     .c = {RECV_THEN(HTTPREF_E_RECV, SL "\r\npart")},
     .rc = HTTPREF_E_RECV,
     .reason = OWN},
    {.what = "transport error inside a body",
     .c = {RECV_THEN(HTTPREF_E_TRANSPORT, R200(10) "abc")},
     .why = WHY_EMPTY,
     .rc = HTTPREF_E_TRANSPORT,
     .reason = OWN},
    /* connect: the binding limit names the failure; the connect timeout is what the transport gets */
    {.what = "connect times out under the total deadline",
     .c = {CONNECT_FAILS(HTTPREF_E_CONNECT_TIMEOUT)},
     .opt = {HTTPREF_OPT_DEADLINE_MS},
     .val = {1000},
     .rc = HTTPREF_E_DEADLINE,
     .reason = "while connecting"},
    {.what = "connect times out under the connect timeout",
     .c = {CONNECT_FAILS(HTTPREF_E_CONNECT_TIMEOUT)},
     .opt = {HTTPREF_OPT_CONNECT_TIMEOUT_MS, HTTPREF_OPT_DEADLINE_MS},
     .val = {150, 1000},
     .rc = HTTPREF_E_CONNECT_TIMEOUT,
     .reason = OWN,
     .connect_ms = 150},
    {.what = "a connect timeout over the timeout does not bind",
     .c = {REPLY(R200(0))},
     .opt = {HTTPREF_OPT_CONNECT_TIMEOUT_MS, HTTPREF_OPT_DEADLINE_MS},
     .val = {5000, 10000},
     .status = 200,
     .connect_ms = 2000},
    {.what = "name not found, strerror empty",
     .c = {CONNECT_FAILS(HTTPREF_E_DNS)},
     .why = WHY_EMPTY,
     .rc = HTTPREF_E_DNS,
     .reason = OWN},
    /* deadlines that pass while the transport works: the next step is not even tried */
    {.what = "deadline passes during connect: send not tried",
     .c = {{HTTPREF_OK, HTTPREF_OK, {R200(0)}, HTTPREF_OK, 150, 0, 0}},
     .opt = {HTTPREF_OPT_DEADLINE_MS},
     .val = {100},
     .rc = HTTPREF_E_DEADLINE,
     .reason = "total time",
     .sent = ""},
    {.what = "deadline passes during recv: no further recv",
     .c = {{HTTPREF_OK, HTTPREF_OK, {SL}, HTTPREF_OK, 0, 150, 0}},
     .opt = {HTTPREF_OPT_DEADLINE_MS},
     .val = {100},
     .rc = HTTPREF_E_DEADLINE,
     .reason = "total time"},
    {.what = "deadline passes before the next hop: no connect",
     .c = {{HTTPREF_OK, HTTPREF_OK, {R30X(302, "http://other.invalid/b")}, HTTPREF_OK, 0, 150, 0}},
     .opt = {HTTPREF_OPT_DEADLINE_MS},
     .val = {100},
     .rc = HTTPREF_E_DEADLINE,
     .reason = "while connecting",
     .connects = 1},
    /* redirects */
    {.what = "two identical Location fields are one",
     .n = 2,
     .c = {REPLY("HTTP/1.1 302 F\r\nLocation: /b\r\nLocation: /b\r\nContent-Length: 0\r\n\r\n"),
           REPLY(R200(0))},
     .status = 200,
     .effective = "http://example.invalid/b"},
    {.what = "an empty Location is no redirect",
     .c = {REPLY("HTTP/1.1 302 F\r\nLocation: \r\nContent-Length: 0\r\n\r\n")},
     .status = 302,
     .connects = 1},
    {.what = "a close-delimited redirect body is drained to EOF, not given to the sink",
     .n = 2,
     .c = {REPLY("HTTP/1.1 302 F\r\nLocation: /b\r\n\r\nmoved"), REPLY(R200(2) "ok")},
     .status = 200,
     .got = "ok"},
    {.what = "HEAD + 303 stays HEAD",
     .c = {REPLY(R30X(303, "/b")), REPLY(R200(5))},
     .n = 2,
     .method = "HEAD",
     .status = 200,
     .sent = "HEAD /b HTTP/1.1\r\n"},
    {.what = "POST + 301, redirect=1: GET without the body",
     .c = {REPLY(R30X(301, "/b")), REPLY(R200(0))},
     .n = 2,
     .method = "POST",
     .body = "x",
     .redirect = FOLLOW,
     .status = 200,
     .sent = "GET /b HTTP/1.1\r\n"},
    {.what = "POST + 303 to its own URL: GET there is no loop",
     .c = {REPLY(R30X(303, "/a")), REPLY(R200(0))},
     .n = 2,
     .method = "POST",
     .body = "x",
     .redirect = FOLLOW,
     .status = 200,
     .sent = "GET /a HTTP/1.1\r\n"},
    {.what = "PUT in memory + 307, redirect=1: replayed",
     .c = {REPLY(R30X(307, "/b")), REPLY(R200(0))},
     .n = 2,
     .method = "PUT",
     .body = "x",
     .redirect = FOLLOW,
     .status = 200,
     .sent = "\r\n\r\nx"},
    {.what = "a four-letter scheme that is not http",
     .c = {REPLY(R30X(302, "ftps://example.invalid/"))},
     .rc = HTTPREF_E_REDIRECT_REFUSED},
    {.what = "an upper-case HTTP scheme is http",
     .c = {REPLY(R30X(302, "HTTP://example.invalid/b")), REPLY(R200(0))},
     .n = 2,
     .status = 200},
    {.what = "a Location without a fragment inherits the request's (RFC 9110 §10.2.2)",
     .c = {REPLY(R30X(302, "/b")), REPLY(R200(0))},
     .n = 2,
     .url = URL "#top",
     .status = 200,
     .effective = "http://example.invalid/b#top"},
    {.what = "a Location's own fragment wins",
     .c = {REPLY(R30X(302, "/b#new")), REPLY(R200(0))},
     .n = 2,
     .url = URL "#top",
     .status = 200,
     .effective = "http://example.invalid/b#new"},
    {.what = "same-origin absolute Location: the URL's credentials go along",
     .c = {REPLY(R30X(302, "http://example.invalid/b")), REPLY(R200(0))},
     .n = 2,
     .url = "http://u:p@example.invalid/a",
     .status = 200,
     .sent = "\r\nAuthorization: Basic dTpw\r\n"},
    {.what = "a Location that is no valid http URL",
     .c = {REPLY(R30X(302, "http://example.invalid:99999/"))},
     .rc = HTTPREF_E_BAD_LOCATION,
     .connects = 1},
    {.what = "POST streamed + 307, redirect=1: returned (the body cannot be sent twice)",
     .c = {REPLY(R30X(307, "/b"))},
     .method = "POST",
     .stream = "abc",
     .stream_length = 3,
     .redirect = FOLLOW,
     .status = 307,
     .connects = 1},
    {.what = "POST streamed + 303, redirect=1: followed as GET without the body",
     .c = {REPLY(R30X(303, "/b")), REPLY(R200(0))},
     .n = 2,
     .method = "POST",
     .stream = "abc",
     .stream_length = 3,
     .redirect = FOLLOW,
     .status = 200,
     .sent = "GET /b HTTP/1.1\r\n"},
    {.what = "REDIRECT_UNSAFE: POST + 307 followed by default, the body replayed",
     .c = {REPLY(R30X(307, "/b")), REPLY(R200(0))},
     .n = 2,
     .method = "POST",
     .body = "data",
     .opt = {HTTPREF_OPT_REDIRECT_UNSAFE},
     .val = {1},
     .status = 200,
     .sent = "Content-Length: 4\r\n\r\ndata"},
    {.what = "REDIRECT_UNSAFE: PUT streamed + 308 still returned",
     .c = {REPLY(R30X(308, "/b"))},
     .method = "PUT",
     .stream = "abc",
     .stream_length = -1,
     .opt = {HTTPREF_OPT_REDIRECT_UNSAFE},
     .val = {1},
     .status = 308,
     .connects = 1},
    {.what = "AUTH_RETRY: Basic after HTAB, last in the field",
     .n = 2,
     .url = "http://u:p@example.invalid/a",
     .c = {REPLY("HTTP/1.1 401 No\r\nWWW-Authenticate: Newauth realm=\"x\",\tBasic\r\nContent-Length: "
                 "0\r\n\r\n"),
           REPLY(R200(0))},
     .opt = {HTTPREF_OPT_AUTH_RETRY},
     .val = {1},
     .status = 200,
     .sent = "Authorization: Basic dTpw"},
    {.what = "AUTH_RETRY: XBasic is not Basic",
     .url = "http://u:p@example.invalid/a",
     .c = {REPLY("HTTP/1.1 401 No\r\nWWW-Authenticate: XBasic, Basicx\r\nContent-Length: 0\r\n\r\n")},
     .opt = {HTTPREF_OPT_AUTH_RETRY},
     .val = {1},
     .status = 401,
     .connects = 1},
    {.what = "AUTH_RETRY: a 401 from another origin gets no credentials",
     .n = 2,
     .url = "http://u:p@example.invalid/a",
     .c = {REPLY(R30X(302, "http://other.invalid/")), REPLY(R401)},
     .opt = {HTTPREF_OPT_AUTH_RETRY},
     .val = {1},
     .status = 401,
     .connects = 2},
    {.what = "AUTH_RETRY with a streamed body: the 401 is final",
     .c = {REPLY(R401)},
     .url = "http://u:p@example.invalid/a",
     .method = "POST",
     .stream = "abc",
     .stream_length = 3,
     .opt = {HTTPREF_OPT_AUTH_RETRY},
     .val = {1},
     .status = 401,
     .connects = 1},
    /* request bodies */
    {.what = "the transport fails inside a streamed body (Content-Length)",
     .c = {SEND_FAILS_AFTER(1, HTTPREF_E_TRANSPORT)},
     .method = "POST",
     .stream = "abc",
     .stream_length = 3,
     .rc = HTTPREF_E_TRANSPORT},
    {.what = "the transport fails inside a streamed body (chunked)",
     .c = {SEND_FAILS_AFTER(1, HTTPREF_E_TRANSPORT)},
     .method = "POST",
     .stream = "abc",
     .stream_length = -1,
     .rc = HTTPREF_E_TRANSPORT},
    {.what = "a caller Content-Length that matches the body",
     .c = {REPLY(R200(0))},
     .method = "POST",
     .body = "data",
     .hdr = {"Content-Length", 0, "4", 0},
     .status = 200,
     .sent = "\r\nContent-Length: 4\r\n\r\ndata"},
    {.what = "no sink: the body is read and dropped",
     .c = {REPLY(R200(5) "hello")},
     .no_sink = 1,
     .status = 200},
    {.what = "a proxy URL whose user-id has ':': BAD_CREDENTIALS",
     .proxy = "http://a%3Ab:c@proxy.invalid/",
     .rc = HTTPREF_E_BAD_CREDENTIALS,
     .connects = NONE},
    {.what = "a source_length below -1 means unknown: chunked",
     .c = {REPLY(R200(0))},
     .method = "POST",
     .stream = "abc",
     .stream_length = -5,
     .status = 200,
     .sent = "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"},
    {.what = "an empty in-memory body: Content-Length: 0 and nothing after the head",
     .c = {REPLY(R200(0))},
     .method = "POST",
     .body = "",
     .status = 200,
     .sent = "Content-Length: 0\r\n\r\n"},
    /* each option changes the outcome it names */
    {.what = "MAX_STATUS_LINE 16",
     .c = {REPLY("HTTP/1.1 200 A long reason\r\n\r\n")},
     .opt = {HTTPREF_OPT_MAX_STATUS_LINE},
     .val = {16},
     .rc = HTTPREF_E_STATUS_LINE_TOO_LONG},
    {.what = "MAX_FIELD_LINE 8",
     .c = {REPLY(SL "X-Long: 123456789\r\n\r\n")},
     .opt = {HTTPREF_OPT_MAX_FIELD_LINE},
     .val = {8},
     .rc = HTTPREF_E_FIELD_TOO_LONG},
    {.what = "MAX_HEADER_BYTES 32",
     .c = {REPLY(SL "A: 1\r\nB: 2\r\nC: 3\r\n\r\n")},
     .opt = {HTTPREF_OPT_MAX_HEADER_BYTES},
     .val = {32},
     .rc = HTTPREF_E_HEADER_TOO_LARGE},
    {.what = "MAX_FIELDS 1",
     .c = {REPLY(SL "A: 1\r\nB: 2\r\n\r\n")},
     .opt = {HTTPREF_OPT_MAX_FIELDS},
     .val = {1},
     .rc = HTTPREF_E_TOO_MANY_FIELDS},
    {.what = "MAX_INTERIM 1",
     .c = {REPLY("HTTP/1.1 100 C\r\n\r\nHTTP/1.1 100 C\r\n\r\n" R200(0))},
     .opt = {HTTPREF_OPT_MAX_INTERIM},
     .val = {1},
     .rc = HTTPREF_E_TOO_MANY_INTERIM},
    {.what = "MAX_CHUNK_EXT 4",
     .c = {REPLY(CHUNKED "5;abcdefgh\r\nhello\r\n0\r\n\r\n")},
     .opt = {HTTPREF_OPT_MAX_CHUNK_EXT},
     .val = {4},
     .rc = HTTPREF_E_CHUNK_EXT_TOO_LONG},
    {.what = "MAX_BODY 4 on a chunked body",
     .c = {REPLY(CHUNKED "3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n")},
     .opt = {HTTPREF_OPT_MAX_BODY},
     .val = {4},
     .rc = HTTPREF_E_BODY_TOO_LARGE},
    {.what = "LENIENT bare LF",
     .c = {REPLY("HTTP/1.1 200 OK\nContent-Length: 2\n\nok")},
     .opt = {HTTPREF_OPT_LENIENT},
     .val = {HTTPREF_LENIENT_BARE_LF},
     .status = 200,
     .got = "ok"},
    {.what = "LENIENT HTTP/0.9: the reply is the body",
     .c = {REPLY("<html>")},
     .opt = {HTTPREF_OPT_LENIENT},
     .val = {HTTPREF_LENIENT_HTTP09},
     .status = 200,
     .got = "<html>"},
};

static httpref *client_for(script *s, int why)
{
    static const char *const whys[] = {NULL, "", "scripted transport failure", NULL};
    httpref_transport t = {s,       sc_connect, sc_send,
                           sc_recv, sc_close,   why == NO_STRERROR ? NULL : sc_strerror};
    httpref *h = httpref_new();
    s->why = whys[why];
    httpref_setopt(h, HTTPREF_OPT_TIMEOUT_MS, 2000);
    httpref_set_transport(h, &t);
    return h;
}

static void free_script(script *s)
{
    for (int i = 0; i < MAXCONN; i++)
        free(s->sent[i].p);
}

static void test_table(void)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        const xcase *c = &table[i];
        script s = {.c = c->c, .n = c->n ? c->n : 1};
        sinkbuf b = {{0}, 0};
        src up = {c->stream, 0};
        httpref *h = client_for(&s, c->why);
        for (int k = 0; k < 2; k++)
            if (c->opt[k])
                httpref_setopt(h, c->opt[k], c->val[k]);
        httpref_request q = {.url = c->url ? c->url : URL,
                             .method = c->method,
                             .sink = c->no_sink ? NULL : sink,
                             .sink_ud = &b,
                             .redirect = c->redirect == FOLLOW  ? 1
                                         : c->redirect == NEVER ? 0
                                                                : -1,
                             .max_redirects = -1,
                             .proxy = c->proxy,
                             .headers = &c->hdr,
                             .nheaders = !!c->hdr.name};
        if (c->body) {
            q.body = c->body;
            q.body_len = strlen(c->body);
        } else if (c->stream) {
            q.source = source;
            q.source_ud = &up;
            q.source_length = c->stream_length;
        }
        httpref_response r;
        httpref_code rc = httpref_perform(h, &q, &r);
        const char *why = httpref_last_error_reason(h);
        const hx_buf *last = &s.sent[s.cur >= 0 && s.cur < MAXCONN ? s.cur : 0];
        int good = rc == c->rc && (rc == HTTPREF_OK || *why);
        if (rc == HTTPREF_OK)
            good = good && r.status == c->status &&
                   (!c->got || (b.got.len == strlen(c->got) && !memcmp(b.got.p, c->got, b.got.len))) &&
                   (!c->effective || !strcmp(r.effective_url, c->effective));
        good = good && (!c->connects || s.connects == (c->connects == NONE ? 0 : c->connects)) &&
               (!c->connect_ms || s.connect_timeout == c->connect_ms) &&
               (!c->sent || (*c->sent ? last->p && strstr(last->p, c->sent) : !last->len));
        int reason_ok = !c->reason || (!strcmp(c->reason, OWN) ? !strcmp(why, httpref_strerror(rc))
                                                               : strstr(why, c->reason) != NULL);
        if (c->todo) {
            printf("%sok %d - %s: %s # TODO %s (got %s \"%s\")\n", good && reason_ok ? "" : "not ",
                   ++tap_count, tap_subtest, c->what, c->todo, httpref_code_name(rc), why);
        } else {
            ok(good && reason_ok, "%s -> %s %d (got %s %d \"%s\", %d connects)", c->what,
               httpref_code_name(c->rc), c->status, httpref_code_name(rc), r.status, why, s.connects);
        }
        httpref_free(h);
        free_script(&s);
        free(b.got.p);
    }
}

/* ---- the receive buffer's edges: generated replies of a few hundred KB ---- */

static char *repeat(const char *head, const char *unit, size_t times, const char *tail)
{
    size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
    char *s = malloc(hl + ul * times + tl + 1), *p = s;
    memcpy(p, head, hl);
    p += hl;
    for (size_t i = 0; i < times; i++, p += ul)
        memcpy(p, unit, ul);
    memcpy(p, tail, tl + 1);
    return s;
}

/* 130 fields: more than the 128 a head keeps on the stack while it is stored */
static void buffer_many_fields(void)
{
    char *many = repeat(SL, "X-F: v\r\n", 130, "Content-Length: 0\r\n\r\n");
    conn c1[] = {REPLY(many)};
    script s = {.c = c1, .n = 1};
    httpref *h = client_for(&s, WHY_NULL);
    httpref_setopt(h, HTTPREF_OPT_MAX_FIELDS, 200);
    httpref_request q = {.url = URL, .redirect = -1, .max_redirects = -1};
    httpref_response r;
    httpref_code rc = httpref_perform(h, &q, &r);
    ok(rc == HTTPREF_OK && r.nfields == 131 && r.njoined == 2 && r.joined[0].value_len == 130 * 3 - 2,
       "131 fields stored, 130 joined into one (%s, %zu fields)", httpref_code_name(rc), r.nfields);
    httpref_free(h);
    free_script(&s);
    free(many);
}

/* a redirect's body over 1 MiB is not drained: the next hop opens a new connection */
static void buffer_big_redirect(void)
{
    char *big = repeat("HTTP/1.1 302 Found\r\nLocation: /b\r\nContent-Length: 2097152\r\n\r\n",
                       "0123456789abcdef", 131072, "");
    conn c2[] = {REPLY(big), REPLY(R200(2) "ok")};
    sinkbuf b = {{0}, 0};
    script s2 = {.c = c2, .n = 2};
    httpref *h = client_for(&s2, WHY_NULL);
    httpref_setopt(h, HTTPREF_OPT_KEEPALIVE, 1);
    httpref_request q = {.url = URL, .redirect = -1, .max_redirects = -1, .sink = sink, .sink_ud = &b};
    httpref_response r;
    httpref_code rc = httpref_perform(h, &q, &r);
    ok(rc == HTTPREF_OK && r.status == 200 && r.redirects == 1 && b.got.len == 2 && s2.connects == 2 &&
           s2.closes >= 1 && s2.delivered[0] < 2097152,
       "a 2 MiB redirect body is abandoned, not read to its end (%s)", httpref_code_name(rc));
    httpref_free(h);
    free_script(&s2);
    free(big);
    free(b.got.p);
}

/* a chunk-size line cut at the end of the data: the rest comes with the next read */
static void buffer_cut_size_line(void)
{
    char *chunk = repeat(CHUNKED "48000\r\n", "x", 0x48000, "\r\n1");
    conn c3[] = {REPLY(chunk, "\r\nA\r\n0\r\n\r\n")};
    sinkbuf b = {{0}, 0};
    script s3 = {.c = c3, .n = 1};
    httpref *h = client_for(&s3, WHY_NULL);
    httpref_request q = {.url = URL, .redirect = -1, .max_redirects = -1, .sink = sink, .sink_ud = &b};
    httpref_response r;
    httpref_code rc = httpref_perform(h, &q, &r);
    ok(rc == HTTPREF_OK && r.body_bytes == 0x48001 && b.got.len == 0x48001 && b.got.p[0x48000] == 'A' &&
           b.got.p[0x47fff] == 'x',
       "a 288 KiB chunk then a cut size line: the body is whole (%s, %llu bytes)", httpref_code_name(rc),
       (unsigned long long)r.body_bytes);
    httpref_free(h);
    free_script(&s3);
    free(chunk);
    free(b.got.p);
}

enum { READ = 32768, UNITS = 12, DATA = READ - 8 }; /* "7ff8\r\n" + data + "\r\n" = READ */

/* a head padded to end 3 bytes into the first size line at READ, then UNITS
 * chunks of exactly READ bytes each: total bytes, NUL-terminated, malloc'd */
static char *straddling_wire(size_t total)
{
    char *wire = malloc(total + 1), *p = wire;
    p += sprintf(p, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n");
    size_t pad = (size_t)(READ - 3 - 2) - (size_t)(p - wire);
    for (int i = 0; i < 3; i++) { /* three fields: one would pass the 16 KiB field-line limit */
        size_t v = (i < 2 ? pad / 3 : pad - 2 * (pad / 3)) - 11;
        p += sprintf(p, "X-Pad-%d: ", i);
        memset(p, 'p', v);
        p += v;
        memcpy(p, "\r\n", 2);
        p += 2;
    }
    memcpy(p, "\r\n", 2);
    p += 2;
    for (int i = 0; i < UNITS; i++) {
        p += sprintf(p, "%x\r\n", (unsigned)DATA);
        memset(p, 'x', DATA);
        p += DATA;
        memcpy(p, "\r\n", 2);
        p += 2;
    }
    memcpy(p, "0\r\n\r\n", 6);
    return wire;
}

/* every 32 KiB read (RECV_CHUNK) ends 3 bytes into a chunk-size line, so the cut
 * line stays and the buffer fills read by read until the rest moves to the front */
static void buffer_straddling_reads(void)
{
    size_t total = READ - 3 + (size_t)UNITS * READ + 5;
    char *wire = straddling_wire(total);
    conn c5[] = {REPLY(wire)};
    sinkbuf b = {{0}, 0};
    script s5 = {.c = c5, .n = 1};
    httpref *h = client_for(&s5, WHY_NULL);
    httpref_request q = {.url = URL, .redirect = -1, .max_redirects = -1, .sink = sink, .sink_ud = &b};
    httpref_response r;
    httpref_code rc = httpref_perform(h, &q, &r);
    size_t xs = 0;
    for (size_t i = 0; i < b.got.len; i++)
        xs += b.got.p[i] == 'x';
    ok(strlen(wire) == total && rc == HTTPREF_OK && b.got.len == (size_t)UNITS * DATA && xs == b.got.len,
       "12 chunks whose size lines straddle every read: the body is whole (%s, %zu bytes)",
       httpref_code_name(rc), b.got.len);
    httpref_free(h);
    free_script(&s5);
    free(wire);
    free(b.got.p);
}

/* RFC 9112 §2.2 lets a client skip leading CRLFs, not forever: they fill the buffer */
static void buffer_leading_crlfs(void)
{
    char *crlfs = repeat("", "\r\n", 1 << 18, "");
    conn c4[] = {REPLY(crlfs)};
    sinkbuf b = {{0}, 0};
    script s4 = {.c = c4, .n = 1};
    httpref *h = client_for(&s4, WHY_NULL);
    httpref_request q = {.url = URL, .redirect = -1, .max_redirects = -1, .sink = sink, .sink_ud = &b};
    httpref_response r;
    httpref_code rc = httpref_perform(h, &q, &r);
    ok(rc == HTTPREF_E_HEADER_TOO_LARGE && strstr(httpref_last_error_reason(h), "receive buffer"),
       "512 KiB of CRLF before the status line: HEADER_TOO_LARGE (%s: %s)", httpref_code_name(rc),
       httpref_last_error_reason(h));
    httpref_free(h);
    free_script(&s4);
    free(crlfs);
    free(b.got.p);
}

static void test_buffer(void)
{
    buffer_many_fields();
    buffer_big_redirect();
    buffer_cut_size_line();
    buffer_straddling_reads();
    buffer_leading_crlfs();
}

/* ---- keep-alive through a custom transport ---- */

static void test_keepalive(void)
{
    conn c[] = {REPLY(R200(3) "one", R200(3) "two")};
    script s = {.c = c, .n = 1};
    httpref *h = client_for(&s, WHY_NULL);
    httpref_setopt(h, HTTPREF_OPT_KEEPALIVE, 1);
    httpref_request q = {.url = URL, .redirect = -1, .max_redirects = -1};
    httpref_response r;
    httpref_code rc1 = httpref_perform(h, &q, &r);
    int reused1 = r.reused_connection;
    httpref_code rc2 = httpref_perform(h, &q, &r);
    ok(rc1 == HTTPREF_OK && rc2 == HTTPREF_OK && reused1 == 0 && r.reused_connection == 1 &&
           s.connects == 1 && s.closes == 0,
       "two performs, one connection: the transport's own connection is reused");
    httpref_close(h);
    ok(s.closes == 1, "httpref_close closes it once");
    httpref_free(h);
    free_script(&s);

    /* the kept connection turns out dead on the second request: an idempotent request with
     * a replayable body goes again, once, on a new connection (RFC 9112 §9.3.1; CN-07/08) */
    static const struct {
        const char *method, *body;
        int stream, send_fails, retried;
    } stale[] = {{"GET", NULL, 0, 0, 1},    {"HEAD", NULL, 0, 0, 1},    {"PUT", "x", 0, 0, 1},
                 {"DELETE", NULL, 0, 0, 1}, {"OPTIONS", NULL, 0, 0, 1}, {"TRACE", NULL, 0, 0, 1},
                 {"GET", NULL, 0, 1, 1},    {"POST", "x", 0, 0, 0},     {"PATCH", "x", 0, 0, 0},
                 {"PUT", "x", 1, 0, 0}};
    for (size_t i = 0; i < sizeof stale / sizeof stale[0]; i++) {
        /* the first connection answers once, then: EOF, or a failing send */
        conn c2[] = {
            {HTTPREF_OK, stale[i].send_fails ? HTTPREF_E_SEND : HTTPREF_OK, {R200(0)}, HTTPREF_OK, 0, 0, 1},
            REPLY(R200(0))};
        script s2 = {.c = c2, .n = 2};
        src up = {"x", 0};
        h = client_for(&s2, WHY_NULL);
        httpref_setopt(h, HTTPREF_OPT_KEEPALIVE, 1);
        httpref_request q2 = {.url = URL, .redirect = -1, .max_redirects = -1};
        rc1 = httpref_perform(h, &q2, &r);
        q2.method = stale[i].method;
        if (stale[i].stream) {
            q2.source = source;
            q2.source_ud = &up;
            q2.source_length = 1;
        } else if (stale[i].body) {
            q2.body = stale[i].body;
            q2.body_len = 1;
        }
        rc2 = httpref_perform(h, &q2, &r);
        int want_rc = stale[i].retried      ? HTTPREF_OK
                      : stale[i].send_fails ? HTTPREF_E_SEND
                                            : HTTPREF_E_EMPTY_REPLY;
        ok(rc1 == HTTPREF_OK && (int)rc2 == want_rc && s2.connects == 1 + stale[i].retried,
           "%s%s on a dead kept connection (%s): %s (got %s, %d connects)", stale[i].method,
           stale[i].stream ? " streamed" : "", stale[i].send_fails ? "send fails" : "EOF",
           stale[i].retried ? "retried once" : "not retried", httpref_code_name(rc2), s2.connects);
        httpref_free(h);
        free_script(&s2);
    }
}

int main(void)
{
    subtest("table", test_table);
    subtest("buffer", test_buffer);
    subtest("keepalive", test_keepalive);
    return done_testing();
}
