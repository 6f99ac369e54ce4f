/* index-report.c: what socasma-index prints about a run (see
 * index-report.h): escaped messages, the progress line and the rejected
 * records, why a --format is refused or a run indexed nothing, and the
 * summary. */
#include <config.h>

#include <stdio.h>
#include <time.h>

#include "cmd/cmd-util.h"
#include "cmd/index-report.h"

/* ---- printing ------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at p (1 to 4), or 0. */
static size_t utf8_seq(const unsigned char *p)
{
    unsigned c = p[0];
    size_t n = c < 0x80                 ? 1
               : c >= 0xc2 && c <= 0xdf ? 2
               : c >= 0xe0 && c <= 0xef ? 3
               : c >= 0xf0 && c <= 0xf4 ? 4
                                        : 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f) || (c == 0xf0 && p[1] < 0x90) ||
        (c == 0xf4 && p[1] > 0x8f))
        return 0; /* overlong, surrogate, beyond U+10FFFF */
    return n;
}

void idx_put_safe(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t n = utf8_seq(p);
        if (n == 1 && *p >= 0x20 && *p != 0x7f) {
            fputc(*p, f);
        } else if (n == 2 && p[0] == 0xc2 && p[1] < 0xa0) {
            fprintf(f, "\\u00%02x", p[1]);
        } else if (n > 1) {
            fwrite(p, 1, n, f);
        } else {
            fprintf(f, "\\x%02x", *p);
            n = 1;
        }
        p += n;
    }
}

void idx_say(int prefixed, const char *msg)
{
    if (prefixed)
        fputs("socasma-index: ", stderr);
    idx_put_safe(stderr, msg);
    fputc('\n', stderr);
}

double idx_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the run's reporter ---------------------------------------------------- */

void idx_on_progress(void *ctx, const store_progress *p)
{
    idx_report_state *rs = ctx;
    if (!rs->tty)
        return;
    double t = idx_now_s();
    if (!p->final && t - rs->last < 0.25)
        return;
    rs->last = t;
    double el = t - rs->t0;
    double rate = el > 0 ? (double)p->read / el : 0;
    if (p->bytes_total > 0 && p->bytes_done <= p->bytes_total) {
        double pct = 100.0 * (double)p->bytes_done / (double)p->bytes_total;
        double eta = p->bytes_done > 0
                         ? el * (double)(p->bytes_total - p->bytes_done) / (double)p->bytes_done
                         : 0;
        fprintf(stderr, "\r%llu posts, %.0f posts/s, %.1f%%, ETA %.0f s   ",
                (unsigned long long)p->read, rate, pct, eta);
    } else {
        fprintf(stderr, "\r%llu posts, %.0f posts/s   ", (unsigned long long)p->read, rate);
    }
    if (p->final)
        fputc('\n', stderr);
    fflush(stderr);
}

void idx_on_rejected(void *ctx, const char *msg)
{
    idx_report_state *rs = ctx;
    if (!rs->first_rejection[0])
        snprintf(rs->first_rejection, sizeof rs->first_rejection, "%s", msg);
    idx_say(0, msg);
}

void idx_on_fatal(void *ctx, const char *msg)
{
    (void)ctx;
    idx_say(1, msg);
}

/* ---- what the sources look like ---------------------------------------------- */

/* 1 when what a file looks like contradicts the format it is read as:
 * JSON under --format wxr, XML (or HTML) under --format jsonl. */
static int contradicts(imp_format f, cmd_looks l)
{
    if (f == IMP_FORMAT_WXR)
        return l == CMD_LOOKS_JSONL || l == CMD_LOOKS_JSON;
    if (f == IMP_FORMAT_JSONL)
        return l == CMD_LOOKS_WXR || l == CMD_LOOKS_XML || l == CMD_LOOKS_HTML;
    return 0;
}

/* Such a file would give nothing but rejections. */
int idx_check_formats(imp_format f, char *const *paths, size_t n)
{
    int ret = 0;
    for (size_t i = 0; i < n; i++) {
        cmd_looks l = cmd_file_looks(paths[i]);
        if (!contradicts(f, l))
            continue;
        fputs("socasma-index: ", stderr);
        idx_put_safe(stderr, paths[i]);
        fprintf(stderr, " looks like %s, not %s as --format %s says\n", cmd_looks_name(l),
                f == IMP_FORMAT_WXR ? "a WordPress export (WXR)" : "JSON Lines",
                f == IMP_FORMAT_WXR ? "wxr" : "jsonl");
        ret = 1;
    }
    if (ret)
        fprintf(stderr, "socasma-index: leave --format out (each file's format is then read "
                        "from its content), or give the right one\n");
    return ret;
}

int idx_explain_nothing(const store_run_result *res, const idx_report_state *rs, char *const *paths,
                        size_t n)
{
    int all_rejected = res->read > 0 && res->counts.rejected == res->read;
    if (!all_rejected && res->read > 0)
        return 0;
    const char *odd = NULL;
    cmd_looks odd_looks = CMD_LOOKS_UNKNOWN;
    size_t nodd = 0;
    for (size_t i = 0; i < n; i++) {
        cmd_looks l = cmd_file_looks(paths[i]);
        if (l != CMD_LOOKS_UNKNOWN && l != CMD_LOOKS_JSONL && l != CMD_LOOKS_WXR) {
            if (!odd) {
                odd = paths[i];
                odd_looks = l;
            }
            nodd++;
        }
    }
    if (!all_rejected && !(res->read == 0 && odd))
        return 0;
    fputs("socasma-index: nothing indexed: ", stderr);
    if (all_rejected)
        fprintf(stderr, "every record was rejected (%llu of %llu)",
                (unsigned long long)res->counts.rejected, (unsigned long long)res->read);
    else
        fputs("no record was found", stderr);
    if (odd) {
        fputs("; ", stderr);
        idx_put_safe(stderr, odd);
        fprintf(stderr, " looks like %s, not JSON Lines nor a WordPress export",
                cmd_looks_name(odd_looks));
        if (nodd > 1)
            fprintf(stderr, " (and %zu more files)", nodd - 1);
    } else if (rs->first_rejection[0]) {
        fputs("; the first: ", stderr);
        idx_put_safe(stderr, rs->first_rejection);
    }
    fputc('\n', stderr);
    return 1;
}

/* ---- the summary ----------------------------------------------------------- */

void idx_summary(const store_run_result *res, double secs, int json, int quiet, int dry,
                 int timings)
{
    const store_counts *c = &res->counts;
    const store_timings *t = &res->timings;
    if (json) {
        printf("{\"read\":%llu,\"added\":%llu,\"updated\":%llu,\"unchanged\":%llu,"
               "\"deleted\":%llu,\"rejected\":%llu,\"glossary\":\"%s\",\"seconds\":%.3f",
               (unsigned long long)res->read, (unsigned long long)c->added,
               (unsigned long long)c->updated, (unsigned long long)c->unchanged,
               (unsigned long long)c->deleted, (unsigned long long)c->rejected,
               res->glossary_changed ? "changed" : "unchanged", secs);
        if (timings)
            printf(",\"timings\":{\"wall\":{\"build\":%.3f,\"merge\":%.3f,\"commit\":%.3f},"
                   "\"cpu\":{\"read\":%.3f,\"analyse\":%.3f,\"add\":%.3f,\"flush\":%.3f,"
                   "\"merge\":%.3f}}",
                   t->wall_build, t->wall_merge, t->wall_commit, t->cpu_read, t->cpu_analyse,
                   t->cpu_add, t->cpu_flush, t->cpu_merge);
        printf("}\n");
    } else if (!quiet) {
        printf("%sread %llu, added %llu, updated %llu, unchanged %llu, deleted %llu, "
               "rejected %llu, %s%.2f s, %.0f posts/s\n",
               dry ? "dry run: " : "", (unsigned long long)res->read, (unsigned long long)c->added,
               (unsigned long long)c->updated, (unsigned long long)c->unchanged,
               (unsigned long long)c->deleted, (unsigned long long)c->rejected,
               res->glossary_changed ? "glossary changed, " : "", secs,
               secs > 0 ? (double)res->read / secs : 0);
    }
    if (timings && !json)
        printf("timings: wall build %.2f s, merge %.2f s, commit %.2f s; cpu read %.2f s, "
               "analyse %.2f s, add %.2f s, flush %.2f s, merge %.2f s\n",
               t->wall_build, t->wall_merge, t->wall_commit, t->cpu_read, t->cpu_analyse,
               t->cpu_add, t->cpu_flush, t->cpu_merge);
}
