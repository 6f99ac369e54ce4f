/* shard.c: which shard a post belongs to (socasma-index --shard N/M), and
 * the read loop restricted to one shard's posts: a post of another shard
 * is skipped as it is read, never written, never pruned (it was not named
 * to this shard's run, so --prune deletes only posts of this shard that no
 * source holds any more, and posts that belong to another shard). */
#include <config.h>

#include <string.h>

#include "store/run.h"

uint32_t store_shard_of(const char *id, size_t len, uint32_t count)
{
    /* FNV-1a, 64 bits, of the id's bytes as given */
    uint64_t h = 14695981039346656037u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)id[i];
        h *= 1099511628211u;
    }
    return count ? (uint32_t)(h % count) : 0;
}

typedef struct {
    const store_run_options *o;
    store_read_sink sink;
    void *arg;
} shard_filter;

static int shard_sink(void *arg, store_read_event *ev)
{
    shard_filter *f = arg;
    if (ev->kind == STORE_READ_POST && ev->post && ev->post->id &&
        store_shard_of(ev->post->id, strlen(ev->post->id), f->o->shard_count) !=
            f->o->shard_index) {
        imp_post_free(ev->post); /* another shard's */
        return 0;
    }
    return f->sink(f->arg, ev);
}

void store_read_run_sources(const store_run_options *o, store_read_sink sink, void *arg,
                            double *cpu_read)
{
    if (o->shard_count <= 1) {
        store_read_sources(o->sources, o->nsources, o->format, o->max_post_bytes, sink, arg,
                           cpu_read);
        return;
    }
    shard_filter f = {o, sink, arg};
    store_read_sources(o->sources, o->nsources, o->format, o->max_post_bytes, shard_sink, &f,
                       cpu_read);
}
