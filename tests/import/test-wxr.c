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
    /* The good item just before the error comes out first (the filter keeps
       the parser from reading past an item before it is handed over). */
    ck_assert_int_eq(imp_next(r, &p, err, sizeof err), IMP_OK);
    ck_assert_str_eq(p->id, "wp-1");
    imp_post_free(p);
    int rc = imp_next(r, &p, err, sizeof err);
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

/* ---- exports written by the tests ---------------------------------------- */

/* The first three lines of an export; the first item is on line 4. */
static const char head[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n"
    "<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" "
    "xmlns:wp=\"http://wordpress.org/export/1.2/\">\n"
    "<channel>\n";
static const char tail[] = "</channel>\n</rss>\n";

/* An item of 7 lines (plus the newlines of title and content). */
static void put_item(FILE *f, int id, const char *title, const char *content)
{
    fprintf(f,
            "\t<item>\n\t\t<title>%s</title>\n"
            "\t\t<content:encoded><![CDATA[%s]]></content:encoded>\n"
            "\t\t<wp:post_id>%d</wp:post_id>\n\t\t<wp:status>publish</wp:status>\n"
            "\t\t<wp:post_type>post</wp:post_type>\n\t</item>\n",
            title, content, id);
}

/* What a source gave: posts, then errors, in order ("P" or "E" in seq). */
typedef struct {
    imp_post **posts;
    size_t nposts;
    char **errs;
    size_t nerrs;
    int fatal;
    char seq[256];
} result;

static void read_src(const char *path, size_t max, result *res)
{
    memset(res, 0, sizeof *res);
    imp_options o;
    imp_options_init(&o);
    o.max_post_bytes = max;
    imp_reader *r = NULL;
    ck_assert_msg(imp_open_opts(path, IMP_FORMAT_AUTO, &o, &r, err, sizeof err) == IMP_OK, "%s",
                  err);
    size_t ns = 0;
    for (;;) {
        imp_post *p = NULL;
        int rc = imp_next(r, &p, err, sizeof err);
        if (rc == IMP_DONE)
            break;
        if (ns + 1 < sizeof res->seq)
            res->seq[ns++] = rc == IMP_OK ? 'P' : 'E';
        if (rc == IMP_OK) {
            res->posts = realloc(res->posts, (res->nposts + 1) * sizeof *res->posts);
            ck_assert_ptr_nonnull(res->posts);
            res->posts[res->nposts++] = p;
            continue;
        }
        ck_assert_msg(rc == IMP_ERR_RECORD || rc == IMP_ERR_FATAL, "status %d: %s", rc, err);
        res->errs = realloc(res->errs, (res->nerrs + 1) * sizeof *res->errs);
        ck_assert_ptr_nonnull(res->errs);
        res->errs[res->nerrs++] = strdup(err);
        if (rc == IMP_ERR_FATAL) {
            res->fatal = 1;
            break;
        }
    }
    imp_close(r);
}

static void free_result(result *res)
{
    free_all(res->posts, res->nposts);
    for (size_t i = 0; i < res->nerrs; i++)
        free(res->errs[i]);
    free(res->errs);
}

/* Expects the message "PATH:LINE: " + rest. */
static void check_msg(const char *msg, const char *path, unsigned long line, const char *rest)
{
    char want[1024];
    snprintf(want, sizeof want, "%s:%lu: %s", path, line, rest);
    ck_assert_str_eq(msg, want);
}

START_TEST(test_bad_bytes_lose_no_post)
{
    /* The case: a Latin-1 byte in the middle of a 100-post export
       (with a control character, a NUL, a cut sequence and U+FFFF next to
       it) loses no post: each bad byte becomes U+FFFD. */
    char *tmp = th_tmpdir("wxr-bytes");
    char *path = th_path(tmp, "latin1.xml");
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(head, f);
    for (int i = 1; i <= 100; i++) {
        char title[64], content[128];
        snprintf(title, sizeof title, "Post %d", i);
        snprintf(content, sizeof content, "<p>Le m\xc3\xa9" "decin num\xc3\xa9ro %d</p>", i);
        if (i == 50) {
            snprintf(title, sizeof title, "Caf\xe9 %d", i);
            snprintf(content, sizeof content, "<p>Caf\xe9 au lait\x01 et %c th\xc3</p>", 0);
            fprintf(f, "\t<item>\n\t\t<title>%s</title>\n\t\t<content:encoded><![CDATA[", title);
            fwrite(content, 1, 29, f); /* the NUL included */
            fputs(" \xef\xbf\xbf fin]]></content:encoded>\n\t\t<wp:post_id>50</wp:post_id>\n"
                  "\t\t<wp:status>publish</wp:status>\n\t\t<wp:post_type>post</wp:post_type>\n"
                  "\t</item>\n",
                  f);
            continue;
        }
        put_item(f, i, title, content);
    }
    fputs(tail, f);
    fclose(f);
    result res;
    read_src(path, 0, &res);
    ck_assert_msg(res.nerrs == 0, "%s", res.nerrs ? res.errs[0] : "");
    ck_assert_uint_eq(res.nposts, 100);
    for (int i = 0; i < 100; i++) {
        char id[16];
        snprintf(id, sizeof id, "wp-%d", i + 1);
        ck_assert_str_eq(res.posts[i]->id, id);
        ck_assert_uint_eq(res.posts[i]->line, 4 + 7 * (unsigned long)i);
    }
    imp_post *p = res.posts[49];
    ck_assert_str_eq(p->title, "Caf\xef\xbf\xbd 50");
    ck_assert_str_eq(p->body, "Caf\xef\xbf\xbd au lait\xef\xbf\xbd et \xef\xbf\xbd th\xef\xbf\xbd\n\n"
                              "\xef\xbf\xbd fin");
    ck_assert_str_eq(res.posts[50]->body, "Le m\xc3\xa9" "decin num\xc3\xa9ro 51");
    free_result(&res);
    th_rmtree(tmp);
    free(tmp);
    free(path);
}
END_TEST

/* Writes an item whose content is n bytes of "word word ..." lines (a
 * newline every 100 bytes) in CDATA, or escaped as text with entities. */
static void put_big_item(FILE *f, int id, size_t n, int escaped)
{
    fprintf(f, "\t<item>\n\t\t<title>Big %d</title>\n\t\t<content:encoded>%s", id,
            escaped ? "" : "<![CDATA[");
    const char *unit = escaped ? "&lt;p&gt;caf&#233; m&amp;eacute;decin&lt;/p&gt; "
                               : "<p>caf\xc3\xa9 m\xc3\xa9" "decin</p> ";
    size_t ul = strlen(unit), col = 0;
    for (size_t done = 0; done < n; done += ul) {
        fputs(unit, f);
        col += ul;
        if (col >= 100) {
            fputc('\n', f);
            col = 0;
        }
    }
    fprintf(f, "%s</content:encoded>\n\t\t<wp:post_id>%d</wp:post_id>\n"
               "\t\t<wp:status>publish</wp:status>\n\t\t<wp:post_type>post</wp:post_type>\n"
               "\t</item>\n",
            escaped ? "" : "]]>", id);
}

static unsigned long count_lines(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    unsigned long n = 0;
    int c;
    while ((c = getc(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

START_TEST(test_big_post_rejected_and_the_rest_read)
{
    /* A post of 12 MB (over libxml2's 10,000,000-byte limits and over the
       default max_post_bytes of 8 MiB) is rejected with its line; the post
       after it is read, with its own line. */
    char *tmp = th_tmpdir("wxr-big");
    char *path = th_path(tmp, "big.xml");
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(head, f);
    put_item(f, 1, "Before", "<p>before</p>");
    fclose(f);
    f = fopen(path, "ab");
    put_big_item(f, 2, 12000000, 0);
    fclose(f);
    unsigned long after_line = count_lines(path) + 1;
    f = fopen(path, "ab");
    put_item(f, 3, "After", "<p>after</p>");
    fputs(tail, f);
    fclose(f);
    result res;
    read_src(path, 0, &res);
    ck_assert_str_eq(res.seq, "PEP");
    check_msg(res.errs[0], path, 11, "post larger than 8 MiB (max_post_bytes)");
    ck_assert_str_eq(res.posts[1]->id, "wp-3");
    ck_assert_str_eq(res.posts[1]->body, "after");
    ck_assert_uint_eq(res.posts[1]->line, after_line);
    free_result(&res);
    th_rmtree(tmp);
    free(tmp);
    free(path);
}
END_TEST

START_TEST(test_big_post_read_when_allowed)
{
    /* With max_post_bytes at 32 MiB, posts over libxml2's limits are read
       whole: 12 MB in CDATA, 11 MB as escaped text. */
    char *tmp = th_tmpdir("wxr-big");
    char *path = th_path(tmp, "big.xml");
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(head, f);
    put_big_item(f, 1, 12000000, 0);
    put_big_item(f, 2, 11000000, 1);
    put_item(f, 3, "After", "<p>after</p>");
    fputs(tail, f);
    fclose(f);
    result res;
    read_src(path, (size_t)32 << 20, &res);
    ck_assert_msg(res.nerrs == 0, "%s", res.nerrs ? res.errs[0] : "");
    ck_assert_uint_eq(res.nposts, 3);
    for (int i = 0; i < 2; i++) {
        const char *body = res.posts[i]->body;
        /* (Counted by hand: the sanitizer's strstr measures the whole
           string at each call.) */
        static const char unit[] = "caf\xc3\xa9 m\xc3\xa9" "decin";
        size_t n = strlen(body), units = 0;
        for (size_t k = 0; k + sizeof unit - 1 <= n; k++)
            if (body[k] == 'c' && memcmp(body + k, unit, sizeof unit - 1) == 0)
                units++;
        /* Every unit came through, in paragraphs of their own. */
        ck_assert_uint_ge(units, i ? 11000000 / 48 : 12000000 / 25);
        ck_assert_uint_gt(n, units * 15);
        ck_assert_ptr_null(strstr(body, "<!--"));
        ck_assert_ptr_null(strstr(body, "]]>"));
    }
    ck_assert_str_eq(res.posts[2]->body, "after");
    free_result(&res);
    th_rmtree(tmp);
    free(tmp);
    free(path);
}
END_TEST

START_TEST(test_cut_items_keep_lines)
{
    /* With a 64 KiB bound: an item of many lines, one nested too deep and
       one with an overlong tag are each rejected with their own line; an
       item that carries the marker's attribute itself is an ordinary post;
       a malformed tag after them is reported on its line. */
    char *tmp = th_tmpdir("wxr-cut");
    char *path = th_path(tmp, "cut.xml");
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(head, f);
    put_item(f, 1, "One", "<p>one</p>");                /* line 4 */
    fputs("\t<item>\n", f);                              /* line 11: 2000 lines */
    for (int i = 0; i < 2000; i++)
        fputs("\t\t<category domain=\"post_tag\">some tag</category>\n", f);
    fputs("\t</item>\n", f);
    put_item(f, 2, "Two", "<p>two</p>");                /* line 2013 */
    fputs("\t<item>", f);                                /* line 2020: 70 deep */
    for (int i = 0; i < 70; i++)
        fputs("<x>\n", f);
    for (int i = 0; i < 70; i++)
        fputs("</x>", f);
    fputs("</item>\n", f);
    fputs("\t<item><wp:post_id a=\"", f);                /* line 2091: a 40 KiB tag */
    for (int i = 0; i < 40 * 1024; i++)
        fputc(i % 100 ? 'a' : '\n', f);
    fputs("\">5</wp:post_id></item>\n", f);
    fflush(f);
    unsigned long forged = count_lines(path) + 1;
    fputs("\t<item socasma-search-cut=\"size\"><title>Forged</title>"
          "<wp:post_id>6</wp:post_id><wp:status>publish</wp:status>"
          "<wp:post_type>post</wp:post_type></item>\n", f);
    fputs("\t<item><title>Bad</titel></item>\n", f);
    fputs(tail, f);
    fclose(f);
    result res;
    read_src(path, 64 << 10, &res);
    ck_assert_str_eq(res.seq, "PEPEEPE");
    ck_assert_str_eq(res.posts[0]->id, "wp-1");
    check_msg(res.errs[0], path, 11, "post larger than 64 KiB (max_post_bytes)");
    ck_assert_str_eq(res.posts[1]->id, "wp-2");
    ck_assert_uint_eq(res.posts[1]->line, 2013);
    check_msg(res.errs[1], path, 2020, "post with elements nested more than 64 deep");
    check_msg(res.errs[2], path, 2091, "post with a tag longer than 32 KiB");
    ck_assert_str_eq(res.posts[2]->id, "wp-6");
    ck_assert_str_eq(res.posts[2]->title, "Forged");
    ck_assert_uint_eq(res.posts[2]->line, forged);
    ck_assert(res.fatal);
    char want[1024];
    snprintf(want, sizeof want, "%s:%lu: ", path, forged + 1);
    ck_assert_msg(strncmp(res.errs[3], want, strlen(want)) == 0, "got %s", res.errs[3]);
    ck_assert_ptr_nonnull(strstr(res.errs[3], "titel"));
    free_result(&res);
    th_rmtree(tmp);
    free(tmp);
    free(path);
}
END_TEST

/* An item of exactly n bytes, from "<item>" to "</item>". */
static void put_sized_item(FILE *f, int id, size_t n)
{
    char end[256];
    int tl = snprintf(end, sizeof end,
                      "</title><wp:post_id>%d</wp:post_id><wp:status>publish</wp:status>"
                      "<wp:post_type>post</wp:post_type></item>",
                      id);
    fputs("<item><title>", f);
    for (size_t i = strlen("<item><title>") + (size_t)tl; i < n; i++)
        fputc(i % 50 ? 'x' : '\n', f);
    fputs(end, f);
    fputc('\n', f);
}

START_TEST(test_item_size_bound_exact)
{
    /* max_post_bytes counts the item as written: 2048 bytes pass, 2049
       do not, whichever byte is the last. */
    char *tmp = th_tmpdir("wxr-exact");
    char *path = th_path(tmp, "exact.xml");
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(head, f);
    put_sized_item(f, 1, 2048);
    put_sized_item(f, 2, 2049);
    put_sized_item(f, 3, 2047);
    fputs(tail, f);
    fclose(f);
    result res;
    read_src(path, 2048, &res);
    ck_assert_str_eq(res.seq, "PEP");
    ck_assert_str_eq(res.posts[0]->id, "wp-1");
    ck_assert_str_eq(res.posts[1]->id, "wp-3");
    ck_assert_ptr_nonnull(strstr(res.errs[0], "post larger than 2 KiB (max_post_bytes)"));
    free_result(&res);
    th_rmtree(tmp);
    free(tmp);
    free(path);
}
END_TEST

START_TEST(test_cut_item_at_end_of_input)
{
    /* A file that ends inside an oversize item: the item is rejected, then
       the source stops with libxml2's message. */
    char *tmp = th_tmpdir("wxr-cut");
    char *path = th_path(tmp, "cut.xml");
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(head, f);
    put_item(f, 1, "One", "<p>one</p>");
    fputs("\t<item><content:encoded><![CDATA[", f);
    for (int i = 0; i < 5000; i++)
        fputs("a\n", f);
    fclose(f);
    result res;
    read_src(path, 4096, &res);
    ck_assert_str_eq(res.seq, "PEE");
    check_msg(res.errs[0], path, 11, "post larger than 4 KiB (max_post_bytes)");
    ck_assert(res.fatal);
    free_result(&res);
    th_rmtree(tmp);
    free(tmp);
    free(path);
}
END_TEST

START_TEST(test_markup_too_long_outside_items)
{
    /* A comment of 2 MiB in the header stops the source on its line, after
       the posts before it. */
    char *tmp = th_tmpdir("wxr-markup");
    char *path = th_path(tmp, "markup.xml");
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(head, f);
    put_item(f, 1, "One", "<p>one</p>");
    put_item(f, 2, "Two", "<p>two</p>");
    fputs("<!--", f); /* line 18 */
    for (int i = 0; i < 2 << 20; i++)
        fputc('c', f);
    fputs("-->\n", f);
    put_item(f, 3, "Three", "<p>three</p>");
    fputs(tail, f);
    fclose(f);
    result res;
    read_src(path, 0, &res);
    ck_assert_str_eq(res.seq, "PPE");
    ck_assert(res.fatal);
    check_msg(res.errs[0], path, 18, "a comment longer than 1 MiB");
    free_result(&res);
    th_rmtree(tmp);
    free(tmp);
    free(path);
}
END_TEST

/* Writes the UTF-8 text s as UTF-16 (le: little-endian), with a BOM or not. */
static void put_utf16(FILE *f, const char *s, int le, int bom)
{
    if (bom)
        fputs(le ? "\xff\xfe" : "\xfe\xff", f);
    const unsigned char *u = (const unsigned char *)s;
    while (*u) {
        unsigned cp = *u++;
        if (cp >= 0xC0) { /* two-byte sequences only in these tests */
            cp = ((cp & 0x1F) << 6) | (*u++ & 0x3F);
        }
        fputc(le ? (int)(cp & 0xFF) : (int)(cp >> 8), f);
        fputc(le ? (int)(cp >> 8) : (int)(cp & 0xFF), f);
    }
}

START_TEST(test_declared_encodings)
{
    char *tmp = th_tmpdir("wxr-enc");
    char *path = th_path(tmp, "enc.xml");
    const char *body = "<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" "
                       "xmlns:wp=\"http://wordpress.org/export/1.2/\">\n<channel>\n"
                       "<item><title>Caf\xc3\xa9</title><content:encoded><![CDATA[<p>l\xc3\xa9gende</p>]]>"
                       "</content:encoded><wp:post_id>1</wp:post_id><wp:status>publish</wp:status>"
                       "<wp:post_type>post</wp:post_type></item>\n</channel>\n</rss>\n";
    /* ISO-8859-1 declared: read as Windows-1252 (0x92 is a quote). */
    FILE *f = fopen(path, "wb");
    fputs("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<rss version=\"2.0\" "
          "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" "
          "xmlns:wp=\"http://wordpress.org/export/1.2/\">\n<channel>\n<item><title>Caf\xe9 "
          "l\x92\x65t\xe9</title><content:encoded><![CDATA[<p>\xe9t\xe9\x81</p>]]>"
          "</content:encoded><wp:post_id>1</wp:post_id><wp:status>publish</wp:status>"
          "<wp:post_type>post</wp:post_type></item>\n</channel>\n</rss>\n",
          f);
    fclose(f);
    result res;
    read_src(path, 0, &res);
    ck_assert_msg(res.nerrs == 0, "%s", res.nerrs ? res.errs[0] : "");
    ck_assert_uint_eq(res.nposts, 1);
    ck_assert_str_eq(res.posts[0]->title, "Caf\xc3\xa9 l\xe2\x80\x99" "et\xc3\xa9");
    ck_assert_str_eq(res.posts[0]->body, "\xc3\xa9t\xc3\xa9\xef\xbf\xbd");
    ck_assert_uint_eq(res.posts[0]->line, 4);
    free_result(&res);
    /* UTF-16, little-endian with a byte order mark, big-endian without. */
    for (int le = 0; le < 2; le++) {
        f = fopen(path, "wb");
        put_utf16(f, le ? "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n"
                        : "<?xml version=\"1.0\"?>\n", le, le);
        put_utf16(f, body, le, 0);
        fclose(f);
        read_src(path, 0, &res);
        ck_assert_msg(res.nerrs == 0, "%s", res.nerrs ? res.errs[0] : "");
        ck_assert_uint_eq(res.nposts, 1);
        ck_assert_str_eq(res.posts[0]->title, "Caf\xc3\xa9");
        ck_assert_str_eq(res.posts[0]->body, "l\xc3\xa9gende");
        ck_assert_uint_eq(res.posts[0]->line, 4);
        free_result(&res);
    }
    /* A UTF-8 byte order mark wins over a declaration. */
    f = fopen(path, "wb");
    fputs("\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n", f);
    fputs(body, f);
    fclose(f);
    read_src(path, 0, &res);
    ck_assert_uint_eq(res.nposts, 1);
    ck_assert_str_eq(res.posts[0]->title, "Caf\xc3\xa9");
    free_result(&res);
    /* An encoding nobody knows: libxml2 says so, on line 1. */
    f = fopen(path, "wb");
    fputs("<?xml version=\"1.0\" encoding=\"X-NO-SUCH-CHARSET\"?>\n", f);
    fputs(body, f);
    fclose(f);
    read_src(path, 0, &res);
    ck_assert_uint_eq(res.nposts, 0);
    ck_assert(res.fatal);
    ck_assert_ptr_nonnull(strstr(res.errs[0], "X-NO-SUCH-CHARSET"));
    free_result(&res);
    th_rmtree(tmp);
    free(tmp);
    free(path);
}
END_TEST

START_TEST(test_lines_past_65535)
{
    /* libxml2 keeps an element's line in 16 bits: the reader's lines and
       messages stay right far beyond. */
    char *tmp = th_tmpdir("wxr-lines");
    char *path = th_path(tmp, "lines.xml");
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(head, f);
    for (int i = 1; i <= 12000; i++)
        put_item(f, i, "Title", "<p>text</p>");
    fputs("\t<item><wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>\n", f);
    fputs(tail, f);
    fclose(f);
    result res;
    read_src(path, 0, &res);
    ck_assert_uint_eq(res.nposts, 12000);
    ck_assert_uint_eq(res.posts[11999]->line, 4 + 7 * 11999);
    ck_assert_uint_eq(res.posts[9999]->line, 4 + 7 * 9999);
    ck_assert_uint_eq(res.nerrs, 1);
    check_msg(res.errs[0], path, 4 + 7 * 12000, "post has no id");
    free_result(&res);
    th_rmtree(tmp);
    free(tmp);
    free(path);
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
    tcase_add_test(tc, test_bad_bytes_lose_no_post);
    tcase_add_test(tc, test_big_post_rejected_and_the_rest_read);
    tcase_add_test(tc, test_big_post_read_when_allowed);
    tcase_add_test(tc, test_cut_items_keep_lines);
    tcase_add_test(tc, test_cut_item_at_end_of_input);
    tcase_add_test(tc, test_item_size_bound_exact);
    tcase_add_test(tc, test_markup_too_long_outside_items);
    tcase_add_test(tc, test_declared_encodings);
    tcase_add_test(tc, test_lines_past_65535);
    tcase_add_test(tc, test_readers_in_threads);
    tcase_add_test(tc, test_shared_sample_same_posts);
    tcase_add_test(tc, test_own_sample_same_posts);
    suite_add_tcase(s, tc);
    return th_run_suite(s, 0);
}
