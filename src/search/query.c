/* query.c: the query language of doc/QUERY.md, from text to an xc_query.
 *
 * The text is cut into lexemes (words, "phrases", parentheses, operators in
 * capitals, +/- marks, field:value), then parsed by recursive descent:
 *     query  := clause*            clauses combine as OR, with +required
 *                                  ANDed and -excluded removed
 *     clause := [+|-] orexpr
 *     orexpr := andexpr ((OR|OU) andexpr)*
 *     andexpr:= unary ((AND|ET|NOT|SAUF) unary)*
 *     unary  := ( query ) | word | "phrase" | field:value
 * Anything that does not parse (an unbalanced parenthesis or quote, a
 * dangling operator) is retried as plain words: a query never fails.
 * Words go through the project's analyser in query mode, exactly as the
 * index was built: each word matches its folded form or its stems (both
 * languages' when no language is given), as one OP_SYNONYM so that BM25
 * counts it as one term. Field filters (author:, category:, tag:, lang:,
 * date:) are boolean and restrict the match. The ranking choices (question
 * words, inverted pronouns, stem extensions, the other spellings of an
 * ordinal: ordinal.c, corrections, names, language and proximity boosts,
 * the answer a question asks for: answer.c) are explained in doc/QUERY.md,
 * "How results are ranked". */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "search/search-internal.h"
#include "store/schema.h"

/* 1: each query word found in the title is part of the proximity bonus
 * (boosts(), doc/QUERY.md "How results are ranked"); 0: title words count
 * only through the higher wdf the indexer gives them. */
#define SRCH_TITLE_BOOST 1

typedef enum {
    LX_WORD, LX_PHRASE, LX_LPAREN, LX_RPAREN, LX_AND, LX_OR, LX_NOT
} lx_kind;

typedef enum { F_NONE, F_TITLE, F_AUTHOR, F_CATEGORY, F_TAG, F_LANG, F_DATE } lx_field;

typedef struct {
    lx_kind kind;
    char mod;          /* '+', '-' or 0 */
    lx_field field;
    size_t start, len; /* the text (inside the quotes for a phrase) */
    int wildcard;      /* word ended with '*' (not included in len) */
} lexeme;

/* A built subquery: q NULL means "nothing" (punctuation, a dropped
 * stopword); filter 1 means purely boolean (a field filter); restrict 1
 * means a condition the hits must meet that also weighs (title:, or
 * filters and title: joined by AND); field is the field of a single
 * filter (F_NONE otherwise), so that filters of one field can be
 * alternatives. */
typedef struct {
    xc_query *q;
    int filter;
    int restrict_;
    lx_field field;
} node;

typedef struct {
    srch_engine *e;
    const char *text;
    size_t len;
    txt_lang lang;
    lexeme *lx;
    size_t nlx, i;
    int depth;
    int error;      /* syntax error: fall back to plain words */
    int oom;
    int db_rc;      /* a read of the database failed (a commit overwrote the
                       revision read): the engine tries the request again */
    int allow_stop; /* stopwords searched (the query has nothing else) */
    int nstop;      /* stopwords dropped */
    int complex;    /* operators, +/-, parentheses or title: were used */
    xc_query *top_filter; /* the filters of the whole text (parse_query) */
    int names;      /* a question in mixed case: capitalised words are names */
    size_t key_from, key_to; /* while a glossary key's synonyms are built: its
                                words, whose terms the synonyms do not repeat */
    size_t first_start; /* where the first word (not a field) starts */
    size_t nterms;
    uint64_t wild_terms; /* terms the wildcards built so far expand to */
    uint64_t wild_cost;  /* their postings (document frequencies summed) */
    int too_complex;     /* over wildcard_total or max_query_cost */
    srch_parsed *p;
} parser;

static void qfree(xc_query *q) { xc_query_free(q); }

/* xc_termfreq_fn of the engine's memo */
static int engine_termfreq(void *arg, const char *term, size_t len, uint32_t *freq)
{
    return srch_termfreq(arg, term, len, freq);
}

static xc_query *combine(parser *ps, xc_op op, xc_query *const *in, size_t n, uint32_t window)
{
    xc_query *out = NULL;
    xc_query *subs[SRCH_MAX_TERMS * 2 + 8];
    size_t k = 0;
    for (size_t j = 0; j < n && k < sizeof subs / sizeof subs[0]; j++)
        if (in[j])
            subs[k++] = in[j];
    if (k == 0)
        return NULL;
    if (k == 1 && op != XC_OP_PHRASE && op != XC_OP_NEAR) {
        if (xc_query_combine(XC_OP_OR, subs, 1, 0, &out) != XC_OK)
            ps->oom = 1;
        return out;
    }
    if (k == 1)
        return NULL; /* a phrase or NEAR of one word: the caller has the word */
    /* a synonym weighs the same on every shard of a group as on one
       database (xc_query_synonym_in); if a shard fails to give a term's
       frequency, the plain synonym: the match meets the failure and the
       request is tried again without the shard */
    int rc = XC_ERR_INTERNAL;
    if (op == XC_OP_SYNONYM)
        rc = xc_query_synonym_in(ps->e->db, subs, k, engine_termfreq, ps->e, &out);
    if (rc != XC_OK && rc != XC_ERR_NOMEM)
        rc = xc_query_combine(op, subs, k, window, &out);
    if (rc != XC_OK)
        ps->oom = 1;
    return out;
}

/* Combines two and frees them. */
static xc_query *combine2(parser *ps, xc_op op, xc_query *a, xc_query *b)
{
    xc_query *subs[2] = {a, b};
    xc_query *out;
    if (!a)
        return b;
    if (!b)
        return a;
    out = combine(ps, op, subs, 2, 0);
    qfree(a);
    qfree(b);
    return out;
}

static xc_query *term(parser *ps, const char *prefix, const char *body, size_t len)
{
    char buf[256];
    size_t pl = strlen(prefix);
    xc_query *q = NULL;
    if (len == 0 || pl + len >= 245)
        return NULL;
    memcpy(buf, prefix, pl);
    memcpy(buf + pl, body, len);
    if (xc_query_term(buf, pl + len, 1, 0, &q) != XC_OK)
        ps->oom = 1;
    return q;
}

static xc_query *scaled(parser *ps, xc_query *q, double f)
{
    xc_query *out = NULL;
    if (!q)
        return NULL;
    if (xc_query_scale(q, f, &out) != XC_OK)
        ps->oom = 1;
    qfree(q);
    return out;
}

static int is_stop(const txt_token *t)
{
    for (unsigned k = 0; k < t->nstems; k++)
        if (t->stems[k].stop)
            return 1;
    return 0;
}

/* Snowball's French stemmer keeps the "-ent" of the third person plural
 * ("regardent", "entourent"), since nouns end so too ("parent", "moment"):
 * the verb never meets its other forms ("regarde", "regardé"). When the
 * stem of the word without its "-nt" is the more frequent of the two in the
 * index, the word is taken as that verb too: the stem term of the verb
 * ("ZF...") in out, and its length, or 0. */
static size_t verb_stem(parser *ps, const txt_token *t, const txt_stem *s, char out[300])
{
    if (!ps->e->db || s->lang != TXT_LANG_FR || (t->flags & TXT_TOK_NUMBER) || t->len < 6 ||
        s->len < 5 || memcmp(s->term + s->len - 3, "ent", 3) != 0 ||
        memcmp(t->word + t->len - 3, "ent", 3) != 0)
        return 0;
    /* "devient", "obtient": singulars of the -venir and -tenir verbs */
    if (memcmp(t->word + t->len - 4, "ient", 4) == 0 &&
        (t->word[t->len - 5] == 'v' || t->word[t->len - 5] == 't'))
        return 0;
    const char *red;
    size_t rl;
    if (txt_stem_word(ps->e->an, TXT_LANG_FR, t->word, t->len - 2, &red, &rl) != TXT_OK || rl < 3)
        return 0;
    char a[300];
    int na = snprintf(a, sizeof a, "%s%.*s", SCH_STEM_FR, (int)s->len, s->term);
    int nb = snprintf(out, 300, "%s%.*s", SCH_STEM_FR, (int)rl, red);
    uint32_t fa = 0, fb = 0;
    if (na < 0 || nb < 0 || na >= (int)sizeof a || nb >= 300 ||
        srch_termfreq(ps->e, a, (size_t)na, &fa) != XC_OK ||
        srch_termfreq(ps->e, out, (size_t)nb, &fb) != XC_OK || fb <= fa)
        return 0;
    return (size_t)nb;
}

/* The verb's stem term of a French -ent plural (verb_stem), or NULL. */
static xc_query *verb_plural(parser *ps, const txt_token *t, const txt_stem *s, int title)
{
    char b[300];
    size_t nb = verb_stem(ps, t, s, b), pl = strlen(SCH_STEM_FR);
    return nb ? term(ps, store_stem_prefix(TXT_LANG_FR, title), b + pl, nb - pl) : NULL;
}

/* Remembers a word for the highlighter and the speller, with its stems
 * as token_query searches them. */
static srch_word *remember(parser *ps, const txt_token *t, size_t base, int plain)
{
    srch_parsed *p = ps->p;
    if (p->nwords == p->capwords) {
        size_t nc = p->capwords ? 2 * p->capwords : 16;
        srch_word *nw = realloc(p->words, nc * sizeof *nw);
        if (!nw) {
            ps->oom = 1;
            return NULL;
        }
        p->words = nw;
        p->capwords = nc;
    }
    srch_word *w = &p->words[p->nwords];
    memset(w, 0, sizeof *w);
    w->word = strndup(t->word, t->len);
    if (!w->word) {
        ps->oom = 1;
        return NULL;
    }
    char verb[300];
    size_t vl = 0;
    for (unsigned k = 0; k < t->nstems && k < TXT_MAX_STEMS; k++) {
        if (t->stems[k].stop || t->stems[k].len == 0)
            continue;
        const char *pre = store_stem_prefix(t->stems[k].lang, 0);
        size_t n = strlen(pre) + t->stems[k].len;
        char *s = malloc(n + 1);
        if (!s) {
            ps->oom = 1;
            break;
        }
        snprintf(s, n + 1, "%s%.*s", pre, (int)t->stems[k].len, t->stems[k].term);
        w->stems[w->nstems++] = s;
        if (!vl)
            vl = verb_stem(ps, t, &t->stems[k], verb);
    }
    if (vl && !ps->oom && (w->stems[w->nstems] = strndup(verb, vl)) != NULL)
        w->nstems++;
    w->extend = !(t->flags & TXT_TOK_NUMBER);
    w->start = base + t->start;
    w->end = base + t->end;
    w->plain = plain;
    p->nwords++;
    return w;
}

/* Remembers the words of tokens that the query searches without their
 * being typed (glossary synonyms, corrections, joins and splits), for the
 * highlighter only; stopwords are left out (the "de" of a synonym "médecin
 * de famille" would light up every "de"). */
static void remember_added(parser *ps, const txt_token *toks, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        if ((toks[j].flags & TXT_TOK_JOINED) || is_stop(&toks[j]))
            continue;
        srch_word *w = remember(ps, &toks[j], 0, 0);
        if (w) {
            w->added = 1;
            w->start = w->end = 0;
        }
    }
}

/* The term of a stem; a long stem (SRCH_STEM_EXTEND bytes or more) also
 * matches the stems that extend it, at most SRCH_STEM_EXTENSIONS of them,
 * the most frequent: Snowball removes inflections but few derivations, so
 * "architectur" (architectures) also meets "architectural" (architecturale)
 * and "internation" meets "international". Short stems do not extend:
 * "cour" would take in "courant", "courrier". */
/* A read of the database during the parse failed with rc. */
static void db_failed(parser *ps, int rc)
{
    if (rc == XC_ERR_NOMEM)
        ps->oom = 1;
    else if (!ps->db_rc)
        ps->db_rc = rc;
}

static xc_query *stem_query(parser *ps, const txt_token *t, const txt_stem *s, int title)
{
    const char *pre = store_stem_prefix(s->lang, title);
    xc_query *q = NULL;
    if (s->len < SRCH_STEM_EXTEND || (t->flags & TXT_TOK_NUMBER) || !ps->e->db)
        return term(ps, pre, s->term, s->len);
    char buf[300];
    int n = snprintf(buf, sizeof buf, "%s%.*s", pre, (int)s->len, s->term);
    if (n < 0 || n >= (int)sizeof buf)
        return NULL;
    int rc = xc_query_wildcard_in(ps->e->db, buf, SRCH_STEM_EXTENSIONS,
                                  XC_WILDCARD_LIMIT_MOST_FREQUENT, &q);
    if (rc != XC_OK)
        db_failed(ps, rc);
    return q;
}

/* 1 if the term prefix+body is the word or a stem of a glossary key being
 * expanded (ps->key_from..key_to): a synonym adds the terms the visitor did
 * not type. Counted again, a stem the key and its synonym share
 * ("equival" of équivalence and equivalency) weighed each post that has it
 * once more, at the IDF of the synonym's own rarer terms: one mention in
 * an English post outranked the French post titled with the word. */
static int key_term(const parser *ps, const char *prefix, const char *body, size_t len)
{
    size_t pl = strlen(prefix);
    for (size_t j = ps->key_from; j < ps->key_to; j++) {
        const srch_word *w = &ps->p->words[j];
        if (!pl && strlen(w->word) == len && memcmp(w->word, body, len) == 0)
            return 1;
        for (unsigned k = 0; pl && k < w->nstems; k++)
            if (strlen(w->stems[k]) == pl + len && memcmp(w->stems[k], prefix, pl) == 0 &&
                memcmp(w->stems[k] + pl, body, len) == 0)
                return 1;
    }
    return 0;
}

/* The query of one token: its folded word or its stems, as one synonym. */
static xc_query *token_query(parser *ps, const txt_token *t, int title)
{
    xc_query *subs[1 + 2 * TXT_MAX_STEMS + SRCH_ORDINAL_FORMS] = {0};
    size_t n = 0;
    if (!key_term(ps, title ? SCH_TITLE_WORD : SCH_WORD, t->word, t->len))
        subs[n++] = term(ps, title ? SCH_TITLE_WORD : SCH_WORD, t->word, t->len);
    /* an ordinal also matches its other spellings ("7e", "septième") */
    char forms[SRCH_ORDINAL_FORMS][SRCH_ORDINAL_FORM];
    size_t nforms = srch_ordinal_forms(t->word, t->len, forms);
    for (size_t k = 0; k < nforms; k++)
        subs[n++] = term(ps, title ? SCH_TITLE_WORD : SCH_WORD, forms[k], strlen(forms[k]));
    for (unsigned k = 0; k < t->nstems && k < TXT_MAX_STEMS; k++) {
        const txt_stem *s = &t->stems[k];
        if (s->stop || s->len == 0 || key_term(ps, store_stem_prefix(s->lang, title), s->term, s->len))
            continue;
        int dup = 0;
        for (unsigned j = 0; j < k; j++)
            if (t->stems[j].lang == s->lang && t->stems[j].len == s->len &&
                memcmp(t->stems[j].term, s->term, s->len) == 0)
                dup = 1;
        if (dup)
            continue;
        subs[n++] = stem_query(ps, t, s, title);
        subs[n] = verb_plural(ps, t, s, title);
        n += subs[n] != NULL;
    }
    xc_query *q = combine(ps, XC_OP_SYNONYM, subs, n, 0);
    for (size_t j = 0; j < n; j++)
        qfree(subs[j]);
    return q;
}

/* A phrase of the folded words of tokens [from, to) (joined forms skipped). */
static xc_query *phrase_query(parser *ps, const txt_token *toks, size_t n, int title)
{
    xc_query *subs[SRCH_MAX_TERMS] = {0};
    size_t k = 0;
    for (size_t j = 0; j < n && k < SRCH_MAX_TERMS; j++) {
        if (toks[j].flags & TXT_TOK_JOINED)
            continue;
        subs[k++] = term(ps, title ? SCH_TITLE_WORD : SCH_WORD, toks[j].word, toks[j].len);
    }
    xc_query *q = NULL;
    if (k == 1)
        q = subs[0], subs[0] = NULL;
    else
        q = combine(ps, XC_OP_PHRASE, subs, k, (uint32_t)k);
    for (size_t j = 0; j < k; j++)
        qfree(subs[j]);
    return q;
}

static int word_in(const txt_token *t, const char *const *list, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (t->len == strlen(list[k]) && memcmp(t->word, list[k], t->len) == 0)
            return 1;
    return 0;
}

/* The other spellings of an ordinal t (token_query searches them) light
 * up in the snippets too: "septième" in a hit found for "7e". The forms
 * are analysed with the analyser t comes from, so t is not valid after. */
static void remember_ordinal(parser *ps, const txt_token *t)
{
    char forms[SRCH_ORDINAL_FORMS][SRCH_ORDINAL_FORM];
    size_t nforms = srch_ordinal_forms(t->word, t->len, forms);
    txt_options opt = {ps->lang, TXT_LANG_NONE, 1};
    for (size_t k = 0; k < nforms && !ps->oom; k++) {
        txt_result r;
        if (txt_analyse(ps->e->an, forms[k], strlen(forms[k]), &opt, 1, &r) != TXT_OK)
            ps->oom = 1;
        else
            remember_added(ps, r.tokens, r.ntokens);
    }
}

/* Interrogatives that are no stopwords of the analyser (which only knows
 * function words) but say nothing of the subject of a question: "combien",
 * "comment", "how many". Dropped from queries like stopwords. */
static int is_question_word(const txt_token *t)
{
    static const char *const qw[] = {"combien", "comment",    "lequel", "laquelle",
                                     "lesquels", "lesquelles", "many",   "much"};
    return word_in(t, qw, sizeof qw / sizeof qw[0]);
}

/* 1 if the token t of lexeme l is a name: a question in mixed case
 * (ps->names) writes it with a capital though it is not its first word
 * ("Lavoisier", "Transnistrie", "CORT"). Names are what a question is
 * about and are rarely paraphrased by the passage that answers it, while
 * its other words often are ("longueur" for "long de"); BM25's IDF alone
 * weighs a name like any rare word. Numbers are left as they are. */
static int is_name(const parser *ps, const lexeme *l, const txt_token *t)
{
    return ps->names && l->start != ps->first_start && !(t->flags & TXT_TOK_NUMBER) &&
           txt_initial_case(ps->text + l->start + t->start, t->end - t->start) > 0;
}

/* How many of the n parts of a word remain once an inverted French subject
 * pronoun is cut off its end: "remporte-t-il", "gagnait-elle", "peut-on",
 * "est-ce" (the analyser also strips the elided "t'" of "régresse-t'il").
 * The pronoun is a stopword, and the phrase "remporte il" or the joined
 * "remporteil" never match the passage that says "remporta": the verb
 * alone is what the question means. Never in an English query ("add-on");
 * "on" without the "t" only when the query is known to be French. */
static size_t without_clitic(const parser *ps, const txt_token *const *parts, size_t n)
{
    static const char *const pron[] = {"il", "ils", "elle", "elles", "on", "je", "tu", "ce"};
    if (n < 2 || ps->lang == TXT_LANG_EN ||
        !word_in(parts[n - 1], pron, sizeof pron / sizeof pron[0]))
        return n;
    const txt_token *last = parts[n - 1], *before = parts[n - 2];
    int t = before->len == 1 && before->word[0] == 't';
    if (!t && ps->lang != TXT_LANG_FR && last->len == 2 && memcmp(last->word, "on", 2) == 0)
        return n;
    if (t)
        return n >= 3 ? n - 2 : n;
    return n - 1;
}

/* Words of a lexeme (not a phrase): one token gives its token query; a word
 * the analyser splits ("post-doctoral", "foo/bar") gives the phrase of its
 * parts OR its joined form (an inverted pronoun is cut off first). */
static node words_node(parser *ps, const lexeme *l, int title, int plain)
{
    node nd = {.q = NULL};
    txt_options opt = {ps->lang, TXT_LANG_NONE, 1};
    txt_result r;
    if (ps->nterms >= SRCH_MAX_TERMS)
        return nd;
    if (txt_analyse(ps->e->an, ps->text + l->start, l->len, &opt, 1, &r) != TXT_OK) {
        ps->oom = 1;
        return nd;
    }
    const txt_token *parts[SRCH_MAX_TERMS];
    size_t nparts = 0;
    const txt_token *joined = NULL;
    for (size_t j = 0; j < r.ntokens; j++) {
        if (r.tokens[j].flags & TXT_TOK_JOINED)
            joined = &r.tokens[j];
        else if (nparts < SRCH_MAX_TERMS)
            parts[nparts++] = &r.tokens[j];
    }
    size_t kept = without_clitic(ps, parts, nparts);
    if (kept < nparts) {
        nparts = kept;
        joined = NULL; /* it holds the pronoun */
    }
    if (nparts == 0)
        return nd;
    if (nparts == 1) {
        const txt_token *t = parts[0];
        if ((is_stop(t) || is_question_word(t)) && !ps->allow_stop && !title) {
            ps->nstop++;
            return nd;
        }
        nd.q = token_query(ps, t, title);
        if (plain && is_name(ps, l, t))
            nd.q = scaled(ps, nd.q, SRCH_NAME_WEIGHT);
        remember(ps, t, l->start, plain);
        ps->nterms++;
        remember_ordinal(ps, t); /* last: it analyses again, over t */
        return nd;
    }
    xc_query *subs[SRCH_MAX_TERMS];
    for (size_t j = 0; j < nparts; j++)
        subs[j] = term(ps, title ? SCH_TITLE_WORD : SCH_WORD, parts[j]->word, parts[j]->len);
    nd.q = combine(ps, XC_OP_PHRASE, subs, nparts, (uint32_t)nparts);
    for (size_t j = 0; j < nparts; j++)
        qfree(subs[j]);
    if (joined)
        nd.q = combine2(ps, XC_OP_OR, nd.q, token_query(ps, joined, title));
    for (size_t j = 0; j < nparts; j++)
        remember(ps, parts[j], l->start, 0);
    if (joined) {
        /* "postdoctorale" lights up for "post-doctoral" */
        srch_word *w = remember(ps, joined, l->start, 0);
        if (w)
            w->added = 1;
    }
    ps->nterms += nparts;
    return nd;
}

static node phrase_node(parser *ps, const lexeme *l, int title)
{
    node nd = {.q = NULL};
    txt_options opt = {ps->lang, TXT_LANG_NONE, 1};
    txt_result r;
    if (ps->nterms >= SRCH_MAX_TERMS)
        return nd;
    if (txt_analyse(ps->e->an, ps->text + l->start, l->len, &opt, 1, &r) != TXT_OK) {
        ps->oom = 1;
        return nd;
    }
    nd.q = phrase_query(ps, r.tokens, r.ntokens, title);
    for (size_t j = 0; j < r.ntokens; j++)
        if (!(r.tokens[j].flags & TXT_TOK_JOINED))
            remember(ps, &r.tokens[j], l->start, 0);
    ps->nterms += r.ntokens;
    return nd;
}

/* A trailing wildcard: the folded prefix over words and both stems. */
static node wildcard_node(parser *ps, const lexeme *l, int title)
{
    node nd = {.q = NULL};
    txt_options opt = {ps->lang, TXT_LANG_NONE, 1};
    txt_result r;
    if (txt_analyse(ps->e->an, ps->text + l->start, l->len, &opt, 1, &r) != TXT_OK) {
        ps->oom = 1;
        return nd;
    }
    if (r.ntokens == 0)
        return nd;
    const txt_token *t = &r.tokens[r.ntokens - 1];
    size_t chars = 0;
    for (size_t j = 0; j < t->len; j++)
        if (((unsigned char)t->word[j] & 0xC0) != 0x80)
            chars++;
    if (chars < SRCH_MIN_WILDCARD || r.ntokens > 1) {
        lexeme plain = *l;
        plain.wildcard = 0;
        return words_node(ps, &plain, title, 0);
    }
    if (ps->nterms >= SRCH_MAX_TERMS)
        return nd;
    unsigned max = ps->e->opt.wildcard_max;
    const char *pre[3] = {title ? SCH_TITLE_WORD : SCH_WORD, store_stem_prefix(TXT_LANG_EN, title),
                          store_stem_prefix(TXT_LANG_FR, title)};
    xc_query *subs[3] = {NULL, NULL, NULL};
    size_t n = 0;
    for (int k = 0; k < 3; k++) {
        if (ps->lang == TXT_LANG_EN && k == 2)
            continue;
        if (ps->lang == TXT_LANG_FR && k == 1)
            continue;
        char buf[300];
        snprintf(buf, sizeof buf, "%s%.*s", pre[k], (int)t->len, t->word);
        /* The bounds of the whole query: what the wildcards built so far
         * expand to leaves room for this one (wildcard_total), and what
         * their terms would read (max_query_cost), checked in the lexicon
         * before the match. */
        uint64_t total = ps->e->opt.wildcard_total;
        unsigned lim = total > ps->wild_terms && total - ps->wild_terms < max
                           ? (unsigned)(total - ps->wild_terms)
                           : max;
        uint32_t nt = lim;
        uint64_t cost = 0;
        int rc = ps->wild_terms >= total ? XC_ERR_WILDCARD
                 : ps->e->db ? xc_db_prefix_cost(ps->e->db, buf, lim, SRCH_WILDCARD_SCAN, &nt, &cost)
                             : XC_OK;
        if (rc == XC_ERR_WILDCARD) {
            ps->too_complex = 1;
            break;
        }
        /* (another failure is the match's to meet and report) */
        ps->wild_terms += nt;
        ps->wild_cost += cost;
        if (ps->e->opt.max_query_cost && ps->wild_cost > ps->e->opt.max_query_cost) {
            ps->too_complex = 1;
            break;
        }
        int wrc = xc_query_wildcard_in(ps->e->db, buf, lim, XC_WILDCARD_LIMIT_MOST_FREQUENT,
                                       &subs[n]);
        if (wrc != XC_OK)
            db_failed(ps, wrc);
        n++;
    }
    nd.q = combine(ps, XC_OP_SYNONYM, subs, n, 0);
    for (size_t j = 0; j < n; j++)
        qfree(subs[j]);
    remember(ps, t, l->start, 0);
    if (ps->p->nwords > 0)
        ps->p->words[ps->p->nwords - 1].prefix = 1;
    ps->nterms++;
    return nd;
}

int srch_date_expand(const char *s, size_t len, int hi, char out[9])
{
    static const char *mdays = "312931303130313130313031";
    int y = 0, m = 0, d = 0;
    for (size_t j = 0; j < len; j++)
        if (!((s[j] >= '0' && s[j] <= '9') || (s[j] == '-' && (j == 4 || j == 7))))
            return -1;
    if (len == 4 && sscanf(s, "%4d", &y) == 1)
        m = hi ? 12 : 1, d = hi ? 31 : 1;
    else if (len == 7 && s[4] == '-' && sscanf(s, "%4d-%2d", &y, &m) == 2) {
        if (m < 1 || m > 12)
            return -1;
        d = hi ? (mdays[2 * (m - 1)] - '0') * 10 + (mdays[2 * (m - 1) + 1] - '0') : 1;
    } else if (len == 10 && s[4] == '-' && s[7] == '-' &&
               sscanf(s, "%4d-%2d-%2d", &y, &m, &d) == 3) {
        if (m < 1 || m > 12 || d < 1 || d > 31)
            return -1;
    } else
        return -1;
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%04d%02d%02d", y % 10000, m % 100, d % 100);
    memcpy(out, tmp, 8);
    out[8] = '\0';
    return 0;
}

int srch_date_range(const char *since, const char *until, xc_query **out)
{
    char lo[9], hi[9];
    *out = NULL;
    if (since && since[0] && srch_date_expand(since, strlen(since), 0, lo) != 0)
        return SRCH_ERR_BAD_REQUEST;
    if (until && until[0] && srch_date_expand(until, strlen(until), 1, hi) != 0)
        return SRCH_ERR_BAD_REQUEST;
    int hs = since && since[0], hu = until && until[0];
    if (!hs && !hu)
        return SRCH_OK;
    /* An open lower end still excludes posts without a date (empty value). */
    if (xc_query_value_range(SCH_SLOT_DATE, hs ? lo : "0", hu ? hi : "99999999", out) != XC_OK)
        return SRCH_ERR_INTERNAL;
    return SRCH_OK;
}

static node filter_term(parser *ps, const char *prefix, const char *value, size_t len)
{
    node nd = {.filter = 1};
    char *norm = NULL;
    if (txt_normalise(value, len, &norm) != TXT_OK) {
        ps->oom = 1;
        return nd;
    }
    if (norm[0])
        nd.q = scaled(ps, term(ps, prefix, norm, strlen(norm)), 0);
    else
        nd.filter = 0;
    free(norm);
    return nd;
}

/* The boolean query of a filter field (author:, category:, tag:, lang:,
 * date:), q NULL for a bad value. */
static node field_filter(parser *ps, const lexeme *l)
{
    node nd = {.filter = 1};
    const char *v = ps->text + l->start;
    size_t n = l->len;
    switch (l->field) {
    case F_AUTHOR: return filter_term(ps, SCH_AUTHOR, v, n);
    case F_CATEGORY: return filter_term(ps, SCH_CATEGORY, v, n);
    case F_TAG: return filter_term(ps, SCH_TAG, v, n);
    case F_LANG: {
        char code[8] = "";
        snprintf(code, sizeof code, "%.*s", (int)(n < 7 ? n : 7), v);
        txt_lang lg = txt_lang_parse(code);
        if (lg == TXT_LANG_NONE) {
            nd.filter = 0;
            return nd;
        }
        nd.q = scaled(ps, term(ps, SCH_LANG, txt_lang_code(lg), 2), 0);
        return nd;
    }
    case F_DATE: {
        const char *dots = NULL;
        for (size_t j = 0; j + 1 < n; j++)
            if (v[j] == '.' && v[j + 1] == '.')
                dots = v + j;
        char lo[9], hi[9];
        if (dots) {
            size_t a = (size_t)(dots - v), b = n - a - 2;
            int ok = 1;
            if (a && srch_date_expand(v, a, 0, lo) != 0)
                ok = 0;
            if (b && srch_date_expand(dots + 2, b, 1, hi) != 0)
                ok = 0;
            if (!ok || (!a && !b)) {
                nd.filter = 0;
                return nd;
            }
            if (xc_query_value_range(SCH_SLOT_DATE, a ? lo : "0", b ? hi : "99999999", &nd.q) !=
                XC_OK)
                ps->oom = 1;
            return nd;
        }
        if (srch_date_expand(v, n, 0, lo) != 0) {
            nd.filter = 0;
            return nd;
        }
        if (n == 4)
            return filter_term(ps, SCH_YEAR, lo, 4);
        if (n == 7)
            return filter_term(ps, SCH_MONTH, lo, 6);
        return filter_term(ps, SCH_DATE, lo, 8);
    }
    default: break;
    }
    nd.filter = 0;
    return nd;
}

/* A field: a filter node (its field set) or, for title:, words that the
 * title must hold (restrict_). A bad value (lang:xx, date:abcd) is
 * nothing. */
static node field_node(parser *ps, const lexeme *l)
{
    if (l->field == F_TITLE) {
        node nd;
        if (l->kind == LX_PHRASE)
            nd = phrase_node(ps, l, 1);
        else if (l->wildcard)
            nd = wildcard_node(ps, l, 1);
        else
            nd = words_node(ps, l, 1, 0);
        nd.restrict_ = nd.q != NULL;
        return nd;
    }
    node nd = field_filter(ps, l);
    if (nd.q) {
        nd.filter = 1;
        nd.field = l->field;
    } else
        nd.filter = 0;
    return nd;
}

/* ---- lexer ---------------------------------------------------------------- */

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* 3-byte curly double quotes “ ” (U+201C, U+201D) and « » (U+00AB, U+00BB). */
static size_t quote_len(const char *s, size_t left)
{
    if (left >= 1 && s[0] == '"')
        return 1;
    if (left >= 3 && (unsigned char)s[0] == 0xE2 && (unsigned char)s[1] == 0x80 &&
        ((unsigned char)s[2] == 0x9C || (unsigned char)s[2] == 0x9D))
        return 3;
    if (left >= 2 && (unsigned char)s[0] == 0xC2 &&
        ((unsigned char)s[1] == 0xAB || (unsigned char)s[1] == 0xBB))
        return 2;
    return 0;
}

static lx_field field_of(const char *s, size_t n)
{
    static const struct { const char *name; lx_field f; } names[] = {
        {"title", F_TITLE}, {"titre", F_TITLE}, {"author", F_AUTHOR}, {"auteur", F_AUTHOR},
        {"category", F_CATEGORY}, {"categorie", F_CATEGORY}, {"tag", F_TAG},
        {"lang", F_LANG}, {"langue", F_LANG}, {"date", F_DATE}};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (strlen(names[k].name) == n && strncasecmp(names[k].name, s, n) == 0)
            return names[k].f;
    return F_NONE;
}

static int push(parser *ps, lexeme l, size_t *cap)
{
    if (ps->nlx == *cap) {
        size_t nc = *cap ? 2 * *cap : 32;
        lexeme *nl = realloc(ps->lx, nc * sizeof *nl);
        if (!nl)
            return -1;
        ps->lx = nl;
        *cap = nc;
    }
    ps->lx[ps->nlx++] = l;
    return 0;
}

static int lex(parser *ps)
{
    const char *s = ps->text;
    size_t n = ps->len, i = 0, cap = 0;
    while (i < n) {
        if (is_space((unsigned char)s[i])) {
            i++;
            continue;
        }
        lexeme l = {LX_WORD, 0, F_NONE, 0, 0, 0};
        if ((s[i] == '+' || s[i] == '-') && i + 1 < n && !is_space((unsigned char)s[i + 1]) &&
            s[i + 1] != '+' && s[i + 1] != '-' && s[i + 1] != ')') {
            l.mod = s[i++];
            ps->complex = 1;
        } else if (s[i] == '+' || s[i] == '-') {
            i++; /* a lone mark: ignored */
            continue;
        }
        if (s[i] == '(' || s[i] == ')') {
            l.kind = s[i] == '(' ? LX_LPAREN : LX_RPAREN;
            l.start = i++;
            ps->complex = 1;
            if (push(ps, l, &cap))
                return -1;
            continue;
        }
        size_t ql = quote_len(s + i, n - i);
        if (ql) {
            size_t j = i + ql, cl = 0;
            while (j < n && !(cl = quote_len(s + j, n - j)))
                j++;
            if (j >= n) {
                ps->error = 1; /* unclosed quote */
                l.start = i + ql;
                l.len = n - i - ql;
                l.kind = LX_WORD;
                if (push(ps, l, &cap))
                    return -1;
                break;
            }
            l.kind = LX_PHRASE;
            l.start = i + ql;
            l.len = j - i - ql;
            i = j + cl;
            if (push(ps, l, &cap))
                return -1;
            continue;
        }
        size_t j = i;
        while (j < n && !is_space((unsigned char)s[j]) && s[j] != '(' && s[j] != ')' &&
               !quote_len(s + j, n - j))
            j++;
        size_t wl = j - i;
        if (!l.mod && ((wl == 3 && !memcmp(s + i, "AND", 3)) || (wl == 2 && !memcmp(s + i, "ET", 2)))) {
            l.kind = LX_AND;
        } else if (!l.mod && ((wl == 2 && !memcmp(s + i, "OR", 2)) ||
                              (wl == 2 && !memcmp(s + i, "OU", 2)))) {
            l.kind = LX_OR;
        } else if (!l.mod && ((wl == 3 && !memcmp(s + i, "NOT", 3)) ||
                              (wl == 4 && !memcmp(s + i, "SAUF", 4)))) {
            l.kind = LX_NOT;
        }
        if (l.kind != LX_WORD) {
            l.start = i;
            l.len = wl;
            ps->complex = 1;
            i = j;
            if (push(ps, l, &cap))
                return -1;
            continue;
        }
        /* field:value or field:"a phrase" */
        const char *colon = memchr(s + i, ':', wl);
        if (colon) {
            lx_field f = field_of(s + i, (size_t)(colon - (s + i)));
            size_t vstart = (size_t)(colon - s) + 1;
            if (f != F_NONE && vstart == j && j < n && (ql = quote_len(s + j, n - j))) {
                size_t k = j + ql, cl = 0;
                while (k < n && !(cl = quote_len(s + k, n - k)))
                    k++;
                if (k < n) {
                    l.kind = LX_PHRASE;
                    l.field = f;
                    l.start = j + ql;
                    l.len = k - j - ql;
                    i = k + cl;
                    ps->complex |= f == F_TITLE;
                    if (push(ps, l, &cap))
                        return -1;
                    continue;
                }
            }
            if (f != F_NONE && vstart < j) {
                l.field = f;
                /* filters restrict the query as a whole (srch_parsed's
                 * filter), so a query of words and filters is still plain
                 * words; title: words are not */
                ps->complex |= f == F_TITLE;
                i = vstart;
                wl = j - i;
            }
        }
        l.start = i;
        l.len = wl;
        if (wl > 1 && s[i + wl - 1] == '*' && l.field != F_AUTHOR && l.field != F_CATEGORY &&
            l.field != F_TAG && l.field != F_DATE && l.field != F_LANG) {
            while (l.len > 0 && s[i + l.len - 1] == '*')
                l.len--;
            l.wildcard = l.len > 0;
        }
        i = j;
        if (push(ps, l, &cap))
            return -1;
    }
    return 0;
}

/* ---- parser --------------------------------------------------------------- */

static node parse_query(parser *ps);

static void node_free(node *n)
{
    qfree(n->q);
    n->q = NULL;
}

static node parse_unary(parser *ps)
{
    node nd = {.q = NULL};
    if (ps->i >= ps->nlx) {
        ps->error = 1;
        return nd;
    }
    lexeme *l = &ps->lx[ps->i];
    switch (l->kind) {
    case LX_LPAREN:
        ps->i++;
        if (ps->depth > 20) {
            ps->error = 1;
            return nd;
        }
        ps->depth++;
        nd = parse_query(ps);
        ps->depth--;
        if (ps->i >= ps->nlx || ps->lx[ps->i].kind != LX_RPAREN) {
            ps->error = 1;
            return nd;
        }
        ps->i++;
        return nd;
    case LX_WORD:
        ps->i++;
        if (l->field != F_NONE)
            return field_node(ps, l);
        if (l->wildcard)
            return wildcard_node(ps, l, 0);
        return words_node(ps, l, 0, 1);
    case LX_PHRASE:
        ps->i++;
        if (l->field != F_NONE)
            return field_node(ps, l);
        return phrase_node(ps, l, 0);
    default:
        ps->error = 1;
        return nd;
    }
}

/* The words remembered since index first were excluded (-word, NOT): they
 * are not what the visitor looks for, so no spelling suggestion is made for
 * them and they do not count as words of a question. */
static void unplain_since(parser *ps, size_t first)
{
    for (size_t j = first; j < ps->p->nwords; j++)
        ps->p->words[j].plain = 0;
}

/* The kind of two nodes joined by AND or OR: a filter when both are, a
 * restriction when both are restrictions or filters. */
static void join_kinds(node *left, const node *right)
{
    if (!left->q) {
        left->filter = right->filter;
        left->restrict_ = right->restrict_;
    } else if (right->q) {
        left->restrict_ = (left->restrict_ || left->filter) && (right->restrict_ || right->filter) &&
                          !(left->filter && right->filter);
        left->filter = left->filter && right->filter;
    }
    left->field = F_NONE;
}

static node parse_and(parser *ps)
{
    node left = parse_unary(ps);
    while (!ps->error && ps->i < ps->nlx &&
           (ps->lx[ps->i].kind == LX_AND || ps->lx[ps->i].kind == LX_NOT)) {
        lx_kind k = ps->lx[ps->i++].kind;
        size_t first = ps->p->nwords;
        node right = parse_unary(ps);
        if (k == LX_NOT)
            unplain_since(ps, first);
        if (k == LX_AND) {
            join_kinds(&left, &right);
            left.q = combine2(ps, XC_OP_AND, left.q, right.q);
        } else if (right.q) {
            /* left keeps its kind: a filter without some posts is a filter */
            if (!left.q && xc_query_match_all(&left.q) != XC_OK)
                ps->oom = 1;
            left.field = F_NONE;
            left.q = combine2(ps, XC_OP_AND_NOT, left.q, right.q);
        }
    }
    return left;
}

static node parse_or(parser *ps)
{
    node left = parse_and(ps);
    while (!ps->error && ps->i < ps->nlx && ps->lx[ps->i].kind == LX_OR) {
        ps->i++;
        node right = parse_and(ps);
        /* explicit OR is OR, fields included: "permis OR lang:fr" is the
           posts with "permis" and every French post */
        join_kinds(&left, &right);
        left.q = combine2(ps, XC_OP_OR, left.q, right.q);
    }
    return left;
}

/* The filters of a query: alternatives within a field ("category:A
 * category:B": either), all fields at once; filters[] are taken. */
static xc_query *filter_groups(parser *ps, node *filters, size_t n)
{
    xc_query *all = NULL;
    for (size_t j = 0; j < n; j++) {
        if (!filters[j].q)
            continue;
        xc_query *group = filters[j].q;
        filters[j].q = NULL;
        for (size_t k = j + 1; k < n && filters[j].field != F_NONE; k++)
            if (filters[k].q && filters[k].field == filters[j].field) {
                group = combine2(ps, XC_OP_OR, group, filters[k].q);
                filters[k].q = NULL;
            }
        all = combine2(ps, XC_OP_AND, all, group);
    }
    return all;
}

/* A run of clauses (the whole text, or inside parentheses):
 *   - filters (author:, category:, tag:, lang:, date:) restrict the rest,
 *     alternatives within one field (filter_groups);
 *   - title: clauses must all hold, and weigh;
 *   - +required clauses must all hold; the plain ones are ORed, and must
 *     hold (at least one) unless some clause is required, when they only
 *     rank (AND_MAYBE);
 *   - -excluded clauses take their posts out.
 * At the top (depth 0) the filters of a query that has other clauses are
 * left in ps->top_filter, so that what the parser adds to the words
 * (synonyms, corrections) is filtered too. */
static node parse_query(parser *ps)
{
    node out = {.q = NULL};
    xc_query *req = NULL, *plain = NULL, *excl = NULL, *restr = NULL;
    node filters[SRCH_MAX_TERMS];
    size_t nfilters = 0;
    while (!ps->error && ps->i < ps->nlx && ps->lx[ps->i].kind != LX_RPAREN) {
        lexeme *l = &ps->lx[ps->i];
        char mod = l->mod;
        if (l->kind == LX_AND || l->kind == LX_OR || l->kind == LX_NOT) {
            ps->error = 1; /* an operator with nothing on its left */
            break;
        }
        size_t first = ps->p->nwords;
        node c = parse_or(ps);
        if (mod == '-')
            unplain_since(ps, first);
        if (!c.q)
            continue;
        if (mod == '-')
            excl = combine2(ps, XC_OP_OR, excl, c.q);
        else if (c.filter) {
            if (nfilters < SRCH_MAX_TERMS)
                filters[nfilters++] = c;
            else
                qfree(c.q);
        } else if (c.restrict_)
            restr = combine2(ps, XC_OP_AND, restr, c.q);
        else if (mod == '+')
            req = combine2(ps, XC_OP_AND, req, c.q);
        else
            plain = combine2(ps, XC_OP_OR, plain, c.q);
    }
    if (ps->depth == 0 && ps->i < ps->nlx)
        ps->error = 1; /* a ')' with no '(' */
    xc_query *text = req && plain ? combine2(ps, XC_OP_AND_MAYBE, req, plain) : req ? req : plain;
    int only_restr = restr && !text;
    text = combine2(ps, XC_OP_AND, restr, text);
    xc_query *filt = filter_groups(ps, filters, nfilters);
    if (text && filt && ps->depth == 0) {
        qfree(ps->top_filter);
        ps->top_filter = filt;
        out.q = text;
    } else if (text)
        out.q = combine2(ps, XC_OP_FILTER, text, filt);
    else
        out.q = filt;
    out.filter = out.q && !text;
    out.restrict_ = only_restr && !filt;
    if (excl) {
        if (!out.q) {
            if (xc_query_match_all(&out.q) != XC_OK)
                ps->oom = 1;
            out.filter = 1; /* only exclusions: a boolean restriction */
        }
        out.q = combine2(ps, XC_OP_AND_NOT, out.q, excl);
    }
    return out;
}

/* ---- boosts and synonyms -------------------------------------------------- */

/* Plain words next to each other in the query, as phrases (window 2) and
 * as a NEAR of all of them: documents where the words of the query stand
 * together rank higher. Title matches of the words weigh in as well. */
static xc_query *boosts(parser *ps)
{
    srch_parsed *p = ps->p;
    xc_query *parts[SRCH_MAX_TERMS * 2 + 2] = {0};
    size_t n = 0;
    const srch_word *prev = NULL;
    xc_query *near[SRCH_MAX_TERMS] = {0};
    size_t nn = 0;
    for (size_t j = 0; j < p->nwords && n < SRCH_MAX_TERMS * 2; j++) {
        const srch_word *w = &p->words[j];
        if (!w->plain)
            continue;
        if (prev) {
            xc_query *pair[2] = {term(ps, SCH_WORD, prev->word, strlen(prev->word)),
                                 term(ps, SCH_WORD, w->word, strlen(w->word))};
            xc_query *ph = combine(ps, XC_OP_NEAR, pair, 2, 3);
            qfree(pair[0]);
            qfree(pair[1]);
            if (ph)
                parts[n++] = ph;
        }
        if (nn < SRCH_MAX_TERMS)
            near[nn++] = term(ps, SCH_WORD, w->word, strlen(w->word));
        /* the word in the title, a part of the bonus like the pairs (see
         * SRCH_TITLE_BOOST) */
        if (!SRCH_TITLE_BOOST) {
            prev = w;
            continue;
        }
        xc_query *subs[1 + TXT_MAX_STEMS];
        size_t ns = 0;
        subs[ns++] = term(ps, SCH_TITLE_WORD, w->word, strlen(w->word));
        for (unsigned k = 0; k < w->nstems; k++) {
            const char *st = w->stems[k];
            const char *pre = st[1] == 'E' ? SCH_TITLE_STEM_EN : SCH_TITLE_STEM_FR;
            subs[ns++] = term(ps, pre, st + 2, strlen(st + 2));
        }
        xc_query *tq = combine(ps, XC_OP_SYNONYM, subs, ns, 0);
        for (size_t k = 0; k < ns; k++)
            qfree(subs[k]);
        if (tq)
            parts[n++] = tq;
        prev = w;
    }
    if (nn >= 3 && nn <= 10) {
        xc_query *nq = combine(ps, XC_OP_NEAR, near, nn, (uint32_t)(2 * nn + 2));
        if (nq)
            parts[n++] = nq;
    }
    for (size_t k = 0; k < nn; k++)
        qfree(near[k]);
    xc_query *b = combine(ps, XC_OP_OR, parts, n, 0);
    for (size_t k = 0; k < n; k++)
        qfree(parts[k]);
    return b;
}

/* The query of words (folded, separated by spaces) that the query searches
 * without their being typed: one word as a word, several as a phrase;
 * remembered for the highlighter. */
static xc_query *derived_query(parser *ps, const char *words, size_t len)
{
    txt_options opt = {ps->lang, TXT_LANG_NONE, 1};
    txt_result r;
    if (txt_analyse(ps->e->an, words, len, &opt, 1, &r) != TXT_OK) {
        ps->oom = 1;
        return NULL;
    }
    size_t nparts = 0;
    const txt_token *t = NULL;
    for (size_t j = 0; j < r.ntokens; j++)
        if (!(r.tokens[j].flags & TXT_TOK_JOINED))
            nparts++, t = &r.tokens[j];
    if (nparts == 0)
        return NULL;
    xc_query *q = nparts == 1 ? token_query(ps, t, 0) : phrase_query(ps, r.tokens, r.ntokens, 0);
    remember_added(ps, r.tokens, r.ntokens);
    return q;
}

/* The query of a glossary entry (normalised words separated by spaces). */
static xc_query *entry_query(parser *ps, const char *entry)
{
    return derived_query(ps, entry, strlen(entry));
}

/* Glossary synonyms of the plain words and of runs of up to 5 of them. */
static xc_query *synonyms(parser *ps)
{
    srch_parsed *p = ps->p;
    xc_query *all = NULL;
    size_t used = 0;
    if (!ps->e->db)
        return NULL;
    size_t typed = p->nwords; /* the words added below come after */
    for (size_t j = 0; j < typed; j++) {
        if (!p->words[j].plain)
            continue;
        for (size_t n = SRCH_MAX_NGRAM; n >= 1; n--) {
            size_t last = j + n - 1;
            if (last >= typed)
                continue;
            int ok = 1;
            for (size_t k = j; k <= last; k++)
                if (!p->words[k].plain)
                    ok = 0;
            if (!ok)
                continue;
            char *key = NULL;
            size_t a = p->words[j].start, b = p->words[last].end;
            if (txt_normalise(ps->text + a, b - a, &key) != TXT_OK) {
                ps->oom = 1;
                return all;
            }
            xc_iter *it = NULL;
            int found = 0;
            xc_query *group[16];
            size_t ng = 0;
            if (key[0] && xc_db_synonyms(ps->e->db, key, &it) == XC_OK) {
                const char *syn;
                size_t sl;
                while (xc_iter_next(it, &syn, &sl, NULL, NULL) == XC_OK && used < 16) {
                    char *entry = strndup(syn, sl);
                    if (!entry) {
                        ps->oom = 1;
                        break;
                    }
                    ps->key_from = j;
                    ps->key_to = last + 1;
                    if ((group[ng] = entry_query(ps, entry)) != NULL)
                        ng++;
                    ps->key_from = ps->key_to = 0;
                    free(entry);
                    used++;
                    found = 1;
                }
            }
            xc_iter_free(it);
            free(key);
            /* The entries of a key weigh as one term: a post that says
               "IMGs" and "international medical graduates" is not twice
               about the key. */
            all = combine2(ps, XC_OP_OR, all, combine(ps, XC_OP_SYNONYM, group, ng, 0));
            for (size_t k = 0; k < ng; k++)
                qfree(group[k]);
            if (found)
                break;
        }
    }
    return all;
}

/* 1 if the index knows the word in no form: neither the word nor any of
 * its stems. */
static int unknown_word(parser *ps, const srch_word *w)
{
    uint32_t freq = 0;
    size_t wl = strlen(w->word);
    if (!w->plain || wl < 3 || (w->word[0] >= '0' && w->word[0] <= '9'))
        return 0;
    if (srch_termfreq(ps->e, w->word, wl, &freq) != XC_OK || freq > 0)
        return 0;
    for (unsigned k = 0; k < w->nstems; k++)
        if (srch_termfreq(ps->e, w->stems[k], strlen(w->stems[k]), &freq) != XC_OK ||
            freq > 0)
            return 0;
    return 1;
}

/* 1 if text[a, b) is all blanks (and not empty): two words typed apart. */
static int blanks_between(const char *text, size_t a, size_t b)
{
    if (a >= b)
        return 0;
    for (size_t i = a; i < b; i++)
        if (text[i] != ' ' && text[i] != '\t')
            return 0;
    return 1;
}

/* Words written apart in the query and together in the archive, or the
 * reverse, as Meilisearch does: two or three plain words typed next to
 * each other ("post doctoral", "e mail", "NAC OSCE") are also searched
 * joined ("postdoctoral", "email", "nacosce") when the archive writes the
 * joined word; a word the index knows in no form, of SRCH_SPLIT_MIN
 * letters or more, is also searched as the phrase of the two words it can
 * be cut into that the archive writes ("permisrestrictif": "permis
 * restrictif"), the cut whose rarer half is the most frequent. Both weigh
 * SRCH_JOIN_WEIGHT, below the words as typed. The archive's words are
 * those of the spelling table, in memory (speller.c): no database read. */
static xc_query *joins_splits(parser *ps)
{
    srch_parsed *p = ps->p;
    srch_speller *sp = ps->e->db ? srch_engine_speller(ps->e) : NULL;
    xc_query *all = NULL;
    size_t typed = p->nwords; /* the words added below come after */
    for (size_t j = 0; j < typed && sp && !ps->oom; j++) {
        if (!p->words[j].plain || p->words[j].prefix)
            continue;
        char buf[256];
        size_t bl = strlen(p->words[j].word);
        if (bl + 1 >= sizeof buf)
            continue;
        memcpy(buf, p->words[j].word, bl + 1);
        for (size_t k = j + 1, last = j; k < typed && k < j + SRCH_JOIN_MAX && !ps->oom; k++) {
            const srch_word *x = &p->words[k];
            size_t xl = strlen(x->word);
            if (!x->plain || x->prefix || bl + xl + 1 >= sizeof buf ||
                !blanks_between(ps->text, p->words[last].end, x->start))
                break;
            memcpy(buf + bl, x->word, xl + 1);
            bl += xl;
            last = k;
            if (srch_speller_freq(sp, buf) > 0)
                all = combine2(ps, XC_OP_OR, all, derived_query(ps, buf, bl));
        }
        /* the split of an unknown word */
        const char *w = p->words[j].word;
        size_t wl = strlen(w), chars = 0;
        for (size_t i = 0; i < wl; i++)
            chars += ((unsigned char)w[i] & 0xC0) != 0x80;
        if (chars < SRCH_SPLIT_MIN || wl + 2 >= sizeof buf || srch_speller_freq(sp, w) > 0 ||
            !unknown_word(ps, &p->words[j]))
            continue;
        size_t best = 0, left = 0;
        uint32_t best_freq = 0;
        for (size_t i = 1; i < wl; i++) {
            if (((unsigned char)w[i] & 0xC0) == 0x80)
                continue; /* inside a character */
            left += 1;
            if (left < SRCH_SPLIT_PART || chars - left < SRCH_SPLIT_PART)
                continue;
            memcpy(buf, w, i);
            buf[i] = '\0';
            uint32_t fl = srch_speller_freq(sp, buf), fr = fl ? srch_speller_freq(sp, w + i) : 0;
            uint32_t m = fl < fr ? fl : fr;
            if (m > best_freq)
                best_freq = m, best = i;
        }
        if (!best)
            continue;
        memcpy(buf, w, best);
        buf[best] = ' ';
        memcpy(buf + best + 1, w + best, wl - best + 1);
        all = combine2(ps, XC_OP_OR, all, derived_query(ps, buf, wl + 1));
    }
    return all;
}

/* Spelling corrections of the plain words of a question (SRCH_MIN_QUESTION
 * plain words or more) that the index knows in no form: such a word adds
 * nothing to the match, and a question of several words always has hits,
 * so the "no hits: search the suggestion" rescue never runs for it. The
 * spelling table's closest word (at most 2 edits) is searched as well. A
 * question with more than SRCH_MAX_CORRECTIONS unknown words is about
 * something the archive does not hold, not mistyped: it is left as it is
 * (each lookup is an edit-distance scan of the in-memory speller). A
 * short query keeps the suggestion for the visitor to choose. */
static xc_query *corrections(parser *ps)
{
    srch_parsed *p = ps->p;
    xc_query *all = NULL;
    size_t nplain = 0, nunknown = 0;
    unsigned char unknown[SRCH_MAX_TERMS] = {0};
    if (!ps->e->db)
        return NULL;
    size_t typed = p->nwords; /* the words added below come after */
    for (size_t j = 0; j < typed; j++)
        nplain += p->words[j].plain ? 1 : 0;
    if (nplain < SRCH_MIN_QUESTION)
        return NULL;
    for (size_t j = 0; j < typed && j < SRCH_MAX_TERMS; j++)
        if ((unknown[j] = (unsigned char)unknown_word(ps, &p->words[j])) != 0)
            nunknown++;
    if (nunknown > SRCH_MAX_CORRECTIONS)
        return NULL;
    for (size_t j = 0; j < typed && j < SRCH_MAX_TERMS && !ps->oom; j++) {
        char *c[2] = {NULL, NULL};
        if (!unknown[j] || srch_correct(ps->e, p->words[j].word, ps->lang, NULL, &c[0], &c[1]) != 0)
            continue;
        /* both corrections when the nearest English and French words tie
         * (only when the language is unknown) */
        for (int k = 0; k < 2 && c[k] && !ps->oom; k++) {
            txt_options opt = {ps->lang, TXT_LANG_NONE, 1};
            txt_result r;
            if (!c[k][0])
                continue;
            if (txt_analyse(ps->e->an, c[k], strlen(c[k]), &opt, 1, &r) != TXT_OK)
                ps->oom = 1;
            else if (r.ntokens == 1 && !is_stop(&r.tokens[0])) {
                all = combine2(ps, XC_OP_OR, all, token_query(ps, &r.tokens[0], 0));
                remember_added(ps, r.tokens, 1);
            }
        }
        free(c[0]);
        free(c[1]);
    }
    return all;
}

/* When the query's language is known (given, or told from a question by
 * the engine), posts written in it get SRCH_LANG_BONUS, about the weight of
 * one more matched word ("mixed" posts half): in a bilingual archive, a
 * question asked in French wants the French post before its English twin,
 * and English questions match French posts through shared words ("empire
 * ottoman"). */
static xc_query *language_bonus(parser *ps)
{
    const char *keys[2] = {txt_lang_code(ps->lang), "mixed"};
    double w[2] = {SRCH_LANG_BONUS, SRCH_LANG_BONUS / 2};
    xc_query *q = NULL;
    if (xc_query_value_weight(SCH_SLOT_MAINLANG, keys, w, 2, 0.0, &q) != XC_OK)
        ps->oom = 1;
    return q;
}

/* ---- entry point ------------------------------------------------------------ */

void srch_parsed_free(srch_parsed *p)
{
    if (!p)
        return;
    qfree(p->query);
    qfree(p->filter);
    qfree(p->boost);
    for (size_t j = 0; j < p->nwords; j++) {
        free(p->words[j].word);
        for (unsigned k = 0; k < p->words[j].nstems; k++)
            free(p->words[j].stems[k]);
    }
    free(p->words);
    memset(p, 0, sizeof *p);
}

static void reset_words(srch_parsed *p)
{
    xc_query *q = p->query, *f = p->filter;
    p->query = p->filter = NULL;
    srch_parsed_free(p);
    p->query = q;
    p->filter = f;
}

/* One attempt: strict (operators) or plain words only. */
static node attempt(parser *ps, int strict)
{
    node nd = {.q = NULL};
    ps->i = 0;
    ps->depth = 0;
    ps->error = 0;
    ps->nterms = 0;
    ps->nstop = 0;
    ps->wild_terms = ps->wild_cost = 0;
    qfree(ps->top_filter);
    ps->top_filter = NULL;
    if (!strict) {
        /* Plain words: the text as one run of words, no operators. An
         * operator that made the text unparsable ("ET" alone, "permis
         * AND") is a word again, as typed: "ET" finds "et". */
        for (size_t j = 0; j < ps->nlx; j++) {
            lexeme *l = &ps->lx[j];
            if (l->kind == LX_WORD || l->kind == LX_PHRASE || l->kind == LX_AND ||
                l->kind == LX_OR || l->kind == LX_NOT) {
                lexeme w = *l;
                w.kind = LX_WORD;
                w.field = F_NONE;
                w.wildcard = 0;
                w.mod = 0;
                node c = words_node(ps, &w, 0, 1);
                nd.q = combine2(ps, XC_OP_OR, nd.q, c.q);
            }
        }
        return nd;
    }
    return parse_query(ps);
}

int srch_parse(srch_engine *e, const char *q, size_t len, txt_lang lang, srch_parsed *p)
{
    e->parse_rc = XC_OK;
    memset(p, 0, sizeof *p);
    parser ps;
    memset(&ps, 0, sizeof ps);
    ps.e = e;
    ps.text = q ? q : "";
    ps.len = q ? len : 0;
    ps.lang = lang;
    ps.p = p;
    if (lex(&ps) != 0) {
        free(ps.lx);
        snprintf(e->err, sizeof e->err, "out of memory");
        return SRCH_ERR_INTERNAL;
    }
    /* lang: in the text analyses the words in that language (not when it
     * is excluded, -lang:fr or NOT lang:fr, nor when both are named). */
    if (lang == TXT_LANG_NONE) {
        txt_lang named = TXT_LANG_NONE;
        int both = 0;
        for (size_t j = 0; j < ps.nlx; j++)
            if (ps.lx[j].field == F_LANG && ps.lx[j].mod != '-' &&
                !(j > 0 && ps.lx[j - 1].kind == LX_NOT)) {
                char code[8];
                snprintf(code, sizeof code, "%.*s", (int)(ps.lx[j].len < 7 ? ps.lx[j].len : 7),
                         q + ps.lx[j].start);
                txt_lang lg = txt_lang_parse(code);
                both |= named != TXT_LANG_NONE && lg != TXT_LANG_NONE && lg != named;
                if (lg != TXT_LANG_NONE)
                    named = lg;
            }
        ps.lang = both ? TXT_LANG_NONE : named;
    }
    /* Names weigh more in questions only (SRCH_MIN_QUESTION words or more,
     * no operators), and only when the text is in mixed case: in a text
     * typed in capitals every word would be a "name". */
    size_t nlexwords = 0;
    int lower = 0;
    ps.first_start = (size_t)-1;
    for (size_t j = 0; j < ps.nlx; j++)
        if (ps.lx[j].kind == LX_WORD && ps.lx[j].field == F_NONE) {
            if (!nlexwords++)
                ps.first_start = ps.lx[j].start;
            if (txt_initial_case(q + ps.lx[j].start, ps.lx[j].len) < 0)
                lower = 1;
        }
    ps.names = !ps.complex && lower && nlexwords >= SRCH_MIN_QUESTION;
    int syntax_error = ps.error;
    node nd = {.q = NULL};
    for (int pass = 0; pass < 4; pass++) {
        int strict = !syntax_error && pass < 2;
        ps.allow_stop = pass % 2;
        if (!strict && pass < 2)
            continue;
        reset_words(p);
        node_free(&nd);
        nd = attempt(&ps, strict);
        if (strict && ps.error) {
            syntax_error = 1;
            continue;
        }
        /* Only stopwords (nothing searchable but some were dropped): search them. */
        if (!ps.allow_stop && ps.nstop > 0 && (!nd.q || nd.filter) && p->nwords == 0)
            continue;
        break;
    }
    if (nd.q && nd.filter) {
        p->filter = nd.q;
        p->has_text = 0;
    } else if (nd.q) {
        p->has_text = 1;
        p->filter = ps.top_filter;
        ps.top_filter = NULL;
        xc_query *main = nd.q;
        if (!ps.complex) {
            xc_query *syn = synonyms(&ps);
            if (syn)
                main = combine2(&ps, XC_OP_OR, main, scaled(&ps, syn, 0.5));
            xc_query *corr = corrections(&ps);
            if (corr)
                main = combine2(&ps, XC_OP_OR, main, corr);
            xc_query *js = joins_splits(&ps);
            if (js)
                main = combine2(&ps, XC_OP_OR, main, scaled(&ps, js, SRCH_JOIN_WEIGHT));
        }
        if (ps.lang != TXT_LANG_NONE)
            main = combine2(&ps, XC_OP_AND_MAYBE, main, language_bonus(&ps));
        p->query = main;
        p->boost = boosts(&ps); /* (weighed SRCH_BOOST_WEIGHT by the rerank) */
    }
    p->complex = ps.complex;
    p->lang = ps.lang;
    /* what kind of answer a question asks for (answer.c): for its best hits */
    if (p->query && p->has_text && !ps.complex && nlexwords >= SRCH_MIN_QUESTION && !ps.oom)
        p->cue = srch_answer_cue(e, ps.text, ps.len, ps.lang);
    free(ps.lx);
    qfree(ps.top_filter);
    e->parse_rc = ps.oom ? XC_OK : ps.db_rc;
    if (e->parse_rc != XC_OK) {
        snprintf(e->err, sizeof e->err, "the database could not be read for the query");
        srch_parsed_free(p);
        return SRCH_ERR_UNAVAILABLE;
    }
    if (ps.oom) {
        snprintf(e->err, sizeof e->err, "out of memory building the query");
        srch_parsed_free(p);
        return SRCH_ERR_INTERNAL;
    }
    if (ps.too_complex) {
        snprintf(e->err, sizeof e->err,
                 "the query is too complex: its wildcards would match more than %u words "
                 "or read more than %u postings; use longer prefixes or fewer wildcards",
                 e->opt.wildcard_total, e->opt.max_query_cost);
        srch_parsed_free(p);
        return SRCH_ERR_TOO_COMPLEX;
    }
    return SRCH_OK;
}
