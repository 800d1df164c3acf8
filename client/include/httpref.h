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

/* Error codes. The CLI exit status is this number. Never renumber; retire a
 * value as HTTPREF_E_OBSOLETEnn. Each maps to one class (httpref_code_class). */
typedef enum httpref_code {
    HTTPREF_OK = 0,                        /* 0  success */
    /* the caller's request, refused before anything is sent: invalid_request */
    HTTPREF_E_URL = 1,                     /* 1  malformed URL */
    HTTPREF_E_URL_SCHEME = 2,              /* 2  scheme other than http (unsupported) */
    HTTPREF_E_URL_HOST = 3,                /* 3  empty or invalid host */
    HTTPREF_E_URL_PORT = 4,                /* 4  invalid port */
    HTTPREF_E_BAD_METHOD = 5,              /* 5  method is not a token */
    HTTPREF_E_BAD_FIELD_NAME = 6,          /* 6  request field name is not a token */
    HTTPREF_E_BAD_FIELD_VALUE = 7,         /* 7  CR, LF, NUL or CTL in a request field value */
    HTTPREF_E_BAD_CREDENTIALS = 8,         /* 8  user-id with ':' or CTL in credentials */
    HTTPREF_E_DUPLICATE_FIELD = 9,         /* 9  singleton request field given twice */
    HTTPREF_E_BODY_NOT_ALLOWED = 10,       /* 10 body given for GET/HEAD (or TRACE) */
    HTTPREF_E_BAD_OPTION = 11,             /* 11 invalid option value or API misuse */
    /* name resolution and connection */
    HTTPREF_E_DNS = 12,                    /* 12 host not found (dns) */
    HTTPREF_E_CONNECT = 13,                /* 13 connection refused / unreachable (connect) */
    HTTPREF_E_CONNECT_TIMEOUT = 14,        /* 14 connect did not finish in time (timeout) */
    HTTPREF_E_TIMEOUT = 15,                /* 15 no progress within the per-operation timeout (timeout) */
    HTTPREF_E_DEADLINE = 16,               /* 16 total deadline exceeded (timeout) */
    HTTPREF_E_SEND = 17,                   /* 17 peer closed or reset while sending (closed) */
    HTTPREF_E_RECV = 18,                   /* 18 connection reset while receiving (closed) */
    HTTPREF_E_EMPTY_REPLY = 19,            /* 19 peer closed before sending any byte (closed) */
    HTTPREF_E_INCOMPLETE = 20,             /* 20 peer closed before the message ended (closed) */
    /* malformed or ambiguous response: protocol */
    HTTPREF_E_BAD_STATUS_LINE = 21,        /* 21 status line syntax */
    HTTPREF_E_BAD_VERSION = 22,            /* 22 HTTP-version not HTTP/1.x */
    HTTPREF_E_BAD_STATUS_CODE = 23,        /* 23 status code not 3 digits in 100..999 */
    HTTPREF_E_BAD_REASON = 24,             /* 24 control character in reason phrase */
    HTTPREF_E_BAD_FIELD_LINE = 25,         /* 25 field line without colon, space before colon, leading space */
    HTTPREF_E_BAD_RESPONSE_FIELD_NAME = 26,/* 26 response field name is not a token */
    HTTPREF_E_BAD_RESPONSE_FIELD_VALUE = 27,/* 27 NUL or CTL in a response field value */
    HTTPREF_E_BARE_CR = 28,                /* 28 CR not followed by LF */
    HTTPREF_E_BARE_LF = 29,                /* 29 LF without CR (strict mode) */
    HTTPREF_E_OBS_FOLD = 30,               /* 30 obs-fold where it is not allowed */
    HTTPREF_E_BAD_CONTENT_LENGTH = 31,     /* 31 Content-Length not 1*DIGIT or too large */
    HTTPREF_E_CONFLICTING_CONTENT_LENGTH = 32, /* 32 Content-Length values differ */
    HTTPREF_E_TE_AND_CL = 33,              /* 33 both Transfer-Encoding and Content-Length */
    HTTPREF_E_BAD_TRANSFER_ENCODING = 34,  /* 34 malformed, repeated or misplaced chunked */
    HTTPREF_E_UNSUPPORTED_TRANSFER_CODING = 35, /* 35 transfer coding other than chunked */
    HTTPREF_E_BAD_CHUNK_SIZE = 36,         /* 36 chunk-size not 1..16 HEXDIG */
    HTTPREF_E_BAD_CHUNK_EXT = 37,          /* 37 chunk extension syntax */
    HTTPREF_E_BAD_CHUNK_DATA_END = 38,     /* 38 chunk-data not followed by CRLF */
    HTTPREF_E_BAD_TRAILER = 39,            /* 39 trailer section syntax */
    HTTPREF_E_UNEXPECTED_101 = 40,         /* 40 101 Switching Protocols nobody asked for */
    HTTPREF_E_NOT_HTTP = 41,               /* 41 reply does not start with "HTTP/" (0.9, TLS, SSH...) */
    /* a size limit hit: limit */
    HTTPREF_E_TOO_MANY_INTERIM = 42,       /* 42 more 1xx responses than allowed */
    HTTPREF_E_STATUS_LINE_TOO_LONG = 43,   /* 43 status line over the limit */
    HTTPREF_E_FIELD_TOO_LONG = 44,         /* 44 one field line over the limit */
    HTTPREF_E_HEADER_TOO_LARGE = 45,       /* 45 header section over the limit */
    HTTPREF_E_TOO_MANY_FIELDS = 46,        /* 46 more field lines than allowed */
    HTTPREF_E_BODY_TOO_LARGE = 47,         /* 47 body over the configured maximum */
    HTTPREF_E_CHUNK_EXT_TOO_LONG = 48,     /* 48 chunk extensions over the limit */
    /* redirects */
    HTTPREF_E_TOO_MANY_REDIRECTS = 49,     /* 49 redirect hop limit (too_many_redirects) */
    HTTPREF_E_REDIRECT_LOOP = 50,          /* 50 redirect cycle detected (too_many_redirects) */
    HTTPREF_E_REDIRECT_REFUSED = 51,       /* 51 redirect to a forbidden scheme, a downgrade or
                                               with userinfo (redirect_refused) */
    HTTPREF_E_BAD_LOCATION = 52,           /* 52 Location unparsable or repeated with other values (protocol) */
    /* everything else: other */
    HTTPREF_E_SINK = 53,                   /* 53 the body sink aborted */
    HTTPREF_E_SOURCE = 54,                 /* 54 the body source failed or gave a wrong length */
    HTTPREF_E_NOMEM = 55,                  /* 55 out of memory */
    HTTPREF_E_INTERNAL = 56,               /* 56 internal error (a bug) */
    HTTPREF_E_TRANSPORT = 57,              /* 57 a custom transport failed (other) */
    HTTPREF_E_PROXY = 58,                  /* 58 proxy URL invalid (invalid_request) */
    HTTPREF_E_LAST = 58                    /* highest assigned value */
} httpref_code;

/* The shared error classes of the conformance contract (DESIGN.md). */
typedef enum httpref_class {
    HTTPREF_CLASS_NONE = 0,
    HTTPREF_CLASS_DNS,
    HTTPREF_CLASS_CONNECT,
    HTTPREF_CLASS_TIMEOUT,
    HTTPREF_CLASS_CLOSED,
    HTTPREF_CLASS_PROTOCOL,
    HTTPREF_CLASS_TOO_MANY_REDIRECTS,
    HTTPREF_CLASS_REDIRECT_REFUSED,
    HTTPREF_CLASS_INVALID_REQUEST,
    HTTPREF_CLASS_LIMIT,
    HTTPREF_CLASS_UNSUPPORTED,
    HTTPREF_CLASS_OTHER
} httpref_class;

/* "invalid chunk size" style text for a code; never NULL. */
const char *httpref_strerror(httpref_code code);
/* "BAD_CHUNK_SIZE" style stable machine name (enum name without HTTPREF_E_); "OK" for 0. */
const char *httpref_code_name(httpref_code code);
httpref_class httpref_code_class(httpref_code code);
/* "protocol", "dns", ... ; "none" for HTTPREF_CLASS_NONE. */
const char *httpref_class_name(httpref_class cls);

/* Leniencies: each relaxes one strict rule; all off by default. Normally the
 * rule rejects the response; with the flag the client accepts it as described.
 * Each flag's risk is documented in client/docs/leniency.md. */
enum {
    HTTPREF_LENIENT_BARE_LF           = 1u << 0, /* accept LF without CR as line end in the head (9112 §2.2 MAY) */
    HTTPREF_LENIENT_SPACES_IN_STATUS  = 1u << 1, /* accept runs of SP/HTAB in the status line (9112 §4 MAY) */
    HTTPREF_LENIENT_HEADER_VALUE_CTL  = 1u << 2, /* accept CTLs other than NUL/CR/LF in field values (9110 §5.5) */
    HTTPREF_LENIENT_CHUNKED_LENGTH    = 1u << 3, /* TE chunked + CL: use chunked, then close (9112 §6.3 r3) */
    HTTPREF_LENIENT_SPACES_AFTER_CHUNK_SIZE = 1u << 4, /* accept SP/HTAB after chunk-size */
    HTTPREF_LENIENT_HTTP09            = 1u << 5, /* accept a reply without status line as an
                                                    HTTP/0.9 body (2616 §19.6) */
    HTTPREF_LENIENT_DUPLICATE_CL      = 1u << 6, /* reserved: identical Content-Length copies are
                                                    always merged (9112 §6.3 r5 MAY) */
    HTTPREF_LENIENT_OBS_FOLD_FRAMING  = 1u << 7, /* accept obs-fold inside Content-Length / Transfer-Encoding */
    HTTPREF_LENIENT_VERSION           = 1u << 8  /* accept HTTP/2.x+ and HTTP/0.x status lines as 1.1 */
};

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
    const char *url;                 /* required; http only */
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
    const char *proxy;               /* NULL = none; "http://user:pass@host:port" */
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

httpref *httpref_new(void);
void httpref_free(httpref *h);

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
    HTTPREF_OPT_REDIRECT_LAST = 17        /* 1: at the hop limit or on a detected loop, the 3xx
                                             itself is the response (its body to the sink), as
                                             LuaSocket returns it; default 0: the errors
                                             HTTPREF_E_TOO_MANY_REDIRECTS, HTTPREF_E_REDIRECT_LOOP */
} httpref_option;

/* Set one option; HTTPREF_E_BAD_OPTION for an unknown option or a bad value. */
httpref_code httpref_setopt(httpref *h, httpref_option opt, long value);
/* Replace the User-Agent default ("httpref/0.1.0"); NULL = send none. Copied.
 * HTTPREF_E_BAD_FIELD_VALUE for CR, LF, NUL or another CTL (HTAB is allowed). */
httpref_code httpref_set_user_agent(httpref *h, const char *ua);
/* Use a custom transport (copied); NULL restores the default TCP transport. */
httpref_code httpref_set_transport(httpref *h, const httpref_transport *t);
void httpref_set_trace(httpref *h, httpref_trace_fn fn, void *ud);

/* Perform one request (following redirects and one auth retry as configured).
 * On HTTPREF_OK *resp describes the final response; its memory belongs to h
 * and stays valid until the next call on h or httpref_free. */
httpref_code httpref_perform(httpref *h, const httpref_request *req, httpref_response *resp);

/* After a failure: what was wrong in words (NUL-terminated, never NULL) and
 * the byte offset in the response stream where it was found (-1 if none). */
const char *httpref_last_error_reason(const httpref *h);
int64_t httpref_last_error_offset(const httpref *h);

/* Close the kept-alive connection, if any. */
void httpref_close(httpref *h);

#ifdef __cplusplus
}
#endif
#endif /* HTTPREF_H */
