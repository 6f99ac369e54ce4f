/* hostile.c: badly behaved clients for the daemon's tests.
 *   hostile (-U PATH | -T HOST:PORT) -n CONNS -t SECONDS MODE [-i MS] [-f FILE]
 * MODE
 *   dribble  each connection sends "{" and then one byte every MS
 *            milliseconds (default 200), never a newline (slowloris)
 *   noread   each connection sends FILE over and over (pipelined requests)
 *            and never reads an answer
 * Runs until SECONDS have passed or the daemon has closed every connection,
 * then prints "closed N" (connections the daemon closed) and exits 0; 1 on
 * a connection error. */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int dial(const char *unix_path, const char *hostport)
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
    snprintf(host, sizeof host, "%s", hostport);
    char *colon = strrchr(host, ':');
    if (!colon)
        return -1;
    *colon = '\0';
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)atoi(colon + 1));
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1)
        return -1;
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
        return -1;
    return fd;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 1 when the daemon closed fd (EOF or reset seen without reading data:
 * peeks, so that answers are never consumed). */
static int peer_closed(int fd)
{
    struct pollfd p = {fd, POLLIN | POLLRDHUP, 0};
    if (poll(&p, 1, 0) <= 0)
        return 0;
    if (p.revents & (POLLHUP | POLLERR | POLLRDHUP))
        return 1;
    return 0;
}

int main(int argc, char **argv)
{
    const char *up = NULL, *tp = NULL, *file = NULL;
    int n = 1, interval = 200;
    double secs = 10;
    int o;
    while ((o = getopt(argc, argv, "U:T:n:t:i:f:")) != -1) {
        switch (o) {
        case 'U': up = optarg; break;
        case 'T': tp = optarg; break;
        case 'n': n = atoi(optarg); break;
        case 't': secs = atof(optarg); break;
        case 'i': interval = atoi(optarg); break;
        case 'f': file = optarg; break;
        default: return 2;
        }
    }
    if ((!up && !tp) || optind >= argc || n < 1)
        return 2;
    const char *mode = argv[optind];
    int dribble = strcmp(mode, "dribble") == 0;
    if (!dribble && strcmp(mode, "noread") != 0)
        return 2;
    signal(SIGPIPE, SIG_IGN);
    char *data = NULL;
    size_t dlen = 0;
    if (!dribble) {
        FILE *f = file ? fopen(file, "rb") : NULL;
        if (!f)
            return 2;
        data = malloc(1 << 20);
        dlen = data ? fread(data, 1, 1 << 20, f) : 0;
        fclose(f);
        if (!dlen)
            return 2;
    }
    int *fd = calloc((size_t)n, sizeof *fd);
    int *closed = calloc((size_t)n, sizeof *closed);
    size_t *off = calloc((size_t)n, sizeof *off);
    if (!fd || !closed || !off)
        return 1;
    for (int i = 0; i < n; i++) {
        fd[i] = dial(up, tp);
        if (fd[i] < 0) {
            perror("connect");
            return 1;
        }
        fcntl(fd[i], F_SETFL, fcntl(fd[i], F_GETFL) | O_NONBLOCK);
        if (dribble && write(fd[i], "{", 1) != 1)
            closed[i] = 1;
    }
    double end = now_s() + secs;
    int nclosed = 0;
    while (now_s() < end && nclosed < n) {
        for (int i = 0; i < n; i++) {
            if (closed[i])
                continue;
            ssize_t w;
            if (dribble)
                w = write(fd[i], "a", 1);
            else {
                w = write(fd[i], data + off[i], dlen - off[i]);
                if (w > 0)
                    off[i] = (off[i] + (size_t)w) % dlen;
            }
            if ((w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) || peer_closed(fd[i])) {
                closed[i] = 1;
                nclosed++;
            }
        }
        usleep(dribble ? (useconds_t)interval * 1000u : 20000u);
    }
    printf("closed %d\n", nclosed);
    fflush(stdout);
    for (int i = 0; i < n; i++)
        close(fd[i]);
    free(fd);
    free(closed);
    free(off);
    free(data);
    return 0;
}
