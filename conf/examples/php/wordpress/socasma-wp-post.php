<?php
/* socasma-wp-post.php: a WordPress post as the daemon's `put` takes it.
 *
 * The nightly reindex reads the site's own export (WXR) and must find every
 * post sent live `unchanged`. So the fields here are the text the export
 * writes (wp-admin/includes/export.php) as its XML parser hands it to the
 * importer, and the daemon shapes them as the importer does (a post with
 * `content` is read with the WordPress export's rules, doc/PROTOCOL.md:
 * fields trimmed, the title's and the terms' character references decoded,
 * the language taken from a category or tag that names one, the HTML turned
 * into text). Nothing is shaped twice:
 *
 *   id          "wp-" . ID
 *   url         the permalink as the export's <link> has it (the
 *               the_permalink_rss filter, then esc_url), XML-decoded
 *   title       the_title_export of the title
 *   author      the author's display name, else the login (the export maps
 *               the login to the display name when that is not blank); ""
 *               when the user is gone
 *   date        the date part of post_date; "" for 0000-00-00
 *   categories  the names of the post's terms of the taxonomies "category"
 *   tags        and "post_tag", in the export's order (wp_get_object_terms,
 *               by name)
 *   content     the_content_export of post_content: the HTML itself
 *
 * Each text is first made what the XML parser would hand the importer: not
 * UTF-8 is read as Latin-1 (the export converts it so), line ends become
 * "\n" (XML's end-of-line rule), and the characters XML forbids become
 * U+FFFD (as the importer's byte filter makes them). No "lang" is sent: the
 * daemon takes it from the terms as the importer does. */
if (!defined('ABSPATH')) {
    exit;
}

/* Whether $post belongs in the index: published, and of an indexed type. */
function socasma_wp_post_indexed(?WP_Post $post): bool
{
    return $post instanceof WP_Post && $post->post_status === 'publish'
        && in_array($post->post_type, socasma_wp_post_types(), true);
}

/* The index's id of a WordPress post. */
function socasma_wp_doc_id(int $post_id): string
{
    return 'wp-' . $post_id;
}

/* $s as the export's XML hands it to the importer (see above). */
function socasma_wp_xml_text(string $s): string
{
    if ($s === '') {
        return '';
    }
    if (!seems_utf8($s)) {
        $s = socasma_wp_latin1($s);
    }
    $s = str_replace(["\r\n", "\r"], "\n", $s);
    /* Control characters are single bytes in UTF-8: no /u needed. */
    $s = preg_replace('/[\x00-\x08\x0B\x0C\x0E-\x1F]/', "\u{FFFD}", $s);
    return str_replace(["\u{FFFE}", "\u{FFFF}"], "\u{FFFD}", $s);
}

/* Latin-1 bytes to UTF-8 (utf8_encode() without its deprecation). */
function socasma_wp_latin1(string $s): string
{
    $out = '';
    $n = strlen($s);
    for ($i = 0; $i < $n; $i++) {
        $c = ord($s[$i]);
        $out .= $c < 0x80 ? $s[$i] : chr(0xC0 | ($c >> 6)) . chr(0x80 | ($c & 0x3F));
    }
    return $out;
}

/* The characters XML markup escapes (&amp; &#038; ...), decoded as an XML
 * parser does: for text the export writes outside CDATA (the <link>). */
function socasma_wp_xml_decode(string $s): string
{
    return preg_replace_callback('/&(?:#([0-9]+)|#x([0-9A-Fa-f]+)|(amp|lt|gt|quot|apos));/', function ($m) {
        if (isset($m[3]) && $m[3] !== '') {
            return ['amp' => '&', 'lt' => '<', 'gt' => '>', 'quot' => '"', 'apos' => "'"][$m[3]];
        }
        $cp = $m[1] !== '' ? (int)$m[1] : (int)hexdec($m[2]);
        return socasma_wp_utf8_char($cp);
    }, $s);
}

/* One code point in UTF-8; U+FFFD for 0, surrogates and beyond U+10FFFF. */
function socasma_wp_utf8_char(int $cp): string
{
    if ($cp <= 0 || ($cp >= 0xD800 && $cp <= 0xDFFF) || $cp > 0x10FFFF) {
        $cp = 0xFFFD;
    }
    if ($cp < 0x80) {
        return chr($cp);
    }
    if ($cp < 0x800) {
        return chr(0xC0 | ($cp >> 6)) . chr(0x80 | ($cp & 0x3F));
    }
    if ($cp < 0x10000) {
        return chr(0xE0 | ($cp >> 12)) . chr(0x80 | (($cp >> 6) & 0x3F)) . chr(0x80 | ($cp & 0x3F));
    }
    return chr(0xF0 | ($cp >> 18)) . chr(0x80 | (($cp >> 12) & 0x3F))
        . chr(0x80 | (($cp >> 6) & 0x3F)) . chr(0x80 | ($cp & 0x3F));
}

/* The post as `put` takes it (see above). The post must exist. */
function socasma_wp_post_doc(WP_Post $post): array
{
    $author = '';
    $user = get_userdata((int)$post->post_author);
    if ($user) {
        $author = socasma_wp_xml_text((string)$user->display_name);
        if (trim($author, " \t\n\r") === '') {
            $author = socasma_wp_xml_text((string)$user->user_login);
        }
    }
    $date = substr((string)$post->post_date, 0, 10);
    if ($date === '0000-00-00') {
        $date = '';
    }
    $categories = [];
    $tags = [];
    $taxonomies = get_object_taxonomies($post->post_type);
    $terms = $taxonomies ? wp_get_object_terms($post->ID, $taxonomies) : [];
    foreach (is_array($terms) ? $terms : [] as $term) {
        if ($term->taxonomy === 'category') {
            $categories[] = socasma_wp_xml_text((string)$term->name);
        } elseif ($term->taxonomy === 'post_tag') {
            $tags[] = socasma_wp_xml_text((string)$term->name);
        }
    }
    return [
        'id' => socasma_wp_doc_id((int)$post->ID),
        'url' => socasma_wp_xml_decode(esc_url((string)apply_filters('the_permalink_rss', get_permalink($post)))),
        'title' => socasma_wp_xml_text((string)apply_filters('the_title_export', $post->post_title)),
        'author' => $author,
        'date' => $date,
        'categories' => $categories,
        'tags' => $tags,
        'content' => socasma_wp_xml_text((string)apply_filters('the_content_export', $post->post_content)),
    ];
}
