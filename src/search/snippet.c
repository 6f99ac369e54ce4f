/* snippet.c: the highlighter. Cuts about N words of a post's text around
 * the densest cluster of query matches, HTML-escapes it and wraps each
 * match in <mark></mark>. A match is what the search matched: the folded
 * word or one of its stems, found by the project's analyser ("médecins"
 * lights up for the query "medecin"). Xapian's MSet::snippet cannot do
 * this (it re-tokenises with its own rules).
 *
 * Speed: the analyser runs at about 10-20 MB/s, too slow to run over every
 * hit's body for every search. So the text is read in two passes:
 *   1. a byte scan (hundreds of MB/s) cuts the first SNIPPET_SCAN bytes into
 *      runs of non-blank bytes ("words") and picks the candidate runs: a run
 *      holding a piece whose first three folded letters are those of a query
 *      word or stem (two letters for the few stems a stemmer may change
 *      there: see add_needle), so no match is missed. Only candidate runs
 *      are analysed, each distinct run once per query (a memo shared by the
 *      hits), which confirms or rejects them;
 *   2. the window of N runs with the most distinct matched words, then the
 *      most matches, is printed: its runs are copied (the first from its
 *      first letter, the last to its last), with the tokens that matched,
 *      kept by the memo, in <mark>.
 * Runs separated by blanks are analysed exactly as inside the whole text
 * (the tokeniser never joins across a blank), so the highlighted words are
 * those a full analysis would give. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "search/search-internal.h"

#define SNIPPET_SCAN SRCH_SNIPPET_SCAN
#define KEY_UNKNOWN (-1) /* a letter the byte folder does not know */

/* A confirmed run: its index among the runs, what it matched and where
 * its tokens are (in sp->toks, relative to the run's first letter). */
typedef struct {
    uint32_t run;
    uint32_t count;      /* matched tokens */
    uint64_t mask;       /* bit (id % 64) of each query word matched */
    uint32_t trim;       /* bytes of leading punctuation before the analysed part */
    uint32_t tok;        /* first token in sp->toks */
    uint32_t ntok;       /* NO_TOKENS: not kept (analyse again) */
} hit_run;

#define NO_TOKENS 0xFFFFFFFFu
#define MAX_KEPT 64 /* tokens kept per run */

/* A token of a matched run: its bytes and whether it is a match. */
typedef struct {
    uint16_t start, end;
    uint16_t mark;
} run_tok;

/* A memo entry: an analysed run (bytes and language) and its result. */
typedef struct {
    uint64_t hash;       /* 0: empty slot */
    size_t off, len;     /* bytes in pool */
    txt_lang lang;
    uint32_t count;
    uint64_t mask;
    uint32_t tok, ntok;  /* its tokens in sp->toks when it matched */
} memo_ent;

struct srch_snipper {
    srch_engine *e;
    const srch_parsed *p;
    uint8_t key1[256 / 8];     /* one-letter words and stems: any piece starting so */
    uint8_t short2[65536 / 8]; /* two-letter ones: any piece starting so */
    uint8_t key2[65536 / 8];   /* the first two letters of the three-letter keys */
    uint32_t *key3;            /* three-letter keys of longer words and stems */
    size_t nkey3, capkey3;
    memo_ent *memo;
    size_t nmemo, capmemo;
    char *pool;
    size_t npool, cappool;
    uint32_t *rs, *re;   /* start and end of each run of the current text */
    size_t caprun;
    hit_run *hits;
    size_t caphits;
    run_tok *toks;
    size_t ntoks, captoks;
    uint64_t typed;            /* bits (id % 64) of the words typed (not added) */
};

static int bit(const uint8_t *set, unsigned k) { return set[k >> 3] & (1u << (k & 7)); }
static void setbit(uint8_t *set, unsigned k) { set[k >> 3] |= (uint8_t)(1u << (k & 7)); }

/* ---- the byte folder ---------------------------------------------------- */

/* Folds the character at s[i] (lower case, accents off) into out (0 to 2
 * ASCII letters); returns its length in bytes and sets *kind: 1 letter or
 * digit, 0 punctuation (inside a run), 2 a mark (ignored), -1 unknown. */
static size_t fold_char(const unsigned char *s, size_t i, size_t len, char out[2], int *nout,
                        int *kind)
{
    unsigned char c = s[i];
    *nout = 0;
    if (c < 0x80) {
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            out[0] = (char)c, *nout = 1, *kind = 1;
        } else if (c >= 'A' && c <= 'Z') {
            out[0] = (char)(c - 'A' + 'a'), *nout = 1, *kind = 1;
        } else
            *kind = 0;
        return 1;
    }
    unsigned char d = i + 1 < len ? s[i + 1] : 0;
    if (c == 0xC3 && d >= 0x80 && d <= 0xBF) {
        /* U+00C0..U+00FF: Latin-1 letters, except the signs × and ÷ */
        static const char base[65] = "aaaaaaaceeeeiiiidnooooo/ouuuuyts"
                                     "aaaaaaaceeeeiiiidnooooo/ouuuuyty";
        unsigned k = d - 0x80;
        char b = base[k];
        if (b == '/') {
            *kind = 0;
            return 2;
        }
        *kind = 1;
        if ((k & 31) == 6)
            out[0] = 'a', out[1] = 'e', *nout = 2; /* æ */
        else if (k == 31)
            out[0] = 's', out[1] = 's', *nout = 2; /* ß */
        else if ((k & 31) == 30)
            out[0] = 't', out[1] = 'h', *nout = 2; /* þ */
        else
            out[0] = b, *nout = 1;
        return 2;
    }
    if (c == 0xC5 && (d == 0x92 || d == 0x93)) { /* Œ œ */
        out[0] = 'o', out[1] = 'e', *nout = 2, *kind = 1;
        return 2;
    }
    if ((c == 0xCC && d >= 0x80) || (c == 0xCD && d >= 0x80 && d <= 0xAF)) {
        *kind = 2; /* combining accents U+0300..U+036F */
        return 2;
    }
    if (c == 0xC2 && d >= 0x80 && d <= 0xBF && d != 0xAA && d != 0xB5 && d != 0xBA &&
        d != 0xB2 && d != 0xB3 && d != 0xB9 && (d < 0xBC || d > 0xBE)) {
        /* U+0080..U+00BF: no-break space, « », ... but not the letters ª µ º
         * nor the numbers ² ³ ¹ ¼ ½ ¾, which the analyser keeps in words */
        *kind = 0;
        return 2;
    }
    if (c == 0xCA && d == 0xBC) {
        *kind = 0; /* ʼ */
        return 2;
    }
    if (c == 0xE2 && (d == 0x80 || (d == 0x81 && i + 2 < len && s[i + 2] < 0xB0)) &&
        i + 2 < len) {
        *kind = 0; /* U+2000..U+206F: spaces, dashes, quotes, apostrophes */
        return 3;
    }
    *kind = -1;
    size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    return i + n <= len ? n : len - i;
}

/* The key of the word starting at s[i]: its first three folded letters or
 * digits (punctuation skipped, as the analyser drops it from dotted
 * acronyms, numbers and joined compounds), in *key, and how many it has (0
 * to 3); KEY_UNKNOWN for a letter the folder does not know. Stops at a
 * blank. */
static int word_key(const unsigned char *s, size_t i, size_t len, uint32_t *key)
{
    char got[5];
    int ng = 0;
    while (i < len && ng < 3) {
        unsigned char c = s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f')
            break;
        char f[2];
        int nf, kind;
        i += fold_char(s, i, len, f, &nf, &kind);
        if (kind < 0)
            return KEY_UNKNOWN;
        for (int k = 0; k < nf; k++)
            got[ng++] = f[k];
    }
    if (ng > 3)
        ng = 3;
    *key = 0;
    for (int k = 0; k < ng; k++)
        *key = (*key << 8) | (unsigned char)got[k];
    return ng;
}

static int add_key3(srch_snipper *sp, uint32_t k)
{
    for (size_t i = 0; i < sp->nkey3; i++)
        if (sp->key3[i] == k)
            return 0;
    if (sp->nkey3 == sp->capkey3) {
        size_t nc = sp->capkey3 ? sp->capkey3 * 2 : 32;
        uint32_t *nk = realloc(sp->key3, nc * sizeof *nk);
        if (!nk)
            return -1;
        sp->key3 = nk;
        sp->capkey3 = nc;
    }
    sp->key3[sp->nkey3++] = k;
    setbit(sp->key2, k >> 8);
    return 0;
}

/* Keys a query word or stem. A word matches a stem only if it starts with
 * the stem's first three letters, which Snowball stemmers keep, except in
 * stems of three letters ending in e or i, where English adds an e
 * ("using" -> "use") or makes a final y an i ("crying" -> "cri"): those are
 * keyed by two letters, and the exceptions dying, lying, tying -> die, lie,
 * tie by "dy", "ly", "ty". */
static int add_needle(srch_snipper *sp, const char *w)
{
    uint32_t k;
    int n = word_key((const unsigned char *)w, 0, strlen(w), &k);
    if (n <= 0)
        return 0; /* pieces with unknown letters are candidates anyway */
    if (n == 1) {
        setbit(sp->key1, k);
        return 0;
    }
    if (n == 2) {
        setbit(sp->short2, k);
        return 0;
    }
    if (strlen(w) == 3 && (w[2] == 'e' || w[2] == 'i')) {
        /* "use" from "using", "cri" from "crying": the stemmer added or
         * changed the third letter */
        setbit(sp->short2, k >> 8);
        if (!strcmp(w, "die") || !strcmp(w, "lie") || !strcmp(w, "tie"))
            setbit(sp->short2, ((k >> 8) & 0xFF00u) | 'y');
        return 0;
    }
    return add_key3(sp, k);
}

int srch_snipper_new(srch_engine *e, const srch_parsed *p, srch_snipper **out)
{
    srch_snipper *sp = calloc(1, sizeof *sp);
    *out = sp;
    if (!sp)
        return -1;
    sp->e = e;
    sp->p = p;
    for (size_t i = 0; i < p->nwords; i++) {
        const srch_word *w = &p->words[i];
        if (!w->added)
            sp->typed |= 1ull << (i % 64);
        int rc = add_needle(sp, w->word);
        for (unsigned j = 0; j < w->nstems && rc == 0; j++)
            rc = add_needle(sp, w->stems[j] + 2); /* after the ZE / ZF prefix */
        if (rc < 0) {
            srch_snipper_free(sp);
            *out = NULL;
            return -1;
        }
    }
    return 0;
}

void srch_snipper_free(srch_snipper *sp)
{
    if (!sp)
        return;
    free(sp->key3);
    free(sp->memo);
    free(sp->pool);
    free(sp->rs);
    free(sp->re);
    free(sp->hits);
    free(sp->toks);
    free(sp);
}

/* ---- matching ------------------------------------------------------------ */

/* 1 if the stem s (lang, folded, no prefix) meets the query word w's
 * stem ws ("ZE..."/"ZF..."): equal, or extending it when the query
 * extended it (a long stem also matches the stems that start with it:
 * query.c, stem_query). */
static int stem_meets(const srch_word *w, const char *ws, txt_lang lang, const char *s, size_t len)
{
    char pre = lang == TXT_LANG_EN ? 'E' : 'F';
    if (ws[1] != pre)
        return 0;
    size_t wl = strlen(ws + 2);
    if (wl == len)
        return memcmp(ws + 2, s, len) == 0;
    return w->extend && wl >= SRCH_STEM_EXTEND && len > wl && memcmp(ws + 2, s, wl) == 0;
}

/* Which query word a token matches, or -1: its folded word, a wildcard
 * prefix, or a stem. src holds the analysed text (the token's bytes at
 * t->start..t->end). A word written with accents also meets the stems of
 * its folded form, as the index holds them (text.h, step 4): the query
 * "specialite" stems to "specialit", the text "spécialité" to "special". */
static int match_token(srch_snipper *sp, const txt_token *t, const char *src)
{
    const srch_parsed *p = sp->p;
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
            for (unsigned j = 0; j < w->nstems; j++)
                if (stem_meets(w, w->stems[j], s->lang, s->term, s->len))
                    return (int)i;
        }
    }
    int accented = 0;
    for (size_t b = t->start; b < t->end && !accented; b++)
        accented = (unsigned char)src[b] >= 0x80;
    if (!accented || (t->flags & TXT_TOK_NUMBER))
        return -1;
    for (unsigned k = 0; k < t->nstems; k++) {
        const txt_stem *s = &t->stems[k];
        if (s->stop || (k > 0 && s->lang == t->stems[k - 1].lang))
            continue; /* each language once */
        const char *alt;
        size_t al;
        if (txt_stem_word(sp->e->an, s->lang, t->word, t->len, &alt, &al) != TXT_OK)
            continue;
        for (size_t i = 0; i < p->nwords; i++) {
            const srch_word *w = &p->words[i];
            for (unsigned j = 0; j < w->nstems && !w->prefix; j++)
                if (stem_meets(w, w->stems[j], s->lang, alt, al))
                    return (int)i;
        }
    }
    return -1;
}

/* The visible tokens of r (joined forms overlap their parts) and the query
 * word each matches (-1: none); a matched joined form ("postdoctoral")
 * lights up its parts. src is the analysed text. Returns the count; *tokp
 * and *mp are malloc'ed. */
static long mark_tokens(srch_snipper *sp, const txt_result *r, const char *src,
                        const txt_token ***tokp, int **mp)
{
    const srch_parsed *p = sp->p;
    size_t n = 0;
    for (size_t i = 0; i < r->ntokens; i++)
        if (!(r->tokens[i].flags & TXT_TOK_JOINED))
            n++;
    const txt_token **tok = malloc((n ? n : 1) * sizeof *tok);
    int *m = malloc((n ? n : 1) * sizeof *m);
    if (!tok || !m) {
        free(tok);
        free(m);
        return -1;
    }
    size_t k = 0;
    for (size_t i = 0; i < r->ntokens; i++) {
        const txt_token *t = &r->tokens[i];
        if (t->flags & TXT_TOK_JOINED)
            continue;
        tok[k] = t;
        m[k] = p->nwords ? match_token(sp, t, src) : -1;
        k++;
    }
    k = 0;
    for (size_t i = 0; i < r->ntokens && p->nwords; i++) {
        const txt_token *t = &r->tokens[i];
        if (!(t->flags & TXT_TOK_JOINED))
            continue;
        int id = match_token(sp, t, src);
        if (id < 0)
            continue;
        while (k < n && tok[k]->start < t->start)
            k++;
        for (size_t j = k; j < n && tok[j]->start < t->end; j++)
            if (m[j] < 0)
                m[j] = id;
    }
    *tokp = tok;
    *mp = m;
    return (long)n;
}

static uint64_t hash_bytes(const char *s, size_t n, txt_lang lang)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)lang;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h ? h : 1;
}

/* What a candidate run matches (analysed once per query and language). */
static int confirm_lower(srch_snipper *sp, const char *s, size_t n, txt_lang lang,
                         uint32_t *count, uint64_t *mask, uint32_t *tokat, uint32_t *ntok)
{
    uint64_t h = hash_bytes(s, n, lang);
    if (sp->nmemo * 2 >= sp->capmemo) {
        size_t nc = sp->capmemo ? sp->capmemo * 2 : 256;
        memo_ent *nm = calloc(nc, sizeof *nm);
        if (!nm)
            return -1;
        for (size_t i = 0; i < sp->capmemo; i++) {
            if (!sp->memo[i].hash)
                continue;
            size_t j = sp->memo[i].hash & (nc - 1);
            while (nm[j].hash)
                j = (j + 1) & (nc - 1);
            nm[j] = sp->memo[i];
        }
        free(sp->memo);
        sp->memo = nm;
        sp->capmemo = nc;
    }
    size_t j = h & (sp->capmemo - 1);
    for (; sp->memo[j].hash; j = (j + 1) & (sp->capmemo - 1)) {
        memo_ent *m = &sp->memo[j];
        if (m->hash == h && m->len == n && m->lang == lang && !memcmp(sp->pool + m->off, s, n)) {
            *count = m->count;
            *mask = m->mask;
            *tokat = m->tok;
            *ntok = m->ntok;
            return 0;
        }
    }
    /* Not seen yet: analyse the run. */
    txt_options opt = {lang, TXT_LANG_NONE, 1};
    txt_result r;
    if (txt_analyse(sp->e->an, s, n, &opt, 1, &r) != TXT_OK)
        return -1;
    const txt_token **tok;
    int *m;
    long nt = mark_tokens(sp, &r, s, &tok, &m);
    if (nt < 0)
        return -1;
    *count = 0;
    *mask = 0;
    for (long i = 0; i < nt; i++)
        if (m[i] >= 0) {
            (*count)++;
            *mask |= 1ull << ((unsigned)m[i] % 64);
        }
    /* A matched run keeps its tokens for printing. */
    *tokat = 0;
    *ntok = NO_TOKENS;
    if (*count && nt <= MAX_KEPT && n <= 0xFFFF) {
        if (sp->ntoks + (size_t)nt > sp->captoks) {
            size_t nc = sp->captoks ? sp->captoks * 2 : 256;
            while (nc < sp->ntoks + (size_t)nt)
                nc *= 2;
            run_tok *nt2 = realloc(sp->toks, nc * sizeof *nt2);
            if (!nt2) {
                free(tok);
                free(m);
                return -1;
            }
            sp->toks = nt2;
            sp->captoks = nc;
        }
        *tokat = (uint32_t)sp->ntoks;
        *ntok = (uint32_t)nt;
        for (long i = 0; i < nt; i++)
            sp->toks[sp->ntoks++] = (run_tok){(uint16_t)tok[i]->start, (uint16_t)tok[i]->end,
                                              (uint16_t)(m[i] >= 0)};
    }
    free(tok);
    free(m);
    if (sp->npool + n > sp->cappool) {
        size_t nc = sp->cappool ? sp->cappool : 4096;
        while (nc < sp->npool + n)
            nc *= 2;
        char *np = realloc(sp->pool, nc);
        if (!np)
            return -1;
        sp->pool = np;
        sp->cappool = nc;
    }
    memcpy(sp->pool + sp->npool, s, n);
    sp->memo[j] = (memo_ent){h, sp->npool, n, lang, *count, *mask, *tokat, *ntok};
    sp->npool += n;
    sp->nmemo++;
    return 0;
}

static int confirm(srch_snipper *sp, const unsigned char *raw, size_t n, txt_lang lang,
                   uint32_t *count, uint64_t *mask, uint32_t *tokat, uint32_t *ntok)
{
    /* ASCII capitals change no match either: "Comme" is "comme" */
    char small[64], *s = small;
    if (n > sizeof small && !(s = malloc(n)))
        return -1;
    for (size_t i = 0; i < n; i++)
        s[i] = (char)(raw[i] >= 'A' && raw[i] <= 'Z' ? raw[i] + ('a' - 'A') : raw[i]);
    int rc = confirm_lower(sp, s, n, lang, count, mask, tokat, ntok);
    if (s != small)
        free(s);
    return rc;
}

/* ---- pass 1: runs and candidates -------------------------------------------- */

/* Byte classes of the scan: 1 blank (cuts runs), 2 ASCII letter or digit,
 * 4 non-ASCII. */
static const unsigned char byte_class[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0,
    0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0,
    0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
};
#define C_BLANK 1
#define C_ALNUM 2
#define C_HIGH 4

static int isalnum_ascii(unsigned char c)
{
    return byte_class[c] & C_ALNUM;
}

static int is_blank(unsigned char c)
{
    return byte_class[c] & C_BLANK;
}

/* 1 if a run may hold a match: a piece (letters or digits after
 * punctuation, where the analyser may start a token) whose key is a query
 * key, or any letter the byte folder does not know. */
static int is_candidate(const srch_snipper *sp, const unsigned char *s, size_t a, size_t z)
{
    int prev_word = 0;
    for (size_t i = a; i < z;) {
        unsigned char c = s[i];
        if (!(byte_class[c] & C_HIGH) && (prev_word || !(byte_class[c] & C_ALNUM))) {
            prev_word = byte_class[c] & C_ALNUM;
            i++;
            continue;
        }
        if (c < 0x80 && i + 1 < z && isalnum_ascii(s[i + 1])) {
            /* the common case, two ASCII letters: most pieces stop here */
            unsigned k2 = ((unsigned)(c | 0x20) << 8) | (s[i + 1] | 0x20);
            if (!bit(sp->key1, c | 0x20) && !bit(sp->short2, k2) && !bit(sp->key2, k2)) {
                prev_word = 1;
                i += 2;
                continue;
            }
        }
        char f[2];
        int nf, kind;
        size_t k = fold_char(s, i, z, f, &nf, &kind);
        if (kind < 0)
            return 1;
        if (kind == 1 && !prev_word) {
            if (bit(sp->key1, (unsigned char)f[0]))
                return 1;
            uint32_t key;
            int nk = word_key(s, i, z, &key);
            if (nk == KEY_UNKNOWN)
                return 1;
            if (nk >= 2 && bit(sp->short2, nk == 3 ? key >> 8 : key))
                return 1;
            if (nk == 3 && bit(sp->key2, key >> 8))
                for (size_t j = 0; j < sp->nkey3; j++)
                    if (sp->key3[j] == key)
                        return 1;
        }
        if (kind != 2) /* a mark continues its letter */
            prev_word = kind == 1;
        i += k;
    }
    return 0;
}

/* Cuts s[0..len) into runs; fills sp->rs/re and the confirmed runs.
 * Returns the number of runs, or -1 (out of memory). */
static long scan_runs(srch_snipper *sp, const char *text, size_t len, txt_lang lang,
                      size_t *nhits)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t n = 0, nh = 0, i = 0;
    while (i < len) {
        while (i < len && is_blank(s[i]))
            i++;
        if (i >= len)
            break;
        size_t a = i;
        unsigned word = 0; /* a letter, a digit or any non-ASCII byte */
        while (i < len && !(byte_class[s[i]] & C_BLANK))
            word |= byte_class[s[i++]];
        if (!word)
            continue; /* punctuation alone ("-", "+") is no word of the window */
        if (n == sp->caprun) {
            size_t nc = sp->caprun ? sp->caprun * 2 : 1024;
            uint32_t *nrs = realloc(sp->rs, nc * sizeof *nrs);
            if (!nrs)
                return -1;
            sp->rs = nrs;
            uint32_t *nre = realloc(sp->re, nc * sizeof *nre);
            if (!nre)
                return -1;
            sp->re = nre;
            sp->caprun = nc;
        }
        sp->rs[n] = (uint32_t)a;
        sp->re[n] = (uint32_t)i;
        if (sp->p->nwords && is_candidate(sp, s, a, i)) {
            uint32_t count;
            uint64_t mask;
            /* ASCII punctuation around a word changes none of its tokens:
             * "commande," and "commande." are analysed once */
            size_t ta = a, tz = i;
            while (ta < tz && s[ta] < 0x80 && !isalnum_ascii(s[ta]))
                ta++;
            while (tz > ta && s[tz - 1] < 0x80 && !isalnum_ascii(s[tz - 1]))
                tz--;
            uint32_t tokat, ntok;
            if (confirm(sp, s + ta, tz - ta, lang, &count, &mask, &tokat, &ntok) < 0)
                return -1;
            if (count) {
                if (nh == sp->caphits) {
                    size_t nc = sp->caphits ? sp->caphits * 2 : 64;
                    hit_run *nhr = realloc(sp->hits, nc * sizeof *nhr);
                    if (!nhr)
                        return -1;
                    sp->hits = nhr;
                    sp->caphits = nc;
                }
                sp->hits[nh++] = (hit_run){(uint32_t)n, count, mask, (uint32_t)(ta - a), tokat,
                                           ntok};
            }
        }
        n++;
    }
    *nhits = nh;
    return (long)n;
}

static unsigned popcount64(uint64_t x)
{
    unsigned c = 0;
    for (; x; x &= x - 1)
        c++;
    return c;
}

/* The first run of the best window of w runs: the most distinct words
 * typed, then the most distinct words added to them (synonyms,
 * corrections), then the most matches, starting a few runs before its
 * first match for context. */
static size_t best_window(const srch_snipper *sp, size_t nhits, size_t nruns, size_t w)
{
    if (!nhits)
        return 0;
    size_t best = 0;
    long best_score = -1;
    size_t z = 0;
    for (size_t k = 0; k < nhits; k++) {
        size_t start = sp->hits[k].run;
        uint64_t mask = 0;
        long count = 0;
        if (z < k)
            z = k;
        while (z < nhits && sp->hits[z].run < start + w)
            z++;
        for (size_t j = k; j < z; j++) {
            mask |= sp->hits[j].mask;
            count += sp->hits[j].count;
        }
        long score = (long)popcount64(mask & sp->typed) * 1000000 +
                     (long)popcount64(mask & ~sp->typed) * 1000 + (count < 999 ? count : 999);
        if (score > best_score)
            best_score = score, best = start;
    }
    size_t back = w / 5;
    best = best > back ? best - back : 0;
    if (best + w > nruns)
        best = nruns > w ? nruns - w : 0;
    return best;
}

/* ---- pass 2: the window, analysed and printed ---------------------------------- */

static size_t scan_limit(const char *text, size_t len)
{
    if (len <= SNIPPET_SCAN)
        return len;
    size_t cut = SNIPPET_SCAN;
    while (cut > SNIPPET_SCAN / 2 && text[cut] != ' ' && text[cut] != '\n')
        cut--;
    return cut;
}

/* Appends the blanks between two runs, each run of line breaks and tabs
 * as one space. */
static int add_gap(txt_buf *b, const char *s, size_t a, size_t z)
{
    int ok = 1, space = 0;
    size_t run = a;
    for (size_t j = a; j < z && ok; j++) {
        char c = s[j];
        if (c == '\n' || c == '\r' || c == '\t') {
            ok &= txt_buf_add_html(b, s + run, j - run) == 0;
            if (!space)
                ok &= txt_buf_adds(b, " ") == 0;
            space = 1;
            run = j + 1;
        } else if (c != ' ')
            space = 0;
    }
    return ok && txt_buf_add_html(b, s + run, z - run) == 0;
}

/* The confirmed run k, or NULL (sp->hits is in run order). */
static const hit_run *run_hit(const srch_snipper *sp, size_t nhits, size_t k)
{
    size_t lo = 0, hi = nhits;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (sp->hits[mid].run == k)
            return &sp->hits[mid];
        if (sp->hits[mid].run < k)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Appends text[a, z) with <mark> around [ts, te) for each match (in
 * order, absolute offsets) that lies inside it. */
static int mark_one(txt_buf *b, const char *text, size_t *at, size_t z, size_t ts, size_t te)
{
    if (ts < *at || te > z)
        return 1;
    int ok = txt_buf_add_html(b, text + *at, ts - *at) == 0;
    ok &= txt_buf_adds(b, "<mark>") == 0;
    ok &= txt_buf_add_html(b, text + ts, te - ts) == 0;
    ok &= txt_buf_adds(b, "</mark>") == 0;
    *at = te;
    return ok;
}

/* Appends run [a, z) of text: from its first letter when first, to its
 * last letter when last (*tend: where it stops), its matches in <mark>.
 * The tokens of a matched run come from the memo; only a matched run whose
 * tokens were not kept is analysed again. */
static int add_run(srch_snipper *sp, txt_buf *b, const char *text, size_t a, size_t z,
                   txt_lang lang, const hit_run *h, int first, int last, size_t *tend)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t pa = a, pz = z;
    if (first)
        while (pa < pz && !(byte_class[s[pa]] & (C_ALNUM | C_HIGH)))
            pa++;
    if (last)
        while (pz > pa && !(byte_class[s[pz - 1]] & (C_ALNUM | C_HIGH)))
            pz--;
    *tend = pz;
    if (!h)
        return txt_buf_add_html(b, text + pa, pz - pa) == 0;
    size_t base = a + h->trim, at = pa; /* token offsets are from base */
    int ok = 1;
    if (h->ntok != NO_TOKENS) {
        const run_tok *tk = sp->toks + h->tok;
        for (uint32_t i = 0; i < h->ntok && ok; i++)
            if (tk[i].mark)
                ok &= mark_one(b, text, &at, pz, base + tk[i].start, base + tk[i].end);
        return ok && txt_buf_add_html(b, text + at, pz - at) == 0;
    }
    txt_options opt = {lang, TXT_LANG_NONE, 1};
    txt_result r;
    if (txt_analyse(sp->e->an, text + base, z - base, &opt, 1, &r) != TXT_OK)
        return 0;
    const txt_token **tok;
    int *m;
    long n = mark_tokens(sp, &r, text + base, &tok, &m);
    if (n < 0)
        return 0;
    for (long i = 0; i < n && ok; i++)
        if (m[i] >= 0)
            ok &= mark_one(b, text, &at, pz, base + tok[i]->start, base + tok[i]->end);
    free(tok);
    free(m);
    return ok && txt_buf_add_html(b, text + at, pz - at) == 0;
}

char *srch_snippet(srch_snipper *sp, const char *text, size_t len, txt_lang lang,
                   unsigned nwords)
{
    if (nwords == 0)
        nwords = 30;
    len = scan_limit(text, len);
    size_t nhits = 0;
    long nr = scan_runs(sp, text, len, lang, &nhits);
    if (nr < 0)
        return NULL;
    size_t nruns = (size_t)nr;
    if (nruns == 0)
        return strdup("");
    size_t wr = nwords < nruns ? nwords : nruns;
    size_t r0 = best_window(sp, nhits, nruns, wr);
    size_t r1 = r0 + wr; /* runs [r0, r1) */
    txt_buf b = {0};
    int ok = 1;
    size_t tend = 0;
    if (r0 > 0)
        ok &= txt_buf_adds(&b, "\xe2\x80\xa6 ") == 0; /* … */
    for (size_t k = r0; k < r1 && ok; k++) {
        if (k > r0)
            ok &= add_gap(&b, text, sp->re[k - 1], sp->rs[k]);
        ok &= add_run(sp, &b, text, sp->rs[k], sp->re[k], lang, run_hit(sp, nhits, k), k == r0,
                      k + 1 == r1, &tend);
    }
    if (ok && r1 < nruns)
        ok &= txt_buf_adds(&b, " \xe2\x80\xa6") == 0;
    else if (ok) {
        /* closing punctuation of the last word (". ", "?") */
        size_t a = tend, z = a;
        while (z < len && z - a < 3 && text[z] != ' ' && text[z] != '\n')
            z++;
        ok &= txt_buf_add_html(&b, text + a, z - a) == 0;
    }
    if (!ok) {
        free(b.p);
        return NULL;
    }
    if (!b.p)
        return strdup("");
    return b.p;
}

/* The whole of a short text (a title), HTML-escaped, its matches in <mark>:
 * its runs are found and confirmed as a body's are (the byte scan, the
 * memo), and copied as they are, blanks included. Only the first
 * SRCH_HIGHLIGHT_MAX bytes are searched for matches (cut at a blank); the
 * rest is copied, escaped. */
char *srch_highlight(srch_snipper *sp, const char *text, size_t len, txt_lang lang)
{
    txt_buf b = {0};
    size_t at = 0, scan = len, nhits = 0;
    int ok = 1;
    if (scan > SRCH_HIGHLIGHT_MAX) {
        scan = SRCH_HIGHLIGHT_MAX;
        while (scan > 0 && !is_blank((unsigned char)text[scan]))
            scan--; /* runs end at a blank */
    }
    long nr = sp->p->nwords ? scan_runs(sp, text, scan, lang, &nhits) : 0;
    if (nr < 0)
        return NULL;
    for (size_t k = 0; k < nhits && ok; k++) {
        const hit_run *h = &sp->hits[k];
        size_t tend;
        ok &= txt_buf_add_html(&b, text + at, sp->rs[h->run] - at) == 0;
        ok &= add_run(sp, &b, text, sp->rs[h->run], sp->re[h->run], lang, h, 0, 0, &tend);
        at = sp->re[h->run];
    }
    ok &= txt_buf_add_html(&b, text + at, len - at) == 0;
    if (!ok) {
        free(b.p);
        return NULL;
    }
    return b.p ? b.p : strdup("");
}
