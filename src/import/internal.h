/* internal.h: what the files of src/import share and nobody else sees: the
 * byte source (plain, gzip, stdin), the bounded line reader, UTF-8 repair,
 * entity decoding and the two format readers behind imp_reader. */
#ifndef SOCASMA_IMPORT_INTERNAL_H
#define SOCASMA_IMPORT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include "import/import.h"

/* Longest JSON line (and longest WXR field) kept; longer ones are rejected. */
#define IMP_LINE_CAP ((size_t)64 << 20)

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

/* The bounded line reader: lines of at most IMP_LINE_CAP bytes. */
typedef struct {
    char *line;             /* NUL-terminated, without the newline */
    size_t len, cap;
    unsigned long lineno;   /* line number of the line just read */
    int too_long;           /* the line exceeded the cap (line holds nothing) */
} imp_lines;

/* 1 when a line was read, 0 at end of input. */
int imp_lines_next(imp_src *s, imp_lines *l);
void imp_lines_free(imp_lines *l);

/* Returns a malloc'ed copy of s[0..len) in which invalid UTF-8 sequences and
 * NUL bytes are replaced by U+FFFD (NULL when out of memory). */
char *imp_utf8_repair(const char *s, size_t len, size_t *outlen);

/* Decodes one HTML character reference at s (which starts with '&') into
 * out (at least 8 bytes); returns the bytes of s consumed, 0 if it is not one. */
size_t imp_entity_decode(const char *s, size_t len, char *out, size_t *outlen);

/* Decodes all character references of s; malloc'ed result. */
char *imp_entities_decode_all(const char *s);

char *imp_strdup(const char *s);
char *imp_strndup(const char *s, size_t n);

/* Reader internals: each format implements next and free. */
typedef struct imp_fmt imp_fmt;
struct imp_reader {
    imp_src src;
    imp_format format;
    void *impl;
};

int imp_jsonl_init(imp_reader *r);
int imp_jsonl_next(imp_reader *r, imp_post **post, char *err, size_t errlen);
void imp_jsonl_free(imp_reader *r);

int imp_wxr_init(imp_reader *r, char *err, size_t errlen);
int imp_wxr_next(imp_reader *r, imp_post **post, char *err, size_t errlen);
void imp_wxr_free(imp_reader *r);

/* A new post with every string "" (NULL when out of memory). */
imp_post *imp_post_new(void);
/* Appends a copy of s to a string list; 0 or IMP_ERR_NOMEM. */
int imp_list_add(char ***list, size_t *n, const char *s);

#endif
