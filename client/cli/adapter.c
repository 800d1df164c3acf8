/*
 * adapter: `httpref --adapter`, the conformance adapter protocol of
 * DESIGN.md. One request spec as JSON on stdin, one result as JSON on
 * stdout, exit 0; `then` follow-ups run on the same handle (keep-alive on),
 * so scenarios see connection reuse. A malformed spec is the only non-zero
 * exit: it is the harness's fault, not the server's.
 *
 * `httpref --adapter --serve`: one spec per line until EOF, one result line
 * each (serve_seq echoed), flushed. Every spec gets a new handle, freed
 * before its answer, so no connection or setting outlives its spec; a line
 * that is no spec is answered with an error of class other.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "hx.h"
#include "json.h"

#include <stdlib.h>
#include <string.h>

#define MAX_SPEC (64u << 20)
#define MAX_BODY (64u << 20) /* a hostile server cannot make the adapter hold more */

typedef struct body_buf {
    char *p;
    size_t len, cap;
    int over;
} body_buf;

static int body_sink(void *ud, const char *data, size_t len)
{
    body_buf *b = ud;
    if (!data)
        return 0;
    /* past the cap, keep reading and discard: the client's own bounds (or
     * the end of the body) decide how the exchange ends, not the adapter */
    if (b->over || b->len + len > MAX_BODY) {
        b->over = 1;
        return 0;
    }
    if (b->len + len > b->cap) {
        size_t cap = b->cap ? b->cap : 65536;
        while (cap < b->len + len)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np)
            return 1;
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, len);
    b->len += len;
    return 0;
}

static void put_fields(const httpref_field *f, size_t n)
{
    putchar('[');
    for (size_t i = 0; i < n; i++) {
        printf(i ? ",[" : "[");
        json_put_string(stdout, f[i].name, f[i].name_len);
        putchar(',');
        json_put_string(stdout, f[i].value, f[i].value_len);
        putchar(']');
    }
    putchar(']');
}

static void put_impl(void)
{
    printf("\"implementation\":{\"name\":\"httpref\",\"version\":\"%s\"}", HTTPREF_VERSION);
}

static void put_error(const char *cls, const char *message, int code, const char *name)
{
    printf("{\"outcome\":\"error\",\"error\":{\"class\":\"%s\",\"message\":", cls);
    json_put_string(stdout, message, strlen(message));
    printf(",\"code\":%d,\"name\":\"%s\"},", code, name);
    put_impl(); /* the object stays open: the caller may add "then" */
}

/* what a spec's request points into, freed once it is answered */
typedef struct spec_owned {
    char *body;             /* the decoded request body */
    httpref_field *fields;  /* the request's fields (NULL when out of memory) */
} spec_owned;

/* url, method and body; 0, or -1 with the error already written */
static int spec_target(const json *spec, httpref_request *q, spec_owned *own)
{
    const json *v = json_get(spec, "url");
    if (!v || v->type != J_STRING) {
        put_error("invalid_request", "spec has no url", HTTPREF_E_BAD_OPTION, "BAD_OPTION");
        return -1;
    }
    q->url = v->str;
    v = json_get(spec, "method");
    if (v && v->type == J_STRING)
        q->method = v->str;
    v = json_get(spec, "body");
    if (v && v->type == J_STRING) {
        own->body = hx_base64_decode(v->str, v->len, &q->body_len);
        if (!own->body) {
            put_error("other", "spec body is not base64", HTTPREF_E_BAD_OPTION, "BAD_OPTION");
            return -1;
        }
        q->body = own->body;
    }
    return 0;
}

/* headers as given, plus form "simple": a POST with a urlencoded Content-Type
 * unless the spec has one */
static void spec_fields(const json *spec, httpref_request *q, spec_owned *own)
{
    const json *form = json_get(spec, "form");
    int simple = form && form->type == J_STRING && !strcmp(form->str, "simple");
    if (simple && q->body && !q->method)
        q->method = "POST";
    const json *v = json_get(spec, "headers");
    size_t nf = v && v->type == J_ARRAY ? v->len : 0;
    httpref_field *fields = own->fields = calloc(nf + 1, sizeof *fields);
    size_t k = 0;
    int has_ct = 0;
    for (size_t i = 0; fields && i < nf; i++) {
        const json *pair = &v->items[i];
        if (pair->type != J_ARRAY || pair->len != 2 || pair->items[0].type != J_STRING ||
            pair->items[1].type != J_STRING)
            continue;
        /* names and values may carry any byte on purpose (CR/LF injection
         * scenarios): the library must refuse them, not the adapter */
        fields[k].name = pair->items[0].str;
        fields[k].name_len = pair->items[0].len;
        fields[k].value = pair->items[1].str;
        fields[k].value_len = pair->items[1].len;
        if (!hx_casecmp(fields[k].name, "content-type"))
            has_ct = 1;
        k++;
    }
    if (simple && q->body && !has_ct && fields) {
        fields[k].name = "Content-Type";
        fields[k++].value = "application/x-www-form-urlencoded";
    }
    q->headers = fields;
    q->nheaders = k;
}

/* redirect, max_redirects, proxy, ca_file and timeout_s */
static void spec_options(httpref *h, const json *spec, httpref_request *q)
{
    const json *v = json_get(spec, "redirect");
    if (v && (v->type == J_TRUE || v->type == J_FALSE))
        q->redirect = v->type == J_TRUE;
    v = json_get(spec, "max_redirects");
    if (v && v->type == J_NUMBER)
        q->max_redirects = (int)v->num;
    v = json_get(spec, "proxy");
    if (v && v->type == J_STRING)
        q->proxy = v->str;
    v = json_get(spec, "ca_file"); /* the harness's per-run CA: verification stays on */
    if (v && v->type == J_STRING)
        httpref_set_ca(h, v->str, NULL);
    v = json_get(spec, "timeout_s");
    if (v && v->type == J_NUMBER && v->num > 0) {
        httpref_setopt(h, HTTPREF_OPT_DEADLINE_MS, (long)(v->num * 1000));
        httpref_setopt(h, HTTPREF_OPT_TIMEOUT_MS, (long)(v->num * 1000));
    }
}

/* a response result object, left open */
static void put_response(const httpref_response *r, const body_buf *body)
{
    printf("{\"outcome\":\"response\",\"status\":%d,\"reason\":", r->status);
    json_put_string(stdout, r->reason, strlen(r->reason));
    printf(",\"version\":\"HTTP/%d.%d\",\"headers\":", r->version_major, r->version_minor);
    put_fields(r->fields, r->nfields);
    printf(",\"trailers\":");
    put_fields(r->trailers, r->ntrailers);
    printf(",\"body\":");
    json_put_base64(stdout, body->p ? body->p : "", body->len);
    printf(",\"effective_url\":");
    json_put_string(stdout, r->effective_url, strlen(r->effective_url));
    printf(",\"redirects\":%d,\"reused_connection\":%s,", r->redirects, r->reused_connection ? "true" : "false");
    put_impl();
}

/* one spec -> one result object on stdout, left open (no closing brace) */
static void run_one(httpref *h, const json *spec)
{
    char err[256] = "";
    httpref_request q;
    memset(&q, 0, sizeof q);
    q.redirect = -1;
    q.max_redirects = -1;
    q.source_length = -1;
    body_buf body = {0};
    spec_owned own = {0};

    if (spec_target(spec, &q, &own)) {
        free(own.body);
        return;
    }
    spec_fields(spec, &q, &own);
    spec_options(h, spec, &q);
    q.sink = body_sink;
    q.sink_ud = &body;

    httpref_response r;
    httpref_code rc = own.fields ? httpref_perform(h, &q, &r) : HTTPREF_E_NOMEM;
    if (rc == HTTPREF_OK && body.over) {
        put_error("other", "response body larger than the adapter's 64 MiB cap (read to its end, not kept)", rc,
                  httpref_code_name(rc));
    } else if (rc == HTTPREF_OK) {
        put_response(&r, &body);
    } else {
        snprintf(err, sizeof err, "%s", httpref_last_error_reason(h));
        cli_explain(h, err, sizeof err);
        put_error(httpref_class_name(httpref_code_class(rc)), err, rc, httpref_code_name(rc));
    }
    free(body.p);
    free(own.body);
    free(own.fields);
}

/* one spec on a fresh handle: the whole result object, with serve_seq if
 * seq is a number, and a newline */
static int answer_spec(const json *spec, const json *seq)
{
    httpref *h = httpref_new();
    if (!h)
        return 2;
    httpref_setopt(h, HTTPREF_OPT_KEEPALIVE, 1);
    run_one(h, spec);
    const json *then = json_get(spec, "then");
    if (then && then->type == J_ARRAY) {
        const json *t0 = json_get(spec, "timeout_s");
        printf(",\"then\":[");
        for (size_t i = 0; i < then->len; i++) {
            if (i)
                putchar(',');
            if (then->items[i].type != J_OBJECT) {
                put_error("other", "follow-up spec is not an object", HTTPREF_E_BAD_OPTION, "BAD_OPTION");
            } else {
                if (!json_get(&then->items[i], "timeout_s") && t0 && t0->type == J_NUMBER && t0->num > 0) {
                    httpref_setopt(h, HTTPREF_OPT_DEADLINE_MS, (long)(t0->num * 1000));
                    httpref_setopt(h, HTTPREF_OPT_TIMEOUT_MS, (long)(t0->num * 1000));
                }
                run_one(h, &then->items[i]);
            }
            putchar('}');
        }
        putchar(']');
    }
    httpref_free(h);
    if (seq && seq->type == J_NUMBER)
        printf(",\"serve_seq\":%.0f", seq->num);
    printf("}\n");
    return 0;
}

/* the next line of stdin into *buf (NUL-terminated, newline dropped): 1, or 0
 * at EOF; a line past MAX_SPEC is read to its end and comes back as -1 */
static int read_line(char **buf, size_t *cap, size_t *len)
{
    int seen = 0, over = 0;
    *len = 0;
    for (;;) {
        int c = getchar_unlocked();
        if (c == EOF)
            break;
        seen = 1;
        if (c == '\n')
            break;
        if (over)
            continue;
        if (*len + 1 >= *cap) {
            size_t ncap = *cap ? *cap * 2 : 65536;
            char *nb = ncap <= MAX_SPEC ? realloc(*buf, ncap) : NULL;
            if (!nb) {
                over = 1;
                continue;
            }
            *buf = nb;
            *cap = ncap;
        }
        (*buf)[(*len)++] = (char)c;
    }
    if (*buf)
        (*buf)[*len] = '\0';
    return over ? -1 : seen;
}

static int serve(void)
{
    char *line = NULL, err[128];
    size_t cap = 0, len;
    for (;;) {
        int got = read_line(&line, &cap, &len);
        if (got == 0)
            break;
        if (got > 0 && strspn(line, " \t\r") == len)
            continue; /* blank lines are not specs */
        json *spec = got > 0 ? json_parse(line, len, err, sizeof err) : NULL;
        if (got < 0)
            snprintf(err, sizeof err, "request spec larger than 64 MiB");
        const json *url = spec && spec->type == J_OBJECT ? json_get(spec, "url") : NULL;
        if (!url || url->type != J_STRING) {
            char msg[192];
            snprintf(msg, sizeof msg, "bad request spec: %s",
                     !spec ? err : spec->type != J_OBJECT ? "not a JSON object" : "no string url");
            put_error("other", msg, HTTPREF_E_BAD_OPTION, "BAD_OPTION");
            const json *seq = spec && spec->type == J_OBJECT ? json_get(spec, "serve_seq") : NULL;
            if (seq && seq->type == J_NUMBER)
                printf(",\"serve_seq\":%.0f", seq->num);
            printf("}\n");
        } else if (answer_spec(spec, json_get(spec, "serve_seq"))) {
            json_free(spec);
            free(line);
            return 2;
        }
        json_free(spec);
        fflush(stdout);
    }
    free(line);
    return 0;
}

int cli_adapter(int describe, int serve_mode)
{
    if (describe) {
        printf("{\"name\":\"httpref\",\"version\":\"%s\",\"capabilities\":[\"simple-form\",\"generic-form\","
               "\"proxy\",\"redirect-control\",\"max-redirects\",\"request-body\",\"timeouts\",\"sequence\","
               "\"custom-headers\",\"head\",\"serve\"%s]}\n",
               /* connect: https through a proxy, by tunnel.c's CONNECT */
               HTTPREF_VERSION, httpref_tls_available() ? ",\"tls\",\"connect\"" : "");
        return 0;
    }
    if (serve_mode)
        return serve();
    size_t cap = 65536, n = 0;
    char *in = malloc(cap);
    for (;;) {
        if (!in) {
            fprintf(stderr, "httpref --adapter: out of memory\n");
            return 2;
        }
        size_t got = fread(in + n, 1, cap - n, stdin);
        n += got;
        if (got == 0)
            break;
        if (n == cap) {
            if (cap >= MAX_SPEC) {
                fprintf(stderr, "httpref --adapter: request spec larger than 64 MiB\n");
                free(in);
                return 2;
            }
            char *ni = realloc(in, cap *= 2);
            if (!ni)
                free(in);
            in = ni;
        }
    }
    char err[128];
    json *spec = json_parse(in, n, err, sizeof err);
    free(in);
    if (!spec || spec->type != J_OBJECT) {
        fprintf(stderr, "httpref --adapter: malformed request spec: %s\n", spec ? "not a JSON object" : err);
        json_free(spec);
        return 2;
    }
    int rc = answer_spec(spec, NULL);
    json_free(spec);
    return rc;
}
