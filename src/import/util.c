/* util.c: small shared pieces: the byte buffer, string copies, UTF-8
 * repair, posts and their string lists, date validation, the options and
 * the format names. */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import/internal.h"

char *imp_strndup(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *imp_strdup(const char *s)
{
    return imp_strndup(s, strlen(s));
}

int imp_buf_reserve(imp_buf *b, size_t n)
{
    if (b->len + n + 1 <= b->cap)
        return IMP_OK;
    if (n > SIZE_MAX / 2 - b->len)
        return IMP_ERR_NOMEM;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p)
        return IMP_ERR_NOMEM;
    b->data = p;
    b->cap = cap;
    return IMP_OK;
}

int imp_buf_add(imp_buf *b, const void *s, size_t n)
{
    if (imp_buf_reserve(b, n) != IMP_OK)
        return IMP_ERR_NOMEM;
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return IMP_OK;
}

void imp_buf_free(imp_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

void imp_size_text(size_t n, char *out, size_t outlen)
{
    if (n && n % ((size_t)1 << 20) == 0)
        snprintf(out, outlen, "%zu MiB", n >> 20);
    else if (n && n % 1024 == 0)
        snprintf(out, outlen, "%zu KiB", n >> 10);
    else
        snprintf(out, outlen, "%zu bytes", n);
}

void imp_options_init(imp_options *opts)
{
    if (opts)
        opts->max_post_bytes = IMP_MAX_POST_BYTES_DEFAULT;
}

size_t imp_utf8_seq(const unsigned char *s, size_t len)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return c ? 1 : 0;
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;
        if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return n;
}

char *imp_utf8_repair(const char *s, size_t len, size_t *outlen)
{
    const unsigned char *u = (const unsigned char *)s;
    /* Fast path: already valid. */
    size_t i = 0;
    while (i < len) {
        size_t k = imp_utf8_seq(u + i, len - i);
        if (!k)
            break;
        i += k;
    }
    size_t cap = i == len ? len + 1 : len * 3 + 1;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    memcpy(out, s, i);
    size_t o = i;
    while (i < len) {
        size_t k = imp_utf8_seq(u + i, len - i);
        if (k) {
            memcpy(out + o, s + i, k);
            o += k;
            i += k;
        } else {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        }
    }
    out[o] = '\0';
    if (outlen)
        *outlen = o;
    return out;
}

imp_post *imp_post_new(void)
{
    imp_post *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    char **f[] = {&p->id, &p->url, &p->title, &p->author, &p->date, &p->lang, &p->body};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        *f[i] = imp_strdup("");
        if (!*f[i]) {
            imp_post_free(p);
            return NULL;
        }
    }
    return p;
}

int imp_list_add(char ***list, size_t *n, const char *s)
{
    char *c = imp_strdup(s);
    if (!c)
        return IMP_ERR_NOMEM;
    char **l = realloc(*list, (*n + 1) * sizeof *l);
    if (!l) {
        free(c);
        return IMP_ERR_NOMEM;
    }
    l[(*n)++] = c;
    *list = l;
    return IMP_OK;
}

void imp_post_free(imp_post *p)
{
    if (!p)
        return;
    free(p->id);
    free(p->url);
    free(p->title);
    free(p->author);
    free(p->date);
    free(p->lang);
    free(p->body);
    for (size_t i = 0; i < p->ncategories; i++)
        free(p->categories[i]);
    free(p->categories);
    for (size_t i = 0; i < p->ntags; i++)
        free(p->tags[i]);
    free(p->tags);
    free(p);
}

int imp_date_valid(const char *s)
{
    if (!s)
        return 0;
    if (!*s)
        return 1;
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 1 || m < 1 || m > 12 || d < 1)
        return 0;
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    int max = days[m - 1] + (m == 2 && leap);
    return d <= max;
}

int imp_format_parse(const char *name)
{
    if (!name)
        return -1;
    if (strcmp(name, "auto") == 0)
        return IMP_FORMAT_AUTO;
    if (strcmp(name, "jsonl") == 0)
        return IMP_FORMAT_JSONL;
    if (strcmp(name, "wxr") == 0)
        return IMP_FORMAT_WXR;
    return -1;
}

/* The language a category or tag names (see internal.h). */
const char *imp_lang_of_term(const char *name)
{
    static const struct {
        const char *name, *lang;
    } names[] = {{"english", "en"},
                 {"anglais", "en"},
                 {"en", "en"},
                 {"french", "fr"},
                 {"fran\xc3\xa7"
                  "ais",
                  "fr"},
                 {"francais", "fr"},
                 {"fr", "fr"},
                 {"bilingual", "mixed"},
                 {"bilingue", "mixed"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(name, names[i].name) == 0)
            return names[i].lang;
    /* "Français" with a capital: compare past the first letter. */
    if ((name[0] == 'F' || name[0] == 'f') && strcmp(name + 1, "ran\xc3\xa7"
                                                               "ais") == 0)
        return "fr";
    return NULL;
}
