#!/bin/sh
# remote.sh: shards served by real xapian-tcpsrv processes on loopback.
# A stub of "remote HOST:PORT" lines answers as one database (counts,
# facets, spelling and synonyms through the shards' exported copies, the
# hits with their highlights). Then the daemon serves it while clients
# search in a loop and one tcpsrv is killed: every request is answered,
# with "partial":true naming the missing shard, none fails or hangs; once
# the shard is back, the answers are full again. A shard that hangs
# (stopped) is left out after shard_timeout.
. "$top_srcdir/tests/shards/lib.sh"
command -v xapian-tcpsrv >/dev/null 2>&1 || skip "xapian-tcpsrv not installed (xapian-tools)"
LC="$top_builddir/tests/server/lineclient"
[ -x "$LC" ] && [ -x "$SOCASMA_SEARCHD" ] || skip "daemon or line client not built"

"$SOCASMA_INDEX" --config "$T/conf" --quiet --db "$T/one" "$SAMPLE" || { fail "index one"; finish; }
make_shards 2

# A free loopback port (xapian-tcpsrv has no port 0): the kernel's pick,
# tried again on a collision.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
        echo $((20000 + $$ % 20000 + $1))
}
# serve N: xapian-tcpsrv of shard N on port PORT$N (in its own session:
# it signals its process group when it stops).
serve() {
    tries=0
    while :; do
        eval "port=\${PORT$1:-}"
        [ -n "$port" ] || { port=$(free_port "$1"); eval "PORT$1=$port"; }
        setsid xapian-tcpsrv --interface 127.0.0.1 --port "$port" "$T/m2/s$1" >"$T/tcpsrv$1.log" 2>&1 &
        eval "TCP$1=\$!"
        i=0
        while [ $i -lt 100 ]; do
            grep -q "Listening" "$T/tcpsrv$1.log" 2>/dev/null && return 0
            eval "kill -0 \$TCP$1" 2>/dev/null || break
            sleep 0.05; i=$((i + 1))
        done
        tries=$((tries + 1))
        [ $tries -lt 5 ] || { fail "xapian-tcpsrv $1 did not start"; cat "$T/tcpsrv$1.log" >&2; return 1; }
        [ "${KEEP_PORT:-}" ] || eval "PORT$1="
        sleep 0.2
    done
}
serve 1 && serve 2 || finish
on_exit 'kill $TCP1 $TCP2 2>/dev/null'
printf 'remote 127.0.0.1:%s\nremote 127.0.0.1:%s\n' "$PORT1" "$PORT2" >"$T/remote.stub"

compare "remote shards" "$T/one" "$T/remote.stub" content "$QUERIES"

# The daemon on the remote shards; clients search in a loop meanwhile.
printf '[search]\nshard_timeout = 2000\n' >"$T/d.conf"
"$SOCASMA_SEARCHD" --config "$T/d.conf" --db "$T/remote.stub" --socket "$T/s" --listen '' --threads 2 \
    2>"$T/daemon.err" &
DPID=$!
on_exit 'kill $DPID 2>/dev/null'
i=0
while [ ! -S "$T/s" ]; do
    i=$((i + 1)); [ $i -lt 200 ] || { cat "$T/daemon.err" >&2; fail "daemon start"; finish; }
    sleep 0.05
done
ask() { printf '%s\n' "$1" | "$LC" -U "$T/s"; }
expect_match "full answer" '"ok":true,"total":18,' "$(ask '{"op":"search","q":"permis"}')"
expect_match "writes on shards: forbidden, saying why" '"code":"forbidden".*shard' \
    "$(ask '{"op":"delete","ids":["sample-001"]}')"
expect_match "no path in the stats" '"ok":true' "$(ask '{"op":"stats"}')"
case "$(ask '{"op":"stats"}')" in *"$T"*) fail "a path in the stats" ;; esac
i=0
while [ $i -lt 10 ]; do echo "{\"op\":\"search\",\"q\":\"permis $i\"}"; i=$((i + 1)); done >"$T/loop.in"
for c in 1 2; do
    ( while [ ! -e "$T/stop" ]; do "$LC" -U "$T/s" <"$T/loop.in"; done >"$T/loop$c.out" ) &
    eval "LOOP$c=\$!"
done
sleep 1
kill "$TCP2"; wait "$TCP2" 2>/dev/null
sleep 1.5
out=$(ask '{"op":"search","q":"permis","facets":true}')
expect_match "shard down: partial answer" '"partial":true' "$out"
expect_match "shard down: names it (no path)" "\"missing_shards\":\\[\"remote 127.0.0.1:$PORT2\"\\]" "$out"
KEEP_PORT=1 serve 2
# The missing shard is tried again after 1 s, then 2, 4, 8 s (each worker
# on its own): full answers again within about 8 s, every worker.
n=0; full=0
while [ $n -lt 100 ] && [ $full -lt 6 ]; do
    out=$(ask '{"op":"search","q":"permis"}')
    case "$out" in *'"ok":true,"total":18,'*) full=$((full + 1)) ;; *) full=0 ;; esac
    sleep 0.2; n=$((n + 1))
done
expect_eq "shard back: full answers again (6 in a row)" 6 "$full"
case "$out" in *missing_shards*) fail "shard back: still missing" ;; esac
touch "$T/stop"; wait $LOOP1 $LOOP2

# A shard that hangs (stopped, connections open) rather than dies: the
# answer comes after shard_timeout without it, never hangs.
on_exit 'kill -CONT -- "-$TCP2" 2>/dev/null'
kill -STOP -- "-$TCP2"
out=$(printf '%s\n' '{"op":"search","q":"permis"}' | timeout 30 "$LC" -U "$T/s")
expect_match "shard hung: partial answer, within the timeout" \
    "\"missing_shards\":\\[\"remote 127.0.0.1:$PORT2\"\\]" "$out"
kill -CONT -- "-$TCP2"
answers=$(cat "$T/loop1.out" "$T/loop2.out" | wc -l)
bad=$(cat "$T/loop1.out" "$T/loop2.out" | grep -vc '"ok":true')
partial=$(cat "$T/loop1.out" "$T/loop2.out" | grep -c '"missing_shards"')
echo "answers during the load: $answers, partial: $partial"
cat "$T/loop1.out" "$T/loop2.out" | grep -v '"ok":true' | head -3
[ "$bad" -eq 0 ] || grep -i 'unavail\|error' "$T/daemon.err" | head -5 >&2
[ "$answers" -gt 20 ] || fail "too few answers during the load ($answers)"
expect_eq "no failed request during the load" 0 "$bad"
finish
