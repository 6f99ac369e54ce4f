<?php
/* socasma-wp-notice.php: "Did you mean" and "Showing results for" on the
 * theme's own search page, without editing the theme.
 *
 * - Block themes (Twenty Twenty-Three, ...): after the search page's title
 *   block (core/query-title of type "search"), or, when the template has
 *   none, before the query loop that shows the main query.
 * - Classic themes (Twenty Twenty-One, ...): at the start of the main
 *   query's loop (loop_start), that is under the theme's own title and
 *   count.
 * The shortcode [socasma_did_you_mean] still prints it where a template
 * asks. It is printed once a page. */
if (!defined('ABSPATH')) {
    exit;
}

/* The notice's HTML for the current search, or ''. */
function socasma_wp_notice_html(): string
{
    $state = socasma_wp_state();
    $s = (string)($state['suggestion'] ?? '');
    $parts = [];
    if ($s !== '') {
        /* The search page for $s, keeping the language and the order. */
        $args = ['s' => rawurlencode($s)];
        foreach (['lang', 'orderby', 'order'] as $k) {
            if (isset($_GET[$k]) && is_string($_GET[$k]) && preg_match('/^[A-Za-z_]{1,20}$/', $_GET[$k])) {
                $args[$k] = $_GET[$k];
            }
        }
        $url = esc_url(add_query_arg($args, home_url('/')));
        $link = '<a href="' . $url . '">' . esc_html($s) . '</a>';
        if (!empty($state['corrected'])) {
            /* translators: %s: the corrected query, a link */
            $parts[] = sprintf(esc_html__('Showing results for %s.', 'socasma-search'), $link)
                . ' ' . sprintf(esc_html__('There were no results for “%s”.', 'socasma-search'),
                                esc_html((string)$state['q']));
        } else {
            /* translators: %s: the suggested query, a link */
            $parts[] = sprintf(esc_html__('Did you mean %s?', 'socasma-search'), $link);
        }
    }
    if (!empty($state['completed'])) {
        $last = preg_replace('/^.*\s/u', '', (string)$state['q']);
        /* translators: %s: the last word of the query */
        $parts[] = sprintf(esc_html__('No post has the word “%s”: showing the words that begin with it.', 'socasma-search'),
                           esc_html($last));
    }
    if (!$parts) {
        return '';
    }
    return '<p class="socasma-notice" role="status">' . implode(' ', $parts) . '</p>';
}

/* Once a page: the notice the first time it is asked for, then ''. */
function socasma_wp_notice_once(): string
{
    static $done = false;
    if ($done || !is_search() || !socasma_wp_state()) {
        return '';
    }
    $html = socasma_wp_notice_html();
    if ($html !== '') {
        $done = true;
    }
    return $html;
}

function socasma_wp_notice_render_block($content, $block)
{
    $name = $block['blockName'] ?? '';
    if ($name === 'core/query-title' && ($block['attrs']['type'] ?? '') === 'search') {
        return $content . socasma_wp_notice_once();
    }
    if ($name === 'core/query' && !empty($block['attrs']['query']['inherit'])) {
        return socasma_wp_notice_once() . $content;
    }
    return $content;
}
add_filter('render_block', 'socasma_wp_notice_render_block', 10, 2);

function socasma_wp_notice_loop_start($query)
{
    /* Block themes render their template into a string before printing
     * it: echoing here would land before the page. */
    if (function_exists('wp_is_block_theme') && wp_is_block_theme()) {
        return;
    }
    if ($query instanceof WP_Query && $query->is_main_query() && $query->is_search()) {
        echo socasma_wp_notice_once();
    }
}
add_action('loop_start', 'socasma_wp_notice_loop_start');

add_shortcode('socasma_did_you_mean', 'socasma_wp_notice_once');
