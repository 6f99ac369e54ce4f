/* test-sample-words.c: issue 3's property, end to end. The real indexer
 * (src/socasma-index, run as a program) builds a database from the
 * project's sample archive (index/sample/sample.jsonl); then, for every
 * post and every distinct word of its title and text as the indexer stored
 * them, the word typed as is, in upper case, without accents and with the
 * other apostrophe (' for ’ and back) is searched through the search library
 * (src/search, the code behind socasma-search and the daemon), with no
 * language given, as a search box sends it; the post must be among the hits.
 *
 * The assertion is exact: every search asks for as many hits as there are
 * posts, so a post that matched cannot fall off the page, and a hit list
 * that came from a spelling correction ("corrected") does not count.
 *
 * Words are all the distinct whitespace-separated words of each post, with
 * surrounding punctuation trimmed, stopwords included (a query made only of
 * stopwords searches them), except those that give no term at all (a lone
 * dash). Upper case makes operators of "et", "ou", "and", "or", "not":
 * alone they do not parse, so they are searched as the words they are. */
#include <config.h>

#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/testhelp.h"
#include "search/search.h"
#include "text/text.h"

static char *tmp, *dbdir;
static srch_engine *eng;
static txt_analyser *an;

/* Runs the real indexer on the sample archive into dbdir. */
static void build_db(void)
{
    const char *top = getenv("top_builddir");
    char *indexer = th_path(top ? top : ".", "src/socasma-index");
    char *sample = th_path(th_srcdir(), "index/sample/sample.jsonl");
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        execl(indexer, indexer, "--quiet", "--config", "/dev/null", "--db", dbdir, sample,
              (char *)NULL);
        perror(indexer);
        _exit(127);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s failed (status %d)", indexer,
                  status);
    free(indexer);
    free(sample);
}

static void setup(void)
{
    tmp = th_tmpdir("sample-words");
    ck_assert_ptr_nonnull(tmp);
    dbdir = th_path(tmp, "db");
    build_db();
    srch_options opt;
    srch_options_init(&opt);
    opt.max_limit = 1000; /* room for every post of the sample on one page */
    ck_assert_int_eq(srch_engine_new(dbdir, &opt, &eng), SRCH_OK);
    ck_assert_int_eq(txt_analyser_new(&an), TXT_OK);
}

static void teardown(void)
{
    txt_analyser_free(an);
    srch_engine_free(eng);
    th_rmtree(tmp);
    free(tmp);
    free(dbdir);
}

/* 1 when the query-side analysis of w gives a word to search. */
static int searchable(const char *w)
{
    txt_options o = {TXT_LANG_NONE, TXT_LANG_NONE, 1};
    txt_result r;
    ck_assert_int_eq(txt_analyse(an, w, strlen(w), &o, 1, &r), TXT_OK);
    return r.ntokens > 0;
}

static size_t nposts_total;

/* Searches q; fails unless the post id is among the (uncorrected) hits. */
static void expect_found(const char *q, const char *id, const char *word)
{
    srch_request req;
    srch_request_init(&req);
    req.q = q;
    req.limit = (uint32_t)nposts_total;
    req.snippet_words = 0;
    json_t *ans = NULL;
    int rc = srch_search(eng, &req, &ans);
    ck_assert_msg(rc == SRCH_OK, "search [%s] failed: %s", q, srch_errmsg(eng));
    ck_assert_msg(!json_is_true(json_object_get(ans, "corrected")),
                  "post %s word [%s] typed [%s]: hits of a corrected query", id, word, q);
    json_t *hits = json_object_get(ans, "hits");
    int found = 0;
    for (size_t i = 0; i < json_array_size(hits) && !found; i++)
        found = !strcmp(json_string_value(json_object_get(json_array_get(hits, i), "id")), id);
    ck_assert_msg(found, "post %s word [%s] typed [%s]: not among the %zu hits", id, word, q,
                  json_array_size(hits));
    json_decref(ans);
}

typedef struct {
    char **v;
    size_t n, cap;
} strset;

/* Adds s unless present; returns 1 when added. */
static int set_add(strset *set, const char *s)
{
    for (size_t i = 0; i < set->n; i++)
        if (!strcmp(set->v[i], s))
            return 0;
    if (set->n == set->cap) {
        set->cap = set->cap ? set->cap * 2 : 128;
        set->v = realloc(set->v, set->cap * sizeof *set->v);
        ck_assert_ptr_nonnull(set->v);
    }
    set->v[set->n++] = strdup(s);
    return 1;
}

static void set_free(strset *set)
{
    for (size_t i = 0; i < set->n; i++)
        free(set->v[i]);
    free(set->v);
    memset(set, 0, sizeof *set);
}

/* Checks one post: its text is what the indexer stored (the doc op), so
 * HTML never leaks into the words. Returns the number of words checked;
 * adds the number of searches to *searches. */
static size_t check_post(const char *id, size_t *searches)
{
    json_t *d = NULL;
    ck_assert_msg(srch_doc(eng, id, &d) == SRCH_OK, "doc %s: %s", id, srch_errmsg(eng));
    json_t *doc = json_object_get(d, "doc");
    const char *title = json_string_value(json_object_get(doc, "title"));
    const char *body = json_string_value(json_object_get(doc, "body"));
    ck_assert_ptr_nonnull(title);
    ck_assert_ptr_nonnull(body);
    size_t tl = strlen(title), bl = strlen(body);
    char *text = malloc(tl + bl + 3);
    ck_assert_ptr_nonnull(text);
    memcpy(text, title, tl);
    memcpy(text + tl, "\n\n", 2);
    memcpy(text + tl + 2, body, bl + 1);
    json_decref(d);

    strset words = {0};
    char *save = NULL;
    for (char *w = strtok_r(text, " \t\n\r", &save); w; w = strtok_r(NULL, " \t\n\r", &save)) {
        size_t n = strlen(w);
        while (n && strchr(".,;:!?()[]\"«»/%", w[n - 1]))
            w[--n] = '\0';
        while (*w && strchr(".,;:!?()[]\"«»/", *w))
            w++;
        if (*w && searchable(w))
            set_add(&words, w);
    }
    for (size_t i = 0; i < words.n; i++) {
        const char *w = words.v[i];
        strset typed = {0};
        set_add(&typed, w);
        for (int mode = 0; mode < 3; mode++) {
            char *q = th_respell(w, mode);
            set_add(&typed, q);
            free(q);
        }
        for (size_t j = 0; j < typed.n; j++)
            expect_found(typed.v[j], id, w);
        *searches += typed.n;
        set_free(&typed);
    }
    size_t n = words.n;
    set_free(&words);
    free(text);
    return n;
}

START_TEST(test_every_word_finds_its_post)
{
    char *path = th_path(th_srcdir(), "index/sample/sample.jsonl");
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    strset ids = {0};
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        json_error_t jerr;
        json_t *post = json_loads(line, 0, &jerr);
        ck_assert_msg(post != NULL, "%s: bad JSON: %s", path, jerr.text);
        const char *id = json_string_value(json_object_get(post, "id"));
        ck_assert_ptr_nonnull(id);
        set_add(&ids, id);
        json_decref(post);
    }
    free(line);
    fclose(f);
    free(path);
    nposts_total = ids.n;

    size_t words = 0, searches = 0, least = (size_t)-1;
    for (size_t i = 0; i < ids.n; i++) {
        size_t n = check_post(ids.v[i], &searches);
        if (n < least)
            least = n;
        words += n;
    }
    printf("sample words: %zu posts, %zu distinct words (at least %zu a post), %zu searches\n",
           ids.n, words, least, searches);
    ck_assert_uint_ge(ids.n, 30);
    ck_assert_uint_ge(words, 200);
    set_free(&ids);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("sample-words");
    TCase *tc = tcase_create("end-to-end");
    tcase_set_timeout(tc, 300);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_every_word_finds_its_post);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    Suite *s = suite();
    return th_run_suite(s, 0);
}
