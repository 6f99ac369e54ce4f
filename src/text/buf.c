/* buf.c: txt_buf, the project's one growable byte buffer (text.h): bytes
 * appended at the end, always followed by a NUL, doubling as it grows. The
 * analyser builds its words in it, the search its snippets and spelling
 * suggestions, the daemon its connections' input. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "text/text.h"

int txt_buf_reserve(txt_buf *b, size_t extra)
{
    if (extra > SIZE_MAX / 2 - b->len)
        return TXT_ERR_NOMEM;
    if (b->len + extra + 1 <= b->cap)
        return TXT_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p)
        return TXT_ERR_NOMEM;
    b->p = p;
    b->cap = cap;
    return TXT_OK;
}

int txt_buf_add(txt_buf *b, const char *s, size_t n)
{
    if (txt_buf_reserve(b, n) != TXT_OK)
        return TXT_ERR_NOMEM;
    if (n)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return TXT_OK;
}

int txt_buf_adds(txt_buf *b, const char *s)
{
    return txt_buf_add(b, s, strlen(s));
}

int txt_buf_add_html(txt_buf *b, const char *s, size_t n)
{
    size_t run = 0; /* start of the bytes not yet copied */
    for (size_t i = 0; i < n; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: break;
        }
        if (!rep && s[i] != '\0')
            continue;
        if (txt_buf_add(b, s + run, i - run) != TXT_OK)
            return TXT_ERR_NOMEM;
        if (rep && txt_buf_adds(b, rep) != TXT_OK)
            return TXT_ERR_NOMEM;
        run = i + 1;
    }
    return txt_buf_add(b, s + run, n - run);
}

void txt_buf_free(txt_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}
