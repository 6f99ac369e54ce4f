/* writer.h: the daemon's one writer thread (internal to src/server): the
 * live index's `put` and `delete` requests (doc/PROTOCOL.md, version 2),
 * who may send them, and their group commit under the database's write
 * lock. Its declarations have hidden visibility (the pragma below);
 * server.h is the module's public header.
 *
 * THE WRITER
 *   One thread, fed by a bounded queue. It checks each request as it
 *   arrives (srch_write_from_json(): a bad one is answered at once), then
 *   applies the good ones with store/'s live run (store_begin_live,
 *   store_put, store_delete, store_commit: the indexer's own code). Writes
 *   that arrive while it works join the open run until none waits or
 *   commit_interval has passed since the run began: then one commit for
 *   all (group commit). A group smaller than the largest of the last few
 *   waits for company while writes keep coming (3 ms apart at most, within
 *   commit_interval): clients putting one post at a time come back as soon
 *   as they are answered. Each answer is sent only after that commit, once
 *   srv_writer_generation() has moved, so that a worker's engine reopens
 *   the database before its next search (srch_engine_sync()). A search
 *   that meets a commit (Xapian may reuse the blocks of the revision it
 *   reads from the commit after it on) is tried again, and protected:
 *   before a run writes anything, the protected searches begun before the
 *   last commit are let finish, and before a fold all of them
 *   (srv_writer_read_begin/_protect/_end).
 *
 *   The live delta (store.h, LIVE DELTA) is folded into the main database
 *   on a thread of its own (after fold_posts documents, fold_ms after the
 *   first) while the groups go on into the delta; they wait for a fold
 *   only when the delta holds 4 times fold_posts. The fold in progress is
 *   ended and the rest folded before the lock is let go and before the
 *   daemon stops.
 *
 *   The write lock is taken when there is work and let go after lock_idle
 *   without a write. While another writer (socasma-index) holds it, the
 *   writer tries again every few tens of milliseconds; a write waiting
 *   longer than write_timeout is answered "busy", nothing of it applied.
 *   A database error fails the whole run: every write of it is answered
 *   "unavailable" (none applied) and the database is opened again for the
 *   next one.
 *
 * A REPLICA (primary = set) takes no write: each is answered "forbidden"
 *   naming the primary, so the thread never opens the database (which
 *   xapian-replicate keeps). A reload that removes primary (a replica
 *   promoted) lets writes in from then on, and one that sets it stops them.
 *
 * THREADS: srv_writer_start(), _submit(), _configure(), _stop() and the
 * on_done callback run on the loop's thread; srv_writer_generation() on
 * any thread.
 */
#ifndef SOCASMA_SERVER_WRITER_H
#define SOCASMA_SERVER_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "conf/conf.h"
#include "search/search.h"

#pragma GCC visibility push(hidden)

typedef struct srv_writer srv_writer;

/* One write request. The caller fills req (taken: freed by the writer
 * after on_done), arg and seq (its own); the writer fills the rest before
 * on_done, which then owns the job (free it with srv_wjob_free). */
typedef struct srv_wjob srv_wjob;
struct srv_wjob {
    srv_wjob *next;
    json_t *req;
    void *arg;
    uint64_t seq;
    uint64_t enqueued_ns;
    uint64_t answered_ns; /* when the writer handed the answer to the loop */
    srch_write *write;   /* the checked request (writer's) */
    /* the result */
    char *text;          /* the answer line with its '\n' (taken by the caller) */
    size_t len;
    int status;          /* SRCH_OK or the error */
    char note[160];      /* for the access log: counts, never content or token */
};
void srv_wjob_free(srv_wjob *j);

/* Starts the writer for cfg (its database, write mode, token file, group
 * commit and lock settings; cfg is read during the call only). The token
 * file of write = token is read here: missing, empty, or readable by
 * others (mode o+r) refuses to start (-1, message in err). on_done runs on
 * the loop for each job answered; on_log (may be NULL) on the loop for each
 * message of the writer (error 1: a failure it survives, such as a fold
 * that failed; 0: a notice, such as a journal applied after an unclean
 * stop; msg valid during the call), the first ones during this call. */
int srv_writer_start(srv_writer **out, uv_loop_t *loop, const cfg_config *cfg,
                     void (*on_done)(srv_wjob *job, void *arg),
                     void (*on_log)(int error, const char *msg, void *arg), void *arg,
                     char *err, size_t errlen);

/* New settings after a reload (SIGHUP): write mode and token, group commit,
 * lock, timeout, bounds. The database stays. -1 with err (the old settings
 * stay) when the token file is refused. */
int srv_writer_configure(srv_writer *w, const cfg_config *cfg, char *err, size_t errlen);

/* May this connection write? SRCH_OK, or SRCH_ERR_FORBIDDEN with msg: on
 * a replica (primary = set) nobody, the message naming the primary;
 * else the write mode (socket: the Unix socket only; token: also TCP with
 * the request's "token" equal to the file's; none: nobody). */
int srv_writer_allowed(const srv_writer *w, int over_tcp, const json_t *req, char *msg,
                       size_t len);

/* The longest request line a connection may send: max_write_line when it
 * may write (see srv_writer_allowed, before the token), else max_line. */
size_t srv_writer_line_max(const cfg_config *cfg, int over_tcp);

/* Queues a job; -1 when the queue (the config's queue) is full or the
 * writer is stopping (answer "overloaded"). */
int srv_writer_submit(srv_writer *w, srv_wjob *job);

/* How many commits the writer has made: moves before each answer of a
 * committed write is handed back. Any thread. */
uint64_t srv_writer_generation(const srv_writer *w);

/* A search of this daemon (any engine op) begins and ends. The writer's
 * commits into the live delta do not wait for searches: one that meets a
 * commit (Xapian's DatabaseModifiedError: the revision it read was
 * overwritten) is tried again by the engine on the new revision, and
 * srv_writer_read_protect() (the engine's retry hook) makes the writer let
 * that try finish before the commit after next. A commit of the main
 * database (a fold) waits for every search begun before the last commit.
 * read_begin fills r (r->gen: the generation to give srch_engine_sync());
 * read_end takes the same r. Any thread; NULL w is a no-op (gen 0). */
typedef struct {
    uint64_t gen;
    int slot;
} srv_read;
void srv_writer_read_begin(srv_writer *w, srv_read *r);
void srv_writer_read_protect(srv_writer *w, srv_read *r);
void srv_writer_read_end(srv_writer *w, srv_read *r);

/* A replica's primary (the config's primary, as written there), or NULL
 * when this daemon takes writes. Owned by w, valid until the next
 * srv_writer_configure(). The loop's thread. */
const char *srv_writer_primary(const srv_writer *w);

/* Writes waiting or being applied. */
unsigned srv_writer_depth(srv_writer *w);

/* What the writer's commits cost, for the stats op (a new object, NULL when
 * out of memory): {"groups" (runs committed: one Xapian commit each, none
 * when nothing changed), "writes" (answered ok), "changes" (posts and ids
 * they named), "queue_depth", "delta_posts", "folds", "folded_posts",
 * "fold_failures", "ms": {"write": from a write's arrival to its commit,
 * "wait_searches": the wait for searches (the protected ones before a
 * group, all those older than the last commit before a fold), "apply":
 * analysing and adding a group's posts, "company": a group's wait for
 * writes on their way, "commit": Xapian's commit of a group with its
 * sync, "commit_cpu": the thread's processor time in it, "fold", "answer":
 * from the commit to the answer handed to the loop}}, each time as
 * {"p50","p99","max"} over the last SRV_LAT_SAMPLES groups (writes for
 * "write" and "answer", folds for "fold"). Any thread. */
json_t *srv_writer_stats(srv_writer *w);

/* Answers what is queued (applying it when the lock can be had at once,
 * else "busy"), joins the thread, releases the lock and frees w; the loop
 * closes its handle. NULL is a no-op. */
void srv_writer_stop(srv_writer *w);

#pragma GCC visibility pop

#endif /* SOCASMA_SERVER_WRITER_H */
