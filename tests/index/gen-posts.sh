# gen-posts.sh: sourced by the tests of socasma-index. gen_posts FIRST LAST
# [TAG] writes synthetic JSON Lines posts FIRST..LAST on standard output
# (ids syn-N; TAG changes their bodies, so the same ids with another TAG are
# edited posts).
gen_posts() {
    awk -v a="$1" -v b="$2" -v tag="${3:-}" 'BEGIN {
        split("médecine familiale|residency program|équivalence du diplôme|licence to practise|examen du Collège|international medical graduate|stage clinique|Canadian studying abroad", w, "|")
        for (i = a; i <= b; i++) {
            lang = (i % 2) ? "en" : "fr"
            printf "{\"id\": \"syn-%d\", \"url\": \"https://example.org/%d\", \"title\": \"Post %d about %s %s\", \"author\": \"Author %d\", \"date\": \"20%02d-%02d-%02d\", \"categories\": [\"Cat %d\"], \"lang\": \"%s\", \"body\": \"First paragraph %d on %s and %s.\\n\\nSecond paragraph: %s, %s, number %d.\"}\n", \
                i, i, i, w[i % 8 + 1], tag, i % 7, 10 + i % 15, 1 + i % 12, 1 + i % 28, i % 5, lang, i, w[(i + 3) % 8 + 1], w[(i + 5) % 8 + 1], w[(i + 1) % 8 + 1], tag, i
        }
    }'
}
# json_field JSON KEY: the number of KEY in a flat JSON object.
json_field() { printf '%s' "$1" | sed -n "s/.*\"$2\":\([0-9.]*\).*/\1/p"; }
