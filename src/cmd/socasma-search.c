/* socasma-search: search the archive from the command line, directly in the
 * database or through the daemon (--socket, --connect), with the same
 * answer object either way (see doc/socasma-search.1); the answer is
 * shown as text by search-print.c.
 * Exit codes: 0 hits found, 1 no hits, 2 usage, 4 database or daemon error. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd-util.h"
#include "cmd/search-client.h"
#include "cmd/search-print.h"
#include "conf/conf.h"
#include "search/search.h"

#define EXIT_HITS 0
#define EXIT_NOHITS 1
#define EXIT_USAGE 2
#define EXIT_ERROR 4

static const char *prog = "socasma-search";

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: %s [OPTION]... QUERY...\n"
            "Search the archive, in the database directly or through the daemon.\n\n"
            "  --config FILE        configuration file (default: see below)\n"
            "  --db DIR             database (default: the config's, or index/socasma.db)\n"
            "  --socket PATH        ask the daemon on this Unix socket\n"
            "  --connect HOST:PORT  ask the daemon at this TCP address\n"
            "  --json               print the answer object as JSON\n"
            "  --limit N            hits per page (default: the config's default_limit, 10)\n"
            "  --offset N           first hit (default 0)\n"
            "  --lang en|fr         posts in that language; the query analysed in it\n"
            "  --category C         posts in category C (repeatable: any of them)\n"
            "  --tag T              posts with tag T (repeatable)\n"
            "  --author A           posts by A\n"
            "  --since DATE         posts dated DATE or later (YYYY, YYYY-MM, YYYY-MM-DD)\n"
            "  --until DATE         posts dated DATE or earlier\n"
            "  --sort relevance|date\n"
            "  --facets             counts by category, language and year\n"
            "  --suggest            completions of the query's last word, and top titles\n"
            "  --stats              database facts: posts, revision, last index, languages\n"
            "  --help, --version\n\n"
            "The query language is described in QUERY.md: words, \"phrases\", +required,\n"
            "-excluded, AND OR NOT ( ) (ET OU SAUF), title: author: category: tag: lang:\n"
            "date:, trailing wildcard*.\n\n"
            "Exit status: 0 hits found, 1 no hits, 2 usage error, 4 database or daemon error.\n",
            prog);
    fprintf(f, "\nConfig file: --config FILE, else $SOCASMA_CONFIG, else when it exists\n"
               "  %s\nelse none (built-in defaults).\n",
            cfg_installed_path());
}

static int parse_uint(const char *s, uint32_t *out)
{
    char *end;
    if (!s[0] || s[0] == '-')
        return -1;
    unsigned long v = strtoul(s, &end, 10);
    if (*end || v > 1000000000UL)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

/* A search answer with no hit at all. */
static int answer_is_empty_search(const json_t *ans, const json_t *req)
{
    return ans && json_is_true(json_object_get(ans, "ok")) &&
           !strcmp(sp_str(req, "op"), srch_op_name(SRCH_OP_SEARCH)) &&
           json_integer_value(json_object_get(ans, "total")) == 0;
}

/* 1 when the engine's database holds no post (asked only after a search
 * found nothing, to say why). */
static int engine_db_empty(srch_engine *e)
{
    json_t *req = json_pack("{s:s}", "op", srch_op_name(SRCH_OP_STATS)), *ans = NULL;
    int empty = req && srch_handle(e, req, &ans) == SRCH_OK &&
                json_is_true(json_object_get(ans, "ok")) &&
                json_integer_value(json_object_get(ans, "posts")) == 0;
    json_decref(req);
    json_decref(ans);
    return empty;
}

/* The same through the daemon. */
static int daemon_db_empty(const char *sock, const char *conn)
{
    json_t *req = json_pack("{s:s}", "op", srch_op_name(SRCH_OP_STATS)), *ans = NULL;
    char err[256];
    int empty = req && sc_request(sock, conn, req, &ans, NULL, err, sizeof err) == 0 &&
                json_is_true(json_object_get(ans, "ok")) &&
                json_integer_value(json_object_get(ans, "posts")) == 0;
    json_decref(req);
    json_decref(ans);
    return empty;
}

/* The daemon could not be reached (connect() failed with cerr): what was
 * tried, where it came from, and what to check. */
static void explain_unreachable(const char *sock, const char *conn, int cerr, const cfg_config *cfg)
{
    const char *where = sock ? sock : conn;
    fprintf(stderr, "%s: cannot reach the daemon at %s (from %s): %s\n", prog, where,
            sock ? "--socket" : "--connect", strerror(cerr));
    if (cerr == EACCES || cerr == EPERM)
        fprintf(stderr,
                "%s: the socket is open to the daemon's user and its socket_group only: join "
                "that group (or set [server] socket_group) and try again\n",
                prog);
    else if (sock && cerr == ECONNREFUSED)
        fprintf(stderr,
                "%s: is socasma-searchd running? The socket file is there but nothing "
                "listens on it (a daemon that stopped): start it again\n",
                prog);
    else
        fprintf(stderr,
                "%s: is socasma-searchd running, on this %s? Start it (socasma-searchd "
                "--config FILE, systemctl start socasma-searchd, or 'make run' in the source "
                "tree)\n",
                prog, sock ? "socket" : "address");
    /* The config names where the daemon listens: say so when it differs. */
    const char *cfg_where = sock ? cfg->socket_path : cfg->listen;
    if (cfg->path && cfg_where && cfg_where[0] && strcmp(cfg_where, where))
        fprintf(stderr, "%s: the config %s has [server] %s = %s\n", prog, cfg->path,
                sock ? "socket" : "listen", cfg_where);
    else if (cfg->path && cfg_where && cfg_where[0])
        fprintf(stderr, "%s: (the daemon listens where the config %s says: [server] %s)\n", prog,
                cfg->path, sock ? "socket" : "listen");
}

enum { O_CONFIG = 256, O_DB, O_SOCKET, O_CONNECT, O_JSON, O_LIMIT, O_OFFSET, O_LANG, O_CATEGORY,
       O_TAG, O_AUTHOR, O_SINCE, O_UNTIL, O_SORT, O_FACETS, O_STATS, O_SUGGEST, O_HELP,
       O_VERSION };

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, O_CONFIG}, {"db", required_argument, NULL, O_DB},
        {"socket", required_argument, NULL, O_SOCKET},
        {"connect", required_argument, NULL, O_CONNECT}, {"json", no_argument, NULL, O_JSON},
        {"limit", required_argument, NULL, O_LIMIT}, {"offset", required_argument, NULL, O_OFFSET},
        {"lang", required_argument, NULL, O_LANG},
        {"category", required_argument, NULL, O_CATEGORY},
        {"tag", required_argument, NULL, O_TAG}, {"author", required_argument, NULL, O_AUTHOR},
        {"since", required_argument, NULL, O_SINCE}, {"until", required_argument, NULL, O_UNTIL},
        {"sort", required_argument, NULL, O_SORT}, {"facets", no_argument, NULL, O_FACETS},
        {"stats", no_argument, NULL, O_STATS}, {"suggest", no_argument, NULL, O_SUGGEST},
        {"help", no_argument, NULL, O_HELP}, {"version", no_argument, NULL, O_VERSION},
        {NULL, 0, NULL, 0}};
    const char *config = NULL, *db = NULL, *sock = NULL, *conn = NULL;
    int json = 0, stats = 0, suggest = 0;
    json_t *req = json_object(), *cats = json_array(), *tags = json_array();
    json_object_set_new(req, "op", json_string(srch_op_name(SRCH_OP_SEARCH)));
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        uint32_t n;
        switch (c) {
        case O_CONFIG: config = optarg; break;
        case O_DB: db = optarg; break;
        case O_SOCKET: sock = optarg; break;
        case O_CONNECT: conn = optarg; break;
        case O_JSON: json = 1; break;
        case O_LIMIT:
        case O_OFFSET:
            if (parse_uint(optarg, &n) != 0) {
                fprintf(stderr, "%s: --%s needs a non-negative number\n", prog,
                        c == O_LIMIT ? "limit" : "offset");
                goto bad_usage;
            }
            json_object_set_new(req, c == O_LIMIT ? "limit" : "offset", json_integer(n));
            break;
        case O_LANG:
            if (strcmp(optarg, "en") && strcmp(optarg, "fr")) {
                fprintf(stderr, "%s: --lang must be en or fr\n", prog);
                goto bad_usage;
            }
            json_object_set_new(req, "lang", json_string(optarg));
            break;
        case O_CATEGORY: json_array_append_new(cats, json_string(optarg)); break;
        case O_TAG: json_array_append_new(tags, json_string(optarg)); break;
        case O_AUTHOR: json_object_set_new(req, "author", json_string(optarg)); break;
        case O_SINCE: json_object_set_new(req, "since", json_string(optarg)); break;
        case O_UNTIL: json_object_set_new(req, "until", json_string(optarg)); break;
        case O_SORT:
            if (strcmp(optarg, "relevance") && strcmp(optarg, "date")) {
                fprintf(stderr, "%s: --sort must be relevance or date\n", prog);
                goto bad_usage;
            }
            json_object_set_new(req, "sort", json_string(optarg));
            break;
        case O_FACETS: json_object_set_new(req, "facets", json_true()); break;
        case O_STATS: stats = 1; break;
        case O_SUGGEST: suggest = 1; break;
        case O_HELP: usage(stdout); json_decref(req); json_decref(cats); json_decref(tags); return 0;
        case O_VERSION:
            printf("socasma-search %s\n", PACKAGE_VERSION);
            json_decref(req);
            json_decref(cats);
            json_decref(tags);
            return 0;
        default: cmd_option_error(stderr, prog, argc, argv, "", opts); goto bad_usage;
        }
    }
    if (sock && conn) {
        fprintf(stderr, "%s: --socket and --connect are exclusive\n", prog);
        goto bad_usage;
    }
    if ((sock || conn) && db) {
        fprintf(stderr, "%s: --db cannot be used with --socket or --connect\n", prog);
        goto bad_usage;
    }
    /* The query: the remaining arguments, joined by spaces. */
    size_t qlen = 1;
    for (int i = optind; i < argc; i++)
        qlen += strlen(argv[i]) + 1;
    char *q = calloc(1, qlen);
    for (int i = optind; q && i < argc; i++) {
        if (i > optind)
            strcat(q, " ");
        strcat(q, argv[i]);
    }
    if (!stats && optind >= argc && json_array_size(cats) == 0 && json_array_size(tags) == 0 &&
        !json_object_get(req, "author") && !json_object_get(req, "since") &&
        !json_object_get(req, "until") && !json_object_get(req, "lang")) {
        fprintf(stderr,
                "%s: no query: give the words to search (or --stats, or a filter such as "
                "--lang fr)\n",
                prog);
        cmd_try_help(stderr, prog);
        free(q);
        goto bad_usage;
    }
    json_object_set_new(req, "q", json_string(q ? q : ""));
    if (json_array_size(cats))
        json_object_set(req, "category", cats);
    if (json_array_size(tags))
        json_object_set(req, "tag", tags);
    json_decref(cats);
    json_decref(tags);
    if (stats)
        json_object_set_new(req, "op", json_string(srch_op_name(SRCH_OP_STATS)));
    else if (suggest)
        json_object_set_new(req, "op", json_string(srch_op_name(SRCH_OP_SUGGEST)));

    cfg_config cfg;
    char err[1024];
    if (cfg_load(&cfg, config, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", prog, err);
        cfg_free(&cfg);
        return EXIT_USAGE;
    }
    json_t *ans = NULL;
    int empty_db = 0;
    if (sock || conn) {
        int cerr = 0;
        if (sc_request(sock, conn, req, &ans, &cerr, err, sizeof err) != 0) {
            if (cerr)
                explain_unreachable(sock, conn, cerr, &cfg);
            else
                fprintf(stderr, "%s: %s\n", prog, err);
        } else
            empty_db = answer_is_empty_search(ans, req) && daemon_db_empty(sock, conn);
    } else {
        const char *path = db ? db : cfg.db_path;
        cmd_db_state st = cmd_db_check(path);
        if (st != CMD_DB_OK) {
            cmd_db_explain(stderr, prog, path, st, db ? "--db" : NULL, cfg.path);
            if (json) {
                snprintf(err, sizeof err, "no database at %s", path);
                ans = srch_error_answer(req, SRCH_ERR_UNAVAILABLE, err);
            } else {
                cfg_free(&cfg);
                free(q);
                json_decref(req);
                return EXIT_ERROR;
            }
        } else {
            /* The daemon's answer, made here by the same function. */
            srch_engine *e = NULL;
            int rc = srch_engine_new(path, &cfg.search, &e);
            if (rc == SRCH_OK)
                rc = srch_handle(e, req, &ans);
            else
                ans = srch_error_answer(req, rc, "out of memory");
            if (answer_is_empty_search(ans, req))
                empty_db = engine_db_empty(e);
            srch_engine_free(e);
        }
    }
    cfg_free(&cfg);
    free(q);
    json_decref(req);
    int code = EXIT_ERROR;
    if (!ans)
        return EXIT_ERROR;
    if (json) {
        char *s = json_dumps(ans, JSON_COMPACT | JSON_REAL_PRECISION(10));
        if (s)
            printf("%s\n", s);
        free(s);
    }
    if (!json_is_true(json_object_get(ans, "ok"))) {
        json_t *e = json_object_get(ans, "error");
        if (!json)
            fprintf(stderr, "%s: %s\n", prog, sp_str(e, "message"));
        const char *codename = sp_str(e, "code");
        code = !strcmp(codename, srch_status_code(SRCH_ERR_BAD_REQUEST)) ? EXIT_USAGE : EXIT_ERROR;
    } else if (stats) {
        if (!json)
            sp_print_stats(ans);
        code = EXIT_HITS;
    } else if (suggest) {
        if (!json)
            sp_print_suggest(ans);
        code = json_array_size(json_object_get(ans, "completions")) ||
                       json_array_size(json_object_get(ans, "titles"))
                   ? EXIT_HITS
                   : EXIT_NOHITS;
    } else {
        if (!json)
            sp_print_human(ans, isatty(STDOUT_FILENO));
        code = json_array_size(json_object_get(ans, "hits")) ? EXIT_HITS : EXIT_NOHITS;
        if (empty_db)
            fprintf(stderr,
                    "%s: the database holds no post yet: index some with socasma-index "
                    "(socasma-index --help)\n",
                    prog);
    }
    json_decref(ans);
    return code;

bad_usage:
    json_decref(req);
    json_decref(cats);
    json_decref(tags);
    return EXIT_USAGE;
}
