#!/bin/sh
# stats.sh: the writer's figures in the stats op ("server":{"writer":...})
# add up on the real daemon: the writes answered ok and the posts and ids
# they named are counted, a refused write is not, the groups are between
# one and the number of writes, and the times are there (what bench/live
# reads for its commit breakdown).
. "$top_srcdir/tests/live/live-lib.sh"

start_daemon "lock_idle = 100" || { fail "daemon starts"; finish; }

# writer: the writer's object of the stats answer, without its braces
writer() { ask '{"op":"stats"}' | sed -n 's/.*"writer":{\(.*\)}}.*/\1/p'; }
expect_match "stats before any write: zeros" '^"groups":0,"writes":0,"changes":0,"queue_depth":0,' "$(writer)"

expect_match "put of one post" '"added":1,' "$(ask "{\"op\":\"put\",\"post\":$(post st-1 zorbalfa)}")"
expect_match "put of two posts" '"added":2,' \
    "$(ask "{\"op\":\"put\",\"posts\":[$(post st-2 zorbbravo),$(post st-3 zorbcharlie)]}")"
expect_match "bad put refused" '"code":"bad_request"' \
    "$(ask '{"op":"put","posts":[{"title":"no id"}]}')"
expect_match "delete of one present and one missing id" '"deleted":1,"missing":1,' \
    "$(ask '{"op":"delete","ids":["st-1","st-404"]}')"
expect_eq "the deleted post gone, the other two there" "0 1 1" "$(found zorbalfa) $(found zorbbravo) $(found zorbcharlie)"

w=$(writer)
expect_eq "writes answered ok: 3 (the refused one not counted)" 3 "$(json_field "$w" writes)"
expect_eq "posts and ids named: 1 + 2 + 2" 5 "$(json_field "$w" changes)"
g=$(json_field "$w" groups)
check "groups between 1 and the writes ($g)" test "${g:-0}" -ge 1 -a "${g:-0}" -le 3
expect_eq "nothing waits" 0 "$(json_field "$w" queue_depth)"
for t in write wait_searches apply company commit commit_cpu answer; do
    expect_match "time of $t given" "\"$t\":\\{\"p50\":[0-9.]+,\"p99\":[0-9.]+,\"max\":[0-9.]+\\}" "$w"
done
# a write's time (arrival to commit) holds its group's commit
wmax=$(printf '%s' "$w" | sed -n 's/.*"write":{"p50":[0-9.]*,"p99":[0-9.]*,"max":\([0-9.]*\)}.*/\1/p')
cmax=$(printf '%s' "$w" | sed -n 's/.*"commit":{"p50":[0-9.]*,"p99":[0-9.]*,"max":\([0-9.]*\)}.*/\1/p')
check "the longest write lasts at least the longest commit ($wmax >= $cmax)" \
    awk -v a="$wmax" -v b="$cmax" 'BEGIN { exit !(a + 0 >= b + 0 && b + 0 > 0) }'
# a commit's processor time is within its wall time
ccpu=$(printf '%s' "$w" | sed -n 's/.*"commit_cpu":{"p50":[0-9.]*,"p99":[0-9.]*,"max":\([0-9.]*\)}.*/\1/p')
check "the commits' processor time ($ccpu ms) is within their wall time ($cmax ms)" \
    awk -v a="$ccpu" -v b="$cmax" 'BEGIN { exit !(a + 0 <= b + 0.5) }'
finish
