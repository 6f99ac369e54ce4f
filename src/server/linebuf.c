/* linebuf.c: a connection's input buffer, cut into request lines.
 * Bytes are appended as they arrive; each call to srv_linebuf_next searches
 * only the bytes not searched yet, so a line sent one byte at a time costs
 * linear time; an unterminated line longer than the limit is refused at once
 * rather than buffered without bound. */
#include <config.h>

#include <assert.h>
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
    txt_buf_free(&lb->in);
    memset(lb, 0, sizeof *lb);
}

int srv_linebuf_append(srv_linebuf *lb, const char *data, size_t n)
{
    txt_buf *b = &lb->in;
    assert(lb->start <= b->len);
    if (lb->start > 0 && (lb->start == b->len || lb->start > b->cap / 2)) {
        /* Move the unconsumed tail to the front before growing. */
        memmove(b->p, b->p + lb->start, b->len - lb->start);
        b->len -= lb->start;
        lb->start = 0;
    }
    return txt_buf_add(b, data, n) == TXT_OK ? 0 : -1;
}

int srv_linebuf_next(srv_linebuf *lb, const char **line, size_t *len)
{
    const txt_buf *b = &lb->in;
    assert(lb->start <= b->len && lb->scan <= b->len - lb->start);
    size_t avail = b->len - lb->start;
    if (avail == 0)
        return SRV_LINE_NONE;
    const char *base = b->p + lb->start;
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
    assert(lb->start <= b->len);
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
    return lb->in.len - lb->start;
}

const char *srv_linebuf_data(const srv_linebuf *lb)
{
    return lb->in.p + lb->start;
}

void srv_linebuf_shrink(srv_linebuf *lb)
{
    if (lb->in.len == lb->start && lb->in.cap > SRV_LINEBUF_KEEP) {
        size_t max = lb->max;
        srv_linebuf_free(lb);
        srv_linebuf_init(lb, max);
    }
}
