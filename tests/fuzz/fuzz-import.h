/* fuzz-import.h: what the two importer targets check, included by them
 * only: a source read to its end through the public reader, every post
 * sound, every message placed. */
#ifndef SOCASMA_FUZZ_IMPORT_H
#define SOCASMA_FUZZ_IMPORT_H

#include <string.h>

#include "fuzz/fuzz.h"
#include "import/import.h"

/* Small, so that inputs of a few KiB reach the oversize paths. */
#define FUZZ_MAX_POST 1024

static void fuzz_check_post(const imp_post *p)
{
    const char *f[] = {p->id, p->url, p->title, p->author, p->date, p->lang, p->body};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        FUZZ_CHECK(f[i] && fuzz_utf8_ok(f[i], strlen(f[i])));
    for (size_t i = 0; i < p->ncategories; i++)
        FUZZ_CHECK(*p->categories[i] && fuzz_utf8_ok(p->categories[i], strlen(p->categories[i])));
    for (size_t i = 0; i < p->ntags; i++)
        FUZZ_CHECK(*p->tags[i] && fuzz_utf8_ok(p->tags[i], strlen(p->tags[i])));
    FUZZ_CHECK(*p->id && imp_date_valid(p->date));
    FUZZ_CHECK(!*p->lang || !strcmp(p->lang, "en") || !strcmp(p->lang, "fr") ||
               !strcmp(p->lang, "mixed"));
    FUZZ_CHECK(p->line >= 1);
}

/* Reads data as format fmt to the end. */
static void fuzz_read_source(const uint8_t *data, size_t size, imp_format fmt)
{
    const char *path = fuzz_memfile(data, size);
    imp_options o;
    imp_options_init(&o);
    o.max_post_bytes = FUZZ_MAX_POST;
    imp_reader *r = NULL;
    char err[1024];
    FUZZ_CHECK(imp_open_opts(path, fmt, &o, &r, err, sizeof err) == IMP_OK);
    size_t plen = strlen(path);
    for (;;) {
        imp_post *p = NULL;
        err[0] = '\0';
        int rc = imp_next(r, &p, err, sizeof err);
        if (rc == IMP_DONE)
            break;
        if (rc == IMP_OK) {
            fuzz_check_post(p);
            imp_post_free(p);
            continue;
        }
        FUZZ_CHECK(rc == IMP_ERR_RECORD || rc == IMP_ERR_FATAL);
        FUZZ_CHECK(strncmp(err, path, plen) == 0 && err[plen] == ':');
        if (rc == IMP_ERR_FATAL) {
            FUZZ_CHECK(imp_next(r, &p, err, sizeof err) == IMP_ERR_FATAL && !p);
            break;
        }
    }
    imp_close(r);
}

#endif
