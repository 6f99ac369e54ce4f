/* docdata.c: reads a hit's stored record (the JSON object of schema.h) for
 * the answer. The body is most of the blob and the answer needs none of it
 * (only the highlighter reads it, and only its first bytes), so the object
 * is parsed without its body, and the body string is decoded on demand, up
 * to a bound. The indexer writes "body" last (store/document.c); a blob of
 * another shape is parsed whole. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "search/search-internal.h"
#include "store/schema.h"

int srch_record(xc_doc *doc, const char **data, size_t *len)
{
    int rc = xc_doc_get_value(doc, SCH_SLOT_RECORD, data, len);
    if (rc == XC_OK && *len == 0)
        rc = xc_doc_get_data(doc, data, len); /* written by schema 1 */
    return rc;
}

#define BODY_KEY ",\"body\":\""

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* A string without escapes nor control characters at p (its opening
 * quote): its characters [*s, *s + *n) and the byte after its closing
 * quote, or NULL for any other string (jansson parses those). */
static const char *plain_string(const char *p, const char *end, const char **s, size_t *n)
{
    if (p >= end || *p != '"')
        return NULL;
    const char *q = ++p;
    while (q < end && *q != '"') {
        if (*q == '\\' || (unsigned char)*q < 0x20)
            return NULL;
        q++;
    }
    if (q >= end)
        return NULL;
    *s = p;
    *n = (size_t)(q - p);
    return q + 1;
}

/* The stored fields (the object's text up to its body: an object whose
 * values are strings or arrays of strings, as the indexer writes them)
 * read directly: jansson's loader costs some 40,000 instructions for the
 * few hundred bytes of a hit's fields, most of a hit's fetch. Returns the
 * same object jansson would, or NULL when the text holds anything else
 * (escapes, numbers, nesting, invalid UTF-8), left to jansson. */
static json_t *fast_fields(const char *p, const char *end)
{
    json_t *obj = json_object();
    char key[64];
    p = skip_ws(p, end);
    if (!obj || p >= end || *p++ != '{')
        goto other;
    p = skip_ws(p, end);
    if (p < end && *p == '}')
        return skip_ws(p + 1, end) == end ? obj : (json_decref(obj), NULL);
    for (;;) {
        const char *ks, *vs;
        size_t kn, vn;
        p = plain_string(p, end, &ks, &kn);
        if (!p || kn >= sizeof key || memchr(ks, '\0', kn))
            goto other;
        memcpy(key, ks, kn);
        key[kn] = '\0';
        p = skip_ws(p, end);
        if (p >= end || *p++ != ':')
            goto other;
        p = skip_ws(p, end);
        json_t *v = NULL;
        if (p < end && *p == '"') {
            p = plain_string(p, end, &vs, &vn);
            if (!p || !(v = json_stringn(vs, vn)))
                goto other;
        } else if (p < end && *p == '[') {
            v = json_array();
            p = skip_ws(p + 1, end);
            if (!v)
                goto other;
            if (p < end && *p == ']')
                p++;
            else
                for (;;) {
                    json_t *item = NULL;
                    p = plain_string(p, end, &vs, &vn);
                    if (!p || !(item = json_stringn(vs, vn)) || json_array_append_new(v, item)) {
                        json_decref(v);
                        goto other;
                    }
                    p = skip_ws(p, end);
                    if (p < end && *p == ',') {
                        p = skip_ws(p + 1, end);
                        continue;
                    }
                    if (p < end && *p == ']') {
                        p++;
                        break;
                    }
                    json_decref(v);
                    goto other;
                }
        } else
            goto other;
        if (json_object_set_new(obj, key, v))
            goto other;
        p = skip_ws(p, end);
        if (p < end && *p == ',') {
            p = skip_ws(p + 1, end);
            continue;
        }
        if (p < end && *p == '}' && skip_ws(p + 1, end) == end)
            return obj;
        goto other;
    }
other:
    json_decref(obj);
    return NULL;
}

/* Inside a JSON text, ',"body":"' can only be a key: in a string every '"'
 * is escaped, so it would follow a backslash, not a comma. */
int srch_docdata_parse(const char *data, size_t len, srch_docdata *out)
{
    memset(out, 0, sizeof *out);
    const char *k = NULL;
    size_t kl = sizeof BODY_KEY - 1;
    for (const char *p = data; p + kl <= data + len; p++) {
        p = memchr(p, ',', (size_t)(data + len - p));
        if (!p || p + kl > data + len)
            break;
        if (!memcmp(p, BODY_KEY, kl)) {
            k = p;
            break;
        }
    }
    json_error_t jerr;
    if (k && len >= 2 && data[len - 1] == '}' && data[len - 2] == '"' &&
        k + kl <= data + len - 2) {
        size_t hl = (size_t)(k - data);
        char *head = malloc(hl + 2);
        if (!head)
            return -1;
        memcpy(head, data, hl);
        head[hl] = '}';
        head[hl + 1] = '\0';
        out->fields = fast_fields(head, head + hl + 1);
        if (!out->fields)
            out->fields = json_loadb(head, hl + 1, 0, &jerr);
        free(head);
        if (out->fields) {
            out->body = k + kl;
            out->body_len = (size_t)(data + len - 2 - out->body);
            return 0;
        }
    }
    /* Another shape: parse it all. */
    out->fields = json_loadb(data, len, 0, &jerr);
    if (!out->fields)
        return 0; /* not JSON: a hit with empty fields */
    json_t *b = json_object_get(out->fields, "body");
    if (json_is_string(b)) {
        out->body = json_string_value(b);
        out->body_len = json_string_length(b);
        out->body_plain = 1;
    }
    return 0;
}

void srch_docdata_free(srch_docdata *d)
{
    json_decref(d->fields);
    memset(d, 0, sizeof *d);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int hex4(const char *s, const char *end, unsigned *v)
{
    if (end - s < 4)
        return -1;
    *v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(s[i]);
        if (h < 0)
            return -1;
        *v = (*v << 4) | (unsigned)h;
    }
    return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 63));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 63));
        o[2] = (char)(0x80 | (cp & 63));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 63));
    o[2] = (char)(0x80 | ((cp >> 6) & 63));
    o[3] = (char)(0x80 | (cp & 63));
    return 4;
}

char *srch_docdata_body(const srch_docdata *d, size_t max, size_t *len)
{
    *len = 0;
    if (!d->body)
        return NULL;
    if (d->body_plain) {
        size_t n = d->body_len < max ? d->body_len : max;
        char *s = malloc(n + 1);
        if (!s)
            return NULL;
        memcpy(s, d->body, n);
        s[n] = '\0';
        *len = n;
        return s;
    }
    /* Decoding never makes the text longer (an escape is at least as long
     * as the UTF-8 it stands for), so max + 4 bytes of output suffice. */
    size_t cap = (d->body_len < max ? d->body_len : max) + 5;
    char *o = malloc(cap);
    if (!o)
        return NULL;
    const char *s = d->body, *end = d->body + d->body_len;
    size_t n = 0;
    while (s < end && n < max) {
        const char *bs = memchr(s, '\\', (size_t)(end - s));
        size_t run = (size_t)((bs ? bs : end) - s);
        if (run > max - n)
            run = max - n;
        memcpy(o + n, s, run);
        n += run;
        s += run;
        if (s >= end || n >= max || *s != '\\')
            continue;
        if (s + 1 >= end)
            break;
        char c = s[1];
        s += 2;
        unsigned cp;
        switch (c) {
        case 'n': o[n++] = '\n'; break;
        case 't': o[n++] = '\t'; break;
        case 'r': o[n++] = '\r'; break;
        case 'b': o[n++] = '\b'; break;
        case 'f': o[n++] = '\f'; break;
        case 'u':
            if (hex4(s, end, &cp) < 0) {
                s = end;
                break;
            }
            s += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned lo;
                if (end - s >= 6 && s[0] == '\\' && s[1] == 'u' && hex4(s + 2, end, &lo) == 0 &&
                    lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    s += 6;
                } else
                    cp = 0xFFFD;
            } else if (cp >= 0xDC00 && cp <= 0xDFFF)
                cp = 0xFFFD;
            n += put_utf8(o + n, cp);
            break;
        default: o[n++] = c; break; /* \" \\ \/ */
        }
    }
    o[n] = '\0';
    *len = n;
    return o;
}
