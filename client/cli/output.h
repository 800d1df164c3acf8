/* output: where one URL's body and heads go (-o/-O, -i/-I, -D, -v, the progress bar). */
#ifndef HTTPREF_CLI_OUTPUT_H
#define HTTPREF_CLI_OUTPUT_H

#include <stdio.h>
#include "cli.h"

typedef struct out_ctx {
    FILE *f;
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
/* after the request: -i / -I's head when no body byte brought it out, -D */
void output_response(out_ctx *o, const cli_config *c, const httpref_response *r);
void output_close(out_ctx *o);

#endif
