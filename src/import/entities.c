/* entities.c: HTML character references (&amp; &#233; &#xE9; &eacute;) to
 * UTF-8. Unknown names stay as they are; invalid code points become U+FFFD. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "import/internal.h"
#include "import/entities-table.h"

static size_t put_utf8(unsigned cp, char *o)
{
    if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        cp = 0xFFFD;
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static int cmp_entity(const void *key, const void *elem)
{
    const char *k = key;
    const char *name = *(const char *const *)elem;
    return strcmp(k, name);
}

size_t imp_entity_decode(const char *s, size_t len, char *out, size_t *outlen)
{
    if (len < 3 || s[0] != '&')
        return 0;
    size_t i = 1;
    if (s[1] == '#') {
        i = 2;
        int hex = 0;
        if (i < len && (s[i] == 'x' || s[i] == 'X')) {
            hex = 1;
            i++;
        }
        unsigned long cp = 0;
        size_t start = i;
        while (i < len && i - start < 8) {
            char c = s[i];
            int d;
            if (c >= '0' && c <= '9')
                d = c - '0';
            else if (hex && c >= 'a' && c <= 'f')
                d = c - 'a' + 10;
            else if (hex && c >= 'A' && c <= 'F')
                d = c - 'A' + 10;
            else
                break;
            cp = cp * (hex ? 16 : 10) + (unsigned long)d;
            i++;
        }
        if (i == start)
            return 0;
        if (i < len && s[i] == ';')
            i++;
        if (cp > 0x10FFFF)
            cp = 0xFFFD;
        /* Windows-1252 numbers that pages often carry for quotes and dashes. */
        static const unsigned short w1252[32] = {
            0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
            0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
            0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};
        if (cp >= 0x80 && cp <= 0x9F)
            cp = w1252[cp - 0x80];
        *outlen = put_utf8((unsigned)cp, out);
        return i;
    }
    char name[16];
    size_t n = 0;
    while (i < len && n < sizeof name - 1 &&
           ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
            (s[i] >= '0' && s[i] <= '9')))
        name[n++] = s[i++];
    name[n] = '\0';
    if (!n || i >= len || s[i] != ';')
        return 0;
    const void *hit = bsearch(name, entity_table, sizeof entity_table / sizeof entity_table[0],
                              sizeof entity_table[0], cmp_entity);
    if (!hit)
        return 0;
    unsigned cp = ((const struct imp_entity *)hit)->cp;
    *outlen = put_utf8(cp, out);
    return i + 1;
}

char *imp_entities_decode_all(const char *s)
{
    size_t len = strlen(s);
    char *out = malloc(len + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        size_t n = 0;
        size_t k = s[i] == '&' ? imp_entity_decode(s + i, len - i, out + o, &n) : 0;
        /* A reference never decodes to more bytes than it is written with. */
        if (k) {
            o += n;
            i += k;
        } else {
            out[o++] = s[i++];
        }
    }
    out[o] = '\0';
    return out;
}
