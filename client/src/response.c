/*
 * response: the stored copy of the final response head (and trailers) for
 * the caller. The parser's field pointers point into the receive buffer only
 * while its event is handled, so each head is copied at once, into one
 * allocation of NUL-terminated strings, with the LuaSocket view beside it.
 */
#include "response.h"
#include "hx.h"

#include <stdlib.h>
#include <string.h>

void response_free(stored_response *s)
{
    free(s->head_mem);
    free(s->trailer_mem);
    free(s->joined_mem);
    free(s->effective_url);
    free(s->fields);
    free(s->joined);
    free(s->trailers);
    s->head_mem = s->trailer_mem = s->joined_mem = s->effective_url = NULL;
    s->fields = s->joined = s->trailers = NULL;
    s->nfields = s->njoined = s->ntrailers = 0;
    s->body_bytes = 0;
    s->content_length = -1;
    s->status = 0;
}

/* copy fields into one allocation of NUL-terminated strings */
static httpref_code copy_fields(const httpref_field *src, size_t n, httpref_field **out, char **mem)
{
    size_t total = 1;
    for (size_t i = 0; i < n; i++)
        total += src[i].name_len + src[i].value_len + 2;
    char *m = malloc(total), *p = m;
    httpref_field *f = calloc(n ? n : 1, sizeof *f);
    if (!m || !f) {
        free(m);
        free(f);
        return HTTPREF_E_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        f[i].name = p;
        f[i].name_len = src[i].name_len;
        memcpy(p, src[i].name, src[i].name_len);
        p += src[i].name_len;
        *p++ = 0;
        f[i].value = p;
        f[i].value_len = src[i].value_len;
        memcpy(p, src[i].value, src[i].value_len);
        p += src[i].value_len;
        *p++ = 0;
    }
    *p = 0;
    free(*out);
    free(*mem);
    *out = f;
    *mem = m;
    return HTTPREF_OK;
}

/* the LuaSocket view: lowercase names, repeated fields joined with ", " in order */
static httpref_code build_joined(stored_response *s)
{
    size_t total = 1;
    for (size_t i = 0; i < s->nfields; i++)
        total += s->fields[i].name_len + s->fields[i].value_len + 4;
    char *m = malloc(total), *p = m;
    httpref_field *j = calloc(s->nfields ? s->nfields : 1, sizeof *j);
    size_t nj = 0;
    if (!m || !j) {
        free(m);
        free(j);
        return HTTPREF_E_NOMEM;
    }
    for (size_t i = 0; i < s->nfields; i++) {
        const httpref_field *f = &s->fields[i];
        int seen = 0;
        for (size_t k = 0; k < i; k++)
            if (s->fields[k].name_len == f->name_len && !hx_ncasecmp(s->fields[k].name, f->name, f->name_len))
                seen = 1;
        if (seen)
            continue;
        j[nj].name = p;
        j[nj].name_len = f->name_len;
        for (size_t c = 0; c < f->name_len; c++)
            *p++ = (char)((f->name[c] >= 'A' && f->name[c] <= 'Z') ? f->name[c] + 32 : f->name[c]);
        *p++ = 0;
        j[nj].value = p;
        for (size_t k = i; k < s->nfields; k++) {
            const httpref_field *g = &s->fields[k];
            if (g->name_len != f->name_len || hx_ncasecmp(g->name, f->name, f->name_len))
                continue;
            if (p != j[nj].value) {
                memcpy(p, ", ", 2);
                p += 2;
            }
            memcpy(p, g->value, g->value_len);
            p += g->value_len;
        }
        j[nj].value_len = (size_t)(p - j[nj].value);
        *p++ = 0;
        nj++;
    }
    free(s->joined);
    free(s->joined_mem);
    s->joined = j;
    s->joined_mem = m;
    s->njoined = nj;
    return HTTPREF_OK;
}

httpref_code response_store_head(stored_response *s, const h1_head *head)
{
    /* the status line and reason are stored as two extra "fields" at the end of head_mem */
    httpref_field extra[128 + 2];
    size_t n = head->nfields;
    httpref_field *all = n + 1 <= 128 ? extra : malloc((n + 1) * sizeof *all);
    if (!all)
        return HTTPREF_E_NOMEM;
    memcpy(all, head->fields, n * sizeof *all);
    all[n].name = head->status_line;
    all[n].name_len = head->status_line_len;
    all[n].value = head->reason;
    all[n].value_len = head->reason_len;
    httpref_code rc = copy_fields(all, n + 1, &s->fields, &s->head_mem);
    if (all != extra)
        free(all);
    if (rc != HTTPREF_OK)
        return rc;
    s->nfields = n;
    s->status_line = s->fields[n].name;
    s->reason = s->fields[n].value;
    s->status = head->status;
    s->vmaj = head->version_major;
    s->vmin = head->version_minor;
    return build_joined(s);
}

httpref_code response_store_trailers(stored_response *s, const httpref_field *f, size_t n)
{
    httpref_code rc = copy_fields(f, n, &s->trailers, &s->trailer_mem);
    if (rc == HTTPREF_OK)
        s->ntrailers = n;
    return rc;
}

void response_fill(const stored_response *s, httpref_response *r, int hops, int reused)
{
    r->status = s->status;
    r->version_major = s->vmaj;
    r->version_minor = s->vmin;
    r->reason = s->reason;
    r->status_line = s->status_line;
    r->fields = s->fields;
    r->nfields = s->nfields;
    r->joined = s->joined;
    r->njoined = s->njoined;
    r->trailers = s->trailers;
    r->ntrailers = s->ntrailers;
    r->content_length = s->content_length;
    r->body_bytes = s->body_bytes;
    r->redirects = hops;
    r->effective_url = s->effective_url;
    r->reused_connection = reused;
}
