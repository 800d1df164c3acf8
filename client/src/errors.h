/* errors: the last failure of a handle (what was wrong, where), kept by every layer. */
#ifndef HTTPREF_ERRORS_H
#define HTTPREF_ERRORS_H

#include <stdint.h>
#include "httpref.h"

typedef struct err_state {
    char detail[256]; /* httpref_last_error_reason */
    int64_t off;      /* httpref_last_error_offset: byte in the response stream, -1 if none */
    unsigned lenient; /* httpref_last_error_lenient: the leniency that would accept it, 0 if none */
} err_state;

/* detail = fmt with arg (a "%s" format; "" for none), or the code's text when
 * that leaves it empty; returns code */
httpref_code err_set(err_state *e, httpref_code code, int64_t off, const char *fmt, const char *arg);

#endif
