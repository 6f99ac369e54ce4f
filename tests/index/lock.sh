# lock.sh: two indexers at once on one database: the second exits 3 at once
# with "database is locked by another indexer"; the first completes.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/index/gen-posts.sh"
DBINFO="$top_builddir/tests/index/dbinfo"
db="$T/db"
gen_posts 1 5 >"$T/a.jsonl"
mkfifo "$T/fifo" || skip "no mkfifo"
"$SOCASMA_INDEX" --db "$db" --quiet --json "$T/fifo" >"$T/first.out" 2>"$T/first.err" &
first=$!
on_exit "kill $first 2>/dev/null"
# The first indexer takes the lock before it opens its source: once this
# open of the fifo returns, the lock is held.
exec 3>"$T/fifo"
err=$("$SOCASMA_INDEX" --db "$db" --quiet "$T/a.jsonl" 2>&1); rc=$?
expect_eq "second indexer exits 3" 3 "$rc"
expect_match "second indexer says why" 'database is locked by another indexer' "$err"
cat "$T/a.jsonl" >&3
exec 3>&-
wait "$first"; rc=$?
expect_eq "first indexer exits 0" 0 "$rc"
expect_eq "first indexer added its posts" 5 "$("$DBINFO" count "$db")"
# Once the first has ended, the lock is free again.
out=$("$SOCASMA_INDEX" --db "$db" --json "$T/a.jsonl"); rc=$?
expect_eq "a later indexer runs" "0 5" "$rc $(json_field "$out" unchanged)"
finish
