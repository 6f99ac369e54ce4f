# wp-live.sh: the live index on a real WordPress (Debian's, on MariaDB and
# Apache: tests/ops/wp-lib.sh) with the plugin (conf/examples/php/wordpress/)
# and the real daemon on a Unix socket the web server's user may write to.
# The site holds the sample archive's posts and a few posts whose fields are
# easy to get wrong (entities, blanks, a control character, CR LF,
# shortcodes, a category that names the language, a page), indexed
# from WordPress's own export. Checks:
# - push-all.php (first install, no WP-CLI): every post sent, in batches,
#   with progress, and every one "unchanged": the plugin sends the fields
#   the export gives;
# - a post published in the block editor's way (REST) is found through the
#   site's /?s= within 2 s, answered by the daemon; its title edited, the
#   new title is found and the old one is not; its categories and tags
#   changed, renamed, the daemon has the new ones; trashed, it is gone from
#   the daemon and the theme's count is one less; unpublished, deleted for
#   good: gone;
# - the daemon stopped: saving still works, the change waits in the queue
#   table, the status box says so; the daemon started, WP-Cron run: found;
# - the daemon hung: saving comes back, the change waits; past an hour the
#   admin notice shows, and goes once WP-Cron has sent it;
# - a post the daemon refuses (too large) leaves the queue, is listed in the
#   status box and the log, and the other post of its request goes;
# - 1,500 posts changed at once (a new permalink structure): WP-Cron sends
#   them in batches of 100 and the daemon has them all;
# - the settings page's "Send every post" (admin-ajax.php batches), and the
#   button pressed in Chromium (tests/web/wp-push.mjs) when it is there;
# - a daemon on TCP with write = token: without the token or with a wrong
#   one the change waits (forbidden, in the status box); the token saved on
#   the settings page (never shown back), WP-Cron sends it;
# - replicas: with Search addresses set to a second daemon with
#   `primary =` (the same database), the site's searches are answered by
#   it and the live writes still go to the daemon address; a search address
#   that does not answer is passed over; the status box shows each one's
#   role;
# - the nightly socasma-reindex on the site's export (posts and pages, as
#   socasma-reindex takes it) then reports every post unchanged, nothing
#   added, updated or deleted.
# Skips (77) only when a package is missing (./bootstrap installs them).
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/ops/ops-lib.sh"
. "$top_srcdir/tests/ops/wp-lib.sh"
. "$top_srcdir/tests/web/web-lib.sh"
REINDEX="$top_builddir/conf/socasma-reindex"
[ -x "$SOCASMA_INDEX" ] || skip "socasma-index is not built"
[ -x "$SOCASMA_SEARCHD" ] || skip "socasma-searchd is not built"
[ -x "$REINDEX" ] || skip "conf/socasma-reindex is not built"
command -v nc >/dev/null 2>&1 || skip "netcat-openbsd is not installed"
wp_start
wp_theme twentytwentyone
n=$(wp_add_sample_posts)
expect_eq "the sample's posts are WordPress posts" 31 "$n"

# Posts whose fields the export and the plugin must give alike.
tricky=$(wp_php '
    require_once ABSPATH . "wp-admin/includes/taxonomy.php";
    $fr = (int)wp_create_category("Français");
    $uid = wp_insert_user(["user_login" => "jeanne", "user_pass" => wp_generate_password(),
                           "display_name" => "Jeanne d&#039;Arc", "role" => "author"]);
    $a = wp_insert_post(["post_title" => wp_slash("  Fish &amp; Chips &#8211; l’été “tricky”  "),
        "post_content" => wp_slash("<p>Caf&eacute; &nbsp; cr&egrave;me and the word tricolour.</p>\n[caption id=\"c1\"]<img src=\"a.png\" alt=\"\"> A caption[/caption]\n<p>Second paragraph.</p>"),
        "post_status" => "publish", "post_category" => [$fr], "tags_input" => ["Q&A", "  spaced tag  "],
        "post_author" => $uid, "post_date" => "2023-03-04 05:06:07"], true);
    $b = wp_insert_post(["post_type" => "page", "post_title" => "About the archive",
        "post_content" => "<p>Pages are in the index too: hexagonal.</p>", "post_status" => "publish"], true);
    echo is_wp_error($a) || is_wp_error($b) ? "error" : "$a $b";')
tricky_id=${tricky% *}
page_id=${tricky#* }
check "the tricky post and the page are made" test "$tricky" != error
# What WordPress's own forms do not store: CR LF, a control character.
wp_sql "UPDATE wp_posts SET post_content = CONCAT(post_content, '\r\n<p>A bell', CHAR(7), ' rang.</p>\r\n') WHERE ID = $tricky_id"

WP_EXPORT_CONTENT=all wp_index_and_serve
# Posts of 1 MiB at most, for the refused post below.
printf '[index]\nmax_post_bytes = 1048576\n' >>"$T/wp-daemon.conf"
stop_daemon
wp_serve
version=$(printf '{"op":"version"}\n' | nc -N -U "$SOCK")
protocol=$(printf '%s' "$version" | sed -n 's/.*"protocol":\([0-9]*\).*/\1/p')
if [ "${protocol:-1}" -lt 2 ]; then
    fail "the daemon takes writes (protocol 2): $version"
    finish
fi
wp_install_plugin
wp_config_set SOCASMA_SOCKET "'$SOCK'"
wp_config_set SOCASMA_CONNECT_TIMEOUT 1

# ---- helpers ----------------------------------------------------------------
# daemon Q [FIELDS]: the daemon's answer to a search for Q.
daemon() {
    printf '{"op":"search","q":"%s","limit":100,"snippet":0%s}\n' "$1" "${2:-}" | nc -N -U "$SOCK"
}
daemon_total() { daemon "$@" | sed -n 's/.*"total":\([0-9]*\).*/\1/p'; }
daemon_titles() {
    daemon "$@" | php -r '$a = json_decode(stream_get_contents(STDIN), true); foreach ($a["hits"] ?? [] as $h) echo $h["title"], "\n";'
}
daemon_tcp_total() {
    printf '{"op":"search","q":"%s"}\n' "$1" | nc -N 127.0.0.1 "$(cat "$T/port")" | sed -n 's/.*"total":\([0-9]*\).*/\1/p'
}
daemon_posts() { printf '{"op":"stats"}\n' | nc -N -U "$SOCK" | sed -n 's/.*"posts":\([0-9]*\).*/\1/p'; }
header_of() { sed -n "s/^$1: *\([^[:cntrl:]]*\).*/\1/Ip" "$T/wp-headers" | tail -n 1; }
page_titles() {
    php -r 'preg_match_all("~<h2[^>]*(wp-block-post-title|entry-title)[^>]*>\s*<a[^>]*>(.*?)</a>~s", file_get_contents($argv[1]), $m);
        foreach ($m[2] as $t) echo html_entity_decode(strip_tags($t), ENT_QUOTES | ENT_HTML5, "UTF-8"), "\n";' "$T/wp-body"
}
json_field() { php -r '$a = json_decode(stream_get_contents(STDIN), true); echo $a[$argv[1]] ?? "";' "$1"; }
now_ms() { date +%s%3N; }
# site_finds WORD TITLE: polls the site's search for WORD for 2 s (the
# issue's bound) until the daemon answers it with TITLE among the posts.
site_finds() {
    _end=$(( $(now_ms) + 2000 ))
    while :; do
        wp_get "/?s=$1" >/dev/null
        [ "$(header_of X-Socasma-Search)" = daemon ] && page_titles | grep -qxF "$2" && return 0
        [ "$(now_ms)" -lt "$_end" ] || return 1
        sleep 0.1
    done
}
# daemon_within CMD...: polls CMD for 2 s until it succeeds.
daemon_within() {
    _end=$(( $(now_ms) + 2000 ))
    until "$@"; do
        [ "$(now_ms)" -lt "$_end" ] || return 1
        sleep 0.1
    done
}
# total_is N Q [FIELDS]: the daemon's total for Q is N.
total_is() { [ "$(daemon_total "$2" "${3:-}")" = "$1" ]; }
queued() { wp_sql "SELECT COUNT(*) FROM wp_socasma_queue${1:+ WHERE post_id = $1}"; }
published=$(wp_php 'echo wp_count_posts("post")->publish + wp_count_posts("page")->publish;')

# ---- activation -------------------------------------------------------------
expect_eq "activation made the queue table" wp_socasma_queue "$(wp_sql "SHOW TABLES LIKE 'wp_socasma_queue'")"
expect_eq "WP-Cron sends the queue every minute" socasma_minute "$(wp_php 'echo wp_get_schedule("socasma_search_send_queue");')"
expect_eq "the index holds the site's posts and pages" "$published" "$(daemon_posts)"

# ---- push-all.php: the whole site, in batches, every post unchanged ----------
out=$(php "$WP_DIR/wp-content/plugins/socasma-search/push-all.php" --url="$WP_URL" --batch=10 2>&1)
rc=$?
expect_eq "push-all.php: exit 0" 0 "$rc"
expect_match "push-all.php: progress by batches of 10" "socasma-search: 10 of $published posts \\([0-9]+%\\)" "$out"
expect_match "push-all.php: every post sent, each unchanged (the plugin's fields are the export's)" \
    "done: $published posts sent: 0 added, 0 updated, $published unchanged, 0 refused" "$out"
out=$(php "$WP_DIR/wp-content/plugins/socasma-search/push-all.php" --url="$WP_URL" --batch=0 2>&1)
expect_eq "push-all.php: a bad --batch is a usage error (2)" "2 push-all.php: --batch must be a whole number from 1 to 1000" "$? $(printf '%s' "$out" | head -n 1)"
wp_get /wp-content/plugins/socasma-search/push-all.php >/dev/null
expect_eq "push-all.php is not run from the web" 403 "$(cat "$T/wp-status")"

# ---- publish, edit, terms, trash in the block editor's way (REST) ----------------
wp_login
cat_fr=$(wp_php 'echo get_cat_ID("Français");')
permis_before=$(daemon_total permis)
out=$(wp_rest POST /wp/v2/posts '{"title":"Zorblaxite findings","status":"publish","categories":['"$cat_fr"'],"content":"<!-- wp:paragraph --><p>The quuxenheimer report about the permis.</p><!-- /wp:paragraph -->"}')
expect_eq "REST: the post is published" 201 "$(cat "$T/wp-status")"
id=$(printf '%s' "$out" | json_field id)
check "published: the site's search finds its unique word within 2 s, through the daemon" site_finds quuxenheimer "Zorblaxite findings"
expect_eq "published: the daemon has it, as wp-$id" "wp-$id" "$(daemon quuxenheimer | sed -n 's/.*"id":"\(wp-[0-9]*\)".*/\1/p')"
expect_eq "published: its language from its category Français" fr "$(daemon quuxenheimer | sed -n 's/.*"lang":"\([a-z]*\)".*/\1/p')"
expect_eq "published: one more post under permis" "$((permis_before + 1))" "$(daemon_total permis)"
check "the daemon's access log has the put" grep -q ' put [0-9]* [0-9.]* ok added=1 ' "$T/wp-access.log"
check "the daemon's access log has no content" test "$(grep -c quuxenheimer "$T/wp-access.log")" = 0

wp_rest POST "/wp/v2/posts/$id" '{"title":"Vexillology notes"}' >/dev/null
expect_eq "REST: the title is edited" 200 "$(cat "$T/wp-status")"
check "title edited: the new title is found within 2 s" site_finds vexillology "Vexillology notes"
expect_eq "title edited: the old title is not found" 0 "$(daemon_total zorblaxite)"
expect_eq "title edited: still one post" 1 "$(daemon_total quuxenheimer)"

cat_new=$(wp_php 'require_once ABSPATH . "wp-admin/includes/taxonomy.php"; echo wp_create_category("Heraldry");')
wp_rest POST "/wp/v2/posts/$id" '{"categories":['"$cat_new"']}' >/dev/null
check "categories changed: the daemon has the new category within 2 s" \
    daemon_within total_is 1 quuxenheimer ',"category":"Heraldry"'
wp_php 'wp_set_post_terms((int)$args[0], ["Blazon"], "post_tag", true);' "$id"
check "a tag added outside a save (wp_set_post_terms): the daemon has it" \
    daemon_within total_is 1 quuxenheimer ',"tag":"Blazon"'
wp_php '$t = get_term_by("name", "Heraldry", "category"); wp_update_term($t->term_id, "category", ["name" => "Armory"]);'
check "a category renamed: its posts carry the new name" daemon_within total_is 1 quuxenheimer ',"category":"Armory"'
expect_eq "a category renamed: not the old one" 0 "$(daemon_total quuxenheimer ',"category":"Heraldry"')"

wp_rest DELETE "/wp/v2/posts/$id" >/dev/null
expect_eq "REST: the post is trashed" 200 "$(cat "$T/wp-status")"
check "trashed: gone from the daemon within 2 s" daemon_within total_is 0 quuxenheimer
expect_eq "trashed: the daemon's count for permis is back" "$permis_before" "$(daemon_total permis)"
wp_get '/?s=permis' >/dev/null
expect_match "trashed: the theme's count is right" "We found $permis_before results for your search" "$(sed 's/<[^>]*>//g' "$T/wp-body" | tr -s ' \n' ' ')"
check "trashed: the site's search does not list it" test "$(page_titles | grep -cxF 'Vexillology notes')" = 0

# Unpublished (a draft), published again, deleted for good.
sample=$(wp_php '$p = get_posts(["s" => "permis restrictif", "post_type" => "post", "numberposts" => 1]); echo $p[0]->ID;')
wp_rest POST "/wp/v2/posts/$sample" '{"status":"draft"}' >/dev/null
check "unpublished: gone from the daemon" daemon_within total_is "$((permis_before - 1))" permis
wp_rest POST "/wp/v2/posts/$sample" '{"status":"publish"}' >/dev/null
check "published again: back" daemon_within total_is "$permis_before" permis
wp_rest DELETE "/wp/v2/posts/$sample&force=true" >/dev/null
expect_eq "REST: deleted for good" 200 "$(cat "$T/wp-status")"
check "deleted for good: gone from the daemon" daemon_within total_is "$((permis_before - 1))" permis
# What a save could not send in its time (a slow machine) WP-Cron sends.
wp_cron
expect_eq "after WP-Cron, nothing waits" 0 "$(queued)"

# ---- the daemon stopped: the change waits, WP-Cron sends it ---------------------
stop_daemon
out=$(wp_rest POST /wp/v2/posts '{"title":"Ptarmigan sighting","status":"publish","content":"<p>A ptarmigan in the snow.</p>"}')
expect_eq "daemon stopped: saving still works" 201 "$(cat "$T/wp-status")"
id2=$(printf '%s' "$out" | json_field id)
expect_eq "daemon stopped: the change waits in the queue" 1 "$(queued "$id2")"
page=$(wp_get '/wp-admin/options-general.php?page=socasma-search')
expect_match "the status box: one post waiting" 'id="socasma-status-queue">1 post, waiting for' "$page"
expect_match "the status box: the last live update failed, and why" 'id="socasma-status-write-error">[^<]*cannot connect to the search daemon' "$page"
wp_serve
wp_cron
expect_eq "daemon back, WP-Cron run: the queue is empty" 0 "$(queued)"
expect_eq "daemon back, WP-Cron run: the daemon has the post" 1 "$(daemon_total ptarmigan)"
check "daemon back, WP-Cron run: the site's search finds it" site_finds ptarmigan "Ptarmigan sighting"

# ---- the daemon hung: saving comes back; past an hour, a notice ---------------------
php -r '$s = stream_socket_server("unix://" . $argv[1]); chmod($argv[1], 0666); $n = 0; $held = [];
    while ($c = @stream_socket_accept($s, 120)) { $held[] = $c; file_put_contents($argv[2], ++$n); }' \
    "$T/hung.sock" "$T/hung.count" &
hung_pid=$!
on_exit "kill $hung_pid 2>/dev/null"
_wp_wait 10 test -S "$T/hung.sock"
wp_config_set SOCASMA_SOCKET "'$T/hung.sock'"
out=$(wp_get /?rest_route=/wp/v2/posts -X POST -H "X-WP-Nonce: $_wp_rest_nonce" -H 'Content-Type: application/json' \
      --max-time 20 --data-binary '{"title":"Quokka census","status":"publish","content":"<p>Quokkas counted.</p>"}')
expect_eq "daemon hung: saving comes back (without waiting for an answer that never comes)" 201 "$(cat "$T/wp-status")"
id3=$(printf '%s' "$out" | json_field id)
check "daemon hung: it was tried" test "$(cat "$T/hung.count" 2>/dev/null || echo 0)" -ge 1
expect_eq "daemon hung: the change waits in the queue" 1 "$(queued "$id3")"
page=$(wp_get /wp-admin/index.php)
check "less than an hour: no notice" test "$(printf '%s' "$page" | grep -c 'socasma-queue-notice')" = 0
wp_sql "UPDATE wp_socasma_queue SET queued_at = queued_at - 7200"
page=$(wp_get /wp-admin/index.php)
expect_match "past an hour: the admin notice, with the count and the age" \
    'id="socasma-queue-notice"><p>socasma-search: 1 changed post has waited 2 hours for the search daemon' "$page"
kill $hung_pid 2>/dev/null
wp_config_set SOCASMA_SOCKET "'$SOCK'"
wp_cron
expect_eq "WP-Cron sent it: the queue is empty" 0 "$(queued)"
expect_eq "WP-Cron sent it: the daemon has it" 1 "$(daemon_total quokka)"
page=$(wp_get /wp-admin/index.php)
check "the notice is gone" test "$(printf '%s' "$page" | grep -c 'socasma-queue-notice')" = 0

# ---- a post the daemon refuses: set aside, the others of its batch go --------------------
big=$(wp_php '$id = wp_insert_post(["post_title" => "Oversize", "post_content" => "<p>Small at first: okapi.</p>",
    "post_status" => "publish"]); echo $id;')
check "a post that will grow is first in the daemon" daemon_within total_is 1 okapi
# 2 MB: over the daemon's max_post_bytes (1 MiB here), under the plugin's
# 4 MiB a request, so in one request with the other post.
wp_sql "UPDATE wp_posts SET post_content = REPEAT('<p>Filler words for an oversize okapi post.</p>', 45000) WHERE ID = $big"
quokka=$(wp_sql "SELECT ID FROM wp_posts WHERE post_title = 'Quokka census'")
wp_php 'foreach ($args as $id) wp_set_post_terms((int)$id, ["Zoology"], "post_tag", true);' "$big" "$quokka"
wp_cron   # for what the save could not send in its time (a slow machine)
expect_eq "the other post of the batch went" 1 "$(daemon_total quokka ',"tag":"Zoology"')"
expect_eq "the daemon refused a put (the two posts), then took the one" "bad_request ok 1" \
    "$(awk '$3 == "put" && $6 == "bad_request" { bad = 1; next }
            bad && $3 == "put" { sub(/updated=/, "", $8); print "bad_request", $6, $8; exit }' "$T/wp-access.log")"
expect_eq "the refused post is not in the queue (it would be refused again)" 0 "$(queued "$big")"
expect_eq "the refused post: the daemon keeps its last version" 0 "$(daemon_total okapi ',"tag":"Zoology"')"
page=$(wp_get '/wp-admin/options-general.php?page=socasma-search')
expect_match "the status box lists the refused post and why" \
    "id=\"socasma-status-refused\"[^>]*><li>wp-$big: bad_request: posts\\[[01]\\]: post larger than 1 MiB" "$page"
check "the refusal is in the PHP log" grep -q "socasma-search: the daemon refused wp-$big: bad_request" "$T/wp-debug.log"
# Deleted for good, the post leaves the index (and the nightly check below).
wp_php 'wp_delete_post((int)$args[0], true);' "$big"
expect_eq "the refused post deleted: gone" 0 "$(daemon_total okapi)"

# ---- 1,500 changes at once: sent in batches ------------------------------------------
wp_sql "INSERT INTO wp_posts (post_author, post_date, post_date_gmt, post_content, post_title, post_excerpt,
    post_status, comment_status, ping_status, post_name, to_ping, pinged, post_modified, post_modified_gmt,
    post_content_filtered, post_type)
    SELECT 1, '2024-05-06 10:00:00', '2024-05-06 10:00:00', CONCAT('<p>Bulk post ', seq, ' on the glockenspiel.</p>'),
        CONCAT('Bulk ', seq), '', 'publish', 'closed', 'closed', CONCAT('bulk-', seq), '', '',
        '2024-05-06 10:00:00', '2024-05-06 10:00:00', '', 'post' FROM seq_1_to_1500"
log_lines=$(wc -l <"$T/wp-access.log")
wp_php 'wp_cache_flush(); global $wp_rewrite; $wp_rewrite->set_permalink_structure("/%year%/%postname%/");'
published=$(wp_php 'echo wp_count_posts("post")->publish + wp_count_posts("page")->publish;')
# The request that changed them sent what it could in its time (the
# connect timeout); WP-Cron sends the rest.
i=0
while [ "$(queued)" -gt 0 ] && [ $i -lt 10 ]; do wp_cron; i=$((i + 1)); done
expect_eq "WP-Cron emptied the queue" 0 "$(queued)"
# (asked again while the answer is an error rather than a count: the folds
# of those posts load the machine, and a search may meet query_time_limit)
i=0
while ! daemon glockenspiel >"$T/bulk.answer" || ! grep -q '"total":' "$T/bulk.answer"; do
    i=$((i + 1)); [ $i -lt 20 ] || break
    sleep 0.5
done
[ $i -eq 0 ] || echo "the count of the 1,500 posts asked $((i + 1)) times; the last answer: $(head -c 300 "$T/bulk.answer")"
expect_eq "the daemon has the 1,500 posts" 1500 "$(sed -n 's/.*"total":\([0-9]*\).*/\1/p' "$T/bulk.answer")"
expect_eq "the daemon has every published post" "$published" "$(daemon_posts)"
# The access log: "TIME CLIENT put BYTES MS ok added=A updated=U unchanged=N ...".
tail -n +"$((log_lines + 1))" "$T/wp-access.log" | grep ' put [0-9]* [0-9.]* ok ' |
    sed 's/.*added=\([0-9]*\) updated=\([0-9]*\) unchanged=\([0-9]*\).*/\1 \2 \3/' >"$T/puts"
posts=$(wp_php 'echo wp_count_posts("post")->publish;')
expect_eq "every post's new URL was put (added or updated; the pages' URLs stay)" "$posts" "$(awk '{ s += $1 + $2 } END { print s }' "$T/puts")"
check "every post and page was sent" test "$(awk '{ s += $1 + $2 + $3 } END { print s }' "$T/puts")" -ge "$published"
expect_eq "in batches of 100 posts at most" 0 "$(awk '$1 + $2 + $3 > 100' "$T/puts" | wc -l)"
check "in at least $(( (published + 99) / 100 )) requests ($(wc -l <"$T/puts"))" test "$(wc -l <"$T/puts")" -ge $(( (published + 99) / 100 ))
bulk7=$(wp_sql "SELECT ID FROM wp_posts WHERE post_name = 'bulk-7'")
expect_eq "the new permalinks are the daemon's" "$WP_URL/2024/bulk-7/" \
    "$(printf '{"op":"doc","doc_id":"wp-%s"}\n' "$bulk7" | nc -N -U "$SOCK" | sed -n 's/.*"url":"\([^"]*\)".*/\1/p' | sed 's|\\/|/|g')"

# ---- the settings page's "Send every post" -------------------------------------------
page=$(wp_get '/wp-admin/options-general.php?page=socasma-search')
expect_match "the settings page has the button" 'id="socasma-push-all"' "$page"
nonce=$(printf '%s' "$page" | sed -n 's/.*data-nonce="\([^"]*\)".*/\1/p' | head -n 1)
after=0; sent=0; unchanged=0; steps=0; finished=false
while [ "$finished" != true ] && [ $steps -lt 100 ]; do
    a=$(wp_get /wp-admin/admin-ajax.php --data "action=socasma_push_all&_ajax_nonce=$nonce&after=$after")
    [ "$(cat "$T/wp-status")" = 200 ] || { fail "Send every post: batch $steps answered $(cat "$T/wp-status"): $a"; break; }
    eval "$(printf '%s' "$a" | php -r '$d = json_decode(stream_get_contents(STDIN), true)["data"];
        printf("after=%d; sent=\$((sent + %d)); unchanged=\$((unchanged + %d)); finished=%s\n",
               $d["after"], $d["sent"], $d["unchanged"], $d["finished"] ? "true" : "false");')"
    steps=$((steps + 1))
done
expect_eq "Send every post: every post, each unchanged, in batches" "$published $published" "$sent $unchanged"
check "Send every post: in batches of 100 ($steps requests)" test "$steps" -ge $(( published / 100 ))
# The same button in a browser (tests/web/wp-push.mjs).
if command -v node >/dev/null 2>&1 && [ -d "$WEB_MODULES/puppeteer-core" ] &&
   { command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; }; then
    need_browser
    PAGE_URL="$WP_URL" WP_ADMIN="$WP_ADMIN" WP_PASS="$WP_PASS" EXPECT_POSTS="$published" run_node wp-push.mjs
else
    echo "no Chromium, Node.js or npm packages: the button was not pressed in a browser"
fi

# ---- over TCP: writes need the daemon's token (write = token) ------------------------
stop_daemon
printf 's3cret-%s\n' "$$" >"$T/token"
chmod 600 "$T/token"
{ cat "$T/wp-daemon.conf"; printf '[server]\nwrite = token\nwrite_token_file = %s\n' "$T/token"; } >"$T/tcp.conf"
rm -f "$T/port" "$SOCK"
"$SOCASMA_SEARCHD" --config "$T/tcp.conf" --listen 127.0.0.1:0 --port-file "$T/port" 2>>"$T/wp-daemon.log" &
DAEMON_PID=$!
on_exit "kill $DAEMON_PID 2>/dev/null"
_wp_wait 10 test -s "$T/port" || { cat "$T/wp-daemon.log" >&2; echo "the daemon did not listen on TCP" >&2; exit 99; }
wp_config_unset SOCASMA_SOCKET
wp_config_set SOCASMA_TCP "'127.0.0.1:$(cat "$T/port")'"
out=$(wp_rest POST /wp/v2/posts '{"title":"Narwhal tusks","status":"publish","content":"<p>Narwhal tusks measured.</p>"}')
id4=$(printf '%s' "$out" | json_field id)
expect_eq "TCP without a token: the change waits" 1 "$(queued "$id4")"
page=$(wp_get '/wp-admin/options-general.php?page=socasma-search')
expect_match "TCP without a token: the status box says forbidden" 'id="socasma-status-write-error">[^<]*forbidden' "$page"
save_token() {
    p=$(wp_get '/wp-admin/options-general.php?page=socasma-search')
    nonce=$(printf '%s' "$p" | sed -n 's/.*name="_wpnonce" value="\([^"]*\)".*/\1/p' | head -n 1)
    wp_get /wp-admin/options.php --data-urlencode "option_page=socasma_search" --data-urlencode "action=update" \
        --data-urlencode "_wpnonce=$nonce" --data-urlencode "socasma_search_settings[token]=$1" \
        --data-urlencode "_wp_http_referer=/wp-admin/options-general.php?page=socasma-search" -L
}
save_token wrong-token >/dev/null
wp_cron
expect_eq "a wrong token: the change still waits" 1 "$(queued "$id4")"
page=$(save_token "$(cat "$T/token")")
expect_match "the token is saved" 'Settings saved\.' "$page"
check "the settings page never shows the token" test "$(printf '%s' "$page" | grep -c "$(cat "$T/token")")" = 0
expect_match "the settings page says a token is set" 'id="socasma-token"[^>]*placeholder="\(set\)"' "$(printf '%s' "$page" | tr -d '\n')"
wp_cron
expect_eq "the right token: WP-Cron sent the change" 0 "$(queued)"
expect_eq "the right token: the daemon has the post" 1 "$(daemon_tcp_total narwhal)"
page=$(save_token "")
expect_eq "a blank token field keeps the token" "$(cat "$T/token")" "$(wp_php 'echo socasma_wp_setting("token");')"
check "the daemon's access log has no token" test "$(grep -c s3cret "$T/wp-access.log")" = 0
stop_daemon
wp_config_unset SOCASMA_TCP
wp_config_set SOCASMA_SOCKET "'$SOCK'"
wp_serve

# ---- replicas: writes to the primary, searches to the search addresses -----------
# A second daemon with `primary =` over the same database (a replica that
# is never behind) on a socket of its own: with Search addresses set, the
# site's searches are its, the live writes still the daemon address's.
RSOCK="$T/replica.sock"
printf '[index]\ndatabase = %s\n[server]\nsocket = %s\nsocket_mode = 0666\nlisten =\naccess_log = %s\nprimary = %s\n' \
    "$T/wp-db" "$RSOCK" "$T/replica-access.log" "$SOCK" >"$T/replica.conf"
"$SOCASMA_SEARCHD" --config "$T/replica.conf" --foreground 2>>"$T/replica.log" &
REPLICA_PID=$!
on_exit "kill $REPLICA_PID 2>/dev/null"
_wp_wait 10 test -S "$RSOCK" || { cat "$T/replica.log" >&2; echo "the replica did not listen" >&2; exit 99; }
wp_config_set SOCASMA_SEARCH_ADDRESSES "'$RSOCK'"
searches_of() { grep -c ' search [0-9]* [0-9.]* ok' "$1" 2>/dev/null || true; }
p_before=$(searches_of "$T/wp-access.log")
wp_get '/?s=ptarmigan' >/dev/null
expect_eq "replicas: the site's search is the daemon's" daemon "$(header_of X-Socasma-Search)"
expect_eq "replicas: answered by the replica" 1 "$(searches_of "$T/replica-access.log")"
expect_eq "replicas: not by the primary" "$p_before" "$(searches_of "$T/wp-access.log")"
puts_of() { grep -c ' put [0-9]* [0-9.]* ok' "$T/wp-access.log"; }
puts_before=$(puts_of)
out=$(wp_rest POST /wp/v2/posts '{"title":"Quokka census","status":"publish","content":"<p>Quokka census on Rottnest.</p>"}')
idq=$(printf '%s' "$out" | json_field id)
check "replicas: a post published is found through the replica" site_finds quokka "Quokka census"
puts_after=$(puts_of)
[ "$puts_after" -gt "$puts_before" ] && pass "replicas: its put went to the primary" ||
    fail "replicas: no new put in the primary's access log ($puts_before, then $puts_after)"
expect_eq "replicas: none to the replica" 0 "$(grep -c ' put \| delete ' "$T/replica-access.log")"
expect_eq "replicas: nothing waits" 0 "$(queued "$idq")"
# An address that does not answer first or second: the next one answers.
wp_config_set SOCASMA_SEARCH_ADDRESSES "'$T/nobody.sock, $RSOCK'"
ok=0
for i in 1 2 3 4 5 6; do
    wp_get '/?s=quokka' >/dev/null
    [ "$(header_of X-Socasma-Search)" = daemon ] && page_titles | grep -qxF "Quokka census" && ok=$((ok + 1))
done
expect_eq "replicas: one search address down, every search still the daemon's" 6 "$ok"
page=$(wp_get '/wp-admin/options-general.php?page=socasma-search')
expect_match "replicas: the status box shows the replica's role" 'id="socasma-status-search-1">[^<]*replica.sock: <span class="socasma-ok">Yes</span>, replica, ' "$page"
expect_match "replicas: and the address that does not answer" 'id="socasma-status-search-0">[^<]*nobody.sock: <span class="socasma-bad">No</span>' "$page"
wp_config_unset SOCASMA_SEARCH_ADDRESSES
kill "$REPLICA_PID"
wait "$REPLICA_PID" 2>/dev/null

# ---- the nightly reindex then finds every post unchanged -----------------------------
cat >"$T/export.php" <<'PHP'
<?php
/* The site's export, as a nightly export command writes it on stdout. */
$_SERVER['HTTP_HOST'] = parse_url($argv[1], PHP_URL_HOST) . ':' . parse_url($argv[1], PHP_URL_PORT);
$_SERVER['REQUEST_URI'] = '/';
define('WP_USE_THEMES', false);
require $argv[2] . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/export.php';
export_wp(['content' => 'all']);
PHP
{ cat "$T/wp-daemon.conf"; printf '[reindex]\nexport_command = php %s %s %s\n' "$T/export.php" "$WP_URL" "$WP_DIR"; } >"$T/reindex.conf"
published=$(wp_php 'echo wp_count_posts("post")->publish + wp_count_posts("page")->publish;')
SOCASMA_INDEX="$SOCASMA_INDEX" "$REINDEX" --config "$T/reindex.conf" 2>"$T/reindex.log"
rc=$?
expect_eq "the nightly reindex: exit 0" 0 "$rc"
expect_match "the nightly reindex: every post unchanged, nothing added, updated or deleted" \
    "done: read $published, added 0, updated 0, unchanged $published, deleted 0, rejected 0" "$(cat "$T/reindex.log")"
expect_eq "the daemon still answers after the reindex" 1 "$(daemon_total ptarmigan)"

check "the plugin raised no PHP warning" test "$(cat "$T/wp-debug.log" "$T/apache/error.log" |
    grep 'plugins/socasma-search' | grep -ci 'warning\|notice\|deprecated\|fatal')" = 0
keep_shots
finish
