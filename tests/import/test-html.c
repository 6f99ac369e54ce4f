/* test-html.c: imp_html_to_text over a table of HTML fragments: paragraph
 * and line breaks, whitespace, entities, dropped elements, shortcodes,
 * nested structures and byte-level oddities. */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/import.h"
#include "lib/testhelp.h"

static const struct { const char *html, *text; } cases[] = {
    {"", ""},
    {"plain words", "plain words"},
    {"<p>a</p><p>b</p>", "a\n\nb"},
    {"<p>\n</p><p></p><p>a</p>\n\n", "a"},
    {"a<br>b", "a\nb"},
    {"a<br />b<BR/>c", "a\nb\nc"},
    {"  a \t  b \n\n c  ", "a b c"},
    {"<b>bo</b>ld <i>it</i>", "bold it"},
    {"&amp; &lt; &gt; &quot; &#39; &apos;", "& < > \" ' '"},
    {"caf&eacute; &#233; &#xE9; &#XE9;", "caf\xc3\xa9 \xc3\xa9 \xc3\xa9 \xc3\xa9"},
    {"a&nbsp;b", "a\xc2\xa0" "b"},
    {"a &unknown; b &amp", "a &unknown; b &amp"},
    {"&#0; &#150;", "\xef\xbf\xbd \xe2\x80\x93"},
    {"x < y and y > z", "x < y and y > z"},
    {"<script>var p = '<p>';</script>ok", "ok"},
    {"<SCRIPT type=\"x\">a</SCRIPT >b<style>p{}</style>c", "bc"},
    {"<!-- a comment <p> -->after", "after"},
    {"<!DOCTYPE html><?php echo 1 ?>x", "x"},
    {"<h2>Title</h2>text", "Title\n\ntext"},
    {"<ul><li>one</li><li>two <ol><li>nested</li></ol></li></ul>", "one\n\ntwo\n\nnested"},
    {"<table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr></table>", "A B\n\n1 2"},
    {"x<blockquote><p>quoted</p></blockquote>y", "x\n\nquoted\n\ny"},
    {"<div><div>a</div></div>b", "a\n\nb"},
    {"<a href=\"x>y\" title='a>b'>link</a>", "link"},
    {"[caption id=\"attachment_1\" width=\"300\"]<img src=\"a.jpg\" alt=\"]\" /> The caption[/caption]",
     "The caption"},
    {"before [embed]https://youtu.be/x[/embed] after", "before after"},
    {"[gallery ids=\"1,2,3\"]text", "text"},
    {"[audio src=\"a.mp3\"]after", "after"},
    {"[video]<b>v</b>[/video]kept", "kept"},
    {"see [1] and [sic] and [not a shortcode]", "see [1] and [sic] and [not a shortcode]"},
    {"[vc_row][vc_column_text]inner[/vc_column_text][/vc_row]", "inner"},
    {"a\xff" "b", "a\xef\xbf\xbd" "b"},
    {"l\xc3\xa9gende \xe2\x80\x94 ok", "l\xc3\xa9gende \xe2\x80\x94 ok"},
    {"<p>one\ntwo</p>\n<p>three</p>", "one two\n\nthree"},
    {"a<hr>b", "a\n\nb"},
    {"<p>x<br></p><p>y</p>", "x\n\ny"},
};

START_TEST(test_table)
{
    const char *html = cases[_i].html;
    char *out = NULL;
    ck_assert_int_eq(imp_html_to_text(html, strlen(html), &out), IMP_OK);
    ck_assert_msg(strcmp(out, cases[_i].text) == 0, "case %d: \"%s\" gave \"%s\", expected \"%s\"",
                  _i, html, out, cases[_i].text);
    free(out);
}
END_TEST

START_TEST(test_embedded_nul)
{
    static const char html[] = "a\0b";
    char *out = NULL;
    ck_assert_int_eq(imp_html_to_text(html, 3, &out), IMP_OK);
    ck_assert_str_eq(out, "ab");
    free(out);
    ck_assert_int_eq(imp_html_to_text(NULL, 0, &out), IMP_OK);
    ck_assert_str_eq(out, "");
    free(out);
}
END_TEST

/* n copies of unit, then tail, in a malloc'ed buffer. */
static char *repeat(const char *unit, size_t n, const char *tail, size_t *len)
{
    size_t ul = strlen(unit), tl = strlen(tail);
    char *s = malloc(ul * n + tl + 1);
    ck_assert_ptr_nonnull(s);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * ul, unit, ul);
    memcpy(s + ul * n, tail, tl + 1);
    *len = ul * n + tl;
    return s;
}

START_TEST(test_linear_on_hostile_input)
{
    /* Unclosed shortcodes by the million (8 MB, the default max_post_bytes):
       each opening bracket was once searched to the end of the text (hours
       of work); now every byte is looked at a bounded number of times. */
    static const struct { const char *unit, *tail, *text_start; size_t text_len; } in[] = {
        {"[embed]", "end", "end", 3},
        {"[audio x", "", "[audio x[audio x", 8 * 1000000},
        {"[video]x", "[/video]after", "", 0},
        {"[caption x=\"", "", "[caption x=\"", 12 * 1000000},
    };
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        size_t len = 0;
        char *html = repeat(in[i].unit, 1000000, in[i].tail, &len);
        char *out = NULL;
        ck_assert_int_eq(imp_html_to_text(html, len, &out), IMP_OK);
        if (in[i].text_len) {
            ck_assert_uint_eq(strlen(out), in[i].text_len);
            ck_assert(strncmp(out, in[i].text_start, strlen(in[i].text_start)) == 0);
        } else {
            ck_assert_str_eq(out, "after"); /* the content up to [/video] dropped */
        }
        free(out);
        free(html);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("html");
    TCase *tc = tcase_create("html");
    tcase_add_loop_test(tc, test_table, 0, (int)(sizeof cases / sizeof cases[0]));
    tcase_add_test(tc, test_embedded_nul);
    tcase_add_test(tc, test_linear_on_hostile_input);
    suite_add_tcase(s, tc);
    return th_run_suite(s, 0);
}
