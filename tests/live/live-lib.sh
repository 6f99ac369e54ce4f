# live-lib.sh: sourced by the live index's tests (tests/live/). Starts the
# real daemon on a Unix socket and a loopback port (port 0) over a database
# in the test's scratch directory, with a config file of the test's
# [server] lines, and talks to it with tests/server/lineclient.
. "$top_srcdir/tests/lib/common.sh"
LC="$top_builddir/tests/server/lineclient"
LIVECLIENT="$top_builddir/tests/live/liveclient"
D="${SOCASMA_SEARCHD_UNDER_TEST:-$SOCASMA_SEARCHD}"
[ -x "$D" ] || skip "no $D"
[ -x "$LC" ] || skip "no $LC"
SAMPLE="$top_srcdir/index/sample/sample.jsonl"
[ -f "$SAMPLE" ] || skip "no sample archive"
DB="$T/db"
SOCK="$T/s"
DPID=
on_exit 'stop_daemon'

# start_daemon [SERVER_LINES]: a config with these extra [server] lines,
# then the daemon; waits for its socket and port file. Exit status of the
# daemon kept in $T/daemon.rc when it does not start.
start_daemon() {
    {
        echo "[index]"
        echo "database = $DB"
        echo "[server]"
        echo "socket = $SOCK"
        echo "threads = 2"
        printf '%s\n' "${1:-}"
    } >"$T/conf"
    rm -f "$T/port"
    "$D" --config "$T/conf" --listen 127.0.0.1:0 --port-file "$T/port" 2>>"$T/daemon.err" &
    DPID=$!
    i=0
    while [ ! -s "$T/port" ] || [ ! -S "$SOCK" ]; do
        if ! kill -0 "$DPID" 2>/dev/null; then
            wait "$DPID"; echo $? >"$T/daemon.rc"; DPID=
            return 1
        fi
        i=$((i + 1)); [ $i -lt 400 ] || { cat "$T/daemon.err" >&2; return 1; }
        sleep 0.05
    done
    PORT=$(cat "$T/port")
}
stop_daemon() {
    [ -n "$DPID" ] || return 0
    kill "$DPID" 2>/dev/null
    wait "$DPID" 2>/dev/null
    DPID=
}
# ask REQUEST: one request over the Unix socket; ask_tcp over TCP.
ask() { printf '%s\n' "$1" | "$LC" -U "$SOCK"; }
ask_tcp() { printf '%s\n' "$1" | "$LC" -T "127.0.0.1:$PORT"; }
# post ID WORD [EXTRA]: a JSON post with a word of its own in the title.
post() {
    printf '{"id":"%s","title":"%s live post","url":"https://example.org/%s/","date":"2024-05-06","lang":"en","categories":["Live"],"body":"A post about the residency program.%s"}' \
        "$1" "$2" "$1" "${3:-}"
}
# found WORD: the total of a search for WORD (0 when the hits are those of
# a spelling correction or a completion: another word's).
found() {
    _a=$(ask "{\"op\":\"search\",\"q\":\"$1\"}")
    case $_a in
    *'"corrected":true'*|*'"completed":true'*) echo 0 ;;
    *) printf '%s' "$_a" | sed -n 's/.*"total":\([0-9]*\).*/\1/p' ;;
    esac
}
# json_field JSON KEY: the number of KEY in a flat JSON object.
json_field() { printf '%s' "$1" | sed -n "s/.*\"$2\":\([0-9.]*\).*/\1/p"; }
