/* feedback.c: pseudo-relevance feedback for questions. The best hits of a
 * question's match share words besides the question's own: the subject
 * they are written about. Those words are chosen from the characteristic
 * words the indexer stored with each post (SCH_SLOT_WORDS, store/schema.h:
 * its most frequent words and their wdf), so that the feedback reads one
 * value per hit, not the termlists of long posts. A word that two hits or
 * more hold is scored by its relevance weight (from the number of hits r
 * that hold it and its frequency in the archive) times its occurrences in
 * them, saturated per hit as BM25 does: Xapian's expand weight, less the
 * length. The SRCH_FEEDBACK_TERMS best of them that the question does not
 * hold add to the weight of each hit that holds them their BM25 weight
 * (without the length: k1 1.2, b 0) times SRCH_FEEDBACK_WEIGHT, and the
 * engine reorders the hits (engine.c). Only the folded words are stored and
 * taken, not stems: stems were measured to lower the ranking. */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "search/search-internal.h"
#include "store/schema.h"

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

/* The candidate words: dense entries (in the order the hits give them),
 * found through an open-addressing table of a power of two slots, at most
 * half of them filled: SRCH_FEEDBACK_DOCS values of at most SCH_WORDS_MAX
 * words each always fit. */
#define MAX_CANDS (SRCH_FEEDBACK_DOCS * SCH_WORDS_MAX)
#define CAND_SLOTS 2048
#if MAX_CANDS > CAND_SLOTS / 2
#error "CAND_SLOTS too small for the stored words of the feedback's hits"
#endif
#define FB_K1 1.2

typedef struct {
    const char *word; /* into the copies of the hits' values */
    uint32_t len;
    uint32_t hits;    /* how many of the hits hold it (r) */
    uint32_t last;    /* the last hit that held it, plus one */
    int chosen;
    double tf;        /* its occurrences in the hits, each hit's saturated */
    double idf;       /* its BM25 weight per occurrence */
} cand;

typedef struct {
    uint32_t cand;
    double weight;
} ranked_cand;

typedef struct {
    uint32_t cand, wdf, hit;
} posting;

struct srch_fb {
    uint16_t slot[CAND_SLOTS]; /* entry + 1; 0: empty */
    cand c[MAX_CANDS];
    size_t nc;
    posting post[MAX_CANDS];
    size_t npost;
    ranked_cand order[SRCH_FEEDBACK_CANDS]; /* the best candidates by their bound */
    ranked_cand best[SRCH_FEEDBACK_TERMS + 1];
    char *vals;                /* the hits' values, copied */
    size_t vlen, vcap;
    size_t voff[SRCH_FEEDBACK_DOCS], vsize[SRCH_FEEDBACK_DOCS];
    int rc;                    /* copy_value's failure */
};
typedef struct srch_fb fb_state;

void srch_feedback_free(srch_engine *e)
{
    if (e->fb)
        free(e->fb->vals);
    free(e->fb);
    e->fb = NULL;
}

static uint64_t hash_term(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211u;
    }
    return h;
}

/* By weight, then in the order the hits give the words. */
static int ranked_cand_cmp(const void *a, const void *b)
{
    const ranked_cand *x = a, *y = b;
    if (x->weight != y->weight)
        return x->weight > y->weight ? -1 : 1;
    return x->cand < y->cand ? -1 : x->cand > y->cand;
}

/* Adds the stored words v (len bytes) of hit h to the candidates: at most
 * SCH_WORDS_MAX, each once (a value another writer made is read as far as
 * it is well made). */
static void add_words(fb_state *st, uint32_t h, const char *v, size_t len)
{
    size_t i = 0;
    for (unsigned n = 0; i < len && n < SCH_WORDS_MAX; n++) {
        size_t wl = (unsigned char)v[i];
        if (wl == 0 || i + 1 + wl + 1 > len)
            break;
        const char *w = v + i + 1;
        uint32_t wdf = (unsigned char)v[i + 1 + wl];
        i += wl + 2;
        size_t s = hash_term(w, wl) & (CAND_SLOTS - 1);
        cand *c = NULL;
        while (st->slot[s]) {
            c = &st->c[st->slot[s] - 1];
            if (c->len == wl && memcmp(c->word, w, wl) == 0)
                break;
            c = NULL;
            s = (s + 1) & (CAND_SLOTS - 1);
        }
        if (!c) {
            c = &st->c[st->nc++];
            *c = (cand){w, (uint32_t)wl, 0, 0, 0, 0.0, 0.0};
            st->slot[s] = (uint16_t)st->nc;
        } else if (c->last == h + 1)
            continue; /* twice in one value */
        c->last = h + 1;
        c->hits++;
        c->tf += 2.0 * wdf / (1.0 + wdf);
        st->post[st->npost++] = (posting){(uint32_t)(c - st->c), wdf, h};
    }
}

/* Robertson and Sparck Jones' relevance weight of a word r of the R hits
 * hold, f of the N posts: highest for f = r. */
static double rsj(double r, double f, double R, double N)
{
    return log(((r + 0.5) * (N - f - R + r + 0.5)) / ((R - r + 0.5) * (f - r + 0.5)));
}

/* The longest value read: SCH_WORDS_MAX entries of the longest words a
 * value can name (a value another writer made may be longer). */
#define MAX_VALUE (SCH_WORDS_MAX * (255 + 2))

/* xc_db_values_of's callback: keeps a copy of hit i's value. */
static int copy_value(void *ctx, size_t i, const char *v, size_t len)
{
    fb_state *st = ctx;
    if (len > MAX_VALUE)
        len = MAX_VALUE;
    if (st->vlen + len > st->vcap) {
        size_t nc = st->vcap ? st->vcap : 8192;
        while (nc < st->vlen + len)
            nc *= 2;
        char *nv = realloc(st->vals, nc);
        if (!nv) {
            st->rc = XC_ERR_NOMEM;
            return 1;
        }
        st->vals = nv;
        st->vcap = nc;
    }
    memcpy(st->vals + st->vlen, v, len);
    st->voff[i] = st->vlen;
    st->vsize[i] = len;
    st->vlen += len;
    return 0;
}

int srch_feedback(srch_engine *e, const srch_parsed *p, const uint32_t *ids, size_t n,
                  double *bonus)
{
    if (!p->query || n < 2)
        return XC_OK;
    if (n > SRCH_FEEDBACK_DOCS)
        n = SRCH_FEEDBACK_DOCS;
    if (!e->fb) {
        e->fb = malloc(sizeof *e->fb); /* kept: a search allocates nothing */
        if (e->fb)
            e->fb->vals = NULL, e->fb->vcap = 0;
    }
    fb_state *st = e->fb;
    if (!st)
        return XC_ERR_NOMEM;
    memset(st->slot, 0, sizeof st->slot);
    st->nc = st->npost = st->vlen = 0;
    st->rc = XC_OK;
    for (size_t h = 0; h < n; h++)
        st->vsize[h] = 0; /* a post indexed before schema 3 has none: it
                             only takes part less */
    int rc = XC_OK;
    if (e->hits_ms) {
        /* a remote shard: the values come with the hits' documents,
           read in one batch (engine.c, run()) */
        for (size_t h = 0; h < n && rc == XC_OK && st->rc == XC_OK; h++) {
            xc_doc *doc = NULL;
            const char *v = NULL;
            size_t vl = 0;
            rc = srch_hit_doc(e, ids[h], &doc);
            if (rc == XC_OK)
                rc = xc_doc_get_value(doc, SCH_SLOT_WORDS, &v, &vl);
            if (rc == XC_OK && vl)
                copy_value(st, h, v, vl);
            xc_doc_free(doc);
        }
    } else
        rc = xc_db_values_of(e->db, SCH_SLOT_WORDS, ids, n, copy_value, st);
    if (rc == XC_OK)
        rc = st->rc;
    for (size_t h = 0; h < n && rc == XC_OK; h++)
        if (st->vsize[h])
            add_words(st, (uint32_t)h, st->vals + st->voff[h], st->vsize[h]);
    uint32_t total = 0;
    if (rc == XC_OK)
        rc = xc_db_doccount(e->db, &total);
    double N = total, R = (double)n;
    /* Each word two hits or more hold (a word one hit holds says nothing
       the others share), by the most its weight can be: its weight is its
       relevance weight times its occurrences in the hits (saturated per
       hit: k = 1, no length), and the relevance weight is highest for the
       rarest word. The frequencies (a walk down the B-tree each) are then
       asked of the SRCH_FEEDBACK_CANDS words with the highest bounds, in
       that order, until no word left can be among the best. */
    size_t norder = 0, nbest = 0, cap = SRCH_FEEDBACK_CANDS;
    double most[SRCH_FEEDBACK_DOCS + 1];
    for (size_t r = 2; r <= n; r++)
        most[r] = rsj((double)r, (double)r, R, N);
    for (size_t i = 0; i < st->nc && rc == XC_OK; i++) {
        const cand *k = &st->c[i];
        if (k->hits < 2 || most[k->hits] <= 0)
            continue;
        ranked_cand rcd = {(uint32_t)i, k->tf * most[k->hits]};
        if (norder == cap && ranked_cand_cmp(&rcd, &st->order[norder - 1]) > 0)
            continue;
        size_t at = norder < cap ? norder++ : norder - 1;
        while (at > 0 && ranked_cand_cmp(&rcd, &st->order[at - 1]) < 0) {
            st->order[at] = st->order[at - 1];
            at--;
        }
        st->order[at] = rcd;
    }
    for (size_t i = 0; i < norder && rc == XC_OK; i++) {
        if (nbest == SRCH_FEEDBACK_TERMS && st->best[nbest - 1].weight > st->order[i].weight)
            break;
        if (query_term(p, st->c[st->order[i].cand].word, st->c[st->order[i].cand].len))
            continue;
        cand *k = &st->c[st->order[i].cand];
        uint32_t freq = 0;
        rc = srch_termfreq(e, k->word, k->len, &freq);
        double f = freq < k->hits ? k->hits : freq;
        double rw = rsj(k->hits, f, R, N), idf = log((N - f + 0.5) / (f + 0.5));
        k->idf = idf > 0 ? idf : 0;
        if (rc != XC_OK || rw <= 0)
            continue;
        /* insert into the best, kept sorted */
        ranked_cand rcd = {st->order[i].cand, k->tf * rw};
        size_t at = nbest;
        while (at > 0 && ranked_cand_cmp(&rcd, &st->best[at - 1]) < 0) {
            st->best[at] = st->best[at - 1];
            at--;
        }
        st->best[at] = rcd;
        if (nbest < SRCH_FEEDBACK_TERMS)
            nbest++;
    }
    if (rc == XC_OK) {
        for (size_t k = 0; k < nbest; k++)
            st->c[st->best[k].cand].chosen = 1;
        for (size_t j = 0; j < st->npost; j++) {
            const cand *k = &st->c[st->post[j].cand];
            double w = st->post[j].wdf;
            if (k->chosen)
                bonus[st->post[j].hit] += SRCH_FEEDBACK_WEIGHT * k->idf * (FB_K1 + 1) * w / (FB_K1 + w);
        }
    }
    return rc;
}
