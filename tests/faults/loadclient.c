/* loadclient.c: a load client for the fault tests and bench/soak. Well-
 * behaved clients send valid requests and check every answer; hostile ones
 * misbehave on purpose. Prints one summary line on standard output.
 *
 *   loadclient (-U PATH | -T HOST:PORT) [-f REQUESTS] [-c CONNS] [-m DEPTH]
 *              [-1] [-t SECS] [-n N] [-S STOPFILE] [-b BAD -B PERMIL] [-v]
 *              [-w MS] [-p MS] [-a CODE] [-H MODE] [-L LATFILE]
 *   -f FILE   valid requests, one a line, sent in turn (each connection
 *             starts elsewhere in the list); every answer must be
 *             {"ok":true...
 *   -c N      N connections, each its own thread (default 1)
 *   -m DEPTH  requests in flight on a connection, pipelined (default 1)
 *   -1        one-shot: a new connection for each request, closed after
 *             its answer
 *   -t SECS   stop after SECS; -n N: after N requests a connection;
 *             -S FILE: once FILE exists (checked every 20 ms)
 *   -b FILE -B PERMIL  mix in bad requests (one a line) at PERMIL per
 *             thousand: each must get {"ok":false with an error code other
 *             than "internal", and the connection goes on
 *   -v        also print each "total" value seen in the answers and how
 *             often (totals=VALUE:COUNT,...)
 *   -w MS     an answer later than MS (default 30000) is a failure
 *   -p MS     pause MS between an answer and the next request (pacing)
 *   -a CODE   an error answer with this code is allowed (counted apart,
 *             as "allowed", not as a failure), e.g. unavailable
 *   -L FILE   write every latency (ms, one a line) to FILE
 *   -H MODE   a hostile client instead, until stopped:
 *             dribble  a request one byte every second, never ending it
 *             noread   pipelines searches (one every -p MS, default as
 *                      fast as it can) and never reads an answer
 *             huge     endless lines of 1 MiB without a newline, one
 *                      every -p MS (default 100)
 *             hold     connects CONNS times, one after another, sends a
 *                      ping on each; an answered connection is kept open
 *                      until stopped. Prints how many were answered,
 *                      closed by the daemon, refused at connect, or hung
 *                      (no answer nor close within -w).
 * A failure: an answer that is not ok (or, for a bad request, not a clean
 * error), no answer within -w, the daemon closing a connection with
 * requests in flight, or a failed connect. The idle close of a connection
 * with nothing in flight is not one: the client connects again.
 * Exit status: 0, 1 when a well-behaved request failed, 2 on usage. */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char *unix_path, *tcp_addr, *stop_file;
static char allowed_code[80]; /* "code":"CODE" of -a, or empty */
static char **reqs, **bads;
static size_t nreqs, nbads;
static int depth = 1, oneshot, show_totals, bad_permil;
static long per_conn;
static double deadline_s, answer_wait_ms = 30000, pause_ms;
static atomic_int stop_now;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

/* Totals seen (-v): a small table, linear search. */
#define MAX_TOTALS 64
static long tot_value[MAX_TOTALS];
static unsigned long tot_count[MAX_TOTALS];
static int ntot;
static unsigned long failures_printed;

typedef struct {
    pthread_t th;
    int idx;
    double *lat;
    size_t nlat, cap;
    unsigned long sent, ok, failed, bad_ok, conn_fail, allowed;
    /* hostile / hold counters */
    unsigned long answered, closed, refused, hung;
    int *held;
    size_t nheld;
} worker;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int stopped(void)
{
    if (atomic_load(&stop_now))
        return 1;
    if (deadline_s > 0 && now() >= deadline_s) {
        atomic_store(&stop_now, 1);
        return 1;
    }
    return 0;
}

/* A failure, said on standard error (the first 20 only). */
static void report(const char *what, const char *req, const char *ans, size_t anslen)
{
    pthread_mutex_lock(&mu);
    if (failures_printed++ < 20) {
        size_t rl = req ? strcspn(req, "\n") : 0;
        if (anslen > 300)
            anslen = 300;
        fprintf(stderr, "loadclient: %s: %.*s -> %.*s\n", what, (int)(rl > 200 ? 200 : rl),
                req ? req : "", (int)anslen, ans ? ans : "");
    }
    pthread_mutex_unlock(&mu);
}

static void note_total(const char *ans, size_t len)
{
    const char *k = memmem(ans, len, "\"total\":", 8);
    if (!k)
        return;
    long v = strtol(k + 8, NULL, 10);
    pthread_mutex_lock(&mu);
    int i;
    for (i = 0; i < ntot && tot_value[i] != v; i++)
        ;
    if (i == ntot && ntot < MAX_TOTALS) {
        tot_value[ntot] = v;
        tot_count[ntot++] = 0;
    }
    if (i < ntot)
        tot_count[i]++;
    pthread_mutex_unlock(&mu);
}

/* Connects; -1 on failure. With timeout_ms, a connect that takes longer
 * fails (a full backlog). */
static int dial(int timeout_ms)
{
    int fd;
    struct sockaddr_storage ss;
    socklen_t sl;
    memset(&ss, 0, sizeof ss);
    if (unix_path) {
        struct sockaddr_un *a = (struct sockaddr_un *)&ss;
        a->sun_family = AF_UNIX;
        snprintf(a->sun_path, sizeof a->sun_path, "%s", unix_path);
        sl = sizeof *a;
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    } else {
        char host[128];
        snprintf(host, sizeof host, "%s", tcp_addr);
        char *colon = strrchr(host, ':');
        if (!colon)
            return -1;
        *colon = '\0';
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        a->sin_port = htons((unsigned short)atoi(colon + 1));
        if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
            return -1;
        sl = sizeof *a;
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    }
    if (fd < 0)
        return -1;
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    if (connect(fd, (struct sockaddr *)&ss, sl) < 0) {
        if (errno != EINPROGRESS && errno != EAGAIN) {
            close(fd);
            return -1;
        }
        if (errno == EAGAIN) { /* a Unix socket's full backlog */
            close(fd);
            return -1;
        }
        struct pollfd p = {fd, POLLOUT, 0};
        int err = 0;
        socklen_t el = sizeof err;
        if (poll(&p, 1, timeout_ms > 0 ? timeout_ms : 10000) != 1 ||
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err) {
            close(fd);
            return -1;
        }
    }
    fcntl(fd, F_SETFL, fl);
    if (tcp_addr) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    return fd;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void add_lat(worker *w, double ms)
{
    if (w->nlat == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 4096;
        double *l = realloc(w->lat, cap * sizeof *l);
        if (!l)
            return;
        w->lat = l;
        w->cap = cap;
    }
    w->lat[w->nlat++] = ms;
}

/* ---- well-behaved clients ---- */

typedef struct {
    const char *req;
    double sent;
    int bad;
} inflight;

/* Checks one answer line of the request q. */
static void check_answer(worker *w, const inflight *q, const char *ans, size_t len)
{
    add_lat(w, (now() - q->sent) * 1000.0);
    if (q->bad) {
        if (len >= 11 && memcmp(ans, "{\"ok\":false", 11) == 0 &&
            !memmem(ans, len, "\"code\":\"internal\"", 17))
            w->bad_ok++;
        else {
            w->failed++;
            report("bad request not answered with a clean error", q->req, ans, len);
        }
        return;
    }
    if (len >= 10 && memcmp(ans, "{\"ok\":true", 10) == 0) {
        w->ok++;
        if (show_totals)
            note_total(ans, len);
    } else if (*allowed_code && len >= 11 && memcmp(ans, "{\"ok\":false", 11) == 0 &&
               memmem(ans, len, allowed_code, strlen(allowed_code)))
        w->allowed++;
    else {
        w->failed++;
        report("failed", q->req, ans, len);
    }
}

static const char *pick(worker *w, int *bad)
{
    unsigned long k = w->sent + (unsigned long)w->idx * 37u;
    *bad = nbads && bad_permil && (k * 7919u) % 1000u < (unsigned)bad_permil;
    return *bad ? bads[k % nbads] : reqs[k % nreqs];
}

static void *run_client(void *arg)
{
    worker *w = arg;
    inflight *q = calloc((size_t)depth, sizeof *q);
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    int fd = -1;
    size_t head = 0, n_in = 0; /* ring of requests in flight */
    while (q && buf) {
        int done = stopped() || (per_conn > 0 && (long)w->sent >= per_conn);
        if (done && n_in == 0)
            break;
        if (fd < 0) {
            fd = dial(10000);
            if (fd < 0) {
                w->conn_fail++;
                w->failed++;
                report("connect failed", NULL, strerror(errno), strlen(strerror(errno)));
                usleep(100000);
                continue;
            }
            len = 0;
        }
        while (!done && n_in < (size_t)(oneshot ? 1 : depth)) {
            int bad;
            const char *r = pick(w, &bad);
            inflight *s = &q[(head + n_in) % (size_t)depth];
            s->req = r;
            s->bad = bad;
            s->sent = now();
            if (write_all(fd, r, strlen(r)) < 0)
                break; /* the daemon closed: the read below sees it */
            n_in++;
            w->sent++;
            done = per_conn > 0 && (long)w->sent >= per_conn;
        }
        if (n_in == 0) {
            close(fd);
            fd = -1;
            continue;
        }
        /* One read, with the oldest request's deadline. */
        double waited = (now() - q[head].sent) * 1000.0;
        int left = (int)(answer_wait_ms - waited);
        struct pollfd p = {fd, POLLIN, 0};
        int pr = left > 0 ? poll(&p, 1, left < 200 ? left : 200) : 0;
        if (pr == 0) {
            if (left > 0)
                continue;
            for (; n_in > 0; n_in--, head = (head + 1) % (size_t)depth) {
                w->failed++;
                report("no answer in time", q[head].req, NULL, 0);
            }
            close(fd);
            fd = -1;
            continue;
        }
        if (len == cap) {
            char *b = realloc(buf, cap * 2);
            if (!b)
                break;
            buf = b;
            cap *= 2;
        }
        ssize_t k = recv(fd, buf + len, cap - len, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            /* Closed with requests in flight: each is a failure. */
            for (; n_in > 0; n_in--, head = (head + 1) % (size_t)depth) {
                w->failed++;
                report("connection closed before the answer", q[head].req,
                       k < 0 ? strerror(errno) : "EOF", k < 0 ? strlen(strerror(errno)) : 3);
            }
            close(fd);
            fd = -1;
            continue;
        }
        len += (size_t)k;
        char *s = buf, *nl;
        while (n_in > 0 && (nl = memchr(s, '\n', len - (size_t)(s - buf)))) {
            check_answer(w, &q[head], s, (size_t)(nl - s));
            head = (head + 1) % (size_t)depth;
            n_in--;
            s = nl + 1;
        }
        len -= (size_t)(s - buf);
        memmove(buf, s, len);
        if (oneshot && n_in == 0) {
            close(fd);
            fd = -1;
        }
        if (pause_ms > 0 && n_in == 0)
            usleep((useconds_t)(pause_ms * 1000.0));
    }
    if (fd >= 0)
        close(fd);
    free(buf);
    free(q);
    return NULL;
}

/* ---- hostile clients ---- */

static void nap(int ms)
{
    for (; ms > 0 && !stopped(); ms -= 20)
        usleep(20000);
}

/* Reads without blocking whatever is there; 0 when the daemon closed. */
static int drain(int fd)
{
    char b[65536];
    for (;;) {
        ssize_t k = recv(fd, b, sizeof b, MSG_DONTWAIT);
        if (k > 0)
            continue;
        if (k == 0)
            return 0;
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    }
}

static void *run_dribble(void *arg)
{
    worker *w = arg;
    int fd = -1;
    while (!stopped()) {
        if (fd < 0) {
            fd = dial(10000);
            if (fd < 0) {
                w->refused++;
                nap(1000);
                continue;
            }
            if (write_all(fd, "{\"op\":\"search\",\"q\":\"", 20) < 0)
                goto gone;
        }
        if (write_all(fd, "a", 1) < 0 || !drain(fd))
            goto gone;
        w->sent++;
        nap(1000);
        continue;
    gone:
        w->closed++; /* the daemon closed it: what it should do, eventually */
        close(fd);
        fd = -1;
    }
    if (fd >= 0)
        close(fd);
    return NULL;
}

static void *run_noread(void *arg)
{
    worker *w = arg;
    int fd = -1;
    while (!stopped()) {
        if (fd < 0) {
            fd = dial(10000);
            if (fd < 0) {
                w->refused++;
                nap(1000);
                continue;
            }
        }
        const char *r = reqs[w->sent % nreqs];
        ssize_t k = send(fd, r, strlen(r), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (k > 0) {
            w->sent++;
            if (pause_ms > 0)
                nap((int)pause_ms);
            continue;
        }
        if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            /* Blocked: the daemon stopped reading us. Check now and then
             * whether it closed the connection (without reading). */
            struct pollfd p = {fd, POLLRDHUP, 0};
            if (poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)))
                goto gone;
            nap(200);
            continue;
        }
    gone:
        w->closed++;
        close(fd);
        fd = -1;
    }
    if (fd >= 0)
        close(fd);
    return NULL;
}

static void *run_huge(void *arg)
{
    worker *w = arg;
    size_t n = 1u << 20;
    char *line = malloc(n);
    if (!line)
        return NULL;
    memset(line, 'x', n);
    int fd = -1;
    while (!stopped()) {
        if (fd < 0) {
            fd = dial(10000);
            if (fd < 0) {
                w->refused++;
                nap(1000);
                continue;
            }
        }
        if (write_all(fd, line, n) < 0 || !drain(fd)) {
            w->closed++;
            close(fd);
            fd = -1;
            nap(500);
            continue;
        }
        w->sent++;
        nap(pause_ms > 0 ? (int)pause_ms : 100);
    }
    if (fd >= 0)
        close(fd);
    free(line);
    return NULL;
}

/* hold: CONNS connections from one thread, one after another. */
static void run_hold(worker *w, int conns)
{
    static const char ping[] = "{\"op\":\"ping\"}\n";
    w->held = calloc((size_t)conns, sizeof *w->held);
    for (int i = 0; i < conns && w->held; i++) {
        int fd = dial((int)answer_wait_ms);
        if (fd < 0) {
            w->refused++;
            continue;
        }
        char b[4096];
        ssize_t k = -1;
        if (write_all(fd, ping, sizeof ping - 1) == 0) {
            struct pollfd p = {fd, POLLIN, 0};
            if (poll(&p, 1, (int)answer_wait_ms) != 1) {
                w->hung++;
                close(fd);
                continue;
            }
            k = recv(fd, b, sizeof b, 0);
        }
        if (k > 0 && memmem(b, (size_t)k, "\"pong\":true", 11)) {
            w->answered++;
            w->held[w->nheld++] = fd;
        } else {
            /* EOF, a reset, or an error answer ("overloaded"): refused
             * cleanly. */
            w->closed++;
            close(fd);
        }
    }
    printf("hold: answered %lu closed %lu refused %lu hung %lu\n", w->answered, w->closed,
           w->refused, w->hung);
    fflush(stdout);
    while (!stopped())
        usleep(20000);
    for (size_t i = 0; i < w->nheld; i++)
        close(w->held[i]);
    free(w->held);
}

/* ---- main ---- */

static char **read_lines(const char *file, size_t *n)
{
    FILE *f = fopen(file, "r");
    if (!f) {
        perror(file);
        exit(2);
    }
    char **v = NULL, *line = NULL;
    size_t cap = 0, lcap = 0;
    ssize_t k;
    *n = 0;
    while ((k = getline(&line, &lcap, f)) > 0) {
        if (line[k - 1] != '\n') {
            line = realloc(line, (size_t)k + 2);
            line[k++] = '\n';
            line[k] = '\0';
        }
        if (k == 1)
            continue;
        if (*n == cap)
            v = realloc(v, (cap = cap ? cap * 2 : 64) * sizeof *v);
        v[(*n)++] = strdup(line);
    }
    free(line);
    fclose(f);
    return v;
}

static void *watch_stop(void *arg)
{
    (void)arg;
    struct stat st;
    while (!stopped()) {
        if (stop_file && stat(stop_file, &st) == 0)
            atomic_store(&stop_now, 1);
        usleep(20000);
    }
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double pct(const double *v, size_t n, double p)
{
    return n ? v[(size_t)(p / 100.0 * (double)(n - 1) + 0.5)] : 0;
}

int main(int argc, char **argv)
{
    const char *file = NULL, *badfile = NULL, *mode = NULL, *latfile = NULL;
    int conns = 1, o;
    double secs = 0;
    while ((o = getopt(argc, argv, "U:T:f:c:m:1t:n:S:b:B:vw:p:a:H:L:")) != -1) {
        switch (o) {
        case 'U': unix_path = optarg; break;
        case 'T': tcp_addr = optarg; break;
        case 'f': file = optarg; break;
        case 'c': conns = atoi(optarg); break;
        case 'm': depth = atoi(optarg); break;
        case '1': oneshot = 1; break;
        case 't': secs = atof(optarg); break;
        case 'n': per_conn = atol(optarg); break;
        case 'S': stop_file = optarg; break;
        case 'b': badfile = optarg; break;
        case 'B': bad_permil = atoi(optarg); break;
        case 'v': show_totals = 1; break;
        case 'w': answer_wait_ms = atof(optarg); break;
        case 'p': pause_ms = atof(optarg); break;
        case 'a': snprintf(allowed_code, sizeof allowed_code, "\"code\":\"%s\"", optarg); break;
        case 'H': mode = optarg; break;
        case 'L': latfile = optarg; break;
        default: return 2;
        }
    }
    int hostile = mode != NULL;
    if ((!unix_path && !tcp_addr) || conns < 1 || depth < 1 ||
        (!file && (!hostile || strcmp(mode, "noread") == 0)) ||
        (!secs && !per_conn && !stop_file && (!hostile || strcmp(mode, "hold") != 0))) {
        fprintf(stderr, "usage: loadclient (-U PATH | -T HOST:PORT) [-f REQUESTS] [-c N] "
                        "[-m DEPTH] [-1] (-t SECS | -n N | -S STOPFILE) [-b BAD -B PERMIL] "
                        "[-v] [-w MS] [-p MS] [-a CODE] [-H dribble|noread|huge|hold] [-L FILE]\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    if (file && !(reqs = read_lines(file, &nreqs)))
        return 2;
    if (badfile)
        bads = read_lines(badfile, &nbads);
    if (file && nreqs == 0)
        return 2;
    if (secs > 0)
        deadline_s = now() + secs;
    pthread_t watcher;
    pthread_create(&watcher, NULL, watch_stop, NULL);
    worker *ws = calloc((size_t)conns, sizeof *ws);
    double t0 = now();
    if (hostile && strcmp(mode, "hold") == 0) {
        run_hold(&ws[0], conns);
        atomic_store(&stop_now, 1);
        pthread_join(watcher, NULL);
        return 0;
    }
    void *(*fn)(void *) = run_client;
    if (hostile) {
        if (strcmp(mode, "dribble") == 0)
            fn = run_dribble;
        else if (strcmp(mode, "noread") == 0)
            fn = run_noread;
        else if (strcmp(mode, "huge") == 0)
            fn = run_huge;
        else {
            fprintf(stderr, "loadclient: unknown mode %s\n", mode);
            return 2;
        }
    }
    for (int i = 0; i < conns; i++) {
        ws[i].idx = i;
        pthread_create(&ws[i].th, NULL, fn, &ws[i]);
    }
    worker sum;
    memset(&sum, 0, sizeof sum);
    for (int i = 0; i < conns; i++) {
        pthread_join(ws[i].th, NULL);
        sum.sent += ws[i].sent;
        sum.ok += ws[i].ok;
        sum.failed += ws[i].failed;
        sum.bad_ok += ws[i].bad_ok;
        sum.allowed += ws[i].allowed;
        sum.conn_fail += ws[i].conn_fail;
        sum.closed += ws[i].closed;
        sum.refused += ws[i].refused;
        sum.nlat += ws[i].nlat;
    }
    double elapsed = now() - t0;
    atomic_store(&stop_now, 1);
    pthread_join(watcher, NULL);
    if (hostile) {
        printf("%s: connections %d sent %lu closed_by_daemon %lu refused %lu\n", mode, conns,
               sum.sent, sum.closed, sum.refused);
        free(ws);
        return 0;
    }
    double *all = malloc((sum.nlat ? sum.nlat : 1) * sizeof *all);
    size_t k = 0;
    for (int i = 0; i < conns; i++) {
        if (all)
            memcpy(all + k, ws[i].lat, ws[i].nlat * sizeof *all);
        k += ws[i].nlat;
        free(ws[i].lat);
    }
    if (all)
        qsort(all, sum.nlat, sizeof *all, cmp);
    if (latfile && all) {
        FILE *f = fopen(latfile, "w");
        for (size_t i = 0; f && i < sum.nlat; i++)
            fprintf(f, "%.3f\n", all[i]);
        if (f)
            fclose(f);
    }
    printf("requests %lu ok %lu failed %lu bad_answered %lu allowed %lu connect_failed %lu "
           "qps %.0f p50 %.3f p99 %.3f max %.3f",
           sum.sent, sum.ok, sum.failed, sum.bad_ok, sum.allowed, sum.conn_fail,
           elapsed > 0 ? (double)(sum.ok + sum.bad_ok) / elapsed : 0.0,
           all ? pct(all, sum.nlat, 50) : 0, all ? pct(all, sum.nlat, 99) : 0,
           all && sum.nlat ? all[sum.nlat - 1] : 0);
    if (show_totals) {
        printf(" totals=");
        for (int i = 0; i < ntot; i++)
            printf("%s%ld:%lu", i ? "," : "", tot_value[i], tot_count[i]);
    }
    printf("\n");
    free(all);
    free(ws);
    for (size_t i = 0; i < nreqs; i++)
        free(reqs[i]);
    free(reqs);
    for (size_t i = 0; i < nbads; i++)
        free(bads[i]);
    free(bads);
    return sum.failed ? 1 : 0;
}
