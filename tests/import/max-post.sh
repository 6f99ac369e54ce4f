# max-post.sh: the importers' bounds through the real indexer and search.
# A 50 MB post (JSON Lines, gzip'ed JSON Lines, WordPress export) is
# rejected with FILE:LINE, the posts around it are indexed and found, and
# the indexer's peak memory stays near what it takes without that post. A
# WordPress export of 100 posts with a Latin-1 byte in the middle gives 100
# posts. Memory is checked loosely (a bound, not a measure): its figures go
# to the log.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/index/gen-posts.sh"
PEAKRSS="$top_builddir/tests/import/peakrss"
MB50=50000000

# A body of n bytes of French and English words, on one line.
words() {
    awk -v n="$1" 'BEGIN {
        s = "Le médecin étranger cherche une résidence en médecine familiale. The licence exam. "
        while (length(t) < 65536) t = t s
        for (k = 0; k + length(t) <= n; k += length(t)) printf "%s", t
        printf "%s", substr(t, 1, n - k)
    }'
}

# index NAME SOURCE...: runs the indexer into $T/NAME.db under peakrss;
# sets out, err, rc and rss (KiB).
index() {
    name=$1; shift
    out=$("$PEAKRSS" "$T/$name.rss" "$SOCASMA_INDEX" --db "$T/$name.db" --json "$@" \
        2>"$T/$name.err"); rc=$?
    err=$(cat "$T/$name.err")
    rss=$(cat "$T/$name.rss")
    echo "$name: peak RSS $rss KiB"
}

# The baseline: the same indexer on the small posts alone.
gen_posts 1 2 >"$T/small.jsonl"
gen_posts 3 3 >>"$T/small.jsonl"
index base "$T/small.jsonl"
expect_eq "baseline: indexed" "0 3" "$rc $(json_field "$out" added)"
base=$rss

# JSON Lines: a 50 MB post between two small ones.
{
    gen_posts 1 2
    printf '{"id": "huge", "title": "Huge", "lang": "fr", "body": "'
    words $MB50
    printf '"}\n'
    gen_posts 3 3
} >"$T/huge.jsonl"
index jsonl "$T/huge.jsonl"
expect_eq "JSON Lines: exit 0" 0 "$rc"
expect_eq "JSON Lines: 4 read, 3 added, 1 rejected" "4 3 1" \
    "$(json_field "$out" read) $(json_field "$out" added) $(json_field "$out" rejected)"
expect_match "JSON Lines: FILE:LINE message" "huge\.jsonl:3: post larger than 8 MiB \(max_post_bytes\)" "$err"
hits=$("$SOCASMA_SEARCH" --db "$T/jsonl.db" --json 'médecine familiale')
expect_match "JSON Lines: the posts around it are found" '"id":"syn-[123]"' "$hits"
check "JSON Lines: memory near the baseline ($rss KiB, baseline $base KiB)" \
    test "$rss" -lt $((base + 100 * 1024))

# The same, gzip'ed: the line is never held, inflated or not.
gzip -c "$T/huge.jsonl" >"$T/huge.jsonl.gz"
index gz --shards 1 "$T/huge.jsonl.gz"
expect_eq "gzip: 3 added, 1 rejected" "3 1" "$(json_field "$out" added) $(json_field "$out" rejected)"
expect_match "gzip: FILE:LINE message" "huge\.jsonl\.gz:3: post larger than" "$err"
check "gzip: memory near the baseline ($rss KiB)" test "$rss" -lt $((base + 100 * 1024))

# A WordPress export: an item of 50 MB (over libxml2's 10,000,000-byte
# limits too), then a good one.
item() { # item ID TITLE BODY
    printf '\t<item>\n\t\t<title>%s</title>\n\t\t<content:encoded><![CDATA[%s]]></content:encoded>\n' "$2" "$3"
    printf '\t\t<wp:post_id>%s</wp:post_id>\n\t\t<wp:status>publish</wp:status>\n' "$1"
    printf '\t\t<wp:post_type>post</wp:post_type>\n\t</item>\n'
}
head() {
    printf '<?xml version="1.0" encoding="UTF-8" ?>\n'
    printf '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    printf 'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
}
tail() { printf '</channel>\n</rss>\n'; }
{
    head
    item 1 "Avant" "<p>La résidence avant.</p>"
    printf '\t<item>\n\t\t<title>Énorme</title>\n\t\t<content:encoded><![CDATA[<p>'
    words $MB50
    printf '</p>]]></content:encoded>\n\t\t<wp:post_id>2</wp:post_id>\n\t</item>\n'
    item 3 "Après" "<p>La résidence après.</p>"
    tail
} >"$T/huge.xml"
index wxr "$T/huge.xml"
expect_eq "WXR: exit 0" 0 "$rc"
expect_eq "WXR: 2 added, 1 rejected" "2 1" "$(json_field "$out" added) $(json_field "$out" rejected)"
expect_match "WXR: FILE:LINE message" "huge\.xml:11: post larger than 8 MiB \(max_post_bytes\)" "$err"
hits=$("$SOCASMA_SEARCH" --db "$T/wxr.db" --json 'résidence')
expect_match "WXR: the post after it is found" '"id":"wp-3"' "$hits"
check "WXR: memory near the baseline ($rss KiB)" test "$rss" -lt $((base + 100 * 1024))

# The bound is the config's [index] max_post_bytes, and --max-post-bytes
# overrides it: a 5,000-byte post is rejected under a bound of 2,048.
{
    gen_posts 1 1
    printf '{"id": "mid", "title": "Mid", "lang": "fr", "body": "'
    words 5000
    printf '"}\n'
    gen_posts 2 2
} >"$T/mid.jsonl"
index midflag --max-post-bytes 2048 "$T/mid.jsonl"
expect_eq "--max-post-bytes 2048: 2 added, 1 rejected" "0 2 1" \
    "$rc $(json_field "$out" added) $(json_field "$out" rejected)"
expect_match "--max-post-bytes: FILE:LINE message" "mid\.jsonl:2: post larger than" "$err"
printf '[index]\nmax_post_bytes = 2048\n' >"$T/small.conf"
index midconf --config "$T/small.conf" "$T/mid.jsonl"
expect_eq "config max_post_bytes = 2048: 2 added, 1 rejected" "0 2 1" \
    "$rc $(json_field "$out" added) $(json_field "$out" rejected)"
index midover --config "$T/small.conf" --max-post-bytes 1048576 "$T/mid.jsonl"
expect_eq "--max-post-bytes over the config's: 3 added" "0 3 0" \
    "$rc $(json_field "$out" added) $(json_field "$out" rejected)"
index midbad --max-post-bytes 10 "$T/mid.jsonl"
expect_eq "--max-post-bytes 10: usage error" 2 "$rc"
expect_match "--max-post-bytes 10: says the range" "from 1024 to 1073741824" "$err"

# The issue's case: a Latin-1 byte in the middle of a 100-post export.
{
    head
    i=1
    while [ $i -le 100 ]; do
        if [ $i -eq 50 ]; then
            item $i "Caf$(printf '\351') $i" "<p>Un octet perdu, poste $i.</p>"
        else
            item $i "Poste $i" "<p>Le médecin numéro $i.</p>"
        fi
        i=$((i + 1))
    done
    tail
} >"$T/latin1.xml"
index latin1 "$T/latin1.xml"
expect_eq "Latin-1 byte: 100 read, 100 added, 0 rejected" "100 100 0" \
    "$(json_field "$out" read) $(json_field "$out" added) $(json_field "$out" rejected)"
stats=$("$SOCASMA_SEARCH" --db "$T/latin1.db" --stats --json)
expect_match "Latin-1 byte: 100 posts in the database" '"posts":100[,}]' "$stats"
hits=$("$SOCASMA_SEARCH" --db "$T/latin1.db" --json 'octet perdu')
expect_match "Latin-1 byte: the post itself is found" '"id":"wp-50"' "$hits"
hits=$("$SOCASMA_SEARCH" --db "$T/latin1.db" --json 'poste 100')
expect_match "Latin-1 byte: the last post is found" '"id":"wp-100"' "$hits"
finish
