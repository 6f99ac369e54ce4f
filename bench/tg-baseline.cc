// tg-baseline.cc: the analysis baseline: Xapian's TermGenerator with its
// built-in Snowball stemmer (English or French by the record's language)
// over the records of a file made by bench/analysis; prints MB/s.
// Records: "LL\n" + text, separated by the byte 0x1e.
#include <xapian.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::cerr << "usage: tg-baseline RECORDS\n";
        return 2;
    }
    std::ifstream in(argv[1], std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string all = ss.str();
    Xapian::TermGenerator en, fr;
    en.set_stemmer(Xapian::Stem("english"));
    fr.set_stemmer(Xapian::Stem("french"));
    size_t bytes = 0, terms = 0;
    auto t0 = std::chrono::steady_clock::now();
    size_t i = 0;
    while (i < all.size()) {
        size_t e = all.find('\x1e', i);
        if (e == std::string::npos)
            e = all.size();
        if (e - i > 3) {
            Xapian::TermGenerator &tg = all.compare(i, 2, "fr") == 0 ? fr : en;
            Xapian::Document doc;
            tg.set_document(doc);
            tg.index_text(all.substr(i + 3, e - i - 3)); // (no pointer+length overload)
            terms += doc.termlist_count();
            bytes += e - i - 3;
        }
        i = e + 1;
    }
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("xapian-termgenerator %.1f MB/s (%zu bytes, %.2f s, %zu distinct terms summed over docs)\n",
                bytes / 1e6 / s, bytes, s, terms);
    return 0;
}
