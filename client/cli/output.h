/* output: where one URL's body and heads go (-o/-O, -i/-I, -D, -v, the progress bar). */
#ifndef HTTPREF_CLI_OUTPUT_H
#define HTTPREF_CLI_OUTPUT_H

#include <stdio.h>
#include "cli.h"

typedef struct out_ctx {
    const cli_config *c;
    FILE *f;     /* NULL until the first byte for a file (-o, -O) */
    char *path;  /* -o / -O's file, under --output-dir */
    int status;  /* of the latest response head */
    uint64_t size_header, size_download;
    double t0, t_connect, t_first; /* start; first request head out, first response head in (from t0) */
    char coding[64];       /* Content-Encoding of the latest head, "" = none */
    struct decoder *dec;   /* --compressed */
    char decode_err[160];  /* why the coded body was refused, "" = it was not */
    int64_t resume_from;   /* -C: the offset asked for, -1 = not resuming */
    int64_t range_start;   /* the latest head's Content-Range first byte, -1 = none */
    char resume_err[160];  /* why a 206 was refused */
    int verbose, include;
    progress prog;
    int64_t total; /* Content-Length of the latest response head, -1 unknown */
    uint64_t done;
    char head[16384]; /* the latest response head seen by the trace: the final one once the body starts */
    size_t head_len;
    int head_written;
    char *remote; /* -O: the file name taken from the URL */
} out_ctx;

/* open the body's destination for url (stdout, -o FILE or -O); 0, or
 * CLI_EXIT_USAGE with the reason said */
int output_open(out_ctx *o, const cli_config *c, const char *url);
/* the httpref_sink_fn and httpref_trace_fn writing into o */
int output_body(void *ud, const char *data, size_t len);
void output_trace(void *ud, char dir, const char *data, size_t len);
/* after the request: -i / -I's head when no body byte brought it out, -D; 1 when
 * --compressed found the coded body truncated (o->decode_err says so) */
int output_response(out_ctx *o, const httpref_response *r);
void output_close(out_ctx *o);
/* seconds since output_open */
double output_elapsed(const out_ctx *o);

#endif
