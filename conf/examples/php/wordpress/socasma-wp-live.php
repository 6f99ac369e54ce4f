<?php
/* socasma-wp-live.php: the live index. A post published, edited,
 * unpublished, trashed or deleted, or whose categories or tags change, is
 * sent to the daemon at once: `put` when it is published and of an indexed
 * type, `delete` (id "wp-<ID>") otherwise (doc/PROTOCOL.md, writes).
 *
 * Every change first goes into the queue (socasma-wp-queue.php), then, at
 * the end of the request that made it, the request's posts are sent; the
 * save waits for the daemon at most the connect timeout in all (connect
 * and answer together), so an editor never waits on a daemon that is down
 * or busy. What is not taken then (the daemon down, busy, slow, forbidden)
 * stays in the queue, and WP-Cron sends the queue, oldest first and in
 * batches (100 posts, 4 MiB at most a request), every minute and as soon as
 * it can after a save that the daemon took while others waited. Past an
 * hour of waiting, wp-admin shows a notice.
 *
 * A post the daemon refuses (bad_request naming the post: its date, say;
 * too_long alone) leaves the queue, with a line in the PHP log and the
 * status box: sending it again would not help, and the nightly reindex
 * reports it too. Any other refusal (forbidden, busy, a daemon of protocol
 * 1 that has no writes) keeps everything queued.
 *
 * Terms and names that many posts show are followed too: a category or tag
 * renamed or deleted queues its posts, an author's new display name queues
 * theirs, a new permalink structure queues every post. The nightly
 * socasma-reindex remains the reconciler for anything changed behind
 * WordPress's back (SQL, another plugin's direct writes). */
if (!defined('ABSPATH')) {
    exit;
}

/* A request's batch: posts, and bytes of the request line (the daemon
 * takes 1000 posts and a line of max_write_line, 16 MiB by default). */
const SOCASMA_WP_BATCH_POSTS = 100;
const SOCASMA_WP_BATCH_BYTES = 4 * 1024 * 1024;
/* The option that keeps the last write, the last failure and the posts
 * refused, for the status box and the notice. */
const SOCASMA_WP_LIVE_STATE = 'socasma_search_live';

function socasma_wp_live_on(): bool
{
    return (int)socasma_wp_setting('live') === 1;
}

/* ---- what changed ------------------------------------------------------ */

/* The posts this request changed (and queued); with $add, adds them. */
function socasma_wp_live_changed(array $add = []): array
{
    static $ids = [];
    $new = [];
    foreach ($add as $id) {
        $id = (int)$id;
        if ($id > 0 && !isset($ids[$id])) {
            $ids[$id] = true;
            $new[] = $id;
        }
    }
    if ($new) {
        socasma_wp_queue_add($new);
        socasma_wp_live_hook_shutdown();
    }
    return array_keys($ids);
}

/* Queues the posts of an SQL selection (a renamed term's, an author's,
 * every post); the end of the request then sends the queue as a whole. */
function socasma_wp_live_changed_select(string $select): void
{
    socasma_wp_queue_add_select($select);
    socasma_wp_live_bulk(true);
    socasma_wp_live_hook_shutdown();
}

/* Whether this request queued posts by an SQL selection. */
function socasma_wp_live_bulk(?bool $set = null): bool
{
    static $bulk = false;
    if ($set !== null) {
        $bulk = $set;
    }
    return $bulk;
}

function socasma_wp_live_hook_shutdown(): void
{
    if (!has_action('shutdown', 'socasma_wp_live_shutdown')) {
        add_action('shutdown', 'socasma_wp_live_shutdown', 1);
    }
}

/* A change of $post: queued when it was or is in the index's reach (a
 * post of an indexed type that is or was published). */
function socasma_wp_live_touch($post, bool $was_published = false): void
{
    if (!socasma_wp_live_on()) {
        return;
    }
    $post = get_post($post);
    if (!$post instanceof WP_Post || !in_array($post->post_type, socasma_wp_post_types(), true)) {
        return;   /* revisions, autosaves, attachments, menus, other types */
    }
    if ($post->post_status === 'publish' || $was_published) {
        socasma_wp_live_changed([(int)$post->ID]);
    }
}

/* Published, updated, unpublished, trashed, scheduled and then published:
 * every status change goes through here, also publish -> publish. */
function socasma_wp_live_on_transition($new_status, $old_status, $post): void
{
    socasma_wp_live_touch($post, $old_status === 'publish' || $new_status === 'publish');
}
add_action('transition_post_status', 'socasma_wp_live_on_transition', 10, 3);

/* After the block editor's REST save has set the terms and meta. */
function socasma_wp_live_on_after_insert($post_id, $post, $update, $post_before): void
{
    socasma_wp_live_touch($post, $post_before instanceof WP_Post && $post_before->post_status === 'publish');
}
add_action('wp_after_insert_post', 'socasma_wp_live_on_after_insert', 10, 4);

/* Categories or tags set on a post outside a save (wp_set_post_terms). */
function socasma_wp_live_on_set_terms($object_id, $terms, $tt_ids, $taxonomy): void
{
    if ($taxonomy === 'category' || $taxonomy === 'post_tag') {
        socasma_wp_live_touch((int)$object_id);
    }
}
add_action('set_object_terms', 'socasma_wp_live_on_set_terms', 10, 4);

/* Deleted for good (from the trash or directly). */
function socasma_wp_live_on_deleted($post_id, $post = null): void
{
    if ($post instanceof WP_Post && socasma_wp_live_on()
        && in_array($post->post_type, socasma_wp_post_types(), true) && $post->post_status === 'publish') {
        socasma_wp_live_changed([(int)$post_id]);
    }
}
add_action('deleted_post', 'socasma_wp_live_on_deleted', 10, 2);

/* The published posts of the indexed types, as SQL, with $where added. */
function socasma_wp_live_published_sql(string $where = '1=1', string $join = ''): string
{
    global $wpdb;
    $types = implode(',', array_map(fn($t) => "'" . esc_sql($t) . "'", socasma_wp_post_types()));
    return "SELECT p.ID AS id FROM {$wpdb->posts} p $join
            WHERE p.post_status = 'publish' AND p.post_type IN ($types) AND ($where)";
}

/* A category or tag renamed: its posts show the new name. */
function socasma_wp_live_on_term_edited($term_id, $tt_id, $taxonomy): void
{
    global $wpdb;
    if (!socasma_wp_live_on() || ($taxonomy !== 'category' && $taxonomy !== 'post_tag')) {
        return;
    }
    socasma_wp_live_changed_select(socasma_wp_live_published_sql(
        $wpdb->prepare('tr.term_taxonomy_id = %d', (int)$tt_id),
        "JOIN {$wpdb->term_relationships} tr ON tr.object_id = p.ID"));
}
add_action('edited_term', 'socasma_wp_live_on_term_edited', 10, 3);

/* A category or tag deleted: the posts that had it. */
function socasma_wp_live_on_term_deleted($term, $tt_id, $taxonomy, $deleted_term, $object_ids): void
{
    if (!socasma_wp_live_on() || ($taxonomy !== 'category' && $taxonomy !== 'post_tag')) {
        return;
    }
    $ids = array_values(array_filter(array_map('intval', (array)$object_ids)));
    foreach (array_chunk($ids, 1000) as $chunk) {
        socasma_wp_live_changed_select(socasma_wp_live_published_sql('p.ID IN (' . implode(',', $chunk) . ')'));
    }
}
add_action('delete_term', 'socasma_wp_live_on_term_deleted', 10, 5);

/* An author's display name changed: their posts show it. */
function socasma_wp_live_on_profile($user_id, $old_user = null): void
{
    global $wpdb;
    if (!socasma_wp_live_on() || !$old_user instanceof WP_User) {
        return;
    }
    $user = get_userdata((int)$user_id);
    if ($user && $user->display_name !== $old_user->display_name) {
        socasma_wp_live_changed_select(socasma_wp_live_published_sql(
            $wpdb->prepare('p.post_author = %d', (int)$user_id)));
    }
}
add_action('profile_update', 'socasma_wp_live_on_profile', 10, 2);

/* A new permalink structure: every post's URL changed. */
function socasma_wp_live_on_permalinks(): void
{
    if (socasma_wp_live_on()) {
        socasma_wp_live_changed_select(socasma_wp_live_published_sql());
    }
}
add_action('update_option_permalink_structure', 'socasma_wp_live_on_permalinks');

/* ---- sending ------------------------------------------------------------- */

/* One write to the daemon. Returns ['ok' => answer] or ['error' => kind,
 * 'message' => text], kind one of:
 *   down       not reached, no answer in time, a garbled answer
 *   busy       another writer held the database (nothing applied)
 *   forbidden  writes are not allowed on this connection
 *   refused    bad_request or too_long: the request itself; 'index' is the
 *              post (or id) the message names, when it names one
 *   error      anything else the daemon answered (an old daemon without
 *              writes, overloaded, unavailable, internal)
 * $timeouts: connect and read timeouts in seconds. Never throws. */
function socasma_wp_write(array $request, float $connect, float $read): array
{
    $token = (string)socasma_wp_setting('token');
    if ($token !== '') {
        $request['token'] = $token;
    }
    $opts = ['connect_timeout' => $connect, 'read_timeout' => $read] + socasma_wp_daemon();
    try {
        $answer = socasma_request($request, $opts);
    } catch (Throwable $e) {
        return ['error' => 'down', 'message' => $e->getMessage()];
    }
    if (!empty($answer['ok'])) {
        return ['ok' => $answer];
    }
    $code = (string)($answer['error']['code'] ?? 'internal');
    $message = (string)($answer['error']['message'] ?? '');
    if ($code === 'busy' || $code === 'forbidden') {
        return ['error' => $code, 'message' => "$code: $message"];
    }
    if ($code === 'too_long') {
        return ['error' => 'refused', 'message' => "too_long: $message", 'index' => null];
    }
    if ($code === 'bad_request') {
        /* A post's fault names it ("posts[3]: invalid date ..."); anything
         * else is the request's (an old daemon's "unknown op"). */
        if (preg_match('/^(?:posts|ids)\[(\d+)\]:/', $message, $m)) {
            return ['error' => 'refused', 'message' => "bad_request: $message", 'index' => (int)$m[1]];
        }
        if (preg_match('/^post:/', $message)) {
            return ['error' => 'refused', 'message' => "bad_request: $message", 'index' => 0];
        }
        if ($message === 'unknown op') {
            $message = 'the daemon does not take writes (protocol 1): update socasma-search';
        }
    }
    return ['error' => 'error', 'message' => "$code: $message"];
}

/* Sends $items (a list of [row, payload]) as one request of $op, then what
 * is left of them when the daemon refuses one: a post it names is set
 * aside as refused and the others are sent again; a request too long is
 * sent in halves. Adds to $run (counts, 'done' rows, 'refused'); returns
 * false when the run must stop ($run['stop'] says why). */
function socasma_wp_live_send(string $op, array $items, array &$run): bool
{
    while ($items) {
        $left = $run['deadline'] - microtime(true);
        if ($left <= 0.01) {
            $run['stop'] = ['kind' => 'time', 'message' => 'no time left in this run'];
            return false;
        }
        $payload = array_column($items, 1);
        $request = $op === 'put' ? ['op' => 'put', 'posts' => $payload] : ['op' => 'delete', 'ids' => $payload];
        $r = socasma_wp_write($request, min($run['connect'], $left), min($run['read'], $left));
        if (isset($r['ok'])) {
            foreach (['added', 'updated', 'unchanged', 'deleted', 'missing'] as $k) {
                $run[$k] += (int)($r['ok'][$k] ?? 0);
            }
            foreach ($items as [$row]) {
                $run['done'][] = $row;
            }
            $run['revision'] = $r['ok']['revision'] ?? $run['revision'];
            return true;
        }
        if ($r['error'] !== 'refused') {
            $run['stop'] = ['kind' => $r['error'], 'message' => $r['message']];
            return false;
        }
        $i = $r['index'];
        if ($i === null && count($items) > 1) {
            $half = intdiv(count($items), 2);
            return socasma_wp_live_send($op, array_slice($items, 0, $half), $run)
                && socasma_wp_live_send($op, array_slice($items, $half), $run);
        }
        if ($i !== null && $i >= count($items)) {
            /* Not one of ours: the daemon and the plugin disagree. */
            $run['stop'] = ['kind' => 'error', 'message' => $r['message']];
            return false;
        }
        $i = $i ?? 0;
        [$row] = $items[$i];
        $run['done'][] = $row;   /* out of the queue: it would be refused again */
        $run['refused'][] = ['id' => socasma_wp_doc_id($row[0]), 'message' => $r['message'], 'at' => time()];
        error_log('socasma-search: the daemon refused ' . socasma_wp_doc_id($row[0]) . ': ' . $r['message']);
        array_splice($items, $i, 1);
    }
    return true;
}

/* Splits [row, payload] items into requests of at most
 * SOCASMA_WP_BATCH_BYTES. */
function socasma_wp_live_by_bytes(array $items): array
{
    $batches = [];
    $cur = [];
    $bytes = 0;
    foreach ($items as $item) {
        $n = strlen((string)json_encode($item[1], JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES
                                                  | JSON_INVALID_UTF8_SUBSTITUTE)) + 1;
        if ($cur && $bytes + $n > SOCASMA_WP_BATCH_BYTES) {
            $batches[] = $cur;
            $cur = [];
            $bytes = 0;
        }
        $cur[] = $item;
        $bytes += $n;
    }
    if ($cur) {
        $batches[] = $cur;
    }
    return $batches;
}

/* A new run's state. */
function socasma_wp_live_run(float $seconds, float $connect, float $read): array
{
    return ['deadline' => microtime(true) + $seconds, 'connect' => $connect, 'read' => $read,
            'added' => 0, 'updated' => 0, 'unchanged' => 0, 'deleted' => 0, 'missing' => 0,
            'revision' => null, 'sent' => 0, 'done' => [], 'refused' => [], 'stop' => null];
}

/* Sends the queue's posts (only those of $only when given), oldest first,
 * in batches, until the queue is empty, the run's time is up or the daemon
 * fails. Returns the run (see socasma_wp_live_run). */
function socasma_wp_live_flush(array $run, ?array $only = null): array
{
    $after = null;
    while (microtime(true) < $run['deadline']) {
        $rows = socasma_wp_queue_next(SOCASMA_WP_BATCH_POSTS, $after, $only);
        if (!$rows) {
            break;
        }
        $last = end($rows);
        $after = [$last[2], $last[0]];
        _prime_post_caches(array_column($rows, 0), false, false);
        $puts = [];
        $deletes = [];
        foreach ($rows as $row) {
            $post = get_post($row[0]);
            if (socasma_wp_post_indexed($post)) {
                $puts[] = [$row, socasma_wp_post_doc($post)];
            } else {
                $deletes[] = [$row, socasma_wp_doc_id($row[0])];
            }
        }
        $run['done'] = [];
        $ok = true;
        foreach (socasma_wp_live_by_bytes($puts) as $batch) {
            if (!($ok = socasma_wp_live_send('put', $batch, $run))) {
                break;
            }
        }
        if ($ok && $deletes) {
            $ok = socasma_wp_live_send('delete', $deletes, $run);
        }
        socasma_wp_queue_done($run['done']);
        $run['sent'] += count($run['done']);
        if (!$ok) {
            $done = array_flip(array_column($run['done'], 0));
            socasma_wp_queue_tried(array_values(array_filter(array_column($rows, 0), fn($id) => !isset($done[$id]))));
            break;
        }
    }
    $run['done'] = [];
    socasma_wp_live_record($run);
    return $run;
}

/* Keeps what a run did for the status box and the notice. */
function socasma_wp_live_record(array $run): void
{
    $stop = $run['stop'];
    $took = $run['added'] + $run['updated'] + $run['unchanged'] + $run['deleted'] + $run['missing'];
    if ($took === 0 && $stop === null && !$run['refused']) {
        return;
    }
    $state = get_option(SOCASMA_WP_LIVE_STATE, []);
    $state = is_array($state) ? $state : [];
    if ($took > 0) {
        $state['last_ok'] = time();
        $state['last_ok_counts'] = array_intersect_key($run, array_flip(['added', 'updated', 'unchanged',
                                                                          'deleted', 'missing']));
    }
    if ($stop !== null && $stop['kind'] !== 'time') {
        $state['last_error'] = time();
        $state['last_error_message'] = $stop['message'];
        error_log('socasma-search: the daemon did not take the changes (' . $stop['message']
                  . '); they wait in the queue');
    }
    if ($run['refused']) {
        $state['refused'] = array_slice(array_merge($run['refused'], (array)($state['refused'] ?? [])), 0, 10);
    }
    update_option(SOCASMA_WP_LIVE_STATE, $state, false);
}

/* The end of a request that changed posts: send them, within the connect
 * timeout in all. When changes are left waiting (others', or these: the
 * daemon did not take them, or not in that time), WP-Cron is asked to send
 * them as soon as it runs. */
function socasma_wp_live_shutdown(): void
{
    $ids = socasma_wp_live_changed();
    $bulk = socasma_wp_live_bulk();
    if ((!$ids && !$bulk) || !socasma_wp_live_on() || socasma_wp_live_in_cron()) {
        return;
    }
    if (socasma_wp_breaker() !== null) {
        /* The daemon failed a moment ago: do not make the editor wait. */
        socasma_wp_live_schedule_now();
        return;
    }
    try {
        $budget = (float)socasma_wp_setting('connect_timeout');
        /* The request's posts; after a change of many, the queue's oldest. */
        $run = socasma_wp_live_flush(socasma_wp_live_run($budget, $budget, $budget), $bulk ? null : $ids);
        if ($run['stop'] !== null || socasma_wp_queue_stats()['waiting'] > 0) {
            socasma_wp_live_schedule_now();
        }
    } catch (Throwable $e) {
        /* The changes are queued: WP-Cron sends them. */
        error_log('socasma-search: ' . get_class($e) . ': ' . $e->getMessage() . '; the changes wait in the queue');
    }
}

/* ---- WP-Cron --------------------------------------------------------------- */

const SOCASMA_WP_CRON_HOOK = 'socasma_search_send_queue';

function socasma_wp_live_in_cron(?bool $set = null): bool
{
    static $in = false;
    if ($set !== null) {
        $in = $set;
    }
    return $in;
}

function socasma_wp_live_schedules(array $schedules): array
{
    $schedules['socasma_minute'] = ['interval' => 60,
                                    'display' => __('Every minute (socasma-search)', 'socasma-search')];
    return $schedules;
}
add_filter('cron_schedules', 'socasma_wp_live_schedules');

/* The minute's event, kept scheduled while live updates are on. */
function socasma_wp_live_schedule(): void
{
    $next = wp_next_scheduled(SOCASMA_WP_CRON_HOOK);
    if (socasma_wp_live_on() && !$next) {
        wp_schedule_event(time(), 'socasma_minute', SOCASMA_WP_CRON_HOOK);
    } elseif (!socasma_wp_live_on() && $next) {
        wp_clear_scheduled_hook(SOCASMA_WP_CRON_HOOK);
    }
}
add_action('init', 'socasma_wp_live_schedule');

/* One more run as soon as WP-Cron runs (after a save, for the others). */
function socasma_wp_live_schedule_now(): void
{
    if (!wp_next_scheduled(SOCASMA_WP_CRON_HOOK, ['now'])) {
        wp_schedule_single_event(time(), SOCASMA_WP_CRON_HOOK, ['now']);
    }
}

/* WP-Cron's run: the whole queue, in batches, for at most 45 s (less when
 * PHP's max_execution_time is short), each answer awaited write_timeout. */
function socasma_wp_live_cron(): void
{
    static $ran = false;
    if ($ran || !socasma_wp_live_on()) {
        return;   /* the minute's event and a "now" event due together */
    }
    $ran = true;
    socasma_wp_live_in_cron(true);
    $limit = (int)ini_get('max_execution_time');
    $seconds = $limit > 0 ? max(5, min(45, $limit - 10)) : 45;
    socasma_wp_live_flush(socasma_wp_live_run($seconds, (float)socasma_wp_setting('connect_timeout'),
                                              (float)socasma_wp_setting('write_timeout')));
    socasma_wp_live_in_cron(false);
}
add_action(SOCASMA_WP_CRON_HOOK, 'socasma_wp_live_cron');

/* ---- what the admin sees --------------------------------------------------- */

/* Past an hour of waiting, a notice on every wp-admin page (for those who
 * can change the settings). */
function socasma_wp_live_notice(): void
{
    if (!current_user_can('manage_options') || !socasma_wp_live_on()) {
        return;
    }
    $q = socasma_wp_queue_stats();
    if ($q['waiting'] === 0 || time() - $q['oldest'] < HOUR_IN_SECONDS) {
        return;
    }
    $state = get_option(SOCASMA_WP_LIVE_STATE, []);
    $why = is_array($state) ? (string)($state['last_error_message'] ?? '') : '';
    $link = admin_url('options-general.php?page=socasma-search');
    echo '<div class="notice notice-warning" id="socasma-queue-notice"><p>'
        . esc_html(sprintf(
            /* translators: 1: a number of posts, 2: a duration ("3 hours") */
            _n('socasma-search: %1$s changed post has waited %2$s for the search daemon, so the site\'s search does not show it yet.',
               'socasma-search: %1$s changed posts have waited %2$s for the search daemon, so the site\'s search does not show them yet.',
               $q['waiting'], 'socasma-search'),
            number_format_i18n($q['waiting']), human_time_diff($q['oldest'])))
        . ($why !== '' ? ' ' . esc_html(sprintf(__('Last error: %s.', 'socasma-search'), $why)) : '')
        . ' <a href="' . esc_url($link) . '">' . esc_html__('See the status', 'socasma-search') . '</a></p></div>';
}
add_action('admin_notices', 'socasma_wp_live_notice');

/* The status box's rows about live updates. */
function socasma_wp_live_status_rows(array $rows): array
{
    if (!socasma_wp_live_on()) {
        $rows[] = [__('Live updates', 'socasma-search'),
                   '<span id="socasma-status-live">' . esc_html__('Off: the index changes only with the nightly reindex.', 'socasma-search') . '</span>'];
        return $rows;
    }
    $q = socasma_wp_queue_stats();
    $state = get_option(SOCASMA_WP_LIVE_STATE, []);
    $state = is_array($state) ? $state : [];
    $waiting = $q['waiting'] === 0 ? esc_html__('none', 'socasma-search')
        : esc_html(sprintf(_n('%1$s post, waiting for %2$s', '%1$s posts, the oldest waiting for %2$s', $q['waiting'], 'socasma-search'),
                           number_format_i18n($q['waiting']), human_time_diff($q['oldest'])));
    $rows[] = [__('Changes waiting for the daemon', 'socasma-search'),
               '<span id="socasma-status-queue"' . ($q['waiting'] > 0 && time() - $q['oldest'] >= HOUR_IN_SECONDS ? ' class="socasma-bad"' : '')
               . '>' . $waiting . '</span>'];
    if (!empty($state['last_ok'])) {
        $c = (array)($state['last_ok_counts'] ?? []);
        $rows[] = [__('Last live update', 'socasma-search'), '<span id="socasma-status-last-write">'
                   . esc_html(sprintf(__('%1$s ago: %2$d added, %3$d updated, %4$d unchanged, %5$d deleted', 'socasma-search'),
                                      human_time_diff((int)$state['last_ok']), (int)($c['added'] ?? 0), (int)($c['updated'] ?? 0),
                                      (int)($c['unchanged'] ?? 0), (int)($c['deleted'] ?? 0))) . '</span>'];
    }
    if (!empty($state['last_error']) && (int)$state['last_error'] >= (int)($state['last_ok'] ?? 0)) {
        $rows[] = [__('Last live update failed', 'socasma-search'), '<span class="socasma-bad" id="socasma-status-write-error">'
                   . esc_html(sprintf(__('%1$s ago: %2$s', 'socasma-search'), human_time_diff((int)$state['last_error']),
                                      (string)($state['last_error_message'] ?? ''))) . '</span>'];
    }
    if (!empty($state['refused'])) {
        $items = array_map(fn($r) => '<li>' . esc_html((string)$r['id'] . ': ' . (string)$r['message']) . '</li>',
                           (array)$state['refused']);
        $rows[] = [__('Posts the daemon refused', 'socasma-search'),
                   '<ul id="socasma-status-refused" style="margin: 0">' . implode('', $items) . '</ul>'];
    }
    return $rows;
}
add_filter('socasma_search_status_rows', 'socasma_wp_live_status_rows');

/* ---- activation ------------------------------------------------------------ */

function socasma_wp_live_activate(): void
{
    socasma_wp_queue_install();
    socasma_wp_live_schedule();
}

function socasma_wp_live_deactivate(): void
{
    wp_clear_scheduled_hook(SOCASMA_WP_CRON_HOOK);
    wp_clear_scheduled_hook(SOCASMA_WP_CRON_HOOK, ['now']);
}
