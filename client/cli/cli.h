/*
 * cli: the rooms of the httpref command and what they share. main.c only
 * hands off (curl's tool_main -> operate):
 *
 *   main.c      parse, then run the mode
 *   opts.c      the option table: each flag, its argument, its handler, its help
 *               (and the man page's OPTIONS); data.c the -d/--json/--data-urlencode body
 *   build.c     a cli_config -> the handle's options and one httpref_request
 *               (form.c: -F's multipart source)
 *   operate.c   every URL in turn: sink, source, perform, report, --retry (retry.c),
 *               -b/-c (cookies.c), -w (writeout.c), --resolve/--trace-ascii (transport.c)
 *   output.c    where the body and heads go: -o/-O, -i/-I, -D, -v, -f, -C, progress,
 *               --compressed (decode.c)
 *   explain.c   what an error means for a person: byte offset, the flag that
 *               would relax it, the exit-code and leniency tables
 *   adapter.c   --adapter: the conformance adapter protocol (JSON in, JSON out)
 *   json.c progress.c   their helpers
 *
 * No file calls back into one that calls it (tools/checksrc CALLCYCLE checks the objects).
 */
#ifndef HTTPREF_CLI_H
#define HTTPREF_CLI_H

#include <stddef.h>
#include <stdint.h>
#include "httpref.h"

/* exit status for -f when the server answered >= 400 (above every httpref_code) */
#define CLI_EXIT_HTTP_ERROR 100
/* exit status for a command-line mistake */
#define CLI_EXIT_USAGE 101
/* exit status for --compressed when the coded body is corrupt or truncated (curl: 61) */
#define CLI_EXIT_DECODE 102
/* exit status for -C when the answer's Content-Range does not start where the request asked */
#define CLI_EXIT_RESUME 103

#define CLI_MAX_HEADERS 256
#define CLI_MAX_RESOLVE 16
#define CLI_MAX_FORMS 64
#define CLI_MAX_COOKIES 1000
/* curl's --max-redirs default with -L */
#define CLI_REDIRS_DEFAULT 50

typedef enum cli_mode {
    CLI_FETCH = 0,  /* the URLs on the command line */
    CLI_ADAPTER,    /* --adapter */
    CLI_DESCRIBE,   /* --describe (with or without --adapter) */
    CLI_EXIT_CODES, /* --exit-codes */
    CLI_LENIENCY,   /* --leniency */
    CLI_OPTIONS     /* --option-table */
} cli_mode;

/* everything the command line asked for; opts.c fills it, the rest reads it */
typedef struct cli_config {
    cli_mode mode;
    int adapter, describe; /* --adapter, --describe: the mode is chosen after the whole line */
    int serve;             /* --serve: with --adapter, one spec per line until EOF */
    cli_mode table;        /* --exit-codes or --leniency, the last one given */
    const char *format;    /* the tables' --markdown / --roff, NULL = text */
    httpref_field fields[CLI_MAX_HEADERS];
    size_t nfields;
    const char *method, *data_file, *proxy, *user, *out_path, *dump, *user_agent;
    const char *upload, *range; /* -T FILE, -r RANGE */
    char *body;                 /* -d, --data-urlencode, --json, --data-binary DATA (data.c), NUL-terminated */
    size_t body_len, body_cap;
    int body_given, json, get;  /* a data flag was given; --json; -G */
    int fail_with_body;
    const char *write_out;      /* -w FORMAT (or @FILE) */
    const char *output_dir, *trace_ascii;
    int create_dirs, http10, compressed;
    const char *forms[CLI_MAX_FORMS]; /* -F, as given (form.c parses them) */
    int nforms;
    const char *cookie_in[CLI_MAX_RESOLVE]; /* -b: NAME=VALUE text or a cookie file */
    int ncookie_in;
    const char *cookie_out;                 /* -c FILE */
    int resume;              /* -C */
    long resume_offset;      /* -C N; -1 for -C -: the output file's size */
    int retry, retry_connrefused;          /* --retry N (0 = none), --retry-connrefused */
    double retry_delay, retry_max_time;    /* seconds, 0 = curl's default (doubling; no limit) */
    const char *resolve[CLI_MAX_RESOLVE]; /* --resolve HOST:PORT:ADDR */
    int nresolve;
    int head, follow, include, silent, show_error, verbose, fail_on_error, remote_name, keepalive;
    int max_redirs;   /* --max-redirs: -1 unlimited, CLI_REDIRS_DEFAULT unless given (curl's 50) */
    int progress_bar; /* -#: the bar even when the length is unknown */
    const char *cacert, *capath;      /* --cacert, --capath */
    int insecure, redirect_downgrade; /* -k, --redirect-downgrade */
    int anyauth;                      /* --anyauth: -u waits for a challenge (Digest or Basic) */
    unsigned lenient;
    double max_time, connect_timeout; /* seconds, 0 = none */
    long recv_spin;                   /* -1 = the library's default */
    char **urls;
    int nurls;
} cli_config;

/* opts.c: fill c from argv. Returns -1 to go on, else the exit status now
 * (0 after --help / --version, CLI_EXIT_USAGE for a mistake) */
int cli_parse(cli_config *c, int argc, char **argv);

/* opts.c: the option table as text or roff (the man page's OPTIONS) */
void cli_print_options(const char *format);

/* operate.c: fetch every URL of c in turn; the exit status */
int cli_operate(cli_config *c);

/* adapter.c: `httpref --adapter [--describe | --serve]`, the conformance adapter protocol */
int cli_adapter(int describe, int serve);

/* explain.c: add " at byte N" and the leniency flag that would accept it to a message */
void cli_explain(const httpref *h, char *msg, size_t cap);
/* the exit-code table generated from HTTPREF_CODE_MAP: text, markdown or roff */
void cli_print_exit_codes(const char *format);
/* the leniency table generated from HTTPREF_LENIENT_MAP: text, markdown or roff */
void cli_print_leniency(const char *format);

/* progress.c: a progress bar on stderr (a terminal only) */
typedef struct progress {
    int enabled, shown, bar; /* bar: -#, drawn also for an unknown length */
    int64_t total; /* -1 unknown */
    uint64_t done;
    double start, last;
} progress;
void progress_start(progress *p, int enabled, int bar);
void progress_update(progress *p, uint64_t done, int64_t total);
void progress_finish(progress *p);

#endif
