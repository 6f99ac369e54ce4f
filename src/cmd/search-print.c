/* search-print.c: socasma-search's answers as text (see search-print.h):
 * hits with their snippets, counts, stats and completions. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "cmd/search-print.h"

/* Snippet HTML to terminal text: <mark> to bold (or nothing), entities decoded. */
static void print_snippet(const char *s, int tty)
{
    static const struct {
        const char *from, *to;
    } ent[] = {{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}};
    while (*s) {
        if (!strncmp(s, "<mark>", 6)) {
            if (tty)
                fputs("\033[1m", stdout);
            s += 6;
            continue;
        }
        if (!strncmp(s, "</mark>", 7)) {
            if (tty)
                fputs("\033[0m", stdout);
            s += 7;
            continue;
        }
        int done = 0;
        for (size_t k = 0; k < sizeof ent / sizeof ent[0] && !done; k++)
            if (!strncmp(s, ent[k].from, strlen(ent[k].from))) {
                fputs(ent[k].to, stdout);
                s += strlen(ent[k].from);
                done = 1;
            }
        if (!done)
            putchar(*s++);
    }
}

const char *sp_str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static void print_counts(const char *name, const json_t *o)
{
    const char *k;
    json_t *v;
    printf("%s:", name);
    json_object_foreach((json_t *)o, k, v)
        printf(" %s (%lld)", k, (long long)json_integer_value(v));
    printf("\n");
}

void sp_print_human(const json_t *ans, int tty)
{
    json_t *hits = json_object_get(ans, "hits");
    size_t i;
    json_t *h;
    long long offset = json_integer_value(json_object_get(ans, "offset"));
    if (json_is_true(json_object_get(ans, "corrected")))
        printf("No results for your query; showing results for \"%s\".\n\n",
               sp_str(ans, "suggestion"));
    else if (json_is_true(json_object_get(ans, "completed")))
        printf("No results for your query; showing results for its last word as the start of "
               "a word.\n\n");
    else if (json_is_string(json_object_get(ans, "suggestion")))
        printf("Did you mean: %s\n\n", sp_str(ans, "suggestion"));
    json_array_foreach(hits, i, h)
    {
        printf("%lld. %s%s%s\n", offset + (long long)i + 1, tty ? "\033[1m" : "",
               sp_str(h, "title"), tty ? "\033[0m" : "");
        printf("   %s%s%s  %s\n", sp_str(h, "date"), sp_str(h, "date")[0] ? "  " : "",
               sp_str(h, "lang"), sp_str(h, "url"));
        const char *sn = sp_str(h, "snippet");
        if (sn[0]) {
            printf("   ");
            print_snippet(sn, tty);
            printf("\n");
        }
        printf("\n");
    }
    printf("%s%lld result%s (%.1f ms)\n",
           json_is_false(json_object_get(ans, "total_exact")) ? "about " : "",
           (long long)json_integer_value(json_object_get(ans, "total")),
           json_integer_value(json_object_get(ans, "total")) == 1 ? "" : "s",
           json_number_value(json_object_get(ans, "took_ms")));
    json_t *f = json_object_get(ans, "facets");
    if (json_is_object(f)) {
        print_counts("Categories", json_object_get(f, "category"));
        print_counts("Languages", json_object_get(f, "lang"));
        print_counts("Years", json_object_get(f, "year"));
    }
}

void sp_print_stats(const json_t *ans)
{
    printf("posts: %lld\n", (long long)json_integer_value(json_object_get(ans, "posts")));
    printf("revision: %lld\n", (long long)json_integer_value(json_object_get(ans, "revision")));
    printf("last indexed: %s\n", json_is_string(json_object_get(ans, "last_indexed"))
                                     ? sp_str(ans, "last_indexed")
                                     : "unknown");
    print_counts("languages", json_object_get(ans, "langs"));
    print_counts("categories", json_object_get(ans, "categories"));
    /* Through the daemon (--socket, --connect), its own figures too. */
    const json_t *srv = json_object_get(ans, "server");
    if (json_is_object(srv)) {
        const json_t *lat = json_object_get(srv, "latency_ms");
        printf("daemon: up %.0f s, %lld requests, %lld connections, queue %lld\n",
               json_number_value(json_object_get(srv, "uptime_s")),
               (long long)json_integer_value(json_object_get(srv, "requests")),
               (long long)json_integer_value(json_object_get(srv, "connections")),
               (long long)json_integer_value(json_object_get(srv, "queue_depth")));
        printf("latency: p50 %.2f ms, p95 %.2f ms, p99 %.2f ms\n",
               json_number_value(json_object_get(lat, "p50")),
               json_number_value(json_object_get(lat, "p95")),
               json_number_value(json_object_get(lat, "p99")));
        print_counts("errors", json_object_get(srv, "errors"));
    }
}

void sp_print_suggest(const json_t *ans)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(ans, "completions"), i, v)
        printf("%s\n", json_string_value(v));
    json_array_foreach(json_object_get(ans, "titles"), i, v)
        printf("  %s  %s\n", sp_str(v, "title"), sp_str(v, "url"));
}
