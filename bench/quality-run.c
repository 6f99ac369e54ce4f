/* quality-run.c: runs the questions of a queries TSV (qid<TAB>lang<TAB>text)
 * through the search engine, as a search box sends them (no language hint,
 * no snippets), and prints a run file: qid<TAB>post id<TAB>rank (top 100).
 * With -s, each line also has the hit's score and the answer's total
 * (qid<TAB>post id<TAB>rank<TAB>score<TAB>total), for bench/shards-same.
 * Usage: quality-run [-s] DB QUERIES.tsv > RUN */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "search/search.h"

int main(int argc, char **argv)
{
    int full = argc == 4 && strcmp(argv[1], "-s") == 0;
    if (full) {
        argv++;
        argc--;
    }
    if (argc != 3) {
        fprintf(stderr, "usage: quality-run [-s] DB QUERIES.tsv\n");
        return 2;
    }
    cfg_config cfg;
    char err[512];
    if (cfg_load(&cfg, NULL, err, sizeof err) != 0) {
        fprintf(stderr, "quality-run: %s\n", err);
        return 2;
    }
    srch_engine *e = NULL;
    if (srch_engine_new(argv[1], &cfg.search, &e) != SRCH_OK) {
        fprintf(stderr, "quality-run: cannot create the engine\n");
        return 4;
    }
    FILE *in = fopen(argv[2], "r");
    if (!in) {
        perror(argv[2]);
        return 2;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int status = 0;
    while ((n = getline(&line, &cap, in)) > 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        char *t1 = strchr(line, '\t');
        char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        if (!t2)
            continue;
        *t1 = '\0';
        srch_request r;
        srch_request_init(&r);
        r.q = t2 + 1;
        r.limit = 100;
        r.snippet_words = 0;
        json_t *ans = NULL;
        int rc = srch_search(e, &r, &ans);
        if (rc != SRCH_OK) {
            fprintf(stderr, "quality-run: %s: %s\n", line, srch_errmsg(e));
            status = 4;
            continue;
        }
        json_t *hits = json_object_get(ans, "hits");
        for (size_t i = 0; i < json_array_size(hits); i++) {
            json_t *hit = json_array_get(hits, i);
            printf("%s\t%s\t%zu", line, json_string_value(json_object_get(hit, "id")), i + 1);
            if (full)
                printf("\t%lld\t%lld", (long long)json_integer_value(json_object_get(hit, "score")),
                       (long long)json_integer_value(json_object_get(ans, "total")));
            printf("\n");
        }
        json_decref(ans);
    }
    free(line);
    fclose(in);
    srch_engine_free(e);
    cfg_free(&cfg);
    return status;
}
