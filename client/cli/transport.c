/*
 * transport: the library's own TCP transport, wrapped for two flags that
 * live below HTTP. --resolve HOST:PORT:ADDR connects to ADDR when the URL
 * (or a redirect) names HOST:PORT, the URL and Host unchanged; --trace-ascii
 * FILE writes every byte as it crosses the socket, framing included, in
 * curl's layout ("=> Send data, N bytes (0xN)", then offset-prefixed lines).
 * Used only when one of them is given: the plain path keeps the library's
 * transport with its idle-connection check and receive spin.
 */
#define _POSIX_C_SOURCE 200809L
#include "transport.h"
#include "hx.h"

#include <stdlib.h>
#include <string.h>

/* the --resolve address for host:port, copied into addr; 0 when none applies */
static int resolve(const cli_config *c, const char *host, const char *port, char *addr, size_t cap)
{
    size_t hl = strlen(host), pl = strlen(port);
    for (int i = 0; i < c->nresolve; i++) {
        const char *e = c->resolve[i], *p1 = strchr(e, ':'), *p2 = strchr(p1 + 1, ':');
        if ((size_t)(p1 - e) != hl || hx_ncasecmp(e, host, hl) || (size_t)(p2 - p1 - 1) != pl ||
            strncmp(p1 + 1, port, pl))
            continue;
        const char *a = p2 + 1;
        size_t n = strlen(a);
        if (a[0] == '[' && n > 2 && a[n - 1] == ']') { /* [v6] as curl writes it */
            a++;
            n -= 2;
        }
        snprintf(addr, cap, "%.*s", (int)n, a);
        return 1;
    }
    return 0;
}

/* curl's --trace-ascii block: a title line, then the bytes, a line per LF or per 64 bytes */
static void dump(FILE *f, const char *title, const char *p, size_t n)
{
    fprintf(f, "%s, %zu bytes (0x%zx)\n", title, n, n);
    size_t i = 0;
    while (i < n) {
        fprintf(f, "%04zx: ", i);
        size_t k = 0;
        for (; k < 64 && i + k < n; k++) {
            unsigned char b = (unsigned char)p[i + k];
            if (b == '\r' && i + k + 1 < n && p[i + k + 1] == '\n') {
                k += 2;
                break;
            }
            if (b == '\n') {
                k++;
                break;
            }
            fputc(b >= 0x20 && b < 0x7f ? b : '.', f);
        }
        fputc('\n', f);
        i += k;
    }
    fflush(f);
}

static httpref_code t_connect(void *ctx, const char *host, const char *port, int timeout_ms)
{
    cli_transport *t = ctx;
    char addr[256];
    const char *to = resolve(t->c, host, port, addr, sizeof addr) ? addr : host;
    httpref_code rc = t->inner.connect(t->inner.ctx, to, port, timeout_ms);
    if (t->trace)
        fprintf(t->trace, "== Info: %s %s (%s) port %s\n", rc == HTTPREF_OK ? "Connected to" : "Failed to connect to",
                host, to, port);
    return rc;
}

static httpref_code t_send(void *ctx, const char *buf, size_t len, int timeout_ms)
{
    cli_transport *t = ctx;
    httpref_code rc = t->inner.send(t->inner.ctx, buf, len, timeout_ms);
    if (t->trace && rc == HTTPREF_OK)
        dump(t->trace, "=> Send data", buf, len);
    return rc;
}

static httpref_code t_recv(void *ctx, char *buf, size_t cap, size_t *got, int timeout_ms)
{
    cli_transport *t = ctx;
    httpref_code rc = t->inner.recv(t->inner.ctx, buf, cap, got, timeout_ms);
    if (t->trace && rc == HTTPREF_OK && *got)
        dump(t->trace, "<= Recv data", buf, *got);
    return rc;
}

static void t_close(void *ctx)
{
    cli_transport *t = ctx;
    if (t->trace && t->tcp.fd >= 0)
        fprintf(t->trace, "== Info: Closing connection\n");
    t->inner.close(t->inner.ctx);
}

static const char *t_strerror(void *ctx)
{
    cli_transport *t = ctx;
    return t->inner.strerror ? t->inner.strerror(t->inner.ctx) : NULL;
}

int transport_setup(cli_transport *t, const cli_config *c, httpref *h)
{
    memset(t, 0, sizeof *t);
    if (!c->nresolve && !c->trace_ascii)
        return 0;
    t->c = c;
    t->tcp.fd = -1;
    tcp_transport_init(&t->inner, &t->tcp);
    t->tcp.spin = c->recv_spin >= 0 ? (int)c->recv_spin : 0;
    if (c->trace_ascii) {
        t->trace = strcmp(c->trace_ascii, "-") ? fopen(c->trace_ascii, "w") : stdout;
        if (!t->trace) {
            fprintf(stderr, "httpref: --trace-ascii: cannot write %s\n", c->trace_ascii);
            return CLI_EXIT_USAGE;
        }
    }
    httpref_transport tr = {t, t_connect, t_send, t_recv, t_close, t_strerror};
    return (int)httpref_set_transport(h, &tr);
}

void transport_done(cli_transport *t)
{
    if (t->trace && t->trace != stdout)
        fclose(t->trace);
    t->trace = NULL;
}
