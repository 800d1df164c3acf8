/* build: a cli_config made into what libhttpref takes: the handle's options, the fields, one request. */
#ifndef HTTPREF_CLI_BUILD_H
#define HTTPREF_CLI_BUILD_H

#include <stdio.h>
#include "cli.h"

/* one URL's request and what it owns: a -T / --data-binary file, a -T URL with the file's name */
typedef struct cli_req {
    httpref_request q;
    FILE *src;
    char *url;
    httpref_field fields[CLI_MAX_HEADERS + 1]; /* -C: the fields with its Range */
    char range[48];
    struct form *form; /* -F */
} cli_req;

/* a handle with the command line's options set; NULL with *rc the error (said on stderr) */
httpref *build_handle(const cli_config *c, httpref_code *rc);
/* the fields every request carries besides -H: Authorization from -u, Range
 * from -r (their values in *auth and *range, freed by the caller), the form
 * Content-Type for -d, Accept: * / *, no TE. An error for -u with a control byte (said). */
httpref_code build_fields(cli_config *c, char **auth, char **range);
/* one URL's request; 0, or an exit status with the reason said */
int build_request(const cli_config *c, const char *url, cli_req *r);
void build_request_free(cli_req *r);
/* a field of this request only, unless the command line gave one of that name */
void build_field(cli_req *r, const char *name, const char *value);
/* the host and path of an http URL, for cookie matching */
void cli_url_host_path(const char *url, char *host, size_t hcap, char *path, size_t pcap);
/* -C: the request's fields with "Range: bytes=OFFSET-" in place of any -r; 0 or an exit status */
int build_resume(cli_req *r, int64_t offset);

#endif
