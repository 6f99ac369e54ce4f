#!/bin/sh
# samedoc.sh: posts put live, then folded into the main database, make the
# database that socasma-index makes of the same posts: the same dump
# (dbinfo: every post's data, values, terms with wdf and positions, the
# lexicon, the spelling words with their counts, the synonyms): the issue's
# "a post put live and the same post imported give the same document",
# checked on every byte a search reads. The posts are the sample archive
# and synthetic ones, taken in id order (the order in which a fold adds
# them, as the indexer adds its input's), some put twice (an update before
# the fold) and one put then deleted.
. "$top_srcdir/tests/live/live-lib.sh"
. "$top_srcdir/tests/index/gen-posts.sh"
DBINFO="$top_builddir/tests/index/dbinfo"
[ -x "$DBINFO" ] || skip "no $DBINFO"

# The posts in the byte order of their ids (Xapian's order of id terms).
tab=$(printf '\t')
{ cat "$SAMPLE"; gen_posts 1 70 edited; } |
    sed 's/^\(.*"id": *"\([^"]*\)".*\)$/\2\t\1/' | LC_ALL=C sort -t "$tab" -k1,1 | cut -f2- >"$T/all.jsonl"
expect_eq "101 posts to put" 101 "$(grep -c . "$T/all.jsonl")"

start_daemon "fold_posts = 1000" || { fail "daemon starts"; finish; }
# a first version of ten posts, replaced before the fold; a post deleted
gen_posts 1 10 first | while IFS= read -r p; do printf '{"op":"put","post":%s}\n' "$p"; done |
    "$LC" -U "$SOCK" >"$T/first.out"
expect_eq "the first versions added" 10 "$(grep -c '"ok":true,"added":1' "$T/first.out")"
gen_posts 900 900 | sed 's/^/{"op":"put","post":/; s/$/}/' | "$LC" -U "$SOCK" >/dev/null
expect_match "a post deleted" '"deleted":1' "$(ask '{"op":"delete","ids":["syn-900"]}')"
sed 's/^/{"op":"put","post":/; s/$/}/' "$T/all.jsonl" | "$LC" -U "$SOCK" >"$T/put.out"
expect_eq "every put answered ok" 101 "$(grep -c '"ok":true' "$T/put.out")"
expect_eq "ten of them updates" 10 "$(grep -c '"updated":1' "$T/put.out")"
stop_daemon # (folds the delta)
expect_eq "the delta is folded at the stop: empty" 0 "$("$DBINFO" count "$DB/live")"

"$SOCASMA_INDEX" --config "$T/conf" --db "$T/ix" --quiet "$T/all.jsonl" ||
    fail "socasma-index of the same posts"
"$DBINFO" dump "$DB" >"$T/live.dump" || fail "dump of the live database"
"$DBINFO" dump "$T/ix" >"$T/ix.dump" || fail "dump of the indexed database"
expect_eq "101 posts in the live database" 101 "$("$DBINFO" count "$DB")"
if cmp -s "$T/live.dump" "$T/ix.dump"; then
    pass "the live database's dump is the indexer's"
else
    fail "the live database's dump is the indexer's: $(diff "$T/live.dump" "$T/ix.dump" | head -8)"
fi
check "the dump holds positions" grep -q '^term [a-z]* [0-9]* [0-9]* [0-9]' "$T/live.dump"
check "the dump holds spelling words" grep -q '^spelling ' "$T/live.dump"
finish
