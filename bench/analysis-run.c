/* analysis-run.c: the analyser's side of bench/analysis: txt_analyse (index
 * side, language of the record, or detection for "mixed") over the records
 * of a file made by bench/analysis; prints MB/s.
 * Records: "LL\n" + text, separated by the byte 0x1e. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "text/text.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: analysis-run RECORDS\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *all = malloc((size_t)size + 1);
    if (!all || fread(all, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "read error\n");
        return 1;
    }
    fclose(f);
    txt_analyser *a;
    if (txt_analyser_new(&a) != TXT_OK)
        return 1;
    size_t bytes = 0, tokens = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    size_t i = 0, n = (size_t)size;
    while (i < n) {
        char *e = memchr(all + i, 0x1e, n - i);
        size_t end = e ? (size_t)(e - all) : n;
        if (end - i > 3) {
            char code[3] = {all[i], all[i + 1], 0};
            txt_options o = {txt_lang_parse(code), TXT_LANG_NONE, 0};
            txt_result r;
            if (txt_analyse(a, all + i + 3, end - i - 3, &o, 1, &r) != TXT_OK)
                return 1;
            tokens += r.ntokens;
            bytes += end - i - 3;
        }
        i = end + 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("socasma-analyser %.1f MB/s (%zu bytes, %.2f s, %zu tokens)\n", (double)bytes / 1e6 / s,
           bytes, s, tokens);
    txt_analyser_free(a);
    free(all);
    return 0;
}
