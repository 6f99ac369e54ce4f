/* test-search-fuzz.c: random queries through the whole search path
 * (parse, match, facets, spelling, snippets, JSON) on a real database built
 * by the real indexer from the project's sample archive. Queries are drawn
 * from the pieces of the query language (operators in both languages,
 * quotes, parentheses, fields, dates, wildcards), words of the archive,
 * and raw bytes (invalid UTF-8, NUL, control characters), then mutated.
 * Every one must give an ok answer that is valid JSON with at most `limit`
 * hits, and every snippet and title_html must be HTML-safe outside its
 * <mark> tags (title_html is the title, marked and escaped); the
 * sanitizers watch the rest. Seeded, so a failure repeats. */
#include <config.h>

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/testhelp.h"
#include "search/search.h"

#define ROUNDS 4000

static char *tmp, *dbdir;
static srch_engine *eng;

static void build_db(void)
{
    const char *top = getenv("top_builddir");
    char cmd[4096];
    tmp = th_tmpdir("search-fuzz");
    ck_assert_ptr_nonnull(tmp);
    dbdir = th_path(tmp, "db");
    snprintf(cmd, sizeof cmd,
             "'%s/src/socasma-index' --quiet --db '%s' '%s/index/sample/sample.jsonl' >/dev/null",
             top ? top : ".", dbdir, th_srcdir());
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(srch_engine_new(dbdir, NULL, &eng), SRCH_OK);
}

static void unbuild_db(void)
{
    srch_engine_free(eng);
    th_rmtree(tmp);
    free(tmp);
    free(dbdir);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(uint32_t n)
{
    return th_rand(&rng_state, n);
}

static const char *pieces[] = {
    "permis", "restrictif", "résidence", "residency", "médecins", "MEDECINE", "l'équivalence",
    "l’equivalence", "qu'il", "DHCEU", "IMG", "CaRMS", "post-doctoral", "COVID-19", "M.D.",
    "États-Unis", "Québec", "2020", "20.06.16", "et", "ou", "the", "de", "la",
    "AND", "OR", "NOT", "ET", "OU", "SAUF", "(", ")", "\"", "+", "-", "*", "résid*", "perm*",
    "title:", "author:", "category:", "tag:", "lang:", "lang:fr", "lang:en", "lang:xx",
    "date:2020", "date:2020-06", "date:2020-01-01..2020-12-31", "date:..2019", "date:2021..",
    "date:99999", "category:Résidence", "tag:stages", "author:\"Nadia B.\"", "title:match",
    ":", "..", "''", "’", "\xc3", "\xff\xfe", "\xe2\x80", "\x01", "\t", "\xc3\xa9", "e\xcc\x81",
    "ﬁ", "\xf0\x9f\x98\x80", "<script>", "&amp;", "\\", "{", "}", "\"\"", "((", "))",
};
#define NPIECES (sizeof pieces / sizeof pieces[0])

/* A random query: pieces joined by spaces (or not), then a few byte edits. */
static size_t make_query(char *q, size_t cap)
{
    size_t len = 0;
    unsigned n = 1 + rnd(12);
    for (unsigned i = 0; i < n; i++) {
        const char *p = pieces[rnd(NPIECES)];
        size_t pl = strlen(p);
        if (len + pl + 2 >= cap)
            break;
        memcpy(q + len, p, pl);
        len += pl;
        if (rnd(4))
            q[len++] = ' ';
    }
    unsigned edits = rnd(4);
    for (unsigned i = 0; i < edits && len > 0; i++) {
        size_t at = rnd((uint32_t)len);
        switch (rnd(3)) {
        case 0: q[at] = (char)rnd(256); break;              /* replace a byte */
        case 1: memmove(q + at, q + at + 1, len - at - 1); len--; break; /* drop one */
        default:                                           /* duplicate one */
            if (len + 1 < cap) {
                memmove(q + at + 1, q + at, len - at);
                len++;
            }
        }
    }
    q[len] = '\0';
    return len;
}

/* Outside <mark> and </mark>, a snippet holds no raw < > " or '. */
static int html_safe(const char *s)
{
    while (*s) {
        if (!strncmp(s, "<mark>", 6)) {
            s += 6;
            continue;
        }
        if (!strncmp(s, "</mark>", 7)) {
            s += 7;
            continue;
        }
        if (*s == '<' || *s == '>' || *s == '"' || *s == '\'')
            return 0;
        s++;
    }
    return 1;
}

/* The text of highlighted HTML: <mark> tags out, the five escapes the
 * highlighter writes decoded. malloc'ed. */
static char *unhtml(const char *s)
{
    static const struct { const char *esc; char c; } ents[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
    char *out = malloc(strlen(s) + 1), *o = out;
    ck_assert_ptr_nonnull(out);
    while (*s) {
        if (!strncmp(s, "<mark>", 6)) {
            s += 6;
            continue;
        }
        if (!strncmp(s, "</mark>", 7)) {
            s += 7;
            continue;
        }
        size_t k = 0;
        while (k < sizeof ents / sizeof *ents && strncmp(s, ents[k].esc, strlen(ents[k].esc)))
            k++;
        if (k < sizeof ents / sizeof *ents) {
            *o++ = ents[k].c;
            s += strlen(ents[k].esc);
        } else
            *o++ = *s++;
    }
    *o = '\0';
    return out;
}

START_TEST(random_queries)
{
    char q[512];
    for (int round = 0; round < ROUNDS; round++) {
        make_query(q, sizeof q);
        srch_request r;
        srch_request_init(&r);
        r.q = q;
        r.limit = 1 + rnd(5);
        r.offset = rnd(3);
        r.facets = (int)rnd(2);
        if (rnd(4) == 0)
            r.lang = rnd(2) ? "fr" : "en";
        json_t *ans = NULL;
        int rc = srch_search(eng, &r, &ans);
        ck_assert_msg(rc == SRCH_OK, "round %d: [%s] failed: %s", round, q, srch_errmsg(eng));
        ck_assert_ptr_nonnull(ans);
        ck_assert_msg(json_is_true(json_object_get(ans, "ok")), "round %d: [%s] not ok", round, q);
        json_t *hits = json_object_get(ans, "hits");
        ck_assert_msg(json_is_array(hits) && json_array_size(hits) <= r.limit,
                      "round %d: [%s] hits", round, q);
        for (size_t i = 0; i < json_array_size(hits); i++) {
            json_t *h = json_array_get(hits, i);
            const char *sn = json_string_value(json_object_get(h, "snippet"));
            ck_assert_msg(sn && html_safe(sn), "round %d: [%s] unsafe snippet", round, q);
            /* the title, highlighted, is HTML-safe too, and is the title
             * once the tags are taken out and the escapes decoded */
            const char *th = json_string_value(json_object_get(h, "title_html"));
            ck_assert_msg(th && html_safe(th), "round %d: [%s] unsafe title_html", round, q);
            char *plain = unhtml(th);
            ck_assert_msg(!strcmp(plain, json_string_value(json_object_get(h, "title"))),
                          "round %d: [%s] title_html %s is not the title", round, q, th);
            free(plain);
        }
        /* The answer encodes to JSON and decodes back: what the daemon sends. */
        char *text = json_dumps(ans, JSON_COMPACT);
        ck_assert_ptr_nonnull(text);
        json_error_t jerr;
        json_t *back = json_loads(text, 0, &jerr);
        ck_assert_msg(back != NULL, "round %d: [%s] answer does not decode: %s", round, q, jerr.text);
        json_decref(back);
        free(text);
        json_decref(ans);
    }
}
END_TEST

/* The same pieces as completion prefixes (search-as-you-type). */
START_TEST(random_suggest)
{
    char q[512];
    for (int round = 0; round < ROUNDS / 4; round++) {
        make_query(q, sizeof q);
        json_t *ans = NULL;
        int rc = srch_suggest(eng, q, 1 + rnd(10), &ans);
        ck_assert_msg(rc == SRCH_OK, "round %d: suggest [%s] failed: %s", round, q, srch_errmsg(eng));
        ck_assert_msg(json_is_true(json_object_get(ans, "ok")), "round %d: suggest [%s]", round, q);
        json_decref(ans);
    }
}
END_TEST

int main(void)
{
    Suite *su = suite_create("search-fuzz");
    TCase *tc = tcase_create("fuzz");
    tcase_add_unchecked_fixture(tc, build_db, unbuild_db);
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, random_queries);
    tcase_add_test(tc, random_suggest);
    suite_add_tcase(su, tc);
    return th_run_suite(su, 1);
}
