/* schema.h: how a post is laid out in the Xapian database. The indexer
 * (store/) writes this layout and the search (search/) reads it; both include
 * this one header so they cannot drift apart.
 *
 * Terms are made of a prefix (capital letters) and a lower-case body: the
 * analyser's folded words and stems, or txt_normalise()d filter values, so a
 * prefix never runs into its body.
 */
#ifndef SOCASMA_SCHEMA_H
#define SOCASMA_SCHEMA_H

#include "text/text.h"

/* Bump when the layout changes: the indexer then rebuilds every post. */
#define SCH_VERSION "3"

/* ---- free-text terms (title and body) ---------------------------------- */
#define SCH_WORD ""          /* folded unstemmed word, with positions */
#define SCH_STEM_EN "ZE"     /* English stem, no positions */
#define SCH_STEM_FR "ZF"     /* French stem, no positions */
/* Title terms again, under their own prefixes, for title: queries and for
 * weighting the title above the body. */
#define SCH_TITLE_WORD "S"     /* folded title word, with positions */
#define SCH_TITLE_STEM_EN "ZSE"
#define SCH_TITLE_STEM_FR "ZSF"

/* The prefix of a stem of language lang (title: of a title stem); NULL for
 * TXT_LANG_NONE (the analyser's stems always have a language). The one
 * place the indexer and the query builder take it from. */
static inline const char *store_stem_prefix(txt_lang lang, int title)
{
    if (lang == TXT_LANG_EN)
        return title ? SCH_TITLE_STEM_EN : SCH_STEM_EN;
    if (lang == TXT_LANG_FR)
        return title ? SCH_TITLE_STEM_FR : SCH_STEM_FR;
    return NULL;
}

/* ---- boolean filter terms (wdf 0) --------------------------------------- */
#define SCH_ID "Q"        /* Q + post id as given (unique) */
#define SCH_LANG "L"      /* L + "en" / "fr": each language the post holds */
#define SCH_CATEGORY "K"  /* K + txt_normalise(category) */
#define SCH_TAG "XT"      /* XT + txt_normalise(tag) */
#define SCH_AUTHOR "A"    /* A + txt_normalise(author) */
#define SCH_YEAR "Y"      /* Y + YYYY */
#define SCH_MONTH "M"     /* M + YYYYMM */
#define SCH_DATE "D"      /* D + YYYYMMDD */
#define SCH_HASHID "XH"   /* XH + 16 hex digits of SCH_SLOT_HASH + id: lets the
                             indexer read every (id, hash) in one lexicon scan */

/* ---- value slots ------------------------------------------------------------ */
#define SCH_SLOT_DATE 0        /* YYYYMMDD ("" when the post has no date): sort, ranges */
#define SCH_SLOT_YEAR 1        /* YYYY: facet */
#define SCH_SLOT_LANG 2        /* "en", "fr" or "en\x1f" "fr": facet (multi-valued) */
#define SCH_SLOT_CATEGORIES 3  /* categories as written, joined by SCH_SEP: facet */
#define SCH_SLOT_HASH 4        /* hex content hash of the post: incremental indexing, ties */
#define SCH_SLOT_TAGS 5        /* tags as written, joined by SCH_SEP */
#define SCH_SLOT_AUTHOR 6      /* author as written */
#define SCH_SLOT_MAINLANG 7    /* "en", "fr" or "mixed" */
#define SCH_SLOT_RECORD 8      /* the post's record (below) */
#define SCH_SLOT_WORDS 9       /* the post's characteristic words (below) */
#define SCH_SEP '\x1f'         /* separates the parts of a multi-valued slot */

/* The characteristic words of a post (schema 3), for the search's
 * pseudo-relevance feedback (search/feedback.c), which would otherwise read
 * the termlists of the best hits: its SCH_WORDS_MAX most frequent words
 * (folded, unprefixed: SCH_WORD terms; no stopwords, numbers or joined
 * forms; title words count title_weight times), the most frequent first
 * and, among equals, in the order the post first writes them. Each is one
 * byte of length (1 to 64), the word's bytes, then one byte of its wdf
 * (capped at 255). */
#define SCH_WORDS_MAX 64

/* The record of a post: a JSON object with the keys "id", "title", "url",
 * "date", "lang", "categories" (array), "tags" (array), "author" and "body"
 * (the plain text, paragraphs separated by blank lines: what snippets are
 * cut from), "body" last. It is the value in SCH_SLOT_RECORD, not the
 * document data (left empty): Xapian stores the data compressed with zlib,
 * and inflating it was two thirds of the time to fetch a hit (16 against
 * 5 microseconds a hit on the medium archive); values are stored as they
 * are. Schema 1 kept the record in the data: readers fall back to it. */

/* ---- database metadata keys ----------------------------------------------- */
#define SCH_META_VERSION "socasma.schema"      /* SCH_VERSION of the writer */
#define SCH_META_LAST_INDEX "socasma.indexed"  /* ISO 8601 UTC time of the last run */
#define SCH_META_GLOSSARY "socasma.glossary"   /* hash of the glossary loaded */
#define SCH_META_SHARD "socasma.shard"         /* "N/M": shard N of M (--shard) */

/* Positions: the title takes positions from 1; the body starts after
 * SCH_BODY_GAP more, so a phrase never spans title and body. */
#define SCH_BODY_GAP 100

/* The live delta (store.h, LIVE DELTA): a small database in the directory
 * SCH_DELTA_DIR inside the main one, written by the daemon's live writer
 * and folded into the main database in batches. Every document of it holds
 * SCH_DELTA_TERM; a deleted post is a tombstone: its id term, SCH_DELTA_TERM
 * and SCH_DELTA_DEAD only. A searcher opens both and keeps, of each post,
 * the delta's copy when there is one (none for a tombstone). A put post
 * keeps its words for the spelling table, "COUNT WORD\n" each, in
 * SCH_DELTA_SLOT_SPELL until the fold, which keeps them as pending words
 * of the main database (xapian-c.h, PENDING SPELLING WORDS). */
#define SCH_DELTA_DIR "live"
#define SCH_DELTA_TERM "XDELTA"
#define SCH_DELTA_DEAD "XDEAD"
#define SCH_DELTA_SLOT_SPELL 40
/* The live writer's journal, a directory beside the delta (store.h, LIVE
 * DELTA): its presence says that the delta is a cache of it. */
#define SCH_JOURNAL_DIR "live-journal"

/* A file in the database directory that a writer waiting for the lock
 * holds a write lock on (store.h, THE LOCK, WAITED FOR); the file itself
 * says nothing. */
#define SCH_LOCK_WAIT "lock-wanted"

#endif /* SOCASMA_SCHEMA_H */
