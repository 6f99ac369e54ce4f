/* fdbudget.c: the open-file budget. Each connection holds a descriptor,
 * and so do the tables of each worker's database and of the writer's. A
 * daemon whose connections took the last descriptor could not reopen its
 * database after a reindex (Xapian reads the new version file through a
 * new descriptor) and would fail every search until clients left. So the
 * daemon keeps a reserve for its own files: the soft limit on open files
 * is raised (up to the hard one) to hold the configured connections and
 * the reserve, and when it cannot be, the connection limits are lowered to
 * what fits; a connection beyond them is answered "overloaded". */
#include <config.h>

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "server/server.h"

/* Descriptors of one database: its tables (postlist, termlist, position,
 * docdata, spelling, synonym) and a version file read during a reopen. */
#define FILES_PER_DATABASE 7
/* The writer's own, beyond its database's: the lock, the changes file of
 * a replicated database, the file being imported or journalled. */
#define WRITER_EXTRA 6
/* Slack for what comes and goes: a log file reopened, a stat, a resolver. */
#define SPARE 8
/* Counted when the process's open descriptors cannot be listed. */
#define ASSUMED_OPEN 32

unsigned srv_fd_open_now(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return ASSUMED_OPEN;
    unsigned n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n > 0 ? n - 1 : 0; /* less the directory's own */
}

unsigned srv_fd_databases(const char *db_path)
{
    struct stat st;
    if (!db_path || stat(db_path, &st) != 0 || !S_ISREG(st.st_mode))
        return 1;
    FILE *f = fopen(db_path, "r"); /* a stub file: one database a line */
    if (!f)
        return 1;
    unsigned n = 0;
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        const char *p = line + strspn(line, " \t");
        if (*p && *p != '#' && *p != '\n' && *p != '\r')
            n++;
    }
    fclose(f);
    return n > 0 ? n : 1;
}

unsigned srv_fd_reserve(unsigned open_now, unsigned threads, unsigned databases, int writes)
{
    unsigned per_engine = FILES_PER_DATABASE * (databases ? databases : 1);
    unsigned r = open_now + SPARE + threads * per_engine;
    if (writes)
        r += per_engine + WRITER_EXTRA;
    return r;
}

void srv_fd_split(unsigned long avail, unsigned want_tcp, unsigned want_unix,
                  unsigned *tcp, unsigned *unix_)
{
    if ((unsigned long)want_tcp + want_unix <= avail) {
        *tcp = want_tcp;
        *unix_ = want_unix;
        return;
    }
    /* Each listener gets up to half first, so neither one's clients can
     * take the other's share; what one does not want goes to the other. */
    unsigned long t = want_tcp < avail / 2 ? want_tcp : avail / 2;
    unsigned long u = want_unix < avail - avail / 2 ? want_unix : avail - avail / 2;
    unsigned long rest = avail - t - u;
    unsigned long more = want_tcp - t < rest ? want_tcp - t : rest;
    t += more;
    rest -= more;
    u += want_unix - u < rest ? want_unix - u : rest;
    *tcp = (unsigned)t;
    *unix_ = (unsigned)u;
}

int srv_fd_plan(unsigned reserve, unsigned want_tcp, unsigned want_unix, srv_fd_budget *out)
{
    memset(out, 0, sizeof *out);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
        out->tcp = want_tcp;
        out->unix_ = want_unix;
        out->limit = 0;
        return 0; /* unknown: the configured limits stand */
    }
    unsigned long need = (unsigned long)reserve + want_tcp + want_unix;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
        struct rlimit up = rl;
        up.rlim_cur = (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need) ? need : rl.rlim_max;
        if (up.rlim_cur > rl.rlim_cur && setrlimit(RLIMIT_NOFILE, &up) == 0) {
            out->raised_from = (unsigned long)rl.rlim_cur;
            rl = up;
        }
    }
    out->limit = rl.rlim_cur == RLIM_INFINITY ? 0 : (unsigned long)rl.rlim_cur;
    out->reserve = reserve;
    if (out->limit == 0) {
        out->tcp = want_tcp;
        out->unix_ = want_unix;
        return 0;
    }
    unsigned long min_conns = (want_tcp ? 1 : 0) + (want_unix ? 1 : 0);
    if (out->limit < (unsigned long)reserve + min_conns)
        return -1;
    srv_fd_split(out->limit - reserve, want_tcp, want_unix, &out->tcp, &out->unix_);
    out->lowered = out->tcp < want_tcp || out->unix_ < want_unix;
    return 0;
}
