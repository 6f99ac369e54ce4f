/* server.h: the socasma-searchd daemon as a library: listeners (Unix socket,
 * TCP), the line protocol of doc/PROTOCOL.md, a pool of worker threads each
 * with its own search engine, limits, statistics, the access log and the
 * signals. The program src/cmd/socasma-searchd.c parses its flags, loads the
 * config and calls srv_run().
 */
#ifndef SOCASMA_SERVER_H
#define SOCASMA_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SRV_PROTOCOL_VERSION 1

/* What the command line adds to the config. Strings are borrowed. */
typedef struct {
    const char *config_path; /* file reloaded on SIGHUP (NULL: the config's own path) */
    const char *port_file;   /* when set, the TCP port actually bound is written here */
    int listen_set;          /* 1: --listen was given (overrides the file on reload) */
    int socket_set;          /* 1: --socket was given */
    int threads_set;         /* 1: --threads was given */
    int db_set;              /* 1: --db was given */
} srv_options;

/* Runs the daemon until SIGTERM or SIGINT. cfg stays the caller's (configs
 * loaded on SIGHUP are the server's). Returns 0 after a clean stop, -1 with
 * a message in err when it could not start. */
int srv_run(cfg_config *cfg, const srv_options *opt, char *err, size_t errlen);

/* ---- pieces, public for the unit tests ---- */

/* A connection's input: bytes appended as they arrive, complete lines taken
 * out one at a time. A line is cut at '\n', a trailing '\r' dropped. */
typedef struct {
    char *buf;
    size_t len;   /* bytes held */
    size_t start; /* first byte not yet consumed */
    size_t scan;  /* bytes from start already searched for '\n' */
    size_t cap;
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
/* Bytes received and not yet returned as lines. */
size_t srv_linebuf_pending(const srv_linebuf *lb);

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

#ifdef __cplusplus
}
#endif

#endif /* SOCASMA_SERVER_H */
