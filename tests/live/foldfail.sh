#!/bin/sh
# foldfail.sh: folds of the live delta that fail. The daemon runs under a
# file size limit (ulimit -f) just above the main database's largest file,
# so that its small delta and journal can be written but a fold cannot
# grow the main database ("File too large"). A failed fold must leave the
# main database as its last commit left it (the store opens its handle
# again after the cancelled transaction, and the writer pauses before the
# next fold): the daemon keeps running and answering searches, every
# acknowledged post is found, a write it cannot make is answered with an
# error, the main database passes xapian-check, and once restarted without
# the limit the daemon applies the journal: every acknowledged post is in
# the main database and the count adds up.
. "$top_srcdir/tests/live/live-lib.sh"
command -v xapian-check >/dev/null 2>&1 || skip "no xapian-check (Debian: xapian-tools)"

"$SOCASMA_INDEX" --db "$DB" --quiet "$SAMPLE" >/dev/null || { fail "sample indexed"; finish; }
largest=0
for f in "$DB"/*.glass; do
    n=$(wc -c <"$f")
    [ "$n" -gt "$largest" ] && largest=$n
done
blocks=$(((largest + 511) / 512))

# The daemon under the limit (SIGXFSZ ignored: a write past it fails).
REAL_D=$D
D="$T/limited-searchd"
printf '#!/bin/sh\nulimit -f %s || exit 99\nexec "%s" "$@"\n' "$blocks" "$REAL_D" >"$D"
chmod +x "$D"
start_daemon "lock_idle = 600000
fold_posts = 8
fold_ms = 3600000" || { fail "daemon starts under the limit"; finish; }
base=$(json_field "$(ask '{"op":"stats"}')" posts)
expect_match "the sample's posts counted" '^[1-9][0-9]*$' "$base"

acked= refused=0 other=
i=1
while [ $i -le 40 ]; do
    a=$(ask "{\"op\":\"put\",\"post\":$(post "ff-$i" "zfoldfail${i}q")}")
    case $a in
    *'"ok":true'*) acked="$acked $i" ;;
    *'"unavailable"'*) refused=$((refused + 1)) ;;
    *) other="$other [$i: $a]" ;;
    esac
    i=$((i + 1))
done
nacked=$(printf '%s\n' $acked | grep -c .)
expect_eq "every put acknowledged or refused as unavailable" "" "$other"
check "the daemon is still running" kill -0 "$DPID"
st=$(ask '{"op":"stats"}' | sed -n 's/.*"writer":{\(.*\)}}.*/\1/p')
fails=$(json_field "$st" fold_failures)
check "folds failed under the limit ($fails; $nacked puts acknowledged, $refused refused)" \
    test "${fails:-0}" -ge 1
expect_match "the log names the failed fold" 'could not be folded' "$(cat "$T/daemon.err")"
# Everything acknowledged is served (from the main database and the delta).
for k in $acked; do
    expect_eq "ff-$k found under the limit" 1 "$(found "zfoldfail${k}q")"
done
expect_eq "the count under the limit" $((base + nacked)) "$(json_field "$(ask '{"op":"stats"}')" posts)"
expect_match "a search of the sample still answered" '"ok":true' "$(ask '{"op":"search","q":"residency"}')"
stop_daemon
xapian-check "$DB" >"$T/check.out" 2>&1
rc=$?
[ $rc = 0 ] || cat "$T/check.out" >&2
expect_eq "the main database passes xapian-check after the failed folds" 0 "$rc"

# Without the limit: the journal applied, all in the main database.
D=$REAL_D
start_daemon "lock_idle = 600000" || { fail "daemon restarts without the limit"; finish; }
ask "{\"op\":\"put\",\"post\":$(post ff-last zfoldfaillastq)}" >/dev/null
for k in $acked; do
    expect_eq "ff-$k found after the restart" 1 "$(found "zfoldfail${k}q")"
done
expect_eq "the count after the restart" $((base + nacked + 1)) \
    "$(json_field "$(ask '{"op":"stats"}')" posts)"
stop_daemon
xapian-check "$DB" >"$T/check.out" 2>&1
rc=$?
[ $rc = 0 ] || cat "$T/check.out" >&2
expect_eq "the main database passes xapian-check at the end" 0 "$rc"
finish
