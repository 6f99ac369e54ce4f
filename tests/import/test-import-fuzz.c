/* test-import-fuzz.c: mutated exports through the streaming readers. The
 * project's sample archive, in both formats, is mutated (bytes replaced,
 * dropped, repeated, ranges cut off or duplicated, markup characters
 * inserted) and read to the end; every post that comes out must hold valid
 * UTF-8 and a valid or empty date, every error must carry "FILE:LINE:", and
 * a fatal error must end the source. The HTML-to-text converter gets the
 * same treatment. Seeded, so a failure repeats; the sanitizers watch the
 * memory. */
#include <config.h>

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/import.h"
#include "lib/testhelp.h"

#define ROUNDS 300

/* What the rounds gave: the fuzzing must reach both posts and errors. */
static unsigned long posts_read, errors_seen;

static uint64_t rng_state = 0x2545f4914f6cdd1dull;
static uint32_t rnd(uint32_t n)
{
    return th_rand(&rng_state, n);
}

static const char *inserts[] = {"<", ">", "&", "&#0;", "&#xD800;", "&bogus;", "]]>", "<![CDATA[",
                                "\"", "\\", "{", "}", "\n", "\r\n", "\xc3", "\xff", "\0",
                                "<p>", "</div>", "[caption]", "<script>", "\\u0000", "\\ud800"};
#define NINSERTS (sizeof inserts / sizeof inserts[0])

/* Writes a mutation of src (len bytes) into buf (capacity cap); returns its length. */
static size_t mutate(const char *src, size_t len, char *buf, size_t cap)
{
    size_t n = len < cap ? len : cap;
    memcpy(buf, src, n);
    unsigned edits = 1 + rnd(6);
    for (unsigned i = 0; i < edits && n > 0; i++) {
        size_t at = rnd((uint32_t)n);
        switch (rnd(6)) {
        case 0: /* replace a byte */
            buf[at] = (char)rnd(256);
            break;
        case 1: /* drop a range */
        {
            size_t k = 1 + rnd(64);
            if (k > n - at)
                k = n - at;
            memmove(buf + at, buf + at + k, n - at - k);
            n -= k;
            break;
        }
        case 2: /* cut the rest off */
            n = at;
            break;
        case 3: /* duplicate a range */
        {
            size_t k = 1 + rnd(256);
            if (k > n - at)
                k = n - at;
            if (n + k <= cap) {
                memmove(buf + at + k, buf + at, n - at);
                n += k;
            }
            break;
        }
        default: /* insert a markup piece */
        {
            const char *p = inserts[rnd(NINSERTS)];
            size_t k = strlen(p) ? strlen(p) : 1; /* "\0" inserts a NUL byte */
            if (n + k <= cap) {
                memmove(buf + at + k, buf + at, n - at);
                memcpy(buf + at, p, k);
                n += k;
            }
        }
        }
    }
    return n;
}

/* 1 if s is valid UTF-8 with no NUL inside its length. */
static int utf8_ok(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned n = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 ? 1 : (*p & 0xf0) == 0xe0 ? 2
                               : (*p & 0xf8) == 0xf0 ? 3 : 9;
        if (n == 9 || (n == 1 && *p < 0xc2))
            return 0;
        for (unsigned i = 1; i <= n; i++)
            if ((p[i] & 0xc0) != 0x80)
                return 0;
        p += n + 1;
    }
    return 1;
}

static void check_post(const imp_post *p, const char *what)
{
    const char *fields[] = {p->id, p->url, p->title, p->author, p->date, p->lang, p->body};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        ck_assert_msg(fields[i] != NULL, "%s: a NULL field", what);
        ck_assert_msg(utf8_ok(fields[i]), "%s: field %zu is not UTF-8", what, i);
    }
    for (size_t i = 0; i < p->ncategories; i++)
        ck_assert_msg(utf8_ok(p->categories[i]), "%s: a category is not UTF-8", what);
    for (size_t i = 0; i < p->ntags; i++)
        ck_assert_msg(utf8_ok(p->tags[i]), "%s: a tag is not UTF-8", what);
    ck_assert_msg(imp_date_valid(p->date), "%s: date [%s]", what, p->date);
    ck_assert_msg(*p->id, "%s: empty id", what);
}

/* Reads path to the end; checks every post and every message. */
static void read_all(const char *path, imp_format fmt, const char *what)
{
    imp_reader *r = NULL;
    char err[1024];
    int rc = imp_open(path, fmt, &r, err, sizeof err);
    ck_assert_msg(rc == IMP_OK, "%s: open: %s", what, err);
    for (unsigned guard = 0; guard < 100000; guard++) {
        imp_post *p = NULL;
        err[0] = '\0';
        rc = imp_next(r, &p, err, sizeof err);
        if (rc == IMP_OK) {
            check_post(p, what);
            imp_post_free(p);
            posts_read++;
            continue;
        }
        if (rc == IMP_DONE)
            break;
        ck_assert_msg(rc == IMP_ERR_RECORD || rc == IMP_ERR_FATAL, "%s: status %d", what, rc);
        errors_seen++;
        ck_assert_msg(strncmp(err, path, strlen(path)) == 0 && err[strlen(path)] == ':',
                      "%s: message without FILE:LINE: [%s]", what, err);
        if (rc == IMP_ERR_FATAL) {
            imp_post *q = NULL;
            int again = imp_next(r, &q, err, sizeof err);
            ck_assert_msg(again != IMP_OK, "%s: a post after a fatal error", what);
            imp_post_free(q);
            break;
        }
    }
    imp_close(r);
}

static void fuzz_file(const char *name, imp_format fmt)
{
    char *tmp = th_tmpdir("import-fuzz");
    ck_assert_ptr_nonnull(tmp);
    char *src_path = th_path(th_srcdir(), name);
    size_t len = 0;
    char *src = th_read_file(src_path, &len);
    ck_assert_msg(src != NULL, "cannot read %s", src_path);
    size_t cap = len + 4096;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    char *out = th_path(tmp, "mutant");
    posts_read = errors_seen = 0;
    for (int round = 0; round < ROUNDS; round++) {
        size_t n = mutate(src, len, buf, cap);
        ck_assert_int_eq(th_write_file(out, buf, n), 0);
        char what[64];
        snprintf(what, sizeof what, "%s round %d", name, round);
        read_all(out, fmt, what);
        /* the same bytes with the format guessed */
        read_all(out, IMP_FORMAT_AUTO, what);
    }
    ck_assert_msg(posts_read > ROUNDS && errors_seen > 0, "%s: %lu posts, %lu errors", name,
                  posts_read, errors_seen);
    free(out);
    free(buf);
    free(src);
    free(src_path);
    th_rmtree(tmp);
    free(tmp);
}

START_TEST(mutated_jsonl)
{
    fuzz_file("index/sample/sample.jsonl", IMP_FORMAT_JSONL);
}
END_TEST

START_TEST(mutated_wxr)
{
    fuzz_file("index/sample/sample.wxr.xml", IMP_FORMAT_WXR);
}
END_TEST

START_TEST(mutated_html)
{
    const char *seed = "<div class=\"x\"><p>L&rsquo;&eacute;quivalence &amp; the <b>match</b></p>"
                       "<script>alert(1)</script><style>p{}</style>[caption id=\"a\"]<img src=x>"
                       "Légende[/caption]<ul><li>un</li><li>deux &#233; &#x2019; &#0; &#99999999;"
                       "</li></ul><!-- c --><pre>  a\n  b</pre><table><tr><td>x</td></tr></table>";
    size_t len = strlen(seed);
    char buf[2048];
    for (int round = 0; round < 20 * ROUNDS; round++) {
        size_t n = mutate(seed, len, buf, sizeof buf);
        char *text = NULL;
        int rc = imp_html_to_text(buf, n, &text);
        ck_assert_msg(rc == IMP_OK, "html round %d: status %d", round, rc);
        ck_assert_msg(text && utf8_ok(text), "html round %d: not UTF-8", round);
        free(text);
    }
}
END_TEST

int main(void)
{
    Suite *su = suite_create("import-fuzz");
    TCase *tc = tcase_create("fuzz");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, mutated_jsonl);
    tcase_add_test(tc, mutated_wxr);
    tcase_add_test(tc, mutated_html);
    suite_add_tcase(su, tc);
    return th_run_suite(su, 0);
}
