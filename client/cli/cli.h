/*
 * cli: the rooms of the httpref command and what they share. main.c only
 * hands off (curl's tool_main -> operate):
 *
 *   main.c      parse, then run the mode
 *   opts.c      the option table: each flag, its argument, its handler, its help
 *   build.c     a cli_config -> the handle's options and one httpref_request
 *   operate.c   every URL in turn: sink, source, perform, report
 *   output.c    where the body and heads go: -o/-O, -i/-I, -D, -v, progress
 *   explain.c   what an error means for a person: byte offset, the flag that
 *               would relax it, the exit-code and leniency tables
 *   adapter.c   --adapter: the conformance adapter protocol (JSON in, JSON out)
 *   json.c progress.c   their helpers
 *
 * Calls go down this list only (tools/checksrc CALLCYCLE checks the objects).
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

#define CLI_MAX_HEADERS 256

typedef enum cli_mode {
    CLI_FETCH = 0,  /* the URLs on the command line */
    CLI_ADAPTER,    /* --adapter */
    CLI_DESCRIBE,   /* --describe (with or without --adapter) */
    CLI_EXIT_CODES, /* --exit-codes */
    CLI_LENIENCY    /* --leniency */
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
    const char *method, *data, *data_file, *proxy, *user, *out_path, *dump, *user_agent;
    int head, follow, max_redirs, include, silent, show_error, verbose, fail_on_error, remote_name, keepalive;
    unsigned lenient;
    double max_time, connect_timeout; /* seconds, 0 = none */
    long recv_spin;                   /* -1 = the library's default */
    char **urls;
    int nurls;
} cli_config;

/* opts.c: fill c from argv. Returns -1 to go on, else the exit status now
 * (0 after --help / --version, CLI_EXIT_USAGE for a mistake) */
int cli_parse(cli_config *c, int argc, char **argv);

/* operate.c: fetch every URL of c in turn; the exit status */
int cli_operate(cli_config *c);

/* adapter.c: `httpref --adapter [--describe | --serve]`, the conformance adapter protocol */
int cli_adapter(int describe, int serve);

/* explain.c: add " at byte N" and the leniency flag that would accept it to a message */
void cli_explain(httpref_code rc, const httpref *h, char *msg, size_t cap);
/* the exit-code table generated from HTTPREF_CODE_MAP: text, markdown or roff */
void cli_print_exit_codes(const char *format);
/* the leniency table generated from HTTPREF_LENIENT_MAP: text, markdown or roff */
void cli_print_leniency(const char *format);

/* progress.c: a progress bar on stderr (a terminal only) */
typedef struct progress {
    int enabled, shown;
    int64_t total; /* -1 unknown */
    uint64_t done;
    double start, last;
} progress;
void progress_start(progress *p, int enabled);
void progress_update(progress *p, uint64_t done, int64_t total);
void progress_finish(progress *p);

#endif
