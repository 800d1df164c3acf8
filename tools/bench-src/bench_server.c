/*
 * bench_server: a fast loopback HTTP/1.1 server for tools/bench.
 * The Python fixtures are far too slow to measure a client, so this serves
 * bodies from memory, keep-alive honoured. A pool of threads blocks in accept()
 * (no thread is created per connection, so a client opening one connection
 * per request is not measured against pthread_create):
 *   GET /cl/N            N-byte body with Content-Length
 *   GET /chunked/N/C     N-byte body in C-byte chunks
 *   anything else        404
 * Usage: bench_server [PORTFILE]  (binds 127.0.0.1:0, writes the port)
 */
#define _GNU_SOURCE /* memmem */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define PATTERN_SIZE (1u << 20)
static char pattern[PATTERN_SIZE];

static int send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* one chunk (size line, data, CRLF) in one sendmsg, so chunk framing costs
 * the server no extra syscalls; falls back to send_all for the remainder */
static int send_chunk(int fd, const char *line, size_t line_len, size_t k)
{
    struct iovec iov[3] = {{(void *)line, line_len}, {pattern, k}, {(void *)"\r\n", 2}};
    struct msghdr m = {.msg_iov = iov, .msg_iovlen = 3};
    size_t total = line_len + k + 2;
    ssize_t w = sendmsg(fd, &m, MSG_NOSIGNAL);
    if (w < 0)
        return -1;
    if ((size_t)w == total)
        return 0;
    /* partial write: finish the rest piece by piece */
    size_t done = (size_t)w;
    for (int i = 0; i < 3; i++) {
        if (done >= iov[i].iov_len) {
            done -= iov[i].iov_len;
            continue;
        }
        if (send_all(fd, (const char *)iov[i].iov_base + done, iov[i].iov_len - done))
            return -1;
        done = 0;
    }
    return 0;
}

static int send_body(int fd, unsigned long long n)
{
    while (n) {
        size_t k = n > PATTERN_SIZE ? PATTERN_SIZE : (size_t)n;
        if (send_all(fd, pattern, k))
            return -1;
        n -= k;
    }
    return 0;
}

/* the rest of a small body whose first `from` bytes went out with the head */
static int send_body_from(int fd, size_t from, unsigned long long n)
{
    return send_all(fd, pattern + from, (size_t)n - from);
}

static int serve_one(int fd, const char *target)
{
    char head[256];
    unsigned long long n, c;
    if (sscanf(target, "/cl/%llu", &n) == 1) {
        int len = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %llu\r\n\r\n", n);
        if (n <= 65536) { /* head and a small body in one segment: one wake-up for the client */
            struct iovec iov[2] = {{head, (size_t)len}, {pattern, (size_t)n}};
            struct msghdr m = {.msg_iov = iov, .msg_iovlen = 2};
            ssize_t w = sendmsg(fd, &m, MSG_NOSIGNAL);
            if (w == (ssize_t)((size_t)len + n))
                return 0;
            if (w < 0)
                return -1;
            if ((size_t)w < (size_t)len)
                return send_all(fd, head + w, (size_t)len - (size_t)w) || send_body(fd, n);
            return send_body_from(fd, (size_t)w - (size_t)len, n);
        }
        return send_all(fd, head, (size_t)len) || send_body(fd, n);
    }
    if (sscanf(target, "/chunked/%llu/%llu", &n, &c) == 2 && c > 0 && c <= PATTERN_SIZE) {
        int len = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        if (send_all(fd, head, (size_t)len))
            return -1;
        /* small chunks go out many per send (a block built once), so the
         * server is not what limits a client decoding 256-byte chunks */
        if (c < 65536) {
            static __thread char block[1 << 18];
            len = snprintf(head, sizeof head, "%llx\r\n", c);
            size_t one = (size_t)len + (size_t)c + 2, per = sizeof block / one, used = 0;
            for (size_t i = 0; i < per; i++, used += one) {
                memcpy(block + used, head, (size_t)len);
                memcpy(block + used + len, pattern, (size_t)c);
                memcpy(block + used + len + c, "\r\n", 2);
            }
            while (n >= per * c) {
                if (send_all(fd, block, used))
                    return -1;
                n -= per * c;
            }
        }
        while (n) {
            unsigned long long k = n < c ? n : c;
            len = snprintf(head, sizeof head, "%llx\r\n", k);
            if (send_chunk(fd, head, (size_t)len, (size_t)k))
                return -1;
            n -= k;
        }
        return send_all(fd, "0\r\n\r\n", 5);
    }
    static const char nf[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
    return send_all(fd, nf, sizeof nf - 1);
}

static void serve_connection(int fd)
{
    int one = 1;
    char buf[16384];
    size_t have = 0;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    for (;;) {
        char *end;
        for (;;) {
            end = memmem(buf, have, "\r\n\r\n", 4);
            if (end)
                break;
            if (have == sizeof buf)
                goto out;
            ssize_t r = recv(fd, buf + have, sizeof buf - have, 0);
            if (r <= 0)
                goto out;
            have += (size_t)r;
        }
        char target[1024] = "";
        sscanf(buf, "%*s %1023s", target);
        int close_after = memmem(buf, (size_t)(end - buf), "close", 5) != NULL;
        size_t used = (size_t)(end + 4 - buf);
        memmove(buf, buf + used, have - used);
        have -= used;
        if (serve_one(fd, target) || close_after)
            break;
    }
out:
    close(fd);
}

#define POOL 64 /* connections served at once; the benchmarks are sequential */

static void *accept_main(void *arg)
{
    int s = (int)(long)arg;
    for (;;) {
        int fd = accept(s, NULL, NULL);
        if (fd >= 0)
            serve_connection(fd);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    int one = 1, s = socket(AF_INET, SOCK_STREAM, 0);
    signal(SIGPIPE, SIG_IGN);
    for (size_t i = 0; i < PATTERN_SIZE; i++)
        pattern[i] = (char)('a' + i % 26);
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 128) || getsockname(s, (struct sockaddr *)&a, &alen)) {
        perror("bench_server");
        return 1;
    }
    if (argc > 1) {
        FILE *f = fopen(argv[1], "w");
        if (!f)
            return 1;
        fprintf(f, "%d\n", ntohs(a.sin_port));
        fclose(f);
    } else {
        printf("%d\n", ntohs(a.sin_port));
        fflush(stdout);
    }
    for (int i = 1; i < POOL; i++) {
        pthread_t t;
        if (pthread_create(&t, NULL, accept_main, (void *)(long)s) != 0) {
            perror("bench_server: pthread_create");
            return 1;
        }
    }
    accept_main((void *)(long)s);
}
