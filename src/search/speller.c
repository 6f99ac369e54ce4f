/* speller.c: an in-memory index of the spelling table, for "did you mean".
 *
 * Xapian's get_spelling_suggestion reads and merges the table's trigram
 * lists from disk on every call: 0.2 to 8 ms per word, several words per
 * query. This index holds every word of the table (with its frequency) and,
 * for each trigram of code points ("^ab", "abc", ..., "yz$"), the words
 * that contain it, as arrays (sorted by the words' lengths). A lookup
 * counts the trigrams each word of a near length shares with the query
 * word, computes the edit distance (insertions,
 * deletions, substitutions and transpositions of adjacent letters, on code
 * points) for the words sharing enough of them (an edit changes at most 4
 * trigrams), and answers the nearest word within max_edit edits, the most
 * frequent among equals, as Xapian does; the word itself is the answer's
 * rival: when it is in the table and more frequent, there is no suggestion.
 * It also maps each folded word to the most frequent spelling that folds to
 * it, to give typed words back their accents.
 *
 * The index is made on the first lookup (the 34,000 words of a 10,000-post
 * archive load in some 20 ms of CPU) and again after the database changed
 * revision. Memory: about 160 bytes per word of the table (5 MB for
 * 34,000); one index per engine, so per daemon worker thread. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "search/search-internal.h"

#define PAD_HEAD 1u /* code points used as padding: never in a word */
#define PAD_TAIL 2u
#define MAX_CP 64   /* longer words are not indexed nor corrected */

typedef struct {
    uint64_t key;  /* 0: empty */
    uint32_t idx;
} gram_slot;

typedef struct {
    char *fold;    /* folded form (pool) */
    uint32_t word; /* most frequent word of the table folding to it */
} fold_ent;

struct srch_speller {
    uint64_t revision;
    size_t nwords;
    char *pool;          /* the words, NUL-terminated */
    uint32_t *off;       /* word i at pool + off[i] */
    uint32_t *freq;
    uint8_t *ncp;        /* code points of each word (0: over MAX_CP) */
    uint64_t *letters;   /* the set of its code points (bit cp % 64) */
    gram_slot *grams;    /* trigram -> index into gstart */
    size_t capgrams, ngrams;
    uint32_t *gstart;    /* postings of gram g: post[gstart[g] .. gstart[g + 1]) */
    uint32_t *post;
    fold_ent *folds;     /* sorted by fold */
    size_t nfolds;
    char *foldpool;
    uint16_t *count;     /* per word, during a lookup (kept at 0 between) */
    uint32_t *touched;
};

/* The code points of s (at most max); an invalid byte counts as itself. */
static size_t utf8_decode(const char *s, size_t len, uint32_t *cp, size_t max)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = 0;
    for (size_t i = 0; i < len && n < max;) {
        int32_t v;
        size_t k = txt_utf8_decode(u + i, len - i, &v);
        cp[n++] = v < 0 ? u[i] : (uint32_t)v;
        i += k;
    }
    return n;
}

static uint64_t gram_key(uint32_t a, uint32_t b, uint32_t c)
{
    return ((uint64_t)a << 42) | ((uint64_t)b << 21) | (uint64_t)c;
}

/* The trigrams of cp[0..n) with one mark at each end ("^ab", "abc", ...,
 * "yz$"): n keys into out. As in Xapian's table, a word's first and last
 * letters alone are no trigram: they would bring in every word that starts
 * or ends so, for little. */
static size_t grams_of(const uint32_t *cp, size_t n, uint64_t *out)
{
    uint32_t pad[MAX_CP + 2];
    pad[0] = PAD_HEAD;
    memcpy(pad + 1, cp, n * sizeof *cp);
    pad[n + 1] = PAD_TAIL;
    for (size_t i = 0; i < n; i++)
        out[i] = gram_key(pad[i], pad[i + 1], pad[i + 2]);
    return n;
}

static uint64_t letter_set(const uint32_t *cp, size_t n)
{
    uint64_t m = 0;
    for (size_t i = 0; i < n; i++)
        m |= 1ull << (cp[i] % 64);
    return m;
}

static unsigned popcount64(uint64_t x)
{
    unsigned c = 0;
    for (; x; x &= x - 1)
        c++;
    return c;
}

static uint64_t mix(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    return k;
}

/* The slot of key (found, or the empty one where it goes). */
static gram_slot *gram_find(gram_slot *t, size_t cap, uint64_t key)
{
    size_t j = mix(key) & (cap - 1);
    while (t[j].key && t[j].key != key)
        j = (j + 1) & (cap - 1);
    return &t[j];
}

void srch_speller_free(srch_speller *sp)
{
    if (!sp)
        return;
    free(sp->pool);
    free(sp->off);
    free(sp->freq);
    free(sp->ncp);
    free(sp->letters);
    free(sp->grams);
    free(sp->gstart);
    free(sp->post);
    free(sp->folds);
    free(sp->foldpool);
    free(sp->count);
    free(sp->touched);
    free(sp);
}

static int fold_cmp(const void *a, const void *b)
{
    return strcmp(((const fold_ent *)a)->fold, ((const fold_ent *)b)->fold);
}

/* The fold map: words with non-ASCII letters, by their folded form. */
static int build_folds(srch_speller *sp)
{
    size_t n = 0, bytes = 0;
    char **tmp = calloc(sp->nwords ? sp->nwords : 1, sizeof *tmp);
    if (!tmp)
        return -1;
    for (size_t i = 0; i < sp->nwords; i++) {
        const char *w = sp->pool + sp->off[i];
        int ascii = 1;
        for (const char *c = w; *c; c++)
            if ((unsigned char)*c >= 0x80)
                ascii = 0;
        if (ascii)
            continue;
        char *f = NULL;
        if (txt_normalise(w, strlen(w), &f) != TXT_OK) {
            free(f);
            continue;
        }
        if (strcmp(f, w) == 0) {
            free(f);
            continue;
        }
        tmp[i] = f;
        n++;
        bytes += strlen(f) + 1;
    }
    sp->folds = malloc((n ? n : 1) * sizeof *sp->folds);
    sp->foldpool = malloc(bytes ? bytes : 1);
    int rc = sp->folds && sp->foldpool ? 0 : -1;
    size_t k = 0, at = 0;
    for (size_t i = 0; i < sp->nwords; i++) {
        if (!tmp[i])
            continue;
        if (rc == 0) {
            size_t l = strlen(tmp[i]) + 1;
            memcpy(sp->foldpool + at, tmp[i], l);
            sp->folds[k++] = (fold_ent){sp->foldpool + at, (uint32_t)i};
            at += l;
        }
        free(tmp[i]);
    }
    free(tmp);
    if (rc < 0)
        return -1;
    qsort(sp->folds, k, sizeof *sp->folds, fold_cmp);
    /* keep the most frequent word of each fold (first in table order among equals) */
    size_t o = 0;
    for (size_t i = 0; i < k; i++) {
        if (o && !strcmp(sp->folds[o - 1].fold, sp->folds[i].fold)) {
            uint32_t a = sp->folds[o - 1].word, b = sp->folds[i].word;
            if (sp->freq[b] > sp->freq[a] || (sp->freq[b] == sp->freq[a] && b < a))
                sp->folds[o - 1].word = b;
            continue;
        }
        sp->folds[o++] = sp->folds[i];
    }
    sp->nfolds = o;
    return 0;
}

int srch_speller_new(xc_db *db, srch_speller **out)
{
    *out = NULL;
    uint64_t rev = 0;
    int rc = xc_db_revision(db, &rev);
    if (rc != XC_OK)
        return rc;
    xc_iter *it = NULL;
    rc = xc_db_spellings(db, &it);
    if (rc != XC_OK)
        return rc;
    srch_speller *sp = calloc(1, sizeof *sp);
    if (!sp) {
        xc_iter_free(it);
        return XC_ERR_NOMEM;
    }
    sp->revision = rev;
    /* the words */
    size_t cap = 0, poolcap = 0, poollen = 0;
    const char *w;
    size_t wl;
    uint32_t f;
    rc = XC_OK;
    while (xc_iter_next(it, &w, &wl, &f, NULL) == XC_OK) {
        if (sp->nwords == cap) {
            cap = cap ? cap * 2 : 4096;
            uint32_t *no = realloc(sp->off, cap * sizeof *no);
            if (no)
                sp->off = no;
            uint32_t *nf = realloc(sp->freq, cap * sizeof *nf);
            if (nf)
                sp->freq = nf;
            if (!no || !nf) {
                rc = XC_ERR_NOMEM;
                break;
            }
        }
        if (poollen + wl + 1 > poolcap) {
            poolcap = poolcap ? poolcap * 2 : 65536;
            while (poollen + wl + 1 > poolcap)
                poolcap *= 2;
            char *np = realloc(sp->pool, poolcap);
            if (!np) {
                rc = XC_ERR_NOMEM;
                break;
            }
            sp->pool = np;
        }
        memcpy(sp->pool + poollen, w, wl);
        sp->pool[poollen + wl] = '\0';
        sp->off[sp->nwords] = (uint32_t)poollen;
        sp->freq[sp->nwords] = f;
        sp->nwords++;
        poollen += wl + 1;
    }
    xc_iter_free(it);
    size_t nw = sp->nwords;
    if (rc == XC_OK) {
        sp->ncp = calloc(nw ? nw : 1, 1);
        sp->letters = calloc(nw ? nw : 1, sizeof *sp->letters);
        sp->count = calloc(nw ? nw : 1, sizeof *sp->count);
        sp->touched = malloc((nw ? nw : 1) * sizeof *sp->touched);
        sp->capgrams = 1024;
        while (sp->capgrams < nw * 2)
            sp->capgrams *= 2;
        sp->grams = calloc(sp->capgrams, sizeof *sp->grams);
        if (!sp->ncp || !sp->letters || !sp->count || !sp->touched || !sp->grams)
            rc = XC_ERR_NOMEM;
    }
    /* the trigrams: count, then place. The second pass takes the words by
     * length (then in table order), so each trigram's postings are sorted
     * by the words' lengths: a lookup reads only the run of lengths within
     * max_edit of the word's (most postings of a common trigram are words
     * too long or too short to be within two edits). */
    uint32_t *gcount = NULL;
    size_t gcap = 0, total = 0;
    uint32_t cp[MAX_CP + 1];
    uint64_t keys[MAX_CP + 2];
    uint32_t *bylen = NULL;
    for (int pass = 0; pass < 2 && rc == XC_OK; pass++) {
        if (pass == 1) {
            size_t at[MAX_CP + 2] = {0};
            bylen = malloc((nw ? nw : 1) * sizeof *bylen);
            if (!bylen) {
                rc = XC_ERR_NOMEM;
                break;
            }
            for (size_t i = 0; i < nw; i++)
                at[sp->ncp[i] + 1]++;
            for (size_t l = 1; l <= MAX_CP + 1; l++)
                at[l] += at[l - 1];
            for (size_t i = 0; i < nw; i++)
                bylen[at[sp->ncp[i]]++] = (uint32_t)i;
        }
        for (size_t r = 0; r < nw && rc == XC_OK; r++) {
            size_t i = pass == 1 ? bylen[r] : r;
            const char *word = sp->pool + sp->off[i];
            size_t n = utf8_decode(word, strlen(word), cp, MAX_CP + 1);
            if (n == 0 || n > MAX_CP)
                continue;
            sp->ncp[i] = (uint8_t)n;
            sp->letters[i] = letter_set(cp, n);
            size_t ng = grams_of(cp, n, keys);
            for (size_t g = 0; g < ng; g++) {
                gram_slot *s = gram_find(sp->grams, sp->capgrams, keys[g]);
                if (pass == 1) {
                    sp->post[sp->gstart[s->idx] + gcount[s->idx]++] = (uint32_t)i;
                    continue;
                }
                if (!s->key) {
                    if ((sp->ngrams + 1) * 2 > sp->capgrams) {
                        /* grow the table and find the slot again */
                        size_t nc = sp->capgrams * 2;
                        gram_slot *nt = calloc(nc, sizeof *nt);
                        if (!nt) {
                            rc = XC_ERR_NOMEM;
                            break;
                        }
                        for (size_t j = 0; j < sp->capgrams; j++)
                            if (sp->grams[j].key)
                                *gram_find(nt, nc, sp->grams[j].key) = sp->grams[j];
                        free(sp->grams);
                        sp->grams = nt;
                        sp->capgrams = nc;
                        s = gram_find(sp->grams, sp->capgrams, keys[g]);
                    }
                    if (sp->ngrams == gcap) {
                        gcap = gcap ? gcap * 2 : 4096;
                        uint32_t *nc2 = realloc(gcount, gcap * sizeof *nc2);
                        if (!nc2) {
                            rc = XC_ERR_NOMEM;
                            break;
                        }
                        gcount = nc2;
                    }
                    s->key = keys[g];
                    s->idx = (uint32_t)sp->ngrams;
                    gcount[sp->ngrams++] = 0;
                }
                gcount[s->idx]++;
                total++;
            }
        }
        if (pass == 0 && rc == XC_OK) {
            sp->gstart = malloc((sp->ngrams + 1) * sizeof *sp->gstart);
            sp->post = malloc((total ? total : 1) * sizeof *sp->post);
            if (!sp->gstart || !sp->post) {
                rc = XC_ERR_NOMEM;
                break;
            }
            uint32_t at = 0;
            for (size_t g = 0; g < sp->ngrams; g++) {
                sp->gstart[g] = at;
                at += gcount[g];
                gcount[g] = 0;
            }
            sp->gstart[sp->ngrams] = at;
        }
    }
    free(gcount);
    free(bylen);
    if (rc == XC_OK && build_folds(sp) < 0)
        rc = XC_ERR_NOMEM;
    if (rc != XC_OK) {
        srch_speller_free(sp);
        return rc;
    }
    *out = sp;
    return XC_OK;
}

uint64_t srch_speller_revision(const srch_speller *sp)
{
    return sp->revision;
}

/* Edit distance with adjacent transpositions, or limit + 1 when over limit. */
static unsigned edit_distance(const uint32_t *a, size_t n, const uint32_t *b, size_t m,
                              unsigned limit)
{
    unsigned rows[3][MAX_CP + 1];
    unsigned *pp = rows[0], *p = rows[1], *c = rows[2];
    for (size_t j = 0; j <= m; j++)
        p[j] = (unsigned)j;
    for (size_t i = 1; i <= n; i++) {
        c[0] = (unsigned)i;
        unsigned best = c[0];
        for (size_t j = 1; j <= m; j++) {
            unsigned cost = a[i - 1] != b[j - 1];
            unsigned v = p[j] + 1;
            if (c[j - 1] + 1 < v)
                v = c[j - 1] + 1;
            if (p[j - 1] + cost < v)
                v = p[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                pp[j - 2] + 1 < v)
                v = pp[j - 2] + 1;
            c[j] = v;
            if (v < best)
                best = v;
        }
        if (best > limit)
            return limit + 1;
        unsigned *t = pp;
        pp = p;
        p = c;
        c = t;
    }
    return p[m] > limit ? limit + 1 : p[m];
}

static long find_word(const srch_speller *sp, const char *w)
{
    size_t lo = 0, hi = sp->nwords;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(sp->pool + sp->off[mid], w);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

size_t srch_speller_nearest_all(srch_speller *sp, const char *word, unsigned max_edit,
                                const char **out, size_t max)
{
    uint32_t q[MAX_CP + 1], cp[MAX_CP + 1];
    uint64_t keys[MAX_CP];
    size_t n = utf8_decode(word, strlen(word), q, MAX_CP + 1);
    if (n < 2 || n > MAX_CP || max == 0)
        return 0;
    size_t ng = grams_of(q, n, keys);
    unsigned best_d = max_edit + 1;
    uint64_t qletters = letter_set(q, n);
    /* count shared trigrams (each distinct trigram of the word once) */
    size_t nt = 0;
    for (size_t g = 0; g < ng; g++) {
        int dup = 0;
        for (size_t h = 0; h < g; h++)
            if (keys[h] == keys[g])
                dup = 1;
        if (dup)
            continue;
        gram_slot *s = gram_find(sp->grams, sp->capgrams, keys[g]);
        if (!s->key)
            continue;
        /* the postings of lengths n - max_edit .. n + max_edit (sorted by
         * length): the others cannot be within max_edit edits */
        uint32_t lo = sp->gstart[s->idx], hi = sp->gstart[s->idx + 1];
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (sp->ncp[sp->post[mid]] + (size_t)max_edit < n)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (uint32_t k = lo; k < sp->gstart[s->idx + 1]; k++) {
            uint32_t wd = sp->post[k];
            if (sp->ncp[wd] > n + max_edit)
                break;
            if (sp->count[wd]++ == 0)
                sp->touched[nt++] = wd;
        }
    }
    /* An edit changes at most 4 trigrams (3, or 4 for a transposition):
     * words within d edits share at least max(n, m) - 4d of them, and at
     * least one (the candidates are the words that share a trigram). d is
     * max_edit, then the best distance found so far. */
    uint32_t kept[SRCH_SPELL_TIES];
    size_t nkept = 0;
    if (max > SRCH_SPELL_TIES)
        max = SRCH_SPELL_TIES;
    unsigned limit = max_edit;
    for (size_t t = 0; t < nt; t++) {
        uint32_t wd = sp->touched[t];
        size_t m = sp->ncp[wd];
        if (m == 0 || (m > n ? m - n : n - m) > limit)
            continue;
        if ((long)sp->count[wd] < (long)(m > n ? m : n) - 4 * (long)limit)
            continue;
        /* an edit adds or removes at most two letters of the set */
        if (popcount64(sp->letters[wd] ^ qletters) > 2 * limit)
            continue;
        const char *w = sp->pool + sp->off[wd];
        utf8_decode(w, strlen(w), cp, MAX_CP + 1);
        unsigned e = edit_distance(q, n, cp, m, limit);
        if (e == 0 || e > limit)
            continue;
        if (e < best_d)
            nkept = 0; /* nearer than all kept so far */
        best_d = e;
        limit = e;
        /* keep the max most frequent words at this distance, in order
         * (ties by table order, as Xapian) */
        size_t at = nkept;
        while (at > 0 && (sp->freq[wd] > sp->freq[kept[at - 1]] ||
                          (sp->freq[wd] == sp->freq[kept[at - 1]] && wd < kept[at - 1])))
            at--;
        if (at >= max)
            continue;
        if (nkept == max)
            nkept--;
        memmove(kept + at + 1, kept + at, (nkept - at) * sizeof *kept);
        kept[at] = wd;
        nkept++;
    }
    for (size_t t = 0; t < nt; t++)
        sp->count[sp->touched[t]] = 0;
    if (nkept == 0)
        return 0;
    long self = find_word(sp, word);
    if (self >= 0 && sp->freq[self] > sp->freq[kept[0]])
        return 0;
    for (size_t i = 0; i < nkept; i++)
        out[i] = sp->pool + sp->off[kept[i]];
    return nkept;
}

const char *srch_speller_nearest(srch_speller *sp, const char *word, unsigned max_edit)
{
    const char *best = NULL;
    return srch_speller_nearest_all(sp, word, max_edit, &best, 1) ? best : NULL;
}

const char *srch_speller_accented(const srch_speller *sp, const char *folded, const char *raw)
{
    size_t lo = 0, hi = sp->nfolds;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(sp->folds[mid].fold, folded);
        if (c == 0) {
            uint32_t wd = sp->folds[mid].word;
            const char *best = sp->pool + sp->off[wd];
            long typed = find_word(sp, raw);
            if (!strcmp(best, raw))
                return NULL;
            if (typed >= 0 && sp->freq[typed] >= sp->freq[wd])
                return NULL; /* the word as typed is as frequent */
            return best;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

uint32_t srch_speller_freq(const srch_speller *sp, const char *folded)
{
    uint32_t best = 0;
    long self = find_word(sp, folded);
    if (self >= 0)
        best = sp->freq[self];
    size_t lo = 0, hi = sp->nfolds;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(sp->folds[mid].fold, folded);
        if (c == 0) {
            uint32_t f = sp->freq[sp->folds[mid].word];
            return f > best ? f : best;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return best;
}
