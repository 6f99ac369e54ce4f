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
        'Search addresses' => 'Adresses de recherche',
        'With replicas: the primary, which takes the writes.' =>
            "Avec des répliques{$nb}: le primaire, qui reçoit les écritures.",
        'Empty: searches go to the daemon address. With replicas: their addresses, or a load balancer\'s, separated by commas; each search tries them in a random order, the next one when one cannot be reached.' =>
            "Vide{$nb}: les recherches vont à l’adresse du démon. Avec des répliques{$nb}: leurs adresses, ou celle d’un répartiteur de charge, séparées par des virgules{$nnb}; chaque recherche les essaie dans un ordre au hasard, la suivante quand l’une ne répond pas.",
        ', %1$s posts, revision %2$s' => ', %1$s articles, révision %2$s',
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
        /* Live updates (socasma-wp-live.php, socasma-wp-push.php). */
        'Every minute (socasma-search)' => 'Chaque minute (socasma-search)',
        'Last error: %s.' => "Dernière erreur{$nb}: %s.",
        'See the status' => 'Voir l’état',
        'Live updates' => 'Mises à jour en direct',
        'Off: the index changes only with the nightly reindex.' =>
            "Désactivées{$nb}: l’index ne change qu’avec la réindexation de la nuit.",
        'none' => 'aucune',
        'Changes waiting for the daemon' => 'Modifications en attente du démon',
        'Last live update' => 'Dernière mise à jour en direct',
        '%1$s ago: %2$d added, %3$d updated, %4$d unchanged, %5$d deleted' =>
            "il y a %1\$s{$nb}: %2\$d ajoutés, %3\$d mis à jour, %4\$d inchangés, %5\$d supprimés",
        'Last live update failed' => 'Dernière mise à jour en direct en échec',
        '%1$s ago: %2$s' => "il y a %1\$s{$nb}: %2\$s",
        'Posts the daemon refused' => 'Articles refusés par le démon',
        'You may not do this.' => 'Vous n’avez pas le droit de faire cela.',
        'Post types in the index' => 'Types de contenu indexés',
        'Write timeout (seconds)' => 'Délai d’écriture (secondes)',
        'Write token' => 'Jeton d’écriture',
        'A post published, edited, unpublished or trashed is sent to the daemon at once (saving waits for it at most the connect timeout; what it does not take waits in a queue that WP-Cron sends every minute). Off: the index changes only with the nightly reindex.' =>
            "Un article publié, modifié, dépublié ou mis à la corbeille est envoyé aussitôt au démon (l’enregistrement l’attend au plus le délai de connexion{$nnb}; ce qu’il ne prend pas attend dans une file que WP-Cron envoie chaque minute). Désactivées{$nb}: l’index ne change qu’avec la réindexation de la nuit.",
        'post, page, or both: the types of the nightly export (its --post_type).' =>
            "post, page, ou les deux{$nb}: les types de l’export de la nuit (son --post_type).",
        'From 1 to 300: how long WP-Cron and "Send every post" wait for the daemon to take a batch (the daemon answers "busy" after its own write_timeout, 30 s by default).' =>
            "De 1 à 300{$nb}: combien de temps WP-Cron et «{$nb}Envoyer tous les articles{$nb}» attendent que le démon prenne un lot (le démon répond «{$nb}busy{$nb}» après son propre write_timeout, 30{$nb}s par défaut).",
        'Only for a daemon on TCP with write = token: the contents of its write_token_file. Not needed on the Unix socket. Leave empty to keep the one saved.' =>
            "Seulement pour un démon en TCP avec write = token{$nb}: le contenu de son write_token_file. Inutile sur le socket Unix. Laisser vide pour garder celui qui est enregistré.",
        'On' => 'Activées',
        'Off' => 'Désactivées',
        '(set)' => '(enregistré)',
        '(none)' => '(aucun)',
        'Remove the saved token' => 'Supprimer le jeton enregistré',
        '(takes no live updates: changes wait for a daemon of protocol 2 or the nightly reindex)' =>
            "(ne prend pas les mises à jour en direct{$nb}: elles attendent un démon de protocole 2 ou la réindexation de la nuit)",
        'Send every post' => 'Envoyer tous les articles',
        'For the first install, or after the index was rebuilt from elsewhere: sends the site\'s %1$s published posts (%2$s) to the daemon, 100 at a time. Posts the site no longer has stay in the index until the nightly reindex. From a shell, without WP-CLI: php wp-content/plugins/socasma-search/push-all.php' =>
            "Pour la première installation, ou après une reconstruction de l’index à partir d’autre chose{$nb}: envoie au démon les %1\$s articles publiés du site (%2\$s), 100 à la fois. Les articles que le site n’a plus restent dans l’index jusqu’à la réindexation de la nuit. Depuis un terminal, sans WP-CLI{$nb}: php wp-content/plugins/socasma-search/push-all.php",
        '%1$s of %2$s posts sent' => '%1$s articles envoyés sur %2$s',
        'Done: %1$s posts sent (%2$s added, %3$s updated, %4$s unchanged).' =>
            "Terminé{$nb}: %1\$s articles envoyés (%2\$s ajoutés, %3\$s mis à jour, %4\$s inchangés).",
        'Stopped: %s. Press the button again to resume.' =>
            "Arrêté{$nb}: %s. Appuyez de nouveau sur le bouton pour reprendre.",
        'The daemon refused %s:' => "Le démon a refusé %s{$nb}:",
        'Send every post to the daemon' => 'Envoyer tous les articles au démon',
    ];
}

/* The plural strings: singular => [French singular, French plural]. */
function socasma_wp_french_plural(): array
{
    $nb = "\u{00A0}";
    return [
        'socasma-search: %1$s changed post has waited %2$s for the search daemon, so the site\'s search does not show it yet.' => [
            "socasma-search{$nb}: %1\$s article modifié attend le démon de recherche depuis %2\$s{$nb}; la recherche du site ne le montre pas encore.",
            "socasma-search{$nb}: %1\$s articles modifiés attendent le démon de recherche depuis %2\$s{$nb}; la recherche du site ne les montre pas encore.",
        ],
        '%1$s post, waiting for %2$s' => [
            '%1$s article, en attente depuis %2$s',
            '%1$s articles, le plus ancien en attente depuis %2$s',
        ],
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

function socasma_wp_ngettext($translation, $single, $plural, $number, $domain)
{
    if ($translation !== ($number == 1 ? $single : $plural)) {
        return $translation;   /* a .mo file translated it */
    }
    $locale = function_exists('determine_locale') ? determine_locale() : get_locale();
    if (strncmp($locale, 'fr', 2) !== 0) {
        return $translation;
    }
    static $fr = null;
    $fr ??= socasma_wp_french_plural();
    /* French: the singular for 0 and 1. */
    return isset($fr[$single]) ? $fr[$single][$number > 1 ? 1 : 0] : $translation;
}
add_filter('ngettext_socasma-search', 'socasma_wp_ngettext', 10, 5);
