/* h1_internal: helpers shared by the parser's translation units only. */
#ifndef HTTPREF_H1_INTERNAL_H
#define HTTPREF_H1_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "hx.h"

/* tchar of RFC 9110 §5.6.2 */
enum { H1_TCHAR = 1, H1_NOT_TEXT = 2 };
extern const unsigned char h1_class[256];
static inline int h1_is_tchar(unsigned char c)
{
    return h1_class[c] & H1_TCHAR;
}
#endif
