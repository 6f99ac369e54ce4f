#!/bin/sh
# protocol.sh: the writes of protocol 2 on the real daemon over its Unix
# socket: put (added, updated, unchanged), delete (deleted, missing), each
# answer given once the change is found by the next search on another
# connection; a bad post rejects its whole request (nothing applied) with
# its index and field; requests of protocol 1 still answered; a post put
# with WordPress's "content" is the post the WXR import makes (the nightly
# run finds it unchanged); writes over TCP are forbidden (write = socket).
. "$top_srcdir/tests/live/live-lib.sh"

start_daemon "lock_idle = 100" || { fail "daemon starts"; finish; }

out=$(ask '{"op":"version"}')
expect_match "version says protocol 2" '"protocol":2' "$out"
expect_match "ping still answered" '"pong":true' "$(ask '{"op":"ping"}')"

# put: added, found at once by another connection (each ask is one)
out=$(ask "{\"op\":\"put\",\"id\":\"r1\",\"posts\":[$(post live-1 zorbalpha)]}")
expect_match "put: added, with the request's id" '^\{"ok":true,"added":1,"updated":0,"unchanged":0,"deleted":0,"missing":0,"revision":[1-9][0-9]*,"id":"r1"\}$' "$out"
rev1=$(printf '%s' "$out" | sed -n 's/.*"revision":\([0-9]*\).*/\1/p')
expect_eq "put post found by the next search" 1 "$(found zorbalpha)"
expect_match "put post read back by doc" '"id":"live-1".*"title":"zorbalpha live post"' "$(ask '{"op":"doc","doc_id":"live-1"}')"
expect_match "stats count it" '"posts":1[,}]' "$(ask '{"op":"stats"}')"
expect_match "a plain line (protocol 1) is still a search" '"ok":true,"total":1' "$(ask 'zorbalpha')"

# the same again: unchanged, no new revision (the revision once the writer
# has let the lock go: its fold of the live delta is a commit too)
sleep 0.4
rev0=$(ask '{"op":"stats"}' | sed -n 's/.*"revision":\([0-9]*\).*/\1/p')
expect_eq "the fold of the live delta: a later revision" 1 "$([ "${rev0:-0}" -ge "$rev1" ] && echo 1)"
out=$(ask "{\"op\":\"put\",\"post\":$(post live-1 zorbalpha)}")
expect_match "same post again: unchanged" '"added":0,"updated":0,"unchanged":1,' "$out"
expect_eq "unchanged: same revision" "$rev0" "$(printf '%s' "$out" | sed -n 's/.*"revision":\([0-9]*\).*/\1/p')"

# edited: updated, the new word found, the old one gone
out=$(ask "{\"op\":\"put\",\"post\":$(post live-1 zorbbeta)}")
expect_match "edited post: updated" '"added":0,"updated":1,"unchanged":0,' "$out"
expect_eq "edited post found by its new word" 1 "$(found zorbbeta)"
expect_eq "edited post's old word gone" 0 "$(found zorbalpha)"

# several posts in one put, one of them twice: the later one wins (and
# counts as an update of the first)
out=$(ask "{\"op\":\"put\",\"posts\":[$(post live-2 zorbgamma),$(post live-3 zorbdelta),$(post live-2 zorbepsilon)]}")
expect_match "batch: two added, one id replaced" '"added":2,"updated":1,"unchanged":0,' "$out"
expect_eq "batch: first post found" 1 "$(found zorbdelta)"
expect_eq "batch: an id put twice keeps the later post" "0 1" "$(found zorbgamma) $(found zorbepsilon)"

# a bad post rejects the whole request
out=$(ask "{\"op\":\"put\",\"posts\":[$(post live-4 zorbzeta),{\"id\":\"live-5\",\"title\":\"zorbeta\",\"date\":\"2024-13-45\"}]}")
expect_match "bad date: bad_request naming the post and the field" '"code":"bad_request","message":"posts\[1\]: invalid date \\"2024-13-45\\"' "$out"
expect_eq "bad request: its good post is not applied" 0 "$(found zorbzeta)"
out=$(ask '{"op":"put","posts":[{"id":"live-6","title":"t","categories":5}]}')
expect_match "bad categories: named" 'posts\[0\]: categories must be a string or an array of strings' "$out"
out=$(ask '{"op":"put","posts":[{"title":"no id"}]}')
expect_match "no id: named" 'posts\[0\]: post has no id' "$out"
long=$(awk 'BEGIN { for (i = 0; i < 300; i++) printf "x" }')
out=$(ask "{\"op\":\"put\",\"post\":{\"id\":\"$long\"}}")
expect_match "id too long: named" '"code":"bad_request","message":"post: id too long' "$out"
out=$(ask '{"op":"put","post":{"id":"live-7","body":"b","content":"<p>c</p>"}}')
expect_match "body and content: refused" 'post: a post has body or content, not both' "$out"
expect_match "put without posts: refused" '"code":"bad_request"' "$(ask '{"op":"put"}')"
expect_match "put with posts and post: refused" '"code":"bad_request"' "$(ask "{\"op\":\"put\",\"posts\":[],\"post\":$(post live-8 x)}")"
expect_match "delete without ids: refused" '"code":"bad_request"' "$(ask '{"op":"delete","ids":[]}')"
expect_match "delete with a bad id: named" 'ids\[1\]: an id must be' "$(ask '{"op":"delete","ids":["live-1",{}]}')"
expect_eq "refused delete applied nothing" 1 "$(found zorbbeta)"

# delete: deleted and missing
out=$(ask '{"op":"delete","ids":["live-1","live-404"]}')
expect_match "delete: one deleted, one missing" '"added":0,"updated":0,"unchanged":0,"deleted":1,"missing":1,' "$out"
expect_eq "deleted post not found" 0 "$(found zorbbeta)"
expect_match "deleted post: doc not_found" '"code":"not_found"' "$(ask '{"op":"doc","doc_id":"live-1"}')"
expect_match "stats count the rest" '"posts":2[,}]' "$(ask '{"op":"stats"}')"
# put back after a delete: added
expect_match "put back after delete: added" '"added":1,' "$(ask "{\"op\":\"put\",\"post\":$(post live-1 zorbbeta)}")"

# TCP: forbidden (write = socket), nothing applied
out=$(ask_tcp "{\"op\":\"put\",\"post\":$(post live-9 zorbtcp)}")
expect_match "put over TCP: forbidden" '"code":"forbidden"' "$out"
expect_match "delete over TCP: forbidden" '"code":"forbidden"' "$(ask_tcp '{"op":"delete","ids":["live-1"]}')"
expect_eq "forbidden put applied nothing" 0 "$(found zorbtcp)"
expect_match "searches over TCP still answered" '"ok":true' "$(ask_tcp '{"op":"search","q":"zorbbeta"}')"

# WordPress's content: the post the WXR import of the same post makes.
cat >"$T/site.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
	<title>Site</title>
	<wp:wxr_version>1.2</wp:wxr_version>
	<wp:author><wp:author_login><![CDATA[carole]]></wp:author_login><wp:author_display_name><![CDATA[Carole L.]]></wp:author_display_name></wp:author>
	<item>
		<title><![CDATA[Fish &amp; chips: caf&eacute; zorbwxr]]></title>
		<link>https://example.org/?p=11</link>
		<dc:creator><![CDATA[carole]]></dc:creator>
		<content:encoded><![CDATA[<p>Fish &amp; chips, caf&#233; and cr&eacute;me.</p>
[caption id="a1"]<img src="x.jpg"> A caption[/caption]
<ul><li>one</li><li>two</li></ul><script>var x = 1;</script>
<p>Second <b>para</b>graph.</p>]]></content:encoded>
		<wp:post_id>11</wp:post_id>
		<wp:post_date><![CDATA[2021-03-04 10:11:12]]></wp:post_date>
		<wp:status><![CDATA[publish]]></wp:status>
		<wp:post_type><![CDATA[post]]></wp:post_type>
		<category domain="category" nicename="news"><![CDATA[News]]></category>
		<category domain="category" nicename="arts"><![CDATA[Arts &amp; Lettres]]></category>
		<category domain="post_tag" nicename="english"><![CDATA[English]]></category>
	</item>
</channel>
</rss>
XML
wp='{"op":"put","post":{"id":"wp-11","title":"Fish &amp; chips: caf&eacute; zorbwxr","url":"https://example.org/?p=11","author":"Carole L.","date":"2021-03-04 10:11:12","categories":["News","Arts &amp; Lettres"],"tags":["English"],"content":"<p>Fish &amp; chips, caf&#233; and cr&eacute;me.</p>\n[caption id=\"a1\"]<img src=\"x.jpg\"> A caption[/caption]\n<ul><li>one</li><li>two</li></ul><script>var x = 1;</script>\n<p>Second <b>para</b>graph.</p>"}}'
expect_match "put with content: added" '"added":1,' "$(ask "$wp")"
doc=$(ask '{"op":"doc","doc_id":"wp-11"}')
expect_match "content: title decoded" '"title":"Fish & chips: café zorbwxr"' "$doc"
expect_match "content: language from the English tag" '"lang":"en"' "$doc"
expect_match "content: HTML made text" '"body":"Fish & chips, café and créme.' "$doc"
case $doc in *script*|*'<p>'*|*caption\ id*) fail "content: markup left in the body: $doc" ;; *) pass "content: no markup left" ;; esac
# the nightly import of the site's export, while the daemon runs: unchanged
out=$("$SOCASMA_INDEX" --config "$T/conf" --json --quiet --wait 10 "$T/site.xml" 2>&1); rc=$?
expect_eq "import of the export runs beside the daemon" 0 "$rc"
expect_eq "the post put live is unchanged for the WXR import" "0 0 1" \
    "$(json_field "$out" added) $(json_field "$out" updated) $(json_field "$out" unchanged)"
expect_eq "the daemon still writes after the import" 1 \
    "$(ask '{"op":"delete","ids":["wp-11"]}' | sed -n 's/.*"deleted":\([0-9]*\).*/\1/p')"
finish
