<?php
/* socasma-wp-settings.php: the plugin's settings. Each has a built-in
 * default, may be set on the settings page (the option
 * "socasma_search_settings"), and a constant in wp-config.php wins over
 * both:
 *
 *   setting          constant                  default
 *   address          SOCASMA_SOCKET / _TCP     /run/socasma-search/socasma.sock (the
 *                                                     daemon that takes writes: the
 *                                                     primary; also searches when
 *                                                     search_addresses is empty)
 *   search_addresses SOCASMA_SEARCH_ADDRESSES  ''     (the daemons that answer
 *                                                     searches, replicas or a load
 *                                                     balancer: addresses separated
 *                                                     by commas, tried in a random
 *                                                     order, the next on a failure;
 *                                                     up to 16)
 *   connect_timeout  SOCASMA_CONNECT_TIMEOUT   0.3 s  (0.05 to 10)
 *   read_timeout     SOCASMA_READ_TIMEOUT      2 s    (0.1 to 30)
 *   breaker_seconds  SOCASMA_BREAKER_SECONDS   30 s   (0 to 3600; 0: no breaker)
 *   live             SOCASMA_LIVE              1      (1: a post saved is sent to
 *                                                     the daemon at once; 0: only
 *                                                     the nightly reindex)
 *   post_types       SOCASMA_POST_TYPES        post,page (the types the nightly
 *                                                     export holds: post, page)
 *   write_timeout    SOCASMA_WRITE_TIMEOUT     35 s   (1 to 300: how long WP-Cron and
 *                                                     push-all wait for a write's
 *                                                     answer)
 *   token            SOCASMA_WRITE_TOKEN       ''     (sent with writes over TCP,
 *                                                     when the daemon has
 *                                                     write = token)
 *
 * An address is a Unix socket path (starting with /) or HOST:PORT. */
if (!defined('ABSPATH')) {
    exit;
}

const SOCASMA_WP_OPTION = 'socasma_search_settings';

function socasma_wp_defaults(): array
{
    return ['address' => '/run/socasma-search/socasma.sock', 'search_addresses' => '',
            'connect_timeout' => 0.3,
            'read_timeout' => 2.0, 'breaker_seconds' => 30, 'live' => 1, 'post_types' => 'post,page',
            'write_timeout' => 35.0, 'token' => ''];
}

/* The constant that sets $key, if wp-config.php defines one, else null. */
function socasma_wp_constant(string $key): ?string
{
    $names = ['address' => ['SOCASMA_SOCKET', 'SOCASMA_TCP'],
              'search_addresses' => ['SOCASMA_SEARCH_ADDRESSES'],
              'connect_timeout' => ['SOCASMA_CONNECT_TIMEOUT'],
              'read_timeout' => ['SOCASMA_READ_TIMEOUT'],
              'breaker_seconds' => ['SOCASMA_BREAKER_SECONDS'],
              'live' => ['SOCASMA_LIVE'],
              'post_types' => ['SOCASMA_POST_TYPES'],
              'write_timeout' => ['SOCASMA_WRITE_TIMEOUT'],
              'token' => ['SOCASMA_WRITE_TOKEN']][$key] ?? [];
    foreach ($names as $name) {
        if (defined($name)) {
            return $name;
        }
    }
    return null;
}

/* Sanitises one setting; null when $value is not acceptable. */
function socasma_wp_clean(string $key, $value)
{
    switch ($key) {
    case 'address':
        $v = trim((string)$value);
        if ($v !== '' && $v[0] === '/' && strlen($v) < 108 && !preg_match('/[\x00-\x1f]/', $v)) {
            return $v;
        }
        if (preg_match('/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/', $v, $m) && (int)$m[2] > 0 && (int)$m[2] < 65536) {
            return $v;
        }
        return null;
    case 'search_addresses':
        /* Addresses as for "address", separated by commas (or blanks);
         * empty: the searches go to "address". */
        $list = [];
        foreach (preg_split('/[\s,]+/', trim((string)$value), -1, PREG_SPLIT_NO_EMPTY) as $a) {
            $a = socasma_wp_clean('address', $a);
            if ($a === null) {
                return null;
            }
            $list[] = $a;
        }
        $list = array_values(array_unique($list));
        return count($list) <= 16 ? implode(', ', $list) : null;
    case 'connect_timeout':
        return is_numeric($value) ? min(10.0, max(0.05, (float)$value)) : null;
    case 'read_timeout':
        return is_numeric($value) ? min(30.0, max(0.1, (float)$value)) : null;
    case 'breaker_seconds':
        return is_numeric($value) ? min(3600, max(0, (int)$value)) : null;
    case 'live':
        if (is_bool($value)) {
            return $value ? 1 : 0;
        }
        $v = strtolower(trim((string)$value));
        if (in_array($v, ['1', 'yes', 'on', 'true'], true)) {
            return 1;
        }
        return in_array($v, ['0', 'no', 'off', 'false'], true) ? 0 : null;
    case 'post_types':
        /* Only what the WordPress export importer indexes: post and page. */
        $types = preg_split('/[\s,]+/', strtolower(trim((string)$value)), -1, PREG_SPLIT_NO_EMPTY);
        if (!$types || array_diff($types, ['post', 'page'])) {
            return null;
        }
        return implode(',', array_values(array_intersect(['post', 'page'], $types)));
    case 'write_timeout':
        return is_numeric($value) ? min(300.0, max(1.0, (float)$value)) : null;
    case 'token':
        $v = (string)$value;
        return strlen($v) <= 1024 && !preg_match('/[\x00-\x1f\x7f]/', $v) ? $v : null;
    }
    return null;
}

/* The value in force for $key: constant, else option, else default. */
function socasma_wp_setting(string $key)
{
    $const = socasma_wp_constant($key);
    if ($const !== null) {
        $v = socasma_wp_clean($key, constant($const));
        if ($v !== null) {
            return $v;
        }
    }
    $saved = get_option(SOCASMA_WP_OPTION, []);
    if (is_array($saved) && array_key_exists($key, $saved)) {
        $v = socasma_wp_clean($key, $saved[$key]);
        if ($v !== null) {
            return $v;
        }
    }
    return socasma_wp_defaults()[$key];
}

/* The post types sent to the daemon (post, page, or both). */
function socasma_wp_post_types(): array
{
    return explode(',', (string)socasma_wp_setting('post_types'));
}

/* The addresses that answer searches (search_addresses, else address). */
function socasma_wp_search_addresses(): array
{
    $list = preg_split('/[\s,]+/', (string)socasma_wp_setting('search_addresses'), -1, PREG_SPLIT_NO_EMPTY);
    return $list ?: [(string)socasma_wp_setting('address')];
}

/* The options of socasma_request() for a search (search, suggest, doc):
 * the search addresses in a random order, so that the replicas share the
 * visitors, each next one tried when one cannot be reached or closes
 * without an answer (socasma-client.php). */
function socasma_wp_search_daemon(): array
{
    $list = socasma_wp_search_addresses();
    shuffle($list);
    return ['servers' => $list] + socasma_wp_daemon();
}

/* The options of socasma_request() for the daemon that takes writes (the
 * primary), and for searches when no search address is set. */
function socasma_wp_daemon(): array
{
    $address = (string)socasma_wp_setting('address');
    $opts = $address[0] === '/' ? ['socket' => $address] : ['tcp' => $address];
    return $opts + ['connect_timeout' => (float)socasma_wp_setting('connect_timeout'),
                    'read_timeout' => (float)socasma_wp_setting('read_timeout'),
                    'max_bytes' => 2 * 1024 * 1024];
}
