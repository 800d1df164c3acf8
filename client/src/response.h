/* response: the final head and trailers kept for the caller after the receive buffer moves on. */
#ifndef HTTPREF_RESPONSE_H
#define HTTPREF_RESPONSE_H

#include <stddef.h>
#include "client_internal.h"

/* copy a final head (status line, reason, fields, the joined view) */
httpref_code response_store_head(stored_response *s, const h1_head *head);
/* copy the chunked trailer fields */
httpref_code response_store_trailers(stored_response *s, const httpref_field *f, size_t n);
/* the public view of what is stored (pointers into s) */
void response_fill(const stored_response *s, httpref_response *r, int hops, int reused);
/* free everything stored and reset to "no response" */
void response_free(stored_response *s);

#endif
