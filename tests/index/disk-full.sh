# disk-full.sh: the disk fills during an import (a file size limit,
# ulimit -f, stands for it): the indexer exits 4 with the database's
# message, the database stays at its last commit (same revision, same
# posts, still consistent), and nothing of the run is left behind: no
# scratch database of a parallel build. The next run, with room, completes.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/index/gen-posts.sh"
DBINFO="$top_builddir/tests/index/dbinfo"
gen_posts 1 20 >"$T/small.jsonl"
gen_posts 1 6000 grown >"$T/big.jsonl"
# 1024 blocks: 1 MB in bash, 512 kB in a POSIX sh; either is far below what
# 6000 posts need.
limited() { (ulimit -f 1024 && exec "$SOCASMA_INDEX" "$@"); }
consistent() { if command -v xapian-check >/dev/null; then xapian-check "$1" >/dev/null; fi; }

# An incremental run (one writer, one transaction) with --prune.
"$SOCASMA_INDEX" --db "$T/db" --quiet "$T/small.jsonl" || fail "first run"
rev=$("$DBINFO" revision "$T/db")
before=$(ls -A "$T"; ls -A "$T/db")
err=$(limited --db "$T/db" --prune --quiet "$T/big.jsonl" 2>&1); rc=$?
expect_eq "disk full, incremental run: exit 4" 4 "$rc"
expect_match "disk full: the database's message" "db: .*File too large" "$err"
expect_eq "disk full: the database at its last commit" "$rev 20" \
    "$("$DBINFO" revision "$T/db") $("$DBINFO" count "$T/db")"
check "disk full: the database is consistent" consistent "$T/db"
expect_eq "disk full: no file left beside the database or in it" "$before" \
    "$(ls -A "$T"; ls -A "$T/db")"

# A first import built in parallel: the chunks' scratch databases go.
err=$(limited --db "$T/new" --jobs 2 --quiet "$T/big.jsonl" 2>&1); rc=$?
expect_eq "disk full, parallel build: exit 4" 4 "$rc"
expect_match "disk full, parallel build: the message" "new: .*File too large" "$err"
check "disk full, parallel build: no build directory left" test ! -e "$T/new.socasma-build"
expect_eq "disk full, parallel build: the database still empty" 0 "$("$DBINFO" count "$T/new")"

# With room again, both complete.
out=$("$SOCASMA_INDEX" --db "$T/db" --prune --json "$T/big.jsonl"); rc=$?
expect_eq "then the incremental run completes" "0 6000" "$rc $("$DBINFO" count "$T/db")"
out=$("$SOCASMA_INDEX" --db "$T/new" --json "$T/big.jsonl"); rc=$?
expect_eq "then the parallel build completes" "0 6000" "$rc $("$DBINFO" count "$T/new")"
check "and the database is consistent" consistent "$T/new"
finish
