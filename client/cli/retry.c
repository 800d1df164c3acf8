/*
 * retry: --retry N, --retry-delay S, --retry-max-time S, --retry-connrefused
 * as curl's. Transient: a timeout (14, 15, 16), a name that did not resolve
 * (12), a refused connection only with --retry-connrefused (13), and the
 * answers 408, 429, 500, 502, 503, 504. The wait is --retry-delay, or 1 s
 * doubling up to 10 minutes; a Retry-After in seconds replaces it. Nothing
 * is retried past --retry-max-time, and a body read from stdin is never
 * sent twice (curl cannot rewind it either).
 */
#define _POSIX_C_SOURCE 200809L
#include "retry.h"

#include <stdlib.h>

static int transient(const cli_config *c, httpref_code rc, int status)
{
    switch (rc) {
    case HTTPREF_E_DNS:
    case HTTPREF_E_CONNECT_TIMEOUT:
    case HTTPREF_E_TIMEOUT:
    case HTTPREF_E_DEADLINE:
        return 1;
    case HTTPREF_E_CONNECT:
        return c->retry_connrefused;
    case HTTPREF_OK:
        return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
    default:
        return 0;
    }
}

/* Retry-After as delay-seconds (RFC 9110 §10.2.3); an HTTP-date is left to the default wait */
static double after_seconds(const char *v)
{
    char *end;
    if (!v || *v < '0' || *v > '9')
        return -1;
    double s = strtod(v, &end);
    return *end ? -1 : s;
}

double retry_delay(const cli_config *c, int attempt, httpref_code rc, int status, const char *retry_after,
                   double elapsed, int replayable)
{
    if (attempt >= c->retry || !replayable || !transient(c, rc, status))
        return -1;
    double d = c->retry_delay > 0 ? c->retry_delay : (double)(attempt < 10 ? 1L << attempt : 600);
    if (d > 600)
        d = 600;
    double ra = after_seconds(retry_after);
    if (ra >= 0)
        d = ra;
    if (c->retry_max_time > 0 && elapsed + d > c->retry_max_time)
        return -1;
    return d;
}
