<?php
/* socasma-wp-rest.php: search as you type in the site's own search boxes.
 *
 * GET /wp-json/socasma/v1/suggest?q=TEXT (or ?rest_route=... without pretty
 * permalinks) proxies to the daemon's `suggest` op through the circuit
 * breaker and answers
 *   {"completions":[{"text":..., "url": the site's search for it}],
 *    "titles":[{"title":..., "url": the post's permalink}]}
 * with at most 5 of each, titles only of published posts. q is 1 to 200
 * bytes (else 400); the daemon down gives 503 with empty lists, and the
 * boxes simply show no suggestions.
 *
 * socasma-suggest.js (with socasma-suggest.css) is enqueued on the front
 * end: it turns every search box of the theme (form[role=search] and
 * inputs named "s") into an ARIA combobox that lists these suggestions. */
if (!defined('ABSPATH')) {
    exit;
}

const SOCASMA_WP_SUGGEST_LIMIT = 5;

function socasma_wp_rest_routes(): void
{
    register_rest_route('socasma/v1', '/suggest', [
        'methods' => 'GET',
        'callback' => 'socasma_wp_rest_suggest',
        'permission_callback' => '__return_true',
        'args' => [
            'q' => [
                'type' => 'string',
                'required' => true,
                'validate_callback' => fn($v) => is_string($v) && strlen(trim($v)) >= 1 && strlen($v) <= 200,
            ],
        ],
    ]);
}
add_action('rest_api_init', 'socasma_wp_rest_routes');

function socasma_wp_rest_suggest(WP_REST_Request $request): WP_REST_Response
{
    $q = trim((string)$request->get_param('q'));
    $body = ['completions' => [], 'titles' => []];
    try {
        $answer = socasma_wp_call(['op' => 'suggest', 'q' => $q, 'limit' => SOCASMA_WP_SUGGEST_LIMIT]);
        if ($answer === null) {
            $r = new WP_REST_Response($body, 503);
            $r->header('Cache-Control', 'no-store');
            $r->header('X-Socasma-Search', socasma_wp_last_outcome());
            return $r;
        }
        foreach (array_slice((array)($answer['completions'] ?? []), 0, SOCASMA_WP_SUGGEST_LIMIT) as $c) {
            if (is_string($c) && $c !== '') {
                $body['completions'][] = ['text' => $c, 'url' => add_query_arg('s', rawurlencode($c), home_url('/'))];
            }
        }
        foreach ((array)($answer['titles'] ?? []) as $t) {
            if (!is_array($t)) {
                continue;
            }
            $id = socasma_wp_post_id($t);
            $post = $id ? get_post($id) : null;
            if ($post instanceof WP_Post && $post->post_status === 'publish') {
                $body['titles'][] = ['title' => get_the_title($post) !== '' ? wp_strip_all_tags(get_the_title($post)) : (string)($t['title'] ?? ''),
                                     'url' => get_permalink($post)];
            }
            if (count($body['titles']) === SOCASMA_WP_SUGGEST_LIMIT) {
                break;
            }
        }
    } catch (Throwable $e) {
        error_log('socasma-search: suggest: ' . get_class($e) . ': ' . $e->getMessage());
        return new WP_REST_Response($body, 503);
    }
    $r = new WP_REST_Response($body, 200);
    $r->header('Cache-Control', 'public, max-age=60');
    $r->header('X-Socasma-Search', 'daemon');
    return $r;
}

function socasma_wp_enqueue_suggest(): void
{
    if (is_admin()) {
        return;
    }
    wp_enqueue_style('socasma-suggest', plugins_url('socasma-suggest.css', SOCASMA_WP_FILE), [], SOCASMA_WP_VERSION);
    wp_enqueue_script('socasma-suggest', plugins_url('socasma-suggest.js', SOCASMA_WP_FILE), [], SOCASMA_WP_VERSION, true);
    wp_localize_script('socasma-suggest', 'socasmaSuggest', [
        'endpoint' => esc_url_raw(rest_url('socasma/v1/suggest')),
        'words' => __('Search for', 'socasma-search'),
        'titles' => __('Posts', 'socasma-search'),
        'label' => __('Suggestions', 'socasma-search'),
        'count0' => __('No suggestions.', 'socasma-search'),
        'count1' => __('1 suggestion: use the up and down arrows to choose.', 'socasma-search'),
        /* translators: %s: a number of suggestions */
        'countn' => __('%s suggestions: use the up and down arrows to choose.', 'socasma-search'),
    ]);
}
add_action('wp_enqueue_scripts', 'socasma_wp_enqueue_suggest');
