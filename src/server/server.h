/* server.h: the socasma-searchd daemon as a library: listeners (Unix socket,
 * TCP), the line protocol of doc/PROTOCOL.md (framing, order, limits: the
 * requests themselves are answered by search/'s srch_handle()), a pool of
 * worker threads each with its own search engine, statistics, the access
 * log, and the event loop's handlers of SIGTERM and SIGINT (stop) and
 * SIGHUP (reload the config, reopen the access log).
 *
 * What belongs to the process is the program's (src/cmd/socasma-searchd.c):
 * the loop it runs, SIGPIPE, the pid file, the port file, the readiness
 * notification. The server writes nothing to standard output or error: its
 * messages go to the log callback of srv_options.
 *
 * THREADS: srv_start(), srv_free() and the accessors run on the loop's
 * thread; the server's callbacks run there too. The pieces below are plain
 * data structures for one thread.
 *
 * ERRORS: srv_start() returns -1 with a message; once started, the server
 * answers every failure on the wire (an error answer) and keeps serving.
 */
#ifndef SOCASMA_SERVER_H
#define SOCASMA_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "conf/conf.h"
#include "text/text.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 2: the writes (put, delete); the requests of 1 are answered alike. */
#define SRV_PROTOCOL_VERSION 2

typedef enum {
    SRV_LOG_INFO,   /* what the server does: "listening on ...", "configuration reloaded" */
    SRV_LOG_ERROR,  /* a failure it survives: a reload refused, an access log not opened */
    SRV_LOG_ACCESS  /* a line of the access log, when access_log is "-" */
} srv_log_level;

/* Receives each message of the server (one line, without its end; valid
 * during the call), on the loop's thread. */
typedef void srv_log_fn(void *arg, srv_log_level level, const char *msg);

/* What the program adds to the config. Strings are borrowed, for the
 * server's lifetime. */
typedef struct {
    const char *config_path; /* file reloaded on SIGHUP (NULL: the config's own path) */
    srv_log_fn *log;         /* the server's messages (NULL: dropped) */
    void *log_arg;           /* passed to log */
} srv_options;

typedef struct srv_server srv_server;

/* srv_start()'s status when another daemon already answers on the Unix
 * socket (the program exits with a status of its own). */
#define SRV_ERR_IN_USE (-2)

/* Starts the daemon on loop: the worker threads, the listeners of cfg
 * (socket, listen), the loop's signal handlers. The caller then runs the
 * loop (uv_run), which returns once SIGTERM or SIGINT stopped the server
 * and every connection read was answered, and frees it with srv_free().
 * cfg stays the caller's and must outlive the server (the configs loaded
 * on SIGHUP are the server's). Returns 0, or -1 (SRV_ERR_IN_USE when a
 * daemon answers on the socket: its socket is left alone) with a message
 * in err and nothing left running (*out NULL). */
int srv_start(uv_loop_t *loop, cfg_config *cfg, const srv_options *opt, srv_server **out,
              char *err, size_t errlen);

/* The TCP port bound (the one the kernel chose for port 0), or -1 when
 * not listening on TCP. */
int srv_tcp_port(const srv_server *s);
/* The number of worker threads. */
unsigned srv_threads(const srv_server *s);

/* Stops whatever still runs (connections are dropped when the loop was not
 * run to its end), joins the workers, runs the loop until the server's
 * handles are closed and frees s. The loop stays the caller's. NULL is a
 * no-op. */
void srv_free(srv_server *s);

/* ---- pieces, public for the unit tests ---- */

/* A connection's input: bytes appended as they arrive, complete lines taken
 * out one at a time. A line is cut at '\n', a trailing '\r' dropped.
 * Invariant: start <= in.len and start + scan <= in.len. */
typedef struct {
    txt_buf in;   /* the bytes held (in.len of them) */
    size_t start; /* first byte not yet consumed */
    size_t scan;  /* bytes from start already searched for '\n' */
    size_t max;   /* longest line accepted, without its end */
} srv_linebuf;

enum { SRV_LINE_NONE = 0, SRV_LINE_OK = 1, SRV_LINE_TOO_LONG = -1 };

void srv_linebuf_init(srv_linebuf *lb, size_t max);
void srv_linebuf_free(srv_linebuf *lb);
/* Appends n bytes; returns 0 or -1 when out of memory. */
int srv_linebuf_append(srv_linebuf *lb, const char *data, size_t n);
/* The next complete line: SRV_LINE_OK with *line (not NUL-terminated, valid
 * until the next append) and *len; SRV_LINE_NONE when there is no complete
 * line yet; SRV_LINE_TOO_LONG when a line, complete or not, is longer than
 * max (the buffer is then useless: close the connection). */
int srv_linebuf_next(srv_linebuf *lb, const char **line, size_t *len);
/* Frees the buffer's memory when it holds nothing and has grown over
 * SRV_LINEBUF_KEEP bytes (a connection that sent a big line once). */
#define SRV_LINEBUF_KEEP (16u << 10)
void srv_linebuf_shrink(srv_linebuf *lb);
/* Bytes received and not yet returned as lines, and where they start
 * (valid until the next append). */
size_t srv_linebuf_pending(const srv_linebuf *lb);
const char *srv_linebuf_data(const srv_linebuf *lb);

/* Latency statistics: a ring of the last samples for percentiles. */
#define SRV_LAT_SAMPLES 8192
typedef struct {
    double samples[SRV_LAT_SAMPLES];
    size_t n;    /* samples held (<= SRV_LAT_SAMPLES) */
    size_t next; /* where the next one goes */
} srv_latency;

void srv_latency_init(srv_latency *l);
void srv_latency_add(srv_latency *l, double ms);
/* The p-th percentile (0 < p <= 100) of the samples held, 0 when none. */
double srv_latency_percentile(const srv_latency *l, double p);

/* Parses "HOST:PORT", "[V6]:PORT" or ":PORT" (host 127.0.0.1). host gets
 * the host; returns 0 or -1. */
int srv_parse_hostport(const char *s, char *host, size_t hostlen, int *port);
/* 1 when host is a loopback address or "localhost". */
int srv_is_loopback(const char *host);

/* Counts of TCP connections per client address (peers.c). */
#define SRV_PEER_BUCKETS 1024
typedef struct srv_peer srv_peer;
typedef struct {
    srv_peer *b[SRV_PEER_BUCKETS];
} srv_peers;
void srv_peers_init(srv_peers *t);
/* One more connection from addr: its new count (0 when out of memory). */
unsigned srv_peers_add(srv_peers *t, const char *addr);
/* One connection less from addr (which must have been added). */
void srv_peers_remove(srv_peers *t, const char *addr);
unsigned srv_peers_count(const srv_peers *t, const char *addr);
void srv_peers_free(srv_peers *t);

/* Appends s (len bytes, from a client) to b as a JSON string safe for a log
 * line: no control byte, newline, C1 control or line separator is left
 * raw, a byte that is not UTF-8 becomes \xHH. 0, or -1 out of memory. */
int srv_log_quote(txt_buf *b, const char *s, size_t len);

/* Makes the Unix socket path free for this daemon's bind: 0 when there is
 * nothing there or only a stale socket (which it removes: connect()
 * refused); SRV_ERR_IN_USE when a daemon answers there (err names its
 * pid; the socket is left alone); -1 when the path is something else or
 * cannot be probed (err says why). */
int srv_unix_claim(const char *path, char *err, size_t errlen);

/* The open-file budget (fdbudget.c): how many connections fit beside the
 * descriptors the daemon keeps for its databases. */
typedef struct {
    unsigned tcp, unix_;       /* the connection limits that fit */
    unsigned long limit;       /* the soft limit on open files (0: none) */
    unsigned long raised_from; /* the soft limit before it was raised (0: not raised) */
    unsigned reserve;          /* descriptors kept for the daemon's own files */
    int lowered;               /* 1: a limit is below the configured one */
} srv_fd_budget;
/* Descriptors open in the process now (a fixed guess when they cannot be
 * listed). */
unsigned srv_fd_open_now(void);
/* Databases a search opens at db_path: the lines of a stub file, else 1. */
unsigned srv_fd_databases(const char *db_path);
/* Descriptors to keep beside the connections: those open now, each worker
 * engine's databases, the writer's (writes: 1), and some slack. */
unsigned srv_fd_reserve(unsigned open_now, unsigned threads, unsigned databases, int writes);
/* Shares avail connections between TCP and the Unix socket: each gets what
 * it wants when both fit, else up to half, and what one leaves to the
 * other. */
void srv_fd_split(unsigned long avail, unsigned want_tcp, unsigned want_unix,
                  unsigned *tcp, unsigned *unix_);
/* Raises the soft limit on open files (up to the hard one) to hold reserve
 * and the wanted connections; *out gets the limits that fit. 0, or -1 when
 * the limit cannot hold the reserve and one connection per listener wanted
 * (want 0: that listener is not open). */
int srv_fd_plan(unsigned reserve, unsigned want_tcp, unsigned want_unix, srv_fd_budget *out);

#ifdef __cplusplus
}
#endif

#endif /* SOCASMA_SERVER_H */
