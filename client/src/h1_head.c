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
 * HTTP-version = HTTP-name "/" DIGIT "." DIGIT, HTTP-name = %s"HTTP" (§2.3)
 * reason-phrase = 1*( HTAB / SP / VCHAR / obs-text )
 * the SP before an empty reason is accepted missing (SL-03: real servers omit it) */
static long parse_status_line(char *buf, size_t len, h1_head *out, unsigned lenient, size_t *err_off)
{
    size_t i = 0;
    int ws_lenient = (lenient & HTTPREF_LENIENT_SPACES_IN_STATUS) != 0;
    if (memcmp(buf, "HTTP/", len < 5 ? len : 5) != 0)
        return fail(err_off, 0, HTTPREF_E_NOT_HTTP);
    /* running out of bytes anywhere in the line is "incomplete" (0), never a
     * verdict and never a read past len */
    if (len < 8)
        return 0;
    i = 5;
    if (buf[i] < '0' || buf[i] > '9' || buf[i + 1] != '.' || buf[i + 2] < '0' || buf[i + 2] > '9')
        return fail(err_off, i, HTTPREF_E_BAD_VERSION);
    out->version_major = buf[i] - '0';
    out->version_minor = buf[i + 2] - '0';
    i += 3;
    if (i < len && buf[i] >= '0' && buf[i] <= '9')
        return fail(err_off, i, HTTPREF_E_BAD_VERSION); /* HTTP/1.01: DIGIT "." DIGIT exactly */
    if (out->version_major != 1 && !(lenient & HTTPREF_LENIENT_VERSION))
        return fail(err_off, 5, HTTPREF_E_BAD_VERSION); /* 0.x and 2+ are not HTTP/1.1 wire format */
    if (i >= len)
        return 0;
    if (buf[i] != ' ') {
        if (!(ws_lenient && buf[i] == '\t'))
            return fail(err_off, i, HTTPREF_E_BAD_STATUS_LINE);
    }
    i++;
    while (ws_lenient && i < len && (buf[i] == ' ' || buf[i] == '\t'))
        i++;
    if (i >= len)
        return 0;
    if (i < len && (buf[i] == ' ' || buf[i] == '\t'))
        return fail(err_off, i, HTTPREF_E_BAD_STATUS_LINE); /* SL-07/08: one SP only */
    /* status-code = 3DIGIT, 100..999 (RFC 9110 §15: < 100 is invalid) */
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
    size_t le = eol_len(buf, len, i, lenient);
    if (le) {
        out->reason = buf + i;
        out->reason_len = 0;
        out->status_line = buf;
        out->status_line_len = i;
        return (long)(i + le);
    }
    if (i >= len || (i + 1 == len && buf[i] == '\r'))
        return 0;
    if (buf[i] >= '0' && buf[i] <= '9')
        return fail(err_off, i, HTTPREF_E_BAD_STATUS_CODE); /* SL-10: 2000 */
    if (buf[i] != ' ' && !(ws_lenient && buf[i] == '\t'))
        return fail(err_off, i, HTTPREF_E_BAD_STATUS_LINE); /* SL-11: 200OK */
    i++;
    size_t rs = i;
    for (;; i++) {
        if (i >= len)
            return 0;
        unsigned char c = (unsigned char)buf[i];
        le = eol_len(buf, len, i, lenient);
        if (le) {
            out->reason = buf + rs;
            out->reason_len = i - rs;
            out->status_line = buf;
            out->status_line_len = i;
            return (long)(i + le);
        }
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

static int is_framing_field(const httpref_field *f)
{
    return hx_ieq(f->name, f->name_len, "content-length") || hx_ieq(f->name, f->name_len, "transfer-encoding");
}

/* field-line = field-name ":" OWS field-value OWS          (RFC 9112 §5)
 * field-value = *field-content; field-vchar = VCHAR / obs-text (RFC 9110 §5.5)
 * obs-fold = OWS CRLF RWS: a user agent MUST replace it with SP (RFC 9112 §5.2);
 * we do, in place, except inside Content-Length / Transfer-Encoding (HF-06). */
static long parse_fields(char *buf, size_t len, size_t start, httpref_field *fields, size_t *nfields,
                         unsigned lenient, const h1_limits *lim, size_t *err_off, int trailers)
{
    size_t i = start, n = 0, cap = *nfields;
    /* a section that ends in LF (always, once the reader has found its end) stops
     * every name scan by itself: LF is no tchar, so that loop needs no bound check */
    const int lf_ends = len > 0 && buf[len - 1] == '\n';
    for (;;) {
        size_t le = eol_len(buf, len, i, lenient);
        if (le) { /* the empty line: end of the section */
            *nfields = n;
            return (long)(i + le);
        }
        if (i >= len)
            return fail(err_off, i, HTTPREF_E_INCOMPLETE);
        if (buf[i] == ' ' || buf[i] == '\t') {
            /* obs-fold: a line led by whitespace continues the previous value;
             * never in a trailer section, where nothing asks for robustness (CH-50) */
            if (n == 0 || trailers)
                return fail(err_off, i, trailers ? HTTPREF_E_BAD_TRAILER : HTTPREF_E_BAD_FIELD_LINE);
            httpref_field *prev = &fields[n - 1];
            if (is_framing_field(prev) && !(lenient & HTTPREF_LENIENT_OBS_FOLD_FRAMING))
                return fail(err_off, i, HTTPREF_E_OBS_FOLD);
            /* the line end before this line becomes SP: value runs on */
            char *vend = (char *)prev->value + prev->value_len;
            size_t j = (size_t)(vend - buf);
            while (j < i)
                buf[j++] = ' ';
            size_t k = i;
            for (; !eol_len(buf, len, k, lenient); k++) {
                if (k >= len)
                    return fail(err_off, k, HTTPREF_E_INCOMPLETE);
                unsigned char c = (unsigned char)buf[k];
                if (c == '\r')
                    return fail(err_off, k, HTTPREF_E_BARE_CR);
                if (c == '\n')
                    return fail(err_off, k, HTTPREF_E_BARE_LF);
                if (c == 0 || ((c < 0x20 && c != '\t') || c == 0x7f)) {
                    if (c == 0 || !(lenient & HTTPREF_LENIENT_HEADER_VALUE_CTL))
                        return fail(err_off, k, HTTPREF_E_BAD_RESPONSE_FIELD_VALUE);
                }
            }
            size_t vlen = k - (size_t)(prev->value - buf);
            while (vlen && (prev->value[vlen - 1] == ' ' || prev->value[vlen - 1] == '\t'))
                vlen--;
            prev->value_len = vlen;
            i = k + eol_len(buf, len, k, lenient);
            continue;
        }
        if (n >= cap)
            return fail(err_off, i, HTTPREF_E_TOO_MANY_FIELDS);
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
        fields[n].name = buf + ns;
        fields[n].name_len = i - ns;
        i++;
        while (i < len && (buf[i] == ' ' || buf[i] == '\t'))
            i++;
        size_t vs = i;
        for (;;) { /* plain text runs fast; only a special byte needs a decision */
            i = text_run(buf, len, i);
            if (eol_len(buf, len, i, lenient))
                break;
            if (i >= len)
                return fail(err_off, i, HTTPREF_E_INCOMPLETE);
            unsigned char c = (unsigned char)buf[i];
            if (c == '\r')
                return fail(err_off, i, HTTPREF_E_BARE_CR);
            if (c == '\n')
                return fail(err_off, i, HTTPREF_E_BARE_LF);
            if (c == 0 || !(lenient & HTTPREF_LENIENT_HEADER_VALUE_CTL))
                return fail(err_off, i, HTTPREF_E_BAD_RESPONSE_FIELD_VALUE);
            i++;
        }
        size_t ve = i; /* OWS after the value is not part of it (RFC 9112 §5.1) */
        while (ve > vs && (buf[ve - 1] == ' ' || buf[ve - 1] == '\t'))
            ve--;
        fields[n].value = buf + vs;
        fields[n].value_len = ve - vs;
        n++;
        i += eol_len(buf, len, i, lenient);
        (void)lim;
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
