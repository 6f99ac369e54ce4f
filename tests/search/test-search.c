/* test-search.c: the search engine (src/search) on a real database built by
 * the real indexer from the project's sample archive (index/sample), in
 * both languages: word analysis, every construct of the query language,
 * malformed queries, snippets and their escaping, facets, pagination,
 * spelling, completion, doc, stats, freshness and an absent database, and
 * the ranking rules for questions. */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/testhelp.h"
#include "search/search.h"
#include "search/search-internal.h"
#include "store/schema.h"

static char *tmp, *dbdir;
static srch_engine *eng;

/* Builds the database once for the whole suite. */
static void build_db(void)
{
    const char *top = getenv("top_builddir");
    char cmd[4096];
    tmp = th_tmpdir("search");
    ck_assert_ptr_nonnull(tmp);
    dbdir = th_path(tmp, "db");
    char *conf = th_path(tmp, "test.conf");
    char text[2048];
    snprintf(text, sizeof text, "[index]\nglossary = %s/conf/synonyms.txt\n", th_srcdir());
    char *gl = th_path(th_srcdir(), "conf/synonyms.txt");
    FILE *g = fopen(gl, "r");
    if (g)
        fclose(g);
    th_write_file(conf, g ? text : "", g ? strlen(text) : 0);
    snprintf(cmd, sizeof cmd, "'%s/src/socasma-index' --quiet --config '%s' --db '%s' '%s/index/sample/sample.jsonl' >/dev/null",
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

/* Runs q (optionally with a language) and returns the answer's page. */
static json_t *search_page(const char *q, const char *lang, uint32_t offset, uint32_t limit)
{
    srch_request r;
    json_t *ans = NULL;
    srch_request_init(&r);
    r.q = q;
    r.lang = lang;
    r.offset = offset;
    r.limit = limit;
    int rc = srch_search(eng, &r, &ans);
    ck_assert_msg(rc == SRCH_OK, "search [%s] failed: %s", q, srch_errmsg(eng));
    ck_assert_ptr_nonnull(ans);
    return ans;
}

static json_t *search(const char *q, const char *lang, uint32_t limit)
{
    return search_page(q, lang, 0, limit);
}

static const char *hit_id(json_t *ans, size_t i)
{
    return json_string_value(json_object_get(json_array_get(json_object_get(ans, "hits"), i), "id"));
}

static size_t nhits(json_t *ans)
{
    return json_array_size(json_object_get(ans, "hits"));
}

/* Rank of id among the hits (0-based), or -1. */
static int rank_of(json_t *ans, const char *id)
{
    for (size_t i = 0; i < nhits(ans); i++)
        if (!strcmp(hit_id(ans, i), id))
            return (int)i;
    return -1;
}

static void expect_in_top(const char *q, const char *id, int top)
{
    json_t *a = search(q, NULL, 20);
    int r = rank_of(a, id);
    ck_assert_msg(r >= 0 && r < top, "[%s]: %s at rank %d, expected in the top %d", q, id, r, top);
    json_decref(a);
}

static void expect_absent(const char *q, const char *id)
{
    json_t *a = search(q, NULL, 100);
    ck_assert_msg(rank_of(a, id) < 0, "[%s]: %s should not be found", q, id);
    json_decref(a);
}

START_TEST(words_both_languages)
{
    /* medecin, MÉDECINS, Médecins, médecins: the French posts on doctors. */
    const char *forms[] = {"medecin", "MÉDECINS", "Médecins", "médecins", "médecin"};
    for (size_t i = 0; i < 5; i++)
        expect_in_top(forms[i], "sample-017", 20);
    /* l'équivalence with either apostrophe and without article or accents */
    const char *eq[] = {"l'équivalence", "l’equivalence", "equivalence", "ÉQUIVALENCE"};
    for (size_t i = 0; i < 4; i++)
        expect_in_top(eq[i], "sample-004", 5);
    expect_in_top("residencies", "sample-011", 10);
    expect_in_top("DHCEU", "sample-002", 5);
    expect_in_top("dhceu", "sample-031", 5);
    expect_in_top("post-doctoral", "sample-011", 3);
    expect_in_top("postdoctoral", "sample-011", 5);
    expect_in_top("postdoctorales", "sample-021", 3);
    expect_in_top("family medicine residency", "sample-013", 2);
    expect_in_top("médecine familiale", "sample-014", 2);
    expect_in_top("Quebec", "sample-022", 10);
    expect_in_top("permis restrictif", "sample-003", 3);
}
END_TEST

START_TEST(title_weighted)
{
    /* "OQLF" is in the titles of 022 and 023: both come first. */
    json_t *a = search("oqlf exam", NULL, 10);
    ck_assert_str_eq(hit_id(a, 0), "sample-022");
    json_decref(a);
}
END_TEST

START_TEST(phrases_and_operators)
{
    expect_in_top("\"médecine familiale\"", "sample-014", 2);
    expect_absent("\"familiale médecine\"", "sample-014");
    expect_in_top("\"permis restrictif\"", "sample-012", 5);
    /* +required, -excluded */
    json_t *a = search("+covid permis", NULL, 50);
    for (size_t i = 0; i < nhits(a); i++) {
        const char *id = hit_id(a, i);
        ck_assert_msg(!strcmp(id, "sample-006") || !strcmp(id, "sample-007") ||
                          !strcmp(id, "sample-008") || !strcmp(id, "sample-016"),
                      "+covid gave %s", id);
    }
    ck_assert_int_gt(nhits(a), 0);
    json_decref(a);
    expect_absent("permis -restrictif", "sample-003");
    expect_in_top("permis -restrictif", "sample-017", 10);
    expect_absent("permis NOT restrictif", "sample-003");
    expect_absent("permis SAUF restrictif", "sample-003");
    expect_in_top("residency AND carms", "sample-030", 5);
    expect_in_top("résidence ET jumelage", "sample-002", 2);
    expect_absent("residency AND carms", "sample-014");
    expect_in_top("oqlf OR eacmc", "sample-027", 10);
    expect_in_top("oqlf OU eacmc", "sample-023", 10);
    expect_in_top("(oqlf OR eacmc) AND examen", "sample-023", 5);
    /* lower-case et/ou are words, not operators: no failure, results */
    a = search("permis et restrictif ou temporaire", NULL, 10);
    ck_assert_int_gt(nhits(a), 0);
    json_decref(a);
}
END_TEST

START_TEST(fields)
{
    json_t *a = search("title:residency", NULL, 50);
    ck_assert_int_gt(nhits(a), 0);
    ck_assert_int_lt(rank_of(a, "sample-018"), 0); /* residency only in its body? */
    json_decref(a);
    a = search("author:\"Nadia B.\"", NULL, 50);
    ck_assert_int_ge(nhits(a), 3);
    for (size_t i = 0; i < nhits(a); i++)
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(a, "hits"), i), "author")), "Nadia B.");
    json_decref(a);
    a = search("category:covid", NULL, 50);
    ck_assert_int_eq(nhits(a), 3);
    /* filters only: newest first */
    ck_assert_str_eq(hit_id(a, 0), "sample-007");
    json_decref(a);
    a = search("lang:fr permis", NULL, 50);
    ck_assert_int_gt(nhits(a), 0);
    for (size_t i = 0; i < nhits(a); i++) {
        const char *l = json_string_value(json_object_get(json_array_get(json_object_get(a, "hits"), i), "lang"));
        ck_assert_msg(!strcmp(l, "fr") || !strcmp(l, "mixed"), "lang %s", l);
    }
    json_decref(a);
    a = search("date:2020", NULL, 50);
    ck_assert_int_eq(nhits(a), 3);
    json_decref(a);
    a = search("date:2020-03", NULL, 50);
    ck_assert_int_eq(nhits(a), 2);
    json_decref(a);
    a = search("date:2021-01-01..2021-12-31 exam", NULL, 50);
    for (size_t i = 0; i < nhits(a); i++) {
        const char *d = json_string_value(json_object_get(json_array_get(json_object_get(a, "hits"), i), "date"));
        ck_assert_msg(!strncmp(d, "2021", 4), "date %s", d);
    }
    json_decref(a);
    a = search("tag:jumelage", NULL, 50);
    ck_assert_int_eq(nhits(a), 2);
    ck_assert_str_eq(hit_id(a, 0), "sample-029"); /* newest first */
    json_decref(a);
    expect_absent("residency -category:residency", "sample-013");
}
END_TEST

START_TEST(wildcard)
{
    expect_in_top("résid*", "sample-029", 20);
    json_t *a = search("resid*", NULL, 50);
    ck_assert_int_ge(nhits(a), 8);
    json_decref(a);
    /* too short: literal, no failure */
    a = search("re*", NULL, 10);
    json_decref(a);
}
END_TEST

START_TEST(malformed_never_fail)
{
    static const char *qs[] = {"\"unbalanced", "(permis", "permis)", "((a)", "-", "+", "- -",
                               "*", "**", "AND", "OR NOT", "permis AND", "NOT", "()", "\"\"",
                               "title:", "date:", "date:abcd", "date:2020-13", "date:..",
                               "author:", "lang:xx permis", ":::", "\xff\xfe\xc3", "a\xc3(b",
                               "!!!???...", "", "   ", "the", "le la les de", "the of and"};
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        json_t *a = search(qs[i], NULL, 10);
        json_decref(a);
    }
    char *big = malloc(10001);
    for (int i = 0; i < 10000; i++)
        big[i] = "permis (\"-*) "[i % 13];
    big[10000] = '\0';
    json_t *a = search(big, NULL, 10);
    json_decref(a);
    free(big);
    /* unbalanced quote: plain words */
    a = search("\"permis restrictif", NULL, 10);
    ck_assert_int_gt(nhits(a), 0);
    json_decref(a);
    /* only stopwords: searched anyway */
    a = search("the", NULL, 10);
    ck_assert_int_gt(nhits(a), 0);
    json_decref(a);
    /* only punctuation: a sensible empty answer */
    a = search("!!!", NULL, 10);
    ck_assert_int_eq(nhits(a), 0);
    ck_assert(json_is_true(json_object_get(a, "ok")));
    json_decref(a);
}
END_TEST

START_TEST(snippets)
{
    json_t *a = search("script alert", NULL, 5);
    ck_assert_str_eq(hit_id(a, 0), "sample-015");
    json_t *h = json_array_get(json_object_get(a, "hits"), 0);
    const char *sn = json_string_value(json_object_get(h, "snippet"));
    ck_assert_ptr_nonnull(strstr(sn, "<mark>script</mark>"));
    ck_assert_ptr_nonnull(strstr(sn, "&lt;"));
    ck_assert_ptr_nonnull(strstr(sn, "&amp;"));
    ck_assert_ptr_nonnull(strstr(sn, "&quot;"));
    /* No markup except <mark>: every '<' opens <mark> or </mark>. */
    for (const char *p = strchr(sn, '<'); p; p = strchr(p + 1, '<'))
        ck_assert_msg(!strncmp(p, "<mark>", 6) || !strncmp(p, "</mark>", 7), "markup in %s", sn);
    ck_assert_ptr_null(strchr(sn, '"'));
    json_decref(a);
    /* accents and stems light up: medecin -> médecins */
    a = search("medecin", "fr", 10);
    int found = 0;
    for (size_t i = 0; i < nhits(a); i++) {
        const char *s = json_string_value(json_object_get(json_array_get(json_object_get(a, "hits"), i), "snippet"));
        if (strstr(s, "<mark>médecins</mark>") || strstr(s, "<mark>médecin</mark>"))
            found = 1;
    }
    ck_assert(found);
    json_decref(a);
    /* about 30 words */
    a = search("residency", NULL, 1);
    sn = json_string_value(json_object_get(json_array_get(json_object_get(a, "hits"), 0), "snippet"));
    int words = 1;
    for (const char *p = sn; *p; p++)
        if (*p == ' ')
            words++;
    ck_assert_int_le(words, 40);
    ck_assert_int_ge(words, 10);
    json_decref(a);
}
END_TEST

/* Titles are highlighted like snippets (title_html), and a hit found
 * through a stem, an accent, an elision or the glossary shows its match:
 * no hit of these queries is without a <mark>, in its snippet or its
 * title. */
static int marked(json_t *hit)
{
    const char *sn = json_string_value(json_object_get(hit, "snippet"));
    const char *th = json_string_value(json_object_get(hit, "title_html"));
    ck_assert_ptr_nonnull(th);
    return strstr(sn, "<mark>") || strstr(th, "<mark>");
}

START_TEST(highlights)
{
    json_t *a = search("script alert", NULL, 5);
    json_t *h = json_array_get(json_object_get(a, "hits"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(h, "title")),
                     "Alerte: <script>alert(1)</script> & \"quotes\" in a title");
    ck_assert_str_eq(json_string_value(json_object_get(h, "title_html")),
                     "<mark>Alerte</mark>: &lt;<mark>script</mark>&gt;<mark>alert</mark>(1)&lt;/"
                     "<mark>script</mark>&gt; &amp; &quot;quotes&quot; in a title");
    json_decref(a);
    /* accents, case, elision, stems in the title */
    a = search("l\xe2\x80\x99" "equivalence", NULL, 50);
    ck_assert_int_ge(rank_of(a, "sample-004"), 0);
    h = json_array_get(json_object_get(a, "hits"), (size_t)rank_of(a, "sample-004"));
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(h, "title_html")),
                                 "l\xe2\x80\x99<mark>\xc3\xa9quivalence</mark>"));
    json_decref(a);
    /* an English post found through the glossary for "medecin" (physician,
     * doctor) shows the synonym it holds */
    a = search("medecin", NULL, 50);
    int r = rank_of(a, "sample-028");
    ck_assert_int_ge(r, 0);
    h = json_array_get(json_object_get(a, "hits"), (size_t)r);
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(h, "snippet")), "<mark>physician</mark>"));
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(h, "title_html")), "<mark>physicians</mark>"));
    json_decref(a);
    /* the words typed pick the snippet's window before their synonyms */
    a = search("medecin", NULL, 50);
    h = json_array_get(json_object_get(a, "hits"), (size_t)rank_of(a, "sample-011"));
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(h, "snippet")), "<mark>m\xc3\xa9" "decins</mark>"));
    json_decref(a);
    const char *qs[] = {"medecin", "IMG", "DHCEU", "l'equivalence", "family medicine", "residency",
                        "médecins", "MEDECINE FAMILIALE", "permis d'exercice", "residencies",
                        "postdoctoral", "post-doctoral", "résid*", "CMQ", "physician", "exams",
                        "category:Licensing permis", "Que demandent les vice-doyens ?",
                        "Where do Canadians study medicne abroad?"};
    for (size_t i = 0; i < sizeof qs / sizeof *qs; i++) {
        a = search(qs[i], NULL, 50);
        ck_assert_msg(nhits(a) > 0, "[%s] no hits", qs[i]);
        for (size_t k = 0; k < nhits(a); k++)
            ck_assert_msg(marked(json_array_get(json_object_get(a, "hits"), k)),
                          "[%s] %s: no <mark> in its snippet or title", qs[i], hit_id(a, k));
        json_decref(a);
    }
    /* a listing by date has its titles, escaped, unmarked */
    a = search("category:General", NULL, 50);
    for (size_t k = 0; k < nhits(a); k++) {
        h = json_array_get(json_object_get(a, "hits"), k);
        ck_assert_ptr_null(strstr(json_string_value(json_object_get(h, "title_html")), "<mark>"));
        ck_assert_ptr_null(strchr(json_string_value(json_object_get(h, "title_html")), '<'));
    }
    json_decref(a);
}
END_TEST

START_TEST(facets_and_pages)
{
    srch_request r;
    json_t *a = NULL;
    srch_request_init(&r);
    r.q = "residency OR résidence";
    r.facets = 1;
    r.limit = 2;
    ck_assert_int_eq(srch_search(eng, &r, &a), SRCH_OK);
    json_t *f = json_object_get(a, "facets");
    ck_assert(json_is_object(json_object_get(f, "category")));
    ck_assert_int_gt(json_integer_value(json_object_get(json_object_get(f, "lang"), "en")), 0);
    ck_assert_int_gt(json_integer_value(json_object_get(json_object_get(f, "lang"), "fr")), 0);
    ck_assert_int_gt(json_integer_value(json_object_get(json_object_get(f, "category"), "Residency")), 0);
    ck_assert_int_gt(json_integer_value(json_object_get(json_object_get(f, "year"), "2019")), 0);
    /* facet counts cover the whole match, not the page */
    long long total = json_integer_value(json_object_get(a, "total"));
    ck_assert_int_gt(total, 2);
    json_decref(a);

    /* pagination: pages of 3 are slices of one page of 9 */
    r.facets = 0;
    r.limit = 9;
    r.offset = 0;
    r.q = "médecine residency permis";
    json_t *all = NULL;
    ck_assert_int_eq(srch_search(eng, &r, &all), SRCH_OK);
    for (uint32_t off = 0; off < 9; off += 3) {
        json_t *pg = NULL;
        r.limit = 3;
        r.offset = off;
        ck_assert_int_eq(srch_search(eng, &r, &pg), SRCH_OK);
        for (size_t i = 0; i < nhits(pg); i++)
            ck_assert_str_eq(hit_id(pg, i), hit_id(all, off + i));
        json_decref(pg);
    }
    json_decref(all);

    /* request filters and sort by date */
    srch_request_init(&r);
    r.q = "";
    r.categories[0] = "Exams";
    r.since = "2020";
    ck_assert_int_eq(srch_search(eng, &r, &a), SRCH_OK);
    ck_assert_int_eq(nhits(a), 4);
    ck_assert_str_eq(hit_id(a, 0), "sample-027");
    json_decref(a);
    srch_request_init(&r);
    r.q = "permis";
    r.sort = SRCH_SORT_DATE;
    ck_assert_int_eq(srch_search(eng, &r, &a), SRCH_OK);
    const char *prev = "9999";
    for (size_t i = 0; i < nhits(a); i++) {
        const char *d = json_string_value(json_object_get(json_array_get(json_object_get(a, "hits"), i), "date"));
        ck_assert_msg(strcmp(d, prev) <= 0, "%s after %s", d, prev);
        prev = d;
    }
    json_decref(a);
}
END_TEST

/* total counts every match, whatever the page: the same for every offset
 * and limit, and exact (the number of hits of a page that holds them all)
 * up to exact_total; the facet counts add up to it. Above exact_total it is
 * an estimate, flagged, and still the same on every page. */
static json_t *search_req(const char *q, uint32_t offset, uint32_t limit, int facets)
{
    srch_request r;
    json_t *ans = NULL;
    srch_request_init(&r);
    r.q = q;
    r.offset = offset;
    r.limit = limit;
    r.facets = facets;
    r.snippet_words = 0;
    ck_assert_int_eq(srch_search(eng, &r, &ans), SRCH_OK);
    return ans;
}

START_TEST(total_exact)
{
    const char *qs[] = {"\"médecine familiale\"", "permis", "residency", "médecine residency permis",
                        "how do I get a restricted licence to practise medicine", "lang:fr",
                        "category:Licensing permis", "the", "résid*", "xyzzy"};
    for (size_t i = 0; i < sizeof qs / sizeof *qs; i++) {
        json_t *all = search_req(qs[i], 0, 100, 0);
        json_int_t n = (json_int_t)nhits(all);
        ck_assert_msg(json_integer_value(json_object_get(all, "total")) == n, "[%s] total %lld, %lld hits",
                      qs[i], (long long)json_integer_value(json_object_get(all, "total")), (long long)n);
        ck_assert(json_is_true(json_object_get(all, "total_exact")));
        for (uint32_t limit = 1; limit <= 4; limit++)
            for (uint32_t off = 0; off <= (uint32_t)n + 1; off++) {
                json_t *pg = search_req(qs[i], off, limit, 0);
                ck_assert_msg(json_integer_value(json_object_get(pg, "total")) == n,
                              "[%s] offset %u limit %u: total %lld, not %lld", qs[i], off, limit,
                              (long long)json_integer_value(json_object_get(pg, "total")), (long long)n);
                ck_assert(json_is_true(json_object_get(pg, "total_exact")));
                json_decref(pg);
            }
        /* facets: each count is that of the hits; the years add up to the
         * total with the posts without a date */
        json_t *fa = search_req(qs[i], 0, 1, 1);
        ck_assert_int_eq(json_integer_value(json_object_get(fa, "total")), n);
        json_t *f = json_object_get(fa, "facets");
        json_int_t years = 0, undated = 0;
        const char *key;
        json_t *v;
        json_object_foreach(json_object_get(f, "year"), key, v) years += json_integer_value(v);
        json_t *hits = json_object_get(all, "hits");
        size_t k;
        json_t *h;
        json_array_foreach(hits, k, h) undated += !json_string_value(json_object_get(h, "date"))[0];
        ck_assert_int_eq(years + undated, n);
        json_object_foreach(json_object_get(f, "category"), key, v)
        {
            json_int_t c = 0;
            json_array_foreach(hits, k, h)
            {
                json_t *cats = json_object_get(h, "categories"), *cv;
                size_t j;
                json_array_foreach(cats, j, cv) c += !strcmp(json_string_value(cv), key);
            }
            ck_assert_msg(c == json_integer_value(v), "[%s] category %s: %lld, %lld hits", qs[i], key,
                          (long long)json_integer_value(v), (long long)c);
        }
        json_object_foreach(json_object_get(f, "year"), key, v)
        {
            json_int_t c = 0;
            json_array_foreach(hits, k, h) c += !strncmp(json_string_value(json_object_get(h, "date")), key, 4);
            ck_assert_int_eq(c, json_integer_value(v));
        }
        json_decref(fa);
        json_decref(all);
    }
    /* above exact_total: an estimate, flagged, the same on every page */
    unsigned saved = eng->opt.exact_total;
    eng->opt.exact_total = 2;
    int flagged = 0;
    for (size_t i = 0; i < sizeof qs / sizeof *qs; i++) {
        json_t *first = search_req(qs[i], 0, 1, 0);
        json_int_t t = json_integer_value(json_object_get(first, "total"));
        int ex = json_is_true(json_object_get(first, "total_exact"));
        flagged |= !ex;
        for (uint32_t off = 0; off < 40; off += 3) {
            json_t *pg = search_req(qs[i], off, 1 + off % 5, 0);
            ck_assert_msg(json_integer_value(json_object_get(pg, "total")) == t,
                          "[%s] exact_total 2, offset %u: total %lld, not %lld", qs[i], off,
                          (long long)json_integer_value(json_object_get(pg, "total")), (long long)t);
            ck_assert_int_eq(json_is_true(json_object_get(pg, "total_exact")), ex);
            json_decref(pg);
        }
        json_decref(first);
    }
    ck_assert_msg(flagged, "no total above exact_total was an estimate");
    eng->opt.exact_total = saved;
}
END_TEST

/* The proximity bonus reorders the best hits after the match (engine.c,
 * rerank). Checked against Xapian weighing the query and the bonus apart,
 * each over the whole archive: where the depth covers the whole match, the
 * hits are in the order of the two weights added up. Pages are slices of
 * one result, also across the depth; scores keep the order. */

/* Xapian's weight of q for every document (w[docid], 0 if unmatched). */
static void weigh_all(xc_query *q, double *w, size_t nw)
{
    xc_enquire *en;
    xc_mset *ms;
    memset(w, 0, nw * sizeof *w);
    ck_assert_int_eq(xc_enquire_new(eng->db, &en), XC_OK);
    ck_assert_int_eq(xc_enquire_set_query(en, q, 0), XC_OK);
    ck_assert_int_eq(xc_enquire_set_bm25(en, eng->opt.bm25_k1, 0, 1, eng->opt.bm25_b, 0.5),
                     XC_OK);
    ck_assert_int_eq(xc_enquire_get_mset(en, 0, (uint32_t)nw, 0, &ms), XC_OK);
    for (uint32_t i = 0; i < xc_mset_size(ms); i++) {
        xc_hit h;
        ck_assert_int_eq(xc_mset_hit(ms, i, &h), XC_OK);
        ck_assert_uint_lt(h.docid, nw);
        w[h.docid] = h.weight;
    }
    xc_mset_free(ms);
    xc_enquire_free(en);
}

/* The post id of a document. */
static char *post_id(uint32_t docid)
{
    xc_doc *d;
    const char *data;
    size_t len;
    ck_assert_int_eq(xc_db_get_document(eng->db, docid, &d), XC_OK);
    ck_assert_int_eq(srch_record(d, &data, &len), XC_OK);
    json_t *o = json_loadb(data, len, 0, NULL);
    char *id = strdup(json_string_value(json_object_get(o, "id")));
    json_decref(o);
    xc_doc_free(d);
    return id;
}

START_TEST(proximity_rerank)
{
    const char *qs[] = {"how do I get a restricted licence to practise medicine",
                        "permis d'exercice restrictif pour les médecins",
                        "examen du conseil médical du canada",
                        "residency match for international medical graduates",
                        "médecins diplômés à l'étranger résidence",
                        "family medicine residency positions in Ontario",
                        "bourse pour les étudiants en médecine",
                        "practice ready assessment program"};
    enum { NW = 256 };
    double wq[NW], wb[NW];
    int reordered = 0;
    for (size_t i = 0; i < sizeof qs / sizeof *qs; i++) {
        /* no language in the request (it would filter): the engine tells
         * it from the question, as the parse below does. The questions'
         * feedback is left out here (checked below). */
        eng->feedback_docs = 0;
        json_t *ans = search_page(qs[i], NULL, 0, 10);
        eng->feedback_docs = SRCH_FEEDBACK_DOCS;
        /* with it, the same page, its hits perhaps in another order */
        json_t *fb = search_page(qs[i], NULL, 0, 10);
        ck_assert_uint_eq(nhits(fb), nhits(ans));
        for (size_t k = 0; k < nhits(fb); k++) {
            size_t at = 0;
            while (at < nhits(ans) && strcmp(hit_id(ans, at), hit_id(fb, k)) != 0)
                at++;
            ck_assert_msg(at < nhits(ans), "[%s] the feedback brought in %s", qs[i],
                          hit_id(fb, k));
        }
        json_decref(fb);
        size_t n = nhits(ans);
        ck_assert_int_gt(n, 1);
        srch_parsed p;
        txt_lang lang = txt_detect_lang(qs[i], strlen(qs[i]), TXT_LANG_NONE);
        ck_assert_int_eq(srch_parse(eng, qs[i], strlen(qs[i]), lang, &p), SRCH_OK);
        ck_assert_ptr_nonnull(p.query);
        ck_assert_ptr_nonnull(p.boost);
        weigh_all(p.query, wq, NW);
        xc_query *bonus = NULL; /* (p.boost is weighed a tenth by the rerank) */
        ck_assert_int_eq(xc_query_scale(p.boost, SRCH_BOOST_WEIGHT, &bonus), XC_OK);
        weigh_all(bonus, wb, NW);
        xc_query_free(bonus);
        srch_parsed_free(&p);
        /* the expected order: by the sum, ties by docid */
        uint32_t order[NW];
        size_t m = 0;
        for (uint32_t d = 1; d < NW; d++)
            if (wq[d] > 0)
                order[m++] = d;
        ck_assert_uint_le(m, eng->rerank_depth); /* the depth covers the match */
        for (size_t x = 1; x < m; x++)
            for (size_t y = x; y > 0; y--) {
                uint32_t a = order[y - 1], b = order[y];
                double sa = wq[a] + wb[a], sb = wq[b] + wb[b];
                if (sa > sb || (sa == sb && a < b))
                    break;
                order[y - 1] = b, order[y] = a;
            }
        ck_assert_uint_eq(n, m < 10 ? m : 10);
        for (size_t k = 0; k < n; k++) {
            char *id = post_id(order[k]);
            ck_assert_msg(!strcmp(id, hit_id(ans, k)), "[%s] rank %zu: %s expected, %s given",
                          qs[i], k, id, hit_id(ans, k));
            free(id);
            /* the bonus changed the order of the match somewhere */
            if (k > 0 && wq[order[k]] > wq[order[k - 1]])
                reordered = 1;
        }
        json_int_t prev = 100;
        for (size_t k = 0; k < n; k++) {
            json_int_t sc = json_integer_value(
                json_object_get(json_array_get(json_object_get(ans, "hits"), k), "score"));
            ck_assert_msg(sc >= 0 && sc <= prev, "[%s] score %lld after %lld", qs[i], (long long)sc,
                          (long long)prev);
            prev = sc;
        }
        json_decref(ans);
    }
    ck_assert_msg(reordered, "the proximity bonus reordered no hit of these questions");
    /* a depth inside the page: pages of 2 are still slices of one page */
    unsigned saved = eng->rerank_depth;
    eng->rerank_depth = 3;
    const char *q = "restricted licence to practise medicine in Canada";
    json_t *all = search_page(q, NULL, 0, 8);
    ck_assert_int_ge(nhits(all), 6);
    for (uint32_t off = 0; off < 6; off += 2) {
        json_t *pg = search_page(q, NULL, off, 2);
        for (size_t k = 0; k < nhits(pg); k++)
            ck_assert_str_eq(hit_id(pg, k), hit_id(all, off + k));
        json_decref(pg);
    }
    json_decref(all);
    /* scores keep the order across the depth too (the hits past it are
     * scaled like the reordered ones) */
    for (size_t i = 0; i < sizeof qs / sizeof *qs; i++) {
        json_t *ans = search_page(qs[i], NULL, 0, 10);
        json_t *h = json_object_get(ans, "hits");
        for (size_t k = 1; k < json_array_size(h); k++) {
            json_int_t a = json_integer_value(json_object_get(json_array_get(h, k - 1), "score"));
            json_int_t b = json_integer_value(json_object_get(json_array_get(h, k), "score"));
            ck_assert_msg(a >= b, "[%s] depth 3: score %lld at rank %zu, %lld after it", qs[i],
                          (long long)a, k - 1, (long long)b);
        }
        json_decref(ans);
    }
    eng->rerank_depth = saved;
}
END_TEST

static json_int_t total_of(const char *q)
{
    json_t *a = search(q, NULL, 10);
    json_int_t t = json_integer_value(json_object_get(a, "total"));
    json_decref(a);
    return t;
}

START_TEST(spelling)
{
    /* "residancy" stems like "residency" in English: hits, and a suggestion */
    json_t *a = search("residancy", NULL, 10);
    ck_assert_str_eq(json_string_value(json_object_get(a, "suggestion")), "residency");
    ck_assert_int_gt(nhits(a), 0);
    json_decref(a);
    /* no hits at all: the corrected query's hits, flagged */
    a = search("jumelagge", NULL, 10);
    ck_assert_str_eq(json_string_value(json_object_get(a, "suggestion")), "jumelage");
    ck_assert(json_is_true(json_object_get(a, "corrected")));
    ck_assert_int_gt(nhits(a), 0);
    json_decref(a);
    a = search("medecine familliale", NULL, 10);
    ck_assert_str_eq(json_string_value(json_object_get(a, "suggestion")), "médecine familiale");
    json_decref(a);
    a = search("residency", NULL, 10);
    ck_assert(json_is_null(json_object_get(a, "suggestion")));
    json_decref(a);
    /* No suggestion: for a last word still being typed that starts a word
     * of the index ("restr": "restrictif", not "est"), for an excluded word,
     * for another form of a known word, or towards a stopword. */
    const char *none[] = {"permis restr", "+carms -usa", "carms NOT usa", "carms SAUF usa",
                          "restrictifs", "exams", "résidences", "permis restr "};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        a = search(none[i], NULL, 10);
        ck_assert_msg(json_is_null(json_object_get(a, "suggestion")), "[%s]: suggestion %s", none[i],
                      json_string_value(json_object_get(a, "suggestion")));
        json_decref(a);
    }
    /* No hits and a last word being typed: the hits of that word as a
     * prefix, flagged "completed"; not after a space, not when the query
     * has hits of its own, and nothing when no word starts so. */
    a = search("restr", NULL, 10);
    ck_assert(json_is_true(json_object_get(a, "completed")));
    ck_assert_int_ge(rank_of(a, "sample-003"), 0);
    json_decref(a);
    const char *open_none[] = {"restr ", "permis restr", "xyzqw", "\"restr\""};
    for (size_t i = 0; i < sizeof open_none / sizeof open_none[0]; i++) {
        a = search(open_none[i], NULL, 10);
        ck_assert_msg(!json_object_get(a, "completed"), "[%s] completed", open_none[i]);
        json_decref(a);
    }
    /* "examn": its nearest words are English "exam" and French "examen",
     * one edit each: both are searched (the query's language is unknown),
     * and the suggestion is the one more posts hold */
    a = search("examn", NULL, 50);
    json_int_t n_exam = total_of("exam"), n_examen = total_of("examen");
    ck_assert_str_eq(json_string_value(json_object_get(a, "suggestion")),
                     n_examen >= n_exam ? "examen" : "exam");
    ck_assert(json_is_true(json_object_get(a, "corrected")));
    int en = 0, fr = 0;
    for (size_t i = 0; i < nhits(a); i++) {
        const char *l = json_string_value(json_object_get(json_array_get(json_object_get(a, "hits"), i), "lang"));
        en += !strcmp(l, "en");
        fr += !strcmp(l, "fr");
    }
    ck_assert_msg(en > 0 && fr > 0, "examn: %d English and %d French hits", en, fr);
    json_decref(a);
    /* the same with operators: the two corrections ORed in place */
    a = search("examn AND permis", NULL, 50);
    ck_assert(json_is_true(json_object_get(a, "corrected")));
    json_t *b = search("(examen OR exam) AND permis", NULL, 50);
    ck_assert_uint_eq(nhits(a), nhits(b));
    for (size_t i = 0; i < nhits(a); i++)
        ck_assert_str_eq(hit_id(a, i), hit_id(b, i));
    json_decref(a);
    json_decref(b);
    /* a misspelling in the middle of a query is still corrected */
    a = search("permis residancy", NULL, 10);
    ck_assert_str_eq(json_string_value(json_object_get(a, "suggestion")), "permis residency");
    json_decref(a);
}
END_TEST

/* The ranking rules for questions (doc/QUERY.md, "How results are
 * ranked"), each on a query the rule changes. */
START_TEST(questions)
{
    /* an inverted pronoun is cut off its verb: "accorde-t-il" finds
     * "l'accorde" and "accordé" (the phrase "accorde t il" finds nothing) */
    expect_in_top("accorde-t-il", "sample-004", 5);
    expect_in_top("accorde-t-il", "sample-012", 5);
    expect_in_top("accorde-t'il", "sample-004", 5);
    expect_in_top("Répondent-ils à notre lettre ?", "sample-021", 1);
    /* "-ent" plurals meet their verb when the index says it is one:
     * "demandent" finds "demande" and "demander" */
    expect_in_top("demandent", "sample-025", 5);
    expect_in_top("demandent", "sample-006", 5);
    /* a long stem meets the stems that extend it: "hospital" (French stem)
     * finds "centre hospitalier" */
    expect_in_top("hospital", "sample-012", 3);
    /* question words are dropped like stopwords, but searched alone */
    ck_assert_int_eq(total_of("combien OQLF"), total_of("OQLF"));
    ck_assert_int_eq(total_of("how many OQLF"), total_of("OQLF"));
    expect_in_top("combien", "sample-010", 3);
    /* a question's unknown word is searched as its correction, and the
     * suggestion is still offered */
    json_t *a = search("which posts and pages talk about Hungery", NULL, 10);
    ck_assert_str_eq(hit_id(a, 0), "sample-009");
    ck_assert(json_is_string(json_object_get(a, "suggestion")));
    ck_assert_ptr_null(json_object_get(a, "corrected"));
    json_decref(a);
    /* a short query keeps the rescue: no hits, the correction's, flagged */
    a = search("Hungery", NULL, 10);
    ck_assert(json_is_true(json_object_get(a, "corrected")));
    ck_assert_str_eq(hit_id(a, 0), "sample-009");
    json_decref(a);
    /* a question's language puts its posts first: the OQLF posts share the
     * words "OQLF", "Québec", "Collège", "médecins" in both languages */
    a = search("Et l'OQLF au Québec pour le Collège des médecins ?", NULL, 10);
    ck_assert_int_ge(rank_of(a, "sample-023"), 0);
    ck_assert_int_ge(rank_of(a, "sample-022"), 0); /* found, but after */
    ck_assert_int_lt(rank_of(a, "sample-023"), rank_of(a, "sample-022"));
    json_decref(a);
    a = search("What about the OQLF in Québec for the Collège des médecins?", NULL, 10);
    ck_assert_int_ge(rank_of(a, "sample-022"), 0);
    ck_assert_int_ge(rank_of(a, "sample-023"), 0);
    ck_assert_int_lt(rank_of(a, "sample-022"), rank_of(a, "sample-023"));
    json_decref(a);
}
END_TEST

static const char *first_id(const char *q)
{
    static char id[64];
    json_t *a = search(q, NULL, 10);
    ck_assert_uint_gt(nhits(a), 0);
    snprintf(id, sizeof id, "%s", hit_id(a, 0));
    json_decref(a);
    return id;
}

static int rank_in(const char *q, const char *id)
{
    json_t *a = search(q, NULL, 20);
    int r = rank_of(a, id);
    json_decref(a);
    return r;
}

/* A capitalised word inside a question is a name and weighs more
 * (SRCH_NAME_WEIGHT): the post that names the place comes before the
 * posts that share the question's other words. Not the question's first
 * word (every sentence starts with a capital), not in a text typed in
 * capitals, not in a short query. */
START_TEST(names)
{
    /* sample-014 names Gatineau; sample-017 is about the licence and
     * "exercer" */
    ck_assert_str_eq(first_id("Quel examen faut-il passer pour exercer à gatineau ?"),
                     "sample-017");
    ck_assert_str_eq(first_id("Quel examen faut-il passer pour exercer à Gatineau ?"),
                     "sample-014");
    ck_assert_str_eq(first_id("quel examen faut-il passer pour exercer à Gatineau ?"),
                     "sample-014");
    /* the first word, and a text in capitals: no name */
    ck_assert_str_eq(first_id("Gatineau : quel examen faut-il passer pour exercer ?"),
                     "sample-017");
    ck_assert_str_eq(first_id("QUEL EXAMEN FAUT-IL PASSER POUR EXERCER À GATINEAU ?"),
                     "sample-017");
    /* English: sample-018 is the post about Ontario */
    int named = rank_in("which exam must doctors pass to practise in Ontario?", "sample-018");
    int plain = rank_in("which exam must doctors pass to practise in ontario?", "sample-018");
    ck_assert_int_ge(named, 0);
    ck_assert_int_lt(named, plain);
    /* a short query is left as typed: the capital changes nothing */
    json_t *a = search("residency Ontario", NULL, 10), *b = search("residency ontario", NULL, 10);
    ck_assert_uint_eq(nhits(a), nhits(b));
    for (size_t i = 0; i < nhits(a); i++)
        ck_assert_str_eq(hit_id(a, i), hit_id(b, i));
    json_decref(a);
    json_decref(b);
}
END_TEST

START_TEST(synonyms)
{
    char *gl = th_path(th_srcdir(), "conf/synonyms.txt");
    FILE *g = fopen(gl, "r");
    free(gl);
    if (!g)
        return; /* no glossary in this tree yet */
    fclose(g);
    /* English acronym finds the French post that only says DHCEU */
    expect_in_top("IMG", "sample-002", 20);
    expect_in_top("family medicine", "sample-014", 10);
}
END_TEST

START_TEST(suggest_doc_stats)
{
    json_t *a = NULL;
    ck_assert_int_eq(srch_suggest(eng, "permis restr", 5, &a), SRCH_OK);
    json_t *c = json_object_get(a, "completions");
    int found = 0;
    for (size_t i = 0; i < json_array_size(c); i++)
        if (!strcmp(json_string_value(json_array_get(c, i)), "permis restrictif"))
            found = 1;
    ck_assert(found);
    ck_assert_int_gt(json_array_size(json_object_get(a, "titles")), 0);
    json_decref(a);
    /* completions carry the accents the archive writes them with */
    const char *typed[] = {"equi", "ÉQUI", "quebe"}, *want[] = {"équivalence", "équivalence", "québec"};
    for (size_t k = 0; k < 3; k++) {
        ck_assert_int_eq(srch_suggest(eng, typed[k], 5, &a), SRCH_OK);
        c = json_object_get(a, "completions");
        found = 0;
        for (size_t i = 0; i < json_array_size(c); i++)
            found |= !strcmp(json_string_value(json_array_get(c, i)), want[k]);
        ck_assert_msg(found, "[%s]: no completion %s", typed[k], want[k]);
        json_decref(a);
    }

    ck_assert_int_eq(srch_doc(eng, "sample-004", &a), SRCH_OK);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(a, "doc"), "id")), "sample-004");
    json_decref(a);
    ck_assert_int_eq(srch_doc(eng, "no-such-post", &a), SRCH_ERR_NOT_FOUND);

    ck_assert_int_eq(srch_stats(eng, &a), SRCH_OK);
    ck_assert_int_eq(json_integer_value(json_object_get(a, "posts")), 31);
    ck_assert_int_gt(json_integer_value(json_object_get(json_object_get(a, "langs"), "fr")), 0);
    json_decref(a);
}
END_TEST

START_TEST(request_json)
{
    srch_request r;
    char err[256];
    json_error_t je;
    json_t *o = json_loads("{\"q\":\"x\",\"limit\":5,\"category\":[\"A\",\"B\"],\"lang\":\"fr\","
                           "\"facets\":true,\"sort\":\"date\",\"since\":\"2020-01\"}", 0, &je);
    ck_assert_int_eq(srch_request_from_json(o, &r, err, sizeof err), SRCH_OK);
    ck_assert_str_eq(r.q, "x");
    ck_assert_int_eq(r.limit, 5);
    ck_assert_str_eq(r.categories[1], "B");
    ck_assert_ptr_null(r.categories[2]);
    ck_assert_int_eq(r.sort, SRCH_SORT_DATE);
    ck_assert_int_eq(r.facets, 1);
    json_decref(o);
    static const char *bad[] = {"{\"offset\":-1}", "{\"limit\":\"x\"}", "{\"q\":5}",
                                "{\"lang\":\"de\"}", "{\"since\":\"2020-13\"}",
                                "{\"sort\":\"size\"}", "{\"category\":[1]}", "[]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        o = json_loads(bad[i], JSON_DECODE_ANY, &je);
        ck_assert_int_eq(srch_request_from_json(o, &r, err, sizeof err), SRCH_ERR_BAD_REQUEST);
        ck_assert(err[0]);
        json_decref(o);
    }
    json_t *e = srch_error_json("timeout", "too slow");
    char *s = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS);
    ck_assert_str_eq(s, "{\"error\":{\"code\":\"timeout\",\"message\":\"too slow\"},\"ok\":false}");
    free(s);
    json_decref(e);
}
END_TEST

START_TEST(unavailable_then_back)
{
    char *missing = th_path(tmp, "not-yet");
    srch_engine *e2 = NULL;
    ck_assert_int_eq(srch_engine_new(missing, NULL, &e2), SRCH_OK);
    srch_request r;
    json_t *a = NULL;
    srch_request_init(&r);
    r.q = "permis";
    ck_assert_int_eq(srch_search(e2, &r, &a), SRCH_ERR_UNAVAILABLE);
    ck_assert_str_eq(srch_status_code(SRCH_ERR_UNAVAILABLE), "unavailable");
    /* the database appears: the engine recovers by itself */
    char cmd[4096];
    const char *top = getenv("top_builddir");
    snprintf(cmd, sizeof cmd, "'%s/src/socasma-index' --quiet --db '%s' '%s/index/sample/sample.jsonl' >/dev/null",
             top ? top : ".", missing, th_srcdir());
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(srch_search(e2, &r, &a), SRCH_OK);
    ck_assert_int_gt(nhits(a), 0);
    json_decref(a);
    srch_engine_free(e2);
    free(missing);
}
END_TEST

/* A database of its own, made from posts written by the test. */
static srch_engine *own_db(const char *name, const char *jsonl, char **dir)
{
    char *d = th_path(tmp, name);
    char *src = th_path(tmp, "own.jsonl");
    th_write_file(src, jsonl, strlen(jsonl));
    char cmd[4096];
    const char *top = getenv("top_builddir");
    snprintf(cmd, sizeof cmd, "'%s/src/socasma-index' --quiet --db '%s' '%s' >/dev/null",
             top ? top : ".", d, src);
    ck_assert_int_eq(system(cmd), 0);
    free(src);
    srch_engine *e = NULL;
    ck_assert_int_eq(srch_engine_new(d, NULL, &e), SRCH_OK);
    *dir = d;
    return e;
}

static json_t *search_in(srch_engine *e, const char *q, const char *lang)
{
    srch_request r;
    json_t *a = NULL;
    srch_request_init(&r);
    r.q = q;
    r.lang = lang;
    ck_assert_int_eq(srch_search(e, &r, &a), SRCH_OK);
    return a;
}

static const char *first_snippet(json_t *a)
{
    const char *s = json_string_value(json_object_get(json_array_get(json_object_get(a, "hits"), 0), "snippet"));
    ck_assert_ptr_nonnull(s);
    return s;
}

static json_int_t total_in(srch_engine *e, const char *q)
{
    json_t *a = search_in(e, q, NULL);
    json_int_t t = json_integer_value(json_object_get(a, "total"));
    json_decref(a);
    return t;
}

/* A database swapped in by hand (`mv db db.old && mv db.new db`): through
 * the instant with nothing at the path, and a reload meanwhile, the open
 * database answers; then the new one does. A database removed for good
 * answers unavailable once the second of grace is over, and a database put
 * back is opened. */
START_TEST(swapped_by_hand)
{
    char *da = NULL, *db = NULL;
    srch_engine *other = own_db("swap-b",
                                "{\"id\":\"b1\",\"title\":\"Quintex one\",\"lang\":\"en\","
                                "\"body\":\"A quintex post.\"}\n"
                                "{\"id\":\"b2\",\"title\":\"Quintex two\",\"lang\":\"en\","
                                "\"body\":\"Another quintex post.\"}\n",
                                &db);
    srch_engine_free(other);
    srch_engine *e = own_db("swap-a",
                            "{\"id\":\"a1\",\"title\":\"Zorblax one\",\"lang\":\"en\","
                            "\"body\":\"A zorblax post.\"}\n"
                            "{\"id\":\"a2\",\"title\":\"Zorblax two\",\"lang\":\"en\","
                            "\"body\":\"Another zorblax post.\"}\n"
                            "{\"id\":\"a3\",\"title\":\"Zorblax three\",\"lang\":\"en\","
                            "\"body\":\"A third zorblax post.\"}\n",
                            &da);
    e->reopen_ms = 0; /* every request looks at the path */
    ck_assert_int_eq(total_in(e, "zorblax"), 3);
    char *aside = th_path(tmp, "swap-a.old");
    ck_assert_int_eq(rename(da, aside), 0);
    /* nothing at the path: the open database answers, also after a reload */
    ck_assert_int_eq(total_in(e, "zorblax"), 3);
    srch_engine_set_options(e, NULL);
    ck_assert_int_eq(total_in(e, "zorblax"), 3);
    /* the new one moved in: it answers, not the old one */
    ck_assert_int_eq(rename(db, da), 0);
    ck_assert_int_eq(total_in(e, "quintex"), 2);
    ck_assert_int_eq(total_in(e, "zorblax"), 0);
    /* removed for good: answers for the grace time, then unavailable */
    ck_assert_int_eq(rename(da, db), 0);
    ck_assert_int_eq(total_in(e, "quintex"), 2);
    usleep(1100 * 1000);
    srch_request r;
    json_t *a = NULL;
    srch_request_init(&r);
    r.q = "quintex";
    ck_assert_int_eq(srch_search(e, &r, &a), SRCH_ERR_UNAVAILABLE);
    ck_assert_ptr_null(a);
    ck_assert_ptr_nonnull(strstr(srch_errmsg(e), "swap-a"));
    /* a database put back at the path: opened at once */
    ck_assert_int_eq(rename(aside, da), 0);
    ck_assert_int_eq(total_in(e, "zorblax"), 3);
    srch_engine_free(e);
    free(aside);
    free(da);
    free(db);
}
END_TEST

/* The highlighter reads only the words that may match (by their first
 * letters) and the window it prints: words whose stem changes its first
 * letters still light up, and a match at the very end of a long body is
 * found. */
START_TEST(snippet_candidates)
{
    char posts[8192], filler[3000] = "";
    for (int i = 0; i < 150; i++)
        strcat(filler, "lorem ipsum ");
    snprintf(posts, sizeof posts,
             "{\"id\":\"p1\",\"title\":\"One\",\"lang\":\"en\",\"body\":\"We keep using it; "
             "the crying child was dying to go, lying down.\"}\n"
             "{\"id\":\"p2\",\"title\":\"Two\",\"lang\":\"en\",\"body\":\"%s"
             "the last word is zanzibar.\"}\n"
             "{\"id\":\"p3\",\"title\":\"Trois\",\"lang\":\"fr\",\"body\":\"Le C\u0152UR de "
             "l\u2019\u00e9quivalence : les M\u00c9DECINS \u00ab na\u00efve \u00bb, post-doctoral.\"}\n"
             "{\"id\":\"p4\",\"title\":\"Four\",\"lang\":\"en\",\"body\":\"Tab\\there \\\"quoted\\\" "
             "back\\\\slash \\ud83d\\ude00 kiwi.\"}\n"
             "{\"id\":\"p5\",\"title\":\"Une sp\u00e9cialit\u00e9\",\"lang\":\"fr\",\"body\":\"Leur "
             "sp\u00e9cialit\u00e9 : une \u00e9cole architecturale. Elle regarde, il regarde, on a "
             "regard\u00e9.\"}\n",
             filler);
    char *dir = NULL;
    srch_engine *e = own_db("own-snippets", posts, &dir);
    json_t *a = search_in(e, "use", "en");
    ck_assert_ptr_nonnull(strstr(first_snippet(a), "<mark>using</mark>"));
    json_decref(a);
    a = search_in(e, "cry die lie", "en");
    const char *sn = first_snippet(a);
    ck_assert_msg(strstr(sn, "<mark>crying</mark>") && strstr(sn, "<mark>dying</mark>") &&
                      strstr(sn, "<mark>lying</mark>"), "%s", sn);
    json_decref(a);
    a = search_in(e, "zanzibar", NULL);
    sn = first_snippet(a);
    ck_assert_msg(strstr(sn, "<mark>zanzibar</mark>."), "%s", sn);
    ck_assert_msg(!strncmp(sn, "\xe2\x80\xa6 ", 4), "%s", sn); /* cut before: … */
    json_decref(a);
    a = search_in(e, "coeur equivalence medecin naive postdoctoral", "fr");
    sn = first_snippet(a);
    ck_assert_msg(strstr(sn, "<mark>C\xc5\x92UR</mark>") &&
                      strstr(sn, "<mark>\xc3\xa9quivalence</mark>") &&
                      strstr(sn, "<mark>M\xc3\x89" "DECINS</mark>") &&
                      strstr(sn, "<mark>na\xc3\xafve</mark>") && strstr(sn, "<mark>post</mark>-<mark>doctoral</mark>"),
                  "%s", sn);
    json_decref(a);
    /* typed without accents, a word meets the stem of the folded form the
     * index holds ("specialite": "specialit"; "spécialité": "special"); a
     * long stem meets the stems extending it ("architectur": "architecturale");
     * a French -ent plural meets its verb ("regardent": "regarde") */
    a = search_in(e, "specialite architectures regardent", "fr");
    sn = first_snippet(a);
    ck_assert_msg(strstr(sn, "<mark>sp\xc3\xa9" "cialit\xc3\xa9</mark>") &&
                      strstr(sn, "<mark>architecturale</mark>") && strstr(sn, "<mark>regarde</mark>"),
                  "%s", sn);
    ck_assert_str_eq(json_string_value(json_object_get(
                         json_array_get(json_object_get(a, "hits"), 0), "title_html")),
                     "Une <mark>sp\xc3\xa9" "cialit\xc3\xa9</mark>");
    json_decref(a);
    /* the stored body is decoded from its JSON escapes, then HTML-escaped */
    a = search_in(e, "kiwi", NULL);
    ck_assert_str_eq(first_snippet(a), "Tab here &quot;quoted&quot; back\\slash \xf0\x9f\x98\x80 "
                                       "<mark>kiwi</mark>.");
    json_decref(a);
    srch_engine_free(e);
    th_rmtree(dir);
    free(dir);
}
END_TEST

/* Words typed apart and written together, or the reverse: the join of two
 * or three adjacent words and the split of an unknown word into two are
 * searched too, below the words as typed, and highlighted. */
START_TEST(joins_and_splits)
{
    char *dir = NULL;
    srch_engine *e = own_db(
        "own-joins",
        "{\"id\":\"j1\",\"title\":\"Contact\",\"lang\":\"en\",\"body\":\"Send us an email about "
        "your postdoctoral plans.\"}\n"
        "{\"id\":\"j2\",\"title\":\"Permis\",\"lang\":\"fr\",\"body\":\"Le permis restrictif est "
        "accord\u00e9 par le Coll\u00e8ge.\"}\n"
        "{\"id\":\"j3\",\"title\":\"Exam\",\"lang\":\"en\",\"body\":\"The NAC OSCE is an exam.\"}\n"
        "{\"id\":\"j4\",\"title\":\"Part one\",\"lang\":\"en\",\"body\":\"The MCCQE1 comes first.\"}\n"
        "{\"id\":\"j5\",\"title\":\"Apart\",\"lang\":\"en\",\"body\":\"A post of doctoral students, "
        "and a post doctoral fellowship; mail the e form.\"}\n",
        &dir);
    static const struct {
        const char *q, *id, *mark;
    } cases[] = {
        {"e mail", "j1", "<mark>email</mark>"},
        {"post doctoral", "j1", "<mark>postdoctoral</mark>"},
        {"mccqe 1", "j4", "<mark>MCCQE1</mark>"},
        {"permisrestrictif", "j2", "<mark>permis</mark> <mark>restrictif</mark>"},
        {"nacosce", "j3", "<mark>NAC</mark> <mark>OSCE</mark>"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        json_t *a = search_in(e, cases[i].q, NULL);
        int r = rank_of(a, cases[i].id);
        ck_assert_msg(r >= 0, "[%s]: %s not found", cases[i].q, cases[i].id);
        const char *sn = json_string_value(
            json_object_get(json_array_get(json_object_get(a, "hits"), (size_t)r), "snippet"));
        ck_assert_msg(strstr(sn, cases[i].mark), "[%s]: %s", cases[i].q, sn);
        json_decref(a);
    }
    /* below the words as typed: the post that writes "post doctoral" apart
     * comes before the one that writes it as one word */
    json_t *a = search_in(e, "post doctoral", NULL);
    ck_assert_int_lt(rank_of(a, "j5"), rank_of(a, "j1"));
    json_decref(a);
    /* no split into words the archive does not write, and none of a
     * known word: "restrictif" stays one word */
    a = search_in(e, "restrictif", NULL);
    ck_assert_uint_eq(nhits(a), 1);
    json_decref(a);
    a = search_in(e, "zzqqxx", NULL);
    ck_assert_uint_eq(nhits(a), 0);
    json_decref(a);
    srch_engine_free(e);
    th_rmtree(dir);
    free(dir);
}
END_TEST

/* A hit's stored data: fields without the body, the body decoded on
 * demand, whatever the shape of the blob. */
START_TEST(docdata_shapes)
{
    srch_docdata d;
    size_t n;
    char *b;
    const char *last = "{\"id\":\"a\",\"title\":\"T,\\\"body\\\":\\\"x\",\"body\":\"l1\\nl2 \\u00e9\\\"\"}";
    ck_assert_int_eq(srch_docdata_parse(last, strlen(last), &d), 0);
    ck_assert_str_eq(json_string_value(json_object_get(d.fields, "title")), "T,\"body\":\"x");
    ck_assert_ptr_null(json_object_get(d.fields, "body"));
    b = srch_docdata_body(&d, 100, &n);
    ck_assert_str_eq(b, "l1\nl2 \xc3\xa9\"");
    ck_assert_uint_eq(n, 9);
    free(b);
    b = srch_docdata_body(&d, 2, &n); /* bounded */
    ck_assert_str_eq(b, "l1");
    free(b);
    srch_docdata_free(&d);
    const char *first = "{\"body\":\"hello\",\"id\":\"b\"}";
    ck_assert_int_eq(srch_docdata_parse(first, strlen(first), &d), 0);
    ck_assert_str_eq(json_string_value(json_object_get(d.fields, "id")), "b");
    b = srch_docdata_body(&d, 100, &n);
    ck_assert_str_eq(b, "hello");
    free(b);
    srch_docdata_free(&d);
    /* the record is the value of SCH_SLOT_RECORD; a document written by
     * schema 1 has it as its data */
    xc_doc *doc;
    const char *rec;
    size_t rlen;
    ck_assert_int_eq(xc_doc_new(&doc), XC_OK);
    ck_assert_int_eq(xc_doc_set_data(doc, "{\"id\":\"old\"}", 12), XC_OK);
    ck_assert_int_eq(srch_record(doc, &rec, &rlen), XC_OK);
    ck_assert_uint_eq(rlen, 12);
    ck_assert(!memcmp(rec, "{\"id\":\"old\"}", 12));
    ck_assert_int_eq(xc_doc_set_value(doc, SCH_SLOT_RECORD, "{\"id\":\"new\"}", 12), XC_OK);
    ck_assert_int_eq(srch_record(doc, &rec, &rlen), XC_OK);
    ck_assert(rlen == 12 && !memcmp(rec, "{\"id\":\"new\"}", 12));
    xc_doc_free(doc);
    const char *broken[] = {"{\"id\":\"c\",\"body\":\"}", "not json", ""};
    for (size_t i = 0; i < 3; i++) {
        ck_assert_int_eq(srch_docdata_parse(broken[i], strlen(broken[i]), &d), 0);
        b = srch_docdata_body(&d, 100, &n);
        free(b);
        srch_docdata_free(&d);
    }
}
END_TEST

/* The fields of a stored blob are the object jansson reads from the text
 * before the body, whether the fast reader of plain strings takes them or
 * leaves them to jansson (escapes, numbers, nesting, bad UTF-8, spaces). */
START_TEST(docdata_fields_as_jansson)
{
    const char *heads[] = {
        "{\"id\":\"p1\",\"title\":\"Caf\xc3\xa9 \\u00e9t\xc3\xa9\",\"categories\":[\"a\",\"b c\"],\"tags\":[]",
        "{\"id\":\"p2\",\"title\":\"\",\"categories\":[],\"lang\":\"fr\",\"lang\":\"en\"",
        "{ \"id\" : \"p3\" , \"tags\" : [ \"x\" , \"y\" ] ",
        "{\"id\":7,\"title\":\"n\"",
        "{\"id\":\"p5\",\"more\":{\"a\":\"b\"}",
        "{\"id\":\"p6\",\"title\":\"bad \xff\"",
        "{\"id\":\"p7\",\"title\":\"tab\there\"",
        "{\"id\":\"p8\",\"categories\":[\"a\",]",
    };
    for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++) {
        char data[512], whole[512];
        snprintf(data, sizeof data, "%s,\"body\":\"text\"}", heads[i]);
        snprintf(whole, sizeof whole, "%s}", heads[i]);
        json_error_t jerr;
        json_t *want = json_loads(whole, 0, &jerr);
        srch_docdata d;
        ck_assert_int_eq(srch_docdata_parse(data, strlen(data), &d), 0);
        if (want) {
            ck_assert_msg(d.fields && json_equal(d.fields, want), "head %zu", i);
            size_t n;
            char *b = srch_docdata_body(&d, 100, &n);
            ck_assert_str_eq(b, "text");
            free(b);
        } else /* the whole blob is not JSON either */
            ck_assert_msg(!d.fields, "head %zu", i);
        json_decref(want);
        srch_docdata_free(&d);
    }
}
END_TEST

/* The spelling index follows the database: a word added by a reindex is
 * suggested by the same engine once it has seen the new revision. */
START_TEST(spelling_after_reindex)
{
    char *dir = NULL;
    srch_engine *e = own_db("own-spelling",
                            "{\"id\":\"s1\",\"title\":\"One\",\"lang\":\"en\",\"body\":\"plain words\"}\n",
                            &dir);
    json_t *a = search_in(e, "quokas", NULL);
    ck_assert(json_is_null(json_object_get(a, "suggestion")));
    json_decref(a);
    /* a total counted apart, then remembered (a page of one hit of two) */
    srch_request r;
    srch_request_init(&r);
    r.q = "plain quokka words";
    r.limit = 1;
    ck_assert_int_eq(srch_search(e, &r, &a), SRCH_OK);
    ck_assert_int_eq(json_integer_value(json_object_get(a, "total")), 1);
    json_decref(a);
    char *src = th_path(tmp, "own.jsonl");
    const char *more = "{\"id\":\"s1\",\"title\":\"One\",\"lang\":\"en\",\"body\":\"plain words\"}\n"
                       "{\"id\":\"s2\",\"title\":\"Two\",\"lang\":\"en\",\"body\":\"a quokka\"}\n";
    th_write_file(src, more, strlen(more));
    char cmd[4096];
    const char *top = getenv("top_builddir");
    snprintf(cmd, sizeof cmd, "'%s/src/socasma-index' --quiet --db '%s' '%s' >/dev/null",
             top ? top : ".", dir, src);
    ck_assert_int_eq(system(cmd), 0);
    free(src);
    usleep(300 * 1000); /* the engine looks for a new revision every 200 ms */
    a = search_in(e, "quokas", NULL);
    ck_assert_msg(json_is_string(json_object_get(a, "suggestion")) &&
                      !strcmp(json_string_value(json_object_get(a, "suggestion")), "quokka"),
                  "no suggestion after the reindex");
    json_decref(a);
    /* the memo of totals follows the database too */
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(srch_search(e, &r, &a), SRCH_OK);
        ck_assert_int_eq(json_integer_value(json_object_get(a, "total")), 2);
        ck_assert(json_is_true(json_object_get(a, "total_exact")));
        json_decref(a);
    }
    srch_engine_free(e);
    th_rmtree(dir);
    free(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("search");
    TCase *tc = tcase_create("sample");
    tcase_add_unchecked_fixture(tc, build_db, unbuild_db);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, words_both_languages);
    tcase_add_test(tc, title_weighted);
    tcase_add_test(tc, phrases_and_operators);
    tcase_add_test(tc, fields);
    tcase_add_test(tc, wildcard);
    tcase_add_test(tc, malformed_never_fail);
    tcase_add_test(tc, snippets);
    tcase_add_test(tc, highlights);
    tcase_add_test(tc, facets_and_pages);
    tcase_add_test(tc, total_exact);
    tcase_add_test(tc, proximity_rerank);
    tcase_add_test(tc, spelling);
    tcase_add_test(tc, questions);
    tcase_add_test(tc, names);
    tcase_add_test(tc, synonyms);
    tcase_add_test(tc, suggest_doc_stats);
    tcase_add_test(tc, request_json);
    tcase_add_test(tc, unavailable_then_back);
    tcase_add_test(tc, swapped_by_hand);
    tcase_add_test(tc, snippet_candidates);
    tcase_add_test(tc, joins_and_splits);
    tcase_add_test(tc, spelling_after_reindex);
    tcase_add_test(tc, docdata_shapes);
    tcase_add_test(tc, docdata_fields_as_jansson);
    suite_add_tcase(s, tc);
    return th_run_suite(s, 1);
}
