/* retry: --retry's decision, curl's rules: which failures are transient, and how long to wait. */
#ifndef HTTPREF_CLI_RETRY_H
#define HTTPREF_CLI_RETRY_H

#include "cli.h"

/* the seconds to wait before attempt number attempt + 1 (attempt 0 was the first), or -1 for
 * no retry: rc and status are the attempt's outcome (status 0 without a response),
 * retry_after its Retry-After field (NULL = none), elapsed the seconds since the first
 * attempt began, replayable whether the request body can be sent again */
double retry_delay(const cli_config *c, int attempt, httpref_code rc, int status, const char *retry_after,
                   double elapsed, int replayable);

#endif
