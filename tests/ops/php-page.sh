# php-page.sh: the example search page (conf/examples/php/search.php) and
# its suggestion endpoint (suggest.php) under `php -S` over the real daemon
# on the sample archive, read over HTTP as a monitor or a crawler would: the
# status codes (200, 404 past the last page, 400 for a query the daemon
# refuses, 503 when the daemon is down), the HTML (interface language,
# highlights, filters, escaping) and the JSON of suggest.php. What a
# visitor sees in a browser is tests/web/page.sh.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/ops/ops-lib.sh"
. "$top_srcdir/tests/web/web-lib.sh"
command -v php >/dev/null 2>&1 || skip "php-cli is not installed"
start_sample_daemon
start_php_page

# get PATH [ACCEPT_LANGUAGE]: prints the status code, a newline, the body.
get() {
    php -r '
        $ctx = stream_context_create(["http" => ["ignore_errors" => true, "timeout" => 20,
            "header" => "Accept-Language: " . ($argv[2] ?? "") . "\r\n"]]);
        $body = file_get_contents($argv[1], false, $ctx);
        preg_match("~^HTTP/\S+ (\d+)~", $http_response_header[0] ?? "", $m);
        echo $m[1] ?? "000", "\n";
        foreach ($http_response_header as $h) if (stripos($h, "content-type:") === 0 || stripos($h, "retry-after:") === 0) echo $h, "\n";
        echo "\n", $body;' "$PAGE_BASE/$1" "${2:-}"
}
status() { printf '%s\n' "$1" | head -n 1; }

out=$(get 'search.php')
expect_eq "the empty page answers 200" 200 "$(status "$out")"
expect_match "the empty page has the box with its label" '<label for="q">' "$out"
expect_match "the empty page is English by default" '<html lang="en">' "$out"
out=$(get 'search.php' 'fr-CA,fr;q=0.8')
expect_match "Accept-Language fr-CA: a French page" '<html lang="fr">' "$out"
expect_match "Accept-Language fr-CA: French strings" '<h1>Rechercher dans les archives</h1>' "$out"
out=$(get 'search.php?lang=en' 'fr')
expect_match "?lang=en wins over Accept-Language" '<html lang="en">' "$out"

nb=$(printf '\302\240')   # no-break space
out=$(get 'search.php?q=permis&lang=fr')
expect_eq "a search answers 200" 200 "$(status "$out")"
expect_match "the count is in French" "id=\"count\"[^>]*>[0-9]+ résultats pour «${nb}permis${nb}»" "$out"
expect_match "snippets are highlighted with <mark>" '<p class="snippet">.*<mark>[Pp]ermis' "$out"
expect_match "a French post's hit carries lang=fr" '<li class="hit" lang="fr">' "$out"
expect_match "dates are written in French" "<time datetime=\"20[0-9-]{8}\">[0-9]{1,2}(er)?${nb}[a-zéû]+${nb}20[0-9][0-9]</time>" "$out"
expect_match "the year facet is shown" 'class="facet facet-year"' "$out"
n=$(printf '%s' "$out" | sed -n 's/.*id="count"[^>]*>\([0-9]*\) résultat.*/\1/p')
check "permis finds posts" test "${n:-0}" -gt 0

# Two categories are ORed; their counts come from the unfiltered search.
out=$(get 'search.php?q=permis&lang=en&category%5B%5D=Licensing&category%5B%5D=COVID')
expect_eq "two categories: 200" 200 "$(status "$out")"
check "two categories: both are active" test "$(printf '%s' "$out" | grep -c 'aria-current="true" title="Remove the filter')" = 2
hits=$(printf '%s' "$out" | grep -c '<span class="cats">')
in=$(printf '%s' "$out" | grep '<span class="cats">' | grep -c 'Licensing\|COVID')
expect_eq "two categories: every hit is in one of them" "$hits" "$in"

# A page past the end: 404 with a link to the last page.
out=$(get 'search.php?q=permis&lang=en&page=40')
expect_eq "a page past the end answers 404" 404 "$(status "$out")"
expect_match "a page past the end says where the results end" 'There is no page 40: the results end at page 1\.' "$out"
expect_match "a page past the end links back" 'id="last-page"' "$out"

# No result: tips, and a way out of the filters.
out=$(get 'search.php?q=permis&lang=en&year=1999')
expect_match "no result: the count says so" 'No results for “permis”' "$out"
expect_match "no result: tips" 'Check the spelling' "$out"
expect_match "no result with a filter: a link removes it" 'id="no-results-clear" href="\?q=permis&amp;lang=en"' "$out"

# A query longer than the page takes (1024 bytes): 400 and a message.
long=$(php -r 'echo str_repeat("medecin+", 130);')
out=$(get "search.php?lang=en&q=$long")
expect_eq "a query too long answers 400" 400 "$(status "$out")"
expect_match "a query too long: the page says to shorten it" 'id="error"[^>]*>This search could not be run' "$out"

# Escaping: the post with <script> in its title shows it as text, and the
# query is escaped wherever it is written back.
out=$(get 'search.php?q=alert+quotes')
# (the title is highlighted: title_html, its matches in <mark>)
expect_match "the <script> title shows as text" 'Alerte: &lt;script&gt;alert\(1\)&lt;/script&gt; &amp; &quot;quotes&quot;' "$(printf '%s' "$out" | sed -E 's#</?mark>##g')"
expect_match "the title's matches are marked" '&quot;<mark>quotes</mark>&quot; in a title' "$out"
check "no script element came from the archive" test "$(printf '%s' "$out" | grep -c '<script>alert')" = 0
out=$(get 'search.php?q=%3Cscript%3Ealert(2)%3C/script%3E%22%3E&category%5B%5D=%22%3E%3Cb%3E')
check "the query and the filters are escaped" test "$(printf '%s' "$out" | grep -c '<script>alert(2)\|"><b>')" = 0

# suggest.php: JSON, from the daemon's suggest op.
out=$(get 'suggest.php?q=equi')
expect_eq "suggest.php answers 200" 200 "$(status "$out")"
expect_match "suggest.php answers JSON" 'Content-Type: application/json' "$out"
json=$(printf '%s\n' "$out" | sed '1,/^$/d')
expect_match "suggest.php completes equi to équivalence" '"completions":\[[^]]*"équivalence"' "$json"
expect_match "suggest.php gives titles with their URL" '"titles":\[\{"title":"[^"]+","url":"https://socasma.example/' "$json"
out=$(get "suggest.php?q=$(php -r 'echo str_repeat("a", 300);')")
expect_eq "suggest.php refuses a long query with 400" 400 "$(status "$out")"
out=$(get 'suggest.php?q=')
expect_match "suggest.php: nothing typed, nothing suggested" '\{"completions":\[\],"titles":\[\]\}' "$out"

# The daemon down: 503, a message and Retry-After; suggest.php 503 too.
stop_daemon
out=$(get 'search.php?q=permis&lang=en')
expect_eq "daemon down: the page answers 503" 503 "$(status "$out")"
expect_match "daemon down: Retry-After" 'Retry-After: 60' "$out"
expect_match "daemon down: the page says so" 'id="error"[^>]*>The search is not available right now' "$out"
check "daemon down: no PHP error on the page" test "$(printf '%s' "$out" | grep -ci 'fatal error\|warning:\|notice:')" = 0
out=$(get 'search.php?q=permis&lang=fr')
expect_match "daemon down: the message in French" 'La recherche est indisponible pour le moment' "$out"
out=$(get 'suggest.php?q=equi')
expect_eq "daemon down: suggest.php answers 503" 503 "$(status "$out")"
check "the page logged no PHP warning" test "$(grep -ci 'PHP \(warning\|notice\|deprecated\|fatal\)' "$T/php.log")" = 0
finish
