/* liveclient.c: writers and searchers at once against the daemon, for the
 * live index's tests (tests/live/) and its benchmark (bench/live).
 *
 *   liveclient -U SOCK -f POSTS.jsonl [-w WRITERS] [-n PUTS] [-s SEARCHERS]
 *              [-d SECONDS] [-P PREFIX] [-i MS] [-o FROM] [-V] [-L] [-S SOCK2]
 *
 * Each of WRITERS threads opens its own connection and puts PUTS posts one
 * at a time (a put, then its answer, then the next), each a post of
 * POSTS.jsonl (taken in turn) with the id PREFIX-W-I and a word of its own
 * (PREFIX, W, "q" and I) added to its title; -i MS pauses each writer that
 * many milliseconds after each answer (a site's pace rather than flat out).
 * SEARCHERS threads search meanwhile, each on its own connection, the first
 * two words of a post's title at a time, until the writers are done (or for
 * SECONDS when there are no writers, or until a SIGTERM); searcher K takes
 * the posts in turn from FROM + K x POSTS / SEARCHERS (-o FROM, default 0),
 * so that two searchers do not ask the same questions, and a run given
 * another FROM asks questions that the daemon's memos have not seen.
 * -V then checks, on a new connection, that every acknowledged post is
 * there: `doc` by id, and a search for its own
 * word whose hits hold its id. -L asks `doc` for each post on another
 * connection right after its put is answered (visible at once?), and with
 * -S SOCK2 also through a second daemon on the same database, polling
 * until it is found (milliseconds).
 *
 * Prints one JSON line: puts acknowledged and failed, puts/s, searches,
 * searches failed, search latency p50/p99 (ms), posts missing after -V,
 * posts visible at once, second daemon's delay p50/max. Exit 0 when no put
 * and no search failed and nothing is missing, else 1 (2: usage). */
#include <config.h>

#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char *sock_path, *sock2_path, *prefix = "zqlive";
static json_t **posts;
static size_t nposts;
static int nwriters = 1, nputs = 100, nsearchers = 0, verify = 0, visibility = 0, pause_ms = 0;
static long search_from = 0;
static double duration = 5;
static volatile sig_atomic_t stopping; /* SIGTERM: the searches end early */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static volatile int writers_done;
static long acked, put_failed, searches, search_failed, visible_now, visible_checked;
static double *lat;
static size_t nlat, caplat;
static double *lat2;
static size_t nlat2;
static char **acked_ids, **acked_words;
static size_t nacked;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

typedef struct {
    int fd;
    char buf[1 << 16];
    size_t len, pos;
    char *line;
    size_t cap;
} conn;

static int dial(conn *c, const char *path)
{
    memset(c, 0, sizeof *c);
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
    c->fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&a, sizeof a) < 0) {
        perror(path);
        return -1;
    }
    return 0;
}

static void hangup(conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    free(c->line);
    c->line = NULL;
}

/* Sends one line, reads one answer line into c->line. 0 or -1. */
static int ask(conn *c, const char *req)
{
    size_t n = strlen(req);
    const char *p = req;
    while (n) {
        ssize_t w = write(c->fd, p, n);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    if (write(c->fd, "\n", 1) != 1)
        return -1;
    size_t ll = 0;
    for (;;) {
        if (c->pos == c->len) {
            ssize_t r = read(c->fd, c->buf, sizeof c->buf);
            if (r <= 0)
                return -1;
            c->len = (size_t)r;
            c->pos = 0;
        }
        char *nl = memchr(c->buf + c->pos, '\n', c->len - c->pos);
        size_t take = nl ? (size_t)(nl - (c->buf + c->pos)) : c->len - c->pos;
        if (ll + take + 1 > c->cap) {
            c->cap = (ll + take + 1) * 2;
            c->line = realloc(c->line, c->cap);
        }
        memcpy(c->line + ll, c->buf + c->pos, take);
        ll += take;
        c->pos += take + (nl ? 1 : 0);
        if (nl) {
            c->line[ll] = '\0';
            return 0;
        }
    }
}

static int answer_ok(const char *line)
{
    return strncmp(line, "{\"ok\":true", 10) == 0;
}

static void add_lat(double **arr, size_t *n, double v)
{
    pthread_mutex_lock(&mu);
    if (*n == caplat) {
        caplat = caplat ? caplat * 2 : 4096;
        lat = realloc(lat, caplat * sizeof *lat);
        lat2 = realloc(lat2, caplat * sizeof *lat2);
    }
    (*arr)[(*n)++] = v;
    pthread_mutex_unlock(&mu);
}

static void *writer(void *arg)
{
    long w = (long)arg;
    conn c, v, v2;
    if (dial(&c, sock_path) < 0)
        return NULL;
    int have_v = visibility && dial(&v, sock_path) == 0;
    int have_v2 = visibility && sock2_path && dial(&v2, sock2_path) == 0;
    for (int i = 0; i < nputs; i++) {
        json_t *p = json_deep_copy(posts[((size_t)w * 7919u + (size_t)i) % nposts]);
        char id[64], word[64];
        snprintf(id, sizeof id, "%s-%ld-%d", prefix, w, i);
        /* ends in a digit: no stemmer shortens it into another's; of one
         * length: none is another's beginning */
        snprintf(word, sizeof word, "%s%03ldq%06d", prefix, w, i);
        const char *t = json_string_value(json_object_get(p, "title"));
        char *title = malloc(strlen(t ? t : "") + strlen(word) + 2);
        sprintf(title, "%s %s", word, t ? t : "");
        json_object_set_new(p, "id", json_string(id));
        json_object_set_new(p, "title", json_string(title));
        free(title);
        json_t *req = json_pack("{s:s,s:o}", "op", "put", "post", p);
        char *line = json_dumps(req, JSON_COMPACT);
        json_decref(req);
        int rc = ask(&c, line);
        free(line);
        int ok = rc == 0 && answer_ok(c.line);
        pthread_mutex_lock(&mu);
        if (ok) {
            acked++;
            acked_ids = realloc(acked_ids, (nacked + 1) * sizeof *acked_ids);
            acked_words = realloc(acked_words, (nacked + 1) * sizeof *acked_words);
            acked_ids[nacked] = strdup(id);
            acked_words[nacked++] = strdup(word);
        } else {
            put_failed++;
            if (put_failed <= 3)
                fprintf(stderr, "put %s failed: %s\n", id, rc == 0 ? c.line : "(connection)");
        }
        pthread_mutex_unlock(&mu);
        if (rc != 0)
            break;
        if (ok && have_v) {
            char q[128];
            snprintf(q, sizeof q, "{\"op\":\"doc\",\"doc_id\":\"%s\"}", id);
            int seen = ask(&v, q) == 0 && answer_ok(v.line);
            pthread_mutex_lock(&mu);
            visible_checked++;
            visible_now += seen;
            pthread_mutex_unlock(&mu);
            if (have_v2) {
                double t0 = now_ms();
                while (ask(&v2, q) == 0 && !answer_ok(v2.line) && now_ms() - t0 < 10000)
                    usleep(2000);
                add_lat(&lat2, &nlat2, now_ms() - t0);
            }
        }
        if (pause_ms > 0)
            usleep((useconds_t)pause_ms * 1000u);
    }
    hangup(&c);
    if (have_v)
        hangup(&v);
    if (have_v2)
        hangup(&v2);
    return NULL;
}

static void *searcher(void *arg)
{
    long s = (long)arg;
    conn c;
    if (dial(&c, sock_path) < 0) {
        pthread_mutex_lock(&mu);
        search_failed++;
        pthread_mutex_unlock(&mu);
        return NULL;
    }
    double end = now_ms() + duration * 1000;
    for (size_t i = (size_t)search_from + (size_t)s * (nposts / (size_t)nsearchers);; i++) {
        if (stopping || (nwriters > 0 ? writers_done : now_ms() >= end))
            break;
        const char *t = json_string_value(json_object_get(posts[i % nposts], "title"));
        /* the title's first two words make the query */
        char q[200];
        snprintf(q, sizeof q, "%s", t ? t : "search");
        int sp = 0;
        for (char *p = q; *p; p++)
            if (*p == ' ' && ++sp == 2) {
                *p = '\0';
                break;
            }
        json_t *req = json_pack("{s:s,s:s}", "op", "search", "q", q);
        char *line = json_dumps(req, JSON_COMPACT);
        json_decref(req);
        double t0 = now_ms();
        int rc = ask(&c, line);
        double ms = now_ms() - t0;
        free(line);
        int ok = rc == 0 && answer_ok(c.line);
        pthread_mutex_lock(&mu);
        searches++;
        if (!ok) {
            search_failed++;
            if (search_failed <= 3)
                fprintf(stderr, "search failed: %s\n", rc == 0 ? c.line : "(connection)");
        }
        pthread_mutex_unlock(&mu);
        if (ok)
            add_lat(&lat, &nlat, ms);
        if (rc != 0)
            break;
    }
    hangup(&c);
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double p)
{
    if (!n)
        return 0;
    qsort(v, n, sizeof *v, cmp);
    size_t k = (size_t)(p / 100.0 * (double)(n - 1) + 0.5);
    return v[k];
}

/* Every acknowledged post: found by id, and by its own word. */
static long check_all(void)
{
    conn c;
    if (dial(&c, sock_path) < 0)
        return (long)nacked;
    long missing = 0;
    for (size_t i = 0; i < nacked; i++) {
        char q[256];
        snprintf(q, sizeof q, "{\"op\":\"doc\",\"doc_id\":\"%s\"}", acked_ids[i]);
        int by_id = ask(&c, q) == 0 && answer_ok(c.line);
        snprintf(q, sizeof q, "{\"op\":\"search\",\"q\":\"%s\",\"snippet\":0}", acked_words[i]);
        char needle[100];
        snprintf(needle, sizeof needle, "\"id\":\"%s\"", acked_ids[i]);
        int by_word = ask(&c, q) == 0 && answer_ok(c.line) && strstr(c.line, needle) &&
                      strstr(c.line, "\"total\":1,");
        if (!by_id || !by_word) {
            if (missing < 3)
                fprintf(stderr, "missing %s (by id %d, by word %d)\n", acked_ids[i], by_id,
                        by_word);
            missing++;
        }
    }
    hangup(&c);
    return missing;
}

static void on_term(int sig)
{
    (void)sig;
    stopping = 1;
}

int main(int argc, char **argv)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &sa, NULL);
    const char *file = NULL;
    int o;
    while ((o = getopt(argc, argv, "U:S:f:w:n:s:d:P:i:o:VL")) != -1) {
        switch (o) {
        case 'U': sock_path = optarg; break;
        case 'S': sock2_path = optarg; break;
        case 'f': file = optarg; break;
        case 'w': nwriters = atoi(optarg); break;
        case 'n': nputs = atoi(optarg); break;
        case 's': nsearchers = atoi(optarg); break;
        case 'd': duration = atof(optarg); break;
        case 'P': prefix = optarg; break;
        case 'i': pause_ms = atoi(optarg); break;
        case 'o': search_from = atol(optarg); break;
        case 'V': verify = 1; break;
        case 'L': visibility = 1; break;
        default: return 2;
        }
    }
    if (!sock_path || !file || nwriters < 0 || nsearchers < 0 || nputs < 0 || pause_ms < 0 || search_from < 0)
        return 2;
    FILE *f = fopen(file, "r");
    if (!f) {
        perror(file);
        return 2;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        json_t *p = json_loadb(line, (size_t)n, 0, NULL);
        if (!json_is_object(p)) {
            json_decref(p);
            continue;
        }
        posts = realloc(posts, (nposts + 1) * sizeof *posts);
        posts[nposts++] = p;
    }
    free(line);
    fclose(f);
    if (!nposts)
        return 2;
    pthread_t *wt = calloc((size_t)nwriters + 1, sizeof *wt);
    pthread_t *st = calloc((size_t)nsearchers + 1, sizeof *st);
    for (long i = 0; i < nsearchers; i++)
        pthread_create(&st[i], NULL, searcher, (void *)i);
    double t0 = now_ms();
    for (long i = 0; i < nwriters; i++)
        pthread_create(&wt[i], NULL, writer, (void *)i);
    for (int i = 0; i < nwriters; i++)
        pthread_join(wt[i], NULL);
    double secs = (now_ms() - t0) / 1000;
    writers_done = 1;
    for (int i = 0; i < nsearchers; i++)
        pthread_join(st[i], NULL);
    long missing = verify ? check_all() : 0;
    printf("{\"writers\":%d,\"acked\":%ld,\"put_failed\":%ld,\"seconds\":%.3f,"
           "\"puts_per_s\":%.1f,\"searches\":%ld,\"search_failed\":%ld,"
           "\"search_p50_ms\":%.3f,\"search_p99_ms\":%.3f,\"missing\":%ld,"
           "\"visible_now\":%ld,\"visible_checked\":%ld,\"second_p50_ms\":%.1f,"
           "\"second_max_ms\":%.1f}\n",
           nwriters, acked, put_failed, secs, nwriters && secs > 0 ? (double)acked / secs : 0,
           searches, search_failed, pct(lat, nlat, 50), pct(lat, nlat, 99), missing, visible_now,
           visible_checked, pct(lat2, nlat2, 50), nlat2 ? pct(lat2, nlat2, 100) : 0);
    for (size_t i = 0; i < nposts; i++)
        json_decref(posts[i]);
    free(posts);
    for (size_t i = 0; i < nacked; i++) {
        free(acked_ids[i]);
        free(acked_words[i]);
    }
    free(acked_ids);
    free(acked_words);
    free(lat);
    free(lat2);
    free(wt);
    free(st);
    return put_failed || search_failed || missing ? 1 : 0;
}
