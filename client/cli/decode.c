/*
 * decode: --compressed. The body of a response with Content-Encoding gzip
 * (x-gzip) or deflate is inflated by zlib as it streams, in a fixed 64 KiB
 * window (constant memory, as without the flag). A corrupt stream, bytes
 * after its end, or a body that stops before the stream ends is an error
 * (exit CLI_EXIT_DECODE, said with what was wrong), never a short success.
 * Other codings pass through as received, as curl's would refuse them.
 */
#define _POSIX_C_SOURCE 200809L
#include "decode.h"
#include "hx.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HTTPREF_HAVE_ZLIB
#include <zlib.h>

struct decoder {
    z_stream z;
    int started, raw_checked, ended;
    int kind; /* 'g' gzip, 'd' deflate */
    decode_write_fn write;
    void *ud;
    char err[160];
};

int decode_available(void)
{
    return 1;
}

decoder *decode_new(const char *coding, decode_write_fn write, void *ud)
{
    int kind = !hx_casecmp(coding, "gzip") || !hx_casecmp(coding, "x-gzip") ? 'g'
               : !hx_casecmp(coding, "deflate")                            ? 'd'
                                                                            : 0;
    if (!kind)
        return NULL;
    decoder *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->kind = kind;
    d->write = write;
    d->ud = ud;
    return d;
}

/* deflate is zlib-wrapped (RFC 9110 §8.4.1.2), but servers send raw deflate too: curl
 * and browsers take both, told apart by the zlib header's check bits (RFC 1950 §2.2) */
static int start(decoder *d, const unsigned char *p, size_t n)
{
    int bits = 15 + 32; /* gzip or zlib, detected */
    if (d->kind == 'd' && n >= 2 && !((p[0] & 0x0f) == 8 && ((p[0] << 8) | p[1]) % 31 == 0))
        bits = -15;
    d->started = 1;
    return inflateInit2(&d->z, bits) == Z_OK ? 0 : -1;
}

int decode_feed(decoder *d, const char *data, size_t len)
{
    static unsigned char out[65536];
    if (!len)
        return 0;
    if (d->ended) {
        snprintf(d->err, sizeof d->err, "%zu bytes after the end of the %s stream", len,
                 d->kind == 'g' ? "gzip" : "deflate");
        return -1;
    }
    if (!d->started && start(d, (const unsigned char *)data, len))
        return -1;
    d->z.next_in = (unsigned char *)(uintptr_t)data;
    d->z.avail_in = (unsigned)len;
    while (d->z.avail_in && !d->ended) {
        d->z.next_out = out;
        d->z.avail_out = sizeof out;
        int rc = inflate(&d->z, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
            snprintf(d->err, sizeof d->err, "corrupt %s data after %lu coded bytes (%s)",
                     d->kind == 'g' ? "gzip" : "deflate", d->z.total_in, d->z.msg ? d->z.msg : "zlib error");
            return -1;
        }
        d->ended = rc == Z_STREAM_END;
        if (sizeof out - d->z.avail_out && d->write(d->ud, (const char *)out, sizeof out - d->z.avail_out))
            return -2;
    }
    if (d->z.avail_in) {
        snprintf(d->err, sizeof d->err, "%u bytes after the end of the %s stream", d->z.avail_in,
                 d->kind == 'g' ? "gzip" : "deflate");
        return -1;
    }
    return 0;
}

int decode_finish(decoder *d)
{
    if (d->started && !d->ended) {
        snprintf(d->err, sizeof d->err, "the %s stream is truncated: the body ended after %lu coded bytes",
                 d->kind == 'g' ? "gzip" : "deflate", d->z.total_in);
        return -1;
    }
    return 0;
}

const char *decode_error(const decoder *d)
{
    return d->err;
}

void decode_free(decoder *d)
{
    if (d && d->started)
        inflateEnd(&d->z);
    free(d);
}

#else /* built without zlib: --compressed is refused at the command line */

int decode_available(void)
{
    return 0;
}

decoder *decode_new(const char *coding, decode_write_fn write, void *ud)
{
    (void)coding;
    (void)write;
    (void)ud;
    return NULL;
}

int decode_feed(decoder *d, const char *data, size_t len)
{
    (void)d;
    (void)data;
    (void)len;
    return -1;
}

int decode_finish(decoder *d)
{
    (void)d;
    return 0;
}

const char *decode_error(const decoder *d)
{
    (void)d;
    return "";
}

void decode_free(decoder *d)
{
    (void)d;
}
#endif
