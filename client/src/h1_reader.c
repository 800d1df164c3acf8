/*
 * h1_reader: one response, from bytes fed in any split to events.
 *
 *   state          input                      next state       event
 *   HEAD           incomplete head            HEAD             NEED_MORE (consumed 0)
 *   HEAD           1xx head (not 101)         HEAD             INTERIM
 *   HEAD           final head                 by framing       HEAD
 *   LENGTH         bytes, remaining > 0       LENGTH           BODY
 *   LENGTH         remaining == 0             DONE             DONE
 *   CHUNK_SIZE     size line, size > 0        CHUNK_DATA       (none: go on)
 *   CHUNK_SIZE     last-chunk line            TRAILERS
 *   CHUNK_DATA     bytes                      CHUNK_DATA/_CRLF BODY
 *   CHUNK_CRLF     exactly CRLF               CHUNK_SIZE
 *   TRAILERS       CRLF                       DONE             DONE
 *   TRAILERS       field section              DONE             TRAILERS
 *   UNTIL_CLOSE    bytes                      UNTIL_CLOSE      BODY
 *   UNTIL_CLOSE    eof                        DONE             DONE
 *   any            malformed input            ERROR            ERROR
 *
 * Rule 1 (any split gives the same events) holds because every decision
 * waits for the whole line it depends on, and early rejections look only
 * at bytes whose meaning cannot change with more input.
 * Rule 3: nothing past the framed message is consumed.
 * r->offset counts every byte consumed so far, so inside the feed loop the
 * byte p[x] sits at r->offset + x: error offsets are given relative to p.
 */
#include "h1_parse.h"
#include "h1_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum {
    S_HEAD = 0,
    S_LENGTH,
    S_CHUNK_SIZE,
    S_CHUNK_DATA,
    S_CHUNK_CRLF,
    S_TRAILERS,
    S_UNTIL_CLOSE,
    S_DONE,
    S_ERROR
};

/* chunk_flags bit: the reader has seen bytes of the current head */
#define SEEN_BYTES 1

static h1_event error(h1_reader *r, httpref_code code, size_t at, const char *fmt, const char *bytes,
                      size_t n)
{
    char shown[48];
    size_t k = 0;
    for (size_t i = 0; i < n && k + 5 < sizeof shown; i++) {
        unsigned char c = (unsigned char)bytes[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
            shown[k++] = (char)c;
        else
            k += (size_t)snprintf(shown + k, sizeof shown - k, "\\x%02x", c);
    }
    shown[k] = 0;
    r->state = S_ERROR;
    r->error = code;
    r->error_offset = (int64_t)(r->offset + at);
    snprintf(r->error_detail, sizeof r->error_detail, fmt, shown);
    return H1_EV_ERROR;
}

void h1_reader_init(h1_reader *r, const h1_limits *lim, unsigned lenient, int request_was_head,
                    httpref_field *field_buf, size_t field_cap)
{
    memset(r, 0, sizeof *r);
    if (lim)
        r->lim = *lim;
    else
        h1_limits_default(&r->lim);
    r->lenient = lenient;
    r->request_was_head = request_was_head;
    r->field_buf = field_buf;
    r->field_cap = field_cap < r->lim.max_fields ? field_cap : r->lim.max_fields;
    r->state = S_HEAD;
}

/* Where does the field section starting at buf[from] end? Scans only
 * complete lines, from *scan (resumable), enforcing the limits as soon as a
 * line (even a partial one) crosses them. Returns the end offset (just past
 * the empty line), 0 when more bytes are needed, or -(code) with *at set. */
static long find_section_end(h1_reader *r, const char *buf, size_t len, size_t from, size_t *scan, int status,
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
        if (!is_status && ++r->ext_len > r->lim.max_fields) { /* ext_len: field lines so far */
            *at = i;
            return -(long)HTTPREF_E_TOO_MANY_FIELDS;
        }
        i = end + 1;
    }
}

static h1_event head_step(h1_reader *r, char *buf, size_t len, size_t *consumed)
{
    size_t start = 0, at = 0;
    if (len)
        r->chunk_flags |= SEEN_BYTES;
    /* leading CRLFs before a status line MAY be discarded (RFC 9112 §9.2; SL-24) */
    while (start + 1 < len && buf[start] == '\r' && buf[start + 1] == '\n')
        start += 2;
    if (start + 1 == len && buf[start] == '\r')
        return H1_EV_NEED_MORE;
    /* "HTTP/" is case-sensitive and comes first: reject TLS, SSH, HTML at once (SL-28) */
    size_t have = len - start < 5 ? len - start : 5;
    if (memcmp(buf + start, "HTTP/", have) != 0) {
        if (r->lenient & HTTPREF_LENIENT_HTTP09) {
            /* RFC 2616 §19.6: an HTTP/0.9 reply is the body, until close */
            r->head.version_major = 0;
            r->head.version_minor = 9;
            r->head.status = 200;
            r->head.reason = "";
            r->head.reason_len = 0;
            r->head.status_line = "";
            r->head.status_line_len = 0;
            r->head.fields = r->field_buf;
            r->head.nfields = 0;
            r->framing = H1_FRAMING_UNTIL_CLOSE;
            r->must_close = 1;
            r->state = S_UNTIL_CLOSE;
            *consumed = 0;
            return H1_EV_HEAD;
        }
        return error(r, HTTPREF_E_NOT_HTTP, start, "reply does not start with \"HTTP/\" but \"%s\"",
                     buf + start, have);
    }
    size_t scan = r->scan_from > start ? r->scan_from : start;
    long end = find_section_end(r, buf, len, start, &scan, 1, &at);
    if (end < 0) {
        httpref_code code = (httpref_code)-end;
        char fmt[96];
        snprintf(fmt, sizeof fmt, "%s in the response head (got \"%%s\")", httpref_strerror(code));
        return error(r, code, at, fmt, buf + at, at < len ? 1 : 0);
    }
    if (end == 0) {
        r->scan_from = scan;
        *consumed = 0;
        return H1_EV_NEED_MORE;
    }
    r->head.fields = r->field_buf;
    r->head.nfields = r->field_cap;
    size_t err_off = 0;
    long used = h1_parse_head(buf + start, (size_t)end - start, &r->head, r->lenient, &r->lim, &err_off);
    if (used <= 0) {
        httpref_code code = used == 0 ? HTTPREF_E_INTERNAL : (httpref_code)-used;
        size_t o = start + err_off;
        return error(r, code, o, "unexpected \"%s\"", buf + o, o < len ? 1 : 0);
    }
    r->scan_from = 0;
    r->ext_len = 0;
    *consumed = (size_t)end;
    r->offset += (uint64_t)end;
    if (r->head.status < 200) {
        if (r->head.status == 101)
            return error(r, HTTPREF_E_UNEXPECTED_101, 0,
                         "101 Switching Protocols%s without an Upgrade request", "", 0);
        if (++r->interim_count > r->lim.max_interim)
            return error(r, HTTPREF_E_TOO_MANY_INTERIM, 0, "more 1xx responses than allowed%s", "", 0);
        return H1_EV_INTERIM;
    }
    httpref_code rc = h1_decide_framing(&r->head, r->request_was_head, r->lenient, &r->framing,
                                        &r->content_length, &r->must_close);
    if (rc != HTTPREF_OK)
        return error(r, rc, 0, "%sframing fields of the response head", "", 0);
    switch (r->framing) {
    case H1_FRAMING_NONE:
        r->state = S_DONE;
        break;
    case H1_FRAMING_LENGTH:
        if (r->lim.max_body && r->content_length > r->lim.max_body)
            return error(r, HTTPREF_E_BODY_TOO_LARGE, 0, "Content-Length over the body limit%s", "", 0);
        r->remaining = r->content_length;
        r->state = S_LENGTH;
        break;
    case H1_FRAMING_CHUNKED:
        r->state = S_CHUNK_SIZE;
        break;
    case H1_FRAMING_UNTIL_CLOSE:
        r->state = S_UNTIL_CLOSE;
        break;
    }
    return H1_EV_HEAD;
}

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

/* chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF        (RFC 9112 §7.1)
 * chunk-size = 1*HEXDIG; chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] )
 * ext-val = token / quoted-string. Returns the line length incl. CRLF, 0 for
 * more bytes, or -(code) with *at set. Rejections on a partial line only use
 * bytes whose meaning more input cannot change. */
static long chunk_size_line(h1_reader *r, const char *buf, size_t len, uint64_t *size, size_t *at)
{
    size_t i = 0;
    uint64_t v = 0;
    while (i < len && hexval(buf[i]) >= 0) {
        if (i == 16) { /* more than 64 bits: never wrap (SEC-02) */
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
    size_t ext_start = i;
    /* the first problem in byte order wins, whatever the split: look no
     * further than the limit, and if the line has not ended there, the
     * extensions are too long (reported at the first byte past the limit) */
    size_t bound = ext_start + r->lim.max_chunk_ext + 2;
    int clipped = len >= bound;
    if (clipped)
        len = bound;
#define MORE_OR_LIMIT()                                                                                      \
    (clipped ? (*at = ext_start + r->lim.max_chunk_ext, -(long)HTTPREF_E_CHUNK_EXT_TOO_LONG) : 0)
    /* BWS then ';' (extension) or, leniently, trailing whitespace then CRLF */
    for (;;) {
        size_t ws = i;
        while (i < len && (buf[i] == ' ' || buf[i] == '\t'))
            i++;
        if (i == len)
            return MORE_OR_LIMIT();
        if (buf[i] == '\r' || buf[i] == '\n') {
            if (i > ws && !(r->lenient & HTTPREF_LENIENT_SPACES_AFTER_CHUNK_SIZE)) {
                *at = ws;
                return -(long)HTTPREF_E_BAD_CHUNK_SIZE; /* CH-09 */
            }
            if (buf[i] == '\n') { /* bare LF in a chunk line: never (CH rows) */
                *at = i;
                return -(long)HTTPREF_E_BARE_LF;
            }
            if (i + 1 == len)
                return MORE_OR_LIMIT();
            if (buf[i + 1] != '\n') {
                *at = i;
                return -(long)HTTPREF_E_BARE_CR;
            }
            return (long)(i + 2);
        }
        if (buf[i] != ';') {
            *at = i;
            return -(long)(i == ws && ws == ext_start ? HTTPREF_E_BAD_CHUNK_SIZE : HTTPREF_E_BAD_CHUNK_EXT);
        }
        i++;
        while (i < len && (buf[i] == ' ' || buf[i] == '\t'))
            i++;
        size_t ns = i;
        while (i < len && h1_is_tchar((unsigned char)buf[i]))
            i++;
        if (i == len)
            continue; /* re-checked with the limit at the top */
        if (i == ns) {
            *at = i;
            return -(long)HTTPREF_E_BAD_CHUNK_EXT;
        }
        size_t save = i;
        while (i < len && (buf[i] == ' ' || buf[i] == '\t'))
            i++;
        if (i < len && buf[i] == '=') {
            i++;
            while (i < len && (buf[i] == ' ' || buf[i] == '\t'))
                i++;
            if (i < len && buf[i] == '"') {
                /* quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE (RFC 9110 §5.6.4) */
                i++;
                for (;;) {
                    if (i >= len)
                        break;
                    unsigned char c = (unsigned char)buf[i];
                    if (c == '"') {
                        i++;
                        break;
                    }
                    if (c == '\\') {
                        if (i + 1 >= len) {
                            i = len;
                            break;
                        }
                        unsigned char q = (unsigned char)buf[i + 1];
                        if (q != '\t' && (q < 0x20 || q == 0x7f)) {
                            *at = i + 1;
                            return -(long)HTTPREF_E_BAD_CHUNK_EXT;
                        }
                        i += 2;
                        continue;
                    }
                    if (c != '\t' && (c < 0x20 || c == 0x7f)) {
                        *at = i; /* CH-07: a CR inside an unbalanced quote */
                        return -(long)HTTPREF_E_BAD_CHUNK_EXT;
                    }
                    i++;
                }
            } else {
                size_t vs = i;
                while (i < len && h1_is_tchar((unsigned char)buf[i]))
                    i++;
                if (i < len && i == vs) {
                    *at = i;
                    return -(long)HTTPREF_E_BAD_CHUNK_EXT;
                }
            }
        } else if (i < len) {
            i = save; /* no "=": back to before the whitespace */
        }
    }
#undef MORE_OR_LIMIT
}

h1_event h1_reader_feed(h1_reader *r, char *buf, size_t len, size_t *consumed, const char **data,
                        size_t *data_len)
{
    size_t pos = 0;
    *consumed = 0;
    *data = NULL;
    *data_len = 0;
    for (;;) {
        char *p = buf + pos;
        size_t n = len - pos;
        switch (r->state) {
        case S_HEAD: {
            size_t used = 0;
            h1_event ev = head_step(r, p, n, &used);
            *consumed = pos + used;
            return ev;
        }
        case S_LENGTH:
        case S_CHUNK_DATA:
        case S_UNTIL_CLOSE: {
            if (r->state == S_LENGTH && r->remaining == 0) {
                r->state = S_DONE;
                continue;
            }
            if (r->state == S_CHUNK_DATA && r->remaining == 0) {
                r->state = S_CHUNK_CRLF;
                continue;
            }
            if (n == 0) {
                *consumed = pos;
                return H1_EV_NEED_MORE;
            }
            size_t k = n;
            if (r->state != S_UNTIL_CLOSE && (uint64_t)k > r->remaining)
                k = (size_t)r->remaining;
            if (r->lim.max_body && r->body_seen + k > r->lim.max_body)
                return error(r, HTTPREF_E_BODY_TOO_LARGE, 0, "body over the limit%s", "", 0);
            if (r->state != S_UNTIL_CLOSE)
                r->remaining -= k;
            r->body_seen += k;
            r->offset += k;
            *data = p;
            *data_len = k;
            *consumed = pos + k;
            return H1_EV_BODY;
        }
        case S_CHUNK_SIZE: {
            uint64_t size = 0;
            size_t at = 0;
            long used = chunk_size_line(r, p, n, &size, &at);
            if (used < 0) {
                size_t show = 0; /* the chunk line as received, up to its end */
                while (show < n && show < 24 && p[show] != '\r' && p[show] != '\n')
                    show++;
                return error(r, (httpref_code)-used, at,
                             (httpref_code)-used == HTTPREF_E_BAD_CHUNK_SIZE && at > 0 &&
                                     (p[at] == ' ' || p[at] == '\t')
                                 ? "whitespace after the chunk size in \"%s\""
                                 : "invalid chunk size line \"%s\"",
                             p, show);
            }
            if (used == 0) {
                *consumed = pos;
                return H1_EV_NEED_MORE;
            }
            pos += (size_t)used;
            r->offset += (uint64_t)used;
            if (size == 0) {
                r->state = S_TRAILERS;
                r->scan_from = 0;
                r->ext_len = 0;
            } else {
                r->remaining = size;
                r->state = S_CHUNK_DATA;
            }
            continue;
        }
        case S_CHUNK_CRLF:
            if (n == 0 || (n == 1 && p[0] == '\r')) {
                *consumed = pos;
                return H1_EV_NEED_MORE;
            }
            if (p[0] != '\r' || p[1] != '\n')
                return error(r, HTTPREF_E_BAD_CHUNK_DATA_END, 0, "chunk data not followed by CRLF but \"%s\"",
                             p, n < 8 ? n : 8);
            pos += 2;
            r->offset += 2;
            r->state = S_CHUNK_SIZE;
            continue;
        case S_TRAILERS: {
            size_t scan = r->scan_from, at = 0;
            if (n >= 2 && p[0] == '\r' && p[1] == '\n') {
                pos += 2;
                r->offset += 2;
                r->state = S_DONE;
                continue;
            }
            if (n < 2 && (n == 0 || p[0] == '\r')) {
                *consumed = pos;
                return H1_EV_NEED_MORE;
            }
            unsigned saved = r->lenient;
            r->lenient &= ~(unsigned)HTTPREF_LENIENT_BARE_LF; /* the LF leniency covers the head only */
            long end = find_section_end(r, p, n, 0, &scan, 0, &at);
            r->lenient = saved;
            if (end < 0)
                return error(
                    r, (httpref_code)-end == HTTPREF_E_BARE_LF ? HTTPREF_E_BAD_TRAILER : (httpref_code)-end,
                    at, "invalid trailer section at \"%s\"", p + at, at < n ? 1 : 0);
            if (end == 0) {
                r->scan_from = scan;
                *consumed = pos;
                return H1_EV_NEED_MORE;
            }
            size_t nt = r->field_cap, err_off = 0;
            long used = h1_parse_trailers(p, (size_t)end, r->field_buf, &nt, r->lenient, &r->lim, &err_off);
            if (used <= 0)
                return error(r, used == 0 ? HTTPREF_E_BAD_TRAILER : (httpref_code)-used, err_off,
                             "invalid trailer field at \"%s\"", p + err_off, err_off < n ? 1 : 0);
            r->trailers = r->field_buf;
            r->ntrailers = nt;
            r->offset += (uint64_t)used;
            r->state = S_DONE;
            *consumed = pos + (size_t)used;
            return H1_EV_TRAILERS;
        }
        case S_DONE:
            *consumed = pos;
            return H1_EV_DONE;
        default:
            *consumed = pos;
            return H1_EV_ERROR;
        }
    }
}

h1_event h1_reader_eof(h1_reader *r)
{
    switch (r->state) {
    case S_UNTIL_CLOSE:
    case S_DONE:
        r->state = S_DONE;
        return H1_EV_DONE;
    case S_ERROR:
        return H1_EV_ERROR;
    case S_HEAD:
        if (r->offset == 0 && !(r->chunk_flags & SEEN_BYTES))
            return error(r, HTTPREF_E_EMPTY_REPLY, 0,
                         "server closed the connection without sending anything%s", "", 0);
        return error(r, HTTPREF_E_INCOMPLETE, 0, "server closed the connection in the middle of the head%s",
                     "", 0);
    default:
        return error(r, HTTPREF_E_INCOMPLETE, 0, "server closed the connection before the body ended%s", "",
                     0);
    }
}
