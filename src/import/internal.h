/* internal.h: what the files of src/import share and nobody else sees: the
 * byte buffer, the byte source (plain, gzip, stdin), the bounded line
 * reader, the XML byte filter, UTF-8 repair, entity decoding and the two
 * format readers behind imp_reader. */
#ifndef SOCASMA_IMPORT_INTERNAL_H
#define SOCASMA_IMPORT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include "import/import.h"

/* A growable byte buffer, kept NUL-terminated once anything was added. */
typedef struct {
    char *data;
    size_t len, cap;
} imp_buf;

/* Makes room for n more bytes (and a NUL); 0 or IMP_ERR_NOMEM. */
int imp_buf_reserve(imp_buf *b, size_t n);
/* Appends n bytes; 0 or IMP_ERR_NOMEM (the buffer is then unchanged). */
int imp_buf_add(imp_buf *b, const void *s, size_t n);
void imp_buf_free(imp_buf *b);

/* Bytes of the message "N MiB", "N KiB" or "N bytes" for a size. */
void imp_size_text(size_t n, char *out, size_t outlen);

/* A byte source: a file or standard input, gzip or plain (zlib reads both). */
typedef struct {
    gzFile gz;
    char *name;             /* for messages: the path, or "<stdin>" */
    uint64_t size;          /* 0 when unknown (pipe) */
    unsigned char *buf;     /* decompressed bytes not yet consumed */
    size_t pos, len, cap;
    int eof;                /* no more bytes (after an error too) */
    int truncated;          /* gzip stream ended early */
    int ioerr;              /* other read error; message in errmsg */
    char errmsg[256];
    uint64_t done;          /* compressed bytes consumed (best known) */
} imp_src;

int imp_src_open(imp_src *s, const char *path, char *err, size_t errlen);
void imp_src_close(imp_src *s);
/* Refills the buffer when it is empty; returns the bytes available (0 at
 * end of input or error). */
size_t imp_src_fill(imp_src *s);
/* Copies up to n bytes out; returns the count (0 at end or error). */
size_t imp_src_read(imp_src *s, void *dst, size_t n);

/* The bounded line reader: lines of at most max bytes (set before the
 * first call). A longer line is skipped up to its newline without being
 * held: memory stays about max whatever the input. */
typedef struct {
    char *line;             /* NUL-terminated, without the newline */
    size_t len, cap;
    size_t max;             /* longest line kept */
    unsigned long lineno;   /* line number of the line just read */
    int too_long;           /* the line exceeded max (line holds nothing) */
} imp_lines;

/* 1 when a line was read, 0 at end of input. */
int imp_lines_next(imp_src *s, imp_lines *l);
void imp_lines_free(imp_lines *l);

/* Returns a malloc'ed copy of s[0..len) in which invalid UTF-8 sequences and
 * NUL bytes are replaced by U+FFFD (NULL when out of memory). */
char *imp_utf8_repair(const char *s, size_t len, size_t *outlen);
/* Length (1..4) of the valid UTF-8 sequence at s[0..len), 0 if it is not
 * one (overlong forms, surrogates, above U+10FFFF, NUL, or cut short). */
size_t imp_utf8_seq(const unsigned char *s, size_t len);

/* The byte filter between a WordPress export and libxml2 (xmlfilter.c).
 * It decodes the bytes to UTF-8 (a bad byte becomes U+FFFD instead of
 * stopping libxml2), holds each <item> until its end and replaces one over
 * max bytes by an empty marker item, and keeps every text node under
 * libxml2's size limits. Line numbers are those of the file. */
typedef struct imp_xf imp_xf;

/* The attribute of a marker item: its value says why the item was cut
 * ("size", "depth" or "markup"). Only the first imp_xf_cuts() markers are
 * genuine (a file may hold the attribute itself). */
#define IMP_XF_CUT_ATTR "socasma-search-cut"

/* Makes a filter over src (which must outlive it), reading its first bytes
 * to choose the decoding. IMP_ERR_NOMEM. */
int imp_xf_new(imp_src *src, size_t max, imp_xf **out);
void imp_xf_free(imp_xf *f);
/* 1 when libxml2 must be told the bytes are UTF-8 and ignore the declared
 * encoding (the filter decodes), 0 when it gets the bytes as they are (an
 * encoding the filter does not read: UTF-32, EBCDIC, unknown to iconv). */
int imp_xf_utf8(const imp_xf *f);
/* libxml2's read callback: up to len bytes into buf; 0 at the end, -1 on a
 * source error or a filter error (imp_xf_error). */
int imp_xf_read(void *f, char *buf, int len);
/* Items cut so far. */
unsigned long imp_xf_cuts(const imp_xf *f);
/* The filter's own fatal error (markup too long outside an item), with its
 * line in *line; NULL when there is none. */
const char *imp_xf_error(const imp_xf *f, unsigned long *line);

/* Decodes one HTML character reference at s (which starts with '&') into
 * out (at least 8 bytes); returns the bytes of s consumed, 0 if it is not one. */
size_t imp_entity_decode(const char *s, size_t len, char *out, size_t *outlen);

/* Decodes all character references of s; malloc'ed result. */
char *imp_entities_decode_all(const char *s);

char *imp_strdup(const char *s);
char *imp_strndup(const char *s, size_t n);

/* Reader internals: each format implements next and free. */
struct imp_reader {
    imp_src src;
    imp_format format;
    size_t max_post_bytes;
    void *impl;
};

int imp_jsonl_init(imp_reader *r);
int imp_jsonl_next(imp_reader *r, imp_post **post, char *err, size_t errlen);
void imp_jsonl_free(imp_reader *r);

int imp_wxr_init(imp_reader *r, char *err, size_t errlen);
int imp_wxr_next(imp_reader *r, imp_post **post, char *err, size_t errlen);
void imp_wxr_free(imp_reader *r);

/* The language a WordPress category or tag names ("English", "fr",
 * "bilingue", ...): "en", "fr", "mixed", or NULL. Static storage. */
const char *imp_lang_of_term(const char *name);

/* A new post with every string "" (NULL when out of memory). */
imp_post *imp_post_new(void);
/* Appends a copy of s to a string list; 0 or IMP_ERR_NOMEM. */
int imp_list_add(char ***list, size_t *n, const char *s);

#endif
