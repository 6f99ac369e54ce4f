/* search-print.h: how socasma-search shows an answer object as text on
 * standard output: the hits (title, date, language, address, snippet with
 * its <mark>s in bold on a terminal), the counts, the database's and the
 * daemon's figures, the completions. Only socasma-search uses it; the
 * answer is borrowed, never changed or freed. */
#ifndef SOCASMA_SEARCH_PRINT_H
#define SOCASMA_SEARCH_PRINT_H

#include <jansson.h>

/* The string member k of the object o, or "" when o is not an object or
 * k is missing or not a string. Borrowed from o. */
const char *sp_str(const json_t *o, const char *k);

/* A search answer: the spelling note, the hits (from the answer's offset
 * on), the total and the time, the facets when asked. tty: bold titles and
 * marked words. */
void sp_print_human(const json_t *ans, int tty);

/* A stats answer: posts, revision, last index, the counts by language and
 * category, and through the daemon its uptime, requests and latency. */
void sp_print_stats(const json_t *ans);

/* A suggest answer: the completions one a line, then the titles. */
void sp_print_suggest(const json_t *ans);

#endif
