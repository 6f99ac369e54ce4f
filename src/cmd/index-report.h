/* index-report.h: what socasma-index prints about a run: messages with
 * what comes from the input escaped, the progress line and the rejected
 * records as the run reports them, why a run indexed nothing or refused a
 * --format, and the summary. Only socasma-index uses it; it prints on
 * standard output or standard error and never exits; one thread (the
 * store's reporter calls back in its caller's thread). */
#ifndef SOCASMA_INDEX_REPORT_H
#define SOCASMA_INDEX_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "import/import.h"
#include "store/store.h"

/* Writes s on f with what a terminal would act on escaped: control
 * characters (C0, DEL, C1) and bytes that are not UTF-8 become \xNN
 * (\u00NN for C1). Ids, titles and paths come from the input. */
void idx_put_safe(FILE *f, const char *s);

/* "socasma-index: " (when prefixed) + the escaped msg + newline, on
 * standard error. */
void idx_say(int prefixed, const char *msg);

/* Seconds on the monotonic clock. */
double idx_now_s(void);

/* The reporter's context, owned by the caller for the whole run. */
typedef struct {
    int tty; /* a progress line on standard error */
    double t0, last;
    char first_rejection[256]; /* the run's first "FILE:LINE: reason" */
} idx_report_state;

/* store_reporter callbacks (ctx: an idx_report_state): the progress line
 * (at most four a second, on a terminal only), a rejected record (said,
 * and kept when it is the first), an error that ends the run. */
void idx_on_progress(void *ctx, const store_progress *p);
void idx_on_rejected(void *ctx, const char *msg);
void idx_on_fatal(void *ctx, const char *msg);

/* Refuses a --format f that one of the n sources' content contradicts
 * (JSON under wxr, XML or HTML under jsonl), before anything is opened:
 * says which file looks like what, and what to do. 1 when refused, else 0. */
int idx_check_formats(imp_format f, char *const *paths, size_t n);

/* After a run that indexed nothing (every record rejected, or no record
 * read from files that are not exports): one line that says why, naming
 * what the first such file looks like (or the first rejection in rs).
 * 1 when said, 0 when the run is not such a run. */
int idx_explain_nothing(const store_run_result *res, const idx_report_state *rs, char *const *paths,
                        size_t n);

/* The run's summary on standard output: one JSON object when json, else
 * one line (prefixed "dry run: " when dry) unless quiet. */
void idx_summary(const store_run_result *res, double secs, int json, int quiet, int dry,
                 int timings);

#endif
