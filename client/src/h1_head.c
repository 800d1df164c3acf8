/*
 * h1_head: status line and field section of a response (RFC 9112 §4, §5;
 * RFC 9110 §5). Works on one contiguous, complete head; the reader in
 * h1_reader.c finds where a head ends (and enforces the limits) first.
 * No allocation; fields point into the caller's buffer.
 */
#include "h1_parse.h"
#include "h1_internal.h"

#include <stdint.h>
#include <string.h>

void h1_limits_default(h1_limits *lim)
{
    lim->max_status_line = 8192;
    lim->max_field_line = 16384;
    lim->max_header_bytes = 65536;
    lim->max_fields = 100;
    lim->max_interim = 16;
    lim->max_chunk_ext = 4096;
    lim->max_body = 0;
}

/* Byte classes for the hot loops, one lookup per byte (tools/bench: parser):
 * H1_TCHAR  tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
 *                   "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA  (RFC 9110 §5.6.2)
 * H1_NOT_TEXT  not plain field-value text: CTLs but HTAB, and DEL (NUL, CR and
 *                   LF among them); SP, VCHAR and obs-text are text (§5.5) */
const unsigned char h1_class[256] = {
    2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1, 0,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 2,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* 8 bytes of field-value text at once: no byte below 0x20 (which also flags
 * HTAB, then checked bytewise) and none equal to DEL; obs-text (>= 0x80) passes.
 * The bit tricks are the classic "has less than" / "has zero" word tests. */
static int word_is_text(const char *p)
{
    uint64_t w, del;
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    memcpy(&w, p, 8);
    del = w ^ (ones * 0x7f);
    return !(((w - ones * 0x20) & ~w & highs) | ((del - ones) & ~del & highs));
}

/* the end of the run of field-value text starting at i: the first byte that is
 * not text (CR, LF, NUL, another CTL, DEL), or len */
static size_t text_run(const char *buf, size_t len, size_t i)
{
    for (;;) {
        while (i + 8 <= len && word_is_text(buf + i))
            i += 8;
        size_t stop = i + 8 < len ? i + 8 : len;
        while (i < stop && !(h1_class[(unsigned char)buf[i]] & H1_NOT_TEXT))
            i++;
        if (i < stop || i >= len)
            return i;
    }
}

/* one byte of a field value (or of an obs-fold continuation): the code that
 * refuses it, else HTTPREF_OK. CR and LF only end a line; a CTL other than HTAB,
 * or DEL, needs HTTPREF_LENIENT_HEADER_VALUE_CTL, and NUL is refused even then
 * (RFC 9110 §5.5) */
static httpref_code value_byte(unsigned char c, unsigned lenient)
{
    if (c == '\r')
        return HTTPREF_E_BARE_CR;
    if (c == '\n')
        return HTTPREF_E_BARE_LF;
    if ((h1_class[c] & H1_NOT_TEXT) && (c == 0 || !(lenient & HTTPREF_LENIENT_HEADER_VALUE_CTL)))
        return HTTPREF_E_BAD_RESPONSE_FIELD_VALUE;
    return HTTPREF_OK;
}

static long fail(size_t *err_off, size_t at, httpref_code code)
{
    *err_off = at;
    return -(long)code;
}

/* line end at buf[i]: CRLF (2) or, with the flag, bare LF (1); 0 = not a line end */
static size_t eol_len(const char *buf, size_t len, size_t i, unsigned lenient)
{
    if (i + 1 < len && buf[i] == '\r' && buf[i + 1] == '\n')
        return 2;
    if (i < len && buf[i] == '\n' && (lenient & HTTPREF_LENIENT_BARE_LF))
        return 1;
    return 0;
}

/* status-line = HTTP-version SP status-code SP [ reason-phrase ]   (RFC 9112 §4)
 * Each step below takes the line from buf[i] and returns the index past its
 * part, 0 when the line is cut short there (running out of bytes anywhere is
 * "incomplete", never a verdict and never a read past len), or -(code). */

/* HTTP-version = HTTP-name "/" DIGIT "." DIGIT, HTTP-name = %s"HTTP" (§2.3) */
static long status_version(const char *buf, size_t len, h1_head *out, unsigned lenient, size_t *err_off)
{
    size_t i = 5;
    if (memcmp(buf, "HTTP/", len < 5 ? len : 5) != 0)
        return fail(err_off, 0, HTTPREF_E_NOT_HTTP);
    if (len < 8)
        return 0;
    if (buf[i] < '0' || buf[i] > '9' || buf[i + 1] != '.' || buf[i + 2] < '0' || buf[i + 2] > '9')
        return fail(err_off, i, HTTPREF_E_BAD_VERSION);
    out->version_major = buf[i] - '0';
    out->version_minor = buf[i + 2] - '0';
    i += 3;
    if (i < len && buf[i] >= '0' && buf[i] <= '9')
        return fail(err_off, i, HTTPREF_E_BAD_VERSION); /* HTTP/1.01: DIGIT "." DIGIT exactly */
    if (out->version_major != 1 && !(lenient & HTTPREF_LENIENT_VERSION))
        return fail(err_off, 5, HTTPREF_E_BAD_VERSION); /* 0.x and 2+ are not HTTP/1.1 wire format */
    return (long)i;
}

/* the one SP after the version; with the flag, any run of SP / HTAB */
static long status_gap(const char *buf, size_t len, size_t i, unsigned lenient, size_t *err_off)
{
    int ws_lenient = (lenient & HTTPREF_LENIENT_SPACES_IN_STATUS) != 0;
    if (i >= len)
        return 0;
    if (buf[i] != ' ' && !(ws_lenient && buf[i] == '\t'))
        return fail(err_off, i, HTTPREF_E_BAD_STATUS_LINE);
    i++;
    while (ws_lenient && i < len && (buf[i] == ' ' || buf[i] == '\t'))
        i++;
    if (i >= len)
        return 0;
    if (buf[i] == ' ' || buf[i] == '\t')
        return fail(err_off, i, HTTPREF_E_BAD_STATUS_LINE); /* SL-07/08: one SP only */
    return (long)i;
}

/* status-code = 3DIGIT, 100..999 (RFC 9110 §15: < 100 is invalid) */
static long status_code(const char *buf, size_t len, size_t i, h1_head *out, size_t *err_off)
{
    int code = 0;
    for (int k = 0; k < 3; k++, i++) {
        if (i >= len)
            return 0;
        if (buf[i] < '0' || buf[i] > '9')
            return fail(err_off, i, HTTPREF_E_BAD_STATUS_CODE);
        code = code * 10 + (buf[i] - '0');
    }
    if (code < 100)
        return fail(err_off, i - 3, HTTPREF_E_BAD_STATUS_CODE);
    out->status = code;
    return (long)i;
}

/* the line is whole: the reason runs from rs to the line end at i (le bytes) */
static long status_line_end(char *buf, h1_head *out, size_t rs, size_t i, size_t le)
{
    out->reason = buf + rs;
    out->reason_len = i - rs;
    out->status_line = buf;
    out->status_line_len = i;
    return (long)(i + le);
}

/* [ SP reason-phrase ] line end, reason-phrase = 1*( HTAB / SP / VCHAR / obs-text );
 * the SP before an empty reason is accepted missing (SL-03: real servers omit it) */
static long status_reason(char *buf, size_t len, size_t i, h1_head *out, unsigned lenient, size_t *err_off)
{
    size_t le = eol_len(buf, len, i, lenient);
    if (le)
        return status_line_end(buf, out, i, i, le);
    if (i >= len || (i + 1 == len && buf[i] == '\r'))
        return 0;
    if (buf[i] >= '0' && buf[i] <= '9')
        return fail(err_off, i, HTTPREF_E_BAD_STATUS_CODE); /* SL-10: 2000 */
    if (buf[i] != ' ' && !((lenient & HTTPREF_LENIENT_SPACES_IN_STATUS) && buf[i] == '\t'))
        return fail(err_off, i, HTTPREF_E_BAD_STATUS_LINE); /* SL-11: 200OK */
    size_t rs = ++i;
    for (;; i++) {
        if (i >= len)
            return 0;
        unsigned char c = (unsigned char)buf[i];
        le = eol_len(buf, len, i, lenient);
        if (le)
            return status_line_end(buf, out, rs, i, le);
        if (c == '\r' && i + 1 == len)
            return 0; /* the LF may follow */
        if (c == '\r')
            return fail(err_off, i, HTTPREF_E_BARE_CR);
        if (c == '\n')
            return fail(err_off, i, HTTPREF_E_BARE_LF);
        if (c != '\t' && (c < 0x20 || c == 0x7f))
            return fail(err_off, i, HTTPREF_E_BAD_REASON);
    }
}

static long parse_status_line(char *buf, size_t len, h1_head *out, unsigned lenient, size_t *err_off)
{
    long i = status_version(buf, len, out, lenient, err_off);
    if (i > 0)
        i = status_gap(buf, len, (size_t)i, lenient, err_off);
    if (i > 0)
        i = status_code(buf, len, (size_t)i, out, err_off);
    if (i > 0)
        i = status_reason(buf, len, (size_t)i, out, lenient, err_off);
    return i;
}

static int is_framing_field(const httpref_field *f)
{
    return hx_ieq(f->name, f->name_len, "content-length") || hx_ieq(f->name, f->name_len, "transfer-encoding");
}

/* field-line = field-name ":" OWS field-value OWS          (RFC 9112 §5)
 * field-value = *field-content; field-vchar = VCHAR / obs-text (RFC 9110 §5.5)
 * obs-fold = OWS CRLF RWS: a user agent MUST replace it with SP (RFC 9112 §5.2);
 * we do, in place, except inside Content-Length / Transfer-Encoding (HF-06).
 * Each step below takes the section from buf[i] and returns the index past its
 * part or -(code); the section is whole, so running out is INCOMPLETE. */

/* a line led by whitespace continues prev's value: the line end before it
 * becomes SP and the value runs on to this line's end */
static long obs_fold(char *buf, size_t len, size_t i, httpref_field *prev, unsigned lenient, size_t *err_off)
{
    if (is_framing_field(prev) && !(lenient & HTTPREF_LENIENT_OBS_FOLD_FRAMING))
        return fail(err_off, i, HTTPREF_E_OBS_FOLD);
    size_t j = (size_t)(prev->value + prev->value_len - buf);
    while (j < i)
        buf[j++] = ' ';
    size_t k = i;
    for (; !eol_len(buf, len, k, lenient); k++) {
        if (k >= len)
            return fail(err_off, k, HTTPREF_E_INCOMPLETE);
        httpref_code rc = value_byte((unsigned char)buf[k], lenient);
        if (rc != HTTPREF_OK)
            return fail(err_off, k, rc);
    }
    size_t vlen = k - (size_t)(prev->value - buf);
    while (vlen && (prev->value[vlen - 1] == ' ' || prev->value[vlen - 1] == '\t'))
        vlen--;
    prev->value_len = vlen;
    return (long)(k + eol_len(buf, len, k, lenient));
}

/* field-name ":" : the index of the ':'. A section that ends in LF (always, once
 * the reader has found its end) stops the scan by itself: LF is no tchar, so
 * that loop needs no bound check (lf_ends) */
static long field_name_end(const char *buf, size_t len, size_t i, int lf_ends, int trailers, size_t *err_off)
{
    size_t ns = i;
    if (lf_ends)
        while (h1_class[(unsigned char)buf[i]] & H1_TCHAR)
            i++;
    else
        while (i < len && (h1_class[(unsigned char)buf[i]] & H1_TCHAR))
            i++;
    if (i >= len)
        return fail(err_off, i, HTTPREF_E_INCOMPLETE);
    if (buf[i] != ':') {
        if (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n')
            return fail(err_off, i, trailers ? HTTPREF_E_BAD_TRAILER : HTTPREF_E_BAD_FIELD_LINE);
        return fail(err_off, i, trailers ? HTTPREF_E_BAD_TRAILER : HTTPREF_E_BAD_RESPONSE_FIELD_NAME);
    }
    if (i == ns)
        return fail(err_off, i, trailers ? HTTPREF_E_BAD_TRAILER : HTTPREF_E_BAD_FIELD_LINE); /* HF-08 */
    return (long)i;
}

/* OWS field-value OWS and the line end, after the ':'; the value goes to f */
static long field_value(char *buf, size_t len, size_t i, httpref_field *f, unsigned lenient, size_t *err_off)
{
    while (i < len && (buf[i] == ' ' || buf[i] == '\t'))
        i++;
    size_t vs = i;
    for (;;) { /* plain text runs fast; only a special byte needs a decision */
        i = text_run(buf, len, i);
        if (eol_len(buf, len, i, lenient))
            break;
        if (i >= len)
            return fail(err_off, i, HTTPREF_E_INCOMPLETE);
        httpref_code rc = value_byte((unsigned char)buf[i], lenient); /* text_run stopped: a CTL */
        if (rc != HTTPREF_OK)
            return fail(err_off, i, rc);
        i++;
    }
    size_t ve = i; /* OWS after the value is not part of it (RFC 9112 §5.1) */
    while (ve > vs && (buf[ve - 1] == ' ' || buf[ve - 1] == '\t'))
        ve--;
    f->value = buf + vs;
    f->value_len = ve - vs;
    return (long)(i + eol_len(buf, len, i, lenient));
}

/* field lines up to the empty line: the index past it, *nfields set */
static long parse_fields(char *buf, size_t len, size_t start, httpref_field *fields, size_t *nfields,
                         unsigned lenient, const h1_limits *lim, size_t *err_off, int trailers)
{
    size_t i = start, n = 0, cap = *nfields;
    const int lf_ends = len > 0 && buf[len - 1] == '\n';
    long next;
    (void)lim;
    for (;;) {
        size_t le = eol_len(buf, len, i, lenient);
        if (le) { /* the empty line: end of the section */
            *nfields = n;
            return (long)(i + le);
        }
        if (i >= len)
            return fail(err_off, i, HTTPREF_E_INCOMPLETE);
        if (buf[i] == ' ' || buf[i] == '\t') {
            /* obs-fold, never in a trailer section, where nothing asks for robustness (CH-50) */
            if (n == 0 || trailers)
                return fail(err_off, i, trailers ? HTTPREF_E_BAD_TRAILER : HTTPREF_E_BAD_FIELD_LINE);
            next = obs_fold(buf, len, i, &fields[n - 1], lenient, err_off);
        } else {
            if (n >= cap)
                return fail(err_off, i, HTTPREF_E_TOO_MANY_FIELDS);
            next = field_name_end(buf, len, i, lf_ends, trailers, err_off);
            if (next < 0)
                return next;
            fields[n].name = buf + i;
            fields[n].name_len = (size_t)next - i;
            next = field_value(buf, len, (size_t)next + 1, &fields[n], lenient, err_off);
            n++;
        }
        if (next < 0)
            return next;
        i = (size_t)next;
    }
}

long h1_parse_head(char *buf, size_t len, h1_head *out, unsigned lenient, const h1_limits *lim, size_t *err_off)
{
    size_t cap = out->nfields;
    long r = parse_status_line(buf, len, out, lenient, err_off);
    if (r <= 0)
        return r;
    size_t n = cap;
    long e = parse_fields(buf, len, (size_t)r, out->fields, &n, lenient, lim, err_off, 0);
    if (e == -(long)HTTPREF_E_INCOMPLETE)
        return 0;
    if (e < 0)
        return e;
    out->nfields = n;
    return e;
}

/* fields a sender MUST NOT put in a trailer section: framing, routing,
 * request modifiers, authentication, response control, content metadata
 * (RFC 9110 §6.5.1); a strict client refuses them rather than guess (CH-26) */
static int forbidden_in_trailer(const httpref_field *f)
{
#define NAME(s) {s, sizeof s - 1}
    static const struct {
        const char *name;
        size_t len;
    } names[] = {NAME("content-length"),   NAME("transfer-encoding"), NAME("host"),
                 NAME("trailer"),          NAME("te"),                NAME("connection"),
                 NAME("keep-alive"),       NAME("upgrade"),           NAME("content-encoding"),
                 NAME("content-type"),     NAME("content-range"),     NAME("authorization"),
                 NAME("proxy-authorization"), NAME("www-authenticate"), NAME("proxy-authenticate"),
                 NAME("set-cookie"),       NAME("cache-control"),     NAME("expect"),
                 NAME("location"),         NAME("max-forwards"),      NAME("range")};
#undef NAME
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) /* lengths kept: no strlen per name */
        if (hx_ieqn(f->name, f->name_len, names[i].name, names[i].len))
            return 1;
    return 0;
}

long h1_parse_trailers(char *buf, size_t len, httpref_field *fields, size_t *nfields, unsigned lenient,
                       const h1_limits *lim, size_t *err_off)
{
    /* trailer-section = *( field-line CRLF ) (RFC 9112 §7.1.2) */
    long e = parse_fields(buf, len, 0, fields, nfields, lenient & ~(unsigned)HTTPREF_LENIENT_BARE_LF, lim, err_off, 1);
    if (e == -(long)HTTPREF_E_INCOMPLETE)
        return 0;
    for (size_t i = 0; e > 0 && i < *nfields; i++) {
        if (forbidden_in_trailer(&fields[i])) {
            *err_off = (size_t)(fields[i].name - buf);
            return -(long)HTTPREF_E_BAD_TRAILER;
        }
    }
    return e;
}
