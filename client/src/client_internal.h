/*
 * client_internal: the types the client's files share (no functions): the
 * handle, the stored response and one request's state. Who does what:
 *
 *   client.c    httpref_perform: one request top-down, hop after hop
 *   send.c      the request head and body onto the connection
 *   receive.c   the response off it: head (1xx skipped), then body to the sink
 *   redirect.c  pure predicates: what to follow, what to drop, what to resend
 *   conn.c      the connection: open or reuse, send, receive, close, timeouts
 *   deadline.c  how long the next blocking step may take
 *   response.c  the stored copy of the final head and trailers
 *   handle.c    httpref_new/free/setopt and the other per-handle settings
 *
 * Each calls only files below it in this list's sense (tools/checksrc
 * CALLCYCLE checks the objects): nothing calls back up into client.c.
 */
#ifndef HTTPREF_CLIENT_INTERNAL_H
#define HTTPREF_CLIENT_INTERNAL_H

#include <stdint.h>
#include "auth.h"
#include "errors.h"
#include "h1_parse.h"
#include "httpref.h"
#include "transport_tcp.h"
#include "transport_tls.h"
#include "url.h"

#define MAX_VISITED 64

/* the final response of the last perform, copied out of the receive buffer */
typedef struct stored_response {
    char *head_mem, *trailer_mem, *joined_mem, *effective_url;
    httpref_field *fields, *joined, *trailers;
    size_t nfields, njoined, ntrailers;
    int status, vmaj, vmin;
    const char *reason, *status_line;
    int64_t content_length;
    uint64_t body_bytes;
} stored_response;

/* what HTTPREF_OPT_REDIRECT_UNSAFE and HTTPREF_OPT_REDIRECT_LAST ask of the redirect rules */
typedef struct redirect_policy {
    int unsafe; /* also follow 307/308 for non-GET/HEAD with a replayable body */
    int last;   /* at the hop limit or on a loop, the 3xx itself is the response */
    int downgrade; /* HTTPREF_OPT_REDIRECT_DOWNGRADE: https -> http may be followed */
} redirect_policy;

struct httpref {
    /* options */
    long timeout_ms, connect_timeout_ms, deadline_ms, header_deadline_ms;
    h1_limits lim;
    int keepalive, auth_retry, http10;
    redirect_policy redirect;
    unsigned lenient;
    char *user_agent;
    httpref_transport tr; /* the connection's bytes: TCP, or the caller's (httpref_set_transport) */
    tcp_ctx tcp;
    tls_config tls_cfg;
    /* what the open connection speaks through: tr itself, or TLS over tr */
    httpref_transport io;
    tls_ctx tls;
    httpref_trace_fn trace;
    void *trace_ud;
    /* the kept-alive connection */
    int connected;
    char conn_key[600]; /* scheme, host and port of the origin, and the proxy's when tunnelled */
    /* receive buffer: live bytes are rbuf[rpos..rlen) */
    char *rbuf;
    size_t rcap, rpos, rlen;
    /* small decoded body pieces (chunks) gathered between reads, so the sink
     * is called once per read rather than once per chunk */
    char *cbuf;
    size_t clen;
    httpref_field *pfields; /* parser storage, lim.max_fields */
    size_t pcap;
    stored_response resp;
    err_state err; /* the last failure */
    /* Digest nonce count: a nonce the server gives again counts on (RFC 7616 §3.4) */
    char digest_nonce[256];
    unsigned digest_nc;
};

/* which limit bounds the next blocking step (deadline_wait_ms) */
typedef enum deadline_kind {
    DEADLINE_OPERATION = 0, /* the per-operation timeout */
    DEADLINE_TOTAL,         /* HTTPREF_OPT_DEADLINE_MS: the whole perform */
    DEADLINE_HEAD           /* HTTPREF_OPT_HEADER_DEADLINE_MS: the response head */
} deadline_kind;

typedef struct deadlines {
    long op_ms;    /* per-operation timeout */
    int64_t total; /* absolute hx_now_ms() values; 0 = none */
    int64_t head;
} deadlines;

/* what the redirect rules decided at a final head */
typedef struct redirect_decision {
    char *url;          /* NULL: this response is the answer */
    const char *method; /* the method of the next request */
    int auth_retry;     /* the same request again with credentials: not a redirect hop */
} redirect_decision;

typedef struct exchange {
    const httpref_request *req;
    const url *u, *proxy;
    const char *method;
    int64_t body_len; /* REQ_BODY_NONE, REQ_BODY_CHUNKED or the Content-Length */
    char *cur_url;
    redirect_decision next;
    int hops, max_redirects;
    char limit_text[16];
    deadlines dl;
    int reused, drop_credentials, drop_host;
    int drop_referer; /* an http hop after an https one: no Referer (RFC 9110 §10.1.3, RD-29) */
    int was_https;    /* some hop so far was https */
    int tunnel;       /* a new connection to the proxy for https: the CONNECT comes first */
    int proxy_answer; /* the proxy refused the CONNECT: its response is the answer (PX-04, PX-10) */
    int withhold_credentials; /* HTTPREF_OPT_AUTH_RETRY: URL credentials wait for a challenge */
    int auth_done;            /* the auth retry happened: once per perform, and once more for a stale nonce */
    int auth_stale_done;      /* the stale-nonce retry happened (RFC 7616 §3.3 stale=true) */
    auth_scheme auth_next;    /* what the decided retry answers with */
    auth_scheme auth_used;    /* what this hop answers with (Digest: authorization below) */
    auth_digest digest;       /* the chosen Digest challenge */
    char authorization[2048]; /* this hop's Digest answer */
    int drop_content; /* a redirect turned the method into GET: the body and its fields go */
    char *visited[MAX_VISITED];
    const char *visited_method[MAX_VISITED];
    int nvisited;
    h1_reader rd; /* the response being received */
} exchange;

#endif
