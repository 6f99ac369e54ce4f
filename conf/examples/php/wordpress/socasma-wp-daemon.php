<?php
/* socasma-wp-daemon.php: one request to socasma-searchd, behind a circuit
 * breaker.
 *
 * When the daemon cannot be reached, does not answer within the read
 * timeout, or answers that it cannot serve (unavailable, overloaded,
 * timeout, internal), the breaker opens: for breaker_seconds (30 s by
 * default) every search is WordPress's own, and the daemon is not tried, so
 * that visitors do not each wait for the timeout while the daemon hangs.
 * The first request after that tries the daemon again; success closes the
 * breaker. The state is a transient (the options table, or the object
 * cache when the site has one), shared by all PHP processes.
 *
 * Searches go to the search addresses (the replicas, or a balancer in
 * front of them), else to the daemon's address; writes (socasma-wp-live.php)
 * always go to the daemon's address, the primary.
 *
 * socasma_wp_call() never throws: any failure, a PHP Error included, is
 * logged and gives null, and the caller falls back. */
if (!defined('ABSPATH')) {
    exit;
}

const SOCASMA_WP_BREAKER = 'socasma_search_breaker';

/* The open breaker's state (['until' => unix time, 'since' => unix time,
 * 'why' => message]) or null when it is closed. */
function socasma_wp_breaker(): ?array
{
    $b = get_transient(SOCASMA_WP_BREAKER);
    if (is_array($b) && isset($b['until']) && (int)$b['until'] > time()) {
        return $b;
    }
    return null;
}

function socasma_wp_breaker_trip(string $why): void
{
    $seconds = (int)socasma_wp_setting('breaker_seconds');
    error_log("socasma-search: $why; using the WordPress search"
              . ($seconds > 0 ? " for $seconds s" : ''));
    if ($seconds > 0) {
        $now = time();
        set_transient(SOCASMA_WP_BREAKER, ['until' => $now + $seconds, 'since' => $now,
                                           'why' => $why], $seconds);
    }
}

function socasma_wp_breaker_reset(): void
{
    if (get_transient(SOCASMA_WP_BREAKER) !== false) {
        delete_transient(SOCASMA_WP_BREAKER);
    }
}

/* How the last call went, for the X-Socasma-Search header and the tests:
 * "daemon", "fallback" (it failed now) or "breaker" (not tried). */
function socasma_wp_last_outcome(?string $set = null): string
{
    static $outcome = '';
    if ($set !== null) {
        $outcome = $set;
    }
    return $outcome;
}

/* Sends $request (an op and its fields, doc/PROTOCOL.md) and returns the
 * answer when it is ok; null when the breaker is open, the daemon failed
 * (the breaker then opens) or refused the request (bad_request: this
 * request only falls back). */
function socasma_wp_call(array $request): ?array
{
    if (socasma_wp_breaker() !== null) {
        socasma_wp_last_outcome('breaker');
        return null;
    }
    try {
        $answer = socasma_request($request, socasma_wp_search_daemon());
    } catch (Throwable $e) {
        /* SocasmaError (unreachable, silent, garbled) or a PHP Error. */
        socasma_wp_breaker_trip(($e instanceof SocasmaError ? '' : get_class($e) . ': ') . $e->getMessage());
        socasma_wp_last_outcome('fallback');
        return null;
    }
    if (empty($answer['ok'])) {
        $code = (string)($answer['error']['code'] ?? 'internal');
        $message = (string)($answer['error']['message'] ?? '');
        if (in_array($code, ['bad_request', 'too_long', 'not_found'], true)) {
            error_log("socasma-search: the daemon refused the request ($code: $message)");
        } else {
            socasma_wp_breaker_trip("the search daemon answered $code: $message");
        }
        socasma_wp_last_outcome('fallback');
        return null;
    }
    socasma_wp_breaker_reset();
    socasma_wp_last_outcome('daemon');
    return $answer;
}
