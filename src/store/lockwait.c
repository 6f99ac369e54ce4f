/* lockwait.c: a writer that waits for the database lock says so, and the
 * live writer that holds it looks (store.h, THE LOCK, WAITED FOR). The sign
 * is a shared flock on PATH/SCH_LOCK_WAIT; the looker tries an exclusive
 * one without waiting, which fails while any sign is held. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "store/schema.h"
#include "store/store.h"

/* PATH/SCH_LOCK_WAIT, or NULL (errno ENOMEM). */
static char *sign_path(const char *path)
{
    size_t n = strlen(path) + sizeof SCH_LOCK_WAIT + 1;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", path, SCH_LOCK_WAIT);
    else
        errno = ENOMEM;
    return p;
}

int store_wait_sign(const char *path)
{
    if (!path) {
        errno = EINVAL;
        return -1;
    }
    char *p = sign_path(path);
    if (!p)
        return -1;
    /* Readable by all: a daemon running as another user looks at it. */
    int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    free(p);
    if (fd < 0)
        return -1;
    if (flock(fd, LOCK_SH | LOCK_NB) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

void store_wait_unsign(int fd)
{
    if (fd >= 0)
        close(fd); /* the flock goes with the descriptor */
}

int store_lock_awaited(const char *path)
{
    if (!path)
        return 0;
    char *p = sign_path(path);
    if (!p)
        return 0;
    int fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    free(p);
    if (fd < 0)
        return 0;
    int awaited = flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    close(fd); /* (and the exclusive lock, when it was taken) */
    return awaited;
}
