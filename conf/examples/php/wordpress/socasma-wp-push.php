<?php
/* socasma-wp-push.php: push the whole site to the daemon (the first fill
 * of the index, or after the index was rebuilt from elsewhere), without
 * WP-CLI: the button "Send every post" on the settings page (batches
 * through admin-ajax.php, with a progress bar: socasma-push.js), or
 * `php push-all.php` in a shell (push-all.php).
 *
 * Both walk the published posts of the indexed types by ID, a batch at a
 * time (socasma_wp_push_batch), and `put` them; a post the daemon refuses
 * is reported and skipped. Each batch says where the next one starts, so a
 * push stopped by a busy or unreachable daemon resumes where it stopped.
 * Nothing is deleted: posts of the index that the site no longer has are
 * the nightly reindex's (socasma-reindex prunes them). */
if (!defined('ABSPATH')) {
    exit;
}

const SOCASMA_WP_PUSH_BATCH = 100;

/* The published posts of the indexed types. */
function socasma_wp_push_total(): int
{
    global $wpdb;
    return (int)$wpdb->get_var('SELECT COUNT(*) FROM (' . socasma_wp_live_published_sql() . ') AS ids');
}

/* Sends the next $limit published posts whose ID is above $after. Returns
 * the run of socasma_wp_live_run() plus 'after' (where the next batch
 * starts: the last ID sent, or $after again when the daemon failed),
 * 'count' (posts read) and 'done' (no post left). $connect and $read are
 * the timeouts of each request, $seconds the batch's time at most. */
function socasma_wp_push_batch(int $after, int $limit, float $connect, float $read, float $seconds): array
{
    global $wpdb;
    $limit = max(1, min(1000, $limit));
    $ids = array_map('intval', $wpdb->get_col(socasma_wp_live_published_sql($wpdb->prepare('p.ID > %d', $after))
                                              . ' ORDER BY p.ID LIMIT ' . $limit));
    $run = socasma_wp_live_run($seconds, $connect, $read);
    $run['after'] = $after;
    $run['count'] = count($ids);
    $run['finished'] = count($ids) < $limit;
    if (!$ids) {
        return $run;
    }
    _prime_post_caches($ids, false, false);
    $items = [];
    foreach ($ids as $id) {
        $post = get_post($id);
        if (socasma_wp_post_indexed($post)) {
            $items[] = [[$id, 0, 0], socasma_wp_post_doc($post)];
        }
    }
    $ok = true;
    foreach (socasma_wp_live_by_bytes($items) as $batch) {
        if (!($ok = socasma_wp_live_send('put', $batch, $run))) {
            break;
        }
    }
    if ($ok) {
        $run['after'] = end($ids);
        $run['sent'] = count($ids);
    } else {
        $run['finished'] = false;
    }
    $run['done'] = [];
    socasma_wp_live_record($run);
    return $run;
}

/* admin-ajax.php?action=socasma_push_all (POST after, _ajax_nonce): one
 * batch, for the settings page's button. */
function socasma_wp_push_ajax(): void
{
    check_ajax_referer('socasma_push_all');
    if (!current_user_can('manage_options')) {
        wp_send_json_error(['message' => __('You may not do this.', 'socasma-search')], 403);
    }
    $after = isset($_POST['after']) ? absint($_POST['after']) : 0;
    $limit = (int)ini_get('max_execution_time');
    $seconds = $limit > 0 ? max(5, min(25, $limit - 5)) : 25;
    $run = socasma_wp_push_batch($after, SOCASMA_WP_PUSH_BATCH, (float)socasma_wp_setting('connect_timeout'),
                                 min((float)socasma_wp_setting('write_timeout'), $seconds), $seconds);
    $answer = ['after' => $run['after'], 'sent' => $run['sent'], 'finished' => $run['finished'],
               'total' => socasma_wp_push_total(), 'added' => $run['added'], 'updated' => $run['updated'],
               'unchanged' => $run['unchanged'], 'refused' => $run['refused']];
    if ($run['stop'] !== null) {
        $answer['message'] = $run['stop']['message'];
        wp_send_json_error($answer, 503);
    }
    wp_send_json_success($answer);
}
add_action('wp_ajax_socasma_push_all', 'socasma_wp_push_ajax');
