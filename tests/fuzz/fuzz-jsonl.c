/* fuzz-jsonl.c: the JSON Lines importer, from the bytes of a file (plain or
 * gzip: the reader tells) to posts, with max_post_bytes at 1 KiB. */
#include <config.h>

#include "fuzz/fuzz-import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_read_source(data, size, IMP_FORMAT_JSONL);
    return 0;
}
