/*
 * httpref: the reference client on the command line. curl's flags for
 * people; --adapter for the conformance harness. The exit status is the
 * httpref_code number (httpref --exit-codes), so scripts need no parsing.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "hx.h"
#include "json.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_HEADERS 256

/* the --lenient-* options, one per HTTPREF_LENIENT_MAP row with a flag */
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

const char *cli_lenient_flag_for(httpref_code rc)
{
    for (size_t i = 0; i < NLENIENT; i++)
        if (lenient[i].flag[0] && lenient[i].relaxes == rc)
            return lenient[i].flag;
    return NULL;
}

void cli_explain(httpref_code rc, const httpref *h, char *msg, size_t cap)
{
    size_t n = strlen(msg);
    int64_t off = httpref_last_error_offset(h);
    if (off >= 0 && n < cap)
        n += (size_t)snprintf(msg + n, cap - n, " at byte %lld", (long long)off);
    const char *flag = cli_lenient_flag_for(rc);
    /* a bad chunk size is only relaxable when the trouble is whitespace after it */
    if (rc == HTTPREF_E_BAD_CHUNK_SIZE && !strstr(msg, "whitespace"))
        flag = NULL;
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
                              {"101", "USAGE: the command line is wrong"}};
    for (int i = 0; i < 2; i++) {
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

typedef struct out_ctx {
    FILE *f;
    int verbose, include;
    progress prog;
    int64_t total; /* Content-Length of the latest response head, -1 unknown */
    uint64_t done;
    char head[16384]; /* the latest response head seen by the trace: the final one once the body starts */
    size_t head_len;
    int head_written;
} out_ctx;

static void write_head(out_ctx *o)
{
    if (o->include && !o->head_written) {
        fwrite(o->head, 1, o->head_len, o->f);
        o->head_written = 1;
    }
}

static int body_sink(void *ud, const char *data, size_t len)
{
    out_ctx *o = ud;
    write_head(o); /* -i: the head goes before the first body byte */
    if (!data)
        return fflush(o->f) != 0;
    if (fwrite(data, 1, len, o->f) != len)
        return 1;
    o->done += len;
    progress_update(&o->prog, o->done, o->total);
    return 0;
}

static void trace(void *ud, char dir, const char *data, size_t len)
{
    out_ctx *o = ud;
    if (dir == '<') { /* keep the latest response head: its length drives the progress bar, -i prints it */
        size_t n = len < sizeof o->head ? len : sizeof o->head;
        memcpy(o->head, data, n);
        o->head_len = n;
        o->total = -1;
        for (size_t k = 0; k + 16 < n; k++) {
            if ((k == 0 || data[k - 1] == '\n') && !hx_ncasecmp(data + k, "content-length:", 15)) {
                o->total = strtoll(data + k + 15, NULL, 10);
                break;
            }
        }
    }
    if (!o->verbose)
        return;
    /* each line of the head, prefixed "> " or "< " like curl -v */
    size_t i = 0;
    while (i < len) {
        size_t e = i;
        while (e < len && data[e] != '\n')
            e++;
        size_t l = e - i;
        if (l && data[i + l - 1] == '\r')
            l--;
        fprintf(stderr, "%c %.*s\n", dir, (int)l, data + i);
        i = e + 1;
    }
}

static long file_source_read(void *ud, char *buf, size_t cap)
{
    size_t n = fread(buf, 1, cap, (FILE *)ud);
    return ferror((FILE *)ud) ? -1 : (long)n;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: httpref [options] URL...\n"
               "  -X, --request METHOD     method (default GET, POST with -d)\n"
               "  -H, --header 'N: v'      add a field; 'N:' removes a default (repeatable)\n"
               "  -d, --data DATA          POST DATA as application/x-www-form-urlencoded\n"
               "      --data-binary @FILE  body from FILE (@- = stdin), streamed\n"
               "  -I, --head               HEAD, print the response head\n"
               "  -L, --location           follow redirects (also for non-GET)   --max-redirs N\n"
               "  -x, --proxy URL          http proxy (http://user:pass@host:port)\n"
               "  -u, --user USER:PASS     Basic credentials\n"
               "  -m, --max-time S         total time limit     --connect-timeout S\n"
               "  -o, --output FILE        body to FILE   -O: file named after the URL\n"
               "  -D, --dump-header FILE   response head to FILE (- = stdout)\n"
               "  -i, --include            response head before the body\n"
               "  -s, --silent  -S, --show-error  -v, --verbose  -f, --fail  -A, --user-agent UA\n"
               "      --keepalive / --no-keepalive   reuse one connection for several URLs (default on)\n"
               "      --recv-spin N        empty reads retried before sleeping while a body streams\n"
               "                           (default 100 with several CPUs, 0 with one; 0 = off)\n"
               "      --strict             every leniency off (the default)\n");
    for (size_t i = 0; i < NLENIENT; i++)
        if (lenient[i].flag[0])
            fprintf(f, "      --lenient-%-24s %s\n", lenient[i].flag, lenient[i].help);
    fprintf(f, "      --adapter [--describe|--serve]   conformance adapter mode (spec JSON on stdin)\n"
               "      --exit-codes [--markdown|--roff]   the exit status table\n"
               "      --leniency [--markdown]   each --lenient flag and the risk it opens\n"
               "      --version, --help\n");
}

static int die(int code, const char *msg)
{
    fprintf(stderr, "httpref: %s\n", msg);
    return code;
}

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

int main(int argc, char **argv)
{
    static httpref_field fields[MAX_HEADERS];
    size_t nfields = 0;
    const char *method = NULL, *data = NULL, *data_file = NULL, *proxy = NULL, *user = NULL, *out_path = NULL;
    const char *dump = NULL, *ua = NULL, *exit_format = NULL;
    int head = 0, follow = -1, max_redirs = -1, include = 0, silent = 0, show_error = 0, verbose = 0;
    int fail_on_error = 0, remote_name = 0, keepalive = 1, adapter = 0, describe = 0, exit_codes = 0;
    int serve = 0;
    unsigned lenient_bits = 0;
    double max_time = 0, connect_timeout = 0;
    long recv_spin = -1, num;
    enum {
        O_MAXREDIRS = 1000,
        O_CONNTO,
        O_DATABIN,
        O_KEEP,
        O_NOKEEP,
        O_STRICT,
        O_ADAPTER,
        O_DESCRIBE,
        O_SERVE,
        O_EXIT,
        O_MD,
        O_ROFF,
        O_VERSION,
        O_SPIN,
        O_LENIENCY,
        O_LENIENT
    };
    static struct option opts[64] = {{"request", required_argument, 0, 'X'},
                                     {"header", required_argument, 0, 'H'},
                                     {"data", required_argument, 0, 'd'},
                                     {"data-binary", required_argument, 0, O_DATABIN},
                                     {"head", no_argument, 0, 'I'},
                                     {"location", no_argument, 0, 'L'},
                                     {"max-redirs", required_argument, 0, O_MAXREDIRS},
                                     {"proxy", required_argument, 0, 'x'},
                                     {"user", required_argument, 0, 'u'},
                                     {"max-time", required_argument, 0, 'm'},
                                     {"connect-timeout", required_argument, 0, O_CONNTO},
                                     {"output", required_argument, 0, 'o'},
                                     {"remote-name", no_argument, 0, 'O'},
                                     {"dump-header", required_argument, 0, 'D'},
                                     {"include", no_argument, 0, 'i'},
                                     {"silent", no_argument, 0, 's'},
                                     {"show-error", no_argument, 0, 'S'},
                                     {"verbose", no_argument, 0, 'v'},
                                     {"fail", no_argument, 0, 'f'},
                                     {"user-agent", required_argument, 0, 'A'},
                                     {"keepalive", no_argument, 0, O_KEEP},
                                     {"no-keepalive", no_argument, 0, O_NOKEEP},
                                     {"recv-spin", required_argument, 0, O_SPIN},
                                     {"strict", no_argument, 0, O_STRICT},
                                     {"adapter", no_argument, 0, O_ADAPTER},
                                     {"describe", no_argument, 0, O_DESCRIBE},
                                     {"serve", no_argument, 0, O_SERVE},
                                     {"exit-codes", no_argument, 0, O_EXIT},
                                     {"leniency", no_argument, 0, O_LENIENCY},
                                     {"markdown", no_argument, 0, O_MD},
                                     {"roff", no_argument, 0, O_ROFF},
                                     {"version", no_argument, 0, O_VERSION},
                                     {"help", no_argument, 0, 'h'}};
    static char names[NLENIENT][48];
    size_t base = 0;
    while (opts[base].name)
        base++;
    for (size_t i = 0; i < NLENIENT; i++) {
        if (!lenient[i].flag[0])
            continue;
        snprintf(names[i], sizeof names[i], "lenient-%s", lenient[i].flag);
        opts[base++] = (struct option){names[i], no_argument, 0, O_LENIENT + (int)i};
    }
    for (;;) {
        int c = getopt_long(argc, argv, "X:H:d:ILx:u:m:o:OD:isSvfA:h", opts, NULL);
        if (c == -1)
            break;
        switch (c) {
        case 'X':
            method = optarg;
            break;
        case 'H': {
            if (nfields == MAX_HEADERS)
                return die(CLI_EXIT_USAGE, "too many -H options");
            char *colon = strchr(optarg, ':');
            if (!colon)
                return die(CLI_EXIT_USAGE, "-H wants 'Name: value'");
            *colon = 0;
            char *v = colon + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            fields[nfields].name = optarg;
            fields[nfields++].value = *v ? v : NULL; /* "Name:" removes a default */
            break;
        }
        case 'd':
            data = optarg;
            break;
        case O_DATABIN:
            if (optarg[0] == '@')
                data_file = optarg + 1;
            else
                data = optarg;
            break;
        case 'I':
            head = 1;
            break;
        case 'L':
            follow = 1;
            break;
        case O_MAXREDIRS:
            if (parse_long("--max-redirs", optarg, 0, 1000, &num))
                return CLI_EXIT_USAGE;
            max_redirs = (int)num;
            break;
        case 'x':
            proxy = optarg;
            break;
        case 'u':
            user = optarg;
            break;
        case 'm':
            if (parse_seconds("--max-time", optarg, &max_time))
                return CLI_EXIT_USAGE;
            break;
        case O_CONNTO:
            if (parse_seconds("--connect-timeout", optarg, &connect_timeout))
                return CLI_EXIT_USAGE;
            break;
        case 'o':
            out_path = optarg;
            break;
        case 'O':
            remote_name = 1;
            break;
        case 'D':
            dump = optarg;
            break;
        case 'i':
            include = 1;
            break;
        case 's':
            silent = 1;
            break;
        case 'S':
            show_error = 1;
            break;
        case 'v':
            verbose = 1;
            break;
        case 'f':
            fail_on_error = 1;
            break;
        case 'A':
            ua = optarg;
            break;
        case O_KEEP:
            keepalive = 1;
            break;
        case O_NOKEEP:
            keepalive = 0;
            break;
        case O_SPIN:
            if (parse_long("--recv-spin", optarg, 0, 100000, &recv_spin))
                return CLI_EXIT_USAGE;
            break;
        case O_STRICT:
            lenient_bits = 0;
            break;
        case O_ADAPTER:
            adapter = 1;
            break;
        case O_DESCRIBE:
            describe = 1;
            break;
        case O_SERVE:
            serve = 1;
            break;
        case O_EXIT:
            exit_codes = 1;
            break;
        case O_LENIENCY:
            exit_codes = 2;
            break;
        case O_MD:
            exit_format = "markdown";
            break;
        case O_ROFF:
            exit_format = "roff";
            break;
        case O_VERSION:
            printf("httpref %s (libhttpref %s; %s; built %s with %s)\n", HTTPREF_VERSION, HTTPREF_VERSION,
                   "strict HTTP/1.1, no TLS", __DATE__, __VERSION__);
            return 0;
        case 'h':
            usage(stdout);
            return 0;
        default:
            if (c >= O_LENIENT && c < O_LENIENT + (int)NLENIENT) {
                lenient_bits |= lenient[c - O_LENIENT].bit;
                break;
            }
            usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (adapter || describe)
        return cli_adapter(describe, serve);
    if (exit_codes) {
        if (exit_codes == 2)
            cli_print_leniency(exit_format);
        else
            cli_print_exit_codes(exit_format);
        return 0;
    }
    if (optind >= argc) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    httpref *h = httpref_new();
    if (!h)
        return HTTPREF_E_NOMEM;
    httpref_setopt(h, HTTPREF_OPT_KEEPALIVE, keepalive);
    httpref_setopt(h, HTTPREF_OPT_LENIENT, (long)lenient_bits);
    if (recv_spin >= 0)
        httpref_setopt(h, HTTPREF_OPT_RECV_SPIN, recv_spin);
    if (max_time > 0)
        httpref_setopt(h, HTTPREF_OPT_DEADLINE_MS, (long)(max_time * 1000));
    if (connect_timeout > 0)
        httpref_setopt(h, HTTPREF_OPT_CONNECT_TIMEOUT_MS, (long)(connect_timeout * 1000));
    if (ua)
        httpref_set_user_agent(h, *ua ? ua : NULL);
    char *auth = NULL;
    if (user) {
        char *b = hx_base64_encode(user, strlen(user));
        size_t n = strlen(b) + 8;
        auth = malloc(n);
        snprintf(auth, n, "Basic %s", b);
        free(b);
        if (nfields < MAX_HEADERS) {
            fields[nfields].name = "Authorization";
            fields[nfields++].value = auth;
        }
    }
    int has_ct = 0;
    for (size_t i = 0; i < nfields; i++)
        if (!hx_casecmp(fields[i].name, "content-type"))
            has_ct = 1;
    if ((data || data_file) && !has_ct && nfields < MAX_HEADERS) {
        fields[nfields].name = "Content-Type"; /* the seed's simple form */
        fields[nfields++].value = "application/x-www-form-urlencoded";
    }
    int status = 0;
    for (int ui = optind; ui < argc; ui++) {
        static out_ctx o;
        memset(&o, 0, sizeof o);
        o.f = stdout;
        o.verbose = verbose;
        o.include = include || head;
        o.total = -1;
        httpref_set_trace(h, trace, &o);
        httpref_request q;
        memset(&q, 0, sizeof q);
        q.url = argv[ui];
        q.method = method ? method : head ? "HEAD" : (data || data_file) ? "POST" : NULL;
        q.headers = fields;
        q.nheaders = nfields;
        q.redirect = follow;
        q.max_redirects = max_redirs;
        q.proxy = proxy;
        q.source_length = -1;
        FILE *src = NULL;
        if (data) {
            q.body = data;
            q.body_len = strlen(data);
        } else if (data_file) {
            src = strcmp(data_file, "-") ? fopen(data_file, "rb") : stdin;
            if (!src) {
                fprintf(stderr, "httpref: cannot read %s: %s\n", data_file, strerror(errno));
                status = CLI_EXIT_USAGE;
                break;
            }
            if (src != stdin && fseek(src, 0, SEEK_END) == 0) {
                q.source_length = ftell(src);
                rewind(src);
            }
            q.source = file_source_read;
            q.source_ud = src;
        }
        char *remote = NULL;
        if (remote_name || out_path) {
            const char *path = out_path;
            if (remote_name) {
                const char *s = strrchr(argv[ui], '/');
                const char *name = s ? s + 1 : "";
                size_t n = strcspn(name, "?#");
                if (n == 0 || (n <= 2 && !strncmp(name, "..", n)) || !strncmp(name, "..", 2)) {
                    fprintf(stderr, "httpref: -O: no usable file name in %s\n", argv[ui]);
                    status = CLI_EXIT_USAGE;
                    break;
                }
                remote = strndup(name, n);
                path = remote;
            }
            o.f = fopen(path, "wb");
            if (o.f)
                setvbuf(o.f, NULL, _IONBF, 0); /* body chunks are large: one write each, no stdio copy */
            if (!o.f) {
                fprintf(stderr, "httpref: cannot write %s: %s\n", path, strerror(errno));
                free(remote);
                status = CLI_EXIT_USAGE;
                break;
            }
        }
        progress_start(&o.prog, !silent && isatty(2));
        q.sink = body_sink;
        q.sink_ud = &o;
        httpref_response r;
        httpref_code rc = httpref_perform(h, &q, &r);
        progress_finish(&o.prog);
        if (src && src != stdin)
            fclose(src);
        if (rc == HTTPREF_OK)
            write_head(&o); /* a response without body bytes: -i / -I still show the head */
        if (rc == HTTPREF_OK && dump) {
            FILE *df = strcmp(dump, "-") ? fopen(dump, "ab") : stdout;
            if (df) {
                fprintf(df, "%s\r\n", r.status_line);
                for (size_t i = 0; i < r.nfields; i++)
                    fprintf(df, "%s: %s\r\n", r.fields[i].name, r.fields[i].value);
                fprintf(df, "\r\n");
                if (df != stdout)
                    fclose(df);
            }
        }
        if (o.f != stdout)
            fclose(o.f);
        else
            fflush(stdout);
        free(remote);
        if (rc != HTTPREF_OK) {
            char msg[512];
            snprintf(msg, sizeof msg, "%s", httpref_last_error_reason(h));
            cli_explain(rc, h, msg, sizeof msg);
            if (!silent || show_error)
                fprintf(stderr, "httpref: %s error: %s\n", httpref_class_name(httpref_code_class(rc)), msg);
            status = (int)rc;
            break;
        }
        if (fail_on_error && r.status >= 400) {
            if (!silent || show_error)
                fprintf(stderr, "httpref: the server answered %d (-f)\n", r.status);
            status = CLI_EXIT_HTTP_ERROR;
            break;
        }
    }
    free(auth);
    httpref_free(h);
    return status;
}
