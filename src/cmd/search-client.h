/* search-client.h: a small blocking client of the daemon's line protocol
 * (one JSON request per line, one JSON answer per line), for
 * `socasma-search --socket` and `--connect`. */
#ifndef SOCASMA_SEARCH_CLIENT_H
#define SOCASMA_SEARCH_CLIENT_H

#include <jansson.h>
#include <stddef.h>

/* Sends req to the daemon at a Unix socket path (socket_path) or at
 * "HOST:PORT" (hostport) and reads one answer line into *answer.
 * Returns 0, or -1 with a message in err; when the connection itself
 * failed, *conn_errno (may be NULL) gets connect()'s errno, else 0. */
int sc_request(const char *socket_path, const char *hostport, const json_t *req, json_t **answer,
               int *conn_errno, char *err, size_t errlen);

#endif
