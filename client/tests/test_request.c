/*
 * test_request: the request head, byte for byte, and every refusal before
 * anything reaches the wire (request.h). Each row is a whole request: URL,
 * proxy, method, caller fields, body kind; it expects either the exact head
 * or the exact error code. Rows marked todo document a known library bug.
 */
#include "request.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

#define MAXH 5
#define NOBODY (-2)
#define CHUNKED (-1)

typedef struct rcase {
    const char *id;
    const char *url;
    const char *proxy;  /* NULL: direct */
    const char *method; /* NULL here means "GET"; use .null_method for a real NULL */
    int null_method;
    httpref_field h[MAXH];
    size_t nh;
    int keepalive, no_ua, drop_host, drop_credentials, drop_referer;
    int body;         /* 1: body_len below applies; 0: no body */
    int64_t body_len; /* -1 chunked, >= 0 Content-Length */
    httpref_code rc;
    const char *head; /* the whole expected head when rc == HTTPREF_OK */
    int check_ccl;
    int64_t ccl;      /* expected caller Content-Length (-1: none) */
    const char *todo; /* a known bug: reported as TAP TODO */
} rcase;

/* a field; FL takes the value's length from the literal (for values holding NUL) */
/* clang-format off */
#define F(n, v) {n, 0, v, 0}
#define FL(n, v) {n, 0, v, sizeof(v) - 1}
/* clang-format on */
#define BODY(n) .body = 1, .body_len = (n)
#define UA "User-Agent: httpref/0.1.0\r\n"
#define DEF UA "TE: trailers\r\nConnection: close, TE\r\n"
#define GET(path) "GET " path " HTTP/1.1\r\n"
#define HOST "Host: h.example\r\n"
#define U "http://h.example/"
#define P "http://proxy.example:3128"
#define L60 "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWX"
#define L600 L60 L60 L60 L60 L60 L60 L60 L60 L60 L60

static const rcase cases[] = {
    /* request-target (RFC 9112 §3.2) */
    {.id = "origin-form root from an empty path",
     .url = "http://h.example",
     .head = GET("/") HOST DEF "\r\n"},
    {.id = "origin-form keeps path and query",
     .url = "http://h.example/a/b?x=1&y=2",
     .head = GET("/a/b?x=1&y=2") HOST DEF "\r\n"},
    {.id = "fragment never sent", .url = "http://h.example/p#frag", .head = GET("/p") HOST DEF "\r\n"},
    {.id = "space in path percent-escaped",
     .url = "http://h.example/a b",
     .head = GET("/a%20b") HOST DEF "\r\n"},
    {.id = "method DELETE", .url = U, .method = "DELETE", .head = "DELETE / HTTP/1.1\r\n" HOST DEF "\r\n"},
    {.id = "extension method token",
     .url = U,
     .method = "M-SEARCH",
     .head = "M-SEARCH / HTTP/1.1\r\n" HOST DEF "\r\n"},
    {.id = "absolute-form through a proxy",
     .url = "http://h.example/p?q",
     .proxy = P,
     .head = GET("http://h.example/p?q") HOST DEF "\r\n"},
    {.id = "absolute-form keeps a non-default port",
     .url = "http://h.example:8080/",
     .proxy = P,
     .head = GET("http://h.example:8080/") "Host: h.example:8080\r\n" DEF "\r\n"},
    {.id = "absolute-form with IPv6",
     .url = "http://[::1]:8080/x",
     .proxy = P,
     .head = GET("http://[::1]:8080/x") "Host: [::1]:8080\r\n" DEF "\r\n"},
    {.id = "absolute-form never carries userinfo",
     .url = "http://fulano:silva@h.example/",
     .proxy = P,
     .head = GET("http://h.example/") HOST DEF "Authorization: Basic ZnVsYW5vOnNpbHZh\r\n\r\n"},
    /* Host: first, exactly once, port only when not 80 (RFC 9110 §7.2) */
    {.id = "explicit :80 dropped from Host", .url = "http://h.example:80/", .head = GET("/") HOST DEF "\r\n"},
    {.id = "port 8080 kept in Host",
     .url = "http://h.example:8080/",
     .head = GET("/") "Host: h.example:8080\r\n" DEF "\r\n"},
    {.id = "IPv6 host in brackets", .url = "http://[::1]/", .head = GET("/") "Host: [::1]\r\n" DEF "\r\n"},
    {.id = "IPv6 host with port",
     .url = "http://[2001:db8::1]:8080/",
     .head = GET("/") "Host: [2001:db8::1]:8080\r\n" DEF "\r\n"},
    {.id = "host lowercased", .url = "http://H.Example/", .head = GET("/") HOST DEF "\r\n"},
    {.id = "caller host replaces Host in first place, its case kept",
     .url = U,
     .h = {F("X-A", "1"), F("host", "other.example")},
     .nh = 2,
     .head = GET("/") "host: other.example\r\n" DEF "X-A: 1\r\n\r\n"},
    {.id = "caller Host NULL removes it",
     .url = U,
     .h = {F("HOST", NULL)},
     .nh = 1,
     .head = GET("/") DEF "\r\n"},
    {.id = "after a redirect the caller's Host no longer applies",
     .url = U,
     .h = {F("Host", "other.example")},
     .nh = 1,
     .drop_host = 1,
     .head = GET("/") HOST DEF "\r\n"},
    /* defaults (LuaSocket's), each overridden case-insensitively */
    {.id = "keepalive: Connection: TE",
     .url = U,
     .keepalive = 1,
     .head = GET("/") HOST UA "TE: trailers\r\nConnection: TE\r\n\r\n"},
    {.id = "no User-Agent when none is set",
     .url = U,
     .no_ua = 1,
     .head = GET("/") HOST "TE: trailers\r\nConnection: close, TE\r\n\r\n"},
    {.id = "caller user-agent overrides the default",
     .url = U,
     .h = {F("user-agent", "mine/1")},
     .nh = 1,
     .head = GET("/") HOST "TE: trailers\r\nConnection: close, TE\r\nuser-agent: mine/1\r\n\r\n"},
    {.id = "caller USER-AGENT NULL removes the default",
     .url = U,
     .h = {F("USER-AGENT", NULL)},
     .nh = 1,
     .head = GET("/") HOST "TE: trailers\r\nConnection: close, TE\r\n\r\n"},
    {.id = "caller te overrides the default",
     .url = U,
     .h = {F("te", "trailers, deflate")},
     .nh = 1,
     .head = GET("/") HOST UA "Connection: close, TE\r\nte: trailers, deflate\r\n\r\n"},
    {.id = "caller Te NULL removes TE, and TE leaves Connection",
     .url = U,
     .h = {F("Te", NULL)},
     .nh = 1,
     .head = GET("/") HOST UA "Connection: close\r\n\r\n"},
    {.id = "caller Te NULL with keepalive: no Connection at all",
     .url = U,
     .h = {F("Te", NULL)},
     .nh = 1,
     .keepalive = 1,
     .head = GET("/") HOST UA "\r\n"},
    /* the head buffer starts at 256 bytes and doubles as often as one field needs */
    {.id = "a 600-byte field value grows the head buffer",
     .url = U,
     .h = {F("X-Long", L600)},
     .nh = 1,
     .head = GET("/") HOST DEF "X-Long: " L600 "\r\n\r\n"},
    {.id = "caller connection overrides the default",
     .url = U,
     .h = {F("connection", "keep-alive")},
     .nh = 1,
     .head = GET("/") HOST UA "TE: trailers\r\nconnection: keep-alive\r\n\r\n"},
    {.id = "caller CONNECTION NULL removes it",
     .url = U,
     .keepalive = 1,
     .h = {F("CONNECTION", NULL)},
     .nh = 1,
     .head = GET("/") HOST UA "TE: trailers\r\n\r\n"},
    {.id = "caller fields follow the defaults in the caller's order and case",
     .url = U,
     .h = {F("X-B", "2"), F("x-a", "1"), F("Accept", "*/*")},
     .nh = 3,
     .head = GET("/") HOST DEF "X-B: 2\r\nx-a: 1\r\nAccept: */*\r\n\r\n"},
    {.id = "NULL value for a field without a default sends nothing",
     .url = U,
     .h = {F("X-Gone", NULL)},
     .nh = 1,
     .head = GET("/") HOST DEF "\r\n"},
    {.id = "empty value allowed",
     .url = U,
     .h = {F("X-Empty", "")},
     .nh = 1,
     .head = GET("/") HOST DEF "X-Empty: \r\n\r\n"},
    {.id = "HTAB and obs-text allowed in a value",
     .url = U,
     .h = {F("X-V", "a\tb\xe9")},
     .nh = 1,
     .head = GET("/") HOST DEF "X-V: a\tb\xe9\r\n\r\n"},
    {.id = "a list field may repeat",
     .url = U,
     .h = {F("Accept", "a/b"), F("accept", "c/d")},
     .nh = 2,
     .head = GET("/") HOST DEF "Accept: a/b\r\naccept: c/d\r\n\r\n"},
    {.id = "a singleton given once plus a NULL copy is no duplicate",
     .url = U,
     .method = "POST",
     .h = {F("Content-Type", "text/plain"), F("content-type", NULL)},
     .nh = 2,
     .head = "POST / HTTP/1.1\r\n" HOST DEF "Content-Type: text/plain\r\n\r\n"},
    /* credentials (RFC 7617 §2): pre-emptive Basic from the userinfo, as LuaSocket does */
    {.id = "Basic from userinfo (RFC 7617 example)",
     .url = "http://Aladdin:open%20sesame@h.example/",
     .head = GET("/") HOST DEF "Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n\r\n"},
    {.id = "user and password percent-decoded",
     .url = "http://us%20er:p%40ss@h.example/",
     .head = GET("/") HOST DEF "Authorization: Basic dXMgZXI6cEBzcw==\r\n\r\n"},
    {.id = "UTF-8 user-id decoded to its bytes",
     .url = "http://%C3%A9:x@h.example/",
     .head = GET("/") HOST DEF "Authorization: Basic w6k6eA==\r\n\r\n"},
    {.id = "user without password",
     .url = "http://user@h.example/",
     .head = GET("/") HOST DEF "Authorization: Basic dXNlcjo=\r\n\r\n"},
    {.id = "user with an empty password",
     .url = "http://user:@h.example/",
     .head = GET("/") HOST DEF "Authorization: Basic dXNlcjo=\r\n\r\n"},
    {.id = "caller Authorization overrides the userinfo",
     .url = "http://user:pw@h.example/",
     .h = {F("authorization", "Bearer t")},
     .nh = 1,
     .head = GET("/") HOST DEF "authorization: Bearer t\r\n\r\n"},
    {.id = "caller Authorization NULL suppresses the userinfo",
     .url = "http://user:pw@h.example/",
     .h = {F("Authorization", NULL)},
     .nh = 1,
     .head = GET("/") HOST DEF "\r\n"},
    {.id = "cross-origin redirect drops every credential, keeps the rest",
     .url = "http://user:pw@h.example/",
     .h = {F("Authorization", "Bearer t"), F("Cookie", "a=1"), F("Proxy-Authorization", "Basic x"),
           F("X-Keep", "1")},
     .nh = 4,
     .drop_credentials = 1,
     .head = GET("/") HOST DEF "X-Keep: 1\r\n\r\n"},
    {.id = "RD-29: an http hop after https drops the caller's Referer, keeps the rest",
     .url = U,
     .h = {F("Referer", "https://h.example/secret"), F("X-Keep", "1")},
     .nh = 2,
     .drop_referer = 1,
     .head = GET("/") HOST DEF "X-Keep: 1\r\n\r\n"},
    {.id = "Proxy-Authorization from the proxy URL",
     .url = U,
     .proxy = "http://pu:pp@proxy.example:3128",
     .head = GET("http://h.example/") HOST DEF "Proxy-Authorization: Basic cHU6cHA=\r\n\r\n"},
    {.id = "Authorization then Proxy-Authorization",
     .url = "http://user:@h.example/",
     .proxy = "http://pu:pp@proxy.example",
     .head = GET("http://h.example/") HOST DEF "Authorization: Basic dXNlcjo=\r\n"
                                               "Proxy-Authorization: Basic cHU6cHA=\r\n\r\n"},
    {.id = "caller Proxy-Authorization overrides the proxy URL",
     .url = U,
     .proxy = "http://pu:pp@proxy.example",
     .h = {F("proxy-authorization", "Basic other")},
     .nh = 1,
     .head = GET("http://h.example/") HOST DEF "proxy-authorization: Basic other\r\n\r\n"},
    {.id = "proxy credentials never go direct", .url = U, .head = GET("/") HOST DEF "\r\n"},
    /* framing of the request body (RFC 9112 §6) */
    {.id = "Content-Length for a body",
     .url = U,
     .method = "POST",
     BODY(5),
     .head = "POST / HTTP/1.1\r\n" HOST DEF "Content-Length: 5\r\n\r\n"},
    {.id = "Content-Length: 0 for an empty body",
     .url = U,
     .method = "POST",
     BODY(0),
     .head = "POST / HTTP/1.1\r\n" HOST DEF "Content-Length: 0\r\n\r\n"},
    {.id = "large Content-Length",
     .url = U,
     .method = "PUT",
     BODY(1234567890123LL),
     .head = "PUT / HTTP/1.1\r\n" HOST DEF "Content-Length: 1234567890123\r\n\r\n"},
    {.id = "chunked for an unknown length",
     .url = U,
     .method = "POST",
     BODY(CHUNKED),
     .head = "POST / HTTP/1.1\r\n" HOST DEF "Transfer-Encoding: chunked\r\n\r\n"},
    {.id = "no framing field without a body",
     .url = U,
     .method = "POST",
     .head = "POST / HTTP/1.1\r\n" HOST DEF "\r\n"},
    {.id = "framing fields come after the caller's",
     .url = U,
     .method = "POST",
     .h = {F("Content-Type", "text/plain")},
     .nh = 1,
     BODY(2),
     .head = "POST / HTTP/1.1\r\n" HOST DEF "Content-Type: text/plain\r\nContent-Length: 2\r\n\r\n"},
    {.id = "caller Content-Length is reported, sent once",
     .url = U,
     .method = "POST",
     .h = {F("content-length", "5")},
     .nh = 1,
     BODY(5),
     .head = "POST / HTTP/1.1\r\n" HOST DEF "Content-Length: 5\r\n\r\n",
     .check_ccl = 1,
     .ccl = 5},
    {.id = "no caller Content-Length: reported as -1",
     .url = U,
     .method = "POST",
     BODY(1),
     .head = "POST / HTTP/1.1\r\n" HOST DEF "Content-Length: 1\r\n\r\n",
     .check_ccl = 1,
     .ccl = -1},
    {.id = "caller Content-Length NULL cannot remove the framing",
     .url = U,
     .method = "POST",
     .h = {F("Content-Length", NULL)},
     .nh = 1,
     BODY(3),
     .head = "POST / HTTP/1.1\r\n" HOST DEF "Content-Length: 3\r\n\r\n",
     .check_ccl = 1,
     .ccl = -1},
    {.id = "caller Transfer-Encoding: chunked sent once",
     .url = U,
     .method = "POST",
     .h = {F("Transfer-Encoding", "chunked")},
     .nh = 1,
     BODY(CHUNKED),
     .head = "POST / HTTP/1.1\r\n" HOST DEF "Transfer-Encoding: chunked\r\n\r\n"},
    {.id = "caller Transfer-Encoding compared case-insensitively",
     .url = U,
     .method = "POST",
     .h = {F("transfer-encoding", "Chunked")},
     .nh = 1,
     BODY(CHUNKED),
     .head = "POST / HTTP/1.1\r\n" HOST DEF "Transfer-Encoding: chunked\r\n\r\n"},
    {.id = "HEAD without a body is fine",
     .url = U,
     .method = "HEAD",
     .head = "HEAD / HTTP/1.1\r\n" HOST DEF "\r\n"},
    /* refusals: the method (RFC 9110 §9.1) */
    {.id = "method NULL", .url = U, .null_method = 1, .rc = HTTPREF_E_BAD_METHOD},
    {.id = "method empty", .url = U, .method = "", .rc = HTTPREF_E_BAD_METHOD},
    {.id = "method with SP", .url = U, .method = "GET /x", .rc = HTTPREF_E_BAD_METHOD},
    {.id = "method with CRLF", .url = U, .method = "G\r\nET", .rc = HTTPREF_E_BAD_METHOD},
    {.id = "method with a delimiter", .url = U, .method = "GE(T", .rc = HTTPREF_E_BAD_METHOD},
    {.id = "method with non-ASCII", .url = U, .method = "G\xc3\x89T", .rc = HTTPREF_E_BAD_METHOD},
    {.id = "method with HTAB", .url = U, .method = "GE\tT", .rc = HTTPREF_E_BAD_METHOD},
    /* refusals: field names (RFC 9110 §5.1) */
    {.id = "field name NULL", .url = U, .h = {F(NULL, "v")}, .nh = 1, .rc = HTTPREF_E_BAD_FIELD_NAME},
    {.id = "field name empty", .url = U, .h = {F("", "v")}, .nh = 1, .rc = HTTPREF_E_BAD_FIELD_NAME},
    {.id = "field name with ':'", .url = U, .h = {F("X:A", "v")}, .nh = 1, .rc = HTTPREF_E_BAD_FIELD_NAME},
    {.id = "field name with SP", .url = U, .h = {F("X A", "v")}, .nh = 1, .rc = HTTPREF_E_BAD_FIELD_NAME},
    {.id = "field name with trailing SP",
     .url = U,
     .h = {F("X-A ", "v")},
     .nh = 1,
     .rc = HTTPREF_E_BAD_FIELD_NAME},
    {.id = "field name with CRLF",
     .url = U,
     .h = {F("X\r\nY", "v")},
     .nh = 1,
     .rc = HTTPREF_E_BAD_FIELD_NAME},
    {.id = "field name with a delimiter",
     .url = U,
     .h = {F("X(A)", "v")},
     .nh = 1,
     .rc = HTTPREF_E_BAD_FIELD_NAME},
    {.id = "field name holding NUL (name_len)",
     .url = U,
     .h = {{"X-A\0B", 5, "v", 0}},
     .nh = 1,
     .rc = HTTPREF_E_BAD_FIELD_NAME},
    {.id = "bad name refused even with a NULL value",
     .url = U,
     .h = {F("X:A", NULL)},
     .nh = 1,
     .rc = HTTPREF_E_BAD_FIELD_NAME},
    {.id = "a later bad name refused",
     .url = U,
     .h = {F("X-Ok", "1"), F("X;B", "2")},
     .nh = 2,
     .rc = HTTPREF_E_BAD_FIELD_NAME},
    /* refusals: field values (RFC 9110 §5.5; SEC-08) */
    {.id = "value with CR", .url = U, .h = {F("X-A", "a\rb")}, .nh = 1, .rc = HTTPREF_E_BAD_FIELD_VALUE},
    {.id = "value with LF", .url = U, .h = {F("X-A", "a\nb")}, .nh = 1, .rc = HTTPREF_E_BAD_FIELD_VALUE},
    {.id = "value injecting a field",
     .url = U,
     .h = {F("X-A", "a\r\nX-Injected: 1")},
     .nh = 1,
     .rc = HTTPREF_E_BAD_FIELD_VALUE},
    {.id = "value with trailing CR",
     .url = U,
     .h = {F("X-A", "abc\r")},
     .nh = 1,
     .rc = HTTPREF_E_BAD_FIELD_VALUE},
    {.id = "value with NUL (value_len)",
     .url = U,
     .h = {FL("X-A", "a\0b")},
     .nh = 1,
     .rc = HTTPREF_E_BAD_FIELD_VALUE},
    {.id = "value with NUL then CRLF (value_len)",
     .url = U,
     .h = {FL("X-A", "a\0\r\nX: 1")},
     .nh = 1,
     .rc = HTTPREF_E_BAD_FIELD_VALUE},
    {.id = "value with SOH", .url = U, .h = {F("X-A", "\x01")}, .nh = 1, .rc = HTTPREF_E_BAD_FIELD_VALUE},
    {.id = "value with ESC", .url = U, .h = {F("X-A", "\x1b[31m")}, .nh = 1, .rc = HTTPREF_E_BAD_FIELD_VALUE},
    {.id = "value with DEL", .url = U, .h = {F("X-A", "a\x7f")}, .nh = 1, .rc = HTTPREF_E_BAD_FIELD_VALUE},
    {.id = "Host value with CRLF",
     .url = U,
     .h = {F("Host", "h\r\nX: 1")},
     .nh = 1,
     .rc = HTTPREF_E_BAD_FIELD_VALUE},
    {.id = "value_len shorter than the string: the rest must not reach the wire",
     .url = U,
     .h = {{"X-A", 0, "ok\r\nX-Injected: 1", 2}},
     .nh = 1,
     .head = GET("/") HOST DEF "X-A: ok\r\n\r\n"},
    /* refusals: singletons given twice (RFC 9110 §5.3) */
    {.id = "Host twice",
     .url = U,
     .h = {F("Host", "a"), F("host", "b")},
     .nh = 2,
     .rc = HTTPREF_E_DUPLICATE_FIELD},
    {.id = "Content-Type twice",
     .url = U,
     .method = "POST",
     .h = {F("Content-Type", "a/b"), F("CONTENT-TYPE", "a/b")},
     .nh = 2,
     .rc = HTTPREF_E_DUPLICATE_FIELD},
    {.id = "Authorization twice",
     .url = U,
     .h = {F("Authorization", "a"), F("X", "1"), F("authorization", "b")},
     .nh = 3,
     .rc = HTTPREF_E_DUPLICATE_FIELD},
    {.id = "User-Agent twice",
     .url = U,
     .h = {F("User-Agent", "a"), F("User-Agent", "b")},
     .nh = 2,
     .rc = HTTPREF_E_DUPLICATE_FIELD},
    {.id = "Content-Length twice",
     .url = U,
     .method = "POST",
     .h = {F("Content-Length", "1"), F("content-length", "1")},
     .nh = 2,
     BODY(1),
     .rc = HTTPREF_E_DUPLICATE_FIELD},
    {.id = "Range twice",
     .url = U,
     .h = {F("Range", "bytes=0-1"), F("range", "bytes=2-3")},
     .nh = 2,
     .rc = HTTPREF_E_DUPLICATE_FIELD},
    {.id = "Referer twice",
     .url = U,
     .h = {F("Referer", "http://a/"), F("Referer", "http://b/")},
     .nh = 2,
     .rc = HTTPREF_E_DUPLICATE_FIELD},
    {.id = "Transfer-Encoding twice",
     .url = U,
     .method = "POST",
     .h = {F("Transfer-Encoding", "chunked"), F("Transfer-Encoding", "chunked")},
     .nh = 2,
     BODY(CHUNKED),
     .rc = HTTPREF_E_DUPLICATE_FIELD},
    /* refusals: a body where the method has none (RFC 9110 §9.3.1; RQ-23) */
    {.id = "GET with a body", .url = U, BODY(3), .rc = HTTPREF_E_BODY_NOT_ALLOWED},
    {.id = "GET with an empty body", .url = U, BODY(0), .rc = HTTPREF_E_BODY_NOT_ALLOWED},
    {.id = "GET with a chunked body", .url = U, BODY(CHUNKED), .rc = HTTPREF_E_BODY_NOT_ALLOWED},
    {.id = "HEAD with a body", .url = U, .method = "HEAD", BODY(1), .rc = HTTPREF_E_BODY_NOT_ALLOWED},
    {.id = "TRACE with a body", .url = U, .method = "TRACE", BODY(1), .rc = HTTPREF_E_BODY_NOT_ALLOWED},
    /* refusals: the caller's framing fields */
    {.id = "Content-Length letters",
     .url = U,
     .method = "POST",
     .h = {F("Content-Length", "abc")},
     .nh = 1,
     BODY(3),
     .rc = HTTPREF_E_BAD_FIELD_VALUE},
    {.id = "Content-Length empty",
     .url = U,
     .method = "POST",
     .h = {F("Content-Length", "")},
     .nh = 1,
     BODY(0),
     .rc = HTTPREF_E_BAD_FIELD_VALUE},
    {.id = "Content-Length negative",
     .url = U,
     .method = "POST",
     .h = {F("Content-Length", "-1")},
     .nh = 1,
     BODY(1),
     .rc = HTTPREF_E_BAD_FIELD_VALUE},
    {.id = "Content-Length with sign",
     .url = U,
     .method = "POST",
     .h = {F("Content-Length", "+5")},
     .nh = 1,
     BODY(5),
     .rc = HTTPREF_E_BAD_FIELD_VALUE},
    {.id = "Content-Length with spaces",
     .url = U,
     .method = "POST",
     .h = {F("Content-Length", " 5 ")},
     .nh = 1,
     BODY(5),
     .rc = HTTPREF_E_BAD_FIELD_VALUE},
    {.id = "Content-Length as a list",
     .url = U,
     .method = "POST",
     .h = {F("Content-Length", "5, 5")},
     .nh = 1,
     BODY(5),
     .rc = HTTPREF_E_BAD_FIELD_VALUE},
    {.id = "Content-Length in hex",
     .url = U,
     .method = "POST",
     .h = {F("Content-Length", "0x10")},
     .nh = 1,
     BODY(16),
     .rc = HTTPREF_E_BAD_FIELD_VALUE},
    {.id = "Content-Length of 19 digits",
     .url = U,
     .method = "POST",
     .h = {F("Content-Length", "1000000000000000000")},
     .nh = 1,
     BODY(1),
     .rc = HTTPREF_E_BAD_FIELD_VALUE},
    {.id = "Transfer-Encoding gzip",
     .url = U,
     .method = "POST",
     .h = {F("Transfer-Encoding", "gzip")},
     .nh = 1,
     BODY(CHUNKED),
     .rc = HTTPREF_E_BAD_FIELD_VALUE},
    {.id = "Transfer-Encoding gzip, chunked",
     .url = U,
     .method = "POST",
     .h = {F("Transfer-Encoding", "gzip, chunked")},
     .nh = 1,
     BODY(CHUNKED),
     .rc = HTTPREF_E_BAD_FIELD_VALUE},
    {.id = "Transfer-Encoding identity",
     .url = U,
     .method = "POST",
     .h = {F("Transfer-Encoding", "identity")},
     .nh = 1,
     BODY(CHUNKED),
     .rc = HTTPREF_E_BAD_FIELD_VALUE},
    {.id = "Transfer-Encoding with padding",
     .url = U,
     .method = "POST",
     .h = {F("Transfer-Encoding", " chunked")},
     .nh = 1,
     BODY(CHUNKED),
     .rc = HTTPREF_E_BAD_FIELD_VALUE},
};

/* a TODO line: printed like ok() but never failing the run (TAP §TODO) */
static void todo(int cond, const char *what, const char *why)
{
    printf("%sok %d - %s%s%s # TODO %s\n", cond ? "" : "not ", ++tap_count, tap_subtest,
           *tap_subtest ? ": " : "", what, why);
}

/* control bytes in a detail would break the TAP line */
static int clean(char *d)
{
    int had = 0;
    for (; *d; d++)
        if ((unsigned char)*d < 0x20 || *d == 0x7f)
            *d = '?', had = 1;
    return had;
}

/* escape a head for a readable diagnostic */
static void show(const char *label, const char *s, size_t n)
{
    printf("#   %s: \"", label);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r')
            printf("\\r");
        else if (c == '\n')
            printf("\\n");
        else if (c < 0x20 || c >= 0x7f)
            printf("\\x%02x", c);
        else
            putchar(c);
    }
    printf("\"\n");
}

static void test_table(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const rcase *c = &cases[i];
        url t, p;
        char detail[256] = "";
        int have_proxy = c->proxy != NULL;
        if (url_parse(c->url, &t, detail, sizeof detail) != HTTPREF_OK ||
            (have_proxy && url_parse(c->proxy, &p, detail, sizeof detail) != HTTPREF_OK)) {
            ok(0, "%s: test URL parses (%s)", c->id, detail);
            continue;
        }
        req_spec s = {c->null_method ? NULL
                      : c->method    ? c->method
                                     : "GET",
                      &t,
                      have_proxy ? &p : NULL,
                      c->h,
                      c->nh,
                      c->drop_credentials,
                      c->drop_host,
                      c->no_ua ? NULL : "httpref/0.1.0",
                      c->keepalive,
                      c->body ? c->body_len : NOBODY,
                      0,
                      c->drop_referer,
                      NULL,
                      0,
                      0};
        hx_buf out = {0};
        int64_t ccl = -7;
        httpref_code rc = req_build_head(&out, &s, &ccl, detail, sizeof detail);
        int good;
        if (c->rc != HTTPREF_OK) {
            /* a refusal says why, and req_validate alone agrees when the fault is in method or fields */
            good = rc == c->rc && detail[0];
            if (c->rc <= HTTPREF_E_DUPLICATE_FIELD && c->rc != HTTPREF_E_BAD_FIELD_VALUE) {
                char d2[256];
                good = good && req_validate(s.method, c->h, c->nh, d2, sizeof d2) == c->rc;
            }
            clean(detail);
            ok(good, "%s: refused with %s (got %s: %s)", c->id, httpref_code_name(c->rc),
               httpref_code_name(rc), detail);
        } else {
            size_t n = strlen(c->head);
            good = rc == HTTPREF_OK && out.p && out.len == n && !memcmp(out.p, c->head, n);
            if (c->check_ccl)
                good = good && ccl == c->ccl;
            if (c->todo) {
                todo(good, c->id, c->todo);
            } else {
                ok(good, "%s (%s%s)", c->id, httpref_code_name(rc), rc ? detail : "");
                if (!good) {
                    show("want", c->head, n);
                    show("got ", out.p ? out.p : "", out.len);
                }
            }
        }
        hx_buf_free(&out);
        url_free(&t);
        if (have_proxy)
            url_free(&p);
    }
}

/* RFC 4648 §10 test vectors: the Basic credentials rest on this */
static void test_base64(void)
{
    static const char *const v[][2] = {{"", ""},
                                       {"f", "Zg=="},
                                       {"fo", "Zm8="},
                                       {"foo", "Zm9v"},
                                       {"foob", "Zm9vYg=="},
                                       {"fooba", "Zm9vYmE="},
                                       {"foobar", "Zm9vYmFy"}};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char *e = hx_base64_encode(v[i][0], strlen(v[i][0]));
        ok(e && !strcmp(e, v[i][1]), "base64(\"%s\") = \"%s\" (got %s)", v[i][0], v[i][1], e ? e : "NULL");
        free(e);
    }
    char *e = hx_base64_encode("\xff\x00\xfe", 3);
    ok(e && !strcmp(e, "/wD+"), "base64 of bytes with NUL and high bit (got %s)", e ? e : "NULL");
    free(e);
}

/* req_validate on its own: what the client checks before connecting */
static void test_validate(void)
{
    char d[256];
    httpref_field ok_fields[] = {F("Accept", "*/*"), F("X-A", NULL), F("Host", "h")};
    ok(req_validate("GET", ok_fields, 3, d, sizeof d) == HTTPREF_OK, "three good fields, one a removal");
    ok(req_validate("GET", NULL, 0, d, sizeof d) == HTTPREF_OK, "no fields at all");
    httpref_field later[] = {F("Host", "h"), F("X", "1"), F("X-Bad", "\n")};
    ok(req_validate("GET", later, 3, d, sizeof d) == HTTPREF_E_BAD_FIELD_VALUE && strstr(d, "X-Bad"),
       "the detail names the offending field (%s)", d);
    /* the reason is shown to people and logs: it should not carry the caller's raw CR LF */
    httpref_field crlf[] = {F("X\r\nSet-Cookie: a", "v")};
    req_validate("GET", crlf, 1, d, sizeof d);
    ok(!clean(d), "a refusal's detail holds no raw control bytes (%s)", d);
    /* every CTL but HTAB is refused; every other byte accepted */
    int ctl_ok = 1;
    for (int c = 1; c < 256; c++) {
        char v[4] = {'a', (char)c, 'b', 0};
        httpref_field f = {"X", 0, v, 3};
        httpref_code want = ((c < 0x20 && c != '\t') || c == 0x7f) ? HTTPREF_E_BAD_FIELD_VALUE : HTTPREF_OK;
        if (req_validate("GET", &f, 1, d, sizeof d) != want) {
            ctl_ok = 0;
            note("byte 0x%02x misjudged", c);
        }
    }
    ok(ctl_ok, "value bytes 0x01..0xff: only CTLs other than HTAB refused");
    int tchar_ok = 1;
    for (int c = 1; c < 256; c++) {
        char n[2] = {(char)c, 0};
        httpref_field f = {n, 0, "v", 0};
        int is_t = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                   (c < 128 && strchr("!#$%&'*+-.^_`|~", c));
        if ((req_validate("GET", &f, 1, d, sizeof d) == HTTPREF_OK) != is_t) {
            tchar_ok = 0;
            note("name byte 0x%02x misjudged", c);
        }
    }
    ok(tchar_ok, "name bytes 0x01..0xff: exactly the tchar set accepted");
}

int main(void)
{
    subtest("head", test_table);
    subtest("base64", test_base64);
    subtest("validate", test_validate);
    return done_testing();
}
