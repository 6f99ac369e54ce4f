#!/bin/sh
# delta.sh: the live writer's delta database (DIR/live) on the real daemon:
# a post put, updated or deleted through it is seen at once and exactly
# once (its old words find nothing, totals, the stats op's count and
# category facets add up, doc reads the new copy), before and after the
# fold into the main database; kill -9 after an answer and before the fold:
# found after a restart, and the fold then completes; a kill between the
# fold's two commits (main written, delta not yet emptied): no duplicate,
# no loss; socasma-index --wait folds what the writer left and sees the
# posts put live.
. "$top_srcdir/tests/live/live-lib.sh"

kill9() { kill -9 "$DPID" 2>/dev/null; wait "$DPID" 2>/dev/null; DPID=; }
stats() { ask '{"op":"stats"}'; }
# cat_count NAME: the stats op's count of category NAME (0 when absent).
cat_count() {
    _n=$(stats | sed -n "s/.*\"categories\":{[^}]*\"$1\":\([0-9]*\).*/\1/p")
    echo "${_n:-0}"
}
# total_of JSON: the total of a search answer.
total_of() { printf '%s' "$1" | sed -n 's/.*"total":\([0-9]*\).*/\1/p'; }
# delta_docs: documents in DIR/live (xapian-delve's count), "none" without.
delta_docs() {
    if [ -f "$DB/live/iamglass" ]; then
        xapian-delve "$DB/live" 2>/dev/null | sed -n 's/^number of documents = //p'
    else echo none; fi
}
command -v xapian-delve >/dev/null || skip "no xapian-delve (xapian-tools)"

"$SOCASMA_INDEX" --db "$DB" --quiet "$SAMPLE" >/dev/null || { fail "sample indexed"; finish; }
# No fold while the test looks at the delta: a long lock_idle, big batches.
start_daemon "lock_idle = 600000
fold_posts = 100000
fold_ms = 3600000" || { fail "daemon starts"; finish; }
base=$(json_field "$(stats)" posts)
expect_match "the sample's posts counted" '^[1-9][0-9]*$' "$base"

# put: into the delta, found at once, once
out=$(ask "{\"op\":\"put\",\"posts\":[$(post d-1 zorbkiwi),$(post d-2 zorbpapaya),$(post d-3 zorblemon)]}")
expect_match "put of 3: added" '"added":3,"updated":0' "$out"
expect_eq "the delta holds them (DIR/live)" 3 "$(delta_docs)"
expect_eq "put post found" 1 "$(found zorbkiwi)"
expect_eq "stats count the put posts" $((base + 3)) "$(json_field "$(stats)" posts)"
expect_eq "category facet counts them" 3 "$(cat_count Live)"
res=$(total_of "$(ask '{"op":"search","q":"residency"}')")

# update through the delta: the new words, not the old ones; once
out=$(ask "{\"op\":\"put\",\"post\":$(post d-1 zorbmango)}")
expect_match "update: updated" '"added":0,"updated":1' "$out"
expect_eq "updated post found by its new word" 1 "$(found zorbmango)"
expect_eq "its old word finds nothing" 0 "$(found zorbkiwi)"
expect_eq "a word of both versions: the same total" "$res" "$(total_of "$(ask '{"op":"search","q":"residency"}')")"
expect_eq "stats count unchanged by the update" $((base + 3)) "$(json_field "$(stats)" posts)"
expect_match "doc reads the new copy" '"title":"zorbmango live post"' "$(ask '{"op":"doc","doc_id":"d-1"}')"

# fold (the daemon stops: its writer folds), then update and delete posts
# that are in the main database: their main copies hidden
stop_daemon
expect_eq "stopping folded the delta: empty" 0 "$(delta_docs)"
start_daemon "lock_idle = 600000
fold_posts = 100000
fold_ms = 3600000" || { fail "daemon restarts"; finish; }
expect_eq "after the fold: found once" 1 "$(found zorbmango)"
expect_eq "after the fold: old word still nothing" 0 "$(found zorbkiwi)"
expect_eq "after the fold: the count" $((base + 3)) "$(json_field "$(stats)" posts)"
out=$(ask "{\"op\":\"put\",\"post\":$(post d-2 zorbcherry)}")
expect_match "update of a folded post: updated" '"added":0,"updated":1' "$out"
expect_eq "its new word found once" 1 "$(found zorbcherry)"
expect_eq "its old (main) copy hidden" 0 "$(found zorbpapaya)"
h=$(ask '{"op":"search","q":"zorbcherry OR zorbpapaya","limit":10}')
expect_eq "one hit for the post, not two" 1 "$(printf '%s' "$h" | grep -o '"id":"d-2"' | wc -l | tr -d ' ')"
out=$(ask '{"op":"delete","ids":["d-3","nosuch"]}')
expect_match "delete of a folded post: deleted, missing" '"deleted":1,"missing":1' "$out"
expect_eq "the delta: an update and a tombstone" 2 "$(delta_docs)"
expect_eq "deleted post gone" 0 "$(found zorblemon)"
expect_match "deleted post: doc not_found" '"not_found"' "$(ask '{"op":"doc","doc_id":"d-3"}')"
expect_eq "deleted post gone from the count" $((base + 2)) "$(json_field "$(stats)" posts)"
expect_eq "deleted post gone from the facet" 2 "$(cat_count Live)"
expect_eq "a word of every live post: one less" $((res - 1)) "$(total_of "$(ask '{"op":"search","q":"residency"}')")"
out=$(ask '{"op":"delete","ids":["d-3"]}')
expect_match "delete again: missing" '"deleted":0,"missing":1' "$out"
out=$(ask "{\"op\":\"put\",\"post\":$(post d-2 zorbcherry)}")
expect_match "same post again: unchanged (the delta's hash)" '"unchanged":1' "$out"

# kill -9 after the answers, before any fold: all there after a restart
kill9
expect_eq "killed: the delta kept its posts" 2 "$(delta_docs)"
start_daemon "lock_idle = 200" || { fail "daemon restarts after kill"; finish; }
expect_eq "after kill -9: the update found" 1 "$(found zorbcherry)"
expect_eq "after kill -9: the old copy hidden" 0 "$(found zorbpapaya)"
expect_eq "after kill -9: the deleted post gone" 0 "$(found zorblemon)"
expect_eq "after kill -9: the count" $((base + 2)) "$(json_field "$(stats)" posts)"
# a write, then lock_idle: the writer's open folded the leftovers, its idle
# fold the new one
out=$(ask "{\"op\":\"put\",\"post\":$(post d-4 zorbbanana)}")
expect_match "a put after the restart" '"added":1' "$out"
sleep 0.6
expect_eq "the fold completed: the delta is empty" 0 "$(delta_docs)"
expect_eq "folded: the update found once" 1 "$(found zorbcherry)"
expect_eq "folded: the old copy gone" 0 "$(found zorbpapaya)"
expect_eq "folded: the deleted post gone" 0 "$(found zorblemon)"
expect_eq "folded: the count" $((base + 3)) "$(json_field "$(stats)" posts)"
w=$(stats | sed -n 's/.*"writer":{\(.*\)}}.*/\1/p')
expect_match "the writer's figures count its folds" '"folds":[1-9]' "$w"
expect_match "and the delta's size" '"delta_posts":0' "$w"
stop_daemon

# killed between the fold's two commits: the main database written, the
# delta not emptied (made here: a delta copied aside before a fold and put
# back after it)
start_daemon "lock_idle = 600000" || { fail "daemon restarts"; finish; }
out=$(ask "{\"op\":\"put\",\"posts\":[$(post d-4 zorbgrape),$(post d-5 zorbmelon)]}")
out2=$(ask '{"op":"delete","ids":["d-1"]}')
kill9
expect_match "put and delete answered" '"deleted":1' "$out2"
cp -a "$DB/live" "$T/live.copy"
printf '' >"$T/empty.jsonl"
"$SOCASMA_INDEX" --db "$DB" --quiet "$T/empty.jsonl" >/dev/null 2>&1
expect_eq "socasma-index applied what the killed daemon left: its delta thrown away" none "$(delta_docs)"
rm -rf "$DB/live" && cp -a "$T/live.copy" "$DB/live"
expect_eq "the delta put back: as if killed between the commits" 3 "$(delta_docs)"
start_daemon "lock_idle = 200" || { fail "daemon restarts"; finish; }
expect_eq "between the commits: updated post once" 1 "$(found zorbgrape)"
expect_eq "between the commits: new post once" 1 "$(found zorbmelon)"
expect_eq "between the commits: its old word nothing" 0 "$(found zorbbanana)"
expect_eq "between the commits: deleted post gone" 0 "$(found zorbmango)"
expect_eq "between the commits: the count" $((base + 3)) "$(json_field "$(stats)" posts)"
out=$(ask "{\"op\":\"put\",\"post\":$(post d-6 zorbpeach)}")
sleep 0.6
expect_eq "folded again: empty" 0 "$(delta_docs)"
expect_eq "folded again: no duplicate" 1 "$(found zorbmelon)"
expect_eq "folded again: the count" $((base + 4)) "$(json_field "$(stats)" posts)"

# socasma-index --wait while the delta holds posts: the writer folds and
# lets go; the indexer sees the posts put live (unchanged)
stop_daemon
start_daemon "lock_idle = 300
fold_posts = 100000
fold_ms = 3600000" || { fail "daemon restarts"; finish; }
out=$(ask "{\"op\":\"put\",\"post\":$(post d-7 zorbplum)}")
expect_match "put before the indexer" '"added":1' "$out"
post d-7 zorbplum >"$T/seven.jsonl"; echo >>"$T/seven.jsonl"
out=$("$SOCASMA_INDEX" --db "$DB" --json --quiet --wait 20 "$T/seven.jsonl" 2>&1); rc=$?
expect_eq "indexer with --wait runs" 0 "$rc"
expect_eq "the indexer sees the post put live: unchanged" 1 "$(json_field "$out" unchanged)"
expect_eq "and adds nothing" 0 "$(json_field "$out" added)"
expect_eq "the delta was folded for it" 0 "$(delta_docs)"
expect_eq "the post found once" 1 "$(found zorbplum)"
finish
