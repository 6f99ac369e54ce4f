/* fuzz-query.c: the query language and the whole search behind it (parse,
 * match, facets, spelling, snippets) on the sample archive. The first byte
 * picks the language, facets, sort and snippets; the rest is the query. A
 * query never fails: the answer is ok, with at most `limit` hits, each
 * with an id, and its suggestion (if any) valid UTF-8; the same text as a
 * search-as-you-type prefix is answered too. */
#include <config.h>

#include <string.h>

#include "fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_sample_engine();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    srch_engine *e = fuzz_sample_engine();
    unsigned sel = size ? data[0] : 0;
    char *q = malloc(size ? size : 1); /* the query, NUL-terminated */
    FUZZ_CHECK(q != NULL);
    if (size > 1)
        memcpy(q, data + 1, size - 1);
    q[size ? size - 1 : 0] = '\0';
    srch_request req;
    srch_request_init(&req);
    req.q = q;
    req.lang = sel % 3 == 1 ? "en" : sel % 3 == 2 ? "fr" : NULL;
    req.facets = sel / 3 % 2;
    req.sort = sel / 6 % 2 ? SRCH_SORT_DATE : SRCH_SORT_RELEVANCE;
    req.snippet_words = sel / 12 % 2 ? 0 : -1;
    req.limit = 1 + sel / 24;
    json_t *ans = NULL;
    int rc = srch_search(e, &req, &ans);
    if (rc != SRCH_OK)
        fprintf(stderr, "search failed: %s\n", srch_errmsg(e));
    FUZZ_CHECK(rc == SRCH_OK);
    FUZZ_CHECK(json_is_true(json_object_get(ans, "ok")));
    json_t *hits = json_object_get(ans, "hits");
    FUZZ_CHECK(json_is_array(hits) && json_array_size(hits) <= req.limit);
    size_t i;
    json_t *h;
    json_array_foreach(hits, i, h)
    {
        FUZZ_CHECK(json_is_string(json_object_get(h, "id")));
    }
    json_t *sug = json_object_get(ans, "suggestion");
    FUZZ_CHECK(!sug || json_is_null(sug) ||
               (json_is_string(sug) &&
                fuzz_utf8_ok(json_string_value(sug), strlen(json_string_value(sug)))));
    json_decref(ans);
    ans = NULL;
    FUZZ_CHECK(srch_suggest(e, q, 5, &ans) == SRCH_OK);
    FUZZ_CHECK(json_is_true(json_object_get(ans, "ok")));
    json_decref(ans);
    free(q);
    return 0;
}
