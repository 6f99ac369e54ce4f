/* protocol.c: the line protocol of doc/PROTOCOL.md, once for the daemon
 * and the command line: the table of ops (SRCH_OP_MAP) and who runs each,
 * the reading of a request line, the op and id rules, the validation of
 * each engine op's fields, the error answers (codes from SRCH_ERRNO_MAP),
 * the id echoed in every answer, and the encoding of an answer line.
 * srch_handle() runs the engine's ops; the daemon answers the others (ping,
 * version) itself and adds its own figures to stats. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "search/search-internal.h"

static const struct {
    const char *name;
    srch_runner runner;
} ops[SRCH_OP_COUNT] = {
#define SRCH_OP_ROW(name, str, runner) {str, runner},
    SRCH_OP_MAP(SRCH_OP_ROW)
#undef SRCH_OP_ROW
};

const char *srch_op_name(srch_op op)
{
    return (unsigned)op < SRCH_OP_COUNT ? ops[op].name : "?";
}

srch_runner srch_op_runner(srch_op op)
{
    return (unsigned)op < SRCH_OP_COUNT ? ops[op].runner : SRCH_RUN_ENGINE;
}

const char *srch_status_code(int status)
{
    switch (status) {
    case SRCH_OK: return "ok";
#define SRCH_ERRNO_CODE(name, value, code) \
    case SRCH_ERR_##name: return code;
        SRCH_ERRNO_MAP(SRCH_ERRNO_CODE)
#undef SRCH_ERRNO_CODE
    default: return "internal";
    }
}

json_t *srch_error_json(const char *code, const char *message)
{
    json_t *ans = json_pack("{s:b,s:{s:s,s:s}}", "ok", 0, "error", "code",
                            code ? code : "internal", "message", message ? message : "");
    if (!ans && message) {
        /* a message that quotes the request's bytes may not be UTF-8
         * (jansson's error text near a bad escape): its ASCII is kept */
        char m[512];
        size_t n = 0;
        for (const char *c = message; *c && n + 1 < sizeof m; c++)
            m[n++] = (unsigned char)*c < 0x80 && (unsigned char)*c >= 0x20 ? *c : '?';
        m[n] = '\0';
        ans = json_pack("{s:b,s:{s:s,s:s}}", "ok", 0, "error", "code", code ? code : "internal",
                        "message", m);
    }
    return ans;
}

json_t *srch_request_id(const json_t *request)
{
    json_t *id = json_object_get(request, "id");
    return id && (json_is_string(id) || json_is_number(id)) ? id : NULL;
}

json_t *srch_answer_for(const json_t *request, json_t *answer)
{
    json_t *id = request ? srch_request_id(request) : NULL;
    if (id && answer)
        json_object_set(answer, "id", id);
    return answer;
}

json_t *srch_error_answer(const json_t *request, int status, const char *message)
{
    return srch_answer_for(request, srch_error_json(srch_status_code(status), message));
}

int srch_read_line(const char *line, size_t len, json_t **request, json_t **answer)
{
    *request = *answer = NULL;
    if (len > 0 && line[0] == '{') {
        json_error_t je;
        json_t *req = json_loadb(line, len, 0, &je);
        if (!req || !json_is_object(req)) {
            json_decref(req);
            char m[300];
            snprintf(m, sizeof m, "invalid JSON request: %s", je.text);
            *answer = srch_error_answer(NULL, SRCH_ERR_BAD_REQUEST, m);
            return SRCH_ERR_BAD_REQUEST;
        }
        *request = req;
        return SRCH_OK;
    }
    /* A plain line is a search for its text; jansson checks the UTF-8. */
    json_t *q = json_stringn(line, len);
    if (!q) {
        *answer = srch_error_answer(NULL, SRCH_ERR_BAD_REQUEST, "the line is not valid UTF-8");
        return SRCH_ERR_BAD_REQUEST;
    }
    *request = json_pack("{s:s,s:o}", "op", srch_op_name(SRCH_OP_SEARCH), "q", q);
    if (!*request) {
        *answer = srch_error_answer(NULL, SRCH_ERR_INTERNAL, "out of memory");
        return SRCH_ERR_INTERNAL;
    }
    return SRCH_OK;
}

int srch_request_op(const json_t *request, srch_op *op, json_t **answer)
{
    *op = SRCH_OP_COUNT;
    json_t *v = json_object_get(request, "op");
    if (!json_is_string(v)) {
        *answer = srch_error_answer(request, SRCH_ERR_BAD_REQUEST, "\"op\" must be a string");
        return SRCH_ERR_BAD_REQUEST;
    }
    for (int i = 0; i < SRCH_OP_COUNT; i++)
        if (strcmp(json_string_value(v), ops[i].name) == 0) {
            *op = (srch_op)i;
            return SRCH_OK;
        }
    *answer = srch_error_answer(request, SRCH_ERR_BAD_REQUEST, "unknown op");
    return SRCH_ERR_BAD_REQUEST;
}

/* ---- the engine's ops: each field checked, then the engine's call ---- */

static int bad(char *msg, size_t len, const char *text)
{
    snprintf(msg, len, "%s", text);
    return SRCH_ERR_BAD_REQUEST;
}

static int run_search(srch_engine *e, const json_t *req, json_t **out, char *msg, size_t len)
{
    srch_request q;
    int st = srch_request_from_json(req, &q, msg, len);
    return st == SRCH_OK ? srch_search(e, &q, out) : st;
}

/* {"op":"suggest","q":TEXT (or "prefix"),"limit":N} */
static int run_suggest(srch_engine *e, const json_t *req, json_t **out, char *msg, size_t len)
{
    json_t *qv = json_object_get(req, "q");
    if (!qv)
        qv = json_object_get(req, "prefix");
    json_t *lv = json_object_get(req, "limit");
    if (qv && !json_is_string(qv))
        return bad(msg, len, "\"q\" must be a string");
    if (lv && (!json_is_integer(lv) || json_integer_value(lv) < 0))
        return bad(msg, len, "\"limit\" must be a non-negative integer");
    json_int_t limit = lv ? json_integer_value(lv) : 0;
    if (limit > SRCH_SUGGEST_MAX)
        limit = SRCH_SUGGEST_MAX;
    return srch_suggest(e, qv ? json_string_value(qv) : "", (uint32_t)limit, out);
}

/* {"op":"doc","doc_id":ID} (string or number; "id" when there is no doc_id) */
static int run_doc(srch_engine *e, const json_t *req, json_t **out, char *msg, size_t len)
{
    json_t *iv = json_object_get(req, "doc_id");
    if (!iv)
        iv = json_object_get(req, "id");
    char buf[32];
    const char *id = NULL;
    if (json_is_string(iv))
        id = json_string_value(iv);
    else if (json_is_integer(iv)) {
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(iv));
        id = buf;
    }
    if (!id)
        return bad(msg, len, "\"doc\" needs a \"doc_id\" (string or number)");
    return srch_doc(e, id, out);
}

int srch_handle(srch_engine *e, const json_t *request, json_t **answer)
{
    srch_op op;
    *answer = NULL;
    int st = srch_request_op(request, &op, answer);
    if (st != SRCH_OK)
        return st;
    char msg[256] = "";
    json_t *out = NULL;
    if (srch_op_runner(op) != SRCH_RUN_ENGINE) {
        snprintf(msg, sizeof msg, "\"%s\" is not answered here", srch_op_name(op));
        st = SRCH_ERR_BAD_REQUEST;
    } else if (!e) {
        snprintf(msg, sizeof msg, "no search engine");
        st = SRCH_ERR_INTERNAL;
    } else {
        switch (op) {
        case SRCH_OP_SEARCH: st = run_search(e, request, &out, msg, sizeof msg); break;
        case SRCH_OP_SUGGEST: st = run_suggest(e, request, &out, msg, sizeof msg); break;
        case SRCH_OP_DOC: st = run_doc(e, request, &out, msg, sizeof msg); break;
        case SRCH_OP_STATS: st = srch_stats(e, &out); break;
        default: st = SRCH_ERR_INTERNAL; break; /* an engine op without a case */
        }
    }
    if (st == SRCH_OK && out) {
        *answer = srch_answer_for(request, out);
        return SRCH_OK;
    }
    json_decref(out);
    if (st == SRCH_OK)
        st = SRCH_ERR_INTERNAL;
    *answer = srch_error_answer(request, st, msg[0] ? msg : srch_errmsg(e));
    return st;
}

char *srch_answer_line(json_t *answer, size_t *len, int *status)
{
    char *text = answer ? json_dumps(answer, JSON_COMPACT | JSON_REAL_PRECISION(10)) : NULL;
    json_decref(answer);
    if (!text) {
        text = strdup("{\"ok\":false,\"error\":{\"code\":\"internal\","
                      "\"message\":\"cannot encode the answer\"}}");
        if (status)
            *status = SRCH_ERR_INTERNAL;
        if (!text)
            return NULL;
    }
    size_t n = strlen(text);
    char *t = realloc(text, n + 2);
    if (!t) {
        free(text);
        return NULL;
    }
    t[n] = '\n';
    t[n + 1] = '\0';
    *len = n + 1;
    return t;
}
