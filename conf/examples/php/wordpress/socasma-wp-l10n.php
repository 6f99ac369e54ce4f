<?php
/* socasma-wp-l10n.php: the plugin's strings in French, for sites (or
 * users, in wp-admin) whose locale is fr_*. They are kept here as a PHP
 * table applied through WordPress's gettext_socasma-search filter, so the
 * plugin needs no compiled .mo file; a translation that WordPress loads
 * from a .mo (languages/plugins/socasma-search-fr_FR.mo) wins. French
 * typography: a no-break space before ":" and inside « », a narrow one
 * before "?". */
if (!defined('ABSPATH')) {
    exit;
}

function socasma_wp_french(): array
{
    $nb = "\u{00A0}";
    $nnb = "\u{202F}";
    return [
        'Showing results for %s.' => 'Résultats pour %s.',
        'There were no results for “%s”.' => "Il n’y avait aucun résultat pour «{$nb}%s{$nb}».",
        'Did you mean %s?' => "Vouliez-vous dire %s{$nnb}?",
        'No post has the word “%s”: showing the words that begin with it.' =>
            "Aucun article ne contient le mot «{$nb}%s{$nb}»{$nnb}; voici les mots qui commencent ainsi.",
        'Search for' => 'Rechercher',
        'Posts' => 'Articles',
        'Suggestions' => 'Suggestions',
        'No suggestions.' => 'Aucune suggestion.',
        '1 suggestion: use the up and down arrows to choose.' => "1 suggestion{$nnb}; choisissez avec les flèches haut et bas.",
        '%s suggestions: use the up and down arrows to choose.' => "%s suggestions{$nnb}; choisissez avec les flèches haut et bas.",
        'Search (socasma)' => 'Recherche (socasma)',
        '%s: not a valid value; the previous one is kept.' => "%s{$nb}: valeur invalide{$nnb}; l’ancienne est conservée.",
        'Daemon address' => 'Adresse du démon',
        'Connect timeout (seconds)' => 'Délai de connexion (secondes)',
        'Read timeout (seconds)' => 'Délai de réponse (secondes)',
        'After a failure, use the WordPress search for (seconds)' => 'Après une panne, utiliser la recherche de WordPress pendant (secondes)',
        'Yes' => 'Oui',
        'No' => 'Non',
        'Daemon reachable' => 'Démon joignable',
        'Daemon version' => 'Version du démon',
        'protocol %s' => 'protocole %s',
        'Posts in the index' => 'Articles indexés',
        '(WordPress has %s published posts)' => '(WordPress compte %s articles publiés)',
        'Last indexed' => 'Dernière indexation',
        '%s ago' => 'il y a %s',
        'never' => 'jamais',
        'revision %s' => 'révision %s',
        'Index' => 'Index',
        'Is socasma-searchd running, and may the web server\'s user open its socket?' =>
            "socasma-searchd est-il lancé, et l’utilisateur du serveur web peut-il ouvrir son socket{$nnb}?",
        'Search in use' => 'Recherche utilisée',
        'socasma-search' => 'socasma-search',
        'WordPress\'s own search until %1$s, because: %2$s' => "la recherche de WordPress jusqu’à %1\$s, car{$nb}: %2\$s",
        'A Unix socket path (/run/socasma-search/socasma.sock) or HOST:PORT (127.0.0.1:7700).' =>
            'Le chemin d’un socket Unix (/run/socasma-search/socasma.sock) ou HÔTE:PORT (127.0.0.1:7700).',
        'From 0.05 to 10.' => 'De 0,05 à 10.',
        'From 0.1 to 30: how long a visitor may wait for the daemon.' =>
            "De 0,1 à 30{$nb}: l’attente maximale d’un visiteur.",
        'From 0 (always try the daemon) to 3600.' => 'De 0 (toujours essayer le démon) à 3600.',
        'Set in wp-config.php by %s, which wins over this page.' =>
            'Fixé dans wp-config.php par %s, qui l’emporte sur cette page.',
        'Status' => 'État',
        'Settings' => 'Réglages',
    ];
}

function socasma_wp_gettext($translation, $text, $domain)
{
    if ($translation !== $text) {
        return $translation;   /* a .mo file translated it */
    }
    $locale = function_exists('determine_locale') ? determine_locale() : get_locale();
    if (strncmp($locale, 'fr', 2) !== 0) {
        return $translation;
    }
    static $fr = null;
    $fr ??= socasma_wp_french();
    return $fr[$text] ?? $translation;
}
add_filter('gettext_socasma-search', 'socasma_wp_gettext', 10, 3);
