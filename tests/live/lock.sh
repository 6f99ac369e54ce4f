#!/bin/sh
# lock.sh: the daemon's writer and socasma-index take turns on one
# database. The writer holds the write lock only while it writes and
# lock_idle after: socasma-index without --wait exits 3 meanwhile, with
# --wait it runs once the lock is let go. A writer that waits (--wait) is
# seen by the daemon's, which lets the lock go at once, even while a stream
# of puts would keep it: nothing of the stream is lost. While socasma-index holds the
# lock, a write waits for it: it is applied when the indexer ends within
# write_timeout, else answered "busy" with nothing applied.
. "$top_srcdir/tests/live/live-lib.sh"
. "$top_srcdir/tests/index/gen-posts.sh"
mkfifo "$T/fifo" || skip "no mkfifo"
gen_posts 1 20 >"$T/syn.jsonl"

start_daemon "lock_idle = 1500
write_timeout = 5000" || { fail "daemon starts"; finish; }
expect_match "put: the writer takes the lock" '"added":1' "$(ask "{\"op\":\"put\",\"post\":$(post lk-1 zorblock)}")"
# right after a write the writer still holds the lock (lock_idle)
out=$("$SOCASMA_INDEX" --config "$T/conf" --quiet "$T/syn.jsonl" 2>&1); rc=$?
expect_eq "indexer without --wait while the writer holds the lock: exit 3" 3 "$rc"
expect_match "indexer says the database is locked" 'locked' "$out"
out=$("$SOCASMA_INDEX" --config "$T/conf" --json --quiet --wait 20 "$T/syn.jsonl" 2>&1); rc=$?
expect_eq "indexer with --wait: runs once the writer lets go" 0 "$rc"
expect_eq "indexer with --wait: its posts added" 20 "$(json_field "$out" added)"
expect_eq "the writer's post is still there" 1 "$(found zorblock)"
expect_match "then the writer writes again" '"added":1' "$(ask "{\"op\":\"put\",\"post\":$(post lk-2 zorbagain)}")"
sleep 2 # lock_idle: the writer lets the lock go

# The indexer holds the lock (it takes it before it opens its source, the
# fifo); a put waits, and is applied once the indexer is done.
"$SOCASMA_INDEX" --config "$T/conf" --quiet --json "$T/fifo" >"$T/idx.out" 2>&1 &
ipid=$!
exec 3>"$T/fifo"
# (3>&-: the fifo's write end is the test's alone, or EOF never comes)
ask "{\"op\":\"put\",\"post\":$(post lk-3 zorbwaited)}" >"$T/put.out" 3>&- &
ppid=$!
sleep 1
expect_eq "a put waits while the indexer holds the lock" "" "$(cat "$T/put.out")"
gen_posts 21 25 >&3
exec 3>&-
wait "$ipid"; rc=$?
expect_eq "the indexer holding the lock ends well" 0 "$rc"
wait "$ppid"
expect_match "the waiting put is applied once the lock is free" '"ok":true,"added":1' "$(cat "$T/put.out")"
expect_eq "the waiting put is found" 1 "$(found zorbwaited)"
expect_match "the indexer's posts are there too" '"posts":28[,}]' "$(ask '{"op":"stats"}')"
stop_daemon

# write_timeout: a put waiting longer is answered busy, nothing applied.
start_daemon "lock_idle = 100
write_timeout = 300" || { fail "daemon restarts"; finish; }
"$SOCASMA_INDEX" --config "$T/conf" --quiet --json "$T/fifo" >"$T/idx.out" 2>&1 &
ipid=$!
exec 3>"$T/fifo"
out=$(ask "{\"op\":\"put\",\"id\":9,\"post\":$(post lk-4 zorbbusy)}")
expect_match "put past write_timeout: busy, with the request's id" '^\{"ok":false,"error":\{"code":"busy","message":"another writer.*nothing was applied.*"id":9\}$' "$out"
out=$(ask '{"op":"delete","ids":["lk-1"]}')
expect_match "delete past write_timeout: busy" '"code":"busy"' "$out"
: >&3
exec 3>&-
wait "$ipid"
expect_eq "busy put applied nothing" 0 "$(found zorbbusy)"
expect_eq "busy delete applied nothing" 1 "$(found zorblock)"
expect_match "stats count the busy answers" '"busy":2' "$(ask '{"op":"stats"}')"
expect_match "after the indexer, writes work again" '"added":1' "$(ask "{\"op\":\"put\",\"post\":$(post lk-4 zorbbusy)}")"
stop_daemon

# A waiting indexer gets the lock from a daemon whose lock_idle (a minute)
# is longer than the indexer's --wait, idle or under a stream of puts.
start_daemon "lock_idle = 60000" || { fail "daemon starts with a long lock_idle"; finish; }
expect_match "put: the writer holds the lock for a minute" '"added":1' \
    "$(ask "{\"op\":\"put\",\"post\":$(post lk-5 zorbidle)}")"
gen_posts 101 110 >"$T/syn2.jsonl"
out=$("$SOCASMA_INDEX" --config "$T/conf" --json --quiet --wait 20 "$T/syn2.jsonl" 2>&1); rc=$?
expect_eq "indexer with --wait: the idle writer lets the lock go for it" 0 "$rc"
expect_eq "its posts added" 10 "$(json_field "$out" added)"
expect_match "the daemon's log says why it let go" 'waits for the database lock' "$(cat "$T/daemon.err")"
if [ -x "$LIVECLIENT" ]; then
    before=$(ask '{"op":"stats"}' | sed -n 's/.*"posts":\([0-9]*\).*/\1/p')
    # 2 writers x 100 puts, 20 ms apart: the stream outlasts the indexer's run
    "$LIVECLIENT" -U "$SOCK" -f "$SAMPLE" -w 2 -n 100 -i 20 -P zqlock -V >"$T/stream.out" 2>"$T/stream.err" &
    lpid=$!
    # the stream has begun: the writer holds the lock again
    i=0
    while [ "$(ask '{"op":"stats"}' | sed -n 's/.*"writes":\([0-9]*\).*/\1/p')" -lt 3 ] && [ $i -lt 600 ]; do
        i=$((i + 1)); sleep 0.05
    done
    gen_posts 111 120 >"$T/syn3.jsonl"
    out=$("$SOCASMA_INDEX" --config "$T/conf" --json --quiet --wait 20 "$T/syn3.jsonl" 2>&1); rc=$?
    expect_eq "indexer with --wait during a stream of puts: gets the lock" 0 "$rc"
    expect_eq "its posts added" 10 "$(json_field "$out" added)"
    wait "$lpid"; lrc=$?
    expect_eq "the stream: every put acknowledged and found afterwards" 0 "$lrc"
    expect_match "the stream: 200 acknowledged, none missing" '"acked":200,"put_failed":0.*"missing":0' "$(cat "$T/stream.out")"
    expect_match "every post counted: the stream's and the indexer's" "\"posts\":$((before + 200 + 10))[,}]" \
        "$(ask '{"op":"stats"}')"
fi
finish
