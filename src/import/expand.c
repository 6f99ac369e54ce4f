/* expand.c: command-line sources to files: a directory gives its JSON Lines
 * and XML files (plain or .gz) in name order. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "import/internal.h"

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a > b && strcmp(s + a - b, suf) == 0;
}

static int wanted(const char *name)
{
    if (name[0] == '.')
        return 0;
    return ends_with(name, ".jsonl") || ends_with(name, ".xml") || ends_with(name, ".jsonl.gz") ||
           ends_with(name, ".xml.gz");
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_list(char **l, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(l[i]);
    free(l);
}

static int add_dir(const char *dir, char ***paths, size_t *n, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return IMP_ERR_OPEN;
    }
    char **names = NULL;
    size_t nn = 0;
    int rc = IMP_OK;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!wanted(e->d_name))
            continue;
        size_t dl = strlen(dir);
        int slash = dl && dir[dl - 1] == '/';
        size_t len = dl + strlen(e->d_name) + 2;
        char *p = malloc(len);
        if (!p) {
            rc = IMP_ERR_NOMEM;
            break;
        }
        snprintf(p, len, "%s%s%s", dir, slash ? "" : "/", e->d_name);
        struct stat st;
        if (stat(p, &st) != 0 || S_ISDIR(st.st_mode)) {
            free(p);
            continue;
        }
        char **l = realloc(names, (nn + 1) * sizeof *l);
        if (!l) {
            free(p);
            rc = IMP_ERR_NOMEM;
            break;
        }
        names = l;
        names[nn++] = p;
    }
    closedir(d);
    if (rc != IMP_OK) {
        free_list(names, nn);
        snprintf(err, errlen, "out of memory");
        return rc;
    }
    if (nn)
        qsort(names, nn, sizeof *names, cmp_str);
    if (nn) {
        char **l = realloc(*paths, (*n + nn) * sizeof *l);
        if (!l) {
            free_list(names, nn);
            snprintf(err, errlen, "out of memory");
            return IMP_ERR_NOMEM;
        }
        memcpy(l + *n, names, nn * sizeof *l);
        *paths = l;
        *n += nn;
    }
    free(names);
    return IMP_OK;
}

int imp_expand_sources(const char *const *args, size_t nargs, char ***paths, size_t *npaths,
                       char *err, size_t errlen)
{
    if (!paths || !npaths || (nargs && !args)) {
        snprintf(err, errlen, "invalid argument");
        return IMP_ERR_INVALID;
    }
    char **l = NULL;
    size_t n = 0;
    int rc = IMP_OK;
    for (size_t i = 0; i < nargs && rc == IMP_OK; i++) {
        const char *a = args[i];
        struct stat st;
        if (strcmp(a, "-") != 0 && stat(a, &st) != 0) {
            snprintf(err, errlen, "%s: %s", a, strerror(errno));
            rc = IMP_ERR_OPEN;
        } else if (strcmp(a, "-") != 0 && S_ISDIR(st.st_mode)) {
            rc = add_dir(a, &l, &n, err, errlen);
        } else {
            rc = imp_list_add(&l, &n, a);
            if (rc != IMP_OK)
                snprintf(err, errlen, "out of memory");
        }
    }
    if (rc != IMP_OK) {
        free_list(l, n);
        *paths = NULL;
        *npaths = 0;
        return rc;
    }
    *paths = l;
    *npaths = n;
    return IMP_OK;
}
