#!/bin/sh
# journal.sh: the live writer's journal (DIR/live-journal) on the real
# daemon: the delta's commits are not synced, so after a power cut the
# delta may be damaged or gone; the journal alone must bring back every
# acknowledged write. Simulated here by a kill -9 and then the delta's
# tables truncated, or the delta removed: at the restart every acknowledged
# post is found exactly once with its newest content, the deleted ones stay
# gone, and the log says what was applied. A journal with a torn tail: the
# good records applied, the torn one dropped, said in the log.
# socasma-index after a killed daemon applies the journal too.
. "$top_srcdir/tests/live/live-lib.sh"

kill9() { kill -9 "$DPID" 2>/dev/null; wait "$DPID" 2>/dev/null; DPID=; }
stats() { ask '{"op":"stats"}'; }
# ids_of WORD: how many hits a search for WORD has (each post once).
hits_of() {
    ask "{\"op\":\"search\",\"q\":\"$1\",\"limit\":50}" | grep -o '"id":"[^"]*"' | wc -l | tr -d ' '
}
# Writes that stay in the delta: no fold while the test writes.
NOFOLD="lock_idle = 600000
fold_posts = 100000
fold_ms = 3600000"
# some_writes PREFIX: puts, an update, deletes (of a put post and of a
# post of the sample, in the main database), each answered; the expected
# state is then: PREFIX-1 found by zorbPREFIXnew only, PREFIX-2 gone,
# PREFIX-3 found, the sample post $VICTIM gone.
some_writes() {
    o1=$(ask "{\"op\":\"put\",\"posts\":[$(post "$1-1" "zorb${1}old"),$(post "$1-2" "zorb${1}two")]}")
    o2=$(ask "{\"op\":\"put\",\"post\":$(post "$1-3" "zorb${1}three")}")
    o3=$(ask "{\"op\":\"put\",\"post\":$(post "$1-1" "zorb${1}new")}")
    o4=$(ask "{\"op\":\"delete\",\"ids\":[\"$1-2\",\"$VICTIM\"]}")
    expect_match "$1: puts answered" '"ok":true,"added":2' "$o1"
    expect_match "$1: put answered" '"ok":true,"added":1' "$o2"
    expect_match "$1: update answered" '"updated":1' "$o3"
    expect_match "$1: deletes answered" '"deleted":2' "$o4"
}
check_writes() { # PREFIX WHAT
    expect_eq "$2: the updated post found by its new word, once" 1 "$(hits_of "zorb${1}new")"
    expect_eq "$2: its old word finds nothing" 0 "$(hits_of "zorb${1}old")"
    expect_eq "$2: the post put then deleted is gone" 0 "$(hits_of "zorb${1}two")"
    expect_eq "$2: the other put post found once" 1 "$(hits_of "zorb${1}three")"
    expect_match "$2: the deleted sample post is gone" '"not_found"' \
        "$(ask "{\"op\":\"doc\",\"doc_id\":\"$VICTIM\"}")"
    expect_match "$2: the updated post reads its new title" "\"title\":\"zorb${1}new live post\"" \
        "$(ask "{\"op\":\"doc\",\"doc_id\":\"$1-1\"}")"
}

"$SOCASMA_INDEX" --db "$DB" --quiet "$SAMPLE" >/dev/null || { fail "sample indexed"; finish; }
VICTIMS=$(sed -n 's/^{"id": *"\([^"]*\)".*/\1/p' "$SAMPLE" | head -3)
start_daemon "$NOFOLD" || { fail "daemon starts"; finish; }
base=$(json_field "$(stats)" posts)

# 1. kill -9, then the delta's table files truncated (a power cut that
#    lost the unsynced commits' blocks)
VICTIM=$(echo "$VICTIMS" | sed -n 1p)
some_writes pa
kill9
expect_match "the journal has a segment" '\.seg$' "$(ls "$DB/live-journal" | tail -n 1)"
n=0
for f in "$DB"/live/*.glass; do : >"$f"; n=$((n + 1)); done
expect_match "the delta's tables truncated" '^[1-9]' "$n"
: >"$T/daemon.err"
start_daemon "$NOFOLD" || { fail "daemon restarts over a damaged delta"; finish; }
check_writes pa "delta truncated"
expect_eq "delta truncated: the count" $((base + 1)) "$(json_field "$(stats)" posts)"
expect_match "the log says the journal was applied" 'journal.*applied again' "$(cat "$T/daemon.err")"

# 2. kill -9, then the delta removed altogether
VICTIM=$(echo "$VICTIMS" | sed -n 2p)
some_writes pb
kill9
rm -rf "$DB/live"
start_daemon "$NOFOLD" || { fail "daemon restarts without its delta"; finish; }
check_writes pb "delta removed"
check_writes pa "delta removed, the earlier writes"
expect_eq "delta removed: the count" $((base + 2)) "$(json_field "$(stats)" posts)"

# 3. a torn tail: two groups, then the last one cut short, and garbage
#    after it in another run
o=$(ask "{\"op\":\"put\",\"post\":$(post pc-1 zorbpcfirst)}")
expect_match "first group answered" '"added":1' "$o"
o=$(ask "{\"op\":\"put\",\"post\":$(post pc-2 zorbpcsecond)}")
expect_match "second group answered" '"added":1' "$o"
kill9
seg="$DB/live-journal/$(ls "$DB/live-journal" | tail -n 1)"
size=$(wc -c <"$seg" | tr -d ' ')
# (as if the machine had stopped while the second record was written:
# it was never synced, so never answered)
head -c $((size - 20)) "$seg" >"$T/seg" && cat "$T/seg" >"$seg"
rm -rf "$DB/live"
: >"$T/daemon.err"
start_daemon "$NOFOLD" || { fail "daemon restarts over a torn journal"; finish; }
expect_eq "torn tail: the good record applied" 1 "$(hits_of zorbpcfirst)"
expect_eq "torn tail: the torn one dropped" 0 "$(hits_of zorbpcsecond)"
expect_match "torn tail: said in the log" 'torn or damaged record' "$(cat "$T/daemon.err")"
o=$(ask "{\"op\":\"put\",\"post\":$(post pc-3 zorbpcthird)}")
expect_match "a write after it" '"added":1' "$o"
kill9
seg="$DB/live-journal/$(ls "$DB/live-journal" | tail -n 1)"
printf 'SSJ1 garbage that is no record at all' >>"$seg"
: >"$T/daemon.err"
start_daemon "$NOFOLD" || { fail "daemon restarts over a journal with garbage"; finish; }
expect_eq "garbage tail: the good record applied" 1 "$(hits_of zorbpcthird)"
expect_match "garbage tail: said in the log" 'torn or damaged record' "$(cat "$T/daemon.err")"
expect_eq "the earlier writes still there" 1 "$(hits_of zorbpcfirst)"

# 4. socasma-index after a killed daemon (delta damaged): applies the
#    journal's writes, leaves no delta nor segment
VICTIM=$(echo "$VICTIMS" | sed -n 3p)
some_writes pd
kill9
for f in "$DB"/live/*.glass; do : >"$f"; done
printf '' >"$T/empty.jsonl"
out=$("$SOCASMA_INDEX" --db "$DB" --quiet "$T/empty.jsonl" 2>&1); rc=$?
expect_eq "socasma-index runs after the kill" 0 "$rc"
expect_match "socasma-index says the journal was applied" 'applied again' "$out"
expect_eq "no delta left" no "$([ -e "$DB/live" ] && echo yes || echo no)"
expect_eq "no segment left" "" "$(ls "$DB/live-journal")"
start_daemon "$NOFOLD" || { fail "daemon restarts after socasma-index"; finish; }
check_writes pd "after socasma-index"
check_writes pa "after socasma-index, the first writes"
expect_eq "after socasma-index: the count" $((base + 5)) "$(json_field "$(stats)" posts)"
# 5. a second daemon (write = none) keeps the delta open while the writing
#    daemon, killed, restarts and recovers: the delta is thrown away and
#    made again at the same path; the second daemon must open the new one
#    (a new directory), not go on reading the removed files, whose
#    revision numbers the new delta's do not pass at once.
o=$(ask "{\"op\":\"put\",\"post\":$(post pe-1 zorbpefirst)}")
expect_match "5: a put before the second daemon" '"added":1' "$o"
SOCKB="$T/sb"
printf '[index]\ndatabase = %s\n[server]\nsocket = %s\nthreads = 1\nwrite = none\n' \
    "$DB" "$SOCKB" >"$T/confb"
"$D" --config "$T/confb" --listen '' 2>>"$T/daemonb.err" &
BPID=$!
on_exit 'kill $BPID 2>/dev/null'
i=0
while [ ! -S "$SOCKB" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
askb() { printf '%s\n' "$1" | "$LC" -U "$SOCKB"; }
hits_b() {
    askb "{\"op\":\"search\",\"q\":\"$1\",\"limit\":50}" | grep -o '"id":"[^"]*"' | wc -l | tr -d ' '
}
expect_eq "5: the second daemon finds the delta's post" 1 "$(hits_b zorbpefirst)"
kill9
start_daemon "$NOFOLD" || { fail "5: the writing daemon restarts"; finish; }
o=$(ask "{\"op\":\"put\",\"post\":$(post pe-2 zorbpesecond)}")
expect_match "5: a put after the recovery" '"added":1' "$o"
n=0 i=0
while [ $i -lt 60 ]; do
    n=$(hits_b zorbpesecond)
    [ "$n" = 1 ] && break
    sleep 0.05; i=$((i + 1))
done
expect_eq "5: the second daemon finds the post put into the new delta" 1 "$n"
expect_eq "5: and the one recovered from the journal, once" 1 "$(hits_b zorbpefirst)"
kill "$BPID" 2>/dev/null; wait "$BPID" 2>/dev/null
finish
