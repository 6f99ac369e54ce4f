/* inproc.c: the same searches as bench/loadgen, in-process through
 * srch_search on one engine (no daemon): the floor the daemon's round trip
 * is compared with in bench/daemon. Also prints where the time goes, per
 * phase of srch_search (srch_engine_timings) and for the JSON encoding.
 *   inproc DB QUERIES.tsv [SNIPPET_WORDS] */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf/conf.h"
#include "search/search.h"

#define NPHASE 6

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: inproc DB QUERIES.tsv [SNIPPET_WORDS]\n");
        return 2;
    }
    cfg_config cfg;
    char err[512];
    if (cfg_load(&cfg, NULL, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    srch_engine *e;
    if (srch_engine_new(argv[1], &cfg.search, &e) != SRCH_OK)
        return 1;
    FILE *f = fopen(argv[2], "r");
    if (!f)
        return 1;
    double *lat = NULL;
    size_t n = 0, cap = 0, errors = 0;
    char line[8192];
    double *phase[NPHASE] = {0}, sum[NPHASE] = {0};
    double t0 = now();
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *t1 = strchr(line, '\t');
        char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        srch_request req;
        srch_request_init(&req);
        req.q = t2 ? t2 + 1 : line;
        if (argc > 3)
            req.snippet_words = atoi(argv[3]);
        srch_timings before, after;
        srch_engine_timings(e, &before);
        double t = now();
        json_t *out = NULL;
        if (srch_search(e, &req, &out) != SRCH_OK)
            errors++;
        /* The daemon also encodes the answer: so does this. */
        double tj = now();
        char *s = out ? json_dumps(out, JSON_COMPACT) : NULL;
        double json_ms = (now() - tj) * 1000.0;
        free(s);
        json_decref(out);
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            lat = realloc(lat, cap * sizeof *lat);
            for (int k = 0; k < NPHASE; k++)
                phase[k] = realloc(phase[k], cap * sizeof **phase);
            if (!lat)
                return 1;
            for (int k = 0; k < NPHASE; k++)
                if (!phase[k])
                    return 1;
        }
        lat[n] = (now() - t) * 1000.0;
        srch_engine_timings(e, &after);
        double d[NPHASE] = {after.parse_ms - before.parse_ms, after.match_ms - before.match_ms,
                            after.fetch_ms - before.fetch_ms,
                            after.snippet_ms - before.snippet_ms,
                            after.spelling_ms - before.spelling_ms, json_ms};
        for (int k = 0; k < NPHASE; k++) {
            phase[k][n] = d[k];
            sum[k] += d[k];
        }
        n++;
    }
    double secs = now() - t0;
    fclose(f);
    qsort(lat, n, sizeof *lat, cmp);
    if (n)
        printf("in-process queries %zu errors %zu qps %.0f p50 %.3f ms p99 %.3f ms\n", n, errors,
               (double)n / secs, lat[(size_t)(0.5 * (double)(n - 1) + 0.5)],
               lat[(size_t)(0.99 * (double)(n - 1) + 0.5)]);
    /* Where the time goes, per phase: mean and median over the queries. */
    static const char *names[NPHASE] = {"parse", "match", "fetch", "snippets", "spelling", "json"};
    if (n) {
        printf("in-process phases (mean/p50 ms):");
        for (int k = 0; k < NPHASE; k++) {
            qsort(phase[k], n, sizeof *phase[k], cmp);
            printf(" %s %.3f/%.3f", names[k], sum[k] / (double)n, phase[k][(n - 1) / 2]);
        }
        printf("\n");
    }
    for (int k = 0; k < NPHASE; k++)
        free(phase[k]);
    free(lat);
    srch_engine_free(e);
    cfg_free(&cfg);
    return 0;
}
