/* redirect: the policy after a final head, as pure predicates (no I/O, no handle). */
#ifndef HTTPREF_REDIRECT_H
#define HTTPREF_REDIRECT_H

#include "client_internal.h"

/* What to follow: fills x->next (url NULL = this response is the answer), or
 * returns the error the response earns (a loop, the hop limit, a refused or
 * unparsable Location) with err set. Auth retry (HTTPREF_OPT_AUTH_RETRY)
 * comes first: a 401 offering Digest or Basic repeats the request once with
 * the URL's credentials (x->auth_next says which), once more for a stale
 * Digest nonce. */
httpref_code redirect_plan(const stored_response *r, const redirect_policy *pol, exchange *x, err_state *err);

/* What to drop: credentials and cookies go only where they came from, the
 * first URL's origin: scheme, host and port (RFC 9110 §15.4, §4.3.1), so an
 * http <-> https change drops them too; 1 when this hop's target is elsewhere */
int redirect_drops_credentials(const url *target, const url *first, int hops);

/* What to resend: a kept-alive connection the server had already closed may
 * be retried once, only for an idempotent method with a replayable body
 * (RFC 9112 §9.3.1, RFC 9110 §9.2.2) */
int redirect_may_resend(const char *method, int streamed_body);

#endif
