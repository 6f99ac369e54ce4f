/* delta.c: the engine's reading of the live writer's delta (schema.h,
 * SCH_DELTA_*; store.h, LIVE DELTA): the main database and DIR/live opened
 * as one, and what every match leaves out so that each post is seen once:
 * the main database's copies of the posts the delta holds, and the
 * delta's tombstones. */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "search/search-internal.h"
#include "store/schema.h"

/* 1 if DIR/live holds a database (its version file); *ino gets the inode
 * of the directory DIR/live (0 when there is none). A delta removed and
 * made again at the same path (a writable open recovering from its
 * journal throws the old one away) is a new directory: a handle on the old
 * one would go on reading its removed files, and Xapian's reopen() sees
 * nothing new while the new delta's revision numbers are not above the
 * old one's. */
static int delta_exists(const char *path, uint64_t *ino)
{
    size_t n = strlen(path) + sizeof "/" SCH_DELTA_DIR "/iamglass";
    char *v = malloc(n);
    struct stat st;
    *ino = 0;
    int ok = v && snprintf(v, n, "%s/%s", path, SCH_DELTA_DIR) > 0 && stat(v, &st) == 0;
    if (ok) {
        *ino = (uint64_t)st.st_ino;
        ok = snprintf(v, n, "%s/%s/iamglass", path, SCH_DELTA_DIR) > 0 && stat(v, &st) == 0;
    }
    free(v);
    return ok;
}

int srch_delta_open(const char *path, xc_db **out, int *has_delta, uint64_t *delta_ino)
{
    *has_delta = 0;
    uint64_t before = 0, after = 0;
    if (!delta_exists(path, &before))
        return xc_db_open(path, out);
    size_t n = strlen(path) + sizeof "/" SCH_DELTA_DIR;
    char *dp = malloc(n);
    if (!dp) {
        *out = NULL;
        return XC_ERR_NOMEM;
    }
    snprintf(dp, n, "%s/%s", path, SCH_DELTA_DIR);
    int rc = xc_db_open_overlay(path, dp, out);
    free(dp);
    if (rc == XC_OK && (!delta_exists(path, &after) || after != before)) {
        xc_db_close(*out); /* replaced during the open: which files were read
                              is unknown */
        *out = NULL;
        return XC_ERR_MODIFIED;
    }
    if (rc == XC_OK) {
        *has_delta = 1;
        *delta_ino = before;
    } else if (rc == XC_ERR_NOT_FOUND && !delta_exists(path, &after))
        return xc_db_open(path, out); /* gone meanwhile (a swap) */
    return rc;
}

int srch_delta_moved(const srch_engine *e)
{
    if (e->shards || !e->db)
        return 0;
    uint64_t ino = 0;
    int exists = delta_exists(e->db_path, &ino);
    return exists != e->delta_open || (exists && ino != e->delta_ino);
}

/* A delta id and the main database's frequency of it. */
struct srch_delta_id {
    char *term;
    size_t len;
    uint32_t freq;
};

static void free_ids(struct srch_delta_id *ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(ids[i].term);
    free(ids);
}

void srch_delta_clear(srch_engine *e)
{
    xc_query_free(e->delta_hide);
    e->delta_hide = NULL;
    e->delta_hidden = 0;
    e->delta_rev = UINT64_MAX;
    free_ids(e->delta_ids, e->delta_nids);
    e->delta_ids = NULL;
    e->delta_nids = 0;
    e->delta_hide_dead = 0;
}

/* (a, alen) against (b, blen), as Xapian orders terms: bytes, shorter first. */
static int term_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c ? c : (alen > blen) - (alen < blen);
}

/* The hide query of the ids whose main frequency is not 0:
 * (ids AND_NOT XDELTA) OR XDEAD; XDEAD alone without such ids and with
 * tombstones; NULL without either. */
static int make_hide(const struct srch_delta_id *ids, size_t n, size_t nhid, uint32_t dead,
                     xc_query **out)
{
    *out = NULL;
    if (nhid == 0)
        return dead > 0 ? xc_query_term(SCH_DELTA_DEAD, strlen(SCH_DELTA_DEAD), 1, 0, out)
                        : XC_OK;
    xc_query **qs = calloc(nhid, sizeof *qs);
    if (!qs)
        return XC_ERR_NOMEM;
    int rc = XC_OK;
    size_t k = 0;
    for (size_t i = 0; rc == XC_OK && i < n; i++)
        if (ids[i].freq > 0 && (rc = xc_query_term(ids[i].term, ids[i].len, 1, 0, &qs[k])) == XC_OK)
            k++;
    /* (ids in the delta AND_NOT XDELTA) OR XDEAD: the main copies of the
     * delta's posts, and the tombstones */
    xc_query *any = NULL, *marker = NULL, *main_copies = NULL, *tomb = NULL;
    if (rc == XC_OK)
        rc = xc_query_combine(XC_OP_OR, qs, k, 0, &any);
    if (rc == XC_OK)
        rc = xc_query_term(SCH_DELTA_TERM, strlen(SCH_DELTA_TERM), 1, 0, &marker);
    if (rc == XC_OK) {
        xc_query *pair[2] = {any, marker};
        rc = xc_query_combine(XC_OP_AND_NOT, pair, 2, 0, &main_copies);
    }
    if (rc == XC_OK)
        rc = xc_query_term(SCH_DELTA_DEAD, strlen(SCH_DELTA_DEAD), 1, 0, &tomb);
    if (rc == XC_OK) {
        xc_query *pair[2] = {main_copies, tomb};
        rc = xc_query_combine(XC_OP_OR, pair, 2, 0, out);
    }
    xc_query_free(any);
    xc_query_free(marker);
    xc_query_free(main_copies);
    xc_query_free(tomb);
    for (size_t i = 0; i < k; i++)
        xc_query_free(qs[i]);
    free(qs);
    return rc;
}

int srch_delta_refresh(srch_engine *e)
{
    if (!e->delta_open || !e->db || e->shards) {
        if (e->delta_rev != UINT64_MAX || e->delta_ids)
            srch_delta_clear(e);
        return XC_OK;
    }
    uint64_t rev = 0, mrev = 0;
    int rc = xc_db_revision(e->db, &rev);
    if (rc == XC_OK && rev == e->delta_rev)
        return XC_OK;
    if (rc == XC_OK)
        rc = xc_db_part_revision(e->db, 0, &mrev);
    if (rc != XC_OK)
        return rc;
    /* whether the hidden ids differ from those of delta_hide: found while
     * the new list is merged with the last one */
    int changed = e->delta_rev == UINT64_MAX || !e->delta_hide;
    if (e->delta_ids && mrev != e->delta_main_rev) {
        /* a fold wrote the main database: every frequency looked up again */
        changed = 1;
        free_ids(e->delta_ids, e->delta_nids);
        e->delta_ids = NULL;
        e->delta_nids = 0;
    }
    /* The ids the delta holds (puts and tombstones), read at the revision
     * the group has open, in term order; each one's frequency in the main
     * database taken from the last refresh, or looked up when it is new
     * (only the posts the main database holds too are hidden: a new post
     * has no copy to hide, and each id left out is a postlist fewer for
     * every match to read). */
    xc_iter *it = NULL;
    rc = xc_db_part_allterms(e->db, 1, SCH_ID, &it);
    if (rc != XC_OK)
        return rc;
    struct srch_delta_id *ids = NULL;
    size_t n = 0, cap = 0, j = 0, nhid = 0;
    uint32_t hidden = 0;
    const char *term;
    size_t len;
    while (rc == XC_OK && xc_iter_next(it, &term, &len, NULL, NULL) == XC_OK) {
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            struct srch_delta_id *g = realloc(ids, nc * sizeof *g);
            if (!g) {
                rc = XC_ERR_NOMEM;
                break;
            }
            ids = g;
            cap = nc;
        }
        struct srch_delta_id *old = e->delta_ids;
        while (j < e->delta_nids && term_cmp(old[j].term, old[j].len, term, len) < 0)
            j++;
        struct srch_delta_id *d = &ids[n];
        if (j < e->delta_nids && term_cmp(old[j].term, old[j].len, term, len) == 0) {
            *d = old[j]; /* taken over */
            old[j].term = NULL;
            j++;
        } else {
            d->freq = 0;
            d->len = len;
            if (!(d->term = malloc(len + 1))) {
                rc = XC_ERR_NOMEM;
                break;
            }
            memcpy(d->term, term, len);
            d->term[len] = '\0';
            rc = xc_db_part_termfreq(e->db, 0, term, len, &d->freq);
            if (rc != XC_OK) {
                free(d->term);
                break;
            }
            if (d->freq > 0)
                changed = 1; /* an id hidden now, not before */
        }
        n++;
        if (d->freq > 0) {
            nhid++;
            hidden += d->freq;
        }
    }
    xc_iter_free(it);
    uint32_t dead = 0;
    if (rc == XC_OK)
        rc = xc_db_part_termfreq(e->db, 1, SCH_DELTA_DEAD, strlen(SCH_DELTA_DEAD), &dead);
    if (rc != XC_OK) {
        free_ids(ids, n);
        srch_delta_clear(e);
        return rc;
    }
    /* an id hidden before and not taken over: no longer hidden */
    for (size_t k = 0; k < e->delta_nids && !changed; k++)
        if (e->delta_ids[k].term && e->delta_ids[k].freq > 0)
            changed = 1;
    if ((dead > 0) != e->delta_hide_dead)
        changed = 1;
    free_ids(e->delta_ids, e->delta_nids);
    e->delta_ids = ids;
    e->delta_nids = n;
    e->delta_main_rev = mrev;
    if (changed) {
        /* the hidden ids changed: a new query (else the one made stays) */
        xc_query *hide = NULL;
        rc = make_hide(ids, n, nhid, dead, &hide);
        if (rc != XC_OK) {
            srch_delta_clear(e);
            return rc;
        }
        xc_query_free(e->delta_hide);
        e->delta_hide = hide;
        e->delta_hide_dead = dead > 0;
    }
    e->delta_hidden = hidden + dead;
    e->delta_rev = rev;
    return XC_OK;
}

int srch_delta_wrap(const srch_engine *e, const xc_query *q, xc_query **out)
{
    *out = NULL;
    if (!e->delta_hide)
        return XC_OK;
    xc_query *pair[2] = {(xc_query *)q, e->delta_hide};
    return xc_query_combine(XC_OP_AND_NOT, pair, 2, 0, out);
}

uint32_t srch_delta_hidden(const srch_engine *e)
{
    return e->delta_hide ? e->delta_hidden : 0;
}
