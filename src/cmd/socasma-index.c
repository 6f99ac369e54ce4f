/* socasma-index.c: the indexer program. Reads the sources (JSON Lines or
 * WordPress exports, plain or gzip, or standard input) and applies them to
 * the database in one run of the store: one transaction, so readers see the
 * revision before or after it and kill -9 leaves the last committed one.
 *
 * Two threads: a producer reads posts and prepares documents (hash check,
 * analysis) into a bounded queue; the main thread writes them to Xapian.
 * A new database (a first, full import) is instead built in shards, one
 * thread each, while the main thread reads: see run_sharded().
 * Exit codes: 0 done, 1 records rejected under --strict (nothing committed),
 * 2 usage, 3 database locked by another writer, 4 input or database error
 * (database untouched).
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conf/conf.h"
#include "import/import.h"
#include "store/store.h"

enum { EXIT_DONE = 0, EXIT_REJECTED = 1, EXIT_USAGE = 2, EXIT_LOCKED = 3, EXIT_ERROR = 4 };

static void usage(FILE *f)
{
    fputs("Usage: socasma-index [OPTION]... SOURCE...\n"
          "Import posts (JSON Lines or WordPress export, plain or .gz) into the search\n"
          "database, incrementally (unchanged posts are not rewritten) and atomically\n"
          "(one transaction per run).\n"
          "SOURCE is a file, a directory (its *.jsonl, *.xml and their .gz, in name\n"
          "order) or - for standard input.\n\n"
          "  --config FILE   configuration file (default: see below)\n"
          "  --db DIR        database (default: the config's, else index/socasma.db)\n"
          "  --format F      auto (default), jsonl or wxr\n"
          "  --prune         delete the posts that are in none of the sources\n"
          "  --strict        commit nothing if any record is rejected\n"
          "  --dry-run       read and analyse, report, write nothing\n"
          "  --shards N      build a new database in N shards at once, then merge\n"
          "                  them (default 2; 1: one writer)\n"
          "  --json          print the summary as one JSON object\n"
          "  --quiet         no progress line and no text summary\n"
          "  --help          this help;  --version  the version\n\n"
          "Exit status:\n"
          "  0  done\n"
          "  1  records rejected under --strict (nothing committed)\n"
          "  2  usage error\n"
          "  3  the database is locked by another indexer\n"
          "  4  input or database error (database untouched)\n",
          f);
    fprintf(f, "\nConfig file: --config FILE, else $SOCASMA_CONFIG, else when it exists\n"
               "  %s\nelse none (built-in defaults).\n",
            cfg_installed_path());
}

/* ---- the producer: read and prepare -------------------------------------- */

typedef enum { IT_POST, IT_RECORD_ERR, IT_FATAL_ERR, IT_OPEN_ERR, IT_NOMEM } item_kind;

typedef struct item {
    item_kind kind;
    store_prepared *prep;
    char *msg;
    uint64_t done, total; /* progress over all sources */
    struct item *next;
} item;

#define QUEUE_MAX 256

typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t nonempty, nonfull;
    item *head, *tail;
    size_t n;
    int finished; /* the producer has ended */
    int stop;     /* the consumer asks the producer to stop */

    /* Producer's inputs. */
    const store *st;
    char **paths;
    size_t npaths;
    imp_format format;
    uint64_t total; /* sum of the sources' sizes (0 if unknown) */
} queue;

static int push(queue *q, item *it)
{
    pthread_mutex_lock(&q->mu);
    while (q->n >= QUEUE_MAX && !q->stop)
        pthread_cond_wait(&q->nonfull, &q->mu);
    int stop = q->stop;
    if (!stop) {
        it->next = NULL;
        if (q->tail)
            q->tail->next = it;
        else
            q->head = it;
        q->tail = it;
        q->n++;
        pthread_cond_signal(&q->nonempty);
    }
    pthread_mutex_unlock(&q->mu);
    if (stop) {
        store_prepared_free(it->prep);
        free(it->msg);
        free(it);
    }
    return stop ? -1 : 0;
}

/* NULL when the producer has finished and the queue is empty. */
static item *pop(queue *q)
{
    pthread_mutex_lock(&q->mu);
    while (!q->head && !q->finished)
        pthread_cond_wait(&q->nonempty, &q->mu);
    item *it = q->head;
    if (it) {
        q->head = it->next;
        if (!q->head)
            q->tail = NULL;
        q->n--;
        pthread_cond_signal(&q->nonfull);
    }
    pthread_mutex_unlock(&q->mu);
    return it;
}

static int push_msg(queue *q, item_kind kind, const char *msg, uint64_t done)
{
    item *it = calloc(1, sizeof *it);
    if (!it)
        return -1;
    it->kind = kind;
    it->msg = msg ? strdup(msg) : NULL;
    it->done = done;
    it->total = q->total;
    return push(q, it);
}

static void *producer(void *arg)
{
    queue *q = arg;
    store_worker *w = NULL;
    char err[1024];
    uint64_t base = 0;
    if (store_worker_new(&w) != STORE_OK) {
        push_msg(q, IT_NOMEM, "out of memory", 0);
        goto out;
    }
    for (size_t i = 0; i < q->npaths; i++) {
        imp_reader *r = NULL;
        err[0] = '\0';
        int orc = imp_open(q->paths[i], q->format, &r, err, sizeof err);
        if (orc == IMP_ERR_FATAL || orc == IMP_ERR_RECORD) {
            /* Readable but bad from the start (an XML error in the header):
             * a rejected record, like a later XML error. */
            if (push_msg(q, IT_FATAL_ERR, err[0] ? err : q->paths[i], base) != 0)
                goto out;
            continue;
        }
        if (orc != IMP_OK) {
            push_msg(q, IT_OPEN_ERR, err[0] ? err : q->paths[i], base);
            goto out;
        }
        uint64_t done = 0, total = 0;
        for (;;) {
            imp_post *post = NULL;
            err[0] = '\0';
            int rc = imp_next(r, &post, err, sizeof err);
            imp_progress(r, &done, &total);
            if (rc == IMP_DONE)
                break;
            if (rc == IMP_ERR_RECORD || rc == IMP_ERR_FATAL) {
                if (push_msg(q, rc == IMP_ERR_RECORD ? IT_RECORD_ERR : IT_FATAL_ERR, err,
                             base + done) != 0) {
                    imp_close(r);
                    goto out;
                }
                if (rc == IMP_ERR_FATAL)
                    break;
                continue;
            }
            if (rc != IMP_OK) {
                push_msg(q, IT_NOMEM, err[0] ? err : "out of memory", base + done);
                imp_close(r);
                goto out;
            }
            item *it = calloc(1, sizeof *it);
            if (!it) {
                imp_post_free(post);
                imp_close(r);
                push_msg(q, IT_NOMEM, "out of memory", 0);
                goto out;
            }
            err[0] = '\0';
            int prc = store_prepare(q->st, w, post, &it->prep, err, sizeof err);
            imp_post_free(post);
            it->kind = prc == STORE_OK ? IT_POST : prc == STORE_ERR_RECORD ? IT_RECORD_ERR : IT_NOMEM;
            if (prc != STORE_OK)
                it->msg = strdup(err[0] ? err : "out of memory");
            it->done = base + done;
            it->total = q->total;
            if (push(q, it) != 0) {
                imp_close(r);
                goto out;
            }
        }
        imp_close(r);
        base += total ? total : done;
    }
out:
    store_worker_free(w);
    pthread_mutex_lock(&q->mu);
    q->finished = 1;
    pthread_cond_broadcast(&q->nonempty);
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

/* ---- a new database in shards ---------------------------------------------- */

/* A post waiting for a builder thread, with the chunk it belongs to. */
typedef struct job_post {
    imp_post *post;
    unsigned chunk;
    size_t bytes; /* its share of the input, for the queue's bound */
    struct job_post *next;
} job_post;

/* One builder thread and the posts waiting for it. The queue holds up to
 * one and a half chunks' worth of input, so that the reader can fill the
 * next builder's chunk while this one still works on its own. */
typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t nonempty, nonfull;
    job_post *head, *tail;
    size_t bytes, max_bytes;
    int finished; /* the main thread has no more posts for it */
    int stop;     /* the run is abandoned: drop everything */
    int failed;   /* the builder failed: msg says why */
    char msg[1024];
    store_shard *sh;
    pthread_t th;
} shard_job;

static void *shard_thread(void *arg)
{
    shard_job *j = arg;
    store_worker *w = NULL;
    int failed = 0;
    long chunk = -1;
    char msg[sizeof j->msg] = "";
    if (store_worker_new(&w) != STORE_OK) {
        failed = 1;
        snprintf(msg, sizeof msg, "out of memory");
    }
    while (!failed) {
        pthread_mutex_lock(&j->mu);
        while (!j->head && !j->finished && !j->stop)
            pthread_cond_wait(&j->nonempty, &j->mu);
        job_post *jp = NULL;
        if (j->head && !j->stop) {
            jp = j->head;
            j->head = jp->next;
            if (!j->head)
                j->tail = NULL;
            j->bytes -= jp->bytes;
            pthread_cond_signal(&j->nonfull);
        }
        pthread_mutex_unlock(&j->mu);
        if (!jp)
            break;
        if ((long)jp->chunk != chunk) {
            chunk = jp->chunk;
            if (store_shard_chunk(j->sh, jp->chunk) != STORE_OK)
                failed = 1;
        }
        if (!failed && store_shard_put(j->sh, w, jp->post) != STORE_OK)
            failed = 1;
        if (failed)
            snprintf(msg, sizeof msg, "%s", store_shard_errmsg(j->sh));
        imp_post_free(jp->post);
        free(jp);
    }
    pthread_mutex_lock(&j->mu);
    int stop = j->stop;
    pthread_mutex_unlock(&j->mu);
    if (!failed && !stop && store_shard_finish(j->sh) != STORE_OK) {
        failed = 1;
        snprintf(msg, sizeof msg, "%s", store_shard_errmsg(j->sh));
    }
    store_worker_free(w);
    pthread_mutex_lock(&j->mu);
    if (failed) {
        j->failed = 1;
        memcpy(j->msg, msg, sizeof msg);
    }
    /* Unblock the main thread if it waits for room. */
    j->stop = j->stop || failed;
    pthread_cond_broadcast(&j->nonfull);
    pthread_mutex_unlock(&j->mu);
    return NULL;
}

/* Hands post (chunk, bytes) to j; -1 (post freed) if the builder has failed
 * or stopped, or out of memory. */
static int shard_push(shard_job *j, imp_post *post, unsigned chunk, size_t bytes)
{
    job_post *jp = malloc(sizeof *jp);
    if (!jp) {
        imp_post_free(post);
        return -1;
    }
    jp->post = post;
    jp->chunk = chunk;
    jp->bytes = bytes;
    jp->next = NULL;
    pthread_mutex_lock(&j->mu);
    while (j->head && j->bytes + bytes > j->max_bytes && !j->stop)
        pthread_cond_wait(&j->nonfull, &j->mu);
    int stop = j->stop;
    if (!stop) {
        if (j->tail)
            j->tail->next = jp;
        else
            j->head = jp;
        j->tail = jp;
        j->bytes += bytes;
        pthread_cond_signal(&j->nonempty);
    }
    pthread_mutex_unlock(&j->mu);
    if (stop) {
        imp_post_free(post);
        free(jp);
    }
    return stop ? -1 : 0;
}

static void shard_end(shard_job *j, int stop)
{
    pthread_mutex_lock(&j->mu);
    j->finished = 1;
    if (stop)
        j->stop = 1;
    pthread_cond_broadcast(&j->nonempty);
    pthread_cond_broadcast(&j->nonfull);
    pthread_mutex_unlock(&j->mu);
}

static double now_s(void);
static void progress(uint64_t nread, double t0, uint64_t done, uint64_t total, int final);

/* Input per chunk: the input is cut into about CHUNKS_PER_RUN chunks (when
 * its size is known), within these bounds. Each chunk costs a scratch
 * database, its own spelling words and a source in the final merge, so
 * not too small; the reader keeps up to one and a half chunks per builder
 * in memory, so not too large. */
#define CHUNKS_PER_RUN 16
#define CHUNK_MIN_BYTES (512u * 1024u)
#define CHUNK_MAX_BYTES (16u * 1024u * 1024u)
#define CHUNK_UNKNOWN_BYTES (8u * 1024u * 1024u)

/* The run on a new database with n builder threads: this thread reads the
 * sources, checks each post's id (so messages and duplicate decisions come
 * in input order, as with one writer), cuts the accepted posts into chunks
 * of consecutive posts and deals the chunks round-robin to the builders,
 * which analyse and write them. Returns 0 or an exit code (a fatal error,
 * already printed); *nread and *reader_rejected as the two-thread pipeline
 * counts them. */
static int run_sharded(store *st, unsigned n, const char *dbpath, char **paths, size_t npaths,
                       imp_format format, uint64_t total, int tty, double t0, uint64_t *nread,
                       uint64_t *reader_rejected)
{
    shard_job *jobs = calloc(n, sizeof *jobs);
    if (!jobs) {
        fputs("socasma-index: out of memory\n", stderr);
        return EXIT_ERROR;
    }
    unsigned started = 0;
    int fatal = 0;
    uint64_t chunk_bytes = total ? total / CHUNKS_PER_RUN : CHUNK_UNKNOWN_BYTES;
    if (chunk_bytes < CHUNK_MIN_BYTES)
        chunk_bytes = CHUNK_MIN_BYTES;
    if (chunk_bytes > CHUNK_MAX_BYTES)
        chunk_bytes = CHUNK_MAX_BYTES;
    const char *env = getenv("SOCASMA_INDEX_CHUNK_BYTES"); /* for benchmarks */
    if (env && atol(env) > 0)
        chunk_bytes = (uint64_t)atol(env);
    for (unsigned i = 0; i < n; i++) {
        pthread_mutex_init(&jobs[i].mu, NULL);
        pthread_cond_init(&jobs[i].nonempty, NULL);
        pthread_cond_init(&jobs[i].nonfull, NULL);
        jobs[i].sh = store_shard_at(st, i);
        jobs[i].max_bytes = chunk_bytes + chunk_bytes / 2;
    }
    for (unsigned i = 0; i < n && !fatal; i++) {
        if (pthread_create(&jobs[i].th, NULL, shard_thread, &jobs[i]) != 0) {
            fputs("socasma-index: cannot start a thread\n", stderr);
            fatal = EXIT_ERROR;
        } else {
            started++;
        }
    }
    char err[1024];
    uint64_t base = 0, pdone = 0, prev = 0, chunk_start = 0;
    double last = t0;
    unsigned chunk = 0, nposts_in_chunk = 0;
    for (size_t i = 0; i < npaths && !fatal; i++) {
        imp_reader *r = NULL;
        err[0] = '\0';
        int orc = imp_open(paths[i], format, &r, err, sizeof err);
        if (orc == IMP_ERR_FATAL || orc == IMP_ERR_RECORD) {
            (*nread)++;
            (*reader_rejected)++;
            fprintf(stderr, "%s\n", err[0] ? err : paths[i]);
            continue;
        }
        if (orc != IMP_OK) {
            fprintf(stderr, "socasma-index: %s\n", err[0] ? err : paths[i]);
            fatal = EXIT_ERROR;
            break;
        }
        uint64_t done = 0, size = 0;
        while (!fatal) {
            imp_post *post = NULL;
            err[0] = '\0';
            int rc = imp_next(r, &post, err, sizeof err);
            imp_progress(r, &done, &size);
            pdone = base + done;
            if (rc == IMP_DONE)
                break;
            if (rc == IMP_ERR_RECORD || rc == IMP_ERR_FATAL) {
                (*nread)++;
                (*reader_rejected)++;
                fprintf(stderr, "%s\n", err[0] ? err : "bad record");
                if (rc == IMP_ERR_FATAL)
                    break;
                continue;
            }
            if (rc != IMP_OK) {
                fprintf(stderr, "socasma-index: %s\n", err[0] ? err : "out of memory");
                fatal = EXIT_ERROR;
                break;
            }
            (*nread)++;
            if (store_check_post(post, err, sizeof err) != STORE_OK) {
                (*reader_rejected)++;
                fprintf(stderr, "%s\n", err);
                imp_post_free(post);
                continue;
            }
            int crc = store_claim(st, post);
            if (crc == STORE_ERR_RECORD) {
                fprintf(stderr, "%s\n", store_errmsg(st));
                imp_post_free(post);
                continue;
            }
            if (crc != STORE_OK) {
                fprintf(stderr, "socasma-index: %s: %s\n", dbpath, store_errmsg(st));
                imp_post_free(post);
                fatal = EXIT_ERROR;
                break;
            }
            /* A new chunk once this one holds its share of the input. */
            if (nposts_in_chunk > 0 && pdone - chunk_start >= chunk_bytes) {
                chunk++;
                nposts_in_chunk = 0;
                chunk_start = pdone;
            }
            /* The source name belongs to the reader, which may be closed
             * before a builder gets the post; a builder needs no FILE:LINE
             * (the record checks were made here). */
            post->source = NULL;
            size_t bytes = pdone > prev ? (size_t)(pdone - prev) : 1;
            prev = pdone;
            nposts_in_chunk++;
            if (shard_push(&jobs[chunk % n], post, chunk, bytes) != 0) {
                fatal = EXIT_ERROR; /* the builder's message is printed below */
                break;
            }
            if (tty && (*nread & 255) == 0) {
                double t = now_s();
                if (t - last >= 0.25) {
                    progress(*nread, t0, pdone, total, 0);
                    last = t;
                }
            }
        }
        imp_close(r);
        base += size ? size : done;
    }
    for (unsigned i = 0; i < started; i++)
        shard_end(&jobs[i], fatal);
    for (unsigned i = 0; i < started; i++)
        pthread_join(jobs[i].th, NULL);
    for (unsigned i = 0; i < n; i++) {
        if (jobs[i].failed) {
            fprintf(stderr, "socasma-index: %s: %s\n", dbpath, jobs[i].msg);
            fatal = EXIT_ERROR;
        }
        /* Posts left behind by a stopped builder. */
        for (job_post *jp = jobs[i].head, *nx; jp; jp = nx) {
            nx = jp->next;
            imp_post_free(jp->post);
            free(jp);
        }
        pthread_mutex_destroy(&jobs[i].mu);
        pthread_cond_destroy(&jobs[i].nonempty);
        pthread_cond_destroy(&jobs[i].nonfull);
    }
    free(jobs);
    if (tty)
        progress(*nread, t0, pdone, total, 1);
    return fatal;
}

/* ---- the main thread ------------------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress(uint64_t nread, double t0, uint64_t done, uint64_t total, int final)
{
    double el = now_s() - t0;
    double rate = el > 0 ? (double)nread / el : 0;
    if (total > 0 && done <= total) {
        double pct = 100.0 * (double)done / (double)total;
        double eta = done > 0 ? el * (double)(total - done) / (double)done : 0;
        fprintf(stderr, "\r%llu posts, %.0f posts/s, %.1f%%, ETA %.0f s   ",
                (unsigned long long)nread, rate, pct, eta);
    } else {
        fprintf(stderr, "\r%llu posts, %.0f posts/s   ", (unsigned long long)nread, rate);
    }
    if (final)
        fputc('\n', stderr);
    fflush(stderr);
}

/* The run with one writer: a producer thread reads and prepares, this
 * thread writes. Returns 0, an exit code (a fatal error, printed), or -1 if
 * no thread could start. */
static int run_pipeline(store *st, const char *dbpath, char **paths, size_t npaths,
                        imp_format format, uint64_t total, int tty, double t0,
                        uint64_t *nread_out, uint64_t *rejected_out)
{
    double last = t0;
    queue q;
    memset(&q, 0, sizeof q);
    pthread_mutex_init(&q.mu, NULL);
    pthread_cond_init(&q.nonempty, NULL);
    pthread_cond_init(&q.nonfull, NULL);
    q.st = st;
    q.paths = paths;
    q.npaths = npaths;
    q.format = (imp_format)format;
    q.total = total;
    pthread_t th;
    if (pthread_create(&th, NULL, producer, &q) != 0) {
        fputs("socasma-index: cannot start a thread\n", stderr);
        pthread_mutex_destroy(&q.mu);
        pthread_cond_destroy(&q.nonempty);
        pthread_cond_destroy(&q.nonfull);
        return -1;
    }

    uint64_t nread = 0, reader_rejected = 0;
    int fatal = 0;
    item *it;
    uint64_t pdone = 0, ptotal = 0;
    while ((it = pop(&q)) != NULL) {
        pdone = it->done;
        ptotal = it->total;
        switch (it->kind) {
        case IT_POST: {
            nread++;
            int rc = store_apply(st, it->prep, NULL);
            it->prep = NULL;
            if (rc == STORE_ERR_RECORD) {
                fprintf(stderr, "%s\n", store_errmsg(st));
            } else if (rc != STORE_OK) {
                fprintf(stderr, "socasma-index: %s: %s\n", dbpath, store_errmsg(st));
                fatal = EXIT_ERROR;
            }
            break;
        }
        case IT_RECORD_ERR:
        case IT_FATAL_ERR:
            nread++;
            reader_rejected++;
            fprintf(stderr, "%s\n", it->msg ? it->msg : "bad record");
            break;
        case IT_OPEN_ERR:
        case IT_NOMEM:
            fprintf(stderr, "socasma-index: %s\n", it->msg ? it->msg : "error");
            fatal = EXIT_ERROR;
            break;
        }
        free(it->msg);
        free(it);
        if (fatal) {
            pthread_mutex_lock(&q.mu);
            q.stop = 1;
            pthread_cond_broadcast(&q.nonfull);
            pthread_mutex_unlock(&q.mu);
            while ((it = pop(&q)) != NULL) {
                store_prepared_free(it->prep);
                free(it->msg);
                free(it);
            }
            break;
        }
        if (tty && (nread & 255) == 0) {
            double t = now_s();
            if (t - last >= 0.25) {
                progress(nread, t0, pdone, ptotal, 0);
                last = t;
            }
        }
    }
    pthread_join(th, NULL);
    if (tty)
        progress(nread, t0, pdone, ptotal, 1);

    pthread_mutex_destroy(&q.mu);
    pthread_cond_destroy(&q.nonempty);
    pthread_cond_destroy(&q.nonfull);
    *nread_out = nread;
    *rejected_out = reader_rejected;
    return fatal;
}

int main(int argc, char **argv)
{
    const char *config = NULL, *dbopt = NULL, *format_name = "auto";
    int prune = 0, strict = 0, dry = 0, json = 0, quiet = 0;
    unsigned nshards = 2;
    enum { O_CONFIG = 256, O_DB, O_FORMAT, O_PRUNE, O_STRICT, O_DRY, O_JSON, O_QUIET, O_HELP,
           O_VERSION, O_SHARDS };
    static const struct option longopts[] = {
        {"config", required_argument, NULL, O_CONFIG}, {"db", required_argument, NULL, O_DB},
        {"format", required_argument, NULL, O_FORMAT}, {"prune", no_argument, NULL, O_PRUNE},
        {"strict", no_argument, NULL, O_STRICT},       {"dry-run", no_argument, NULL, O_DRY},
        {"json", no_argument, NULL, O_JSON},           {"quiet", no_argument, NULL, O_QUIET},
        {"help", no_argument, NULL, O_HELP},           {"version", no_argument, NULL, O_VERSION},
        {"shards", required_argument, NULL, O_SHARDS},
        {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case O_CONFIG: config = optarg; break;
        case O_DB: dbopt = optarg; break;
        case O_FORMAT: format_name = optarg; break;
        case O_PRUNE: prune = 1; break;
        case O_STRICT: strict = 1; break;
        case O_DRY: dry = 1; break;
        case O_JSON: json = 1; break;
        case O_QUIET: quiet = 1; break;
        case O_SHARDS: {
            char *end;
            errno = 0;
            unsigned long v = strtoul(optarg, &end, 10);
            if (errno || end == optarg || *end || v < 1 || v > 16) {
                fprintf(stderr, "socasma-index: --shards takes a number from 1 to 16\n");
                return EXIT_USAGE;
            }
            nshards = (unsigned)v;
            break;
        }
        case O_HELP: usage(stdout); return EXIT_DONE;
        case O_VERSION: printf("socasma-index (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION); return 0;
        default:
            fputs("Try 'socasma-index --help'.\n", stderr);
            return EXIT_USAGE;
        }
    }
    int format = imp_format_parse(format_name);
    if (format < 0) {
        fprintf(stderr, "socasma-index: unknown format '%s' (auto, jsonl or wxr)\n", format_name);
        return EXIT_USAGE;
    }
    if (optind >= argc) {
        fputs("socasma-index: no SOURCE given\nTry 'socasma-index --help'.\n", stderr);
        return EXIT_USAGE;
    }

    char err[1024];
    cfg_config cfg;
    if (cfg_load(&cfg, config, err, sizeof err) != 0) {
        fprintf(stderr, "socasma-index: %s\n", err);
        cfg_free(&cfg);
        return EXIT_ERROR;
    }
    /* --db, else the config file's database, else index/socasma.db here. */
    const char *dbpath = dbopt ? dbopt
                       : (cfg.path && cfg.db_path && cfg.db_path[0]) ? cfg.db_path
                                                                      : "index/socasma.db";

    char **paths = NULL;
    size_t npaths = 0;
    if (imp_expand_sources((const char *const *)(argv + optind), (size_t)(argc - optind), &paths,
                           &npaths, err, sizeof err) != IMP_OK) {
        fprintf(stderr, "socasma-index: %s\n", err);
        cfg_free(&cfg);
        return EXIT_ERROR;
    }
    int ret = EXIT_DONE;
    uint64_t total = 0;
    for (size_t i = 0; i < npaths; i++) {
        struct stat sb;
        if (strcmp(paths[i], "-") == 0)
            continue;
        if (stat(paths[i], &sb) != 0 || access(paths[i], R_OK) != 0) {
            fprintf(stderr, "socasma-index: %s: %s\n", paths[i], strerror(errno));
            ret = EXIT_ERROR;
        } else if (S_ISREG(sb.st_mode)) {
            total += (uint64_t)sb.st_size;
        }
    }
    /* Inside the run's transaction Xapian still writes postings out every
     * XAPIAN_FLUSH_THRESHOLD changes (default 10,000). Smaller batches keep
     * its in-memory trees small: measured faster here and far less memory
     * (about 100 MB at 2,000 against 290 MB at 20,000). A user's value wins. */
    setenv("XAPIAN_FLUSH_THRESHOLD", "2000", 0);
    store *st = NULL;
    if (ret == EXIT_DONE) {
        store_options so = {0};
        so.title_weight = cfg.title_weight;
        so.glossary_path = cfg.glossary_path && cfg.glossary_path[0] ? cfg.glossary_path : NULL;
        so.read_only = dry;
        int rc = store_open(dbpath, &so, &st, err, sizeof err);
        if (rc != STORE_OK) {
            fprintf(stderr, "socasma-index: %s\n", err);
            ret = rc == STORE_ERR_LOCKED ? EXIT_LOCKED : EXIT_ERROR;
        } else if (store_begin(st) != STORE_OK) {
            fprintf(stderr, "socasma-index: %s: %s\n", dbpath, store_errmsg(st));
            ret = EXIT_ERROR;
        }
    }
    if (ret != EXIT_DONE) {
        store_close(st);
        for (size_t i = 0; i < npaths; i++)
            free(paths[i]);
        free(paths);
        cfg_free(&cfg);
        return ret;
    }

    double t0 = now_s();
    int tty = !quiet && isatty(STDERR_FILENO);
    uint64_t nread = 0, reader_rejected = 0;
    int fatal;
    /* A new database: every post is new, so it can be built in shards at
     * once and merged (see doc/INDEXING.md). Where the file system cannot
     * swap directories atomically, one writer does it. */
    if (nshards > 1 && store_can_shard(st) && store_shards_begin(st, nshards) == STORE_OK)
        fatal = run_sharded(st, nshards, dbpath, paths, npaths, (imp_format)format, total, tty,
                            t0, &nread, &reader_rejected);
    else
        fatal = run_pipeline(st, dbpath, paths, npaths, (imp_format)format, total, tty, t0,
                             &nread, &reader_rejected);
    if (fatal < 0) {
        store_close(st);
        cfg_free(&cfg);
        return EXIT_ERROR;
    }

    store_counts sc;
    store_get_counts(st, &sc);
    uint64_t rejected = sc.rejected + reader_rejected;
    if (!fatal && strict && rejected > 0) {
        store_cancel(st);
        fprintf(stderr, "socasma-index: %llu record(s) rejected under --strict: nothing committed\n",
                (unsigned long long)rejected);
        ret = EXIT_REJECTED;
    } else if (!fatal) {
        if (prune && reader_rejected > 0) {
            /* A record that could not be read has no id: pruning would delete
             * its post. Keep every post rather than lose one. */
            fprintf(stderr, "socasma-index: not pruning: %llu record(s) could not be read\n",
                    (unsigned long long)reader_rejected);
        } else if (prune && store_prune(st, NULL) != STORE_OK) {
            fprintf(stderr, "socasma-index: %s: %s\n", dbpath, store_errmsg(st));
            fatal = EXIT_ERROR;
        }
        if (!fatal && store_commit(st) != STORE_OK) {
            fprintf(stderr, "socasma-index: %s: %s\n", dbpath, store_errmsg(st));
            fatal = EXIT_ERROR;
        }
    }
    if (fatal) {
        store_cancel(st);
        ret = fatal;
    }
    store_get_counts(st, &sc);
    double secs = now_s() - t0;
    double rate = secs > 0 ? (double)nread / secs : 0;
    if (json) {
        printf("{\"read\":%llu,\"added\":%llu,\"updated\":%llu,\"unchanged\":%llu,"
               "\"deleted\":%llu,\"rejected\":%llu,\"seconds\":%.3f}\n",
               (unsigned long long)nread, (unsigned long long)sc.added,
               (unsigned long long)sc.updated, (unsigned long long)sc.unchanged,
               (unsigned long long)sc.deleted, (unsigned long long)rejected, secs);
    } else if (!quiet) {
        printf("%sread %llu, added %llu, updated %llu, unchanged %llu, deleted %llu, "
               "rejected %llu, %.2f s, %.0f posts/s\n",
               dry ? "dry run: " : "", (unsigned long long)nread, (unsigned long long)sc.added,
               (unsigned long long)sc.updated, (unsigned long long)sc.unchanged,
               (unsigned long long)sc.deleted, (unsigned long long)rejected, secs, rate);
    }
    store_close(st);
    for (size_t i = 0; i < npaths; i++)
        free(paths[i]);
    free(paths);
    cfg_free(&cfg);
    return ret;
}
