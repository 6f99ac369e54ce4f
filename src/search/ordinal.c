/* ordinal.c: the other spellings of an ordinal number. A question writes
 * "la 7e étape" or "le 1er pasteur" where the passage writes "la septième
 * étape", "le premier pasteur" (and the reverse); English writes "1st" and
 * "first". The query builder (query.c) adds these forms to the word's
 * synonym, so that either spelling finds the other. Only ordinals from 1 to
 * 16 and 20 are known (the French ones from 17 to 19 are compounds,
 * "dix-septième", analysed as several words). Forms are folded as the
 * analyser folds words (no accents, lower case). */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "search/search-internal.h"

/* Ordinal n (index), its French words and its English word. */
static const struct {
    const char *fr[4];
    const char *en;
} words[] = {
    [1] = {{"premier", "premiere", "premiers", "premieres"}, "first"},
    [2] = {{"deuxieme", "second", "seconde", NULL}, "second"},
    [3] = {{"troisieme", NULL, NULL, NULL}, "third"},
    [4] = {{"quatrieme", NULL, NULL, NULL}, "fourth"},
    [5] = {{"cinquieme", NULL, NULL, NULL}, "fifth"},
    [6] = {{"sixieme", NULL, NULL, NULL}, "sixth"},
    [7] = {{"septieme", NULL, NULL, NULL}, "seventh"},
    [8] = {{"huitieme", NULL, NULL, NULL}, "eighth"},
    [9] = {{"neuvieme", NULL, NULL, NULL}, "ninth"},
    [10] = {{"dixieme", NULL, NULL, NULL}, "tenth"},
    [11] = {{"onzieme", NULL, NULL, NULL}, "eleventh"},
    [12] = {{"douzieme", NULL, NULL, NULL}, "twelfth"},
    [13] = {{"treizieme", NULL, NULL, NULL}, "thirteenth"},
    [14] = {{"quatorzieme", NULL, NULL, NULL}, "fourteenth"},
    [15] = {{"quinzieme", NULL, NULL, NULL}, "fifteenth"},
    [16] = {{"seizieme", NULL, NULL, NULL}, "sixteenth"},
    [20] = {{"vingtieme", NULL, NULL, NULL}, "twentieth"},
};
#define MAX_ORDINAL (sizeof words / sizeof *words - 1)

/* The language of an ordinal's suffix after its digits. */
enum { SUF_NONE = 0, SUF_FR = 1, SUF_EN = 2, SUF_BOTH = 3 };

static int suffix_lang(const char *s, size_t len, unsigned n)
{
    static const char *const fr_any[] = {"e", "eme", "ieme"};
    for (size_t k = 0; k < sizeof fr_any / sizeof *fr_any; k++)
        if (len == strlen(fr_any[k]) && memcmp(s, fr_any[k], len) == 0)
            return n == 1 ? SUF_NONE : SUF_FR; /* "1e" is no ordinal */
    if (n == 1) {
        static const char *const fr_one[] = {"er", "re", "ere", "ers", "res", "eres"};
        for (size_t k = 0; k < sizeof fr_one / sizeof *fr_one; k++)
            if (len == strlen(fr_one[k]) && memcmp(s, fr_one[k], len) == 0)
                return SUF_FR;
        return len == 2 && memcmp(s, "st", 2) == 0 ? SUF_EN : SUF_NONE;
    }
    if (n == 2 && ((len == 2 && memcmp(s, "nd", 2) == 0) || (len == 3 && memcmp(s, "nde", 3) == 0)))
        return len == 2 ? SUF_BOTH : SUF_FR;
    if (n == 3 && len == 2 && memcmp(s, "rd", 2) == 0)
        return SUF_EN;
    if (n > 3 && len == 2 && memcmp(s, "th", 2) == 0)
        return SUF_EN;
    return SUF_NONE;
}

/* Appends form to out (deduplicated, w itself left out). */
static void add(char out[][SRCH_ORDINAL_FORM], size_t *nout, const char *w, size_t wlen,
                const char *form)
{
    size_t len = strlen(form);
    if (*nout >= SRCH_ORDINAL_FORMS || len >= SRCH_ORDINAL_FORM ||
        (len == wlen && memcmp(form, w, len) == 0))
        return;
    for (size_t k = 0; k < *nout; k++)
        if (strcmp(out[k], form) == 0)
            return;
    memcpy(out[(*nout)++], form, len + 1);
}

/* The digit forms of ordinal n in the languages of mask. */
static void add_digits(char out[][SRCH_ORDINAL_FORM], size_t *nout, const char *w, size_t wlen,
                       unsigned n, int mask)
{
    char f[SRCH_ORDINAL_FORM];
    if (mask & SUF_FR) {
        if (n == 1) {
            add(out, nout, w, wlen, "1er");
            add(out, nout, w, wlen, "1re");
            add(out, nout, w, wlen, "1ere");
        } else {
            snprintf(f, sizeof f, "%ue", n);
            add(out, nout, w, wlen, f);
            snprintf(f, sizeof f, "%ueme", n);
            add(out, nout, w, wlen, f);
        }
    }
    if (mask & SUF_EN) {
        snprintf(f, sizeof f, "%u%s", n, n == 1 ? "st" : n == 2 ? "nd" : n == 3 ? "rd" : "th");
        add(out, nout, w, wlen, f);
    }
}

size_t srch_ordinal_forms(const char *w, size_t len, char out[][SRCH_ORDINAL_FORM])
{
    size_t nout = 0;
    if (len == 0 || len >= SRCH_ORDINAL_FORM)
        return 0;
    if (w[0] >= '1' && w[0] <= '9') {
        /* digits then a suffix: "7e", "7eme", "1er", "2nd", "4th" */
        unsigned n = 0;
        size_t i = 0;
        for (; i < len && i < 2 && w[i] >= '0' && w[i] <= '9'; i++)
            n = n * 10 + (unsigned)(w[i] - '0');
        if (i == len || n > MAX_ORDINAL || !words[n].en)
            return 0;
        int lang = suffix_lang(w + i, len - i, n);
        if (lang == SUF_NONE)
            return 0;
        add_digits(out, &nout, w, len, n, lang);
        if (lang & SUF_FR)
            for (size_t k = 0; k < 4 && words[n].fr[k]; k++)
                add(out, &nout, w, len, words[n].fr[k]);
        if (lang & SUF_EN)
            add(out, &nout, w, len, words[n].en);
        return nout;
    }
    for (unsigned n = 1; n <= MAX_ORDINAL; n++) {
        if (!words[n].en)
            continue;
        int lang = SUF_NONE; /* the first byte tells most words apart cheaply */
        for (size_t k = 0; k < 4 && words[n].fr[k]; k++)
            if (words[n].fr[k][0] == w[0] && strlen(words[n].fr[k]) == len &&
                memcmp(words[n].fr[k], w, len) == 0)
                lang |= SUF_FR;
        if (words[n].en[0] == w[0] && strlen(words[n].en) == len &&
            memcmp(words[n].en, w, len) == 0)
            lang |= SUF_EN;
        if (lang != SUF_NONE) {
            add_digits(out, &nout, w, len, n, lang);
            return nout;
        }
    }
    return 0;
}
