#!/bin/sh
# local.sh: the sample archive split over 2 and 3 local shards by
# socasma-index --shard N/M. Every post lands in exactly one shard and the
# counts add up; a stub file of the shards answers as one database holding
# every post (the whole answer: counts, facets, spelling, the hits in their
# order with their scores and highlights; also the first 100 hits); a
# re-run with one post changed rewrites only its shard.
. "$top_srcdir/tests/shards/lib.sh"

"$SOCASMA_INDEX" --config "$T/conf" --quiet --db "$T/one" "$SAMPLE" || { fail "index one"; finish; }
make_shards 2
make_shards 3

posts() { "$SOCASMA_SEARCH" --json --db "$1" --stats | jq -r .posts; }
ids() { "$SOCASMA_SEARCH" --json --db "$1" --limit 100 --since 1900 '' | jq -r '.hits[].id'; }
ALL=$(posts "$T/one")
for m in 2 3; do
    sum=0; n=1; : >"$T/ids$m"
    while [ $n -le $m ]; do
        c=$(posts "$T/m$m/s$n")
        [ "$c" -gt 0 ] || fail "shard $n/$m is empty"
        sum=$((sum + c))
        ids "$T/m$m/s$n" >>"$T/ids$m"
        n=$((n + 1))
    done
    expect_eq "$m shards: the counts add up" "$ALL" "$sum"
    expect_eq "$m shards: every post in exactly one shard" "$(ids "$T/one" | sort | tr '\n' ' ')" \
        "$(sort "$T/ids$m" | tr '\n' ' ')"
    expect_eq "$m shards: the stub counts every post" "$ALL" "$(posts "$T/m$m.stub")"
    compare "$m shards" "$T/one" "$T/m$m.stub" content "$QUERIES"
    compare "$m shards, whole answers" "$T/one" "$T/m$m.stub" whole "$QUERIES"
done

# A post changed: only its shard is rewritten, the others are unchanged.
mkdir -p "$T/changed"
sed '3s/"title": *"/&Zorblaxian /' "$SAMPLE/sample.jsonl" >"$T/changed/sample.jsonl"
cp "$SAMPLE/sample.wxr.xml" "$T/changed/"
updated=""
n=1
while [ $n -le 3 ]; do
    out=$("$SOCASMA_INDEX" --config "$T/conf" --json --quiet --db "$T/m3/s$n" --shard "$n/3" --prune "$T/changed")
    u=$(printf '%s' "$out" | jq -r '.updated + .added + .deleted')
    [ "$u" -gt 0 ] && updated="$updated $n"
    n=$((n + 1))
done
expect_eq "one post changed: one shard rewritten" "1" "$(echo $updated | wc -w | tr -d ' ')"
expect_match "the changed post is found through the stub" '"total":1,' \
    "$("$SOCASMA_SEARCH" --json --db "$T/m3.stub" zorblaxian)"
expect_eq "prune per shard: nothing lost" "$ALL" "$(posts "$T/m3.stub")"

# A shard of another count: the wrong shard's posts are pruned from it,
# and bad --shard values are usage errors.
"$SOCASMA_INDEX" --quiet --db "$T/bad" --shard 0/3 "$SAMPLE" 2>/dev/null
expect_eq "--shard 0/3 is a usage error" 2 $?
"$SOCASMA_INDEX" --quiet --db "$T/bad" --shard 4/3 "$SAMPLE" 2>/dev/null
expect_eq "--shard 4/3 is a usage error" 2 $?

# The daemon follows its stub file: a shard added to it (the file edited
# in place) is searched within a reopen delay.
LC="$top_builddir/tests/server/lineclient"
if [ -x "$LC" ] && [ -x "$SOCASMA_SEARCHD" ]; then
    echo "auto m2/s1" >"$T/grow.stub"
    "$SOCASMA_SEARCHD" --db "$T/grow.stub" --socket "$T/s" --listen '' --threads 1 2>"$T/daemon.err" &
    DPID=$!
    on_exit 'kill $DPID 2>/dev/null'
    i=0
    while [ ! -S "$T/s" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
    ask() { printf '%s\n' "$1" | "$LC" -U "$T/s"; }
    one=$(ask '{"op":"stats"}' | jq -r .posts)
    expect_eq "daemon on one shard of two" "$(posts "$T/m2/s1")" "$one"
    sleep 1.1 # a new modification time, even on a coarse clock
    echo "auto m2/s2" >>"$T/grow.stub"
    n=0
    while [ $n -lt 50 ] && [ "$(ask '{"op":"stats"}' | jq -r .posts)" != "$ALL" ]; do
        sleep 0.1; n=$((n + 1))
    done
    expect_eq "stub edited in place: the added shard is searched" "$ALL" \
        "$(ask '{"op":"stats"}' | jq -r .posts)"
    kill $DPID
fi

# A bad stub line: a clear error naming the file and line.
printf 'auto m2/s1\nremote nowhere\n' >"$T/bad.stub"
err=$("$SOCASMA_SEARCH" --db "$T/bad.stub" permis 2>&1)
expect_match "bad stub line: FILE:LINE" 'bad\.stub:2: ' "$err"
finish
