/* stopwords.c: English and French stopword lists (function words, folded:
 * lower case without accents, apostrophes as '), language codes, and
 * language detection from stopword statistics with accented letters as weak
 * evidence for French. The lists are sorted in byte order (bsearch). */
#include <config.h>

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

static int in_list(const char *const *list, size_t n, const char *w, size_t len)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const char *s = list[mid];
        size_t sl = strlen(s);
        size_t m = sl < len ? sl : len;
        int c = memcmp(s, w, m);
        if (c == 0)
            c = sl < len ? -1 : sl > len ? 1 : 0;
        if (c == 0)
            return 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

int txt_is_stopword(txt_lang lang, const char *word, size_t len)
{
    if (!word || len == 0 || len > 12)
        return 0;
    if (lang == TXT_LANG_EN)
        return in_list(en_stop, sizeof en_stop / sizeof *en_stop, word, len);
    if (lang == TXT_LANG_FR)
        return in_list(fr_stop, sizeof fr_stop / sizeof *fr_stop, word, len);
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
