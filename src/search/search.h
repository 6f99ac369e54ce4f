/* search.h: the search engine and the line protocol's one dispatcher
 * (srch_handle), behind both the command line and the daemon.
 *
 * An engine holds a read-only database handle, an analyser and the search
 * settings (srch_options, options.h); it turns a request into the JSON
 * answer that `socasma-search --json` prints and the daemon sends
 * (doc/PROTOCOL.md). It is the only place where queries are parsed, ranked,
 * faceted, spelled and snippeted, and where requests are read, checked and
 * answered (protocol.c).
 *
 * THREADS: an engine is used by one thread at a time (it owns Xapian and
 * libstemmer objects). The daemon gives each worker thread its own engine.
 *
 * ERRORS: functions return SRCH_OK or a negative srch_status; the message is
 * srch_errmsg(engine). The database is reopened before each request when a
 * newer revision was committed (at most every reopen_ms), and a request that
 * meets a revision being overwritten is retried on a fresh one. Another
 * database moved in at the path (also by an atomic exchange during an open
 * or a request) is opened afresh and the request tried again on it. When
 * nothing that can be opened is at the path any more, the database open
 * goes on answering for a second (the instant between the two `mv` of a
 * swap by hand), then the requests answer SRCH_ERR_UNAVAILABLE, as for a
 * database that is missing or corrupt; the engine tries to open it again on
 * the next request, so it recovers by itself once the database is back.
 */
#ifndef SOCASMA_SEARCH_H
#define SOCASMA_SEARCH_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "import/import.h"
#include "search/options.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The failures of search/, which are also the error codes of the protocol
 * (doc/PROTOCOL.md), as libuv's UV_ERRNO_MAP: X(NAME, value, "code") each;
 * the enum, srch_status_code() and the daemon's count of errors by code
 * (in this order) are made from this one table.
 *   BAD_REQUEST  the request is malformed (not JSON, no or unknown op,
 *                wrong types, bad dates, ...)
 *   TOO_LONG     the request line is longer than the daemon's max_line
 *   OVERLOADED   too many requests waiting, or too many connections
 *   TIMEOUT      the request waited longer than its time limit, or its
 *                search found no hit within query_time_limit
 *   UNAVAILABLE  the database is missing, corrupt or unreadable
 *   INTERNAL     anything else (out of memory, a bug)
 *   NOT_FOUND    `doc`: no post with that id
 *   TOO_COMPLEX  the query would cost more than the bounds allow (its
 *                wildcards expand to too many words or postings)
 *   FORBIDDEN    `put`, `delete`: writes are not allowed on this connection
 *                (the daemon's [server] write, token)
 *   BUSY         `put`, `delete`: another writer (socasma-index) held the
 *                database longer than write_timeout; nothing was applied
 * TOO_LONG, OVERLOADED, FORBIDDEN and BUSY are the daemon's (TIMEOUT both):
 * search/ never returns them. */
#define SRCH_ERRNO_MAP(X)             \
    X(BAD_REQUEST, -1, "bad_request") \
    X(TOO_LONG, -6, "too_long")       \
    X(OVERLOADED, -7, "overloaded")   \
    X(TIMEOUT, -5, "timeout")         \
    X(UNAVAILABLE, -2, "unavailable") \
    X(INTERNAL, -4, "internal")       \
    X(NOT_FOUND, -3, "not_found")     \
    X(TOO_COMPLEX, -8, "too_complex") \
    X(FORBIDDEN, -9, "forbidden")     \
    X(BUSY, -10, "busy")

typedef enum {
    SRCH_OK = 0,
#define SRCH_ERRNO_ENUM(name, value, code) SRCH_ERR_##name = value,
    SRCH_ERRNO_MAP(SRCH_ERRNO_ENUM)
#undef SRCH_ERRNO_ENUM
} srch_status;

/* The protocol's error code of a status ("bad_request", ...; "ok" for
 * SRCH_OK, "internal" for a value not in the table). Static storage. */
const char *srch_status_code(int status);

typedef enum { SRCH_SORT_RELEVANCE = 0, SRCH_SORT_DATE = 1 } srch_sort;

#define SRCH_MAX_FILTER_VALUES 16
/* srch_request.limit: the engine's default_limit (srch_options). */
#define SRCH_LIMIT_DEFAULT UINT32_MAX

typedef struct {
    const char *q;               /* the query text (may be NULL or "") */
    uint32_t offset;             /* first hit, from 0 */
    uint32_t limit;              /* hits wanted, capped at the options' max_limit;
                                    SRCH_LIMIT_DEFAULT: their default_limit */
    const char *lang;            /* "en", "fr" or NULL: restricts to posts in that
                                    language and analyses the query in it */
    const char *categories[SRCH_MAX_FILTER_VALUES]; /* ORed, NULL-terminated */
    const char *tags[SRCH_MAX_FILTER_VALUES];       /* ORed, NULL-terminated */
    const char *author;          /* NULL for any */
    const char *since, *until;   /* "YYYY", "YYYY-MM" or "YYYY-MM-DD", NULL for open */
    srch_sort sort;
    int facets;                  /* 1: add "facets" */
    int snippet_words;           /* -1: the options' snippet_words; 0: no snippets */
} srch_request;

/* Sets the defaults: everything empty, the default limit
 * (SRCH_LIMIT_DEFAULT), relevance, snippets of the default length (-1). */
void srch_request_init(srch_request *req);

/* Fills req from a protocol request object (keys q, offset, limit, lang,
 * category (string or array), tag (string or array), author, since, until,
 * sort, facets, snippet). Strings point into obj, which must outlive req.
 * Wrong types or values: SRCH_ERR_BAD_REQUEST with a message in err. */
int srch_request_from_json(const json_t *obj, srch_request *req, char *err, size_t errlen);

typedef struct srch_engine srch_engine;

/* Creates an engine over the database at db_path with the settings opt
 * (copied; NULL: the defaults). It succeeds even when the database cannot
 * be opened yet: the requests then answer SRCH_ERR_UNAVAILABLE until it
 * can. SRCH_ERR_INTERNAL: out of memory, or db_path or out NULL. */
int srch_engine_new(const char *db_path, const srch_options *opt, srch_engine **out);
void srch_engine_free(srch_engine *e);

/* New settings for an engine (copied; NULL: the defaults), which keeps its
 * database open: a reload (SIGHUP) does not drop a handle it may need while
 * the path is being swapped (see ERRORS above). The next request also looks
 * for a new revision or a new database at the path, as after
 * srch_engine_sync(). Run on the engine's thread. */
void srch_engine_set_options(srch_engine *e, const srch_options *opt);

/* A flag the engine reads during its matches (from its own thread; another
 * thread sets it): once non-zero, the running request ends as when its
 * time is up (query_time_limit). The daemon sets it when the client of the
 * request has gone. NULL: none. The flag must outlive its use: set it back
 * to NULL after the request. */
void srch_engine_set_cancel(srch_engine *e, const atomic_int *cancel);

/* A function the engine calls (on its own thread, with arg) before it tries
 * a request again because a commit overwrote the revision it was reading
 * (Xapian's DatabaseModifiedError): the daemon's writer then lets the new
 * try finish before it overwrites that one (srv_writer_read_protect).
 * NULL fn: none. Set it back to NULL after the request, as the flag above. */
void srch_engine_set_retry_hook(srch_engine *e, void (*fn)(void *arg), void *arg);

/* The message of the engine's last failure. */
const char *srch_errmsg(const srch_engine *e);

/* Runs a search. On SRCH_OK *out is the answer object
 *   {"ok":true,"total":N,"total_exact":B,"offset":N,"limit":N,"hits":[...],
 *    "facets":{...} (when asked),"suggestion":S or null,
 *    "corrected":true (when the hits are those of the suggestion),
 *    "completed":true (when they are those of the last word as a prefix),
 *    "partial":true (when the time was up: the best hits found so far),
 *    "took_ms":T}
 * with each hit {"id","title","url","date","lang","categories","author",
 * "score","snippet"}; the caller json_decref()s it. total counts every
 * match, whatever offset and limit: exactly (total_exact true) when there
 * are at most the config's exact_total, else Xapian's estimate (false). */
int srch_search(srch_engine *e, const srch_request *req, json_t **out);

/* Search-as-you-type: completions of the last word of prefix and the top
 * titles: {"ok":true,"completions":[...],"titles":[{"id","title","url"}],
 * "took_ms":T}; limit of each (0: SRCH_SUGGEST_DEFAULT, at most
 * SRCH_SUGGEST_MAX). */
#define SRCH_SUGGEST_DEFAULT 10
#define SRCH_SUGGEST_MAX 20
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

/* ---- the line protocol (doc/PROTOCOL.md) ----------------------------------
 * One table of ops and one function that answers the engine's: the daemon
 * and socasma-search both go through srch_handle(), so that they cannot
 * answer differently. */

/* Who answers an op: an engine (srch_handle(), on a thread that owns one:
 * the daemon's workers, the command line), the program itself (the
 * daemon's event loop), or the daemon's one writer thread (the writes:
 * srch_write_from_json() checks them, src/server/writer.c applies them). */
typedef enum { SRCH_RUN_ENGINE, SRCH_RUN_HOST, SRCH_RUN_WRITER } srch_runner;

/* The ops, X(NAME, "name", runner) each: the enum, srch_op_name() and
 * srch_op_runner() are made from this one table. */
#define SRCH_OP_MAP(X)                     \
    X(SEARCH, "search", SRCH_RUN_ENGINE)   \
    X(SUGGEST, "suggest", SRCH_RUN_ENGINE) \
    X(DOC, "doc", SRCH_RUN_ENGINE)         \
    X(STATS, "stats", SRCH_RUN_ENGINE)     \
    X(PING, "ping", SRCH_RUN_HOST)         \
    X(VERSION, "version", SRCH_RUN_HOST)   \
    X(PUT, "put", SRCH_RUN_WRITER)         \
    X(DELETE, "delete", SRCH_RUN_WRITER)

typedef enum {
#define SRCH_OP_ENUM(name, str, runner) SRCH_OP_##name,
    SRCH_OP_MAP(SRCH_OP_ENUM)
#undef SRCH_OP_ENUM
    SRCH_OP_COUNT
} srch_op;

/* The op's name ("search", ...; "?" for a value not in the table). Static. */
const char *srch_op_name(srch_op op);
srch_runner srch_op_runner(srch_op op);

/* Reads one request line (without its end): a line that starts with '{'
 * must be a JSON object, any other line is a search for its text
 * ({"op":"search","q":LINE}). SRCH_OK: *request is the object (the caller
 * json_decref()s it). Otherwise (not JSON, not UTF-8: SRCH_ERR_BAD_REQUEST;
 * out of memory: SRCH_ERR_INTERNAL) *answer is the error answer. */
int srch_read_line(const char *line, size_t len, json_t **request, json_t **answer);

/* The op of a request object: SRCH_OK with *op, or SRCH_ERR_BAD_REQUEST
 * with *answer the error answer when "op" is missing, not a string or not
 * in the table. */
int srch_request_op(const json_t *request, srch_op *op, json_t **answer);

/* The request's id: its "id" when a string or a number, else NULL.
 * Borrowed from request. */
json_t *srch_request_id(const json_t *request);

/* Adds the id of request (may be NULL) to answer, when it has one, and
 * returns answer. Every answer carries the id of its request. */
json_t *srch_answer_for(const json_t *request, json_t *answer);

/* Error answer {"ok":false,"error":{"code":C,"message":M}}. */
json_t *srch_error_json(const char *code, const char *message);
/* The same for a status (its code), with the id of request (may be NULL). */
json_t *srch_error_answer(const json_t *request, int status, const char *message);

/* Answers request (an object) on e: the fields of its op are checked, the
 * engine runs it, and *answer is its answer or its error answer, with the
 * request's id; the caller json_decref()s it (NULL only when out of
 * memory). Returns the status of the request. Ops of SRCH_RUN_HOST are
 * refused (SRCH_ERR_BAD_REQUEST); e NULL answers SRCH_ERR_INTERNAL. */
int srch_handle(srch_engine *e, const json_t *request, json_t **answer);

/* ---- writes (protocol version 2) -----------------------------------------
 * A `put` or `delete` request, checked whole before anything of it is
 * applied: one bad post rejects the request. The daemon's writer thread
 * applies it to the database (src/server/writer.c) with store/'s code, the
 * same as socasma-index's. */

/* Bounds of one write request (the line itself is bounded by the daemon's
 * max_write_line). */
#define SRCH_WRITE_MAX_POSTS 1000
#define SRCH_WRITE_MAX_IDS 10000

typedef struct {
    srch_op op;          /* SRCH_OP_PUT or SRCH_OP_DELETE */
    imp_post **posts;    /* put: the posts, in request order */
    size_t nposts;
    char **ids;          /* delete: the ids, in request order */
    size_t nids;
} srch_write;

/* Checks a write request (an object whose op is put or delete) and makes
 * the posts or the ids: {"op":"put","posts":[POST,...]} or
 * {"op":"put","post":POST}, POST a JSON Lines post that may carry
 * "content" (HTML) in place of "body" (imp_post_from_json(): the WXR
 * reader's rules); {"op":"delete","ids":[ID,...]} (strings, or integers as
 * JSON Lines ids are). Every post is checked as the indexer checks a
 * record (fields, date, lang, id, size against max_post_bytes, 0: the
 * import default). SRCH_OK with *out (free with srch_write_free());
 * SRCH_ERR_BAD_REQUEST with msg naming the post ("posts[2]: invalid date
 * ...") or the field; SRCH_ERR_INTERNAL when out of memory. Any thread. */
int srch_write_from_json(const json_t *request, size_t max_post_bytes, srch_write **out,
                         char *msg, size_t len);
void srch_write_free(srch_write *w);

/* What a write did, for its answer. */
typedef struct {
    uint64_t added, updated, unchanged, deleted, missing;
    uint64_t revision; /* the database's revision once it was committed */
} srch_write_result;

/* The answer of an applied write, with the request's id:
 * {"ok":true,"added":A,"updated":U,"unchanged":N,"deleted":D,"missing":M,
 *  "revision":R}. NULL when out of memory. */
json_t *srch_write_answer(const json_t *request, const srch_write_result *r);

/* Tells the engine that the database may have a new revision (a writer
 * of this process committed): its next request reopens the database,
 * whatever reopen_ms says. gen is a count of the writer's commits: a value
 * other than the last one given marks the engine. Run on the engine's
 * thread. */
void srch_engine_sync(srch_engine *e, uint64_t gen);

/* The answer as one protocol line: compact JSON and '\n', malloc'ed, *len
 * its length. Consumes answer. When it cannot be encoded, the line is an
 * "internal" error answer and *status (when not NULL) becomes
 * SRCH_ERR_INTERNAL. NULL when out of memory. */
char *srch_answer_line(json_t *answer, size_t *len, int *status);

#ifdef __cplusplus
}
#endif

#endif /* SOCASMA_SEARCH_H */
