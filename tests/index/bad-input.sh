# bad-input.sh: socasma-index on bad input: FILE:LINE messages, rejected
# counts, --strict, exit codes 1, 2, 4, 5, the database untouched on errors.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/index/gen-posts.sh"
DBINFO="$top_builddir/tests/index/dbinfo"
db="$T/db"
gen_posts 1 3 >"$T/good.jsonl"
"$SOCASMA_INDEX" --db "$db" --quiet "$T/good.jsonl"
rev0=$("$DBINFO" revision "$db")
post() { printf '{"id": "%s", "title": "T %s", "date": "%s", "lang": "en", "categories": [], "body": "Body %s."}\n' "$1" "$1" "${2:-2020-01-01}" "$1"; }

# table: NAME | FILE CONTENT (printf) | expected message regex
cases() {
    echo "malformed JSON|$(post b1)@@{\"id\": \"b2\", \"title\": |:2: "
    echo "no id|$(post b1)@@{\"title\": \"no id\", \"body\": \"x\"}|:2: .*id"
    echo "empty id|$(post b1)@@{\"id\": \"\", \"title\": \"no id\", \"body\": \"x\"}|:2: .*id"
    echo "duplicate id|$(post b1)@@$(post b1)|:2: .*duplicate"
    echo "invalid date|$(post b1)@@$(post b2 2020-13-45)|:2: .*date"
}
i=0
cases >"$T/cases"
while IFS='|' read -r name content re; do
    i=$((i + 1))
    f="$T/bad$i.jsonl"
    printf '%s\n' "$content" | sed 's/@@/\n/g' >"$f"
    cp -r "$db" "$T/strictdb"
    err=$("$SOCASMA_INDEX" --db "$T/strictdb" --strict --json "$f" 2>&1 >/dev/null); rc=$?
    expect_eq "$name: --strict exits 1" 1 "$rc"
    expect_match "$name: FILE:LINE message" "bad$i.jsonl$re" "$err"
    expect_eq "$name: --strict commits nothing" "$rev0 3" \
        "$("$DBINFO" revision "$T/strictdb") $("$DBINFO" count "$T/strictdb")"
    out=$("$SOCASMA_INDEX" --db "$T/strictdb" --json "$f" 2>"$T/err"); rc=$?
    expect_eq "$name: without --strict exits 0" 0 "$rc"
    expect_eq "$name: 1 rejected" 1 "$(json_field "$out" rejected)"
    expect_eq "$name: 1 added" 1 "$(json_field "$out" added)"
    expect_eq "$name: 2 read" 2 "$(json_field "$out" read)"
    rm -rf "$T/strictdb"
done <"$T/cases"

# Invalid UTF-8 inside a field is repaired, not fatal.
printf '{"id": "u1", "title": "caf\351 \377", "lang": "fr", "body": "ok \303"}\n' >"$T/utf8.jsonl"
cp -r "$db" "$T/u8db"
out=$("$SOCASMA_INDEX" --db "$T/u8db" --strict --json "$T/utf8.jsonl"); rc=$?
expect_eq "invalid UTF-8: exit 0 under --strict" 0 "$rc"
expect_eq "invalid UTF-8: added" 1 "$(json_field "$out" added)"

# XML error and truncated gzip: the source stops there; reported with
# FILE:LINE, the other sources are read and what was read is committed,
# nothing is pruned, and the run exits 5.
printf '<?xml version="1.0"?>\n<rss><channel>\n<item><title>x</title>\n<broken>\n' >"$T/bad.xml"
err=$("$SOCASMA_INDEX" --db "$T/xdb" --json "$T/bad.xml" "$T/good.jsonl" 2>&1 >"$T/out"); rc=$?
expect_eq "XML error: exit 5" 5 "$rc"
expect_match "XML error: FILE:LINE" 'bad\.xml:[0-9]+: ' "$err"
expect_match "XML error: says the source was not read to the end" \
    'socasma-index: 1 source\(s\) could not be read to the end' "$err"
expect_eq "XML error: the other source is read and committed" "3 3" \
    "$(json_field "$(cat "$T/out")" added) $("$DBINFO" count "$T/xdb")"
"$SOCASMA_INDEX" --db "$T/xdb2" --strict --quiet "$T/bad.xml" 2>/dev/null
expect_eq "XML error under --strict: exit 1" 1 "$?"
gen_posts 1 2000 | gzip -c | head -c 20000 >"$T/trunc.jsonl.gz"
err=$("$SOCASMA_INDEX" --db "$T/gdb" --json "$T/trunc.jsonl.gz" 2>&1 >"$T/out"); rc=$?
expect_eq "truncated gzip: exit 5" 5 "$rc"
expect_match "truncated gzip: FILE[:LINE] message" 'trunc\.jsonl\.gz(:[0-9]+)?: ' "$err"
check "truncated gzip: counted as rejected" test "$(json_field "$(cat "$T/out")" rejected)" -ge 1
n=$("$DBINFO" count "$T/gdb")
check "truncated gzip: the posts before the cut are committed ($n)" test "$n" -gt 0
# --prune after a source that stopped early: nothing deleted, said loudly.
gen_posts 1 2000 >"$T/full.jsonl"
"$SOCASMA_INDEX" --db "$T/gdb" --quiet "$T/full.jsonl"
for k in 1 2; do
    err=$("$SOCASMA_INDEX" --db "$T/gdb" --jobs $k --prune --json "$T/trunc.jsonl.gz" 2>&1 >"$T/out"); rc=$?
    expect_eq "truncated gzip with --prune (jobs $k): exit 5, nothing deleted, 2000 posts" "5 0 2000" \
        "$rc $(json_field "$(cat "$T/out")" deleted) $("$DBINFO" count "$T/gdb")"
    expect_match "truncated gzip with --prune: not pruning, said" \
        'not pruning: 1 source\(s\) could not be read to the end' "$err"
done

# --prune with a record that cannot be read (its id is unknown): nothing
# is pruned, it is said, and the run exits 5 (incomplete).
cp -r "$db" "$T/prunedb"
{ gen_posts 1 2; echo '{"id": "syn-3", "title": '; } >"$T/unreadable.jsonl"
err=$("$SOCASMA_INDEX" --db "$T/prunedb" --prune --json "$T/unreadable.jsonl" 2>&1 >"$T/out"); rc=$?
expect_eq "--prune with an unreadable record: exit 5, nothing deleted" "5 0 3" \
    "$rc $(json_field "$(cat "$T/out")" deleted) $("$DBINFO" count "$T/prunedb")"
expect_match "--prune with an unreadable record: not pruning, said" \
    'unreadable\.jsonl:3: .*socasma-index: not pruning: 1 record\(s\) could not be read' "$(printf '%s' "$err" | tr '\n' ' ')"
"$SOCASMA_INDEX" --db "$T/prunedb" --json "$T/unreadable.jsonl" >/dev/null 2>&1
expect_eq "the same without --prune: exit 0" 0 "$?"

# Ids and paths come from the input: what a terminal would act on (escape
# sequences, C1 controls, stray bytes) is printed escaped, never raw.
{ echo '{"id": "x\u001b[2Jy\u009bz", "title": "one", "body": "b"}'
  echo '{"id": "x\u001b[2Jy\u009bz", "title": "two", "body": "b"}'; } >"$T/esc.jsonl"
weird="$T/$(printf 'e\033]0;t\007\377')"
printf '{"id": "w1", "title": \n' >"$weird.jsonl"
err=$("$SOCASMA_INDEX" --db "$T/escdb" --quiet "$T/esc.jsonl" "$weird.jsonl" 2>&1); rc=$?
expect_eq "escaped messages: exit 0" 0 "$rc"
expect_match "a duplicate id with control characters, escaped" \
    'esc\.jsonl:2: duplicate id "x\\x1b\[2Jy\\u009bz"' "$err"
expect_match "a path with control characters and a stray byte, escaped" \
    'e\\x1b\]0;t\\x07\\xff\.jsonl:1: ' "$err"
check "no raw ESC, BEL or C1 byte reaches the terminal" \
    sh -c '! printf "%s" "$1" | LC_ALL=C grep -q "$(printf "[\033\007\302]")"' sh "$err"

# Missing source, unwritable database: exit 4, database untouched.
err=$("$SOCASMA_INDEX" --db "$db" "$T/good.jsonl" "$T/missing.jsonl" 2>&1); rc=$?
expect_eq "missing source: exit 4" 4 "$rc"
expect_match "missing source: names it" 'missing\.jsonl' "$err"
expect_eq "missing source: db untouched" "$rev0" "$("$DBINFO" revision "$db")"
if [ "$(id -u)" -ne 0 ]; then
    mkdir "$T/ro" && chmod 555 "$T/ro"
    "$SOCASMA_INDEX" --db "$T/ro/db" --quiet "$T/good.jsonl" 2>/dev/null
    expect_eq "unwritable database directory: exit 4" 4 "$?"
else
    # root ignores permissions: a database path below a regular file cannot be created.
    : >"$T/plainfile"
    err=$("$SOCASMA_INDEX" --db "$T/plainfile/db" --quiet "$T/good.jsonl" 2>&1); rc=$?
    expect_eq "uncreatable database directory: exit 4" 4 "$rc"
    expect_match "uncreatable database: message" 'plainfile/db' "$err"
fi

# Usage errors: exit 2.
"$SOCASMA_INDEX" --db "$db" 2>/dev/null; expect_eq "no SOURCE: exit 2" 2 "$?"
"$SOCASMA_INDEX" --bogus x 2>/dev/null; expect_eq "unknown option: exit 2" 2 "$?"
"$SOCASMA_INDEX" --format csv x 2>/dev/null; expect_eq "bad format: exit 2" 2 "$?"
help=$("$SOCASMA_INDEX" --help); expect_eq "--help exits 0" 0 "$?"
expect_match "--help lists exit codes" '3  the database is locked' "$help"
expect_match "--version" '^socasma-index .* [0-9]' "$("$SOCASMA_INDEX" --version)"
finish
