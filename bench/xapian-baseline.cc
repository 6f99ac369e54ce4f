// xapian-baseline.cc: the plain-Xapian baseline the benchmarks compare
// socasma-search with. Xapian's default pipeline only: TermGenerator and
// QueryParser with Xapian's built-in Snowball stemmers, nothing of the
// project's analyser.
//
//   xapian-baseline index DB JSONL
//       Indexes JSON Lines posts: title then body through TermGenerator with
//       the stemmer of the post's lang ("en" english, anything else french:
//       the archive is mostly French, and a mixed post has to pick one),
//       unique term Q+id, value 0 = id, data = body (for snippets); commits
//       every 10,000 posts. Prints posts, seconds, posts/s, MB/s.
//   xapian-baseline run DB QUERIES.tsv
//       QUERIES.tsv is qid<TAB>lang<TAB>query (lang is ignored: no hint).
//       Each query is parsed twice (english and french stemmers, default
//       flags, OR), the two parses ORed; top 100; prints qid<TAB>id<TAB>rank
//       (rank from 1).
//   xapian-baseline latency DB QUERIES.tsv [--snippets]
//       Same parse, top 10, with --snippets MSet::snippet of each hit's
//       body; prints p50 and p99 in milliseconds.
#include <xapian.h>

#include <jansson.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace {

double now()
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

std::string jstr(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

int cmd_index(const char *dbpath, const char *jsonl)
{
    std::ifstream in(jsonl);
    if (!in) {
        std::cerr << "cannot open " << jsonl << "\n";
        return 1;
    }
    Xapian::WritableDatabase db(dbpath, Xapian::DB_CREATE_OR_OVERWRITE);
    Xapian::TermGenerator tg;
    Xapian::Stem en("english"), fr("french");
    std::string line;
    unsigned long n = 0;
    unsigned long long bytes = 0;
    double t0 = now();
    while (std::getline(in, line)) {
        bytes += line.size() + 1;
        json_error_t jerr;
        json_t *o = json_loads(line.c_str(), 0, &jerr);
        if (!o)
            continue;
        std::string id = jstr(o, "id"), lang = jstr(o, "lang");
        std::string title = jstr(o, "title"), body = jstr(o, "body");
        json_decref(o);
        Xapian::Document doc;
        tg.set_stemmer(lang == "en" ? en : fr);
        tg.set_document(doc);
        tg.index_text(title);
        tg.increase_termpos();
        tg.index_text(body);
        doc.add_boolean_term("Q" + id);
        doc.add_value(0, id);
        doc.set_data(body);
        db.replace_document("Q" + id, doc);
        if (++n % 10000 == 0)
            db.commit();
    }
    db.commit();
    double t = now() - t0;
    std::printf("posts %lu seconds %.2f posts/s %.0f MB/s %.2f\n", n, t, n / t,
                bytes / 1e6 / t);
    return 0;
}

struct Q {
    std::string qid, text;
};

std::vector<Q> read_queries(const char *path)
{
    std::vector<Q> qs;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        size_t a = line.find('\t');
        if (a == std::string::npos)
            continue;
        size_t b = line.find('\t', a + 1);
        Q q;
        q.qid = line.substr(0, a);
        q.text = b == std::string::npos ? line.substr(a + 1) : line.substr(b + 1);
        qs.push_back(q);
    }
    return qs;
}

Xapian::Query parse(const Xapian::Database &db, const std::string &text)
{
    Xapian::QueryParser qen, qfr;
    qen.set_database(db);
    qfr.set_database(db);
    qen.set_stemmer(Xapian::Stem("english"));
    qfr.set_stemmer(Xapian::Stem("french"));
    qen.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
    qfr.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
    return Xapian::Query(Xapian::Query::OP_OR, qen.parse_query(text), qfr.parse_query(text));
}

int cmd_run(const char *dbpath, const char *queries)
{
    Xapian::Database db(dbpath);
    Xapian::Enquire enq(db);
    for (const Q &q : read_queries(queries)) {
        enq.set_query(parse(db, q.text));
        Xapian::MSet ms = enq.get_mset(0, 100);
        unsigned rank = 1;
        for (Xapian::MSetIterator i = ms.begin(); i != ms.end(); ++i, ++rank)
            std::printf("%s\t%s\t%u\n", q.qid.c_str(), i.get_document().get_value(0).c_str(),
                        rank);
    }
    return 0;
}

int cmd_latency(const char *dbpath, const char *queries, bool snippets)
{
    Xapian::Database db(dbpath);
    Xapian::Enquire enq(db);
    Xapian::Stem fr("french");
    std::vector<double> ms_list;
    size_t chars = 0;
    for (const Q &q : read_queries(queries)) {
        double t0 = now();
        enq.set_query(parse(db, q.text));
        Xapian::MSet ms = enq.get_mset(0, 10);
        for (Xapian::MSetIterator i = ms.begin(); i != ms.end(); ++i) {
            Xapian::Document d = i.get_document();
            if (snippets)
                chars += ms.snippet(d.get_data(), 200, fr).size();
            else
                chars += d.get_value(0).size();
        }
        ms_list.push_back((now() - t0) * 1000.0);
    }
    if (ms_list.empty()) {
        std::cerr << "no queries\n";
        return 1;
    }
    std::sort(ms_list.begin(), ms_list.end());
    auto pct = [&](double p) {
        size_t k = (size_t)(p * (ms_list.size() - 1) + 0.5);
        return ms_list[k];
    };
    std::printf("queries %zu p50 %.3f ms p99 %.3f ms (%zu bytes out)\n", ms_list.size(), pct(0.5),
                pct(0.99), chars);
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    try {
        if (argc == 4 && std::strcmp(argv[1], "index") == 0)
            return cmd_index(argv[2], argv[3]);
        if (argc == 4 && std::strcmp(argv[1], "run") == 0)
            return cmd_run(argv[2], argv[3]);
        if ((argc == 4 || argc == 5) && std::strcmp(argv[1], "latency") == 0)
            return cmd_latency(argv[2], argv[3],
                               argc == 5 && std::strcmp(argv[4], "--snippets") == 0);
    } catch (const Xapian::Error &e) {
        std::cerr << "xapian-baseline: " << e.get_description() << "\n";
        return 1;
    }
    std::cerr << "usage: xapian-baseline index DB JSONL | run DB QUERIES.tsv |"
                 " latency DB QUERIES.tsv [--snippets]\n";
    return 2;
}
