/* import.h: streaming readers of the archive's export formats.
 *
 * A reader yields one post at a time from a JSON Lines file or a WordPress
 * export (WXR), plain or gzip-compressed, or from standard input; memory does
 * not grow with the input, nor with a record beyond max_post_bytes (a longer
 * record is skipped without being held). Every string of a post is valid
 * UTF-8 (invalid sequences are repaired, never fatal). Errors carry
 * "FILE:LINE: message".
 *
 * THREADS: a reader is used by one thread at a time; readers in different
 * threads are independent.
 */
#ifndef SOCASMA_IMPORT_H
#define SOCASMA_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    IMP_OK = 0,
    IMP_DONE = 1,           /* no more posts in this source */
    IMP_ERR_RECORD = -1,    /* this record is bad (message in err); the next
                               imp_next() goes on with the following record */
    IMP_ERR_FATAL = -2,     /* the source cannot be read further (XML not
                               well-formed, truncated gzip, I/O error) */
    IMP_ERR_OPEN = -3,      /* the source cannot be opened (missing, unreadable) */
    IMP_ERR_NOMEM = -4,
    IMP_ERR_INVALID = -5    /* bad argument */
} imp_status;

typedef enum { IMP_FORMAT_AUTO = 0, IMP_FORMAT_JSONL = 1, IMP_FORMAT_WXR = 2 } imp_format;

/* "auto", "jsonl", "wxr" -> format; -1 for anything else. */
int imp_format_parse(const char *name);

/* A post. All strings are malloc'ed, NUL-terminated, valid UTF-8; absent
 * fields are "" (never NULL). date is "" or a valid "YYYY-MM-DD". lang is
 * "en", "fr", "mixed" or "". body is plain text, paragraphs separated by one
 * blank line. */
typedef struct {
    char *id;
    char *url;
    char *title;
    char *author;
    char *date;
    char *lang;
    char **categories; size_t ncategories;
    char **tags; size_t ntags;
    char *body;
    /* Where it came from, for messages: the source name (owned by the
       reader, valid while it is open) and the line the record starts on. */
    const char *source;
    unsigned long line;
} imp_post;

void imp_post_free(imp_post *post);

typedef struct imp_reader imp_reader;

/* What one record may cost. A record is one JSON line, or one <item> of a
 * WordPress export as written in the file (markup, CDATA and all). */
#define IMP_MAX_POST_BYTES_DEFAULT ((size_t)8 << 20) /* 8 MiB */
#define IMP_MAX_POST_BYTES_MIN ((size_t)1 << 10)     /* 1 KiB */
#define IMP_MAX_POST_BYTES_MAX ((size_t)1 << 30)     /* 1 GiB */

typedef struct {
    /* A record longer than this is rejected (IMP_ERR_RECORD, "FILE:LINE:
       post larger than ... (max_post_bytes)") and the reader goes on with
       the next one; the record is skipped as it streams, never held whole,
       so a reader's memory stays within a few times this bound whatever the
       input. From IMP_MAX_POST_BYTES_MIN to IMP_MAX_POST_BYTES_MAX; 0 means
       IMP_MAX_POST_BYTES_DEFAULT. */
    size_t max_post_bytes;
} imp_options;

/* Sets the defaults (max_post_bytes: IMP_MAX_POST_BYTES_DEFAULT). */
void imp_options_init(imp_options *opts);

/* Opens a source: a file path ("-" for standard input). AUTO picks the
 * format from the content (a first non-blank byte '<' or a UTF-16 byte order
 * mark is WXR, '{' JSON Lines), gzip is recognised by its magic bytes. opts
 * may be NULL for the defaults. Errors: IMP_ERR_OPEN with a message in err
 * when the source cannot be opened; IMP_ERR_INVALID for a NULL path or out,
 * an unknown format or a max_post_bytes out of range; IMP_ERR_NOMEM. */
int imp_open_opts(const char *path, imp_format format, const imp_options *opts,
                  imp_reader **out, char *err, size_t errlen);

/* imp_open_opts with the default options. */
int imp_open(const char *path, imp_format format, imp_reader **out, char *err, size_t errlen);

/* Reads the next post into *post (free with imp_post_free). Returns IMP_OK,
 * IMP_DONE, IMP_ERR_RECORD (skip and go on) or IMP_ERR_FATAL; on an error err
 * gets "FILE:LINE: message". */
int imp_next(imp_reader *r, imp_post **post, char *err, size_t errlen);

/* Bytes of the (compressed) source read so far and its size (0 when unknown,
 * e.g. a pipe): for progress and ETA. */
void imp_progress(const imp_reader *r, uint64_t *done, uint64_t *total);

void imp_close(imp_reader *r);

/* Expands command-line sources: a file stays itself, "-" stays "-", a
 * directory gives its *.jsonl, *.xml, *.jsonl.gz and *.xml.gz files in name
 * order. *paths is a malloc'ed array of malloc'ed strings (free each and the
 * array). IMP_ERR_OPEN with err for a missing source. */
int imp_expand_sources(const char *const *args, size_t nargs, char ***paths, size_t *npaths,
                       char *err, size_t errlen);

/* A post from a JSON object (jansson's json_t), for a writer that gets posts
 * one at a time (the daemon's `put`): the fields of a JSON Lines post
 * (doc/FORMATS.md), with the JSON Lines reader's checks and words. The
 * object may carry "content" (HTML, as WordPress stores a post) in place of
 * "body": the post is then made as the WXR reader makes it from an export
 * (content through imp_html_to_text(), title, url and author trimmed, the
 * title's character references decoded, categories and tags decoded and
 * trimmed, a zero date "0000-00-00" taken as none, lang from a category or
 * tag naming a language when the object gives none), so that a post sent
 * live and the same post read from the nightly export are the same post,
 * with the same hash. Returns IMP_OK with *out (free with imp_post_free),
 * IMP_ERR_RECORD with err "WHERE: reason" (where names the post, e.g.
 * "posts[2]"; NULL: "post"), IMP_ERR_NOMEM, or IMP_ERR_INVALID (NULL obj
 * or out). The post's source is NULL. Does not keep obj. */
struct json_t;
int imp_post_from_json(const struct json_t *obj, const char *where, imp_post **out, char *err,
                       size_t errlen);

/* HTML (a WordPress post's content) to plain text: block elements become
 * paragraph breaks, entities are decoded, script and style are dropped,
 * shortcodes ([caption ...]...[/caption] keeps its text, others vanish).
 * *out is malloc'ed. */
int imp_html_to_text(const char *html, size_t len, char **out);

/* 1 if s is "" or a valid calendar date "YYYY-MM-DD". */
int imp_date_valid(const char *s);

#ifdef __cplusplus
}
#endif

#endif /* SOCASMA_IMPORT_H */
