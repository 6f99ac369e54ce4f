/* journal.c: the live writer's journal (see store.h, LIVE DELTA, and
 * store-internal.h, THE JOURNAL): the writes of each live run appended to
 * a segment file under PATH/live-journal and synced before the run's
 * commit of the (unsynced) delta; segments turned over at each fold and
 * removed once the fold's commit of the main database is synced; and, at
 * a writable open, the writes of the segments left applied again to the
 * main database, the delta thrown away. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "store/schema.h"
#include "store/store-internal.h"

/* A record: MAGIC, the payload's length, the CRC-32 of the length's four
 * bytes and the payload, then the payload (little-endian numbers). */
#define JR_MAGIC 0x314a5353u /* "SSJ1" */
#define JR_HEADER 12
/* A record longer than this is not one the store wrote (a group of
 * writes is bounded by the daemon's queue and max_write_line). */
#define JR_MAX ((uint64_t)1 << 32)

#define OP_PUT 'P'
#define OP_DELETE 'D'

static void put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ---------- the run's record, in memory ---------- */

int store_jbuf_add(store_jbuf *b, const void *data, size_t n)
{
    if (b->len + n > b->cap) {
        size_t nc = b->cap ? b->cap : 4096;
        while (nc < b->len + n)
            nc *= 2;
        unsigned char *g = realloc(b->data, nc);
        if (!g)
            return -1;
        b->data = g;
        b->cap = nc;
    }
    memcpy(b->data + b->len, data, n);
    b->len += n;
    return 0;
}

/* A string: its length (UINT32_MAX for NULL) and its bytes. */
static int buf_str(store_jbuf *b, const char *s)
{
    unsigned char n[4];
    size_t len = s ? strlen(s) : 0;
    if (len >= UINT32_MAX)
        return -1;
    put_u32(n, s ? (uint32_t)len : UINT32_MAX);
    return store_jbuf_add(b, n, 4) || (len && store_jbuf_add(b, s, len)) ? -1 : 0;
}

static int buf_list(store_jbuf *b, char *const *v, size_t n)
{
    unsigned char c[4];
    if (n >= UINT32_MAX)
        return -1;
    put_u32(c, (uint32_t)n);
    if (store_jbuf_add(b, c, 4))
        return -1;
    for (size_t i = 0; i < n; i++)
        if (buf_str(b, v[i]))
            return -1;
    return 0;
}

void store_journal_reset_run(store *s)
{
    s->jrun.len = 0;
    s->jrun_ops = 0;
}

int store_journal_add_put(store *s, const imp_post *p)
{
    size_t mark = s->jrun.len;
    unsigned char op = OP_PUT;
    if (store_jbuf_add(&s->jrun, &op, 1) || buf_str(&s->jrun, p->id) || buf_str(&s->jrun, p->url) ||
        buf_str(&s->jrun, p->title) || buf_str(&s->jrun, p->author) ||
        buf_str(&s->jrun, p->date) || buf_str(&s->jrun, p->lang) ||
        buf_list(&s->jrun, p->categories, p->ncategories) ||
        buf_list(&s->jrun, p->tags, p->ntags) || buf_str(&s->jrun, p->body)) {
        s->jrun.len = mark;
        return STORE_ERR_NOMEM;
    }
    s->jrun_ops++;
    return STORE_OK;
}

int store_journal_add_delete(store *s, const char *id)
{
    size_t mark = s->jrun.len;
    unsigned char op = OP_DELETE;
    if (store_jbuf_add(&s->jrun, &op, 1) || buf_str(&s->jrun, id)) {
        s->jrun.len = mark;
        return STORE_ERR_NOMEM;
    }
    s->jrun_ops++;
    return STORE_OK;
}

/* ---------- files ---------- */

char *store_journal_dir(const char *path)
{
    return store_path_join(path, SCH_JOURNAL_DIR);
}

/* DIR/NUMBER.seg (malloc'ed). */
static char *segment_path(const char *dir, uint64_t number)
{
    size_t n = strlen(dir) + 32;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%016" PRIx64 ".seg", dir, number);
    return p;
}

/* fsync of a directory: its entries (a file created or removed) durable. */
static int sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* The numbers of the segments in dir, ascending (malloc'ed; *n 0 when
 * none or no directory). -1 when the directory cannot be read. */
static int list_segments(const char *dir, uint64_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? 0 : -1;
    size_t cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *name = e->d_name;
        if (strlen(name) != 20 || strcmp(name + 16, ".seg") != 0)
            continue;
        char *end;
        uint64_t v = strtoull(name, &end, 16);
        if (end != name + 16)
            continue;
        if (*n == cap) {
            size_t nc = cap ? cap * 2 : 8;
            uint64_t *g = realloc(*out, nc * sizeof *g);
            if (!g) {
                closedir(d);
                free(*out);
                *out = NULL;
                *n = 0;
                errno = ENOMEM;
                return -1;
            }
            *out = g;
            cap = nc;
        }
        size_t i = (*n)++;
        while (i > 0 && (*out)[i - 1] > v) {
            (*out)[i] = (*out)[i - 1];
            i--;
        }
        (*out)[i] = v;
    }
    closedir(d);
    return 0;
}

int store_journal_exists(const char *path)
{
    char *dir = store_journal_dir(path);
    struct stat st;
    int ok = dir && stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
    free(dir);
    return ok;
}

/* DIR/clean (malloc'ed): the mark of a delta left synced by a clean close. */
static char *clean_mark(const char *dir)
{
    return store_path_join(dir, "clean");
}

int store_recovery_pending(const char *path)
{
    if (!store_journal_exists(path))
        return 0;
    char *dir = store_journal_dir(path), *dp = store_delta_path(path);
    char *mark = dir ? clean_mark(dir) : NULL;
    uint64_t *segs = NULL;
    size_t n = 0;
    struct stat st;
    int pending = !dir || !dp || !mark || list_segments(dir, &segs, &n) != 0 || n > 0 ||
                  (stat(dp, &st) == 0 && stat(mark, &st) != 0);
    free(segs);
    free(mark);
    free(dir);
    free(dp);
    return pending;
}

int store_journal_close_clean(store *s)
{
    /* The delta's files synced (its commits were not), then the mark. */
    char *dp = store_delta_path(s->path);
    char *mark = s->jdir ? clean_mark(s->jdir) : NULL;
    int ok = dp && mark;
    DIR *d = ok ? opendir(dp) : NULL;
    ok = d != NULL;
    struct dirent *e;
    while (ok && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        int fd = openat(dirfd(d), e->d_name, O_RDONLY | O_CLOEXEC);
        ok = fd >= 0 && fsync(fd) == 0;
        if (fd >= 0)
            close(fd);
    }
    if (d)
        closedir(d);
    ok = ok && sync_dir(dp) == 0 && store_journal_remove_current(s) == STORE_OK;
    int fd = ok ? open(mark, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : -1;
    ok = fd >= 0 && fsync(fd) == 0;
    if (fd >= 0)
        close(fd);
    ok = ok && sync_dir(s->jdir) == 0;
    if (!ok && mark)
        unlink(mark); /* (the next open throws the delta away: nothing lost) */
    free(dp);
    free(mark);
    return ok ? STORE_OK : STORE_ERR_DB;
}

/* Opens segment number for appending (created, and its directory entry
 * synced). */
static int open_segment(store *s, uint64_t number)
{
    char *p = segment_path(s->jdir, number);
    if (!p) {
        snprintf(s->err, sizeof s->err, "out of memory");
        return STORE_ERR_NOMEM;
    }
    int fd = open(p, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || sync_dir(s->jdir) != 0) {
        snprintf(s->err, sizeof s->err, "%s: cannot create the live journal: %s", p,
                 strerror(errno));
        if (fd >= 0)
            close(fd);
        free(p);
        return STORE_ERR_DB;
    }
    free(p);
    s->jfd = fd;
    s->jseg = number;
    s->jsize = (uint64_t)st.st_size;
    return STORE_OK;
}

int store_journal_open(store *s)
{
    if (s->jfd >= 0)
        return STORE_OK;
    if (!s->jdir && !(s->jdir = store_journal_dir(s->path))) {
        snprintf(s->err, sizeof s->err, "out of memory");
        return STORE_ERR_NOMEM;
    }
    if (mkdir(s->jdir, 0755) == 0) {
        /* The directory says "the delta beside it is a cache of the
         * journal": durable before any unsynced write of the delta. */
        if (sync_dir(s->path) != 0) {
            snprintf(s->err, sizeof s->err, "%s: cannot sync: %s", s->path, strerror(errno));
            return STORE_ERR_DB;
        }
    } else if (errno != EEXIST) {
        snprintf(s->err, sizeof s->err, "%s: cannot create the live journal: %s", s->jdir,
                 strerror(errno));
        return STORE_ERR_DB;
    }
    uint64_t *segs = NULL;
    size_t n = 0;
    if (list_segments(s->jdir, &segs, &n) != 0) {
        snprintf(s->err, sizeof s->err, "%s: cannot read the live journal: %s", s->jdir,
                 strerror(errno));
        return STORE_ERR_DB;
    }
    uint64_t next = n ? segs[n - 1] + 1 : 1;
    s->jdrop_from = n ? segs[0] : next;
    free(segs);
    return open_segment(s, next);
}

void store_journal_close(store *s)
{
    if (s->jfd >= 0)
        close(s->jfd);
    s->jfd = -1;
}

int store_journal_commit(store *s)
{
    s->jlast_size = s->jsize;
    if (s->jrun_ops == 0)
        return STORE_OK;
    if (s->jfd < 0) {
        /* (never committed unsynced without its record) */
        snprintf(s->err, sizeof s->err, "the live journal is not open");
        return STORE_ERR_DB;
    }
    if ((uint64_t)s->jrun.len >= JR_MAX) {
        snprintf(s->err, sizeof s->err, "the run is too large for the live journal");
        return STORE_ERR_DB;
    }
    unsigned char h[JR_HEADER];
    put_u32(h, JR_MAGIC);
    put_u32(h + 4, (uint32_t)s->jrun.len);
    uLong crc = crc32(0L, h + 4, 4);
    crc = crc32(crc, s->jrun.data, (uInt)s->jrun.len);
    put_u32(h + 8, (uint32_t)crc);
    struct iovec_like {
        const unsigned char *p;
        size_t n;
    } parts[2] = {{h, JR_HEADER}, {s->jrun.data, s->jrun.len}};
    int bad = 0;
    for (int i = 0; i < 2 && !bad; i++) {
        size_t off = 0;
        while (off < parts[i].n) {
            ssize_t w = write(s->jfd, parts[i].p + off, parts[i].n - off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                bad = 1;
                break;
            }
            off += (size_t)w;
        }
    }
    if (!bad && fdatasync(s->jfd) != 0)
        bad = 1;
    if (bad) {
        int e = errno;
        /* Nothing of the run is kept: the record cut off again. */
        if (ftruncate(s->jfd, (off_t)s->jlast_size) == 0)
            fdatasync(s->jfd);
        snprintf(s->err, sizeof s->err, "cannot write the live journal: %s", strerror(e));
        return STORE_ERR_DB;
    }
    s->jsize += JR_HEADER + s->jrun.len;
    return STORE_OK;
}

int store_journal_undo(store *s)
{
    if (s->jfd < 0 || s->jsize == s->jlast_size)
        return STORE_OK;
    if (ftruncate(s->jfd, (off_t)s->jlast_size) != 0 || fdatasync(s->jfd) != 0)
        return STORE_ERR_DB;
    s->jsize = s->jlast_size;
    return STORE_OK;
}

int store_journal_rotate(store *s, uint64_t *upto)
{
    *upto = 0;
    if (s->jfd < 0)
        return STORE_OK;
    uint64_t cur = s->jseg;
    int old = s->jfd;
    int rc = open_segment(s, cur + 1); /* (failing, the old one stays open) */
    if (rc != STORE_OK)
        return rc;
    close(old);
    *upto = cur;
    return STORE_OK;
}

int store_journal_drop(store *s, uint64_t upto)
{
    if (!s->jdir || upto == 0)
        return STORE_OK;
    for (uint64_t n = s->jdrop_from; n <= upto; n++) {
        char *p = segment_path(s->jdir, n);
        if (!p)
            return STORE_ERR_NOMEM;
        int gone = unlink(p) == 0 || errno == ENOENT;
        free(p);
        if (!gone)
            return STORE_ERR_DB;
    }
    /* (durable before a later fold: a segment that came back after a
     * power cut would be applied before newer ones, to the same end) */
    if (sync_dir(s->jdir) != 0)
        return STORE_ERR_DB;
    s->jdrop_from = upto + 1;
    return STORE_OK;
}

int store_journal_clean(store *s)
{
    return s->jfd >= 0 && s->jsize == 0 && s->jdrop_from == s->jseg;
}

int store_journal_remove_current(store *s)
{
    if (s->jfd < 0)
        return STORE_OK;
    store_journal_close(s);
    char *p = segment_path(s->jdir, s->jseg);
    int rc = p && unlink(p) == 0 ? STORE_OK : STORE_ERR_DB;
    free(p);
    return rc;
}

/* ---------- applying the journal again (at a writable open) ---------- */

/* A reader of one record's payload. */
typedef struct {
    const unsigned char *p, *end;
} jreader;

/* A string (*out malloc'ed or NULL); -1 when the payload is short. */
static int rd_str(jreader *r, char **out)
{
    *out = NULL;
    if (r->end - r->p < 4)
        return -1;
    uint32_t n = get_u32(r->p);
    r->p += 4;
    if (n == UINT32_MAX)
        return 0;
    if ((uint64_t)(r->end - r->p) < n)
        return -1;
    if (!(*out = strndup((const char *)r->p, n)))
        return -2;
    r->p += n;
    return 0;
}

static int rd_list(jreader *r, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (r->end - r->p < 4)
        return -1;
    uint32_t c = get_u32(r->p);
    r->p += 4;
    if ((uint64_t)c > (uint64_t)(r->end - r->p) / 4)
        return -1;
    if (c && !(*out = calloc(c, sizeof **out)))
        return -2;
    *n = c;
    for (uint32_t i = 0; i < c; i++) {
        int rc = rd_str(r, &(*out)[i]);
        if (rc)
            return rc;
    }
    return 0;
}

/* Applies one record's writes to the open run. STORE_ERR_RECORD when
 * the payload cannot be read (a record the store did not write). */
static int apply_record(store *s, const unsigned char *p, size_t len, uint64_t *writes)
{
    jreader r = {p, p + len};
    int rc = STORE_OK;
    while (rc == STORE_OK && r.p < r.end) {
        unsigned char op = *r.p++;
        if (op == OP_DELETE) {
            char *id = NULL;
            int e = rd_str(&r, &id);
            if (e == 0 && id)
                rc = store_delete(s, id, NULL);
            else
                rc = e == -2 ? STORE_ERR_NOMEM : STORE_ERR_RECORD;
            free(id);
        } else if (op == OP_PUT) {
            imp_post *post = calloc(1, sizeof *post);
            int e = post ? 0 : -2;
            if (!e)
                e = rd_str(&r, &post->id);
            if (!e)
                e = rd_str(&r, &post->url);
            if (!e)
                e = rd_str(&r, &post->title);
            if (!e)
                e = rd_str(&r, &post->author);
            if (!e)
                e = rd_str(&r, &post->date);
            if (!e)
                e = rd_str(&r, &post->lang);
            if (!e)
                e = rd_list(&r, &post->categories, &post->ncategories);
            if (!e)
                e = rd_list(&r, &post->tags, &post->ntags);
            if (!e)
                e = rd_str(&r, &post->body);
            if (!e && post->id)
                rc = store_put(s, post, NULL);
            else
                rc = e == -2 ? STORE_ERR_NOMEM : STORE_ERR_RECORD;
            imp_post_free(post);
        } else {
            rc = STORE_ERR_RECORD;
        }
        if (rc == STORE_OK)
            (*writes)++;
    }
    return rc;
}

/* Reads the whole file at p into *data (malloc'ed). */
static int read_file(const char *p, unsigned char **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    size_t n = (size_t)st.st_size, off = 0;
    unsigned char *b = malloc(n ? n : 1);
    if (!b) {
        close(fd);
        errno = ENOMEM;
        return -1;
    }
    while (off < n) {
        ssize_t r = read(fd, b + off, n - off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        off += (size_t)r;
    }
    close(fd);
    *data = b;
    *len = off;
    return 0;
}

/* Appends a sentence about a damaged record to torn (of size n). */
static void say_torn(char *torn, size_t n, const char *seg, uint64_t at, uint64_t size)
{
    size_t used = strlen(torn);
    if (used + 2 < n)
        snprintf(torn + used, n - used,
                 " %s: a torn or damaged record at byte %" PRIu64 " of %" PRIu64
                 " was dropped with what follows it (never acknowledged).",
                 seg, at, size);
}

int store_journal_recover(store *s)
{
    if (!s->jdir && !(s->jdir = store_journal_dir(s->path))) {
        snprintf(s->err, sizeof s->err, "out of memory");
        return STORE_ERR_NOMEM;
    }
    uint64_t *segs = NULL;
    size_t nseg = 0;
    if (list_segments(s->jdir, &segs, &nseg) != 0) {
        snprintf(s->err, sizeof s->err, "%s: cannot read the live journal: %s", s->jdir,
                 strerror(errno));
        return STORE_ERR_DB;
    }
    /* The delta is a cache of the journal, written without syncs: after a
     * power cut it may not open, and it holds nothing the journal does
     * not. Thrown away (unless a clean close synced it, folded, and left
     * no segment); the journal applied to the main database. The mark
     * goes before any new write of the delta. */
    char *mark = clean_mark(s->jdir);
    struct stat st;
    int clean = mark && nseg == 0 && stat(mark, &st) == 0;
    if (mark && (!clean || s->use_delta))
        unlink(mark); /* (kept by an open that writes no delta) */
    free(mark);
    char *dp = store_delta_path(s->path);
    if (!clean && dp && stat(dp, &st) == 0)
        store_remove_tree(dp);
    free(dp);
    if (sync_dir(s->jdir) != 0 || sync_dir(s->path) != 0) {
        free(segs);
        snprintf(s->err, sizeof s->err, "%s: cannot sync: %s", s->path, strerror(errno));
        return STORE_ERR_DB;
    }
    if (nseg == 0) {
        free(segs);
        return STORE_OK;
    }
    int rc = store_begin_live(s); /* (no delta open: into the main database) */
    uint64_t records = 0, writes = 0;
    char torn[700] = "";
    for (size_t i = 0; rc == STORE_OK && i < nseg; i++) {
        char *p = segment_path(s->jdir, segs[i]);
        unsigned char *data = NULL;
        size_t len = 0;
        if (!p || read_file(p, &data, &len) != 0) {
            snprintf(s->err, sizeof s->err, "%s: cannot read the live journal: %s",
                     p ? p : s->jdir, strerror(errno));
            rc = p ? STORE_ERR_DB : STORE_ERR_NOMEM;
            free(p);
            break;
        }
        size_t off = 0;
        while (rc == STORE_OK && off < len) {
            const unsigned char *h = data + off;
            int good = len - off >= JR_HEADER && get_u32(h) == JR_MAGIC &&
                       (uint64_t)get_u32(h + 4) <= (uint64_t)(len - off - JR_HEADER);
            if (good) {
                uint32_t n = get_u32(h + 4);
                uLong crc = crc32(0L, h + 4, 4);
                crc = crc32(crc, h + JR_HEADER, n);
                good = (uint32_t)crc == get_u32(h + 8);
                if (good) {
                    rc = apply_record(s, h + JR_HEADER, n, &writes);
                    if (rc == STORE_ERR_RECORD) {
                        /* a checksum that holds over what the store never
                         * wrote: the segment's end is not trusted */
                        good = 0;
                        rc = STORE_OK;
                    } else {
                        records++;
                        off += JR_HEADER + n;
                        continue;
                    }
                }
            }
            /* A torn record (the process or the machine stopped while it
             * was being written, so it was never acknowledged) or garbage:
             * the rest of the segment is dropped. */
            say_torn(torn, sizeof torn, p, (uint64_t)off, (uint64_t)len);
            break;
        }
        free(data);
        free(p);
    }
    if (rc == STORE_OK) {
        rc = store_commit(s);
    } else {
        char keep[sizeof s->err];
        memcpy(keep, s->err, sizeof keep);
        store_cancel(s);
        memcpy(s->err, keep, sizeof keep);
    }
    if (rc == STORE_OK) {
        int n = snprintf(s->notice, sizeof s->notice,
                         "%.200s: the live writer stopped without folding its journal: %" PRIu64
                         " writes of %" PRIu64 " groups applied again to the database.",
                         s->path, writes, records);
        if (n > 0 && (size_t)n < sizeof s->notice)
            snprintf(s->notice + n, sizeof s->notice - (size_t)n, "%s", torn);
        /* Applied and synced: the segments go. */
        s->jdrop_from = segs[0];
        rc = store_journal_drop(s, segs[nseg - 1]);
        if (rc != STORE_OK)
            snprintf(s->err, sizeof s->err, "%s: cannot remove the live journal's segments: %s",
                     s->jdir, strerror(errno));
    }
    free(segs);
    return rc;
}
