/* linebuf.c: a connection's input buffer, cut into request lines.
 * Bytes are appended as they arrive; each call to srv_linebuf_next searches
 * only the bytes not searched yet, so a line sent one byte at a time costs
 * linear time; an unterminated line longer than the limit is refused at once
 * rather than buffered without bound. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "server/server.h"

void srv_linebuf_init(srv_linebuf *lb, size_t max)
{
    memset(lb, 0, sizeof *lb);
    lb->max = max;
}

void srv_linebuf_free(srv_linebuf *lb)
{
    free(lb->buf);
    memset(lb, 0, sizeof *lb);
}

int srv_linebuf_append(srv_linebuf *lb, const char *data, size_t n)
{
    if (lb->start > 0 && (lb->start == lb->len || lb->start > lb->cap / 2)) {
        /* Move the unconsumed tail to the front before growing. */
        memmove(lb->buf, lb->buf + lb->start, lb->len - lb->start);
        lb->len -= lb->start;
        lb->start = 0;
    }
    if (lb->len + n > lb->cap) {
        size_t cap = lb->cap ? lb->cap : 4096;
        while (cap < lb->len + n)
            cap *= 2;
        char *b = realloc(lb->buf, cap);
        if (!b)
            return -1;
        lb->buf = b;
        lb->cap = cap;
    }
    if (n)
        memcpy(lb->buf + lb->len, data, n);
    lb->len += n;
    return 0;
}

int srv_linebuf_next(srv_linebuf *lb, const char **line, size_t *len)
{
    size_t avail = lb->len - lb->start;
    if (avail == 0)
        return SRV_LINE_NONE;
    const char *base = lb->buf + lb->start;
    const char *nl = memchr(base + lb->scan, '\n', avail - lb->scan);
    if (!nl) {
        lb->scan = avail;
        /* +1: a line of exactly max bytes may still get its '\r'. */
        if (avail > lb->max + 1)
            return SRV_LINE_TOO_LONG;
        return SRV_LINE_NONE;
    }
    size_t l = (size_t)(nl - base);
    lb->start += l + 1;
    lb->scan = 0;
    if (l > 0 && base[l - 1] == '\r')
        l--;
    if (l > lb->max)
        return SRV_LINE_TOO_LONG;
    *line = base;
    *len = l;
    return SRV_LINE_OK;
}

size_t srv_linebuf_pending(const srv_linebuf *lb)
{
    return lb->len - lb->start;
}
