# repl-lib.sh: sourced by the replication tests (tests/replication/). A
# primary and a replica on loopback in the test's scratch directory, with
# Xapian's own replication tools: the primary's databases under $T/primary
# (served by xapian-replicate-server), the replica's copy in
# $T/replica/socasma.db (made by xapian-replicate), and a daemon on each
# (Unix sockets $T/p.sock and $T/r.sock, loopback ports from port 0).
# Skips (77) without xapian-replicate or xapian-replicate-server.
. "$top_srcdir/tests/lib/common.sh"
LC="$top_builddir/tests/server/lineclient"
LOAD="$top_builddir/tests/faults/loadclient"
D="${SOCASMA_SEARCHD_UNDER_TEST:-$SOCASMA_SEARCHD}"
for p in "$D" "$SOCASMA_INDEX" "$LC"; do
    [ -x "$p" ] || skip "no $p"
done
command -v xapian-replicate >/dev/null 2>&1 || skip "no xapian-replicate (Debian: xapian-tools)"
command -v xapian-replicate-server >/dev/null 2>&1 || skip "no xapian-replicate-server (Debian: xapian-tools)"
SAMPLE="$top_srcdir/index/sample/sample.jsonl"
[ -f "$SAMPLE" ] || skip "no sample archive"

# Every writer of the primary keeps changesets, as the units of
# conf/examples/replication/ set it: without them a replica gets a full
# copy each time.
XAPIAN_MAX_CHANGESETS=200
export XAPIAN_MAX_CHANGESETS
PDB="$T/primary/socasma.db"
RDB="$T/replica/socasma.db"
mkdir -p "$T/primary" "$T/replica"
PRIMARY_LABEL="primary.example.org:7700"

PPID_=
RPID=
SRVPID=
LOOPPID=
on_exit 'stop_all'
stop_all() {
    stop_replicate_loop
    for _p in $PPID_ $RPID; do kill "$_p" 2>/dev/null; done
    # xapian-replicate-server's SIGTERM handler signals its whole process
    # group, which is the test's: SIGKILL has no handler.
    [ -z "$SRVPID" ] || kill -KILL "$SRVPID" 2>/dev/null
    for _p in $PPID_ $RPID $SRVPID; do wait "$_p" 2>/dev/null; done
    PPID_= RPID= SRVPID=
}

# start_searchd NAME DB [SERVER_LINES]: a daemon on $T/NAME.sock and a
# loopback port (in $T/NAME.port), config $T/NAME.conf; its pid in
# $STARTED. Fails when it does not start.
start_searchd() {
    {
        echo "[index]"
        echo "database = $2"
        echo "[server]"
        echo "socket = $T/$1.sock"
        echo "threads = 2"
        printf '%s\n' "${3:-}"
    } >"$T/$1.conf"
    rm -f "$T/$1.port"
    "$D" --config "$T/$1.conf" --listen 127.0.0.1:0 --port-file "$T/$1.port" 2>>"$T/$1.err" &
    STARTED=$!
    _i=0
    while [ ! -s "$T/$1.port" ] || [ ! -S "$T/$1.sock" ]; do
        _i=$((_i + 1))
        if [ $_i -gt 400 ] || ! kill -0 "$STARTED" 2>/dev/null; then
            cat "$T/$1.err" >&2
            return 1
        fi
        sleep 0.05
    done
}
start_primary() { start_searchd p "$PDB" "${1:-}" && PPID_=$STARTED; }
start_replica() { start_searchd r "$RDB" "primary = $PRIMARY_LABEL
${1:-}" && RPID=$STARTED; }

# start_repl_server: xapian-replicate-server over $T/primary on a free
# loopback port ($RPORT). It has no port 0: a port is picked at random and
# another tried when it is taken (the server then exits at once).
start_repl_server() {
    _tries=0
    while [ $_tries -lt 30 ]; do
        _tries=$((_tries + 1))
        RPORT=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000 ))
        xapian-replicate-server -I 127.0.0.1 -p "$RPORT" "$T/primary" >>"$T/repl-server.log" 2>&1 &
        SRVPID=$!
        _i=0
        while [ $_i -lt 100 ]; do
            kill -0 "$SRVPID" 2>/dev/null || break
            if nc -z 127.0.0.1 "$RPORT" 2>/dev/null; then
                return 0
            fi
            _i=$((_i + 1))
            sleep 0.02
        done
        kill -KILL "$SRVPID" 2>/dev/null
        wait "$SRVPID" 2>/dev/null
        SRVPID=
    done
    cat "$T/repl-server.log" >&2
    return 1
}

# replicate_once: one pass of xapian-replicate (changesets, or a full copy
# when the primary has none that fits); its report in $T/replicate.log.
replicate_once() {
    xapian-replicate -h 127.0.0.1 -p "$RPORT" -m socasma.db -o -r 0 -v "$RDB" >>"$T/replicate.log" 2>&1
}
# start_replicate_loop: xapian-replicate as the replica's unit runs it,
# connecting every second, until stop_replicate_loop.
start_replicate_loop() {
    xapian-replicate -h 127.0.0.1 -p "$RPORT" -m socasma.db -i 1 -r 0 "$RDB" >>"$T/replicate.log" 2>&1 &
    LOOPPID=$!
}
stop_replicate_loop() {
    [ -n "$LOOPPID" ] || return 0
    kill "$LOOPPID" 2>/dev/null
    wait "$LOOPPID" 2>/dev/null
    LOOPPID=
}

# ask NAME REQUEST: one request on $T/NAME.sock; ask_tcp NAME REQUEST over TCP.
ask() { printf '%s\n' "$2" | "$LC" -U "$T/$1.sock"; }
ask_tcp() { printf '%s\n' "$2" | "$LC" -T "127.0.0.1:$(cat "$T/$1.port")"; }
# total NAME QUERY: the total of a search (0 for another word's hits: a
# correction or a completion).
total() {
    _a=$(ask "$1" "{\"op\":\"search\",\"q\":\"$2\",\"snippet\":0}")
    case $_a in
    *'"corrected":true'*|*'"completed":true'*) echo 0 ;;
    *) printf '%s' "$_a" | sed -n 's/^{"ok":true,"total":\([0-9]*\)[,}].*/\1/p' ;;
    esac
}
# ids NAME QUERY: the ids of the first 100 hits, in order, on one line.
ids() {
    ask "$1" "{\"op\":\"search\",\"q\":\"$2\",\"limit\":100,\"snippet\":0}" |
        grep -o '"id":"[^"]*"' | tr '\n' ' '
}
# post ID WORD: a JSON post with a word of its own in the title.
post() {
    printf '{"id":"%s","title":"%s replicated post","url":"https://example.org/%s/","date":"2024-05-06","lang":"en","categories":["Live"],"body":"A post about the residency program."}' \
        "$1" "$2" "$1"
}
# now_ms: milliseconds since the epoch.
now_ms() { date +%s%3N; }
# wait_total NAME QUERY N [SECONDS]: polls until the search's total is N;
# 0, or 1 after SECONDS (default 20).
wait_total() {
    _n=$(( ${4:-20} * 50 ))
    while [ "$_n" -gt 0 ]; do
        [ "$(total "$1" "$2")" = "$3" ] && return 0
        _n=$((_n - 1))
        sleep 0.02
    done
    return 1
}
# tree_sum DIR: a checksum of every file under DIR (names and bytes).
tree_sum() { (cd "$1" && find . -type f | LC_ALL=C sort | xargs cat | cksum; find . -type f | LC_ALL=C sort | cksum); }
