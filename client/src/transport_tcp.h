/* transport_tcp: the default httpref_transport (TCP, IPv4 and IPv6). */
#ifndef HTTPREF_TRANSPORT_TCP_H
#define HTTPREF_TRANSPORT_TCP_H

#include "httpref.h"

typedef struct tcp_ctx {
    int fd;
    int spin;    /* HTTPREF_OPT_RECV_SPIN */
    int flowing; /* the last receive got bytes and nothing was sent since: a body streams */
    char err[200];
} tcp_ctx;

/* 1 when an idle kept-alive connection was closed by the peer or got unsolicited bytes */
int tcp_idle_unusable(tcp_ctx *t);

/* fill tr with the TCP functions working on ctx */
void tcp_transport_init(httpref_transport *tr, tcp_ctx *ctx);

#endif
