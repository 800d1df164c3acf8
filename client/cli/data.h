/* data: the request body built by -d, --data-binary DATA, --data-urlencode and --json (curl's rules). */
#ifndef HTTPREF_CLI_DATA_H
#define HTTPREF_CLI_DATA_H

#include "cli.h"

typedef enum data_kind {
    DATA_ASCII,     /* -d: @FILE without CR/LF */
    DATA_BINARY,    /* --data-binary DATA (its @FILE is streamed by build.c) */
    DATA_URLENCODE, /* --data-urlencode */
    DATA_JSON       /* --json: @FILE as it is; parts joined without '&' */
} data_kind;

/* add one part to c->body; 0, or -1 with the reason said */
int data_add(cli_config *c, data_kind kind, const char *arg);

#endif
