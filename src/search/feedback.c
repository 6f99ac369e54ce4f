/* feedback.c: pseudo-relevance feedback for questions. The best hits of a
 * question's match share words besides the question's own: the subject
 * they are written about. The expand set of the first SRCH_FEEDBACK_DOCS
 * hits names those words: each word two hits or more hold, by its
 * relevance weight (from the number of hits r that hold it and its
 * frequency in the archive) times its occurrences in them, saturated per
 * hit as BM25 does. The SRCH_FEEDBACK_TERMS best of them that the question
 * does not hold add to the weight of those hits their BM25 weight (without
 * the length: k1 1.2, b 0) times SRCH_FEEDBACK_WEIGHT, and the engine
 * reorders them (engine.c). The hits' termlists are read once, from "a"
 * on (words, not the prefixed stems and title terms); the frequency is
 * asked only of the words two hits hold (from the engine's memo).
 * Only unprefixed terms (the folded words, as the posts wrote them) are
 * taken: stems and both kinds together were measured to lower the ranking. */
#include <config.h>

#include <math.h>
#include <stdlib.h>
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

#define CAND_SLOTS 4096 /* the candidate words: an open-addressing table of
                           a power of two slots, at most half of them filled */
#define FB_K1 1.2

typedef struct {
    size_t off;    /* the word in the arena; (size_t)-1: empty slot */
    size_t len;
    unsigned hits; /* how many of the hits hold it (r) */
    double tf;     /* its occurrences in the hits, each hit's saturated */
    double idf;    /* its BM25 weight per occurrence (0: not chosen) */
} cand;

typedef struct {
    size_t slot;
    double weight;
} chosen;

typedef struct {
    uint32_t slot, wdf;
    uint32_t hit;
} posting;

static uint64_t hash_term(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211u;
    }
    return h;
}

static int chosen_cmp(const void *a, const void *b)
{
    const chosen *x = a, *y = b;
    if (x->weight != y->weight)
        return x->weight > y->weight ? -1 : 1;
    return x->slot < y->slot ? -1 : x->slot > y->slot;
}

typedef struct {
    cand *c;
    chosen *best;
    posting *post;
    size_t npost, cappost;
    srch_buf arena;
    size_t filled;
} fb_state;

static void fb_free(fb_state *st)
{
    free(st->c);
    free(st->best);
    free(st->post);
    free(st->arena.s);
}

/* The hit being read (read_term's context). */
typedef struct {
    fb_state *st;
    uint32_t hit;
    int rc;
} reading;

/* Counts one term of a hit's termlist (from "a" on: the words). */
static int read_term(void *ctx, const char *t, size_t tl, uint32_t wdf)
{
    reading *rd = ctx;
    fb_state *st = rd->st;
    if (tl < 2)
        return 0;
    size_t i = hash_term(t, tl) & (CAND_SLOTS - 1);
    while (st->c[i].off != (size_t)-1 &&
           (st->c[i].len != tl || memcmp(st->arena.s + st->c[i].off, t, tl) != 0))
        i = (i + 1) & (CAND_SLOTS - 1);
    if (st->c[i].off == (size_t)-1) {
        if (st->filled >= CAND_SLOTS / 2)
            return 0; /* bounded: the later hits' new words are left out */
        st->c[i].off = st->arena.len;
        st->c[i].len = tl;
        if (srch_buf_add(&st->arena, t, tl) != 0) {
            rd->rc = XC_ERR_NOMEM;
            return 1;
        }
        st->filled++;
    }
    /* a word is once in a termlist: each call is another hit */
    st->c[i].hits++;
    st->c[i].tf += 2.0 * wdf / (1.0 + wdf);
    if (st->npost == st->cappost) {
        size_t nc = st->cappost ? 2 * st->cappost : 2048;
        posting *np = realloc(st->post, nc * sizeof *np);
        if (!np) {
            rd->rc = XC_ERR_NOMEM;
            return 1;
        }
        st->post = np;
        st->cappost = nc;
    }
    st->post[st->npost++] = (posting){(uint32_t)i, wdf, rd->hit};
    return 0;
}

int srch_feedback(srch_engine *e, const srch_parsed *p, const uint32_t *ids, size_t n,
                  double *bonus)
{
    fb_state st;
    memset(&st, 0, sizeof st);
    if (!p->query || n < 2)
        return XC_OK;
    st.c = malloc(CAND_SLOTS * sizeof *st.c);
    st.best = malloc(CAND_SLOTS / 2 * sizeof *st.best);
    if (!st.c || !st.best) {
        fb_free(&st);
        return XC_ERR_NOMEM;
    }
    for (size_t i = 0; i < CAND_SLOTS; i++)
        st.c[i] = (cand){(size_t)-1, 0, 0, 0.0, 0.0};
    int rc = XC_OK;
    for (size_t h = 0; h < n && rc == XC_OK; h++) {
        reading rd = {&st, (uint32_t)h, XC_OK};
        rc = xc_db_termlist_each(e->db, ids[h], "a", read_term, &rd);
        if (rc == XC_OK)
            rc = rd.rc;
    }
    uint32_t total = 0;
    if (rc == XC_OK)
        rc = xc_db_doccount(e->db, &total);
    double N = total, R = (double)n;
    size_t nbest = 0;
    for (size_t i = 0; i < CAND_SLOTS && rc == XC_OK; i++) {
        cand *c = &st.c[i];
        /* a word one hit holds says nothing the others share; numbers say
           little of a subject */
        const char *t = st.arena.s + c->off;
        if (c->off == (size_t)-1 || c->hits < 2 || (t[0] >= '0' && t[0] <= '9') ||
            query_term(p, t, c->len))
            continue;
        uint32_t freq = 0;
        rc = srch_termfreq(e, t, c->len, &freq);
        double r = c->hits, f = freq < c->hits ? c->hits : freq;
        /* Robertson and Sparck Jones' relevance weight, times the word's
           occurrences in the hits, saturated per hit as BM25 does (k = 1,
           without the length): Xapian's own expand weight, less the length */
        double rw = log(((r + 0.5) * (N - f - R + r + 0.5)) / ((R - r + 0.5) * (f - r + 0.5)));
        double idf = log((N - f + 0.5) / (f + 0.5));
        c->idf = idf > 0 ? idf : 0;
        if (rc == XC_OK && rw > 0)
            st.best[nbest++] = (chosen){i, c->tf * rw};
    }
    qsort(st.best, nbest, sizeof *st.best, chosen_cmp);
    for (size_t i = 0; i < CAND_SLOTS; i++)
        st.c[i].hits = 0; /* from here: 1 for the chosen words */
    for (size_t k = 0; k < nbest && k < SRCH_FEEDBACK_TERMS; k++)
        st.c[st.best[k].slot].hits = 1;
    for (size_t j = 0; j < st.npost && rc == XC_OK; j++) {
        const cand *c = &st.c[st.post[j].slot];
        double w = st.post[j].wdf;
        if (c->hits)
            bonus[st.post[j].hit] +=
                SRCH_FEEDBACK_WEIGHT * c->idf * (FB_K1 + 1) * w / (FB_K1 + w);
    }
    fb_free(&st);
    return rc;
}
