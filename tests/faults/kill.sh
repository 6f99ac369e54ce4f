# kill.sh: kill -9 of socasma-index at 21 random moments, with the daemon
# serving the database and clients searching it all along: 7 rounds of a
# first import (built in parallel and swapped in), an incremental import
# (edits and additions) and a --prune run, each killed once and then run
# again. Every time: xapian-check passes on the database; every answer the
# daemon gave during the run and after the kill came from a committed
# revision (the number of posts, and of edited posts, is the one before the
# run or the one after it); the database holds exactly one of those two;
# the next run completes and leaves nothing behind; the daemon then answers
# from it. The delays are drawn from the process id and printed, so that a
# failing moment can be told.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/faults/faults-lib.sh"
command -v xapian-check >/dev/null 2>&1 || skip "no xapian-check (Debian: xapian-tools)"
DB="$T/db"
N=3000
# A: posts 1..N. B: A's first half edited (tag zqedit), N/4 new posts.
# C: B without A's second half (the --prune run deletes it).
gen_posts 1 "$N" >"$T/A.jsonl"
{ gen_posts 1 $((N / 2)) zqedit; gen_posts $((N + 1)) $((N + N / 4)); } >"$T/B.jsonl"
{ gen_posts 1 $((N / 2)) zqedit; gen_posts $((N + 1)) $((N + N / 4)); } >"$T/C.jsonl"
: >"$T/empty.jsonl"
n_A=$N
n_AB=$((N + N / 4))
n_C=$((N / 2 + N / 4))
count_q=$(count_query paragraph)
edit_q=$(count_query zqedit)
printf '%s\n' "$count_q" >"$T/count.q"
printf '%s\n' "$edit_q" >"$T/edit.q"

# How long each kind of run takes here (sanitizers, a busy machine): the
# kills are spread over that time.
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
t0=$(date +%s%N)
"$SOCASMA_INDEX" --db "$T/timing" --quiet "$T/A.jsonl" || fail "timing run A"
ms_first=$(ms_since "$t0")
t0=$(date +%s%N)
"$SOCASMA_INDEX" --db "$T/timing" --quiet "$T/B.jsonl" || fail "timing run B"
ms_incr=$(ms_since "$t0")
t0=$(date +%s%N)
"$SOCASMA_INDEX" --db "$T/timing" --prune --quiet "$T/C.jsonl" || fail "timing run C"
ms_prune=$(ms_since "$t0")
rm -rf "$T/timing"
echo "runs of $N posts take here: first import ${ms_first} ms, incremental ${ms_incr} ms, --prune ${ms_prune} ms"

# An empty database at $DB (a new one each round), the daemon on it.
fresh_empty() {
    rm -rf "$T/new-empty"
    "$SOCASMA_INDEX" --db "$T/new-empty" --quiet "$T/empty.jsonl" || fail "make an empty database"
    rm -rf "$DB"
    mv "$T/new-empty" "$DB"
}
fresh_empty
start_daemon "$DB"
wait_for "the daemon serves the empty database" "$count_q" '^\{"ok":true,"total":0,'

# allowed LIST VALUE: VALUE is one of the space-separated LIST.
allowed() { case " $1 " in *" $2 "*) return 0 ;; esac; return 1; }

# killed_run KILL KIND MSVAR FILE PRUNE OLD NEW OLD_EDITED NEW_EDITED: the
# run killed at a random moment of the milliseconds in variable MSVAR (the
# last such run's time: runs get faster as the caches warm up).
landed=0
killed_run() {
    kn=$1 kind=$2 msvar=$3 file=$4 prune=$5 old=$6 new=$7 old_e=$8 new_e=$9
    what="kill $kn ($kind)"
    eval "ms=\$$msvar"
    delay=$(awk -v s="$(($$ * 32 + kn))" -v ms="$ms" 'BEGIN { srand(s); rand(); printf "%.3f", rand() * ms / 1000 }')
    rm -f "$T/stop"
    "$LOAD" -U "$T/s" -f "$T/count.q" -S "$T/stop" -p 2 -v >"$T/load1.out" 2>"$T/load1.err" &
    l1=$!
    "$LOAD" -U "$T/s" -f "$T/edit.q" -S "$T/stop" -p 2 -v >"$T/load2.out" 2>"$T/load2.err" &
    l2=$!
    "$SOCASMA_INDEX" --db "$DB" $prune --quiet "$file" 2>/dev/null &
    ipid=$!
    sleep "$delay"
    kill -9 "$ipid" 2>/dev/null
    wait "$ipid" 2>/dev/null
    irc=$?
    if [ "$irc" -eq 137 ]; then when="killed during the run"; landed=$((landed + 1));
    else when="the run had ended ($irc)"; fi
    # The daemon reopens within 200 ms: let it answer after the kill too.
    sleep 0.4
    touch "$T/stop"
    wait "$l1"
    wait "$l2"
    s1=$(cat "$T/load1.out") s2=$(cat "$T/load2.out")
    expect_eq "$what, after ${delay}s, $when: every search answered ok" "0 0" \
        "$(summary_field failed "$s1") $(summary_field failed "$s2")"
    [ -s "$T/load1.err" ] && sed 's/^/  /' "$T/load1.err" "$T/load2.err" >&2
    bad=""
    for v in $(totals_in "$s1"); do allowed "$old $new" "$v" || bad="$bad $v"; done
    for v in $(totals_in "$s2"); do allowed "$old_e $new_e" "$v" || bad="$bad edited:$v"; done
    expect_eq "$what: the daemon answered from a committed revision ($old or $new posts; $(summary_field requests "$s1") searches)" "" "$bad"
    if xapian-check "$DB" >"$T/check.out" 2>&1; then pass "$what: xapian-check passes"; else
        fail "$what: xapian-check fails"; cat "$T/check.out" >&2; fi
    n=$("$DBINFO" count "$DB" 2>&1)
    e=$(total_of "$(ask "$edit_q")")
    if allowed "$old $new" "$n"; then pass "$what: the database holds $n posts"; else fail "$what: the database holds [$n] posts, neither $old nor $new"; fi
    expect_eq "$what: the edited posts are all there or none" "yes" \
        "$(if { [ "$n" = "$old" ] && [ "$e" = "$old_e" ]; } || { [ "$n" = "$new" ] && [ "$e" = "$new_e" ]; }; then echo yes; else echo "no ($n posts, $e edited)"; fi)"
    # The next run completes, and leaves no scratch database behind.
    t0=$(date +%s%N)
    "$SOCASMA_INDEX" --db "$DB" $prune --quiet "$file"
    expect_eq "$what: the next run completes" "0 $new" "$? $("$DBINFO" count "$DB")"
    [ "$irc" -ne 137 ] || eval "$msvar=$(ms_since "$t0")"
    check "$what: no build directory left" test ! -e "$DB.socasma-build"
    wait_for "$what: the daemon answers from the completed run" "$count_q" "^\\{\"ok\":true,\"total\":$new,"
}

round=1
while [ $round -le 7 ]; do
    if [ $round -gt 1 ]; then
        fresh_empty
        wait_for "round $round: the daemon serves a new empty database" "$count_q" '^\{"ok":true,"total":0,'
    fi
    k=$((round * 3 - 2))
    killed_run $k "first import" ms_first "$T/A.jsonl" "" 0 $n_A 0 0
    killed_run $((k + 1)) "incremental import" ms_incr "$T/B.jsonl" "" $n_A $n_AB 0 $((N / 2))
    killed_run $((k + 2)) "--prune run" ms_prune "$T/C.jsonl" --prune $n_AB $n_C $((N / 2)) $((N / 2))
    round=$((round + 1))
done
echo "$landed of 21 kills landed during a run (the others just after its end)"
check "the daemon is still running" daemon_alive
stop_daemon
expect_eq "the daemon stops cleanly" 0 "$DRC"
finish
