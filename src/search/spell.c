/* spell.c: "did you mean". A query word that is not in the index (as its
 * folded form) is looked up in the spelling table, which the indexer fills
 * with the lower-cased words as written (accents kept). A suggestion that
 * folds to the same word is no correction; when some word is corrected, the
 * other words are shown with their accents too ("medecine familliale" ->
 * "médecine familiale"). */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "search/search-internal.h"
#include "store/schema.h"

/* The spelling table's best match for the word as typed (lower-cased by
 * the table's own rules: we pass the folded word and the raw one). */
static char *lookup(srch_engine *e, const char *word)
{
    char *s = NULL;
    if (xc_db_spelling_suggestion(e->db, word, 2, &s) != XC_OK) {
        free(s);
        return NULL;
    }
    if (!s[0]) {
        free(s);
        return NULL;
    }
    return s;
}

static int folds_to(const char *s, const char *word)
{
    char *f = NULL;
    int same = 0;
    if (txt_normalise(s, strlen(s), &f) == TXT_OK)
        same = strcmp(f, word) == 0;
    free(f);
    return same;
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
        if (xc_db_termfreq(e->db, w->word, strlen(w->word), &freq) != XC_OK || freq > 0)
            continue;
        char *raw = raw_lower(q, w);
        char *s = raw ? lookup(e, raw) : NULL;
        /* the folded word, unless it is what was just looked up */
        if (!s && (!raw || strcmp(raw, w->word) != 0))
            s = lookup(e, w->word);
        free(raw);
        if (s && !folds_to(s, w->word)) {
            rep[i] = s;
            changed = 1;
        } else
            free(s);
    }
    char *out = NULL;
    if (changed) {
        /* The known words, with their accents from the table. */
        for (size_t i = 0; i < n; i++) {
            const srch_word *w = &p->words[i];
            if (rep[i] || !w->plain)
                continue;
            char *raw = raw_lower(q, w);
            char *s = raw ? lookup(e, raw) : NULL;
            if (s && folds_to(s, w->word) && strcmp(s, raw) != 0)
                rep[i] = s;
            else
                free(s);
            free(raw);
        }
        srch_buf b = {0};
        size_t at = 0;
        int ok = 1;
        for (size_t i = 0; i < n && ok; i++) {
            if (!rep[i] || p->words[i].start < at)
                continue;
            ok &= srch_buf_add(&b, q + at, p->words[i].start - at) == 0;
            ok &= srch_buf_adds(&b, rep[i]) == 0;
            at = p->words[i].end;
        }
        ok &= srch_buf_adds(&b, q + at) == 0;
        if (ok)
            out = b.s;
        else
            free(b.s);
    }
    for (size_t i = 0; i < n; i++)
        free(rep[i]);
    free(rep);
    return out;
}
