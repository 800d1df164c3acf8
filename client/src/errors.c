/*
 * errors: text, stable name and class of every httpref_code, each a lookup
 * in an array generated from HTTPREF_CODE_MAP (httpref.h): a code is
 * defined in that one row. Designated initializers keep each entry at its
 * number; -Woverride-init (in -Wextra, an error here) catches a number used
 * twice and the count check below a row missing from the enum's range.
 */
#include "httpref.h"
#include "errors.h"

#include <stdio.h>

#define COUNT_(num, name, cls, text) +1
_Static_assert(1 HTTPREF_CODE_MAP(COUNT_) == HTTPREF_E_LAST + 1, "a gap in the code map or a stale HTTPREF_E_LAST");
#undef COUNT_

#define TEXT_(num, name, cls, text) [num] = text,
static const char *const texts[] = {[0] = "success", HTTPREF_CODE_MAP(TEXT_)};
#define NAME_(num, name, cls, text) [num] = #name,
static const char *const names[] = {[0] = "OK", HTTPREF_CODE_MAP(NAME_)};
#define CLASS_(num, name, cls, text) [num] = HTTPREF_CLASS_##cls,
static const httpref_class classes[] = {[0] = HTTPREF_CLASS_NONE, HTTPREF_CODE_MAP(CLASS_)};
#define CLASS_NAME_(cls, name) [HTTPREF_CLASS_##cls] = name,
static const char *const class_names[] = {HTTPREF_CLASS_MAP(CLASS_NAME_)};

static int known(httpref_code code)
{
    return (unsigned)code <= (unsigned)HTTPREF_E_LAST;
}

const char *httpref_strerror(httpref_code code)
{
    return known(code) ? texts[code] : "unknown error code";
}

const char *httpref_code_name(httpref_code code)
{
    return known(code) ? names[code] : "UNKNOWN";
}

httpref_class httpref_code_class(httpref_code code)
{
    return known(code) ? classes[code] : HTTPREF_CLASS_OTHER;
}

const char *httpref_class_name(httpref_class cls)
{
    return (unsigned)cls <= (unsigned)HTTPREF_CLASS_OTHER ? class_names[cls] : "other";
}

httpref_code err_set(err_state *e, httpref_code code, int64_t off, const char *fmt, const char *arg)
{
    snprintf(e->detail, sizeof e->detail, fmt, arg ? arg : "");
    if (!e->detail[0])
        snprintf(e->detail, sizeof e->detail, "%s", httpref_strerror(code));
    e->off = off;
    e->lenient = 0;
    return code;
}
