/* build: a cli_config made into what libhttpref takes: the handle's options, the fields, one request. */
#ifndef HTTPREF_CLI_BUILD_H
#define HTTPREF_CLI_BUILD_H

#include <stdio.h>
#include "cli.h"

/* a handle with the command line's options set; NULL when out of memory */
httpref *build_handle(const cli_config *c);
/* the fields every request carries besides -H: Authorization from -u (its
 * value in *auth, freed by the caller) and the form Content-Type for -d */
void build_fields(cli_config *c, char **auth);
/* one URL's request; a --data-binary file is opened as its source (*src,
 * closed by the caller). 0, or CLI_EXIT_USAGE with the reason said */
int build_request(const cli_config *c, const char *url, httpref_request *q, FILE **src);

#endif
