/*
 * opts: the command line. One table, `options`, holds every flag: its long
 * name, its short letter, whether it takes an argument, the handler that
 * stores it in the cli_config, and its help line; getopt_long's array and
 * the usage text are built from it. The --lenient-* flags come from
 * HTTPREF_LENIENT_MAP, so a leniency added to the library appears here by
 * itself. To add a flag: a handler (a few lines, or one of the set_* kinds
 * below), a row in `options`, the field in cli_config, and its use in
 * build.c or output.c.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* a handler: 0 = stored, 1 = done, exit 0 now (--help, --version), -1 = usage error (said) */
typedef int (*opt_fn)(cli_config *c, char *arg);

/* how a row stores its flag: a string field, a field set to 1 or 0, or a handler */
typedef enum opt_kind { OPT_STRING, OPT_ON, OPT_OFF, OPT_CALL } opt_kind;

typedef struct cli_option {
    const char *name; /* long name */
    char key;         /* short letter, 0 = none */
    const char *arg;  /* the argument's name in the help, NULL = no argument */
    opt_kind kind;
    size_t field; /* OPT_STRING (const char *), OPT_ON / OPT_OFF (int): offsetof(cli_config, ...) */
    opt_fn call;  /* OPT_CALL */
    const char *help;
} cli_option;

#define STRING(f) OPT_STRING, offsetof(cli_config, f), NULL
#define ON(f) OPT_ON, offsetof(cli_config, f), NULL
#define OFF(f) OPT_OFF, offsetof(cli_config, f), NULL
#define CALL(fn) OPT_CALL, 0, fn

/* a whole number in [lo, hi] or a usage error: atoi would turn "ten" into 0 */
static int parse_long(const char *flag, const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) {
        fprintf(stderr, "httpref: %s wants a whole number from %ld to %ld, not \"%s\"\n", flag, lo, hi, s);
        return -1;
    }
    *out = v;
    return 0;
}

/* seconds, > 0 and at most a day */
static int parse_seconds(const char *flag, const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v > 0 && v <= 86400)) {
        fprintf(stderr, "httpref: %s wants seconds, more than 0 and at most 86400, not \"%s\"\n", flag, s);
        return -1;
    }
    *out = v;
    return 0;
}

static int usage_error(const char *msg)
{
    fprintf(stderr, "httpref: %s\n", msg);
    return -1;
}

/* -H 'Name: value'; 'Name:' removes a default. The colon is cut in place. */
static int set_header(cli_config *c, char *arg)
{
    if (c->nfields == CLI_MAX_HEADERS)
        return usage_error("too many -H options");
    char *colon = strchr(arg, ':');
    if (!colon)
        return usage_error("-H wants 'Name: value'");
    *colon = 0;
    char *v = colon + 1;
    while (*v == ' ' || *v == '\t')
        v++;
    c->fields[c->nfields].name = arg;
    c->fields[c->nfields++].value = *v ? v : NULL;
    return 0;
}

static int set_strict(cli_config *c, char *a)
{
    (void)a;
    c->lenient = 0;
    return 0;
}

static int set_markdown(cli_config *c, char *a)
{
    (void)a;
    c->format = "markdown";
    return 0;
}

static int set_roff(cli_config *c, char *a)
{
    (void)a;
    c->format = "roff";
    return 0;
}

static int set_exit_codes(cli_config *c, char *a)
{
    (void)a;
    c->table = CLI_EXIT_CODES;
    return 0;
}

static int set_leniency(cli_config *c, char *a)
{
    (void)a;
    c->table = CLI_LENIENCY;
    return 0;
}

/* --data-binary @FILE streams FILE (@- = stdin); anything else is the data itself */
static int set_data_binary(cli_config *c, char *a)
{
    if (a[0] == '@')
        c->data_file = a + 1;
    else
        c->data = a;
    return 0;
}

static int set_max_redirs(cli_config *c, char *a)
{
    long n;
    if (parse_long("--max-redirs", a, 0, 1000, &n))
        return -1;
    c->max_redirs = (int)n;
    return 0;
}

static int set_recv_spin(cli_config *c, char *a)
{
    return parse_long("--recv-spin", a, 0, 100000, &c->recv_spin);
}

static int set_max_time(cli_config *c, char *a)
{
    return parse_seconds("--max-time", a, &c->max_time);
}

static int set_connect_timeout(cli_config *c, char *a)
{
    return parse_seconds("--connect-timeout", a, &c->connect_timeout);
}

static int show_version(cli_config *c, char *a)
{
    (void)c;
    (void)a;
    printf("httpref %s (libhttpref %s; %s; built %s with %s)\n", HTTPREF_VERSION, HTTPREF_VERSION,
           "strict HTTP/1.1, no TLS", __DATE__, __VERSION__);
    return 1;
}

static int show_help(cli_config *c, char *a);

static const cli_option options[] = {
    {"request", 'X', "METHOD", STRING(method), "method (default GET, POST with -d)"},
    {"header", 'H', "'N: v'", CALL(set_header), "add a field; 'N:' removes a default (repeatable)"},
    {"data", 'd', "DATA", STRING(data), "POST DATA as application/x-www-form-urlencoded"},
    {"data-binary", 0, "@FILE", CALL(set_data_binary), "body from FILE (@- = stdin), streamed"},
    {"head", 'I', NULL, ON(head), "HEAD, print the response head"},
    {"location", 'L', NULL, ON(follow), "follow redirects (also for non-GET)"},
    {"max-redirs", 0, "N", CALL(set_max_redirs), "at most N redirects (default 5)"},
    {"proxy", 'x', "URL", STRING(proxy), "http proxy (http://user:pass@host:port)"},
    {"user", 'u', "USER:PASS", STRING(user), "Basic credentials"},
    {"max-time", 'm', "S", CALL(set_max_time), "total time limit"},
    {"connect-timeout", 0, "S", CALL(set_connect_timeout), "connect time limit"},
    {"output", 'o', "FILE", STRING(out_path), "body to FILE"},
    {"remote-name", 'O', NULL, ON(remote_name), "body to a file named after the URL"},
    {"dump-header", 'D', "FILE", STRING(dump), "response head to FILE (- = stdout)"},
    {"include", 'i', NULL, ON(include), "response head before the body"},
    {"silent", 's', NULL, ON(silent), "no progress bar, no error message"},
    {"show-error", 'S', NULL, ON(show_error), "error messages even with -s"},
    {"verbose", 'v', NULL, ON(verbose), "request and response heads on stderr"},
    {"fail", 'f', NULL, ON(fail_on_error), "exit 100 when the server answers 400 or more"},
    {"user-agent", 'A', "UA", STRING(user_agent), "User-Agent (\"\" = none)"},
    {"keepalive", 0, NULL, ON(keepalive), "reuse one connection for several URLs (default on)"},
    {"no-keepalive", 0, NULL, OFF(keepalive), "a new connection for each URL"},
    {"recv-spin", 0, "N", CALL(set_recv_spin), "empty reads retried before a sleep while a body streams"},
    {"strict", 0, NULL, CALL(set_strict), "every leniency off (the default)"},
    {"adapter", 0, NULL, ON(adapter), "conformance adapter mode (spec JSON on stdin); --describe"},
    {"describe", 0, NULL, ON(describe), "the adapter's name, version and capabilities"},
    {"serve", 0, NULL, ON(serve), "with --adapter: one spec per line until EOF, one result line each"},
    {"exit-codes", 0, NULL, CALL(set_exit_codes), "the exit status table (--markdown, --roff)"},
    {"leniency", 0, NULL, CALL(set_leniency), "each --lenient flag and the risk it opens (--markdown, --roff)"},
    {"markdown", 0, NULL, CALL(set_markdown), "tables as markdown"},
    {"roff", 0, NULL, CALL(set_roff), "tables as roff"},
    {"version", 0, NULL, CALL(show_version), "version and build"},
    {"help", 'h', NULL, CALL(show_help), "this text"},
};
#define NOPTIONS (sizeof options / sizeof options[0])

/* the --lenient-<flag> options, one per HTTPREF_LENIENT_MAP row with a flag */
static const struct {
    const char *flag; /* "" for a reserved bit: no option */
    unsigned bit;
    const char *help;
} lenient[] = {
#define LENIENT_ROW_(bit, name, flag, relaxes, help, risk) {flag, HTTPREF_LENIENT_##name, help},
    HTTPREF_LENIENT_MAP(LENIENT_ROW_)
#undef LENIENT_ROW_
};
#define NLENIENT (sizeof lenient / sizeof lenient[0])
#define LENIENT_VAL 1000 /* getopt's val for lenient[i] is LENIENT_VAL + i; options[i]'s is its key or 256 + i */

static void usage(FILE *f)
{
    fprintf(f, "usage: httpref [options] URL...\n");
    for (size_t i = 0; i < NOPTIONS; i++) {
        const cli_option *o = &options[i];
        char lhs[48];
        snprintf(lhs, sizeof lhs, "%c%c%c --%s%s%s", o->key ? '-' : ' ', o->key ? o->key : ' ', o->key ? ',' : ' ',
                 o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        fprintf(f, "  %-34s %s\n", lhs, o->help);
    }
    for (size_t i = 0; i < NLENIENT; i++) {
        char lhs[48];
        snprintf(lhs, sizeof lhs, "    --lenient-%s", lenient[i].flag);
        if (lenient[i].flag[0])
            fprintf(f, "  %-34s %s\n", lhs, lenient[i].help);
    }
}

static int show_help(cli_config *c, char *a)
{
    (void)c;
    (void)a;
    usage(stdout);
    return 1;
}

/* getopt_long's tables, from options[] and lenient[] */
static void getopt_tables(struct option *longs, char *shorts)
{
    static char names[NLENIENT][48];
    size_t n = 0, k = 0;
    for (size_t i = 0; i < NOPTIONS; i++) {
        const cli_option *o = &options[i];
        longs[n++] = (struct option){o->name, o->arg ? required_argument : no_argument, 0,
                                     o->key ? o->key : 256 + (int)i};
        if (o->key) {
            shorts[k++] = o->key;
            if (o->arg)
                shorts[k++] = ':';
        }
    }
    for (size_t i = 0; i < NLENIENT; i++) {
        if (!lenient[i].flag[0])
            continue;
        snprintf(names[i], sizeof names[i], "lenient-%s", lenient[i].flag);
        longs[n++] = (struct option){names[i], no_argument, 0, LENIENT_VAL + (int)i};
    }
    longs[n] = (struct option){0, 0, 0, 0};
    shorts[k] = 0;
}

/* the row for getopt's answer k, or NULL */
static const cli_option *option_for(int k)
{
    for (size_t i = 0; i < NOPTIONS; i++)
        if ((options[i].key && options[i].key == k) || k == 256 + (int)i)
            return &options[i];
    return NULL;
}

/* store one flag as its row says */
static int apply(cli_config *c, const cli_option *o, char *arg)
{
    char *field = (char *)c + o->field;
    switch (o->kind) {
    case OPT_STRING:
        *(const char **)(void *)field = arg;
        return 0;
    case OPT_ON:
    case OPT_OFF:
        *(int *)(void *)field = o->kind == OPT_ON;
        return 0;
    case OPT_CALL:
        break;
    }
    return o->call(c, arg);
}

int cli_parse(cli_config *c, int argc, char **argv)
{
    static struct option longs[NOPTIONS + NLENIENT + 1];
    static char shorts[2 * NOPTIONS + 1];
    memset(c, 0, sizeof *c);
    c->follow = c->max_redirs = c->recv_spin = -1;
    c->keepalive = 1;
    getopt_tables(longs, shorts);
    for (;;) {
        int k = getopt_long(argc, argv, shorts, longs, NULL);
        if (k == -1)
            break;
        if (k >= LENIENT_VAL && k < LENIENT_VAL + (int)NLENIENT) {
            c->lenient |= lenient[k - LENIENT_VAL].bit;
            continue;
        }
        const cli_option *o = option_for(k);
        int r = o ? apply(c, o, optarg) : -1;
        if (r == 1)
            return 0;
        if (r < 0) {
            if (!o)
                usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    c->mode = c->describe ? CLI_DESCRIBE : c->adapter ? CLI_ADAPTER : c->table;
    c->urls = argv + optind;
    c->nurls = argc - optind;
    if (c->mode == CLI_FETCH && c->nurls == 0) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    return -1;
}
