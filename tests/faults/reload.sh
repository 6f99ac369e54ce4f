# reload.sh: SIGHUP and reindexing under load. Clients of every kind
# search and suggest all along (persistent and pipelined on the Unix
# socket, one connection per request on TCP) while the daemon gets 60
# SIGHUPs, each after a change of its config file (settings that make the
# workers build new engines, and the access log reopened), and the
# database goes through incremental runs of socasma-index, a first import
# swapped in, and socasma-reindex runs (export, checks, --prune). Not one
# valid request may fail; every run completes; the daemon then answers
# from the last one, and stops cleanly.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/faults/faults-lib.sh"
REINDEX="$top_builddir/conf/socasma-reindex"
[ -x "$REINDEX" ] || skip "conf/socasma-reindex is not built"
export SOCASMA_INDEX
DB="$T/db"
N=1000
gen_posts 1 $N >"$T/v0.jsonl"
"$SOCASMA_INDEX" --db "$DB" --quiet "$T/v0.jsonl" || fail "index"
: >"$T/empty.jsonl"

# conf SNIPPET_WORDS: the config file the daemon reloads.
conf() {
    cat >"$T/conf.tmp" <<EOC
[index]
database = $DB
[server]
access_log = $T/access.log
log_queries = yes
[search]
snippet_words = $1
max_limit = $((40 + $1))
[reindex]
export_command = cat $T/export.jsonl
prune_max_share = 0.5
EOC
    mv "$T/conf.tmp" "$T/conf"
}
conf 30
start_daemon "$DB" --config "$T/conf"
count_q=$(count_query paragraph)
wait_for "the daemon answers" "$count_q" "^\\{\"ok\":true,\"total\":$N,"

cat >"$T/load.q" <<'EOF'
{"op":"search","q":"paragraph","limit":5}
{"op":"search","q":"médecine familiale","limit":3,"snippet":12}
{"op":"search","q":"stage clinique -residency","lang":"fr"}
{"op":"search","q":"\"international medical graduate\"","limit":2}
{"op":"suggest","q":"resid"}
{"op":"suggest","q":"équiv"}
{"op":"search","q":"licence to practise","offset":5,"limit":5}
{"op":"ping"}
EOF
rm -f "$T/stop"
"$LOAD" -U "$T/s" -f "$T/load.q" -c 2 -m 4 -p 2 -S "$T/stop" >"$T/l1.out" 2>"$T/l1.err" &
L1=$!
"$LOAD" -U "$T/s" -f "$T/load.q" -c 1 -p 2 -S "$T/stop" >"$T/l2.out" 2>"$T/l2.err" &
L2=$!
"$LOAD" -T "127.0.0.1:$PORT" -f "$T/load.q" -c 1 -1 -p 2 -S "$T/stop" >"$T/l3.out" 2>"$T/l3.err" &
L3=$!

# 60 SIGHUPs, 50 ms apart, each after a change of the config, in a loop of
# their own while the runs below go on.
(
    i=0
    while [ $i -lt 60 ]; do
        conf $((10 + i % 20))
        kill -HUP "$DPID" || exit 1
        sleep 0.05
        i=$((i + 1))
    done
) &
HUPS=$!

# The runs: incremental ones (edits, additions), a socasma-reindex with
# pruning, a first import swapped in.
{ gen_posts 1 $((N / 2)) edit1; gen_posts $((N / 2 + 1)) $N; } >"$T/v1.jsonl"
"$SOCASMA_INDEX" --db "$DB" --quiet "$T/v1.jsonl"
expect_eq "an incremental run completes under load" 0 "$?"
{ gen_posts 1 $((N / 2)) edit2; gen_posts $((N / 2 + 1)) $((N + 300)); } >"$T/v2.jsonl"
"$SOCASMA_INDEX" --db "$DB" --quiet "$T/v2.jsonl"
expect_eq "a second incremental run completes under load" 0 "$?"
# socasma-reindex: the export is the posts 1..N (edited by edit3), so the
# prune deletes the 300 added above.
{ gen_posts 1 $((N / 2)) edit3; gen_posts $((N / 2 + 1)) $N; } >"$T/export.jsonl"
"$REINDEX" --config "$T/conf" 2>"$T/reindex.err"
rc=$?
expect_eq "socasma-reindex completes under load" 0 "$rc"
[ "$rc" = 0 ] || cat "$T/reindex.err" >&2
wait_for "the daemon answers from it" "$count_q" "^\\{\"ok\":true,\"total\":$N,"
# A first import into an empty database put in place, then built in
# parallel and swapped in.
"$SOCASMA_INDEX" --db "$T/fresh" --quiet "$T/empty.jsonl" || fail "an empty database"
rm -rf "$DB.old" && mv "$DB" "$DB.old" && mv "$T/fresh" "$DB"
"$SOCASMA_INDEX" --db "$DB" --jobs 2 --quiet "$T/v2.jsonl"
expect_eq "a first import completes under load" "0 $((N + 300))" "$? $("$DBINFO" count "$DB")"
wait "$HUPS"
expect_eq "60 SIGHUPs sent" 0 "$?"
wait_for "the daemon answers from the last run" "$count_q" "^\\{\"ok\":true,\"total\":$((N + 300)),"
touch "$T/stop"
wait "$L1"
wait "$L2"
wait "$L3"
total=0
for l in l1 l2 l3; do
    s=$(cat "$T/$l.out")
    echo "$l: $s"
    expect_eq "clients $l: no failed request" 0 "$(summary_field failed "$s")"
    [ -s "$T/$l.err" ] && sed 's/^/  /' "$T/$l.err" >&2
    total=$((total + $(summary_field ok "$s")))
done
check "requests were answered meanwhile ($total)" test "$total" -gt 100
# (Signals sent close together may arrive as one.)
n=$(grep -c 'configuration reloaded' "$T/daemon.err")
check "the config was reloaded ($n times for 60 SIGHUPs)" test "$n" -ge 1
check "the daemon is still running" daemon_alive
stop_daemon
expect_eq "the daemon stops cleanly" 0 "$DRC"
show_daemon_log_on_failure
finish
