# make-run.sh: index/run.sh, what `make run` does: it indexes the sample
# archive, starts the daemon, says "ready" with queries to try, answers
# them, and stops cleanly on SIGTERM (Ctrl-C sends SIGINT to the same trap);
# when its port is taken it says how to choose another (make run PORT=...).
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/ops/ops-lib.sh"
[ -x "$SOCASMA_INDEX" ] || skip "socasma-index is not built"
[ -x "$SOCASMA_SEARCHD" ] || skip "socasma-searchd is not built"
[ -x "$SOCASMA_SEARCH" ] || skip "socasma-search is not built"
command -v php >/dev/null 2>&1 || skip "php-cli is not installed (used to find a free port)"

port=$(free_port)
SOCASMA_RUN_DIR="$T/run" SOCASMA_RUN_LISTEN="127.0.0.1:$port" \
    sh "$top_srcdir/index/run.sh" "$top_srcdir" "$top_builddir" >"$T/out" 2>"$T/err" &
pid=$!
on_exit "kill $pid 2>/dev/null"
i=0
while [ $i -lt 600 ] && ! grep -q '^ready' "$T/out" 2>/dev/null; do
    kill -0 $pid 2>/dev/null || break
    sleep 0.05; i=$((i + 1))
done
out=$(cat "$T/out")
expect_match "it says ready" "^ready: " "$out"
expect_match "it suggests nc on the socket" "printf 'permis\\\\n' \| nc -N -U $T/run/socasma.sock" "$out"
expect_match "it suggests socasma-search" "socasma-search --socket $T/run/socasma.sock" "$out"
check "the database is in the run directory" test -d "$T/run/socasma.db"
res=$("$SOCASMA_SEARCH" --socket "$T/run/socasma.sock" --json 'permis restrictif')
expect_match "the socket answers a search on the sample" '"total":[1-9]' "$res"
res=$("$SOCASMA_SEARCH" --connect "127.0.0.1:$port" --json 'residency')
expect_match "the TCP port answers too" '"total":[1-9]' "$res"
kill -TERM $pid
wait $pid; rc=$?
expect_eq "SIGTERM stops it with status 0" 0 "$rc"
expect_match "it says stopped" "stopped\.$" "$(cat "$T/out")"

# The port taken (Meilisearch uses 7700 too): a message that says how to
# move, and nothing indexed or started.
port=$(free_port)
php -r '$s = stream_socket_server("tcp://127.0.0.1:" . $argv[1]); sleep(30);' "$port" &
holder=$!
on_exit "kill $holder 2>/dev/null"
i=0; until nc -z 127.0.0.1 "$port" 2>/dev/null; do i=$((i + 1)); [ $i -lt 100 ] || break; sleep 0.05; done
SOCASMA_RUN_DIR="$T/run2" SOCASMA_RUN_LISTEN="127.0.0.1:$port" \
    sh "$top_srcdir/index/run.sh" "$top_srcdir" "$top_builddir" >"$T/out2" 2>"$T/err2"
expect_eq "a taken port: exit 1" 1 "$?"
expect_match "a taken port: it says so" "^make run: 127.0.0.1:$port is already in use" "$(cat "$T/err2")"
expect_match "a taken port: it says how to move" "make run PORT=$((port + 1))$" "$(cat "$T/err2")"
check "a taken port: nothing was indexed" test ! -d "$T/run2/socasma.db"
kill $holder 2>/dev/null
finish
