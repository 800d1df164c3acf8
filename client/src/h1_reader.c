/*
 * h1_reader: one response, from bytes fed in any split to events. Each state
 * has its step (the table `steps`): the head here, the body bytes in
 * h1_body.c, the chunked coding's lines in h1_chunked.c.
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
 * r->offset counts every byte consumed so far, so inside a step the byte
 * p[x] sits at r->offset + x: error offsets are given relative to p.
 */
#include "h1_parse.h"
#include "h1_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

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

/* RFC 2616 §19.6 (HTTPREF_LENIENT_HTTP09): a reply without a status line is an
 * HTTP/0.9 body, until close */
static h1_event http09(h1_reader *r, size_t *consumed)
{
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

/* a framing fault names its field and value, and points at the value: buf is
 * the bytes the head was parsed from, at stream offset buf_off */
static h1_event framing_fault(h1_reader *r, httpref_code rc, const h1_framing_fault *f, const char *buf,
                              uint64_t buf_off)
{
    char v1[48], v2[48];
    h1_reader_error(r, rc, 0, "%s", "", 0);
    if (!f->field)
        return H1_EV_ERROR;
    h1_show(v1, sizeof v1, f->field->value, f->field->value_len < 32 ? f->field->value_len : 32);
    int n = snprintf(r->error_detail, sizeof r->error_detail, "%.*s \"%s%s\" %s", (int)f->field->name_len,
                     f->field->name, v1, f->field->value_len > 32 ? "..." : "", f->what);
    if (f->other && n > 0 && (size_t)n < sizeof r->error_detail) {
        h1_show(v2, sizeof v2, f->other->value, f->other->value_len < 32 ? f->other->value_len : 32);
        snprintf(r->error_detail + n, sizeof r->error_detail - (size_t)n, " %.*s \"%s%s\"", (int)f->other->name_len,
                 f->other->name, v2, f->other->value_len > 32 ? "..." : "");
    }
    r->error_offset = (int64_t)(buf_off + (uint64_t)(f->field->value - buf));
    /* with the flag, both framing fields present is read as chunked (RFC 9112 §6.3 r3) */
    if (rc == HTTPREF_E_TE_AND_CL)
        r->error_lenient = HTTPREF_LENIENT_CHUNKED_LENGTH & ~r->lenient;
    return H1_EV_ERROR;
}

/* a final head: its framing (RFC 9112 §6.3) picks the body's state */
static h1_event final_head(h1_reader *r, const char *buf, uint64_t buf_off)
{
    h1_framing_fault fault = {NULL, NULL, ""};
    httpref_code rc = h1_decide_framing(&r->head, r->request_was_head, r->lenient, &r->framing,
                                        &r->content_length, &r->must_close, &fault);
    char limit[120];
    if (rc != HTTPREF_OK)
        return framing_fault(r, rc, &fault, buf, buf_off);
    switch (r->framing) {
    case H1_FRAMING_NONE:
        r->state = S_DONE;
        break;
    case H1_FRAMING_LENGTH:
        if (r->lim.max_body && r->content_length > r->lim.max_body) {
            h1_limit_text(r, HTTPREF_E_BODY_TOO_LARGE, "", limit, sizeof limit);
            h1_reader_error(r, HTTPREF_E_BODY_TOO_LARGE, 0, "%s", "", 0);
            snprintf(r->error_detail, sizeof r->error_detail, "Content-Length %llu: %s",
                     (unsigned long long)r->content_length, limit);
            return H1_EV_ERROR;
        }
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

/* which flag would accept a fault in the head at buf[o] (the status line
 * starts at buf[start]): a hint names only a flag that changes the outcome */
static unsigned head_fault_lenient(const h1_reader *r, httpref_code code, const char *buf, size_t len, size_t start,
                                   size_t o)
{
    unsigned bit = 0;
    int c = o < len ? (unsigned char)buf[o] : -1;
    if (code == HTTPREF_E_BARE_LF)
        bit = HTTPREF_LENIENT_BARE_LF;
    else if (code == HTTPREF_E_BAD_STATUS_LINE && (c == ' ' || c == '\t'))
        bit = HTTPREF_LENIENT_SPACES_IN_STATUS; /* not "200OK", "HTTP/1.1200" */
    else if (code == HTTPREF_E_BAD_VERSION && o == start + 5 && o + 2 < len && buf[o] >= '0' && buf[o] <= '9' &&
             buf[o + 1] == '.' && buf[o + 2] >= '0' && buf[o + 2] <= '9')
        bit = HTTPREF_LENIENT_VERSION; /* a well-formed 0.x or 2+, not "HTTP/1.01" */
    else if (code == HTTPREF_E_BAD_RESPONSE_FIELD_VALUE && c > 0)
        bit = HTTPREF_LENIENT_HEADER_VALUE_CTL; /* never NUL */
    else if (code == HTTPREF_E_OBS_FOLD)
        bit = HTTPREF_LENIENT_OBS_FOLD_FRAMING;
    return bit & ~r->lenient;
}

/* a fault the section scan found in the head: a limit says which and its value */
static h1_event head_section_fault(h1_reader *r, httpref_code code, const char *buf, size_t len, size_t start,
                                   size_t at)
{
    char what[128];
    if (httpref_code_class(code) == HTTPREF_CLASS_LIMIT) {
        h1_limit_text(r, code, "header", what, sizeof what);
        h1_reader_error(r, code, at, "%s", "", 0);
        snprintf(r->error_detail, sizeof r->error_detail, "%s in the response head", what);
    } else {
        snprintf(what, sizeof what, "%s in the response head (got \"%%s\")", httpref_strerror(code));
        h1_reader_error(r, code, at, what, buf + at, at < len ? 1 : 0);
    }
    r->error_lenient = head_fault_lenient(r, code, buf, len, start, at);
    return H1_EV_ERROR;
}

static h1_event step_head(h1_reader *r, char *buf, size_t len, size_t *consumed, const char **data, size_t *dlen)
{
    size_t start = 0, at = 0;
    (void)data;
    (void)dlen;
    if (len)
        r->seen_bytes = 1;
    /* leading CRLFs before a status line MAY be discarded (RFC 9112 §9.2; SL-24) */
    while (start + 1 < len && buf[start] == '\r' && buf[start + 1] == '\n')
        start += 2;
    if (start + 1 == len && buf[start] == '\r')
        return H1_EV_NEED_MORE;
    /* "HTTP/" is case-sensitive and comes first: reject TLS, SSH, HTML at once (SL-28) */
    size_t have = len - start < 5 ? len - start : 5;
    if (memcmp(buf + start, "HTTP/", have) != 0) {
        if (r->lenient & HTTPREF_LENIENT_HTTP09)
            return http09(r, consumed);
        h1_reader_error(r, HTTPREF_E_NOT_HTTP, start, "reply does not start with \"HTTP/\" but \"%s\"", buf + start,
                        have);
        r->error_lenient = HTTPREF_LENIENT_HTTP09;
        return H1_EV_ERROR;
    }
    size_t scan = r->scan_from > start ? r->scan_from : start;
    long end = h1_section_end(r, buf, len, start, &scan, 1, &at);
    if (end < 0)
        return head_section_fault(r, (httpref_code)-end, buf, len, start, at);
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
        if (httpref_code_class(code) == HTTPREF_CLASS_LIMIT) /* fields past the caller's storage */
            return head_section_fault(r, code, buf, len, start, o);
        h1_reader_error(r, code, o, "unexpected \"%s\"", buf + o, o < len ? 1 : 0);
        r->error_lenient = head_fault_lenient(r, code, buf, len, start, o);
        return H1_EV_ERROR;
    }
    r->scan_from = 0;
    r->nlines = 0;
    *consumed = (size_t)end;
    r->offset += (uint64_t)end;
    if (r->head.status < 200) {
        if (r->head.status == 101)
            return h1_reader_error(r, HTTPREF_E_UNEXPECTED_101, 0,
                         "101 Switching Protocols%s without an Upgrade request", "", 0);
        if (++r->interim_count > r->lim.max_interim) {
            char what[120];
            h1_limit_text(r, HTTPREF_E_TOO_MANY_INTERIM, "", what, sizeof what);
            h1_reader_error(r, HTTPREF_E_TOO_MANY_INTERIM, 0, "%s", "", 0);
            snprintf(r->error_detail, sizeof r->error_detail, "%s", what);
            return H1_EV_ERROR;
        }
        return H1_EV_INTERIM;
    }
    return final_head(r, buf, r->offset - (uint64_t)end);
}

/* the step for each state: one small function per framing, as h11's readers */
static h1_event step_done(h1_reader *r, char *p, size_t n, size_t *used, const char **data, size_t *dlen)
{
    (void)r, (void)p, (void)n, (void)used, (void)data, (void)dlen;
    return H1_EV_DONE;
}

static h1_event step_failed(h1_reader *r, char *p, size_t n, size_t *used, const char **data, size_t *dlen)
{
    (void)r, (void)p, (void)n, (void)used, (void)data, (void)dlen;
    return H1_EV_ERROR;
}

static const h1_step steps[] = {
    [S_HEAD] = step_head,
    [S_LENGTH] = h1_step_body,
    [S_CHUNK_SIZE] = h1_step_chunk_size,
    [S_CHUNK_DATA] = h1_step_body,
    [S_CHUNK_CRLF] = h1_step_chunk_crlf,
    [S_TRAILERS] = h1_step_trailers,
    [S_UNTIL_CLOSE] = h1_step_body,
    [S_DONE] = step_done,
    [S_ERROR] = step_failed,
};

h1_event h1_reader_feed(h1_reader *r, char *buf, size_t len, size_t *consumed, const char **data,
                        size_t *data_len)
{
    size_t pos = 0;
    *data = NULL;
    *data_len = 0;
    for (;;) {
        size_t used = 0;
        h1_event ev = steps[r->state](r, buf + pos, len - pos, &used, data, data_len);
        pos += used;
        r->pending = ev == H1_EV_NEED_MORE ? len - pos : 0;
        if (ev != H1_GO_ON) {
            *consumed = ev == H1_EV_ERROR ? 0 : pos; /* a fault consumes nothing */
            return ev;
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
        if (r->offset == 0 && !r->seen_bytes)
            return h1_reader_error(r, HTTPREF_E_EMPTY_REPLY, 0,
                         "server closed the connection without sending anything%s", "", 0);
        /* the offset is where the stream ended: past the partial line too */
        return h1_reader_error(r, HTTPREF_E_INCOMPLETE, r->pending,
                               "server closed the connection in the middle of the head%s", "", 0);
    default:
        return h1_reader_error(r, HTTPREF_E_INCOMPLETE, r->pending,
                               "server closed the connection before the body ended%s", "", 0);
    }
}
