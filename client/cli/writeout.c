/*
 * writeout: -w FORMAT after each transfer, curl's variables and escapes.
 * %{name} is a variable (the table below), %header{name} a field of the
 * final response, %{json} every variable as one object, %{header_json} the
 * final head's fields by lowercase name, each an array of its values;
 * %{stderr} / %{stdout} switch the stream; \n \r \t \\ and %% as curl's.
 * An unknown variable is written as curl 7.88 does: a warning, nothing.
 */
#define _POSIX_C_SOURCE 200809L
#include "writeout.h"
#include "hx.h"
#include "json.h"

#include <stdlib.h>
#include <string.h>

typedef enum { W_INT, W_TIME, W_STR } wkind;

typedef struct wvar {
    const char *name;
    wkind kind;
} wvar;

/* the variables, in %{json}'s order */
static const wvar vars[] = {
    {"content_type", W_STR}, {"errormsg", W_STR},          {"exitcode", W_INT},       {"http_code", W_INT},
    {"method", W_STR},       {"num_headers", W_INT},       {"num_redirects", W_INT},  {"response_code", W_INT},
    {"size_download", W_INT}, {"size_header", W_INT},      {"size_upload", W_INT},    {"time_connect", W_TIME},
    {"time_starttransfer", W_TIME}, {"time_total", W_TIME}, {"url", W_STR},          {"url_effective", W_STR},
};
#define NVARS (sizeof vars / sizeof vars[0])

/* a variable's value: *num for W_INT / W_TIME, *str for W_STR (NULL = null) */
static void value(const xfer_info *x, const char *name, double *num, const char **str)
{
    *num = 0;
    *str = NULL;
    if (!strcmp(name, "content_type"))
        *str = x->content_type;
    else if (!strcmp(name, "errormsg"))
        *str = x->errormsg[0] ? x->errormsg : NULL;
    else if (!strcmp(name, "exitcode"))
        *num = x->exitcode;
    else if (!strcmp(name, "http_code") || !strcmp(name, "response_code"))
        *num = x->status;
    else if (!strcmp(name, "method"))
        *str = x->method;
    else if (!strcmp(name, "num_headers"))
        *num = (double)x->num_headers;
    else if (!strcmp(name, "num_redirects"))
        *num = x->redirects;
    else if (!strcmp(name, "size_download"))
        *num = (double)x->size_download;
    else if (!strcmp(name, "size_header"))
        *num = (double)x->size_header;
    else if (!strcmp(name, "size_upload"))
        *num = (double)x->size_upload;
    else if (!strcmp(name, "time_connect"))
        *num = x->t_connect;
    else if (!strcmp(name, "time_starttransfer"))
        *num = x->t_starttransfer;
    else if (!strcmp(name, "time_total"))
        *num = x->t_total;
    else if (!strcmp(name, "url"))
        *str = x->url;
    else if (!strcmp(name, "url_effective"))
        *str = x->url_effective;
}

static const wvar *find_var(const char *name, size_t n)
{
    for (size_t i = 0; i < NVARS; i++)
        if (strlen(vars[i].name) == n && !strncmp(vars[i].name, name, n))
            return &vars[i];
    return NULL;
}

static void put_var(FILE *f, const xfer_info *x, const wvar *v, int as_json)
{
    double num;
    const char *str;
    value(x, v->name, &num, &str);
    if (v->kind == W_TIME)
        fprintf(f, "%.6f", num);
    else if (v->kind == W_INT)
        fprintf(f, strstr(v->name, "_code") ? "%03.0f" : "%.0f", num); /* curl: http_code "000" when none */
    else if (as_json && str)
        json_put_string(f, str, strlen(str));
    else if (as_json)
        fputs("null", f);
    else if (str)
        fputs(str, f);
}

static void put_json(FILE *f, const xfer_info *x)
{
    fputc('{', f);
    for (size_t i = 0; i < NVARS; i++) {
        fprintf(f, "%s\"%s\":", i ? "," : "", vars[i].name);
        put_var(f, x, &vars[i], 1);
    }
    fputs(",\"curl_version\":\"httpref/" HTTPREF_VERSION "\"}", f);
}

/* the final head's fields as {"name":["v1","v2"]}, names lowercased, in first-seen order */
static void put_header_json(FILE *f, const xfer_info *x)
{
    fputc('{', f);
    int first = 1;
    for (size_t i = 0; i < x->nfields; i++) {
        const char *name = x->fields[i].name;
        size_t k = 0;
        while (k < i && hx_casecmp(x->fields[k].name, name))
            k++;
        if (k < i)
            continue; /* already written with the first one */
        fprintf(f, "%s\"", first ? "" : ",");
        for (const char *p = name; *p; p++)
            fputc((int)hx_lower((unsigned char)*p), f);
        fputs("\":[", f);
        for (size_t j = i, n = 0; j < x->nfields; j++)
            if (!hx_casecmp(x->fields[j].name, name)) {
                fputs(n++ ? "," : "", f);
                json_put_string(f, x->fields[j].value, strlen(x->fields[j].value));
            }
        fputc(']', f);
        first = 0;
    }
    fputc('}', f);
}

static void put_header(FILE *f, const xfer_info *x, const char *name, size_t n)
{
    for (size_t i = 0; i < x->nfields; i++)
        if (strlen(x->fields[i].name) == n && !hx_ncasecmp(x->fields[i].name, name, n)) {
            fputs(x->fields[i].value, f);
            return;
        }
}

/* one %{...} or %header{...} at fmt (past the '%'); the bytes it used */
static size_t directive(FILE **f, const xfer_info *x, const char *fmt)
{
    int header = !strncmp(fmt, "header{", 7);
    const char *open = header ? fmt + 7 : fmt + 1;
    const char *close = strchr(open, '}');
    if ((!header && fmt[0] != '{') || !close) {
        fputc('%', *f); /* not a directive: as it is */
        return 0;
    }
    size_t n = (size_t)(close - open);
    const wvar *v = header ? NULL : find_var(open, n);
    if (header)
        put_header(*f, x, open, n);
    else if (n == 6 && !strncmp(open, "stderr", 6))
        *f = stderr;
    else if (n == 6 && !strncmp(open, "stdout", 6))
        *f = stdout;
    else if (n == 4 && !strncmp(open, "json", 4))
        put_json(*f, x);
    else if (n == 11 && !strncmp(open, "header_json", 11))
        put_header_json(*f, x);
    else if (v)
        put_var(*f, x, v, 0);
    else
        fprintf(stderr, "httpref: -w: unknown --write-out variable: '%.*s'\n", (int)n, open);
    return (size_t)(close - fmt) + 1;
}

/* -w @FILE / @-: the format from a file, into a fresh string */
static char *format_text(const char *w)
{
    if (w[0] != '@')
        return strdup(w);
    FILE *in = strcmp(w + 1, "-") ? fopen(w + 1, "rb") : stdin;
    if (!in)
        return NULL;
    char *buf = malloc(65536);
    size_t n = buf ? fread(buf, 1, 65535, in) : 0;
    if (buf)
        buf[n] = 0;
    if (in != stdin)
        fclose(in);
    return buf;
}

void writeout(const char *w, const xfer_info *x)
{
    char *fmt = format_text(w);
    if (!fmt) {
        fprintf(stderr, "httpref: -w: cannot read %s\n", w + 1);
        return;
    }
    FILE *f = stdout;
    for (const char *p = fmt; *p; p++) {
        if (*p == '%' && p[1] == '%') {
            fputc('%', f);
            p++;
        } else if (*p == '%') {
            p += directive(&f, x, p + 1);
        } else if (*p == '\\' && p[1] && strchr("nrt\\", p[1])) {
            p++;
            fputc(*p == 'n' ? '\n' : *p == 'r' ? '\r' : *p == 't' ? '\t' : '\\', f);
        } else {
            fputc(*p, f);
        }
    }
    fflush(stdout);
    free(fmt);
}
