/* fuzz-common.c: the helpers of fuzz.h but the sample engine: UTF-8
 * checks, the source tree, memory files. */
#include <config.h>

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz/fuzz.h"

int fuzz_utf8_ok(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        unsigned c = u[i];
        size_t k = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
                                : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (!c || !k || k > n - i || (k == 2 && c < 0xC2) || (k == 4 && c > 0xF4))
            return 0;
        for (size_t j = 1; j < k; j++)
            if ((u[i + j] & 0xC0) != 0x80)
                return 0;
        if ((k == 3 && c == 0xE0 && u[i + 1] < 0xA0) || (k == 3 && c == 0xED && u[i + 1] > 0x9F) ||
            (k == 4 && c == 0xF0 && u[i + 1] < 0x90) || (k == 4 && c == 0xF4 && u[i + 1] > 0x8F))
            return 0;
        i += k;
    }
    return 1;
}

const char *fuzz_srcdir(void)
{
    const char *s = getenv("top_srcdir");
    if (s && *s)
        return s;
#ifdef FUZZ_SRCDIR
    return FUZZ_SRCDIR;
#else
    return ".";
#endif
}

const char *fuzz_memfile(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("fuzz-input", MFD_CLOEXEC);
        FUZZ_CHECK(fd >= 0);
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    FUZZ_CHECK(ftruncate(fd, 0) == 0);
    for (size_t done = 0; done < size;) {
        ssize_t k = pwrite(fd, data + done, size - done, (off_t)done);
        FUZZ_CHECK(k > 0);
        done += (size_t)k;
    }
    return path;
}
