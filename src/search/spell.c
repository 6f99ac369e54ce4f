/* spell.c: "did you mean". A query word that is not in the index (as its
 * folded form) is looked up in the spelling table, which the indexer fills
 * with the lower-cased words as written (accents kept): the nearest word
 * within two edits, found in the in-memory index of the table (speller.c).
 * A suggestion that folds to the same word is no correction; when some
 * word is corrected, the other words are shown with their accents too, the
 * most frequent spelling that folds to them ("medecine familliale" ->
 * "médecine familiale"). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "search/search-internal.h"
#include "store/schema.h"

/* The index of the spelling table, read again when the database changed
 * revision; NULL when it cannot be read (then there is no suggestion). */
srch_speller *srch_engine_speller(srch_engine *e)
{
    /* With the live delta open, the main database's revision: the delta
     * writes no spelling words (they wait in a value for the fold), so its
     * commits leave the table as it was, and each worker's index of it
     * is not made again at every live write. */
    uint64_t rev = 0;
    int rc = e->delta_open && !e->shards ? xc_db_part_revision(e->db, 0, &rev)
                                         : xc_db_revision(e->db, &rev);
    if (rc != XC_OK)
        return NULL;
    if (e->speller && e->speller_rev == rev)
        return e->speller;
    srch_speller_free(e->speller);
    e->speller = NULL;
    srch_speller *sp = NULL;
    if (srch_speller_new(e->db, &sp) == XC_OK) {
        e->speller = sp;
        e->speller_rev = rev;
    }
    return e->speller;
}

/* The language of a word of the spelling table, from the index: the
 * indexer stems each paragraph in its own language only (English stems
 * "ZE...", French "ZF..."), so the number of posts that hold the word's
 * English stem against the number that hold its French stem tells which
 * language writes it ("exam": ZEexam, "examen": ZFexamen). Stems can meet
 * other words of the other language, so this is a majority, not a proof;
 * it costs two lookups of the engine's memo of term frequencies. NONE: as
 * many, or none. */
static txt_lang word_lang(srch_engine *e, const char *word)
{
    txt_options opt = {TXT_LANG_NONE, TXT_LANG_NONE, 1};
    txt_result r;
    if (txt_analyse(e->an, word, strlen(word), &opt, 1, &r) != TXT_OK || r.ntokens != 1)
        return TXT_LANG_NONE;
    uint32_t f[3] = {0, 0, 0};
    const txt_token *t = &r.tokens[0];
    for (unsigned k = 0; k < t->nstems; k++) {
        const txt_stem *st = &t->stems[k];
        char term[128];
        int n = snprintf(term, sizeof term, "%s%.*s", st->lang == TXT_LANG_EN ? SCH_STEM_EN : SCH_STEM_FR,
                         (int)st->len, st->term);
        uint32_t freq = 0;
        if (st->stop || n < 0 || n >= (int)sizeof term ||
            srch_termfreq(e, term, (size_t)n, &freq) != XC_OK)
            continue;
        if (freq > f[st->lang])
            f[st->lang] = freq;
    }
    if (f[TXT_LANG_EN] == f[TXT_LANG_FR])
        return TXT_LANG_NONE;
    return f[TXT_LANG_EN] > f[TXT_LANG_FR] ? TXT_LANG_EN : TXT_LANG_FR;
}

static int worth_suggesting(srch_engine *e, const srch_word *w, const char *s);

/* A bilingual archive often cannot tell the language of a query (a word
 * or two), and the nearest words of a misspelling may be one English and
 * one French ("examn": "exam", "examen"). When the language is known
 * (given, or told from a question), the speller's rule stands. Else (the
 * most frequent of the nearest picks by how often the archive writes
 * each), when the nearest word is in one language and another word as
 * near, folding differently, is in the other, both are kept, the one more
 * posts hold first: the search looks for both, the suggestion shows the
 * first. */
int srch_correct(srch_engine *e, const char *word, txt_lang lang, const srch_word *w, char **best,
                 char **other)
{
    srch_speller *sp = srch_engine_speller(e);
    const char *c[SRCH_SPELL_TIES];
    size_t n = sp ? srch_speller_nearest_all(sp, word, 2, c, SRCH_SPELL_TIES) : 0;
    *best = *other = NULL;
    if (n == 0)
        return -1;
    if (w && !worth_suggesting(e, w, c[0]))
        return 1;
    const char *first = c[0], *second = NULL;
    txt_lang l0 = n > 1 && lang == TXT_LANG_NONE ? word_lang(e, c[0]) : TXT_LANG_NONE;
    char *f0 = NULL;
    if (l0 != TXT_LANG_NONE && txt_normalise(c[0], strlen(c[0]), &f0) != TXT_OK)
        l0 = TXT_LANG_NONE;
    for (size_t i = 1; i < n && l0 != TXT_LANG_NONE && !second; i++) {
        char *f = NULL;
        if (txt_normalise(c[i], strlen(c[i]), &f) == TXT_OK && strcmp(f, f0) != 0 &&
            (!w || worth_suggesting(e, w, c[i]))) {
            txt_lang l = word_lang(e, c[i]);
            if (l != TXT_LANG_NONE && l != l0) {
                uint32_t h0 = 0, hi = 0;
                srch_termfreq(e, f0, strlen(f0), &h0);
                srch_termfreq(e, f, strlen(f), &hi);
                second = c[i];
                if (hi > h0) { /* the one more posts hold first */
                    second = c[0];
                    first = c[i];
                }
            }
        }
        free(f);
    }
    free(f0);
    *best = strdup(first);
    *other = second ? strdup(second) : NULL;
    if (!*best || (second && !*other)) {
        free(*best);
        free(*other);
        *best = *other = NULL;
        return -1;
    }
    return 0;
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

char *srch_spelling(srch_engine *e, const char *q, const srch_parsed *p, char **search)
{
    *search = NULL;
    if (!e->db || !p->nwords)
        return NULL;
    size_t n = p->nwords;
    char **rep = calloc(n, sizeof *rep), **alt = calloc(n, sizeof *alt);
    if (!rep || !alt) {
        free(rep);
        free(alt);
        return NULL;
    }
    int changed = 0, alts = 0;
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
        char *s = NULL, *o = NULL;
        int rc = raw ? srch_correct(e, raw, p->lang, w, &s, &o) : -1;
        /* the folded word, unless it is what was just looked up */
        if (rc < 0 && (!raw || strcmp(raw, w->word) != 0))
            srch_correct(e, w->word, p->lang, w, &s, &o);
        free(raw);
        if (s) {
            rep[i] = s;
            changed = 1;
            alt[i] = o;
            alts |= o != NULL;
        }
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
        /* the suggestion; and, with a second correction, what to search:
         * the two ORed in place ("(lettre OR letter) AND permis"), or
         * added as one more word to plain words, which are ORed anyway
         * (and keep the glossary's synonyms) */
        txt_buf b = {0}, sb = {0};
        size_t at = 0;
        int ok = 1;
        for (size_t i = 0; i < n && ok; i++) {
            if (!rep[i] || p->words[i].start < at)
                continue;
            ok &= txt_buf_add(&b, q + at, p->words[i].start - at) == 0;
            ok &= txt_buf_adds(&b, rep[i]) == 0;
            if (alts) {
                ok &= txt_buf_add(&sb, q + at, p->words[i].start - at) == 0;
                if (alt[i] && p->complex) {
                    ok &= txt_buf_adds(&sb, "(") == 0 && txt_buf_adds(&sb, rep[i]) == 0 &&
                          txt_buf_adds(&sb, " OR ") == 0 && txt_buf_adds(&sb, alt[i]) == 0 &&
                          txt_buf_adds(&sb, ")") == 0;
                } else
                    ok &= txt_buf_adds(&sb, rep[i]) == 0;
            }
            at = p->words[i].end;
        }
        ok &= txt_buf_adds(&b, q + at) == 0;
        if (alts) {
            ok &= txt_buf_adds(&sb, q + at) == 0;
            for (size_t i = 0; i < n && ok && !p->complex; i++)
                if (alt[i])
                    ok &= txt_buf_adds(&sb, " ") == 0 && txt_buf_adds(&sb, alt[i]) == 0;
        }
        if (ok) {
            out = b.p;
            *search = sb.p;
        } else {
            free(b.p);
            free(sb.p);
        }
    }
    for (size_t i = 0; i < n; i++) {
        free(rep[i]);
        free(alt[i]);
    }
    free(rep);
    free(alt);
    return out;
}
