/* store.c: one run of the indexer against the database (see store.h):
 * the lock, the table of (id, hash) read at open, the transaction that
 * makes a run atomic, add/replace/unchanged decisions, pruning, spelling
 * and the metadata written at commit. */
#include <config.h>

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "store/schema.h"
#include "store/store-internal.h"

static void set_err(store *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, sizeof s->err, fmt, ap);
    va_end(ap);
}

/* The database a run writes to: the delta in a live run of a store opened
 * with live_delta, else the main one. */
static xc_db *run_db(const store *s)
{
    return s->live && s->delta ? s->delta : s->db;
}

int store_from_xc(int rc)
{
    switch (rc) {
    case XC_OK: return STORE_OK;
    case XC_ERR_NOMEM: return STORE_ERR_NOMEM;
    case XC_ERR_LOCKED: return STORE_ERR_LOCKED;
    case XC_ERR_INVALID_ARG: return STORE_ERR_INVALID;
    default: return STORE_ERR_DB;
    }
}

const char *store_errmsg(const store *s)
{
    return s ? s->err : "no store";
}

const char *store_notice(const store *s)
{
    return s ? s->notice : "";
}

/* mkdir -p of the parent directories of path (not path itself: Xapian
 * creates the database directory). */
static int make_parents(const char *path, char *err, size_t errlen)
{
    char *p = strdup(path);
    if (!p)
        return STORE_ERR_NOMEM;
    for (char *q = p + 1; *q; q++) {
        if (*q != '/')
            continue;
        *q = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            snprintf(err, errlen, "%s: cannot create directory %s: %s", path, p, strerror(errno));
            free(p);
            return STORE_ERR_DB;
        }
        *q = '/';
    }
    free(p);
    return STORE_OK;
}

/* Reads every (id, hash) pair from the SCH_HASHID terms: one lexicon scan. */
int store_load_hashes(store *s)
{
    xc_iter *it = NULL;
    int rc = xc_db_allterms(s->db, SCH_HASHID, &it);
    if (rc != XC_OK) {
        set_err(s, "cannot read the database: %s", xc_errmsg());
        return store_from_xc(rc);
    }
    const char *term;
    size_t len, pl = strlen(SCH_HASHID);
    while ((rc = xc_iter_next(it, &term, &len, NULL, NULL)) == XC_OK) {
        if (len <= pl + 16)
            continue;
        idmap_entry *e;
        int added;
        if (idmap_put(&s->old, term + pl + 16, len - pl - 16, &e, &added) != 0) {
            xc_iter_free(it);
            set_err(s, "out of memory");
            return STORE_ERR_NOMEM;
        }
        memcpy(e->hash, term + pl, 16);
        e->hash[16] = '\0';
    }
    xc_iter_free(it);
    if (rc != XC_DONE) {
        set_err(s, "cannot read the database: %s", xc_errmsg());
        return store_from_xc(rc);
    }
    return STORE_OK;
}

int store_open(const char *path, const store_options *opt, store **out, char *err,
               size_t errlen)
{
    char dummy[8];
    if (!err || !errlen) {
        err = dummy;
        errlen = sizeof dummy;
    }
    err[0] = '\0';
    if (!path || !out) {
        snprintf(err, errlen, "invalid argument");
        return STORE_ERR_INVALID;
    }
    *out = NULL;
    store *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return STORE_ERR_NOMEM;
    }
    idmap_init(&s->old);
    idmap_init(&s->seen);
    idmap_init(&s->spell);
    copies_init(&s->copies, STORE_COPIES_MAX_BYTES);
    s->jfd = -1;
    s->title_weight = opt && opt->title_weight ? opt->title_weight : 3;
    s->read_only = opt ? opt->read_only : 0;
    s->use_delta = opt && opt->live_delta && !s->read_only;
    if (!(s->path = strdup(path))) {
        store_close(s);
        snprintf(err, errlen, "out of memory");
        return STORE_ERR_NOMEM;
    }
    if (opt && opt->shard && !(s->shard = strdup(opt->shard))) {
        snprintf(err, errlen, "out of memory");
        store_close(s);
        return STORE_ERR_NOMEM;
    }
    if (opt && opt->glossary_path && !(s->glossary_path = strdup(opt->glossary_path))) {
        store_close(s);
        snprintf(err, errlen, "out of memory");
        return STORE_ERR_NOMEM;
    }
    if (store_worker_new(&s->worker) != STORE_OK) { /* (the open's journal uses it) */
        snprintf(err, errlen, "out of memory");
        store_close(s);
        return STORE_ERR_NOMEM;
    }
    int rc, hashes_loaded = 0;
    if (s->read_only) {
        rc = xc_db_open(path, &s->db);
        if (rc == XC_ERR_NOT_FOUND) {
            s->db = NULL; /* a dry run against no database: every post is new */
            rc = XC_OK;
        }
    } else {
        rc = make_parents(path, err, errlen);
        if (rc != STORE_OK) {
            store_close(s);
            return rc;
        }
        rc = xc_db_open_writable(path, XC_DB_CREATE_OR_OPEN, &s->db);
    }
    if (rc != XC_OK) {
        if (rc == XC_ERR_LOCKED)
            snprintf(err, errlen,
                     "%s: database is locked by another indexer or by the daemon's live writer",
                     path);
        else
            snprintf(err, errlen, "%s: cannot open the database: %s", path, xc_errmsg());
        store_close(s);
        return store_from_xc(rc);
    }
    if (s->db && !s->read_only) {
        /* What a killed parallel build left beside the database: nobody else
         * can be using it, as this process holds the lock. */
        char *dir = store_build_dir(path);
        if (dir)
            store_remove_tree(dir);
        free(dir);
        if (store_journal_exists(path)) {
            /* The journal of a live writer: what it holds and no synced
             * commit of the main database does (a daemon killed, or the
             * machine stopped) applied again, the delta thrown away. */
            rc = store_load_hashes(s);
            if (rc == STORE_OK) {
                hashes_loaded = 1;
                rc = store_journal_recover(s);
            }
        } else {
            /* A live delta of an older daemon, synced, left by a kill
             * before its fold: applied first. */
            rc = store_delta_open(s, 0);
            if (rc == STORE_OK)
                rc = store_fold(s);
            xc_db_close(s->delta);
            s->delta = NULL;
            copies_clear(&s->copies);
        }
        if (rc == STORE_OK && s->use_delta) {
            /* The journal first: the delta is written without syncs only
             * beside it. */
            rc = store_journal_open(s);
            if (rc == STORE_OK)
                rc = store_delta_open(s, 1);
        }
        if (rc != STORE_OK) {
            snprintf(err, errlen, "%s: %s", path, s->err);
            store_close(s);
            return rc;
        }
        uint32_t last = 0;
        if (xc_db_lastdocid(s->db, &last) == XC_OK && last == 0)
            s->fresh = 1;
    }
    if (s->db && !hashes_loaded && (rc = store_load_hashes(s)) != STORE_OK) {
        snprintf(err, errlen, "%s: %s", path, s->err);
        store_close(s);
        return rc;
    }
    *out = s;
    return STORE_OK;
}

void store_close(store *s)
{
    if (!s)
        return;
    if (s->in_run)
        store_cancel(s);
    assert(!s->folding); /* store_fold_end() first */
    idmap_free(&s->fold_changed);
    store_build_discard(s);
    int folded = s->delta && s->delta_docs == 0 && store_journal_clean(s);
    xc_db_close(s->delta);
    copies_clear(&s->copies);
    if (folded)
        store_journal_close_clean(s); /* (failing that, the next open
                                         throws the empty delta away) */
    store_journal_close(s);
    free(s->jdir);
    free(s->jrun.data);
    xc_db_close(s->db);
    free(s->path);
    idmap_free(&s->old);
    idmap_free(&s->seen);
    idmap_free(&s->spell);
    store_worker_free(s->worker);
    free(s->glossary_path);
    free(s->shard);
    free(s);
}

static int begin(store *s, int live)
{
    if (!s)
        return STORE_ERR_INVALID;
    if (s->in_run) {
        set_err(s, "a run is already open");
        return STORE_ERR_INVALID;
    }
    if (s->db_lost) {
        set_err(s, "the store lost its database (after a parallel build or a failed fold, "
                   "another writer took it or it could not be opened again): open it again");
        return STORE_ERR_LOCKED;
    }
    if (s->reload_old && s->folding) {
        /* (the table is read from the main database, the fold's now) */
        set_err(s, "the store must be opened again after a failure");
        return STORE_ERR_DB;
    }
    if (s->reload_old) {
        idmap_free(&s->old);
        int rc = store_load_hashes(s);
        if (rc != STORE_OK)
            return rc;
        s->reload_old = 0;
    }
    memset(&s->counts, 0, sizeof s->counts);
    store_journal_reset_run(s);
    idmap_free(&s->seen);
    idmap_free(&s->spell);
    s->failed = 0;
    s->pruned = 0;
    s->live = live;
    s->glossary_changed = 0;
    if (s->db && !s->read_only) {
        int rc = xc_db_begin_transaction(run_db(s), 1);
        if (rc != XC_OK) {
            set_err(s, "cannot start a transaction: %s", xc_errmsg());
            return store_from_xc(rc);
        }
    }
    s->in_run = 1;
    return STORE_OK;
}

int store_begin(store *s)
{
    return begin(s, 0);
}

int store_begin_live(store *s)
{
    return begin(s, 1);
}

const char *store_current_hash(const store *s, const char *id)
{
    size_t len = strlen(id);
    if (s->live) {
        const idmap_entry *e = idmap_get(&s->seen, id, len);
        if (e)
            return e->hash[0] ? e->hash : NULL;
    }
    const idmap_entry *e = idmap_get(&s->old, id, len);
    return e ? e->hash : NULL;
}

int store_glossary_changed(const store *s)
{
    return s ? s->glossary_changed : 0;
}

void store_get_counts(const store *s, store_counts *c)
{
    if (!s || !c)
        return;
    *c = s->counts;
    for (unsigned i = 0; i < s->nbuilders; i++)
        if (s->builders[i])
            c->added += s->builders[i]->added;
}

int store_claim(store *s, const imp_post *post)
{
    if (!s || !post || !post->id)
        return STORE_ERR_INVALID;
    if (!s->in_run || s->failed) {
        set_err(s, s->failed ? "the run has failed" : "no run is open");
        return STORE_ERR_INVALID;
    }
    idmap_entry *seen;
    int fresh;
    if (idmap_put(&s->seen, post->id, strlen(post->id), &seen, &fresh) != 0) {
        set_err(s, "out of memory");
        s->failed = 1;
        return STORE_ERR_NOMEM;
    }
    if (!fresh) {
        char where[512] = "";
        if (post->source)
            snprintf(where, sizeof where, "%s:%lu", post->source, post->line);
        set_err(s, "%s%sduplicate id \"%s\" in this run (the first one is kept)", where,
                where[0] ? ": " : "", post->id);
        s->counts.rejected++;
        return STORE_ERR_RECORD;
    }
    seen->n = 1;
    return STORE_OK;
}

static int add_spelling(store *s, const store_prepared *p)
{
    for (size_t i = 0; i < p->nspell; i++) {
        idmap_entry *e;
        int added;
        if (idmap_put(&s->spell, p->spell[i].word, strlen(p->spell[i].word), &e, &added) != 0)
            return STORE_ERR_NOMEM;
        e->n += p->spell[i].count;
    }
    return STORE_OK;
}

int store_apply(store *s, store_prepared *p, store_outcome *outcome)
{
    if (!s || !p) {
        store_prepared_free(p);
        return STORE_ERR_INVALID;
    }
    if (!s->in_run || s->failed) {
        set_err(s, s->failed ? "the run has failed" : "no run is open");
        store_prepared_free(p);
        return STORE_ERR_INVALID;
    }
    /* What the database holds for this id now, before the run names it. */
    const char *cur = store_current_hash(s, p->id);
    int exists = cur != NULL;
    idmap_entry *seen;
    int fresh;
    if (idmap_put(&s->seen, p->id, strlen(p->id), &seen, &fresh) != 0) {
        set_err(s, "out of memory");
        store_prepared_free(p);
        s->failed = 1;
        return STORE_ERR_NOMEM;
    }
    if (!fresh && !s->live) {
        set_err(s, "%s%sduplicate id \"%s\" in this run (the first one is kept)", p->where,
                p->where[0] ? ": " : "", p->id);
        s->counts.rejected++;
        store_prepared_free(p);
        return STORE_ERR_RECORD;
    }
    store_outcome oc;
    int rc = STORE_OK;
    if (p->unchanged) {
        oc = STORE_UNCHANGED;
    } else if (s->live && s->delta) {
        oc = exists ? STORE_UPDATED : STORE_ADDED;
        rc = store_delta_put(s, p);
        if (rc == XC_OK) {
            /* The delta's document, kept for the fold (THE FOLD'S COPIES):
             * a note that fails only costs the fold a read. */
            copies_note_change(&s->copies, p->id, p->doc, p->doc_bytes);
            p->doc = NULL;
        }
    } else if (exists) {
        oc = STORE_UPDATED;
        if (s->db && !s->read_only) {
            char idterm[260];
            snprintf(idterm, sizeof idterm, "%s%s", SCH_ID, p->id);
            rc = xc_db_replace_document(s->db, idterm, p->doc, NULL);
        }
    } else {
        oc = STORE_ADDED;
        if (s->db && !s->read_only)
            rc = xc_db_add_document(s->db, p->doc, NULL);
    }
    if (rc != XC_OK) {
        set_err(s, "cannot write post \"%s\": %s", p->id, xc_errmsg());
        store_prepared_free(p);
        s->failed = 1;
        return store_from_xc(rc);
    }
    seen->n = 1;
    memcpy(seen->hash, p->hash, sizeof seen->hash);
    if (!p->unchanged && !(s->live && s->delta) && add_spelling(s, p) != STORE_OK) {
        set_err(s, "out of memory");
        store_prepared_free(p);
        s->failed = 1;
        return STORE_ERR_NOMEM;
    }
    if (oc == STORE_ADDED)
        s->counts.added++;
    else if (oc == STORE_UPDATED)
        s->counts.updated++;
    else
        s->counts.unchanged++;
    if (outcome)
        *outcome = oc;
    store_prepared_free(p);
    return STORE_OK;
}

int store_put(store *s, const imp_post *post, store_outcome *outcome)
{
    if (!s || !post)
        return STORE_ERR_INVALID;
    if (!s->in_run) {
        set_err(s, "no run is open");
        return STORE_ERR_INVALID;
    }
    store_prepared *p = NULL;
    int rc = store_prepare(s, s->worker, post, &p, s->err, sizeof s->err);
    if (rc == STORE_ERR_RECORD) {
        s->counts.rejected++;
        return rc;
    }
    if (rc != STORE_OK)
        return rc;
    store_outcome oc = STORE_UNCHANGED;
    rc = store_apply(s, p, &oc);
    if (rc == STORE_OK && s->live && s->delta && oc != STORE_UNCHANGED &&
        store_journal_add_put(s, post) != STORE_OK) {
        set_err(s, "out of memory");
        s->failed = 1;
        return STORE_ERR_NOMEM;
    }
    if (outcome)
        *outcome = oc;
    return rc;
}

int store_delete(store *s, const char *id, int *found)
{
    if (found)
        *found = 0;
    if (!s || !id)
        return STORE_ERR_INVALID;
    if (!s->in_run || s->failed) {
        set_err(s, s->failed ? "the run has failed" : "no run is open");
        return STORE_ERR_INVALID;
    }
    if (!store_id_fits(id)) {
        set_err(s, "%s", id[0] ? "id too long" : "no id to delete");
        s->counts.rejected++;
        return STORE_ERR_RECORD;
    }
    /* The run's own changes count here in any run: this is the store's
     * thread, and no reader of the run's table runs beside it. */
    size_t len = strlen(id);
    const idmap_entry *e = idmap_get(&s->seen, id, len);
    if (!e)
        e = idmap_get(&s->old, id, len);
    int exists = e && e->hash[0];
    if (exists && s->db && !s->read_only) {
        char idterm[260];
        snprintf(idterm, sizeof idterm, "%s%s", SCH_ID, id);
        int rc = s->live && s->delta ? store_delta_tombstone(s, id)
                                     : xc_db_delete_document(s->db, idterm, NULL);
        if (rc == XC_OK && s->live && s->delta && store_journal_add_delete(s, id) != STORE_OK)
            rc = XC_ERR_NOMEM;
        if (rc == XC_OK && s->live && s->delta)
            copies_note_change(&s->copies, id, NULL, 0); /* (the fold reads tombstones) */
        if (rc != XC_OK) {
            set_err(s, "cannot delete post \"%s\": %s", id, xc_errmsg());
            s->failed = 1;
            return store_from_xc(rc);
        }
    }
    idmap_entry *seen;
    int added;
    if (idmap_put(&s->seen, id, len, &seen, &added) != 0) {
        set_err(s, "out of memory");
        s->failed = 1;
        return STORE_ERR_NOMEM;
    }
    seen->hash[0] = '\0';
    seen->n = 1;
    if (exists)
        s->counts.deleted++;
    if (found)
        *found = exists;
    return STORE_OK;
}

int store_prune(store *s, uint64_t *deleted)
{
    if (!s || !s->in_run || s->failed) {
        if (s)
            set_err(s, "no run is open");
        return STORE_ERR_INVALID;
    }
    uint64_t n = 0;
    for (size_t i = 0; i < s->old.cap; i++) {
        const idmap_entry *e = &s->old.slots[i];
        if (!e->key || idmap_get(&s->seen, e->key, strlen(e->key)))
            continue;
        if (s->db && !s->read_only) {
            char idterm[260];
            snprintf(idterm, sizeof idterm, "%s%s", SCH_ID, e->key);
            int rc = xc_db_delete_document(s->db, idterm, NULL);
            if (rc != XC_OK) {
                set_err(s, "cannot delete post \"%s\": %s", e->key, xc_errmsg());
                s->failed = 1;
                return store_from_xc(rc);
            }
        }
        n++;
    }
    s->counts.deleted += n;
    s->pruned = 1;
    if (deleted)
        *deleted = n;
    return STORE_OK;
}

/* Hash of the glossary file's bytes ("none" without one), to tell whether
 * the synonym table must be rewritten. */
static int glossary_digest(const char *path, char out[17])
{
    if (!path) {
        snprintf(out, 17, "none");
        return 0;
    }
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    uint64_t h = IDMAP_FNV_INIT;
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        h = idmap_fnv1a(h, buf, n);
    int bad = ferror(f);
    fclose(f);
    snprintf(out, 17, "%016llx", (unsigned long long)h);
    return bad ? -1 : 0;
}

int store_load_glossary(xc_db *db, const char *path, char *err, size_t errlen)
{
    char dummy[8];
    if (!err || !errlen) {
        err = dummy;
        errlen = sizeof dummy;
    }
    err[0] = '\0';
    if (!db)
        return STORE_ERR_INVALID;
    txt_glossary *g = NULL;
    if (path) {
        int trc = txt_glossary_load(path, &g, err, errlen);
        if (trc != TXT_OK) {
            if (!err[0])
                snprintf(err, errlen, "%s: cannot load the glossary", path);
            return trc == TXT_ERR_NOMEM ? STORE_ERR_NOMEM : STORE_ERR_GLOSSARY;
        }
    }
    int rc = xc_db_clear_all_synonyms(db);
    for (size_t i = 0; g && rc == XC_OK && i < txt_glossary_ngroups(g); i++) {
        size_t n;
        const char *const *e = txt_glossary_group(g, i, &n);
        for (size_t a = 0; rc == XC_OK && a < n; a++)
            for (size_t b = 0; rc == XC_OK && b < n; b++)
                if (a != b && e[a][0] && e[b][0] && strcmp(e[a], e[b]) != 0)
                    rc = xc_db_add_synonym(db, e[a], e[b]);
    }
    txt_glossary_free(g);
    if (rc != XC_OK) {
        snprintf(err, errlen, "cannot write the synonym table: %s", xc_errmsg());
        return store_from_xc(rc);
    }
    return STORE_OK;
}

static int set_meta(xc_db *db, store *s, const char *key, const char *value)
{
    int rc = xc_db_set_metadata(db, key, value, strlen(value));
    if (rc != XC_OK)
        set_err(s, "cannot write metadata: %s", xc_errmsg());
    return rc;
}

/* The value of a metadata key of s->db into out ("" when absent or
 * unreadable, or without a database). */
static void get_meta(const store *s, const char *key, char *out, size_t outlen)
{
    char *v = NULL;
    size_t len;
    out[0] = '\0';
    if (s->db && xc_db_get_metadata(s->db, key, &v, &len) == XC_OK && v)
        snprintf(out, outlen, "%s", v);
    free(v);
}

/* 1 if the configured glossary differs from the one s->db was last given
 * (a database given none, or none recorded, counts as "none"). 0 without a
 * configured glossary: the database's table is kept. -1 if the file cannot
 * be read (message set). */
static int glossary_differs(store *s, char digest[17])
{
    if (!s->glossary_path)
        return 0;
    if (glossary_digest(s->glossary_path, digest) != 0) {
        set_err(s, "%s: cannot read the glossary", s->glossary_path);
        return -1;
    }
    char had[32];
    get_meta(s, SCH_META_GLOSSARY, had, sizeof had);
    return strcmp(had[0] ? had : "none", digest) != 0;
}

/* Copies the synonym table and its glossary's digest from s->db to db (a
 * new database built aside, when no glossary is configured: the table the
 * database had stays). */
static int copy_synonyms(store *s, xc_db *db)
{
    xc_iter *keys = NULL;
    int rc = xc_db_synonym_keys(s->db, "", &keys);
    const char *key;
    size_t klen;
    while (rc == XC_OK && (rc = xc_iter_next(keys, &key, &klen, NULL, NULL)) == XC_OK) {
        char *k = strndup(key, klen);
        xc_iter *syn = NULL;
        if (!k) {
            rc = XC_ERR_NOMEM;
            break;
        }
        rc = xc_db_synonyms(s->db, k, &syn);
        const char *v;
        size_t vlen;
        while (rc == XC_OK && (rc = xc_iter_next(syn, &v, &vlen, NULL, NULL)) == XC_OK)
            rc = xc_db_add_synonym(db, k, v);
        if (rc == XC_DONE)
            rc = XC_OK;
        xc_iter_free(syn);
        free(k);
    }
    xc_iter_free(keys);
    if (rc != XC_DONE && rc != XC_OK) {
        set_err(s, "cannot copy the synonym table: %s", xc_errmsg());
        return store_from_xc(rc);
    }
    char had[32];
    get_meta(s, SCH_META_GLOSSARY, had, sizeof had);
    if (had[0] && set_meta(db, s, SCH_META_GLOSSARY, had) != XC_OK)
        return STORE_ERR_DB;
    return STORE_OK;
}

/* The glossary into the synonym table (when one is configured), and the
 * run's metadata, into db: s->db, or a new database built aside. */
int store_write_run_meta(store *s, xc_db *db)
{
    char digest[17];
    int differs = glossary_differs(s, digest);
    if (differs < 0)
        return STORE_ERR_GLOSSARY;
    if (s->glossary_path) {
        int grc = store_load_glossary(db, s->glossary_path, s->err, sizeof s->err);
        if (grc != STORE_OK)
            return grc;
        if (set_meta(db, s, SCH_META_GLOSSARY, digest) != XC_OK)
            return STORE_ERR_DB;
    } else if (db != s->db) {
        int crc = copy_synonyms(s, db);
        if (crc != STORE_OK)
            return crc;
    }
    char now[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (set_meta(db, s, SCH_META_VERSION, SCH_VERSION) != XC_OK ||
        set_meta(db, s, SCH_META_LAST_INDEX, now) != XC_OK)
        return STORE_ERR_DB;
    /* A shard: its spelling table and synonyms copied into the metadata,
       which is all Xapian's remote protocol reads of them (doc/SCALING.md) */
    char gen[32] = "";
    if (!s->shard) {
        char *v = NULL;
        size_t vl = 0;
        if (xc_db_get_metadata(db, "xc.export.gen", &v, &vl) == XC_OK && vl)
            snprintf(gen, sizeof gen, "%s", v);
        free(v);
    }
    if ((s->shard || gen[0]) && ((s->shard && set_meta(db, s, SCH_META_SHARD, s->shard) != XC_OK) ||
                                 xc_db_export_tables(db) != XC_OK)) {
        set_err(s, "cannot copy the spelling table and synonyms: %s", xc_errmsg());
        return STORE_ERR_DB;
    }
    s->glossary_changed = differs;
    return STORE_OK;
}

/* After a commit of this run: s->old becomes what the database now holds,
 * so that the store can run again. */
static int merge_run(store *s)
{
    if (s->pruned) {
        /* Every post the run did not name is gone: the database holds
         * exactly the named ones that have a hash. */
        idmap fresh;
        idmap_init(&fresh);
        for (size_t i = 0; i < s->seen.cap; i++) {
            const idmap_entry *e = &s->seen.slots[i];
            idmap_entry *o;
            int added;
            if (!e->key || !e->hash[0])
                continue;
            if (idmap_put(&fresh, e->key, strlen(e->key), &o, &added) != 0) {
                idmap_free(&fresh);
                return STORE_ERR_NOMEM;
            }
            memcpy(o->hash, e->hash, sizeof o->hash);
        }
        idmap_free(&s->old);
        s->old = fresh;
        return STORE_OK;
    }
    for (size_t i = 0; i < s->seen.cap; i++) {
        const idmap_entry *e = &s->seen.slots[i];
        if (!e->key)
            continue;
        size_t len = strlen(e->key);
        if (!e->hash[0]) {
            idmap_remove(&s->old, e->key, len);
            continue;
        }
        idmap_entry *o;
        int added;
        if (idmap_put(&s->old, e->key, len, &o, &added) != 0)
            return STORE_ERR_NOMEM;
        memcpy(o->hash, e->hash, sizeof o->hash);
    }
    return STORE_OK;
}

int store_commit(store *s)
{
    if (!s || !s->in_run) {
        if (s)
            set_err(s, "no run is open");
        return STORE_ERR_INVALID;
    }
    if (s->failed) {
        store_cancel(s);
        set_err(s, "the run has failed and was cancelled");
        return STORE_ERR_INVALID;
    }
    char digest[17];
    int differs = glossary_differs(s, digest);
    if (differs < 0) {
        char keep[sizeof s->err];
        memcpy(keep, s->err, sizeof keep);
        store_cancel(s);
        memcpy(s->err, keep, sizeof keep);
        return STORE_ERR_GLOSSARY;
    }
    if (!s->db || s->read_only) {
        s->glossary_changed = differs; /* what a real run would do */
        s->in_run = 0;
        return STORE_OK;
    }
    if (s->builders) {
        store_counts c;
        store_get_counts(s, &c);
        if (c.added > 0)
            return store_build_commit(s);
        store_build_discard(s); /* nothing in them: an ordinary commit */
    }
    int changed = s->counts.added || s->counts.updated || s->counts.deleted;
    if (s->live && s->delta) {
        /* Into the delta: the spelling words and the metadata go to the
         * main database at the fold. */
        if (!changed) {
            store_cancel(s);
            return STORE_OK;
        }
        /* Durable by the journal's record, synced here; the delta's
         * commit is not synced (THE JOURNAL, store-internal.h). */
        int jrc = store_journal_commit(s);
        if (jrc != STORE_OK) {
            char keep[sizeof s->err];
            memcpy(keep, s->err, sizeof keep);
            store_cancel(s);
            memcpy(s->err, keep, sizeof keep);
            return jrc;
        }
        int rc = xc_db_commit_transaction(s->delta);
        s->in_run = 0;
        if (rc == XC_OK)
            copies_commit(&s->copies);
        else
            copies_cancel(&s->copies);
        if (rc != XC_OK) {
            set_err(s, "cannot commit: %s", xc_errmsg());
            s->reload_old = 1;
            if (store_journal_undo(s) != STORE_OK) {
                /* The record stays: the next writable open applies it. */
                size_t n = strlen(s->err);
                snprintf(s->err + n, sizeof s->err - n,
                         " (and the journal could not be cut back: the write may be "
                         "applied at the next open)");
            }
            return store_from_xc(rc);
        }
        if (xc_db_doccount(s->delta, &s->delta_docs) != XC_OK)
            s->delta_docs = 1; /* folded anyway at the next fold */
        if (merge_run(s) != STORE_OK)
            s->reload_old = 1;
        return STORE_OK;
    }
    char version[32];
    get_meta(s, SCH_META_VERSION, version, sizeof version);
    if (!changed && !differs && strcmp(version, SCH_VERSION) == 0) {
        /* Nothing to write: no new revision, readers keep theirs. */
        store_cancel(s);
        return STORE_OK;
    }
    /* The live folds' pending spelling words (xapian-c.h) into the table,
     * with the run's own, at this one commit. */
    int rc = xc_db_apply_pending_spellings(s->db, NULL);
    for (size_t i = 0; rc == XC_OK && i < s->spell.cap; i++)
        if (s->spell.slots[i].key)
            rc = xc_db_add_spelling(s->db, s->spell.slots[i].key, s->spell.slots[i].n);
    if (rc != XC_OK) {
        set_err(s, "cannot write the spelling table: %s", xc_errmsg());
        store_cancel(s);
        return store_from_xc(rc);
    }
    int grc = store_write_run_meta(s, s->db);
    if (grc != STORE_OK) {
        char keep[sizeof s->err];
        memcpy(keep, s->err, sizeof keep);
        store_cancel(s);
        memcpy(s->err, keep, sizeof keep);
        return grc;
    }
    rc = xc_db_commit_transaction(s->db);
    s->in_run = 0;
    if (rc != XC_OK) {
        s->glossary_changed = 0;
        set_err(s, "cannot commit: %s", xc_errmsg());
        /* Whether the commit reached the disk is unknown: read it again. */
        s->reload_old = 1;
        return store_from_xc(rc);
    }
    if (merge_run(s) != STORE_OK)
        s->reload_old = 1; /* out of memory: read the table again next run */
    return STORE_OK;
}

int store_cancel(store *s)
{
    if (!s || !s->in_run)
        return s ? STORE_OK : STORE_ERR_INVALID;
    s->in_run = 0;
    s->glossary_changed = 0; /* a cancelled run changes nothing */
    copies_cancel(&s->copies);
    store_build_discard(s);
    if (s->db && !s->read_only) {
        int rc = xc_db_cancel_transaction(run_db(s));
        if (rc != XC_OK) {
            set_err(s, "cannot cancel the transaction: %s", xc_errmsg());
            return store_from_xc(rc);
        }
    }
    return STORE_OK;
}

int store_doccount(store *s, uint32_t *count)
{
    if (!s || !count)
        return STORE_ERR_INVALID;
    *count = 0;
    if (!s->db)
        return STORE_OK;
    int rc = xc_db_doccount(s->db, count);
    if (rc != XC_OK) {
        set_err(s, "%s", xc_errmsg());
        return store_from_xc(rc);
    }
    return STORE_OK;
}

int store_revision(store *s, uint64_t *revision)
{
    if (!s || !revision)
        return STORE_ERR_INVALID;
    *revision = 0;
    if (!s->db)
        return STORE_OK;
    /* (the main database's remembered while a fold of the live delta,
     * which owns it, runs on another thread) */
    int rc = s->delta ? store_main_revision(s, revision) : xc_db_revision(s->db, revision);
    uint64_t dr = 0;
    if (rc == XC_OK && s->delta && (rc = xc_db_revision(s->delta, &dr)) == XC_OK)
        *revision += dr; /* as a searcher's group of the two counts it */
    if (rc != XC_OK) {
        set_err(s, "%s", xc_errmsg());
        return store_from_xc(rc);
    }
    return STORE_OK;
}
