/*
 * test_tcp: the default TCP transport where connect, send and recv fail,
 * against loopback listeners that misbehave on purpose: a full accept queue
 * (connect never completes), a peer that never reads (send makes no
 * progress), a peer that resets (send and recv fail), an address TCP cannot
 * reach, and a process out of file descriptors. Every wait is bounded.
 */
#define _POSIX_C_SOURCE 200809L
#include "httpref.h"
#include "tap.h"
#include "hx.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define WAIT_MS 3000 /* bound on every server wait */

/* a loopback listener on an ephemeral port; backlog as given */
static int listener(int backlog, int *port)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, backlog) ||
        getsockname(fd, (struct sockaddr *)&a, &alen))
        note("listener setup failed");
    *port = ntohs(a.sin_port);
    return fd;
}

/* ---- a one-connection server thread ---- */

enum {
    NEVER_READ,     /* accept, read nothing until told to stop */
    RESET_ON_BYTES, /* accept, read what has come, reset */
    RESET_ON_HEAD,  /* accept, read the whole request head, reset */
    READ_ALL        /* accept, read the whole request (Content-Length), answer 200 */
};

typedef struct rawsrv {
    int lfd, port, mode, stop[2];
    pthread_t thr;
} rawsrv;

static void reset(int fd)
{
    struct linger lg = {1, 0}; /* close with RST, not FIN */
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd);
}

static void *serve(void *arg)
{
    rawsrv *s = arg;
    struct pollfd p = {s->lfd, POLLIN, 0};
    if (poll(&p, 1, WAIT_MS) != 1)
        return NULL;
    int fd = accept(s->lfd, NULL, NULL);
    if (fd < 0)
        return NULL;
    if (s->mode == NEVER_READ) {
        struct pollfd st = {s->stop[0], POLLIN, 0};
        poll(&st, 1, WAIT_MS);
        close(fd);
        return NULL;
    }
    if (s->mode == READ_ALL) {
        static char big[1 << 16];
        size_t total = 0, want = 0;
        while (!want || total < want) {
            struct pollfd in = {fd, POLLIN, 0};
            ssize_t r = poll(&in, 1, WAIT_MS) == 1 ? recv(fd, big, sizeof big - 1, 0) : -1;
            if (r <= 0)
                break;
            big[r] = 0;
            const char *cl = total ? NULL : strstr(big, "Content-Length: ");
            const char *end = total ? NULL : strstr(big, "\r\n\r\n");
            if (cl && end) /* the head comes in one piece: the client sends it alone */
                want = (size_t)(end - big) + 4 + strtoul(cl + 16, NULL, 10);
            total += (size_t)r;
        }
        (void)!send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 38, MSG_NOSIGNAL);
        close(fd);
        return NULL;
    }
    char buf[4096];
    size_t have = 0;
    for (;;) {
        struct pollfd in = {fd, POLLIN, 0};
        if (poll(&in, 1, WAIT_MS) != 1)
            break;
        ssize_t r = recv(fd, buf + have, sizeof buf - 1 - have, 0);
        if (r <= 0)
            break;
        have += (size_t)r;
        buf[have] = 0;
        if (s->mode == RESET_ON_BYTES || strstr(buf, "\r\n\r\n") || have == sizeof buf - 1)
            break;
    }
    reset(fd);
    return NULL;
}

static void srv_start(rawsrv *s, int mode)
{
    memset(s, 0, sizeof *s);
    s->mode = mode;
    s->lfd = listener(16, &s->port);
    if (pipe(s->stop))
        note("pipe failed");
    pthread_create(&s->thr, NULL, serve, s);
}

static void srv_end(rawsrv *s)
{
    (void)!write(s->stop[1], "x", 1);
    pthread_join(s->thr, NULL);
    close(s->lfd);
    close(s->stop[0]);
    close(s->stop[1]);
}

static httpref *client(void)
{
    httpref *h = httpref_new();
    httpref_setopt(h, HTTPREF_OPT_TIMEOUT_MS, 2000);
    return h;
}

/* ---- connect ---- */

static void test_connect(void)
{
    /* a backlog of 0 holds one connection; the next SYN is dropped (Linux, tcp_abort_on_overflow = 0,
     * the default), so connect never completes */
    int port, filler = socket(AF_INET, SOCK_STREAM, 0);
    int lfd = listener(0, &port);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)port);
    if (connect(filler, (struct sockaddr *)&a, sizeof a))
        note("filler connect failed");
    char url[100];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", port);
    static const struct {
        const char *what;
        httpref_option opt;
        httpref_code want;
        const char *reason;
    } full[] = {
        {"connect timeout binds", HTTPREF_OPT_CONNECT_TIMEOUT_MS, HTTPREF_E_CONNECT_TIMEOUT, "timed out"},
        {"total deadline binds", HTTPREF_OPT_DEADLINE_MS, HTTPREF_E_DEADLINE, "while connecting"}};
    for (size_t i = 0; i < sizeof full / sizeof full[0]; i++) {
        httpref *h = client();
        httpref_setopt(h, full[i].opt, 150);
        httpref_request q = {.url = url, .redirect = -1, .max_redirects = -1};
        httpref_response r;
        int64_t t0 = hx_now_ms();
        httpref_code rc = httpref_perform(h, &q, &r);
        int64_t took = hx_now_ms() - t0;
        const char *why = httpref_last_error_reason(h);
        ok(rc == full[i].want && strstr(why, full[i].reason) && took >= 100 && took < 1000,
           "accept queue full, %s: %s after about 150 ms (got %s \"%s\" after %lld ms)", full[i].what,
           httpref_code_name(full[i].want), httpref_code_name(rc), why, (long long)took);
        httpref_free(h);
    }
    close(filler);
    close(lfd);

    /* TCP refuses a broadcast destination at once (ENETUNREACH): no waiting */
    httpref *h = client();
    httpref_request q = {.url = "http://255.255.255.255:9/", .redirect = -1, .max_redirects = -1};
    httpref_response r;
    httpref_code rc = httpref_perform(h, &q, &r);
    ok(rc == HTTPREF_E_CONNECT && strstr(httpref_last_error_reason(h), "255.255.255.255"),
       "a broadcast address: CONNECT at once (got %s \"%s\")", httpref_code_name(rc),
       httpref_last_error_reason(h));

    /* out of file descriptors: no socket, so no connection, and no crash */
    struct rlimit old, low;
    rawsrv s;
    srv_start(&s, RESET_ON_HEAD);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", s.port);
    q.url = url;
    int probe =
        open("/dev/null", O_RDONLY); /* the lowest free descriptor: the limit makes it the first refused */
    close(probe);
    getrlimit(RLIMIT_NOFILE, &old);
    low = old;
    low.rlim_cur = (rlim_t)probe;
    setrlimit(RLIMIT_NOFILE, &low);
    rc = httpref_perform(h, &q, &r);
    setrlimit(RLIMIT_NOFILE, &old);
    ok(rc == HTTPREF_E_CONNECT, "no descriptor left for a socket: CONNECT (got %s \"%s\")",
       httpref_code_name(rc), httpref_last_error_reason(h));
    rc = httpref_perform(h, &q, &r);
    ok(rc == HTTPREF_E_EMPTY_REPLY, "with descriptors back the same handle connects again (got %s)",
       httpref_code_name(rc));
    srv_end(&s);
    httpref_free(h);
}

/* ---- send and recv ---- */

static void test_io(void)
{
    const size_t big = 32u << 20; /* far beyond what loopback socket buffers hold */
    char *body = malloc(big);
    memset(body, 'b', big);
    static const struct {
        const char *what;
        int mode;
        int post; /* a 32 MiB POST, else a GET */
        httpref_code want;
        const char *reason;
    } io[] = {
        /* a peer slower than the sender: send waits for room again and again, and gets there */
        {"a peer that reads it all", READ_ALL, 1, HTTPREF_OK, NULL},
        /* the peer never reads: the per-operation timeout bounds each wait for room to send */
        {"a peer that never reads", NEVER_READ, 1, HTTPREF_E_TIMEOUT, "no progress sending"},
        /* the peer resets mid-body: SEND, and no early response to read either */
        {"a peer that resets while the body is sent", RESET_ON_BYTES, 1, HTTPREF_E_SEND, NULL},
        /* the peer resets instead of answering: nothing of a response came, an empty reply */
        {"a peer that resets instead of answering", RESET_ON_HEAD, 0, HTTPREF_E_EMPTY_REPLY,
         "receive failed"},
    };
    for (size_t i = 0; i < sizeof io / sizeof io[0]; i++) {
        rawsrv s;
        srv_start(&s, io[i].mode);
        httpref *h = client();
        httpref_setopt(h, HTTPREF_OPT_TIMEOUT_MS, 200);
        char url[100];
        snprintf(url, sizeof url, "http://127.0.0.1:%d/", s.port);
        httpref_request q = {.url = url, .redirect = -1, .max_redirects = -1};
        if (io[i].post) {
            q.method = "POST";
            q.body = body;
            q.body_len = big;
        }
        httpref_response r;
        int64_t t0 = hx_now_ms();
        httpref_code rc = httpref_perform(h, &q, &r);
        int64_t took = hx_now_ms() - t0;
        const char *why = httpref_last_error_reason(h);
        ok(rc == io[i].want && (rc == HTTPREF_OK || *why) && (!io[i].reason || strstr(why, io[i].reason)) &&
               took < 1500,
           "%s -> %s (got %s \"%s\" after %lld ms)", io[i].what, httpref_code_name(io[i].want),
           httpref_code_name(rc), why, (long long)took);
        httpref_free(h);
        srv_end(&s);
    }
    free(body);
}

int main(void)
{
    subtest("connect", test_connect);
    subtest("io", test_io);
    return done_testing();
}
