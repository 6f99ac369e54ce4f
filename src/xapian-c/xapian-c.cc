// xapian-c.cc: the C++ implementation of xapian-c.h over libxapian 1.4.
//
// Every exported function is extern "C" and runs its body inside XC_TRY /
// XC_CATCH, which maps each Xapian exception family to an xc_status and keeps
// a copy of the message in thread-local storage (xc_errmsg). Iterators
// (xc_iter) are materialised: the items are copied into a vector when the
// iterator is made, so stepping never touches the database and never fails.
#include <config.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <set>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include <libstemmer.h>
#include <xapian.h>

#include "xapian-c/xapian-c.h"

namespace {

// Longest term Xapian's glass backend stores.
const size_t XC_MAX_TERM = 245;
const size_t XC_MAX_FACETS = 8;

thread_local std::string last_error;

// Requests this thread sent to remote databases and waited for (see
// xc_remote_trips in the header).
thread_local uint64_t remote_trips = 0;

int fail(int status, const char *msg)
{
    try {
        last_error = msg;
    } catch (...) {
        // Keep the previous message rather than throw out of a C function.
    }
    return status;
}

// Xapian's description starts with its exception's class name
// ("DatabaseNotFoundError: Couldn't stat ..."): the status already says
// what kind of failure it is, and users of the programs are not C++
// programmers, so the message keeps what follows the name.
std::string without_class_name(const std::string &msg)
{
    size_t colon = msg.find(": ");
    if (colon == std::string::npos || colon < 5 || msg.compare(colon - 5, 5, "Error") != 0)
        return msg;
    for (size_t i = 0; i < colon; i++)
        if (!std::isalpha(static_cast<unsigned char>(msg[i])))
            return msg;
    return msg.substr(colon + 2);
}

int fail(int status, const std::string &prefix, const std::string &msg)
{
    try {
        last_error = prefix + without_class_name(msg);
    } catch (...) {
    }
    return status;
}

char *dup_string(const std::string &s)
{
    char *p = static_cast<char *>(std::malloc(s.size() + 1));
    if (!p)
        throw std::bad_alloc();
    std::memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    return p;
}

// Xapian's Stem over one libstemmer stemmer, so that Xapian stems exactly as
// the project's indexer does (libstemmer, not Xapian's own Snowball copy).
class LibStemmer : public Xapian::StemImplementation {
    sb_stemmer *st;
    std::string lang;

  public:
    LibStemmer(sb_stemmer *s, const char *l) : st(s), lang(l) {}
    ~LibStemmer() { sb_stemmer_delete(st); }
    LibStemmer(const LibStemmer &) = delete;
    LibStemmer &operator=(const LibStemmer &) = delete;

    std::string operator()(const std::string &word) override
    {
        const sb_symbol *out =
            sb_stemmer_stem(st, reinterpret_cast<const sb_symbol *>(word.data()),
                            static_cast<int>(word.size()));
        if (!out)
            throw std::bad_alloc();
        return std::string(reinterpret_cast<const char *>(out),
                           static_cast<size_t>(sb_stemmer_length(st)));
    }
    std::string get_description() const override { return "libstemmer(" + lang + ")"; }
};

// A facet: Xapian's own ValueCountMatchSpy counts the whole values of the
// slot (it runs on a remote server too, where a spy of ours could not);
// with a separator, each part of a value is credited with the value's
// count when the match set is made, which gives the same counts as
// counting the parts of each document.
struct Facet {
    Xapian::valueno slot;
    char sep;
    std::unique_ptr<Xapian::ValueCountMatchSpy> spy;
};

class PrefixExcluder : public Xapian::ExpandDecider {
  public:
    std::vector<std::string> prefixes;
    bool operator()(const std::string &term) const override
    {
        for (const std::string &p : prefixes)
            if (term.compare(0, p.size(), p) == 0)
                return false;
        return true;
    }
};

struct Item {
    std::string term;
    uint32_t freq;
    double weight;
};

// What xc_enquire_set_stop() installs: the caller's function, asked every
// XC_STOP_EVERY documents of a match, and whether it said stop.
struct StopState {
    xc_stop_fn *fn = nullptr;
    void *arg = nullptr;
    bool stopped = false;
};

const unsigned XC_STOP_EVERY = 32;

// Every document of the database, weight 0, until the caller's function says
// stop: then it ends at once. Put on the right of an OP_FILTER, it ends the
// match there (an AND ends with its shortest side), and the match set holds
// the hits found so far; Xapian 1.4 has no other way to stop a running match
// (Enquire::set_time_limit only stops checking for more). Clones (one per
// shard) share the state.
class StopSource : public Xapian::PostingSource {
    StopState *st;
    Xapian::docid cur = 0, last = 0;
    Xapian::doccount count = 0;
    unsigned calls = 0;

    void check()
    {
        if (!st->stopped && ++calls % XC_STOP_EVERY == 0 && st->fn(st->arg))
            st->stopped = true;
        if (st->stopped)
            cur = last + 1;
    }

  public:
    explicit StopSource(StopState *s) : st(s) {}
    Xapian::PostingSource *clone() const override { return new StopSource(st); }
    void init(const Xapian::Database &db) override
    {
        cur = 0;
        last = db.get_lastdocid();
        count = db.get_doccount();
        calls = 0;
        set_maxweight(0.0);
        if (!st->stopped && st->fn(st->arg))
            st->stopped = true;
        if (st->stopped)
            cur = last + 1;
    }
    Xapian::doccount get_termfreq_min() const override { return count; }
    Xapian::doccount get_termfreq_est() const override { return count; }
    Xapian::doccount get_termfreq_max() const override { return count; }
    void next(double) override
    {
        ++cur;
        check();
    }
    void skip_to(Xapian::docid did, double) override
    {
        if (did > cur)
            cur = did;
        check();
    }
    bool at_end() const override { return cur > last; }
    Xapian::docid get_docid() const override { return cur; }
    std::string get_description() const override { return "StopSource()"; }
};

} // namespace

// A part of a group: its database (sharing the part handle's internals),
// whether it is remote, and for a remote part the synonyms read from its
// exported copy (xc_db_export_tables), loaded on first use.
struct Part {
    Xapian::Database db;
    bool remote = false;
    bool gen_known = false; // a remote part: gen read since the last reopen
    uint64_t gen = 0;       // its exported generation (xc_db_revision)
};

struct xc_db {
    bool writable = false;
    bool in_txn = false;
    bool remote = false;  // remote, or a group with a remote part
    bool group = false;   // made by xc_db_group: borrows its parts
    Xapian::Database rdb;
    Xapian::WritableDatabase wdb;
    std::vector<Part> parts; // a group's parts; a remote database is its own one part
    bool syn_loaded = false;
    std::map<std::string, std::set<std::string>> remote_syn;
    /* a group with a remote part: the lexicon's terms under a prefix
       (xc_query_wildcard_in), kept until a reopen finds a part changed */
    std::map<std::string, std::vector<std::pair<std::string, Xapian::doccount>>> expansions;
    Xapian::Database &db() { return writable ? wdb : rdb; }
};

// The remote parts of db (0 for a local database or group).
static unsigned remote_parts(const xc_db *db)
{
    unsigned n = 0;
    if (db->remote)
        for (const Part &p : db->parts)
            n += p.remote ? 1 : 0;
    return n;
}

// 1 if document did of db lives on a remote part.
static bool remote_doc(const xc_db *db, uint32_t did)
{
    if (!db->remote || db->parts.empty() || did == 0)
        return false;
    return db->parts[(did - 1) % db->parts.size()].remote;
}

struct xc_doc {
    Xapian::Document doc;
    std::string data_buf;
    std::string value_buf;
};

struct xc_query {
    Xapian::Query q;
    /* a synonym xc_query_wildcard_in nested on a group: one database's
       estimate of its frequency (-1: not known, or not nested) */
    int64_t est = -1;
};

struct xc_enquire {
    xc_db *db;
    Xapian::Enquire enq;
    std::vector<Facet> spies;
    Xapian::Query query; /* as set, without the stop filter */
    Xapian::termcount qlen = 0;
    StopState stop;      /* fn NULL: no stop */
    explicit xc_enquire(xc_db *d) : db(d), enq(d->db()) {}
};

struct xc_mset {
    Xapian::MSet ms;
    bool stopped = false; /* the match was ended by the stop function */
    Xapian::Database db; /* what the match read: documents are read from it */
    std::map<uint32_t, std::vector<Item>> facets;
    std::map<std::string, Xapian::Stem> stemmers;
    std::vector<Xapian::Document> fetched; /* the hits' documents read (xc_mset_document) */
    std::vector<bool> have;                /* which of fetched are */
    std::string key_buf;                   /* xc_mset_sort_key's */
    std::vector<bool> part_remote;         /* of the database matched: which parts are remote */
};

struct xc_iter {
    std::vector<Item> items;
    size_t pos = 0;
};

/* The status of a DatabaseError that is none of the subclasses caught
 * before it. A block number past the end of its table ("EOF reading
 * block N") is what a reader gets when a writer in another process reused
 * a block of the revision it reads (a branch block read as something else
 * points anywhere): a corrupt read, tried again on the latest revision like
 * a DatabaseCorruptError; a table truly cut short fails every try. */
static int database_error_status(const Xapian::DatabaseError &e)
{
    static const char eof[] = "EOF reading block ";
    return e.get_msg().compare(0, sizeof eof - 1, eof) == 0 ? XC_ERR_CORRUPT : XC_ERR_DATABASE;
}

#define XC_TRY try {
#define XC_CATCH                                                                                   \
    }                                                                                              \
    catch (const Xapian::DatabaseLockError &e)                                                     \
    {                                                                                              \
        return fail(XC_ERR_LOCKED, "locked: ", e.get_description());                               \
    }                                                                                              \
    catch (const Xapian::DatabaseVersionError &e)                                                  \
    {                                                                                              \
        return fail(XC_ERR_VERSION, "", e.get_description());                                      \
    }                                                                                              \
    catch (const Xapian::DatabaseOpeningError &e)                                                  \
    {                                                                                              \
        return fail(XC_ERR_NOT_FOUND, "", e.get_description());                                    \
    }                                                                                              \
    catch (const Xapian::DatabaseModifiedError &e)                                                 \
    {                                                                                              \
        return fail(XC_ERR_MODIFIED, "", e.get_description());                                     \
    }                                                                                              \
    catch (const Xapian::DatabaseCorruptError &e)                                                  \
    {                                                                                              \
        return fail(XC_ERR_CORRUPT, "", e.get_description());                                      \
    }                                                                                              \
    catch (const Xapian::DatabaseClosedError &e)                                                   \
    {                                                                                              \
        return fail(XC_ERR_CLOSED, "", e.get_description());                                       \
    }                                                                                              \
    catch (const Xapian::DatabaseError &e)                                                         \
    {                                                                                              \
        return fail(database_error_status(e), "", e.get_description());                            \
    }                                                                                              \
    catch (const Xapian::DocNotFoundError &e)                                                      \
    {                                                                                              \
        return fail(XC_ERR_NOT_FOUND, "", e.get_description());                                    \
    }                                                                                              \
    catch (const Xapian::InvalidArgumentError &e)                                                  \
    {                                                                                              \
        return fail(XC_ERR_INVALID_ARG, "", e.get_description());                                  \
    }                                                                                              \
    catch (const Xapian::InvalidOperationError &e)                                                 \
    {                                                                                              \
        return fail(XC_ERR_INVALID_OP, "", e.get_description());                                   \
    }                                                                                              \
    catch (const Xapian::WildcardError &e)                                                         \
    {                                                                                              \
        return fail(XC_ERR_WILDCARD, "", e.get_description());                                     \
    }                                                                                              \
    catch (const Xapian::UnimplementedError &e)                                                    \
    {                                                                                              \
        return fail(XC_ERR_UNIMPLEMENTED, "", e.get_description());                                \
    }                                                                                              \
    catch (const Xapian::FeatureUnavailableError &e)                                               \
    {                                                                                              \
        return fail(XC_ERR_UNIMPLEMENTED, "", e.get_description());                                \
    }                                                                                              \
    catch (const Xapian::NetworkError &e)                                                          \
    {                                                                                              \
        return fail(XC_ERR_NETWORK, "", e.get_description());                                      \
    }                                                                                              \
    catch (const Xapian::Error &e)                                                                 \
    {                                                                                              \
        return fail(XC_ERR_INTERNAL, "", e.get_description());                                     \
    }                                                                                              \
    catch (const std::bad_alloc &)                                                                 \
    {                                                                                              \
        return fail(XC_ERR_NOMEM, "out of memory");                                                \
    }                                                                                              \
    catch (const std::exception &e)                                                                \
    {                                                                                              \
        return fail(XC_ERR_INTERNAL, "C++ exception: ", e.what());                                 \
    }                                                                                              \
    catch (...)                                                                                    \
    {                                                                                              \
        return fail(XC_ERR_INTERNAL, "unknown C++ exception");                                     \
    }

#define NEED(cond)                                                                                 \
    do {                                                                                           \
        if (!(cond))                                                                               \
            return fail(XC_ERR_INVALID_ARG, "invalid argument: " #cond);                           \
    } while (0)

#define NEED_WRITABLE(db)                                                                          \
    do {                                                                                           \
        if (!(db)->writable)                                                                       \
            return fail(XC_ERR_INVALID_OP, "the database is not open for writing");                \
    } while (0)

#define NEED_TERM(term, len)                                                                       \
    do {                                                                                           \
        if ((len) == 0)                                                                            \
            return fail(XC_ERR_INVALID_ARG, "empty term");                                         \
        if ((len) > XC_MAX_TERM)                                                                   \
            return fail(XC_ERR_TOO_LONG, "term too long (over 245 bytes)");                        \
    } while (0)

namespace {

const char *const XC_META_EXPORT_GEN_ = "xc.export.gen";
const char *const XC_META_SPELLING = "xc.spelling.";
const char *const XC_META_SYNONYMS = "xc.synonyms.";
const size_t XC_META_CHUNK = 65536;

// Writes lines into the metadata keys base0, base1, ... (each at most
// XC_META_CHUNK bytes, whole lines) and clears the keys of an earlier,
// longer copy.
void write_chunks(Xapian::WritableDatabase &w, const char *base, const std::vector<std::string> &lines)
{
    std::string chunk;
    unsigned n = 0;
    for (const std::string &l : lines) {
        if (!chunk.empty() && chunk.size() + l.size() > XC_META_CHUNK) {
            w.set_metadata(base + std::to_string(n++), chunk);
            chunk.clear();
        }
        chunk += l;
    }
    if (!chunk.empty())
        w.set_metadata(base + std::to_string(n++), chunk);
    for (;; n++) {
        std::string key = base + std::to_string(n);
        if (w.get_metadata(key).empty())
            break;
        w.set_metadata(key, std::string());
    }
}

// Calls fn on each line of the chunks base0, base1, ... of d.
void read_chunks(const Xapian::Database &d, const char *base,
                 const std::function<void(const std::string &)> &fn)
{
    for (unsigned n = 0;; n++) {
        std::string chunk = d.get_metadata(base + std::to_string(n));
        remote_trips++; /* only called on remote parts */
        if (chunk.empty())
            break;
        size_t start = 0;
        while (start < chunk.size()) {
            size_t end = chunk.find('\n', start);
            if (end == std::string::npos)
                end = chunk.size();
            if (end > start)
                fn(chunk.substr(start, end - start));
            start = end + 1;
        }
    }
}

// The synonyms of a group's remote parts (their exported copies).
void load_remote_synonyms(xc_db *db)
{
    if (db->syn_loaded)
        return;
    db->remote_syn.clear();
    for (Part &p : db->parts)
        if (p.remote)
            read_chunks(p.db, XC_META_SYNONYMS, [db](const std::string &l) {
                size_t tab = l.find('\t');
                if (tab != std::string::npos && tab > 0 && tab + 1 < l.size())
                    db->remote_syn[l.substr(0, tab)].insert(l.substr(tab + 1));
            });
    db->syn_loaded = true;
}

// The synonyms of term in db: the tables of its local parts (Xapian merges
// them) and the exported copies of its remote ones, in byte order.
std::set<std::string> synonyms_of(xc_db *db, const std::string &term)
{
    Xapian::Database &d = db->db();
    std::set<std::string> out;
    for (Xapian::TermIterator t = d.synonyms_begin(term); t != d.synonyms_end(term); ++t)
        out.insert(*t);
    if (db->remote) {
        load_remote_synonyms(db);
        auto f = db->remote_syn.find(term);
        if (f != db->remote_syn.end())
            out.insert(f->second.begin(), f->second.end());
    }
    return out;
}

} // namespace

extern "C" {

/* ---- errors ---------------------------------------------------------- */

const char *xc_errmsg(void) { return last_error.c_str(); }

const char *xc_status_name(int status)
{
    switch (status) {
    case XC_OK: return "ok";
    case XC_DONE: return "done";
#define XC_ERRNO_NAME(name, value, str) \
    case XC_ERR_##name: return str;
        XC_ERRNO_MAP(XC_ERRNO_NAME)
#undef XC_ERRNO_NAME
    default: return "unknown";
    }
}

const char *xc_version(void) { return Xapian::version_string(); }

/* ---- databases ------------------------------------------------------- */

int xc_db_open(const char *path, xc_db **out)
{
    NEED(out);
    *out = nullptr;
    NEED(path);
    XC_TRY
    std::unique_ptr<xc_db> h(new xc_db);
    h->rdb = Xapian::Database(path);
    *out = h.release();
    return XC_OK;
    XC_CATCH
}

int xc_db_open_writable(const char *path, xc_db_mode mode, xc_db **out)
{
    return xc_db_open_writable_flags(path, mode, 0, out);
}

int xc_db_open_writable_flags(const char *path, xc_db_mode mode, unsigned flags, xc_db **out)
{
    NEED(out);
    *out = nullptr;
    NEED(path);
    NEED((flags & ~XC_DB_NO_SYNC) == 0);
    int action;
    switch (mode) {
    case XC_DB_CREATE_OR_OPEN: action = Xapian::DB_CREATE_OR_OPEN; break;
    case XC_DB_CREATE_OR_OVERWRITE: action = Xapian::DB_CREATE_OR_OVERWRITE; break;
    case XC_DB_OPEN: action = Xapian::DB_OPEN; break;
    case XC_DB_CREATE: action = Xapian::DB_CREATE; break;
    default: return fail(XC_ERR_INVALID_ARG, "invalid xc_db_mode");
    }
    if (flags & XC_DB_NO_SYNC)
        action |= Xapian::DB_NO_SYNC;
    XC_TRY
    std::unique_ptr<xc_db> h(new xc_db);
    // No DB_RETRY_LOCK: a held lock fails at once with DatabaseLockError.
    h->wdb = Xapian::WritableDatabase(path, action);
    h->writable = true;
    *out = h.release();
    return XC_OK;
    XC_CATCH
}

int xc_db_compact(const char *const *sources, size_t n, const char *dest)
{
    NEED(sources && n > 0 && dest);
    for (size_t i = 0; i < n; i++)
        NEED(sources[i]);
    XC_TRY
    Xapian::Database all;
    for (size_t i = 0; i < n; i++)
        all.add_database(Xapian::Database(sources[i]));
    // Renumbering (the default) concatenates the sources' docid ranges.
    // FULL (Xapian's default level) packs the blocks: the output is what
    // readers search from now on; FULLER would make later updates costly.
    all.compact(dest, Xapian::Compactor::FULL);
    return XC_OK;
    XC_CATCH
}

void xc_db_close(xc_db *db)
{
    if (!db)
        return;
    if (db->writable) {
        try {
            if (db->in_txn)
                db->wdb.cancel_transaction();
        } catch (const Xapian::Error &e) {
            fail(XC_ERR_DATABASE, "cancel on close: ", e.get_description());
        } catch (...) {
            fail(XC_ERR_INTERNAL, "exception while cancelling on close");
        }
        try {
            db->wdb.close();
        } catch (const Xapian::Error &e) {
            fail(XC_ERR_DATABASE, "close: ", e.get_description());
        } catch (...) {
            fail(XC_ERR_INTERNAL, "exception while closing");
        }
    } else if (!db->group) {
        try {
            db->rdb.close();
        } catch (...) {
        }
    }
    try {
        delete db;
    } catch (...) {
    }
}

int xc_db_is_writable(const xc_db *db) { return db && db->writable ? 1 : 0; }

int xc_db_open_remote(const char *host, unsigned port, unsigned timeout_ms, xc_db **out)
{
    NEED(out);
    *out = nullptr;
    NEED(host && *host && port > 0 && port < 65536);
    XC_TRY
    std::unique_ptr<xc_db> h(new xc_db);
    h->rdb = Xapian::Remote::open(host, port, timeout_ms, timeout_ms);
    h->remote = true;
    Part part;
    part.db = h->rdb;
    part.remote = true;
    h->parts.push_back(part);
    *out = h.release();
    return XC_OK;
    XC_CATCH
}

int xc_db_group(xc_db *const *parts, size_t n, xc_db **out)
{
    NEED(out);
    *out = nullptr;
    NEED(parts && n > 0);
    for (size_t i = 0; i < n; i++)
        NEED(parts[i] && !parts[i]->writable && !parts[i]->group);
    XC_TRY
    std::unique_ptr<xc_db> h(new xc_db);
    h->group = true;
    for (size_t i = 0; i < n; i++) {
        h->rdb.add_database(parts[i]->rdb);
        Part part;
        part.db = parts[i]->rdb;
        part.remote = parts[i]->remote;
        h->remote = h->remote || part.remote;
        h->parts.push_back(part);
    }
    *out = h.release();
    return XC_OK;
    XC_CATCH
}

int xc_db_is_group(const xc_db *db) { return db && db->group ? 1 : 0; }

int xc_db_is_remote(const xc_db *db) { return db && db->remote ? 1 : 0; }

int xc_db_reopen(xc_db *db, int *reopened)
{
    if (reopened)
        *reopened = 0;
    NEED(db);
    XC_TRY
    if (!db->remote) {
        bool r = db->db().reopen();
        if (reopened)
            *reopened = r ? 1 : 0;
        return XC_OK;
    }
    // With a remote part, each part on its own (they share the group's
    // internals). A local part's reopen() says whether its revision moved;
    // a remote part's says nothing useful, so what it exported is compared:
    // its generation (bumped by every commit of a database that keeps the
    // copies, xc_db_export_tables: socasma-index --shard and the daemon's
    // writer on such a database), its document count and last id. A part
    // that exports nothing (generation 0) always counts as changed.
    bool r = false, remote_changed = false;
    for (Part &p : db->parts) {
        if (!p.remote) {
            r = p.db.reopen() || r;
            continue;
        }
        bool known = p.gen_known;
        uint64_t gen = p.gen;
        Xapian::doccount count = p.db.get_doccount();
        Xapian::docid last = p.db.get_lastdocid();
        p.gen_known = false;
        p.db.reopen();
        p.gen = std::strtoull(p.db.get_metadata(XC_META_EXPORT_GEN_).c_str(), nullptr, 10);
        p.gen_known = true;
        remote_trips += 2;
        if (!known || p.gen == 0 || p.gen != gen || p.db.get_doccount() != count ||
            p.db.get_lastdocid() != last)
            remote_changed = true;
    }
    if (r || remote_changed) { // its exported synonyms are read again
        db->syn_loaded = false;
        db->remote_syn.clear();
        db->expansions.clear();
    }
    if (reopened)
        *reopened = r || remote_changed ? 1 : 0;
    return XC_OK;
    XC_CATCH
}

int xc_db_commit(xc_db *db)
{
    NEED(db);
    NEED_WRITABLE(db);
    XC_TRY
    db->wdb.commit();
    return XC_OK;
    XC_CATCH
}

int xc_db_begin_transaction(xc_db *db, int flushed)
{
    NEED(db);
    NEED_WRITABLE(db);
    XC_TRY
    db->wdb.begin_transaction(flushed != 0);
    db->in_txn = true;
    return XC_OK;
    XC_CATCH
}

int xc_db_commit_transaction(xc_db *db)
{
    NEED(db);
    NEED_WRITABLE(db);
    XC_TRY
    db->wdb.commit_transaction();
    db->in_txn = false;
    return XC_OK;
    XC_CATCH
}

int xc_db_cancel_transaction(xc_db *db)
{
    NEED(db);
    NEED_WRITABLE(db);
    XC_TRY
    db->wdb.cancel_transaction();
    db->in_txn = false;
    return XC_OK;
    XC_CATCH
}

int xc_db_revision(xc_db *db, uint64_t *revision)
{
    NEED(db && revision);
    XC_TRY
    if (db->parts.empty()) {
        *revision = db->db().get_revision();
        return XC_OK;
    }
    // A group: the sum of its parts' revisions; a remote part (whose
    // protocol has no revision) counts its exported generation.
    // (read once per reopen: the search asks it often, and each read of a
    // remote part is a round trip)
    uint64_t sum = 0;
    for (Part &p : db->parts) {
        if (p.remote && !p.gen_known) {
            p.gen = std::strtoull(p.db.get_metadata(XC_META_EXPORT_GEN_).c_str(), nullptr, 10);
            p.gen_known = true;
            remote_trips++;
        }
        sum += p.remote ? p.gen : p.db.get_revision();
    }
    *revision = sum;
    return XC_OK;
    XC_CATCH
}

int xc_db_doccount(xc_db *db, uint32_t *count)
{
    NEED(db && count);
    XC_TRY
    *count = db->db().get_doccount();
    return XC_OK;
    XC_CATCH
}

int xc_db_lastdocid(xc_db *db, uint32_t *docid)
{
    NEED(db && docid);
    XC_TRY
    *docid = db->db().get_lastdocid();
    return XC_OK;
    XC_CATCH
}

int xc_db_avlength(xc_db *db, double *avlength)
{
    NEED(db && avlength);
    XC_TRY
    *avlength = db->db().get_avlength();
    return XC_OK;
    XC_CATCH
}

int xc_db_termfreq(xc_db *db, const char *term, size_t len, uint32_t *freq)
{
    NEED(db && term && freq);
    *freq = 0;
    if (len > XC_MAX_TERM)
        return XC_OK; // cannot be in the database
    XC_TRY
    *freq = db->db().get_termfreq(std::string(term, len));
    remote_trips += remote_parts(db);
    return XC_OK;
    XC_CATCH
}

int xc_db_get_metadata(xc_db *db, const char *key, char **value, size_t *len)
{
    NEED(value);
    *value = nullptr;
    if (len)
        *len = 0;
    NEED(db && key && len);
    XC_TRY
    std::string v = db->db().get_metadata(key);
    remote_trips += !db->parts.empty() && db->parts[0].remote ? 1 : 0; /* read from the first */
    *value = dup_string(v);
    *len = v.size();
    return XC_OK;
    XC_CATCH
}

int xc_db_set_metadata(xc_db *db, const char *key, const char *value, size_t len)
{
    NEED(db && key && (value || len == 0));
    NEED_WRITABLE(db);
    XC_TRY
    db->wdb.set_metadata(key, len ? std::string(value, len) : std::string());
    return XC_OK;
    XC_CATCH
}

/* ---- documents ------------------------------------------------------- */

int xc_doc_new(xc_doc **out)
{
    NEED(out);
    *out = nullptr;
    XC_TRY
    *out = new xc_doc;
    return XC_OK;
    XC_CATCH
}

void xc_doc_free(xc_doc *doc)
{
    try {
        delete doc;
    } catch (...) {
    }
}

int xc_doc_add_posting(xc_doc *doc, const char *term, size_t len, uint32_t pos, uint32_t wdfinc)
{
    NEED(doc && term);
    NEED_TERM(term, len);
    XC_TRY
    doc->doc.add_posting(std::string(term, len), pos, wdfinc);
    return XC_OK;
    XC_CATCH
}

int xc_doc_add_term(xc_doc *doc, const char *term, size_t len, uint32_t wdfinc)
{
    NEED(doc && term);
    NEED_TERM(term, len);
    XC_TRY
    doc->doc.add_term(std::string(term, len), wdfinc);
    return XC_OK;
    XC_CATCH
}

int xc_doc_add_boolean_term(xc_doc *doc, const char *term, size_t len)
{
    NEED(doc && term);
    NEED_TERM(term, len);
    XC_TRY
    doc->doc.add_boolean_term(std::string(term, len));
    return XC_OK;
    XC_CATCH
}

int xc_doc_set_value(xc_doc *doc, uint32_t slot, const char *value, size_t len)
{
    NEED(doc && (value || len == 0));
    NEED(slot != Xapian::BAD_VALUENO);
    XC_TRY
    if (len == 0)
        doc->doc.remove_value(slot);
    else
        doc->doc.add_value(slot, std::string(value, len));
    return XC_OK;
    XC_CATCH
}

int xc_doc_set_data(xc_doc *doc, const char *data, size_t len)
{
    NEED(doc && (data || len == 0));
    XC_TRY
    doc->doc.set_data(len ? std::string(data, len) : std::string());
    return XC_OK;
    XC_CATCH
}

int xc_doc_add_terms(xc_doc *doc, const xc_term *terms, size_t n)
{
    NEED(doc && (terms || n == 0));
    for (size_t i = 0; i < n; i++) {
        NEED(terms[i].term && (terms[i].pos || terms[i].npos == 0));
        NEED_TERM(terms[i].term, terms[i].len);
    }
    XC_TRY
    std::string t;
    for (size_t i = 0; i < n; i++) {
        const xc_term &x = terms[i];
        t.assign(x.term, x.len);
        /* The first call inserts the term into the document's map, the
         * others find it: one lookup per position, as many as one call
         * per occurrence would make, none more. */
        if (x.npos == 0)
            doc->doc.add_term(t, x.wdf);
        else
            doc->doc.add_posting(t, x.pos[0], x.wdf);
        for (uint32_t k = 1; k < x.npos; k++)
            doc->doc.add_posting(t, x.pos[k], 0);
    }
    return XC_OK;
    XC_CATCH
}

int xc_doc_get_data(xc_doc *doc, const char **data, size_t *len)
{
    NEED(doc && data && len);
    XC_TRY
    doc->data_buf = doc->doc.get_data();
    *data = doc->data_buf.c_str();
    *len = doc->data_buf.size();
    return XC_OK;
    XC_CATCH
}

int xc_doc_get_value(xc_doc *doc, uint32_t slot, const char **value, size_t *len)
{
    NEED(doc && value && len);
    XC_TRY
    doc->value_buf = doc->doc.get_value(slot);
    *value = doc->value_buf.c_str();
    *len = doc->value_buf.size();
    return XC_OK;
    XC_CATCH
}

uint32_t xc_doc_docid(const xc_doc *doc)
{
    if (!doc)
        return 0;
    try {
        return doc->doc.get_docid();
    } catch (...) {
        return 0;
    }
}

void xc_sortable_serialise(double value, char buf[18], size_t *len)
{
    if (!buf) {
        if (len)
            *len = 0;
        return;
    }
    try {
        std::string s = Xapian::sortable_serialise(value);
        size_t n = std::min<size_t>(s.size(), 18);
        std::memcpy(buf, s.data(), n);
        if (len)
            *len = n;
    } catch (...) {
        if (len)
            *len = 0;
    }
}

double xc_sortable_unserialise(const char *buf, size_t len)
{
    if (!buf)
        return 0.0;
    try {
        return Xapian::sortable_unserialise(std::string(buf, len));
    } catch (...) {
        return 0.0;
    }
}

int xc_db_add_document(xc_db *db, xc_doc *doc, uint32_t *docid)
{
    NEED(db && doc);
    NEED_WRITABLE(db);
    XC_TRY
    Xapian::docid id = db->wdb.add_document(doc->doc);
    if (docid)
        *docid = id;
    return XC_OK;
    XC_CATCH
}

int xc_db_replace_document(xc_db *db, const char *idterm, xc_doc *doc, uint32_t *docid)
{
    NEED(db && idterm && doc);
    NEED_WRITABLE(db);
    size_t len = std::strlen(idterm);
    NEED_TERM(idterm, len);
    XC_TRY
    Xapian::docid id = db->wdb.replace_document(std::string(idterm, len), doc->doc);
    if (docid)
        *docid = id;
    return XC_OK;
    XC_CATCH
}

int xc_db_delete_document(xc_db *db, const char *idterm, int *deleted)
{
    if (deleted)
        *deleted = 0;
    NEED(db && idterm);
    NEED_WRITABLE(db);
    size_t len = std::strlen(idterm);
    NEED_TERM(idterm, len);
    XC_TRY
    std::string t(idterm, len);
    bool present = db->wdb.postlist_begin(t) != db->wdb.postlist_end(t);
    if (present)
        db->wdb.delete_document(t);
    if (deleted)
        *deleted = present ? 1 : 0;
    return XC_OK;
    XC_CATCH
}

int xc_db_get_document_by_term(xc_db *db, const char *idterm, xc_doc **out)
{
    NEED(out);
    *out = nullptr;
    NEED(db && idterm);
    size_t len = std::strlen(idterm);
    if (len == 0 || len > XC_MAX_TERM)
        return fail(XC_ERR_NOT_FOUND, "no document has this term");
    XC_TRY
    Xapian::Database &d = db->db();
    std::string t(idterm, len);
    Xapian::PostingIterator p = d.postlist_begin(t);
    remote_trips += remote_parts(db);
    if (p == d.postlist_end(t))
        return fail(XC_ERR_NOT_FOUND, "no document has term ", t);
    std::unique_ptr<xc_doc> h(new xc_doc);
    h->doc = d.get_document(*p);
    remote_trips += remote_doc(db, *p) ? 1 : 0;
    *out = h.release();
    return XC_OK;
    XC_CATCH
}

int xc_db_get_document(xc_db *db, uint32_t docid, xc_doc **out)
{
    NEED(out);
    *out = nullptr;
    NEED(db);
    if (docid == 0)
        return fail(XC_ERR_NOT_FOUND, "docid 0 does not exist");
    XC_TRY
    std::unique_ptr<xc_doc> h(new xc_doc);
    h->doc = db->db().get_document(docid);
    remote_trips += remote_doc(db, docid) ? 1 : 0;
    *out = h.release();
    return XC_OK;
    XC_CATCH
}

int xc_db_positions(xc_db *db, uint32_t docid, const char *term, size_t len, uint32_t **pos,
                    size_t *n)
{
    NEED(pos && n);
    *pos = nullptr;
    *n = 0;
    NEED(db && term);
    if (len == 0 || len > XC_MAX_TERM || docid == 0)
        return XC_OK;
    XC_TRY
    Xapian::Database &d = db->db();
    std::string t(term, len);
    std::vector<uint32_t> v;
    remote_trips += remote_doc(db, docid) ? 1 : 0;
    for (Xapian::PositionIterator p = d.positionlist_begin(docid, t);
         p != d.positionlist_end(docid, t); ++p)
        v.push_back(*p);
    if (v.empty())
        return XC_OK;
    uint32_t *a = static_cast<uint32_t *>(std::malloc(v.size() * sizeof *a));
    if (!a)
        throw std::bad_alloc();
    std::memcpy(a, v.data(), v.size() * sizeof *a);
    *pos = a;
    *n = v.size();
    return XC_OK;
    XC_CATCH
}

/* ---- iterators ------------------------------------------------------- */

int xc_iter_next(xc_iter *it, const char **term, size_t *len, uint32_t *freq, double *weight)
{
    NEED(it);
    if (it->pos >= it->items.size())
        return XC_DONE;
    const Item &i = it->items[it->pos++];
    if (term)
        *term = i.term.c_str();
    if (len)
        *len = i.term.size();
    if (freq)
        *freq = i.freq;
    if (weight)
        *weight = i.weight;
    return XC_OK;
}

void xc_iter_free(xc_iter *it)
{
    try {
        delete it;
    } catch (...) {
    }
}

int xc_db_allterms(xc_db *db, const char *prefix, xc_iter **out)
{
    return xc_db_allterms_max(db, prefix, 0, out);
}

int xc_db_allterms_max(xc_db *db, const char *prefix, size_t max, xc_iter **out)
{
    NEED(out);
    *out = nullptr;
    NEED(db && prefix);
    XC_TRY
    Xapian::Database &d = db->db();
    std::unique_ptr<xc_iter> h(new xc_iter);
    remote_trips += remote_parts(db);
    for (Xapian::TermIterator t = d.allterms_begin(prefix);
         t != d.allterms_end(prefix) && (max == 0 || h->items.size() < max); ++t)
        h->items.push_back(Item{*t, t.get_termfreq(), 0.0});
    *out = h.release();
    return XC_OK;
    XC_CATCH
}

int xc_db_prefix_cost(xc_db *db, const char *prefix, uint32_t max_expansion, uint32_t scan_max,
                      uint32_t *nterms, uint64_t *postings)
{
    NEED(db && prefix && nterms && postings);
    *nterms = 0;
    *postings = 0;
    XC_TRY
    Xapian::Database &d = db->db();
    std::vector<Xapian::doccount> freqs;
    remote_trips += remote_parts(db);
    for (Xapian::TermIterator t = d.allterms_begin(prefix); t != d.allterms_end(prefix); ++t) {
        if (scan_max && freqs.size() >= scan_max)
            return fail(XC_ERR_WILDCARD, "too many terms start with ", prefix);
        freqs.push_back(t.get_termfreq());
    }
    size_t keep = freqs.size();
    if (max_expansion && keep > max_expansion) {
        keep = max_expansion;
        std::nth_element(freqs.begin(), freqs.begin() + (keep - 1), freqs.end(),
                         std::greater<Xapian::doccount>());
    }
    uint64_t sum = 0;
    for (size_t i = 0; i < keep; i++)
        sum += freqs[i];
    *nterms = static_cast<uint32_t>(keep);
    *postings = sum;
    return XC_OK;
    XC_CATCH
}

int xc_db_termlist(xc_db *db, uint32_t docid, const char *prefix, xc_iter **out)
{
    NEED(out);
    *out = nullptr;
    NEED(db && prefix);
    if (docid == 0)
        return fail(XC_ERR_NOT_FOUND, "docid 0 does not exist");
    XC_TRY
    Xapian::Database &d = db->db();
    std::string p(prefix);
    std::unique_ptr<xc_iter> h(new xc_iter);
    remote_trips += remote_doc(db, docid) ? 1 : 0;
    Xapian::TermIterator t = d.termlist_begin(docid);
    Xapian::TermIterator end = d.termlist_end(docid);
    if (!p.empty())
        t.skip_to(p);
    for (; t != end; ++t) {
        std::string term = *t;
        if (term.compare(0, p.size(), p) != 0)
            break;
        h->items.push_back(Item{term, t.get_wdf(), 0.0});
    }
    *out = h.release();
    return XC_OK;
    XC_CATCH
}

int xc_db_values(xc_db *db, uint32_t slot, xc_iter **out)
{
    NEED(out);
    *out = nullptr;
    NEED(db);
    XC_TRY
    Xapian::Database &d = db->db();
    std::unique_ptr<xc_iter> h(new xc_iter);
    for (Xapian::ValueIterator v = d.valuestream_begin(slot); v != d.valuestream_end(slot); ++v)
        h->items.push_back(Item{*v, v.get_docid(), 0.0});
    *out = h.release();
    return XC_OK;
    XC_CATCH
}

int xc_db_values_of(xc_db *db, uint32_t slot, const uint32_t *docids, size_t n,
                    int (*fn)(void *ctx, size_t i, const char *value, size_t len), void *ctx)
{
    NEED(db && fn && (docids || n == 0));
    if (n > XC_VALUES_OF_MAX)
        return fail(XC_ERR_INVALID_ARG, "too many documents");
    XC_TRY
    std::pair<uint32_t, size_t> order[XC_VALUES_OF_MAX];
    for (size_t i = 0; i < n; i++)
        order[i] = std::make_pair(docids[i], i);
    std::sort(order, order + n);
    Xapian::Database &d = db->db();
    if (db->remote) {
        // Xapian 1.4's remote protocol has no value streams: its fallback
        // reads documents one after another from the first. Each document
        // asked is fetched instead (one round trip each).
        for (size_t k = 0; k < n; k++) {
            if (order[k].first == 0 || (k > 0 && order[k].first == order[k - 1].first))
                continue;
            std::string value;
            remote_trips += remote_doc(db, order[k].first) ? 1 : 0;
            try {
                value = d.get_document(order[k].first).get_value(slot);
            } catch (const Xapian::DocNotFoundError &) {
                continue;
            }
            if (!value.empty() && fn(ctx, order[k].second, value.data(), value.size()) != 0)
                break;
        }
        return XC_OK;
    }
    Xapian::ValueIterator v = d.valuestream_begin(slot), end = d.valuestream_end(slot);
    for (size_t k = 0; k < n && v != end; k++) {
        if (order[k].first == 0)
            continue;
        v.skip_to(order[k].first);
        if (v == end)
            break;
        if (v.get_docid() != order[k].first)
            continue;
        const std::string value = *v;
        if (!value.empty() && fn(ctx, order[k].second, value.data(), value.size()) != 0)
            break;
    }
    return XC_OK;
    XC_CATCH
}

/* ---- spelling and synonyms ------------------------------------------ */

int xc_db_add_spelling(xc_db *db, const char *word, uint32_t freqinc)
{
    NEED(db && word && *word);
    NEED_WRITABLE(db);
    XC_TRY
    db->wdb.add_spelling(word, freqinc);
    return XC_OK;
    XC_CATCH
}

// Calls fn(count, word) on each "COUNT WORD" line of v.
static void each_line(const std::string &v,
                      const std::function<void(uint32_t, const std::string &)> &fn)
{
    size_t start = 0;
    while (start < v.size()) {
        size_t end = v.find('\n', start);
        if (end == std::string::npos)
            end = v.size();
        size_t sp = v.find(' ', start);
        if (sp != std::string::npos && sp > start && sp + 1 < end) {
            unsigned long n = std::strtoul(v.c_str() + start, nullptr, 10);
            fn(n ? static_cast<uint32_t>(n > 0xffffffffUL ? 0xffffffffUL : n) : 1,
               v.substr(sp + 1, end - sp - 1));
        }
        start = end + 1;
    }
}

// Calls fn(count, word) on each pending spelling word of d.
static void each_pending_spelling(const Xapian::Database &d,
                                  const std::function<void(uint32_t, const std::string &)> &fn)
{
    each_line(d.get_metadata(XC_META_SPELLING_PENDING), fn);
}

int xc_db_add_pending_spellings(xc_db *db, const char *lines, size_t len)
{
    NEED(db && (lines || len == 0));
    NEED_WRITABLE(db);
    if (len == 0)
        return XC_OK;
    XC_TRY
    // Every pending word once, counts summed: a fold's lines name each
    // word once a post (tens of thousands of lines), and a reader rebuilds
    // its index of the words after every fold, so what it reads must
    // follow the distinct words, not the posts or the folds.
    Xapian::WritableDatabase &w = db->wdb;
    std::map<std::string, uint64_t> sum;
    auto add = [&sum](uint32_t c, const std::string &word) { sum[word] += c; };
    each_pending_spelling(w, add);
    each_line(std::string(lines, len), add);
    std::string value;
    for (const auto &kv : sum)
        value += std::to_string(kv.second > 0xffffffffu ? 0xffffffffu : kv.second) + " " +
                 kv.first + "\n";
    w.set_metadata(XC_META_SPELLING_PENDING, value);
    return XC_OK;
    XC_CATCH
}

int xc_db_apply_pending_spellings(xc_db *db, uint64_t *moved)
{
    NEED(db);
    NEED_WRITABLE(db);
    if (moved)
        *moved = 0;
    XC_TRY
    Xapian::WritableDatabase &w = db->wdb;
    uint64_t words = 0;
    each_pending_spelling(w, [&w, &words](uint32_t n, const std::string &word) {
        w.add_spelling(word, n);
        words++;
    });
    if (words)
        w.set_metadata(XC_META_SPELLING_PENDING, std::string());
    if (moved)
        *moved = words;
    return XC_OK;
    XC_CATCH
}

int xc_db_export_tables(xc_db *db)
{
    NEED(db);
    NEED_WRITABLE(db);
    XC_TRY
    Xapian::WritableDatabase &w = db->wdb;
    std::vector<std::string> lines;
    std::map<std::string, uint32_t> words; // the table's and the pending ones
    for (Xapian::TermIterator t = w.spellings_begin(); t != w.spellings_end(); ++t)
        words[*t] += t.get_termfreq();
    each_pending_spelling(w, [&words](uint32_t n, const std::string &word) { words[word] += n; });
    for (const auto &kv : words)
        lines.push_back(std::to_string(kv.second) + " " + kv.first + "\n");
    write_chunks(w, XC_META_SPELLING, lines);
    lines.clear();
    for (Xapian::TermIterator k = w.synonym_keys_begin(); k != w.synonym_keys_end(); ++k)
        for (Xapian::TermIterator t = w.synonyms_begin(*k); t != w.synonyms_end(*k); ++t)
            lines.push_back(*k + "\t" + *t + "\n");
    write_chunks(w, XC_META_SYNONYMS, lines);
    uint64_t gen = std::strtoull(w.get_metadata(XC_META_EXPORT_GEN_).c_str(), nullptr, 10);
    w.set_metadata(XC_META_EXPORT_GEN_, std::to_string(gen + 1));
    return XC_OK;
    XC_CATCH
}

int xc_db_spellings(xc_db *db, xc_iter **out)
{
    NEED(out);
    *out = nullptr;
    NEED(db);
    XC_TRY
    Xapian::Database &d = db->db();
    std::unique_ptr<xc_iter> h(new xc_iter);
    // Pending words (XC_META_SPELLING_PENDING) of the database, or of a
    // group's first local part (where a live writer's folds keep them).
    const Xapian::Database *src = db->parts.empty() ? &d : nullptr;
    for (const Part &p : db->parts)
        if (!src && !p.remote)
            src = &p.db;
    std::map<std::string, uint32_t> pending;
    if (src)
        each_pending_spelling(*src, [&pending](uint32_t n, const std::string &word) {
            pending[word] += n;
        });
    if (!db->remote) {
        // The table's words (in byte order) and the pending ones merged as
        // they come: no map of the whole table.
        auto pit = pending.begin();
        for (Xapian::TermIterator t = d.spellings_begin(); t != d.spellings_end(); ++t) {
            const std::string w = *t;
            for (; pit != pending.end() && pit->first < w; ++pit)
                h->items.push_back(Item{pit->first, pit->second, 0.0});
            uint32_t f = t.get_termfreq();
            if (pit != pending.end() && pit->first == w)
                f += (pit++)->second;
            h->items.push_back(Item{w, f, 0.0});
        }
        for (; pit != pending.end(); ++pit)
            h->items.push_back(Item{pit->first, pit->second, 0.0});
        *out = h.release();
        return XC_OK;
    }
    // With remote parts: the local parts' tables (merged by Xapian), the
    // pending words, and the remote parts' exported copies ("FREQ WORD" lines), frequencies
    // added, in byte order as Xapian gives them.
    std::map<std::string, uint32_t> all = pending;
    for (Xapian::TermIterator t = d.spellings_begin(); t != d.spellings_end(); ++t)
        all[*t] += t.get_termfreq();
    for (Part &p : db->parts)
        if (p.remote)
            read_chunks(p.db, XC_META_SPELLING, [&all](const std::string &l) {
                size_t sp = l.find(' ');
                if (sp != std::string::npos && sp > 0 && sp + 1 < l.size())
                    all[l.substr(sp + 1)] += static_cast<uint32_t>(std::strtoul(l.c_str(), nullptr, 10));
            });
    for (const auto &kv : all)
        h->items.push_back(Item{kv.first, kv.second, 0.0});
    *out = h.release();
    return XC_OK;
    XC_CATCH
}

int xc_db_spelling_suggestion(xc_db *db, const char *word, unsigned max_edit, char **out)
{
    NEED(out);
    *out = nullptr;
    NEED(db && word);
    XC_TRY
    *out = dup_string(db->db().get_spelling_suggestion(word, max_edit));
    return XC_OK;
    XC_CATCH
}

int xc_db_add_synonym(xc_db *db, const char *term, const char *synonym)
{
    NEED(db && term && synonym && *term && *synonym);
    NEED_WRITABLE(db);
    XC_TRY
    db->wdb.add_synonym(term, synonym);
    return XC_OK;
    XC_CATCH
}

int xc_db_clear_synonyms(xc_db *db, const char *term)
{
    NEED(db && term);
    NEED_WRITABLE(db);
    XC_TRY
    db->wdb.clear_synonyms(term);
    return XC_OK;
    XC_CATCH
}

int xc_db_clear_all_synonyms(xc_db *db)
{
    NEED(db);
    NEED_WRITABLE(db);
    XC_TRY
    std::vector<std::string> keys;
    for (Xapian::TermIterator t = db->wdb.synonym_keys_begin(); t != db->wdb.synonym_keys_end();
         ++t)
        keys.push_back(*t);
    for (const std::string &k : keys)
        db->wdb.clear_synonyms(k);
    return XC_OK;
    XC_CATCH
}

int xc_db_synonyms(xc_db *db, const char *term, xc_iter **out)
{
    NEED(out);
    *out = nullptr;
    NEED(db && term);
    XC_TRY
    std::unique_ptr<xc_iter> h(new xc_iter);
    for (const std::string &syn : synonyms_of(db, term))
        h->items.push_back(Item{syn, 0, 0.0});
    *out = h.release();
    return XC_OK;
    XC_CATCH
}

int xc_db_synonym_keys(xc_db *db, const char *prefix, xc_iter **out)
{
    NEED(out);
    *out = nullptr;
    NEED(db && prefix);
    XC_TRY
    Xapian::Database &d = db->db();
    std::unique_ptr<xc_iter> h(new xc_iter);
    for (Xapian::TermIterator t = d.synonym_keys_begin(prefix); t != d.synonym_keys_end(prefix);
         ++t)
        h->items.push_back(Item{*t, 0, 0.0});
    *out = h.release();
    return XC_OK;
    XC_CATCH
}

/* ---- queries --------------------------------------------------------- */

static int give_query(Xapian::Query &&q, xc_query **out)
{
    xc_query *h = new xc_query;
    h->q = std::move(q);
    *out = h;
    return XC_OK;
}

void xc_query_free(xc_query *q)
{
    try {
        delete q;
    } catch (...) {
    }
}

int xc_query_term(const char *term, size_t len, uint32_t wqf, uint32_t pos, xc_query **out)
{
    NEED(out);
    *out = nullptr;
    NEED(term);
    NEED_TERM(term, len);
    XC_TRY
    return give_query(Xapian::Query(std::string(term, len), wqf ? wqf : 1, pos), out);
    XC_CATCH
}

int xc_query_combine(xc_op op, xc_query *const *subs, size_t n, uint32_t window, xc_query **out)
{
    NEED(out);
    *out = nullptr;
    NEED(subs || n == 0);
    Xapian::Query::op xop;
    switch (op) {
    case XC_OP_AND: xop = Xapian::Query::OP_AND; break;
    case XC_OP_OR: xop = Xapian::Query::OP_OR; break;
    case XC_OP_AND_NOT: xop = Xapian::Query::OP_AND_NOT; break;
    case XC_OP_XOR: xop = Xapian::Query::OP_XOR; break;
    case XC_OP_AND_MAYBE: xop = Xapian::Query::OP_AND_MAYBE; break;
    case XC_OP_FILTER: xop = Xapian::Query::OP_FILTER; break;
    case XC_OP_NEAR: xop = Xapian::Query::OP_NEAR; break;
    case XC_OP_PHRASE: xop = Xapian::Query::OP_PHRASE; break;
    case XC_OP_ELITE_SET: xop = Xapian::Query::OP_ELITE_SET; break;
    case XC_OP_SYNONYM: xop = Xapian::Query::OP_SYNONYM; break;
    case XC_OP_MAX: xop = Xapian::Query::OP_MAX; break;
    default: return fail(XC_ERR_INVALID_ARG, "invalid xc_op");
    }
    XC_TRY
    std::vector<Xapian::Query> v;
    for (size_t i = 0; i < n; i++)
        if (subs[i])
            v.push_back(subs[i]->q);
    if (v.empty())
        return give_query(Xapian::Query(), out);
    return give_query(Xapian::Query(xop, v.begin(), v.end(), window), out);
    XC_CATCH
}

int xc_query_scale(const xc_query *q, double factor, xc_query **out)
{
    NEED(out);
    *out = nullptr;
    NEED(q);
    NEED(factor >= 0.0);
    XC_TRY
    return give_query(Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q->q, factor), out);
    XC_CATCH
}

int xc_query_value_range(uint32_t slot, const char *lo, const char *hi, xc_query **out)
{
    NEED(out);
    *out = nullptr;
    XC_TRY
    if (lo && hi)
        return give_query(Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot, lo, hi), out);
    if (hi)
        return give_query(Xapian::Query(Xapian::Query::OP_VALUE_LE, slot, hi), out);
    // An open lower end: every non-empty value is >= "\0" (">= ''" would be
    // optimised into "match all", documents without a value included).
    return give_query(Xapian::Query(Xapian::Query::OP_VALUE_GE, slot,
                                    lo && *lo ? std::string(lo) : std::string(1, '\0')),
                      out);
    XC_CATCH
}

int xc_query_value_weight(uint32_t slot, const char *const *keys, const double *weights,
                          size_t n, double default_weight, xc_query **out)
{
    NEED(out);
    *out = nullptr;
    NEED(n == 0 || (keys && weights));
    NEED(default_weight >= 0.0);
    for (size_t i = 0; i < n; i++)
        NEED(keys[i] && weights[i] >= 0.0);
    XC_TRY
    // Reference-counted by the query once released: it outlives this call.
    Xapian::ValueMapPostingSource *src = new Xapian::ValueMapPostingSource(slot);
    try {
        for (size_t i = 0; i < n; i++)
            src->add_mapping(keys[i], weights[i]);
        src->set_default_weight(default_weight);
    } catch (...) {
        delete src;
        throw;
    }
    return give_query(Xapian::Query(src->release()), out);
    XC_CATCH
}

namespace {

// The documents of a fixed, sorted list of docids, with no weight: the
// right side of an OP_FILTER that confines a costly query (NEAR, PHRASE) to
// a few documents already found, so its positions are read for those only.
// On a group of local databases, by_uuid holds each part's own ids (the
// source is cloned for each part, and init() says which part it is on).
class DocidSetSource : public Xapian::PostingSource {
    std::vector<Xapian::docid> ids;
    std::shared_ptr<const std::map<std::string, std::vector<Xapian::docid>>> by_uuid;
    size_t at = 0;
    bool started = false;

  public:
    explicit DocidSetSource(std::vector<Xapian::docid> v) : ids(std::move(v))
    {
        set_maxweight(0.0);
    }
    explicit DocidSetSource(
        std::shared_ptr<const std::map<std::string, std::vector<Xapian::docid>>> m)
        : by_uuid(std::move(m))
    {
        set_maxweight(0.0);
    }
    Xapian::doccount get_termfreq_min() const override { return 0; }
    Xapian::doccount get_termfreq_est() const override { return ids.size(); }
    Xapian::doccount get_termfreq_max() const override { return ids.size(); }
    void init(const Xapian::Database &db) override
    {
        at = 0;
        started = false;
        if (by_uuid) {
            auto f = by_uuid->find(db.get_uuid());
            if (f != by_uuid->end())
                ids = f->second;
            else
                ids.clear();
        }
    }
    void next(double) override
    {
        if (started)
            at++;
        started = true;
    }
    void skip_to(Xapian::docid did, double) override
    {
        started = true;
        at = std::lower_bound(ids.begin() + at, ids.end(), did) - ids.begin();
    }
    bool at_end() const override { return started && at >= ids.size(); }
    Xapian::docid get_docid() const override { return ids[at]; }
    PostingSource *clone() const override
    {
        return by_uuid ? new DocidSetSource(by_uuid) : new DocidSetSource(ids);
    }
    std::string name() const override { return std::string(); }
};

} // namespace

int xc_query_docids(const uint32_t *ids, size_t n, xc_query **out)
{
    NEED(out);
    *out = nullptr;
    NEED(n == 0 || ids);
    for (size_t i = 0; i < n; i++)
        NEED(ids[i] > 0);
    XC_TRY
    std::vector<Xapian::docid> v(ids, ids + n);
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    if (v.empty())
        return give_query(Xapian::Query(), out);
    // Reference-counted by the query once released: it outlives this call.
    DocidSetSource *src = new DocidSetSource(std::move(v));
    return give_query(Xapian::Query(src->release()), out);
    XC_CATCH
}

int xc_query_docids_in(xc_db *db, const uint32_t *ids, size_t n, xc_query **out)
{
    if (!db || !db->group)
        return xc_query_docids(ids, n, out);
    NEED(out);
    *out = nullptr;
    NEED(n == 0 || ids);
    for (size_t i = 0; i < n; i++)
        NEED(ids[i] > 0);
    if (db->remote)
        return fail(XC_ERR_UNIMPLEMENTED, "a posting source of ours cannot run on a remote shard");
    XC_TRY
    // The parts' uuids tell init() which part it is on: two parts with one
    // uuid (a copied directory) cannot be told apart.
    std::vector<std::string> uuids;
    for (Part &p : db->parts)
        uuids.push_back(p.db.get_uuid());
    for (size_t i = 0; i < uuids.size(); i++)
        for (size_t j = 0; j < i; j++)
            if (uuids[i].empty() || uuids[i] == uuids[j])
                return fail(XC_ERR_UNIMPLEMENTED, "shards without distinct uuids");
    auto m = std::make_shared<std::map<std::string, std::vector<Xapian::docid>>>();
    size_t np = db->parts.size();
    for (size_t i = 0; i < n; i++) {
        Xapian::docid d = ids[i] - 1;
        (*m)[uuids[d % np]].push_back(d / np + 1);
    }
    for (auto &kv : *m) {
        std::sort(kv.second.begin(), kv.second.end());
        kv.second.erase(std::unique(kv.second.begin(), kv.second.end()), kv.second.end());
    }
    if (m->empty())
        return give_query(Xapian::Query(), out);
    DocidSetSource *src =
        new DocidSetSource(std::shared_ptr<const std::map<std::string, std::vector<Xapian::docid>>>(m));
    return give_query(Xapian::Query(src->release()), out);
    XC_CATCH
}

int xc_query_wildcard(const char *prefix, uint32_t max_expansion, xc_wildcard_limit limit,
                      xc_query **out)
{
    NEED(out);
    *out = nullptr;
    NEED(prefix);
    int lt;
    switch (limit) {
    case XC_WILDCARD_LIMIT_ERROR: lt = Xapian::Query::WILDCARD_LIMIT_ERROR; break;
    case XC_WILDCARD_LIMIT_FIRST: lt = Xapian::Query::WILDCARD_LIMIT_FIRST; break;
    case XC_WILDCARD_LIMIT_MOST_FREQUENT: lt = Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT; break;
    default: return fail(XC_ERR_INVALID_ARG, "invalid xc_wildcard_limit");
    }
    XC_TRY
    return give_query(Xapian::Query(Xapian::Query::OP_WILDCARD, prefix, max_expansion, lt,
                                    Xapian::Query::OP_SYNONYM),
                      out);
    XC_CATCH
}

/* a query and one database's estimate of its frequency (below) */
typedef std::pair<Xapian::Query, Xapian::doccount> SynNode;
static SynNode syn_pair(std::vector<SynNode> &items, double n);

int xc_query_wildcard_in(xc_db *db, const char *prefix, uint32_t max_expansion,
                         xc_wildcard_limit limit, xc_query **out)
{
    if (!db || (!db->group && (limit != XC_WILDCARD_LIMIT_MOST_FREQUENT || !max_expansion)))
        return xc_query_wildcard(prefix, max_expansion, limit, out);
    NEED(out);
    *out = nullptr;
    NEED(prefix);
    XC_TRY
    Xapian::Database &d = db->db();
    if (!db->group) {
        /* One database: Xapian's own wildcard, unless it would keep the
           most frequent terms of more than max_expansion, choosing among
           equally frequent ones as its nth_element leaves them: then the
           choice below, as a group makes it (ties in byte order). */
        Xapian::termcount n = 0;
        for (Xapian::TermIterator t = d.allterms_begin(prefix);
             t != d.allterms_end(prefix) && n <= max_expansion; ++t)
            n++;
        if (n <= max_expansion)
            return xc_query_wildcard(prefix, max_expansion, limit, out);
    }
    std::vector<std::pair<std::string, Xapian::doccount>> terms;
    auto known = db->remote ? db->expansions.find(prefix) : db->expansions.end();
    if (known != db->expansions.end())
        terms = known->second; /* a lexicon scan is a round trip a remote part */
    else {
        remote_trips += remote_parts(db);
        for (Xapian::TermIterator t = d.allterms_begin(prefix); t != d.allterms_end(prefix); ++t)
            terms.emplace_back(*t, t.get_termfreq());
        if (db->remote && terms.size() <= 64) { /* (stem extensions: a few;
                                                   at most 1024 x 64 kept) */
            if (db->expansions.size() >= 1024)
                db->expansions.clear();
            db->expansions[prefix] = terms;
        }
    }
    if (max_expansion && terms.size() > max_expansion) {
        if (limit == XC_WILDCARD_LIMIT_ERROR)
            return fail(XC_ERR_WILDCARD, "wildcard expands to more than the limit of terms");
        if (limit == XC_WILDCARD_LIMIT_MOST_FREQUENT)
            std::stable_sort(terms.begin(), terms.end(),
                             [](const std::pair<std::string, Xapian::doccount> &a,
                                const std::pair<std::string, Xapian::doccount> &b) {
                                 return a.second > b.second;
                             });
        terms.resize(max_expansion);
        std::sort(terms.begin(), terms.end());
    }
    if (terms.empty())
        return give_query(Xapian::Query(), out);
    /* nested as one database pairs them (xc_query_synonym_in) */
    std::vector<SynNode> items;
    for (const auto &t : terms)
        items.emplace_back(Xapian::Query(t.first), t.second);
    SynNode root = syn_pair(items, d.get_doccount());
    int rc = give_query(std::move(root.first), out);
    if (rc == XC_OK)
        (*out)->est = root.second;
    return rc;
    XC_CATCH
}

/* ---- synonyms weighed alike in every part of a group ----------------------
 * Xapian 1.4 (matcher: OrContext::postlist, OrPostList::
 * get_termfreq_est_using_stats, LocalSubMatch::make_synonym_postlist) turns
 * an OP_SYNONYM into a tree of two-way ORs, pairing first the two posting
 * lists of least estimated frequency in the shard at hand, and gives the
 * synonym the frequency estimated up that tree from the whole group's
 * statistics: a + b - ab/N at each node, rounded to a whole number. The
 * rounding depends on the pairing, so each shard (and a remote one alike)
 * gave the synonym its own IDF. A synonym of two is paired the same
 * everywhere, and a synonym inside a synonym is one node (a plain OR) of
 * its parent's: nested two by two in the order one database pairs them,
 * the synonym weighs the same in every shard as in that database. */

struct SynFix {
    xc_termfreq_fn *tf;
    void *arg;
    double n;
    int rc;
};

/* OrPostList's estimate of the OR of two lists: independence, rounded */
static Xapian::doccount or_est(Xapian::doccount a, Xapian::doccount b, double n)
{
    if (n <= 0)
        return 0;
    return static_cast<Xapian::doccount>(a + b - (double(a) * double(b) / n) + 0.5);
}

/* Pairs items as OrContext::postlist does (the least frequent two first;
 * among equal estimates the first given, then the pairs in the order they
 * were made: the estimate does not depend on it, the query's text does)
 * into nested two-way synonyms: the root (a synonym of one item when
 * there is one) and its estimate. items is consumed. */
static SynNode syn_pair(std::vector<SynNode> &items, double n)
{
    struct Slot {
        SynNode node;
        size_t seq;
    };
    auto later = [](const Slot &a, const Slot &b) {
        return a.node.second != b.node.second ? a.node.second > b.node.second : a.seq > b.seq;
    };
    std::vector<Slot> heap;
    heap.reserve(items.size());
    size_t seq = 0;
    for (auto &it : items)
        heap.push_back(Slot{std::move(it), seq++});
    items.clear();
    std::make_heap(heap.begin(), heap.end(), later);
    while (heap.size() > 1) {
        std::pop_heap(heap.begin(), heap.end(), later);
        SynNode r = std::move(heap.back().node);
        heap.pop_back();
        std::pop_heap(heap.begin(), heap.end(), later);
        SynNode l = std::move(heap.back().node);
        heap.pop_back();
        Xapian::doccount e = or_est(l.second, r.second, n);
        heap.push_back(Slot{SynNode(Xapian::Query(Xapian::Query::OP_SYNONYM, l.first, r.first), e),
                            seq++});
        std::push_heap(heap.begin(), heap.end(), later);
    }
    if (heap.empty())
        return SynNode(Xapian::Query(), 0);
    SynNode root = std::move(heap[0].node);
    if (root.first.get_type() == Xapian::Query::OP_SYNONYM)
        return root;
    Xapian::Query one[1] = {root.first};
    return SynNode(Xapian::Query(Xapian::Query::OP_SYNONYM, one, one + 1), root.second);
}

static SynNode syn_fix(const Xapian::Query &q, SynFix &c);

/* The nodes q gives an OR-like parent: an OR's subqueries are merged into
 * their parent's (QueryOr::postlist_sub_or_like), anything else is one. */
static void syn_gather(const Xapian::Query &q, SynFix &c, std::vector<SynNode> &items)
{
    if (q.get_type() == Xapian::Query::OP_OR) {
        for (size_t i = 0; i < q.get_num_subqueries(); i++)
            syn_gather(q.get_subquery(i), c, items);
    } else if (!q.empty())
        items.push_back(syn_fix(q, c));
}

/* q with its synonyms nested, and one database's estimate of its
 * frequency (get_termfreq_est): a term's frequency; an AND's the product
 * of its parts' over N^(k-1), rounded; an exact phrase (the only kind this
 * project puts in a synonym) a quarter of its AND's, a NEAR half
 * (ExactPhrasePostList, NearPostList); a synonym its pairing's. Other
 * queries are left as they are, estimated 0 (their place in the pairing
 * is the same in every shard: only one database's rounding may differ). */
static SynNode syn_fix(const Xapian::Query &q, SynFix &c)
{
    switch (q.get_type()) {
    case Xapian::Query::LEAF_TERM: {
        std::string t = *q.get_terms_begin();
        uint32_t f = 0;
        int rc = c.tf(c.arg, t.data(), t.size(), &f);
        if (rc != XC_OK && c.rc == XC_OK)
            c.rc = rc;
        return SynNode(q, f);
    }
    case Xapian::Query::LEAF_MATCH_ALL:
        return SynNode(q, static_cast<Xapian::doccount>(c.n));
    case Xapian::Query::OP_SYNONYM: {
        std::vector<SynNode> items;
        for (size_t i = 0; i < q.get_num_subqueries(); i++)
            syn_gather(q.get_subquery(i), c, items);
        return syn_pair(items, c.n);
    }
    case Xapian::Query::OP_AND:
    case Xapian::Query::OP_PHRASE:
    case Xapian::Query::OP_NEAR: {
        std::vector<Xapian::doccount> ests;
        for (size_t i = 0; i < q.get_num_subqueries(); i++)
            ests.push_back(syn_fix(q.get_subquery(i), c).second);
        std::sort(ests.begin(), ests.end());
        double r = ests.empty() ? 0 : ests[0];
        for (size_t i = 1; i < ests.size(); i++)
            r = c.n > 0 ? r * ests[i] / c.n : 0;
        Xapian::doccount e = static_cast<Xapian::doccount>(r + 0.5);
        if (q.get_type() == Xapian::Query::OP_PHRASE)
            e /= 4;
        else if (q.get_type() == Xapian::Query::OP_NEAR)
            e /= 2;
        return SynNode(q, e);
    }
    default:
        return SynNode(q, 0);
    }
}

int xc_query_synonym_in(xc_db *db, xc_query *const *subs, size_t n, xc_termfreq_fn *tf,
                        void *arg, xc_query **out)
{
    NEED(out);
    *out = nullptr;
    NEED(subs || n == 0);
    if (!db || !db->group || !tf)
        return xc_query_combine(XC_OP_SYNONYM, subs, n, 0, out);
    XC_TRY
    SynFix c{tf, arg, double(db->db().get_doccount()), XC_OK};
    std::vector<SynNode> items;
    for (size_t i = 0; i < n; i++) {
        if (!subs[i])
            continue;
        if (subs[i]->est >= 0) /* a wildcard nested when it was expanded */
            items.emplace_back(subs[i]->q, static_cast<Xapian::doccount>(subs[i]->est));
        else
            syn_gather(subs[i]->q, c, items);
    }
    if (c.rc != XC_OK)
        return fail(c.rc, "term frequency for a synonym");
    SynNode root = syn_pair(items, c.n);
    int rc = give_query(std::move(root.first), out);
    if (rc == XC_OK && !(*out)->q.empty())
        (*out)->est = root.second;
    return rc;
    XC_CATCH
}

int xc_query_filter_each(const xc_query *q, const xc_query *filter, xc_query **out)
{
    NEED(out);
    *out = nullptr;
    NEED(q && filter);
    XC_TRY
    if (q->q.get_type() != Xapian::Query::OP_OR)
        return give_query(Xapian::Query(Xapian::Query::OP_FILTER, q->q, filter->q), out);
    std::vector<Xapian::Query> v;
    for (size_t i = 0; i < q->q.get_num_subqueries(); i++)
        v.emplace_back(Xapian::Query::OP_FILTER, q->q.get_subquery(i), filter->q);
    return give_query(Xapian::Query(Xapian::Query::OP_OR, v.begin(), v.end()), out);
    XC_CATCH
}

int xc_query_match_all(xc_query **out)
{
    NEED(out);
    *out = nullptr;
    XC_TRY
    /* Not a copy of Query::MatchAll: that one object is shared by every
     * thread, and Xapian 1.4's reference counts are not atomic (two
     * workers copying and dropping it at once freed it: a crash in
     * `stats`). The empty term is the same query, made for this caller. */
    return give_query(Xapian::Query(std::string()), out);
    XC_CATCH
}

int xc_query_match_nothing(xc_query **out)
{
    NEED(out);
    *out = nullptr;
    XC_TRY
    return give_query(Xapian::Query(), out);
    XC_CATCH
}

int xc_query_is_empty(const xc_query *q) { return !q || q->q.empty() ? 1 : 0; }

int xc_query_describe(const xc_query *q, char **out)
{
    NEED(out);
    *out = nullptr;
    NEED(q);
    XC_TRY
    *out = dup_string(q->q.get_description());
    return XC_OK;
    XC_CATCH
}

// One synonym (space-separated words) as a term or a phrase of prefixed terms.
static Xapian::Query words_query(const std::string &s, const std::string &prefix)
{
    std::vector<Xapian::Query> words;
    size_t start = 0;
    while (start <= s.size()) {
        size_t end = s.find(' ', start);
        if (end == std::string::npos)
            end = s.size();
        if (end > start) {
            std::string t = prefix + s.substr(start, end - start);
            if (t.size() <= XC_MAX_TERM)
                words.push_back(Xapian::Query(t));
        }
        start = end + 1;
    }
    if (words.empty())
        return Xapian::Query();
    if (words.size() == 1)
        return words[0];
    return Xapian::Query(Xapian::Query::OP_PHRASE, words.begin(), words.end(), words.size());
}

int xc_query_expand_synonyms(xc_db *db, const char *term, const char *prefix, xc_query **out)
{
    NEED(out);
    *out = nullptr;
    NEED(db && term && prefix && *term);
    XC_TRY
    std::string p(prefix);
    std::vector<Xapian::Query> v;
    v.push_back(words_query(term, p));
    for (const std::string &syn : synonyms_of(db, term)) {
        Xapian::Query q = words_query(syn, p);
        if (!q.empty())
            v.push_back(q);
    }
    if (v.size() == 1)
        return give_query(std::move(v[0]), out);
    return give_query(Xapian::Query(Xapian::Query::OP_SYNONYM, v.begin(), v.end()), out);
    XC_CATCH
}

/* ---- searching ------------------------------------------------------- */

int xc_enquire_new(xc_db *db, xc_enquire **out)
{
    NEED(out);
    *out = nullptr;
    NEED(db);
    XC_TRY
    *out = new xc_enquire(db);
    return XC_OK;
    XC_CATCH
}

void xc_enquire_free(xc_enquire *enq)
{
    try {
        delete enq;
    } catch (...) {
    }
}

int xc_enquire_set_query(xc_enquire *enq, const xc_query *q, uint32_t qlen)
{
    NEED(enq && q);
    XC_TRY
    enq->enq.set_query(q->q, qlen);
    enq->query = q->q;
    enq->qlen = qlen;
    return XC_OK;
    XC_CATCH
}

int xc_enquire_set_stop(xc_enquire *enq, xc_stop_fn *fn, void *arg)
{
    NEED(enq);
    enq->stop.fn = fn;
    enq->stop.arg = arg;
    enq->stop.stopped = false;
    return XC_OK;
}

int xc_enquire_set_bm25(xc_enquire *enq, double k1, double k2, double k3, double b,
                        double min_normlen)
{
    NEED(enq);
    XC_TRY
    enq->enq.set_weighting_scheme(Xapian::BM25Weight(k1, k2, k3, b, min_normlen));
    return XC_OK;
    XC_CATCH
}

int xc_enquire_set_sort(xc_enquire *enq, xc_sort sort, uint32_t slot, int reverse)
{
    NEED(enq);
    XC_TRY
    switch (sort) {
    case XC_SORT_RELEVANCE: enq->enq.set_sort_by_relevance(); break;
    case XC_SORT_VALUE: enq->enq.set_sort_by_value(slot, reverse != 0); break;
    case XC_SORT_VALUE_THEN_RELEVANCE:
        enq->enq.set_sort_by_value_then_relevance(slot, reverse != 0);
        break;
    case XC_SORT_RELEVANCE_THEN_VALUE:
        enq->enq.set_sort_by_relevance_then_value(slot, reverse != 0);
        break;
    default: return fail(XC_ERR_INVALID_ARG, "invalid xc_sort");
    }
    return XC_OK;
    XC_CATCH
}

int xc_enquire_set_collapse_key(xc_enquire *enq, uint32_t slot, uint32_t max)
{
    NEED(enq);
    XC_TRY
    if (max == 0)
        enq->enq.set_collapse_key(Xapian::BAD_VALUENO);
    else
        enq->enq.set_collapse_key(slot, max);
    return XC_OK;
    XC_CATCH
}

int xc_enquire_set_time_limit(xc_enquire *enq, double seconds)
{
    NEED(enq);
    NEED(seconds >= 0.0);
    XC_TRY
    enq->enq.set_time_limit(seconds);
    return XC_OK;
    XC_CATCH
}

int xc_enquire_add_facet(xc_enquire *enq, uint32_t slot, char sep)
{
    NEED(enq);
    if (enq->spies.size() >= XC_MAX_FACETS)
        return fail(XC_ERR_INVALID_ARG, "too many facets (at most 8)");
    XC_TRY
    for (const auto &s : enq->spies)
        if (s.slot == slot)
            return fail(XC_ERR_INVALID_ARG, "facet slot added twice");
    Facet f;
    f.slot = slot;
    f.sep = sep;
    f.spy.reset(new Xapian::ValueCountMatchSpy(slot));
    enq->enq.add_matchspy(f.spy.get());
    enq->spies.push_back(std::move(f));
    return XC_OK;
    XC_CATCH
}

int xc_enquire_get_mset(xc_enquire *enq, uint32_t first, uint32_t maxitems,
                        uint32_t check_at_least, xc_mset **out)
{
    NEED(out);
    *out = nullptr;
    NEED(enq);
    XC_TRY
    enq->enq.clear_matchspies();
    for (auto &s : enq->spies) {
        s.spy.reset(new Xapian::ValueCountMatchSpy(s.slot));
        enq->enq.add_matchspy(s.spy.get());
    }
    std::unique_ptr<xc_mset> h(new xc_mset);
    // A remote server runs only Xapian's own classes: no stop source there.
    if (enq->stop.fn && !enq->db->remote) {
        /* The source is the query's (released to it), made anew for each
         * match; its state is the enquire's. */
        enq->stop.stopped = false;
        Xapian::Query stop((new StopSource(&enq->stop))->release());
        enq->enq.set_query(Xapian::Query(Xapian::Query::OP_FILTER, enq->query, stop), enq->qlen);
        try {
            h->ms = enq->enq.get_mset(first, maxitems, check_at_least);
        } catch (...) {
            enq->enq.set_query(enq->query, enq->qlen);
            throw;
        }
        enq->enq.set_query(enq->query, enq->qlen);
        h->stopped = enq->stop.stopped;
    } else if (enq->stop.fn) {
        /* A remote match: in place of the stop source, one of Xapian's own
         * that matches every document alike, so that Xapian's percentages
         * are computed as on a local database, where the stop source is
         * one more subquery each hit matches (a matching subquery counted
         * on top of the query's: MultiMatch's percent_scale). */
        Xapian::Query all((new Xapian::FixedWeightPostingSource(0.0))->release());
        enq->enq.set_query(Xapian::Query(Xapian::Query::OP_FILTER, enq->query, all), enq->qlen);
        try {
            h->ms = enq->enq.get_mset(first, maxitems, check_at_least);
        } catch (...) {
            enq->enq.set_query(enq->query, enq->qlen);
            throw;
        }
        enq->enq.set_query(enq->query, enq->qlen);
    } else
        h->ms = enq->enq.get_mset(first, maxitems, check_at_least);
    /* a remote part is sent the query, answers its statistics, is sent
       the whole's and answers its hits */
    remote_trips += 2 * remote_parts(enq->db);
    h->db = enq->db->db();
    for (const Part &p : enq->db->parts)
        h->part_remote.push_back(p.remote);
    for (auto &s : enq->spies) {
        std::map<std::string, uint32_t> counts;
        for (Xapian::TermIterator t = s.spy->values_begin(); t != s.spy->values_end(); ++t) {
            const std::string v = *t;
            uint32_t c = t.get_termfreq();
            if (v.empty())
                continue;
            if (!s.sep) {
                counts[v] += c;
                continue;
            }
            size_t start = 0;
            for (;;) {
                size_t end = v.find(s.sep, start);
                std::string part =
                    v.substr(start, end == std::string::npos ? std::string::npos : end - start);
                if (!part.empty())
                    counts[part] += c;
                if (end == std::string::npos)
                    break;
                start = end + 1;
            }
        }
        std::vector<Item> &v = h->facets[s.slot];
        for (const auto &kv : counts)
            v.push_back(Item{kv.first, kv.second, 0.0});
        std::stable_sort(v.begin(), v.end(),
                         [](const Item &a, const Item &b) { return a.freq > b.freq; });
    }
    *out = h.release();
    return XC_OK;
    XC_CATCH
}

void xc_mset_free(xc_mset *ms)
{
    try {
        delete ms;
    } catch (...) {
    }
}

uint32_t xc_mset_size(const xc_mset *ms) { return ms ? ms->ms.size() : 0; }

int xc_mset_stopped(const xc_mset *ms) { return ms && ms->stopped ? 1 : 0; }

void xc_mset_matches(const xc_mset *ms, uint32_t *lower, uint32_t *estimated, uint32_t *upper)
{
    if (lower)
        *lower = ms ? ms->ms.get_matches_lower_bound() : 0;
    if (estimated)
        *estimated = ms ? ms->ms.get_matches_estimated() : 0;
    if (upper)
        *upper = ms ? ms->ms.get_matches_upper_bound() : 0;
}

int xc_mset_hit(xc_mset *ms, uint32_t i, xc_hit *out)
{
    NEED(ms && out);
    if (i >= ms->ms.size())
        return fail(XC_ERR_INVALID_ARG, "hit index out of range");
    XC_TRY
    Xapian::MSetIterator it = ms->ms[i];
    out->docid = *it;
    out->rank = it.get_rank();
    out->percent = it.get_percent();
    out->weight = it.get_weight();
    return XC_OK;
    XC_CATCH
}

int xc_mset_document(xc_mset *ms, uint32_t i, xc_doc **out)
{
    NEED(out);
    *out = nullptr;
    NEED(ms);
    if (i >= ms->ms.size())
        return fail(XC_ERR_INVALID_ARG, "hit index out of range");
    XC_TRY
    std::unique_ptr<xc_doc> h(new xc_doc);
    if (ms->have.empty()) {
        ms->fetched.resize(ms->ms.size());
        ms->have.resize(ms->ms.size(), false);
    }
    if (!ms->have[i]) {
        /* The hit exists: reading it lazily skips the check that MSet's
         * get_document makes (a lookup of its length) before each document.
         * Kept: asked again, it is not read again (a round trip on a remote
         * part, where it comes with its data and every value). */
        Xapian::docid did = *ms->ms[i];
        ms->fetched[i] = ms->db.get_document(did, Xapian::DOC_ASSUME_VALID);
        ms->have[i] = true;
        size_t nparts = ms->part_remote.size();
        if (nparts && ms->part_remote[(did - 1) % nparts])
            remote_trips++;
    }
    h->doc = ms->fetched[i];
    *out = h.release();
    return XC_OK;
    XC_CATCH
}

int xc_mset_sort_key(xc_mset *ms, uint32_t i, const char **key, size_t *len)
{
    NEED(ms && key && len);
    *key = "";
    *len = 0;
    if (i >= ms->ms.size())
        return fail(XC_ERR_INVALID_ARG, "hit index out of range");
    XC_TRY
    ms->key_buf = ms->ms[i].get_sort_key();
    *key = ms->key_buf.c_str();
    *len = ms->key_buf.size();
    return XC_OK;
    XC_CATCH
}

uint64_t xc_remote_trips(void) { return remote_trips; }

int xc_mset_facet(xc_mset *ms, uint32_t slot, xc_iter **out)
{
    NEED(out);
    *out = nullptr;
    NEED(ms);
    auto f = ms->facets.find(slot);
    if (f == ms->facets.end())
        return fail(XC_ERR_INVALID_ARG, "no facet was added for this slot");
    XC_TRY
    std::unique_ptr<xc_iter> h(new xc_iter);
    h->items = f->second;
    *out = h.release();
    return XC_OK;
    XC_CATCH
}

int xc_mset_snippet(xc_mset *ms, const char *text, size_t len, size_t length, const char *lang,
                    const char *hi_start, const char *hi_end, const char *omit, unsigned flags,
                    char **out)
{
    NEED(out);
    *out = nullptr;
    NEED(ms && (text || len == 0) && lang && hi_start && hi_end && omit);
    XC_TRY
    auto s = ms->stemmers.find(lang);
    if (s == ms->stemmers.end()) {
        Xapian::Stem stem;
        if (std::strcmp(lang, "none") != 0) {
            sb_stemmer *st = sb_stemmer_new(lang, "UTF_8");
            if (!st)
                return fail(XC_ERR_INVALID_ARG, "no libstemmer stemmer for language ", lang);
            stem = Xapian::Stem(new LibStemmer(st, lang));
        }
        s = ms->stemmers.emplace(lang, stem).first;
    }
    unsigned xflags = Xapian::MSet::SNIPPET_BACKGROUND_MODEL | Xapian::MSet::SNIPPET_EXHAUSTIVE;
    if (flags & XC_SNIPPET_EMPTY_WITHOUT_MATCH)
        xflags |= Xapian::MSet::SNIPPET_EMPTY_WITHOUT_MATCH;
    std::string r = ms->ms.snippet(len ? std::string(text, len) : std::string(), length,
                                   s->second, xflags, hi_start, hi_end, omit);
    *out = dup_string(r);
    return XC_OK;
    XC_CATCH
}

int xc_enquire_expand(xc_enquire *enq, const uint32_t *docids, size_t n, uint32_t maxterms,
                      const char *const *exclude, xc_iter **out)
{
    NEED(out);
    *out = nullptr;
    NEED(enq && (docids || n == 0));
    XC_TRY
    Xapian::RSet rset;
    for (size_t i = 0; i < n; i++)
        if (docids[i])
            rset.add_document(docids[i]);
    PrefixExcluder dec;
    if (exclude)
        for (size_t i = 0; exclude[i]; i++)
            dec.prefixes.push_back(exclude[i]);
    std::unique_ptr<xc_iter> h(new xc_iter);
    if (!rset.empty()) {
        Xapian::ESet es = enq->enq.get_eset(maxterms, rset, &dec);
        for (Xapian::ESetIterator e = es.begin(); e != es.end(); ++e)
            h->items.push_back(Item{*e, 0, e.get_weight()});
    }
    *out = h.release();
    return XC_OK;
    XC_CATCH
}

// ---- (Added: live delta.) ----

int xc_doc_remove_term(xc_doc *doc, const char *term, size_t len)
{
    NEED(doc && term);
    XC_TRY
    std::string t(term, len);
    Xapian::TermIterator it = doc->doc.termlist_begin();
    it.skip_to(t);
    if (it == doc->doc.termlist_end() || *it != t)
        return fail(XC_ERR_NOT_FOUND, "the document does not hold the term");
    doc->doc.remove_term(t);
    return XC_OK;
    XC_CATCH
}

int xc_doc_materialize(xc_doc *doc)
{
    NEED(doc);
    XC_TRY
    const Xapian::Document &src = doc->doc;
    Xapian::Document copy;
    copy.set_data(src.get_data());
    for (Xapian::ValueIterator v = src.values_begin(); v != src.values_end(); ++v)
        copy.add_value(v.get_valueno(), *v);
    for (Xapian::TermIterator t = src.termlist_begin(); t != src.termlist_end(); ++t) {
        const std::string term = *t;
        copy.add_term(term, t.get_wdf());
        for (Xapian::PositionIterator p = t.positionlist_begin(); p != t.positionlist_end(); ++p)
            copy.add_posting(term, *p, 0);
    }
    doc->doc = copy;
    return XC_OK;
    XC_CATCH
}

int xc_db_open_overlay(const char *path, const char *overlay, xc_db **out)
{
    NEED(out);
    *out = nullptr;
    NEED(path && overlay);
    XC_TRY
    std::unique_ptr<xc_db> h(new xc_db);
    Xapian::Database main_db(path), over_db(overlay);
    h->group = true;
    h->rdb.add_database(main_db);
    h->rdb.add_database(over_db);
    Part a, b;
    a.db = main_db;
    b.db = over_db;
    h->parts.push_back(a);
    h->parts.push_back(b);
    *out = h.release();
    return XC_OK;
    XC_CATCH
}

// The part of a group (nullptr when db is not one, or part out of range).
static Xapian::Database *part_of(xc_db *db, size_t part)
{
    if (!db || !db->group || part >= db->parts.size())
        return nullptr;
    return &db->parts[part].db;
}

int xc_db_part_allterms(xc_db *db, size_t part, const char *prefix, xc_iter **out)
{
    NEED(out);
    *out = nullptr;
    NEED(prefix);
    Xapian::Database *d = part_of(db, part);
    NEED(d);
    XC_TRY
    std::unique_ptr<xc_iter> h(new xc_iter);
    for (Xapian::TermIterator t = d->allterms_begin(prefix); t != d->allterms_end(prefix); ++t)
        h->items.push_back(Item{*t, t.get_termfreq(), 0.0});
    *out = h.release();
    return XC_OK;
    XC_CATCH
}

int xc_db_part_termfreq(xc_db *db, size_t part, const char *term, size_t len, uint32_t *freq)
{
    NEED(term && freq);
    *freq = 0;
    Xapian::Database *d = part_of(db, part);
    NEED(d);
    if (len > XC_MAX_TERM)
        return XC_OK;
    XC_TRY
    *freq = d->get_termfreq(std::string(term, len));
    return XC_OK;
    XC_CATCH
}

int xc_db_part_doccount(xc_db *db, size_t part, uint32_t *count)
{
    NEED(count);
    *count = 0;
    Xapian::Database *d = part_of(db, part);
    NEED(d);
    XC_TRY
    *count = d->get_doccount();
    return XC_OK;
    XC_CATCH
}

int xc_db_part_revision(xc_db *db, size_t part, uint64_t *revision)
{
    NEED(revision);
    *revision = 0;
    Xapian::Database *d = part_of(db, part);
    NEED(d);
    XC_TRY
    *revision = d->get_revision();
    return XC_OK;
    XC_CATCH
}

} // extern "C"
