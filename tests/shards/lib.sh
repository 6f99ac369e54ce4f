# lib.sh: sourced by the shard tests. Builds the sample archive as one
# database and split over M shards (socasma-index --shard N/M), and
# compares answers.
. "$top_srcdir/tests/lib/common.sh"
[ -x "$SOCASMA_INDEX" ] && [ -x "$SOCASMA_SEARCH" ] || skip "programs not built"
command -v jq >/dev/null 2>&1 || skip "jq not installed (./bootstrap installs it)"
SAMPLE="$top_srcdir/index/sample"
[ -d "$SAMPLE" ] || skip "no sample archive"
printf "[index]\nglossary = %s\n" "$(cd "$top_srcdir" && pwd)/conf/synonyms.txt" >"$T/conf"

# make_shards M: $T/m$M/s1..sM, shard N/M of the sample each, and the stub
# file $T/m$M.stub listing them.
make_shards() {
    : >"$T/m$1.stub"
    n=1
    while [ $n -le "$1" ]; do
        "$SOCASMA_INDEX" --config "$T/conf" --quiet --db "$T/m$1/s$n" --shard "$n/$1" "$SAMPLE" ||
            fail "index shard $n/$1"
        echo "auto m$1/s$n" >>"$T/m$1.stub"
        n=$((n + 1))
    done
}

# content DB ARGS...: counts, facets, spelling, and the first 100 hits as a
# set, each with its highlighted title and snippet.
content() {
    db=$1; shift
    "$SOCASMA_SEARCH" --json --db "$db" --limit 100 "$@" |
        jq -S -c '{total, total_exact, facets, suggestion, corrected, completed,
                   hits: ([.hits[]? | {id, title_html, snippet}] | sort_by(.id))}'
}
# whole DB ARGS...: the whole answer but its timing: the page's hits in
# their order, with their scores, and everything else.
whole() {
    db=$1; shift
    "$SOCASMA_SEARCH" --json --db "$db" "$@" | jq -S -c 'del(.took_ms)'
}

# The searches compared, one a line, arguments separated by "|": words,
# phrases, fields, filters, facets, totals, spelling, wildcards, questions,
# highlights, paging. Some hold words whose forms (the word, its stems, a
# glossary synonym's) some shard lacks, or a shard holds in other numbers
# than the others: DHCEU, IMGs, postes, "family medicine residency" and
# the French question were ranked otherwise by 2 or 3 shards before
# (doc/SCALING.md, "What is the same as one database"). socasma finds
# hits of exactly equal weights (two at the top, four after them), which
# came in docid order, another on 3 shards, before ties were ordered by
# the content hash; its pages cut through those ties. --facets dipl: a
# remote match sorted by relevance then the hash counted a post more in
# its facets, without the hash as its collapse key too.
QUERIES='permis
"permis restrictif"
medecin
Médecins
l’équivalence
DHCEU
title:residency
examn
lic*
how do I get a residency in Quebec as an international medical graduate
comment obtenir un permis restrictif au Québec
--facets|medecin
--facets|--lang|fr|équivalence
--sort|date|exam
--category|News|permis
--limit|3|--offset|4|doctors
--limit|100|médecin OR doctor
--since|2019|--until|2021|residency
--suggest|resid
IMGs
postes
family medicine residency
--limit|20|IMGs
socasma
--limit|1|socasma
--limit|3|--offset|3|socasma
--limit|2|--offset|1|--facets|socasma
--facets|dipl'

# compare LABEL DB_A DB_B FN LIST: FN's output of each search of LIST on
# the two databases must be equal.
compare() {
    c_label=$1; c_a=$2; c_b=$3; c_fn=$4
    printf '%s\n' "$5" | while IFS= read -r line; do
        oldifs=$IFS; IFS='|'
        # shellcheck disable=SC2086
        set -- $line
        IFS=$oldifs
        a=$("$c_fn" "$c_a" "$@"); b=$("$c_fn" "$c_b" "$@")
        if [ -n "$a" ] && [ "$a" = "$b" ]; then echo "ok: $c_label: $line"; else
            echo "FAIL: $c_label: $line"; echo "  one:    $a"; echo "  shards: $b"; fi
    done >"$T/cmp.out"
    cat "$T/cmp.out"
    n=$(grep -c '^FAIL' "$T/cmp.out")
    [ "$n" -eq 0 ] || fail "$c_label: $n search(es) differ"
}
