/* conf.h: the one configuration file shared by the three programs
 * (socasma-index, socasma-searchd, socasma-search) and its defaults.
 *
 * Precedence: command-line flags (applied by each program after loading)
 * override the file, the file overrides the built-in defaults below.
 * Which file: --config FILE; else $SOCASMA_CONFIG; else
 * SOCASMA_SYSCONFDIR/socasma-search.conf when it exists; else none (defaults).
 * Relative paths in a file are relative to the directory of that file.
 *
 * The file is INI (parsed with libinih). One table in conf.c lists every
 * key with its type, bounds, default and field (cfg_keys()); their meaning
 * is documented in conf/socasma-search.conf.in (installed as
 * socasma-search.conf), which tests/conf/test-conf checks against the
 * table. An unknown section or key, or a bad value, is an error
 * "FILE:LINE: message".
 *
 * A string or path field set to an empty value in the file becomes NULL
 * ("none"). Path fields (database, glossary, socket, pid_file, access_log)
 * given relative in the file are joined to the file's directory ("-" stays
 * "-").
 */
#ifndef SOCASMA_CONF_H
#define SOCASMA_CONF_H

#include <stddef.h>

#include "search/options.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The longest primary (bytes). */
#define CFG_PRIMARY_MAX 128

/* The settings, one field per key (the key's name when it differs). The
 * defaults and bounds are in the table of conf.c (cfg_keys()), and their
 * meaning in conf/socasma-search.conf.in. NULL strings mean "none". */
typedef struct {
    /* [index] */
    char *db_path;               /* database (never NULL) */
    char *glossary_path;         /* glossary */
    unsigned title_weight;       /* wdf of a title word against 1 for the body */
    size_t max_post_bytes;       /* a longer record is rejected (import.h) */

    /* [server] */
    char *socket_path;           /* socket */
    unsigned socket_mode;        /* octal permission bits of the socket */
    char *socket_group;
    char *listen;                /* HOST:PORT; NULL: no TCP */
    int allow_remote;            /* 1: listen may name a non-loopback address */
    unsigned threads;            /* 0: the number of cores */
    unsigned queue_max;          /* queue: requests waiting for a worker */
    unsigned max_connections;
    unsigned idle_timeout_ms;    /* idle_timeout */
    size_t max_line;             /* bytes in one request line */
    unsigned request_timeout_ms; /* request_timeout */
    unsigned max_unix_connections;   /* max_connections counts TCP only */
    unsigned max_connections_per_ip; /* TCP connections from one address */
    unsigned line_timeout_ms;    /* line_timeout: a request line must be whole by then */
    unsigned connection_workers; /* requests of one connection run at once
                                    (0: half the threads, at least 1) */
    size_t send_buffer;          /* answer bytes queued for one connection
                                    before it is no longer read */
    size_t send_buffer_total;    /* the same for all connections together */
    unsigned send_timeout_ms;    /* send_timeout: a client that reads none of
                                    its answers for this long is closed */
    unsigned spin_us;            /* spin (src/server/pool.c); 0: never */
    char *pid_file;
    char *access_log;            /* "-": the daemon's standard error */
    int log_queries;             /* 1: query texts in the access log */
    char *write_mode;            /* write: "socket", "token" or "none" (checked
                                    by cfg_load; never NULL after it) */
    char *write_token_file;      /* the token of write = token */
    size_t max_write_line;       /* bytes in one request line of a connection
                                    that may write */
    unsigned commit_interval_ms; /* commit_interval */
    unsigned lock_idle_ms;       /* lock_idle */
    unsigned fold_posts;         /* fold_posts */
    unsigned fold_ms;            /* fold_ms */
    unsigned write_timeout_ms;   /* write_timeout */
    char *primary;               /* primary: NULL, or this daemon is a replica
                                    and writes go there (a label for people
                                    and clients, never connected to; at most
                                    CFG_PRIMARY_MAX printable ASCII bytes) */

    /* [search]: snippet_words, max_limit, default_limit, wildcard_max,
     * max_query (max_query_bytes), bm25_k1, bm25_b: what the programs give
     * srch_engine_new() (search/options.h) */
    srch_options search;

    /* [reindex] (read by socasma-reindex) */
    char *export_command;        /* writes the export to its standard output */
    double prune_max_share;

    char *path;                  /* the file these came from, or NULL for defaults */
} cfg_config;

/* The kinds of value a key takes. */
typedef enum {
    CFG_T_PATH,   /* char *: relative paths joined to the file's directory
                     ("-" kept as it is); empty: none (NULL) */
    CFG_T_STRING, /* char *: text; empty: none (NULL) */
    CFG_T_LISTEN, /* char *: HOST:PORT or [IPV6]:PORT; empty: none (NULL) */
    CFG_T_BOOL,   /* int: yes/no, true/false, on/off */
    CFG_T_MODE,   /* unsigned: octal permission bits, within [lo, hi] */
    CFG_T_UINT,   /* unsigned: a whole number within [lo, hi] */
    CFG_T_SIZE,   /* size_t: a whole number within [lo, hi] */
    CFG_T_DOUBLE  /* double: a finite number within [lo, hi] */
} cfg_type;

#define CFG_F_REQUIRED 1u /* an empty value is an error */

/* One key of the file. */
typedef struct {
    const char *section;  /* "index", "server", "search" or "reindex" */
    const char *name;     /* as written in the file */
    cfg_type type;
    double lo, hi;        /* bounds of numbers and modes */
    const char *def;      /* the default, as the file would write it (NULL: none) */
    size_t offset;        /* of its field in cfg_config */
    unsigned flags;       /* CFG_F_* */
} cfg_key;

/* The table of every key, in the order of the documented file; *n gets its
 * length. Static storage. */
const cfg_key *cfg_keys(size_t *n);

/* Writes the value of key k in c as the file would write it ("" for none;
 * modes in octal) into buf. Returns 0, or -1 when buf is too small. */
int cfg_format(const cfg_config *c, const cfg_key *k, char *buf, size_t len);

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
