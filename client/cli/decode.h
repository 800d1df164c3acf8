/* decode: --compressed, a Content-Encoding (gzip, deflate) inflated by zlib as the body streams. */
#ifndef HTTPREF_CLI_DECODE_H
#define HTTPREF_CLI_DECODE_H

#include <stddef.h>

typedef struct decoder decoder;
/* where decoded bytes go: 0 to go on */
typedef int (*decode_write_fn)(void *ud, const char *data, size_t len);

/* 1 when built with zlib */
int decode_available(void);
/* a decoder for one Content-Encoding value, NULL when it is not gzip, x-gzip or deflate */
decoder *decode_new(const char *coding, decode_write_fn write, void *ud);
/* coded bytes in: 0, -1 corrupt (decode_error says how), -2 the writer refused */
int decode_feed(decoder *d, const char *data, size_t len);
/* the body ended: 0, or -1 when the coded stream had not */
int decode_finish(decoder *d);
const char *decode_error(const decoder *d);
void decode_free(decoder *d);

#endif
