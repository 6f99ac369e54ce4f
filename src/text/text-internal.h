/* text-internal.h: shared declarations of the text module's files (UTF-8
 * decoding and classification, normalisation buffers, stemming cache,
 * stopwords). Not a public header: its declarations have hidden
 * visibility (the pragma below), text.h's are the module's public ones. */
#ifndef SOCASMA_TEXT_INTERNAL_H
#define SOCASMA_TEXT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "text/text.h"

#pragma GCC visibility push(hidden)

/* ---- utf8.c (txt_utf8_decode is in text.h) ---- */

/* Character classes used by the tokeniser. */
enum {
    TXT_C_SEP = 0,   /* separator */
    TXT_C_LETTER,    /* starts or continues a word */
    TXT_C_DIGIT,     /* starts or continues a word, number */
    TXT_C_MARK,      /* combining mark: continues a word */
    TXT_C_APOS,      /* ' U+2019 U+02BC U+2018 */
    TXT_C_HYPHEN,    /* - U+2010 U+2011 */
    TXT_C_DOT,       /* . */
    TXT_C_NUMSEP,    /* , / : (inside numbers) */
    TXT_C_NEWLINE    /* \n */
};
int txt_class(int32_t cp);

/* A growable code point buffer for utf8proc. */
typedef struct {
    int32_t *p;
    size_t cap;
} txt_cpbuf;

/* NFKC + case fold of valid UTF-8 s[0..n) into out (replacing its
 * contents, NUL-terminated). Apostrophes become '\''. */
int txt_nfkc_fold(txt_cpbuf *cb, const char *s, size_t n, txt_buf *out);
/* Accent removal of NFKC-folded s into out (replacing, NUL-terminated);
 * also œ -> oe, æ -> ae. */
int txt_unaccent(txt_cpbuf *cb, const char *s, size_t n, txt_buf *out);
void txt_cpbuf_free(txt_cpbuf *cb);

/* ---- arena.c: chunked arena, pointers stay valid until reset ---- */
typedef struct txt_arena_block txt_arena_block;
typedef struct {
    txt_arena_block *head;
    size_t used; /* bytes used in head */
} txt_arena;
/* Copies s[0..n) plus a NUL; NULL when out of memory. */
char *txt_arena_strdup(txt_arena *ar, const char *s, size_t n);
void txt_arena_reset(txt_arena *ar); /* keeps the first block */
void txt_arena_free(txt_arena *ar);

/* ---- stopwords.c ---- */
/* Adds the evidence of one folded word for each language. */
void txt_lang_evidence(const char *word, size_t len, int accented, int *en, int *fr);
txt_lang txt_lang_decide(int en, int fr, txt_lang fallback);

/* ---- stem.c: stemmers and the bounded word -> stems cache ---- */
typedef struct txt_stemmer txt_stemmer;
int txt_stemmer_new(txt_stemmer **out);
void txt_stemmer_free(txt_stemmer *st);
/* Called at the start of each analysis: empties the cache when too full. */
void txt_stemmer_trim(txt_stemmer *st);
/* Stems of one word: s1 = unaccent(stem(acc)), s2 = stem(folded) (NULL when
 * equal to s1 or when want_alt is 0). Strings live in the cache or in ar. */
int txt_stemmer_stems(txt_stemmer *st, txt_lang lang, const char *acc, size_t acclen,
                      const char *folded, size_t flen, int want_alt, txt_arena *ar,
                      const char **s1, size_t *l1, const char **s2, size_t *l2);
/* Raw stem (no cache). */
int txt_stemmer_raw(txt_stemmer *st, txt_lang lang, const char *w, size_t n, const char **out,
                    size_t *outlen);

#pragma GCC visibility pop

#endif /* SOCASMA_TEXT_INTERNAL_H */
