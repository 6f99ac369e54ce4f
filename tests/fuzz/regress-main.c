/* regress-main.c: a plain main for a fuzz target, so that `make check`
 * replays (with gcc, without libFuzzer) the target's seed corpus and the
 * crash inputs kept after their fix: tests/fuzz/corpus/NAME and
 * tests/fuzz/regress/NAME (NAME is FUZZ_NAME, set at compile time), or the
 * files and directories given as arguments. */
#include <config.h>

#include <dirent.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz/fuzz.h"

/* Targets without set-up leave it undefined. */
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

static unsigned long ninputs;

static void run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(1);
    }
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            buf = realloc(buf, cap);
            FUZZ_CHECK(buf != NULL);
        }
        size_t k = fread(buf + len, 1, cap - len, f);
        if (!k)
            break;
        len += k;
    }
    fclose(f);
    /* An exact-size copy, so that the sanitizer sees a read past the end. */
    uint8_t *in = malloc(len ? len : 1);
    FUZZ_CHECK(in != NULL);
    memcpy(in, buf, len);
    free(buf);
    fprintf(stderr, "%s\n", path);
    LLVMFuzzerTestOneInput(in, len);
    free(in);
    ninputs++;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A file, or every file of a directory in name order; 0 if it is absent. */
static int run_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    if (!S_ISDIR(st.st_mode)) {
        run_file(path);
        return 1;
    }
    DIR *d = opendir(path);
    FUZZ_CHECK(d != NULL);
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        names = realloc(names, (n + 1) * sizeof *names);
        FUZZ_CHECK(names != NULL);
        names[n] = malloc(strlen(path) + strlen(e->d_name) + 2);
        FUZZ_CHECK(names[n] != NULL);
        sprintf(names[n], "%s/%s", path, e->d_name);
        n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp);
    for (size_t i = 0; i < n; i++) {
        run_file(names[i]);
        free(names[i]);
    }
    free(names);
    return 1;
}

int main(int argc, char **argv)
{
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            if (!run_path(argv[i])) {
                fprintf(stderr, "%s: not found\n", argv[i]);
                return 1;
            }
    } else {
        char p[4096];
        snprintf(p, sizeof p, "%s/tests/fuzz/corpus/%s", fuzz_srcdir(), FUZZ_NAME);
        if (!run_path(p)) {
            fprintf(stderr, "%s: no seed corpus\n", p);
            return 1;
        }
        snprintf(p, sizeof p, "%s/tests/fuzz/regress/%s", fuzz_srcdir(), FUZZ_NAME);
        run_path(p);
    }
    printf("%s: %lu inputs replayed\n", FUZZ_NAME, ninputs);
    return ninputs ? 0 : 1;
}
