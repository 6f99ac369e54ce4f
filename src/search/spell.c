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

/* How many posts hold the folded word in English and in French (a post
 * in both counts in both). An xc status. */
static int lang_counts(srch_engine *e, const char *folded, uint32_t *en, uint32_t *fr)
{
    uint32_t check = 0;
    int rc = xc_db_doccount(e->db, &check);
    for (int l = 0; l < 2 && rc == XC_OK; l++) {
        xc_query *parts[2] = {NULL, NULL}, *q = NULL;
        char lt[8];
        snprintf(lt, sizeof lt, "%s%s", SCH_LANG, l ? "fr" : "en");
        rc = xc_query_term(folded, strlen(folded), 1, 0, &parts[0]);
        if (rc == XC_OK)
            rc = xc_query_term(lt, strlen(lt), 1, 0, &parts[1]);
        if (rc == XC_OK)
            rc = xc_query_combine(XC_OP_FILTER, parts, 2, 0, &q);
        int exact;
        if (rc == XC_OK)
            rc = srch_count(e, q, check, l ? fr : en, &exact);
        xc_query_free(parts[0]);
        xc_query_free(parts[1]);
        xc_query_free(q);
    }
    return rc;
}

/* The language most of the posts holding the folded word are in (NONE: as
 * many in both, or none). */
static txt_lang word_lang(srch_engine *e, const char *folded)
{
    uint32_t en = 0, fr = 0;
    if (lang_counts(e, folded, &en, &fr) != XC_OK || en == fr)
        return TXT_LANG_NONE;
    return en > fr ? TXT_LANG_EN : TXT_LANG_FR;
}

/* A bilingual archive often cannot tell the language of a query (a word
 * or two), and the nearest words of a misspelling may be one English and
 * one French ("lettr": "letter", "lettre"). The speller's rule alone (the
 * most frequent of the nearest) would pick by how often the archive writes
 * each; here, when the nearest words include an English word and a French
 * one that fold differently, both are kept, the one more posts hold first:
 * the search looks for both, the suggestion shows the first. */
int srch_correct(srch_engine *e, const char *word, char **best, char **other)
{
    srch_speller *sp = srch_engine_speller(e);
    const char *c[SRCH_SPELL_TIES];
    size_t n = sp ? srch_speller_nearest_all(sp, word, 2, c, 4) : 0;
    *best = *other = NULL;
    if (n == 0)
        return -1;
    char *fold[SRCH_SPELL_TIES] = {0};
    const char *pick[3] = {NULL, NULL, NULL}; /* by txt_lang: the first of each */
    size_t pick_at[3] = {0, 0, 0};
    for (size_t i = 0; i < n && n > 1; i++) {
        if (txt_normalise(c[i], strlen(c[i]), &fold[i]) != TXT_OK)
            break;
        txt_lang l = word_lang(e, fold[i]);
        if (l != TXT_LANG_NONE && !pick[l])
            pick[l] = c[i], pick_at[l] = i;
    }
    const char *first = c[0], *second = NULL;
    if (pick[TXT_LANG_EN] && pick[TXT_LANG_FR] &&
        strcmp(fold[pick_at[TXT_LANG_EN]], fold[pick_at[TXT_LANG_FR]]) != 0) {
        uint32_t fe = 0, ff = 0;
        srch_termfreq(e, fold[pick_at[TXT_LANG_EN]], strlen(fold[pick_at[TXT_LANG_EN]]), &fe);
        srch_termfreq(e, fold[pick_at[TXT_LANG_FR]], strlen(fold[pick_at[TXT_LANG_FR]]), &ff);
        int en_first = fe > ff || (fe == ff && pick_at[TXT_LANG_EN] < pick_at[TXT_LANG_FR]);
        first = en_first ? pick[TXT_LANG_EN] : pick[TXT_LANG_FR];
        second = en_first ? pick[TXT_LANG_FR] : pick[TXT_LANG_EN];
    }
    for (size_t i = 0; i < n; i++)
        free(fold[i]);
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
        if (raw)
            srch_correct(e, raw, &s, &o);
        /* the folded word, unless it is what was just looked up */
        if (!s && (!raw || strcmp(raw, w->word) != 0))
            srch_correct(e, w->word, &s, &o);
        free(raw);
        if (s && worth_suggesting(e, w, s)) {
            rep[i] = s;
            changed = 1;
            if (o && worth_suggesting(e, w, o)) {
                alt[i] = o;
                alts = 1;
                o = NULL;
            }
        } else
            free(s);
        free(o);
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
        srch_buf b = {0}, sb = {0};
        size_t at = 0;
        int ok = 1;
        for (size_t i = 0; i < n && ok; i++) {
            if (!rep[i] || p->words[i].start < at)
                continue;
            ok &= srch_buf_add(&b, q + at, p->words[i].start - at) == 0;
            ok &= srch_buf_adds(&b, rep[i]) == 0;
            if (alts) {
                ok &= srch_buf_add(&sb, q + at, p->words[i].start - at) == 0;
                if (alt[i] && p->complex) {
                    ok &= srch_buf_adds(&sb, "(") == 0 && srch_buf_adds(&sb, rep[i]) == 0 &&
                          srch_buf_adds(&sb, " OR ") == 0 && srch_buf_adds(&sb, alt[i]) == 0 &&
                          srch_buf_adds(&sb, ")") == 0;
                } else
                    ok &= srch_buf_adds(&sb, rep[i]) == 0;
            }
            at = p->words[i].end;
        }
        ok &= srch_buf_adds(&b, q + at) == 0;
        if (alts) {
            ok &= srch_buf_adds(&sb, q + at) == 0;
            for (size_t i = 0; i < n && ok && !p->complex; i++)
                if (alt[i])
                    ok &= srch_buf_adds(&sb, " ") == 0 && srch_buf_adds(&sb, alt[i]) == 0;
        }
        if (ok) {
            out = b.s;
            *search = sb.s;
        } else {
            free(b.s);
            free(sb.s);
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
