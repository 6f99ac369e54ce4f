/* jsonl.c: the JSON Lines reader: one post per line, parsed with jansson
 * after the line's bytes are repaired (invalid UTF-8 and NUL bytes become
 * U+FFFD), so that one bad byte never loses a post. A line over
 * max_post_bytes is skipped by the line reader without being held. */
#include <config.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/internal.h"

typedef struct {
    imp_lines lines;
} jsonl;

int imp_jsonl_init(imp_reader *r)
{
    jsonl *j = calloc(1, sizeof *j);
    if (!j)
        return IMP_ERR_NOMEM;
    j->lines.max = r->max_post_bytes;
    r->impl = j;
    return IMP_OK;
}

void imp_jsonl_free(imp_reader *r)
{
    jsonl *j = r->impl;
    if (!j)
        return;
    imp_lines_free(&j->lines);
    free(j);
    r->impl = NULL;
}

/* A copy of a JSON string without embedded NULs (a "\u0000" escape). */
static char *string_copy(json_t *v)
{
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i])
            out[o++] = s[i];
    out[o] = '\0';
    return out;
}

/* Sets *dst from field key: string, absent or null (""), or (for id) an
 * integer. Returns IMP_OK, IMP_ERR_NOMEM, or IMP_ERR_RECORD for a bad type. */
static int get_string(json_t *obj, const char *key, char **dst, int allow_number)
{
    json_t *v = json_object_get(obj, key);
    char *s = NULL;
    if (!v || json_is_null(v))
        return IMP_OK;
    if (json_is_string(v))
        s = string_copy(v);
    else if (allow_number && json_is_integer(v)) {
        char buf[32];
        snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        s = imp_strdup(buf);
    } else {
        return IMP_ERR_RECORD;
    }
    if (!s)
        return IMP_ERR_NOMEM;
    free(*dst);
    *dst = s;
    return IMP_OK;
}

static int get_list(json_t *obj, const char *key, char ***list, size_t *n)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return IMP_OK;
    if (json_is_string(v)) {
        if (!json_string_length(v))
            return IMP_OK;
        char *s = string_copy(v);
        if (!s)
            return IMP_ERR_NOMEM;
        int rc = *s ? imp_list_add(list, n, s) : IMP_OK;
        free(s);
        return rc;
    }
    if (!json_is_array(v))
        return IMP_ERR_RECORD;
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e)
    {
        if (!json_is_string(e))
            return IMP_ERR_RECORD;
        char *s = string_copy(e);
        if (!s)
            return IMP_ERR_NOMEM;
        int rc = *s ? imp_list_add(list, n, s) : IMP_OK;
        free(s);
        if (rc != IMP_OK)
            return rc;
    }
    return IMP_OK;
}

static int blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\f' && s[i] != '\v')
            return 0;
    return 1;
}

static int build(imp_reader *r, json_t *root, imp_post *p, char *err, size_t errlen)
{
    const char *src = r->src.name;
    unsigned long line = p->line;
    if (!json_is_object(root)) {
        snprintf(err, errlen, "%s:%lu: a post must be a JSON object", src, line);
        return IMP_ERR_RECORD;
    }
    static const char *keys[] = {"url", "title", "author", "body"};
    char **dsts[] = {&p->url, &p->title, &p->author, &p->body};
    int rc = get_string(root, "id", &p->id, 1);
    if (rc == IMP_ERR_RECORD) {
        snprintf(err, errlen, "%s:%lu: id is neither a string nor an integer", src, line);
        return rc;
    }
    if (rc != IMP_OK)
        goto nomem;
    if (!*p->id) {
        snprintf(err, errlen, "%s:%lu: post has no id", src, line);
        return IMP_ERR_RECORD;
    }
    for (size_t i = 0; i < 4; i++) {
        rc = get_string(root, keys[i], dsts[i], 0);
        if (rc == IMP_ERR_RECORD) {
            snprintf(err, errlen, "%s:%lu: %s is not a string", src, line, keys[i]);
            return rc;
        }
        if (rc != IMP_OK)
            goto nomem;
    }
    char *date = imp_strdup("");
    if (!date)
        goto nomem;
    rc = get_string(root, "date", &date, 0);
    if (rc == IMP_ERR_RECORD) {
        free(date);
        snprintf(err, errlen, "%s:%lu: date is not a string", src, line);
        return rc;
    }
    if (rc != IMP_OK) {
        free(date);
        goto nomem;
    }
    /* "YYYY-MM-DDTHH:MM:SS..." keeps its date part. */
    if (strlen(date) > 10 && (date[10] == 'T' || date[10] == ' '))
        date[10] = '\0';
    if (!imp_date_valid(date)) {
        snprintf(err, errlen, "%s:%lu: invalid date \"%.40s\" (expected YYYY-MM-DD)", src, line,
                 date);
        free(date);
        return IMP_ERR_RECORD;
    }
    free(p->date);
    p->date = date;
    rc = get_string(root, "lang", &p->lang, 0);
    if (rc == IMP_ERR_RECORD || (rc == IMP_OK && *p->lang && strcmp(p->lang, "en") != 0 &&
                                 strcmp(p->lang, "fr") != 0 && strcmp(p->lang, "mixed") != 0)) {
        snprintf(err, errlen, "%s:%lu: invalid lang \"%.20s\" (expected en, fr or mixed)", src,
                 line, rc == IMP_OK ? p->lang : "");
        return IMP_ERR_RECORD;
    }
    if (rc != IMP_OK)
        goto nomem;
    rc = get_list(root, "categories", &p->categories, &p->ncategories);
    if (rc == IMP_ERR_RECORD) {
        snprintf(err, errlen, "%s:%lu: categories must be a string or an array of strings", src,
                 line);
        return rc;
    }
    if (rc != IMP_OK)
        goto nomem;
    rc = get_list(root, "tags", &p->tags, &p->ntags);
    if (rc == IMP_ERR_RECORD) {
        snprintf(err, errlen, "%s:%lu: tags must be a string or an array of strings", src, line);
        return rc;
    }
    if (rc != IMP_OK)
        goto nomem;
    return IMP_OK;
nomem:
    snprintf(err, errlen, "%s:%lu: out of memory", src, line);
    return IMP_ERR_NOMEM;
}

int imp_jsonl_next(imp_reader *r, imp_post **out, char *err, size_t errlen)
{
    jsonl *j = r->impl;
    *out = NULL;
    for (;;) {
        if (!imp_lines_next(&r->src, &j->lines)) {
            if (r->src.truncated) {
                snprintf(err, errlen, "%s: truncated gzip input", r->src.name);
                return IMP_ERR_FATAL;
            }
            if (r->src.ioerr) {
                snprintf(err, errlen, "%s: %s", r->src.name, r->src.errmsg);
                return IMP_ERR_FATAL;
            }
            return IMP_DONE;
        }
        imp_lines *l = &j->lines;
        if (l->too_long) {
            char size[32];
            imp_size_text(l->max, size, sizeof size);
            snprintf(err, errlen, "%s:%lu: post larger than %s (max_post_bytes)", r->src.name,
                     l->lineno, size);
            return IMP_ERR_RECORD;
        }
        const char *text = l->line;
        size_t tlen = l->len;
        if (l->lineno == 1 && tlen >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
            text += 3; /* a byte order mark */
            tlen -= 3;
        }
        if (blank(text, tlen))
            continue;
        /* A line cut by a truncated gzip stream is not a record. */
        if (r->src.truncated && r->src.pos >= r->src.len) {
            snprintf(err, errlen, "%s: truncated gzip input", r->src.name);
            return IMP_ERR_FATAL;
        }
        size_t n = 0;
        char *fixed = imp_utf8_repair(text, tlen, &n);
        if (!fixed) {
            snprintf(err, errlen, "%s:%lu: out of memory", r->src.name, l->lineno);
            return IMP_ERR_NOMEM;
        }
        json_error_t jerr;
        json_t *root = json_loadb(fixed, n, JSON_ALLOW_NUL, &jerr);
        free(fixed);
        if (!root) {
            snprintf(err, errlen, "%s:%lu: malformed JSON: %s", r->src.name, l->lineno, jerr.text);
            return IMP_ERR_RECORD;
        }
        imp_post *p = imp_post_new();
        if (!p) {
            json_decref(root);
            snprintf(err, errlen, "%s:%lu: out of memory", r->src.name, l->lineno);
            return IMP_ERR_NOMEM;
        }
        p->source = r->src.name;
        p->line = l->lineno;
        int rc = build(r, root, p, err, errlen);
        json_decref(root);
        if (rc != IMP_OK) {
            imp_post_free(p);
            return rc;
        }
        *out = p;
        return IMP_OK;
    }
}
