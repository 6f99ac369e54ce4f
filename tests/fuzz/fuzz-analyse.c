/* fuzz-analyse.c: the analyser (text/): any bytes through txt_analyse on
 * the index side and the query side, txt_normalise and the glossary
 * parser. The first byte picks the options; the tokens must stay inside the
 * input, in order, with valid UTF-8 words and stems. */
#include <config.h>

#include <string.h>

#include "fuzz/fuzz.h"
#include "text/text.h"

static txt_analyser *an;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    FUZZ_CHECK(txt_analyser_new(&an) == TXT_OK);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!an)
        LLVMFuzzerInitialize(NULL, NULL);
    unsigned sel = size ? data[0] : 0;
    const char *text = size ? (const char *)data + 1 : "";
    size_t len = size ? size - 1 : 0;
    txt_options o = {(txt_lang)(sel % 3), (txt_lang)(sel / 3 % 3), (int)(sel / 9 % 2)};
    uint32_t first = 1 + sel / 18;
    txt_result r;
    FUZZ_CHECK(txt_analyse(an, text, len, &o, first, &r) == TXT_OK);
    uint32_t last = 0;
    for (size_t i = 0; i < r.ntokens; i++) {
        const txt_token *t = &r.tokens[i];
        FUZZ_CHECK(t->len > 0 && strlen(t->word) == t->len);
        FUZZ_CHECK(fuzz_utf8_ok(t->word, t->len));
        FUZZ_CHECK(t->start < t->end && t->end <= len);
        FUZZ_CHECK(t->pos >= first && t->pos >= last && t->pos <= r.last_pos);
        FUZZ_CHECK(t->nstems >= 1 && t->nstems <= TXT_MAX_STEMS);
        for (unsigned j = 0; j < t->nstems; j++)
            FUZZ_CHECK(fuzz_utf8_ok(t->stems[j].term, t->stems[j].len));
        last = t->pos;
    }
    if (sel % 4 == 0) {
        char *s = NULL;
        FUZZ_CHECK(txt_normalise(text, len, &s) == TXT_OK);
        FUZZ_CHECK(fuzz_utf8_ok(s, strlen(s)));
        free(s);
        txt_detect_lang(text, len, TXT_LANG_NONE);
    } else if (sel % 4 == 1) {
        txt_glossary *g = NULL;
        char err[256];
        int rc = txt_glossary_parse("fuzz", text, len, &g, err, sizeof err);
        FUZZ_CHECK(rc == TXT_OK || rc == TXT_ERR_SYNTAX);
        for (size_t i = 0; g && i < txt_glossary_ngroups(g); i++) {
            size_t n = 0;
            const char *const *e = txt_glossary_group(g, i, &n);
            FUZZ_CHECK(n >= 2);
            for (size_t k = 0; k < n; k++)
                FUZZ_CHECK(fuzz_utf8_ok(e[k], strlen(e[k])));
        }
        txt_glossary_free(g);
    }
    return 0;
}
