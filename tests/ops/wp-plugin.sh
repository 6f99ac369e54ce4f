# wp-plugin.sh: the WordPress plugin (conf/examples/php/wordpress/) on a real
# WordPress (Debian's, on MariaDB and Apache: tests/ops/wp-lib.sh) holding
# the sample archive's posts, indexed from WordPress's own export by the real
# indexer and served by the real daemon. Checks, in Twenty Twenty-Three and
# Twenty Twenty-One as installed: the settings page and its status box;
# search results from the daemon with highlighted excerpts; "Did you mean"
# and "Showing results for" in the themes' own search page; orderby=date;
# the count when a hit's post is no longer published; the REST suggest
# route; the circuit breaker (daemon stopped, daemon hung, a garbled answer
# that makes PHP throw): WordPress's own search, never a blank page, and the
# daemon not tried again for the breaker's time; wp-config.php constants
# winning; French strings; search as you type in the theme's own search
# form, in headless Chromium (tests/web/wp.mjs, when Chromium and the npm
# packages are there). Skips (77) when a package cannot be had.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/ops/ops-lib.sh"
. "$top_srcdir/tests/ops/wp-lib.sh"
. "$top_srcdir/tests/web/web-lib.sh"
[ -x "$SOCASMA_INDEX" ] || skip "socasma-index is not built"
[ -x "$SOCASMA_SEARCHD" ] || skip "socasma-searchd is not built"
wp_start
wp_theme twentytwentythree
n=$(wp_add_sample_posts)
expect_eq "the sample's posts are WordPress posts" 31 "$n"
wp_index_and_serve
wp_install_plugin
# Live updates off: this test is about hits whose post is no longer
# published (the index lagging behind the site); tests/ops/wp-live.sh tests
# the live index.
wp_config_set SOCASMA_LIVE false

header_of() { sed -n "s/^$1: *\([^[:cntrl:]]*\).*/\1/Ip" "$T/wp-headers" | tail -n 1; }
strip() { sed 's/<[^>]*>//g'; }
# daemon_titles Q [FIELDS]: the daemon's hits' titles for Q, one a line.
daemon_titles() {
    printf '{"op":"search","q":"%s","limit":100,"snippet":0%s}\n' "$1" "${2:-}" | nc -N -U "$SOCK" |
        php -r '$a = json_decode(stream_get_contents(STDIN), true); foreach ($a["hits"] as $h) echo $h["title"], "\n";'
}
# page_titles: the titles of the posts on the page in $T/wp-body (both themes
# link them in an <h2>), entities decoded.
page_titles() {
    php -r 'preg_match_all("~<h2[^>]*(wp-block-post-title|entry-title)[^>]*>\s*<a[^>]*>(.*?)</a>~s", file_get_contents($argv[1]), $m);
        foreach ($m[2] as $t) echo html_entity_decode(strip_tags($t), ENT_QUOTES | ENT_HTML5, "UTF-8"), "\n";' "$T/wp-body"
}
# page_dates: the posts' dates (YYYY-MM-DD) in the page's order.
page_dates() { grep -o '<time datetime="[0-9-]*' "$T/wp-body" | sed 's/.*"//'; }

# ---- the settings page ----------------------------------------------------
wp_login
page=$(wp_get '/wp-admin/options-general.php?page=socasma-search')
expect_eq "the settings page answers 200" 200 "$(cat "$T/wp-status")"
expect_match "the settings page has the address field" 'id="socasma-address"' "$page"
expect_match "the status box: the default socket is not reachable" 'id="socasma-status-reachable">No</span>' "$page"
expect_match "the status box says what to check" 'Is socasma-searchd running' "$page"
# save_settings FIELD=VALUE...: submits the settings form as a browser
# would, and prints the page it is sent back to.
save_settings() {
    p=$(wp_get '/wp-admin/options-general.php?page=socasma-search')
    nonce=$(printf '%s' "$p" | sed -n 's/.*name="_wpnonce" value="\([^"]*\)".*/\1/p' | head -n 1)
    for kv in "$@"; do
        set -- "$@" --data-urlencode "socasma_search_settings[${kv%%=*}]=${kv#*=}"
        shift
    done
    wp_get /wp-admin/options.php --data-urlencode "option_page=socasma_search" \
        --data-urlencode "action=update" --data-urlencode "_wpnonce=$nonce" \
        --data-urlencode "_wp_http_referer=/wp-admin/options-general.php?page=socasma-search" -L "$@"
}
page=$(save_settings "address=$SOCK" "connect_timeout=0.3" "read_timeout=1" "breaker_seconds=30")
expect_match "saving the settings goes back to the page" '^Location: /wp-admin/options-general.php\?page=socasma-search&settings-updated=true' "$(tr -d '\r' <"$T/wp-headers")"
expect_match "saving the settings says so" 'Settings saved\.' "$page"
expect_eq "the address is saved" "$SOCK" "$(wp_php 'echo socasma_wp_setting("address");')"
expect_eq "the read timeout is saved" "1" "$(wp_php 'echo socasma_wp_setting("read_timeout");')"
page=$(wp_get '/wp-admin/options-general.php?page=socasma-search')
expect_match "the status box: the daemon is reachable" 'id="socasma-status-reachable">Yes</span>' "$page"
indexed=$(printf '{"op":"stats"}\n' | nc -N -U "$SOCK" | sed -n 's/.*"posts":\([0-9]*\).*/\1/p')
published=$(wp_php 'echo wp_count_posts("post")->publish;')
check "the index holds the site's posts (and WordPress's first post)" test "$indexed" -ge 32
expect_match "the status box: the posts of the index and of WordPress" "id=\"socasma-status-posts\">$indexed</span> \\(WordPress has $published published posts\\)" "$page"
expect_match "the status box: when it was last indexed" 'id="socasma-status-last">[^<]*ago\)' "$page"
page=$(save_settings "address=not an address")
expect_match "an invalid address is refused with a message" 'Daemon address: not a valid value; the previous one is kept' "$page"
expect_eq "an invalid address keeps the previous one" "$SOCK" "$(wp_php 'echo socasma_wp_setting("address");')"

# ---- search in Twenty Twenty-Three --------------------------------------------
wp_get '/?s=permis' >/dev/null
expect_eq "a search answers 200" 200 "$(cat "$T/wp-status")"
expect_eq "the search is the daemon's" daemon "$(header_of X-Socasma-Search)"
expect_eq "the page shows the daemon's hits, in its order" "$(daemon_titles permis)" "$(page_titles)"
check "the excerpts are the daemon's highlighted snippets" grep -q 'wp-block-post-excerpt__excerpt">[^<]*<mark>[Pp]ermis' "$T/wp-body"
check "the theme's own title is there" grep -q 'wp-block-query-title">Search results for: &#8220;permis&#8221;' "$T/wp-body"

wp_get '/?s=residancy' >/dev/null
expect_match "a misspelt word: Did you mean, under the theme's title" \
    'wp-block-query-title">Search results for: &#8220;residancy&#8221;</h1><p class="socasma-notice" role="status">Did you mean <a href="[^"]*s=residency">residency</a>\?</p>' \
    "$(tr -d '\n' <"$T/wp-body")"
wp_get '/?s=permiss' >/dev/null
expect_match "a word absent from the archive: Showing results for" \
    '<p class="socasma-notice" role="status">Showing results for <a href="[^"]*s=permis">permis</a>\. There were no results for “permiss”\.</p>' \
    "$(tr -d '\n' <"$T/wp-body")"
expect_eq "Showing results for: the hits of the correction" "$(daemon_titles permis)" "$(page_titles)"

wp_get '/?s=permis&orderby=date' >/dev/null
expect_eq "orderby=date: the daemon's" daemon "$(header_of X-Socasma-Search)"
expect_eq "orderby=date: the daemon's hits sorted by date" "$(daemon_titles permis ',"sort":"date"')" "$(page_titles)"
d=$(page_dates)
expect_eq "orderby=date: newest first" "$(printf '%s\n' "$d" | sort -r)" "$d"
wp_get '/?s=permis&orderby=date&order=ASC' >/dev/null
expect_eq "orderby=date&order=ASC: left to WordPress" "" "$(header_of X-Socasma-Search)"
d=$(page_dates)
check "orderby=date&order=ASC: WordPress lists posts" test -n "$d"
expect_eq "orderby=date&order=ASC: oldest first" "$(printf '%s\n' "$d" | sort)" "$d"

# A hit whose post is no longer published is dropped, and counted out.
total=$(daemon_titles permis | wc -l)
drafted=$(wp_php '$p = get_posts(["s" => "permis restrictif", "post_type" => "post", "numberposts" => 1]);
    wp_update_post(["ID" => $p[0]->ID, "post_status" => "draft"]); echo $p[0]->post_title;')
check "a post of the permis hits is now a draft" test -n "$drafted"
check "the index still has it" test "$(daemon_titles permis | grep -cxF "$drafted")" = 1
wp_get '/?s=permis' >/dev/null
shown=$(page_titles | wc -l)
expect_eq "the draft is not shown: one post less" "$((total - 1))" "$shown"
check "the draft's title is not on the page" test "$(page_titles | grep -cxF "$drafted")" = 0
# Pages of 4: every page full but the last, the count as the posts shown.
wp_php 'update_option("posts_per_page", 4);'
all=""
p=1
while [ $p -le 5 ]; do
    wp_get "/page/$p/?s=permis" >/dev/null
    [ "$(cat "$T/wp-status")" = 200 ] || break
    all="$all$(page_titles)
"
    p=$((p + 1))
done
all=$(printf '%s' "$all" | sed '/^$/d')
expect_eq "pages of 4: as many pages as the published posts need" "$(( (total - 1 + 3) / 4 ))" "$((p - 1))"
expect_eq "pages of 4: every published hit once, in order" "$(daemon_titles permis | grep -vxF "$drafted")" "$all"
wp_php 'update_option("posts_per_page", 10);'

# ---- the REST suggest route ------------------------------------------------
out=$(wp_get '/wp-json/socasma/v1/suggest?q=equi')
expect_eq "suggest: 200" 200 "$(cat "$T/wp-status")"
expect_match "suggest: completions from the archive" '"completions":\[\{"text":"\\u00e9quivalence"|"text":"équivalence"' "$out"
expect_match "suggest: titles with their permalink" "\"titles\":\\[\\{\"title\":\"[^\"]+\",\"url\":\"http:\\\\/\\\\/127.0.0.1:[0-9]+\\\\/" "$out"
out=$(wp_get '/wp-json/socasma/v1/suggest?q=permis+restr')
check "suggest: no draft among the titles" test "$(printf '%s' "$out" | php -r '$a = json_decode(stream_get_contents(STDIN), true);
    foreach ($a["titles"] as $t) echo $t["title"], "\n";' | grep -cxF "$drafted")" = 0
wp_get '/wp-json/socasma/v1/suggest' >/dev/null
expect_eq "suggest without q: 400" 400 "$(cat "$T/wp-status")"
wp_get '/?rest_route=/socasma/v1/suggest&q=perm' >/dev/null
expect_eq "suggest through ?rest_route= too" 200 "$(cat "$T/wp-status")"

# ---- search as you type in the theme's own form (Chromium) ---------------------
if command -v node >/dev/null 2>&1 && [ -d "$WEB_MODULES/puppeteer-core" ] &&
   { command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; }; then
    need_browser
    PAGE_URL="$WP_URL" run_node wp.mjs
else
    echo "no Chromium, Node.js or npm packages: search as you type was not tried in a browser"
fi

# ---- French ------------------------------------------------------------------
wp_locale fr_FR
wp_get '/?s=residancy' >/dev/null
nnb=$(printf '\342\200\257')   # narrow no-break space, before "?" in French
expect_match "a French site: Vouliez-vous dire" "class=\"socasma-notice\" role=\"status\">Vouliez-vous dire <a [^>]*>residency</a>$nnb\\?</p>" "$(cat "$T/wp-body")"
wp_locale ""

# ---- Twenty Twenty-One (a classic theme) -------------------------------------
wp_theme twentytwentyone
wp_get '/?s=permis' >/dev/null
expect_eq "Twenty Twenty-One: the daemon's hits but the draft" "$(daemon_titles permis | grep -vxF "$drafted")" "$(page_titles)"
expect_match "Twenty Twenty-One: the theme's count matches the posts shown" "We found $((total - 1)) results for your search" "$(strip <"$T/wp-body" | tr -s ' \n' ' ')"
check "Twenty Twenty-One: highlighted excerpts" grep -q '<mark>[Pp]ermis' "$T/wp-body"
wp_get '/?s=residancy' >/dev/null
body=$(tr -d '\n' <"$T/wp-body")
expect_match "Twenty Twenty-One: Did you mean, after the theme's title and before the posts" \
    'class="page-title">[[:space:]]*Results for.*residancy.*<p class="socasma-notice" role="status">Did you mean <a [^>]*>residency</a>\?</p>.*<article' "$body"
check "Twenty Twenty-One: the notice is printed once" test "$(grep -o 'class="socasma-notice"' "$T/wp-body" | wc -l)" = 1

# ---- the circuit breaker -------------------------------------------------------
# 1. The daemon stopped: WordPress's search at once, then for 30 s the
#    daemon is not tried, even once it is back.
stop_daemon
wp_get '/?s=permis' >/dev/null
expect_eq "daemon stopped: 200" 200 "$(cat "$T/wp-status")"
expect_eq "daemon stopped: WordPress's own search" fallback "$(header_of X-Socasma-Search)"
check "daemon stopped: the page lists WordPress's results" test "$(page_titles | wc -l)" -gt 0
check "daemon stopped: the page is the theme's, whole" grep -q '</html>' "$T/wp-body"
expect_eq "the breaker is open for 30 s" 30 "$(wp_php '$b = get_transient("socasma_search_breaker"); echo $b["until"] - $b["since"];')"
wp_serve
wp_get '/?s=permis' >/dev/null
expect_eq "within the 30 s: the daemon is not tried, even when back" breaker "$(header_of X-Socasma-Search)"
check "within the 30 s: WordPress's results" test "$(page_titles | wc -l)" -gt 0
page=$(wp_get '/wp-admin/options-general.php?page=socasma-search')
expect_match "the status box shows the breaker open and why" "id=\"socasma-status-breaker\">WordPress&#039;s own search until [0-9:]+[^<]*, because: cannot connect to the search daemon" "$page"
wp_get '/wp-json/socasma/v1/suggest?q=equi' >/dev/null
expect_eq "within the 30 s: suggest answers 503 without trying" "503 breaker" "$(cat "$T/wp-status") $(header_of X-Socasma-Search)"
# Saving the settings closes the breaker (the admin fixed something).
save_settings "read_timeout=1" >/dev/null
wp_get '/?s=permis' >/dev/null
expect_eq "after saving the settings the daemon is tried again" daemon "$(header_of X-Socasma-Search)"

# 2. The daemon hung (a peer that accepts and never answers, counting the
#    connections), set by wp-config.php constants, which win over the page.
php -r '$s = stream_socket_server("unix://" . $argv[1]); chmod($argv[1], 0666); $n = 0;
    $held = [];
    while ($c = @stream_socket_accept($s, 120)) { $held[] = $c; file_put_contents($argv[2], ++$n); }' \
    "$T/hung.sock" "$T/hung.count" &
hung_pid=$!
on_exit "kill $hung_pid 2>/dev/null"
_wp_wait 10 test -S "$T/hung.sock"
wp_config_set SOCASMA_SOCKET "'$T/hung.sock'"
wp_config_set SOCASMA_READ_TIMEOUT 1
# 10 s: the three requests below must run inside it, even on a machine
# loaded with other builds (3 s was too short there).
wp_config_set SOCASMA_BREAKER_SECONDS 10
page=$(wp_get '/wp-admin/options-general.php?page=socasma-search')
expect_match "a constant shows on the settings page, read-only" "value=\"$T/hung.sock\"[^>]*disabled" "$(printf '%s' "$page" | tr -d '\n')"
expect_match "the settings page names the constant" 'Set in wp-config.php by SOCASMA_SOCKET, which wins over this page' "$page"
wp_php 'delete_transient("socasma_search_breaker");'
tried=$(cat "$T/hung.count")   # the settings page's status box tried it
wp_get '/?s=permis' >/dev/null
expect_eq "daemon hung: WordPress's own search after the read timeout" "200 fallback" "$(cat "$T/wp-status") $(header_of X-Socasma-Search)"
check "daemon hung: the page lists WordPress's results" test "$(page_titles | wc -l)" -gt 0
expect_eq "daemon hung: it was tried once" "$((tried + 1))" "$(cat "$T/hung.count")"
wp_get '/?s=residency' >/dev/null
wp_get '/wp-json/socasma/v1/suggest?q=resid' >/dev/null
wp_get '/?s=college' >/dev/null
expect_eq "daemon hung: the next searches do not try it" "breaker $((tried + 1))" "$(header_of X-Socasma-Search) $(cat "$T/hung.count")"
check "daemon hung: the next searches list WordPress's results" test "$(page_titles | wc -l)" -gt 0
# until the breaker's time is over
until_ts=$(wp_php '$b = get_transient("socasma_search_breaker"); echo is_array($b) ? (int)$b["until"] : 0;')
while [ "$(date +%s)" -le "${until_ts:-0}" ]; do sleep 0.2; done
wp_get '/?s=permis' >/dev/null
expect_eq "after the breaker's time the daemon is tried again" "fallback $((tried + 2))" "$(header_of X-Socasma-Search) $(cat "$T/hung.count")"
kill $hung_pid 2>/dev/null

# 3. A garbled answer that makes the plugin's PHP throw an Error.
php -r '$s = stream_socket_server("unix://" . $argv[1]); chmod($argv[1], 0666);
    while ($c = @stream_socket_accept($s, 120)) { fgets($c); fwrite($c, "{\"ok\":true,\"total\":2,\"hits\":[5,\"x\"]}\n"); fclose($c); }' \
    "$T/garbled.sock" &
garbled_pid=$!
on_exit "kill $garbled_pid 2>/dev/null"
_wp_wait 10 test -S "$T/garbled.sock"
wp_config_set SOCASMA_SOCKET "'$T/garbled.sock'"
wp_php 'delete_transient("socasma_search_breaker");'
wp_get '/?s=permis' >/dev/null
expect_eq "a PHP Error in the plugin: WordPress's own search" "200 fallback" "$(cat "$T/wp-status") $(header_of X-Socasma-Search)"
check "a PHP Error in the plugin: the page lists WordPress's results" test "$(page_titles | wc -l)" -gt 0
check "a PHP Error in the plugin: it is logged" grep -q 'socasma-search: TypeError' "$T/apache/error.log" "$T/wp-debug.log"
kill $garbled_pid 2>/dev/null

# Constants removed: the page's settings again.
wp_config_unset SOCASMA_SOCKET; wp_config_unset SOCASMA_READ_TIMEOUT; wp_config_unset SOCASMA_BREAKER_SECONDS
wp_php 'delete_transient("socasma_search_breaker");'
wp_get '/?s=permis' >/dev/null
expect_eq "without the constants, the settings page's address again" daemon "$(header_of X-Socasma-Search)"

# No PHP warning, notice or error from the plugin's files.
check "the plugin raised no PHP warning" test "$(cat "$T/wp-debug.log" "$T/apache/error.log" |
    grep 'plugins/socasma-search' | grep -ci 'warning\|notice\|deprecated\|fatal')" = 0
keep_shots
finish
