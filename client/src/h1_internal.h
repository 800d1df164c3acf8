/* h1_internal: helpers shared by the parser's translation units only. */
#ifndef HTTPREF_H1_INTERNAL_H
#define HTTPREF_H1_INTERNAL_H

#include <stddef.h>

/* tchar of RFC 9110 §5.6.2 */
int h1_is_tchar(unsigned char c);
/* ASCII case-insensitive equality of a (pointer, length) and a C string */
int h1_ieq(const char *a, size_t alen, const char *b);

#endif
