/* test-ranking.c: ranking rules checked on what the hits say. The real
 * indexer builds the project's sample archive (index/sample) with the
 * project's glossary (conf/synonyms.txt), as `make run` does; then the
 * search library is asked, with no language, as a search box asks:
 * - a post whose title holds the query's word ranks above the posts that
 *   only mention it in their body (issue 13: `l'équivalence` ranked the
 *   post titled "Qu'est-ce que l'équivalence du diplôme..." 4th, behind
 *   posts that only name its glossary synonyms);
 * - the posts that hold the word typed rank above those found through a
 *   glossary synonym only.
 * Titles and bodies are read back from the database (srch_doc) and
 * compared after the analyser's normalisation (case, accents, apostrophes). */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/testhelp.h"
#include "search/search.h"
#include "text/text.h"

static char *tmp, *dbdir;
static srch_engine *eng;
static int have_glossary;

static void build_db(void)
{
    const char *top = getenv("top_builddir");
    char cmd[4096], text[2048];
    tmp = th_tmpdir("ranking");
    ck_assert_ptr_nonnull(tmp);
    dbdir = th_path(tmp, "db");
    char *conf = th_path(tmp, "test.conf");
    char *gl = th_path(th_srcdir(), "conf/synonyms.txt");
    FILE *g = fopen(gl, "r");
    have_glossary = g != NULL;
    if (g)
        fclose(g);
    snprintf(text, sizeof text, "[index]\nglossary = %s\n", gl);
    th_write_file(conf, have_glossary ? text : "", have_glossary ? strlen(text) : 0);
    snprintf(cmd, sizeof cmd,
             "'%s/src/socasma-index' --quiet --config '%s' --db '%s' "
             "'%s/index/sample/sample.jsonl' >/dev/null",
             top ? top : ".", conf, dbdir, th_srcdir());
    ck_assert_int_eq(system(cmd), 0);
    free(conf);
    free(gl);
    ck_assert_int_eq(srch_engine_new(dbdir, NULL, &eng), SRCH_OK);
}

static void unbuild_db(void)
{
    srch_engine_free(eng);
    th_rmtree(tmp);
    free(tmp);
    free(dbdir);
}

static json_t *search(const char *q)
{
    srch_request r;
    json_t *ans = NULL;
    srch_request_init(&r);
    r.q = q;
    r.limit = 50;
    ck_assert_msg(srch_search(eng, &r, &ans) == SRCH_OK, "search [%s]: %s", q, srch_errmsg(eng));
    return ans;
}

static const char *hit_id(json_t *ans, size_t i)
{
    return json_string_value(json_object_get(json_array_get(json_object_get(ans, "hits"), i), "id"));
}

static size_t nhits(json_t *ans)
{
    return json_array_size(json_object_get(ans, "hits"));
}

/* 1 if the normalised text holds the normalised word as a whole word. */
static int holds(const char *text, const char *word)
{
    char *t = NULL, *w = NULL;
    ck_assert_int_eq(txt_normalise(text, strlen(text), &t), TXT_OK);
    ck_assert_int_eq(txt_normalise(word, strlen(word), &w), TXT_OK);
    size_t wl = strlen(w);
    int found = 0;
    for (const char *s = strstr(t, w); s && !found; s = strstr(s + 1, w))
        found = (s == t || s[-1] == ' ') && (s[wl] == ' ' || s[wl] == '\0');
    free(t);
    free(w);
    return found;
}

/* Where the post id holds word: 2 in its title, 1 in its body only, 0 in
 * neither (found through another form or a synonym). */
static int where(const char *id, const char *word)
{
    json_t *d = NULL;
    ck_assert_int_eq(srch_doc(eng, id, &d), SRCH_OK);
    json_t *doc = json_object_get(d, "doc");
    const char *title = json_string_value(json_object_get(doc, "title"));
    const char *body = json_string_value(json_object_get(doc, "body"));
    int w = holds(title ? title : "", word) ? 2 : holds(body ? body : "", word) ? 1 : 0;
    json_decref(d);
    return w;
}

/* The hits of q, in order, as where() of word says: every post that holds
 * the word in its title first, then those with the word in their body,
 * then the others. Returns how many hold it in their title. */
static int expect_title_body_rest(const char *q, const char *word)
{
    json_t *a = search(q);
    ck_assert_msg(nhits(a) > 0, "[%s]: no hits", q);
    int prev = 2, titles = 0;
    for (size_t i = 0; i < nhits(a); i++) {
        int w = where(hit_id(a, i), word);
        ck_assert_msg(w <= prev, "[%s]: hit %zu (%s) holds \"%s\" in its %s, after a post that %s",
                      q, i + 1, hit_id(a, i), word, w == 2 ? "title" : "body",
                      prev == 1 ? "holds it in its body only" : "does not hold it at all");
        titles += w == 2;
        prev = w;
    }
    json_decref(a);
    return titles;
}

START_TEST(titles_first)
{
    /* The case, typed four ways: the post titled with the word first. */
    const char *eq[] = {"l'équivalence", "l’equivalence", "équivalence", "L’ÉQUIVALENCE"};
    for (size_t i = 0; i < 4; i++) {
        json_t *a = search(eq[i]);
        ck_assert_msg(nhits(a) > 3 && !strcmp(hit_id(a, 0), "sample-004"),
                      "[%s]: first hit %s, expected sample-004 (équivalence in its title)", eq[i],
                      nhits(a) ? hit_id(a, 0) : "none");
        json_decref(a);
        ck_assert_int_eq(expect_title_body_rest(eq[i], "équivalence"), 1);
    }
    /* Words in two titles each (and glossary keys): both titles first. */
    ck_assert_int_eq(expect_title_body_rest("DHCEU", "DHCEU"), 2);
    ck_assert_int_eq(expect_title_body_rest("CaRMS", "CaRMS"), 2);
    ck_assert_int_eq(expect_title_body_rest("MCCQE", "MCCQE"), 2);
    ck_assert_int_eq(expect_title_body_rest("OQLF", "OQLF"), 2);
    ck_assert_int_eq(expect_title_body_rest("jumelage", "jumelage"), 1);
}
END_TEST

START_TEST(typed_word_before_synonyms)
{
    if (!have_glossary)
        return; /* the sample is indexed without a glossary */
    /* DHCEU has nine glossary synonyms (IMG, international medical
     * graduates, ...): the posts that say DHCEU come first, and a post
     * naming several synonyms does not pass them. */
    json_t *a = search("DHCEU");
    size_t n = nhits(a), with = 0, without = 0;
    int seen_without = 0;
    for (size_t i = 0; i < n; i++) {
        int w = where(hit_id(a, i), "DHCEU") > 0;
        ck_assert_msg(!(w && seen_without), "[DHCEU]: %s holds the word but ranks %zu, after a post "
                      "found through a synonym only", hit_id(a, i), i + 1);
        seen_without |= !w;
        with += w;
        without += !w;
    }
    /* both kinds are there: the synonyms did find more posts */
    ck_assert_uint_gt(with, 2);
    ck_assert_uint_gt(without, 2);
    json_decref(a);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ranking");
    TCase *tc = tcase_create("sample");
    tcase_add_unchecked_fixture(tc, build_db, unbuild_db);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, titles_first);
    tcase_add_test(tc, typed_word_before_synonyms);
    suite_add_tcase(s, tc);
    return th_run_suite(s, 1);
}
