/* test-text-fuzz.c: 100,000 random and mutated byte strings through
 * txt_analyse (fixed seed, so a failure repeats), under the sanitizers when
 * configured, with the result's invariants checked: spans inside the input,
 * words non-empty valid UTF-8, positions never decreasing (joined forms
 * share the first part's), paragraph numbers never decreasing, stems
 * non-empty. Also txt_normalise and txt_glossary_parse on the same bytes. */
#include <config.h>

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/testhelp.h"
#include "text/text.h"

#define ROUNDS 100000

/* Check records every passing ck_assert (a write each): too slow for
 * millions of checks, so the loop only calls Check when one fails. */
#define REQUIRE(cond)                                                              \
    do {                                                                           \
        if (!(cond))                                                               \
            ck_abort_msg("round %u: %s failed (%s:%d)", round_no, #cond, __FILE__, \
                         __LINE__);                                                \
    } while (0)

static unsigned round_no;
static size_t total_inputs, total_tokens;

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

/* Strict UTF-8 validity (the test's own check, independent of the library). */
static int valid_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t need;
        uint32_t v, min;
        if (c < 0x80) {
            if (c == 0)
                return 0;
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            need = 1, v = c & 0x1F, min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2, v = c & 0x0F, min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3, v = c & 0x07, min = 0x10000;
        } else {
            return 0;
        }
        if (i + need >= n)
            return 0;
        for (size_t k = 1; k <= need; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            v = (v << 6) | (s[i + k] & 0x3F);
        }
        if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
            return 0;
        i += need + 1;
    }
    return 1;
}

static const char *const pieces[] = {
    "l'", "L’", "qu'", "jusqu’", "-", "--", ".", "..", ",", "'", "’", "ʼ", "s", "'s", "’s",
    "é", "e\xcc\x81", "\xcc\x81", "ﬁ", "œ", "Œ", "ß", "İ", "ǅ", "½", "²", "①", "٣", "𝐀",
    "\xff", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc3", "\xe2\x80",
    "\0", "\n", "\n\n", "\r\n", " ", "\t", "M.D.", "20.06.16", "3,5", "10:30", "1/2",
    "COVID-19", "États-Unis", "post-doctoral", "médecins", "residencies", "the", "le", "de",
    "a", "1", "x", "Québec", "日本", "\u2028", "\u00ad", "\u200b", "\xef\xbb\xbf",
};

static size_t gen(unsigned char *buf, size_t cap)
{
    size_t n = 0, want = rnd() % 80;
    while (n < want) {
        unsigned k = rnd() % 4;
        if (k == 0) { /* random byte */
            if (n < cap)
                buf[n++] = (unsigned char)rnd();
        } else if (k == 1) { /* ASCII letter */
            if (n < cap)
                buf[n++] = (unsigned char)('a' + rnd() % 26 - (rnd() % 3 == 0 ? 32 : 0));
        } else {
            const char *p = pieces[rnd() % (sizeof pieces / sizeof *pieces)];
            size_t l = p[0] ? strlen(p) : 1;
            if (n + l > cap)
                break;
            memcpy(buf + n, p, l);
            n += l;
        }
    }
    return n;
}

static void mutate(unsigned char *buf, size_t *n, size_t cap)
{
    unsigned times = 1 + rnd() % 4;
    for (unsigned t = 0; t < times; t++) {
        unsigned op = rnd() % 3;
        if (op == 0 && *n) {
            buf[rnd() % *n] ^= (unsigned char)(1u << (rnd() % 8));
        } else if (op == 1 && *n < cap) {
            size_t at = *n ? rnd() % (*n + 1) : 0;
            memmove(buf + at + 1, buf + at, *n - at);
            buf[at] = (unsigned char)rnd();
            (*n)++;
        } else if (*n) {
            size_t at = rnd() % *n;
            memmove(buf + at, buf + at + 1, *n - at - 1);
            (*n)--;
        }
    }
}

static void check_result(const unsigned char *in, size_t len, const txt_result *r,
                         uint32_t first)
{
    uint32_t lastpos = 0, lastpara = 0;
    for (size_t i = 0; i < r->ntokens; i++) {
        const txt_token *t = &r->tokens[i];
        REQUIRE((t->len) > (0));
        REQUIRE((strlen(t->word)) == (t->len));
        REQUIRE(valid_utf8((const unsigned char *)t->word, t->len));
        REQUIRE((t->start) <= (t->end));
        REQUIRE((t->end) <= (len));
        REQUIRE((t->start) < (t->end));
        REQUIRE((t->pos) >= (first));
        REQUIRE((t->pos) >= (lastpos));
        if (!(t->flags & TXT_TOK_JOINED) && i > 0)
            REQUIRE((t->pos) > (lastpos));
        REQUIRE((t->para) >= (lastpara));
        REQUIRE((t->nstems) >= (1));
        REQUIRE((t->nstems) <= (TXT_MAX_STEMS));
        for (unsigned j = 0; j < t->nstems; j++) {
            REQUIRE((t->stems[j].term) != NULL);
            REQUIRE((strlen(t->stems[j].term)) == (t->stems[j].len));
            REQUIRE(valid_utf8((const unsigned char *)t->stems[j].term, t->stems[j].len));
        }
        lastpos = t->pos;
        lastpara = t->para;
        REQUIRE((t->pos) <= (r->last_pos));
    }
    (void)in;
}

START_TEST(test_fuzz)
{
    txt_analyser *a;
    REQUIRE((txt_analyser_new(&a)) == (TXT_OK));
    unsigned char buf[512];
    unsigned char prev[512];
    size_t prevn = 0;
    for (unsigned i = 0; i < ROUNDS; i++) {
        round_no = i;
        size_t n;
        if (i % 2 && prevn) {
            memcpy(buf, prev, prevn);
            n = prevn;
            mutate(buf, &n, sizeof buf);
        } else {
            n = gen(buf, sizeof buf);
        }
        memcpy(prev, buf, n);
        prevn = n;
        /* an exact-size heap copy, so that ASan sees any read past the end */
        unsigned char *in = malloc(n ? n : 1);
        REQUIRE((in) != NULL);
        memcpy(in, buf, n);
        txt_options o = {(txt_lang)(rnd() % 3), (txt_lang)(rnd() % 3), (int)(rnd() % 2)};
        uint32_t first = 1 + rnd() % 1000;
        txt_result r;
        total_inputs++;
        REQUIRE((txt_analyse(a, (const char *)in, n, &o, first, &r)) == (TXT_OK));
        check_result(in, n, &r, first);
        total_tokens += r.ntokens;
        if (i % 16 == 0) {
            char *s;
            REQUIRE((txt_normalise((const char *)in, n, &s)) == (TXT_OK));
            REQUIRE(valid_utf8((const unsigned char *)s, strlen(s)));
            free(s);
            txt_glossary *g = NULL;
            char err[128];
            int rc = txt_glossary_parse("fuzz", (const char *)in, n, &g, err, sizeof err);
            REQUIRE(rc == TXT_OK || rc == TXT_ERR_SYNTAX);
            txt_glossary_free(g);
            (void)txt_detect_lang((const char *)in, n, TXT_LANG_EN);
        }
        free(in);
    }
    txt_analyser_free(a);
    printf("fuzz: %zu inputs, %zu tokens checked\n", total_inputs, total_tokens);
    ck_assert_uint_eq(total_inputs, ROUNDS);
    ck_assert_uint_gt(total_tokens, ROUNDS);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("text-fuzz");
    TCase *tc = tcase_create("fuzz");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_fuzz);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return th_run_suite(suite(), 0);
}
