/* transport: the library's TCP transport wrapped for --resolve and --trace-ascii. */
#ifndef HTTPREF_CLI_TRANSPORT_H
#define HTTPREF_CLI_TRANSPORT_H

#include <stdio.h>
#include "cli.h"
#include "transport_tcp.h"

typedef struct cli_transport {
    const cli_config *c;
    tcp_ctx tcp;
    httpref_transport inner; /* the library's TCP functions on tcp */
    FILE *trace;             /* --trace-ascii, NULL = none */
} cli_transport;

/* put the wrapper on h when --resolve or --trace-ascii asks for it (t must
 * outlive h); 0, or an exit status with the reason said */
int transport_setup(cli_transport *t, const cli_config *c, httpref *h);
void transport_done(cli_transport *t);

#endif
