/* deadline: the three time limits of one perform, on the monotonic clock. */
#include "deadline.h"
#include "hx.h"

int64_t deadline_in(long ms)
{
    return ms ? hx_now_ms() + ms : 0;
}

int deadline_wait_ms(const deadlines *d, deadline_kind *which)
{
    int64_t now = hx_now_ms(), t = d->op_ms;
    *which = DEADLINE_OPERATION;
    if (d->head && d->head - now < t) {
        t = d->head - now;
        *which = DEADLINE_HEAD;
    }
    if (d->total && d->total - now < t) {
        t = d->total - now;
        *which = DEADLINE_TOTAL;
    }
    return t < 1 ? 0 : (int)t;
}
