/* fuzz-db.c: the sample archive indexed once for the targets that search
 * (query, request): the real importer and store, a temporary directory
 * removed at exit. */
#include <config.h>

#include <ftw.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "import/import.h"
#include "store/store.h"

static char dir[4096];
static srch_engine *engine;

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void cleanup(void)
{
    srch_engine_free(engine);
    engine = NULL;
    if (dir[0])
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

srch_engine *fuzz_sample_engine(void)
{
    if (engine)
        return engine;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/socasma-fuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    FUZZ_CHECK(mkdtemp(dir) != NULL);
    atexit(cleanup);
    char db[4200], sample[4200], glossary[4200], err[1024];
    snprintf(db, sizeof db, "%s/db", dir);
    snprintf(sample, sizeof sample, "%s/index/sample/sample.jsonl", fuzz_srcdir());
    snprintf(glossary, sizeof glossary, "%s/conf/synonyms.txt", fuzz_srcdir());
    store_options so = {.glossary_path = glossary};
    store *st = NULL;
    if (store_open(db, &so, &st, err, sizeof err) != STORE_OK) {
        fprintf(stderr, "fuzz: %s\n", err);
        abort();
    }
    FUZZ_CHECK(store_begin(st) == STORE_OK);
    imp_reader *r = NULL;
    if (imp_open(sample, IMP_FORMAT_JSONL, &r, err, sizeof err) != IMP_OK) {
        fprintf(stderr, "fuzz: %s\n", err);
        abort();
    }
    imp_post *p = NULL;
    int n = 0;
    while (imp_next(r, &p, err, sizeof err) == IMP_OK) {
        FUZZ_CHECK(store_put(st, p, NULL) == STORE_OK);
        imp_post_free(p);
        n++;
    }
    imp_close(r);
    FUZZ_CHECK(n > 0);
    FUZZ_CHECK(store_commit(st) == STORE_OK);
    store_close(st);
    FUZZ_CHECK(srch_engine_new(db, NULL, &engine) == SRCH_OK);
    return engine;
}
