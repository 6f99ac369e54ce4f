/* termfreq.c: the engine's memo of term frequencies. The ranking rules and
 * the speller ask the frequency of the same words again and again (each
 * word of a query once or twice per search, the common words in most
 * searches); each ask is a walk down Xapian's B-tree, a few system calls
 * that copy blocks. The memo is a direct-mapped table (a term that hashes
 * to a taken slot replaces the one there), emptied (a new generation of
 * its slots) when the database is opened, reopened or reaches a new
 * revision, so it never answers for a state other than the one the match
 * reads. 128 KB per engine. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "search/search-internal.h"

static uint64_t hash_term(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211u;
    }
    return h;
}

void srch_termfreq_clear(srch_engine *e)
{
    e->tf_gen++; /* the slots of older generations are empty */
}

void srch_termfreq_free(srch_engine *e)
{
    free(e->tf);
    e->tf = NULL;
}

int srch_termfreq(srch_engine *e, const char *term, size_t len, uint32_t *freq)
{
    uint64_t rev = 0;
    if (!e->db)
        return XC_ERR_INTERNAL;
    if (len >= SRCH_TF_TERM || xc_db_revision(e->db, &rev) != XC_OK)
        return xc_db_termfreq(e->db, term, len, freq);
    if (!e->tf) {
        e->tf = calloc(SRCH_TF_SLOTS, sizeof *e->tf);
        if (!e->tf)
            return xc_db_termfreq(e->db, term, len, freq);
        e->tf_gen++;
        e->tf_revision = rev;
    }
    if (e->tf_revision != rev) {
        e->tf_gen++;
        e->tf_revision = rev;
    }
    srch_tf_slot *s = &e->tf[hash_term(term, len) & (SRCH_TF_SLOTS - 1)];
    if (s->gen == e->tf_gen && s->len == len && memcmp(s->term, term, len) == 0) {
        *freq = s->freq;
        return XC_OK;
    }
    int rc = xc_db_termfreq(e->db, term, len, freq);
    if (rc == XC_OK) {
        memcpy(s->term, term, len);
        s->len = (uint8_t)len;
        s->freq = *freq;
        s->gen = e->tf_gen;
    }
    return rc;
}
