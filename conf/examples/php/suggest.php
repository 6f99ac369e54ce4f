<?php
/* suggest.php: the small JSON endpoint behind search-as-you-type on the
 * example search page (search.js calls it from the same origin).
 *
 *   GET suggest.php?q=equi   ->  {"completions":["équivalence",...],
 *                                 "titles":[{"title":...,"url":...},...]}
 *
 * It asks socasma-searchd's `suggest` op (doc/PROTOCOL.md): the text with
 * its last word completed from the archive's words, and the top titles for
 * the text so far. At most 5 of each; titles keep only http(s) URLs. The
 * query is at most 200 bytes (longer: 400); when the daemon cannot be
 * reached the answer is 503 with {"error":"unavailable"} and the page's
 * form goes on working without suggestions. Answers may be cached for a
 * minute. Same daemon address as search.php ($SOCASMA_SOCKET,
 * $SOCASMA_TCP). */
declare(strict_types=1);
require __DIR__ . '/socasma-client.php';

const SUGGEST_LIMIT = 5;
const SUGGEST_MAX_BYTES = 200;

function reply(int $status, array $body): void
{
    http_response_code($status);
    header('Content-Type: application/json; charset=utf-8');
    header('X-Content-Type-Options: nosniff');
    header($status === 200 ? 'Cache-Control: public, max-age=60' : 'Cache-Control: no-store');
    echo json_encode($body, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES), "\n";
}

$q = $_GET['q'] ?? '';
$q = is_string($q) ? trim($q) : '';
if ($q === '') {
    reply(200, ['completions' => [], 'titles' => []]);
    return;
}
if (strlen($q) > SUGGEST_MAX_BYTES) {
    reply(400, ['error' => 'too_long']);
    return;
}

if (getenv('SOCASMA_SOCKET')) {
    $daemon = ['socket' => getenv('SOCASMA_SOCKET')];
} elseif (getenv('SOCASMA_TCP')) {
    $daemon = ['tcp' => getenv('SOCASMA_TCP')];
} else {
    $daemon = ['socket' => '/run/socasma-search/socasma.sock'];
}
/* Suggestions are worth little once late: short timeouts. */
$daemon += ['connect_timeout' => 0.3, 'read_timeout' => 1.0, 'max_bytes' => 256 * 1024];

try {
    $answer = socasma_request(['op' => 'suggest', 'q' => $q, 'limit' => SUGGEST_LIMIT], $daemon);
} catch (SocasmaError $e) {
    error_log('suggest.php: ' . $e->getMessage());
    reply(503, ['error' => 'unavailable']);
    return;
}
if (empty($answer['ok'])) {
    $code = (string)($answer['error']['code'] ?? 'internal');
    error_log("suggest.php: the search daemon answered $code");
    reply(in_array($code, ['bad_request', 'too_long'], true) ? 400 : 503, ['error' => $code]);
    return;
}

$completions = [];
foreach (array_slice($answer['completions'] ?? [], 0, SUGGEST_LIMIT) as $c) {
    if (is_string($c) && $c !== '') {
        $completions[] = $c;
    }
}
$titles = [];
foreach ($answer['titles'] ?? [] as $hit) {
    $url = (string)($hit['url'] ?? '');
    $title = (string)($hit['title'] ?? '');
    if ($title !== '' && preg_match('~^https?://~i', $url)) {
        $titles[] = ['title' => $title, 'url' => $url];
    }
    if (count($titles) === SUGGEST_LIMIT) {
        break;
    }
}
reply(200, ['completions' => $completions, 'titles' => $titles]);
