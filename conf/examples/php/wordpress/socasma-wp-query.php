<?php
/* socasma-wp-query.php: the front end's main search query (?s=...)
 * answered by the daemon.
 *
 * posts_pre_query hands WordPress the posts of the daemon's hits, so the
 * theme's own search template shows them, with the daemon's snippet (its
 * <mark> highlights) as the excerpt. ?orderby=date (newest first) sorts by
 * date; ?lang=en|fr filters the posts' language. Any other orderby, or
 * order=ASC, is left to WordPress's search.
 *
 * Hits whose post is no longer published (drafted, trashed, deleted since
 * the last index) are dropped, and the count says so: the page reads a
 * window of hits from the first one to a little past its own end, keeps the
 * published ones and fills itself from them, so that its posts and the
 * count agree (exactly when all the hits fit in the window, 100 at most;
 * beyond it the hits not read are counted as published).
 *
 * When the daemon fails, or anything here throws, the filter returns null
 * and WordPress runs its own query: a visitor always gets a page. */
if (!defined('ABSPATH')) {
    exit;
}

/* What the theme's template and the notices read, for the main query. */
function socasma_wp_state(?array $set = null): array
{
    static $state = [];
    if ($set !== null) {
        $state = $set;
    }
    return $state;
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

/* The search fields for $query, or null when the daemon cannot answer it
 * as asked (the caller lets WordPress search). */
function socasma_wp_fields(WP_Query $query): ?array
{
    $q = trim((string)$query->get('s'));
    if ($q === '' || strlen($q) > 1024) {
        return null;
    }
    $fields = ['q' => $q];
    $orderby = $query->get('orderby');
    $orderby = is_string($orderby) ? strtolower($orderby) : '';
    $order = strtoupper((string)$query->get('order'));
    if ($orderby === 'date' || $orderby === 'post_date') {
        if ($order === 'ASC') {
            return null;   /* the daemon sorts newest first only */
        }
        $fields['sort'] = 'date';
    } elseif ($orderby !== '' && $orderby !== 'relevance') {
        return null;
    }
    $lang = isset($_GET['lang']) && is_string($_GET['lang']) ? $_GET['lang'] : '';
    if ($lang === 'en' || $lang === 'fr') {
        $fields['lang'] = $lang;
    }
    return $fields;
}

function socasma_wp_posts_pre_query($posts, WP_Query $query)
{
    if (is_admin() || !$query->is_main_query() || !$query->is_search()) {
        return $posts;
    }
    try {
        $result = socasma_wp_search($query);
    } catch (Throwable $e) {
        /* A bug here, or a garbled answer: never a blank page. */
        error_log('socasma-search: ' . get_class($e) . ': ' . $e->getMessage() . '; using the WordPress search');
        socasma_wp_last_outcome('fallback');
        $result = null;
    }
    if (!headers_sent() && socasma_wp_last_outcome() !== '') {
        header('X-Socasma-Search: ' . socasma_wp_last_outcome());
    }
    return $result ?? $posts;
}
add_filter('posts_pre_query', 'socasma_wp_posts_pre_query', 10, 2);

/* The posts of the page, with found_posts and max_num_pages set on
 * $query; null to let WordPress search. */
function socasma_wp_search(WP_Query $query): ?array
{
    $fields = socasma_wp_fields($query);
    if ($fields === null) {
        return null;
    }
    $per_page = (int)$query->get('posts_per_page');
    if ($per_page <= 0) {
        $per_page = max(1, (int)get_option('posts_per_page'));
    }
    $per_page = min($per_page, 100);
    $paged = max(1, (int)$query->get('paged'));
    $offset = ($paged - 1) * $per_page;

    /* The window: from the first hit to 10 past this page's end, when that
     * fits in one request (100 hits); else this page alone. */
    $window = $offset + $per_page + 10 <= 100;
    $answer = socasma_wp_call(['op' => 'search'] + $fields + ($window
        ? ['offset' => 0, 'limit' => $offset + $per_page + 10]
        : ['offset' => $offset, 'limit' => $per_page]));
    if ($answer === null) {
        return null;
    }
    $hits = is_array($answer['hits'] ?? null) ? $answer['hits'] : [];
    $total = (int)($answer['total'] ?? 0);

    /* Published posts among the hits, in the daemon's order. */
    $ids = [];
    foreach ($hits as $hit) {
        $ids[] = socasma_wp_post_id($hit);
    }
    $published = [];
    if (array_filter($ids)) {
        _prime_post_caches(array_values(array_unique(array_filter($ids))), false, false);
    }
    $snippets = [];
    foreach ($hits as $i => $hit) {
        $post = $ids[$i] ? get_post($ids[$i]) : null;
        if ($post instanceof WP_Post && $post->post_status === 'publish'
            && !isset($snippets[$post->ID])) {
            $published[] = $post;
            $snippets[$post->ID] = (string)($hit['snippet'] ?? '');
        }
    }
    $dropped = count($hits) - count($published);
    if ($window) {
        $page_posts = array_slice($published, $offset, $per_page);
        $found = count($hits) >= $total ? count($published) : $total - $dropped;
    } else {
        $page_posts = $published;
        $found = $total - $dropped;
    }
    $query->found_posts = max(0, $found);
    $query->max_num_pages = (int)ceil($query->found_posts / $per_page);
    $suggestion = is_string($answer['suggestion'] ?? null) ? $answer['suggestion'] : '';
    socasma_wp_state(['q' => $fields['q'], 'snippets' => $snippets, 'suggestion' => $suggestion,
                      'corrected' => !empty($answer['corrected']),
                      'completed' => !empty($answer['completed']), 'dropped' => $dropped]);
    return $page_posts;
}

/* On the search page, the excerpt is the daemon's snippet (escaped text
 * with <mark> highlights). */
function socasma_wp_excerpt($excerpt, $post = null)
{
    $post = get_post($post);
    $snippets = socasma_wp_state()['snippets'] ?? [];
    if (is_search() && $post && ($snippets[$post->ID] ?? '') !== '') {
        return wp_kses($snippets[$post->ID], ['mark' => []]);
    }
    return $excerpt;
}
add_filter('get_the_excerpt', 'socasma_wp_excerpt', 20, 2);
