/* conf.c: loads the INI configuration file shared by the three programs.
 * One table lists every key: its section, type, bounds, default and the
 * field of cfg_config it fills (as redis's config.c). The defaults are the
 * table's, set through the same parsers as the file's values; then the
 * file goes over them, every section, key and value checked against the
 * table, and the first problem is reported as "FILE:LINE: message".
 *
 * libinih does not tell the handler which line it is on, so the file is read
 * through ini_parse_stream() with our own line reader, which counts lines. */
#include <config.h>

#include "conf/conf.h"
#include "src/conf/conf-paths.h" /* SOCASMA_SYSCONFDIR, made in the build tree */

#include <ini.h>

#include <assert.h>
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

/* A macro's value as the file would write it: the defaults of the [search]
 * keys are search/options.h's. */
#define CFG_STR_(x) #x
#define CFG_STR(x) CFG_STR_(x)

#define F(field) offsetof(cfg_config, field)

/* Every key, in the order of the documented file. */
static const cfg_key keys[] = {
    /* section, name, type, lo, hi, default, field, flags */
    {"index", "database", CFG_T_PATH, 0, 0, "index/socasma.db", F(db_path), CFG_F_REQUIRED},
    {"index", "glossary", CFG_T_PATH, 0, 0, NULL, F(glossary_path), 0},
    {"index", "title_weight", CFG_T_UINT, 1, 100, "3", F(title_weight), 0},
    {"index", "max_post_bytes", CFG_T_SIZE, 1024, 1073741824, "8388608", F(max_post_bytes), 0},

    {"server", "socket", CFG_T_PATH, 0, 0, NULL, F(socket_path), 0},
    {"server", "socket_mode", CFG_T_MODE, 0, 0777, "0660", F(socket_mode), 0},
    {"server", "socket_group", CFG_T_STRING, 0, 0, NULL, F(socket_group), 0},
    {"server", "listen", CFG_T_LISTEN, 0, 0, "127.0.0.1:7700", F(listen), 0},
    {"server", "allow_remote", CFG_T_BOOL, 0, 0, "no", F(allow_remote), 0},
    {"server", "threads", CFG_T_UINT, 0, 256, "0", F(threads), 0},
    {"server", "queue", CFG_T_UINT, 1, 1000000, "256", F(queue_max), 0},
    {"server", "max_connections", CFG_T_UINT, 1, 1000000, "1024", F(max_connections), 0},
    {"server", "idle_timeout", CFG_T_UINT, 100, 86400000, "60000", F(idle_timeout_ms), 0},
    {"server", "max_line", CFG_T_SIZE, 256, 16777216, "16384", F(max_line), 0},
    {"server", "request_timeout", CFG_T_UINT, 10, 3600000, "5000", F(request_timeout_ms), 0},
    {"server", "max_unix_connections", CFG_T_UINT, 1, 1000000, "1024", F(max_unix_connections),
     0},
    {"server", "max_connections_per_ip", CFG_T_UINT, 1, 1000000, "64",
     F(max_connections_per_ip), 0},
    {"server", "line_timeout", CFG_T_UINT, 100, 3600000, "10000", F(line_timeout_ms), 0},
    {"server", "connection_workers", CFG_T_UINT, 0, 256, "0", F(connection_workers), 0},
    {"server", "send_buffer", CFG_T_SIZE, 4096, 1073741824, "131072", F(send_buffer), 0},
    {"server", "send_buffer_total", CFG_T_SIZE, 65536, 17179869184.0, "67108864",
     F(send_buffer_total), 0},
    {"server", "send_timeout", CFG_T_UINT, 100, 86400000, "30000", F(send_timeout_ms), 0},
    {"server", "spin", CFG_T_UINT, 0, 100000, "200", F(spin_us), 0},
    {"server", "pid_file", CFG_T_PATH, 0, 0, NULL, F(pid_file), 0},
    {"server", "access_log", CFG_T_PATH, 0, 0, NULL, F(access_log), 0},
    {"server", "log_queries", CFG_T_BOOL, 0, 0, "no", F(log_queries), 0},
    {"server", "write", CFG_T_STRING, 0, 0, "socket", F(write_mode), CFG_F_REQUIRED},
    {"server", "write_token_file", CFG_T_PATH, 0, 0, NULL, F(write_token_file), 0},
    {"server", "max_write_line", CFG_T_SIZE, 256, 1073741824, "16777216", F(max_write_line), 0},
    {"server", "commit_interval", CFG_T_UINT, 0, 10000, "200", F(commit_interval_ms), 0},
    {"server", "lock_idle", CFG_T_UINT, 0, 3600000, "1000", F(lock_idle_ms), 0},
    {"server", "fold_posts", CFG_T_UINT, 1, 100000, "256", F(fold_posts), 0},
    {"server", "fold_ms", CFG_T_UINT, 0, 3600000, "30000", F(fold_ms), 0},
    {"server", "write_timeout", CFG_T_UINT, 10, 3600000, "30000", F(write_timeout_ms), 0},
    {"server", "primary", CFG_T_STRING, 0, 0, NULL, F(primary), 0},

    {"search", "snippet_words", CFG_T_UINT, 1, 500, CFG_STR(SRCH_DEFAULT_SNIPPET_WORDS),
     F(search.snippet_words), 0},
    {"search", "max_limit", CFG_T_UINT, 1, 10000, CFG_STR(SRCH_DEFAULT_MAX_LIMIT),
     F(search.max_limit), 0},
    {"search", "default_limit", CFG_T_UINT, 1, 10000, CFG_STR(SRCH_DEFAULT_DEFAULT_LIMIT),
     F(search.default_limit), 0},
    {"search", "wildcard_max", CFG_T_UINT, 1, 100000, CFG_STR(SRCH_DEFAULT_WILDCARD_MAX),
     F(search.wildcard_max), 0},
    {"search", "max_query", CFG_T_UINT, 16, 1048576, CFG_STR(SRCH_DEFAULT_MAX_QUERY),
     F(search.max_query_bytes), 0},
    {"search", "bm25_k1", CFG_T_DOUBLE, 0, 10, CFG_STR(SRCH_DEFAULT_BM25_K1), F(search.bm25_k1),
     0},
    {"search", "bm25_b", CFG_T_DOUBLE, 0, 1, CFG_STR(SRCH_DEFAULT_BM25_B), F(search.bm25_b), 0},
    {"search", "exact_total", CFG_T_UINT, 0, 100000000, CFG_STR(SRCH_DEFAULT_EXACT_TOTAL),
     F(search.exact_total), 0},
    {"search", "query_time_limit", CFG_T_UINT, 0, 3600000,
     CFG_STR(SRCH_DEFAULT_QUERY_TIME_LIMIT), F(search.query_time_limit), 0},
    {"search", "wildcard_total", CFG_T_UINT, 1, 1000000, CFG_STR(SRCH_DEFAULT_WILDCARD_TOTAL),
     F(search.wildcard_total), 0},
    {"search", "max_query_cost", CFG_T_UINT, 0, 4000000000.0,
     CFG_STR(SRCH_DEFAULT_MAX_QUERY_COST), F(search.max_query_cost), 0},
    {"search", "shard_timeout", CFG_T_UINT, 10, 600000, CFG_STR(SRCH_DEFAULT_SHARD_TIMEOUT),
     F(search.shard_timeout), 0},

    {"reindex", "export_command", CFG_T_STRING, 0, 0, NULL, F(export_command), 0},
    {"reindex", "prune_max_share", CFG_T_DOUBLE, 0, 1, "0.20", F(prune_max_share), 0},
};

#define NKEYS (sizeof keys / sizeof keys[0])

const cfg_key *cfg_keys(size_t *n)
{
    *n = NKEYS;
    return keys;
}

/* The field of c that k fills. */
static void *field_of(const cfg_config *c, const cfg_key *k)
{
    return (char *)c + k->offset;
}

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

void cfg_free(cfg_config *c)
{
    for (size_t i = 0; i < NKEYS; i++) {
        cfg_type t = keys[i].type;
        if (t == CFG_T_PATH || t == CFG_T_STRING || t == CFG_T_LISTEN) {
            char **f = field_of(c, &keys[i]);
            free(*f);
            *f = NULL;
        }
    }
    free(c->path);
    c->path = NULL;
}

/* State of one parse: where we are and the first error. */
typedef struct {
    cfg_config *c;
    FILE *fp;
    const char *file;      /* as given, for messages */
    char *dir;             /* directory of the file, for relative paths
                              (NULL: the defaults, kept as written) */
    int line;              /* line being handled */
    int next_line;         /* line the next read starts */
    int err_line;          /* first handler error, 0 when none */
    char err[512];
    int oom;
    int listen_line;       /* where listen was set, checked at the end */
    int write_line;        /* where write was set, checked at the end */
} parse_state;

static int fail(parse_state *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The sections, in the order of the table: "[index], [server], ...". */
static const char *section_list(void)
{
    static char list[128];
    if (list[0] == '\0') {
        size_t n = 0;
        for (size_t i = 0; i < NKEYS; i++) {
            if (i > 0 && strcmp(keys[i].section, keys[i - 1].section) == 0)
                continue;
            n += (size_t)snprintf(list + n, sizeof list - n, "%s[%s]", n ? ", " : "",
                                  keys[i].section);
            assert(n < sizeof list);
        }
    }
    return list;
}

static int section_known(const char *name, size_t len)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (strlen(keys[i].section) == len && memcmp(keys[i].section, name, len) == 0)
            return 1;
    return 0;
}

static const cfg_key *find_key(const char *section, const char *name)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].name, name) == 0)
            return &keys[i];
    return NULL;
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
static int parse_uint(parse_state *st, const cfg_key *k, const char *v, unsigned long *out)
{
    unsigned long lo = (unsigned long)k->lo, hi = (unsigned long)k->hi;
    if (*v == '\0' || *v == '-' || *v == '+')
        return fail(st, "%s: expected a whole number, got \"%s\"", k->name, v);
    errno = 0;
    char *end;
    unsigned long x = strtoul(v, &end, 10);
    if (*end != '\0')
        return fail(st, "%s: expected a whole number, got \"%s\"", k->name, v);
    if (errno == ERANGE || x < lo || x > hi)
        return fail(st, "%s: %s is out of range (%lu to %lu)", k->name, v, lo, hi);
    *out = x;
    return 1;
}

static int parse_double(parse_state *st, const cfg_key *k, const char *v, double *out)
{
    errno = 0;
    char *end;
    double x = strtod(v, &end);
    if (*v == '\0' || *end != '\0' || !isfinite(x))
        return fail(st, "%s: expected a number, got \"%s\"", k->name, v);
    if (x < k->lo || x > k->hi)
        return fail(st, "%s: %s is out of range (%g to %g)", k->name, v, k->lo, k->hi);
    *out = x;
    return 1;
}

static int parse_bool(parse_state *st, const cfg_key *k, const char *v, int *out)
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
    return fail(st, "%s: expected yes or no, got \"%s\"", k->name, v);
}

static int parse_mode(parse_state *st, const cfg_key *k, const char *v, unsigned *out)
{
    size_t n = strlen(v);
    if (n == 0 || n > 4 || strspn(v, "01234567") != n)
        return fail(st, "%s: expected an octal mode such as 0660, got \"%s\"", k->name, v);
    unsigned long x = strtoul(v, NULL, 8);
    if (x < (unsigned long)k->lo || x > (unsigned long)k->hi)
        return fail(st, "%s: %s is out of range (%#lo to %#lo)", k->name, v,
                    (unsigned long)k->lo, (unsigned long)k->hi);
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
    if (st->dir == NULL || *v == '\0' || *v == '/' || strcmp(v, "-") == 0)
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

/* primary: empty (none), or printable ASCII without blanks, short enough
 * for a message (it is shown to clients in "forbidden" answers and in
 * stats, and to people in logs). */
static int primary_syntax(const char *v)
{
    size_t n = strlen(v);
    if (n > CFG_PRIMARY_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] <= ' ' || (unsigned char)v[i] >= 0x7f)
            return 0;
    return 1;
}

/* Sets the field of k from the text v (a value of the file, or a default
 * of the table). 1 when set, 0 on an error (reported through st). */
static int set_value(parse_state *st, const cfg_key *k, const char *v)
{
    void *f = field_of(st->c, k);
    unsigned long u;
    switch (k->type) {
    case CFG_T_PATH:
        if ((k->flags & CFG_F_REQUIRED) && *v == '\0')
            return fail(st, "%s: must name a directory", k->name);
        return set_path(st, f, v);
    case CFG_T_STRING:
        if ((k->flags & CFG_F_REQUIRED) && *v == '\0')
            return fail(st, "%s: must not be empty", k->name);
        if (k->offset == F(write_mode))
            st->write_line = st->line;
        if (k->offset == F(primary) && !primary_syntax(v))
            return fail(st,
                        "%s: expected where writes go, as clients reach the primary "
                        "(HOST:PORT, a socket path or a URL: 1 to %d printable ASCII "
                        "characters, no blank), got \"%.60s\"",
                        k->name, CFG_PRIMARY_MAX, v);
        return set_string(st, f, v);
    case CFG_T_LISTEN: {
        int loopback;
        if (*v != '\0' && !listen_syntax(v, &loopback))
            return fail(st, "%s: expected HOST:PORT (or [IPV6]:PORT, or empty for none), got \"%s\"",
                        k->name, v);
        st->listen_line = st->line;
        return set_string(st, f, v);
    }
    case CFG_T_BOOL:
        return parse_bool(st, k, v, f);
    case CFG_T_MODE:
        return parse_mode(st, k, v, f);
    case CFG_T_UINT:
        if (!parse_uint(st, k, v, &u))
            return 0;
        *(unsigned *)f = (unsigned)u;
        return 1;
    case CFG_T_SIZE:
        if (!parse_uint(st, k, v, &u))
            return 0;
        *(size_t *)f = (size_t)u;
        return 1;
    case CFG_T_DOUBLE:
        return parse_double(st, k, v, f);
    }
    return fail(st, "%s: unknown type", k->name);
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    parse_state *st = user;
    if (st->oom)
        return 0;
    if (*section == '\0')
        return fail(st, "%s: key outside a section (%s)", name, section_list());
    if (!section_known(section, strlen(section)))
        return fail(st, "unknown section [%s]", section);
    const cfg_key *k = find_key(section, name);
    if (k == NULL)
        return fail(st, "unknown key \"%s\" in [%s]", name, section);
    return set_value(st, k, value);
}

int cfg_defaults(cfg_config *c)
{
    memset(c, 0, sizeof *c);
    parse_state st;
    memset(&st, 0, sizeof st);
    st.c = c;
    st.file = "(defaults)";
    for (size_t i = 0; i < NKEYS; i++) {
        if (keys[i].def == NULL)
            continue;
        if (!set_value(&st, &keys[i], keys[i].def)) {
            /* a default the table's own parsers refuse is a bug */
            assert(st.oom);
            cfg_free(c);
            return -1;
        }
    }
    return 0;
}

int cfg_format(const cfg_config *c, const cfg_key *k, char *buf, size_t len)
{
    const void *f = field_of(c, k);
    int n = 0;
    switch (k->type) {
    case CFG_T_PATH:
    case CFG_T_STRING:
    case CFG_T_LISTEN: {
        const char *v = *(char *const *)f;
        n = snprintf(buf, len, "%s", v ? v : "");
        break;
    }
    case CFG_T_BOOL: n = snprintf(buf, len, "%s", *(const int *)f ? "yes" : "no"); break;
    case CFG_T_MODE: n = snprintf(buf, len, "%04o", *(const unsigned *)f); break;
    case CFG_T_UINT: n = snprintf(buf, len, "%u", *(const unsigned *)f); break;
    case CFG_T_SIZE: n = snprintf(buf, len, "%zu", *(const size_t *)f); break;
    case CFG_T_DOUBLE: n = snprintf(buf, len, "%g", *(const double *)f); break;
    }
    return n >= 0 && (size_t)n < len ? 0 : -1;
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
        else if (strcmp(c->write_mode, "socket") != 0 && strcmp(c->write_mode, "token") != 0 &&
                 strcmp(c->write_mode, "none") != 0)
            snprintf(msg, sizeof msg, "%s:%d: write: expected socket, token or none, got \"%.40s\"",
                     path, st.write_line, c->write_mode);
        else if (strcmp(c->write_mode, "token") == 0 && !c->write_token_file)
            snprintf(msg, sizeof msg, "%s:%d: write = token needs write_token_file", path,
                     st.write_line);
        else if (c->search.default_limit > c->search.max_limit)
            snprintf(msg, sizeof msg, "%s: default_limit (%u) is larger than max_limit (%u)",
                     path, c->search.default_limit, c->search.max_limit);
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
