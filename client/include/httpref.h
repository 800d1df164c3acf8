/*
 * httpref: a strict reference HTTP/1.1 client.
 *
 * One request call mirrors LuaSocket's generic form (socket.http):
 * url, method, headers, body source, body sink, redirect, proxy, create.
 * Strict by default (RFC 9110 / 9112); every relaxation is a named flag.
 * Every failure is one numbered httpref_code; numbers are never reused.
 */
#ifndef HTTPREF_H
#define HTTPREF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HTTPREF_VERSION "0.1.0"
#define HTTPREF_VERSION_NUM 0x000100

/* Only what this header declares is exported from libhttpref.so; the library
 * builds with -fvisibility=hidden, so its internals stay inside. */
#if defined(__GNUC__) || defined(__clang__)
#define HTTPREF_API __attribute__((visibility("default")))
#else
#define HTTPREF_API
#endif

/* Every error code, defined once (llhttp's HTTP_ERRNO_MAP):
 *   X(number, NAME, CLASS, "text")
 * generates the enum (HTTPREF_E_NAME = number), httpref_strerror (text),
 * httpref_code_name ("NAME"), httpref_code_class (HTTPREF_CLASS_CLASS), the
 * CLI's --exit-codes (and so client/docs/EXIT-CODES.md and the man page) and
 * the Lua binding's `errors` table. The CLI exit status is the number. Never
 * renumber; retire a row as OBSOLETEnn. HTTPREF_OK (0, "success") is not a row. */
#define HTTPREF_CODE_MAP(X)                                                                                   \
    /* the caller's request, refused before anything is sent */                                               \
    X(1, URL, INVALID_REQUEST, "malformed URL")                                                               \
    X(2, URL_SCHEME, UNSUPPORTED, "scheme not http or https (or https in a build without TLS)")               \
    X(3, URL_HOST, INVALID_REQUEST, "empty or invalid host")                                                  \
    X(4, URL_PORT, INVALID_REQUEST, "invalid port")                                                           \
    X(5, BAD_METHOD, INVALID_REQUEST, "method is not a token")                                                \
    X(6, BAD_FIELD_NAME, INVALID_REQUEST, "request field name is not a token")                                \
    X(7, BAD_FIELD_VALUE, INVALID_REQUEST, "CR, LF, NUL or CTL in a request field value")                     \
    X(8, BAD_CREDENTIALS, INVALID_REQUEST, "user-id with ':' or CTL in credentials")                          \
    X(9, DUPLICATE_FIELD, INVALID_REQUEST, "singleton request field given twice")                             \
    X(10, BODY_NOT_ALLOWED, INVALID_REQUEST, "body given for GET/HEAD (or TRACE)")                            \
    X(11, BAD_OPTION, INVALID_REQUEST, "invalid option value or API misuse")                                  \
    /* name resolution and connection */                                                                      \
    X(12, DNS, DNS, "host not found")                                                                         \
    X(13, CONNECT, CONNECT, "connection refused / unreachable")                                               \
    X(14, CONNECT_TIMEOUT, TIMEOUT, "connect did not finish in time")                                         \
    X(15, TIMEOUT, TIMEOUT, "no progress within the per-operation timeout")                                   \
    X(16, DEADLINE, TIMEOUT, "total deadline exceeded")                                                       \
    X(17, SEND, CLOSED, "peer closed or reset while sending")                                                 \
    X(18, RECV, CLOSED, "connection reset while receiving")                                                   \
    X(19, EMPTY_REPLY, CLOSED, "peer closed before sending any byte")                                         \
    X(20, INCOMPLETE, CLOSED, "peer closed before the message ended")                                         \
    /* malformed or ambiguous response */                                                                     \
    X(21, BAD_STATUS_LINE, PROTOCOL, "status line syntax")                                                    \
    X(22, BAD_VERSION, PROTOCOL, "HTTP-version not HTTP/1.x")                                                 \
    X(23, BAD_STATUS_CODE, PROTOCOL, "status code not 3 digits in 100..999")                                  \
    X(24, BAD_REASON, PROTOCOL, "control character in reason phrase")                                         \
    X(25, BAD_FIELD_LINE, PROTOCOL, "field line without colon, space before colon, leading space")            \
    X(26, BAD_RESPONSE_FIELD_NAME, PROTOCOL, "response field name is not a token")                            \
    X(27, BAD_RESPONSE_FIELD_VALUE, PROTOCOL, "NUL or CTL in a response field value")                         \
    X(28, BARE_CR, PROTOCOL, "CR not followed by LF")                                                         \
    X(29, BARE_LF, PROTOCOL, "LF without CR (strict mode)")                                                   \
    X(30, OBS_FOLD, PROTOCOL, "obs-fold where it is not allowed")                                             \
    X(31, BAD_CONTENT_LENGTH, PROTOCOL, "Content-Length not 1*DIGIT or too large")                            \
    X(32, CONFLICTING_CONTENT_LENGTH, PROTOCOL, "Content-Length values differ")                               \
    X(33, TE_AND_CL, PROTOCOL, "both Transfer-Encoding and Content-Length")                                   \
    X(34, BAD_TRANSFER_ENCODING, PROTOCOL, "malformed, repeated or misplaced chunked")                        \
    X(35, UNSUPPORTED_TRANSFER_CODING, PROTOCOL, "transfer coding other than chunked")                        \
    X(36, BAD_CHUNK_SIZE, PROTOCOL, "chunk-size not 1..16 HEXDIG")                                            \
    X(37, BAD_CHUNK_EXT, PROTOCOL, "chunk extension syntax")                                                  \
    X(38, BAD_CHUNK_DATA_END, PROTOCOL, "chunk-data not followed by CRLF")                                    \
    X(39, BAD_TRAILER, PROTOCOL, "trailer section syntax")                                                    \
    X(40, UNEXPECTED_101, PROTOCOL, "101 Switching Protocols nobody asked for")                               \
    X(41, NOT_HTTP, PROTOCOL, "reply does not start with \"HTTP/\" (0.9, TLS, SSH...)")                       \
    /* a size limit hit */                                                                                    \
    X(42, TOO_MANY_INTERIM, LIMIT, "more 1xx responses than allowed")                                         \
    X(43, STATUS_LINE_TOO_LONG, LIMIT, "status line over the limit")                                          \
    X(44, FIELD_TOO_LONG, LIMIT, "one field line over the limit")                                             \
    X(45, HEADER_TOO_LARGE, LIMIT, "header section over the limit")                                           \
    X(46, TOO_MANY_FIELDS, LIMIT, "more field lines than allowed")                                            \
    X(47, BODY_TOO_LARGE, LIMIT, "body over the configured maximum")                                          \
    X(48, CHUNK_EXT_TOO_LONG, LIMIT, "chunk extensions over the limit")                                       \
    /* redirects */                                                                                           \
    X(49, TOO_MANY_REDIRECTS, TOO_MANY_REDIRECTS, "redirect hop limit")                                       \
    X(50, REDIRECT_LOOP, TOO_MANY_REDIRECTS, "redirect cycle detected")                                       \
    X(51, REDIRECT_REFUSED, REDIRECT_REFUSED, "redirect to a forbidden scheme, a downgrade or with userinfo") \
    X(52, BAD_LOCATION, PROTOCOL, "Location unparsable or repeated with other values")                        \
    /* everything else */                                                                                     \
    X(53, SINK, OTHER, "the body sink aborted")                                                               \
    X(54, SOURCE, OTHER, "the body source failed or gave a wrong length")                                     \
    X(55, NOMEM, OTHER, "out of memory")                                                                      \
    X(56, INTERNAL, OTHER, "internal error (a bug)")                                                          \
    X(57, TRANSPORT, OTHER, "a custom transport failed")                                                      \
    X(58, PROXY, INVALID_REQUEST, "proxy URL invalid")                                                        \
    /* TLS (https) */                                                                                         \
    X(59, TLS_HANDSHAKE, TLS, "TLS handshake failed (no common protocol, an alert, the peer closed)")         \
    X(60, TLS_VERIFY, TLS, "server certificate not trusted, or not issued for the host")                      \
    X(61, TLS_TRUNCATED, CLOSED, "TLS connection ended without close_notify (possible truncation)")           \
    X(62, TLS_SETUP, INVALID_REQUEST, "TLS setup failed (CA file or directory unreadable)")                   \
    /* end of HTTPREF_CODE_MAP */

/* The shared error classes of the conformance contract (DESIGN.md): X(CLASS, "name"). */
#define HTTPREF_CLASS_MAP(X)                                                                                  \
    X(NONE, "none")                                                                                           \
    X(DNS, "dns")                                                                                             \
    X(CONNECT, "connect")                                                                                     \
    X(TIMEOUT, "timeout")                                                                                     \
    X(CLOSED, "closed")                                                                                       \
    X(PROTOCOL, "protocol")                                                                                   \
    X(TOO_MANY_REDIRECTS, "too_many_redirects")                                                               \
    X(REDIRECT_REFUSED, "redirect_refused")                                                                   \
    X(INVALID_REQUEST, "invalid_request")                                                                     \
    X(LIMIT, "limit")                                                                                         \
    X(TLS, "tls")                                                                                             \
    X(UNSUPPORTED, "unsupported")                                                                             \
    X(OTHER, "other")
    /* end of HTTPREF_CLASS_MAP */

#define HTTPREF_CODE_ENUM_(num, name, cls, text) HTTPREF_E_##name = num,
typedef enum httpref_code {
    HTTPREF_OK = 0,
    HTTPREF_CODE_MAP(HTTPREF_CODE_ENUM_)
    HTTPREF_E_LAST = 62 /* highest assigned value */
} httpref_code;
#undef HTTPREF_CODE_ENUM_

#define HTTPREF_CLASS_ENUM_(cls, name) HTTPREF_CLASS_##cls,
typedef enum httpref_class { HTTPREF_CLASS_MAP(HTTPREF_CLASS_ENUM_) } httpref_class;
#undef HTTPREF_CLASS_ENUM_

/* "invalid chunk size" style text for a code; never NULL. */
HTTPREF_API const char *httpref_strerror(httpref_code code);
/* "BAD_CHUNK_SIZE" style stable machine name (enum name without HTTPREF_E_); "OK" for 0. */
HTTPREF_API const char *httpref_code_name(httpref_code code);
HTTPREF_API httpref_class httpref_code_class(httpref_code code);
/* "protocol", "dns", ... ; "none" for HTTPREF_CLASS_NONE. */
HTTPREF_API const char *httpref_class_name(httpref_class cls);

/* Leniencies, defined once (llhttp's lenient flags):
 *   X(bit, NAME, "cli-flag", relaxed code, "what it accepts", "the risk it opens")
 * Each relaxes one strict rule; all are off by default. Normally the rule
 * rejects the response with the relaxed code; with the flag the client
 * accepts it as described; enabling it can expose you to the risk given.
 * The table generates HTTPREF_LENIENT_NAME (1u << bit), HTTPREF_LENIENT_ALL
 * (what HTTPREF_OPT_LENIENT accepts), the CLI's --lenient-<flag> options and
 * their help, the Lua binding's bound and client/docs/leniency.md
 * (tools/gen-leniency). A row with an empty flag is reserved: accepted in the
 * mask, no CLI option. Bits are never reused. */
#define HTTPREF_LENIENT_MAP(X)                                                                                 \
    X(0, BARE_LF, "bare-lf", HTTPREF_E_BARE_LF,                                                                \
      "accept LF without CR in the head",                                                                      \
      "RFC 9112 §2.2 MAY: an intermediary that splits lines only at CRLF reads other fields than the client "  \
      "(response splitting, header smuggling)")                                                                \
    X(1, SPACES_IN_STATUS, "spaces-in-status", HTTPREF_E_BAD_STATUS_LINE,                                      \
      "accept runs of SP/HTAB in the status line",                                                             \
      "RFC 9112 §4 MAY: parsers that split the line differently disagree on the status code or the version")   \
    X(2, HEADER_VALUE_CTL, "header-value-ctl", HTTPREF_E_BAD_RESPONSE_FIELD_VALUE,                             \
      "accept control characters (not NUL/CR/LF) in field values",                                             \
      "RFC 9110 §5.5: the control bytes reach the application, its logs and any header it forwards (terminal " \
      "escapes, log forging)")                                                                                 \
    X(3, CHUNKED_LENGTH, "chunked-length", HTTPREF_E_TE_AND_CL,                                                \
      "with both Transfer-Encoding and Content-Length, use chunked and close",                                 \
      "RFC 9112 §6.3 rule 3: the smuggling ambiguity itself; a peer that trusts Content-Length frames "        \
      "another message")                                                                                       \
    X(4, SPACES_AFTER_CHUNK_SIZE, "spaces-after-chunk-size", HTTPREF_E_BAD_CHUNK_SIZE,                         \
      "accept whitespace after a chunk size",                                                                  \
      "RFC 9112 §7.1: chunk sizes other parsers read differently or reject (body smuggling on a shared "       \
      "connection)")                                                                                           \
    X(5, HTTP09, "http09", HTTPREF_E_NOT_HTTP,                                                                 \
      "take a reply without status line as HTTP/0.9",                                                          \
      "RFC 2616 §19.6: any bytes become a 200 body until close (an error page, a TLS alert, another "          \
      "protocol's banner)")                                                                                    \
    X(6, DUPLICATE_CL, "", HTTPREF_OK,                                                                         \
      "reserved: identical Content-Length copies are always merged",                                           \
      "none: RFC 9112 §6.3 rule 5 allows the merge and it is always on")                                       \
    X(7, OBS_FOLD_FRAMING, "obs-fold-framing", HTTPREF_E_OBS_FOLD,                                             \
      "accept obs-fold in Content-Length / Transfer-Encoding",                                                 \
      "RFC 9112 §5.2: framing fields that other parsers unfold differently or not at all, so they frame "      \
      "another body")                                                                                          \
    X(8, VERSION, "version", HTTPREF_E_BAD_VERSION,                                                            \
      "accept HTTP/2+ and 0.x status lines as 1.1",                                                            \
      "RFC 9112 §2.3: a reply in another protocol's wire format parsed as HTTP/1.1, its framing guessed")
    /* end of HTTPREF_LENIENT_MAP */

#define HTTPREF_LENIENT_ENUM_(bit, name, flag, relaxes, accepts, risk) HTTPREF_LENIENT_##name = 1u << bit,
#define HTTPREF_LENIENT_ALL_(bit, name, flag, relaxes, accepts, risk) | (1u << bit)
enum {
    HTTPREF_LENIENT_MAP(HTTPREF_LENIENT_ENUM_)
    HTTPREF_LENIENT_ALL = 0u HTTPREF_LENIENT_MAP(HTTPREF_LENIENT_ALL_) /* every defined bit */
};
#undef HTTPREF_LENIENT_ENUM_
#undef HTTPREF_LENIENT_ALL_

/* A field line: pointer + length, not NUL-terminated unless stated. */
typedef struct httpref_field {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
} httpref_field;

/* Body source: write up to cap bytes into buf. Return the count, 0 at the end,
 * or -1 on error (the request fails with HTTPREF_E_SOURCE). */
typedef long (*httpref_source_fn)(void *ud, char *buf, size_t cap);
/* Body sink: receives body bytes in order; len == 0 with data == NULL marks the
 * end. Piece boundaries mean nothing: small chunks are gathered and handed
 * over together before the client waits for more bytes. Return 0 to go on,
 * non-zero to abort with HTTPREF_E_SINK. */
typedef int (*httpref_sink_fn)(void *ud, const char *data, size_t len);

/* Transport vtable (LuaSocket t_io style). The default is TCP with
 * getaddrinfo, non-blocking connect and poll timeouts. A custom transport
 * (the Lua binding's `create`) fills these; timeouts are its own business.
 * All return an httpref_code; recv sets *got (0 = orderly EOF). */
typedef struct httpref_transport {
    void *ctx;
    httpref_code (*connect)(void *ctx, const char *host, const char *port, int timeout_ms);
    httpref_code (*send)(void *ctx, const char *buf, size_t len, int timeout_ms);
    httpref_code (*recv)(void *ctx, char *buf, size_t cap, size_t *got, int timeout_ms);
    void (*close)(void *ctx);
    /* optional: text for the last failure, or NULL */
    const char *(*strerror)(void *ctx);
} httpref_transport;

/* Optional trace hook: called with each request head sent (dir '>'; body
 * bytes are not traced) and each response head received (dir '<'), for -v
 * and the adapter. */
typedef void (*httpref_trace_fn)(void *ud, char dir, const char *data, size_t len);

typedef struct httpref_request {
    const char *url;                 /* required; http, or https when httpref_tls_available() */
    const char *method;              /* NULL = GET */
    const httpref_field *headers;    /* caller fields, override defaults case-insensitively */
    size_t nheaders;
    const char *body;                /* in-memory body (may contain NUL), or NULL */
    size_t body_len;
    httpref_source_fn source;        /* streamed body when body == NULL */
    void *source_ud;
    int64_t source_length;           /* -1: unknown -> chunked; otherwise Content-Length */
    httpref_sink_fn sink;            /* NULL = discard the body */
    void *sink_ud;
    int redirect;                    /* -1 default (follow for GET/HEAD), 0 never, 1 follow */
    int max_redirects;               /* -1 default (5, like LuaSocket) */
    const char *proxy;               /* NULL = none; "http://user:pass@host:port"; https URLs go
                                        through it in a CONNECT tunnel, credentials on the
                                        CONNECT only */
} httpref_request;

typedef struct httpref_response {
    int status;                      /* 100..999 */
    int version_major, version_minor;
    const char *reason;              /* NUL-terminated */
    const char *status_line;         /* NUL-terminated, without CRLF */
    const httpref_field *fields;     /* raw ordered list, names as received (NUL-terminated) */
    size_t nfields;
    const httpref_field *joined;     /* LuaSocket view: lowercase names, duplicates joined with ", " */
    size_t njoined;
    const httpref_field *trailers;   /* chunked trailer fields, names as received */
    size_t ntrailers;
    int64_t content_length;          /* -1 when not framed by Content-Length */
    uint64_t body_bytes;             /* body bytes given to the sink */
    int redirects;                   /* redirects followed */
    const char *effective_url;       /* URL of the final request */
    int reused_connection;           /* 1 if the final request went on a reused connection */
} httpref_response;

typedef struct httpref httpref;      /* a client: options, one keep-alive connection, last error */

HTTPREF_API httpref *httpref_new(void);
HTTPREF_API void httpref_free(httpref *h);

/* Options; each returns HTTPREF_E_BAD_OPTION for a bad value. */
typedef enum httpref_option {
    HTTPREF_OPT_TIMEOUT_MS = 1,           /* per-operation (connect/send/recv) timeout; default 60000
                                             like LuaSocket */
    HTTPREF_OPT_CONNECT_TIMEOUT_MS = 2,   /* default: the per-operation timeout */
    HTTPREF_OPT_DEADLINE_MS = 3,          /* total time for one httpref_perform incl. redirects;
                                             0 = none (default) */
    HTTPREF_OPT_HEADER_DEADLINE_MS = 4,   /* time to receive a whole head; default 30000 */
    HTTPREF_OPT_MAX_STATUS_LINE = 5,      /* default 8192 */
    HTTPREF_OPT_MAX_FIELD_LINE = 6,       /* default 16384 */
    HTTPREF_OPT_MAX_HEADER_BYTES = 7,     /* default 65536 */
    HTTPREF_OPT_MAX_FIELDS = 8,           /* default 100 */
    HTTPREF_OPT_MAX_INTERIM = 9,          /* default 16 */
    HTTPREF_OPT_MAX_CHUNK_EXT = 10,       /* default 4096 */
    HTTPREF_OPT_MAX_BODY = 11,            /* default 0 = unlimited (streamed) */
    HTTPREF_OPT_KEEPALIVE = 12,           /* 0 (default, LuaSocket): send "Connection: close, TE"; 1: reuse */
    HTTPREF_OPT_LENIENT = 13,             /* bitmask of HTTPREF_LENIENT_* */
    HTTPREF_OPT_AUTH_RETRY = 14,          /* 0 (default, LuaSocket): Basic credentials from the URL go
                                             with the first request; 1: hold them back until a 401
                                             offers Basic, then repeat the request once with them
                                             (not for a streamed body, not counted as a redirect) */
    HTTPREF_OPT_REDIRECT_UNSAFE = 15,     /* 1: also follow 307/308 for non-GET/HEAD with a
                                             replayable body; default 0 */
    HTTPREF_OPT_RECV_SPIN = 16,           /* while a response streams, how many times the TCP
                                             transport retries an empty non-blocking read before
                                             it sleeps in poll (about 0.5 us each): a sleep and
                                             wake-up per drained socket costs more than the copy.
                                             Default 100 with more than one CPU online, 0 with
                                             one; 0..100000 */
    HTTPREF_OPT_REDIRECT_LAST = 17,       /* 1: at the hop limit or on a detected loop, the 3xx
                                             itself is the response (its body to the sink), as
                                             LuaSocket returns it; default 0: the errors
                                             HTTPREF_E_TOO_MANY_REDIRECTS, HTTPREF_E_REDIRECT_LOOP */
    HTTPREF_OPT_INSECURE = 18,            /* 1: https without certificate or host name checks
                                             (curl -k). Normally an untrusted or misnamed
                                             certificate is HTTPREF_E_TLS_VERIFY; with this flag
                                             anyone on the path can read and change the exchange */
    HTTPREF_OPT_REDIRECT_DOWNGRADE = 19,  /* 1: follow a redirect from https to http (without
                                             credentials or cookies, as on any change of scheme,
                                             host or port). Normally refused with
                                             HTTPREF_E_REDIRECT_REFUSED: the rest of the exchange
                                             would travel in clear (RFC 9110 §17.16.1) */
    HTTPREF_OPT_HTTP10 = 20               /* 1: request lines say HTTP/1.0 and every request asks
                                             for the connection's close (curl's --http1.0; a body
                                             of unknown length is then HTTPREF_E_BAD_OPTION: a
                                             1.0 server knows no chunked); default 0 */
} httpref_option;

/* Set one option; HTTPREF_E_BAD_OPTION for an unknown option or a bad value. */
HTTPREF_API httpref_code httpref_setopt(httpref *h, httpref_option opt, long value);
/* Replace the User-Agent default ("httpref/0.1.0"); NULL = send none. Copied.
 * HTTPREF_E_BAD_FIELD_VALUE for CR, LF, NUL or another CTL (HTAB is allowed). */
HTTPREF_API httpref_code httpref_set_user_agent(httpref *h, const char *ua);
/* Use a custom transport (copied); NULL restores the default TCP transport. */
HTTPREF_API httpref_code httpref_set_transport(httpref *h, const httpref_transport *t);
HTTPREF_API void httpref_set_trace(httpref *h, httpref_trace_fn fn, void *ud);
/* The trust store for https: a PEM file of CA certificates and/or a hashed
 * directory (c_rehash), either NULL; both NULL = the system's default store.
 * Copied; an unreadable one fails the next https request with HTTPREF_E_TLS_SETUP. */
HTTPREF_API httpref_code httpref_set_ca(httpref *h, const char *ca_file, const char *ca_dir);
/* 1 when this libhttpref was built with TLS (https), else 0. */
HTTPREF_API int httpref_tls_available(void);

/* Perform one request (following redirects and one auth retry as configured).
 * On HTTPREF_OK *resp describes the final response; its memory belongs to h
 * and stays valid until the next call on h or httpref_free. */
HTTPREF_API httpref_code httpref_perform(httpref *h, const httpref_request *req, httpref_response *resp);

/* After a failure: what was wrong in words (NUL-terminated, never NULL) and
 * the byte offset in the response stream where it was found (-1 if none). */
HTTPREF_API const char *httpref_last_error_reason(const httpref *h);
HTTPREF_API int64_t httpref_last_error_offset(const httpref *h);
/* After a failure: the HTTPREF_LENIENT_* bit that would have accepted what was
 * refused, 0 when none would (or when the one that would is on already). */
HTTPREF_API unsigned httpref_last_error_lenient(const httpref *h);

/* The authority component of a URI reference (RFC 3986 §3.2, split as its
 * Appendix B): 1 with its offset and length in *start and *len when uri has
 * one ("//" after the scheme), else 0. For callers that rewrite a URL before
 * the request (the Lua binding adds its PORT default). */
HTTPREF_API int httpref_uri_authority(const char *uri, size_t *start, size_t *len);

/* Close the kept-alive connection, if any. */
HTTPREF_API void httpref_close(httpref *h);

#ifdef __cplusplus
}
#endif
#endif /* HTTPREF_H */
