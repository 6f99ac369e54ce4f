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
            xc_doc_get_data(d, &data, &dlen) != XC_OK)
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

int main(int argc, char **argv)
{
    if (argc < 3) {
        fputs("usage: dbinfo count|revision|docs|termfreq|synonyms|spell|meta DB [ARG...]\n",
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
