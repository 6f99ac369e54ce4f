/* socasma-index.c: the indexer program. Reads the sources (JSON Lines or
 * WordPress exports, plain or gzip, or standard input) and applies them to
 * the database in one run of the store: one transaction, so readers see the
 * revision before or after it and kill -9 leaves the last committed one.
 *
 * Two threads: a producer reads posts and prepares documents (hash check,
 * analysis) into a bounded queue; the main thread writes them to Xapian.
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

int main(int argc, char **argv)
{
    const char *config = NULL, *dbopt = NULL, *format_name = "auto";
    int prune = 0, strict = 0, dry = 0, json = 0, quiet = 0;
    enum { O_CONFIG = 256, O_DB, O_FORMAT, O_PRUNE, O_STRICT, O_DRY, O_JSON, O_QUIET, O_HELP,
           O_VERSION };
    static const struct option longopts[] = {
        {"config", required_argument, NULL, O_CONFIG}, {"db", required_argument, NULL, O_DB},
        {"format", required_argument, NULL, O_FORMAT}, {"prune", no_argument, NULL, O_PRUNE},
        {"strict", no_argument, NULL, O_STRICT},       {"dry-run", no_argument, NULL, O_DRY},
        {"json", no_argument, NULL, O_JSON},           {"quiet", no_argument, NULL, O_QUIET},
        {"help", no_argument, NULL, O_HELP},           {"version", no_argument, NULL, O_VERSION},
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

    double t0 = now_s(), last = t0;
    int tty = !quiet && isatty(STDERR_FILENO);
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
        store_close(st);
        cfg_free(&cfg);
        return EXIT_ERROR;
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
    pthread_mutex_destroy(&q.mu);
    pthread_cond_destroy(&q.nonempty);
    pthread_cond_destroy(&q.nonfull);
    for (size_t i = 0; i < npaths; i++)
        free(paths[i]);
    free(paths);
    cfg_free(&cfg);
    return ret;
}
