/* respell.c: a word as a visitor may type it (in capitals, without accents,
 * with the other apostrophe), for the tests that check the query side meets
 * the index side. Apart from testhelp.c so that only the tests using it
 * need libutf8proc. */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "lib/testhelp.h"

char *th_respell(const char *s, int how)
{
    if (how == TH_NO_ACCENTS) {
        utf8proc_uint8_t *out = NULL;
        utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, 0, &out,
                                          UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE |
                                              UTF8PROC_STRIPMARK);
        ck_assert_int_ge(n, 0);
        return (char *)out;
    }
    size_t len = strlen(s);
    char *r = malloc(len * 4 + 1);
    ck_assert_ptr_nonnull(r);
    size_t w = 0;
    for (size_t i = 0; i < len;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k =
            utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);
        ck_assert_int_gt(k, 0);
        i += (size_t)k;
        if (how == TH_UPPER)
            cp = utf8proc_toupper(cp);
        else if (cp == '\'')
            cp = 0x2019;
        else if (cp == 0x2019)
            cp = '\'';
        w += (size_t)utf8proc_encode_char(cp, (utf8proc_uint8_t *)r + w);
    }
    r[w] = '\0';
    return r;
}
