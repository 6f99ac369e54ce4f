#!/bin/sh
# concurrent.sh: 4 writers putting 500 posts each, one at a time, while 2
# clients search: every acknowledged post is then found (by id and by a
# word of its own), and no search failed. Then the same while 2 clients
# search through a second daemon on the same database, which reads the
# blocks the first one's commits and folds overwrite: no search failed
# there either. Also a writer that checks each post on another connection
# right after its answer: found at once.
# (Speed is bench/live's business: nothing here is timed.)
. "$top_srcdir/tests/live/live-lib.sh"
[ -x "$LIVECLIENT" ] || skip "no $LIVECLIENT"

"$SOCASMA_INDEX" --db "$DB" --quiet "$SAMPLE" || { fail "index the sample"; finish; }
start_daemon || { fail "daemon starts"; finish; }

out=$("$LIVECLIENT" -U "$SOCK" -f "$SAMPLE" -w 4 -n 500 -s 2 -V -P zqconc 2>"$T/client.err"); rc=$?
echo "$out"
cat "$T/client.err" >&2
expect_eq "4 x 500 puts: client's verdict" 0 "$rc"
expect_eq "every put acknowledged" "2000 0" "$(json_field "$out" acked) $(json_field "$out" put_failed)"
expect_eq "every acknowledged post found" 0 "$(json_field "$out" missing)"
expect_eq "no search failed" 0 "$(json_field "$out" search_failed)"
searches=$(json_field "$out" searches)
[ "${searches:-0}" -gt 0 ] && pass "searches ran meanwhile ($searches)" || fail "no search ran"
expect_match "the database holds them all" '"posts":2031[,}]' "$(ask '{"op":"stats"}')"

# A second daemon on the database, searching only, while the first one
# writes (small folds: the main database's blocks are reused often).
stop_daemon
start_daemon "fold_posts = 64" || { fail "daemon starts again"; finish; }
printf '[index]\ndatabase = %s\n[server]\nsocket = %s\nthreads = 1\nwrite = none\n' \
    "$DB" "$T/s2" >"$T/conf2"
"$D" --config "$T/conf2" --listen '' 2>"$T/daemon2.err" &
D2PID=$!
on_exit 'kill $D2PID 2>/dev/null'
i=0
while [ ! -S "$T/s2" ] && [ $i -lt 400 ]; do i=$((i + 1)); sleep 0.05; done
"$LIVECLIENT" -U "$T/s2" -f "$SAMPLE" -w 0 -s 2 -d 600 >"$T/second.out" 2>"$T/second.err" &
SPID=$!
out=$("$LIVECLIENT" -U "$SOCK" -f "$SAMPLE" -w 4 -n 300 -s 0 -V -P zqsecond 2>"$T/client.err"); rc=$?
kill -TERM $SPID 2>/dev/null
wait $SPID
second=$(cat "$T/second.out")
echo "$second"
head -5 "$T/second.err" >&2
expect_eq "4 x 300 puts beside a second daemon: client's verdict" 0 "$rc"
searches=$(json_field "$second" searches)
[ "${searches:-0}" -gt 0 ] && pass "the second daemon searched meanwhile ($searches)" ||
    fail "no search ran on the second daemon"
expect_eq "no search failed on the second daemon" 0 "$(json_field "$second" search_failed)"

# Visible at once: each put's post asked on another connection right after
# its answer.
out=$("$LIVECLIENT" -U "$SOCK" -f "$SAMPLE" -w 2 -n 50 -L -P zqvis 2>"$T/client.err"); rc=$?
echo "$out"
expect_eq "visibility run: client's verdict" 0 "$rc"
expect_eq "every post found by another connection right after its answer" "100 100" \
    "$(json_field "$out" visible_now) $(json_field "$out" visible_checked)"
finish
