/* answer.c: answer-type cues for questions. A question that asks for a
 * date ("quand", "en quelle année", "à quelle date", "when", "what year")
 * is answered by a passage that writes a year near the question's words;
 * one that asks for a name ("quel est l'autre nom de", "what is the name
 * of") by a passage that names something there ("appelé", "dénommé",
 * "surnommé", "called", "named"). Among the best hits, which the match
 * weighs by the words alone, those that do get SRCH_ANSWER_BONUS, and the
 * engine reorders them (engine.c). The cue is told from the question's
 * words (srch_answer_cue); the anchors (years, naming words) are found by
 * a scan of the stored text of the best hits only, and only the few words
 * around each anchor are analysed, so that the cost stays bounded
 * whatever the length of the posts. Other cues (a number for "combien",
 * a name for "qui", a place for "où") were measured and left out
 * (doc/QUERY.md). */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "search/search-internal.h"
#include "store/schema.h"

/* 1 if the folded token t is one of the n words of list. */
static int one_of(const txt_token *t, const char *const *list, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (t->len == strlen(list[k]) && memcmp(t->word, list[k], t->len) == 0)
            return 1;
    return 0;
}

/* The nouns by which a question asks for a name. A question that asks
 * with the verb ("comment s'appelle", "what is it called") already
 * searches the verb: the cue would add nothing but noise. */
static const char *const name_nouns[] = {"nom", "noms", "surnom", "surnoms", "name", "names",
                                         "nickname"};
#define NAME_NOUNS (sizeof name_nouns / sizeof *name_nouns)

int srch_answer_cue(srch_engine *e, const char *text, size_t len, txt_lang lang)
{
    /* "quand" / "when" asks for a date when it opens the question ("Quand
     * a débuté...", "Depuis quand..."; later it is a conjunction); "date",
     * "année", "year" anywhere ("à quelle date", "en quelle année", "quelle
     * est la date de", "in what year") */
    static const char *const opening[] = {"quand", "when"};
    static const char *const anywhere[] = {"date", "annee", "year"};
    txt_options opt = {lang, TXT_LANG_NONE, 1};
    txt_result r;
    int cue = SRCH_ANSWER_NONE;
    if (len > SRCH_ANSWER_CUE_TEXT)
        return SRCH_ANSWER_NONE; /* a question is shorter */
    if (txt_analyse(e->an, text, len, &opt, 1, &r) != TXT_OK)
        return SRCH_ANSWER_NONE;
    size_t words = 0;
    for (size_t j = 0; j < r.ntokens; j++) {
        const txt_token *t = &r.tokens[j];
        if (t->flags & TXT_TOK_JOINED)
            continue;
        if (words++ < SRCH_ANSWER_OPENING && one_of(t, opening, 2))
            return SRCH_ANSWER_DATE;
        if (one_of(t, anywhere, 3))
            return SRCH_ANSWER_DATE;
        if (one_of(t, name_nouns, NAME_NOUNS))
            cue = SRCH_ANSWER_NAME;
    }
    return cue;
}

static int word_byte(unsigned char c)
{
    return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z');
}

/* The next year written in s[*at..len): four digits from 1000 to 2099
 * standing alone ("1854", "en 1999,", not "12345", "1990s" nor "3,1415"),
 * its bytes in [*ys, *ye); 0 when there is none. */
static int next_year(const char *s, size_t len, size_t *at, size_t *ys, size_t *ye)
{
    size_t i = *at;
    while (i + 4 <= len) {
        unsigned char c = (unsigned char)s[i];
        if (c < '1' || c > '2' || (i > 0 && (word_byte((unsigned char)s[i - 1]) ||
                                             ((s[i - 1] == ',' || s[i - 1] == '.') && i > 1 &&
                                              s[i - 2] >= '0' && s[i - 2] <= '9')))) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < len && s[j] >= '0' && s[j] <= '9')
            j++;
        int alone = j == i + 4 && (j == len || !word_byte((unsigned char)s[j]));
        int year = c == '1' || (s[i + 1] == '0');
        if (alone && year) {
            *ys = i;
            *ye = j;
            *at = j;
            return 1;
        }
        i = j > i ? j : i + 1;
    }
    *at = len;
    return 0;
}

/* The start of the n-th word before byte at (or 0), and the end of the
 * n-th word after byte to (or len): the window analysed around a year. */
static size_t words_before(const char *s, size_t at, unsigned n)
{
    size_t i = at;
    for (unsigned k = 0; k < n && i > 0; k++) {
        while (i > 0 && !word_byte((unsigned char)s[i - 1]))
            i--;
        while (i > 0 && word_byte((unsigned char)s[i - 1]))
            i--;
    }
    return i;
}

static size_t words_after(const char *s, size_t len, size_t to, unsigned n)
{
    size_t i = to;
    for (unsigned k = 0; k < n && i < len; k++) {
        while (i < len && !word_byte((unsigned char)s[i]))
            i++;
        while (i < len && word_byte((unsigned char)s[i]))
            i++;
    }
    return i;
}

/* The next naming word written in s[*at..len): a word holding "nomm"
 * (nommé, dénommé, surnommé, renommé), "appel" at its start (appelé,
 * Appelée), "baptis" (baptisé), "called", "named" (renamed, nicknamed) or
 * "dubbed"; its bytes in [*ys, *ye); 0 when there is none. */
static int next_naming(const char *s, size_t len, size_t *at, size_t *ys, size_t *ye)
{
    static const char *const inside[] = {"nomm", "baptis", "called", "named", "dubbed"};
    size_t i = *at;
    while (i < len) {
        while (i < len && !word_byte((unsigned char)s[i]))
            i++;
        size_t ws = i;
        while (i < len && word_byte((unsigned char)s[i]))
            i++;
        if (i - ws >= 5 && (s[ws] == 'a' || s[ws] == 'A') && memcmp(s + ws + 1, "ppel", 4) == 0)
            goto found;
        for (size_t k = 0; k < sizeof inside / sizeof *inside; k++)
            if (memmem(s + ws, i - ws, inside[k], strlen(inside[k])))
                goto found;
        continue;
    found:
        *ys = ws;
        *ye = i;
        *at = i;
        return 1;
    }
    *at = len;
    return 0;
}

/* 1 if the token is a typed word of the question: its folded word or one
 * of its stems (as the query built them, prefixed). The nouns that ask
 * for a name are not: they are the question's, not its subject's. */
static int question_word(const srch_parsed *p, const txt_token *t)
{
    if (t->flags & TXT_TOK_NUMBER)
        return 0; /* the year itself, or another number */
    for (size_t j = 0; j < p->nwords; j++) {
        const srch_word *w = &p->words[j];
        if (!w->plain)
            continue;
        if (p->cue == SRCH_ANSWER_NAME) {
            int noun = 0;
            for (size_t k = 0; k < NAME_NOUNS; k++)
                noun |= strcmp(w->word, name_nouns[k]) == 0;
            if (noun)
                continue;
        }
        if (strlen(w->word) == t->len && memcmp(w->word, t->word, t->len) == 0)
            return 1;
        for (unsigned k = 0; k < t->nstems; k++) {
            const txt_stem *s = &t->stems[k];
            if (s->stop || !s->len)
                continue;
            const char *pre = store_stem_prefix(s->lang, 0);
            size_t pl = strlen(pre);
            for (unsigned m = 0; m < w->nstems; m++)
                if (strlen(w->stems[m]) == pl + s->len && memcmp(w->stems[m], pre, pl) == 0 &&
                    memcmp(w->stems[m] + pl, s->term, s->len) == 0)
                    return 1;
        }
    }
    return 0;
}

/* 1 if the text (a hit's body, decoded) writes an anchor of p's cue (a
 * year, a naming word) within SRCH_ANSWER_WINDOW words of a word of the
 * question. */
static int anchor_near_words(srch_engine *e, const srch_parsed *p, const char *s, size_t len,
                             int *failed)
{
    txt_options opt = {p->lang, TXT_LANG_NONE, 1};
    size_t at = 0, ys, ye;
    int (*next)(const char *, size_t, size_t *, size_t *, size_t *) =
        p->cue == SRCH_ANSWER_DATE ? next_year : next_naming;
    for (unsigned n = 0; n < SRCH_ANSWER_ANCHORS && next(s, len, &at, &ys, &ye); n++) {
        size_t from = words_before(s, ys, SRCH_ANSWER_WINDOW);
        size_t to = words_after(s, len, ye, SRCH_ANSWER_WINDOW);
        txt_result r;
        if (txt_analyse(e->an, s + from, to - from, &opt, 1, &r) != TXT_OK) {
            *failed = 1;
            return 0;
        }
        for (size_t j = 0; j < r.ntokens; j++)
            if (question_word(p, &r.tokens[j]))
                return 1;
    }
    return 0;
}

int srch_answer(srch_engine *e, const srch_parsed *p, const uint32_t *ids, size_t n,
                double *bonus)
{
    if (p->cue == SRCH_ANSWER_NONE)
        return XC_OK;
    int rc = XC_OK;
    for (size_t i = 0; i < n && rc == XC_OK; i++) {
        xc_doc *doc = NULL;
        const char *data = NULL;
        size_t dlen = 0;
        rc = srch_hit_doc(e, ids[i], &doc);
        if (rc == XC_OK)
            rc = srch_record(doc, &data, &dlen);
        srch_docdata dd;
        if (rc == XC_OK && srch_docdata_parse(data, dlen, &dd) < 0)
            rc = XC_ERR_NOMEM;
        else if (rc == XC_OK) {
            size_t bl = 0;
            char *body = srch_docdata_body(&dd, SRCH_SNIPPET_SCAN, &bl);
            int failed = 0;
            if (body && anchor_near_words(e, p, body, bl, &failed))
                bonus[i] += SRCH_ANSWER_BONUS;
            if (failed)
                rc = XC_ERR_NOMEM;
            free(body);
            srch_docdata_free(&dd);
        }
        xc_doc_free(doc);
    }
    return rc;
}
