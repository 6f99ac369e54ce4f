# faults-lib.sh: sourced by the fault tests (tests/faults/*.sh), after
# tests/lib/common.sh. The real daemon on a Unix socket in the test's
# scratch directory and a free loopback port, a one-request client, and a
# poll until an answer matches.
. "$top_srcdir/tests/index/gen-posts.sh"
LC="$top_builddir/tests/server/lineclient"
LOAD="$top_builddir/tests/faults/loadclient"
DBINFO="$top_builddir/tests/index/dbinfo"
D="${SOCASMA_SEARCHD_UNDER_TEST:-$SOCASMA_SEARCHD}"
for p in "$D" "$SOCASMA_INDEX" "$LC" "$LOAD" "$DBINFO"; do
    [ -x "$p" ] || skip "no $p"
done

DPID=
on_exit 'stop_daemon'
# start_daemon DB [ARGS...]: the daemon on $T/s and 127.0.0.1:$PORT, two
# workers, its messages in $T/daemon.err; waits until it listens.
start_daemon() {
    _db=$1
    shift
    rm -f "$T/port" "$T/s"
    "$D" --db "$_db" --socket "$T/s" --listen 127.0.0.1:0 --port-file "$T/port" \
        --threads 2 "$@" 2>>"$T/daemon.err" &
    DPID=$!
    _i=0
    while [ ! -s "$T/port" ] || [ ! -S "$T/s" ]; do
        _i=$((_i + 1))
        if [ $_i -gt 400 ] || ! kill -0 "$DPID" 2>/dev/null; then
            cat "$T/daemon.err" >&2
            fail "the daemon did not start"
            DPID=
            finish
        fi
        sleep 0.05
    done
    PORT=$(cat "$T/port")
}
# stop_daemon: SIGTERM, and its exit status in DRC (0 expected).
stop_daemon() {
    DRC=0
    [ -n "$DPID" ] || return 0
    kill -TERM "$DPID" 2>/dev/null
    wait "$DPID"
    DRC=$?
    DPID=
}
# show_daemon_log_on_failure: when a check failed, the daemon's last
# messages (the reloads' own left out), to tell why from the test's log.
show_daemon_log_on_failure() {
    [ "$_failures" -gt 0 ] && [ -s "$T/daemon.err" ] || return 0
    echo "the daemon's last messages:" >&2
    grep -v 'configuration reloaded$' "$T/daemon.err" | tail -n 30 | sed 's/^/  /' >&2
}
# daemon_alive: the daemon is still running (no crash).
daemon_alive() { [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; }
# ask REQUEST: one request on the Unix socket; prints the answer line.
ask() { printf '%s\n' "$1" | "$LC" -U "$T/s"; }
# total_of ANSWER: the "total" of a search answer.
total_of() { printf '%s' "$1" | sed -n 's/^{"ok":true,"total":\([0-9]*\)[,}].*/\1/p'; }
# count_query WORD: the request whose total is the number of posts holding
# WORD (totals are exact below 10,000).
count_query() { printf '{"op":"search","q":"%s","limit":1,"snippet":0}' "$1"; }
# wait_for DESC REQUEST REGEX [SECONDS]: asks until the answer matches
# (default 20 s); passes, or fails with the last answer.
wait_for() {
    _n=$(( ${4:-20} * 20 ))
    while [ "$_n" -gt 0 ]; do
        WAIT_OUT=$(ask "$2")
        if printf '%s' "$WAIT_OUT" | grep -Eq -- "$3"; then
            pass "$1"
            return 0
        fi
        _n=$((_n - 1))
        sleep 0.05
    done
    fail "$1: last answer [$WAIT_OUT]"
    return 1
}
# totals_in SUMMARY: the distinct totals a loadclient -v summary line saw,
# one a line.
totals_in() { printf '%s\n' "$1" | sed -n 's/.* totals=//p' | tr ',' '\n' | cut -d: -f1 | sed '/^$/d'; }
# summary_field NAME SUMMARY: a number of a loadclient summary line.
summary_field() { printf '%s\n' "$2" | awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }'; }
