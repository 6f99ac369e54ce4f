<?php
/* search-i18n.php: the interface language of the example search page and
 * every string it shows, in English and French.
 *
 *   $ui = socasma_ui_lang($_GET['lang'] ?? null, $_SERVER['HTTP_ACCEPT_LANGUAGE'] ?? null);
 *   echo socasma_t($ui, 'results', socasma_number($ui, 3));
 *
 * The language is the one ?lang= names (en or fr), else the first of the
 * two in the browser's Accept-Language (by its q weights), else English.
 * The strings are plain text: the page escapes them. French follows its
 * typographic rules: a no-break space before ":" and a narrow one before
 * "?", "!" and ";", and « » with no-break spaces. */
declare(strict_types=1);

const SOCASMA_UI_LANGS = ['en', 'fr'];

/* The interface language: $param ("en"/"fr", from ?lang=) when valid, else
 * the best of en/fr in $accept (an Accept-Language header), else "en". */
function socasma_ui_lang(?string $param, ?string $accept): string
{
    if ($param !== null && in_array($param, SOCASMA_UI_LANGS, true)) {
        return $param;
    }
    $best = 'en';
    $best_q = 0.0;
    /* At most 32 entries are read: the header is the client's. */
    foreach (array_slice(explode(',', (string)$accept), 0, 32) as $i => $part) {
        $bits = explode(';', trim($part));
        $tag = strtolower(trim($bits[0]));
        $primary = explode('-', $tag)[0];
        if (!in_array($primary, SOCASMA_UI_LANGS, true)) {
            continue;
        }
        $q = 1.0;
        foreach (array_slice($bits, 1) as $param_bit) {
            if (preg_match('/^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/i', $param_bit, $m)) {
                $q = (float)$m[1];
            }
        }
        /* Equal weights: the first listed wins (the order is the user's). */
        if ($q > $best_q) {
            $best = $primary;
            $best_q = $q;
        }
    }
    return $best;
}

/* Numbers as each language writes them: 1,234 and 1 234 (narrow no-break
 * space). */
function socasma_number(string $ui, int $n): string
{
    return $ui === 'fr' ? number_format($n, 0, ',', "\u{202F}") : number_format($n);
}

/* A YYYY-MM-DD date as each language writes it ("April 12, 2017",
 * "12 avril 2017"); anything else is returned as it is. */
function socasma_date(string $ui, string $ymd): string
{
    if (!preg_match('/^(\d{4})-(\d{2})-(\d{2})$/', $ymd, $m) || (int)$m[2] < 1 || (int)$m[2] > 12) {
        return $ymd;
    }
    $months = socasma_t($ui, 'months');
    $month = explode('|', $months)[(int)$m[2] - 1];
    $day = (int)$m[3];
    if ($ui === 'fr') {
        return ($day === 1 ? '1er' : (string)$day) . "\u{00A0}" . $month . "\u{00A0}" . $m[1];
    }
    return "$month $day, {$m[1]}";
}

/* The string $key in language $ui, with sprintf arguments. An unknown key
 * is a bug of the page: it shows as the key itself. */
function socasma_t(string $ui, string $key, ...$args): string
{
    static $strings = null;
    if ($strings === null) {
        $strings = socasma_strings();
    }
    $s = $strings[$ui][$key] ?? $strings['en'][$key] ?? $key;
    return $args ? vsprintf($s, $args) : $s;
}

/* Every string of the page and of its script, by language. */
function socasma_strings(): array
{
    $nb = "\u{00A0}";   /* no-break space: before ":" and inside « » */
    $nnb = "\u{202F}";  /* narrow no-break space: before "?", "!", ";" */
    return [
        'en' => [
            'title' => 'Search the archive',
            'title_q' => '%s – Search the archive',
            'site' => 'Search',
            'skip' => 'Skip to the results',
            'label' => 'Search the news, letters and resources',
            'placeholder' => 'e.g. permis restrictif, residency, équivalence',
            'submit' => 'Search',
            'switch_label' => 'Language of this page',
            'other_lang' => 'Français',
            'other_lang_code' => 'fr',
            'results_0' => 'No results for “%s”',
            'results_1' => '1 result for “%s”',
            'results_n' => '%s results for “%s”',
            'results_page' => 'page %s of %s',
            'did_you_mean' => 'Did you mean:',
            'showing_for' => 'Showing results for',
            'completed' => 'No post has the word “%s”: showing the words that begin with it.',
            'filters' => 'Filters',
            'filters_n' => 'Filters (%s)',
            'clear_filters' => 'Remove all filters',
            'remove_filter' => 'Remove the filter %s',
            'facet_category' => 'Category',
            'facet_postlang' => 'Language of the post',
            'facet_year' => 'Year',
            'facet_count' => '%s posts',
            'facet_count_1' => '1 post',
            'sort' => 'Sort by',
            'sort_relevance' => 'Relevance',
            'sort_date' => 'Date (newest first)',
            'results' => 'Results',
            'lang_en' => 'English',
            'lang_fr' => 'French',
            'lang_mixed' => 'English and French',
            'published' => 'Published',
            'in_categories' => 'Categories:',
            'pages' => 'Pages',
            'previous' => 'Previous page',
            'next' => 'Next page',
            'page_n' => 'Page %s',
            'page_of' => 'Page %s of %s',
            'past_end' => 'There is no page %s: the results end at page %s.',
            'past_end_link' => 'Go to the last page',
            'no_results_help' => 'Some ideas:',
            'tip_spelling' => 'Check the spelling, or try a word with the same meaning.',
            'tip_fewer' => 'Use fewer words, or more general ones.',
            'tip_other_lang' => 'Try the other language: the archive has posts in English and in French (accents do not matter).',
            'tip_filters' => 'Your filters may hide results:',
            'empty_help' => 'Type a few words in English or French: accents, capitals and apostrophes do not matter. Use "quotes" for a phrase, and -word to leave a word out.',
            'unavailable' => 'The search is not available right now. Please try again in a few minutes.',
            'bad_query' => 'This search could not be run: it is too long or not valid. Please shorten it.',
            'suggest_label' => 'Suggestions',
            'suggest_words' => 'Search for',
            'suggest_titles' => 'Posts',
            'suggest_count_0' => 'No suggestions.',
            'suggest_count_1' => '1 suggestion: use the up and down arrows to choose.',
            'suggest_count_n' => '%s suggestions: use the up and down arrows to choose.',
            'months' => 'January|February|March|April|May|June|July|August|September|October|November|December',
        ],
        'fr' => [
            'title' => 'Rechercher dans les archives',
            'title_q' => '%s – Rechercher dans les archives',
            'site' => 'Recherche',
            'skip' => 'Aller aux résultats',
            'label' => 'Rechercher dans les nouvelles, les lettres et les ressources',
            'placeholder' => "p.{$nnb}ex. permis restrictif, résidence, équivalence",
            'submit' => 'Rechercher',
            'switch_label' => 'Langue de cette page',
            'other_lang' => 'English',
            'other_lang_code' => 'en',
            'results_0' => "Aucun résultat pour «{$nb}%s{$nb}»",
            'results_1' => "1 résultat pour «{$nb}%s{$nb}»",
            'results_n' => "%s résultats pour «{$nb}%s{$nb}»",
            'results_page' => 'page %s sur %s',
            'did_you_mean' => "Vouliez-vous dire{$nb}:",
            'showing_for' => 'Résultats pour',
            'completed' => "Aucun article ne contient le mot «{$nb}%s{$nb}»{$nnb}; voici les mots qui commencent ainsi.",
            'filters' => 'Filtres',
            'filters_n' => 'Filtres (%s)',
            'clear_filters' => 'Retirer tous les filtres',
            'remove_filter' => 'Retirer le filtre %s',
            'facet_category' => 'Catégorie',
            'facet_postlang' => 'Langue de l’article',
            'facet_year' => 'Année',
            'facet_count' => '%s articles',
            'facet_count_1' => '1 article',
            'sort' => 'Trier par',
            'sort_relevance' => 'Pertinence',
            'sort_date' => 'Date (les plus récents d’abord)',
            'results' => 'Résultats',
            'lang_en' => 'Anglais',
            'lang_fr' => 'Français',
            'lang_mixed' => 'Anglais et français',
            'published' => 'Publié le',
            'in_categories' => "Catégories{$nb}:",
            'pages' => 'Pages',
            'previous' => 'Page précédente',
            'next' => 'Page suivante',
            'page_n' => 'Page %s',
            'page_of' => 'Page %s sur %s',
            'past_end' => "Il n’y a pas de page %s{$nnb}: les résultats s’arrêtent à la page %s.",
            'past_end_link' => 'Aller à la dernière page',
            'no_results_help' => "Quelques pistes{$nb}:",
            'tip_spelling' => 'Vérifiez l’orthographe, ou essayez un mot de même sens.',
            'tip_fewer' => 'Utilisez moins de mots, ou des mots plus généraux.',
            'tip_other_lang' => "Essayez l’autre langue{$nb}: les archives contiennent des articles en français et en anglais (les accents ne comptent pas).",
            'tip_filters' => "Vos filtres cachent peut-être des résultats{$nb}:",
            'empty_help' => "Tapez quelques mots en français ou en anglais{$nnb}: les accents, les majuscules et les apostrophes ne comptent pas. Mettez une expression «{$nb}entre guillemets{$nb}», et -mot pour exclure un mot.",
            'unavailable' => 'La recherche est indisponible pour le moment. Veuillez réessayer dans quelques minutes.',
            'bad_query' => "Cette recherche n’a pas pu être faite{$nb}: elle est trop longue ou invalide. Veuillez la raccourcir.",
            'suggest_label' => 'Suggestions',
            'suggest_words' => 'Rechercher',
            'suggest_titles' => 'Articles',
            'suggest_count_0' => 'Aucune suggestion.',
            'suggest_count_1' => "1 suggestion{$nnb}; choisissez avec les flèches haut et bas.",
            'suggest_count_n' => "%s suggestions{$nnb}; choisissez avec les flèches haut et bas.",
            'months' => 'janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre',
        ],
    ];
}
