#!/bin/sh
# install.sh: `make install DESTDIR=...` from the build tree, then the
# installed programs, run from the DESTDIR copy: their --help and --version;
# the installed config they would read (the compiled-in path, printed by
# --help, is the installed file once DESTDIR is taken away) and its paths
# for an installed system, consistent with the systemd units and the cron
# entry; then the installed socasma-index indexes the sample archive with
# the installed config (and its glossary), the installed socasma-search
# searches it, the installed daemon serves it, and the installed
# socasma-reindex runs.
#
# Why a make from a test: `make install` is what a user runs, so it is what
# is tested. The test runs during `make check`, when every target `install`
# depends on is already built, so the inner make only copies files. It runs
# with make's variables (MAKEFLAGS, MAKELEVEL, ...) removed from its
# environment: it neither inherits the outer make's jobserver (which it
# would not be given) nor its command-line overrides (TESTS=...), so it is
# a plain `make install` of the same build tree. It works the same in
# `make distcheck`, whose build tree is writable and whose source tree is
# read-only: install writes only under DESTDIR.
# The configured directories come from the makefile (conf/local.mk) in
# SOCASMA_INSTALL_DIRS.
. "$top_srcdir/tests/lib/common.sh"

[ -n "${SOCASMA_INSTALL_DIRS:-}" ] || skip "run through make check (needs SOCASMA_INSTALL_DIRS)"
eval "$SOCASMA_INSTALL_DIRS"
for v in bindir pkgsysconfdir pkglocalstatedir systemdunitdir crondir mandir version; do
    eval "val=\${$v:-}"
    [ -n "$val" ] || { echo "SOCASMA_INSTALL_DIRS lacks $v" >&2; exit 99; }
done

DEST=$T/dest
make_prog=${SOCASMA_MAKE:-make}
# shellcheck disable=SC2086
env -u MAKEFLAGS -u MFLAGS -u GNUMAKEFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
    $make_prog -C "$top_builddir" install DESTDIR="$DEST" >"$T/install.log" 2>&1
rc=$?
expect_eq "make install DESTDIR=... exits 0" 0 "$rc"
[ $rc -eq 0 ] || { tail -n 30 "$T/install.log" >&2; finish; }

# ---- what is installed, where ----
for p in socasma-index socasma-search socasma-searchd socasma-reindex; do
    check "installed: $bindir/$p" test -x "$DEST$bindir/$p"
done
CONF=$DEST$pkgsysconfdir/socasma-search.conf
check "installed: the config $pkgsysconfdir/socasma-search.conf" test -f "$CONF"
check "installed: the glossary $pkgsysconfdir/synonyms.txt" test -s "$DEST$pkgsysconfdir/synonyms.txt"
for u in socasma-searchd.service socasma-reindex.service socasma-reindex.timer; do
    check "installed: $systemdunitdir/$u" test -f "$DEST$systemdunitdir/$u"
done
check "installed: $crondir/socasma-reindex" test -f "$DEST$crondir/socasma-reindex"
for m in man1/socasma-index.1 man1/socasma-search.1 man8/socasma-searchd.8 man8/socasma-reindex.8; do
    check "installed: $mandir/$m" test -f "$DEST$mandir/$m"
done
check "installed: the database directory $pkglocalstatedir" test -d "$DEST$pkglocalstatedir"
# Nothing left unsubstituted in what was generated at build time.
for f in "$CONF" "$DEST$bindir/socasma-reindex" "$DEST$systemdunitdir/socasma-searchd.service" \
         "$DEST$systemdunitdir/socasma-reindex.service" "$DEST$crondir/socasma-reindex"; do
    if grep -n '@[a-zA-Z_]*@' "$f" >/dev/null; then fail "$f holds an unsubstituted @variable@"
    else pass "substituted: ${f#"$DEST"}"; fi
done

# ---- --help and --version of each installed program ----
for p in socasma-index socasma-search socasma-searchd socasma-reindex; do
    out=$("$DEST$bindir/$p" --help 2>&1); rc=$?
    expect_eq "$p --help exits 0" 0 "$rc"
    expect_match "$p --help is a usage" "^Usage: $p " "$out"
    out=$("$DEST$bindir/$p" --version 2>&1); rc=$?
    expect_eq "$p --version exits 0" 0 "$rc"
    expect_match "$p --version says $version" "^$p .*$version" "$out"
done

# ---- the installed programs find the installed config ----
# Each program's --help names the file it reads when neither --config nor
# $SOCASMA_CONFIG is given: it must be the installed one.
installed_conf=$pkgsysconfdir/socasma-search.conf
for p in socasma-index socasma-search socasma-searchd; do
    named=$(env -u SOCASMA_CONFIG "$DEST$bindir/$p" --help | sed -n '/^Config file:/{n;s/^ *//;p;}')
    expect_eq "$p reads $installed_conf by default" "$installed_conf" "$named"
done
out=$("$DEST$bindir/socasma-reindex" --help)
expect_match "socasma-reindex reads $installed_conf by default" "else[[:space:]]+$installed_conf" "$(printf '%s' "$out" | tr '\n' ' ')"
if [ ! -e "$installed_conf" ]; then
    # Without the file (not installed on this machine), the error names it.
    out=$(env -u SOCASMA_CONFIG "$DEST$bindir/socasma-reindex" 2>&1); rc=$?
    expect_eq "socasma-reindex without its config: exit 2" 2 "$rc"
    expect_match "socasma-reindex names the missing $installed_conf" "cannot read the config file $installed_conf" "$out"
fi
# The units and the cron entry run the installed programs on that file.
unit=$DEST$systemdunitdir/socasma-searchd.service
runit=$DEST$systemdunitdir/socasma-reindex.service
expect_match "socasma-searchd.service runs the installed daemon on the installed config" \
    "^ExecStart=$bindir/socasma-searchd --config $installed_conf( |\$)" "$(grep '^ExecStart=' "$unit")"
expect_match "socasma-reindex.service runs the installed socasma-reindex on the installed config" \
    "^ExecStart=$bindir/socasma-reindex --config $installed_conf\$" "$(grep '^ExecStart=' "$runit")"
expect_match "the cron entry runs the installed socasma-reindex on the installed config" \
    " $bindir/socasma-reindex --config $installed_conf\$" "$(grep -v '^#' "$DEST$crondir/socasma-reindex" | grep socasma-reindex)"

# ---- the installed config's paths suit an installed system ----
conf_get() { # section key
    awk -v s="$1" -v k="$2" '
        /^[ \t]*[#;]/ { next }
        /^\[/ { sec = $0; gsub(/[][ \t]/, "", sec); next }
        sec == s { i = index($0, "="); if (!i) next
                   kk = substr($0, 1, i - 1); v = substr($0, i + 1)
                   gsub(/^[ \t]+|[ \t]+$/, "", kk); gsub(/^[ \t]+|[ \t]+$/, "", v)
                   if (kk == k) print v }' "$CONF"
}
db=$(conf_get index database)
sock=$(conf_get server socket)
glossary=$(conf_get index glossary)
expect_eq "config: the database is under $pkglocalstatedir" "$pkglocalstatedir/socasma.db" "$db"
expect_eq "config: the socket is under /run/socasma-search" "/run/socasma-search/socasma.sock" "$sock"
case $glossary in
/*) gpath=$glossary ;;
*) gpath=$pkgsysconfdir/$glossary ;; # relative: next to the config
esac
expect_eq "config: the glossary is the installed one" "$pkgsysconfdir/synonyms.txt" "$gpath"
expect_match "socasma-searchd.service makes /run/socasma-search (the socket's directory)" \
    '^RuntimeDirectory=socasma-search$' "$(grep '^RuntimeDirectory=' "$unit")"
expect_match "/run/socasma-search lets others reach the socket (its mode and group decide)" \
    '^RuntimeDirectoryMode=0755$' "$(grep '^RuntimeDirectoryMode=' "$unit")"
for u in "$unit" "$runit"; do
    expect_match "$(basename "$u") may write the database directory" \
        "^ReadWritePaths=(.* )?$pkglocalstatedir( |\$)" "$(grep '^ReadWritePaths=' "$u")"
done
# The units are valid for systemd, when this machine's systemd-analyze can
# check a unit offline (it checks that ExecStart= programs exist: point
# them into DESTDIR).
mkdir "$T/units"
printf '[Unit]\nDescription=probe\n[Service]\nType=oneshot\nExecStart=/bin/true\n' >"$T/units/probe.service"
if command -v systemd-analyze >/dev/null 2>&1 &&
   systemd-analyze verify --man=no "$T/units/probe.service" >/dev/null 2>&1; then
    for u in socasma-searchd.service socasma-reindex.service socasma-reindex.timer; do
        sed "s|$bindir/|$DEST$bindir/|g" "$DEST$systemdunitdir/$u" >"$T/units/$u"
    done
    out=$(cd "$T/units" && systemd-analyze verify --man=no socasma-searchd.service \
          socasma-reindex.service socasma-reindex.timer 2>&1); rc=$?
    # It only warns about some mistakes (a bad value is "ignoring"): any
    # output is a failure too.
    expect_eq "systemd-analyze verify accepts the units, silently" "0:" "$rc:$out"
else
    echo "note: systemd-analyze cannot verify units here; not checked"
fi

# ---- the installed programs at work, on the installed config ----
# --config points into DESTDIR (the compiled-in path is not where the file
# is); the database, socket and TCP address are flags, which override the
# file (the file's /run and $(localstatedir) are not ours to write here).
SAMPLE=$top_srcdir/index/sample/sample.jsonl
DB=$T/db
out=$("$DEST$bindir/socasma-index" --config "$CONF" --db "$DB" --json --quiet "$SAMPLE" 2>&1); rc=$?
expect_eq "installed socasma-index indexes the sample" 0 "$rc"
expect_match "installed socasma-index: 31 posts added" '"added": ?31' "$out"

S() { "$DEST$bindir/socasma-search" --config "$CONF" "$@"; }
out=$(S --db "$DB" --json --limit 50 'permis restrictif'); rc=$?
expect_eq "installed socasma-search finds 'permis restrictif'" 0 "$rc"
expect_match "installed socasma-search: sample-003 among the hits" '"id": ?"sample-003"' "$out"
# The glossary the installed config names was loaded by the indexer: an
# English acronym finds the French posts that only say DHCEU.
out=$(S --db "$DB" --json --limit 50 --lang fr 'IMG')
expect_match "installed glossary: IMG finds the French post on the DHCEU (sample-002)" '"id": ?"sample-002"' "$out"

# --stats (issue 5): posts, revision, time of the last index, languages, categories.
out=$(S --db "$DB" --stats); rc=$?
expect_eq "installed socasma-search --stats exits 0" 0 "$rc"
expect_match "--stats: posts" '^posts: 31$' "$out"
expect_match "--stats: revision" '^revision: [1-9][0-9]*$' "$out"
expect_match "--stats: last indexed" '^last indexed: [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' "$out"
expect_match "--stats: languages" '^languages: .*en \([1-9][0-9]*\).*$' "$out"
expect_match "--stats: languages (fr)" '^languages: .*fr \([1-9][0-9]*\)' "$out"
expect_match "--stats: categories" '^categories: .*Licensing \([1-9][0-9]*\)' "$out"

# The installed daemon, on the installed config, briefly.
DSOCK=$T/d.sock
"$DEST$bindir/socasma-searchd" --config "$CONF" --db "$DB" --socket "$DSOCK" --listen '' \
    --threads 2 --foreground 2>"$T/daemon.log" &
dpid=$!
on_exit "kill $dpid 2>/dev/null"
i=0
while [ $i -lt 200 ] && [ ! -S "$DSOCK" ] && kill -0 $dpid 2>/dev/null; do
    sleep 0.05
    i=$((i + 1))
done
check "installed socasma-searchd listens on the socket given by --socket" test -S "$DSOCK"
out=$(S --socket "$DSOCK" --json --limit 50 'équivalence'); rc=$?
expect_eq "installed socasma-search --socket: hits from the installed daemon" 0 "$rc"
expect_match "through the daemon: a hit" '"hits":\[\{"id"' "$out"
# stats (issue 6): uptime, requests, errors by code, latency percentiles,
# queue depth, connections, revision and post count.
out=$(S --socket "$DSOCK" --stats --json)
expect_match "daemon stats: posts and revision" '"posts":31,"revision":[1-9]' "$out"
expect_match "daemon stats: uptime" '"uptime_s":[0-9]' "$out"
expect_match "daemon stats: requests counted" '"requests":[1-9]' "$out"
expect_match "daemon stats: errors by code" '"errors":\{"bad_request":0,"too_long":0,"overloaded":0,"timeout":0,"unavailable":0,"internal":0' "$out"
expect_match "daemon stats: latency p50/p95/p99" '"latency_ms":\{"p50":[0-9.e+-]+,"p95":[0-9.e+-]+,"p99":[0-9.e+-]+\}' "$out"
expect_match "daemon stats: queue depth and connections" '"queue_depth":[0-9]+,"connections":[1-9]' "$out"
out=$(S --socket "$DSOCK" --stats)
expect_match "daemon stats, human: the daemon's figures" '^daemon: up [0-9]+ s, [1-9][0-9]* requests' "$out"
expect_match "daemon stats, human: latency" '^latency: p50 [0-9.]+ ms, p95 [0-9.]+ ms, p99 [0-9.]+ ms$' "$out"
kill -TERM $dpid
wait $dpid
expect_eq "installed socasma-searchd exits 0 on SIGTERM" 0 "$?"

# The installed socasma-reindex with a config of this test (the installed
# one has no export_command, as it should: the site must say how to export),
# running the installed indexer.
cat >"$T/reindex.conf" <<EOF
[index]
database = $DB
glossary = $DEST$pkgsysconfdir/synonyms.txt
[reindex]
export_command = cat '$SAMPLE'
EOF
out=$(SOCASMA_INDEX="$DEST$bindir/socasma-index" "$DEST$bindir/socasma-reindex" --config "$T/reindex.conf" 2>&1); rc=$?
expect_eq "installed socasma-reindex runs the export and the indexer" 0 "$rc"
expect_match "installed socasma-reindex: nothing to change" 'done: read 31, added 0, updated 0, unchanged 31, deleted 0' "$out"

finish
