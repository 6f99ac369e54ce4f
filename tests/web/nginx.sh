# nginx.sh: the nginx example (conf/examples/nginx/). First `nginx -t` on the
# two files as shipped (the server block and its snippet, in a scratch
# prefix: nothing under /etc is read or written but nginx's own
# fastcgi_params). Then the same server block, moved to a loopback port and
# the scratch directory, in front of PHP-FPM and the real daemon: the page,
# suggest.php, the script and the style are served, the rest is 404, every
# answer carries the Content-Security-Policy, and in headless Chromium the
# page breaks none of it while suggestions work (tests/web/nginx.mjs).
# Skips (77) without nginx; the PHP-FPM part without php-fpm, the browser
# part without Chromium, Node.js or tests/web's npm packages.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/ops/ops-lib.sh"
. "$top_srcdir/tests/web/web-lib.sh"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || skip "nginx is not installed"
EX="$top_srcdir/conf/examples"
root=; [ "$(id -u)" = 0 ] && root=yes

# nginx_conf DIR SITE: a main nginx.conf in DIR that includes SITE, with
# every path of nginx's own under DIR.
nginx_conf() {
    mkdir -p "$1/snippets" "$1/logs" "$1/tmp"
    cp /etc/nginx/fastcgi_params "$1/fastcgi_params" 2>/dev/null ||
        skip "nginx's fastcgi_params is missing"
    cp /etc/nginx/mime.types "$1/mime.types" 2>/dev/null || echo 'types { text/html html; }' >"$1/mime.types"
    {
        [ -n "$root" ] && echo "user root;"    # workers read the scratch dir
        echo "worker_processes 1;"
        echo "pid $1/nginx.pid;"
        echo "error_log $1/logs/error.log;"
        echo "events { worker_connections 64; }"
        echo "http {"
        echo "    include mime.types;"
        echo "    default_type application/octet-stream;"
        echo "    access_log $1/logs/access.log;"
        for d in client_body proxy fastcgi uwsgi scgi; do echo "    ${d}_temp_path $1/tmp/$d;"; done
        echo "    include $2;"
        echo "}"
    } >"$1/nginx.conf"
}

# 1. nginx -t on the files as shipped.
nginx_conf "$T/check" "$EX/nginx/socasma-search.conf"
cp "$EX/nginx/socasma-php.conf" "$T/check/snippets/"
out=$("$NGINX" -t -p "$T/check" -c "$T/check/nginx.conf" -e "$T/check/logs/error.log" 2>&1)
rc=$?
expect_eq "nginx -t accepts the example as shipped" 0 "$rc"
[ $rc = 0 ] || printf '%s\n' "$out" >&2
expect_match "nginx -t: syntax is ok" "syntax is ok" "$out"
check "the snippet names PHP-FPM's socket of Debian 12" grep -q 'fastcgi_pass unix:/run/php/php8.2-fpm.sock;' "$EX/nginx/socasma-php.conf"

# 2. The same block on loopback, in front of PHP-FPM.
FPM=
for f in php-fpm8.2 php-fpm; do
    command -v "$f" >/dev/null 2>&1 && { FPM=$(command -v "$f"); break; }
    [ -x "/usr/sbin/$f" ] && { FPM="/usr/sbin/$f"; break; }
done
[ -n "$FPM" ] || { echo "php-fpm is not installed: only nginx -t was checked"; finish; }
command -v php >/dev/null 2>&1 || { echo "php-cli is not installed: only nginx -t was checked"; finish; }
start_sample_daemon

www="$T/www"
mkdir -p "$www"
for f in search.php search-i18n.php suggest.php socasma-client.php search.js search.css; do
    cp "$EX/php/$f" "$www/"
done
cat >"$T/fpm.conf" <<FPM
[global]
pid = $T/fpm.pid
error_log = $T/fpm.log
daemonize = no
[www]
listen = $T/fpm.sock
pm = static
pm.max_children = 2
catch_workers_output = yes
php_admin_value[error_log] = $T/fpm-php.log
php_admin_flag[log_errors] = on
FPM
[ -n "$root" ] && printf 'user = root\ngroup = root\n' >>"$T/fpm.conf"
"$FPM" ${root:+-R} -y "$T/fpm.conf" -F 2>>"$T/fpm.log" &
fpm_pid=$!
on_exit "kill $fpm_pid 2>/dev/null"
i=0; while [ $i -lt 200 ] && [ ! -S "$T/fpm.sock" ]; do sleep 0.05; i=$((i + 1)); done
[ -S "$T/fpm.sock" ] || { cat "$T/fpm.log" >&2; echo "php-fpm did not start" >&2; exit 99; }

port=$(free_port)
mkdir -p "$T/run"
sed -e "s|^\( *\)listen 80;|\1listen 127.0.0.1:$port;|" -e '/listen \[::\]:80;/d' \
    -e "s|root /var/www/socasma-search;|root $www;|" \
    "$EX/nginx/socasma-search.conf" >"$T/run/site.conf"
nginx_conf "$T/run" "$T/run/site.conf"
sed -e "s|unix:/run/php/php8.2-fpm.sock|unix:$T/fpm.sock|" \
    -e "s|SOCASMA_SOCKET /run/socasma-search/socasma.sock|SOCASMA_SOCKET $SOCK|" \
    "$EX/nginx/socasma-php.conf" >"$T/run/snippets/socasma-php.conf"
"$NGINX" -p "$T/run" -c "$T/run/nginx.conf" -e "$T/run/logs/error.log" -g 'daemon off;' 2>>"$T/run/logs/error.log" &
nginx_pid=$!
on_exit "kill $nginx_pid 2>/dev/null"
wait_port "$port" || { cat "$T/run/logs/error.log" >&2; echo "nginx did not start" >&2; exit 99; }
base="http://127.0.0.1:$port"

# head PATH: the status line and headers of a GET.
head_of() {
    php -r '$c = stream_context_create(["http" => ["ignore_errors" => true, "timeout" => 20]]);
        $b = file_get_contents($argv[1], false, $c); echo implode("\n", $http_response_header), "\n\n", $b;' "$base$1"
}
csp="default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
out=$(head_of '/?q=permis')
expect_match "/ is the page" '^HTTP/1.1 200' "$out"
expect_match "the page has results through nginx and PHP-FPM" 'id="count"[^>]*>[0-9]+ results? for' "$out"
expect_match "the page carries the CSP" "Content-Security-Policy: $csp" "$out"
out=$(head_of '/search.php?q=permis&lang=fr')
expect_match "/search.php in French" '<html lang="fr">' "$out"
out=$(head_of '/suggest.php?q=equi')
expect_match "suggest.php through nginx" '"completions":\[[^]]*"équivalence"' "$out"
expect_match "suggest.php carries the CSP" "Content-Security-Policy: $csp" "$out"
out=$(head_of '/search.js')
expect_match "search.js is served" '^HTTP/1.1 200' "$out"
expect_match "search.js is served as JavaScript" 'Content-Type: (application|text)/javascript' "$out"
for p in /socasma-client.php /search-i18n.php /search.php.bak /etc/passwd /wp-login.php; do
    expect_match "$p is not served" '^HTTP/1.1 404' "$(head_of "$p")"
done
stop_daemon
out=$(head_of '/?q=permis')
expect_match "daemon down: 503 through nginx" '^HTTP/1.1 503' "$out"
start_sample_daemon

# 3. In Chromium: the CSP is in force and the page breaks none of it.
if [ -n "$(command -v chromium || command -v chromium-browser || true)" ] && command -v node >/dev/null 2>&1 &&
   [ -d "$WEB_MODULES/puppeteer-core" ]; then
    need_browser
    PAGE_URL="$base/" run_node nginx.mjs
else
    echo "no Chromium, Node.js or npm packages: the page was not loaded in a browser"
fi
check "PHP-FPM logged no PHP error" test "$(cat "$T"/fpm*.log 2>/dev/null | grep -ci 'PHP \(warning\|fatal\|parse\)')" = 0
finish
