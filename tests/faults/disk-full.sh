# disk-full.sh: the disk fills during an import while the daemon serves
# the database and clients search it. Two ways: a file size limit
# (ulimit -f, "File too large"), always; and a real full file system, a
# small tmpfs mounted in a mount namespace of the test's own ("No space
# left on device"), where unshare(1) and mount are allowed (root, or a
# user namespace), else that part is skipped and says so. Each time, for an
# incremental --prune run and for a first import built in parallel: the
# indexer exits 4 with the database's message; the database is at its last
# commit (same revision, same posts, xapian-check passes); the daemon
# answered every search during the run from that commit and still does; no
# scratch file of the run is left; with room again, the run completes and
# the daemon serves the result.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/faults/faults-lib.sh"
command -v xapian-check >/dev/null 2>&1 || skip "no xapian-check (Debian: xapian-tools)"

gen_posts 1 20 >"$T/small.jsonl"
gen_posts 1 6000 grown >"$T/big.jsonl"
count_q=$(count_query paragraph)
printf '%s\n' "$count_q" >"$T/count.q"

# under_load DESC EXPECTED-TOTAL COMMAND...: runs COMMAND (the indexer)
# while two clients search; sets RC to its status and OUT to its messages;
# every search must have been answered with EXPECTED-TOTAL.
under_load() {
    _d=$1 _want=$2
    shift 2
    rm -f "$T/stop"
    "$LOAD" -U "$T/s" -f "$T/count.q" -c 2 -p 2 -S "$T/stop" -v >"$T/load.out" 2>"$T/load.err" &
    _l=$!
    OUT=$("$@" 2>&1)
    RC=$?
    sleep 0.4 # the daemon reopens every 200 ms: it answers after the run too
    touch "$T/stop"
    wait $_l
    _s=$(cat "$T/load.out")
    expect_eq "$_d: the daemon answered every search, from the last commit ($_want posts)" \
        "0 $_want" "$(summary_field failed "$_s") $(totals_in "$_s" | tr '\n' ' ' | sed 's/ $//')"
    [ -s "$T/load.err" ] && sed 's/^/  /' "$T/load.err" >&2
    return 0
}
consistent() { xapian-check "$1" >"$T/check.out" 2>&1 || { cat "$T/check.out" >&2; return 1; }; }

# incremental_case HOW MESSAGE-REGEX DIR LIMITED...: an incremental run in
# DIR/db, the indexer run as LIMITED... (a command prefix that makes the
# disk full).
incremental_case() {
    how=$1 msg=$2 dir=$3
    shift 3
    db="$dir/db"
    "$SOCASMA_INDEX" --db "$db" --quiet "$T/small.jsonl" || fail "$how: first run"
    start_daemon "$db"
    wait_for "$how: the daemon serves 20 posts" "$count_q" '^\{"ok":true,"total":20,'
    rev=$("$DBINFO" revision "$db")
    before=$(ls -A "$dir" "$db")

    # An incremental run (one writer, one transaction) with --prune.
    under_load "$how, incremental run" 20 "$@" "$SOCASMA_INDEX" --db "$db" --prune --quiet "$T/big.jsonl"
    expect_eq "$how, incremental run: exit 4" 4 "$RC"
    [ "$RC" = 4 ] || printf '%s\n' "$OUT" | head -n 60 >&2
    expect_match "$how, incremental run: the database's message" "db: .*$msg" "$OUT"
    expect_eq "$how, incremental run: the database at its last commit" "$rev 20" \
        "$("$DBINFO" revision "$db") $("$DBINFO" count "$db")"
    check "$how, incremental run: xapian-check passes" consistent "$db"
    expect_eq "$how, incremental run: no file left beside the database or in it" "$before" \
        "$(ls -A "$dir" "$db")"
    check "$how, incremental run: the daemon is running" daemon_alive
    stop_daemon
    expect_eq "$how, incremental run: the daemon stops cleanly" 0 "$DRC"
}

# build_case HOW MESSAGE-REGEX DIR LIMITED...: a first import built in
# parallel into DIR/new, an empty database the daemon serves: the chunks'
# scratch databases go.
build_case() {
    how=$1 msg=$2 dir=$3
    shift 3
    : >"$T/empty.jsonl"
    "$SOCASMA_INDEX" --db "$dir/new" --quiet "$T/empty.jsonl" || fail "$how: an empty database"
    start_daemon "$dir/new"
    wait_for "$how: the daemon serves the empty database" "$count_q" '^\{"ok":true,"total":0,'
    before=$(ls -A "$dir")
    under_load "$how, parallel build" 0 "$@" "$SOCASMA_INDEX" --db "$dir/new" --jobs 2 --quiet "$T/big.jsonl"
    expect_eq "$how, parallel build: exit 4" 4 "$RC"
    [ "$RC" = 4 ] || printf '%s\n' "$OUT" | head -n 60 >&2
    expect_match "$how, parallel build: the message" "new: .*$msg" "$OUT"
    check "$how, parallel build: no build directory left" test ! -e "$dir/new.socasma-build"
    # Beside the database nothing is left. Under a file size limit or on a
    # disk short of room the run takes one writer (src/store/run.c,
    # build_has_room), whose cancelled transaction may leave its tables'
    # files in the database (Xapian reuses them): only Xapian's own files.
    expect_eq "$how, parallel build: nothing else left" "$before" "$(ls -A "$dir")"
    expect_eq "$how, parallel build: only Xapian's files in the database" "" \
        "$(ls -A "$dir/new" | grep -Ev '^(flintlock|iamglass|[a-z]+\.glass)$')"
    expect_eq "$how, parallel build: the database still empty" 0 "$("$DBINFO" count "$dir/new")"
    check "$how, parallel build: xapian-check passes" consistent "$dir/new"
    stop_daemon
    expect_eq "$how, parallel build: the daemon stops cleanly" 0 "$DRC"
}

# with_room HOW DB [--prune]: with room again, the run completes and the
# daemon serves its result.
with_room() {
    how=$1 db=$2
    shift 2
    start_daemon "$db"
    "$SOCASMA_INDEX" --db "$db" "$@" --quiet "$T/big.jsonl"
    expect_eq "$how, with room: the run completes" "0 6000" "$? $("$DBINFO" count "$db")"
    check "$how, with room: xapian-check passes" consistent "$db"
    wait_for "$how, with room: the daemon serves it" "$count_q" '^\{"ok":true,"total":6000,'
    stop_daemon
}

if [ "${1:-}" = --tmpfs ]; then
    # Run again by the part below, in a mount namespace of its own: a
    # 3 MB tmpfs holds the 20 posts (about 100 kB), not the 6000 (8 MB).
    # One for each case: a failed run leaves the database's files grown by
    # the blocks of its cancelled transaction (Xapian reuses them at the
    # next run), so the first case leaves the disk full.
    # Xapian leaks a few kB inside a commit that fails on ENOSPC
    # (lsan.supp): not the project's leak, and it would turn exit 4 into 1.
    # (Full stacks, for the suppression to see the frame of commit().)
    LSAN_OPTIONS="suppressions=$top_srcdir/tests/faults/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0:handle_abort=1"
    export LSAN_OPTIONS ASAN_OPTIONS
    for c in incremental build; do
        mkdir "$T/$c"
        mount -t tmpfs -o size=3m socasma-test "$T/$c" || skip "cannot mount a tmpfs"
        ${c}_case "tmpfs full" "No space left on device" "$T/$c"
        echo "tmpfs use after the failed $c run: $(df -k "$T/$c" | awk 'NR == 2 { print $3 " of " $2 " kB" }')"
        mount -o remount,size=64m "$T/$c" || fail "grow the tmpfs"
    done
    with_room "tmpfs, incremental run" "$T/incremental/db" --prune
    with_room "tmpfs, parallel build" "$T/build/new"
    umount "$T/incremental" "$T/build" 2>/dev/null
    finish
fi

# 1024 blocks: 1 MB in bash, 512 kB in a POSIX sh; either is far below
# what 6000 posts need.
limited() { (ulimit -f 1024 && exec "$@"); }
mkdir "$T/lim"
incremental_case "ulimit -f" "File too large" "$T/lim" limited
build_case "ulimit -f" "File too large" "$T/lim" limited
with_room "ulimit -f, incremental run" "$T/lim/db" --prune
with_room "ulimit -f, parallel build" "$T/lim/new"

# The real thing: a full tmpfs.
if command -v unshare >/dev/null 2>&1 && unshare -m true 2>/dev/null; then
    unshare -m sh "$0" --tmpfs
    rc=$?
    if [ "$rc" -eq 77 ]; then echo "(tmpfs part skipped: mount not allowed)";
    else expect_eq "a full tmpfs: every check passed" 0 "$rc"; fi
else
    echo "(tmpfs part skipped: unshare -m not allowed here)"
fi
finish
