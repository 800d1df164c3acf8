/* hx: the shared helpers (see hx.h for the family and its rules). */
#define _POSIX_C_SOURCE 200809L
#include "hx.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

int hx_casecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        unsigned x = hx_lower((unsigned char)*a), y = hx_lower((unsigned char)*b);
        if (x != y || !x)
            return (int)x - (int)y;
    }
}

int hx_ncasecmp(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned x = hx_lower((unsigned char)a[i]), y = hx_lower((unsigned char)b[i]);
        if (x != y || !x)
            return (int)x - (int)y;
    }
    return 0;
}

int64_t hx_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void hx_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *hx_base64_encode(const char *src, size_t n)
{
    char *out = malloc((n + 2) / 3 * 4 + 1), *o = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)(unsigned char)src[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)(unsigned char)src[i + 1] << 8;
        if (i + 2 < n)
            v |= (unsigned char)src[i + 2];
        *o++ = b64[(v >> 18) & 63];
        *o++ = b64[(v >> 12) & 63];
        *o++ = i + 1 < n ? b64[(v >> 6) & 63] : '=';
        *o++ = i + 2 < n ? b64[v & 63] : '=';
    }
    *o = 0;
    return out;
}

char *hx_base64_decode(const char *s, size_t n, size_t *out_len)
{
    char *out = malloc(n / 4 * 3 + 3);
    size_t o = 0;
    unsigned v = 0;
    int bits = 0, pad = 0;
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const char *k = strchr(b64, s[i]);
        if (s[i] == '=') {
            pad++;
            continue;
        }
        if (!k || !s[i] || pad) {
            free(out);
            return NULL;
        }
        v = (v << 6) | (unsigned)(k - b64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (char)((v >> bits) & 255);
        }
    }
    *out_len = o;
    return out;
}

void hx_buf_add(hx_buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

void hx_buf_adds(hx_buf *b, const char *s)
{
    hx_buf_add(b, s, strlen(s));
}

void hx_buf_free(hx_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}
