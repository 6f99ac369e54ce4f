/* test-conf.c: unit tests of the configuration loader (src/conf/conf.h):
 * defaults, every key, relative paths, the choice of file, and every error
 * with its file and line. Config files are written to a temporary
 * directory. */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "lib/testhelp.h"

static char *tmp;

static void setup(void)
{
    tmp = th_tmpdir("conf");
    ck_assert_ptr_nonnull(tmp);
    unsetenv("SOCASMA_CONFIG");
}

static void teardown(void)
{
    th_rmtree(tmp);
    free(tmp);
}

/* Writes text to TMP/name and returns the malloc'ed path. */
static char *write_conf(const char *name, const char *text)
{
    char *p = th_path(tmp, name);
    ck_assert_int_eq(th_write_file(p, text, strlen(text)), 0);
    return p;
}

/* Loads text and expects failure with an error exactly "PATH:SUFFIX". */
static void expect_error(const char *text, const char *suffix)
{
    char *p = write_conf("bad.conf", text);
    cfg_config c;
    char err[512];
    ck_assert_int_eq(cfg_load(&c, p, err, sizeof err), -1);
    char want[1024];
    snprintf(want, sizeof want, "%s:%s", p, suffix);
    ck_assert_str_eq(err, want);
    /* On error c holds the defaults only. */
    ck_assert_uint_eq(c.title_weight, 3);
    ck_assert_ptr_null(c.path);
    cfg_free(&c);
    free(p);
}

START_TEST(test_defaults)
{
    cfg_config c;
    ck_assert_int_eq(cfg_defaults(&c), 0);
    ck_assert_str_eq(c.db_path, "index/socasma.db");
    ck_assert_ptr_null(c.glossary_path);
    ck_assert_uint_eq(c.title_weight, 3);
    ck_assert_ptr_null(c.socket_path);
    ck_assert_uint_eq(c.socket_mode, 0660);
    ck_assert_ptr_null(c.socket_group);
    ck_assert_str_eq(c.listen, "127.0.0.1:7700");
    ck_assert_int_eq(c.allow_remote, 0);
    ck_assert_uint_eq(c.threads, 0);
    ck_assert_uint_eq(c.queue_max, 256);
    ck_assert_uint_eq(c.max_connections, 1024);
    ck_assert_uint_eq(c.idle_timeout_ms, 60000);
    ck_assert_uint_eq(c.spin_us, 200);
    ck_assert_uint_eq(c.max_line, 16384);
    ck_assert_uint_eq(c.request_timeout_ms, 5000);
    ck_assert_ptr_null(c.pid_file);
    ck_assert_ptr_null(c.access_log);
    ck_assert_int_eq(c.log_queries, 0);
    ck_assert_uint_eq(c.search.snippet_words, 30);
    ck_assert_uint_eq(c.search.max_limit, 100);
    ck_assert_uint_eq(c.search.default_limit, 10);
    ck_assert_uint_eq(c.search.wildcard_max, 100);
    ck_assert_uint_eq(c.search.max_query_bytes, 1024);
    ck_assert_double_eq_tol(c.search.bm25_k1, 1.2, 1e-9);
    ck_assert_double_eq_tol(c.search.bm25_b, 0.75, 1e-9);
    ck_assert_uint_eq(c.search.exact_total, 10000);
    ck_assert_ptr_null(c.export_command);
    ck_assert_double_eq_tol(c.prune_max_share, 0.20, 1e-9);
    ck_assert_ptr_null(c.path);
    cfg_free(&c);
    ck_assert_ptr_null(c.db_path);
}
END_TEST

START_TEST(test_every_key)
{
    char *p = write_conf("all.conf",
        "; every key\n"
        "# comment\n"
        "[index]\n"
        "database = /srv/db\n"
        "glossary = syn.txt\n"
        "title_weight = 5\n"
        "\n"
        "[server]\n"
        "socket = run/s.sock\n"
        "socket_mode = 0600\n"
        "socket_group = www-data\n"
        "listen = [::1]:8800\n"
        "allow_remote = no\n"
        "threads = 4\n"
        "queue = 17\n"
        "max_connections = 99\n"
        "idle_timeout = 1234\n"
        "max_line = 4096\n"
        "request_timeout = 777\n"
        "spin = 0\n"
        "pid_file = /run/x.pid\n"
        "access_log = -\n"
        "log_queries = yes\n"
        "[search]\n"
        "snippet_words = 12\n"
        "max_limit = 50\n"
        "default_limit = 20\n"
        "wildcard_max = 300\n"
        "max_query = 2048\n"
        "bm25_k1 = 0.9\n"
        "bm25_b = 0.4\n"
        "exact_total = 500\n"
        "[reindex]\n"
        "export_command = wp export --stdout --post_type=post\n"
        "prune_max_share = 0.05\n");
    cfg_config c;
    char err[512];
    ck_assert_msg(cfg_load(&c, p, err, sizeof err) == 0, "%s", err);
    ck_assert_str_eq(c.db_path, "/srv/db");
    char want[1024];
    snprintf(want, sizeof want, "%s/syn.txt", tmp);
    ck_assert_str_eq(c.glossary_path, want);
    ck_assert_uint_eq(c.title_weight, 5);
    snprintf(want, sizeof want, "%s/run/s.sock", tmp);
    ck_assert_str_eq(c.socket_path, want);
    ck_assert_uint_eq(c.socket_mode, 0600);
    ck_assert_str_eq(c.socket_group, "www-data");
    ck_assert_str_eq(c.listen, "[::1]:8800");
    ck_assert_int_eq(c.allow_remote, 0);
    ck_assert_uint_eq(c.threads, 4);
    ck_assert_uint_eq(c.queue_max, 17);
    ck_assert_uint_eq(c.max_connections, 99);
    ck_assert_uint_eq(c.idle_timeout_ms, 1234);
    ck_assert_uint_eq(c.max_line, 4096);
    ck_assert_uint_eq(c.request_timeout_ms, 777);
    ck_assert_uint_eq(c.spin_us, 0);
    ck_assert_str_eq(c.pid_file, "/run/x.pid");
    ck_assert_str_eq(c.access_log, "-");
    ck_assert_int_eq(c.log_queries, 1);
    ck_assert_uint_eq(c.search.snippet_words, 12);
    ck_assert_uint_eq(c.search.max_limit, 50);
    ck_assert_uint_eq(c.search.default_limit, 20);
    ck_assert_uint_eq(c.search.wildcard_max, 300);
    ck_assert_uint_eq(c.search.max_query_bytes, 2048);
    ck_assert_double_eq_tol(c.search.bm25_k1, 0.9, 1e-9);
    ck_assert_double_eq_tol(c.search.bm25_b, 0.4, 1e-9);
    ck_assert_uint_eq(c.search.exact_total, 500);
    ck_assert_str_eq(c.export_command, "wp export --stdout --post_type=post");
    ck_assert_double_eq_tol(c.prune_max_share, 0.05, 1e-9);
    ck_assert_str_eq(c.path, p);
    cfg_free(&c);
    free(p);
}
END_TEST

START_TEST(test_partial_keeps_defaults_and_empty_means_none)
{
    char *p = write_conf("part.conf",
        "[server]\nlisten =\nthreads = 2\n[index]\nglossary =\n");
    cfg_config c;
    char err[512];
    ck_assert_msg(cfg_load(&c, p, err, sizeof err) == 0, "%s", err);
    ck_assert_ptr_null(c.listen);
    ck_assert_ptr_null(c.glossary_path);
    ck_assert_uint_eq(c.threads, 2);
    ck_assert_str_eq(c.db_path, "index/socasma.db");
    ck_assert_uint_eq(c.search.max_limit, 100);
    cfg_free(&c);
    free(p);
}
END_TEST

START_TEST(test_later_value_wins_and_override)
{
    char *p = write_conf("twice.conf", "[search]\nmax_limit = 40\nmax_limit = 60\n");
    cfg_config c;
    char err[512];
    ck_assert_msg(cfg_load(&c, p, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(c.search.max_limit, 60);
    /* What a program does with a command-line flag after loading. */
    ck_assert_int_eq(cfg_set_string(&c.db_path, "/flag/db"), 0);
    ck_assert_str_eq(c.db_path, "/flag/db");
    ck_assert_int_eq(cfg_set_string(&c.socket_path, NULL), 0);
    ck_assert_ptr_null(c.socket_path);
    cfg_free(&c);
    free(p);
}
END_TEST

START_TEST(test_relative_to_file_dir)
{
    char *sub = th_path(tmp, "etc");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", sub);
    ck_assert_int_eq(system(cmd), 0);
    char *p = th_path(sub, "x.conf");
    const char *text = "[index]\ndatabase = ../var/db\n[server]\npid_file = p.pid\n";
    ck_assert_int_eq(th_write_file(p, text, strlen(text)), 0);
    cfg_config c;
    char err[512];
    ck_assert_msg(cfg_load(&c, p, err, sizeof err) == 0, "%s", err);
    char want[1024];
    snprintf(want, sizeof want, "%s/../var/db", sub);
    ck_assert_str_eq(c.db_path, want);
    snprintf(want, sizeof want, "%s/p.pid", sub);
    ck_assert_str_eq(c.pid_file, want);
    cfg_free(&c);
    free(p);
    free(sub);
}
END_TEST

START_TEST(test_env_chooses_file)
{
    char *p = write_conf("env.conf", "[index]\ntitle_weight = 7\n");
    setenv("SOCASMA_CONFIG", p, 1);
    cfg_config c;
    char err[512];
    ck_assert_msg(cfg_load(&c, NULL, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(c.title_weight, 7);
    ck_assert_str_eq(c.path, p);
    cfg_free(&c);
    /* An explicit path beats the environment. */
    char *q = write_conf("flag.conf", "[index]\ntitle_weight = 9\n");
    ck_assert_msg(cfg_load(&c, q, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(c.title_weight, 9);
    cfg_free(&c);
    unsetenv("SOCASMA_CONFIG");
    free(p);
    free(q);
}
END_TEST

START_TEST(test_missing_file)
{
    char *p = th_path(tmp, "nope.conf");
    cfg_config c;
    char err[512];
    ck_assert_int_eq(cfg_load(&c, p, err, sizeof err), -1);
    char want[1024];
    snprintf(want, sizeof want, "%s: No such file or directory", p);
    ck_assert_str_eq(err, want);
    cfg_free(&c);
    free(p);
}
END_TEST

START_TEST(test_remote_allowed)
{
    char *p = write_conf("remote.conf",
        "[server]\nlisten = 0.0.0.0:7700\nallow_remote = yes\n");
    cfg_config c;
    char err[512];
    ck_assert_msg(cfg_load(&c, p, err, sizeof err) == 0, "%s", err);
    ck_assert_str_eq(c.listen, "0.0.0.0:7700");
    ck_assert_int_eq(c.allow_remote, 1);
    cfg_free(&c);
    free(p);
    p = write_conf("lo.conf", "[server]\nlisten = localhost:80\n");
    ck_assert_msg(cfg_load(&c, p, err, sizeof err) == 0, "%s", err);
    cfg_free(&c);
    free(p);
}
END_TEST

START_TEST(test_errors)
{
    expect_error("[index]\ndatabase = x\n[web]\nport = 1\n", "3: unknown section [web]");
    expect_error("[index]\n[empty]\n", "2: unknown section [empty]");
    expect_error("[index]\n\ndatabse = x\n", "3: unknown key \"databse\" in [index]");
    expect_error("[search]\nsocket = x\n", "2: unknown key \"socket\" in [search]");
    expect_error("title_weight = 3\n",
                 "1: title_weight: key outside a section ([index], [server], [search], [reindex])");
    expect_error("[index]\ndatabase =\n", "2: database: must name a directory");
    expect_error("[index]\ntitle_weight = 0\n", "2: title_weight: 0 is out of range (1 to 100)");
    expect_error("[index]\ntitle_weight = three\n",
                 "2: title_weight: expected a whole number, got \"three\"");
    expect_error("[server]\nthreads = -1\n", "2: threads: expected a whole number, got \"-1\"");
    expect_error("[server]\nthreads = 100000000000000000000000\n",
                 "2: threads: 100000000000000000000000 is out of range (0 to 256)");
    expect_error("[server]\nqueue = 0\n", "2: queue: 0 is out of range (1 to 1000000)");
    expect_error("[server]\nmax_connections = 12x\n",
                 "2: max_connections: expected a whole number, got \"12x\"");
    expect_error("[server]\nspin = 100001\n", "2: spin: 100001 is out of range (0 to 100000)");
    expect_error("[server]\nidle_timeout = 5\n",
                 "2: idle_timeout: 5 is out of range (100 to 86400000)");
    expect_error("[server]\nmax_line = 10\n", "2: max_line: 10 is out of range (256 to 16777216)");
    expect_error("[server]\nrequest_timeout = 1\n",
                 "2: request_timeout: 1 is out of range (10 to 3600000)");
    expect_error("[server]\nsocket_mode = 0689\n",
                 "2: socket_mode: expected an octal mode such as 0660, got \"0689\"");
    expect_error("[server]\nsocket_mode = rw\n",
                 "2: socket_mode: expected an octal mode such as 0660, got \"rw\"");
    expect_error("[server]\nsocket_mode = 1777\n", "2: socket_mode: 1777 is out of range (0 to 0777)");
    expect_error("[server]\nallow_remote = maybe\n",
                 "2: allow_remote: expected yes or no, got \"maybe\"");
    expect_error("[server]\nlog_queries = 1\n", "2: log_queries: expected yes or no, got \"1\"");
    expect_error("[server]\nlisten = 7700\n",
                 "2: listen: expected HOST:PORT (or [IPV6]:PORT, or empty for none), got \"7700\"");
    expect_error("[server]\nlisten = 127.0.0.1:99999\n",
                 "2: listen: expected HOST:PORT (or [IPV6]:PORT, or empty for none), got \"127.0.0.1:99999\"");
    expect_error("[server]\nlisten = ::1:80\n",
                 "2: listen: expected HOST:PORT (or [IPV6]:PORT, or empty for none), got \"::1:80\"");
    expect_error("[server]\nthreads = 1\nlisten = 0.0.0.0:7700\n",
                 "3: listen: 0.0.0.0:7700 is not a loopback address "
                 "(set allow_remote = yes to serve other hosts)");
    expect_error("[server]\nlisten = 192.168.1.5:80\nallow_remote = no\n",
                 "2: listen: 192.168.1.5:80 is not a loopback address "
                 "(set allow_remote = yes to serve other hosts)");
    expect_error("[search]\nsnippet_words = 0\n", "2: snippet_words: 0 is out of range (1 to 500)");
    expect_error("[search]\nmax_limit = 20000\n", "2: max_limit: 20000 is out of range (1 to 10000)");
    expect_error("[search]\ndefault_limit = 0\n", "2: default_limit: 0 is out of range (1 to 10000)");
    expect_error("[search]\nwildcard_max = 0\n", "2: wildcard_max: 0 is out of range (1 to 100000)");
    expect_error("[search]\nmax_query = 8\n", "2: max_query: 8 is out of range (16 to 1048576)");
    expect_error("[search]\nbm25_k1 = -1\n", "2: bm25_k1: -1 is out of range (0 to 10)");
    expect_error("[search]\nbm25_b = 1.5\n", "2: bm25_b: 1.5 is out of range (0 to 1)");
    expect_error("[search]\nexact_total = -1\n", "2: exact_total: expected a whole number, got \"-1\"");
    expect_error("[search]\nbm25_b = half\n", "2: bm25_b: expected a number, got \"half\"");
    expect_error("[search]\nbm25_k1 = nan\n", "2: bm25_k1: expected a number, got \"nan\"");
    expect_error("[reindex]\nprune_max_share = 2\n", "2: prune_max_share: 2 is out of range (0 to 1)");
    expect_error("[index]\ndatabase = x\nthis line is wrong\n",
                 "3: syntax error (expected [section] or key = value)");
    expect_error("[index\n", "1: syntax error (expected [section] or key = value)");
    expect_error("[search]\nmax_limit = 5\ndefault_limit = 10\n",
                 " default_limit (10) is larger than max_limit (5)");
}
END_TEST

START_TEST(test_first_error_wins)
{
    /* Two bad lines: the message names the first. */
    expect_error("[index]\ntitle_weight = 0\n[bogus]\n", "2: title_weight: 0 is out of range (1 to 100)");
    expect_error("[index]\nnonsense line\ntitle_weight = 0\n",
                 "2: syntax error (expected [section] or key = value)");
}
END_TEST

/* The text of the comment block above line `at` of text (the "#" lines
 * and key lines back to the previous blank line), "# " marks removed and
 * lines joined by spaces; malloc'ed. */
static char *comment_above(const char *text, const char *at)
{
    const char *b = at;
    /* back to the start of the block: just after a blank line */
    while (b > text) {
        const char *ls = b - 1; /* the '\n' ending the previous line */
        const char *p = ls;
        while (p > text && p[-1] != '\n')
            p--;
        if (p == ls)
            break; /* an empty line */
        b = p;
    }
    char *out = calloc(1, (size_t)(at - b) + 1);
    ck_assert_ptr_nonnull(out);
    size_t n = 0;
    for (const char *p = b; p < at; p++) {
        if (*p == '#' && (p == b || p[-1] == '\n')) {
            if (p + 1 < at && p[1] == ' ')
                p++;
            continue;
        }
        out[n++] = *p == '\n' ? ' ' : *p;
    }
    return out;
}

/* The line "name = ..." of [section] in text, or NULL. */
static const char *key_line(const char *text, const char *section, const char *name)
{
    char hdr[64], key[80];
    snprintf(hdr, sizeof hdr, "\n[%s]\n", section);
    snprintf(key, sizeof key, "\n%s =", name);
    const char *sec = strstr(text, hdr);
    if (!sec)
        return NULL;
    const char *next = strstr(sec + 1, "\n[");
    const char *k = strstr(sec, key);
    if (!k || (next && k > next))
        return NULL;
    return k + 1;
}

/* The documented file the project ships: it loads, documents every key of
 * the table in its section with the table's default ("Default: X") and
 * range ("A to B"), and its values are the defaults, except the paths of
 * an installed system. */
START_TEST(test_shipped_file)
{
    static const char *const installed[] = {"database", "glossary", "socket", "access_log"};
    char *p = th_path(th_srcdir(), "conf/socasma-search.conf.in");
    size_t len;
    char *text = th_read_file(p, &len);
    ck_assert_ptr_nonnull(text);
    cfg_config c, d;
    char err[512];
    ck_assert_msg(cfg_load(&c, p, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(cfg_defaults(&d), 0);
    size_t n;
    const cfg_key *keys = cfg_keys(&n);
    ck_assert_uint_ge(n, 20);
    for (size_t i = 0; i < n; i++) {
        const cfg_key *k = &keys[i];
        const char *line = key_line(text, k->section, k->name);
        ck_assert_msg(line != NULL, "[%s] %s is not in the documented file", k->section, k->name);
        char *doc = comment_above(text, line);
        /* the default */
        char want[128];
        snprintf(want, sizeof want, "%s", k->def ? k->def : "none");
        char def1[160], defs[160];
        snprintf(def1, sizeof def1, "Default: %s", want);
        snprintf(defs, sizeof defs, "Defaults: ");
        ck_assert_msg(strstr(doc, def1) || (strstr(doc, defs) && strstr(doc, want)),
                      "[%s] %s: the comment does not say \"%s\": %s", k->section, k->name, def1,
                      doc);
        /* the range */
        if (k->type == CFG_T_UINT || k->type == CFG_T_SIZE || k->type == CFG_T_DOUBLE ||
            k->type == CFG_T_MODE) {
            char range[80];
            if (k->type == CFG_T_MODE)
                snprintf(range, sizeof range, "%#lo to %#lo", (unsigned long)k->lo,
                         (unsigned long)k->hi);
            else
                snprintf(range, sizeof range, "%.15g to %.15g", k->lo, k->hi);
            ck_assert_msg(strstr(doc, range), "[%s] %s: the comment does not say \"%s\": %s",
                          k->section, k->name, range, doc);
        }
        free(doc);
        /* the value shown is the default */
        int inst = 0;
        for (size_t j = 0; j < sizeof installed / sizeof installed[0]; j++)
            inst |= strcmp(k->name, installed[j]) == 0;
        char vc[512], vd[512];
        ck_assert_int_eq(cfg_format(&c, k, vc, sizeof vc), 0);
        ck_assert_int_eq(cfg_format(&d, k, vd, sizeof vd), 0);
        if (!inst)
            ck_assert_msg(strcmp(vc, vd) == 0, "[%s] %s: the file shows %s, the default is %s",
                          k->section, k->name, vc, vd);
    }
    /* The installed paths: the template still holds @pkglocalstatedir@,
     * a relative path then. */
    ck_assert_ptr_nonnull(strstr(c.db_path, "/@pkglocalstatedir@/socasma.db"));
    ck_assert_str_eq(c.socket_path, "/run/socasma-search/socasma.sock");
    ck_assert_ptr_nonnull(strstr(c.glossary_path, "conf/synonyms.txt"));
    ck_assert_str_eq(c.access_log, "-");
    cfg_free(&c);
    cfg_free(&d);
    free(text);
    free(p);
}
END_TEST

/* The table: defaults within their bounds, every field distinct. */
START_TEST(test_table)
{
    size_t n;
    const cfg_key *keys = cfg_keys(&n);
    cfg_config d;
    ck_assert_int_eq(cfg_defaults(&d), 0);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < i; j++) {
            ck_assert_msg(keys[i].offset != keys[j].offset, "%s and %s share a field",
                          keys[i].name, keys[j].name);
            ck_assert(strcmp(keys[i].name, keys[j].name) || strcmp(keys[i].section, keys[j].section));
        }
        if (keys[i].type == CFG_T_UINT || keys[i].type == CFG_T_SIZE ||
            keys[i].type == CFG_T_DOUBLE || keys[i].type == CFG_T_MODE) {
            ck_assert_ptr_nonnull(keys[i].def);
            ck_assert(keys[i].lo <= keys[i].hi);
        }
        /* a value written by cfg_format reads back to the same value */
        char v[512], path[600], text[800];
        ck_assert_int_eq(cfg_format(&d, &keys[i], v, sizeof v), 0);
        if (keys[i].type == CFG_T_PATH)
            continue; /* joined to the file's directory */
        snprintf(text, sizeof text, "[%s]\n%s = %s\n", keys[i].section, keys[i].name, v);
        char *f = write_conf("one.conf", text);
        cfg_config c;
        char err[512];
        ck_assert_msg(cfg_load(&c, f, err, sizeof err) == 0, "%s", err);
        ck_assert_int_eq(cfg_format(&c, &keys[i], path, sizeof path), 0);
        ck_assert_str_eq(path, v);
        cfg_free(&c);
        free(f);
    }
    cfg_free(&d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("conf");
    TCase *tc = tcase_create("conf");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_every_key);
    tcase_add_test(tc, test_partial_keeps_defaults_and_empty_means_none);
    tcase_add_test(tc, test_later_value_wins_and_override);
    tcase_add_test(tc, test_relative_to_file_dir);
    tcase_add_test(tc, test_env_chooses_file);
    tcase_add_test(tc, test_missing_file);
    tcase_add_test(tc, test_remote_allowed);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_first_error_wins);
    tcase_add_test(tc, test_shipped_file);
    tcase_add_test(tc, test_table);
    suite_add_tcase(s, tc);
    return th_run_suite(s, 0);
}
