/* test-wxr.c: the WordPress export reader: the edge cases of a small
 * fixture (CDATA, entities, skipped drafts, private posts, revisions,
 * attachments and menu items, non-ASCII titles and slugs, shortcodes,
 * nested HTML, author display names, language from a tag), malformed XML,
 * and the same posts from a JSON Lines file and its WXR conversion (the
 * shared corpus and the project's own sample archive, when present). */
#include <config.h>

#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "import/import.h"
#include "lib/testhelp.h"

static char err[1024];

static char *data_path(const char *name)
{
    char *dir = th_path(th_srcdir(), "tests/import/data");
    char *p = th_path(dir, name);
    free(dir);
    return p;
}

/* Reads every post of a source; record errors fail the test. */
static imp_post **read_all(const char *path, imp_format f, size_t *n)
{
    imp_reader *r = NULL;
    ck_assert_msg(imp_open(path, f, &r, err, sizeof err) == IMP_OK, "%s", err);
    imp_post **all = NULL;
    *n = 0;
    for (;;) {
        imp_post *p = NULL;
        int rc = imp_next(r, &p, err, sizeof err);
        if (rc == IMP_DONE) break;
        ck_assert_msg(rc == IMP_OK, "%s: %d %s", path, rc, err);
        ck_assert_str_eq(p->source, path);  /* valid while the reader is open */
        all = realloc(all, (*n + 1) * sizeof *all);
        ck_assert_ptr_nonnull(all);
        all[(*n)++] = p;
    }
    imp_close(r);
    return all;
}

static void free_all(imp_post **all, size_t n)
{
    for (size_t i = 0; i < n; i++) imp_post_free(all[i]);
    free(all);
}

START_TEST(test_edge_cases)
{
    char *path = data_path("edge.wxr.xml");
    size_t n;
    imp_post **all = read_all(path, IMP_FORMAT_AUTO, &n);
    /* Drafts, private posts, revisions, attachments and menu items skipped. */
    ck_assert_uint_eq(n, 3);
    imp_post *p = all[0];
    ck_assert_str_eq(p->id, "wp-11");
    ck_assert_uint_eq(p->line, 18);
    ck_assert_str_eq(p->title, "Entities & CDATA: caf\xc3\xa9");
    ck_assert_str_eq(p->url, "https://example.org/?p=11&lang=en");
    ck_assert_str_eq(p->author, "Carole L.");
    ck_assert_str_eq(p->date, "2021-03-04");
    ck_assert_str_eq(p->lang, "en");
    ck_assert_str_eq(p->body, "Fish & chips, caf\xc3\xa9 and cr\xc3\xa9me br\xc3\xbbl\xc3\xa9" "e.\n\n"
                              "Second paragraph.");
    ck_assert_uint_eq(p->ncategories, 2);
    ck_assert_str_eq(p->categories[0], "News");
    ck_assert_str_eq(p->categories[1], "Arts & Lettres");
    ck_assert_uint_eq(p->ntags, 2);
    ck_assert_str_eq(p->tags[0], "English");
    ck_assert_str_eq(p->tags[1], "COVID-19");

    p = all[1];
    ck_assert_str_eq(p->id, "wp-17");   /* a page */
    ck_assert_uint_eq(p->line, 77);
    ck_assert_str_eq(p->title, "\xc3\x89t\xc3\xa9 \xc3\xa0 Montr\xc3\xa9" "al : l\xe2\x80\x99" "examen");
    ck_assert_str_eq(p->url, "https://example.org/%C3%A9t%C3%A9-a-montreal/");
    ck_assert_str_eq(p->author, "Jean Tremblay");
    ck_assert_str_eq(p->date, "2019-07-01");
    ck_assert_str_eq(p->lang, "fr");
    ck_assert_uint_eq(p->ncategories, 1);
    ck_assert_str_eq(p->categories[0], "\xc3\x89v\xc3\xa9nements");
    ck_assert_str_eq(p->body,
                     "Une l\xc3\xa9gende\n\n"
                     "Texte avant et apr\xc3\xa8s.\n\n"
                     "Liste\n\nun\n\ndeux et\n\nimbriqu\xc3\xa9\n\n"
                     "A B\n\n1 2\n\n"
                     "Citation\n\n"
                     "Ligne\nsuivante Fin [1].");

    p = all[2];
    ck_assert_str_eq(p->id, "wp-18");
    ck_assert_str_eq(p->author, "ghost");   /* no wp:author entry: the login */
    ck_assert_str_eq(p->body, "");
    ck_assert_str_eq(p->lang, "");
    ck_assert_str_eq(p->date, "2018-01-31");
    free_all(all, n);
    free(path);
}
END_TEST

START_TEST(test_malformed_is_fatal_with_line)
{
    char *path = data_path("malformed.wxr.xml");
    imp_reader *r = NULL;
    ck_assert_int_eq(imp_open(path, IMP_FORMAT_AUTO, &r, err, sizeof err), IMP_OK);
    imp_post *p = NULL;
    int rc;
    /* The reader parses ahead, so the good item before the error may or may
       not come out first; the error itself must. */
    while ((rc = imp_next(r, &p, err, sizeof err)) == IMP_OK) {
        ck_assert_str_eq(p->id, "wp-1");
        imp_post_free(p);
    }
    ck_assert_int_eq(rc, IMP_ERR_FATAL);
    char want[1024];
    snprintf(want, sizeof want, "%s:12: ", path);
    ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "got %s", err);
    ck_assert_ptr_nonnull(strstr(err, "titel"));
    /* It stays fatal. */
    ck_assert_int_eq(imp_next(r, &p, err, sizeof err), IMP_ERR_FATAL);
    imp_close(r);
    free(path);
}
END_TEST

START_TEST(test_xml_safety)
{
    /* An external entity and an entity bomb: neither the file nor the
       expansion reaches a post, and the reader does not blow up. */
    char *tmp = th_tmpdir("wxr");
    ck_assert_ptr_nonnull(tmp);
    char *secret = th_path(tmp, "secret.txt");
    ck_assert_int_eq(th_write_file(secret, "SECRET", 6), 0);
    char doc[2048];
    snprintf(doc, sizeof doc,
             "<?xml version=\"1.0\"?>\n"
             "<!DOCTYPE rss [<!ENTITY x SYSTEM \"file://%s\">"
             "<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
             "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>\n"
             "<rss xmlns:wp=\"http://wordpress.org/export/1.2/\" "
             "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel><item>"
             "<title>&x;&c;</title><content:encoded>&x;</content:encoded>"
             "<wp:post_id>5</wp:post_id><wp:status>publish</wp:status>"
             "<wp:post_type>post</wp:post_type></item></channel></rss>\n",
             secret);
    char *path = th_path(tmp, "x.xml");
    ck_assert_int_eq(th_write_file(path, doc, strlen(doc)), 0);
    imp_reader *r = NULL;
    ck_assert_int_eq(imp_open(path, IMP_FORMAT_WXR, &r, err, sizeof err), IMP_OK);
    imp_post *p = NULL;
    int rc = imp_next(r, &p, err, sizeof err);
    if (rc == IMP_OK) {
        ck_assert_ptr_null(strstr(p->title, "SECRET"));
        ck_assert_ptr_null(strstr(p->body, "SECRET"));
        ck_assert_uint_lt(strlen(p->title), 1000);
        imp_post_free(p);
    } else {
        ck_assert_int_eq(rc, IMP_ERR_FATAL);
    }
    imp_close(r);
    th_rmtree(tmp);
    free(tmp);
    free(secret);
    free(path);
}
END_TEST

START_TEST(test_gzip_wxr)
{
    char *src = data_path("edge.wxr.xml");
    size_t len = 0;
    char *xml = th_read_file(src, &len);
    ck_assert_ptr_nonnull(xml);
    char *tmp = th_tmpdir("wxrgz");
    char *path = th_path(tmp, "edge.xml.gz");
    gzFile g = gzopen(path, "wb");
    ck_assert_int_eq(gzwrite(g, xml, (unsigned)len), (int)len);
    ck_assert_int_eq(gzclose(g), Z_OK);
    size_t n;
    imp_post **all = read_all(path, IMP_FORMAT_AUTO, &n);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(all[1]->id, "wp-17");
    free_all(all, n);
    /* Truncated: the posts before the cut, then the fatal message. */
    size_t glen = 0;
    char *gz = th_read_file(path, &glen);
    ck_assert_int_eq(th_write_file(path, gz, glen - 40), 0);
    imp_reader *r = NULL;
    ck_assert_int_eq(imp_open(path, IMP_FORMAT_AUTO, &r, err, sizeof err), IMP_OK);
    imp_post *p = NULL;
    int rc;
    while ((rc = imp_next(r, &p, err, sizeof err)) == IMP_OK) imp_post_free(p);
    ck_assert_int_eq(rc, IMP_ERR_FATAL);
    char want[1024];
    snprintf(want, sizeof want, "%s: truncated gzip input", path);
    ck_assert_str_eq(err, want);
    imp_close(r);
    free(gz);
    th_rmtree(tmp);
    free(tmp);
    free(path);
    free(xml);
    free(src);
}
END_TEST

/* Reads a source in a thread, without Check's assertions (they belong to
 * the main thread): the number of posts and the sum of their body lengths. */
typedef struct { const char *path; size_t posts, bytes; int bad; } job;

static void *reader_thread(void *arg)
{
    job *jb = arg;
    char e[512];
    for (int round = 0; round < 20; round++) {
        imp_reader *r = NULL;
        if (imp_open(jb->path, IMP_FORMAT_AUTO, &r, e, sizeof e) != IMP_OK) { jb->bad = 1; return NULL; }
        imp_post *p = NULL;
        int rc;
        while ((rc = imp_next(r, &p, e, sizeof e)) == IMP_OK) {
            jb->posts++;
            jb->bytes += strlen(p->body);
            imp_post_free(p);
        }
        if (rc != IMP_DONE) jb->bad = 1;
        imp_close(r);
    }
    return NULL;
}

START_TEST(test_readers_in_threads)
{
    /* Two WXR readers and a failing one at once: each sees its own posts
       and its own errors. */
    char *edge = data_path("edge.wxr.xml"), *bad = data_path("malformed.wxr.xml");
    job a = {edge, 0, 0, 0}, b = {edge, 0, 0, 0}, c = {bad, 0, 0, 0};
    pthread_t ta, tb, tc;
    ck_assert_int_eq(pthread_create(&ta, NULL, reader_thread, &a), 0);
    ck_assert_int_eq(pthread_create(&tb, NULL, reader_thread, &b), 0);
    ck_assert_int_eq(pthread_create(&tc, NULL, reader_thread, &c), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    pthread_join(tc, NULL);
    ck_assert_int_eq(a.bad, 0);
    ck_assert_int_eq(b.bad, 0);
    ck_assert_int_eq(c.bad, 1);
    ck_assert_uint_eq(a.posts, 60);
    ck_assert_uint_eq(b.posts, 60);
    ck_assert_uint_eq(a.bytes, b.bytes);
    free(edge);
    free(bad);
}
END_TEST

/* Whitespace collapsed within each paragraph, paragraphs kept apart. */
static char *norm(const char *s)
{
    char *out = malloc(strlen(s) + 1);
    size_t o = 0;
    int space = 0, nl = 0;
    for (; *s; s++) {
        if (*s == '\n' && s[1] == '\n') { nl = 1; s++; continue; }
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') { space = 1; continue; }
        if (o && nl) { out[o++] = '\n'; out[o++] = '\n'; }
        else if (o && space) out[o++] = ' ';
        nl = space = 0;
        out[o++] = *s;
    }
    out[o] = '\0';
    return out;
}

/* The JSON Lines file and its WXR conversion give the same posts. */
static void same_posts(const char *jsonl, const char *wxr)
{
    size_t nj, nw;
    imp_post **j = read_all(jsonl, IMP_FORMAT_JSONL, &nj);
    imp_post **w = read_all(wxr, IMP_FORMAT_WXR, &nw);
    ck_assert_uint_gt(nj, 0);
    ck_assert_uint_eq(nj, nw);
    for (size_t i = 0; i < nj; i++) {
        imp_post *a = j[i], *b = NULL;
        for (size_t k = 0; k < nw && !b; k++)
            if (strcmp(w[k]->title, a->title) == 0) b = w[k];
        ck_assert_msg(b != NULL, "%s: no WXR post titled \"%s\"", wxr, a->title);
        ck_assert_msg(strncmp(b->id, "wp-", 3) == 0, "WXR id %s", b->id);
        ck_assert_str_eq(a->url, b->url);
        ck_assert_str_eq(a->author, b->author);
        /* The converter gives undated posts a date; dated ones must agree. */
        if (*a->date) ck_assert_str_eq(a->date, b->date);
        ck_assert_uint_eq(a->ncategories, b->ncategories);
        for (size_t c = 0; c < a->ncategories; c++)
            ck_assert_str_eq(a->categories[c], b->categories[c]);
        char *x = norm(a->body), *y = norm(b->body);
        ck_assert_msg(strcmp(x, y) == 0, "\"%s\": bodies differ:\n%s\n----\n%s", a->title, x, y);
        free(x);
        free(y);
    }
    free_all(j, nj);
    free_all(w, nw);
}

START_TEST(test_shared_sample_same_posts)
{
    const char *shared = th_shared_dir();
    if (!shared) return;    /* ../shared absent: nothing to compare */
    char *dir = th_path(shared, "corpus");
    char *j = th_path(dir, "sample.jsonl"), *w = th_path(dir, "sample.wxr.xml");
    struct stat st;
    if (stat(j, &st) == 0 && stat(w, &st) == 0) same_posts(j, w);
    free(j);
    free(w);
    free(dir);
}
END_TEST

START_TEST(test_own_sample_same_posts)
{
    char *dir = th_path(th_srcdir(), "index/sample");
    char *j = th_path(dir, "sample.jsonl"), *w = th_path(dir, "sample.wxr.xml");
    struct stat st;
    if (stat(j, &st) == 0 && stat(w, &st) == 0) same_posts(j, w);
    free(j);
    free(w);
    free(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("wxr");
    TCase *tc = tcase_create("wxr");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_edge_cases);
    tcase_add_test(tc, test_malformed_is_fatal_with_line);
    tcase_add_test(tc, test_xml_safety);
    tcase_add_test(tc, test_gzip_wxr);
    tcase_add_test(tc, test_readers_in_threads);
    tcase_add_test(tc, test_shared_sample_same_posts);
    tcase_add_test(tc, test_own_sample_same_posts);
    suite_add_tcase(s, tc);
    return th_run_suite(s, 0);
}
