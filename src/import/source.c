/* source.c: the byte source under both readers: a file or standard input,
 * plain or gzip (zlib's gzread reads both, recognising gzip by its magic
 * bytes), with the compressed position for progress reports and the
 * detection of a truncated gzip stream. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "import/internal.h"

#define SRC_BUF (256 * 1024)

int imp_src_open(imp_src *s, const char *path, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    int fd;
    if (strcmp(path, "-") == 0) {
        fd = dup(0); /* gzclose closes its descriptor: keep fd 0 open */
        s->name = imp_strdup("<stdin>");
    } else {
        fd = open(path, O_RDONLY | O_CLOEXEC);
        s->name = imp_strdup(path);
    }
    if (!s->name) {
        if (fd >= 0)
            close(fd);
        snprintf(err, errlen, "out of memory");
        return IMP_ERR_NOMEM;
    }
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", s->name, strerror(errno));
        free(s->name);
        s->name = NULL;
        return IMP_ERR_OPEN;
    }
    struct stat st;
    if (fstat(fd, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            snprintf(err, errlen, "%s: %s", s->name, strerror(EISDIR));
            close(fd);
            free(s->name);
            s->name = NULL;
            return IMP_ERR_OPEN;
        }
        if (S_ISREG(st.st_mode))
            s->size = (uint64_t)st.st_size;
    }
    s->gz = gzdopen(fd, "rb");
    s->buf = malloc(SRC_BUF);
    if (!s->gz || !s->buf) {
        if (s->gz)
            gzclose(s->gz);
        else
            close(fd);
        free(s->buf);
        free(s->name);
        memset(s, 0, sizeof *s);
        snprintf(err, errlen, "out of memory");
        return IMP_ERR_NOMEM;
    }
    gzbuffer(s->gz, 128 * 1024);
    s->cap = SRC_BUF;
    return IMP_OK;
}

void imp_src_close(imp_src *s)
{
    if (s->gz)
        gzclose(s->gz);
    free(s->buf);
    free(s->name);
    memset(s, 0, sizeof *s);
}

size_t imp_src_fill(imp_src *s)
{
    if (s->pos < s->len)
        return s->len - s->pos;
    s->pos = s->len = 0;
    if (s->eof)
        return 0;
    int n = gzread(s->gz, s->buf, (unsigned)s->cap);
    z_off_t off = gzoffset(s->gz);
    if (off >= 0)
        s->done = (uint64_t)off;
    if (n > 0) {
        s->len = (size_t)n;
        return s->len;
    }
    s->eof = 1;
    int errnum = Z_OK;
    const char *msg = gzerror(s->gz, &errnum);
    if (errnum == Z_BUF_ERROR) {
        s->truncated = 1; /* "unexpected end of file" */
    } else if (n < 0 || errnum != Z_OK) {
        s->ioerr = 1;
        if (errnum == Z_ERRNO)
            snprintf(s->errmsg, sizeof s->errmsg, "%s", strerror(errno));
        else
            snprintf(s->errmsg, sizeof s->errmsg, "%s", msg ? msg : "read error");
    }
    if (s->size && !s->ioerr && !s->truncated)
        s->done = s->size;
    return 0;
}

size_t imp_src_read(imp_src *s, void *dst, size_t n)
{
    size_t got = 0;
    while (got < n) {
        size_t avail = imp_src_fill(s);
        if (!avail)
            break;
        size_t k = avail < n - got ? avail : n - got;
        memcpy((char *)dst + got, s->buf + s->pos, k);
        s->pos += k;
        got += k;
    }
    return got;
}
