/* deadline: how long the next blocking step may take, and which limit said so. */
#ifndef HTTPREF_DEADLINE_H
#define HTTPREF_DEADLINE_H

#include <stdint.h>
#include "client_internal.h"

/* the absolute time ms from now (hx_now_ms), or 0 (none) when ms is 0 */
int64_t deadline_in(long ms);

/* the per-operation timeout, cut short by the head and the total deadline;
 * *which says which binds. 0 when a deadline has already passed: a server
 * that never lets the socket run dry must not outlive it (poll would always
 * find data) */
int deadline_wait_ms(const deadlines *d, deadline_kind *which);

#endif
