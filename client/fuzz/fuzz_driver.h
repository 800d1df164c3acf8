/*
 * fuzz_driver.h: feed one response to the sans-I/O reader the way the
 * client does (keep unconsumed bytes, append more), with pieces chosen by a
 * seeded generator, and record a trace of what came out. The fuzz targets
 * compare the trace of whole feeding with the trace of split feeding:
 * Rule 1 of h1_parse.h says they must be identical.
 */
#ifndef HTTPREF_FUZZ_DRIVER_H
#define HTTPREF_FUZZ_DRIVER_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "h1_parse.h"

typedef struct trace {
    uint64_t events;     /* event kinds folded in order */
    uint64_t body_hash;  /* FNV-1a over the body bytes */
    uint64_t body_len;
    size_t nfields, ntrailers;
    int status, final_event;
    httpref_code error;
    int64_t error_offset;
} trace;

static uint64_t fnv(uint64_t h, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
    return h;
}

/* xorshift for piece sizes; seed 0 means "whole" */
static size_t next_piece(uint64_t *s, size_t left)
{
    if (!*s)
        return left;
    *s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
    size_t k = (size_t)(*s % 7 == 0 ? 1 : *s % 64) + 1;
    return k < left ? k : left;
}

/* buf is writable (obs-fold is unfolded in place), so callers pass a copy. */
static void drive(char *buf, size_t len, unsigned lenient, int head_req, uint64_t seed, trace *t)
{
    static httpref_field fields[128];
    h1_limits lim;
    h1_reader r;
    size_t pos = 0, avail = 0;
    memset(t, 0, sizeof *t);
    t->body_hash = 1469598103934665603ull;
    h1_limits_default(&lim);
    lim.max_header_bytes = 4096; /* small limits reach the limit paths with small inputs */
    lim.max_field_line = 1024;
    lim.max_fields = 32;
    lim.max_chunk_ext = 256;
    h1_reader_init(&r, &lim, lenient, head_req, fields, 128);
    for (;;) {
        const char *data = NULL;
        size_t data_len = 0, used = 0;
        h1_event ev = h1_reader_feed(&r, buf + pos, avail - pos, &used, &data, &data_len);
        if (used > avail - pos)
            abort(); /* consumed more than it was given */
        pos += used;
        if (ev == H1_EV_BODY) {
            if (data < buf || data + data_len > buf + avail)
                abort(); /* body span outside the fed bytes */
            t->body_hash = fnv(t->body_hash, data, data_len);
            t->body_len += data_len;
            continue; /* body events are not folded: their split is free */
        }
        if (ev == H1_EV_NEED_MORE) {
            if (avail == len) {
                ev = h1_reader_eof(&r);
            } else {
                avail += next_piece(&seed, len - avail);
                continue;
            }
        }
        t->events = t->events * 8 + (uint64_t)ev;
        if (ev == H1_EV_HEAD || ev == H1_EV_INTERIM) {
            t->status = r.head.status;
            t->nfields += r.head.nfields;
        } else if (ev == H1_EV_TRAILERS) {
            t->ntrailers += r.ntrailers;
        } else if (ev == H1_EV_DONE || ev == H1_EV_ERROR) {
            t->final_event = ev;
            t->error = ev == H1_EV_ERROR ? r.error : HTTPREF_OK;
            t->error_offset = ev == H1_EV_ERROR ? r.error_offset : 0;
            return;
        }
    }
}

static int trace_eq(const trace *a, const trace *b)
{
    return a->events == b->events && a->body_hash == b->body_hash && a->body_len == b->body_len &&
           a->nfields == b->nfields && a->ntrailers == b->ntrailers && a->status == b->status &&
           a->final_event == b->final_event && a->error == b->error && a->error_offset == b->error_offset;
}

/* Whole vs two seeded splits; the first input byte picks leniency and HEAD. */
static int fuzz_one(const uint8_t *data, size_t size, const char *prefix)
{
    if (size < 1)
        return 0;
    unsigned lenient = data[0] & 0x1ff & ~(unsigned)0x20; /* all flags but http09 (changes framing of garbage) */
    int head_req = (data[0] >> 7) & 1;
    size_t plen = prefix ? strlen(prefix) : 0, len = plen + size - 1;
    char *a = malloc(len + 1), *b = malloc(len + 1);
    if (!a || !b)
        abort();
    if (plen)
        memcpy(a, prefix, plen);
    memcpy(a + plen, data + 1, size - 1);
    trace whole, split;
    memcpy(b, a, len);
    drive(b, len, lenient, head_req, 0, &whole);
    for (uint64_t seed = 1; seed <= 2; seed++) {
        memcpy(b, a, len);
        drive(b, len, lenient, head_req, seed * 0x9e3779b97f4a7c15ull ^ len, &split);
        if (!trace_eq(&whole, &split))
            abort(); /* Rule 1 broken: split feeding changed the result */
    }
    free(a);
    free(b);
    return 0;
}

#endif
