/* reader.c: imp_reader: opens a source, picks its format (from the first
 * non-blank byte when asked to) and hands each call to the format's reader. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/internal.h"

/* The first byte after blanks and a UTF-8 byte order mark, peeked without
 * consuming (the source's buffer is large enough for any sane prefix). */
static int first_byte(imp_src *s)
{
    if (!imp_src_fill(s))
        return -1;
    size_t i = s->pos;
    if (s->len - i >= 3 && memcmp(s->buf + i, "\xEF\xBB\xBF", 3) == 0)
        i += 3;
    while (i < s->len &&
           (s->buf[i] == ' ' || s->buf[i] == '\t' || s->buf[i] == '\r' || s->buf[i] == '\n'))
        i++;
    return i < s->len ? s->buf[i] : -1;
}

static imp_format guess(imp_src *s, const char *path)
{
    /* A UTF-16 byte order mark: only XML comes so. */
    if (s->len - s->pos >= 2 && ((s->buf[s->pos] == 0xFF && s->buf[s->pos + 1] == 0xFE) ||
                                 (s->buf[s->pos] == 0xFE && s->buf[s->pos + 1] == 0xFF)))
        return IMP_FORMAT_WXR;
    int c = first_byte(s);
    if (c == '<')
        return IMP_FORMAT_WXR;
    if (c == '{')
        return IMP_FORMAT_JSONL;
    size_t n = strlen(path);
    if ((n > 4 && strcmp(path + n - 4, ".xml") == 0) ||
        (n > 7 && strcmp(path + n - 7, ".xml.gz") == 0))
        return IMP_FORMAT_WXR;
    return IMP_FORMAT_JSONL;
}

int imp_open(const char *path, imp_format format, imp_reader **out, char *err, size_t errlen)
{
    return imp_open_opts(path, format, NULL, out, err, errlen);
}

int imp_open_opts(const char *path, imp_format format, const imp_options *opts, imp_reader **out,
                  char *err, size_t errlen)
{
    if (out)
        *out = NULL;
    if (!path || !out || format < IMP_FORMAT_AUTO || format > IMP_FORMAT_WXR) {
        snprintf(err, errlen, "invalid argument");
        return IMP_ERR_INVALID;
    }
    size_t max = opts && opts->max_post_bytes ? opts->max_post_bytes : IMP_MAX_POST_BYTES_DEFAULT;
    if (max < IMP_MAX_POST_BYTES_MIN || max > IMP_MAX_POST_BYTES_MAX) {
        snprintf(err, errlen, "max_post_bytes must be from %zu to %zu", IMP_MAX_POST_BYTES_MIN,
                 IMP_MAX_POST_BYTES_MAX);
        return IMP_ERR_INVALID;
    }
    imp_reader *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return IMP_ERR_NOMEM;
    }
    r->max_post_bytes = max;
    int rc = imp_src_open(&r->src, path, err, errlen);
    if (rc != IMP_OK) {
        free(r);
        return rc;
    }
    r->format = format == IMP_FORMAT_AUTO ? guess(&r->src, path) : format;
    if (r->format == IMP_FORMAT_JSONL) {
        rc = imp_jsonl_init(r);
        if (rc != IMP_OK)
            snprintf(err, errlen, "out of memory");
    } else {
        rc = imp_wxr_init(r, err, errlen);
    }
    if (rc != IMP_OK) {
        imp_src_close(&r->src);
        free(r);
        return rc;
    }
    *out = r;
    return IMP_OK;
}

int imp_next(imp_reader *r, imp_post **post, char *err, size_t errlen)
{
    if (!r || !post) {
        snprintf(err, errlen, "invalid argument");
        return IMP_ERR_INVALID;
    }
    *post = NULL;
    if (r->format == IMP_FORMAT_JSONL)
        return imp_jsonl_next(r, post, err, errlen);
    return imp_wxr_next(r, post, err, errlen);
}

void imp_progress(const imp_reader *r, uint64_t *done, uint64_t *total)
{
    if (done)
        *done = r ? r->src.done : 0;
    if (total)
        *total = r ? r->src.size : 0;
}

void imp_close(imp_reader *r)
{
    if (!r)
        return;
    if (r->format == IMP_FORMAT_JSONL)
        imp_jsonl_free(r);
    else
        imp_wxr_free(r);
    imp_src_close(&r->src);
    free(r);
}
