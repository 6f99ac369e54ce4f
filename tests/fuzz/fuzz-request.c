/* fuzz-request.c: the protocol's dispatcher, as the daemon and
 * socasma-search run a line (doc/PROTOCOL.md): srch_read_line() reads it
 * (a JSON object, or a plain search), srch_request_op() finds its op, and
 * srch_handle() answers an engine's op on the sample archive, and a write
 * (put, delete) is checked whole by srch_write_from_json(). Whatever the
 * bytes, each step gives a request or an error answer, never both and never
 * neither; every answer is one line of valid UTF-8 JSON with "ok", carries
 * the request's id, and an error names a code of the protocol's table. */
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

/* Checks an answer line: JSON, one line, "ok", the id echoed, an error's
 * code known. Consumes answer. */
static void check_answer(const json_t *request, json_t *answer, int status)
{
    FUZZ_CHECK(answer != NULL);
    json_t *ok = json_object_get(answer, "ok");
    FUZZ_CHECK(json_is_boolean(ok));
    FUZZ_CHECK(json_is_true(ok) == (status == SRCH_OK));
    json_t *id = request ? srch_request_id(request) : NULL;
    if (id)
        FUZZ_CHECK(json_equal(id, json_object_get(answer, "id")));
    if (!json_is_true(ok)) {
        json_t *err = json_object_get(answer, "error");
        const char *code = json_string_value(json_object_get(err, "code"));
        FUZZ_CHECK(code && strcmp(code, srch_status_code(status)) == 0);
    }
    size_t len = 0;
    int st = status;
    char *line = srch_answer_line(answer, &len, &st);
    FUZZ_CHECK(line && len > 0 && line[len - 1] == '\n');
    FUZZ_CHECK(memchr(line, '\n', len - 1) == NULL);
    FUZZ_CHECK(fuzz_utf8_ok(line, len));
    json_error_t jerr;
    json_t *back = json_loadb(line, len, 0, &jerr);
    FUZZ_CHECK(back != NULL);
    json_decref(back);
    free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (memchr(data, '\n', size))
        return 0; /* the daemon frames lines: one never holds a newline */
    json_t *req = NULL, *ans = NULL;
    int rc = srch_read_line((const char *)data, size, &req, &ans);
    FUZZ_CHECK((req != NULL) != (ans != NULL));
    if (rc != SRCH_OK) {
        FUZZ_CHECK(rc == SRCH_ERR_BAD_REQUEST);
        check_answer(NULL, ans, rc);
        return 0;
    }
    srch_op op;
    rc = srch_request_op(req, &op, &ans);
    if (rc != SRCH_OK) {
        FUZZ_CHECK(rc == SRCH_ERR_BAD_REQUEST && ans != NULL);
        check_answer(req, ans, rc);
        json_decref(req);
        return 0;
    }
    FUZZ_CHECK(op < SRCH_OP_COUNT);
    if (srch_op_runner(op) == SRCH_RUN_WRITER) {
        /* checked whole: a write, or a refusal with a message */
        srch_write *w = NULL;
        char msg[512];
        int wrc = srch_write_from_json(req, 4096, &w, msg, sizeof msg);
        FUZZ_CHECK(wrc == SRCH_OK || wrc == SRCH_ERR_BAD_REQUEST);
        FUZZ_CHECK((wrc == SRCH_OK) == (w != NULL));
        FUZZ_CHECK(wrc == SRCH_OK || msg[0]);
        if (w) {
            FUZZ_CHECK(w->op == op && w->nposts + w->nids > 0);
            for (size_t i = 0; i < w->nposts; i++)
                FUZZ_CHECK(w->posts[i]->id[0] && fuzz_utf8_ok(w->posts[i]->body,
                                                               strlen(w->posts[i]->body)));
        }
        srch_write_free(w);
    }
    rc = srch_handle(fuzz_sample_engine(), req, &ans);
    if (srch_op_runner(op) != SRCH_RUN_ENGINE)
        FUZZ_CHECK(rc == SRCH_ERR_BAD_REQUEST);
    else
        FUZZ_CHECK(rc == SRCH_OK || rc == SRCH_ERR_BAD_REQUEST || rc == SRCH_ERR_NOT_FOUND);
    check_answer(req, ans, rc);
    json_decref(req);
    return 0;
}
