#!/bin/sh
# freshness.sh: the daemon through the life of its database. It starts
# before the database exists (unavailable, then recovers by itself), then
# a reindex adds, changes and prunes posts while several clients search in a
# loop: no request fails, and the new posts are found soon after the commit
# (the delay is printed, not asserted: timing is measured by bench/).
. "$top_srcdir/tests/lib/common.sh"

LC="$top_builddir/tests/server/lineclient"
D="${SOCASMA_SEARCHD_UNDER_TEST:-$SOCASMA_SEARCHD}"
[ -x "$D" ] || skip "no $D"
[ -x "$SOCASMA_INDEX" ] || skip "no $SOCASMA_INDEX"
SAMPLE="$top_srcdir/index/sample/sample.jsonl"
[ -f "$SAMPLE" ] || skip "no sample archive"
DB="$T/db"

"$D" --db "$DB" --socket "$T/s" --listen '' --threads 2 2>"$T/daemon.err" &
DPID=$!
on_exit 'kill $DPID 2>/dev/null'
i=0
while [ ! -S "$T/s" ]; do
    i=$((i + 1)); [ $i -lt 200 ] || { cat "$T/daemon.err" >&2; exit 1; }
    sleep 0.05
done
ask() { printf '%s\n' "$1" | "$LC" -U "$T/s"; }

expect_match "no database: unavailable" '"code":"unavailable"' "$(ask '{"op":"search","q":"residency"}')"
expect_match "no database: daemon still answers ping" '"pong":true' "$(ask '{"op":"ping"}')"

"$SOCASMA_INDEX" --db "$DB" --quiet "$SAMPLE" || { fail "index the sample"; finish; }
# wait_for DESC REQUEST REGEX: polls until the answer matches (10 s at most).
wait_for() {
    start=$(date +%s.%N)
    n=0
    while :; do
        out=$(ask "$2")
        if printf '%s' "$out" | grep -Eq -- "$3"; then
            pass "$1 (after $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s)"
            return
        fi
        n=$((n + 1))
        [ $n -lt 200 ] || { fail "$1: last answer $out"; return; }
        sleep 0.05
    done
}
wait_for "database created: recovers" '{"op":"search","q":"residency"}' '"ok":true,"total":[1-9]'

# Clients searching in a loop meanwhile.
i=0
while [ $i -lt 20 ]; do echo "{\"op\":\"search\",\"q\":\"residency permis $i\"}"; i=$((i + 1)); done >"$T/loop.in"
for c in 1 2 3; do
    ( while [ ! -e "$T/stop" ]; do "$LC" -U "$T/s" <"$T/loop.in"; done >"$T/loop$c.out" ) &
    eval "LOOP$c=\$!"
done

# Add a post.
sed -n 1p "$SAMPLE" | sed 's/"id": *"[^"]*"/"id": "fresh-001"/; s/"title": *"/&Zorblaxian /; s/"url": *"[^"]*"/"url": "https:\/\/socasma.example\/fresh-001\/"/' >"$T/new.jsonl"
cat "$SAMPLE" "$T/new.jsonl" >"$T/all.jsonl"
"$SOCASMA_INDEX" --db "$DB" --quiet "$T/all.jsonl" || fail "index with an added post"
wait_for "added post found" '{"op":"search","q":"zorblaxian"}' '"total":1[,}]'

# Change a post.
sed '2s/"title": *"/&Quuxified /' "$T/all.jsonl" >"$T/changed.jsonl"
"$SOCASMA_INDEX" --db "$DB" --quiet "$T/changed.jsonl" || fail "index with a changed post"
wait_for "changed post found" '{"op":"search","q":"quuxified"}' '"total":1[,}]'

# Prune one.
grep -v '"fresh-001"' "$T/changed.jsonl" >"$T/pruned.jsonl"
"$SOCASMA_INDEX" --db "$DB" --quiet --prune "$T/pruned.jsonl" || fail "index with --prune"
wait_for "pruned post gone" '{"op":"search","q":"zorblaxian"}' '"total":0[,}]'

touch "$T/stop"
wait $LOOP1 $LOOP2 $LOOP3
total=$(cat "$T"/loop?.out | wc -l)
failed=$(cat "$T"/loop?.out | grep -vc '^{"ok":true' || :)
echo "searches during the reindex: $total"
check "searches ran during the reindex" test "$total" -gt 0
expect_eq "no failed request during the reindex" 0 "$failed"

# The database vanishes: unavailable, then back.
mv "$DB" "$DB.away"
wait_for "database gone: unavailable" '{"op":"search","q":"residency"}' '"code":"unavailable"'
mv "$DB.away" "$DB"
wait_for "database back: recovers" '{"op":"search","q":"residency"}' '"ok":true,"total":[1-9]'
check "daemon still running" kill -0 $DPID
finish
