# glossary.sh: the glossary a database was built with stays unless one is
# configured (issue 13: a run without the config used to empty the synonym
# table, and IMG fell from 16 hits to 9 while the run said nothing); a run
# that changes it says so, in its text summary and in --json; the posts the
# change affects are found through the new synonyms right after it.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/index/gen-posts.sh"
[ -x "$SOCASMA_SEARCH" ] || skip "socasma-search is not built"
unset SOCASMA_CONFIG
SAMPLE="$top_srcdir/index/sample/sample.jsonl"
db="$T/db"
printf '[index]\nglossary = %s/conf/synonyms.txt\n' "$top_srcdir" >"$T/g.conf"
total() { "$SOCASMA_SEARCH" --db "$db" --json "$@" | sed -n 's/.*"total":\([0-9]*\).*/\1/p'; }

out=$("$SOCASMA_INDEX" --config "$T/g.conf" --db "$db" --json "$SAMPLE"); rc=$?
expect_eq "first run with the glossary: exit 0" 0 "$rc"
expect_match "first run: the glossary is new to the database" '"glossary":"changed"' "$out"
img=$(total IMG)
check "IMG finds posts through the glossary ($img)" test "${img:-0}" -gt 0

# Without any config: the database keeps its glossary.
out=$("$SOCASMA_INDEX" --db "$db" --json "$SAMPLE"); rc=$?
expect_eq "run without config: exit 0, all unchanged" "0 31" "$rc $(json_field "$out" unchanged)"
expect_match "run without config: glossary unchanged" '"glossary":"unchanged"' "$out"
expect_eq "IMG hits unchanged without config" "$img" "$(total IMG)"
out=$("$SOCASMA_INDEX" --db "$db" "$SAMPLE")
expect_match "the text summary does not mention the glossary" '^read 31, added 0, updated 0, unchanged 31, deleted 0, rejected 0, [0-9.]+ s' "$out"

# The same glossary again: unchanged, and no new revision.
rev=$("$top_builddir/tests/index/dbinfo" revision "$db")
out=$("$SOCASMA_INDEX" --config "$T/g.conf" --db "$db" --json "$SAMPLE")
expect_match "same glossary: unchanged" '"glossary":"unchanged"' "$out"
expect_eq "same glossary: no new revision" "$rev" "$("$top_builddir/tests/index/dbinfo" revision "$db")"

# A changed glossary: one more group, joining a made-up word to a word of
# the posts. Nothing else changed, yet the run says so and commits it.
# ("lettre" has no group of its own in the glossary.)
lettre=$(total lettre)
check "lettre has hits ($lettre)" test "${lettre:-0}" -gt 0
expect_eq "zorblat finds nothing before" 0 "$(total zorblat)"
{ cat "$top_srcdir/conf/synonyms.txt"; echo "zorblat, lettre"; } >"$T/synonyms2.txt"
printf '[index]\nglossary = %s\n' "$T/synonyms2.txt" >"$T/g2.conf"
out=$("$SOCASMA_INDEX" --config "$T/g2.conf" --db "$db" --dry-run "$SAMPLE")
expect_match "a dry run says the glossary would change" '^dry run: read 31, .*rejected 0, glossary changed, ' "$out"
out=$("$SOCASMA_INDEX" --config "$T/g2.conf" --db "$db" "$SAMPLE"); rc=$?
expect_eq "changed glossary: exit 0" 0 "$rc"
expect_match "changed glossary: said in the summary" '^read 31, added 0, updated 0, unchanged 31, deleted 0, rejected 0, glossary changed, ' "$out"
expect_eq "the affected posts are found through the new synonym" "$lettre" "$(total zorblat)"
expect_eq "IMG still finds its posts" "$img" "$(total IMG)"
out=$("$SOCASMA_INDEX" --config "$T/g2.conf" --db "$db" --json "$SAMPLE")
expect_match "the next run: unchanged" '"glossary":"unchanged"' "$out"

# An empty glossary file is how to drop the synonyms.
: >"$T/empty.txt"
printf '[index]\nglossary = %s\n' "$T/empty.txt" >"$T/g3.conf"
out=$("$SOCASMA_INDEX" --config "$T/g3.conf" --db "$db" --json "$SAMPLE")
expect_match "an empty glossary: changed" '"glossary":"changed"' "$out"
expect_eq "zorblat finds nothing after" 0 "$(total zorblat)"
check "IMG finds fewer posts without the glossary" test "$(total IMG)" -lt "$img"
finish
