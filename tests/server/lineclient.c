/* lineclient.c: a small client for the daemon's tests. Connects (Unix
 * socket or TCP), sends its standard input and prints every answer line.
 *   lineclient (-U PATH | -T HOST:PORT) [-b] [-c CONNS] [-k N] [-q]
 *   -b        write one byte at a time
 *   -c CONNS  open CONNS connections at once, send the input on each
 *   -k N      keep the write side open until N answer lines came back
 *             (default: shut it down after the input and read to the end)
 *   -x N      close abruptly after sending, without reading (a client that
 *             vanishes), N times
 * Exit 0, or 1 on a connection error. */
#include <config.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
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

static int write_all(int fd, const char *p, size_t n, int bytewise)
{
    while (n > 0) {
        ssize_t w = write(fd, p, bytewise ? 1 : n);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *up = NULL, *tp = NULL;
    int bytewise = 0, conns = 1, vanish = 0;
    long keep = 0;
    int o;
    while ((o = getopt(argc, argv, "U:T:bc:k:x:")) != -1) {
        switch (o) {
        case 'U': up = optarg; break;
        case 'T': tp = optarg; break;
        case 'b': bytewise = 1; break;
        case 'c': conns = atoi(optarg); break;
        case 'k': keep = atol(optarg); break;
        case 'x': vanish = atoi(optarg); break;
        default: return 2;
        }
    }
    if ((!up && !tp) || conns < 1)
        return 2;
    /* The whole input first. */
    size_t cap = 65536, len = 0;
    char *in = malloc(cap);
    size_t r;
    while ((r = fread(in + len, 1, cap - len, stdin)) > 0) {
        len += r;
        if (len == cap)
            in = realloc(in, cap *= 2);
    }
    for (int i = 0; i < vanish; i++) {
        int fd = dial(up, tp);
        if (fd < 0) {
            free(in);
            return 1;
        }
        write_all(fd, in, len, 0);
        /* RST rather than FIN: a client that is gone. */
        struct linger l = {1, 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
        close(fd);
    }
    if (vanish) {
        free(in);
        return 0;
    }
    int *fds = calloc((size_t)conns, sizeof *fds);
    for (int i = 0; i < conns; i++) {
        fds[i] = dial(up, tp);
        if (fds[i] < 0) {
            perror("connect");
            for (int j = 0; j < i; j++)
                close(fds[j]);
            free(fds);
            free(in);
            return 1;
        }
    }
    for (int i = 0; i < conns; i++) {
        /* Write and read at once, so that long answers never block the
         * daemon while the input is still being sent. */
        size_t off = 0;
        long lines = 0;
        int eof = 0;
        char buf[65536];
        if (len == 0 && !keep)
            shutdown(fds[i], SHUT_WR);
        while (!eof && !(keep > 0 && lines >= keep)) {
            struct pollfd p = {fds[i], POLLIN | (off < len ? POLLOUT : 0), 0};
            if (poll(&p, 1, -1) < 0)
                return 1;
            if (p.revents & POLLOUT) {
                ssize_t w = write(fds[i], in + off, bytewise ? 1 : len - off);
                if (w <= 0)
                    off = len; /* the daemon closed: read what it answered */
                else
                    off += (size_t)w;
                if (off == len && !keep)
                    shutdown(fds[i], SHUT_WR);
            }
            if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
                ssize_t rd = read(fds[i], buf, sizeof buf);
                if (rd <= 0) {
                    eof = 1;
                    break;
                }
                fwrite(buf, 1, (size_t)rd, stdout);
                for (ssize_t k = 0; k < rd; k++)
                    lines += buf[k] == '\n';
            }
        }
        close(fds[i]);
    }
    fflush(stdout);
    free(fds);
    free(in);
    return 0;
}
