/* document.c: one post into one Xapian document, as schema.h lays it out
 * (store_prepare), and the post's content hash. Runs in any thread with its
 * own store_worker: it reads the store's table of hashes but never writes
 * the store (see store-internal.h, A POST IN TWO STEPS). */
#include <config.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "store/schema.h"
#include "store/store-internal.h"
#include "store/termset.h"

/* Terms longer than this are skipped: Xapian refuses terms over 245 bytes,
 * and a "word" that long is noise (TermGenerator skips words over 64). */
#define MAX_WORD 64
#define MAX_TERM 245
/* Words longer than this do not go into the spelling table. */
#define MAX_SPELL 40

int store_worker_new(store_worker **out)
{
    if (!out)
        return STORE_ERR_INVALID;
    store_worker *w = calloc(1, sizeof *w); /* its termset is empty */
    if (!w || txt_analyser_new(&w->an) != TXT_OK) {
        free(w);
        return STORE_ERR_NOMEM;
    }
    *out = w;
    return STORE_OK;
}

void store_worker_free(store_worker *w)
{
    if (!w)
        return;
    txt_analyser_free(w->an);
    store_termset_free(&w->terms);
    store_termset_free(&w->words);
    txt_buf_free(&w->record);
    free(w);
}

static uint64_t hash_str(uint64_t h, const char *s)
{
    /* The terminating NUL separates fields, so ("ab","c") != ("a","bc"). */
    return idmap_fnv1a(h, s, strlen(s) + 1);
}

void store_post_hash(const imp_post *post, unsigned title_weight, char out[17])
{
    char buf[64];
    uint64_t h = IDMAP_FNV_INIT;
    snprintf(buf, sizeof buf, "socasma schema %s title %u", SCH_VERSION, title_weight);
    h = hash_str(h, buf);
    h = hash_str(h, post->id);
    h = hash_str(h, post->url);
    h = hash_str(h, post->title);
    h = hash_str(h, post->author);
    h = hash_str(h, post->date);
    h = hash_str(h, post->lang);
    snprintf(buf, sizeof buf, "%zu categories", post->ncategories);
    h = hash_str(h, buf);
    for (size_t i = 0; i < post->ncategories; i++)
        h = hash_str(h, post->categories[i]);
    snprintf(buf, sizeof buf, "%zu tags", post->ntags);
    h = hash_str(h, buf);
    for (size_t i = 0; i < post->ntags; i++)
        h = hash_str(h, post->tags[i]);
    h = hash_str(h, post->body);
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* ---- building a document -------------------------------------------------- */

/* An occurrence of a word, for the characteristic words (SCH_SLOT_WORDS). */
typedef struct {
    size_t off;     /* the word in the words set's bytes */
    uint32_t len;
    uint32_t wdf;   /* its weight (title words: the title weight) */
    size_t first;   /* the order of the occurrence in the post */
} word_use;

typedef struct {
    xc_doc *doc;
    store_termset *terms; /* the document's terms, written at the end */
    txt_buf *record;      /* the record being written (the worker's) */
    char term[MAX_TERM + 8];
    int rc;             /* first failure (STORE_ERR_NOMEM) */
    store_spell *spell; /* display forms of the words, for the spelling table */
    size_t nspell, capspell;
    store_termset *words; /* the characteristic words (set_words) */
} builder;

/* prefix + body into b->term; 0 if too long. */
static size_t make_term(builder *b, const char *prefix, const char *body, size_t len)
{
    size_t pl = strlen(prefix);
    if (len == 0 || pl + len > MAX_TERM)
        return 0;
    memcpy(b->term, prefix, pl);
    memcpy(b->term + pl, body, len);
    b->term[pl + len] = '\0';
    return pl + len;
}

static void add_posting(builder *b, const char *prefix, const char *w, size_t len, uint32_t pos,
                        uint32_t wdf)
{
    size_t n = make_term(b, prefix, w, len);
    if (n && store_termset_add(b->terms, b->term, n, 1, pos, wdf) != 0)
        b->rc = STORE_ERR_NOMEM;
}

static void add_term(builder *b, const char *prefix, const char *w, size_t len, uint32_t wdf)
{
    size_t n = make_term(b, prefix, w, len);
    if (n && store_termset_add(b->terms, b->term, n, 0, 0, wdf) != 0)
        b->rc = STORE_ERR_NOMEM;
}

static void add_boolean(builder *b, const char *prefix, const char *w, size_t len)
{
    size_t n = make_term(b, prefix, w, len);
    if (n && store_termset_add(b->terms, b->term, n, 0, 0, 0) != 0)
        b->rc = STORE_ERR_NOMEM;
}

/* A filter term of a free-form value: prefix + txt_normalise(value). */
static void add_filter(builder *b, const char *prefix, const char *value)
{
    char *norm = NULL;
    if (!value[0])
        return;
    if (txt_normalise(value, strlen(value), &norm) != TXT_OK) {
        b->rc = STORE_ERR_NOMEM;
        return;
    }
    add_boolean(b, prefix, norm, strlen(norm));
    free(norm);
}

/* The word as a person would write it in a suggestion: the input's bytes,
 * lower-cased, accents kept (the search folds when comparing). */
static void add_spell(builder *b, const char *text, const txt_token *t)
{
    if ((t->flags & (TXT_TOK_JOINED | TXT_TOK_NUMBER)) || t->len < 2 || t->len > MAX_SPELL ||
        t->end <= t->start || t->end - t->start > 4 * MAX_SPELL)
        return;
    const char *s = text + t->start;
    size_t len = t->end - t->start;
    char *w = NULL;
    int ascii = 1;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] >= 0x80)
            ascii = 0;
    if (ascii) {
        w = malloc(len + 1);
        if (!w) {
            b->rc = STORE_ERR_NOMEM;
            return;
        }
        for (size_t i = 0; i < len; i++)
            w[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
        w[len] = '\0';
    } else {
        utf8proc_uint8_t *m = NULL;
        if (utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &m,
                         UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD) < 0)
            return; /* not a word we can show */
        w = (char *)m;
    }
    /* Only letters, digits and inner apostrophes or hyphens: anything else
     * (an odd slice) is not offered as a suggestion. */
    for (char *p = w; *p; p++)
        if ((unsigned char)*p < 0x80 && !(*p >= 'a' && *p <= 'z') && !(*p >= '0' && *p <= '9') &&
            *p != '\'' && *p != '-') {
            free(w);
            return;
        }
    if (b->nspell == b->capspell) {
        size_t nc = b->capspell ? 2 * b->capspell : 64;
        store_spell *ns = realloc(b->spell, nc * sizeof *ns);
        if (!ns) {
            free(w);
            b->rc = STORE_ERR_NOMEM;
            return;
        }
        b->spell = ns;
        b->capspell = nc;
    }
    b->spell[b->nspell].word = w;
    b->spell[b->nspell].count = 1;
    b->nspell++;
}

/* A word that says something of the post: not a stopword (in a language
 * that stems it), a number or the joined form of a hyphenated word. */
static int characteristic(const txt_token *t)
{
    if (t->flags & (TXT_TOK_JOINED | TXT_TOK_NUMBER) || t->len < 2 || t->len > MAX_WORD)
        return 0;
    for (unsigned k = 0; k < t->nstems && k < TXT_MAX_STEMS; k++)
        if (t->stems[k].stop)
            return 0;
    return 1;
}

/* Notes an occurrence of t (weight wdf) for the characteristic words: the
 * worker's second term set sums each word's weight and keeps the words in
 * the order of their first occurrence. */
static void add_use(builder *b, const txt_token *t, uint32_t wdf)
{
    if (!characteristic(t))
        return;
    if (store_termset_add(b->words, t->word, t->len, 0, 0, wdf) != 0)
        b->rc = STORE_ERR_NOMEM;
}

/* The free-text terms of one field. title: also under the S/ZS* prefixes,
 * and wdf weight for the plain terms. */
static void add_text(builder *b, const char *text, const txt_result *r, int title,
                     uint32_t weight)
{
    for (size_t i = 0; i < r->ntokens; i++) {
        const txt_token *t = &r->tokens[i];
        if (t->len == 0 || t->len > MAX_WORD)
            continue;
        add_posting(b, SCH_WORD, t->word, t->len, t->pos, weight);
        add_use(b, t, weight);
        if (title)
            add_posting(b, SCH_TITLE_WORD, t->word, t->len, t->pos, 1);
        for (unsigned k = 0; k < t->nstems && k < TXT_MAX_STEMS; k++) {
            const txt_stem *st = &t->stems[k];
            const char *p = store_stem_prefix(st->lang, 0);
            if (st->stop || !p || st->len == 0)
                continue; /* stopword stems are not searched alone */
            add_term(b, p, st->term, st->len, weight);
            if (title)
                add_term(b, store_stem_prefix(st->lang, 1), st->term, st->len, 1);
        }
        add_spell(b, text, t);
    }
}

static void set_value(builder *b, uint32_t slot, const char *v, size_t len)
{
    if (len && xc_doc_set_value(b->doc, slot, v, len) == XC_ERR_NOMEM)
        b->rc = STORE_ERR_NOMEM;
}

static int use_rank_cmp(const void *a, const void *b)
{
    const word_use *x = a, *y = b;
    if (x->wdf != y->wdf)
        return x->wdf > y->wdf ? -1 : 1;
    return x->first < y->first ? -1 : x->first > y->first;
}

/* The characteristic words into SCH_SLOT_WORDS (see schema.h). */
static void set_words(builder *b)
{
    const store_termset *ws = b->words;
    if (b->rc != STORE_OK || ws->n == 0)
        return;
    /* one entry per word: its summed wdf, its first occurrence */
    word_use *uses = malloc(ws->n * sizeof *uses);
    if (!uses) {
        b->rc = STORE_ERR_NOMEM;
        return;
    }
    for (uint32_t i = 0; i < ws->n; i++)
        uses[i] = (word_use){ws->e[i].off, ws->e[i].len, ws->e[i].wdf, i};
    size_t n = ws->n;
    qsort(uses, n, sizeof *uses, use_rank_cmp);
    if (n > SCH_WORDS_MAX)
        n = SCH_WORDS_MAX;
    char *v = malloc(n * (MAX_WORD + 2)), *p = v;
    if (!v) {
        free(uses);
        b->rc = STORE_ERR_NOMEM;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const word_use *u = &uses[i];
        *p++ = (char)u->len;
        memcpy(p, ws->bytes + u->off, u->len);
        p += u->len;
        *p++ = (char)(unsigned char)(u->wdf > 255 ? 255 : u->wdf);
    }
    set_value(b, SCH_SLOT_WORDS, v, (size_t)(p - v));
    free(v);
    free(uses);
}

static char *join(char **parts, size_t n)
{
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(parts[i]) + 1;
    char *s = malloc(len), *p = s;
    if (!s)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (i)
            *p++ = SCH_SEP;
        size_t l = strlen(parts[i]);
        memcpy(p, parts[i], l);
        p += l;
    }
    *p = '\0';
    return s;
}

static json_t *str_array(char **v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

/* s as a JSON string into out, escaped as jansson's json_dumps escapes
 * it (", \\, the control characters; nothing else). 0, or -1 when s is
 * not valid UTF-8 (which jansson refuses) or out of memory. */
static int json_str(txt_buf *out, const char *s)
{
    size_t len = strlen(s);
    if (txt_buf_reserve(out, len + 2) != TXT_OK || txt_buf_add(out, "\"", 1) != TXT_OK)
        return -1;
    const unsigned char *p = (const unsigned char *)s, *run = p, *end = p + len;
    for (;;) {
        unsigned char c = *p;
        if (c >= 0x20 && c != '"' && c != '\\') {
            if (c >= 0x80) {
                int32_t cp;
                size_t n = txt_utf8_decode(p, (size_t)(end - p), &cp);
                if (cp < 0)
                    return -1;
                p += n;
            } else {
                p++;
            }
            continue;
        }
        if (txt_buf_add(out, (const char *)run, (size_t)(p - run)) != TXT_OK)
            return -1;
        if (c == '\0')
            break;
        char esc[8];
        const char *e = esc;
        switch (c) {
        case '"': e = "\\\""; break;
        case '\\': e = "\\\\"; break;
        case '\b': e = "\\b"; break;
        case '\f': e = "\\f"; break;
        case '\n': e = "\\n"; break;
        case '\r': e = "\\r"; break;
        case '\t': e = "\\t"; break;
        default: snprintf(esc, sizeof esc, "\\u%04X", (unsigned)c);
        }
        if (txt_buf_adds(out, e) != TXT_OK)
            return -1;
        run = ++p;
    }
    return txt_buf_add(out, "\"", 1) == TXT_OK ? 0 : -1;
}

static int json_key_str(txt_buf *out, const char *key, const char *v)
{
    return txt_buf_adds(out, key) != TXT_OK || json_str(out, v) ? -1 : 0;
}

static int json_key_array(txt_buf *out, const char *key, char **v, size_t n)
{
    if (txt_buf_adds(out, key) != TXT_OK || txt_buf_add(out, "[", 1) != TXT_OK)
        return -1;
    for (size_t i = 0; i < n; i++)
        if ((i && txt_buf_add(out, ",", 1) != TXT_OK) || json_str(out, v[i]))
            return -1;
    return txt_buf_add(out, "]", 1) == TXT_OK ? 0 : -1;
}

/* The record written directly, the bytes json_dumps(JSON_COMPACT) gives
 * for the object set_record_jansson builds (keys in that order), without
 * building the object (jansson's objects and its dump were a tenth of the
 * cost of building a document). 0, or -1 (then the caller falls back). */
static int write_record(txt_buf *out, const imp_post *post, const char *lang)
{
    out->len = 0;
    return json_key_str(out, "{\"id\":", post->id) ||
                   json_key_str(out, ",\"title\":", post->title) ||
                   json_key_str(out, ",\"url\":", post->url) ||
                   json_key_str(out, ",\"date\":", post->date) ||
                   json_key_str(out, ",\"lang\":", lang) ||
                   json_key_array(out, ",\"categories\":", post->categories, post->ncategories) ||
                   json_key_array(out, ",\"tags\":", post->tags, post->ntags) ||
                   json_key_str(out, ",\"author\":", post->author) ||
                   json_key_str(out, ",\"body\":", post->body) || txt_buf_add(out, "}", 1) != TXT_OK
               ? -1
               : 0;
}

static void set_record_jansson(builder *b, const imp_post *post, const char *lang)
{
    json_t *o = json_object();
    if (!o) {
        b->rc = STORE_ERR_NOMEM;
        return;
    }
    json_object_set_new(o, "id", json_string(post->id));
    json_object_set_new(o, "title", json_string(post->title));
    json_object_set_new(o, "url", json_string(post->url));
    json_object_set_new(o, "date", json_string(post->date));
    json_object_set_new(o, "lang", json_string(lang));
    json_object_set_new(o, "categories", str_array(post->categories, post->ncategories));
    json_object_set_new(o, "tags", str_array(post->tags, post->ntags));
    json_object_set_new(o, "author", json_string(post->author));
    json_object_set_new(o, "body", json_string(post->body));
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!s || xc_doc_set_value(b->doc, SCH_SLOT_RECORD, s, strlen(s)) != XC_OK)
        b->rc = STORE_ERR_NOMEM;
    free(s);
}

static void set_record(builder *b, const imp_post *post, const char *lang)
{
    if (write_record(b->record, post, lang) != 0) {
        /* Not UTF-8 (the importer repairs its input, but a caller of
         * store_put may not have) or no memory: jansson decides, as it
         * always did. */
        set_record_jansson(b, post, lang);
        return;
    }
    if (xc_doc_set_value(b->doc, SCH_SLOT_RECORD, b->record->p, b->record->len) != XC_OK)
        b->rc = STORE_ERR_NOMEM;
}

static void build(builder *b, store_worker *w, const imp_post *post, unsigned title_weight)
{
    txt_options opt = {0};
    opt.lang = txt_lang_parse(post->lang);
    if (strcmp(post->lang, "en") != 0 && strcmp(post->lang, "fr") != 0)
        opt.lang = TXT_LANG_NONE;
    opt.default_lang = TXT_LANG_NONE;
    opt.query = 0;

    txt_result r;
    unsigned langs = 0;
    txt_lang title_main = TXT_LANG_NONE;
    uint32_t next = 1;
    if (txt_analyse(w->an, post->title, strlen(post->title), &opt, 1, &r) != TXT_OK) {
        b->rc = STORE_ERR_NOMEM;
        return;
    }
    add_text(b, post->title, &r, 1, title_weight);
    langs |= r.langs;
    title_main = r.main_lang;
    next = r.last_pos + SCH_BODY_GAP + 1;
    if (txt_analyse(w->an, post->body, strlen(post->body), &opt, next, &r) != TXT_OK) {
        b->rc = STORE_ERR_NOMEM;
        return;
    }
    add_text(b, post->body, &r, 0, 1);
    langs |= r.langs;
    set_words(b);
    txt_lang main = r.main_lang != TXT_LANG_NONE ? r.main_lang : title_main;

    /* Languages: as given, else what the analyser saw. */
    int en, fr;
    const char *mainlang;
    if (opt.lang != TXT_LANG_NONE) {
        en = opt.lang == TXT_LANG_EN;
        fr = !en;
        mainlang = en ? "en" : "fr";
    } else {
        en = (langs >> TXT_LANG_EN) & 1;
        fr = (langs >> TXT_LANG_FR) & 1;
        mainlang = strcmp(post->lang, "mixed") == 0 ? "mixed" : txt_lang_code(main);
    }
    if (en)
        add_boolean(b, SCH_LANG, "en", 2);
    if (fr)
        add_boolean(b, SCH_LANG, "fr", 2);
    const char *langslot = en && fr ? "en\x1f" "fr" : en ? "en" : fr ? "fr" : "";
    set_value(b, SCH_SLOT_LANG, langslot, strlen(langslot));
    set_value(b, SCH_SLOT_MAINLANG, mainlang, strlen(mainlang));

    /* Filters. */
    add_boolean(b, SCH_ID, post->id, strlen(post->id));
    for (size_t i = 0; i < post->ncategories; i++)
        add_filter(b, SCH_CATEGORY, post->categories[i]);
    for (size_t i = 0; i < post->ntags; i++)
        add_filter(b, SCH_TAG, post->tags[i]);
    add_filter(b, SCH_AUTHOR, post->author);
    if (strlen(post->date) == 10) {
        char ymd[9];
        memcpy(ymd, post->date, 4);
        memcpy(ymd + 4, post->date + 5, 2);
        memcpy(ymd + 6, post->date + 8, 2);
        ymd[8] = '\0';
        add_boolean(b, SCH_YEAR, ymd, 4);
        add_boolean(b, SCH_MONTH, ymd, 6);
        add_boolean(b, SCH_DATE, ymd, 8);
        set_value(b, SCH_SLOT_DATE, ymd, 8);
        set_value(b, SCH_SLOT_YEAR, ymd, 4);
    }

    char *cats = join(post->categories, post->ncategories);
    char *tags = join(post->tags, post->ntags);
    if (!cats || !tags)
        b->rc = STORE_ERR_NOMEM;
    else {
        set_value(b, SCH_SLOT_CATEGORIES, cats, strlen(cats));
        set_value(b, SCH_SLOT_TAGS, tags, strlen(tags));
    }
    free(cats);
    free(tags);
    set_value(b, SCH_SLOT_AUTHOR, post->author, strlen(post->author));
    set_record(b, post, post->lang[0] ? post->lang : mainlang);
}

void store_prepared_free(store_prepared *p)
{
    if (!p)
        return;
    free(p->id);
    free(p->where);
    xc_doc_free(p->doc);
    for (size_t i = 0; i < p->nspell; i++)
        free(p->spell[i].word);
    free(p->spell);
    free(p);
}

static void post_where(const imp_post *post, char *where, size_t n)
{
    where[0] = '\0';
    if (post->source)
        snprintf(where, n, "%s:%lu", post->source, post->line);
}

int store_id_fits(const char *id)
{
    return id && id[0] && strlen(id) + strlen(SCH_HASHID) + 16 <= MAX_TERM;
}

int store_check_post(const imp_post *post, char *err, size_t errlen)
{
    if (!post)
        return STORE_ERR_INVALID;
    if (!store_id_fits(post->id)) {
        char where[512];
        post_where(post, where, sizeof where);
        if (err && errlen)
            snprintf(err, errlen, "%s%s%s", where, where[0] ? ": " : "",
                     post->id && post->id[0] ? "id too long" : "post has no id");
        return STORE_ERR_RECORD;
    }
    return STORE_OK;
}

int store_prepare(const store *s, store_worker *w, const imp_post *post, store_prepared **out,
                  char *err, size_t errlen)
{
    if (!s || !w || !post || !out)
        return STORE_ERR_INVALID;
    *out = NULL;
    int crc = store_check_post(post, err, errlen);
    if (crc != STORE_OK)
        return crc;
    char where[512];
    post_where(post, where, sizeof where);
    store_prepared *p = calloc(1, sizeof *p);
    if (!p)
        return STORE_ERR_NOMEM;
    p->id = strdup(post->id);
    p->where = strdup(where);
    if (!p->id || !p->where) {
        store_prepared_free(p);
        return STORE_ERR_NOMEM;
    }
    store_post_hash(post, s->title_weight, p->hash);
    const char *cur = store_current_hash(s, post->id);
    if (cur && strcmp(cur, p->hash) == 0) {
        p->unchanged = 1;
        *out = p;
        return STORE_OK;
    }
    builder b = {0};
    b.terms = &w->terms;
    b.words = &w->words;
    store_termset_clear(b.words);
    b.record = &w->record;
    store_termset_clear(b.terms);
    if (xc_doc_new(&b.doc) != XC_OK) {
        store_prepared_free(p);
        return STORE_ERR_NOMEM;
    }
    build(&b, w, post, s->title_weight);
    /* The (hash, id) term lets store_open read every pair in one scan of
     * the lexicon; the slot keeps the hash with the document. */
    char hid[17 + MAX_TERM];
    snprintf(hid, sizeof hid, "%s%s", p->hash, post->id);
    add_boolean(&b, SCH_HASHID, hid, strlen(hid));
    set_value(&b, SCH_SLOT_HASH, p->hash, 16);
    /* Every term at once: one call per distinct term rather than one per
     * occurrence (termset.h). */
    if (b.rc == STORE_OK) {
        p->doc_bytes = copies_estimate(b.terms->n, b.terms->nbytes, b.terms->nocc,
                                       strlen(post->title) + strlen(post->body));
        int xrc = store_termset_write(b.terms, b.doc);
        if (xrc != XC_OK) /* the terms were checked: only memory can fail */
            b.rc = xrc == XC_ERR_NOMEM ? STORE_ERR_NOMEM : STORE_ERR_INVALID;
    }
    store_termset_clear(b.terms);
    p->doc = b.doc;
    p->spell = b.spell;
    p->nspell = b.nspell;
    store_termset_clear(b.words);
    if (b.rc != STORE_OK) {
        store_prepared_free(p);
        if (err && errlen)
            snprintf(err, errlen, "%s", b.rc == STORE_ERR_NOMEM ? "out of memory" : xc_errmsg());
        return b.rc;
    }
    *out = p;
    return STORE_OK;
}
