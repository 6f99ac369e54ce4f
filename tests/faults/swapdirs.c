/* swapdirs.c: swaps two directories over and over, as fast as it can, for
 * the fault tests: the database under the daemon replaced while it serves.
 *
 *   swapdirs [-n N] [-g US] [-p US] A B
 *   -n N   N swaps (default 100); after an even number A and B are back
 *   -g US  the swap of two renames with a gap, as `mv A A.old && mv B A`
 *          does: A moved aside to A.swapdirs, US microseconds (0: none but
 *          the renames') with nothing at A, B moved to A, the old A to B.
 *          Without -g, one atomic exchange (renameat2 RENAME_EXCHANGE),
 *          as socasma-index --jobs swaps a first import in.
 *   -p US  a pause of US microseconds after each swap (default 0)
 * Prints the number of swaps done. Exit status: 0, 1 when a rename failed
 * (with the reason), 2 on usage. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void pause_us(long us)
{
    if (us <= 0)
        return;
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static long number(const char *s)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 0)
        return -1;
    return v;
}

int main(int argc, char **argv)
{
    long n = 100, gap = -1, pause = 0;
    int opt;
    while ((opt = getopt(argc, argv, "n:g:p:")) != -1) {
        long *field = opt == 'n' ? &n : opt == 'g' ? &gap : opt == 'p' ? &pause : NULL;
        if (!field || (*field = number(optarg)) < 0) {
            fprintf(stderr, "usage: swapdirs [-n N] [-g US] [-p US] A B\n");
            return 2;
        }
    }
    if (argc - optind != 2) {
        fprintf(stderr, "usage: swapdirs [-n N] [-g US] [-p US] A B\n");
        return 2;
    }
    const char *a = argv[optind], *b = argv[optind + 1];
    size_t len = strlen(a) + sizeof ".swapdirs";
    char *aside = malloc(len);
    if (!aside)
        return 1;
    snprintf(aside, len, "%s.swapdirs", a);
    long done = 0;
    int rc = 0;
    for (; done < n; done++) {
        if (gap < 0) {
            if (renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) != 0) {
                fprintf(stderr, "swapdirs: cannot exchange %s and %s: %s\n", a, b,
                        strerror(errno));
                rc = 1;
                break;
            }
        } else {
            if (rename(a, aside) != 0) {
                fprintf(stderr, "swapdirs: cannot move %s aside: %s\n", a, strerror(errno));
                rc = 1;
                break;
            }
            pause_us(gap);
            if (rename(b, a) != 0 || rename(aside, b) != 0) {
                fprintf(stderr, "swapdirs: cannot move %s in: %s\n", b, strerror(errno));
                rc = 1;
                break;
            }
        }
        pause_us(pause);
    }
    free(aside);
    printf("%ld\n", done);
    return rc;
}
