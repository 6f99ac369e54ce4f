#!/bin/sh
# client.sh: socasma-search asking the daemon (--socket, --connect) gives
# the same answers as socasma-search opening the database itself, both
# reading one config file whose [search] default_limit and max_limit they
# apply.
. "$top_srcdir/tests/lib/common.sh"

D="${SOCASMA_SEARCHD_UNDER_TEST:-$SOCASMA_SEARCHD}"
[ -x "$D" ] || skip "no $D"
[ -x "$SOCASMA_INDEX" ] || skip "no $SOCASMA_INDEX"
[ -x "$SOCASMA_SEARCH" ] || skip "no $SOCASMA_SEARCH"
SAMPLE="$top_srcdir/index/sample/sample.jsonl"
[ -f "$SAMPLE" ] || skip "no sample archive"
DB="$T/db"
"$SOCASMA_INDEX" --db "$DB" --quiet "$SAMPLE" || { echo "cannot index the sample" >&2; exit 1; }

printf '[search]\ndefault_limit = 3\nmax_limit = 5\n' >"$T/conf"
"$D" --config "$T/conf" --db "$DB" --socket "$T/s" --listen 127.0.0.1:0 --port-file "$T/port" --threads 2 \
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
    direct=$("$SOCASMA_SEARCH" --config "$T/conf" --db "$DB" --json "$@" | strip)
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
same "default limit" medecine
same "limit above max_limit" --limit 50 medecine

# The config's limits, applied (the sample has 15 posts on medecine).
hits() { grep -o '"score":' | wc -l | tr -d ' '; }
out=$("$SOCASMA_SEARCH" --config "$T/conf" --db "$DB" --json medecine)
expect_match "default_limit: the answer's limit" '"limit":3[,}]' "$out"
expect_eq "default_limit: hits" 3 "$(printf '%s' "$out" | hits)"
out=$(printf '{"op":"search","q":"medecine","limit":50}\n' | "$top_builddir/tests/server/lineclient" -U "$T/s")
expect_match "max_limit: the answer's limit" '"limit":5[,}]' "$out"
expect_eq "max_limit: hits" 5 "$(printf '%s' "$out" | hits)"
out=$(printf '{"op":"search","q":"medecine","limit":4}\n' | "$top_builddir/tests/server/lineclient" -U "$T/s")
expect_eq "a limit under max_limit: hits" 4 "$(printf '%s' "$out" | hits)"
out=$("$SOCASMA_SEARCH" --config /dev/null --db "$DB" --json medecine)
expect_eq "without a config: 10 hits" 10 "$(printf '%s' "$out" | hits)"
finish
