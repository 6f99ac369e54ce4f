#!/bin/sh
# foldrace.sh: the live delta folded on its own thread while the writes go
# on. With a fold every 4 documents, 4 writers update the same posts again
# and again (each writer its own 4 posts, a new title word each round) and
# delete one of them at the end: every post then holds its last
# acknowledged title (found by it, once; none of its earlier words finds
# it), the deleted ones are gone, the count adds up, and after the daemon
# stops (every fold ended) the same holds on the main database alone.
. "$top_srcdir/tests/live/live-lib.sh"

"$SOCASMA_INDEX" --db "$DB" --quiet "$SAMPLE" >/dev/null || { fail "sample indexed"; finish; }
start_daemon "lock_idle = 600000
fold_posts = 4
fold_ms = 3600000" || { fail "daemon starts"; finish; }
base=$(json_field "$(ask '{"op":"stats"}')" posts)
expect_match "the sample's posts counted" '^[1-9][0-9]*$' "$base"

ROUNDS=12
# writer W: rounds of puts of its posts f-W-0..3, title word zfoldWxIyR
# (R a letter: a..l), then the delete of f-W-3.
letters=abcdefghijklmnop
word() { printf 'zfold%sx%sy%s' "$1" "$2" "$(printf '%s' "$letters" | cut -c"$3")"; }
writer() {
    r=1
    while [ $r -le $ROUNDS ]; do
        for i in 0 1 2 3; do
            a=$(ask "{\"op\":\"put\",\"post\":$(post "f-$1-$i" "$(word "$1" "$i" "$r")")}")
            case $a in *'"ok":true'*) ;; *) echo "put f-$1-$i round $r: $a" ;; esac
        done
        r=$((r + 1))
    done
    a=$(ask "{\"op\":\"delete\",\"ids\":[\"f-$1-3\"]}")
    case $a in *'"deleted":1'*) ;; *) echo "delete f-$1-3: $a" ;; esac
}
pids=
for w in 1 2 3 4; do
    writer "$w" >"$T/writer.$w" 2>&1 &
    pids="$pids $!"
done
for p in $pids; do wait "$p"; done
for w in 1 2 3 4; do
    expect_eq "writer $w: every write acknowledged" "" "$(cat "$T/writer.$w")"
done
folds=$(json_field "$(ask '{"op":"stats"}' | sed -n 's/.*"writer":{\(.*\)}}.*/\1/p')" folds)
check "the delta was folded while the writes went on ($folds folds)" test "${folds:-0}" -ge 2

# check_posts WHEN: every post as last put, the deleted ones gone.
check_posts() {
    for w in 1 2 3 4; do
        for i in 0 1 2; do
            expect_eq "$1: f-$w-$i found by its last word" 1 "$(found "$(word "$w" "$i" "$ROUNDS")")"
            expect_eq "$1: f-$w-$i not by an earlier one" 0 \
                "$(found "$(word "$w" "$i" $((ROUNDS - 1)))")"
        done
        expect_match "$1: f-$w-3 deleted" '"not_found"' "$(ask "{\"op\":\"doc\",\"doc_id\":\"f-$w-3\"}")"
        expect_eq "$1: f-$w-3 found by no word" 0 "$(found "$(word "$w" 3 "$ROUNDS")")"
    done
    expect_eq "$1: the count" $((base + 12)) "$(json_field "$(ask '{"op":"stats"}')" posts)"
}
check_posts "during the folds"
stop_daemon
start_daemon "lock_idle = 600000" || { fail "daemon restarts"; finish; }
check_posts "all folded"
finish
