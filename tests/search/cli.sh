#!/bin/sh
# cli.sh: socasma-search on a database built by socasma-index from the
# sample archive: exit codes (0 hits, 1 none, 2 usage, 4 database error),
# --json is the engine's answer object, human output, --stats, --help.
. "$top_srcdir/tests/lib/common.sh"

DB="$T/db"
"$SOCASMA_INDEX" --quiet --db "$DB" "$top_srcdir/index/sample/sample.jsonl" >/dev/null ||
    { echo "indexing failed"; exit 99; }

out=$("$SOCASMA_SEARCH" --db "$DB" residency); rc=$?
expect_eq "hits: exit 0" 0 "$rc"
expect_match "human output numbers hits" '^1\. ' "$out"
expect_match "human output has a total" '[0-9]+ results? \(' "$out"
case "$out" in *"$(printf '\033')"*) fail "no escape codes when not a tty";; *) pass "plain when not a tty";; esac

out=$("$SOCASMA_SEARCH" --db "$DB" --json residency); rc=$?
expect_eq "--json: exit 0" 0 "$rc"
expect_match "--json is the answer object" '^\{"ok": ?true,.*"hits": ?\[' "$out"
expect_match "--json has took_ms" '"took_ms"' "$out"
expect_eq "--json is one line" 1 "$(printf '%s\n' "$out" | wc -l | tr -d ' ')"

"$SOCASMA_SEARCH" --db "$DB" zzzqqqxxyy >/dev/null; rc=$?
expect_eq "no hits: exit 1" 1 "$rc"

out=$("$SOCASMA_SEARCH" --db "$DB" restr); rc=$?
expect_eq "a word being typed: exit 0" 0 "$rc"
expect_match "a word being typed: says so" 'last word as the start of a word' "$out"
expect_match "a word being typed: its hits" 'permis restrictif' "$out"

"$SOCASMA_SEARCH" --db "$DB" --bogus x >/dev/null 2>&1; rc=$?
expect_eq "unknown option: exit 2" 2 "$rc"
"$SOCASMA_SEARCH" --db "$DB" --limit -3 x >/dev/null 2>&1; rc=$?
expect_eq "bad --limit: exit 2" 2 "$rc"
"$SOCASMA_SEARCH" --db "$DB" >/dev/null 2>&1; rc=$?
expect_eq "no query: exit 2" 2 "$rc"
"$SOCASMA_SEARCH" --db "$DB" --since 2020-99 permis >/dev/null 2>&1; rc=$?
expect_eq "bad date: exit 2" 2 "$rc"

"$SOCASMA_SEARCH" --db "$T/nowhere" permis >/dev/null 2>&1; rc=$?
expect_eq "missing database: exit 4" 4 "$rc"
"$SOCASMA_SEARCH" --socket "$T/no.sock" permis >/dev/null 2>&1; rc=$?
expect_eq "no daemon: exit 4" 4 "$rc"

out=$("$SOCASMA_SEARCH" --db "$DB" --json --facets --lang fr --category News permis); rc=$?
expect_match "--facets" '"facets": ?\{"category"' "$out"
out=$("$SOCASMA_SEARCH" --db "$DB" --facets residency)
expect_match "human facets" '^Categories:' "$out"

out=$("$SOCASMA_SEARCH" --db "$DB" --stats); rc=$?
expect_eq "--stats: exit 0" 0 "$rc"
expect_match "--stats posts" '^posts: 31$' "$out"
out=$("$SOCASMA_SEARCH" --db "$DB" --stats --json)
expect_match "--stats --json" '"posts": ?31' "$out"

out=$("$SOCASMA_SEARCH" --help); rc=$?
expect_eq "--help: exit 0" 0 "$rc"
expect_match "--help lists exit codes" '4 database or daemon error' "$out"
out=$("$SOCASMA_SEARCH" --version)
expect_match "--version" '^socasma-search ' "$out"

# A database that holds no post yet: no hit, and a note that says why.
: >"$T/empty.jsonl"
"$SOCASMA_INDEX" --quiet --db "$T/emptydb" "$T/empty.jsonl" >/dev/null 2>&1
out=$("$SOCASMA_SEARCH" --db "$T/emptydb" permis 2>"$T/err"); rc=$?
expect_eq "empty database: exit 1" 1 "$rc"
expect_match "empty database: 0 results" '^0 results' "$out"
expect_match "empty database: says it holds no post" \
    '^socasma-search: the database holds no post yet: index some with socasma-index' "$(cat "$T/err")"
"$SOCASMA_SEARCH" --db "$DB" zzzqqqxxyy >/dev/null 2>"$T/err"
expect_eq "no hits on a full database: no such note" "" "$(cat "$T/err")"
# A missing database: the path and how to make it, not Xapian's words.
err=$("$SOCASMA_SEARCH" --db "$T/nowhere" permis 2>&1 >/dev/null)
expect_match "missing database: names it" "no database at $T/nowhere \\(from --db\\)" "$err"
expect_match "missing database: how to make one" "socasma-index --db $T/nowhere SOURCE" "$err"
case $err in *Error*) fail "missing database: Xapian's class name";; *) pass "missing database: no Xapian class name";; esac

# Malformed queries through the command: answered, never a crash.
for q in '"unbalanced' '(permis' '-' '*' 'AND' "$(printf 'a\377b')"; do
    "$SOCASMA_SEARCH" --db "$DB" --json -- "$q" >/dev/null 2>&1; rc=$?
    case $rc in 0|1) pass "query [$q] answered";; *) fail "query [$q]: exit $rc";; esac
done

finish
