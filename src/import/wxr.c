/* wxr.c: the WordPress export (WXR 1.2) reader, streamed with libxml2's
 * xmlTextReader so that memory holds one <item> at a time, never the tree.
 * The bytes reach libxml2 through the filter of xmlfilter.c (decoded and
 * repaired, oversize items replaced by markers). Published posts and pages
 * only; the HTML content becomes text (html.c). libxml2 never prints:
 * errors go to a handler of this reader, and neither the network nor
 * external DTDs are touched. */
#include <config.h>

#include <libxml/xmlreader.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import/internal.h"

enum field {
    F_NONE,
    F_TITLE,
    F_LINK,
    F_CREATOR,
    F_CONTENT,
    F_ID,
    F_DATE,
    F_STATUS,
    F_TYPE,
    F_CAT,
    F_AUTH_LOGIN,
    F_AUTH_NAME,
    F_COUNT
};

typedef struct {
    char *login, *name;
} author;

typedef struct {
    xmlTextReaderPtr xr;
    imp_xf *xf;       /* the bytes' way in */
    size_t max;       /* max_post_bytes */
    unsigned long cuts_seen; /* marker items met so far */
    char xmlerr[512]; /* first error libxml2 reported */
    unsigned long xmlerr_line;
    int xmlerr_fatal;
    int failed; /* a fatal error was reported: sticky */
    char fatal[768];
    author *authors;
    size_t nauthors;
    /* the element being read */
    int in_item, item_depth;
    int in_author, author_depth;
    unsigned long item_line;
    int line_known;   /* item_line came from the filter's comment */
    const char *cut;  /* the item is a marker: why it was cut */
    enum field field;
    int field_depth;
    char *domain; /* of the current <category> */
    imp_buf buf;      /* the field's text */
    int too_big;
    /* the item's fields so far */
    char *v[F_COUNT];
    char **cats;
    size_t ncats;
    char **tags;
    size_t ntags;
    char *auth_login;
} wxr;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init_libxml(void)
{
    xmlInitParser();
}

static void on_error(void *arg, xmlErrorPtr e)
{
    wxr *w = arg;
    /* Keep the first fatal error (what stopped the parser), else the first
       error. */
    if (!e || e->level < XML_ERR_ERROR || w->xmlerr_fatal)
        return;
    if (w->xmlerr[0] && e->level != XML_ERR_FATAL)
        return;
    w->xmlerr_fatal = e->level == XML_ERR_FATAL;
    snprintf(w->xmlerr, sizeof w->xmlerr, "%s", e->message ? e->message : "XML error");
    size_t n = strlen(w->xmlerr);
    while (n && (w->xmlerr[n - 1] == '\n' || w->xmlerr[n - 1] == ' '))
        w->xmlerr[--n] = '\0';
    w->xmlerr_line = e->line > 0 ? (unsigned long)e->line : 0;
}

static int io_close(void *ctx)
{
    (void)ctx;
    return 0;
}

int imp_wxr_init(imp_reader *r, char *err, size_t errlen)
{
    pthread_once(&init_once, init_libxml);
    wxr *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "out of memory");
        return IMP_ERR_NOMEM;
    }
    w->max = r->max_post_bytes;
    if (imp_xf_new(&r->src, w->max, &w->xf) != IMP_OK) {
        free(w);
        snprintf(err, errlen, "out of memory");
        return IMP_ERR_NOMEM;
    }
    /* No NOENT (entities stay unexpanded), no DTDLOAD, no HUGE: the limits
       against entity amplification stay on (the filter keeps every node
       under the size limits HUGE would lift); NONET: never the network.
       When the filter decodes, the bytes are UTF-8 whatever the
       declaration says. */
    int utf8 = imp_xf_utf8(w->xf);
    w->xr = xmlReaderForIO(imp_xf_read, io_close, w->xf, NULL, utf8 ? "UTF-8" : NULL,
                           XML_PARSE_NONET | (utf8 ? XML_PARSE_IGNORE_ENC : 0));
    if (!w->xr) {
        imp_xf_free(w->xf);
        free(w);
        snprintf(err, errlen, "%s: cannot create an XML reader", r->src.name);
        return IMP_ERR_NOMEM;
    }
    xmlTextReaderSetStructuredErrorHandler(w->xr, on_error, w);
    r->impl = w;
    return IMP_OK;
}

static void clear_item(wxr *w)
{
    for (int i = 0; i < F_COUNT; i++) {
        free(w->v[i]);
        w->v[i] = NULL;
    }
    for (size_t i = 0; i < w->ncats; i++)
        free(w->cats[i]);
    for (size_t i = 0; i < w->ntags; i++)
        free(w->tags[i]);
    free(w->cats);
    free(w->tags);
    w->cats = w->tags = NULL;
    w->ncats = w->ntags = 0;
    free(w->domain);
    w->domain = NULL;
    w->field = F_NONE;
    w->too_big = 0;
    w->cut = NULL;
    w->line_known = 0;
}

void imp_wxr_free(imp_reader *r)
{
    wxr *w = r->impl;
    if (!w)
        return;
    clear_item(w);
    if (w->xr)
        xmlFreeTextReader(w->xr);
    imp_xf_free(w->xf);
    for (size_t i = 0; i < w->nauthors; i++) {
        free(w->authors[i].login);
        free(w->authors[i].name);
    }
    free(w->authors);
    free(w->auth_login);
    imp_buf_free(&w->buf);
    free(w);
    r->impl = NULL;
}

static int ns_is(const xmlChar *uri, const char *prefix)
{
    return uri && strncmp((const char *)uri, prefix, strlen(prefix)) == 0;
}

#define NS_WP "http://wordpress.org/export/"
#define NS_DC "http://purl.org/dc/elements/1.1/"
#define NS_CONTENT "http://purl.org/rss/1.0/modules/content/"

static enum field item_field(const char *local, const xmlChar *uri)
{
    if (!uri || !*uri) {
        if (strcmp(local, "title") == 0)
            return F_TITLE;
        if (strcmp(local, "link") == 0)
            return F_LINK;
        if (strcmp(local, "category") == 0)
            return F_CAT;
        return F_NONE;
    }
    if (ns_is(uri, NS_DC) && strcmp(local, "creator") == 0)
        return F_CREATOR;
    if (ns_is(uri, NS_CONTENT) && strcmp(local, "encoded") == 0)
        return F_CONTENT;
    if (ns_is(uri, NS_WP)) {
        if (strcmp(local, "post_id") == 0)
            return F_ID;
        if (strcmp(local, "post_date") == 0)
            return F_DATE;
        if (strcmp(local, "status") == 0)
            return F_STATUS;
        if (strcmp(local, "post_type") == 0)
            return F_TYPE;
    }
    return F_NONE;
}

/* A field's text grows up to max_post_bytes (the filter keeps items under
 * it, but an entity of the document's own DTD could expand past it). */
static int buf_add(wxr *w, const char *s, size_t n)
{
    if (w->too_big)
        return 0;
    if (n > w->max - w->buf.len) {
        w->too_big = 1;
        return 0;
    }
    return imp_buf_add(&w->buf, s, n) == IMP_OK ? 0 : -1;
}

/* Copy of s without leading and trailing whitespace. */
static char *trimmed(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    return imp_strndup(s, n);
}

/* The field just ended: keep its text. */
static int end_field(wxr *w)
{
    const char *text = w->buf.len ? w->buf.data : "";
    enum field f = w->field;
    w->field = F_NONE;
    if (f == F_AUTH_LOGIN || f == F_AUTH_NAME) {
        char *t = trimmed(text);
        if (!t)
            return -1;
        if (f == F_AUTH_LOGIN) {
            free(w->auth_login);
            w->auth_login = t;
            return 0;
        }
        if (!w->auth_login || !*w->auth_login) {
            free(t);
            return 0;
        }
        author *a = realloc(w->authors, (w->nauthors + 1) * sizeof *a);
        if (!a) {
            free(t);
            return -1;
        }
        w->authors = a;
        a[w->nauthors].login = w->auth_login;
        a[w->nauthors].name = t;
        w->nauthors++;
        w->auth_login = NULL;
        return 0;
    }
    if (f == F_CAT) {
        char *t = imp_entities_decode_all(text);
        if (!t)
            return -1;
        char *tt = trimmed(t);
        free(t);
        if (!tt)
            return -1;
        int rc = 0;
        if (*tt && w->domain && strcmp(w->domain, "category") == 0)
            rc = imp_list_add(&w->cats, &w->ncats, tt);
        else if (*tt && w->domain && strcmp(w->domain, "post_tag") == 0)
            rc = imp_list_add(&w->tags, &w->ntags, tt);
        free(tt);
        free(w->domain);
        w->domain = NULL;
        return rc == IMP_OK ? 0 : -1;
    }
    if (f == F_CONTENT) {
        char *t = NULL;
        if (imp_html_to_text(text, strlen(text), &t) != IMP_OK)
            return -1;
        free(w->v[f]);
        w->v[f] = t;
        return 0;
    }
    char *t = trimmed(text);
    if (!t)
        return -1;
    free(w->v[f]);
    w->v[f] = t;
    return 0;
}

static int set_str(char **dst, const char *s)
{
    char *c = imp_strdup(s ? s : "");
    if (!c)
        return -1;
    free(*dst);
    *dst = c;
    return 0;
}

/* The item ended: a post, or nothing (skipped), or a record error. */
static int finish_item(imp_reader *r, wxr *w, imp_post **out, char *err, size_t errlen)
{
    const char *type = w->v[F_TYPE] ? w->v[F_TYPE] : "";
    const char *status = w->v[F_STATUS] ? w->v[F_STATUS] : "";
    const char *src = r->src.name;
    unsigned long line = w->item_line;
    char size[32];
    imp_size_text(w->max, size, sizeof size);
    /* A cut item is rejected whatever it was: what it held is not known. */
    if (w->cut) {
        if (strcmp(w->cut, "depth") == 0)
            snprintf(err, errlen, "%s:%lu: post with elements nested more than 64 deep", src,
                     line);
        else if (strcmp(w->cut, "tag") == 0)
            snprintf(err, errlen, "%s:%lu: post with a tag longer than 32 KiB", src, line);
        else if (strcmp(w->cut, "markup") == 0)
            snprintf(err, errlen, "%s:%lu: post with a comment or declaration longer than 1 MiB",
                     src, line);
        else
            snprintf(err, errlen, "%s:%lu: post larger than %s (max_post_bytes)", src, line, size);
        return IMP_ERR_RECORD;
    }
    if ((strcmp(type, "post") != 0 && strcmp(type, "page") != 0) || strcmp(status, "publish") != 0)
        return IMP_DONE; /* not for the index */
    if (w->too_big) {
        snprintf(err, errlen, "%s:%lu: post larger than %s (max_post_bytes)", src, line, size);
        return IMP_ERR_RECORD;
    }
    if (!w->v[F_ID] || !*w->v[F_ID]) {
        snprintf(err, errlen, "%s:%lu: post has no id", src, line);
        return IMP_ERR_RECORD;
    }
    char date[11] = "";
    const char *d = w->v[F_DATE] ? w->v[F_DATE] : "";
    if (*d && strncmp(d, "0000-00-00", 10) != 0) {
        snprintf(date, sizeof date, "%.10s", d);
        if (!imp_date_valid(date) || (d[10] && d[10] != ' ' && d[10] != 'T')) {
            snprintf(err, errlen, "%s:%lu: invalid date \"%.40s\"", src, line, d);
            return IMP_ERR_RECORD;
        }
    }
    imp_post *p = imp_post_new();
    if (!p)
        goto nomem;
    p->source = src;
    p->line = line;
    size_t idlen = strlen(w->v[F_ID]) + 4;
    free(p->id);
    p->id = malloc(idlen);
    if (!p->id)
        goto nomem;
    snprintf(p->id, idlen, "wp-%s", w->v[F_ID]);
    char *title = imp_entities_decode_all(w->v[F_TITLE] ? w->v[F_TITLE] : "");
    if (!title)
        goto nomem;
    free(p->title);
    p->title = title;
    const char *creator = w->v[F_CREATOR] ? w->v[F_CREATOR] : "";
    for (size_t i = 0; i < w->nauthors; i++)
        if (strcmp(w->authors[i].login, creator) == 0 && *w->authors[i].name) {
            creator = w->authors[i].name;
            break;
        }
    if (set_str(&p->url, w->v[F_LINK]) || set_str(&p->author, creator) || set_str(&p->date, date) ||
        set_str(&p->body, w->v[F_CONTENT]))
        goto nomem;
    const char *lang = NULL;
    for (size_t i = 0; i < w->ncats && !lang; i++)
        lang = imp_lang_of_term(w->cats[i]);
    for (size_t i = 0; i < w->ntags && !lang; i++)
        lang = imp_lang_of_term(w->tags[i]);
    if (lang && set_str(&p->lang, lang))
        goto nomem;
    p->categories = w->cats;
    p->ncategories = w->ncats;
    p->tags = w->tags;
    p->ntags = w->ntags;
    w->cats = w->tags = NULL;
    w->ncats = w->ntags = 0;
    *out = p;
    return IMP_OK;
nomem:
    imp_post_free(p);
    snprintf(err, errlen, "%s:%lu: out of memory", src, line);
    return IMP_ERR_NOMEM;
}

static int fail(imp_reader *r, wxr *w, char *err, size_t errlen)
{
    unsigned long xfline = 0;
    const char *xferr = imp_xf_error(w->xf, &xfline);
    if (r->src.truncated) {
        snprintf(w->fatal, sizeof w->fatal, "%s: truncated gzip input", r->src.name);
    } else if (r->src.ioerr) {
        snprintf(w->fatal, sizeof w->fatal, "%s: %s", r->src.name, r->src.errmsg);
    } else if (xferr) {
        snprintf(w->fatal, sizeof w->fatal, "%s:%lu: %s", r->src.name, xfline, xferr);
    } else {
        unsigned long line = w->xmlerr_line
                                 ? w->xmlerr_line
                                 : (unsigned long)xmlTextReaderGetParserLineNumber(w->xr);
        snprintf(w->fatal, sizeof w->fatal, "%s:%lu: %s", r->src.name, line,
                 w->xmlerr[0] ? w->xmlerr : "XML error");
    }
    w->failed = 1;
    snprintf(err, errlen, "%s", w->fatal);
    return IMP_ERR_FATAL;
}

int imp_wxr_next(imp_reader *r, imp_post **out, char *err, size_t errlen)
{
    wxr *w = r->impl;
    *out = NULL;
    if (w->failed) {
        snprintf(err, errlen, "%s", w->fatal);
        return IMP_ERR_FATAL;
    }
    for (;;) {
        int rc = xmlTextReaderRead(w->xr);
        /* A recoverable error (a namespace warning, say) that let the parse
           reach the end does not make the source fail. */
        if (rc < 0 || (rc == 0 && (r->src.truncated || r->src.ioerr)))
            return fail(r, w, err, errlen);
        if (rc == 0) {
            if (w->in_item) {
                snprintf(err, errlen, "%s:%lu: unterminated item", r->src.name, w->item_line);
                w->failed = 1;
                snprintf(w->fatal, sizeof w->fatal, "%s", err);
                return IMP_ERR_FATAL;
            }
            return IMP_DONE;
        }
        int type = xmlTextReaderNodeType(w->xr);
        int depth = xmlTextReaderDepth(w->xr);
        if (type == XML_READER_TYPE_ELEMENT) {
            const char *local = (const char *)xmlTextReaderConstLocalName(w->xr);
            const xmlChar *uri = xmlTextReaderConstNamespaceUri(w->xr);
            int empty = xmlTextReaderIsEmptyElement(w->xr);
            if (!local)
                continue;
            if (!w->in_item && !w->in_author && (!uri || !*uri) && strcmp(local, "item") == 0) {
                clear_item(w);
                w->in_item = 1;
                w->item_depth = depth;
                /* The node's own line: the parser's is ahead of it. */
                xmlNodePtr node = xmlTextReaderCurrentNode(w->xr);
                long ln = node ? xmlGetLineNo(node) : -1;
                w->item_line = ln > 0 ? (unsigned long)ln
                                      : (unsigned long)xmlTextReaderGetParserLineNumber(w->xr);
                /* A marker of the filter, if it made that many. */
                xmlChar *cut = xmlTextReaderGetAttribute(w->xr, BAD_CAST IMP_XF_CUT_ATTR);
                if (cut && w->cuts_seen < imp_xf_cuts(w->xf)) {
                    w->cuts_seen++;
                    w->cut = strcmp((const char *)cut, "depth") == 0   ? "depth"
                             : strcmp((const char *)cut, "tag") == 0    ? "tag"
                             : strcmp((const char *)cut, "markup") == 0 ? "markup"
                                                                         : "size";
                }
                if (cut)
                    xmlFree(cut);
                if (empty) {
                    w->in_item = 0;
                    int f = finish_item(r, w, out, err, errlen);
                    clear_item(w);
                    if (f != IMP_DONE)
                        return f;
                }
                continue;
            }
            if (!w->in_item && !w->in_author && ns_is(uri, NS_WP) && strcmp(local, "author") == 0 &&
                !empty) {
                w->in_author = 1;
                w->author_depth = depth;
                continue;
            }
            enum field f = F_NONE;
            if (w->in_item && depth == w->item_depth + 1)
                f = item_field(local, uri);
            else if (w->in_author && depth == w->author_depth + 1 && ns_is(uri, NS_WP)) {
                if (strcmp(local, "author_login") == 0)
                    f = F_AUTH_LOGIN;
                else if (strcmp(local, "author_display_name") == 0)
                    f = F_AUTH_NAME;
            }
            if (f == F_NONE)
                continue;
            w->field = f;
            w->field_depth = depth;
            w->buf.len = 0;
            if (f == F_CAT) {
                free(w->domain);
                xmlChar *dom = xmlTextReaderGetAttribute(w->xr, BAD_CAST "domain");
                w->domain = imp_strdup(dom ? (const char *)dom : "");
                if (dom)
                    xmlFree(dom);
                if (!w->domain)
                    goto nomem;
            }
            if (empty && end_field(w) != 0)
                goto nomem;
        } else if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
                   type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE ||
                   type == XML_READER_TYPE_WHITESPACE) {
            if (w->field == F_NONE)
                continue;
            const char *val = (const char *)xmlTextReaderConstValue(w->xr);
            if (val && buf_add(w, val, strlen(val)) != 0)
                goto nomem;
        } else if (type == XML_READER_TYPE_COMMENT) {
            /* The filter's comment with the item's line, right after its
               start tag: libxml2 keeps lines past 65535 in no element. */
            const char *val = (const char *)xmlTextReaderConstValue(w->xr);
            static const char tag[] = "socasma-search-line ";
            if (w->in_item && !w->line_known && depth == w->item_depth + 1 && val &&
                strncmp(val, tag, sizeof tag - 1) == 0) {
                char *end = NULL;
                unsigned long ln = strtoul(val + sizeof tag - 1, &end, 10);
                if (ln > 0 && end && !*end)
                    w->item_line = ln;
            }
            if (w->in_item)
                w->line_known = 1;
        } else if (type == XML_READER_TYPE_END_ELEMENT) {
            if (w->field != F_NONE && depth == w->field_depth) {
                if (end_field(w) != 0)
                    goto nomem;
            } else if (w->in_author && depth == w->author_depth) {
                w->in_author = 0;
                free(w->auth_login);
                w->auth_login = NULL;
            } else if (w->in_item && depth == w->item_depth) {
                w->in_item = 0;
                int f = finish_item(r, w, out, err, errlen);
                clear_item(w);
                if (f != IMP_DONE)
                    return f;
            }
        }
    }
nomem:
    snprintf(err, errlen, "%s:%lu: out of memory", r->src.name, w->item_line);
    return IMP_ERR_NOMEM;
}
