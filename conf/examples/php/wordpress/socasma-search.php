<?php
/*
 * Plugin Name: socasma-search
 * Description: Puts the results of socasma-searchd (bilingual full-text search) behind the site's own search form; falls back to WordPress's search when the daemon does not answer.
 * Version: 0.1.0
 * License: GPL-2.0-or-later
 *
 * socasma-search.php: a WordPress plugin. For the main search query of the
 * front end (?s=...), it asks the daemon, turns the hits into the site's
 * posts (a hit's id is "wp-<post ID>" when the index was built from a
 * WordPress export; otherwise its URL is looked up) and hands them to the
 * theme's usual search template, with the daemon's total for pagination.
 * When the daemon is down, slow or answers an error, the plugin steps aside
 * and WordPress runs its own search: visitors always get results.
 *
 * Settings, in wp-config.php:
 *   define('SOCASMA_SOCKET', '/run/socasma-search/socasma.sock');  // or
 *   define('SOCASMA_TCP', '127.0.0.1:7700');
 * Copy socasma-client.php next to this file (wp-content/plugins/socasma-search/).
 */
if (!defined('ABSPATH')) {
    exit;
}
require_once file_exists(__DIR__ . '/socasma-client.php') ? __DIR__ . '/socasma-client.php'
                                                    : __DIR__ . '/../socasma-client.php';

/* Where the daemon is, from wp-config.php. */
function socasma_wp_daemon(): array
{
    if (defined('SOCASMA_SOCKET')) {
        return ['socket' => SOCASMA_SOCKET, 'connect_timeout' => 0.3, 'read_timeout' => 2.0];
    }
    return ['tcp' => defined('SOCASMA_TCP') ? SOCASMA_TCP : '127.0.0.1:7700',
            'connect_timeout' => 0.3, 'read_timeout' => 2.0];
}

/* The WordPress post ID of a hit, or 0. */
function socasma_wp_post_id(array $hit): int
{
    $id = (string)($hit['id'] ?? '');
    if (preg_match('/^wp-(\d+)$/', $id, $m)) {
        return (int)$m[1];
    }
    return empty($hit['url']) ? 0 : (int)url_to_postid((string)$hit['url']);
}

/* Short-circuits the main search query with the daemon's results.
 * Returning null lets WordPress run its own query (the fallback). */
function socasma_wp_posts_pre_query($posts, WP_Query $query)
{
    if (is_admin() || !$query->is_main_query() || !$query->is_search()) {
        return $posts;
    }
    $q = trim((string)$query->get('s'));
    if ($q === '') {
        return $posts;
    }
    $per_page = max(1, (int)$query->get('posts_per_page') ?: (int)get_option('posts_per_page'));
    $paged = max(1, (int)$query->get('paged'));
    $fields = ['q' => $q, 'offset' => ($paged - 1) * $per_page, 'limit' => min($per_page, 100)];
    $lang = (string)($_GET['lang'] ?? '');
    if ($lang === 'en' || $lang === 'fr') {
        $fields['lang'] = $lang;
    }
    try {
        $answer = socasma_search($fields, socasma_wp_daemon());
    } catch (SocasmaError $e) {
        error_log('socasma-search: ' . $e->getMessage() . '; using the WordPress search');
        return null;
    }

    $found = [];
    $snippets = [];
    foreach ($answer['hits'] ?? [] as $hit) {
        $pid = socasma_wp_post_id($hit);
        $post = $pid ? get_post($pid) : null;
        if ($post instanceof WP_Post && $post->post_status === 'publish') {
            $found[] = $post;
            $snippets[$post->ID] = (string)($hit['snippet'] ?? '');
        }
    }
    $query->found_posts = (int)($answer['total'] ?? count($found));
    $query->max_num_pages = (int)ceil($query->found_posts / $per_page);
    $GLOBALS['socasma_wp_snippets'] = $snippets;
    $GLOBALS['socasma_wp_suggestion'] = $answer['suggestion'] ?? null;
    return $found;
}
add_filter('posts_pre_query', 'socasma_wp_posts_pre_query', 10, 2);

/* On the search page, the excerpt is the daemon's snippet (escaped text
 * with <mark> highlights). */
function socasma_wp_excerpt($excerpt)
{
    $post = get_post();
    if (is_search() && $post && isset($GLOBALS['socasma_wp_snippets'][$post->ID])
        && $GLOBALS['socasma_wp_snippets'][$post->ID] !== '') {
        return wp_kses($GLOBALS['socasma_wp_snippets'][$post->ID], ['mark' => []]);
    }
    return $excerpt;
}
add_filter('get_the_excerpt', 'socasma_wp_excerpt', 20);

/* [socasma_did_you_mean]: the "did you mean" link, for a search template. */
function socasma_wp_did_you_mean(): string
{
    $s = $GLOBALS['socasma_wp_suggestion'] ?? null;
    if (!is_string($s) || $s === '') {
        return '';
    }
    $url = add_query_arg('s', rawurlencode($s), home_url('/'));
    return '<p class="socasma-suggestion">' . esc_html__('Did you mean', 'socasma-search')
        . ' <a href="' . esc_url($url) . '">' . esc_html($s) . '</a>?</p>';
}
add_shortcode('socasma_did_you_mean', 'socasma_wp_did_you_mean');
