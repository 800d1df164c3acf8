/*
 * tls_bench_server: the https side of tools/bench. OpenSSL over loopback,
 * bodies from memory, one connection at a time (the download case is one
 * client after another), each answered then ended with close_notify:
 *   GET /cl/N    N-byte body with Content-Length
 *   anything     404
 * Usage: tls_bench_server CERT KEY PORTFILE  (binds 127.0.0.1:0, writes the port)
 * The Python fixtures could not keep up with a client; this is as fast as
 * OpenSSL encrypts, the same for every client measured against it.
 */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define PATTERN_SIZE (1u << 20)
static char pattern[PATTERN_SIZE];

static int write_all(SSL *s, const char *p, size_t n)
{
    while (n) {
        int w = SSL_write(s, p, n > (1u << 30) ? 1 << 30 : (int)n);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* read the request head (bounded), answer it */
static void serve(SSL *s)
{
    char req[8192];
    size_t len = 0;
    while (len < sizeof req - 1) {
        int r = SSL_read(s, req + len, (int)(sizeof req - 1 - len));
        if (r <= 0)
            return;
        len += (size_t)r;
        req[len] = 0;
        if (strstr(req, "\r\n\r\n"))
            break;
    }
    unsigned long long n;
    char head[128];
    if (sscanf(req, "GET /cl/%llu ", &n) != 1) {
        static const char nf[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
        write_all(s, nf, sizeof nf - 1);
        return;
    }
    int hl = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %llu\r\n\r\n", n);
    if (write_all(s, head, (size_t)hl))
        return;
    while (n) {
        size_t k = n < PATTERN_SIZE ? (size_t)n : PATTERN_SIZE;
        if (write_all(s, pattern, k))
            return;
        n -= k;
    }
    SSL_shutdown(s);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: tls_bench_server CERT KEY PORTFILE\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    for (size_t i = 0; i < PATTERN_SIZE; i++)
        pattern[i] = (char)('a' + i % 26);
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx || SSL_CTX_use_certificate_chain_file(ctx, argv[1]) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, argv[2], SSL_FILETYPE_PEM) != 1) {
        ERR_print_errors_fp(stderr);
        return 1;
    }
    int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 16) || getsockname(ls, (struct sockaddr *)&a, &alen)) {
        perror("tls_bench_server");
        return 1;
    }
    FILE *f = fopen(argv[3], "w");
    if (!f)
        return 1;
    fprintf(f, "%d\n", ntohs(a.sin_port));
    fclose(f);
    for (;;) {
        int fd = accept(ls, NULL, NULL);
        if (fd < 0)
            continue;
        struct timeval tv = {30, 0}; /* a stuck client cannot hold the server */
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        SSL *s = SSL_new(ctx);
        SSL_set_fd(s, fd);
        if (SSL_accept(s) == 1)
            serve(s);
        SSL_free(s);
        close(fd);
    }
}
