/* unixsock.c: taking the Unix socket's path at start without harming a
 * daemon already there. A socket file is only removed when nothing listens
 * on it (connect() refused: left by a daemon that died); when a daemon
 * answers, the start is refused and its process id named (SO_PEERCRED). */
#include <config.h> /* _GNU_SOURCE: struct ucred */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "server/server.h"

int srv_unix_claim(const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : (snprintf(err, errlen, "cannot use %s: %s", path,
                                               strerror(errno)),
                                      -1);
    if (!S_ISSOCK(st.st_mode)) {
        snprintf(err, errlen, "%s exists and is not a socket: remove it or choose another path",
                 path);
        return -1;
    }
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof a.sun_path) {
        snprintf(err, errlen, "socket path too long: %s", path);
        return -1;
    }
    memcpy(a.sun_path, path, strlen(path));
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "cannot probe %s: %s", path, strerror(errno));
        return -1;
    }
    if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0) {
        struct ucred cred;
        socklen_t cl = sizeof cred;
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0 && cred.pid > 0)
            snprintf(err, errlen,
                     "another daemon (pid %ld) is already serving on %s; stop it first, or "
                     "give this one another socket",
                     (long)cred.pid, path);
        else
            snprintf(err, errlen,
                     "another daemon is already serving on %s; stop it first, or give this "
                     "one another socket",
                     path);
        close(fd);
        return SRV_ERR_IN_USE;
    }
    int e = errno;
    close(fd);
    if (e == ECONNREFUSED) {
        /* stale: nobody listens there any more */
        if (unlink(path) != 0 && errno != ENOENT) {
            snprintf(err, errlen, "cannot remove the stale socket %s: %s", path, strerror(errno));
            return -1;
        }
        return 0;
    }
    snprintf(err, errlen, "cannot probe the socket %s: %s", path, strerror(e));
    return -1;
}
