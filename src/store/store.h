/* store.h: the indexer's side of the database. Turns posts (imp_post) into
 * Xapian documents laid out as schema.h says, and applies runs of posts to
 * the database incrementally and atomically: a whole import read from files
 * (store_run(), what socasma-index does), or posts handed in one at a time
 * by a writer that got them elsewhere (store_put(), store_delete()). Both
 * hash, analyse and store a post with the same code.
 *
 * A RUN
 *   store_open()       takes the writer lock (STORE_ERR_LOCKED at once if
 *                      another writer holds it), reads every post's id and
 *                      content hash in one pass;
 *   store_begin()      starts a run: one Xapian transaction;
 *   store_put()        for each post: added, updated or unchanged (a post
 *                      whose content hash is in the database already is not
 *                      analysed nor rewritten); a duplicate id within the
 *                      run is STORE_ERR_RECORD;
 *   store_delete()     deletes one post by id;
 *   store_prune()      (optional) deletes the posts not seen in this run;
 *   store_commit()     commits the transaction: readers see the revision
 *                      before the run or the one after it, never a half
 *                      state; kill -9 before this leaves the previous one;
 *   store_cancel()     drops the whole run (the database is untouched);
 *   store_close().
 *   A store may run again after a commit or a cancel: it knows what its
 *   last commit wrote.
 *
 *   store_begin_live() starts a run for a live writer, whose posts arrive
 *   while the site changes: a post put twice in one run is not a duplicate,
 *   the later one wins (it is compared with the earlier one, so putting
 *   back what the run replaced is an update, and the same twice is
 *   unchanged). A writer that wants a batch all or nothing checks every
 *   post with store_check_post() before it puts any: after that only a
 *   database error can fail a put, and such an error fails the whole run.
 *
 * LIVE DELTA
 *   A live writer that commits small groups often (the daemon) opens the
 *   store with live_delta: its live runs then write into a small database
 *   at PATH/live (schema.h, SCH_DELTA_*) instead of the main one, whose
 *   synced commits cost what the small database's blocks cost, not the
 *   big one's. A post put there replaces the main database's copy for
 *   searchers (which open both, src/search/delta.c); a deleted post is a
 *   tombstone. store_fold() applies the delta to the main database (one
 *   commit) then empties it (a second commit): killed between the two, the
 *   next fold does the same again, with the same result. The delta's
 *   commits are not synced: each live run's writes are first appended to a
 *   journal beside it and synced (store-internal.h, THE JOURNAL), which
 *   store_commit() returns after. Every writable store_open() applies what
 *   such a journal holds to the main database first and throws the delta
 *   away (a daemon killed, or the machine stopped, leaves them to the next
 *   writer of the database, the daemon itself or socasma-index;
 *   store_notice() says what was applied), so a delta is never left beside
 *   a database whose lock nobody holds but after such a stop. store_close()
 *   of a store whose delta is empty syncs it and marks it clean: the next
 *   open keeps it. A delta without a journal
 *   (an older daemon's, synced) is folded as it is.
 *
 * THE LOCK, WAITED FOR
 *   Xapian's writer lock has no queue: a writer that keeps writing (the
 *   daemon's, under a stream of puts) would keep it from one that waits
 *   (socasma-index --wait, the nightly reindex) for as long as the stream
 *   lasts. So a waiter says it waits, store_wait_sign(), and the live
 *   writer, which asks store_lock_awaited() after each group and while
 *   idle, folds its delta and lets the lock go, and opens the database
 *   again only once nobody waits; its writes wait meanwhile (up to its
 *   write_timeout). The sign is a write lock on PATH/SCH_LOCK_WAIT (an
 *   open file description lock): the kernel drops it with the waiter's
 *   descriptor, so a killed waiter leaves no sign behind, and only a user
 *   who may write the file can make it.
 *
 * AN IMPORT: store_run()
 *   Does a whole run over a list of sources (files, or "-" for standard
 *   input, read through import.h): begin, every post put in input order,
 *   prune when asked and safe, commit (or cancel under strict). It uses
 *   threads of its own: a reader that hashes and analyses while the
 *   caller's thread writes; or, on a database that has never held a post (a
 *   first, full import), `jobs` builders that write chunks of consecutive
 *   posts into scratch databases beside it, merged in order and swapped in
 *   atomically (doc/INDEXING.md). Either way the database ends as one
 *   writer makes it, document ids included, and messages come in input
 *   order. What it has to say goes to a store_reporter, whose callbacks run
 *   in the caller's thread.
 *
 * THREADS
 *   A store belongs to one thread at a time. store_run() starts and joins
 *   its own threads before it returns.
 *
 * ERRORS
 *   Functions return STORE_OK (0) or a negative store_status; the message
 *   of the last failure is kept in the handle: store_errmsg(). A post
 *   rejected by store_put (STORE_ERR_RECORD) leaves the run usable; any
 *   other error leaves only store_cancel() and store_close(). Messages about
 *   a record start with "FILE:LINE: " when the post says where it came from;
 *   they quote ids and paths as they are (bytes included): escape them
 *   before printing to a terminal.
 *
 * OWNERSHIP
 *   Handles are freed by store_close (which accepts NULL). Posts passed in
 *   are borrowed (not freed, not kept). Strings returned are owned by the
 *   handle, valid until its next call.
 */
#ifndef SOCASMA_STORE_H
#define SOCASMA_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "import/import.h"
#include "xapian-c/xapian-c.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    STORE_OK = 0,
    STORE_ERR_INVALID = -1, /* NULL argument, or a call out of order */
    STORE_ERR_NOMEM = -2,
    STORE_ERR_LOCKED = -3,  /* another writer holds the database lock */
    STORE_ERR_DB = -4,      /* the database cannot be opened, created, read or written */
    STORE_ERR_RECORD = -5,  /* this post is rejected (no id, duplicate id in the run,
                               an id too long for a term); the run goes on.
                               From store_run(): records were rejected under
                               strict, and the run was cancelled */
    STORE_ERR_GLOSSARY = -6, /* the glossary file cannot be read or parsed */
    STORE_ERR_INPUT = -7    /* store_run(): a source cannot be opened or read at
                               all (missing, unreadable, out of memory in a
                               reader); the run was cancelled */
} store_status;

typedef struct {
    unsigned title_weight;     /* wdf of a title word (>= 1; 0 means 3) */
    const char *glossary_path; /* loaded into the synonym table by store_commit.
                                  NULL: the synonym table is kept as the
                                  database has it (an empty file empties it) */
    int read_only;             /* 1: open read-only, no lock, nothing written
                                  (--dry-run); store_commit() writes nothing */
    const char *shard;         /* "N/M": the database is shard N of M
                                  (socasma-index --shard): every commit also
                                  copies the spelling table and synonyms into
                                  the metadata (xc_db_export_tables) for
                                  remote readers, and records "N/M"
                                  (SCH_META_SHARD). NULL: not said (a
                                  database that has such copies keeps them
                                  up to date) */
    int live_delta;            /* 1: live runs (store_begin_live) write to the
                                  delta PATH/live (LIVE DELTA), created if
                                  absent; store_fold() applies it */
} store_options;

/* Opens (creating it and missing parent directories if absent, unless
 * read_only) the database at path and takes the writer lock, then loads the
 * (id -> content hash) pairs of every post. Removes what a killed parallel
 * build left beside it. Errors: STORE_ERR_LOCKED, STORE_ERR_DB (message in
 * err: "PATH: reason"), STORE_ERR_NOMEM. With read_only and no database at
 * path, the store is empty (every post is new). On success *out is freed
 * with store_close(). */
typedef struct store store;
int store_open(const char *path, const store_options *opt, store **out, char *err,
               size_t errlen);

/* THE LOCK, WAITED FOR: says that the caller waits for the database lock
 * at path (a directory that exists): a descriptor that holds the sign
 * until store_wait_unsign(), or -1 (errno set) when it cannot be made: the
 * file cannot be created or written, or another waiter signs already
 * (EAGAIN: one sign is enough; try again, it may be gone). Creates the
 * file if absent. */
int store_wait_sign(const char *path);

/* Takes the sign back (closes fd); -1 is accepted and does nothing. */
void store_wait_unsign(int fd);

/* 1 when a writer waits for the lock of the database at path (a sign is
 * held), else 0 (also when the file is absent or cannot be opened). A
 * few system calls; never blocks. */
int store_lock_awaited(const char *path);

/* Cancels a run still open (the database keeps its last committed revision),
 * releases the lock, frees. Accepts NULL. */
void store_close(store *s);

/* The message of the handle's last failure ("" if none). Never NULL. */
const char *store_errmsg(const store *s);

/* What store_open repaired, for the operator's log ("" if nothing): the
 * writes of a live writer's journal applied again after it stopped
 * without folding them, and a torn record dropped. Never NULL. */
const char *store_notice(const store *s);

/* 1 when a writable store_open of path would have something of a live
 * writer's journal to apply (a daemon killed, or the machine stopped,
 * before its delta was folded): the daemon's writer then opens the store
 * at once. Reads the directory only; any thread. */
int store_recovery_pending(const char *path);

/* Starts a run (one transaction). STORE_ERR_INVALID if one is open. */
int store_begin(store *s);
/* The same for a live writer: an id put again in the run replaces the
 * earlier put (see above) instead of being rejected. */
int store_begin_live(store *s);

/* What store_put did with a post. */
typedef enum { STORE_ADDED = 1, STORE_UPDATED = 2, STORE_UNCHANGED = 3 } store_outcome;

/* Counters of the current run (zeroed by store_begin). */
typedef struct {
    uint64_t added, updated, unchanged, deleted, rejected;
} store_counts;
void store_get_counts(const store *s, store_counts *c);

/* The id checks of store_put(): STORE_ERR_RECORD, with a message in err
 * ("FILE:LINE: ..." when the post has a source), for a post without id or
 * with an id too long for a term; else STORE_OK. Touches no store. */
int store_check_post(const imp_post *post, char *err, size_t errlen);

/* Indexes one post (borrowed). *outcome (may be NULL) says what was done.
 * STORE_ERR_RECORD: rejected (counted), message in store_errmsg(); the run
 * goes on. Other errors: see ERRORS. */
int store_put(store *s, const imp_post *post, store_outcome *outcome);

/* Deletes the post with this id, if the database (as this run left it so
 * far) holds one: *found (may be NULL) gets 1 and it counts as deleted;
 * else *found gets 0 and nothing happens. The id counts as named by the
 * run (store_prune keeps away from it). STORE_ERR_RECORD for an empty or
 * too long id. */
int store_delete(store *s, const char *id, int *found);

/* Deletes every post of the database that no store_put of this run named
 * (rejected duplicates count as named: a bad record never deletes its
 * post). *deleted (may be NULL) gets the count. */
int store_prune(store *s, uint64_t *deleted);

/* Loads the glossary (when one is configured) into the synonym table,
 * records the schema version and the time, commits the run. A run that
 * changes nothing (no post written or deleted, same glossary, same schema)
 * writes no revision. STORE_ERR_GLOSSARY, STORE_ERR_DB; on error the run
 * is cancelled. */
int store_commit(store *s);
/* Cancels the run: nothing of it is written. */
int store_cancel(store *s);

/* 1 if the last store_commit() loaded a glossary whose content differs
 * from the one the database had (or, read-only, would have), else 0. The
 * synonyms are looked up when searching, so no post is rewritten for it:
 * the new synonyms find the posts from that commit on. */
int store_glossary_changed(const store *s);

/* The database's revision (what its last commit wrote; 0 without a
 * database). STORE_ERR_DB. */
int store_revision(store *s, uint64_t *revision);

/* LIVE DELTA: applies what the delta holds to the main database and
 * empties it (two commits), outside a run. Nothing to do without a delta
 * or with an empty one. STORE_ERR_DB (the delta is kept: fold again),
 * STORE_ERR_INVALID (a run is open). */
int store_fold(store *s);

/* The same fold in three steps, so that the writes go on into the delta
 * while the main database is written (the daemon's writer folds on a
 * thread of its own):
 *   store_fold_begin()  on the store's thread, outside a run: the ids the
 *                       delta holds now are the fold's; *out NULL when the
 *                       delta is empty (nothing to do). From then until
 *                       store_fold_end() the main database belongs to the
 *                       fold: the store's thread may run live runs (into
 *                       the delta) and nothing else but store_delta_size,
 *                       store_revision and store_fold_busy;
 *   store_fold_run()    on any one thread: those ids' delta documents
 *                       (read through a handle of its own, again after a
 *                       commit of the delta overwrote the revision read)
 *                       into the main database, one synced commit;
 *   store_fold_end()    on the store's thread, outside a run, once
 *                       store_fold_run() returned: the folded documents
 *                       taken out of the delta (one commit), except those
 *                       put or deleted again since store_fold_begin (the
 *                       next fold applies their newer copy); frees f.
 *                       Returns the fold's status (STORE_ERR_DB: the
 *                       delta is kept, fold again) or the removal's.
 *                       After a failed fold the main database's handle
 *                       is opened again (not written through after its
 *                       cancelled transaction: delta.c, reopen_main); if that
 *                       fails the store is lost, and its next run or
 *                       fold fails with STORE_ERR_LOCKED: close it and
 *                       open it again (which applies the journal).
 * Killed at any point, the next fold (every writable store_open's) applies
 * what the delta holds again, to the same result. */
typedef struct store_folding store_folding;
int store_fold_begin(store *s, store_folding **out);
int store_fold_run(store_folding *f);
int store_fold_end(store *s, store_folding *f);
/* 1 between store_fold_begin and store_fold_end. */
int store_fold_busy(const store *s);
/* The number of documents (puts and tombstones) the delta holds as last
 * committed (0 without a delta). */
int store_delta_size(const store *s, uint32_t *docs);

/* Number of posts in the database, as last committed or in the open run. */
int store_doccount(store *s, uint32_t *count);

/* ---- an import: store_run ------------------------------------------------ */

/* Where a run stands: records read (posts and rejected records), and bytes
 * of the sources read so far out of their total (0 when unknown: a pipe). */
typedef struct {
    uint64_t read;
    uint64_t bytes_done, bytes_total;
    int final; /* 1 on the last call, when reading is over */
} store_progress;

/* What a run reports, in its caller's thread. Any callback may be NULL.
 * Messages are borrowed for the call. */
typedef struct {
    /* About every 256 records, and once at the end with final set. */
    void (*progress)(void *ctx, const store_progress *p);
    /* A record rejected ("FILE:LINE: reason"); the run goes on. */
    void (*rejected)(void *ctx, const char *msg);
    /* A source that stopped before its end ("FILE[:LINE]: reason": XML
     * not well-formed, truncated gzip, a read error); the next source is
     * read; nothing will be pruned. Counted as one rejected record. */
    void (*source_failed)(void *ctx, const char *msg);
    /* The error that ends the run (it is cancelled): also store_errmsg(). */
    void (*fatal)(void *ctx, const char *msg);
} store_reporter;

typedef struct {
    const char *const *sources; /* paths, "-" for standard input (borrowed) */
    size_t nsources;
    imp_format format;
    unsigned jobs;        /* builder threads for a new database, 1..16
                             (0: 1); 1 builds it with one writer */
    uint64_t chunk_bytes; /* input bytes per chunk of a parallel build;
                             0: a sixteenth of the input, from 512 kB to
                             4 MB (4 MB when the size is unknown), larger
                             past 256 chunks (an input over 1 GB) */
    unsigned chunk_posts; /* and at most this many posts per chunk (the
                             first 256 chunks); 0: Xapian's flush threshold
                             (the environment's XAPIAN_FLUSH_THRESHOLD,
                             else 10,000), so that a chunk is written out
                             once */
    int prune;            /* delete the posts that no source holds, unless a
                             record could not be read or a source stopped
                             early (prune_skipped) */
    int strict;           /* any rejected record cancels the run */
    size_t max_post_bytes; /* a longer record is rejected (imp_options);
                              0: IMP_MAX_POST_BYTES_DEFAULT */
    uint32_t shard_index, shard_count; /* with a count of 2 or more, only the
                              posts whose id store_shard_of() puts in shard
                              shard_index (0-based) are read; the others are
                              skipped (not written, not pruned) */
} store_run_options;

/* Where a run's time went (store_run_result.timings): wall-clock seconds
 * of its phases, and CPU seconds of each kind of work, summed over the
 * run's threads (CLOCK_THREAD_CPUTIME_ID). For benchmarks and operators
 * (socasma-index --timings); measuring costs a few clock reads a post. */
typedef struct {
    double wall_build;  /* reading the sources and writing every post (the
                           parallel build: until every chunk is written) */
    double wall_merge;  /* the parallel build: compacting the chunks */
    double wall_commit; /* the commit after that (one writer: the
                           transaction's commit and its last flush; the
                           parallel build: glossary, metadata, the swap) */
    double cpu_read;    /* reading and parsing the sources */
    double cpu_analyse; /* hashing, analysing, building the documents */
    double cpu_add;     /* Xapian adding the documents, with the flushes
                           it makes on its own (XAPIAN_FLUSH_THRESHOLD) */
    double cpu_flush;   /* the parallel build: committing each chunk */
    double cpu_merge;   /* the parallel build: compaction */
} store_timings;

typedef struct {
    uint64_t read;          /* records read: posts and rejected records */
    store_counts counts;    /* rejected: every rejected record, of any kind */
    uint64_t unreadable;    /* rejected before their id was known (not
                               parsed, no id, id too long) */
    unsigned source_errors; /* sources that stopped before their end */
    int prune_skipped;      /* prune was asked and not done, for the two
                               reasons above */
    int glossary_changed;   /* as store_glossary_changed() */
    int committed;          /* a new revision was written */
    store_timings timings;
} store_run_result;

/* One whole run over the sources (see AN IMPORT above), on an open store
 * with no run open. Returns STORE_OK (committed, or nothing to write, or a
 * dry run), or an error after which the run was cancelled and the database
 * is as it was: STORE_ERR_RECORD (strict and records rejected),
 * STORE_ERR_INPUT, STORE_ERR_DB, STORE_ERR_NOMEM, STORE_ERR_GLOSSARY,
 * STORE_ERR_INVALID. On every path *res (may be NULL) is filled and the
 * run's scratch files are removed. r (may be NULL) and ctx are the
 * reporter and its argument. */
int store_run(store *s, const store_run_options *o, const store_reporter *r, void *ctx,
              store_run_result *res);

/* ---- tools ---------------------------------------------------------------- */

/* The shard (0 .. count-1) of the post with this id among count shards:
 * the FNV-1a 64-bit hash of the id's bytes, modulo count (0 when count is
 * 0). Stable: the same id always goes to the same shard of count. */
uint32_t store_shard_of(const char *id, size_t len, uint32_t count);

/* The content hash of a post as stored in SCH_SLOT_HASH (16 hex digits +
 * NUL) for the given title weight. */
void store_post_hash(const imp_post *post, unsigned title_weight, char out[17]);

/* Loads a glossary into db's synonym table (clearing it first): every entry
 * of a group, txt_normalise()d (words joined by one space), gets every other
 * entry of its group as a synonym. NULL path just clears. Used by
 * store_commit; exported for tests and tools. */
int store_load_glossary(xc_db *db, const char *path, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* SOCASMA_STORE_H */
