#!/bin/sh
# limits.sh: the daemon's configured limits and the socket's ownership, with
# the real socasma-searchd: socket mode and group from the config, an unknown
# group refused at start with its name, idle connections closed after
# idle_timeout, connections beyond max_unix_connections answered "overloaded",
# requests that waited longer than request_timeout answered "timeout", and a
# corrupted database answered "unavailable" until it is repaired. After each
# limit the daemon goes on answering.
. "$top_srcdir/tests/lib/common.sh"

LC="$top_builddir/tests/server/lineclient"
D="${SOCASMA_SEARCHD_UNDER_TEST:-$SOCASMA_SEARCHD}"
[ -x "$D" ] || skip "no $D"
[ -x "$SOCASMA_INDEX" ] || skip "no $SOCASMA_INDEX"
SAMPLE="$top_srcdir/index/sample/sample.jsonl"
[ -f "$SAMPLE" ] || skip "no sample archive"
command -v timeout >/dev/null 2>&1 || skip "no timeout(1)"
DB="$T/db"
"$SOCASMA_INDEX" --db "$DB" --quiet "$SAMPLE" || { fail "index the sample"; finish; }

# A group the daemon may give the socket to: any group when root, else one
# of ours other than the primary one (when there is none, the primary one).
GROUP=$(id -gn)
if [ "$(id -u)" = 0 ]; then
    for g in nogroup daemon; do getent group "$g" >/dev/null 2>&1 && { GROUP=$g; break; }; done
else
    for g in $(id -Gn); do [ "$g" = "$(id -gn)" ] || { GROUP=$g; break; }; done
fi

DPID=
on_exit 'kill $DPID 2>/dev/null'
# start CONF: starts the daemon with config CONF on $T/s; waits for the socket.
start() {
    rm -f "$T/s"
    "$D" --config "$1" --db "$DB" --socket "$T/s" --listen '' 2>"$T/daemon.err" &
    DPID=$!
    i=0
    while [ ! -S "$T/s" ]; do
        i=$((i + 1))
        if [ $i -gt 200 ] || ! kill -0 $DPID 2>/dev/null; then
            cat "$T/daemon.err" >&2; fail "daemon did not start"; finish
        fi
        sleep 0.05
    done
}
stop() { kill -TERM $DPID 2>/dev/null; wait $DPID 2>/dev/null; DPID=; }
ask() { printf '%s\n' "$1" | "$LC" -U "$T/s"; }

# ---- an unknown group: the daemon refuses to start and names the group
cat >"$T/bad.conf" <<EOC
[server]
socket_group = socasma-no-such-group
EOC
"$D" --config "$T/bad.conf" --db "$DB" --socket "$T/s" --listen '' 2>"$T/bad.err" &
BPID=$!
( sleep 10; kill $BPID 2>/dev/null ) &
WATCH=$!
wait $BPID; rc=$?
kill $WATCH 2>/dev/null
check "unknown socket group: exits non-zero" test "$rc" -ne 0 -a "$rc" -lt 128
check "unknown socket group: named in the error" grep -q 'socasma-no-such-group' "$T/bad.err"

# ---- mode, group, idle timeout
cat >"$T/conf" <<EOC
[server]
socket_mode = 0640
socket_group = $GROUP
idle_timeout = 300
EOC
start "$T/conf"
expect_eq "socket mode from the config" 640 "$(stat -c %a "$T/s")"
expect_eq "socket group from the config" "$GROUP" "$(stat -c %G "$T/s")"

# A client that connects and says nothing is closed after idle_timeout
# (300 ms): lineclient waits for one answer that never comes and ends only
# when the daemon closes the connection. The 20 s guard is far above it.
timeout 20 "$LC" -U "$T/s" -k 1 </dev/null >"$T/idle.out"
rc=$?
check "idle connection closed by the daemon" test "$rc" -ne 124
expect_eq "idle connection: no answer" "" "$(cat "$T/idle.out")"
stop

# ---- connection cap (of the Unix socket here), queue timeout (connections
# are never idle long enough here to be closed: the default idle_timeout;
# one connection may hand the worker 128 requests, to fill its queue)
cat >"$T/conf" <<EOC
[server]
max_unix_connections = 3
threads = 1
request_timeout = 10
connection_workers = 128
EOC
start "$T/conf"

# until DESC REGEX REQUEST: asks REQUEST on a new connection until the
# answer matches (200 tries); the last answer is in $out.
until_answer() {
    n=0
    while :; do
        out=$(ask "$3")
        printf '%s' "$out" | grep -Eq -- "$2" && return 0
        n=$((n + 1))
        [ $n -lt 200 ] || { fail "$1: last answer [$out]"; return 1; }
        sleep 0.05
    done
}

# Two silent connections, counted by the daemon itself: the connection
# that asks for the stats is the third, at max_unix_connections, and answered.
QUIET=
for n in 1 2; do
    timeout 300 "$LC" -U "$T/s" -k 1 </dev/null >/dev/null &
    QUIET="$QUIET $!"
done
until_answer "two silent connections and one asking" '"connections":3[,}]' '{"op":"stats"}' &&
    pass "a connection at max_unix_connections is answered"
# A third silent one fills max_unix_connections: a fourth is told "overloaded"
# and closed (asked until the third is in). The daemon counts a connection
# until it reads its end: on a busy machine the one that asked for the
# stats, closed by the client, may still count when the third connects,
# which is then turned away itself (its answer says so): it connects again.
third() {
    : >"$T/third.out"
    timeout 300 "$LC" -U "$T/s" -k 1 </dev/null >"$T/third.out" &
    QUIET="$QUIET $!"
}
third
n=0
while :; do
    out=$(ask '{"op":"ping"}')
    printf '%s' "$out" | grep -q '"code":"overloaded"' && break
    n=$((n + 1))
    [ $n -lt 200 ] || break
    grep -q '"code":"overloaded"' "$T/third.out" && third
    sleep 0.05
done
expect_match "beyond max_unix_connections: overloaded" '"code":"overloaded"' "$out"
kill $QUIET 2>/dev/null
wait $QUIET 2>/dev/null
until_answer "after the cap" '"pong":true' '{"op":"ping"}' && pass "after the cap: answers again"

# One worker and a 10 ms budget in the queue: among 500 pipelined searches
# the later ones waited longer than that and are answered "timeout"; all
# are answered, in order. (Each asks for every hit, long snippets and
# facets, so that the 128 requests the daemon holds at once take well over
# 10 ms even on a fast machine.)
i=0
while [ $i -lt 500 ]; do
    echo "{\"op\":\"search\",\"q\":\"residency licence permis médecine familiale equivalence exam match stage québec canada\",\"facets\":true,\"limit\":100,\"snippet\":100,\"id\":$i}"; i=$((i + 1))
done >"$T/many.in"
"$LC" -U "$T/s" <"$T/many.in" >"$T/many.out"
expect_eq "queue timeout: every request answered" 500 "$(wc -l <"$T/many.out" | tr -d ' ')"
check "queue timeout: some answers are timeout" grep -q '"code":"timeout"' "$T/many.out"
grep -o '"id":[0-9][0-9]*' "$T/many.out" | cut -d: -f2 >"$T/ids"
seq 0 499 >"$T/ids.want"
check "queue timeout: answers in order" cmp -s "$T/ids" "$T/ids.want"
expect_match "after timeouts: answers again" '"pong":true' "$(ask '{"op":"ping"}')"
stop

# ---- 256 KiB of random bytes, on several connections at once: every answer
# is a JSON object line, and the daemon goes on.
printf '[server]\nthreads = 2\n' >"$T/two.conf"
start "$T/two.conf"
head -c 262144 /dev/urandom >"$T/garbage"
"$LC" -U "$T/s" -c 4 <"$T/garbage" >"$T/garbage.out"
check "garbage: some answers" test -s "$T/garbage.out"
check "garbage: every answer is a JSON object" sh -c "! grep -avq '^{\"ok\":' '$T/garbage.out'"
expect_match "after garbage: answers again" '"pong":true' "$(ask '{"op":"ping"}')"
check "after garbage: still running" kill -0 $DPID
stop

# ---- a corrupted database: unavailable, the daemon goes on, then recovers
printf '[server]\nthreads = 1\n' >"$T/plain.conf"
start "$T/plain.conf"
expect_match "before corruption: found" '"ok":true,"total":[1-9]' "$(ask '{"op":"search","q":"residency"}')"
stop
cp -a "$DB" "$DB.good"
for f in "$DB"/*.glass; do
    head -c "$(stat -c %s "$f")" /dev/urandom >"$f.garbage" && mv "$f.garbage" "$f"
done
start "$T/plain.conf"
expect_match "corrupted database: unavailable" '"code":"unavailable"' "$(ask '{"op":"search","q":"residency"}')"
expect_match "corrupted database: ping still answered" '"pong":true' "$(ask '{"op":"ping"}')"
rm -rf "$DB" && mv "$DB.good" "$DB"
n=0
while :; do
    out=$(ask '{"op":"search","q":"residency"}')
    printf '%s' "$out" | grep -q '"ok":true,"total":[1-9]' && break
    n=$((n + 1))
    [ $n -lt 200 ] || break
    sleep 0.05
done
expect_match "repaired database: recovers by itself" '"ok":true,"total":[1-9]' "$out"
check "daemon still running" kill -0 $DPID
stop
finish
