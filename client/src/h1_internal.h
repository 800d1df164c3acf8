/* h1_internal: helpers shared by the parser's translation units only. */
#ifndef HTTPREF_H1_INTERNAL_H
#define HTTPREF_H1_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "h1_parse.h"
#include "hx.h"

/* tchar of RFC 9110 §5.6.2 */
enum { H1_TCHAR = 1, H1_NOT_TEXT = 2 };
extern const unsigned char h1_class[256];
static inline int h1_is_tchar(unsigned char c)
{
    return h1_class[c] & H1_TCHAR;
}
/* the reader's states; h1_reader.c's table maps each to its step */
enum h1_state {
    S_HEAD = 0,
    S_LENGTH,
    S_CHUNK_SIZE,
    S_CHUNK_DATA,
    S_CHUNK_CRLF,
    S_TRAILERS,
    S_UNTIL_CLOSE,
    S_DONE,
    S_ERROR
};

/* A step reads p[0..n) in its state: *used bytes are done with (counted in
 * r->offset by the step), and it returns the event for the caller, or
 * H1_GO_ON when the next state should look at what remains. */
#define H1_GO_ON ((h1_event)100)
typedef h1_event (*h1_step)(h1_reader *r, char *p, size_t n, size_t *used, const char **data, size_t *dlen);

/* h1_section.c: the error event (the detail is fmt with the bytes shown
 * escaped; at is relative to the bytes being stepped on), and where a field
 * section ends (complete lines only, limits enforced as soon as crossed):
 * the end offset past the empty line, 0 for more bytes, -(code) with *at */
h1_event h1_reader_error(h1_reader *r, httpref_code code, size_t at, const char *fmt, const char *bytes,
                         size_t n);
/* bytes[0..n) as a message shows them (printable ASCII, else \xNN), cut to fit out; the length */
size_t h1_show(char *out, size_t cap, const char *bytes, size_t n);
/* which limit a LIMIT code hit, and its value: "chunk extensions longer than the
 * limit of 4096 bytes (HTTPREF_OPT_MAX_CHUNK_EXT)"; section ("header", "trailer")
 * names the section the size limit is on; other codes get their text */
void h1_limit_text(const h1_reader *r, httpref_code code, const char *section, char *out, size_t cap);
long h1_section_end(h1_reader *r, const char *buf, size_t len, size_t from, size_t *scan, int status,
                    size_t *at);

/* h1_body.c: Content-Length, chunk-data and read-until-close bytes */
h1_event h1_step_body(h1_reader *r, char *p, size_t n, size_t *used, const char **data, size_t *dlen);
/* h1_chunked.c: the chunk-size line, the CRLF after chunk-data, the trailer section */
h1_event h1_step_chunk_size(h1_reader *r, char *p, size_t n, size_t *used, const char **data, size_t *dlen);
h1_event h1_step_chunk_crlf(h1_reader *r, char *p, size_t n, size_t *used, const char **data, size_t *dlen);
h1_event h1_step_trailers(h1_reader *r, char *p, size_t n, size_t *used, const char **data, size_t *dlen);

#endif
