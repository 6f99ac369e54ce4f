/* fuzz-request.c: the protocol's request decoder, as the daemon reads a
 * line (doc/PROTOCOL.md): a line that starts with '{' is parsed as JSON
 * and decoded by srch_request_from_json (src/search/json.c), and a request
 * it accepts is searched on the sample archive. A refused one has a
 * message; an accepted one has sane values and an ok answer.
 * (To re-point at the request dispatcher when it replaces the decoder.) */
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
    if (!size || data[0] != '{')
        return 0; /* a plain line is a query: fuzz-query's business */
    json_error_t jerr;
    json_t *obj = json_loadb((const char *)data, size, 0, &jerr);
    if (!obj)
        return 0;
    srch_request req;
    char err[256];
    int rc = srch_request_from_json(obj, &req, err, sizeof err);
    FUZZ_CHECK(rc == SRCH_OK || rc == SRCH_ERR_BAD_REQUEST);
    if (rc != SRCH_OK) {
        FUZZ_CHECK(err[0] != '\0' && fuzz_utf8_ok(err, strlen(err)));
        json_decref(obj);
        return 0;
    }
    FUZZ_CHECK(!req.lang || !strcmp(req.lang, "en") || !strcmp(req.lang, "fr"));
    FUZZ_CHECK(req.snippet_words >= -1 && req.snippet_words <= 200);
    size_t nc = 0, nt = 0; /* both lists end within their arrays */
    while (nc < SRCH_MAX_FILTER_VALUES && req.categories[nc])
        nc++;
    while (nt < SRCH_MAX_FILTER_VALUES && req.tags[nt])
        nt++;
    FUZZ_CHECK(nc < SRCH_MAX_FILTER_VALUES && nt < SRCH_MAX_FILTER_VALUES);
    json_t *ans = NULL;
    rc = srch_search(fuzz_sample_engine(), &req, &ans);
    FUZZ_CHECK(rc == SRCH_OK || rc == SRCH_ERR_BAD_REQUEST);
    if (rc == SRCH_OK)
        FUZZ_CHECK(json_is_true(json_object_get(ans, "ok")));
    json_decref(ans);
    json_decref(obj);
    return 0;
}
