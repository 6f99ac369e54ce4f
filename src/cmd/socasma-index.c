/* socasma-index.c: the indexer program. Reads its flags and the config,
 * runs one import of the sources into the database (store_run(): one
 * transaction, or a new database built in parallel and swapped in), prints
 * what the run reports (progress, rejected records, errors) and its
 * summary (the printing is in index-report.c), and exits with a status
 * that says how it went.
 * Exit codes: 0 done, 1 nothing indexed: records rejected under --strict
 * (nothing committed), or every record rejected (a file that is not an
 * export, say), 2 usage (a --format the files contradict too), 3 database locked by another writer, 4 input or database error
 * (database untouched), 5 incomplete: a source could not be read to its end,
 * or --prune was skipped as records could not be read (what was read is
 * committed, nothing pruned).
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd-util.h"
#include "cmd/index-report.h"
#include "conf/conf.h"
#include "import/import.h"
#include "store/store.h"

enum {
    EXIT_DONE = 0,
    EXIT_REJECTED = 1,
    EXIT_USAGE = 2,
    EXIT_LOCKED = 3,
    EXIT_ERROR = 4,
    EXIT_PARTIAL = 5
};

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
          "  --max-post-bytes N  reject a post longer than N bytes as written\n"
          "                  (default: the config's max_post_bytes, 8 MiB)\n"
          "  -j, --jobs N    build a new database with N threads at once, then merge\n"
          "                  (default 2; 1: one writer). --shards N: the same, deprecated\n"
          "  --shard N/M     this database is shard N of M (1 <= N <= M <= 64): only\n"
          "                  the posts whose id hashes to it are indexed (FNV-1a 64 of\n"
          "                  the id, modulo M); the others are skipped, not pruned\n"
          "  --wait SECONDS  wait up to SECONDS for another writer's lock (the\n"
          "                  daemon's live writer, another run) instead of exiting 3;\n"
          "                  the daemon's writer lets it go at once for a waiting run\n"
          "  --json          print the summary as one JSON object\n"
          "  --timings       add where the time went (phases, CPU seconds by kind\n"
          "                  of work) to the summary\n"
          "  --quiet         no progress line and no text summary\n"
          "  --help          this help;  --version  the version\n\n"
          "Exit status:\n"
          "  0  done\n"
          "  1  nothing indexed: records rejected under --strict (nothing committed),\n"
          "     or every record rejected (a file that is not an export)\n"
          "  2  usage error (also: a --format that a file contradicts, or the\n"
          "     config's database on a replica: [server] primary is set)\n"
          "  3  the database is locked by another writer (after --wait SECONDS)\n"
          "  4  input or database error (database untouched)\n"
          "  5  incomplete: a source could not be read to its end, or --prune was\n"
          "     skipped as records could not be read (what was read is committed)\n",
          f);
    fprintf(f, "\nConfig file: --config FILE, else $SOCASMA_CONFIG, else when it exists\n"
               "  %s\nelse none (built-in defaults).\n",
            cfg_installed_path());
}

/* ---- flags ----------------------------------------------------------------- */

typedef struct {
    const char *config, *db, *format;
    int prune, strict, dry, json, quiet, timings;
    unsigned jobs;
    size_t max_post_bytes; /* 0: the config's */
    double wait;           /* --wait: seconds to wait for the lock */
    unsigned shard, nshards; /* --shard N/M (0/0: none) */
    const char *shard_arg;
} flags;

/* Parses argv into fl; returns -1 to go on, else the exit code. */
static int parse_flags(int argc, char **argv, flags *fl)
{
    enum { O_CONFIG = 256, O_DB, O_FORMAT, O_PRUNE, O_STRICT, O_DRY, O_JSON, O_QUIET, O_HELP,
           O_VERSION, O_SHARDS, O_MAXPOST, O_WAIT, O_SHARD, O_TIMINGS };
    static const struct option longopts[] = {
        {"config", required_argument, NULL, O_CONFIG}, {"db", required_argument, NULL, O_DB},
        {"format", required_argument, NULL, O_FORMAT}, {"prune", no_argument, NULL, O_PRUNE},
        {"strict", no_argument, NULL, O_STRICT},       {"dry-run", no_argument, NULL, O_DRY},
        {"json", no_argument, NULL, O_JSON},           {"quiet", no_argument, NULL, O_QUIET},
        {"help", no_argument, NULL, O_HELP},           {"version", no_argument, NULL, O_VERSION},
        {"jobs", required_argument, NULL, 'j'},        {"shards", required_argument, NULL, O_SHARDS},
        {"max-post-bytes", required_argument, NULL, O_MAXPOST},
        {"wait", required_argument, NULL, O_WAIT},     {"timings", no_argument, NULL, O_TIMINGS},
        {"shard", required_argument, NULL, O_SHARD},
        {NULL, 0, NULL, 0}};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "j:", longopts, NULL)) != -1) {
        switch (c) {
        case O_CONFIG: fl->config = optarg; break;
        case O_DB: fl->db = optarg; break;
        case O_FORMAT: fl->format = optarg; break;
        case O_PRUNE: fl->prune = 1; break;
        case O_STRICT: fl->strict = 1; break;
        case O_DRY: fl->dry = 1; break;
        case O_JSON: fl->json = 1; break;
        case O_QUIET: fl->quiet = 1; break;
        case O_SHARD: {
            unsigned n = 0, m = 0;
            char tail;
            if (sscanf(optarg, "%u/%u%c", &n, &m, &tail) != 2 || n < 1 || m < 1 || n > m ||
                m > 64) {
                fputs("socasma-index: --shard takes N/M, this shard's number N of M shards "
                      "(1 <= N <= M <= 64), e.g. --shard 2/3\n",
                      stderr);
                return EXIT_USAGE;
            }
            fl->shard = n;
            fl->nshards = m;
            fl->shard_arg = optarg;
            break;
        }
        case O_TIMINGS: fl->timings = 1; break;
        case O_SHARDS:
            fputs("socasma-index: --shards is deprecated and will be removed: use --jobs\n",
                  stderr);
            /* fall through */
        case 'j': {
            char *end;
            errno = 0;
            unsigned long v = strtoul(optarg, &end, 10);
            if (errno || end == optarg || *end || v < 1 || v > 16) {
                fputs("socasma-index: --jobs takes a number from 1 to 16\n", stderr);
                return EXIT_USAGE;
            }
            fl->jobs = (unsigned)v;
            break;
        }
        case O_MAXPOST: {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(optarg, &end, 10);
            if (errno || end == optarg || *end || optarg[0] == '-' || v < IMP_MAX_POST_BYTES_MIN ||
                v > IMP_MAX_POST_BYTES_MAX) {
                fprintf(stderr, "socasma-index: --max-post-bytes takes a number of bytes from %zu to %zu\n",
                        IMP_MAX_POST_BYTES_MIN, IMP_MAX_POST_BYTES_MAX);
                return EXIT_USAGE;
            }
            fl->max_post_bytes = (size_t)v;
            break;
        }
        case O_WAIT: {
            char *end;
            errno = 0;
            double v = strtod(optarg, &end);
            if (errno || end == optarg || *end || !(v >= 0 && v <= 86400)) {
                fputs("socasma-index: --wait takes a number of seconds from 0 to 86400\n", stderr);
                return EXIT_USAGE;
            }
            fl->wait = v;
            break;
        }
        case O_HELP: usage(stdout); return EXIT_DONE;
        case O_VERSION: printf("socasma-index (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION); return 0;
        default:
            cmd_option_error(stderr, "socasma-index", argc, argv, "j:", longopts);
            return EXIT_USAGE;
        }
    }
    if (imp_format_parse(fl->format) < 0) {
        fputs("socasma-index: unknown format '", stderr);
        idx_put_safe(stderr, fl->format);
        fputs("' (auto, jsonl or wxr)\n", stderr);
        return EXIT_USAGE;
    }
    if (optind >= argc) {
        fputs("socasma-index: no SOURCE given: the files to import (JSON Lines or a WordPress "
              "export), a directory of them, or - for standard input\n",
              stderr);
        cmd_try_help(stderr, "socasma-index");
        return EXIT_USAGE;
    }
    return -1;
}

int main(int argc, char **argv)
{
    flags fl = {.format = "auto", .jobs = 2};
    int ret = parse_flags(argc, argv, &fl);
    if (ret >= 0)
        return ret;

    char err[1024];
    cfg_config cfg;
    if (cfg_load(&cfg, fl.config, err, sizeof err) != 0) {
        idx_say(1, err);
        cfg_free(&cfg);
        return EXIT_ERROR;
    }
    /* --db, else the config file's database, else index/socasma.db here. */
    const char *dbpath = fl.db ? fl.db
                       : (cfg.path && cfg.db_path && cfg.db_path[0]) ? cfg.db_path
                                                                      : "index/socasma.db";
    /* A replica's database is xapian-replicate's copy of the primary's: a
     * run here would be undone by the next full copy, or break the next
     * changeset. Another database (--db) or a dry run is fine. */
    if (cfg.primary && !fl.db && !fl.dry) {
        snprintf(err, sizeof err,
                 "%s: this host is a replica (primary = %s): index on the primary, whose "
                 "changes reach %s through xapian-replicate (or --db DIR for another database)",
                 cfg.path ? cfg.path : "the config", cfg.primary, dbpath);
        idx_say(1, err);
        cfg_free(&cfg);
        return EXIT_USAGE;
    }
    char **paths = NULL;
    size_t npaths = 0;
    if (imp_expand_sources((const char *const *)(argv + optind), (size_t)(argc - optind), &paths,
                           &npaths, err, sizeof err) != IMP_OK) {
        idx_say(1, err);
        cfg_free(&cfg);
        return EXIT_ERROR;
    }
    ret = EXIT_DONE;
    for (size_t i = 0; i < npaths; i++) {
        struct stat sb;
        if (strcmp(paths[i], "-") != 0 && (stat(paths[i], &sb) != 0 || access(paths[i], R_OK) != 0)) {
            snprintf(err, sizeof err, "%s: %s", paths[i], strerror(errno));
            idx_say(1, err);
            ret = EXIT_ERROR;
        }
    }
    if (ret == EXIT_DONE && imp_format_parse(fl.format) != IMP_FORMAT_AUTO &&
        idx_check_formats((imp_format)imp_format_parse(fl.format), paths, npaths))
        ret = EXIT_USAGE;
    /* Inside the run's transaction Xapian still writes postings out every
     * XAPIAN_FLUSH_THRESHOLD changes (default 10,000). Smaller batches keep
     * its in-memory trees small: measured faster here and far less memory
     * (about 100 MB at 2,000 against 290 MB at 20,000). A user's value wins. */
    setenv("XAPIAN_FLUSH_THRESHOLD", "2000", 0);
    /* Past a file size limit (ulimit -f) a write then fails with EFBIG, and
     * the run ends with a message, cleaning up, instead of being killed. */
    signal(SIGXFSZ, SIG_IGN);
    /* The merge of a parallel build opens every chunk at once (up to 512,
     * a few files each): the soft limit on open files goes up to the hard
     * one. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }

    store *st = NULL;
    if (ret == EXIT_DONE) {
        store_options so = {0};
        so.title_weight = cfg.title_weight;
        so.glossary_path = cfg.glossary_path && cfg.glossary_path[0] ? cfg.glossary_path : NULL;
        so.read_only = fl.dry;
        so.shard = fl.nshards ? fl.shard_arg : NULL;
        /* With --wait, the lock is tried again until it is free: the
         * daemon's writer lets it go after lock_idle without writes, or
         * at once when it sees that a writer waits (store.h, THE LOCK,
         * WAITED FOR), which this one says while it waits. */
        double until = idx_now_s() + fl.wait;
        int rc, sign = -1, told = 0;
        while ((rc = store_open(dbpath, &so, &st, err, sizeof err)) == STORE_ERR_LOCKED &&
               idx_now_s() < until) {
            if (sign < 0)
                sign = store_wait_sign(dbpath); /* (tried again if it failed) */
            if (!told && !fl.quiet && isatty(STDERR_FILENO)) {
                /* on a terminal, as the progress line: staff see why */
                char msg[sizeof err + 48];
                snprintf(msg, sizeof msg, "%s; waiting for it (up to %.0f s)", err, fl.wait);
                idx_say(1, msg);
                told = 1;
            }
            struct timespec ts = {0, 50 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        store_wait_unsign(sign);
        if (rc != STORE_OK) {
            idx_say(1, err);
            ret = rc == STORE_ERR_LOCKED ? EXIT_LOCKED : EXIT_ERROR;
        } else if (store_notice(st)[0]) {
            idx_say(1, store_notice(st)); /* a live writer's journal applied */
        }
    }
    if (ret == EXIT_DONE) {
        store_run_options ro = {0};
        ro.sources = (const char *const *)paths;
        ro.nsources = npaths;
        ro.format = (imp_format)imp_format_parse(fl.format);
        ro.jobs = fl.jobs;
        const char *env = getenv("SOCASMA_INDEX_CHUNK_BYTES"); /* tests and benchmarks */
        if (env && atol(env) > 0)
            ro.chunk_bytes = (uint64_t)atol(env);
        ro.prune = fl.prune;
        ro.strict = fl.strict;
        ro.shard_index = fl.nshards ? fl.shard - 1 : 0;
        ro.shard_count = fl.nshards;
        ro.max_post_bytes = fl.max_post_bytes ? fl.max_post_bytes : cfg.max_post_bytes;
        idx_report_state rs = {!fl.quiet && isatty(STDERR_FILENO), idx_now_s(), 0, ""};
        rs.last = rs.t0;
        store_reporter rep = {idx_on_progress, idx_on_rejected, idx_on_rejected, idx_on_fatal};
        store_run_result res;
        int rc = store_run(st, &ro, &rep, &rs, &res);
        if (rc == STORE_ERR_RECORD) {
            snprintf(err, sizeof err, "%llu record(s) rejected under --strict: nothing committed",
                     (unsigned long long)res.counts.rejected);
            idx_say(1, err);
            ret = EXIT_REJECTED;
        } else if (rc != STORE_OK) {
            ret = rc == STORE_ERR_LOCKED ? EXIT_LOCKED : EXIT_ERROR; /* reported by on_fatal */
        } else if (idx_explain_nothing(&res, &rs, paths, npaths)) {
            ret = EXIT_REJECTED; /* even without --strict: not an export */
        } else if (res.source_errors > 0) {
            snprintf(err, sizeof err, "%s%u source(s) could not be read to the end",
                     fl.prune ? "not pruning: " : "", res.source_errors);
            idx_say(1, err);
            ret = EXIT_PARTIAL;
        } else if (res.prune_skipped) {
            snprintf(err, sizeof err, "not pruning: %llu record(s) could not be read",
                     (unsigned long long)res.unreadable);
            idx_say(1, err);
            ret = EXIT_PARTIAL;
        }
        idx_summary(&res, idx_now_s() - rs.t0, fl.json, fl.quiet, fl.dry, fl.timings);
    }
    store_close(st);
    for (size_t i = 0; i < npaths; i++)
        free(paths[i]);
    free(paths);
    cfg_free(&cfg);
    return ret;
}
