# swap-load.sh: the database swapped under the daemon over and over while
# clients search and SIGHUPs arrive, fast, many times (issue 12: one
# "unavailable" during a reindex under reloads). Two databases of other
# sizes and revisions change places at the daemon's path: 2,000 times by
# an atomic exchange (as socasma-index --jobs swaps a first import in), then
# 400 times by two renames with an instant of nothing at the path between
# them (as `mv db db.old && mv db.new db`). Not one request may fail, and
# every answer comes from one whole database (its count, never a mix).
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/faults/faults-lib.sh"
SWAP="$top_builddir/tests/faults/swapdirs"
[ -x "$SWAP" ] || skip "no $SWAP"

# A: 300 posts, one run (zorblax in every title). B: 250 posts, two runs
# (quintex), so another revision number: an open that read the version
# file of one and the tables of the other would not go unnoticed.
gen_posts 1 300 zorblax >"$T/a.jsonl"
"$SOCASMA_INDEX" --db "$T/db" --quiet "$T/a.jsonl" || fail "index A"
gen_posts 1 250 quintex >"$T/b.jsonl"
"$SOCASMA_INDEX" --db "$T/other" --quiet "$T/b.jsonl" || fail "index B"
gen_posts 1 100 quintex2 >"$T/b2.jsonl"
"$SOCASMA_INDEX" --db "$T/other" --quiet "$T/b2.jsonl" || fail "index B again"
ra=$("$DBINFO" revision "$T/db")
rb=$("$DBINFO" revision "$T/other")
check "the two databases have other revision numbers ($ra, $rb)" test "$ra" != "$rb"

printf '[index]\ndatabase = %s\n[search]\nsnippet_words = 20\n' "$T/db" >"$T/conf"
start_daemon "$T/db" --config "$T/conf"
wait_for "A is served" "$(count_query paragraph)" '^\{"ok":true,"total":300,'

cat >"$T/load.q" <<'EOF'
{"op":"search","q":"paragraph","limit":3}
{"op":"suggest","q":"para"}
{"op":"search","q":"second paragraph","limit":2,"snippet":8}
EOF
rm -f "$T/stop"
"$LOAD" -U "$T/s" -f "$T/load.q" -c 3 -m 2 -v -S "$T/stop" >"$T/load.out" 2>"$T/load.err" &
LPID=$!
# SIGHUPs all along, each after a change of the config (the engines get
# new settings), every 20 ms.
(
    i=0
    while [ ! -e "$T/stop" ]; do
        printf '[index]\ndatabase = %s\n[search]\nsnippet_words = %d\n' "$T/db" \
            $((10 + i % 20)) >"$T/conf.tmp"
        mv "$T/conf.tmp" "$T/conf"
        kill -HUP "$DPID" || exit 1
        sleep 0.02
        i=$((i + 1))
    done
) &
HUPS=$!

out=$("$SWAP" -n 2000 -p 1000 "$T/db" "$T/other")
expect_eq "2,000 atomic exchanges" "0 2000" "$? $out"
out=$("$SWAP" -n 400 -g 1000 -p 2000 "$T/db" "$T/other")
expect_eq "400 swaps by two renames" "0 400" "$? $out"

touch "$T/stop"
wait "$HUPS"
expect_eq "the SIGHUPs were sent" 0 "$?"
wait "$LPID"
s=$(cat "$T/load.out")
echo "clients: $s"
expect_eq "no failed request" 0 "$(summary_field failed "$s")"
[ -s "$T/load.err" ] && sed 's/^/  /' "$T/load.err" >&2
n=$(summary_field ok "$s")
check "requests were answered meanwhile ($n)" test "${n:-0}" -gt 500
# Each count is A's or B's: no answer from a mix of the two, nor an empty
# database; both were served (the swaps were seen).
totals=$(totals_in "$s" | sort -n | tr '\n' ' ')
expect_eq "the counts are A's and B's only" "250 300 " "$totals"
n=$(grep -c 'configuration reloaded' "$T/daemon.err")
check "the config was reloaded ($n times)" test "$n" -ge 10
n=$(grep -c -e 'unavailable' -e 'cannot open' "$T/daemon.err")
expect_eq "the daemon's log tells no failure" 0 "$n"

# After an even number of swaps A is at the path again: served, the words
# of B are not found.
wait_for "A is served at the end" "$(count_query zorblax)" '^\{"ok":true,"total":300,'
expect_match "  and not B" '^\{"ok":true,"total":0,' "$(ask "$(count_query quintex)")"
check "the daemon is still running" daemon_alive
stop_daemon
expect_eq "the daemon stops cleanly" 0 "$DRC"
show_daemon_log_on_failure
finish
