/* test-jsonl.c: the JSON Lines reader (fields, bad records with their
 * FILE:LINE, UTF-8 repair, posts over max_post_bytes and its bounds, a
 * gzip bomb of one line, gzip and truncated gzip), source
 * expansion, date validation and format names. Inputs are written to a
 * temporary directory. */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "import/import.h"
#include "lib/testhelp.h"

static char *tmp;
static char err[1024];

static void setup(void)
{
    tmp = th_tmpdir("import");
    ck_assert_ptr_nonnull(tmp);
}

static void teardown(void)
{
    th_rmtree(tmp);
    free(tmp);
}

/* Writes text to tmp/name; returns the malloc'ed path. */
static char *write_file(const char *name, const char *text, size_t len)
{
    char *p = th_path(tmp, name);
    ck_assert_int_eq(th_write_file(p, text, len), 0);
    return p;
}

static imp_reader *open_ok(const char *path, imp_format f)
{
    imp_reader *r = NULL;
    int rc = imp_open(path, f, &r, err, sizeof err);
    ck_assert_msg(rc == IMP_OK, "open %s: %s", path, err);
    return r;
}

static imp_post *next_ok(imp_reader *r)
{
    imp_post *p = NULL;
    int rc = imp_next(r, &p, err, sizeof err);
    ck_assert_msg(rc == IMP_OK, "expected a post, got %d: %s", rc, err);
    ck_assert_ptr_nonnull(p);
    return p;
}

/* Expects a record error whose message is exactly "PATH:LINE: " + rest. */
static void next_err(imp_reader *r, int want, const char *path, unsigned line, const char *rest)
{
    imp_post *p = NULL;
    int rc = imp_next(r, &p, err, sizeof err);
    ck_assert_int_eq(rc, want);
    ck_assert_ptr_null(p);
    char expect[1024];
    snprintf(expect, sizeof expect, "%s:%u: %s", path, line, rest);
    ck_assert_msg(strncmp(err, expect, strlen(expect)) == 0, "got \"%s\", expected \"%s\"", err,
                  expect);
}

static void next_done(imp_reader *r)
{
    imp_post *p = NULL;
    ck_assert_int_eq(imp_next(r, &p, err, sizeof err), IMP_DONE);
    ck_assert_ptr_null(p);
}

START_TEST(test_all_fields)
{
    const char *t =
        "{\"id\": \"a-1\", \"url\": \"https://x.example/a\", \"title\": \"Caf\\u00e9 \xc3\xa9t\xc3\xa9\","
        " \"author\": \"Carole L.\", \"date\": \"2021-02-10\", \"categories\": [\"General\", \"Lobbying\"],"
        " \"tags\": [\"covid\"], \"lang\": \"fr\", \"body\": \"One.\\n\\nTwo.\"}\n"
        "{\"id\": \"a-2\", \"categories\": \"Single\", \"tags\": \"t\", \"date\": \"\"}\n";
    char *path = write_file("a.jsonl", t, strlen(t));
    imp_reader *r = open_ok(path, IMP_FORMAT_AUTO);
    imp_post *p = next_ok(r);
    ck_assert_str_eq(p->id, "a-1");
    ck_assert_str_eq(p->url, "https://x.example/a");
    ck_assert_str_eq(p->title, "Caf\xc3\xa9 \xc3\xa9t\xc3\xa9");
    ck_assert_str_eq(p->author, "Carole L.");
    ck_assert_str_eq(p->date, "2021-02-10");
    ck_assert_str_eq(p->lang, "fr");
    ck_assert_str_eq(p->body, "One.\n\nTwo.");
    ck_assert_uint_eq(p->ncategories, 2);
    ck_assert_str_eq(p->categories[0], "General");
    ck_assert_str_eq(p->categories[1], "Lobbying");
    ck_assert_uint_eq(p->ntags, 1);
    ck_assert_str_eq(p->tags[0], "covid");
    ck_assert_str_eq(p->source, path);
    ck_assert_uint_eq(p->line, 1);
    imp_post_free(p);
    p = next_ok(r);
    ck_assert_str_eq(p->id, "a-2");
    ck_assert_uint_eq(p->ncategories, 1);
    ck_assert_str_eq(p->categories[0], "Single");
    ck_assert_uint_eq(p->ntags, 1);
    ck_assert_str_eq(p->tags[0], "t");
    /* Absent fields are "", never NULL. */
    ck_assert_str_eq(p->url, "");
    ck_assert_str_eq(p->title, "");
    ck_assert_str_eq(p->author, "");
    ck_assert_str_eq(p->date, "");
    ck_assert_str_eq(p->lang, "");
    ck_assert_str_eq(p->body, "");
    ck_assert_uint_eq(p->line, 2);
    imp_post_free(p);
    next_done(r);
    next_done(r);
    uint64_t done, total;
    imp_progress(r, &done, &total);
    ck_assert_uint_eq(total, strlen(t));
    ck_assert_uint_eq(done, strlen(t));
    imp_close(r);
    free(path);
}
END_TEST

START_TEST(test_bad_records_and_blank_lines)
{
    const char *t =
        "\n"
        "{\"id\": \"ok-1\"}\n"
        "{\"title\": \"no id\"}\n"
        "   \t\n"
        "{\"id\": \"\"}\n"
        "{\"id\": \"x\", \"title\": \"unterminated}\n"
        "[1, 2]\n"
        "{\"id\": 42, \"date\": \"2020-02-29T09:00:00Z\"}\n"
        "{\"id\": \"d\", \"date\": \"2021-02-30\"}\n"
        "{\"id\": \"d2\", \"date\": \"10/02/2021\"}\n"
        "{\"id\": \"l\", \"lang\": \"de\"}\n"
        "{\"id\": \"c\", \"categories\": [1]}\n"
        "{\"id\": \"t\", \"title\": 3}\n"
        "{\"id\": 1.5}\n"
        "{\"id\": \"last\", \"lang\": \"mixed\"}";     /* no final newline */
    char *path = write_file("bad.jsonl", t, strlen(t));
    imp_reader *r = open_ok(path, IMP_FORMAT_JSONL);
    imp_post *p = next_ok(r);
    ck_assert_str_eq(p->id, "ok-1");
    ck_assert_uint_eq(p->line, 2);
    imp_post_free(p);
    next_err(r, IMP_ERR_RECORD, path, 3, "post has no id");
    next_err(r, IMP_ERR_RECORD, path, 5, "post has no id");
    next_err(r, IMP_ERR_RECORD, path, 6, "malformed JSON: ");
    next_err(r, IMP_ERR_RECORD, path, 7, "a post must be a JSON object");
    p = next_ok(r);
    ck_assert_str_eq(p->id, "42");
    ck_assert_str_eq(p->date, "2020-02-29");
    ck_assert_uint_eq(p->line, 8);
    imp_post_free(p);
    next_err(r, IMP_ERR_RECORD, path, 9, "invalid date \"2021-02-30\"");
    next_err(r, IMP_ERR_RECORD, path, 10, "invalid date \"10/02/2021\"");
    next_err(r, IMP_ERR_RECORD, path, 11, "invalid lang \"de\"");
    next_err(r, IMP_ERR_RECORD, path, 12, "categories must be");
    next_err(r, IMP_ERR_RECORD, path, 13, "title is not a string");
    next_err(r, IMP_ERR_RECORD, path, 14, "id is neither");
    p = next_ok(r);
    ck_assert_str_eq(p->id, "last");
    ck_assert_str_eq(p->lang, "mixed");
    ck_assert_uint_eq(p->line, 15);
    imp_post_free(p);
    next_done(r);
    imp_close(r);
    free(path);
}
END_TEST

START_TEST(test_invalid_utf8_and_nul_repaired)
{
    /* A Latin-1 byte, a truncated sequence, an overlong form, a surrogate,
       a raw NUL inside a string and a \u0000 escape: the post survives. */
    static const char t[] =
        "{\"id\": \"u\", \"title\": \"caf\xe9\", \"author\": \"x\xe2\x82\", \"body\": \"a\xc0\xafz \xed\xa0\x80!\"}\n"
        "{\"id\": \"n\", \"title\": \"a\0b\", \"body\": \"c\\u0000d\"}\n";
    char *path = write_file("utf8.jsonl", t, sizeof t - 1);
    imp_reader *r = open_ok(path, IMP_FORMAT_AUTO);
    imp_post *p = next_ok(r);
    ck_assert_str_eq(p->title, "caf\xef\xbf\xbd");
    ck_assert_str_eq(p->author, "x\xef\xbf\xbd\xef\xbf\xbd");
    ck_assert_str_eq(p->body, "a\xef\xbf\xbd\xef\xbf\xbdz \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd!");
    imp_post_free(p);
    p = next_ok(r);
    ck_assert_str_eq(p->id, "n");
    ck_assert_str_eq(p->title, "a\xef\xbf\xbd" "b");
    ck_assert_str_eq(p->body, "cd");
    imp_post_free(p);
    next_done(r);
    imp_close(r);
    free(path);
}
END_TEST

START_TEST(test_bom_and_crlf)
{
    static const char t[] = "\xEF\xBB\xBF{\"id\": \"bom\", \"title\": \"x\"}\r\n\r\n{\"id\": \"crlf\"}\r\n";
    char *path = write_file("bom.jsonl", t, sizeof t - 1);
    imp_reader *r = open_ok(path, IMP_FORMAT_AUTO);
    imp_post *p = next_ok(r);
    ck_assert_str_eq(p->id, "bom");
    ck_assert_str_eq(p->title, "x");
    imp_post_free(p);
    p = next_ok(r);
    ck_assert_str_eq(p->id, "crlf");
    ck_assert_uint_eq(p->line, 3);
    imp_post_free(p);
    next_done(r);
    imp_close(r);
    free(path);
}
END_TEST

/* Writes {"id": "ID", "body": "xxx..."} padded to exactly len bytes. */
static void put_post(FILE *f, const char *id, size_t len)
{
    int n = fprintf(f, "{\"id\": \"%s\", \"body\": \"", id);
    ck_assert_int_gt(n, 0);
    size_t pad = len - (size_t)n - 2;
    static char chunk[1 << 16];
    memset(chunk, 'x', sizeof chunk);
    for (size_t done = 0; done < pad;) {
        size_t k = pad - done < sizeof chunk ? pad - done : sizeof chunk;
        ck_assert_uint_eq(fwrite(chunk, 1, k, f), k);
        done += k;
    }
    fputs("\"}\n", f);
}

START_TEST(test_huge_line_skipped)
{
    /* The default bound (8 MiB): a post of exactly 8 MiB is read, one byte
       more is rejected with its line, and the reader goes on. */
    size_t max = IMP_MAX_POST_BYTES_DEFAULT;
    char *path = th_path(tmp, "huge.jsonl");
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs("{\"id\": \"before\"}\n", f);
    put_post(f, "huge", max + 1);
    put_post(f, "max", max);
    fputs("{\"id\": \"after\"}\n", f);
    fclose(f);
    imp_reader *r = open_ok(path, IMP_FORMAT_AUTO);
    imp_post *p = next_ok(r);
    ck_assert_str_eq(p->id, "before");
    imp_post_free(p);
    next_err(r, IMP_ERR_RECORD, path, 2, "post larger than 8 MiB (max_post_bytes)");
    p = next_ok(r);
    ck_assert_str_eq(p->id, "max");
    ck_assert_uint_eq(strlen(p->body), max - strlen("{\"id\": \"max\", \"body\": \"\"}"));
    imp_post_free(p);
    p = next_ok(r);
    ck_assert_str_eq(p->id, "after");
    ck_assert_uint_eq(p->line, 4);
    imp_post_free(p);
    next_done(r);
    imp_close(r);
    free(path);
}
END_TEST

static imp_reader *open_max(const char *path, size_t max)
{
    imp_options o;
    imp_options_init(&o);
    o.max_post_bytes = max;
    imp_reader *r = NULL;
    int rc = imp_open_opts(path, IMP_FORMAT_AUTO, &o, &r, err, sizeof err);
    ck_assert_msg(rc == IMP_OK, "open %s: %s", path, err);
    return r;
}

START_TEST(test_max_post_bytes_option)
{
    imp_options o;
    imp_options_init(&o);
    ck_assert_uint_eq(o.max_post_bytes, (size_t)8 << 20);
    char *path = th_path(tmp, "max.jsonl");
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    put_post(f, "a", 1024);
    put_post(f, "b", 1025);
    put_post(f, "c", 5000);
    put_post(f, "d", 100);
    fclose(f);
    /* The smallest bound: 1 KiB. */
    imp_reader *r = open_max(path, 1024);
    imp_post *p = next_ok(r);
    ck_assert_str_eq(p->id, "a");
    imp_post_free(p);
    next_err(r, IMP_ERR_RECORD, path, 2, "post larger than 1 KiB (max_post_bytes)");
    next_err(r, IMP_ERR_RECORD, path, 3, "post larger than 1 KiB (max_post_bytes)");
    p = next_ok(r);
    ck_assert_str_eq(p->id, "d");
    ck_assert_uint_eq(p->line, 4);
    imp_post_free(p);
    next_done(r);
    imp_close(r);
    /* A bound in bytes is said in bytes. */
    r = open_max(path, 4999);
    for (int i = 0; i < 2; i++)
        imp_post_free(next_ok(r));
    next_err(r, IMP_ERR_RECORD, path, 3, "post larger than 4999 bytes (max_post_bytes)");
    imp_post_free(next_ok(r));
    next_done(r);
    imp_close(r);
    /* 0 is the default; out of range is refused. */
    r = open_max(path, 0);
    for (int i = 0; i < 4; i++)
        imp_post_free(next_ok(r));
    next_done(r);
    imp_close(r);
    size_t bad[] = {1, 1023, ((size_t)1 << 30) + 1, (size_t)-1};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        o.max_post_bytes = bad[i];
        r = (imp_reader *)&o; /* must be reset */
        ck_assert_int_eq(imp_open_opts(path, IMP_FORMAT_AUTO, &o, &r, err, sizeof err),
                         IMP_ERR_INVALID);
        ck_assert_ptr_null(r);
        ck_assert_ptr_nonnull(strstr(err, "max_post_bytes must be from 1024 to 1073741824"));
    }
    free(path);
}
END_TEST

START_TEST(test_gzip_bomb_line)
{
    /* 256 MiB of one line from a gzip of a few hundred KiB: rejected with
       its line, skipped without being held (the process grows by far less
       than the line), and the next post is read. */
    char *path = th_path(tmp, "bomb.jsonl.gz");
    gzFile g = gzopen(path, "wb9");
    ck_assert_ptr_nonnull(g);
    gzputs(g, "{\"id\": \"first\"}\n{\"id\": \"bomb\", \"body\": \"");
    static char chunk[1 << 16];
    memset(chunk, 'a', sizeof chunk);
    for (int i = 0; i < 256 * 16; i++)
        ck_assert_int_eq(gzwrite(g, chunk, sizeof chunk), (int)sizeof chunk);
    gzputs(g, "\"}\n{\"id\": \"last\"}\n");
    ck_assert_int_eq(gzclose(g), Z_OK);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_lt(st.st_size, 2 << 20);
    long before = th_max_rss_kib();
    imp_reader *r = open_ok(path, IMP_FORMAT_AUTO);
    imp_post *p = next_ok(r);
    ck_assert_str_eq(p->id, "first");
    imp_post_free(p);
    next_err(r, IMP_ERR_RECORD, path, 2, "post larger than 8 MiB (max_post_bytes)");
    p = next_ok(r);
    ck_assert_str_eq(p->id, "last");
    ck_assert_uint_eq(p->line, 3);
    imp_post_free(p);
    next_done(r);
    imp_close(r);
    long grown = th_max_rss_kib() - before;
    ck_assert_msg(grown < 128 * 1024, "the reader grew by %ld KiB for a 256 MiB line", grown);
    free(path);
}
END_TEST

/* Writes n posts gzip-compressed to tmp/name; returns the path. */
static char *write_gz(const char *name, int n)
{
    char *path = th_path(tmp, name);
    gzFile g = gzopen(path, "wb");
    ck_assert_ptr_nonnull(g);
    for (int i = 0; i < n; i++)
        gzprintf(g, "{\"id\": \"g-%d\", \"title\": \"Post %d\", \"body\": \"%x %x %x\"}\n", i, i,
                 (unsigned)i * 2654435761u, (unsigned)i * 40503u, (unsigned)i * 69069u);
    ck_assert_int_eq(gzclose(g), Z_OK);
    return path;
}

START_TEST(test_gzip)
{
    char *path = write_gz("posts.jsonl.gz", 500);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    imp_reader *r = open_ok(path, IMP_FORMAT_AUTO);
    for (int i = 0; i < 500; i++) {
        imp_post *p = next_ok(r);
        char want[32];
        snprintf(want, sizeof want, "g-%d", i);
        ck_assert_str_eq(p->id, want);
        imp_post_free(p);
    }
    next_done(r);
    uint64_t done, total;
    imp_progress(r, &done, &total);
    ck_assert_uint_eq(total, (uint64_t)st.st_size);
    ck_assert_uint_eq(done, (uint64_t)st.st_size);
    imp_close(r);
    free(path);
}
END_TEST

START_TEST(test_truncated_gzip)
{
    char *path = write_gz("cut.jsonl.gz", 5000);
    size_t len = 0;
    char *data = th_read_file(path, &len);
    ck_assert_ptr_nonnull(data);
    ck_assert_int_eq(th_write_file(path, data, len / 2), 0);
    free(data);
    imp_reader *r = open_ok(path, IMP_FORMAT_AUTO);
    int n = 0, rc;
    imp_post *p = NULL;
    while ((rc = imp_next(r, &p, err, sizeof err)) == IMP_OK) {
        char want[32];
        snprintf(want, sizeof want, "g-%d", n++);
        ck_assert_str_eq(p->id, want);
        imp_post_free(p);
    }
    ck_assert_int_eq(rc, IMP_ERR_FATAL);
    char expect[1024];
    snprintf(expect, sizeof expect, "%s: truncated gzip input", path);
    ck_assert_str_eq(err, expect);
    /* The posts before the cut were read, and none after it. */
    ck_assert_int_gt(n, 100);
    ck_assert_int_lt(n, 5000);
    imp_close(r);
    free(path);
}
END_TEST

START_TEST(test_stdin_pipe)
{
    /* "-" reads standard input; a pipe has no known size. Check runs each
       test in its own process, so replacing fd 0 here is harmless. */
    static const char t[] = "{\"id\": \"s1\"}\n{\"id\": \"s2\"}\n";
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    ck_assert_int_eq(write(fds[1], t, sizeof t - 1), (int)(sizeof t - 1));
    close(fds[1]);
    ck_assert_int_eq(dup2(fds[0], 0), 0);
    close(fds[0]);
    imp_reader *r = open_ok("-", IMP_FORMAT_AUTO);
    imp_post *p = next_ok(r);
    ck_assert_str_eq(p->id, "s1");
    ck_assert_str_eq(p->source, "<stdin>");
    imp_post_free(p);
    p = next_ok(r);
    ck_assert_str_eq(p->id, "s2");
    imp_post_free(p);
    next_done(r);
    uint64_t done, total;
    imp_progress(r, &done, &total);
    ck_assert_uint_eq(total, 0);
    imp_close(r);
}
END_TEST

START_TEST(test_open_errors)
{
    imp_reader *r = (imp_reader *)&r;
    char *missing = th_path(tmp, "missing.jsonl");
    ck_assert_int_eq(imp_open(missing, IMP_FORMAT_AUTO, &r, err, sizeof err), IMP_ERR_OPEN);
    ck_assert_ptr_null(r);
    ck_assert_ptr_nonnull(strstr(err, missing));
    ck_assert_ptr_nonnull(strstr(err, "No such file"));
    ck_assert_int_eq(imp_open(tmp, IMP_FORMAT_AUTO, &r, err, sizeof err), IMP_ERR_OPEN);
    ck_assert_int_eq(imp_open(missing, (imp_format)7, &r, err, sizeof err), IMP_ERR_INVALID);
    free(missing);
    /* An empty file is an empty source. */
    char *empty = write_file("empty.jsonl", "", 0);
    r = open_ok(empty, IMP_FORMAT_AUTO);
    next_done(r);
    imp_close(r);
    free(empty);
}
END_TEST

static void touch(const char *name)
{
    free(write_file(name, "", 0));
}

START_TEST(test_expand_sources)
{
    touch("b.jsonl");
    touch("a.xml");
    touch("c.jsonl.gz");
    touch("d.xml.gz");
    touch("notes.txt");
    touch(".hidden.jsonl");
    touch("e.json");
    char *sub = th_path(tmp, "sub.jsonl");
    ck_assert_int_eq(mkdir(sub, 0700), 0);
    char *single = th_path(tmp, "notes.txt");
    const char *args[] = {"-", tmp, single};
    char **paths = NULL;
    size_t n = 0;
    ck_assert_int_eq(imp_expand_sources(args, 3, &paths, &n, err, sizeof err), IMP_OK);
    ck_assert_uint_eq(n, 6);
    ck_assert_str_eq(paths[0], "-");
    const char *names[] = {"a.xml", "b.jsonl", "c.jsonl.gz", "d.xml.gz"};
    for (int i = 0; i < 4; i++) {
        char *want = th_path(tmp, names[i]);
        ck_assert_str_eq(paths[i + 1], want);
        free(want);
    }
    ck_assert_str_eq(paths[5], single);
    for (size_t i = 0; i < n; i++) free(paths[i]);
    free(paths);
    char *missing = th_path(tmp, "nope");
    const char *bad[] = {tmp, missing};
    ck_assert_int_eq(imp_expand_sources(bad, 2, &paths, &n, err, sizeof err), IMP_ERR_OPEN);
    ck_assert_ptr_nonnull(strstr(err, missing));
    ck_assert_ptr_null(paths);
    free(missing);
    free(single);
    free(sub);
}
END_TEST

START_TEST(test_dates_and_formats)
{
    ck_assert_int_eq(imp_date_valid(""), 1);
    ck_assert_int_eq(imp_date_valid("2021-02-10"), 1);
    ck_assert_int_eq(imp_date_valid("2020-02-29"), 1);
    ck_assert_int_eq(imp_date_valid("2000-02-29"), 1);
    ck_assert_int_eq(imp_date_valid("1900-02-29"), 0);
    ck_assert_int_eq(imp_date_valid("2021-02-29"), 0);
    ck_assert_int_eq(imp_date_valid("2021-04-31"), 0);
    ck_assert_int_eq(imp_date_valid("2021-13-01"), 0);
    ck_assert_int_eq(imp_date_valid("2021-00-10"), 0);
    ck_assert_int_eq(imp_date_valid("2021-01-00"), 0);
    ck_assert_int_eq(imp_date_valid("0000-01-01"), 0);
    ck_assert_int_eq(imp_date_valid("2021-1-10"), 0);
    ck_assert_int_eq(imp_date_valid("2021-01-10 "), 0);
    ck_assert_int_eq(imp_date_valid("2021/01/10"), 0);
    ck_assert_int_eq(imp_date_valid(NULL), 0);
    ck_assert_int_eq(imp_format_parse("auto"), IMP_FORMAT_AUTO);
    ck_assert_int_eq(imp_format_parse("jsonl"), IMP_FORMAT_JSONL);
    ck_assert_int_eq(imp_format_parse("wxr"), IMP_FORMAT_WXR);
    ck_assert_int_eq(imp_format_parse("xml"), -1);
    ck_assert_int_eq(imp_format_parse(NULL), -1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("jsonl");
    TCase *tc = tcase_create("jsonl");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_all_fields);
    tcase_add_test(tc, test_bad_records_and_blank_lines);
    tcase_add_test(tc, test_invalid_utf8_and_nul_repaired);
    tcase_add_test(tc, test_bom_and_crlf);
    tcase_add_test(tc, test_huge_line_skipped);
    tcase_add_test(tc, test_max_post_bytes_option);
    tcase_add_test(tc, test_gzip_bomb_line);
    tcase_add_test(tc, test_gzip);
    tcase_add_test(tc, test_truncated_gzip);
    tcase_add_test(tc, test_stdin_pipe);
    tcase_add_test(tc, test_open_errors);
    tcase_add_test(tc, test_expand_sources);
    tcase_add_test(tc, test_dates_and_formats);
    suite_add_tcase(s, tc);
    return th_run_suite(s, 0);
}
