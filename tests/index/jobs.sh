# jobs.sh: a new database built in parallel (--jobs, the default for a first
# import) holds exactly what one writer builds: same posts, document ids,
# terms, positions, values, data, lexicon, spelling and synonym tables
# (dbinfo dump), whether the input makes one chunk or many.
# Rejected records give the same messages and counts; --strict commits
# nothing; the writer lock is held during the build; kill -9 during the
# parallel build or during the merge leaves the database at its last committed
# state, and the next run completes it and removes the leftovers.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/index/gen-posts.sh"
DBINFO="$top_builddir/tests/index/dbinfo"
conf="$T/test.conf"
printf '[index]\nglossary = %s/conf/synonyms.txt\n' "$top_srcdir" >"$conf"

# same_as_one_writer NAME FILE...: --jobs 1, 2 and 3 give the same dump,
# with the default chunks, with chunks of 20 kB (SOCASMA_INDEX_CHUNK_BYTES)
# and with chunks of 5 posts (a chunk ends at Xapian's flush threshold).
same_as_one_writer() {
    name=$1; shift
    "$SOCASMA_INDEX" --config "$conf" --db "$T/$name-1" --jobs 1 --quiet "$@" ||
        fail "$name: one writer"
    "$DBINFO" dump "$T/$name-1" >"$T/$name-1.dump" || fail "$name: dump"
    n=$("$DBINFO" count "$T/$name-1")
    check "$name: some posts ($n)" test "$n" -gt 0
    check "$name: synonyms loaded" grep -q '^synonym ' "$T/$name-1.dump"
    check "$name: spelling words" grep -q '^spelling ' "$T/$name-1.dump"
    for k in 2 3 2s 2p; do
        chunk=; flush=
        if [ $k = 2s ]; then chunk=20000; fi
        if [ $k = 2p ]; then flush=5; fi
        out=$(if [ -n "$flush" ]; then export XAPIAN_FLUSH_THRESHOLD=$flush; fi
            SOCASMA_INDEX_CHUNK_BYTES=$chunk "$SOCASMA_INDEX" --config "$conf" \
            --db "$T/$name-$k" --jobs ${k%[sp]} --json "$@"); rc=$?
        expect_eq "$name: $k jobs: exit 0, all added" "0 $n" "$rc $(json_field "$out" added)"
        "$DBINFO" dump "$T/$name-$k" >"$T/$name-$k.dump" || fail "$name: dump"
        if cmp -s "$T/$name-1.dump" "$T/$name-$k.dump"; then
            pass "$name: $k jobs build what one writer writes"
        else
            fail "$name: $k jobs differ from one writer:"
            diff "$T/$name-1.dump" "$T/$name-$k.dump" | head -10 >&2
        fi
        check "$name: $k jobs: no build directory left" test ! -e "$T/$name-$k.socasma-build"
    done
}
same_as_one_writer sample "$top_srcdir/index/sample/sample.jsonl"

# --shards N is the deprecated name of --jobs N (and -j N the short one).
err=$("$SOCASMA_INDEX" --config "$conf" --db "$T/alias" --shards 2 --quiet \
    "$top_srcdir/index/sample/sample.jsonl" 2>&1); rc=$?
expect_eq "--shards still works" 0 "$rc"
expect_match "--shards says it is deprecated" '--shards is deprecated.*--jobs' "$err"
"$DBINFO" dump "$T/alias" >"$T/alias.dump"
check "--shards 2 builds what --jobs 1 builds" cmp -s "$T/sample-1.dump" "$T/alias.dump"
"$SOCASMA_INDEX" --db "$T/j0" -j 0 --quiet "$top_srcdir/index/sample/sample.jsonl" 2>/dev/null
expect_eq "-j 0 is a usage error" 2 "$?"
gen_posts 1 4000 >"$T/gen.jsonl"
same_as_one_writer gen "$T/gen.jsonl"

# After a parallel build, runs are incremental as usual (one writer).
out=$("$SOCASMA_INDEX" --config "$conf" --db "$T/gen-2" --json "$T/gen.jsonl")
expect_eq "second identical run: all unchanged" "4000 0" \
    "$(json_field "$out" unchanged) $(json_field "$out" added)"
{ gen_posts 1 3998; gen_posts 3999 3999 edited; } >"$T/gen-edit.jsonl"
out=$("$SOCASMA_INDEX" --config "$conf" --db "$T/gen-2" --prune --json "$T/gen-edit.jsonl")
expect_eq "edited and removed: 1 updated, 1 deleted" "1 1 3998" \
    "$(json_field "$out" updated) $(json_field "$out" deleted) $(json_field "$out" unchanged)"

# Rejected records: the same messages, in the same order, and counts.
{ gen_posts 1 50
  echo '{"url": "https://example.org/no-id", "title": "No id", "body": "x"}'
  gen_posts 7 7 again
  echo 'not json'
  gen_posts 51 60; } >"$T/bad.jsonl"
for k in 1 2; do
    "$SOCASMA_INDEX" --db "$T/bad-$k" --jobs $k --json "$T/bad.jsonl" >"$T/bad-$k.out" 2>"$T/bad-$k.err"
    echo "rc $?" >>"$T/bad-$k.out"
    sed -i 's/"seconds":[0-9.]*//' "$T/bad-$k.out"
done
expect_eq "bad records: same summary" "$(cat "$T/bad-1.out")" "$(cat "$T/bad-2.out")"
expect_eq "bad records: same messages" "$(cat "$T/bad-1.err")" "$(cat "$T/bad-2.err")"
expect_match "bad records: 3 rejected" '"rejected":3' "$(cat "$T/bad-2.out")"
expect_match "bad records: the duplicate is named" 'duplicate id "syn-7"' "$(cat "$T/bad-2.err")"
check "bad records: first duplicate kept" \
    test "$("$DBINFO" dump "$T/bad-1")" = "$("$DBINFO" dump "$T/bad-2")"

# --strict: nothing committed, nothing left beside the database.
"$SOCASMA_INDEX" --db "$T/strict" --strict --quiet "$T/bad.jsonl" 2>/dev/null; rc=$?
expect_eq "--strict with rejects: exit 1, nothing committed" "1 0" \
    "$rc $("$DBINFO" count "$T/strict" 2>/dev/null || echo 0)"
check "--strict: no build directory left" test ! -e "$T/strict.socasma-build"

# The lock is held while the chunks are built: a second indexer exits 3.
mkfifo "$T/fifo" || skip "no mkfifo"
"$SOCASMA_INDEX" --db "$T/lock" --quiet --json "$T/fifo" >"$T/lock.out" 2>"$T/lock.err" &
first=$!
on_exit "kill -9 $first 2>/dev/null"
exec 3>"$T/fifo"
head -n 100 "$T/gen.jsonl" >&3
err=$("$SOCASMA_INDEX" --db "$T/lock" --quiet "$T/gen.jsonl" 2>&1); rc=$?
expect_eq "second indexer during a parallel build exits 3" 3 "$rc"
expect_match "second indexer says why" 'database is locked by another indexer' "$err"
check "the build directory exists during the build" test -d "$T/lock.socasma-build"
tail -n +101 "$T/gen.jsonl" >&3
exec 3>&-
wait "$first"; rc=$?
expect_eq "first indexer completes" "0 4000" "$rc $("$DBINFO" count "$T/lock")"

# kill -9 during the parallel build: the database stays at its last committed
# state (new and empty), and the next run completes it.
"$SOCASMA_INDEX" --db "$T/killb" --quiet "$T/fifo" 2>/dev/null &
pid=$!
exec 3>"$T/fifo"
head -n 2000 "$T/gen.jsonl" >&3
# Wait (at most about 60 s) until the first chunk is being written.
i=0
while [ ! -d "$T/killb.socasma-build/chunk-000000" ] && [ $i -lt 6000 ]; do
    sleep 0.01; i=$((i + 1))
done
sleep 0.2
kill -9 "$pid"
wait "$pid" 2>/dev/null
exec 3>&-
expect_eq "kill -9 during the parallel build: empty database" 0 "$("$DBINFO" count "$T/killb")"
out=$("$SOCASMA_INDEX" --config "$conf" --db "$T/killb" --json "$T/gen.jsonl"); rc=$?
expect_eq "the next run completes it" "0 4000" "$rc $(json_field "$out" added)"
check "and removes the leftovers" test ! -e "$T/killb.socasma-build"
"$DBINFO" dump "$T/killb" >"$T/killb.dump"
check "the same database as one writer's" cmp -s "$T/gen-1.dump" "$T/killb.dump"

# kill -9 once the merge has begun (the merged database appears), at a few
# delays: the database holds either nothing or every post, and opens.
for delay in 0 0.05 0.2; do
    rm -rf "$T/killm" "$T/killm.socasma-build"
    "$SOCASMA_INDEX" --db "$T/killm" --quiet "$T/gen.jsonl" 2>/dev/null &
    pid=$!
    while kill -0 "$pid" 2>/dev/null && [ ! -d "$T/killm.socasma-build/merged" ]; do
        sleep 0.005
    done
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    n=$("$DBINFO" count "$T/killm" 2>&1)
    case $n in
    0|4000) pass "kill -9 in the merge (+${delay}s): a committed state ($n posts)" ;;
    *) fail "kill -9 in the merge (+${delay}s): $n" ;;
    esac
    out=$("$SOCASMA_INDEX" --db "$T/killm" --json "$T/gen.jsonl"); rc=$?
    expect_eq "then the next run completes it" "0 4000" \
        "$rc $(( $(json_field "$out" added) + $(json_field "$out" unchanged) ))"
    check "and removes the leftovers" test ! -e "$T/killm.socasma-build"
done
finish
