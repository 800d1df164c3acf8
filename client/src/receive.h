/* receive: the response off the connection, through the sans-I/O reader in x->rd. */
#ifndef HTTPREF_RECEIVE_H
#define HTTPREF_RECEIVE_H

#include "client_internal.h"

/* the handle's receive buffer and parser storage, sized from the limits on first use */
httpref_code receive_buffers(httpref *h);
/* read until the final head (1xx heads skipped and traced) and store it in h->resp */
httpref_code receive_head(httpref *h, exchange *x);
/* the body of the head just received: to the request's sink, or, when
 * discard (a redirect will follow), read and dropped up to a bound. The
 * connection is closed unless the message ended cleanly, framed, with
 * keep-alive on and no byte left over. */
httpref_code receive_body(httpref *h, exchange *x, int discard);

#endif
