/* writeout: -w FORMAT, curl's variables, written after each transfer. */
#ifndef HTTPREF_CLI_WRITEOUT_H
#define HTTPREF_CLI_WRITEOUT_H

#include <stdint.h>
#include "cli.h"

/* what one transfer leaves for -w (times in seconds from its start) */
typedef struct xfer_info {
    int status, redirects, exitcode;
    uint64_t size_download, size_header, size_upload, num_headers;
    double t_connect, t_starttransfer, t_total;
    const char *url, *url_effective, *method, *content_type; /* NULL = unknown */
    const httpref_field *fields; /* the final response's, NUL-terminated */
    size_t nfields;
    char errormsg[512];
} xfer_info;

/* write -w's format w (or @FILE) for x */
void writeout(const char *w, const xfer_info *x);

#endif
