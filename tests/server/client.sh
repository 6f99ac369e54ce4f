#!/bin/sh
# client.sh: socasma-search asking the daemon (--socket, --connect) gives
# the same answers as socasma-search opening the database itself.
. "$top_srcdir/tests/lib/common.sh"

D="${SOCASMA_SEARCHD_UNDER_TEST:-$SOCASMA_SEARCHD}"
[ -x "$D" ] || skip "no $D"
[ -x "$SOCASMA_INDEX" ] || skip "no $SOCASMA_INDEX"
[ -x "$SOCASMA_SEARCH" ] || skip "no $SOCASMA_SEARCH"
SAMPLE="$top_srcdir/index/sample/sample.jsonl"
[ -f "$SAMPLE" ] || skip "no sample archive"
DB="$T/db"
"$SOCASMA_INDEX" --db "$DB" --quiet "$SAMPLE" || { echo "cannot index the sample" >&2; exit 1; }

"$D" --db "$DB" --socket "$T/s" --listen 127.0.0.1:0 --port-file "$T/port" --threads 2 \
    2>"$T/daemon.err" &
DPID=$!
on_exit 'kill $DPID 2>/dev/null'
i=0
while [ ! -s "$T/port" ] || [ ! -S "$T/s" ]; do
    i=$((i + 1)); [ $i -lt 200 ] || { cat "$T/daemon.err" >&2; exit 1; }
    sleep 0.05
done
PORT=$(cat "$T/port")

# took_ms differs from run to run: everything else must be equal.
strip() { sed 's/"took_ms":[0-9.e+-]*//g'; }
same() { # DESC ARGS...
    desc=$1; shift
    direct=$("$SOCASMA_SEARCH" --db "$DB" --json "$@" | strip)
    sock=$("$SOCASMA_SEARCH" --socket "$T/s" --json "$@" | strip)
    tcp=$("$SOCASMA_SEARCH" --connect "127.0.0.1:$PORT" --json "$@" | strip)
    expect_match "$desc: direct answers" '^\{"ok":true' "$direct"
    expect_eq "$desc: --socket = direct" "$direct" "$sock"
    expect_eq "$desc: --connect = direct" "$direct" "$tcp"
}
same "english" residency match
same "french" permis restrictif
same "filters" --lang fr --limit 3 --offset 1 médecine
same "facets" --facets residency
same "no hits" zzzqqqxxx
finish
