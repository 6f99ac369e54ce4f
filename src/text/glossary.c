/* glossary.c: groups of equivalent words or phrases (conf/synonyms.txt),
 * one group per line, entries separated by commas, normalised with
 * txt_normalise. Errors name FILE:LINE. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/text-internal.h"

typedef struct {
    char **entries;
    size_t n;
} group;

struct txt_glossary {
    group *groups;
    size_t n, cap;
};

void txt_glossary_free(txt_glossary *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->n; i++) {
        for (size_t j = 0; j < g->groups[i].n; j++)
            free(g->groups[i].entries[j]);
        free(g->groups[i].entries);
    }
    free(g->groups);
    free(g);
}

size_t txt_glossary_ngroups(const txt_glossary *g)
{
    return g ? g->n : 0;
}

const char *const *txt_glossary_group(const txt_glossary *g, size_t i, size_t *n)
{
    if (!g || i >= g->n) {
        if (n)
            *n = 0;
        return NULL;
    }
    if (n)
        *n = g->groups[i].n;
    return (const char *const *)g->groups[i].entries;
}

static void seterr(char *err, size_t errlen, const char *name, size_t line, const char *msg)
{
    if (!err || !errlen)
        return;
    if (line)
        snprintf(err, errlen, "%s:%zu: %s", name ? name : "glossary", line, msg);
    else
        snprintf(err, errlen, "%s: %s", name ? name : "glossary", msg);
}

/* Parses one line into a group (n may be < 2: the caller checks). */
static int parse_line(const char *s, size_t len, group *gr)
{
    size_t st = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || s[i] == ',') {
            char *e;
            int rc = txt_normalise(s + st, i - st, &e);
            if (rc != TXT_OK)
                return rc;
            if (!*e) {
                free(e);
            } else {
                int dup = 0;
                for (size_t j = 0; j < gr->n; j++)
                    if (strcmp(gr->entries[j], e) == 0)
                        dup = 1;
                if (dup) {
                    free(e);
                } else {
                    char **p = realloc(gr->entries, (gr->n + 1) * sizeof *p);
                    if (!p) {
                        free(e);
                        return TXT_ERR_NOMEM;
                    }
                    gr->entries = p;
                    gr->entries[gr->n++] = e;
                }
            }
            st = i + 1;
        }
    }
    return TXT_OK;
}

int txt_glossary_parse(const char *name, const char *text, size_t len, txt_glossary **out,
                       char *err, size_t errlen)
{
    if (!out || (!text && len))
        return TXT_ERR_INVALID;
    txt_glossary *g = calloc(1, sizeof *g);
    if (!g)
        return TXT_ERR_NOMEM;
    size_t line = 0, i = 0;
    while (i < len) {
        size_t e = i;
        while (e < len && text[e] != '\n')
            e++;
        line++;
        size_t a = i, b = e;
        while (a < b && (text[a] == ' ' || text[a] == '\t' || text[a] == '\r'))
            a++;
        while (b > a && (text[b - 1] == ' ' || text[b - 1] == '\t' || text[b - 1] == '\r'))
            b--;
        if (a < b && text[a] != '#') {
            group gr = {NULL, 0};
            int rc = parse_line(text + a, b - a, &gr);
            if (rc == TXT_OK && gr.n < 2) {
                rc = TXT_ERR_SYNTAX;
                seterr(err, errlen, name, line, "a group needs at least two different entries");
            }
            if (rc == TXT_OK && g->n == g->cap) {
                size_t cap = g->cap ? g->cap * 2 : 32;
                group *p = realloc(g->groups, cap * sizeof *p);
                if (!p)
                    rc = TXT_ERR_NOMEM;
                else {
                    g->groups = p;
                    g->cap = cap;
                }
            }
            if (rc != TXT_OK) {
                for (size_t j = 0; j < gr.n; j++)
                    free(gr.entries[j]);
                free(gr.entries);
                if (rc == TXT_ERR_NOMEM)
                    seterr(err, errlen, name, line, "out of memory");
                txt_glossary_free(g);
                return rc;
            }
            g->groups[g->n++] = gr;
        }
        i = e + 1;
    }
    *out = g;
    return TXT_OK;
}

int txt_glossary_load(const char *path, txt_glossary **out, char *err, size_t errlen)
{
    if (!path || !out)
        return TXT_ERR_INVALID;
    FILE *f = fopen(path, "rb");
    if (!f) {
        seterr(err, errlen, path, 0, strerror(errno));
        return TXT_ERR_IO;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *p = realloc(buf, cap);
            if (!p) {
                free(buf);
                fclose(f);
                return TXT_ERR_NOMEM;
            }
            buf = p;
        }
        size_t r = fread(buf + len, 1, cap - len, f);
        len += r;
        if (r == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        seterr(err, errlen, path, 0, "read error");
        return TXT_ERR_IO;
    }
    int rc = txt_glossary_parse(path, buf, len, out, err, errlen);
    free(buf);
    return rc;
}
