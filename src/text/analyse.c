/* analyse.c: the analyser: scans the text into words (UTF-8 repair, word
 * boundaries, French elision, English possessive, hyphen compounds, dotted
 * acronyms, numbers), normalises each word, decides each paragraph's
 * language and attaches the stems. See text.h for the pipeline. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "text/text-internal.h"

#define PARA_GAP 100 /* positions between paragraphs: phrases never span two */
#define MAX_PARTS 16

typedef struct {
    const char *p;
    size_t n;
} sref;

typedef struct {
    int en, fr;
    txt_lang lang;
} para_info;

struct txt_analyser {
    txt_stemmer *st;
    txt_arena ar;
    txt_token *toks;
    sref *accs; /* accented (unfolded) form of each token */
    size_t ntok, cap;
    para_info *paras;
    size_t npara, pcap;
    txt_buf raw, acc, fold;
    txt_cpbuf cb;
    uint32_t pos, para;
    int rc;
};

int txt_analyser_new(txt_analyser **out)
{
    if (!out)
        return TXT_ERR_INVALID;
    txt_analyser *a = calloc(1, sizeof *a);
    if (!a)
        return TXT_ERR_NOMEM;
    int rc = txt_stemmer_new(&a->st);
    if (rc != TXT_OK) {
        free(a);
        return rc;
    }
    *out = a;
    return TXT_OK;
}

void txt_analyser_free(txt_analyser *a)
{
    if (!a)
        return;
    txt_stemmer_free(a->st);
    txt_arena_free(&a->ar);
    free(a->toks);
    free(a->accs);
    free(a->paras);
    txt_buf_free(&a->raw);
    txt_buf_free(&a->acc);
    txt_buf_free(&a->fold);
    txt_cpbuf_free(&a->cb);
    free(a);
}

int txt_stem_word(txt_analyser *a, txt_lang lang, const char *word, size_t len, const char **out,
                  size_t *outlen)
{
    if (!a || !word || !out || !outlen)
        return TXT_ERR_INVALID;
    return txt_stemmer_raw(a->st, lang, word, len, out, outlen);
}

static const char *const elisions[] = {"l", "d", "j", "m", "n", "s", "t", "c",
                                       "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"};

static int is_elision(const unsigned char *s, size_t n)
{
    if (n == 0 || n > 7)
        return 0;
    char low[8];
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if (c < 'a' || c > 'z')
            return 0;
        low[i] = (char)c;
    }
    for (size_t i = 0; i < sizeof elisions / sizeof *elisions; i++)
        if (strlen(elisions[i]) == n && memcmp(elisions[i], low, n) == 0)
            return 1;
    return 0;
}

static int cls_at(const unsigned char *s, size_t len, size_t i, size_t *k)
{
    int32_t cp;
    *k = txt_utf8_decode(s + i, len - i, &cp);
    return txt_class(cp);
}

/* Strips an elided article at the start and a possessive 's at the end. */
static void trim_piece(const unsigned char *s, size_t *ps, size_t *pe)
{
    size_t k;
    for (size_t i = *ps; i < *pe; i += k) {
        int c = cls_at(s, *pe, i, &k);
        if (c == TXT_C_APOS) {
            if (is_elision(s + *ps, i - *ps) && i + k < *pe)
                *ps = i + k;
            break;
        }
        if (c != TXT_C_LETTER)
            break;
    }
    /* possessive: apostrophe + s at the end */
    if (*pe - *ps >= 3 && (s[*pe - 1] == 's' || s[*pe - 1] == 'S')) {
        size_t e = *pe - 1;
        if (s[e - 1] == '\'')
            *pe = e - 1;
        else if (e - *ps >= 4 && s[e - 3] == 0xE2 && s[e - 2] == 0x80 &&
                 (s[e - 1] == 0x99 || s[e - 1] == 0x98))
            *pe = e - 3;
    }
}

/* Normalises s[ps..pe) into a->acc and a->fold (skipping dots if asked). */
static int normalise(txt_analyser *a, const unsigned char *s, size_t ps, size_t pe, int skipdots)
{
    txt_buf *r = &a->raw;
    r->len = 0;
    if (txt_buf_reserve(r, pe - ps) != TXT_OK)
        return TXT_ERR_NOMEM;
    int ascii = 1;
    for (size_t i = ps; i < pe; i++) {
        unsigned char c = s[i];
        if (c >= 0x80)
            ascii = 0;
        else if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        else if (c == '.' && skipdots)
            continue;
        r->p[r->len++] = (char)c;
    }
    r->p[r->len] = '\0';
    if (ascii) {
        /* acc and fold are both raw: point them at it */
        return 1;
    }
    int rc = txt_nfkc_fold(&a->cb, r->p, r->len, &a->acc);
    if (rc == TXT_OK)
        rc = txt_unaccent(&a->cb, a->acc.p, a->acc.len, &a->fold);
    return rc;
}

static int push_token(txt_analyser *a, const char *acc, size_t accn, const char *fold, size_t fn,
                      uint32_t pos, size_t start, size_t end, unsigned flags)
{
    if (fn == 0)
        return TXT_OK;
    if (a->ntok == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 256;
        txt_token *t = realloc(a->toks, cap * sizeof *t);
        if (!t)
            return TXT_ERR_NOMEM;
        a->toks = t;
        sref *r = realloc(a->accs, cap * sizeof *r);
        if (!r)
            return TXT_ERR_NOMEM;
        a->accs = r;
        a->cap = cap;
    }
    const char *w = txt_arena_strdup(&a->ar, fold, fn);
    const char *ac = w;
    if (!w)
        return TXT_ERR_NOMEM;
    if (accn != fn || memcmp(acc, fold, fn) != 0) {
        ac = txt_arena_strdup(&a->ar, acc, accn);
        if (!ac)
            return TXT_ERR_NOMEM;
    }
    txt_token *t = &a->toks[a->ntok];
    memset(t, 0, sizeof *t);
    t->word = w;
    t->len = fn;
    t->pos = pos;
    t->start = start;
    t->end = end;
    t->para = a->para;
    t->flags = flags;
    a->accs[a->ntok].p = ac;
    a->accs[a->ntok].n = accn;
    a->ntok++;
    if (!(flags & TXT_TOK_JOINED)) {
        para_info *pi = &a->paras[a->npara - 1];
        txt_lang_evidence(w, fn, ac != w, &pi->en, &pi->fr);
    }
    return TXT_OK;
}

typedef struct {
    size_t s, e;
    int skipdots;
    unsigned flags;
} piece;

/* Splits a hyphen part into pieces (dotted acronyms and numbers stay whole). */
static size_t split_part(const unsigned char *s, size_t ps, size_t pe, piece *out, size_t max)
{
    size_t k, ndots = 0, maxseg = 0, minseg = (size_t)-1, seg = 0;
    int alldigit = 1, segdigit = 1, anydigitseg = 0;
    for (size_t i = ps; i < pe; i += k) {
        int c = cls_at(s, pe, i, &k);
        if (c == TXT_C_DOT) {
            ndots++;
            if (seg > maxseg)
                maxseg = seg;
            if (seg < minseg)
                minseg = seg;
            anydigitseg |= segdigit;
            seg = 0;
            segdigit = 1;
        } else {
            if (c == TXT_C_LETTER || c == TXT_C_DIGIT)
                seg++;
            if (c != TXT_C_DIGIT)
                segdigit = 0;
            if (c != TXT_C_DIGIT && c != TXT_C_NUMSEP)
                alldigit = 0;
        }
    }
    if (seg > maxseg)
        maxseg = seg;
    if (seg < minseg)
        minseg = seg;
    anydigitseg |= segdigit;
    if (ndots == 0 || alldigit) {
        out[0] = (piece){ps, pe, 0, alldigit ? TXT_TOK_NUMBER : 0};
        return 1;
    }
    if (maxseg <= 2 && minseg == 1 && !anydigitseg) { /* M.D, U.S.A, Ph.D */
        out[0] = (piece){ps, pe, 1, 0};
        return 1;
    }
    size_t n = 0, st = ps;
    for (size_t i = ps; i <= pe && n < max; i += k) {
        if (i == pe || cls_at(s, pe, i, &k) == TXT_C_DOT) {
            if (i > st) {
                unsigned fl = TXT_TOK_NUMBER;
                size_t k3;
                for (size_t q = st; q < i; q += k3)
                    if (cls_at(s, i, q, &k3) != TXT_C_DIGIT && cls_at(s, i, q, &k3) != TXT_C_NUMSEP)
                        fl = 0;
                out[n++] = (piece){st, i, 0, fl};
            }
            if (i == pe)
                break;
            st = i + k;
        }
    }
    return n;
}

static int process_chunk(txt_analyser *a, const unsigned char *s, size_t cs, size_t ce)
{
    size_t k;
    size_t pstart[MAX_PARTS], pend[MAX_PARTS];
    size_t nparts = 0, st = cs;
    int toomany = 0;
    for (size_t i = cs; i <= ce; i += k) {
        k = 1;
        if (i == ce || cls_at(s, ce, i, &k) == TXT_C_HYPHEN) {
            if (nparts < MAX_PARTS) {
                pstart[nparts] = st;
                pend[nparts] = i;
                nparts++;
            } else {
                /* extend the last part: no compound for very long chains */
                pend[nparts - 1] = i;
                toomany = 1;
            }
            if (i == ce)
                break;
            st = i + k;
        }
    }
    int compound = nparts > 1 && !toomany;
    txt_buf jacc = {0}, jfold = {0};
    int rc = TXT_OK;
    uint32_t firstpos = a->pos;
    size_t jstart = 0, jend = 0;
    for (size_t p = 0; p < nparts; p++) {
        piece pcs[64];
        size_t n = split_part(s, pstart[p], pend[p], pcs, 64);
        if (n != 1)
            compound = 0;
        for (size_t j = 0; j < n; j++) {
            size_t ps = pcs[j].s, pe = pcs[j].e;
            if (!(pcs[j].flags & TXT_TOK_NUMBER))
                trim_piece(s, &ps, &pe);
            int r = normalise(a, s, ps, pe, pcs[j].skipdots);
            if (r < 0) {
                rc = r;
                goto out;
            }
            const char *ac = r == 1 ? a->raw.p : a->acc.p;
            size_t an = r == 1 ? a->raw.len : a->acc.len;
            const char *fo = r == 1 ? a->raw.p : a->fold.p;
            size_t fn = r == 1 ? a->raw.len : a->fold.len;
            if (fn == 0)
                continue;
            if (compound) {
                if (txt_buf_reserve(&jacc, an) || txt_buf_reserve(&jfold, fn)) {
                    rc = TXT_ERR_NOMEM;
                    goto out;
                }
                memcpy(jacc.p + jacc.len, ac, an);
                jacc.len += an;
                memcpy(jfold.p + jfold.len, fo, fn);
                jfold.len += fn;
                if (p == 0)
                    jstart = ps;
                jend = pe;
            }
            if ((rc = push_token(a, ac, an, fo, fn, a->pos, ps, pe, pcs[j].flags)) != TXT_OK)
                goto out;
            a->pos++;
        }
    }
    if (compound && jfold.len && a->pos > firstpos + 1) {
        /* joined form at the first part's position, right after it */
        if ((rc = push_token(a, jacc.p, jacc.len, jfold.p, jfold.len, firstpos, jstart, jend,
                             TXT_TOK_JOINED)) != TXT_OK)
            goto out;
        /* move it just after the first part so that positions never decrease */
        size_t nparts_emitted = a->pos - firstpos;
        size_t last = a->ntok - 1, first = last - nparts_emitted;
        txt_token jt = a->toks[last];
        sref jr = a->accs[last];
        memmove(&a->toks[first + 2], &a->toks[first + 1], (nparts_emitted - 1) * sizeof jt);
        memmove(&a->accs[first + 2], &a->accs[first + 1], (nparts_emitted - 1) * sizeof jr);
        a->toks[first + 1] = jt;
        a->accs[first + 1] = jr;
    }
out:
    txt_buf_free(&jacc);
    txt_buf_free(&jfold);
    return rc;
}

static int new_para(txt_analyser *a)
{
    if (a->npara == a->pcap) {
        size_t cap = a->pcap ? a->pcap * 2 : 16;
        para_info *p = realloc(a->paras, cap * sizeof *p);
        if (!p)
            return TXT_ERR_NOMEM;
        a->paras = p;
        a->pcap = cap;
    }
    a->paras[a->npara++] = (para_info){0, 0, TXT_LANG_NONE};
    return TXT_OK;
}

/* Tokenises the whole text (no stems yet). */
static int scan(txt_analyser *a, const char *text, size_t len, uint32_t first_pos)
{
    const unsigned char *s = (const unsigned char *)text;
    txt_arena_reset(&a->ar);
    a->ntok = 0;
    a->npara = 0;
    a->pos = first_pos ? first_pos : 1;
    a->para = 0;
    int rc = new_para(a);
    if (rc != TXT_OK)
        return rc;
    int nl = 0;
    size_t i = 0, k;
    while (i < len) {
        int c;
        if (s[i] < 0x80) {
            c = txt_class(s[i]);
            k = 1;
        } else {
            c = cls_at(s, len, i, &k);
        }
        if (c == TXT_C_NEWLINE) {
            nl++;
            i += k;
            continue;
        }
        if (c != TXT_C_LETTER && c != TXT_C_DIGIT) {
            if (!(s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
                nl = nl >= 2 ? nl : 0;
            i += k;
            continue;
        }
        if (nl >= 2 && a->ntok && a->toks[a->ntok - 1].para == a->para) {
            if ((rc = new_para(a)) != TXT_OK)
                return rc;
            a->para++;
            a->pos += PARA_GAP;
        }
        nl = 0;
        /* the chunk: word characters joined by connectors */
        size_t j = i;
        int lastdigit = 0;
        while (j < len) {
            size_t kk;
            int cc = s[j] < 0x80 ? (kk = 1, txt_class(s[j])) : cls_at(s, len, j, &kk);
            if (cc == TXT_C_LETTER || cc == TXT_C_DIGIT || cc == TXT_C_MARK) {
                lastdigit = cc == TXT_C_DIGIT;
                j += kk;
                continue;
            }
            if ((cc == TXT_C_APOS || cc == TXT_C_HYPHEN || cc == TXT_C_DOT ||
                 cc == TXT_C_NUMSEP) && j + kk < len) {
                size_t k2;
                int nc = cls_at(s, len, j + kk, &k2);
                int ok = nc == TXT_C_LETTER || nc == TXT_C_DIGIT;
                if (cc == TXT_C_NUMSEP)
                    ok = lastdigit && nc == TXT_C_DIGIT;
                if (ok) {
                    j += kk;
                    continue;
                }
            }
            break;
        }
        if ((rc = process_chunk(a, s, i, j)) != TXT_OK)
            return rc;
        i = j;
    }
    return TXT_OK;
}

static txt_lang finish_langs(txt_analyser *a, txt_lang def)
{
    int ten = 0, tfr = 0;
    for (size_t p = 0; p < a->npara; p++) {
        para_info *pi = &a->paras[p];
        pi->lang = txt_lang_decide(pi->en, pi->fr, TXT_LANG_NONE);
        ten += pi->en;
        tfr += pi->fr;
    }
    txt_lang fb = def != TXT_LANG_NONE ? def : txt_lang_decide(ten, tfr, TXT_LANG_EN);
    for (size_t p = 0; p < a->npara; p++)
        if (a->paras[p].lang == TXT_LANG_NONE)
            a->paras[p].lang = fb;
    return txt_lang_decide(ten, tfr, def);
}

txt_lang txt_detect_lang(const char *text, size_t len, txt_lang fallback)
{
    if (!text)
        return fallback;
    /* scanning needs no stemmer: a bare analyser is enough */
    txt_analyser *a = calloc(1, sizeof *a);
    if (!a)
        return fallback;
    txt_lang r = fallback;
    if (scan(a, text, len, 1) == TXT_OK) {
        int ten = 0, tfr = 0;
        for (size_t p = 0; p < a->npara; p++) {
            ten += a->paras[p].en;
            tfr += a->paras[p].fr;
        }
        r = txt_lang_decide(ten, tfr, fallback);
    }
    txt_analyser_free(a);
    return r;
}

static int add_stems(txt_analyser *a, txt_token *t, const sref *acc, txt_lang lang, int query)
{
    if (t->nstems + 2 > TXT_MAX_STEMS)
        return TXT_OK;
    int stop = txt_is_stopword(lang, t->word, t->len);
    if (t->flags & TXT_TOK_NUMBER) {
        t->stems[t->nstems++] = (txt_stem){lang, 0, t->word, t->len};
        return TXT_OK;
    }
    const char *s1, *s2;
    size_t l1, l2;
    int rc = txt_stemmer_stems(a->st, lang, acc->p, acc->n, t->word, t->len, !query, &a->ar, &s1,
                               &l1, &s2, &l2);
    if (rc != TXT_OK)
        return rc;
    t->stems[t->nstems++] = (txt_stem){lang, stop, s1, l1};
    if (s2)
        t->stems[t->nstems++] = (txt_stem){lang, stop, s2, l2};
    return TXT_OK;
}

int txt_analyse(txt_analyser *a, const char *text, size_t len, const txt_options *opt,
                uint32_t first_pos, txt_result *res)
{
    if (!a || !res || (!text && len))
        return TXT_ERR_INVALID;
    txt_options dflt = {TXT_LANG_NONE, TXT_LANG_NONE, 0};
    if (!opt)
        opt = &dflt;
    memset(res, 0, sizeof *res);
    txt_stemmer_trim(a->st);
    int rc = scan(a, text ? text : "", len, first_pos);
    if (rc != TXT_OK)
        return rc;
    txt_lang mainl = finish_langs(a, opt->default_lang);
    size_t cnt[3] = {0, 0, 0};
    for (size_t i = 0; i < a->ntok; i++) {
        txt_token *t = &a->toks[i];
        if (opt->lang == TXT_LANG_EN || opt->lang == TXT_LANG_FR) {
            t->lang = opt->lang;
        } else if (opt->query) {
            t->lang = TXT_LANG_NONE;
        } else {
            t->lang = a->paras[t->para].lang;
        }
        if (t->lang == TXT_LANG_NONE) {
            if ((rc = add_stems(a, t, &a->accs[i], TXT_LANG_EN, 1)) != TXT_OK ||
                (rc = add_stems(a, t, &a->accs[i], TXT_LANG_FR, 1)) != TXT_OK)
                return rc;
        } else {
            if ((rc = add_stems(a, t, &a->accs[i], t->lang, opt->query)) != TXT_OK)
                return rc;
            if (!(t->flags & TXT_TOK_JOINED))
                cnt[t->lang]++;
        }
        res->langs |= 1u << t->lang;
        if (t->pos > res->last_pos)
            res->last_pos = t->pos;
    }
    if (cnt[TXT_LANG_EN] || cnt[TXT_LANG_FR])
        res->main_lang = cnt[TXT_LANG_EN] >= cnt[TXT_LANG_FR] ? TXT_LANG_EN : TXT_LANG_FR;
    else if (a->ntok)
        res->main_lang = mainl;
    res->tokens = a->toks;
    res->ntokens = a->ntok;
    if (!a->ntok)
        res->last_pos = first_pos ? first_pos - 1 : 0;
    return TXT_OK;
}
