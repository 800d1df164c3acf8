/*
 * h1_chunked: the chunked coding's own lines (RFC 9112 §7.1): the
 * chunk-size line with its extensions, the CRLF after each chunk's data, and
 * the trailer section after the last chunk. The data between is h1_body's.
 *
 *   chunked-body = *chunk last-chunk trailer-section CRLF
 *   chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
 *   chunk-size   = 1*HEXDIG
 *   chunk-ext    = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
 *   chunk-ext-val = token / quoted-string
 *
 * Rejections on a partial line only use bytes whose meaning more input
 * cannot change (Rule 1).
 */
#include "h1_parse.h"
#include "h1_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int is_ws(char c)
{
    return c == ' ' || c == '\t';
}

/* quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE (RFC 9110 §5.6.4),
 * from the opening quote at buf[i]: the index past it (len when the line is
 * cut short), or -(code) with *at at the offending byte */
static long quoted_string(const char *buf, size_t len, size_t i, size_t *at)
{
    for (i++; i < len; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c == '"')
            return (long)(i + 1);
        if (c == '\\') {
            if (i + 1 >= len)
                return (long)len;
            unsigned char q = (unsigned char)buf[i + 1];
            if (q != '\t' && (q < 0x20 || q == 0x7f)) {
                *at = i + 1;
                return -(long)HTTPREF_E_BAD_CHUNK_EXT;
            }
            i++;
            continue;
        }
        if (c != '\t' && (c < 0x20 || c == 0x7f)) {
            *at = i; /* CH-07: a CR inside an unbalanced quote would end the line for a lax parser */
            return -(long)HTTPREF_E_BAD_CHUNK_EXT;
        }
    }
    return (long)len;
}

/* one chunk-ext after its ";" at buf[i - 1]: name, then optionally "=" and a
 * value; the index after it, len when cut short, or -(code) with *at */
static long chunk_ext(const char *buf, size_t len, size_t i, size_t *at)
{
    while (i < len && is_ws(buf[i]))
        i++;
    size_t ns = i;
    while (i < len && h1_is_tchar((unsigned char)buf[i]))
        i++;
    if (i == len)
        return (long)len; /* re-checked with the limit by the caller */
    if (i == ns) {
        *at = i;
        return -(long)HTTPREF_E_BAD_CHUNK_EXT;
    }
    size_t save = i;
    while (i < len && is_ws(buf[i]))
        i++;
    if (i >= len || buf[i] != '=')
        return (long)(i < len ? save : i); /* no "=": back to before the whitespace */
    i++;
    while (i < len && is_ws(buf[i]))
        i++;
    if (i < len && buf[i] == '"')
        return quoted_string(buf, len, i, at);
    size_t vs = i;
    while (i < len && h1_is_tchar((unsigned char)buf[i]))
        i++;
    if (i < len && i == vs) {
        *at = i;
        return -(long)HTTPREF_E_BAD_CHUNK_EXT;
    }
    return (long)i;
}

/* the rest of a chunk-size line from buf[i], the first byte after the digits:
 * BWS then ";" (an extension) or, leniently, trailing whitespace, then CRLF.
 * The line length incl. CRLF, 0 for more bytes, or -(code) with *at. At
 * len == the limit's bound (clipped), "more bytes" means the extensions are
 * too long, reported at the first byte past the limit (limit_at). */
static long chunk_line_end(const h1_reader *r, const char *buf, size_t len, size_t i, int clipped, size_t limit_at,
                           size_t *at)
{
    const size_t digits_end = i;
    for (;;) {
        size_t ws = i;
        while (i < len && is_ws(buf[i]))
            i++;
        if (i < len && (buf[i] == '\r' || buf[i] == '\n')) {
            if (i > ws && !(r->lenient & HTTPREF_LENIENT_SPACES_AFTER_CHUNK_SIZE)) {
                *at = ws; /* CH-09: "5 ;" or "5 \r\n" splits parsers that stop at the space */
                return -(long)HTTPREF_E_BAD_CHUNK_SIZE;
            }
            if (buf[i] == '\n') { /* a bare LF in a chunk line: never, not even leniently */
                *at = i;
                return -(long)HTTPREF_E_BARE_LF;
            }
            if (i + 1 < len && buf[i + 1] != '\n') {
                *at = i;
                return -(long)HTTPREF_E_BARE_CR;
            }
            if (i + 1 < len)
                return (long)(i + 2);
        } else if (i < len && buf[i] != ';') {
            *at = i;
            return -(long)(i == ws && ws == digits_end ? HTTPREF_E_BAD_CHUNK_SIZE : HTTPREF_E_BAD_CHUNK_EXT);
        } else if (i < len) {
            long e = chunk_ext(buf, len, i + 1, at);
            if (e < 0)
                return e;
            i = (size_t)e;
            if (i < len)
                continue;
        }
        if (clipped) {
            *at = limit_at;
            return -(long)HTTPREF_E_CHUNK_EXT_TOO_LONG;
        }
        return 0;
    }
}

/* chunk-size [ chunk-ext ] CRLF: the line length incl. CRLF and *size, 0 for
 * more bytes, or -(code) with *at set */
static long chunk_size_line(h1_reader *r, const char *buf, size_t len, uint64_t *size, size_t *at)
{
    size_t i = 0;
    uint64_t v = 0;
    while (i < len && hexval(buf[i]) >= 0) {
        if (i == 16) { /* more than 64 bits: never wrap (SEC-02: a wrapped size frames another body) */
            *at = i;
            return -(long)HTTPREF_E_BAD_CHUNK_SIZE;
        }
        v = v * 16 + (uint64_t)hexval(buf[i]);
        i++;
    }
    if (i == len)
        return 0;
    if (i == 0 || v > (uint64_t)INT64_MAX) { /* no digits, or a size no body can have (CH-16) */
        *at = 0;
        return -(long)HTTPREF_E_BAD_CHUNK_SIZE;
    }
    *size = v;
    /* the first problem in byte order wins, whatever the split: look no
     * further than the limit, and if the line has not ended there, the
     * extensions are too long */
    size_t bound = i + r->lim.max_chunk_ext + 2;
    int clipped = len >= bound;
    return chunk_line_end(r, buf, clipped ? bound : len, i, clipped, i + r->lim.max_chunk_ext, at);
}

/* a bad chunk-size line, shown as received up to its end (24 bytes at most);
 * too long extensions name the limit, whitespace after the size its flag */
static h1_event chunk_size_fault(h1_reader *r, httpref_code code, const char *p, size_t n, size_t at)
{
    size_t show = 0;
    while (show < n && show < 24 && p[show] != '\r' && p[show] != '\n')
        show++;
    if (code == HTTPREF_E_CHUNK_EXT_TOO_LONG) {
        char what[96], fmt[128];
        h1_limit_text(r, code, "", what, sizeof what);
        snprintf(fmt, sizeof fmt, "%s in \"%%s...\"", what);
        return h1_reader_error(r, code, at, fmt, p, show);
    }
    int ws = code == HTTPREF_E_BAD_CHUNK_SIZE && at > 0 && is_ws(p[at]);
    h1_reader_error(r, code, at, ws ? "whitespace after the chunk size in \"%s\"" : "invalid chunk size line \"%s\"", p,
                    show);
    if (ws) /* with the flag "5 ;" and "5 \r\n" are read as "5;" and "5\r\n" */
        r->error_lenient = HTTPREF_LENIENT_SPACES_AFTER_CHUNK_SIZE & ~r->lenient;
    return H1_EV_ERROR;
}

h1_event h1_step_chunk_size(h1_reader *r, char *p, size_t n, size_t *used, const char **data, size_t *dlen)
{
    uint64_t size = 0;
    size_t at = 0;
    (void)data;
    (void)dlen;
    long got = chunk_size_line(r, p, n, &size, &at);
    if (got < 0)
        return chunk_size_fault(r, (httpref_code)-got, p, n, at);
    if (got == 0)
        return H1_EV_NEED_MORE;
    *used = (size_t)got;
    r->offset += (uint64_t)got;
    if (size == 0) {
        r->state = S_TRAILERS;
        r->scan_from = 0;
        r->nlines = 0;
    } else {
        r->remaining = size;
        r->state = S_CHUNK_DATA;
    }
    return H1_GO_ON;
}

h1_event h1_step_chunk_crlf(h1_reader *r, char *p, size_t n, size_t *used, const char **data, size_t *dlen)
{
    (void)data;
    (void)dlen;
    if (n == 0 || (n == 1 && p[0] == '\r'))
        return H1_EV_NEED_MORE;
    if (p[0] != '\r' || p[1] != '\n')
        return h1_reader_error(r, HTTPREF_E_BAD_CHUNK_DATA_END, 0, "chunk data not followed by CRLF but \"%s\"", p,
                               n < 8 ? n : 8);
    *used = 2;
    r->offset += 2;
    r->state = S_CHUNK_SIZE;
    return H1_GO_ON;
}

/* a fault the section scan found in the trailers: a limit says which and its
 * value (a flood of trailer lines is one) */
static h1_event trailer_section_fault(h1_reader *r, httpref_code code, const char *p, size_t n, size_t at)
{
    if (httpref_code_class(code) == HTTPREF_CLASS_LIMIT) {
        char what[128];
        h1_limit_text(r, code, "trailer", what, sizeof what);
        h1_reader_error(r, code, at, "%s", "", 0);
        snprintf(r->error_detail, sizeof r->error_detail, "%s in the trailer section", what);
        return H1_EV_ERROR;
    }
    return h1_reader_error(r, code == HTTPREF_E_BARE_LF ? HTTPREF_E_BAD_TRAILER : code, at,
                           "invalid trailer section at \"%s\"", p + at, at < n ? 1 : 0);
}

/* trailer-section = *( field-line CRLF ) CRLF (RFC 9112 §7.1.2). The bare-LF
 * leniency covers the head only: a trailer ends on CRLF */
h1_event h1_step_trailers(h1_reader *r, char *p, size_t n, size_t *used, const char **data, size_t *dlen)
{
    size_t scan = r->scan_from, at = 0;
    (void)data;
    (void)dlen;
    if (n >= 2 && p[0] == '\r' && p[1] == '\n') {
        *used = 2;
        r->offset += 2;
        r->state = S_DONE;
        return H1_GO_ON;
    }
    if (n < 2 && (n == 0 || p[0] == '\r'))
        return H1_EV_NEED_MORE;
    unsigned saved = r->lenient;
    r->lenient &= ~(unsigned)HTTPREF_LENIENT_BARE_LF;
    long end = h1_section_end(r, p, n, 0, &scan, 0, &at);
    r->lenient = saved;
    if (end < 0)
        return trailer_section_fault(r, (httpref_code)-end, p, n, at);
    if (end == 0) {
        r->scan_from = scan;
        return H1_EV_NEED_MORE;
    }
    size_t nt = r->field_cap, err_off = 0;
    long got = h1_parse_trailers(p, (size_t)end, r->field_buf, &nt, r->lenient, &r->lim, &err_off);
    if (got < 0 && httpref_code_class((httpref_code)-got) == HTTPREF_CLASS_LIMIT)
        return trailer_section_fault(r, (httpref_code)-got, p, n, err_off);
    if (got <= 0)
        return h1_reader_error(r, got == 0 ? HTTPREF_E_BAD_TRAILER : (httpref_code)-got, err_off,
                               "invalid trailer field at \"%s\"", p + err_off, err_off < n ? 1 : 0);
    r->trailers = r->field_buf;
    r->ntrailers = nt;
    r->offset += (uint64_t)got;
    r->state = S_DONE;
    *used = (size_t)got;
    return H1_EV_TRAILERS;
}
