/* conf.c: loads the INI configuration file shared by the three programs.
 * Built-in defaults first, then the file over them; every section, key and
 * value is checked and the first problem is reported as "FILE:LINE: message".
 *
 * libinih does not tell the handler which line it is on, so the file is read
 * through ini_parse_stream() with our own line reader, which counts lines. */
#include <config.h>

#include "conf/conf.h"
#include "src/conf/conf-paths.h" /* SOCASMA_SYSCONFDIR, made in the build tree */

#include <ini.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define CFG_FILE_NAME "socasma-search.conf"

int cfg_set_string(char **field, const char *value)
{
    char *copy = NULL;
    if (value != NULL) {
        copy = strdup(value);
        if (copy == NULL)
            return -1;
    }
    free(*field);
    *field = copy;
    return 0;
}

int cfg_defaults(cfg_config *c)
{
    memset(c, 0, sizeof *c);
    c->title_weight = 3;
    c->socket_mode = 0660;
    c->allow_remote = 0;
    c->threads = 0;
    c->queue_max = 256;
    c->max_connections = 1024;
    c->idle_timeout_ms = 60000;
    c->spin_us = 200;
    c->max_line = 16384;
    c->request_timeout_ms = 5000;
    c->log_queries = 0;
    c->snippet_words = 30;
    c->max_limit = 100;
    c->default_limit = 10;
    c->wildcard_max = 100;
    c->max_query_bytes = 1024;
    c->bm25_k1 = 1.2;
    c->bm25_b = 0.75;
    c->exact_total = 10000;
    c->prune_max_share = 0.20;
    if (cfg_set_string(&c->db_path, "index/socasma.db") != 0 ||
        cfg_set_string(&c->listen, "127.0.0.1:7700") != 0) {
        cfg_free(c);
        return -1;
    }
    return 0;
}

void cfg_free(cfg_config *c)
{
    char **fields[] = {
        &c->db_path, &c->glossary_path, &c->socket_path, &c->socket_group,
        &c->listen, &c->pid_file, &c->access_log, &c->export_command, &c->path,
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        free(*fields[i]);
        *fields[i] = NULL;
    }
}

/* State of one parse: where we are and the first error. */
typedef struct {
    cfg_config *c;
    FILE *fp;
    const char *file;      /* as given, for messages */
    char *dir;             /* directory of the file, for relative paths */
    int line;              /* line being handled */
    int next_line;         /* line the next read starts */
    int err_line;          /* first handler error, 0 when none */
    char err[512];
    int oom;
    int listen_line;       /* where listen was set, checked at the end */
} parse_state;

static int fail(parse_state *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int section_known(const char *name, size_t len)
{
    static const char *const known[] = {"index", "server", "search", "reindex"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strlen(known[i]) == len && memcmp(known[i], name, len) == 0)
            return 1;
    return 0;
}

/* fgets() for inih that counts lines. A line longer than inih's buffer comes
 * in several pieces; only a piece ending in '\n' ends a line. */
static char *counting_reader(char *str, int num, void *stream)
{
    parse_state *st = stream;
    char *r = fgets(str, num, st->fp);
    if (r == NULL)
        return NULL;
    int starts_line = st->line != st->next_line;
    st->line = st->next_line;
    size_t n = strlen(r);
    if (n > 0 && r[n - 1] == '\n')
        st->next_line++;
    /* A section header is checked here, on its own line, so that an unknown
     * section is reported where it starts even when it has no keys. */
    const char *s = r + strspn(r, " \t");
    const char *close = *s == '[' ? strchr(s, ']') : NULL;
    if (starts_line && close != NULL) {
        size_t len = (size_t)(close - s - 1);
        if (!section_known(s + 1, len))
            fail(st, "unknown section [%.*s]", (int)len, s + 1);
    }
    return r;
}

static int fail(parse_state *st, const char *fmt, ...)
{
    if (st->err_line == 0) {
        char msg[400];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        snprintf(st->err, sizeof st->err, "%s:%d: %s", st->file, st->line, msg);
        st->err_line = st->line;
    }
    return 0;
}

/* Unsigned integer in [lo, hi], decimal only. */
static int parse_uint(parse_state *st, const char *name, const char *v,
                      unsigned long lo, unsigned long hi, unsigned long *out)
{
    if (*v == '\0' || *v == '-' || *v == '+')
        return fail(st, "%s: expected a whole number, got \"%s\"", name, v);
    errno = 0;
    char *end;
    unsigned long x = strtoul(v, &end, 10);
    if (*end != '\0')
        return fail(st, "%s: expected a whole number, got \"%s\"", name, v);
    if (errno == ERANGE || x < lo || x > hi)
        return fail(st, "%s: %s is out of range (%lu to %lu)", name, v, lo, hi);
    *out = x;
    return 1;
}

static int parse_double(parse_state *st, const char *name, const char *v,
                        double lo, double hi, double *out)
{
    errno = 0;
    char *end;
    double x = strtod(v, &end);
    if (*v == '\0' || *end != '\0' || !isfinite(x))
        return fail(st, "%s: expected a number, got \"%s\"", name, v);
    if (x < lo || x > hi)
        return fail(st, "%s: %s is out of range (%g to %g)", name, v, lo, hi);
    *out = x;
    return 1;
}

static int parse_bool(parse_state *st, const char *name, const char *v, int *out)
{
    if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0 ||
        strcasecmp(v, "on") == 0) {
        *out = 1;
        return 1;
    }
    if (strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0 ||
        strcasecmp(v, "off") == 0) {
        *out = 0;
        return 1;
    }
    return fail(st, "%s: expected yes or no, got \"%s\"", name, v);
}

static int parse_mode(parse_state *st, const char *name, const char *v, unsigned *out)
{
    size_t n = strlen(v);
    if (n == 0 || n > 4 || strspn(v, "01234567") != n)
        return fail(st, "%s: expected an octal mode such as 0660, got \"%s\"", name, v);
    unsigned long x = strtoul(v, NULL, 8);
    if (x > 0777)
        return fail(st, "%s: %s is out of range (0 to 0777)", name, v);
    *out = (unsigned)x;
    return 1;
}

/* A string value; empty means "none" (NULL). */
static int set_string(parse_state *st, char **field, const char *v)
{
    if (cfg_set_string(field, *v ? v : NULL) != 0) {
        st->oom = 1;
        return 0;
    }
    return 1;
}

/* A path value: relative paths are taken from the file's directory. "-" is
 * kept as it is (standard error for access_log). */
static int set_path(parse_state *st, char **field, const char *v)
{
    if (*v == '\0' || *v == '/' || strcmp(v, "-") == 0)
        return set_string(st, field, v);
    size_t n = strlen(st->dir) + strlen(v) + 2;
    char *p = malloc(n);
    if (p == NULL) {
        st->oom = 1;
        return 0;
    }
    snprintf(p, n, "%s/%s", st->dir, v);
    free(*field);
    *field = p;
    return 1;
}

/* Splits "HOST:PORT" or "[V6]:PORT". Returns 1 when well formed and sets
 * *loopback. */
static int listen_syntax(const char *v, int *loopback)
{
    char host[256];
    const char *port;
    if (v[0] == '[') {
        const char *close = strchr(v, ']');
        if (close == NULL || close[1] != ':' || close == v + 1)
            return 0;
        size_t n = (size_t)(close - v - 1);
        if (n >= sizeof host)
            return 0;
        memcpy(host, v + 1, n);
        host[n] = '\0';
        if (strspn(host, "0123456789abcdefABCDEF:.") != n)
            return 0;
        port = close + 2;
    } else {
        const char *colon = strrchr(v, ':');
        if (colon == NULL || colon == v || strchr(v, ':') != colon)
            return 0;
        size_t n = (size_t)(colon - v);
        if (n >= sizeof host)
            return 0;
        memcpy(host, v, n);
        host[n] = '\0';
        if (strspn(host, "0123456789abcdefghijklmnopqrstuvwxyz"
                         "ABCDEFGHIJKLMNOPQRSTUVWXYZ.-") != n)
            return 0;
        port = colon + 1;
    }
    size_t pn = strlen(port);
    if (pn == 0 || pn > 5 || strspn(port, "0123456789") != pn)
        return 0;
    long p = strtol(port, NULL, 10);
    if (p < 1 || p > 65535)
        return 0;
    *loopback = strcmp(host, "::1") == 0 || strcasecmp(host, "localhost") == 0 ||
                (strncmp(host, "127.", 4) == 0 &&
                 strspn(host, "0123456789.") == strlen(host));
    return 1;
}

#define KEY(s, k) (strcmp(section, s) == 0 && strcmp(name, k) == 0)

static int handler(void *user, const char *section, const char *name, const char *value)
{
    parse_state *st = user;
    cfg_config *c = st->c;
    unsigned long u;

    if (st->oom)
        return 0;
    if (strcmp(section, "index") != 0 && strcmp(section, "server") != 0 &&
        strcmp(section, "search") != 0 && strcmp(section, "reindex") != 0) {
        if (*section == '\0')
            return fail(st, "%s: key outside a section ([index], [server], [search], [reindex])", name);
        return fail(st, "unknown section [%s]", section);
    }

    /* [index] */
    if (KEY("index", "database")) {
        /* The one path every program needs: never "none". */
        if (*value == '\0')
            return fail(st, "database: must name a directory");
        return set_path(st, &c->db_path, value);
    }
    if (KEY("index", "glossary"))
        return set_path(st, &c->glossary_path, value);
    if (KEY("index", "title_weight")) {
        if (!parse_uint(st, name, value, 1, 100, &u))
            return 0;
        c->title_weight = (unsigned)u;
        return 1;
    }

    /* [server] */
    if (KEY("server", "socket"))
        return set_path(st, &c->socket_path, value);
    if (KEY("server", "socket_mode"))
        return parse_mode(st, name, value, &c->socket_mode);
    if (KEY("server", "socket_group"))
        return set_string(st, &c->socket_group, value);
    if (KEY("server", "listen")) {
        int loopback;
        if (*value != '\0' && !listen_syntax(value, &loopback))
            return fail(st, "listen: expected HOST:PORT (or [IPV6]:PORT, or empty for none), got \"%s\"", value);
        st->listen_line = st->line;
        return set_string(st, &c->listen, value);
    }
    if (KEY("server", "allow_remote"))
        return parse_bool(st, name, value, &c->allow_remote);
    if (KEY("server", "threads")) {
        if (!parse_uint(st, name, value, 0, 256, &u))
            return 0;
        c->threads = (unsigned)u;
        return 1;
    }
    if (KEY("server", "queue")) {
        if (!parse_uint(st, name, value, 1, 1000000, &u))
            return 0;
        c->queue_max = (unsigned)u;
        return 1;
    }
    if (KEY("server", "max_connections")) {
        if (!parse_uint(st, name, value, 1, 1000000, &u))
            return 0;
        c->max_connections = (unsigned)u;
        return 1;
    }
    if (KEY("server", "spin")) {
        if (!parse_uint(st, name, value, 0, 100000, &u))
            return 0;
        c->spin_us = (unsigned)u;
        return 1;
    }
    if (KEY("server", "idle_timeout")) {
        if (!parse_uint(st, name, value, 100, 86400000, &u))
            return 0;
        c->idle_timeout_ms = (unsigned)u;
        return 1;
    }
    if (KEY("server", "max_line")) {
        if (!parse_uint(st, name, value, 256, 16777216, &u))
            return 0;
        c->max_line = (size_t)u;
        return 1;
    }
    if (KEY("server", "request_timeout")) {
        if (!parse_uint(st, name, value, 10, 3600000, &u))
            return 0;
        c->request_timeout_ms = (unsigned)u;
        return 1;
    }
    if (KEY("server", "pid_file"))
        return set_path(st, &c->pid_file, value);
    if (KEY("server", "access_log"))
        return set_path(st, &c->access_log, value);
    if (KEY("server", "log_queries"))
        return parse_bool(st, name, value, &c->log_queries);

    /* [search] */
    if (KEY("search", "snippet_words")) {
        if (!parse_uint(st, name, value, 1, 500, &u))
            return 0;
        c->snippet_words = (unsigned)u;
        return 1;
    }
    if (KEY("search", "max_limit")) {
        if (!parse_uint(st, name, value, 1, 10000, &u))
            return 0;
        c->max_limit = (unsigned)u;
        return 1;
    }
    if (KEY("search", "default_limit")) {
        if (!parse_uint(st, name, value, 1, 10000, &u))
            return 0;
        c->default_limit = (unsigned)u;
        return 1;
    }
    if (KEY("search", "wildcard_max")) {
        if (!parse_uint(st, name, value, 1, 100000, &u))
            return 0;
        c->wildcard_max = (unsigned)u;
        return 1;
    }
    if (KEY("search", "max_query")) {
        if (!parse_uint(st, name, value, 16, 1048576, &u))
            return 0;
        c->max_query_bytes = (unsigned)u;
        return 1;
    }
    if (KEY("search", "bm25_k1"))
        return parse_double(st, name, value, 0.0, 10.0, &c->bm25_k1);
    if (KEY("search", "bm25_b"))
        return parse_double(st, name, value, 0.0, 1.0, &c->bm25_b);
    if (KEY("search", "exact_total")) {
        if (!parse_uint(st, name, value, 0, 100000000, &u))
            return 0;
        c->exact_total = (unsigned)u;
        return 1;
    }

    /* [reindex] */
    if (KEY("reindex", "export_command"))
        return set_string(st, &c->export_command, value);
    if (KEY("reindex", "prune_max_share"))
        return parse_double(st, name, value, 0.0, 1.0, &c->prune_max_share);

    return fail(st, "unknown key \"%s\" in [%s]", name, section);
}

const char *cfg_installed_path(void)
{
    return SOCASMA_SYSCONFDIR "/" CFG_FILE_NAME;
}

/* The file to read when none is named: $SOCASMA_CONFIG, else the installed
 * one when it exists, else none. */
static const char *default_path(void)
{
    const char *env = getenv("SOCASMA_CONFIG");
    if (env != NULL && *env != '\0')
        return env;
    const char *installed = cfg_installed_path();
    if (installed != NULL && access(installed, F_OK) == 0)
        return installed;
    return NULL;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

int cfg_load(cfg_config *c, const char *path, char *err, size_t errlen)
{
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (cfg_defaults(c) != 0) {
        if (err != NULL)
            snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (path == NULL)
        path = default_path();
    if (path == NULL)
        return 0;

    parse_state st;
    memset(&st, 0, sizeof st);
    st.c = c;
    st.file = path;
    st.next_line = 1;
    st.line = 0;
    st.fp = fopen(path, "r");
    if (st.fp == NULL) {
        if (err != NULL)
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    st.dir = dir_of(path);
    if (st.dir == NULL) {
        fclose(st.fp);
        if (err != NULL)
            snprintf(err, errlen, "out of memory");
        return -1;
    }

    int rc = ini_parse_stream(counting_reader, &st, handler, &st);
    int read_error = ferror(st.fp);
    fclose(st.fp);

    char msg[sizeof st.err];
    msg[0] = '\0';
    if (st.oom) {
        snprintf(msg, sizeof msg, "out of memory");
    } else if (read_error) {
        snprintf(msg, sizeof msg, "%s: read error", path);
    } else if (rc < 0) {
        snprintf(msg, sizeof msg, "%s: cannot parse (out of memory)", path);
    } else if (rc > 0 && (st.err_line == 0 || rc < st.err_line)) {
        /* inih found a line that is neither a section, a key = value,
         * nor a comment, before any bad value of ours. */
        snprintf(msg, sizeof msg, "%s:%d: syntax error (expected [section] or key = value)",
                 path, rc);
    } else if (st.err_line != 0) {
        snprintf(msg, sizeof msg, "%s", st.err);
    } else {
        /* Checks across keys, once the whole file is read. */
        int loopback = 1;
        if (c->listen != NULL && !c->allow_remote &&
            listen_syntax(c->listen, &loopback) && !loopback)
            snprintf(msg, sizeof msg,
                     "%s:%d: listen: %s is not a loopback address "
                     "(set allow_remote = yes to serve other hosts)",
                     path, st.listen_line, c->listen);
        else if (c->default_limit > c->max_limit)
            snprintf(msg, sizeof msg, "%s: default_limit (%u) is larger than max_limit (%u)",
                     path, c->default_limit, c->max_limit);
    }
    free(st.dir);

    if (msg[0] != '\0') {
        if (err != NULL)
            snprintf(err, errlen, "%s", msg);
        cfg_free(c);
        if (cfg_defaults(c) != 0)
            memset(c, 0, sizeof *c);
        return -1;
    }
    if (cfg_set_string(&c->path, path) != 0) {
        if (err != NULL)
            snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}
