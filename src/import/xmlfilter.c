/* xmlfilter.c: the byte filter between a WordPress export and libxml2.
 *
 * libxml2 stops a document for good at the first byte that is not in its
 * encoding, at a text node, CDATA section or lookahead of 10,000,000 bytes,
 * and it would hold an <item> of any size. So the bytes go through here
 * first:
 *  - They are decoded to UTF-8 (a declared encoding other than UTF-8 through
 *    iconv), every invalid sequence and every character XML forbids (the C0
 *    controls but tab, newline and return; U+FFFE, U+FFFF) becoming U+FFFD:
 *    a bad byte costs one character, not the rest of the file. libxml2 is
 *    then told the bytes are UTF-8.
 *  - Each <item> is held until it ends. One of more than max bytes (or with
 *    elements nested too deep, or an overlong tag or comment) stops being
 *    held as soon as it is over and is skipped as it streams; an empty
 *    marker item takes its place (attribute IMP_XF_CUT_ATTR) with the same
 *    number of newlines, so that libxml2's line numbers stay the file's.
 *  - Right after each item's start tag comes a comment with the item's line
 *    (libxml2 keeps an element's line in 16 bits: lines past 65535 are lost).
 *  - Text runs and CDATA sections longer than XF_SPLIT are split by an
 *    empty comment or "]]><![CDATA[": the text stays the same, each node
 *    stays under libxml2's limits.
 * The lexer knows just enough XML for this: tags with quoted attribute
 * values, comments, CDATA sections, processing instructions, declarations.
 * It never fails on bad XML; libxml2 reports that. */
#include <config.h>

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import/internal.h"

#define XF_RAW (64 * 1024)              /* source bytes decoded at a time */
#define XF_SPLIT ((size_t)1 << 20)      /* longest text piece given to libxml2 */
#define XF_TAG_MAX ((size_t)32 << 10)   /* longest tag (libxml2: names <= 50,000) */
#define XF_MARKUP_MAX ((size_t)1 << 20) /* longest comment, instruction, declaration */
#define XF_ITEM_DEPTH 64                /* elements nested inside an item */
#define XF_LOOKAHEAD 9                  /* strlen("<![CDATA[") */
/* An empty comment and blanks after each item and at the end of the input.
 * libxml2's reader hands a node over once its next sibling exists, and
 * parses in chunks of 512 bytes (CHUNK_SIZE in xmlreader.c), giving up the
 * nodes it holds when it meets a fatal error in a chunk. The comment is the
 * sibling; the blanks keep what follows an item out of the chunk of its
 * end. So an item is handed over before the parser sees anything after it,
 * and no good post is lost to an error in the next one or at the end of
 * the file. */
#define XF_PAD 512

static const char fffd[3] = {'\xEF', '\xBF', '\xBD'};

enum { XS_TEXT, XS_TAG, XS_COMMENT, XS_CDATA, XS_PI, XS_DECL };
enum { XM_UTF8, XM_ICONV, XM_PASS };

struct imp_xf {
    imp_src *src;
    size_t max;        /* an item's bytes, at most */
    int mode;          /* XM_* */
    iconv_t cd;        /* XM_ICONV: from the declared encoding to UTF-8 */
    size_t unit;       /* bytes dropped for an undecodable sequence */
    size_t skip_bom;   /* bytes of a byte order mark still to drop */
    unsigned char raw[XF_RAW];
    size_t rlen;       /* source bytes in raw, not decoded yet */
    int raw_eof;       /* the source has no more */
    imp_buf conv;      /* XM_ICONV: iconv's output before the UTF-8 pass */
    imp_buf dec;       /* decoded bytes: [dpos, len) not lexed yet */
    size_t dpos;
    int dec_eof;       /* no more decoded bytes will come */
    /* the lexer */
    int state;         /* XS_* */
    unsigned long line;
    size_t tok;        /* bytes of the markup token being read */
    int marks;         /* '-' (comment), ']' (CDATA), '?' (instruction) just seen */
    char quote;        /* tag, declaration: the open quote, or 0 */
    long brackets;     /* declaration: '[' depth */
    int end_tag;       /* tag: "</" */
    int slash;         /* tag: the last byte outside quotes was '/' */
    char name[4];      /* tag: the first bytes of its name */
    size_t namelen;
    int name_done;
    size_t tag_start;  /* out offset of the '<' of the tag being read */
    unsigned long tag_line;
    size_t run;        /* bytes of the text run or CDATA section since its start or a split */
    int amp;           /* bytes since an '&' that no ';' closed (0: none) */
    long depth;        /* elements open */
    /* the item being held */
    int in_item;
    int skipping;      /* it was cut: its bytes are dropped as they come */
    long item_depth;   /* depth inside it */
    size_t item_start; /* out offset of its '<' */
    size_t item_added; /* bytes the filter put into it (its line, splits) */
    unsigned long item_line;
    const char *cut_reason;
    /* bytes for libxml2: out[opos, ready) may go, the rest is held */
    imp_buf out;
    size_t opos, ready;
    unsigned long nl_pending; /* newlines of a cut item still to give */
    size_t nl_run;            /* newlines given since the last split */
    int finished;             /* end of input: everything held was let go */
    unsigned long ncut;
    int nomem;
    char err[128];            /* the filter's own fatal error */
    unsigned long err_line;
};

static void put(imp_xf *f, const char *s, size_t n)
{
    if (f->skipping || f->nomem)
        return;
    if (imp_buf_add(&f->out, s, n) != IMP_OK)
        f->nomem = 1;
}

static inline void put1(imp_xf *f, char c)
{
    if (f->skipping || f->nomem)
        return;
    if (f->out.len + 2 > f->out.cap && imp_buf_reserve(&f->out, 1) != IMP_OK) {
        f->nomem = 1;
        return;
    }
    f->out.data[f->out.len++] = c;
}

static void put_pad(imp_xf *f)
{
    put(f, "<!---->", 7); /* the item's next sibling: the reader waits for one */
    if (f->skipping || f->nomem)
        return;
    if (imp_buf_reserve(&f->out, XF_PAD) != IMP_OK) {
        f->nomem = 1;
        return;
    }
    memset(f->out.data + f->out.len, ' ', XF_PAD);
    f->out.len += XF_PAD;
}

/* ---- decoding ------------------------------------------------------------ */

/* Appends s[0..n) to out as UTF-8 that XML accepts (see the top comment).
 * Returns the bytes used: fewer than n when s ends inside a sequence and
 * more is to come (eof 0). */
static size_t sanitize(imp_xf *f, const unsigned char *s, size_t n, int eof, imp_buf *out)
{
    if (imp_buf_reserve(out, n * 3) != IMP_OK) {
        f->nomem = 1;
        return 0;
    }
    char *o = out->data + out->len;
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') {
                *o++ = (char)c;
            } else {
                memcpy(o, fffd, 3);
                o += 3;
            }
            i++;
            continue;
        }
        size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        if (need > n - i && !eof)
            break;
        size_t k = imp_utf8_seq(s + i, n - i);
        if (k == 3 && c == 0xEF && s[i + 1] == 0xBF && s[i + 2] >= 0xBE) {
            memcpy(o, fffd, 3); /* U+FFFE, U+FFFF */
            o += 3;
            i += 3;
        } else if (k) {
            memcpy(o, s + i, k);
            o += k;
            i += k;
        } else {
            memcpy(o, fffd, 3);
            o += 3;
            i++;
        }
    }
    out->len = (size_t)(o - out->data);
    out->data[out->len] = '\0';
    return i;
}

/* XM_ICONV: decodes s[0..n) through iconv, then sanitizes; returns the
 * bytes used. */
static size_t convert(imp_xf *f, const unsigned char *s, size_t n, int eof)
{
    f->conv.len = 0;
    size_t i = 0;
    while (i < n) {
        if (imp_buf_reserve(&f->conv, (n - i) * 4 + 16) != IMP_OK) {
            f->nomem = 1;
            return i;
        }
        char *in = (char *)s + i;
        size_t inleft = n - i;
        char *o = f->conv.data + f->conv.len;
        size_t oleft = f->conv.cap - f->conv.len - 1;
        size_t r = iconv(f->cd, &in, &inleft, &o, &oleft);
        f->conv.len = (size_t)(o - f->conv.data);
        i = n - inleft;
        if (r != (size_t)-1)
            break;
        if (errno == E2BIG)
            continue;
        if (errno == EINVAL && !eof)
            break; /* a sequence cut by the window: the rest comes next time */
        /* Not in the encoding (or cut by the end of the input). */
        if (imp_buf_add(&f->conv, fffd, 3) != IMP_OK) {
            f->nomem = 1;
            return i;
        }
        i += f->unit < n - i ? f->unit : n - i;
    }
    sanitize(f, (const unsigned char *)f->conv.data, f->conv.len, 1, &f->dec);
    return i;
}

/* Reads and decodes more bytes into dec (after dropping the lexed ones). */
static void fill(imp_xf *f)
{
    if (f->dpos) {
        memmove(f->dec.data, f->dec.data + f->dpos, f->dec.len - f->dpos);
        f->dec.len -= f->dpos;
        f->dpos = 0;
    }
    if (!f->raw_eof && f->rlen < XF_RAW) {
        size_t k = imp_src_read(f->src, f->raw + f->rlen, XF_RAW - f->rlen);
        if (!k)
            f->raw_eof = 1;
        f->rlen += k;
    }
    if (f->skip_bom && f->rlen >= f->skip_bom) {
        memmove(f->raw, f->raw + f->skip_bom, f->rlen - f->skip_bom);
        f->rlen -= f->skip_bom;
        f->skip_bom = 0;
    }
    size_t used = f->mode == XM_ICONV ? convert(f, f->raw, f->rlen, f->raw_eof)
                                      : sanitize(f, f->raw, f->rlen, f->raw_eof, &f->dec);
    memmove(f->raw, f->raw + used, f->rlen - used);
    f->rlen -= used;
    if (f->raw_eof && !f->rlen)
        f->dec_eof = 1;
}

/* ---- the lexer ----------------------------------------------------------- */

/* The held item's bytes as the file has them. */
static size_t item_size(const imp_xf *f)
{
    return f->out.len - f->item_start - f->item_added;
}

static void cut(imp_xf *f, const char *reason)
{
    f->out.len = f->item_start;
    f->skipping = 1;
    f->cut_reason = reason;
}

/* A token over its bound: the item is cut; outside an item the filter fails. */
static void too_long(imp_xf *f, const char *what, const char *reason, size_t cap)
{
    if (f->in_item) {
        if (!f->skipping)
            cut(f, reason);
        return;
    }
    char size[32];
    imp_size_text(cap, size, sizeof size);
    snprintf(f->err, sizeof f->err, "%s longer than %s", what, size);
    f->err_line = f->line;
}

/* The comment that carries an item's line (see the top comment). */
static void put_line_comment(imp_xf *f, unsigned long line)
{
    char c[64];
    int n = snprintf(c, sizeof c, "<!--socasma-search-line %lu-->", line);
    put(f, c, (size_t)n);
    f->item_added += (size_t)n;
}

/* The end of a cut item: its marker goes out, then its newlines
 * (imp_xf_read gives them), after the marker so that the reader hands the
 * marker over even when the file ends right after it. */
static void end_cut_item(imp_xf *f)
{
    f->skipping = 0;
    f->in_item = 0;
    f->out.len = f->item_start;
    put(f, "<item " IMP_XF_CUT_ATTR "=\"", sizeof "<item " IMP_XF_CUT_ATTR "=\"" - 1);
    put(f, f->cut_reason, strlen(f->cut_reason));
    put(f, "\">", 2);
    put_line_comment(f, f->item_line);
    put(f, "</item>", 7);
    put_pad(f);
    f->nl_pending = f->line - f->item_line;
    f->nl_run = 0;
    f->ready = f->out.len;
    f->ncut++;
}

/* The '>' of a tag was read; returns 1 when lexing must pause (a cut item
 * ended: its marker must go out before anything after it). */
static int tag_done(imp_xf *f)
{
    f->state = XS_TEXT;
    if (f->end_tag) {
        if (f->in_item && f->depth == f->item_depth) {
            f->depth--;
            if (!f->skipping && item_size(f) > f->max)
                cut(f, "size"); /* by its last bytes */
            if (f->skipping) {
                end_cut_item(f);
                return 1;
            }
            f->in_item = 0;
            put_pad(f);
            return 0;
        }
        if (f->depth > 0)
            f->depth--;
        return 0;
    }
    if (f->slash)
        return 0; /* an empty element */
    f->depth++;
    if (!f->in_item && f->namelen == 4 && memcmp(f->name, "item", 4) == 0) {
        f->in_item = 1;
        f->item_depth = f->depth;
        f->item_start = f->tag_start;
        f->item_line = f->tag_line;
        f->item_added = 0;
        put_line_comment(f, f->item_line);
    } else if (f->in_item && f->depth - f->item_depth > XF_ITEM_DEPTH && !f->skipping) {
        cut(f, "depth");
    }
    return 0;
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Starts the token at p[0] == '<' (avail bytes there); returns its bytes. */
static size_t open_token(imp_xf *f, const unsigned char *p, size_t avail)
{
    f->run = 0;
    f->amp = 0;
    f->marks = 0;
    f->quote = 0;
    size_t n = 1;
    if (avail >= 4 && memcmp(p, "<!--", 4) == 0) {
        f->state = XS_COMMENT;
        n = 4;
    } else if (avail >= XF_LOOKAHEAD && memcmp(p, "<![CDATA[", XF_LOOKAHEAD) == 0) {
        f->state = XS_CDATA;
        n = XF_LOOKAHEAD;
    } else if (avail >= 2 && p[1] == '!') {
        f->state = XS_DECL;
        f->brackets = 0;
        n = 2;
    } else if (avail >= 2 && p[1] == '?') {
        f->state = XS_PI;
        n = 2;
    } else {
        f->state = XS_TAG;
        f->end_tag = avail >= 2 && p[1] == '/';
        f->slash = 0;
        f->namelen = 0;
        f->name_done = 0;
        f->tag_start = f->out.len;
        f->tag_line = f->line;
        n = f->end_tag ? 2 : 1;
    }
    f->tok = n;
    put(f, (const char *)p, n);
    return n;
}

static void text_byte(imp_xf *f, unsigned char c)
{
    /* A split never goes inside a character (c a continuation byte) or a
       reference (&...;). */
    if (f->run >= XF_SPLIT && !f->amp && (c & 0xC0) != 0x80 && !f->skipping) {
        put(f, "<!---->", 7);
        f->item_added += 7;
        f->run = 0;
    }
    if (c == '&')
        f->amp = 1;
    else if (f->amp && (c == ';' || is_space(c) || ++f->amp > 40))
        f->amp = 0;
    put1(f, (char)c);
    f->run++;
}

/* Returns 1 when lexing must pause (see tag_done). */
static int tag_byte(imp_xf *f, unsigned char c)
{
    put1(f, (char)c);
    f->tok++;
    if (f->quote) {
        if (c == (unsigned char)f->quote) {
            f->quote = 0;
            f->slash = 0;
        }
    } else if (c == '>') {
        return tag_done(f);
    } else if (c == '"' || c == '\'') {
        f->quote = (char)c;
        f->name_done = 1;
    } else {
        if (!f->name_done) {
            if (is_space(c) || c == '/') {
                f->name_done = 1;
            } else {
                if (f->namelen < sizeof f->name)
                    f->name[f->namelen] = (char)c;
                f->namelen++;
            }
        }
        if (!is_space(c))
            f->slash = c == '/';
    }
    if (f->tok > XF_TAG_MAX)
        too_long(f, "a tag", "tag", XF_TAG_MAX);
    return 0;
}

static void comment_byte(imp_xf *f, unsigned char c)
{
    put1(f, (char)c);
    f->tok++;
    if (c == '>' && f->marks >= 2)
        f->state = XS_TEXT;
    else
        f->marks = c == '-' ? f->marks + 1 : 0;
    if (f->tok > XF_MARKUP_MAX && f->state != XS_TEXT)
        too_long(f, "a comment", "markup", XF_MARKUP_MAX);
}

static void cdata_byte(imp_xf *f, unsigned char c)
{
    /* Never after a ']': "]]" + "]]>" would end the section early. The
       comment keeps libxml2 from joining the two sections into one node. */
    if (f->run >= XF_SPLIT && !f->marks && (c & 0xC0) != 0x80 && !f->skipping) {
        put(f, "]]><!----><![CDATA[", 19);
        f->item_added += 19;
        f->run = 0;
    }
    put1(f, (char)c);
    f->run++;
    if (c == '>' && f->marks >= 2)
        f->state = XS_TEXT;
    else
        f->marks = c == ']' ? f->marks + 1 : 0;
}

static void pi_byte(imp_xf *f, unsigned char c)
{
    put1(f, (char)c);
    f->tok++;
    if (c == '>' && f->marks)
        f->state = XS_TEXT;
    else
        f->marks = c == '?';
    if (f->tok > XF_MARKUP_MAX && f->state != XS_TEXT)
        too_long(f, "a processing instruction", "markup", XF_MARKUP_MAX);
}

static void decl_byte(imp_xf *f, unsigned char c)
{
    put1(f, (char)c);
    f->tok++;
    if (f->quote) {
        if (c == (unsigned char)f->quote)
            f->quote = 0;
    } else if (c == '"' || c == '\'') {
        f->quote = (char)c;
    } else if (c == '[') {
        f->brackets++;
    } else if (c == ']') {
        if (f->brackets > 0)
            f->brackets--;
    } else if (c == '>' && !f->brackets) {
        f->state = XS_TEXT;
    }
    if (f->tok > XF_MARKUP_MAX && f->state != XS_TEXT)
        too_long(f, "a declaration", "markup", XF_MARKUP_MAX);
}

/* What may go to libxml2: everything, but an item being held or a start
 * tag not read to its end (it may open an item). */
static void set_ready(imp_xf *f)
{
    if (f->in_item)
        return;
    f->ready = f->state == XS_TAG && !f->end_tag ? f->tag_start : f->out.len;
}

/* Lexes dec[dpos, len): stops early when a '<' needs more lookahead, when a
 * cut item ended, or on an error. */
static void lex(imp_xf *f)
{
    const unsigned char *d = (const unsigned char *)f->dec.data;
    size_t n = f->dec.len, i = f->dpos;
    int pause = 0;
    while (i < n && !pause && !f->nomem && !f->err[0]) {
        unsigned char c = d[i];
        if (f->state == XS_TEXT && c == '<') {
            if (n - i < XF_LOOKAHEAD && !f->dec_eof)
                break;
            i += open_token(f, d + i, n - i);
        } else {
            if (c == '\n')
                f->line++;
            switch (f->state) {
            case XS_TEXT: text_byte(f, c); break;
            case XS_TAG: pause = tag_byte(f, c); break;
            case XS_COMMENT: comment_byte(f, c); break;
            case XS_CDATA: cdata_byte(f, c); break;
            case XS_PI: pi_byte(f, c); break;
            default: decl_byte(f, c); break;
            }
            i++;
        }
        if (f->in_item && !f->skipping && item_size(f) > f->max)
            cut(f, "size");
    }
    f->dpos = i;
    if (!pause)
        set_ready(f);
}

/* End of input: an item still held goes as it is (libxml2 will say it is
 * unterminated), a cut one as its marker. */
static void finish(imp_xf *f)
{
    if (f->in_item && f->skipping) {
        end_cut_item(f);
        return;
    }
    f->in_item = 0;
    put_pad(f);
    f->ready = f->out.len;
    f->finished = 1;
}

/* ---- the interface ------------------------------------------------------- */

/* The encoding named by an XML declaration at s[0..n), into enc; 0 if none. */
static int declared_encoding(const unsigned char *s, size_t n, char *enc, size_t enclen)
{
    if (n > 1024)
        n = 1024;
    if (n < 6 || memcmp(s, "<?xml", 5) != 0 || !is_space(s[5]))
        return 0;
    const unsigned char *end = NULL;
    for (size_t i = 5; i + 1 < n && !end; i++)
        if (s[i] == '?' && s[i + 1] == '>')
            end = s + i;
    if (!end)
        return 0;
    const unsigned char *p = s + 5;
    for (; p + 8 <= end; p++)
        if (memcmp(p, "encoding", 8) == 0)
            break;
    if (p + 8 > end)
        return 0;
    p += 8;
    while (p < end && is_space(*p))
        p++;
    if (p >= end || *p++ != '=')
        return 0;
    while (p < end && is_space(*p))
        p++;
    if (p >= end || (*p != '"' && *p != '\''))
        return 0;
    unsigned char q = *p++;
    size_t k = 0;
    while (p < end && *p != q && k + 1 < enclen) {
        unsigned char c = *p++;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == ':'))
            return 0;
        enc[k++] = (char)c;
    }
    enc[k] = '\0';
    return k > 0 && p < end && *p == q;
}

/* Picks the decoding from the first bytes of the source. */
static void choose_mode(imp_xf *f, const unsigned char *p, size_t n)
{
    static const char *const latin1[] = {"ISO-8859-1", "ISO8859-1", "ISO_8859-1", "LATIN1",
                                         "LATIN-1", "L1", "US-ASCII", "ASCII", "CP819",
                                         "IBM819", "ISO-IR-100", NULL};
    const char *from = NULL;
    f->mode = XM_UTF8;
    if (n >= 4 && (memcmp(p, "\0\0\xFE\xFF", 4) == 0 || memcmp(p, "\xFF\xFE\0\0", 4) == 0 ||
                   memcmp(p, "\0\0\0<", 4) == 0 || memcmp(p, "<\0\0\0", 4) == 0 ||
                   memcmp(p, "\x4C\x6F\xA7\x94", 4) == 0)) {
        f->mode = XM_PASS; /* UTF-32 or EBCDIC: libxml2 reads them itself */
        return;
    }
    if (n >= 2 && p[0] == 0xFF && p[1] == 0xFE) {
        from = "UTF-16LE";
        f->skip_bom = 2;
    } else if (n >= 2 && p[0] == 0xFE && p[1] == 0xFF) {
        from = "UTF-16BE";
        f->skip_bom = 2;
    } else if (n >= 4 && memcmp(p, "<\0?\0", 4) == 0) {
        from = "UTF-16LE";
    } else if (n >= 4 && memcmp(p, "\0<\0?", 4) == 0) {
        from = "UTF-16BE";
    } else if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
        f->skip_bom = 3; /* UTF-8, whatever a declaration says */
        return;
    } else {
        char enc[48];
        if (!declared_encoding(p, n, enc, sizeof enc))
            return;
        /* UTF-16 or -32 declared over bytes that are not: UTF-8 it is. */
        if (strncasecmp(enc, "UTF", 3) == 0 || strncasecmp(enc, "UCS", 3) == 0)
            return;
        from = enc;
        for (size_t i = 0; latin1[i]; i++)
            if (strcasecmp(enc, latin1[i]) == 0)
                from = "WINDOWS-1252"; /* what such files hold, as browsers read them */
        f->cd = iconv_open("UTF-8", from);
        if (f->cd == (iconv_t)-1)
            f->mode = XM_PASS; /* unknown to iconv: libxml2 will say so */
        else
            f->mode = XM_ICONV;
        return;
    }
    f->cd = iconv_open("UTF-8", from);
    f->unit = 2;
    f->mode = f->cd == (iconv_t)-1 ? XM_PASS : XM_ICONV;
    if (f->mode == XM_PASS)
        f->skip_bom = 0;
}

int imp_xf_new(imp_src *src, size_t max, imp_xf **out)
{
    *out = NULL;
    imp_xf *f = calloc(1, sizeof *f);
    if (!f)
        return IMP_ERR_NOMEM;
    f->src = src;
    f->max = max;
    f->line = 1;
    f->unit = 1;
    f->cd = (iconv_t)-1;
    size_t n = imp_src_fill(src);
    choose_mode(f, src->buf + src->pos, n);
    *out = f;
    return IMP_OK;
}

void imp_xf_free(imp_xf *f)
{
    if (!f)
        return;
    if (f->cd != (iconv_t)-1)
        iconv_close(f->cd);
    imp_buf_free(&f->conv);
    imp_buf_free(&f->dec);
    imp_buf_free(&f->out);
    free(f);
}

int imp_xf_utf8(const imp_xf *f)
{
    return f->mode != XM_PASS;
}

unsigned long imp_xf_cuts(const imp_xf *f)
{
    return f->ncut;
}

const char *imp_xf_error(const imp_xf *f, unsigned long *line)
{
    if (f->nomem) {
        *line = f->line;
        return "out of memory";
    }
    *line = f->err_line;
    return f->err[0] ? f->err : NULL;
}

/* Newlines of a cut item, an empty comment every XF_SPLIT of them. */
static size_t give_newlines(imp_xf *f, char *buf, size_t room)
{
    size_t k = f->nl_pending < room ? (size_t)f->nl_pending : room;
    if (k > XF_SPLIT - f->nl_run)
        k = XF_SPLIT - f->nl_run;
    memset(buf, '\n', k);
    f->nl_pending -= k;
    f->nl_run += k;
    if (f->nl_run >= XF_SPLIT) {
        f->nl_run = 0;
        put(f, "<!---->", 7);
        f->ready = f->out.len;
    }
    return k;
}

int imp_xf_read(void *ctx, char *buf, int len)
{
    imp_xf *f = ctx;
    imp_src *s = f->src;
    if (len <= 0)
        return 0;
    if (f->mode == XM_PASS) {
        size_t k = imp_src_read(s, buf, (size_t)len);
        return !k && (s->truncated || s->ioerr) ? -1 : (int)k;
    }
    size_t got = 0, want = (size_t)len;
    while (got < want) {
        if (f->opos < f->ready) {
            size_t k = f->ready - f->opos < want - got ? f->ready - f->opos : want - got;
            memcpy(buf + got, f->out.data + f->opos, k);
            f->opos += k;
            got += k;
            continue;
        }
        if (f->opos) { /* everything given: drop it */
            memmove(f->out.data, f->out.data + f->opos, f->out.len - f->opos);
            f->out.len -= f->opos;
            f->ready -= f->opos;
            f->tag_start = f->tag_start >= f->opos ? f->tag_start - f->opos : 0;
            f->item_start = f->item_start >= f->opos ? f->item_start - f->opos : 0;
            f->opos = 0;
        }
        if (f->nl_pending) {
            got += give_newlines(f, buf + got, want - got);
            continue;
        }
        if (f->nomem || f->err[0])
            return got ? (int)got : -1;
        if (f->finished)
            break;
        if (f->dec_eof && f->dpos >= f->dec.len) {
            finish(f);
            continue;
        }
        size_t before = f->dpos;
        lex(f);
        if (f->dpos == before && f->opos == f->ready && !f->nl_pending && !f->nomem && !f->err[0])
            fill(f);
    }
    if (!got && (s->truncated || s->ioerr))
        return -1;
    return (int)got;
}
