/* store-internal.h: the structures and steps shared by the store's files
 * (not a public header; tests of the store include it too).
 *
 * A POST IN TWO STEPS (document.c, store.c)
 *   store_put() = store_prepare() + store_apply(). store_prepare() hashes
 *   and analyses a post into a ready document; in an import run it may run
 *   in another thread than the store's, concurrently with store_apply(),
 *   each thread with its own store_worker (an analyser: libstemmer is not
 *   thread-safe). It reads only what store_open and the last commit left
 *   (the old hashes); in a live run it also reads the run's own changes,
 *   so it must run in the store's thread there. store_apply() writes it, in
 *   the store's thread.
 *
 * A NEW DATABASE BUILT IN PARALLEL (build.c; run-build.c drives it)
 *   When the database has never held a document (a first, full import),
 *   every post is new and a run may build it with n threads at once
 *   instead of one transaction on the database. The input is cut into
 *   chunks of consecutive posts, numbered from 0; each chunk is written by
 *   one builder into its own scratch database, and the chunks are merged in
 *   their order, so that the posts keep the document ids one writer gives
 *   them (ties in relevance are broken by document id).
 *   store_build_begin() prepares n builders and the directory
 *   PATH.socasma-build beside the database; the store's thread reads the
 *   posts and store_claim()s each one (id checks, duplicates: the first one
 *   is kept), then hands it to a builder's thread, which opens each chunk
 *   it is given with store_builder_chunk(), store_builder_put()s its posts
 *   and finally store_builder_finish()es. store_commit() then compacts the
 *   chunks in order into one new database (Xapian's compaction), writes the
 *   glossary and the metadata into it and swaps it with the (empty)
 *   database atomically (rename with RENAME_EXCHANGE). The writer lock on
 *   PATH is held by the store the whole time; store_cancel() /
 *   store_close() remove the build directory.
 */
#ifndef SOCASMA_STORE_INTERNAL_H
#define SOCASMA_STORE_INTERNAL_H

#include "store/copies.h"
#include "store/idmap.h"
#include "store/store.h"
#include "store/termset.h"
#include "text/text.h"
#include "xapian-c/xapian-c.h"

typedef struct store_builder store_builder;
typedef struct store_worker store_worker;
typedef struct store_prepared store_prepared;

/* A growing byte buffer (journal.c). */
typedef struct {
    unsigned char *data;
    size_t len, cap;
} store_jbuf;
/* Appends n bytes of data: 0, or -1 when out of memory (b unchanged). */
int store_jbuf_add(store_jbuf *b, const void *data, size_t n);

struct store {
    xc_db *db;            /* NULL for a read-only store without a database */
    char *path;           /* the database's path, as given */
    int fresh;            /* the database has never held a document (last docid 0) */
    store_builder **builders; /* a parallel build in progress (build.c), else NULL */
    unsigned nbuilders;
    int reload_old;       /* s->old predates a parallel build: read it again */
    int db_lost;          /* after a parallel build, PATH could not be reopened */
    int read_only;
    unsigned title_weight;
    char *glossary_path;
    char *shard;             /* store_options.shard (NULL: none) */
    idmap old;            /* posts in the database at open or at the last
                             commit: id -> hash */
    idmap seen;           /* ids named in this run -> the hash the run gave
                             them ("" when deleted by the run) */
    idmap spell;          /* words for the spelling table, with counts */
    int in_run;
    int live;             /* the run was begun by store_begin_live */
    int pruned;           /* store_prune ran in this run */
    int failed;           /* a non-record error happened in this run */
    int glossary_changed; /* see store_glossary_changed */
    store_counts counts;
    store_worker *worker; /* for store_put */
    double merge_wall, merge_cpu; /* the last parallel build's compaction */
    xc_db *delta;         /* the live delta (PATH/live, delta.c), writable, or NULL */
    int use_delta;        /* store_options.live_delta: live runs write to delta */
    uint32_t delta_docs;  /* documents in the delta (committed) */
    uint64_t folds;       /* store_fold()s that wrote something */
    struct store_folding *folding; /* the fold begun and not ended, or NULL:
                             the main database is its own meanwhile */
    idmap fold_changed;   /* ids put or deleted in the delta since it began */
    int fold_changed_lost; /* out of memory recording one: nothing removed */
    store_copies copies;  /* THE FOLD'S COPIES, below */
    uint64_t main_rev;    /* the main database's revision, when known */
    int main_rev_known;
    /* The journal (journal.c), open when use_delta: */
    char *jdir;           /* PATH/live-journal */
    int jfd;              /* the segment appended to, or -1 */
    uint64_t jseg;        /* its number */
    uint64_t jsize;       /* its size (what was appended and synced) */
    uint64_t jlast_size;  /* its size before the last run's record */
    uint64_t jdrop_from;  /* the oldest segment not yet removed */
    store_jbuf jrun;      /* the open run's writes, as the record to append */
    uint64_t jrun_ops;
    char notice[1024];    /* what the open repaired (store_notice) */
    char err[1024];
};

/* One builder of a parallel build (build.c): it writes a series of
 * scratch databases, the chunks it is handed, one at a time. */
struct store_builder {
    const store *owner;   /* read only (title weight, ...), never written */
    char *dir;            /* the build directory */
    xc_db *db;            /* the chunk being written, or NULL */
    long chunk;           /* its index, -1 before the first */
    unsigned nchunks;     /* 1 + the highest chunk index written */
    int finished;
    idmap spell;          /* spelling words of all its chunks, with counts:
                             written into its last chunk */
    uint64_t added;
    double cpu_analyse, cpu_add, cpu_flush; /* CPU seconds (store_timings) */
    char err[1024];
};

struct store_worker {
    txt_analyser *an;
    store_termset terms; /* the document being built (document.c) */
    store_termset words; /* its characteristic words (document.c) */
    txt_buf record;      /* its record (document.c) */
};

/* A word for the spelling table, as it should be displayed. */
typedef struct {
    char *word;
    uint32_t count;
} store_spell;

struct store_prepared {
    char *id;
    char *where;          /* "FILE:LINE" of the record, or "" */
    char hash[17];
    int unchanged;        /* same hash as the database: doc is NULL */
    xc_doc *doc;
    size_t doc_bytes;     /* doc's memory, estimated (copies_estimate) */
    store_spell *spell;   /* one entry per occurrence, in the post's order
                             (not merged: the run sums them in a hash) */
    size_t nspell;
};

/* Seconds of the calling thread's CPU time, and of a monotonic clock, for
 * store_timings (run.c). */
double store_cpu_now(void);
double store_wall_now(void);

/* ---- document.c ---------------------------------------------------------- */

/* The store status of an xc status (store.c): NOMEM, LOCKED and INVALID
 * kept, every other failure STORE_ERR_DB. */
int store_from_xc(int rc);

int store_worker_new(store_worker **out);
void store_worker_free(store_worker *w);

/* Hashes post (borrowed) and, unless the database holds it with the same
 * hash, analyses it into a ready document (see A POST IN TWO STEPS).
 * STORE_ERR_RECORD for a post without id (message in err); STORE_ERR_NOMEM.
 * *out is freed by store_apply() or store_prepared_free(). */
int store_prepare(const store *s, store_worker *w, const imp_post *post, store_prepared **out,
                  char *err, size_t errlen);
void store_prepared_free(store_prepared *p);
/* 1 if id is not empty and short enough for the id terms. */
int store_id_fits(const char *id);

/* ---- store.c ------------------------------------------------------------- */

/* Writes a prepared post and frees it (always, even on error). */
int store_apply(store *s, store_prepared *p, store_outcome *outcome);

/* The duplicate check of store_apply(), done in the store's thread before a
 * post goes to a builder: STORE_ERR_RECORD (counted as rejected, message in
 * store_errmsg()) if this run named the post's id already (the first one
 * is kept), STORE_ERR_NOMEM. */
int store_claim(store *s, const imp_post *post);

/* The glossary into the synonym table (when one is configured), and the
 * run's metadata. */
int store_write_run_meta(store *s, xc_db *db);
/* (Re)reads every (id, hash) pair of s->db into s->old. */
int store_load_hashes(store *s);
/* The hash the database holds for id as this run left it so far (the
 * run's own changes count only in a live run); NULL if none. */
const char *store_current_hash(const store *s, const char *id);

/* ---- delta.c ------------------------------------------------------------- */

/* DIR/NAME, malloc'ed (NULL when out of memory). */
char *store_path_join(const char *dir, const char *name);
/* PATH/live (malloc'ed, NULL when out of memory). */
char *store_delta_path(const char *path);
/* Opens the delta at PATH/live into s->delta when it exists (or, with
 * create, always, creating it), and reads its size. */
int store_delta_open(store *s, int create);
/* Writes a prepared post into the delta (marker term, pending spelling
 * words) / a tombstone for id: xc statuses. */
int store_delta_put(store *s, const store_prepared *p);
int store_delta_tombstone(store *s, const char *id);
/* THE FOLD'S COPIES (copies.h)
 *   The documents that committed live runs put into the delta, kept in
 *   memory (at most STORE_COPIES_MAX_BYTES of them, as estimated from
 *   each document's terms, positions and text) until store_fold_begin hands the
 *   fold those of the posts it lists: store_fold_run then writes them into
 *   the main database as they are, and reads from the delta only the
 *   others (tombstones, and posts put before this store was opened or
 *   past the bound). A copy is exactly the delta's document of its post
 *   as last committed: store_apply and store_delete note each change of a
 *   live run, store_commit applies the notes once the delta's commit
 *   holds them, store_cancel (and a failed commit) drops them; closing
 *   the delta drops every copy. A medium post (1.2 KB of text) takes
 *   about 33 KB: the bound holds about 1,000 of them, and a post of a few
 *   megabytes is not kept (it is read from the delta). */
#define STORE_COPIES_MAX_BYTES (32u * 1024u * 1024u)

/* The main database's revision, read from it, or remembered during a fold
 * (which owns it) and after one. An xc status. */
int store_main_revision(store *s, uint64_t *rev);

/* ---- journal.c -----------------------------------------------------------
 * THE JOURNAL
 *   With live_delta, every live run's writes (the posts put, with their
 *   fields as given, that changed something; the ids deleted that were
 *   there) are one record of a segment file PATH/live-journal/N.seg,
 *   appended and fdatasync'ed by store_commit before the delta's commit,
 *   which is not synced (Xapian's DB_NO_SYNC): the delta is only a cache
 *   of the journal. A record is a magic number, a length and a CRC-32, so
 *   that a torn tail is recognised. store_fold_begin turns over to a new
 *   segment; store_fold_end removes the older ones once the fold's commit
 *   of the main database (synced) holds their writes. A writable
 *   store_open of a database with a journal directory throws the delta
 *   away and applies the segments left, in order, to the main database
 *   (one synced commit; a write applied twice gives the same result),
 *   then removes them; but a delta that a clean close synced and marked
 *   (live-journal/clean, no segment left) is kept. */

/* PATH/live-journal (malloc'ed, NULL when out of memory). */
char *store_journal_dir(const char *path);
/* 1 when PATH has a journal directory. */
int store_journal_exists(const char *path);
/* The recovery at a writable open (see THE JOURNAL), on a store whose
 * hashes are loaded, no run open, no delta open; its report in s->notice. */
int store_journal_recover(store *s);
/* Creates the directory if needed, opens a new segment for appending. */
int store_journal_open(store *s);
void store_journal_close(store *s);
/* The open run's writes, kept for its record. NOMEM. */
void store_journal_reset_run(store *s);
int store_journal_add_put(store *s, const imp_post *p);
int store_journal_add_delete(store *s, const char *id);
/* The run's record appended and synced (nothing when it has no write;
 * STORE_ERR_DB when it has and the journal is not open);
 * store_journal_undo() cuts it off again (the delta's commit failed). */
int store_journal_commit(store *s);
int store_journal_undo(store *s);
/* A new segment for the writes from now on; *upto gets the last one
 * before it (0: no journal). store_journal_drop() removes the segments
 * up to upto (inclusive) and syncs the directory. */
int store_journal_rotate(store *s, uint64_t *upto);
int store_journal_drop(store *s, uint64_t upto);
/* 1 when the only segment is the current one and it is empty. */
int store_journal_clean(store *s);
/* Closes and removes the current segment. */
int store_journal_remove_current(store *s);
/* At a clean close (delta folded, empty, closed; journal clean): the
 * delta's files synced, the current segment removed, and a mark written
 * (PATH/live-journal/clean) that lets the next open keep the delta. */
int store_journal_close_clean(store *s);

/* ---- build.c ------------------------------------------------------------- */

/* 1 if the open run may be built in parallel: a writable store whose
 * database has never held a document (its last docid is 0, so nothing can
 * be updated, left unchanged or pruned), an import run, nothing put yet,
 * no build begun. */
int store_can_build(const store *s);

/* Prepares n (1..16) builders and creates PATH.socasma-build (removing
 * what a killed run left there), in the store's thread, during a run.
 * Checks that the file system can swap two directories atomically:
 * STORE_ERR_DB with a message if not (the caller then indexes with one
 * writer). */
int store_build_begin(store *s, unsigned n);
/* The i-th builder (NULL out of range). */
store_builder *store_builder_at(store *s, unsigned i);

/* In the builder's thread only (one thread per builder, with its own
 * worker). store_builder_chunk() closes the builder's current chunk, if
 * any, and starts chunk number index (each index given to exactly one
 * builder; every index from 0 to the highest must be used).
 * store_builder_put() analyses a claimed post (borrowed) and adds it to the
 * current chunk. store_builder_finish() closes the last chunk, after the
 * builder's last post. Errors: STORE_ERR_NOMEM, STORE_ERR_DB (message in
 * store_builder_errmsg()), STORE_ERR_INVALID (no chunk open). */
int store_builder_chunk(store_builder *b, unsigned index);
int store_builder_put(store_builder *b, store_worker *w, const imp_post *post);
int store_builder_finish(store_builder *b);
const char *store_builder_errmsg(const store_builder *b);

/* For store.c: the build directory beside the database (PATH.socasma-build),
 * removed with everything in it; the end of a build (discarded, or merged
 * and swapped in). */
char *store_build_dir(const char *path);
int store_remove_tree(const char *dir);
void store_build_discard(store *s);
int store_build_commit(store *s);

#endif
