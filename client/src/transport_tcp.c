/*
 * transport_tcp: the default transport. getaddrinfo, every address tried in
 * order (NE-04), non-blocking connect bounded by poll, and send/recv each
 * bounded by the per-operation timeout the client passes in. No SIGPIPE.
 * While a body streams, an empty read is retried a bounded number of times
 * before sleeping (HTTPREF_OPT_RECV_SPIN): on loopback and fast links the
 * reader drains the socket faster than the sender fills it, and each sleep
 * and wake-up slows the sender more than the spin costs (tools/bench).
 */
#define _POSIX_C_SOURCE 200809L
#include "transport_tcp.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static httpref_code tcp_connect(void *ctx, const char *host, const char *port, int timeout_ms)
{
    tcp_ctx *t = ctx;
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int g = getaddrinfo(host, port, &hints, &res);
    if (g != 0) {
        snprintf(t->err, sizeof t->err, "host not found: %s (%s)", host, gai_strerror(g));
        return HTTPREF_E_DNS;
    }
    httpref_code rc = HTTPREF_E_CONNECT;
    snprintf(t->err, sizeof t->err, "connection refused by %s port %s", host, port);
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) { /* no socket at all (fd limit, no such family): say so, not "refused" */
            snprintf(t->err, sizeof t->err, "no socket for %s port %s: %s", host, port, strerror(errno));
            continue;
        }
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
            t->fd = fd;
            t->flowing = 0;
            freeaddrinfo(res);
            return HTTPREF_OK;
        }
        if (errno == EINPROGRESS) {
            struct pollfd p = {fd, POLLOUT, 0};
            int r = poll(&p, 1, timeout_ms);
            int err = 0;
            socklen_t len = sizeof err;
            if (r == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) {
                t->fd = fd;
                t->flowing = 0;
                freeaddrinfo(res);
                return HTTPREF_OK;
            }
            if (r == 0) {
                rc = HTTPREF_E_CONNECT_TIMEOUT;
                snprintf(t->err, sizeof t->err, "connect to %s port %s timed out", host, port);
            } else {
                snprintf(t->err, sizeof t->err, "connect to %s port %s: %s", host, port, strerror(err ? err : errno));
            }
        } else {
            snprintf(t->err, sizeof t->err, "connect to %s port %s: %s", host, port, strerror(errno));
        }
        close(fd);
    }
    freeaddrinfo(res);
    return rc;
}

static httpref_code tcp_send(void *ctx, const char *buf, size_t len, int timeout_ms)
{
    tcp_ctx *t = ctx;
    t->flowing = 0; /* the answer to this comes after the server's think time: no spinning for it */
    while (len) {
        ssize_t w = send(t->fd, buf, len, MSG_NOSIGNAL);
        if (w > 0) {
            buf += w;
            len -= (size_t)w;
            continue;
        }
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            struct pollfd p = {t->fd, POLLOUT, 0};
            int r = poll(&p, 1, timeout_ms);
            if (r == 0) {
                snprintf(t->err, sizeof t->err, "no progress sending for %d ms", timeout_ms);
                return HTTPREF_E_TIMEOUT;
            }
            continue;
        }
        snprintf(t->err, sizeof t->err, "send failed: %s", strerror(errno));
        return HTTPREF_E_SEND;
    }
    return HTTPREF_OK;
}

static httpref_code tcp_recv(void *ctx, char *buf, size_t cap, size_t *got, int timeout_ms)
{
    tcp_ctx *t = ctx;
    int spins = t->flowing ? t->spin : 0;
    for (;;) {
        ssize_t r = recv(t->fd, buf, cap, 0);
        if (r >= 0) {
            *got = (size_t)r;
            t->flowing = r > 0;
            return HTTPREF_OK;
        }
        if ((errno == EAGAIN || errno == EWOULDBLOCK) && spins > 0) {
            spins--;
            continue;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            struct pollfd p = {t->fd, POLLIN, 0};
            int n = poll(&p, 1, timeout_ms);
            if (n == 0) {
                snprintf(t->err, sizeof t->err, "no data received for %d ms", timeout_ms);
                return HTTPREF_E_TIMEOUT;
            }
            continue;
        }
        snprintf(t->err, sizeof t->err, "receive failed: %s", strerror(errno));
        return HTTPREF_E_RECV;
    }
}

static void tcp_close(void *ctx)
{
    tcp_ctx *t = ctx;
    if (t->fd >= 0)
        close(t->fd);
    t->fd = -1;
}

static const char *tcp_strerror(void *ctx)
{
    return ((tcp_ctx *)ctx)->err;
}

int tcp_idle_unusable(tcp_ctx *t)
{
    /* an idle kept-alive connection is unusable once the peer closed it or
     * sent anything: unsolicited bytes are never a response (RFC 9112 §9.2) */
    struct pollfd p = {t->fd, POLLIN, 0};
    char c;
    if (t->fd < 0)
        return 1;
    if (poll(&p, 1, 0) <= 0)
        return 0;
    ssize_t r = recv(t->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return !(r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
}

void tcp_transport_init(httpref_transport *tr, tcp_ctx *ctx)
{
    ctx->fd = -1;
    ctx->flowing = 0;
    ctx->err[0] = 0;
    tr->ctx = ctx;
    tr->connect = tcp_connect;
    tr->send = tcp_send;
    tr->recv = tcp_recv;
    tr->close = tcp_close;
    tr->strerror = tcp_strerror;
}
