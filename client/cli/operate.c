/*
 * operate: every URL of the command line in turn on one handle (so one
 * connection is reused when the server allows it), each streamed to its
 * output, -w written after each; the first failure stops the run and is its
 * exit status.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "build.h"
#include "cookies.h"
#include "hx.h"
#include "output.h"
#include "retry.h"
#include "transport.h"
#include "writeout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* the failure in words on stderr (unless -s without -S) and in msg; its exit status */
static int report(const cli_config *c, const httpref *h, httpref_code rc, const httpref_response *r,
                  const out_ctx *o, char *msg, size_t cap)
{
    msg[0] = 0;
    if (rc == HTTPREF_E_SINK && (o->decode_err[0] || o->resume_err[0])) { /* the sink refused the body */
        if (o->decode_err[0])
            snprintf(msg, cap, "content encoding: %s (--compressed)", o->decode_err);
        else
            snprintf(msg, cap, "%s", o->resume_err);
        if (!c->silent || c->show_error)
            fprintf(stderr, "httpref: %s\n", msg);
        return o->decode_err[0] ? CLI_EXIT_DECODE : CLI_EXIT_RESUME;
    }
    if (rc == HTTPREF_OK && o->resume_from > 0 && r->status == 416)
        return 0; /* -C on a complete file: nothing left to fetch */
    if (rc != HTTPREF_OK) {
        snprintf(msg, cap, "%s", httpref_last_error_reason(h));
        cli_explain(h, msg, cap);
        if (!c->silent || c->show_error)
            fprintf(stderr, "httpref: %s error: %s\n", httpref_class_name(httpref_code_class(rc)), msg);
        return (int)rc;
    }
    if (c->fail_on_error && r->status >= 400) {
        snprintf(msg, cap, "the server answered %d (-f)", r->status);
        if (!c->silent || c->show_error)
            fprintf(stderr, "httpref: %s\n", msg);
        return CLI_EXIT_HTTP_ERROR;
    }
    return 0;
}

static double now_s(void)
{
    return (double)hx_now_ms() / 1000.0;
}

static const char *field_value(const httpref_response *r, const char *name)
{
    for (size_t i = 0; i < r->njoined; i++)
        if (!strcmp(r->joined[i].name, name))
            return r->joined[i].value;
    return NULL;
}

/* -w: what this transfer leaves behind */
static void write_out(const cli_config *c, const cli_req *q, const out_ctx *o, const httpref_response *r,
                      httpref_code rc, int status, const char *msg)
{
    static xfer_info x;
    memset(&x, 0, sizeof x);
    x.exitcode = status;
    x.url = q->q.url;
    x.url_effective = rc == HTTPREF_OK ? r->effective_url : q->q.url;
    x.method = q->q.method ? q->q.method : "GET";
    x.size_download = o->size_download;
    x.size_header = o->size_header;
    x.size_upload = q->q.body ? q->q.body_len : 0;
    x.t_connect = o->t_connect;
    x.t_starttransfer = o->t_first;
    x.t_total = output_elapsed(o);
    snprintf(x.errormsg, sizeof x.errormsg, "%s", msg);
    if (rc == HTTPREF_OK) {
        x.status = r->status;
        x.redirects = r->redirects;
        x.content_type = field_value(r, "content-type");
        x.fields = r->fields;
        x.nfields = x.num_headers = r->nfields;
    }
    writeout(c->write_out, &x);
}

/* the run's shared state: the handle, the command line, -b/-c's cookies */
typedef struct run_state {
    httpref *h;
    const cli_config *c;
    cookie_jar *jar; /* NULL without -b / -c */
    char *literal;   /* -b NAME=VALUE text, NULL = none */
    out_ctx *o;
} run_state;

static void trace(void *ud, char dir, const char *data, size_t len)
{
    run_state *s = ud;
    output_trace(s->o, dir, data, len);
    if (s->jar)
        cookies_trace(s->jar, dir, data, len);
}

/* -b: the request's Cookie, the literal text and the jar's matches for its URL; *owned to free */
static void cookie_field(run_state *s, cli_req *req, char **owned)
{
    *owned = NULL;
    if (!s->jar)
        return;
    char host[256], path[1024];
    cli_url_host_path(req->q.url, host, sizeof host, path, sizeof path);
    char *m = cookies_header(s->jar, host, path);
    size_t n = (s->literal ? strlen(s->literal) : 0) + (m ? strlen(m) : 0) + 3;
    if (s->literal || m)
        *owned = malloc(n);
    if (*owned)
        snprintf(*owned, n, "%s%s%s", s->literal ? s->literal : "", s->literal && m ? "; " : "", m ? m : "");
    free(m);
    if (*owned)
        build_field(req, "Cookie", *owned);
}

/* one attempt at a URL: request, output, perform, report; the exit status, and in *again
 * the seconds to wait before the next attempt (-1: this was the last, -w is written) */
static int run_attempt(run_state *s, const char *url, int attempt, double t0, double *again)
{
    static out_ctx o; /* static: the kept head is 16 KiB */
    httpref *h = s->h;
    const cli_config *c = s->c;
    char *cookie = NULL;
    s->o = &o;
    cli_req req;
    *again = -1; /* a request that cannot be built is never retried */
    int status = build_request(c, url, &req);
    if (!status)
        status = output_open(&o, c, req.q.url);
    if (!status && o.resume_from > 0)
        status = build_resume(&req, o.resume_from);
    if (!status)
        cookie_field(s, &req, &cookie);
    if (status) {
        build_request_free(&req);
        free(cookie);
        return status;
    }
    httpref_set_trace(h, trace, s);
    progress_start(&o.prog, !c->silent && isatty(2), c->progress_bar);
    req.q.sink = output_body;
    req.q.sink_ud = &o;
    httpref_response r;
    httpref_code rc = httpref_perform(h, &req.q, &r);
    progress_finish(&o.prog);
    if (rc == HTTPREF_OK && output_response(&o, &r))
        rc = HTTPREF_E_SINK; /* said by report() from o.decode_err */
    output_close(&o);
    char msg[512];
    status = report(c, h, rc, &r, &o, msg, sizeof msg);
    int replayable = req.src != stdin;
    *again = retry_delay(c, attempt, rc, rc == HTTPREF_OK ? r.status : 0,
                         rc == HTTPREF_OK ? field_value(&r, "retry-after") : NULL, now_s() - t0, replayable);
    if (*again < 0 && c->write_out)
        write_out(c, &req, &o, &r, rc, status, msg);
    build_request_free(&req);
    free(cookie);
    return status;
}

/* one URL, with --retry's further attempts */
static int run_one(run_state *s, const char *url)
{
    const cli_config *c = s->c;
    double t0 = now_s(), wait;
    for (int attempt = 0;; attempt++) {
        int status = run_attempt(s, url, attempt, t0, &wait);
        if (wait < 0)
            return status;
        if (!c->silent)
            fprintf(stderr, "httpref: transient problem (exit %d): retrying in %.0f s, %d retries left\n", status,
                    wait, c->retry - attempt - 1);
        hx_sleep_ms((int)(wait * 1000));
    }
}

/* -b / -c: the jar, loaded from every -b FILE (a missing one is an empty jar, as curl's),
 * and the -b NAME=VALUE texts joined */
static int cookies_start(run_state *s)
{
    const cli_config *c = s->c;
    if (!c->ncookie_in && !c->cookie_out)
        return 0;
    s->jar = cookies_new();
    if (!s->jar)
        return HTTPREF_E_NOMEM;
    hx_buf lit = {0};
    for (int i = 0; i < c->ncookie_in; i++) {
        if (!strchr(c->cookie_in[i], '=')) {
            cookies_load(s->jar, c->cookie_in[i]);
            continue;
        }
        hx_buf_adds(&lit, lit.len ? "; " : "");
        hx_buf_adds(&lit, c->cookie_in[i]);
    }
    if (lit.len)
        hx_buf_add(&lit, "", 1);
    s->literal = lit.p;
    return 0;
}

int cli_operate(cli_config *c)
{
    static cli_transport tr; /* the handle keeps a pointer to it */
    char *auth = NULL, *range = NULL;
    httpref_code rc;
    httpref *h = build_handle(c, &rc);
    if (!h)
        return (int)rc;
    int status = transport_setup(&tr, c, h);
    if (!status)
        status = (int)build_fields(c, &auth, &range);
    run_state s = {h, c, NULL, NULL, NULL};
    if (!status)
        status = cookies_start(&s);
    for (int i = 0; i < c->nurls && !status; i++)
        status = run_one(&s, c->urls[i]);
    if (s.jar && c->cookie_out && cookies_save(s.jar, c->cookie_out))
        fprintf(stderr, "httpref: -c: cannot write %s\n", c->cookie_out);
    cookies_free(s.jar);
    free(s.literal);
    free(auth);
    free(range);
    httpref_free(h);
    transport_done(&tr);
    free(c->body);
    return status;
}
