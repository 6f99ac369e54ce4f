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

/* WordPress's shape of a field (the WXR reader's rules, wxr.c): blanks
 * around it dropped, and with decode, HTML character references decoded
 * (after the trim for a title, before it for a term). */
static int wp_field(char **s, int decode, int decode_first)
{
    char *t = *s;
    char *d = NULL;
    if (decode && decode_first) {
        if (!(d = imp_entities_decode_all(t)))
            return IMP_ERR_NOMEM;
        t = d;
    }
    const char *b = t;
    while (*b == ' ' || *b == '\t' || *b == '\n' || *b == '\r')
        b++;
    size_t n = strlen(b);
    while (n && (b[n - 1] == ' ' || b[n - 1] == '\t' || b[n - 1] == '\n' || b[n - 1] == '\r'))
        n--;
    char *out = imp_strndup(b, n);
    free(d);
    if (!out)
        return IMP_ERR_NOMEM;
    if (decode && !decode_first) {
        char *dd = imp_entities_decode_all(out);
        free(out);
        if (!(out = dd))
            return IMP_ERR_NOMEM;
    }
    free(*s);
    *s = out;
    return IMP_OK;
}

/* The terms of a list in WordPress's shape; empty ones dropped. */
static int wp_list(char ***list, size_t *n)
{
    size_t k = 0;
    for (size_t i = 0; i < *n; i++) {
        if (wp_field(&(*list)[i], 1, 1) != IMP_OK) {
            for (size_t j = i; j < *n; j++)
                (*list)[k++] = (*list)[j];
            *n = k;
            return IMP_ERR_NOMEM;
        }
        if (*(*list)[i])
            (*list)[k++] = (*list)[i];
        else
            free((*list)[i]);
    }
    *n = k;
    return IMP_OK;
}

/* The fields of a post from a JSON object (see imp_post_from_json). Every
 * message starts with "WHERE: ". */
static int build(const json_t *root, int live, imp_post *p, const char *where, char *err,
                 size_t errlen)
{
    json_t *obj = (json_t *)root; /* jansson's getters take no const */
    if (!json_is_object(obj)) {
        snprintf(err, errlen, "%s: a post must be a JSON object", where);
        return IMP_ERR_RECORD;
    }
    json_t *content = live ? json_object_get(obj, "content") : NULL;
    if (content && json_is_null(content))
        content = NULL;
    static const char *keys[] = {"url", "title", "author", "body"};
    char **dsts[] = {&p->url, &p->title, &p->author, &p->body};
    int rc = get_string(obj, "id", &p->id, 1);
    if (rc == IMP_ERR_RECORD) {
        snprintf(err, errlen, "%s: id is neither a string nor an integer", where);
        return rc;
    }
    if (rc != IMP_OK)
        goto nomem;
    if (!*p->id) {
        snprintf(err, errlen, "%s: post has no id", where);
        return IMP_ERR_RECORD;
    }
    for (size_t i = 0; i < 4; i++) {
        rc = get_string(obj, keys[i], dsts[i], 0);
        if (rc == IMP_ERR_RECORD) {
            snprintf(err, errlen, "%s: %s is not a string", where, keys[i]);
            return rc;
        }
        if (rc != IMP_OK)
            goto nomem;
    }
    if (content) {
        json_t *body = json_object_get(obj, "body");
        if (body && !json_is_null(body)) {
            snprintf(err, errlen, "%s: a post has body or content, not both", where);
            return IMP_ERR_RECORD;
        }
        if (!json_is_string(content)) {
            snprintf(err, errlen, "%s: content is not a string", where);
            return IMP_ERR_RECORD;
        }
        char *html = string_copy(content);
        if (!html)
            goto nomem;
        char *text = NULL;
        rc = imp_html_to_text(html, strlen(html), &text);
        free(html);
        if (rc != IMP_OK)
            goto nomem;
        free(p->body);
        p->body = text;
        /* The other fields as the WXR reader makes them from an export. */
        if (wp_field(&p->title, 1, 0) != IMP_OK || wp_field(&p->url, 0, 0) != IMP_OK ||
            wp_field(&p->author, 0, 0) != IMP_OK)
            goto nomem;
    }
    char *date = imp_strdup("");
    if (!date)
        goto nomem;
    rc = get_string(obj, "date", &date, 0);
    if (rc == IMP_ERR_RECORD) {
        free(date);
        snprintf(err, errlen, "%s: date is not a string", where);
        return rc;
    }
    if (rc != IMP_OK) {
        free(date);
        goto nomem;
    }
    /* "YYYY-MM-DDTHH:MM:SS..." keeps its date part; WordPress's zero date
     * of a post never published is no date. */
    if (strlen(date) > 10 && (date[10] == 'T' || date[10] == ' '))
        date[10] = '\0';
    if (content && strcmp(date, "0000-00-00") == 0)
        date[0] = '\0';
    if (!imp_date_valid(date)) {
        snprintf(err, errlen, "%s: invalid date \"%.40s\" (expected YYYY-MM-DD)", where, date);
        free(date);
        return IMP_ERR_RECORD;
    }
    free(p->date);
    p->date = date;
    rc = get_string(obj, "lang", &p->lang, 0);
    if (rc == IMP_ERR_RECORD || (rc == IMP_OK && *p->lang && strcmp(p->lang, "en") != 0 &&
                                 strcmp(p->lang, "fr") != 0 && strcmp(p->lang, "mixed") != 0)) {
        snprintf(err, errlen, "%s: invalid lang \"%.20s\" (expected en, fr or mixed)", where,
                 rc == IMP_OK ? p->lang : "");
        return IMP_ERR_RECORD;
    }
    if (rc != IMP_OK)
        goto nomem;
    rc = get_list(obj, "categories", &p->categories, &p->ncategories);
    if (rc == IMP_ERR_RECORD) {
        snprintf(err, errlen, "%s: categories must be a string or an array of strings", where);
        return rc;
    }
    if (rc != IMP_OK)
        goto nomem;
    rc = get_list(obj, "tags", &p->tags, &p->ntags);
    if (rc == IMP_ERR_RECORD) {
        snprintf(err, errlen, "%s: tags must be a string or an array of strings", where);
        return rc;
    }
    if (rc != IMP_OK)
        goto nomem;
    if (content) {
        if (wp_list(&p->categories, &p->ncategories) != IMP_OK ||
            wp_list(&p->tags, &p->ntags) != IMP_OK)
            goto nomem;
        if (!*p->lang) {
            const char *lang = NULL;
            for (size_t i = 0; i < p->ncategories && !lang; i++)
                lang = imp_lang_of_term(p->categories[i]);
            for (size_t i = 0; i < p->ntags && !lang; i++)
                lang = imp_lang_of_term(p->tags[i]);
            if (lang) {
                char *l = imp_strdup(lang);
                if (!l)
                    goto nomem;
                free(p->lang);
                p->lang = l;
            }
        }
    }
    return IMP_OK;
nomem:
    snprintf(err, errlen, "%s: out of memory", where);
    return IMP_ERR_NOMEM;
}

int imp_post_from_json(const struct json_t *obj, const char *where, imp_post **out, char *err,
                       size_t errlen)
{
    char dummy[8];
    if (!err || !errlen) {
        err = dummy;
        errlen = sizeof dummy;
    }
    err[0] = '\0';
    if (!obj || !out) {
        snprintf(err, errlen, "invalid argument");
        return IMP_ERR_INVALID;
    }
    *out = NULL;
    imp_post *p = imp_post_new();
    if (!p) {
        snprintf(err, errlen, "%s: out of memory", where ? where : "post");
        return IMP_ERR_NOMEM;
    }
    int rc = build(obj, 1, p, where ? where : "post", err, errlen);
    if (rc != IMP_OK) {
        imp_post_free(p);
        return rc;
    }
    *out = p;
    return IMP_OK;
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
        char where[300];
        snprintf(where, sizeof where, "%s:%lu", r->src.name, l->lineno);
        int rc = build(root, 0, p, where, err, errlen);
        json_decref(root);
        if (rc != IMP_OK) {
            imp_post_free(p);
            return rc;
        }
        *out = p;
        return IMP_OK;
    }
}
