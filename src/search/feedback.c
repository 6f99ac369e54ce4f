/* feedback.c: pseudo-relevance feedback for questions. The best hits of a
 * question's match share words besides the question's own: the subject
 * they are written about. Xapian's expand set over the first
 * SRCH_FEEDBACK_DOCS hits names those words (frequent in the hits, rare in
 * the archive); the SRCH_FEEDBACK_TERMS best of them that the question
 * does not hold, weighed by BM25 at SRCH_FEEDBACK_WEIGHT, then reorder the
 * first hits of the match (engine.c, as the proximity bonus does). A
 * passage that answers a question often words it otherwise than the
 * question ("longueur" for "long de"): among the passages that hold the
 * question's words, the one that also holds the words of the subject the
 * other best hits share comes up. Only unprefixed terms (the folded words,
 * as the posts wrote them) are taken: stems of the expand set and title
 * terms were measured to lower the ranking (doc/QUERY.md). */
#include <config.h>

#include <string.h>

#include "search/search-internal.h"

/* 1 if term (len bytes) is a word or a stem of the query. */
static int query_term(const srch_parsed *p, const char *term, size_t len)
{
    for (size_t j = 0; j < p->nwords; j++) {
        const srch_word *w = &p->words[j];
        if (strlen(w->word) == len && memcmp(w->word, term, len) == 0)
            return 1;
        for (unsigned k = 0; k < w->nstems; k++)
            if (strlen(w->stems[k]) == len && memcmp(w->stems[k], term, len) == 0)
                return 1;
    }
    return 0;
}

int srch_feedback(srch_engine *e, const srch_parsed *p, const uint32_t *ids, size_t n,
                  xc_query **out)
{
    /* Every prefixed term (capital first letter: stems, title terms,
     * filters) is left out of the expand set: words only. */
    static const char *const prefixed[] = {"A", "B", "C", "D", "E", "F", "G", "H", "I", "J",
                                           "K", "L", "M", "N", "O", "P", "Q", "R", "S", "T",
                                           "U", "V", "W", "X", "Y", "Z", NULL};
    xc_query *subs[SRCH_FEEDBACK_TERMS];
    size_t ns = 0;
    *out = NULL;
    if (!p->query || n == 0)
        return XC_OK;
    xc_enquire *enq = NULL;
    xc_iter *it = NULL;
    /* the query tells the expand set which terms are the query's */
    int rc = xc_enquire_new(e->db, &enq);
    if (rc == XC_OK)
        rc = xc_enquire_set_query(enq, p->query, 0);
    /* twice as many: some are the query's own forms, or numbers */
    if (rc == XC_OK)
        rc = xc_enquire_expand(enq, ids, n, 2 * SRCH_FEEDBACK_TERMS, prefixed, &it);
    const char *t;
    size_t tl;
    while (rc == XC_OK && ns < SRCH_FEEDBACK_TERMS &&
           xc_iter_next(it, &t, &tl, NULL, NULL) == XC_OK) {
        /* numbers (years, counts) say little of a subject */
        if (tl == 0 || (t[0] >= '0' && t[0] <= '9') || query_term(p, t, tl))
            continue;
        rc = xc_query_term(t, tl, 1, 0, &subs[ns]);
        ns += rc == XC_OK;
    }
    xc_iter_free(it);
    xc_enquire_free(enq);
    xc_query *q = NULL;
    if (rc == XC_OK && ns > 0)
        rc = xc_query_combine(XC_OP_OR, subs, ns, 0, &q);
    for (size_t k = 0; k < ns; k++)
        xc_query_free(subs[k]);
    if (rc == XC_OK && q)
        rc = xc_query_scale(q, SRCH_FEEDBACK_WEIGHT, out);
    xc_query_free(q);
    return rc;
}
