#!/bin/sh
# gencorpus.sh N: writes N generated posts as JSON Lines on standard output,
# the same every time: English-like text where about one word in three
# starts with "con" (a vocabulary of 2,000 such words) and the others come
# from a vocabulary of 3,000, so that short prefix wildcards (con*) expand
# to many terms with long posting lists. For the daemon's cost tests.
awk -v n="${1:-2000}" 'BEGIN {
    seed = 12345
    for (i = 1; i <= n; i++) {
        body = ""
        for (w = 0; w < 120; w++) {
            seed = (seed * 1103515245 + 12345) % 2147483648
            r = int(seed / 65536)
            if (r % 3 == 0)
                word = sprintf("con%c%c%d", 97 + r % 26, 97 + int(r / 26) % 26, int(r / 676) % 3)
            else
                word = sprintf("w%c%c%d", 97 + r % 26, 97 + int(r / 26) % 26, int(r / 676) % 5)
            body = body (w ? " " : "") word
        }
        printf "{\"id\":\"gen-%d\",\"title\":\"generated post %d\",\"date\":\"2020-01-01\",\"lang\":\"en\",\"url\":\"https://example.org/%d\",\"body\":\"%s\"}\n", i, i, i, body
    }
}'
