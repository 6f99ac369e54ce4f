/* lines.c: a bounded line reader over a byte source. A line longer than
 * the reader's max is reported as too long and skipped up to its newline
 * without being buffered, so memory stays bounded whatever the input. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "import/internal.h"

static int grow(imp_lines *l, size_t need)
{
    if (need <= l->cap)
        return 0;
    size_t cap = l->cap ? l->cap : 4096;
    while (cap < need)
        cap *= 2;
    char *p = realloc(l->line, cap);
    if (!p)
        return -1;
    l->line = p;
    l->cap = cap;
    return 0;
}

int imp_lines_next(imp_src *s, imp_lines *l)
{
    l->len = 0;
    l->too_long = 0;
    int any = 0;
    for (;;) {
        size_t avail = imp_src_fill(s);
        if (!avail)
            break;
        any = 1;
        const unsigned char *p = s->buf + s->pos;
        const unsigned char *nl = memchr(p, '\n', avail);
        size_t take = nl ? (size_t)(nl - p) : avail;
        if (!l->too_long) {
            if (take > l->max - l->len || grow(l, l->len + take + 1) != 0) {
                l->too_long = 1;
                l->len = 0;
            } else {
                memcpy(l->line + l->len, p, take);
                l->len += take;
            }
        }
        s->pos += take + (nl ? 1 : 0);
        if (nl)
            break;
    }
    if (!any)
        return 0;
    l->lineno++;
    if (grow(l, l->len + 1) != 0) {
        l->too_long = 1;
        l->len = 0;
        return 1;
    }
    l->line[l->len] = '\0';
    if (l->len && l->line[l->len - 1] == '\r')
        l->line[--l->len] = '\0';
    return 1;
}

void imp_lines_free(imp_lines *l)
{
    free(l->line);
    memset(l, 0, sizeof *l);
}
