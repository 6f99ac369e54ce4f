/* conf.h: the one configuration file shared by the three programs
 * (socasma-index, socasma-searchd, socasma-search) and its defaults.
 *
 * Precedence: command-line flags (applied by each program after loading)
 * override the file, the file overrides the built-in defaults below.
 * Which file: --config FILE; else $SOCASMA_CONFIG; else
 * SOCASMA_SYSCONFDIR/socasma-search.conf when it exists; else none (defaults).
 * Relative paths in a file are relative to the directory of that file.
 *
 * The file is INI (parsed with libinih). Sections and keys are listed, with
 * their meaning, in conf/socasma-search.conf.in (installed as
 * socasma-search.conf). An unknown section or key, or a
 * bad value, is an error "FILE:LINE: message".
 *
 * A string or path field set to an empty value in the file becomes NULL
 * ("none"). Path fields (database, glossary, socket, pid_file, access_log)
 * given relative in the file are joined to the file's directory ("-" stays
 * "-").
 */
#ifndef SOCASMA_CONF_H
#define SOCASMA_CONF_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    /* [index] */
    char *db_path;            /* database = index/socasma.db */
    char *glossary_path;      /* glossary = (none) ; conf/synonyms.txt in the repo's file */
    unsigned title_weight;    /* title_weight = 3 : wdf of a title word vs 1 for the body */

    /* [server] */
    char *socket_path;        /* socket = (none) */
    unsigned socket_mode;     /* socket_mode = 0660 (octal) */
    char *socket_group;       /* socket_group = (none) */
    char *listen;             /* listen = 127.0.0.1:7700 ; empty in the file: NULL, no TCP */
    int allow_remote;         /* allow_remote = no : yes lets listen name a non-loopback address */
    unsigned threads;         /* threads = 0 : 0 means the number of cores */
    unsigned queue_max;       /* queue = 256 : requests waiting for a worker before "overloaded" */
    unsigned max_connections; /* max_connections = 1024 */
    unsigned idle_timeout_ms; /* idle_timeout = 60000 */
    size_t max_line;          /* max_line = 16384 : bytes in one request line */
    unsigned request_timeout_ms; /* request_timeout = 5000 */
    unsigned spin_us;         /* spin = 200 : microseconds a thread without work spins before
                                 it sleeps (src/server/pool.c); 0: never */
    char *pid_file;           /* pid_file = (none) */
    char *access_log;         /* access_log = (none) : "-" is standard error */
    int log_queries;          /* log_queries = no : write query texts in the access log */

    /* [search] */
    unsigned snippet_words;   /* snippet_words = 30 */
    unsigned max_limit;       /* max_limit = 100 : hits per page at most */
    unsigned default_limit;   /* default_limit = 10 */
    unsigned wildcard_max;    /* wildcard_max = 100 : terms a trailing * expands to */
    unsigned max_query_bytes; /* max_query = 1024 : longer queries are cut */
    double bm25_k1;           /* bm25_k1 = 1.2 */
    double bm25_b;            /* bm25_b = 0.75 */
    unsigned exact_total;     /* exact_total = 10000 : a search counts its hits exactly up to
                                 this many (above: Xapian's estimate, "total_exact":false) */

    /* [reindex] */
    char *export_command;     /* export_command = (none) : writes the export to stdout */
    double prune_max_share;   /* prune_max_share = 0.20 */

    char *path;               /* the file these came from, or NULL for defaults */
} cfg_config;

/* Fills c with the built-in defaults (strings malloc'ed). Returns 0, or -1
 * when out of memory. */
int cfg_defaults(cfg_config *c);

/* Loads defaults, then the file `path` over them. path NULL: the file chosen
 * as described above (none is fine). Returns 0, or -1 with err set to
 * "FILE:LINE: message" (or "FILE: message"); on error *c holds defaults
 * only and still needs cfg_free(). */
int cfg_load(cfg_config *c, const char *path, char *err, size_t errlen);

/* The installed config file the programs read when neither --config nor
 * $SOCASMA_CONFIG names one: SOCASMA_SYSCONFDIR/socasma-search.conf, i.e.
 * $(sysconfdir)/socasma-search/socasma-search.conf as configured. Static
 * storage. The programs print it in --help. */
const char *cfg_installed_path(void);

/* Frees the strings of c (not c itself). */
void cfg_free(cfg_config *c);

/* Replaces a string field with a copy of value (for command-line overrides).
 * Returns 0 or -1 when out of memory. */
int cfg_set_string(char **field, const char *value);

#ifdef __cplusplus
}
#endif

#endif /* SOCASMA_CONF_H */
