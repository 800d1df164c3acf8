/* json: a small strict JSON reader (RFC 8259) and writer for the adapter protocol. */
#ifndef HTTPREF_JSON_H
#define HTTPREF_JSON_H

#include <stddef.h>
#include <stdio.h>

typedef enum { J_NULL, J_FALSE, J_TRUE, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT } json_type;

typedef struct json {
    json_type type;
    double num;
    char *str;            /* J_STRING: decoded bytes, NUL-terminated */
    size_t len;           /* string length (may hold NUL) or item count */
    struct json *items;   /* J_ARRAY / J_OBJECT values */
    char **keys;          /* J_OBJECT keys */
} json;

/* Parse text[0..n). On error returns NULL and writes "... at byte N" into err.
 * Depth is capped at 32 and the input at 64 MiB by the caller's reader. */
json *json_parse(const char *text, size_t n, char *err, size_t errlen);
void json_free(json *j);
/* object member by key, or NULL */
const json *json_get(const json *obj, const char *key);

/* writer helpers: a string with escapes, bytes as base64 */
void json_put_string(FILE *f, const char *s, size_t n);
void json_put_base64(FILE *f, const char *s, size_t n);

#endif
