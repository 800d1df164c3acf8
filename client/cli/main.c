/*
 * httpref: the reference client on the command line. curl's flags for
 * people; --adapter for the conformance harness. The exit status is the
 * httpref_code number (httpref --exit-codes), so scripts need no parsing.
 * main only hands off: opts.c reads the command line, the mode's room runs.
 */
#include "cli.h"

int main(int argc, char **argv)
{
    static cli_config cfg; /* static: the field array is large */
    int status = cli_parse(&cfg, argc, argv);
    if (status >= 0)
        return status;
    switch (cfg.mode) {
    case CLI_ADAPTER:
        return cli_adapter(0, cfg.serve);
    case CLI_DESCRIBE:
        return cli_adapter(1, cfg.serve);
    case CLI_EXIT_CODES:
        cli_print_exit_codes(cfg.format);
        return 0;
    case CLI_LENIENCY:
        cli_print_leniency(cfg.format);
        return 0;
    case CLI_OPTIONS:
        cli_print_options(cfg.format);
        return 0;
    case CLI_FETCH:
        break;
    }
    return cli_operate(&cfg);
}
