<?php
/* uninstall.php: run by WordPress when the plugin is deleted (Plugins >
 * Delete), not when it is only deactivated: removes the queue's table, the
 * plugin's options and its WP-Cron events. The index itself is the
 * daemon's and is not touched. */
if (!defined('WP_UNINSTALL_PLUGIN')) {
    exit;
}
global $wpdb;
$wpdb->query('DROP TABLE IF EXISTS ' . $wpdb->prefix . 'socasma_queue');
foreach (['socasma_search_settings', 'socasma_search_live', 'socasma_search_queue_version'] as $option) {
    delete_option($option);
}
delete_transient('socasma_search_breaker');
wp_clear_scheduled_hook('socasma_search_send_queue');
wp_clear_scheduled_hook('socasma_search_send_queue', ['now']);
