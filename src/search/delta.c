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

/* 1 if DIR/live holds a database (its version file). */
static int delta_exists(const char *path)
{
    size_t n = strlen(path) + sizeof "/" SCH_DELTA_DIR "/iamglass";
    char *v = malloc(n);
    struct stat st;
    int ok = v && snprintf(v, n, "%s/%s/iamglass", path, SCH_DELTA_DIR) > 0 && stat(v, &st) == 0;
    free(v);
    return ok;
}

int srch_delta_open(const char *path, xc_db **out, int *has_delta)
{
    *has_delta = 0;
    if (!delta_exists(path))
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
    if (rc == XC_OK)
        *has_delta = 1;
    else if (rc == XC_ERR_NOT_FOUND && !delta_exists(path))
        return xc_db_open(path, out); /* gone meanwhile (a swap) */
    return rc;
}

int srch_delta_moved(const srch_engine *e)
{
    return !e->shards && e->db && delta_exists(e->db_path) != e->delta_open;
}

void srch_delta_clear(srch_engine *e)
{
    xc_query_free(e->delta_hide);
    e->delta_hide = NULL;
    e->delta_hidden = 0;
    e->delta_rev = UINT64_MAX;
}

int srch_delta_refresh(srch_engine *e)
{
    if (!e->delta_open || !e->db || e->shards) {
        if (e->delta_rev != UINT64_MAX)
            srch_delta_clear(e);
        return XC_OK;
    }
    uint64_t rev = 0;
    int rc = xc_db_revision(e->db, &rev);
    if (rc != XC_OK)
        return rc;
    if (rev == e->delta_rev)
        return XC_OK;
    srch_delta_clear(e);
    /* The ids the delta holds (puts and tombstones), read at the revision
     * the group has open: fold_posts at most. */
    xc_iter *it = NULL;
    rc = xc_db_part_allterms(e->db, 1, SCH_ID, &it);
    if (rc != XC_OK)
        return rc;
    size_t n = 0, cap = 0;
    xc_query **ids = NULL;
    uint32_t hidden = 0;
    const char *term;
    size_t len;
    int r;
    while (rc == XC_OK && (r = xc_iter_next(it, &term, &len, NULL, NULL)) == XC_OK) {
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            xc_query **g = realloc(ids, nc * sizeof *g);
            if (!g) {
                rc = XC_ERR_NOMEM;
                break;
            }
            ids = g;
            cap = nc;
        }
        /* only the posts the main database holds too: a new post has no
         * copy to hide, and each id left out is a postlist fewer for every
         * match to read */
        uint32_t f = 0;
        rc = xc_db_part_termfreq(e->db, 0, term, len, &f);
        if (rc == XC_OK && f > 0 && (rc = xc_query_term(term, len, 1, 0, &ids[n])) == XC_OK) {
            n++;
            hidden += f;
        }
    }
    xc_iter_free(it);
    uint32_t dead = 0;
    if (rc == XC_OK)
        rc = xc_db_part_termfreq(e->db, 1, SCH_DELTA_DEAD, strlen(SCH_DELTA_DEAD), &dead);
    xc_query *hide = NULL;
    if (rc == XC_OK && n == 0 && dead > 0)
        rc = xc_query_term(SCH_DELTA_DEAD, strlen(SCH_DELTA_DEAD), 1, 0, &hide);
    else if (rc == XC_OK && n > 0) {
        /* (ids in the delta AND_NOT XDELTA) OR XDEAD: the main copies of
         * the delta's posts, and the tombstones */
        xc_query *any = NULL, *marker = NULL, *main_copies = NULL, *tomb = NULL;
        rc = xc_query_combine(XC_OP_OR, ids, n, 0, &any);
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
            rc = xc_query_combine(XC_OP_OR, pair, 2, 0, &hide);
        }
        xc_query_free(any);
        xc_query_free(marker);
        xc_query_free(main_copies);
        xc_query_free(tomb);
    }
    for (size_t i = 0; i < n; i++)
        xc_query_free(ids[i]);
    free(ids);
    if (rc != XC_OK) {
        xc_query_free(hide);
        return rc;
    }
    e->delta_hide = hide;
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
