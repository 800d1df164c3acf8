/*
 * h1_body: the bytes of a body whose length is known (Content-Length, one
 * chunk's data) or ends at close. Each piece goes out as H1_EV_BODY pointing
 * into the fed buffer; nothing past the framed length is taken (Rule 3).
 */
#include "h1_parse.h"
#include "h1_internal.h"

#include <stdio.h>

h1_event h1_step_body(h1_reader *r, char *p, size_t n, size_t *used, const char **data, size_t *dlen)
{
    int counted = r->state != S_UNTIL_CLOSE;
    if (counted && r->remaining == 0) {
        r->state = r->state == S_LENGTH ? S_DONE : S_CHUNK_CRLF;
        return H1_GO_ON;
    }
    if (n == 0)
        return H1_EV_NEED_MORE;
    size_t k = n;
    if (counted && (uint64_t)k > r->remaining)
        k = (size_t)r->remaining;
    if (r->lim.max_body && r->body_seen + k > r->lim.max_body) {
        char what[96], fmt[100];
        h1_limit_text(r, HTTPREF_E_BODY_TOO_LARGE, "", what, sizeof what);
        snprintf(fmt, sizeof fmt, "%s%%s", what);
        return h1_reader_error(r, HTTPREF_E_BODY_TOO_LARGE, 0, fmt, "", 0);
    }
    if (counted)
        r->remaining -= k;
    r->body_seen += k;
    r->offset += k;
    *data = p;
    *dlen = k;
    *used = k;
    return H1_EV_BODY;
}
