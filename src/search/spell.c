/* spell.c: "did you mean". A query word that is not in the index (as its
 * folded form) is looked up in the spelling table, which the indexer fills
 * with the lower-cased words as written (accents kept): the nearest word
 * within two edits, found in the in-memory index of the table (speller.c).
 * A suggestion that folds to the same word is no correction; when some
 * word is corrected, the other words are shown with their accents too, the
 * most frequent spelling that folds to them ("medecine familliale" ->
 * "médecine familiale"). */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "search/search-internal.h"
#include "store/schema.h"

/* The index of the spelling table, read again when the database changed
 * revision; NULL when it cannot be read (then there is no suggestion). */
srch_speller *srch_engine_speller(srch_engine *e)
{
    uint64_t rev = 0;
    if (xc_db_revision(e->db, &rev) != XC_OK)
        return NULL;
    if (e->speller && srch_speller_revision(e->speller) == rev)
        return e->speller;
    srch_speller_free(e->speller);
    e->speller = NULL;
    srch_speller *sp = NULL;
    if (srch_speller_new(e->db, &sp) == XC_OK)
        e->speller = sp;
    return e->speller;
}

/* The spelling table's best match for the word as typed (lower-cased by
 * the table's own rules: we pass the folded word and the raw one). */
static char *lookup(srch_engine *e, const char *word)
{
    srch_speller *sp = srch_engine_speller(e);
    const char *s = sp ? srch_speller_nearest(sp, word, 2) : NULL;
    return s ? strdup(s) : NULL;
}

/* The raw query word, lower-cased ASCII (the table is lower-case). */
static char *raw_lower(const char *q, const srch_word *w)
{
    char *s = strndup(q + w->start, w->end - w->start);
    if (!s)
        return NULL;
    for (char *p = s; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return s;
}

/* 1 if the index holds one of the word's stems. */
static int known_by_stem(srch_engine *e, const srch_word *w)
{
    for (unsigned k = 0; k < w->nstems; k++) {
        uint32_t freq = 0;
        if (srch_termfreq(e, w->stems[k], strlen(w->stems[k]), &freq) == XC_OK && freq > 0)
            return 1;
    }
    return 0;
}

/* 1 if the suggestion, folded (f), differs from the word only by an
 * ending and the index knows the word by its stem: "exams" and
 * "restrictifs" are other forms of "exam" and "restrictif", rightly spelt,
 * and already find what those find. ("residancy" shares its stem with
 * "residency" too, but differs inside the word: a misspelling, suggested.) */
static int inflection(srch_engine *e, const srch_word *w, const char *f)
{
    size_t a = strlen(f), b = strlen(w->word);
    return strncmp(f, w->word, a < b ? a : b) == 0 && known_by_stem(e, w);
}

/* 1 if w is the query's last word, typed up to the end of the query (no
 * space after it: the visitor may still be typing it), and the start of a
 * word of the index ("permis restr" is on its way to "restrictif", not a
 * misspelling of "est"). */
static int completes(srch_engine *e, const char *q, const srch_word *w)
{
    if (q[w->end] != '\0')
        return 0;
    xc_iter *it = NULL;
    int found = 0;
    if (xc_db_allterms(e->db, w->word, &it) == XC_OK) {
        const char *term;
        size_t tl;
        uint32_t freq;
        found = xc_iter_next(it, &term, &tl, &freq, NULL) == XC_OK;
    }
    xc_iter_free(it);
    return found;
}

/* 1 if the suggestion, folded (f), is a stopword of English or French: a
 * correction to "est" or "the" would hardly be what was meant, and
 * stopwords alone are not searched. */
static int is_stopword(const char *f)
{
    return txt_is_stopword(TXT_LANG_EN, f, strlen(f)) || txt_is_stopword(TXT_LANG_FR, f, strlen(f));
}

/* 1 if the suggestion s is worth making for w: not the word itself once
 * folded, not a stopword, not another form of it. */
static int worth_suggesting(srch_engine *e, const srch_word *w, const char *s)
{
    char *f = NULL;
    int worth = 0;
    if (txt_normalise(s, strlen(s), &f) == TXT_OK)
        worth = strcmp(f, w->word) != 0 && !is_stopword(f) && !inflection(e, w, f);
    free(f);
    return worth;
}

char *srch_spelling(srch_engine *e, const char *q, const srch_parsed *p)
{
    if (!e->db || !p->nwords)
        return NULL;
    size_t n = p->nwords;
    char **rep = calloc(n, sizeof *rep);
    if (!rep)
        return NULL;
    int changed = 0;
    for (size_t i = 0; i < n; i++) {
        const srch_word *w = &p->words[i];
        uint32_t freq = 0;
        if (!w->plain || strlen(w->word) < 3)
            continue;
        if (srch_termfreq(e, w->word, strlen(w->word), &freq) != XC_OK || freq > 0)
            continue;
        if (i == n - 1 && completes(e, q, w))
            continue;
        char *raw = raw_lower(q, w);
        char *s = raw ? lookup(e, raw) : NULL;
        /* the folded word, unless it is what was just looked up */
        if (!s && (!raw || strcmp(raw, w->word) != 0))
            s = lookup(e, w->word);
        free(raw);
        if (s && worth_suggesting(e, w, s)) {
            rep[i] = s;
            changed = 1;
        } else
            free(s);
    }
    char *out = NULL;
    if (changed) {
        /* The known words, with their accents from the table. */
        srch_speller *sp = srch_engine_speller(e);
        for (size_t i = 0; i < n && sp; i++) {
            const srch_word *w = &p->words[i];
            if (rep[i] || !w->plain)
                continue;
            char *raw = raw_lower(q, w);
            const char *s = raw ? srch_speller_accented(sp, w->word, raw) : NULL;
            if (s)
                rep[i] = strdup(s);
            free(raw);
        }
        txt_buf b = {0};
        size_t at = 0;
        int ok = 1;
        for (size_t i = 0; i < n && ok; i++) {
            if (!rep[i] || p->words[i].start < at)
                continue;
            ok &= txt_buf_add(&b, q + at, p->words[i].start - at) == 0;
            ok &= txt_buf_adds(&b, rep[i]) == 0;
            at = p->words[i].end;
        }
        ok &= txt_buf_adds(&b, q + at) == 0;
        if (ok)
            out = b.p;
        else
            free(b.p);
    }
    for (size_t i = 0; i < n; i++)
        free(rep[i]);
    free(rep);
    return out;
}
