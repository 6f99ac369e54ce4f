# incremental.sh: socasma-index reruns: an identical run writes nothing, an
# edited post is 1 updated, a removed post with --prune is 1 deleted, a
# run without --prune deletes nothing.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/index/gen-posts.sh"
DBINFO="$top_builddir/tests/index/dbinfo"
db="$T/db"
gen_posts 1 50 >"$T/a.jsonl"

out=$("$SOCASMA_INDEX" --db "$db" --json "$T/a.jsonl"); rc=$?
expect_eq "first run exits 0" 0 "$rc"
expect_eq "first run: 50 read" 50 "$(json_field "$out" read)"
expect_eq "first run: 50 added" 50 "$(json_field "$out" added)"
expect_eq "db holds 50" 50 "$("$DBINFO" count "$db")"
keys=$(printf '%s' "$out" | tr -d '{}' | tr ',' '\n' | sed 's/:.*//' | sort | tr '\n' ' ')
expect_eq "--json has exactly the 8 keys" '"added" "deleted" "glossary" "read" "rejected" "seconds" "unchanged" "updated" ' "$keys"
rev=$("$DBINFO" revision "$db")

out=$("$SOCASMA_INDEX" --db "$db" --json "$T/a.jsonl")
expect_eq "identical rerun: 50 unchanged" 50 "$(json_field "$out" unchanged)"
expect_eq "identical rerun: 0 added" 0 "$(json_field "$out" added)"
expect_eq "identical rerun: 0 updated" 0 "$(json_field "$out" updated)"
expect_eq "identical rerun writes no revision" "$rev" "$("$DBINFO" revision "$db")"

# Edit post 7's body.
sed 's/"syn-7", \(.*\)First paragraph 7/"syn-7", \1Edited first paragraph 7/' "$T/a.jsonl" >"$T/b.jsonl"
out=$("$SOCASMA_INDEX" --db "$db" --json "$T/b.jsonl")
expect_eq "edited post: 1 updated" 1 "$(json_field "$out" updated)"
expect_eq "edited post: 49 unchanged" 49 "$(json_field "$out" unchanged)"
expect_eq "still 50 posts" 50 "$("$DBINFO" count "$db")"
check "the edit is searchable" test "$("$DBINFO" termfreq "$db" edited)" = 1
check "the new revision is visible" test "$("$DBINFO" revision "$db")" -gt "$rev"

# Remove post 9: without --prune nothing is deleted; with --prune 1.
grep -v '"syn-9"' "$T/b.jsonl" >"$T/c.jsonl"
out=$("$SOCASMA_INDEX" --db "$db" --json "$T/c.jsonl")
expect_eq "no --prune: 0 deleted" 0 "$(json_field "$out" deleted)"
expect_eq "no --prune: 50 posts" 50 "$("$DBINFO" count "$db")"
out=$("$SOCASMA_INDEX" --db "$db" --prune --json "$T/c.jsonl")
expect_eq "--prune: 1 deleted" 1 "$(json_field "$out" deleted)"
expect_eq "--prune: 49 posts" 49 "$("$DBINFO" count "$db")"
expect_eq "the pruned post is gone" 0 "$("$DBINFO" termfreq "$db" Qsyn-9)"

# --dry-run reports and writes nothing.
gen_posts 51 60 >"$T/d.jsonl"
rev=$("$DBINFO" revision "$db")
out=$("$SOCASMA_INDEX" --db "$db" --dry-run --json "$T/c.jsonl" "$T/d.jsonl")
expect_eq "dry run: 10 would be added" 10 "$(json_field "$out" added)"
expect_eq "dry run: 49 unchanged" 49 "$(json_field "$out" unchanged)"
expect_eq "dry run writes nothing" "49 $rev" "$("$DBINFO" count "$db") $("$DBINFO" revision "$db")"

# A directory source: its *.jsonl in name order; the text summary.
mkdir "$T/dir" && cp "$T/c.jsonl" "$T/dir/1.jsonl" && cp "$T/d.jsonl" "$T/dir/2.jsonl"
out=$("$SOCASMA_INDEX" --db "$db" "$T/dir")
expect_match "text summary" '^read 59, added 10, updated 0, unchanged 49, deleted 0, rejected 0, .* s, .* posts/s$' "$out"

# Stdin, and a gzip source.
gzip -c "$T/a.jsonl" >"$T/a.jsonl.gz"
out=$("$SOCASMA_INDEX" --db "$T/db2" --json "$T/a.jsonl.gz")
expect_eq "gzip: 50 added" 50 "$(json_field "$out" added)"
out=$("$SOCASMA_INDEX" --db "$T/db3" --json - <"$T/a.jsonl")
expect_eq "stdin: 50 added" 50 "$(json_field "$out" added)"

# Default database: index/socasma.db under the current directory.
(cd "$T" && env -u SOCASMA_CONFIG "$SOCASMA_INDEX" --quiet d.jsonl)
expect_eq "default db under the cwd" 10 "$("$DBINFO" count "$T/index/socasma.db")"
# --timings: where the time went, in the JSON summary (and a text line).
# One writer has no chunk to flush or merge; the parallel build has both;
# the phases' wall clock adds up to at most the run's seconds.
timing() { printf '%s' "$1" | sed -n "s/.*\"$2\":{\([^}]*\)}.*/\1/p" | tr ',' '\n' |
           sed -n "s/^\"$3\"://p"; }
positive() { awk -v v="$1" 'BEGIN { exit !(v > 0) }'; }
out=$("$SOCASMA_INDEX" --db "$T/db4" --jobs 1 --json --timings "$T/a.jsonl")
expect_eq "--timings: 50 added" 50 "$(json_field "$out" added)"
expect_match "--timings: cpu by kind of work" \
    '"cpu":\{"read":[0-9.]*,"analyse":[0-9.]*,"add":[0-9.]*,"flush":[0-9.]*,"merge":[0-9.]*\}' "$out"
expect_match "--timings: wall by phase" '"wall":\{"build":[0-9.]*,"merge":[0-9.]*,"commit":[0-9.]*\}' "$out"
check "one writer: analysing took time" positive "$(timing "$out" cpu analyse)"
check "one writer: adding took time" positive "$(timing "$out" cpu add)"
expect_eq "one writer: no chunk flushed" 0.000 "$(timing "$out" cpu flush)"
expect_eq "one writer: nothing merged" "0.000 0.000" "$(timing "$out" cpu merge) $(timing "$out" wall merge)"
out=$(SOCASMA_INDEX_CHUNK_BYTES=20000 "$SOCASMA_INDEX" --db "$T/db5" --jobs 2 --json --timings "$T/a.jsonl")
expect_eq "--timings, 2 jobs: 50 added" 50 "$(json_field "$out" added)"
for k in analyse add flush merge; do
    check "2 jobs: cpu $k took time" positive "$(timing "$out" cpu $k)"
done
check "2 jobs: the phases fit in the run's time" awk -v b="$(timing "$out" wall build)" \
    -v m="$(timing "$out" wall merge)" -v c="$(timing "$out" wall commit)" \
    -v s="$(json_field "$out" seconds)" 'BEGIN { exit !(m > 0 && b + m + c <= s + 0.01) }'
expect_eq "the same posts as one writer" "$("$DBINFO" count "$T/db4")" "$("$DBINFO" count "$T/db5")"
out=$("$SOCASMA_INDEX" --db "$T/db6" --timings "$T/a.jsonl")
expect_match "--timings: a text line" '^timings: wall build [0-9.]* s, merge [0-9.]* s, commit [0-9.]* s; cpu read [0-9.]* s, analyse [0-9.]* s, add [0-9.]* s, flush [0-9.]* s, merge [0-9.]* s$' "$(printf '%s\n' "$out" | tail -1)"
finish
