# formats.sh: a sample archive indexed from JSON Lines and from its WordPress
# export gives the same documents (titles, bodies, dates, categories,
# authors): the project's own index/sample, and ../shared/corpus when present.
. "$top_srcdir/tests/lib/common.sh"
DBINFO="$top_builddir/tests/index/dbinfo"
compared=0
compare() { # NAME JSONL WXR
    "$SOCASMA_INDEX" --db "$T/$1-j" --quiet --format jsonl "$2" || fail "$1: index the JSON Lines"
    "$SOCASMA_INDEX" --db "$T/$1-w" --quiet "$3" || fail "$1: index the WXR"
    # Post ids differ (WXR ids are wp-N): compare what a result shows.
    "$DBINFO" docs "$T/$1-j" title body date categories author | sort >"$T/$1-j.txt"
    "$DBINFO" docs "$T/$1-w" title body date categories author | sort >"$T/$1-w.txt"
    n=$(wc -l <"$T/$1-j.txt")
    check "$1: some posts indexed ($n)" test "$n" -gt 0
    if cmp -s "$T/$1-j.txt" "$T/$1-w.txt"; then pass "$1: same documents from both formats"
    else fail "$1: documents differ:"; diff "$T/$1-j.txt" "$T/$1-w.txt" | head -20 >&2; fi
    # The same words too (unprefixed words do not depend on the language,
    # which a WXR export does not carry and the analyser detects).
    for t in exam medecins residence covid quebec; do
        a=$("$DBINFO" termfreq "$T/$1-j" "$t"); b=$("$DBINFO" termfreq "$T/$1-w" "$t")
        expect_eq "$1: word $t in as many posts" "$a" "$b"
    done
    compared=$((compared + 1))
}
own="$top_srcdir/index/sample"
if [ -f "$own/sample.jsonl" ] && [ -f "$own/sample.wxr.xml" ]; then
    compare own "$own/sample.jsonl" "$own/sample.wxr.xml"
else
    fail "the project's sample archive is missing ($own/sample.jsonl, sample.wxr.xml)"
fi
if d=$(shared_dir) && [ -f "$d/corpus/sample.jsonl" ] && [ -f "$d/corpus/sample.wxr.xml" ]; then
    compare shared "$d/corpus/sample.jsonl" "$d/corpus/sample.wxr.xml"
else
    echo "SKIP: ../shared/corpus absent"
fi
finish
