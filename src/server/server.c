/* server.c: the event loop of socasma-searchd. Listeners, connections with
 * line framing, request decoding and dispatch to the worker pool, answers
 * written in request order (per-connection sequence numbers and a reorder
 * ring), backpressure, limits, stats, the access log, signals, pid file and
 * readiness notification. The loop never runs a search itself. */
#include <config.h>

#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <uv.h>
#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "server/pool.h"
#include "server/server.h"

/* Answers not yet written that a connection may have: beyond it, it is not
 * read until they are flushed (backpressure). Also the reorder ring size. */
#define MAX_INFLIGHT 128
#define MAX_WRITE_BYTES (1u << 20)
#define STOP_GRACE_MS 4500

enum { E_BAD_REQUEST, E_TOO_LONG, E_OVERLOADED, E_TIMEOUT, E_UNAVAILABLE, E_INTERNAL,
       E_NOT_FOUND, E_COUNT };
static const char *const err_codes[E_COUNT] = {"bad_request", "too_long", "overloaded",
                                               "timeout", "unavailable", "internal",
                                               "not_found"};

typedef struct server server;
typedef struct conn conn;

typedef struct {
    char *text;     /* the JSON answer with its '\n' */
    size_t len;
    int ready;
    const char *op;
    const char *err; /* error code or NULL */
    uint64_t start_ns;
    char *query;    /* for the access log when log_queries */
} slot;

struct conn {
    union {
        uv_tcp_t tcp;
        uv_pipe_t pipe;
        uv_stream_t stream;
        uv_handle_t handle;
    } h;
    server *srv;
    conn *prev, *next;
    srv_linebuf in;
    char client[64];
    uv_timer_t idle;
    uint64_t seq_next;  /* next sequence number to give */
    uint64_t seq_send;  /* next sequence number to write */
    slot ring[MAX_INFLIGHT];
    size_t write_bytes; /* bytes handed to uv_write, not yet written */
    int reading;
    int closing;        /* read no more; close once everything is answered */
    int broken;         /* a line was too long: the stream cannot be framed */
    int eof;            /* the client shut its side */
    int closed;         /* uv_close called */
    int refs;           /* jobs in flight + handles open */
};

struct server {
    uv_loop_t *loop;
    cfg_config *cfg;
    srv_options opt;
    uv_tcp_t tcp;
    uv_pipe_t pipe;
    int have_tcp, have_pipe;
    uv_signal_t sig_term, sig_int, sig_hup;
    uv_timer_t stop_timer;
    srv_pool *pool;
    conn *conns;
    unsigned nconns;
    int stopping;
    FILE *log;
    /* stats */
    uint64_t start_ns;
    uint64_t requests;
    uint64_t errors[E_COUNT];
    srv_latency lat;
    cfg_config *first_cfg; /* the caller's */
};

typedef struct {
    srv_job job;
    conn *c;
    uint64_t seq;
    int op; /* OP_* */
    json_t *req;
    unsigned timeout_ms;
    /* result */
    json_t *answer; /* stats only: completed on the loop */
    char *text;     /* the encoded answer line */
    size_t len;
    const char *err;
} req_job;

enum { OP_SEARCH, OP_SUGGEST, OP_DOC, OP_STATS };
static const char *const op_names[] = {"search", "suggest", "doc", "stats"};

static void conn_maybe_read(conn *c);
static int conn_done(const conn *c);
static void conn_close(conn *c);
static void on_idle(uv_timer_t *t);
static void maybe_finish_stop(server *s);

/* ---------- access log ---------- */

static void log_request(server *s, conn *c, const slot *sl)
{
    if (!s->log)
        return;
    double ms = (double)(srv_now_ns() - sl->start_ns) / 1e6;
    time_t now = time(NULL);
    struct tm tm;
    char ts[32];
    gmtime_r(&now, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(s->log, "%s %s %s %zu %.3f %s", ts, c->client, sl->op ? sl->op : "-",
            sl->len, ms, sl->err ? sl->err : "ok");
    if (s->cfg->log_queries && sl->query)
        fprintf(s->log, " q=%s", sl->query);
    fputc('\n', s->log);
    fflush(s->log);
}

static void open_log(server *s)
{
    if (s->log && s->log != stderr)
        fclose(s->log);
    s->log = NULL;
    const char *p = s->cfg->access_log;
    if (!p || !*p)
        return;
    if (strcmp(p, "-") == 0)
        s->log = stderr;
    else
        s->log = fopen(p, "a");
}

/* ---------- writing answers in order ---------- */

typedef struct {
    uv_write_t w;
    conn *c;
    char *text;
    size_t len;
} write_req;

static void conn_unref(conn *c);

static void on_written(uv_write_t *w, int status)
{
    write_req *wr = (write_req *)w;
    conn *c = wr->c;
    c->write_bytes -= wr->len;
    free(wr->text);
    free(wr);
    if (status < 0 && !c->closed)
        conn_close(c);
    else if (!c->closed) {
        if (conn_done(c))
            conn_close(c);
        else
            conn_maybe_read(c);
    }
    conn_unref(c);
}

static void flush_ready(conn *c)
{
    server *s = c->srv;
    while (c->seq_send < c->seq_next) {
        slot *sl = &c->ring[c->seq_send % MAX_INFLIGHT];
        if (!sl->ready)
            break;
        s->requests++;
        srv_latency_add(&s->lat, (double)(srv_now_ns() - sl->start_ns) / 1e6);
        if (sl->err) {
            for (int i = 0; i < E_COUNT; i++)
                if (strcmp(err_codes[i], sl->err) == 0)
                    s->errors[i]++;
        }
        /* The answer goes out first, the access log line after it (a
         * write to the log file is no part of the client's wait). */
        size_t sent = sl->len;
        if (!c->closed) {
            write_req *wr = malloc(sizeof *wr);
            if (wr) {
                wr->c = c;
                wr->text = sl->text;
                wr->len = sl->len;
                uv_buf_t b = uv_buf_init(sl->text, (unsigned)sl->len);
                c->refs++;
                c->write_bytes += sl->len;
                if (uv_write(&wr->w, &c->h.stream, &b, 1, on_written) < 0) {
                    c->refs--;
                    c->write_bytes -= sl->len;
                    free(wr->text);
                    free(wr);
                    conn_close(c);
                }
            } else
                free(sl->text);
        } else
            free(sl->text);
        sl->text = NULL;
        sl->len = sent;
        log_request(s, c, sl);
        free(sl->query);
        memset(sl, 0, sizeof *sl);
        c->seq_send++;
    }
    if (!c->closed && conn_done(c))
        conn_close(c);
}

/* Fills the slot of seq with the answer (consumed) and writes what is due. */
/* The answer line (consumes answer): JSON, with id when given, and '\n'.
 * *err becomes "internal" if it cannot be encoded. */
static char *answer_line(json_t *answer, json_t *id, size_t *len, const char **err)
{
    if (id)
        json_object_set(answer, "id", id);
    char *text = json_dumps(answer, JSON_COMPACT | JSON_REAL_PRECISION(10));
    json_decref(answer);
    if (!text) {
        text = strdup("{\"ok\":false,\"error\":{\"code\":\"internal\",\"message\":\"cannot encode the answer\"}}");
        *err = "internal";
    }
    size_t n = text ? strlen(text) : 0;
    char *t = realloc(text, n + 2);
    if (t) {
        t[n] = '\n';
        t[n + 1] = '\0';
        text = t;
        n++;
    }
    *len = n;
    return text;
}

/* Fills the slot of seq with its line (taken) and writes what is due. */
static void complete_text(conn *c, uint64_t seq, char *text, size_t len, const char *err)
{
    slot *sl = &c->ring[seq % MAX_INFLIGHT];
    sl->text = text;
    sl->len = text ? len : 0;
    sl->err = err;
    sl->ready = 1;
    flush_ready(c);
}

static void complete(conn *c, uint64_t seq, json_t *answer, json_t *id, const char *err)
{
    size_t len;
    char *text = answer_line(answer, id, &len, &err);
    complete_text(c, seq, text, len, err);
}

static uint64_t new_slot(conn *c, const char *op, const char *query)
{
    uint64_t seq = c->seq_next++;
    slot *sl = &c->ring[seq % MAX_INFLIGHT];
    memset(sl, 0, sizeof *sl);
    sl->op = op;
    sl->start_ns = srv_now_ns();
    if (query && c->srv->cfg->log_queries)
        sl->query = strdup(query);
    return seq;
}

static void reply_error(conn *c, uint64_t seq, json_t *id, const char *code, const char *msg)
{
    complete(c, seq, srch_error_json(code, msg), id, code);
}

/* ---------- jobs ---------- */

static json_t *request_id(json_t *req)
{
    json_t *id = json_object_get(req, "id");
    return id && (json_is_string(id) || json_is_number(id)) ? id : NULL;
}

/* The answer is encoded on the worker, not on the loop (except stats,
 * which the loop completes with its own figures). */
static void encode(req_job *r)
{
    if (r->op == OP_STATS && !r->err)
        return;
    r->text = answer_line(r->answer, request_id(r->req), &r->len, &r->err);
    r->answer = NULL;
}

static void job_work(srv_job *j, srch_engine *e)
{
    req_job *r = (req_job *)j;
    if ((srv_now_ns() - j->enqueued_ns) / 1000000u > r->timeout_ms) {
        r->err = "timeout";
        r->answer = srch_error_json("timeout", "the request waited too long for a worker");
        encode(r);
        return;
    }
    if (!e) {
        r->err = "internal";
        r->answer = srch_error_json("internal", "no search engine");
        encode(r);
        return;
    }
    int st = SRCH_ERR_INTERNAL;
    json_t *out = NULL;
    char msg[256] = "";
    switch (r->op) {
    case OP_SEARCH: {
        srch_request q;
        srch_request_init(&q);
        st = srch_request_from_json(r->req, &q, msg, sizeof msg);
        if (st == SRCH_OK)
            st = srch_search(e, &q, &out);
        break;
    }
    case OP_SUGGEST: {
        json_t *qv = json_object_get(r->req, "q");
        if (!qv)
            qv = json_object_get(r->req, "prefix");
        json_t *lv = json_object_get(r->req, "limit");
        json_int_t lim = 10;
        if (qv && !json_is_string(qv)) {
            st = SRCH_ERR_BAD_REQUEST;
            snprintf(msg, sizeof msg, "\"q\" must be a string");
        } else if (lv && (!json_is_integer(lv) || json_integer_value(lv) < 0)) {
            st = SRCH_ERR_BAD_REQUEST;
            snprintf(msg, sizeof msg, "\"limit\" must be a non-negative integer");
        } else {
            if (lv)
                lim = json_integer_value(lv);
            if (lim > 100)
                lim = 100;
            st = srch_suggest(e, qv ? json_string_value(qv) : "", (uint32_t)lim, &out);
        }
        break;
    }
    case OP_DOC: {
        json_t *iv = json_object_get(r->req, "doc_id");
        if (!iv)
            iv = json_object_get(r->req, "id");
        char buf[32];
        const char *id = NULL;
        if (iv && json_is_string(iv))
            id = json_string_value(iv);
        else if (iv && json_is_integer(iv)) {
            snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(iv));
            id = buf;
        }
        if (!id) {
            st = SRCH_ERR_BAD_REQUEST;
            snprintf(msg, sizeof msg, "\"doc\" needs a \"doc_id\" (string or number)");
        } else
            st = srch_doc(e, id, &out);
        break;
    }
    case OP_STATS:
        st = srch_stats(e, &out);
        if (st != SRCH_OK) {
            /* The server's own figures are still worth answering. */
            out = json_pack("{s:b}", "ok", 1);
            json_object_set_new(out, "db_error", json_string(srch_errmsg(e)));
            st = SRCH_OK;
        }
        break;
    }
    if (st == SRCH_OK && out) {
        r->answer = out;
        r->err = NULL;
    } else {
        json_decref(out);
        r->err = srch_status_code(st);
        if (!r->err)
            r->err = "internal";
        r->answer = srch_error_json(r->err, msg[0] ? msg : srch_errmsg(e));
    }
    encode(r);
}

/* Milliseconds to the microsecond: enough, and short in JSON. */
static double round3(double v)
{
    return (double)(long long)(v * 1000.0 + 0.5) / 1000.0;
}

static void add_server_stats(server *s, json_t *out)
{
    json_t *errs = json_object();
    for (int i = 0; i < E_COUNT; i++)
        json_object_set_new(errs, err_codes[i], json_integer((json_int_t)s->errors[i]));
    json_t *lat = json_pack("{s:f,s:f,s:f}", "p50", round3(srv_latency_percentile(&s->lat, 50)),
                            "p95", round3(srv_latency_percentile(&s->lat, 95)), "p99",
                            round3(srv_latency_percentile(&s->lat, 99)));
    json_object_set_new(out, "server",
                        json_pack("{s:f,s:I,s:o,s:o,s:I,s:I}", "uptime_s",
                                  round3((double)(srv_now_ns() - s->start_ns) / 1e9), "requests",
                                  (json_int_t)s->requests, "errors", errs, "latency_ms", lat,
                                  "queue_depth", (json_int_t)srv_pool_depth(s->pool),
                                  "connections", (json_int_t)s->nconns));
}

static void job_done(srv_job *j, void *arg)
{
    server *s = arg;
    req_job *r = (req_job *)j;
    conn *c = r->c;
    if (r->answer) {
        add_server_stats(s, r->answer);
        complete(c, r->seq, r->answer, request_id(r->req), r->err);
    } else
        complete_text(c, r->seq, r->text, r->len, r->err);
    json_decref(r->req);
    free(r);
    if (!c->closed)
        conn_maybe_read(c);
    conn_unref(c);
}

/* ---------- requests ---------- */

static void handle_line(conn *c, const char *line, size_t len)
{
    server *s = c->srv;
    json_t *req = NULL;
    if (len > 0 && line[0] == '{') {
        json_error_t je;
        req = json_loadb(line, len, 0, &je);
        if (!req || !json_is_object(req)) {
            json_decref(req);
            uint64_t seq = new_slot(c, NULL, NULL);
            char m[300];
            snprintf(m, sizeof m, "invalid JSON request: %s", je.text);
            reply_error(c, seq, NULL, "bad_request", m);
            return;
        }
    } else {
        /* A plain line is a search for its text; jansson checks the UTF-8. */
        json_t *q = json_stringn(line, len);
        if (!q) {
            uint64_t seq = new_slot(c, "search", NULL);
            reply_error(c, seq, NULL, "bad_request", "the line is not valid UTF-8");
            return;
        }
        req = json_pack("{s:s,s:o}", "op", "search", "q", q);
    }
    json_t *idv = json_object_get(req, "id");
    json_t *id = NULL;
    if (idv && (json_is_string(idv) || json_is_integer(idv) || json_is_real(idv)))
        id = idv;
    json_t *opv = json_object_get(req, "op");
    const char *op = json_is_string(opv) ? json_string_value(opv) : NULL;
    json_t *qv = json_object_get(req, "q");
    /* The slot outlives req: it keeps a static name. */
    static const char *const known[] = {"search", "suggest", "doc", "stats", "ping", "version"};
    const char *opname = "?";
    for (size_t k = 0; op && k < sizeof known / sizeof known[0]; k++)
        if (strcmp(op, known[k]) == 0)
            opname = known[k];
    uint64_t seq = new_slot(c, opname, json_is_string(qv) ? json_string_value(qv) : NULL);
    slot *sl = &c->ring[seq % MAX_INFLIGHT];
    if (!op) {
        reply_error(c, seq, id, "bad_request", "\"op\" must be a string");
    } else if (strcmp(op, "ping") == 0) {
        complete(c, seq, json_pack("{s:b,s:b}", "ok", 1, "pong", 1), id, NULL);
    } else if (strcmp(op, "version") == 0) {
        complete(c, seq,
                 json_pack("{s:b,s:s,s:s,s:i}", "ok", 1, "name", "socasma-searchd", "version",
                           PACKAGE_VERSION, "protocol", SRV_PROTOCOL_VERSION),
                 id, NULL);
    } else {
        int o = -1;
        for (int i = 0; i < 4; i++)
            if (strcmp(op, op_names[i]) == 0)
                o = i;
        if (o < 0) {
            reply_error(c, seq, id, "bad_request", "unknown op");
        } else {
            sl->op = op_names[o];
            req_job *r = calloc(1, sizeof *r);
            if (!r) {
                reply_error(c, seq, id, "internal", "out of memory");
            } else {
                r->job.work = job_work;
                r->c = c;
                r->seq = seq;
                r->op = o;
                r->req = json_incref(req);
                r->timeout_ms = s->cfg->request_timeout_ms;
                if (srv_pool_submit(s->pool, &r->job) < 0) {
                    json_decref(r->req);
                    free(r);
                    reply_error(c, seq, id, "overloaded", "too many requests waiting");
                } else
                    c->refs++;
            }
        }
    }
    json_decref(req);
}

/* Handles the complete lines held, as long as the connection may take more. */
static void process_input(conn *c)
{
    while (!c->closed && !c->broken && c->seq_next - c->seq_send < MAX_INFLIGHT &&
           c->write_bytes < MAX_WRITE_BYTES) {
        const char *line;
        size_t len;
        int r = srv_linebuf_next(&c->in, &line, &len);
        if (r == SRV_LINE_NONE)
            break;
        if (r == SRV_LINE_TOO_LONG) {
            uint64_t seq = new_slot(c, NULL, NULL);
            c->closing = 1;
            c->broken = 1; /* the rest of the stream cannot be framed */
            srv_linebuf_free(&c->in);
            uv_timer_start(&c->idle, on_idle, 2000, 0);
            reply_error(c, seq, NULL, "too_long", "the request line is too long");
            break;
        }
        handle_line(c, line, len);
    }
}

/* ---------- connections ---------- */

/* Closing, every line read answered and written. */
static int conn_done(const conn *c)
{
    if (!c->closing || c->seq_send != c->seq_next || c->write_bytes != 0)
        return 0;
    if (c->broken)
        return c->eof; /* closing at once would reset the answer away */
    size_t n = srv_linebuf_pending(&c->in);
    return n == 0 || memchr(c->in.buf + c->in.start, '\n', n) == NULL;
}

static void conn_unref(conn *c)
{
    if (--c->refs == 0) {
        server *s = c->srv;
        for (uint64_t q = c->seq_send; q < c->seq_next; q++) {
            slot *sl = &c->ring[q % MAX_INFLIGHT];
            free(sl->text);
            free(sl->query);
        }
        srv_linebuf_free(&c->in);
        free(c);
        maybe_finish_stop(s);
    }
}

static void on_handle_closed(uv_handle_t *h)
{
    conn_unref(h->data);
}

static void conn_close(conn *c)
{
    if (c->closed)
        return;
    c->closed = 1;
    server *s = c->srv;
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    s->nconns--;
    uv_close(&c->h.handle, on_handle_closed);
    uv_close((uv_handle_t *)&c->idle, on_handle_closed);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    (void)suggested;
    static char slab[65536]; /* one loop thread: the data is copied at once */
    *buf = uv_buf_init(slab, sizeof slab);
}

static void on_idle(uv_timer_t *t)
{
    conn *c = t->data;
    if (c->broken) {
        conn_close(c);
        return;
    }
    if (c->seq_send == c->seq_next && c->write_bytes == 0)
        conn_close(c);
    else if (c->srv->cfg->idle_timeout_ms)
        uv_timer_start(&c->idle, on_idle, c->srv->cfg->idle_timeout_ms, 0);
}

static void on_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf)
{
    conn *c = st->data;
    if (n < 0) {
        /* EOF or error: answer what was read, then close. */
        uv_read_stop(st);
        c->reading = 0;
        c->closing = 1;
        c->eof = 1;
        process_input(c);
        if (conn_done(c))
            conn_close(c);
        return;
    }
    if (n == 0)
        return;
    if (c->srv->cfg->idle_timeout_ms)
        uv_timer_start(&c->idle, on_idle, c->srv->cfg->idle_timeout_ms, 0);
    if (c->broken)
        return; /* discarded until the client closes (or the idle timer) */
    if (srv_linebuf_append(&c->in, buf->base, (size_t)n) < 0) {
        conn_close(c);
        return;
    }
    process_input(c);
    conn_maybe_read(c);
}

/* Reads when the connection can take more; stops otherwise (backpressure). */
static void conn_maybe_read(conn *c)
{
    if (c->closed)
        return;
    process_input(c);
    int want = c->broken ? !c->eof :
               !c->closing && !c->srv->stopping &&
               c->seq_next - c->seq_send < MAX_INFLIGHT && c->write_bytes < MAX_WRITE_BYTES;
    if (want && !c->reading) {
        if (uv_read_start(&c->h.stream, on_alloc, on_read) == 0)
            c->reading = 1;
    } else if (!want && c->reading) {
        uv_read_stop(&c->h.stream);
        c->reading = 0;
    }
    if (conn_done(c))
        conn_close(c);
}

static void on_connection(uv_stream_t *lst, int status)
{
    server *s = lst->data;
    if (status < 0)
        return;
    conn *c = calloc(1, sizeof *c);
    if (!c)
        return;
    c->srv = s;
    int is_tcp = lst == (uv_stream_t *)&s->tcp;
    if (is_tcp)
        uv_tcp_init(s->loop, &c->h.tcp);
    else
        uv_pipe_init(s->loop, &c->h.pipe, 0);
    c->h.handle.data = c;
    uv_timer_init(s->loop, &c->idle);
    c->idle.data = c;
    c->refs = 2; /* the two handles */
    srv_linebuf_init(&c->in, s->cfg->max_line);
    if (uv_accept(lst, &c->h.stream) < 0) {
        c->closed = 1;
        uv_close(&c->h.handle, on_handle_closed);
        uv_close((uv_handle_t *)&c->idle, on_handle_closed);
        return;
    }
    snprintf(c->client, sizeof c->client, "unix");
    if (is_tcp) {
        struct sockaddr_storage ss;
        int len = sizeof ss;
        if (uv_tcp_getpeername(&c->h.tcp, (struct sockaddr *)&ss, &len) == 0) {
            char ip[48] = "?";
            if (ss.ss_family == AF_INET6)
                uv_ip6_name((struct sockaddr_in6 *)&ss, ip, sizeof ip);
            else
                uv_ip4_name((struct sockaddr_in *)&ss, ip, sizeof ip);
            snprintf(c->client, sizeof c->client, "%s", ip);
        }
        uv_tcp_nodelay(&c->h.tcp, 1);
    }
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    s->nconns++;
    unsigned maxc = s->cfg->max_connections;
    if (s->nconns > maxc || s->stopping) {
        uint64_t seq = new_slot(c, NULL, NULL);
        c->closing = 1;
        reply_error(c, seq, NULL, "overloaded", "too many connections");
        return;
    }
    if (s->cfg->idle_timeout_ms)
        uv_timer_start(&c->idle, on_idle, s->cfg->idle_timeout_ms, 0);
    conn_maybe_read(c);
}

/* ---------- listeners ---------- */

static int listen_tcp(server *s, char *err, size_t errlen)
{
    char host[256];
    int port;
    if (srv_parse_hostport(s->cfg->listen, host, sizeof host, &port) < 0) {
        snprintf(err, errlen, "bad listen address '%s' (HOST:PORT)", s->cfg->listen);
        return -1;
    }
    if (!srv_is_loopback(host) && !s->cfg->allow_remote) {
        snprintf(err, errlen, "%s is not a loopback address: set allow_remote = yes", host);
        return -1;
    }
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof host, "127.0.0.1");
    struct sockaddr_storage ss;
    if (uv_ip4_addr(host, port, (struct sockaddr_in *)&ss) != 0 &&
        uv_ip6_addr(host, port, (struct sockaddr_in6 *)&ss) != 0) {
        snprintf(err, errlen, "bad listen host '%s'", host);
        return -1;
    }
    uv_tcp_init(s->loop, &s->tcp);
    s->tcp.data = s;
    s->have_tcp = 1;
    int r = uv_tcp_bind(&s->tcp, (struct sockaddr *)&ss, 0);
    if (r == 0)
        r = uv_listen((uv_stream_t *)&s->tcp, 511, on_connection);
    if (r < 0) {
        snprintf(err, errlen, "cannot listen on %s: %s", s->cfg->listen, uv_strerror(r));
        return -1;
    }
    struct sockaddr_storage bound;
    int blen = sizeof bound;
    uv_tcp_getsockname(&s->tcp, (struct sockaddr *)&bound, &blen);
    int bport = ntohs(((struct sockaddr_in *)&bound)->sin_port);
    fprintf(stderr, "socasma-searchd: listening on %s port %d\n", host, bport);
    if (s->opt.port_file) {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s.tmp", s->opt.port_file);
        FILE *f = fopen(tmp, "w");
        if (f) {
            fprintf(f, "%d\n", bport);
            fclose(f);
            rename(tmp, s->opt.port_file);
        }
    }
    return 0;
}

static int listen_unix(server *s, char *err, size_t errlen)
{
    const char *path = s->cfg->socket_path;
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(path); /* a stale socket from an earlier run */
    uv_pipe_init(s->loop, &s->pipe, 0);
    s->pipe.data = s;
    s->have_pipe = 1;
    int r = uv_pipe_bind(&s->pipe, path);
    if (r < 0) {
        snprintf(err, errlen, "cannot bind %s: %s", path, uv_strerror(r));
        return -1;
    }
    chmod(path, s->cfg->socket_mode);
    if (s->cfg->socket_group && *s->cfg->socket_group) {
        struct group *g = getgrnam(s->cfg->socket_group);
        if (!g || chown(path, (uid_t)-1, g->gr_gid) != 0) {
            snprintf(err, errlen, "cannot give %s to group %s", path, s->cfg->socket_group);
            return -1;
        }
    }
    r = uv_listen((uv_stream_t *)&s->pipe, 511, on_connection);
    if (r < 0) {
        snprintf(err, errlen, "cannot listen on %s: %s", path, uv_strerror(r));
        return -1;
    }
    fprintf(stderr, "socasma-searchd: listening on %s\n", path);
    return 0;
}

/* ---------- signals and stopping ---------- */

static void close_listeners(server *s)
{
    if (s->have_tcp && !uv_is_closing((uv_handle_t *)&s->tcp))
        uv_close((uv_handle_t *)&s->tcp, NULL);
    if (s->have_pipe && !uv_is_closing((uv_handle_t *)&s->pipe)) {
        uv_close((uv_handle_t *)&s->pipe, NULL);
        unlink(s->cfg->socket_path);
    }
}

static void final_close(server *s)
{
    close_listeners(s);
    uv_close((uv_handle_t *)&s->sig_term, NULL);
    uv_close((uv_handle_t *)&s->sig_int, NULL);
    uv_close((uv_handle_t *)&s->sig_hup, NULL);
    uv_close((uv_handle_t *)&s->stop_timer, NULL);
}

static void maybe_finish_stop(server *s)
{
    if (s->stopping == 1 && s->conns == NULL) {
        s->stopping = 2;
        final_close(s);
    }
}

static void on_stop_timer(uv_timer_t *t)
{
    server *s = t->data;
    /* Grace time over: drop what is left. */
    while (s->conns)
        conn_close(s->conns);
}

static void on_stop_signal(uv_signal_t *h, int signum)
{
    server *s = h->data;
    (void)signum;
    if (s->stopping)
        return;
    s->stopping = 1;
    close_listeners(s);
    uv_timer_start(&s->stop_timer, on_stop_timer, STOP_GRACE_MS, 0);
    /* Answer what has been read; read no more. */
    conn *next;
    for (conn *c = s->conns; c; c = next) {
        next = c->next;
        process_input(c);
        c->closing = 1;
        conn_maybe_read(c);
    }
    maybe_finish_stop(s);
}

static void keep_string(char **field, const char *value)
{
    if (value)
        cfg_set_string(field, value);
    else {
        free(*field);
        *field = NULL;
    }
}

static void on_hup(uv_signal_t *h, int signum)
{
    server *s = h->data;
    (void)signum;
    const char *path = s->opt.config_path ? s->opt.config_path : s->cfg->path;
    cfg_config *n = calloc(1, sizeof *n);
    char err[512];
    if (!n)
        return;
    if (cfg_load(n, path, err, sizeof err) < 0) {
        fprintf(stderr, "socasma-searchd: reload: %s (keeping the old config)\n", err);
        cfg_free(n);
        free(n);
        return;
    }
    /* What cannot change without a restart, or was set on the command line. */
    keep_string(&n->db_path, s->cfg->db_path);
    keep_string(&n->listen, s->cfg->listen);
    keep_string(&n->socket_path, s->cfg->socket_path);
    keep_string(&n->pid_file, s->cfg->pid_file);
    n->threads = s->cfg->threads;
    cfg_config *old = s->cfg;
    s->cfg = n;
    /* The workers read the config only under the pool's lock, to make an
     * engine (which copies it): once the pool points to the new one, the
     * old one is unused. The caller's own stays the caller's. */
    srv_pool_reconfigure(s->pool, n->db_path, &n->search);
    srv_pool_set_queue_max(s->pool, n->queue_max);
    srv_pool_set_spin(s->pool, n->spin_us);
    if (old != s->first_cfg) {
        cfg_free(old);
        free(old);
    }
    for (conn *c = s->conns; c; c = c->next)
        c->in.max = n->max_line;
    open_log(s);
    fprintf(stderr, "socasma-searchd: configuration reloaded\n");
}

/* ---------- run ---------- */

int srv_run(cfg_config *cfg, const srv_options *opt, char *err, size_t errlen)
{
    server *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = -1;
    s->loop = uv_default_loop();
    s->cfg = s->first_cfg = cfg;
    if (opt)
        s->opt = *opt;
    s->start_ns = srv_now_ns();
    srv_latency_init(&s->lat);
    signal(SIGPIPE, SIG_IGN);
    open_log(s);
    unsigned threads = cfg->threads;
    if (threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned)n : 1;
    }
    if (srv_pool_start(&s->pool, s->loop, threads, cfg->queue_max,
                       cfg->db_path, &cfg->search, job_done, s) < 0) {
        snprintf(err, errlen, "cannot start the worker threads");
        goto out;
    }
    srv_pool_set_spin(s->pool, cfg->spin_us);
    uv_signal_init(s->loop, &s->sig_term);
    uv_signal_init(s->loop, &s->sig_int);
    uv_signal_init(s->loop, &s->sig_hup);
    uv_timer_init(s->loop, &s->stop_timer);
    s->sig_term.data = s->sig_int.data = s->sig_hup.data = s->stop_timer.data = s;
    uv_signal_start(&s->sig_term, on_stop_signal, SIGTERM);
    uv_signal_start(&s->sig_int, on_stop_signal, SIGINT);
    uv_signal_start(&s->sig_hup, on_hup, SIGHUP);
    int any = 0;
    if (cfg->socket_path && *cfg->socket_path) {
        if (listen_unix(s, err, errlen) < 0)
            goto fail;
        any = 1;
    }
    if (cfg->listen && *cfg->listen) {
        if (listen_tcp(s, err, errlen) < 0)
            goto fail;
        any = 1;
    }
    if (!any) {
        snprintf(err, errlen, "nothing to listen on (set listen or socket)");
        goto fail;
    }
    if (cfg->pid_file && *cfg->pid_file) {
        FILE *f = fopen(cfg->pid_file, "w");
        if (!f) {
            snprintf(err, errlen, "cannot write %s: %s", cfg->pid_file, strerror(errno));
            goto fail;
        }
        fprintf(f, "%ld\n", (long)getpid());
        fclose(f);
    }
    fprintf(stderr, "socasma-searchd: ready (%u threads)\n", threads);
#ifdef HAVE_LIBSYSTEMD
    sd_notify(0, "READY=1");
#endif
    uv_run(s->loop, UV_RUN_DEFAULT);
#ifdef HAVE_LIBSYSTEMD
    sd_notify(0, "STOPPING=1");
#endif
    rc = 0;
    if (cfg->pid_file && *cfg->pid_file)
        unlink(cfg->pid_file);
    srv_pool_stop(s->pool);
    s->pool = NULL;
    uv_run(s->loop, UV_RUN_DEFAULT);
    goto out;
fail:
    s->stopping = 2;
    final_close(s);
    srv_pool_stop(s->pool);
    s->pool = NULL;
    uv_run(s->loop, UV_RUN_DEFAULT);
out:
    uv_loop_close(s->loop);
    if (s->log && s->log != stderr)
        fclose(s->log);
    if (s->cfg != cfg) {
        cfg_free(s->cfg);
        free(s->cfg);
    }
    free(s);
    return rc;
}
