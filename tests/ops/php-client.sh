# php-client.sh: conf/examples/php/socasma-client.php against the real
# daemon on the sample archive: a search gives decoded hits, an error
# answer is returned (and thrown by socasma_search), a daemon that is down
# or never answers gives a clear SocasmaError within its timeouts.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/ops/ops-lib.sh"
command -v php >/dev/null 2>&1 || skip "php-cli is not installed"
CLIENT="$top_srcdir/conf/examples/php/socasma-client.php"
start_sample_daemon

# run_php CODE: runs CODE after loading the client, with $sock set.
run_php() {
    php -d display_errors=stderr -r "require '$CLIENT'; \$sock = '$SOCK'; $1"
}

out=$(run_php '$a = socasma_search(["q" => "permis restrictif", "limit" => 3], ["socket" => $sock]);
    echo $a["total"] > 0 ? "total>0\n" : "total=0\n";
    echo count($a["hits"]), "\n";
    foreach ($a["hits"] as $h) echo $h["id"], " ", $h["title"], "\n";')
expect_match "search over the socket finds posts" "^total>0" "$out"
expect_match "limit 3 gives at most 3 hits" "^[123]$" "$(printf '%s\n' "$out" | sed -n 2p)"
expect_match "the permis restrictif post is found" "sample-003 The permis restrictif" "$out"

out=$(run_php '$a = socasma_request(["op" => "search", "q" => "équivalence"], ["socket" => $sock]);
    foreach ($a["hits"] as $h) echo $h["lang"], "|", $h["title"], "\n";')
expect_match "UTF-8 query and titles come back decoded" "fr\|Qu’est-ce que l’équivalence" "$out"

out=$(run_php '$a = socasma_request(["op" => "search", "q" => "x", "offset" => -1], ["socket" => $sock]);
    echo $a["ok"] ? "ok" : $a["error"]["code"], "\n";')
expect_eq "a bad request is returned as the daemon's error" "bad_request" "$out"

out=$(run_php 'try { socasma_search(["q" => "x", "offset" => -1], ["socket" => $sock]); echo "no error\n"; }
    catch (SocasmaError $e) { echo get_class($e), ": ", $e->getMessage(), "\n"; }')
expect_match "socasma_search throws the daemon's error code" "^SocasmaError: the search daemon answered bad_request" "$out"

out=$(run_php '$a = socasma_request(["op" => "ping"], ["socket" => $sock]); echo json_encode($a), "\n";')
expect_match "ping" '"pong":true' "$out"

# The escaping post comes back as text, its snippet escaped with <mark>.
out=$(run_php '$a = socasma_search(["q" => "alert"], ["socket" => $sock]);
    foreach ($a["hits"] as $h) if ($h["id"] === "sample-015") { echo $h["title"], "\n", $h["snippet"], "\n"; }')
expect_match "the title is raw text" 'Alerte: <script>alert\(1\)</script> & "quotes"' "$out"
expect_match "the snippet highlights with <mark>" '<mark>alert</mark>' "$out"
check "the snippet is escaped HTML" test "$(printf '%s' "$out" | sed -n 2p | grep -c '<script>')" = 0

# TCP: a daemon on a loopback port answers the same.
stop_daemon
port=$(free_port)
printf '[index]\ndatabase = %s\n[server]\nsocket = %s\nlisten = 127.0.0.1:%s\n' "$T/db" "$SOCK" "$port" >"$T/daemon.conf"
rm -f "$SOCK"
"$SOCASMA_SEARCHD" --config "$T/daemon.conf" --foreground 2>"$T/daemon.log" &
DAEMON_PID=$!
on_exit "kill $DAEMON_PID 2>/dev/null"
i=0; while [ $i -lt 200 ] && [ ! -S "$SOCK" ]; do sleep 0.05; i=$((i + 1)); done
out=$(run_php "\$a = socasma_search(['q' => 'residency'], ['tcp' => '127.0.0.1:$port']); echo \$a['total'] > 0 ? 'found' : 'none', \"\\n\";")
expect_eq "search over TCP" "found" "$out"
stop_daemon

# The daemon is down: a clear error, not a hang.
out=$(run_php 'try { socasma_search(["q" => "permis"], ["socket" => $sock, "connect_timeout" => 1]); echo "no error\n"; }
    catch (SocasmaError $e) { echo $e->getMessage(), "\n"; }')
expect_match "daemon down (socket): clear error" "^cannot connect to the search daemon at unix://" "$out"
out=$(run_php "try { socasma_search(['q' => 'permis'], ['tcp' => '127.0.0.1:$port', 'connect_timeout' => 1]); echo \"no error\\n\"; }
    catch (SocasmaError \$e) { echo \$e->getMessage(), \"\\n\"; }")
expect_match "daemon down (TCP): clear error" "^cannot connect to the search daemon at tcp://127.0.0.1:$port" "$out"

# A peer that accepts and never answers: the read timeout fires.
php -r '$s = stream_socket_server("unix://'"$T"'/mute.sock"); $c = stream_socket_accept($s, 30); sleep(10);' &
mute=$!
on_exit "kill $mute 2>/dev/null"
i=0; while [ $i -lt 100 ] && [ ! -S "$T/mute.sock" ]; do sleep 0.05; i=$((i + 1)); done
out=$(run_php 'try { socasma_search(["q" => "permis"], ["socket" => "'"$T"'/mute.sock", "read_timeout" => 0.5]); echo "no error\n"; }
    catch (SocasmaError $e) { echo $e->getMessage(), "\n"; }')
expect_eq "a silent peer: read timeout" "the search daemon did not answer in time" "$out"
kill $mute 2>/dev/null
finish
