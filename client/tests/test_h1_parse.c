/*
 * test_h1_parse: the sans-I/O reader, table-driven. Every case runs whole,
 * byte by byte, at every two-way split, and (for self-delimited messages)
 * with trailing data, each input placed right before a PROT_NONE page so an
 * over-read faults. Each row names its catalogue id.
 */
#define _DEFAULT_SOURCE
#include "h1_internal.h"
#include "h1_parse.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef struct tcase {
    const char *id;
    const char *in;
    size_t len; /* 0: strlen(in) */
    unsigned lenient;
    int head_req;
    int status;       /* expected final status (0 when an error is expected) */
    const char *body; /* expected body */
    httpref_code err; /* expected error, HTTPREF_OK for none */
    int until_close;  /* body ends at EOF: no trailing-data runner */
    size_t body_len;  /* expected body length when the body holds NUL (0: strlen) */
} tcase;

#define SL "HTTP/1.1 200 OK\r\n"
#define OK(id, in, st, body)                                                                                 \
    {                                                                                                        \
        id, in, 0, 0, 0, st, body, HTTPREF_OK, 0, 0                                                          \
    }
#define OKC(id, in, st, body)                                                                                \
    {                                                                                                        \
        id, in, 0, 0, 0, st, body, HTTPREF_OK, 1, 0                                                          \
    }
#define ERR(id, in, code)                                                                                    \
    {                                                                                                        \
        id, in, 0, 0, 0, 0, NULL, code, 0, 0                                                                 \
    }
#define LEN(id, in, flag, st, body)                                                                          \
    {                                                                                                        \
        id, in, 0, flag, 0, st, body, HTTPREF_OK, 0, 0                                                       \
    }
/* inputs holding NUL: the length comes from the literal */
#define ERRN(id, in, code)                                                                                   \
    {                                                                                                        \
        id, in, sizeof(in) - 1, 0, 0, 0, NULL, code, 0, 0                                                    \
    }
#define HEAD(id, in, st)                                                                                     \
    {                                                                                                        \
        id, in, 0, 0, 1, st, "", HTTPREF_OK, 0, 0                                                            \
    }

static const tcase cases[] = {
    /* the field-value text scan, 8 bytes at a time: a special byte at each
     * position of a word must be found exactly as bytewise */
    ERR("text scan: DEL at 0",
        SL "X-V: "
           "\x7f"
           "0123456789abcdef0123456789"
           "\r\nContent-Length: 0\r\n\r\n",
        HTTPREF_E_BAD_RESPONSE_FIELD_VALUE),
    ERR("text scan: DEL at 7",
        SL "X-V: 0123456"
           "\x7f"
           "789abcdef0123456789"
           "\r\nContent-Length: 0\r\n\r\n",
        HTTPREF_E_BAD_RESPONSE_FIELD_VALUE),
    ERR("text scan: DEL at 8",
        SL "X-V: 01234567"
           "\x7f"
           "89abcdef0123456789"
           "\r\nContent-Length: 0\r\n\r\n",
        HTTPREF_E_BAD_RESPONSE_FIELD_VALUE),
    ERR("text scan: DEL at 9",
        SL "X-V: 012345678"
           "\x7f"
           "9abcdef0123456789"
           "\r\nContent-Length: 0\r\n\r\n",
        HTTPREF_E_BAD_RESPONSE_FIELD_VALUE),
    ERR("text scan: DEL at 15",
        SL "X-V: 0123456789abcde"
           "\x7f"
           "f0123456789"
           "\r\nContent-Length: 0\r\n\r\n",
        HTTPREF_E_BAD_RESPONSE_FIELD_VALUE),
    ERR("text scan: DEL at 16",
        SL "X-V: 0123456789abcdef"
           "\x7f"
           "0123456789"
           "\r\nContent-Length: 0\r\n\r\n",
        HTTPREF_E_BAD_RESPONSE_FIELD_VALUE),
    ERR("text scan: DEL at 17",
        SL "X-V: 0123456789abcdef0"
           "\x7f"
           "123456789"
           "\r\nContent-Length: 0\r\n\r\n",
        HTTPREF_E_BAD_RESPONSE_FIELD_VALUE),
    ERR("text scan: DEL at 25",
        SL "X-V: 0123456789abcdef012345678"
           "\x7f"
           "9"
           "\r\nContent-Length: 0\r\n\r\n",
        HTTPREF_E_BAD_RESPONSE_FIELD_VALUE),
    ERR("text scan: 0x01 at 3",
        SL "X-V: 012"
           "\x01"
           "3456789abcdef0123456789"
           "\r\nContent-Length: 0\r\n\r\n",
        HTTPREF_E_BAD_RESPONSE_FIELD_VALUE),
    ERR("text scan: 0x01 at 8",
        SL "X-V: 01234567"
           "\x01"
           "89abcdef0123456789"
           "\r\nContent-Length: 0\r\n\r\n",
        HTTPREF_E_BAD_RESPONSE_FIELD_VALUE),
    ERR("text scan: 0x01 at 16",
        SL "X-V: 0123456789abcdef"
           "\x01"
           "0123456789"
           "\r\nContent-Length: 0\r\n\r\n",
        HTTPREF_E_BAD_RESPONSE_FIELD_VALUE),
    ERRN("text scan: NUL at 0",
         SL "X-V: "
            "\0"
            "0123456789abcdef0123456789"
            "\r\nContent-Length: 0\r\n\r\n",
         HTTPREF_E_BAD_RESPONSE_FIELD_VALUE),
    ERRN("text scan: NUL at 8",
         SL "X-V: 01234567"
            "\0"
            "89abcdef0123456789"
            "\r\nContent-Length: 0\r\n\r\n",
         HTTPREF_E_BAD_RESPONSE_FIELD_VALUE),
    ERRN("text scan: NUL at 12",
         SL "X-V: 0123456789ab"
            "\0"
            "cdef0123456789"
            "\r\nContent-Length: 0\r\n\r\n",
         HTTPREF_E_BAD_RESPONSE_FIELD_VALUE),
    ERR("text scan: bare CR at 5",
        SL "X-V: 01234"
           "\r"
           "56789abcdef0123456789"
           "\r\nContent-Length: 0\r\n\r\n",
        HTTPREF_E_BARE_CR),
    ERR("text scan: bare CR at 8",
        SL "X-V: 01234567"
           "\r"
           "89abcdef0123456789"
           "\r\nContent-Length: 0\r\n\r\n",
        HTTPREF_E_BARE_CR),
    ERR("text scan: bare CR at 20",
        SL "X-V: 0123456789abcdef0123"
           "\r"
           "456789"
           "\r\nContent-Length: 0\r\n\r\n",
        HTTPREF_E_BARE_CR),
    OK("text scan: HTAB at 1 is text",
       SL "X-V: 0"
          "\t"
          "123456789abcdef0123456789"
          "\r\nContent-Length: 2\r\n\r\nok",
       200, "ok"),
    OK("text scan: HTAB at 8 is text",
       SL "X-V: 01234567"
          "\t"
          "89abcdef0123456789"
          "\r\nContent-Length: 2\r\n\r\nok",
       200, "ok"),
    OK("text scan: HTAB at 16 is text",
       SL "X-V: 0123456789abcdef"
          "\t"
          "0123456789"
          "\r\nContent-Length: 2\r\n\r\nok",
       200, "ok"),
    OK("text scan: obs-text across words",
       SL "X-V: 012345"
          "\xc3\xab\xc3\xab\xe2\x82\xac"
          "6789abcdef0123456789"
          "\r\nContent-Length: 2\r\n\r\nok",
       200, "ok"),
    OK("text scan: value of exactly 8 bytes",
       SL "X-V: 01234567"
          "\r\nContent-Length: 2\r\n\r\nok",
       200, "ok"),
    OK("text scan: value of exactly 16 bytes",
       SL "X-V: 0123456789abcdef"
          "\r\nContent-Length: 2\r\n\r\nok",
       200, "ok"),
    OK("text scan: trailing OWS after a long value",
       SL "X-V: 0123456789abcdef01234567890123456789abcdef0123456789 \t "
          "\r\nContent-Length: 2\r\n\r\nok",
       200, "ok"),
    OK("text scan: a 600-byte value",
       SL
       "X-V: "
       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
       "\r\nContent-Length: 2\r\n\r\nok",
       200, "ok"),
    /* status line (SL) */
    OK("SL-01", SL "Content-Length: 2\r\n\r\nok", 200, "ok"),
    OK("SL-02", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", 200, "ok"),
    OK("SL-03", "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", 200, ""),
    OK("SL-04", "HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n", 200, ""),
    OK("SL-05", "HTTP/1.1 500 Ori\xc3\xabntatie\r\nContent-Length: 0\r\n\r\n", 500, ""),
    ERRN("SL-06", "HTTP/1.1 200 O\0K\r\nContent-Length: 0\r\n\r\n", HTTPREF_E_BAD_REASON),
    ERR("SL-06 del", "HTTP/1.1 200 O\x7fK\r\nContent-Length: 0\r\n\r\n", HTTPREF_E_BAD_REASON),
    OK("SL-05 htab", "HTTP/1.1 200 O\tK\r\nContent-Length: 0\r\n\r\n", 200, ""),
    ERR("SL-07", "HTTP/1.1  200 OK\r\nContent-Length: 0\r\n\r\n", HTTPREF_E_BAD_STATUS_LINE),
    LEN("SL-07 lenient", "HTTP/1.1  200 OK\r\nContent-Length: 0\r\n\r\n", HTTPREF_LENIENT_SPACES_IN_STATUS,
        200, ""),
    ERR("SL-08", "HTTP/1.1\t200 OK\r\nContent-Length: 0\r\n\r\n", HTTPREF_E_BAD_STATUS_LINE),
    LEN("SL-08 lenient", "HTTP/1.1\t 200\tOK\r\nContent-Length: 0\r\n\r\n", HTTPREF_LENIENT_SPACES_IN_STATUS,
        200, ""),
    ERR("SL-09", "HTTP/1.1 2 OK\r\nContent-Length: 0\r\n\r\n", HTTPREF_E_BAD_STATUS_CODE),
    ERR("SL-10", "HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n", HTTPREF_E_BAD_STATUS_CODE),
    ERR("SL-11", "HTTP/1.1 200OK\r\nContent-Length: 0\r\n\r\n", HTTPREF_E_BAD_STATUS_LINE),
    ERR("SL-12", "HTTP/1.1 -12 OK\r\nContent-Length: 0\r\n\r\n", HTTPREF_E_BAD_STATUS_CODE),
    ERR("SL-12 012", "HTTP/1.1 012 OK\r\nContent-Length: 0\r\n\r\n", HTTPREF_E_BAD_STATUS_CODE),
    OK("SL-13", "HTTP/1.1 999 OK\r\nContent-Length: 0\r\n\r\n", 999, ""),
    OK("SL-14", "HTTP/1.1 299 Odd\r\nContent-Length: 2\r\n\r\nok", 299, "ok"),
    OK("SL-15", "HTTP/1.2 200 OK\r\nContent-Length: 2\r\n\r\nok", 200, "ok"),
    ERR("SL-16", "HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n", HTTPREF_E_BAD_VERSION),
    ERR("SL-16 h2", "HTTP/2 200\r\nContent-Length: 0\r\n\r\n", HTTPREF_E_BAD_VERSION),
    LEN("SL-16 lenient", "HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n", HTTPREF_LENIENT_VERSION, 200, ""),
    LEN("SL-16 lenient chunked", "HTTP/2.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
        HTTPREF_LENIENT_VERSION, 200, "ok"),
    ERR("SL-17", "HTTP/0.9 200 OK\r\nContent-Length: 0\r\n\r\n", HTTPREF_E_BAD_VERSION),
    ERR("SL-18", "<html>hi</html>", HTTPREF_E_NOT_HTTP),
    {"SL-18 lenient", "<html>hi</html>", 0, HTTPREF_LENIENT_HTTP09, 0, 200, "<html>hi</html>", HTTPREF_OK, 1,
     0},
    ERR("SL-20", "http/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", HTTPREF_E_NOT_HTTP),
    ERR("SL-21", "HTTP/01.1 200 OK\r\nContent-Length: 0\r\n\r\n", HTTPREF_E_BAD_VERSION),
    ERR("SL-21 minor", "HTTP/1.01 200 OK\r\nContent-Length: 0\r\n\r\n", HTTPREF_E_BAD_VERSION),
    ERR("SL-22", "HTTP/11.1 200 OK\r\nContent-Length: 0\r\n\r\n", HTTPREF_E_BAD_VERSION),
    ERR("SL-23", "RTSP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", HTTPREF_E_NOT_HTTP),
    ERR("SL-23 https", "HTTPS/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", HTTPREF_E_NOT_HTTP),
    OK("SL-24", "\r\n\r\n" SL "Content-Length: 0\r\n\r\n", 200, ""),
    /* CRLFs and then the close: something came, so not an empty reply */
    ERR("SL-24 only CRLF", "\r\n", HTTPREF_E_INCOMPLETE),
    ERR("SL-25", " " SL "Content-Length: 0\r\n\r\n", HTTPREF_E_NOT_HTTP),
    ERR("SL-26", "HTTP/1.1 200 OK\nContent-Length: 2\n\nok", HTTPREF_E_BARE_LF),
    LEN("SL-26 lenient", "HTTP/1.1 200 OK\nContent-Length: 2\n\nok", HTTPREF_LENIENT_BARE_LF, 200, "ok"),
    ERR("SL-27", "HTTP/1.1 200 OK\rContent-Length: 0\r\n\r\n", HTTPREF_E_BARE_CR),
    ERR("SL-28", "\x16\x03\x03\x00\x31\x02\x00", HTTPREF_E_NOT_HTTP),
    ERR("SL-29", "", HTTPREF_E_EMPTY_REPLY),
    /* header fields (HF) */
    OK("HF-01", SL "X-A: \t v \t\r\nContent-Length: 0\r\n\r\n", 200, ""),
    OK("HF-02", SL "X-Empty:\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n", 200, ""),
    ERR("HF-03", SL "Content-Length : 5\r\n\r\nhello", HTTPREF_E_BAD_FIELD_LINE),
    ERR("HF-04", SL " Foo: bar\r\nContent-Length: 0\r\n\r\n", HTTPREF_E_BAD_FIELD_LINE),
    OK("HF-05", SL "X-A: one\r\n two\r\nContent-Length: 0\r\n\r\n", 200, ""),
    ERR("HF-06", SL "Transfer-Encoding: chunked\r\n  abc\r\n\r\n5\r\nWorld\r\n0\r\n\r\n", HTTPREF_E_OBS_FOLD),
    ERR("HF-06 cl", SL "Content-Length: 5\r\n \r\n\r\nhello", HTTPREF_E_OBS_FOLD),
    LEN("HF-06 lenient", SL "Content-Length: 5\r\n \r\n\r\nhello", HTTPREF_LENIENT_OBS_FOLD_FRAMING, 200,
        "hello"),
    ERR("HF-07", SL "Foo bar\r\nContent-Length: 0\r\n\r\n", HTTPREF_E_BAD_FIELD_LINE),
    ERR("HF-08", SL ": value\r\nContent-Length: 0\r\n\r\n", HTTPREF_E_BAD_FIELD_LINE),
    ERR("HF-09", SL "en-US Content-Type: text/xml\r\nContent-Length: 0\r\n\r\n", HTTPREF_E_BAD_FIELD_LINE),
    ERR("HF-09 at", SL "X@Y: 1\r\nContent-Length: 0\r\n\r\n", HTTPREF_E_BAD_RESPONSE_FIELD_NAME),
    OK("HF-10", SL "DCLK_imp: v7;x\r\n.et-Cookie: a=b\r\nContent-Length: 0\r\n\r\n", 200, ""),
    ERRN("HF-11", SL "X-A: a\0b\r\nContent-Length: 0\r\n\r\n", HTTPREF_E_BAD_RESPONSE_FIELD_VALUE),
    ERR("HF-12", SL "X-A: a\rb\r\nContent-Length: 0\r\n\r\n", HTTPREF_E_BARE_CR),
    ERR("HF-13",
        SL "X-A: a\x01"
           "b\r\nContent-Length: 0\r\n\r\n",
        HTTPREF_E_BAD_RESPONSE_FIELD_VALUE),
    LEN("HF-13 lenient",
        SL "X-A: a\x01"
           "b\r\nContent-Length: 0\r\n\r\n",
        HTTPREF_LENIENT_HEADER_VALUE_CTL, 200, ""),
    ERR("HF-13 del",
        SL "X-A: a\x7f"
           "b\r\nContent-Length: 0\r\n\r\n",
        HTTPREF_E_BAD_RESPONSE_FIELD_VALUE),
    OK("HF-14", SL "X-A: caf\xc3\xa9\r\nContent-Length: 0\r\n\r\n", 200, ""),
    ERR("HF-15", SL "A: 1\nB: 2\n\r\n", HTTPREF_E_BARE_LF),
    /* obs-fold: the continuation line is held to the same value rules; trailing OWS is not content */
    ERR("HF-13 fold", SL "X-A: one\r\n t\x01o\r\nContent-Length: 0\r\n\r\n",
        HTTPREF_E_BAD_RESPONSE_FIELD_VALUE),
    ERRN("HF-11 fold", SL "X-A: one\r\n t\0o\r\nContent-Length: 0\r\n\r\n",
         HTTPREF_E_BAD_RESPONSE_FIELD_VALUE),
    LEN("HF-13 fold lenient", SL "X-A: one\r\n t\x01o\r\nContent-Length: 0\r\n\r\n",
        HTTPREF_LENIENT_HEADER_VALUE_CTL, 200, ""),
    OK("HF-05 fold OWS", SL "X-A: one\r\n two \t\r\nContent-Length: 2\r\n\r\nok", 200, "ok"),
    OK("HF-18", SL "content-LENGTH: 2\r\n\r\nok", 200, "ok"),
    OK("HF-19", SL "Content-Length-X: 0\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nOK\r\n0\r\n\r\n", 200,
       "OK"),
    ERR("HF-24", SL "Content-Length: 6\r\n", HTTPREF_E_INCOMPLETE),
    /* framing (FR) */
    OK("FR-01", SL "Content-Length: 5\r\n\r\nhello", 200, "hello"),
    OK("FR-02", SL "Content-Length: 0\r\n\r\n", 200, ""),
    OKC("FR-03", SL "\r\nhello world", 200, "hello world"),
    OKC("FR-04", "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\ndata", 200, "data"),
    OKC("FR-04 other option", "HTTP/1.0 200 OK\r\nConnection: foo, keep-alive\r\n\r\ndata", 200, "data"),
    ERR("FR-05", SL "Content-Length: 10\r\n\r\nhello", HTTPREF_E_INCOMPLETE),
    OK("FR-07", SL "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello", 200, "hello"),
    OK("FR-08", SL "Content-Length: 5, 5\r\n\r\nhello", 200, "hello"),
    OK("FR-08 OWS", SL "Content-Length: 5 ,\t5\r\n\r\nhello", 200, "hello"),
    ERR("FR-09", SL "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        HTTPREF_E_CONFLICTING_CONTENT_LENGTH),
    ERR("FR-10", SL "Content-Length: 5, 6\r\n\r\nhello!", HTTPREF_E_CONFLICTING_CONTENT_LENGTH),
    ERR("FR-11", SL "Content-Length: abc\r\n\r\n-foo-", HTTPREF_E_BAD_CONTENT_LENGTH),
    ERR("FR-12", SL "Content-Length: -6\r\n\r\nmoo", HTTPREF_E_BAD_CONTENT_LENGTH),
    ERR("FR-13", SL "Content-Length: +5\r\n\r\nhello", HTTPREF_E_BAD_CONTENT_LENGTH),
    ERR("FR-14", SL "Content-Length: 0x10\r\n\r\n0123456789abcdef", HTTPREF_E_BAD_CONTENT_LENGTH),
    ERR("FR-14 exp", SL "Content-Length: 1e3\r\n\r\n", HTTPREF_E_BAD_CONTENT_LENGTH),
    ERR("FR-14 dot", SL "Content-Length: 5.0\r\n\r\nhello", HTTPREF_E_BAD_CONTENT_LENGTH),
    ERR("FR-15", SL "Content-Length: 4 2\r\n\r\n", HTTPREF_E_BAD_CONTENT_LENGTH),
    OK("FR-16", SL "Content-Length:\t2\t\r\n\r\nok", 200, "ok"),
    ERR("FR-17", SL "Content-Length:\r\n\r\n", HTTPREF_E_BAD_CONTENT_LENGTH),
    OK("FR-18", SL "Content-Length: 0005\r\n\r\nhello", 200, "hello"),
    ERR("FR-19", SL "Content-Length: 6badness\r\n\r\n", HTTPREF_E_BAD_CONTENT_LENGTH),
    ERR("FR-20", SL "Content-Length: 36893488147419103232\r\n\r\n", HTTPREF_E_BAD_CONTENT_LENGTH),
    /* 19 digits fit the parse but not int64_t */
    ERR("FR-20 2^63", SL "Content-Length: 9223372036854775808\r\n\r\n", HTTPREF_E_BAD_CONTENT_LENGTH),
    ERR("FR-22", SL "Content-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        HTTPREF_E_TE_AND_CL),
    LEN("FR-22 lenient",
        SL "Content-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        HTTPREF_LENIENT_CHUNKED_LENGTH, 200, "hello"),
    /* an unparsable Content-Length next to Transfer-Encoding is still both */
    ERR("FR-22 bad cl", SL "Transfer-Encoding: chunked\r\nContent-Length: abc\r\n\r\n0\r\n\r\n",
        HTTPREF_E_TE_AND_CL),
    ERR("FR-24", SL "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
        HTTPREF_E_UNSUPPORTED_TRANSFER_CODING),
    ERR("FR-26", SL "Transfer-Encoding: chunked, gzip\r\n\r\n", HTTPREF_E_BAD_TRANSFER_ENCODING),
    ERR("FR-27", SL "Transfer-Encoding: chunked, chunked\r\n\r\n", HTTPREF_E_BAD_TRANSFER_ENCODING),
    ERR("FR-27 two", SL "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
        HTTPREF_E_BAD_TRANSFER_ENCODING),
    ERR("FR-28", SL "Transfer-Encoding: chunkedchunked\r\n\r\n", HTTPREF_E_UNSUPPORTED_TRANSFER_CODING),
    ERR("FR-28 slash", SL "Transfer-Encoding: chunked/1.1\r\n\r\n0\r\n\r\n", HTTPREF_E_BAD_TRANSFER_ENCODING),
    ERR("FR-28 params", SL "Transfer-Encoding: chunked;q=1\r\n\r\n0\r\n\r\n",
        HTTPREF_E_BAD_TRANSFER_ENCODING),
    ERR("FR-28 no token", SL "Transfer-Encoding: ;q=1\r\n\r\n0\r\n\r\n", HTTPREF_E_BAD_TRANSFER_ENCODING),
    ERR("FR-24 params", SL "Transfer-Encoding: gzip;level=1, chunked\r\n\r\n0\r\n\r\n",
        HTTPREF_E_UNSUPPORTED_TRANSFER_CODING),
    ERR("FR-29", SL "Transfer-Encoding: identity\r\nContent-Length: 5\r\n\r\nhello",
        HTTPREF_E_UNSUPPORTED_TRANSFER_CODING),
    OK("FR-30", SL "Transfer-Encoding: CHUNKED\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 200, "hello"),
    /* empty list elements are skipped (RFC 9110 §5.6.1) */
    OK("FR-30 empty element", SL "Transfer-Encoding: , chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 200, "hello"),
    ERR("FR-31", "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        HTTPREF_E_BAD_TRANSFER_ENCODING),
    ERR("FR-32", SL "Transfer-Encoding:\r\nContent-Length: 5\r\n\r\nhello", HTTPREF_E_BAD_TRANSFER_ENCODING),
    {"FR-34", SL "Content-Length: 4\r\n\r\n\0\xff\r\n", sizeof(SL "Content-Length: 4\r\n\r\n\0\xff\r\n") - 1,
     0, 0, 200, "\0\xff\r\n", HTTPREF_OK, 0, 4},
    OK("FR-37", "HTTP/1.1 205 Reset Content\r\nContent-Length: 3\r\n\r\nabc", 205, "abc"),
    /* chunked (CH) */
    OK("CH-01", SL "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 200, "hello"),
    OK("CH-02", SL "Transfer-Encoding: chunked\r\n\r\n6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n", 200,
       "hello world"),
    OK("CH-04", SL "Transfer-Encoding: chunked\r\n\r\n0005\r\nhello\r\n000\r\n\r\n", 200, "hello"),
    OK("CH-04 upper hex", SL "Transfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n", 200,
       "0123456789"),
    OK("CH-05",
       SL
       "Transfer-Encoding: chunked\r\n\r\n5;ilovew3;somuchlove=aretheseparametersfor\r\nhello\r\n0;x\r\n\r\n",
       200, "hello"),
    OK("CH-06", SL "Transfer-Encoding: chunked\r\n\r\n5;a=\"x; y\";b=c\r\nhello\r\n0\r\n\r\n", 200, "hello"),
    OK("CH-06 quoted-pair", SL "Transfer-Encoding: chunked\r\n\r\n5;a=\"x\\\"y\"\r\nhello\r\n0\r\n\r\n", 200,
       "hello"),
    OK("CH-06 htab", SL "Transfer-Encoding: chunked\r\n\r\n5;a=\"x\t\\\ty\"\r\nhello\r\n0\r\n\r\n", 200,
       "hello"),
    ERR("CH-07 del", SL "Transfer-Encoding: chunked\r\n\r\n5;a=\"x\x7f\"\r\nhello\r\n0\r\n\r\n",
        HTTPREF_E_BAD_CHUNK_EXT),
    ERR("CH-07 quoted-pair del", SL "Transfer-Encoding: chunked\r\n\r\n5;a=\"x\\\x7f\"\r\nhello\r\n0\r\n\r\n",
        HTTPREF_E_BAD_CHUNK_EXT),
    /* quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text ): never a CTL */
    ERR("CH-07 quoted-pair CTL", SL "Transfer-Encoding: chunked\r\n\r\n5;a=\"x\\\x01\"\r\nhello\r\n0\r\n\r\n",
        HTTPREF_E_BAD_CHUNK_EXT),
    ERR("CH-07", SL "Transfer-Encoding: chunked\r\n\r\n5;a=\"abc;def\r\nhello\r\n0\r\n\r\n",
        HTTPREF_E_BAD_CHUNK_EXT),
    OK("CH-08", SL "Transfer-Encoding: chunked\r\n\r\n5 ;a=b\r\nhello\r\n0\r\n\r\n", 200, "hello"),
    OK("CH-08 BWS", SL "Transfer-Encoding: chunked\r\n\r\n5 ; a = b\r\nhello\r\n0\r\n\r\n", 200, "hello"),
    ERR("CH-09", SL "Transfer-Encoding: chunked\r\n\r\n5  \r\nhello\r\n0\r\n\r\n", HTTPREF_E_BAD_CHUNK_SIZE),
    ERR("CH-09 htab", SL "Transfer-Encoding: chunked\r\n\r\n5\t\r\nhello\r\n0\r\n\r\n",
        HTTPREF_E_BAD_CHUNK_SIZE),
    LEN("CH-09 lenient", SL "Transfer-Encoding: chunked\r\n\r\n5  \r\nhello\r\n0\r\n\r\n",
        HTTPREF_LENIENT_SPACES_AFTER_CHUNK_SIZE, 200, "hello"),
    ERR("CH-10", SL "Transfer-Encoding: chunked\r\n\r\n2 erfrferferf\r\naa\r\n0 rrrr\r\n\r\n",
        HTTPREF_E_BAD_CHUNK_EXT),
    ERR("CH-11", SL "Transfer-Encoding: chunked\r\n\r\n2;\r\naa\r\n0\r\n\r\n", HTTPREF_E_BAD_CHUNK_EXT),
    ERR("CH-11 empty value", SL "Transfer-Encoding: chunked\r\n\r\n2;a=\r\naa\r\n0\r\n\r\n",
        HTTPREF_E_BAD_CHUNK_EXT),
    ERR("CH-12", SL "Transfer-Encoding: chunked\r\n\r\nz\r\nhello\r\n0\r\n\r\n", HTTPREF_E_BAD_CHUNK_SIZE),
    ERR("CH-12 0x", SL "Transfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n",
        HTTPREF_E_BAD_CHUNK_SIZE),
    ERR("CH-13", SL "Transfer-Encoding: chunked\r\n\r\n\r\nhello\r\n0\r\n\r\n", HTTPREF_E_BAD_CHUNK_SIZE),
    ERR("CH-14", SL "Transfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n", HTTPREF_E_BAD_CHUNK_SIZE),
    ERR("CH-15", SL "Transfer-Encoding: chunked\r\n\r\n10000000000000005\r\nhello\r\n0\r\n\r\n",
        HTTPREF_E_BAD_CHUNK_SIZE),
    ERR("CH-16", SL "Transfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nabc", HTTPREF_E_BAD_CHUNK_SIZE),
    ERR("CH-17", SL "Transfer-Encoding: chunked\r\n\r\n3\r\nxxx__1a\r\n", HTTPREF_E_BAD_CHUNK_DATA_END),
    ERR("CH-18", SL "Transfer-Encoding: chunked\r\n\r\n3\r\nxxx3\r\nabc\r\n0\r\n\r\n",
        HTTPREF_E_BAD_CHUNK_DATA_END),
    ERR("CH-19", SL "Transfer-Encoding: chunked\r\n\r\n3\r\nxxx\n0\r\n\r\n", HTTPREF_E_BAD_CHUNK_DATA_END),
    ERR("CH-19 cr", SL "Transfer-Encoding: chunked\r\n\r\n3\r\nxxx\rX0\r\n\r\n",
        HTTPREF_E_BAD_CHUNK_DATA_END),
    ERR("CH-20", SL "Transfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n", HTTPREF_E_BARE_LF),
    ERR("CH-21", SL "Transfer-Encoding: chunked\r\n\r\n5\r\r;ABCD\r\n34\r\nhello\r\n0\r\n\r\n",
        HTTPREF_E_BARE_CR),
    ERR("CH-22", SL "Transfer-Encoding: chunked\r\n\r\n41\r\naaaa", HTTPREF_E_INCOMPLETE),
    ERR("CH-23", SL "Transfer-Encoding: chunked\r\n\r\n3\r\nfoo\r\n", HTTPREF_E_INCOMPLETE),
    ERR("CH-24", SL "Transfer-Encoding: chunked\r\n\r\n3\r\nfoo\r\n0\r\n", HTTPREF_E_INCOMPLETE),
    ERR("CH-24 bare CR", SL "Transfer-Encoding: chunked\r\n\r\n3\r\nfoo\r\n0\r\n\rX\r\n\r\n",
        HTTPREF_E_BARE_CR),
    OK("CH-25", SL "Transfer-Encoding: chunked\r\n\r\n3\r\nfoo\r\n0\r\nX-Checksum: abc\r\n\r\n", 200, "foo"),
    ERR("CH-26", SL "Transfer-Encoding: chunked\r\n\r\n3\r\nfoo\r\n0\r\nContent-Length: 999\r\n\r\n",
        HTTPREF_E_BAD_TRAILER),
    ERR("CH-28", SL "Transfer-Encoding: chunked\r\n\r\n3\r\nfoo\r\n0\r\nA: b\nC: d\n\n",
        HTTPREF_E_BAD_TRAILER),
    ERR("CH-28 bare CR", SL "Transfer-Encoding: chunked\r\n\r\n3\r\nfoo\r\n0\r\nA: b\rc\r\n\r\n",
        HTTPREF_E_BARE_CR),
    OK("CH-32", SL "Transfer-Encoding: chunked\r\n\r\nb\r\n\r\n0\r\n\r\nabcd\r\n0\r\n\r\n", 200,
       "\r\n0\r\n\r\nabcd"),
    OK("CH-33", SL "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 200, ""),
    ERR("CH-50", SL "Transfer-Encoding: chunked\r\n\r\n3\r\nfoo\r\n0\r\nX-A: 1\r\n two\r\n\r\n",
        HTTPREF_E_BAD_TRAILER),
    /* a malformed trailer field is BAD_TRAILER, whatever the head would have called it */
    ERR("CH-51 space", SL "Transfer-Encoding: chunked\r\n\r\n3\r\nfoo\r\n0\r\nX-A : 1\r\n\r\n",
        HTTPREF_E_BAD_TRAILER),
    ERR("CH-51 name", SL "Transfer-Encoding: chunked\r\n\r\n3\r\nfoo\r\n0\r\nX@A: 1\r\n\r\n",
        HTTPREF_E_BAD_TRAILER),
    ERR("CH-51 empty name", SL "Transfer-Encoding: chunked\r\n\r\n3\r\nfoo\r\n0\r\n: 1\r\n\r\n",
        HTTPREF_E_BAD_TRAILER),
    /* bodyless (NB) */
    HEAD("NB-01", SL "Content-Length: 1234\r\n\r\n", 200),
    HEAD("NB-02", SL "Transfer-Encoding: chunked\r\n\r\n", 200),
    OK("NB-04", "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n", 204, ""),
    OK("NB-06", "HTTP/1.1 304 Not Modified\r\nContent-Length: 677777\r\n\r\n", 304, ""),
    OK("NB-08", "HTTP/1.1 100 Continue\r\n\r\n" SL "Content-Length: 2\r\n\r\nok", 200, "ok"),
    OK("NB-10",
       "HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n" SL
       "Content-Length: 2\r\n\r\nok",
       200, "ok"),
    OK("NB-11", "HTTP/1.1 199 Whatever\r\n\r\n" SL "Content-Length: 2\r\n\r\nok", 200, "ok"),
    ERR("NB-12", "HTTP/1.1 100 Continue\r\nContent-Length: 5\r\n\r\nhello" SL, HTTPREF_E_NOT_HTTP),
    ERR("NB-13", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n", HTTPREF_E_UNEXPECTED_101),
    HEAD("NB-17", SL "Content-Length: abc\r\n\r\n", 200),
};

/* one run: feed `in` in pieces (piece 0 = whole); check status, body, error */
typedef struct outcome {
    int status;
    httpref_code err;
    char body[256];
    size_t body_len;
    int64_t err_off;
    char detail[160];     /* the error's detail */
    unsigned lenient_bit; /* the leniency that would accept the error */
} outcome;

static char *guard_copy(const char *in, size_t len, char **base, size_t *maplen)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t pages = (len + page - 1) / page + 1;
    *maplen = pages * page;
    *base = mmap(NULL, *maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mprotect(*base + (pages - 1) * page, page, PROT_NONE); /* reading past the input faults */
    char *p = *base + (pages - 1) * page - len;
    memcpy(p, in, len);
    return p;
}

static void run(const tcase *c, const char *in, size_t len, size_t piece, size_t split, outcome *o)
{
    static httpref_field fields[128];
    char *base;
    size_t maplen;
    char *buf = guard_copy(in, len, &base, &maplen);
    h1_limits lim;
    h1_reader r;
    size_t pos = 0, avail = 0;
    memset(o, 0, sizeof *o);
    h1_limits_default(&lim);
    h1_reader_init(&r, &lim, c->lenient, c->head_req, fields, 128);
    for (;;) {
        const char *data;
        size_t dlen, used;
        h1_event ev = h1_reader_feed(&r, buf + pos, avail - pos, &used, &data, &dlen);
        pos += used;
        if (ev == H1_EV_HEAD)
            o->status = r.head.status;
        else if (ev == H1_EV_BODY) {
            if (o->body_len + dlen <= sizeof o->body)
                memcpy(o->body + o->body_len, data, dlen);
            o->body_len += dlen;
        } else if (ev == H1_EV_DONE) {
            break;
        } else if (ev == H1_EV_ERROR) {
            o->err = r.error;
            o->err_off = r.error_offset;
            o->status = 0;
            snprintf(o->detail, sizeof o->detail, "%s", r.error_detail);
            o->lenient_bit = r.error_lenient;
            break;
        } else if (ev == H1_EV_NEED_MORE) {
            if (avail == len) {
                ev = h1_reader_eof(&r);
                if (ev == H1_EV_ERROR) {
                    o->err = r.error;
                    o->err_off = r.error_offset;
                    o->status = 0;
                    snprintf(o->detail, sizeof o->detail, "%s", r.error_detail);
                    o->lenient_bit = r.error_lenient;
                }
                break;
            }
            size_t step = split ? (avail < split ? split - avail : len - avail) : piece ? piece : len - avail;
            avail += step < len - avail ? step : len - avail;
        }
    }
    munmap(base, maplen);
}

static void check(const tcase *c, const outcome *o, const char *how)
{
    size_t blen = c->body_len ? c->body_len : c->body ? strlen(c->body) : 0;
    if (c->err != HTTPREF_OK) {
        ok(o->err == c->err, "%s %s: error %s (got %s)", c->id, how, httpref_code_name(c->err),
           httpref_code_name(o->err));
    } else {
        ok(o->err == HTTPREF_OK && o->status == c->status && o->body_len == blen &&
               !memcmp(o->body, c->body, blen),
           "%s %s: %d with %zu-byte body (got %s %d, %zu bytes)", c->id, how, c->status, blen,
           httpref_code_name(o->err), o->status, o->body_len);
    }
}

static void test_all(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const tcase *c = &cases[i];
        size_t len = c->len ? c->len : strlen(c->in);
        outcome whole, other;
        run(c, c->in, len, 0, 0, &whole);
        check(c, &whole, "whole");
        run(c, c->in, len, 1, 0, &other);
        check(c, &other, "byte by byte");
        int splits_ok = 1;
        for (size_t s = 1; s < len; s++) {
            run(c, c->in, len, 0, s, &other);
            if (other.err != whole.err || other.status != whole.status || other.body_len != whole.body_len ||
                other.err_off != whole.err_off) {
                splits_ok = 0;
                note("%s: split at %zu differs", c->id, s);
                break;
            }
        }
        ok(splits_ok, "%s every two-way split gives the whole result", c->id);
        if (!c->until_close && c->err == HTTPREF_OK) {
            /* Rule 3: bytes after a framed message are never consumed as part of it */
            char *more = malloc(len + 8);
            memcpy(more, c->in, len);
            memcpy(more + len, "GARBAGE!", 8);
            run(c, more, len + 8, 0, 0, &other);
            check(c, &other, "with trailing data");
            free(more);
        }
    }
}

/* a head over the limit is refused as soon as the limit is crossed */
static void limits_field_line_and_count(void)
{
    static char big[70000];
    static httpref_field fields[128];
    h1_limits lim;
    h1_reader r;
    const char *d;
    size_t dl, used;
    memcpy(big, SL, strlen(SL));
    memset(big + strlen(SL), 'a', sizeof big - strlen(SL));
    memcpy(big + strlen(SL), "X: ", 3);
    h1_limits_default(&lim);
    h1_reader_init(&r, &lim, 0, 0, fields, 128);
    ok(h1_reader_feed(&r, big, sizeof big, &used, &d, &dl) == H1_EV_ERROR &&
           r.error == HTTPREF_E_FIELD_TOO_LONG,
       "HF-20: a 70 KB field line is refused at the field limit (%s)", httpref_code_name(r.error));
    lim.max_fields = 3;
    const char *many = SL "A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n";
    char copy[128];
    strcpy(copy, many);
    h1_reader_init(&r, &lim, 0, 0, fields, 128);
    ok(h1_reader_feed(&r, copy, strlen(copy), &used, &d, &dl) == H1_EV_ERROR &&
           r.error == HTTPREF_E_TOO_MANY_FIELDS,
       "HF-21: a fourth field over a limit of 3 is refused");
    h1_limits_default(&lim);
    lim.max_interim = 2;
    strcpy(copy, "HTTP/1.1 100 A\r\n\r\nHTTP/1.1 100 B\r\n\r\nHTTP/1.1 100 C\r\n\r\n");
    h1_reader_init(&r, &lim, 0, 0, fields, 128);
    size_t pos = 0;
    h1_event ev;
    do {
        ev = h1_reader_feed(&r, copy + pos, strlen(copy) - pos, &used, &d, &dl);
        pos += used;
    } while (ev == H1_EV_INTERIM);
    ok(ev == H1_EV_ERROR && r.error == HTTPREF_E_TOO_MANY_INTERIM,
       "NB-15: a third 1xx over a limit of 2 is refused");
}

/* the other limits, each set low: the input crosses it, the reader refuses with its own code */
static void limits_each_low(void)
{
    static httpref_field fields[128];
    enum { HEADER_BYTES, CHUNK_EXT, BODY, FIELD_CAP };
    static const struct {
        const char *what, *in;
        int which;
        size_t value;
        httpref_code want;
    } low[] = {
        {"header section over max_header_bytes (40)", SL "A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", HEADER_BYTES,
         40, HTTPREF_E_HEADER_TOO_LARGE},
        {"chunk extensions over max_chunk_ext (8)",
         SL "Transfer-Encoding: chunked\r\n\r\n5;abcdefghijk\r\nhello\r\n0\r\n\r\n", CHUNK_EXT, 8,
         HTTPREF_E_CHUNK_EXT_TOO_LONG},
        /* no Content-Length to refuse up front: the limit holds while the body streams */
        {"chunked body over max_body (4)",
         SL "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n", BODY, 4,
         HTTPREF_E_BODY_TOO_LARGE},
        {"close-delimited body over max_body (4)", SL "\r\nabcdef", BODY, 4, HTTPREF_E_BODY_TOO_LARGE},
        /* the caller's field storage is smaller than max_fields: the storage bounds the head */
        {"more fields than the caller's storage (1)", SL "A: 1\r\nB: 2\r\n\r\n", FIELD_CAP, 1,
         HTTPREF_E_TOO_MANY_FIELDS},
    };
    h1_limits lim;
    h1_reader r;
    h1_event ev;
    const char *d;
    size_t dl, used, pos;
    char copy[128];
    for (size_t i = 0; i < sizeof low / sizeof low[0]; i++) {
        h1_limits_default(&lim);
        size_t cap = 128;
        if (low[i].which == HEADER_BYTES)
            lim.max_header_bytes = low[i].value;
        else if (low[i].which == CHUNK_EXT)
            lim.max_chunk_ext = low[i].value;
        else if (low[i].which == BODY)
            lim.max_body = low[i].value;
        else
            cap = low[i].value;
        strcpy(copy, low[i].in);
        h1_reader_init(&r, &lim, 0, 0, fields, cap);
        pos = 0;
        do {
            ev = h1_reader_feed(&r, copy + pos, strlen(copy) - pos, &used, &d, &dl);
            pos += used;
        } while (ev != H1_EV_ERROR && ev != H1_EV_DONE && ev != H1_EV_NEED_MORE);
        ok(ev == H1_EV_ERROR && r.error == low[i].want, "%s -> %s (got %s)", low[i].what,
           httpref_code_name(low[i].want), httpref_code_name(r.error));
    }
}

/* a head of exactly max_header_bytes (status line to the final CRLF) passes, one byte
 * more does not (HF-47, HF-48: the bound once let a head one byte over through) */
static void limits_header_bytes_edge(void)
{
    static httpref_field fields[128];
    h1_limits lim;
    h1_reader r;
    const char *d;
    size_t dl, used;
    char copy[128];
    for (size_t over = 0; over <= 1; over++) {
        h1_limits_default(&lim);
        strcpy(copy, SL "A: 1\r\nB: 2\r\n\r\n");
        lim.max_header_bytes = strlen(copy) - over;
        h1_reader_init(&r, &lim, 0, 0, fields, 128);
        h1_event ev = h1_reader_feed(&r, copy, strlen(copy), &used, &d, &dl);
        ok(over ? ev == H1_EV_ERROR && r.error == HTTPREF_E_HEADER_TOO_LARGE : ev == H1_EV_HEAD,
           "a %zu-byte head with max_header_bytes %zu: %s", strlen(copy), lim.max_header_bytes,
           over ? "HEADER_TOO_LARGE" : "accepted");
    }
}

static void test_limits(void)
{
    limits_field_line_and_count();
    limits_each_low();
    limits_header_bytes_edge();
}

/* the reader's edges: default limits, and what it says once it has failed */
static void test_reader_api(void)
{
    static httpref_field fields[4];
    h1_reader r;
    const char *d;
    size_t dl, used;
    char bad[] = "SSH-2.0\r\n";
    h1_reader_init(&r, NULL, 0, 0, fields, 4);
    ok(r.lim.max_fields == 100 && r.lim.max_header_bytes == 65536 && r.field_cap == 4,
       "no limits given: the defaults, the storage bounding the fields");
    ok(h1_reader_feed(&r, bad, strlen(bad), &used, &d, &dl) == H1_EV_ERROR && r.error == HTTPREF_E_NOT_HTTP,
       "a reply that is not HTTP fails");
    char good[] = SL "Content-Length: 0\r\n\r\n";
    ok(h1_reader_feed(&r, good, strlen(good), &used, &d, &dl) == H1_EV_ERROR && used == 0 &&
           r.error == HTTPREF_E_NOT_HTTP,
       "after a failure, more bytes change nothing: error again, nothing consumed");
    ok(h1_reader_eof(&r) == H1_EV_ERROR && r.error == HTTPREF_E_NOT_HTTP, "and EOF reports the same error");
    ok(hx_ieq("Chunked", 7, "chunked") && hx_ieq("CHUNKED", 7, "chunked") &&
           !hx_ieq("chunked", 7, "chunke") && !hx_ieq("chunkes", 7, "chunked"),
       "hx_ieq folds the received side's case (the literal is lowercase) and compares lengths");
}

/* layer 1 on its own: h1_parse_head / h1_parse_trailers on one contiguous buffer,
 * inputs the reader would stop earlier (it checks line ends and limits first) */
typedef struct l1case {
    const char *what, *in;
    int trailers;
    unsigned lenient;
    size_t cap;        /* field storage (0: 8) */
    long want;         /* > 0: consumed (the whole input); 0: incomplete; < 0: -code */
    size_t err_off;    /* for an error */
    const char *value; /* the first field's value, when checked */
    const char *todo;  /* a known discrepancy with h1_parse.h: TAP TODO */
} l1case;

/* clang-format off */
#define L1(what, in, want, off) {what, in, 0, 0, 0, want, off, NULL, NULL}
#define L1T(what, in, want, off) {what, in, 1, 0, 0, want, off, NULL, NULL}
/* clang-format on */

static const l1case l1[] = {
    {"a whole head", SL "A: b\r\n\r\n", 0, 0, 0, 1, 0, "b", NULL},
    {"obs-fold becomes SP, trailing OWS dropped", SL "A: one\r\n two \t\r\n\r\n", 0, 0, 0, 1, 0, "one   two",
     NULL},
    L1("not HTTP", "HTX/1.1 200 OK\r\n\r\n", -HTTPREF_E_NOT_HTTP, 0),
    L1("bare CR in the reason", "HTTP/1.1 200 O\rK\r\n\r\n", -HTTPREF_E_BARE_CR, 14),
    L1("bare LF in the reason", "HTTP/1.1 200 O\nK\r\n\r\n", -HTTPREF_E_BARE_LF, 14),
    L1("bare CR in a field value", SL "A: b\rc\r\n\r\n", -HTTPREF_E_BARE_CR, 21),
    L1("bare LF in a field value", SL "A: b\nc\r\n\r\n", -HTTPREF_E_BARE_LF, 21),
    L1("bare CR in a folded line", SL "A: b\r\n c\rd\r\n\r\n", -HTTPREF_E_BARE_CR, 25),
    L1("bare LF in a folded line", SL "A: b\r\n c\nd\r\n\r\n", -HTTPREF_E_BARE_LF, 25),
    {"more fields than the storage", SL "A: 1\r\nB: 2\r\n\r\n", 0, 0, 1, -HTTPREF_E_TOO_MANY_FIELDS, 23, NULL,
     NULL},
    /* "0: incomplete (give more bytes, same start)" */
    L1("no empty line after the fields", SL "A: b\r\n", 0, 0),
    L1("a field name running to the end", SL "Abc", 0, 0),
    L1("a field value running to the end", SL "A: b", 0, 0),
    L1("a status line running to the end", "HTTP/1.1 200 OK", 0, 0),
    L1("a status line ending in CR", "HTTP/1.1 200 OK\r", 0, 0),
    L1("a status line cut in the code", "HTTP/1.1 20", 0, 0),
    L1("a status line cut after the code", "HTTP/1.1 200", 0, 0),
    L1("a status line cut in the version", "HTTP/1", 0, 0),
    L1("a status line cut in the name", "HTT", 0, 0),
    L1("a status line cut right after the version", "HTTP/1.1", 0, 0),
    {"lenient runs of spaces, cut after them", "HTTP/1.1  ", 0, HTTPREF_LENIENT_SPACES_IN_STATUS, 0, 0, 0,
     NULL, NULL},
    L1("an obs-fold running to the end", SL "A: b\r\n c", 0, 0),
    L1("not HTTP, even cut short", "HTX", -(long)HTTPREF_E_NOT_HTTP, 0),
    L1T("a trailer section", "X-Sum: 1\r\n\r\n", 1, 0),
    L1T("a trailer section without its empty line", "X-Sum: 1\r\n", 0, 0),
    /* the bare-LF leniency is for the head only */
    {"bare LF in a trailer, even when lenient", "X-Sum: 1\n\n", 1, HTTPREF_LENIENT_BARE_LF, 0,
     -HTTPREF_E_BARE_LF, 8, NULL, NULL},
};

static void test_layer1(void)
{
    for (size_t i = 0; i < sizeof l1 / sizeof l1[0]; i++) {
        const l1case *c = &l1[i];
        httpref_field fields[8];
        char buf[128];
        size_t len = strlen(c->in), off = 0, n = c->cap ? c->cap : 8;
        h1_limits lim;
        h1_head head;
        long got;
        h1_limits_default(&lim);
        memcpy(buf, c->in, len);
        memset(&head, 0, sizeof head);
        head.fields = fields;
        head.nfields = n;
        if (c->trailers)
            got = h1_parse_trailers(buf, len, fields, &n, c->lenient, &lim, &off);
        else
            got = h1_parse_head(buf, len, &head, c->lenient, &lim, &off);
        long want = c->want > 0 ? (long)len : c->want;
        int good = got == want && (want >= 0 || off == c->err_off);
        if (good && c->value)
            good = head.nfields >= 1 && fields[0].value_len == strlen(c->value) &&
                   !memcmp(fields[0].value, c->value, fields[0].value_len);
        if (c->todo)
            printf("%sok %d - %s: %s # TODO %s\n", good ? "" : "not ", ++tap_count, tap_subtest, c->what,
                   c->todo);
        else
            ok(good, "%s -> %ld (got %ld at %zu)", c->what, want, got, off);
    }
}

/* hx_ieq folds a word at a time: it must agree with a byte-wise ASCII fold for
 * every byte value at every position of every name the parser compares, and
 * for every length around the literal's */
static void test_ieq(void)
{
    static const char *const lits[] = {"te", "host", "close", "chunked", "trailer", "location", "keep-alive",
                                       "connection", "content-length", "transfer-encoding",
                                       "proxy-authorization"};
    for (size_t l = 0; l < sizeof lits / sizeof lits[0]; l++) {
        size_t n = strlen(lits[l]), bad = 0;
        char a[32];
        for (size_t pos = 0; pos < n; pos++) {
            for (int c = 0; c < 256; c++) {
                memcpy(a, lits[l], n);
                a[pos] = (char)c;
                int lc = c >= 'A' && c <= 'Z' ? c + 32 : c;
                int want = lc == (unsigned char)lits[l][pos];
                if (hx_ieq(a, n, lits[l]) != want)
                    bad++;
            }
        }
        for (size_t k = 0; k < n; k++) /* all upper case matches; a length off by one never does */
            a[k] = lits[l][k] >= 'a' && lits[l][k] <= 'z' ? (char)(lits[l][k] - 32) : lits[l][k];
        bad += !hx_ieq(a, n, lits[l]) + hx_ieq(a, n - 1, lits[l]) + hx_ieq(a, n + 1, lits[l]);
        ok(bad == 0, "hx_ieq(\"%s\") agrees with a byte-wise fold for every byte at every position (%zu wrong)",
           lits[l], bad);
    }
}

/* ---- messages: the exact detail, offset and hint of an error (issue 26) ---- */

#define CHUNKED SL "Transfer-Encoding: chunked\r\n\r\n"

typedef struct mcase {
    const char *id;
    const char *head;      /* the input: head, then unit `times` times, then tail */
    size_t head_len;       /* 0: strlen (a NUL inside needs the literal's length) */
    const char *unit, *tail;
    size_t times;
    unsigned lenient;
    httpref_code err;
    const char *detail;    /* exactly */
    int64_t offset;        /* in the stream: what was received counts */
    unsigned lenient_bit;  /* the flag a hint may name: only one that accepts it */
} mcase;

#define MSG(id, in, lenient, err, detail, off, bit) {id, in, sizeof(in) - 1, "", "", 0, lenient, err, detail, off, bit}

static const mcase messages[] = {
    /* a limit says which and its value */
    {"chunk extensions over max_chunk_ext", CHUNKED "5", 0, ";a=b", "\r\nhello\r\n0\r\n\r\n", 1100, 0,
     HTTPREF_E_CHUNK_EXT_TOO_LONG,
     "chunk extensions longer than the limit of 4096 bytes (HTTPREF_OPT_MAX_CHUNK_EXT) in "
     "\"5;a=b;a=b;a=b;a=b;a=b;a=...\"",
     47 + 1 + 4096, 0},
    {"a trailer flood over max_fields", CHUNKED "0\r\n", 0, "X-T: v\r\n", "\r\n", 101, 0, HTTPREF_E_TOO_MANY_FIELDS,
     "more field lines than the limit of 100 (HTTPREF_OPT_MAX_FIELDS) in the trailer section", 47 + 3 + 100 * 8, 0},
    {"a head over max_fields", SL, 0, "X-H: v\r\n", "\r\n", 101, 0, HTTPREF_E_TOO_MANY_FIELDS,
     "more field lines than the limit of 100 (HTTPREF_OPT_MAX_FIELDS) in the response head", 17 + 100 * 8, 0},
    /* a hint names only a flag that would accept the fault */
    MSG("NUL in a field value: no flag accepts it", SL "X: a\0b\r\nContent-Length: 0\r\n\r\n", 0,
        HTTPREF_E_BAD_RESPONSE_FIELD_VALUE, "unexpected \"\\x00\"", 21, 0),
    MSG("NUL in a field value with header-value-ctl: the same, still no flag",
        SL "X: a\0b\r\nContent-Length: 0\r\n\r\n", HTTPREF_LENIENT_HEADER_VALUE_CTL,
        HTTPREF_E_BAD_RESPONSE_FIELD_VALUE, "unexpected \"\\x00\"", 21, 0),
    MSG("0x01 in a field value: header-value-ctl accepts it", SL "X: a\x01" "b\r\nContent-Length: 0\r\n\r\n", 0,
        HTTPREF_E_BAD_RESPONSE_FIELD_VALUE, "unexpected \"\\x01\"", 21, HTTPREF_LENIENT_HEADER_VALUE_CTL),
    MSG("bare LF in the head: bare-lf accepts it", "HTTP/1.1 200 OK\nContent-Length: 0\n\n", 0, HTTPREF_E_BARE_LF,
        "LF without CR (strict mode) in the response head (got \"\\x0a\")", 15, HTTPREF_LENIENT_BARE_LF),
    MSG("bare LF in a chunk line: bare-lf does not", CHUNKED "5\nhello\r\n0\r\n\r\n", HTTPREF_LENIENT_BARE_LF,
        HTTPREF_E_BARE_LF, "invalid chunk size line \"5\"", 48, 0),
    MSG("two SP before the status code: spaces-in-status accepts them", "HTTP/1.1  200 OK\r\n\r\n", 0,
        HTTPREF_E_BAD_STATUS_LINE, "unexpected \" \"", 9, HTTPREF_LENIENT_SPACES_IN_STATUS),
    MSG("200OK: no flag", "HTTP/1.1 200OK\r\n\r\n", HTTPREF_LENIENT_SPACES_IN_STATUS, HTTPREF_E_BAD_STATUS_LINE,
        "unexpected \"O\"", 12, 0),
    MSG("HTTP/2.0: version accepts it", "HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n", 0, HTTPREF_E_BAD_VERSION,
        "unexpected \"2\"", 5, HTTPREF_LENIENT_VERSION),
    MSG("HTTP/1.01: version does not", "HTTP/1.01 200 OK\r\n\r\n", 0, HTTPREF_E_BAD_VERSION, "unexpected \"1\"", 8, 0),
    /* offsets count what was received */
    MSG("half a status line, then close", "HTTP/1.1 20", 0, HTTPREF_E_INCOMPLETE,
        "server closed the connection in the middle of the head", 11, 0),
    MSG("half a chunk-size line, then close", CHUNKED "5;a", 0, HTTPREF_E_INCOMPLETE,
        "server closed the connection before the body ended", 50, 0),
    /* framing errors name the field and its value, at the value */
    MSG("Content-Length +5", SL "Content-Length: +5\r\n\r\nhello", 0, HTTPREF_E_BAD_CONTENT_LENGTH,
        "Content-Length \"+5\" is not 1*DIGIT", 33, 0),
    MSG("Content-Length empty", SL "Content-Length: \r\n\r\n", 0, HTTPREF_E_BAD_CONTENT_LENGTH,
        "Content-Length \"\" is empty", 33, 0),
    MSG("two different Content-Length fields", SL "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello", 0,
        HTTPREF_E_CONFLICTING_CONTENT_LENGTH, "Content-Length \"6\" differs from Content-Length \"5\"", 52, 0),
    MSG("Transfer-Encoding and Content-Length",
        SL "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", 0, HTTPREF_E_TE_AND_CL,
        "Transfer-Encoding \"chunked\" together with Content-Length \"5\"", 36, HTTPREF_LENIENT_CHUNKED_LENGTH),
    MSG("Transfer-Encoding gzip", SL "Transfer-Encoding: gzip\r\n\r\nhello", 0, HTTPREF_E_UNSUPPORTED_TRANSFER_CODING,
        "Transfer-Encoding \"gzip\" names a coding this client does not decode (only chunked)", 36, 0),
    MSG("a coding after chunked", SL "Transfer-Encoding: chunked, gzip\r\n\r\n", 0, HTTPREF_E_BAD_TRANSFER_ENCODING,
        "Transfer-Encoding \"chunked, gzip\" has a coding after chunked", 36, 0),
};

/* head + unit * times + tail, malloc'd; *len its length */
static char *message_input(const mcase *m, size_t *len)
{
    size_t hl = m->head_len ? m->head_len : strlen(m->head), ul = strlen(m->unit), tl = strlen(m->tail);
    *len = hl + ul * m->times + tl;
    char *s = malloc(*len + 1), *p = s;
    memcpy(p, m->head, hl);
    p += hl;
    for (size_t i = 0; i < m->times; i++, p += ul)
        memcpy(p, m->unit, ul);
    memcpy(p, m->tail, tl + 1);
    return s;
}

static int message_is(const mcase *m, const outcome *o)
{
    return o->err == m->err && !strcmp(o->detail, m->detail) && o->err_off == m->offset &&
           o->lenient_bit == m->lenient_bit;
}

static void test_messages(void)
{
    for (size_t i = 0; i < sizeof messages / sizeof messages[0]; i++) {
        const mcase *m = &messages[i];
        tcase c = {.id = m->id, .lenient = m->lenient, .err = m->err};
        size_t len;
        char *in = message_input(m, &len);
        outcome o;
        run(&c, in, len, 0, 0, &o);
        ok(message_is(m, &o), "%s whole: %s \"%s\" at %lld, flag bit %u (got %s \"%s\" at %lld, %u)", m->id,
           httpref_code_name(m->err), m->detail, (long long)m->offset, m->lenient_bit, httpref_code_name(o.err),
           o.detail, (long long)o.err_off, o.lenient_bit);
        run(&c, in, len, 1, 0, &o);
        ok(message_is(m, &o), "%s byte by byte (got \"%s\" at %lld)", m->id, o.detail, (long long)o.err_off);
        int splits_ok = 1;
        for (size_t s = 1; s < len && splits_ok; s++) {
            run(&c, in, len, 0, s, &o);
            splits_ok = message_is(m, &o);
            if (!splits_ok)
                note("%s: split at %zu gives \"%s\" at %lld", m->id, s, o.detail, (long long)o.err_off);
        }
        ok(splits_ok, "%s at every two-way split", m->id);
        free(in);
    }
}

int main(void)
{
    subtest("table", test_all);
    subtest("ieq", test_ieq);
    subtest("limits", test_limits);
    subtest("reader api", test_reader_api);
    subtest("layer 1", test_layer1);
    subtest("messages", test_messages);
    return done_testing();
}
