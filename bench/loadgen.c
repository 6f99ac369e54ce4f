/* loadgen.c: the daemon's load generator. N connections, each a thread
 * keeping up to M requests in flight (pipelined); every query of a TSV file
 * (id, lang, text: the eval questions) is sent as a search, the set repeated
 * R times. Reports queries/s and the round-trip latency p50/p99.
 *   loadgen (-U PATH | -T HOST:PORT) -f QUERIES.tsv [-c CONNS] [-m DEPTH]
 *           [-r ROUNDS] [-s SNIPPET_WORDS]
 *   -s 0: without snippets; default: the daemon's configured snippets. */
#include <config.h>

#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char *unix_path, *tcp_addr;
static char **reqs; /* request lines, with '\n' */
static size_t nreqs;
static int depth = 1, rounds = 1;

typedef struct {
    pthread_t th;
    int idx;
    double *lat;
    size_t nlat;
    size_t errors;
} worker;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int dial(void)
{
    int fd;
    if (unix_path) {
        struct sockaddr_un a;
        memset(&a, 0, sizeof a);
        a.sun_family = AF_UNIX;
        snprintf(a.sun_path, sizeof a.sun_path, "%s", unix_path);
        fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
            return -1;
        return fd;
    }
    char host[128];
    snprintf(host, sizeof host, "%s", tcp_addr);
    char *colon = strrchr(host, ':');
    if (!colon)
        return -1;
    *colon = '\0';
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)atoi(colon + 1));
    inet_pton(AF_INET, host, &a.sin_addr);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
        return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static void *run(void *arg)
{
    worker *w = arg;
    int fd = dial();
    if (fd < 0) {
        perror("loadgen: connect");
        return NULL;
    }
    size_t total = nreqs * (size_t)rounds;
    w->lat = malloc(total * sizeof *w->lat);
    double *sent = malloc(total * sizeof *sent);
    size_t next_send = 0, next_recv = 0;
    size_t cap = 1 << 20, len = 0;
    char *buf = malloc(cap);
    while (next_recv < total) {
        while (next_send < total && next_send - next_recv < (size_t)depth) {
            /* Each connection starts at a different place in the list. */
            const char *r = reqs[(next_send + (size_t)w->idx * 37) % nreqs];
            sent[next_send] = now();
            size_t n = strlen(r), off = 0;
            while (off < n) {
                ssize_t k = write(fd, r + off, n - off);
                if (k <= 0)
                    goto out;
                off += (size_t)k;
            }
            next_send++;
        }
        if (len == cap)
            buf = realloc(buf, cap *= 2);
        ssize_t k = read(fd, buf + len, cap - len);
        if (k <= 0)
            break;
        len += (size_t)k;
        char *p = buf, *nl;
        while ((nl = memchr(p, '\n', len - (size_t)(p - buf)))) {
            double t = now();
            if (strncmp(p, "{\"ok\":true", 10) != 0)
                w->errors++;
            w->lat[w->nlat++] = (t - sent[next_recv]) * 1000.0;
            next_recv++;
            p = nl + 1;
        }
        len -= (size_t)(p - buf);
        memmove(buf, p, len);
    }
out:
    close(fd);
    free(buf);
    free(sent);
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    const char *file = NULL;
    int conns = 1, snippet = -1, o;
    while ((o = getopt(argc, argv, "U:T:f:c:m:r:s:")) != -1) {
        switch (o) {
        case 'U': unix_path = optarg; break;
        case 'T': tcp_addr = optarg; break;
        case 'f': file = optarg; break;
        case 'c': conns = atoi(optarg); break;
        case 'm': depth = atoi(optarg); break;
        case 'r': rounds = atoi(optarg); break;
        case 's': snippet = atoi(optarg); break;
        default: return 2;
        }
    }
    if ((!unix_path && !tcp_addr) || !file || conns < 1 || depth < 1 || rounds < 1) {
        fprintf(stderr, "usage: loadgen (-U PATH | -T HOST:PORT) -f QUERIES.tsv [-c N] [-m DEPTH] [-r ROUNDS] [-s WORDS]\n");
        return 2;
    }
    FILE *f = fopen(file, "r");
    if (!f) {
        perror(file);
        return 1;
    }
    char line[8192];
    size_t cap = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *t1 = strchr(line, '\t');
        char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        const char *q = t2 ? t2 + 1 : line;
        json_t *r = json_pack("{s:s,s:s,s:i}", "op", "search", "q", q, "limit", 10);
        if (!r)
            continue; /* not UTF-8 */
        if (snippet >= 0)
            json_object_set_new(r, "snippet", json_integer(snippet));
        char *s = json_dumps(r, JSON_COMPACT);
        json_decref(r);
        if (nreqs == cap)
            reqs = realloc(reqs, (cap = cap ? cap * 2 : 256) * sizeof *reqs);
        size_t n = strlen(s);
        reqs[nreqs] = malloc(n + 2);
        memcpy(reqs[nreqs], s, n);
        reqs[nreqs][n] = '\n';
        reqs[nreqs][n + 1] = '\0';
        nreqs++;
        free(s);
    }
    fclose(f);
    if (nreqs == 0)
        return 1;
    worker *ws = calloc((size_t)conns, sizeof *ws);
    double t0 = now();
    for (int i = 0; i < conns; i++) {
        ws[i].idx = i;
        pthread_create(&ws[i].th, NULL, run, &ws[i]);
    }
    size_t n = 0, errors = 0;
    for (int i = 0; i < conns; i++) {
        pthread_join(ws[i].th, NULL);
        n += ws[i].nlat;
        errors += ws[i].errors;
    }
    double secs = now() - t0;
    double *all = malloc((n ? n : 1) * sizeof *all);
    size_t k = 0;
    for (int i = 0; i < conns; i++) {
        memcpy(all + k, ws[i].lat, ws[i].nlat * sizeof *all);
        k += ws[i].nlat;
        free(ws[i].lat);
    }
    qsort(all, n, sizeof *all, cmp);
    double p50 = n ? all[(size_t)(0.5 * (double)(n - 1) + 0.5)] : 0;
    double p99 = n ? all[(size_t)(0.99 * (double)(n - 1) + 0.5)] : 0;
    printf("connections %d depth %d queries %zu errors %zu qps %.0f p50 %.3f ms p99 %.3f ms\n",
           conns, depth, n, errors, (double)n / secs, p50, p99);
    free(all);
    free(ws);
    for (size_t i = 0; i < nreqs; i++)
        free(reqs[i]);
    free(reqs);
    return errors ? 1 : 0;
}
