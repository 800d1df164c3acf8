/*
 * output: the body to stdout or a file as it streams, the heads the trace
 * hook sees (-v prints them like curl, -i/-I keep the final one for stdout,
 * its Content-Length drives the progress bar), and -D's dump afterwards.
 */
#define _POSIX_C_SOURCE 200809L
#include "output.h"
#include "hx.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

int output_open(out_ctx *o, const cli_config *c, const char *url)
{
    memset(o, 0, sizeof *o);
    o->f = stdout;
    o->verbose = c->verbose;
    o->include = c->include || c->head;
    o->total = -1;
    if (!c->remote_name && !c->out_path)
        return 0;
    const char *path = c->out_path;
    if (c->remote_name) {
        o->remote = remote_name(url);
        if (!o->remote) {
            fprintf(stderr, "httpref: -O: no usable file name in %s\n", url);
            return CLI_EXIT_USAGE;
        }
        path = o->remote;
    }
    o->f = fopen(path, "wb");
    if (!o->f) {
        fprintf(stderr, "httpref: cannot write %s: %s\n", path, strerror(errno));
        free(o->remote);
        o->remote = NULL;
        return CLI_EXIT_USAGE;
    }
    setvbuf(o->f, NULL, _IONBF, 0); /* body chunks are large: one write each, no stdio copy */
    return 0;
}

static void write_head(out_ctx *o)
{
    if (o->include && !o->head_written) {
        fwrite(o->head, 1, o->head_len, o->f);
        o->head_written = 1;
    }
}

int output_body(void *ud, const char *data, size_t len)
{
    out_ctx *o = ud;
    write_head(o); /* -i: the head goes before the first body byte */
    if (!data)
        return fflush(o->f) != 0;
    if (fwrite(data, 1, len, o->f) != len)
        return 1;
    o->done += len;
    progress_update(&o->prog, o->done, o->total);
    return 0;
}

/* keep the latest response head: its length drives the progress bar, -i prints it */
static void keep_head(out_ctx *o, const char *data, size_t len)
{
    size_t n = len < sizeof o->head ? len : sizeof o->head;
    memcpy(o->head, data, n);
    o->head_len = n;
    o->total = -1;
    for (size_t k = 0; k + 16 < n; k++) {
        if ((k == 0 || data[k - 1] == '\n') && !hx_ncasecmp(data + k, "content-length:", 15)) {
            o->total = strtoll(data + k + 15, NULL, 10);
            break;
        }
    }
}

void output_trace(void *ud, char dir, const char *data, size_t len)
{
    out_ctx *o = ud;
    if (dir == '<')
        keep_head(o, data, len);
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

void output_response(out_ctx *o, const cli_config *c, const httpref_response *r)
{
    write_head(o); /* a response without body bytes: -i / -I still show the head */
    if (!c->dump)
        return;
    FILE *df = strcmp(c->dump, "-") ? fopen(c->dump, "ab") : stdout;
    if (!df)
        return;
    fprintf(df, "%s\r\n", r->status_line);
    for (size_t i = 0; i < r->nfields; i++)
        fprintf(df, "%s: %s\r\n", r->fields[i].name, r->fields[i].value);
    fprintf(df, "\r\n");
    if (df != stdout)
        fclose(df);
}

void output_close(out_ctx *o)
{
    if (o->f != stdout)
        fclose(o->f);
    else
        fflush(stdout);
    free(o->remote);
    o->remote = NULL;
}
