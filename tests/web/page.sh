# page.sh: the example search page (conf/examples/php/search.php) under
# `php -S` over the real daemon on the sample archive, driven in headless
# Chromium by tests/web/page.mjs (axe-core, screenshots at 375, 320 and
# 1280 px, both languages, search as you type with the keyboard, filters,
# sorting, pages, no JavaScript). Set SOCASMA_SHOTS=DIR to keep the
# screenshots. Skips (77) without Chromium, Node.js or tests/web's npm
# packages.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/ops/ops-lib.sh"
. "$top_srcdir/tests/web/web-lib.sh"
command -v php >/dev/null 2>&1 || skip "php-cli is not installed"
need_browser
start_sample_daemon
start_php_page

# Does the daemon give title_html (a title with <mark>) yet?
title_html=0
printf '{"op":"search","q":"permis","limit":1}\n' | nc -N -U "$SOCK" | grep -q '"title_html"' && title_html=1

PAGE_URL="$PAGE_BASE/search.php" TITLE_HTML=$title_html run_node page.mjs
keep_shots
finish
