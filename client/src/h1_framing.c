/*
 * h1_framing: how long is this response's body? RFC 9112 §6.3, in order.
 * Strict: every ambiguity an attacker could use to desynchronise a
 * connection (TE+CL, repeated or misplaced chunked, unparsable or
 * conflicting Content-Length) is an error, relaxable only by named flags.
 */
#include "h1_parse.h"
#include "h1_internal.h"

#include <stdint.h>

/* #rule list element iteration: elements separated by "," with OWS; empty
 * elements are skipped as RFC 9110 §5.6.1 requires of recipients */
typedef struct list_iter {
    const char *p, *end;
} list_iter;

static int list_next(list_iter *it, const char **el, size_t *el_len)
{
    for (;;) {
        while (it->p < it->end && (*it->p == ' ' || *it->p == '\t'))
            it->p++;
        if (it->p >= it->end)
            return 0;
        const char *s = it->p;
        while (it->p < it->end && *it->p != ',')
            it->p++;
        const char *e = it->p;
        if (it->p < it->end)
            it->p++; /* skip the comma */
        while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if (e > s) {
            *el = s;
            *el_len = (size_t)(e - s);
            return 1;
        }
    }
}

static httpref_code fault_at(h1_framing_fault *f, httpref_code code, const httpref_field *field, const char *what)
{
    f->field = field;
    f->what = what;
    return code;
}

/* Content-Length = 1*DIGIT (RFC 9110 §8.6); a list of identical values may
 * be merged (RFC 9112 §6.3 r5); anything else is unrecoverable. *first is the
 * field that gave the length */
static httpref_code content_length(const h1_head *h, int *present, uint64_t *value, const httpref_field **first,
                                   h1_framing_fault *fault)
{
    *present = 0;
    for (size_t f = 0; f < h->nfields; f++) {
        const httpref_field *fl = &h->fields[f];
        if (!hx_ieq(fl->name, fl->name_len, "content-length"))
            continue;
        list_iter it = {fl->value, fl->value + fl->value_len};
        const char *el;
        size_t el_len;
        int any = 0;
        while (list_next(&it, &el, &el_len)) {
            uint64_t v = 0;
            any = 1;
            if (el_len > 19) /* more than 19 digits cannot fit in 63 bits: no overflow, ever */
                return fault_at(fault, HTTPREF_E_BAD_CONTENT_LENGTH, fl, "is larger than 2^63-1");
            for (size_t i = 0; i < el_len; i++) {
                if (el[i] < '0' || el[i] > '9')
                    return fault_at(fault, HTTPREF_E_BAD_CONTENT_LENGTH, fl, "is not 1*DIGIT");
                v = v * 10 + (uint64_t)(el[i] - '0');
            }
            if (v > (uint64_t)INT64_MAX)
                return fault_at(fault, HTTPREF_E_BAD_CONTENT_LENGTH, fl, "is larger than 2^63-1");
            if (*present && v != *value) {
                fault->other = *first == fl ? NULL : *first;
                return fault_at(fault, HTTPREF_E_CONFLICTING_CONTENT_LENGTH, fl,
                                *first == fl ? "holds two different lengths" : "differs from");
            }
            *present = 1;
            *value = v;
            *first = fl;
        }
        if (!any) /* FR-17: empty */
            return fault_at(fault, HTTPREF_E_BAD_CONTENT_LENGTH, fl, "is empty");
    }
    return HTTPREF_OK;
}

/* one transfer-coding of a Transfer-Encoding list: 0, or what is wrong with it */
static const char *coding_fault(const char *el, size_t el_len, int *chunked, int *others)
{
    size_t tl = 0;
    while (tl < el_len && h1_is_tchar((unsigned char)el[tl]))
        tl++;
    if (tl == 0 || (tl < el_len && el[tl] != ';' && el[tl] != ' ' && el[tl] != '\t'))
        return "is not a list of transfer-codings";
    if (*chunked)
        return "has a coding after chunked"; /* FR-26/27 */
    if (hx_ieq(el, tl, "chunked")) {
        if (tl != el_len)
            return "gives chunked parameters, which it takes none of";
        *chunked = 1;
    } else {
        *others = 1;
    }
    return NULL;
}

/* Transfer-Encoding = #transfer-coding; chunked at most once and last
 * (RFC 9112 §6.1); we decode no other coding, so any other is refused
 * rather than handing undecoded bytes to the caller as content. *te is the
 * last Transfer-Encoding field (NULL when none) */
static httpref_code transfer_encoding(const h1_head *h, const httpref_field **te, h1_framing_fault *fault)
{
    int chunked = 0, others = 0;
    const httpref_field *other_at = NULL;
    *te = NULL;
    for (size_t f = 0; f < h->nfields; f++) {
        const httpref_field *fl = &h->fields[f];
        if (!hx_ieq(fl->name, fl->name_len, "transfer-encoding"))
            continue;
        *te = fl;
        list_iter it = {fl->value, fl->value + fl->value_len};
        const char *el;
        size_t el_len;
        int any = 0;
        while (list_next(&it, &el, &el_len)) {
            int had_others = others;
            const char *why = coding_fault(el, el_len, &chunked, &others);
            any = 1;
            if (why)
                return fault_at(fault, HTTPREF_E_BAD_TRANSFER_ENCODING, fl, why);
            if (others && !had_others)
                other_at = fl;
        }
        if (!any) /* FR-32: empty */
            return fault_at(fault, HTTPREF_E_BAD_TRANSFER_ENCODING, fl, "is empty");
    }
    if (*te && others)
        return fault_at(fault, HTTPREF_E_UNSUPPORTED_TRANSFER_CODING, other_at,
                        "names a coding this client does not decode (only chunked)");
    return HTTPREF_OK;
}

/* connection options: close wins; HTTP/1.0 persists only with keep-alive (RFC 9112 §9.3) */
static int must_close(const h1_head *h)
{
    int close = 0, keep = 0;
    for (size_t f = 0; f < h->nfields; f++) {
        const httpref_field *fl = &h->fields[f];
        if (!hx_ieq(fl->name, fl->name_len, "connection"))
            continue;
        list_iter it = {fl->value, fl->value + fl->value_len};
        const char *el;
        size_t el_len;
        while (list_next(&it, &el, &el_len)) {
            if (hx_ieq(el, el_len, "close"))
                close = 1;
            else if (hx_ieq(el, el_len, "keep-alive"))
                keep = 1;
        }
    }
    if (close)
        return 1;
    return h->version_major == 1 && h->version_minor == 0 && !keep;
}

httpref_code h1_decide_framing(const h1_head *head, int request_was_head, unsigned lenient, h1_framing *framing,
                               uint64_t *content_len, int *close, h1_framing_fault *fault)
{
    int cl;
    const httpref_field *te, *cl_field = NULL;
    uint64_t len = 0;
    httpref_code rc;
    h1_framing_fault cl_fault = {NULL, NULL, ""};
    *close = must_close(head);
    *content_len = 0;
    /* r1: HEAD responses, 1xx, 204 and 304 never have content, whatever they say */
    if (request_was_head || head->status < 200 || head->status == 204 || head->status == 304) {
        *framing = H1_FRAMING_NONE;
        return HTTPREF_OK;
    }
    rc = transfer_encoding(head, &te, fault);
    if (rc != HTTPREF_OK)
        return rc;
    rc = content_length(head, &cl, &len, &cl_field, &cl_fault);
    if (te) {
        /* a 1.0 message with Transfer-Encoding: framing is faulty (RFC 9112 §6.1) */
        if (head->version_major == 1 && head->version_minor == 0)
            return fault_at(fault, HTTPREF_E_BAD_TRANSFER_ENCODING, te, "in an HTTP/1.0 response");
        /* r3: both present "ought to be handled as an error" (RFC 9112 §6.3) */
        if (cl || rc != HTTPREF_OK) {
            if (!(lenient & HTTPREF_LENIENT_CHUNKED_LENGTH)) {
                fault->other = cl ? cl_field : cl_fault.field;
                return fault_at(fault, HTTPREF_E_TE_AND_CL, te, "together with");
            }
            *close = 1;
        }
        *framing = H1_FRAMING_CHUNKED;
        return HTTPREF_OK;
    }
    if (rc != HTTPREF_OK) {
        *fault = cl_fault;
        return rc; /* r5 */
    }
    if (cl) {
        *framing = H1_FRAMING_LENGTH;
        *content_len = len;
        return HTTPREF_OK;
    }
    /* r8: read until the server closes; the connection cannot be reused */
    *framing = H1_FRAMING_UNTIL_CLOSE;
    *close = 1;
    return HTTPREF_OK;
}
