# php-page.sh: the example search page (conf/examples/php/search.php)
# served by `php -S` on loopback over the real daemon, loaded in headless
# Chromium: the box, a search with highlighted results, a facet link that
# filters, the next page, a suggestion for a misspelt query, escaping, and
# the message when the daemon is down. The form is a GET form, so
# submitting it is loading ?q=...; links are followed as a click would.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/ops/ops-lib.sh"
command -v php >/dev/null 2>&1 || skip "php-cli is not installed"
CHROME=
for c in chromium chromium-browser google-chrome; do
    command -v "$c" >/dev/null 2>&1 && { CHROME=$c; break; }
done
[ -n "$CHROME" ] || skip "chromium is not installed"
start_sample_daemon

port=$(free_port)
SOCASMA_SOCKET="$SOCK" php -S "127.0.0.1:$port" -t "$top_srcdir/conf/examples/php" >"$T/php.log" 2>&1 &
php_pid=$!
on_exit "kill $php_pid 2>/dev/null"
base="http://127.0.0.1:$port/search.php"
i=0
until php -r 'exit(@fsockopen("127.0.0.1", '"$port"') ? 0 : 1);' 2>/dev/null; do
    i=$((i + 1)); [ $i -lt 100 ] || { cat "$T/php.log" >&2; echo "php -S did not start" >&2; exit 99; }
    sleep 0.05
done

# dom URL: the page as Chromium renders it.
dom() {
    HOME="$T" "$CHROME" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
        --no-first-run --user-data-dir="$T/chrome" --dump-dom "$1" 2>>"$T/chrome.log"
}
# href DOM ID_OR_CLASS TEXT: the href of the first link with TEXT inside
# the element whose id is ID (attribute entities decoded).
href() {
    printf '%s' "$1" | tr '\n' ' ' | sed 's/<\/li>/<\/li>\n/g; s/<\/a>/<\/a>\n/g' |
        grep -- "$2" | grep -o "<a[^>]*href=\"[^\"]*\"[^>]*>$3<" | head -n 1 |
        sed 's/.*href="\([^"]*\)".*/\1/; s/&amp;/\&/g'
}
count_of() { printf '%s' "$1" | sed -n 's/.*id="count">\([0-9]*\) result.*/\1/p'; }

page=$(dom "$base")
expect_match "the page shows the search box" '<input type="search" name="q" id="q"' "$page"

page=$(dom "$base?q=permis")
n=$(count_of "$page")
check "a search shows a result count" test -n "$n"
check "permis finds posts" test "${n:-0}" -gt 0
expect_match "results are highlighted with <mark>" '<p class="snippet">.*<mark>[Pp]ermis' "$page"
expect_match "results show a date" '<time datetime="20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]">' "$page"
expect_match "results show a language" '<span class="lang">(English|Français|English / Français)</span>' "$page"
expect_match "a category facet is shown" 'class="facet-category"' "$page"

# Click the facet "Licensing".
link=$(href "$page" 'facet-category\|<li' 'Licensing')
check "the Licensing facet is a link" test -n "$link"
page2=$(dom "$base$link")
n2=$(count_of "$page2")
check "the facet filters (fewer or as many results)" test "${n2:-999}" -le "${n:-0}"
check "the facet leaves results" test "${n2:-0}" -gt 0
hits=$(printf '%s' "$page2" | grep -c '<span class="cats">')
licensing=$(printf '%s' "$page2" | grep -c '<span class="cats">[^<]*Licensing')
expect_eq "every filtered result is in Licensing" "$hits" "$licensing"
expect_match "the facet shows as active" '<li class="active"><a[^>]*>Licensing</a>' "$page2"

# Language facet.
link=$(href "$page" 'facet-lang\|<li' 'Français')
if [ -n "$link" ]; then
    page3=$(dom "$base$link")
    check "the language facet keeps only French" test "$(printf '%s' "$page3" | grep -c '<span class="lang">English</span>')" = 0
else
    fail "the language facet has a Français link"
fi

# Page forward on a query with more than 10 results.
big=
for q in m%C3%A9decine residency CaRMS DHCEU coll%C3%A8ge; do
    p=$(dom "$base?q=$q")
    if [ "$(count_of "$p")" -gt 10 ] 2>/dev/null; then big=$q; break; fi
done
if [ -n "$big" ]; then
    next=$(printf '%s' "$p" | grep -o '<a rel="next" id="next" href="[^"]*"' | sed 's/.*href="\([^"]*\)"/\1/; s/&amp;/\&/g')
    check "a long result list has a Next link" test -n "$next"
    pnext=$(dom "$base$next")
    expect_match "Next shows page 2" '<span>Page 2 / [0-9]+</span>' "$pnext"
    expect_match "page 2 numbers its results from 11" '<ol class="results" id="results" start="11">' "$pnext"
    expect_match "page 2 has a Previous link" 'id="prev"' "$pnext"
else
    fail "no query of the sample gives more than 10 results"
fi

# A misspelt query: "did you mean".
page=$(dom "$base?q=equivalance")
expect_match "a misspelt query gets a suggestion" 'id="suggestion"' "$page"
sugg=$(printf '%s' "$page" | tr '\n' ' ' | sed -n 's/.*id="suggestion"[^<]*<a href="\([^"]*\)".*/\1/p' | sed 's/&amp;/\&/g')
if [ -n "$sugg" ]; then
    n=$(count_of "$(dom "$base$sugg")")
    check "following the suggestion finds posts" test "${n:-0}" -gt 0
fi

# Escaping: the post with <script> in its title shows it as text.
page=$(dom "$base?q=alert+quotes")
expect_match "the <script> title shows as text" 'Alerte: &lt;script&gt;alert\(1\)&lt;/script&gt; &amp; "quotes"' "$page"
check "no script element came from the archive" test "$(printf '%s' "$page" | grep -c '<script>alert')" = 0
page=$(dom "$base?q=%3Cscript%3Ealert(2)%3C/script%3E")
check "the query is escaped in the box" test "$(printf '%s' "$page" | grep -c '<script>alert(2)')" = 0

# The daemon down: a message, not a PHP error.
stop_daemon
page=$(dom "$base?q=permis")
expect_match "daemon down: the page says so" 'id="error">The search is not available right now' "$page"
check "daemon down: no PHP error on the page" test "$(printf '%s' "$page" | grep -ci 'fatal error\|warning:')" = 0
finish
