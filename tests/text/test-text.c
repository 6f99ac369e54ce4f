/* test-text.c: unit tests of the bilingual analyser: a table of tricky
 * inputs in both languages with the words and stems expected, pairs of
 * texts that must meet (index side vs query side), glossary parsing,
 * normalisation, language detection and stopwords. */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/testhelp.h"
#include "text/text.h"

static txt_analyser *an;

static void setup(void)
{
    ck_assert_int_eq(txt_analyser_new(&an), TXT_OK);
}

static void teardown(void)
{
    txt_analyser_free(an);
    an = NULL;
}

/* Words (joined forms included, in token order), space-separated. */
static char *words_of(const txt_result *r)
{
    size_t n = 1;
    for (size_t i = 0; i < r->ntokens; i++)
        n += r->tokens[i].len + 1;
    char *s = calloc(1, n);
    ck_assert_ptr_nonnull(s);
    for (size_t i = 0; i < r->ntokens; i++) {
        if (i)
            strcat(s, " ");
        strcat(s, r->tokens[i].word);
    }
    return s;
}

static int has_stem(const txt_result *r, const char *want)
{
    /* want: "en:term", "fr:term" or "en!:term" (stopword) */
    for (size_t i = 0; i < r->ntokens; i++)
        for (unsigned j = 0; j < r->tokens[i].nstems; j++) {
            const txt_stem *st = &r->tokens[i].stems[j];
            char buf[256];
            snprintf(buf, sizeof buf, "%s%s:%s", txt_lang_code(st->lang), st->stop ? "!" : "",
                     st->term);
            if (strcmp(buf, want) == 0)
                return 1;
        }
    return 0;
}

typedef struct {
    const char *in;
    const char *lang; /* "en", "fr" or "" */
    int query;
    const char *words; /* expected words, in order */
    const char *stems; /* stems that must be present ("" for none checked) */
} row;

static const row rows[] = {
    /* accents and case */
    {"medecin", "fr", 0, "medecin", "fr:medecin"},
    {"MÉDECINS", "fr", 0, "medecins", "fr:medecin"},
    {"médecins", "fr", 0, "medecins", "fr:medecin"},
    {"Médecin", "fr", 1, "medecin", "fr:medecin"},
    {"Québec", "fr", 0, "quebec", "fr:quebec"},
    {"Quebec", "en", 0, "quebec", "en:quebec"},
    {"ÉTUDIANTS étrangers", "fr", 0, "etudiants etrangers", "fr:etudi fr:etranger"},
    {"e\xcc\x81tudiant", "fr", 0, "etudiant", "fr:etudi"},
    {"\xc3\xa9tudiant", "fr", 0, "etudiant", "fr:etudi"},
    {"ﬁnal ﬁn", "en", 0, "final fin", "en:final"},
    {"Œuvre cœur", "fr", 0, "oeuvre coeur", "fr:oeuvr"},
    {"naïve Straße", "en", 0, "naive strasse", ""},
    {"Diplômés à l'international", "fr", 0, "diplomes a international", "fr:diplom"},
    {"hôpital HÔPITAUX", "fr", 0, "hopital hopitaux", "fr:hopital"},
    {"Collège des médecins", "fr", 0, "college des medecins", "fr:colleg fr:medecin"},
    {"FORMATION médicale", "fr", 0, "formation medicale", "fr:format fr:medical"},
    {"Ｆｕｌｌｗｉｄｔｈ", "en", 0, "fullwidth", ""},
    /* elision */
    {"l'équivalence", "fr", 0, "equivalence", "fr:equivalent"},
    {"l’equivalence", "fr", 1, "equivalence", "fr:equivalent"},
    {"L'ÉQUIVALENCE", "fr", 0, "equivalence", ""},
    {"equivalence", "fr", 0, "equivalence", "fr:equivalent"},
    {"qu'il", "fr", 0, "il", "fr!:il"},
    {"QU’IL", "fr", 0, "il", ""},
    {"d'exercice", "fr", 0, "exercice", "fr:exercic"},
    {"j'ai n'est s'il m'a t'es c'est", "fr", 0, "ai est il a es est", ""},
    {"jusqu'à lorsqu'on puisqu'elle quoiqu'il", "fr", 0, "a on elle il", ""},
    {"Jusqu’au Lorsqu’il", "fr", 0, "au il", ""},
    {"D'Amérique", "fr", 0, "amerique", ""},
    {"l'", "fr", 0, "l", ""},
    {"l' hôpital", "fr", 0, "l hopital", ""},
    {"aujourd'hui", "fr", 0, "aujourd'hui", ""},
    {"aujourd’hui", "fr", 0, "aujourd'hui", ""},
    {"l'aujourd'hui", "fr", 0, "aujourd'hui", ""},
    {"l\xca\xbc" "examen", "fr", 0, "examen", ""},
    {"l\xe2\x80\x98" "examen", "fr", 0, "examen", ""},
    /* English possessive and contractions */
    {"physician's", "en", 0, "physician", "en:physician"},
    {"physician’s", "en", 0, "physician", ""},
    {"PHYSICIAN'S", "en", 0, "physician", ""},
    {"physicians' rights", "en", 0, "physicians rights", "en:physician"},
    {"CMA’s policy", "en", 0, "cma policy", "en:polici"},
    {"don't won't", "en", 0, "don't won't", "en!:don't"},
    {"it's", "en", 0, "it", "en!:it"},
    /* hyphen compounds */
    {"post-doctoral", "en", 0, "post postdoctoral doctoral", "en:postdoctor"},
    {"postdoctoral", "en", 0, "postdoctoral", "en:postdoctor"},
    {"post doctoral", "en", 0, "post doctoral", "en:doctor"},
    {"vice-doyens", "fr", 0, "vice vicedoyens doyens", "fr:doyen fr:vicedoyen"},
    {"COVID-19", "en", 0, "covid covid19 19", "en:covid"},
    {"États-Unis", "fr", 0, "etats etatsunis unis", "fr:etat"},
    {"etats-unis", "fr", 1, "etats etatsunis unis", "fr:etat"},
    {"l'après-midi", "fr", 0, "apres apresmidi midi", ""},
    {"Saint-Jean-sur-Richelieu", "fr", 0, "saint saintjeansurrichelieu jean sur richelieu", ""},
    {"non‐resident", "en", 0, "non nonresident resident", ""},
    {"well--known", "en", 0, "well known", ""},
    {"-dash- x-", "en", 0, "dash x", ""},
    /* acronyms */
    {"M.D.", "en", 0, "md", "en:md"},
    {"m.d", "en", 0, "md", ""},
    {"U.S.A.", "en", 0, "usa", ""},
    {"Ph.D.", "en", 0, "phd", ""},
    {"www.example.com", "en", 0, "www example com", ""},
    {"end.Start", "en", 0, "end start", ""},
    /* numbers and dates */
    {"2020", "en", 0, "2020", "en:2020"},
    {"20.06.16", "fr", 0, "20.06.16", "fr:20.06.16"},
    {"3,5 %", "fr", 0, "3,5", ""},
    {"10:30 1/2", "en", 0, "10:30 1/2", ""},
    {"1,000,000 dollars", "en", 0, "1,000,000 dollars", "en:dollar"},
    {"2021-02-10", "en", 0, "2021 20210210 02 10", ""},
    {"v1.2", "en", 0, "v1 2", ""},
    {"1er 2e", "fr", 0, "1er 2e", ""},
    {"3, 5", "en", 0, "3 5", ""},
    /* stemming */
    {"residencies", "en", 0, "residencies", "en:resid"},
    {"residency", "en", 0, "residency", "en:resid"},
    {"résidence résidences", "fr", 0, "residence residences", "fr:resident"},
    {"licences", "en", 0, "licences", "en:licenc"},
    {"graduates graduated", "en", 0, "graduates graduated", "en:graduat"},
    {"diplômés", "fr", 0, "diplomes", "fr:diplom"},
    /* stopwords */
    {"the", "en", 0, "the", "en!:the"},
    {"le la les", "fr", 0, "le la les", "fr!:le fr!:la"},
    {"été", "fr", 0, "ete", "fr!:ete"},
    /* query side, no language: both stems */
    {"residencies", "", 1, "residencies", "en:resid fr:residenc"},
    {"médecins", "", 1, "medecins", "en:medecin fr:medecin"},
    /* separators and repair */
    {"", "en", 0, "", ""},
    {"   \n\n  ", "en", 0, "", ""},
    {"a\0b", "en", 0, "a b", ""},
    {"ab\xff" "cd", "en", 0, "ab cd", ""},
    {"\xc0\xaf" "x", "en", 0, "x", ""},
    {"\xe0\x80\xaf" "y", "en", 0, "y", ""},
    {"\xed\xa0\x80z", "en", 0, "z", ""},
    {"caf\xc3", "fr", 0, "caf", ""},
    {"\xcc\x81" "abc", "en", 0, "abc", ""},
    {"hello,world;foo|bar", "en", 0, "hello world foo bar", ""},
    {"<p>tag</p>", "en", 0, "p tag p", ""},
    {"email@example.org", "en", 0, "email example org", ""},
    {"x_y", "en", 0, "x y", ""},
    {"über ÜBER", "en", 0, "uber uber", ""},
    {"Ελληνικά Русский", "en", 0, "ελληνικα русскии", ""},
    {"日本語", "en", 0, "日本語", ""},
};

/* The test table is run in one test so that a failure names its row. */
START_TEST(test_table)
{
    size_t nrows = sizeof rows / sizeof *rows;
    ck_assert_uint_ge(nrows, 80);
    for (size_t i = 0; i < nrows; i++) {
        const row *w = &rows[i];
        txt_options opt = {txt_lang_parse(w->lang), TXT_LANG_NONE, w->query};
        txt_result r;
        /* length from the literal so that embedded NULs count */
        size_t len = strlen(w->in);
        if (strcmp(w->words, "a b") == 0)
            len = 3;
        ck_assert_int_eq(txt_analyse(an, w->in, len, &opt, 1, &r), TXT_OK);
        char *got = words_of(&r);
        ck_assert_msg(strcmp(got, w->words) == 0, "row %zu (%s): words [%s], want [%s]", i, w->in,
                      got, w->words);
        free(got);
        char st[256];
        snprintf(st, sizeof st, "%s", w->stems);
        for (char *tok = strtok(st, " "); tok; tok = strtok(NULL, " "))
            ck_assert_msg(has_stem(&r, tok), "row %zu (%s): no stem %s", i, w->in, tok);
    }
}
END_TEST

/* Index text vs query text: every query word finds a stem of the index. */
typedef struct {
    const char *index, *query;
} meet;

static const meet meets[] = {
    {"Les médecins du Québec", "medecin"},
    {"Les médecins du Québec", "MÉDECINS"},
    {"Les médecins du Québec", "Médecin"},
    {"Les médecins du Québec", "quebec"},
    {"Demande de l'équivalence du diplôme", "equivalence"},
    {"Demande de l'équivalence du diplôme", "l’equivalence"},
    {"Demande de l'équivalence du diplôme", "diplome"},
    {"Residency positions for graduates", "residencies"},
    {"Les États-Unis et le Canada", "etats-unis"},
    {"Les États-Unis et le Canada", "etatsunis"},
    {"A post-doctoral fellow", "postdoctoral"},
    {"A post-doctoral fellow", "post doctoral"},
    {"A postdoctoral fellow", "postdoctoral"},
    {"The physician's licence", "physician"},
    {"The physician's licence", "physicians"},
    {"Les vice-doyens de la faculté", "vice-doyens"},
    {"Les vice-doyens de la faculté", "doyen"},
    {"Le cœur du problème", "coeur"},
    {"Il a obtenu son M.D. en 2020", "M.D."},
    {"Il a obtenu son M.D. en 2020", "2020"},
    {"COVID-19 barriers to the exam", "covid"},
    {"COVID-19 barriers to the exam", "covid-19"},
    {"Les étudiants canadiens à l'étranger", "etudiants"},
    {"Les étudiants canadiens à l'étranger", "ETRANGER"},
    {"The Collège des médecins du Québec accepted", "college"},
};

static void collect(const txt_result *r, char ***set, size_t *n)
{
    for (size_t i = 0; i < r->ntokens; i++) {
        const txt_token *t = &r->tokens[i];
        for (unsigned j = 0; j <= t->nstems; j++) {
            char buf[512];
            if (j == t->nstems)
                snprintf(buf, sizeof buf, "W:%s", t->word);
            else
                snprintf(buf, sizeof buf, "%s:%s", txt_lang_code(t->stems[j].lang),
                         t->stems[j].term);
            *set = realloc(*set, (*n + 1) * sizeof **set);
            (*set)[(*n)++] = strdup(buf);
        }
    }
}

static int in_set(char **set, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(set[i], s) == 0)
            return 1;
    return 0;
}

START_TEST(test_meet)
{
    for (size_t i = 0; i < sizeof meets / sizeof *meets; i++) {
        txt_options io = {TXT_LANG_NONE, TXT_LANG_NONE, 0};
        txt_options qo = {TXT_LANG_NONE, TXT_LANG_NONE, 1};
        txt_result r;
        char **set = NULL;
        size_t n = 0;
        ck_assert_int_eq(txt_analyse(an, meets[i].index, strlen(meets[i].index), &io, 1, &r),
                         TXT_OK);
        collect(&r, &set, &n);
        ck_assert_int_eq(txt_analyse(an, meets[i].query, strlen(meets[i].query), &qo, 1, &r),
                         TXT_OK);
        ck_assert_uint_gt(r.ntokens, 0);
        for (size_t t = 0; t < r.ntokens; t++) {
            const txt_token *tk = &r.tokens[t];
            int found = 0;
            for (unsigned j = 0; j < tk->nstems; j++) {
                char buf[512];
                snprintf(buf, sizeof buf, "%s:%s", txt_lang_code(tk->stems[j].lang),
                         tk->stems[j].term);
                found |= in_set(set, n, buf);
            }
            char wb[512];
            snprintf(wb, sizeof wb, "W:%s", tk->word);
            found |= in_set(set, n, wb);
            ck_assert_msg(found, "meet %zu: query word %s not in [%s]", i, tk->word,
                          meets[i].index);
        }
        for (size_t j = 0; j < n; j++)
            free(set[j]);
        free(set);
    }
}
END_TEST

START_TEST(test_positions_paragraphs)
{
    const char *text = "Le médecin est arrivé.\n\nThe doctor is here.\n \nLe patient attend.";
    txt_options o = {TXT_LANG_NONE, TXT_LANG_NONE, 0};
    txt_result r;
    ck_assert_int_eq(txt_analyse(an, text, strlen(text), &o, 5, &r), TXT_OK);
    ck_assert_uint_eq(r.tokens[0].pos, 5);
    ck_assert_uint_eq(r.tokens[0].para, 0);
    ck_assert_int_eq(r.tokens[0].lang, TXT_LANG_FR);
    size_t i = 0;
    while (i < r.ntokens && r.tokens[i].para == 0)
        i++;
    ck_assert_uint_lt(i, r.ntokens);
    ck_assert_str_eq(r.tokens[i].word, "the");
    ck_assert_int_eq(r.tokens[i].lang, TXT_LANG_EN);
    ck_assert_uint_gt(r.tokens[i].pos, r.tokens[i - 1].pos + 1);
    ck_assert_int_eq(r.tokens[r.ntokens - 1].lang, TXT_LANG_FR);
    ck_assert_uint_eq(r.tokens[r.ntokens - 1].para, 2);
    ck_assert_int_eq(r.main_lang, TXT_LANG_FR);
    ck_assert_uint_eq(r.langs, (1u << TXT_LANG_EN) | (1u << TXT_LANG_FR));
    ck_assert_uint_eq(r.last_pos, r.tokens[r.ntokens - 1].pos);
    /* spans */
    ck_assert_uint_eq(r.tokens[1].start, 3);
    ck_assert_uint_eq(r.tokens[1].end, 3 + strlen("médecin"));
    /* a single line break is not a paragraph */
    const char *t2 = "the cat\nthe dog";
    ck_assert_int_eq(txt_analyse(an, t2, strlen(t2), &o, 1, &r), TXT_OK);
    ck_assert_uint_eq(r.tokens[3].para, 0);
    ck_assert_uint_eq(r.tokens[3].pos, 4);
}
END_TEST

START_TEST(test_index_alternates)
{
    /* index side: stem of the folded word too when it differs */
    txt_options o = {TXT_LANG_FR, TXT_LANG_NONE, 0};
    txt_result r;
    ck_assert_int_eq(txt_analyse(an, "étés", 6, &o, 1, &r), TXT_OK);
    ck_assert_uint_eq(r.ntokens, 1);
    ck_assert_uint_ge(r.tokens[0].nstems, 1);
    /* query side never has alternates */
    o.query = 1;
    ck_assert_int_eq(txt_analyse(an, "étés", 6, &o, 1, &r), TXT_OK);
    ck_assert_uint_eq(r.tokens[0].nstems, 1);
    o.lang = TXT_LANG_NONE;
    ck_assert_int_eq(txt_analyse(an, "étés", 6, &o, 1, &r), TXT_OK);
    ck_assert_uint_eq(r.tokens[0].nstems, 2);
    ck_assert_int_eq(r.tokens[0].lang, TXT_LANG_NONE);
}
END_TEST

START_TEST(test_detect)
{
    ck_assert_int_eq(txt_detect_lang("the exam", 8, TXT_LANG_NONE), TXT_LANG_EN);
    ck_assert_int_eq(txt_detect_lang("le examen", 9, TXT_LANG_NONE), TXT_LANG_FR);
    ck_assert_int_eq(txt_detect_lang("Diplômés à l'international", 28, TXT_LANG_EN),
                     TXT_LANG_FR);
    ck_assert_int_eq(txt_detect_lang("CaRMS 2020", 10, TXT_LANG_EN), TXT_LANG_EN);
    ck_assert_int_eq(txt_detect_lang("CaRMS 2020", 10, TXT_LANG_FR), TXT_LANG_FR);
    ck_assert_int_eq(txt_detect_lang("We are urging you to write", 26, TXT_LANG_FR),
                     TXT_LANG_EN);
    ck_assert_int_eq(txt_detect_lang("Nous vous invitons à écrire", 28, TXT_LANG_EN),
                     TXT_LANG_FR);
    /* document majority for a short paragraph */
    const char *t = "Le collège des médecins a refusé la demande.\n\nCaRMS";
    txt_options o = {TXT_LANG_NONE, TXT_LANG_NONE, 0};
    txt_result r;
    ck_assert_int_eq(txt_analyse(an, t, strlen(t), &o, 1, &r), TXT_OK);
    ck_assert_int_eq(r.tokens[r.ntokens - 1].lang, TXT_LANG_FR);
    /* default_lang wins over the majority */
    o.default_lang = TXT_LANG_EN;
    ck_assert_int_eq(txt_analyse(an, t, strlen(t), &o, 1, &r), TXT_OK);
    ck_assert_int_eq(r.tokens[r.ntokens - 1].lang, TXT_LANG_EN);
    ck_assert_int_eq(r.tokens[0].lang, TXT_LANG_FR);
}
END_TEST

START_TEST(test_lang_codes_stopwords)
{
    ck_assert_int_eq(txt_lang_parse("EN"), TXT_LANG_EN);
    ck_assert_int_eq(txt_lang_parse("French"), TXT_LANG_FR);
    ck_assert_int_eq(txt_lang_parse("mixed"), TXT_LANG_NONE);
    ck_assert_int_eq(txt_lang_parse(NULL), TXT_LANG_NONE);
    ck_assert_str_eq(txt_lang_code(TXT_LANG_FR), "fr");
    ck_assert_str_eq(txt_lang_code(TXT_LANG_NONE), "");
    ck_assert(txt_is_stopword(TXT_LANG_EN, "the", 3));
    ck_assert(!txt_is_stopword(TXT_LANG_EN, "doctor", 6));
    ck_assert(txt_is_stopword(TXT_LANG_FR, "etait", 5));
    ck_assert(txt_is_stopword(TXT_LANG_FR, "qu", 2));
    ck_assert(!txt_is_stopword(TXT_LANG_FR, "the", 3));
    ck_assert(!txt_is_stopword(TXT_LANG_NONE, "the", 3));
}
END_TEST

START_TEST(test_normalise)
{
    char *s;
    ck_assert_int_eq(txt_normalise("  Collège des  MÉDECINS du Québec ", strlen("  Collège des  MÉDECINS du Québec "), &s), TXT_OK);
    ck_assert_str_eq(s, "college des medecins du quebec");
    free(s);
    ck_assert_int_eq(txt_normalise("Dr. O’Brien, M.D.", strlen("Dr. O’Brien, M.D."), &s), TXT_OK);
    ck_assert_str_eq(s, "dr o brien m d");
    free(s);
    ck_assert_int_eq(txt_normalise("\xff\xfe", 2, &s), TXT_OK);
    ck_assert_str_eq(s, "");
    free(s);
    ck_assert_int_eq(txt_normalise("ﬁnal", strlen("ﬁnal"), &s), TXT_OK);
    ck_assert_str_eq(s, "final");
    free(s);
    ck_assert_int_eq(txt_normalise(NULL, 0, &s), TXT_OK);
    ck_assert_str_eq(s, "");
    free(s);
}
END_TEST

START_TEST(test_glossary)
{
    const char *text = "# comment\n\nIMG, DIM , international medical graduate\r\n"
                       "  CMQ,Collège des médecins du Québec\n";
    txt_glossary *g;
    char err[256] = "";
    ck_assert_int_eq(txt_glossary_parse("mem", text, strlen(text), &g, err, sizeof err), TXT_OK);
    ck_assert_uint_eq(txt_glossary_ngroups(g), 2);
    size_t n;
    const char *const *e = txt_glossary_group(g, 1, &n);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(e[0], "cmq");
    ck_assert_str_eq(e[1], "college des medecins du quebec");
    e = txt_glossary_group(g, 0, &n);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(e[2], "international medical graduate");
    ck_assert_ptr_null(txt_glossary_group(g, 2, &n));
    txt_glossary_free(g);

    const char *bad = "a, b\n\nonly one\n";
    ck_assert_int_eq(txt_glossary_parse("syn.txt", bad, strlen(bad), &g, err, sizeof err),
                     TXT_ERR_SYNTAX);
    ck_assert_msg(strncmp(err, "syn.txt:3: ", 11) == 0, "%s", err);
    const char *dup = "same, SAME\n";
    ck_assert_int_eq(txt_glossary_parse("d", dup, strlen(dup), &g, err, sizeof err),
                     TXT_ERR_SYNTAX);
    ck_assert_int_eq(txt_glossary_load("/nonexistent/synonyms.txt", &g, err, sizeof err),
                     TXT_ERR_IO);
    ck_assert_msg(strncmp(err, "/nonexistent/synonyms.txt: ", 27) == 0, "%s", err);

    /* the project's glossary */
    char *path = th_path(th_srcdir(), "conf/synonyms.txt");
    ck_assert_msg(txt_glossary_load(path, &g, err, sizeof err) == TXT_OK, "%s", err);
    ck_assert_uint_ge(txt_glossary_ngroups(g), 9);
    int found = 0;
    for (size_t i = 0; i < txt_glossary_ngroups(g); i++) {
        e = txt_glossary_group(g, i, &n);
        for (size_t j = 0; j < n; j++)
            found |= strcmp(e[j], "diplome hors canada et etats unis") == 0;
    }
    ck_assert(found);
    txt_glossary_free(g);
    free(path);
}
END_TEST

START_TEST(test_stem_word)
{
    const char *out;
    size_t n;
    ck_assert_int_eq(txt_stem_word(an, TXT_LANG_EN, "residencies", 11, &out, &n), TXT_OK);
    ck_assert_uint_eq(n, 5);
    ck_assert(memcmp(out, "resid", 5) == 0);
    ck_assert_int_eq(txt_stem_word(an, TXT_LANG_NONE, "x", 1, &out, &n), TXT_ERR_STEMMER);
}
END_TEST

/* The case of a word's first character, as the query side tells names. */
START_TEST(test_initial_case)
{
    ck_assert_int_eq(txt_initial_case("Lavoisier", 9), 1);
    ck_assert_int_eq(txt_initial_case("CORT", 4), 1);
    ck_assert_int_eq(txt_initial_case("\xc3\x89tats", 6), 1);    /* États */
    ck_assert_int_eq(txt_initial_case("\xc5\x92uvre", 6), 1);    /* Œuvre */
    ck_assert_int_eq(txt_initial_case("\xc7\x85" "a", 3), 1);       /* U+01C5, title case */
    ck_assert_int_eq(txt_initial_case("lavoisier", 9), -1);
    ck_assert_int_eq(txt_initial_case("\xc3\xa9tats", 6), -1);   /* états */
    ck_assert_int_eq(txt_initial_case("2016", 4), 0);
    ck_assert_int_eq(txt_initial_case("\xe6\x9d\xb1", 3), 0);   /* a letter without case */
    ck_assert_int_eq(txt_initial_case("\xc3", 1), 0);             /* cut UTF-8 */
    ck_assert_int_eq(txt_initial_case("\xff" "A", 2), 0);         /* invalid byte */
    ck_assert_int_eq(txt_initial_case("", 0), 0);
    ck_assert_int_eq(txt_initial_case(NULL, 3), 0);
    ck_assert_int_eq(txt_initial_case("A", 0), 0);
}
END_TEST

/* The byte buffer: appends, growth past its first block, the NUL after the
 * bytes, HTML escaping. */
START_TEST(test_buf)
{
    txt_buf b = {0};
    ck_assert_int_eq(txt_buf_add(&b, "", 0), TXT_OK);
    ck_assert_ptr_nonnull(b.p);
    ck_assert_str_eq(b.p, "");
    ck_assert_int_eq(txt_buf_adds(&b, "ab"), TXT_OK);
    ck_assert_int_eq(txt_buf_add(&b, "c\0d", 3), TXT_OK); /* a NUL byte is kept */
    ck_assert_uint_eq(b.len, 5);
    ck_assert_int_eq(memcmp(b.p, "abc\0d", 6), 0);
    for (int i = 0; i < 1000; i++)
        ck_assert_int_eq(txt_buf_adds(&b, "0123456789"), TXT_OK);
    ck_assert_uint_eq(b.len, 10005);
    ck_assert_int_eq(b.p[b.len], '\0');
    ck_assert_int_eq(memcmp(b.p + 9995, "0123456789", 10), 0);
    txt_buf_free(&b);
    ck_assert_ptr_null(b.p);
    ck_assert_uint_eq(b.len, 0);
    const char in[] = "<a href=\"x\">l'\xc3\xa9t\xc3\xa9 & \0co</a>";
    ck_assert_int_eq(txt_buf_add_html(&b, in, sizeof in - 1), TXT_OK);
    ck_assert_str_eq(b.p, "&lt;a href=&quot;x&quot;&gt;l&#39;\xc3\xa9t\xc3\xa9 &amp; co&lt;/a&gt;");
    txt_buf_free(&b);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("text");
    TCase *tc = tcase_create("analyser");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_table);
    tcase_add_test(tc, test_meet);
    tcase_add_test(tc, test_positions_paragraphs);
    tcase_add_test(tc, test_index_alternates);
    tcase_add_test(tc, test_detect);
    tcase_add_test(tc, test_lang_codes_stopwords);
    tcase_add_test(tc, test_normalise);
    tcase_add_test(tc, test_glossary);
    tcase_add_test(tc, test_stem_word);
    tcase_add_test(tc, test_initial_case);
    tcase_add_test(tc, test_buf);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return th_run_suite(suite(), 0);
}
