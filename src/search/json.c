/* json.c: the fields of a search request object (the protocol's "search"
 * op, doc/PROTOCOL.md) into a srch_request, each checked. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "search/search-internal.h"

void srch_request_init(srch_request *req)
{
    memset(req, 0, sizeof *req);
    req->limit = SRCH_LIMIT_DEFAULT;
    req->sort = SRCH_SORT_RELEVANCE;
    req->snippet_words = -1;
}

static int bad(char *err, size_t errlen, const char *msg, const char *key)
{
    if (err && errlen)
        snprintf(err, errlen, msg, key);
    return SRCH_ERR_BAD_REQUEST;
}

static int get_uint(const json_t *v, const char *key, uint32_t max, uint32_t *out, char *err,
                    size_t errlen)
{
    if (!json_is_integer(v))
        return bad(err, errlen, "\"%s\" must be a non-negative integer", key);
    json_int_t i = json_integer_value(v);
    if (i < 0)
        return bad(err, errlen, "\"%s\" must be a non-negative integer", key);
    *out = i > (json_int_t)max ? max : (uint32_t)i;
    return SRCH_OK;
}

static int get_str(const json_t *v, const char *key, const char **out, char *err, size_t errlen)
{
    if (json_is_null(v)) {
        *out = NULL;
        return SRCH_OK;
    }
    if (!json_is_string(v))
        return bad(err, errlen, "\"%s\" must be a string", key);
    *out = json_string_value(v);
    return SRCH_OK;
}

static int get_list(const json_t *v, const char *key, const char **out, char *err, size_t errlen)
{
    size_t n = 0;
    if (json_is_null(v))
        return SRCH_OK;
    if (json_is_string(v)) {
        out[0] = json_string_value(v);
        out[1] = NULL;
        return SRCH_OK;
    }
    if (!json_is_array(v))
        return bad(err, errlen, "\"%s\" must be a string or an array of strings", key);
    if (json_array_size(v) >= SRCH_MAX_FILTER_VALUES)
        return bad(err, errlen, "too many values in \"%s\"", key);
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x)
    {
        if (!json_is_string(x))
            return bad(err, errlen, "\"%s\" must be a string or an array of strings", key);
        out[n++] = json_string_value(x);
    }
    out[n] = NULL;
    return SRCH_OK;
}

static int date_ok(const char *s)
{
    char tmp[9];
    return !s || !s[0] || srch_date_expand(s, strlen(s), 0, tmp) == 0;
}

int srch_request_from_json(const json_t *obj, srch_request *req, char *err, size_t errlen)
{
    srch_request_init(req);
    if (err && errlen)
        err[0] = '\0';
    if (!json_is_object(obj))
        return bad(err, errlen, "the request must be a JSON object%s", "");
    const char *key;
    json_t *v;
    int rc = SRCH_OK;
    json_object_foreach((json_t *)obj, key, v)
    {
        if (!strcmp(key, "q"))
            rc = get_str(v, key, &req->q, err, errlen);
        else if (!strcmp(key, "offset"))
            rc = get_uint(v, key, SRCH_MAX_OFFSET, &req->offset, err, errlen);
        else if (!strcmp(key, "limit"))
            rc = get_uint(v, key, 1000000, &req->limit, err, errlen);
        else if (!strcmp(key, "lang")) {
            rc = get_str(v, key, &req->lang, err, errlen);
            if (rc == SRCH_OK && req->lang && req->lang[0] && strcmp(req->lang, "en") &&
                strcmp(req->lang, "fr"))
                rc = bad(err, errlen, "\"%s\" must be \"en\" or \"fr\"", key);
            if (req->lang && !req->lang[0])
                req->lang = NULL;
        } else if (!strcmp(key, "category") || !strcmp(key, "categories"))
            rc = get_list(v, key, req->categories, err, errlen);
        else if (!strcmp(key, "tag") || !strcmp(key, "tags"))
            rc = get_list(v, key, req->tags, err, errlen);
        else if (!strcmp(key, "author"))
            rc = get_str(v, key, &req->author, err, errlen);
        else if (!strcmp(key, "since") || !strcmp(key, "until")) {
            const char **dst = key[0] == 's' ? &req->since : &req->until;
            rc = get_str(v, key, dst, err, errlen);
            if (rc == SRCH_OK && !date_ok(*dst))
                rc = bad(err, errlen, "\"%s\" must be YYYY, YYYY-MM or YYYY-MM-DD", key);
        } else if (!strcmp(key, "sort")) {
            const char *s = NULL;
            rc = get_str(v, key, &s, err, errlen);
            if (rc == SRCH_OK && s && !strcmp(s, "date"))
                req->sort = SRCH_SORT_DATE;
            else if (rc == SRCH_OK && s && strcmp(s, "relevance"))
                rc = bad(err, errlen, "\"%s\" must be \"relevance\" or \"date\"", key);
        } else if (!strcmp(key, "facets")) {
            if (!json_is_boolean(v) && !json_is_integer(v))
                rc = bad(err, errlen, "\"%s\" must be a boolean", key);
            else
                req->facets = json_is_true(v) || (json_is_integer(v) && json_integer_value(v));
        } else if (!strcmp(key, "snippet")) {
            if (json_is_boolean(v))
                req->snippet_words = json_is_true(v) ? -1 : 0;
            else {
                uint32_t n = 0;
                rc = get_uint(v, key, 200, &n, err, errlen);
                req->snippet_words = (int)n;
            }
        }
        /* op, id and unknown keys are the caller's business. */
        if (rc != SRCH_OK)
            return rc;
    }
    return SRCH_OK;
}
