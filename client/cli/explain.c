/*
 * explain: what a failure means to a person, and the tables generated from
 * the library's own maps: --exit-codes (HTTPREF_CODE_MAP; EXIT-CODES.md and
 * the man page come from it) and --leniency (HTTPREF_LENIENT_MAP;
 * leniency.md). A message gets the byte offset where the fault was found and
 * the --lenient flag that would accept it, when one exists.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <stdio.h>
#include <string.h>

/* each HTTPREF_LENIENT_MAP row, with the code it relaxes */
static const struct {
    const char *flag; /* "" for a reserved bit: no option */
    const char *name;
    unsigned bit;
    httpref_code relaxes;
    const char *help, *risk;
} lenient[] = {
#define LENIENT_ROW_(bit, name, flag, relaxes, help, risk) {flag, #name, HTTPREF_LENIENT_##name, relaxes, help, risk},
    HTTPREF_LENIENT_MAP(LENIENT_ROW_)
#undef LENIENT_ROW_
};
#define NLENIENT (sizeof lenient / sizeof lenient[0])

/* the flag of a leniency bit, NULL for none (or a reserved bit) */
static const char *lenient_flag_of(unsigned bit)
{
    for (size_t i = 0; bit && i < NLENIENT; i++)
        if (lenient[i].flag[0] && lenient[i].bit == bit)
            return lenient[i].flag;
    return NULL;
}

void cli_explain(const httpref *h, char *msg, size_t cap)
{
    size_t n = strlen(msg);
    int64_t off = httpref_last_error_offset(h);
    if (off >= 0 && n < cap)
        n += (size_t)snprintf(msg + n, cap - n, " at byte %lld", (long long)off);
    /* only a flag that would accept this very fault: the parser says which
     * (NUL is no control character the flag lets through, a flag already on
     * did not help) */
    const char *flag = lenient_flag_of(httpref_last_error_lenient(h));
    if (flag && n < cap)
        snprintf(msg + n, cap - n, "; see --lenient-%s", flag);
}

void cli_print_exit_codes(const char *format)
{
    int roff = format && !strcmp(format, "roff"), md = format && !strcmp(format, "markdown");
    if (md)
        printf("| exit | name | class | meaning |\n|---|---|---|---|\n");
    for (int c = 0; c <= HTTPREF_E_LAST; c++) {
        httpref_code rc = (httpref_code)c;
        const char *cls = httpref_class_name(httpref_code_class(rc));
        if (roff)
            printf(".TP\n.B %d\n%s (%s): %s\n", c, httpref_code_name(rc), cls, httpref_strerror(rc));
        else if (md)
            printf("| %d | %s | %s | %s |\n", c, httpref_code_name(rc), cls, httpref_strerror(rc));
        else
            printf("%3d  %-30s %-18s %s\n", c, httpref_code_name(rc), cls, httpref_strerror(rc));
    }
    const char *extra[][2] = {{"100", "HTTP_ERROR: -f given and the server answered 400 or more"},
                              {"101", "USAGE: the command line is wrong"},
                              {"102", "DECODE: --compressed and the coded body is corrupt or truncated"},
                              {"103", "RESUME: -C and the answer's Content-Range does not start at the offset"}};
    for (int i = 0; i < 4; i++) {
        if (roff)
            printf(".TP\n.B %s\n%s\n", extra[i][0], extra[i][1]);
        else if (md)
            printf("| %s | %s | cli | |\n", extra[i][0], extra[i][1]);
        else
            printf("%3s  %s\n", extra[i][0], extra[i][1]);
    }
}

/* the leniency table (client/docs/leniency.md by tools/gen-leniency): text or markdown */
void cli_print_leniency(const char *format)
{
    int md = format && !strcmp(format, "markdown"), roff = format && !strcmp(format, "roff");
    if (md)
        printf("| flag | bit | library | rejected otherwise as | accepts | risk |\n|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < NLENIENT; i++) {
        const char *flag = lenient[i].flag[0] ? lenient[i].flag : NULL;
        unsigned bit = 0;
        while ((1u << bit) != lenient[i].bit)
            bit++;
        const char *code = lenient[i].relaxes ? httpref_code_name(lenient[i].relaxes) : "-";
        if (roff && flag)
            printf(".TP\n\\fB\\-\\-lenient\\-%s\\fR\n%s. Risk: %s.\n", flag, lenient[i].help, lenient[i].risk);
        else if (roff)
            continue;
        else if (md)
            printf("| %s%s%s | %u | `HTTPREF_LENIENT_%s` | %s | %s | %s |\n", flag ? "`--lenient-" : "(reserved)",
                   flag ? flag : "", flag ? "`" : "", bit, lenient[i].name, code, lenient[i].help, lenient[i].risk);
        else
            printf("%2u  --lenient-%-24s %s\n    risk: %s\n", bit, flag ? flag : "(reserved)", lenient[i].help,
                   lenient[i].risk);
    }
}
