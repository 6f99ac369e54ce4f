/* stopwords.c: English and French stopword lists (function words, folded:
 * lower case without accents, apostrophes as '), language codes, and
 * language detection from stopword statistics with accented letters as weak
 * evidence for French. The lists are looked up through hash sets. */
#include <config.h>

#include <assert.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text/text-internal.h"

static const char *const en_stop[] = {
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and",
    "any", "are", "aren't", "as", "at", "be", "because", "been", "before", "being", "below",
    "between", "both", "but", "by", "can", "cannot", "could", "couldn't", "did", "didn't",
    "do", "does", "doesn't", "doing", "don't", "down", "during", "each", "either", "few",
    "for", "from", "further", "had", "hadn't", "has", "hasn't", "have", "haven't", "having",
    "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "however", "i",
    "if", "in", "into", "is", "isn't", "it", "it's", "its", "itself", "just", "let's", "me",
    "might", "more", "most", "must", "mustn't", "my", "myself", "neither", "no", "nor",
    "not", "now", "of", "off", "on", "once", "only", "or", "other", "ought", "our", "ours",
    "ourselves", "out", "over", "own", "same", "shall", "she", "should", "shouldn't", "so",
    "some", "such", "than", "that", "that's", "the", "their", "theirs", "them", "themselves",
    "then", "there", "there's", "these", "they", "this", "those", "through", "thus", "to",
    "too", "under", "until", "up", "upon", "us", "very", "was", "wasn't", "we", "were",
    "weren't", "what", "what's", "when", "where", "which", "while", "who", "whom", "whose",
    "why", "will", "with", "won't", "would", "wouldn't", "yet", "you", "your", "yours",
    "yourself", "yourselves",
};
static const char *const fr_stop[] = {
    "a", "ai", "aie", "aient", "aies", "ait", "as", "au", "aura", "aurai", "auraient",
    "aurais", "aurait", "auras", "aurez", "auriez", "aurions", "aurons", "auront", "aussi",
    "autre", "aux", "avaient", "avais", "avait", "avec", "avez", "aviez", "avions", "avoir",
    "avons", "ayant", "c", "ca", "ce", "ceci", "cela", "celle", "celles", "celui", "ces",
    "cet", "cette", "ceux", "chez", "comme", "d", "dans", "de", "des", "donc", "dont", "du",
    "elle", "elles", "en", "entre", "es", "est", "et", "etaient", "etais", "etait", "etant",
    "ete", "etes", "etiez", "etions", "etre", "eu", "eue", "eues", "eumes", "eurent", "eus",
    "eusse", "eut", "eux", "furent", "fut", "ici", "il", "ils", "j", "je", "jusqu", "jusque",
    "l", "la", "le", "les", "leur", "leurs", "lorsqu", "lorsque", "lui", "m", "ma", "mais",
    "me", "meme", "memes", "mes", "moi", "mon", "n", "ne", "ni", "nos", "notre", "nous",
    "on", "ont", "or", "ou", "par", "parce", "pas", "peu", "plus", "pour", "pourquoi",
    "puis", "puisqu", "puisque", "qu", "quand", "que", "quel", "quelle", "quelles", "quels",
    "qui", "quoi", "quoiqu", "quoique", "s", "sa", "sans", "se", "sera", "serai", "seraient",
    "serais", "serait", "seras", "serez", "seriez", "serions", "serons", "seront", "ses",
    "si", "soi", "soient", "sois", "soit", "sommes", "son", "sont", "sous", "soyez", "sur",
    "t", "ta", "te", "tes", "toi", "ton", "tres", "tu", "un", "une", "unes", "uns", "vers",
    "vos", "votre", "vous", "y",
};

const char *txt_lang_code(txt_lang lang)
{
    return lang == TXT_LANG_EN ? "en" : lang == TXT_LANG_FR ? "fr" : "";
}

static int ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a, y = *b;
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (x != y)
            return 0;
    }
    return *a == *b;
}

txt_lang txt_lang_parse(const char *code)
{
    if (!code)
        return TXT_LANG_NONE;
    if (ieq(code, "en") || ieq(code, "english"))
        return TXT_LANG_EN;
    if (ieq(code, "fr") || ieq(code, "french"))
        return TXT_LANG_FR;
    return TXT_LANG_NONE;
}

/* The lists as hash sets, built once (pthread_once: analysers run in
 * several threads): a binary search over the sorted lists was a quarter
 * of the analyser's instructions, as every word is looked up in both
 * lists (language evidence) and its stems again. Open addressing with
 * linear probing; a slot holds the index of a word + 1, 0 when empty. */
#define STOP_SLOTS 1024 /* a power of two, over four times either list */

typedef struct {
    uint16_t slot[STOP_SLOTS];
    uint8_t len[256]; /* length of each word of the list */
    const char *const *list;
} stop_set;

static stop_set stop_en, stop_fr;
static pthread_once_t stop_once = PTHREAD_ONCE_INIT;

static uint32_t stop_hash(const char *w, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)w[i]) * 16777619u;
    return h;
}

static void stop_fill(stop_set *set, const char *const *list, size_t n)
{
    assert(n < sizeof set->len && n < STOP_SLOTS / 4);
    set->list = list;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(list[i]);
        uint32_t h = stop_hash(list[i], len) & (STOP_SLOTS - 1);
        while (set->slot[h])
            h = (h + 1) & (STOP_SLOTS - 1);
        set->slot[h] = (uint16_t)(i + 1);
        set->len[i] = (uint8_t)len;
    }
}

static void stop_init(void)
{
    stop_fill(&stop_en, en_stop, sizeof en_stop / sizeof *en_stop);
    stop_fill(&stop_fr, fr_stop, sizeof fr_stop / sizeof *fr_stop);
}

static int in_set(const stop_set *set, const char *w, size_t len)
{
    uint32_t h = stop_hash(w, len) & (STOP_SLOTS - 1);
    for (uint16_t k; (k = set->slot[h]) != 0; h = (h + 1) & (STOP_SLOTS - 1))
        if (set->len[k - 1] == len && memcmp(set->list[k - 1], w, len) == 0)
            return 1;
    return 0;
}

int txt_is_stopword(txt_lang lang, const char *word, size_t len)
{
    if (!word || len == 0 || len > 12)
        return 0;
    pthread_once(&stop_once, stop_init);
    if (lang == TXT_LANG_EN)
        return in_set(&stop_en, word, len);
    if (lang == TXT_LANG_FR)
        return in_set(&stop_fr, word, len);
    return 0;
}

void txt_lang_evidence(const char *word, size_t len, int accented, int *en, int *fr)
{
    int e = txt_is_stopword(TXT_LANG_EN, word, len);
    int f = txt_is_stopword(TXT_LANG_FR, word, len);
    if (e && !f)
        *en += 4;
    else if (f && !e)
        *fr += 4;
    if (accented)
        *fr += 1;
}

txt_lang txt_lang_decide(int en, int fr, txt_lang fallback)
{
    if (en > fr)
        return TXT_LANG_EN;
    if (fr > en)
        return TXT_LANG_FR;
    return fallback;
}
