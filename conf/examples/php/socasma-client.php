<?php
/* socasma-client.php: a small client of socasma-searchd for PHP pages.
 *
 *   require 'socasma-client.php';
 *   $answer = socasma_request(['op' => 'search', 'q' => 'permis'],
 *                             ['socket' => '/run/socasma-search/socasma.sock']);
 *   // or ['tcp' => '127.0.0.1:7700']
 *
 * One request, one connection: the request is written as one line of JSON,
 * the answer is read up to its newline and decoded. Connect and read
 * timeouts keep a page from hanging when the daemon is busy or down.
 *
 * Returns the decoded answer (an array; 'ok' is true, or false with
 * ['error' => ['code' => ..., 'message' => ...]] as the daemon sent it).
 * Throws SocasmaError when the daemon cannot be reached or answers
 * something that is not one JSON object: the caller shows a message or
 * falls back to another search. The protocol is doc/PROTOCOL.md. */

class SocasmaError extends RuntimeException
{
}

/* Options: 'socket' (a Unix socket path) or 'tcp' ('HOST:PORT', default
 * 127.0.0.1:7700); 'connect_timeout' and 'read_timeout' in seconds (floats,
 * defaults 0.5 and 3); 'max_bytes' of the answer (default 4 MiB). */
function socasma_request(array $request, array $options = []): array
{
    $connect_timeout = (float)($options['connect_timeout'] ?? 0.5);
    $read_timeout = (float)($options['read_timeout'] ?? 3.0);
    $max_bytes = (int)($options['max_bytes'] ?? 4 * 1024 * 1024);
    if (!empty($options['socket'])) {
        $address = 'unix://' . $options['socket'];
    } else {
        $address = 'tcp://' . ($options['tcp'] ?? '127.0.0.1:7700');
    }

    /* A byte that is not UTF-8 becomes U+FFFD, as the importer does. */
    $line = json_encode($request, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES
                                  | JSON_INVALID_UTF8_SUBSTITUTE);
    if ($line === false) {
        throw new SocasmaError('cannot encode the request: ' . json_last_error_msg());
    }

    $errno = 0;
    $errstr = '';
    $conn = @stream_socket_client($address, $errno, $errstr, $connect_timeout);
    if ($conn === false) {
        throw new SocasmaError("cannot connect to the search daemon at $address: "
                               . ($errstr !== '' ? $errstr : "error $errno"));
    }
    try {
        $deadline = microtime(true) + $read_timeout;
        stream_set_timeout($conn, (int)$read_timeout, (int)(fmod($read_timeout, 1.0) * 1e6));
        $data = $line . "\n";
        $sent = true;
        while ($data !== '') {
            $n = @fwrite($conn, $data);
            if ($n === false || $n === 0) {
                /* The daemon may have answered already and closed (a line
                 * longer than its max_line gets too_long): read it. */
                $sent = false;
                break;
            }
            $data = (string)substr($data, $n);
        }

        $answer = '';
        while (!str_ends_with($answer, "\n")) {
            $left = $deadline - microtime(true);
            if ($left <= 0) {
                throw new SocasmaError('the search daemon did not answer in time');
            }
            stream_set_timeout($conn, (int)$left, (int)(fmod($left, 1.0) * 1e6));
            $chunk = @fgets($conn, 65536);
            if ($chunk === false && !$sent) {
                throw new SocasmaError('cannot send the request to the search daemon');
            }
            if ($chunk === false) {
                $meta = stream_get_meta_data($conn);
                if (!empty($meta['timed_out'])) {
                    throw new SocasmaError('the search daemon did not answer in time');
                }
                throw new SocasmaError('the search daemon closed the connection without an answer');
            }
            $answer .= $chunk;
            if (strlen($answer) > $max_bytes) {
                throw new SocasmaError('the answer of the search daemon is too large');
            }
        }
    } finally {
        fclose($conn);
    }

    $decoded = json_decode($answer, true);
    if (!is_array($decoded) || !array_key_exists('ok', $decoded)) {
        throw new SocasmaError('the search daemon sent an answer that is not a JSON object');
    }
    return $decoded;
}

/* A search: the request fields of doc/PROTOCOL.md ('q', 'offset', 'limit',
 * 'lang', 'category', 'facets', ...). Returns the answer; a daemon error
 * (bad_request, overloaded, ...) is thrown as SocasmaError too, with its
 * code in the message, since a page has nothing to show then. */
function socasma_search(array $fields, array $options = []): array
{
    $answer = socasma_request(['op' => 'search'] + $fields, $options);
    if (empty($answer['ok'])) {
        $code = $answer['error']['code'] ?? 'internal';
        $message = $answer['error']['message'] ?? '';
        throw new SocasmaError("the search daemon answered $code: $message");
    }
    return $answer;
}
