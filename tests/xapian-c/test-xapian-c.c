/* test-xapian-c.c: unit tests of the C bindings over libxapian
 * (src/xapian-c/xapian-c.h) against real databases in temporary directories:
 * documents, transactions, iterators, spelling, synonyms, queries, sorting,
 * collapsing, facets, snippets, expand, and every error family (missing,
 * locked, corrupt, modified, invalid arguments). */
#include <config.h>

#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/testhelp.h"
#include "xapian-c/xapian-c.h"

static char *tmp;
static char *dbpath;

static void setup(void)
{
    tmp = th_tmpdir("xc");
    ck_assert_ptr_nonnull(tmp);
    dbpath = th_path(tmp, "db");
}

static void teardown(void)
{
    th_rmtree(tmp);
    free(tmp);
    free(dbpath);
}

#define OK(call) ck_assert_msg((call) == XC_OK, "%s: %s", #call, xc_errmsg())

/* Adds a document with id term "Qid", words at positions 1.., value slot 0 =
 * v0, slot 1 = v1 (may be NULL), data = text. */
static uint32_t add_doc(xc_db *db, const char *id, const char *text, const char *v0,
                        const char *v1)
{
    xc_doc *d;
    OK(xc_doc_new(&d));
    char idterm[64];
    snprintf(idterm, sizeof idterm, "Q%s", id);
    OK(xc_doc_add_boolean_term(d, idterm, strlen(idterm)));
    char buf[512];
    snprintf(buf, sizeof buf, "%s", text);
    uint32_t pos = 1;
    for (char *w = strtok(buf, " "); w; w = strtok(NULL, " "))
        OK(xc_doc_add_posting(d, w, strlen(w), pos++, 1));
    OK(xc_doc_set_data(d, text, strlen(text)));
    if (v0)
        OK(xc_doc_set_value(d, 0, v0, strlen(v0)));
    if (v1)
        OK(xc_doc_set_value(d, 1, v1, strlen(v1)));
    uint32_t docid = 0;
    OK(xc_db_replace_document(db, idterm, d, &docid));
    xc_doc_free(d);
    return docid;
}

/* The standard little corpus. */
static void make_corpus(const char *path)
{
    xc_db *w;
    OK(xc_db_open_writable(path, XC_DB_CREATE_OR_OVERWRITE, &w));
    add_doc(w, "1", "the quick brown fox jumps over the lazy dog", "b", "red\x1fgreen");
    add_doc(w, "2", "a quick brown dog", "a", "red");
    add_doc(w, "3", "lazy cats sleep all day", "c", "blue\x1fred");
    add_doc(w, "4", "the fox and the hound", "a", "green");
    add_doc(w, "5", "quick quick quick fox", "b", NULL);
    OK(xc_db_commit(w));
    xc_db_close(w);
}

static xc_query *term(const char *t)
{
    xc_query *q;
    OK(xc_query_term(t, strlen(t), 1, 0, &q));
    return q;
}

/* Runs q on db, returns the docids in rank order (up to 16) and their count. */
static size_t run(xc_db *db, xc_query *q, uint32_t *ids)
{
    xc_enquire *e;
    xc_mset *m;
    OK(xc_enquire_new(db, &e));
    OK(xc_enquire_set_query(e, q, 0));
    OK(xc_enquire_get_mset(e, 0, 16, 0, &m));
    size_t n = xc_mset_size(m);
    for (size_t i = 0; i < n; i++) {
        xc_hit h;
        OK(xc_mset_hit(m, (uint32_t)i, &h));
        ids[i] = h.docid;
    }
    xc_mset_free(m);
    xc_enquire_free(e);
    return n;
}

START_TEST(test_basics)
{
    ck_assert_str_eq(xc_status_name(XC_ERR_LOCKED), "locked");
    ck_assert_str_eq(xc_status_name(12345), "unknown");
    ck_assert_str_eq(xc_version(), "1.4.22");
    char buf[18];
    size_t len;
    xc_sortable_serialise(3.5, buf, &len);
    ck_assert_uint_gt(len, 0);
    ck_assert(xc_sortable_unserialise(buf, len) == 3.5);
    char b2[18];
    size_t l2;
    xc_sortable_serialise(10.0, b2, &l2);
    ck_assert_int_lt(memcmp(buf, b2, len < l2 ? len : l2), 0);
}
END_TEST

/* xc_db_values_of's callback for the tests: notes each value. */
typedef struct {
    int n;
    size_t index[8];
    char value[8][32];
    int stop; /* 1: stop after the first */
} seen_values;

static int note_value(void *ctx, size_t i, const char *v, size_t len)
{
    seen_values *sv = ctx;
    ck_assert_int_lt(sv->n, 8);
    ck_assert_uint_lt(len, 32);
    sv->index[sv->n] = i;
    memcpy(sv->value[sv->n], v, len);
    sv->value[sv->n][len] = '\0';
    sv->n++;
    return sv->stop;
}

START_TEST(test_documents)
{
    make_corpus(dbpath);
    xc_db *db;
    OK(xc_db_open(dbpath, &db));
    ck_assert_int_eq(xc_db_is_writable(db), 0);
    uint32_t n, last, freq;
    double av;
    uint64_t rev;
    OK(xc_db_doccount(db, &n));
    ck_assert_uint_eq(n, 5);
    OK(xc_db_lastdocid(db, &last));
    ck_assert_uint_eq(last, 5);
    OK(xc_db_avlength(db, &av));
    ck_assert(av > 4.0 && av < 8.0);
    OK(xc_db_revision(db, &rev));
    ck_assert_uint_eq(rev, 1);
    OK(xc_db_termfreq(db, "quick", 5, &freq));
    ck_assert_uint_eq(freq, 3);
    OK(xc_db_termfreq(db, "absent", 6, &freq));
    ck_assert_uint_eq(freq, 0);

    xc_doc *d;
    OK(xc_db_get_document_by_term(db, "Q3", &d));
    ck_assert_uint_eq(xc_doc_docid(d), 3);
    const char *s;
    size_t len;
    OK(xc_doc_get_data(d, &s, &len));
    ck_assert_str_eq(s, "lazy cats sleep all day");
    OK(xc_doc_get_value(d, 1, &s, &len));
    ck_assert_uint_eq(len, 8);
    ck_assert_mem_eq(s, "blue\x1fred", 8);
    OK(xc_doc_get_value(d, 7, &s, &len));
    ck_assert_uint_eq(len, 0);
    xc_doc_free(d);
    ck_assert_int_eq(xc_db_get_document_by_term(db, "Q99", &d), XC_ERR_NOT_FOUND);
    ck_assert_ptr_null(d);
    ck_assert_int_eq(xc_db_get_document(db, 99, &d), XC_ERR_NOT_FOUND);
    ck_assert_int_eq(xc_db_get_document(db, 0, &d), XC_ERR_NOT_FOUND);
    OK(xc_db_get_document(db, 1, &d));
    ck_assert_uint_eq(xc_doc_docid(d), 1);
    xc_doc_free(d);

    uint32_t *pos;
    size_t np;
    OK(xc_db_positions(db, 1, "the", 3, &pos, &np));
    ck_assert_uint_eq(np, 2);
    ck_assert_uint_eq(pos[0], 1);
    ck_assert_uint_eq(pos[1], 7);
    free(pos);
    OK(xc_db_positions(db, 1, "cats", 4, &pos, &np));
    ck_assert_uint_eq(np, 0);
    ck_assert_ptr_null(pos);

    /* termlist with prefix and wdf */
    xc_iter *it;
    const char *t;
    OK(xc_db_termlist(db, 5, "", &it));
    int count = 0, saw_quick = 0;
    while (xc_iter_next(it, &t, &len, &freq, NULL) == XC_OK) {
        count++;
        if (len == 5 && !memcmp(t, "quick", 5)) {
            saw_quick = 1;
            ck_assert_uint_eq(freq, 3);
        }
    }
    ck_assert_int_eq(count, 3); /* Q5 fox quick */
    ck_assert(saw_quick);
    xc_iter_free(it);
    OK(xc_db_termlist(db, 5, "Q", &it));
    ck_assert_int_eq(xc_iter_next(it, &t, &len, &freq, NULL), XC_OK);
    ck_assert_str_eq(t, "Q5");
    ck_assert_uint_eq(freq, 0);
    ck_assert_int_eq(xc_iter_next(it, &t, &len, &freq, NULL), XC_DONE);
    xc_iter_free(it);

    /* allterms with prefix */
    OK(xc_db_allterms(db, "qu", &it));
    ck_assert_int_eq(xc_iter_next(it, &t, &len, &freq, NULL), XC_OK);
    ck_assert_str_eq(t, "quick");
    ck_assert_uint_eq(freq, 3);
    ck_assert_int_eq(xc_iter_next(it, NULL, NULL, NULL, NULL), XC_DONE);
    xc_iter_free(it);

    /* values stream */
    OK(xc_db_values(db, 1, &it));
    uint32_t ids[8];
    int nv = 0;
    while (xc_iter_next(it, &t, &len, &freq, NULL) == XC_OK)
        ids[nv++] = freq;
    ck_assert_int_eq(nv, 4);
    ck_assert_uint_eq(ids[0], 1);
    ck_assert_uint_eq(ids[3], 4);
    xc_iter_free(it);

    /* the values of a few documents, asked in any order */
    const uint32_t some[] = {4, 9, 5, 1, 3};
    seen_values sv = {0, {0}, {{0}}, 0};
    OK(xc_db_values_of(db, 1, some, 5, note_value, &sv));
    ck_assert_int_eq(sv.n, 3); /* 9 does not exist, 5 has no value */
    ck_assert_uint_eq(sv.index[0], 3);
    ck_assert_str_eq(sv.value[0], "red\x1fgreen");
    ck_assert_uint_eq(sv.index[1], 4);
    ck_assert_str_eq(sv.value[1], "blue\x1fred");
    ck_assert_uint_eq(sv.index[2], 0);
    ck_assert_str_eq(sv.value[2], "green");
    sv = (seen_values){0, {0}, {{0}}, 1}; /* stops after the first */
    OK(xc_db_values_of(db, 1, some, 5, note_value, &sv));
    ck_assert_int_eq(sv.n, 1);
    ck_assert_str_eq(sv.value[0], "red\x1fgreen");
    uint32_t many[XC_VALUES_OF_MAX + 1] = {0};
    ck_assert_int_eq(xc_db_values_of(db, 1, many, XC_VALUES_OF_MAX + 1, note_value, &sv),
                     XC_ERR_INVALID_ARG);
    xc_db_close(db);
}
END_TEST

/* Every term of document docid with its wdf and positions, one line each
 * ("term wdf: p1 p2 ..."), into buf. */
static void describe_doc(xc_db *db, uint32_t docid, char *buf, size_t n)
{
    xc_iter *it;
    OK(xc_db_termlist(db, docid, "", &it));
    const char *t;
    size_t len, o = 0;
    uint32_t wdf;
    buf[0] = '\0';
    while (xc_iter_next(it, &t, &len, &wdf, NULL) == XC_OK) {
        uint32_t *pos;
        size_t np;
        OK(xc_db_positions(db, docid, t, len, &pos, &np));
        o += (size_t)snprintf(buf + o, n - o, "%.*s %u:", (int)len, t, (unsigned)wdf);
        for (size_t i = 0; i < np; i++)
            o += (size_t)snprintf(buf + o, n - o, " %u", (unsigned)pos[i]);
        o += (size_t)snprintf(buf + o, n - o, "\n");
        ck_assert_uint_lt(o, n);
        free(pos);
    }
    xc_iter_free(it);
}

/* xc_doc_add_terms gives the document that one call per occurrence gives:
 * summed wdf, every position (out of order and repeated ones too), terms
 * with and without positions, boolean terms. */
START_TEST(test_add_terms)
{
    xc_db *w;
    OK(xc_db_open_writable(dbpath, XC_DB_CREATE_OR_OVERWRITE, &w));
    /* One call per occurrence. */
    xc_doc *a;
    OK(xc_doc_new(&a));
    OK(xc_doc_add_posting(a, "fox", 3, 1, 2));
    OK(xc_doc_add_term(a, "Zfox", 4, 2));
    OK(xc_doc_add_posting(a, "dog", 3, 2, 1));
    OK(xc_doc_add_posting(a, "fox", 3, 7, 1));
    OK(xc_doc_add_term(a, "Zfox", 4, 1));
    OK(xc_doc_add_posting(a, "fox", 3, 4, 1)); /* out of order */
    OK(xc_doc_add_posting(a, "fox", 3, 7, 1)); /* the same position again */
    OK(xc_doc_add_boolean_term(a, "Qa", 2));
    OK(xc_doc_add_term(a, "dog", 3, 3));
    uint32_t ida;
    OK(xc_db_add_document(w, a, &ida));
    xc_doc_free(a);
    /* The same terms summed, in one call. */
    static const uint32_t fox[] = {1, 7, 4, 7}, dog[] = {2};
    const xc_term terms[] = {
        {"dog", 3, 4, dog, 1},
        {"Qa", 2, 0, NULL, 0},
        {"foxes-not-this-part", 3, 5, fox, 4},
        {"Zfox", 4, 3, NULL, 0},
    };
    xc_doc *b;
    OK(xc_doc_new(&b));
    OK(xc_doc_add_terms(b, terms, 4));
    OK(xc_doc_add_terms(b, NULL, 0));
    uint32_t idb;
    OK(xc_db_add_document(w, b, &idb));
    xc_doc_free(b);
    OK(xc_db_commit(w));

    char da[512], db[512];
    describe_doc(w, ida, da, sizeof da);
    describe_doc(w, idb, db, sizeof db);
    ck_assert_str_eq(da, "Qa 0:\nZfox 3:\ndog 4: 2\nfox 5: 1 4 7\n");
    ck_assert_str_eq(db, da);

    /* A bad term anywhere in the batch: an error, and nothing added. */
    xc_doc *c;
    OK(xc_doc_new(&c));
    char big[300];
    memset(big, 'x', sizeof big);
    const xc_term bad[] = {{"ok", 2, 1, NULL, 0}, {big, 246, 1, NULL, 0}};
    ck_assert_int_eq(xc_doc_add_terms(c, bad, 2), XC_ERR_TOO_LONG);
    const xc_term empty[] = {{"ok", 2, 1, NULL, 0}, {"", 0, 1, NULL, 0}};
    ck_assert_int_eq(xc_doc_add_terms(c, empty, 2), XC_ERR_INVALID_ARG);
    const xc_term nopos[] = {{"ok", 2, 1, NULL, 2}};
    ck_assert_int_eq(xc_doc_add_terms(c, nopos, 1), XC_ERR_INVALID_ARG);
    ck_assert_int_eq(xc_doc_add_terms(NULL, nopos, 1), XC_ERR_INVALID_ARG);
    uint32_t idc;
    OK(xc_db_add_document(w, c, &idc));
    xc_doc_free(c);
    OK(xc_db_commit(w));
    char dc[64];
    describe_doc(w, idc, dc, sizeof dc);
    ck_assert_str_eq(dc, "");
    xc_db_close(w);
}
END_TEST

START_TEST(test_write_ops)
{
    xc_db *w;
    ck_assert_int_eq(xc_db_open_writable(dbpath, XC_DB_OPEN, &w), XC_ERR_NOT_FOUND);
    ck_assert_ptr_null(w);
    OK(xc_db_open_writable(dbpath, XC_DB_CREATE, &w));
    ck_assert_int_eq(xc_db_is_writable(w), 1);
    add_doc(w, "a", "alpha beta", NULL, NULL);
    uint32_t id = add_doc(w, "b", "gamma delta", NULL, NULL);
    ck_assert_uint_eq(add_doc(w, "b", "gamma epsilon", NULL, NULL), id); /* replaced */
    int deleted;
    OK(xc_db_delete_document(w, "Qa", &deleted));
    ck_assert_int_eq(deleted, 1);
    OK(xc_db_delete_document(w, "Qzz", &deleted));
    ck_assert_int_eq(deleted, 0);
    OK(xc_db_set_metadata(w, "k", "v1", 2));
    OK(xc_db_commit(w));
    uint32_t n;
    OK(xc_db_doccount(w, &n));
    ck_assert_uint_eq(n, 1);
    char *v;
    size_t len;
    OK(xc_db_get_metadata(w, "k", &v, &len));
    ck_assert_str_eq(v, "v1");
    free(v);
    OK(xc_db_set_metadata(w, "k", NULL, 0));
    OK(xc_db_get_metadata(w, "k", &v, &len));
    ck_assert_uint_eq(len, 0);
    free(v);

    /* add_document */
    xc_doc *d;
    OK(xc_doc_new(&d));
    OK(xc_doc_add_term(d, "zeta", 4, 2));
    uint32_t docid;
    OK(xc_db_add_document(w, d, &docid));
    ck_assert_uint_eq(docid, 3);
    xc_doc_free(d);

    /* XC_DB_CREATE on an existing database */
    xc_db *w2;
    xc_db_close(w);
    ck_assert_int_eq(xc_db_open_writable(dbpath, XC_DB_CREATE, &w2), XC_ERR_DATABASE);
    /* closing committed the pending add */
    xc_db *r;
    OK(xc_db_open(dbpath, &r));
    OK(xc_db_doccount(r, &n));
    ck_assert_uint_eq(n, 2);
    /* writable-only calls on a read-only handle */
    ck_assert_int_eq(xc_db_commit(r), XC_ERR_INVALID_OP);
    ck_assert_int_eq(xc_db_add_spelling(r, "x", 1), XC_ERR_INVALID_OP);
    ck_assert_int_eq(xc_db_set_metadata(r, "k", "v", 1), XC_ERR_INVALID_OP);
    xc_db_close(r);
}
END_TEST

START_TEST(test_transactions)
{
    xc_db *w, *r;
    OK(xc_db_open_writable(dbpath, XC_DB_CREATE_OR_OPEN, &w));
    add_doc(w, "0", "base", NULL, NULL);
    OK(xc_db_commit(w));
    OK(xc_db_open(dbpath, &r));
    uint32_t n;

    OK(xc_db_begin_transaction(w, 1));
    add_doc(w, "1", "one", NULL, NULL);
    ck_assert_int_eq(xc_db_commit(w), XC_ERR_INVALID_OP);
    ck_assert_int_eq(xc_db_begin_transaction(w, 1), XC_ERR_INVALID_OP);
    OK(xc_db_cancel_transaction(w));
    OK(xc_db_doccount(w, &n));
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(xc_db_cancel_transaction(w), XC_ERR_INVALID_OP);
    ck_assert_int_eq(xc_db_commit_transaction(w), XC_ERR_INVALID_OP);

    OK(xc_db_begin_transaction(w, 1));
    add_doc(w, "2", "two", NULL, NULL);
    add_doc(w, "3", "three", NULL, NULL);
    OK(xc_db_commit_transaction(w));
    int reopened;
    OK(xc_db_reopen(r, &reopened));
    ck_assert_int_eq(reopened, 1);
    OK(xc_db_doccount(r, &n));
    ck_assert_uint_eq(n, 3);

    /* a transaction left open is cancelled by close */
    OK(xc_db_begin_transaction(w, 1));
    add_doc(w, "4", "four", NULL, NULL);
    xc_db_close(w);
    OK(xc_db_reopen(r, NULL));
    OK(xc_db_doccount(r, &n));
    ck_assert_uint_eq(n, 3);
    xc_doc *d;
    ck_assert_int_eq(xc_db_get_document_by_term(r, "Q4", &d), XC_ERR_NOT_FOUND);
    xc_db_close(r);
}
END_TEST

START_TEST(test_errors_open)
{
    xc_db *db = (xc_db *)1;
    ck_assert_int_eq(xc_db_open(dbpath, &db), XC_ERR_NOT_FOUND);
    ck_assert_ptr_null(db);
    ck_assert_str_ne(xc_errmsg(), "");

    /* locked: a second writer fails at once */
    xc_db *w1, *w2;
    OK(xc_db_open_writable(dbpath, XC_DB_CREATE_OR_OPEN, &w1));
    ck_assert_int_eq(xc_db_open_writable(dbpath, XC_DB_CREATE_OR_OPEN, &w2), XC_ERR_LOCKED);
    ck_assert_ptr_null(w2);
    ck_assert_ptr_nonnull(strstr(xc_errmsg(), "lock"));
    xc_db_close(w1);
    OK(xc_db_open_writable(dbpath, XC_DB_OPEN, &w2));
    xc_db_close(w2);
}
END_TEST

/* Opens the damaged database at dbpath and reads it (a term's frequency,
 * then a search for it): the first failure's status, or XC_OK. */
static int read_damaged(void)
{
    xc_db *db;
    int rc = xc_db_open(dbpath, &db);
    if (rc != XC_OK)
        return rc;
    uint32_t freq;
    rc = xc_db_termfreq(db, "quick", 5, &freq);
    if (rc == XC_OK) {
        xc_query *q = term("quick");
        xc_enquire *e;
        xc_mset *m = NULL;
        OK(xc_enquire_new(db, &e));
        OK(xc_enquire_set_query(e, q, 0));
        rc = xc_enquire_get_mset(e, 0, 10, 0, &m);
        xc_mset_free(m);
        xc_enquire_free(e);
        xc_query_free(q);
    }
    xc_db_close(db);
    return rc;
}

START_TEST(test_errors_corrupt)
{
    make_corpus(dbpath);
    /* overwrite the postlist table with garbage */
    char *tbl = th_path(dbpath, "postlist.glass");
    size_t len;
    char *content = th_read_file(tbl, &len);
    ck_assert_ptr_nonnull(content);
    memset(content, 0x5a, len);
    ck_assert_int_eq(th_write_file(tbl, content, len), 0);
    free(content);
    free(tbl);
    int rc = read_damaged();
    ck_assert_msg(rc == XC_ERR_CORRUPT, "rc %d %s", rc, xc_errmsg());
    xc_db *db;

    /* a truncated version file */
    char *ver = th_path(dbpath, "iamglass");
    ck_assert_int_eq(th_write_file(ver, "x", 1), 0);
    free(ver);
    rc = xc_db_open(dbpath, &db);
    ck_assert_msg(rc == XC_ERR_CORRUPT || rc == XC_ERR_DATABASE || rc == XC_ERR_VERSION ||
                      rc == XC_ERR_NOT_FOUND,
                  "rc %d %s", rc, xc_errmsg());
}
END_TEST

/* A table cut short: a read past its end ("EOF reading block", what a
 * reader meets when a writer in another process reused a block of its
 * revision) is a corrupt read, which the engine tries again on the latest
 * revision, not any database error. */
START_TEST(test_errors_block_past_end)
{
    make_corpus(dbpath);
    char *tbl = th_path(dbpath, "postlist.glass");
    ck_assert_int_eq(truncate(tbl, 0), 0);
    free(tbl);
    int rc = read_damaged();
    ck_assert_msg(rc == XC_ERR_CORRUPT, "rc %d %s", rc, xc_errmsg());
    ck_assert_ptr_nonnull(strstr(xc_errmsg(), "EOF reading block"));
}
END_TEST

/* Builds a text of 30 words that change with round and doc. */
static void round_text(char *text, size_t size, int round, int i)
{
    size_t off = (size_t)snprintf(text, size, "common round%d", round);
    for (int j = 0; j < 30 && off < size; j++)
        off += (size_t)snprintf(text + off, size - off, " w%dx%dx%d", round, i, j);
}

START_TEST(test_errors_modified)
{
    xc_db *w, *r;
    char text[512], id[16];
    OK(xc_db_open_writable(dbpath, XC_DB_CREATE_OR_OPEN, &w));
    for (int i = 0; i < 300; i++) {
        snprintf(id, sizeof id, "%d", i);
        round_text(text, sizeof text, 0, i);
        add_doc(w, id, text, NULL, NULL);
    }
    OK(xc_db_commit(w));
    OK(xc_db_open(dbpath, &r));
    uint32_t n;
    OK(xc_db_doccount(r, &n));
    int rc = XC_OK, round;
    for (round = 1; round < 30 && rc == XC_OK; round++) {
        for (int i = 0; i < 300; i++) {
            snprintf(id, sizeof id, "%d", i);
            round_text(text, sizeof text, round, i);
            add_doc(w, id, text, NULL, NULL);
        }
        OK(xc_db_commit(w));
        if (round < 3)
            continue; /* the reader's revision is still kept */
        xc_iter *it = NULL;
        rc = xc_db_allterms(r, "", &it);
        xc_iter_free(it);
        if (rc == XC_OK) {
            xc_doc *d = NULL;
            rc = xc_db_get_document_by_term(r, "Q7", &d);
            if (rc == XC_OK) {
                const char *s;
                size_t len;
                rc = xc_doc_get_data(d, &s, &len);
            }
            xc_doc_free(d);
        }
    }
    ck_assert_msg(rc == XC_ERR_MODIFIED, "rc %d %s", rc, xc_errmsg());
    ck_assert_str_ne(xc_errmsg(), "");
    int reopened;
    OK(xc_db_reopen(r, &reopened));
    ck_assert_int_eq(reopened, 1);
    xc_doc *d;
    OK(xc_db_get_document_by_term(r, "Q7", &d));
    const char *s;
    size_t len;
    OK(xc_doc_get_data(d, &s, &len));
    char want[32];
    snprintf(want, sizeof want, "round%d ", round - 1);
    ck_assert_ptr_nonnull(strstr(s, want));
    xc_doc_free(d);
    xc_iter *it;
    OK(xc_db_allterms(r, "", &it));
    xc_iter_free(it);
    xc_db_close(r);
    xc_db_close(w);
}
END_TEST

START_TEST(test_invalid_args)
{
    xc_db *db;
    xc_doc *d;
    xc_query *q;
    xc_iter *it;
    xc_enquire *e;
    xc_mset *m;
    char *s;
    size_t len;
    uint32_t u;
    ck_assert_int_eq(xc_db_open(NULL, &db), XC_ERR_INVALID_ARG);
    ck_assert_int_eq(xc_db_open("x", NULL), XC_ERR_INVALID_ARG);
    ck_assert_int_eq(xc_db_open_writable(NULL, 0, &db), XC_ERR_INVALID_ARG);
    ck_assert_int_eq(xc_db_open_writable(dbpath, (xc_db_mode)42, &db), XC_ERR_INVALID_ARG);
    ck_assert_int_eq(xc_db_reopen(NULL, NULL), XC_ERR_INVALID_ARG);
    ck_assert_int_eq(xc_db_commit(NULL), XC_ERR_INVALID_ARG);
    ck_assert_int_eq(xc_db_begin_transaction(NULL, 1), XC_ERR_INVALID_ARG);
    ck_assert_int_eq(xc_db_commit_transaction(NULL), XC_ERR_INVALID_ARG);
    ck_assert_int_eq(xc_db_cancel_transaction(NULL), XC_ERR_INVALID_ARG);
    ck_assert_int_eq(xc_db_doccount(NULL, &u), XC_ERR_INVALID_ARG);
    ck_assert_int_eq(xc_db_termfreq(NULL, "a", 1, &u), XC_ERR_INVALID_ARG);
    ck_assert_int_eq(xc_db_get_metadata(NULL, "k", &s, &len), XC_ERR_INVALID_ARG);
    ck_assert_int_eq(xc_doc_new(NULL), XC_ERR_INVALID_ARG);
    ck_assert_int_eq(xc_doc_add_term(NULL, "a", 1, 1), XC_ERR_INVALID_ARG);
    ck_assert_int_eq(xc_db_allterms(NULL, "", &it), XC_ERR_INVALID_ARG);
    ck_assert_int_eq(xc_iter_next(NULL, NULL, NULL, NULL, NULL), XC_ERR_INVALID_ARG);
    ck_assert_int_eq(xc_query_term(NULL, 0, 1, 0, &q), XC_ERR_INVALID_ARG);
    ck_assert_int_eq(xc_query_term("", 0, 1, 0, &q), XC_ERR_INVALID_ARG);
    ck_assert_int_eq(xc_query_combine((xc_op)99, NULL, 0, 0, &q), XC_ERR_INVALID_ARG);
    ck_assert_int_eq(xc_query_scale(NULL, 1.0, &q), XC_ERR_INVALID_ARG);
    ck_assert_int_eq(xc_query_wildcard(NULL, 0, 0, &q), XC_ERR_INVALID_ARG);
    ck_assert_int_eq(xc_query_describe(NULL, &s), XC_ERR_INVALID_ARG);
    ck_assert_int_eq(xc_query_expand_synonyms(NULL, "a", "", &q), XC_ERR_INVALID_ARG);
    ck_assert_int_eq(xc_enquire_new(NULL, &e), XC_ERR_INVALID_ARG);
    ck_assert_int_eq(xc_enquire_set_query(NULL, NULL, 0), XC_ERR_INVALID_ARG);
    ck_assert_int_eq(xc_enquire_get_mset(NULL, 0, 10, 0, &m), XC_ERR_INVALID_ARG);
    ck_assert_int_eq(xc_mset_hit(NULL, 0, NULL), XC_ERR_INVALID_ARG);
    ck_assert_int_eq(xc_mset_snippet(NULL, "a", 1, 10, "none", "", "", "", 0, &s),
                     XC_ERR_INVALID_ARG);
    ck_assert_int_eq(xc_enquire_expand(NULL, NULL, 0, 10, NULL, &it), XC_ERR_INVALID_ARG);
    ck_assert_uint_eq(xc_mset_size(NULL), 0);
    ck_assert_int_eq(xc_query_is_empty(NULL), 1);
    ck_assert_int_eq(xc_db_is_writable(NULL), 0);
    ck_assert_uint_eq(xc_doc_docid(NULL), 0);
    xc_db_close(NULL);
    xc_doc_free(NULL);
    xc_query_free(NULL);
    xc_iter_free(NULL);
    xc_enquire_free(NULL);
    xc_mset_free(NULL);

    /* too long terms */
    char big[300];
    memset(big, 'a', sizeof big);
    OK(xc_doc_new(&d));
    ck_assert_int_eq(xc_doc_add_posting(d, big, 246, 1, 1), XC_ERR_TOO_LONG);
    ck_assert_int_eq(xc_doc_add_term(d, big, 300, 1), XC_ERR_TOO_LONG);
    ck_assert_int_eq(xc_doc_add_boolean_term(d, "", 0), XC_ERR_INVALID_ARG);
    OK(xc_doc_add_term(d, big, 245, 1));
    xc_doc_free(d);
    ck_assert_int_eq(xc_query_term(big, 246, 1, 0, &q), XC_ERR_TOO_LONG);
}
END_TEST

START_TEST(test_stub)
{
    char *p1 = th_path(tmp, "one"), *p2 = th_path(tmp, "two"), *stub = th_path(tmp, "stub");
    xc_db *w;
    OK(xc_db_open_writable(p1, XC_DB_CREATE_OR_OPEN, &w));
    add_doc(w, "1", "apple pie", NULL, NULL);
    xc_db_close(w);
    OK(xc_db_open_writable(p2, XC_DB_CREATE_OR_OPEN, &w));
    add_doc(w, "2", "apple tart", NULL, NULL);
    add_doc(w, "3", "pear tart", NULL, NULL);
    xc_db_close(w);
    char text[512];
    snprintf(text, sizeof text, "auto %s\nauto %s\n", p1, p2);
    ck_assert_int_eq(th_write_file(stub, text, strlen(text)), 0);
    xc_db *db;
    OK(xc_db_open(stub, &db));
    uint32_t n, ids[16];
    OK(xc_db_doccount(db, &n));
    ck_assert_uint_eq(n, 3);
    xc_query *q = term("apple");
    ck_assert_uint_eq(run(db, q, ids), 2);
    xc_query_free(q);
    xc_db_close(db);
    free(p1);
    free(p2);
    free(stub);
}
END_TEST

/* A group of two databases (xc_db_group): counts and revisions add up,
 * the spelling tables merge (frequencies added), synonyms unite, a
 * wildcard expands against the whole group, the parts stay open after the
 * group is closed; the exported copies of the tables (what a remote
 * shard's reader reads) hold what the tables hold. */
START_TEST(test_group)
{
    char *p1 = th_path(tmp, "g1"), *p2 = th_path(tmp, "g2");
    xc_db *w;
    OK(xc_db_open_writable(p1, XC_DB_CREATE_OR_OPEN, &w));
    add_doc(w, "1", "apple pie", NULL, NULL);
    add_doc(w, "2", "applesauce", NULL, NULL);
    OK(xc_db_add_spelling(w, "apple", 2));
    OK(xc_db_add_synonym(w, "pie", "tart"));
    OK(xc_db_export_tables(w));
    OK(xc_db_commit(w));
    xc_db_close(w);
    OK(xc_db_open_writable(p2, XC_DB_CREATE_OR_OPEN, &w));
    add_doc(w, "3", "apple tart", NULL, NULL);
    OK(xc_db_add_spelling(w, "apple", 3));
    OK(xc_db_add_spelling(w, "tart", 1));
    OK(xc_db_add_synonym(w, "pie", "flan"));
    OK(xc_db_commit(w));
    xc_db_close(w);

    xc_db *parts[2], *g;
    OK(xc_db_open(p1, &parts[0]));
    OK(xc_db_open(p2, &parts[1]));
    ck_assert_int_eq(xc_db_group(parts, 0, &g), XC_ERR_INVALID_ARG);
    OK(xc_db_group(parts, 2, &g));
    ck_assert_int_eq(xc_db_is_group(g), 1);
    ck_assert_int_eq(xc_db_is_group(parts[0]), 0);
    ck_assert_int_eq(xc_db_is_remote(g), 0);
    uint32_t n;
    uint64_t r0, r1, rg;
    OK(xc_db_doccount(g, &n));
    ck_assert_uint_eq(n, 3);
    OK(xc_db_revision(parts[0], &r0));
    OK(xc_db_revision(parts[1], &r1));
    OK(xc_db_revision(g, &rg));
    ck_assert_uint_eq(rg, r0 + r1);

    xc_iter *it;
    const char *t;
    uint32_t f;
    OK(xc_db_spellings(g, &it));
    ck_assert_int_eq(xc_iter_next(it, &t, NULL, &f, NULL), XC_OK);
    ck_assert_str_eq(t, "apple");
    ck_assert_uint_eq(f, 5);
    ck_assert_int_eq(xc_iter_next(it, &t, NULL, &f, NULL), XC_OK);
    ck_assert_str_eq(t, "tart");
    ck_assert_int_eq(xc_iter_next(it, &t, NULL, &f, NULL), XC_DONE);
    xc_iter_free(it);
    OK(xc_db_synonyms(g, "pie", &it));
    ck_assert_int_eq(xc_iter_next(it, &t, NULL, NULL, NULL), XC_OK);
    ck_assert_str_eq(t, "flan");
    ck_assert_int_eq(xc_iter_next(it, &t, NULL, NULL, NULL), XC_OK);
    ck_assert_str_eq(t, "tart");
    ck_assert_int_eq(xc_iter_next(it, &t, NULL, NULL, NULL), XC_DONE);
    xc_iter_free(it);

    /* a wildcard expanded against the group: both shards' terms, the most
       frequent first when limited */
    xc_query *q;
    char *desc;
    uint32_t ids[16];
    OK(xc_query_wildcard_in(g, "apple", 0, XC_WILDCARD_LIMIT_MOST_FREQUENT, &q));
    OK(xc_query_describe(q, &desc));
    ck_assert_str_eq(desc, "Query((apple SYNONYM applesauce))");
    free(desc);
    ck_assert_uint_eq(run(g, q, ids), 3);
    xc_query_free(q);
    OK(xc_query_wildcard_in(g, "apple", 1, XC_WILDCARD_LIMIT_MOST_FREQUENT, &q));
    OK(xc_query_describe(q, &desc));
    ck_assert_str_eq(desc, "Query(apple)");
    free(desc);
    xc_query_free(q);
    ck_assert_int_eq(xc_query_wildcard_in(g, "apple", 1, XC_WILDCARD_LIMIT_ERROR, &q),
                     XC_ERR_WILDCARD);
    OK(xc_query_wildcard_in(NULL, "apple", 0, XC_WILDCARD_LIMIT_FIRST, &q));
    OK(xc_query_describe(q, &desc));
    ck_assert_ptr_nonnull(strstr(desc, "WILDCARD"));
    free(desc);
    xc_query_free(q);

    /* a docid set on the group: each part sees its own ids (combined 2 is
       the first document of the second part, 3 the second of the first) */
    {
        xc_query *apple = term("apple"), *set, *filtered, *parts2[2];
        const uint32_t want[] = {2, 3};
        OK(xc_query_docids_in(g, want, 2, &set));
        parts2[0] = apple;
        parts2[1] = set;
        OK(xc_query_combine(XC_OP_FILTER, parts2, 2, 0, &filtered));
        ck_assert_uint_eq(run(g, filtered, ids), 1); /* 3 is "applesauce" */
        ck_assert_uint_eq(ids[0], 2);
        xc_query_free(apple);
        xc_query_free(set);
        xc_query_free(filtered);
    }

    /* the exported copies of the first shard: its spelling and synonyms */
    char *v;
    size_t vl;
    OK(xc_db_get_metadata(parts[0], "xc.spelling.0", &v, &vl));
    ck_assert_str_eq(v, "2 apple\n");
    free(v);
    OK(xc_db_get_metadata(parts[0], "xc.synonyms.0", &v, &vl));
    ck_assert_str_eq(v, "pie\ttart\n");
    free(v);
    OK(xc_db_get_metadata(parts[0], "xc.export.gen", &v, &vl));
    ck_assert_str_eq(v, "1");
    free(v);

    xc_db_close(g);
    OK(xc_db_doccount(parts[0], &n)); /* still open */
    ck_assert_uint_eq(n, 2);
    xc_db_close(parts[0]);
    xc_db_close(parts[1]);
    ck_assert_int_eq(xc_db_open_remote("127.0.0.1", 0, 100, &g), XC_ERR_INVALID_ARG);
    free(p1);
    free(p2);
}
END_TEST

/* The weight of each document q matches in db, by its data (the
 * document's number, 0..61): w[number], 0 if unmatched. */
static void weigh_by_data(xc_db *db, const xc_query *q, double *w, size_t nw)
{
    xc_enquire *e;
    xc_mset *m;
    for (size_t i = 0; i < nw; i++)
        w[i] = 0;
    OK(xc_enquire_new(db, &e));
    OK(xc_enquire_set_query(e, q, 0));
    OK(xc_enquire_get_mset(e, 0, (uint32_t)nw, 0, &m));
    for (uint32_t i = 0; i < xc_mset_size(m); i++) {
        xc_hit h;
        xc_doc *d;
        const char *data;
        size_t len;
        OK(xc_mset_hit(m, i, &h));
        OK(xc_db_get_document(db, h.docid, &d));
        OK(xc_doc_get_data(d, &data, &len));
        int k = atoi(data);
        ck_assert(k >= 0 && (size_t)k < nw);
        w[k] = h.weight;
        xc_doc_free(d);
    }
    xc_mset_free(m);
    xc_enquire_free(e);
}

static int group_tf(void *arg, const char *term, size_t len, uint32_t *freq)
{
    return xc_db_termfreq(arg, term, len, freq);
}

/* xc_query_synonym_in: a synonym of three terms weighs the same on a group
 * of two shards as on one database holding every document. Of 62
 * documents, "aa" is in 16, "bb" in 2 (both in the second shard), "cc" in
 * 14; the first shard holds 4 "aa" and 7 "cc". One database pairs bb with
 * cc (2 + 14 - 28/62, rounded: 16), then with aa: an estimated frequency
 * of 28; the first shard, by its own figures, pairs bb (none there) with
 * aa first, and rounds to 27: as a plain synonym its documents weigh more
 * on the group than on one database. Nested by xc_query_synonym_in, every
 * document weighs what it weighs on one database; on one database
 * xc_query_synonym_in is the plain synonym. */
START_TEST(test_group_synonym)
{
    char *po = th_path(tmp, "so"), *p1 = th_path(tmp, "s1"), *p2 = th_path(tmp, "s2");
    xc_db *wo, *w1, *w2;
    OK(xc_db_open_writable(po, XC_DB_CREATE_OR_OPEN, &wo));
    OK(xc_db_open_writable(p1, XC_DB_CREATE_OR_OPEN, &w1));
    OK(xc_db_open_writable(p2, XC_DB_CREATE_OR_OPEN, &w2));
    enum { N = 62 };
    for (int i = 0; i < N; i++) {
        char id[16], text[128];
        snprintf(id, sizeof id, "%d", i);
        int aa = i < 16, bb = i == 20 || i == 22, cc = i >= 30 && i < 44;
        /* the number first: the data (the text) read back by weigh_by_data */
        snprintf(text, sizeof text, "%d %s%s%sfiller w%d%s", i, aa ? "aa " : "",
                 bb ? "bb " : "", cc ? "cc " : "", i, i % 3 ? " more words" : "");
        add_doc(wo, id, text, NULL, NULL);
        int first = aa ? (i == 1 || i == 3 || i == 5 || i == 7) : !bb && i % 2;
        add_doc(first ? w1 : w2, id, text, NULL, NULL);
    }
    OK(xc_db_commit(wo));
    OK(xc_db_commit(w1));
    OK(xc_db_commit(w2));
    xc_db_close(wo);
    xc_db_close(w1);
    xc_db_close(w2);

    xc_db *one, *parts[2], *g;
    OK(xc_db_open(po, &one));
    OK(xc_db_open(p1, &parts[0]));
    OK(xc_db_open(p2, &parts[1]));
    OK(xc_db_group(parts, 2, &g));
    uint32_t f;
    OK(xc_db_part_termfreq(g, 0, "bb", 2, &f));
    ck_assert_uint_eq(f, 0);
    OK(xc_db_part_termfreq(g, 0, "aa", 2, &f));
    ck_assert_uint_eq(f, 4);

    xc_query *t[3] = {term("aa"), term("bb"), term("cc")}, *flat, *nested, *plain1;
    OK(xc_query_combine(XC_OP_SYNONYM, t, 3, 0, &flat));
    OK(xc_query_synonym_in(g, t, 3, group_tf, g, &nested));
    OK(xc_query_synonym_in(one, t, 3, group_tf, one, &plain1));
    char *d1, *d2;
    OK(xc_query_describe(flat, &d1));
    OK(xc_query_describe(plain1, &d2));
    ck_assert_str_eq(d1, d2); /* one database: the plain synonym */
    free(d2);
    OK(xc_query_describe(nested, &d2));
    ck_assert_str_eq(d2, "Query(((cc SYNONYM bb) SYNONYM aa))"); /* bb and cc first */
    free(d1);
    free(d2);

    double wone[N], wflat[N], wnested[N];
    weigh_by_data(one, flat, wone, N);
    weigh_by_data(g, flat, wflat, N);
    weigh_by_data(g, nested, wnested, N);
    int matched = 0, flat_differs = 0;
    for (int i = 0; i < N; i++) {
        matched += wone[i] > 0;
        ck_assert_msg((wone[i] > 0) == (wnested[i] > 0), "document %d", i);
        ck_assert_msg(wnested[i] == wone[i], "document %d: %.17g on the group, %.17g on one", i,
                      wnested[i], wone[i]);
        flat_differs += wflat[i] != wone[i];
    }
    ck_assert_int_eq(matched, 32); /* 16 + 2 + 14 */
    ck_assert_int_gt(flat_differs, 0); /* (what the nesting is for) */

    /* a synonym inside a synonym is nested too, the outer one pairs it as
       one node; an OR inside a synonym is merged into it */
    xc_query *inner, *outer, *orq, *with_or, *tt[3];
    OK(xc_query_combine(XC_OP_SYNONYM, t + 1, 2, 0, &inner)); /* flat bb, cc */
    tt[0] = t[0];
    tt[1] = inner;
    OK(xc_query_synonym_in(g, tt, 2, group_tf, g, &outer));
    OK(xc_query_describe(outer, &d1));
    ck_assert_str_eq(d1, "Query(((cc SYNONYM bb) SYNONYM aa))");
    free(d1);
    OK(xc_query_combine(XC_OP_OR, t + 1, 2, 0, &orq));
    tt[1] = orq;
    OK(xc_query_synonym_in(g, tt, 2, group_tf, g, &with_or));
    OK(xc_query_describe(with_or, &d1));
    ck_assert_str_eq(d1, "Query(((cc SYNONYM bb) SYNONYM aa))");
    free(d1);
    /* nothing in, nothing out */
    xc_query *none;
    OK(xc_query_synonym_in(g, NULL, 0, group_tf, g, &none));
    ck_assert_int_eq(xc_query_is_empty(none), 1);

    /* xc_query_filter_each: the same documents and weights as one filter */
    {
        xc_query *pair[2] = {term("aa"), term("filler")}, *near, *orp[2], *bonus, *ids, *fp[2],
                 *one_filter, *each;
        const uint32_t want[] = {1, 2, 3, 31, 40};
        OK(xc_query_combine(XC_OP_NEAR, pair, 2, 3, &near));
        orp[0] = near;
        orp[1] = t[2];
        OK(xc_query_combine(XC_OP_OR, orp, 2, 0, &bonus));
        OK(xc_query_docids_in(one, want, 5, &ids));
        fp[0] = bonus;
        fp[1] = ids;
        OK(xc_query_combine(XC_OP_FILTER, fp, 2, 0, &one_filter));
        OK(xc_query_filter_each(bonus, ids, &each));
        OK(xc_query_describe(each, &d1));
        ck_assert_ptr_nonnull(strstr(d1, "FILTER"));
        ck_assert_ptr_nonnull(strstr(d1, ") OR ("));
        free(d1);
        double wa[N], wb[N], wall[N];
        weigh_by_data(one, one_filter, wa, N);
        weigh_by_data(one, each, wb, N);
        weigh_by_data(one, bonus, wall, N);
        int n = 0;
        for (int i = 0; i < N; i++) {
            n += wb[i] > 0;
            ck_assert_msg(wb[i] == wa[i], "document %d", i);
            /* each document of the set weighs what the bonus gives it */
            int in = i == 0 || i == 1 || i == 2 || i == 30 || i == 39;
            ck_assert_msg(wb[i] == (in ? wall[i] : 0), "document %d", i);
        }
        ck_assert_int_eq(n, 5);
        xc_query_free(pair[0]);
        xc_query_free(pair[1]);
        xc_query_free(near);
        xc_query_free(bonus);
        xc_query_free(ids);
        xc_query_free(one_filter);
        xc_query_free(each);
    }

    for (int i = 0; i < 3; i++)
        xc_query_free(t[i]);
    xc_query_free(flat);
    xc_query_free(nested);
    xc_query_free(plain1);
    xc_query_free(inner);
    xc_query_free(outer);
    xc_query_free(orq);
    xc_query_free(with_or);
    xc_query_free(none);
    xc_db_close(g);
    xc_db_close(parts[0]);
    xc_db_close(parts[1]);
    xc_db_close(one);
    free(po);
    free(p1);
    free(p2);
}
END_TEST

/* Pending spelling words: counted with the table's by xc_db_spellings
 * (a reader too), moved into the table by xc_db_apply_pending_spellings. */
static void expect_spellings(xc_db *db, const char *const *words, const uint32_t *freqs, size_t n)
{
    xc_iter *sp;
    const char *word;
    uint32_t freq;
    OK(xc_db_spellings(db, &sp));
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_eq(xc_iter_next(sp, &word, NULL, &freq, NULL), XC_OK);
        ck_assert_str_eq(word, words[i]);
        ck_assert_uint_eq(freq, freqs[i]);
    }
    ck_assert_int_eq(xc_iter_next(sp, &word, NULL, &freq, NULL), XC_DONE);
    xc_iter_free(sp);
}

START_TEST(test_pending_spellings)
{
    xc_db *w;
    OK(xc_db_open_writable(dbpath, XC_DB_CREATE_OR_OPEN, &w));
    OK(xc_db_add_spelling(w, "médecin", 4));
    OK(xc_db_add_pending_spellings(w, "2 médecin\n1 résidence\n", strlen("2 médecin\n1 résidence\n")));
    OK(xc_db_add_pending_spellings(w, "3 résidence\n", strlen("3 résidence\n")));
    OK(xc_db_add_pending_spellings(w, "", 0)); /* nothing */
    OK(xc_db_commit(w));
    const char *words[] = {"médecin", "résidence", "zébu"};
    const uint32_t pend[] = {6, 4, 40};
    /* 40 more folds' words: merged with the others, counts kept */
    for (int i = 0; i < 40; i++)
        OK(xc_db_add_pending_spellings(w, "1 zébu\n", strlen("1 zébu\n")));
    OK(xc_db_commit(w));
    expect_spellings(w, words, pend, 3);
    xc_db *r;
    OK(xc_db_open(dbpath, &r));
    expect_spellings(r, words, pend, 3);
    /* the table alone still holds only the word added to it */
    char *s;
    OK(xc_db_spelling_suggestion(w, "residance", 2, &s));
    ck_assert_str_eq(s, "");
    free(s);
    uint64_t moved = 0;
    OK(xc_db_apply_pending_spellings(w, &moved));
    ck_assert_uint_eq(moved, 3); /* one line a distinct word */
    OK(xc_db_commit(w));
    expect_spellings(w, words, pend, 3); /* the same counts, now from the table */
    OK(xc_db_spelling_suggestion(w, "residence", 2, &s));
    ck_assert_str_eq(s, "résidence");
    free(s);
    OK(xc_db_apply_pending_spellings(w, &moved)); /* none left */
    ck_assert_uint_eq(moved, 0);
    OK(xc_db_reopen(r, NULL));
    expect_spellings(r, words, pend, 3);
    ck_assert_int_eq(xc_db_add_pending_spellings(r, "1 x\n", 4), XC_ERR_INVALID_OP);
    xc_db_close(r);
    xc_db_close(w);
}
END_TEST

START_TEST(test_spelling_synonyms)
{
    xc_db *w;
    OK(xc_db_open_writable(dbpath, XC_DB_CREATE_OR_OPEN, &w));
    OK(xc_db_add_spelling(w, "search", 5));
    OK(xc_db_add_spelling(w, "seared", 1));
    OK(xc_db_add_synonym(w, "car", "automobile"));
    OK(xc_db_add_synonym(w, "car", "motor vehicle"));
    OK(xc_db_add_synonym(w, "cat", "feline"));
    OK(xc_db_add_synonym(w, "dog", "hound"));
    OK(xc_db_clear_synonyms(w, "dog"));
    OK(xc_db_commit(w));
    char *s;
    OK(xc_db_spelling_suggestion(w, "serch", 2, &s));
    ck_assert_str_eq(s, "search");
    free(s);
    OK(xc_db_spelling_suggestion(w, "zzzzzz", 2, &s));
    ck_assert_str_eq(s, "");
    free(s);
    /* the whole table, in byte order, with frequencies */
    {
        xc_iter *sp;
        const char *word;
        uint32_t freq;
        OK(xc_db_spellings(w, &sp));
        ck_assert_int_eq(xc_iter_next(sp, &word, NULL, &freq, NULL), XC_OK);
        ck_assert_str_eq(word, "search");
        ck_assert_uint_eq(freq, 5);
        ck_assert_int_eq(xc_iter_next(sp, &word, NULL, &freq, NULL), XC_OK);
        ck_assert_str_eq(word, "seared");
        ck_assert_uint_eq(freq, 1);
        ck_assert_int_eq(xc_iter_next(sp, &word, NULL, &freq, NULL), XC_DONE);
        xc_iter_free(sp);
    }

    xc_iter *it;
    const char *t;
    OK(xc_db_synonyms(w, "car", &it));
    ck_assert_int_eq(xc_iter_next(it, &t, NULL, NULL, NULL), XC_OK);
    ck_assert_str_eq(t, "automobile");
    ck_assert_int_eq(xc_iter_next(it, &t, NULL, NULL, NULL), XC_OK);
    ck_assert_str_eq(t, "motor vehicle");
    ck_assert_int_eq(xc_iter_next(it, &t, NULL, NULL, NULL), XC_DONE);
    xc_iter_free(it);
    OK(xc_db_synonym_keys(w, "", &it));
    ck_assert_int_eq(xc_iter_next(it, &t, NULL, NULL, NULL), XC_OK);
    ck_assert_str_eq(t, "car");
    ck_assert_int_eq(xc_iter_next(it, &t, NULL, NULL, NULL), XC_OK);
    ck_assert_str_eq(t, "cat");
    ck_assert_int_eq(xc_iter_next(it, &t, NULL, NULL, NULL), XC_DONE);
    xc_iter_free(it);

    xc_query *q;
    char *desc;
    OK(xc_query_expand_synonyms(w, "car", "E", &q));
    OK(xc_query_describe(q, &desc));
    ck_assert_ptr_nonnull(strstr(desc, "SYNONYM"));
    ck_assert_ptr_nonnull(strstr(desc, "Ecar"));
    ck_assert_ptr_nonnull(strstr(desc, "Eautomobile"));
    ck_assert_ptr_nonnull(strstr(desc, "Emotor PHRASE 2 Evehicle"));
    free(desc);
    xc_query_free(q);
    OK(xc_query_expand_synonyms(w, "bike", "", &q));
    OK(xc_query_describe(q, &desc));
    ck_assert_str_eq(desc, "Query(bike)");
    free(desc);
    xc_query_free(q);

    OK(xc_db_clear_all_synonyms(w));
    OK(xc_db_synonym_keys(w, "", &it));
    ck_assert_int_eq(xc_iter_next(it, &t, NULL, NULL, NULL), XC_DONE);
    xc_iter_free(it);
    xc_db_close(w);
}
END_TEST

/* Threads that each make and drop match-all queries, with a database to
 * run them on: the query must be the caller's own (a copy of Xapian's
 * shared Query::MatchAll raced on its reference count: a crash of the
 * daemon's `stats` under concurrent requests). */
static void *match_all_loop(void *arg)
{
    xc_db *db = arg;
    for (int i = 0; i < 2000; i++) {
        xc_query *q = NULL;
        xc_enquire *enq = NULL;
        xc_mset *ms = NULL;
        int bad = xc_query_match_all(&q) != XC_OK || xc_enquire_new(db, &enq) != XC_OK ||
                  xc_enquire_set_query(enq, q, 0) != XC_OK ||
                  xc_enquire_get_mset(enq, 0, 16, 0, &ms) != XC_OK || xc_mset_size(ms) != 5;
        xc_mset_free(ms);
        xc_enquire_free(enq);
        xc_query_free(q);
        if (bad)
            return (void *)1;
    }
    return NULL;
}

START_TEST(test_match_all_threads)
{
    make_corpus(dbpath);
    xc_db *dbs[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        OK(xc_db_open(dbpath, &dbs[i]));
        ck_assert_int_eq(pthread_create(&th[i], NULL, match_all_loop, dbs[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        void *ret = (void *)1;
        pthread_join(th[i], &ret);
        ck_assert_ptr_null(ret); /* every match found the 5 documents */
        xc_db_close(dbs[i]);
    }
}
END_TEST

START_TEST(test_queries)
{
    make_corpus(dbpath);
    xc_db *db;
    OK(xc_db_open(dbpath, &db));
    uint32_t ids[16];
    xc_query *quick = term("quick"), *fox = term("fox"), *lazy = term("lazy"),
             *dog = term("dog"), *brown = term("brown"), *q;
    xc_query *pair[2];

    pair[0] = quick, pair[1] = fox;
    OK(xc_query_combine(XC_OP_AND, pair, 2, 0, &q));
    ck_assert_uint_eq(run(db, q, ids), 2); /* 1, 5 */
    xc_query_free(q);
    OK(xc_query_combine(XC_OP_OR, pair, 2, 0, &q));
    ck_assert_uint_eq(run(db, q, ids), 4); /* 1 2 4 5 */
    xc_query_free(q);
    OK(xc_query_combine(XC_OP_AND_NOT, pair, 2, 0, &q));
    ck_assert_uint_eq(run(db, q, ids), 1);
    ck_assert_uint_eq(ids[0], 2);
    xc_query_free(q);
    OK(xc_query_combine(XC_OP_XOR, pair, 2, 0, &q));
    ck_assert_uint_eq(run(db, q, ids), 2); /* 2, 4 */
    xc_query_free(q);
    OK(xc_query_combine(XC_OP_AND_MAYBE, pair, 2, 0, &q));
    ck_assert_uint_eq(run(db, q, ids), 3);
    xc_query_free(q);
    pair[0] = lazy, pair[1] = dog;
    OK(xc_query_combine(XC_OP_FILTER, pair, 2, 0, &q));
    ck_assert_uint_eq(run(db, q, ids), 1);
    ck_assert_uint_eq(ids[0], 1);
    xc_query_free(q);

    /* phrase and near */
    pair[0] = quick, pair[1] = brown;
    OK(xc_query_combine(XC_OP_PHRASE, pair, 2, 0, &q));
    ck_assert_uint_eq(run(db, q, ids), 2);
    xc_query_free(q);
    pair[0] = brown, pair[1] = quick;
    OK(xc_query_combine(XC_OP_PHRASE, pair, 2, 0, &q));
    ck_assert_uint_eq(run(db, q, ids), 0);
    xc_query_free(q);
    OK(xc_query_combine(XC_OP_NEAR, pair, 2, 2, &q));
    ck_assert_uint_eq(run(db, q, ids), 2);
    xc_query_free(q);
    pair[0] = quick, pair[1] = dog;
    OK(xc_query_combine(XC_OP_NEAR, pair, 2, 3, &q));
    ck_assert_uint_eq(run(db, q, ids), 1); /* doc 2 only; doc 1 is too far */
    ck_assert_uint_eq(ids[0], 2);
    xc_query_free(q);
    OK(xc_query_combine(XC_OP_NEAR, pair, 2, 10, &q));
    ck_assert_uint_eq(run(db, q, ids), 2);
    xc_query_free(q);

    /* synonym, max, elite set, NULL skipping, empty */
    xc_query *three[3] = {quick, NULL, lazy};
    OK(xc_query_combine(XC_OP_SYNONYM, three, 3, 0, &q));
    ck_assert_uint_eq(run(db, q, ids), 4);
    xc_query_free(q);
    OK(xc_query_combine(XC_OP_MAX, three, 3, 0, &q));
    ck_assert_uint_eq(run(db, q, ids), 4);
    xc_query_free(q);
    OK(xc_query_combine(XC_OP_ELITE_SET, three, 3, 1, &q));
    ck_assert_uint_gt(run(db, q, ids), 0);
    xc_query_free(q);
    OK(xc_query_combine(XC_OP_OR, NULL, 0, 0, &q));
    ck_assert_int_eq(xc_query_is_empty(q), 1);
    ck_assert_uint_eq(run(db, q, ids), 0);
    xc_query_free(q);
    OK(xc_query_match_nothing(&q));
    ck_assert_int_eq(xc_query_is_empty(q), 1);
    xc_query_free(q);
    OK(xc_query_match_all(&q));
    ck_assert_int_eq(xc_query_is_empty(q), 0);
    ck_assert_uint_eq(run(db, q, ids), 5);
    xc_query_free(q);

    /* scale weight: 0 makes a boolean query with weight 0 */
    OK(xc_query_scale(quick, 0.0, &q));
    {
        xc_enquire *e;
        xc_mset *m;
        xc_hit h;
        OK(xc_enquire_new(db, &e));
        OK(xc_enquire_set_query(e, q, 0));
        OK(xc_enquire_get_mset(e, 0, 10, 0, &m));
        ck_assert_uint_eq(xc_mset_size(m), 3);
        OK(xc_mset_hit(m, 0, &h));
        ck_assert(h.weight == 0.0);
        ck_assert_int_eq(xc_mset_hit(m, 3, &h), XC_ERR_INVALID_ARG);
        xc_mset_free(m);
        xc_enquire_free(e);
    }
    xc_query_free(q);
    ck_assert_int_eq(xc_query_scale(quick, -1.0, &q), XC_ERR_INVALID_ARG);

    /* value ranges on slot 0 (a b c a b) */
    OK(xc_query_value_range(0, "a", "a", &q));
    ck_assert_uint_eq(run(db, q, ids), 2);
    xc_query_free(q);
    OK(xc_query_value_range(0, "b", NULL, &q));
    ck_assert_uint_eq(run(db, q, ids), 3);
    xc_query_free(q);
    OK(xc_query_value_range(0, NULL, "a", &q));
    ck_assert_uint_eq(run(db, q, ids), 2);
    xc_query_free(q);
    OK(xc_query_value_range(1, NULL, NULL, &q));
    ck_assert_uint_eq(run(db, q, ids), 4);
    xc_query_free(q);

    /* value weights on slot 0 (b a c a b): favour "b" (1 and 5) among
     * quick OR fox (1 2 4 5); alone it matches every document with a value */
    {
        const char *keys[1] = {"b"};
        double w[1] = {100.0}, bad[1] = {-1.0};
        xc_query *vw, *both[2];
        OK(xc_query_value_weight(0, keys, w, 1, 0.0, &vw));
        ck_assert_uint_eq(run(db, vw, ids), 5);
        ck_assert(ids[0] != ids[1] && (ids[0] == 1 || ids[0] == 5) && (ids[1] == 1 || ids[1] == 5));
        pair[0] = quick, pair[1] = fox;
        OK(xc_query_combine(XC_OP_OR, pair, 2, 0, &both[0]));
        both[1] = vw;
        OK(xc_query_combine(XC_OP_AND_MAYBE, both, 2, 0, &q));
        ck_assert_uint_eq(run(db, q, ids), 4);
        ck_assert(ids[0] != ids[1] && (ids[0] == 1 || ids[0] == 5) && (ids[1] == 1 || ids[1] == 5));
        xc_query_free(q);
        xc_query_free(both[0]);
        xc_query_free(vw);
        ck_assert_int_eq(xc_query_value_weight(0, keys, bad, 1, 0.0, &q), XC_ERR_INVALID_ARG);
        ck_assert_int_eq(xc_query_value_weight(0, keys, w, 1, -1.0, &q), XC_ERR_INVALID_ARG);
        ck_assert_int_eq(xc_query_value_weight(0, NULL, w, 1, 0.0, &q), XC_ERR_INVALID_ARG);
    }

    /* a docid set confines a query to those documents (any order,
     * duplicates allowed), adds no weight, and empty matches nothing */
    {
        const uint32_t set[4] = {5, 2, 3, 5}, zero[1] = {0};
        xc_query *ds, *both[2], *or;
        OK(xc_query_docids(set, 4, &ds));
        pair[0] = quick, pair[1] = fox;
        OK(xc_query_combine(XC_OP_OR, pair, 2, 0, &or));
        both[0] = or, both[1] = ds;
        OK(xc_query_combine(XC_OP_FILTER, both, 2, 0, &q));
        ck_assert_uint_eq(run(db, q, ids), 2); /* (1 2 4 5) and (2 3 5) */
        ck_assert(ids[0] != ids[1] && (ids[0] == 2 || ids[0] == 5) && (ids[1] == 2 || ids[1] == 5));
        xc_query_free(q);
        xc_query_free(ds);
        OK(xc_query_docids(set, 0, &ds));
        ck_assert(xc_query_is_empty(ds));
        both[1] = ds;
        OK(xc_query_combine(XC_OP_FILTER, both, 2, 0, &q));
        ck_assert_uint_eq(run(db, q, ids), 0);
        xc_query_free(q);
        xc_query_free(ds);
        xc_query_free(or);
        ck_assert_int_eq(xc_query_docids(zero, 1, &q), XC_ERR_INVALID_ARG);
        ck_assert_int_eq(xc_query_docids(NULL, 1, &q), XC_ERR_INVALID_ARG);
    }

    /* wildcards: "l" expands to lazy only; "" expands to everything */
    OK(xc_query_wildcard("la", 0, XC_WILDCARD_LIMIT_ERROR, &q));
    ck_assert_uint_eq(run(db, q, ids), 2);
    xc_query_free(q);
    OK(xc_query_wildcard("d", 1, XC_WILDCARD_LIMIT_ERROR, &q)); /* day dog */
    {
        xc_enquire *e;
        xc_mset *m;
        OK(xc_enquire_new(db, &e));
        OK(xc_enquire_set_query(e, q, 0));
        ck_assert_int_eq(xc_enquire_get_mset(e, 0, 10, 0, &m), XC_ERR_WILDCARD);
        ck_assert_ptr_null(m);
        xc_enquire_free(e);
    }
    xc_query_free(q);
    OK(xc_query_wildcard("d", 1, XC_WILDCARD_LIMIT_FIRST, &q)); /* day */
    ck_assert_uint_eq(run(db, q, ids), 1);
    ck_assert_uint_eq(ids[0], 3);
    xc_query_free(q);
    OK(xc_query_wildcard("d", 1, XC_WILDCARD_LIMIT_MOST_FREQUENT, &q)); /* dog */
    ck_assert_uint_eq(run(db, q, ids), 2);
    xc_query_free(q);
    ck_assert_int_eq(xc_query_wildcard("d", 1, (xc_wildcard_limit)9, &q), XC_ERR_INVALID_ARG);

    char *desc;
    OK(xc_query_describe(quick, &desc));
    ck_assert_str_eq(desc, "Query(quick)");
    free(desc);
    xc_query_free(quick);
    xc_query_free(fox);
    xc_query_free(lazy);
    xc_query_free(dog);
    xc_query_free(brown);
    xc_db_close(db);
}
END_TEST

START_TEST(test_enquire)
{
    make_corpus(dbpath);
    xc_db *db;
    OK(xc_db_open(dbpath, &db));
    xc_enquire *e;
    xc_mset *m;
    xc_hit h;
    xc_query *q;
    OK(xc_query_match_all(&q));
    OK(xc_enquire_new(db, &e));
    OK(xc_enquire_set_query(e, q, 0));
    OK(xc_enquire_set_bm25(e, 1.2, 0, 1, 0.75, 0.5));
    OK(xc_enquire_set_time_limit(e, 1.0));

    /* sort by value, reversed: slot 0 values b a c a b -> c first */
    OK(xc_enquire_set_sort(e, XC_SORT_VALUE, 0, 1));
    OK(xc_enquire_get_mset(e, 0, 10, 0, &m));
    ck_assert_uint_eq(xc_mset_size(m), 5);
    OK(xc_mset_hit(m, 0, &h));
    ck_assert_uint_eq(h.docid, 3);
    ck_assert_uint_eq(h.rank, 0);
    xc_mset_free(m);
    OK(xc_enquire_set_sort(e, XC_SORT_VALUE_THEN_RELEVANCE, 0, 0));
    OK(xc_enquire_get_mset(e, 1, 2, 0, &m));
    ck_assert_uint_eq(xc_mset_size(m), 2);
    OK(xc_mset_hit(m, 0, &h));
    ck_assert_uint_eq(h.rank, 1);
    xc_doc *d;
    OK(xc_mset_document(m, 0, &d));
    const char *s;
    size_t len;
    OK(xc_doc_get_value(d, 0, &s, &len));
    ck_assert_str_eq(s, "a");
    xc_doc_free(d);
    ck_assert_int_eq(xc_mset_document(m, 5, &d), XC_ERR_INVALID_ARG);
    uint32_t lo, est, hi;
    xc_mset_matches(m, &lo, &est, &hi);
    ck_assert_uint_eq(lo, 5);
    ck_assert_uint_eq(est, 5);
    ck_assert_uint_eq(hi, 5);
    xc_mset_free(m);
    /* ties (every document weighs the same) by value: a a b b c, each
       hit carrying its value as its sort key */
    OK(xc_enquire_set_sort(e, XC_SORT_RELEVANCE_THEN_VALUE, 0, 0));
    OK(xc_enquire_get_mset(e, 0, 10, 0, &m));
    ck_assert_uint_eq(xc_mset_size(m), 5);
    const char *want[] = {"a", "a", "b", "b", "c"};
    for (uint32_t i = 0; i < 5; i++) {
        const char *k;
        size_t kl;
        OK(xc_mset_sort_key(m, i, &k, &kl));
        ck_assert_uint_eq(kl, 1);
        ck_assert_int_eq(k[0], want[i][0]);
    }
    OK(xc_mset_hit(m, 4, &h));
    ck_assert_uint_eq(h.docid, 3);
    ck_assert_int_eq(xc_mset_sort_key(m, 5, &s, &len), XC_ERR_INVALID_ARG);
    xc_mset_free(m);
    OK(xc_enquire_set_sort(e, XC_SORT_RELEVANCE, 0, 0));
    OK(xc_enquire_get_mset(e, 0, 1, 0, &m));
    OK(xc_mset_sort_key(m, 0, &s, &len));
    ck_assert_uint_eq(len, 0); /* no value sorted by */
    xc_mset_free(m);
    ck_assert_int_eq(xc_enquire_set_sort(e, (xc_sort)7, 0, 0), XC_ERR_INVALID_ARG);

    /* collapse on slot 0: three distinct values */
    OK(xc_enquire_set_collapse_key(e, 0, 1));
    OK(xc_enquire_get_mset(e, 0, 10, 5, &m));
    ck_assert_uint_eq(xc_mset_size(m), 3);
    xc_mset_free(m);
    OK(xc_enquire_set_collapse_key(e, 0, 0));

    /* facets: slot 1 multi-valued, slot 0 whole values */
    OK(xc_enquire_add_facet(e, 1, '\x1f'));
    OK(xc_enquire_add_facet(e, 0, 0));
    ck_assert_int_eq(xc_enquire_add_facet(e, 0, 0), XC_ERR_INVALID_ARG);
    OK(xc_enquire_get_mset(e, 0, 1, 5, &m));
    ck_assert_uint_eq(xc_mset_size(m), 1);
    xc_iter *it;
    const char *t;
    uint32_t f;
    OK(xc_mset_facet(m, 1, &it));
    ck_assert_int_eq(xc_iter_next(it, &t, &len, &f, NULL), XC_OK);
    ck_assert_str_eq(t, "red");
    ck_assert_uint_eq(f, 3);
    ck_assert_int_eq(xc_iter_next(it, &t, &len, &f, NULL), XC_OK);
    ck_assert_str_eq(t, "green");
    ck_assert_uint_eq(f, 2);
    ck_assert_int_eq(xc_iter_next(it, &t, &len, &f, NULL), XC_OK);
    ck_assert_str_eq(t, "blue");
    ck_assert_uint_eq(f, 1);
    ck_assert_int_eq(xc_iter_next(it, &t, &len, &f, NULL), XC_DONE);
    xc_iter_free(it);
    OK(xc_mset_facet(m, 0, &it));
    ck_assert_int_eq(xc_iter_next(it, &t, &len, &f, NULL), XC_OK);
    ck_assert_str_eq(t, "a"); /* a:2 b:2, tie broken by value */
    ck_assert_uint_eq(f, 2);
    ck_assert_int_eq(xc_iter_next(it, &t, &len, &f, NULL), XC_OK);
    ck_assert_str_eq(t, "b");
    xc_iter_free(it);
    ck_assert_int_eq(xc_mset_facet(m, 9, &it), XC_ERR_INVALID_ARG);
    xc_mset_free(m);
    /* a second run does not accumulate */
    OK(xc_enquire_get_mset(e, 0, 1, 5, &m));
    OK(xc_mset_facet(m, 1, &it));
    ck_assert_int_eq(xc_iter_next(it, &t, &len, &f, NULL), XC_OK);
    ck_assert_uint_eq(f, 3);
    xc_iter_free(it);
    xc_mset_free(m);
    xc_query_free(q);

    /* expand: more like doc 1, excluding Q terms */
    const uint32_t rel[] = {1};
    const char *excl[] = {"Q", NULL};
    OK(xc_enquire_expand(e, rel, 1, 5, excl, &it));
    int n = 0;
    double w;
    while (xc_iter_next(it, &t, &len, NULL, &w) == XC_OK) {
        ck_assert(t[0] != 'Q');
        ck_assert(w > 0.0 || n > 0);
        n++;
    }
    ck_assert_int_gt(n, 0);
    ck_assert_int_le(n, 5);
    xc_iter_free(it);
    OK(xc_enquire_expand(e, rel, 1, 50, NULL, &it));
    int sawq = 0;
    while (xc_iter_next(it, &t, &len, NULL, NULL) == XC_OK)
        if (t[0] == 'Q')
            sawq = 1;
    ck_assert(sawq);
    xc_iter_free(it);
    xc_enquire_free(e);
    xc_db_close(db);
}
END_TEST

START_TEST(test_snippets)
{
    xc_db *w;
    OK(xc_db_open_writable(dbpath, XC_DB_CREATE_OR_OPEN, &w));
    xc_doc *d;
    OK(xc_doc_new(&d));
    OK(xc_doc_add_posting(d, "Zrun", 4, 1, 1)); /* stem of running */
    OK(xc_db_add_document(w, d, NULL));
    xc_doc_free(d);
    OK(xc_db_commit(w));
    xc_query *q = term("Zrun");
    xc_enquire *e;
    xc_mset *m;
    OK(xc_enquire_new(w, &e));
    OK(xc_enquire_set_query(e, q, 0));
    OK(xc_enquire_get_mset(e, 0, 10, 0, &m));
    const char *text = "He was running & jumping all day.";
    char *s;
    OK(xc_mset_snippet(m, text, strlen(text), 200, "english", "[", "]", "~", 0, &s));
    ck_assert_ptr_nonnull(strstr(s, "[running]"));
    ck_assert_ptr_nonnull(strstr(s, "&amp;"));
    free(s);
    OK(xc_mset_snippet(m, text, strlen(text), 200, "none", "[", "]", "~", 0, &s));
    ck_assert_ptr_null(strstr(s, "["));
    free(s);
    OK(xc_mset_snippet(m, text, strlen(text), 200, "none", "[", "]", "~",
                       XC_SNIPPET_EMPTY_WITHOUT_MATCH, &s));
    ck_assert_str_eq(s, "");
    free(s);
    ck_assert_int_eq(xc_mset_snippet(m, text, strlen(text), 200, "klingon", "[", "]", "~", 0, &s),
                     XC_ERR_INVALID_ARG);
    xc_mset_free(m);
    xc_enquire_free(e);
    xc_query_free(q);
    xc_db_close(w);
}
END_TEST

static void *thread_fail(void *arg)
{
    xc_db *db;
    int rc = xc_db_open("no/such/database/here", &db);
    *(int *)arg = rc == XC_ERR_NOT_FOUND && strstr(xc_errmsg(), "no/such") != NULL;
    return NULL;
}

START_TEST(test_errmsg_per_thread)
{
    ck_assert_int_eq(xc_query_term("", 0, 1, 0, &(xc_query *){NULL}), XC_ERR_INVALID_ARG);
    const char *before = xc_errmsg();
    ck_assert_ptr_nonnull(strstr(before, "empty term"));
    int ok = 0;
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, thread_fail, &ok), 0);
    ck_assert_int_eq(pthread_join(th, NULL), 0);
    ck_assert_int_eq(ok, 1);
    ck_assert_ptr_nonnull(strstr(xc_errmsg(), "empty term"));
}
END_TEST

START_TEST(test_unflushed_transaction)
{
    xc_db *w, *r;
    uint32_t n;
    int reopened;
    OK(xc_db_open_writable(dbpath, XC_DB_CREATE_OR_OPEN, &w));
    OK(xc_db_commit(w));
    OK(xc_db_open(dbpath, &r));
    OK(xc_db_reopen(r, &reopened)); /* "may have changed": either value */
    OK(xc_db_begin_transaction(w, 0));
    add_doc(w, "1", "one", NULL, NULL);
    OK(xc_db_commit_transaction(w));
    OK(xc_db_doccount(w, &n));
    ck_assert_uint_eq(n, 1); /* the writer sees it */
    OK(xc_db_commit(w));
    OK(xc_db_reopen(r, &reopened));
    OK(xc_db_doccount(r, &n));
    ck_assert_uint_eq(n, 1);
    xc_db_close(r);
    xc_db_close(w);
}
END_TEST

/* xc_db_compact: two shards into one database: docids concatenated,
 * positions and values kept, spelling frequencies summed, synonyms united,
 * the first source's metadata kept; a shard opened without fsync. */
START_TEST(test_overlay)
{
    /* a main database and a small one beside it, searched as one; a
     * document of the small one copied into the main one without its
     * marker term keeps its words and positions */
    char *m = th_path(tmp, "ovm"), *o = th_path(tmp, "ovm/live");
    xc_db *w, *wo;
    OK(xc_db_open_writable_flags(m, XC_DB_CREATE, XC_DB_NO_SYNC, &w));
    ck_assert_uint_eq(add_doc(w, "1", "old words here", "a", NULL), 1);
    ck_assert_uint_eq(add_doc(w, "2", "second post", "b", NULL), 2);
    OK(xc_db_commit(w));
    OK(xc_db_open_writable_flags(o, XC_DB_CREATE, XC_DB_NO_SYNC, &wo));
    xc_doc *d;
    OK(xc_doc_new(&d));
    OK(xc_doc_add_boolean_term(d, "Q1", 2));
    OK(xc_doc_add_boolean_term(d, "XDELTA", 6));
    OK(xc_doc_add_posting(d, "fresh", 5, 1, 1));
    OK(xc_doc_add_posting(d, "words", 5, 2, 1));
    OK(xc_db_replace_document(wo, "Q1", d, NULL));
    xc_doc_free(d);
    OK(xc_db_commit(wo));

    xc_db *g;
    OK(xc_db_open_overlay(m, o, &g));
    ck_assert_int_eq(xc_db_is_group(g), 1);
    uint32_t n, f;
    OK(xc_db_doccount(g, &n));
    ck_assert_uint_eq(n, 3);
    OK(xc_db_part_doccount(g, 0, &n));
    ck_assert_uint_eq(n, 2);
    OK(xc_db_part_doccount(g, 1, &n));
    ck_assert_uint_eq(n, 1);
    OK(xc_db_termfreq(g, "Q1", 2, &f));
    ck_assert_uint_eq(f, 2); /* both copies, in the group */
    OK(xc_db_part_termfreq(g, 0, "Q1", 2, &f));
    ck_assert_uint_eq(f, 1);
    OK(xc_db_part_termfreq(g, 1, "Q2", 2, &f));
    ck_assert_uint_eq(f, 0);
    xc_iter *it;
    OK(xc_db_part_allterms(g, 1, "Q", &it));
    const char *t;
    size_t tl;
    OK(xc_iter_next(it, &t, &tl, NULL, NULL));
    ck_assert_uint_eq(tl, 2);
    ck_assert_int_eq(memcmp(t, "Q1", 2), 0);
    ck_assert_int_eq(xc_iter_next(it, &t, &tl, NULL, NULL), XC_DONE);
    xc_iter_free(it);
    ck_assert_int_eq(xc_db_part_doccount(g, 2, &n), XC_ERR_INVALID_ARG);
    xc_db *plain;
    OK(xc_db_open(m, &plain));
    ck_assert_int_eq(xc_db_part_doccount(plain, 0, &n), XC_ERR_INVALID_ARG);
    xc_db_close(plain);

    /* the small one's document into the main one, marker removed */
    OK(xc_db_get_document_by_term(wo, "Q1", &d));
    OK(xc_doc_remove_term(d, "XDELTA", 6));
    ck_assert_int_eq(xc_doc_remove_term(d, "XDELTA", 6), XC_ERR_NOT_FOUND);
    OK(xc_db_replace_document(w, "Q1", d, NULL));
    xc_doc_free(d);
    OK(xc_db_commit(w));
    OK(xc_db_delete_document(wo, "XDELTA", NULL));
    OK(xc_db_commit(wo));
    OK(xc_db_reopen(g, NULL));
    OK(xc_db_doccount(g, &n));
    ck_assert_uint_eq(n, 2);
    OK(xc_db_part_termfreq(g, 0, "XDELTA", 6, &f));
    ck_assert_uint_eq(f, 0);
    OK(xc_db_part_termfreq(g, 0, "old", 3, &f));
    ck_assert_uint_eq(f, 0);
    OK(xc_db_part_termfreq(g, 0, "fresh", 5, &f));
    ck_assert_uint_eq(f, 1);
    uint32_t *pos;
    size_t np;
    OK(xc_db_positions(w, 1, "words", 5, &pos, &np));
    ck_assert_uint_eq(np, 1);
    ck_assert_uint_eq(pos[0], 2);
    free(pos);
    xc_db_close(g);
    xc_db_close(wo);
    xc_db_close(w);
    free(m);
    free(o);
}
END_TEST

START_TEST(test_compact)
{
    char *a = th_path(tmp, "a"), *b = th_path(tmp, "b"), *out = th_path(tmp, "out");
    xc_db *w;
    OK(xc_db_open_writable_flags(a, XC_DB_CREATE, XC_DB_NO_SYNC, &w));
    ck_assert_uint_eq(add_doc(w, "1", "the quick brown fox", "b", NULL), 1);
    ck_assert_uint_eq(add_doc(w, "2", "a lazy dog", "a", NULL), 2);
    OK(xc_db_add_spelling(w, "search", 2));
    OK(xc_db_add_spelling(w, "brown", 1));
    OK(xc_db_add_synonym(w, "car", "automobile"));
    OK(xc_db_set_metadata(w, "k", "from a", 6));
    OK(xc_db_commit(w));
    xc_db_close(w);
    OK(xc_db_open_writable_flags(b, XC_DB_CREATE, XC_DB_NO_SYNC, &w));
    ck_assert_uint_eq(add_doc(w, "3", "quick lazy cats", "c", NULL), 1);
    OK(xc_db_add_spelling(w, "search", 3));
    OK(xc_db_add_synonym(w, "car", "motor vehicle"));
    OK(xc_db_set_metadata(w, "k", "from b", 6));
    OK(xc_db_commit(w));
    xc_db_close(w);
    ck_assert_int_eq(xc_db_open_writable_flags(a, XC_DB_OPEN, 99, &w), XC_ERR_INVALID_ARG);

    const char *src[] = {a, b};
    OK(xc_db_compact(src, 2, out));
    xc_db *r;
    OK(xc_db_open(out, &r));
    uint32_t n;
    OK(xc_db_doccount(r, &n));
    ck_assert_uint_eq(n, 3);
    xc_doc *d;
    OK(xc_db_get_document_by_term(r, "Q3", &d));
    ck_assert_uint_eq(xc_doc_docid(d), 3); /* after a's two documents */
    const char *v;
    size_t len;
    OK(xc_doc_get_data(d, &v, &len));
    ck_assert_str_eq(v, "quick lazy cats");
    OK(xc_doc_get_value(d, 0, &v, &len));
    ck_assert_str_eq(v, "c");
    xc_doc_free(d);
    uint32_t *pos;
    size_t np;
    OK(xc_db_positions(r, 3, "lazy", 4, &pos, &np));
    ck_assert_uint_eq(np, 1);
    ck_assert_uint_eq(pos[0], 2);
    free(pos);
    OK(xc_db_termfreq(r, "quick", 5, &n));
    ck_assert_uint_eq(n, 2);

    xc_iter *it;
    const char *t;
    uint32_t f;
    OK(xc_db_spellings(r, &it));
    ck_assert_int_eq(xc_iter_next(it, &t, NULL, &f, NULL), XC_OK);
    ck_assert_str_eq(t, "brown");
    ck_assert_uint_eq(f, 1);
    ck_assert_int_eq(xc_iter_next(it, &t, NULL, &f, NULL), XC_OK);
    ck_assert_str_eq(t, "search");
    ck_assert_uint_eq(f, 5); /* 2 + 3 */
    ck_assert_int_eq(xc_iter_next(it, &t, NULL, &f, NULL), XC_DONE);
    xc_iter_free(it);
    OK(xc_db_synonyms(r, "car", &it));
    ck_assert_int_eq(xc_iter_next(it, &t, NULL, NULL, NULL), XC_OK);
    ck_assert_str_eq(t, "automobile");
    ck_assert_int_eq(xc_iter_next(it, &t, NULL, NULL, NULL), XC_OK);
    ck_assert_str_eq(t, "motor vehicle");
    ck_assert_int_eq(xc_iter_next(it, &t, NULL, NULL, NULL), XC_DONE);
    xc_iter_free(it);
    char *m;
    OK(xc_db_get_metadata(r, "k", &m, &len));
    ck_assert_str_eq(m, "from a");
    free(m);
    xc_db_close(r);

    /* A missing source is an error. */
    char *none = th_path(tmp, "none"), *out2 = th_path(tmp, "out2");
    const char *bad[] = {a, none};
    ck_assert_int_eq(xc_db_compact(bad, 2, out2), XC_ERR_NOT_FOUND);
    ck_assert_int_eq(xc_db_compact(NULL, 2, out2), XC_ERR_INVALID_ARG);
    ck_assert_int_eq(xc_db_compact(src, 0, out2), XC_ERR_INVALID_ARG);
    free(none);
    free(out2);
    free(a);
    free(b);
    free(out);
}
END_TEST

/* The stop function of a match: says stop at its n-th call. */
static int stop_after(void *arg)
{
    int *left = arg;
    return --*left <= 0;
}

/* xc_enquire_set_stop ends a match where it is, with the hits found so
 * far (documents from the start of the database only), and says so;
 * without a stop, or a stop that never says so, the match is whole.
 * xc_db_prefix_cost counts a wildcard's terms and their postings. */
START_TEST(test_stop_and_cost)
{
    xc_db *w;
    OK(xc_db_open_writable(dbpath, XC_DB_CREATE_OR_OVERWRITE, &w));
    for (int i = 1; i <= 1000; i++) {
        xc_doc *d;
        char id[16];
        OK(xc_doc_new(&d));
        snprintf(id, sizeof id, "Q%d", i);
        OK(xc_doc_add_boolean_term(d, id, strlen(id)));
        OK(xc_doc_add_term(d, "word", 4, 1 + (uint32_t)(i % 7)));
        OK(xc_doc_add_term(d, i % 2 ? "conalpha" : "conbeta", i % 2 ? 8 : 7, 1));
        if (i % 10 == 0)
            OK(xc_doc_add_term(d, "congamma", 8, 1));
        OK(xc_db_add_document(w, d, NULL));
        xc_doc_free(d);
    }
    OK(xc_db_commit(w));
    xc_db_close(w);
    xc_db *db;
    OK(xc_db_open(dbpath, &db));
    xc_query *q;
    OK(xc_query_term("word", 4, 1, 0, &q));
    xc_enquire *e;
    OK(xc_enquire_new(db, &e));
    OK(xc_enquire_set_query(e, q, 0));
    xc_mset *m;
    uint32_t lo, est, hi;

    /* whole: no stop */
    OK(xc_enquire_get_mset(e, 0, 10, 1000, &m));
    ck_assert_int_eq(xc_mset_stopped(m), 0);
    xc_mset_matches(m, &lo, &est, &hi);
    ck_assert_uint_eq(lo, 1000);
    ck_assert_uint_eq(hi, 1000);
    xc_mset_free(m);

    /* a stop that never says stop: the same */
    int never = 1 << 30;
    OK(xc_enquire_set_stop(e, stop_after, &never));
    OK(xc_enquire_get_mset(e, 0, 10, 1000, &m));
    ck_assert_int_eq(xc_mset_stopped(m), 0);
    ck_assert_uint_eq(xc_mset_size(m), 10);
    xc_mset_matches(m, &lo, &est, &hi);
    ck_assert_uint_eq(lo, 1000);
    xc_mset_free(m);

    /* stop at the 4th call (the start, then every 32 documents): about
     * 100 documents examined, the best 10 of them answered */
    int left = 4;
    OK(xc_enquire_set_stop(e, stop_after, &left));
    OK(xc_enquire_get_mset(e, 0, 10, 1000, &m));
    ck_assert_int_eq(xc_mset_stopped(m), 1);
    ck_assert_uint_eq(xc_mset_size(m), 10);
    for (uint32_t i = 0; i < 10; i++) {
        xc_hit h;
        OK(xc_mset_hit(m, i, &h));
        ck_assert_uint_le(h.docid, 200);
        ck_assert(h.weight > 0);
    }
    xc_mset_matches(m, &lo, &est, &hi);
    ck_assert_uint_lt(lo, 1000);
    xc_mset_free(m);

    /* stopped from the start: no hit */
    left = 1;
    OK(xc_enquire_get_mset(e, 0, 10, 0, &m));
    ck_assert_int_eq(xc_mset_stopped(m), 1);
    ck_assert_uint_eq(xc_mset_size(m), 0);
    xc_mset_free(m);

    /* the stop removed: whole again */
    OK(xc_enquire_set_stop(e, NULL, NULL));
    OK(xc_enquire_get_mset(e, 0, 10, 1000, &m));
    ck_assert_int_eq(xc_mset_stopped(m), 0);
    xc_mset_matches(m, &lo, &est, &hi);
    ck_assert_uint_eq(lo, 1000);
    xc_mset_free(m);
    xc_enquire_free(e);
    xc_query_free(q);

    /* cost: con* has 3 terms (500 + 500 + 100 postings); the 2 most
     * frequent: 1000; a scan bound of 2 terms: too many */
    uint32_t nt;
    uint64_t post;
    OK(xc_db_prefix_cost(db, "con", 0, 0, &nt, &post));
    ck_assert_uint_eq(nt, 3);
    ck_assert_uint_eq(post, 1100);
    OK(xc_db_prefix_cost(db, "con", 2, 0, &nt, &post));
    ck_assert_uint_eq(nt, 2);
    ck_assert_uint_eq(post, 1000);
    OK(xc_db_prefix_cost(db, "zzz", 2, 0, &nt, &post));
    ck_assert_uint_eq(nt, 0);
    ck_assert_uint_eq(post, 0);
    ck_assert_int_eq(xc_db_prefix_cost(db, "con", 0, 2, &nt, &post), XC_ERR_WILDCARD);
    /* the lexicon read up to a bound: the first terms in byte order */
    xc_iter *it;
    const char *t;
    size_t tl;
    uint32_t f;
    OK(xc_db_allterms_max(db, "con", 2, &it));
    ck_assert_int_eq(xc_iter_next(it, &t, &tl, &f, NULL), XC_OK);
    ck_assert(tl == 8 && memcmp(t, "conalpha", 8) == 0 && f == 500);
    ck_assert_int_eq(xc_iter_next(it, &t, &tl, &f, NULL), XC_OK);
    ck_assert(tl == 7 && memcmp(t, "conbeta", 7) == 0);
    ck_assert_int_eq(xc_iter_next(it, &t, &tl, &f, NULL), XC_DONE);
    xc_iter_free(it);
    xc_db_close(db);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("xapian-c");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_basics);
    tcase_add_test(tc, test_documents);
    tcase_add_test(tc, test_add_terms);
    tcase_add_test(tc, test_write_ops);
    tcase_add_test(tc, test_transactions);
    tcase_add_test(tc, test_errors_open);
    tcase_add_test(tc, test_errors_corrupt);
    tcase_add_test(tc, test_errors_block_past_end);
    tcase_add_test(tc, test_errors_modified);
    tcase_add_test(tc, test_invalid_args);
    tcase_add_test(tc, test_stub);
    tcase_add_test(tc, test_group);
    tcase_add_test(tc, test_group_synonym);
    tcase_add_test(tc, test_spelling_synonyms);
    tcase_add_test(tc, test_pending_spellings);
    tcase_add_test(tc, test_queries);
    tcase_add_test(tc, test_match_all_threads);
    tcase_add_test(tc, test_enquire);
    tcase_add_test(tc, test_snippets);
    tcase_add_test(tc, test_errmsg_per_thread);
    tcase_add_test(tc, test_unflushed_transaction);
    tcase_add_test(tc, test_compact);
    tcase_add_test(tc, test_overlay);
    tcase_add_test(tc, test_stop_and_cost);
    suite_add_tcase(s, tc);
    return th_run_suite(s, 0);
}
