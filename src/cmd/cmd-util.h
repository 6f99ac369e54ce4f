/* cmd-util.h: what the programs of src/cmd/ share to tell a user what went
 * wrong and what to do: a command-line error from getopt_long() in two
 * lines ("did you mean --socket?", then where to find the options), where a
 * database path came from and whether it holds a database, and what a file
 * looks like (JSON Lines, XML, text...). Only src/cmd/ uses it; it prints on
 * the FILE it is given and never exits. */
#ifndef SOCASMA_CMD_UTIL_H
#define SOCASMA_CMD_UTIL_H

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

/* The edit distance (Damerau-Levenshtein, adjacent transpositions counting
 * one) between a and b, ASCII case ignored; strings longer than 63 bytes
 * are compared on their first 63. */
unsigned cmd_edit_distance(const char *a, const char *b);

/* The long option of opts closest to name (without its leading dashes), if
 * it is close enough to be what was meant (a distance of about one edit in
 * three characters), else NULL. */
const char *cmd_closest_option(const struct option *opts, const char *name);

/* Explains the argument getopt_long() just refused (it returned '?' or ':';
 * call it with opterr = 0, before optind moves on) on f, as
 *   PROG: unknown option '--sockte'; did you mean --socket?
 *   Try 'PROG --help' for the list of options.
 * or "option '--db' needs a value", "option '--json' takes no value",
 * "option '--s' is ambiguous: --since, --socket, ...". shortopts is the
 * optstring given to getopt_long (for the short options' messages). */
void cmd_option_error(FILE *f, const char *prog, int argc, char **argv, const char *shortopts,
                      const struct option *opts);

/* "Try 'PROG --help' for the list of options.\n" on f. */
void cmd_try_help(FILE *f, const char *prog);

/* What a database path holds, as far as the file system says. */
typedef enum {
    CMD_DB_OK = 0,    /* a directory holding a Xapian database, or a file (a stub) */
    CMD_DB_MISSING,   /* nothing there (or a parent directory missing) */
    CMD_DB_EMPTY_DIR, /* an empty directory */
    CMD_DB_NOT_DB,    /* a directory with files but no Xapian database */
    CMD_DB_NO_ACCESS  /* there, but not readable by this user */
} cmd_db_state;

cmd_db_state cmd_db_check(const char *path);

/* Explains on f, in a few lines starting "PROG: ", why path is not a
 * database it can open (st is not CMD_DB_OK) and how to make one or name
 * another: origin says where the path came from ("--db", or NULL for the
 * config file config_path, or for the built-in default when config_path is
 * NULL too). */
void cmd_db_explain(FILE *f, const char *prog, const char *path, cmd_db_state st,
                    const char *origin, const char *config_path);

/* What the first bytes of a file look like. */
typedef enum {
    CMD_LOOKS_UNKNOWN = 0, /* unreadable, empty, or standard input */
    CMD_LOOKS_JSONL,       /* starts with '{' */
    CMD_LOOKS_JSON,        /* starts with '[': one JSON document, not JSON Lines */
    CMD_LOOKS_WXR,         /* XML with <rss and WordPress's namespace */
    CMD_LOOKS_HTML,        /* an HTML page */
    CMD_LOOKS_XML,         /* other XML (or a UTF-16 byte order mark) */
    CMD_LOOKS_TEXT,        /* other UTF-8 text (Markdown, CSV, prose) */
    CMD_LOOKS_BINARY       /* NUL bytes or not UTF-8 */
} cmd_looks;

/* Sniffs the first few kilobytes of path (gzip is read through). Only a
 * regular file is read: "-" (standard input), a fifo or a device is
 * CMD_LOOKS_UNKNOWN, so that nothing the run must read is consumed. */
cmd_looks cmd_file_looks(const char *path);

/* "JSON Lines", "a WordPress export (WXR)", "plain text", ...: for
 * messages. Never NULL. */
const char *cmd_looks_name(cmd_looks l);

#endif
