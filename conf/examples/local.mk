# conf/examples: the website's side (a PHP client, a search page with its
# suggestion endpoint and script, a WordPress plugin, an nginx server
# block), replicas (replication/: systemd units for Xapian's replication
# tools) and a TCP load balancer in front of them (balancer/: nginx
# stream, HAProxy), shipped as examples, and their tests (replicas and
# balancer: tests/replication/local.mk); the PHP client and the page
# over HTTP (tests/ops/php-*.sh), the page in headless Chromium with
# axe-core (tests/web/page.sh), nginx (tests/web/nginx.sh) and the plugin on
# a real WordPress (tests/ops/wp-*.sh). They skip (77) without PHP,
# Chromium, nginx, WordPress or the npm packages of tests/web, all of which
# ./bootstrap installs.
EXAMPLES_FILES = \
	conf/examples/README.md \
	conf/examples/php/socasma-client.php \
	conf/examples/php/search.php \
	conf/examples/php/search-i18n.php \
	conf/examples/php/suggest.php \
	conf/examples/php/search.js \
	conf/examples/php/search.css \
	conf/examples/php/wordpress/socasma-search.php \
	conf/examples/php/wordpress/socasma-wp-settings.php \
	conf/examples/php/wordpress/socasma-wp-daemon.php \
	conf/examples/php/wordpress/socasma-wp-query.php \
	conf/examples/php/wordpress/socasma-wp-notice.php \
	conf/examples/php/wordpress/socasma-wp-rest.php \
	conf/examples/php/wordpress/socasma-wp-admin.php \
	conf/examples/php/wordpress/socasma-wp-l10n.php \
	conf/examples/php/wordpress/socasma-wp-post.php \
	conf/examples/php/wordpress/socasma-wp-queue.php \
	conf/examples/php/wordpress/socasma-wp-live.php \
	conf/examples/php/wordpress/socasma-wp-push.php \
	conf/examples/php/wordpress/push-all.php \
	conf/examples/php/wordpress/uninstall.php \
	conf/examples/php/wordpress/socasma-suggest.js \
	conf/examples/php/wordpress/socasma-suggest.css \
	conf/examples/php/wordpress/socasma-push.js \
	conf/examples/nginx/socasma-search.conf \
	conf/examples/nginx/socasma-php.conf \
	conf/examples/balancer/nginx-stream.conf \
	conf/examples/balancer/haproxy.cfg \
	conf/examples/replication/README.md \
	conf/examples/replication/primary/changesets.conf \
	conf/examples/replication/primary/socasma-replicate-server.service \
	conf/examples/replication/replica/socasma-replicate.service \
	conf/examples/replication/replica/replica.conf

EXAMPLES_TESTS = tests/ops/php-client.sh tests/ops/php-page.sh \
	tests/web/page.sh tests/web/nginx.sh tests/ops/wp-plugin.sh tests/ops/wp-live.sh

TESTS += $(EXAMPLES_TESTS)
EXTRA_DIST += $(EXAMPLES_FILES) $(EXAMPLES_TESTS) \
	tests/ops/wp-lib.sh tests/web/web-lib.sh \
	tests/web/browser.mjs tests/web/page.mjs tests/web/nginx.mjs tests/web/wp.mjs tests/web/wp-push.mjs \
	tests/web/package.json tests/web/package-lock.json
