/* socasma-searchd.c: the search daemon's command line. Loads the config,
 * applies the flags over it and runs the server (src/server). */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "server/server.h"

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: socasma-searchd [OPTION]...\n"
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
            "Exit status: 0 after SIGTERM or SIGINT, 1 when it cannot start, 2 on usage errors.\n");
    fprintf(f, "\nConfig file: --config FILE, else $SOCASMA_CONFIG, else when it exists\n"
               "  %s\nelse none (built-in defaults).\n",
            cfg_installed_path());
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
    long threads = -1;
    srv_options so;
    memset(&so, 0, sizeof so);
    int o;
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
                fprintf(stderr, "socasma-searchd: --threads: a number from 1 to 256\n");
                return 2;
            }
            break;
        }
        case O_FG: break;
        case O_PID: pid = optarg; break;
        case O_PORT: so.port_file = optarg; break;
        case O_HELP: usage(stdout); return 0;
        case O_VERSION: printf("socasma-searchd %s (protocol %d)\n", PACKAGE_VERSION,
                               SRV_PROTOCOL_VERSION); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "socasma-searchd: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    cfg_config cfg;
    char err[1024];
    if (cfg_load(&cfg, config, err, sizeof err) < 0) {
        fprintf(stderr, "socasma-searchd: %s\n", err);
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
        fprintf(stderr, "socasma-searchd: out of memory\n");
        cfg_free(&cfg);
        return 1;
    }
    so.config_path = config;
    so.db_set = db != NULL;
    so.socket_set = sock != NULL;
    so.listen_set = listen != NULL;
    so.threads_set = threads > 0;
    int rc = srv_run(&cfg, &so, err, sizeof err);
    if (rc < 0)
        fprintf(stderr, "socasma-searchd: %s\n", err);
    cfg_free(&cfg);
    return rc < 0 ? 1 : 0;
}
