/*
 * test_options: the API surface around a request. httpref_setopt for every
 * option (bounds, bad values, when it may be changed), the other setters,
 * NULL handles, and the code -> text / name / class tables against
 * client/docs/EXIT-CODES.md, including values outside the enums.
 */
#include "httpref.h"
#include "tap.h"

#include <string.h>

/* a transport that connects (or not, as ctx says), takes every byte and answers with EOF */
static httpref_code noop_connect(void *ctx, const char *host, const char *port, int timeout_ms)
{
    (void)host, (void)port, (void)timeout_ms;
    return ctx ? *(const httpref_code *)ctx : HTTPREF_OK; /* ctx: what connect says */
}

static httpref_code noop_send(void *ctx, const char *buf, size_t len, int timeout_ms)
{
    (void)ctx, (void)buf, (void)len, (void)timeout_ms;
    return HTTPREF_OK;
}

static httpref_code noop_recv(void *ctx, char *buf, size_t cap, size_t *got, int timeout_ms)
{
    (void)ctx, (void)buf, (void)cap, (void)timeout_ms;
    *got = 0;
    return HTTPREF_OK;
}

static void noop_close(void *ctx)
{
    (void)ctx;
}

/* ---- httpref_setopt: one row per (option, value) ---- */

typedef struct optcase {
    const char *why;
    httpref_option opt;
    long value;
    httpref_code want;
} optcase;

#define BAD HTTPREF_E_BAD_OPTION
#define GOOD HTTPREF_OK

static const optcase opts[] = {
    {"timeout must be positive", HTTPREF_OPT_TIMEOUT_MS, 0, BAD},
    {"timeout negative", HTTPREF_OPT_TIMEOUT_MS, -5, BAD},
    {"timeout 1 ms", HTTPREF_OPT_TIMEOUT_MS, 1, GOOD},
    {"connect timeout set", HTTPREF_OPT_CONNECT_TIMEOUT_MS, 500, GOOD},
    {"connect timeout 0 restores the default", HTTPREF_OPT_CONNECT_TIMEOUT_MS, 0, GOOD},
    {"connect timeout negative also restores the default", HTTPREF_OPT_CONNECT_TIMEOUT_MS, -1, GOOD},
    {"deadline 0 = none", HTTPREF_OPT_DEADLINE_MS, 0, GOOD},
    {"deadline set", HTTPREF_OPT_DEADLINE_MS, 1000, GOOD},
    {"deadline negative", HTTPREF_OPT_DEADLINE_MS, -1, BAD},
    {"header deadline 0 = none", HTTPREF_OPT_HEADER_DEADLINE_MS, 0, GOOD},
    {"header deadline negative", HTTPREF_OPT_HEADER_DEADLINE_MS, -1, BAD},
    /* the six size limits share one rule: 1 .. 2^24 */
    {"status line limit 1", HTTPREF_OPT_MAX_STATUS_LINE, 1, GOOD},
    {"status line limit 0", HTTPREF_OPT_MAX_STATUS_LINE, 0, BAD},
    {"field line limit 2^24", HTTPREF_OPT_MAX_FIELD_LINE, 1L << 24, GOOD},
    {"field line limit 2^24 + 1", HTTPREF_OPT_MAX_FIELD_LINE, (1L << 24) + 1, BAD},
    {"header bytes limit set", HTTPREF_OPT_MAX_HEADER_BYTES, 4096, GOOD},
    {"header bytes limit negative", HTTPREF_OPT_MAX_HEADER_BYTES, -1, BAD},
    {"fields limit set", HTTPREF_OPT_MAX_FIELDS, 200, GOOD},
    {"fields limit 0", HTTPREF_OPT_MAX_FIELDS, 0, BAD},
    {"interim limit set", HTTPREF_OPT_MAX_INTERIM, 2, GOOD},
    {"interim limit too large", HTTPREF_OPT_MAX_INTERIM, 1L << 30, BAD},
    {"chunk extension limit set", HTTPREF_OPT_MAX_CHUNK_EXT, 16, GOOD},
    {"chunk extension limit 0", HTTPREF_OPT_MAX_CHUNK_EXT, 0, BAD},
    {"body limit 0 = unlimited", HTTPREF_OPT_MAX_BODY, 0, GOOD},
    {"body limit negative", HTTPREF_OPT_MAX_BODY, -1, BAD},
    /* flags: any value, non-zero is on */
    {"keepalive on", HTTPREF_OPT_KEEPALIVE, 7, GOOD},
    {"auth retry on", HTTPREF_OPT_AUTH_RETRY, 1, GOOD},
    {"redirect unsafe on", HTTPREF_OPT_REDIRECT_UNSAFE, 1, GOOD},
    {"redirect unsafe off", HTTPREF_OPT_REDIRECT_UNSAFE, 0, GOOD},
    {"redirect last on", HTTPREF_OPT_REDIRECT_LAST, 1, GOOD},
    {"redirect last off", HTTPREF_OPT_REDIRECT_LAST, 0, GOOD},
    {"insecure on", HTTPREF_OPT_INSECURE, 1, GOOD},
    {"insecure off", HTTPREF_OPT_INSECURE, 0, GOOD},
    {"redirect downgrade on", HTTPREF_OPT_REDIRECT_DOWNGRADE, 1, GOOD},
    {"http/1.0 on", HTTPREF_OPT_HTTP10, 1, GOOD},
    /* leniency: a mask of the nine defined bits */
    {"lenient: every defined bit", HTTPREF_OPT_LENIENT, (1L << 9) - 1, GOOD},
    {"lenient: an undefined bit", HTTPREF_OPT_LENIENT, 1L << 9, BAD},
    {"lenient: negative", HTTPREF_OPT_LENIENT, -1, BAD},
    {"unknown option 0", (httpref_option)0, 1, BAD},
    {"recv spin off", HTTPREF_OPT_RECV_SPIN, 0, GOOD},
    {"recv spin 100", HTTPREF_OPT_RECV_SPIN, 100, GOOD},
    {"recv spin at its maximum", HTTPREF_OPT_RECV_SPIN, 100000, GOOD},
    {"recv spin past its maximum", HTTPREF_OPT_RECV_SPIN, 100001, BAD},
    {"recv spin negative", HTTPREF_OPT_RECV_SPIN, -1, BAD},
    {"unknown option past the last", (httpref_option)(HTTPREF_OPT_HTTP10 + 1), 1, BAD},
};

static void test_setopt(void)
{
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
        httpref *h = httpref_new();
        httpref_code rc = httpref_setopt(h, opts[i].opt, opts[i].value);
        ok(rc == opts[i].want, "%s: option %d = %ld -> %s (got %s)", opts[i].why, (int)opts[i].opt,
           opts[i].value, httpref_code_name(opts[i].want), httpref_code_name(rc));
        httpref_free(h);
    }

    /* the receive buffer is sized from the limits at the first perform: after it they are fixed */
    static const httpref_option limits[] = {HTTPREF_OPT_MAX_STATUS_LINE,  HTTPREF_OPT_MAX_FIELD_LINE,
                                            HTTPREF_OPT_MAX_HEADER_BYTES, HTTPREF_OPT_MAX_FIELDS,
                                            HTTPREF_OPT_MAX_INTERIM,      HTTPREF_OPT_MAX_CHUNK_EXT};
    httpref *h = httpref_new();
    httpref_transport t = {NULL, noop_connect, noop_send, noop_recv, noop_close, NULL};
    httpref_set_transport(h, &t);
    httpref_request q = {.url = "http://example.invalid/", .redirect = -1, .max_redirects = -1};
    httpref_response r;
    ok(httpref_perform(h, &q, &r) == HTTPREF_E_EMPTY_REPLY, "a first perform (an empty reply)");
    int all_fixed = 1;
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++)
        if (httpref_setopt(h, limits[i], 100) != BAD)
            all_fixed = 0;
    ok(all_fixed, "size limits refused after the first perform");
    ok(httpref_setopt(h, HTTPREF_OPT_MAX_BODY, 10) == GOOD &&
           httpref_setopt(h, HTTPREF_OPT_TIMEOUT_MS, 10) == GOOD,
       "the body limit and timeouts may still change");
    httpref_free(h);
}

/* ---- the other setters and NULL handles ---- */

static void test_setters(void)
{
    httpref *h = httpref_new();
    ok(httpref_set_user_agent(h, "agent/2 (test)") == HTTPREF_OK, "a plain User-Agent accepted");
    ok(httpref_set_user_agent(h, "soh\x01") == HTTPREF_E_BAD_FIELD_VALUE, "a User-Agent with a CTL refused");
    ok(httpref_set_user_agent(h, "del\x7f") == HTTPREF_E_BAD_FIELD_VALUE, "a User-Agent with DEL refused");
    ok(httpref_set_user_agent(h, "tab\there") == HTTPREF_OK, "HTAB inside a User-Agent accepted");
    ok(httpref_set_user_agent(h, "") == HTTPREF_OK, "an empty User-Agent accepted");
    ok(httpref_set_user_agent(h, NULL) == HTTPREF_OK, "NULL: no User-Agent at all");

    static httpref_code refused = HTTPREF_E_CONNECT;
    httpref_transport t = {&refused, noop_connect, noop_send, noop_recv, noop_close, NULL};
    ok(httpref_set_transport(h, &t) == HTTPREF_OK, "a transport without strerror accepted (it is optional)");
    httpref_transport no_close = t;
    no_close.close = NULL;
    httpref_transport no_connect = t;
    no_connect.connect = NULL;
    httpref_transport no_recv = t;
    no_recv.recv = NULL;
    ok(httpref_set_transport(h, &no_close) == BAD && httpref_set_transport(h, &no_connect) == BAD &&
           httpref_set_transport(h, &no_recv) == BAD,
       "a transport missing close, connect or recv refused");
    httpref_request q = {.url = "http://127.0.0.1:9/", .redirect = -1, .max_redirects = -1};
    httpref_response r;
    ok(httpref_perform(h, &q, &r) == HTTPREF_E_CONNECT &&
           !strcmp(httpref_last_error_reason(h), httpref_strerror(HTTPREF_E_CONNECT)),
       "the custom transport is used; without its strerror the reason is the code's text (%s)",
       httpref_last_error_reason(h));
    ok(httpref_set_transport(h, NULL) == HTTPREF_OK, "NULL restores the default TCP transport");
    httpref_close(h);
    httpref_close(h);
    ok(1, "httpref_close twice on an idle handle is harmless");
    httpref_free(h);

    httpref_free(NULL);
    httpref_close(NULL);
    ok(httpref_setopt(NULL, HTTPREF_OPT_TIMEOUT_MS, 1) == BAD, "setopt on NULL refused");
    ok(!strcmp(httpref_last_error_reason(NULL), "") && httpref_last_error_offset(NULL) == -1,
       "NULL handle: empty reason, offset -1");
    h = httpref_new();
    ok(!strcmp(httpref_last_error_reason(h), "") && httpref_last_error_offset(h) == -1,
       "a fresh handle: no reason, offset -1");
    httpref_request noq = {.url = NULL};
    ok(httpref_perform(NULL, &q, &r) == BAD && httpref_perform(h, NULL, &r) == BAD &&
           httpref_perform(h, &noq, &r) == BAD && httpref_perform(h, &q, NULL) == BAD,
       "perform with a NULL handle, request, URL or response refused");
    httpref_free(h);
}

/* ---- codes: text, name and class, as client/docs/EXIT-CODES.md lists them ---- */

static const struct {
    const char *name, *cls;
} codes[] = {
    {"OK", "none"},
    {"URL", "invalid_request"},
    {"URL_SCHEME", "unsupported"},
    {"URL_HOST", "invalid_request"},
    {"URL_PORT", "invalid_request"},
    {"BAD_METHOD", "invalid_request"},
    {"BAD_FIELD_NAME", "invalid_request"},
    {"BAD_FIELD_VALUE", "invalid_request"},
    {"BAD_CREDENTIALS", "invalid_request"},
    {"DUPLICATE_FIELD", "invalid_request"},
    {"BODY_NOT_ALLOWED", "invalid_request"},
    {"BAD_OPTION", "invalid_request"},
    {"DNS", "dns"},
    {"CONNECT", "connect"},
    {"CONNECT_TIMEOUT", "timeout"},
    {"TIMEOUT", "timeout"},
    {"DEADLINE", "timeout"},
    {"SEND", "closed"},
    {"RECV", "closed"},
    {"EMPTY_REPLY", "closed"},
    {"INCOMPLETE", "closed"},
    {"BAD_STATUS_LINE", "protocol"},
    {"BAD_VERSION", "protocol"},
    {"BAD_STATUS_CODE", "protocol"},
    {"BAD_REASON", "protocol"},
    {"BAD_FIELD_LINE", "protocol"},
    {"BAD_RESPONSE_FIELD_NAME", "protocol"},
    {"BAD_RESPONSE_FIELD_VALUE", "protocol"},
    {"BARE_CR", "protocol"},
    {"BARE_LF", "protocol"},
    {"OBS_FOLD", "protocol"},
    {"BAD_CONTENT_LENGTH", "protocol"},
    {"CONFLICTING_CONTENT_LENGTH", "protocol"},
    {"TE_AND_CL", "protocol"},
    {"BAD_TRANSFER_ENCODING", "protocol"},
    {"UNSUPPORTED_TRANSFER_CODING", "protocol"},
    {"BAD_CHUNK_SIZE", "protocol"},
    {"BAD_CHUNK_EXT", "protocol"},
    {"BAD_CHUNK_DATA_END", "protocol"},
    {"BAD_TRAILER", "protocol"},
    {"UNEXPECTED_101", "protocol"},
    {"NOT_HTTP", "protocol"},
    {"TOO_MANY_INTERIM", "limit"},
    {"STATUS_LINE_TOO_LONG", "limit"},
    {"FIELD_TOO_LONG", "limit"},
    {"HEADER_TOO_LARGE", "limit"},
    {"TOO_MANY_FIELDS", "limit"},
    {"BODY_TOO_LARGE", "limit"},
    {"CHUNK_EXT_TOO_LONG", "limit"},
    {"TOO_MANY_REDIRECTS", "too_many_redirects"},
    {"REDIRECT_LOOP", "too_many_redirects"},
    {"REDIRECT_REFUSED", "redirect_refused"},
    {"BAD_LOCATION", "protocol"},
    {"SINK", "other"},
    {"SOURCE", "other"},
    {"NOMEM", "other"},
    {"INTERNAL", "other"},
    {"TRANSPORT", "other"},
    {"PROXY", "invalid_request"},
    {"TLS_HANDSHAKE", "tls"},
    {"TLS_VERIFY", "tls"},
    {"TLS_TRUNCATED", "closed"},
    {"TLS_SETUP", "invalid_request"},
};

static void test_codes(void)
{
    ok(sizeof codes / sizeof codes[0] == HTTPREF_E_LAST + 1, "the table covers 0..HTTPREF_E_LAST");
    for (int c = 0; c <= HTTPREF_E_LAST; c++) {
        httpref_code code = (httpref_code)c;
        const char *text = httpref_strerror(code), *name = httpref_code_name(code);
        const char *cls = httpref_class_name(httpref_code_class(code));
        int distinct = 1;
        for (int k = 0; k < c; k++)
            if (!strcmp(httpref_strerror((httpref_code)k), text) ||
                !strcmp(httpref_code_name((httpref_code)k), name))
                distinct = 0;
        ok(!strcmp(name, codes[c].name) && !strcmp(cls, codes[c].cls) && *text &&
               strcmp(text, "unknown error code") && distinct,
           "%d is %s, class %s, own text \"%s\" (got %s, %s)", c, codes[c].name, codes[c].cls, text, name,
           cls);
    }
    /* a number no release assigned (a newer library, a corrupted value): still a string, class other */
    static const int unknown[] = {HTTPREF_E_LAST + 1, -1, 1000};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        httpref_code code = (httpref_code)unknown[i];
        ok(!strcmp(httpref_strerror(code), "unknown error code") &&
               !strcmp(httpref_code_name(code), "UNKNOWN") && httpref_code_class(code) == HTTPREF_CLASS_OTHER,
           "unassigned %d: \"unknown error code\", UNKNOWN, class other", unknown[i]);
    }
    ok(!strcmp(httpref_class_name((httpref_class)(HTTPREF_CLASS_OTHER + 1)), "other") &&
           !strcmp(httpref_class_name((httpref_class)-1), "other"),
       "a class number out of range is named \"other\"");
    int classes_distinct = 1;
    for (int a = HTTPREF_CLASS_NONE; a <= HTTPREF_CLASS_OTHER; a++)
        for (int b = HTTPREF_CLASS_NONE; b < a; b++)
            if (!strcmp(httpref_class_name((httpref_class)a), httpref_class_name((httpref_class)b)))
                classes_distinct = 0;
    ok(classes_distinct, "every class has its own name");
}

int main(void)
{
    subtest("setopt", test_setopt);
    subtest("setters", test_setters);
    subtest("codes", test_codes);
    return done_testing();
}
