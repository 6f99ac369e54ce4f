# web-lib.sh: sourced by the browser tests of tests/web after
# tests/lib/common.sh and tests/ops/ops-lib.sh.
#   need_browser      skip (77) unless Chromium, Node.js and the npm packages
#                     of tests/web (./bootstrap installs them) are there
#   run_node SCRIPT   runs tests/web/SCRIPT with Node.js; its "ok:"/"FAIL:"
#                     lines count as this test's
#   start_php_page    serves conf/examples/php with `php -S` on a free
#                     loopback port over the daemon at $SOCK; sets PAGE_BASE
#   keep_shots        copies $T/*.png to $SOCASMA_SHOTS when it is set (the
#                     screenshots are otherwise removed with $T)
WEB_DIR="$top_srcdir/tests/web"
WEB_MODULES="${SOCASMA_WEB_MODULES:-$WEB_DIR/node_modules}"
CHROME=

need_browser() {
    for c in chromium chromium-browser google-chrome; do
        command -v "$c" >/dev/null 2>&1 && { CHROME=$(command -v "$c"); break; }
    done
    [ -n "$CHROME" ] || skip "chromium is not installed (./bootstrap installs it)"
    command -v node >/dev/null 2>&1 || skip "node is not installed (./bootstrap installs it)"
    [ -d "$WEB_MODULES/puppeteer-core" ] && [ -d "$WEB_MODULES/axe-core" ] ||
        skip "the npm packages of tests/web are not installed (./bootstrap, or npm ci in tests/web)"
}

run_node() {
    # Node resolves packages from the script's directory: run a copy of the
    # scripts beside the modules (the source tree may be read-only).
    mkdir -p "$T/web"
    cp "$WEB_DIR"/*.mjs "$T/web/"
    ln -sfn "$WEB_MODULES" "$T/web/node_modules"
    HOME="$T" CHROME="$CHROME" TMPDIR_TEST="$T" node "$T/web/$1" >"$T/node.out" 2>&1
    rc=$?
    cat "$T/node.out"
    _failures=$((_failures + $(grep -c '^FAIL: ' "$T/node.out")))
    if [ $rc -ne 0 ] && ! grep -q '^FAIL: ' "$T/node.out"; then
        fail "node $1 exited with status $rc"
    fi
}

start_php_page() {
    command -v php >/dev/null 2>&1 || skip "php-cli is not installed"
    port=$(free_port)
    SOCASMA_SOCKET="$SOCK" php -S "127.0.0.1:$port" -t "$top_srcdir/conf/examples/php" >"$T/php.log" 2>&1 &
    php_pid=$!
    on_exit "kill $php_pid 2>/dev/null"
    PAGE_BASE="http://127.0.0.1:$port"
    wait_port "$port" || { cat "$T/php.log" >&2; echo "php -S did not start" >&2; exit 99; }
}

# wait_port PORT: until something listens on 127.0.0.1:PORT (10 s at most).
wait_port() {
    i=0
    until php -r 'exit(@fsockopen("127.0.0.1", '"$1"') ? 0 : 1);' 2>/dev/null; do
        i=$((i + 1)); [ $i -lt 200 ] || return 1
        sleep 0.05
    done
}

keep_shots() {
    [ -n "${SOCASMA_SHOTS:-}" ] || return 0
    mkdir -p "$SOCASMA_SHOTS" && cp "$T"/*.png "$SOCASMA_SHOTS"/ 2>/dev/null
    echo "screenshots copied to $SOCASMA_SHOTS"
}
