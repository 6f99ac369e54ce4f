#!/bin/sh
# instance.sh: a second daemon on the same socket, and what the daemon lets
# out, with the real socasma-searchd:
# - a second daemon started on the socket of a running one refuses to start
#   (exit 3, naming the running one's pid) and leaves its socket alone; a
#   stale socket (its daemon killed) is replaced; a path that is not a
#   socket is refused and kept;
# - with log_queries = yes, a query's newlines and control bytes are
#   escaped in the access log (one line per request, no raw escape byte);
# - "unavailable" answers and stats name neither the database's path nor
#   Xapian's message, which go to the daemon's log.
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

DPID=
on_exit 'kill $DPID 2>/dev/null'
# start ARGS...: starts the daemon on $T/s with ARGS; waits until it answers.
start() {
    "$D" --socket "$T/s" --listen '' "$@" 2>"$T/daemon.err" &
    DPID=$!
    i=0
    until printf '{"op":"ping"}\n' | "$LC" -U "$T/s" 2>/dev/null | grep -q pong; do
        i=$((i + 1))
        if [ $i -gt 200 ] || ! kill -0 $DPID 2>/dev/null; then
            cat "$T/daemon.err" >&2; fail "daemon did not start"; finish
        fi
        sleep 0.05
    done
}
stop() { kill -TERM $DPID 2>/dev/null; wait $DPID 2>/dev/null; DPID=; }
ask() { printf '%s\n' "$1" | "$LC" -U "$T/s"; }
# lacks DESC REGEX TEXT: TEXT must not match REGEX (case-insensitive).
lacks() { if printf '%s' "$3" | grep -Eqi -- "$2"; then fail "$1: [$3] matches /$2/"; else pass "$1"; fi; }

# ---- a second daemon on the same socket
start --db "$DB"
timeout 20 "$D" --db "$DB" --socket "$T/s" --listen '' 2>"$T/second.err"
rc=$?
expect_eq "second daemon: refused with exit 3" 3 "$rc"
check "second daemon: names the running one's pid" grep -q "pid $DPID" "$T/second.err"
check "second daemon: the socket is still there" test -S "$T/s"
expect_match "second daemon: the first still answers" '"pong":true' "$(ask '{"op":"ping"}')"
expect_match "second daemon: the first still searches" '"ok":true,"total":[1-9]' \
    "$(ask '{"op":"search","q":"residency"}')"
# a stale socket: its daemon killed (-9 leaves the file)
kill -KILL $DPID; wait $DPID 2>/dev/null; DPID=
check "killed daemon: its socket file is left" test -S "$T/s"
start --db "$DB"
expect_match "stale socket: replaced, the new daemon answers" '"pong":true' "$(ask '{"op":"ping"}')"
stop
# not a socket: refused, kept
echo keep >"$T/notsock"
timeout 20 "$D" --db "$DB" --socket "$T/notsock" --listen '' 2>"$T/notsock.err"
rc=$?
expect_eq "a file at the socket path: cannot start (exit 1)" 1 "$rc"
expect_eq "a file at the socket path: kept" keep "$(cat "$T/notsock")"
check "a file at the socket path: said so" grep -q 'not a socket' "$T/notsock.err"

# ---- the access log: a query's newline and control bytes escaped
cat >"$T/log.conf" <<EOC
[server]
access_log = $T/access.log
log_queries = yes
EOC
start --config "$T/log.conf" --db "$DB"
{
    printf '%s\n' '{"op":"search","q":"permis\n2030-01-01T00:00:00Z forged 0 0.000 ok","id":1}'
    printf '%s\n' '{"op":"search","q":"red \u001b[31malert\u001b[0m \u0007 \u009b6n","id":2}'
    printf 'plain\033]0;title\007 search\n'
} | "$LC" -U "$T/s" >"$T/log.out"
expect_eq "log: three answers" 3 "$(grep -c '"ok":' "$T/log.out")"
stop
expect_eq "log: one line per request" 3 "$(grep -c ' search ' "$T/access.log")"
check "log: no forged line" sh -c "! grep -q '^2030' '$T/access.log'"
check "log: the newline escaped" grep -q 'q="permis\\n2030' "$T/access.log"
check "log: no raw ESC or BEL byte" sh -c "! grep -q \"\$(printf '[\\033\\007]')\" '$T/access.log'"
check "log: ESC written as \\u001b" grep -q 'q="red \\u001b\[31malert' "$T/access.log"
check "log: C1 control (CSI) escaped" grep -q '\\u009b6n' "$T/access.log"
check "log: a plain line's control bytes escaped" grep -q 'q="plain\\u001b\]0;title\\u0007 search"' "$T/access.log"

# ---- unavailable: no path or library message in answers, both in the log
start --db "$T/secret-dir-name/db"
out=$(ask '{"op":"search","q":"residency","id":7}')
expect_match "missing database: unavailable" '"code":"unavailable"' "$out"
expect_match "missing database: the id kept" '"id":7' "$out"
lacks "missing database: the answer names no path" 'secret-dir-name|/db' "$out"
lacks "missing database: no Xapian message in the answer" 'xapian|no such file|stat|DatabaseOpening|DatabaseNotFound' "$out"
out=$(ask '{"op":"stats"}')
expect_match "missing database: stats still answered" '"ok":true' "$out"
expect_match "missing database: stats say unavailable" '"db_error":"unavailable"' "$out"
lacks "missing database: stats name no path" 'secret-dir-name|/db|stat' "$out"
stop
check "missing database: the path is in the daemon's log" grep -q 'secret-dir-name' "$T/daemon.err"
finish
