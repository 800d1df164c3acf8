/* h1_internal: helpers shared by the parser's translation units only. */
#ifndef HTTPREF_H1_INTERNAL_H
#define HTTPREF_H1_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* tchar of RFC 9110 §5.6.2 */
enum { H1_TCHAR = 1, H1_NOT_TEXT = 2 };
extern const unsigned char h1_class[256];
static inline int h1_is_tchar(unsigned char c)
{
    return h1_class[c] & H1_TCHAR;
}
/* eight bytes of x, ASCII letters folded to lowercase, equal to eight bytes of
 * y? Exact: a byte is upper when its low 7 bits are 'A'..'Z' and its top bit
 * is clear; no sum carries into the next byte (the top bits are cleared first) */
static inline int h1_fold_eq8(const char *x, const char *y)
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
 * lowercase (every caller passes lowercase literals). A length mismatch (most
 * field names against "content-length") costs one compare; a name of 8 bytes
 * or more is compared a word at a time (the last word may overlap the one
 * before). h1_ieq takes a C string: inline, so strlen of a literal folds away. */
static inline int h1_ieqn(const char *a, size_t alen, const char *lower, size_t n)
{
    if (alen != n)
        return 0;
    if (n >= 8) {
        for (size_t i = 0; i + 8 < n; i += 8)
            if (!h1_fold_eq8(a + i, lower + i))
                return 0;
        return h1_fold_eq8(a + n - 8, lower + n - 8);
    }
    for (size_t i = 0; i < n; i++) {
        unsigned x = (unsigned char)a[i];
        x += (unsigned)((x - 'A') < 26u) << 5;
        if (x != (unsigned char)lower[i])
            return 0;
    }
    return 1;
}

static inline int h1_ieq(const char *a, size_t alen, const char *lower)
{
    return h1_ieqn(a, alen, lower, strlen(lower));
}

#endif
