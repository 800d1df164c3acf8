/* cli: pieces shared by the httpref command's files. */
#ifndef HTTPREF_CLI_H
#define HTTPREF_CLI_H

#include <stddef.h>
#include <stdint.h>
#include "httpref.h"

/* exit status for -f when the server answered >= 400 (above every httpref_code) */
#define CLI_EXIT_HTTP_ERROR 100
/* exit status for a command-line mistake */
#define CLI_EXIT_USAGE 101

/* `httpref --adapter [--describe | --serve]`: the conformance adapter protocol */
int cli_adapter(int describe, int serve);
/* add " at byte N" and the leniency flag that would accept it to a message */
void cli_explain(httpref_code rc, const httpref *h, char *msg, size_t cap);
/* the --lenient-* flag relaxing this error, or NULL */
const char *cli_lenient_flag_for(httpref_code rc);

/* progress bar on stderr (a terminal only) */
typedef struct progress {
    int enabled, shown;
    int64_t total;      /* -1 unknown */
    uint64_t done;
    double start, last;
} progress;
void progress_start(progress *p, int enabled);
void progress_update(progress *p, uint64_t done, int64_t total);
void progress_finish(progress *p);

/* the exit-code table generated from the enum: text, markdown or roff */
void cli_print_exit_codes(const char *format);
/* the leniency table generated from HTTPREF_LENIENT_MAP: text or markdown */
void cli_print_leniency(const char *format);

#endif
