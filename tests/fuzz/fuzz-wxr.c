/* fuzz-wxr.c: the WordPress export importer (the byte filter, libxml2's
 * reader, the item reader, HTML to text), from the bytes of a file to
 * posts, with max_post_bytes at 1 KiB. */
#include <config.h>

#include "fuzz/fuzz-import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_read_source(data, size, IMP_FORMAT_WXR);
    return 0;
}
