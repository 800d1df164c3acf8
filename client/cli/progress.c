/*
 * progress: a one-line progress bar on stderr while a large body streams:
 * bytes, rate, and with a known length the percentage and ETA. Only on a
 * terminal, at most ten redraws a second, shown after half a second (small
 * transfers never flash one), cleared at the end.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "hx.h"

#include <stdio.h>

static double now_s(void)
{
    return (double)hx_now_ms() / 1000.0;
}

static void human(double v, char *out, size_t cap)
{
    const char *u[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int i = 0;
    while (v >= 1024 && i < 4) {
        v /= 1024;
        i++;
    }
    snprintf(out, cap, i ? "%.1f %s" : "%.0f %s", v, u[i]);
}

void progress_start(progress *p, int enabled, int bar)
{
    p->enabled = enabled;
    p->bar = bar;
    p->shown = 0;
    p->total = -1;
    p->done = 0;
    p->start = p->last = now_s();
}

void progress_update(progress *p, uint64_t done, int64_t total)
{
    if (!p->enabled)
        return;
    double t = now_s();
    p->done = done;
    p->total = total;
    if (t - p->start < 0.5 || t - p->last < 0.1)
        return;
    p->last = t;
    p->shown = 1;
    char got[32], rate[32];
    double r = (double)done / (t - p->start);
    human((double)done, got, sizeof got);
    human(r, rate, sizeof rate);
    if (total > 0) {
        double frac = (double)done / (double)total;
        int bar = (int)(frac * 30);
        double eta = r > 0 ? ((double)total - (double)done) / r : 0;
        char b[31];
        for (int i = 0; i < 30; i++)
            b[i] = i < bar ? '#' : '-';
        b[30] = 0;
        fprintf(stderr, "\r[%s] %5.1f%%  %s  %s/s  ETA %02d:%02d ", b, frac * 100, got, rate, (int)eta / 60,
                (int)eta % 60);
    } else if (p->bar) { /* -# without a length: a bouncing mark, as curl's */
        int at = (int)(t * 10) % 58, pos = at < 30 ? at : 58 - at;
        fprintf(stderr, "\r[%*s#%*s]  %s  %s/s ", pos, "", 29 - pos, "", got, rate);
    } else {
        fprintf(stderr, "\r%s  %s/s ", got, rate);
    }
    fflush(stderr);
}

void progress_finish(progress *p)
{
    if (p->enabled && p->shown) {
        fprintf(stderr, "\r%*s\r", 72, "");
        fflush(stderr);
    }
}
