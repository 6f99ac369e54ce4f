/* test-text-corpus.c: the analyser against data: libstemmer through
 * txt_stem_word against Snowball's reference vocabularies (from
 * $SOCASMA_SHARED/stemming, skipped when absent), and the property that a
 * word of a sample post, typed upper-case, without accents or with the other
 * apostrophe, gives on the query side a term that the index side of the post
 * contains (the project's index/sample/sample.jsonl, parsed with jansson). */
#include <config.h>

#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/testhelp.h"
#include "text/text.h"

static txt_analyser *an;

static void setup(void)
{
    ck_assert_int_eq(txt_analyser_new(&an), TXT_OK);
}

static void teardown(void)
{
    txt_analyser_free(an);
}

/* ---- Snowball vocabularies ---- */

static size_t check_vocabulary(const char *lang_dir, txt_lang lang)
{
    const char *shared = th_shared_dir();
    if (!shared)
        return 0;
    char path[4096];
    snprintf(path, sizeof path, "%s/stemming/%s/voc.txt", shared, lang_dir);
    size_t vlen, olen;
    char *voc = th_read_file(path, &vlen);
    snprintf(path, sizeof path, "%s/stemming/%s/output.txt", shared, lang_dir);
    char *outp = th_read_file(path, &olen);
    if (!voc || !outp) {
        free(voc);
        free(outp);
        return 0;
    }
    size_t n = 0, bad = 0;
    char *vs = voc, *os = outp;
    for (;;) {
        char *ve = strchr(vs, '\n'), *oe = strchr(os, '\n');
        if (!ve || !oe)
            break;
        *ve = *oe = '\0';
        const char *st;
        size_t sl;
        ck_assert_int_eq(txt_stem_word(an, lang, vs, strlen(vs), &st, &sl), TXT_OK);
        if (sl != strlen(os) || memcmp(st, os, sl) != 0) {
            if (bad++ < 10)
                fprintf(stderr, "%s: %s -> %.*s, want %s\n", lang_dir, vs, (int)sl, st, os);
        }
        n++;
        vs = ve + 1;
        os = oe + 1;
    }
    free(voc);
    free(outp);
    ck_assert_msg(bad == 0, "%zu of %zu %s words stemmed wrongly", bad, n, lang_dir);
    return n;
}

START_TEST(test_snowball_vocabularies)
{
    size_t en = check_vocabulary("english", TXT_LANG_EN);
    size_t fr = check_vocabulary("french", TXT_LANG_FR);
    if (!th_shared_dir())
        return; /* counted as passed: nothing to compare against */
    printf("snowball vocabularies: %zu English, %zu French words\n", en, fr);
    ck_assert_uint_gt(en, 1000);
    ck_assert_uint_gt(fr, 1000);
}
END_TEST

/* ---- property over the sample archive ---- */

typedef struct {
    char **v;
    size_t n, cap;
} strset;

static void set_add(strset *s, const char *str)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 256;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        ck_assert_ptr_nonnull(s->v);
    }
    s->v[s->n++] = strdup(str);
}

static int set_has(const strset *s, const char *str)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], str) == 0)
            return 1;
    return 0;
}

static void set_free(strset *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
}

static void index_terms(const char *text, txt_lang lang, strset *set)
{
    txt_options o = {lang, TXT_LANG_NONE, 0};
    txt_result r;
    ck_assert_int_eq(txt_analyse(an, text, strlen(text), &o, 1, &r), TXT_OK);
    char buf[1024];
    for (size_t i = 0; i < r.ntokens; i++) {
        snprintf(buf, sizeof buf, "W:%s", r.tokens[i].word);
        set_add(set, buf);
        for (unsigned j = 0; j < r.tokens[i].nstems; j++) {
            snprintf(buf, sizeof buf, "%s:%s", txt_lang_code(r.tokens[i].stems[j].lang),
                     r.tokens[i].stems[j].term);
            set_add(set, buf);
        }
    }
}

/* 1 if every query token of q meets the set. */
static int query_meets(const char *q, const strset *set, char *why, size_t whylen)
{
    txt_options o = {TXT_LANG_NONE, TXT_LANG_NONE, 1};
    txt_result r;
    ck_assert_int_eq(txt_analyse(an, q, strlen(q), &o, 1, &r), TXT_OK);
    char buf[1024];
    for (size_t i = 0; i < r.ntokens; i++) {
        const txt_token *t = &r.tokens[i];
        snprintf(buf, sizeof buf, "W:%s", t->word);
        int ok = set_has(set, buf);
        for (unsigned j = 0; j < t->nstems && !ok; j++) {
            snprintf(buf, sizeof buf, "%s:%s", txt_lang_code(t->stems[j].lang), t->stems[j].term);
            ok = set_has(set, buf);
        }
        if (!ok) {
            snprintf(why, whylen, "query word %s", t->word);
            return 0;
        }
    }
    return 1;
}

static size_t check_post(const char *title, const char *body, const char *langcode)
{
    txt_lang lang = txt_lang_parse(langcode);
    size_t tl = strlen(title), bl = strlen(body);
    char *text = malloc(tl + bl + 3);
    ck_assert_ptr_nonnull(text);
    memcpy(text, title, tl);
    memcpy(text + tl, "\n\n", 2);
    memcpy(text + tl + 2, body, bl + 1);
    strset set = {0};
    index_terms(text, lang, &set);
    size_t nwords = 0;
    /* the post's words, cut on white space with punctuation trimmed */
    char *copy = strdup(text);
    for (char *w = strtok(copy, " \t\n\r"); w; w = strtok(NULL, " \t\n\r")) {
        size_t n = strlen(w);
        while (n && strchr(".,;:!?()[]\"«»/%", w[n - 1]))
            w[--n] = '\0';
        while (*w && strchr(".,;:!?()[]\"«»/", *w))
            w++;
        if (!*w)
            continue;
        for (int mode = -1; mode < 3; mode++) {
            char *q = mode < 0 ? strdup(w) : th_respell(w, mode);
            char why[256];
            ck_assert_msg(query_meets(q, &set, why, sizeof why), "post word [%s] typed [%s]: %s",
                          w, q, why);
            free(q);
        }
        nwords++;
    }
    free(copy);
    set_free(&set);
    free(text);
    return nwords;
}

START_TEST(test_sample_property)
{
    char *path = th_path(th_srcdir(), "index/sample/sample.jsonl");
    FILE *f = fopen(path, "r");
    if (!f && th_shared_dir()) {
        free(path);
        path = th_path(th_shared_dir(), "corpus/sample.jsonl");
        f = fopen(path, "r");
    }
    free(path);
    if (!f)
        return; /* no archive to test against */
    char *line = NULL;
    size_t cap = 0, posts = 0, words = 0;
    while (getline(&line, &cap, f) > 0) {
        json_error_t jerr;
        json_t *post = json_loads(line, 0, &jerr);
        ck_assert_msg(post != NULL, "bad JSON: %s", jerr.text);
        const char *title = json_string_value(json_object_get(post, "title"));
        const char *body = json_string_value(json_object_get(post, "body"));
        const char *lang = json_string_value(json_object_get(post, "lang"));
        words += check_post(title ? title : "", body ? body : "", lang ? lang : "");
        posts++;
        json_decref(post);
    }
    free(line);
    fclose(f);
    printf("sample property: %zu posts, %zu words x 4 spellings\n", posts, words);
    ck_assert_uint_ge(posts, 10);
    ck_assert_uint_ge(words, 200);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("text-corpus");
    TCase *tc = tcase_create("corpus");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_snowball_vocabularies);
    tcase_add_test(tc, test_sample_property);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return th_run_suite(suite(), 0);
}
