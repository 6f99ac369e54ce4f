/* html.c: a WordPress post's HTML content to plain text, with a small hand
 * scanner (a post's content is a fragment, often not well-formed, and only
 * its text matters): block elements become paragraph breaks, <br> a line
 * break, whitespace collapses, entities are decoded, script and style are
 * dropped with their content, and WordPress shortcodes are removed
 * ([caption]...[/caption] keeps its text; [embed], [audio], [video] and
 * [playlist] lose their content; [gallery] and form shortcodes vanish). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import/internal.h"

enum { BR_NONE, BR_SPACE, BR_LINE, BR_PARA };

typedef struct {
    char *b;
    size_t len, cap;
    int pending; /* the strongest break seen since the last text */
    int oom;
    /* sc_drop_content[i] has no "[/name]" after the point searched: later
       searches for it would scan to the end again (quadratic time). */
    unsigned char no_close[4];
} out_t;

static void put(out_t *o, const char *s, size_t n)
{
    if (o->oom)
        return;
    if (o->len + n + 3 > o->cap) {
        size_t cap = o->cap ? o->cap : 256;
        while (cap < o->len + n + 3)
            cap *= 2;
        char *p = realloc(o->b, cap);
        if (!p) {
            o->oom = 1;
            return;
        }
        o->b = p;
        o->cap = cap;
    }
    memcpy(o->b + o->len, s, n);
    o->len += n;
}

/* Text (no whitespace in it): first the pending break, unless at the start. */
static void text(out_t *o, const char *s, size_t n)
{
    if (o->len && o->pending == BR_PARA)
        put(o, "\n\n", 2);
    else if (o->len && o->pending == BR_LINE)
        put(o, "\n", 1);
    else if (o->len && o->pending == BR_SPACE)
        put(o, " ", 1);
    o->pending = BR_NONE;
    put(o, s, n);
}

static void mark_break(out_t *o, int level)
{
    if (level > o->pending)
        o->pending = level;
}

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static int in_list(const char *name, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(name, *list) == 0)
            return 1;
    return 0;
}

static const char *const block_tags[] = {
    "p",       "div",     "h1",      "h2",         "h3",      "h4",       "h5",
    "h6",      "ul",      "ol",      "li",         "dl",      "dt",       "dd",
    "table",   "thead",   "tbody",   "tfoot",      "tr",      "caption",  "blockquote",
    "pre",     "hr",      "section", "article",    "header",  "footer",   "aside",
    "nav",     "main",    "figure",  "figcaption", "address", "fieldset", "form",
    "details", "summary", "center",  "body",       "html",    "option",   NULL};
static const char *const dropped_tags[] = {"script", "style", "noscript", "template",
                                           "head",   "title", "iframe",   "object",
                                           "svg",    "math",  "select",   NULL};

/* Finds "</name" (any case) from i; returns the index after its '>' or len. */
static size_t skip_element(const char *s, size_t len, size_t i, const char *name)
{
    size_t nl = strlen(name);
    for (; i + 2 + nl <= len; i++) {
        if (s[i] == '<' && s[i + 1] == '/' && strncasecmp(s + i + 2, name, nl) == 0 &&
            (i + 2 + nl == len || s[i + 2 + nl] == '>' || is_ws(s[i + 2 + nl]))) {
            const char *gt = memchr(s + i, '>', len - i);
            return gt ? (size_t)(gt - s) + 1 : len;
        }
    }
    return len;
}

/* Index after the '>' closing a tag that starts at i, honouring quotes. */
static size_t tag_end(const char *s, size_t len, size_t i)
{
    char q = 0;
    for (; i < len; i++) {
        if (q) {
            if (s[i] == q)
                q = 0;
        } else if (s[i] == '"' || s[i] == '\'')
            q = s[i];
        else if (s[i] == '>')
            return i + 1;
    }
    return len;
}

static int name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == ':';
}

/* A tag at s[i] == '<': returns the index after it, or 0 if it is not a tag. */
static size_t tag(out_t *o, const char *s, size_t len, size_t i)
{
    if (i + 1 >= len)
        return 0;
    if (len - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
        for (size_t j = i + 4; j + 3 <= len; j++)
            if (memcmp(s + j, "-->", 3) == 0)
                return j + 3;
        return len;
    }
    if (s[i + 1] == '!' || s[i + 1] == '?')
        return tag_end(s, len, i + 1);
    int closing = s[i + 1] == '/';
    size_t j = i + 1 + (size_t)closing;
    if (j >= len || !((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z')))
        return 0;
    char name[16];
    size_t n = 0;
    while (j < len && name_char(s[j])) {
        if (n < sizeof name - 1)
            name[n++] = (char)(s[j] | 0x20);
        j++;
    }
    name[n] = '\0';
    size_t end = tag_end(s, len, j);
    if (!closing && in_list(name, dropped_tags)) {
        if (end > 1 && s[end - 1] == '>' && s[end - 2] == '/')
            return end; /* <x/> */
        return skip_element(s, len, end, name);
    }
    if (strcmp(name, "br") == 0)
        mark_break(o, BR_LINE);
    else if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0)
        mark_break(o, BR_SPACE);
    else if (in_list(name, block_tags))
        mark_break(o, BR_PARA);
    return end;
}

static const char *const sc_keep[] = {"caption", "wp_caption", NULL};
static const char *const sc_drop_content[] = {"embed", "audio", "video", "playlist", NULL};
_Static_assert(sizeof sc_drop_content / sizeof sc_drop_content[0] - 1 <=
                   sizeof((out_t *)0)->no_close,
               "one no_close flag per shortcode whose content is dropped");
static const char *const sc_vanish[] = {"gallery", "contact-form", "contact-form-7", "contact_form",
                                        NULL};

static int prefixed(const char *name)
{
    return strncmp(name, "vc_", 3) == 0 || strncmp(name, "et_pb_", 6) == 0;
}

/* A shortcode at s[i] == '[': returns the index after what it removes, or 0
 * if it is no known shortcode (the bracket is then ordinary text). */
static size_t shortcode(out_t *o, const char *s, size_t len, size_t i)
{
    size_t j = i + 1;
    int closing = j < len && s[j] == '/';
    j += (size_t)closing;
    char name[32];
    size_t n = 0;
    while (j < len && n < sizeof name - 1 && name_char(s[j]) && s[j] != ':') {
        char ch = s[j++];
        name[n++] = (char)(ch >= 'A' && ch <= 'Z' ? ch | 0x20 : ch);
    }
    name[n] = '\0';
    if (!n || j >= len || !(s[j] == ']' || s[j] == '/' || is_ws(s[j])))
        return 0;
    int keep = in_list(name, sc_keep) || prefixed(name);
    int drop = in_list(name, sc_drop_content);
    if (!keep && !drop && !in_list(name, sc_vanish))
        return 0;
    /* The closing ']', honouring quoted attribute values, within reason.
       A '[' ends the search (WordPress allows none in attributes): each
       byte is then scanned for at most one shortcode, in linear time. */
    char q = 0;
    size_t end = 0;
    for (size_t k = j; k < len && k < j + 4096 && s[k] != '['; k++) {
        if (q) {
            if (s[k] == q)
                q = 0;
        } else if (s[k] == '"' || s[k] == '\'') {
            q = s[k];
        } else if (s[k] == ']') {
            end = k + 1;
            break;
        }
    }
    if (!end)
        return 0;
    if (in_list(name, sc_keep))
        mark_break(o, BR_PARA);
    size_t di = 0;
    while (drop && strcmp(sc_drop_content[di], name) != 0)
        di++;
    if (drop && !closing && !(end >= 2 && s[end - 2] == '/') && !o->no_close[di]) {
        /* Enclosing form: skip up to and including its [/name]. */
        char close[40];
        size_t cl = (size_t)snprintf(close, sizeof close, "[/%s]", name);
        for (size_t k = end; k + cl <= len; k++)
            if (s[k] == '[' && strncasecmp(s + k, close, cl) == 0)
                return k + cl;
        o->no_close[di] = 1;
    }
    return end;
}

int imp_html_to_text(const char *html, size_t len, char **out)
{
    if (!out || (!html && len))
        return IMP_ERR_INVALID;
    *out = NULL;
    out_t o = {0};
    for (size_t i = 0; i < len;) {
        char c = html[i];
        size_t next;
        if (is_ws(c)) {
            mark_break(&o, BR_SPACE);
            i++;
        } else if (c == '<' && (next = tag(&o, html, len, i)) != 0) {
            i = next;
        } else if (c == '[' && (next = shortcode(&o, html, len, i)) != 0) {
            i = next;
        } else if (c == '&') {
            char buf[8];
            size_t n = 0;
            size_t k = imp_entity_decode(html + i, len - i, buf, &n);
            if (k && n == 1 && is_ws(buf[0]))
                mark_break(&o, BR_SPACE);
            else if (k)
                text(&o, buf, n);
            else
                text(&o, "&", 1);
            i += k ? k : 1;
        } else if (c == '\0') {
            i++;
        } else {
            size_t j = i + 1;
            while (j < len && !is_ws(html[j]) && html[j] != '<' && html[j] != '[' &&
                   html[j] != '&' && html[j] != '\0')
                j++;
            text(&o, html + i, j - i);
            i = j;
        }
    }
    put(&o, "", 0);
    if (o.oom) {
        free(o.b);
        return IMP_ERR_NOMEM;
    }
    char *fixed = imp_utf8_repair(o.b ? o.b : "", o.len, NULL);
    free(o.b);
    if (!fixed)
        return IMP_ERR_NOMEM;
    *out = fixed;
    return IMP_OK;
}
