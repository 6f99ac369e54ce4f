/* dbinfo.c: a small reader of an index database for the shell tests of
 * socasma-index (read-only, through the project's bindings).
 *   dbinfo count DB              number of documents
 *   dbinfo revision DB           revision number
 *   dbinfo docs DB KEY...        one line per post, in id order: a JSON
 *                                object with those keys of the document data
 *   dbinfo termfreq DB TERM      number of documents indexed by TERM
 *   dbinfo synonyms DB TERM      the synonyms of TERM, one per line
 *   dbinfo spell DB WORD         the spelling suggestion for WORD
 *   dbinfo meta DB KEY           a metadata value
 *   dbinfo dump DB               everything a search can see: per post (in
 *                                id order) its document id, data, values,
 *                                terms with wdf and positions; the lexicon
 *                                with frequencies; the spelling and
 *                                synonym tables; the metadata but the time
 *                                of the run. Two databases with the same
 *                                dump answer every search alike.
 * Exit 0, or 1 with a message on any error. */
#include <config.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/schema.h"
#include "xapian-c/xapian-c.h"

static int die(const char *what)
{
    fprintf(stderr, "dbinfo: %s: %s\n", what, xc_errmsg());
    return 1;
}

static int docs(xc_db *db, char **keys, int nkeys)
{
    xc_iter *it;
    if (xc_db_allterms(db, SCH_ID, &it) != XC_OK)
        return die("allterms");
    const char *term;
    size_t len;
    int rc;
    while ((rc = xc_iter_next(it, &term, &len, NULL, NULL)) == XC_OK) {
        char *t = strndup(term, len);
        xc_doc *d;
        const char *data;
        size_t dlen;
        if (!t || xc_db_get_document_by_term(db, t, &d) != XC_OK ||
            xc_doc_get_value(d, SCH_SLOT_RECORD, &data, &dlen) != XC_OK)
            return die("document");
        json_t *o = json_loadb(data, dlen, 0, NULL), *out = json_object();
        for (int i = 0; i < nkeys; i++) {
            json_t *v = o ? json_object_get(o, keys[i]) : NULL;
            json_object_set(out, keys[i], v ? v : json_null());
        }
        char *s = json_dumps(out, JSON_SORT_KEYS | JSON_COMPACT);
        puts(s ? s : "null");
        free(s);
        json_decref(o);
        json_decref(out);
        xc_doc_free(d);
        free(t);
    }
    xc_iter_free(it);
    return rc == XC_DONE ? 0 : die("iterate");
}

static int print_iter(xc_iter *it, const char *what)
{
    const char *t;
    size_t len;
    uint32_t f;
    int rc;
    while ((rc = xc_iter_next(it, &t, &len, &f, NULL)) == XC_OK)
        printf("%s %.*s %u\n", what, (int)len, t, f);
    xc_iter_free(it);
    return rc == XC_DONE ? 0 : die(what);
}

static int dump(xc_db *db)
{
    uint32_t n;
    double avlen;
    if (xc_db_doccount(db, &n) != XC_OK || xc_db_avlength(db, &avlen) != XC_OK)
        return die("doccount");
    printf("doccount %u\navlength %.9g\n", n, avlen);
    xc_iter *ids;
    if (xc_db_allterms(db, SCH_ID, &ids) != XC_OK)
        return die("allterms");
    const char *term;
    size_t len;
    int rc;
    while ((rc = xc_iter_next(ids, &term, &len, NULL, NULL)) == XC_OK) {
        char *t = strndup(term, len);
        xc_doc *d;
        const char *v;
        size_t vlen;
        if (!t || xc_db_get_document_by_term(db, t, &d) != XC_OK ||
            xc_doc_get_data(d, &v, &vlen) != XC_OK)
            return die("document");
        uint32_t docid = xc_doc_docid(d);
        printf("post %s docid %u\ndata %.*s\n", t, docid, (int)vlen, v);
        for (uint32_t slot = 0; slot < 16; slot++)
            if (xc_doc_get_value(d, slot, &v, &vlen) == XC_OK && vlen)
                printf("value %u %.*s\n", slot, (int)vlen, v);
        xc_doc_free(d);
        xc_iter *tl;
        if (xc_db_termlist(db, docid, "", &tl) != XC_OK)
            return die("termlist");
        const char *tt;
        size_t tlen;
        uint32_t wdf;
        while (xc_iter_next(tl, &tt, &tlen, &wdf, NULL) == XC_OK) {
            uint32_t *pos;
            size_t np;
            if (xc_db_positions(db, docid, tt, tlen, &pos, &np) != XC_OK)
                return die("positions");
            printf("term %.*s %u", (int)tlen, tt, wdf);
            for (size_t i = 0; i < np; i++)
                printf(" %u", pos[i]);
            putchar('\n');
            free(pos);
        }
        xc_iter_free(tl);
        free(t);
    }
    xc_iter_free(ids);
    if (rc != XC_DONE)
        return die("iterate");
    xc_iter *it;
    if (xc_db_allterms(db, "", &it) != XC_OK || print_iter(it, "lexicon") != 0)
        return die("lexicon");
    if (xc_db_spellings(db, &it) != XC_OK || print_iter(it, "spelling") != 0)
        return die("spellings");
    xc_iter *keys;
    if (xc_db_synonym_keys(db, "", &keys) != XC_OK)
        return die("synonym keys");
    while (xc_iter_next(keys, &term, &len, NULL, NULL) == XC_OK) {
        char *k = strndup(term, len);
        printf("synonyms of %s\n", k ? k : "");
        if (!k || xc_db_synonyms(db, k, &it) != XC_OK || print_iter(it, "synonym") != 0)
            return die("synonyms");
        free(k);
    }
    xc_iter_free(keys);
    const char *meta[] = {SCH_META_VERSION, SCH_META_GLOSSARY};
    for (size_t i = 0; i < 2; i++) {
        char *v;
        size_t vlen;
        if (xc_db_get_metadata(db, meta[i], &v, &vlen) != XC_OK)
            return die("metadata");
        printf("meta %s %s\n", meta[i], v);
        free(v);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fputs("usage: dbinfo count|revision|docs|termfreq|synonyms|spell|meta|dump DB [ARG...]\n",
              stderr);
        return 2;
    }
    xc_db *db;
    if (xc_db_open(argv[2], &db) != XC_OK)
        return die(argv[2]);
    int ret = 0;
    const char *cmd = argv[1];
    if (strcmp(cmd, "count") == 0) {
        uint32_t n;
        ret = xc_db_doccount(db, &n) == XC_OK ? (printf("%u\n", n), 0) : die("doccount");
    } else if (strcmp(cmd, "revision") == 0) {
        uint64_t r;
        ret = xc_db_revision(db, &r) == XC_OK ? (printf("%llu\n", (unsigned long long)r), 0)
                                             : die("revision");
    } else if (strcmp(cmd, "docs") == 0) {
        ret = docs(db, argv + 3, argc - 3);
    } else if (strcmp(cmd, "termfreq") == 0 && argc == 4) {
        uint32_t f;
        ret = xc_db_termfreq(db, argv[3], strlen(argv[3]), &f) == XC_OK ? (printf("%u\n", f), 0)
                                                                        : die("termfreq");
    } else if (strcmp(cmd, "synonyms") == 0 && argc == 4) {
        xc_iter *it;
        const char *t;
        size_t len;
        if (xc_db_synonyms(db, argv[3], &it) != XC_OK)
            ret = die("synonyms");
        else {
            while (xc_iter_next(it, &t, &len, NULL, NULL) == XC_OK)
                printf("%.*s\n", (int)len, t);
            xc_iter_free(it);
        }
    } else if (strcmp(cmd, "spell") == 0 && argc == 4) {
        char *s;
        ret = xc_db_spelling_suggestion(db, argv[3], 2, &s) == XC_OK ? (printf("%s\n", s), 0)
                                                                   : die("spelling");
        if (ret == 0)
            free(s);
    } else if (strcmp(cmd, "dump") == 0 && argc == 3) {
        ret = dump(db);
    } else if (strcmp(cmd, "meta") == 0 && argc == 4) {
        char *v;
        size_t len;
        ret = xc_db_get_metadata(db, argv[3], &v, &len) == XC_OK ? (printf("%s\n", v), 0)
                                                                : die("metadata");
        if (ret == 0)
            free(v);
    } else {
        fprintf(stderr, "dbinfo: bad command %s\n", cmd);
        ret = 2;
    }
    xc_db_close(db);
    return ret;
}
