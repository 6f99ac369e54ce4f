# kill.sh: kill -9 of a large import at random moments, 10 times. Each time
# the database opens and holds exactly a committed state (one run is one
# transaction), and the next run completes it.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/index/gen-posts.sh"
DBINFO="$top_builddir/tests/index/dbinfo"
db="$T/db"
# Two data sets: A (posts 1..3000) and B (1..2000 edited, 3001..3500; with
# --prune: 2500 posts). Runs alternate between them, so a killed run may
# leave either the state before it or the state after it, nothing else.
gen_posts 1 3000 >"$T/A.jsonl"
{ gen_posts 1 2000 edited; gen_posts 3001 3500; } >"$T/B.jsonl"

# How long a whole run takes here (sanitizers make it slow): the kills are
# spread over that time.
t0=$(date +%s%N)
"$SOCASMA_INDEX" --db "$T/timing" --quiet "$T/A.jsonl" || fail "timing run"
full_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
rm -rf "$T/timing"

state=0      # posts in the committed state before the run
prev=""      # the data set of that state ("" = empty database)
for i in 1 2 3 4 5 6 7 8 9 10; do
    if [ $((i % 2)) -eq 1 ]; then set_=A; target=3000; else set_=B; target=2500; fi
    delay=$(awk -v s="$i$$" -v ms="$full_ms" 'BEGIN { srand(s); printf "%.3f", rand() * ms * 1.1 / 1000 }')
    "$SOCASMA_INDEX" --db "$db" --prune --quiet "$T/$set_.jsonl" 2>/dev/null &
    pid=$!
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    n=$("$DBINFO" count "$db" 2>"$T/err"); rc=$?
    if [ "$rc" -ne 0 ] && [ "$state" -eq 0 ] && [ -z "$prev" ]; then
        # Killed before the database was first created: nothing to open yet.
        n=0
    elif [ "$rc" -ne 0 ]; then
        fail "kill $i (after ${delay}s): the database does not open: $(cat "$T/err")"
        continue
    fi
    # Exactly a committed state: the one before the run, or the one after.
    if [ "$n" = "$target" ]; then got=$set_; elif [ "$n" = "$state" ]; then got=$prev; else got=none; fi
    if [ "$got" = none ]; then
        fail "kill $i (after ${delay}s): $n posts, neither $state nor $target"
        continue
    fi
    if [ -n "$got" ]; then
        out=$("$SOCASMA_INDEX" --db "$db" --dry-run --prune --json "$T/$got.jsonl")
        expect_eq "kill $i (after ${delay}s): $n posts, exactly state $got" "$n 0 0 0" \
            "$(json_field "$out" unchanged) $(json_field "$out" added) $(json_field "$out" updated) $(json_field "$out" deleted)"
    else
        pass "kill $i (after ${delay}s): empty database"
    fi
    # The next run completes it.
    out=$("$SOCASMA_INDEX" --db "$db" --prune --json "$T/$set_.jsonl"); rc=$?
    expect_eq "kill $i: the next run completes" "0 $target" "$rc $("$DBINFO" count "$db")"
    state=$target
    prev=$set_
done
out=$("$SOCASMA_INDEX" --db "$db" --json "$T/B.jsonl")
expect_eq "final state is complete" 2500 "$(json_field "$out" unchanged)"
finish
