# ops-lib.sh: sourced by the tests of tests/ops after tests/lib/common.sh.
# start_sample_daemon: indexes the sample archive into $T/db and starts the
# real daemon on the Unix socket $SOCK (no TCP); skips (77) when the
# programs are not built. stop_daemon: SIGTERM and wait.
SAMPLE="$top_srcdir/index/sample/sample.jsonl"
SOCK="$T/s.sock"
DAEMON_PID=

start_sample_daemon() {
    [ -x "$SOCASMA_INDEX" ] || skip "socasma-index is not built"
    [ -x "$SOCASMA_SEARCHD" ] || skip "socasma-searchd is not built"
    printf '[index]\ndatabase = %s\n[server]\nsocket = %s\nlisten =\n' "$T/db" "$SOCK" >"$T/daemon.conf"
    "$SOCASMA_INDEX" --config "$T/daemon.conf" --quiet "$SAMPLE" >/dev/null 2>"$T/index.log" ||
        { cat "$T/index.log" >&2; echo "cannot index the sample" >&2; exit 99; }
    "$SOCASMA_SEARCHD" --config "$T/daemon.conf" --foreground 2>"$T/daemon.log" &
    DAEMON_PID=$!
    on_exit "kill $DAEMON_PID 2>/dev/null"
    i=0
    while [ $i -lt 200 ] && [ ! -S "$SOCK" ]; do
        kill -0 "$DAEMON_PID" 2>/dev/null || { cat "$T/daemon.log" >&2; echo "the daemon died" >&2; exit 99; }
        sleep 0.05
        i=$((i + 1))
    done
    [ -S "$SOCK" ] || { echo "the daemon did not listen" >&2; exit 99; }
}

stop_daemon() {
    [ -n "$DAEMON_PID" ] || return 0
    kill -TERM "$DAEMON_PID" 2>/dev/null
    wait "$DAEMON_PID"
    DAEMON_PID=
}

# A free loopback TCP port (asked of the kernel, then released).
free_port() {
    php -r '$s = stream_socket_server("tcp://127.0.0.1:0"); $n = stream_socket_get_name($s, false); echo substr($n, strrpos($n, ":") + 1);'
}
