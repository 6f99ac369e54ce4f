#!/bin/sh
# balancer.sh: the TCP load balancers of conf/examples/balancer/ (nginx's
# stream module, HAProxy), as shipped but for their addresses, in front of
# two daemons on loopback (replicas: primary set). Two website clients
# (the example PHP client, which sends a request again when its
# connection closed without an answer) search through the balancer
# without a pause while one daemon is stopped (SIGTERM) and started
# again, then the other is killed (kill -9): no search fails, every
# answer holds the right hits, and both daemons served. The clients'
# latencies with both daemons up and through the failures are printed.
# Skips (77) without PHP, or without both nginx's stream module and
# HAProxy (each balancer is tested when it is installed).
. "$top_srcdir/tests/replication/repl-lib.sh"
. "$top_srcdir/tests/ops/ops-lib.sh"
command -v php >/dev/null 2>&1 || skip "no php (the example client)"
EX="$top_srcdir/conf/examples"
CLIENT="$EX/php/socasma-client.php"
LOADPHP="$top_srcdir/tests/replication/balancer-load.php"

NGINX=$(command -v nginx || echo /usr/sbin/nginx)
STREAM_MOD=
for m in /usr/lib/nginx/modules/ngx_stream_module.so /usr/share/nginx/modules/ngx_stream_module.so; do
    [ -f "$m" ] && { STREAM_MOD=$m; break; }
done
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)
balancers=
[ -x "$NGINX" ] && [ -n "$STREAM_MOD" ] && balancers="$balancers nginx"
[ -x "$HAPROXY" ] && balancers="$balancers haproxy"
[ -n "$balancers" ] || skip "neither nginx's stream module (libnginx-mod-stream) nor haproxy"

"$SOCASMA_INDEX" --quiet --db "$PDB" "$SAMPLE" || { fail "index the sample"; finish; }
RDB=$PDB # two daemons over one database: what they serve does not matter here
QUERY=permis

# daemon N: starts daemon N (a or b) on its port ($PORT_a, $PORT_b, fixed
# at the first start so that the balancer finds it again after a restart).
daemon() {
    _port=$(eval echo "\${PORT_$1:-}")
    [ -n "$_port" ] || { _port=$(free_port); eval "PORT_$1=$_port"; }
    {
        echo "[index]"
        echo "database = $PDB"
        echo "[server]"
        echo "socket ="
        echo "threads = 2"
        echo "primary = $PRIMARY_LABEL"
    } >"$T/$1.conf"
    "$D" --config "$T/$1.conf" --listen "127.0.0.1:$_port" 2>>"$T/$1.err" &
    eval "PID_$1=$!"
    _i=0
    until nc -z 127.0.0.1 "$_port" 2>/dev/null; do
        _i=$((_i + 1))
        [ $_i -lt 200 ] || { cat "$T/$1.err" >&2; return 1; }
        sleep 0.05
    done
}
requests_of() { printf '{"op":"stats"}\n' | "$LC" -T "127.0.0.1:$1" | sed -n 's/.*"server":{[^}]*"requests":\([0-9]*\).*/\1/p'; }

# balancer_conf NAME FILE: the shipped example with the daemons' and the
# balancer's addresses of this test.
balancer_conf() {
    sed -e "s/10\.0\.0\.11:7700/127.0.0.1:$PORT_a/" -e "s/10\.0\.0\.12:7700/127.0.0.1:$PORT_b/" \
        -e "s/127\.0\.0\.1:7700/127.0.0.1:$LB_PORT/" "$2"
}
BPID=
PID_a=
PID_b=
on_exit 'stop_balancer; kill $PID_a $PID_b 2>/dev/null'
stop_balancer() {
    [ -n "$BPID" ] || return 0
    kill "$BPID" 2>/dev/null
    wait "$BPID" 2>/dev/null
    BPID=
}
start_balancer() {
    LB_PORT=$(free_port)
    B="$T/$1"
    mkdir -p "$B"
    case $1 in
    nginx)
        balancer_conf nginx "$EX/balancer/nginx-stream.conf" >"$B/stream.conf"
        {
            [ "$(id -u)" = 0 ] && echo "user root;"
            echo "worker_processes 1;"
            echo "daemon off;"
            echo "pid $B/nginx.pid;"
            echo "error_log $B/error.log;"
            echo "load_module $STREAM_MOD;"
            echo "events { worker_connections 256; }"
            echo "include $B/stream.conf;"
        } >"$B/nginx.conf"
        "$NGINX" -t -p "$B" -c "$B/nginx.conf" -e "$B/error.log" >"$B/t.out" 2>&1 ||
            { cat "$B/t.out" >&2; return 1; }
        "$NGINX" -p "$B" -c "$B/nginx.conf" -e "$B/error.log" 2>>"$B/error.log" &
        BPID=$!
        ;;
    haproxy)
        balancer_conf haproxy "$EX/balancer/haproxy.cfg" >"$B/haproxy.cfg"
        "$HAPROXY" -c -f "$B/haproxy.cfg" >"$B/c.out" 2>&1 || { cat "$B/c.out" >&2; return 1; }
        "$HAPROXY" -db -f "$B/haproxy.cfg" >"$B/haproxy.log" 2>&1 &
        BPID=$!
        ;;
    esac
    _i=0
    until nc -z 127.0.0.1 "$LB_PORT" 2>/dev/null; do
        _i=$((_i + 1))
        kill -0 "$BPID" 2>/dev/null && [ $_i -lt 200 ] || { cat "$B"/*.log >&2; return 1; }
        sleep 0.05
    done
}
# load SECONDS_OR_STOPFILE: two clients through the balancer until the
# stop file exists; their summaries in $T/load.1 and $T/load.2.
start_load() {
    rm -f "$T/stop"
    for k in 1 2; do
        php "$LOADPHP" "$CLIENT" "127.0.0.1:$LB_PORT" "$QUERY" "$WANT" "$T/stop" >"$T/load.$k" 2>&1 &
        eval "LP_$k=$!"
    done
}
stop_load() {
    touch "$T/stop"
    wait "$LP_1"; _r1=$?
    wait "$LP_2"; _r2=$?
    return $((_r1 + _r2))
}
field() { awk -v k="$1" 'NR == 1 { for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' "$2"; }

daemon a || { fail "daemon a starts"; finish; }
daemon b || { fail "daemon b starts"; finish; }
WANT=$(printf '{"op":"search","q":"%s","limit":1}\n' "$QUERY" | "$LC" -T "127.0.0.1:$PORT_a" | sed -n 's/^{"ok":true,"total":\([0-9]*\),.*/\1/p')
[ "${WANT:-0}" -gt 0 ] || { fail "the query has hits"; finish; }

for bal in $balancers; do
    start_balancer $bal || { fail "$bal: starts with the example's config"; continue; }
    pass "$bal: the example's config is accepted and it listens"
    a0=$(requests_of "$PORT_a"); b0=$(requests_of "$PORT_b")

    # Both daemons up: the clients' usual latency.
    start_load
    sleep 2
    stop_load && pass "$bal: both up: no failure" || fail "$bal: both up: $(cat "$T/load.1" "$T/load.2")"
    base1=$(field p50 "$T/load.1"); base99=$(field p99 "$T/load.1")
    echo "$bal, both daemons up: $(head -n 1 "$T/load.1")"
    a1=$(requests_of "$PORT_a"); b1=$(requests_of "$PORT_b")
    [ $((a1 - a0)) -gt 10 ] && [ $((b1 - b0)) -gt 10 ] && pass "$bal: both daemons served ($((a1 - a0)), $((b1 - b0)))" ||
        fail "$bal: one daemon did not serve (a $((a1 - a0)), b $((b1 - b0)))"

    # One stopped (SIGTERM) and started again, then the other killed.
    start_load
    sleep 1
    eval kill -TERM "\$PID_a"; eval wait "\$PID_a"
    sleep 1.5
    daemon a || fail "$bal: daemon a starts again"
    sleep 3.5 # the balancer takes it back (nginx: fail_timeout; HAProxy: two pings)
    eval kill -KILL "\$PID_b"; eval wait "\$PID_b" 2>/dev/null
    sleep 1.5
    daemon b || fail "$bal: daemon b starts again"
    sleep 1
    if stop_load; then
        pass "$bal: a daemon stopped then one killed mid-load: no failed search"
    else
        fail "$bal: failed searches: $(cat "$T/load.1" "$T/load.2")"
    fi
    echo "$bal, through the stop and the kill: $(head -n 1 "$T/load.1") | $(head -n 1 "$T/load.2")"
    n=$(( $(field requests "$T/load.1") + $(field requests "$T/load.2") ))
    [ "$n" -gt 50 ] && pass "$bal: the clients searched all along ($n searches)" || fail "$bal: only $n searches"
    echo "$bal: p50 $base1 ms -> $(field p50 "$T/load.1") ms; p99 $base99 ms -> $(field p99 "$T/load.1") ms; max $(field max "$T/load.1") ms"
    stop_balancer
done
kill "$PID_a" "$PID_b" 2>/dev/null
wait "$PID_a" "$PID_b" 2>/dev/null
finish
