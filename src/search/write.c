/* write.c: the protocol's side of the writes (doc/PROTOCOL.md, version 2):
 * a `put` or `delete` request checked whole into a srch_write (the posts
 * made by import/'s imp_post_from_json(), the ids), before the daemon's
 * writer applies anything of it, and the answer of an applied write. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "search/search-internal.h"
#include "store/store.h"

void srch_write_free(srch_write *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->nposts; i++)
        imp_post_free(w->posts[i]);
    free(w->posts);
    for (size_t i = 0; i < w->nids; i++)
        free(w->ids[i]);
    free(w->ids);
    free(w);
}

static int bad(char *msg, size_t len, const char *fmt, const char *a)
{
    snprintf(msg, len, fmt, a);
    return SRCH_ERR_BAD_REQUEST;
}

/* The bytes of a post's text fields: what the indexer bounds a record by
 * (max_post_bytes), taken on the strings as sent. */
static size_t post_bytes(const json_t *post)
{
    size_t n = 0;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)post, key, v)
    {
        n += strlen(key);
        if (json_is_string(v))
            n += json_string_length(v);
        else if (json_is_array(v)) {
            size_t i;
            json_t *e;
            json_array_foreach(v, i, e) if (json_is_string(e)) n += json_string_length(e);
        }
    }
    return n;
}

static int add_post(srch_write *w, const json_t *obj, const char *where, size_t max,
                    char *msg, size_t len)
{
    if (json_is_object(obj) && post_bytes(obj) > max) {
        char size[32];
        if (max >= (1u << 20) && max % (1u << 20) == 0)
            snprintf(size, sizeof size, "%zu MiB", max >> 20);
        else if (max >= 1024 && max % 1024 == 0)
            snprintf(size, sizeof size, "%zu KiB", max >> 10);
        else
            snprintf(size, sizeof size, "%zu bytes", max);
        snprintf(msg, len, "%s: post larger than %s (max_post_bytes)", where, size);
        return SRCH_ERR_BAD_REQUEST;
    }
    imp_post *p = NULL;
    int rc = imp_post_from_json(obj, where, &p, msg, len);
    if (rc == IMP_ERR_RECORD || rc == IMP_ERR_INVALID)
        return SRCH_ERR_BAD_REQUEST;
    if (rc != IMP_OK)
        return SRCH_ERR_INTERNAL;
    /* The indexer's own id checks (a term has a bounded length). */
    char err[256];
    if (store_check_post(p, err, sizeof err) != STORE_OK) {
        snprintf(msg, len, "%s: %s", where, err);
        imp_post_free(p);
        return SRCH_ERR_BAD_REQUEST;
    }
    w->posts[w->nposts++] = p;
    return SRCH_OK;
}

static int parse_put(const json_t *req, srch_write *w, size_t max, char *msg, size_t len)
{
    json_t *posts = json_object_get(req, "posts");
    json_t *post = json_object_get(req, "post");
    if (posts && post)
        return bad(msg, len, "%s", "\"put\" takes \"posts\" or \"post\", not both");
    if (post) {
        if (!json_is_object(post))
            return bad(msg, len, "%s", "\"post\" must be an object (a post)");
        if (!(w->posts = calloc(1, sizeof *w->posts)))
            return SRCH_ERR_INTERNAL;
        return add_post(w, post, "post", max, msg, len);
    }
    if (!json_is_array(posts) || json_array_size(posts) == 0)
        return bad(msg, len, "%s",
                   "\"put\" needs \"posts\" (a non-empty array of posts) or \"post\"");
    size_t n = json_array_size(posts);
    if (n > SRCH_WRITE_MAX_POSTS) {
        snprintf(msg, len, "\"posts\" holds %zu posts, more than %d: send them in batches", n,
                 SRCH_WRITE_MAX_POSTS);
        return SRCH_ERR_BAD_REQUEST;
    }
    if (!(w->posts = calloc(n, sizeof *w->posts)))
        return SRCH_ERR_INTERNAL;
    for (size_t i = 0; i < n; i++) {
        char where[32];
        snprintf(where, sizeof where, "posts[%zu]", i);
        int st = add_post(w, json_array_get(posts, i), where, max, msg, len);
        if (st != SRCH_OK)
            return st;
    }
    return SRCH_OK;
}

static int parse_delete(const json_t *req, srch_write *w, char *msg, size_t len)
{
    json_t *ids = json_object_get(req, "ids");
    if (!json_is_array(ids) || json_array_size(ids) == 0)
        return bad(msg, len, "%s", "\"delete\" needs \"ids\" (a non-empty array of post ids)");
    size_t n = json_array_size(ids);
    if (n > SRCH_WRITE_MAX_IDS) {
        snprintf(msg, len, "\"ids\" holds %zu ids, more than %d: send them in batches", n,
                 SRCH_WRITE_MAX_IDS);
        return SRCH_ERR_BAD_REQUEST;
    }
    if (!(w->ids = calloc(n, sizeof *w->ids)))
        return SRCH_ERR_INTERNAL;
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(ids, i);
        char buf[32];
        const char *id = NULL;
        if (json_is_string(v))
            id = json_string_value(v);
        else if (json_is_integer(v)) {
            snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
            id = buf;
        }
        if (!id || !*id || (json_is_string(v) && strlen(id) != json_string_length(v))) {
            snprintf(msg, len, "ids[%zu]: an id must be a non-empty string or an integer", i);
            return SRCH_ERR_BAD_REQUEST;
        }
        /* The same bound on an id as a put's (store_check_post). */
        imp_post probe = {0};
        probe.id = (char *)id;
        char err[256];
        if (store_check_post(&probe, err, sizeof err) != STORE_OK) {
            snprintf(msg, len, "ids[%zu]: %s", i, err);
            return SRCH_ERR_BAD_REQUEST;
        }
        if (!(w->ids[w->nids] = strdup(id)))
            return SRCH_ERR_INTERNAL;
        w->nids++;
    }
    return SRCH_OK;
}

int srch_write_from_json(const json_t *request, size_t max_post_bytes, srch_write **out,
                         char *msg, size_t len)
{
    *out = NULL;
    msg[0] = '\0';
    srch_op op;
    json_t *ans = NULL;
    if (srch_request_op(request, &op, &ans) != SRCH_OK || srch_op_runner(op) != SRCH_RUN_WRITER) {
        json_decref(ans);
        snprintf(msg, len, "not a write request");
        return SRCH_ERR_BAD_REQUEST;
    }
    srch_write *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(msg, len, "out of memory");
        return SRCH_ERR_INTERNAL;
    }
    w->op = op;
    size_t max = max_post_bytes ? max_post_bytes : IMP_MAX_POST_BYTES_DEFAULT;
    int st = op == SRCH_OP_PUT ? parse_put(request, w, max, msg, len)
                               : parse_delete(request, w, msg, len);
    if (st != SRCH_OK) {
        if (st == SRCH_ERR_INTERNAL && !msg[0])
            snprintf(msg, len, "out of memory");
        srch_write_free(w);
        return st;
    }
    *out = w;
    return SRCH_OK;
}

json_t *srch_write_answer(const json_t *request, const srch_write_result *r)
{
    json_t *a = json_pack("{s:b,s:I,s:I,s:I,s:I,s:I,s:I}", "ok", 1, "added",
                          (json_int_t)r->added, "updated", (json_int_t)r->updated, "unchanged",
                          (json_int_t)r->unchanged, "deleted", (json_int_t)r->deleted, "missing",
                          (json_int_t)r->missing, "revision", (json_int_t)r->revision);
    return srch_answer_for(request, a);
}
