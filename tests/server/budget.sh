#!/bin/sh
# budget.sh: costly queries cannot take the daemon, with the real
# socasma-searchd on a generated archive where "con*" expands to hundreds
# of words in every post:
# - a 1 KB query of "con*" repeated is answered "too_complex" (the
#   wildcards of one query are bounded together), not run for seconds;
# - four connections pipelining such queries and costly ones that pass
#   the bounds (each answered whole, "partial", or "timeout" when its time
#   was up before a hit) do not make a fifth connection's searches fail:
#   one connection holds at most its share of the workers, and a match
#   ends at query_time_limit.
. "$top_srcdir/tests/lib/common.sh"

LC="$top_builddir/tests/server/lineclient"
D="${SOCASMA_SEARCHD_UNDER_TEST:-$SOCASMA_SEARCHD}"
[ -x "$D" ] || skip "no $D"
[ -x "$SOCASMA_INDEX" ] || skip "no $SOCASMA_INDEX"
command -v timeout >/dev/null 2>&1 || skip "no timeout(1)"
DB="$T/db"
sh "$top_srcdir/tests/server/gencorpus.sh" 2000 >"$T/gen.jsonl"
"$SOCASMA_INDEX" --db "$DB" --quiet "$T/gen.jsonl" || { fail "index the generated posts"; finish; }

cat >"$T/conf" <<EOC
[server]
threads = 2
EOC
"$D" --config "$T/conf" --db "$DB" --socket "$T/s" --listen '' 2>"$T/daemon.err" &
DPID=$!
on_exit 'kill $DPID 2>/dev/null'
i=0
while [ ! -S "$T/s" ]; do
    i=$((i + 1))
    if [ $i -gt 200 ] || ! kill -0 $DPID 2>/dev/null; then
        cat "$T/daemon.err" >&2; fail "daemon did not start"; finish
    fi
    sleep 0.05
done
ask() { printf '%s\n' "$1" | timeout 120 "$LC" -U "$T/s"; }

# ---- one such query
CON=$(i=0; while [ $i -lt 300 ]; do printf 'con* '; i=$((i + 1)); done)
out=$(ask "{\"op\":\"search\",\"q\":\"$CON\",\"id\":1}")
expect_match "con* x 300: too_complex" '"code":"too_complex".*"id":1' "$out"
# a plain search of the same archive is found, every hit holding the word
out=$(ask '{"op":"search","q":"wab1","limit":100,"snippet":5}')
expect_match "plain search: hits" '"ok":true,"total":[1-9]' "$out"
expect_eq "plain search: every hit highlights the word" \
    "$(printf '%s' "$out" | grep -o '"id":"gen-[0-9]*"' | wc -l | tr -d ' ')" \
    "$(printf '%s' "$out" | grep -o '<mark>wab1</mark>' | wc -l | tr -d ' ')"

# ---- four connections of costly queries, a fifth that searches
i=0
while [ $i -lt 6 ]; do
    echo "{\"op\":\"search\",\"q\":\"$CON\",\"id\":\"c$i\"}"
    echo "{\"op\":\"search\",\"q\":\"con* conb* conc* cond* cone*\",\"limit\":100,\"facets\":true,\"id\":\"w$i\"}"
    echo "{\"op\":\"suggest\",\"q\":\"con\",\"id\":\"s$i\"}"
    i=$((i + 1))
done >"$T/costly.in"
PIDS=
for k in 1 2 3 4; do
    timeout 300 "$LC" -U "$T/s" <"$T/costly.in" >"$T/costly.$k" &
    PIDS="$PIDS $!"
done
ok=0 bad=0
i=0
while [ $i -lt 15 ]; do
    out=$(ask "{\"op\":\"search\",\"q\":\"wab$((i % 5))\",\"id\":$i}")
    if printf '%s' "$out" | grep -Eq '"ok":true,"total":[1-9]'; then ok=$((ok + 1)); else
        bad=$((bad + 1)); echo "normal search $i: $out" >&2; fi
    i=$((i + 1))
done
wait $PIDS
expect_eq "beside four costly connections: every normal search answered with hits" "15 0" "$ok $bad"
for k in 1 2 3 4; do
    expect_eq "costly connection $k: every request answered" 18 "$(wc -l <"$T/costly.$k" | tr -d ' ')"
    expect_eq "costly connection $k: con* x 300 too_complex each time" 6 \
        "$(grep -c '"code":"too_complex".*"id":"c' "$T/costly.$k")"
    # the others: whole, partial, or timeout without a hit; never overloaded
    expect_eq "costly connection $k: the others answered (hits or timeout)" 12 \
        "$(grep -Ec '^\{"ok":true.*"id":"[ws][0-9]"|"code":"timeout".*"id":"w' "$T/costly.$k")"
done
expect_match "after: still answers" '"pong":true' "$(ask '{"op":"ping"}')"
check "daemon still running" kill -0 $DPID
kill -TERM $DPID
wait $DPID
expect_eq "clean exit" 0 "$?"
DPID=
finish
