<?php
/* search.php: the website's search page over socasma-searchd. A search box;
 * results with title, date, language and a snippet whose <mark> highlights
 * come from the daemon; facets (category, language) as links that filter;
 * pagination; the "did you mean" suggestion.
 *
 * Where the daemon is: $SOCASMA_SOCKET (a Unix socket path) or
 * $SOCASMA_TCP (HOST:PORT) in the environment (fastcgi_param in nginx),
 * else the socket of the packaged config. Everything taken from the
 * request or the archive is escaped; only the snippets are HTML, which the
 * daemon builds escaped with <mark> around the matches. */
declare(strict_types=1);
require __DIR__ . '/socasma-client.php';

const PER_PAGE = 10;

function h(?string $s): string
{
    return htmlspecialchars($s ?? '', ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8');
}

/* A post's URL when it is http(s), else "#" (never a javascript: link). */
function safe_url(?string $u): string
{
    return preg_match('~^https?://~i', $u ?? '') ? $u : '#';
}

/* A link to this page with the current parameters changed by $change
 * (null removes one). */
function page_link(array $params, array $change): string
{
    foreach ($change as $k => $v) {
        if ($v === null || $v === '') {
            unset($params[$k]);
        } else {
            $params[$k] = $v;
        }
    }
    return '?' . http_build_query($params);
}

$daemon = [];
if (getenv('SOCASMA_SOCKET')) {
    $daemon['socket'] = getenv('SOCASMA_SOCKET');
} elseif (getenv('SOCASMA_TCP')) {
    $daemon['tcp'] = getenv('SOCASMA_TCP');
} else {
    $daemon['socket'] = '/run/socasma-search/socasma.sock';
}

$q = trim((string)($_GET['q'] ?? ''));
$lang = (string)($_GET['lang'] ?? '');
$lang = in_array($lang, ['en', 'fr'], true) ? $lang : '';
$category = (string)($_GET['category'] ?? '');
$page = max(1, (int)($_GET['page'] ?? 1));
$params = array_filter(['q' => $q, 'lang' => $lang, 'category' => $category],
                       fn($v) => $v !== '');

$answer = null;
$error = null;
if ($q !== '') {
    $fields = ['q' => $q, 'offset' => ($page - 1) * PER_PAGE, 'limit' => PER_PAGE, 'facets' => true];
    if ($lang !== '') {
        $fields['lang'] = $lang;
    }
    if ($category !== '') {
        $fields['category'] = $category;
    }
    try {
        $answer = socasma_search($fields, $daemon);
    } catch (SocasmaError $e) {
        error_log('search.php: ' . $e->getMessage());
        $error = 'The search is not available right now. / La recherche est indisponible pour le moment.';
    }
}
$lang_names = ['en' => 'English', 'fr' => 'Français', 'mixed' => 'English / Français'];
?><!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title><?= $q !== '' ? h($q) . ' – ' : '' ?>Search / Recherche</title>
<link rel="stylesheet" href="search.css">
</head>
<body>
<form class="search-box" method="get" action="" role="search">
  <input type="search" name="q" id="q" value="<?= h($q) ?>" placeholder="Search… / Rechercher…" autofocus>
  <?php if ($lang !== ''): ?><input type="hidden" name="lang" value="<?= h($lang) ?>"><?php endif ?>
  <?php if ($category !== ''): ?><input type="hidden" name="category" value="<?= h($category) ?>"><?php endif ?>
  <button type="submit" id="go">Search</button>
</form>
<?php if ($error !== null): ?>
<p class="error" id="error"><?= h($error) ?></p>
<?php elseif ($answer !== null): ?>
<?php $total = (int)($answer['total'] ?? 0); ?>
<?php if (!empty($answer['suggestion'])): ?>
<p class="suggestion" id="suggestion">Did you mean / Vouliez-vous dire :
  <a href="<?= h(page_link($params, ['q' => (string)$answer['suggestion'], 'page' => null])) ?>"><?= h((string)$answer['suggestion']) ?></a>?</p>
<?php endif ?>
<p class="count" id="count"><?= $total ?> result<?= $total === 1 ? '' : 's' ?>
<?php if ($lang !== '' || $category !== ''): ?>
  — <a class="clear" href="<?= h(page_link(['q' => $q], [])) ?>">all results</a>
<?php endif ?></p>
<div class="layout">
<aside class="facets" id="facets">
<?php foreach (['category' => 'Category / Catégorie', 'lang' => 'Language / Langue'] as $facet => $label): ?>
<?php $values = $answer['facets'][$facet] ?? []; if (!$values) continue; ?>
  <h2><?= h($label) ?></h2>
  <ul class="facet-<?= h($facet) ?>">
<?php foreach ($values as $value => $count): $value = (string)$value; ?>
<?php if ($facet === 'lang' && !in_array($value, ['en', 'fr'], true)) continue; ?>
<?php $active = ($facet === 'lang' ? $lang : $category) === $value; ?>
    <li<?= $active ? ' class="active"' : '' ?>><a href="<?= h(page_link($params, [$facet => $active ? null : $value, 'page' => null])) ?>"><?= h($facet === 'lang' ? ($lang_names[$value] ?? $value) : $value) ?></a> <span>(<?= (int)$count ?>)</span></li>
<?php endforeach ?>
  </ul>
<?php endforeach ?>
</aside>
<ol class="results" id="results" start="<?= ($page - 1) * PER_PAGE + 1 ?>">
<?php foreach ($answer['hits'] ?? [] as $hit): ?>
  <li class="hit">
    <a class="title" href="<?= h(safe_url($hit['url'] ?? null)) ?>"><?= h($hit['title'] ?? '') ?></a>
    <div class="meta">
      <?php if (!empty($hit['date'])): ?><time datetime="<?= h($hit['date']) ?>"><?= h($hit['date']) ?></time><?php endif ?>
      <?php if (!empty($hit['lang'])): ?><span class="lang"><?= h($lang_names[$hit['lang']] ?? $hit['lang']) ?></span><?php endif ?>
      <?php if (!empty($hit['categories'])): ?><span class="cats"><?= h(implode(', ', array_map('strval', $hit['categories']))) ?></span><?php endif ?>
    </div>
    <p class="snippet"><?= /* HTML from the daemon: escaped text and <mark> */ (string)($hit['snippet'] ?? '') ?></p>
  </li>
<?php endforeach ?>
</ol>
</div>
<?php $pages = (int)ceil($total / PER_PAGE); ?>
<?php if ($pages > 1): ?>
<nav class="pages" id="pages">
  <?php if ($page > 1): ?><a rel="prev" id="prev" href="<?= h(page_link($params, ['page' => $page - 1])) ?>">← Previous</a><?php endif ?>
  <span>Page <?= $page ?> / <?= $pages ?></span>
  <?php if ($page < $pages): ?><a rel="next" id="next" href="<?= h(page_link($params, ['page' => $page + 1])) ?>">Next →</a><?php endif ?>
</nav>
<?php endif ?>
<?php endif ?>
</body>
</html>
