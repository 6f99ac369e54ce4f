/* snippet.c: the highlighter. Cuts about N words of a post's text around
 * the densest cluster of query matches, HTML-escapes it and wraps each
 * match in <mark></mark>. It runs the project's analyser on the text, so a
 * match is what the search matched: the folded word or one of its stems
 * ("médecins" lights up for the query "medecin"). Xapian's MSet::snippet
 * cannot do this (it re-tokenises with its own rules).
 *
 * Speed: only the first SNIPPET_SCAN bytes of a body are analysed (cut at a
 * paragraph or word boundary); the analyser runs at tens of MB/s, so a hit
 * costs well under a millisecond. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "search/search-internal.h"

#define SNIPPET_SCAN 24000

/* Which query word a token matches, or -1. */
static int match_token(const srch_parsed *p, const txt_token *t)
{
    for (size_t i = 0; i < p->nwords; i++) {
        const srch_word *w = &p->words[i];
        size_t wl = strlen(w->word);
        if (w->prefix) {
            if (t->len >= wl && memcmp(t->word, w->word, wl) == 0)
                return (int)i;
            continue;
        }
        if (t->len == wl && memcmp(t->word, w->word, wl) == 0)
            return (int)i;
        for (unsigned k = 0; k < t->nstems; k++) {
            const txt_stem *s = &t->stems[k];
            if (s->stop || !s->len)
                continue;
            char pre = s->lang == TXT_LANG_EN ? 'E' : 'F';
            for (unsigned j = 0; j < w->nstems; j++) {
                const char *ws = w->stems[j];
                if (ws[1] == pre && strlen(ws + 2) == s->len && memcmp(ws + 2, s->term, s->len) == 0)
                    return (int)i;
            }
        }
    }
    return -1;
}

static size_t scan_limit(const char *text, size_t len)
{
    if (len <= SNIPPET_SCAN)
        return len;
    size_t cut = SNIPPET_SCAN;
    while (cut > SNIPPET_SCAN / 2 && text[cut] != ' ' && text[cut] != '\n')
        cut--;
    return cut;
}

char *srch_snippet(srch_engine *e, const srch_parsed *p, const char *text, size_t len,
                   txt_lang lang, unsigned nwords)
{
    srch_buf b = {0};
    txt_options opt = {lang, TXT_LANG_NONE, 1};
    txt_result r;
    if (nwords == 0)
        nwords = 30;
    len = scan_limit(text, len);
    if (txt_analyse(e->an, text, len, &opt, 1, &r) != TXT_OK)
        return NULL;
    /* The visible tokens (joined forms overlap their parts). */
    size_t n = 0;
    for (size_t i = 0; i < r.ntokens; i++)
        if (!(r.tokens[i].flags & TXT_TOK_JOINED))
            n++;
    const txt_token **tok = malloc((n ? n : 1) * sizeof *tok);
    int *m = malloc((n ? n : 1) * sizeof *m);
    if (!tok || !m) {
        free(tok);
        free(m);
        return NULL;
    }
    size_t k = 0;
    for (size_t i = 0; i < r.ntokens; i++) {
        const txt_token *t = &r.tokens[i];
        if (t->flags & TXT_TOK_JOINED)
            continue;
        tok[k] = t;
        m[k] = p->nwords ? match_token(p, t) : -1;
        k++;
    }
    /* A matched joined form ("postdoctoral") lights up its parts. */
    k = 0;
    for (size_t i = 0; i < r.ntokens && p->nwords; i++) {
        const txt_token *t = &r.tokens[i];
        if (!(t->flags & TXT_TOK_JOINED))
            continue;
        if (match_token(p, t) < 0)
            continue;
        while (k < n && tok[k]->start < t->start)
            k++;
        for (size_t j = k; j < n && tok[j]->start < t->end; j++)
            if (m[j] < 0)
                m[j] = 0;
    }
    /* The window of nwords tokens with the most distinct matched words,
     * then the most matches. */
    size_t best = 0, w = nwords < n ? nwords : n;
    long best_score = -1;
    if (p->nwords && n) {
        unsigned char seen[SRCH_MAX_TERMS * 2 + 8];
        for (size_t s = 0; s + w <= n; s++) {
            if (m[s] < 0 && s > 0)
                continue; /* windows start on a match (or at the beginning) */
            memset(seen, 0, sizeof seen);
            long distinct = 0, count = 0;
            for (size_t j = s; j < s + w; j++)
                if (m[j] >= 0) {
                    count++;
                    size_t id = (size_t)m[j] % sizeof seen;
                    if (!seen[id])
                        seen[id] = 1, distinct++;
                }
            long score = distinct * 1000 + count;
            if (score > best_score)
                best_score = score, best = s;
        }
        /* Start a few words before the first match, for context. */
        size_t back = w / 5;
        if (best_score > 0) {
            best = best > back ? best - back : 0;
            if (best + w > n)
                best = n > w ? n - w : 0;
        }
    }
    int ok = 1;
    if (n == 0) {
        free(tok);
        free(m);
        char *s = strdup("");
        return s;
    }
    size_t end = best + w;
    if (best > 0)
        ok &= srch_buf_adds(&b, "\xe2\x80\xa6 ") == 0; /* … */
    for (size_t i = best; i < end && ok; i++) {
        const txt_token *t = tok[i];
        if (i > best) {
            /* the text between two words, spaces collapsed */
            size_t a = tok[i - 1]->end, z = t->start;
            int space = 0;
            size_t run = a;
            for (size_t j = a; j < z && ok; j++) {
                char c = text[j];
                if (c == '\n' || c == '\r' || c == '\t') {
                    ok &= srch_buf_add_html(&b, text + run, j - run) == 0;
                    if (!space)
                        ok &= srch_buf_adds(&b, " ") == 0;
                    space = 1;
                    run = j + 1;
                } else if (c != ' ')
                    space = 0;
            }
            ok &= srch_buf_add_html(&b, text + run, z - run) == 0;
        }
        if (m[i] >= 0)
            ok &= srch_buf_adds(&b, "<mark>") == 0;
        ok &= srch_buf_add_html(&b, text + t->start, t->end - t->start) == 0;
        if (m[i] >= 0)
            ok &= srch_buf_adds(&b, "</mark>") == 0;
    }
    if (ok && end < n)
        ok &= srch_buf_adds(&b, " \xe2\x80\xa6") == 0;
    else if (ok && len > tok[n - 1]->end) {
        /* closing punctuation of the last word (". ", "?") */
        size_t a = tok[n - 1]->end, z = a;
        while (z < len && z - a < 3 && text[z] != ' ' && text[z] != '\n')
            z++;
        ok &= srch_buf_add_html(&b, text + a, z - a) == 0;
    }
    free(tok);
    free(m);
    if (!ok) {
        free(b.s);
        return NULL;
    }
    if (!b.s)
        return strdup("");
    return b.s;
}
