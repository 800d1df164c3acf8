/*
 * tap.h: a tiny TAP producer for the C tests (picotest style).
 * ok(cond, fmt, ...) prints "ok N - ..." or "not ok N - ... (file:line)";
 * subtest(name, fn) groups cases; done_testing() prints the plan and
 * returns the exit status (0 when every case passed). ctest and prove read it.
 */
#ifndef HTTPREF_TAP_H
#define HTTPREF_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_count, tap_failed;
static const char *tap_subtest = "";

static void tap_ok(int cond, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void tap_ok(int cond, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    ++tap_count;
    if (!cond)
        ++tap_failed;
    printf("%sok %d - %s%s", cond ? "" : "not ", tap_count, tap_subtest, *tap_subtest ? ": " : "");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    if (!cond)
        printf(" (%s:%d)", file, line);
    putchar('\n');
    fflush(stdout);
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define note(...) (printf("# "), printf(__VA_ARGS__), putchar('\n'))

static inline void subtest(const char *name, void (*fn)(void))
{
    const char *prev = tap_subtest;
    tap_subtest = name;
    fn();
    tap_subtest = prev;
}

static inline int done_testing(void)
{
    printf("1..%d\n", tap_count);
    if (tap_failed)
        printf("# %d of %d failed\n", tap_failed, tap_count);
    return tap_failed ? 1 : 0;
}

#endif
