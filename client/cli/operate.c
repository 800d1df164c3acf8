/*
 * operate: every URL of the command line in turn on one handle (so one
 * connection is reused when the server allows it), each streamed to its
 * output; the first failure stops the run and is its exit status.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "build.h"
#include "output.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* the failure in words on stderr (unless -s without -S); its exit status */
static int report(const cli_config *c, const httpref *h, httpref_code rc, const httpref_response *r)
{
    if (rc != HTTPREF_OK) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", httpref_last_error_reason(h));
        cli_explain(rc, h, msg, sizeof msg);
        if (!c->silent || c->show_error)
            fprintf(stderr, "httpref: %s error: %s\n", httpref_class_name(httpref_code_class(rc)), msg);
        return (int)rc;
    }
    if (c->fail_on_error && r->status >= 400) {
        if (!c->silent || c->show_error)
            fprintf(stderr, "httpref: the server answered %d (-f)\n", r->status);
        return CLI_EXIT_HTTP_ERROR;
    }
    return 0;
}

/* one URL: request, output, perform, report; the exit status (0 = go on) */
static int run_one(httpref *h, const cli_config *c, const char *url)
{
    static out_ctx o; /* static: the kept head is 16 KiB */
    httpref_request q;
    FILE *src;
    int status = build_request(c, url, &q, &src);
    if (status)
        return status;
    status = output_open(&o, c, url);
    if (status)
        return status;
    httpref_set_trace(h, output_trace, &o);
    progress_start(&o.prog, !c->silent && isatty(2));
    q.sink = output_body;
    q.sink_ud = &o;
    httpref_response r;
    httpref_code rc = httpref_perform(h, &q, &r);
    progress_finish(&o.prog);
    if (src && src != stdin)
        fclose(src);
    if (rc == HTTPREF_OK)
        output_response(&o, c, &r);
    output_close(&o);
    return report(c, h, rc, &r);
}

int cli_operate(cli_config *c)
{
    char *auth;
    httpref *h = build_handle(c);
    if (!h)
        return HTTPREF_E_NOMEM;
    build_fields(c, &auth);
    int status = 0;
    for (int i = 0; i < c->nurls && !status; i++)
        status = run_one(h, c, c->urls[i]);
    free(auth);
    httpref_free(h);
    return status;
}
