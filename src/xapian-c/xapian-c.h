/* xapian-c.h: the project's C API over libxapian (Xapian 1.4).
 *
 * This header is the whole boundary between the C code of socasma-search and
 * the C++ of Xapian: no C++ type, symbol or exception crosses it. Every
 * function is implemented in xapian-c.cc inside try/catch and reports
 * failure as a negative xc_status.
 *
 * ERRORS
 *   Every function that can fail returns an xc_status: XC_OK (0) on success,
 *   XC_DONE (1) where an iteration has ended, a negative code on failure.
 *   The detailed message of the last failure in the calling thread is
 *   returned by xc_errmsg(); it stays valid until the next failing xc_ call
 *   in the same thread. Messages are kept per thread, so worker threads never
 *   see each other's errors. NULL where a handle or a string is required is
 *   XC_ERR_INVALID_ARG, never a crash.
 *
 * THREADS
 *   A handle (xc_db, xc_doc, xc_query, xc_enquire, xc_mset, xc_iter) must not
 *   be used by two threads at once, and objects made from a database (an
 *   enquire, its match sets, fetched documents) belong to that database's
 *   thread too. Use one xc_db per thread. xc_query values hold no database
 *   and may be built in one thread and used in another, one at a time.
 *
 * OWNERSHIP
 *   Every xc_*_new / xc_*_open / function with an `out` handle gives the
 *   caller a handle it frees with the matching xc_*_free / xc_db_close.
 *   Free functions accept NULL. Strings returned through `const char **` are
 *   borrowed from the handle and valid until the next call on that handle
 *   (or its free); strings returned through `char **` are malloc'ed and the
 *   caller free()s them. Strings passed in are copied; they need not outlive
 *   the call. Terms and values are byte strings with an explicit length where
 *   the prototype has one, else NUL-terminated.
 */
#ifndef SOCASMA_XAPIAN_C_H
#define SOCASMA_XAPIAN_C_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- status codes ------------------------------------------------------ */

/* The failures, as libuv's UV_ERRNO_MAP: X(NAME, value, "name") each; the
 * enum and xc_status_name() are made from this one table.
 *   INVALID_ARG    NULL or invalid argument (InvalidArgumentError)
 *   NOMEM          std::bad_alloc
 *   NOT_FOUND      no such database (DatabaseNotFoundError,
 *                  DatabaseOpeningError), document or term
 *   LOCKED         another writer holds the lock (DatabaseLockError)
 *   CORRUPT        DatabaseCorruptError, or a block read past the end of
 *                  its table ("EOF reading block"): a revision another
 *                  process's writer overwrote, or a corrupt database
 *   MODIFIED       DatabaseModifiedError: xc_db_reopen() and retry
 *   VERSION        DatabaseVersionError: unsupported format
 *   CLOSED         DatabaseClosedError: the handle was closed
 *   INVALID_OP     InvalidOperationError, e.g. commit inside a transaction
 *   TOO_LONG       a term longer than Xapian stores (245 bytes)
 *   WILDCARD       a wildcard expanded to more terms than allowed
 *   DATABASE       any other DatabaseError (I/O, create, ...)
 *   UNIMPLEMENTED  UnimplementedError, FeatureUnavailableError
 *   INTERNAL       any other Xapian or C++ exception
 *   NETWORK        NetworkError, NetworkTimeoutError: a remote database
 *                  (xapian-tcpsrv) did not answer in time or went away */
#define XC_ERRNO_MAP(X)                    \
    X(INVALID_ARG, -1, "invalid_arg")      \
    X(NOMEM, -2, "nomem")                  \
    X(NOT_FOUND, -3, "not_found")          \
    X(LOCKED, -4, "locked")                \
    X(CORRUPT, -5, "corrupt")              \
    X(MODIFIED, -6, "modified")            \
    X(VERSION, -7, "version")              \
    X(CLOSED, -8, "closed")                \
    X(INVALID_OP, -9, "invalid_op")        \
    X(TOO_LONG, -10, "too_long")           \
    X(WILDCARD, -11, "wildcard")           \
    X(DATABASE, -12, "database")           \
    X(UNIMPLEMENTED, -13, "unimplemented") \
    X(INTERNAL, -14, "internal")          \
    X(NETWORK, -15, "network")

typedef enum {
    XC_OK = 0,
    XC_DONE = 1, /* an iterator has no more items */
#define XC_ERRNO_ENUM(name, value, str) XC_ERR_##name = value,
    XC_ERRNO_MAP(XC_ERRNO_ENUM)
#undef XC_ERRNO_ENUM
} xc_status;

/* The message of the calling thread's last failure ("" if none). Valid until
 * the next failing xc_ call in this thread. Never NULL. */
const char *xc_errmsg(void);

/* A short constant name for a status ("ok", "locked", ...). Never NULL. */
const char *xc_status_name(int status);

/* The libxapian version string, e.g. "1.4.22". Static storage. */
const char *xc_version(void);

/* ---- databases ----------------------------------------------------------- */

typedef struct xc_db xc_db;

/* How xc_db_open_writable opens. */
typedef enum {
    XC_DB_CREATE_OR_OPEN = 0,      /* open, or create if absent */
    XC_DB_CREATE_OR_OVERWRITE = 1, /* create, replacing any existing database */
    XC_DB_OPEN = 2,                /* open an existing one; XC_ERR_NOT_FOUND if absent */
    XC_DB_CREATE = 3               /* create; XC_ERR_DATABASE if one exists */
} xc_db_mode;

/* Opens a database read-only. path is a database directory or a stub file
 * listing several (one "auto PATH" per line), searched as one.
 * Errors: XC_ERR_NOT_FOUND (no database there), XC_ERR_CORRUPT, XC_ERR_VERSION,
 * XC_ERR_DATABASE. On success *out is a handle freed with xc_db_close(). */
int xc_db_open(const char *path, xc_db **out);

/* Opens or creates a database for writing, never waiting for the lock: if
 * another writer holds it, returns XC_ERR_LOCKED at once. A writable handle
 * can also be read (search, fetch). */
int xc_db_open_writable(const char *path, xc_db_mode mode, xc_db **out);

/* (Added.) As xc_db_open_writable, with flags: XC_DB_NO_SYNC skips the
 * fsync of each commit (Xapian's DB_NO_SYNC): faster, but a power cut may
 * lose or corrupt the database. Only for scratch databases that are thrown
 * away when the process dies (the indexer's shards). */
#define XC_DB_NO_SYNC 1u
int xc_db_open_writable_flags(const char *path, xc_db_mode mode, unsigned flags, xc_db **out);

/* (Added.) Compacts the n databases at sources (n >= 1), read as one, into a
 * new database at dest (created; a database already there is replaced, so
 * give a fresh path). Document ids are renumbered by concatenation: those of
 * sources[0] first, then those of sources[1] shifted past them, and so on.
 * Postings, positions, values, data, spelling frequencies (summed over the
 * sources) and synonyms (united) are merged; for a metadata key present in
 * several sources the first source's value is kept. The output is durable
 * (fsynced) when the call returns. Errors: XC_ERR_NOT_FOUND (a source),
 * XC_ERR_DATABASE (I/O), XC_ERR_NOMEM. Holds no lock on the
 * sources: the caller makes sure nobody writes them meanwhile. */
int xc_db_compact(const char *const *sources, size_t n, const char *dest);

/* (Added: shards.) Opens the database that xapian-tcpsrv serves at
 * host:port (IPv4 or a name; Xapian's remote protocol), read-only. Every
 * read waits at most timeout_ms (also for the connection) before it fails
 * with XC_ERR_NETWORK; so does a connection refused or cut. A remote
 * database cannot run the custom classes of this library (xapian-tcpsrv
 * knows only Xapian's own): a group that holds one (xc_db_is_remote) takes
 * the remote-safe paths described at each function. */
int xc_db_open_remote(const char *host, unsigned port, unsigned timeout_ms, xc_db **out);

/* (Added: shards.) A handle that searches the n read-only databases
 * parts[0..n) (n >= 1; directories or remote ones) as one, as Xapian's
 * add_database: statistics, weights, facets and counts are those of one
 * database holding every document; document ids interleave (the id of
 * local document d of part i is (d - 1) * n + i + 1). The group borrows
 * the parts: they must stay open until the group is closed (closing the
 * group leaves them open). Metadata is read from parts[0]; the revision
 * (xc_db_revision) is the sum of the parts' (a remote part counts the
 * generation its indexer exported, xc_db_export_tables). The spelling
 * table and the synonyms are the union of the parts' (frequencies added),
 * remote parts included through their exported copies. */
int xc_db_group(xc_db *const *parts, size_t n, xc_db **out);
/* 1 if db is a group (xc_db_group), else 0. */
int xc_db_is_group(const xc_db *db);
/* 1 if db is remote or a group with a remote part, else 0. */
int xc_db_is_remote(const xc_db *db);

/* (Added: shards.) Copies the spelling table and the synonyms of a
 * writable database into its metadata (keys "xc.spelling.N",
 * "xc.synonyms.N", chunks of at most 64 KB, and "xc.export.gen", bumped
 * each time), part of the next commit: Xapian 1.4's remote protocol reads
 * metadata but neither of those tables, so this is how a remote shard's
 * spelling and synonyms reach the searcher. Costs a read of both tables. */
int xc_db_export_tables(xc_db *db);

/* Closes and frees the handle. For a writable database an active transaction
 * is cancelled; other uncommitted changes are committed by Xapian, so call
 * xc_db_commit() first and check its status. Accepts NULL. */
void xc_db_close(xc_db *db);

/* 1 if the handle was opened writable, else 0 (0 for NULL). */
int xc_db_is_writable(const xc_db *db);

/* Brings a read-only handle to the latest committed revision.
 * *reopened (may be NULL) is set to 1 if it may have changed, 0 if not.
 * A remote part (or group with one) counts as changed when its exported
 * generation (xc_db_export_tables), document count or last document id
 * moved, or when it exports nothing: a round trip for the reopen and one
 * for the generation, a remote part. */
int xc_db_reopen(xc_db *db, int *reopened);

/* Makes the changes since the last commit durable and visible to readers.
 * XC_ERR_INVALID_OP inside a transaction. */
int xc_db_commit(xc_db *db);

/* Transactions: every change between begin and commit becomes visible at
 * once, or (cancel, crash) not at all. flushed=1 commits pending changes
 * first and makes commit_transaction commit to disk (as Xapian's
 * begin_transaction(true)); with flushed=0 the changes of a committed
 * transaction only become visible to readers at the next xc_db_commit. */
int xc_db_begin_transaction(xc_db *db, int flushed);
int xc_db_commit_transaction(xc_db *db);
int xc_db_cancel_transaction(xc_db *db);

/* Facts about the database (read or writable). */
int xc_db_revision(xc_db *db, uint64_t *revision);
int xc_db_doccount(xc_db *db, uint32_t *count);
int xc_db_lastdocid(xc_db *db, uint32_t *docid);
int xc_db_avlength(xc_db *db, double *avlength);
/* Number of documents indexed by term (0 if none). */
int xc_db_termfreq(xc_db *db, const char *term, size_t len, uint32_t *freq);

/* User metadata (a key-value table stored with the database). get sets
 * *value to a malloc'ed, NUL-terminated copy (free()) and *len; an absent
 * key gives an empty string. set with len 0 deletes the key. */
int xc_db_get_metadata(xc_db *db, const char *key, char **value, size_t *len);
int xc_db_set_metadata(xc_db *db, const char *key, const char *value, size_t len);

/* ---- documents ----------------------------------------------------------- */

typedef struct xc_doc xc_doc;

/* A new, empty document to fill and add. Free with xc_doc_free(). */
int xc_doc_new(xc_doc **out);
void xc_doc_free(xc_doc *doc);

/* Adds a term at a position (positions start at 1), increasing its
 * within-document frequency by wdfinc. XC_ERR_TOO_LONG for terms over 245
 * bytes; empty terms are XC_ERR_INVALID_ARG. */
int xc_doc_add_posting(xc_doc *doc, const char *term, size_t len, uint32_t pos, uint32_t wdfinc);
/* Adds a term without position, increasing its wdf by wdfinc. */
int xc_doc_add_term(xc_doc *doc, const char *term, size_t len, uint32_t wdfinc);
/* Adds a boolean filter term (wdf 0: it does not change the document length). */
int xc_doc_add_boolean_term(xc_doc *doc, const char *term, size_t len);
/* Sets value slot `slot` (a value of length 0 clears it). */
int xc_doc_set_value(xc_doc *doc, uint32_t slot, const char *value, size_t len);
/* Sets the data blob (stored, not indexed). */
int xc_doc_set_data(xc_doc *doc, const char *data, size_t len);

/* Read a document's data / a value. *data points into the document handle
 * and is valid until the next call on it or its free; an absent value is an
 * empty string. For a fetched document these may read the database and fail
 * with XC_ERR_MODIFIED. */
int xc_doc_get_data(xc_doc *doc, const char **data, size_t *len);
int xc_doc_get_value(xc_doc *doc, uint32_t slot, const char **value, size_t *len);
/* The docid of a fetched document (0 for a new one). */
uint32_t xc_doc_docid(const xc_doc *doc);

/* One distinct term of a document, for xc_doc_add_terms. term[0..len) need
 * not be NUL-terminated; pos[0..npos) are its positions, in any order (a
 * repeated one is kept once, as Xapian does), NULL when npos is 0. */
typedef struct {
    const char *term;
    uint32_t len;
    uint32_t wdf;         /* wdf to add (0 with npos 0: a boolean term) */
    const uint32_t *pos;
    uint32_t npos;
} xc_term;
/* Adds n terms in one call: for each, as xc_doc_add_term(term, wdf) then
 * xc_doc_add_posting(term, p, 0) for each position p, the same document as
 * those calls give. Made for a caller that has already summed each term's
 * wdf and gathered its positions (one crossing and one string per term,
 * not one per occurrence). Checks every term first: XC_ERR_INVALID_ARG
 * (an empty term, or positions missing) or XC_ERR_TOO_LONG, and then
 * nothing is added; XC_ERR_NOMEM may leave part of the terms added. */
int xc_doc_add_terms(xc_doc *doc, const xc_term *terms, size_t n);

/* Encodes a number so that byte order is numeric order (Xapian's
 * sortable_serialise). buf must hold 18 bytes; *len gets the length. */
void xc_sortable_serialise(double value, char buf[18], size_t *len);
double xc_sortable_unserialise(const char *buf, size_t len);

/* Adds a document; *docid (may be NULL) gets its id. Writable only. */
int xc_db_add_document(xc_db *db, xc_doc *doc, uint32_t *docid);
/* Replaces the document indexed by the unique term idterm, or adds it if
 * there is none. *docid (may be NULL) gets its id. */
int xc_db_replace_document(xc_db *db, const char *idterm, xc_doc *doc, uint32_t *docid);
/* Deletes every document indexed by idterm. *deleted (may be NULL) is set to
 * 1 if there was one, else 0. */
int xc_db_delete_document(xc_db *db, const char *idterm, int *deleted);
/* Fetches the document indexed by idterm (the first, if several):
 * XC_ERR_NOT_FOUND if none. Free *out with xc_doc_free(). */
int xc_db_get_document_by_term(xc_db *db, const char *idterm, xc_doc **out);
/* Fetches a document by docid: XC_ERR_NOT_FOUND if none. */
int xc_db_get_document(xc_db *db, uint32_t docid, xc_doc **out);

/* Positions of term in document docid, in increasing order: *pos gets a
 * malloc'ed array (free()), *n its length (0 and NULL when absent). */
int xc_db_positions(xc_db *db, uint32_t docid, const char *term, size_t len,
                    uint32_t **pos, size_t *n);

/* ---- iterators over terms -------------------------------------------------- */

typedef struct xc_iter xc_iter;

/* One step of an iterator: XC_OK with the next item, XC_DONE at the end, or a
 * negative error. *term (may be NULL) points into the iterator and is valid
 * until the next step or its free; *freq (may be NULL) is the term frequency
 * (lexicon), the wdf (termlist), or 0 where none applies (synonyms);
 * *weight (may be NULL) is set for expand sets, else 0. */
int xc_iter_next(xc_iter *it, const char **term, size_t *len, uint32_t *freq, double *weight);
void xc_iter_free(xc_iter *it);

/* Iterators are materialised: every item is copied when the iterator is made
 * (errors such as XC_ERR_MODIFIED are reported then), so xc_iter_next never
 * reads the database, never fails on a valid handle, and the iterator may
 * outlive the handle it came from. */

/* Every term of the lexicon that starts with prefix ("" for all), in byte
 * order, with its document frequency. */
int xc_db_allterms(xc_db *db, const char *prefix, xc_iter **out);
/* (Added.) The same, the first max terms only (0: all): what a short
 * prefix costs is bounded. */
int xc_db_allterms_max(xc_db *db, const char *prefix, size_t max, xc_iter **out);
/* (Added.) What a wildcard on prefix will cost (for a cost estimate before a
 * match): *nterms, the terms it expands to (at most max_expansion, the most
 * frequent; 0: no limit) and *postings, the sum of their document
 * frequencies. Reads the lexicon without keeping it: XC_ERR_WILDCARD when
 * more than scan_max terms (0: no limit) start with prefix. */
int xc_db_prefix_cost(xc_db *db, const char *prefix, uint32_t max_expansion, uint32_t scan_max,
                      uint32_t *nterms, uint64_t *postings);
/* The terms of document docid that start with prefix, with their wdf. */
int xc_db_termlist(xc_db *db, uint32_t docid, const char *prefix, xc_iter **out);

/* (Added.) Every non-empty value of slot, in increasing docid order: each
 * item has the value in *term (length *len) and the docid in *freq. Fast way to read
 * "id -> content hash" for all documents (reads the value stream only). */
int xc_db_values(xc_db *db, uint32_t slot, xc_iter **out);
/* The values in slot of the n documents docids[0..n) (any order, no
 * repeats): calls fn(ctx, i, value, len) for each i whose document has a
 * non-empty value there, in increasing docid order, until fn returns
 * non-zero; value is valid during the call only. Reads the value stream
 * with one cursor (no document is opened): for the values of a few hits on
 * the search path. A docid without a document is skipped. n at most
 * XC_VALUES_OF_MAX (else XC_ERR_INVALID_ARG). fn must not call back into
 * this library. */
#define XC_VALUES_OF_MAX 128
int xc_db_values_of(xc_db *db, uint32_t slot, const uint32_t *docids, size_t n,
                    int (*fn)(void *ctx, size_t i, const char *value, size_t len), void *ctx);

/* ---- spelling and synonyms ---------------------------------------------- */

/* Adds word to the spelling table (writable only), frequency += freqinc. */
int xc_db_add_spelling(xc_db *db, const char *word, uint32_t freqinc);
/* (Added.) PENDING SPELLING WORDS. Words kept in the database's metadata
 * (the key XC_META_SPELLING_PENDING, "COUNT WORD\n" lines) instead
 * of the spelling table: with Xapian 1.4.22 a database whose spelling table
 * took add_spelling() at many commits in a row (the live delta's folds,
 * one every few hundred posts) ended corrupt: "Too few chunks of
 * compressed data", then "Freelist corrupt", the postlist root of the last
 * commit overwritten. xc_db_spellings() counts them as words of the table;
 * xc_db_apply_pending_spellings() moves them into the table at a commit
 * that writes the table anyway (an indexer run).
 *   xc_db_add_pending_spellings: lines (len bytes of "COUNT WORD\n"
 *     lines; nothing when len is 0) merged into the pending words, each
 *     word once with its counts summed, so that reading them costs the
 *     distinct words, not the posts or the folds (like the table, they
 *     grow with the words the posts bring). Writable only.
 *   xc_db_apply_pending_spellings: every pending word through
 *     add_spelling, the key emptied; *moved (may be NULL) the number of
 *     words. Writable only. Both take effect at the next commit. */
#define XC_META_SPELLING_PENDING "xc.spelling-pending"
int xc_db_add_pending_spellings(xc_db *db, const char *lines, size_t len);
int xc_db_apply_pending_spellings(xc_db *db, uint64_t *moved);
/* The best spelling suggestion for word within max_edit edits: *out is a
 * malloc'ed string (free()), "" when there is none. */
int xc_db_spelling_suggestion(xc_db *db, const char *word, unsigned max_edit, char **out);
/* Every word of the spelling table, in byte order, with its frequency (for
 * a caller that keeps its own index of the table), pending words (above)
 * of the first local part included. */
int xc_db_spellings(xc_db *db, xc_iter **out);
/* Adds synonym to the synonyms of term (writable only). A term of several
 * words is space-separated. */
int xc_db_add_synonym(xc_db *db, const char *term, const char *synonym);
/* Removes all synonyms of term / every synonym of every term. */
int xc_db_clear_synonyms(xc_db *db, const char *term);
int xc_db_clear_all_synonyms(xc_db *db);
/* The synonyms of term, in byte order. */
int xc_db_synonyms(xc_db *db, const char *term, xc_iter **out);
/* Every term that has synonyms and starts with prefix. */
int xc_db_synonym_keys(xc_db *db, const char *prefix, xc_iter **out);

/* ---- queries ------------------------------------------------------------- */

typedef struct xc_query xc_query;

typedef enum {
    XC_OP_AND = 0,
    XC_OP_OR = 1,
    XC_OP_AND_NOT = 2,   /* first AND NOT (the others ORed) */
    XC_OP_XOR = 3,
    XC_OP_AND_MAYBE = 4, /* first, weighted up by the others */
    XC_OP_FILTER = 5,    /* first, restricted to the others, which add no weight */
    XC_OP_NEAR = 6,      /* all within `window` positions, any order */
    XC_OP_PHRASE = 7,    /* all in order within `window` positions */
    XC_OP_ELITE_SET = 8, /* OR of the `window` best terms */
    XC_OP_SYNONYM = 9,   /* OR, weighted as if one term */
    XC_OP_MAX = 10       /* OR, weight of the best subquery */
} xc_op;

/* What a wildcard does when it would expand past max_expansion. */
typedef enum {
    XC_WILDCARD_LIMIT_ERROR = 0,        /* the search fails with XC_ERR_WILDCARD */
    XC_WILDCARD_LIMIT_FIRST = 1,        /* keep the first terms in byte order */
    XC_WILDCARD_LIMIT_MOST_FREQUENT = 2 /* keep the most frequent terms */
} xc_wildcard_limit;

/* Query handles are immutable values: combining copies the subqueries (Xapian
 * shares them internally), so the caller still frees what it passed in. */
void xc_query_free(xc_query *q);

/* A term, with its within-query frequency (wqf, >= 1) and query position
 * (0 for none). */
int xc_query_term(const char *term, size_t len, uint32_t wqf, uint32_t pos, xc_query **out);
/* Combines n subqueries with op. window is used by NEAR and PHRASE (0 means
 * the number of subqueries) and by ELITE_SET (how many to keep). n == 0
 * gives the query that matches nothing. NULL entries are skipped. */
int xc_query_combine(xc_op op, xc_query *const *subs, size_t n, uint32_t window, xc_query **out);
/* Multiplies the weight of q by factor (>= 0; 0 makes it purely boolean). */
int xc_query_scale(const xc_query *q, double factor, xc_query **out);
/* Documents whose value in slot lies in [lo, hi] (byte order). lo or hi may
 * be NULL (or lo "") for an open end; documents without a value in slot
 * never match, even with both ends open. */
int xc_query_value_range(uint32_t slot, const char *lo, const char *hi, xc_query **out);
/* A weight without terms: each document whose value in slot equals keys[i]
 * gets weights[i], one with another value default_weight (weights >= 0).
 * It matches every document that has a value in slot (and no other), so it
 * belongs on the right of an AND_MAYBE, to favour some documents among
 * those the left side matched. */
int xc_query_value_weight(uint32_t slot, const char *const *keys, const double *weights,
                          size_t n, double default_weight, xc_query **out);
/* The documents whose ids are in ids[0..n-1] (any order, duplicates
 * allowed, each > 0), with no weight: meant as the right side of an
 * XC_OP_FILTER, to run a costly query (NEAR, PHRASE) on a few documents
 * only. n == 0 gives the query that matches nothing. A posting source of
 * this library's own: only for a single database, not a group (the ids of
 * a group are not those its parts see): see xc_query_docids_in. */
int xc_query_docids(const uint32_t *ids, size_t n, xc_query **out);
/* (Added: shards.) The same for a search of db (NULL: as xc_query_docids):
 * on a group of local databases, the ids are the group's and each part
 * is given its own (the parts are told apart by their uuids).
 * XC_ERR_UNIMPLEMENTED on a group with a remote part, or whose parts do
 * not have distinct uuids (a copied directory): filter on the documents'
 * unique terms instead. */
int xc_query_docids_in(xc_db *db, const uint32_t *ids, size_t n, xc_query **out);
/* Every term starting with prefix, ORed (OP_SYNONYM), expanded when searched
 * against the database, with at most max_expansion terms (0: no limit). */
int xc_query_wildcard(const char *prefix, uint32_t max_expansion, xc_wildcard_limit limit,
                      xc_query **out);
/* (Added: shards.) As xc_query_wildcard, for a search of db (which may be
 * NULL: then the same). On one database, a wildcard limited to its
 * max_expansion most frequent terms that has more is expanded now as on a
 * group (below), so that equally frequent terms are chosen in byte order,
 * not as Xapian's selection leaves them. On a group (xc_db_is_group) the wildcard is
 * expanded now, against the whole group's lexicon (the most frequent
 * terms of all the shards, ties in byte order), into an OP_SYNONYM of
 * those terms (nested two by two as xc_query_synonym_in nests them, from
 * the frequencies the lexicon gives: no further read). Xapian 1.4 would
 * expand it in each shard on its own, each
 * keeping its own most frequent terms, and weigh the synonym with that
 * shard's figures, so that a group would rank otherwise than one database
 * holding every document. XC_ERR_WILDCARD as a match would give it. */
int xc_query_wildcard_in(xc_db *db, const char *prefix, uint32_t max_expansion,
                         xc_wildcard_limit limit, xc_query **out);
/* (Added: shards.) The frequency of a term (len bytes) in the database
 * searched, for xc_query_synonym_in: XC_OK or an XC_ERR_ code. */
typedef int xc_termfreq_fn(void *arg, const char *term, size_t len, uint32_t *freq);
/* (Added: shards.) The OP_SYNONYM of subs[0..n) (NULL entries skipped; none
 * gives the query that matches nothing) for a search of db (NULL: a plain
 * OP_SYNONYM, as xc_query_combine). On a group (xc_db_is_group) it weighs
 * the same in every part, as one database holding every document would:
 * Xapian 1.4 gives a synonym the frequency it estimates for the OR of its
 * subqueries, two at a time (a + b - ab/N, rounded to a whole number at
 * each step), paired in the order of each part's own frequencies; so each
 * part rounded otherwise and gave the synonym another IDF. Here the
 * subqueries are nested two by two (synonyms inside a synonym: Xapian
 * makes each a plain OR, one node of its parent's), paired as one
 * database pairs them: the two least frequent first, by the group's
 * figures (tf(arg, ...) for terms, the group's document count for N;
 * Xapian's own estimates for phrases, ANDs and nested synonyms). The
 * synonyms found inside subs are nested the same way; ORs inside a
 * synonym are flattened into it, as Xapian does. tf is called for each
 * term met (the caller's memo avoids reads), but not for the terms of a
 * wildcard xc_query_wildcard_in expanded on a group (it knows their
 * frequencies); its error is returned. */
int xc_query_synonym_in(xc_db *db, xc_query *const *subs, size_t n, xc_termfreq_fn *tf,
                        void *arg, xc_query **out);
/* (Added: shards.) XC_OP_FILTER of q by filter, with the filter put
 * under each subquery of q when q is an OR: (a OR b) FILTER f becomes
 * (a FILTER f) OR (b FILTER f), the same documents and the same weights.
 * The reason is a fault of Xapian 1.4.22's OR (matcher/orpostlist.cc):
 * an OR checked by the AND of a filter (OrPostList::check) whose NEAR or
 * PHRASE branch fails at a document takes that branch to be at the next
 * document id without moving it there, and a later skip_to() to that id
 * adds the branch's weight at the failed document to the next one. Which
 * side of the AND is checked depends on the posting lists' sizes, and
 * which document comes next on the document ids, so the weights differed
 * between one database and its shards (and the bonus of a pair of words
 * went to a post where they are not near). Under the OR, the positional
 * subqueries are moved by next() and skip_to() only, which are exact. */
int xc_query_filter_each(const xc_query *q, const xc_query *filter, xc_query **out);

/* The query that matches every document (weight 0) / no document. */
int xc_query_match_all(xc_query **out);
int xc_query_match_nothing(xc_query **out);
/* 1 if the query matches nothing by construction. */
int xc_query_is_empty(const xc_query *q);
/* Xapian's description of the query, for tests and debugging: malloc'ed. */
int xc_query_describe(const xc_query *q, char **out);
/* OP_SYNONYM of term and its synonyms in db (just term if it has none):
 * each synonym, possibly of several space-separated words, becomes a phrase
 * of those words, each prefixed with prefix (may be ""). term itself (looked
 * up unprefixed) is prefixed the same way in the query. */
int xc_query_expand_synonyms(xc_db *db, const char *term, const char *prefix, xc_query **out);

/* ---- searching ----------------------------------------------------------- */

typedef struct xc_enquire xc_enquire;
typedef struct xc_mset xc_mset;

/* A search session over db (which must outlive it). Free with xc_enquire_free. */
int xc_enquire_new(xc_db *db, xc_enquire **out);
void xc_enquire_free(xc_enquire *enq);
/* The query to run (copied). qlen is the query length used by BM25's query
 * normalisation (0: the sum of wqf). */
int xc_enquire_set_query(xc_enquire *enq, const xc_query *q, uint32_t qlen);
/* BM25 weighting with its parameters (Xapian defaults: 1, 0, 1, 0.5, 0.5). */
int xc_enquire_set_bm25(xc_enquire *enq, double k1, double k2, double k3, double b,
                        double min_normlen);

typedef enum {
    XC_SORT_RELEVANCE = 0,            /* by weight, ties by docid */
    XC_SORT_VALUE = 1,                /* by the value in slot only */
    XC_SORT_VALUE_THEN_RELEVANCE = 2, /* by value, ties by weight */
    XC_SORT_RELEVANCE_THEN_VALUE = 3  /* by weight, ties by value */
} xc_sort;
/* How hits are ordered; reverse=1 puts high values first. */
int xc_enquire_set_sort(xc_enquire *enq, xc_sort sort, uint32_t slot, int reverse);
/* Keep at most max hits per distinct value of slot (max 0 turns it off). */
int xc_enquire_set_collapse_key(xc_enquire *enq, uint32_t slot, uint32_t max);
/* After this many seconds the matcher stops checking for more hits than
 * asked (Xapian 1.4 cannot stop a match outright). 0 turns it off. */
int xc_enquire_set_time_limit(xc_enquire *enq, double seconds);
/* (Added.) A way to end a match early (not on a remote database, whose
 * server cannot run it: there the function is never called, and a match
 * is bounded by the remote timeout): each match of enq (xc_enquire_get_mset)
 * calls fn(arg) when it starts and every few documents it examines (32);
 * once fn returns non-zero the match ends where it is, with the hits found
 * so far, and xc_mset_stopped() says so. fn runs on the calling thread, in
 * the middle of the match: it must be quick (a clock or a flag) and must not
 * use enq. fn NULL removes it. The time before the first document (opening
 * the posting lists, expanding wildcards) is not interrupted: bound it
 * before (xc_db_prefix_cost). */
typedef int xc_stop_fn(void *arg);
int xc_enquire_set_stop(xc_enquire *enq, xc_stop_fn *fn, void *arg);
/* Counts the values of slot over the documents the match examines (pass a
 * check_at_least of the database's size to xc_enquire_get_mset for exact
 * counts). A value holding several parts separated by sep (e.g. '\x1f') is
 * counted once per part; sep 0 counts whole values. Up to 8 slots. */
int xc_enquire_add_facet(xc_enquire *enq, uint32_t slot, char sep);

/* Runs the search: hits first..first+maxitems-1, checking at least
 * check_at_least documents. XC_ERR_MODIFIED: reopen the database and retry.
 * Free *out with xc_mset_free (before the enquire and the db). */
int xc_enquire_get_mset(xc_enquire *enq, uint32_t first, uint32_t maxitems,
                        uint32_t check_at_least, xc_mset **out);
void xc_mset_free(xc_mset *ms);

/* Number of hits in this page. */
uint32_t xc_mset_size(const xc_mset *ms);
/* 1 when the match was ended by the stop function of its enquire (its hits
 * are the best of the documents examined, its counts estimates), else 0. */
int xc_mset_stopped(const xc_mset *ms);
/* Bounds and estimate of the total number of matches. Any pointer may be NULL. */
void xc_mset_matches(const xc_mset *ms, uint32_t *lower, uint32_t *estimated, uint32_t *upper);

typedef struct {
    uint32_t docid;
    uint32_t rank;    /* 0-based, over the whole result (first + i) */
    int percent;      /* 0..100, Xapian's percentage */
    double weight;
} xc_hit;
/* The i-th hit of this page (0 <= i < size). */
int xc_mset_hit(xc_mset *ms, uint32_t i, xc_hit *out);
/* The document of the i-th hit (data and values). Free with xc_doc_free.
 * Read once: the mset keeps it for the next call (a round trip on a
 * remote part, whose documents come with their data and every value). */
int xc_mset_document(xc_mset *ms, uint32_t i, xc_doc **out);
/* The counts of facet `slot` (added with xc_enquire_add_facet): iterate
 * values with their counts (the count is in *freq), most frequent first. */
int xc_mset_facet(xc_mset *ms, uint32_t slot, xc_iter **out);
/* Xapian's snippet of text for this match set (MSet::snippet): about length
 * bytes, matches wrapped in hi_start/hi_end, omitted text as omit, output
 * HTML-escaped. lang names the stemmer ("english", "french", "none"); the
 * stemmer is libstemmer's, the one the project indexes with (an unknown name
 * is XC_ERR_INVALID_ARG). Xapian highlights a word when the lowercased word,
 * or "Z" followed by its stem, is a term of the query. flags: 0 or
 * XC_SNIPPET_EMPTY_WITHOUT_MATCH. *out is malloc'ed. */
#define XC_SNIPPET_EMPTY_WITHOUT_MATCH 1
int xc_mset_snippet(xc_mset *ms, const char *text, size_t len, size_t length, const char *lang,
                    const char *hi_start, const char *hi_end, const char *omit, unsigned flags,
                    char **out);

/* "More like this": the best maxterms terms to expand the relevance set made
 * of docids (n of them), best first, with their weights (in *weight). Terms
 * starting with one of the prefixes in exclude (a NULL-terminated array, may
 * be NULL) are left out. */
int xc_enquire_expand(xc_enquire *enq, const uint32_t *docids, size_t n, uint32_t maxterms,
                      const char *const *exclude, xc_iter **out);

/* ---- (Added: live delta.) A small database beside the main one ---------- */

/* Removes every occurrence of term from doc (a document read from a
 * database, to be written into another one). XC_ERR_NOT_FOUND if doc does
 * not hold it (doc unchanged). */
int xc_doc_remove_term(xc_doc *doc, const char *term, size_t len);

/* Reads everything of doc (a document got from a database: its data,
 * values, terms and positions) into memory, so that nothing of it is read
 * from that database afterwards; doc no longer names its database or
 * docid. A document read from one database must be so before it is added
 * to another one: Xapian reads a document lazily, and a read that fails
 * inside another database's add or replace (DatabaseModifiedError, the
 * source having moved on) makes that database cancel every change not yet
 * committed, those of earlier calls included. Errors as any read:
 * XC_ERR_MODIFIED when the source database's revision was overwritten (doc
 * is then unchanged: reopen and read it again). */
int xc_doc_materialize(xc_doc *doc);

/* Opens path and overlay (two local databases) searched as one, as
 * xc_db_group of the two, but the handle owns both: xc_db_close() closes
 * them. Part 0 is path, part 1 overlay; metadata is read from path;
 * xc_db_reopen() brings both to their latest revisions. Errors as
 * xc_db_open (of either). */
int xc_db_open_overlay(const char *path, const char *overlay, xc_db **out);

/* The terms starting with prefix of part `part` of a group (0-based) alone,
 * as xc_db_allterms, at the revision the group has open (the same one its
 * searches read). XC_ERR_INVALID_ARG if db is not a group or part is out
 * of range. */
int xc_db_part_allterms(xc_db *db, size_t part, const char *prefix, xc_iter **out);
/* The number of documents of part `part` of a group, and how many of them
 * hold term (len bytes), at the revision the group has open. */
int xc_db_part_termfreq(xc_db *db, size_t part, const char *term, size_t len, uint32_t *freq);
int xc_db_part_doccount(xc_db *db, size_t part, uint32_t *count);
/* The revision of part `part` of a group alone, as open (xc_db_revision of
 * a group sums its parts'). */
int xc_db_part_revision(xc_db *db, size_t part, uint64_t *revision);

/* (Added: shards.) The requests the calling thread has sent to remote
 * databases and waited for, since it started: a match counts 2 a remote
 * part (the query, then the whole's statistics), every other read 1 a
 * remote part it asks (a term frequency, a document, a termlist, a
 * metadata key, a lexicon scan, a reopen). For tests and benchmarks: each
 * is a round trip on the network. */
uint64_t xc_remote_trips(void);

/* (Added: ties.) The sort key of the i-th hit: the value of the slot given
 * to xc_enquire_set_sort (XC_SORT_RELEVANCE_THEN_VALUE and the others
 * sorting by a value), carried with the hit: no read, also from a remote
 * part; "" under XC_SORT_RELEVANCE. *key is valid until the next call on
 * ms or its free. XC_ERR_INVALID_ARG for an index out of range. */
int xc_mset_sort_key(xc_mset *ms, uint32_t i, const char **key, size_t *len);

#ifdef __cplusplus
}
#endif

#endif /* SOCASMA_XAPIAN_C_H */
