<?php
/* push-all.php: sends every published post of a WordPress site to
 * socasma-searchd, in batches, with progress; for the first fill of the
 * index, without WP-CLI. Run it in a shell, as a user who may open the
 * daemon's socket (the web server's user):
 *
 *   sudo -u www-data php wp-content/plugins/socasma-search/push-all.php
 *       [--path=DIR] [--url=URL] [--batch=N] [--after=ID] [--quiet]
 *
 *   --path=DIR   the WordPress directory (the one with wp-load.php); by
 *                default the one this plugin is in
 *   --url=URL    the site's address, for installations that choose their
 *                configuration by host name (Debian's package:
 *                /etc/wordpress/config-HOST.php) or multisite
 *   --batch=N    posts a request, 1 to 1000 (default 100)
 *   --after=ID   start after this post ID (to resume a push that stopped)
 *   --quiet      no progress lines, only errors and the summary
 *
 * The plugin must be active; its settings (the daemon's address, token,
 * write timeout) are those of the site. A `busy` daemon (the nightly
 * reindex holds the database) is tried again three times, 10 s apart.
 *
 * Exit status: 0 every post sent; 1 sent, but the daemon refused some
 * posts (listed); 2 usage, or WordPress or the plugin not found; 3 stopped
 * (the daemon unreachable, busy, or refusing writes), with the --after to
 * resume from. */
if (PHP_SAPI !== 'cli') {
    /* Never from the web. */
    header('HTTP/1.0 403 Forbidden');
    exit;
}

function socasma_push_usage(string $error = ''): void
{
    if ($error !== '') {
        fwrite(STDERR, "push-all.php: $error\n");
    }
    fwrite($error !== '' ? STDERR : STDOUT,
           "Usage: php push-all.php [--path=DIR] [--url=URL] [--batch=N] [--after=ID] [--quiet]\n");
    exit($error !== '' ? 2 : 0);
}

$opt = ['path' => '', 'url' => '', 'batch' => 100, 'after' => 0, 'quiet' => false];
foreach (array_slice($argv, 1) as $arg) {
    if ($arg === '--help' || $arg === '-h') {
        socasma_push_usage();
    } elseif ($arg === '--quiet') {
        $opt['quiet'] = true;
    } elseif (preg_match('/^--(path|url|batch|after)=(.*)$/s', $arg, $m)) {
        $opt[$m[1]] = $m[2];
    } else {
        socasma_push_usage("unknown argument: $arg");
    }
}
foreach (['batch' => [1, 1000], 'after' => [0, PHP_INT_MAX]] as $k => [$lo, $hi]) {
    if (!preg_match('/^\d{1,18}$/', (string)$opt[$k]) || (int)$opt[$k] < $lo || (int)$opt[$k] > $hi) {
        socasma_push_usage("--$k must be a whole number from $lo to $hi");
    }
    $opt[$k] = (int)$opt[$k];
}

/* WordPress: --path, else up from this file (wp-content/plugins/NAME/). */
$root = $opt['path'];
if ($root === '') {
    for ($dir = __DIR__, $i = 0; $i < 6 && $root === ''; $i++, $dir = dirname($dir)) {
        if (is_file("$dir/wp-load.php")) {
            $root = $dir;
        }
    }
}
if ($root === '' || !is_file(rtrim($root, '/') . '/wp-load.php')) {
    socasma_push_usage($opt['path'] === ''
        ? 'cannot find WordPress above this file; give its directory with --path=DIR'
        : "no wp-load.php in {$opt['path']}");
}
if ($opt['url'] !== '') {
    $parts = parse_url($opt['url']);
    if (empty($parts['host'])) {
        socasma_push_usage("--url must be an address like https://example.org/, not {$opt['url']}");
    }
    $_SERVER['HTTP_HOST'] = $parts['host'] . (isset($parts['port']) ? ':' . $parts['port'] : '');
    $_SERVER['SERVER_NAME'] = $parts['host'];
    $_SERVER['REQUEST_URI'] = $parts['path'] ?? '/';
    if (($parts['scheme'] ?? '') === 'https') {
        $_SERVER['HTTPS'] = 'on';
    }
} else {
    $_SERVER['HTTP_HOST'] = $_SERVER['HTTP_HOST'] ?? 'localhost';
    $_SERVER['REQUEST_URI'] = $_SERVER['REQUEST_URI'] ?? '/';
}
define('WP_USE_THEMES', false);
require rtrim($root, '/') . '/wp-load.php';

if (!function_exists('socasma_wp_push_batch')) {
    fwrite(STDERR, "push-all.php: the socasma-search plugin is not active on this site (activate it in Plugins)\n");
    exit(2);
}

$total = socasma_wp_push_total();
$after = $opt['after'];
$sent = 0;
$sum = ['added' => 0, 'updated' => 0, 'unchanged' => 0];
$refused = [];
$busy_tries = 0;
$connect = (float)socasma_wp_setting('connect_timeout');
$read = (float)socasma_wp_setting('write_timeout');
if (!$opt['quiet']) {
    printf("socasma-search: sending %d published posts%s to the daemon\n", $total,
           $after > 0 ? " (those after ID $after)" : '');
}
while (true) {
    /* A batch may take several requests (4 MiB each at most). */
    $run = socasma_wp_push_batch($after, $opt['batch'], $connect, $read, max(300.0, 3 * ($read + $connect)));
    foreach ($sum as $k => $v) {
        $sum[$k] += $run[$k];
    }
    $refused = array_merge($refused, $run['refused']);
    if ($run['stop'] !== null) {
        if ($run['stop']['kind'] === 'busy' && $busy_tries < 3) {
            $busy_tries++;
            fwrite(STDERR, "push-all.php: the daemon is busy ({$run['stop']['message']}); trying again in 10 s\n");
            sleep(10);
            continue;
        }
        fwrite(STDERR, sprintf("push-all.php: stopped after %d posts: %s\n", $sent, $run['stop']['message']));
        fwrite(STDERR, "push-all.php: to resume, run it again with --after=$after\n");
        exit(3);
    }
    $busy_tries = 0;
    $sent += $run['sent'];
    $after = $run['after'];
    if (!$opt['quiet'] && $run['sent'] > 0) {
        printf("socasma-search: %d of %d posts (%d%%): %d added, %d updated, %d unchanged\n",
               $sent, max($total, $sent), (int)floor(100 * $sent / max(1, $total, $sent)),
               $sum['added'], $sum['updated'], $sum['unchanged']);
    }
    if ($run['finished']) {
        break;
    }
}
foreach ($refused as $r) {
    fwrite(STDERR, "push-all.php: the daemon refused {$r['id']}: {$r['message']}\n");
}
printf("socasma-search: done: %d posts sent: %d added, %d updated, %d unchanged, %d refused\n",
       $sent, $sum['added'], $sum['updated'], $sum['unchanged'], count($refused));
exit($refused ? 1 : 0);
