/* tunnel: https through a proxy: CONNECT, then TLS inside the tunnel. */
#ifndef HTTPREF_TUNNEL_H
#define HTTPREF_TUNNEL_H

#include "client_internal.h"

/* On the new proxy connection conn_open left (x->tunnel): send CONNECT, read
 * the reply head; a 2xx makes the tunnel and TLS starts in it; any other
 * reply is the proxy's own response (x->proxy_answer = 1, its head stored,
 * its body still to read) and no byte goes to the origin. */
httpref_code tunnel_open(httpref *h, exchange *x);

#endif
