# reindex.sh: socasma-reindex (conf/socasma-reindex.in) against a real
# database built from the sample archive: a good export is indexed and
# pruned; a failed, empty, unreadable or shrunken export is refused with a
# logged reason and a non-zero exit, and leaves the database as it was; an
# export that cannot be read entirely (truncated, a bad record, broken XML)
# deletes nothing and fails (5) with the indexer's FILE:LINE in the log;
# --dry-run changes nothing; --force prunes anyway. When the daemon is
# built, it keeps answering with the old posts through a refused reindex.
. "$top_srcdir/tests/lib/common.sh"
REINDEX="$top_builddir/conf/socasma-reindex"
SAMPLE="$top_srcdir/index/sample/sample.jsonl"
[ -x "$SOCASMA_INDEX" ] || skip "socasma-index is not built"
[ -x "$REINDEX" ] || skip "conf/socasma-reindex is not built"
export SOCASMA_INDEX
unset SOCASMA_CONFIG

db="$T/db"
total=$(grep -c . "$SAMPLE")

# write_conf EXPORT_COMMAND [MAX_SHARE]
write_conf() {
    {
        echo "[index]"
        echo "database = $db"
        echo "[reindex]"
        echo "export_command = $1"
        [ $# -ge 2 ] && echo "prune_max_share = $2"
    } >"$T/c.conf"
}

# Number of posts in the database: socasma-index's dry run on the full
# sample counts them as unchanged + updated (every post of the db is in it).
count() {
    out=$("$SOCASMA_INDEX" --db "$db" --dry-run --json --quiet "$SAMPLE")
    u=$(printf '%s' "$out" | sed -n 's/.*"unchanged":\([0-9]*\).*/\1/p')
    c=$(printf '%s' "$out" | sed -n 's/.*"updated":\([0-9]*\).*/\1/p')
    echo $((${u:-0} + ${c:-0}))
}
reindex() { "$REINDEX" --config "$T/c.conf" "$@" 2>"$T/log"; }

# No export command: a configuration error.
write_conf ""
reindex; rc=$?
expect_eq "no export_command: exit 2" 2 "$rc"
expect_match "no export_command: says why" "no export_command" "$(cat "$T/log")"

# A good export: everything indexed.
cp "$SAMPLE" "$T/export.jsonl"
write_conf "cat '$T/export.jsonl'"
reindex; rc=$?
expect_eq "good export: exit 0" 0 "$rc"
expect_match "good export: summary logged" "done: read $total, added $total, updated 0, unchanged 0, deleted 0" "$(cat "$T/log")"
expect_eq "good export: $total posts" "$total" "$(count)"

# The export command fails: refused, nothing changed.
write_conf "cat '$T/export.jsonl'; echo 'wp: cannot connect to MySQL' >&2; exit 3"
reindex; rc=$?
expect_eq "failed export: exit 1" 1 "$rc"
expect_match "failed export: says why" "export command failed \(exit 3\)" "$(cat "$T/log")"
expect_match "failed export: shows its error" "cannot connect to MySQL" "$(cat "$T/log")"
expect_eq "failed export: still $total posts" "$total" "$(count)"

# Empty, blank, and post-less exports.
write_conf "true"
reindex; rc=$?
expect_eq "empty export: exit 1" 1 "$rc"
expect_match "empty export: says why" "the export is empty" "$(cat "$T/log")"
write_conf "printf '\\n  \\n'"
reindex; rc=$?
expect_eq "blank export: exit 1" 1 "$rc"
printf '{"id": broken\n' >"$T/junk.jsonl"
write_conf "cat '$T/junk.jsonl'"
reindex; rc=$?
expect_eq "export with no valid post: exit 1" 1 "$rc"
expect_match "export with no valid post: says why" "refusing" "$(cat "$T/log")"
expect_eq "after bad exports: still $total posts" "$total" "$(count)"

# An export that cannot be read entirely: indexed as far as it can be
# read, nothing deleted, the job fails (5) with the reason in the log.
# A truncated gzip export: the source stops early.
gzip -c "$SAMPLE" | head -c 5000 >"$T/cut.jsonl.gz"
write_conf "cat '$T/cut.jsonl.gz'"
reindex; rc=$?
expect_eq "truncated export: exit 5" 5 "$rc"
expect_match "truncated export: the indexer's FILE[:LINE] message in the log" \
    "socasma-index: .*/export(:[0-9]+)?: " "$(cat "$T/log")"
expect_match "truncated export: says it could not be read entirely" \
    "failed: the export could not be read entirely.*nothing was deleted" "$(cat "$T/log")"
expect_eq "truncated export: still $total posts" "$total" "$(count)"
reindex --dry-run; rc=$?
expect_eq "truncated export, dry run: exit 5" 5 "$rc"
expect_match "truncated export, dry run: says so" "cannot be read entirely" "$(cat "$T/log")"
# A record that cannot be read, and posts missing after it: its post would
# be pruned, so nothing is.
{ head -n 10 "$SAMPLE"; echo '{"id": "sample-0'; } >"$T/badrec.jsonl"
write_conf "cat '$T/badrec.jsonl'"
reindex; rc=$?
expect_eq "unreadable record: exit 5" 5 "$rc"
expect_match "unreadable record: FILE:LINE in the log" "socasma-index: .*/export:11: " "$(cat "$T/log")"
expect_match "unreadable record: not pruning, said" "not pruning: 1 record" "$(cat "$T/log")"
expect_eq "unreadable record: still $total posts" "$total" "$(count)"
# A shrunken export: 20 of the posts, so 11 of 31 would go (> 20%).
head -n 20 "$SAMPLE" >"$T/short.jsonl"
gone=$((total - 20))
write_conf "cat '$T/short.jsonl'"
reindex; rc=$?
expect_eq "shrunken export: exit 1" 1 "$rc"
expect_match "shrunken export: says why" "would delete $gone of the $total indexed posts, more than prune_max_share = 0.20" "$(cat "$T/log")"
expect_eq "shrunken export: still $total posts" "$total" "$(count)"

# The same with a configured share that allows it, as a dry run first.
write_conf "cat '$T/short.jsonl'" 0.5
reindex --dry-run; rc=$?
expect_eq "dry run: exit 0" 0 "$rc"
expect_match "dry run: says what it would do" "would do read 20, .*deleted $gone" "$(cat "$T/log")"
expect_eq "dry run: still $total posts" "$total" "$(count)"

# A small loss (4 posts, 13%) is within the default 20%.
head -n $((total - 4)) "$SAMPLE" >"$T/most.jsonl"
write_conf "cat '$T/most.jsonl'"
reindex; rc=$?
expect_eq "small loss: exit 0" 0 "$rc"
expect_match "small loss: 4 deleted" "deleted 4" "$(cat "$T/log")"
expect_eq "small loss: $((total - 4)) posts" "$((total - 4))" "$(count)"

# --force prunes past the share.
write_conf "cat '$T/short.jsonl'"
reindex --force; rc=$?
expect_eq "--force: exit 0" 0 "$rc"
expect_eq "--force: 20 posts" 20 "$(count)"

# Other export formats into a fresh database: a WordPress export, and the
# same gzip'ed (the format is sniffed, the indexer reads gzip).
printf '[index]\ndatabase = %s\n[reindex]\nexport_command = cat %s\n' \
    "$T/wxr.db" "$top_srcdir/index/sample/sample.wxr.xml" >"$T/w.conf"
"$REINDEX" --config "$T/w.conf" 2>"$T/log"; rc=$?
expect_eq "WXR export: exit 0" 0 "$rc"
expect_match "WXR export: the published posts, not the drafts" "done: read $total, added $total" "$(cat "$T/log")"
printf '[index]\ndatabase = %s\n[reindex]\nexport_command = gzip -c %s\n' \
    "$T/wxrgz.db" "$top_srcdir/index/sample/sample.wxr.xml" >"$T/w.conf"
"$REINDEX" --config "$T/w.conf" 2>"$T/log"; rc=$?
expect_eq "gzip'ed WXR export: exit 0" 0 "$rc"
expect_match "gzip'ed WXR export: read" "done: read $total, added $total" "$(cat "$T/log")"

# A WordPress export broken in the middle (not well-formed XML): the posts
# after the break are not read, so none is deleted.
sed '0,/<\/item>/s//<\/item><broken>/' "$top_srcdir/index/sample/sample.wxr.xml" >"$T/broken.xml"
printf '[index]\ndatabase = %s\n[reindex]\nexport_command = cat %s\n' \
    "$T/wxr.db" "$T/broken.xml" >"$T/w.conf"
"$REINDEX" --config "$T/w.conf" 2>"$T/log"; rc=$?
expect_eq "broken WXR export: exit 5" 5 "$rc"
expect_match "broken WXR export: FILE:LINE in the log" "socasma-index: .*/export:[0-9]+: " "$(cat "$T/log")"
expect_eq "broken WXR export: still $total posts" "$total" \
    "$("$top_builddir/tests/index/dbinfo" count "$T/wxr.db")"

# A missing config file.
"$REINDEX" --config "$T/nope.conf" 2>"$T/log"; rc=$?
expect_eq "missing config: exit 2" 2 "$rc"

# With the daemon: it keeps serving through a refused reindex.
if [ -x "$SOCASMA_SEARCHD" ] && [ -x "$SOCASMA_SEARCH" ]; then
    cp "$SAMPLE" "$T/export.jsonl"
    write_conf "cat '$T/export.jsonl'"
    reindex || fail "reindex back to the full sample"
    sock="$T/s.sock"
    printf '[index]\ndatabase = %s\n[server]\nsocket = %s\nlisten =\n' "$db" "$sock" >"$T/d.conf"
    "$SOCASMA_SEARCHD" --config "$T/d.conf" --foreground 2>"$T/daemon.log" &
    dpid=$!
    on_exit "kill $dpid 2>/dev/null"
    i=0
    while [ $i -lt 100 ] && [ ! -S "$sock" ]; do sleep 0.1; i=$((i + 1)); done
    check "the daemon listens" test -S "$sock"
    before=$("$SOCASMA_SEARCH" --socket "$sock" --json 'permis restrictif')
    expect_match "the daemon finds the permis restrictif posts" '"total":[1-9]' "$before"
    : >"$T/empty"
    write_conf "cat '$T/empty'"
    reindex; rc=$?
    expect_eq "empty export with the daemon running: exit 1" 1 "$rc"
    write_conf "head -n 3 '$T/export.jsonl'"
    reindex; rc=$?
    expect_eq "shrunken export with the daemon running: exit 1" 1 "$rc"
    after=$("$SOCASMA_SEARCH" --socket "$sock" --json 'permis restrictif')
    expect_eq "the daemon gives the same total after the refusals" \
        "$(printf '%s' "$before" | sed -n 's/.*"total":\([0-9]*\).*/\1/p')" \
        "$(printf '%s' "$after" | sed -n 's/.*"total":\([0-9]*\).*/\1/p')"
    kill -TERM $dpid
    wait $dpid; rc=$?
    expect_eq "the daemon stops cleanly on SIGTERM" 0 "$rc"
else
    echo "note: socasma-searchd or socasma-search not built: the daemon part is not run"
fi
finish
