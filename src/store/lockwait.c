/* lockwait.c: a writer that waits for the database lock says so, and the
 * live writer that holds it looks (store.h, THE LOCK, WAITED FOR). The sign
 * is a write lock on PATH/SCH_LOCK_WAIT, an open file description lock
 * (F_OFD_SETLK: it belongs to the descriptor, not the process, and goes
 * with it); the looker asks F_OFD_GETLK, which takes nothing. A write lock
 * needs the file open for writing, so a user who may only read the
 * database cannot keep its writer from writing with a false sign. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* The whole file, as the one range every sign and look is about. */
static struct flock whole(short type)
{
    struct flock fl;
    memset(&fl, 0, sizeof fl); /* l_pid must be 0 for F_OFD_* */
    fl.l_type = type;
    fl.l_whence = SEEK_SET;
    return fl;
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
    struct flock fl = whole(F_WRLCK);
    if (fcntl(fd, F_OFD_SETLK, &fl) != 0) {
        int e = errno; /* EAGAIN: another waiter signs already */
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

void store_wait_unsign(int fd)
{
    if (fd >= 0)
        close(fd); /* the lock goes with the descriptor */
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
    struct flock fl = whole(F_WRLCK);
    int awaited = fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
    close(fd);
    return awaited;
}
