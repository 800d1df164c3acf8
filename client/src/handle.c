/*
 * handle: the httpref handle's life and settings: new, free, options, user
 * agent, transport, trace, the last error. Options are validated here, once;
 * the request code reads them from the handle.
 */
#define _POSIX_C_SOURCE 200809L
#include "httpref.h"
#include "client_internal.h"
#include "conn.h"
#include "request.h"
#include "response.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

httpref *httpref_new(void)
{
    httpref *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->timeout_ms = 60000;
    h->connect_timeout_ms = -1;
    h->header_deadline_ms = 30000;
    h->auth_retry = 0; /* LuaSocket: URL credentials go pre-emptively */
    /* on one CPU a spinning reader only takes time from the sender */
    h->tcp.spin = sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 100 : 0;
    h1_limits_default(&h->lim);
    h->user_agent = strdup("httpref/" HTTPREF_VERSION);
    tcp_transport_init(&h->tr, &h->tcp);
    h->io = h->tr;
    h->err.off = -1;
    return h;
}

void httpref_close(httpref *h)
{
    if (h)
        conn_close(h);
}

void httpref_free(httpref *h)
{
    if (!h)
        return;
    httpref_close(h);
    response_free(&h->resp);
    free(h->rbuf);
    free(h->cbuf);
    free(h->pfields);
    free(h->user_agent);
    tls_reset(&h->tls);
    free(h->tls_cfg.ca_file);
    free(h->tls_cfg.ca_path);
    free(h);
}

/* the head limits: 1 .. 16 Mi, and fixed once the receive buffer (sized from
 * them) exists */
static httpref_code set_limit(httpref *h, httpref_option opt, long v)
{
    if (v <= 0 || v > (1L << 24) || h->rbuf)
        return HTTPREF_E_BAD_OPTION;
    if (opt == HTTPREF_OPT_MAX_STATUS_LINE)
        h->lim.max_status_line = (size_t)v;
    else if (opt == HTTPREF_OPT_MAX_FIELD_LINE)
        h->lim.max_field_line = (size_t)v;
    else if (opt == HTTPREF_OPT_MAX_HEADER_BYTES)
        h->lim.max_header_bytes = (size_t)v;
    else if (opt == HTTPREF_OPT_MAX_FIELDS)
        h->lim.max_fields = (size_t)v;
    else if (opt == HTTPREF_OPT_MAX_INTERIM)
        h->lim.max_interim = (unsigned)v;
    else
        h->lim.max_chunk_ext = (size_t)v;
    return HTTPREF_OK;
}

/* one case per option; a new option adds its case and its test_options row */
httpref_code httpref_setopt(httpref *h, httpref_option opt, long v)
{
    if (!h)
        return HTTPREF_E_BAD_OPTION;
    int nonneg = v >= 0, pos = v > 0;
    switch (opt) {
    case HTTPREF_OPT_TIMEOUT_MS:
        if (!pos)
            return HTTPREF_E_BAD_OPTION;
        h->timeout_ms = v;
        return HTTPREF_OK;
    case HTTPREF_OPT_CONNECT_TIMEOUT_MS:
        h->connect_timeout_ms = pos ? v : -1;
        return HTTPREF_OK;
    case HTTPREF_OPT_DEADLINE_MS:
        if (!nonneg)
            return HTTPREF_E_BAD_OPTION;
        h->deadline_ms = v;
        return HTTPREF_OK;
    case HTTPREF_OPT_HEADER_DEADLINE_MS:
        if (!nonneg)
            return HTTPREF_E_BAD_OPTION;
        h->header_deadline_ms = v;
        return HTTPREF_OK;
    case HTTPREF_OPT_MAX_STATUS_LINE:
    case HTTPREF_OPT_MAX_FIELD_LINE:
    case HTTPREF_OPT_MAX_HEADER_BYTES:
    case HTTPREF_OPT_MAX_FIELDS:
    case HTTPREF_OPT_MAX_INTERIM:
    case HTTPREF_OPT_MAX_CHUNK_EXT:
        return set_limit(h, opt, v);
    case HTTPREF_OPT_MAX_BODY:
        if (!nonneg)
            return HTTPREF_E_BAD_OPTION;
        h->lim.max_body = (uint64_t)v;
        return HTTPREF_OK;
    case HTTPREF_OPT_KEEPALIVE:
        h->keepalive = v != 0;
        return HTTPREF_OK;
    case HTTPREF_OPT_LENIENT:
        if (v < 0 || (v & ~(long)HTTPREF_LENIENT_ALL))
            return HTTPREF_E_BAD_OPTION;
        h->lenient = (unsigned)v;
        return HTTPREF_OK;
    case HTTPREF_OPT_AUTH_RETRY:
        h->auth_retry = v != 0;
        return HTTPREF_OK;
    case HTTPREF_OPT_REDIRECT_UNSAFE:
        h->redirect.unsafe = v != 0;
        return HTTPREF_OK;
    case HTTPREF_OPT_RECV_SPIN:
        if (!nonneg || v > 100000)
            return HTTPREF_E_BAD_OPTION;
        h->tcp.spin = (int)v;
        return HTTPREF_OK;
    case HTTPREF_OPT_REDIRECT_LAST:
        h->redirect.last = v != 0;
        return HTTPREF_OK;
    case HTTPREF_OPT_INSECURE:
        if (h->tls_cfg.insecure != (v != 0)) { /* a kept connection was checked, or not, under the old rule */
            httpref_close(h);
            tls_reset(&h->tls);
        }
        h->tls_cfg.insecure = v != 0;
        return HTTPREF_OK;
    case HTTPREF_OPT_REDIRECT_DOWNGRADE:
        h->redirect.downgrade = v != 0;
        return HTTPREF_OK;
    case HTTPREF_OPT_HTTP10:
        h->http10 = v != 0;
        return HTTPREF_OK;
    }
    return HTTPREF_E_BAD_OPTION;
}

httpref_code httpref_set_user_agent(httpref *h, const char *ua)
{
    char *copy = NULL;
    if (ua) {
        if (!req_is_field_value(ua, strlen(ua))) /* the rule of the caller's own fields */
            return HTTPREF_E_BAD_FIELD_VALUE;
        copy = strdup(ua);
        if (!copy)
            return HTTPREF_E_NOMEM;
    }
    free(h->user_agent);
    h->user_agent = copy;
    return HTTPREF_OK;
}

httpref_code httpref_set_transport(httpref *h, const httpref_transport *t)
{
    httpref_close(h);
    if (t) {
        if (!t->connect || !t->send || !t->recv || !t->close)
            return HTTPREF_E_BAD_OPTION;
        h->tr = *t;
    } else {
        tcp_transport_init(&h->tr, &h->tcp);
    }
    h->io = h->tr;
    return HTTPREF_OK;
}

/* the same string, or both NULL */
static int same(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

httpref_code httpref_set_ca(httpref *h, const char *ca_file, const char *ca_dir)
{
    if (same(ca_file, h->tls_cfg.ca_file) && same(ca_dir, h->tls_cfg.ca_path))
        return HTTPREF_OK; /* a kept connection was verified against this store: it may stay */
    char *f = ca_file ? strdup(ca_file) : NULL, *d = ca_dir ? strdup(ca_dir) : NULL;
    if ((ca_file && !f) || (ca_dir && !d)) {
        free(f);
        free(d);
        return HTTPREF_E_NOMEM;
    }
    httpref_close(h);
    tls_reset(&h->tls); /* the next https connection loads the new store */
    free(h->tls_cfg.ca_file);
    free(h->tls_cfg.ca_path);
    h->tls_cfg.ca_file = f;
    h->tls_cfg.ca_path = d;
    return HTTPREF_OK;
}

int httpref_tls_available(void)
{
    return tls_available();
}

void httpref_set_trace(httpref *h, httpref_trace_fn fn, void *ud)
{
    h->trace = fn;
    h->trace_ud = ud;
}

const char *httpref_last_error_reason(const httpref *h)
{
    return h && h->err.detail[0] ? h->err.detail : "";
}

int64_t httpref_last_error_offset(const httpref *h)
{
    return h ? h->err.off : -1;
}

unsigned httpref_last_error_lenient(const httpref *h)
{
    return h ? h->err.lenient : 0;
}
