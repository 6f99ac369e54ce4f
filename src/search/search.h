/* search.h: the one search function behind the command line and the daemon.
 *
 * An engine holds a read-only database handle, an analyser and the search
 * settings; it turns a request into the JSON answer that `socasma-search
 * --json` prints and the daemon sends (doc/PROTOCOL.md). It is the only place
 * where queries are parsed, ranked, faceted, spelled and snippeted.
 *
 * THREADS: an engine is used by one thread at a time (it owns Xapian and
 * libstemmer objects). The daemon gives each worker thread its own engine.
 *
 * ERRORS: functions return SRCH_OK or a negative srch_status; the message is
 * srch_errmsg(engine). The database is reopened before each request when a
 * newer revision was committed (at most every reopen_ms), and a request that
 * meets a revision being overwritten is retried once on a fresh one. A
 * database that is missing or corrupt gives SRCH_ERR_UNAVAILABLE, and the
 * engine tries to open it again on the next request, so it recovers by
 * itself once the database is back.
 */
#ifndef SOCASMA_SEARCH_H
#define SOCASMA_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "conf/conf.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    SRCH_OK = 0,
    SRCH_ERR_BAD_REQUEST = -1, /* the request is malformed (wrong types, bad dates, ...) */
    SRCH_ERR_UNAVAILABLE = -2, /* the database is missing, corrupt or unreadable */
    SRCH_ERR_NOT_FOUND = -3,   /* `doc`: no post with that id */
    SRCH_ERR_INTERNAL = -4,    /* anything else (out of memory, a bug) */
    SRCH_ERR_TIMEOUT = -5      /* the request ran past its time limit */
} srch_status;

/* The protocol's error code for a status: "bad_request", "unavailable",
 * "not_found", "internal", "timeout". */
const char *srch_status_code(int status);

typedef enum { SRCH_SORT_RELEVANCE = 0, SRCH_SORT_DATE = 1 } srch_sort;

#define SRCH_MAX_FILTER_VALUES 16

typedef struct {
    const char *q;               /* the query text (may be NULL or "") */
    uint32_t offset;             /* first hit, from 0 */
    uint32_t limit;              /* hits wanted (capped at the config's max_limit) */
    const char *lang;            /* "en", "fr" or NULL: restricts to posts in that
                                    language and analyses the query in it */
    const char *categories[SRCH_MAX_FILTER_VALUES]; /* ORed, NULL-terminated */
    const char *tags[SRCH_MAX_FILTER_VALUES];       /* ORed, NULL-terminated */
    const char *author;          /* NULL for any */
    const char *since, *until;   /* "YYYY", "YYYY-MM" or "YYYY-MM-DD", NULL for open */
    srch_sort sort;
    int facets;                  /* 1: add "facets" */
    int snippet_words;           /* -1: the config's; 0: no snippets */
} srch_request;

/* Sets the defaults: everything empty, limit 10, relevance, snippets from
 * the config (-1). */
void srch_request_init(srch_request *req);

/* Fills req from a protocol request object (keys q, offset, limit, lang,
 * category (string or array), tag (string or array), author, since, until,
 * sort, facets, snippet). Strings point into obj, which must outlive req.
 * Wrong types or values: SRCH_ERR_BAD_REQUEST with a message in err. */
int srch_request_from_json(const json_t *obj, srch_request *req, char *err, size_t errlen);

typedef struct srch_engine srch_engine;

/* Creates an engine over the database at db_path with the settings of cfg
 * (copied). It succeeds even when the database cannot be opened yet: the
 * requests then answer SRCH_ERR_UNAVAILABLE until it can. */
int srch_engine_new(const char *db_path, const cfg_config *cfg, srch_engine **out);
void srch_engine_free(srch_engine *e);

/* The message of the engine's last failure. */
const char *srch_errmsg(const srch_engine *e);

/* Runs a search. On SRCH_OK *out is the answer object
 *   {"ok":true,"total":N,"total_exact":B,"offset":N,"limit":N,"hits":[...],
 *    "facets":{...} (when asked),"suggestion":S or null,
 *    "corrected":true (when the hits are those of the suggestion),
 *    "completed":true (when they are those of the last word as a prefix),
 *    "took_ms":T}
 * with each hit {"id","title","url","date","lang","categories","author",
 * "score","snippet"}; the caller json_decref()s it. total counts every
 * match, whatever offset and limit: exactly (total_exact true) when there
 * are at most the config's exact_total, else Xapian's estimate (false). */
int srch_search(srch_engine *e, const srch_request *req, json_t **out);

/* Search-as-you-type: completions of the last word of prefix and the top
 * titles: {"ok":true,"completions":[...],"titles":[{"id","title","url"}],
 * "took_ms":T}. */
int srch_suggest(srch_engine *e, const char *prefix, uint32_t limit, json_t **out);

/* One post by id: {"ok":true,"doc":{id,title,url,date,lang,categories,tags,
 * author,body}}; SRCH_ERR_NOT_FOUND if there is none. */
int srch_doc(srch_engine *e, const char *id, json_t **out);

/* Database facts: {"ok":true,"posts":N,"revision":R,"last_indexed":T,
 * "langs":{...},"categories":{...}}. */
int srch_stats(srch_engine *e, json_t **out);

/* Where an engine's searches spent their time, summed over every
 * srch_search since the engine was made (for bench/: the answer itself
 * carries only took_ms). Milliseconds. */
typedef struct {
    uint64_t searches;
    double parse_ms;    /* request filters, language detection, query parsing */
    double match_ms;    /* the match (Xapian's get_mset), facet counting and the
                           exact count of the total included */
    double fetch_ms;    /* reading each hit's stored data */
    double snippet_ms;  /* cutting the snippets, highlighting the titles */
    double spelling_ms; /* spelling suggestions */
    double total_ms;    /* the whole of srch_search */
} srch_timings;
void srch_engine_timings(const srch_engine *e, srch_timings *out);

/* Error answer: {"ok":false,"error":{"code":C,"message":M}}. */
json_t *srch_error_json(const char *code, const char *message);

#ifdef __cplusplus
}
#endif

#endif /* SOCASMA_SEARCH_H */
