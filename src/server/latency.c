/* latency.c: request latencies kept in a ring of recent samples, and their
 * percentiles for the stats op. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "server/server.h"

void srv_latency_init(srv_latency *l)
{
    l->n = 0;
    l->next = 0;
}

void srv_latency_add(srv_latency *l, double ms)
{
    l->samples[l->next] = ms;
    l->next = (l->next + 1) % SRV_LAT_SAMPLES;
    if (l->n < SRV_LAT_SAMPLES)
        l->n++;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double srv_latency_percentile(const srv_latency *l, double p)
{
    if (l->n == 0)
        return 0;
    double *s = malloc(l->n * sizeof *s);
    if (!s)
        return 0;
    memcpy(s, l->samples, l->n * sizeof *s);
    qsort(s, l->n, sizeof *s, cmp_double);
    size_t i = (size_t)(p / 100.0 * (double)l->n);
    if (i > 0 && (double)i >= p / 100.0 * (double)l->n)
        i--;
    if (i >= l->n)
        i = l->n - 1;
    double v = s[i];
    free(s);
    return v;
}
