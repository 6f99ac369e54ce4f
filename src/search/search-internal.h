/* search-internal.h: what the files of src/search share (not public).
 * The engine (engine.c) owns the database handle and the analyser; the
 * query builder (query.c) turns text into an xc_query and remembers the
 * words for the highlighter (snippet.c) and the speller (spell.c).
 * Everything declared here has hidden visibility (the pragma below): the
 * srch_ names of this header are the module's own, those of search.h and
 * options.h its public ones. */
#ifndef SOCASMA_SEARCH_INTERNAL_H
#define SOCASMA_SEARCH_INTERNAL_H

#include <stddef.h>
#include <stdatomic.h>
#include <stdint.h>

#include "search/search.h"
#include "text/text.h"
#include "xapian-c/xapian-c.h"

#pragma GCC visibility push(hidden)

/* Bounds on the work one request may cause. */
#define SRCH_MAX_TERMS 64      /* query words used (the rest is ignored) */
#define SRCH_MAX_NGRAM 5       /* longest glossary key looked up, in words */
#define SRCH_MIN_WILDCARD 3    /* shorter wildcard prefixes are taken literally */
#define SRCH_MAX_OFFSET 10000  /* offset + limit at most this */
#define SRCH_WILDCARD_SCAN 100000 /* a wildcard prefix of more words is too_complex */
#define SRCH_BOOST_WEIGHT 0.1  /* the proximity bonus: a tenth of its weight (engine.c, rerank) */
#define SRCH_RERANK_DEPTH 30   /* the proximity bonus reorders this many best hits
                                * (at most SRCH_RERANK_MAX) */
#define SRCH_RERANK_MAX 100
#define SRCH_MIN_QUESTION 4    /* plain words from which a query is a question
                                  (its unknown words are corrected) ... */
#define SRCH_MAX_CORRECTIONS 2 /* ... when it has at most this many */

/* Ranking constants (doc/QUERY.md, "How results are ranked"). */
#define SRCH_STEM_EXTEND 7     /* stems of this many bytes or more also match
                                  the stems that extend them ... */
#define SRCH_STEM_EXTENSIONS 10 /* ... at most this many, the most frequent */
#define SRCH_LANG_BONUS 5.0    /* weight of a post in the query's language */
#define SRCH_NAME_WEIGHT 1.5   /* weight of a capitalised word (a name) inside
                                  a question, the other words weighing 1 */
#define SRCH_FEEDBACK_DOCS 10  /* pseudo-relevance feedback for questions: the
                                  stored words of this many best hits ... */
#define SRCH_FEEDBACK_TERMS 6  /* ... give this many words ... */
#define SRCH_FEEDBACK_CANDS 24 /* ... of this many, the most promising */
#define SRCH_FEEDBACK_WEIGHT 0.05 /* ... weighed so (BM25 times this), that
                                  reorder those hits */
#define SRCH_ANSWER_BONUS 4.0  /* weight a best hit of a question asking for a
                                  date (a name) gets when it writes a year (a
                                  naming word) ... */
#define SRCH_ANSWER_WINDOW 5   /* ... within this many words of a word of the
                                  question (answer.c) */
#define SRCH_ANSWER_ANCHORS 16 /* years (naming words) of a hit looked at, at most */
#define SRCH_ANSWER_OPENING 3  /* "quand", "when" ask for a date among the
                                  first this many words */
#define SRCH_ANSWER_CUE_TEXT 1024 /* longer texts are no questions */
#define SRCH_JOIN_MAX 3        /* adjacent query words joined into one at most */
#define SRCH_SPLIT_MIN 5       /* letters of an unknown word tried as two words ... */
#define SRCH_SPLIT_PART 2      /* ... each of at least this many */
#define SRCH_JOIN_WEIGHT 0.5   /* weight of a join or a split, the words as typed
                                  weighing 1 */
#define SRCH_ORDINAL_FORMS 8   /* other spellings of an ordinal, at most ... */
#define SRCH_ORDINAL_FORM 16   /* ... each shorter than this (with its NUL) */

/* A slot of the memo of term frequencies (termfreq.c). */
#define SRCH_TF_TERM 55     /* terms of this length or longer are not kept */
#define SRCH_TF_SLOTS 2048  /* a power of two */
typedef struct {
    uint32_t gen;           /* the memo's generation it was written in */
    uint32_t freq;
    uint8_t len;            /* the term's length */
    char term[SRCH_TF_TERM];
} srch_tf_slot;

/* A slot of the memo of match counts (totals.c). */
#define SRCH_TOTAL_SLOTS 4096 /* a power of two */
typedef struct srch_total_slot srch_total_slot;

/* A shard of an engine over several databases (shards.c). */
#define SRCH_MAX_SHARDS 64
#define SRCH_SHARD_RETRY_MS 1000 /* a missing shard is tried again after
                                    this, then twice as long each time ... */
#define SRCH_SHARD_RETRY_MAX_MS 8000 /* ... up to this */
typedef struct {
    char *label;             /* "shard N" or "remote HOST:PORT": for answers */
    char *path;              /* a local shard's directory (NULL: remote) */
    char *host;              /* a remote shard's host (NULL: local) */
    unsigned port;
    xc_db *db;               /* NULL: missing (did not open or answer) */
    double retry_at;         /* when a missing shard is tried again */
    unsigned backoff_ms;     /* the wait before that try */
    uint64_t dev, ino;       /* a local shard's directory opened */
    int known;
} srch_shard;

struct srch_engine {
    char *db_path;
    srch_options opt;        /* the settings (a copy) */
    xc_db *db;               /* NULL while the database cannot be opened;
                                with shards, the group of those open */
    srch_shard *shards;      /* db_path is a stub file: its shards (else NULL) */
    size_t nshards, nmissing;
    uint64_t stub_mtime;     /* the stub file's, when read (ns) */
    txt_analyser *an;
    double last_reopen;      /* monotonic seconds of the last open/reopen */
    uint64_t sync_gen;       /* the last writer generation srch_engine_sync() gave */
    uint64_t dir_dev, dir_ino; /* the database directory opened (see ready()) */
    uint64_t dir_stub;         /* its stub XAPIANDB's inode, 0: none (a replica's) */
    int dir_known;             /* 1: dir_dev and dir_ino were read */
    double lost_since;         /* monotonic seconds since nothing that opens is
                                  at the path while db goes on answering (0:
                                  not so; see switch_database()) */
    unsigned reopen_ms;
    unsigned rerank_depth;   /* SRCH_RERANK_DEPTH (tests change it) */
    unsigned feedback_docs;  /* SRCH_FEEDBACK_DOCS (tests set 0: no feedback) */
    srch_timings t;          /* time per phase (srch_engine_timings) */
    struct srch_speller *speller; /* index of the spelling table (NULL: not read yet) */
    uint64_t speller_rev; /* the revision it was read at (spell.c) */
    srch_tf_slot *tf;        /* memo of term frequencies (NULL: empty) */
    uint64_t tf_revision;    /* the revision it holds */
    uint32_t tf_gen;         /* its slots of other generations are empty */
    struct srch_fb *fb;      /* the feedback's work space (feedback.c; NULL: not
                                yet needed), about 50 KB */
    srch_total_slot *totals; /* memo of match counts (NULL: empty) */
    uint64_t totals_revision;
    uint64_t totals_clock;   /* counts written, to replace the older of two */
    uint32_t totals_gen;
    /* the request's budget (srch_watch) */
    double deadline;         /* the thread's processor time (seconds) when its
                                matches stop (0: never) */
    const atomic_int *cancel; /* set by the caller when the client has gone */
    void (*retry_hook)(void *); /* srch_engine_set_retry_hook, or NULL */
    int parse_rc;         /* srch_parse's SRCH_ERR_UNAVAILABLE: the xc status
                             of the read that failed (retried as the match's) */
    void *retry_arg;
    int stopped;             /* 0, or why a match of this request was ended */
    /* the live delta (delta.c) */
    int delta_open;          /* db is the main database and DIR/live as one */
    uint64_t delta_ino;      /* then the inode of the directory DIR/live */
    uint64_t delta_rev;      /* db's revision delta_hide was made for
                                (UINT64_MAX: none) */
    xc_query *delta_hide;    /* what every match leaves out (NULL: nothing) */
    uint32_t delta_hidden;   /* documents it hides */
    /* The delta's ids at the last refresh, in term order, each with the
     * main database's frequency of it (main_rev): a refresh after a
     * commit of the delta looks up only the new ones, and keeps
     * delta_hide when the hidden ones are the same (compared id by id,
     * with whether it hid tombstones: delta_hide_dead). */
    struct srch_delta_id *delta_ids;
    size_t delta_nids;
    uint64_t delta_main_rev;
    int delta_hide_dead;
    /* With a remote shard, the match's hits during run(): the rerank
       finds them by their collapse keys, and the feedback's words, the
       answer cues and the page read each document once from the mset
       (srch_hit_doc), a round trip each. NULL: none. */
    xc_mset *hits_ms;
    const uint32_t *hits_ids; /* their docids, in the mset's order */
    uint32_t hits_n;
    char err[512];
};

#define SRCH_STOP_TIME 1
#define SRCH_STOP_CANCEL 2

/* Makes the matches of enq end at the request's deadline or when its
 * client has gone (xc_enquire_set_stop); e->stopped then says why. An xc
 * status. Every enquire of a request is watched. */
int srch_watch(srch_engine *e, xc_enquire *enq);

/* A word of the query, as the highlighter and the speller need it. */
typedef struct {
    char *word;              /* folded word */
    char *stems[TXT_MAX_STEMS + 2]; /* prefixed stems (ZE..., ZF...), with the
                                        verb a French -ent plural is also taken as */
    unsigned nstems;
    size_t start, end;       /* bytes of the word in the query text */
    int plain;               /* 1: an ordinary word (spelling applies) */
    int prefix;              /* 1: a wildcard prefix (matches words starting so) */
    int extend;              /* 1: its long stems also match the stems extending them */
    int added;               /* 1: not typed but searched too (a glossary synonym, a
                                correction, a join or split of typed words): only
                                highlighted */
} srch_word;

typedef struct {
    xc_query *query;         /* NULL: nothing to search for (filters only, or empty) */
    xc_query *filter;        /* boolean filters from the query text (NULL: none) */
    xc_query *boost;         /* proximity bonus (times SRCH_BOOST_WEIGHT), weighed on the best hits of query
                              * only (see engine.c, rerank); NULL: none */
    srch_word *words;
    size_t nwords, capwords;
    int has_text;            /* the text gave at least one searchable item */
    int complex;             /* operators, +/-, parentheses or title: were used */
    txt_lang lang;           /* the words' analysis language (NONE: both) */
    int cue;                 /* the kind of answer a question asks for
                                (SRCH_ANSWER_*, answer.c) */
} srch_parsed;

/* Parses q into p (see doc/QUERY.md). lang: analysis language (NONE: both).
 * Never fails on bad syntax (falls back to plain words); returns SRCH_OK or
 * SRCH_ERR_INTERNAL (out of memory, with a message in e->err). */
/* SRCH_ERR_UNAVAILABLE: a read of the database failed, e->parse_rc says how
 * (XC_ERR_MODIFIED: try again after a reopen, as a failed match). */
int srch_parse(srch_engine *e, const char *q, size_t len, txt_lang lang, srch_parsed *p);
void srch_parsed_free(srch_parsed *p);

/* The value-range query of dates [since, until] ("YYYY", "YYYY-MM",
 * "YYYY-MM-DD"; NULL for open), or SRCH_ERR_BAD_REQUEST for a bad date. */
int srch_date_range(const char *since, const char *until, xc_query **out);
/* Expands a date to YYYYMMDD (hi: the last day it covers). 0 on success. */
int srch_date_expand(const char *s, size_t len, int hi, char out[9]);

/* A hit's stored data (docdata.c): the fields of the JSON object without
 * its body, and the body still JSON-escaped. */
typedef struct {
    json_t *fields;       /* the object without "body" (NULL if not JSON) */
    const char *body;     /* into the data: the body's characters, escaped */
    size_t body_len;
    int body_plain;       /* 1: body is already decoded (a blob of another shape) */
} srch_docdata;
/* The stored record of a document (store/schema.h): the value in
 * SCH_SLOT_RECORD, or the document data in a database of schema 1. Points
 * into doc. Returns an xc status. */
int srch_record(xc_doc *doc, const char **data, size_t *len);
/* Document docid of the database (an xc status; *out freed by the
 * caller): through the match's hits when there are (e->hits_ms: read
 * once for all its readers), else read. */
int srch_hit_doc(srch_engine *e, uint32_t docid, xc_doc **out);
/* Parses data (which must outlive out): 0, or -1 when out of memory. */
int srch_docdata_parse(const char *data, size_t len, srch_docdata *out);
void srch_docdata_free(srch_docdata *d);
/* The first max bytes (or a few more, to end a character) of the body,
 * decoded, NUL-terminated, malloc'ed; NULL when there is none. */
char *srch_docdata_body(const srch_docdata *d, size_t max, size_t *len);

/* Only the first SRCH_SNIPPET_SCAN bytes of a body are read for snippets. */
#define SRCH_SNIPPET_SCAN 24000

/* The highlighter of one parsed query: its keys and a memo of the words
 * already analysed, shared by the hits of the query (snippet.c). */
typedef struct srch_snipper srch_snipper;
/* Makes the highlighter of p (which must outlive it); 0, or -1 when out of
 * memory (*out NULL). */
int srch_snipper_new(srch_engine *e, const srch_parsed *p, srch_snipper **out);
void srch_snipper_free(srch_snipper *sp);
/* The snippet of about nwords words of text for the query: HTML-escaped,
 * matches in <mark>. malloc'ed; NULL when out of memory. */
char *srch_snippet(srch_snipper *sp, const char *text, size_t len, txt_lang lang,
                   unsigned nwords);

/* The whole of a short text (a hit's title), HTML-escaped, its matches in
 * <mark> as in snippets; only the first SRCH_HIGHLIGHT_MAX bytes are
 * searched for matches. malloc'ed; NULL when out of memory. */
#define SRCH_HIGHLIGHT_MAX 4096
char *srch_highlight(srch_snipper *sp, const char *text, size_t len, txt_lang lang);

/* A spelling suggestion for q (malloc'ed), or NULL when every word is
 * known or nothing better is found. When a word's nearest corrections in
 * English and in French are equally close, the suggestion has the one more
 * posts hold, and *search (malloc'ed) the text to search instead of the
 * suggestion when the query has no hits: both corrections; else *search is
 * NULL. */
char *srch_spelling(srch_engine *e, const char *q, const srch_parsed *p, char **search);

/* The correction of a word (as typed, lower-case): the nearest word of the
 * spelling table (speller.c), in *best; when the query's language (lang) is
 * unknown and the nearest word is in one language and another as near,
 * folding differently, is in the other, the one more posts hold in *best
 * and the other in *other (else NULL). With
 * w, only corrections worth suggesting for w count (not the word itself,
 * nor another form of it, nor a stopword). Both malloc'ed; 0, -1 when
 * the table has no word near, 1 when its nearest is not worth suggesting
 * (then no correction either). */
int srch_correct(srch_engine *e, const char *word, txt_lang lang, const srch_word *w, char **best,
                 char **other);

/* The in-memory index of the spelling table (speller.c). */
typedef struct srch_speller srch_speller;
/* Reads the spelling table of db into a new index: an xc status. */
int srch_speller_new(xc_db *db, srch_speller **out);
void srch_speller_free(srch_speller *sp);
/* The database revision the index was read at. */
uint64_t srch_speller_revision(const srch_speller *sp);
/* The nearest word of the table within max_edit edits (the most frequent
 * among equals), or NULL (none, or word itself is more frequent). The
 * string belongs to the index. */
const char *srch_speller_nearest(srch_speller *sp, const char *word, unsigned max_edit);
/* The words of the table nearest to word within max_edit edits, all at the
 * same distance, most frequent first, at most max (and SRCH_SPELL_TIES) in
 * out: their number, 0 as srch_speller_nearest gives NULL. */
#define SRCH_SPELL_TIES 8
size_t srch_speller_nearest_all(srch_speller *sp, const char *word, unsigned max_edit,
                                const char **out, size_t max);
/* The most frequent word of the table that folds to folded, when it is
 * not raw (the word as typed) and more frequent than raw, or NULL.
 * Belongs to the index. */
const char *srch_speller_accented(const srch_speller *sp, const char *folded, const char *raw);

/* How often the archive writes the word that folds to folded (the most
 * frequent spelling: "medecine" counts "médecine"), 0 when it never does.
 * An in-memory lookup, for the joins and splits of query words. */
uint32_t srch_speller_freq(const srch_speller *sp, const char *folded);

/* The engine's index of its database's spelling table, read again after a
 * new revision (spell.c); NULL when it cannot be read. Belongs to e. */
srch_speller *srch_engine_speller(srch_engine *e);

/* The number of documents indexing term, from the engine's memo (read
 * from the database on a miss): an xc status. */
int srch_termfreq(srch_engine *e, const char *term, size_t len, uint32_t *freq);
/* Empties the memo (the database was opened or reopened). */
void srch_termfreq_clear(srch_engine *e);
/* Frees the memo (with the engine). */
void srch_termfreq_free(srch_engine *e);

/* The number of documents q matches (engine.c): exact when at most check
 * (*exact 1), else Xapian's estimate. An xc status. */
int srch_count(srch_engine *e, const xc_query *q, uint32_t check, uint32_t *total, int *exact);

/* The memo of match counts (totals.c): a key is two 64-bit hashes of the
 * parts fed to srch_totals_key, which start from SRCH_TOTALS_HASH_INIT. */
typedef struct {
    uint64_t k[2];
} srch_totals_hash;
#define SRCH_TOTALS_HASH_INIT {{1469598103934665603u, 14695981039346656037u}}
void srch_totals_key(srch_totals_hash *h, const char *s, size_t n);
/* 1 with *total and *exact when the memo holds the count of key made with
 * check (exact_total), else 0. */
int srch_totals_get(srch_engine *e, const uint64_t key[2], uint32_t check, uint32_t *total,
                    int *exact);
void srch_totals_put(srch_engine *e, const uint64_t key[2], uint32_t check, uint32_t total,
                     int exact);
/* Empties the memo (the database was opened or reopened to a new state). */
void srch_totals_clear(srch_engine *e);
/* Frees the memo (with the engine). */
void srch_totals_free(srch_engine *e);

/* The pseudo-relevance feedback of the question p (feedback.c): adds to
 * bonus[i] (the caller zeroes it) the weight that hit ids[i] of its best
 * hits ids[0..n) (the best first; only the first SRCH_FEEDBACK_DOCS are
 * read) gets from the SRCH_FEEDBACK_TERMS best words that two of them or
 * more store (SCH_SLOT_WORDS) and that are not the question's, for the
 * engine to reorder them. Nothing when p has no query or n < 2. Returns
 * an xc status (the database is read). */
int srch_feedback(srch_engine *e, const srch_parsed *p, const uint32_t *ids, size_t n,
                  double *bonus);
/* Frees the feedback's work space (with the engine). */
void srch_feedback_free(srch_engine *e);

/* Answer-type cues (answer.c). */
#define SRCH_ANSWER_NONE 0
#define SRCH_ANSWER_DATE 1 /* "quand", "en quelle année", "when", "what year" */
#define SRCH_ANSWER_NAME 2 /* "quel est l'autre nom de", "what is the name of" */
/* The kind of answer the question text[0..len) asks for, told from its
 * words analysed in lang (NONE: both): SRCH_ANSWER_DATE when "quand" or
 * "when" is among its first SRCH_ANSWER_OPENING words or it names a
 * "date", an "année" or a "year"; else SRCH_ANSWER_NAME when it names a
 * "nom", a "surnom" or a "name"; else (or when the analyser fails: the
 * cue is only a hint) SRCH_ANSWER_NONE. */
int srch_answer_cue(srch_engine *e, const char *text, size_t len, txt_lang lang);
/* Adds SRCH_ANSWER_BONUS to bonus[i] for each hit ids[i] of ids[0..n)
 * whose stored body (its first SRCH_SNIPPET_SCAN bytes) answers p's cue:
 * for a date, a year within SRCH_ANSWER_WINDOW words of a typed word of
 * the question; for a name, a naming word ("appelé", "surnommé", "named")
 * so (at most SRCH_ANSWER_ANCHORS years or naming words read per hit). Nothing
 * when p has no cue. Returns an xc status (the documents are read;
 * XC_ERR_NOMEM when out of memory). */
int srch_answer(srch_engine *e, const srch_parsed *p, const uint32_t *ids, size_t n,
                double *bonus);
/* Ordinals (ordinal.c). The other spellings of the folded word w[0..len)
 * when it is an ordinal number from 1 to 16 or 20, in digits ("7e",
 * "7eme", "1er", "2nd", "4th") or in letters ("septieme", "premiere",
 * "fourth"): the digit forms and words of its language(s), folded, w
 * itself left out, at most SRCH_ORDINAL_FORMS into out; their number (0
 * for any other word). Pure: no allocation, any thread. */
size_t srch_ordinal_forms(const char *w, size_t len, char out[][SRCH_ORDINAL_FORM]);
/* Shards (shards.c). 1 if path is a regular file: a Xapian stub file
 * that lists the shards. */
int srch_is_stub(const char *path);
/* Reads the stub e->db_path, opens each shard and makes e->db their
 * group: SRCH_OK (some shards may be missing: e->nmissing), or
 * SRCH_ERR_UNAVAILABLE (a bad line, FILE:LINE in e->err; no shard). */
int srch_shards_open(srch_engine *e, double now);
/* At a reopen or after a failure (lost 1: each shard is asked whether it
 * still answers): drops shards that do not answer, tries the missing ones
 * whose time has come, opens afresh a local shard replaced at its path,
 * and makes the group again if that changed anything. SRCH_OK, or
 * SRCH_ERR_UNAVAILABLE when no shard answers. */
int srch_shards_refresh(srch_engine *e, int lost, double now);
/* After a failure whose message (Xapian's, with its context) says that a
 * remote shard did not answer in time (shard_timeout): that shard is left
 * out (tried again later, as one that failed to open), so that the
 * request's next try runs without it rather than wait for it again (a
 * shard busy with a costly match answers a new connection at once, then
 * is as slow again). 1 if a shard was so left out, else 0. */
int srch_shards_timed_out(srch_engine *e, const char *message, double now);
/* Closes the group and every shard. */
void srch_shards_close(srch_engine *e);
/* The labels of the missing shards (a new JSON array), or NULL if none. */
json_t *srch_shards_missing(const srch_engine *e);

/* Monotonic time in seconds. */
double srch_now(void);

#pragma GCC visibility pop

/* ---- delta.c: the live delta (store.h, LIVE DELTA) ---------------------- */

/* Opens the database at path, with DIR/live when it holds a database (one
 * group, part 1 the delta): *has_delta says which, and *delta_ino is then
 * the inode of the directory DIR/live. XC_ERR_MODIFIED when DIR/live was
 * replaced during the open. An xc status. */
int srch_delta_open(const char *path, xc_db **out, int *has_delta, uint64_t *delta_ino);
/* 1 if DIR/live appeared, went, or was replaced by another directory since
 * e->db was opened (two stats). */
int srch_delta_moved(const srch_engine *e);
/* After an open or a reopen: what the delta hides, read again when the
 * revision changed. An xc status. */
int srch_delta_refresh(srch_engine *e);
/* Forgets it (a database closed or replaced). */
void srch_delta_clear(srch_engine *e);
/* q without what the delta hides, in *out (NULL when nothing is hidden:
 * use q). An xc status. */
int srch_delta_wrap(const srch_engine *e, const xc_query *q, xc_query **out);
/* The number of documents of e->db that are not posts (hidden copies and
 * tombstones). */
uint32_t srch_delta_hidden(const srch_engine *e);

#endif /* SOCASMA_SEARCH_INTERNAL_H */
