/* stem.c: the English and French libstemmer stemmers of one analyser and a
 * bounded cache word -> stems per language. Stemming is the costly part of
 * analysis and a text repeats its words, so each (language, word) is stemmed
 * once; the cache is emptied between analyses when it grows too big. */
#include <config.h>

#include <libstemmer.h>
#include <stdlib.h>
#include <string.h>

#include "text/text-internal.h"

#define CACHE_SLOTS 65536u /* power of two */
#define CACHE_MAX (CACHE_SLOTS / 2)

typedef struct {
    const char *key; /* NULL: empty */
    const char *s1, *s2;
    uint32_t klen, l1, l2;
    uint32_t lang;
} centry;

struct txt_stemmer {
    struct sb_stemmer *en, *fr;
    centry *slots;
    size_t count;
    txt_arena ar;
    txt_buf tmp;
    txt_cpbuf cb;
    txt_buf acc;
};

int txt_stemmer_new(txt_stemmer **out)
{
    txt_stemmer *st = calloc(1, sizeof *st);
    if (!st)
        return TXT_ERR_NOMEM;
    st->en = sb_stemmer_new("english", "UTF_8");
    st->fr = sb_stemmer_new("french", "UTF_8");
    st->slots = calloc(CACHE_SLOTS, sizeof *st->slots);
    if (!st->en || !st->fr || !st->slots) {
        int rc = st->slots ? TXT_ERR_STEMMER : TXT_ERR_NOMEM;
        txt_stemmer_free(st);
        return rc;
    }
    *out = st;
    return TXT_OK;
}

void txt_stemmer_free(txt_stemmer *st)
{
    if (!st)
        return;
    if (st->en)
        sb_stemmer_delete(st->en);
    if (st->fr)
        sb_stemmer_delete(st->fr);
    free(st->slots);
    txt_arena_free(&st->ar);
    txt_buf_free(&st->tmp);
    txt_buf_free(&st->acc);
    txt_cpbuf_free(&st->cb);
    free(st);
}

void txt_stemmer_trim(txt_stemmer *st)
{
    if (st->count < CACHE_MAX)
        return;
    memset(st->slots, 0, CACHE_SLOTS * sizeof *st->slots);
    st->count = 0;
    txt_arena_reset(&st->ar);
}

int txt_stemmer_raw(txt_stemmer *st, txt_lang lang, const char *w, size_t n, const char **out,
                    size_t *outlen)
{
    struct sb_stemmer *s = lang == TXT_LANG_FR ? st->fr : lang == TXT_LANG_EN ? st->en : NULL;
    if (!s)
        return TXT_ERR_STEMMER;
    const sb_symbol *r = sb_stemmer_stem(s, (const sb_symbol *)w, (int)n);
    if (!r)
        return TXT_ERR_NOMEM;
    *out = (const char *)r;
    *outlen = (size_t)sb_stemmer_length(s);
    return TXT_OK;
}

static uint32_t hash(const char *s, size_t n, uint32_t lang)
{
    uint32_t h = 2166136261u ^ lang;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

/* Computes the stems into st->tmp/st->acc then stores them in ar. */
static int compute(txt_stemmer *st, txt_lang lang, const char *acc, size_t acclen,
                   const char *folded, size_t flen, txt_arena *ar, const char **s1, size_t *l1,
                   const char **s2, size_t *l2)
{
    const char *r;
    size_t rl;
    int rc = txt_stemmer_raw(st, lang, acc, acclen, &r, &rl);
    if (rc != TXT_OK)
        return rc;
    int ascii = 1;
    for (size_t i = 0; i < rl; i++)
        if ((unsigned char)r[i] >= 0x80) {
            ascii = 0;
            break;
        }
    if (ascii) {
        *s1 = txt_arena_strdup(ar, r, rl);
        *l1 = rl;
    } else {
        if ((rc = txt_unaccent(&st->cb, r, rl, &st->tmp)) != TXT_OK)
            return rc;
        *s1 = txt_arena_strdup(ar, st->tmp.p, st->tmp.len);
        *l1 = st->tmp.len;
    }
    if (!*s1)
        return TXT_ERR_NOMEM;
    *s2 = NULL;
    *l2 = 0;
    if (flen != acclen || memcmp(acc, folded, flen) != 0) {
        if ((rc = txt_stemmer_raw(st, lang, folded, flen, &r, &rl)) != TXT_OK)
            return rc;
        if (rl != *l1 || memcmp(r, *s1, rl) != 0) {
            *s2 = txt_arena_strdup(ar, r, rl);
            *l2 = rl;
            if (!*s2)
                return TXT_ERR_NOMEM;
        }
    }
    return TXT_OK;
}

int txt_stemmer_stems(txt_stemmer *st, txt_lang lang, const char *acc, size_t acclen,
                      const char *folded, size_t flen, int want_alt, txt_arena *ar,
                      const char **s1, size_t *l1, const char **s2, size_t *l2)
{
    int rc;
    rc = TXT_OK;
    if (acclen > 64) { /* long words: not worth caching */
        rc = compute(st, lang, acc, acclen, folded, flen, ar, s1, l1, s2, l2);
        goto out;
    }
    uint32_t h = hash(acc, acclen, (uint32_t)lang);
    size_t i = h & (CACHE_SLOTS - 1);
    for (;;) {
        centry *e = &st->slots[i];
        if (!e->key)
            break;
        if (e->lang == (uint32_t)lang && e->klen == acclen && memcmp(e->key, acc, acclen) == 0) {
            *s1 = e->s1;
            *l1 = e->l1;
            *s2 = e->s2;
            *l2 = e->l2;
            goto out;
        }
        i = (i + 1) & (CACHE_SLOTS - 1);
    }
    if (st->count >= CACHE_SLOTS - CACHE_SLOTS / 4) { /* full for this analysis */
        rc = compute(st, lang, acc, acclen, folded, flen, ar, s1, l1, s2, l2);
        goto out;
    }
    rc = compute(st, lang, acc, acclen, folded, flen, &st->ar, s1, l1, s2, l2);
    if (rc != TXT_OK)
        return rc;
    centry *e = &st->slots[i];
    e->key = txt_arena_strdup(&st->ar, acc, acclen);
    if (!e->key)
        return TXT_ERR_NOMEM;
    e->klen = (uint32_t)acclen;
    e->lang = (uint32_t)lang;
    e->s1 = *s1;
    e->l1 = (uint32_t)*l1;
    e->s2 = *s2;
    e->l2 = (uint32_t)*l2;
    st->count++;
out:
    if (rc != TXT_OK)
        return rc;
    if (!want_alt) {
        *s2 = NULL;
        *l2 = 0;
    }
    return TXT_OK;
}
