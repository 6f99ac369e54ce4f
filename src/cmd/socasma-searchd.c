/* socasma-searchd.c: the search daemon's program. Parses the flags, loads
 * the config and applies the flags over it, then does what belongs to the
 * process around the server library (src/server): ignores SIGPIPE, runs
 * the default libuv loop, writes the port file and the pid file, prints the
 * server's messages on standard error and tells systemd when it is ready
 * and when it stops. It logs the database it serves when it starts (and,
 * when there is none yet, how to make one), and when it stops, the signal
 * that stopped it and the database's last revision. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uv.h>
#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "cmd/cmd-util.h"
#include "conf/conf.h"
#include "server/server.h"
#include "xapian-c/xapian-c.h"

#define PROG "socasma-searchd"

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: " PROG " [OPTION]...\n"
            "Serve searches over a line protocol (doc/PROTOCOL.md).\n\n"
            "  --config FILE      configuration file (default: see below)\n"
            "  --db DIR           the database (default: the config's)\n"
            "  --socket PATH      listen on this Unix socket\n"
            "  --listen HOST:PORT listen on TCP (default 127.0.0.1:7700; port 0: any\n"
            "                     free port, printed on standard error); '' for none\n"
            "  --threads N        worker threads (default: the number of cores)\n"
            "  --foreground       stay in the foreground (the default)\n"
            "  --pid-file FILE    write the process id to FILE\n"
            "  --port-file FILE   write the TCP port actually bound to FILE\n"
            "  --help, --version\n\n"
            "Exit status: 0 after SIGTERM or SIGINT, 1 when it cannot start, 2 on usage errors,\n"
            "3 when another daemon already answers on the socket.\n");
    fprintf(f, "\nConfig file: --config FILE, else $SOCASMA_CONFIG, else when it exists\n"
               "  %s\nelse none (built-in defaults).\n",
            cfg_installed_path());
}

/* The server's messages: access log lines as they are, the others as
 * "socasma-searchd: MESSAGE". */
static void print_message(void *arg, srv_log_level level, const char *msg)
{
    (void)arg;
    if (level == SRV_LOG_ACCESS)
        fprintf(stderr, "%s\n", msg);
    else
        fprintf(stderr, PROG ": %s\n", msg);
}

/* Writes "N\n" to path through a temporary file renamed over it, so that a
 * reader never sees half of it. 0, or -1 with errno. */
static int write_number(const char *path, long n)
{
    size_t len = strlen(path) + 5;
    char *tmp = malloc(len);
    if (!tmp)
        return -1;
    snprintf(tmp, len, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    int rc = -1;
    if (f) {
        int ok = fprintf(f, "%ld\n", n) > 0;
        ok &= fclose(f) == 0;
        rc = ok && rename(tmp, path) == 0 ? 0 : -1;
        if (rc != 0)
            unlink(tmp);
    }
    free(tmp);
    return rc;
}

/* "revision R, P posts" of the database at path, or why it cannot be
 * read, into buf. */
static void describe_db(const char *path, char *buf, size_t len)
{
    xc_db *db = NULL;
    uint64_t rev = 0;
    uint32_t posts = 0;
    struct stat st;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
        /* a stub file: its shards are opened by the workers, each on its
           own (a remote one may be down: not waited for here) */
        snprintf(buf, len, "a list of shards");
        return;
    }
    if (xc_db_open(path, &db) != XC_OK || xc_db_revision(db, &rev) != XC_OK ||
        xc_db_doccount(db, &posts) != XC_OK)
        snprintf(buf, len, "not readable: %s", xc_errmsg());
    else
        snprintf(buf, len, "revision %llu, %lu posts", (unsigned long long)rev,
                 (unsigned long)posts);
    xc_db_close(db);
}

/* The signal that stopped the daemon. The server has its own handlers of
 * SIGTERM and SIGINT, which stop it; these only note which one came, and
 * are unreferenced so that they do not keep the loop running. */
static int stop_signal;

static void on_stop_signal(uv_signal_t *h, int signum)
{
    (void)h;
    if (!stop_signal) {
        stop_signal = signum;
        fprintf(stderr, PROG ": %s received: stopping (answering the requests already read)\n",
                signum == SIGTERM  ? "SIGTERM"
                : signum == SIGINT ? "SIGINT"
                                   : "signal");
    }
}

/* Runs the server on the default loop until SIGTERM or SIGINT. */
static int serve(cfg_config *cfg, const char *config_path, const char *port_file)
{
    srv_options so;
    memset(&so, 0, sizeof so);
    so.config_path = config_path;
    so.log = print_message;
    char err[1024];
    /* A client that goes away must not kill the daemon with SIGPIPE: the
     * failed write is seen as an error instead. */
    signal(SIGPIPE, SIG_IGN);
    /* Past a file size limit (ulimit -f) a write fails with EFBIG, an error
     * the writer answers and survives, rather than the signal ending the
     * daemon. */
    signal(SIGXFSZ, SIG_IGN);
    uv_loop_t *loop = uv_default_loop();
    srv_server *srv = NULL;
    int rc = srv_start(loop, cfg, &so, &srv, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, PROG ": %s\n", err);
        if (strstr(err, "in use") && cfg->listen && *cfg->listen && strstr(err, cfg->listen))
            fprintf(stderr,
                    PROG ": another program listens on %s (an earlier socasma-searchd? "
                         "Meilisearch uses 7700 too): stop it, or choose another address with "
                         "--listen HOST:PORT or [server] listen%s%s\n",
                    cfg->listen, config_path || cfg->path ? " in " : "",
                    config_path ? config_path
                    : cfg->path ? cfg->path
                                : "");
        uv_loop_close(loop);
        return rc == SRV_ERR_IN_USE ? 3 : 1;
    }
    if (port_file && srv_tcp_port(srv) >= 0 && write_number(port_file, srv_tcp_port(srv)) < 0)
        fprintf(stderr, PROG ": cannot write %s: %s\n", port_file, strerror(errno));
    const char *pid_file = cfg->pid_file && *cfg->pid_file ? cfg->pid_file : NULL;
    if (pid_file && write_number(pid_file, (long)getpid()) < 0) {
        fprintf(stderr, PROG ": cannot write %s: %s\n", pid_file, strerror(errno));
        srv_free(srv);
        uv_loop_close(loop);
        return 1;
    }
    uv_signal_t sig_term, sig_int;
    uv_signal_init(loop, &sig_term);
    uv_signal_init(loop, &sig_int);
    uv_signal_start(&sig_term, on_stop_signal, SIGTERM);
    uv_signal_start(&sig_int, on_stop_signal, SIGINT);
    uv_unref((uv_handle_t *)&sig_term);
    uv_unref((uv_handle_t *)&sig_int);
    char dbinfo[512];
    if (cmd_db_check(cfg->db_path) == CMD_DB_OK)
        describe_db(cfg->db_path, dbinfo, sizeof dbinfo);
    else
        snprintf(dbinfo, sizeof dbinfo, "none yet");
    fprintf(stderr, PROG ": database %s: %s\n", cfg->db_path, dbinfo);
    fprintf(stderr, PROG ": ready (%u threads)\n", srv_threads(srv));
#ifdef HAVE_LIBSYSTEMD
    sd_notify(0, "READY=1");
#endif
    uv_run(loop, UV_RUN_DEFAULT);
#ifdef HAVE_LIBSYSTEMD
    sd_notify(0, "STOPPING=1");
#endif
    uv_close((uv_handle_t *)&sig_term, NULL);
    uv_close((uv_handle_t *)&sig_int, NULL);
    if (pid_file)
        unlink(pid_file);
    srv_free(srv); /* runs the loop until every handle is closed */
    uv_loop_close(loop);
    if (cmd_db_check(cfg->db_path) == CMD_DB_OK)
        describe_db(cfg->db_path, dbinfo, sizeof dbinfo);
    else
        snprintf(dbinfo, sizeof dbinfo, "none");
    fprintf(stderr, PROG ": stopped by %s; database %s: %s\n",
            stop_signal == SIGTERM  ? "SIGTERM"
            : stop_signal == SIGINT ? "SIGINT"
                                    : "its loop ending",
            cfg->db_path, dbinfo);
    return 0;
}

int main(int argc, char **argv)
{
    enum { O_CONFIG = 1, O_DB, O_SOCKET, O_LISTEN, O_THREADS, O_FG, O_PID, O_PORT, O_HELP,
           O_VERSION };
    static const struct option opts[] = {
        {"config", required_argument, NULL, O_CONFIG},
        {"db", required_argument, NULL, O_DB},
        {"socket", required_argument, NULL, O_SOCKET},
        {"listen", required_argument, NULL, O_LISTEN},
        {"threads", required_argument, NULL, O_THREADS},
        {"foreground", no_argument, NULL, O_FG},
        {"pid-file", required_argument, NULL, O_PID},
        {"port-file", required_argument, NULL, O_PORT},
        {"help", no_argument, NULL, O_HELP},
        {"version", no_argument, NULL, O_VERSION},
        {NULL, 0, NULL, 0}};
    const char *config = NULL, *db = NULL, *sock = NULL, *listen = NULL, *pid = NULL;
    const char *port_file = NULL;
    long threads = -1;
    int o;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case O_CONFIG: config = optarg; break;
        case O_DB: db = optarg; break;
        case O_SOCKET: sock = optarg; break;
        case O_LISTEN: listen = optarg; break;
        case O_THREADS: {
            char *end;
            threads = strtol(optarg, &end, 10);
            if (*end || threads < 1 || threads > 256) {
                fprintf(stderr, PROG ": --threads: a number from 1 to 256\n");
                return 2;
            }
            break;
        }
        case O_FG: break;
        case O_PID: pid = optarg; break;
        case O_PORT: port_file = optarg; break;
        case O_HELP: usage(stdout); return 0;
        case O_VERSION:
            printf(PROG " %s (protocol %d)\n", PACKAGE_VERSION, SRV_PROTOCOL_VERSION);
            return 0;
        default: cmd_option_error(stderr, PROG, argc, argv, "", opts); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, PROG ": unexpected argument '%s' (the daemon takes only options)\n",
                argv[optind]);
        cmd_try_help(stderr, PROG);
        return 2;
    }
    cfg_config cfg;
    char err[1024];
    if (cfg_load(&cfg, config, err, sizeof err) < 0) {
        fprintf(stderr, PROG ": %s\n", err);
        cfg_free(&cfg);
        return 1;
    }
    int bad = 0;
    if (db)
        bad |= cfg_set_string(&cfg.db_path, db);
    if (sock) {
        bad |= cfg_set_string(&cfg.socket_path, sock);
        /* A socket alone on the command line means no TCP unless asked. */
        if (!listen)
            bad |= cfg_set_string(&cfg.listen, "");
    }
    if (listen)
        bad |= cfg_set_string(&cfg.listen, listen);
    if (pid)
        bad |= cfg_set_string(&cfg.pid_file, pid);
    if (threads > 0)
        cfg.threads = (unsigned)threads;
    if (bad) {
        fprintf(stderr, PROG ": out of memory\n");
        cfg_free(&cfg);
        return 1;
    }
    /* No database yet: say where it was looked for and how to make one;
     * the daemon serves anyway ("unavailable") and opens it once it is
     * there. */
    cmd_db_state st = cmd_db_check(cfg.db_path);
    if (st != CMD_DB_OK) {
        cmd_db_explain(stderr, PROG, cfg.db_path, st, db ? "--db" : NULL, cfg.path);
        fprintf(stderr, PROG ": serving anyway: searches answer \"unavailable\" until the "
                             "database is there, then it is opened by itself\n");
    }
    int rc = serve(&cfg, config, port_file);
    cfg_free(&cfg);
    return rc;
}
