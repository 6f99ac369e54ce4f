<?php
/* balancer-load.php: a website's searches through a load balancer, for
 * tests/replication/balancer.sh. Sends searches one after another with
 * the example PHP client (conf/examples/php/socasma-client.php: one
 * connection a request, sent once more when the connection closed without
 * an answer) until STOPFILE exists, checks each answer (ok, and the total
 * that QUERY must have), and prints one line:
 *   requests N ok N failed N p50 MS p99 MS max MS
 * then the first failures, one a line. Exit 0 when none failed.
 *
 *   php balancer-load.php CLIENT HOST:PORT QUERY TOTAL STOPFILE */
if ($argc !== 6) {
    fwrite(STDERR, "usage: balancer-load.php CLIENT HOST:PORT QUERY TOTAL STOPFILE\n");
    exit(2);
}
require $argv[1];
[$addr, $query, $want, $stop] = [$argv[2], $argv[3], (int)$argv[4], $argv[5]];
$opts = ['tcp' => $addr, 'connect_timeout' => 2.0, 'read_timeout' => 5.0];
$lat = [];
$failed = [];
$n = 0;
while (!file_exists($stop)) {
    $n++;
    $t0 = hrtime(true);
    try {
        $a = socasma_request(['op' => 'search', 'q' => $query, 'limit' => 3, 'snippet' => 0], $opts);
        if (empty($a['ok']) || ($a['total'] ?? -1) !== $want || count($a['hits'] ?? []) !== min(3, $want)) {
            $failed[] = 'bad answer: ' . json_encode($a);
        }
    } catch (SocasmaError $e) {
        $failed[] = $e->getMessage();
    }
    $lat[] = (hrtime(true) - $t0) / 1e6;
}
sort($lat);
$pick = fn (float $p) => $lat ? $lat[min(count($lat) - 1, (int)floor($p * count($lat)))] : 0;
printf("requests %d ok %d failed %d p50 %.2f p99 %.2f max %.2f\n", $n, $n - count($failed),
       count($failed), $pick(0.5), $pick(0.99), $lat ? end($lat) : 0);
foreach (array_slice($failed, 0, 5) as $f) {
    echo $f, "\n";
}
exit($failed ? 1 : 0);
