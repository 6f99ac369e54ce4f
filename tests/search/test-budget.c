/* test-budget.c: the bounds on what one request may cost (issue 12), on a
 * real database built by the real indexer from the sample archive: a
 * request whose client has gone (the cancel flag) ends as when its time is
 * up ("timeout" without hits, "partial" for suggestions), the wildcards of
 * a query are bounded together (wildcard_total) and by what they would
 * read (max_query_cost): "too_complex" before any match, through
 * srch_handle too; within the bounds the answers are whole. */
#include <config.h>

#include <check.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/testhelp.h"
#include "search/search.h"

static char *tmp, *dbdir;

static void build_db(void)
{
    const char *top = getenv("top_builddir");
    char cmd[4096];
    tmp = th_tmpdir("budget");
    ck_assert_ptr_nonnull(tmp);
    dbdir = th_path(tmp, "db");
    snprintf(cmd, sizeof cmd,
             "'%s/src/socasma-index' --quiet --db '%s' '%s/index/sample/sample.jsonl' >/dev/null",
             top ? top : ".", dbdir, th_srcdir());
    ck_assert_int_eq(system(cmd), 0);
}

static void unbuild_db(void)
{
    th_rmtree(tmp);
    free(tmp);
    free(dbdir);
}

static srch_engine *engine(const srch_options *o)
{
    srch_engine *e = NULL;
    ck_assert_int_eq(srch_engine_new(dbdir, o, &e), SRCH_OK);
    return e;
}

static int search(srch_engine *e, const char *q, json_t **ans)
{
    srch_request r;
    srch_request_init(&r);
    r.q = q;
    r.limit = 20;
    *ans = NULL;
    return srch_search(e, &r, ans);
}

START_TEST(cancelled_request)
{
    srch_engine *e = engine(NULL);
    json_t *a;
    atomic_int gone;
    atomic_init(&gone, 1);
    srch_engine_set_cancel(e, &gone);
    ck_assert_int_eq(search(e, "residency", &a), SRCH_ERR_TIMEOUT);
    ck_assert_ptr_null(a);
    ck_assert_ptr_nonnull(strstr(srch_errmsg(e), "went away"));
    /* a suggestion: the completions (no match needed), no titles, partial */
    ck_assert_int_eq(srch_suggest(e, "resid", 5, &a), SRCH_OK);
    ck_assert(json_is_true(json_object_get(a, "partial")));
    ck_assert_uint_eq(json_array_size(json_object_get(a, "titles")), 0);
    ck_assert_uint_gt(json_array_size(json_object_get(a, "completions")), 0);
    json_decref(a);
    /* the flag down (or removed): whole answers again */
    atomic_store(&gone, 0);
    ck_assert_int_eq(search(e, "residency", &a), SRCH_OK);
    ck_assert_ptr_null(json_object_get(a, "partial"));
    ck_assert_uint_gt(json_array_size(json_object_get(a, "hits")), 0);
    json_decref(a);
    srch_engine_set_cancel(e, NULL);
    ck_assert_int_eq(srch_suggest(e, "resid", 5, &a), SRCH_OK);
    ck_assert_ptr_null(json_object_get(a, "partial"));
    ck_assert_uint_gt(json_array_size(json_object_get(a, "titles")), 0);
    json_decref(a);
    srch_engine_free(e);
}
END_TEST

START_TEST(wildcards_bounded_together)
{
    srch_options o;
    srch_options_init(&o);
    ck_assert_uint_eq(o.query_time_limit, 250);
    ck_assert_uint_eq(o.wildcard_total, 1000);
    json_t *a;
    /* within the defaults: whole answers, every hit holding a resid- word */
    srch_engine *e = engine(&o);
    ck_assert_int_eq(search(e, "resid* perm*", &a), SRCH_OK);
    ck_assert_ptr_null(json_object_get(a, "partial"));
    ck_assert_uint_gt(json_array_size(json_object_get(a, "hits")), 0);
    json_decref(a);
    /* a few hundred wildcards of one prefix: more than wildcard_total */
    char q[2048] = "";
    for (int i = 0; i < 300; i++)
        strcat(q, "res* ");
    ck_assert_int_eq(search(e, q, &a), SRCH_ERR_TOO_COMPLEX);
    ck_assert_ptr_null(a);
    ck_assert_ptr_nonnull(strstr(srch_errmsg(e), "too complex"));
    srch_engine_free(e);
    /* a bound of 3 words for every wildcard together */
    o.wildcard_total = 3;
    e = engine(&o);
    ck_assert_int_eq(search(e, "resid* perm* médec*", &a), SRCH_ERR_TOO_COMPLEX);
    ck_assert_int_eq(search(e, "residency", &a), SRCH_OK); /* no wildcard: not bounded */
    json_decref(a);
    srch_engine_free(e);
    /* what they read: one posting at most */
    srch_options_init(&o);
    o.max_query_cost = 1;
    e = engine(&o);
    ck_assert_int_eq(search(e, "resid*", &a), SRCH_ERR_TOO_COMPLEX);
    /* the protocol's answer: the code too_complex, the request's id */
    json_t *req = json_pack("{s:s,s:s,s:i}", "op", "search", "q", "resid*", "id", 9);
    ck_assert_int_eq(srch_handle(e, req, &a), SRCH_ERR_TOO_COMPLEX);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(a, "error"), "code")),
                     "too_complex");
    ck_assert_int_eq(json_integer_value(json_object_get(a, "id")), 9);
    ck_assert_str_eq(srch_status_code(SRCH_ERR_TOO_COMPLEX), "too_complex");
    json_decref(a);
    json_decref(req);
    srch_engine_free(e);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("budget");
    TCase *tc = tcase_create("sample");
    tcase_add_unchecked_fixture(tc, build_db, unbuild_db);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, cancelled_request);
    tcase_add_test(tc, wildcards_bounded_together);
    suite_add_tcase(s, tc);
    return th_run_suite(s, 1);
}
