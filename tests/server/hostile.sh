#!/bin/sh
# hostile.sh: clients that try to hold the daemon's connections or memory,
# with the real socasma-searchd on a Unix socket and a loopback port:
# - slowloris: connections that send a byte now and then and never end
#   their line are closed after line_timeout (bytes do not restart it),
#   while a client that sends whole lines keeps its connection;
# - TCP connections up to max_connections do not lock the Unix socket
#   out, and one address gets at most max_connections_per_ip;
# - 100 connections that pipeline searches and never read keep the
#   daemon's memory (VmRSS) less than 100 MB above its idle size, are
#   closed after send_timeout, and the memory goes back when they leave.
. "$top_srcdir/tests/lib/common.sh"

LC="$top_builddir/tests/server/lineclient"
HC="$top_builddir/tests/server/hostile"
D="${SOCASMA_SEARCHD_UNDER_TEST:-$SOCASMA_SEARCHD}"
[ -x "$D" ] || skip "no $D"
[ -x "$HC" ] || skip "no $HC"
[ -x "$SOCASMA_INDEX" ] || skip "no $SOCASMA_INDEX"
SAMPLE="$top_srcdir/index/sample/sample.jsonl"
[ -f "$SAMPLE" ] || skip "no sample archive"
[ -r /proc/self/status ] || skip "no /proc"
command -v timeout >/dev/null 2>&1 || skip "no timeout(1)"
DB="$T/db"
"$SOCASMA_INDEX" --db "$DB" --quiet "$SAMPLE" || { fail "index the sample"; finish; }
# Under AddressSanitizer, freed memory is held in a quarantine (256 MB by
# default) that would hide the daemon's own figures: keep it small. (No
# effect on a build without sanitizers.)
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4:allocator_release_to_os_interval_ms=500"
export ASAN_OPTIONS

DPID=
BG=
on_exit 'kill $DPID $BG 2>/dev/null'
# start CONF: the daemon with CONF on $T/s and a loopback port ($PORT).
start() {
    rm -f "$T/s" "$T/port"
    "$D" --config "$1" --db "$DB" --socket "$T/s" --listen 127.0.0.1:0 --port-file "$T/port" \
        2>"$T/daemon.err" &
    DPID=$!
    i=0
    while [ ! -s "$T/port" ] || [ ! -S "$T/s" ]; do
        i=$((i + 1))
        if [ $i -gt 200 ] || ! kill -0 $DPID 2>/dev/null; then
            cat "$T/daemon.err" >&2; fail "daemon did not start"; finish
        fi
        sleep 0.05
    done
    PORT=$(cat "$T/port")
}
stop() { kill -TERM $DPID 2>/dev/null; wait $DPID 2>/dev/null; DPID=; }
ask() { printf '%s\n' "$1" | "$LC" -U "$T/s"; }
ask_tcp() { printf '%s\n' "$1" | "$LC" -T "127.0.0.1:$PORT"; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$DPID/status"; }
# until_answer DESC REGEX CMD...: runs CMD until its output matches (200
# tries); the last output is in $out.
until_answer() {
    d=$1 re=$2
    shift 2
    n=0
    while :; do
        out=$("$@")
        printf '%s' "$out" | grep -Eq -- "$re" && { pass "$d"; return 0; }
        n=$((n + 1))
        [ $n -lt 200 ] || { fail "$d: last answer [$out]"; return 1; }
        sleep 0.05
    done
}
# hold N tcp|unix: N silent connections in the background (pids in $BG).
hold() {
    k=0
    while [ $k -lt "$1" ]; do
        if [ "$2" = tcp ]; then
            timeout 60 "$LC" -T "127.0.0.1:$PORT" -k 1 </dev/null >/dev/null &
        else
            timeout 60 "$LC" -U "$T/s" -k 1 </dev/null >/dev/null &
        fi
        BG="$BG $!"
        k=$((k + 1))
    done
}
release() { kill $BG 2>/dev/null; wait $BG 2>/dev/null; BG=; }

# ---- slowloris: a byte every 200 ms, never a newline; line_timeout 1 s
cat >"$T/slow.conf" <<EOC
[server]
line_timeout = 1000
idle_timeout = 60000
EOC
start "$T/slow.conf"
# a well-behaved slow client: a whole line every 300 ms for 3 s
( i=0; while [ $i -lt 10 ]; do printf '{"op":"ping","id":%d}\n' $i; sleep 0.3; i=$((i + 1)); done ) |
    "$LC" -U "$T/s" -k 10 >"$T/slowok.out" &
SLOWOK=$!
# 20 s is far above line_timeout: the daemon closes them long before
"$HC" -U "$T/s" -n 5 -t 20 -i 200 dribble >"$T/dribble.unix"
"$HC" -T "127.0.0.1:$PORT" -n 5 -t 20 -i 200 dribble >"$T/dribble.tcp"
expect_eq "slowloris (unix): every connection closed" "closed 5" "$(cat "$T/dribble.unix")"
expect_eq "slowloris (tcp): every connection closed" "closed 5" "$(cat "$T/dribble.tcp")"
wait $SLOWOK
expect_eq "a slow client with whole lines: all answered" 10 "$(grep -c '"pong":true' "$T/slowok.out")"
expect_match "after slowloris: answers" '"pong":true' "$(ask '{"op":"ping"}')"
expect_match "after slowloris: stats count 1 connection" '"connections":1[,}]' "$(ask '{"op":"stats"}')"
stop

# ---- TCP full, the Unix socket still answers; one address limited
cat >"$T/conns.conf" <<EOC
[server]
max_connections = 4
max_unix_connections = 8
max_connections_per_ip = 64
EOC
start "$T/conns.conf"
hold 4 tcp
# counted by the daemon itself: the four, and the Unix one that asks
until_answer "TCP: four connections held" '"connections":5[,}]' ask '{"op":"stats"}'
until_answer "TCP: a fifth connection is overloaded" '"code":"overloaded"' ask_tcp '{"op":"ping"}'
expect_match "TCP full: the Unix socket answers" '"pong":true' "$(ask '{"op":"ping"}')"
expect_match "TCP full: the Unix socket searches" '"ok":true,"total":[1-9]' \
    "$(ask '{"op":"search","q":"residency"}')"
release
until_answer "TCP released: answers again" '"pong":true' ask_tcp '{"op":"ping"}'
stop
cat >"$T/perip.conf" <<EOC
[server]
max_connections = 100
max_connections_per_ip = 2
EOC
start "$T/perip.conf"
hold 2 tcp
until_answer "per address: two connections held" '"connections":3[,}]' ask '{"op":"stats"}'
until_answer "per address: a third connection is refused" \
    '"code":"overloaded","message":"too many connections from this address"' ask_tcp '{"op":"ping"}'
expect_match "per address: the Unix socket is not counted" '"pong":true' "$(ask '{"op":"ping"}')"
release
until_answer "per address: answers again once they leave" '"pong":true' ask_tcp '{"op":"ping"}'
stop

# ---- 100 clients that pipeline big answers and never read: pings (answered
# at once, each with its 12 KB id) and searches of long snippets
ID=$(head -c 12000 /dev/zero | tr '\0' x)
i=0
while [ $i -lt 100 ]; do
    echo "{\"op\":\"ping\",\"id\":\"$ID$i\"}"
    echo "{\"op\":\"search\",\"q\":\"residency licence\",\"limit\":100,\"snippet\":200,\"facets\":true,\"id\":\"$ID\"}"
    i=$((i + 1))
done >"$T/big.in"
cat >"$T/mem.conf" <<EOC
[server]
send_timeout = 600000
EOC
start "$T/mem.conf"
ask '{"op":"search","q":"residency","limit":100,"snippet":200}' >/dev/null
IDLE=$(rss_kb)
"$HC" -U "$T/s" -n 100 -t 12 -f "$T/big.in" noread >"$T/noread.out" &
NR=$!
BG="$BG $NR"
PEAK=$IDLE
k=0
while [ $k -lt 20 ]; do
    sleep 0.5
    r=$(rss_kb)
    [ "$r" -gt "$PEAK" ] && PEAK=$r
    k=$((k + 1))
done
# the daemon is still serving meanwhile
expect_match "never-reading clients: a search still answered" '"ok":true,"total":[1-9]' \
    "$(ask '{"op":"search","q":"residency"}')"
wait $NR
BG=
GROWTH=$(( (PEAK - IDLE) / 1024 ))
echo "idle VmRSS $IDLE kB, peak $PEAK kB, growth $GROWTH MB"
check "100 never-reading clients: VmRSS under 100 MB above idle (+$GROWTH MB)" test "$GROWTH" -lt 100
until_answer "they left: 1 connection counted" '"connections":1[,}]' ask '{"op":"stats"}'
sleep 1.5 # the heap is given back a second after they leave
AFTER=$(rss_kb)
echo "VmRSS after they left: $AFTER kB"
stop

# ---- send_timeout: clients that never read are closed
cat >"$T/send.conf" <<EOC
[server]
send_timeout = 1000
EOC
start "$T/send.conf"
"$HC" -U "$T/s" -n 10 -t 30 -f "$T/big.in" noread >"$T/closed.out"
expect_eq "send_timeout: every never-reading client closed" "closed 10" "$(cat "$T/closed.out")"
until_answer "send_timeout: 1 connection left" '"connections":1[,}]' ask '{"op":"stats"}'
stop
finish
