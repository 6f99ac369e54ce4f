/* shards.c: an engine over several databases searched as one (issue 17).
 * The database path names a Xapian stub file: one shard a line, a local
 * database ("auto PATH", "glass PATH", relative to the file) or one that
 * xapian-tcpsrv serves ("remote HOST:PORT"). Each shard is opened on its
 * own and the engine searches the group of those that answer
 * (xc_db_group); a shard that does not answer is left out, named in the
 * answers ("missing_shards"), and tried again after SRCH_SHARD_RETRY_MS,
 * then less and less often (up to SRCH_SHARD_RETRY_MAX_MS).
 * Shards are named by their line ("remote HOST:PORT") or position
 * ("shard 2"), never by a path. */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "search/search-internal.h"

static void set_err(srch_engine *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->err, sizeof e->err, fmt, ap);
    va_end(ap);
}

int srch_is_stub(const char *path)
{
    struct stat st;
    return path && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static void shard_clear(srch_shard *s)
{
    xc_db_close(s->db);
    free(s->label);
    free(s->path);
    free(s->host);
    memset(s, 0, sizeof *s);
}

void srch_shards_close(srch_engine *e)
{
    xc_db_close(e->db); /* the group first: it borrows the shards */
    e->db = NULL;
    for (size_t i = 0; i < e->nshards; i++)
        shard_clear(&e->shards[i]);
    free(e->shards);
    e->shards = NULL;
    e->nshards = 0;
    e->nmissing = 0;
}

/* A path of the stub, relative to the stub's directory unless absolute. */
static char *stub_relative(const char *stub, const char *path)
{
    if (path[0] == '/')
        return strdup(path);
    const char *slash = strrchr(stub, '/');
    size_t dl = slash ? (size_t)(slash - stub) + 1 : 0;
    size_t n = dl + strlen(path) + 1;
    char *out = malloc(n);
    if (out) {
        memcpy(out, stub, dl);
        memcpy(out + dl, path, n - dl);
    }
    return out;
}

/* One line of the stub into s: 0, or -1 with a message in e->err. */
static int parse_line(srch_engine *e, unsigned lineno, char *line, size_t index, srch_shard *s)
{
    char *sp = line;
    while (*sp && *sp != ' ' && *sp != '\t')
        sp++;
    char *arg = sp;
    while (*arg == ' ' || *arg == '\t')
        arg++;
    *sp = '\0';
    if (!*arg) {
        set_err(e, "%s:%u: \"%s\" without its argument (expected \"auto PATH\" or "
                   "\"remote HOST:PORT\")",
                e->db_path, lineno, line);
        return -1;
    }
    char label[300];
    if (strcmp(line, "auto") == 0 || strcmp(line, "glass") == 0) {
        s->path = stub_relative(e->db_path, arg);
        snprintf(label, sizeof label, "shard %zu", index + 1);
    } else if (strcmp(line, "remote") == 0) {
        if (arg[0] == ':') {
            set_err(e, "%s:%u: \"remote :PROGRAM\" is not supported: serve the shard with "
                       "xapian-tcpsrv and name it \"remote HOST:PORT\"",
                    e->db_path, lineno);
            return -1;
        }
        char *colon = strrchr(arg, ':');
        char *end = NULL;
        unsigned long port = colon ? strtoul(colon + 1, &end, 10) : 0;
        if (!colon || colon == arg || !end || *end || port == 0 || port > 65535) {
            set_err(e, "%s:%u: \"remote %s\": expected HOST:PORT", e->db_path, lineno, arg);
            return -1;
        }
        char *host = arg;
        size_t hl = (size_t)(colon - arg);
        if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
            host++; /* an IPv6 address in brackets */
            hl -= 2;
        }
        s->host = strndup(host, hl);
        s->port = (unsigned)port;
        snprintf(label, sizeof label, "remote %s", arg);
    } else {
        set_err(e, "%s:%u: unknown database type \"%s\" (expected auto, glass or remote)",
                e->db_path, lineno, line);
        return -1;
    }
    s->label = strdup(label);
    if (!s->label || (!s->path && !s->host)) {
        set_err(e, "out of memory");
        return -1;
    }
    return 0;
}

/* Reads the stub file into e->shards: SRCH_OK, or SRCH_ERR_UNAVAILABLE
 * with FILE:LINE and the reason in e->err. */
static int read_stub(srch_engine *e)
{
    FILE *f = fopen(e->db_path, "r");
    if (!f) {
        set_err(e, "cannot read the database list %s: %s", e->db_path, strerror(errno));
        return SRCH_ERR_UNAVAILABLE;
    }
    char line[1024];
    unsigned lineno = 0;
    int rc = SRCH_OK;
    while (rc == SRCH_OK && fgets(line, sizeof line, f)) {
        lineno++;
        size_t len = strlen(line);
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' ||
                           line[len - 1] == ' ' || line[len - 1] == '\t'))
            line[--len] = '\0';
        char *l = line;
        while (*l == ' ' || *l == '\t')
            l++;
        if (!*l || *l == '#')
            continue;
        if (e->nshards == SRCH_MAX_SHARDS) {
            set_err(e, "%s:%u: more than %d shards", e->db_path, lineno, SRCH_MAX_SHARDS);
            rc = SRCH_ERR_UNAVAILABLE;
            break;
        }
        srch_shard *grown = realloc(e->shards, (e->nshards + 1) * sizeof *grown);
        if (!grown) {
            set_err(e, "out of memory");
            rc = SRCH_ERR_UNAVAILABLE;
            break;
        }
        e->shards = grown;
        srch_shard *s = &e->shards[e->nshards];
        memset(s, 0, sizeof *s);
        e->nshards++;
        if (parse_line(e, lineno, l, e->nshards - 1, s) != 0)
            rc = SRCH_ERR_UNAVAILABLE;
    }
    fclose(f);
    if (rc == SRCH_OK && e->nshards == 0) {
        set_err(e, "%s: the database list names no database", e->db_path);
        rc = SRCH_ERR_UNAVAILABLE;
    }
    if (rc != SRCH_OK) {
        char keep[sizeof e->err];
        memcpy(keep, e->err, sizeof keep);
        srch_shards_close(e);
        memcpy(e->err, keep, sizeof keep);
    }
    return rc;
}

/* Opens shard s (closed): 0, or -1 (it stays missing). */
static int shard_open(srch_engine *e, srch_shard *s, double now)
{
    int rc;
    if (s->host)
        rc = xc_db_open_remote(s->host, s->port, e->opt.shard_timeout, &s->db);
    else {
        struct stat st;
        s->known = stat(s->path, &st) == 0;
        s->dev = s->known ? (uint64_t)st.st_dev : 0;
        s->ino = s->known ? (uint64_t)st.st_ino : 0;
        rc = xc_db_open(s->path, &s->db);
        for (int i = 1; (rc == XC_ERR_MODIFIED || rc == XC_ERR_CORRUPT) && i < 5; i++)
            rc = xc_db_open(s->path, &s->db);
    }
    if (rc != XC_OK) {
        /* tried again after 1 s, then twice as long each time it fails,
           up to SRCH_SHARD_RETRY_MAX_MS: a shard whose host does not
           answer at all costs a request shard_timeout at each try */
        s->db = NULL;
        s->backoff_ms = s->backoff_ms ? s->backoff_ms * 2 : SRCH_SHARD_RETRY_MS;
        if (s->backoff_ms > SRCH_SHARD_RETRY_MAX_MS)
            s->backoff_ms = SRCH_SHARD_RETRY_MAX_MS;
        s->retry_at = now + s->backoff_ms / 1000.0;
        return -1;
    }
    s->backoff_ms = 0;
    return 0;
}

static void shard_lose(srch_shard *s, double now)
{
    xc_db_close(s->db);
    s->db = NULL;
    s->retry_at = now + SRCH_SHARD_RETRY_MS / 1000.0;
    s->backoff_ms = SRCH_SHARD_RETRY_MS;
}

/* Makes e->db the group of the shards open: SRCH_OK, or
 * SRCH_ERR_UNAVAILABLE when none is. Empties the caches that depend on
 * the set of documents (docids, counts, the spelling index). */
static int regroup(srch_engine *e)
{
    xc_db_close(e->db);
    e->db = NULL;
    xc_db *parts[SRCH_MAX_SHARDS];
    size_t n = 0;
    e->nmissing = 0;
    for (size_t i = 0; i < e->nshards; i++) {
        if (e->shards[i].db)
            parts[n++] = e->shards[i].db;
        else
            e->nmissing++;
    }
    srch_speller_free(e->speller);
    e->speller = NULL;
    srch_termfreq_clear(e);
    srch_totals_clear(e);
    if (n == 0) {
        set_err(e, "no shard of %s answers", e->db_path);
        return SRCH_ERR_UNAVAILABLE;
    }
    if (xc_db_group(parts, n, &e->db) != XC_OK) {
        e->db = NULL;
        set_err(e, "cannot open the shards of %s: %s", e->db_path, xc_errmsg());
        return SRCH_ERR_UNAVAILABLE;
    }
    return SRCH_OK;
}

int srch_shards_open(srch_engine *e, double now)
{
    srch_shards_close(e);
    int rc = read_stub(e);
    if (rc != SRCH_OK)
        return rc;
    for (size_t i = 0; i < e->nshards; i++)
        shard_open(e, &e->shards[i], now);
    return regroup(e);
}

int srch_shards_refresh(srch_engine *e, int lost, double now)
{
    int changed = 0;
    for (size_t i = 0; i < e->nshards; i++) {
        srch_shard *s = &e->shards[i];
        if (!s->db) {
            if (now >= s->retry_at && shard_open(e, s, now) == 0)
                changed = 1; /* back: full answers again */
            continue;
        }
        if (!s->host) {
            /* another database moved in at the path (a first import):
               opened afresh, as a single database is (engine.c, ready) */
            struct stat st;
            if (stat(s->path, &st) != 0 || !s->known || (uint64_t)st.st_dev != s->dev ||
                (uint64_t)st.st_ino != s->ino) {
                shard_lose(s, now);
                shard_open(e, s, now);
                changed = 1;
                continue;
            }
        }
        /* After a failure, each shard is asked on its own which one it
           was. A remote shard is connected to afresh: a match cut in the
           middle may have left a live shard's connection with an answer
           nobody read. */
        if (lost && s->host) {
            shard_lose(s, now);
            shard_open(e, s, now);
            changed = 1;
        } else if (lost && xc_db_reopen(s->db, NULL) != XC_OK) {
            shard_lose(s, now);
            changed = 1;
        }
    }
    if (!changed)
        return e->db ? SRCH_OK : regroup(e);
    return regroup(e);
}

int srch_shards_timed_out(srch_engine *e, const char *message, double now)
{
    if (!message || !strstr(message, "imeout"))
        return 0;
    int n = 0;
    for (size_t i = 0; i < e->nshards; i++) {
        srch_shard *s = &e->shards[i];
        char ctx[300]; /* Xapian's context of a remote database */
        if (!s->db || !s->host)
            continue;
        snprintf(ctx, sizeof ctx, "tcp(%s:%u)", s->host, s->port);
        if (!strstr(message, ctx))
            continue;
        xc_db_close(e->db); /* the group first (it shares the shard's
                               connection); made again by the refresh */
        e->db = NULL;
        xc_db_close(s->db);
        s->db = NULL;
        s->backoff_ms = s->backoff_ms ? s->backoff_ms * 2 : SRCH_SHARD_RETRY_MS;
        if (s->backoff_ms > SRCH_SHARD_RETRY_MAX_MS)
            s->backoff_ms = SRCH_SHARD_RETRY_MAX_MS;
        s->retry_at = now + s->backoff_ms / 1000.0;
        n++;
    }
    return n > 0;
}

json_t *srch_shards_missing(const srch_engine *e)
{
    if (!e->nmissing)
        return NULL;
    json_t *a = json_array();
    for (size_t i = 0; a && i < e->nshards; i++)
        if (!e->shards[i].db)
            json_array_append_new(a, json_string(e->shards[i].label));
    return a;
}
