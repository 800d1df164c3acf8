/*
 * output: the body to stdout or a file as it streams, the heads the trace
 * hook sees (-v prints them like curl, -i/-I keep the final one for stdout,
 * its Content-Length drives the progress bar), and -D's dump of every head as received.
 */
#define _POSIX_C_SOURCE 200809L
#include "output.h"
#include "decode.h"
#include "hx.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* seconds on the monotonic clock: -w's times want better than milliseconds */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double output_elapsed(const out_ctx *o)
{
    return now_s() - o->t0;
}

/* -O: the last path segment, without query or fragment; never "", "." or ".." */
static char *remote_name(const char *url)
{
    const char *s = strrchr(url, '/');
    const char *name = s ? s + 1 : "";
    size_t n = strcspn(name, "?#");
    if (n == 0 || (n <= 2 && !strncmp(name, "..", n)) || !strncmp(name, "..", 2))
        return NULL;
    return strndup(name, n);
}

/* --create-dirs: every missing directory of path (mkdir -p of its dirname) */
static void create_dirs(const char *path)
{
    char *p = strdup(path);
    for (char *s = p ? strchr(p + 1, '/') : NULL; s; s = strchr(s + 1, '/')) {
        *s = 0;
        mkdir(p, 0777); /* an existing one fails harmlessly; fopen says what is wrong */
        *s = '/';
    }
    free(p);
}

/* the file is made at the first byte to write (or at the end of a body-less
 * success), so -f leaves no file behind for an error answer, as curl's */
static int ensure_open(out_ctx *o)
{
    if (o->f)
        return 0;
    if (o->c->create_dirs)
        create_dirs(o->path);
    o->f = fopen(o->path, o->resume_from > 0 && o->status == 206 ? "ab" : "wb"); /* -C: a 200 starts over */
    if (!o->f) {
        fprintf(stderr, "httpref: cannot write %s: %s\n", o->path, strerror(errno));
        return 1;
    }
    setvbuf(o->f, NULL, _IONBF, 0); /* body chunks are large: one write each, no stdio copy */
    return 0;
}

/* -o / -O's name, under --output-dir when it is relative */
static char *out_path(const cli_config *c, const char *name)
{
    if (!c->output_dir || name[0] == '/')
        return strdup(name);
    size_t n = strlen(c->output_dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", c->output_dir, name);
    return p;
}

/* -C: where to resume; -C - takes the output file's size (0 when it is missing) */
static void resume_offset(out_ctx *o, const cli_config *c)
{
    struct stat st;
    o->resume_from = !c->resume ? -1 : c->resume_offset >= 0 ? c->resume_offset : 0;
    if (c->resume && c->resume_offset < 0 && o->path && stat(o->path, &st) == 0)
        o->resume_from = st.st_size;
}

int output_open(out_ctx *o, const cli_config *c, const char *url)
{
    memset(o, 0, sizeof *o);
    o->c = c;
    o->f = stdout;
    o->verbose = c->verbose;
    o->include = c->include || c->head;
    o->total = -1;
    o->t0 = now_s();
    o->range_start = -1;
    if (!c->remote_name && !c->out_path) {
        resume_offset(o, c);
        return 0;
    }
    const char *name = c->out_path;
    if (c->remote_name) {
        o->remote = remote_name(url);
        if (!o->remote) {
            /* curl 7.88 refuses it too ("Remote file name has no length"); newer curl writes "curl_response" */
            fprintf(stderr, "httpref: -O: %s names no file (its path ends in '/' or is empty, '.' or '..'); "
                            "give one with -o FILE\n", url);
            return CLI_EXIT_USAGE;
        }
        name = o->remote;
    }
    o->path = out_path(c, name);
    o->f = NULL;
    resume_offset(o, c);
    return o->path ? 0 : HTTPREF_E_NOMEM;
}

/* -f without --fail-with-body: an error answer's body is not written; nor is a 416's
 * to -C (the file is complete), as curl's */
static int failed_answer(const out_ctx *o)
{
    if (o->resume_from > 0 && o->status == 416)
        return 1;
    return o->c->fail_on_error && !o->c->fail_with_body && o->status >= 400;
}

/* -C: a 206 must continue where the file ends (RFC 9110 §14.4), never splice other bytes in */
static int resume_mismatch(out_ctx *o)
{
    if (o->resume_from <= 0 || o->status != 206 || o->range_start == o->resume_from)
        return 0;
    snprintf(o->resume_err, sizeof o->resume_err, "-C %lld: the 206's Content-Range starts at %lld",
             (long long)o->resume_from, (long long)o->range_start);
    return 1;
}


static int write_head(out_ctx *o)
{
    if (o->include && !o->head_written && o->head_len) {
        if (ensure_open(o))
            return 1;
        fwrite(o->head, 1, o->head_len, o->f);
        o->head_written = 1;
    }
    return 0;
}

/* body bytes as they are to be written (decoded, with --compressed) */
static int write_body(void *ud, const char *data, size_t len)
{
    out_ctx *o = ud;
    return ensure_open(o) || fwrite(data, 1, len, o->f) != len;
}

/* --compressed: the coded bytes through the decoder; at the end (data NULL) its check */
static int decoded(out_ctx *o, const char *data, size_t len)
{
    if (!o->dec)
        o->dec = decode_new(o->coding, write_body, o);
    if (!o->dec)
        return data ? write_body(o, data, len) : 0; /* a coding not known: as received */
    int rc = data ? decode_feed(o->dec, data, len) : decode_finish(o->dec);
    if (rc == -1)
        snprintf(o->decode_err, sizeof o->decode_err, "%s", decode_error(o->dec));
    return rc != 0;
}

int output_body(void *ud, const char *data, size_t len)
{
    out_ctx *o = ud;
    if (write_head(o)) /* -i: the head goes before the first body byte */
        return 1;
    o->size_download += len;
    if (failed_answer(o))
        return 0;
    if (resume_mismatch(o))
        return 1;
    if (o->c->compressed && o->coding[0] && decoded(o, data, len))
        return 1;
    if (!data)
        return o->f && fflush(o->f) != 0;
    if (!(o->c->compressed && o->coding[0]) && write_body(o, data, len))
        return 1;
    o->done += len;
    progress_update(&o->prog, o->done, o->total);
    return 0;
}

/* the Content-Encoding value, trimmed (a list such as "gzip, br" stays whole: passed through) */
static void coding(out_ctx *o, const char *v, size_t n)
{
    while (n && (*v == ' ' || *v == '\t')) {
        v++;
        n--;
    }
    size_t k = 0;
    while (k < n && v[k] != '\r' && v[k] != '\n')
        k++;
    while (k && (v[k - 1] == ' ' || v[k - 1] == '\t'))
        k--;
    snprintf(o->coding, sizeof o->coding, "%.*s", (int)k, v);
}

/* Content-Range: "bytes FIRST-LAST/LENGTH" -> FIRST, -1 for anything else */
static int64_t range_start(const char *v)
{
    while (*v == ' ' || *v == '\t')
        v++;
    if (hx_ncasecmp(v, "bytes ", 6) || v[6] < '0' || v[6] > '9')
        return -1;
    char *end;
    long long first = strtoll(v + 6, &end, 10);
    return *end == '-' ? first : -1;
}

/* -D: every response head as it came (each hop, each 1xx), as curl's; the file is
 * truncated by the run's first head and appended to after it */
static void dump_head(const cli_config *c, const char *data, size_t len)
{
    static int started;
    FILE *df = strcmp(c->dump, "-") ? fopen(c->dump, started ? "ab" : "wb") : stdout;
    started = 1;
    if (!df) {
        fprintf(stderr, "httpref: -D: cannot write %s: %s\n", c->dump, strerror(errno));
        return;
    }
    fwrite(data, 1, len, df);
    if (df != stdout)
        fclose(df);
    else
        fflush(df);
}

/* keep the latest response head: its length drives the progress bar, -i prints it */
static void keep_head(out_ctx *o, const char *data, size_t len)
{
    size_t n = len < sizeof o->head ? len : sizeof o->head;
    write_head(o); /* -i: a head that no body followed (a redirect, a 401 retried, a 1xx) is shown too, as curl's */
    o->head_written = 0;
    memcpy(o->head, data, n);
    o->head_len = n;
    o->total = -1;
    o->size_header += len;
    if (o->c->dump)
        dump_head(o->c, data, len);
    o->coding[0] = 0;
    o->range_start = -1;
    if (!o->t_first)
        o->t_first = now_s() - o->t0;
    o->status = n > 12 && !memcmp(data, "HTTP/", 5) ? atoi(data + 9) : 0;
    for (size_t k = 0; k + 16 < n; k++) {
        if ((k == 0 || data[k - 1] == '\n') && !hx_ncasecmp(data + k, "content-length:", 15))
            o->total = strtoll(data + k + 15, NULL, 10);
        if ((k == 0 || data[k - 1] == '\n') && !hx_ncasecmp(data + k, "content-encoding:", 17))
            coding(o, data + k + 17, n - k - 17);
        if ((k == 0 || data[k - 1] == '\n') && !hx_ncasecmp(data + k, "content-range:", 14))
            o->range_start = range_start(data + k + 14);
    }
}

void output_trace(void *ud, char dir, const char *data, size_t len)
{
    out_ctx *o = ud;
    if (dir == '<')
        keep_head(o, data, len);
    if (dir == '>' && !o->t_connect) /* connected: the first request head goes out */
        o->t_connect = now_s() - o->t0;
    if (!o->verbose)
        return;
    /* each line of the head, prefixed "> " or "< " like curl -v */
    size_t i = 0;
    while (i < len) {
        size_t e = i;
        while (e < len && data[e] != '\n')
            e++;
        size_t l = e - i;
        if (l && data[i + l - 1] == '\r')
            l--;
        fprintf(stderr, "%c %.*s\n", dir, (int)l, data + i);
        i = e + 1;
    }
}

int output_response(out_ctx *o, const httpref_response *r)
{
    o->status = r->status;
    if (resume_mismatch(o)) /* a 206 without body bytes */
        return 1;
    /* the library does not hear the sink's answer to the end of the body: check the coded stream here */
    if (o->dec && decode_finish(o->dec)) {
        snprintf(o->decode_err, sizeof o->decode_err, "%s", decode_error(o->dec));
        return 1;
    }
    write_head(o); /* a response without body bytes: -i / -I still show the head */
    if (!failed_answer(o))
        ensure_open(o); /* an empty body still makes its (empty) file, as curl's */
    return 0;
}

void output_close(out_ctx *o)
{
    if (o->f && o->f != stdout)
        fclose(o->f);
    else
        fflush(stdout);
    free(o->remote);
    free(o->path);
    decode_free(o->dec);
    o->dec = NULL;
    o->remote = o->path = NULL;
}
