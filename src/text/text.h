/* text.h: the bilingual (English, French) analyser shared by indexing,
 * searching and snippet highlighting.
 *
 * One analyser turns text into tokens; each token carries its normalised
 * word (what phrases and exact matches use) and its stems (what ordinary
 * word matches use). Because the index and the query run this same code,
 * "medecin", "MÉDECINS" and "médecins" meet on one stem, and "l'équivalence"
 * and "equivalence" on one word.
 *
 * PIPELINE (per word)
 *   1. UTF-8 repair: invalid or overlong sequences and NUL bytes become
 *      separators; no byte outside the input is ever read.
 *   2. NFKC normalisation and full case folding (libutf8proc): composed and
 *      decomposed "é" are one; "ﬁ" is "fi".
 *   3. Word boundaries by Unicode category; apostrophes (' and U+2019 ’,
 *      U+02BC, U+2018) inside a word; French elision stripped (l' d' j' m' n'
 *      s' t' c' qu' jusqu' lorsqu' puisqu' quoiqu'); English possessive 's
 *      stripped; hyphenated words give their parts and the joined form;
 *      dotted acronyms joined ("M.D." -> "md"); numbers and dates kept whole
 *      ("2020", "20.06.16", "3,5").
 *   4. Stemming with libstemmer on the accented form, then accent folding of
 *      the stem (French suffix rules contain accents, so folding first would
 *      change what they remove). On the index side the stem of the folded
 *      word is emitted too when it differs, so that a query typed without
 *      accents (stemmed after folding, since it has none) still meets it.
 *   5. word = the folded (accent-free) form; accents never matter to matching.
 *
 * THREADS: an analyser owns libstemmer stemmers, which are not thread-safe:
 * use one analyser per thread. Glossaries are read-only once loaded and may
 * be shared.
 */
#ifndef SOCASMA_TEXT_H
#define SOCASMA_TEXT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    TXT_OK = 0,
    TXT_ERR_NOMEM = -1,   /* out of memory */
    TXT_ERR_STEMMER = -2, /* libstemmer has no stemmer for a language */
    TXT_ERR_INVALID = -3, /* NULL or invalid argument */
    TXT_ERR_IO = -4,      /* a file could not be read (glossary) */
    TXT_ERR_SYNTAX = -5   /* a file has a syntax error (glossary) */
} txt_status;

typedef enum {
    TXT_LANG_NONE = 0, /* unknown / not given: detect (index side) or both (query side) */
    TXT_LANG_EN = 1,
    TXT_LANG_FR = 2
} txt_lang;

/* "en", "fr" or "" for NONE. */
const char *txt_lang_code(txt_lang lang);
/* TXT_LANG_EN for "en"/"english", TXT_LANG_FR for "fr"/"french" (any case),
 * TXT_LANG_NONE otherwise. */
txt_lang txt_lang_parse(const char *code);

#define TXT_MAX_STEMS 4

typedef struct {
    txt_lang lang;     /* the stemmer that made it */
    int stop;          /* 1: the word is a stopword of that language */
    const char *term;  /* folded stem, NUL-terminated, no prefix */
    size_t len;
} txt_stem;

/* Token flags */
#define TXT_TOK_JOINED 1u  /* the joined form of a hyphenated or split word
                              ("postdoctoral" for "post-doctoral"); it shares
                              the position of the first part */
#define TXT_TOK_NUMBER 2u  /* made of digits (and . , / : between digits) */

typedef struct {
    const char *word;  /* normalised, folded word, NUL-terminated */
    size_t len;
    uint32_t pos;      /* word position, from 1; paragraphs are separated by
                          a gap of positions so phrases never span two */
    size_t start, end; /* the word's bytes in the input (elided article and
                          possessive excluded): input[start..end) */
    uint32_t para;     /* paragraph number, from 0 */
    txt_lang lang;     /* language of its paragraph (NONE on the query side
                          when no language was given) */
    unsigned flags;    /* TXT_TOK_* */
    unsigned nstems;
    txt_stem stems[TXT_MAX_STEMS];
} txt_token;

typedef struct {
    txt_lang lang; /* EN or FR: everything is that language. NONE: the index
                      side detects each paragraph's language (falling back on
                      default_lang, then on the text's majority); the query
                      side stems each word in both languages. */
    txt_lang default_lang; /* index side: language of paragraphs too short to tell */
    int query;     /* 1: query side (no index-side accent alternates) */
} txt_options;

typedef struct {
    const txt_token *tokens; /* owned by the analyser: valid until its next
                                txt_analyse call or its free */
    size_t ntokens;
    txt_lang main_lang;      /* the language of most words (NONE if no word) */
    unsigned langs;          /* bit (1 << lang) for each language seen */
    uint32_t last_pos;       /* highest position used */
} txt_result;

typedef struct txt_analyser txt_analyser;

/* Creates an analyser (with its English and French stemmers). */
int txt_analyser_new(txt_analyser **out);
void txt_analyser_free(txt_analyser *a);

/* Analyses len bytes of text (any bytes: invalid UTF-8 is repaired).
 * Paragraphs are separated by blank lines. first_pos is the position of the
 * first word (1 for a fresh document; use a previous result's last_pos + a
 * gap to continue a document). Fills *res. Fails only with TXT_ERR_NOMEM. */
int txt_analyse(txt_analyser *a, const char *text, size_t len, const txt_options *opt,
                uint32_t first_pos, txt_result *res);

/* Raw libstemmer stem of one lower-case UTF-8 word (no folding, no elision):
 * what Snowball's reference vocabularies expect. *out is owned by the
 * analyser, valid until its next call. */
int txt_stem_word(txt_analyser *a, txt_lang lang, const char *word, size_t len,
                  const char **out, size_t *outlen);

/* Normalises a short string the way words are (NFKC, case fold, accents
 * removed, runs of non-word characters to one space, trimmed): used for
 * filter terms such as categories and authors, and glossary keys.
 * *out is malloc'ed (free()). */
int txt_normalise(const char *text, size_t len, char **out);

/* Detects the language of a piece of text from stopword statistics and
 * letters; fallback when it cannot tell. */
txt_lang txt_detect_lang(const char *text, size_t len, txt_lang fallback);

/* The case of the first character of the UTF-8 text s[0..len): 1 upper
 * (or title) case letter, -1 lower case letter, 0 anything else (a digit, a
 * letter without case, invalid UTF-8, empty). The query side tells names
 * ("Lavoisier", "CORT") from ordinary words with it. */
int txt_initial_case(const char *s, size_t len);

/* 1 if word (normalised) is a stopword of lang. */
int txt_is_stopword(txt_lang lang, const char *word, size_t len);

/* ---- glossary --------------------------------------------------------- */

/* A glossary: groups of equivalent words or phrases. File format (UTF-8):
 * one group per line, entries separated by commas; blank lines and lines
 * starting with '#' are ignored; a group needs at least two entries, else
 * it is a syntax error. Example:
 *     IMG, DIM, DHCEU, international medical graduate
 */
typedef struct txt_glossary txt_glossary;

/* Loads a glossary file. On TXT_ERR_IO or TXT_ERR_SYNTAX, err gets
 * "FILE:LINE: message" (or "FILE: message"). */
int txt_glossary_load(const char *path, txt_glossary **out, char *err, size_t errlen);
/* Parses a glossary from memory (name is used in messages). */
int txt_glossary_parse(const char *name, const char *text, size_t len, txt_glossary **out,
                       char *err, size_t errlen);
void txt_glossary_free(txt_glossary *g);
size_t txt_glossary_ngroups(const txt_glossary *g);
/* The entries of group i, normalised with txt_normalise (words separated by
 * one space): owned by the glossary. */
const char *const *txt_glossary_group(const txt_glossary *g, size_t i, size_t *n);

/* The project's UTF-8 decoder (utf8.c): decodes one code point strictly
 * (no overlong forms, surrogates or values above U+10FFFF) from s[0..n),
 * n >= 1. Returns the bytes used (>= 1) and stores the code point, or -1
 * for an invalid byte (1 byte used). */
size_t txt_utf8_decode(const unsigned char *s, size_t n, int32_t *cp);

/* ---- txt_buf: the project's growable byte buffer (buf.c) ----
 * Bytes appended at the end; once anything was added, p is malloc'ed and
 * p[len] is a NUL. Start from a zeroed buffer ({0}); txt_buf_free() frees
 * p and empties it; p may also be taken by the caller (then free(p), and
 * do not use the buffer again without zeroing it). Not thread-safe: one
 * buffer, one thread. Each function returns TXT_OK, or TXT_ERR_NOMEM with
 * the contents unchanged. */
typedef struct {
    char *p;
    size_t len, cap;
} txt_buf;

/* Makes room for extra more bytes and the NUL (p may move). */
int txt_buf_reserve(txt_buf *b, size_t extra);
/* Appends n bytes of s (which may hold NULs). */
int txt_buf_add(txt_buf *b, const char *s, size_t n);
/* Appends the string s. */
int txt_buf_adds(txt_buf *b, const char *s);
/* Appends n bytes of s escaped for HTML text and attributes (& < > " ');
 * NUL bytes are dropped. */
int txt_buf_add_html(txt_buf *b, const char *s, size_t n);
void txt_buf_free(txt_buf *b);

#ifdef __cplusplus
}
#endif

#endif /* SOCASMA_TEXT_H */
