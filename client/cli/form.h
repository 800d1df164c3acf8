/* form: -F, a multipart/form-data body (RFC 7578) streamed with its length, as curl builds it. */
#ifndef HTTPREF_CLI_FORM_H
#define HTTPREF_CLI_FORM_H

#include <stdint.h>
#include "cli.h"

typedef struct form form;

/* the body of c's -F parts, its length in *size; NULL with the reason said */
form *form_build(const cli_config *c, int64_t *size);
/* "multipart/form-data; boundary=..." */
const char *form_content_type(const form *fm);
/* an httpref_source_fn over the body */
long form_read(void *ud, char *buf, size_t cap);
void form_free(form *fm);

#endif
