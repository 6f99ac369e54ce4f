/* search-client.c: the blocking line-protocol client of socasma-search
 * (see search-client.h): connect, write one line, read one line. */
#include <config.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "cmd/search-client.h"
#include "text/text.h"

#define CLIENT_TIMEOUT_S 30

static int connect_unix(const char *path, int *cerr, char *err, size_t errlen)
{
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof sa.sun_path) {
        snprintf(err, errlen, "%s: socket path too long", path);
        return -1;
    }
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        *cerr = errno;
        snprintf(err, errlen, "%s: cannot connect: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static int connect_tcp(const char *hostport, int *cerr, char *err, size_t errlen)
{
    char host[256];
    const char *colon = strrchr(hostport, ':');
    if (!colon || colon == hostport || !colon[1] || (size_t)(colon - hostport) >= sizeof host) {
        snprintf(err, errlen, "%s: expected HOST:PORT", hostport);
        return -1;
    }
    memcpy(host, hostport, (size_t)(colon - hostport));
    host[colon - hostport] = '\0';
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {
        memmove(host, host + 1, strlen(host));
        host[strlen(host) - 1] = '\0';
    }
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    int g = getaddrinfo(host, colon + 1, &hints, &res);
    if (g != 0) {
        snprintf(err, errlen, "%s: %s", hostport, gai_strerror(g));
        return -1;
    }
    int fd = -1, last = ECONNREFUSED;
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (fd < 0)
            continue;
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
            break;
        last = errno;
        close(fd);
        fd = -1;
    }
    if (fd < 0) {
        *cerr = last;
        snprintf(err, errlen, "%s: cannot connect: %s", hostport, strerror(last));
    }
    freeaddrinfo(res);
    return fd;
}

int sc_request(const char *socket_path, const char *hostport, const json_t *req, json_t **answer,
               int *conn_errno, char *err, size_t errlen)
{
    *answer = NULL;
    int cerr = 0;
    int fd = socket_path ? connect_unix(socket_path, &cerr, err, errlen)
                         : connect_tcp(hostport, &cerr, err, errlen);
    if (conn_errno)
        *conn_errno = cerr;
    if (fd < 0)
        return -1;
    struct timeval tv = {CLIENT_TIMEOUT_S, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    char *line = json_dumps(req, JSON_COMPACT);
    if (!line) {
        close(fd);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t len = strlen(line), off = 0;
    line[len] = '\0';
    int rc = 0;
    while (off < len + 1 && rc == 0) {
        const char *p = off < len ? line + off : "\n";
        size_t n = off < len ? len - off : 1;
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            snprintf(err, errlen, "cannot send the request: %s", strerror(errno));
            rc = -1;
        } else
            off += (size_t)w;
    }
    free(line);
    txt_buf in = {0};
    while (rc == 0) {
        if (txt_buf_reserve(&in, 16384) != TXT_OK) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
            break;
        }
        ssize_t r = recv(fd, in.p + in.len, in.cap - in.len - 1, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            snprintf(err, errlen,
                     "no answer from the daemon within %d s (overloaded or stuck? see its log)",
                     CLIENT_TIMEOUT_S);
            rc = -1;
            break;
        }
        if (r < 0) {
            snprintf(err, errlen, "cannot read the answer: %s", strerror(errno));
            rc = -1;
            break;
        }
        if (r == 0) {
            snprintf(err, errlen, "the daemon closed the connection without an answer");
            rc = -1;
            break;
        }
        char *nl = memchr(in.p + in.len, '\n', (size_t)r);
        in.len += (size_t)r;
        in.p[in.len] = '\0'; /* room kept by the reserve */
        if (nl) {
            json_error_t jerr;
            *answer = json_loadb(in.p, (size_t)(nl - in.p), 0, &jerr);
            if (!*answer) {
                snprintf(err, errlen, "the daemon's answer is not JSON: %s", jerr.text);
                rc = -1;
            }
            break;
        }
    }
    txt_buf_free(&in);
    close(fd);
    return rc;
}
