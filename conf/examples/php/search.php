<?php
/* search.php: the website's search page over socasma-searchd.
 *
 * A search box (with suggestions as the visitor types, from suggest.php and
 * search.js, when JavaScript runs; the form works the same without it);
 * results with the title and snippet highlighted by the daemon, the date,
 * language and categories; filters by category (several at once), language
 * of the post and year; sorting by relevance or date; pagination; "did you
 * mean" and "showing results for"; help when nothing is found. In English
 * or French (?lang=, else the browser's Accept-Language), from 320 px wide
 * to a desktop; restyled through the CSS variables of search.css.
 *
 * Query parameters: q, lang (interface: en/fr), postlang (filter: en/fr),
 * category[] (any of them), year (YYYY), sort (date; relevance when absent),
 * page.
 *
 * HTTP status: 200; 503 (with its message) when the daemon cannot be
 * reached or is overloaded, so that a monitor sees it; 400 when the daemon
 * refuses the query (too long); 404 for a page past the last one (with a
 * link back).
 *
 * Where the daemon is: $SOCASMA_SOCKET (a Unix socket path) or
 * $SOCASMA_TCP (HOST:PORT) in the environment (fastcgi_param in nginx),
 * else the socket of the packaged config. Everything taken from the request
 * or the archive is escaped; only the snippets and title_html are HTML,
 * which the daemon builds escaped with <mark> around the matches. */
declare(strict_types=1);
require __DIR__ . '/socasma-client.php';
require __DIR__ . '/search-i18n.php';

const PER_PAGE = 10;
/* The daemon serves offset + limit up to 10000. */
const MAX_PAGE = 999;
/* The daemon takes up to 15 values of one filter. */
const MAX_CATEGORIES = 15;
/* A longer query is refused (the box takes 300 characters; the daemon
 * would cut it at its default max_query). */
const MAX_QUERY_BYTES = 1024;

function h(?string $s): string
{
    return htmlspecialchars($s ?? '', ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8');
}

/* A post's URL when it is http(s), else "#" (never a javascript: link). */
function safe_url(?string $u): string
{
    return preg_match('~^https?://~i', $u ?? '') ? (string)$u : '#';
}

/* A string parameter of the query string ('' when absent or an array). */
function param(string $name): string
{
    $v = $_GET[$name] ?? '';
    return is_string($v) ? trim($v) : '';
}

/* A link to this page: the current parameters changed by $change (null or
 * '' removes one; an array is a list, as category[]). */
function page_link(array $params, array $change): string
{
    foreach ($change as $k => $v) {
        if ($v === null || $v === '' || $v === []) {
            unset($params[$k]);
        } else {
            $params[$k] = $v;
        }
    }
    $query = http_build_query($params, '', '&', PHP_QUERY_RFC3986);
    /* category[0]=a&category[1]=b reads better as category[]=a&category[]=b. */
    $query = preg_replace('/%5B\d+%5D=/', '%5B%5D=', $query);
    return '?' . $query;
}

function daemon_address(): array
{
    if (getenv('SOCASMA_SOCKET')) {
        return ['socket' => getenv('SOCASMA_SOCKET')];
    }
    if (getenv('SOCASMA_TCP')) {
        return ['tcp' => getenv('SOCASMA_TCP')];
    }
    return ['socket' => '/run/socasma-search/socasma.sock'];
}

/* ---- the request ---------------------------------------------------------- */

$lang_param = param('lang');
$ui = socasma_ui_lang($lang_param, $_SERVER['HTTP_ACCEPT_LANGUAGE'] ?? null);
$t = fn(string $key, ...$args): string => socasma_t($ui, $key, ...$args);

$q = param('q');
$postlang = in_array(param('postlang'), ['en', 'fr'], true) ? param('postlang') : '';
$categories = $_GET['category'] ?? [];
$categories = is_array($categories) ? $categories : [$categories];
$categories = array_values(array_unique(array_filter(
    array_map(fn($c) => is_string($c) ? trim($c) : '', $categories),
    fn($c) => $c !== '' && strlen($c) <= 200)));
$categories = array_slice($categories, 0, MAX_CATEGORIES);
$year = preg_match('/^\d{4}$/', param('year')) ? param('year') : '';
$sort = param('sort') === 'date' ? 'date' : '';
$page = min(MAX_PAGE, max(1, (int)param('page')));

/* What every link keeps: the interface language only when the URL named it
 * (otherwise the browser's choice goes on applying). */
$params = array_filter(['q' => $q, 'lang' => $lang_param === $ui ? $ui : '',
                        'postlang' => $postlang, 'category' => $categories,
                        'year' => $year, 'sort' => $sort],
                       fn($v) => $v !== '' && $v !== []);
$filtered = $postlang !== '' || $categories || $year !== '';

$answer = null;
$error = null;
$status = 200;
$category_facet = null;
if (strlen($q) > MAX_QUERY_BYTES) {
    [$status, $error] = [400, 'bad_query'];
} elseif ($q !== '') {
    $fields = ['op' => 'search', 'q' => $q, 'offset' => ($page - 1) * PER_PAGE,
               'limit' => PER_PAGE, 'facets' => true];
    if ($postlang !== '') {
        $fields['lang'] = $postlang;
    }
    if ($year !== '') {
        $fields['since'] = $year;
        $fields['until'] = $year;
    }
    if ($sort !== '') {
        $fields['sort'] = $sort;
    }
    $base = $fields;
    if ($categories) {
        $fields['category'] = $categories;
    }
    try {
        $answer = socasma_request($fields, daemon_address());
        if (empty($answer['ok'])) {
            $code = (string)($answer['error']['code'] ?? 'internal');
            error_log("search.php: the search daemon answered $code: "
                      . (string)($answer['error']['message'] ?? ''));
            [$status, $error] = in_array($code, ['bad_request', 'too_long'], true)
                ? [400, 'bad_query'] : [503, 'unavailable'];
            $answer = null;
        } elseif ($categories) {
            /* Several categories are ORed: the list offers the counts
             * without the category filter (a second, cheap request). */
            $all = socasma_request(['limit' => 0, 'snippet' => 0] + $base, daemon_address());
            $category_facet = $all['facets']['category'] ?? null;
        }
    } catch (SocasmaError $e) {
        error_log('search.php: ' . $e->getMessage());
        [$status, $error] = [503, 'unavailable'];
        $answer = null;
    }
}

$total = (int)($answer['total'] ?? 0);
$hits = $answer['hits'] ?? [];
$pages = (int)ceil($total / PER_PAGE);
$past_end = $answer !== null && $total > 0 && !$hits && $page > 1;
if ($past_end) {
    $status = 404;
}
$facets = $answer['facets'] ?? [];
if ($category_facet !== null) {
    $facets['category'] = $category_facet;
}
$suggestion = is_string($answer['suggestion'] ?? null) ? $answer['suggestion'] : '';
$corrected = !empty($answer['corrected']);
$completed = !empty($answer['completed']);

http_response_code($status);
if ($status === 503) {
    header('Retry-After: 60');
}
header('Content-Type: text/html; charset=utf-8');

/* "(3)" after a facet value, with the long form for screen readers. */
function facet_count(callable $t, string $ui, int $n): string
{
    return '<span class="n" aria-hidden="true">' . h(socasma_number($ui, $n)) . '</span>'
        . '<span class="visually-hidden">(' . h($n === 1 ? $t('facet_count_1') : $t('facet_count', socasma_number($ui, $n))) . ')</span>';
}

$lang_name = fn(string $code): string => in_array($code, ['en', 'fr', 'mixed'], true) ? $t("lang_$code") : $code;
$other = $t('other_lang_code');
$title = $q !== '' ? $t('title_q', $q) : $t('title');
?><!DOCTYPE html>
<html lang="<?= h($ui) ?>">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title><?= h($title) ?></title>
<link rel="stylesheet" href="search.css">
<link rel="alternate" hreflang="<?= h($other) ?>" href="<?= h(page_link($params, ['lang' => $other, 'page' => $page > 1 ? $page : null])) ?>">
<script src="search.js" defer></script>
</head>
<body class="socasma">
<?php if ($answer !== null): ?>
<a class="skip" href="#results">
<?= h($t('skip')) ?></a>
<?php endif ?>
<header class="site-header">
  <p class="site-name"><?= h($t('site')) ?></p>
  <nav class="ui-lang" aria-label="<?= h($t('switch_label')) ?>">
    <a href="<?= h(page_link($params, ['lang' => $other, 'page' => $page > 1 ? $page : null])) ?>" hreflang="<?= h($other) ?>" lang="<?= h($other) ?>"><?= h($t('other_lang')) ?></a>
  </nav>
</header>
<main id="main">
<h1><?= h($t('title')) ?></h1>
<form class="search-box" id="search-form" method="get" action="" role="search"
      data-suggest="suggest.php?lang=<?= h($ui) ?>"
      data-words="<?= h($t('suggest_words')) ?>" data-titles="<?= h($t('suggest_titles')) ?>"
      data-count0="<?= h($t('suggest_count_0')) ?>" data-count1="<?= h($t('suggest_count_1')) ?>"
      data-countn="<?= h($t('suggest_count_n')) ?>">
  <label for="q"><?= h($t('label')) ?></label>
  <div class="search-row">
    <div class="combo">
      <input type="search" name="q" id="q" value="<?= h($q) ?>" placeholder="<?= h($t('placeholder')) ?>"
             maxlength="300" autocomplete="off" spellcheck="false"<?= $q === '' ? ' autofocus' : '' ?>>
      <div id="q-suggestions" class="suggestions" role="listbox" aria-label="<?= h($t('suggest_label')) ?>" hidden></div>
    </div>
    <button type="submit" id="go"><?= h($t('submit')) ?></button>
  </div>
  <div id="q-status" class="visually-hidden" role="status" aria-live="polite"></div>
<?php foreach (['lang' => $params['lang'] ?? '', 'postlang' => $postlang, 'year' => $year, 'sort' => $sort] as $k => $v): ?>
<?php if ($v !== ''): ?>
  <input type="hidden" name="<?= h($k) ?>" value="<?= h($v) ?>">
<?php endif ?>
<?php endforeach ?>
<?php foreach ($categories as $c): ?>
  <input type="hidden" name="category[]" value="<?= h($c) ?>">
<?php endforeach ?>
</form>
<?php if ($error !== null): ?>
<p class="error" id="error" role="alert"><?= h($t($error)) ?></p>
<?php elseif ($answer === null): ?>
<p class="help" id="help"><?= h($t('empty_help')) ?></p>
<?php else: ?>
<div class="summary">
<p class="count" id="count" role="status" aria-live="polite"><?php
    $n = socasma_number($ui, $total);
    echo h($total === 0 ? $t('results_0', $q) : ($total === 1 ? $t('results_1', $q) : $t('results_n', $n, $q)));
    if ($pages > 1 && !$past_end) {
        echo ' <span class="page-of">(' . h($t('results_page', socasma_number($ui, $page), socasma_number($ui, $pages))) . ')</span>';
    }
?></p>
<?php if ($suggestion !== '' && $corrected): ?>
<p class="suggestion" id="suggestion"><?= h($t('showing_for')) ?>
  <a href="<?= h(page_link($params, ['q' => $suggestion, 'page' => null])) ?>"><strong><?= h($suggestion) ?></strong></a>.</p>
<?php elseif ($suggestion !== ''): ?>
<p class="suggestion" id="suggestion"><?= h($t('did_you_mean')) ?>
  <a href="<?= h(page_link($params, ['q' => $suggestion, 'page' => null])) ?>"><strong><?= h($suggestion) ?></strong></a><?= $ui === 'fr' ? "\u{202F}?" : '?' ?></p>
<?php endif ?>
<?php if ($completed): ?>
<p class="suggestion" id="completed"><?= h($t('completed', preg_replace('/^.*\s/u', '', $q))) ?></p>
<?php endif ?>
<?php if ($total > 1): ?>
<nav class="sort" aria-label="<?= h($t('sort')) ?>">
  <span aria-hidden="true"><?= h($t('sort')) ?></span>
  <a href="<?= h(page_link($params, ['sort' => null, 'page' => null])) ?>"<?= $sort === '' ? ' aria-current="true"' : '' ?> id="sort-relevance"><?= h($t('sort_relevance')) ?></a>
  <a href="<?= h(page_link($params, ['sort' => 'date', 'page' => null])) ?>"<?= $sort === 'date' ? ' aria-current="true"' : '' ?> id="sort-date"><?= h($t('sort_date')) ?></a>
</nav>
<?php endif ?>
</div>
<?php $nfilters = ($postlang !== '' ? 1 : 0) + count($categories) + ($year !== '' ? 1 : 0); ?>
<div class="layout">
<?php if ($total > 0 || $filtered): ?>
<aside class="facets" id="facets" aria-label="<?= h($t('filters')) ?>">
<details id="filters" open<?= $filtered ? ' data-active="1"' : '' ?>>
<summary><?= h($nfilters ? $t('filters_n', socasma_number($ui, $nfilters)) : $t('filters')) ?></summary>
<?php if ($filtered): ?>
<p class="clear"><a id="clear-filters" href="<?= h(page_link($params, ['postlang' => null, 'category' => null, 'year' => null, 'page' => null])) ?>"><?= h($t('clear_filters')) ?></a></p>
<?php endif ?>
<?php
/* Each facet: its values with counts, the active ones first. Years by
 * year, newest first; languages only en and fr (a bilingual post counts
 * in both). */
$groups = [
    'category' => $facets['category'] ?? [],
    'postlang' => array_intersect_key($facets['lang'] ?? [], ['en' => 1, 'fr' => 1]),
    'year' => $facets['year'] ?? [],
];
krsort($groups['year'], SORT_STRING);
foreach ($categories as $c) {
    $groups['category'] += [$c => 0];
}
if ($postlang !== '') {
    $groups['postlang'] += [$postlang => 0];
}
if ($year !== '') {
    $groups['year'] = [$year => $groups['year'][$year] ?? 0] + $groups['year'];
}
foreach ($groups as $facet => $values):
    if (!$values) {
        continue;
    }
?>
  <h2 id="facet-<?= h($facet) ?>-h"><?= h($t("facet_$facet")) ?></h2>
  <ul class="facet facet-<?= h($facet) ?>" aria-labelledby="facet-<?= h($facet) ?>-h">
<?php foreach ($values as $value => $count):
        $value = (string)$value;
        if ($facet === 'category') {
            $active = in_array($value, $categories, true);
            $next = $active ? array_values(array_diff($categories, [$value]))
                            : array_slice(array_merge($categories, [$value]), 0, MAX_CATEGORIES);
            $change = ['category' => $next, 'page' => null];
            $label = $value;
        } elseif ($facet === 'postlang') {
            $active = $postlang === $value;
            $change = ['postlang' => $active ? null : $value, 'page' => null];
            $label = $lang_name($value);
        } else {
            $active = $year === $value;
            $change = ['year' => $active ? null : $value, 'page' => null];
            $label = $value;
        }
?>
    <li<?= $active ? ' class="active"' : '' ?>><a href="<?= h(page_link($params, $change)) ?>"<?= $active ? ' aria-current="true" title="' . h($t('remove_filter', $label)) . '"' : '' ?>><span class="v"><?= h($label) ?></span> <?= facet_count($t, $ui, (int)$count) ?></a></li>
<?php endforeach ?>
  </ul>
<?php endforeach ?>
</details>
</aside>
<?php endif ?>
<section class="results-area" aria-labelledby="results">
<h2 id="results" class="visually-hidden" tabindex="-1"><?= h($t('results')) ?></h2>
<?php if ($past_end): ?>
<p class="past-end" id="past-end"><?= h($t('past_end', socasma_number($ui, $page), socasma_number($ui, $pages))) ?>
  <a href="<?= h(page_link($params, ['page' => $pages > 1 ? $pages : null])) ?>" id="last-page"><?= h($t('past_end_link')) ?></a></p>
<?php elseif ($total === 0): ?>
<div class="no-results" id="no-results">
  <p><?= h($t('no_results_help')) ?></p>
  <ul>
    <li><?= h($t('tip_spelling')) ?></li>
    <li><?= h($t('tip_fewer')) ?></li>
    <li><?= h($t('tip_other_lang')) ?></li>
<?php if ($filtered): ?>
    <li><?= h($t('tip_filters')) ?> <a id="no-results-clear" href="<?= h(page_link($params, ['postlang' => null, 'category' => null, 'year' => null, 'page' => null])) ?>"><?= h($t('clear_filters')) ?></a></li>
<?php endif ?>
  </ul>
</div>
<?php else: ?>
<ol class="results" id="hits" start="<?= ($page - 1) * PER_PAGE + 1 ?>">
<?php foreach ($hits as $hit):
    $hl = (string)($hit['lang'] ?? '');
    $title_html = isset($hit['title_html']) && is_string($hit['title_html']) && $hit['title_html'] !== ''
        /* HTML from the daemon: escaped text and <mark> */
        ? $hit['title_html'] : h((string)($hit['title'] ?? ''));
?>
  <li class="hit"<?= in_array($hl, ['en', 'fr'], true) ? ' lang="' . h($hl) . '"' : '' ?>>
    <h3 class="hit-title"><a href="<?= h(safe_url($hit['url'] ?? null)) ?>"><?= $title_html ?></a></h3>
<?php if (!empty($hit['snippet'])): ?>
    <p class="snippet"><?= /* HTML from the daemon: escaped text and <mark> */ (string)$hit['snippet'] ?></p>
<?php endif ?>
    <p class="meta" lang="<?= h($ui) ?>">
<?php if (!empty($hit['date'])): ?>
      <time datetime="<?= h((string)$hit['date']) ?>"><?= h(socasma_date($ui, (string)$hit['date'])) ?></time>
<?php endif ?>
<?php if ($hl !== ''): ?>
      <span class="lang"><?= h($lang_name($hl)) ?></span>
<?php endif ?>
<?php if (!empty($hit['categories']) && is_array($hit['categories'])): ?>
      <span class="cats"><span class="visually-hidden"><?= h($t('in_categories')) ?> </span><?= h(implode(', ', array_map('strval', $hit['categories']))) ?></span>
<?php endif ?>
    </p>
  </li>
<?php endforeach ?>
</ol>
<?php endif ?>
</section>
</div>
<?php if ($pages > 1 && !$past_end): ?>
<nav class="pages" id="pages" aria-label="<?= h($t('pages')) ?>">
<?php if ($page > 1): ?>
  <a rel="prev" id="prev" href="<?= h(page_link($params, ['page' => $page > 2 ? $page - 1 : null])) ?>"><span aria-hidden="true">←</span> <?= h($t('previous')) ?></a>
<?php endif ?>
  <span class="page-of" aria-current="page"><?= h($t('page_of', socasma_number($ui, $page), socasma_number($ui, $pages))) ?></span>
<?php if ($page < $pages): ?>
  <a rel="next" id="next" href="<?= h(page_link($params, ['page' => $page + 1])) ?>"><?= h($t('next')) ?> <span aria-hidden="true">→</span></a>
<?php endif ?>
</nav>
<?php endif ?>
<?php endif ?>
</main>
</body>
</html>
