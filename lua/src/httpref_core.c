/*
 * httpref.core: the C half of the Lua binding (lua/httpref.lua holds the
 * socket.http policy: call forms, module constants, `create` sockets).
 *
 * core.perform(t) runs one request through libhttpref. Lua callbacks (sink,
 * source, step, transport) are always entered through lua_pcall, so a Lua
 * error never unwinds through libhttpref; it is kept and raised again once
 * httpref_perform has returned and its handle is released.
 *
 * Returns code, headers, status_line on success, and the failure triple
 * nil, message, NAME (plus a detail string) built by push_failure() only.
 */
#define _POSIX_C_SOURCE 200809L /* strndup */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "httpref.h"
#include "hx.h"

#define CLIENT_MT "httpref{client}"
#define MAX_EMPTY_CHUNKS 100000 /* a source yielding "" forever must not spin forever */

/* An httpref handle. perform() keeps one in an upvalue and reuses it (its
 * receive buffer is the costly part of a small request), and with keepalive
 * its connection too; a call made while it is busy (a sink starting another
 * request) gets a handle of its own. Between calls the cached handle is on
 * the TCP transport. __gc frees a handle even if a memory error unwinds a call. */
typedef struct lclient {
    httpref *h;
    int busy;
} lclient;

/* one perform call, reachable from every callback */
typedef struct call {
    lua_State *L;
    int sink_ref, step_ref, source_ref, transport_ref; /* registry refs, LUA_NOREF = none */
    int err_ref;     /* a callback's error value (sink/source message or raised object) */
    int raised;      /* a callback raised: raise err_ref again after the request */
    int cb_failed;   /* the last callback reported failure (nil, err) */
    int sink_started, sink_done;
    const char *data; /* the body piece being delivered */
    size_t len;
    char *pend;      /* request body bytes the source gave but libhttpref has not taken */
    size_t pend_len, pend_off, pend_cap;
    int src_ended;
    /* transport call arguments and result */
    const char *host, *port, *sendbuf;
    size_t sendlen;
    char *recvbuf;
    size_t cap, got;
    int timeout_ms, op;
    httpref_code tcode;
    char tmsg[256];
    /* Location of the latest final head and of the one before it (malloc'd):
     * a redirected response without its own carries the last hop's, as LuaSocket */
    char *loc, *prev_loc;
} call;

static lclient *check_client(lua_State *L, int idx)
{
    return (lclient *)luaL_checkudata(L, idx, CLIENT_MT);
}

/* one idempotent close for both __gc and :close() */
static int client_close(lua_State *L)
{
    lclient *c = check_client(L, 1);
    if (c->h) {
        httpref_free(c->h);
        c->h = NULL;
    }
    return 0;
}

static int client_tostring(lua_State *L)
{
    lclient *c = check_client(L, 1);
    lua_pushfstring(L, "httpref{client}: %p%s", (void *)c, c->h ? "" : " (closed)");
    return 1;
}

/* keep the error value on top of the stack for the caller */
static void keep_error(call *c)
{
    lua_State *L = c->L;
    if (c->err_ref != LUA_NOREF)
        luaL_unref(L, LUA_REGISTRYINDEX, c->err_ref);
    c->err_ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

/* Run f(c) protected. A raise is kept and flagged; returns -1 then. */
static int invoke(call *c, lua_CFunction f)
{
    lua_State *L = c->L;
    c->cb_failed = 0;
    if (!lua_checkstack(L, 4))
        return -1;
    lua_pushcfunction(L, f);
    lua_pushlightuserdata(L, c);
    if (lua_pcall(L, 1, 0, 0) != 0) {
        keep_error(c);
        c->raised = 1;
        return -1;
    }
    return 0;
}

/* a (nil, err) return from a callback: keep err (or a default message) */
static void callback_failed(call *c, int err_idx, const char *dflt)
{
    lua_State *L = c->L;
    if (lua_isnoneornil(L, err_idx))
        lua_pushstring(L, dflt);
    else
        lua_pushvalue(L, err_idx);
    keep_error(c);
    c->cb_failed = 1;
}

/* ---- response body: LTN12 sink, optionally through a pump step ---- */

static int once_source(lua_State *L)
{
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushnil(L);
    lua_replace(L, lua_upvalueindex(1));
    return 1;
}

static int sink_step(lua_State *L)
{
    call *c = (call *)lua_touserdata(L, 1);
    if (c->step_ref != LUA_NOREF) { /* step(src, snk) with a source that yields this piece once */
        lua_rawgeti(L, LUA_REGISTRYINDEX, c->step_ref);
        if (c->data)
            lua_pushlstring(L, c->data, c->len);
        else
            lua_pushnil(L);
        lua_pushcclosure(L, once_source, 1);
        lua_rawgeti(L, LUA_REGISTRYINDEX, c->sink_ref);
        lua_call(L, 2, 2);
    } else {
        lua_rawgeti(L, LUA_REGISTRYINDEX, c->sink_ref);
        if (c->data)
            lua_pushlstring(L, c->data, c->len);
        else
            lua_pushnil(L);
        lua_call(L, 1, 2);
    }
    /* a step returns nil, nil at the end of the data: that is no failure */
    if (!lua_toboolean(L, -2) && (c->data || !lua_isnil(L, -1)))
        callback_failed(c, lua_gettop(L), "sink aborted");
    return 0;
}

static int on_body(void *ud, const char *data, size_t len)
{
    call *c = (call *)ud;
    if (c->sink_ref == LUA_NOREF)
        return 0;
    c->data = data;
    c->len = len;
    if (data)
        c->sink_started = 1;
    else
        c->sink_done = 1;
    return invoke(c, sink_step) != 0 || c->cb_failed;
}

/* after a failure mid-body, the sink hears (nil, message) as from LuaSocket */
static int sink_abort(lua_State *L)
{
    call *c = (call *)lua_touserdata(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->sink_ref);
    lua_pushnil(L);
    lua_pushstring(L, c->tmsg);
    lua_call(L, 2, 0);
    return 0;
}

/* ---- request body: LTN12 source, optionally through a pump step ---- */

static void pend_put(call *c, const char *s, size_t n)
{
    c->pend_len = c->pend_off = 0;
    if (n == 0) /* an empty chunk: nothing to keep (and pend may still be NULL) */
        return;
    if (n > c->pend_cap) {
        char *p = (char *)realloc(c->pend, n);
        if (!p)
            luaL_error(c->L, "out of memory");
        c->pend = p;
        c->pend_cap = n;
    }
    memcpy(c->pend, s, n);
    c->pend_len = n;
    c->pend_off = 0;
}

/* a chunk (or nil, err) handed over by the source: the sink a step pumps into */
static void take_chunk(call *c, lua_State *L, int chunk_idx, int err_idx)
{
    if (lua_type(L, chunk_idx) == LUA_TSTRING) {
        size_t n;
        const char *s = lua_tolstring(L, chunk_idx, &n);
        pend_put(c, s, n);
    } else if (lua_isnil(L, chunk_idx)) {
        if (lua_isnoneornil(L, err_idx))
            c->src_ended = 1;
        else
            callback_failed(c, err_idx, "source failed");
    } else {
        luaL_error(L, "source returned a %s (string or nil expected)", luaL_typename(L, chunk_idx));
    }
}

static int capture_sink(lua_State *L)
{
    call *c = (call *)lua_touserdata(L, lua_upvalueindex(1));
    take_chunk(c, L, 1, 2);
    lua_pushinteger(L, 1);
    return 1;
}

static int source_pull(lua_State *L)
{
    call *c = (call *)lua_touserdata(L, 1);
    if (c->step_ref != LUA_NOREF) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, c->step_ref);
        lua_rawgeti(L, LUA_REGISTRYINDEX, c->source_ref);
        lua_pushlightuserdata(L, c);
        lua_pushcclosure(L, capture_sink, 1);
        lua_call(L, 2, 2);
        /* the step failed without telling the sink: the source's error */
        if (!lua_toboolean(L, -2) && !c->src_ended && !c->cb_failed && !lua_isnil(L, -1))
            callback_failed(c, lua_gettop(L), "source failed");
    } else {
        lua_rawgeti(L, LUA_REGISTRYINDEX, c->source_ref);
        lua_call(L, 0, 2);
        take_chunk(c, L, lua_gettop(L) - 1, lua_gettop(L));
    }
    return 0;
}

static long on_source(void *ud, char *buf, size_t cap)
{
    call *c = (call *)ud;
    long empties = 0;
    while (c->pend_off >= c->pend_len) {
        if (c->src_ended)
            return 0;
        c->pend_len = c->pend_off = 0;
        if (invoke(c, source_pull) != 0 || c->cb_failed)
            return -1;
        if (c->pend_len == 0 && !c->src_ended && ++empties > MAX_EMPTY_CHUNKS) {
            lua_pushstring(c->L, "source returned only empty chunks");
            keep_error(c);
            return -1;
        }
    }
    size_t n = c->pend_len - c->pend_off;
    if (n > cap)
        n = cap;
    memcpy(buf, c->pend + c->pend_off, n);
    c->pend_off += n;
    return (long)n;
}

/* ---- transport: Lua functions connect/send/recv/close (from `create`) ---- */

enum { OP_CONNECT, OP_SEND, OP_RECV };

/* LuaSocket's words to codes; anything else is the transport's own failure */
static httpref_code transport_code(int op, const char *msg)
{
    if (!strcmp(msg, "timeout"))
        return op == OP_CONNECT ? HTTPREF_E_CONNECT_TIMEOUT : HTTPREF_E_TIMEOUT;
    if (!strcmp(msg, "closed"))
        return op == OP_CONNECT ? HTTPREF_E_CONNECT : op == OP_SEND ? HTTPREF_E_SEND : HTTPREF_E_RECV;
    if (strstr(msg, "refused"))
        return HTTPREF_E_CONNECT;
    if (strstr(msg, "not known") || strstr(msg, "host not found") || strstr(msg, "name resolution"))
        return HTTPREF_E_DNS;
    return HTTPREF_E_TRANSPORT;
}

static int transport_call(lua_State *L)
{
    call *c = (call *)lua_touserdata(L, 1);
    static const char *const names[] = {"connect", "send", "recv"};
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->transport_ref);
    lua_getfield(L, -1, names[c->op]);
    if (c->op == OP_CONNECT) {
        lua_pushstring(L, c->host);
        lua_pushstring(L, c->port);
    } else if (c->op == OP_SEND) {
        lua_pushlstring(L, c->sendbuf, c->sendlen);
        lua_pushnil(L);
    } else {
        lua_pushinteger(L, (lua_Integer)c->cap);
        lua_pushnil(L);
    }
    lua_pushnumber(L, c->timeout_ms / 1000.0);
    lua_call(L, 3, 2);
    if (c->op == OP_RECV && lua_type(L, -2) == LUA_TSTRING) {
        size_t n;
        const char *s = lua_tolstring(L, -2, &n);
        if (n > c->cap)
            luaL_error(L, "transport recv returned %d bytes, more than the %d asked", (int)n, (int)c->cap);
        memcpy(c->recvbuf, s, n);
        c->got = n;
        c->tcode = HTTPREF_OK;
    } else if (lua_toboolean(L, -2) && c->op != OP_RECV) {
        c->tcode = HTTPREF_OK;
    } else {
        const char *m = lua_tostring(L, -1);
        snprintf(c->tmsg, sizeof c->tmsg, "%s", m ? m : "transport failed");
        c->tcode = transport_code(c->op, c->tmsg);
    }
    return 0;
}

static httpref_code run_transport(call *c, int op, int timeout_ms)
{
    c->op = op;
    c->timeout_ms = timeout_ms;
    if (invoke(c, transport_call) != 0) {
        snprintf(c->tmsg, sizeof c->tmsg, "the transport raised an error");
        return HTTPREF_E_TRANSPORT;
    }
    return c->tcode;
}

static httpref_code tr_connect(void *ctx, const char *host, const char *port, int timeout_ms)
{
    call *c = (call *)ctx;
    c->host = host;
    c->port = port;
    return run_transport(c, OP_CONNECT, timeout_ms);
}

static httpref_code tr_send(void *ctx, const char *buf, size_t len, int timeout_ms)
{
    call *c = (call *)ctx;
    c->sendbuf = buf;
    c->sendlen = len;
    return run_transport(c, OP_SEND, timeout_ms);
}

static httpref_code tr_recv(void *ctx, char *buf, size_t cap, size_t *got, int timeout_ms)
{
    call *c = (call *)ctx;
    c->recvbuf = buf;
    c->cap = cap;
    c->got = 0;
    httpref_code rc = run_transport(c, OP_RECV, timeout_ms);
    *got = c->got;
    return rc;
}

static int transport_close_l(lua_State *L)
{
    call *c = (call *)lua_touserdata(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->transport_ref);
    lua_getfield(L, -1, "close");
    lua_call(L, 0, 0);
    return 0;
}

static void tr_close(void *ctx)
{
    invoke((call *)ctx, transport_close_l);
}

static const char *tr_strerror(void *ctx)
{
    call *c = (call *)ctx;
    return c->tmsg[0] ? c->tmsg : NULL;
}

/* ---- arguments ---- */

/* push t[name]; raise unless it is nil or of the wanted type */
static int field_of(lua_State *L, const char *name, int type)
{
    lua_getfield(L, 1, name);
    int t = lua_type(L, -1);
    if (t != LUA_TNIL && t != type && !(type == LUA_TSTRING && t == LUA_TNUMBER))
        luaL_error(L, "bad field '%s' (%s expected, got %s)", name, lua_typename(L, type), luaL_typename(L, -1));
    return t != LUA_TNIL;
}

static int ref_field(lua_State *L, const char *name, int type)
{
    if (!field_of(L, name, type)) {
        lua_pop(L, 1);
        return LUA_NOREF;
    }
    return luaL_ref(L, LUA_REGISTRYINDEX);
}

static int cmp_field(const void *a, const void *b)
{
    return hx_casecmp(((const httpref_field *)a)->name, ((const httpref_field *)b)->name);
}

/* t.headers {name = value}: an array of fields sorted by name, so the wire is
 * the same on every run (LuaSocket's order follows pairs()). The strings stay
 * anchored in a table left on the stack. */
static httpref_field *collect_headers(lua_State *L, size_t *n, int64_t *content_length)
{
    *n = 0;
    *content_length = -1;
    if (!field_of(L, "headers", LUA_TTABLE))
        return NULL;
    int src = lua_gettop(L);
    lua_newtable(L);
    int anchor = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, src)) {
        if (lua_type(L, -2) != LUA_TSTRING)
            luaL_error(L, "bad header name (string expected, got %s)", luaL_typename(L, -2));
        if (lua_type(L, -1) != LUA_TSTRING && lua_type(L, -1) != LUA_TNUMBER)
            luaL_error(L, "bad value of header '%s' (string expected, got %s)", lua_tostring(L, -2),
                       luaL_typename(L, -1));
        lua_pushvalue(L, -2);
        lua_rawseti(L, anchor, (int)(2 * *n + 1));
        lua_pushvalue(L, -1);
        lua_tolstring(L, -1, NULL); /* a number becomes its string; a NUL inside stays, to be refused */
        lua_rawseti(L, anchor, (int)(2 * *n + 2));
        lua_pop(L, 1);
        (*n)++;
    }
    httpref_field *f = (httpref_field *)lua_newuserdata(L, (*n ? *n : 1) * sizeof *f);
    for (size_t i = 0; i < *n; i++) {
        lua_rawgeti(L, anchor, (int)(2 * i + 1));
        f[i].name = lua_tolstring(L, -1, &f[i].name_len);
        lua_rawgeti(L, anchor, (int)(2 * i + 2));
        f[i].value = lua_tolstring(L, -1, &f[i].value_len);
        lua_pop(L, 2);
        if (!hx_casecmp(f[i].name, "content-length")) {
            char *end;
            long long v = strtoll(f[i].value, &end, 10);
            if (*f[i].value >= '0' && *f[i].value <= '9' && !*end && v >= 0)
                *content_length = v;
        }
    }
    qsort(f, *n, sizeof *f, cmp_field);
    return f;
}

/* a URL without a port gets the module's PORT when that is not 80 */
static const char *with_default_port(lua_State *L, const char *u, lua_Integer port)
{
    size_t at, alen;
    if (port == 80 || !httpref_uri_authority(u, &at, &alen) || !hx_ncasecmp(u, "https:", 6))
        return u; /* PORT is http's default; https keeps 443 */
    const char *a = u + at, *end = a + alen;
    const char *host = memchr(a, '@', alen) ? (const char *)memchr(a, '@', alen) + 1 : a;
    const char *colon = NULL;
    for (const char *q = host; q < end; q++) {
        if (*q == ']')
            colon = NULL;
        else if (*q == ':')
            colon = q;
    }
    if (colon)
        return u;
    lua_pushlstring(L, u, (size_t)(end - u));
    lua_pushfstring(L, ":%d", (int)port);
    lua_pushstring(L, end);
    lua_concat(L, 3);
    return lua_tostring(L, -1);
}

/* the https trust settings of a request (LuaSec's names): cafile=, capath=
 * (strings), verify="none" for no checks; read before the handle is taken,
 * since a bad type raises */
typedef struct tls_fields {
    const char *cafile, *capath;
    int insecure;
} tls_fields;

static void read_tls_fields(lua_State *L, tls_fields *t)
{
    t->cafile = field_of(L, "cafile", LUA_TSTRING) ? lua_tostring(L, -1) : NULL;
    t->capath = field_of(L, "capath", LUA_TSTRING) ? lua_tostring(L, -1) : NULL;
    t->insecure = 0;
    if (field_of(L, "verify", LUA_TSTRING)) {
        const char *v = lua_tostring(L, -1);
        if (strcmp(v, "none") && strcmp(v, "peer"))
            luaL_error(L, "bad field 'verify' (\"peer\" or \"none\" expected)");
        t->insecure = !strcmp(v, "none");
    }
}

/* a numeric option: t[name] * scale, or dflt when absent; raises when out of range */
static long opt_long(lua_State *L, const char *name, double scale, long dflt, long max)
{
    if (!field_of(L, name, LUA_TNUMBER))
        return dflt;
    double v = lua_tonumber(L, -1) * scale;
    if (!(v >= 0 && v <= (double)max)) /* also refuses NaN */
        luaL_error(L, "bad field '%s' (out of range)", name);
    return (long)ceil(v);
}

/* ---- results ---- */

/* the failure triple in one place: nil, message, NAME, detail */
static int push_failure(lua_State *L, call *c, httpref *h, httpref_code code)
{
    lua_pushnil(L);
    switch (code) {
    case HTTPREF_E_SINK:
    case HTTPREF_E_SOURCE:
        /* the callback's own error value, as LuaSocket returns it */
        if (c->err_ref != LUA_NOREF)
            lua_rawgeti(L, LUA_REGISTRYINDEX, c->err_ref);
        else
            lua_pushstring(L, httpref_strerror(code));
        break;
    case HTTPREF_E_DNS:
        lua_pushliteral(L, "host not found"); /* the seed manual's words */
        break;
    case HTTPREF_E_CONNECT:
        lua_pushliteral(L, "connection refused");
        break;
    case HTTPREF_E_TRANSPORT:
        lua_pushstring(L, c->tmsg[0] ? c->tmsg : httpref_strerror(code));
        break;
    default:
        switch (httpref_code_class(code)) {
        case HTTPREF_CLASS_TIMEOUT:
            lua_pushliteral(L, "timeout");
            break;
        case HTTPREF_CLASS_CLOSED:
            lua_pushliteral(L, "closed");
            break;
        default:
            lua_pushstring(L, httpref_strerror(code));
        }
    }
    lua_pushstring(L, httpref_code_name(code));
    int64_t off = h ? httpref_last_error_offset(h) : -1;
    const char *why = h ? httpref_last_error_reason(h) : "";
    if (off >= 0)
        lua_pushfstring(L, "%s: %s (at byte %d)", httpref_strerror(code), why, (int)off);
    else
        lua_pushfstring(L, "%s: %s", httpref_strerror(code), why);
    return 4;
}

/* the trace hook sees every head the parser accepted: keep each final head's
 * Location (its first one; repeats must be equal to be followed) */
static void on_head(void *ud, char dir, const char *data, size_t len)
{
    call *c = (call *)ud;
    if (dir != '<' || len < 12 || data[9] == '1') /* "HTTP/1.1 1xx": interim */
        return;
    free(c->prev_loc);
    c->prev_loc = c->loc;
    c->loc = NULL;
    for (const char *p = data, *end = data + len; p < end;) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            break;
        if (eol - p > 9 && !hx_ncasecmp(p, "location:", 9)) {
            const char *v = p + 9, *e = eol;
            while (v < e && (*v == ' ' || *v == '\t'))
                v++;
            while (e > v && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
                e--;
            c->loc = strndup(v, (size_t)(e - v)); /* NULL when out of memory: no hint */
            return;
        }
        p = eol + 1;
    }
}

static void push_response(lua_State *L, const httpref_response *r, const call *c)
{
    lua_pushinteger(L, r->status);
    lua_createtable(L, 0, (int)r->njoined + 1);
    for (size_t i = 0; i < r->njoined; i++) {
        lua_pushlstring(L, r->joined[i].name, r->joined[i].name_len);
        lua_pushlstring(L, r->joined[i].value, r->joined[i].value_len);
        lua_rawset(L, -3);
    }
    lua_getfield(L, -1, "location");
    int has_location = !lua_isnil(L, -1);
    lua_pop(L, 1);
    if (r->redirects > 0 && !has_location && c->prev_loc) {
        lua_pushstring(L, c->prev_loc);
        lua_setfield(L, -2, "location");
    }
    lua_pushstring(L, r->status_line);
}

static void release(lua_State *L, call *c)
{
    int *refs[] = {&c->sink_ref, &c->step_ref, &c->source_ref, &c->transport_ref};
    for (size_t i = 0; i < sizeof refs / sizeof *refs; i++) {
        luaL_unref(L, LUA_REGISTRYINDEX, *refs[i]);
        *refs[i] = LUA_NOREF;
    }
    free(c->pend);
    c->pend = NULL;
    free(c->loc);
    free(c->prev_loc);
    c->loc = c->prev_loc = NULL;
}

/* ---- perform ---- */

/* what perform reads from its table before it takes a handle: everything
 * that may raise comes first. The strings stay anchored on the stack. */
typedef struct perform_args {
    httpref_request rq;
    int64_t caller_cl;          /* the caller's Content-Length, -1 when none */
    int redirect_last;          /* the last 3xx is the response (LuaSocket's limit) */
    long timeout_ms, deadline_ms, maxbody, lenient;
    const char *ua;             /* NULL: no User-Agent */
    tls_fields tls;
    int keepalive;
} perform_args;

/* url=, port=, method=, proxy=, body=, redirect=, maxredirects=, redirectlast=, headers= */
static void read_request(lua_State *L, perform_args *a)
{
    httpref_request *rq = &a->rq;
    memset(rq, 0, sizeof *rq);
    rq->source_length = -1;
    rq->redirect = -1;
    rq->max_redirects = -1;
    if (!field_of(L, "url", LUA_TSTRING))
        luaL_error(L, "bad field 'url' (string expected, got nil)");
    rq->url = lua_tostring(L, -1);
    if (field_of(L, "port", LUA_TNUMBER))
        rq->url = with_default_port(L, rq->url, lua_tointeger(L, -1));
    if (field_of(L, "method", LUA_TSTRING))
        rq->method = lua_tostring(L, -1);
    if (field_of(L, "proxy", LUA_TSTRING))
        rq->proxy = lua_tostring(L, -1);
    if (field_of(L, "body", LUA_TSTRING))
        rq->body = lua_tolstring(L, -1, &rq->body_len);
    lua_getfield(L, 1, "redirect");
    if (!lua_isnil(L, -1))
        rq->redirect = lua_toboolean(L, -1) ? -1 : 0; /* true = LuaSocket's rules, the default */
    if (field_of(L, "maxredirects", LUA_TNUMBER)) {
        lua_Number m = lua_tonumber(L, -1);
        if (!(m >= 0 && m <= 1000))
            luaL_error(L, "bad field 'maxredirects' (0..1000 expected)");
        rq->max_redirects = (int)ceil(m); /* LuaSocket follows while hops < maxredirects */
    }
    lua_getfield(L, 1, "redirectlast");
    a->redirect_last = lua_toboolean(L, -1);
    rq->headers = collect_headers(L, &rq->nheaders, &a->caller_cl);
}

/* timeout=, deadline=, maxbody=, lenient=, useragent=, the TLS fields,
 * keepalive=, transport=, sink=, source=, step= */
static void read_options(lua_State *L, perform_args *a)
{
    /* every option is set on every call: a reused handle keeps nothing */
    a->timeout_ms = opt_long(L, "timeout", 1000.0, 60000, 2147483647L);
    a->deadline_ms = opt_long(L, "deadline", 1000.0, 0, 2147483647L);
    a->maxbody = opt_long(L, "maxbody", 1.0, 0, 2147483647L);
    a->lenient = opt_long(L, "lenient", 1.0, 0, HTTPREF_LENIENT_ALL);
    a->ua = "httpref/" HTTPREF_VERSION;
    lua_getfield(L, 1, "useragent");
    if (lua_type(L, -1) == LUA_TSTRING)
        a->ua = lua_tostring(L, -1);
    else if (lua_type(L, -1) == LUA_TBOOLEAN && !lua_toboolean(L, -1))
        a->ua = NULL;
    else if (!lua_isnil(L, -1))
        luaL_error(L, "bad field 'useragent' (string or false expected)");
    read_tls_fields(L, &a->tls);
    lua_getfield(L, 1, "keepalive");
    a->keepalive = lua_toboolean(L, -1);
    field_of(L, "transport", LUA_TTABLE);
    /* a `create` socket lives for one call: nothing to keep alive */
    if (!lua_isnil(L, -1))
        a->keepalive = 0;
    field_of(L, "sink", LUA_TFUNCTION);
    field_of(L, "source", LUA_TFUNCTION);
    field_of(L, "step", LUA_TFUNCTION);
    if (a->rq.body && !lua_isnil(L, -2))
        luaL_error(L, "give either 'body' or 'source', not both");
}

/* the module's cached handle, or one of its own when that is in use
 * (re-entered from a callback) or gone; left on the stack, marked busy */
static lclient *take_handle(lua_State *L)
{
    lclient *lc = (lclient *)lua_touserdata(L, lua_upvalueindex(1));
    if (!lc || !lc->h || lc->busy) {
        lc = (lclient *)lua_newuserdata(L, sizeof *lc);
        lc->h = NULL;
        lc->busy = 0;
        luaL_setmetatable(L, CLIENT_MT);
        lc->h = httpref_new();
        if (!lc->h)
            luaL_error(L, "out of memory");
    } else {
        lua_pushvalue(L, lua_upvalueindex(1)); /* anchored while in use */
    }
    lc->busy = 1;
    return lc;
}

static int apply_options(httpref *h, const perform_args *a)
{
    return httpref_setopt(h, HTTPREF_OPT_TIMEOUT_MS, a->timeout_ms ? a->timeout_ms : 1) != HTTPREF_OK ||
           httpref_setopt(h, HTTPREF_OPT_DEADLINE_MS, a->deadline_ms) != HTTPREF_OK ||
           httpref_setopt(h, HTTPREF_OPT_MAX_BODY, a->maxbody) != HTTPREF_OK ||
           httpref_setopt(h, HTTPREF_OPT_LENIENT, a->lenient) != HTTPREF_OK ||
           httpref_setopt(h, HTTPREF_OPT_KEEPALIVE, a->keepalive) != HTTPREF_OK ||
           httpref_setopt(h, HTTPREF_OPT_REDIRECT_LAST, a->redirect_last) != HTTPREF_OK ||
           httpref_setopt(h, HTTPREF_OPT_INSECURE, a->tls.insecure) != HTTPREF_OK ||
           httpref_set_ca(h, a->tls.cafile, a->tls.capath) != HTTPREF_OK ||
           httpref_set_user_agent(h, a->ua) != HTTPREF_OK;
}

/* the callbacks into Lua: source, sink, step and a `create` transport */
static void call_init(lua_State *L, call *c, perform_args *a, httpref *h)
{
    memset(c, 0, sizeof *c);
    c->L = L;
    c->err_ref = LUA_NOREF;
    c->step_ref = ref_field(L, "step", LUA_TFUNCTION);
    c->source_ref = ref_field(L, "source", LUA_TFUNCTION);
    c->sink_ref = ref_field(L, "sink", LUA_TFUNCTION);
    c->transport_ref = ref_field(L, "transport", LUA_TTABLE);
    if (c->source_ref != LUA_NOREF) {
        a->rq.source = on_source;
        a->rq.source_ud = c;
        a->rq.source_length = a->caller_cl; /* -1: chunked */
    }
    a->rq.sink = on_body;
    a->rq.sink_ud = c;
    if (c->transport_ref != LUA_NOREF) {
        httpref_transport t = {c, tr_connect, tr_send, tr_recv, tr_close, tr_strerror};
        httpref_set_transport(h, &t);
    }
}

/* the request and its results pushed: how many, or -1 when a callback raised */
static int run_call(lua_State *L, httpref *h, const httpref_request *rq, call *c, httpref_code *rc)
{
    httpref_response resp;
    httpref_set_trace(h, on_head, c);
    *rc = httpref_perform(h, rq, &resp);
    httpref_set_trace(h, NULL, NULL);
    if (c->raised)
        return -1;
    if (*rc == HTTPREF_OK) {
        push_response(L, &resp, c);
        return 3;
    }
    if (c->sink_started && !c->sink_done && c->sink_ref != LUA_NOREF && *rc != HTTPREF_E_SINK) {
        snprintf(c->tmsg, sizeof c->tmsg, "%s", httpref_strerror(*rc));
        invoke(c, sink_abort);
    }
    return c->raised ? -1 : push_failure(L, c, h, *rc);
}

/* the cached handle stays; its connection only after a keep-alive exchange
 * that ended well (libhttpref closes one that must not be reused). A handle
 * of the call's own is freed. */
static void put_back_handle(lua_State *L, lclient *lc, const call *c, int keepalive, httpref_code rc, int nret)
{
    httpref *h = lc->h;
    if (lc == lua_touserdata(L, lua_upvalueindex(1))) {
        if (!keepalive || rc != HTTPREF_OK || nret < 0)
            httpref_close(h);
        if (c->transport_ref != LUA_NOREF)
            httpref_set_transport(h, NULL);
    } else {
        httpref_free(h);
        lc->h = NULL;
    }
    lc->busy = 0;
}

/* core.perform{url=, method=, headers=, body=, source=, step=, sink=, redirect=,
 * maxredirects=, redirectlast=, proxy=, timeout=, useragent=, port=, transport=, keepalive=,
 * cafile=, capath=, verify=} */
static int l_perform(lua_State *L)
{
    perform_args a;
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    read_request(L, &a);
    read_options(L, &a);

    lclient *lc = take_handle(L);
    if (apply_options(lc->h, &a)) {
        lc->busy = 0;
        return luaL_error(L, "bad option for libhttpref (user agent with a control character?)");
    }
    call c;
    call_init(L, &c, &a, lc->h);
    httpref_code rc;
    int nret = run_call(L, lc->h, &a.rq, &c, &rc);
    put_back_handle(L, lc, &c, a.keepalive, rc, nret);
    release(L, &c);
    if (nret < 0) { /* a callback raised: raise its error in the caller */
        lua_rawgeti(L, LUA_REGISTRYINDEX, c.err_ref);
        luaL_unref(L, LUA_REGISTRYINDEX, c.err_ref);
        return lua_error(L);
    }
    luaL_unref(L, LUA_REGISTRYINDEX, c.err_ref);
    return nret;
}

static int l_strerror(lua_State *L)
{
    lua_Integer code = luaL_checkinteger(L, 1);
    luaL_argcheck(L, code >= 0 && code <= HTTPREF_E_LAST, 1, "not an httpref error number");
    lua_pushstring(L, httpref_strerror((httpref_code)code));
    lua_pushstring(L, httpref_code_name((httpref_code)code));
    lua_pushstring(L, httpref_class_name(httpref_code_class((httpref_code)code)));
    return 3;
}

static const luaL_Reg client_methods[] = {
    {"__gc", client_close},
    {"__tostring", client_tostring},
    {"close", client_close},
    {NULL, NULL},
};

/* core.closeidle(): closes the connection the cached handle kept alive, if any */
static int l_closeidle(lua_State *L)
{
    lclient *lc = (lclient *)lua_touserdata(L, lua_upvalueindex(1));
    if (lc && lc->h && !lc->busy)
        httpref_close(lc->h);
    return 0;
}

static const luaL_Reg functions[] = { /* perform and closeidle are added with the cached handle */
    {"strerror", l_strerror},
    {NULL, NULL},
};

int luaopen_httpref_core(lua_State *L);

int luaopen_httpref_core(lua_State *L)
{
    if (luaL_newmetatable(L, CLIENT_MT)) {
#if LUA_VERSION_NUM < 502
        luaL_register(L, NULL, client_methods);
#else
        luaL_setfuncs(L, client_methods, 0);
#endif
        lua_pushvalue(L, -1);
        lua_setfield(L, -2, "__index");
    }
    lua_pop(L, 1);
    luaL_newlib(L, functions);
    /* perform's cached handle, its upvalue */
    lclient *lc = (lclient *)lua_newuserdata(L, sizeof *lc);
    lc->h = NULL;
    lc->busy = 0;
    luaL_setmetatable(L, CLIENT_MT);
    lc->h = httpref_new();
    lua_pushvalue(L, -1);
    lua_pushcclosure(L, l_perform, 1);
    lua_setfield(L, -3, "perform");
    lua_pushcclosure(L, l_closeidle, 1);
    lua_setfield(L, -2, "closeidle");
    lua_pushliteral(L, "httpref.core");
    lua_setfield(L, -2, "_NAME");
    lua_pushliteral(L, HTTPREF_VERSION);
    lua_setfield(L, -2, "_VERSION");
    lua_pushboolean(L, httpref_tls_available()); /* https works (libhttpref built with TLS) */
    lua_setfield(L, -2, "tls");
    /* error names -> numbers, for programs that switch on the third return */
    lua_newtable(L);
    for (int i = 0; i <= HTTPREF_E_LAST; i++) {
        lua_pushinteger(L, i);
        lua_setfield(L, -2, httpref_code_name((httpref_code)i));
    }
    lua_setfield(L, -2, "errors");
    return 1;
}
