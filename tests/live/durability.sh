#!/bin/sh
# durability.sh: kill -9 of the daemon right after a write's answer: after
# a restart the change is there. Killed while a write of many posts is
# being applied: after a restart the write is there entirely or not at all.
. "$top_srcdir/tests/live/live-lib.sh"

kill9() { kill -9 "$DPID" 2>/dev/null; wait "$DPID" 2>/dev/null; DPID=; }

start_daemon || { fail "daemon starts"; finish; }
out=$(ask "{\"op\":\"put\",\"post\":$(post dur-1 zorbdurable)}")
kill9
expect_match "put answered before the kill" '"ok":true,"added":1' "$out"
start_daemon || { fail "daemon restarts"; finish; }
expect_eq "put answered, then kill -9: found after the restart" 1 "$(found zorbdurable)"
out=$(ask '{"op":"delete","ids":["dur-1"]}')
kill9
expect_match "delete answered before the kill" '"deleted":1' "$out"
start_daemon || { fail "daemon restarts"; finish; }
expect_eq "delete answered, then kill -9: gone after the restart" 0 "$(found zorbdurable)"

# Batches of 200 posts, each killed at a different moment of its write.
batch() { # N: a put of 200 posts, each with the word zorbbatchN
    printf '{"op":"put","posts":['
    i=0
    while [ $i -lt 200 ]; do
        [ $i -gt 0 ] && printf ','
        post "b$1-$i" "zorbbatch$1" " Post $i of batch $1."
        i=$((i + 1))
    done
    printf ']}\n'
}
for n in 1 2 3 4; do
    batch "$n" >"$T/batch$n"
    "$LC" -U "$SOCK" <"$T/batch$n" >"$T/batch$n.out" 2>/dev/null &
    cpid=$!
    # a different moment each time: 0 to 0.3 s after the request
    sleep "0.$((n * 7 % 4))"
    kill9
    wait "$cpid" 2>/dev/null
    start_daemon || { fail "daemon restarts after batch $n"; finish; }
    got=$(found "zorbbatch$n")
    case $got in
    0|200) pass "batch $n killed mid-write: all or nothing ($got of 200)" ;;
    *) fail "batch $n killed mid-write: $got of 200 posts" ;;
    esac
    if grep -q '"ok":true' "$T/batch$n.out"; then
        expect_eq "batch $n was answered: all there" 200 "$got"
    fi
done
finish
