/* test-server-units.c: the daemon's pure pieces: line framing (split reads,
 * \r\n, the length cap, shrinking), latency percentiles, HOST:PORT parsing,
 * the access log's quoting of queries, the count of connections per
 * address. */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/testhelp.h"
#include "server/server.h"

START_TEST(lines_split_anywhere)
{
    srv_linebuf lb;
    srv_linebuf_init(&lb, 100);
    const char *in = "ping\r\n{\"op\":\"version\"}\nhalf";
    const char *line;
    size_t len;
    int got = 0;
    /* One byte at a time: the same lines come out. */
    for (size_t i = 0; i < strlen(in); i++) {
        ck_assert_int_eq(srv_linebuf_append(&lb, in + i, 1), 0);
        int r;
        while ((r = srv_linebuf_next(&lb, &line, &len)) == SRV_LINE_OK) {
            if (got == 0)
                ck_assert(len == 4 && memcmp(line, "ping", 4) == 0);
            else
                ck_assert(len == 16 && memcmp(line, "{\"op\":\"version\"}", 16) == 0);
            got++;
        }
        ck_assert_int_eq(r, SRV_LINE_NONE);
    }
    ck_assert_int_eq(got, 2);
    ck_assert_uint_eq(srv_linebuf_pending(&lb), 4);
    srv_linebuf_free(&lb);
}
END_TEST

START_TEST(lines_empty_and_nul)
{
    srv_linebuf lb;
    srv_linebuf_init(&lb, 100);
    const char *line;
    size_t len;
    srv_linebuf_append(&lb, "\n\r\na\0b\n", 7);
    ck_assert_int_eq(srv_linebuf_next(&lb, &line, &len), SRV_LINE_OK);
    ck_assert_uint_eq(len, 0);
    ck_assert_int_eq(srv_linebuf_next(&lb, &line, &len), SRV_LINE_OK);
    ck_assert_uint_eq(len, 0);
    ck_assert_int_eq(srv_linebuf_next(&lb, &line, &len), SRV_LINE_OK);
    ck_assert_uint_eq(len, 3);
    ck_assert_int_eq(line[1], '\0');
    ck_assert_int_eq(srv_linebuf_next(&lb, &line, &len), SRV_LINE_NONE);
    srv_linebuf_free(&lb);
}
END_TEST

START_TEST(lines_too_long)
{
    srv_linebuf lb;
    srv_linebuf_init(&lb, 10);
    const char *line;
    size_t len;
    /* Exactly the limit, with \r\n, is fine. */
    srv_linebuf_append(&lb, "0123456789\r\n", 12);
    ck_assert_int_eq(srv_linebuf_next(&lb, &line, &len), SRV_LINE_OK);
    ck_assert_uint_eq(len, 10);
    /* Complete but too long. */
    srv_linebuf_append(&lb, "0123456789A\n", 12);
    ck_assert_int_eq(srv_linebuf_next(&lb, &line, &len), SRV_LINE_TOO_LONG);
    srv_linebuf_free(&lb);
    /* Unterminated and growing past the limit: refused before the end. */
    srv_linebuf_init(&lb, 10);
    srv_linebuf_append(&lb, "0123456789ABCDEF", 16);
    ck_assert_int_eq(srv_linebuf_next(&lb, &line, &len), SRV_LINE_TOO_LONG);
    srv_linebuf_free(&lb);
}
END_TEST

/* Many lines in chunks of every size: the buffer moves what is left to its
 * front and grows, and every line comes out whole and in order. */
START_TEST(lines_many_chunks)
{
    srv_linebuf lb;
    srv_linebuf_init(&lb, 200);
    char all[600000];
    size_t n = 0;
    int want = 0;
    for (int i = 0; n + 200 < sizeof all; i++)
        n += (size_t)snprintf(all + n, sizeof all - n, "line %d %.*s\n", i, i % 150,
                              "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                              "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    uint64_t seed = 7;
    size_t off = 0;
    while (off < n) {
        size_t k = 1 + th_rand(&seed, 700);
        if (k > n - off)
            k = n - off;
        ck_assert_int_eq(srv_linebuf_append(&lb, all + off, k), 0);
        off += k;
        const char *line;
        size_t len;
        while (srv_linebuf_next(&lb, &line, &len) == SRV_LINE_OK) {
            char expect[256];
            int el = snprintf(expect, sizeof expect, "line %d %.*s", want, want % 150,
                              "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                              "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
            ck_assert_uint_eq(len, (size_t)el);
            ck_assert_int_eq(memcmp(line, expect, len), 0);
            want++;
        }
        /* what is held is never more than a line and a chunk */
        ck_assert_uint_le(srv_linebuf_pending(&lb), 200 + 2 + 700);
        ck_assert_uint_le(lb.in.cap, 4096); /* and the buffer stays small */
    }
    ck_assert_int_gt(want, 1000);
    ck_assert_uint_eq(srv_linebuf_pending(&lb), 0);
    srv_linebuf_free(&lb);
}
END_TEST

START_TEST(latency_percentiles)
{
    static srv_latency l;
    srv_latency_init(&l);
    ck_assert(srv_latency_percentile(&l, 50) == 0);
    for (int i = 100; i >= 1; i--)
        srv_latency_add(&l, i);
    ck_assert(srv_latency_percentile(&l, 50) == 50);
    ck_assert(srv_latency_percentile(&l, 99) == 99);
    ck_assert(srv_latency_percentile(&l, 100) == 100);
    /* The ring keeps the latest samples only. */
    for (int i = 0; i < SRV_LAT_SAMPLES; i++)
        srv_latency_add(&l, 7);
    ck_assert(srv_latency_percentile(&l, 99) == 7);
}
END_TEST

START_TEST(hostport)
{
    char h[64];
    int p;
    ck_assert_int_eq(srv_parse_hostport("127.0.0.1:7700", h, sizeof h, &p), 0);
    ck_assert_str_eq(h, "127.0.0.1");
    ck_assert_int_eq(p, 7700);
    ck_assert_int_eq(srv_parse_hostport("[::1]:0", h, sizeof h, &p), 0);
    ck_assert_str_eq(h, "::1");
    ck_assert_int_eq(p, 0);
    ck_assert_int_eq(srv_parse_hostport(":80", h, sizeof h, &p), 0);
    ck_assert_str_eq(h, "127.0.0.1");
    ck_assert_int_eq(srv_parse_hostport("host", h, sizeof h, &p), -1);
    ck_assert_int_eq(srv_parse_hostport("h:99999", h, sizeof h, &p), -1);
    ck_assert_int_eq(srv_parse_hostport("h:", h, sizeof h, &p), -1);
    ck_assert(srv_is_loopback("127.0.0.1"));
    ck_assert(srv_is_loopback("::1"));
    ck_assert(!srv_is_loopback("0.0.0.0"));
    ck_assert(!srv_is_loopback("192.168.1.2"));
}
END_TEST

/* A query from a client, as the access log writes it: a JSON string with
 * every control byte, newline, C1 control and line separator escaped, the
 * rest (accented letters) as it is, a byte that is not UTF-8 as \xHH. */
static void quoted(const char *in, size_t len, const char *want)
{
    txt_buf b = {0};
    ck_assert_int_eq(srv_log_quote(&b, in, len), 0);
    ck_assert_str_eq(b.p, want);
    txt_buf_free(&b);
}

START_TEST(log_quoting)
{
    quoted("permis", 6, "\"permis\"");
    quoted("a\nb\r\tc", 6, "\"a\\nb\\r\\tc\"");
    quoted("say \"hi\" \\", 10, "\"say \\\"hi\\\" \\\\\"");
    quoted("\033[31mred\007\177", 10, "\"\\u001b[31mred\\u0007\\u007f\"");
    quoted("\0x", 2, "\"\\u0000x\"");
    quoted("m\xc3\xa9" "decine", 9, "\"m\xc3\xa9" "decine\"");
    quoted("\xc2\x9b" "6n", 4, "\"\\u009b6n\"");             /* C1 CSI */
    quoted("a\xe2\x80\xa8" "b", 5, "\"a\\u2028b\"");         /* line separator */
    quoted("\xff\xc3(", 3, "\"\\xff\\xc3(\"");            /* not UTF-8 */
    quoted("\xed\xa0\x80", 3, "\"\\xed\\xa0\\x80\"");    /* a surrogate */
    quoted("\xf0\x9f\x98\x80", 4, "\"\xf0\x9f\x98\x80\"");
    quoted("\xe2\x80", 2, "\"\\xe2\\x80\"");              /* cut short */
}
END_TEST

/* Connections per address: counted up and down, an address forgotten at
 * 0, addresses apart. */
START_TEST(peers_counts)
{
    srv_peers t;
    srv_peers_init(&t);
    ck_assert_uint_eq(srv_peers_add(&t, "127.0.0.1"), 1);
    ck_assert_uint_eq(srv_peers_add(&t, "127.0.0.1"), 2);
    ck_assert_uint_eq(srv_peers_add(&t, "::1"), 1);
    char addr[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(addr, sizeof addr, "10.0.%d.%d", i / 256, i % 256);
        ck_assert_uint_eq(srv_peers_add(&t, addr), 1);
    }
    ck_assert_uint_eq(srv_peers_count(&t, "10.0.19.135"), 1);
    srv_peers_remove(&t, "127.0.0.1");
    ck_assert_uint_eq(srv_peers_count(&t, "127.0.0.1"), 1);
    srv_peers_remove(&t, "127.0.0.1");
    ck_assert_uint_eq(srv_peers_count(&t, "127.0.0.1"), 0);
    ck_assert_uint_eq(srv_peers_add(&t, "127.0.0.1"), 1);
    for (int i = 0; i < 5000; i += 2) {
        snprintf(addr, sizeof addr, "10.0.%d.%d", i / 256, i % 256);
        srv_peers_remove(&t, addr);
        ck_assert_uint_eq(srv_peers_count(&t, addr), 0);
    }
    ck_assert_uint_eq(srv_peers_count(&t, "10.0.19.135"), 1);
    ck_assert_uint_eq(srv_peers_count(&t, "::1"), 1);
    srv_peers_free(&t);
    ck_assert_uint_eq(srv_peers_count(&t, "::1"), 0);
}
END_TEST

/* A buffer that grew for one big line is freed once it is empty. */
START_TEST(lines_shrink)
{
    srv_linebuf lb;
    srv_linebuf_init(&lb, 1 << 20);
    char *big = malloc(100000);
    memset(big, 'a', 100000);
    big[99999] = '\n';
    ck_assert_int_eq(srv_linebuf_append(&lb, big, 100000), 0);
    srv_linebuf_shrink(&lb); /* not empty: kept */
    ck_assert_uint_eq(srv_linebuf_pending(&lb), 100000);
    const char *line;
    size_t len;
    ck_assert_int_eq(srv_linebuf_next(&lb, &line, &len), SRV_LINE_OK);
    ck_assert_uint_eq(len, 99999);
    srv_linebuf_shrink(&lb);
    ck_assert_uint_eq(lb.in.cap, 0);
    ck_assert_uint_eq(lb.max, 1u << 20);
    ck_assert_int_eq(srv_linebuf_append(&lb, "x\n", 2), 0);
    ck_assert_int_eq(srv_linebuf_next(&lb, &line, &len), SRV_LINE_OK);
    ck_assert_uint_eq(len, 1);
    srv_linebuf_free(&lb);
    free(big);
}
END_TEST

/* The open-file budget's share between TCP and the Unix socket: both as
 * configured when they fit; else each up to half, and what one does not
 * want goes to the other; never more than avail in all. */
START_TEST(fd_split_shares)
{
    unsigned t, u;
    srv_fd_split(3000, 1024, 1024, &t, &u);
    ck_assert_uint_eq(t, 1024);
    ck_assert_uint_eq(u, 1024);
    srv_fd_split(79, 1024, 1024, &t, &u);
    ck_assert_uint_eq(t, 39);
    ck_assert_uint_eq(u, 40);
    srv_fd_split(100, 10, 1024, &t, &u); /* TCP wants little: the rest to Unix */
    ck_assert_uint_eq(t, 10);
    ck_assert_uint_eq(u, 90);
    srv_fd_split(100, 1024, 5, &t, &u);
    ck_assert_uint_eq(t, 95);
    ck_assert_uint_eq(u, 5);
    srv_fd_split(100, 0, 1024, &t, &u); /* no TCP listener */
    ck_assert_uint_eq(t, 0);
    ck_assert_uint_eq(u, 100);
    srv_fd_split(2, 1024, 1024, &t, &u);
    ck_assert_uint_eq(t, 1);
    ck_assert_uint_eq(u, 1);
    for (unsigned long avail = 0; avail < 300; avail += 7)
        for (unsigned wt = 0; wt < 200; wt += 13)
            for (unsigned wu = 0; wu < 200; wu += 11) {
                srv_fd_split(avail, wt, wu, &t, &u);
                ck_assert(t <= wt && u <= wu);
                ck_assert(t + u <= avail);
                /* nothing left unused that one of them wants */
                ck_assert(t + u == avail || (t == wt && u == wu));
            }
}
END_TEST

/* The reserve grows with the workers, the databases of a stub and the
 * writer. */
START_TEST(fd_reserve_counts)
{
    unsigned one = srv_fd_reserve(10, 1, 1, 0);
    ck_assert_uint_gt(one, 10);
    ck_assert_uint_gt(srv_fd_reserve(10, 2, 1, 0), one);
    ck_assert_uint_gt(srv_fd_reserve(10, 1, 3, 0), one);
    ck_assert_uint_gt(srv_fd_reserve(10, 1, 1, 1), one);
    ck_assert_uint_eq(srv_fd_databases(NULL), 1);
    ck_assert_uint_ge(srv_fd_open_now(), 2); /* stdout and stderr at least */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("server-units");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, lines_split_anywhere);
    tcase_add_test(tc, lines_empty_and_nul);
    tcase_add_test(tc, lines_too_long);
    tcase_add_test(tc, lines_many_chunks);
    tcase_add_test(tc, latency_percentiles);
    tcase_add_test(tc, hostport);
    tcase_add_test(tc, log_quoting);
    tcase_add_test(tc, peers_counts);
    tcase_add_test(tc, lines_shrink);
    tcase_add_test(tc, fd_split_shares);
    tcase_add_test(tc, fd_reserve_counts);
    suite_add_tcase(s, tc);
    return th_run_suite(s, 0);
}
