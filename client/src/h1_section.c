/*
 * h1_section: what every reader step shares: the error event and the scan
 * for the end of a field section (a response head or a trailer section).
 * Rule 1 (any split gives the same result) holds because the scan decides
 * on complete lines only, and rejects early only on bytes whose meaning
 * more input cannot change.
 */
#include "h1_parse.h"
#include "h1_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

size_t h1_show(char *out, size_t cap, const char *bytes, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 5 < cap; i++) {
        unsigned char c = (unsigned char)bytes[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
            out[k++] = (char)c;
        else
            k += (size_t)snprintf(out + k, cap - k, "\\x%02x", c);
    }
    out[k] = 0;
    return k;
}

h1_event h1_reader_error(h1_reader *r, httpref_code code, size_t at, const char *fmt, const char *bytes,
                         size_t n)
{
    char shown[48];
    h1_show(shown, sizeof shown, bytes, n);
    r->state = S_ERROR;
    r->error = code;
    r->error_offset = (int64_t)(r->offset + at);
    r->error_lenient = 0;
    snprintf(r->error_detail, sizeof r->error_detail, fmt, shown);
    return H1_EV_ERROR;
}

void h1_limit_text(const h1_reader *r, httpref_code code, const char *section, char *out, size_t cap)
{
    static const struct {
        httpref_code code;
        const char *what, *unit, *option;
    } limits[] = {
        {HTTPREF_E_STATUS_LINE_TOO_LONG, "status line longer than", " bytes", "MAX_STATUS_LINE"},
        {HTTPREF_E_FIELD_TOO_LONG, "field line longer than", " bytes", "MAX_FIELD_LINE"},
        {HTTPREF_E_HEADER_TOO_LARGE, "section larger than", " bytes", "MAX_HEADER_BYTES"},
        {HTTPREF_E_TOO_MANY_FIELDS, "more field lines than", "", "MAX_FIELDS"},
        {HTTPREF_E_TOO_MANY_INTERIM, "more 1xx responses than", "", "MAX_INTERIM"},
        {HTTPREF_E_CHUNK_EXT_TOO_LONG, "chunk extensions longer than", " bytes", "MAX_CHUNK_EXT"},
        {HTTPREF_E_BODY_TOO_LARGE, "body larger than", " bytes", "MAX_BODY"},
    };
    /* the storage a caller gave for fields can bound them below max_fields */
    const size_t values[] = {r->lim.max_status_line, r->lim.max_field_line, r->lim.max_header_bytes,
                             r->field_cap,           r->lim.max_interim,    r->lim.max_chunk_ext,
                             (size_t)r->lim.max_body};
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        if (limits[i].code == code) {
            int whole = code == HTTPREF_E_HEADER_TOO_LARGE; /* "header section", "trailer section" */
            snprintf(out, cap, "%s%s%s the limit of %zu%s (HTTPREF_OPT_%s)", whole ? section : "", whole ? " " : "",
                     limits[i].what, values[i], limits[i].unit, limits[i].option);
            return;
        }
    }
    snprintf(out, cap, "%s", httpref_strerror(code));
}

/* Where does the field section starting at buf[from] end? Scans only
 * complete lines, from *scan (resumable; r->nlines counts the field lines
 * seen), enforcing the limits as soon as a line (even a partial one) crosses
 * them. Returns the end offset (just past the empty line), 0 when more bytes
 * are needed, or -(code) with *at set. */
long h1_section_end(h1_reader *r, const char *buf, size_t len, size_t from, size_t *scan, int status,
                    size_t *at)
{
    size_t i = *scan;
    for (;;) {
        int is_status = status && i == from;
        /* look no further than the limits: the first problem in byte order
         * wins whatever the split, and a line not ended by its limit is too
         * long (reported at its first byte) */
        size_t line_bound = i + (is_status ? r->lim.max_status_line : r->lim.max_field_line) + 2;
        size_t total_bound = from + r->lim.max_header_bytes; /* the whole head, final CRLF included */
        size_t bound = line_bound < total_bound ? line_bound : total_bound;
        size_t window = len < bound ? len : bound;
        const char *nl = i < window ? memchr(buf + i, '\n', window - i) : NULL;
        size_t end = nl ? (size_t)(nl - buf) : window;
        /* a CR anywhere but right before LF is bare (RFC 9112 §2.2): reject at
         * once. Only the first CR can be the line's own, so one memchr decides */
        const char *cr = i < end ? memchr(buf + i, '\r', end - i) : NULL;
        if (cr) {
            size_t c = (size_t)(cr - buf);
            if (c + 1 < end || (!nl && c + 1 < window)) {
                *at = c;
                return -(long)HTTPREF_E_BARE_CR;
            }
        }
        if (!nl) {
            if (len >= bound) {
                *at = i;
                if (line_bound <= total_bound)
                    return -(long)(is_status ? HTTPREF_E_STATUS_LINE_TOO_LONG : HTTPREF_E_FIELD_TOO_LONG);
                return -(long)HTTPREF_E_HEADER_TOO_LARGE;
            }
            *scan = i;
            return 0;
        }
        if (end == i || buf[end - 1] != '\r') {
            if (!(r->lenient & HTTPREF_LENIENT_BARE_LF)) {
                *at = end;
                return -(long)HTTPREF_E_BARE_LF;
            }
        }
        size_t content = (end > i && buf[end - 1] == '\r') ? end - i - 1 : end - i;
        if (content == 0 && !is_status)
            return (long)(end + 1);
        if (!is_status && ++r->nlines > r->lim.max_fields) {
            *at = i;
            return -(long)HTTPREF_E_TOO_MANY_FIELDS;
        }
        i = end + 1;
    }
}
