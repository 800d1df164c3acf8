/* libFuzzer target: RFC 3986 parse and resolve. No crash, no over-read, and an
 * accepted URL's request-target never holds a raw SP, CTL or non-ASCII byte. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1), detail[256];
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = 0;
    char *r = uri_resolve("http://a/b/c/d;p?q", s); /* as a Location would be */
    const char *inputs[2] = {s, r};
    for (int k = 0; k < 2; k++) {
        url u;
        if (inputs[k] && url_parse(inputs[k], &u, detail, sizeof detail) == HTTPREF_OK) {
            for (const char *p = u.path_query; *p; p++)
                if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
                    abort(); /* a raw byte that cannot be in a request-target */
            for (const char *p = u.authority; *p; p++)
                if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || *p == '@')
                    abort();
        }
        url_free(&u);
    }
    free(r);
    free(s);
    return 0;
}
