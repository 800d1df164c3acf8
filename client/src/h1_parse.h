/*
 * h1_parse: the sans-I/O HTTP/1.1 response reader. No sockets, no malloc.
 *
 * Layer 1 (byte level): h1_parse_head() parses a status line + field
 * section in a contiguous buffer; fields point into that buffer.
 * Layer 2 (message level): h1_reader drives one response (1xx skipping,
 * framing decision of RFC 9112 §6.3, Content-Length counting, chunked
 * decoding with trailers, read-until-close, HEAD/204/304) from bytes fed in
 * any split, and returns events. The client layer owns the buffer and I/O.
 *
 * Rule 1: feeding the same bytes whole, byte by byte or at any split gives
 *         the same events and the same error (tests check every split).
 * Rule 2: every error is one httpref_code plus a byte offset counted from the
 *         first byte of this response (1xx heads included).
 * Rule 3: nothing past the end of the framed message is consumed: the
 *         caller sees those bytes as left over (excess / pipelined data).
 */
#ifndef HTTPREF_H1_PARSE_H
#define HTTPREF_H1_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include "httpref.h"

typedef struct h1_limits {
    size_t max_status_line;   /* default 8192 */
    size_t max_field_line;    /* default 16384 */
    size_t max_header_bytes;  /* default 65536 */
    size_t max_fields;        /* default 100 (also the trailer limit) */
    unsigned max_interim;     /* default 16 */
    size_t max_chunk_ext;     /* default 4096 */
    uint64_t max_body;        /* 0 = unlimited */
} h1_limits;

void h1_limits_default(h1_limits *lim);

typedef struct h1_head {
    int version_major, version_minor;
    int status;
    const char *reason;       /* into the buffer */
    size_t reason_len;
    const char *status_line;  /* into the buffer, without the line end */
    size_t status_line_len;
    httpref_field *fields;    /* caller-provided array */
    size_t nfields;           /* in: capacity of fields; out: count */
} h1_head;

/* Parse one head (status line + fields + empty line) at buf[0..len).
 * Returns >0: bytes consumed (the whole head); 0: incomplete (give more bytes,
 * same start); <0: -(httpref_code). *err_off gets the offset of the bad byte.
 * obs-fold is unfolded in place (buf is writable for that reason): the fold
 * becomes SP per 9112 §5.2. */
long h1_parse_head(char *buf, size_t len, h1_head *out, unsigned lenient,
                   const h1_limits *lim, size_t *err_off);

/* Parse a trailer section (field lines + empty line), same return convention. */
long h1_parse_trailers(char *buf, size_t len, httpref_field *fields, size_t *nfields,
                       unsigned lenient, const h1_limits *lim, size_t *err_off);

typedef enum h1_framing {
    H1_FRAMING_NONE = 0,        /* no body (HEAD, 1xx, 204, 304) */
    H1_FRAMING_LENGTH,          /* Content-Length */
    H1_FRAMING_CHUNKED,
    H1_FRAMING_UNTIL_CLOSE
} h1_framing;

/* what a framing error is about: the field whose value is at fault, what is
 * wrong with it, and the other field it clashes with (NULL when none) */
typedef struct h1_framing_fault {
    const httpref_field *field, *other;
    const char *what; /* "is not 1*DIGIT", "together with" (other), ... */
} h1_framing_fault;

/* RFC 9112 §6.3 for a response head. Returns HTTPREF_OK or a protocol error,
 * then with *fault saying which field. */
httpref_code h1_decide_framing(const h1_head *head, int request_was_head, unsigned lenient,
                               h1_framing *framing, uint64_t *content_length, int *must_close,
                               h1_framing_fault *fault);

typedef enum h1_event {
    H1_EV_NEED_MORE = 0,  /* feed more bytes (or call h1_reader_eof) */
    H1_EV_INTERIM,        /* a 1xx head was parsed and skipped (r->head describes it) */
    H1_EV_HEAD,           /* the final head is ready in r->head; fields point into the fed buffer */
    H1_EV_BODY,           /* *data and *data_len is body content (points into the fed buffer) */
    H1_EV_TRAILERS,       /* trailers ready in r->trailers (point into the fed buffer) */
    H1_EV_DONE,           /* the message is complete; remaining bytes were not consumed */
    H1_EV_ERROR           /* r->error / r->error_offset / r->error_detail say why */
} h1_event;

typedef struct h1_reader {
    /* configuration (set by h1_reader_init) */
    h1_limits lim;
    unsigned lenient;
    int request_was_head;
    /* results */
    h1_head head;               /* valid after H1_EV_HEAD / H1_EV_INTERIM */
    httpref_field *field_buf;   /* caller storage for head fields (capacity field_cap) */
    size_t field_cap;
    httpref_field *trailers;    /* valid after H1_EV_TRAILERS */
    size_t ntrailers;
    h1_framing framing;
    uint64_t content_length;    /* for H1_FRAMING_LENGTH */
    int must_close;             /* connection cannot be reused after this response */
    httpref_code error;
    int64_t error_offset;
    char error_detail[160];     /* e.g. "invalid chunk size \"0x5\"" */
    unsigned error_lenient;     /* the HTTPREF_LENIENT_* bit that would accept the fault; 0: none would */
    /* private state (the parser's business) */
    int state;                  /* enum h1_state (h1_internal.h) */
    unsigned interim_count;
    uint64_t offset;            /* bytes consumed so far in this response */
    uint64_t remaining;         /* body / chunk bytes still expected */
    uint64_t body_seen;
    size_t scan_from;           /* resume offset for incremental head or trailer scanning */
    size_t nlines;              /* field lines of the section being scanned (max_fields) */
    int seen_bytes;             /* any byte of this response arrived (EMPTY_REPLY or INCOMPLETE at EOF) */
    size_t pending;             /* bytes the last feed left unconsumed: at EOF they were received too */
} h1_reader;

/* field_buf: storage for max_fields fields, reused for trailers. */
void h1_reader_init(h1_reader *r, const h1_limits *lim, unsigned lenient, int request_was_head,
                    httpref_field *field_buf, size_t field_cap);

/* Feed buf[0..len). Sets *consumed to the bytes the reader is done with; the
 * caller drops exactly those and feeds the rest again (plus new bytes) next
 * time. While a head or a chunk-size line is incomplete, *consumed is 0 and
 * the event is H1_EV_NEED_MORE: the caller must keep the bytes contiguous and
 * append to them (the head limit bounds how much). For H1_EV_BODY,
 * *data and *data_len point into buf. */
h1_event h1_reader_feed(h1_reader *r, char *buf, size_t len, size_t *consumed,
                        const char **data, size_t *data_len);

/* The peer closed (orderly EOF). Returns H1_EV_DONE for a close-delimited
 * body, else H1_EV_ERROR with HTTPREF_E_EMPTY_REPLY (nothing received) or
 * HTTPREF_E_INCOMPLETE. */
h1_event h1_reader_eof(h1_reader *r);

#endif /* HTTPREF_H1_PARSE_H */
