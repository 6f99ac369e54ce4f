/* utf8.c: strict UTF-8 decoding (repair is the caller's: an invalid byte is
 * a separator), character classes for the tokeniser, and the two
 * normalisations of a word with libutf8proc: NFKC + full case folding, then
 * accent removal. Buffers are reused so that no word costs a malloc. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "text/text-internal.h"

size_t txt_utf8_decode(const unsigned char *s, size_t n, int32_t *cp)
{
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = (int32_t)c;
        return 1;
    }
    size_t need;
    int32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1; v = c & 0x1F; min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2; v = c & 0x0F; min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3; v = c & 0x07; min = 0x10000;
    } else {
        *cp = -1;
        return 1;
    }
    if (n < need + 1) {
        *cp = -1;
        return 1;
    }
    for (size_t i = 1; i <= need; i++) {
        unsigned d = s[i];
        if ((d & 0xC0) != 0x80) {
            *cp = -1;
            return 1;
        }
        v = (v << 6) | (int32_t)(d & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        *cp = -1;
        return 1;
    }
    *cp = v;
    return need + 1;
}

/* The class of each ASCII character (the common case), as below. */
static const signed char ascii_class[128] = {
    TXT_C_SEP, TXT_C_SEP, TXT_C_SEP, TXT_C_SEP,
    TXT_C_SEP, TXT_C_SEP, TXT_C_SEP, TXT_C_SEP,
    TXT_C_SEP, TXT_C_SEP, TXT_C_NEWLINE, TXT_C_SEP,
    TXT_C_SEP, TXT_C_SEP, TXT_C_SEP, TXT_C_SEP,
    TXT_C_SEP, TXT_C_SEP, TXT_C_SEP, TXT_C_SEP,
    TXT_C_SEP, TXT_C_SEP, TXT_C_SEP, TXT_C_SEP,
    TXT_C_SEP, TXT_C_SEP, TXT_C_SEP, TXT_C_SEP,
    TXT_C_SEP, TXT_C_SEP, TXT_C_SEP, TXT_C_SEP,
    TXT_C_SEP, TXT_C_SEP, TXT_C_SEP, TXT_C_SEP,
    TXT_C_SEP, TXT_C_SEP, TXT_C_SEP, TXT_C_APOS,
    TXT_C_SEP, TXT_C_SEP, TXT_C_SEP, TXT_C_SEP,
    TXT_C_NUMSEP, TXT_C_HYPHEN, TXT_C_DOT, TXT_C_NUMSEP,
    TXT_C_DIGIT, TXT_C_DIGIT, TXT_C_DIGIT, TXT_C_DIGIT,
    TXT_C_DIGIT, TXT_C_DIGIT, TXT_C_DIGIT, TXT_C_DIGIT,
    TXT_C_DIGIT, TXT_C_DIGIT, TXT_C_NUMSEP, TXT_C_SEP,
    TXT_C_SEP, TXT_C_SEP, TXT_C_SEP, TXT_C_SEP,
    TXT_C_SEP, TXT_C_LETTER, TXT_C_LETTER, TXT_C_LETTER,
    TXT_C_LETTER, TXT_C_LETTER, TXT_C_LETTER, TXT_C_LETTER,
    TXT_C_LETTER, TXT_C_LETTER, TXT_C_LETTER, TXT_C_LETTER,
    TXT_C_LETTER, TXT_C_LETTER, TXT_C_LETTER, TXT_C_LETTER,
    TXT_C_LETTER, TXT_C_LETTER, TXT_C_LETTER, TXT_C_LETTER,
    TXT_C_LETTER, TXT_C_LETTER, TXT_C_LETTER, TXT_C_LETTER,
    TXT_C_LETTER, TXT_C_LETTER, TXT_C_LETTER, TXT_C_SEP,
    TXT_C_SEP, TXT_C_SEP, TXT_C_SEP, TXT_C_SEP,
    TXT_C_SEP, TXT_C_LETTER, TXT_C_LETTER, TXT_C_LETTER,
    TXT_C_LETTER, TXT_C_LETTER, TXT_C_LETTER, TXT_C_LETTER,
    TXT_C_LETTER, TXT_C_LETTER, TXT_C_LETTER, TXT_C_LETTER,
    TXT_C_LETTER, TXT_C_LETTER, TXT_C_LETTER, TXT_C_LETTER,
    TXT_C_LETTER, TXT_C_LETTER, TXT_C_LETTER, TXT_C_LETTER,
    TXT_C_LETTER, TXT_C_LETTER, TXT_C_LETTER, TXT_C_LETTER,
    TXT_C_LETTER, TXT_C_LETTER, TXT_C_LETTER, TXT_C_SEP,
    TXT_C_SEP, TXT_C_SEP, TXT_C_SEP, TXT_C_SEP,
};

int txt_class(int32_t cp)
{
    if (cp < 0x80) /* letters, digits, ' - . , / : newline; the rest separate */
        return cp < 0 ? TXT_C_SEP : ascii_class[cp];
    switch (cp) {
    case 0x2019: case 0x02BC: case 0x2018: return TXT_C_APOS;
    case 0x2010: case 0x2011: return TXT_C_HYPHEN;
    case 0x2028: case 0x2029: return TXT_C_NEWLINE;
    default: break;
    }
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
        return TXT_C_LETTER;
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
        return TXT_C_DIGIT;
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
        return TXT_C_MARK;
    default:
        return TXT_C_SEP;
    }
}

int txt_initial_case(const char *s, size_t len)
{
    int32_t cp;
    if (!s || len == 0 || txt_utf8_decode((const unsigned char *)s, len, &cp) == 0 || cp < 0)
        return 0;
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LT: return 1;
    case UTF8PROC_CATEGORY_LL: return -1;
    default: return 0;
    }
}

void txt_cpbuf_free(txt_cpbuf *cb)
{
    free(cb->p);
    cb->p = NULL;
    cb->cap = 0;
}

/* Runs utf8proc over s[0..n) with options into out. */
static int map_into(txt_cpbuf *cb, const char *s, size_t n, utf8proc_option_t opts, txt_buf *out)
{
    if (cb->cap < n * 4 + 16) {
        size_t cap = n * 4 + 16;
        int32_t *p = realloc(cb->p, cap * sizeof *p);
        if (!p)
            return TXT_ERR_NOMEM;
        cb->p = p;
        cb->cap = cap;
    }
    for (;;) {
        utf8proc_ssize_t r = utf8proc_decompose((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n,
                                                cb->p, (utf8proc_ssize_t)cb->cap, opts);
        if (r < 0)
            return TXT_ERR_INVALID;
        if ((size_t)r > cb->cap) {
            int32_t *p = realloc(cb->p, (size_t)r * sizeof *p);
            if (!p)
                return TXT_ERR_NOMEM;
            cb->p = p;
            cb->cap = (size_t)r;
            continue;
        }
        /* recompose and encode in place (bytes never outgrow code points) */
        utf8proc_ssize_t m = utf8proc_reencode(cb->p, r, opts);
        if (m < 0)
            return TXT_ERR_INVALID;
        out->len = 0;
        if (txt_buf_reserve(out, (size_t)m) != TXT_OK)
            return TXT_ERR_NOMEM;
        memcpy(out->p, cb->p, (size_t)m);
        out->len = (size_t)m;
        out->p[m] = '\0';
        return TXT_OK;
    }
}

int txt_nfkc_fold(txt_cpbuf *cb, const char *s, size_t n, txt_buf *out)
{
    int rc = map_into(cb, s, n,
                      UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD, out);
    if (rc != TXT_OK)
        return rc;
    /* typographic apostrophes -> ASCII (3-byte U+2018/U+2019, 2-byte U+02BC) */
    size_t w = 0;
    for (size_t i = 0; i < out->len;) {
        unsigned char c = (unsigned char)out->p[i];
        if (c == 0xE2 && i + 2 < out->len && (unsigned char)out->p[i + 1] == 0x80 &&
            ((unsigned char)out->p[i + 2] == 0x98 || (unsigned char)out->p[i + 2] == 0x99)) {
            out->p[w++] = '\'';
            i += 3;
        } else if (c == 0xCA && i + 1 < out->len && (unsigned char)out->p[i + 1] == 0xBC) {
            out->p[w++] = '\'';
            i += 2;
        } else {
            out->p[w++] = out->p[i++];
        }
    }
    out->len = w;
    out->p[w] = '\0';
    return TXT_OK;
}

int txt_unaccent(txt_cpbuf *cb, const char *s, size_t n, txt_buf *out)
{
    int rc = map_into(cb, s, n, UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_STRIPMARK, out);
    if (rc != TXT_OK)
        return rc;
    /* ligatures that NFKC keeps: œ (C5 93) -> oe, æ (C3 A6) -> ae; same length */
    for (size_t i = 0; i + 1 < out->len; i++) {
        unsigned char c = (unsigned char)out->p[i], d = (unsigned char)out->p[i + 1];
        if (c == 0xC5 && d == 0x93) {
            out->p[i] = 'o';
            out->p[i + 1] = 'e';
        } else if (c == 0xC3 && d == 0xA6) {
            out->p[i] = 'a';
            out->p[i + 1] = 'e';
        }
    }
    return TXT_OK;
}

int txt_normalise(const char *text, size_t len, char **out)
{
    if (!out || (!text && len))
        return TXT_ERR_INVALID;
    txt_buf raw = {0}, a = {0}, b = {0};
    txt_cpbuf cb = {0};
    int rc = TXT_OK;
    /* valid words only, separated by one space */
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    int pending_space = 0;
    while (i < len) {
        int32_t cp;
        size_t k = txt_utf8_decode(s + i, len - i, &cp);
        int cl = txt_class(cp);
        if (cl == TXT_C_LETTER || cl == TXT_C_DIGIT || (cl == TXT_C_MARK && raw.len)) {
            if (pending_space && raw.len) {
                if ((rc = txt_buf_reserve(&raw, 1)) != TXT_OK)
                    goto done;
                raw.p[raw.len++] = ' ';
            }
            pending_space = 0;
            if ((rc = txt_buf_reserve(&raw, k)) != TXT_OK)
                goto done;
            memcpy(raw.p + raw.len, s + i, k);
            raw.len += k;
        } else {
            pending_space = 1;
        }
        i += k;
    }
    if ((rc = txt_nfkc_fold(&cb, raw.p ? raw.p : "", raw.len, &a)) != TXT_OK)
        goto done;
    if ((rc = txt_unaccent(&cb, a.p, a.len, &b)) != TXT_OK)
        goto done;
    /* NFKC may have produced non-word characters ("½" -> "1⁄2"): squeeze again */
    {
        size_t w = 0;
        int sp = 0;
        for (size_t j = 0; j < b.len;) {
            int32_t cp;
            size_t k = txt_utf8_decode((const unsigned char *)b.p + j, b.len - j, &cp);
            int cl = txt_class(cp);
            if (cl == TXT_C_LETTER || cl == TXT_C_DIGIT || cl == TXT_C_MARK) {
                if (sp && w)
                    b.p[w++] = ' ';
                sp = 0;
                memmove(b.p + w, b.p + j, k);
                w += k;
            } else {
                sp = 1;
            }
            j += k;
        }
        b.len = w;
    }
    *out = malloc(b.len + 1);
    if (!*out) {
        rc = TXT_ERR_NOMEM;
        goto done;
    }
    if (b.len)
        memcpy(*out, b.p, b.len);
    (*out)[b.len] = '\0';
done:
    txt_buf_free(&raw);
    txt_buf_free(&a);
    txt_buf_free(&b);
    txt_cpbuf_free(&cb);
    return rc;
}
