<?php
/* socasma-wp-admin.php: Settings > Search (socasma) in wp-admin.
 *
 * The settings (the daemon's address: a Unix socket path or HOST:PORT; the
 * connect and read timeouts; how long WordPress's search stands in after a
 * failure; live updates, the post types indexed, the write timeout and
 * token), each shown read-only with its constant's name when wp-config.php
 * sets it (the constant wins); the token is never shown back. A status box,
 * read live from the daemon with the settings in force: reachable or not
 * (and why), its version, the posts it holds next to WordPress's published
 * posts, the last index, the circuit breaker's state; other parts add rows
 * with the filter "socasma_search_status_rows" (an array of [label, HTML
 * value]): the live updates' queue (socasma-wp-live.php). And the button
 * that sends every post (socasma-wp-push.php, socasma-push.js). */
if (!defined('ABSPATH')) {
    exit;
}

function socasma_wp_admin_menu(): void
{
    add_options_page(__('Search (socasma)', 'socasma-search'), __('Search (socasma)', 'socasma-search'),
                     'manage_options', 'socasma-search', 'socasma_wp_admin_page');
}
add_action('admin_menu', 'socasma_wp_admin_menu');

function socasma_wp_admin_init(): void
{
    register_setting('socasma_search', SOCASMA_WP_OPTION, [
        'type' => 'array',
        'sanitize_callback' => 'socasma_wp_admin_sanitize',
        'default' => [],
    ]);
}
add_action('admin_init', 'socasma_wp_admin_init');

/* Keeps the valid fields; an invalid one keeps its old value, with a
 * message. */
function socasma_wp_admin_sanitize($input): array
{
    $old = get_option(SOCASMA_WP_OPTION, []);
    $old = is_array($old) ? $old : [];
    $input = is_array($input) ? $input : [];
    $labels = socasma_wp_admin_labels();
    $out = $old;
    if (!empty($input['token_clear'])) {
        $out['token'] = '';
    }
    foreach (array_keys(socasma_wp_defaults()) as $key) {
        if (!array_key_exists($key, $input)) {
            continue;
        }
        if ($key === 'token' && (!is_string($input[$key]) || $input[$key] === '' || !empty($input['token_clear']))) {
            continue;   /* a blank token field keeps the token */
        }
        /* Called twice when the option is new (add_option sanitises again):
         * the second time with the first's numbers. */
        $v = socasma_wp_clean($key, is_scalar($input[$key]) ? wp_unslash((string)$input[$key]) : '');
        if ($v === null) {
            add_settings_error(SOCASMA_WP_OPTION, "socasma-$key",
                /* translators: %s: the name of a setting */
                sprintf(__('%s: not a valid value; the previous one is kept.', 'socasma-search'), $labels[$key]));
            continue;
        }
        $out[$key] = $v;
    }
    /* The next search tries the new settings at once, and so does WP-Cron
     * for the changes that wait. */
    socasma_wp_breaker_reset();
    if (socasma_wp_queue_stats()['waiting'] > 0) {
        socasma_wp_live_schedule_now();
    }
    return $out;
}

function socasma_wp_admin_labels(): array
{
    return [
        'address' => __('Daemon address', 'socasma-search'),
        'search_addresses' => __('Search addresses', 'socasma-search'),
        'connect_timeout' => __('Connect timeout (seconds)', 'socasma-search'),
        'read_timeout' => __('Read timeout (seconds)', 'socasma-search'),
        'breaker_seconds' => __('After a failure, use the WordPress search for (seconds)', 'socasma-search'),
        'live' => __('Live updates', 'socasma-search'),
        'post_types' => __('Post types in the index', 'socasma-search'),
        'write_timeout' => __('Write timeout (seconds)', 'socasma-search'),
        'token' => __('Write token', 'socasma-search'),
    ];
}

/* The status box's rows: [label, value HTML]. */
function socasma_wp_admin_status(): array
{
    $rows = [];
    $daemon = socasma_wp_daemon();
    $where = isset($daemon['socket']) ? 'unix://' . $daemon['socket'] : 'tcp://' . $daemon['tcp'];
    $ok = '<span class="socasma-ok" id="socasma-status-reachable">' . esc_html__('Yes', 'socasma-search') . '</span>';
    try {
        $version = socasma_request(['op' => 'version'], $daemon);
        $stats = socasma_request(['op' => 'stats'], $daemon);
        $rows[] = [__('Daemon reachable', 'socasma-search'), $ok . ' (' . esc_html($where) . ')'];
        $rows[] = [__('Daemon version', 'socasma-search'),
                   esc_html((string)($version['version'] ?? '?')) . ', '
                   . esc_html(sprintf(__('protocol %s', 'socasma-search'), (string)($version['protocol'] ?? '?')))
                   . ((int)($version['protocol'] ?? 0) < 2 && socasma_wp_live_on()
                      ? ' <span class="socasma-bad" id="socasma-status-no-writes">'
                        . esc_html__('(takes no live updates: changes wait for a daemon of protocol 2 or the nightly reindex)', 'socasma-search')
                        . '</span>' : '')];
        if (!empty($stats['ok'])) {
            $published = (int)(wp_count_posts('post')->publish ?? 0);
            $rows[] = [__('Posts in the index', 'socasma-search'),
                       '<span id="socasma-status-posts">' . esc_html(number_format_i18n((int)($stats['posts'] ?? 0))) . '</span> '
                       . esc_html(sprintf(__('(WordPress has %s published posts)', 'socasma-search'), number_format_i18n($published)))];
            $last = (string)($stats['last_indexed'] ?? '');
            $ts = $last !== '' ? strtotime($last) : false;
            $rows[] = [__('Last indexed', 'socasma-search'),
                       '<span id="socasma-status-last">' . ($ts ? esc_html(wp_date(get_option('date_format') . ' ' . get_option('time_format'), $ts))
                                  . ' (' . esc_html(sprintf(__('%s ago', 'socasma-search'), human_time_diff($ts))) . ')'
                            : esc_html__('never', 'socasma-search')) . '</span>'
                       . ', ' . esc_html(sprintf(__('revision %s', 'socasma-search'), (string)($stats['revision'] ?? '?')))];
        } else {
            $rows[] = [__('Index', 'socasma-search'), '<span class="socasma-bad">'
                       . esc_html((string)($stats['error']['code'] ?? '') . ': ' . (string)($stats['error']['message'] ?? '')) . '</span>'];
        }
    } catch (Throwable $e) {
        $rows[] = [__('Daemon reachable', 'socasma-search'),
                   '<span class="socasma-bad" id="socasma-status-reachable">' . esc_html__('No', 'socasma-search') . '</span>: '
                   . esc_html($e->getMessage()) . '. '
                   . esc_html__('Is socasma-searchd running, and may the web server\'s user open its socket?', 'socasma-search')];
    }
    if ((string)socasma_wp_setting('search_addresses') !== '') {
        $rows[] = [__('Search addresses', 'socasma-search'), socasma_wp_admin_search_status()];
    }
    $b = socasma_wp_breaker();
    $rows[] = [__('Search in use', 'socasma-search'), $b === null
        ? '<span id="socasma-status-breaker">' . esc_html__('socasma-search', 'socasma-search') . '</span>'
        : '<span class="socasma-bad" id="socasma-status-breaker">'
          . esc_html(sprintf(__('WordPress\'s own search until %1$s, because: %2$s', 'socasma-search'),
                             wp_date(get_option('time_format') . ':s', (int)$b['until']), (string)$b['why'])) . '</span>'];
    return apply_filters('socasma_search_status_rows', $rows);
}

/* The search addresses, one a line: reachable, role, posts and revision
 * (a replica behind the primary shows an older revision). */
function socasma_wp_admin_search_status(): string
{
    $lines = [];
    foreach (socasma_wp_search_addresses() as $i => $a) {
        $opts = ($a[0] === '/' ? ['socket' => $a] : ['tcp' => $a]) + socasma_wp_daemon();
        unset($opts[$a[0] === '/' ? 'tcp' : 'socket']);
        $id = 'socasma-status-search-' . $i;
        try {
            $v = socasma_request(['op' => 'version'], $opts);
            $st = socasma_request(['op' => 'stats'], $opts);
            $lines[] = '<span id="' . esc_attr($id) . '">' . esc_html($a) . ': <span class="socasma-ok">'
                . esc_html__('Yes', 'socasma-search') . '</span>, '
                . esc_html((string)($v['role'] ?? '?'))
                . esc_html(sprintf(__(', %1$s posts, revision %2$s', 'socasma-search'),
                                   number_format_i18n((int)($st['posts'] ?? 0)), (string)($st['revision'] ?? '?')))
                . '</span>';
        } catch (Throwable $e) {
            $lines[] = '<span id="' . esc_attr($id) . '">' . esc_html($a) . ': <span class="socasma-bad">'
                . esc_html__('No', 'socasma-search') . '</span>: ' . esc_html($e->getMessage()) . '</span>';
        }
    }
    return implode('<br>', $lines);
}

function socasma_wp_admin_page(): void
{
    if (!current_user_can('manage_options')) {
        return;
    }
    $labels = socasma_wp_admin_labels();
    $saved = get_option(SOCASMA_WP_OPTION, []);
    $saved = is_array($saved) ? $saved : [];
    $help = [
        'address' => __('A Unix socket path (/run/socasma-search/socasma.sock) or HOST:PORT (127.0.0.1:7700).', 'socasma-search')
            . ' ' . __('With replicas: the primary, which takes the writes.', 'socasma-search'),
        'search_addresses' => __('Empty: searches go to the daemon address. With replicas: their addresses, or a load balancer\'s, separated by commas; each search tries them in a random order, the next one when one cannot be reached.', 'socasma-search'),
        'connect_timeout' => __('From 0.05 to 10.', 'socasma-search'),
        'read_timeout' => __('From 0.1 to 30: how long a visitor may wait for the daemon.', 'socasma-search'),
        'breaker_seconds' => __('From 0 (always try the daemon) to 3600.', 'socasma-search'),
        'live' => __('A post published, edited, unpublished or trashed is sent to the daemon at once (saving waits for it at most the connect timeout; what it does not take waits in a queue that WP-Cron sends every minute). Off: the index changes only with the nightly reindex.', 'socasma-search'),
        'post_types' => __('post, page, or both: the types of the nightly export (its --post_type).', 'socasma-search'),
        'write_timeout' => __('From 1 to 300: how long WP-Cron and "Send every post" wait for the daemon to take a batch (the daemon answers "busy" after its own write_timeout, 30 s by default).', 'socasma-search'),
        'token' => __('Only for a daemon on TCP with write = token: the contents of its write_token_file. Not needed on the Unix socket. Leave empty to keep the one saved.', 'socasma-search'),
    ];
    ?>
<div class="wrap">
  <h1><?php echo esc_html__('Search (socasma)', 'socasma-search'); ?></h1>
  <h2><?php echo esc_html__('Status', 'socasma-search'); ?></h2>
  <table class="widefat striped" id="socasma-status" style="max-width: 60rem">
    <tbody>
<?php foreach (socasma_wp_admin_status() as [$label, $value]): ?>
      <tr><th scope="row"><?php echo esc_html($label); ?></th><td><?php echo wp_kses_post($value); ?></td></tr>
<?php endforeach; ?>
    </tbody>
  </table>
  <h2><?php echo esc_html__('Settings', 'socasma-search'); ?></h2>
  <form method="post" action="options.php" id="socasma-settings">
<?php settings_fields('socasma_search'); ?>
    <table class="form-table" role="presentation">
<?php foreach ($labels as $key => $label):
        $const = socasma_wp_constant($key);
        $id = 'socasma-' . str_replace('_', '-', $key);
        $value = $const !== null ? socasma_wp_setting($key) : ($saved[$key] ?? socasma_wp_defaults()[$key]);
        $name = SOCASMA_WP_OPTION . "[$key]";
        $attrs = ' id="' . esc_attr($id) . '" name="' . esc_attr($name) . '" aria-describedby="' . esc_attr("$id-help") . '"'
            . ($const !== null ? ' disabled' : '');
?>
      <tr>
        <th scope="row"><label for="<?php echo esc_attr($id); ?>"><?php echo esc_html($label); ?></label></th>
        <td>
<?php if ($key === 'live'): ?>
          <select<?php echo $attrs; ?>>
            <option value="1"<?php selected((int)$value, 1); ?>><?php echo esc_html__('On', 'socasma-search'); ?></option>
            <option value="0"<?php selected((int)$value, 0); ?>><?php echo esc_html__('Off', 'socasma-search'); ?></option>
          </select>
<?php elseif ($key === 'token'): ?>
          <input type="password" class="regular-text" autocomplete="off" value=""<?php echo $attrs; ?>
                 placeholder="<?php echo esc_attr((string)socasma_wp_setting('token') !== '' ? __('(set)', 'socasma-search') : __('(none)', 'socasma-search')); ?>">
<?php if ($const === null && (string)($saved['token'] ?? '') !== ''): ?>
          <label><input type="checkbox" name="<?php echo esc_attr(SOCASMA_WP_OPTION . '[token_clear]'); ?>" value="1">
            <?php echo esc_html__('Remove the saved token', 'socasma-search'); ?></label>
<?php endif; ?>
<?php else: ?>
          <input type="text" class="regular-text" value="<?php echo esc_attr((string)$value); ?>"<?php echo $attrs; ?>>
<?php endif; ?>
          <p class="description" id="<?php echo esc_attr("$id-help"); ?>"><?php
            echo esc_html($help[$key]);
            if ($const !== null) {
                echo ' <strong class="socasma-constant">'
                    /* translators: %s: a PHP constant's name */
                    . esc_html(sprintf(__('Set in wp-config.php by %s, which wins over this page.', 'socasma-search'), $const))
                    . '</strong>';
            }
          ?></p>
        </td>
      </tr>
<?php endforeach; ?>
    </table>
<?php submit_button(); ?>
  </form>
<?php socasma_wp_admin_push_box(); ?>
</div>
<style>.socasma-ok { color: #00701a; font-weight: 600; } .socasma-bad { color: #b32d2e; font-weight: 600; }</style>
    <?php
}

/* "Send every post": the button, its progress bar and its messages
 * (socasma-push.js drives them). */
function socasma_wp_admin_push_box(): void
{
    $total = socasma_wp_push_total();
    $types = implode(', ', socasma_wp_post_types());
    ?>
  <h2 id="socasma-push"><?php echo esc_html__('Send every post', 'socasma-search'); ?></h2>
  <p style="max-width: 60rem"><?php
    echo esc_html(sprintf(
        /* translators: 1: a number of posts, 2: post types ("post, page") */
        __('For the first install, or after the index was rebuilt from elsewhere: sends the site\'s %1$s published posts (%2$s) to the daemon, 100 at a time. Posts the site no longer has stay in the index until the nightly reindex. From a shell, without WP-CLI: php wp-content/plugins/socasma-search/push-all.php', 'socasma-search'),
        number_format_i18n($total), $types)); ?></p>
  <p><button type="button" class="button" id="socasma-push-all"
        data-ajax="<?php echo esc_url(admin_url('admin-ajax.php')); ?>"
        data-nonce="<?php echo esc_attr(wp_create_nonce('socasma_push_all')); ?>"
        data-total="<?php echo esc_attr((string)$total); ?>"
        data-progress="<?php echo esc_attr__('%1$s of %2$s posts sent', 'socasma-search'); ?>"
        data-done="<?php echo esc_attr__('Done: %1$s posts sent (%2$s added, %3$s updated, %4$s unchanged).', 'socasma-search'); ?>"
        data-failed="<?php echo esc_attr__('Stopped: %s. Press the button again to resume.', 'socasma-search'); ?>"
        data-refused="<?php echo esc_attr__('The daemon refused %s:', 'socasma-search'); ?>"
     ><?php echo esc_html__('Send every post to the daemon', 'socasma-search'); ?></button></p>
  <progress id="socasma-push-progress" value="0" max="1" hidden style="width: 100%; max-width: 30rem"></progress>
  <p id="socasma-push-status" role="status" aria-live="polite"></p>
  <div id="socasma-push-refused"></div>
    <?php
}

function socasma_wp_admin_scripts($hook): void
{
    if ($hook === 'settings_page_socasma-search') {
        wp_enqueue_script('socasma-push', plugins_url('socasma-push.js', SOCASMA_WP_FILE), [], SOCASMA_WP_VERSION, true);
    }
}
add_action('admin_enqueue_scripts', 'socasma_wp_admin_scripts');
