/* client_internal: the handle and one request's state, shared by client.c and receive.c. */
#ifndef HTTPREF_CLIENT_INTERNAL_H
#define HTTPREF_CLIENT_INTERNAL_H

#include <stdint.h>
#include "h1_parse.h"
#include "httpref.h"
#include "transport_tcp.h"
#include "url.h"

#define MAX_VISITED 64

struct httpref {
    /* options */
    long timeout_ms, connect_timeout_ms, deadline_ms, header_deadline_ms;
    h1_limits lim;
    int keepalive, auth_retry, redirect_unsafe, redirect_last;
    unsigned lenient;
    char *user_agent;
    httpref_transport tr;
    tcp_ctx tcp;
    httpref_trace_fn trace;
    void *trace_ud;
    /* the kept-alive connection */
    int connected;
    char conn_key[300];
    /* receive buffer: live bytes are rbuf[rpos..rlen) */
    char *rbuf;
    size_t rcap, rpos, rlen;
    /* small decoded body pieces (chunks) gathered between reads, so the sink
     * is called once per read rather than once per chunk */
    char *cbuf;
    size_t clen;
    httpref_field *pfields; /* parser storage, lim.max_fields */
    size_t pcap;
    /* the stored response */
    char *head_mem, *trailer_mem, *joined_mem, *effective_url;
    httpref_field *fields, *joined, *trailers;
    size_t nfields, njoined, ntrailers;
    int status, vmaj, vmin;
    const char *reason, *status_line;
    int64_t content_length;
    uint64_t body_bytes;
    /* the last failure */
    char detail[256];
    int64_t err_off;
};

typedef struct exchange {
    const httpref_request *req;
    const url *u, *proxy;
    const char *method, *next_method;
    int64_t body_len; /* -2 none, -1 chunked, else Content-Length */
    int body_dropped;
    char *cur_url, *next_url;
    int hops, max_redirects;
    char limit_text[16];
    int64_t deadline, header_deadline;
    int reused, drop_credentials, drop_host;
    int withhold_credentials; /* HTTPREF_OPT_AUTH_RETRY: URL credentials wait for a Basic challenge */
    int auth_retry;           /* the next request repeats this one with credentials (not a hop) */
    int auth_done;            /* that retry happened: at most once per perform */
    char *visited[MAX_VISITED];
    const char *visited_method[MAX_VISITED];
    int nvisited;
} exchange;

httpref_code client_buffers(httpref *h);
httpref_code client_receive(httpref *h, exchange *x);
httpref_code client_plan_redirect(httpref *h, exchange *x);
int client_wait_ms(httpref *h, const exchange *x, int *which);
httpref_code client_timeout(httpref *h, httpref_code rc, int which);
void client_fill_response(httpref *h, httpref_response *resp, int hops, int reused);
void client_free_response(httpref *h);

#endif
