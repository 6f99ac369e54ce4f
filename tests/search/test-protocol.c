/* test-protocol.c: the line protocol's one dispatcher (src/search/protocol.c)
 * on a real database built by the real indexer from the sample archive:
 * reading a line, the op table, the id rule, the checks of each op's
 * fields, the error answers and their codes, and that srch_handle() answers
 * exactly what the engine's own calls answer, plus the request's id. */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/testhelp.h"
#include "search/search.h"

static char *tmp, *dbdir;
static srch_engine *eng;

static void setup(void)
{
    const char *top = getenv("top_builddir");
    char cmd[4096];
    tmp = th_tmpdir("protocol");
    ck_assert_ptr_nonnull(tmp);
    dbdir = th_path(tmp, "db");
    snprintf(cmd, sizeof cmd,
             "'%s/src/socasma-index' --quiet --config /dev/null --db '%s' "
             "'%s/index/sample/sample.jsonl' >/dev/null",
             top ? top : ".", dbdir, th_srcdir());
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(srch_engine_new(dbdir, NULL, &eng), SRCH_OK);
}

static void teardown(void)
{
    srch_engine_free(eng);
    th_rmtree(tmp);
    free(tmp);
    free(dbdir);
}

static json_t *parse(const char *text)
{
    json_error_t je;
    json_t *o = json_loads(text, 0, &je);
    ck_assert_msg(o != NULL, "%s: %s", text, je.text);
    return o;
}

/* The error code of an answer, or NULL when it is not an error answer. */
static const char *code_of(const json_t *a)
{
    if (json_is_true(json_object_get(a, "ok")))
        return NULL;
    return json_string_value(json_object_get(json_object_get(a, "error"), "code"));
}

/* srch_handle() on the request text: its status, and the answer's code
 * ("ok" when it is not an error). The answer is returned (decref it). */
static json_t *handle(const char *text, int want_status, const char *want_code)
{
    json_t *req = parse(text), *ans = NULL;
    int st = srch_handle(eng, req, &ans);
    ck_assert_msg(st == want_status, "%s: status %d, want %d", text, st, want_status);
    ck_assert_ptr_nonnull(ans);
    const char *code = code_of(ans);
    ck_assert_str_eq(code ? code : "ok", want_code);
    ck_assert_str_eq(srch_status_code(st), want_code);
    json_decref(req);
    return ans;
}

/* The answer without took_ms, as text. */
static char *without_time(json_t *a)
{
    json_t *c = json_deep_copy(a);
    json_object_del(c, "took_ms");
    char *s = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(c);
    return s;
}

START_TEST(status_codes)
{
    /* Every status of the table has its own code, and they are the
     * protocol's (doc/PROTOCOL.md). */
    static const struct {
        int st;
        const char *code;
    } want[] = {
        {SRCH_OK, "ok"},
        {SRCH_ERR_BAD_REQUEST, "bad_request"},
        {SRCH_ERR_TOO_LONG, "too_long"},
        {SRCH_ERR_OVERLOADED, "overloaded"},
        {SRCH_ERR_TIMEOUT, "timeout"},
        {SRCH_ERR_UNAVAILABLE, "unavailable"},
        {SRCH_ERR_INTERNAL, "internal"},
        {SRCH_ERR_NOT_FOUND, "not_found"},
        {SRCH_ERR_FORBIDDEN, "forbidden"},
        {SRCH_ERR_BUSY, "busy"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        ck_assert_str_eq(srch_status_code(want[i].st), want[i].code);
        for (size_t j = 0; j < i; j++)
            ck_assert_int_ne(want[i].st, want[j].st);
    }
    ck_assert_str_eq(srch_status_code(-1000), "internal");
    int n = 0;
#define COUNT(name, value, code) n++;
    SRCH_ERRNO_MAP(COUNT)
#undef COUNT
    ck_assert_int_eq(n + 1, (int)(sizeof want / sizeof want[0]));
}
END_TEST

START_TEST(op_table)
{
    static const char *const names[] = {"search",  "suggest", "doc",   "stats",
                                        "ping",    "version", "put",   "delete"};
    ck_assert_int_eq(SRCH_OP_COUNT, 8);
    for (int i = 0; i < SRCH_OP_COUNT; i++) {
        ck_assert_str_eq(srch_op_name((srch_op)i), names[i]);
        char text[64];
        snprintf(text, sizeof text, "{\"op\":\"%s\"}", names[i]);
        json_t *req = parse(text), *ans = NULL;
        srch_op op;
        ck_assert_int_eq(srch_request_op(req, &op, &ans), SRCH_OK);
        ck_assert_int_eq(op, i);
        ck_assert_ptr_null(ans);
        json_decref(req);
    }
    ck_assert_int_eq(srch_op_runner(SRCH_OP_SEARCH), SRCH_RUN_ENGINE);
    ck_assert_int_eq(srch_op_runner(SRCH_OP_STATS), SRCH_RUN_ENGINE);
    ck_assert_int_eq(srch_op_runner(SRCH_OP_PING), SRCH_RUN_HOST);
    ck_assert_int_eq(srch_op_runner(SRCH_OP_VERSION), SRCH_RUN_HOST);
    ck_assert_int_eq(srch_op_runner(SRCH_OP_PUT), SRCH_RUN_WRITER);
    ck_assert_int_eq(srch_op_runner(SRCH_OP_DELETE), SRCH_RUN_WRITER);
    ck_assert_str_eq(srch_op_name(SRCH_OP_COUNT), "?");
    /* no op, an op that is not a string, an unknown op: bad_request with
     * the request's id */
    static const char *const bad[] = {"{\"id\":4}", "{\"op\":5,\"id\":4}",
                                      "{\"op\":\"frobnicate\",\"id\":4}",
                                      "{\"op\":\"Search\",\"id\":4}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *req = parse(bad[i]), *ans = NULL;
        srch_op op;
        ck_assert_int_eq(srch_request_op(req, &op, &ans), SRCH_ERR_BAD_REQUEST);
        ck_assert_int_eq(op, SRCH_OP_COUNT);
        ck_assert_str_eq(code_of(ans), "bad_request");
        ck_assert_int_eq(json_integer_value(json_object_get(ans, "id")), 4);
        json_decref(ans);
        json_decref(req);
    }
}
END_TEST

START_TEST(read_line)
{
    json_t *req, *ans;
    /* a plain line: a search for its text */
    ck_assert_int_eq(srch_read_line("permis restrictif", 17, &req, &ans), SRCH_OK);
    ck_assert_ptr_null(ans);
    ck_assert_str_eq(json_string_value(json_object_get(req, "op")), "search");
    ck_assert_str_eq(json_string_value(json_object_get(req, "q")), "permis restrictif");
    json_decref(req);
    /* a JSON array is not an object: a plain search too */
    ck_assert_int_eq(srch_read_line("[1,2]", 5, &req, &ans), SRCH_OK);
    ck_assert_str_eq(json_string_value(json_object_get(req, "q")), "[1,2]");
    json_decref(req);
    /* an object */
    const char *o = "{\"op\":\"ping\",\"id\":\"x\"}";
    ck_assert_int_eq(srch_read_line(o, strlen(o), &req, &ans), SRCH_OK);
    ck_assert_str_eq(json_string_value(json_object_get(req, "id")), "x");
    json_decref(req);
    /* broken JSON, invalid UTF-8, a NUL byte inside JSON: bad_request */
    static const char *const bad[] = {"{\"op\":\"search\",", "caf\xe9 \xff", "{\"q\":\"a\0b\"}"};
    static const size_t badlen[] = {15, 7, 11};
    for (size_t i = 0; i < 3; i++) {
        ck_assert_int_eq(srch_read_line(bad[i], badlen[i], &req, &ans), SRCH_ERR_BAD_REQUEST);
        ck_assert_ptr_null(req);
        ck_assert_str_eq(code_of(ans), "bad_request");
        ck_assert_ptr_null(json_object_get(ans, "id"));
        json_decref(ans);
    }
}
END_TEST

START_TEST(id_rule)
{
    /* strings and numbers are echoed; anything else is not an id */
    static const char *const echoed[] = {"\"a\"", "7", "2.5", "-3", "\"\""};
    static const char *const dropped[] = {"[1]", "{}", "true", "null"};
    char text[128];
    for (size_t i = 0; i < sizeof echoed / sizeof echoed[0]; i++) {
        snprintf(text, sizeof text, "{\"op\":\"stats\",\"id\":%s}", echoed[i]);
        json_t *req = parse(text);
        json_t *a = handle(text, SRCH_OK, "ok");
        ck_assert(json_equal(json_object_get(a, "id"), json_object_get(req, "id")));
        json_decref(a);
        a = srch_error_answer(req, SRCH_ERR_TIMEOUT, "late");
        ck_assert(json_equal(json_object_get(a, "id"), json_object_get(req, "id")));
        json_decref(a);
        json_decref(req);
    }
    for (size_t i = 0; i < sizeof dropped / sizeof dropped[0]; i++) {
        snprintf(text, sizeof text, "{\"op\":\"stats\",\"id\":%s}", dropped[i]);
        json_t *a = handle(text, SRCH_OK, "ok");
        ck_assert_ptr_null(json_object_get(a, "id"));
        json_decref(a);
    }
}
END_TEST

START_TEST(search_is_the_engine_s)
{
    /* The dispatcher's answer is the engine's, plus the id. */
    json_t *a = handle("{\"op\":\"search\",\"q\":\"residency\",\"lang\":\"en\",\"limit\":3,"
                       "\"facets\":true,\"id\":11}",
                       SRCH_OK, "ok");
    ck_assert_int_eq(json_integer_value(json_object_get(a, "id")), 11);
    json_object_del(a, "id");
    srch_request r;
    srch_request_init(&r);
    r.q = "residency";
    r.lang = "en";
    r.limit = 3;
    r.facets = 1;
    json_t *b = NULL;
    ck_assert_int_eq(srch_search(eng, &r, &b), SRCH_OK);
    char *sa = without_time(a), *sb = without_time(b);
    ck_assert_str_eq(sa, sb);
    ck_assert_int_eq(json_array_size(json_object_get(a, "hits")), 3);
    free(sa);
    free(sb);
    json_decref(a);
    json_decref(b);
    /* a bad field: bad_request, with the field named and the id */
    a = handle("{\"op\":\"search\",\"q\":\"x\",\"offset\":-1,\"id\":\"n\"}", SRCH_ERR_BAD_REQUEST,
               "bad_request");
    ck_assert_ptr_nonnull(strstr(
        json_string_value(json_object_get(json_object_get(a, "error"), "message")), "offset"));
    ck_assert_str_eq(json_string_value(json_object_get(a, "id")), "n");
    json_decref(a);
}
END_TEST

START_TEST(suggest_doc_stats)
{
    /* suggest: completions of the last word; "prefix" for "q"; limit kept
     * within the engine's maximum */
    json_t *a = handle("{\"op\":\"suggest\",\"q\":\"perm\",\"limit\":1000}", SRCH_OK, "ok");
    json_t *comp = json_object_get(a, "completions");
    ck_assert_int_gt(json_array_size(comp), 0);
    ck_assert_int_le(json_array_size(comp), SRCH_SUGGEST_MAX);
    size_t i;
    json_t *v;
    json_array_foreach(comp, i, v)
    {
        ck_assert_msg(strncmp(json_string_value(v), "perm", 4) == 0, "%s", json_string_value(v));
    }
    json_decref(a);
    a = handle("{\"op\":\"suggest\",\"prefix\":\"perm\",\"limit\":2}", SRCH_OK, "ok");
    ck_assert_int_eq(json_array_size(json_object_get(a, "completions")), 2);
    json_decref(a);
    json_decref(handle("{\"op\":\"suggest\",\"q\":5}", SRCH_ERR_BAD_REQUEST, "bad_request"));
    json_decref(handle("{\"op\":\"suggest\",\"q\":\"p\",\"limit\":-1}", SRCH_ERR_BAD_REQUEST,
                       "bad_request"));
    /* doc: the post of a search hit, by its id (string or number) */
    a = handle("{\"op\":\"search\",\"q\":\"permis\",\"limit\":1}", SRCH_OK, "ok");
    json_t *hit = json_array_get(json_object_get(a, "hits"), 0);
    const char *id = json_string_value(json_object_get(hit, "id"));
    ck_assert_ptr_nonnull(id);
    char text[256];
    snprintf(text, sizeof text, "{\"op\":\"doc\",\"doc_id\":\"%s\",\"id\":1}", id);
    json_t *d = handle(text, SRCH_OK, "ok");
    json_t *doc = json_object_get(d, "doc");
    ck_assert_str_eq(json_string_value(json_object_get(doc, "id")), id);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "title")),
                     json_string_value(json_object_get(hit, "title")));
    ck_assert_int_eq(json_integer_value(json_object_get(d, "id")), 1);
    json_decref(d);
    json_decref(a);
    d = handle("{\"op\":\"doc\",\"doc_id\":\"no-such-post\",\"id\":2}", SRCH_ERR_NOT_FOUND,
               "not_found");
    ck_assert_int_eq(json_integer_value(json_object_get(d, "id")), 2);
    json_decref(d);
    json_decref(handle("{\"op\":\"doc\"}", SRCH_ERR_BAD_REQUEST, "bad_request"));
    json_decref(handle("{\"op\":\"doc\",\"doc_id\":[1]}", SRCH_ERR_BAD_REQUEST, "bad_request"));
    /* stats: the database's figures */
    a = handle("{\"op\":\"stats\"}", SRCH_OK, "ok");
    ck_assert_int_eq(json_integer_value(json_object_get(a, "posts")), 31);
    json_decref(a);
}
END_TEST

START_TEST(not_answered_here)
{
    /* the host's ops are refused by the engine's dispatcher */
    json_decref(handle("{\"op\":\"ping\",\"id\":1}", SRCH_ERR_BAD_REQUEST, "bad_request"));
    json_decref(handle("{\"op\":\"version\"}", SRCH_ERR_BAD_REQUEST, "bad_request"));
    /* and so are the writer's: the command line never writes */
    json_decref(handle("{\"op\":\"put\",\"post\":{\"id\":\"x\"}}", SRCH_ERR_BAD_REQUEST,
                       "bad_request"));
    json_decref(handle("{\"op\":\"delete\",\"ids\":[\"x\"]}", SRCH_ERR_BAD_REQUEST,
                       "bad_request"));
    /* without an engine: internal, with the id */
    json_t *req = parse("{\"op\":\"search\",\"q\":\"x\",\"id\":\"z\"}"), *ans = NULL;
    ck_assert_int_eq(srch_handle(NULL, req, &ans), SRCH_ERR_INTERNAL);
    ck_assert_str_eq(code_of(ans), "internal");
    ck_assert_str_eq(json_string_value(json_object_get(ans, "id")), "z");
    json_decref(ans);
    json_decref(req);
    /* a missing database: unavailable */
    srch_engine *e2 = NULL;
    char *missing = th_path(tmp, "missing");
    ck_assert_int_eq(srch_engine_new(missing, NULL, &e2), SRCH_OK);
    req = parse("{\"op\":\"search\",\"q\":\"permis\"}");
    ck_assert_int_eq(srch_handle(e2, req, &ans), SRCH_ERR_UNAVAILABLE);
    ck_assert_str_eq(code_of(ans), "unavailable");
    json_decref(ans);
    json_decref(req);
    srch_engine_free(e2);
    free(missing);
}
END_TEST

/* srch_write_from_json() on the request text: its status and message. */
static int write_of(const char *text, srch_write **w, char *msg, size_t len)
{
    json_t *req = parse(text);
    int st = srch_write_from_json(req, 0, w, msg, len);
    json_decref(req);
    return st;
}

START_TEST(write_requests)
{
    char msg[512];
    srch_write *w = NULL;
    /* posts, in order, every field read as the JSON Lines reader reads it */
    ck_assert_int_eq(write_of("{\"op\":\"put\",\"posts\":[{\"id\":\"a\",\"title\":\"T\","
                              "\"date\":\"2024-01-02T10:00:00\",\"tags\":\"x\",\"body\":\"B\"},"
                              "{\"id\":7}]}",
                              &w, msg, sizeof msg),
                     SRCH_OK);
    ck_assert_int_eq(w->op, SRCH_OP_PUT);
    ck_assert_uint_eq(w->nposts, 2);
    ck_assert_str_eq(w->posts[0]->id, "a");
    ck_assert_str_eq(w->posts[0]->date, "2024-01-02");
    ck_assert_uint_eq(w->posts[0]->ntags, 1);
    ck_assert_str_eq(w->posts[0]->body, "B");
    ck_assert_str_eq(w->posts[1]->id, "7");
    srch_write_free(w);
    /* content: the WXR reader's rules */
    ck_assert_int_eq(write_of("{\"op\":\"put\",\"post\":{\"id\":\"wp-3\",\"title\":\" Fish &amp; "
                              "chips \",\"date\":\"0000-00-00 00:00:00\",\"categories\":"
                              "[\"Arts &amp; Lettres\",\" \",\"Fran\u00e7ais\"],\"content\":"
                              "\"<p>One &amp; <b>two</b></p><script>x()</script><p>Three</p>\"}}",
                              &w, msg, sizeof msg),
                     SRCH_OK);
    ck_assert_uint_eq(w->nposts, 1);
    ck_assert_str_eq(w->posts[0]->title, "Fish & chips");
    ck_assert_str_eq(w->posts[0]->date, "");
    ck_assert_uint_eq(w->posts[0]->ncategories, 2);
    ck_assert_str_eq(w->posts[0]->categories[0], "Arts & Lettres");
    ck_assert_str_eq(w->posts[0]->lang, "fr");
    ck_assert_str_eq(w->posts[0]->body, "One & two\n\nThree");
    srch_write_free(w);
    /* delete: ids, integers as strings */
    ck_assert_int_eq(write_of("{\"op\":\"delete\",\"ids\":[\"wp-1\",12]}", &w, msg, sizeof msg),
                     SRCH_OK);
    ck_assert_int_eq(w->op, SRCH_OP_DELETE);
    ck_assert_uint_eq(w->nids, 2);
    ck_assert_str_eq(w->ids[1], "12");
    srch_write_free(w);
    /* refused whole, the post and the field named */
    static const struct {
        const char *req, *msg;
    } bad[] = {
        {"{\"op\":\"put\",\"posts\":[{\"id\":\"a\"},{\"id\":\"b\",\"lang\":\"de\"}]}",
         "posts[1]: invalid lang \"de\" (expected en, fr or mixed)"},
        {"{\"op\":\"put\",\"posts\":[{\"id\":\"a\",\"title\":3}]}", "posts[0]: title is not a string"},
        {"{\"op\":\"put\",\"posts\":[{\"id\":\"a\"},5]}", "posts[1]: a post must be a JSON object"},
        {"{\"op\":\"put\",\"post\":{\"id\":\"\"}}", "post: post has no id"},
        {"{\"op\":\"put\",\"post\":{\"id\":\"a\",\"content\":7}}", "post: content is not a string"},
        {"{\"op\":\"put\",\"post\":[]}", "\"post\" must be an object (a post)"},
        {"{\"op\":\"put\",\"posts\":[]}", "\"put\" needs \"posts\""},
        {"{\"op\":\"put\"}", "\"put\" needs \"posts\""},
        {"{\"op\":\"delete\",\"ids\":\"a\"}", "\"delete\" needs \"ids\""},
        {"{\"op\":\"delete\",\"ids\":[\"a\",\"\"]}", "ids[1]: an id must be"},
        {"{\"op\":\"delete\",\"ids\":[\"a\\u0000b\"]}", "ids[0]: an id must be"},
        {"{\"op\":\"search\"}", "not a write request"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        w = (srch_write *)1;
        ck_assert_int_eq(write_of(bad[i].req, &w, msg, sizeof msg), SRCH_ERR_BAD_REQUEST);
        ck_assert_ptr_null(w);
        ck_assert_msg(strstr(msg, bad[i].msg) == msg, "%s: got [%s]", bad[i].req, msg);
    }
    /* the bounds: posts per request, a post's size */
    json_t *many = json_pack("{s:s,s:[]}", "op", "put", "posts");
    for (int i = 0; i <= SRCH_WRITE_MAX_POSTS; i++)
        json_array_append_new(json_object_get(many, "posts"), json_pack("{s:i}", "id", i));
    ck_assert_int_eq(srch_write_from_json(many, 0, &w, msg, sizeof msg), SRCH_ERR_BAD_REQUEST);
    ck_assert_ptr_nonnull(strstr(msg, "send them in batches"));
    json_decref(many);
    json_t *big = json_pack("{s:s,s:{s:s,s:s}}", "op", "put", "post", "id", "a", "body",
                            "0123456789012345678901234567890123456789");
    ck_assert_int_eq(srch_write_from_json(big, 1024, &w, msg, sizeof msg), SRCH_OK);
    srch_write_free(w);
    char *text = malloc(2000);
    memset(text, 'x', 1999);
    text[1999] = '\0';
    json_object_set_new(json_object_get(big, "post"), "body", json_string(text));
    free(text);
    ck_assert_int_eq(srch_write_from_json(big, 1024, &w, msg, sizeof msg), SRCH_ERR_BAD_REQUEST);
    ck_assert_str_eq(msg, "post: post larger than 1 KiB (max_post_bytes)");
    json_decref(big);
    /* the answer */
    srch_write_result r = {1, 2, 3, 4, 5, 99};
    json_t *req = parse("{\"op\":\"put\",\"id\":\"q\"}");
    json_t *ans = srch_write_answer(req, &r);
    char *line = json_dumps(ans, JSON_COMPACT);
    json_decref(ans);
    ck_assert_str_eq(line, "{\"ok\":true,\"added\":1,\"updated\":2,\"unchanged\":3,\"deleted\":4,"
                           "\"missing\":5,\"revision\":99,\"id\":\"q\"}");
    free(line);
    json_decref(req);
}
END_TEST

START_TEST(answer_line)
{
    json_t *a =
        handle("{\"op\":\"search\",\"q\":\"l'\\u00e9quivalence\",\"id\":\"q\\n\"}", SRCH_OK, "ok");
    json_t *copy = json_deep_copy(a);
    size_t len = 0;
    int st = SRCH_OK;
    char *line = srch_answer_line(a, &len, &st);
    ck_assert_ptr_nonnull(line);
    ck_assert_int_eq(st, SRCH_OK);
    ck_assert_uint_eq(len, strlen(line));
    ck_assert_int_eq(line[len - 1], '\n');
    ck_assert_ptr_eq(memchr(line, '\n', len - 1), NULL); /* one line */
    json_error_t je;
    json_t *back = json_loadb(line, len - 1, 0, &je);
    ck_assert_ptr_nonnull(back);
    ck_assert(json_equal(back, copy));
    json_decref(back);
    json_decref(copy);
    free(line);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("protocol");
    TCase *tc = tcase_create("protocol");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, status_codes);
    tcase_add_test(tc, op_table);
    tcase_add_test(tc, read_line);
    tcase_add_test(tc, id_rule);
    tcase_add_test(tc, search_is_the_engine_s);
    tcase_add_test(tc, suggest_doc_stats);
    tcase_add_test(tc, not_answered_here);
    tcase_add_test(tc, answer_line);
    tcase_add_test(tc, write_requests);
    suite_add_tcase(s, tc);
    return th_run_suite(s, 1);
}
