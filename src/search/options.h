/* options.h: the settings of a search engine (srch_options) and their
 * defaults, written once here: srch_options_init() sets them, and the
 * config file's table of keys (src/conf/conf.c) names these macros as the
 * defaults of its [search] keys. A header of its own, without jansson, so
 * that conf/ can hold a srch_options in cfg_config: the programs (cmd/,
 * and server/ on a reload) hand that to srch_engine_new(). */
#ifndef SOCASMA_SEARCH_OPTIONS_H
#define SOCASMA_SEARCH_OPTIONS_H

#ifdef __cplusplus
extern "C" {
#endif

#define SRCH_DEFAULT_SNIPPET_WORDS 30
#define SRCH_DEFAULT_MAX_LIMIT 100
#define SRCH_DEFAULT_DEFAULT_LIMIT 10
#define SRCH_DEFAULT_WILDCARD_MAX 100
#define SRCH_DEFAULT_MAX_QUERY 1024
#define SRCH_DEFAULT_BM25_K1 1.2
#define SRCH_DEFAULT_BM25_B 0.75
#define SRCH_DEFAULT_EXACT_TOTAL 10000
#define SRCH_DEFAULT_QUERY_TIME_LIMIT 250
#define SRCH_DEFAULT_WILDCARD_TOTAL 1000
#define SRCH_DEFAULT_MAX_QUERY_COST 5000000
#define SRCH_DEFAULT_SHARD_TIMEOUT 1000

/* The values are used as they are: the config file bounds them
 * (conf/socasma-search.conf.in gives the ranges). */
typedef struct {
    unsigned snippet_words;   /* words of a hit's snippet when the request
                                 does not say */
    unsigned max_limit;       /* hits per page at most, whatever is asked */
    unsigned default_limit;   /* hits per page when the request does not say
                                 (at most max_limit) */
    unsigned wildcard_max;    /* terms a trailing '*' expands to, at most */
    unsigned max_query_bytes; /* a longer query text is cut */
    double bm25_k1;           /* BM25: how much a repeated word counts */
    double bm25_b;            /* BM25: how much a long post is lowered */
    unsigned exact_total;     /* a search counts its matches exactly up to
                                 this many; above, Xapian's estimate
                                 ("total_exact":false); 0: always the estimate */
    unsigned query_time_limit; /* milliseconds of processor time (of the
                                  thread that runs it) a search or suggest
                                  may take: then its matches end, and it
                                  answers the hits found so far
                                  ("partial":true), or "timeout"; 0: none */
    unsigned wildcard_total;  /* terms all the wildcards of one query expand
                                 to, at most; more: "too_complex" */
    unsigned max_query_cost;  /* postings the wildcards of one query may read
                                 (their terms' document counts summed), at
                                 most; more: "too_complex" (0: no bound) */
    unsigned shard_timeout;   /* milliseconds a remote shard may take to
                                 connect or to answer one read; then the
                                 answer leaves it out ("missing_shards") */
} srch_options;

/* Sets every field to its default (SRCH_DEFAULT_*). */
void srch_options_init(srch_options *o);

#ifdef __cplusplus
}
#endif

#endif /* SOCASMA_SEARCH_OPTIONS_H */
