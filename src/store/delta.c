/* delta.c: the live writer's delta database (see store.h, LIVE DELTA): a
 * small database at PATH/live that takes the live writes, with their
 * markers and tombstones, and the fold that applies it to the main
 * database and empties it. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/schema.h"
#include "store/store-internal.h"

char *store_delta_path(const char *path)
{
    size_t n = strlen(path) + sizeof "/" SCH_DELTA_DIR;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", path, SCH_DELTA_DIR);
    return p;
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
    if (exists || create)
        rc = xc_db_open_writable(dp, XC_DB_CREATE_OR_OPEN, &s->delta);
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

int store_delta_put(store *s, const store_prepared *p)
{
    char idterm[260];
    snprintf(idterm, sizeof idterm, "%s%s", SCH_ID, p->id);
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

/* Adds the pending spelling words of a delta document to db. */
static int apply_spelling(xc_db *db, xc_doc *doc)
{
    const char *v;
    size_t len;
    if (xc_doc_get_value(doc, SCH_DELTA_SLOT_SPELL, &v, &len) != XC_OK || len == 0)
        return XC_OK;
    char *copy = strndup(v, len);
    if (!copy)
        return XC_ERR_NOMEM;
    int rc = XC_OK;
    char *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line && rc == XC_OK;
         line = strtok_r(NULL, "\n", &save)) {
        char *sp = strchr(line, ' ');
        if (!sp || !sp[1])
            continue;
        unsigned long count = strtoul(line, NULL, 10);
        rc = xc_db_add_spelling(db, sp + 1, count ? (uint32_t)count : 1);
    }
    free(copy);
    if (rc == XC_OK)
        rc = xc_doc_set_value(doc, SCH_DELTA_SLOT_SPELL, "", 0);
    return rc;
}

/* One delta document (by its id term) into the main database. */
static int fold_one(store *s, const char *idterm, size_t len)
{
    xc_doc *doc = NULL;
    char term[260];
    if (len >= sizeof term)
        return XC_OK; /* cannot be an id term the store wrote */
    memcpy(term, idterm, len);
    term[len] = '\0';
    int rc = xc_db_get_document_by_term(s->delta, term, &doc);
    if (rc == XC_ERR_NOT_FOUND)
        return XC_OK;
    if (rc != XC_OK)
        return rc;
    if (xc_doc_remove_term(doc, SCH_DELTA_DEAD, strlen(SCH_DELTA_DEAD)) == XC_OK) {
        rc = xc_db_delete_document(s->db, term, NULL);
    } else {
        rc = xc_doc_remove_term(doc, SCH_DELTA_TERM, strlen(SCH_DELTA_TERM));
        if (rc == XC_ERR_NOT_FOUND)
            rc = XC_OK;
        if (rc == XC_OK)
            rc = apply_spelling(s->db, doc);
        if (rc == XC_OK)
            rc = xc_db_replace_document(s->db, term, doc, NULL);
    }
    xc_doc_free(doc);
    return rc;
}

int store_fold(store *s)
{
    if (!s)
        return STORE_ERR_INVALID;
    if (s->in_run) {
        snprintf(s->err, sizeof s->err, "a run is open: commit or cancel it before a fold");
        return STORE_ERR_INVALID;
    }
    if (!s->delta || s->delta_docs == 0 || s->read_only)
        return STORE_OK;
    xc_iter *it = NULL;
    int rc = xc_db_allterms(s->delta, SCH_ID, &it);
    if (rc != XC_OK) {
        snprintf(s->err, sizeof s->err, "cannot read the live delta database: %s", xc_errmsg());
        return store_from_xc(rc);
    }
    /* 1. Every delta document into the main database, one commit. */
    rc = xc_db_begin_transaction(s->db, 1);
    const char *term;
    size_t len;
    int n;
    while (rc == XC_OK && (n = xc_iter_next(it, &term, &len, NULL, NULL)) == XC_OK)
        rc = fold_one(s, term, len);
    xc_iter_free(it);
    if (rc == XC_OK) {
        int mrc = store_write_run_meta(s, s->db);
        if (mrc != STORE_OK) {
            xc_db_cancel_transaction(s->db);
            return mrc;
        }
        rc = xc_db_commit_transaction(s->db);
    } else {
        char keep[512];
        snprintf(keep, sizeof keep, "%s", xc_errmsg());
        xc_db_cancel_transaction(s->db);
        snprintf(s->err, sizeof s->err, "cannot fold the live delta: %s", keep);
        return store_from_xc(rc);
    }
    if (rc != XC_OK) {
        snprintf(s->err, sizeof s->err, "cannot fold the live delta: %s", xc_errmsg());
        return store_from_xc(rc);
    }
    /* 2. The delta emptied, one commit. Killed between the two, the next
     * fold applies the same documents again: the same result. */
    rc = xc_db_delete_document(s->delta, SCH_DELTA_TERM, NULL);
    if (rc == XC_OK)
        rc = xc_db_commit(s->delta);
    if (rc != XC_OK) {
        snprintf(s->err, sizeof s->err, "cannot empty the live delta: %s", xc_errmsg());
        return store_from_xc(rc);
    }
    s->delta_docs = 0;
    s->folds++;
    return STORE_OK;
}

int store_delta_size(const store *s, uint32_t *docs)
{
    if (!s || !docs)
        return STORE_ERR_INVALID;
    *docs = s->delta ? s->delta_docs : 0;
    return STORE_OK;
}
