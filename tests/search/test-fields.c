/* test-fields.c: the fields of the query language (lang:, category:, tag:,
 * author:, date:, title:) with words, phrases, OR/OU, AND/ET, NOT/SAUF,
 * +/-, and parentheses, against a brute-force model of doc/QUERY.md.
 *
 * The database is built by the real indexer from the sample archive
 * (without the glossary, so that no synonym widens a query). The model
 * reads every post's stored record back (the `doc` request), analyses its
 * title and body with the project's analyser as the indexer does, and
 * decides for each query which posts it must return: a word is held when a
 * token of the post has its folded form or one of its stems; a stem of 7
 * bytes or more also matches the stems that extend it (doc/QUERY.md, "How
 * results are ranked"), so the model gives a lower bound (equal stems) and
 * an upper bound (extensions) and the hits must lie between the two; for
 * words with short stems the two are equal and the hits are exactly the
 * model's. Every hit is also checked against the field itself, and total
 * must equal the number of hits. */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/testhelp.h"
#include "search/search.h"
#include "text/text.h"

#define MAX_POSTS 64
#define LONG_STEM 7 /* SRCH_STEM_EXTEND */

typedef struct {
    uint32_t pos;
    int title;
    char *word;
    unsigned nstems;
    txt_lang slang[TXT_MAX_STEMS];
    char *stem[TXT_MAX_STEMS];
} ptok;

typedef struct {
    char *id;
    unsigned langs; /* bit 1 << TXT_LANG_EN / FR: the post's L terms */
    char *cats[8], *tags[8];
    size_t ncats, ntags;
    char *author;
    char date[9];   /* YYYYMMDD or "" */
    ptok *toks;
    size_t ntoks;
} post;

static char *tmp, *dbdir;
static srch_engine *eng;
static txt_analyser *an;
static post posts[MAX_POSTS];
static size_t nposts;
static txt_lang qlang; /* the language the current query's words are analysed in */

static char *norm(const char *s)
{
    char *out = NULL;
    ck_assert_int_eq(txt_normalise(s, strlen(s), &out), TXT_OK);
    return out;
}

/* Adds the tokens of text, analysed as the indexer does. */
static uint32_t add_tokens(post *p, const char *text, const txt_options *opt, uint32_t first,
                           int title, unsigned *langs)
{
    txt_result r;
    ck_assert_int_eq(txt_analyse(an, text, strlen(text), opt, first, &r), TXT_OK);
    p->toks = realloc(p->toks, (p->ntoks + r.ntokens + 1) * sizeof *p->toks);
    ck_assert_ptr_nonnull(p->toks);
    for (size_t i = 0; i < r.ntokens; i++) {
        const txt_token *t = &r.tokens[i];
        ptok *k = &p->toks[p->ntoks++];
        memset(k, 0, sizeof *k);
        k->pos = t->pos;
        k->title = title;
        k->word = strndup(t->word, t->len);
        for (unsigned j = 0; j < t->nstems; j++) {
            if (t->stems[j].stop || !t->stems[j].len)
                continue; /* not indexed */
            k->slang[k->nstems] = t->stems[j].lang;
            k->stem[k->nstems++] = strndup(t->stems[j].term, t->stems[j].len);
        }
    }
    *langs |= r.langs;
    return r.last_pos;
}

/* Reads every post's stored record and analyses it. */
static void load_posts(void)
{
    char *path = th_path(th_srcdir(), "index/sample/sample.jsonl");
    size_t len;
    char *all = th_read_file(path, &len);
    ck_assert_ptr_nonnull(all);
    for (char *line = strtok(all, "\n"); line; line = strtok(NULL, "\n")) {
        json_t *src = json_loads(line, 0, NULL);
        ck_assert_ptr_nonnull(src);
        json_t *ans = NULL;
        ck_assert_int_eq(srch_doc(eng, json_string_value(json_object_get(src, "id")), &ans),
                         SRCH_OK);
        json_decref(src);
        json_t *d = json_object_get(ans, "doc");
        ck_assert_uint_lt(nposts, MAX_POSTS);
        post *p = &posts[nposts++];
        memset(p, 0, sizeof *p);
        p->id = strdup(json_string_value(json_object_get(d, "id")));
        const char *lang = json_string_value(json_object_get(d, "lang"));
        txt_options opt = {txt_lang_parse(lang), TXT_LANG_NONE, 0};
        if (strcmp(lang, "en") && strcmp(lang, "fr"))
            opt.lang = TXT_LANG_NONE;
        unsigned seen = 0;
        uint32_t last = add_tokens(p, json_string_value(json_object_get(d, "title")), &opt, 1, 1,
                                   &seen);
        add_tokens(p, json_string_value(json_object_get(d, "body")), &opt, last + 100 + 1, 0,
                   &seen);
        p->langs = opt.lang != TXT_LANG_NONE ? 1u << opt.lang : seen;
        json_t *v;
        size_t i;
        json_array_foreach(json_object_get(d, "categories"), i, v) if (p->ncats < 8)
            p->cats[p->ncats++] = norm(json_string_value(v));
        json_array_foreach(json_object_get(d, "tags"), i, v) if (p->ntags < 8)
            p->tags[p->ntags++] = norm(json_string_value(v));
        p->author = norm(json_string_value(json_object_get(d, "author")));
        const char *date = json_string_value(json_object_get(d, "date"));
        if (strlen(date) == 10)
            snprintf(p->date, sizeof p->date, "%.4s%.2s%.2s", date, date + 5, date + 8);
        json_decref(ans);
    }
    free(all);
    free(path);
    ck_assert_uint_eq(nposts, 31);
}

static void build_db(void)
{
    const char *top = getenv("top_builddir");
    char cmd[4096];
    tmp = th_tmpdir("fields");
    ck_assert_ptr_nonnull(tmp);
    dbdir = th_path(tmp, "db");
    snprintf(cmd, sizeof cmd,
             "'%s/src/socasma-index' --quiet --db '%s' '%s/index/sample/sample.jsonl' >/dev/null",
             top ? top : ".", dbdir, th_srcdir());
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(srch_engine_new(dbdir, NULL, &eng), SRCH_OK);
    ck_assert_int_eq(txt_analyser_new(&an), TXT_OK);
    load_posts();
}

static void unbuild_db(void)
{
    for (size_t i = 0; i < nposts; i++) {
        post *p = &posts[i];
        for (size_t k = 0; k < p->ntoks; k++) {
            free(p->toks[k].word);
            for (unsigned j = 0; j < p->toks[k].nstems; j++)
                free(p->toks[k].stem[j]);
        }
        free(p->toks);
        for (size_t k = 0; k < p->ncats; k++)
            free(p->cats[k]);
        for (size_t k = 0; k < p->ntags; k++)
            free(p->tags[k]);
        free(p->author);
        free(p->id);
    }
    txt_analyser_free(an);
    srch_engine_free(eng);
    th_rmtree(tmp);
    free(tmp);
    free(dbdir);
}

/* ---- the model ------------------------------------------------------------ */

/* 1 if the post holds the query word w (in its title only, when title):
 * its folded form, or one of its stems in the query's analysis language;
 * hi: a long stem also matches the stems it starts. */
static int has(const post *p, const char *w, int title, int hi)
{
    txt_options opt = {qlang, TXT_LANG_NONE, 1};
    txt_result r;
    ck_assert_int_eq(txt_analyse(an, w, strlen(w), &opt, 1, &r), TXT_OK);
    ck_assert_uint_eq(r.ntokens, 1);
    const txt_token *q = &r.tokens[0];
    for (size_t k = 0; k < p->ntoks; k++) {
        const ptok *t = &p->toks[k];
        if (title && !t->title)
            continue;
        if (strlen(t->word) == q->len && !memcmp(t->word, q->word, q->len))
            return 1;
        for (unsigned i = 0; i < q->nstems; i++) {
            const txt_stem *s = &q->stems[i];
            if (s->stop)
                continue;
            for (unsigned j = 0; j < t->nstems; j++) {
                if (t->slang[j] != s->lang)
                    continue;
                size_t tl = strlen(t->stem[j]);
                if (tl == s->len && !memcmp(t->stem[j], s->term, s->len))
                    return 1;
                if (hi && s->len >= LONG_STEM && tl > s->len && !memcmp(t->stem[j], s->term, s->len))
                    return 1;
            }
        }
    }
    return 0;
}

/* 1 if the post has the folded words a then b at consecutive positions. */
static int phrase(const post *p, const char *a, const char *b, int title)
{
    for (size_t i = 0; i < p->ntoks; i++) {
        if (strcmp(p->toks[i].word, a) || (title && !p->toks[i].title))
            continue;
        for (size_t j = 0; j < p->ntoks; j++)
            if (p->toks[j].pos == p->toks[i].pos + 1 && !strcmp(p->toks[j].word, b))
                return 1;
    }
    return 0;
}

static int in_list(char *const *list, size_t n, const char *v)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i], v))
            return 1;
    return 0;
}

/* The texts, each with its model: hi chooses the upper bound (a negated
 * part takes the other bound). */
typedef int (*model_fn)(const post *p, int hi);
static int t_permis(const post *p, int hi) { return has(p, "permis", 0, hi); }
static int t_phrase(const post *p, int hi) { (void)hi; return phrase(p, "permis", "restrictif", 0); }
static int t_or(const post *p, int hi) { return has(p, "permis", 0, hi) || has(p, "examen", 0, hi); }
static int t_and(const post *p, int hi)
{
    return has(p, "permis", 0, hi) && has(p, "restrictif", 0, hi);
}
static int t_not(const post *p, int hi)
{
    return has(p, "permis", 0, hi) && !has(p, "restrictif", 0, !hi);
}
static int t_group(const post *p, int hi)
{
    return (has(p, "permis", 0, hi) || has(p, "examen", 0, hi)) && has(p, "residency", 0, hi);
}

static const struct {
    const char *q;
    model_fn m;
} texts[] = {
    {"permis", t_permis},
    {"\"permis restrictif\"", t_phrase},
    {"permis OR examen", t_or},
    {"permis OU examen", t_or},
    {"permis examen", t_or},
    {"permis AND restrictif", t_and},
    {"permis ET restrictif", t_and},
    {"permis NOT restrictif", t_not},
    {"permis SAUF restrictif", t_not},
    {"permis -restrictif", t_not},
    {"+permis examen", t_permis},
    {"(permis OR examen) AND residency", t_group},
};

/* The fields, each with its model and a second value of the same field. */
typedef int (*field_fn)(const post *p, int hi);
static int f_fr(const post *p, int hi) { (void)hi; return (p->langs >> TXT_LANG_FR) & 1; }
static int f_en(const post *p, int hi) { (void)hi; return (p->langs >> TXT_LANG_EN) & 1; }
static int f_licensing(const post *p, int hi) { (void)hi; return in_list(p->cats, p->ncats, "licensing"); }
static int f_exams(const post *p, int hi) { (void)hi; return in_list(p->cats, p->ncats, "exams"); }
static int f_residence(const post *p, int hi) { (void)hi; return in_list(p->cats, p->ncats, "residence"); }
static int f_cmq(const post *p, int hi) { (void)hi; return in_list(p->tags, p->ntags, "cmq"); }
static int f_permis_tag(const post *p, int hi) { (void)hi; return in_list(p->tags, p->ntags, "permis restrictif"); }
static int f_nadia(const post *p, int hi) { (void)hi; return !strcmp(p->author, "nadia b"); }
static int f_carole(const post *p, int hi) { (void)hi; return !strcmp(p->author, "carole l"); }
static int f_2019(const post *p, int hi) { (void)hi; return !strncmp(p->date, "2019", 4); }
static int f_2018(const post *p, int hi) { (void)hi; return !strncmp(p->date, "2018", 4); }
static int f_since(const post *p, int hi) { (void)hi; return p->date[0] && strcmp(p->date, "20180101") >= 0; }
static int f_until(const post *p, int hi) { (void)hi; return p->date[0] && strcmp(p->date, "20190630") <= 0; }
static int f_month(const post *p, int hi) { (void)hi; return !strncmp(p->date, "201802", 6); }
static int f_day(const post *p, int hi) { (void)hi; return !strcmp(p->date, "20190304"); }
static int f_t_permis(const post *p, int hi) { return has(p, "permis", 1, hi); }
static int f_t_residency(const post *p, int hi) { return has(p, "residency", 1, hi); }
static int f_t_phrase(const post *p, int hi) { (void)hi; return phrase(p, "permis", "restrictif", 1); }

static const struct {
    const char *q;
    field_fn m;
    txt_lang lang;    /* the language the field sets for the words */
    const char *alt;  /* another value of the same field */
    field_fn alt_m;
    char kind;        /* the field, whatever its name */
} fields[] = {
    {"lang:fr", f_fr, TXT_LANG_FR, "lang:en", f_en, 'l'},
    {"langue:en", f_en, TXT_LANG_EN, "lang:fr", f_fr, 'l'},
    {"category:Licensing", f_licensing, 0, "category:Exams", f_exams, 'c'},
    {"categorie:Résidence", f_residence, 0, "category:exams", f_exams, 'c'},
    {"tag:CMQ", f_cmq, 0, "tag:\"permis restrictif\"", f_permis_tag, 't'},
    {"author:\"Nadia B.\"", f_nadia, 0, "auteur:\"carole l\"", f_carole, 'a'},
    {"date:2019", f_2019, 0, "date:2018", f_2018, 'd'},
    {"date:2018..", f_since, 0, "date:2019", f_2019, 'd'},
    {"date:..2019-06", f_until, 0, "date:2018-02", f_month, 'd'},
    {"date:2018-02", f_month, 0, "date:2019-03-04", f_day, 'd'},
    {"title:permis", f_t_permis, 0, NULL, NULL, 'T'},
    {"titre:residency", f_t_residency, 0, NULL, NULL, 'T'},
    {"title:\"permis restrictif\"", f_t_phrase, 0, NULL, NULL, 'T'},
};

/* The ways a field and a text are written together, and what they mean
 * (doc/QUERY.md, "Fields"). */
enum { W_BEFORE, W_AFTER, W_AND, W_PARENS, W_NOT, W_EXCLUDED, W_OR, W_SAME_FIELD, W_TWO_FIELDS, W_COUNT };

static int expected(int way, size_t f, size_t t, size_t f2, const post *p, int hi)
{
    int fm = fields[f].m(p, hi), tm = texts[t].m(p, hi);
    switch (way) {
    case W_NOT:
    case W_EXCLUDED:
        return tm && !fields[f].m(p, !hi);
    case W_OR:
        return fm || has(p, "permis", 0, hi);
    case W_SAME_FIELD:
        return (fm || fields[f].alt_m(p, hi)) && tm;
    case W_TWO_FIELDS:
        return fm && fields[f2].m(p, hi) && tm;
    default:
        return fm && tm;
    }
}

static int write_query(int way, size_t f, size_t t, size_t f2, char *q, size_t cap)
{
    const char *F = fields[f].q, *T = texts[t].q;
    switch (way) {
    case W_BEFORE: return snprintf(q, cap, "%s %s", F, T);
    case W_AFTER: return snprintf(q, cap, "%s %s", T, F);
    case W_AND: return snprintf(q, cap, "%s AND (%s)", F, T);
    case W_PARENS: return snprintf(q, cap, "(%s %s)", F, T);
    case W_NOT: return snprintf(q, cap, "(%s) NOT %s", T, F);
    case W_EXCLUDED: return snprintf(q, cap, "-%s %s", F, T);
    case W_OR: return snprintf(q, cap, "%s OR permis", F);
    case W_SAME_FIELD:
        return fields[f].alt ? snprintf(q, cap, "%s %s %s", F, fields[f].alt, T) : 0;
    case W_TWO_FIELDS:
        return fields[f2].kind != fields[f].kind ? snprintf(q, cap, "%s %s %s", F, T, fields[f2].q)
                                                 : 0;
    }
    return 0;
}

/* The analysis language of q as the engine chooses it: a lang: field that
 * is not excluded, else a query of four words or more in the language
 * told from its text, else both. */
static txt_lang query_lang(int way, size_t f, size_t f2, const char *q)
{
    if (way == W_SAME_FIELD && fields[f].lang)
        return TXT_LANG_NONE; /* lang:fr lang:en: both */
    if (way != W_NOT && way != W_EXCLUDED && fields[f].lang)
        return fields[f].lang;
    if (way == W_TWO_FIELDS && fields[f2].lang)
        return fields[f2].lang;
    size_t words = 0;
    for (const char *c = q; *c; c++)
        if (*c != ' ' && (c == q || c[-1] == ' '))
            words++;
    return words >= 4 ? txt_detect_lang(q, strlen(q), TXT_LANG_NONE) : TXT_LANG_NONE;
}

START_TEST(fields_restrict)
{
    size_t checked = 0, exact = 0, nonempty = 0;
    for (int way = 0; way < W_COUNT; way++)
        for (size_t f = 0; f < sizeof fields / sizeof *fields; f++)
            for (size_t t = 0; t < sizeof texts / sizeof *texts; t++) {
                if (way == W_OR && t > 0)
                    continue; /* the text is fixed: "F OR permis" */
                size_t f2 = (f + 3) % (sizeof fields / sizeof *fields);
                char q[256];
                if (write_query(way, f, t, f2, q, sizeof q) <= 0)
                    continue;
                qlang = query_lang(way, f, f2, q);
                srch_request r;
                srch_request_init(&r);
                r.q = q;
                r.limit = 100;
                r.snippet_words = 0;
                json_t *ans = NULL;
                ck_assert_int_eq(srch_search(eng, &r, &ans), SRCH_OK);
                json_t *hits = json_object_get(ans, "hits");
                ck_assert_msg(json_integer_value(json_object_get(ans, "total")) ==
                                  (json_int_t)json_array_size(hits),
                              "[%s]: total %lld, %zu hits", q,
                              (long long)json_integer_value(json_object_get(ans, "total")),
                              json_array_size(hits));
                ck_assert(json_is_true(json_object_get(ans, "total_exact")));
                int got[MAX_POSTS] = {0};
                size_t i;
                json_t *h;
                json_array_foreach(hits, i, h)
                {
                    const char *id = json_string_value(json_object_get(h, "id"));
                    size_t k = 0;
                    while (k < nposts && strcmp(posts[k].id, id))
                        k++;
                    ck_assert_uint_lt(k, nposts);
                    ck_assert_msg(!got[k], "[%s]: %s twice", q, id);
                    got[k] = 1;
                }
                int same = 1;
                for (size_t k = 0; k < nposts; k++) {
                    int lo = expected(way, f, t, f2, &posts[k], 0);
                    int hi = expected(way, f, t, f2, &posts[k], 1);
                    ck_assert_msg(!got[k] || hi, "[%s]: %s is a hit, but does not hold the query",
                                  q, posts[k].id);
                    ck_assert_msg(got[k] || !lo, "[%s]: %s holds the query, but is no hit", q,
                                  posts[k].id);
                    same &= lo == hi;
                }
                checked++;
                exact += same;
                nonempty += json_array_size(hits) > 0;
                json_decref(ans);
            }
    printf("%zu queries: %zu with an exact model, %zu with hits\n", checked, exact, nonempty);
    /* the model is exact for most queries, and most have hits */
    ck_assert_uint_ge(checked, 400);
    ck_assert_uint_ge(exact, checked * 3 / 4);
    ck_assert_uint_ge(nonempty, checked / 2);
}
END_TEST

/* The counts of the README's example, and of the issue's: each hit holds
 * the words. */
START_TEST(fields_examples)
{
    static const struct {
        const char *q;
        int total;
    } ex[] = {{"\"médecine familiale\"", 4}, {"\"médecine familiale\" lang:fr", 4},
              {"lang:fr \"médecine familiale\"", 4}, {"permis", 9}, {"lang:fr permis", 7}};
    for (size_t i = 0; i < sizeof ex / sizeof *ex; i++) {
        srch_request r;
        srch_request_init(&r);
        r.q = ex[i].q;
        r.limit = 100;
        json_t *ans = NULL;
        ck_assert_int_eq(srch_search(eng, &r, &ans), SRCH_OK);
        ck_assert_msg(json_integer_value(json_object_get(ans, "total")) == ex[i].total,
                      "[%s]: total %lld, not %d", ex[i].q,
                      (long long)json_integer_value(json_object_get(ans, "total")), ex[i].total);
        ck_assert_uint_eq(json_array_size(json_object_get(ans, "hits")), (size_t)ex[i].total);
        json_decref(ans);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fields");
    TCase *tc = tcase_create("sample");
    tcase_add_unchecked_fixture(tc, build_db, unbuild_db);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, fields_restrict);
    tcase_add_test(tc, fields_examples);
    suite_add_tcase(s, tc);
    return th_run_suite(s, 1);
}
