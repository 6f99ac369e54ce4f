/* fuzz-html.c: a post's HTML to text (imp_html_to_text): any bytes give
 * valid UTF-8 no more than three times as long, with no blank at either
 * end. */
#include <config.h>

#include <string.h>

#include "fuzz/fuzz.h"
#include "import/import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *out = NULL;
    FUZZ_CHECK(imp_html_to_text((const char *)data, size, &out) == IMP_OK);
    size_t n = strlen(out);
    FUZZ_CHECK(fuzz_utf8_ok(out, n));
    FUZZ_CHECK(n <= 3 * size);
    FUZZ_CHECK(!n || (out[0] != ' ' && out[0] != '\n' && out[n - 1] != ' ' && out[n - 1] != '\n'));
    free(out);
    return 0;
}
