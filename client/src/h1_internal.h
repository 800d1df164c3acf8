/* h1_internal: helpers shared by the parser's translation units only. */
#ifndef HTTPREF_H1_INTERNAL_H
#define HTTPREF_H1_INTERNAL_H

#include <stddef.h>
#include <string.h>

/* tchar of RFC 9110 §5.6.2 */
enum { H1_TCHAR = 1, H1_NOT_TEXT = 2 };
extern const unsigned char h1_class[256];
static inline int h1_is_tchar(unsigned char c)
{
    return h1_class[c] & H1_TCHAR;
}
/* ASCII case-insensitive equality of a (pointer, length) and a C string.
 * Inline, so strlen of a literal folds away and a length mismatch (most
 * field names against "content-length") costs one compare. */
static inline int h1_ieq(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    if (alen != blen)
        return 0;
    for (size_t i = 0; i < alen; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x + 32);
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y + 32);
        if (x != y)
            return 0;
    }
    return 1;
}

#endif
