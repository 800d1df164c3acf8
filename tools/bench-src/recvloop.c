/*
 * recvloop: the physical ceiling for tools/bench. Sends one GET and reads
 * everything to nowhere in 32 KiB reads until the server closes: no parsing,
 * no framing, no writes. 32 KiB is the read size that stays in the L2 cache
 * (a 1 MiB read was slower than curl's 100 KiB ones). Like httpref it retries
 * an empty read up to 100 times before sleeping in poll (a blocking loop is
 * slower: every sleep and wake-up slows the sender). Usage: recvloop PORT PATH
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char buf[1 << 20];

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1])),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(s, (struct sockaddr *)&a, sizeof a))
        return 1;
    int n = snprintf(buf, sizeof buf, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", argv[2]);
    if (send(s, buf, (size_t)n, 0) != n)
        return 1;
    fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK);
    unsigned long long total = 0;
    ssize_t r;
    int spins = 0;
    for (;;) {
        r = recv(s, buf, 32 * 1024, 0);
        if (r < 0 && errno == EAGAIN) {
            if (++spins <= 100)
                continue;
            struct pollfd p = {s, POLLIN, 0};
            poll(&p, 1, -1);
            spins = 0;
            continue;
        }
        if (r <= 0)
            break;
        spins = 0;
        total += (unsigned long long)r;
    }
    printf("%llu\n", total);
    return r < 0;
}
