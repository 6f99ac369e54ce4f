/* idmap.h: a string-keyed open-addressing hash table (id -> 16-hex-digit
 * content hash), internal to the store: the posts already in the database,
 * the ids seen in the current run, spelling words. */
#ifndef SOCASMA_STORE_IDMAP_H
#define SOCASMA_STORE_IDMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    char *key;      /* malloc'ed; NULL for an empty slot */
    char hash[17];  /* hex content hash, "" when unknown */
    uint32_t n;     /* a counter for the caller (spelling frequencies) */
} idmap_entry;

typedef struct {
    idmap_entry *slots;
    size_t cap;   /* power of two */
    size_t count;
} idmap;

void idmap_init(idmap *m);
void idmap_free(idmap *m);
/* The entry for key, or NULL. */
const idmap_entry *idmap_get(const idmap *m, const char *key, size_t len);
/* Inserts key (copied) if absent. *entry gets its entry; *added is 1 if it
 * was new. Returns 0, or -1 when out of memory. */
int idmap_put(idmap *m, const char *key, size_t len, idmap_entry **entry, int *added);
/* Removes key if present (entries may move: pointers from idmap_get and
 * idmap_put are invalid afterwards). Returns 1 if it was there. */
int idmap_remove(idmap *m, const char *key, size_t len);

/* 64-bit FNV-1a over bytes, continuing from h (start with IDMAP_FNV_INIT). */
#define IDMAP_FNV_INIT 0xcbf29ce484222325ULL
uint64_t idmap_fnv1a(uint64_t h, const void *data, size_t len);

#endif
