#define _GNU_SOURCE /* memmem */
/* libFuzzer target: request serialisation. Whatever the caller passes as method,
 * field names and values, the head either is refused or holds CR and LF only as
 * CRLF line ends and never a NUL: nothing malformed reaches the wire. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* input: method \0 name \0 value \0 name \0 value ... */
    char *buf = malloc(size + 2), detail[256];
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = buf[size + 1] = 0;
    const char *parts[9];
    size_t n = 0, i = 0;
    while (n < 9 && i <= size) {
        parts[n++] = buf + i;
        i += strlen(buf + i) + 1;
    }
    httpref_field f[4];
    size_t nf = 0;
    for (size_t k = 1; k + 1 < n && nf < 4; k += 2, nf++) {
        f[nf].name = parts[k];
        f[nf].name_len = 0;
        f[nf].value = parts[k + 1];
        f[nf].value_len = 0;
    }
    url u;
    if (url_parse("http://user:pw@h.example:8080/p?q", &u, detail, sizeof detail) == HTTPREF_OK) {
        hx_buf out = {0};
        int64_t cl;
        /* designated: a new req_spec field starts at 0 here instead of breaking -Wmissing-field-initializers */
        req_spec s = {.method = parts[0], .target = &u, .headers = f, .nheaders = nf, .user_agent = "fuzz/1",
                      .keepalive = (int)(size & 1), .body_len = (size & 2) ? 5 : REQ_BODY_NONE};
        if (req_build_head(&out, &s, &cl, detail, sizeof detail) == HTTPREF_OK) {
            for (size_t k = 0; k < out.len; k++) {
                char c = out.p[k];
                if (c == 0 || (c == '\r' && (k + 1 >= out.len || out.p[k + 1] != '\n')) ||
                    (c == '\n' && (k == 0 || out.p[k - 1] != '\r')))
                    abort(); /* a NUL, bare CR or bare LF reached the wire */
            }
            if (out.len < 4 || memcmp(out.p + out.len - 4, "\r\n\r\n", 4) != 0 ||
                memmem(out.p, out.len, "\r\n\r\n", 4) != out.p + out.len - 4)
                abort(); /* the head must end once, at its end: no injected empty line */
        }
        hx_buf_free(&out);
    }
    url_free(&u);
    free(buf);
    return 0;
}
