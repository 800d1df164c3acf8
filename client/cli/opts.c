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
#include "data.h"
#include "decode.h"

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
    const char *note; /* optional: more for the man page (where and why it differs from curl) */
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

static int set_fail_with_body(cli_config *c, char *a)
{
    (void)a;
    c->fail_on_error = c->fail_with_body = 1;
    return 0;
}

static int set_compressed(cli_config *c, char *a)
{
    (void)a;
    if (!decode_available())
        return usage_error("--compressed: this httpref was built without zlib");
    c->compressed = 1;
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

static int set_option_table(cli_config *c, char *a)
{
    (void)a;
    c->table = CLI_OPTIONS;
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
    if (a[0] != '@')
        return data_add(c, DATA_BINARY, a);
    c->data_file = a + 1;
    return 0;
}

static int set_data(cli_config *c, char *a)
{
    return data_add(c, DATA_ASCII, a);
}

static int set_data_urlencode(cli_config *c, char *a)
{
    return data_add(c, DATA_URLENCODE, a);
}

static int set_json(cli_config *c, char *a)
{
    return data_add(c, DATA_JSON, a);
}

/* --resolve HOST:PORT:ADDR (curl's; ADDR may be [v6]); checked when the transport uses it */
static int set_resolve(cli_config *c, char *a)
{
    if (c->nresolve == CLI_MAX_RESOLVE)
        return usage_error("too many --resolve options");
    char *p1 = strchr(a, ':'), *p2 = p1 ? strchr(p1 + 1, ':') : NULL;
    if (!p1 || !p2 || p1 == a || p2 == p1 + 1 || !p2[1])
        return usage_error("--resolve wants HOST:PORT:ADDRESS");
    c->resolve[c->nresolve++] = a;
    return 0;
}

static int set_max_redirs(cli_config *c, char *a)
{
    long n;
    if (parse_long("--max-redirs", a, -1, 100000, &n)) /* -1: unlimited, as curl's */
        return -1;
    c->max_redirs = (int)n;
    return 0;
}

/* -r: curl's byte ranges ("0-499", "500-", "-500", "0-0,-1"), sent as "Range: bytes=RANGE" */
static int set_range(cli_config *c, char *a)
{
    if (!*a || a[strspn(a, "0123456789,-")] || !strchr(a, '-'))
        return usage_error("-r wants byte ranges like 0-499, 500- or -500");
    c->range = a;
    return 0;
}

static int set_retry(cli_config *c, char *a)
{
    long n;
    if (parse_long("--retry", a, 0, 1000, &n))
        return -1;
    c->retry = (int)n;
    return 0;
}

static int set_retry_delay(cli_config *c, char *a)
{
    return parse_seconds("--retry-delay", a, &c->retry_delay);
}

static int set_retry_max_time(cli_config *c, char *a)
{
    return parse_seconds("--retry-max-time", a, &c->retry_max_time);
}

static int set_form(cli_config *c, char *a)
{
    if (c->nforms == CLI_MAX_FORMS)
        return usage_error("too many -F options");
    c->forms[c->nforms++] = a;
    return 0;
}

static int set_cookie(cli_config *c, char *a)
{
    if (c->ncookie_in == CLI_MAX_RESOLVE)
        return usage_error("too many -b options");
    c->cookie_in[c->ncookie_in++] = a;
    return 0;
}

/* -C - (from the output file's size) or -C OFFSET */
static int set_continue(cli_config *c, char *a)
{
    c->resume = 1;
    c->resume_offset = -1;
    return strcmp(a, "-") ? parse_long("-C", a, 0, 0x7fffffffL, &c->resume_offset) : 0;
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
           httpref_tls_available() ? "strict HTTP/1.1, TLS (OpenSSL)" : "strict HTTP/1.1, no TLS", __DATE__,
           __VERSION__);
    return 1;
}

static int show_help(cli_config *c, char *a);

static const cli_option options[] = {
    {"request", 'X', "METHOD", STRING(method), "method (default GET, POST with -d)", NULL},
    {"header", 'H', "'N: v'", CALL(set_header), "add a field; 'N:' removes a default (repeatable)",
     "CR, LF, NUL or another control byte is refused before anything is sent (7)"},
    {"data", 'd', "DATA", CALL(set_data), "POST DATA as application/x-www-form-urlencoded (@FILE: its bytes)",
     "Repeated, the parts are joined with '&'; @FILE drops the file's CR and LF bytes, as curl's"},
    {"data-urlencode", 0, "DATA", CALL(set_data_urlencode), "as -d, percent-encoded: C, =C, N=C, @F, N@F",
     "curl's forms: the content C (or the file F) is encoded, the name N is not"},
    {"json", 0, "DATA", CALL(set_json), "POST JSON DATA (@FILE) with Content-Type and Accept application/json",
     NULL},
    {"get", 'G', NULL, ON(get), "the -d data as the URL's query, with GET", NULL},
    {"form", 'F', "N=V", CALL(set_form), "multipart/form-data part: N=value, N=@file, N=<file; ;type= ;filename=",
     "RFC 7578, as curl builds it: a file part's type from ;type= or its extension, '\"' CR LF in names as %22 "
     "%0D %0A; streamed with its Content-Length; not with -d or -T"},
    {"data-binary", 0, "@FILE", CALL(set_data_binary), "body from FILE (@- = stdin), streamed", NULL},
    {"upload-file", 'T', "FILE", STRING(upload), "PUT FILE (- = stdin), streamed",
     "A URL ending in / gets the file's name appended, as curl's. A streamed body is not sent again on a 307/308"},
    {"range", 'r', "RANGE", CALL(set_range), "only these bytes (Range: bytes=RANGE)", NULL},
    {"continue-at", 'C', "OFFSET", CALL(set_continue), "resume at OFFSET; - = the -o/-O file's size",
     "A 206 is appended after checking its Content-Range starts at the offset (else exit 103); a 200 rewrites "
     "the file from the start; a 416 to -C - leaves a complete file as it is and succeeds, as curl's"},
    {"head", 'I', NULL, ON(head), "HEAD, print the response head", NULL},
    {"location", 'L', NULL, ON(follow), "follow redirects, any method; without -L the 3xx is the answer",
     "As RFC 9110 §15.4 says: 303 becomes GET (HEAD stays), 301/302 turn POST into GET, 307/308 keep method and "
     "body. Stricter than curl: only http and https targets (https -> http with --redirect-downgrade), none "
     "with userinfo, credentials and Cookie never go to another origin, a loop is an error (50)"},
    {"max-redirs", 0, "N", CALL(set_max_redirs), "with -L at most N redirects (default 50, -1 = no limit)",
     "One more is error 49 (curl: 47)"},
    {"proxy", 'x', "URL", STRING(proxy), "http proxy (http://user:pass@host:port)",
     "https goes through it in a CONNECT tunnel, the proxy's credentials on the CONNECT only"},
    {"cookie", 'b', "DATA|FILE", CALL(set_cookie), "send cookies: 'N=V; N2=V2' as given, or a cookie file's",
     "A file is curl's Netscape format; its cookies go where RFC 6265 matches them (domain, path, expiry; a "
     "Secure one never over http), as do those the answers set. No cookie reaches another host on a redirect; one "
     "set by a redirect's hop is sent from the next URL on, not on the next hop"},
    {"cookie-jar", 'c', "FILE", STRING(cookie_out), "write every cookie to FILE at the end (Netscape format)", NULL},
    {"user", 'u', "USER:PASS", STRING(user), "Basic credentials",
     "A control byte is refused (8, BAD_CREDENTIALS), the rule for userinfo in a URL; without ':' the password "
     "is empty (curl prompts)"},
    {"anyauth", 0, NULL, ON(anyauth), "with -u, no credentials until a 401 asks; answer its strongest scheme",
     "Digest (RFC 7616: SHA-256, then MD5; qop=auth, -sess, userhash, one more try for a stale nonce), else "
     "Basic; never Basic to a challenge that does not offer it"},
    {"cacert", 0, "FILE", STRING(cacert), "https: trust the CA certificates in FILE (PEM)",
     "Instead of the system's store. The chain and the host name (or IP address) are always checked: a failed "
     "check is 60 (TLS_VERIFY), an unreadable FILE 62"},
    {"capath", 0, "DIR", STRING(capath), "https: trust the CA certificates in DIR (c_rehash)", NULL},
    {"insecure", 'k', NULL, ON(insecure), "https without certificate or name checks (warns)",
     "Anyone on the path can then read and change the exchange; a warning on stderr says so"},
    {"redirect-downgrade", 0, NULL, ON(redirect_downgrade), "with -L, follow https -> http redirects too",
     "Refused by default (51, REDIRECT_REFUSED). Credentials, Cookie and Referer never cross a change of scheme, "
     "host or port"},
    {"max-time", 'm', "S", CALL(set_max_time), "total time limit", NULL},
    {"connect-timeout", 0, "S", CALL(set_connect_timeout), "connect time limit", NULL},
    {"output", 'o', "FILE", STRING(out_path), "body to FILE", NULL},
    {"remote-name", 'O', NULL, ON(remote_name), "body to a file named after the URL",
     "A URL whose path ends in / names no file: a usage error saying so, as curl 7.88 refuses it"},
    {"dump-header", 'D', "FILE", STRING(dump), "response head to FILE (- = stdout)", NULL},
    {"include", 'i', NULL, ON(include), "response head before the body", NULL},
    {"silent", 's', NULL, ON(silent), "no progress bar, no error message", NULL},
    {"show-error", 'S', NULL, ON(show_error), "error messages even with -s", NULL},
    {"progress-bar", '#', NULL, ON(progress_bar), "a progress bar also for an unknown length (a terminal only)",
     NULL},
    {"verbose", 'v', NULL, ON(verbose), "request and response heads on stderr", NULL},
    {"fail", 'f', NULL, ON(fail_on_error), "on an answer of 400 or more: no body, exit 100",
     "As curl's -f the error body is not written (the head is, with -i), and no -o file is made; the exit "
     "status is 100, not curl's 22, since httpref's exit status is its error number and 22 is BAD_VERSION"},
    {"fail-with-body", 0, NULL, CALL(set_fail_with_body), "as -f, but the error body is written", NULL},
    {"write-out", 'w', "FORMAT", STRING(write_out), "FORMAT (@FILE) on stdout after each transfer",
     "curl's variables: %{http_code} %{response_code} %{size_download} %{size_header} %{time_connect} "
     "%{time_starttransfer} %{time_total} %{url_effective} %{num_redirects} %{num_headers} %{content_type} "
     "%{method} %{exitcode} %{errormsg} %{header_json} %{json} %{stderr} %{stdout} %header{NAME}, and "
     "the escapes backslash-n, -r, -t and %%. time_connect is when the request starts to go out (connected), "
     "time_starttransfer when the response head has arrived"},
    {"compressed", 0, NULL, CALL(set_compressed), "ask for gzip or deflate and decode it (zlib)",
     "The body is inflated as it streams, in constant memory; a corrupt or truncated coded body is exit 102, "
     "never a short success"},
    {"retry", 0, "N", CALL(set_retry), "retry a transient failure N times",
     "curl's transient set: a timeout, a host not found, the answers 408, 429, 500, 502, 503 and 504 (a refused "
     "connection with --retry-connrefused); the wait is 1 s doubling to 10 min, or Retry-After's seconds; a body "
     "from stdin is not sent twice. The answer's body of each attempt is written, as curl's; -o starts over"},
    {"retry-delay", 0, "S", CALL(set_retry_delay), "wait S seconds between retries", NULL},
    {"retry-max-time", 0, "S", CALL(set_retry_max_time), "no retry after S seconds from the first attempt", NULL},
    {"retry-connrefused", 0, NULL, ON(retry_connrefused), "with --retry, a refused connection is transient too",
     NULL},
    {"output-dir", 0, "DIR", STRING(output_dir), "-o and -O files go into DIR", NULL},
    {"create-dirs", 0, NULL, ON(create_dirs), "create the missing directories of -o's path", NULL},
    {"resolve", 0, "H:P:A", CALL(set_resolve), "connect to address A for host H, port P (repeatable)",
     "Host and the URL stay H; like curl's, without DNS for H:P"},
    {"http1.0", '0', NULL, ON(http10), "HTTP/1.0 requests, a new connection for each", NULL},
    {"trace-ascii", 0, "FILE", STRING(trace_ascii), "every byte sent and received to FILE (- = stdout)",
     "curl's format: '=> Send header', '<= Recv data' blocks with offsets, text as it is"},
    {"user-agent", 'A', "UA", STRING(user_agent), "User-Agent (\"\" = none)",
     "CR, LF or another control byte is refused (7, BAD_FIELD_VALUE), where curl puts it on the wire"},
    {"keepalive", 0, NULL, ON(keepalive), "reuse one connection for several URLs (default on)", NULL},
    {"no-keepalive", 0, NULL, OFF(keepalive), "a new connection for each URL", NULL},
    {"recv-spin", 0, "N", CALL(set_recv_spin), "empty reads retried before a sleep while a body streams", NULL},
    {"strict", 0, NULL, CALL(set_strict), "every leniency off (the default)", NULL},
    {"adapter", 0, NULL, ON(adapter), "conformance adapter mode (spec JSON on stdin); --describe", NULL},
    {"describe", 0, NULL, ON(describe), "the adapter's name, version and capabilities", NULL},
    {"serve", 0, NULL, ON(serve), "with --adapter: one spec per line until EOF, one result line each", NULL},
    {"exit-codes", 0, NULL, CALL(set_exit_codes), "the exit status table (--markdown, --roff)", NULL},
    {"leniency", 0, NULL, CALL(set_leniency), "each --lenient flag and the risk it opens (--markdown, --roff)", NULL},
    {"option-table", 0, NULL, CALL(set_option_table), "these options as a table (--roff: the man page's)", NULL},
    {"markdown", 0, NULL, CALL(set_markdown), "tables as markdown", NULL},
    {"roff", 0, NULL, CALL(set_roff), "tables as roff", NULL},
    {"version", 0, NULL, CALL(show_version), "version and build", NULL},
    {"help", 'h', NULL, CALL(show_help), "this text", NULL},
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

/* roff for a flag's name: '-' must be "\\-" to stay a hyphen-minus in man pages */
static void roff_name(const char *s)
{
    for (; *s; s++)
        printf(*s == '-' ? "\\-" : "%c", *s);
}

/* the man page's OPTIONS (and --option-table): the same rows as --help, with their notes */
void cli_print_options(const char *format)
{
    int roff = format && !strcmp(format, "roff");
    for (size_t i = 0; i < NOPTIONS; i++) {
        const cli_option *o = &options[i];
        if (!roff) {
            printf("%c%c --%s%s%s\n    %s%s%s\n", o->key ? '-' : ' ', o->key ? o->key : ' ', o->name,
                   o->arg ? " " : "", o->arg ? o->arg : "", o->help, o->note ? ". " : "", o->note ? o->note : "");
            continue;
        }
        printf(".TP\n");
        if (o->key)
            printf("\\fB\\-%c\\fR, ", o->key);
        printf("\\fB\\-\\-");
        roff_name(o->name);
        printf("\\fR%s%s%s\n%s.%s%s%s\n", o->arg ? " \\fI" : "", o->arg ? o->arg : "", o->arg ? "\\fR" : "",
               o->help, o->note ? " " : "", o->note ? o->note : "", o->note ? "." : "");
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
    c->recv_spin = -1;
    c->max_redirs = CLI_REDIRS_DEFAULT;
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
    if (c->nforms && (c->body_given || c->data_file || c->upload)) {
        usage_error("-F cannot be combined with -d, --data-*, --json or -T (one body per request)");
        return CLI_EXIT_USAGE;
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
