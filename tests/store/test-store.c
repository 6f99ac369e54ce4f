/* test-store.c: unit tests of the store (src/store/store.h) against real
 * Xapian databases in temporary directories: the document layout of
 * schema.h, incremental runs, prune, cancel, the lock (and the sign of a
 * writer waiting for it), record errors,
 * spelling and the glossary. */
#include <config.h>

#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/testhelp.h"
#include "store/schema.h"
#include "store/store-internal.h"
#include "xapian-c/xapian-c.h"

static char *tmp;

static void setup(void)
{
    tmp = th_tmpdir("store");
    ck_assert_ptr_nonnull(tmp);
}

static void teardown(void)
{
    th_rmtree(tmp);
    free(tmp);
}

static char *cats_fr[] = {"Équivalence", "Résidence"};
static char *tags_fr[] = {"CMQ"};

/* A post borrowing static strings (never freed: not from imp_post_free). */
static imp_post make_post(const char *id, const char *title, const char *body, const char *lang)
{
    imp_post p;
    memset(&p, 0, sizeof p);
    p.id = (char *)id;
    p.url = (char *)"https://example.org/p";
    p.title = (char *)title;
    p.author = (char *)"Carole L.";
    p.date = (char *)"2021-02-10";
    p.lang = (char *)lang;
    p.categories = cats_fr;
    p.ncategories = 2;
    p.tags = tags_fr;
    p.ntags = 1;
    p.body = (char *)body;
    p.source = "test.jsonl";
    p.line = 7;
    return p;
}

static store *open_store(const char *glossary)
{
    char *path = th_path(tmp, "db");
    store_options o = {0};
    o.title_weight = 3;
    o.glossary_path = glossary;
    store *s = NULL;
    char err[256];
    int rc = store_open(path, &o, &s, err, sizeof err);
    ck_assert_msg(rc == STORE_OK, "store_open: %d %s", rc, err);
    free(path);
    return s;
}

static xc_db *open_reader(void)
{
    char *path = th_path(tmp, "db");
    xc_db *db = NULL;
    ck_assert_int_eq(xc_db_open(path, &db), XC_OK);
    free(path);
    return db;
}

static uint32_t freq(xc_db *db, const char *term)
{
    uint32_t f = 0;
    ck_assert_int_eq(xc_db_termfreq(db, term, strlen(term), &f), XC_OK);
    return f;
}

/* The wdf of term in document did (0 when the document lacks it). */
static uint32_t wdf_in(xc_db *db, uint32_t did, const char *term)
{
    xc_iter *it;
    const char *t;
    size_t len, tl = strlen(term);
    uint32_t f, wdf = 0;
    ck_assert_int_eq(xc_db_termlist(db, did, "", &it), XC_OK);
    while (xc_iter_next(it, &t, &len, &f, NULL) == XC_OK)
        if (len == tl && memcmp(t, term, tl) == 0)
            wdf = f;
    xc_iter_free(it);
    return wdf;
}

START_TEST(test_layout)
{
    store *s = open_store(NULL);
    ck_assert_int_eq(store_begin(s), STORE_OK);
    imp_post p = make_post("p1", "La médecine familiale au Québec",
                           "Le permis d'exercice du Collège des médecins.\n\n"
                           "The residency program for international medical graduates.",
                           "mixed");
    store_outcome oc = 0;
    ck_assert_int_eq(store_put(s, &p, &oc), STORE_OK);
    ck_assert_int_eq(oc, STORE_ADDED);
    ck_assert_int_eq(store_commit(s), STORE_OK);
    store_close(s);

    xc_db *db = open_reader();
    ck_assert_uint_eq(freq(db, "Qp1"), 1);
    ck_assert_uint_eq(freq(db, "medecine"), 1);  /* folded word */
    ck_assert_uint_eq(freq(db, "Smedecine"), 1); /* title word */
    ck_assert_uint_eq(freq(db, "residency"), 1);
    ck_assert_uint_eq(freq(db, "Len"), 1); /* both languages detected */
    ck_assert_uint_eq(freq(db, "Lfr"), 1);
    ck_assert_uint_eq(freq(db, "Kequivalence"), 1);
    ck_assert_uint_eq(freq(db, "Kresidence"), 1);
    ck_assert_uint_eq(freq(db, "XTcmq"), 1);
    ck_assert_uint_eq(freq(db, "Acarole l"), 1);
    ck_assert_uint_eq(freq(db, "Y2021"), 1);
    ck_assert_uint_eq(freq(db, "M202102"), 1);
    ck_assert_uint_eq(freq(db, "D20210210"), 1);

    /* Some English and some French stem, under their own prefixes. */
    xc_iter *it;
    const char *t;
    size_t len;
    int en = 0, fr = 0, title_fr = 0;
    ck_assert_int_eq(xc_db_allterms(db, "Z", &it), XC_OK);
    while (xc_iter_next(it, &t, &len, NULL, NULL) == XC_OK) {
        if (len > 2 && strncmp(t, "ZE", 2) == 0)
            en++;
        if (len > 2 && strncmp(t, "ZF", 2) == 0)
            fr++;
        if (len > 3 && strncmp(t, "ZSF", 3) == 0)
            title_fr++;
    }
    xc_iter_free(it);
    ck_assert_int_gt(en, 0);
    ck_assert_int_gt(fr, 0);
    ck_assert_int_gt(title_fr, 0);

    xc_doc *d;
    ck_assert_int_eq(xc_db_get_document_by_term(db, "Qp1", &d), XC_OK);
    const char *v;
    size_t vlen;
    ck_assert_int_eq(xc_doc_get_value(d, SCH_SLOT_DATE, &v, &vlen), XC_OK);
    ck_assert_str_eq(v, "20210210");
    ck_assert_int_eq(xc_doc_get_value(d, SCH_SLOT_YEAR, &v, &vlen), XC_OK);
    ck_assert_str_eq(v, "2021");
    ck_assert_int_eq(xc_doc_get_value(d, SCH_SLOT_CATEGORIES, &v, &vlen), XC_OK);
    ck_assert_str_eq(v, "Équivalence\x1fRésidence");
    ck_assert_int_eq(xc_doc_get_value(d, SCH_SLOT_MAINLANG, &v, &vlen), XC_OK);
    ck_assert_str_eq(v, "mixed");
    ck_assert_int_eq(xc_doc_get_value(d, SCH_SLOT_HASH, &v, &vlen), XC_OK);
    ck_assert_uint_eq(vlen, 16);
    char h[17];
    store_post_hash(&p, 3, h);
    ck_assert_str_eq(v, h);
    /* the record is a value; the data (compressed by Xapian) stays empty */
    ck_assert_int_eq(xc_doc_get_data(d, &v, &vlen), XC_OK);
    ck_assert_uint_eq(vlen, 0);
    ck_assert_int_eq(xc_doc_get_value(d, SCH_SLOT_RECORD, &v, &vlen), XC_OK);
    json_t *o = json_loadb(v, vlen, 0, NULL);
    ck_assert_ptr_nonnull(o);
    ck_assert_str_eq(json_string_value(json_object_get(o, "id")), "p1");
    ck_assert_str_eq(json_string_value(json_object_get(o, "title")),
                     "La médecine familiale au Québec");
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(o, "body")), "residency"));
    ck_assert_uint_eq(json_array_size(json_object_get(o, "categories")), 2);
    json_decref(o);
    xc_doc_free(d);

    /* Title words weigh more than body words (wdf = title weight). */
    uint32_t did = 0;
    ck_assert_int_eq(xc_db_get_document_by_term(db, "Qp1", &d), XC_OK);
    did = xc_doc_docid(d);
    xc_doc_free(d);
    ck_assert_uint_eq(wdf_in(db, did, "familiale"), 3);
    ck_assert_uint_eq(wdf_in(db, did, "residency"), 1);

    /* The characteristic words (SCH_SLOT_WORDS): each a word term of the
     * post with its wdf, once, the most frequent first; no stopwords. */
    ck_assert_int_eq(xc_db_get_document_by_term(db, "Qp1", &d), XC_OK);
    ck_assert_int_eq(xc_doc_get_value(d, SCH_SLOT_WORDS, &v, &vlen), XC_OK);
    ck_assert_uint_gt(vlen, 0);
    size_t nwords = 0, pos = 0;
    unsigned prev = 256;
    int seen_familiale = 0, seen_residency = 0;
    char seen[64][65];
    while (pos < vlen) {
        size_t wl = (unsigned char)v[pos];
        ck_assert_uint_gt(wl, 1);
        ck_assert_uint_le(pos + wl + 2, vlen);
        char w[65];
        memcpy(w, v + pos + 1, wl);
        w[wl] = '\0';
        unsigned wdf = (unsigned char)v[pos + 1 + wl];
        pos += wl + 2;
        ck_assert_uint_le(wdf, prev);
        prev = wdf;
        /* the same wdf as the document's own term */
        uint32_t twdf = wdf_in(db, did, w);
        ck_assert_msg(twdf == wdf, "%s: stored wdf %u, term wdf %u", w, wdf, (unsigned)twdf);
        for (size_t i = 0; i < nwords; i++)
            ck_assert_str_ne(seen[i], w);
        ck_assert_uint_lt(nwords, 64);
        strcpy(seen[nwords++], w);
        static const char *stop[] = {"la", "le", "au", "du", "des", "the", "for"};
        for (size_t i = 0; i < sizeof stop / sizeof *stop; i++)
            ck_assert_str_ne(w, stop[i]);
        seen_familiale |= strcmp(w, "familiale") == 0 && wdf == 3;
        seen_residency |= strcmp(w, "residency") == 0 && wdf == 1;
    }
    ck_assert(seen_familiale);
    ck_assert(seen_residency);
    /* title words (3 each), then the body's in their order */
    ck_assert_str_eq(seen[0], "medecine");
    ck_assert_str_eq(seen[1], "familiale");
    ck_assert_str_eq(seen[2], "quebec");
    ck_assert_str_eq(seen[3], "permis");
    xc_doc_free(d);

    /* Spelling: accented forms, suggested for an unaccented misspelling. */
    char *sugg = NULL;
    ck_assert_int_eq(xc_db_spelling_suggestion(db, "familliale", 2, &sugg), XC_OK);
    ck_assert_str_eq(sugg, "familiale");
    free(sugg);
    ck_assert_int_eq(xc_db_spelling_suggestion(db, "médecinee", 2, &sugg), XC_OK);
    ck_assert_str_eq(sugg, "médecine");
    free(sugg);

    char *meta = NULL;
    ck_assert_int_eq(xc_db_get_metadata(db, SCH_META_VERSION, &meta, &vlen), XC_OK);
    ck_assert_str_eq(meta, SCH_VERSION);
    free(meta);
    xc_db_close(db);
}
END_TEST

/* A word repeated in the title and the body: one term with every position
 * and the summed wdf (title occurrences weigh the title weight), its stem
 * once with the summed wdf and no position, the title copies likewise:
 * what the occurrences add up to, however the document is handed to
 * Xapian. */
START_TEST(test_repeated_terms)
{
    store *s = open_store(NULL);
    ck_assert_int_eq(store_begin(s), STORE_OK);
    imp_post p = make_post("r1", "Foxes, fox and FOX", "A fox sees the foxes.\n\nFox!", "en");
    store_outcome oc = 0;
    ck_assert_int_eq(store_put(s, &p, &oc), STORE_OK);
    ck_assert_int_eq(store_commit(s), STORE_OK);
    store_close(s);

    xc_db *db = open_reader();
    xc_doc *d;
    ck_assert_int_eq(xc_db_get_document_by_term(db, "Qr1", &d), XC_OK);
    uint32_t did = xc_doc_docid(d);
    xc_doc_free(d);
    /* title: foxes fox fox (weight 3 each); body: fox foxes fox */
    ck_assert_uint_eq(wdf_in(db, did, "fox"), 2 * 3 + 2);
    ck_assert_uint_eq(wdf_in(db, did, "foxes"), 3 + 1);
    ck_assert_uint_eq(wdf_in(db, did, "ZEfox"), 3 * 3 + 3);
    ck_assert_uint_eq(wdf_in(db, did, "Sfox"), 2);
    ck_assert_uint_eq(wdf_in(db, did, "ZSEfox"), 3);
    uint32_t *pos;
    size_t np;
    ck_assert_int_eq(xc_db_positions(db, did, "fox", 3, &pos, &np), XC_OK);
    ck_assert_uint_eq(np, 4);
    ck_assert_uint_eq(pos[0], 2);
    ck_assert_uint_eq(pos[1], 4);
    ck_assert_uint_gt(pos[2], 4 + SCH_BODY_GAP); /* the body's */
    ck_assert_uint_gt(pos[3], pos[2] + 3);        /* the next paragraph's */
    free(pos);
    ck_assert_int_eq(xc_db_positions(db, did, "Sfox", 4, &pos, &np), XC_OK);
    ck_assert_uint_eq(np, 2);
    ck_assert_uint_eq(pos[0], 2);
    ck_assert_uint_eq(pos[1], 4);
    free(pos);
    ck_assert_int_eq(xc_db_positions(db, did, "ZEfox", 5, &pos, &np), XC_OK);
    ck_assert_uint_eq(np, 0); /* stems have no positions */
    xc_db_close(db);
}
END_TEST

/* The record holds exactly the bytes jansson's json_dumps(JSON_COMPACT)
 * gives for the post (the search reads it with its own parser and with
 * jansson): quotes, backslashes and control characters escaped, UTF-8
 * (accents, U+2028, a character outside the BMP) as it is. */
START_TEST(test_record_bytes)
{
    static char *cats[] = {"a \"quoted\" one", "back\\slash", "tab\there"};
    static char *none[] = {NULL};
    store *s = open_store(NULL);
    ck_assert_int_eq(store_begin(s), STORE_OK);
    imp_post p = make_post("rec\"1", "Ctrl \x01\x1f\x7f and \b\f\r\n, é \xe2\x80\xa8 \xf0\x9d\x84\x9e",
                           "Body with \"quotes\", a \\ and a / slash.\n\nSecond \t paragraph.",
                           "fr");
    p.categories = cats;
    p.ncategories = 3;
    p.tags = none;
    p.ntags = 0;
    p.author = (char *)"";
    store_outcome oc = 0;
    ck_assert_int_eq(store_put(s, &p, &oc), STORE_OK);
    ck_assert_int_eq(store_commit(s), STORE_OK);
    store_close(s);

    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(p.id));
    json_object_set_new(o, "title", json_string(p.title));
    json_object_set_new(o, "url", json_string(p.url));
    json_object_set_new(o, "date", json_string(p.date));
    json_object_set_new(o, "lang", json_string("fr"));
    json_t *a = json_array();
    for (size_t i = 0; i < 3; i++)
        json_array_append_new(a, json_string(cats[i]));
    json_object_set_new(o, "categories", a);
    json_object_set_new(o, "tags", json_array());
    json_object_set_new(o, "author", json_string(""));
    json_object_set_new(o, "body", json_string(p.body));
    char *want = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    ck_assert_ptr_nonnull(want);

    xc_db *db = open_reader();
    xc_doc *d;
    ck_assert_int_eq(xc_db_get_document_by_term(db, "Qrec\"1", &d), XC_OK);
    const char *v;
    size_t vlen;
    ck_assert_int_eq(xc_doc_get_value(d, SCH_SLOT_RECORD, &v, &vlen), XC_OK);
    ck_assert_uint_eq(vlen, strlen(want));
    ck_assert_mem_eq(v, want, vlen);
    ck_assert_ptr_nonnull(strstr(want, "\\u0001\\u001F\x7f and \\b\\f\\r\\n"));
    free(want);
    xc_doc_free(d);
    xc_db_close(db);
}
END_TEST

START_TEST(test_incremental)
{
    imp_post a = make_post("a", "Alpha", "First body.", "en");
    imp_post b = make_post("b", "Beta", "Second body.", "en");
    imp_post c = make_post("c", "Gamma", "Third body.", "fr");
    store *s = open_store(NULL);
    ck_assert_int_eq(store_begin(s), STORE_OK);
    ck_assert_int_eq(store_put(s, &a, NULL), STORE_OK);
    ck_assert_int_eq(store_put(s, &b, NULL), STORE_OK);
    ck_assert_int_eq(store_put(s, &c, NULL), STORE_OK);
    ck_assert_int_eq(store_commit(s), STORE_OK);
    store_close(s);

    s = open_store(NULL);
    ck_assert_int_eq(store_begin(s), STORE_OK);
    store_outcome oc;
    ck_assert_int_eq(store_put(s, &a, &oc), STORE_OK);
    ck_assert_int_eq(oc, STORE_UNCHANGED);
    imp_post b2 = make_post("b", "Beta", "Second body, edited.", "en");
    ck_assert_int_eq(store_put(s, &b2, &oc), STORE_OK);
    ck_assert_int_eq(oc, STORE_UPDATED);
    /* a duplicate id in one run is rejected, the run goes on */
    ck_assert_int_eq(store_put(s, &a, &oc), STORE_ERR_RECORD);
    ck_assert_ptr_nonnull(strstr(store_errmsg(s), "test.jsonl:7: duplicate id"));
    uint64_t del = 0;
    ck_assert_int_eq(store_prune(s, &del), STORE_OK);
    ck_assert_uint_eq(del, 1); /* c */
    store_counts sc;
    store_get_counts(s, &sc);
    ck_assert_uint_eq(sc.unchanged, 1);
    ck_assert_uint_eq(sc.updated, 1);
    ck_assert_uint_eq(sc.deleted, 1);
    ck_assert_uint_eq(sc.rejected, 1);
    ck_assert_int_eq(store_commit(s), STORE_OK);
    uint32_t n;
    ck_assert_int_eq(store_doccount(s, &n), STORE_OK);
    ck_assert_uint_eq(n, 2);
    store_close(s);

    xc_db *db = open_reader();
    ck_assert_uint_eq(freq(db, "Qc"), 0);
    ck_assert_uint_eq(freq(db, "edited"), 1);
    xc_db_close(db);
}
END_TEST

START_TEST(test_cancel_and_lock)
{
    imp_post a = make_post("a", "Alpha", "First body.", "en");
    store *s = open_store(NULL);
    /* a second writer is refused at once */
    char *path = th_path(tmp, "db");
    store *s2 = NULL;
    char err[256];
    ck_assert_int_eq(store_open(path, NULL, &s2, err, sizeof err), STORE_ERR_LOCKED);
    ck_assert_ptr_null(s2);
    ck_assert_ptr_nonnull(strstr(err, "database is locked by another indexer"));
    ck_assert_int_eq(store_begin(s), STORE_OK);
    ck_assert_int_eq(store_begin(s), STORE_ERR_INVALID);
    ck_assert_int_eq(store_put(s, &a, NULL), STORE_OK);
    ck_assert_int_eq(store_cancel(s), STORE_OK);
    uint32_t n = 99;
    ck_assert_int_eq(store_doccount(s, &n), STORE_OK);
    ck_assert_uint_eq(n, 0);
    store_close(s);
    /* a post without id */
    s = open_store(NULL);
    ck_assert_int_eq(store_begin(s), STORE_OK);
    imp_post noid = make_post("", "T", "B", "en");
    ck_assert_int_eq(store_put(s, &noid, NULL), STORE_ERR_RECORD);
    ck_assert_ptr_nonnull(strstr(store_errmsg(s), "test.jsonl:7: post has no id"));
    ck_assert_int_eq(store_put(NULL, &noid, NULL), STORE_ERR_INVALID);
    store_close(s); /* closes the open run: cancelled */
    /* read-only (dry run) on a missing database: empty, every post new */
    char *missing = th_path(tmp, "nothere");
    store_options o = {0};
    o.read_only = 1;
    ck_assert_int_eq(store_open(missing, &o, &s, err, sizeof err), STORE_OK);
    ck_assert_int_eq(store_begin(s), STORE_OK);
    store_outcome oc;
    ck_assert_int_eq(store_put(s, &a, &oc), STORE_OK);
    ck_assert_int_eq(oc, STORE_ADDED);
    ck_assert_int_eq(store_commit(s), STORE_OK);
    store_close(s);
    xc_db *db = NULL;
    ck_assert_int_ne(xc_db_open(missing, &db), XC_OK);
    free(missing);
    free(path);
}
END_TEST

START_TEST(test_glossary)
{
    char *g = th_path(tmp, "synonyms.txt");
    const char *text = "# test\nIMG, DIM, international medical graduate\n"
                       "family medicine, médecine familiale\n";
    ck_assert_int_eq(th_write_file(g, text, strlen(text)), 0);
    store *s = open_store(g);
    imp_post a = make_post("a", "Alpha", "First body.", "en");
    ck_assert_int_eq(store_begin(s), STORE_OK);
    ck_assert_int_eq(store_put(s, &a, NULL), STORE_OK);
    ck_assert_int_eq(store_commit(s), STORE_OK);
    store_close(s);
    xc_db *db = open_reader();
    xc_iter *it;
    const char *t;
    size_t len;
    int n = 0, found = 0;
    ck_assert_int_eq(xc_db_synonyms(db, "img", &it), XC_OK);
    while (xc_iter_next(it, &t, &len, NULL, NULL) == XC_OK) {
        n++;
        if (len == 30 && memcmp(t, "international medical graduate", 30) == 0)
            found = 1;
    }
    xc_iter_free(it);
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(found, 1);
    n = 0;
    ck_assert_int_eq(xc_db_synonyms(db, "medecine familiale", &it), XC_OK);
    while (xc_iter_next(it, &t, &len, NULL, NULL) == XC_OK)
        n++;
    xc_iter_free(it);
    ck_assert_int_eq(n, 1);
    xc_db_close(db);

    /* a bad glossary fails the commit and writes nothing */
    ck_assert_int_eq(th_write_file(g, "lonely\n", 7), 0);
    s = open_store(g);
    imp_post b = make_post("b", "Beta", "Second body.", "en");
    ck_assert_int_eq(store_begin(s), STORE_OK);
    ck_assert_int_eq(store_put(s, &b, NULL), STORE_OK);
    ck_assert_int_eq(store_commit(s), STORE_ERR_GLOSSARY);
    ck_assert_ptr_nonnull(strstr(store_errmsg(s), "synonyms.txt"));
    uint32_t count;
    ck_assert_int_eq(store_doccount(s, &count), STORE_OK);
    ck_assert_uint_eq(count, 1);
    store_close(s);
    free(g);
}
END_TEST

/* A new database built in parallel: only on a database that never held a
 * post; claims reject duplicates; the chunks merge in order into the
 * database (same document ids as one writer), swapped in at the commit;
 * spelling frequencies add up; the lock stays held; a cancelled build
 * leaves nothing. */
START_TEST(test_build)
{
    imp_post a = make_post("a", "Alpha", "Search body one.", "en");
    imp_post b = make_post("b", "Beta", "Search body two.", "en");
    imp_post c = make_post("c", "Gamma", "Troisième recherche.", "fr");
    char *path = th_path(tmp, "db"), *build = th_path(tmp, "db.socasma-build");
    store *s = open_store(NULL);
    ck_assert_int_eq(store_can_build(s), 0); /* no run open */
    ck_assert_int_eq(store_begin(s), STORE_OK);
    ck_assert_int_eq(store_can_build(s), 1);
    ck_assert_int_eq(store_build_begin(s, 0), STORE_ERR_INVALID);
    ck_assert_int_eq(store_build_begin(s, 2), STORE_OK);
    ck_assert_int_eq(store_can_build(s), 0); /* begun already */
    ck_assert_ptr_null(store_builder_at(s, 2));
    store_worker *w;
    ck_assert_int_eq(store_worker_new(&w), STORE_OK);
    const imp_post *posts[] = {&a, &b, &c};
    for (unsigned i = 0; i < 3; i++) {
        ck_assert_int_eq(store_check_post(posts[i], NULL, 0), STORE_OK);
        ck_assert_int_eq(store_claim(s, posts[i]), STORE_OK);
        store_builder *sh = store_builder_at(s, i % 2);
        if (i < 2) /* no chunk open yet */
            ck_assert_int_eq(store_builder_put(sh, w, posts[i]), STORE_ERR_INVALID);
        ck_assert_int_eq(store_builder_chunk(sh, i), STORE_OK);
        ck_assert_int_eq(store_builder_put(sh, w, posts[i]), STORE_OK);
    }
    ck_assert_int_eq(store_claim(s, &a), STORE_ERR_RECORD);
    ck_assert_ptr_nonnull(strstr(store_errmsg(s), "test.jsonl:7: duplicate id \"a\""));
    imp_post noid = make_post("", "T", "B", "en");
    char err[256];
    ck_assert_int_eq(store_check_post(&noid, err, sizeof err), STORE_ERR_RECORD);
    ck_assert_ptr_nonnull(strstr(err, "post has no id"));
    /* unfinished builders cannot be committed */
    ck_assert_int_eq(store_commit(s), STORE_ERR_INVALID);
    store_close(s);
    ck_assert_int_eq(access(build, F_OK), -1); /* closing removed the build */

    s = open_store(NULL);
    ck_assert_int_eq(store_begin(s), STORE_OK);
    ck_assert_int_eq(store_build_begin(s, 2), STORE_OK);
    /* chunk 0 (a, b) to builder 1, chunk 1 (c) to builder 0: the merged
     * database keeps the posts in chunk order */
    ck_assert_int_eq(store_builder_chunk(store_builder_at(s, 1), 0), STORE_OK);
    ck_assert_int_eq(store_builder_chunk(store_builder_at(s, 0), 1), STORE_OK);
    for (unsigned i = 0; i < 3; i++) {
        ck_assert_int_eq(store_claim(s, posts[i]), STORE_OK);
        ck_assert_int_eq(store_builder_put(store_builder_at(s, i < 2), w, posts[i]), STORE_OK);
    }
    for (unsigned i = 0; i < 2; i++)
        ck_assert_int_eq(store_builder_finish(store_builder_at(s, i)), STORE_OK);
    ck_assert_int_eq(store_builder_finish(store_builder_at(s, 0)), STORE_ERR_INVALID);
    store_counts sc;
    store_get_counts(s, &sc);
    ck_assert_uint_eq(sc.added, 3);
    ck_assert_uint_eq(sc.rejected, 0);
    ck_assert_int_eq(store_commit(s), STORE_OK);
    store_get_counts(s, &sc);
    ck_assert_uint_eq(sc.added, 3);
    uint32_t n;
    ck_assert_int_eq(store_doccount(s, &n), STORE_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert_int_eq(access(build, F_OK), -1);
    /* the store still holds the lock on the new database */
    store *s2 = NULL;
    ck_assert_int_eq(store_open(path, NULL, &s2, err, sizeof err), STORE_ERR_LOCKED);
    /* and can run again, incrementally, with one writer */
    ck_assert_int_eq(store_begin(s), STORE_OK);
    ck_assert_int_eq(store_can_build(s), 0);
    store_outcome oc;
    ck_assert_int_eq(store_put(s, &a, &oc), STORE_OK);
    ck_assert_int_eq(oc, STORE_UNCHANGED);
    ck_assert_int_eq(store_cancel(s), STORE_OK);
    store_close(s);
    store_worker_free(w);

    xc_db *db = open_reader();
    ck_assert_uint_eq(freq(db, "Qc"), 1);
    ck_assert_uint_eq(freq(db, "search"), 2);
    const char *order[] = {"Qa", "Qb", "Qc"};
    for (unsigned i = 0; i < 3; i++) {
        xc_doc *d;
        ck_assert_int_eq(xc_db_get_document_by_term(db, order[i], &d), XC_OK);
        ck_assert_uint_eq(xc_doc_docid(d), i + 1);
        xc_doc_free(d);
    }
    xc_iter *it;
    const char *t;
    uint32_t f = 0;
    int found = 0;
    ck_assert_int_eq(xc_db_spellings(db, &it), XC_OK);
    while (xc_iter_next(it, &t, NULL, &f, NULL) == XC_OK)
        if (strcmp(t, "search") == 0) {
            found = 1;
            ck_assert_uint_eq(f, 2); /* one from each chunk */
        }
    xc_iter_free(it);
    ck_assert_int_eq(found, 1);
    char *v;
    size_t len;
    ck_assert_int_eq(xc_db_get_metadata(db, SCH_META_VERSION, &v, &len), XC_OK);
    ck_assert_str_eq(v, SCH_VERSION);
    free(v);
    xc_db_close(db);
    /* a database that has held posts is not new, even emptied */
    s = open_store(NULL);
    ck_assert_int_eq(store_begin(s), STORE_OK);
    ck_assert_int_eq(store_prune(s, NULL), STORE_OK);
    ck_assert_int_eq(store_commit(s), STORE_OK);
    store_close(s);
    s = open_store(NULL);
    ck_assert_int_eq(store_begin(s), STORE_OK);
    ck_assert_int_eq(store_can_build(s), 0);
    store_close(s);
    free(path);
    free(build);
}
END_TEST

/* The sign of a writer waiting for the lock (store.h, THE LOCK, WAITED
 * FOR): seen while held, by this process or another; gone when taken
 * back or when its holder dies. */
START_TEST(test_lock_waited_for)
{
    char *db = th_path(tmp, "db");
    ck_assert_int_eq(store_lock_awaited(db), 0); /* no directory */
    ck_assert_int_eq(store_wait_sign(db), -1);
    ck_assert_int_eq(mkdir(db, 0700), 0);
    ck_assert_int_eq(store_lock_awaited(db), 0); /* no file */
    int a = store_wait_sign(db);
    ck_assert_int_ge(a, 0);
    ck_assert_int_eq(store_lock_awaited(db), 1);
    errno = 0;
    ck_assert_int_eq(store_wait_sign(db), -1); /* one sign at a time */
    ck_assert_int_eq(errno, EAGAIN);
    ck_assert_int_eq(store_lock_awaited(db), 1);
    store_wait_unsign(a);
    ck_assert_int_eq(store_lock_awaited(db), 0); /* the file stays, unheld */
    /* a reader of the file cannot sign */
    char *f = th_path(db, SCH_LOCK_WAIT);
    ck_assert_int_eq(chmod(f, 0444), 0);
    if (geteuid() != 0) /* (root writes anyway) */
        ck_assert_int_eq(store_wait_sign(db), -1);
    ck_assert_int_eq(chmod(f, 0644), 0);
    free(f);
    int b = store_wait_sign(db);
    ck_assert_int_ge(b, 0);
    ck_assert_int_eq(store_lock_awaited(db), 1);
    store_wait_unsign(b);
    ck_assert_int_eq(store_lock_awaited(db), 0);
    store_wait_unsign(-1);
    /* a waiter that dies takes its sign with it */
    int go[2];
    ck_assert_int_eq(pipe(go), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        char c = store_wait_sign(db) >= 0 ? 'y' : 'n';
        if (write(go[1], &c, 1) != 1)
            _exit(1);
        pause();
        _exit(0);
    }
    char c = 0;
    ck_assert_int_eq(read(go[0], &c, 1), 1);
    ck_assert_int_eq(c, 'y');
    ck_assert_int_eq(store_lock_awaited(db), 1);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    ck_assert_int_eq(store_lock_awaited(db), 0);
    close(go[0]);
    close(go[1]);
    free(db);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("store");
    TCase *tc = tcase_create("store");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_layout);
    tcase_add_test(tc, test_repeated_terms);
    tcase_add_test(tc, test_record_bytes);
    tcase_add_test(tc, test_incremental);
    tcase_add_test(tc, test_cancel_and_lock);
    tcase_add_test(tc, test_glossary);
    tcase_add_test(tc, test_build);
    tcase_add_test(tc, test_lock_waited_for);
    suite_add_tcase(su, tc);
    return th_run_suite(su, 0);
}
