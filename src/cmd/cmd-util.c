/* cmd-util.c: the programs' shared helpers for messages that say what to
 * do (see cmd-util.h): "did you mean" for a mistyped flag, the state of a
 * database path, and what a file looks like. */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <strings.h>
#include <unistd.h>
#include <dirent.h>

#include <zlib.h>

#include "cmd/cmd-util.h"

/* ---- did you mean ---------------------------------------------------------- */

#define DIST_MAX_LEN 63

unsigned cmd_edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > DIST_MAX_LEN)
        n = DIST_MAX_LEN;
    if (m > DIST_MAX_LEN)
        m = DIST_MAX_LEN;
    /* Three rows of the (n+1) x (m+1) table: two back for transpositions. */
    unsigned rows[3][DIST_MAX_LEN + 1];
    unsigned *pp = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= m; j++)
        prev[j] = (unsigned)j;
    for (size_t i = 1; i <= n; i++) {
        cur[0] = (unsigned)i;
        int ca = tolower((unsigned char)a[i - 1]);
        for (size_t j = 1; j <= m; j++) {
            int cb = tolower((unsigned char)b[j - 1]);
            unsigned best = prev[j - 1] + (ca != cb); /* substitute or keep */
            if (prev[j] + 1 < best)
                best = prev[j] + 1; /* delete from a */
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1; /* insert into a */
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && pp[j - 2] + 1 < best)
                best = pp[j - 2] + 1; /* two neighbours swapped */
            cur[j] = best;
        }
        unsigned *t = pp;
        pp = prev;
        prev = cur;
        cur = t;
    }
    return prev[m];
}

const char *cmd_closest_option(const struct option *opts, const char *name)
{
    size_t len = strlen(name);
    if (len == 0)
        return NULL;
    /* About one edit in three characters: "--db" for "--bd", "--socket"
     * for "--sockte" or "--sokcet", nothing for "--bogus". */
    unsigned limit = (unsigned)((len + 2) / 3);
    if (limit > 3)
        limit = 3;
    const char *best = NULL;
    unsigned best_d = limit + 1;
    for (const struct option *o = opts; o->name; o++) {
        unsigned d = cmd_edit_distance(name, o->name);
        if (d < best_d) {
            best_d = d;
            best = o->name;
        }
    }
    return best;
}

void cmd_try_help(FILE *f, const char *prog)
{
    fprintf(f, "Try '%s --help' for the list of options.\n", prog);
}

/* The options whose name starts with the len bytes of name. */
static size_t prefix_matches(const struct option *opts, const char *name, size_t len,
                             const struct option **first)
{
    size_t count = 0;
    *first = NULL;
    for (const struct option *o = opts; o->name; o++) {
        if (strlen(o->name) == len && !strncmp(o->name, name, len)) {
            *first = o; /* an exact match wins */
            return 1;
        }
        if (!strncmp(o->name, name, len)) {
            if (!*first)
                *first = o;
            count++;
        }
    }
    return count;
}

/* "'--name' ": the user's spelling, at most 60 bytes of it. */
static void put_quoted(FILE *f, const char *dashes, const char *s, size_t len)
{
    fprintf(f, "'%s%.*s'", dashes, (int)(len > 60 ? 60 : len), s);
}

static void long_option_error(FILE *f, const char *prog, const char *elem,
                              const struct option *opts)
{
    const char *name = elem + 2;
    const char *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    const struct option *o;
    size_t n = prefix_matches(opts, name, len, &o);
    fprintf(f, "%s: ", prog);
    if (n == 1 && o->has_arg == required_argument && !eq) {
        fprintf(f, "option '--%s' needs a value\n", o->name);
    } else if (n == 1 && o->has_arg == no_argument && eq) {
        fprintf(f, "option '--%s' takes no value (", o->name);
        put_quoted(f, "", eq, strlen(eq));
        fputs(" given)\n", f);
    } else if (n > 1) {
        fputs("option ", f);
        put_quoted(f, "--", name, len);
        fputs(" is ambiguous:", f);
        const char *sep = " ";
        for (const struct option *p = opts; p->name; p++)
            if (!strncmp(p->name, name, len)) {
                fprintf(f, "%s--%s", sep, p->name);
                sep = ", ";
            }
        fputc('\n', f);
    } else {
        char buf[DIST_MAX_LEN + 1];
        size_t k = len > DIST_MAX_LEN ? DIST_MAX_LEN : len;
        memcpy(buf, name, k);
        buf[k] = '\0';
        const char *near = cmd_closest_option(opts, buf);
        fputs("unknown option ", f);
        put_quoted(f, "--", name, len);
        if (near)
            fprintf(f, "; did you mean --%s?", near);
        fputc('\n', f);
    }
}

void cmd_option_error(FILE *f, const char *prog, int argc, char **argv, const char *shortopts,
                      const struct option *opts)
{
    /* getopt_long has moved optind past the element it refused, when it
     * was a long option, or a short one alone or last in its group. */
    const char *elem = optind > 0 && optind <= argc ? argv[optind - 1] : NULL;
    if (elem && !strncmp(elem, "--", 2) && elem[2]) {
        long_option_error(f, prog, elem, opts);
    } else {
        int c = optopt;
        /* A short option inside a group ("-db"): optind still points at
         * the group. */
        if (optind < argc && argv[optind][0] == '-' && argv[optind][1] != '-' && c > 0 && c < 256 &&
            strchr(argv[optind] + 1, c))
            elem = argv[optind];
        const char *s = c > 0 && c < 256 && c != ':' ? strchr(shortopts, c) : NULL;
        if (s && s[1] == ':')
            fprintf(f, "%s: option '-%c' needs a value\n", prog, c);
        else if (c > 0 && c < 256 && isprint(c))
            fprintf(f, "%s: unknown option '-%c'", prog, c);
        else
            fprintf(f, "%s: unknown option", prog);
        if (!(s && s[1] == ':')) {
            /* "-db" or "-socket": a long option typed with one dash. */
            const char *near = NULL;
            if (elem && elem[0] == '-' && elem[1] && elem[1] != '-' && elem[2] &&
                strlen(elem) <= DIST_MAX_LEN)
                near = cmd_closest_option(opts, elem + 1);
            if (near)
                fprintf(f, " in '%.60s'; did you mean --%s?", elem, near);
            fputc('\n', f);
        }
    }
    cmd_try_help(f, prog);
}

/* ---- databases ------------------------------------------------------------- */

cmd_db_state cmd_db_check(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return errno == EACCES ? CMD_DB_NO_ACCESS : CMD_DB_MISSING;
    if (!S_ISDIR(sb.st_mode))
        return access(path, R_OK) == 0 ? CMD_DB_OK : CMD_DB_NO_ACCESS;
    if (access(path, R_OK | X_OK) != 0)
        return CMD_DB_NO_ACCESS;
    /* XAPIANDB: a stub in a directory, as a replica made by
     * xapian-replicate (replica_0 or replica_1 beside it) */
    static const char *const marks[] = {"iamglass", "iamchert", "iamhoney", "XAPIANDB"};
    size_t plen = strlen(path);
    char buf[4096];
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
        if (plen + strlen(marks[i]) + 2 > sizeof buf)
            return CMD_DB_OK; /* let the database library say */
        snprintf(buf, sizeof buf, "%s/%s", path, marks[i]);
        if (stat(buf, &sb) == 0)
            return access(buf, R_OK) == 0 ? CMD_DB_OK : CMD_DB_NO_ACCESS;
    }
    DIR *d = opendir(path);
    if (!d)
        return CMD_DB_NO_ACCESS;
    cmd_db_state st = CMD_DB_EMPTY_DIR;
    struct dirent *e;
    while (st == CMD_DB_EMPTY_DIR && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            st = CMD_DB_NOT_DB;
    closedir(d);
    return st;
}

/* Where a path came from, for messages: "--db", "[index] database in
 * FILE", or the built-in default. */
static void put_origin(FILE *f, const char *origin, const char *config_path)
{
    if (origin)
        fprintf(f, "(from %s)", origin);
    else if (config_path)
        fprintf(f, "(from [index] database in %s)", config_path);
    else
        fputs("(the default: no --db, and no config file)", f);
}

void cmd_db_explain(FILE *f, const char *prog, const char *path, cmd_db_state st,
                    const char *origin, const char *config_path)
{
    switch (st) {
    case CMD_DB_NO_ACCESS:
        fprintf(f, "%s: cannot read the database %s ", prog, path);
        put_origin(f, origin, config_path);
        fputs(": permission denied\n", f);
        fprintf(f,
                "%s: run as the user that indexes it (socasma, once installed) or a member of "
                "its group\n",
                prog);
        return;
    case CMD_DB_NOT_DB:
        fprintf(f, "%s: %s is not a search database: the directory holds no Xapian database ", prog,
                path);
        put_origin(f, origin, config_path);
        fputc('\n', f);
        fprintf(f,
                "%s: name the database's directory with --db DIR, or a config file with "
                "--config FILE\n",
                prog);
        return;
    case CMD_DB_MISSING:
    case CMD_DB_EMPTY_DIR:
        fprintf(f, "%s: no database at %s%s ", prog, path,
                st == CMD_DB_EMPTY_DIR ? " yet, only an empty directory" : "");
        put_origin(f, origin, config_path);
        fputc('\n', f);
        if (config_path && !origin)
            fprintf(f, "%s: make one with: socasma-index --config %s SOURCE...\n", prog,
                    config_path);
        else
            fprintf(f, "%s: make one with: socasma-index --db %s SOURCE...\n", prog, path);
        fprintf(f,
                "%s: (SOURCE: a JSON Lines file or a WordPress export; in the source tree, "
                "'make run' indexes the sample archive into index/socasma.db)\n",
                prog);
        fprintf(f,
                "%s: or name another database with --db DIR, or a config file with --config "
                "FILE\n",
                prog);
        return;
    case CMD_DB_OK: break;
    }
}

/* ---- what a file looks like ------------------------------------------------ */

#define SNIFF_BYTES 4096

/* 1 when the n bytes at p are UTF-8 (a sequence cut at the end counts). */
static int utf8_ok(const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        size_t len = c < 0x80                          ? 1
                     : (c & 0xe0) == 0xc0 && c >= 0xc2 ? 2
                     : (c & 0xf0) == 0xe0              ? 3
                     : (c & 0xf8) == 0xf0 && c <= 0xf4 ? 4
                                                       : 0;
        if (len == 0)
            return 0;
        for (size_t k = 1; k < len; k++)
            if (i + k < n && (p[i + k] & 0xc0) != 0x80)
                return 0;
        i += len;
    }
    return 1;
}

/* 1 when the text of the n bytes at p contains word, ASCII case ignored. */
static int has_word(const char *p, size_t n, const char *word)
{
    size_t w = strlen(word);
    for (size_t i = 0; i + w <= n; i++)
        if (!strncasecmp(p + i, word, w))
            return 1;
    return 0;
}

cmd_looks cmd_file_looks(const char *path)
{
    /* Only a regular file: opening a fifo would wait for a writer, and
     * reading it would take what the run must read. */
    struct stat sb;
    if (!strcmp(path, "-") || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return CMD_LOOKS_UNKNOWN;
    gzFile g = gzopen(path, "rb"); /* reads plain files as they are */
    if (!g)
        return CMD_LOOKS_UNKNOWN;
    char buf[SNIFF_BYTES + 1];
    int n = gzread(g, buf, SNIFF_BYTES);
    gzclose(g);
    if (n <= 0)
        return CMD_LOOKS_UNKNOWN;
    buf[n] = '\0';
    const unsigned char *u = (const unsigned char *)buf;
    if (n >= 2 && ((u[0] == 0xff && u[1] == 0xfe) || (u[0] == 0xfe && u[1] == 0xff)))
        return CMD_LOOKS_XML; /* UTF-16: only XML comes so */
    size_t i = 0;
    if (n >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3))
        i = 3;
    if (memchr(buf, '\0', (size_t)n) || !utf8_ok(u, (size_t)n))
        return CMD_LOOKS_BINARY;
    while (i < (size_t)n && isspace(u[i]))
        i++;
    if (i == (size_t)n)
        return CMD_LOOKS_UNKNOWN;
    if (buf[i] == '{')
        return CMD_LOOKS_JSONL;
    if (buf[i] == '[')
        return CMD_LOOKS_JSON;
    if (buf[i] == '<') {
        if (has_word(buf + i, (size_t)n - i, "<rss") &&
            has_word(buf + i, (size_t)n - i, "wordpress.org/export"))
            return CMD_LOOKS_WXR;
        if (has_word(buf + i, (size_t)n - i, "<!doctype html") ||
            has_word(buf + i, (size_t)n - i, "<html"))
            return CMD_LOOKS_HTML;
        return CMD_LOOKS_XML;
    }
    return CMD_LOOKS_TEXT;
}

const char *cmd_looks_name(cmd_looks l)
{
    switch (l) {
    case CMD_LOOKS_JSONL: return "JSON Lines";
    case CMD_LOOKS_JSON: return "one JSON document (JSON Lines has one object per line)";
    case CMD_LOOKS_WXR: return "a WordPress export (WXR)";
    case CMD_LOOKS_HTML: return "an HTML page";
    case CMD_LOOKS_XML: return "XML other than a WordPress export";
    case CMD_LOOKS_TEXT: return "plain text";
    case CMD_LOOKS_BINARY: return "binary data (or text not in UTF-8)";
    case CMD_LOOKS_UNKNOWN: break;
    }
    return "something unknown";
}
