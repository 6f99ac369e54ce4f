/* arena.c: a chunked arena for the analyser's strings. Blocks are never
 * moved, so pointers handed out stay valid until the arena is reset. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "text/text-internal.h"

#define ARENA_BLOCK 65536

struct txt_arena_block {
    txt_arena_block *next;
    size_t size;
    char data[];
};

char *txt_arena_strdup(txt_arena *ar, const char *s, size_t n)
{
    if (!ar->head || ar->used + n + 1 > ar->head->size) {
        size_t size = n + 1 > ARENA_BLOCK ? n + 1 : ARENA_BLOCK;
        txt_arena_block *b = malloc(sizeof *b + size);
        if (!b)
            return NULL;
        b->size = size;
        b->next = ar->head;
        ar->head = b;
        ar->used = 0;
    }
    char *p = ar->head->data + ar->used;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    ar->used += n + 1;
    return p;
}

void txt_arena_reset(txt_arena *ar)
{
    txt_arena_block *b = ar->head;
    if (!b)
        return;
    /* keep the oldest block (the last in the list) */
    while (b->next) {
        txt_arena_block *n = b->next;
        free(b);
        b = n;
    }
    ar->head = b;
    ar->used = 0;
}

void txt_arena_free(txt_arena *ar)
{
    txt_arena_block *b = ar->head;
    while (b) {
        txt_arena_block *n = b->next;
        free(b);
        b = n;
    }
    ar->head = NULL;
    ar->used = 0;
}
