/* server.c: the event loop's side of socasma-searchd. Listeners,
 * connections with line framing, the routing of each request (search/'s
 * op table: the engine's ops to the worker pool, ping and version answered
 * here), answers written in request order (per-connection sequence numbers
 * and a reorder ring), backpressure, limits, stats, the access log and the
 * loop's signal handlers (TERM and INT stop, HUP reloads). The loop never
 * runs a search itself; the process's own business (the loop it runs,
 * SIGPIPE, pid file, readiness) is src/cmd/socasma-searchd.c's. */
#include <config.h>

#include <assert.h>
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <uv.h>
#ifdef __GLIBC__
#include <malloc.h> /* malloc_trim */
#endif

#include "server/pool.h"
#include "server/server.h"
#include "server/writer.h"

/* Answers not yet written that a connection may have: beyond it, it is not
 * read until they are flushed (backpressure). Also the reorder ring size.
 * The other bounds of a connection (send_buffer, connection_workers) and of
 * all (send_buffer_total) are the config's. */
#define MAX_INFLIGHT 128
#define STOP_GRACE_MS 4500
/* Bytes read ahead of the requests a connection may take at the moment. */
#define READ_AHEAD (16u << 10)
/* After a connection that held this much memory closes, the heap is given
 * back to the system (malloc_trim) a little later. */
#define TRIM_AFTER_BYTES (256u << 10)
#define TRIM_DELAY_MS 1000
/* A connection's problems are logged at most this often (per kind). */
#define ERR_LOG_EVERY_NS (10ull * 1000000000ull)
/* A connection whose line was too long is closed after this, if the client
 * does not close it first (closing at once could lose the answer). */
#define BROKEN_LINGER_MS 2000

/* The error codes the stats count, in the order of search/'s table. */
static const int err_status[] = {
#define SRV_ERR_ROW(name, value, code) SRCH_ERR_##name,
    SRCH_ERRNO_MAP(SRV_ERR_ROW)
#undef SRV_ERR_ROW
};
#define N_ERR (sizeof err_status / sizeof err_status[0])

typedef struct conn conn;

/* The answer of one request, waiting for those before it. */
typedef struct {
    char *text;     /* the answer line with its '\n' */
    size_t len;
    int ready;
    const char *op; /* the op's static name for the access log, or NULL */
    int status;     /* SRCH_OK or the error's status */
    uint64_t start_ns;
    char *query;    /* for the access log when log_queries */
    char *note;     /* for the access log: a write's counts */
} slot;

struct conn {
    union {
        uv_tcp_t tcp;
        uv_pipe_t pipe;
        uv_stream_t stream;
        uv_handle_t handle;
    } h;
    srv_server *srv;
    conn *prev, *next;
    srv_linebuf in;
    char client[64];
    uv_timer_t idle;    /* the connection's one timer: idle, line, send, linger */
    int is_tcp;
    atomic_int gone;    /* closed: its requests still running stop (workers read it) */
    unsigned running;   /* its requests handed to the workers, not yet done */
    int stalled;        /* not read: lines wait until it may take more */
    uint64_t line_start;    /* when the line being received began (0: none) */
    uint64_t last_active;   /* the last whole line read or answer written */
    uint64_t send_progress; /* the last write done, while answers wait to go */
    uint64_t linger_until;  /* broken: closed then at the latest */
    size_t write_peak;      /* most bytes it had waiting to be written */
    /* The reorder ring: requests seq_send <= seq < seq_next are in flight,
     * each in ring[seq % MAX_INFLIGHT]; at most MAX_INFLIGHT at once. */
    uint64_t seq_next;  /* next sequence number to give */
    uint64_t seq_send;  /* next sequence number to write */
    slot ring[MAX_INFLIGHT];
    size_t write_bytes; /* bytes handed to uv_write, not yet written */
    int reading;
    int closing;        /* read no more; close once everything is answered */
    int broken;         /* a line was too long: the stream cannot be framed */
    int eof;            /* the client shut its side */
    int closed;         /* uv_close called */
    int refs;           /* jobs in flight + writes in flight + handles open */
};

struct srv_server {
    uv_loop_t *loop;
    cfg_config *cfg;
    srv_options opt;
    uv_tcp_t tcp;
    uv_pipe_t pipe;
    int have_tcp, have_pipe;
    int tcp_port;
    unsigned threads;
    uv_signal_t sig_term, sig_int, sig_hup;
    uv_timer_t stop_timer;
    int have_handles;      /* the signals and the timer are initialised */
    srv_pool *pool;
    srv_writer *writer;    /* the writes (writer.c) */
    conn *conns;
    unsigned nconns;
    unsigned ntcp, nunix;  /* open connections of each listener */
    unsigned max_tcp, max_unix; /* their limits: the configured ones, or what
                                   the open-file budget leaves (fdbudget.c) */
    unsigned fd_base;      /* descriptors open at the start (listeners, logs) */
    srv_peers peers;       /* TCP connections per client address */
    size_t write_total;    /* answer bytes waiting to be written, all connections */
    uv_timer_t trim_timer; /* gives freed memory back (malloc_trim) */
    uint64_t err_log_ns;   /* the last database error logged, and when */
    char err_logged[256];
    int stopping;          /* 1: draining the connections, 2: handles closed */
    FILE *log;             /* the access log file (NULL: none, or "-") */
    int log_to_callback;   /* access_log = "-": lines go to opt.log */
    /* stats */
    uint64_t start_ns;
    uint64_t requests;
    uint64_t errors[N_ERR];
    srv_latency lat;
    cfg_config *first_cfg; /* the caller's */
};

/* A request run by a worker. */
typedef struct {
    srv_job job;
    conn *c;
    uint64_t seq;
    srch_op op;
    json_t *req;
    unsigned timeout_ms;
    /* result */
    json_t *answer; /* stats only: completed on the loop with the daemon's figures */
    char *text;     /* the answer line */
    size_t len;
    int status;
    char *detail; /* the engine's message of a failure, for the log only */
} req_job;

static void conn_maybe_read(conn *c);
static int conn_done(const conn *c);
static void conn_close(conn *c);
static void conn_arm(conn *c);
static void maybe_finish_stop(srv_server *s);

/* ---------- messages and the access log ---------- */

static void say(srv_server *s, srv_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void say(srv_server *s, srv_log_level level, const char *fmt, ...)
{
    if (!s->opt.log)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    s->opt.log(s->opt.log_arg, level, msg);
}

static void log_request(srv_server *s, conn *c, const slot *sl)
{
    if (!s->log && !s->log_to_callback)
        return;
    double ms = (double)(srv_now_ns() - sl->start_ns) / 1e6;
    time_t now = time(NULL);
    struct tm tm;
    char ts[32], head[256];
    gmtime_r(&now, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(head, sizeof head, "%s %s %s %zu %.3f %s", ts, c->client, sl->op ? sl->op : "-",
             sl->len, ms, srch_status_code(sl->status));
    if (sl->note) {
        size_t n = strlen(head);
        snprintf(head + n, sizeof head - n, " %s", sl->note);
    }
    const char *q = s->cfg->log_queries ? sl->query : NULL;
    /* The query as a JSON string: a newline or a control byte in it can
     * neither forge a line nor reach a terminal. */
    txt_buf b = {0};
    if (txt_buf_adds(&b, head) != TXT_OK ||
        (q && (txt_buf_adds(&b, " q=") != TXT_OK || srv_log_quote(&b, q, strlen(q)) != 0))) {
        txt_buf_free(&b);
        return;
    }
    if (s->log) {
        fprintf(s->log, "%s\n", b.p);
        fflush(s->log);
    } else
        s->opt.log(s->opt.log_arg, SRV_LOG_ACCESS, b.p);
    txt_buf_free(&b);
}

static void open_log(srv_server *s)
{
    if (s->log)
        fclose(s->log);
    s->log = NULL;
    s->log_to_callback = 0;
    const char *p = s->cfg->access_log;
    if (!p || !*p)
        return;
    if (strcmp(p, "-") == 0)
        s->log_to_callback = s->opt.log != NULL;
    else if (!(s->log = fopen(p, "a")))
        say(s, SRV_LOG_ERROR, "cannot open the access log %s: %s", p, strerror(errno));
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
    srv_server *s = c->srv;
    assert(c->write_bytes >= wr->len && s->write_total >= wr->len);
    int over = s->write_total >= s->cfg->send_buffer_total;
    c->write_bytes -= wr->len;
    s->write_total -= wr->len;
    free(wr->text);
    free(wr);
    if (status == 0)
        c->send_progress = c->last_active = srv_now_ns();
    if (status < 0 && !c->closed)
        conn_close(c);
    else if (!c->closed) {
        if (conn_done(c))
            conn_close(c);
        else
            conn_maybe_read(c);
    }
    if (over && s->write_total < s->cfg->send_buffer_total) {
        /* below the global bound again: the connections it held may read */
        conn *next;
        for (conn *o = s->conns; o; o = next) {
            next = o->next;
            if (o != c)
                conn_maybe_read(o);
        }
    }
    conn_unref(c);
}

/* Hands the line to libuv (taken); on failure the connection is closed. */
static void write_line(conn *c, char *text, size_t len)
{
    write_req *wr = text ? malloc(sizeof *wr) : NULL;
    if (!wr) {
        free(text);
        conn_close(c);
        return;
    }
    wr->c = c;
    wr->text = text;
    wr->len = len;
    uv_buf_t b = uv_buf_init(text, (unsigned)len);
    c->refs++;
    if (c->write_bytes == 0)
        c->send_progress = srv_now_ns();
    c->write_bytes += len;
    c->srv->write_total += len;
    if (c->write_bytes > c->write_peak)
        c->write_peak = c->write_bytes;
    if (uv_write(&wr->w, &c->h.stream, &b, 1, on_written) < 0) {
        c->refs--;
        c->write_bytes -= len;
        c->srv->write_total -= len;
        free(wr->text);
        free(wr);
        conn_close(c);
    }
}

/* Writes the answers that are ready, in order, and counts them. */
static void flush_ready(conn *c)
{
    srv_server *s = c->srv;
    assert(c->seq_send <= c->seq_next && c->seq_next - c->seq_send <= MAX_INFLIGHT);
    while (c->seq_send < c->seq_next) {
        slot *sl = &c->ring[c->seq_send % MAX_INFLIGHT];
        if (!sl->ready)
            break;
        s->requests++;
        srv_latency_add(&s->lat, (double)(srv_now_ns() - sl->start_ns) / 1e6);
        for (size_t i = 0; i < N_ERR && sl->status != SRCH_OK; i++)
            if (err_status[i] == sl->status)
                s->errors[i]++;
        /* The answer goes out first, the access log line after it (a
         * write to the log file is no part of the client's wait). */
        if (!c->closed)
            write_line(c, sl->text, sl->len);
        else
            free(sl->text);
        sl->text = NULL;
        log_request(s, c, sl);
        free(sl->query);
        free(sl->note);
        memset(sl, 0, sizeof *sl);
        c->seq_send++;
    }
    if (!c->closed && conn_done(c))
        conn_close(c);
}

/* Fills the slot of seq with its line (taken) and writes what is due. */
static void complete_text(conn *c, uint64_t seq, char *text, size_t len, int status)
{
    assert(seq >= c->seq_send && seq < c->seq_next);
    slot *sl = &c->ring[seq % MAX_INFLIGHT];
    assert(!sl->ready);
    sl->text = text;
    sl->len = text ? len : 0;
    sl->status = status;
    sl->ready = 1;
    flush_ready(c);
}

/* The same with an answer object (consumed). */
static void complete(conn *c, uint64_t seq, json_t *answer, int status)
{
    size_t len = 0;
    char *text = srch_answer_line(answer, &len, &status);
    complete_text(c, seq, text, len, status);
}

/* Takes the next sequence number and its slot (the caller makes sure the
 * ring has room). */
static uint64_t new_slot(conn *c, const char *op, const char *query)
{
    assert(c->seq_next - c->seq_send < MAX_INFLIGHT);
    uint64_t seq = c->seq_next++;
    slot *sl = &c->ring[seq % MAX_INFLIGHT];
    memset(sl, 0, sizeof *sl);
    sl->op = op;
    sl->start_ns = srv_now_ns();
    if (query && c->srv->cfg->log_queries)
        sl->query = strdup(query);
    return seq;
}

static void reply_error(conn *c, uint64_t seq, const json_t *req, int status, const char *msg)
{
    complete(c, seq, srch_error_answer(req, status, msg), status);
}

/* ---------- jobs ---------- */

/* A search's registration with the writer (srv_writer_read_begin). */
typedef struct {
    srv_writer *w;
    srv_read read;
} read_reg;

/* The engine's retry hook: the search met a commit; its next try is
 * protected from the commit after next. */
static void protect_read(void *arg)
{
    read_reg *reg = arg;
    srv_writer_read_protect(reg->w, &reg->read);
}

/* On a worker: the request through search/'s srch_handle(), and its
 * answer encoded there rather than on the loop (except stats, which the
 * loop completes with its own figures). */
static void job_work(srv_job *j, srch_engine *e)
{
    req_job *r = (req_job *)j;
    json_t *ans = NULL;
    if (atomic_load(&r->c->gone)) {
        /* nobody to answer: the loop drops it */
        r->status = SRCH_ERR_TIMEOUT;
        ans = srch_error_answer(r->req, r->status, "the client went away");
    } else if ((srv_now_ns() - j->enqueued_ns) / 1000000u > r->timeout_ms) {
        r->status = SRCH_ERR_TIMEOUT;
        ans = srch_error_answer(r->req, r->status, "the request waited too long for a worker");
    } else {
        /* a commit of this daemon's writer is seen by the next search;
         * a search that meets one (its revision overwritten) is tried
         * again, protected from the commit after next (writer.h) */
        read_reg reg = {.w = r->c->srv->writer};
        srv_writer_read_begin(reg.w, &reg.read);
        srch_engine_sync(e, reg.read.gen);
        srch_engine_set_cancel(e, &r->c->gone);
        srch_engine_set_retry_hook(e, protect_read, &reg);
        r->status = srch_handle(e, r->req, &ans);
        srch_engine_set_retry_hook(e, NULL, NULL);
        srch_engine_set_cancel(e, NULL);
        srv_writer_read_end(reg.w, &reg.read);
        if (e && (r->status == SRCH_ERR_UNAVAILABLE || r->status == SRCH_ERR_INTERNAL)) {
            /* Paths and library messages are for the log, not for clients. */
            r->detail = strdup(srch_errmsg(e));
            json_decref(ans);
            ans = srch_error_answer(r->req, r->status,
                                    r->status == SRCH_ERR_UNAVAILABLE
                                        ? "the database is unavailable; the daemon's log says why"
                                        : "internal error; the daemon's log says more");
        }
        if (r->op == SRCH_OP_STATS && e) {
            if (r->status != SRCH_OK) {
                /* The daemon's own figures are still worth answering. */
                json_t *partial = json_pack("{s:b,s:s}", "ok", 1, "db_error",
                                            srch_status_code(r->status));
                json_decref(ans);
                ans = partial;
                r->status = SRCH_OK;
            }
            r->answer = ans;
            return;
        }
    }
    r->text = srch_answer_line(ans, &r->len, &r->status);
}

/* Milliseconds to the microsecond: enough, and short in JSON. */
static double round3(double v)
{
    return (double)(long long)(v * 1000.0 + 0.5) / 1000.0;
}

/* The daemon's role in "version" and "stats": "primary", or "replica"
 * and its primary (primary =). */
static void add_role(const srv_server *s, json_t *out)
{
    const char *primary = srv_writer_primary(s->writer);
    json_object_set_new(out, "role", json_string(primary ? "replica" : "primary"));
    if (primary)
        json_object_set_new(out, "primary", json_string(primary));
}

static void add_server_stats(srv_server *s, json_t *out)
{
    json_t *errs = json_object();
    for (size_t i = 0; i < N_ERR; i++)
        json_object_set_new(errs, srch_status_code(err_status[i]),
                            json_integer((json_int_t)s->errors[i]));
    json_t *lat = json_pack("{s:f,s:f,s:f}", "p50", round3(srv_latency_percentile(&s->lat, 50)),
                            "p95", round3(srv_latency_percentile(&s->lat, 95)), "p99",
                            round3(srv_latency_percentile(&s->lat, 99)));
    json_t *srv = json_pack("{s:f,s:I,s:o,s:o,s:I,s:I}", "uptime_s",
                            round3((double)(srv_now_ns() - s->start_ns) / 1e9), "requests",
                            (json_int_t)s->requests, "errors", errs, "latency_ms", lat,
                            "queue_depth", (json_int_t)srv_pool_depth(s->pool), "connections",
                            (json_int_t)s->nconns);
    if (srv)
        add_role(s, srv);
    if (srv && s->writer) {
        json_t *wr = srv_writer_stats(s->writer);
        if (wr)
            json_object_set_new(srv, "writer", wr);
    }
    json_object_set_new(out, "server", srv);
}

/* On the loop: a worker finished r. */
static void job_done(srv_job *j, void *arg)
{
    srv_server *s = arg;
    req_job *r = (req_job *)j;
    conn *c = r->c;
    assert(c->running > 0);
    c->running--;
    if (r->detail) {
        /* the same failure is logged again only after a while */
        uint64_t now = srv_now_ns();
        if (strncmp(r->detail, s->err_logged, sizeof s->err_logged - 1) != 0 ||
            now - s->err_log_ns >= ERR_LOG_EVERY_NS) {
            say(s, SRV_LOG_ERROR, "%s: %s", srch_op_name(r->op), r->detail);
            snprintf(s->err_logged, sizeof s->err_logged, "%s", r->detail);
            s->err_log_ns = now;
        }
        free(r->detail);
    }
    if (r->answer) {
        /* stats: the daemon's figures, then the id last, as in every answer */
        json_object_del(r->answer, "id");
        add_server_stats(s, r->answer);
        complete(c, r->seq, srch_answer_for(r->req, r->answer), r->status);
    } else
        complete_text(c, r->seq, r->text, r->len, r->status);
    json_decref(r->req);
    free(r);
    if (!c->closed)
        conn_maybe_read(c);
    conn_unref(c);
}

/* On the loop: the writer answered a write. */
static void write_done(srv_wjob *j, void *arg)
{
    (void)arg;
    conn *c = j->arg;
    if (j->note[0])
        c->ring[j->seq % MAX_INFLIGHT].note = strdup(j->note);
    complete_text(c, j->seq, j->text, j->len, j->status);
    j->text = NULL;
    srv_wjob_free(j);
    if (!c->closed)
        conn_maybe_read(c);
    conn_unref(c);
}

/* A message of the writer, to the server's log. */
static void writer_log(int error, const char *msg, void *arg)
{
    say(arg, error ? SRV_LOG_ERROR : SRV_LOG_INFO, "%s", msg);
}

/* A put or delete (taken) to the writer, when this connection may write. */
static void submit_write(conn *c, uint64_t seq, json_t *req)
{
    srv_server *s = c->srv;
    char msg[64 + CFG_PRIMARY_MAX]; /* a replica's names its primary */
    int st = srv_writer_allowed(s->writer, c->is_tcp, req, msg, sizeof msg);
    srv_wjob *j = st == SRCH_OK ? calloc(1, sizeof *j) : NULL;
    if (st == SRCH_OK && !j) {
        st = SRCH_ERR_INTERNAL;
        snprintf(msg, sizeof msg, "out of memory");
    }
    if (st == SRCH_OK) {
        j->req = req;
        j->arg = c;
        j->seq = seq;
        if (srv_writer_submit(s->writer, j) == 0) {
            c->refs++;
            return;
        }
        j->req = NULL;
        free(j);
        st = SRCH_ERR_OVERLOADED;
        snprintf(msg, sizeof msg, "too many writes waiting");
    }
    reply_error(c, seq, req, st, msg);
    json_decref(req);
}

/* ---------- requests ---------- */

/* The ops the daemon answers itself (SRCH_RUN_HOST). */
static json_t *answer_here(const srv_server *s, srch_op op)
{
    json_t *a;
    switch (op) {
    case SRCH_OP_PING: return json_pack("{s:b,s:b}", "ok", 1, "pong", 1);
    case SRCH_OP_VERSION:
        a = json_pack("{s:b,s:s,s:s,s:i}", "ok", 1, "name", "socasma-searchd", "version",
                      PACKAGE_VERSION, "protocol", SRV_PROTOCOL_VERSION);
        if (a)
            add_role(s, a);
        return a;
    default: return NULL;
    }
}

/* Queues req (taken) for a worker. */
static void submit(conn *c, uint64_t seq, srch_op op, json_t *req)
{
    srv_server *s = c->srv;
    req_job *r = calloc(1, sizeof *r);
    if (!r) {
        reply_error(c, seq, req, SRCH_ERR_INTERNAL, "out of memory");
        json_decref(req);
        return;
    }
    r->job.work = job_work;
    r->c = c;
    r->seq = seq;
    r->op = op;
    r->req = req;
    r->timeout_ms = s->cfg->request_timeout_ms;
    if (srv_pool_submit(s->pool, &r->job) < 0) {
        reply_error(c, seq, req, SRCH_ERR_OVERLOADED, "too many requests waiting");
        json_decref(req);
        free(r);
        return;
    }
    c->refs++;
    c->running++;
}

static void handle_line(conn *c, const char *line, size_t len)
{
    json_t *req = NULL, *ans = NULL;
    int st = srch_read_line(line, len, &req, &ans);
    if (st != SRCH_OK) {
        /* in the access log: a plain line was a search */
        uint64_t seq = new_slot(c, len > 0 && line[0] == '{' ? NULL : "search", NULL);
        complete(c, seq, ans, st);
        return;
    }
    srch_op op;
    st = srch_request_op(req, &op, &ans);
    json_t *qv = st == SRCH_OK && srch_op_runner(op) != SRCH_RUN_WRITER ? json_object_get(req, "q")
                                                                        : NULL;
    uint64_t seq = new_slot(c, srch_op_name(op), json_is_string(qv) ? json_string_value(qv) : NULL);
    if (st != SRCH_OK)
        complete(c, seq, ans, st);
    else if (srch_op_runner(op) == SRCH_RUN_WRITER) {
        submit_write(c, seq, req);
        return; /* req is the writer's */
    }
    else if (srch_op_runner(op) == SRCH_RUN_HOST) {
        json_t *a = answer_here(c->srv, op);
        if (a)
            complete(c, seq, srch_answer_for(req, a), SRCH_OK);
        else
            reply_error(c, seq, req, SRCH_ERR_INTERNAL, "op without an answer");
    } else {
        submit(c, seq, op, req);
        return; /* req is the job's */
    }
    json_decref(req);
}

/* The requests of one connection the workers may run at once: one client
 * cannot take every worker. */
static unsigned worker_share(const srv_server *s)
{
    unsigned n = s->cfg->connection_workers;
    if (n == 0)
        n = s->threads / 2;
    return n ? n : 1;
}

/* 1 when c may take one more request: room in its ring, a worker share
 * free, its answers and everyone's not over their bounds. Otherwise its
 * lines wait in its input, and it is not read meanwhile. */
static int may_admit(const conn *c)
{
    const srv_server *s = c->srv;
    return c->seq_next - c->seq_send < MAX_INFLIGHT && c->running < worker_share(s) &&
           c->write_bytes < s->cfg->send_buffer && s->write_total < s->cfg->send_buffer_total;
}

/* The stream cannot be framed any more (a line too long, or too slow):
 * answers status, reads no more requests; closed once the client closes,
 * or after BROKEN_LINGER_MS (closing at once could lose the answer). */
static void conn_break(conn *c, int status, const char *msg)
{
    uint64_t seq = new_slot(c, NULL, NULL);
    c->closing = 1;
    c->broken = 1;
    c->line_start = 0;
    c->linger_until = srv_now_ns() + (uint64_t)BROKEN_LINGER_MS * 1000000u;
    srv_linebuf_free(&c->in);
    reply_error(c, seq, NULL, status, msg);
}

/* Handles the complete lines held, as long as the connection may take more. */
static void process_input(conn *c)
{
    while (!c->closed && !c->broken) {
        if (!may_admit(c)) {
            c->stalled = srv_linebuf_pending(&c->in) > 0;
            c->line_start = 0; /* waiting on the daemon, not the client */
            return;
        }
        const char *line;
        size_t len;
        int r = srv_linebuf_next(&c->in, &line, &len);
        if (r == SRV_LINE_NONE) {
            /* a line begun (in this read at the latest) has line_timeout
             * to end, however its bytes trickle in */
            c->stalled = 0;
            if (srv_linebuf_pending(&c->in) == 0)
                c->line_start = 0;
            else if (!c->line_start)
                c->line_start = srv_now_ns();
            return;
        }
        if (r == SRV_LINE_TOO_LONG) {
            conn_break(c, SRCH_ERR_TOO_LONG, "the request line is too long");
            return;
        }
        c->line_start = 0;
        c->last_active = srv_now_ns();
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
    return n == 0 || memchr(srv_linebuf_data(&c->in), '\n', n) == NULL;
}

static void on_trim(uv_timer_t *t)
{
    (void)t;
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

static void conn_unref(conn *c)
{
    assert(c->refs > 0);
    if (--c->refs == 0) {
        assert(c->closed && c->write_bytes == 0);
        srv_server *s = c->srv;
        for (uint64_t q = c->seq_send; q < c->seq_next; q++) {
            slot *sl = &c->ring[q % MAX_INFLIGHT];
            free(sl->text);
            free(sl->query);
            free(sl->note);
        }
        /* a connection that held much memory: give the heap back soon */
        if (c->write_peak >= TRIM_AFTER_BYTES || c->in.in.cap >= TRIM_AFTER_BYTES ||
            s->nconns == 0)
            if (s->have_handles && !uv_is_active((uv_handle_t *)&s->trim_timer))
                uv_timer_start(&s->trim_timer, on_trim, TRIM_DELAY_MS, 0);
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
    /* its requests still running stop at their next check */
    atomic_store(&c->gone, 1);
    srv_server *s = c->srv;
    if (c->is_tcp) {
        assert(s->ntcp > 0);
        s->ntcp--;
        srv_peers_remove(&s->peers, c->client);
    } else {
        assert(s->nunix > 0);
        s->nunix--;
    }
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
    (void)suggested;
    static char slab[65536]; /* one loop thread: the data is copied at once */
    /* reading ahead of what it may take: a little at a time */
    const conn *c = h->data;
    size_t n = c->broken || may_admit(c) ? sizeof slab : READ_AHEAD;
    *buf = uv_buf_init(slab, (unsigned)n);
}

/* ---------- the connection's deadlines ----------
 * One timer per connection, set to the nearest of:
 *   line:   a request line begun must end within line_timeout of its
 *           first byte, however slowly its bytes come (slowloris);
 *   send:   answers waiting to be written must make progress within
 *           send_timeout (a client that pipelines and never reads);
 *   idle:   nothing asked, nothing to answer, for idle_timeout;
 *   linger: a broken stream is closed BROKEN_LINGER_MS after its answer. */

enum { DUE_NONE, DUE_LINE, DUE_SEND, DUE_IDLE, DUE_LINGER };

static int next_due(const conn *c, uint64_t *when)
{
    const cfg_config *cfg = c->srv->cfg;
    uint64_t best = UINT64_MAX;
    int kind = DUE_NONE;
#define DUE(k, t)                                                                                      do {                                                                                                   uint64_t t_ = (t);                                                                                 if (t_ < best) {                                                                                       best = t_;                                                                                         kind = (k);                                                                                    }                                                                                              } while (0)
    if (c->broken)
        DUE(DUE_LINGER, c->linger_until);
    else {
        if (c->line_start && c->reading)
            DUE(DUE_LINE, c->line_start + (uint64_t)cfg->line_timeout_ms * 1000000u);
        if (c->write_bytes > 0)
            DUE(DUE_SEND, c->send_progress + (uint64_t)cfg->send_timeout_ms * 1000000u);
        if (c->seq_send == c->seq_next && c->write_bytes == 0 && !c->line_start &&
            cfg->idle_timeout_ms)
            DUE(DUE_IDLE, c->last_active + (uint64_t)cfg->idle_timeout_ms * 1000000u);
    }
#undef DUE
    *when = best;
    return kind;
}

static void on_conn_timer(uv_timer_t *t)
{
    conn *c = t->data;
    if (c->closed)
        return;
    uint64_t when;
    int kind = next_due(c, &when);
    if (kind != DUE_NONE && when <= srv_now_ns()) {
        switch (kind) {
        case DUE_LINE:
            conn_break(c, SRCH_ERR_TIMEOUT, "the request line did not end within line_timeout");
            conn_maybe_read(c);
            return;
        case DUE_SEND: /* the client reads nothing: what waits is dropped */
        case DUE_IDLE:
        case DUE_LINGER: conn_close(c); return;
        }
    }
    conn_arm(c);
}

static void conn_arm(conn *c)
{
    if (c->closed)
        return;
    uint64_t when, now = srv_now_ns();
    if (next_due(c, &when) == DUE_NONE) {
        uv_timer_stop(&c->idle);
        return;
    }
    uint64_t ms = when > now ? (when - now + 999999u) / 1000000u : 0;
    uv_timer_start(&c->idle, on_conn_timer, ms, 0);
}

static void on_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf)
{
    conn *c = st->data;
    if (n < 0 && n != UV_EOF) {
        /* reset or error: nobody to answer; what runs for it stops */
        conn_close(c);
        return;
    }
    if (n < 0) {
        /* EOF (the client may only have shut its side): answer what was
         * read, then close. */
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
    if (c->broken)
        return; /* discarded until the client closes (or the linger time) */
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
    if (c->closed)
        return;
    /* Read while it may take a request; else a little ahead only (so that
     * a client that hangs up is seen, and its requests stopped). */
    int want = c->broken ? !c->eof :
               !c->closing && !c->srv->stopping &&
               (may_admit(c) || srv_linebuf_pending(&c->in) < READ_AHEAD);
    if (want && !c->reading) {
        if (uv_read_start(&c->h.stream, on_alloc, on_read) == 0)
            c->reading = 1;
    } else if (!want && c->reading) {
        uv_read_stop(&c->h.stream);
        c->reading = 0;
    }
    if (!c->stalled && srv_linebuf_pending(&c->in) == 0)
        srv_linebuf_shrink(&c->in);
    if (conn_done(c))
        conn_close(c);
    else
        conn_arm(c);
}

static void on_connection(uv_stream_t *lst, int status)
{
    srv_server *s = lst->data;
    if (status < 0)
        return;
    conn *c = calloc(1, sizeof *c);
    if (!c)
        return;
    c->srv = s;
    atomic_init(&c->gone, 0);
    c->last_active = srv_now_ns();
    int is_tcp = lst == (uv_stream_t *)&s->tcp;
    if (is_tcp)
        uv_tcp_init(s->loop, &c->h.tcp);
    else
        uv_pipe_init(s->loop, &c->h.pipe, 0);
    c->h.handle.data = c;
    uv_timer_init(s->loop, &c->idle);
    c->idle.data = c;
    c->refs = 2; /* the two handles */
    srv_linebuf_init(&c->in, srv_writer_line_max(s->cfg, is_tcp));
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
    /* TCP and the Unix socket have limits of their own, so TCP clients
     * cannot lock the website's backend out; one address cannot take all
     * of TCP's. */
    c->is_tcp = is_tcp;
    const char *why = NULL;
    if (is_tcp) {
        s->ntcp++;
        unsigned from = srv_peers_add(&s->peers, c->client);
        if (from == 0) {
            /* not counted: close it as it is */
            c->is_tcp = 0;
            s->nunix++;
            conn_close(c);
            return;
        }
        if (s->ntcp > s->max_tcp)
            why = "too many connections";
        else if (from > s->cfg->max_connections_per_ip)
            why = "too many connections from this address";
    } else if (++s->nunix > s->max_unix)
        why = "too many connections";
    if (why || s->stopping) {
        uint64_t seq = new_slot(c, NULL, NULL);
        c->closing = 1;
        reply_error(c, seq, NULL, SRCH_ERR_OVERLOADED, why ? why : "the daemon is stopping");
        conn_arm(c);
        return;
    }
    conn_maybe_read(c);
}

/* ---------- listeners ---------- */

static int listen_tcp(srv_server *s, char *err, size_t errlen)
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
    s->tcp_port = ntohs(((struct sockaddr_in *)&bound)->sin_port);
    say(s, SRV_LOG_INFO, "listening on %s port %d", host, s->tcp_port);
    return 0;
}

static int listen_unix(srv_server *s, char *err, size_t errlen)
{
    const char *path = s->cfg->socket_path;
    /* only a stale socket is removed: a daemon that answers there keeps it */
    int r = srv_unix_claim(path, err, errlen);
    if (r != 0)
        return r;
    uv_pipe_init(s->loop, &s->pipe, 0);
    s->pipe.data = s;
    s->have_pipe = 1;
    r = uv_pipe_bind(&s->pipe, path);
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
    say(s, SRV_LOG_INFO, "listening on %s", path);
    return 0;
}

/* ---------- signals and stopping ---------- */

static void close_listeners(srv_server *s)
{
    if (s->have_tcp && !uv_is_closing((uv_handle_t *)&s->tcp))
        uv_close((uv_handle_t *)&s->tcp, NULL);
    if (s->have_pipe && !uv_is_closing((uv_handle_t *)&s->pipe)) {
        uv_close((uv_handle_t *)&s->pipe, NULL);
        unlink(s->cfg->socket_path);
    }
}

static void final_close(srv_server *s)
{
    close_listeners(s);
    if (s->have_handles) {
        uv_close((uv_handle_t *)&s->sig_term, NULL);
        uv_close((uv_handle_t *)&s->sig_int, NULL);
        uv_close((uv_handle_t *)&s->sig_hup, NULL);
        uv_close((uv_handle_t *)&s->stop_timer, NULL);
        uv_close((uv_handle_t *)&s->trim_timer, NULL);
        s->have_handles = 0;
    }
}

static void maybe_finish_stop(srv_server *s)
{
    if (s->stopping == 1 && s->conns == NULL) {
        s->stopping = 2;
        final_close(s);
    }
}

static void on_stop_timer(uv_timer_t *t)
{
    srv_server *s = t->data;
    /* Grace time over: drop what is left. */
    while (s->conns)
        conn_close(s->conns);
}

static void on_stop_signal(uv_signal_t *h, int signum)
{
    srv_server *s = h->data;
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

/* Fits the connection limits of cfg in the open-file budget: the soft
 * limit is raised when it can be, the limits lowered when it cannot (and
 * said in the log). 0, or -1 (err says why) when not even one connection
 * per listener fits. */
static int plan_fds(srv_server *s, const cfg_config *cfg, char *err, size_t errlen)
{
    unsigned want_tcp = s->have_tcp ? cfg->max_connections : 0;
    unsigned want_unix = s->have_pipe ? cfg->max_unix_connections : 0;
    int writes = !(cfg->write_mode && strcmp(cfg->write_mode, "none") == 0);
    unsigned reserve =
        srv_fd_reserve(s->fd_base, s->threads, srv_fd_databases(cfg->db_path), writes);
    srv_fd_budget b;
    if (srv_fd_plan(reserve, want_tcp, want_unix, &b) < 0) {
        snprintf(err, errlen,
                 "the limit on open files (%lu) is too low: the daemon keeps %u for its "
                 "database files and needs at least %u (raise it with ulimit -n or "
                 "LimitNOFILE=, or use fewer threads)",
                 b.limit, reserve, reserve + (want_tcp ? 1 : 0) + (want_unix ? 1 : 0));
        return -1;
    }
    if (b.raised_from)
        say(s, SRV_LOG_INFO, "open files: soft limit raised from %lu to %lu", b.raised_from,
            b.limit);
    if (b.lowered)
        say(s, SRV_LOG_INFO,
            "open files: warning: the limit (%lu, of which %u kept for the daemon's own files) holds "
            "%u TCP and %u Unix socket connections, below max_connections = %u and "
            "max_unix_connections = %u",
            b.limit, reserve, b.tcp, b.unix_, cfg->max_connections,
            cfg->max_unix_connections);
    s->max_tcp = b.tcp;
    s->max_unix = b.unix_;
    return 0;
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
    srv_server *s = h->data;
    (void)signum;
    const char *path = s->opt.config_path ? s->opt.config_path : s->cfg->path;
    cfg_config *n = calloc(1, sizeof *n);
    char err[512];
    if (!n)
        return;
    if (cfg_load(n, path, err, sizeof err) < 0) {
        say(s, SRV_LOG_ERROR, "reload: %s (keeping the old config)", err);
        cfg_free(n);
        free(n);
        return;
    }
    /* What cannot change without a restart, or was set on the command line. */
    keep_string(&n->db_path, s->cfg->db_path);
    keep_string(&n->listen, s->cfg->listen);
    keep_string(&n->socket_path, s->cfg->socket_path);
    n->threads = s->cfg->threads;
    if (plan_fds(s, n, err, sizeof err) < 0) {
        say(s, SRV_LOG_ERROR, "reload: %s (keeping the old config)", err);
        cfg_free(n);
        free(n);
        return;
    }
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
    char werr[512];
    if (srv_writer_configure(s->writer, n, werr, sizeof werr) < 0)
        say(s, SRV_LOG_ERROR, "reload: %s (keeping the old write settings)", werr);
    for (conn *c = s->conns; c; c = c->next)
        c->in.max = srv_writer_line_max(n, c->is_tcp);
    open_log(s);
    say(s, SRV_LOG_INFO, "configuration reloaded");
}

/* ---------- start and free ---------- */

int srv_start(uv_loop_t *loop, cfg_config *cfg, const srv_options *opt, srv_server **out,
              char *err, size_t errlen)
{
    *out = NULL;
    int rc = -1;
    srv_server *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    s->loop = loop;
    s->cfg = s->first_cfg = cfg;
    if (opt)
        s->opt = *opt;
    s->tcp_port = -1;
    s->start_ns = srv_now_ns();
    srv_latency_init(&s->lat);
    srv_peers_init(&s->peers);
    open_log(s);
    s->threads = cfg->threads;
    if (s->threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        s->threads = n > 0 ? (unsigned)n : 1;
    }
    /* The writer first: it applies what a killed daemon's journal left
     * before the workers open the database. */
    if (srv_writer_start(&s->writer, s->loop, cfg, write_done, writer_log, s, err, errlen) < 0)
        goto fail;
    if (srv_pool_start(&s->pool, s->loop, s->threads, cfg->queue_max, cfg->db_path,
                       &cfg->search, job_done, s) < 0) {
        snprintf(err, errlen, "cannot start the worker threads");
        goto fail;
    }
    srv_pool_set_spin(s->pool, cfg->spin_us);
    uv_signal_init(s->loop, &s->sig_term);
    uv_signal_init(s->loop, &s->sig_int);
    uv_signal_init(s->loop, &s->sig_hup);
    uv_timer_init(s->loop, &s->stop_timer);
    uv_timer_init(s->loop, &s->trim_timer);
    uv_unref((uv_handle_t *)&s->trim_timer);
    s->have_handles = 1;
    s->sig_term.data = s->sig_int.data = s->sig_hup.data = s->stop_timer.data = s;
    uv_signal_start(&s->sig_term, on_stop_signal, SIGTERM);
    uv_signal_start(&s->sig_int, on_stop_signal, SIGINT);
    uv_signal_start(&s->sig_hup, on_hup, SIGHUP);
    int any = 0;
    if (cfg->socket_path && *cfg->socket_path) {
        if ((rc = listen_unix(s, err, errlen)) < 0) {
            /* another daemon's socket: not ours to remove on the way out */
            if (rc == SRV_ERR_IN_USE)
                s->have_pipe = 0;
            goto fail;
        }
        rc = -1;
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
    s->fd_base = srv_fd_open_now();
    if (plan_fds(s, cfg, err, errlen) < 0)
        goto fail;
    *out = s;
    return 0;
fail:
    srv_free(s);
    return rc;
}

int srv_tcp_port(const srv_server *s)
{
    return s->tcp_port;
}

unsigned srv_threads(const srv_server *s)
{
    return s->threads;
}

void srv_free(srv_server *s)
{
    if (!s)
        return;
    if (s->stopping != 2) {
        /* Not run to its end (a failed start, or the caller stops early):
         * drop the connections, close the rest. */
        s->stopping = 2;
        while (s->conns)
            conn_close(s->conns);
        final_close(s);
    }
    if (s->pool)
        srv_pool_stop(s->pool);
    s->pool = NULL;
    srv_writer_stop(s->writer);
    s->writer = NULL;
    /* the closes above and the pool's complete on the loop */
    uv_run(s->loop, UV_RUN_DEFAULT);
    if (s->log)
        fclose(s->log);
    srv_peers_free(&s->peers);
    if (s->cfg != s->first_cfg) {
        cfg_free(s->cfg);
        free(s->cfg);
    }
    free(s);
}
