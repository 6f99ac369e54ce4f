/* logfmt.c: text from clients made safe for a log line. A query goes into
 * the access log as a JSON string: quotes, backslashes, control bytes
 * (C0, DEL, C1), the line and paragraph separators and any byte that is not
 * UTF-8 are escaped, so a client can neither forge a log line nor send
 * terminal escapes to whoever reads the log. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "server/server.h"

int srv_log_quote(txt_buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    if (txt_buf_add(b, "\"", 1) != TXT_OK)
        return -1;
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        const char *out = NULL;
        size_t n = 1;
        uint32_t cp = c;
        if (c == '"')
            out = "\\\"";
        else if (c == '\\')
            out = "\\\\";
        else if (c == '\n')
            out = "\\n";
        else if (c == '\r')
            out = "\\r";
        else if (c == '\t')
            out = "\\t";
        else if (c >= 0x80) {
            /* a whole UTF-8 sequence, or one bad byte */
            size_t want = c >= 0xF0 && c < 0xF5 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
            int ok = want > 0 && c < 0xF5 && i + want <= len;
            cp = want == 2 ? c & 0x1Fu : want == 3 ? c & 0x0Fu : c & 0x07u;
            for (size_t k = 1; ok && k < want; k++) {
                unsigned char d = (unsigned char)s[i + k];
                ok = (d & 0xC0) == 0x80;
                cp = (cp << 6) | (d & 0x3Fu);
            }
            if (ok && ((want == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
                       (want == 4 && (cp < 0x10000 || cp > 0x10FFFF))))
                ok = 0;
            if (!ok) {
                snprintf(esc, sizeof esc, "\\x%c%c", hex[c >> 4], hex[c & 15]);
                out = esc;
            } else {
                n = want;
                if ((cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029) {
                    snprintf(esc, sizeof esc, "\\u%04x", (unsigned)cp);
                    out = esc;
                }
            }
        } else if (c < 0x20 || c == 0x7F) {
            snprintf(esc, sizeof esc, "\\u%04x", (unsigned)c);
            out = esc;
        }
        int rc = out ? txt_buf_adds(b, out) : txt_buf_add(b, s + i, n);
        if (rc != TXT_OK)
            return -1;
        i += n;
    }
    return txt_buf_add(b, "\"", 1) == TXT_OK ? 0 : -1;
}
