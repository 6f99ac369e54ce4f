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
 * Several daemons (replicas, doc/SCALING.md): 'servers' lists their
 * addresses, tried in order. A connection refused, or closed without an
 * answer or with half of one (a daemon stopped or killed while it held
 * the request), goes on
 * to the next; a daemon that does not answer within the read timeout does
 * not (it may be only slow: the page would wait twice). With one address
 * (a daemon, or a TCP load balancer in front of several) a connection
 * closed without an answer is tried again on it, twice at most, the
 * second time after 50 ms: a balancer sends it to a daemon still
 * running (a daemon dying can take one more connection before its port
 * closes, which nginx cannot send elsewhere once accepted). Every op may
 * be sent again so: a put sent again is "unchanged", a delete "missing",
 * nothing is lost.
 *
 * Returns the decoded answer (an array; 'ok' is true, or false with
 * ['error' => ['code' => ..., 'message' => ...]] as the daemon sent it).
 * Throws SocasmaError when the daemon cannot be reached or answers
 * something that is not one JSON object: the caller shows a message or
 * falls back to another search. The protocol is doc/PROTOCOL.md. */

class SocasmaError extends RuntimeException
{
}

/* Thrown when the daemon could not take the request or closed the
 * connection without an answer: another daemon may answer it. */
class SocasmaRetryable extends SocasmaError
{
}

/* Options: 'socket' (a Unix socket path) or 'tcp' ('HOST:PORT', default
 * 127.0.0.1:7700), or 'servers' (a list of addresses, each a socket path
 * starting with / or HOST:PORT, tried in order; it wins over both);
 * 'connect_timeout' and 'read_timeout' in seconds, per daemon tried
 * (floats, defaults 0.5 and 3); 'max_bytes' of the answer (default
 * 4 MiB). */
function socasma_request(array $request, array $options = []): array
{
    if (!empty($options['servers']) && is_array($options['servers'])) {
        $addresses = [];
        foreach ($options['servers'] as $a) {
            $a = (string)$a;
            $addresses[] = ($a !== '' && $a[0] === '/') ? 'unix://' . $a : 'tcp://' . $a;
        }
    } elseif (!empty($options['socket'])) {
        $addresses = ['unix://' . $options['socket']];
    } else {
        $addresses = ['tcp://' . ($options['tcp'] ?? '127.0.0.1:7700')];
    }

    /* A byte that is not UTF-8 becomes U+FFFD, as the importer does. */
    $line = json_encode($request, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES
                                  | JSON_INVALID_UTF8_SUBSTITUTE);
    if ($line === false) {
        throw new SocasmaError('cannot encode the request: ' . json_last_error_msg());
    }

    /* One address: a connection closed without an answer is tried again
     * (not a refused one: nothing listens there). */
    $single = count($addresses) === 1;
    $last = null;
    foreach ($addresses as $address) {
        for ($try = 0; $try < 3; $try++) {
            if ($try === 2) {
                usleep(50000);
            }
            try {
                return socasma_request_once($address, $line, $options);
            } catch (SocasmaRetryable $e) {
                $last = $e;
                if (!$single || $e->getCode() !== 1) {
                    break; /* the next address, if any */
                }
            }
        }
    }
    throw $last;
}

/* One try of socasma_request() at one address ('unix://...' or
 * 'tcp://...'). Throws SocasmaRetryable (code 1: closed without an answer;
 * 0: could not connect) or SocasmaError. */
function socasma_request_once(string $address, string $line, array $options): array
{
    $connect_timeout = (float)($options['connect_timeout'] ?? 0.5);
    $read_timeout = (float)($options['read_timeout'] ?? 3.0);
    $max_bytes = (int)($options['max_bytes'] ?? 4 * 1024 * 1024);

    $errno = 0;
    $errstr = '';
    $conn = @stream_socket_client($address, $errno, $errstr, $connect_timeout);
    if ($conn === false) {
        throw new SocasmaRetryable("cannot connect to the search daemon at $address: "
                                   . ($errstr !== '' ? $errstr : "error $errno"), 0);
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
                throw new SocasmaRetryable('cannot send the request to the search daemon', 1);
            }
            if ($chunk === false) {
                $meta = stream_get_meta_data($conn);
                if (!empty($meta['timed_out'])) {
                    throw new SocasmaError('the search daemon did not answer in time');
                }
                throw new SocasmaRetryable($answer === ''
                    ? 'the search daemon closed the connection without an answer'
                    : 'the search daemon closed the connection in the middle of its answer', 1);
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
