/* totals.c: the engine's memo of match counts. An exact total is a second
 * pass over every posting of the query's terms (engine.c, srch_count),
 * about as costly as a fifth of the search it belongs to; the same query
 * comes back for its next pages, and a search box sees the same questions
 * again and again. The memo is a two-way set-associative table (a new
 * count replaces the older of its two slots) keyed by a 128-bit hash of
 * what decides the matches (the text searched, its analysis language, the
 * request's filters; see engine.c) and the exact_total it was counted
 * with, emptied (a new generation of its slots) when the database is
 * opened, reopened to a new state or shows a new revision: it never
 * answers for a state other than the one the match reads. 4,096 counts,
 * 160 KB per engine. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "search/search-internal.h"

struct srch_total_slot {
    uint64_t key[2];
    uint64_t stamp;    /* when it was written (the memo's clock) */
    uint32_t gen;      /* the memo's generation it was written in */
    uint32_t check;    /* the exact_total it was counted with */
    uint32_t total;
    int exact;
};

void srch_totals_clear(srch_engine *e)
{
    e->totals_gen++;
}

void srch_totals_free(srch_engine *e)
{
    free(e->totals);
    e->totals = NULL;
}

/* The two slots of key's set, or NULL (no memo, or its revision could
 * not be read). A new revision empties the memo. */
static srch_total_slot *set_of(srch_engine *e, const uint64_t key[2])
{
    uint64_t rev = 0;
    if (!e->db || xc_db_revision(e->db, &rev) != XC_OK)
        return NULL;
    if (!e->totals) {
        e->totals = calloc(SRCH_TOTAL_SLOTS, sizeof *e->totals);
        if (!e->totals)
            return NULL;
        e->totals_gen++;
        e->totals_revision = rev;
    }
    if (e->totals_revision != rev) {
        e->totals_gen++;
        e->totals_revision = rev;
    }
    return &e->totals[(key[0] & (SRCH_TOTAL_SLOTS / 2 - 1)) * 2];
}

static int holds(const srch_engine *e, const srch_total_slot *s, const uint64_t key[2],
                 uint32_t check)
{
    return s->gen == e->totals_gen && s->key[0] == key[0] && s->key[1] == key[1] &&
           s->check == check;
}

int srch_totals_get(srch_engine *e, const uint64_t key[2], uint32_t check, uint32_t *total,
                    int *exact)
{
    srch_total_slot *s = set_of(e, key);
    for (int i = 0; s && i < 2; i++)
        if (holds(e, &s[i], key, check)) {
            *total = s[i].total;
            *exact = s[i].exact;
            return 1;
        }
    return 0;
}

void srch_totals_put(srch_engine *e, const uint64_t key[2], uint32_t check, uint32_t total,
                     int exact)
{
    srch_total_slot *s = set_of(e, key);
    if (!s)
        return;
    /* a slot of an older generation is empty; else the older one goes */
    int i = s[0].gen != e->totals_gen ? 0 : s[1].gen != e->totals_gen ? 1
                                                                         : s[1].stamp < s[0].stamp;
    s[i] = (srch_total_slot){{key[0], key[1]}, ++e->totals_clock, e->totals_gen, check, total,
                             exact};
}

void srch_totals_key(srch_totals_hash *h, const char *s, size_t n)
{
    /* two FNV-1a hashes with different offsets; a 0 byte ends each part,
     * so ("ab", "c") and ("a", "bc") differ */
    for (size_t i = 0; i <= n; i++) {
        unsigned char c = i < n ? (unsigned char)s[i] : 0;
        h->k[0] = (h->k[0] ^ c) * 1099511628211u;
        h->k[1] = (h->k[1] ^ (c + 0x9e)) * 1099511628211u;
    }
}
