/* build.c: a new database built in parallel (see store-internal.h, "A NEW
 * DATABASE BUILT IN PARALLEL", and doc/INDEXING.md). Each chunk of consecutive
 * posts is a scratch Xapian database written by one builder thread; at the
 * commit the chunks are compacted, in order, into one database, which is
 * swapped with the (empty) target in one atomic rename. Everything lives in
 * PATH.socasma-build beside the target, so a killed run leaves the target
 * as it was and its leftovers in one directory that the next run removes. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/schema.h"
#include "store/store-internal.h"

#define MAX_JOBS 16
#define BUILD_SUFFIX ".socasma-build"

static void set_err(store *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, sizeof s->err, fmt, ap);
    va_end(ap);
}

char *store_build_dir(const char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--; /* "db/" and "db" have the same build directory */
    char *d = malloc(n + sizeof BUILD_SUFFIX);
    if (!d)
        return NULL;
    memcpy(d, path, n);
    memcpy(d + n, BUILD_SUFFIX, sizeof BUILD_SUFFIX);
    return d;
}

static int remove_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    if (remove(p) != 0 && errno != ENOENT)
        return -1;
    return 0;
}

int store_remove_tree(const char *dir)
{
    struct stat sb;
    if (lstat(dir, &sb) != 0)
        return errno == ENOENT ? 0 : -1;
    /* FTW_DEPTH: a directory after its contents; FTW_PHYS: never follow a
     * symbolic link out of the tree. */
    return nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A file system that cannot exchange two directories in one rename (or an
 * old kernel) would leave a moment without a database: refuse a parallel build there. */
static int can_exchange(const char *dir, char *err, size_t errlen)
{
    size_t n = strlen(dir) + 8;
    char *a = malloc(n), *b = malloc(n);
    int ok = 0;
    if (a && b) {
        snprintf(a, n, "%s/x-a", dir);
        snprintf(b, n, "%s/x-b", dir);
        if (mkdir(a, 0700) == 0 && mkdir(b, 0700) == 0 &&
            renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) == 0)
            ok = 1;
        else
            snprintf(err, errlen, "cannot swap two directories atomically in %s: %s", dir,
                     strerror(errno));
        rmdir(a);
        rmdir(b);
    } else {
        snprintf(err, errlen, "out of memory");
    }
    free(a);
    free(b);
    return ok;
}

int store_can_build(const store *s)
{
    return s && s->in_run && !s->failed && s->db && !s->read_only && s->fresh && !s->builders &&
           s->counts.added == 0 && s->counts.updated == 0 && s->seen.count == 0;
}

static void builder_free(store_builder *sh)
{
    if (!sh)
        return;
    xc_db_close(sh->db);
    idmap_free(&sh->spell);
    free(sh->dir);
    free(sh);
}

/* The path of chunk i: the directory's names sort in chunk order. */
static char *chunk_path(const char *dir, unsigned i)
{
    size_t len = strlen(dir) + 32;
    char *p = malloc(len);
    if (p)
        snprintf(p, len, "%s/chunk-%06u", dir, i);
    return p;
}

int store_build_begin(store *s, unsigned n)
{
    if (!store_can_build(s) || n == 0 || n > MAX_JOBS) {
        if (s)
            set_err(s, "a parallel build needs an open run on a new database");
        return STORE_ERR_INVALID;
    }
    struct stat sb;
    if (lstat(s->path, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        /* A symbolic link would be swapped itself, not the directory it
         * names: keep to one writer. */
        set_err(s, "%s: not a directory: no parallel build", s->path);
        return STORE_ERR_DB;
    }
    char *dir = store_build_dir(s->path);
    if (!dir) {
        set_err(s, "out of memory");
        return STORE_ERR_NOMEM;
    }
    if (store_remove_tree(dir) != 0 || mkdir(dir, 0777) != 0) {
        set_err(s, "%s: cannot create the build directory: %s", dir, strerror(errno));
        free(dir);
        return STORE_ERR_DB;
    }
    if (!can_exchange(dir, s->err, sizeof s->err)) {
        store_remove_tree(dir);
        free(dir);
        return STORE_ERR_DB;
    }
    s->builders = calloc(n, sizeof *s->builders);
    if (!s->builders) {
        store_remove_tree(dir);
        free(dir);
        set_err(s, "out of memory");
        return STORE_ERR_NOMEM;
    }
    s->nbuilders = n;
    for (unsigned i = 0; i < n; i++) {
        store_builder *sh = calloc(1, sizeof *sh);
        if (!sh || !(sh->dir = strdup(dir))) {
            free(sh);
            free(dir);
            store_build_discard(s);
            set_err(s, "out of memory");
            return STORE_ERR_NOMEM;
        }
        sh->owner = s;
        sh->chunk = -1;
        idmap_init(&sh->spell);
        s->builders[i] = sh;
    }
    free(dir);
    return STORE_OK;
}

store_builder *store_builder_at(store *s, unsigned i)
{
    return s && s->builders && i < s->nbuilders ? s->builders[i] : NULL;
}

const char *store_builder_errmsg(const store_builder *sh)
{
    return sh ? sh->err : "no builder";
}

/* Commits and closes the builder's current chunk. The spelling words of
 * all its chunks are summed in the builder and written once, into its
 * last chunk (last set): the compaction sums the frequencies of every
 * source, so where a word is counted does not matter, and each word is
 * written once per builder instead of once per chunk (the spelling table
 * is costly to write: a list per trigram of the words). */
static int close_chunk(store_builder *sh, int last)
{
    if (!sh->db)
        return STORE_OK;
    double t0 = store_cpu_now();
    int rc = XC_OK;
    for (size_t i = 0; last && rc == XC_OK && i < sh->spell.cap; i++)
        if (sh->spell.slots[i].key)
            rc = xc_db_add_spelling(sh->db, sh->spell.slots[i].key, sh->spell.slots[i].n);
    if (rc == XC_OK)
        rc = xc_db_commit(sh->db);
    if (rc != XC_OK) {
        snprintf(sh->err, sizeof sh->err, "cannot write chunk %ld: %s", sh->chunk, xc_errmsg());
        return rc == XC_ERR_NOMEM ? STORE_ERR_NOMEM : STORE_ERR_DB;
    }
    if (last)
        idmap_free(&sh->spell);
    xc_db_close(sh->db);
    sh->db = NULL;
    sh->cpu_flush += store_cpu_now() - t0;
    return STORE_OK;
}

int store_builder_chunk(store_builder *sh, unsigned index)
{
    if (!sh || sh->finished)
        return STORE_ERR_INVALID;
    int rc = close_chunk(sh, 0);
    if (rc != STORE_OK)
        return rc;
    char *path = chunk_path(sh->dir, index);
    if (!path) {
        snprintf(sh->err, sizeof sh->err, "out of memory");
        return STORE_ERR_NOMEM;
    }
    /* No fsync: a chunk is scratch, thrown away if the run dies; the
     * merged database is written durably. */
    int xrc = xc_db_open_writable_flags(path, XC_DB_CREATE, XC_DB_NO_SYNC, &sh->db);
    if (xrc != XC_OK) {
        snprintf(sh->err, sizeof sh->err, "%s: cannot create a chunk: %s", path, xc_errmsg());
        free(path);
        sh->db = NULL;
        return xrc == XC_ERR_NOMEM ? STORE_ERR_NOMEM : STORE_ERR_DB;
    }
    free(path);
    sh->chunk = index;
    if (index + 1 > sh->nchunks)
        sh->nchunks = index + 1;
    return STORE_OK;
}

int store_builder_put(store_builder *sh, store_worker *w, const imp_post *post)
{
    if (!sh || !w || !post || !sh->db)
        return STORE_ERR_INVALID;
    store_prepared *p = NULL;
    double t0 = store_cpu_now();
    int rc = store_prepare(sh->owner, w, post, &p, sh->err, sizeof sh->err);
    double t1 = store_cpu_now();
    sh->cpu_analyse += t1 - t0;
    if (rc != STORE_OK)
        return rc;
    /* The database is new: every post is added (store_prepare found no old
     * hash), and store_claim() has ruled out duplicates. */
    int xrc = xc_db_add_document(sh->db, p->doc, NULL);
    sh->cpu_add += store_cpu_now() - t1;
    if (xrc != XC_OK) {
        snprintf(sh->err, sizeof sh->err, "cannot write post \"%s\": %s", p->id, xc_errmsg());
        store_prepared_free(p);
        return xrc == XC_ERR_NOMEM ? STORE_ERR_NOMEM : STORE_ERR_DB;
    }
    for (size_t i = 0; i < p->nspell; i++) {
        idmap_entry *e;
        int added;
        if (idmap_put(&sh->spell, p->spell[i].word, strlen(p->spell[i].word), &e, &added) != 0) {
            snprintf(sh->err, sizeof sh->err, "out of memory");
            store_prepared_free(p);
            return STORE_ERR_NOMEM;
        }
        e->n += p->spell[i].count;
    }
    sh->added++;
    store_prepared_free(p);
    return STORE_OK;
}

int store_builder_finish(store_builder *sh)
{
    if (!sh || sh->finished)
        return STORE_ERR_INVALID;
    int rc = close_chunk(sh, 1);
    if (rc == STORE_OK)
        sh->finished = 1;
    return rc;
}

void store_build_discard(store *s)
{
    if (!s || !s->builders)
        return;
    for (unsigned i = 0; i < s->nbuilders; i++) {
        if (s->builders[i])
            s->counts.added += s->builders[i]->added;
        builder_free(s->builders[i]);
    }
    free(s->builders);
    s->builders = NULL;
    s->nbuilders = 0;
    char *dir = store_build_dir(s->path);
    if (dir)
        store_remove_tree(dir);
    free(dir);
}

/* fsync of the directory holding path, so that a rename in it is durable. */
static void sync_parent(const char *path)
{
    char *d = strdup(path);
    if (!d)
        return;
    char *slash = strrchr(d, '/');
    while (slash && slash > d && slash[1] == '\0') { /* "db/" */
        *slash = '\0';
        slash = strrchr(d, '/');
    }
    const char *parent = !slash ? "." : slash == d ? "/" : (*slash = '\0', d);
    int fd = open(parent, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(d);
}

int store_build_commit(store *s)
{
    if (!s || !s->builders)
        return STORE_ERR_INVALID;
    unsigned nchunks = 0;
    for (unsigned i = 0; i < s->nbuilders; i++) {
        if (!s->builders[i]->finished) {
            set_err(s, "a builder was not finished");
            return STORE_ERR_INVALID;
        }
        if (s->builders[i]->nchunks > nchunks)
            nchunks = s->builders[i]->nchunks;
    }
    char *dir = store_build_dir(s->path);
    size_t len = dir ? strlen(dir) + 16 : 0;
    char *merged = dir ? malloc(len) : NULL;
    char **src = calloc(nchunks ? nchunks : 1, sizeof *src);
    int nomem = !merged || !src;
    for (unsigned i = 0; !nomem && i < nchunks; i++)
        nomem = !(src[i] = chunk_path(dir, i));
    if (nomem) {
        for (unsigned i = 0; src && i < nchunks; i++)
            free(src[i]);
        free(dir);
        free(merged);
        free(src);
        set_err(s, "out of memory");
        return STORE_ERR_NOMEM;
    }
    snprintf(merged, len, "%s/merged", dir);
    xc_db *m = NULL;
    int st = STORE_OK; /* a store_status */
    /* The chunks in order: their posts get the ids one writer gives them. */
    double w0 = store_wall_now(), c0 = store_cpu_now();
    int rc = xc_db_compact((const char *const *)src, nchunks, merged);
    s->merge_wall = store_wall_now() - w0;
    s->merge_cpu = store_cpu_now() - c0;
    if (rc != XC_OK)
        set_err(s, "cannot merge the chunks: %s", xc_errmsg());
    /* The merged database, locked by this process from now on: the lock on
     * PATH moves with it at the swap. */
    else if ((rc = xc_db_open_writable(merged, XC_DB_OPEN, &m)) != XC_OK)
        set_err(s, "cannot open the merged database: %s", xc_errmsg());
    else if ((st = store_write_run_meta(s, m)) != STORE_OK)
        ; /* message set */
    else if ((rc = xc_db_commit(m)) != XC_OK)
        set_err(s, "cannot commit the merged database: %s", xc_errmsg());
    /* The run's transaction on the empty database holds nothing. */
    else if ((rc = xc_db_cancel_transaction(s->db)) != XC_OK)
        set_err(s, "cannot end the transaction: %s", xc_errmsg());
    else if (renameat2(AT_FDCWD, merged, AT_FDCWD, s->path, RENAME_EXCHANGE) != 0) {
        set_err(s, "cannot swap %s and %s: %s", merged, s->path, strerror(errno));
        rc = XC_ERR_DATABASE;
    }
    for (unsigned i = 0; i < nchunks; i++)
        free(src[i]);
    free(src);
    free(merged);
    free(dir);
    if (rc != XC_OK || st != STORE_OK) {
        xc_db_close(m);
        store_build_discard(s);
        if (s->in_run) /* the target is untouched: end its (empty) transaction */
            xc_db_cancel_transaction(s->db);
        s->in_run = 0;
        s->glossary_changed = 0;
        if (st != STORE_OK)
            return st;
        return rc == XC_ERR_NOMEM ? STORE_ERR_NOMEM : STORE_ERR_DB;
    }
    /* Committed: PATH is the new database. What follows only tidies up. */
    sync_parent(s->path);
    s->in_run = 0;
    s->fresh = 0;
    xc_db_close(s->db); /* the old, empty database, now in the build directory */
    xc_db_close(m);     /* its handle names the build directory: reopen by PATH */
    s->db = NULL;
    if (xc_db_open_writable(s->path, XC_DB_OPEN, &s->db) != XC_OK) {
        /* Another writer took the lock in between: harmless for this run,
         * which has ended; the store cannot start another one. */
        s->db = NULL;
        s->db_lost = 1;
    }
    store_build_discard(s);
    /* The posts of this run are the database's now: a next run of this
     * store reads them again (store_begin) before comparing. */
    s->reload_old = 1;
    return STORE_OK;
}
