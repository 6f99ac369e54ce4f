<?php
/*
 * Plugin Name: socasma-search
 * Description: Answers the site's own search form with socasma-searchd (bilingual full-text search): highlighted excerpts, "Did you mean", search as you type; keeps the index current as posts are published, edited or trashed. Falls back to WordPress's search when the daemon does not answer.
 * Version: 0.3.0
 * Requires at least: 6.1
 * Requires PHP: 8.0
 * License: GPL-2.0-or-later
 * Text Domain: socasma-search
 *
 * socasma-search.php: the plugin's entry point; it loads its parts.
 *
 *   socasma-wp-settings.php  where the daemon is and the timeouts (the
 *                            settings page's options; wp-config.php
 *                            constants win)
 *   socasma-wp-daemon.php    one request to the daemon behind a circuit
 *                            breaker: after a failure, WordPress's own
 *                            search for 30 s without trying the daemon
 *   socasma-wp-query.php     the main search query answered by the daemon
 *                            (posts_pre_query), ?orderby=date, the count,
 *                            the excerpts
 *   socasma-wp-notice.php    "Did you mean" / "Showing results for" in the
 *                            theme's search page, block or classic
 *   socasma-wp-rest.php      GET /wp-json/socasma/v1/suggest and the script
 *                            that lists suggestions under the site's search
 *                            boxes (socasma-suggest.js, .css)
 *   socasma-wp-admin.php     Settings > Search (socasma): the settings and a
 *                            status box
 *   socasma-wp-l10n.php      the French strings (fr_*), no .mo needed
 *   socasma-wp-post.php      a post as the daemon's `put` takes it (the
 *                            fields of the site's own export)
 *   socasma-wp-queue.php     the changes not yet sent, in a small table
 *   socasma-wp-live.php      the live index: hooks on the posts' life,
 *                            sending at the end of a save, WP-Cron every
 *                            minute, the notice past an hour of waiting
 *   socasma-wp-push.php      sending every post (the settings page's
 *                            button, socasma-push.js; push-all.php in a
 *                            shell)
 *   uninstall.php            removes the table, options and events
 *
 * Install: copy this directory's files and ../socasma-client.php into
 * wp-content/plugins/socasma-search/, then activate the plugin. Settings:
 * Settings > Search (socasma), or in wp-config.php (which wins):
 *   define('SOCASMA_SOCKET', '/run/socasma-search/socasma.sock');  // or
 *   define('SOCASMA_TCP', '127.0.0.1:7700');
 *   define('SOCASMA_CONNECT_TIMEOUT', 0.3);   // seconds
 *   define('SOCASMA_READ_TIMEOUT', 2.0);      // seconds
 *   define('SOCASMA_BREAKER_SECONDS', 30);    // WordPress's search after a failure
 *   define('SOCASMA_LIVE', true);             // send each change at once
 *   define('SOCASMA_POST_TYPES', 'post,page');
 *   define('SOCASMA_WRITE_TIMEOUT', 35);      // WP-Cron's wait for a write
 *   define('SOCASMA_WRITE_TOKEN', '...');     // over TCP, write = token
 *
 * A hit's id is "wp-<post ID>" when the index was built from the site's
 * export (socasma-reindex); otherwise its URL is looked up. Only published
 * posts are shown. Live updates put the posts with those same ids and
 * fields, so the nightly reindex finds them unchanged; for an index built
 * from another source than this site, turn live updates off.
 */
if (!defined('ABSPATH')) {
    exit;
}
if (PHP_VERSION_ID < 80000) {
    return;   /* WordPress reads "Requires PHP" and will not activate it */
}

define('SOCASMA_WP_VERSION', '0.3.0');
define('SOCASMA_WP_FILE', __FILE__);

require_once file_exists(__DIR__ . '/socasma-client.php') ? __DIR__ . '/socasma-client.php'
                                                          : __DIR__ . '/../socasma-client.php';
require_once __DIR__ . '/socasma-wp-l10n.php';
require_once __DIR__ . '/socasma-wp-settings.php';
require_once __DIR__ . '/socasma-wp-daemon.php';
require_once __DIR__ . '/socasma-wp-query.php';
require_once __DIR__ . '/socasma-wp-notice.php';
require_once __DIR__ . '/socasma-wp-rest.php';
require_once __DIR__ . '/socasma-wp-post.php';
require_once __DIR__ . '/socasma-wp-queue.php';
require_once __DIR__ . '/socasma-wp-live.php';
require_once __DIR__ . '/socasma-wp-push.php';
if (is_admin()) {
    require_once __DIR__ . '/socasma-wp-admin.php';
}

register_activation_hook(__FILE__, 'socasma_wp_live_activate');
register_deactivation_hook(__FILE__, 'socasma_wp_live_deactivate');
/* Files updated in place, without a new activation: the table once. */
socasma_wp_queue_maybe_install();
