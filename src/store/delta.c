/* delta.c: the live writer's delta database (see store.h, LIVE DELTA): a
 * small database at PATH/live that takes the live writes, with their
 * markers and tombstones, and the fold that applies it to the main
 * database (on a thread of its own, if the writer wants, while the
 * writes go on into the delta) and then takes the folded documents out
 * of the delta. */
#include <config.h>

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "store/schema.h"
#include "store/store-internal.h"

char *store_path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + 1 + strlen(name) + 1;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

char *store_delta_path(const char *path)
{
    return store_path_join(path, SCH_DELTA_DIR);
}

int store_delta_open(store *s, int create)
{
    if (s->delta)
        return STORE_OK;
    char *dp = store_delta_path(s->path);
    if (!dp) {
        snprintf(s->err, sizeof s->err, "out of memory");
        return STORE_ERR_NOMEM;
    }
    size_t n = strlen(dp) + sizeof "/iamglass";
    char *version = malloc(n);
    struct stat st;
    int exists = version && snprintf(version, n, "%s/iamglass", dp) > 0 && stat(version, &st) == 0;
    free(version);
    int rc = XC_OK;
    /* Beside a journal, the delta's commits are not synced: the journal
     * is (store-internal.h, THE JOURNAL). */
    if (exists || create)
        rc = xc_db_open_writable_flags(dp, XC_DB_CREATE_OR_OPEN,
                                       s->jfd >= 0 ? XC_DB_NO_SYNC : 0u, &s->delta);
    if (rc != XC_OK) {
        s->delta = NULL;
        snprintf(s->err, sizeof s->err, "%s: cannot open the live delta database: %s", dp,
                 xc_errmsg());
        free(dp);
        return store_from_xc(rc);
    }
    free(dp);
    s->delta_docs = 0;
    if (s->delta && xc_db_doccount(s->delta, &s->delta_docs) != XC_OK) {
        snprintf(s->err, sizeof s->err, "cannot read the live delta database: %s", xc_errmsg());
        return STORE_ERR_DB;
    }
    return STORE_OK;
}

/* The pending spelling words of a prepared post, as the delta keeps them
 * (SCH_DELTA_SLOT_SPELL): "COUNT WORD\n" each. */
static char *spell_value(const store_prepared *p, size_t *len)
{
    size_t n = 1;
    for (size_t i = 0; i < p->nspell; i++)
        n += strlen(p->spell[i].word) + 12;
    char *v = malloc(n), *q = v;
    if (!v)
        return NULL;
    for (size_t i = 0; i < p->nspell; i++)
        q += snprintf(q, n - (size_t)(q - v), "%u %s\n", (unsigned)p->spell[i].count,
                      p->spell[i].word);
    *len = (size_t)(q - v);
    return v;
}

/* A post put or deleted in the delta while a fold runs: its delta copy is
 * not the one the fold may have read, so store_fold_end keeps it. */
static void changed_during_fold(store *s, const char *id)
{
    if (!s->folding)
        return;
    idmap_entry *e;
    int added;
    if (idmap_put(&s->fold_changed, id, strlen(id), &e, &added) != 0)
        s->fold_changed_lost = 1; /* out of memory: nothing is removed */
}

int store_delta_put(store *s, const store_prepared *p)
{
    char idterm[260];
    snprintf(idterm, sizeof idterm, "%s%s", SCH_ID, p->id);
    changed_during_fold(s, p->id);
    size_t vlen = 0;
    char *v = spell_value(p, &vlen);
    if (!v)
        return XC_ERR_NOMEM;
    int rc = xc_doc_add_boolean_term(p->doc, SCH_DELTA_TERM, strlen(SCH_DELTA_TERM));
    if (rc == XC_OK && vlen)
        rc = xc_doc_set_value(p->doc, SCH_DELTA_SLOT_SPELL, v, vlen);
    free(v);
    if (rc == XC_OK)
        rc = xc_db_replace_document(s->delta, idterm, p->doc, NULL);
    return rc;
}

int store_delta_tombstone(store *s, const char *id)
{
    char idterm[260];
    int n = snprintf(idterm, sizeof idterm, "%s%s", SCH_ID, id);
    changed_during_fold(s, id);
    xc_doc *d = NULL;
    int rc = xc_doc_new(&d);
    if (rc == XC_OK)
        rc = xc_doc_add_boolean_term(d, idterm, (size_t)n);
    if (rc == XC_OK)
        rc = xc_doc_add_boolean_term(d, SCH_DELTA_TERM, strlen(SCH_DELTA_TERM));
    if (rc == XC_OK)
        rc = xc_doc_add_boolean_term(d, SCH_DELTA_DEAD, strlen(SCH_DELTA_DEAD));
    if (rc == XC_OK)
        rc = xc_db_replace_document(s->delta, idterm, d, NULL);
    xc_doc_free(d);
    return rc;
}

/* The pending spelling words of a delta document (SCH_DELTA_SLOT_SPELL,
 * "COUNT WORD\n" lines) appended to *buf, and the slot emptied. The fold
 * keeps them as pending words of the main database (xapian-c.h, PENDING
 * SPELLING WORDS), not in its spelling table: add_spelling() at fold after
 * fold corrupted the database (bench/NOTES.md, phase 9). */
static int take_spelling(xc_doc *doc, store_jbuf *buf)
{
    const char *v;
    size_t len;
    if (xc_doc_get_value(doc, SCH_DELTA_SLOT_SPELL, &v, &len) != XC_OK || len == 0)
        return XC_OK;
    if (store_jbuf_add(buf, v, len) || (v[len - 1] != '\n' && store_jbuf_add(buf, "\n", 1)))
        return XC_ERR_NOMEM;
    return xc_doc_set_value(doc, SCH_DELTA_SLOT_SPELL, "", 0);
}

/* One delta document (its id term, NUL-terminated) read from delta whole
 * into memory: nothing of it is read from the delta once it is written
 * into the main database (a read failing there would make Xapian cancel
 * every change of the fold so far: xc_doc_materialize). XC_ERR_NOT_FOUND,
 * XC_ERR_MODIFIED or XC_ERR_CORRUPT: read from a revision that a commit
 * overwrote, to read again. */
static int fold_read(xc_db *delta, const char *term, xc_doc **out)
{
    *out = NULL;
    xc_doc *doc = NULL;
    int rc = xc_db_get_document_by_term(delta, term, &doc);
    if (rc == XC_OK)
        rc = xc_doc_materialize(doc);
    if (rc != XC_OK) {
        xc_doc_free(doc);
        return rc;
    }
    *out = doc;
    return XC_OK;
}

/* A document read by fold_read into main: deleted there (a tombstone) or
 * put in place of main's copy. Any error here ends the fold: the main
 * database may have cancelled the fold's earlier changes with it. */
static int fold_write(xc_db *main, const char *term, xc_doc *doc, store_jbuf *spell)
{
    if (xc_doc_remove_term(doc, SCH_DELTA_DEAD, strlen(SCH_DELTA_DEAD)) == XC_OK)
        return xc_db_delete_document(main, term, NULL);
    int rc = xc_doc_remove_term(doc, SCH_DELTA_TERM, strlen(SCH_DELTA_TERM));
    if (rc == XC_ERR_NOT_FOUND)
        rc = XC_OK;
    if (rc == XC_OK)
        rc = take_spelling(doc, spell);
    if (rc == XC_OK)
        rc = xc_db_replace_document(main, term, doc, NULL);
    return rc;
}

/* A fold in progress (store_fold_begin .. store_fold_end). */
struct store_folding {
    store *s;
    xc_db *main;       /* s->db: the fold's alone until store_fold_end */
    char *delta_path;  /* read through a handle of the fold's own */
    char **ids;        /* the delta's id terms at store_fold_begin */
    xc_doc **docs;     /* their documents kept in memory, or NULL (to read) */
    size_t nids;
    int rc;            /* store_fold_run's status */
    uint64_t jupto;    /* the journal's segments it makes useless */
    uint64_t main_rev; /* the main database's revision after it */
    char err[1024];
};

static void fold_free(store_folding *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->nids; i++) {
        free(f->ids[i]);
        if (f->docs)
            xc_doc_free(f->docs[i]);
    }
    free(f->ids);
    free(f->docs);
    free(f->delta_path);
    free(f);
}

int store_fold_begin(store *s, store_folding **out)
{
    *out = NULL;
    if (!s)
        return STORE_ERR_INVALID;
    if (s->in_run || s->folding) {
        snprintf(s->err, sizeof s->err, "a run or a fold is open: end it before a fold");
        return STORE_ERR_INVALID;
    }
    if (s->db_lost) {
        snprintf(s->err, sizeof s->err, "the store lost its database: open it again");
        return STORE_ERR_LOCKED;
    }
    if (!s->delta || s->delta_docs == 0 || s->read_only)
        return STORE_OK; /* nothing to fold: *out stays NULL */
    store_folding *f = calloc(1, sizeof *f);
    if (!f || !(f->delta_path = store_delta_path(s->path))) {
        fold_free(f);
        snprintf(s->err, sizeof s->err, "out of memory");
        return STORE_ERR_NOMEM;
    }
    f->s = s;
    f->main = s->db;
    /* The ids the delta holds as last committed: what the fold applies. */
    xc_iter *it = NULL;
    int rc = xc_db_allterms(s->delta, SCH_ID, &it);
    const char *term;
    size_t len, cap = 0;
    while (rc == XC_OK && xc_iter_next(it, &term, &len, NULL, NULL) == XC_OK) {
        if (len >= 260)
            continue; /* cannot be an id term the store wrote */
        if (f->nids == cap) {
            size_t nc = cap ? cap * 2 : 256;
            char **g = realloc(f->ids, nc * sizeof *g);
            if (!g) {
                rc = XC_ERR_NOMEM;
                break;
            }
            f->ids = g;
            cap = nc;
        }
        if (!(f->ids[f->nids] = strndup(term, len))) {
            rc = XC_ERR_NOMEM;
            break;
        }
        f->nids++;
    }
    xc_iter_free(it);
    if (rc != XC_OK) {
        snprintf(s->err, sizeof s->err, "cannot read the live delta database: %s",
                 rc == XC_ERR_NOMEM ? "out of memory" : xc_errmsg());
        fold_free(f);
        return store_from_xc(rc);
    }
    /* The listed posts' copies (THE FOLD'S COPIES): the fold's from now on.
     * Without room for them, every post is read from the delta. */
    f->docs = calloc(f->nids ? f->nids : 1, sizeof *f->docs);
    for (size_t i = 0; f->docs && i < f->nids; i++)
        f->docs[i] = copies_take(&s->copies, f->ids[i] + strlen(SCH_ID));
    /* The writes from now on into a new segment of the journal: the older
     * ones are removed once this fold's commit holds them. */
    int jrc = store_journal_rotate(s, &f->jupto);
    if (jrc != STORE_OK) {
        fold_free(f);
        return jrc;
    }
    idmap_free(&s->fold_changed);
    idmap_init(&s->fold_changed);
    s->fold_changed_lost = 0;
    s->folding = f;
    *out = f;
    return STORE_OK;
}

/* A delta document read for the fold: a commit of the delta may overwrite
 * the revision the fold's handle reads, which is then reopened (the
 * latest copy is as good: store_fold_end keeps what changed). */
#define FOLD_READ_TRIES 32

/* The pause before the next read of a delta document after try t (1, 2,
 * ...): none at first, then growing to 16 ms. The fold's thread runs
 * nicer than the writer's, whose commits come every few milliseconds
 * under load: read at once, a try may meet the next commit again. */
static void fold_read_pause(int t)
{
    if (t < 3)
        return;
    long ms = t - 2 < 16 ? t - 2 : 16;
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, NULL);
}

int store_fold_run(store_folding *f)
{
    xc_db *rd = NULL;
    /* (opened while the writer commits: tried again as a read is) */
    const char *stage = "open the delta";
    int rc = xc_db_open(f->delta_path, &rd);
    for (int t = 1; (rc == XC_ERR_MODIFIED || rc == XC_ERR_CORRUPT) && t < FOLD_READ_TRIES; t++) {
        fold_read_pause(t);
        rc = xc_db_open(f->delta_path, &rd);
    }
    if (rc == XC_OK) {
        stage = "begin its transaction on the main database";
        rc = xc_db_begin_transaction(f->main, 1);
    }
    int in_txn = rc == XC_OK;
    const char *unread = NULL; /* a listed post the handle never found */
    store_jbuf spell = {0};    /* the folded posts' spelling words */
    for (size_t i = 0; rc == XC_OK && i < f->nids; i++) {
        xc_doc *doc = f->docs ? f->docs[i] : NULL;
        stage = "read a post of the delta";
        if (doc)
            f->docs[i] = NULL; /* its copy: nothing to read */
        else
            rc = fold_read(rd, f->ids[i], &doc);
        /* Listed at store_fold_begin, and no document leaves the delta
         * before store_fold_end: a post not found was read from an older
         * revision. Read again; never skip it, as store_fold_end would
         * then take it out of the delta unfolded. */
        for (int t = 1; (rc == XC_ERR_MODIFIED || rc == XC_ERR_CORRUPT || rc == XC_ERR_NOT_FOUND) &&
                        t < FOLD_READ_TRIES;
             t++) {
            fold_read_pause(t);
            xc_db_reopen(rd, NULL);
            rc = fold_read(rd, f->ids[i], &doc);
        }
        if (rc == XC_ERR_NOT_FOUND)
            unread = f->ids[i];
        if (rc == XC_OK) {
            stage = "write a post into the main database";
            rc = fold_write(f->main, f->ids[i], doc, &spell); /* (never tried again) */
        }
        xc_doc_free(doc);
    }
    xc_db_close(rd);
    /* The run's metadata, as store_write_run_meta writes it for a live
     * writer's store (no glossary, no shard of its own): the schema, the
     * time, and the exported tables of a database that keeps them. */
    if (rc == XC_OK) {
        stage = "keep the spelling words";
        rc = xc_db_add_pending_spellings(f->main, (const char *)spell.data, spell.len);
    }
    free(spell.data);
    if (rc == XC_OK) {
        stage = "write the main database's metadata";
        char now[32];
        time_t t = time(NULL);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
        rc = xc_db_set_metadata(f->main, SCH_META_VERSION, SCH_VERSION, strlen(SCH_VERSION));
        if (rc == XC_OK)
            rc = xc_db_set_metadata(f->main, SCH_META_LAST_INDEX, now, strlen(now));
        char *v = NULL;
        size_t vl = 0;
        if (rc == XC_OK && xc_db_get_metadata(f->main, "xc.export.gen", &v, &vl) == XC_OK && vl)
            rc = xc_db_export_tables(f->main);
        free(v);
    }
    if (rc == XC_OK) {
        stage = "commit the main database";
        rc = xc_db_commit_transaction(f->main);
        in_txn = 0;
    }
    if (rc != XC_OK) {
        if (unread)
            snprintf(f->err, sizeof f->err,
                     "cannot fold the live delta: its post %.200s is listed but cannot be read",
                     unread + strlen(SCH_ID));
        else
            snprintf(f->err, sizeof f->err, "cannot fold the live delta: cannot %s: %s", stage,
                     rc == XC_ERR_NOMEM ? "out of memory" : xc_errmsg());
        if (in_txn)
            xc_db_cancel_transaction(f->main);
        f->rc = store_from_xc(rc);
        return f->rc;
    }
    if (xc_db_revision(f->main, &f->main_rev) != XC_OK)
        f->main_rev = 0;
    f->rc = STORE_OK;
    return STORE_OK;
}

/* After a failed fold: the main database's handle closed and opened again
 * at its last commit, rather than written through again after its
 * cancelled transaction (a conservative rule: the corruption that first
 * seemed to follow a failed fold came from the spelling table, see
 * take_spelling; a fresh handle reads everything from the last commit).
 * The writer lock is let go in between: when another writer takes it, or
 * the open fails, the store is lost (db_lost: its next run fails; open it
 * again). */
static void reopen_main(store *s)
{
    xc_db_close(s->db);
    s->db = NULL;
    if (xc_db_open_writable(s->path, XC_DB_OPEN, &s->db) != XC_OK) {
        s->db = NULL;
        s->db_lost = 1;
    }
}

int store_fold_end(store *s, store_folding *f)
{
    if (!f)
        return STORE_OK;
    assert(s == f->s && s->folding == f && !s->in_run);
    s->folding = NULL;
    int rc = f->rc;
    if (rc != STORE_OK) {
        snprintf(s->err, sizeof s->err, "%s", f->err);
        s->main_rev_known = 0;
        idmap_free(&s->fold_changed);
        fold_free(f);
        reopen_main(s);
        return rc;
    }
    s->main_rev = f->main_rev;
    s->main_rev_known = f->main_rev != 0;
    /* The main database's commit is synced and holds every write of the
     * segments before the fold began (or a newer copy): they go. (Failing
     * that, they stay, removed at the next fold, or applied again, to the
     * same result, at the next writable open.) */
    store_journal_drop(s, f->jupto);
    /* The folded documents out of the delta, but those put or deleted
     * again since store_fold_begin (their delta copy may be newer than the
     * one folded; the next fold applies it). Killed before this commit,
     * the next fold applies the same documents again: the same result. */
    int xrc = XC_OK;
    if (!s->fold_changed_lost)
        for (size_t i = 0; xrc == XC_OK && i < f->nids; i++) {
            const char *id = f->ids[i] + strlen(SCH_ID);
            if (!idmap_get(&s->fold_changed, id, strlen(id)))
                xrc = xc_db_delete_document(s->delta, f->ids[i], NULL);
        }
    if (xrc == XC_OK)
        xrc = xc_db_commit(s->delta);
    idmap_free(&s->fold_changed);
    fold_free(f);
    if (xrc != XC_OK) {
        snprintf(s->err, sizeof s->err, "cannot empty the live delta: %s", xc_errmsg());
        return store_from_xc(xrc);
    }
    if (xc_db_doccount(s->delta, &s->delta_docs) != XC_OK)
        s->delta_docs = 1; /* folded anyway at the next fold */
    s->folds++;
    return STORE_OK;
}

int store_fold(store *s)
{
    store_folding *f = NULL;
    int rc = store_fold_begin(s, &f);
    if (rc != STORE_OK || !f)
        return rc;
    store_fold_run(f);
    return store_fold_end(s, f);
}

int store_fold_busy(const store *s)
{
    return s && s->folding;
}

int store_main_revision(store *s, uint64_t *rev)
{
    if (s->folding || s->main_rev_known) {
        /* (during a fold the main database is the fold's) */
        *rev = s->main_rev;
        return XC_OK;
    }
    int rc = xc_db_revision(s->db, rev);
    if (rc == XC_OK) {
        s->main_rev = *rev;
        s->main_rev_known = 1;
    }
    return rc;
}

int store_delta_size(const store *s, uint32_t *docs)
{
    if (!s || !docs)
        return STORE_ERR_INVALID;
    *docs = s->delta ? s->delta_docs : 0;
    return STORE_OK;
}
