<?php
/* socasma-wp-queue.php: the posts whose change the daemon has not taken
 * yet, in a small table of the site's database ({prefix}socasma_queue).
 *
 * A row is a post ID, not a change: when it is sent, the post is read as it
 * is then (published: put; anything else, or gone: delete), so any number
 * of changes to one post wait as one row and the latest always wins. A row
 * keeps the time of the oldest change it stands for (queued_at) and a
 * counter (seq) that every new change of the post increments: a sender
 * removes a row only with the seq it read before reading the post, so a
 * change made while it was sending is never lost. Sending a post twice is
 * harmless (the daemon answers "unchanged", or "missing" for a delete).
 *
 * Every call here is one or two SQL statements, so that a hook on a save
 * costs little; nothing here talks to the daemon. */
if (!defined('ABSPATH')) {
    exit;
}

const SOCASMA_WP_QUEUE_VERSION = 1;

function socasma_wp_queue_table(): string
{
    global $wpdb;
    return $wpdb->prefix . 'socasma_queue';
}

/* Creates or upgrades the table (on activation, and once after an update
 * of the plugin's files). */
function socasma_wp_queue_install(): void
{
    global $wpdb;
    require_once ABSPATH . 'wp-admin/includes/upgrade.php';
    $table = socasma_wp_queue_table();
    $charset = $wpdb->get_charset_collate();
    dbDelta("CREATE TABLE $table (
  post_id bigint(20) unsigned NOT NULL,
  seq bigint(20) unsigned NOT NULL DEFAULT 1,
  queued_at bigint(20) NOT NULL,
  tries int(10) unsigned NOT NULL DEFAULT 0,
  PRIMARY KEY  (post_id),
  KEY queued_at (queued_at)
) $charset;");
    update_option('socasma_search_queue_version', SOCASMA_WP_QUEUE_VERSION, true);
}

function socasma_wp_queue_maybe_install(): void
{
    if ((int)get_option('socasma_search_queue_version', 0) !== SOCASMA_WP_QUEUE_VERSION) {
        socasma_wp_queue_install();
    }
}

/* Marks posts as changed. Returns false when the database refused. */
function socasma_wp_queue_add(array $post_ids): bool
{
    global $wpdb;
    $ids = array_values(array_unique(array_filter(array_map('intval', $post_ids), fn($id) => $id > 0)));
    if (!$ids) {
        return true;
    }
    $now = time();
    $table = socasma_wp_queue_table();
    $ok = true;
    foreach (array_chunk($ids, 500) as $chunk) {
        $values = implode(',', array_map(fn($id) => "($id, 1, $now)", $chunk));
        $ok = $wpdb->query("INSERT INTO $table (post_id, seq, queued_at) VALUES $values
                            ON DUPLICATE KEY UPDATE seq = seq + 1") !== false && $ok;
    }
    return $ok;
}

/* Marks the posts an SQL query selects (SELECT of one column of post IDs,
 * already prepared), in one statement: for a renamed category, an author
 * who changed name, a new permalink structure. */
function socasma_wp_queue_add_select(string $select): bool
{
    global $wpdb;
    $table = socasma_wp_queue_table();
    $now = time();
    return $wpdb->query("INSERT INTO $table (post_id, seq, queued_at)
                         SELECT ids.id, 1, $now FROM ($select) AS ids
                         ON DUPLICATE KEY UPDATE seq = $table.seq + 1") !== false;
}

/* Up to $limit rows [post_id, seq, queued_at], oldest first, after the
 * position $after ([queued_at, post_id], or null from the start); only the
 * posts $only when given. */
function socasma_wp_queue_next(int $limit, ?array $after = null, ?array $only = null): array
{
    global $wpdb;
    $table = socasma_wp_queue_table();
    $where = [];
    if ($after !== null) {
        $where[] = $wpdb->prepare('(queued_at > %d OR (queued_at = %d AND post_id > %d))',
                                  $after[0], $after[0], $after[1]);
    }
    if ($only !== null) {
        $ids = array_values(array_filter(array_map('intval', $only), fn($id) => $id > 0));
        if (!$ids) {
            return [];
        }
        $where[] = 'post_id IN (' . implode(',', $ids) . ')';
    }
    $rows = $wpdb->get_results('SELECT post_id, seq, queued_at FROM ' . $table
                               . ($where ? ' WHERE ' . implode(' AND ', $where) : '')
                               . ' ORDER BY queued_at, post_id LIMIT ' . max(1, $limit), ARRAY_N);
    return array_map(fn($r) => [(int)$r[0], (int)$r[1], (int)$r[2]], is_array($rows) ? $rows : []);
}

/* Removes the rows [post_id, seq] that no change has touched since. */
function socasma_wp_queue_done(array $rows): void
{
    global $wpdb;
    $table = socasma_wp_queue_table();
    foreach (array_chunk($rows, 200) as $chunk) {
        $cond = implode(' OR ', array_map(fn($r) => sprintf('(post_id = %d AND seq = %d)', $r[0], $r[1]), $chunk));
        $wpdb->query("DELETE FROM $table WHERE $cond");
    }
}

/* Counts one more failed try for the posts $ids. */
function socasma_wp_queue_tried(array $ids): void
{
    global $wpdb;
    $ids = array_values(array_filter(array_map('intval', $ids), fn($id) => $id > 0));
    if ($ids) {
        $wpdb->query('UPDATE ' . socasma_wp_queue_table() . ' SET tries = tries + 1 WHERE post_id IN ('
                     . implode(',', $ids) . ')');
    }
}

/* ['waiting' => rows, 'oldest' => unix time of the oldest change or 0]. */
function socasma_wp_queue_stats(): array
{
    global $wpdb;
    $row = $wpdb->get_row('SELECT COUNT(*), MIN(queued_at) FROM ' . socasma_wp_queue_table(), ARRAY_N);
    return ['waiting' => (int)($row[0] ?? 0), 'oldest' => (int)($row[1] ?? 0)];
}
