# db-swap.sh: the database directory removed, replaced or made unreadable
# under the running daemon, while clients search all along. Each time the
# daemon answers "unavailable" (never a dropped connection nor another
# error) while there is no readable database, then answers again from
# what is at the path, without a restart: a database moved in in place of
# the old one is read, not the old one (even at the same revision number:
# its words are found, the old one's are not, suggestions come from it).
# The unreadable case needs a daemon that file modes deny: as root it runs
# as nobody (setpriv), where setpriv is missing it is skipped.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/faults/faults-lib.sh"

# Three databases of one run each (all at the same revision), told apart
# by a word of their own in every title: zorblax (A), quintex (B),
# vellumine (C).
make_db() { # DIR WORD FIRST LAST
    gen_posts "$3" "$4" "$2" >"$T/$2.jsonl"
    "$SOCASMA_INDEX" --db "$1" --quiet "$T/$2.jsonl" || fail "index $2"
}
PUB="$T/pub" # where a daemon run as nobody can read and make its socket
mkdir "$PUB"
make_db "$PUB/db" zorblax 1 300
make_db "$T/B" quintex 1 200
make_db "$T/C" vellumine 1 250
expect_eq "the databases have one revision number" "$("$DBINFO" revision "$PUB/db")" \
    "$("$DBINFO" revision "$T/B")"
DB="$PUB/db"
q() { count_query "$1"; }
printf '%s\n' "$(q paragraph)" '{"op":"suggest","q":"zorb"}' >"$T/load.q"

# The clients that search all along: only ok or unavailable answers.
rm -f "$T/stop"
start_load() {
    "$LOAD" -U "$T/s" -f "$T/load.q" -c 2 -p 5 -a unavailable -S "$T/stop" >"$T/load.out" 2>"$T/load.err" &
    LPID=$!
}
end_load() { # DESC
    touch "$T/stop"
    wait "$LPID"
    rm -f "$T/stop"
    s=$(cat "$T/load.out")
    expect_eq "$1: the clients got only ok or unavailable answers, no dropped connection" 0 \
        "$(summary_field failed "$s")"
    [ -s "$T/load.err" ] && sed 's/^/  /' "$T/load.err" >&2
    echo "  ($(summary_field requests "$s") requests, $(summary_field allowed "$s") unavailable)"
}

start_daemon "$DB"
start_load
wait_for "A is served" "$(q zorblax)" '^\{"ok":true,"total":300,'

# ---- removed
rm -rf "$DB"
wait_for "removed: unavailable" "$(q zorblax)" '"code":"unavailable"'
check "removed: the daemon still answers ping" sh -c "printf '{\"op\":\"ping\"}\n' | '$LC' -U '$T/s' | grep -q '\"pong\":true'"
cp -a "$T/B" "$DB"
wait_for "a database put back: answers from it" "$(q quintex)" '^\{"ok":true,"total":200,'
expect_match "  and not from the removed one" '^\{"ok":true,"total":0,' "$(ask "$(q zorblax)")"

# ---- replaced by a database of the same revision number, at once
# (the old one moved aside, still open in the daemon)
mv "$DB" "$T/B.aside"
cp -a "$T/C" "$DB"
wait_for "replaced: the new database's words are found" "$(q vellumine)" '^\{"ok":true,"total":250,'
expect_match "replaced: the old database's words are not" '^\{"ok":true,"total":0,' "$(ask "$(q quintex)")"
expect_match "replaced: the count is the new one's" '^\{"ok":true,"total":250,' "$(ask "$(q paragraph)")"
expect_match "replaced: suggestions come from the new one" '"vellumine"' \
    "$(ask '{"op":"suggest","q":"vellu"}')"
expect_match "replaced: not from the old one" '"completions":\[\]' \
    "$(ask '{"op":"suggest","q":"quinte"}')"

# ---- replaced by a directory that is not a database, then a database
rm -rf "$DB"
mkdir "$DB"
wait_for "not a database: unavailable" "$(q paragraph)" '"code":"unavailable"'
rmdir "$DB"
cp -a "$T/B" "$DB"
wait_for "a database again: answers from it" "$(q quintex)" '^\{"ok":true,"total":200,'
end_load "removed and replaced"
check "the daemon is still running" daemon_alive
stop_daemon
expect_eq "the daemon stops cleanly" 0 "$DRC"

# ---- made unreadable (chmod 000), then readable again
if [ "$(id -u)" = 0 ]; then
    if command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
        # root reads anything: the daemon runs as nobody, in directories it
        # may enter, its socket in one it may write.
        chmod 711 "$T"
        chmod 1777 "$PUB"
        chmod -R a+rX "$DB"
        SOCASMA_SEARCHD_AS="setpriv --reuid=$(id -u nobody) --regid=$(id -g nobody) --clear-groups"
    else
        echo "(unreadable database: skipped, root without setpriv or a nobody user)"
        finish
    fi
else
    SOCASMA_SEARCHD_AS=""
fi
rm -f "$PUB/s" "$T/port"
$SOCASMA_SEARCHD_AS "$D" --db "$DB" --socket "$PUB/s" --listen '' --threads 2 2>>"$T/daemon.err" &
DPID=$!
i=0
while [ ! -S "$PUB/s" ]; do
    i=$((i + 1))
    if [ $i -gt 400 ] || ! kill -0 "$DPID" 2>/dev/null; then
        cat "$T/daemon.err" >&2; fail "the daemon did not start"; DPID=; finish
    fi
    sleep 0.05
done
ln -s "$PUB/s" "$T/s" 2>/dev/null || :
start_load
wait_for "unreadable: served before" "$(q quintex)" '^\{"ok":true,"total":200,'
chmod 000 "$DB"
wait_for "chmod 000: unavailable" "$(q quintex)" '"code":"unavailable"'
chmod 755 "$DB"
wait_for "chmod 755: answers again" "$(q quintex)" '^\{"ok":true,"total":200,'
end_load "unreadable"
check "the daemon is still running" daemon_alive
stop_daemon
expect_eq "the daemon stops cleanly" 0 "$DRC"
finish
