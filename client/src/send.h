/* send: the request onto the connection: the serialised head, then the body. */
#ifndef HTTPREF_SEND_H
#define HTTPREF_SEND_H

#include <stddef.h>
#include "client_internal.h"

/* head[0..n) and the request's body (in memory, or streamed from its source
 * with Content-Length or chunked) */
httpref_code send_request(httpref *h, exchange *x, const char *head, size_t n);

#endif
