# wp-lib.sh: a real WordPress for the tests, sourced after tests/lib/common.sh
# and tests/ops/ops-lib.sh. Debian's WordPress package, on its own MariaDB
# server and its own Apache (with mod_php), both on loopback and under the
# test's scratch directory $T, installed by WordPress's own installer over
# HTTP; everything is stopped and removed when the test exits. Nothing under
# /etc or /var is touched: the WordPress files are copied to $T/wp with a
# wp-config.php of the test's.
#
#   wp_start            MariaDB, the WordPress files, Apache, the installer;
#                       sets WP_URL (http://127.0.0.1:PORT), WP_DIR, WP_ADMIN
#                       and WP_PASS. Skips (77) when a package is missing.
#   wp_php CODE [ARG...]  runs PHP CODE inside WordPress (wp-load.php), as
#                       a CLI script, with the ARGs in $args; prints what
#                       CODE prints
#   wp_config_set NAME VALUE   define(NAME, VALUE) in wp-config.php (VALUE
#                       is PHP, e.g. "'/run/x.sock'" or 3); wp_config_unset NAME
#   wp_install_plugin   copies the plugin (conf/examples/php/wordpress/ and
#                       the client) to wp-content/plugins/socasma-search/
#                       and activates it
#   wp_theme SLUG       switches the theme (twentytwentythree, twentytwentyone)
#   wp_locale LOCALE    the site's locale (fr_FR; "" for English)
#   wp_add_sample_posts adds the sample archive's posts (index/sample) as
#                       WordPress posts, with their categories, tags, dates
#                       and a language tag
#   wp_export FILE [CONTENT]  WordPress's own export (WXR) of the site, into
#                       FILE: CONTENT "post" (the default), "page" or "all"
#   wp_index_and_serve  indexes wp_export's output ($WP_EXPORT_CONTENT, by
#                       default post) with the real indexer and starts the
#                       real daemon on $SOCK (which the web server's user
#                       may read and write; access log $T/wp-access.log);
#                       DAEMON_PID as in ops-lib.sh
#   wp_get PATH [CURL ARGS]   GET (or what the arguments say) PATH of the
#                       site with curl; writes the body on stdout and the
#                       status code to $T/wp-status, headers to $T/wp-headers
#   wp_login            logs in as the admin (cookies in $T/wp-cookies),
#                       for wp_get of wp-admin pages
#   wp_rest METHOD ROUTE [JSON]   a request to the REST API as the logged-in
#                       admin, as the block editor sends it (cookie and
#                       X-WP-Nonce); the body on stdout, status in $T/wp-status
#   wp_cron             runs WP-Cron's due events over HTTP (wp-cron.php), as
#                       a visit or a system cron job would
#   wp_sql SQL          runs SQL on the site's database; prints the rows
#                       (tab-separated, no header)
#
# As root, Apache's children run as www-data (Apache refuses root), so $T
# is opened to others for traversal, and the sockets the site talks to are
# made world-writable; as another user everything runs as that user.
WP_SRC=/usr/share/wordpress
WP_DIR="$T/wp"
WP_ADMIN=admin
WP_PASS="socasma-test-$$"
WP_URL=
_wp_root=; [ "$(id -u)" = 0 ] && _wp_root=yes

wp_need() {
    [ -f "$WP_SRC/wp-settings.php" ] || skip "WordPress is not installed (apt-get install wordpress; ./bootstrap does it)"
    [ -d "$WP_SRC/wp-content/themes/twentytwentythree" ] || skip "wordpress-theme-twentytwentythree is not installed"
    command -v mariadb-install-db >/dev/null 2>&1 && [ -x /usr/sbin/mariadbd ] || skip "mariadb-server is not installed"
    [ -x /usr/sbin/apache2 ] || skip "apache2 is not installed"
    _wp_modphp=$(ls /usr/lib/apache2/modules/libphp*.so 2>/dev/null | head -n 1)
    [ -n "$_wp_modphp" ] || skip "libapache2-mod-php is not installed"
    command -v curl >/dev/null 2>&1 || skip "curl is not installed"
    command -v php >/dev/null 2>&1 || skip "php-cli is not installed"
    php -m | grep -qi '^mysqli$' || skip "php-mysql is not installed"
}

_wp_wait() { # _wp_wait SECONDS COMMAND...: until COMMAND succeeds
    _n=$(( $1 * 20 )); shift
    while [ $_n -gt 0 ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.05; _n=$((_n - 1)); done
    return 1
}

_wp_gone() { ! kill -0 "$1" 2>/dev/null; }

_wp_mariadb() {
    # its own temporary directory: MariaDB's temporary tables in a shared
    # /tmp collided when two WordPress tests ran at once (make -j8 check)
    mkdir -p "$T/mysql/tmp"
    mariadb-install-db --no-defaults --datadir="$T/mysql/data" --tmpdir="$T/mysql/tmp" \
        --auth-root-authentication-method=normal \
        --skip-test-db ${_wp_root:+--user=root} >"$T/mysql/install.log" 2>&1 ||
        { cat "$T/mysql/install.log" >&2; echo "mariadb-install-db failed" >&2; exit 99; }
    /usr/sbin/mariadbd --no-defaults --datadir="$T/mysql/data" --tmpdir="$T/mysql/tmp" \
        --socket="$T/mysql/sock" \
        --pid-file="$T/mysql/pid" --log-error="$T/mysql/error.log" --skip-networking \
        --skip-name-resolve --innodb-buffer-pool-size=16M --innodb-log-file-size=8M \
        --performance-schema=off ${_wp_root:+--user=root} 2>>"$T/mysql/error.log" &
    _wp_db_pid=$!
    on_exit "kill $_wp_db_pid 2>/dev/null; wait $_wp_db_pid 2>/dev/null"
    _wp_wait 30 mariadb-admin --no-defaults -S "$T/mysql/sock" -u root ping ||
        { cat "$T/mysql/error.log" >&2; echo "MariaDB did not start" >&2; exit 99; }
    mariadb --no-defaults -S "$T/mysql/sock" -u root <<SQL || { echo "cannot create the database" >&2; exit 99; }
CREATE DATABASE wordpress CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER 'wp'@'localhost' IDENTIFIED BY 'wp-pass';
GRANT ALL ON wordpress.* TO 'wp'@'localhost';
SQL
}

_wp_files() {
    # Hard links when /usr and $T share a file system (fast), else a copy.
    cp -al "$WP_SRC" "$WP_DIR" 2>/dev/null || { rm -rf "$WP_DIR"; cp -a "$WP_SRC" "$WP_DIR"; } ||
        { echo "cannot copy WordPress" >&2; exit 99; }
    rm -f "$WP_DIR/wp-config.php"
    # Debian's package links some files elsewhere: .htaccess to
    # /etc/wordpress/htaccess (which a test must not write through), and
    # scripts of other packages by relative paths, which break in the copy
    # (wp-includes/js/underscore.min.js: wp-admin's scripts then fail). Each
    # link becomes a copy of what it points to; .htaccess goes (wp_start
    # writes the test's own).
    find "$WP_DIR" -type l | while IFS= read -r _l; do
        _rel=${_l#"$WP_DIR"/}
        rm -f "$_l"
        [ "$_rel" = .htaccess ] || cp -L "$WP_SRC/$_rel" "$_l" 2>/dev/null || true
    done
    mkdir -p "$WP_DIR/wp-content/uploads" "$WP_DIR/wp-content/plugins" "$WP_DIR/wp-content/mu-plugins"
    # No mail leaves a test (the installer writes to the admin).
    printf '<?php\nadd_filter("pre_wp_mail", "__return_true");\n' >"$WP_DIR/wp-content/mu-plugins/socasma-test-nomail.php"
    touch "$T/wp-debug.log"
    _salt=$(php -r 'echo bin2hex(random_bytes(24));')
    cat >"$WP_DIR/wp-config.php" <<PHP
<?php
/* wp-config.php of a test (tests/ops/wp-lib.sh). */
define('DB_NAME', 'wordpress');
define('DB_USER', 'wp');
define('DB_PASSWORD', 'wp-pass');
define('DB_HOST', 'localhost:$T/mysql/sock');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
\$table_prefix = 'wp_';
foreach (['AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT',
          'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT'] as \$k) {
    define(\$k, '$_salt' . \$k);
}
define('WP_HOME', '$WP_URL');
define('WP_SITEURL', '$WP_URL');
/* No network here: WordPress must not try to reach its update servers. */
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_AUTO_UPDATE_CORE', false);
define('DISABLE_WP_CRON', true);
define('WP_DEBUG', true);
define('WP_DEBUG_LOG', '$T/wp-debug.log');
define('WP_DEBUG_DISPLAY', false);
define('FS_METHOD', 'direct');
/* wp_config_set: one define per line between these markers. */
/* socasma-test-begin */
/* socasma-test-end */
if (!defined('ABSPATH')) {
    define('ABSPATH', __DIR__ . '/');
}
require_once ABSPATH . 'wp-settings.php';
PHP
}

_wp_apache() {
    mkdir -p "$T/apache"
    _mods="mpm_prefork authz_core dir mime rewrite env setenvif headers"
    {
        echo "ServerRoot $T/apache"
        echo "ServerName 127.0.0.1"
        echo "Listen 127.0.0.1:$_wp_port"
        for m in $_mods; do echo "LoadModule ${m}_module /usr/lib/apache2/modules/mod_$m.so"; done
        echo "LoadModule php_module $_wp_modphp"
        [ -n "$_wp_root" ] && printf 'User www-data\nGroup www-data\n'
        echo "PidFile $T/apache/httpd.pid"
        echo "DefaultRuntimeDir $T/apache"
        echo "Mutex file:$T/apache default"
        echo "ErrorLog $T/apache/error.log"
        echo "LogLevel warn"
        echo "LogFormat \"%h %t \\\"%r\\\" %>s %b %D\" timed"
        echo "CustomLog $T/apache/access.log timed"
        echo "StartServers 2"
        echo "MinSpareServers 2"
        echo "MaxSpareServers 4"
        echo "MaxRequestWorkers 8"
        echo "TypesConfig /etc/mime.types"
        echo "DirectoryIndex index.php index.html"
        echo "<FilesMatch \"\\.php\$\">"
        echo "    SetHandler application/x-httpd-php"
        echo "</FilesMatch>"
        echo "DocumentRoot $WP_DIR"
        echo "<Directory />"
        echo "    AllowOverride None"
        echo "    Require all denied"
        echo "</Directory>"
        echo "<Directory $WP_DIR>"
        echo "    AllowOverride All"
        echo "    Require all granted"
        echo "</Directory>"
        # The tests edit wp-config.php between requests: no cached scripts.
        echo "php_admin_flag opcache.enable off"
        echo "php_admin_flag display_errors off"
        echo "php_admin_flag log_errors on"
    } >"$T/apache/httpd.conf"
    # Apache detaches into its own session: in the foreground, prefork's
    # shutdown signals its whole process group, which would be the test's.
    /usr/sbin/apache2 -f "$T/apache/httpd.conf" -k start >"$T/apache/stdout.log" 2>&1 ||
        { cat "$T/apache/stdout.log" "$T/apache/error.log" >&2; echo "Apache did not start" >&2; exit 99; }
    _wp_wait 10 test -s "$T/apache/httpd.pid"
    _wp_httpd_pid=$(cat "$T/apache/httpd.pid" 2>/dev/null)
    [ -n "$_wp_httpd_pid" ] || { cat "$T/apache/error.log" >&2; echo "Apache wrote no pid" >&2; exit 99; }
    on_exit "kill -TERM $_wp_httpd_pid 2>/dev/null; _wp_wait 10 _wp_gone $_wp_httpd_pid"
    _wp_wait 20 curl -s -o /dev/null "http://127.0.0.1:$_wp_port/readme.html" ||
        { cat "$T/apache/stdout.log" "$T/apache/error.log" >&2; echo "Apache did not start" >&2; exit 99; }
}

wp_start() {
    wp_need
    if [ -n "$_wp_root" ]; then
        chmod 711 "$T"   # Apache's children (www-data) must reach $T/wp
    fi
    _wp_port=$(free_port)
    WP_URL="http://127.0.0.1:$_wp_port"
    _wp_mariadb
    _wp_files
    [ -n "$_wp_root" ] && chmod 666 "$T/wp-debug.log" && chmod 777 "$T/mysql" && chmod 666 "$T/mysql/sock"
    _wp_apache
    # WordPress's own installer, as a person fills it in.
    wp_get '/wp-admin/install.php?step=2' \
        --data-urlencode 'weblog_title=Socasma test site' --data-urlencode "user_name=$WP_ADMIN" \
        --data-urlencode "admin_password=$WP_PASS" --data-urlencode "admin_password2=$WP_PASS" \
        --data-urlencode 'pw_weak=1' --data-urlencode 'admin_email=admin@example.org' \
        --data-urlencode 'blog_public=0' --data-urlencode 'language=' >"$T/wp-install.html"
    grep -q 'WordPress has been installed' "$T/wp-install.html" ||
        { sed 's/<[^>]*>//g' "$T/wp-install.html" | grep -v '^\s*$' | head -n 20 >&2
          cat "$T/apache/error.log" >&2; echo "the WordPress installer failed" >&2; exit 99; }
    # Pretty permalinks (/wp-json/...), as most sites have them.
    wp_php 'global $wp_rewrite; $wp_rewrite->set_permalink_structure("/%postname%/"); flush_rewrite_rules(true);
            update_option("posts_per_page", 10);'
    cat >"$WP_DIR/.htaccess" <<'HT'
<IfModule mod_rewrite.c>
RewriteEngine On
RewriteBase /
RewriteRule ^index\.php$ - [L]
RewriteCond %{REQUEST_FILENAME} !-f
RewriteCond %{REQUEST_FILENAME} !-d
RewriteRule . /index.php [L]
</IfModule>
HT
}

wp_php() {
    # HTTP_HOST: WordPress builds URLs from WP_HOME, but some code reads it.
    _code=$1; shift
    php -d display_errors=stderr -d error_reporting=E_ALL -r '
        $_SERVER["HTTP_HOST"] = parse_url($argv[1], PHP_URL_HOST) . ":" . parse_url($argv[1], PHP_URL_PORT);
        $_SERVER["REQUEST_URI"] = "/"; $_SERVER["SERVER_NAME"] = "127.0.0.1";
        define("WP_USE_THEMES", false);
        require $argv[2] . "/wp-load.php";
        $args = array_slice($argv, 4);
        eval($argv[3]);' -- "$WP_URL" "$WP_DIR" "$_code" "$@"
}

wp_config_set() {
    wp_config_unset "$1"
    sed -i "s|^/\* socasma-test-end \*/|define('$1', $2);\n/* socasma-test-end */|" "$WP_DIR/wp-config.php"
}
wp_config_unset() {
    sed -i "/^define('$1', /d" "$WP_DIR/wp-config.php"
}

# wp_locale LOCALE: the site's language as WordPress reports it (a
# must-use plugin filters "locale": no language pack is needed); "" for
# the installed English.
wp_locale() {
    if [ -n "$1" ]; then
        printf '<?php\nadd_filter("locale", fn() => "%s");\n' "$1" >"$WP_DIR/wp-content/mu-plugins/socasma-test-locale.php"
    else
        rm -f "$WP_DIR/wp-content/mu-plugins/socasma-test-locale.php"
    fi
}

wp_install_plugin() {
    _dst="$WP_DIR/wp-content/plugins/socasma-search"
    rm -rf "$_dst"; mkdir -p "$_dst"
    cp "$top_srcdir"/conf/examples/php/wordpress/* "$_dst/"
    cp "$top_srcdir/conf/examples/php/socasma-client.php" "$_dst/"
    out=$(wp_php 'require_once ABSPATH . "wp-admin/includes/plugin.php";
                  $r = activate_plugin("socasma-search/socasma-search.php");
                  echo is_wp_error($r) ? "error: " . $r->get_error_message() : "active", "\n";')
    [ "$out" = active ] || { printf '%s\n' "$out" | sed 's/<[^>]*>//g' | grep -i 'error' | head -n 5 >&2
                             tail -n 5 "$T/wp-debug.log" >&2; echo "cannot activate the plugin" >&2; exit 99; }
}

wp_theme() {
    out=$(wp_php 'switch_theme($args[0]); echo get_stylesheet();' "$1")
    [ "$out" = "$1" ] || { echo "cannot switch to the theme $1: $out" >&2; exit 99; }
}

wp_add_sample_posts() {
    wp_php '
        require_once ABSPATH . "wp-admin/includes/taxonomy.php";
        $names = ["en" => "English", "fr" => "Français", "mixed" => "Bilingual"];
        $n = 0;
        foreach (file($args[0], FILE_IGNORE_NEW_LINES) as $line) {
            $p = json_decode($line, true);
            if (!$p) continue;
            $cats = array_map(fn($c) => (int)wp_create_category($c), $p["categories"] ?? []);
            $tags = $p["tags"] ?? [];
            if (!empty($names[$p["lang"] ?? ""])) $tags[] = $names[$p["lang"]];
            $body = implode("\n\n", array_map(fn($para) => "<p>" . esc_html($para) . "</p>",
                                               preg_split("/\n\n+/", $p["body"])));
            $id = wp_insert_post(["post_title" => wp_slash($p["title"]), "post_content" => wp_slash($body),
                "post_status" => "publish", "post_date" => ($p["date"] ?: "2020-01-01") . " 10:00:00",
                "post_category" => $cats, "tags_input" => $tags, "post_author" => 1], true);
            if (is_wp_error($id)) { echo "error: ", $id->get_error_message(), "\n"; exit(1); }
            update_post_meta($id, "_socasma_sample_id", $p["id"]);
            $n++;
        }
        echo $n, "\n";' "$SAMPLE"
}

wp_export() {
    wp_php 'require_once ABSPATH . "wp-admin/includes/export.php";
            ob_start(); export_wp(["content" => $args[1]]); $x = ob_get_clean();
            file_put_contents($args[0], $x); echo strlen($x) > 0 ? "ok" : "empty";' "$1" "${2:-post}" 2>/dev/null | tail -n 1
}

wp_index_and_serve() {
    [ -x "$SOCASMA_INDEX" ] || skip "socasma-index is not built"
    [ -x "$SOCASMA_SEARCHD" ] || skip "socasma-searchd is not built"
    r=$(wp_export "$T/wp-export.xml" "${WP_EXPORT_CONTENT:-post}")
    [ "$r" = ok ] || { echo "the WordPress export failed: $r" >&2; exit 99; }
    printf '[index]\ndatabase = %s\n[server]\nsocket = %s\nsocket_mode = 0666\nlisten =\naccess_log = %s\n' \
        "$T/wp-db" "$SOCK" "$T/wp-access.log" >"$T/wp-daemon.conf"
    "$SOCASMA_INDEX" --config "$T/wp-daemon.conf" --format wxr --quiet "$T/wp-export.xml" >/dev/null 2>"$T/wp-index.log" ||
        { cat "$T/wp-index.log" >&2; echo "cannot index the WordPress export" >&2; exit 99; }
    wp_serve
}

# wp_serve: (re)starts the daemon on the database wp_index_and_serve made.
wp_serve() {
    rm -f "$SOCK"
    "$SOCASMA_SEARCHD" --config "$T/wp-daemon.conf" --foreground 2>>"$T/wp-daemon.log" &
    DAEMON_PID=$!
    on_exit "kill $DAEMON_PID 2>/dev/null"
    _wp_wait 10 test -S "$SOCK" || { cat "$T/wp-daemon.log" >&2; echo "the daemon did not listen" >&2; exit 99; }
}

wp_get() {
    _path=$1; shift
    curl -s -S --max-time 60 -b "$T/wp-cookies" -c "$T/wp-cookies" -D "$T/wp-headers" \
        -o "$T/wp-body" -w '%{http_code}' "$@" "$WP_URL$_path" >"$T/wp-status" 2>>"$T/curl.log"
    cat "$T/wp-body"
}

wp_login() {
    wp_get /wp-login.php >/dev/null    # sets the test cookie
    wp_get /wp-login.php --data-urlencode "log=$WP_ADMIN" --data-urlencode "pwd=$WP_PASS" \
        --data-urlencode 'wp-submit=Log In' --data-urlencode 'testcookie=1' >/dev/null
    grep -q 'wordpress_logged_in' "$T/wp-cookies" || { echo "cannot log in to WordPress" >&2; exit 99; }
}

wp_rest() {
    [ -n "${_wp_rest_nonce:-}" ] || _wp_rest_nonce=$(wp_get '/wp-admin/admin-ajax.php?action=rest-nonce')
    _m=$1; _r=$2; shift 2
    wp_get "/?rest_route=$_r" -X "$_m" -H "X-WP-Nonce: $_wp_rest_nonce" \
        -H 'Content-Type: application/json' ${1:+--data-binary "$1"}
}

wp_cron() {
    wp_get /wp-cron.php >/dev/null
}

wp_sql() {
    mariadb --no-defaults -S "$T/mysql/sock" -u root -N -B wordpress -e "$1"
}
