#!/bin/sh
# messages.sh: the messages that say what to do, of the four programs run
# for real: a mistyped flag gets "did you mean" and one line pointing at
# --help (not the whole usage); a missing database says where it was looked
# for and how to make one, without Xapian's class names; an unreachable
# daemon names the socket or address tried and asks whether socasma-searchd
# runs; a --format that a file contradicts names what the file looks like;
# a run that rejects every record exits 1 with one line of reason; the
# daemon logs its database, the signal that stopped it and the last
# revision, and what to do when its port is taken.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/ops/ops-lib.sh"
[ -x "$SOCASMA_INDEX" ] || skip "socasma-index is not built"
[ -x "$SOCASMA_SEARCH" ] || skip "socasma-search is not built"
[ -x "$SOCASMA_SEARCHD" ] || skip "socasma-searchd is not built"
REINDEX="$top_builddir/conf/socasma-reindex"
[ -f "$REINDEX" ] || skip "conf/socasma-reindex is not built"
# No config file unless a test names one (an installed one is skipped below).
unset SOCASMA_CONFIG
installed=$("$SOCASMA_SEARCH" --help | sed -n '/^Config file/{n;s/^ *//;p;}')

# lines TEXT: its number of lines
lines() { printf '%s\n' "$1" | wc -l | tr -d ' '; }
# no_usage DESC TEXT: the whole usage is not printed
no_usage() { case $2 in *Usage:*) fail "$1: the whole usage is printed";; *) pass "$1: no usage dump";; esac; }

# ---- an unknown flag, in all four programs --------------------------------
err=$("$SOCASMA_SEARCH" --sockte x.sock permis 2>&1 >/dev/null); rc=$?
expect_eq "search --sockte: exit 2" 2 "$rc"
expect_match "search --sockte: did you mean --socket" \
    "^socasma-search: unknown option '--sockte'; did you mean --socket\?$" "$err"
expect_match "search --sockte: points at --help" "^Try 'socasma-search --help'" "$err"
expect_eq "search --sockte: two lines" 2 "$(lines "$err")"
no_usage "search --sockte" "$err"

err=$("$SOCASMA_SEARCHD" --sokcet "$T/x.sock" 2>&1); rc=$?
expect_eq "searchd --sokcet: exit 2" 2 "$rc"
expect_match "searchd --sokcet: did you mean --socket" \
    "^socasma-searchd: unknown option '--sokcet'; did you mean --socket\?$" "$err"
expect_eq "searchd --sokcet: two lines" 2 "$(lines "$err")"
no_usage "searchd --sokcet" "$err"
err=$("$SOCASMA_SEARCHD" --prot-file "$T/p" 2>&1)
expect_match "searchd --prot-file: did you mean --port-file" "did you mean --port-file\?" "$err"

err=$("$SOCASMA_INDEX" --dryrun x.jsonl 2>&1); rc=$?
expect_eq "index --dryrun: exit 2" 2 "$rc"
expect_match "index --dryrun: did you mean --dry-run" \
    "^socasma-index: unknown option '--dryrun'; did you mean --dry-run\?$" "$err"
expect_match "index --dryrun: points at --help" "^Try 'socasma-index --help'" "$err"
expect_eq "index --dryrun: two lines" 2 "$(lines "$err")"
err=$("$SOCASMA_INDEX" -db "$T/db" x.jsonl 2>&1)
expect_match "index -db (one dash): did you mean --db" "did you mean --db\?" "$err"

err=$(sh "$REINDEX" --forse 2>&1); rc=$?
expect_eq "reindex --forse: exit 2" 2 "$rc"
expect_match "reindex --forse: did you mean --force" \
    "^socasma-reindex: unknown option '--forse'; did you mean --force\?$" "$err"
expect_eq "reindex --forse: two lines" 2 "$(lines "$err")"
no_usage "reindex --forse" "$err"

# Far from every option: no guess, still the pointer to --help.
err=$("$SOCASMA_SEARCH" --bogus permis 2>&1 >/dev/null)
expect_match "search --bogus: unknown" "^socasma-search: unknown option '--bogus'$" "$err"
expect_match "search --bogus: points at --help" "^Try 'socasma-search --help'" "$err"
err=$("$SOCASMA_SEARCH" --socket 2>&1 >/dev/null)
expect_match "search --socket without its value" "option '--socket' needs a value" "$err"
err=$("$SOCASMA_SEARCH" --s x 2>&1 >/dev/null)
expect_match "search --s: ambiguous, lists the options" \
    "option '--s' is ambiguous: .*--socket.*--stats" "$err"
err=$("$SOCASMA_SEARCH" --json=yes x 2>&1 >/dev/null)
expect_match "search --json=yes: takes no value" "option '--json' takes no value" "$err"

# ---- no database yet / a wrong --db -------------------------------------
cd "$T" || exit 99
if [ -e "$installed" ]; then
    echo "an installed config ($installed): the default path is not checked"
else
    err=$("$SOCASMA_SEARCH" permis 2>&1 >/dev/null); rc=$?
    expect_eq "no database (default path): exit 4" 4 "$rc"
    expect_match "no database: where it looked, and why that path" \
        "^socasma-search: no database at index/socasma.db \(the default: no --db, and no config file\)" "$err"
    expect_match "no database: how to make one" "socasma-index --db index/socasma.db SOURCE" "$err"
    expect_match "no database: make run" "make run" "$err"
    expect_match "no database: --db or --config" "--db DIR.*--config FILE" "$err"
    case $err in *Error*) fail "no database: a Xapian class name in [$err]";; *) pass "no database: no Xapian class name";; esac
fi

err=$("$SOCASMA_SEARCH" --db "$T/nowhere" permis 2>&1 >/dev/null); rc=$?
expect_eq "wrong --db: exit 4" 4 "$rc"
expect_match "wrong --db: names it and where it came from" \
    "no database at $T/nowhere \(from --db\)" "$err"
expect_match "wrong --db: how to make it" "socasma-index --db $T/nowhere SOURCE" "$err"
mkdir "$T/notdb" && echo x >"$T/notdb/file.txt"
err=$("$SOCASMA_SEARCH" --db "$T/notdb" permis 2>&1 >/dev/null)
expect_match "a directory that is not a database: says so" \
    "$T/notdb is not a search database" "$err"
printf '[index]\ndatabase = %s\n' "$T/confdb" >"$T/my.conf"
err=$("$SOCASMA_SEARCH" --config "$T/my.conf" permis 2>&1 >/dev/null)
expect_match "a database from the config: names the config" \
    "no database at $T/confdb \(from \[index\] database in $T/my.conf\)" "$err"
expect_match "a database from the config: make it with that config" \
    "socasma-index --config $T/my.conf SOURCE" "$err"
out=$("$SOCASMA_SEARCH" --db "$T/nowhere" --json permis 2>/dev/null); rc=$?
expect_eq "wrong --db with --json: exit 4" 4 "$rc"
expect_match "wrong --db with --json: an error answer" '"code": ?"unavailable"' "$out"

# The daemon without a database: it says where and how, and serves anyway;
# its error answer carries no Xapian class name.
"$SOCASMA_SEARCHD" --db "$T/nodb" --socket "$T/nodb.sock" 2>"$T/nodb.err" &
npid=$!
on_exit "kill $npid 2>/dev/null"
i=0; while [ $i -lt 200 ] && [ ! -S "$T/nodb.sock" ]; do sleep 0.05; i=$((i + 1)); done
expect_match "daemon without a database: where it looked" \
    "^socasma-searchd: no database at $T/nodb \(from --db\)" "$(cat "$T/nodb.err")"
expect_match "daemon without a database: how to make one" \
    "socasma-index --db $T/nodb SOURCE" "$(cat "$T/nodb.err")"
expect_match "daemon without a database: serves anyway" "serving anyway" "$(cat "$T/nodb.err")"
out=$("$SOCASMA_SEARCH" --socket "$T/nodb.sock" --json permis 2>/dev/null); rc=$?
expect_eq "daemon without a database: a search exits 4" 4 "$rc"
expect_match "daemon without a database: unavailable" '"code": ?"unavailable"' "$out"
# the path is for the daemon's log, not for its clients (issue 12)
case $out in *"$T/nodb"*) fail "daemon answer: names the path [$out]";; *) pass "daemon answer: no path";; esac
case $out in *Error:*) fail "daemon answer: a Xapian class name in [$out]";; *) pass "daemon answer: no Xapian class name";; esac
kill -TERM $npid; wait $npid
expect_match "daemon without a database: stop logged" \
    "^socasma-searchd: stopped by SIGTERM; database $T/nodb: none$" "$(cat "$T/nodb.err")"

# ---- the daemon not reachable ---------------------------------------------
err=$("$SOCASMA_SEARCH" --socket "$T/none.sock" permis 2>&1 >/dev/null); rc=$?
expect_eq "no daemon on the socket: exit 4" 4 "$rc"
expect_match "no daemon: names the socket and where it came from" \
    "^socasma-search: cannot reach the daemon at $T/none.sock \(from --socket\): No such file" "$err"
expect_match "no daemon: asks whether socasma-searchd runs" "is socasma-searchd running" "$err"
printf '[index]\ndatabase = %s\n[server]\nsocket = %s\n' "$T/db" "$T/right.sock" >"$T/sock.conf"
err=$("$SOCASMA_SEARCH" --config "$T/sock.conf" --socket "$T/wrong.sock" permis 2>&1 >/dev/null)
expect_match "no daemon: the config's own socket when it differs" \
    "the config $T/sock.conf has \[server\] socket = $T/right.sock" "$err"
# A socket file left by a daemon that is gone (killed with SIGKILL).
"$SOCASMA_SEARCHD" --db "$T/nodb" --socket "$T/stale.sock" 2>/dev/null &
kpid=$!
i=0; while [ $i -lt 200 ] && [ ! -S "$T/stale.sock" ]; do sleep 0.05; i=$((i + 1)); done
kill -KILL $kpid; wait $kpid 2>/dev/null
err=$("$SOCASMA_SEARCH" --socket "$T/stale.sock" permis 2>&1 >/dev/null); rc=$?
expect_eq "a stale socket: exit 4" 4 "$rc"
expect_match "a stale socket: names it" "cannot reach the daemon at $T/stale.sock \(from --socket\): Connection refused" "$err"
expect_match "a stale socket: says nothing listens on it" "is socasma-searchd running\? The socket file is there but nothing listens" "$err"
php_ok=0; command -v php >/dev/null 2>&1 && php_ok=1
if [ $php_ok = 1 ]; then
    port=$(free_port)
    err=$("$SOCASMA_SEARCH" --connect "127.0.0.1:$port" permis 2>&1 >/dev/null); rc=$?
    expect_eq "no daemon on TCP: exit 4" 4 "$rc"
    expect_match "no daemon on TCP: names the address" \
        "cannot reach the daemon at 127.0.0.1:$port \(from --connect\): Connection refused" "$err"
    expect_match "no daemon on TCP: asks whether socasma-searchd runs" "is socasma-searchd running" "$err"
fi

# ---- --format against the file ----------------------------------------------
err=$("$SOCASMA_INDEX" --db "$T/f1" --format wxr "$SAMPLE" 2>&1 >/dev/null); rc=$?
expect_eq "--format wxr on JSON Lines: exit 2" 2 "$rc"
expect_match "--format wxr on JSON Lines: names what it looks like" \
    "sample.jsonl looks like JSON Lines, not a WordPress export \(WXR\) as --format wxr says" "$err"
check "--format wxr on JSON Lines: no database made" test ! -e "$T/f1"
err=$("$SOCASMA_INDEX" --db "$T/f2" --format jsonl "$top_srcdir/index/sample/sample.wxr.xml" 2>&1 >/dev/null); rc=$?
expect_eq "--format jsonl on WXR: exit 2" 2 "$rc"
expect_match "--format jsonl on WXR: names what it looks like" \
    "sample.wxr.xml looks like a WordPress export \(WXR\), not JSON Lines as --format jsonl says" "$err"
gzip -c "$SAMPLE" >"$T/sample.jsonl.gz"
err=$("$SOCASMA_INDEX" --db "$T/f3" --format wxr "$T/sample.jsonl.gz" 2>&1 >/dev/null)
expect_match "--format wxr on gzip'ed JSON Lines: read through gzip" \
    "sample.jsonl.gz looks like JSON Lines" "$err"

# ---- every record rejected ------------------------------------------------
"$SOCASMA_INDEX" --db "$T/r1" "$top_srcdir/README.md" >"$T/r1.out" 2>"$T/r1.err"; rc=$?
expect_eq "README.md as input: exit 1 without --strict" 1 "$rc"
last=$(tail -n 1 "$T/r1.err")
nread=$(sed -n 's/^read \([0-9]*\),.*/\1/p' "$T/r1.out")
expect_match "README.md as input: one line of reason, counts that add up" \
    "^socasma-index: nothing indexed: every record was rejected \(${nread} of ${nread}\); .*README.md looks like plain text, not JSON Lines nor a WordPress export$" "$last"
expect_eq "README.md as input: the reason is one line" 1 "$(grep -c 'nothing indexed' "$T/r1.err")"
"$SOCASMA_INDEX" --db "$T/r1" --prune --dry-run "$top_srcdir/README.md" >/dev/null 2>&1
expect_eq "README.md as input, --prune --dry-run: exit 1" 1 "$?"
printf '<html><body><p>a page</p></body></html>\n' >"$T/page.html"
err=$("$SOCASMA_INDEX" --db "$T/r2" "$T/page.html" 2>&1 >/dev/null); rc=$?
expect_eq "an HTML page: exit 1" 1 "$rc"
expect_match "an HTML page: says what it looks like" "page.html looks like an HTML page" "$err"
# Some rejections: today's rules (exit 0, the good posts indexed).
{ head -n 3 "$SAMPLE"; echo 'not a record'; } >"$T/some.jsonl"
out=$("$SOCASMA_INDEX" --db "$T/r3" --json "$T/some.jsonl" 2>"$T/r3.err"); rc=$?
expect_eq "some records rejected: exit 0" 0 "$rc"
expect_match "some records rejected: 3 added, 1 rejected" '"added":3,.*"rejected":1' "$out"
case $(cat "$T/r3.err") in *"nothing indexed"*) fail "some rejected: no 'nothing indexed'";; *) pass "some rejected: no 'nothing indexed'";; esac
# Posts without an id, in JSON Lines: the first rejection is quoted.
printf '{"title":"a"}\n{"title":"b"}\n' >"$T/noid.jsonl"
err=$("$SOCASMA_INDEX" --db "$T/r4" "$T/noid.jsonl" 2>&1 >/dev/null); rc=$?
expect_eq "no record with an id: exit 1" 1 "$rc"
expect_match "no record with an id: quotes the first rejection" \
    "nothing indexed: every record was rejected \(2 of 2\); the first: .*noid.jsonl:1: " "$err"

# From a fifo (not sniffed: that would take what the run reads): the reason
# quotes the first rejection, and the run does not wait for a second writer.
if mkfifo "$T/fifo" 2>/dev/null; then
    cat "$top_srcdir/README.md" >"$T/fifo" &
    err=$(timeout 120 "$SOCASMA_INDEX" --db "$T/r5" "$T/fifo" 2>&1 >/dev/null); rc=$?
    expect_eq "README.md through a fifo: exit 1" 1 "$rc"
    expect_match "README.md through a fifo: quotes the first rejection" \
        "nothing indexed: every record was rejected \([0-9]+ of [0-9]+\); the first: .*fifo:1: " "$err"
fi

# socasma-reindex on an export of something else: refused, with the reason.
printf '[index]\ndatabase = %s\n[reindex]\nexport_command = cat %s\n' \
    "$T/re.db" "$top_srcdir/README.md" >"$T/re.conf"
SOCASMA_INDEX="$SOCASMA_INDEX" sh "$REINDEX" --config "$T/re.conf" 2>"$T/re.log"; rc=$?
expect_eq "reindex of a README: exit 1" 1 "$rc"
expect_match "reindex of a README: refuses, no post" "refusing: the export holds no post" "$(cat "$T/re.log")"
expect_match "reindex of a README: the indexer's reason in the log" \
    "nothing indexed: every record was rejected" "$(cat "$T/re.log")"

# ---- the daemon: its database, the signal that stopped it, a taken port ---
start_sample_daemon
# The socket is there before the daemon's "ready" line: wait for the line.
i=0; while [ $i -lt 200 ] && ! grep -q ready "$T/daemon.log"; do sleep 0.05; i=$((i + 1)); done
out=$("$SOCASMA_SEARCH" --socket "$SOCK" --stats)
rev=$(printf '%s\n' "$out" | sed -n 's/^revision: //p')
posts=$(printf '%s\n' "$out" | sed -n 's/^posts: //p')
expect_match "the daemon logs its database when it starts" \
    "^socasma-searchd: database $T/db: revision $rev, $posts posts$" "$(cat "$T/daemon.log")"
kill -INT "$DAEMON_PID"; wait "$DAEMON_PID"; DAEMON_PID=
expect_match "the daemon logs the signal that stops it" \
    "^socasma-searchd: SIGINT received: stopping" "$(cat "$T/daemon.log")"
expect_match "the daemon logs its last revision when it stops" \
    "^socasma-searchd: stopped by SIGINT; database $T/db: revision $rev, $posts posts$" \
    "$(cat "$T/daemon.log")"
# A revision made while it served is the one it logs at the stop.
"$SOCASMA_SEARCHD" --config "$T/daemon.conf" 2>"$T/d2.log" &
pid2=$!
on_exit "kill $pid2 2>/dev/null"
i=0; while [ $i -lt 200 ] && ! grep -q ready "$T/d2.log"; do sleep 0.05; i=$((i + 1)); done
head -n 2 "$SAMPLE" | sed 's/"id": *"[^"]*"/"id": "messages-extra"/' >"$T/extra.jsonl"
"$SOCASMA_INDEX" --config "$T/daemon.conf" --quiet "$T/extra.jsonl" >/dev/null 2>&1
newrev=$("$SOCASMA_SEARCH" --db "$T/db" --stats | sed -n 's/^revision: //p')
kill -TERM $pid2; wait $pid2
check "a new revision was made while it served" test "$newrev" -gt "$rev"
expect_match "the stop logs the new revision" \
    "^socasma-searchd: stopped by SIGTERM; database $T/db: revision $newrev, " "$(cat "$T/d2.log")"

if [ $php_ok = 1 ]; then
    "$SOCASMA_SEARCHD" --db "$T/db" --listen 127.0.0.1:0 --port-file "$T/port" 2>"$T/d3.log" &
    pid3=$!
    on_exit "kill $pid3 2>/dev/null"
    i=0; while [ $i -lt 200 ] && [ ! -s "$T/port" ]; do sleep 0.05; i=$((i + 1)); done
    port=$(cat "$T/port")
    err=$("$SOCASMA_SEARCHD" --db "$T/db" --listen "127.0.0.1:$port" 2>&1); rc=$?
    expect_eq "a taken port: exit 1" 1 "$rc"
    expect_match "a taken port: says so" "cannot listen on 127.0.0.1:$port: address already in use" "$err"
    expect_match "a taken port: how to move" "choose another address with --listen HOST:PORT" "$err"
    kill -TERM $pid3; wait $pid3
fi
finish
