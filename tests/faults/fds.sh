# fds.sh: file descriptors exhausted. The daemon runs under ulimit -n 128
# (soft and hard): it keeps descriptors for its database files and lowers
# its connection limits to what is left (said in its log). Four clients
# connect first and search all along (two on the Unix socket, two on TCP);
# then 150 more connect, one after another, on the Unix socket and then on
# TCP, and stay connected. The daemon takes exactly as many as its lowered
# limit; each one beyond is answered "overloaded" or closed, never left
# hanging; the four first clients go on getting answers all along, also
# through a reindex while every connection is taken (the workers open the
# new revision's files with the descriptors kept); when the 150 leave, the
# daemon accepts and answers again. Under a soft limit of 64 with a high
# hard one, the daemon raises the soft limit to what it needs.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/faults/faults-lib.sh"
DB="$T/db"
gen_posts 1 300 >"$T/a.jsonl"
gen_posts 1 400 again >"$T/b.jsonl"
"$SOCASMA_INDEX" --db "$DB" --quiet "$T/a.jsonl" || fail "index"
count_q=$(count_query paragraph)
printf '%s\n' "$count_q" '{"op":"suggest","q":"resid"}' '{"op":"ping"}' >"$T/load.q"

# The daemon with 128 descriptors at most.
rm -f "$T/port" "$T/s"
(ulimit -n 128 && exec "$D" --db "$DB" --socket "$T/s" --listen 127.0.0.1:0 --port-file "$T/port" \
    --threads 2 2>"$T/daemon.err") &
DPID=$!
i=0
while [ ! -s "$T/port" ] || [ ! -S "$T/s" ]; do
    i=$((i + 1))
    if [ $i -gt 400 ] || ! kill -0 "$DPID" 2>/dev/null; then
        cat "$T/daemon.err" >&2; fail "the daemon did not start"; DPID=; finish
    fi
    sleep 0.05
done
PORT=$(cat "$T/port")
expect_eq "the daemon runs with 128 descriptors" 128 \
    "$(sed -n 's/^Max open files *\([0-9]*\) .*/\1/p' "/proc/$DPID/limits" 2>/dev/null || echo 128)"
# "open files: warning: the limit (128, of which R kept ...) holds T TCP and U Unix socket connections"
lim=$(sed -n 's/.*open files: warning: the limit (128, of which \([0-9]*\) kept.*) holds \([0-9]*\) TCP and \([0-9]*\) Unix socket connections.*/\1 \2 \3/p' "$T/daemon.err")
set -- $lim
RES=${1:-0} MAXT=${2:-0} MAXU=${3:-0}
check "the daemon says which connection limits the descriptors allow ($lim)" test -n "$lim"
expect_eq "the reserve and the two limits use the 128 descriptors" 128 "$((RES + MAXT + MAXU))"
check "the daemon keeps descriptors for its databases (two workers, the writer)" test "$RES" -ge 30
wait_for "the daemon answers" "$count_q" '^\{"ok":true,"total":300,'

# The first clients: persistent connections, a request every 20 ms.
rm -f "$T/stop"
"$LOAD" -U "$T/s" -f "$T/load.q" -c 2 -p 20 -w 20000 -S "$T/stop" >"$T/first-u.out" 2>"$T/first-u.err" &
F1=$!
"$LOAD" -T "127.0.0.1:$PORT" -f "$T/load.q" -c 2 -p 20 -w 20000 -S "$T/stop" >"$T/first-t.out" 2>"$T/first-t.err" &
F2=$!
sleep 1

# hold WHERE ADDRESS FREE: 150 connections kept open; checks what they
# got: FREE of them taken (the listener's limit less the first clients').
hold() {
    # The output file is removed first: the shell truncates it in the
    # background child, and the wait below must not read the last call's.
    rm -f "$T/release" "$T/hold.out"
    "$LOAD" "$2" "$3" -H hold -c 150 -w 5000 -S "$T/release" >"$T/hold.out" 2>&1 &
    HPID=$!
    i=0
    while ! grep -q '^hold:' "$T/hold.out" 2>/dev/null; do
        i=$((i + 1))
        [ $i -lt 2400 ] || { fail "$1: the 150 connections took over 2 minutes"; break; }
        sleep 0.05
    done
    h=$(grep '^hold:' "$T/hold.out")
    echo "$1: $h"
    a=$(summary_field answered "$h") c=$(summary_field closed "$h")
    r=$(summary_field refused "$h") hung=$(summary_field hung "$h")
    expect_eq "$1: no connection left hanging" 0 "$hung"
    expect_eq "$1: each connection answered, closed or refused" 150 "$((a + c + r))"
    expect_eq "$1: the daemon took connections up to its limit" "$4" "$a"
    expect_eq "$1: the others were turned away" "$((150 - $4))" "$((c + r))"
    check "$1: meanwhile the daemon is running" daemon_alive
}
hold "150 more on the Unix socket" -U "$T/s" "$((MAXU - 2))"
# While every descriptor is taken: a reindex, which the workers must see
# (a reopen opens the new revision's files).
"$SOCASMA_INDEX" --db "$DB" --quiet "$T/b.jsonl" || fail "reindex"
sleep 1
touch "$T/release"
wait "$HPID"
wait_for "the 150 gone: the daemon accepts and answers again, from the new revision" \
    "$count_q" '^\{"ok":true,"total":400,'
hold "150 more on TCP" -T "127.0.0.1:$PORT" "$((MAXT - 2))"
touch "$T/release"
wait "$HPID"
wait_for "the 150 gone again: the daemon answers" "$count_q" '^\{"ok":true,"total":400,'
expect_match "and on TCP" '"pong":true' "$(printf '{"op":"ping"}\n' | "$LC" -T "127.0.0.1:$PORT")"

touch "$T/stop"
wait "$F1"
wait "$F2"
for f in first-u first-t; do
    s=$(cat "$T/$f.out")
    expect_eq "the first clients ($f) got every answer all along ($(summary_field requests "$s") requests)" \
        0 "$(summary_field failed "$s")"
    [ -s "$T/$f.err" ] && sed 's/^/  /' "$T/$f.err" >&2
done
check "the daemon is still running" daemon_alive
stop_daemon
expect_eq "the daemon stops cleanly" 0 "$DRC"
show_daemon_log_on_failure
grep -q 'ERROR: AddressSanitizer\|runtime error' "$T/daemon.err" && fail "sanitizer report: $(cat "$T/daemon.err")"

# A soft limit of 64 under a higher hard one: raised to what the
# configured connections and the reserve need.
rm -f "$T/s"
hard=$(ulimit -H -n)
if [ "$hard" = unlimited ] || [ "$hard" -ge 2200 ]; then
    (ulimit -S -n 64 && exec "$D" --db "$DB" --socket "$T/s" --threads 2 2>"$T/daemon2.err") &
    DPID=$!
    wait_for "a daemon started under a soft limit of 64 answers" "$count_q" '^\{"ok":true,"total":400,'
    soft=$(sed -n 's/^Max open files *\([0-9]*\) .*/\1/p' "/proc/$DPID/limits")
    check "its soft limit was raised above 1024 Unix connections and the reserve ($soft)" \
        test "${soft:-0}" -gt 1024
    expect_match "and its log says so" 'soft limit raised from 64 to' "$(cat "$T/daemon2.err")"
    stop_daemon
else
    echo "skip: the hard limit on open files ($hard) is too low to test raising the soft one"
fi
finish
