#!/bin/sh
# daemon.sh: the real socasma-searchd on a Unix socket in a temporary
# directory and on a free loopback port: every op, pipelining and order,
# byte-at-a-time requests, bad input, many connections, vanishing and slow
# clients, SIGHUP, SIGTERM under load. Drives it with tests/server/lineclient.
. "$top_srcdir/tests/lib/common.sh"

LC="$top_builddir/tests/server/lineclient"
D="${SOCASMA_SEARCHD_UNDER_TEST:-$SOCASMA_SEARCHD}"
[ -x "$D" ] || skip "no $D"

# A database from the project's sample archive when the indexer can make one;
# otherwise the daemon runs without one and searches answer "unavailable".
DB="$T/db"
HAVE_DB=0
for f in "$top_srcdir"/index/sample/*.jsonl; do
    if [ -f "$f" ] && [ -x "$SOCASMA_INDEX" ] &&
       "$SOCASMA_INDEX" --db "$DB" --quiet "$f" >"$T/index.log" 2>&1; then
        HAVE_DB=1
    fi
    break
done

cat >"$T/conf" <<EOC
[server]
access_log = $T/access.log
log_queries = no
EOC
start_daemon() {
    rm -f "$T/port"
    "$D" --config "$T/conf" --db "$DB" --socket "$T/s" --listen 127.0.0.1:0 --port-file "$T/port" \
        --threads 2 --pid-file "$T/pid" "$@" 2>"$T/daemon.err" &
    DPID=$!
    i=0
    while [ ! -s "$T/port" ] || [ ! -S "$T/s" ]; do
        i=$((i + 1))
        if [ $i -gt 200 ] || ! kill -0 $DPID 2>/dev/null; then
            cat "$T/daemon.err" >&2
            echo "daemon did not start" >&2
            exit 1
        fi
        sleep 0.05
    done
    PORT=$(cat "$T/port")
}
start_daemon
on_exit 'kill $DPID 2>/dev/null'

u() { "$LC" -U "$T/s" "$@"; }
t() { "$LC" -T "127.0.0.1:$PORT" "$@"; }
# field FILTER: the first answer's value of a simple "key":value
first_code() { grep -o '"code":"[a-z_]*"' | head -n 1 | cut -d'"' -f4; }

# ---- ping, version, on both listeners
expect_match "ping (unix)" '^\{.*"pong":true' "$(printf '{"op":"ping"}\n' | u)"
expect_match "ping (tcp)" '^\{.*"pong":true' "$(printf '{"op":"ping","id":"a"}\n' | t)"
expect_match "id echoed" '"id":"a"' "$(printf '{"op":"ping","id":"a"}\n' | t)"
expect_match "version" '"protocol":2' "$(printf '{"op":"version","id":3}\n' | u)"
expect_eq "pid file" "$DPID" "$(cat "$T/pid")"
expect_match "says where it listens (unix)" "^socasma-searchd: listening on $T/s\$" "$(cat "$T/daemon.err")"
expect_match "says where it listens (tcp)" "^socasma-searchd: listening on 127.0.0.1 port $PORT\$" "$(cat "$T/daemon.err")"
expect_match "says it is ready" '^socasma-searchd: ready \(2 threads\)$' "$(cat "$T/daemon.err")"
expect_eq "socket mode 0660" "660" "$(stat -c %a "$T/s")"

# ---- the search ops
if [ $HAVE_DB = 1 ]; then
    expect_match "search" '^\{"ok":true.*"hits":\[' "$(printf '{"op":"search","q":"permis"}\n' | u)"
    expect_match "plain line search" '^\{"ok":true.*"hits":\[' "$(printf 'permis\n' | u)"
    expect_match "suggest" '"completions":\[' "$(printf '{"op":"suggest","q":"perm"}\n' | u)"
    expect_match "stats" '"posts":[1-9]' "$(printf '{"op":"stats"}\n' | u)"
    expect_match "doc not found" '"not_found"' "$(printf '{"op":"doc","doc_id":"no-such-post"}\n' | u)"
else
    echo "(no database: search ops must answer unavailable or ok)"
    expect_match "search" '^\{"ok":(true|false,"error":\{"code":"unavailable")' "$(printf '{"op":"search","q":"permis"}\n' | u)"
    expect_match "plain line search" '^\{"ok":' "$(printf 'permis\n' | u)"
    expect_match "suggest" '^\{"ok":' "$(printf '{"op":"suggest","q":"perm"}\n' | u)"
    expect_match "doc" '^\{"ok":' "$(printf '{"op":"doc","doc_id":"1"}\n' | u)"
fi
st=$(printf '{"op":"stats"}\n' | u)
expect_match "stats: server figures" '"server":\{.*"latency_ms":\{"p50":' "$st"
expect_match "stats: errors by code" '"errors":\{"bad_request":' "$st"

# ---- 1,000 requests pipelined on one connection: all answered, in order
i=0
: >"$T/pipe.in"
while [ $i -lt 1000 ]; do
    if [ $((i % 3)) = 0 ]; then
        echo "{\"op\":\"ping\",\"id\":$i}"
    else
        echo "{\"op\":\"search\",\"q\":\"permis $i\",\"id\":$i,\"limit\":2}"
    fi
    i=$((i + 1))
done >"$T/pipe.in"
u <"$T/pipe.in" >"$T/pipe.out"
expect_eq "1000 answers" 1000 "$(wc -l <"$T/pipe.out")"
grep -oE '"id":[0-9]+' "$T/pipe.out" | cut -d: -f2 >"$T/ids"
seq 0 999 >"$T/ids.want"
check "answers in request order" cmp -s "$T/ids" "$T/ids.want"
check "every answer is JSON" sh -c "! grep -v '^{\"ok\":' '$T/pipe.out'"

# ---- one byte at a time, \r\n line ends
out=$(printf '{"op":"ping","id":1}\r\n{"op":"version","id":2}\nping\n' | u -b)
expect_eq "byte at a time: 3 answers" 3 "$(printf '%s\n' "$out" | wc -l)"
expect_match "byte at a time: order" '"id":1.*' "$(printf '%s\n' "$out" | head -n 1)"
expect_match "byte at a time: order 2" '"id":2' "$(printf '%s\n' "$out" | sed -n 2p)"

# ---- bad input: each its error, and the connection goes on
bad() { # DESC EXPECTED-CODE INPUT-FILE
    out=$(u <"$3")
    expect_eq "$1: code" "$2" "$(printf '%s\n' "$out" | head -n 1 | first_code)"
    expect_match "$1: connection still usable" '"pong":true' "$(printf '%s\n' "$out" | sed -n 2p)"
}
printf 'caf\351 \377\376\n{"op":"ping"}\n' >"$T/b1"
bad "invalid UTF-8" bad_request "$T/b1"
printf '{"op":"search","q":"a\0b"}\n{"op":"ping"}\n' >"$T/b2"
bad "NUL byte in JSON" bad_request "$T/b2"
printf '{"op":"search",\n{"op":"ping"}\n' >"$T/b3"
bad "invalid JSON" bad_request "$T/b3"
printf '{"op":"frobnicate"}\n{"op":"ping"}\n' >"$T/b4"
bad "unknown op" bad_request "$T/b4"
printf '{"op":"search","q":"x","offset":-1}\n{"op":"ping"}\n' >"$T/b5"
bad "negative offset" bad_request "$T/b5"
printf '{"op":"search","q":42}\n{"op":"ping"}\n' >"$T/b6"
bad "wrong type" bad_request "$T/b6"
printf '[1,2]\n{"op":"ping"}\n' >"$T/b7"
expect_match "a line of JSON that is not an object is a plain search" '^\{"ok":' "$(u <"$T/b7" | head -n 1)"
printf '{"op":"search","q":"permis","limit":1000000000}\n' >"$T/b8"
out=$(u <"$T/b8")
if [ $HAVE_DB = 1 ]; then
    expect_match "limit 10^9: capped or refused" '"limit":100[,}]|"code":"bad_request"' "$out"
else
    expect_match "limit 10^9 answered" '^\{"ok":' "$out"
fi
printf 'plain NUL \0 byte\n{"op":"ping"}\n' >"$T/b9"
expect_match "NUL byte in a plain line: answered" '^\{"ok":' "$(u <"$T/b9" | head -n 1)"
head -c 1048576 /dev/zero | tr '\0' a >"$T/big"
echo >>"$T/big"
echo '{"op":"ping"}' >>"$T/big"
# (over TCP: a Unix socket that may write takes lines up to max_write_line)
out=$(t <"$T/big")
expect_eq "1 MiB line: too_long" too_long "$(printf '%s\n' "$out" | head -n 1 | first_code)"
expect_match "daemon alive after bad input" '"pong":true' "$(printf '{"op":"ping"}\n' | t)"

# ---- 200 connections at once
printf '{"op":"ping"}\n' | u -c 200 >"$T/c200"
expect_eq "200 connections answered" 200 "$(grep -c '"pong":true' "$T/c200")"

# ---- a client that vanishes mid-answer, many times
u -x 30 <"$T/pipe.in"
expect_match "after vanishing clients" '"pong":true' "$(printf '{"op":"ping"}\n' | u)"

# ---- a client with half a line does not delay the others
printf '{"op":"search","q":"hal' | u -k 1 >/dev/null &
HALF=$!
sleep 0.2
expect_match "others answered while a half line waits" '"pong":true' "$(printf '{"op":"ping"}\n' | t)"
kill $HALF 2>/dev/null
wait $HALF 2>/dev/null

# ---- the access log: one line per request, no query text by default
expect_match "access log: a line per request" ' (unix|127\.0\.0\.1) ping [0-9]+ [0-9.]+ ok$' "$(grep ' ping ' "$T/access.log" | head -n 1)"
expect_match "access log: error codes" ' bad_request$' "$(cat "$T/access.log")"
check "access log: no query text" sh -c "! grep -q 'permis' '$T/access.log'"

# ---- SIGHUP: reload (log_queries on), reopen the log, connections kept
mv "$T/access.log" "$T/access.log.1"
sed 's/log_queries = no/log_queries = yes/' "$T/conf" >"$T/conf.new" && mv "$T/conf.new" "$T/conf"
( printf '{"op":"ping","id":1}\n'; sleep 0.5; printf '{"op":"ping","id":2}\n' ) | u -k 2 >"$T/hup.out" &
HUPC=$!
sleep 0.2
kill -HUP $DPID
wait $HUPC
expect_eq "SIGHUP: connection kept" 2 "$(grep -c pong "$T/hup.out")"
check "SIGHUP: still running" kill -0 $DPID
printf 'permis\n' | u >/dev/null
check "SIGHUP: log reopened" test -s "$T/access.log"
check "SIGHUP: log_queries reloaded (the query as a JSON string)" grep -q 'q="permis"$' "$T/access.log"

# ---- SIGTERM under load: every request read is answered, exit 0
i=0
while [ $i -lt 150 ]; do echo "{\"op\":\"search\",\"q\":\"permis $i\",\"id\":$i}"; i=$((i + 1)); done >"$T/load.in"
u -k 150 <"$T/load.in" >"$T/load1.out" &
L1=$!
t -k 150 <"$T/load.in" >"$T/load2.out" &
L2=$!
sleep 0.3
kill -TERM $DPID
wait $DPID
rc=$?
wait $L1 $L2
expect_eq "SIGTERM: exit 0" 0 "$rc"
[ "$rc" = 0 ] || tail -n 30 "$T/daemon.err" >&2
expect_eq "SIGTERM: all read requests answered (unix)" 150 "$(grep -c '^{"ok":' "$T/load1.out")"
expect_eq "SIGTERM: all read requests answered (tcp)" 150 "$(grep -c '^{"ok":' "$T/load2.out")"
check "socket removed" test ! -e "$T/s"
check "pid file removed" test ! -e "$T/pid"

# ---- a full queue answers "overloaded" at once, in order, and goes on
# (threads that never spin: the rest of this test runs with the default;
# one connection may hand the workers 8 requests at once, to fill the queue)
printf '[server]\nqueue = 1\nspin = 0\naccess_log = -\nconnection_workers = 8\n' >"$T/conf1"
"$D" --config "$T/conf1" --db "$DB" --socket "$T/s1" --listen '' --threads 1 2>"$T/d1.err" &
D1=$!
i=0
while [ ! -S "$T/s1" ] && [ $i -lt 200 ]; do i=$((i + 1)); sleep 0.05; done
grep -v ping "$T/pipe.in" | "$LC" -U "$T/s1" >"$T/ov.out"
expect_eq "overload: every request answered" "$(grep -vc ping "$T/pipe.in")" "$(wc -l <"$T/ov.out")"
check "overload: some overloaded answers" grep -q '"code":"overloaded"' "$T/ov.out"
grep -oE '"id":[0-9]+' "$T/ov.out" | cut -d: -f2 >"$T/ov.ids"
grep -v ping "$T/pipe.in" | grep -oE '"id":[0-9]+' | cut -d: -f2 >"$T/ov.want"
check "overload: answers in order" cmp -s "$T/ov.ids" "$T/ov.want"
kill -TERM $D1
wait $D1
expect_eq "overload: clean exit" 0 "$?"
# access_log = -: the access lines on standard error, one per request
expect_eq "access log on stderr: a line per request" "$(wc -l <"$T/ov.out" | tr -d ' ')" \
    "$(grep -c ' unix search [0-9]* [0-9.]* ' "$T/d1.err")"
expect_eq "access log on stderr: the overloaded ones" "$(grep -c '"code":"overloaded"' "$T/ov.out")" \
    "$(grep -c ' unix search [0-9]* [0-9.]* overloaded$' "$T/d1.err")"

# ---- non-loopback refused without allow_remote: the daemon exits with a
# message instead of serving (a daemon that served would run until timeout)
timeout 60 "$D" --db "$DB" --listen 0.0.0.0:0 2>"$T/remote.err" >/dev/null
rc=$?
check "non-loopback address refused (exit $rc)" test "$rc" -ne 0 -a "$rc" -ne 124
expect_match "non-loopback address: says why" 'allow_remote' "$(cat "$T/remote.err")"
finish
