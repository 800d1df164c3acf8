/*
 * hx: the helpers that the library (src/), the CLI (cli/) and the Lua binding
 * (lua/src) share, one family as curl's curlx_: ASCII case-insensitive
 * compares, the monotonic clock, base64, a growable buffer. Nothing here
 * knows HTTP. Inside libhttpref.so these are hidden (only httpref_* is
 * exported); the CLI and the binding link the static library.
 */
#ifndef HTTPREF_HX_H
#define HTTPREF_HX_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ---- case-insensitive compares, ASCII only (locale never matters) ---- */

static inline unsigned hx_lower(unsigned char c)
{
    return c + ((unsigned)((unsigned)c - 'A' < 26u) << 5);
}

/* strcasecmp's contract over ASCII: <0, 0, >0 in the order of the lowercased bytes */
int hx_casecmp(const char *a, const char *b);
/* the same over at most n bytes (strncasecmp) */
int hx_ncasecmp(const char *a, const char *b, size_t n);

/* eight bytes of x, ASCII letters folded to lowercase, equal to eight bytes of
 * y? Exact: a byte is upper when its low 7 bits are 'A'..'Z' and its top bit
 * is clear; no sum carries into the next byte (the top bits are cleared first) */
static inline int hx_fold_eq8(const char *x, const char *y)
{
    const uint64_t ones = 0x0101010101010101u, high = ones * 0x80;
    uint64_t a, b;
    memcpy(&a, x, 8);
    memcpy(&b, y, 8);
    uint64_t low = a & ~high;
    uint64_t upper = (low + ones * (0x80 - 'A')) & ~(low + ones * (0x80 - 'Z' - 1)) & ~a & high;
    return (a | (upper >> 2)) == b;
}

/* ASCII case-insensitive equality of a (pointer, length) and n bytes written in
 * lowercase (every caller passes lowercase literals): the parser's hot compare.
 * A length mismatch (most field names against "content-length") costs one
 * compare; a name of 8 bytes or more is compared a word at a time (the last
 * word may overlap the one before). hx_ieq takes a C string: inline, so
 * strlen of a literal folds away. */
static inline int hx_ieqn(const char *a, size_t alen, const char *lower, size_t n)
{
    if (alen != n)
        return 0;
    if (n >= 8) {
        for (size_t i = 0; i + 8 < n; i += 8)
            if (!hx_fold_eq8(a + i, lower + i))
                return 0;
        return hx_fold_eq8(a + n - 8, lower + n - 8);
    }
    for (size_t i = 0; i < n; i++)
        if (hx_lower((unsigned char)a[i]) != (unsigned char)lower[i])
            return 0;
    return 1;
}

static inline int hx_ieq(const char *a, size_t alen, const char *lower)
{
    return hx_ieqn(a, alen, lower, strlen(lower));
}

/* ---- the clock: CLOCK_MONOTONIC, never the wall clock (it jumps) ---- */

int64_t hx_now_ms(void);
/* sleep for ms milliseconds (tests and retries; EINTR ends it early) */
void hx_sleep_ms(int ms);

/* ---- base64 (RFC 4648 §4, with padding) ---- */

/* src[0..n) encoded into a new NUL-terminated string; NULL when out of memory */
char *hx_base64_encode(const char *src, size_t n);
/* decode s[0..n) into a new buffer (*out_len bytes); NULL on a byte outside the
 * alphabet, data after '=', or out of memory */
char *hx_base64_decode(const char *s, size_t n, size_t *out_len);

/* ---- digests for HTTP Digest auth (RFC 7616), lowercase hex, NUL-terminated ---- */

void hx_md5_hex(const void *data, size_t n, char out[33]);
void hx_sha256_hex(const void *data, size_t n, char out[65]);

/* ---- a growable byte buffer, always NUL-terminated once non-empty ---- */

typedef struct hx_buf {
    char *p;
    size_t len, cap;
    int oom; /* an allocation failed: later adds do nothing, the caller checks once */
} hx_buf;

void hx_buf_add(hx_buf *b, const char *s, size_t n);
void hx_buf_adds(hx_buf *b, const char *s);
void hx_buf_free(hx_buf *b);

#endif
