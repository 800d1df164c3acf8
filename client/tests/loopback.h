/*
 * loopback.h: the scripted loopback server test_client runs its cases
 * against. A thread on 127.0.0.1 (port 0) follows a script: per step it reads
 * one whole request (head and body), writes the step's raw bytes (at once or
 * trickled), optionally holds, then keeps or closes the connection. Every
 * socket wait is bounded by poll, so nothing can hang; every byte the client
 * sent is logged for assertions. Header-only like tap.h: each test_*.c is
 * built alone (client/CMakeLists.txt globs them), so no second source file.
 */
#ifndef HTTPREF_LOOPBACK_H
#define HTTPREF_LOOPBACK_H

#include "hx.h"
#include "tap.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h> /* glibc >= 2.34 keeps pthread in libc: links without -pthread */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define WAIT_MS 3000 /* bound on every server wait */
#define MAXREQ 16

enum { CLOSE = 0, KEEP, SHUT, LINGER };

typedef struct step {
    const char *reply; /* raw bytes written once the request is read; NULL: nothing */
    int trickle_ms;    /* > 0: one byte at a time with this gap */
    int hold_ms;       /* then wait this long, or until the client closes */
    int after;         /* CLOSE, KEEP (next step on this connection), SHUT (half-close, wait, close),
                          LINGER (left open, unread, till the end; the next step takes a new connection) */
} step;

typedef struct server {
    int lfd, port;
    const step *steps;
    size_t nsteps;
    pthread_t thr;
    hx_buf log;             /* every byte the client sent */
    size_t off[MAXREQ + 1]; /* request i is log[off[i] .. off[i+1]) */
    size_t nreq;
    int conns, pending;
} server;

static const char *find(const char *hay, size_t n, const char *needle, int nocase)
{
    size_t k = strlen(needle);
    for (size_t i = 0; k <= n && i <= n - k; i++)
        if (nocase ? !hx_ncasecmp(hay + i, needle, k) : !memcmp(hay + i, needle, k))
            return hay + i;
    return NULL;
}

/* is the request starting at log[start] complete? framing from its own head */
static int request_done(const server *s, size_t start)
{
    const char *r = s->log.p + start;
    size_t n = s->log.len - start;
    const char *end = find(r, n, "\r\n\r\n", 0);
    if (!end)
        return 0;
    size_t head = (size_t)(end - r) + 4, pos = head;
    const char *cl = find(r, head, "\r\nContent-Length:", 1);
    if (cl)
        return n >= head + strtoul(cl + 17, NULL, 10);
    if (!find(r, head, "\r\nTransfer-Encoding: chunked", 1))
        return 1;
    for (;;) { /* walk the chunks: size line, data, CRLF; "0" CRLF CRLF ends */
        const char *eol = find(r + pos, n - pos, "\r\n", 0);
        if (!eol)
            return 0;
        unsigned long size = strtoul(r + pos, NULL, 16);
        pos = (size_t)(eol - r) + 2 + size + 2;
        if (pos > n)
            return 0;
        if (size == 0)
            return 1;
    }
}

/* 0 when one whole request was read; -1 on EOF, error or timeout */
static int read_request(server *s, int fd)
{
    size_t start = s->log.len;
    char buf[16384];
    if (s->nreq < MAXREQ)
        s->off[s->nreq] = start;
    while (!request_done(s, start) || s->log.len == start) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, WAIT_MS) != 1)
            return -1;
        ssize_t r = recv(fd, buf, sizeof buf, 0);
        if (r <= 0)
            return -1;
        hx_buf_add(&s->log, buf, (size_t)r);
    }
    if (s->nreq < MAXREQ)
        s->off[++s->nreq] = s->log.len;
    return 0;
}

/* wait up to ms for the client to close (EOF); bytes it sends are logged */
static void hold(server *s, int fd, int ms)
{
    int64_t until = hx_now_ms() + ms;
    char buf[4096];
    for (int64_t left; (left = until - hx_now_ms()) > 0;) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, (int)left) != 1)
            return;
        ssize_t r = recv(fd, buf, sizeof buf, 0);
        if (r <= 0)
            return;
        hx_buf_add(&s->log, buf, (size_t)r);
    }
}

static void *serve(void *arg)
{
    server *s = arg;
    int fd = -1, lingering[MAXREQ], nl = 0;
    for (size_t i = 0; i < s->nsteps; i++) {
        const step *st = &s->steps[i];
        if (fd < 0) {
            struct pollfd p = {s->lfd, POLLIN, 0};
            if (poll(&p, 1, WAIT_MS) != 1)
                break;
            fd = accept(s->lfd, NULL, NULL);
            if (fd < 0)
                break;
            s->conns++;
        }
        if (read_request(s, fd) < 0)
            break;
        if (st->reply && st->trickle_ms) {
            for (const char *c = st->reply; *c; c++) {
                if (send(fd, c, 1, MSG_NOSIGNAL) != 1)
                    break;
                hx_sleep_ms(st->trickle_ms);
            }
        } else if (st->reply) {
            (void)!send(fd, st->reply, strlen(st->reply), MSG_NOSIGNAL);
        }
        if (st->after == SHUT)
            shutdown(fd, SHUT_WR);
        if (st->hold_ms || st->after == SHUT)
            hold(s, fd, st->hold_ms ? st->hold_ms : WAIT_MS);
        if (st->after == LINGER && nl < MAXREQ)
            lingering[nl++] = fd;
        else if (st->after != KEEP)
            close(fd);
        if (st->after != KEEP)
            fd = -1;
    }
    if (fd >= 0)
        close(fd);
    while (nl)
        close(lingering[--nl]);
    return NULL;
}

static void srv_start(server *s, const step *steps, size_t n)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    memset(s, 0, sizeof *s);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (bind(s->lfd, (struct sockaddr *)&a, sizeof a) || listen(s->lfd, 16) ||
        getsockname(s->lfd, (struct sockaddr *)&a, &alen))
        note("server setup failed");
    s->port = ntohs(a.sin_port);
    s->steps = steps;
    s->nsteps = n;
    hx_buf_add(&s->log, "", 0);
    pthread_create(&s->thr, NULL, serve, s);
}

/* after the client is done: join, and count connections never accepted (once) */
static void srv_join(server *s)
{
    struct pollfd p = {s->lfd, POLLIN, 0};
    if (s->lfd < 0)
        return;
    pthread_join(s->thr, NULL);
    s->pending = poll(&p, 1, 0) == 1;
    close(s->lfd);
    s->lfd = -1;
}

/* request i as a string (a copy in a static buffer), "" when absent */
static const char *req(const server *s, size_t i)
{
    static char buf[1 << 16];
    size_t n = i < s->nreq ? s->off[i + 1] - s->off[i] : 0;
    if (n >= sizeof buf)
        n = sizeof buf - 1;
    if (n)
        memcpy(buf, s->log.p + s->off[i], n);
    buf[n] = 0;
    return buf;
}

#endif
